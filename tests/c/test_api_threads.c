/*
 * 8 threads share one keyring and one Basic verifier (each thread holds its own reference via
 * _retain) and verify concurrently while the main thread keeps inserting records.
 */
#include <pthread.h>
#include <stdlib.h>

#include "check.h"

#define THREADS 8
#define ROUNDS 200
#define BASIC_ROUNDS 10

typedef struct {
    portcullis_apikey_ring *ring;
    portcullis_basic_auth *auth;
    const char *key;
    int index;
    int ok, wrong; /* counted by the thread, checked by main */
} worker;

static void *work(void *arg) {
    worker *w = arg;
    for (int i = 0; i < ROUNDS; i++) {
        portcullis_request *req = NULL;
        char value[160];
        snprintf(value, sizeof value, "Bearer %s", w->key);
        if (portcullis_request_new(S("GET"), S("/orders"), &req) != PORTCULLIS_OK ||
            portcullis_request_add_header(req, S("Authorization"), S(value)) != PORTCULLIS_OK ||
            portcullis_request_set_now(req, NOW) != PORTCULLIS_OK) {
            w->wrong++;
            portcullis_request_free(req);
            continue;
        }
        portcullis_principal *p = NULL;
        portcullis_denial *d = NULL;
        const char *scopes = (i + w->index) % 4 == 0 ? "admin" : "read";
        portcullis_result rc = portcullis_apikey_ring_verify(w->ring, req, S(scopes), &p, &d);
        portcullis_result want = scopes[0] == 'a' ? PORTCULLIS_RESULT_SCOPE_INSUFFICIENT : PORTCULLIS_OK;
        if (rc == want)
            w->ok++;
        else
            w->wrong++;
        portcullis_principal_free(p);
        portcullis_denial_free(d);
        portcullis_request_free(req);
    }
    for (int i = 0; i < BASIC_ROUNDS; i++) {
        portcullis_request *req = NULL;
        /* carol:pw, then carol:nope */
        const char *value = i % 2 == 0 ? "Basic Y2Fyb2w6cHc=" : "Basic Y2Fyb2w6bm9wZQ==";
        portcullis_result want = i % 2 == 0 ? PORTCULLIS_OK : PORTCULLIS_RESULT_BASIC_INVALID_CREDENTIALS;
        portcullis_principal *p = NULL;
        portcullis_result rc = portcullis_request_new(S("GET"), S("/"), &req);
        if (rc == PORTCULLIS_OK)
            rc = portcullis_request_add_header(req, S("Authorization"), S(value));
        if (rc == PORTCULLIS_OK)
            rc = portcullis_basic_auth_verify(w->auth, req, &p, NULL);
        if (rc == want)
            w->ok++;
        else
            w->wrong++;
        portcullis_principal_free(p);
        portcullis_request_free(req);
    }
    portcullis_apikey_ring_free(w->ring);
    portcullis_basic_auth_free(w->auth);
    return NULL;
}

void test_threads(void) {
    portcullis_apikey_ring *ring = NULL;
    RC(portcullis_apikey_ring_new(S(PEPPER), NULL, 0, &ring), PORTCULLIS_OK);
    portcullis_issued_apikey *issued = NULL;
    RC(portcullis_apikey_ring_generate(ring, S("{\"scopes\":[\"read\"]}"), &issued), PORTCULLIS_OK);
    portcullis_apikey_record *record = NULL;
    RC(portcullis_issued_apikey_record(issued, &record), PORTCULLIS_OK);
    RC(portcullis_apikey_ring_insert(ring, record), PORTCULLIS_OK);
    char key[128];
    TEXT(portcullis_issued_apikey_key, issued, key);

    char hash[256], config[512];
    size_t len = 0;
    RC(portcullis_hash_password(S("pw"), 64, 1, 1, (uint8_t *)hash, sizeof hash, &len), PORTCULLIS_OK);
    snprintf(config, sizeof config, "{\"users\":{\"carol\":\"%s\"}}", hash);
    portcullis_basic_auth *auth = NULL;
    RC(portcullis_basic_auth_new(S(config), &auth), PORTCULLIS_OK);

    worker workers[THREADS];
    pthread_t threads[THREADS];
    int started = 0;
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){portcullis_apikey_ring_retain(ring), portcullis_basic_auth_retain(auth),
                              key, i, 0, 0};
        if (pthread_create(&threads[i], NULL, work, &workers[i]) != 0) {
            portcullis_apikey_ring_free(workers[i].ring);
            portcullis_basic_auth_free(workers[i].auth);
            break;
        }
        started++;
    }
    CHECK(started == THREADS);
    /* Writers alongside the readers: more records in and out. */
    for (int i = 0; i < 50; i++) {
        portcullis_issued_apikey *extra = NULL;
        portcullis_apikey_record *extra_record = NULL;
        RC(portcullis_apikey_ring_generate(ring, NULL, 0, &extra), PORTCULLIS_OK);
        RC(portcullis_issued_apikey_record(extra, &extra_record), PORTCULLIS_OK);
        RC(portcullis_apikey_ring_insert(ring, extra_record), PORTCULLIS_OK);
        portcullis_apikey_record_free(extra_record);
        portcullis_issued_apikey_free(extra);
    }
    /* The creator drops its references early: the threads' references keep both alive. */
    portcullis_apikey_ring_free(ring);
    portcullis_basic_auth_free(auth);
    for (int i = 0; i < started; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(workers[i].wrong == 0);
        CHECK(workers[i].ok == ROUNDS + BASIC_ROUNDS);
    }
    portcullis_apikey_record_free(record);
    portcullis_issued_apikey_free(issued);
}
