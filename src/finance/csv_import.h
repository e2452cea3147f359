/*
 * csv_import.h — a bank statement's payments as CSV (RFC 4180), turned into
 * the body of cp_finance_pay_import ({"payments": [...]}).
 *
 * The first row names the columns, in any order: member_id, amount, date,
 * reference (required), payer, currency, assessment_id (optional); no other
 * name, none twice. Fields may be quoted ("a, b" and "" for a quote); lines
 * end with LF or CRLF; a final line ending is optional; empty lines are
 * skipped; a UTF-8 byte-order mark at the start is ignored. At most
 * CP_FIN_IMPORT_MAX rows and CP_FIN_CSV_MAX bytes; each field at most 300
 * bytes, no NUL. Values are not checked here (cp_finance_pay_import does,
 * naming the item): this only splits. Errors are CP_E_BAD_REQUEST naming the
 * line.
 */
#ifndef CP_FINANCE_CSV_IMPORT_H
#define CP_FINANCE_CSV_IMPORT_H

#include <jansson.h>
#include <stddef.h>

#include "base/status.h"

#define CP_FIN_CSV_MAX (4 * 1024 * 1024)

cp_status cp_fin_payments_csv(const char *text, size_t len, json_t **body, cp_err *err);

#endif
