/*
 * The portcullis demo in C: the same 15 requests as demo.py and demo.js, one line each.
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
    portcullis_request_free(req);
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

    portcullis_apikey_record_free(r1);
    portcullis_apikey_record_free(r2);
    portcullis_apikey_record_free(r3);
    portcullis_apikey_ring_free(v.ring);
    portcullis_basic_auth_free(v.auth);
    return 0;
}
