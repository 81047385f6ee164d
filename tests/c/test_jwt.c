/*
 * The JWT API end to end: HS256 keys, key sets and verifiers, request-level and token-level
 * verification with their denials and challenges, verify_jws, encode's header options, key
 * generation and import/export round trips (PEM, DER, JWK) for every family, JWKS, `alg: none`
 * and algorithm confusion refused, revocation and the verified-token cache, and no secret in
 * any output. NULL pointers, buffers and threads are in test_jwt_edges.c / test_jwt_threads.c.
 */
#include <stdlib.h>

#include "jwt_fixtures.h"

portcullis_jwt_key *jwt_hs256(const char *kid) {
    portcullis_jwt_key *key = NULL;
    if (portcullis_jwt_key_from_secret(S(JWT_SECRET), S("HS256"), S(kid), &key) != PORTCULLIS_OK)
        return NULL;
    return key;
}

portcullis_result jwt_sign(const char *claims, const portcullis_jwt_key *key, const char *options,
                           char *out, size_t cap) {
    size_t len = 0;
    out[0] = '\0';
    return portcullis_jwt_encode(S(claims), key, S(options), (uint8_t *)out, cap, &len);
}

portcullis_result jwt_check(const portcullis_jwt_verifier *v, const char *token, int64_t now,
                            const char *scopes) {
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    portcullis_result rc =
        portcullis_jwt_verifier_verify_token(v, S(token), now, true, S(scopes), &p, &d);
    if ((rc == PORTCULLIS_OK) != (p != NULL) || (rc == PORTCULLIS_OK) != (d == NULL) ||
        (d != NULL && portcullis_denial_code(d) != rc))
        rc = PORTCULLIS_RESULT_INTERNAL;
    portcullis_principal_free(p);
    portcullis_denial_free(d);
    return rc;
}

/* The standard claims for `sub`/`aud` at NOW, valid 600 s, with `extra` members appended. */
static void claims(char *out, size_t cap, const char *sub, const char *aud, const char *extra) {
    snprintf(out, cap,
             "{\"sub\":\"%s\",\"iss\":\"https://issuer.test\",\"aud\":\"%s\",\"iat\":%lld,"
             "\"exp\":%lld,\"scope\":\"orders:read orders:list\"%s}",
             sub, aud, NOW, NOW + 600, extra);
}

/* A verifier over a set holding `key` (and nothing else), with `config`. */
static portcullis_jwt_verifier *verifier_for(const portcullis_jwt_key *key, const char *config) {
    portcullis_jwt_keyset *set = NULL;
    portcullis_jwt_verifier *v = NULL;
    RC(portcullis_jwt_keyset_new(&set), PORTCULLIS_OK);
    RC(portcullis_jwt_keyset_insert(set, key), PORTCULLIS_OK);
    RC(portcullis_jwt_verifier_new(set, S(config), &v), PORTCULLIS_OK);
    portcullis_jwt_keyset_free(set); /* the verifier keeps the keys */
    return v;
}

static void test_hs256_flow(void) {
    portcullis_jwt_key *key = jwt_hs256("k1");
    CHECK(key != NULL);
    char text[512], token[1024], body[512];
    TEXT(portcullis_jwt_key_kid, key, text);
    CHECK(strcmp(text, "k1") == 0);
    TEXT(portcullis_jwt_key_algorithm, key, text);
    CHECK(strcmp(text, "HS256") == 0);
    CHECK(portcullis_jwt_key_can_sign(key));
    size_t len = 0;
    /* Secrets are never exported. */
    RC(portcullis_jwt_key_public_jwk(key, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_key_thumbprint(key, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_key_private_pem(key, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_JWT_KEY_INVALID);

    portcullis_jwt_verifier *v = verifier_for(key, JWT_CONFIG);
    claims(body, sizeof body, "user-42", "orders-api", "");
    RC(jwt_sign(body, key, "", token, sizeof token), PORTCULLIS_OK);

    /* Request level, with a required scope. */
    char header[1200];
    snprintf(header, sizeof header, "Bearer %s", token);
    portcullis_request *req = request("Authorization", header, NOW);
    portcullis_principal *p = NULL;
    portcullis_denial *d = SENTINEL;
    RC(portcullis_jwt_verifier_verify(v, req, S("orders:read"), &p, &d), PORTCULLIS_OK);
    CHECK(d == SENTINEL);
    TEXT(portcullis_principal_subject, p, text);
    CHECK(strcmp(text, "user-42") == 0);
    TEXT(portcullis_principal_method_name, p, text);
    CHECK(strcmp(text, "jwt") == 0);
    CHECK(portcullis_principal_method(p) == 3);
    TEXT(portcullis_principal_credential_id, p, text);
    CHECK(strcmp(text, "k1") == 0);
    TEXT(portcullis_principal_scopes, p, text);
    CHECK(strcmp(text, "orders:read orders:list") == 0);
    char want[512];
    snprintf(want, sizeof want,
             "{\"aud\":\"orders-api\",\"exp\":%lld,\"iat\":%lld,\"iss\":\"https://issuer.test\","
             "\"scope\":\"orders:read orders:list\",\"sub\":\"user-42\"}",
             NOW + 600, NOW);
    TEXT(portcullis_principal_claims_json, p, text);
    CHECK(strcmp(text, want) == 0);
    int64_t at = 0;
    bool has = false;
    RC(portcullis_principal_expires_at(p, &at, &has), PORTCULLIS_OK);
    CHECK(has && at == NOW + 600);
    portcullis_principal_free(p);

    /* A missing scope: 403 with the insufficient_scope challenge. */
    p = SENTINEL;
    d = NULL;
    RC(portcullis_jwt_verifier_verify(v, req, S("orders:write"), &p, &d),
       PORTCULLIS_RESULT_SCOPE_INSUFFICIENT);
    CHECK(p == SENTINEL && d != NULL);
    TEXT(portcullis_denial_challenge, d, text);
    CHECK(strcmp(text, "Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"orders:write\"") == 0);
    CHECK(portcullis_denial_http_status(d) == 403);
    portcullis_denial_free(d);
    portcullis_request_free(req);

    /* No credentials, a Basic header: credentials_missing with a bare challenge. */
    req = request(NULL, NULL, NOW);
    d = NULL;
    RC(portcullis_jwt_verifier_verify(v, req, S(""), &p, &d), PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    TEXT(portcullis_denial_challenge, d, text);
    CHECK(strcmp(text, "Bearer realm=\"api\"") == 0);
    portcullis_denial_free(d);
    portcullis_request_free(req);

    /* Token level: time, audience, alg none, tampering. */
    RC(jwt_check(v, token, NOW, ""), PORTCULLIS_OK);
    RC(jwt_check(v, token, NOW + 700, ""), PORTCULLIS_RESULT_JWT_EXPIRED);
    RC(jwt_check(v, token, NOW - 3600, ""), PORTCULLIS_RESULT_JWT_ISSUED_IN_FUTURE);
    RC(jwt_check(v, ALG_NONE_TOKEN, NOW, ""), PORTCULLIS_RESULT_JWT_ALGORITHM_REFUSED);
    claims(body, sizeof body, "user-42", "billing-api", "");
    char other[1024];
    RC(jwt_sign(body, key, "", other, sizeof other), PORTCULLIS_OK);
    RC(jwt_check(v, other, NOW, ""), PORTCULLIS_RESULT_JWT_AUDIENCE_MISMATCH);
    char tampered[1024];
    snprintf(tampered, sizeof tampered, "%s", token);
    size_t last = strlen(tampered) - 1;
    tampered[last] = tampered[last] == 'A' ? 'Q' : 'A';
    RC(jwt_check(v, tampered, NOW, ""), PORTCULLIS_RESULT_JWT_SIGNATURE_INVALID);
    RC(jwt_check(v, "not.a.jwt", NOW, ""), PORTCULLIS_RESULT_JWT_MALFORMED);
    /* No time given: the system clock decides (the token is valid from NOW to NOW + 600). */
    p = NULL;
    d = NULL;
    portcullis_result clock_rc =
        portcullis_jwt_verifier_verify_token(v, S(token), 0, false, S(""), &p, &d);
    CHECK(clock_rc == PORTCULLIS_OK || clock_rc == PORTCULLIS_RESULT_JWT_EXPIRED ||
          clock_rc == PORTCULLIS_RESULT_JWT_ISSUED_IN_FUTURE);
    CHECK((clock_rc == PORTCULLIS_OK) == (p != NULL));
    portcullis_principal_free(p);
    portcullis_denial_free(d);

    /* verify_jws: signature and header only; the header as sorted JSON, the payload bytes. */
    portcullis_verified_jws *jws = NULL;
    RC(portcullis_jwt_verifier_verify_jws(v, S(other), &jws), PORTCULLIS_OK);
    TEXT(portcullis_verified_jws_alg, jws, text);
    CHECK(strcmp(text, "HS256") == 0);
    TEXT(portcullis_verified_jws_kid, jws, text);
    CHECK(strcmp(text, "k1") == 0);
    TEXT(portcullis_verified_jws_header_json, jws, text);
    CHECK(strcmp(text, "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}") == 0);
    TEXT(portcullis_verified_jws_payload, jws, text);
    CHECK(strstr(text, "\"aud\":\"billing-api\"") != NULL);
    portcullis_verified_jws_free(jws);
    jws = SENTINEL;
    RC(portcullis_jwt_verifier_verify_jws(v, S(tampered), &jws), PORTCULLIS_RESULT_JWT_SIGNATURE_INVALID);
    CHECK(jws == SENTINEL);

    /* Header options: no typ, a cty, another kid (unknown to the set). */
    RC(jwt_sign(body, key, "{\"typ\":null,\"cty\":\"x\",\"kid\":\"k9\"}", other, sizeof other),
       PORTCULLIS_OK);
    RC(jwt_check(v, other, NOW, ""), PORTCULLIS_RESULT_JWT_KEY_UNKNOWN);
    RC(jwt_sign(body, key, "{\"typ\":null,\"cty\":\"x\"}", other, sizeof other), PORTCULLIS_OK);
    RC(portcullis_jwt_verifier_verify_jws(v, S(other), &jws), PORTCULLIS_OK);
    TEXT(portcullis_verified_jws_header_json, jws, text);
    CHECK(strcmp(text, "{\"alg\":\"HS256\",\"cty\":\"x\",\"kid\":\"k1\"}") == 0);
    portcullis_verified_jws_free(jws);
    RC(jwt_sign(body, key, "{\"bogus\":1}", other, sizeof other), PORTCULLIS_RESULT_JSON_INVALID);
    RC(jwt_sign("[1]", key, "", other, sizeof other), PORTCULLIS_RESULT_JSON_INVALID);
    RC(jwt_sign("{\"exp\":\"soon\"}", key, "", other, sizeof other), PORTCULLIS_RESULT_INVALID_ARGUMENT);

    portcullis_jwt_verifier_free(v);
    portcullis_jwt_key_free(key);
}

/* Standard base64 of a PEM body (lines between the armour) into `out`; returns the length. */
static size_t pem_to_der(const char *pem, unsigned char *out, size_t cap) {
    const char *p = strstr(pem, "-----\n");
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (p = p ? p + 6 : pem; *p != '\0' && *p != '-'; p++) {
        const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *at = strchr(abc, *p);
        if (*p == '\n' || *p == '=' || at == NULL)
            continue;
        acc = (acc << 6) | (unsigned)(at - abc);
        bits += 6;
        if (bits >= 8 && n < cap) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return n;
}

/* Generate, sign, export and re-import one asymmetric algorithm. */
static void roundtrip(const char *alg) {
    portcullis_jwt_key *priv = NULL, *from_pem = NULL, *from_der = NULL, *public = NULL;
    RC(portcullis_jwt_key_generate(S(alg), &priv), PORTCULLIS_OK);
    if (priv == NULL)
        return;
    char kid[128], thumb[128], text[256], jwk[2048], token[4096], body[512];
    static char pem[8192];
    TEXT(portcullis_jwt_key_kid, priv, kid);
    TEXT(portcullis_jwt_key_thumbprint, priv, thumb);
    CHECK(strcmp(kid, thumb) == 0); /* a generated key's kid is its thumbprint */
    TEXT(portcullis_jwt_key_algorithm, priv, text);
    CHECK(strcmp(text, alg) == 0);
    CHECK(portcullis_jwt_key_can_sign(priv));

    /* PEM and DER of the private key give the same key. */
    TEXT(portcullis_jwt_key_private_pem, priv, pem);
    CHECK(strncmp(pem, "-----BEGIN PRIVATE KEY-----", 27) == 0);
    RC(portcullis_jwt_key_from_pem(S(pem), S(alg), S(kid), &from_pem), PORTCULLIS_OK);
    TEXT(portcullis_jwt_key_thumbprint, from_pem, text);
    CHECK(strcmp(text, thumb) == 0);
    static unsigned char der[8192];
    size_t der_len = pem_to_der(pem, der, sizeof der);
    RC(portcullis_jwt_key_from_der(der, der_len, S(alg), S(""), &from_der), PORTCULLIS_OK);
    TEXT(portcullis_jwt_key_thumbprint, from_der, text);
    CHECK(strcmp(text, thumb) == 0);
    TEXT(portcullis_jwt_key_kid, from_der, text);
    CHECK(text[0] == '\0'); /* no kid given */

    /* The public JWK: no private member, re-imports as a public key. */
    TEXT(portcullis_jwt_key_public_jwk, priv, jwk);
    CHECK(strstr(jwk, "\"d\":") == NULL && strstr(jwk, "\"use\":\"sig\"") != NULL);
    CHECK(strstr(jwk, kid) != NULL);
    RC(portcullis_jwt_key_from_jwk(S(jwk), S(""), &public), PORTCULLIS_OK);
    CHECK(!portcullis_jwt_key_can_sign(public));
    TEXT(portcullis_jwt_key_thumbprint, public, text);
    CHECK(strcmp(text, thumb) == 0);
    size_t len = 0;
    RC(portcullis_jwt_key_private_pem(public, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwk_thumbprint(S(jwk), (uint8_t *)text, sizeof text, &len), PORTCULLIS_OK);
    CHECK(strcmp(text, thumb) == 0);

    /* Sign with each private copy; verify with a set holding only the public key, then with a
       set built from the public JWKS. */
    claims(body, sizeof body, "svc", "orders-api", "");
    portcullis_jwt_verifier *v = verifier_for(public, JWT_CONFIG);
    RC(jwt_sign(body, priv, "", token, sizeof token), PORTCULLIS_OK);
    RC(jwt_check(v, token, NOW, "orders:read"), PORTCULLIS_OK);
    RC(jwt_sign(body, from_pem, "", token, sizeof token), PORTCULLIS_OK);
    RC(jwt_check(v, token, NOW, ""), PORTCULLIS_OK);
    RC(jwt_sign(body, public, "", token, sizeof token), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    portcullis_jwt_verifier_free(v);

    portcullis_jwt_keyset *set = NULL, *copy = NULL;
    RC(portcullis_jwt_keyset_new(&set), PORTCULLIS_OK);
    RC(portcullis_jwt_keyset_insert(set, priv), PORTCULLIS_OK);
    static char jwks[4096];
    TEXT(portcullis_jwt_keyset_public_jwks, set, jwks);
    CHECK(strncmp(jwks, "{\"keys\":[{", 10) == 0 && strstr(jwks, "\"d\":") == NULL);
    RC(portcullis_jwt_keyset_from_jwks(S(jwks), &copy), PORTCULLIS_OK);
    CHECK(portcullis_jwt_keyset_len(copy) == 1);
    RC(portcullis_jwt_verifier_new(copy, S(JWT_CONFIG), &v), PORTCULLIS_OK);
    RC(jwt_sign(body, from_der, "", token, sizeof token), PORTCULLIS_OK); /* no kid */
    RC(jwt_check(v, token, NOW, ""), PORTCULLIS_OK);
    portcullis_jwt_verifier_free(v);
    portcullis_jwt_keyset_free(copy);
    portcullis_jwt_keyset_free(set);

    portcullis_jwt_key_free(priv);
    portcullis_jwt_key_free(from_pem);
    portcullis_jwt_key_free(from_der);
    portcullis_jwt_key_free(public);
}

static void test_keys(void) {
    const char *algs[] = {"RS256", "PS384", "ES256", "ES384", "ES512", "EdDSA"};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        roundtrip(algs[i]);

    /* A generated HMAC key signs, and a set shares it (the secret itself is never exported). */
    portcullis_jwt_key *hs = NULL;
    RC(portcullis_jwt_key_generate(S("HS512"), &hs), PORTCULLIS_OK);
    char token[1024], text[128];
    TEXT(portcullis_jwt_key_kid, hs, text);
    CHECK(text[0] == '\0');
    RC(jwt_sign("{\"sub\":\"x\"}", hs, "", token, sizeof token), PORTCULLIS_OK);
    portcullis_jwt_keyset *set = NULL;
    RC(portcullis_jwt_keyset_new(&set), PORTCULLIS_OK);
    portcullis_jwt_keyset *shared = NULL;
    RC(portcullis_jwt_keyset_new(&shared), PORTCULLIS_OK);
    RC(portcullis_jwt_keyset_insert(shared, hs), PORTCULLIS_OK);
    portcullis_jwt_key_free(hs); /* the set keeps its share of the key */
    CHECK(portcullis_jwt_keyset_len(shared) == 1);
    portcullis_jwt_keyset_free(shared);

    /* Thumbprints of published JWKs; JWKs of the wrong shape. */
    TEXT_ARGS(portcullis_jwk_thumbprint, text, S(RFC8037_JWK));
    CHECK(strcmp(text, RFC8037_THUMBPRINT) == 0);
    size_t len = 0;
    RC(portcullis_jwk_thumbprint(S("{\"kty\":\"OKP\"}"), (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwk_thumbprint(S("[]"), (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_JWT_KEY_INVALID); /* read as every JWK text is */
    portcullis_jwt_key *k = SENTINEL;
    RC(portcullis_jwt_key_from_jwk(S("{\"kty\":\"oct\",\"k\":\"AAAA\"}"), S(""), &k),
       PORTCULLIS_RESULT_JWT_KEY_INVALID); /* oct needs an explicit alg */
    RC(portcullis_jwt_key_from_jwk(S(RFC8037_JWK), S("ES256"), &k), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    /* An unknown algorithm name (`none` included) is the one unknown-name refusal. */
    RC(portcullis_jwt_key_from_jwk(S(RFC8037_JWK), S("none"), &k), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_jwt_key_from_secret(S(JWT_SECRET), S("none"), S(""), &k),
       PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_jwt_key_from_secret(S("short"), S("HS256"), S(""), &k), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_key_from_secret(S(JWT_SECRET), S("RS256"), S(""), &k), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_key_from_pem(S("not a pem"), S("RS256"), S(""), &k), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_key_from_pem(S(ED25519_PUBLIC), S("HS256"), S(""), &k), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_key_from_der((const uint8_t *)"\x30\x00", 2, S("ES256"), S(""), &k),
       PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_key_generate(S("hs256"), &k), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    CHECK(k == SENTINEL);

    /* Key sets: JWKS import (enc keys skipped), remove, public JWKS without secrets. */
    portcullis_jwt_key *ed = NULL, *sec = jwt_hs256("shared");
    RC(portcullis_jwt_key_from_pem(S(ED25519_PUBLIC), S("EdDSA"), S("ed"), &ed), PORTCULLIS_OK);
    RC(portcullis_jwt_keyset_insert(set, ed), PORTCULLIS_OK);
    RC(portcullis_jwt_keyset_insert(set, sec), PORTCULLIS_OK);
    RC(portcullis_jwt_keyset_insert(set, sec), PORTCULLIS_OK); /* same kid and alg: replaced */
    CHECK(portcullis_jwt_keyset_len(set) == 2);
    size_t n = 99;
    RC(portcullis_jwt_keyset_add_jwks(set, S("{\"keys\":[" RFC8037_JWK ",{\"kty\":\"OKP\",\"crv\":"
                                            "\"X25519\",\"x\":\"AAAA\"}]}"), &n), PORTCULLIS_OK);
    CHECK(n == 1 && portcullis_jwt_keyset_len(set) == 3);
    RC(portcullis_jwt_keyset_add_jwks(set, S("{\"keys\":{}}"), &n), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_keyset_add_jwks(set, S("{\"keys\":[]}"), NULL), PORTCULLIS_OK);
    static char jwks[4096];
    TEXT(portcullis_jwt_keyset_public_jwks, set, jwks);
    CHECK(strstr(jwks, "\"kid\":\"ed\"") != NULL && strstr(jwks, "oct") == NULL);
    CHECK(strstr(jwks, RFC8037_THUMBPRINT) != NULL); /* a JWK without kid: its thumbprint */
    RC(portcullis_jwt_keyset_remove(set, S("shared"), &n), PORTCULLIS_OK);
    CHECK(n == 1 && portcullis_jwt_keyset_len(set) == 2);
    RC(portcullis_jwt_keyset_remove(set, S("shared"), NULL), PORTCULLIS_OK);
    portcullis_jwt_keyset *bad = SENTINEL;
    RC(portcullis_jwt_keyset_from_jwks(S("{\"keys\":[{\"kty\":\"RSA\"}]}"), &bad),
       PORTCULLIS_RESULT_JWT_KEY_INVALID);
    CHECK(bad == SENTINEL);
    portcullis_jwt_key_free(ed);
    portcullis_jwt_key_free(sec);
    portcullis_jwt_keyset_free(set);
}

/* alg none in any spelling, HS256 under an RSA kid, a PEM offered as an HMAC secret. */
static void test_confusion(void) {
    portcullis_jwt_key *rsa = NULL, *fake = NULL;
    RC(portcullis_jwt_key_generate(S("RS256"), &rsa), PORTCULLIS_OK);
    static char pem[8192];
    char kid[128], jwk[4096], token[4096];
    TEXT(portcullis_jwt_key_kid, rsa, kid);
    TEXT(portcullis_jwt_key_public_jwk, rsa, jwk);
    portcullis_jwt_key *public = NULL;
    RC(portcullis_jwt_key_from_jwk(S(jwk), S("RS256"), &public), PORTCULLIS_OK);
    portcullis_jwt_verifier *v = verifier_for(public, "");
    /* The private PEM offered as an HMAC secret is refused outright. */
    TEXT(portcullis_jwt_key_private_pem, rsa, pem);
    RC(portcullis_jwt_key_from_secret(S(pem), S("HS256"), S(kid), &fake), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    RC(portcullis_jwt_key_from_secret(S(jwk), S("HS256"), S(kid), &fake), PORTCULLIS_RESULT_JWT_KEY_INVALID);
    /* An HS256 token naming the RSA key's kid. */
    fake = jwt_hs256(kid);
    RC(jwt_sign("{\"sub\":\"mallory\",\"exp\":1767229200}", fake, "", token, sizeof token), PORTCULLIS_OK);
    RC(jwt_check(v, token, NOW, ""), PORTCULLIS_RESULT_JWT_ALGORITHM_REFUSED);
    const char *nones[] = {ALG_NONE_TOKEN,
                           "eyJhbGciOiJOb25lIn0.eyJzdWIiOiJ4In0.",     /* "None" */
                           "eyJhbGciOiJOT05FIn0.eyJzdWIiOiJ4In0.",     /* "NONE" */
                           "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln"}; /* none + signature */
    for (size_t i = 0; i < sizeof nones / sizeof nones[0]; i++)
        RC(jwt_check(v, nones[i], NOW, ""), PORTCULLIS_RESULT_JWT_ALGORITHM_REFUSED);
    /* Config: an allow-list without RS256 refuses the RSA key's own tokens. */
    portcullis_jwt_verifier *es_only = verifier_for(public, "{\"algorithms\":[\"ES256\"]}");
    RC(jwt_sign("{\"sub\":\"svc\",\"exp\":1767229200}", rsa, "", token, sizeof token), PORTCULLIS_OK);
    RC(jwt_check(v, token, NOW, ""), PORTCULLIS_OK);
    RC(jwt_check(es_only, token, NOW, ""), PORTCULLIS_RESULT_JWT_ALGORITHM_REFUSED);
    portcullis_jwt_verifier_free(es_only);
    portcullis_jwt_verifier_free(v);
    portcullis_jwt_key_free(fake);
    portcullis_jwt_key_free(public);
    portcullis_jwt_key_free(rsa);
}

static void test_revocation_and_cache(void) {
    portcullis_jwt_keyset *set = NULL;
    portcullis_jwt_verifier *v = NULL;
    portcullis_jwt_key *key = jwt_hs256("k1");
    RC(portcullis_jwt_keyset_new(&set), PORTCULLIS_OK);
    RC(portcullis_jwt_keyset_insert(set, key), PORTCULLIS_OK);
    RC(portcullis_jwt_verifier_new(set, S("{\"audiences\":[\"orders-api\"],\"cache_size\":16}"), &v),
       PORTCULLIS_OK);
    char body[512], token[1024], other[1024];
    claims(body, sizeof body, "user-1", "orders-api", ",\"jti\":\"id-1\"");
    RC(jwt_sign(body, key, "", token, sizeof token), PORTCULLIS_OK);
    claims(body, sizeof body, "user-2", "orders-api", ",\"jti\":\"id-2\"");
    RC(jwt_sign(body, key, "", other, sizeof other), PORTCULLIS_OK);
    RC(jwt_check(v, token, NOW, ""), PORTCULLIS_OK);
    RC(jwt_check(v, other, NOW, ""), PORTCULLIS_OK);
    /* Revocation reaches cached tokens too. */
    RC(portcullis_jwt_verifier_revoke(v, S("id-1"), NOW + 3600, NOW), PORTCULLIS_OK);
    RC(jwt_check(v, token, NOW, ""), PORTCULLIS_RESULT_JWT_REVOKED);
    RC(jwt_check(v, token, NOW + 60, ""), PORTCULLIS_RESULT_JWT_REVOKED);
    RC(jwt_check(v, other, NOW, ""), PORTCULLIS_OK);
    /* A removed key: the cached verification stands until the cache is cleared. */
    size_t removed = 0;
    RC(portcullis_jwt_keyset_remove(set, S("k1"), &removed), PORTCULLIS_OK);
    CHECK(removed == 1);
    RC(jwt_check(v, other, NOW, ""), PORTCULLIS_OK);
    RC(portcullis_jwt_verifier_clear_cache(v), PORTCULLIS_OK);
    RC(jwt_check(v, other, NOW, ""), PORTCULLIS_RESULT_JWT_KEY_UNKNOWN);
    /* Adding it back reaches the verifier (the set is shared). */
    RC(portcullis_jwt_keyset_insert(set, key), PORTCULLIS_OK);
    RC(jwt_check(v, other, NOW, ""), PORTCULLIS_OK);
    RC(jwt_check(v, other, NOW + 601 + 60, ""), PORTCULLIS_RESULT_JWT_EXPIRED); /* never past exp */
    portcullis_jwt_verifier_free(v);
    portcullis_jwt_keyset_free(set);
    portcullis_jwt_key_free(key);
}

/* Failed verifications and key errors never show the secret; the challenge of an error. */
static void test_no_secret_leaks(void) {
    portcullis_jwt_key *key = jwt_hs256("k1");
    portcullis_jwt_verifier *v = verifier_for(key, JWT_CONFIG);
    const char *tokens[] = {"abc", ALG_NONE_TOKEN, "a.b.c"};
    char text[1024];
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        portcullis_principal *p = NULL;
        portcullis_denial *d = NULL;
        CHECK(portcullis_jwt_verifier_verify_token(v, S(tokens[i]), NOW, true, S(""), &p, &d) !=
              PORTCULLIS_OK);
        TEXT(portcullis_denial_detail, d, text);
        CHECK(strstr(text, JWT_SECRET) == NULL);
        TEXT(portcullis_denial_message, d, text);
        CHECK(strstr(text, JWT_SECRET) == NULL);
        TEXT(portcullis_denial_challenge, d, text);
        static const char prefix[] =
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=";
        CHECK(strncmp(text, prefix, strlen(prefix)) == 0);
        CHECK(portcullis_denial_http_status(d) == 401);
        portcullis_denial_free(d);
    }
    CHECK(strstr(portcullis_result_message(PORTCULLIS_RESULT_JWT_KEY_INVALID), JWT_SECRET) == NULL);
    CHECK(strcmp(portcullis_result_name(PORTCULLIS_RESULT_JWT_ALGORITHM_REFUSED),
                 "jwt_algorithm_refused") == 0);
    portcullis_jwt_verifier_free(v);
    portcullis_jwt_key_free(key);
}

void test_jwt(void) {
    test_hs256_flow();
    test_keys();
    test_confusion();
    test_revocation_and_cache();
    test_no_secret_leaks();
}
