/*
 * Runs every case of tests/vectors/apikey.json and basic.json through the C API.
 * The table comes from tests/c/gen_vectors.py (build/c/vectors_table.h).
 * Prints one FAIL line per failing case and `vectors: N passed, M failed`.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portcullis.h"

typedef struct {
    const char *ptr;
    size_t len;
} vbytes;

typedef struct {
    vbytes name;
    vbytes value;
} vheader;

typedef struct {
    vbytes id, kind, op;
    int64_t now;
    vbytes pepper;
    int has_config;
    vbytes config_json, config_env;
    int has_request;
    vbytes method, target;
    const vheader *headers;
    size_t n_headers;
    vbytes scopes;
    const vbytes *records;
    size_t n_records;
    int has_record;
    vbytes record, key, header;
    /* expectations */
    int expect_ok;
    vbytes error;
    int has_challenge;
    vbytes challenge;
    int has_subject, subject_null;
    vbytes want_subject;
    int has_method, method_null;
    vbytes want_method;
    int has_credential_id, credential_id_null;
    vbytes want_credential_id;
    int has_environment, environment_null;
    vbytes want_environment;
    int has_digest, digest_null;
    vbytes want_digest;
    int has_user_id, user_id_null;
    vbytes want_user_id;
    int has_password, password_null;
    vbytes want_password;
    int has_scopes;
    vbytes want_scopes;
    int has_claims;
    vbytes want_claims;
    int has_expires_at, expires_at_null;
    int64_t want_expires_at;
    int has_users;
    size_t want_users;
} vcase;

#include "vectors_table.h"

#define U8(v) ((const uint8_t *)(v).ptr), ((v).len)

/* Everything one case may allocate; freed after the case whatever happened. */
typedef struct {
    portcullis_apikey_ring *ring;
    portcullis_basic_auth *auth;
    portcullis_request *req;
    portcullis_apikey_record *record;
    portcullis_principal *principal;
    portcullis_denial *denial;
    portcullis_basic_credentials *credentials;
    char digest[256];
    size_t digest_len;
    size_t users;
} run_state;

static void cleanup(run_state *s) {
    portcullis_apikey_ring_free(s->ring);
    portcullis_basic_auth_free(s->auth);
    portcullis_request_free(s->req);
    portcullis_apikey_record_free(s->record);
    portcullis_principal_free(s->principal);
    portcullis_denial_free(s->denial);
    portcullis_basic_credentials_free(s->credentials);
}

static char why[1024];

static int fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return 0;
}

static int same(const char *got, size_t got_len, vbytes want) {
    return got_len == want.len && (want.len == 0 || memcmp(got, want.ptr, want.len) == 0);
}

static int is(vbytes v, const char *text) {
    return v.len == strlen(text) && memcmp(v.ptr, text, v.len) == 0;
}

static portcullis_result build_request(const vcase *c, run_state *s) {
    portcullis_result rc = portcullis_request_new(U8(c->method), U8(c->target), &s->req);
    for (size_t i = 0; rc == PORTCULLIS_OK && i < c->n_headers; i++)
        rc = portcullis_request_add_header(s->req, U8(c->headers[i].name),
                                           U8(c->headers[i].value));
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_set_now(s->req, c->now);
    return rc;
}

static portcullis_result run_apikey(const vcase *c, run_state *s) {
    portcullis_result rc = portcullis_apikey_ring_new(U8(c->pepper), U8(c->config_json), &s->ring);
    if (rc != PORTCULLIS_OK)
        return rc;
    if (is(c->op, "check_format"))
        return portcullis_apikey_ring_check_format(s->ring, U8(c->key));
    rc = build_request(c, s);
    if (rc != PORTCULLIS_OK)
        return rc;
    if (is(c->op, "lookup_digest"))
        return portcullis_apikey_ring_lookup_digest(s->ring, s->req, (uint8_t *)s->digest,
                                                    sizeof s->digest, &s->digest_len, &s->denial);
    if (is(c->op, "verify")) {
        for (size_t i = 0; i < c->n_records; i++) {
            portcullis_apikey_record *r = NULL;
            rc = portcullis_apikey_record_from_json(U8(c->records[i]), &r);
            if (rc == PORTCULLIS_OK)
                rc = portcullis_apikey_ring_insert(s->ring, r);
            portcullis_apikey_record_free(r);
            if (rc != PORTCULLIS_OK)
                return rc;
        }
        return portcullis_apikey_ring_verify(s->ring, s->req, U8(c->scopes), &s->principal,
                                             &s->denial);
    }
    if (is(c->op, "verify_record")) {
        rc = portcullis_apikey_record_from_json(U8(c->record), &s->record);
        if (rc != PORTCULLIS_OK)
            return rc;
        return portcullis_apikey_ring_verify_record(s->ring, s->req, s->record, U8(c->scopes),
                                                    &s->principal, &s->denial);
    }
    fprintf(stderr, "unknown apikey op %.*s\n", (int)c->op.len, c->op.ptr);
    exit(2);
}

static portcullis_result run_basic(const vcase *c, run_state *s) {
    if (is(c->op, "parse"))
        return portcullis_basic_parse(U8(c->header), &s->credentials);
    portcullis_result rc = portcullis_basic_auth_new(U8(c->config_json), &s->auth);
    if (rc != PORTCULLIS_OK)
        return rc;
    if (is(c->op, "load")) {
        s->users = portcullis_basic_auth_len(s->auth);
        return PORTCULLIS_OK;
    }
    if (is(c->op, "verify")) {
        rc = build_request(c, s);
        if (rc != PORTCULLIS_OK)
            return rc;
        return portcullis_basic_auth_verify(s->auth, s->req, &s->principal, &s->denial);
    }
    fprintf(stderr, "unknown basic op %.*s\n", (int)c->op.len, c->op.ptr);
    exit(2);
}

static char tbuf[65536];

/* Compares one text output of a handle; `fn` is any buffer-convention accessor. */
#define CHECK_TEXT(fn, handle, want, label)                                                   \
    do {                                                                                      \
        size_t n_ = 0;                                                                        \
        portcullis_result r_ = fn(handle, (uint8_t *)tbuf, sizeof tbuf, &n_);                 \
        if (r_ != PORTCULLIS_OK)                                                              \
            return fail("%s: accessor failed with %s", label, portcullis_result_name(r_));    \
        if (!same(tbuf, n_, want))                                                            \
            return fail("%s: got '%.*s', want '%.*s'", label, (int)n_, tbuf, (int)(want).len, \
                        (want).ptr);                                                          \
    } while (0)

static int check_principal(const vcase *c, const portcullis_principal *p) {
    if (p == NULL)
        return fail("no principal");
    if (c->has_subject)
        CHECK_TEXT(portcullis_principal_subject, p, c->want_subject, "subject");
    if (c->has_method)
        CHECK_TEXT(portcullis_principal_method_name, p, c->want_method, "method");
    if (c->has_credential_id) /* null and "" both read as length 0 */
        CHECK_TEXT(portcullis_principal_credential_id, p, c->want_credential_id,
                   "credential_id");
    if (c->has_scopes)
        CHECK_TEXT(portcullis_principal_scopes, p, c->want_scopes, "scopes");
    if (c->has_claims)
        CHECK_TEXT(portcullis_principal_claims_json, p, c->want_claims, "claims");
    if (c->has_expires_at) {
        int64_t at = 0;
        bool has = false;
        portcullis_result rc = portcullis_principal_expires_at(p, &at, &has);
        if (rc != PORTCULLIS_OK)
            return fail("expires_at: %s", portcullis_result_name(rc));
        if (has == (bool)c->expires_at_null || (has && at != c->want_expires_at))
            return fail("expires_at: got %s%" PRId64, has ? "" : "none ", at);
    }
    return 1;
}

static int check_ok(const vcase *c, run_state *s) {
    if (is(c->op, "verify") || is(c->op, "verify_record")) {
        if (!check_principal(c, s->principal))
            return 0;
    }
    if (c->has_digest && !same(s->digest, s->digest_len, c->want_digest))
        return fail("digest: got '%.*s'", (int)s->digest_len, s->digest);
    if (c->has_environment) {
        /* check_format passes only when the key's environment is the ring's, so the key's
           environment is the configured one: the C API has no other way to report it. */
        int env_ok = c->environment_null
                         ? c->config_env.ptr == NULL
                         : c->config_env.ptr != NULL &&
                               same(c->config_env.ptr, c->config_env.len, c->want_environment);
        if (!env_ok)
            return fail("environment: the ring accepts '%.*s'", (int)c->config_env.len,
                        c->config_env.ptr ? c->config_env.ptr : "(none)");
    }
    if (c->has_user_id)
        CHECK_TEXT(portcullis_basic_credentials_user_id, s->credentials, c->want_user_id,
                   "user_id");
    if (c->has_password)
        CHECK_TEXT(portcullis_basic_credentials_password, s->credentials, c->want_password,
                   "password");
    if (c->has_users && s->users != c->want_users)
        return fail("users: got %zu, want %zu", s->users, c->want_users);
    return 1;
}

static int run_case(const vcase *c) {
    run_state s;
    memset(&s, 0, sizeof s);
    portcullis_result rc = is(c->kind, "apikey") ? run_apikey(c, &s) : run_basic(c, &s);
    int passed;
    if (c->expect_ok) {
        passed = rc == PORTCULLIS_OK ? check_ok(c, &s)
                                     : fail("want ok, got %s", portcullis_result_name(rc));
    } else if (rc == PORTCULLIS_OK) {
        passed = fail("want %.*s, got ok", (int)c->error.len, c->error.ptr);
    } else if (!is(c->error, portcullis_result_name(rc))) {
        passed = fail("want %.*s, got %s", (int)c->error.len, c->error.ptr,
                      portcullis_result_name(rc));
    } else if (c->has_challenge) {
        passed = 1;
        if (s.denial == NULL)
            passed = fail("want challenge, got no denial");
        else {
            size_t n = 0;
            portcullis_result r = portcullis_denial_challenge(s.denial, (uint8_t *)tbuf,
                                                              sizeof tbuf, &n);
            if (r != PORTCULLIS_OK || !same(tbuf, n, c->challenge))
                passed = fail("challenge: got '%.*s', want '%.*s'", (int)n, tbuf,
                              (int)c->challenge.len, c->challenge.ptr);
        }
    } else {
        passed = 1;
    }
    if (passed && s.denial != NULL && portcullis_denial_code(s.denial) != rc)
        passed = fail("denial code %u differs from result %u", portcullis_denial_code(s.denial),
                      rc);
    cleanup(&s);
    return passed;
}

int main(void) {
    /* Line-buffered: a sanitizer report ends the process without flushing stdio. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    int passed = 0, failed = 0;
    for (size_t i = 0; i < VECTOR_CASE_COUNT; i++) {
        const vcase *c = &VECTOR_CASES[i];
        if (run_case(c)) {
            passed++;
        } else {
            failed++;
            printf("FAIL %.*s/%.*s: %s\n", (int)c->kind.len, c->kind.ptr, (int)c->id.len,
                   c->id.ptr, why);
        }
    }
    printf("vectors: %d passed, %d failed\n", passed, failed);
    return failed == 0 && passed == VECTOR_CASE_COUNT ? 0 : 1;
}
