/* Shared by the test_signatures*.c files: fixtures and helpers for the signature API. */
#ifndef PORTCULLIS_TEST_SIGNATURES_H
#define PORTCULLIS_TEST_SIGNATURES_H

#include "check.h"

#define WEBHOOK_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define WEBHOOK_CONFIG "{\"scheme\":\"standard\",\"secrets\":[\"" WEBHOOK_SECRET "\"]}"
/* 32 ASCII bytes; secrets_b64 below is its base64. */
#define HMAC_SECRET "test-hmac-secret-0123456789abcde"
#define HMAC_CONFIG                                                                            \
    "{\"realm\":\"t\",\"keys\":[{\"key_id\":\"svc-a\",\"algorithm\":\"hmac-sha256\","          \
    "\"secrets_b64\":[\"dGVzdC1obWFjLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGU=\"],\"subject\":\"billing\"," \
    "\"scopes\":[\"orders:write\"]}]}"
#define NONCE_A "dGVzdC1ub25jZS0wMDAwMDE"
#define NONCE_B "dGVzdC1ub25jZS0wMDAwMDI"
#define HTTPSIG_SECRET "test-httpsig-secret-0123456789ab"
#define HTTPSIG_CONFIG "{\"required_components\":[\"@method\",\"@target-uri\"],\"require_content_digest\":false}"
#define HTTPSIG_SPEC "{\"label\":\"sig1\",\"components\":[\"@method\",\"@target-uri\"],\"created\":1767225600}"
/* The RFC 9421 B.1.4 test key. */
#define ED25519_PUBLIC                                                                         \
    "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n" \
    "-----END PUBLIC KEY-----\n"
#define ED25519_PRIVATE                                                                         \
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n" \
    "-----END PRIVATE KEY-----\n"

/* Reads a text output of `fn(args..., buf, cap, &len)` into the array `out`, after a size
   query. */
#define TEXT_ARGS(fn, out, ...)                                                                \
    do {                                                                                       \
        size_t ta_need_ = 0;                                                                   \
        RC(fn(__VA_ARGS__, NULL, 0, &ta_need_),                                                \
           ta_need_ == 0 ? PORTCULLIS_OK : PORTCULLIS_RESULT_BUFFER_TOO_SMALL);                \
        CHECK(ta_need_ < sizeof(out));                                                         \
        size_t ta_got_ = 0;                                                                    \
        (out)[0] = '\0';                                                                       \
        RC(fn(__VA_ARGS__, (uint8_t *)(out), sizeof(out), &ta_got_), PORTCULLIS_OK);           \
        CHECK(ta_got_ == ta_need_ && (out)[ta_got_ < sizeof(out) ? ta_got_ : 0] == '\0');      \
    } while (0)

/* Reads the pair at `i` of a header list into `name` / `value` (NUL-terminated). */
void header_at(const portcullis_headers *h, size_t i, char *name, size_t name_cap, char *value,
               size_t value_cap);
/* Adds every pair of `h` to `req`. */
void add_headers(portcullis_request *req, const portcullis_headers *h);
/* POST /webhooks with `body`, signed by `signer` as `message_id` at `now`; NULL on failure.
   Counts no checks, so threads may call it (as signed_pcs1). */
portcullis_request *signed_webhook(portcullis_webhook_signer *signer, const char *message_id,
                                   const char *body, int64_t now);
/* POST /orders?b=2&a=1 (Host api.example.com) with `body`, PCS1-signed with `nonce` at `now`;
   NULL on failure. */
portcullis_request *signed_pcs1(portcullis_hmac_signing_key *key, const char *nonce,
                                const char *body, int64_t now);

/* A webhook delivery as a host's HTTP layer holds it: the body and its header fields, which
   point into `names` / `values` (so the struct is not to be copied). */
#define PAYLOAD_FIELDS 6
typedef struct {
    char names[PAYLOAD_FIELDS][32];
    char values[PAYLOAD_FIELDS][256];
    portcullis_header_field fields[PAYLOAD_FIELDS];
    size_t count;
    const char *body;
} webhook_payload;
/* Signs `body` as `message_id` (may be "" for none) at `now` into `*out`; 1 on success. Counts
   no checks, so threads may call it. */
int sign_payload(portcullis_webhook_signer *signer, const char *message_id, const char *body,
                 int64_t now, webhook_payload *out);
/* verify_payload of `w` at `now`; returns the result and frees the principal. */
portcullis_result verify_payload(portcullis_webhook_verifier *v, const webhook_payload *w,
                                 int64_t now);

#endif
