/*
 * The API key ring a gate shares with its host (keys minted, inserted and revoked through it
 * reach the gate's checks, and survive a reload that leaves the credential unchanged), a gate's
 * credential as a generic verifier, the generic verifier built from JWT, webhook and API key
 * configurations with its load errors, an oauth2 verifier's challenges, metadata document and
 * DPoP-Nonce header, the gate's JSON Schema, references and _free(NULL).
 */
#include <stdlib.h>

#include "gate_fixtures.h"

static void test_api_key_ring(void) {
    portcullis_gate *g = gate_from(GATE_CONFIG);
    portcullis_apikey_ring *ring = NULL;
    RC(portcullis_gate_api_key_ring(g, S("keys"), &ring), PORTCULLIS_OK);
    portcullis_apikey_ring *other = SENTINEL;
    RC(portcullis_gate_api_key_ring(g, S("tokens"), &other), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_gate_api_key_ring(g, S("nope"), &other), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_gate_api_key_ring(NULL, S("keys"), &other), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_api_key_ring(g, S("keys"), NULL), PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(other == SENTINEL);

    /* A key minted and inserted through the shared ring is accepted by the gate. */
    portcullis_issued_apikey *issued = NULL;
    char opts[256], key[256], text[256];
    snprintf(opts, sizeof opts, "{\"subject\":\"svc\",\"scopes\":[\"orders:read\"],\"now\":%lld}", NOW);
    RC(portcullis_apikey_ring_generate(ring, S(opts), &issued), PORTCULLIS_OK);
    TEXT(portcullis_issued_apikey_key, issued, key);
    portcullis_apikey_record *record = NULL;
    RC(portcullis_issued_apikey_record(issued, &record), PORTCULLIS_OK);
    char bearer_key[300];
    snprintf(bearer_key, sizeof bearer_key, "Bearer %s", key);
    portcullis_gate_decision *d = gate_decide(g, gate_request("GET", "/orders/1", bearer_key));
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_APIKEY_UNKNOWN);
    portcullis_gate_decision_free(d);
    RC(portcullis_apikey_ring_insert(ring, record), PORTCULLIS_OK);
    d = gate_decide(g, gate_request("GET", "/orders/1", bearer_key));
    CHECK(portcullis_gate_decision_allowed(d));
    TEXT(portcullis_gate_decision_credential, d, text);
    CHECK(strcmp(text, "keys") == 0);
    portcullis_gate_decision_free(d);

    /* A reload that leaves the credential unchanged keeps the ring and its keys. */
    RC(portcullis_gate_reload(g, S(GATE_CREDENTIALS GATE_ROUTES), NULL), PORTCULLIS_OK);
    d = gate_decide(g, gate_request("GET", "/orders/1", bearer_key));
    CHECK(portcullis_gate_decision_allowed(d));
    portcullis_gate_decision_free(d);
    /* The gate's verifier for the credential shares the ring too. */
    portcullis_verifier *v = NULL;
    RC(portcullis_gate_verifier(g, S("keys"), &v), PORTCULLIS_OK);
    TEXT(portcullis_verifier_method, v, text);
    CHECK(strcmp(text, "api_key") == 0);
    portcullis_request *req = gate_request("GET", "/anything", bearer_key);
    portcullis_principal *p = NULL;
    RC(portcullis_verifier_verify(v, req, S("orders:read"), &p, NULL), PORTCULLIS_OK);
    portcullis_principal_free(p);
    portcullis_request_free(req);
    portcullis_verifier_free(v);
    v = SENTINEL;
    RC(portcullis_gate_verifier(g, S("nope"), &v), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    CHECK(v == SENTINEL);

    /* Revoked through the ring: the gate refuses it at once. */
    RC(portcullis_apikey_record_key_id(record, (uint8_t *)text, sizeof text, &(size_t){0}), PORTCULLIS_OK);
    RC(portcullis_apikey_ring_revoke(ring, S(text), NOW - 1, NULL), PORTCULLIS_OK);
    d = gate_decide(g, gate_request("GET", "/orders/1", bearer_key));
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_APIKEY_REVOKED);
    portcullis_gate_decision_free(d);
    /* The ring outlives the gate. */
    portcullis_gate_free(g);
    CHECK(portcullis_apikey_ring_len(ring) == 1);
    portcullis_apikey_record_free(record);
    portcullis_issued_apikey_free(issued);
    portcullis_apikey_ring_free(ring);
}

static void test_schema(void) {
    size_t need = 0, len = 0;
    RC(portcullis_gate_schema(NULL, 0, &need), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(need > 1000);
    char *schema = malloc(need + 1);
    CHECK(schema != NULL);
    if (schema == NULL)
        return;
    RC(portcullis_gate_schema((uint8_t *)schema, need + 1, &len), PORTCULLIS_OK);
    CHECK(len == need && schema[len] == '\0');
    CHECK(schema[0] == '{' && strstr(schema, "\"routes\"") != NULL && strstr(schema, "\"webhook\"") != NULL);
    free(schema);
    RC(portcullis_gate_schema(NULL, 0, NULL), PORTCULLIS_RESULT_NULL_POINTER);
}

static void test_generic_verifier(void) {
    char text[512], auth[1200];
    /* JWT, from JSON with a host secret. */
    portcullis_verifier *v = NULL;
    RC(portcullis_verifier_new(S("{\"method\": \"jwt\", \"issuers\": [\"https://issuer.test\"], "
                                 "\"audiences\": [\"orders-api\"], \"keys\": {\"static\": "
                                 "[{\"alg\": \"HS256\", \"secret\": \"secret:jwt\"}]}}"),
                               gate_options(), &v, NULL),
       PORTCULLIS_OK);
    TEXT(portcullis_verifier_method, v, text);
    CHECK(strcmp(text, "jwt") == 0);
    TEXT(portcullis_verifier_challenge, v, text);
    CHECK(strcmp(text, "Bearer realm=\"api\"") == 0);
    CHECK(gate_token("erin", "a b", auth, sizeof auth));
    portcullis_request *req = gate_request("GET", "/", auth);
    portcullis_principal *p = NULL;
    portcullis_denial *den = NULL;
    RC(portcullis_verifier_verify(v, req, S("a"), &p, &den), PORTCULLIS_OK);
    CHECK(p != NULL && den == NULL);
    TEXT(portcullis_principal_subject, p, text);
    CHECK(strcmp(text, "erin") == 0);
    portcullis_principal_free(p);
    p = SENTINEL;
    RC(portcullis_verifier_verify(v, req, S("a c"), &p, &den), PORTCULLIS_RESULT_SCOPE_INSUFFICIENT);
    CHECK(p == SENTINEL && den != NULL && portcullis_denial_code(den) == PORTCULLIS_RESULT_SCOPE_INSUFFICIENT);
    portcullis_denial_free(den);
    portcullis_request_free(req);
    req = gate_request("GET", "/", NULL);
    RC(portcullis_verifier_verify(v, req, NULL, 0, &p, NULL), PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    RC(portcullis_verifier_verify(v, req, NULL, 0, NULL, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_verifier_verify(NULL, req, NULL, 0, &p, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    portcullis_request_free(req);
    portcullis_verifier *again = portcullis_verifier_retain(v);
    CHECK(again == v);
    portcullis_verifier_free(v);
    TEXT(portcullis_verifier_method, again, text); /* still alive */
    portcullis_verifier_free(again);

    /* Webhook, from TOML; replays refused by its own store. */
    v = NULL;
    RC(portcullis_verifier_new(S("method = \"webhook\"\nscheme = \"standard\"\nsecrets = [\"secret:whsec\"]\n"),
                               gate_options(), &v, NULL),
       PORTCULLIS_OK);
    TEXT(portcullis_verifier_method, v, text);
    CHECK(strcmp(text, "webhook") == 0);
    TEXT(portcullis_verifier_challenge, v, text);
    CHECK(text[0] == '\0');
    portcullis_webhook_signer *signer = NULL;
    RC(portcullis_webhook_signer_new(S("standard"), S(WEBHOOK_SECRET), &signer), PORTCULLIS_OK);
    req = signed_webhook(signer, "msg_v_1", "{}", NOW);
    p = NULL;
    RC(portcullis_verifier_verify(v, req, NULL, 0, &p, NULL), PORTCULLIS_OK);
    CHECK(portcullis_principal_method(p) == 6);
    portcullis_principal_free(p);
    RC(portcullis_verifier_verify(v, req, NULL, 0, &p, NULL), PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
    portcullis_request_free(req);
    portcullis_webhook_signer_free(signer);
    portcullis_verifier_free(v);

    /* API key, with a record minted by a ring of the same pepper. */
    portcullis_apikey_ring *ring = NULL;
    RC(portcullis_apikey_ring_new(S(GATE_PEPPER), NULL, 0, &ring), PORTCULLIS_OK);
    portcullis_issued_apikey *issued = NULL;
    char opts[128], key[256], record_json[2048], config[4096];
    snprintf(opts, sizeof opts, "{\"subject\":\"svc\",\"now\":%lld}", NOW);
    RC(portcullis_apikey_ring_generate(ring, S(opts), &issued), PORTCULLIS_OK);
    TEXT(portcullis_issued_apikey_key, issued, key);
    portcullis_apikey_record *record = NULL;
    RC(portcullis_issued_apikey_record(issued, &record), PORTCULLIS_OK);
    TEXT(portcullis_apikey_record_to_json, record, record_json);
    snprintf(config, sizeof config,
             "{\"method\": \"api_key\", \"pepper\": \"secret:pepper\", \"records\": [%s]}", record_json);
    v = NULL;
    RC(portcullis_verifier_new(S(config), gate_options(), &v, NULL), PORTCULLIS_OK);
    req = request("X-API-Key", key, NOW);
    p = NULL;
    RC(portcullis_verifier_verify(v, req, NULL, 0, &p, NULL), PORTCULLIS_OK);
    TEXT(portcullis_principal_subject, p, text);
    CHECK(strcmp(text, "svc") == 0);
    portcullis_principal_free(p);
    portcullis_request_free(req);
    portcullis_verifier_free(v);
    portcullis_apikey_record_free(record);
    portcullis_issued_apikey_free(issued);
    portcullis_apikey_ring_free(ring);

    /* Load errors: path, line and column; options consumed on failure too. */
    den = NULL;
    v = SENTINEL;
    RC(portcullis_verifier_new(S("{\"method\": \"jwk\"}"), gate_options(), &v, &den),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    CHECK(v == SENTINEL && den != NULL);
    size_t len = 0;
    RC(portcullis_denial_detail(den, (uint8_t *)text, sizeof text, &len), PORTCULLIS_OK);
    CHECK(strncmp(text, "method: unknown method \"jwk\"", 28) == 0);
    CHECK(strstr(text, "(line 1, column 12)") != NULL);
    portcullis_denial_free(den);
    RC(portcullis_verifier_new(S("{\"method\": \"api_key\", \"pepper\": \"secret:nope\"}"), NULL, &v, NULL),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_verifier_new(S("{"), NULL, &v, NULL), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_verifier_new(S("{\"method\": \"basic\"}"), gate_options(), NULL, NULL),
       PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(v == SENTINEL);
    RC(portcullis_verifier_method(NULL, (uint8_t *)text, sizeof text, &len), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_verifier_challenge(NULL, (uint8_t *)text, sizeof text, &len), PORTCULLIS_RESULT_NULL_POINTER);
}

/* An oauth2 verifier: its two challenges, its RFC 9728 document, and a denial's DPoP-Nonce. */
static void test_oauth2_verifier(void) {
    char text[1024];
    portcullis_verifier *v = NULL;
    RC(portcullis_verifier_new(
           S("{\"method\": \"oauth2\", \"resource\": \"https://api.example.com\", "
             "\"dpop\": {\"algorithms\": [\"EdDSA\"], \"nonce\": {\"secret\": \"secret:jwt\", "
             "\"step_seconds\": 60}}, \"issuers\": [{\"issuer\": \"https://as.example\", "
             "\"keys\": {\"static\": [{\"alg\": \"EdDSA\", \"kid\": \"one-1\", \"jwk\": "
             "{\"crv\": \"Ed25519\", \"kty\": \"OKP\", "
             "\"x\": \"0EqyMnQrtKs6E2i9RhXk5tAiSrcaAWuvhSCjMsl3hzc\"}}]}}]}"),
           gate_options(), &v, NULL),
       PORTCULLIS_OK);
    TEXT(portcullis_verifier_method, v, text);
    CHECK(strcmp(text, "oauth2") == 0);
    TEXT(portcullis_verifier_challenge, v, text);
    CHECK(strcmp(text,
                 "Bearer realm=\"api\", resource_metadata=\"https://api.example.com/.well-known/"
                 "oauth-protected-resource\", DPoP realm=\"api\", algs=\"EdDSA\", "
                 "resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource\"") == 0);
    TEXT(portcullis_verifier_resource_metadata, v, text);
    CHECK(strstr(text, "\"resource\":\"https://api.example.com\"") != NULL);
    CHECK(strstr(text, "\"authorization_servers\":[\"https://as.example\"]") != NULL);

    portcullis_request *req = gate_request("GET", "/", NULL);
    portcullis_principal *p = NULL;
    portcullis_denial *den = NULL;
    RC(portcullis_verifier_verify(v, req, NULL, 0, &p, &den), PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    TEXT(portcullis_denial_challenge, den, text);
    CHECK(strstr(text, "Bearer realm=\"api\"") == text && strstr(text, ", DPoP realm=\"api\"") != NULL);
    CHECK(portcullis_denial_headers_len(den) == 1);
    size_t len = 0;
    RC(portcullis_denial_header_name(den, 0, (uint8_t *)text, sizeof text, &len), PORTCULLIS_OK);
    CHECK(len == strlen("DPoP-Nonce") && memcmp(text, "DPoP-Nonce", len) == 0);
    RC(portcullis_denial_header_value(den, 0, (uint8_t *)text, sizeof text, &len), PORTCULLIS_OK);
    CHECK(len >= 16);
    RC(portcullis_denial_header_value(den, 1, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_denial_header_name(NULL, 0, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(portcullis_denial_headers_len(NULL) == 0);
    portcullis_denial_free(den);
    portcullis_request_free(req);
    portcullis_verifier_free(v);

    /* Other methods have no metadata document and ask for no extra header. */
    RC(portcullis_verifier_new(S("{\"method\": \"jwt\", \"audiences\": [\"a\"], \"keys\": {\"static\": "
                                 "[{\"alg\": \"HS256\", \"secret\": \"secret:jwt\"}]}}"),
                               gate_options(), &v, NULL),
       PORTCULLIS_OK);
    RC(portcullis_verifier_resource_metadata(v, (uint8_t *)text, sizeof text, &len), PORTCULLIS_OK);
    CHECK(len == 0);
    req = gate_request("GET", "/", NULL);
    RC(portcullis_verifier_verify(v, req, NULL, 0, &p, &den), PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    CHECK(portcullis_denial_headers_len(den) == 0);
    portcullis_denial_free(den);
    portcullis_request_free(req);
    portcullis_verifier_free(v);
}

static void test_free_null_and_references(void) {
    portcullis_gate_options_free(NULL);
    portcullis_gate_free(NULL);
    portcullis_gate_decision_free(NULL);
    portcullis_verifier_free(NULL);
    CHECK(portcullis_gate_retain(NULL) == NULL);
    CHECK(portcullis_verifier_retain(NULL) == NULL);
    CHECK(!portcullis_gate_flush_audit(NULL, 0));
    uint64_t n = 0;
    RC(portcullis_gate_audit_stats(NULL, &n, NULL, NULL, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    /* A gate's references: the last free releases it. */
    portcullis_gate *g = gate_from(GATE_CONFIG);
    portcullis_gate *g2 = portcullis_gate_retain(g);
    CHECK(g2 == g);
    portcullis_gate_free(g);
    portcullis_gate_decision *d = gate_decide(g2, gate_request("GET", "/health", NULL));
    CHECK(portcullis_gate_decision_allowed(d));
    portcullis_gate_decision_free(d);
    /* Without audit: stats are zero and a flush is immediate. */
    uint64_t s = 9, dl = 9, dr = 9, f = 9;
    RC(portcullis_gate_audit_stats(g2, &s, &dl, &dr, &f), PORTCULLIS_OK);
    CHECK(s == 0 && dl == 0 && dr == 0 && f == 0);
    CHECK(portcullis_gate_flush_audit(g2, 0));
    portcullis_gate_free(g2);
}

void test_gate_rings_and_verifiers(void) {
    test_api_key_ring();
    test_schema();
    test_generic_verifier();
    test_oauth2_verifier();
    test_free_null_and_references();
}
