/*
 * baseline_post.c — the floor of bench/events.sh: a bare libmicrohttpd server with the same
 * threading as cyberpact (internal epoll thread pool) that reads each request's body whole
 * (as cyberpact does before parsing it) and answers {"status":"ok"}. What remains above it
 * in our figures is parsing, matching, routing and storing.
 *
 * usage: baseline_post PORT THREADS   (runs until killed)
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
    (void)cls, (void)url, (void)method, (void)version, (void)upload;
    if (*ptr == NULL) {
        *ptr = &first_call_marker;
        return MHD_YES;
    }
    if (*upload_size) { /* consume the body, as a real handler must */
        *upload_size = 0;
        return MHD_YES;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(con, 200, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT THREADS\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)atoi(argv[1]),
                                            NULL, NULL, answer, NULL, MHD_OPTION_THREAD_POOL_SIZE,
                                            (unsigned)atoi(argv[2]), MHD_OPTION_END);
    if (!d) {
        perror("MHD_start_daemon");
        return 1;
    }
    for (;;) pause();
}
