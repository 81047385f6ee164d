/*
 * The portcullis demo in C: the same 33 requests as demo.py and demo.js, one line each: API keys
 * and Basic (1-15), webhooks (16-19), PCS1 HMAC signing (20-22), RFC 9421 signatures (23-24),
 * JWT bearer tokens (25-28), mTLS client certificates (29-33).
 * Build: cc demo.c $(pkg-config --cflags --libs portcullis)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portcullis.h"

#define NOW 1767225600LL

static const char PEPPER[] = "demo-pepper-0123456789abcdef0123";
static const char HTPASSWD[] = "bob:$2y$05$goj0pwBt4vml.1uO7DxaUe6SvNQJFBMjHhANzqU2Ka/UmCfbq6Rzy\\n";

#define S(text) (const uint8_t *)(text), strlen(text)

/* Setup must succeed; a failure ends the demo with the reason on stderr. */
static void must(portcullis_result rc, const char *what) {
    if (rc != PORTCULLIS_OK) {
        fprintf(stderr, "demo: %s failed: %s (%s)\n", what, portcullis_result_name(rc),
                portcullis_result_message(rc));
        exit(1);
    }
}

/* Mints a key: its text into `key` and, when `record` is not NULL, a copy of its record. */
static void generate(portcullis_apikey_ring *ring, const char *options, char *key, size_t cap,
                     portcullis_apikey_record **record) {
    portcullis_issued_apikey *issued = NULL;
    size_t len = 0;
    must(portcullis_apikey_ring_generate(ring, S(options), &issued), "generate");
    must(portcullis_issued_apikey_key(issued, (uint8_t *)key, cap, &len), "issued key");
    if (record != NULL)
        must(portcullis_issued_apikey_record(issued, record), "issued record");
    portcullis_issued_apikey_free(issued);
}

static void base64(const char *in, char *out) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in), o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)in[i + 2];
        out[o++] = abc[(v >> 18) & 63];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? abc[v & 63] : '=';
    }
    out[o] = '\0';
}

typedef enum { RING, BASIC } verifier;

typedef struct {
    portcullis_apikey_ring *ring;
    portcullis_basic_auth *auth;
} verifiers;

/* Prints the line of one verification and frees its outputs. */
static void report(const char *label, portcullis_result rc, portcullis_principal *p,
                   portcullis_denial *d) {
    char a[512], b[512];
    size_t alen = 0, blen = 0;
    if (rc == PORTCULLIS_OK) {
        must(portcullis_principal_subject(p, (uint8_t *)a, sizeof a, &alen), "subject");
        must(portcullis_principal_method_name(p, (uint8_t *)b, sizeof b, &blen), "method");
        printf("%s: allow subject=%s method=%s\n", label, a, b);
    } else {
        if (d == NULL) {
            fprintf(stderr, "demo: %s: no denial\n", label);
            exit(1);
        }
        must(portcullis_denial_challenge(d, (uint8_t *)a, sizeof a, &alen), "challenge");
        printf("%s: deny %s status=%u challenge=%s\n", label,
               portcullis_result_name(portcullis_denial_code(d)),
               (unsigned)portcullis_denial_http_status(d), alen > 0 ? a : "-");
    }
    portcullis_principal_free(p);
    portcullis_denial_free(d);
}

/* Runs one request and prints its line. `header` may be NULL (no headers). */
static void run(const verifiers *v, verifier which, const char *label, const char *header,
                const char *value, int64_t now, const char *scopes) {
    portcullis_request *req = NULL;
    must(portcullis_request_new(S("GET"), S("/orders"), &req), "request");
    if (header != NULL)
        must(portcullis_request_add_header(req, S(header), S(value)), "header");
    must(portcullis_request_set_now(req, now), "set_now");
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    portcullis_result rc =
        which == RING ? portcullis_apikey_ring_verify(v->ring, req, S(scopes), &p, &d)
                      : portcullis_basic_auth_verify(v->auth, req, &p, &d);
    report(label, rc, p, d);
    portcullis_request_free(req);
}

/* Adds a signer's headers (NULL: none) to `req`, in order. */
static void add_signed(portcullis_request *req, const portcullis_headers *h) {
    char name[128], value[1024];
    for (size_t i = 0; h != NULL && i < portcullis_headers_len(h); i++) {
        size_t nlen = 0, vlen = 0;
        must(portcullis_headers_name(h, i, (uint8_t *)name, sizeof name, &nlen), "header name");
        must(portcullis_headers_value(h, i, (uint8_t *)value, sizeof value, &vlen), "header value");
        must(portcullis_request_add_header(req, (const uint8_t *)name, nlen, (const uint8_t *)value, vlen),
             "add header");
    }
}

/* A request: method, target, time, the signer's headers (may be NULL), a body (may be NULL). */
static portcullis_request *message(const char *method, const char *target, int64_t now,
                                   const portcullis_headers *h, const char *body) {
    portcullis_request *req = NULL;
    must(portcullis_request_new(S(method), S(target), &req), "request");
    add_signed(req, h);
    if (body != NULL)
        must(portcullis_request_set_body(req, S(body)), "body");
    must(portcullis_request_set_now(req, now), "set_now");
    return req;
}

#define WEBHOOK_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define WEBHOOK_BODY "{\"type\":\"invoice.paid\",\"id\":\"in_1\"}"

static void webhook(portcullis_webhook_verifier *v, const char *label, portcullis_request *req) {
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    portcullis_result rc = portcullis_webhook_verifier_verify(v, req, &p, &d);
    report(label, rc, p, d);
}

/* Requests 16-19: Standard Webhooks. */
static void webhooks(void) {
    portcullis_webhook_verifier *v = NULL;
    portcullis_webhook_signer *signer = NULL;
    must(portcullis_webhook_verifier_new(S("{\"scheme\":\"standard\",\"secrets\":[\"" WEBHOOK_SECRET "\"]}"), &v),
         "webhook verifier");
    must(portcullis_webhook_signer_new(S("standard"), S(WEBHOOK_SECRET), &signer), "webhook signer");
    portcullis_headers *h1 = NULL, *h2 = NULL;
    must(portcullis_webhook_signer_sign(signer, S("msg_demo_1"), NOW, S(WEBHOOK_BODY), &h1), "sign H1");
    must(portcullis_webhook_signer_sign(signer, S("msg_demo_2"), NOW, S(WEBHOOK_BODY), &h2), "sign H2");

    portcullis_request *req = message("POST", "/webhooks", NOW, h1, WEBHOOK_BODY);
    webhook(v, "webhook ok", req);
    webhook(v, "webhook replayed", req);
    portcullis_request_free(req);
    req = message("POST", "/webhooks", NOW, h1, WEBHOOK_BODY " ");
    webhook(v, "webhook tampered body", req);
    portcullis_request_free(req);
    req = message("POST", "/webhooks", NOW + 301, h2, WEBHOOK_BODY);
    webhook(v, "webhook too old", req);
    portcullis_request_free(req);

    portcullis_headers_free(h1);
    portcullis_headers_free(h2);
    portcullis_webhook_signer_free(signer);
    portcullis_webhook_verifier_free(v);
}

#define HMAC_SECRET "demo-hmac-secret-0123456789abcde"
#define HMAC_BODY "{\"sku\":\"X1\",\"qty\":2}"

/* POST /orders?b=2&a=1 with the demo's headers, the signer's (may be NULL) and `body`. */
static portcullis_request *order(const portcullis_headers *signed_headers, const char *body) {
    portcullis_request *req = message("POST", "/orders?b=2&a=1", NOW, NULL, body);
    must(portcullis_request_add_header(req, S("Host"), S("api.example.com")), "host");
    must(portcullis_request_add_header(req, S("Content-Type"), S("application/json")), "content-type");
    add_signed(req, signed_headers);
    return req;
}

static void pcs1(portcullis_hmac_verifier *v, const char *label, portcullis_request *req) {
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    portcullis_result rc = portcullis_hmac_verifier_verify(v, req, &p, &d);
    report(label, rc, p, d);
}

/* Requests 20-22: PCS1 HMAC request signing. */
static void hmac_signing(void) {
    char secret_b64[64], config[512], options[256];
    base64(HMAC_SECRET, secret_b64);
    snprintf(config, sizeof config,
             "{\"keys\":[{\"key_id\":\"svc-orders\",\"algorithm\":\"hmac-sha256\",\"secrets_b64\":[\"%s\"],"
             "\"subject\":\"svc-orders\"}]}",
             secret_b64);
    portcullis_hmac_verifier *v = NULL;
    must(portcullis_hmac_verifier_new(S(config), &v), "hmac verifier");
    portcullis_hmac_signing_key *key = NULL;
    must(portcullis_hmac_signing_key_new(S("svc-orders"), S("hmac-sha256"), S(HMAC_SECRET), &key), "signing key");
    snprintf(options, sizeof options,
             "{\"headers\":[\"host\",\"content-type\"],\"now\":%lld,\"nonce\":\"ZGVtby1ub25jZS0wMDAwMDE\"}", NOW);
    portcullis_request *unsigned_req = order(NULL, HMAC_BODY);
    portcullis_headers *h = NULL;
    must(portcullis_hmac_sign_request(key, unsigned_req, S(options), &h), "hmac sign");
    portcullis_request_free(unsigned_req);

    portcullis_request *req = order(h, HMAC_BODY);
    pcs1(v, "hmac ok", req);
    pcs1(v, "hmac replayed", req);
    portcullis_request_free(req);
    req = order(h, "{\"sku\":\"X1\",\"qty\":20}");
    pcs1(v, "hmac tampered body", req);
    portcullis_request_free(req);

    portcullis_headers_free(h);
    portcullis_hmac_signing_key_free(key);
    portcullis_hmac_verifier_free(v);
}

#define HTTPSIG_SECRET "demo-httpsig-secret-0123456789ab"

/* GET-like /orders over https with Host, and the signer's headers (may be NULL). */
static portcullis_request *https_orders(const char *method, const portcullis_headers *h) {
    portcullis_request *req = message(method, "/orders", NOW, NULL, NULL);
    must(portcullis_request_set_scheme(req, S("https")), "scheme");
    must(portcullis_request_add_header(req, S("Host"), S("api.example.com")), "host");
    add_signed(req, h);
    return req;
}

static void httpsig(portcullis_httpsig_verifier *v, const char *label, portcullis_request *req) {
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    portcullis_result rc = portcullis_httpsig_verifier_verify_request(v, req, &p, &d);
    report(label, rc, p, d);
}

/* Requests 23-24: RFC 9421 HTTP Message Signatures. */
static void http_signatures(void) {
    portcullis_httpsig_keyring *kr = NULL;
    must(portcullis_httpsig_keyring_new(&kr), "keyring");
    must(portcullis_httpsig_keyring_add_hmac_secret(kr, S("demo-key"), S(HTTPSIG_SECRET)), "keyring secret");
    portcullis_httpsig_verifier *v = NULL;
    must(portcullis_httpsig_verifier_new(
             kr, S("{\"required_components\":[\"@method\",\"@target-uri\"],\"require_content_digest\":false}"), &v),
         "httpsig verifier");
    portcullis_httpsig_signer *signer = NULL;
    must(portcullis_httpsig_signer_new_hmac(S("demo-key"), S(HTTPSIG_SECRET), &signer), "httpsig signer");
    char spec[256];
    snprintf(spec, sizeof spec,
             "{\"label\":\"sig1\",\"components\":[\"@method\",\"@target-uri\"],\"created\":%lld}", NOW);
    portcullis_request *unsigned_req = https_orders("GET", NULL);
    portcullis_headers *h = NULL;
    must(portcullis_httpsig_signer_sign_request(signer, unsigned_req, S(spec), &h), "httpsig sign");
    portcullis_request_free(unsigned_req);

    portcullis_request *req = https_orders("GET", h);
    httpsig(v, "httpsig ok", req);
    portcullis_request_free(req);
    req = https_orders("DELETE", h);
    httpsig(v, "httpsig wrong method", req);
    portcullis_request_free(req);

    portcullis_headers_free(h);
    portcullis_httpsig_signer_free(signer);
    portcullis_httpsig_verifier_free(v);
    portcullis_httpsig_keyring_free(kr);
}

#define JWT_SECRET "demo-jwt-secret-0123456789abcdef"

/* Signs the demo claims for audience `aud` into `token`. */
static void jwt_token(const portcullis_jwt_key *key, const char *aud, char *token, size_t cap) {
    char claims[512];
    size_t len = 0;
    snprintf(claims, sizeof claims,
             "{\"sub\":\"user-42\",\"iss\":\"https://issuer.demo\",\"aud\":\"%s\",\"iat\":%lld,"
             "\"exp\":%lld,\"scope\":\"orders:read\"}",
             aud, NOW, NOW + 600);
    must(portcullis_jwt_encode(S(claims), key, S("{\"kid\":\"demo-hs\"}"), (uint8_t *)token, cap, &len),
         "jwt encode");
}

static void jwt(portcullis_jwt_verifier *v, const char *label, const char *token, int64_t now,
                const char *scopes) {
    char header[2048];
    snprintf(header, sizeof header, "Bearer %s", token);
    portcullis_request *req = NULL;
    must(portcullis_request_new(S("GET"), S("/orders"), &req), "request");
    must(portcullis_request_add_header(req, S("Authorization"), S(header)), "header");
    must(portcullis_request_set_now(req, now), "set_now");
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    portcullis_result rc = portcullis_jwt_verifier_verify(v, req, S(scopes), &p, &d);
    report(label, rc, p, d);
    portcullis_request_free(req);
}

/* Requests 25-28: JWT bearer tokens. */
static void jwts(void) {
    portcullis_jwt_key *key = NULL;
    must(portcullis_jwt_key_from_secret(S(JWT_SECRET), S("HS256"), S("demo-hs"), &key), "jwt key");
    portcullis_jwt_keyset *set = NULL;
    must(portcullis_jwt_keyset_new(&set), "jwt keyset");
    must(portcullis_jwt_keyset_insert(set, key), "jwt keyset insert");
    portcullis_jwt_verifier *v = NULL;
    must(portcullis_jwt_verifier_new(
             set, S("{\"issuers\":[\"https://issuer.demo\"],\"audiences\":[\"orders-api\"]}"), &v),
         "jwt verifier");
    char t1[1024], t2[1024];
    jwt_token(key, "orders-api", t1, sizeof t1);
    jwt_token(key, "billing-api", t2, sizeof t2);

    jwt(v, "jwt ok", t1, NOW, "orders:read");
    jwt(v, "jwt expired", t1, NOW + 700, "");
    jwt(v, "jwt wrong audience", t2, NOW, "");
    jwt(v, "jwt alg none", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", NOW, "");

    portcullis_jwt_verifier_free(v);
    portcullis_jwt_keyset_free(set);
    portcullis_jwt_key_free(key);
}

/* Percent-encodes every byte outside A-Za-z0-9-_.~ (as nginx's $ssl_client_escaped_cert). */
static void percent_encode(const char *in, char *out, size_t cap) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
        if (o + 4 > cap) {
            fprintf(stderr, "demo: percent_encode: buffer too small\n");
            exit(1);
        }
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
}

/* A client certificate for `spiffe_id` valid from `not_before` to `not_after`. */
typedef struct {
    uint8_t der[2048];
    size_t der_len;
    char pem[2048];
} demo_cert;

static void client_cert(portcullis_dev_ca *ca, const char *spiffe_id, int64_t not_before,
                        int64_t not_after, demo_cert *out) {
    char spec[256];
    size_t len = 0;
    snprintf(spec, sizeof spec, "{\"spiffe_id\":\"%s\",\"not_before\":%lld,\"not_after\":%lld}",
             spiffe_id, (long long)not_before, (long long)not_after);
    portcullis_issued_cert *issued = NULL;
    must(portcullis_dev_ca_issue_client(ca, S(spec), &issued), "issue client certificate");
    must(portcullis_issued_cert_der(issued, out->der, sizeof out->der, &out->der_len), "cert der");
    must(portcullis_issued_cert_cert_pem(issued, (uint8_t *)out->pem, sizeof out->pem, &len),
         "cert pem");
    portcullis_issued_cert_free(issued);
}

/* GET /invoices at NOW with `cert` as the TLS peer certificate, or else the forwarded header
   `header` from `peer`. */
static void mtls(portcullis_mtls_verifier *v, const char *label, const demo_cert *cert,
                 const char *header, const char *peer) {
    portcullis_request *req = NULL;
    must(portcullis_request_new(S("GET"), S("/invoices"), &req), "request");
    if (cert != NULL)
        must(portcullis_request_add_peer_certificate(req, cert->der, cert->der_len), "peer cert");
    if (header != NULL)
        must(portcullis_request_add_header(req, S("X-SSL-Client-Cert"), S(header)), "header");
    if (peer != NULL)
        must(portcullis_request_set_peer_address(req, S(peer)), "peer address");
    must(portcullis_request_set_now(req, NOW), "set_now");
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    portcullis_result rc = portcullis_mtls_verifier_verify(v, req, &p, &d);
    report(label, rc, p, d);
    portcullis_request_free(req);
}

/* `text` as a JSON string literal (PEM newlines escaped) into `out`. */
static void json_string(const char *text, char *out, size_t cap) {
    size_t o = 0;
    out[o++] = '"';
    for (const char *p = text; *p != '\0'; p++) {
        if (o + 4 > cap) {
            fprintf(stderr, "demo: json_string: buffer too small\n");
            exit(1);
        }
        if (*p == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else {
            out[o++] = *p;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* Requests 29-33: mTLS client certificates from a development CA, directly and through a
   trusted proxy's header. */
static void mtls_demo(void) {
    portcullis_dev_ca *ca = NULL;
    must(portcullis_dev_ca_new(S("portcullis demo CA"), NOW - 86400, NOW + 10LL * 365 * 86400, &ca),
         "dev CA");
    static demo_cert good, other, expired;
    client_cert(ca, "spiffe://demo.example/billing", NOW - 3600, NOW + 86400, &good);
    client_cert(ca, "spiffe://other.example/billing", NOW - 3600, NOW + 86400, &other);
    client_cert(ca, "spiffe://demo.example/billing", NOW - 172800, NOW - 86400, &expired);
    char ca_pem[2048], anchor[2200], config[3000];
    size_t len = 0;
    must(portcullis_dev_ca_cert_pem(ca, (uint8_t *)ca_pem, sizeof ca_pem, &len), "CA pem");
    json_string(ca_pem, anchor, sizeof anchor);

    portcullis_mtls_verifier *direct = NULL, *proxied = NULL;
    snprintf(config, sizeof config,
             "{\"trust_anchors\":[%s],\"spiffe_trust_domains\":[\"demo.example\"]}", anchor);
    must(portcullis_mtls_verifier_new(S(config), &direct), "mtls verifier");
    snprintf(config, sizeof config,
             "{\"trust_anchors\":[%s],\"spiffe_trust_domains\":[\"demo.example\"],"
             "\"forwarded\":{\"header\":\"x-ssl-client-cert\",\"format\":\"nginx\","
             "\"trusted_proxies\":[\"127.0.0.1/32\"]}}",
             anchor);
    must(portcullis_mtls_verifier_new(S(config), &proxied), "mtls proxied verifier");

    char header[6144];
    percent_encode(good.pem, header, sizeof header);
    mtls(direct, "mtls spiffe client", &good, NULL, NULL);
    mtls(direct, "mtls other trust domain", &other, NULL, NULL);
    mtls(direct, "mtls expired certificate", &expired, NULL, NULL);
    mtls(proxied, "mtls forged proxy header", NULL, header, "203.0.113.9");
    mtls(proxied, "mtls proxy header", NULL, header, "127.0.0.1");

    portcullis_mtls_verifier_free(direct);
    portcullis_mtls_verifier_free(proxied);
    portcullis_dev_ca_free(ca);
}

int main(void) {
    verifiers v = {NULL, NULL};
    must(portcullis_apikey_ring_new(S(PEPPER), S("{\"prefix\":\"pc\",\"environment\":\"live\",\"realm\":\"demo\"}"),
                                    &v.ring),
         "apikey ring");

    char k1[128], k2[128], k3[128], k4[128], options[256];
    portcullis_apikey_record *r1 = NULL, *r2 = NULL, *r3 = NULL;
    snprintf(options, sizeof options,
             "{\"subject\":\"svc-billing\",\"scopes\":[\"orders:read\"],\"now\":%lld}", NOW);
    generate(v.ring, options, k1, sizeof k1, &r1);
    snprintf(options, sizeof options,
             "{\"subject\":\"svc-billing\",\"scopes\":[\"orders:read\"],\"expires_at\":%lld,\"now\":%lld}",
             NOW + 3600, NOW);
    generate(v.ring, options, k2, sizeof k2, &r2);
    snprintf(options, sizeof options,
             "{\"subject\":\"svc-reports\",\"scopes\":[\"orders:read\"],\"now\":%lld}", NOW);
    generate(v.ring, options, k3, sizeof k3, &r3);
    snprintf(options, sizeof options, "{\"subject\":\"svc-ghost\",\"now\":%lld}", NOW);
    generate(v.ring, options, k4, sizeof k4, NULL);
    must(portcullis_apikey_ring_insert(v.ring, r1), "insert K1");
    must(portcullis_apikey_ring_insert(v.ring, r2), "insert K2");
    must(portcullis_apikey_ring_insert(v.ring, r3), "insert K3");
    char k3_id[160];
    size_t len = 0;
    must(portcullis_apikey_record_key_id(r3, (uint8_t *)k3_id, sizeof k3_id, &len), "key id");
    must(portcullis_apikey_ring_revoke(v.ring, (const uint8_t *)k3_id, len, NOW - 1, NULL), "revoke K3");

    char alice_hash[256], config[1024];
    must(portcullis_hash_password(S("correct horse battery staple"), 0, 0, 0, (uint8_t *)alice_hash,
                                  sizeof alice_hash, &len),
         "hash_password");
    snprintf(config, sizeof config, "{\"realm\":\"demo\",\"users\":{\"alice\":\"%s\"},\"htpasswd\":\"%s\"}",
             alice_hash, HTPASSWD);
    must(portcullis_basic_auth_new(S(config), &v.auth), "basic auth");

    char typo[128], bearer[160];
    snprintf(typo, sizeof typo, "%s", k1);
    size_t last = strlen(typo) - 1;
    typo[last] = typo[last] == 'A' ? 'B' : 'A';

#define BEARER(key) (snprintf(bearer, sizeof bearer, "Bearer %s", key), bearer)
    run(&v, RING, "apikey bearer ok", "Authorization", BEARER(k1), NOW, "orders:read");
    run(&v, RING, "apikey header ok", "X-API-Key", k1, NOW, "");
    run(&v, RING, "apikey unknown key", "Authorization", BEARER(k4), NOW, "");
    run(&v, RING, "apikey typo", "Authorization", BEARER(typo), NOW, "");
    run(&v, RING, "apikey expired", "Authorization", BEARER(k2), NOW + 7200, "");
    run(&v, RING, "apikey revoked", "Authorization", BEARER(k3), NOW, "");
    run(&v, RING, "apikey malformed", "Authorization", "Bearer not-a-key", NOW, "");
    run(&v, RING, "apikey missing scope", "Authorization", BEARER(k1), NOW, "orders:write");
    run(&v, RING, "apikey no credentials", NULL, NULL, NOW, "");

    char basic[160], encoded[128];
    base64("alice:correct horse battery staple", encoded);
    snprintf(basic, sizeof basic, "Basic %s", encoded);
    run(&v, BASIC, "basic alice ok", "Authorization", basic, NOW, "");
    base64("bob:hunter2", encoded);
    snprintf(basic, sizeof basic, "Basic %s", encoded);
    run(&v, BASIC, "basic bob bcrypt ok", "Authorization", basic, NOW, "");
    base64("alice:wrong", encoded);
    snprintf(basic, sizeof basic, "Basic %s", encoded);
    run(&v, BASIC, "basic wrong password", "Authorization", basic, NOW, "");
    base64("mallory:hunter2", encoded);
    snprintf(basic, sizeof basic, "Basic %s", encoded);
    run(&v, BASIC, "basic unknown user", "Authorization", basic, NOW, "");
    run(&v, BASIC, "basic bad base64", "Authorization", "Basic !!!", NOW, "");
    run(&v, BASIC, "basic no colon", "Authorization", "Basic YWxpY2U=", NOW, "");

    webhooks();
    hmac_signing();
    http_signatures();
    jwts();
    mtls_demo();

    portcullis_apikey_record_free(r1);
    portcullis_apikey_record_free(r2);
    portcullis_apikey_record_free(r3);
    portcullis_apikey_ring_free(v.ring);
    portcullis_basic_auth_free(v.auth);
    return 0;
}
