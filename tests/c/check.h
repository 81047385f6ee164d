/* Shared by the test_api*.c files: counters, CHECK / RC / TEXT macros, request helpers. */
#ifndef PORTCULLIS_TEST_CHECK_H
#define PORTCULLIS_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "portcullis.h"

extern int checks_passed;
extern int checks_failed;

#define CHECK(cond)                                                      \
    do {                                                                 \
        if (cond) {                                                      \
            checks_passed++;                                             \
        } else {                                                         \
            checks_failed++;                                             \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);       \
        }                                                                \
    } while (0)

/* Checks that `call` returns `want`, printing both names when it does not. */
#define RC(call, want)                                                                 \
    do {                                                                               \
        portcullis_result rc_got_ = (call);                                               \
        portcullis_result rc_want_ = (portcullis_result)(want);                           \
        if (rc_got_ == rc_want_) {                                                           \
            checks_passed++;                                                           \
        } else {                                                                       \
            checks_failed++;                                                           \
            printf("FAIL %s:%d: %s -> %s, want %s\n", __FILE__, __LINE__, #call,       \
                   portcullis_result_name(rc_got_), portcullis_result_name(rc_want_));       \
        }                                                                              \
    } while (0)

/* A NUL-terminated literal as a (ptr, len) input. */
#define S(text) (const uint8_t *)(text), strlen(text)

/* Reads a text output into the array `out` (NUL-terminated), after a size query. */
#define TEXT(fn, handle, out)                                                          \
    do {                                                                               \
        size_t text_need_ = 0;                                                              \
        RC(fn(handle, NULL, 0, &text_need_),                                                \
           text_need_ == 0 ? PORTCULLIS_OK : PORTCULLIS_RESULT_BUFFER_TOO_SMALL);           \
        CHECK(text_need_ < sizeof(out));                                                    \
        size_t text_got_ = 0;                                                               \
        RC(fn(handle, (uint8_t *)(out), sizeof(out), &text_got_), PORTCULLIS_OK);           \
        CHECK(text_got_ == text_need_ && (out)[text_got_] == '\0');                                   \
    } while (0)

#define NOW 1767225600LL
#define PEPPER "test-pepper-0123456789abcdef0123"

/* An address outputs are preset to, to prove failures leave them alone. */
extern char sentinel_object;
#define SENTINEL ((void *)&sentinel_object)

/* GET /orders at `now`, with one header when `name` is not NULL. */
portcullis_request *request(const char *name, const char *value, int64_t now);
/* GET /orders with `Authorization: Bearer <key>`. */
portcullis_request *bearer(const char *key, int64_t now);
/* Verifies `key` against `ring`; returns the result and frees everything. */
portcullis_result ring_check(portcullis_apikey_ring *ring, const char *key, int64_t now,
                             const char *scopes);

void test_request(void);
void test_null_pointers(void);
void test_bad_inputs(void);
void test_buffers(void);
void test_free_null(void);
void test_threads(void);
void test_signatures(void);
void test_signature_edges(void);
void test_signature_threads(void);
void test_webhook_payload(void);
void test_jwt(void);
void test_jwt_edges(void);
void test_jwt_threads(void);
void test_mtls(void);
void test_jwks(void);
void test_gate(void);
void test_gate_threads(void);
void test_dpop(void);

#endif
