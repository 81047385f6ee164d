/* Shared by the test_jwt*.c files: fixtures and helpers for the JWT API. */
#ifndef PORTCULLIS_TEST_JWT_FIXTURES_H
#define PORTCULLIS_TEST_JWT_FIXTURES_H

#include "signatures.h"

/* 32 ASCII bytes: an HS256 secret. */
#define JWT_SECRET "test-jwt-secret-0123456789abcdef"
#define JWT_CONFIG "{\"issuers\":[\"https://issuer.test\"],\"audiences\":[\"orders-api\"]}"
/* RFC 8037 A.3: an Ed25519 public JWK and its RFC 7638 thumbprint. */
#define RFC8037_JWK                                                                            \
    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"
#define RFC8037_THUMBPRINT "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
/* A token whose header is {"alg":"none"}. */
#define ALG_NONE_TOKEN "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."

/* An HS256 key from JWT_SECRET with `kid` ("" for none); NULL on failure. Counts no checks. */
portcullis_jwt_key *jwt_hs256(const char *kid);
/* Signs `claims` (JSON) with `key` and header options `options` ("" for defaults) into `out`;
   returns the result. Counts no checks, so threads may call it. */
portcullis_result jwt_sign(const char *claims, const portcullis_jwt_key *key, const char *options,
                           char *out, size_t cap);
/* Verifies `token` at `now` with `scopes` through the token-level call; returns the result and
   frees the outputs. Counts no checks. */
portcullis_result jwt_check(const portcullis_jwt_verifier *v, const char *token, int64_t now,
                            const char *scopes);

#endif
