/*
 * The C runner of tests/vectors/jwt.json (ops in tests/vectors/JWT.md): verify (token-level,
 * at the case's time, after the case's revocations), verify_jws, sign and thumbprint. Leaves
 * its outputs (principal, denial, verified JWS, token or thumbprint text) in the run_state that
 * test_vectors.c checks and frees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

void cleanup_jwt(run_state *s) {
    portcullis_jwt_keyset_free(s->jwt_keys);
    portcullis_jwt_verifier_free(s->jwt);
    portcullis_jwt_key_free(s->jwt_key);
    portcullis_verified_jws_free(s->jws);
}

/* One key entry as a key handle (not for a JWKS). */
static portcullis_result make_key(const vjwtkey *k, portcullis_jwt_key **out) {
    switch (k->kind) {
    case JWTK_SECRET:
        return portcullis_jwt_key_from_secret(U8(k->material), U8(k->alg), U8(k->kid), out);
    case JWTK_PEM:
        return portcullis_jwt_key_from_pem(U8(k->material), U8(k->alg), U8(k->kid), out);
    case JWTK_JWK:
        return portcullis_jwt_key_from_jwk(U8(k->material), U8(k->alg), out);
    default:
        return PORTCULLIS_RESULT_INVALID_ARGUMENT;
    }
}

/* Adds one key entry to the set: every key of a JWKS, or a copy of one key. */
static portcullis_result add_key(portcullis_jwt_keyset *set, const vjwtkey *k) {
    if (k->kind == JWTK_JWKS) {
        size_t added = 0;
        return portcullis_jwt_keyset_add_jwks(set, U8(k->material), &added);
    }
    portcullis_jwt_key *key = NULL;
    portcullis_result rc = make_key(k, &key);
    if (rc == PORTCULLIS_OK)
        rc = portcullis_jwt_keyset_insert(set, key);
    portcullis_jwt_key_free(key);
    return rc;
}

static portcullis_result verifier(const vcase *c, run_state *s) {
    portcullis_result rc = portcullis_jwt_keyset_new(&s->jwt_keys);
    for (size_t i = 0; rc == PORTCULLIS_OK && i < c->n_jwt_keys; i++)
        rc = add_key(s->jwt_keys, &c->jwt_keys[i]);
    if (rc == PORTCULLIS_OK)
        rc = portcullis_jwt_verifier_new(s->jwt_keys, U8(c->config_json), &s->jwt);
    return rc;
}

/* Reads a text output into s->out after a size query. */
static portcullis_result sized(run_state *s, portcullis_result first, size_t need,
                               portcullis_result (*again)(const vcase *, run_state *, uint8_t *,
                                                          size_t, size_t *),
                               const vcase *c) {
    if (first != PORTCULLIS_RESULT_BUFFER_TOO_SMALL && !(first == PORTCULLIS_OK && need == 0))
        return first;
    s->out = malloc(need + 1);
    if (s->out == NULL)
        return PORTCULLIS_RESULT_INTERNAL;
    portcullis_result rc = again(c, s, (uint8_t *)s->out, need + 1, &s->out_len);
    if (rc == PORTCULLIS_OK && s->out_len != need)
        rc = PORTCULLIS_RESULT_INTERNAL;
    return rc;
}

static portcullis_result encode(const vcase *c, run_state *s, uint8_t *buf, size_t cap,
                                size_t *len) {
    return portcullis_jwt_encode(U8(c->claims_json), s->jwt_key, U8(c->header_json), buf, cap, len);
}

static portcullis_result thumbprint(const vcase *c, run_state *s, uint8_t *buf, size_t cap,
                                    size_t *len) {
    (void)s;
    return portcullis_jwk_thumbprint(U8(c->jwk_json), buf, cap, len);
}

portcullis_result run_jwt(const vcase *c, run_state *s) {
    portcullis_result rc;
    size_t need = 0;
    if (is(c->op, "verify")) {
        rc = verifier(c, s);
        for (size_t i = 0; rc == PORTCULLIS_OK && i < c->n_revoked; i++)
            rc = portcullis_jwt_verifier_revoke(s->jwt, U8(c->revoked[i]), c->now + 86400, c->now);
        if (rc == PORTCULLIS_OK)
            rc = portcullis_jwt_verifier_verify_token(s->jwt, U8(c->token), c->now, true,
                                                      U8(c->scopes), &s->principal, &s->denial);
        return rc;
    }
    if (is(c->op, "verify_jws")) {
        rc = verifier(c, s);
        if (rc == PORTCULLIS_OK)
            rc = portcullis_jwt_verifier_verify_jws(s->jwt, U8(c->token), &s->jws);
        return rc;
    }
    if (is(c->op, "sign")) {
        if (c->jwt_key.kind == JWTK_JWKS)
            return PORTCULLIS_RESULT_INVALID_ARGUMENT;
        rc = make_key(&c->jwt_key, &s->jwt_key);
        if (rc != PORTCULLIS_OK)
            return rc;
        rc = encode(c, s, NULL, 0, &need);
        return sized(s, rc, need, encode, c);
    }
    if (is(c->op, "thumbprint")) {
        rc = thumbprint(c, s, NULL, 0, &need);
        return sized(s, rc, need, thumbprint, c);
    }
    fprintf(stderr, "unknown jwt op %.*s\n", (int)c->op.len, c->op.ptr);
    exit(2);
}

static char jbuf[65536];

/* One buffer-convention output of the verified JWS against `want`. */
static int jws_field(portcullis_result (*fn)(const portcullis_verified_jws *, uint8_t *, size_t,
                                             size_t *),
                     const portcullis_verified_jws *jws, vbytes want, const char *label) {
    size_t n = 0;
    portcullis_result rc = fn(jws, (uint8_t *)jbuf, sizeof jbuf, &n);
    if (rc != PORTCULLIS_OK)
        return fail("%s: accessor failed with %s", label, portcullis_result_name(rc));
    if (!same(jbuf, n, want))
        return fail("%s: got '%.*s' (%zu bytes), want '%.*s'", label, (int)n, jbuf, n,
                    (int)want.len, want.ptr ? want.ptr : "");
    return 1;
}

int check_jwt_outputs(const vcase *c, const run_state *s) {
    if (c->has_alg || c->has_kid || c->has_payload) {
        if (s->jws == NULL)
            return fail("no verified JWS");
        if (c->has_alg && !jws_field(portcullis_verified_jws_alg, s->jws, c->want_alg, "alg"))
            return 0;
        /* a null kid reads as length 0 */
        if (c->has_kid && !jws_field(portcullis_verified_jws_kid, s->jws, c->want_kid, "kid"))
            return 0;
        if (c->has_payload &&
            !jws_field(portcullis_verified_jws_payload, s->jws, c->want_payload, "payload"))
            return 0;
    }
    const struct {
        int has;
        vbytes want;
        const char *label;
    } outputs[] = {
        {c->has_token, c->want_token, "token"},
        {c->has_thumbprint, c->want_thumbprint, "thumbprint"},
    };
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        if (outputs[i].has && !same(s->out, s->out_len, outputs[i].want))
            return fail("%s: got '%.*s', want '%.*s'", outputs[i].label, (int)s->out_len,
                        s->out ? s->out : "", (int)outputs[i].want.len, outputs[i].want.ptr);
    }
    return 1;
}
