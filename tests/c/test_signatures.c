/*
 * The signature surface of the C API end to end: webhooks (sign, verify, replay, tamper),
 * PCS1 HMAC (signing key, sign, verify, replay, canonical request, the bare MAC), Content-Digest,
 * RFC 9421 (keyring, verifier over a copy of it, HMAC and Ed25519 signers, requests and
 * responses, the signature base), request schemes, responses and header lists.
 */
#include <stdlib.h>

#include "check.h"
#include "signatures.h"

/* Reads the pair at `i` of a header list into `name` / `value` (NUL-terminated). */
void header_at(const portcullis_headers *h, size_t i, char *name, size_t name_cap, char *value,
               size_t value_cap) {
    size_t len = 0;
    RC(portcullis_headers_name(h, i, (uint8_t *)name, name_cap, &len), PORTCULLIS_OK);
    CHECK(len < name_cap);
    RC(portcullis_headers_value(h, i, (uint8_t *)value, value_cap, &len), PORTCULLIS_OK);
    CHECK(len < value_cap);
}

/* Adds every pair of `h` to `req`; no counters, so threads may call it. */
static portcullis_result copy_headers(portcullis_request *req, const portcullis_headers *h) {
    char name[64], value[1024];
    portcullis_result rc = PORTCULLIS_OK;
    for (size_t i = 0; rc == PORTCULLIS_OK && i < portcullis_headers_len(h); i++) {
        size_t name_len = 0, value_len = 0;
        rc = portcullis_headers_name(h, i, (uint8_t *)name, sizeof name, &name_len);
        if (rc == PORTCULLIS_OK)
            rc = portcullis_headers_value(h, i, (uint8_t *)value, sizeof value, &value_len);
        if (rc == PORTCULLIS_OK)
            rc = portcullis_request_add_header(req, (const uint8_t *)name, name_len,
                                               (const uint8_t *)value, value_len);
    }
    return rc;
}

void add_headers(portcullis_request *req, const portcullis_headers *h) {
    RC(copy_headers(req, h), PORTCULLIS_OK);
}

/* Returns `req`, or frees it and returns NULL when `rc` is a failure. */
static portcullis_request *ok_or_null(portcullis_result rc, portcullis_request *req) {
    if (rc == PORTCULLIS_OK)
        return req;
    portcullis_request_free(req);
    return NULL;
}

portcullis_request *signed_webhook(portcullis_webhook_signer *signer, const char *message_id,
                                   const char *body, int64_t now) {
    portcullis_headers *h = NULL;
    portcullis_request *req = NULL;
    portcullis_result rc = portcullis_webhook_signer_sign(signer, S(message_id), now, S(body), &h);
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_new(S("POST"), S("/webhooks"), &req);
    if (rc == PORTCULLIS_OK)
        rc = copy_headers(req, h);
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_set_body(req, S(body));
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_set_now(req, now);
    portcullis_headers_free(h);
    return ok_or_null(rc, req);
}

portcullis_request *signed_pcs1(portcullis_hmac_signing_key *key, const char *nonce,
                                const char *body, int64_t now) {
    portcullis_request *req = NULL;
    portcullis_headers *h = NULL;
    char options[256];
    snprintf(options, sizeof options, "{\"headers\":[\"host\"],\"nonce\":\"%s\"}", nonce);
    portcullis_result rc = portcullis_request_new(S("POST"), S("/orders?b=2&a=1"), &req);
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_add_header(req, S("Host"), S("api.example.com"));
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_set_body(req, S(body));
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_set_now(req, now);
    if (rc == PORTCULLIS_OK)
        rc = portcullis_hmac_sign_request(key, req, S(options), &h);
    if (rc == PORTCULLIS_OK)
        rc = copy_headers(req, h);
    portcullis_headers_free(h);
    return ok_or_null(rc, req);
}

static void test_webhook(void) {
    portcullis_webhook_verifier *v = NULL;
    RC(portcullis_webhook_verifier_new(S(WEBHOOK_CONFIG), &v), PORTCULLIS_OK);
    portcullis_webhook_signer *signer = NULL;
    RC(portcullis_webhook_signer_new(S("standard"), S(WEBHOOK_SECRET), &signer), PORTCULLIS_OK);

    /* The signer's headers, in order. */
    portcullis_headers *h = NULL;
    RC(portcullis_webhook_signer_sign(signer, S("msg_1"), NOW, S("{}"), &h), PORTCULLIS_OK);
    CHECK(portcullis_headers_len(h) == 3);
    char name[64], value[256];
    header_at(h, 0, name, sizeof name, value, sizeof value);
    CHECK(strcmp(name, "webhook-id") == 0 && strcmp(value, "msg_1") == 0);
    header_at(h, 1, name, sizeof name, value, sizeof value);
    CHECK(strcmp(name, "webhook-timestamp") == 0 && strcmp(value, "1767225600") == 0);
    header_at(h, 2, name, sizeof name, value, sizeof value);
    CHECK(strcmp(name, "webhook-signature") == 0 && strncmp(value, "v1,", 3) == 0);
    portcullis_headers_free(h);

    /* Verify, then the same delivery again, a tampered body, a stale one. */
    portcullis_request *req = signed_webhook(signer, "msg_2", "{\"a\":1}", NOW);
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    char text[256];
    RC(portcullis_webhook_verifier_verify(v, req, &p, &d), PORTCULLIS_OK);
    CHECK(p != NULL && d == NULL);
    TEXT(portcullis_principal_subject, p, text);
    CHECK(strcmp(text, "standard") == 0);
    TEXT(portcullis_principal_method_name, p, text);
    CHECK(strcmp(text, "hmac") == 0);
    TEXT(portcullis_principal_credential_id, p, text);
    CHECK(strcmp(text, "secret-0") == 0);
    TEXT(portcullis_principal_claims_json, p, text);
    CHECK(strcmp(text, "{\"message_id\":\"msg_2\",\"scheme\":\"standard\",\"signature_version\":"
                       "\"v1\",\"timestamp\":1767225600}") == 0);
    portcullis_principal_free(p);
    p = SENTINEL;
    RC(portcullis_webhook_verifier_verify(v, req, &p, &d), PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
    CHECK(p == SENTINEL && d != NULL && portcullis_denial_code(d) == PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
    TEXT(portcullis_denial_detail, d, text);
    CHECK(strstr(text, WEBHOOK_SECRET) == NULL);
    portcullis_denial_free(d);
    d = NULL;
    portcullis_request_free(req);
    req = signed_webhook(signer, "msg_3", "{\"a\":1}", NOW);
    RC(portcullis_request_set_body(req, S("{\"a\":2}")), PORTCULLIS_OK);
    RC(portcullis_webhook_verifier_verify(v, req, &p, NULL), PORTCULLIS_RESULT_SIGNATURE_MISMATCH);
    portcullis_request_free(req);
    req = signed_webhook(signer, "msg_4", "{}", NOW);
    RC(portcullis_request_set_now(req, NOW + 301), PORTCULLIS_OK);
    RC(portcullis_webhook_verifier_verify(v, req, &p, NULL), PORTCULLIS_RESULT_SIGNATURE_EXPIRED);
    portcullis_request_free(req);
    /* Signed, but no body supplied by the host. */
    h = NULL;
    RC(portcullis_webhook_signer_sign(signer, S("msg_5"), NOW, S("{}"), &h), PORTCULLIS_OK);
    req = request(NULL, NULL, NOW);
    add_headers(req, h);
    portcullis_headers_free(h);
    RC(portcullis_webhook_verifier_verify(v, req, &p, NULL), PORTCULLIS_RESULT_SIGNATURE_BODY_MISSING);
    portcullis_request_free(req);
    /* No signature header: not a delivery at all, whatever the body. */
    req = request("webhook-id", "msg_6", NOW);
    RC(portcullis_webhook_verifier_verify(v, req, &p, NULL), PORTCULLIS_RESULT_SIGNATURE_MISSING);
    portcullis_request_free(req);
    CHECK(p == SENTINEL);

    /* Other schemes, and the signer's refusals. */
    portcullis_webhook_signer *stripe = NULL;
    RC(portcullis_webhook_signer_new(S("stripe"), S("whsec_0123456789abcdef0123456789abcdef"), &stripe),
       PORTCULLIS_OK);
    RC(portcullis_webhook_signer_sign(stripe, NULL, 0, 1700000000, S("{}"), &h), PORTCULLIS_OK);
    CHECK(portcullis_headers_len(h) == 1);
    header_at(h, 0, name, sizeof name, value, sizeof value);
    CHECK(strcmp(name, "Stripe-Signature") == 0 && strncmp(value, "t=1700000000,v1=", 16) == 0);
    portcullis_headers_free(h);
    portcullis_webhook_signer_free(stripe);
    h = SENTINEL;
    RC(portcullis_webhook_signer_sign(signer, NULL, 0, NOW, S("{}"), &h), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_webhook_signer_sign(signer, S("msg.1"), NOW, S("{}"), &h), PORTCULLIS_RESULT_SIGNATURE_MALFORMED);
    RC(portcullis_webhook_signer_sign(signer, S("msg_1"), -1, S("{}"), &h), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    CHECK(h == SENTINEL);
    portcullis_webhook_signer *bad_signer = SENTINEL;
    RC(portcullis_webhook_signer_new(S("Standard"), S(WEBHOOK_SECRET), &bad_signer), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_webhook_signer_new(S("github"), S("short"), &bad_signer), PORTCULLIS_RESULT_SIGNATURE_SECRET_INVALID);
    CHECK(bad_signer == SENTINEL);
    portcullis_webhook_verifier *bad = SENTINEL;
    RC(portcullis_webhook_verifier_new(NULL, 0, &bad), PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_webhook_verifier_new(S("{\"secrets\":"), &bad), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_webhook_verifier_new(S("{\"scheme\":\"svix\",\"secrets\":[\"x\"]}"), &bad),
       PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_webhook_verifier_new(S("{\"secrets\":[\"" WEBHOOK_SECRET "\"],\"tolerance_seconds\":0}"), &bad),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    CHECK(bad == SENTINEL);
    portcullis_webhook_signer_free(signer);
    portcullis_webhook_verifier_free(v);
}

static void test_hmac(void) {
    portcullis_hmac_verifier *v = NULL;
    RC(portcullis_hmac_verifier_new(S(HMAC_CONFIG), &v), PORTCULLIS_OK);
    portcullis_hmac_signing_key *key = NULL;
    RC(portcullis_hmac_signing_key_new(S("svc-a"), S("hmac-sha256"), S(HMAC_SECRET), &key), PORTCULLIS_OK);

    /* Sign: Authorization, then the Content-Digest of the body. */
    portcullis_request *req = NULL;
    RC(portcullis_request_new(S("POST"), S("/orders?b=2&a=1"), &req), PORTCULLIS_OK);
    RC(portcullis_request_add_header(req, S("Host"), S("api.example.com")), PORTCULLIS_OK);
    RC(portcullis_request_set_body(req, S("hello")), PORTCULLIS_OK);
    RC(portcullis_request_set_now(req, NOW), PORTCULLIS_OK);
    portcullis_headers *h = NULL;
    RC(portcullis_hmac_sign_request(key, req, S("{\"nonce\":\"" NONCE_A "\"}"), &h), PORTCULLIS_OK);
    CHECK(portcullis_headers_len(h) == 2);
    char name[64], value[512], text[512];
    header_at(h, 0, name, sizeof name, value, sizeof value);
    CHECK(strcmp(name, "Authorization") == 0);
    const char *prefix = "PCS1-HMAC-SHA256 keyid=\"svc-a\", ts=1767225600, nonce=\"" NONCE_A
                         "\", headers=\"host;content-digest\", sig=\"";
    CHECK(strncmp(value, prefix, strlen(prefix)) == 0);
    CHECK(strstr(value, HMAC_SECRET) == NULL);
    header_at(h, 1, name, sizeof name, value, sizeof value);
    CHECK(strcmp(name, "Content-Digest") == 0);
    CHECK(strcmp(value, "sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:") == 0);
    add_headers(req, h);
    portcullis_headers_free(h);

    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    RC(portcullis_hmac_verifier_verify(v, req, &p, &d), PORTCULLIS_OK);
    TEXT(portcullis_principal_subject, p, text);
    CHECK(strcmp(text, "billing") == 0);
    TEXT(portcullis_principal_credential_id, p, text);
    CHECK(strcmp(text, "svc-a") == 0);
    TEXT(portcullis_principal_scopes, p, text);
    CHECK(strcmp(text, "orders:write") == 0);
    CHECK(portcullis_principal_method(p) == 6);
    portcullis_principal_free(p);
    p = SENTINEL;
    RC(portcullis_hmac_verifier_verify(v, req, &p, &d), PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
    CHECK(p == SENTINEL && d != NULL);
    TEXT(portcullis_denial_challenge, d, text);
    CHECK(strncmp(text, "PCS1-HMAC-SHA256 realm=\"t\"", 26) == 0);
    CHECK(portcullis_denial_http_status(d) == 401);
    portcullis_denial_free(d);
    d = NULL;
    /* A request that already carries its Content-Digest: only Authorization comes back. */
    RC(portcullis_hmac_sign_request(key, req, NULL, 0, &h), PORTCULLIS_OK);
    CHECK(portcullis_headers_len(h) == 1);
    portcullis_headers_free(h);
    portcullis_request_free(req);

    /* A tampered body, an unknown key, a default config without keys. */
    req = signed_pcs1(key, NONCE_B, "{\"qty\":2}", NOW);
    RC(portcullis_request_set_body(req, S("{\"qty\":20}")), PORTCULLIS_OK);
    RC(portcullis_hmac_verifier_verify(v, req, &p, NULL), PORTCULLIS_RESULT_SIGNATURE_DIGEST_MISMATCH);
    portcullis_hmac_verifier *empty = NULL;
    RC(portcullis_hmac_verifier_new(NULL, 0, &empty), PORTCULLIS_OK);
    RC(portcullis_hmac_verifier_verify(empty, req, &p, NULL), PORTCULLIS_RESULT_SIGNATURE_KEY_UNKNOWN);
    portcullis_hmac_verifier_free(empty);
    portcullis_request_free(req);
    CHECK(p == SENTINEL);

    /* The canonical request. */
    RC(portcullis_request_new(S("get"), S("/orders?b=2&a=1"), &req), PORTCULLIS_OK);
    RC(portcullis_request_add_header(req, S("Host"), S("api.example.com")), PORTCULLIS_OK);
    TEXT_ARGS(portcullis_hmac_canonical_request, text,
              req, S("{\"algorithm\":\"hmac-sha256\",\"keyid\":\"k\",\"ts\":5,\"nonce\":\"n\",\"headers\":[\"host\"]}"));
    CHECK(strcmp(text, "PCS1-HMAC-SHA256\nk\n5\nn\nGET\n/orders\na=1&b=2\nhost\nhost:api.example.com") == 0);
    size_t len = 0;
    RC(portcullis_hmac_canonical_request(req, S("{\"algorithm\":\"hmac-sha256\",\"keyid\":\"k\",\"ts\":5,\"nonce\":\"n\",\"headers\":[\"date\"]}"),
                                         (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_SIGNATURE_COMPONENT_MISSING);
    RC(portcullis_hmac_canonical_request(req, S("{\"algorithm\":\"hmac-sha256\"}"), (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_JSON_INVALID);
    portcullis_request_free(req);

    /* Signing keys: bad id, algorithm, secret. */
    portcullis_hmac_signing_key *bad = SENTINEL;
    RC(portcullis_hmac_signing_key_new(S("svc a"), S("hmac-sha256"), S(HMAC_SECRET), &bad), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_hmac_signing_key_new(S("svc-a"), S("hmac-sha1"), S(HMAC_SECRET), &bad),
       PORTCULLIS_RESULT_INVALID_ARGUMENT); /* an unknown name, as in every surface */
    RC(portcullis_hmac_signing_key_new(S("svc-a"), S("hmac-sha256"), S("too short"), &bad),
       PORTCULLIS_RESULT_SIGNATURE_SECRET_INVALID);
    CHECK(bad == SENTINEL);
    portcullis_hmac_verifier *bad_v = SENTINEL;
    RC(portcullis_hmac_verifier_new(S("{\"window_seconds\":0}"), &bad_v), PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_hmac_verifier_new(S("{\"keys\":[{\"key_id\":\"k\",\"algorithm\":\"hmac-sha256\",\"secrets_b64\":[\"c2hvcnQ=\"]}]}"), &bad_v),
       PORTCULLIS_RESULT_SIGNATURE_SECRET_INVALID);
    CHECK(bad_v == SENTINEL);
    portcullis_hmac_signing_key_free(key);
    portcullis_hmac_verifier_free(v);

    /* The bare MAC: RFC 4231 test case 2. */
    static const uint8_t want[32] = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
                                     0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
                                     0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
    uint8_t tag[64];
    RC(portcullis_mac(S("hmac-sha256"), S("Jefe"), S("what do ya want for nothing?"), tag, sizeof tag, &len),
       PORTCULLIS_OK);
    CHECK(len == 32 && memcmp(tag, want, 32) == 0);
    RC(portcullis_mac_verify(S("hmac-sha256"), S("Jefe"), S("what do ya want for nothing?"), want, 32), PORTCULLIS_OK);
    RC(portcullis_mac_verify(S("hmac-sha256"), S("Jefe"), S("what do ya want for nothing?"), want, 16),
       PORTCULLIS_RESULT_SIGNATURE_MISMATCH);
    RC(portcullis_mac_verify(S("hmac-sha256"), S("Jefe"), S("what do ya want for nothing!"), want, 32),
       PORTCULLIS_RESULT_SIGNATURE_MISMATCH);
    RC(portcullis_mac(S("hmac-sha512"), S("Jefe"), S("x"), tag, sizeof tag, &len), PORTCULLIS_OK);
    CHECK(len == 64);
    RC(portcullis_mac(S("sha256"), S("Jefe"), S("x"), tag, sizeof tag, &len), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_mac(S("hmac-sha256"), NULL, 0, NULL, 0, tag, sizeof tag, &len), PORTCULLIS_OK);
    CHECK(len == 32);
}

static void test_digest(void) {
    char text[256];
    TEXT_ARGS(portcullis_content_digest, text, S("hello"), S("sha-256"));
    CHECK(strcmp(text, "sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:") == 0);
    char dflt[256];
    TEXT_ARGS(portcullis_content_digest, dflt, S("hello"), NULL, 0);
    CHECK(strcmp(text, dflt) == 0);
    TEXT_ARGS(portcullis_content_digest, text, NULL, 0, S("sha-512"));
    CHECK(strncmp(text, "sha-512=:z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==:", 98) == 0);
    RC(portcullis_content_digest(S("x"), S("md5"), (uint8_t *)text, sizeof text, &(size_t){0}),
       PORTCULLIS_RESULT_INVALID_ARGUMENT);

    const char *header = "sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:";
    TEXT_ARGS(portcullis_content_digest_verify, text, S(header), S("hello"), true);
    CHECK(strcmp(text, "sha-256") == 0);
    size_t len = 0;
    RC(portcullis_content_digest_verify(S(header), S("hello!"), true, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_SIGNATURE_DIGEST_MISMATCH);
    RC(portcullis_content_digest_verify(S(header), NULL, 0, false, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_SIGNATURE_BODY_MISSING);
    /* has_body false ignores the body pointer, even a NULL with a length. */
    RC(portcullis_content_digest_verify(S(header), NULL, 5, false, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_SIGNATURE_BODY_MISSING);
    RC(portcullis_content_digest_verify(S("md5=:AAAA:"), S("x"), true, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_SIGNATURE_ALGORITHM_UNSUPPORTED);
    RC(portcullis_content_digest_verify(S("sha-256=abc"), S("x"), true, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_SIGNATURE_MALFORMED);
}

/* GET /orders over https, Host api.example.com, at NOW. */
static portcullis_request *https_get(const char *method) {
    portcullis_request *req = NULL;
    RC(portcullis_request_new(S(method), S("/orders"), &req), PORTCULLIS_OK);
    RC(portcullis_request_set_scheme(req, S("HTTPS")), PORTCULLIS_OK);
    RC(portcullis_request_add_header(req, S("Host"), S("api.example.com")), PORTCULLIS_OK);
    RC(portcullis_request_set_now(req, NOW), PORTCULLIS_OK);
    return req;
}

static portcullis_result httpsig_check(portcullis_httpsig_verifier *v, portcullis_request *req,
                                       const char *want_subject) {
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    portcullis_result rc = portcullis_httpsig_verifier_verify_request(v, req, &p, &d);
    CHECK((rc == PORTCULLIS_OK) == (p != NULL) && (rc == PORTCULLIS_OK) == (d == NULL));
    if (p != NULL && want_subject != NULL) {
        char text[256];
        TEXT(portcullis_principal_subject, p, text);
        CHECK(strcmp(text, want_subject) == 0);
    }
    if (d != NULL) {
        size_t len = 1;
        RC(portcullis_denial_challenge(d, NULL, 0, &len), PORTCULLIS_OK);
        CHECK(len == 0); /* RFC 9421 defines no challenge */
    }
    portcullis_principal_free(p);
    portcullis_denial_free(d);
    return rc;
}

static void test_httpsig(void) {
    portcullis_httpsig_keyring *kr = NULL;
    RC(portcullis_httpsig_keyring_new(&kr), PORTCULLIS_OK);
    RC(portcullis_httpsig_keyring_add_hmac_secret(kr, S("demo-key"), S(HTTPSIG_SECRET)), PORTCULLIS_OK);
    RC(portcullis_httpsig_keyring_add_public_pem(kr, S("test-key-ed25519"), S("ed25519"), S(ED25519_PUBLIC)),
       PORTCULLIS_OK);
    CHECK(portcullis_httpsig_keyring_len(kr) == 2);
    RC(portcullis_httpsig_keyring_add_hmac_secret(kr, S("short"), S("0123456789")), PORTCULLIS_RESULT_SIGNATURE_SECRET_INVALID);
    RC(portcullis_httpsig_keyring_add_hmac_secret(kr, NULL, 0, S(HTTPSIG_SECRET)), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_httpsig_keyring_add_public_pem(kr, S("k"), S("rsa-sha1"), S(ED25519_PUBLIC)),
       PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_httpsig_keyring_add_public_pem(kr, S("k"), S("hmac-sha256"), S(ED25519_PUBLIC)),
       PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_httpsig_keyring_add_public_pem(kr, S("k"), S("ed25519"), S("not a pem")),
       PORTCULLIS_RESULT_SIGNATURE_SECRET_INVALID);
    CHECK(portcullis_httpsig_keyring_len(kr) == 2);

    portcullis_httpsig_verifier *v = NULL;
    RC(portcullis_httpsig_verifier_new(kr, S(HTTPSIG_CONFIG), &v), PORTCULLIS_OK);

    /* HMAC: sign, verify, wrong method, replay of a nonce. */
    portcullis_httpsig_signer *signer = NULL;
    RC(portcullis_httpsig_signer_new_hmac(S("demo-key"), S(HTTPSIG_SECRET), &signer), PORTCULLIS_OK);
    portcullis_request *req = https_get("GET");
    portcullis_headers *h = NULL;
    RC(portcullis_httpsig_signer_sign_request(signer, req, S(HTTPSIG_SPEC), &h), PORTCULLIS_OK);
    char name[64], value[512], text[1024];
    CHECK(portcullis_headers_len(h) == 2);
    header_at(h, 0, name, sizeof name, value, sizeof value);
    CHECK(strcmp(name, "Signature-Input") == 0);
    CHECK(strcmp(value, "sig1=(\"@method\" \"@target-uri\");created=1767225600;keyid=\"demo-key\"") == 0);
    header_at(h, 1, name, sizeof name, value, sizeof value);
    CHECK(strcmp(name, "Signature") == 0 && strncmp(value, "sig1=:", 6) == 0);
    add_headers(req, h);
    CHECK(httpsig_check(v, req, "demo-key") == PORTCULLIS_OK);
    CHECK(httpsig_check(v, req, "demo-key") == PORTCULLIS_OK); /* no nonce: no replay check */
    portcullis_request *other = https_get("DELETE");
    add_headers(other, h);
    CHECK(httpsig_check(v, other, NULL) == PORTCULLIS_RESULT_SIGNATURE_MISMATCH);
    portcullis_request_free(other);

    /* The signature base of the same request. */
    TEXT_ARGS(portcullis_httpsig_signature_base_request, text, req,
              S("(\"@method\" \"@target-uri\");created=1767225600;keyid=\"demo-key\""), NULL, 0);
    CHECK(strcmp(text, "\"@method\": GET\n\"@target-uri\": https://api.example.com/orders\n"
                       "\"@signature-params\": (\"@method\" \"@target-uri\");created=1767225600;keyid=\"demo-key\"") == 0);
    size_t len = 0;
    RC(portcullis_httpsig_signature_base_request(req, S("(\"date\")"), NULL, 0, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_SIGNATURE_COMPONENT_MISSING);
    RC(portcullis_httpsig_signature_base_request(req, S("(\"@method\""), NULL, 0, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_SIGNATURE_MALFORMED);
    RC(portcullis_httpsig_signature_base_request(req, S("(\"@method\")"), S("{\"a\":\"map\"}"), (uint8_t *)text,
                                                 sizeof text, &len),
       PORTCULLIS_RESULT_JSON_INVALID);
    portcullis_headers_free(h);
    portcullis_request_free(req);

    /* Nonces are checked for replay. */
    req = https_get("GET");
    RC(portcullis_httpsig_signer_sign_request(signer, req, S("{\"created\":1767225600,\"nonce\":\"n-1\"}"), &h),
       PORTCULLIS_OK);
    add_headers(req, h);
    portcullis_headers_free(h);
    CHECK(httpsig_check(v, req, "demo-key") == PORTCULLIS_OK);
    CHECK(httpsig_check(v, req, NULL) == PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
    portcullis_request_free(req);

    /* Ed25519 (RFC 9421 test key), the default spec; a scheme is required for @target-uri. */
    portcullis_httpsig_signer *ed = NULL;
    RC(portcullis_httpsig_signer_new_pem(S("test-key-ed25519"), S("ed25519"), S(ED25519_PRIVATE), &ed), PORTCULLIS_OK);
    req = https_get("GET");
    RC(portcullis_httpsig_signer_sign_request(ed, req, NULL, 0, &h), PORTCULLIS_OK);
    add_headers(req, h);
    portcullis_headers_free(h);
    CHECK(httpsig_check(v, req, "test-key-ed25519") == PORTCULLIS_OK);
    portcullis_request_free(req);
    RC(portcullis_request_new(S("GET"), S("/orders"), &req), PORTCULLIS_OK);
    h = SENTINEL;
    RC(portcullis_httpsig_signer_sign_request(ed, req, NULL, 0, &h), PORTCULLIS_RESULT_SIGNATURE_COMPONENT_MISSING);
    RC(portcullis_httpsig_signer_sign_request(ed, req, S("{\"label\":\"Bad Label\"}"), &h), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_httpsig_signer_sign_request(ed, req, S("{\"lable\":\"x\"}"), &h), PORTCULLIS_RESULT_JSON_INVALID);
    CHECK(h == SENTINEL);
    portcullis_request_free(req);

    /* Keyring changes reach every verifier built from it, before or after the change. */
    req = https_get("GET");
    RC(portcullis_httpsig_signer_sign_request(ed, req, NULL, 0, &h), PORTCULLIS_OK);
    add_headers(req, h);
    portcullis_headers_free(h);
    bool removed = false;
    RC(portcullis_httpsig_keyring_remove(kr, S("test-key-ed25519"), &removed), PORTCULLIS_OK);
    CHECK(removed && portcullis_httpsig_keyring_len(kr) == 1);
    RC(portcullis_httpsig_keyring_remove(kr, S("test-key-ed25519"), &removed), PORTCULLIS_OK);
    CHECK(!removed);
    RC(portcullis_httpsig_keyring_remove(kr, S("absent"), NULL), PORTCULLIS_OK);
    portcullis_httpsig_verifier *v2 = NULL;
    RC(portcullis_httpsig_verifier_new(kr, S(HTTPSIG_CONFIG), &v2), PORTCULLIS_OK);
    CHECK(httpsig_check(v, req, NULL) == PORTCULLIS_RESULT_SIGNATURE_KEY_UNKNOWN);
    CHECK(httpsig_check(v2, req, NULL) == PORTCULLIS_RESULT_SIGNATURE_KEY_UNKNOWN);
    RC(portcullis_httpsig_keyring_add_public_pem(kr, S("test-key-ed25519"), S("ed25519"), S(ED25519_PRIVATE)),
       PORTCULLIS_OK);
    CHECK(httpsig_check(v, req, "test-key-ed25519") == PORTCULLIS_OK);
    CHECK(httpsig_check(v2, req, "test-key-ed25519") == PORTCULLIS_OK);
    /* A verifier outlives its keyring's last reference, and the keyring outlives its verifiers. */
    portcullis_httpsig_verifier_free(v2);
    RC(portcullis_httpsig_keyring_remove(kr, S("absent"), NULL), PORTCULLIS_OK);
    portcullis_request_free(req);

    /* Responses, with the request they answer. */
    portcullis_response *resp = NULL;
    RC(portcullis_response_new(200, &resp), PORTCULLIS_OK);
    RC(portcullis_response_add_header(resp, S("Content-Type"), S("application/json")), PORTCULLIS_OK);
    RC(portcullis_response_set_body(resp, S("{}")), PORTCULLIS_OK);
    RC(portcullis_response_set_now(resp, NOW), PORTCULLIS_OK);
    portcullis_request *related = https_get("POST");
    RC(portcullis_httpsig_signer_sign_response(signer, resp, related,
                                               S("{\"components\":[\"@status\",\"content-type\",\"@method;req\"],\"created\":1767225600}"),
                                               &h),
       PORTCULLIS_OK);
    for (size_t i = 0; i < portcullis_headers_len(h); i++) {
        header_at(h, i, name, sizeof name, value, sizeof value);
        RC(portcullis_response_add_header(resp, S(name), S(value)), PORTCULLIS_OK);
    }
    portcullis_headers_free(h);
    portcullis_principal *p = NULL;
    RC(portcullis_httpsig_verifier_verify_response(v, resp, related, &p, NULL), PORTCULLIS_OK);
    portcullis_principal_free(p);
    p = SENTINEL;
    RC(portcullis_httpsig_verifier_verify_response(v, resp, NULL, &p, NULL), PORTCULLIS_RESULT_SIGNATURE_COMPONENT_MISSING);
    CHECK(p == SENTINEL);
    TEXT_ARGS(portcullis_httpsig_signature_base_response, text, resp, related,
              S("(\"@status\" \"@method\";req);created=1"), NULL, 0);
    CHECK(strcmp(text, "\"@status\": 200\n\"@method\";req: POST\n\"@signature-params\": (\"@status\" \"@method\";req);created=1") == 0);
    RC(portcullis_httpsig_signer_sign_response(signer, resp, NULL, S("{\"components\":[\"@method;req\"]}"), &h),
       PORTCULLIS_RESULT_SIGNATURE_COMPONENT_MISSING);
    portcullis_request_free(related);
    portcullis_response_free(resp);

    /* Bad signers, bad configurations. */
    portcullis_httpsig_signer *bad = SENTINEL;
    RC(portcullis_httpsig_signer_new_hmac(S("k"), S("short"), &bad), PORTCULLIS_RESULT_SIGNATURE_SECRET_INVALID);
    RC(portcullis_httpsig_signer_new_pem(S("k"), S("hmac-sha256"), S(ED25519_PRIVATE), &bad), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_httpsig_signer_new_pem(S("k"), S("ecdsa-p256-sha256"), S(ED25519_PRIVATE), &bad),
       PORTCULLIS_RESULT_SIGNATURE_SECRET_INVALID);
    CHECK(bad == SENTINEL);
    portcullis_httpsig_verifier *bad_v = SENTINEL;
    RC(portcullis_httpsig_verifier_new(kr, S("{\"leeway\":301}"), &bad_v), PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_httpsig_verifier_new(kr, S("{\"leeway\":"), &bad_v), PORTCULLIS_RESULT_JSON_INVALID);
    CHECK(bad_v == SENTINEL);
    portcullis_httpsig_verifier *dflt = NULL;
    RC(portcullis_httpsig_verifier_new(kr, NULL, 0, &dflt), PORTCULLIS_OK);
    portcullis_httpsig_verifier_free(dflt);

    portcullis_httpsig_signer_free(ed);
    portcullis_httpsig_signer_free(signer);
    portcullis_httpsig_verifier_free(v);
    portcullis_httpsig_keyring_free(kr);
}

static void test_messages(void) {
    portcullis_request *req = request(NULL, NULL, NOW);
    RC(portcullis_request_set_scheme(req, S("https")), PORTCULLIS_OK);
    RC(portcullis_request_set_scheme(req, S("1http")), PORTCULLIS_RESULT_REQUEST_INVALID);
    RC(portcullis_request_set_scheme(req, NULL, 0), PORTCULLIS_RESULT_REQUEST_INVALID);
    portcullis_request_free(req);
    portcullis_response *resp = SENTINEL;
    RC(portcullis_response_new(99, &resp), PORTCULLIS_RESULT_REQUEST_INVALID);
    RC(portcullis_response_new(1000, &resp), PORTCULLIS_RESULT_REQUEST_INVALID);
    CHECK(resp == SENTINEL);
    RC(portcullis_response_new(204, &resp), PORTCULLIS_OK);
    RC(portcullis_response_add_header(resp, S("Bad Name"), S("v")), PORTCULLIS_RESULT_REQUEST_INVALID);
    RC(portcullis_response_add_header(resp, S("X-A"), S("a\nb")), PORTCULLIS_RESULT_REQUEST_INVALID);
    RC(portcullis_response_add_header(resp, S("X-Raw"), (const uint8_t *)"\xff", 1), PORTCULLIS_OK);
    RC(portcullis_response_set_body(resp, NULL, 0), PORTCULLIS_OK);
    RC(portcullis_response_set_now(resp, -1), PORTCULLIS_OK);
    portcullis_response_free(resp);
}

void test_signatures(void) {
    test_webhook();
    test_hmac();
    test_digest();
    test_httpsig();
    test_messages();
}
