/*
 * The C runner of tests/vectors/dpop.json (format in tests/vectors/DPOP.md): one
 * portcullis_dpop_verifier per case, built from the case's DpopConfig JSON, and every step run
 * on it in order: verify, verify_request, nonce, algs, thumbprint (portcullis_jwk_thumbprint),
 * load. Every field of an `ok` is compared; an error must be the exact code, with a denial of
 * the same code. A mismatch is reported through fail() and s->broken (the case's result is
 * PORTCULLIS_OK whatever the steps gave).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vectors.h"

static char dbuf[4096];

/* Reads a text accessor of a proof into dbuf; a failure or a mismatch returns 0 (fail()). */
static int check_text(portcullis_result (*fn)(const portcullis_dpop_proof *, uint8_t *, size_t,
                                              size_t *),
                      const portcullis_dpop_proof *p, vbytes want, const char *label, size_t i) {
    size_t n = 0;
    portcullis_result r = fn(p, (uint8_t *)dbuf, sizeof dbuf, &n);
    if (r != PORTCULLIS_OK)
        return fail("step %zu: %s: %s", i, label, portcullis_result_name(r));
    if (!same(dbuf, n, want))
        return fail("step %zu: %s: got '%.*s', want '%.*s'", i, label, (int)n, dbuf,
                    (int)want.len, want.ptr);
    return 1;
}

static int check_proof(const vdpop_step *st, const portcullis_dpop_proof *p, size_t i) {
    if (!check_text(portcullis_dpop_proof_thumbprint, p, st->want_thumbprint, "thumbprint", i) ||
        !check_text(portcullis_dpop_proof_jti, p, st->want_jti, "jti", i) ||
        !check_text(portcullis_dpop_proof_algorithm, p, st->want_algorithm, "algorithm", i))
        return 0;
    if (portcullis_dpop_proof_iat(p) != st->want_iat)
        return fail("step %zu: iat: got %" PRId64 ", want %" PRId64, i,
                    portcullis_dpop_proof_iat(p), st->want_iat);
    if (portcullis_dpop_proof_has_nonce(p) != (st->has_nonce != 0))
        return fail("step %zu: has_nonce: got %d", i, (int)portcullis_dpop_proof_has_nonce(p));
    if (st->has_nonce &&
        !check_text(portcullis_dpop_proof_nonce, p, st->want_nonce, "nonce", i))
        return 0;
    return 1;
}

/* A text output of the verifier (nonce, algs) compared with `want` (has 0: length 0). */
static int check_out(portcullis_result r, size_t n, int has, vbytes want, const char *label,
                     size_t i) {
    if (r != PORTCULLIS_OK)
        return fail("step %zu: %s: %s", i, label, portcullis_result_name(r));
    if (has ? !same(dbuf, n, want) : n != 0)
        return fail("step %zu: %s: got '%.*s'", i, label, (int)n, dbuf);
    return 1;
}

/* Runs step `i`; returns 1 when it gave what it must. */
static int run_step(const vdpop_step *st, portcullis_dpop_verifier *v, size_t i) {
    portcullis_dpop_proof *proof = NULL;
    portcullis_denial *denial = NULL;
    portcullis_result rc;
    size_t n = 0;
    if (is(st->op, "load")) {
        rc = PORTCULLIS_OK;
    } else if (is(st->op, "verify")) {
        rc = portcullis_dpop_verifier_verify(v, U8(st->proof), U8(st->method), U8(st->uri),
                                             U8(st->access_token), st->now, &proof, &denial);
    } else if (is(st->op, "verify_request")) {
        portcullis_request *req = NULL;
        rc = build_request(&st->request, st->now, &req);
        if (rc == PORTCULLIS_OK)
            rc = portcullis_dpop_verifier_verify_request(v, req, U8(st->access_token),
                                                         U8(st->origin), &proof, &denial);
        portcullis_request_free(req);
    } else if (is(st->op, "nonce")) {
        rc = portcullis_dpop_verifier_nonce(v, st->now, (uint8_t *)dbuf, sizeof dbuf, &n);
        return st->expect_ok ? check_out(rc, n, st->has_nonce, st->want_nonce, "nonce", i)
                             : fail("step %zu: nonce cannot fail", i);
    } else if (is(st->op, "algs")) {
        rc = portcullis_dpop_verifier_algorithms_param(v, (uint8_t *)dbuf, sizeof dbuf, &n);
        return st->expect_ok ? check_out(rc, n, 1, st->want_algs, "algs", i)
                             : fail("step %zu: algs cannot fail", i);
    } else if (is(st->op, "thumbprint")) {
        rc = portcullis_jwk_thumbprint(U8(st->jwk), (uint8_t *)dbuf, sizeof dbuf, &n);
        if (st->expect_ok)
            return check_out(rc, n, 1, st->want_thumbprint, "thumbprint", i);
    } else {
        return fail("step %zu: unknown op %.*s", i, (int)st->op.len, st->op.ptr);
    }
    int ok;
    if (st->expect_ok) {
        ok = rc == PORTCULLIS_OK
                 ? (proof == NULL || check_proof(st, proof, i))
                 : fail("step %zu: want ok, got %s", i, portcullis_result_name(rc));
        if (ok && denial != NULL)
            ok = fail("step %zu: a denial on success", i);
    } else if (rc == PORTCULLIS_OK) {
        ok = fail("step %zu: want %.*s, got ok", i, (int)st->error.len, st->error.ptr);
    } else if (!is(st->error, portcullis_result_name(rc))) {
        ok = fail("step %zu: want %.*s, got %s", i, (int)st->error.len, st->error.ptr,
                  portcullis_result_name(rc));
    } else if (proof != NULL) {
        ok = fail("step %zu: a proof written on failure", i);
    } else if ((is(st->op, "verify") || is(st->op, "verify_request")) &&
               (denial == NULL || portcullis_denial_code(denial) != rc)) {
        ok = fail("step %zu: no denial of the same code", i);
    } else {
        ok = 1;
    }
    portcullis_dpop_proof_free(proof);
    portcullis_denial_free(denial);
    return ok;
}

portcullis_result run_dpop(const vcase *c, run_state *s) {
    const vdpop *d = c->dpop;
    portcullis_dpop_verifier *v = NULL;
    portcullis_result rc = portcullis_dpop_verifier_new(U8(d->config), &v);
    if (rc != PORTCULLIS_OK) {
        /* A configuration that does not build: the case is one load step expecting it. */
        const vdpop_step *st = &d->steps[0];
        if (d->n_steps != 1 || !is(st->op, "load") || st->expect_ok ||
            !is(st->error, portcullis_result_name(rc))) {
            s->broken = 1;
            fail("the config fails to build: %s", portcullis_result_name(rc));
        }
        return PORTCULLIS_OK;
    }
    for (size_t i = 0; i < d->n_steps; i++) {
        if (!run_step(&d->steps[i], v, i)) {
            s->broken = 1;
            break;
        }
    }
    portcullis_dpop_verifier_free(v);
    return PORTCULLIS_OK;
}
