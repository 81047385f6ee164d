/*
 * Edges of the signature API: NULL for every pointer class of every new function (out-handles,
 * handles, inputs with a length, output buffers), invalid UTF-8 in every text input, the
 * buffer convention on every new buffer output, header indexes out of range, _free(NULL).
 */
#include <stdlib.h>

#include "signatures.h"

#define NP PORTCULLIS_RESULT_NULL_POINTER
#define UTF8 PORTCULLIS_RESULT_INVALID_UTF8

/* Live handles of every new type, for the tests below. */
static struct {
    portcullis_request *req;
    portcullis_response *resp;
    portcullis_headers *headers;
    portcullis_webhook_verifier *webhook;
    portcullis_webhook_signer *webhook_signer;
    portcullis_hmac_verifier *hmac;
    portcullis_hmac_signing_key *key;
    portcullis_httpsig_keyring *keyring;
    portcullis_httpsig_verifier *httpsig;
    portcullis_httpsig_signer *signer;
} H;

#define PARAMS "{\"algorithm\":\"hmac-sha256\",\"keyid\":\"k\",\"ts\":5,\"nonce\":\"n\",\"headers\":[\"host\"]}"
#define BASE_PARAMS "(\"@method\" \"@path\");created=1"

static void make_handles(void) {
    H.req = request("Host", "api.example.com", NOW);
    RC(portcullis_request_set_scheme(H.req, S("https")), PORTCULLIS_OK);
    RC(portcullis_response_new(200, &H.resp), PORTCULLIS_OK);
    RC(portcullis_webhook_verifier_new(S(WEBHOOK_CONFIG), &H.webhook), PORTCULLIS_OK);
    RC(portcullis_webhook_signer_new(S("standard"), S(WEBHOOK_SECRET), &H.webhook_signer), PORTCULLIS_OK);
    RC(portcullis_webhook_signer_sign(H.webhook_signer, S("msg_1"), NOW, S("{}"), &H.headers), PORTCULLIS_OK);
    RC(portcullis_hmac_verifier_new(S(HMAC_CONFIG), &H.hmac), PORTCULLIS_OK);
    RC(portcullis_hmac_signing_key_new(S("svc-a"), S("hmac-sha256"), S(HMAC_SECRET), &H.key), PORTCULLIS_OK);
    RC(portcullis_httpsig_keyring_new(&H.keyring), PORTCULLIS_OK);
    RC(portcullis_httpsig_verifier_new(H.keyring, NULL, 0, &H.httpsig), PORTCULLIS_OK);
    RC(portcullis_httpsig_signer_new_hmac(S("k"), S(HTTPSIG_SECRET), &H.signer), PORTCULLIS_OK);
}

static void free_handles(void) {
    portcullis_request_free(H.req);
    portcullis_response_free(H.resp);
    portcullis_headers_free(H.headers);
    portcullis_webhook_verifier_free(H.webhook);
    portcullis_webhook_signer_free(H.webhook_signer);
    portcullis_hmac_verifier_free(H.hmac);
    portcullis_hmac_signing_key_free(H.key);
    portcullis_httpsig_keyring_free(H.keyring);
    portcullis_httpsig_verifier_free(H.httpsig);
    portcullis_httpsig_signer_free(H.signer);
}

/* A verify without out_principal: the result and the denial both say NULL_POINTER. */
#define VERIFY_WITHOUT_PRINCIPAL(call)                                               \
    do {                                                                             \
        portcullis_denial *vw_d = NULL;                                              \
        RC(call, NP);                                                                \
        CHECK(vw_d != NULL && portcullis_denial_code(vw_d) == NP);                   \
        portcullis_denial_free(vw_d);                                                \
    } while (0)

static void test_sig_nulls(void) {
    uint8_t buf[256];
    size_t len = 0;
    void *out = SENTINEL;
    bool flag = false;

    /* Required out-handles. */
    RC(portcullis_response_new(200, NULL), NP);
    RC(portcullis_webhook_verifier_new(S(WEBHOOK_CONFIG), NULL), NP);
    RC(portcullis_webhook_signer_new(S("standard"), S(WEBHOOK_SECRET), NULL), NP);
    RC(portcullis_webhook_signer_sign(H.webhook_signer, S("msg_2"), NOW, S("{}"), NULL), NP);
    RC(portcullis_hmac_verifier_new(S(HMAC_CONFIG), NULL), NP);
    RC(portcullis_hmac_signing_key_new(S("svc-a"), S("hmac-sha256"), S(HMAC_SECRET), NULL), NP);
    RC(portcullis_hmac_sign_request(H.key, H.req, NULL, 0, NULL), NP);
    RC(portcullis_httpsig_keyring_new(NULL), NP);
    RC(portcullis_httpsig_verifier_new(H.keyring, NULL, 0, NULL), NP);
    RC(portcullis_httpsig_signer_new_hmac(S("k"), S(HTTPSIG_SECRET), NULL), NP);
    RC(portcullis_httpsig_signer_new_pem(S("k"), S("ed25519"), S(ED25519_PRIVATE), NULL), NP);
    RC(portcullis_httpsig_signer_sign_request(H.signer, H.req, NULL, 0, NULL), NP);
    RC(portcullis_httpsig_signer_sign_response(H.signer, H.resp, NULL, NULL, 0, NULL), NP);
    VERIFY_WITHOUT_PRINCIPAL(portcullis_webhook_verifier_verify(H.webhook, H.req, NULL, &vw_d));
    VERIFY_WITHOUT_PRINCIPAL(portcullis_hmac_verifier_verify(H.hmac, H.req, NULL, &vw_d));
    VERIFY_WITHOUT_PRINCIPAL(portcullis_httpsig_verifier_verify_request(H.httpsig, H.req, NULL, &vw_d));
    VERIFY_WITHOUT_PRINCIPAL(portcullis_httpsig_verifier_verify_response(H.httpsig, H.resp, NULL, NULL, &vw_d));

    /* NULL handles. */
    portcullis_principal *p = SENTINEL;
    portcullis_headers *h = SENTINEL;
    RC(portcullis_request_set_scheme(NULL, S("https")), NP);
    RC(portcullis_response_add_header(NULL, S("a"), S("b")), NP);
    RC(portcullis_response_set_body(NULL, S("b")), NP);
    RC(portcullis_response_set_now(NULL, 1), NP);
    RC(portcullis_headers_name(NULL, 0, buf, sizeof buf, &len), NP);
    RC(portcullis_headers_value(NULL, 0, buf, sizeof buf, &len), NP);
    RC(portcullis_webhook_verifier_verify(NULL, H.req, &p, NULL), NP);
    RC(portcullis_webhook_verifier_verify(H.webhook, NULL, &p, NULL), NP);
    RC(portcullis_webhook_signer_sign(NULL, S("msg_3"), NOW, S("{}"), &h), NP);
    RC(portcullis_hmac_verifier_verify(NULL, H.req, &p, NULL), NP);
    RC(portcullis_hmac_verifier_verify(H.hmac, NULL, &p, NULL), NP);
    RC(portcullis_hmac_sign_request(NULL, H.req, NULL, 0, &h), NP);
    RC(portcullis_hmac_sign_request(H.key, NULL, NULL, 0, &h), NP);
    RC(portcullis_hmac_canonical_request(NULL, S(PARAMS), buf, sizeof buf, &len), NP);
    RC(portcullis_httpsig_keyring_add_hmac_secret(NULL, S("k"), S(HTTPSIG_SECRET)), NP);
    RC(portcullis_httpsig_keyring_add_public_pem(NULL, S("k"), S("ed25519"), S(ED25519_PUBLIC)), NP);
    RC(portcullis_httpsig_keyring_remove(NULL, S("k"), &flag), NP);
    RC(portcullis_httpsig_verifier_new(NULL, NULL, 0, (portcullis_httpsig_verifier **)&out), NP);
    RC(portcullis_httpsig_verifier_verify_request(NULL, H.req, &p, NULL), NP);
    RC(portcullis_httpsig_verifier_verify_request(H.httpsig, NULL, &p, NULL), NP);
    RC(portcullis_httpsig_verifier_verify_response(NULL, H.resp, NULL, &p, NULL), NP);
    RC(portcullis_httpsig_verifier_verify_response(H.httpsig, NULL, H.req, &p, NULL), NP);
    RC(portcullis_httpsig_signer_sign_request(NULL, H.req, NULL, 0, &h), NP);
    RC(portcullis_httpsig_signer_sign_request(H.signer, NULL, NULL, 0, &h), NP);
    RC(portcullis_httpsig_signer_sign_response(NULL, H.resp, NULL, NULL, 0, &h), NP);
    RC(portcullis_httpsig_signer_sign_response(H.signer, NULL, H.req, NULL, 0, &h), NP);
    RC(portcullis_httpsig_signature_base_request(NULL, S(BASE_PARAMS), NULL, 0, buf, sizeof buf, &len), NP);
    RC(portcullis_httpsig_signature_base_response(NULL, H.req, S(BASE_PARAMS), NULL, 0, buf, sizeof buf, &len), NP);
    CHECK(p == SENTINEL && h == SENTINEL && out == SENTINEL && !flag);
    CHECK(portcullis_headers_len(NULL) == 0);
    CHECK(portcullis_httpsig_keyring_len(NULL) == 0);
    CHECK(portcullis_webhook_verifier_retain(NULL) == NULL);
    CHECK(portcullis_hmac_verifier_retain(NULL) == NULL);
    CHECK(portcullis_httpsig_keyring_retain(NULL) == NULL);
    CHECK(portcullis_httpsig_verifier_retain(NULL) == NULL);

    /* NULL input pointers with a non-zero length. */
    RC(portcullis_request_set_scheme(H.req, NULL, 5), NP);
    RC(portcullis_response_add_header(H.resp, NULL, 1, S("v")), NP);
    RC(portcullis_response_add_header(H.resp, S("X-A"), NULL, 1), NP);
    RC(portcullis_response_set_body(H.resp, NULL, 3), NP);
    RC(portcullis_webhook_verifier_new(NULL, 9, (portcullis_webhook_verifier **)&out), NP);
    RC(portcullis_webhook_signer_new(NULL, 8, S(WEBHOOK_SECRET), (portcullis_webhook_signer **)&out), NP);
    RC(portcullis_webhook_signer_new(S("standard"), NULL, 8, (portcullis_webhook_signer **)&out), NP);
    RC(portcullis_webhook_signer_sign(H.webhook_signer, NULL, 5, NOW, S("{}"), &h), NP);
    RC(portcullis_webhook_signer_sign(H.webhook_signer, S("msg_4"), NOW, NULL, 2, &h), NP);
    RC(portcullis_hmac_verifier_new(NULL, 2, (portcullis_hmac_verifier **)&out), NP);
    RC(portcullis_hmac_signing_key_new(NULL, 5, S("hmac-sha256"), S(HMAC_SECRET), (portcullis_hmac_signing_key **)&out), NP);
    RC(portcullis_hmac_signing_key_new(S("svc-a"), NULL, 11, S(HMAC_SECRET), (portcullis_hmac_signing_key **)&out), NP);
    RC(portcullis_hmac_signing_key_new(S("svc-a"), S("hmac-sha256"), NULL, 32, (portcullis_hmac_signing_key **)&out), NP);
    RC(portcullis_hmac_sign_request(H.key, H.req, NULL, 2, &h), NP);
    RC(portcullis_hmac_canonical_request(H.req, NULL, 2, buf, sizeof buf, &len), NP);
    RC(portcullis_mac(NULL, 11, S("k"), S("d"), buf, sizeof buf, &len), NP);
    RC(portcullis_mac(S("hmac-sha256"), NULL, 1, S("d"), buf, sizeof buf, &len), NP);
    RC(portcullis_mac(S("hmac-sha256"), S("k"), NULL, 1, buf, sizeof buf, &len), NP);
    RC(portcullis_mac_verify(S("hmac-sha256"), S("k"), S("d"), NULL, 32), NP);
    RC(portcullis_content_digest(NULL, 1, S("sha-256"), buf, sizeof buf, &len), NP);
    RC(portcullis_content_digest(S("x"), NULL, 7, buf, sizeof buf, &len), NP);
    RC(portcullis_content_digest_verify(NULL, 4, S("x"), true, buf, sizeof buf, &len), NP);
    RC(portcullis_content_digest_verify(S("sha-256=:AA==:"), NULL, 1, true, buf, sizeof buf, &len), NP);
    RC(portcullis_httpsig_keyring_add_hmac_secret(H.keyring, NULL, 1, S(HTTPSIG_SECRET)), NP);
    RC(portcullis_httpsig_keyring_add_hmac_secret(H.keyring, S("k"), NULL, 32), NP);
    RC(portcullis_httpsig_keyring_add_public_pem(H.keyring, S("k"), NULL, 7, S(ED25519_PUBLIC)), NP);
    RC(portcullis_httpsig_keyring_add_public_pem(H.keyring, S("k"), S("ed25519"), NULL, 9), NP);
    RC(portcullis_httpsig_keyring_remove(H.keyring, NULL, 1, NULL), NP);
    RC(portcullis_httpsig_verifier_new(H.keyring, NULL, 2, (portcullis_httpsig_verifier **)&out), NP);
    RC(portcullis_httpsig_signer_new_hmac(S("k"), NULL, 32, (portcullis_httpsig_signer **)&out), NP);
    RC(portcullis_httpsig_signer_new_pem(S("k"), S("ed25519"), NULL, 10, (portcullis_httpsig_signer **)&out), NP);
    RC(portcullis_httpsig_signer_sign_request(H.signer, H.req, NULL, 3, &h), NP);
    RC(portcullis_httpsig_signature_base_request(H.req, NULL, 3, NULL, 0, buf, sizeof buf, &len), NP);
    RC(portcullis_httpsig_signature_base_request(H.req, S(BASE_PARAMS), NULL, 2, buf, sizeof buf, &len), NP);
    CHECK(h == SENTINEL && out == SENTINEL);
    CHECK(portcullis_httpsig_keyring_len(H.keyring) == 0);
}

static void test_sig_bad_utf8(void) {
    const uint8_t *bad = (const uint8_t *)"\xc3\x28";
    uint8_t buf[256];
    size_t len = 0;
    void *out = SENTINEL;
    portcullis_headers *h = SENTINEL;
    RC(portcullis_request_set_scheme(H.req, bad, 2), UTF8);
    RC(portcullis_response_add_header(H.resp, bad, 2, S("v")), UTF8);
    RC(portcullis_webhook_verifier_new(bad, 2, (portcullis_webhook_verifier **)&out), UTF8);
    RC(portcullis_webhook_signer_new(bad, 2, S(WEBHOOK_SECRET), (portcullis_webhook_signer **)&out), UTF8);
    RC(portcullis_webhook_signer_new(S("standard"), bad, 2, (portcullis_webhook_signer **)&out), UTF8);
    RC(portcullis_webhook_signer_sign(H.webhook_signer, bad, 2, NOW, S("{}"), &h), UTF8);
    RC(portcullis_hmac_verifier_new(bad, 2, (portcullis_hmac_verifier **)&out), UTF8);
    RC(portcullis_hmac_signing_key_new(bad, 2, S("hmac-sha256"), S(HMAC_SECRET), (portcullis_hmac_signing_key **)&out), UTF8);
    RC(portcullis_hmac_signing_key_new(S("svc-a"), bad, 2, S(HMAC_SECRET), (portcullis_hmac_signing_key **)&out), UTF8);
    RC(portcullis_hmac_sign_request(H.key, H.req, bad, 2, &h), UTF8);
    RC(portcullis_hmac_canonical_request(H.req, bad, 2, buf, sizeof buf, &len), UTF8);
    RC(portcullis_mac(bad, 2, S("k"), S("d"), buf, sizeof buf, &len), UTF8);
    RC(portcullis_mac_verify(bad, 2, S("k"), S("d"), S("t")), UTF8);
    RC(portcullis_content_digest(S("x"), bad, 2, buf, sizeof buf, &len), UTF8);
    RC(portcullis_httpsig_keyring_add_hmac_secret(H.keyring, bad, 2, S(HTTPSIG_SECRET)), UTF8);
    RC(portcullis_httpsig_keyring_add_public_pem(H.keyring, bad, 2, S("ed25519"), S(ED25519_PUBLIC)), UTF8);
    RC(portcullis_httpsig_keyring_add_public_pem(H.keyring, S("k"), bad, 2, S(ED25519_PUBLIC)), UTF8);
    RC(portcullis_httpsig_keyring_remove(H.keyring, bad, 2, NULL), UTF8);
    RC(portcullis_httpsig_verifier_new(H.keyring, bad, 2, (portcullis_httpsig_verifier **)&out), UTF8);
    RC(portcullis_httpsig_signer_new_hmac(bad, 2, S(HTTPSIG_SECRET), (portcullis_httpsig_signer **)&out), UTF8);
    RC(portcullis_httpsig_signer_new_pem(bad, 2, S("ed25519"), S(ED25519_PRIVATE), (portcullis_httpsig_signer **)&out), UTF8);
    RC(portcullis_httpsig_signer_new_pem(S("k"), bad, 2, S(ED25519_PRIVATE), (portcullis_httpsig_signer **)&out), UTF8);
    RC(portcullis_httpsig_signer_sign_request(H.signer, H.req, bad, 2, &h), UTF8);
    RC(portcullis_httpsig_signer_sign_response(H.signer, H.resp, NULL, bad, 2, &h), UTF8);
    RC(portcullis_httpsig_signature_base_request(H.req, bad, 2, NULL, 0, buf, sizeof buf, &len), UTF8);
    RC(portcullis_httpsig_signature_base_request(H.req, S(BASE_PARAMS), bad, 2, buf, sizeof buf, &len), UTF8);
    RC(portcullis_httpsig_signature_base_response(H.resp, NULL, bad, 2, NULL, 0, buf, sizeof buf, &len), UTF8);
    RC(portcullis_httpsig_signature_base_response(H.resp, NULL, S("(\"@status\")"), bad, 2, buf, sizeof buf, &len), UTF8);
    CHECK(h == SENTINEL && out == SENTINEL);
    /* Bytes, not text: MAC keys and data, bodies, Content-Digest values, header values. */
    RC(portcullis_mac(S("hmac-sha256"), bad, 2, bad, 2, buf, sizeof buf, &len), PORTCULLIS_OK);
    RC(portcullis_content_digest(bad, 2, NULL, 0, buf, sizeof buf, &len), PORTCULLIS_OK);
    RC(portcullis_content_digest_verify(bad, 2, bad, 2, true, buf, sizeof buf, &len), PORTCULLIS_RESULT_SIGNATURE_MALFORMED);
    RC(portcullis_response_add_header(H.resp, S("X-Raw"), bad, 2), PORTCULLIS_OK);
    RC(portcullis_webhook_signer_sign(H.webhook_signer, S("msg_5"), NOW, bad, 2, &h), PORTCULLIS_OK);
    portcullis_headers_free(h);
}

static uint8_t edge[1024];

/* The buffer convention of one output: a size query, one byte short (buf untouched), exactly
   the length (no NUL), one more (a NUL), then a NULL out_len and a NULL buf with a capacity. */
#define BUFFER_EDGES(fn, ...)                                                                  \
    do {                                                                                       \
        size_t be_need = 0, be_len = 0;                                                        \
        RC(fn(__VA_ARGS__, NULL, 0, &be_need), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);            \
        CHECK(be_need > 1 && be_need < sizeof edge);                                           \
        memset(edge, 'Z', sizeof edge);                                                        \
        RC(fn(__VA_ARGS__, edge, be_need - 1, &be_len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);   \
        CHECK(be_len == be_need);                                                              \
        int be_untouched = 1;                                                                  \
        for (size_t be_i = 0; be_i < sizeof edge; be_i++)                                      \
            be_untouched &= edge[be_i] == 'Z';                                                 \
        CHECK(be_untouched);                                                                   \
        RC(fn(__VA_ARGS__, edge, be_need, &be_len), PORTCULLIS_OK);                            \
        CHECK(be_len == be_need && edge[be_need] == 'Z');                                      \
        RC(fn(__VA_ARGS__, edge, be_need + 1, &be_len), PORTCULLIS_OK);                        \
        CHECK(be_len == be_need && edge[be_need] == '\0');                                     \
        RC(fn(__VA_ARGS__, edge, sizeof edge, NULL), NP);                                      \
        RC(fn(__VA_ARGS__, NULL, 8, &be_len), NP);                                             \
    } while (0)

static void test_sig_buffers(void) {
    BUFFER_EDGES(portcullis_headers_name, H.headers, 0);
    BUFFER_EDGES(portcullis_headers_value, H.headers, 2);
    BUFFER_EDGES(portcullis_hmac_canonical_request, H.req, S(PARAMS));
    BUFFER_EDGES(portcullis_mac, S("hmac-sha512"), S("k"), S("d"));
    BUFFER_EDGES(portcullis_content_digest, S("body"), S("sha-256"));
    BUFFER_EDGES(portcullis_content_digest_verify, S("sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:"),
                 S("hello"), true);
    BUFFER_EDGES(portcullis_httpsig_signature_base_request, H.req, S(BASE_PARAMS), NULL, 0);
    BUFFER_EDGES(portcullis_httpsig_signature_base_response, H.resp, H.req, S("(\"@status\" \"@path\";req)"), NULL, 0);

    /* A header index out of range, on both accessors and on an empty list. */
    size_t len = 7;
    CHECK(portcullis_headers_len(H.headers) == 3);
    RC(portcullis_headers_name(H.headers, 3, edge, sizeof edge, &len), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_headers_value(H.headers, 3, edge, sizeof edge, &len), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_headers_value(H.headers, (size_t)-1, edge, sizeof edge, &len), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_headers_name(H.headers, 3, NULL, 0, &len), PORTCULLIS_RESULT_INVALID_ARGUMENT);
}

static void test_free_nulls(void) {
    portcullis_response_free(NULL);
    portcullis_headers_free(NULL);
    portcullis_webhook_verifier_free(NULL);
    portcullis_webhook_signer_free(NULL);
    portcullis_hmac_verifier_free(NULL);
    portcullis_hmac_signing_key_free(NULL);
    portcullis_httpsig_keyring_free(NULL);
    portcullis_httpsig_verifier_free(NULL);
    portcullis_httpsig_signer_free(NULL);
    CHECK(1); /* reached: no crash */

    /* Shared handles: retain, then two frees, the last one releasing. */
    portcullis_httpsig_keyring *kr = NULL;
    RC(portcullis_httpsig_keyring_new(&kr), PORTCULLIS_OK);
    CHECK(portcullis_httpsig_keyring_retain(kr) == kr);
    portcullis_httpsig_keyring_free(kr);
    RC(portcullis_httpsig_keyring_add_hmac_secret(kr, S("k"), S(HTTPSIG_SECRET)), PORTCULLIS_OK);
    CHECK(portcullis_httpsig_keyring_len(kr) == 1);
    portcullis_httpsig_verifier *v = NULL;
    RC(portcullis_httpsig_verifier_new(kr, NULL, 0, &v), PORTCULLIS_OK);
    portcullis_httpsig_keyring_free(kr); /* the verifier keeps the keys it was given */
    CHECK(portcullis_httpsig_verifier_retain(v) == v);
    portcullis_request *req = request("Host", "a.example", NOW);
    RC(portcullis_request_set_scheme(req, S("https")), PORTCULLIS_OK);
    portcullis_httpsig_signer *signer = NULL;
    RC(portcullis_httpsig_signer_new_hmac(S("k"), S(HTTPSIG_SECRET), &signer), PORTCULLIS_OK);
    portcullis_headers *h = NULL;
    RC(portcullis_httpsig_signer_sign_request(signer, req, NULL, 0, &h), PORTCULLIS_OK);
    add_headers(req, h);
    portcullis_principal *p = NULL;
    RC(portcullis_httpsig_verifier_verify_request(v, req, &p, NULL), PORTCULLIS_OK);
    portcullis_principal_free(p);
    RC(portcullis_httpsig_verifier_new(NULL, NULL, 0, &v), NP); /* v is left alone */
    portcullis_headers_free(h);
    portcullis_httpsig_signer_free(signer);
    portcullis_request_free(req);
    portcullis_httpsig_verifier_free(v);
    portcullis_httpsig_verifier_free(v);
}

void test_signature_edges(void) {
    make_handles();
    test_sig_nulls();
    test_sig_bad_utf8();
    test_sig_buffers();
    test_free_nulls();
    free_handles();
}
