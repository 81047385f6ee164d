/*
 * The C runner of tests/vectors/jwks.json: `verify_remote` starts a loopback HTTP server
 * (http_server.c) for the case answering each listed path with its fixed response (any other
 * path 404), replaces every `{{base}}` (`http://127.0.0.1:<port>`) in the response bodies and
 * header values and in the client configuration, builds a JWKS client and a JWT verifier over
 * it, verifies the token at the case's time `times` times (every attempt must match the
 * expectation; the last one is the outcome) and checks the number of requests the server
 * received when the case says; `jwks_config` only builds the client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_server.h"
#include "vectors.h"

void cleanup_jwks(run_state *s) {
    /* The verifier (s->jwt) is freed by cleanup_jwt. */
    portcullis_jwks_client_free(s->jwks);
    http_server_stop(s->server);
}

/* A NUL-terminated copy of `in` with every `{{base}}` replaced by `base`; NULL when out of
   memory. */
static char *subst(vbytes in, const char *base) {
    static const char mark[] = "{{base}}";
    size_t mlen = sizeof mark - 1, blen = strlen(base), count = 0;
    for (size_t i = 0; i + mlen <= in.len; i++)
        if (memcmp(in.ptr + i, mark, mlen) == 0)
            count++;
    char *out = malloc(in.len + count * blen + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < in.len;) {
        if (i + mlen <= in.len && memcmp(in.ptr + i, mark, mlen) == 0) {
            memcpy(out + o, base, blen);
            o += blen;
            i += mlen;
        } else {
            out[o++] = in.ptr[i++];
        }
    }
    out[o] = '\0';
    return out;
}

/* Serves the case's responses, with {{base}} replaced. */
static portcullis_result serve(const vcase *c, run_state *s, const char *base) {
    if (c->n_routes > HTTP_SERVER_MAX_ROUTES)
        return PORTCULLIS_RESULT_INVALID_ARGUMENT;
    http_route routes[HTTP_SERVER_MAX_ROUTES] = {0};
    http_header headers[HTTP_SERVER_MAX_ROUTES][HTTP_SERVER_MAX_HEADERS];
    char *owned[HTTP_SERVER_MAX_ROUTES * (2 * HTTP_SERVER_MAX_HEADERS + 2)];
    size_t n_owned = 0;
    int ok = 1;
    for (size_t i = 0; i < c->n_routes; i++) {
        const vroute *r = &c->routes[i];
        if (r->n_headers > HTTP_SERVER_MAX_HEADERS)
            return PORTCULLIS_RESULT_INVALID_ARGUMENT;
        char *path = subst(r->path, base), *body = subst(r->body, base);
        owned[n_owned++] = path;
        owned[n_owned++] = body;
        ok = ok && path != NULL && body != NULL;
        for (size_t h = 0; h < r->n_headers; h++) {
            char *name = subst(r->headers[h].name, "");
            char *value = subst(r->headers[h].value, base);
            owned[n_owned++] = name;
            owned[n_owned++] = value;
            ok = ok && name != NULL && value != NULL;
            headers[i][h] = (http_header){name, value};
        }
        routes[i] = (http_route){path,
                                 (int)r->status,
                                 headers[i],
                                 r->n_headers,
                                 body,
                                 body ? strlen(body) : 0};
    }
    if (ok && http_server_set_routes(s->server, routes, c->n_routes) != 0)
        ok = 0;
    for (size_t i = 0; i < n_owned; i++)
        free(owned[i]);
    return ok ? PORTCULLIS_OK : PORTCULLIS_RESULT_INTERNAL;
}

/* Does `rc` match the case's expectation (ok, or the named error)? */
static int matches(const vcase *c, portcullis_result rc) {
    return c->expect_ok ? rc == PORTCULLIS_OK : is(c->error, portcullis_result_name(rc));
}

portcullis_result run_jwks(const vcase *c, run_state *s) {
    char base[64] = "http://127.0.0.1:0";
    if (is(c->op, "verify_remote")) {
        s->server = http_server_start();
        if (s->server == NULL)
            return PORTCULLIS_RESULT_INTERNAL;
        snprintf(base, sizeof base, "http://127.0.0.1:%u", http_server_port(s->server));
        portcullis_result rc = serve(c, s, base);
        if (rc != PORTCULLIS_OK)
            return rc;
    } else if (!is(c->op, "jwks_config")) {
        fprintf(stderr, "unknown jwks op %.*s\n", (int)c->op.len, c->op.ptr);
        exit(2);
    }
    char *config = subst(c->config_json, base);
    if (config == NULL)
        return PORTCULLIS_RESULT_INTERNAL;
    portcullis_result rc =
        portcullis_jwks_client_new((const uint8_t *)config, strlen(config), &s->jwks);
    free(config);
    if (rc != PORTCULLIS_OK || is(c->op, "jwks_config"))
        return rc;
    rc = portcullis_jwt_verifier_new_remote(s->jwks, U8(c->jwt_config), &s->jwt);
    if (rc != PORTCULLIS_OK)
        return rc;
    int times = c->times > 0 ? c->times : 1;
    for (int i = 0; i < times; i++) {
        drop_outcome(s);
        rc = portcullis_jwt_verifier_verify_token(s->jwt, U8(c->token), c->now, true,
                                                  U8(c->scopes), &s->principal, &s->denial);
        if (i < times - 1 && !matches(c, rc)) {
            s->broken = 1;
            fail("attempt %d of %d: got %s", i + 1, times, portcullis_result_name(rc));
            return rc;
        }
    }
    if (c->has_requests) {
        size_t got = http_server_requests(s->server);
        if (got != c->want_requests) {
            s->broken = 1;
            fail("the server received %zu requests, want %zu", got, c->want_requests);
        }
    }
    return rc;
}
