/*
 * record_cli.h — between `cyberpact record` (record.c) and its verify action
 * (record_verify.c). Private to src/cli/.
 */
#ifndef CP_CLI_RECORD_CLI_H
#define CP_CLI_RECORD_CLI_H

#include "store/db.h"

typedef struct {
    const char *server;        /* base URL: verify what this server serves */
    const char *key;           /* API key for the server (else $CYBERPACT_API_KEY) */
    const char *file;          /* an export file */
    const char *public_key;    /* hex: the key the alliance published (pins it) */
    const char *previous_head; /* file with a tree head saved earlier */
    const char *save_head;     /* where to save the verified head */
    const char *const *receipts; /* receipt files */
    int n_receipts;
    const char *cacert;        /* PEM file of CA certificates for an https:// server */
} cp_record_verify_opts;

/* Verifies the copy named by o (server or file) or, when neither is given,
 * the record in the store on c. Prints the report; returns the exit status
 * (0 when everything checked out, 1 on any difference). */
int cp_cli_record_verify(const cp_record_verify_opts *o, cp_conn *c);

#endif
