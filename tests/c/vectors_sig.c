/*
 * The C runners of tests/vectors/webhook.json, hmac.json and httpsig.json (ops in
 * tests/vectors/README.md, HMAC.md, HTTPSIG.md). Each returns the call's result and leaves its
 * outputs (principal, denial, header list, text output, step results) in the run_state that
 * test_vectors.c checks and frees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

/* Calls `fn(args..., buf, cap, &len)` twice, a size query then the real call, into s->out. */
#define CALL_SIZED(rc, s, fn, ...)                                                            \
    do {                                                                                      \
        size_t need_ = 0;                                                                     \
        (rc) = fn(__VA_ARGS__, NULL, 0, &need_);                                              \
        if ((rc) == PORTCULLIS_RESULT_BUFFER_TOO_SMALL || ((rc) == PORTCULLIS_OK && need_ == 0)) { \
            (s)->out = malloc(need_ + 1);                                                     \
            if ((s)->out == NULL) {                                                           \
                (rc) = PORTCULLIS_RESULT_INTERNAL;                                            \
                break;                                                                        \
            }                                                                                 \
            (rc) = fn(__VA_ARGS__, (uint8_t *)(s)->out, need_ + 1, &(s)->out_len);            \
            if ((rc) == PORTCULLIS_OK && (s)->out_len != need_)                               \
                (rc) = PORTCULLIS_RESULT_INTERNAL;                                            \
        }                                                                                     \
    } while (0)

static void unknown_op(const vcase *c) {
    fprintf(stderr, "unknown %.*s op %.*s\n", (int)c->kind.len, c->kind.ptr, (int)c->op.len,
            c->op.ptr);
    exit(2);
}

void cleanup_sig(run_state *s) {
    portcullis_webhook_verifier_free(s->webhook);
    portcullis_webhook_signer_free(s->webhook_signer);
    portcullis_hmac_verifier_free(s->hmac);
    portcullis_hmac_signing_key_free(s->hmac_key);
    portcullis_httpsig_keyring_free(s->keyring);
    portcullis_httpsig_verifier_free(s->httpsig);
    portcullis_httpsig_signer_free(s->httpsig_signer);
}

int webhook_has_payload(const vcase *c) {
    return is(c->op, "verify") && c->request.has_body;
}

/* The case through verify_payload on its own (fresh) verifier: the request's body and header
   fields as they are, at the request's time; `times` as for verify. */
static portcullis_result webhook_payload(const vcase *c, run_state *s) {
    const vmsg *m = &c->request;
    portcullis_header_field *fields = NULL;
    if (m->n_headers > 0 && (fields = calloc(m->n_headers, sizeof *fields)) == NULL)
        return PORTCULLIS_RESULT_INTERNAL;
    for (size_t i = 0; i < m->n_headers; i++)
        fields[i] = (portcullis_header_field){(const uint8_t *)m->headers[i].name.ptr,
                                              m->headers[i].name.len,
                                              (const uint8_t *)m->headers[i].value.ptr,
                                              m->headers[i].value.len};
    portcullis_result rc = portcullis_webhook_verifier_new(U8(c->config_json), &s->webhook);
    int times = c->times > 0 ? c->times : 1;
    for (int i = 0; rc == PORTCULLIS_OK && i < times; i++) {
        drop_outcome(s);
        rc = portcullis_webhook_verifier_verify_payload(s->webhook, U8(m->body), fields,
                                                        m->n_headers, m->has_now ? m->now : c->now,
                                                        true, &s->principal, &s->denial);
    }
    free(fields);
    return rc;
}

portcullis_result run_webhook(const vcase *c, run_state *s) {
    portcullis_result rc;
    if (s->via_payload)
        return webhook_payload(c, s);
    if (is(c->op, "verify")) {
        rc = portcullis_webhook_verifier_new(U8(c->config_json), &s->webhook);
        if (rc == PORTCULLIS_OK)
            rc = build_request(&c->request, c->now, &s->req);
        /* `times`: every attempt but the last must pass; the last one is the outcome. */
        int times = c->times > 0 ? c->times : 1;
        for (int i = 0; rc == PORTCULLIS_OK && i < times; i++) {
            drop_outcome(s);
            rc = portcullis_webhook_verifier_verify(s->webhook, s->req, &s->principal, &s->denial);
        }
        return rc;
    }
    if (is(c->op, "sign")) {
        rc = portcullis_webhook_signer_new(U8(c->scheme), U8(c->secret), &s->webhook_signer);
        if (rc == PORTCULLIS_OK)
            rc = portcullis_webhook_signer_sign(s->webhook_signer, U8(c->message_id), c->timestamp,
                                                U8(c->body), &s->headers);
        return rc;
    }
    unknown_op(c);
    return PORTCULLIS_RESULT_INTERNAL;
}

static portcullis_result hmac_sequence(const vcase *c, run_state *s) {
    if (c->n_steps > sizeof s->results / sizeof s->results[0])
        return PORTCULLIS_RESULT_INPUT_TOO_LARGE;
    for (size_t i = 0; i < c->n_steps; i++) {
        portcullis_request *req = NULL;
        portcullis_result rc = build_request(&c->steps[i], c->now, &req);
        if (rc == PORTCULLIS_OK)
            rc = portcullis_hmac_verifier_verify(s->hmac, req, &s->principal, &s->denial);
        s->results[s->n_results++] = portcullis_result_name(rc);
        drop_outcome(s);
        portcullis_request_free(req);
    }
    return PORTCULLIS_OK;
}

portcullis_result run_hmac(const vcase *c, run_state *s) {
    portcullis_result rc;
    if (is(c->op, "hmac")) {
        CALL_SIZED(rc, s, portcullis_mac, U8(c->algorithm), U8(c->key_bytes), U8(c->data));
        if (rc == PORTCULLIS_OK && c->has_tag)
            rc = portcullis_mac_verify(U8(c->algorithm), U8(c->key_bytes), U8(c->data), U8(c->tag));
        return rc;
    }
    if (is(c->op, "content_digest")) {
        CALL_SIZED(rc, s, portcullis_content_digest, U8(c->body), U8(c->algorithm));
        return rc;
    }
    if (is(c->op, "content_digest_verify")) {
        CALL_SIZED(rc, s, portcullis_content_digest_verify, U8(c->header), U8(c->body),
                   c->has_body);
        return rc;
    }
    if (is(c->op, "canonical_request")) {
        rc = build_request(&c->request, c->now, &s->req);
        if (rc == PORTCULLIS_OK)
            CALL_SIZED(rc, s, portcullis_hmac_canonical_request, s->req, U8(c->params_json));
        return rc;
    }
    if (is(c->op, "sign")) {
        rc = portcullis_hmac_signing_key_new(U8(c->signing_key.keyid), U8(c->signing_key.alg),
                                             U8(c->signing_key.material), &s->hmac_key);
        if (rc == PORTCULLIS_OK)
            rc = build_request(&c->request, c->now, &s->req);
        if (rc == PORTCULLIS_OK)
            rc = portcullis_hmac_sign_request(s->hmac_key, s->req, U8(c->options_json), &s->headers);
        return rc;
    }
    if (is(c->op, "verify") || is(c->op, "verify_sequence")) {
        rc = portcullis_hmac_verifier_new(U8(c->config_json), &s->hmac);
        if (rc != PORTCULLIS_OK)
            return rc;
        if (is(c->op, "verify_sequence"))
            return hmac_sequence(c, s);
        rc = build_request(&c->request, c->now, &s->req);
        if (rc == PORTCULLIS_OK)
            rc = portcullis_hmac_verifier_verify(s->hmac, s->req, &s->principal, &s->denial);
        return rc;
    }
    unknown_op(c);
    return PORTCULLIS_RESULT_INTERNAL;
}

/* The request or response of an httpsig case, and the related request when there is one. */
static portcullis_result httpsig_message(const vcase *c, run_state *s) {
    if (c->request.present)
        return build_request(&c->request, c->now, &s->req);
    portcullis_result rc = build_response(&c->response, c->now, &s->resp);
    if (rc == PORTCULLIS_OK && c->related.present)
        rc = build_request(&c->related, c->now, &s->related);
    return rc;
}

static portcullis_result httpsig_verify(const vcase *c, run_state *s) {
    portcullis_result rc = portcullis_httpsig_keyring_new(&s->keyring);
    for (size_t i = 0; rc == PORTCULLIS_OK && i < c->n_keys; i++) {
        const vkey *k = &c->keys[i];
        rc = k->is_secret
                 ? portcullis_httpsig_keyring_add_hmac_secret(s->keyring, U8(k->keyid),
                                                              U8(k->material))
                 : portcullis_httpsig_keyring_add_public_pem(s->keyring, U8(k->keyid), U8(k->alg),
                                                             U8(k->material));
    }
    if (rc == PORTCULLIS_OK)
        rc = portcullis_httpsig_verifier_new(s->keyring, U8(c->config_json), &s->httpsig);
    if (rc == PORTCULLIS_OK)
        rc = httpsig_message(c, s);
    /* `repeat`: the same message verified N times with one verifier; the last outcome counts. */
    int times = c->times > 0 ? c->times : 1;
    for (int i = 0; rc == PORTCULLIS_OK && i < times; i++) {
        portcullis_result last;
        drop_outcome(s);
        if (s->req != NULL)
            last = portcullis_httpsig_verifier_verify_request(s->httpsig, s->req, &s->principal,
                                                              &s->denial);
        else
            last = portcullis_httpsig_verifier_verify_response(s->httpsig, s->resp, s->related,
                                                               &s->principal, &s->denial);
        if (i == times - 1)
            return last;
    }
    return rc;
}

portcullis_result run_httpsig(const vcase *c, run_state *s) {
    portcullis_result rc;
    if (is(c->op, "verify"))
        return httpsig_verify(c, s);
    if (is(c->op, "signature_base")) {
        rc = httpsig_message(c, s);
        if (rc != PORTCULLIS_OK)
            return rc;
        if (s->req != NULL)
            CALL_SIZED(rc, s, portcullis_httpsig_signature_base_request, s->req,
                       U8(c->signature_params), U8(c->sf_json));
        else
            CALL_SIZED(rc, s, portcullis_httpsig_signature_base_response, s->resp, s->related,
                       U8(c->signature_params), U8(c->sf_json));
        return rc;
    }
    if (is(c->op, "sign")) {
        const vkey *k = &c->signing_key;
        rc = k->is_secret ? portcullis_httpsig_signer_new_hmac(U8(k->keyid), U8(k->material),
                                                               &s->httpsig_signer)
                          : portcullis_httpsig_signer_new_pem(U8(k->keyid), U8(k->alg),
                                                              U8(k->material), &s->httpsig_signer);
        if (rc == PORTCULLIS_OK)
            rc = httpsig_message(c, s);
        if (rc != PORTCULLIS_OK)
            return rc;
        if (s->req != NULL)
            rc = portcullis_httpsig_signer_sign_request(s->httpsig_signer, s->req, U8(c->spec_json),
                                                        &s->headers);
        else
            rc = portcullis_httpsig_signer_sign_response(s->httpsig_signer, s->resp, s->related,
                                                         U8(c->spec_json), &s->headers);
        return rc;
    }
    unknown_op(c);
    return PORTCULLIS_RESULT_INTERNAL;
}
