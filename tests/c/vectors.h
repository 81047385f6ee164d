/*
 * The C vector runner's types: one `vcase` per case of the tests/vectors files, written by
 * tests/c/gen_vectors.py into build/c/vectors_table.h. Shared by test_vectors.c (main, API
 * keys, Basic, the checks), vectors_sig.c (webhooks, PCS1 HMAC, RFC 9421), vectors_jwt.c
 * (JWT / JWS), vectors_gate.c (the gate) and vectors_dpop.c (DPoP proofs).
 */
#ifndef PORTCULLIS_TEST_VECTORS_H
#define PORTCULLIS_TEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include "portcullis.h"

typedef struct {
    const char *ptr;
    size_t len;
} vbytes;

typedef struct {
    vbytes name;
    vbytes value;
} vheader;

/* A request or a response (`present` 0: none). */
typedef struct {
    int present, is_response;
    vbytes method, target;
    int has_scheme;
    vbytes scheme;
    unsigned status;
    const vheader *headers;
    size_t n_headers;
    int has_body;
    vbytes body;
    int has_now; /* a verify_sequence step's own time */
    int64_t now;
} vmsg;

/* A key: an HMAC secret (raw bytes) or a PEM, with its id and algorithm name. */
typedef struct {
    vbytes keyid, alg;
    int is_secret;
    vbytes material;
} vkey;

/* A jwt.json key entry: kind 0 an HMAC secret (raw bytes), 1 a PEM, 2 one JWK, 3 a JWKS (JSON
   text); `alg` may be absent (NULL) for a JWK or JWKS; `kid` only when has_kid. */
enum { JWTK_SECRET = 0, JWTK_PEM = 1, JWTK_JWK = 2, JWTK_JWKS = 3 };
typedef struct {
    int kind;
    vbytes alg;
    int has_kid;
    vbytes kid;
    vbytes material;
} vjwtkey;

/* A jwks.json response: one path, its status, headers and body. */
typedef struct {
    vbytes path;
    unsigned status;
    const vheader *headers;
    size_t n_headers;
    vbytes body;
} vroute;

/* A gate.json request: the shared request form, the request's own time (in msg), the peer's
   address (ptr NULL: none), certificate chain (DER, leaf first) and the caller's required
   scopes, space-separated (ptr NULL: checked with portcullis_gate_check). */
typedef struct {
    vmsg msg;
    vbytes peer_address;
    const vbytes *certs;
    size_t n_certs;
    vbytes scopes;
} vgate_request;

/* A gate.json decision: allowed and status always; the rest only when has_<field>. */
typedef struct {
    int allowed;
    unsigned status;
    int has_route, route_null;
    vbytes route;
    int has_credential, credential_null;
    vbytes credential;
    int has_code, code_null;
    vbytes code;
    int has_subject;
    vbytes subject;
    int has_challenges;
    const vbytes *challenges;
    size_t n_challenges;
    int has_headers;
    const vheader *headers;
    size_t n_headers;
    int has_retry_after, retry_after_null;
    uint64_t retry_after;
    int has_problem, problem_null;
    vbytes problem; /* compact JSON, keys sorted */
} vgate_decision;

/* A gate.json case: the configuration text, the file's secrets and folder, and either the
   requests with their decisions (check) or the exact load error detail (load). */
typedef struct {
    vbytes config;
    int is_load;
    vbytes base_dir;
    const vheader *secrets;
    size_t n_secrets;
    const vgate_request *requests;
    size_t n_requests;
    const vgate_decision *decisions;
    size_t n_decisions;
    vbytes detail;
} vgate;

/* A dpop.json step (tests/vectors/DPOP.md): the op's inputs, and what it must give. */
typedef struct {
    vbytes op;
    vbytes proof, method, uri, access_token, origin, jwk; /* ptr NULL: absent */
    int64_t now;
    vmsg request;
    int expect_ok;
    vbytes error;
    vbytes want_thumbprint, want_jti, want_algorithm, want_algs;
    int64_t want_iat;
    int has_nonce; /* 0: the proof (or the verifier) has none */
    vbytes want_nonce;
} vdpop_step;

/* A dpop.json case: the DpopConfig JSON and its steps, run on one verifier. */
typedef struct {
    vbytes config;
    const vdpop_step *steps;
    size_t n_steps;
} vdpop;

typedef struct {
    vbytes id, kind, op;
    int64_t now;
    /* inputs */
    vbytes pepper;
    int has_config;
    vbytes config_json, config_env;
    vmsg request, response, related;
    vbytes scopes;
    const vbytes *records;
    size_t n_records;
    int has_record;
    vbytes record;
    vbytes key;    /* apikey: the key text */
    vbytes header; /* basic: the Authorization value; hmac: the Content-Digest value */
    int has_body;  /* webhook sign, content_digest(_verify) */
    vbytes body;
    vbytes scheme, secret, message_id, algorithm, signature_params;
    int64_t timestamp;
    int times; /* webhook `times`, httpsig `repeat`; 0 means 1 */
    vbytes key_bytes, data;
    int has_tag;
    vbytes tag;
    vbytes params_json, options_json, spec_json, sf_json;
    vkey signing_key;
    const vkey *keys;
    size_t n_keys;
    const vmsg *steps;
    size_t n_steps;
    /* jwt.json */
    const vjwtkey *jwt_keys;
    size_t n_jwt_keys;
    vjwtkey jwt_key;
    vbytes token, claims_json, header_json, jwk_json;
    const vbytes *revoked;
    size_t n_revoked;
    /* mtls/mtls.json: the peer chain (DER, leaf first), the peer address, one certificate */
    const vbytes *chain;
    size_t n_chain;
    vbytes peer_address, cert;
    /* jwks.json: the server's responses and the JWT policy ({{base}} replaced at run time) */
    const vroute *routes;
    size_t n_routes;
    vbytes jwt_config;
    /* expectations */
    int expect_ok;
    int has_requests;
    size_t want_requests;
    vbytes error;
    int has_challenge;
    vbytes challenge;
#define VTEXT(field)               \
    int has_##field, field##_null; \
    vbytes want_##field;
    VTEXT(subject)
    VTEXT(method)
    VTEXT(credential_id)
    VTEXT(environment)
    VTEXT(digest)
    VTEXT(user_id)
    VTEXT(password)
    VTEXT(value)
    VTEXT(algorithm)
    VTEXT(canonical)
    VTEXT(authorization)
    VTEXT(content_digest)
    VTEXT(base)
    VTEXT(signature_input)
    VTEXT(signature)
    VTEXT(alg)
    VTEXT(kid)
    VTEXT(token)
    VTEXT(thumbprint)
#undef VTEXT
    int has_scopes;
    vbytes want_scopes;
    int has_claims;
    vbytes want_claims;
    int has_expires_at, expires_at_null;
    int64_t want_expires_at;
    int has_payload;
    vbytes want_payload;
    int has_users;
    size_t want_users;
    int has_mac;
    vbytes want_mac;
    int has_valid;
    int has_headers;
    const vheader *want_headers;
    size_t n_want_headers;
    int has_results;
    const vbytes *want_results;
    size_t n_want_results;
    /* gate.json */
    const vgate *gate;
    /* dpop.json */
    const vdpop *dpop;
} vcase;

/* Everything one case may allocate; freed after the case whatever happened. */
typedef struct {
    portcullis_apikey_ring *ring;
    portcullis_basic_auth *auth;
    portcullis_request *req, *related;
    portcullis_response *resp;
    portcullis_apikey_record *record;
    portcullis_principal *principal;
    portcullis_denial *denial;
    portcullis_basic_credentials *credentials;
    portcullis_webhook_verifier *webhook;
    portcullis_webhook_signer *webhook_signer;
    portcullis_hmac_verifier *hmac;
    portcullis_hmac_signing_key *hmac_key;
    portcullis_httpsig_keyring *keyring;
    portcullis_httpsig_verifier *httpsig;
    portcullis_httpsig_signer *httpsig_signer;
    portcullis_headers *headers;
    portcullis_jwt_keyset *jwt_keys;
    portcullis_jwt_verifier *jwt;
    portcullis_jwt_key *jwt_key;
    portcullis_verified_jws *jws;
    portcullis_mtls_verifier *mtls;
    portcullis_jwks_client *jwks;
    struct http_server *server;
    /* webhook verify: run through portcullis_webhook_verifier_verify_payload (body and header
       fields, no request) instead of portcullis_webhook_verifier_verify. */
    int via_payload;
    /* Set (with fail()) when a runner found a mismatch its result code cannot carry. */
    int broken;
    char digest[256];
    size_t digest_len;
    size_t users;
    /* One text or byte output (a MAC, a digest value, a canonical string, a base). */
    char *out;
    size_t out_len;
    /* verify_sequence: the result name of each step. */
    const char *results[64];
    size_t n_results;
} run_state;

#define U8(v) ((const uint8_t *)(v).ptr), ((v).len)

/* Builds a request from `m` at time `now` (scheme and body when the vector has them). */
portcullis_result build_request(const vmsg *m, int64_t now, portcullis_request **out);
/* Builds a response from `m` at time `now`. */
portcullis_result build_response(const vmsg *m, int64_t now, portcullis_response **out);
/* Frees the previous principal and denial of a repeated verify. */
void drop_outcome(run_state *s);

portcullis_result run_webhook(const vcase *c, run_state *s);
/* A case run_webhook also runs through verify_payload: op verify with a request body. */
int webhook_has_payload(const vcase *c);
portcullis_result run_hmac(const vcase *c, run_state *s);
portcullis_result run_httpsig(const vcase *c, run_state *s);
void cleanup_sig(run_state *s);
portcullis_result run_jwt(const vcase *c, run_state *s);
/* Checks the outputs of the jwt ops other than verify (a verified JWS, a token, a thumbprint). */
int check_jwt_outputs(const vcase *c, const run_state *s);
void cleanup_jwt(run_state *s);
portcullis_result run_mtls(const vcase *c, run_state *s);
void cleanup_mtls(run_state *s);
portcullis_result run_jwks(const vcase *c, run_state *s);
void cleanup_jwks(run_state *s);
/* A gate.json case: builds the gate, checks every request and compares every decision (a
   mismatch sets s->broken); a load case leaves its error denial in s->denial. */
portcullis_result run_gate(const vcase *c, run_state *s);

/* A dpop.json case: one verifier from the case's configuration, every step run on it and
   compared (a mismatch sets s->broken); the result is PORTCULLIS_OK. */
portcullis_result run_dpop(const vcase *c, run_state *s);
/* Records why a case failed; returns 0. */
int fail(const char *fmt, ...);
int same(const char *got, size_t got_len, vbytes want);
int is(vbytes v, const char *text);

#endif
