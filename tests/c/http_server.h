/*
 * A tiny plain HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for the remote-JWKS tests and
 * the jwks.json vector runner: one pthread, POSIX sockets, one fixed response per path (any
 * other path gets 404), `Connection: close` after every response. Every wait is bounded: the
 * accept loop polls in 50 ms steps and stops after HTTP_SERVER_MAX_SECONDS even if nobody
 * stops it; a connection has SO_RCVTIMEO / SO_SNDTIMEO of one second.
 */
#ifndef PORTCULLIS_TEST_HTTP_SERVER_H
#define PORTCULLIS_TEST_HTTP_SERVER_H

#include <stddef.h>

#define HTTP_SERVER_MAX_SECONDS 120
#define HTTP_SERVER_MAX_ROUTES 16
#define HTTP_SERVER_MAX_HEADERS 8

typedef struct {
    const char *name, *value;
} http_header;

/* One path and the response it always gets. */
typedef struct {
    const char *path;
    int status;
    const http_header *headers;
    size_t n_headers;
    const char *body;
    size_t body_len;
} http_route;

typedef struct http_server http_server;

/* Starts a server with no routes (every path 404); NULL on failure. */
http_server *http_server_start(void);
/* The port it listens on. */
unsigned http_server_port(const http_server *s);
/* Replaces every route (copied; `n` at most HTTP_SERVER_MAX_ROUTES); 0 on success. Safe while
   the server runs: a rotation serves the new set from the next request on. */
int http_server_set_routes(http_server *s, const http_route *routes, size_t n);
/* How many requests it has answered (any path, any status). */
size_t http_server_requests(http_server *s);
/* Stops the thread, joins it, closes the socket and frees everything. NULL is a no-op. */
void http_server_stop(http_server *s);

#endif
