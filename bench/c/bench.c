/* The cost of calling portcullis through its C ABI: the same operations, inputs and batch
 * method as the Rust bench (bench/rust), so the report can put the two side by side.
 *
 *   bench --out build/bench/c.json [--smoke]
 *
 * Batches of each case are interleaved (the order rotates every round) after a warm-up that
 * also sizes them; every batch gives ns/op and all of them go to the JSON. Each verify call is
 * followed by portcullis_principal_free, as a C caller must: the Rust twin drops its Principal.
 */
#include <portcullis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BATCHES 32
#define NOW 1700000000LL

static const char *SECRET = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
static const char *MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void check(portcullis_result rc, const char *what) {
    if (rc != PORTCULLIS_OK) {
        fprintf(stderr, "bench.c: %s failed: %s\n", what, portcullis_result_name(rc));
        exit(1);
    }
}

/* ---- cases ---------------------------------------------------------------------------- */

static const portcullis_apikey_ring *g_ring;
static const portcullis_request *g_key_req;
static const portcullis_webhook_verifier *g_hooks;
static const portcullis_request *g_hook_req;
/* The same delivery as g_hook_req, as a host holds it: its body and header fields. */
static const uint8_t *g_hook_body;
static size_t g_hook_body_len;
static portcullis_header_field g_hook_fields[8];
static size_t g_hook_nfields;
static volatile unsigned g_sink;

static void case_apikey(void) {
    portcullis_principal *who = NULL;
    portcullis_result rc = portcullis_apikey_ring_verify(g_ring, g_key_req, NULL, 0, &who, NULL);
    g_sink += rc;
    portcullis_principal_free(who);
}

static void case_webhook(void) {
    portcullis_principal *who = NULL;
    portcullis_result rc = portcullis_webhook_verifier_verify(g_hooks, g_hook_req, &who, NULL);
    g_sink += rc;
    portcullis_principal_free(who);
}

static void case_webhook_payload(void) {
    portcullis_principal *who = NULL;
    portcullis_result rc = portcullis_webhook_verifier_verify_payload(
        g_hooks, g_hook_body, g_hook_body_len, g_hook_fields, g_hook_nfields, NOW, true, &who, NULL);
    g_sink += rc;
    portcullis_principal_free(who);
}

static void case_result_name(void) {
    volatile portcullis_result code = 608;
    g_sink += (unsigned)portcullis_result_name(code)[0];
}

typedef struct {
    const char *group, *op;
    void (*fn)(void);
    long iters;
    double samples[MAX_BATCHES];
} bench_case;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(const double *sorted, int n, double p) {
    double pos = (n - 1) * p;
    int lo = (int)pos, hi = lo + (pos > lo);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

static void measure(bench_case *cases, int ncases, int batches, double batch_ns, double warmup_ns) {
    for (int i = 0; i < ncases; i++) {
        long n = 0;
        double t0 = now_ns(), spent;
        do {
            cases[i].fn();
            n++;
            spent = now_ns() - t0;
        } while (n < 2 || spent < warmup_ns);
        cases[i].iters = (long)(batch_ns / (spent / n));
        if (cases[i].iters < 1) cases[i].iters = 1;
    }
    for (int b = 0; b < batches; b++) {
        for (int k = 0; k < ncases; k++) {
            bench_case *c = &cases[(k + b) % ncases];
            double t0 = now_ns();
            for (long j = 0; j < c->iters; j++) c->fn();
            c->samples[b] = (now_ns() - t0) / (double)c->iters;
        }
    }
}

/* ---- setup ---------------------------------------------------------------------------- */

static portcullis_apikey_ring *make_ring(portcullis_request **out_req) {
    uint8_t pepper[32];
    for (int i = 0; i < 32; i++) pepper[i] = (uint8_t)(100 + i);
    portcullis_apikey_ring *ring = NULL;
    check(portcullis_apikey_ring_new(pepper, sizeof pepper, NULL, 0, &ring), "apikey_ring_new");
    static const char opts[] = "{\"subject\":\"svc-billing\",\"scopes\":[\"orders:read\"],\"now\":1700000000}";
    portcullis_issued_apikey *issued = NULL;
    check(portcullis_apikey_ring_generate(ring, (const uint8_t *)opts, sizeof opts - 1, &issued), "generate");
    portcullis_apikey_record *record = NULL;
    check(portcullis_issued_apikey_record(issued, &record), "issued_record");
    check(portcullis_apikey_ring_insert(ring, record), "insert");
    char header[256] = "Bearer ";
    size_t len = 0;
    check(portcullis_issued_apikey_key(issued, (uint8_t *)header + 7, sizeof header - 8, &len), "issued_key");
    portcullis_request *req = NULL;
    check(portcullis_request_new((const uint8_t *)"GET", 3, (const uint8_t *)"/orders", 7, &req), "request_new");
    check(portcullis_request_add_header(req, (const uint8_t *)"Authorization", 13, (const uint8_t *)header, 7 + len),
          "add_header");
    check(portcullis_request_set_now(req, NOW + 100), "set_now");
    portcullis_principal *who = NULL;
    check(portcullis_apikey_ring_verify(ring, req, (const uint8_t *)"orders:read", 11, &who, NULL), "verify");
    portcullis_principal_free(who);
    portcullis_apikey_record_free(record);
    portcullis_issued_apikey_free(issued);
    *out_req = req;
    return ring;
}

static uint8_t *json_body(size_t size) {
    static const char head[] = "{\"type\":\"invoice.paid\",\"data\":{\"id\":\"inv_1\",\"pad\":\"";
    static const char tail[] = "\"}}";
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    uint8_t *body = malloc(size);
    size_t h = sizeof head - 1, t = sizeof tail - 1, fill = size - h - t;
    memcpy(body, head, h);
    for (size_t i = 0; i < fill; i++) body[h + i] = (uint8_t)alnum[i % 36];
    memcpy(body + h + fill, tail, t);
    return body;
}

/* Storage for the header fields of the payload case (g_hook_fields point into it). */
static uint8_t g_field_names[8][128], g_field_values[8][512];

static void add_field(const uint8_t *name, size_t nlen, const uint8_t *value, size_t vlen) {
    if (g_hook_nfields == 8 || nlen > sizeof g_field_names[0] || vlen > sizeof g_field_values[0]) {
        fprintf(stderr, "bench.c: too many or too long header fields\n");
        exit(1);
    }
    size_t i = g_hook_nfields++;
    memcpy(g_field_names[i], name, nlen);
    memcpy(g_field_values[i], value, vlen);
    g_hook_fields[i] = (portcullis_header_field){g_field_names[i], nlen, g_field_values[i], vlen};
}

/* A Standard Webhooks verifier and a signed delivery of `size` bytes: as a prepared request in
   *out_req, and as body + header fields (the same ones) in g_hook_body / g_hook_fields. */
static portcullis_webhook_verifier *make_webhook(size_t size, portcullis_request **out_req) {
    char config[256];
    int clen = snprintf(config, sizeof config, "{\"secrets\":[\"%s\"],\"replay_protection\":false}", SECRET);
    portcullis_webhook_verifier *verifier = NULL;
    check(portcullis_webhook_verifier_new((const uint8_t *)config, (size_t)clen, &verifier), "webhook_verifier_new");
    portcullis_webhook_signer *signer = NULL;
    check(portcullis_webhook_signer_new((const uint8_t *)"standard", 8, (const uint8_t *)SECRET, strlen(SECRET), &signer),
          "webhook_signer_new");
    uint8_t *body = json_body(size);
    portcullis_headers *headers = NULL;
    check(portcullis_webhook_signer_sign(signer, (const uint8_t *)MSG_ID, strlen(MSG_ID), NOW, body, size, &headers), "sign");
    portcullis_request *req = NULL;
    check(portcullis_request_new((const uint8_t *)"POST", 4, (const uint8_t *)"/webhooks", 9, &req), "request_new");
    check(portcullis_request_add_header(req, (const uint8_t *)"content-type", 12, (const uint8_t *)"application/json", 16),
          "add_header");
    add_field((const uint8_t *)"content-type", 12, (const uint8_t *)"application/json", 16);
    for (size_t i = 0; i < portcullis_headers_len(headers); i++) {
        uint8_t name[128], value[512];
        size_t nlen = 0, vlen = 0;
        check(portcullis_headers_name(headers, i, name, sizeof name, &nlen), "headers_name");
        check(portcullis_headers_value(headers, i, value, sizeof value, &vlen), "headers_value");
        check(portcullis_request_add_header(req, name, nlen, value, vlen), "add_header");
        add_field(name, nlen, value, vlen);
    }
    check(portcullis_request_set_body(req, body, size), "set_body");
    check(portcullis_request_set_now(req, NOW), "set_now");
    portcullis_principal *who = NULL;
    check(portcullis_webhook_verifier_verify(verifier, req, &who, NULL), "webhook verify");
    portcullis_principal_free(who);
    who = NULL;
    check(portcullis_webhook_verifier_verify_payload(verifier, body, size, g_hook_fields, g_hook_nfields, NOW,
                                                     true, &who, NULL),
          "webhook verify_payload");
    portcullis_principal_free(who);
    portcullis_headers_free(headers);
    portcullis_webhook_signer_free(signer);
    g_hook_body = body; /* freed at exit */
    g_hook_body_len = size;
    *out_req = req;
    return verifier;
}

/* ---- main ----------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    const char *out = NULL;
    int smoke = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--smoke")) smoke = 1;
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
    }
    if (!out) {
        fprintf(stderr, "usage: bench --out FILE [--smoke]\n");
        return 2;
    }
    int batches = smoke ? 3 : 15;
    double batch_ns = smoke ? 1e6 : 40e6, warmup_ns = smoke ? 1e6 : 100e6;

    portcullis_request *key_req = NULL, *hook_req = NULL;
    portcullis_apikey_ring *ring = make_ring(&key_req);
    portcullis_webhook_verifier *hooks = make_webhook(1024, &hook_req);
    g_ring = ring;
    g_key_req = key_req;
    g_hooks = hooks;
    g_hook_req = hook_req;

    bench_case cases[] = {
        {"apikey_verify_1", "API key verify, 1 keys (prepared Request)", case_apikey, 0, {0}},
        {"webhook_standard_1k", "Standard Webhooks verify, 1 KiB body (prepared Request)", case_webhook, 0, {0}},
        {"webhook_payload_1k", "Standard Webhooks verify_payload, 1 KiB body (no Request)", case_webhook_payload, 0,
         {0}},
        {"result_name", "result code -> name (trivial call)", case_result_name, 0, {0}},
    };
    int ncases = (int)(sizeof cases / sizeof cases[0]);
    printf("c bench (%s): portcullis %s through the C ABI\n", smoke ? "smoke" : "full", portcullis_version());
    measure(cases, ncases, batches, batch_ns, warmup_ns);

    FILE *f = fopen(out, "w");
    if (!f) {
        perror(out);
        return 1;
    }
    fprintf(f, "{\"lang\":\"c\",\"smoke\":%s,\"runtime\":\"C (%s)\",\"portcullis\":\"%s\",\"batches\":%d,"
               "\"throughput\":[],\"skipped\":[],\"notes\":{},\"rows\":[",
            smoke ? "true" : "false", __VERSION__, portcullis_version(), batches);
    for (int i = 0; i < ncases; i++) {
        double sorted[MAX_BATCHES];
        memcpy(sorted, cases[i].samples, sizeof(double) * (size_t)batches);
        qsort(sorted, (size_t)batches, sizeof(double), cmp_double);
        double med = quantile(sorted, batches, 0.5);
        printf("  %-56s %-28s %12.0f ns/op\n", cases[i].op, "portcullis via C ABI", med);
        fprintf(f, "%s{\"group\":\"%s\",\"op\":\"%s\",\"impl\":\"portcullis via C ABI\",\"is_portcullis\":true,"
                   "\"ns\":{\"median\":%.3f,\"min\":%.3f,\"max\":%.3f,\"q1\":%.3f,\"q3\":%.3f,\"iters\":%ld,\"batches\":[",
                i ? "," : "", cases[i].group, cases[i].op, med, sorted[0], sorted[batches - 1],
                quantile(sorted, batches, 0.25), quantile(sorted, batches, 0.75), cases[i].iters);
        for (int b = 0; b < batches; b++) fprintf(f, "%s%.3f", b ? "," : "", cases[i].samples[b]);
        fprintf(f, "]}}");
    }
    fprintf(f, "]}\n");
    fclose(f);
    printf("c bench: wrote %s (sink %u)\n", out, g_sink);

    portcullis_request_free(key_req);
    portcullis_request_free(hook_req);
    portcullis_apikey_ring_free(ring);
    portcullis_webhook_verifier_free(hooks);
    free((void *)g_hook_body);
    return 0;
}
