/*
 * 8 threads share one webhook verifier and one PCS1 verifier (each thread holds its own
 * reference via _retain). Each thread signs with its own signer and key, with message ids and
 * nonces no other thread uses, and every delivery passes, webhooks both as a request and as a
 * payload (verify_payload: body and header fields); each thread then replays its first
 * delivery of each kind, and the main thread replays every thread's first ones after the
 * joins: all refused as replayed, whichever thread saw them first.
 */
#include <pthread.h>
#include <stdlib.h>

#include "signatures.h"

#define SIG_THREADS 8
#define SIG_ROUNDS 40

typedef struct {
    portcullis_webhook_verifier *webhook;
    portcullis_hmac_verifier *hmac;
    int index;
    int ok, wrong;
    /* The first delivery of each kind, kept for the replays. */
    portcullis_request *first_webhook, *first_pcs1;
    webhook_payload first_payload; /* holds pointers into itself: kept in place */
} sig_worker;

static int verify_webhook(portcullis_webhook_verifier *v, portcullis_request *req) {
    portcullis_principal *p = NULL;
    portcullis_result rc = portcullis_webhook_verifier_verify(v, req, &p, NULL);
    portcullis_principal_free(p);
    return (int)rc;
}

static int verify_pcs1(portcullis_hmac_verifier *v, portcullis_request *req) {
    portcullis_principal *p = NULL;
    portcullis_result rc = portcullis_hmac_verifier_verify(v, req, &p, NULL);
    portcullis_principal_free(p);
    return (int)rc;
}

static void tally(sig_worker *w, int got, portcullis_result want) {
    if ((portcullis_result)got == want)
        w->ok++;
    else
        w->wrong++;
}

static void *sig_work(void *arg) {
    sig_worker *w = arg;
    portcullis_webhook_signer *signer = NULL;
    portcullis_hmac_signing_key *key = NULL;
    if (portcullis_webhook_signer_new(S("standard"), S(WEBHOOK_SECRET), &signer) != PORTCULLIS_OK ||
        portcullis_hmac_signing_key_new(S("svc-a"), S("hmac-sha256"), S(HMAC_SECRET), &key) != PORTCULLIS_OK) {
        w->wrong++;
    } else {
        for (int i = 0; i < SIG_ROUNDS; i++) {
            char id[64], nonce[64];
            snprintf(id, sizeof id, "msg_t%02d_r%04d", w->index, i);
            snprintf(nonce, sizeof nonce, "thread%02dround%04dpadding", w->index, i);
            portcullis_request *hook = signed_webhook(signer, id, "{\"n\":1}", NOW);
            portcullis_request *pcs1 = signed_pcs1(key, nonce, "{\"n\":1}", NOW);
            tally(w, verify_webhook(w->webhook, hook), PORTCULLIS_OK);
            tally(w, verify_pcs1(w->hmac, pcs1), PORTCULLIS_OK);
            snprintf(id, sizeof id, "msg_t%02d_p%04d", w->index, i);
            webhook_payload payload;
            webhook_payload *pay = i == 0 ? &w->first_payload : &payload;
            if (sign_payload(signer, id, "{\"n\":2}", NOW, pay))
                tally(w, (int)verify_payload(w->webhook, pay, NOW), PORTCULLIS_OK);
            else
                w->wrong++;
            if (i == 0) {
                w->first_webhook = hook;
                w->first_pcs1 = pcs1;
            } else {
                portcullis_request_free(hook);
                portcullis_request_free(pcs1);
            }
        }
        tally(w, verify_webhook(w->webhook, w->first_webhook), PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
        tally(w, verify_pcs1(w->hmac, w->first_pcs1), PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
        tally(w, (int)verify_payload(w->webhook, &w->first_payload, NOW),
              PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
    }
    portcullis_webhook_signer_free(signer);
    portcullis_hmac_signing_key_free(key);
    portcullis_webhook_verifier_free(w->webhook);
    portcullis_hmac_verifier_free(w->hmac);
    return NULL;
}

void test_signature_threads(void) {
    portcullis_webhook_verifier *webhook = NULL;
    portcullis_hmac_verifier *hmac = NULL;
    RC(portcullis_webhook_verifier_new(S(WEBHOOK_CONFIG), &webhook), PORTCULLIS_OK);
    RC(portcullis_hmac_verifier_new(S(HMAC_CONFIG), &hmac), PORTCULLIS_OK);
    CHECK(portcullis_webhook_verifier_retain(NULL) == NULL);
    CHECK(portcullis_hmac_verifier_retain(NULL) == NULL);

    sig_worker workers[SIG_THREADS];
    pthread_t threads[SIG_THREADS];
    int started = 0;
    for (int i = 0; i < SIG_THREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].webhook = portcullis_webhook_verifier_retain(webhook);
        workers[i].hmac = portcullis_hmac_verifier_retain(hmac);
        workers[i].index = i;
        CHECK(workers[i].webhook == webhook && workers[i].hmac == hmac);
        if (pthread_create(&threads[i], NULL, sig_work, &workers[i]) != 0) {
            portcullis_webhook_verifier_free(workers[i].webhook);
            portcullis_hmac_verifier_free(workers[i].hmac);
            break;
        }
        started++;
    }
    CHECK(started == SIG_THREADS);
    for (int i = 0; i < started; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(workers[i].wrong == 0);
        CHECK(workers[i].ok == 3 * SIG_ROUNDS + 3);
    }
    /* Replays from another thread than the one that saw them first. */
    for (int i = 0; i < started; i++) {
        CHECK(verify_webhook(webhook, workers[i].first_webhook) ==
              (int)PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
        CHECK(verify_pcs1(hmac, workers[i].first_pcs1) == (int)PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
        RC(verify_payload(webhook, &workers[i].first_payload, NOW),
           PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
        portcullis_request_free(workers[i].first_webhook);
        portcullis_request_free(workers[i].first_pcs1);
    }
    portcullis_webhook_verifier_free(webhook);
    portcullis_hmac_verifier_free(hmac);
}
