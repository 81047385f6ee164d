/*
 * The gate's audit callback and its thread-safety: the callback receives one JSON event per
 * decision, on the audit thread, never a secret; the counters add up after a flush; events
 * queued when the gate is freed are still delivered. Then 8 threads check one gate (each with
 * its own reference) while another thread reloads it, bounded rounds, every decision as
 * expected whichever configuration it met.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "gate_fixtures.h"

#define GATE_THREADS 8
#define GATE_ROUNDS 60
#define GATE_RELOADS 30

typedef struct {
    pthread_t request_thread;
    atomic_int events, on_request_thread, with_secret, malformed;
    atomic_int allow, deny;
    const char *secret; /* must never appear in an event */
} audit_log;

static void on_event(void *ctx, const uint8_t *json, size_t len) {
    audit_log *log = ctx;
    atomic_fetch_add(&log->events, 1);
    if (pthread_equal(pthread_self(), log->request_thread))
        atomic_fetch_add(&log->on_request_thread, 1);
    const char *text = (const char *)json;
    if (len == 0 || text[0] != '{' || text[len - 1] != '}' || text[len] != '\0' ||
        strlen(text) != len)
        atomic_fetch_add(&log->malformed, 1);
    if (log->secret != NULL && strstr(text, log->secret) != NULL)
        atomic_fetch_add(&log->with_secret, 1);
    if (strstr(text, "\"outcome\":\"allow\"") != NULL)
        atomic_fetch_add(&log->allow, 1);
    if (strstr(text, "\"outcome\":\"deny\"") != NULL)
        atomic_fetch_add(&log->deny, 1);
}

static void test_audit(void) {
    audit_log log;
    memset(&log, 0, sizeof log);
    log.request_thread = pthread_self();
    char auth[1200];
    CHECK(gate_token("frank", "orders:read", auth, sizeof auth));
    char needle[17]; /* a run of the token's payload */
    memcpy(needle, auth + 7 + 40, 16);
    needle[16] = '\0';
    log.secret = needle;

    portcullis_gate_options *o = gate_options();
    RC(portcullis_gate_options_set_audit(o, on_event, &log), PORTCULLIS_OK);
    portcullis_gate *g = NULL;
    RC(portcullis_gate_new(S(GATE_CONFIG), o, &g, NULL), PORTCULLIS_OK);
    const int rounds = 25;
    for (int i = 0; i < rounds; i++) {
        portcullis_gate_decision *d = gate_decide(g, gate_request("GET", "/orders/7", auth));
        CHECK(portcullis_gate_decision_allowed(d));
        portcullis_gate_decision_free(d);
        d = gate_decide(g, gate_request("GET", "/nowhere", NULL));
        CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_ROUTE_UNMATCHED);
        portcullis_gate_decision_free(d);
    }
    CHECK(portcullis_gate_flush_audit(g, 10000));
    uint64_t submitted = 0, delivered = 0, dropped = 0, failures = 0;
    RC(portcullis_gate_audit_stats(g, &submitted, &delivered, &dropped, &failures), PORTCULLIS_OK);
    CHECK(submitted == 2 * (uint64_t)rounds && delivered == submitted && dropped == 0 && failures == 0);
    CHECK(atomic_load(&log.events) == 2 * rounds);
    CHECK(atomic_load(&log.allow) == rounds && atomic_load(&log.deny) == rounds);
    CHECK(atomic_load(&log.on_request_thread) == 0);
    CHECK(atomic_load(&log.malformed) == 0);
    CHECK(atomic_load(&log.with_secret) == 0);
    /* Each counter may be skipped. */
    RC(portcullis_gate_audit_stats(g, NULL, &delivered, NULL, NULL), PORTCULLIS_OK);
    CHECK(delivered == 2 * (uint64_t)rounds);

    /* A reload keeps the pipeline and its counters; a decision after it is audited too. */
    RC(portcullis_gate_reload(g, S(GATE_CREDENTIALS GATE_ROUTES), NULL), PORTCULLIS_OK);
    portcullis_gate_decision *d = gate_decide(g, gate_request("GET", "/health", NULL));
    portcullis_gate_decision_free(d);
    CHECK(portcullis_gate_flush_audit(g, 10000));
    RC(portcullis_gate_audit_stats(g, &submitted, NULL, NULL, NULL), PORTCULLIS_OK);
    CHECK(submitted == 2 * (uint64_t)rounds + 1);
    CHECK(atomic_load(&log.events) == 2 * rounds + 1);

    /* Freeing the last reference delivers what is queued before it returns. */
    d = gate_decide(g, gate_request("GET", "/health", NULL));
    portcullis_gate_decision_free(d);
    portcullis_gate_free(g);
    CHECK(atomic_load(&log.events) == 2 * rounds + 2);

    /* The options' callback is not used by a generic verifier. */
    o = gate_options();
    RC(portcullis_gate_options_set_audit(o, on_event, &log), PORTCULLIS_OK);
    portcullis_verifier *v = NULL;
    RC(portcullis_verifier_new(S("{\"method\": \"basic\", \"users\": {}}"), o, &v, NULL), PORTCULLIS_OK);
    portcullis_verifier_free(v);
    CHECK(atomic_load(&log.events) == 2 * rounds + 2);
}

typedef struct {
    portcullis_gate *g;
    int index;
    int ok, wrong;
} gate_worker;

static void tally(gate_worker *w, int good) {
    if (good)
        w->ok++;
    else
        w->wrong++;
}

static void *gate_work(void *arg) {
    gate_worker *w = arg;
    char auth[1200], sub[32];
    snprintf(sub, sizeof sub, "worker-%d", w->index);
    if (!gate_token(sub, "orders:read", auth, sizeof auth)) {
        w->wrong++;
        return NULL;
    }
    for (int i = 0; i < GATE_ROUNDS; i++) {
        /* Both configurations the reloader swaps between allow this and refuse the next. */
        portcullis_gate_decision *d = gate_decide(w->g, gate_request("GET", "/orders/7", auth));
        char credential[32] = "";
        size_t len = 0;
        tally(w, portcullis_gate_decision_allowed(d) &&
                     portcullis_gate_decision_credential(d, (uint8_t *)credential,
                                                         sizeof credential, &len) == PORTCULLIS_OK &&
                     strcmp(credential, "tokens") == 0);
        portcullis_gate_decision_free(d);
        d = gate_decide(w->g, gate_request("GET", "/orders/7", NULL));
        tally(w, portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_CREDENTIALS_MISSING &&
                     portcullis_gate_decision_status(d) == 401);
        portcullis_gate_decision_free(d);
        d = gate_decide(w->g, gate_request("GET", "/health", NULL));
        tally(w, portcullis_gate_decision_allowed(d) && portcullis_gate_decision_anonymous(d));
        portcullis_gate_decision_free(d);
    }
    portcullis_gate_free(w->g);
    return NULL;
}

typedef struct {
    portcullis_gate *g;
    int ok, wrong;
} reloader;

static void *reload_work(void *arg) {
    reloader *r = arg;
    for (int i = 0; i < GATE_RELOADS; i++) {
        const char *config = i % 2 == 0 ? GATE_CREDENTIALS GATE_ROUTES : GATE_CONFIG;
        portcullis_denial *err = NULL;
        portcullis_result rc = portcullis_gate_reload(r->g, S(config), &err);
        if (rc == PORTCULLIS_OK && err == NULL)
            r->ok++;
        else
            r->wrong++;
        portcullis_denial_free(err);
        /* A failing reload in between leaves whichever configuration was running. */
        rc = portcullis_gate_reload(r->g, S("routes = []\n"), &err);
        if (rc == PORTCULLIS_RESULT_CONFIG_INVALID && err != NULL)
            r->ok++;
        else
            r->wrong++;
        portcullis_denial_free(err);
        err = NULL;
    }
    portcullis_gate_free(r->g);
    return NULL;
}

static void test_gate_concurrency(void) {
    portcullis_gate *g = gate_from(GATE_CONFIG);
    if (g == NULL)
        return;
    gate_worker workers[GATE_THREADS];
    pthread_t threads[GATE_THREADS + 1];
    int started[GATE_THREADS + 1] = {0};
    for (int i = 0; i < GATE_THREADS; i++) {
        workers[i] = (gate_worker){.g = portcullis_gate_retain(g), .index = i};
        started[i] = pthread_create(&threads[i], NULL, gate_work, &workers[i]) == 0;
        CHECK(started[i]);
        if (!started[i])
            portcullis_gate_free(workers[i].g);
    }
    reloader r = {.g = portcullis_gate_retain(g)};
    started[GATE_THREADS] = pthread_create(&threads[GATE_THREADS], NULL, reload_work, &r) == 0;
    CHECK(started[GATE_THREADS]);
    if (!started[GATE_THREADS])
        portcullis_gate_free(r.g);
    for (int i = 0; i <= GATE_THREADS; i++)
        if (started[i])
            CHECK(pthread_join(threads[i], NULL) == 0);
    for (int i = 0; i < GATE_THREADS; i++) {
        CHECK(workers[i].wrong == 0);
        CHECK(workers[i].ok == 3 * GATE_ROUNDS);
    }
    CHECK(r.wrong == 0 && r.ok == 2 * GATE_RELOADS);
    /* The last successful reload was GATE_CONFIG (odd rounds): the limited route is there. */
    portcullis_gate_decision *d = gate_decide(g, gate_request("GET", "/limited", NULL));
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    portcullis_gate_decision_free(d);
    portcullis_gate_free(g);
}

void test_gate_threads(void) {
    test_audit();
    test_gate_concurrency();
}
