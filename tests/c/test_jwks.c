/*
 * The remote JWKS API against a real loopback HTTP server (http_server.c): a JWKS built from
 * keys generated through the C JWT key API; cold-cache verify (token and request level),
 * status JSON, refresh, rotation (a new key set is served; within the kid-miss cooldown the new
 * kid is unknown, just past it a refetch finds it), the endpoint down, an HTTP 500 and a bad
 * document, config errors, NULL inputs, buffers, the verifier outliving the caller's client
 * reference,
 * and 8 threads verifying on a cold client sharing one fetch.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "http_server.h"
#include "jwt_fixtures.h"

static const http_header JSON_HEADERS[] = {{"Content-Type", "application/json"},
                                           {"Cache-Control", "max-age=600"}};

/* Serves `body` at /jwks.json with status `status`. */
static void serve_jwks(http_server *s, int status, const char *body) {
    http_route r = {"/jwks.json", status, JSON_HEADERS, 2, body, strlen(body)};
    CHECK(http_server_set_routes(s, &r, 1) == 0);
}

/* `{"keys":[<public JWK of key>]}` into out. */
static void jwks_of(const portcullis_jwt_key *key, char *out, size_t cap) {
    char jwk[2048];
    size_t n = 0;
    RC(portcullis_jwt_key_public_jwk(key, (uint8_t *)jwk, sizeof jwk, &n), PORTCULLIS_OK);
    snprintf(out, cap, "{\"keys\":[%s]}", jwk);
}

static portcullis_jwt_key *es256(void) {
    portcullis_jwt_key *key = NULL;
    RC(portcullis_jwt_key_generate(S("ES256"), &key), PORTCULLIS_OK);
    return key;
}

static void token_for(const portcullis_jwt_key *key, const char *sub, char *out, size_t cap) {
    char claims[512];
    snprintf(claims, sizeof claims,
             "{\"sub\":\"%s\",\"iss\":\"https://issuer.test\",\"aud\":\"orders-api\",\"iat\":%lld,"
             "\"exp\":%lld,\"scope\":\"orders:read\"}",
             sub, NOW, NOW + 600);
    RC(jwt_sign(claims, key, "", out, cap), PORTCULLIS_OK);
}

static portcullis_jwks_client *client_for(unsigned port, const char *extra) {
    char config[512];
    snprintf(config, sizeof config,
             "{\"url\":\"http://127.0.0.1:%u/jwks.json\",\"kid_miss_cooldown_seconds\":1,"
             "\"timeout_ms\":2000,\"connect_timeout_ms\":1000%s}",
             port, extra);
    portcullis_jwks_client *c = NULL;
    RC(portcullis_jwks_client_new(S(config), &c), PORTCULLIS_OK);
    return c;
}

static char status_json[4096];

static void status_of(const portcullis_jwks_client *c) {
    TEXT(portcullis_jwks_client_status, c, status_json);
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_flow(void) {
    http_server *srv = http_server_start();
    CHECK(srv != NULL);
    if (srv == NULL)
        return;
    portcullis_jwt_key *k1 = es256(), *k2 = es256();
    char jwks1[4096], jwks2[4096], kid1[128], kid2[128];
    jwks_of(k1, jwks1, sizeof jwks1);
    jwks_of(k2, jwks2, sizeof jwks2);
    TEXT(portcullis_jwt_key_kid, k1, kid1);
    TEXT(portcullis_jwt_key_kid, k2, kid2);
    serve_jwks(srv, 200, jwks1);

    portcullis_jwks_client *client = client_for(http_server_port(srv), "");
    status_of(client);
    CHECK(strstr(status_json, "\"state\":\"empty\"") != NULL);
    CHECK(strstr(status_json, "\"fetch_count\":0") != NULL);
    CHECK(http_server_requests(srv) == 0); /* no I/O at construction */

    portcullis_jwt_verifier *v = SENTINEL;
    RC(portcullis_jwt_verifier_new_remote(client, S(JWT_CONFIG), &v), PORTCULLIS_OK);
    CHECK(v != SENTINEL);

    /* Cold cache: the first verify fetches once. */
    char t1[1024], t2[1024];
    token_for(k1, "alice", t1, sizeof t1);
    token_for(k2, "bob", t2, sizeof t2);
    portcullis_principal *p = NULL;
    RC(portcullis_jwt_verifier_verify_token(v, S(t1), NOW, true, S("orders:read"), &p, NULL),
       PORTCULLIS_OK);
    char text[256];
    TEXT(portcullis_principal_subject, p, text);
    CHECK(strcmp(text, "alice") == 0);
    TEXT(portcullis_principal_credential_id, p, text);
    CHECK(strcmp(text, kid1) == 0);
    portcullis_principal_free(p);
    CHECK(http_server_requests(srv) == 1);
    RC(jwt_check(v, t1, NOW, ""), PORTCULLIS_OK); /* from the cache */
    CHECK(http_server_requests(srv) == 1);

    /* Request level, through the same handle type. */
    char authz[1100];
    snprintf(authz, sizeof authz, "Bearer %s", t1);
    portcullis_request *req = request("Authorization", authz, NOW);
    p = NULL;
    RC(portcullis_jwt_verifier_verify(v, req, S("orders:read"), &p, NULL), PORTCULLIS_OK);
    portcullis_principal_free(p);
    portcullis_request_free(req);

    /* Status and refresh on the client the verifier shares. */
    status_of(client);
    CHECK(strstr(status_json, "\"state\":\"fresh\"") != NULL);
    CHECK(strstr(status_json, "\"keys\":1") != NULL);
    CHECK(strstr(status_json, kid1) != NULL);
    CHECK(strstr(status_json, "\"fetch_count\":1") != NULL);
    RC(portcullis_jwks_client_refresh(client), PORTCULLIS_OK);
    CHECK(http_server_requests(srv) == 2);
    status_of(client);
    CHECK(strstr(status_json, "\"fetch_count\":2") != NULL);
    CHECK(strstr(status_json, "\"last_error\":null") != NULL);
    char url[128];
    snprintf(url, sizeof url, "\"jwks_uri\":\"http://127.0.0.1:%u/jwks.json\"",
             http_server_port(srv));
    CHECK(strstr(status_json, url) != NULL);
    size_t need = 0;
    char small[8] = "ZZZZZZZ";
    RC(portcullis_jwks_client_status(client, (uint8_t *)small, sizeof small, &need),
       PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(need == strlen(status_json) && small[0] == 'Z');

    /* Rotation: the server now serves only k2. Within the cooldown (1 s since the refresh just
       above) the new kid is unknown without a fetch; just past it a kid-miss refetch finds it. */
    serve_jwks(srv, 200, jwks2);
    size_t before = http_server_requests(srv);
    RC(jwt_check(v, t2, NOW, ""), PORTCULLIS_RESULT_JWT_KEY_UNKNOWN);
    CHECK(http_server_requests(srv) == before);
    sleep_ms(1100);
    RC(jwt_check(v, t2, NOW, ""), PORTCULLIS_OK);
    CHECK(http_server_requests(srv) == before + 1);
    RC(jwt_check(v, t1, NOW, ""), PORTCULLIS_RESULT_JWT_KEY_UNKNOWN); /* k1 is gone */
    RC(portcullis_jwks_client_refresh(client), PORTCULLIS_OK);
    status_of(client);
    CHECK(strstr(status_json, kid2) != NULL && strstr(status_json, kid1) == NULL);

    /* A server error and a bad document: refresh fails, the old set stays in use. */
    serve_jwks(srv, 500, "oops");
    RC(portcullis_jwks_client_refresh(client), PORTCULLIS_RESULT_JWT_JWKS_UNAVAILABLE);
    serve_jwks(srv, 200, "{\"nokeys\":true}");
    RC(portcullis_jwks_client_refresh(client), PORTCULLIS_RESULT_JWT_JWKS_INVALID);
    status_of(client);
    CHECK(strstr(status_json, "\"code\":\"jwt_jwks_invalid\"") != NULL);
    CHECK(strstr(status_json, "\"failure_count\":2") != NULL);
    CHECK(strstr(status_json, "\"state\":\"fresh\"") != NULL);
    CHECK(strstr(status_json, "oops") == NULL);

    /* The endpoint down: a cold client fails closed. */
    unsigned port = http_server_port(srv);
    http_server_stop(srv);
    portcullis_jwks_client *down = client_for(port, "");
    portcullis_jwt_verifier *dv = NULL;
    RC(portcullis_jwt_verifier_new_remote(down, NULL, 0, &dv), PORTCULLIS_OK);
    portcullis_denial *d = NULL;
    p = SENTINEL;
    RC(portcullis_jwt_verifier_verify_token(dv, S(t2), NOW, true, NULL, 0, &p, &d),
       PORTCULLIS_RESULT_JWT_JWKS_UNAVAILABLE);
    CHECK(p == SENTINEL && portcullis_denial_http_status(d) == 503);
    portcullis_denial_free(d);
    RC(portcullis_jwks_client_refresh(down), PORTCULLIS_RESULT_JWT_JWKS_UNAVAILABLE);
    status_of(down);
    CHECK(strstr(status_json, "\"code\":\"jwt_jwks_unavailable\"") != NULL);
    CHECK(strstr(status_json, "\"state\":\"empty\"") != NULL);
    portcullis_jwt_verifier_free(dv);
    portcullis_jwks_client_free(down);

    /* The verifier holds its own reference: it still verifies after the caller's is gone. */
    portcullis_jwks_client_free(client);
    RC(jwt_check(v, t2, NOW, ""), PORTCULLIS_OK);
    portcullis_jwt_verifier_free(v);
    portcullis_jwt_key_free(k1);
    portcullis_jwt_key_free(k2);
}

static void test_bad_inputs_jwks(void) {
    portcullis_jwks_client *c = SENTINEL;
    RC(portcullis_jwks_client_new(NULL, 4, &c), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_jwks_client_new(S("{\"url\":\"https://x.test/k\"}"), NULL),
       PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_jwks_client_new((const uint8_t *)"{\"url\":\"\xff\"}", 10, &c),
       PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_jwks_client_new(S("{\"url\":"), &c), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_jwks_client_new(S("{\"url\":\"https://x.test/k\",\"bogus\":1}"), &c),
       PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_jwks_client_new(S("{}"), &c), PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_jwks_client_new(S("{\"url\":\"http://example.com/jwks\"}"), &c),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_jwks_client_new(
           S("{\"url\":\"https://x.test/k\",\"issuer\":\"https://x.test\"}"), &c),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_jwks_client_new(S("{\"url\":\"https://x.test/k\",\"min_ttl_seconds\":0}"), &c),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_jwks_client_new(NULL, 0, &c), PORTCULLIS_RESULT_JSON_INVALID);
    CHECK(c == SENTINEL);

    c = NULL;
    RC(portcullis_jwks_client_new(S("{\"issuer\":\"https://issuer.test\"}"), &c), PORTCULLIS_OK);
    portcullis_jwt_verifier *v = SENTINEL;
    RC(portcullis_jwt_verifier_new_remote(NULL, NULL, 0, &v), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_jwt_verifier_new_remote(c, S("{\"issuers\":"), &v), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_jwt_verifier_new_remote(c, S("{\"leeway_seconds\":9999}"), &v),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_jwt_verifier_new_remote(c, NULL, 0, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(v == SENTINEL);
    RC(portcullis_jwks_client_refresh(NULL), PORTCULLIS_RESULT_NULL_POINTER);
    size_t n = 0;
    RC(portcullis_jwks_client_status(NULL, NULL, 0, &n), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_jwks_client_status(c, NULL, 0, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    status_of(c);
    CHECK(strstr(status_json, "\"issuer\":\"https://issuer.test\"") != NULL);
    CHECK(strstr(status_json, "\"jwks_uri\":null") != NULL); /* discovery is lazy */
    CHECK(portcullis_jwks_client_retain(NULL) == NULL);
    portcullis_jwks_client *c2 = portcullis_jwks_client_retain(c);
    CHECK(c2 == c);
    portcullis_jwks_client_free(c);
    portcullis_jwks_client_free(c2);
    portcullis_jwks_client_free(NULL);
}

#define JWKS_THREADS 8
#define JWKS_ROUNDS 20

typedef struct {
    portcullis_jwt_verifier *v;
    const char *token;
    int ok, wrong;
} jwks_worker;

static void *jwks_work(void *arg) {
    jwks_worker *w = arg;
    for (int i = 0; i < JWKS_ROUNDS; i++)
        (*(jwt_check(w->v, w->token, NOW, "orders:read") == PORTCULLIS_OK ? &w->ok : &w->wrong))++;
    portcullis_jwt_verifier_free(w->v);
    return NULL;
}

static void test_jwks_threads(void) {
    http_server *srv = http_server_start();
    CHECK(srv != NULL);
    if (srv == NULL)
        return;
    portcullis_jwt_key *key = es256();
    char jwks[4096], token[1024];
    jwks_of(key, jwks, sizeof jwks);
    serve_jwks(srv, 200, jwks);
    token_for(key, "carol", token, sizeof token);
    portcullis_jwks_client *client = client_for(http_server_port(srv), "");
    portcullis_jwt_verifier *v = NULL;
    RC(portcullis_jwt_verifier_new_remote(client, S(JWT_CONFIG), &v), PORTCULLIS_OK);
    jwks_worker workers[JWKS_THREADS];
    pthread_t threads[JWKS_THREADS];
    for (int t = 0; t < JWKS_THREADS; t++) {
        workers[t] = (jwks_worker){portcullis_jwt_verifier_retain(v), token, 0, 0};
        CHECK(pthread_create(&threads[t], NULL, jwks_work, &workers[t]) == 0);
    }
    int ok = 0, wrong = 0;
    for (int t = 0; t < JWKS_THREADS; t++) {
        pthread_join(threads[t], NULL);
        ok += workers[t].ok;
        wrong += workers[t].wrong;
    }
    CHECK(wrong == 0 && ok == JWKS_THREADS * JWKS_ROUNDS);
    CHECK(http_server_requests(srv) == 1); /* one fetch shared by every thread */
    status_of(client);
    CHECK(strstr(status_json, "\"fetch_count\":1") != NULL);
    portcullis_jwt_verifier_free(v);
    portcullis_jwks_client_free(client);
    portcullis_jwt_key_free(key);
    http_server_stop(srv);
}

void test_jwks(void) {
    test_flow();
    test_bad_inputs_jwks();
    test_jwks_threads();
}
