/*
 * The demo's C service: a small HTTP/1.1 server (POSIX sockets, OpenSSL for HTTPS) whose every
 * request is decided by portcullis_gate_check, with the gate of examples/services/gate.toml.
 *
 *   server --gate FILE --run-dir DIR --http PORT --https PORT
 *
 * Listens on 127.0.0.1 only: plain HTTP on one port, HTTPS on the other with DIR/server.pem and
 * DIR/server-key.pem. The TLS listener asks for a client certificate but accepts any (or none):
 * the gate verifies the chain it is handed (DER, leaf first), never OpenSSL. Relative paths in
 * the gate file (`file:` references, `records_file`) start from DIR.
 *
 * One connection at a time, one request per connection (`Connection: close`). Every read is
 * bounded: 16 KiB of request head, 64 header fields, a Content-Length body of at most 1 MiB
 * (Transfer-Encoding is refused), 5 seconds per socket read or write. A request the server
 * cannot read is refused with a problem body; it never reaches the application unchecked.
 *
 * An allowed request gets {"route":..,"credential":..,"subject":..,"scopes":[..]}; a denial
 * gets the gate's status, every header of the decision and its problem body.
 * SIGTERM or SIGINT stops the server after the connection in hand.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "portcullis.h"

#define MAX_HEAD 16384
#define MAX_HEADERS 64
#define MAX_BODY (1024 * 1024)
#define MAX_PEER_CERTS 8
#define IO_TIMEOUT_SECONDS 5

static volatile sig_atomic_t stopping = 0;

static void on_stop(int sig) {
    (void)sig;
    stopping = 1;
}

/* ------------------------------------------------------------------ connections */

typedef struct {
    int fd;
    SSL *ssl; /* NULL on the plain HTTP listener */
    char peer[INET_ADDRSTRLEN];
} connection;

static long conn_read(connection *c, char *buf, size_t cap) {
    if (c->ssl != NULL) {
        int n = SSL_read(c->ssl, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
        return n > 0 ? n : -1;
    }
    ssize_t n = recv(c->fd, buf, cap, 0);
    return n > 0 ? (long)n : -1;
}

static bool conn_write(connection *c, const char *buf, size_t len) {
    /* Each pass writes at least one byte or gives up: at most `len` passes. */
    while (len > 0) {
        long n;
        if (c->ssl != NULL)
            n = SSL_write(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
        else
            n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* ------------------------------------------------------------------ responses */

static const char *reason(unsigned status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

/* A growable output buffer; on allocation failure it stays marked failed and writes nothing. */
typedef struct {
    char *data;
    size_t len, cap;
    bool failed;
} buffer;

static void put(buffer *b, const char *text, size_t len) {
    if (b->failed)
        return;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap == 0 ? 4096 : b->cap;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, text, len);
    b->len += len;
    b->data[b->len] = '\0';
}

static void puts_(buffer *b, const char *text) { put(b, text, strlen(text)); }

/* `text` as a JSON string (quotes included); control characters as \u00XX. */
static void put_json_string(buffer *b, const char *text, size_t len) {
    char esc[8];
    puts_(b, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            put(b, esc, 2);
        } else if (ch < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            puts_(b, esc);
        } else {
            put(b, (const char *)&ch, 1);
        }
    }
    puts_(b, "\"");
}

/* Sends status, extra header lines (each ending in CRLF, may be NULL) and body, then closes. */
static void respond(connection *c, unsigned status, const char *headers, const char *content_type,
                    const char *body, size_t body_len) {
    buffer out = {0};
    char line[160];
    snprintf(line, sizeof line, "HTTP/1.1 %u %s\r\n", status, reason(status));
    puts_(&out, line);
    if (headers != NULL)
        puts_(&out, headers);
    if (content_type != NULL) {
        snprintf(line, sizeof line, "Content-Type: %s\r\n", content_type);
        puts_(&out, line);
    }
    snprintf(line, sizeof line, "Content-Length: %zu\r\nConnection: close\r\n\r\n", body_len);
    puts_(&out, line);
    put(&out, body, body_len);
    if (!out.failed)
        (void)conn_write(c, out.data, out.len);
    free(out.data);
}

/* A refusal by the server itself (the request could not be read or checked): an RFC 9457 body
   of the shape the gate and the framework adapters use, with the code that says why. */
static void refuse(connection *c, unsigned status) {
    const char *code = "request_invalid", *title = "Malformed request.";
    if (status == 413 || status == 431) {
        code = "input_too_large";
        title = "Request too large.";
    } else if (status >= 500 && status != 501) {
        code = "internal";
        title = "Internal error.";
    }
    char body[256];
    int n = snprintf(body, sizeof body,
                     "{\"type\":\"urn:portcullis:error:%s\",\"title\":\"%s\",\"status\":%u,\"code\":\"%s\"}",
                     code, title, status, code);
    respond(c, status, NULL, "application/problem+json", body, (size_t)n);
}

/* Library text outputs are read into fixed buffers: a value that does not fit (no decision of
   this gate comes near 8 KiB) fails the response closed with a 500. */
#define TEXT_CAP 8192
#define GOT(call) ((call) == PORTCULLIS_OK)

/* {"route":..,"credential":..,"subject":..,"scopes":[..]}: null credential and subject (and no
   scopes) when the route let an anonymous caller in. */
static void allow(connection *c, const portcullis_gate_decision *d) {
    static char text[TEXT_CAP];
    buffer body = {0};
    size_t len = 0;
    bool ok = GOT(portcullis_gate_decision_route(d, (uint8_t *)text, sizeof text, &len));
    puts_(&body, "{\"route\":");
    put_json_string(&body, text, ok ? len : 0);
    portcullis_principal *p = NULL;
    ok = ok && GOT(portcullis_gate_decision_principal(d, &p));
    if (ok && p == NULL) {
        puts_(&body, ",\"credential\":null,\"subject\":null,\"scopes\":[]}");
    } else if (ok) {
        ok = GOT(portcullis_gate_decision_credential(d, (uint8_t *)text, sizeof text, &len));
        puts_(&body, ",\"credential\":");
        put_json_string(&body, text, ok ? len : 0);
        ok = ok && GOT(portcullis_principal_subject(p, (uint8_t *)text, sizeof text, &len));
        puts_(&body, ",\"subject\":");
        put_json_string(&body, text, ok ? len : 0);
        /* The scopes come space-separated. */
        ok = ok && GOT(portcullis_principal_scopes(p, (uint8_t *)text, sizeof text, &len));
        puts_(&body, ",\"scopes\":[");
        size_t start = 0, count = 0;
        for (size_t i = 0; ok && i <= len; i++) {
            if (i == len || text[i] == ' ') {
                if (i > start) {
                    if (count++ > 0)
                        puts_(&body, ",");
                    put_json_string(&body, text + start, i - start);
                }
                start = i + 1;
            }
        }
        puts_(&body, "]}");
        portcullis_principal_free(p);
    }
    if (!ok || body.failed)
        refuse(c, 500);
    else
        respond(c, 200, NULL, "application/json", body.data, body.len);
    free(body.data);
}

/* The gate's status, every one of its headers (Content-Type among them) and its problem body. */
static void deny(connection *c, const portcullis_gate_decision *d) {
    static char name[TEXT_CAP], value[TEXT_CAP], problem[TEXT_CAP];
    buffer headers = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < portcullis_gate_decision_headers_len(d); i++) {
        size_t nlen = 0, vlen = 0;
        ok = GOT(portcullis_gate_decision_header_name(d, i, (uint8_t *)name, sizeof name, &nlen)) &&
             GOT(portcullis_gate_decision_header_value(d, i, (uint8_t *)value, sizeof value, &vlen));
        if (ok) {
            put(&headers, name, nlen);
            puts_(&headers, ": ");
            put(&headers, value, vlen);
            puts_(&headers, "\r\n");
        }
    }
    size_t len = 0;
    ok = ok && GOT(portcullis_gate_decision_problem_json(d, (uint8_t *)problem, sizeof problem, &len));
    if (!ok || headers.failed)
        refuse(c, 500);
    else
        respond(c, portcullis_gate_decision_status(d), headers.data, NULL, problem, len);
    free(headers.data);
}

/* ------------------------------------------------------------------ requests */

typedef struct {
    char *name, *value;
    size_t name_len, value_len;
} field;

typedef struct {
    char head[MAX_HEAD + 1];
    size_t head_len, body_len;
    char *method, *target;
    field fields[MAX_HEADERS];
    size_t field_count;
    char *body;
} http_request;

static bool is_tchar(unsigned char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* Splits the head (request line and fields) in place. Returns 0 or the status to refuse with. */
static unsigned parse_head(http_request *r, char *end_of_head, size_t *content_length) {
    char *line = r->head, *eol = strstr(line, "\r\n");
    char *sp1 = memchr(line, ' ', (size_t)(eol - line));
    char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (sp1 == NULL || sp2 == NULL || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || eol - sp2 != 9)
        return 400;
    *sp1 = *sp2 = '\0';
    r->method = line;
    r->target = sp1 + 1;
    for (const char *m = r->method; *m; m++)
        if (!is_tchar((unsigned char)*m))
            return 400;
    bool have_length = false;
    *content_length = 0;
    for (line = eol + 2; line < end_of_head; line = eol + 2) {
        eol = strstr(line, "\r\n");
        char *colon = memchr(line, ':', (size_t)(eol - line));
        if (colon == NULL || colon == line)
            return 400; /* also an obsolete folded line, which starts with white space */
        for (char *n = line; n < colon; n++)
            if (!is_tchar((unsigned char)*n))
                return 400;
        char *value = colon + 1, *value_end = eol;
        while (value < value_end && (*value == ' ' || *value == '\t'))
            value++;
        while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t'))
            value_end--;
        if (r->field_count == MAX_HEADERS)
            return 431;
        field *f = &r->fields[r->field_count++];
        f->name = line;
        f->name_len = (size_t)(colon - line);
        f->value = value;
        f->value_len = (size_t)(value_end - value);
        if (f->name_len == 17 && strncasecmp(f->name, "transfer-encoding", 17) == 0)
            return 501; /* only Content-Length bodies: no chunked framing to disagree about */
        if (f->name_len == 14 && strncasecmp(f->name, "content-length", 14) == 0) {
            size_t n = 0;
            if (f->value_len == 0 || f->value_len > 9 || have_length)
                return f->value_len > 9 ? 413 : 400;
            for (size_t i = 0; i < f->value_len; i++) {
                if (f->value[i] < '0' || f->value[i] > '9')
                    return 400;
                n = n * 10 + (size_t)(f->value[i] - '0');
            }
            have_length = true;
            *content_length = n;
        }
    }
    return *content_length > MAX_BODY ? 413 : 0;
}

/* Reads one request. Returns 0, the status to refuse with, or 1 when the peer went away. */
static unsigned read_request(connection *c, http_request *r) {
    char *end = NULL;
    /* Each read adds at least one byte: at most MAX_HEAD reads. */
    while (end == NULL) {
        if (r->head_len == MAX_HEAD)
            return 431;
        long n = conn_read(c, r->head + r->head_len, MAX_HEAD - r->head_len);
        if (n <= 0)
            return 1;
        r->head_len += (size_t)n;
        r->head[r->head_len] = '\0';
        if (memchr(r->head, '\0', r->head_len) != NULL)
            return 400;
        end = strstr(r->head, "\r\n\r\n");
    }
    size_t content_length = 0, head_end = (size_t)(end - r->head) + 4;
    unsigned status = parse_head(r, end + 2, &content_length);
    if (status != 0)
        return status;
    r->body = malloc(content_length + 1);
    if (r->body == NULL)
        return 500;
    size_t already = r->head_len - head_end;
    if (already > content_length)
        return 400; /* pipelined requests are not served */
    memcpy(r->body, r->head + head_end, already);
    r->body_len = already;
    while (r->body_len < content_length) {
        long n = conn_read(c, r->body + r->body_len, content_length - r->body_len);
        if (n <= 0)
            return 1;
        r->body_len += (size_t)n;
    }
    return 0;
}

#define B(text) (const uint8_t *)(text), strlen(text)

/* The TLS peer chain, leaf first, as DER. */
static portcullis_result add_peer_chain(SSL *ssl, portcullis_request *req) {
    X509 *leaf = SSL_get1_peer_certificate(ssl);
    if (leaf == NULL)
        return PORTCULLIS_OK;
    /* On the server side the chain OpenSSL keeps does not hold the leaf. */
    STACK_OF(X509) *rest = SSL_get_peer_cert_chain(ssl);
    int count = rest ? sk_X509_num(rest) : 0;
    portcullis_result rc = PORTCULLIS_OK;
    for (int i = -1; i < count && i < MAX_PEER_CERTS && rc == PORTCULLIS_OK; i++) {
        X509 *cert = i < 0 ? leaf : sk_X509_value(rest, i);
        if (i >= 0 && X509_cmp(cert, leaf) == 0)
            continue;
        unsigned char *der = NULL;
        int len = i2d_X509(cert, &der);
        rc = len > 0 ? portcullis_request_add_peer_certificate(req, der, (size_t)len)
                     : PORTCULLIS_RESULT_INVALID_ARGUMENT;
        OPENSSL_free(der);
    }
    X509_free(leaf);
    return rc;
}

static void serve(connection *c, const portcullis_gate *gate) {
    static http_request r;
    memset(&r, 0, sizeof r);
    unsigned status = read_request(c, &r);
    if (status == 1)
        goto done;
    if (status != 0) {
        refuse(c, status);
        goto done;
    }
    portcullis_request *req = NULL;
    portcullis_result rc = portcullis_request_new(B(r.method), B(r.target), &req);
    for (size_t i = 0; rc == PORTCULLIS_OK && i < r.field_count; i++)
        rc = portcullis_request_add_header(req, (const uint8_t *)r.fields[i].name, r.fields[i].name_len,
                                           (const uint8_t *)r.fields[i].value, r.fields[i].value_len);
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_set_body(req, (const uint8_t *)r.body, r.body_len);
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_set_peer_address(req, B(c->peer));
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_set_scheme(req, B(c->ssl != NULL ? "https" : "http"));
    if (rc == PORTCULLIS_OK && c->ssl != NULL)
        rc = add_peer_chain(c->ssl, req);
    portcullis_gate_decision *d = NULL;
    if (rc == PORTCULLIS_OK)
        rc = portcullis_gate_check(gate, req, &d);
    if (rc != PORTCULLIS_OK) {
        /* Fail closed: a request the library would not take is refused, never let through. */
        refuse(c, rc == PORTCULLIS_RESULT_INPUT_TOO_LARGE ? 431 : 400);
    } else if (portcullis_gate_decision_allowed(d)) {
        allow(c, d);
    } else {
        deny(c, d);
    }
    portcullis_gate_decision_free(d);
    portcullis_request_free(req);
done:
    free(r.body);
}

/* ------------------------------------------------------------------ listeners */

static int listen_on(const char *port_text) {
    char *end = NULL;
    long port = strtol(port_text, &end, 10);
    if (end == port_text || *end != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "c-service: bad port %s\n", port_text);
        exit(2);
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int on = 1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 16) != 0) {
        fprintf(stderr, "c-service: cannot listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
        exit(1);
    }
    return fd;
}

/* Asks for a client certificate and takes whatever comes: the gate verifies it. */
static int accept_any_certificate(int preverify_ok, X509_STORE_CTX *ctx) {
    (void)preverify_ok;
    (void)ctx;
    return 1;
}

static SSL_CTX *tls_context(const char *run_dir) {
    char cert[4096], key[4096];
    snprintf(cert, sizeof cert, "%s/server.pem", run_dir);
    snprintf(key, sizeof key, "%s/server-key.pem", run_dir);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        fprintf(stderr, "c-service: TLS setup with %s failed:\n", cert);
        ERR_print_errors_fp(stderr);
        exit(1);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_certificate);
    return ctx;
}

static void handle(int listener, SSL_CTX *tls, const portcullis_gate *gate) {
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    int fd = accept(listener, (struct sockaddr *)&addr, &addr_len);
    if (fd < 0)
        return;
    struct timeval timeout = {.tv_sec = IO_TIMEOUT_SECONDS};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    connection c = {.fd = fd, .ssl = NULL};
    inet_ntop(AF_INET, &addr.sin_addr, c.peer, sizeof c.peer);
    if (tls != NULL) {
        c.ssl = SSL_new(tls);
        if (c.ssl == NULL || SSL_set_fd(c.ssl, fd) != 1 || SSL_accept(c.ssl) != 1) {
            ERR_clear_error();
            goto close;
        }
    }
    serve(&c, gate);
    if (c.ssl != NULL)
        SSL_shutdown(c.ssl);
close:
    SSL_free(c.ssl);
    close(fd);
}

static portcullis_gate *load_gate(const char *path, const char *run_dir) {
    portcullis_gate_options *options = NULL;
    portcullis_gate *gate = NULL;
    portcullis_denial *error = NULL;
    if (portcullis_gate_options_new(&options) != PORTCULLIS_OK ||
        portcullis_gate_options_set_base_dir(options, B(run_dir)) != PORTCULLIS_OK) {
        fprintf(stderr, "c-service: gate options failed\n");
        exit(1);
    }
    portcullis_result rc = portcullis_gate_from_file(B(path), options, &gate, &error);
    if (rc != PORTCULLIS_OK) {
        char detail[1024];
        size_t len = 0;
        if (error == NULL ||
            portcullis_denial_detail(error, (uint8_t *)detail, sizeof detail, &len) != PORTCULLIS_OK)
            len = 0;
        fprintf(stderr, "c-service: %s: %s: %.*s\n", path, portcullis_result_name(rc), (int)len, detail);
        portcullis_denial_free(error);
        exit(1);
    }
    return gate;
}

int main(int argc, char **argv) {
    const char *gate_path = NULL, *run_dir = NULL, *http_port = NULL, *https_port = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--gate") == 0)
            gate_path = argv[i + 1];
        else if (strcmp(argv[i], "--run-dir") == 0)
            run_dir = argv[i + 1];
        else if (strcmp(argv[i], "--http") == 0)
            http_port = argv[i + 1];
        else if (strcmp(argv[i], "--https") == 0)
            https_port = argv[i + 1];
    }
    if (gate_path == NULL || run_dir == NULL || http_port == NULL || https_port == NULL) {
        fprintf(stderr, "usage: %s --gate FILE --run-dir DIR --http PORT --https PORT\n", argv[0]);
        return 2;
    }
    struct sigaction stop = {.sa_handler = on_stop};
    sigaction(SIGTERM, &stop, NULL);
    sigaction(SIGINT, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    portcullis_gate *gate = load_gate(gate_path, run_dir);
    SSL_CTX *tls = tls_context(run_dir);
    struct pollfd listeners[2] = {{.fd = listen_on(http_port), .events = POLLIN},
                                  {.fd = listen_on(https_port), .events = POLLIN}};
    fprintf(stderr, "c-service: http://127.0.0.1:%s and https://127.0.0.1:%s, gate %s\n", http_port,
            https_port, gate_path);

    /* Serves until SIGTERM or SIGINT; poll wakes at least once a second to look. */
    while (!stopping) {
        int ready = poll(listeners, 2, 1000);
        if (ready < 0 && errno != EINTR)
            break;
        for (int i = 0; ready > 0 && i < 2 && !stopping; i++)
            if (listeners[i].revents & POLLIN)
                handle(listeners[i].fd, i == 1 ? tls : NULL, gate);
    }
    close(listeners[0].fd);
    close(listeners[1].fd);
    SSL_CTX_free(tls);
    portcullis_gate_free(gate);
    return 0;
}
