/*
 * The DPoP API (RFC 9449) beyond the vectors: the RFC 9449 token-request proof through both
 * verify calls, NULL for every pointer argument, non-UTF-8 text, the output buffer convention
 * on every text output, _retain / _free(NULL), nonces, and one proof raced by 8 threads (exactly
 * one passes). Outputs preset to SENTINEL prove failures leave them alone.
 */
#include <pthread.h>
#include <stdint.h>

#include "check.h"

static const uint8_t BAD_UTF8[] = {'k', 0xff, 0xfe};
#define BAD BAD_UTF8, sizeof BAD_UTF8
#define NP PORTCULLIS_RESULT_NULL_POINTER
#define U8ERR PORTCULLIS_RESULT_INVALID_UTF8

/* RFC 9449 section 4.1: the proof of the token request, at its own iat. */
static const char RFC_PROOF[] =
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklD"
    "UkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2"
    "R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBz"
    "Oi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiM"
    "LvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
#define RFC_IAT 1562262616LL
#define RFC_URI "https://server.example.com/token"
#define RFC_JKT "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"

static portcullis_dpop_verifier *verifier(const char *json) {
    portcullis_dpop_verifier *v = NULL;
    RC(portcullis_dpop_verifier_new(S(json), &v), PORTCULLIS_OK);
    return v;
}

static portcullis_result verify_rfc(portcullis_dpop_verifier *v, portcullis_dpop_proof **out) {
    return portcullis_dpop_verifier_verify(v, S(RFC_PROOF), S("POST"), S(RFC_URI), NULL, 0, RFC_IAT,
                                           out, NULL);
}

static void test_rfc_proof(void) {
    portcullis_dpop_verifier *v = verifier("");
    portcullis_dpop_proof *p = NULL;
    RC(verify_rfc(v, &p), PORTCULLIS_OK);
    char text[128];
    TEXT(portcullis_dpop_proof_thumbprint, p, text);
    CHECK(strcmp(text, RFC_JKT) == 0);
    TEXT(portcullis_dpop_proof_jti, p, text);
    CHECK(strcmp(text, "-BwC3ESc6acc2lTc") == 0);
    TEXT(portcullis_dpop_proof_algorithm, p, text);
    CHECK(strcmp(text, "ES256") == 0);
    TEXT(portcullis_dpop_proof_nonce, p, text);
    CHECK(text[0] == '\0' && !portcullis_dpop_proof_has_nonce(p));
    CHECK(portcullis_dpop_proof_iat(p) == RFC_IAT);
    /* Every text output follows the buffer convention: a short buffer is left alone. */
    char small[4] = {'Z', 'Z', 'Z', 'Z'};
    size_t len = 0;
    RC(portcullis_dpop_proof_thumbprint(p, (uint8_t *)small, sizeof small, &len),
       PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == 43 && small[0] == 'Z');
    portcullis_dpop_proof_free(p);

    /* Replayed, with a denial of the same code when asked for. */
    portcullis_denial *d = NULL;
    p = SENTINEL;
    RC(portcullis_dpop_verifier_verify(v, S(RFC_PROOF), S("POST"), S(RFC_URI), NULL, 0, RFC_IAT, &p,
                                       &d),
       PORTCULLIS_RESULT_DPOP_PROOF_REPLAYED);
    CHECK(p == SENTINEL && d != NULL);
    CHECK(portcullis_denial_code(d) == PORTCULLIS_RESULT_DPOP_PROOF_REPLAYED);
    CHECK(portcullis_denial_http_status(d) == 401);
    portcullis_denial_free(d);

    /* The same proof as a request, on a fresh verifier. */
    portcullis_dpop_verifier *w = verifier("{\"max_age_seconds\": 60}");
    portcullis_request *req = NULL;
    RC(portcullis_request_new(S("POST"), S("/token?x=1"), &req), PORTCULLIS_OK);
    RC(portcullis_request_set_now(req, RFC_IAT + 1), PORTCULLIS_OK);
    /* No DPoP header yet. */
    RC(portcullis_dpop_verifier_verify_request(w, req, NULL, 0, NULL, 0, &p, NULL),
       PORTCULLIS_RESULT_DPOP_PROOF_MISSING);
    RC(portcullis_request_add_header(req, S("DPoP"), S(RFC_PROOF)), PORTCULLIS_OK);
    /* No Host and no origin. */
    RC(portcullis_dpop_verifier_verify_request(w, req, NULL, 0, NULL, 0, &p, NULL),
       PORTCULLIS_RESULT_DPOP_PROOF_MISMATCH);
    RC(portcullis_dpop_verifier_verify_request(w, req, NULL, 0, S("https://server.example.com"), &p,
                                               NULL),
       PORTCULLIS_OK);
    CHECK(portcullis_dpop_proof_iat(p) == RFC_IAT);
    portcullis_dpop_proof_free(p);
    /* A token makes ath required. */
    RC(portcullis_dpop_verifier_verify(w, S(RFC_PROOF), S("POST"), S(RFC_URI), S("token"), RFC_IAT,
                                       &p, NULL),
       PORTCULLIS_RESULT_DPOP_PROOF_MISMATCH);
    portcullis_request_free(req);
    portcullis_dpop_verifier_free(w);
    portcullis_dpop_verifier_free(v);
}

static void test_edges(void) {
    portcullis_dpop_verifier *v = SENTINEL;
    RC(portcullis_dpop_verifier_new(S("{\"algorithms\": [\"HS256\"]}"), &v),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_dpop_verifier_new(S("{\"max_age\": 1}"), &v), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_dpop_verifier_new(BAD, &v), U8ERR);
    CHECK(v == SENTINEL);
    RC(portcullis_dpop_verifier_new(S(""), NULL), NP);
    RC(portcullis_dpop_verifier_new(NULL, 3, &v), NP);
    CHECK(v == SENTINEL);
    v = verifier("{\"nonce\": {\"secret\": \"c-dpop-nonce-secret-0123456789abcdef\", "
                 "\"step_seconds\": 60}}");

    portcullis_dpop_proof *p = SENTINEL;
    RC(portcullis_dpop_verifier_verify(NULL, S(RFC_PROOF), S("POST"), S(RFC_URI), NULL, 0, RFC_IAT,
                                       &p, NULL),
       NP);
    RC(portcullis_dpop_verifier_verify(v, S(RFC_PROOF), S("POST"), S(RFC_URI), NULL, 0, RFC_IAT,
                                       NULL, NULL),
       NP);
    RC(portcullis_dpop_verifier_verify(v, NULL, 5, S("POST"), S(RFC_URI), NULL, 0, RFC_IAT, &p, NULL),
       NP);
    RC(portcullis_dpop_verifier_verify(v, BAD, S("POST"), S(RFC_URI), NULL, 0, RFC_IAT, &p, NULL),
       U8ERR);
    RC(portcullis_dpop_verifier_verify(v, S(RFC_PROOF), BAD, S(RFC_URI), NULL, 0, RFC_IAT, &p, NULL),
       U8ERR);
    RC(portcullis_dpop_verifier_verify(v, S(RFC_PROOF), S("POST"), BAD, NULL, 0, RFC_IAT, &p, NULL),
       U8ERR);
    RC(portcullis_dpop_verifier_verify(v, S(RFC_PROOF), S("POST"), S(RFC_URI), BAD, RFC_IAT, &p,
                                       NULL),
       U8ERR);
    RC(portcullis_dpop_verifier_verify(v, S(RFC_PROOF), S("POST"), S(RFC_URI), NULL, 0, RFC_IAT, &p,
                                       NULL),
       PORTCULLIS_RESULT_DPOP_NONCE_REQUIRED);
    RC(portcullis_dpop_verifier_verify(v, S("a.b"), S("POST"), S(RFC_URI), NULL, 0, RFC_IAT, &p,
                                       NULL),
       PORTCULLIS_RESULT_DPOP_PROOF_INVALID);
    RC(portcullis_dpop_verifier_verify_request(v, NULL, NULL, 0, NULL, 0, &p, NULL), NP);
    RC(portcullis_dpop_verifier_verify_request(NULL, NULL, NULL, 0, NULL, 0, &p, NULL), NP);
    CHECK(p == SENTINEL);

    /* Nonces: 32 characters, one per 60-second step; none without nonce configuration. */
    char nonce[64], later[64];
    size_t n = 0;
    RC(portcullis_dpop_verifier_nonce(v, 1750000020, NULL, 0, &n), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 32);
    RC(portcullis_dpop_verifier_nonce(v, 1750000020, (uint8_t *)nonce, sizeof nonce, &n),
       PORTCULLIS_OK);
    RC(portcullis_dpop_verifier_nonce(v, 1750000079, (uint8_t *)later, sizeof later, &n),
       PORTCULLIS_OK);
    CHECK(strcmp(nonce, later) == 0);
    RC(portcullis_dpop_verifier_nonce(v, 1750000080, (uint8_t *)later, sizeof later, &n),
       PORTCULLIS_OK);
    CHECK(strcmp(nonce, later) != 0);
    RC(portcullis_dpop_verifier_nonce(NULL, 0, (uint8_t *)nonce, sizeof nonce, &n), NP);
    RC(portcullis_dpop_verifier_nonce(v, 0, (uint8_t *)nonce, sizeof nonce, NULL), NP);
    portcullis_dpop_verifier *plain = verifier("{\"algorithms\": [\"EdDSA\", \"ES256\"]}");
    RC(portcullis_dpop_verifier_nonce(plain, 0, (uint8_t *)nonce, sizeof nonce, &n), PORTCULLIS_OK);
    CHECK(n == 0 && nonce[0] == '\0');
    char algs[128];
    TEXT(portcullis_dpop_verifier_algorithms_param, plain, algs);
    CHECK(strcmp(algs, "EdDSA ES256") == 0);
    RC(portcullis_dpop_verifier_algorithms_param(NULL, (uint8_t *)algs, sizeof algs, &n), NP);

    /* Proof accessors with NULL. */
    RC(portcullis_dpop_proof_thumbprint(NULL, (uint8_t *)algs, sizeof algs, &n), NP);
    RC(portcullis_dpop_proof_jti(NULL, (uint8_t *)algs, sizeof algs, &n), NP);
    RC(portcullis_dpop_proof_algorithm(NULL, (uint8_t *)algs, sizeof algs, &n), NP);
    RC(portcullis_dpop_proof_nonce(NULL, (uint8_t *)algs, sizeof algs, &n), NP);
    CHECK(!portcullis_dpop_proof_has_nonce(NULL));
    CHECK(portcullis_dpop_proof_iat(NULL) == 0);

    CHECK(portcullis_dpop_verifier_retain(NULL) == NULL);
    portcullis_dpop_verifier *again = portcullis_dpop_verifier_retain(v);
    CHECK(again == v);
    portcullis_dpop_verifier_free(again);
    portcullis_dpop_verifier_free(NULL);
    portcullis_dpop_proof_free(NULL);
    portcullis_dpop_verifier_free(plain);
    portcullis_dpop_verifier_free(v);
}

#define RACERS 8

static void *race(void *arg) {
    portcullis_dpop_proof *p = NULL;
    portcullis_result rc = verify_rfc((portcullis_dpop_verifier *)arg, &p);
    portcullis_dpop_proof_free(p);
    return (void *)(uintptr_t)rc;
}

static void test_race(void) {
    portcullis_dpop_verifier *v = verifier("");
    pthread_t threads[RACERS];
    for (int i = 0; i < RACERS; i++)
        CHECK(pthread_create(&threads[i], NULL, race, v) == 0);
    int ok = 0, replayed = 0;
    for (int i = 0; i < RACERS; i++) {
        void *rc = NULL;
        CHECK(pthread_join(threads[i], &rc) == 0);
        ok += (uintptr_t)rc == PORTCULLIS_OK;
        replayed += (uintptr_t)rc == PORTCULLIS_RESULT_DPOP_PROOF_REPLAYED;
    }
    CHECK(ok == 1 && replayed == RACERS - 1);
    portcullis_dpop_verifier_free(v);
}

void test_dpop(void) {
    test_rfc_proof();
    test_edges();
    test_race();
}
