/*
 * Edges of the C API: request building, NULL for every pointer argument class, oversize and
 * non-UTF-8 inputs, the output buffer convention, _free(NULL).
 */
#include <stdlib.h>

#include "check.h"

void test_request(void) {
    portcullis_request *req = NULL;
    RC(portcullis_request_new(S("POST"), S("/a?b=c"), &req), PORTCULLIS_OK);
    RC(portcullis_request_add_header(req, S("X-Thing"), S("one")), PORTCULLIS_OK);
    RC(portcullis_request_add_header(req, S("X-Thing"), S("two")), PORTCULLIS_OK);
    /* Header values are bytes: non-UTF-8 is allowed; CR/LF is not. */
    RC(portcullis_request_add_header(req, S("X-Raw"), (const uint8_t *)"\xff\xfe", 2), PORTCULLIS_OK);
    RC(portcullis_request_add_header(req, S("X-Bad"), S("a\r\nb")), PORTCULLIS_RESULT_REQUEST_INVALID);
    RC(portcullis_request_add_header(req, S("Bad Name"), S("v")), PORTCULLIS_RESULT_REQUEST_INVALID);
    RC(portcullis_request_set_body(req, S("{\"a\":1}")), PORTCULLIS_OK);
    RC(portcullis_request_set_body(req, NULL, 0), PORTCULLIS_OK);
    RC(portcullis_request_add_peer_certificate(req, S("\x30\x03\x02\x01\x01")), PORTCULLIS_OK);
    RC(portcullis_request_add_peer_certificate(req, NULL, 0), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_request_set_peer_address(req, S("127.0.0.1")), PORTCULLIS_OK);
    RC(portcullis_request_set_peer_address(req, S("::1")), PORTCULLIS_OK);
    RC(portcullis_request_set_peer_address(req, S("localhost")), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_request_set_now(req, -5), PORTCULLIS_OK);
    portcullis_request_free(req);

    portcullis_request *bad = SENTINEL;
    RC(portcullis_request_new(S("G T"), S("/"), &bad), PORTCULLIS_RESULT_REQUEST_INVALID);
    RC(portcullis_request_new(S("GET"), S(""), &bad), PORTCULLIS_RESULT_REQUEST_INVALID);
    RC(portcullis_request_new(S("GET"), S("/a b"), &bad), PORTCULLIS_RESULT_REQUEST_INVALID);
    CHECK(bad == SENTINEL);
}

/* Handles for the NULL tests. */
static portcullis_apikey_ring *ring;
static portcullis_request *req;
static portcullis_principal *principal;
static portcullis_denial *denial;
static portcullis_apikey_record *record;
static portcullis_issued_apikey *issued;
static portcullis_basic_auth *auth;
static portcullis_basic_credentials *cred;

static void make_handles(void) {
    RC(portcullis_apikey_ring_new(S(PEPPER), NULL, 0, &ring), PORTCULLIS_OK);
    RC(portcullis_apikey_ring_generate(ring, S("{\"subject\":\"s\"}"), &issued), PORTCULLIS_OK);
    RC(portcullis_issued_apikey_record(issued, &record), PORTCULLIS_OK);
    RC(portcullis_apikey_ring_insert(ring, record), PORTCULLIS_OK);
    char key[128];
    TEXT(portcullis_issued_apikey_key, issued, key);
    req = bearer(key, NOW);
    RC(portcullis_apikey_ring_verify(ring, req, NULL, 0, &principal, NULL), PORTCULLIS_OK);
    portcullis_request *none = request(NULL, NULL, NOW);
    RC(portcullis_apikey_ring_verify(ring, none, NULL, 0, &principal, &denial),
       PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    portcullis_request_free(none);
    RC(portcullis_basic_auth_new(NULL, 0, &auth), PORTCULLIS_OK);
    RC(portcullis_basic_parse(S("Basic YTpi"), &cred), PORTCULLIS_OK);
}

static void free_handles(void) {
    portcullis_apikey_ring_free(ring);
    portcullis_request_free(req);
    portcullis_principal_free(principal);
    portcullis_denial_free(denial);
    portcullis_apikey_record_free(record);
    portcullis_issued_apikey_free(issued);
    portcullis_basic_auth_free(auth);
    portcullis_basic_credentials_free(cred);
}

#define NP PORTCULLIS_RESULT_NULL_POINTER

void test_null_pointers(void) {
    make_handles();
    uint8_t buf[256];
    size_t len = 0;
    void *out = SENTINEL;

    /* Required out-handles. */
    RC(portcullis_request_new(S("GET"), S("/"), NULL), NP);
    RC(portcullis_apikey_ring_new(S(PEPPER), NULL, 0, NULL), NP);
    RC(portcullis_apikey_record_from_json(S("{}"), NULL), NP);
    RC(portcullis_apikey_ring_get(ring, S("x"), NULL), NP);
    RC(portcullis_apikey_ring_generate(ring, NULL, 0, NULL), NP);
    RC(portcullis_apikey_ring_rotate(ring, record, 1, NOW, NULL, (portcullis_apikey_record **)&out), NP);
    RC(portcullis_apikey_ring_rotate(ring, record, 1, NOW, (portcullis_issued_apikey **)&out, NULL), NP);
    RC(portcullis_issued_apikey_record(issued, NULL), NP);
    RC(portcullis_basic_auth_new(NULL, 0, NULL), NP);
    RC(portcullis_basic_parse(S("Basic YTpi"), NULL), NP);
    RC(portcullis_principal_expires_at(principal, NULL, (bool *)buf), NP);
    RC(portcullis_principal_expires_at(principal, (int64_t *)buf, NULL), NP);
    CHECK(out == SENTINEL);

    /* A verify without out_principal: the denial still reports why. */
    portcullis_denial *d = NULL;
    RC(portcullis_apikey_ring_verify(ring, req, NULL, 0, NULL, &d), NP);
    CHECK(d != NULL && portcullis_denial_code(d) == NP);
    portcullis_denial_free(d);
    d = NULL;
    RC(portcullis_basic_auth_verify(auth, req, NULL, &d), NP);
    CHECK(d != NULL && portcullis_denial_code(d) == NP);
    portcullis_denial_free(d);

    /* NULL handles. */
    portcullis_principal *p = SENTINEL;
    RC(portcullis_request_add_header(NULL, S("a"), S("b")), NP);
    RC(portcullis_request_set_body(NULL, S("b")), NP);
    RC(portcullis_request_add_peer_certificate(NULL, S("b")), NP);
    RC(portcullis_request_set_peer_address(NULL, S("::1")), NP);
    RC(portcullis_request_set_now(NULL, 1), NP);
    RC(portcullis_apikey_ring_insert(NULL, record), NP);
    RC(portcullis_apikey_ring_insert(ring, NULL), NP);
    RC(portcullis_apikey_ring_remove(NULL, S("x"), NULL), NP);
    RC(portcullis_apikey_ring_revoke(NULL, S("x"), 1, NULL), NP);
    RC(portcullis_apikey_ring_get(NULL, S("x"), &record), NP);
    RC(portcullis_apikey_ring_generate(NULL, NULL, 0, &issued), NP);
    RC(portcullis_apikey_ring_rotate(NULL, record, 1, NOW, (portcullis_issued_apikey **)&out,
                                     (portcullis_apikey_record **)&out), NP);
    RC(portcullis_apikey_ring_rotate(ring, NULL, 1, NOW, (portcullis_issued_apikey **)&out,
                                     (portcullis_apikey_record **)&out), NP);
    RC(portcullis_apikey_ring_verify(NULL, req, NULL, 0, &p, NULL), NP);
    RC(portcullis_apikey_ring_verify(ring, NULL, NULL, 0, &p, NULL), NP);
    RC(portcullis_apikey_ring_verify_record(ring, req, NULL, NULL, 0, &p, NULL), NP);
    RC(portcullis_apikey_ring_check_format(NULL, S("k")), NP);
    RC(portcullis_apikey_ring_lookup_digest(ring, NULL, buf, sizeof buf, &len, NULL), NP);
    RC(portcullis_apikey_ring_scanner_regex(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_basic_auth_verify(NULL, req, &p, NULL), NP);
    RC(portcullis_basic_auth_verify(auth, NULL, &p, NULL), NP);
    RC(portcullis_apikey_record_to_json(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_apikey_record_key_id(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_issued_apikey_key(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_issued_apikey_record(NULL, &record), NP);
    RC(portcullis_principal_subject(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_principal_credential_id(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_principal_scopes(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_principal_claims_json(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_principal_method_name(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_principal_expires_at(NULL, (int64_t *)buf, (bool *)buf), NP);
    RC(portcullis_denial_message(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_denial_detail(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_denial_challenge(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_basic_credentials_user_id(NULL, buf, sizeof buf, &len), NP);
    RC(portcullis_basic_credentials_password(NULL, buf, sizeof buf, &len), NP);
    CHECK(p == SENTINEL && out == SENTINEL);
    CHECK(portcullis_principal_method(NULL) == 0);
    CHECK(portcullis_denial_code(NULL) == NP);
    CHECK(portcullis_denial_http_status(NULL) == 0);
    CHECK(portcullis_apikey_ring_len(NULL) == 0);
    CHECK(portcullis_basic_auth_len(NULL) == 0);
    CHECK(portcullis_apikey_ring_retain(NULL) == NULL);
    CHECK(portcullis_basic_auth_retain(NULL) == NULL);

    /* NULL input pointers with a non-zero length. */
    RC(portcullis_request_new(NULL, 3, S("/"), (portcullis_request **)&out), NP);
    RC(portcullis_request_new(S("GET"), NULL, 1, (portcullis_request **)&out), NP);
    RC(portcullis_request_add_header(req, NULL, 1, S("v")), NP);
    RC(portcullis_request_add_header(req, S("X-A"), NULL, 5), NP);
    RC(portcullis_request_set_body(req, NULL, 4), NP);
    RC(portcullis_apikey_ring_new(NULL, 32, NULL, 0, (portcullis_apikey_ring **)&out), NP);
    RC(portcullis_apikey_ring_verify(ring, req, NULL, 4, &p, NULL), NP);
    RC(portcullis_apikey_ring_check_format(ring, NULL, 10), NP);
    RC(portcullis_basic_parse(NULL, 6, (portcullis_basic_credentials **)&out), NP);
    RC(portcullis_hash_password(NULL, 2, 64, 1, 1, buf, sizeof buf, &len), NP);
    CHECK(p == SENTINEL && out == SENTINEL);

    /* Output buffers: out_len is required; buf may be NULL only when cap is 0. */
    RC(portcullis_principal_subject(principal, buf, sizeof buf, NULL), NP);
    RC(portcullis_principal_subject(principal, NULL, 10, &len), NP);
    RC(portcullis_denial_challenge(denial, NULL, 10, &len), NP);
    RC(portcullis_apikey_ring_scanner_regex(ring, buf, sizeof buf, NULL), NP);
    RC(portcullis_hash_password(S("pw"), 64, 1, 1, NULL, 100, &len), NP);
    free_handles();
}

void test_bad_inputs(void) {
    portcullis_request *r = request(NULL, NULL, NOW);
    /* Oversize: a 100 KB header value, a long method, too many headers. */
    size_t big = 100 * 1024;
    uint8_t *huge = malloc(big);
    CHECK(huge != NULL);
    if (huge == NULL)
        return;
    memset(huge, 'a', big);
    RC(portcullis_request_add_header(r, S("X-Big"), huge, big), PORTCULLIS_RESULT_INPUT_TOO_LARGE);
    portcullis_request *out = SENTINEL;
    RC(portcullis_request_new(huge, 100, S("/"), &out), PORTCULLIS_RESULT_INPUT_TOO_LARGE);
    RC(portcullis_request_new(S("GET"), huge, big, &out), PORTCULLIS_RESULT_INPUT_TOO_LARGE);
    CHECK(out == SENTINEL);
    portcullis_basic_credentials *cred = SENTINEL;
    memcpy(huge, "Basic ", 6);
    RC(portcullis_basic_parse(huge, 6000, &cred), PORTCULLIS_RESULT_BASIC_TOO_LONG);
    CHECK(cred == SENTINEL);
    int too_many = 0;
    for (int i = 0; i < 300; i++) {
        portcullis_result rc = portcullis_request_add_header(r, S("X-N"), S("v"));
        if (rc == PORTCULLIS_RESULT_INPUT_TOO_LARGE) {
            too_many = 1;
            break;
        }
    }
    CHECK(too_many);
    free(huge);
    portcullis_request_free(r);

    /* Invalid UTF-8 in every kind of text input. */
    const uint8_t *bad = (const uint8_t *)"\xc3\x28";
    portcullis_apikey_ring *ring = NULL;
    RC(portcullis_apikey_ring_new(S(PEPPER), NULL, 0, &ring), PORTCULLIS_OK);
    RC(portcullis_request_new(bad, 2, S("/"), &out), PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_request_new(S("GET"), bad, 2, &out), PORTCULLIS_RESULT_INVALID_UTF8);
    r = request(NULL, NULL, NOW);
    RC(portcullis_request_add_header(r, bad, 2, S("v")), PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_request_set_peer_address(r, bad, 2), PORTCULLIS_RESULT_INVALID_UTF8);
    portcullis_principal *p = SENTINEL;
    portcullis_denial *d = NULL;
    RC(portcullis_apikey_ring_verify(ring, r, bad, 2, &p, &d), PORTCULLIS_RESULT_INVALID_UTF8);
    CHECK(p == SENTINEL && d != NULL && portcullis_denial_code(d) == PORTCULLIS_RESULT_INVALID_UTF8);
    portcullis_denial_free(d);
    RC(portcullis_apikey_ring_check_format(ring, bad, 2), PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_apikey_ring_remove(ring, bad, 2, NULL), PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_apikey_ring_revoke(ring, bad, 2, 1, NULL), PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_apikey_ring_generate(ring, bad, 2, (portcullis_issued_apikey **)&out),
       PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_apikey_ring_new(S(PEPPER), bad, 2, (portcullis_apikey_ring **)&out),
       PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_apikey_record_from_json(bad, 2, (portcullis_apikey_record **)&out),
       PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_basic_auth_new(bad, 2, (portcullis_basic_auth **)&out), PORTCULLIS_RESULT_INVALID_UTF8);
    CHECK(out == SENTINEL);
    /* A pepper is bytes, not text. */
    portcullis_apikey_ring *binary = NULL;
    uint8_t pepper[32];
    for (int i = 0; i < 32; i++)
        pepper[i] = (uint8_t)(0xe0 + i);
    RC(portcullis_apikey_ring_new(pepper, sizeof pepper, NULL, 0, &binary), PORTCULLIS_OK);
    portcullis_apikey_ring_free(binary);
    portcullis_request_free(r);
    portcullis_apikey_ring_free(ring);
}

void test_buffers(void) {
    portcullis_apikey_ring *ring = NULL;
    RC(portcullis_apikey_ring_new(S(PEPPER), NULL, 0, &ring), PORTCULLIS_OK);
    size_t need = 0;
    RC(portcullis_apikey_ring_scanner_regex(ring, NULL, 0, &need), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(need > 4);
    char small[4] = {'Z', 'Z', 'Z', 'Z'};
    size_t len = 0;
    RC(portcullis_apikey_ring_scanner_regex(ring, (uint8_t *)small, sizeof small, &len),
       PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == need && memcmp(small, "ZZZZ", 4) == 0); /* needed size reported, buf untouched */

    char *exact = malloc(need); /* exactly the length: no room for (and no) NUL */
    CHECK(exact != NULL);
    len = 0;
    RC(portcullis_apikey_ring_scanner_regex(ring, (uint8_t *)exact, need, &len), PORTCULLIS_OK);
    CHECK(len == need);
    char *roomy = malloc(need + 8);
    CHECK(roomy != NULL);
    memset(roomy, 'Z', need + 8);
    RC(portcullis_apikey_ring_scanner_regex(ring, (uint8_t *)roomy, need + 8, &len), PORTCULLIS_OK);
    CHECK(len == need && roomy[need] == '\0' && roomy[need + 1] == 'Z');
    CHECK(memcmp(exact, roomy, need) == 0);
    free(exact);
    free(roomy);

    /* An empty output (no scopes): length 0, a NUL when there is room, buf may be NULL. */
    portcullis_issued_apikey *issued = NULL;
    portcullis_apikey_record *record = NULL;
    RC(portcullis_apikey_ring_generate(ring, NULL, 0, &issued), PORTCULLIS_OK);
    RC(portcullis_issued_apikey_record(issued, &record), PORTCULLIS_OK);
    RC(portcullis_apikey_ring_insert(ring, record), PORTCULLIS_OK);
    char key[128];
    TEXT(portcullis_issued_apikey_key, issued, key);
    portcullis_request *r = bearer(key, NOW);
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    RC(portcullis_apikey_ring_verify(ring, r, NULL, 0, &p, &d), PORTCULLIS_OK);
    RC(portcullis_principal_scopes(p, NULL, 0, &len), PORTCULLIS_OK);
    CHECK(len == 0);
    char nul = 'Z';
    RC(portcullis_principal_scopes(p, (uint8_t *)&nul, 1, &len), PORTCULLIS_OK);
    CHECK(len == 0 && nul == '\0');
    portcullis_principal_free(p);
    p = NULL;
    portcullis_apikey_record_free(record);
    portcullis_issued_apikey_free(issued);
    portcullis_request_free(r);

    r = request(NULL, NULL, NOW);
    portcullis_basic_auth *auth = NULL;
    RC(portcullis_basic_auth_new(S("{\"realm\":\"r\"}"), &auth), PORTCULLIS_OK);
    RC(portcullis_basic_auth_verify(auth, r, &p, &d), PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    RC(portcullis_denial_challenge(d, NULL, 0, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == strlen("Basic realm=\"r\", charset=\"UTF-8\""));
    char one = 'Z';
    RC(portcullis_denial_detail(d, (uint8_t *)&one, 1, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(one == 'Z' && len > 1);
    portcullis_denial_free(d);
    portcullis_basic_auth_free(auth);
    portcullis_request_free(r);
    portcullis_apikey_ring_free(ring);
}

void test_free_null(void) {
    portcullis_request_free(NULL);
    portcullis_principal_free(NULL);
    portcullis_denial_free(NULL);
    portcullis_apikey_record_free(NULL);
    portcullis_issued_apikey_free(NULL);
    portcullis_apikey_ring_free(NULL);
    portcullis_basic_auth_free(NULL);
    portcullis_basic_credentials_free(NULL);
    CHECK(1); /* reached: no crash */
}
