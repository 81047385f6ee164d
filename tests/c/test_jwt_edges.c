/*
 * Edges of the JWT API: NULL for every pointer argument of every function, non-UTF-8 text
 * inputs, bad JSON, the output buffer convention on every text output, _free(NULL) and
 * _retain(NULL). Outputs preset to SENTINEL prove failures leave them alone.
 */
#include <stdlib.h>

#include "jwt_fixtures.h"

static const uint8_t BAD_UTF8[] = {'k', 0xff, 0xfe};
#define BAD BAD_UTF8, sizeof BAD_UTF8
#define NP PORTCULLIS_RESULT_NULL_POINTER
#define U8ERR PORTCULLIS_RESULT_INVALID_UTF8

static void test_key_edges(portcullis_jwt_key *key, portcullis_jwt_key *pair) {
    portcullis_jwt_key *k = SENTINEL;
    /* NULL outputs, NULL inputs with a length. */
    RC(portcullis_jwt_key_from_secret(S(JWT_SECRET), S("HS256"), S(""), NULL), NP);
    RC(portcullis_jwt_key_from_secret(NULL, 32, S("HS256"), S(""), &k), NP);
    RC(portcullis_jwt_key_from_secret(S(JWT_SECRET), NULL, 5, S(""), &k), NP);
    RC(portcullis_jwt_key_from_secret(S(JWT_SECRET), S("HS256"), NULL, 2, &k), NP);
    RC(portcullis_jwt_key_from_pem(S(ED25519_PUBLIC), S("EdDSA"), S(""), NULL), NP);
    RC(portcullis_jwt_key_from_pem(NULL, 9, S("EdDSA"), S(""), &k), NP);
    RC(portcullis_jwt_key_from_pem(S(ED25519_PUBLIC), NULL, 5, S(""), &k), NP);
    RC(portcullis_jwt_key_from_der((const uint8_t *)"\x30", 1, S("EdDSA"), S(""), NULL), NP);
    RC(portcullis_jwt_key_from_der(NULL, 3, S("EdDSA"), S(""), &k), NP);
    RC(portcullis_jwt_key_from_jwk(S(RFC8037_JWK), S(""), NULL), NP);
    RC(portcullis_jwt_key_from_jwk(NULL, 4, S(""), &k), NP);
    RC(portcullis_jwt_key_from_jwk(S(RFC8037_JWK), NULL, 5, &k), NP);
    RC(portcullis_jwt_key_generate(S("ES256"), NULL), NP);
    RC(portcullis_jwt_key_generate(NULL, 5, &k), NP);
    /* NULL/empty secrets, and non-UTF-8 text (alg, kid, JWK). */
    RC(portcullis_jwt_key_from_secret(NULL, 0, S("HS256"), S(""), &k), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_key_from_secret(S(JWT_SECRET), BAD, S(""), &k), U8ERR);
    RC(portcullis_jwt_key_from_secret(S(JWT_SECRET), S("HS256"), BAD, &k), U8ERR);
    RC(portcullis_jwt_key_from_pem(S(ED25519_PUBLIC), S("EdDSA"), BAD, &k), U8ERR);
    RC(portcullis_jwt_key_from_der((const uint8_t *)"\x30", 1, BAD, S(""), &k), U8ERR);
    RC(portcullis_jwt_key_from_jwk(BAD, S(""), &k), U8ERR);
    RC(portcullis_jwt_key_from_jwk(S(RFC8037_JWK), BAD, &k), U8ERR);
    RC(portcullis_jwt_key_from_jwk(S("{"), S(""), &k), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_key_generate(BAD, &k), U8ERR);
    RC(portcullis_jwt_key_generate(S(""), &k), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    CHECK(k == SENTINEL);

    /* Accessors: NULL handle, NULL out_len, NULL buffer with a capacity, too small. */
    portcullis_result (*const texts[])(const portcullis_jwt_key *, uint8_t *, size_t, size_t *) = {
        portcullis_jwt_key_kid, portcullis_jwt_key_algorithm, portcullis_jwt_key_public_jwk,
        portcullis_jwt_key_thumbprint, portcullis_jwt_key_private_pem};
    char buf[4096];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = 0;
        RC(texts[i](NULL, (uint8_t *)buf, sizeof buf, &len), NP);
        RC(texts[i](pair, (uint8_t *)buf, sizeof buf, NULL), NP);
        RC(texts[i](pair, NULL, 8, &len), NP);
        RC(texts[i](pair, NULL, 0, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
        CHECK(len > 1 && len < sizeof buf);
        memset(buf, 'Z', sizeof buf);
        size_t small = 0;
        RC(texts[i](pair, (uint8_t *)buf, len - 1, &small), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
        CHECK(small == len && buf[0] == 'Z');
        RC(texts[i](pair, (uint8_t *)buf, len, &small), PORTCULLIS_OK);
        CHECK(small == len && buf[len] == 'Z'); /* exact fit: no NUL */
    }
    size_t len = 9;
    RC(portcullis_jwt_key_kid(key, NULL, 0, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == 2);
    CHECK(!portcullis_jwt_key_can_sign(NULL));

    /* Thumbprint of a JWK text. */
    RC(portcullis_jwk_thumbprint(S(RFC8037_JWK), (uint8_t *)buf, sizeof buf, NULL), NP);
    RC(portcullis_jwk_thumbprint(NULL, 3, (uint8_t *)buf, sizeof buf, &len), NP);
    RC(portcullis_jwk_thumbprint(BAD, (uint8_t *)buf, sizeof buf, &len), U8ERR);
    RC(portcullis_jwk_thumbprint(S(RFC8037_JWK), NULL, 0, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == strlen(RFC8037_THUMBPRINT));
    RC(portcullis_jwk_thumbprint(S(RFC8037_JWK), (uint8_t *)buf, 10, &len),
       PORTCULLIS_RESULT_BUFFER_TOO_SMALL);

    /* Encode. */
    RC(portcullis_jwt_encode(S("{}"), key, S(""), (uint8_t *)buf, sizeof buf, NULL), NP);
    RC(portcullis_jwt_encode(S("{}"), NULL, S(""), (uint8_t *)buf, sizeof buf, &len), NP);
    RC(portcullis_jwt_encode(NULL, 2, key, S(""), (uint8_t *)buf, sizeof buf, &len), NP);
    RC(portcullis_jwt_encode(S("{}"), key, NULL, 2, (uint8_t *)buf, sizeof buf, &len), NP);
    RC(portcullis_jwt_encode(S("{}"), key, S(""), NULL, 4, &len), NP);
    RC(portcullis_jwt_encode(BAD, key, S(""), (uint8_t *)buf, sizeof buf, &len), U8ERR);
    RC(portcullis_jwt_encode(S("{}"), key, BAD, (uint8_t *)buf, sizeof buf, &len), U8ERR);
    RC(portcullis_jwt_encode(NULL, 0, key, S(""), (uint8_t *)buf, sizeof buf, &len),
       PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_jwt_encode(S("{}"), key, S("{"), (uint8_t *)buf, sizeof buf, &len),
       PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_jwt_encode(S("{}"), key, S(""), NULL, 0, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    size_t need = len;
    RC(portcullis_jwt_encode(S("{}"), key, S(""), (uint8_t *)buf, need - 1, &len),
       PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    RC(portcullis_jwt_encode(S("{}"), key, S(""), (uint8_t *)buf, need + 1, &len), PORTCULLIS_OK);
    CHECK(len == need && buf[need] == '\0' && strlen(buf) == need);
}

static void test_keyset_edges(portcullis_jwt_key *key) {
    portcullis_jwt_keyset *set = NULL, *s2 = SENTINEL;
    RC(portcullis_jwt_keyset_new(NULL), NP);
    RC(portcullis_jwt_keyset_new(&set), PORTCULLIS_OK);
    RC(portcullis_jwt_keyset_from_jwks(S("{\"keys\":[]}"), NULL), NP);
    RC(portcullis_jwt_keyset_from_jwks(NULL, 2, &s2), NP);
    RC(portcullis_jwt_keyset_from_jwks(BAD, &s2), U8ERR);
    RC(portcullis_jwt_keyset_from_jwks(S("[]"), &s2), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_keyset_from_jwks(NULL, 0, &s2), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    CHECK(s2 == SENTINEL);
    size_t n = 7;
    RC(portcullis_jwt_keyset_add_jwks(NULL, S("{\"keys\":[]}"), &n), NP);
    RC(portcullis_jwt_keyset_add_jwks(set, NULL, 3, &n), NP);
    RC(portcullis_jwt_keyset_add_jwks(set, BAD, &n), U8ERR);
    CHECK(n == 7);
    RC(portcullis_jwt_keyset_insert(NULL, key), NP);
    RC(portcullis_jwt_keyset_insert(set, NULL), NP);
    RC(portcullis_jwt_keyset_remove(NULL, S("k"), &n), NP);
    RC(portcullis_jwt_keyset_remove(set, NULL, 1, &n), NP);
    RC(portcullis_jwt_keyset_remove(set, BAD, &n), U8ERR);
    RC(portcullis_jwt_keyset_remove(set, S("absent"), &n), PORTCULLIS_OK);
    CHECK(n == 0);
    CHECK(portcullis_jwt_keyset_len(NULL) == 0);
    char buf[64];
    size_t len = 0;
    RC(portcullis_jwt_keyset_public_jwks(NULL, (uint8_t *)buf, sizeof buf, &len), NP);
    RC(portcullis_jwt_keyset_public_jwks(set, (uint8_t *)buf, sizeof buf, NULL), NP);
    RC(portcullis_jwt_keyset_public_jwks(set, NULL, 0, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == strlen("{\"keys\":[]}"));
    RC(portcullis_jwt_keyset_public_jwks(set, (uint8_t *)buf, 3, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    RC(portcullis_jwt_keyset_public_jwks(set, (uint8_t *)buf, sizeof buf, &len), PORTCULLIS_OK);
    CHECK(strcmp(buf, "{\"keys\":[]}") == 0);
    CHECK(portcullis_jwt_keyset_retain(NULL) == NULL);
    portcullis_jwt_keyset *again = portcullis_jwt_keyset_retain(set);
    CHECK(again == set);
    portcullis_jwt_keyset_free(again);

    /* Verifier construction. */
    portcullis_jwt_verifier *v = SENTINEL;
    RC(portcullis_jwt_verifier_new(set, S(""), NULL), NP);
    RC(portcullis_jwt_verifier_new(NULL, S(""), &v), NP);
    RC(portcullis_jwt_verifier_new(set, NULL, 2, &v), NP);
    RC(portcullis_jwt_verifier_new(set, BAD, &v), U8ERR);
    RC(portcullis_jwt_verifier_new(set, S("{"), &v), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_jwt_verifier_new(set, S("{\"leeway_seconds\":301}"), &v),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_jwt_verifier_new(set, S("{\"audiences\":[\"\"]}"), &v), PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_jwt_verifier_new(set, S("{\"algorithms\":[\"none\"]}"), &v),
       PORTCULLIS_RESULT_JSON_INVALID);
    CHECK(v == SENTINEL);
    portcullis_jwt_keyset_free(set);
}

static void test_verifier_edges(portcullis_jwt_verifier *v, const char *token) {
    portcullis_principal *p = SENTINEL;
    portcullis_denial *d = NULL;
    portcullis_request *req = bearer(token, NOW);
    /* NULL verifier / request / principal: the code, and a denial carrying it. */
    RC(portcullis_jwt_verifier_verify(NULL, req, S(""), &p, &d), NP);
    CHECK(d != NULL && portcullis_denial_code(d) == NP);
    portcullis_denial_free(d);
    d = NULL;
    RC(portcullis_jwt_verifier_verify(v, NULL, S(""), &p, &d), NP);
    portcullis_denial_free(d);
    RC(portcullis_jwt_verifier_verify(v, req, S(""), NULL, NULL), NP);
    RC(portcullis_jwt_verifier_verify(v, req, NULL, 3, &p, NULL), NP);
    RC(portcullis_jwt_verifier_verify(v, req, BAD, &p, NULL), U8ERR);
    RC(portcullis_jwt_verifier_verify_token(NULL, S(token), NOW, true, S(""), &p, NULL), NP);
    RC(portcullis_jwt_verifier_verify_token(v, NULL, 5, NOW, true, S(""), &p, NULL), NP);
    RC(portcullis_jwt_verifier_verify_token(v, S(token), NOW, true, S(""), NULL, NULL), NP);
    RC(portcullis_jwt_verifier_verify_token(v, BAD, NOW, true, S(""), &p, NULL), U8ERR);
    RC(portcullis_jwt_verifier_verify_token(v, S(token), NOW, true, BAD, &p, NULL), U8ERR);
    RC(portcullis_jwt_verifier_verify_token(v, NULL, 0, NOW, true, S(""), &p, NULL),
       PORTCULLIS_RESULT_JWT_MALFORMED);
    CHECK(p == SENTINEL);
    /* out_denial may be NULL. */
    p = NULL;
    RC(portcullis_jwt_verifier_verify_token(v, S(token), NOW, true, S(""), &p, NULL), PORTCULLIS_OK);
    portcullis_principal_free(p);
    portcullis_request_free(req);

    portcullis_verified_jws *jws = SENTINEL;
    RC(portcullis_jwt_verifier_verify_jws(NULL, S(token), &jws), NP);
    RC(portcullis_jwt_verifier_verify_jws(v, S(token), NULL), NP);
    RC(portcullis_jwt_verifier_verify_jws(v, NULL, 4, &jws), NP);
    RC(portcullis_jwt_verifier_verify_jws(v, BAD, &jws), U8ERR);
    CHECK(jws == SENTINEL);
    RC(portcullis_jwt_verifier_verify_jws(v, S(token), &jws), PORTCULLIS_OK);
    portcullis_result (*const texts[])(const portcullis_verified_jws *, uint8_t *, size_t,
                                       size_t *) = {
        portcullis_verified_jws_alg, portcullis_verified_jws_kid,
        portcullis_verified_jws_header_json, portcullis_verified_jws_payload};
    char buf[2048];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = 0, small = 0;
        RC(texts[i](NULL, (uint8_t *)buf, sizeof buf, &len), NP);
        RC(texts[i](jws, (uint8_t *)buf, sizeof buf, NULL), NP);
        RC(texts[i](jws, NULL, 3, &len), NP);
        RC(texts[i](jws, NULL, 0, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
        CHECK(len > 1 && len < sizeof buf);
        memset(buf, 'Z', sizeof buf);
        RC(texts[i](jws, (uint8_t *)buf, len - 1, &small), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
        CHECK(small == len && buf[0] == 'Z');
        RC(texts[i](jws, (uint8_t *)buf, len + 1, &small), PORTCULLIS_OK);
        CHECK(small == len && buf[len] == '\0');
    }
    portcullis_verified_jws_free(jws);

    RC(portcullis_jwt_verifier_revoke(NULL, S("j"), NOW + 10, NOW), NP);
    RC(portcullis_jwt_verifier_revoke(v, NULL, 1, NOW + 10, NOW), NP);
    RC(portcullis_jwt_verifier_revoke(v, BAD, NOW + 10, NOW), U8ERR);
    RC(portcullis_jwt_verifier_clear_cache(NULL), NP);
    RC(portcullis_jwt_verifier_clear_cache(v), PORTCULLIS_OK);
    CHECK(portcullis_jwt_verifier_retain(NULL) == NULL);
    portcullis_jwt_verifier *again = portcullis_jwt_verifier_retain(v);
    CHECK(again == v);
    portcullis_jwt_verifier_free(again);
}

void test_jwt_edges(void) {
    portcullis_jwt_key *key = jwt_hs256("k1"), *pair = NULL;
    CHECK(key != NULL);
    RC(portcullis_jwt_key_generate(S("ES256"), &pair), PORTCULLIS_OK);
    test_key_edges(key, pair);
    test_keyset_edges(key);

    portcullis_jwt_keyset *set = NULL;
    portcullis_jwt_verifier *v = NULL;
    RC(portcullis_jwt_keyset_new(&set), PORTCULLIS_OK);
    RC(portcullis_jwt_keyset_insert(set, key), PORTCULLIS_OK);
    RC(portcullis_jwt_verifier_new(set, S(""), &v), PORTCULLIS_OK);
    char token[1024];
    RC(jwt_sign("{\"sub\":\"edge\",\"exp\":1767229200}", key, "", token, sizeof token), PORTCULLIS_OK);
    test_verifier_edges(v, token);

    /* _free(NULL) is a no-op for every new handle type. */
    portcullis_jwt_key_free(NULL);
    portcullis_jwt_keyset_free(NULL);
    portcullis_jwt_verifier_free(NULL);
    portcullis_verified_jws_free(NULL);
    CHECK(1);

    portcullis_jwt_verifier_free(v);
    portcullis_jwt_keyset_free(set);
    portcullis_jwt_key_free(key);
    portcullis_jwt_key_free(pair);
}
