/*
 * portcullis demo in C: one gate (gate.toml) decides the same requests as demo.py and demo.js.
 * Run through `make demo-c`, which sets the PORTCULLIS_DEMO_* secrets the gate file references
 * and passes the file's path; prints one line per decision and nothing that changes from run to
 * run. Uses only the public header; every handle is freed before exit.
 * Build: cc demo.c $(pkg-config --cflags --libs portcullis)
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portcullis.h"

#define NOW 1767225600LL

#define S(text) (const uint8_t *)(text), strlen(text)

/* Setup must succeed; a failure ends the demo with the reason on stderr. */
static void must(portcullis_result rc, const char *what) {
    if (rc != PORTCULLIS_OK) {
        fprintf(stderr, "demo: %s failed: %s (%s)\n", what, portcullis_result_name(rc),
                portcullis_result_message(rc));
        exit(1);
    }
}

static const char *env(const char *name) {
    const char *value = getenv(name);
    if (value == NULL || *value == '\0') {
        fprintf(stderr, "demo: %s is not set (run `make demo`)\n", name);
        exit(1);
    }
    return value;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard padded base64 of `in` into `out` (NUL-terminated). */
static void base64_encode(const char *in, char *out, size_t cap) {
    size_t n = strlen(in), o = 0;
    if ((n + 2) / 3 * 4 + 1 > cap) {
        fprintf(stderr, "demo: base64_encode: buffer too small\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)(unsigned char)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)(unsigned char)in[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)in[i + 2];
        out[o++] = B64[(v >> 18) & 63];
        out[o++] = B64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? B64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? B64[v & 63] : '=';
    }
    out[o] = '\0';
}

/* Decodes the standard padded base64 of a PORTCULLIS_DEMO_*_B64 secret; returns its length. */
static size_t base64_decode(const char *name, const char *in, uint8_t *out, size_t cap) {
    size_t n = strlen(in), o = 0;
    if (n % 4 != 0 || n / 4 * 3 > cap) {
        fprintf(stderr, "demo: %s is not padded base64 of at most %zu bytes\n", name, cap);
        exit(1);
    }
    for (size_t i = 0; i < n; i += 4) {
        unsigned v = 0;
        int pad = 0;
        for (size_t j = 0; j < 4; j++) {
            const char *at = strchr(B64, in[i + j]);
            if (in[i + j] == '=' && i + 4 == n && j >= 2) {
                pad++;
                v <<= 6;
            } else if (in[i + j] != '\0' && at != NULL && pad == 0) {
                v = (v << 6) | (unsigned)(at - B64);
            } else {
                fprintf(stderr, "demo: %s is not padded base64\n", name);
                exit(1);
            }
        }
        out[o++] = (uint8_t)(v >> 16);
        if (pad < 2)
            out[o++] = (uint8_t)(v >> 8);
        if (pad < 1)
            out[o++] = (uint8_t)v;
    }
    return o;
}

/* Percent-encodes every byte outside A-Za-z0-9-_.~ (as nginx's $ssl_client_escaped_cert). */
static void percent_encode(const char *in, size_t n, char *out, size_t cap) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (o + 4 > cap) {
            fprintf(stderr, "demo: percent_encode: buffer too small\n");
            exit(1);
        }
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

/* ------------------------------------------------------------------ requests and decisions */

static portcullis_request *request(const char *method, const char *target, int64_t now) {
    portcullis_request *req = NULL;
    must(portcullis_request_new(S(method), S(target), &req), "request");
    must(portcullis_request_set_now(req, now), "set_now");
    return req;
}

static void header(portcullis_request *req, const char *name, const char *value) {
    must(portcullis_request_add_header(req, S(name), S(value)), "add header");
}

/* Adds a signer's headers to `req`, in order. */
static void headers(portcullis_request *req, const portcullis_headers *h) {
    char name[128], value[1024];
    for (size_t i = 0; i < portcullis_headers_len(h); i++) {
        size_t nlen = 0, vlen = 0;
        must(portcullis_headers_name(h, i, (uint8_t *)name, sizeof name, &nlen), "header name");
        must(portcullis_headers_value(h, i, (uint8_t *)value, sizeof value, &vlen), "header value");
        must(portcullis_request_add_header(req, (const uint8_t *)name, nlen, (const uint8_t *)value,
                                           vlen),
             "add signed header");
    }
}

static void body(portcullis_request *req, const char *text) {
    must(portcullis_request_set_body(req, S(text)), "body");
}

static void bearer(portcullis_request *req, const char *token) {
    char value[1200];
    snprintf(value, sizeof value, "Bearer %s", token);
    header(req, "Authorization", value);
}

static void basic(portcullis_request *req, const char *user, const char *password) {
    char pair[128], encoded[200], value[220];
    snprintf(pair, sizeof pair, "%s:%s", user, password);
    base64_encode(pair, encoded, sizeof encoded);
    snprintf(value, sizeof value, "Basic %s", encoded);
    header(req, "Authorization", value);
}

/* Prints the decision as one line, the same words in the same order as demo.py and demo.js. */
static void describe(const char *label, const portcullis_gate_decision *d) {
    char route[128], name[64], value[1024];
    size_t route_len = 0, len = 0;
    must(portcullis_gate_decision_route(d, (uint8_t *)route, sizeof route, &route_len), "route");
    if (portcullis_gate_decision_allowed(d)) {
        printf("%s: allow route=%.*s", label, (int)route_len, route);
        portcullis_principal *p = NULL;
        must(portcullis_gate_decision_principal(d, &p), "principal");
        if (p == NULL) {
            printf(" anonymous");
        } else {
            must(portcullis_gate_decision_credential(d, (uint8_t *)name, sizeof name, &len), "credential");
            printf(" credential=%.*s", (int)len, name);
            must(portcullis_principal_subject(p, (uint8_t *)value, sizeof value, &len), "subject");
            printf(" subject=%.*s", (int)len, value);
            portcullis_principal_free(p);
            size_t satisfied = portcullis_gate_decision_satisfied_len(d);
            for (size_t i = 0; satisfied > 1 && i < satisfied; i++) {
                must(portcullis_gate_decision_satisfied(d, i, (uint8_t *)name, sizeof name, &len),
                     "satisfied");
                printf("%s%.*s", i == 0 ? " satisfied=" : ",", (int)len, name);
            }
        }
    } else if (route_len == 0) {
        printf("%s: deny route=-", label);
    } else {
        printf("%s: deny route=%.*s", label, (int)route_len, route);
    }
    printf(" status=%u", (unsigned)portcullis_gate_decision_status(d));
    portcullis_result code = portcullis_gate_decision_code(d);
    if (code != PORTCULLIS_OK)
        printf(" code=%s", portcullis_result_name(code));
    for (size_t i = 0; i < portcullis_gate_decision_headers_len(d); i++) {
        size_t nlen = 0, vlen = 0;
        must(portcullis_gate_decision_header_name(d, i, (uint8_t *)name, sizeof name, &nlen),
             "header name");
        for (size_t j = 0; j < nlen; j++)
            name[j] = (char)tolower((unsigned char)name[j]);
        /* Content-Type is on every denial (application/problem+json): not worth a column. */
        if (nlen == 12 && memcmp(name, "content-type", 12) == 0)
            continue;
        must(portcullis_gate_decision_header_value(d, i, (uint8_t *)value, sizeof value, &vlen),
             "header value");
        printf(" %.*s=%.*s", (int)nlen, name, (int)vlen, value);
    }
    printf("\n");
}

/* Checks `req` (then frees it) and prints the decision. */
static void check(const portcullis_gate *gate, const char *label, portcullis_request *req) {
    portcullis_gate_decision *d = NULL;
    must(portcullis_gate_check(gate, req, &d), "check");
    describe(label, d);
    portcullis_gate_decision_free(d);
    portcullis_request_free(req);
}

/* GET `target` at `now`, with a bearer token when `token` is not NULL. */
static void get(const portcullis_gate *gate, const char *label, const char *target,
                const char *token, int64_t now) {
    portcullis_request *req = request("GET", target, now);
    if (token != NULL)
        bearer(req, token);
    check(gate, label, req);
}

/* ------------------------------------------------------------------ credentials */

typedef struct {
    char user[1024], other_audience[1024], no_scope[1024];
} tokens;

static void jwt(const portcullis_jwt_key *key, const char *sub, const char *scope, const char *aud,
                char *out, size_t cap) {
    char claims[512];
    size_t len = 0;
    snprintf(claims, sizeof claims,
             "{\"sub\":\"%s\",\"iss\":\"https://issuer.demo\",\"aud\":\"%s\",\"iat\":%lld,"
             "\"exp\":%lld,\"scope\":\"%s\"}",
             sub, aud, NOW, NOW + 600, scope);
    must(portcullis_jwt_encode(S(claims), key, S("{\"kid\":\"demo-hs\"}"), (uint8_t *)out, cap - 1, &len),
         "jwt encode");
    out[len] = '\0';
}

/* JWTs, signed with the secret the gate's `tokens` credential references. */
static void make_tokens(tokens *t) {
    portcullis_jwt_key *key = NULL;
    must(portcullis_jwt_key_from_secret(S(env("PORTCULLIS_DEMO_JWT_SECRET")), S("HS256"), S("demo-hs"),
                                        &key),
         "jwt key");
    jwt(key, "user-42", "orders:read reports:read", "orders-api", t->user, sizeof t->user);
    jwt(key, "user-42", "orders:read", "billing-api", t->other_audience, sizeof t->other_audience);
    jwt(key, "user-7", "catalog:read", "orders-api", t->no_scope, sizeof t->no_scope);
    portcullis_jwt_key_free(key);
}

typedef struct {
    char billing[128], expiring[128], reports[128], revoked[128], typo[128];
} keys;

/* Mints a key into the ring (`options` is the ApiKeyOptions JSON), revoked a second ago when
   `revoked`, and writes its text into `key`. */
static void mint(const portcullis_apikey_ring *ring, const char *options, char *key, size_t cap,
                 bool revoked) {
    portcullis_issued_apikey *issued = NULL;
    portcullis_apikey_record *record = NULL;
    size_t len = 0;
    must(portcullis_apikey_ring_generate(ring, S(options), &issued), "generate");
    must(portcullis_issued_apikey_key(issued, (uint8_t *)key, cap - 1, &len), "issued key");
    key[len] = '\0';
    must(portcullis_issued_apikey_record(issued, &record), "issued record");
    must(portcullis_apikey_ring_insert(ring, record), "insert");
    if (revoked) {
        char id[128];
        must(portcullis_apikey_record_key_id(record, (uint8_t *)id, sizeof id, &len), "key id");
        must(portcullis_apikey_ring_revoke(ring, (const uint8_t *)id, len, NOW - 1, NULL), "revoke");
    }
    portcullis_apikey_record_free(record);
    portcullis_issued_apikey_free(issued);
}

/* API keys, minted into the gate's own ring: the next check sees them. */
static void make_keys(const portcullis_gate *gate, keys *k) {
    portcullis_apikey_ring *ring = NULL;
    must(portcullis_gate_api_key_ring(gate, S("keys"), &ring), "the gate's key ring");
    char options[256];
    snprintf(options, sizeof options,
             "{\"subject\":\"svc-billing\",\"scopes\":[\"orders:read\"],\"now\":%lld}", NOW);
    mint(ring, options, k->billing, sizeof k->billing, false);
    snprintf(options, sizeof options,
             "{\"subject\":\"svc-billing\",\"scopes\":[\"orders:read\"],\"expires_at\":%lld,\"now\":%lld}",
             NOW + 3600, NOW);
    mint(ring, options, k->expiring, sizeof k->expiring, false);
    snprintf(options, sizeof options,
             "{\"subject\":\"svc-reports\",\"scopes\":[\"reports:read\"],\"now\":%lld}", NOW);
    mint(ring, options, k->reports, sizeof k->reports, false);
    snprintf(options, sizeof options,
             "{\"subject\":\"svc-old\",\"scopes\":[\"orders:read\"],\"now\":%lld}", NOW);
    mint(ring, options, k->revoked, sizeof k->revoked, true);
    portcullis_apikey_ring_free(ring);
    snprintf(k->typo, sizeof k->typo, "%s", k->billing);
    size_t last = strlen(k->typo) - 1;
    k->typo[last] = k->typo[last] == 'A' ? 'B' : 'A';
}

/* ------------------------------------------------------------------ the requests, by route */

static void tokens_and_keys(const portcullis_gate *g, const tokens *t, const keys *k) {
    get(g, "health", "/health", NULL, NOW);

    get(g, "catalog without a token", "/catalog/items", NULL, NOW);
    get(g, "catalog with a token", "/catalog/items", t->user, NOW);
    get(g, "catalog with an expired token", "/catalog/items", t->user, NOW + 700);

    get(g, "orders jwt", "/orders/7", t->user, NOW);
    get(g, "orders jwt expired", "/orders/7", t->user, NOW + 700);
    get(g, "orders jwt for another audience", "/orders/7", t->other_audience, NOW);
    get(g, "orders jwt alg none", "/orders/7", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", NOW);
    get(g, "orders jwt without the scope", "/orders/7", t->no_scope, NOW);
    get(g, "orders api key", "/orders/7", k->billing, NOW);
    portcullis_request *req = request("GET", "/orders/7", NOW);
    header(req, "X-API-Key", k->billing);
    check(g, "orders api key in x-api-key", req);
    get(g, "orders api key with a typo", "/orders/7", k->typo, NOW);
    get(g, "orders api key revoked", "/orders/7", k->revoked, NOW);
    get(g, "orders api key expired", "/orders/7", k->expiring, NOW + 7200);
    get(g, "orders api key without the scope", "/orders/7", k->reports, NOW);
    get(g, "orders without credentials", "/orders/7", NULL, NOW);

    char label[64];
    for (int i = 1; i <= 4; i++) {
        snprintf(label, sizeof label, "reports burst %d", i);
        get(g, label, "/reports/daily", k->reports, NOW);
    }
    get(g, "reports another caller", "/reports/daily", t->user, NOW);
}

static void admin(const portcullis_gate *g, const char *label, const char *user,
                  const char *password, int64_t now) {
    portcullis_request *req = request("GET", "/admin/users", now);
    basic(req, user, password);
    check(g, label, req);
}

static void admins(const portcullis_gate *g) {
    admin(g, "admin alice argon2id", "alice", "correct horse battery staple", NOW);
    admin(g, "admin bob bcrypt", "bob", "hunter2", NOW);
    char label[64], guess[16];
    for (int i = 1; i <= 3; i++) {
        snprintf(label, sizeof label, "admin bob wrong password %d", i);
        snprintf(guess, sizeof guess, "guess-%d", i);
        admin(g, label, "bob", guess, NOW);
    }
    admin(g, "admin bob locked out", "bob", "hunter2", NOW);
    admin(g, "admin bob after the delay", "bob", "hunter2", NOW + 30);
    admin(g, "admin unknown user", "mallory", "hunter2", NOW);
    get(g, "admin encoded path", "/%61dmin/users", NULL, NOW);
}

#define EVENT "{\"type\":\"invoice.paid\",\"id\":\"in_1\"}"

static void webhook(const portcullis_gate *g, const char *label, const portcullis_headers *h,
                    const char *text) {
    portcullis_request *req = request("POST", "/webhooks/billing", NOW);
    if (h != NULL)
        headers(req, h);
    body(req, text);
    check(g, label, req);
}

static void webhooks(const portcullis_gate *g) {
    portcullis_webhook_signer *signer = NULL;
    portcullis_headers *h1 = NULL;
    must(portcullis_webhook_signer_new(S("standard"), S(env("PORTCULLIS_DEMO_WEBHOOK_SECRET")), &signer),
         "webhook signer");
    must(portcullis_webhook_signer_sign(signer, S("msg_demo_1"), NOW, S(EVENT), &h1), "webhook sign");
    webhook(g, "webhook", h1, EVENT);
    webhook(g, "webhook replayed", h1, EVENT);
    webhook(g, "webhook tampered body", h1, EVENT " ");
    webhook(g, "webhook unsigned", NULL, EVENT);
    portcullis_headers_free(h1);
    portcullis_webhook_signer_free(signer);
}

#define ORDER "{\"sku\":\"X1\",\"qty\":2}"

/* POST /orders with Host and Content-Type, the signer's headers (may be NULL) and `text`. */
static portcullis_request *order(const portcullis_headers *h, const char *text) {
    portcullis_request *req = request("POST", "/orders", NOW);
    header(req, "Host", "api.example.com");
    header(req, "Content-Type", "application/json");
    if (h != NULL)
        headers(req, h);
    body(req, text);
    return req;
}

static void signed_orders(const portcullis_gate *g) {
    uint8_t secret[64];
    size_t secret_len = base64_decode("PORTCULLIS_DEMO_PCS1_SECRET_B64",
                                      env("PORTCULLIS_DEMO_PCS1_SECRET_B64"), secret, sizeof secret);
    portcullis_hmac_signing_key *key = NULL;
    must(portcullis_hmac_signing_key_new(S("svc-orders"), S("hmac-sha256"), secret, secret_len, &key),
         "pcs1 key");
    memset(secret, 0, sizeof secret);
    char options[256];
    snprintf(options, sizeof options,
             "{\"headers\":[\"host\",\"content-type\"],\"now\":%lld,\"nonce\":\"ZGVtby1ub25jZS0wMDAwMDE\"}",
             NOW);
    portcullis_request *unsigned_req = order(NULL, ORDER);
    portcullis_headers *h = NULL;
    must(portcullis_hmac_sign_request(key, unsigned_req, S(options), &h), "pcs1 sign");
    portcullis_request_free(unsigned_req);
    check(g, "orders signed (pcs1)", order(h, ORDER));
    check(g, "orders signed replayed", order(h, ORDER));
    check(g, "orders signed tampered body", order(h, "{\"sku\":\"X1\",\"qty\":20}"));
    portcullis_headers_free(h);
    portcullis_hmac_signing_key_free(key);
}

/* `method` https://api.example.com/partners/orders with the signer's headers (may be NULL). */
static portcullis_request *partner_request(const char *method, const portcullis_headers *h) {
    portcullis_request *req = request(method, "/partners/orders", NOW);
    must(portcullis_request_set_scheme(req, S("https")), "scheme");
    header(req, "Host", "api.example.com");
    if (h != NULL)
        headers(req, h);
    return req;
}

static void partners(const portcullis_gate *g) {
    uint8_t secret[64];
    size_t secret_len = base64_decode("PORTCULLIS_DEMO_HTTPSIG_SECRET_B64",
                                      env("PORTCULLIS_DEMO_HTTPSIG_SECRET_B64"), secret, sizeof secret);
    portcullis_httpsig_signer *signer = NULL;
    must(portcullis_httpsig_signer_new_hmac(S("partner-1"), secret, secret_len, &signer), "httpsig signer");
    memset(secret, 0, sizeof secret);
    char spec[128];
    snprintf(spec, sizeof spec, "{\"components\":[\"@method\",\"@target-uri\"],\"created\":%lld}", NOW);
    portcullis_request *to_sign = partner_request("GET", NULL);
    portcullis_headers *h = NULL;
    must(portcullis_httpsig_signer_sign_request(signer, to_sign, S(spec), &h), "httpsig sign");
    portcullis_request_free(to_sign);
    check(g, "partners signed (rfc 9421)", partner_request("GET", h));
    check(g, "partners signature on another method", partner_request("DELETE", h));
    portcullis_headers_free(h);
    portcullis_httpsig_signer_free(signer);
}

typedef struct {
    uint8_t der[2048];
    size_t der_len;
    char pem[2048];
    size_t pem_len;
} certificate;

static void client_cert(const portcullis_dev_ca *ca, const char *spiffe_id, certificate *out) {
    char spec[256];
    snprintf(spec, sizeof spec, "{\"spiffe_id\":\"%s\",\"not_before\":%lld,\"not_after\":%lld}",
             spiffe_id, NOW - 3600, NOW + 86400);
    portcullis_issued_cert *issued = NULL;
    must(portcullis_dev_ca_issue_client(ca, S(spec), &issued), "client certificate");
    must(portcullis_issued_cert_der(issued, out->der, sizeof out->der, &out->der_len), "certificate der");
    must(portcullis_issued_cert_cert_pem(issued, (uint8_t *)out->pem, sizeof out->pem, &out->pem_len),
         "certificate pem");
    portcullis_issued_cert_free(issued);
}

/* POST /payments/charges with the user's token (NULL: none), a TLS peer certificate (NULL:
   none) and, when `peer` is not NULL, the proxy header `forwarded` from that address. */
static void payment(const portcullis_gate *g, const char *label, const char *token,
                    const certificate *cert, const char *forwarded, const char *peer) {
    portcullis_request *req = request("POST", "/payments/charges", NOW);
    if (token != NULL)
        bearer(req, token);
    if (cert != NULL)
        must(portcullis_request_add_peer_certificate(req, cert->der, cert->der_len), "peer certificate");
    if (peer != NULL) {
        header(req, "X-SSL-Client-Cert", forwarded);
        must(portcullis_request_set_peer_address(req, S(peer)), "peer address");
    }
    check(g, label, req);
}

static void payments(const portcullis_gate *g, const portcullis_dev_ca *ca, const tokens *t) {
    static certificate good, foreign;
    static char forwarded[6144];
    client_cert(ca, "spiffe://demo.example/billing", &good);
    client_cert(ca, "spiffe://other.example/billing", &foreign);
    percent_encode(good.pem, good.pem_len, forwarded, sizeof forwarded);
    payment(g, "payments jwt and certificate", t->user, &good, NULL, NULL);
    payment(g, "payments jwt without certificate", t->user, NULL, NULL, NULL);
    payment(g, "payments certificate without jwt", NULL, &good, NULL, NULL);
    payment(g, "payments certificate of another trust domain", t->user, &foreign, NULL, NULL);
    payment(g, "payments certificate from the proxy", t->user, NULL, forwarded, "127.0.0.1");
    payment(g, "payments forged proxy header", t->user, NULL, forwarded, "203.0.113.9");
}

int main(int argc, char **argv) {
    const char *config = argc > 1 ? argv[1] : "examples/demo/gate.toml";

    /* The development CA exists only in this process: its certificate reaches the gate as the
       `secret:demo-ca` value, and it issues the client certificates. */
    portcullis_dev_ca *ca = NULL;
    must(portcullis_dev_ca_new(S("portcullis demo CA"), NOW - 86400, NOW + 10LL * 365 * 86400, &ca),
         "dev CA");
    char ca_pem[2048];
    size_t ca_pem_len = 0;
    must(portcullis_dev_ca_cert_pem(ca, (uint8_t *)ca_pem, sizeof ca_pem, &ca_pem_len), "CA pem");

    portcullis_gate_options *options = NULL;
    must(portcullis_gate_options_new(&options), "gate options");
    must(portcullis_gate_options_add_secret(options, S("demo-ca"), (const uint8_t *)ca_pem, ca_pem_len),
         "secret demo-ca");
    portcullis_gate *gate = NULL;
    portcullis_denial *error = NULL;
    portcullis_result rc = portcullis_gate_from_file(S(config), options, &gate, &error);
    if (rc != PORTCULLIS_OK) {
        char detail[1024];
        size_t len = 0;
        if (error == NULL ||
            portcullis_denial_detail(error, (uint8_t *)detail, sizeof detail, &len) != PORTCULLIS_OK)
            len = 0;
        fprintf(stderr, "demo: %s: %s: %.*s\n", config, portcullis_result_name(rc), (int)len, detail);
        portcullis_denial_free(error);
        portcullis_dev_ca_free(ca);
        return 1;
    }

    static tokens t;
    static keys k;
    make_tokens(&t);
    make_keys(gate, &k);

    tokens_and_keys(gate, &t, &k);
    admins(gate);
    webhooks(gate);
    signed_orders(gate);
    partners(gate);
    payments(gate, ca, &t);
    get(gate, "no route", "/nowhere", NULL, NOW);
    get(gate, "dot segments", "/orders/../admin/users", NULL, NOW);

    portcullis_gate_free(gate);
    portcullis_dev_ca_free(ca);
    return 0;
}
