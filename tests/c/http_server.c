/* The loopback HTTP server of http_server.h. */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

typedef struct {
    char *path;
    int status;
    char *names[HTTP_SERVER_MAX_HEADERS], *values[HTTP_SERVER_MAX_HEADERS];
    size_t n_headers;
    char *body;
    size_t body_len;
} owned_route;

struct http_server {
    int fd;
    unsigned port;
    pthread_t thread;
    pthread_mutex_t lock;
    int stop;
    size_t requests;
    owned_route routes[HTTP_SERVER_MAX_ROUTES];
    size_t n_routes;
};

static char *dup_bytes(const char *p, size_t n) {
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    if (n > 0)
        memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

static void free_routes(http_server *s) {
    for (size_t i = 0; i < s->n_routes; i++) {
        owned_route *r = &s->routes[i];
        free(r->path);
        free(r->body);
        for (size_t h = 0; h < r->n_headers; h++) {
            free(r->names[h]);
            free(r->values[h]);
        }
    }
    s->n_routes = 0;
}

static int send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static const char *reason(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

/* Reads one request head (bounded), answers it, closes. */
static void serve(http_server *s, int fd) {
    struct timeval tv = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char req[8192];
    size_t got = 0;
    while (got < sizeof req - 1) {
        ssize_t r = recv(fd, req + got, sizeof req - 1 - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL)
            break;
    }
    req[got] = '\0';
    char path[2048] = "";
    if (strncmp(req, "GET ", 4) == 0) {
        const char *start = req + 4, *end = strchr(start, ' ');
        if (end != NULL && (size_t)(end - start) < sizeof path) {
            memcpy(path, start, (size_t)(end - start));
            path[end - start] = '\0';
        }
    }
    pthread_mutex_lock(&s->lock);
    s->requests++;
    const owned_route *route = NULL;
    for (size_t i = 0; i < s->n_routes; i++)
        if (strcmp(s->routes[i].path, path) == 0)
            route = &s->routes[i];
    /* Build the whole response under the lock: a rotation may free the route. */
    size_t body_len = route ? route->body_len : 9;
    size_t cap = body_len + 1024;
    for (size_t h = 0; route && h < route->n_headers; h++)
        cap += strlen(route->names[h]) + strlen(route->values[h]) + 4;
    char *out = malloc(cap);
    size_t len = 0;
    if (out != NULL) {
        int status = route ? route->status : 404;
        len = (size_t)snprintf(out, cap,
                               "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nConnection: close\r\n",
                               status, reason(status), body_len);
        for (size_t h = 0; route && h < route->n_headers; h++)
            len += (size_t)snprintf(out + len, cap - len, "%s: %s\r\n", route->names[h],
                                    route->values[h]);
        len += (size_t)snprintf(out + len, cap - len, "\r\n");
        memcpy(out + len, route ? route->body : "not found", body_len);
        len += body_len;
    }
    pthread_mutex_unlock(&s->lock);
    if (out != NULL)
        (void)send_all(fd, out, len);
    free(out);
    shutdown(fd, SHUT_WR);
    close(fd);
}

static void *accept_loop(void *arg) {
    http_server *s = arg;
    /* Bounded: 50 ms polls for at most HTTP_SERVER_MAX_SECONDS. */
    for (int i = 0; i < HTTP_SERVER_MAX_SECONDS * 20; i++) {
        pthread_mutex_lock(&s->lock);
        int stop = s->stop;
        pthread_mutex_unlock(&s->lock);
        if (stop)
            break;
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int fd = accept(s->fd, NULL, NULL);
        if (fd >= 0)
            serve(s, fd);
    }
    return NULL;
}

http_server *http_server_start(void) {
    http_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->fd < 0) {
        free(s);
        return NULL;
    }
    int one = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t alen = sizeof addr;
    if (bind(s->fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s->fd, 64) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&addr, &alen) != 0) {
        close(s->fd);
        free(s);
        return NULL;
    }
    s->port = ntohs(addr.sin_port);
    pthread_mutex_init(&s->lock, NULL);
    if (pthread_create(&s->thread, NULL, accept_loop, s) != 0) {
        pthread_mutex_destroy(&s->lock);
        close(s->fd);
        free(s);
        return NULL;
    }
    return s;
}

unsigned http_server_port(const http_server *s) {
    return s->port;
}

int http_server_set_routes(http_server *s, const http_route *routes, size_t n) {
    if (n > HTTP_SERVER_MAX_ROUTES)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (routes[i].n_headers > HTTP_SERVER_MAX_HEADERS)
            return -1;
    pthread_mutex_lock(&s->lock);
    free_routes(s);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        owned_route *r = &s->routes[i];
        memset(r, 0, sizeof *r);
        s->n_routes = i + 1;
        r->path = dup_bytes(routes[i].path, strlen(routes[i].path));
        r->status = routes[i].status;
        r->body = dup_bytes(routes[i].body ? routes[i].body : "", routes[i].body_len);
        r->body_len = routes[i].body_len;
        for (size_t h = 0; h < routes[i].n_headers; h++) {
            r->names[h] = dup_bytes(routes[i].headers[h].name, strlen(routes[i].headers[h].name));
            r->values[h] =
                dup_bytes(routes[i].headers[h].value, strlen(routes[i].headers[h].value));
            r->n_headers = h + 1;
            if (r->names[h] == NULL || r->values[h] == NULL)
                rc = -1;
        }
        if (r->path == NULL || r->body == NULL)
            rc = -1;
    }
    if (rc != 0)
        free_routes(s);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

size_t http_server_requests(http_server *s) {
    pthread_mutex_lock(&s->lock);
    size_t n = s->requests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void http_server_stop(http_server *s) {
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    close(s->fd);
    free_routes(s);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
