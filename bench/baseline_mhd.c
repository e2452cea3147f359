/*
 * baseline_mhd.c — the bare minimum libmicrohttpd server with the same
 * threading as cyberpact (internal epoll thread pool, one thread per core),
 * answering every request with {"status":"ok"}. It is the ceiling our server
 * framework allows on this machine: bench/run.sh measures it in the same run
 * as cyberpact, so the figures in docs/benchmarks.md show what our request
 * handling (ids, routing, auth, logging, metrics, store) costs on top.
 *
 * usage: baseline_mhd PORT THREADS   (runs until killed)
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static enum MHD_Result answer(void *cls, struct MHD_Connection *con, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **ptr)
{
    static const char body[] = "{\"status\":\"ok\"}";
    static int first_call_marker;
    /* Like cyberpact, answer on the second call: answering on the first, before
     * MHD knows whether a body follows, makes it close the connection. */
    if (*ptr == NULL) {
        *ptr = &first_call_marker;
        return MHD_YES;
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(con, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT THREADS\n", argv[0]);
        return 2;
    }
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL,
                                            (uint16_t)atoi(argv[1]), NULL, NULL, answer, NULL,
                                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[2]),
                                            MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_END);
    if (!d) return 1;
    printf("listening on %s\n", argv[1]);
    fflush(stdout);
    pause();
    MHD_stop_daemon(d);
    return 0;
}
