/*
 * The gate and the generic verifier through the C API: loading with and without options, load
 * errors with their path, line and column, every decision accessor on allowed and refused
 * requests (buffer sizes, NULL handles, indexes past the end), rate limits, reload (text and
 * file, failed ones keep the running configuration) and options consumed by failing calls. The
 * shared API key ring, the generic verifier, the schema and _free(NULL) are in
 * test_gate_verifier.c; threads and audit in test_gate_threads.c.
 */
#include <stdlib.h>
#include <unistd.h>

#include "gate_fixtures.h"

portcullis_gate_options *gate_options(void) {
    portcullis_gate_options *o = NULL;
    if (portcullis_gate_options_new(&o) != PORTCULLIS_OK)
        return NULL;
    if (portcullis_gate_options_add_secret(o, S("jwt"), S(JWT_SECRET)) != PORTCULLIS_OK ||
        portcullis_gate_options_add_secret(o, S("pepper"), S(GATE_PEPPER)) != PORTCULLIS_OK ||
        portcullis_gate_options_add_secret(o, S("whsec"), S(WEBHOOK_SECRET)) != PORTCULLIS_OK) {
        portcullis_gate_options_free(o);
        return NULL;
    }
    return o;
}

portcullis_gate *gate_from(const char *config) {
    portcullis_gate *g = NULL;
    portcullis_denial *err = NULL;
    portcullis_result rc = portcullis_gate_new(S(config), gate_options(), &g, &err);
    if (rc != PORTCULLIS_OK) {
        char detail[1024] = "";
        size_t len = 0;
        portcullis_denial_detail(err, (uint8_t *)detail, sizeof detail, &len);
        printf("FAIL %s:%d: gate_from: %s: %s\n", __FILE__, __LINE__, portcullis_result_name(rc),
               detail);
        checks_failed++;
    }
    portcullis_denial_free(err);
    return g;
}

portcullis_request *gate_request(const char *method, const char *path, const char *authorization) {
    portcullis_request *req = NULL;
    if (portcullis_request_new(S(method), S(path), &req) != PORTCULLIS_OK)
        return NULL;
    if ((authorization != NULL &&
         portcullis_request_add_header(req, S("Authorization"), S(authorization)) != PORTCULLIS_OK) ||
        portcullis_request_set_now(req, NOW) != PORTCULLIS_OK) {
        portcullis_request_free(req);
        return NULL;
    }
    return req;
}

int gate_token(const char *sub, const char *scope, char *out, size_t cap) {
    char claims[512];
    snprintf(claims, sizeof claims,
             "{\"sub\":\"%s\",\"iss\":\"https://issuer.test\",\"aud\":\"orders-api\",\"iat\":%lld,"
             "\"exp\":%lld,\"scope\":\"%s\"}",
             sub, NOW, NOW + 600, scope);
    portcullis_jwt_key *key = jwt_hs256("");
    char token[1024];
    int ok = key != NULL && jwt_sign(claims, key, "", token, sizeof token) == PORTCULLIS_OK;
    portcullis_jwt_key_free(key);
    if (ok)
        ok = snprintf(out, cap, "Bearer %s", token) < (int)cap;
    return ok;
}

portcullis_gate_decision *gate_decide(const portcullis_gate *g, portcullis_request *req) {
    portcullis_gate_decision *d = NULL;
    if (portcullis_gate_check(g, req, &d) != PORTCULLIS_OK)
        d = NULL;
    portcullis_request_free(req);
    return d;
}

/* The header fields of `d` as "Name: value\n" lines. */
static void header_lines(const portcullis_gate_decision *d, char *out, size_t cap) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < portcullis_gate_decision_headers_len(d); i++) {
        char name[64], value[512];
        size_t n = 0, v = 0;
        RC(portcullis_gate_decision_header_name(d, i, (uint8_t *)name, sizeof name, &n), PORTCULLIS_OK);
        RC(portcullis_gate_decision_header_value(d, i, (uint8_t *)value, sizeof value, &v), PORTCULLIS_OK);
        int w = snprintf(out + used, cap - used, "%s: %s\n", name, value);
        CHECK(w > 0 && (size_t)w < cap - used);
        if (w <= 0 || (size_t)w >= cap - used)
            return;
        used += (size_t)w;
    }
}

/* Loads `config` without options and returns the result; `detail` receives the denial's. */
static portcullis_result load_error(const char *config, portcullis_gate_options *o, char *detail,
                                    size_t cap) {
    portcullis_gate *g = SENTINEL;
    portcullis_denial *err = NULL;
    portcullis_result rc = portcullis_gate_new(S(config), o, &g, &err);
    CHECK(g == SENTINEL);
    CHECK(err != NULL && portcullis_denial_code(err) == rc);
    size_t len = 0;
    detail[0] = '\0';
    RC(portcullis_denial_detail(err, (uint8_t *)detail, cap, &len), PORTCULLIS_OK);
    portcullis_denial_free(err);
    return rc;
}

static void test_load(void) {
    /* Without options: a configuration needing no secret. */
    const char *plain = "[credentials.ops]\nmethod = \"basic\"\nusers = {}\n"
                        "[[routes]]\npath = \"/health\"\nrequire = { anonymous = true }\n";
    portcullis_gate *g = NULL;
    RC(portcullis_gate_new(S(plain), NULL, &g, NULL), PORTCULLIS_OK);
    portcullis_gate_decision *d = gate_decide(g, gate_request("GET", "/health", NULL));
    CHECK(d != NULL && portcullis_gate_decision_allowed(d) && portcullis_gate_decision_anonymous(d));
    char text[4096];
    TEXT(portcullis_gate_decision_route, d, text);
    CHECK(strcmp(text, "* /health") == 0); /* the default name: methods and path */
    portcullis_gate_decision_free(d);
    portcullis_gate_free(g);

    /* The same in JSON, with leading blanks. */
    g = NULL;
    RC(portcullis_gate_new(S("  \n{\"credentials\": {}, \"routes\": [{\"path\": \"/a\", "
                             "\"require\": {\"anonymous\": true}}]}"),
                           NULL, &g, NULL),
       PORTCULLIS_OK);
    portcullis_gate_free(g);

    /* A secret the options do not hold, then the same with them. */
    char detail[1024];
    RC(load_error(GATE_CONFIG, NULL, detail, sizeof detail), PORTCULLIS_RESULT_CONFIG_INVALID);
    /* Credentials load in name order: `hooks` is the first to miss its secret. */
    CHECK(strcmp(detail, "credentials.hooks.secrets[0]: no secret named \"whsec\" was supplied at "
                         "load (line 22, column 12)") == 0);
    g = gate_from(GATE_CONFIG);
    CHECK(g != NULL);
    portcullis_gate_free(g);

    /* Errors name the path, line and column; no secret appears. */
    RC(load_error("[credentials.x]\nmethod = \"jwk\"\n[[routes]]\npath = \"/a\"\nrequire = \"x\"\n",
                  NULL, detail, sizeof detail),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    CHECK(strncmp(detail, "credentials.x.method: unknown method \"jwk\"", 42) == 0);
    CHECK(strstr(detail, "(line 2, column 10)") != NULL);
    RC(load_error(GATE_CREDENTIALS "[[routes]]\npath = \"/a\"\n"
                                   "require = { any_of = [\"tokens\", \"jwt-prod\"] }\n",
                  gate_options(), detail, sizeof detail),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    CHECK(strcmp(detail, "routes[0].require.any_of[1]: unknown credential \"jwt-prod\" "
                         "(line 26, column 33)") == 0);
    RC(load_error("[credentials.w]\nmethod = \"webhook\"\nsecrets = [\"" WEBHOOK_SECRET "\"]\n"
                  "[[routes]]\npath = \"/a\"\nrequire = \"w\"\n",
                  NULL, detail, sizeof detail),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    CHECK(strncmp(detail, "credentials.w.secrets[0]: a secret cannot be written", 52) == 0);
    CHECK(strstr(detail, "MfKQ") == NULL);
    RC(load_error("{\"routes\": [", NULL, detail, sizeof detail), PORTCULLIS_RESULT_JSON_INVALID);
    CHECK(strstr(detail, "(line 1, column ") != NULL);
    RC(load_error("routes = [", NULL, detail, sizeof detail), PORTCULLIS_RESULT_CONFIG_INVALID);
    CHECK(strstr(detail, "line 1") != NULL);
    /* A short JWT secret keeps the method's own code. */
    portcullis_gate_options *o = NULL;
    RC(portcullis_gate_options_new(&o), PORTCULLIS_OK);
    RC(portcullis_gate_options_add_secret(o, S("jwt"), S("short")), PORTCULLIS_OK);
    RC(load_error("[credentials.t]\nmethod = \"jwt\"\n"
                  "keys = { static = [{ alg = \"HS256\", secret = \"secret:jwt\" }] }\n"
                  "[[routes]]\npath = \"/a\"\nrequire = \"t\"\n",
                  o, detail, sizeof detail),
       PORTCULLIS_RESULT_JWT_KEY_INVALID);
    CHECK(strncmp(detail, "credentials.t.keys.static[0]", 28) == 0);

    /* out_error NULL: the code alone; every usage error is a code and a denial too. */
    g = SENTINEL;
    RC(portcullis_gate_new(S("routes = 1"), NULL, &g, NULL), PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_gate_new((const uint8_t *)"\xff", 1, NULL, &g, NULL), PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_gate_new(NULL, 3, NULL, &g, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(g == SENTINEL);
    portcullis_denial *err = NULL;
    /* The options are consumed even when `out` is NULL (LeakSanitizer would see them). */
    RC(portcullis_gate_new(S(plain), gate_options(), NULL, &err), PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(err != NULL && portcullis_denial_code(err) == PORTCULLIS_RESULT_NULL_POINTER);
    portcullis_denial_free(err);
    RC(portcullis_gate_from_file(S("/nonexistent/gate.toml"), gate_options(), &g, NULL),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_gate_from_file(NULL, 0, gate_options(), &g, NULL), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    CHECK(g == SENTINEL);

    /* Options' own errors. */
    RC(portcullis_gate_options_new(NULL), PORTCULLIS_RESULT_NULL_POINTER);
    o = NULL;
    RC(portcullis_gate_options_new(&o), PORTCULLIS_OK);
    RC(portcullis_gate_options_add_secret(NULL, S("a"), S("b")), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_options_add_secret(o, (const uint8_t *)"\xff", 1, S("b")), PORTCULLIS_RESULT_INVALID_UTF8);
    RC(portcullis_gate_options_add_secret(o, S("a"), NULL, 2), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_options_set_base_dir(o, NULL, 0), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_gate_options_set_base_dir(NULL, S("/tmp")), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_options_set_audit(o, NULL, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_options_set_audit(NULL, NULL, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    portcullis_gate_options_free(o);
}

static void test_decisions(void) {
    portcullis_gate *g = gate_from(GATE_CONFIG);
    char auth[1200], text[4096], lines[4096];
    size_t len = 0;

    /* Allowed: a JWT with the route's scope. */
    CHECK(gate_token("alice", "orders:read", auth, sizeof auth));
    portcullis_gate_decision *d = gate_decide(g, gate_request("GET", "/orders/7", auth));
    CHECK(portcullis_gate_decision_allowed(d) && !portcullis_gate_decision_anonymous(d));
    CHECK(portcullis_gate_decision_status(d) == 200);
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_OK);
    TEXT(portcullis_gate_decision_route, d, text);
    CHECK(strcmp(text, "orders") == 0);
    TEXT(portcullis_gate_decision_credential, d, text);
    CHECK(strcmp(text, "tokens") == 0);
    CHECK(portcullis_gate_decision_params_len(d) == 1);
    TEXT_ARGS(portcullis_gate_decision_param_name, text, d, 0);
    CHECK(strcmp(text, "id") == 0);
    TEXT_ARGS(portcullis_gate_decision_param_value, text, d, 0);
    CHECK(strcmp(text, "7") == 0);
    CHECK(portcullis_gate_decision_satisfied_len(d) == 1);
    TEXT_ARGS(portcullis_gate_decision_satisfied, text, d, 0);
    CHECK(strcmp(text, "tokens") == 0);
    CHECK(portcullis_gate_decision_challenges_len(d) == 0);
    CHECK(portcullis_gate_decision_headers_len(d) == 0);
    TEXT(portcullis_gate_decision_problem_json, d, text);
    CHECK(text[0] == '\0');
    portcullis_principal *p = SENTINEL;
    RC(portcullis_gate_decision_principal(d, &p), PORTCULLIS_OK);
    CHECK(p != NULL && p != SENTINEL);
    TEXT(portcullis_principal_subject, p, text);
    CHECK(strcmp(text, "alice") == 0);
    CHECK(portcullis_principal_method(p) == 3);
    portcullis_principal_free(p);
    portcullis_denial *den = SENTINEL;
    RC(portcullis_gate_decision_denial(d, &den), PORTCULLIS_OK);
    CHECK(den == NULL);
    uint64_t retry = 7;
    bool has_retry = true;
    RC(portcullis_gate_decision_retry_after(d, &retry, &has_retry), PORTCULLIS_OK);
    CHECK(!has_retry && retry == 0);
    TEXT(portcullis_gate_decision_json, d, text);
    CHECK(strstr(text, "\"allowed\":true") != NULL && strstr(text, "\"subject\":\"alice\"") != NULL);
    CHECK(strstr(text, "\"params\":{\"id\":\"7\"}") != NULL);
    CHECK(strstr(text, auth + 7) == NULL); /* never the token */
    /* Buffers: too small reports the size and leaves the buffer alone. */
    memset(text, 'Z', 8);
    RC(portcullis_gate_decision_route(d, (uint8_t *)text, 3, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == 6 && text[0] == 'Z' && text[2] == 'Z');
    RC(portcullis_gate_decision_route(d, (uint8_t *)text, 6, &len), PORTCULLIS_OK);
    CHECK(len == 6 && memcmp(text, "orders", 6) == 0 && text[6] == 'Z');
    RC(portcullis_gate_decision_route(d, NULL, 4, &len), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_decision_route(d, (uint8_t *)text, sizeof text, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_decision_param_name(d, 1, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_gate_decision_header_name(d, 0, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_gate_decision_challenge(d, 0, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_INVALID_ARGUMENT);
    RC(portcullis_gate_decision_satisfied(d, 1, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_INVALID_ARGUMENT);
    portcullis_gate_decision_free(d);

    /* Refused: no credential. Every challenge of the route, the problem body. */
    d = gate_decide(g, gate_request("GET", "/orders/7", NULL));
    CHECK(!portcullis_gate_decision_allowed(d) && !portcullis_gate_decision_anonymous(d));
    CHECK(portcullis_gate_decision_status(d) == 401);
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    TEXT(portcullis_gate_decision_route, d, text);
    CHECK(strcmp(text, "orders") == 0);
    TEXT(portcullis_gate_decision_credential, d, text);
    CHECK(text[0] == '\0');
    CHECK(portcullis_gate_decision_satisfied_len(d) == 0);
    CHECK(portcullis_gate_decision_challenges_len(d) == 2);
    TEXT_ARGS(portcullis_gate_decision_challenge, text, d, 0);
    CHECK(strcmp(text, "Bearer realm=\"api\"") == 0);
    TEXT_ARGS(portcullis_gate_decision_challenge, text, d, 1);
    CHECK(strcmp(text, "Bearer realm=\"keys\"") == 0);
    header_lines(d, lines, sizeof lines);
    CHECK(strcmp(lines, "WWW-Authenticate: Bearer realm=\"api\"\n"
                        "WWW-Authenticate: Bearer realm=\"keys\"\n"
                        "Content-Type: application/problem+json\n") == 0);
    TEXT(portcullis_gate_decision_problem_json, d, text);
    CHECK(strcmp(text, "{\"type\":\"urn:portcullis:error:credentials_missing\",\"title\":"
                       "\"Authentication required.\",\"status\":401,\"code\":"
                       "\"credentials_missing\"}") == 0);
    p = SENTINEL;
    RC(portcullis_gate_decision_principal(d, &p), PORTCULLIS_OK);
    CHECK(p == NULL);
    den = NULL;
    RC(portcullis_gate_decision_denial(d, &den), PORTCULLIS_OK);
    CHECK(den != NULL && portcullis_denial_code(den) == PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    CHECK(portcullis_denial_http_status(den) == 401);
    portcullis_denial_free(den);
    TEXT(portcullis_gate_decision_json, d, text);
    CHECK(strstr(text, "\"allowed\":false") != NULL && strstr(text, "\"principal\":null") != NULL);
    /* A header pair read with too small buffers: each reports its size. */
    RC(portcullis_gate_decision_header_name(d, 2, NULL, 0, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == strlen("Content-Type"));
    RC(portcullis_gate_decision_header_value(d, 2, NULL, 0, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == strlen("application/problem+json"));
    portcullis_gate_decision_free(d);

    /* Insufficient scope: 403 with the scope challenge. */
    CHECK(gate_token("alice", "other", auth, sizeof auth));
    d = gate_decide(g, gate_request("GET", "/orders/7", auth));
    CHECK(portcullis_gate_decision_status(d) == 403);
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_SCOPE_INSUFFICIENT);
    TEXT_ARGS(portcullis_gate_decision_challenge, text, d, 0);
    CHECK(strstr(text, "insufficient_scope") != NULL);
    portcullis_gate_decision_free(d);

    /* No route: 403, no route name; a path that normalizes ambiguously: 400. */
    d = gate_decide(g, gate_request("DELETE", "/orders/7", NULL));
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_ROUTE_UNMATCHED);
    CHECK(portcullis_gate_decision_status(d) == 403);
    TEXT(portcullis_gate_decision_route, d, text);
    CHECK(text[0] == '\0');
    portcullis_gate_decision_free(d);
    d = gate_decide(g, gate_request("GET", "/orders/../admin", NULL));
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_REQUEST_INVALID);
    CHECK(portcullis_gate_decision_status(d) == 400);
    portcullis_gate_decision_free(d);

    /* Basic on its own route; the webhook route with a signed delivery. */
    d = gate_decide(g, gate_request("GET", "/ops", "Basic Ym9iOmh1bnRlcjI=")); /* bob:hunter2 */
    CHECK(portcullis_gate_decision_allowed(d));
    TEXT(portcullis_gate_decision_credential, d, text);
    CHECK(strcmp(text, "ops") == 0);
    portcullis_gate_decision_free(d);
    d = gate_decide(g, gate_request("GET", "/ops", "Basic Ym9iOndyb25n")); /* bob:wrong */
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_BASIC_INVALID_CREDENTIALS);
    TEXT_ARGS(portcullis_gate_decision_challenge, text, d, 0);
    CHECK(strcmp(text, "Basic realm=\"ops\", charset=\"UTF-8\"") == 0);
    portcullis_gate_decision_free(d);
    portcullis_webhook_signer *signer = NULL;
    RC(portcullis_webhook_signer_new(S("standard"), S(WEBHOOK_SECRET), &signer), PORTCULLIS_OK);
    d = gate_decide(g, signed_webhook(signer, "msg_gate_1", "{\"a\":1}", NOW));
    CHECK(portcullis_gate_decision_allowed(d));
    portcullis_gate_decision_free(d);
    d = gate_decide(g, signed_webhook(signer, "msg_gate_1", "{\"a\":1}", NOW));
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
    portcullis_gate_decision_free(d);
    portcullis_webhook_signer_free(signer);

    /* A principal rate limit: two, then 429 with Retry-After. */
    CHECK(gate_token("carol", "", auth, sizeof auth));
    for (int i = 0; i < 2; i++) {
        d = gate_decide(g, gate_request("GET", "/limited", auth));
        CHECK(portcullis_gate_decision_allowed(d));
        if (i == 0) {
            header_lines(d, lines, sizeof lines);
            CHECK(strcmp(lines, "RateLimit-Policy: \"two\";q=2;w=60\nRateLimit: \"two\";r=1;t=30\n") == 0);
        }
        portcullis_gate_decision_free(d);
    }
    d = gate_decide(g, gate_request("GET", "/limited", auth));
    CHECK(portcullis_gate_decision_status(d) == 429);
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_RATE_LIMITED);
    RC(portcullis_gate_decision_retry_after(d, &retry, &has_retry), PORTCULLIS_OK);
    CHECK(has_retry && retry == 30);
    RC(portcullis_gate_decision_retry_after(d, NULL, &has_retry), PORTCULLIS_RESULT_NULL_POINTER);
    portcullis_gate_decision_free(d);

    /* NULL handles. */
    portcullis_request *req = gate_request("GET", "/health", NULL);
    d = SENTINEL;
    RC(portcullis_gate_check(NULL, req, &d), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_check(g, NULL, &d), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_check(g, req, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(d == SENTINEL);
    portcullis_request_free(req);
    CHECK(!portcullis_gate_decision_allowed(NULL) && !portcullis_gate_decision_anonymous(NULL));
    CHECK(portcullis_gate_decision_status(NULL) == 0);
    CHECK(portcullis_gate_decision_code(NULL) == PORTCULLIS_RESULT_NULL_POINTER);
    CHECK(portcullis_gate_decision_headers_len(NULL) == 0);
    CHECK(portcullis_gate_decision_challenges_len(NULL) == 0);
    CHECK(portcullis_gate_decision_params_len(NULL) == 0);
    CHECK(portcullis_gate_decision_satisfied_len(NULL) == 0);
    RC(portcullis_gate_decision_route(NULL, (uint8_t *)text, sizeof text, &len), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_decision_json(NULL, (uint8_t *)text, sizeof text, &len), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_decision_header_value(NULL, 0, (uint8_t *)text, sizeof text, &len),
       PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_decision_principal(NULL, &p), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_decision_denial(NULL, &den), PORTCULLIS_RESULT_NULL_POINTER);
    portcullis_gate_free(g);
}

/* Writes `text` to a new file under a fresh temporary folder; the path goes to `path`. */
static int write_temp(char *dir, const char *name, const char *text, char *path, size_t cap) {
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return 0;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

static void test_reload(void) {
    portcullis_gate *g = gate_from(GATE_CONFIG);
    char auth[1200], text[256];
    CHECK(gate_token("dave", "", auth, sizeof auth));
    portcullis_gate_decision *d = gate_decide(g, gate_request("GET", "/limited", auth));
    CHECK(portcullis_gate_decision_allowed(d));
    portcullis_gate_decision_free(d);

    /* Without the limited route: it is gone, the others stay. */
    portcullis_denial *err = SENTINEL;
    RC(portcullis_gate_reload(g, S(GATE_CREDENTIALS GATE_ROUTES), &err), PORTCULLIS_OK);
    CHECK(err == SENTINEL);
    d = gate_decide(g, gate_request("GET", "/limited", auth));
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_ROUTE_UNMATCHED);
    portcullis_gate_decision_free(d);

    /* A failed reload reports its error and keeps the running configuration. */
    RC(portcullis_gate_reload(g, S(GATE_CREDENTIALS "[[routes]]\npath = \"/x\"\nrequire = \"nope\"\n"), &err),
       PORTCULLIS_RESULT_CONFIG_INVALID);
    CHECK(err != NULL && err != SENTINEL);
    size_t len = 0;
    char detail[512];
    RC(portcullis_denial_detail(err, (uint8_t *)detail, sizeof detail, &len), PORTCULLIS_OK);
    CHECK(strcmp(detail, "routes[0].require: unknown credential \"nope\" (line 26, column 11)") == 0);
    portcullis_denial_free(err);
    RC(portcullis_gate_reload(g, S("{"), NULL), PORTCULLIS_RESULT_JSON_INVALID);
    RC(portcullis_gate_reload(NULL, S(GATE_CONFIG), NULL), PORTCULLIS_RESULT_NULL_POINTER);
    d = gate_decide(g, gate_request("GET", "/health", NULL));
    CHECK(portcullis_gate_decision_allowed(d));
    portcullis_gate_decision_free(d);

    /* From files, with a `file:` pepper relative to the options' base folder. */
    char dir[] = "/tmp/portcullis-gate-XXXXXX", path[512], pepper_path[512], cfg[8192];
    CHECK(mkdtemp(dir) != NULL);
    CHECK(write_temp(dir, "pepper.txt", GATE_PEPPER, pepper_path, sizeof pepper_path));
    snprintf(cfg, sizeof cfg, "%s",
             "[credentials.keys]\nmethod = \"api_key\"\npepper = \"file:pepper.txt\"\n"
             "[[routes]]\nname = \"k\"\npath = \"/k\"\nrequire = \"keys\"\n");
    CHECK(write_temp(dir, "gate.toml", cfg, path, sizeof path));
    portcullis_gate *fg = NULL;
    RC(portcullis_gate_from_file(S(path), NULL, &fg, NULL), PORTCULLIS_OK); /* the file's folder */
    portcullis_gate_options *o = NULL;
    RC(portcullis_gate_options_new(&o), PORTCULLIS_OK);
    RC(portcullis_gate_options_set_base_dir(o, S("/nonexistent")), PORTCULLIS_OK);
    portcullis_gate *bad = SENTINEL;
    RC(portcullis_gate_from_file(S(path), o, &bad, &err), PORTCULLIS_RESULT_CONFIG_INVALID);
    CHECK(bad == SENTINEL);
    RC(portcullis_denial_detail(err, (uint8_t *)detail, sizeof detail, &len), PORTCULLIS_OK);
    CHECK(strncmp(detail, "credentials.keys.pepper: ", 25) == 0);
    portcullis_denial_free(err);
    portcullis_gate_free(fg);
    o = NULL;
    RC(portcullis_gate_options_new(&o), PORTCULLIS_OK);
    RC(portcullis_gate_options_set_base_dir(o, S(dir)), PORTCULLIS_OK);
    fg = NULL;
    RC(portcullis_gate_new(S(cfg), o, &fg, NULL), PORTCULLIS_OK);
    /* reload_file: a JSON file by its extension, then a missing one. */
    char json_path[512];
    CHECK(write_temp(dir, "gate.json",
                     "{\"credentials\": {\"keys\": {\"method\": \"api_key\", \"pepper\": "
                     "\"file:pepper.txt\"}}, \"routes\": [{\"name\": \"j\", \"path\": \"/j\", "
                     "\"require\": \"keys\"}]}",
                     json_path, sizeof json_path));
    RC(portcullis_gate_reload_file(fg, S(json_path), NULL), PORTCULLIS_OK);
    d = gate_decide(fg, gate_request("GET", "/j", NULL));
    TEXT(portcullis_gate_decision_route, d, text);
    CHECK(strcmp(text, "j") == 0);
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    portcullis_gate_decision_free(d);
    strcat(json_path, ".missing");
    RC(portcullis_gate_reload_file(fg, S(json_path), NULL), PORTCULLIS_RESULT_CONFIG_INVALID);
    RC(portcullis_gate_reload_file(fg, NULL, 0, NULL), PORTCULLIS_RESULT_INVALID_ARGUMENT);
    d = gate_decide(fg, gate_request("GET", "/j", NULL));
    TEXT(portcullis_gate_decision_route, d, text);
    CHECK(strcmp(text, "j") == 0);
    portcullis_gate_decision_free(d);
    portcullis_gate_free(fg);
    CHECK(unlink(pepper_path) == 0);
    CHECK(unlink(path) == 0);
    json_path[strlen(json_path) - strlen(".missing")] = '\0';
    CHECK(unlink(json_path) == 0);
    CHECK(rmdir(dir) == 0);
    portcullis_gate_free(g);
}

/* The caller's scopes join the route's; may_block tells a slow gate from a fast one. */
static void test_scoped_and_may_block(void) {
    portcullis_gate *g = gate_from(GATE_CONFIG);
    char auth[1200], text[512];
    CHECK(gate_token("alice", "orders:read orders:audit", auth, sizeof auth));
    portcullis_request *req = gate_request("GET", "/orders/7", auth);
    portcullis_gate_decision *d = NULL;
    RC(portcullis_gate_check_scoped(g, req, S("orders:audit"), &d), PORTCULLIS_OK);
    CHECK(portcullis_gate_decision_allowed(d));
    portcullis_gate_decision_free(d);
    d = NULL;
    RC(portcullis_gate_check_scoped(g, req, S(" orders:audit  orders:export "), &d), PORTCULLIS_OK);
    CHECK(portcullis_gate_decision_status(d) == 403);
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_SCOPE_INSUFFICIENT);
    TEXT_ARGS(portcullis_gate_decision_challenge, text, d, 0);
    CHECK(strstr(text, "scope=\"orders:read orders:audit orders:export\"") != NULL);
    portcullis_gate_decision_free(d);
    d = NULL;
    RC(portcullis_gate_check_scoped(g, req, NULL, 0, &d), PORTCULLIS_OK); /* none: check */
    CHECK(portcullis_gate_decision_allowed(d));
    portcullis_gate_decision_free(d);
    d = SENTINEL;
    RC(portcullis_gate_check_scoped(g, req, (const uint8_t *)"\xff", 1, &d), PORTCULLIS_RESULT_INVALID_UTF8);
    CHECK(d == SENTINEL);
    RC(portcullis_gate_check_scoped(NULL, req, S("x"), &d), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_check_scoped(g, NULL, S("x"), &d), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_check_scoped(g, req, S("x"), NULL), PORTCULLIS_RESULT_NULL_POINTER);
    portcullis_request_free(req);

    /* An anonymous route cannot grant the scopes a caller asks for. */
    d = NULL;
    req = gate_request("GET", "/health", NULL);
    RC(portcullis_gate_check_scoped(g, req, S("x"), &d), PORTCULLIS_OK);
    CHECK(portcullis_gate_decision_code(d) == PORTCULLIS_RESULT_SCOPE_INSUFFICIENT);
    portcullis_gate_decision_free(d);
    portcullis_request_free(req);

    bool slow = false;
    RC(portcullis_gate_may_block(g, &slow), PORTCULLIS_OK);
    CHECK(slow); /* the `ops` credential hashes passwords */
    RC(portcullis_gate_may_block(g, NULL), PORTCULLIS_RESULT_NULL_POINTER);
    RC(portcullis_gate_may_block(NULL, &slow), PORTCULLIS_RESULT_NULL_POINTER);
    portcullis_gate_free(g);
    portcullis_gate *fast = gate_from("[credentials.tokens]\nmethod = \"jwt\"\n"
                                      "keys = { static = [{ alg = \"HS256\", secret = \"secret:jwt\" }] }\n"
                                      "[[routes]]\npath = \"/x\"\nrequire = \"tokens\"\n");
    RC(portcullis_gate_may_block(fast, &slow), PORTCULLIS_OK);
    CHECK(!slow);
    portcullis_gate_free(fast);
}

void test_gate(void) {
    test_load();
    test_decisions();
    test_reload();
    test_scoped_and_may_block();
    test_gate_rings_and_verifiers();
}
