/*
 * The C API end to end, under AddressSanitizer, LeakSanitizer and UBSan: API keys and Basic,
 * NULL pointers, oversize and non-UTF-8 inputs, the buffer convention, _free(NULL), result
 * names, and 8 threads sharing one keyring and one Basic verifier; then the signature API
 * (test_signatures*.c): webhooks, PCS1 HMAC, Content-Digest, RFC 9421, their edges, and 8
 * threads sharing one webhook verifier and one PCS1 verifier; webhooks from body and header
 * fields (test_webhook_payload.c); then JWT (test_jwt*.c): keys, key sets, verifiers, encode,
 * their edges, and 8 threads sharing one JWT verifier.
 * Prints `N passed, M failed` last and exits non-zero on any failure.
 */
#include <stdlib.h>

#include "check.h"

int checks_passed = 0;
int checks_failed = 0;
char sentinel_object;

static const char RING_CONFIG[] = "{\"prefix\":\"pc\",\"environment\":\"live\",\"realm\":\"t\"}";
static const char BCRYPT_BOB[] = "$2y$05$goj0pwBt4vml.1uO7DxaUe6SvNQJFBMjHhANzqU2Ka/UmCfbq6Rzy";

portcullis_request *request(const char *name, const char *value, int64_t now) {
    portcullis_request *req = NULL;
    RC(portcullis_request_new(S("GET"), S("/orders"), &req), PORTCULLIS_OK);
    if (name != NULL)
        RC(portcullis_request_add_header(req, S(name), S(value)), PORTCULLIS_OK);
    RC(portcullis_request_set_now(req, now), PORTCULLIS_OK);
    return req;
}

portcullis_request *bearer(const char *key, int64_t now) {
    char value[256];
    snprintf(value, sizeof value, "Bearer %s", key);
    return request("Authorization", value, now);
}

portcullis_result ring_check(portcullis_apikey_ring *ring, const char *key, int64_t now,
                             const char *scopes) {
    portcullis_request *req = bearer(key, now);
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    portcullis_result rc = portcullis_apikey_ring_verify(ring, req, S(scopes), &p, &d);
    CHECK((rc == PORTCULLIS_OK) == (p != NULL) && (rc == PORTCULLIS_OK) == (d == NULL));
    if (d != NULL)
        CHECK(portcullis_denial_code(d) == rc);
    portcullis_principal_free(p);
    portcullis_denial_free(d);
    portcullis_request_free(req);
    return rc;
}

static void test_results(void) {
    char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", PORTCULLIS_VERSION_MAJOR,
             PORTCULLIS_VERSION_MINOR, PORTCULLIS_VERSION_PATCH);
    CHECK(strcmp(portcullis_version(), version) == 0);
    CHECK(strcmp(portcullis_result_name(PORTCULLIS_OK), "ok") == 0);
    CHECK(strcmp(portcullis_result_name(PORTCULLIS_RESULT_APIKEY_EXPIRED), "apikey_expired") == 0);
    CHECK(PORTCULLIS_RESULT_APIKEY_EXPIRED == 205);
    CHECK(strcmp(portcullis_result_name(PORTCULLIS_RESULT_BASIC_INVALID_CREDENTIALS),
                 "basic_invalid_credentials") == 0);
    CHECK(strcmp(portcullis_result_name(PORTCULLIS_RESULT_NULL_POINTER), "null_pointer") == 0);
    CHECK(strcmp(portcullis_result_name(PORTCULLIS_RESULT_STORE_UNAVAILABLE), "store_unavailable") == 0);
    CHECK(strcmp(portcullis_result_name(PORTCULLIS_RESULT_SIGNATURE_REPLAYED), "signature_replayed") == 0);
    CHECK(PORTCULLIS_RESULT_SIGNATURE_MISSING == 600 && PORTCULLIS_RESULT_SIGNATURE_SECRET_INVALID == 611);
    CHECK(strcmp(portcullis_result_message(PORTCULLIS_RESULT_APIKEY_EXPIRED),
                 "The API key has expired.") == 0);
    CHECK(strcmp(portcullis_result_message(PORTCULLIS_OK), "Success.") == 0);
    const portcullis_result unknown[] = {12, 99, 108, 299, 310, 599, 612, 4000000, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        CHECK(strcmp(portcullis_result_name(unknown[i]), "unknown") == 0);
        CHECK(strcmp(portcullis_result_message(unknown[i]), "Unknown result code.") == 0);
    }
}

static void test_apikey(void) {
    portcullis_apikey_ring *ring = NULL;
    RC(portcullis_apikey_ring_new(S(PEPPER), S(RING_CONFIG), &ring), PORTCULLIS_OK);
    CHECK(portcullis_apikey_ring_len(ring) == 0);

    portcullis_issued_apikey *issued = NULL;
    RC(portcullis_apikey_ring_generate(
           ring, S("{\"subject\":\"svc\",\"scopes\":[\"read\",\"write\"],\"metadata\":{\"z\":1,\"a\":2},\"now\":1767225600}"),
           &issued),
       PORTCULLIS_OK);
    char key[128], key_id[160], json[2048], text[512];
    TEXT(portcullis_issued_apikey_key, issued, key);
    CHECK(strncmp(key, "pc_live_", 8) == 0 && strlen(key) == 8 + 36);
    portcullis_apikey_record *record = NULL;
    RC(portcullis_issued_apikey_record(issued, &record), PORTCULLIS_OK);
    portcullis_issued_apikey_free(issued);
    TEXT(portcullis_apikey_record_key_id, record, key_id);
    CHECK(strncmp(key_id, "ak_", 3) == 0);
    RC(portcullis_apikey_ring_insert(ring, record), PORTCULLIS_OK);
    CHECK(portcullis_apikey_ring_len(ring) == 1);

    /* The record's JSON round-trips. */
    TEXT(portcullis_apikey_record_to_json, record, json);
    portcullis_apikey_record *copy = NULL;
    RC(portcullis_apikey_record_from_json(S(json), &copy), PORTCULLIS_OK);
    char json2[2048];
    TEXT(portcullis_apikey_record_to_json, copy, json2);
    CHECK(strcmp(json, json2) == 0);
    portcullis_apikey_record_free(copy);
    RC(portcullis_apikey_record_from_json(S("{\"key_id\":1}"), &copy), PORTCULLIS_RESULT_JSON_INVALID);

    /* Verify: principal fields. */
    portcullis_request *req = bearer(key, NOW);
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    RC(portcullis_apikey_ring_verify(ring, req, S("read"), &p, &d), PORTCULLIS_OK);
    CHECK(p != NULL && d == NULL);
    TEXT(portcullis_principal_subject, p, text);
    CHECK(strcmp(text, "svc") == 0);
    TEXT(portcullis_principal_credential_id, p, text);
    CHECK(strcmp(text, key_id) == 0);
    TEXT(portcullis_principal_scopes, p, text);
    CHECK(strcmp(text, "read write") == 0);
    TEXT(portcullis_principal_claims_json, p, text);
    CHECK(strcmp(text, "{\"environment\":\"live\",\"metadata\":{\"a\":2,\"z\":1}}") == 0);
    TEXT(portcullis_principal_method_name, p, text);
    CHECK(strcmp(text, "api_key") == 0);
    CHECK(portcullis_principal_method(p) == 1);
    int64_t at = 42;
    bool has = true;
    RC(portcullis_principal_expires_at(p, &at, &has), PORTCULLIS_OK);
    CHECK(!has && at == 0);
    portcullis_principal_free(p);
    p = NULL;

    /* Missing scope: a denial with status 403 and the insufficient_scope challenge. */
    RC(portcullis_apikey_ring_verify(ring, req, S("read admin"), &p, &d),
       PORTCULLIS_RESULT_SCOPE_INSUFFICIENT);
    CHECK(p == NULL && d != NULL);
    CHECK(portcullis_denial_code(d) == PORTCULLIS_RESULT_SCOPE_INSUFFICIENT);
    CHECK(portcullis_denial_http_status(d) == 403);
    TEXT(portcullis_denial_challenge, d, text);
    CHECK(strcmp(text, "Bearer realm=\"t\", error=\"insufficient_scope\", scope=\"read admin\"") == 0);
    TEXT(portcullis_denial_message, d, text);
    CHECK(strcmp(text, "Insufficient scope.") == 0);
    TEXT(portcullis_denial_detail, d, text);
    CHECK(strstr(text, "admin") != NULL && strstr(text, key) == NULL);
    portcullis_denial_free(d);
    d = NULL;
    /* The denial output is optional. */
    RC(portcullis_apikey_ring_verify(ring, req, S("admin"), &p, NULL),
       PORTCULLIS_RESULT_SCOPE_INSUFFICIENT);

    /* Offline checks, digest lookup, verify_record, scanner regex. */
    RC(portcullis_apikey_ring_check_format(ring, S(key)), PORTCULLIS_OK);
    char typo[128];
    snprintf(typo, sizeof typo, "%s", key);
    typo[strlen(typo) - 1] = typo[strlen(typo) - 1] == 'A' ? 'B' : 'A';
    RC(portcullis_apikey_ring_check_format(ring, S(typo)), PORTCULLIS_RESULT_APIKEY_CHECKSUM_MISMATCH);
    RC(portcullis_apikey_ring_check_format(ring, S("nope")), PORTCULLIS_RESULT_APIKEY_MALFORMED);
    CHECK(ring_check(ring, typo, NOW, "") == PORTCULLIS_RESULT_APIKEY_CHECKSUM_MISMATCH);
    char digest[80];
    size_t digest_len = 0;
    RC(portcullis_apikey_ring_lookup_digest(ring, req, (uint8_t *)digest, sizeof digest, &digest_len, &d),
       PORTCULLIS_OK);
    CHECK(digest_len == 64 && strstr(json, digest) != NULL);
    RC(portcullis_apikey_ring_verify_record(ring, req, record, S("write"), &p, &d), PORTCULLIS_OK);
    portcullis_principal_free(p);
    p = NULL;
    TEXT(portcullis_apikey_ring_scanner_regex, ring, text);
    CHECK(strstr(text, "pc_") != NULL);
    portcullis_request_free(req);

    /* get, revoke, remove. */
    portcullis_apikey_record *got = NULL;
    RC(portcullis_apikey_ring_get(ring, S(key_id), &got), PORTCULLIS_OK);
    portcullis_apikey_record_free(got);
    got = SENTINEL;
    RC(portcullis_apikey_ring_get(ring, S("ak_absent"), &got), PORTCULLIS_RESULT_APIKEY_UNKNOWN);
    CHECK(got == SENTINEL);
    RC(portcullis_apikey_ring_revoke(ring, S("ak_absent"), NOW, NULL), PORTCULLIS_RESULT_APIKEY_UNKNOWN);

    /* Rotation: the old key works during the overlap, then is refused as rotated. */
    portcullis_issued_apikey *next = NULL;
    portcullis_apikey_record *previous = NULL;
    RC(portcullis_apikey_ring_rotate(ring, record, 60, NOW, &next, &previous), PORTCULLIS_OK);
    portcullis_apikey_record *next_record = NULL;
    RC(portcullis_issued_apikey_record(next, &next_record), PORTCULLIS_OK);
    RC(portcullis_apikey_ring_insert(ring, previous), PORTCULLIS_OK);
    RC(portcullis_apikey_ring_insert(ring, next_record), PORTCULLIS_OK);
    CHECK(portcullis_apikey_ring_len(ring) == 2);
    char next_key[128];
    TEXT(portcullis_issued_apikey_key, next, next_key);
    CHECK(ring_check(ring, key, NOW + 30, "read") == PORTCULLIS_OK);
    CHECK(ring_check(ring, key, NOW + 61, "read") == PORTCULLIS_RESULT_APIKEY_ROTATED);
    CHECK(ring_check(ring, next_key, NOW + 61, "read write") == PORTCULLIS_OK);
    RC(portcullis_apikey_ring_rotate(ring, previous, 60, NOW, &next, &got), PORTCULLIS_RESULT_APIKEY_ROTATED);

    /* Revoke the new key, then remove it. */
    char next_id[160];
    TEXT(portcullis_apikey_record_key_id, next_record, next_id);
    portcullis_apikey_record *revoked = NULL;
    RC(portcullis_apikey_ring_revoke(ring, S(next_id), NOW + 100, &revoked), PORTCULLIS_OK);
    TEXT(portcullis_apikey_record_to_json, revoked, json);
    CHECK(strstr(json, "\"revoked_at\":1767225700") != NULL);
    CHECK(ring_check(ring, next_key, NOW + 99, "") == PORTCULLIS_OK);
    CHECK(ring_check(ring, next_key, NOW + 100, "") == PORTCULLIS_RESULT_APIKEY_REVOKED);
    RC(portcullis_apikey_ring_rotate(ring, revoked, 60, NOW, &next, &got), PORTCULLIS_RESULT_APIKEY_REVOKED);
    portcullis_apikey_record_free(revoked);
    bool removed = false;
    RC(portcullis_apikey_ring_remove(ring, S(next_id), &removed), PORTCULLIS_OK);
    CHECK(removed);
    RC(portcullis_apikey_ring_remove(ring, S(next_id), &removed), PORTCULLIS_OK);
    CHECK(!removed);
    RC(portcullis_apikey_ring_remove(ring, S(next_id), NULL), PORTCULLIS_OK);
    CHECK(ring_check(ring, next_key, NOW, "") == PORTCULLIS_RESULT_APIKEY_UNKNOWN);

    /* Expiry via options, no credentials, another ring's pepper. */
    RC(portcullis_apikey_ring_generate(ring, S("{\"expires_at\":1767225660,\"now\":1767225600}"), &issued),
       PORTCULLIS_OK);
    portcullis_apikey_record *expiring = NULL;
    RC(portcullis_issued_apikey_record(issued, &expiring), PORTCULLIS_OK);
    RC(portcullis_apikey_ring_insert(ring, expiring), PORTCULLIS_OK);
    TEXT(portcullis_issued_apikey_key, issued, key);
    CHECK(ring_check(ring, key, NOW + 59, "") == PORTCULLIS_OK);
    CHECK(ring_check(ring, key, NOW + 60, "") == PORTCULLIS_RESULT_APIKEY_EXPIRED);
    req = request(NULL, NULL, NOW);
    RC(portcullis_apikey_ring_verify(ring, req, NULL, 0, &p, &d), PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    TEXT(portcullis_denial_challenge, d, text);
    CHECK(strcmp(text, "Bearer realm=\"t\"") == 0);
    CHECK(portcullis_denial_http_status(d) == 401);
    portcullis_denial_free(d);
    d = NULL;
    portcullis_request_free(req);
    portcullis_apikey_record_free(expiring);
    portcullis_issued_apikey_free(issued);

    /* A default ring (len 0 config and options). */
    portcullis_apikey_ring *plain = NULL;
    RC(portcullis_apikey_ring_new(S(PEPPER), NULL, 0, &plain), PORTCULLIS_OK);
    RC(portcullis_apikey_ring_generate(plain, NULL, 0, &issued), PORTCULLIS_OK);
    TEXT(portcullis_issued_apikey_key, issued, key);
    CHECK(strncmp(key, "pc_", 3) == 0 && strlen(key) == 3 + 36);
    RC(portcullis_apikey_ring_check_format(plain, S(next_key)), PORTCULLIS_RESULT_APIKEY_ENVIRONMENT_MISMATCH);
    portcullis_issued_apikey_free(issued);
    portcullis_apikey_ring_free(plain);

    /* Bad configurations. */
    portcullis_apikey_ring *bad = SENTINEL;
    RC(portcullis_apikey_ring_new(S("short"), NULL, 0, &bad), PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_apikey_ring_new(S(PEPPER), S("{\"prefix\":"), &bad), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_apikey_ring_new(S(PEPPER), S("{\"unknown\":1}"), &bad), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_apikey_ring_new(S(PEPPER), S("{\"prefix\":\"PC\"}"), &bad), PORTCULLIS_RESULT_CONFIG_INVALID);
    CHECK(bad == SENTINEL);

    portcullis_issued_apikey_free(next);
    portcullis_apikey_record_free(previous);
    portcullis_apikey_record_free(next_record);
    portcullis_apikey_record_free(record);
    portcullis_apikey_ring_free(ring);
}

static void test_basic(void) {
    char alice_hash[256], config[1024], text[256];
    size_t need = 0, len = 0;
    RC(portcullis_hash_password(S("s3cret"), 64, 1, 1, NULL, 0, &need), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(need > 0 && need < sizeof alice_hash);
    RC(portcullis_hash_password(S("s3cret"), 64, 1, 1, (uint8_t *)alice_hash, need + 1, &len), PORTCULLIS_OK);
    CHECK(len == need && alice_hash[len] == '\0');
    CHECK(strncmp(alice_hash, "$argon2id$v=19$m=64,t=1,p=1$", 28) == 0);
    RC(portcullis_hash_password(S("s3cret"), 0, 0, 0, (uint8_t *)text, sizeof text, &len), PORTCULLIS_OK);
    CHECK(strncmp(text, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    RC(portcullis_hash_password(S("s3cret"), 4000000, 1, 1, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_INVALID_ARGUMENT);

    snprintf(config, sizeof config,
             "{\"realm\":\"t\",\"users\":{\"alice\":\"%s\"},\"htpasswd\":\"bob:%s\\n\"}", alice_hash,
             BCRYPT_BOB);
    portcullis_basic_auth *auth = NULL;
    RC(portcullis_basic_auth_new(S(config), &auth), PORTCULLIS_OK);
    CHECK(portcullis_basic_auth_len(auth) == 2);

    struct {
        const char *header;
        portcullis_result want;
    } cases[] = {
        {"Basic YWxpY2U6czNjcmV0", PORTCULLIS_OK},                              /* alice:s3cret */
        {"basic Ym9iOmh1bnRlcjI=", PORTCULLIS_OK},                              /* bob:hunter2 */
        {"Basic YWxpY2U6d3Jvbmc=", PORTCULLIS_RESULT_BASIC_INVALID_CREDENTIALS}, /* alice:wrong */
        {"Basic bWFsbG9yeTpodW50ZXIy", PORTCULLIS_RESULT_BASIC_INVALID_CREDENTIALS},
        {"Basic !!!", PORTCULLIS_RESULT_BASIC_BAD_BASE64},
        {"Basic YWxpY2U=", PORTCULLIS_RESULT_BASIC_MALFORMED},
        {"Bearer x", PORTCULLIS_RESULT_CREDENTIALS_MISSING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        portcullis_request *req = request("Authorization", cases[i].header, NOW);
        portcullis_principal *p = NULL;
        portcullis_denial *d = NULL;
        RC(portcullis_basic_auth_verify(auth, req, &p, &d), cases[i].want);
        if (cases[i].want == PORTCULLIS_OK) {
            CHECK(p != NULL && d == NULL);
            CHECK(portcullis_principal_method(p) == 2);
            TEXT(portcullis_principal_method_name, p, text);
            CHECK(strcmp(text, "basic") == 0);
        } else {
            CHECK(p == NULL && d != NULL);
            TEXT(portcullis_denial_challenge, d, text);
            CHECK(strcmp(text, "Basic realm=\"t\", charset=\"UTF-8\"") == 0);
        }
        portcullis_principal_free(p);
        portcullis_denial_free(d);
        portcullis_request_free(req);
    }

    portcullis_basic_credentials *cred = NULL;
    RC(portcullis_basic_parse(S("Basic YWxpY2U6czNjcmV0"), &cred), PORTCULLIS_OK);
    TEXT(portcullis_basic_credentials_user_id, cred, text);
    CHECK(strcmp(text, "alice") == 0);
    TEXT(portcullis_basic_credentials_password, cred, text);
    CHECK(strcmp(text, "s3cret") == 0);
    portcullis_basic_credentials_free(cred);
    cred = SENTINEL;
    RC(portcullis_basic_parse(S("Bearer abc"), &cred), PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    RC(portcullis_basic_parse(S("Basic YWxpY2U="), &cred), PORTCULLIS_RESULT_BASIC_MALFORMED);
    RC(portcullis_basic_parse((const uint8_t *)"Basic \xff", 7, &cred), PORTCULLIS_RESULT_HEADER_MALFORMED);
    CHECK(cred == SENTINEL);

    portcullis_basic_auth *bad = SENTINEL;
    RC(portcullis_basic_auth_new(S("{\"users\":{\"u\":\"{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\"}}"), &bad),
       PORTCULLIS_RESULT_BASIC_HASH_WEAK);
    RC(portcullis_basic_auth_new(S("{\"users\":{\"u\":\"plain\"}}"), &bad), PORTCULLIS_RESULT_BASIC_HASH_UNSUPPORTED);
    RC(portcullis_basic_auth_new(S("{\"realm\":"), &bad), PORTCULLIS_RESULT_JSON_INVALID);
    CHECK(bad == SENTINEL);
    portcullis_basic_auth *empty = NULL;
    RC(portcullis_basic_auth_new(NULL, 0, &empty), PORTCULLIS_OK);
    CHECK(portcullis_basic_auth_len(empty) == 0);
    portcullis_basic_auth_free(empty);
    portcullis_basic_auth_free(auth);
}

int main(void) {
    /* Line-buffered: a sanitizer report ends the process without flushing stdio. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_results();
    test_apikey();
    test_basic();
    test_request();
    test_null_pointers();
    test_bad_inputs();
    test_buffers();
    test_free_null();
    test_threads();
    test_signatures();
    test_signature_edges();
    test_signature_threads();
    test_webhook_payload();
    test_jwt();
    test_jwt_edges();
    test_jwt_threads();
    test_mtls();
    test_jwks();
    test_gate();
    test_gate_threads();
    test_dpop();
    printf("%d passed, %d failed\n", checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}
