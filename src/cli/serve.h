/* serve.h — serving an already opened store (shared by serve and demo). */
#ifndef CP_CLI_SERVE_H
#define CP_CLI_SERVE_H

#include "base/config.h"
#include "store/db.h"

/* Serves db until SIGTERM/SIGINT. Signals must already be blocked
 * (cp_server_block_signals) before any thread was started. */
int cp_cli_serve_store(cp_config *cfg, cp_db *db);

#endif
