/*
 * portcullis_webhook_verifier_verify_payload (a webhook from its body and header fields, no
 * request) and the scheme's header names: the happy path for every scheme, replays shared with
 * portcullis_webhook_verifier_verify, and the edges: NULL for every pointer, counts past the
 * limit (refused before the array is read: ASan checks), non-UTF-8 names, CR/LF in a read
 * value, a repeated field, oversize values and bodies, the system clock when has_now is false,
 * the header name accessor and its buffer convention.
 */
#include <stdlib.h>

#include "signatures.h"

#define NP PORTCULLIS_RESULT_NULL_POINTER
#define FIELD(n, v) \
    ((portcullis_header_field){(const uint8_t *)(n), strlen(n), (const uint8_t *)(v), strlen(v)})
#define OLD 1000000000LL /* 2001: long past, whatever the machine's clock says */

int sign_payload(portcullis_webhook_signer *signer, const char *message_id, const char *body,
                 int64_t now, webhook_payload *out) {
    portcullis_headers *h = NULL;
    portcullis_result rc = portcullis_webhook_signer_sign(signer, S(message_id), now, S(body), &h);
    size_t n = rc == PORTCULLIS_OK ? portcullis_headers_len(h) : 0;
    if (n > PAYLOAD_FIELDS)
        rc = PORTCULLIS_RESULT_INTERNAL;
    out->count = 0;
    out->body = body;
    for (size_t i = 0; rc == PORTCULLIS_OK && i < n; i++) {
        size_t name_len = 0, value_len = 0;
        rc = portcullis_headers_name(h, i, (uint8_t *)out->names[i], sizeof out->names[i], &name_len);
        if (rc == PORTCULLIS_OK)
            rc = portcullis_headers_value(h, i, (uint8_t *)out->values[i], sizeof out->values[i],
                                          &value_len);
        out->fields[i] = (portcullis_header_field){(const uint8_t *)out->names[i], name_len,
                                                   (const uint8_t *)out->values[i], value_len};
        out->count = i + 1;
    }
    portcullis_headers_free(h);
    return rc == PORTCULLIS_OK;
}

portcullis_result verify_payload(portcullis_webhook_verifier *v, const webhook_payload *w,
                                 int64_t now) {
    portcullis_principal *p = NULL;
    portcullis_result rc = portcullis_webhook_verifier_verify_payload(
        v, S(w->body), w->fields, w->count, now, true, &p, NULL);
    portcullis_principal_free(p);
    return rc;
}

/* Every scheme: signed fields pass, the principal is the request path's, the names listed. */
static void test_payload_schemes(void) {
    static const struct {
        const char *scheme, *secret, *id;
        size_t names;
        const char *first_name;
    } schemes[] = {
        {"standard", WEBHOOK_SECRET, "msg_1", 4, "webhook-id"},
        {"stripe", "whsec_0123456789abcdef0123456789abcdef", "", 2, "stripe-signature"},
        {"github", "github-secret-0123456789abcdef-0123", "delivery-1", 4, "x-hub-signature-256"},
        {"slack", "slack-secret-0123456789abcdef-01234", "", 3, "x-slack-request-timestamp"},
    };
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        char config[256], name[64], text[256];
        snprintf(config, sizeof config, "{\"scheme\":\"%s\",\"secrets\":[\"%s\"]}",
                 schemes[i].scheme, schemes[i].secret);
        portcullis_webhook_verifier *v = NULL;
        portcullis_webhook_signer *signer = NULL;
        RC(portcullis_webhook_verifier_new(S(config), &v), PORTCULLIS_OK);
        RC(portcullis_webhook_signer_new(S(schemes[i].scheme), S(schemes[i].secret), &signer),
           PORTCULLIS_OK);
        CHECK(portcullis_webhook_verifier_header_names_len(v) == schemes[i].names);
        TEXT_ARGS(portcullis_webhook_verifier_header_name, name, v, 0);
        CHECK(strcmp(name, schemes[i].first_name) == 0);
        TEXT_ARGS(portcullis_webhook_verifier_header_name, name, v, schemes[i].names - 1);
        CHECK(strcmp(name, "content-length") == 0);

        webhook_payload w;
        CHECK(sign_payload(signer, schemes[i].id, "{\"a\":1}", NOW, &w));
        portcullis_principal *p = NULL;
        portcullis_denial *d = NULL;
        RC(portcullis_webhook_verifier_verify_payload(v, S(w.body), w.fields, w.count, NOW, true,
                                                      &p, &d),
           PORTCULLIS_OK);
        CHECK(d == NULL);
        TEXT(portcullis_principal_subject, p, text);
        CHECK(strcmp(text, schemes[i].scheme) == 0);
        TEXT(portcullis_principal_credential_id, p, text);
        CHECK(strcmp(text, "secret-0") == 0);
        portcullis_principal_free(p);
        /* The same delivery again: replayed, through either entry point. */
        RC(verify_payload(v, &w, NOW), PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
        /* A different body under the same signature. */
        webhook_payload t;
        CHECK(sign_payload(signer, schemes[i].id, "{\"a\":1}", NOW + 1, &t));
        t.body = "{\"a\":2}";
        RC(verify_payload(v, &t, NOW + 1), PORTCULLIS_RESULT_SIGNATURE_MISMATCH);
        portcullis_webhook_signer_free(signer);
        portcullis_webhook_verifier_free(v);
    }
}

/* One replay store behind both entry points; extra fields, any order, any name case. */
static void test_payload_with_request(void) {
    portcullis_webhook_verifier *v = NULL;
    portcullis_webhook_signer *signer = NULL;
    RC(portcullis_webhook_verifier_new(S(WEBHOOK_CONFIG), &v), PORTCULLIS_OK);
    RC(portcullis_webhook_signer_new(S("standard"), S(WEBHOOK_SECRET), &signer), PORTCULLIS_OK);
    portcullis_principal *p = NULL;

    portcullis_request *req = signed_webhook(signer, "msg_req", "{}", NOW);
    RC(portcullis_webhook_verifier_verify(v, req, &p, NULL), PORTCULLIS_OK);
    portcullis_principal_free(p);
    webhook_payload w;
    CHECK(sign_payload(signer, "msg_req", "{}", NOW, &w));
    RC(verify_payload(v, &w, NOW), PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
    portcullis_request_free(req);

    CHECK(sign_payload(signer, "msg_pay", "{}", NOW, &w));
    /* Reversed, upper-cased names, and fields the scheme does not read, raw bytes included. */
    char upper[PAYLOAD_FIELDS][32];
    portcullis_header_field fields[PAYLOAD_FIELDS + 3];
    fields[0] = FIELD("Content-Type", "application/json");
    fields[1] = (portcullis_header_field){(const uint8_t *)"X-Raw", 5, (const uint8_t *)"\xff\r\n", 3};
    for (size_t i = 0; i < w.count; i++) {
        size_t j = 0;
        for (char ch; (ch = w.names[i][j]) != '\0'; j++)
            upper[i][j] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
        upper[i][j] = '\0';
        fields[2 + w.count - 1 - i] = (portcullis_header_field){
            (const uint8_t *)upper[i], j, w.fields[i].value, w.fields[i].value_len};
    }
    fields[2 + w.count] = FIELD("content-length", "2");
    RC(portcullis_webhook_verifier_verify_payload(v, S("{}"), fields, w.count + 3, NOW, true, &p, NULL),
       PORTCULLIS_OK);
    portcullis_principal_free(p);
    req = signed_webhook(signer, "msg_pay", "{}", NOW);
    RC(portcullis_webhook_verifier_verify(v, req, &p, NULL), PORTCULLIS_RESULT_SIGNATURE_REPLAYED);
    portcullis_request_free(req);

    /* Content-Length that is not the body's: the body was not passed raw. */
    CHECK(sign_payload(signer, "msg_len", "{}", NOW, &w));
    w.fields[w.count++] = FIELD("Content-Length", "3");
    RC(verify_payload(v, &w, NOW), PORTCULLIS_RESULT_SIGNATURE_DIGEST_MISMATCH);

    /* An empty body: NULL with length 0. */
    CHECK(sign_payload(signer, "msg_empty", "", NOW, &w));
    RC(portcullis_webhook_verifier_verify_payload(v, NULL, 0, w.fields, w.count, NOW, true, &p, NULL),
       PORTCULLIS_OK);
    portcullis_principal_free(p);
    /* No fields at all (NULL with count 0): the signature is missing. */
    portcullis_denial *d = NULL;
    RC(portcullis_webhook_verifier_verify_payload(v, S("{}"), NULL, 0, NOW, true, &p, &d),
       PORTCULLIS_RESULT_SIGNATURE_MISSING);
    CHECK(d != NULL && portcullis_denial_code(d) == PORTCULLIS_RESULT_SIGNATURE_MISSING);
    portcullis_denial_free(d);
    portcullis_webhook_signer_free(signer);
    portcullis_webhook_verifier_free(v);
}

static void test_payload_edges(void) {
    portcullis_webhook_verifier *v = NULL;
    portcullis_webhook_signer *signer = NULL;
    RC(portcullis_webhook_verifier_new(S(WEBHOOK_CONFIG), &v), PORTCULLIS_OK);
    RC(portcullis_webhook_signer_new(S("standard"), S(WEBHOOK_SECRET), &signer), PORTCULLIS_OK);
    webhook_payload w;
    CHECK(sign_payload(signer, "msg_edge", "{}", NOW, &w));
    portcullis_principal *p = SENTINEL;
    portcullis_denial *d = NULL;

    /* NULL pointers: the verifier, out_principal (the denial says so too), the field array and
       the body with non-zero lengths, a field's name or value with a non-zero length. */
    RC(portcullis_webhook_verifier_verify_payload(NULL, S("{}"), w.fields, w.count, NOW, true, &p, NULL), NP);
    RC(portcullis_webhook_verifier_verify_payload(v, S("{}"), w.fields, w.count, NOW, true, NULL, &d), NP);
    CHECK(d != NULL && portcullis_denial_code(d) == NP);
    portcullis_denial_free(d);
    RC(portcullis_webhook_verifier_verify_payload(v, S("{}"), NULL, 3, NOW, true, &p, NULL), NP);
    RC(portcullis_webhook_verifier_verify_payload(v, NULL, 2, w.fields, w.count, NOW, true, &p, NULL), NP);
    portcullis_header_field bad[2] = {FIELD("webhook-id", "msg_x"), {NULL, 4, (const uint8_t *)"v", 1}};
    RC(portcullis_webhook_verifier_verify_payload(v, S("{}"), bad, 2, NOW, true, &p, NULL), NP);
    bad[1] = (portcullis_header_field){(const uint8_t *)"x-a", 3, NULL, 2};
    RC(portcullis_webhook_verifier_verify_payload(v, S("{}"), bad, 2, NOW, true, &p, NULL), NP);
    /* A name that is not UTF-8, on any field. */
    bad[1] = (portcullis_header_field){(const uint8_t *)"x-\xff", 3, (const uint8_t *)"v", 1};
    RC(portcullis_webhook_verifier_verify_payload(v, S("{}"), bad, 2, NOW, true, &p, NULL),
       PORTCULLIS_RESULT_INVALID_UTF8);
    /* More than 256 fields: refused before the array is read (it holds 2; ASan would see). */
    RC(portcullis_webhook_verifier_verify_payload(v, S("{}"), bad, 257, NOW, true, &p, NULL),
       PORTCULLIS_RESULT_INPUT_TOO_LARGE);
    RC(portcullis_webhook_verifier_verify_payload(v, S("{}"), bad, SIZE_MAX, NOW, true, &p, NULL),
       PORTCULLIS_RESULT_INPUT_TOO_LARGE);
    CHECK(p == SENTINEL);

    /* CR, LF or NUL in a field the scheme reads; a field given twice (any case). */
    static const char *const broken[] = {"msg\r_1", "msg_1\n", "v1,abc\r\nx"};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        webhook_payload t;
        CHECK(sign_payload(signer, "msg_crlf", "{}", NOW, &t));
        t.fields[i] = (portcullis_header_field){t.fields[i].name, t.fields[i].name_len,
                                                (const uint8_t *)broken[i], strlen(broken[i])};
        RC(verify_payload(v, &t, NOW), PORTCULLIS_RESULT_REQUEST_INVALID);
    }
    webhook_payload t;
    CHECK(sign_payload(signer, "msg_nul", "{}", NOW, &t));
    t.fields[0].value = (const uint8_t *)"msg\0nul";
    t.fields[0].value_len = 7;
    RC(verify_payload(v, &t, NOW), PORTCULLIS_RESULT_REQUEST_INVALID);
    CHECK(sign_payload(signer, "msg_twice", "{}", NOW, &t));
    t.fields[t.count++] = FIELD("Webhook-Id", "msg_twice");
    RC(verify_payload(v, &t, NOW), PORTCULLIS_RESULT_CREDENTIALS_AMBIGUOUS);
    /* Values trimmed (OWS) as a request does. */
    CHECK(sign_payload(signer, "msg_ows", "{}", NOW, &t));
    t.fields[0] = FIELD("webhook-id", " \tmsg_ows ");
    RC(verify_payload(v, &t, NOW), PORTCULLIS_OK);

    /* Size limits: a read value over 16 KiB, a body over 16 MiB, 256 fields pass. */
    size_t big = 16 * 1024 + 1;
    char *long_value = malloc(big);
    CHECK(long_value != NULL);
    if (long_value != NULL) {
        memset(long_value, 'a', big);
        CHECK(sign_payload(signer, "msg_long", "{}", NOW, &t));
        t.fields[2].value = (const uint8_t *)long_value;
        t.fields[2].value_len = big;
        RC(verify_payload(v, &t, NOW), PORTCULLIS_RESULT_INPUT_TOO_LARGE);
        free(long_value);
    }
    size_t huge = 16 * 1024 * 1024 + 1;
    uint8_t *body = calloc(huge, 1);
    CHECK(body != NULL);
    if (body != NULL) {
        RC(portcullis_webhook_verifier_verify_payload(v, body, huge, w.fields, w.count, NOW, true, &p, NULL),
           PORTCULLIS_RESULT_INPUT_TOO_LARGE);
        free(body);
    }
    portcullis_header_field many[256];
    for (size_t i = 0; i < 256; i++)
        many[i] = FIELD("x-filler", "1");
    CHECK(sign_payload(signer, "msg_many", "{}", NOW, &t));
    for (size_t i = 0; i < t.count; i++)
        many[i] = t.fields[i];
    RC(portcullis_webhook_verifier_verify_payload(v, S("{}"), many, 256, NOW, true, &p, NULL), PORTCULLIS_OK);
    portcullis_principal_free(p);
    p = SENTINEL;

    /* has_now false reads the system clock: a 2001 delivery is expired, at its time it passes. */
    CHECK(sign_payload(signer, "msg_old", "{}", OLD, &t));
    RC(portcullis_webhook_verifier_verify_payload(v, S("{}"), t.fields, t.count, OLD, false, &p, NULL),
       PORTCULLIS_RESULT_SIGNATURE_EXPIRED);
    RC(verify_payload(v, &t, OLD), PORTCULLIS_OK);
    CHECK(p == SENTINEL);

    /* The header name accessor: NULL verifier, index out of range, the buffer convention. */
    uint8_t buf[64];
    size_t len = 0;
    CHECK(portcullis_webhook_verifier_header_names_len(NULL) == 0);
    RC(portcullis_webhook_verifier_header_name(NULL, 0, buf, sizeof buf, &len), NP);
    RC(portcullis_webhook_verifier_header_name(v, 0, buf, sizeof buf, NULL), NP);
    RC(portcullis_webhook_verifier_header_name(v, 0, NULL, 4, &len), NP);
#define INVALID PORTCULLIS_RESULT_INVALID_ARGUMENT
    RC(portcullis_webhook_verifier_header_name(v, 4, buf, sizeof buf, &len), INVALID);
    RC(portcullis_webhook_verifier_header_name(v, SIZE_MAX, buf, sizeof buf, &len), INVALID);
    memset(buf, 'Z', sizeof buf);
    RC(portcullis_webhook_verifier_header_name(v, 0, buf, 3, &len), PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == strlen("webhook-id") && buf[0] == 'Z');
    RC(portcullis_webhook_verifier_header_name(v, 0, buf, len, &len), PORTCULLIS_OK);
    CHECK(memcmp(buf, "webhook-id", len) == 0 && buf[len] == 'Z');

    portcullis_webhook_signer_free(signer);
    portcullis_webhook_verifier_free(v);
}

void test_webhook_payload(void) {
    test_payload_schemes();
    test_payload_with_request();
    test_payload_edges();
}
