/*
 * Runs every case of tests/vectors/{apikey,basic,webhook,hmac,httpsig,jwt,jwks,gate,dpop}.json and
 * tests/vectors/mtls/mtls.json through the C API. The table comes from tests/c/gen_vectors.py
 * (build/c/vectors_table.h); webhooks, PCS1 and RFC 9421 run in vectors_sig.c, JWT in
 * vectors_jwt.c, mTLS in vectors_mtls.c, remote JWKS in vectors_jwks.c, the gate in
 * vectors_gate.c, DPoP proofs in vectors_dpop.c; every webhook verify case with a body also runs
 * through verify_payload.
 * Prints one FAIL line per failing case, one `vectors <file>: N passed, M failed` line per
 * file and `vectors: N passed, M failed` last.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portcullis.h"

#include "vectors.h"
#include "vectors_table.h"

static void cleanup(run_state *s) {
    portcullis_apikey_ring_free(s->ring);
    portcullis_basic_auth_free(s->auth);
    portcullis_request_free(s->req);
    portcullis_request_free(s->related);
    portcullis_response_free(s->resp);
    portcullis_apikey_record_free(s->record);
    portcullis_principal_free(s->principal);
    portcullis_denial_free(s->denial);
    portcullis_basic_credentials_free(s->credentials);
    portcullis_headers_free(s->headers);
    cleanup_sig(s);
    cleanup_jwt(s);
    cleanup_mtls(s);
    cleanup_jwks(s);
    free(s->out);
}

void drop_outcome(run_state *s) {
    portcullis_principal_free(s->principal);
    portcullis_denial_free(s->denial);
    s->principal = NULL;
    s->denial = NULL;
}

static char why[1024];

int fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return 0;
}

int same(const char *got, size_t got_len, vbytes want) {
    return got_len == want.len && (want.len == 0 || memcmp(got, want.ptr, want.len) == 0);
}

int is(vbytes v, const char *text) {
    return v.len == strlen(text) && memcmp(v.ptr, text, v.len) == 0;
}

portcullis_result build_request(const vmsg *m, int64_t now, portcullis_request **out) {
    portcullis_result rc = portcullis_request_new(U8(m->method), U8(m->target), out);
    for (size_t i = 0; rc == PORTCULLIS_OK && i < m->n_headers; i++)
        rc = portcullis_request_add_header(*out, U8(m->headers[i].name), U8(m->headers[i].value));
    if (rc == PORTCULLIS_OK && m->has_body)
        rc = portcullis_request_set_body(*out, U8(m->body));
    if (rc == PORTCULLIS_OK && m->has_scheme)
        rc = portcullis_request_set_scheme(*out, U8(m->scheme));
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_set_now(*out, m->has_now ? m->now : now);
    return rc;
}

portcullis_result build_response(const vmsg *m, int64_t now, portcullis_response **out) {
    if (m->status > UINT16_MAX)
        return PORTCULLIS_RESULT_INVALID_ARGUMENT;
    portcullis_result rc = portcullis_response_new((uint16_t)m->status, out);
    for (size_t i = 0; rc == PORTCULLIS_OK && i < m->n_headers; i++)
        rc = portcullis_response_add_header(*out, U8(m->headers[i].name), U8(m->headers[i].value));
    if (rc == PORTCULLIS_OK && m->has_body)
        rc = portcullis_response_set_body(*out, U8(m->body));
    if (rc == PORTCULLIS_OK)
        rc = portcullis_response_set_now(*out, now);
    return rc;
}

static portcullis_result run_apikey(const vcase *c, run_state *s) {
    portcullis_result rc = portcullis_apikey_ring_new(U8(c->pepper), U8(c->config_json), &s->ring);
    if (rc != PORTCULLIS_OK)
        return rc;
    if (is(c->op, "check_format"))
        return portcullis_apikey_ring_check_format(s->ring, U8(c->key));
    rc = build_request(&c->request, c->now, &s->req);
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
        rc = build_request(&c->request, c->now, &s->req);
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

static char nbuf[4096];

/* Finds `name` in a signer's header list; its value goes to tbuf. 1 found, 0 absent, -1 error. */
static int find_header(const portcullis_headers *h, const char *name, size_t *len) {
    size_t n = portcullis_headers_len(h);
    for (size_t i = 0; i < n; i++) {
        size_t name_len = 0;
        if (portcullis_headers_name(h, i, (uint8_t *)nbuf, sizeof nbuf, &name_len) != PORTCULLIS_OK)
            return -1;
        if (name_len == strlen(name) && memcmp(nbuf, name, name_len) == 0)
            return portcullis_headers_value(h, i, (uint8_t *)tbuf, sizeof tbuf, len) == PORTCULLIS_OK
                       ? 1
                       : -1;
    }
    return 0;
}

/* One named header of a signer's output: absent when the vector says null. */
static int check_header(const portcullis_headers *h, const char *name, int want_none, vbytes want) {
    size_t len = 0;
    int found = find_header(h, name, &len);
    if (found < 0)
        return fail("%s: header accessor failed", name);
    if (want_none)
        return found ? fail("%s: want none, got '%.*s'", name, (int)len, tbuf) : 1;
    if (!found)
        return fail("%s: absent from the signer's headers", name);
    if (!same(tbuf, len, want))
        return fail("%s: got '%.*s', want '%.*s'", name, (int)len, tbuf, (int)want.len, want.ptr);
    return 1;
}

/* The whole header list, in order. */
static int check_header_list(const vcase *c, const portcullis_headers *h) {
    size_t n = portcullis_headers_len(h);
    if (n != c->n_want_headers)
        return fail("headers: got %zu, want %zu", n, c->n_want_headers);
    for (size_t i = 0; i < n; i++) {
        size_t name_len = 0, len = 0;
        if (portcullis_headers_name(h, i, (uint8_t *)nbuf, sizeof nbuf, &name_len) != PORTCULLIS_OK ||
            portcullis_headers_value(h, i, (uint8_t *)tbuf, sizeof tbuf, &len) != PORTCULLIS_OK)
            return fail("headers: accessor failed at %zu", i);
        if (!same(nbuf, name_len, c->want_headers[i].name) ||
            !same(tbuf, len, c->want_headers[i].value))
            return fail("headers[%zu]: got %.*s: %.*s, want %.*s: %.*s", i, (int)name_len, nbuf,
                        (int)len, tbuf, (int)c->want_headers[i].name.len,
                        c->want_headers[i].name.ptr, (int)c->want_headers[i].value.len,
                        c->want_headers[i].value.ptr);
    }
    return 1;
}

/* Outputs of the webhook, PCS1 and RFC 9421 ops. */
static int check_sig_outputs(const vcase *c, const run_state *s) {
    if (c->has_headers && !check_header_list(c, s->headers))
        return 0;
    if (c->has_authorization) {
        if (!check_header(s->headers, "Authorization", c->authorization_null, c->want_authorization))
            return 0;
        size_t want = 1 + (c->has_content_digest && !c->content_digest_null);
        if (portcullis_headers_len(s->headers) != want)
            return fail("sign: %zu headers, want %zu", portcullis_headers_len(s->headers), want);
    }
    if (c->has_content_digest &&
        !check_header(s->headers, "Content-Digest", c->content_digest_null, c->want_content_digest))
        return 0;
    if (c->has_signature_input &&
        !check_header(s->headers, "Signature-Input", c->signature_input_null, c->want_signature_input))
        return 0;
    if (c->has_signature &&
        !check_header(s->headers, "Signature", c->signature_null, c->want_signature))
        return 0;
    if (c->has_signature_input && c->has_signature && portcullis_headers_len(s->headers) != 2)
        return fail("sign: %zu headers, want 2", portcullis_headers_len(s->headers));
    const struct {
        int has;
        vbytes want;
        const char *label;
    } outputs[] = {
        {c->has_mac, c->want_mac, "mac"},
        {c->has_value, c->want_value, "value"},
        {c->has_algorithm, c->want_algorithm, "algorithm"},
        {c->has_canonical, c->want_canonical, "canonical"},
        {c->has_base, c->want_base, "base"},
    };
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        if (outputs[i].has && !same(s->out, s->out_len, outputs[i].want))
            return fail("%s: got '%.*s' (%zu bytes), want '%.*s'", outputs[i].label,
                        (int)s->out_len, s->out ? s->out : "", s->out_len,
                        (int)outputs[i].want.len, outputs[i].want.ptr);
    }
    if (c->has_results) {
        if (s->n_results != c->n_want_results)
            return fail("results: got %zu, want %zu", s->n_results, c->n_want_results);
        for (size_t i = 0; i < s->n_results; i++)
            if (!is(c->want_results[i], s->results[i]))
                return fail("results[%zu]: got %s, want %.*s", i, s->results[i],
                            (int)c->want_results[i].len, c->want_results[i].ptr);
    }
    return 1;
}

static int check_ok(const vcase *c, run_state *s) {
    if (!check_sig_outputs(c, s))
        return 0;
    if ((is(c->kind, "jwt") || is(c->kind, "mtls")) && !check_jwt_outputs(c, s))
        return 0;
    if (is(c->op, "verify") || is(c->op, "verify_record") || is(c->op, "verify_remote")) {
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

static int run_case(const vcase *c, int via_payload) {
    run_state s;
    memset(&s, 0, sizeof s);
    s.via_payload = via_payload;
    portcullis_result rc;
    if (is(c->kind, "apikey"))
        rc = run_apikey(c, &s);
    else if (is(c->kind, "basic"))
        rc = run_basic(c, &s);
    else if (is(c->kind, "webhook"))
        rc = run_webhook(c, &s);
    else if (is(c->kind, "hmac"))
        rc = run_hmac(c, &s);
    else if (is(c->kind, "httpsig"))
        rc = run_httpsig(c, &s);
    else if (is(c->kind, "jwt"))
        rc = run_jwt(c, &s);
    else if (is(c->kind, "mtls"))
        rc = run_mtls(c, &s);
    else if (is(c->kind, "jwks"))
        rc = run_jwks(c, &s);
    else if (is(c->kind, "gate"))
        rc = run_gate(c, &s);
    else if (is(c->kind, "dpop"))
        rc = run_dpop(c, &s);
    else {
        fprintf(stderr, "unknown vector file kind %.*s\n", (int)c->kind.len, c->kind.ptr);
        exit(2);
    }
    int passed;
    if (s.broken) {
        passed = 0; /* the runner already said why */
    } else if (c->expect_ok) {
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
    size_t passed = 0, failed = 0, next = 0, payload_run = 0, payload_skipped = 0;
    for (size_t f = 0; f < VECTOR_FILE_COUNT; f++) {
        size_t file_passed = 0, file_failed = 0;
        for (size_t k = 0; k < VECTOR_FILES[f].cases && next < VECTOR_CASE_COUNT; k++, next++) {
            const vcase *c = &VECTOR_CASES[next];
            int ok = run_case(c, 0);
            const char *via = "";
            /* A webhook verify case with a body runs a second time through verify_payload
               (body and header fields, no request) on a fresh verifier and must decide the
               same; the verify cases without a body have no payload and are skipped for
               verify_payload only. */
            if (is(c->kind, "webhook") && is(c->op, "verify")) {
                if (!webhook_has_payload(c)) {
                    payload_skipped++;
                } else if (ok) {
                    payload_run++;
                    ok = run_case(c, 1);
                    via = " (verify_payload)";
                }
            }
            if (ok) {
                file_passed++;
            } else {
                file_failed++;
                printf("FAIL %.*s/%.*s%s: %s\n", (int)c->kind.len, c->kind.ptr, (int)c->id.len,
                       c->id.ptr, via, why);
            }
        }
        printf("vectors %s: %zu passed, %zu failed\n", VECTOR_FILES[f].name, file_passed,
               file_failed);
        passed += file_passed;
        failed += file_failed;
    }
    printf("vectors webhook.json via verify_payload: %zu run, %zu skipped (no body)\n",
           payload_run, payload_skipped);
    printf("vectors: %zu passed, %zu failed\n", passed, failed);
    return failed == 0 && passed == VECTOR_CASE_COUNT ? 0 : 1;
}
