/*
 * The mTLS API end to end with chains issued by the dev CA: a trusted SPIFFE client, expired,
 * untrusted root, revoked through a CRL, wrong trust domain, pin mismatch and match, a chain
 * through an intermediate (request and verify_chain), the nginx forwarded header from an
 * untrusted and a trusted address, JWT certificate binding; the RFC 8705 thumbprint and
 * confirmation; NULL, invalid UTF-8 and bad JSON inputs, buffer-too-small paths, outputs left
 * alone on failure, _free(NULL); 8 threads verifying on one shared handle while another issues
 * and revokes on the shared CA.
 */
#include <pthread.h>
#include <stdlib.h>

#include "jwt_fixtures.h"

#define DAY 86400LL
#define TD "spiffe://demo.example/billing"

/* Certificates and PEMs of the fixture PKI, built once by test_mtls. */
typedef struct {
    uint8_t der[4096];
    size_t der_len;
    char pem[4096];
    char fp[80];
    char serial[80];
} cert_t;

static char ca_pem[4096], other_pem[4096], inter_pem[8192];
static cert_t good, expired, foreign, untrusted, revoked, via_inter;

/* Copies the output of an issued-certificate accessor into `c`. */
static void load_cert(portcullis_issued_cert *ic, cert_t *c) {
    size_t n = 0;
    RC(portcullis_issued_cert_der(ic, c->der, sizeof c->der, &c->der_len), PORTCULLIS_OK);
    TEXT(portcullis_issued_cert_cert_pem, ic, c->pem);
    TEXT(portcullis_issued_cert_fingerprint_sha256, ic, c->fp);
    TEXT(portcullis_issued_cert_serial, ic, c->serial);
    CHECK(strlen(c->fp) == 64);
    (void)n;
}

static void issue(portcullis_dev_ca *ca, const char *spec, cert_t *c) {
    portcullis_issued_cert *ic = SENTINEL;
    RC(portcullis_dev_ca_issue_client(ca, S(spec), &ic), PORTCULLIS_OK);
    load_cert(ic, c);
    portcullis_issued_cert_free(ic);
}

/* `text` as a JSON string literal (quotes included) into `out`. */
static void json_str(char *out, size_t cap, const char *text) {
    size_t o = 0;
    out[o++] = '"';
    for (const char *p = text; *p && o + 3 < cap; p++) {
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

/* Percent-encodes every byte outside A-Za-z0-9-_.~ (what nginx's escaped cert holds). */
static void pct(char *out, size_t cap, const char *text) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && o + 4 < cap; p++) {
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

/* A verifier trusting `anchor` with `extra` JSON members appended ("" for none). */
static portcullis_mtls_verifier *mtls_verifier(const char *anchor, const char *extra) {
    static char config[32768];
    char a[8192];
    json_str(a, sizeof a, anchor);
    snprintf(config, sizeof config, "{\"trust_anchors\":[%s]%s}", a, extra);
    portcullis_mtls_verifier *v = NULL;
    RC(portcullis_mtls_verifier_new(S(config), &v), PORTCULLIS_OK);
    return v;
}

/* GET /invoices at NOW with `c` as the peer certificate (when not NULL), a forwarded header
   (when `header` is not NULL) and a peer address (when not NULL). Counts no checks. */
static portcullis_request *mtls_request(const cert_t *c, const char *header, const char *peer) {
    portcullis_request *req = NULL;
    portcullis_result rc = portcullis_request_new(S("GET"), S("/invoices"), &req);
    if (rc == PORTCULLIS_OK && c != NULL)
        rc = portcullis_request_add_peer_certificate(req, c->der, c->der_len);
    if (rc == PORTCULLIS_OK && header != NULL)
        rc = portcullis_request_add_header(req, S("X-SSL-Client-Cert"), S(header));
    if (rc == PORTCULLIS_OK && peer != NULL)
        rc = portcullis_request_set_peer_address(req, S(peer));
    if (rc == PORTCULLIS_OK)
        rc = portcullis_request_set_now(req, NOW);
    if (rc != PORTCULLIS_OK) {
        portcullis_request_free(req);
        return NULL;
    }
    return req;
}

/* Verifies `c` as the peer certificate; returns the result and frees everything. Checks that
   exactly one of principal / denial comes back and that the denial carries the result and no
   challenge. Counts no checks (threads call it). */
static portcullis_result mtls_check(const portcullis_mtls_verifier *v, const cert_t *c,
                                    const char *header, const char *peer) {
    portcullis_request *req = mtls_request(c, header, peer);
    if (req == NULL)
        return PORTCULLIS_RESULT_INTERNAL;
    portcullis_principal *p = NULL;
    portcullis_denial *d = NULL;
    portcullis_result rc = portcullis_mtls_verifier_verify(v, req, &p, &d);
    size_t n = 1;
    if ((rc == PORTCULLIS_OK) != (p != NULL) || (rc == PORTCULLIS_OK) != (d == NULL) ||
        (d != NULL && (portcullis_denial_code(d) != rc ||
                       portcullis_denial_challenge(d, NULL, 0, &n) != PORTCULLIS_OK || n != 0)))
        rc = PORTCULLIS_RESULT_INTERNAL;
    portcullis_principal_free(p);
    portcullis_denial_free(d);
    portcullis_request_free(req);
    return rc;
}

static portcullis_result denial_status(const portcullis_mtls_verifier *v, const cert_t *c,
                                       uint16_t *status) {
    portcullis_request *req = mtls_request(c, NULL, NULL);
    portcullis_principal *p = SENTINEL;
    portcullis_denial *d = NULL;
    portcullis_result rc = portcullis_mtls_verifier_verify(v, req, &p, &d);
    CHECK(p == SENTINEL);
    *status = portcullis_denial_http_status(d);
    portcullis_denial_free(d);
    portcullis_request_free(req);
    return rc;
}

static void build_pki(void) {
    portcullis_dev_ca *ca = SENTINEL, *other = NULL, *inter = NULL;
    RC(portcullis_dev_ca_new(S("portcullis test CA"), NOW - DAY, NOW + 3650 * DAY, &ca),
       PORTCULLIS_OK);
    CHECK(ca != SENTINEL && ca != NULL);
    RC(portcullis_dev_ca_new(S("untrusted CA"), NOW - DAY, NOW + 3650 * DAY, &other),
       PORTCULLIS_OK);
    TEXT(portcullis_dev_ca_cert_pem, ca, ca_pem);
    TEXT(portcullis_dev_ca_cert_pem, other, other_pem);
    CHECK(strncmp(ca_pem, "-----BEGIN CERTIFICATE-----", 27) == 0);
    char buf[64];
    size_t n = 99;
    RC(portcullis_dev_ca_intermediates_pem(ca, (uint8_t *)buf, sizeof buf, &n), PORTCULLIS_OK);
    CHECK(n == 0); /* a root has none */

    char spec[512];
    snprintf(spec, sizeof spec, "{\"spiffe_id\":\"" TD "\",\"not_before\":%lld,\"not_after\":%lld}",
             NOW - 3600, NOW + DAY);
    issue(ca, spec, &good);
    issue(ca, spec, &revoked);
    issue(other, spec, &untrusted);
    snprintf(spec, sizeof spec,
             "{\"spiffe_id\":\"spiffe://other.example/billing\",\"not_before\":%lld,"
             "\"not_after\":%lld}",
             NOW - 3600, NOW + DAY);
    issue(ca, spec, &foreign);
    snprintf(spec, sizeof spec, "{\"spiffe_id\":\"" TD "\",\"not_before\":%lld,\"not_after\":%lld}",
             NOW - 2 * DAY, NOW - DAY);
    issue(ca, spec, &expired);

    /* An intermediate with path_len 0, and a leaf under it whose chain carries it. */
    RC(portcullis_dev_ca_issue_intermediate(ca, S("issuing CA"), NOW - DAY, NOW + 365 * DAY, 0,
                                            true, &inter),
       PORTCULLIS_OK);
    TEXT(portcullis_dev_ca_intermediates_pem, inter, inter_pem);
    portcullis_issued_cert *ic = NULL;
    RC(portcullis_dev_ca_issue_client(inter, S("{\"dns\":[\"api.demo.example\"],\"cn\":\"api\"}"),
                                      &ic),
       PORTCULLIS_OK);
    load_cert(ic, &via_inter);
    static char chain[12288];
    TEXT(portcullis_issued_cert_chain_pem, ic, chain);
    CHECK(strlen(chain) == strlen(via_inter.pem) + strlen(inter_pem));
    CHECK(strstr(chain, inter_pem) != NULL);
    static char key[4096];
    TEXT(portcullis_issued_cert_key_pem, ic, key);
    CHECK(strncmp(key, "-----BEGIN PRIVATE KEY-----", 27) == 0);
    portcullis_issued_cert_free(ic);
    /* A grandchild under a path_len 0 intermediate cannot be a CA: issuing works (the dev CA
       does not police it) but the unconstrained flag path is also reachable. */
    portcullis_dev_ca *sub = NULL;
    RC(portcullis_dev_ca_issue_intermediate(ca, S("free CA"), NOW - DAY, NOW + DAY, 255, false,
                                            &sub),
       PORTCULLIS_OK);
    portcullis_dev_ca_free(sub);

    /* A server certificate. */
    RC(portcullis_dev_ca_issue_server(ca, S("{\"dns_names\":[\"localhost\",\"127.0.0.1\"]}"), &ic),
       PORTCULLIS_OK);
    char fp[80];
    TEXT(portcullis_issued_cert_fingerprint_sha256, ic, fp);
    portcullis_issued_cert_free(ic);

    /* Revocation: the CRL lists `revoked`. */
    RC(portcullis_dev_ca_revoke(ca, S(revoked.serial), NOW - 60), PORTCULLIS_OK);
    RC(portcullis_dev_ca_revoke(ca, S(revoked.serial), NOW - 60), PORTCULLIS_OK); /* no-op */
    static char crl[8192];
    size_t need = 0;
    RC(portcullis_dev_ca_crl_pem(ca, NOW - 60, NOW + DAY, NULL, 0, &need),
       PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(need > 0 && need < sizeof crl);
    RC(portcullis_dev_ca_crl_pem(ca, NOW - 60, NOW + DAY, (uint8_t *)crl, sizeof crl, &n),
       PORTCULLIS_OK);
    /* The same CA state and times give the same CRL, so the size query was exact. */
    CHECK(n == need && strstr(crl, "BEGIN X509 CRL") != NULL);

    /* Verifier over the CRL. */
    char c[16384], extra[20000];
    json_str(c, sizeof c, crl);
    snprintf(extra, sizeof extra, ",\"crls\":[%s]", c);
    portcullis_mtls_verifier *v = mtls_verifier(ca_pem, extra);
    RC(mtls_check(v, &revoked, NULL, NULL), PORTCULLIS_RESULT_MTLS_REVOKED);
    RC(mtls_check(v, &good, NULL, NULL), PORTCULLIS_OK);
    portcullis_mtls_verifier_free(v);

    /* Bad dev CA inputs. */
    portcullis_issued_cert *bad = SENTINEL;
    RC(portcullis_dev_ca_issue_client(ca, S("{\"spiffe\":1}"), &bad), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_dev_ca_issue_client(ca, S("[1]"), &bad), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_dev_ca_issue_client(ca, S("{\"cn\":"), &bad), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_dev_ca_issue_client(ca, (const uint8_t *)"{\"cn\":\"\xff\"}", 10, &bad),
       PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_dev_ca_issue_server(ca, S("{\"dns\":[]}"), &bad), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_dev_ca_issue_client(NULL, S("{}"), &bad), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_dev_ca_issue_client(ca, NULL, 3, &bad), PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(bad == SENTINEL);
    RC(portcullis_dev_ca_issue_client(ca, S("{}"), NULL), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_dev_ca_issue_client(ca, NULL, 0, &bad), PORTCULLIS_OK); /* every default */
    CHECK(bad != SENTINEL);
    portcullis_issued_cert_free(bad);
    RC(portcullis_dev_ca_revoke(ca, S("not hex"), NOW), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_dev_ca_revoke(NULL, S("01"), NOW), PORTCULLIS_RESULT_NULL_POINTER);
    portcullis_dev_ca *none = SENTINEL;
    RC(portcullis_dev_ca_new(NULL, 4, NOW, NOW + DAY, &none), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_dev_ca_new((const uint8_t *)"\xc3", 1, NOW, NOW + DAY, &none),
       PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_dev_ca_new(S("x"), NOW, NOW + DAY, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_dev_ca_issue_intermediate(NULL, S("x"), NOW, NOW + DAY, 0, true, &none),
       PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(none == SENTINEL);
    RC(portcullis_dev_ca_cert_pem(ca, NULL, 0, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_dev_ca_cert_pem(ca, NULL, 5, &n), PORTCULLIS_RESULT_NULL_POINTER);
    n = 0;
    RC(portcullis_dev_ca_cert_pem(ca, (uint8_t *)buf, sizeof buf, &n),
       PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == strlen(ca_pem));

    /* Reference counting: a retained CA outlives one free. */
    portcullis_dev_ca *again = portcullis_dev_ca_retain(ca);
    CHECK(again == ca);
    portcullis_dev_ca_free(ca);
    char pem2[4096];
    TEXT(portcullis_dev_ca_cert_pem, again, pem2);
    CHECK(strcmp(pem2, ca_pem) == 0);
    CHECK(portcullis_dev_ca_retain(NULL) == NULL);
    portcullis_dev_ca_free(again);
    portcullis_dev_ca_free(other);
    portcullis_dev_ca_free(inter);
}

static void test_verify(void) {
    char extra[512];
    snprintf(extra, sizeof extra, ",\"spiffe_trust_domains\":[\"demo.example\"]");
    portcullis_mtls_verifier *v = mtls_verifier(ca_pem, extra);

    /* The good certificate: the whole principal. */
    portcullis_request *req = mtls_request(&good, NULL, NULL);
    portcullis_principal *p = NULL;
    portcullis_denial *d = SENTINEL;
    RC(portcullis_mtls_verifier_verify(v, req, &p, &d), PORTCULLIS_OK);
    CHECK(d == SENTINEL);
    char text[4096], want[256];
    TEXT(portcullis_principal_subject, p, text);
    CHECK(strcmp(text, TD) == 0);
    TEXT(portcullis_principal_method_name, p, text);
    CHECK(strcmp(text, "mtls") == 0);
    CHECK(portcullis_principal_method(p) == 5);
    TEXT(portcullis_principal_credential_id, p, text);
    snprintf(want, sizeof want, "sha256:%s", good.fp);
    CHECK(strcmp(text, want) == 0);
    int64_t at = 0;
    bool has = false;
    RC(portcullis_principal_expires_at(p, &at, &has), PORTCULLIS_OK);
    CHECK(has && at == NOW + DAY);
    static char claims[8192];
    TEXT(portcullis_principal_claims_json, p, claims);
    CHECK(strstr(claims, "\"spiffe_id\":\"" TD "\"") != NULL);
    snprintf(want, sizeof want, "\"fingerprint_sha256\":\"%s\"", good.fp);
    CHECK(strstr(claims, want) != NULL);

    /* RFC 8705: the thumbprint is the principal's x5t#S256, and confirmation. */
    char tp[64];
    size_t n = 0;
    RC(portcullis_certificate_thumbprint(good.der, good.der_len, NULL, 0, &n),
       PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 43);
    RC(portcullis_certificate_thumbprint(good.der, good.der_len, (uint8_t *)tp, 10, &n),
       PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    RC(portcullis_certificate_thumbprint(good.der, good.der_len, (uint8_t *)tp, sizeof tp, &n),
       PORTCULLIS_OK);
    CHECK(n == 43 && tp[43] == '\0');
    snprintf(want, sizeof want, "\"x5t#S256\":\"%s\"", tp);
    CHECK(strstr(claims, want) != NULL);
    RC(portcullis_certificate_thumbprint(NULL, 3, (uint8_t *)tp, sizeof tp, &n),
       PORTCULLIS_RESULT_NULL_POINTER);
    char bound[256];
    snprintf(bound, sizeof bound, "{\"sub\":\"x\",\"cnf\":{\"x5t#S256\":\"%s\"}}", tp);
    RC(portcullis_check_confirmation(S(bound), S(tp)), PORTCULLIS_OK);
    RC(portcullis_check_confirmation(S(bound), S("AAAA")), PORTCULLIS_RESULT_JWT_CONFIRMATION_MISMATCH);
    RC(portcullis_check_confirmation(S("{\"sub\":\"x\"}"), S(tp)),
       PORTCULLIS_RESULT_JWT_CONFIRMATION_MISMATCH);
    RC(portcullis_check_confirmation(S("{\"cnf\":\"x\"}"), S(tp)),
       PORTCULLIS_RESULT_JWT_CONFIRMATION_MISMATCH);
    RC(portcullis_check_confirmation(S("[1]"), S(tp)), PORTCULLIS_RESULT_JWT_CONFIRMATION_MISMATCH);
    RC(portcullis_check_confirmation(S("{\"cnf\":"), S(tp)), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_check_confirmation(NULL, 2, S(tp)), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_check_confirmation(S(bound), (const uint8_t *)"\xff", 1),
       PORTCULLIS_RESULT_INVALID_UTF8);

    /* JWT certificate binding over the same request. */
    portcullis_jwt_key *key = jwt_hs256("k1");
    portcullis_jwt_keyset *set = NULL;
    portcullis_jwt_verifier *jv = NULL;
    RC(portcullis_jwt_keyset_new(&set), PORTCULLIS_OK);
    RC(portcullis_jwt_keyset_insert(set, key), PORTCULLIS_OK);
    RC(portcullis_jwt_verifier_new(set, S("{\"require_certificate_binding\":true}"), &jv),
       PORTCULLIS_OK);
    char jc[512], token[1024], authz[1100];
    snprintf(jc, sizeof jc, "{\"sub\":\"svc\",\"exp\":%lld,\"cnf\":{\"x5t#S256\":\"%s\"}}",
             NOW + 600, tp);
    RC(jwt_sign(jc, key, "", token, sizeof token), PORTCULLIS_OK);
    snprintf(authz, sizeof authz, "Bearer %s", token);
    RC(portcullis_request_add_header(req, S("Authorization"), S(authz)), PORTCULLIS_OK);
    portcullis_principal *jp = NULL;
    RC(portcullis_jwt_verifier_verify(jv, req, NULL, 0, &jp, NULL), PORTCULLIS_OK);
    portcullis_principal_free(jp);
    portcullis_request *other_req = mtls_request(&foreign, NULL, NULL);
    RC(portcullis_request_add_header(other_req, S("Authorization"), S(authz)), PORTCULLIS_OK);
    jp = SENTINEL;
    RC(portcullis_jwt_verifier_verify(jv, other_req, NULL, 0, &jp, NULL),
       PORTCULLIS_RESULT_JWT_CONFIRMATION_MISMATCH);
    CHECK(jp == SENTINEL);
    RC(jwt_check(jv, token, NOW, ""), PORTCULLIS_RESULT_JWT_CONFIRMATION_MISMATCH);
    portcullis_request_free(other_req);
    portcullis_jwt_verifier_free(jv);
    portcullis_jwt_keyset_free(set);
    portcullis_jwt_key_free(key);
    portcullis_principal_free(p);
    portcullis_request_free(req);

    /* Refusals, with their statuses. */
    uint16_t status = 0;
    RC(denial_status(v, &foreign, &status), PORTCULLIS_RESULT_MTLS_IDENTITY_REFUSED);
    CHECK(status == 403);
    RC(denial_status(v, &expired, &status), PORTCULLIS_RESULT_MTLS_EXPIRED);
    CHECK(status == 401);
    RC(denial_status(v, &untrusted, &status), PORTCULLIS_RESULT_MTLS_UNTRUSTED);
    RC(denial_status(v, NULL, &status), PORTCULLIS_RESULT_MTLS_CERTIFICATE_MISSING);
    cert_t junk = {.der = {0x30, 0x03, 0x02, 0x01, 0x01}, .der_len = 5};
    RC(mtls_check(v, &junk, NULL, NULL), PORTCULLIS_RESULT_MTLS_CERTIFICATE_MALFORMED);
    portcullis_mtls_verifier_free(v);

    /* The intermediate: as configured intermediate, and through verify_chain. */
    char i[16384], ex2[17000];
    json_str(i, sizeof i, inter_pem);
    snprintf(ex2, sizeof ex2, ",\"intermediates\":[%s],\"subject_from\":[\"dns\"]", i);
    v = mtls_verifier(ca_pem, ex2);
    RC(mtls_check(v, &via_inter, NULL, NULL), PORTCULLIS_OK);
    const uint8_t *certs[17];
    size_t lens[17];
    for (int k = 0; k < 17; k++) {
        certs[k] = via_inter.der;
        lens[k] = via_inter.der_len;
    }
    p = NULL;
    RC(portcullis_mtls_verifier_verify_chain(v, certs, lens, 1, NOW, &p, NULL), PORTCULLIS_OK);
    TEXT(portcullis_principal_subject, p, text);
    CHECK(strcmp(text, "api.demo.example") == 0);
    portcullis_principal_free(p);
    p = SENTINEL;
    RC(portcullis_mtls_verifier_verify_chain(v, certs, lens, 1, NOW + 400 * DAY, &p, NULL),
       PORTCULLIS_RESULT_MTLS_EXPIRED);
    RC(portcullis_mtls_verifier_verify_chain(v, NULL, NULL, 0, NOW, &p, NULL),
       PORTCULLIS_RESULT_MTLS_CERTIFICATE_MISSING);
    RC(portcullis_mtls_verifier_verify_chain(v, certs, lens, 17, NOW, &p, NULL),
       PORTCULLIS_RESULT_INPUT_TOO_LARGE);
    RC(portcullis_mtls_verifier_verify_chain(v, NULL, lens, 1, NOW, &p, NULL),
       PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_mtls_verifier_verify_chain(v, certs, NULL, 1, NOW, &p, NULL),
       PORTCULLIS_RESULT_NULL_POINTER);
    lens[1] = 0;
    RC(portcullis_mtls_verifier_verify_chain(v, certs, lens, 2, NOW, &p, NULL),
       PORTCULLIS_RESULT_INVALID_ARGUMENT);
    certs[1] = NULL;
    lens[1] = 4;
    RC(portcullis_mtls_verifier_verify_chain(v, certs, lens, 2, NOW, &p, NULL),
       PORTCULLIS_RESULT_NULL_POINTER);
    portcullis_denial *cd = NULL;
    RC(portcullis_mtls_verifier_verify_chain(NULL, certs, lens, 1, NOW, &p, &cd),
       PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(p == SENTINEL && portcullis_denial_code(cd) == PORTCULLIS_RESULT_NULL_POINTER);
    portcullis_denial_free(cd);
    portcullis_mtls_verifier_free(v);
    /* Without the intermediate the leaf does not chain. */
    v = mtls_verifier(ca_pem, "");
    RC(mtls_check(v, &via_inter, NULL, NULL), PORTCULLIS_RESULT_MTLS_UNTRUSTED);
    portcullis_mtls_verifier_free(v);

    /* Pins. */
    snprintf(extra, sizeof extra, ",\"pinned_fingerprints\":[\"%s\"]", foreign.fp);
    v = mtls_verifier(ca_pem, extra);
    RC(mtls_check(v, &good, NULL, NULL), PORTCULLIS_RESULT_MTLS_PIN_MISMATCH);
    RC(mtls_check(v, &foreign, NULL, NULL), PORTCULLIS_OK);
    portcullis_mtls_verifier_free(v);

    /* Forwarded nginx header: refused from an untrusted address, accepted from the proxy. */
    v = mtls_verifier(ca_pem, ",\"spiffe_trust_domains\":[\"demo.example\"],\"forwarded\":{"
                              "\"header\":\"x-ssl-client-cert\",\"format\":\"nginx\","
                              "\"trusted_proxies\":[\"127.0.0.1/32\"]}");
    static char header[8192];
    pct(header, sizeof header, good.pem);
    RC(mtls_check(v, NULL, header, "203.0.113.9"), PORTCULLIS_RESULT_MTLS_FORWARDED_UNTRUSTED);
    RC(mtls_check(v, NULL, header, "127.0.0.1"), PORTCULLIS_OK);
    RC(mtls_check(v, NULL, "%%%garbage", "127.0.0.1"), PORTCULLIS_RESULT_MTLS_FORWARDED_MALFORMED);
    RC(mtls_check(v, NULL, NULL, "127.0.0.1"), PORTCULLIS_RESULT_MTLS_CERTIFICATE_MISSING);
    RC(mtls_check(v, &good, NULL, "203.0.113.9"), PORTCULLIS_OK); /* direct peer */
    pct(header, sizeof header, expired.pem);
    RC(mtls_check(v, NULL, header, "127.0.0.1"), PORTCULLIS_RESULT_MTLS_EXPIRED);
    portcullis_mtls_verifier_free(v);
}

static void test_bad_config(void) {
    portcullis_mtls_verifier *v = SENTINEL;
    RC(portcullis_mtls_verifier_new(NULL, 5, &v), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_mtls_verifier_new(S("{}"), NULL), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_mtls_verifier_new((const uint8_t *)"{\"\xfe\":1}", 7, &v),
       PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_mtls_verifier_new(S("{\"trust_anchors\":"), &v), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_mtls_verifier_new(S("{\"trust_anchors\":[],\"bogus\":1}"), &v),
       PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_mtls_verifier_new(S("{\"trust_anchors\":[\"not a pem\"]}"), &v),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_mtls_verifier_new(NULL, 0, &v), PORTCULLIS_RESULT_JSON_INVALID);
    CHECK(v == SENTINEL);
    char a[8192], config[9000];
    json_str(a, sizeof a, ca_pem);
    snprintf(config, sizeof config, "{\"trust_anchors\":[%s],\"crls\":[\"junk\"]}", a);
    RC(portcullis_mtls_verifier_new(S(config), &v), PORTCULLIS_RESULT_MTLS_CRL_INVALID);
    snprintf(config, sizeof config, "{\"trust_anchors\":[%s],\"pinned_fingerprints\":[\"ab\"]}", a);
    RC(portcullis_mtls_verifier_new(S(config), &v), PORTCULLIS_RESULT_CONFIG_INVALID);
    snprintf(config, sizeof config,
             "{\"trust_anchors\":[%s],\"forwarded\":{\"header\":\"x\",\"format\":\"nginx\","
             "\"trusted_proxies\":[\"not a cidr\"]}}",
             a);
    RC(portcullis_mtls_verifier_new(S(config), &v), PORTCULLIS_RESULT_CONFIG_INVALID);
    CHECK(v == SENTINEL);

    /* Verify with NULLs: the denial still comes back. */
    v = mtls_verifier(ca_pem, "");
    portcullis_request *req = mtls_request(&good, NULL, NULL);
    portcullis_denial *d = NULL;
    RC(portcullis_mtls_verifier_verify(v, req, NULL, &d), PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(portcullis_denial_code(d) == PORTCULLIS_RESULT_NULL_POINTER);
    portcullis_denial_free(d);
    portcullis_principal *p = SENTINEL;
    RC(portcullis_mtls_verifier_verify(NULL, req, &p, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_mtls_verifier_verify(v, NULL, &p, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(p == SENTINEL);
    CHECK(portcullis_mtls_verifier_retain(NULL) == NULL);
    portcullis_mtls_verifier *v2 = portcullis_mtls_verifier_retain(v);
    portcullis_mtls_verifier_free(v);
    RC(portcullis_mtls_verifier_verify(v2, req, &p, NULL), PORTCULLIS_OK);
    portcullis_principal_free(p);
    portcullis_mtls_verifier_free(v2);
    portcullis_request_free(req);

    /* Issued-certificate accessors: NULL handles and small buffers. */
    char buf[8];
    size_t n = 0;
    RC(portcullis_issued_cert_der(NULL, (uint8_t *)buf, sizeof buf, &n), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_issued_cert_key_pem(NULL, NULL, 0, &n), PORTCULLIS_RESULT_NULL_POINTER);

    portcullis_mtls_verifier_free(NULL);
    portcullis_dev_ca_free(NULL);
    portcullis_issued_cert_free(NULL);
}

/* Buffer-too-small leaves the caller's buffer untouched and reports the size. */
static void test_issued_buffers(void) {
    portcullis_dev_ca *ca = NULL;
    RC(portcullis_dev_ca_new(S("buffers"), NOW - DAY, NOW + DAY, &ca), PORTCULLIS_OK);
    portcullis_issued_cert *ic = NULL;
    RC(portcullis_dev_ca_issue_client(ca, S("{\"cn\":\"x\"}"), &ic), PORTCULLIS_OK);
    portcullis_result (*fns[])(const portcullis_issued_cert *, uint8_t *, size_t, size_t *) = {
        portcullis_issued_cert_cert_pem, portcullis_issued_cert_chain_pem,
        portcullis_issued_cert_der,      portcullis_issued_cert_key_pem,
        portcullis_issued_cert_serial,   portcullis_issued_cert_fingerprint_sha256,
    };
    for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
        char small[8];
        memset(small, 'Z', sizeof small);
        size_t need = 0;
        RC(fns[k](ic, (uint8_t *)small, sizeof small, &need), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
        CHECK(need > sizeof small && small[0] == 'Z' && small[7] == 'Z');
        char *big = malloc(need);
        size_t got = 0;
        RC(fns[k](ic, (uint8_t *)big, need, &got), PORTCULLIS_OK); /* exact fit, no NUL */
        CHECK(got == need);
        free(big);
    }
    portcullis_issued_cert_free(ic);
    portcullis_dev_ca_free(ca);
}

#define MTLS_THREADS 8
#define MTLS_ROUNDS 25

typedef struct {
    portcullis_mtls_verifier *v;
    portcullis_dev_ca *ca; /* thread 0 issues and revokes on it meanwhile */
    int ok, wrong;
} mtls_worker;

static void *mtls_work(void *arg) {
    mtls_worker *w = arg;
    for (int i = 0; i < MTLS_ROUNDS; i++) {
        (*(mtls_check(w->v, &good, NULL, NULL) == PORTCULLIS_OK ? &w->ok : &w->wrong))++;
        (*(mtls_check(w->v, &expired, NULL, NULL) == PORTCULLIS_RESULT_MTLS_EXPIRED ? &w->ok : &w->wrong))++;
        (*(mtls_check(w->v, &foreign, NULL, NULL) == PORTCULLIS_RESULT_MTLS_IDENTITY_REFUSED
             ? &w->ok : &w->wrong))++;
        if (w->ca != NULL) {
            portcullis_issued_cert *ic = NULL;
            char serial[80];
            size_t n = 0;
            portcullis_result rc = portcullis_dev_ca_issue_client(w->ca, S("{\"cn\":\"t\"}"), &ic);
            if (rc == PORTCULLIS_OK)
                rc = portcullis_issued_cert_serial(ic, (uint8_t *)serial, sizeof serial, &n);
            if (rc == PORTCULLIS_OK)
                rc = portcullis_dev_ca_revoke(w->ca, (const uint8_t *)serial, n, NOW);
            (*(rc == PORTCULLIS_OK ? &w->ok : &w->wrong))++;
            portcullis_issued_cert_free(ic);
        }
    }
    portcullis_mtls_verifier_free(w->v);
    portcullis_dev_ca_free(w->ca);
    return NULL;
}

static void test_mtls_threads(void) {
    portcullis_mtls_verifier *v = mtls_verifier(ca_pem, ",\"spiffe_trust_domains\":[\"demo.example\"]");
    portcullis_dev_ca *ca = NULL;
    RC(portcullis_dev_ca_new(S("threads"), NOW - DAY, NOW + DAY, &ca), PORTCULLIS_OK);
    mtls_worker workers[MTLS_THREADS];
    pthread_t threads[MTLS_THREADS];
    for (int t = 0; t < MTLS_THREADS; t++) {
        workers[t] = (mtls_worker){portcullis_mtls_verifier_retain(v),
                                   t < 2 ? portcullis_dev_ca_retain(ca) : NULL, 0, 0};
        CHECK(pthread_create(&threads[t], NULL, mtls_work, &workers[t]) == 0);
    }
    portcullis_mtls_verifier_free(v); /* the threads hold theirs */
    int ok = 0, wrong = 0;
    for (int t = 0; t < MTLS_THREADS; t++) {
        pthread_join(threads[t], NULL);
        ok += workers[t].ok;
        wrong += workers[t].wrong;
    }
    CHECK(wrong == 0);
    CHECK(ok == MTLS_THREADS * MTLS_ROUNDS * 3 + 2 * MTLS_ROUNDS);
    size_t need = 0;
    RC(portcullis_dev_ca_crl_pem(ca, NOW, NOW + DAY, NULL, 0, &need),
       PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(need > 2000); /* 50 revoked serials */
    portcullis_dev_ca_free(ca);
}

void test_mtls(void) {
    build_pki();
    test_verify();
    test_bad_config();
    test_issued_buffers();
    test_mtls_threads();
}
