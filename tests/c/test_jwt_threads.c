/*
 * 8 threads share one JWT verifier (each holds its own reference via _retain, with the
 * verified-token cache on), one key set and one signing key. Each thread signs its own tokens
 * (unique sub and jti) and verifies them at token and request level, twice (the second time
 * from the cache), plus an expired one; thread 0 meanwhile adds and removes an unrelated key in
 * the shared set. Each thread then revokes its first token; after the joins the main thread
 * sees every revocation, whichever thread made it.
 */
#include <pthread.h>
#include <stdlib.h>

#include "jwt_fixtures.h"

#define JWT_THREADS 8
#define JWT_ROUNDS 40

typedef struct {
    portcullis_jwt_verifier *v;
    portcullis_jwt_keyset *set;
    const portcullis_jwt_key *key;
    const portcullis_jwt_key *churn;
    int index;
    int ok, wrong;
    char first[1024], second[1024];
} jwt_worker;

static void tally(jwt_worker *w, portcullis_result got, portcullis_result want) {
    if (got == want)
        w->ok++;
    else
        w->wrong++;
}

/* Request-level verify; checks the subject too. */
static portcullis_result via_request(jwt_worker *w, const char *token, const char *sub) {
    char header[1200], subject[128];
    snprintf(header, sizeof header, "Bearer %s", token);
    portcullis_request *req = NULL;
    portcullis_principal *p = NULL;
    portcullis_result rc = portcullis_request_new(S("GET"), S("/orders"), &req);
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_add_header(req, S("Authorization"), S(header));
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_set_now(req, NOW);
    if (rc == PORTCULLIS_OK)
        rc = portcullis_jwt_verifier_verify(w->v, req, S("orders:read"), &p, NULL);
    size_t len = 0;
    if (rc == PORTCULLIS_OK &&
        (portcullis_principal_subject(p, (uint8_t *)subject, sizeof subject, &len) != PORTCULLIS_OK ||
         strcmp(subject, sub) != 0))
        rc = PORTCULLIS_RESULT_INTERNAL;
    portcullis_principal_free(p);
    portcullis_request_free(req);
    return rc;
}

static void *jwt_work(void *arg) {
    jwt_worker *w = arg;
    for (int i = 0; i < JWT_ROUNDS; i++) {
        char sub[64], claims[512], token[1024];
        snprintf(sub, sizeof sub, "t%02d-r%04d", w->index, i);
        snprintf(claims, sizeof claims,
                 "{\"sub\":\"%s\",\"jti\":\"%s\",\"iss\":\"https://issuer.test\",\"aud\":"
                 "\"orders-api\",\"iat\":%lld,\"exp\":%lld,\"scope\":\"orders:read\"}",
                 sub, sub, NOW, NOW + 600);
        tally(w, jwt_sign(claims, w->key, "", token, sizeof token), PORTCULLIS_OK);
        tally(w, jwt_check(w->v, token, NOW, "orders:read"), PORTCULLIS_OK);
        tally(w, via_request(w, token, sub), PORTCULLIS_OK); /* cached by now */
        tally(w, jwt_check(w->v, token, NOW + 700, ""), PORTCULLIS_RESULT_JWT_EXPIRED);
        if (i == 0)
            snprintf(w->first, sizeof w->first, "%s", token);
        if (i == 1)
            snprintf(w->second, sizeof w->second, "%s", token);
        if (w->churn != NULL) {
            size_t removed = 0;
            tally(w, portcullis_jwt_keyset_insert(w->set, w->churn), PORTCULLIS_OK);
            tally(w, portcullis_jwt_keyset_remove(w->set, S("churn"), &removed), PORTCULLIS_OK);
            tally(w, removed == 1 ? PORTCULLIS_OK : PORTCULLIS_RESULT_INTERNAL, PORTCULLIS_OK);
        }
    }
    char jti[64];
    snprintf(jti, sizeof jti, "t%02d-r%04d", w->index, 0);
    tally(w, portcullis_jwt_verifier_revoke(w->v, S(jti), NOW + 3600, NOW), PORTCULLIS_OK);
    tally(w, jwt_check(w->v, w->first, NOW, ""), PORTCULLIS_RESULT_JWT_REVOKED);
    portcullis_jwt_verifier_free(w->v);
    portcullis_jwt_keyset_free(w->set);
    return NULL;
}

void test_jwt_threads(void) {
    portcullis_jwt_key *key = jwt_hs256("k1"), *churn = NULL;
    CHECK(key != NULL);
    RC(portcullis_jwt_key_from_pem(S(ED25519_PUBLIC), S("EdDSA"), S("churn"), &churn), PORTCULLIS_OK);
    portcullis_jwt_keyset *set = NULL;
    portcullis_jwt_verifier *v = NULL;
    RC(portcullis_jwt_keyset_new(&set), PORTCULLIS_OK);
    RC(portcullis_jwt_keyset_insert(set, key), PORTCULLIS_OK);
    /* Thread 0 churns an EdDSA key in this HS256 set: the set then mixes key types, which a
     * verifier refuses per token (config_invalid) unless it allows them. */
    RC(portcullis_jwt_verifier_new(
           set, S("{\"issuers\":[\"https://issuer.test\"],\"audiences\":[\"orders-api\"],"
                  "\"cache_size\":64,\"allow_mixed_key_types\":true}"),
           &v),
       PORTCULLIS_OK);

    static jwt_worker workers[JWT_THREADS];
    pthread_t threads[JWT_THREADS];
    int started = 0;
    for (int i = 0; i < JWT_THREADS; i++) {
        workers[i] = (jwt_worker){portcullis_jwt_verifier_retain(v), portcullis_jwt_keyset_retain(set),
                                  key, i == 0 ? churn : NULL, i, 0, 0, "", ""};
        CHECK(workers[i].v == v && workers[i].set == set);
        if (pthread_create(&threads[i], NULL, jwt_work, &workers[i]) != 0) {
            portcullis_jwt_verifier_free(workers[i].v);
            portcullis_jwt_keyset_free(workers[i].set);
            break;
        }
        started++;
    }
    CHECK(started == JWT_THREADS);
    for (int i = 0; i < started; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(workers[i].wrong == 0);
        CHECK(workers[i].ok == JWT_ROUNDS * (i == 0 ? 7 : 4) + 2);
    }
    for (int i = 0; i < started; i++) {
        RC(jwt_check(v, workers[i].first, NOW, ""), PORTCULLIS_RESULT_JWT_REVOKED);
        RC(jwt_check(v, workers[i].second, NOW, ""), PORTCULLIS_OK);
    }
    CHECK(portcullis_jwt_keyset_len(set) == 1);
    portcullis_jwt_verifier_free(v);
    portcullis_jwt_keyset_free(set);
    portcullis_jwt_key_free(churn);
    portcullis_jwt_key_free(key);
}
