/*
 * The C runner of tests/vectors/mtls/mtls.json (ops in tests/vectors/README.md): verify (a
 * verifier from the case's MtlsConfig, a request with the case's peer chain, peer address and
 * headers at the case's time), thumbprint and confirm. Leaves its outputs (principal, denial,
 * thumbprint text) in the run_state that test_vectors.c checks and frees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

void cleanup_mtls(run_state *s) {
    portcullis_mtls_verifier_free(s->mtls);
}

/* The thumbprint of the case's certificate into s->out (43 bytes and a NUL). */
static portcullis_result thumbprint(const vcase *c, run_state *s) {
    size_t need = 0;
    portcullis_result rc = portcullis_certificate_thumbprint(U8(c->cert), NULL, 0, &need);
    if (rc != PORTCULLIS_RESULT_BUFFER_TOO_SMALL)
        return rc == PORTCULLIS_OK ? PORTCULLIS_RESULT_INTERNAL : rc;
    s->out = malloc(need + 1);
    if (s->out == NULL)
        return PORTCULLIS_RESULT_INTERNAL;
    rc = portcullis_certificate_thumbprint(U8(c->cert), (uint8_t *)s->out, need + 1, &s->out_len);
    if (rc == PORTCULLIS_OK && s->out_len != need)
        rc = PORTCULLIS_RESULT_INTERNAL;
    return rc;
}

portcullis_result run_mtls(const vcase *c, run_state *s) {
    portcullis_result rc;
    if (is(c->op, "verify")) {
        rc = portcullis_mtls_verifier_new(U8(c->config_json), &s->mtls);
        if (rc != PORTCULLIS_OK)
            return rc;
        if (c->request.present) {
            rc = build_request(&c->request, c->now, &s->req);
        } else {
            rc = portcullis_request_new((const uint8_t *)"GET", 3, (const uint8_t *)"/", 1, &s->req);
            if (rc == PORTCULLIS_OK)
                rc = portcullis_request_set_now(s->req, c->now);
        }
        if (rc == PORTCULLIS_OK && c->peer_address.ptr != NULL)
            rc = portcullis_request_set_peer_address(s->req, U8(c->peer_address));
        for (size_t i = 0; rc == PORTCULLIS_OK && i < c->n_chain; i++)
            rc = portcullis_request_add_peer_certificate(s->req, U8(c->chain[i]));
        if (rc != PORTCULLIS_OK)
            return rc;
        return portcullis_mtls_verifier_verify(s->mtls, s->req, &s->principal, &s->denial);
    }
    if (is(c->op, "thumbprint"))
        return thumbprint(c, s);
    if (is(c->op, "confirm")) {
        rc = thumbprint(c, s);
        if (rc != PORTCULLIS_OK)
            return rc;
        return portcullis_check_confirmation(U8(c->claims_json), (const uint8_t *)s->out,
                                             s->out_len);
    }
    fprintf(stderr, "unknown mtls op %.*s\n", (int)c->op.len, c->op.ptr);
    exit(2);
}
