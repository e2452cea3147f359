/*
 * server.h — the HTTP server: libmicrohttpd with an internal thread pool.
 *
 * Limits (all from cp_config, safe defaults): body bytes (413, checked from
 * Content-Length before reading and again while reading), memory for the
 * request line and headers per connection (MHD answers 431/414 itself when
 * exceeded), JSON depth (400), concurrent connections in total and per
 * address, and idle time per connection.
 *
 * Shutdown: cp_server_wait_for_signal() blocks until SIGTERM or SIGINT; then
 * cp_server_stop() stops accepting, lets in-flight requests finish (up to the
 * drain timeout) and closes every connection.
 */
#ifndef CP_HTTP_SERVER_H
#define CP_HTTP_SERVER_H

#include "http/http.h"

typedef struct cp_server cp_server;

/* Blocks SIGTERM, SIGINT and SIGPIPE in the calling thread (call before any
 * thread starts, so every thread inherits the mask). */
void cp_server_block_signals(void);
cp_status cp_server_start(cp_app *app, cp_server **out, cp_err *err);
/* The port actually bound (useful with port 0). */
int cp_server_port(const cp_server *s);
/* Waits for SIGTERM/SIGINT; returns the signal number. */
int cp_server_wait_for_signal(void);
void cp_server_stop(cp_server *s);

#endif
