/*
 * The C runner of tests/vectors/gate.json (format in tests/vectors/GATE.md): one gate per case,
 * built from the case's configuration text with the file's secrets and folder, every request
 * checked in order on that gate and every listed member of its decision compared (an absent
 * `subject`, `retry_after` or `problem` means the decision has none: tests/vectors/GATE.md); or
 * a load that must fail with the exact code and detail. A mismatch is reported through fail() and
 * s->broken, since a check case's result code is PORTCULLIS_OK whatever the decisions are.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

static char gbuf[65536];
static char gname[256];

/* Reads a text accessor of `d` into gbuf; returns its length, or -1 (with fail()) on error. */
#define READ_TEXT(fn, d, label)                                                          \
    do {                                                                                 \
        size_t n_ = 0;                                                                   \
        portcullis_result r_ = fn(d, (uint8_t *)gbuf, sizeof gbuf, &n_);                 \
        if (r_ != PORTCULLIS_OK)                                                         \
            return fail("%s: accessor failed with %s", label, portcullis_result_name(r_)); \
        glen = n_;                                                                       \
    } while (0)

/* An optional name compared as the C API reports it: length 0 for none. */
static int check_name(int has, int want_null, vbytes want, const char *got, size_t got_len,
                      const char *label, size_t i) {
    if (!has)
        return 1;
    if (want_null ? got_len != 0 : !same(got, got_len, want))
        return fail("decision %zu: %s: got '%.*s', want %s%.*s%s", i, label, (int)got_len, got,
                    want_null ? "none" : "'", (int)want.len, want_null ? "" : want.ptr,
                    want_null ? "" : "'");
    return 1;
}

/* One member of a flat JSON object: the raw text of its name and value. */
typedef struct {
    const char *name, *value;
    size_t name_len, value_len;
} member;

/* Skips one JSON string starting at `p` (at its quote); returns the position after it. */
static const char *skip_string(const char *p, const char *end) {
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

static int by_name(const void *a, const void *b) {
    const member *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    return c != 0 ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

/* Rewrites a compact flat JSON object (string and number values, as the core writes the
   problem body) with its members sorted by name, into `out`; 0 when it is not one. */
static int canonical_flat(const char *text, size_t len, char *out, size_t cap, size_t *out_len) {
    member m[16];
    size_t n = 0;
    const char *p = text, *end = text + len;
    if (len < 2 || *p != '{' || end[-1] != '}')
        return 0;
    p++;
    while (p < end - 1) {
        if (n == sizeof m / sizeof m[0] || *p != '"')
            return 0;
        m[n].name = p;
        p = skip_string(p, end);
        if (p == NULL || p >= end || *p != ':')
            return 0;
        m[n].name_len = (size_t)(p - m[n].name);
        m[n].value = ++p;
        if (p < end && *p == '"')
            p = skip_string(p, end);
        else
            while (p < end - 1 && *p != ',' && *p != '{' && *p != '[' && *p != '"')
                p++;
        if (p == NULL || p > end - 1)
            return 0;
        m[n].value_len = (size_t)(p - m[n].value);
        n++;
        if (*p == ',')
            p++;
        else if (p != end - 1)
            return 0;
    }
    qsort(m, n, sizeof m[0], by_name);
    size_t used = 0;
    out[used++] = '{';
    for (size_t i = 0; i < n; i++) {
        if (used + m[i].name_len + m[i].value_len + 3 > cap)
            return 0;
        if (i > 0)
            out[used++] = ',';
        memcpy(out + used, m[i].name, m[i].name_len);
        used += m[i].name_len;
        out[used++] = ':';
        memcpy(out + used, m[i].value, m[i].value_len);
        used += m[i].value_len;
    }
    out[used++] = '}';
    *out_len = used;
    return 1;
}

static int check_decision(const vgate_decision *w, const portcullis_gate_decision *d, size_t i) {
    size_t glen = 0;
    int allowed = portcullis_gate_decision_allowed(d);
    unsigned status = portcullis_gate_decision_status(d);
    if (allowed != w->allowed || status != w->status)
        return fail("decision %zu: got allowed=%d status=%u (%s), want allowed=%d status=%u", i,
                    allowed, status, portcullis_result_name(portcullis_gate_decision_code(d)),
                    w->allowed, w->status);
    if (w->has_code) {
        portcullis_result code = portcullis_gate_decision_code(d);
        int ok = w->code_null ? code == PORTCULLIS_OK
                              : code != PORTCULLIS_OK && is(w->code, portcullis_result_name(code));
        if (!ok)
            return fail("decision %zu: code: got %s, want %.*s", i, portcullis_result_name(code),
                        w->code_null ? 4 : (int)w->code.len, w->code_null ? "null" : w->code.ptr);
    }
    READ_TEXT(portcullis_gate_decision_route, d, "route");
    if (!check_name(w->has_route, w->route_null, w->route, gbuf, glen, "route", i))
        return 0;
    READ_TEXT(portcullis_gate_decision_credential, d, "credential");
    if (!check_name(w->has_credential, w->credential_null, w->credential, gbuf, glen,
                    "credential", i))
        return 0;
    portcullis_principal *p = NULL;
    portcullis_result prc = portcullis_gate_decision_principal(d, &p);
    if (prc != PORTCULLIS_OK)
        return fail("decision %zu: principal: %s", i, portcullis_result_name(prc));
    if (!w->has_subject && p != NULL) {
        portcullis_principal_free(p);
        return fail("decision %zu: a principal, and the case lists no subject", i);
    }
    if (w->has_subject) {
        portcullis_result rc;
        if (p == NULL)
            return fail("decision %zu: subject: no principal", i);
        rc = portcullis_principal_subject(p, (uint8_t *)gbuf, sizeof gbuf, &glen);
        portcullis_principal_free(p);
        if (rc != PORTCULLIS_OK || !same(gbuf, glen, w->subject))
            return fail("decision %zu: subject: got '%.*s', want '%.*s'", i, (int)glen, gbuf,
                        (int)w->subject.len, w->subject.ptr);
    }
    if (w->has_challenges) {
        size_t n = portcullis_gate_decision_challenges_len(d);
        if (n != w->n_challenges)
            return fail("decision %zu: %zu challenges, want %zu", i, n, w->n_challenges);
        for (size_t k = 0; k < n; k++) {
            portcullis_result rc =
                portcullis_gate_decision_challenge(d, k, (uint8_t *)gbuf, sizeof gbuf, &glen);
            if (rc != PORTCULLIS_OK || !same(gbuf, glen, w->challenges[k]))
                return fail("decision %zu: challenge %zu: got '%.*s', want '%.*s'", i, k,
                            (int)glen, gbuf, (int)w->challenges[k].len, w->challenges[k].ptr);
        }
    }
    if (w->has_headers) {
        size_t n = portcullis_gate_decision_headers_len(d);
        if (n != w->n_headers)
            return fail("decision %zu: %zu headers, want %zu", i, n, w->n_headers);
        for (size_t k = 0; k < n; k++) {
            size_t name_len = 0;
            if (portcullis_gate_decision_header_name(d, k, (uint8_t *)gname, sizeof gname,
                                                     &name_len) != PORTCULLIS_OK ||
                portcullis_gate_decision_header_value(d, k, (uint8_t *)gbuf, sizeof gbuf,
                                                      &glen) != PORTCULLIS_OK)
                return fail("decision %zu: header %zu: accessor failed", i, k);
            if (!same(gname, name_len, w->headers[k].name) ||
                !same(gbuf, glen, w->headers[k].value))
                return fail("decision %zu: header %zu: got %.*s: %.*s, want %.*s: %.*s", i, k,
                            (int)name_len, gname, (int)glen, gbuf, (int)w->headers[k].name.len,
                            w->headers[k].name.ptr, (int)w->headers[k].value.len,
                            w->headers[k].value.ptr);
        }
    }
    {
        uint64_t retry = 0;
        bool has = false;
        int want_none = !w->has_retry_after || w->retry_after_null;
        portcullis_result rc = portcullis_gate_decision_retry_after(d, &retry, &has);
        if (rc != PORTCULLIS_OK || has == (bool)want_none || (has && retry != w->retry_after))
            return fail("decision %zu: retry_after: got %s%" PRIu64 ", want %s%" PRIu64, i,
                        has ? "" : "none ", retry, want_none ? "none " : "", w->retry_after);
    }
    {
        READ_TEXT(portcullis_gate_decision_problem_json, d, "problem");
        static char sorted[4096];
        size_t sorted_len = 0;
        int want_none = !w->has_problem || w->problem_null;
        if (want_none ? glen != 0
                            : !canonical_flat(gbuf, glen, sorted, sizeof sorted, &sorted_len) ||
                                  !same(sorted, sorted_len, w->problem))
            return fail("decision %zu: problem: got '%.*s', want '%.*s'", i, (int)glen, gbuf,
                        (int)w->problem.len, want_none ? "none" : w->problem.ptr);
    }
    return 1;
}

/* The request of `r`: the shared form at its own time, with its peer address and chain. */
static portcullis_result gate_request_of(const vgate_request *r, portcullis_request **out) {
    portcullis_result rc = build_request(&r->msg, r->msg.now, out);
    if (rc == PORTCULLIS_OK && r->peer_address.ptr != NULL)
        rc = portcullis_request_set_peer_address(*out, U8(r->peer_address));
    for (size_t i = 0; rc == PORTCULLIS_OK && i < r->n_certs; i++)
        rc = portcullis_request_add_peer_certificate(*out, U8(r->certs[i]));
    return rc;
}

static portcullis_result options_of(const vgate *v, portcullis_gate_options **out) {
    portcullis_result rc = portcullis_gate_options_new(out);
    for (size_t i = 0; rc == PORTCULLIS_OK && i < v->n_secrets; i++)
        rc = portcullis_gate_options_add_secret(*out, U8(v->secrets[i].name),
                                                U8(v->secrets[i].value));
    if (rc == PORTCULLIS_OK)
        rc = portcullis_gate_options_set_base_dir(*out, U8(v->base_dir));
    if (rc != PORTCULLIS_OK) {
        portcullis_gate_options_free(*out);
        *out = NULL;
    }
    return rc;
}

portcullis_result run_gate(const vcase *c, run_state *s) {
    const vgate *v = c->gate;
    portcullis_gate_options *options = NULL;
    portcullis_result rc = options_of(v, &options);
    if (rc != PORTCULLIS_OK)
        return rc;
    portcullis_gate *gate = NULL;
    rc = portcullis_gate_new(U8(v->config), options, &gate, &s->denial);
    if (rc != PORTCULLIS_OK) {
        size_t len = 0;
        if (v->is_load && (s->denial == NULL ||
                           portcullis_denial_detail(s->denial, (uint8_t *)gbuf, sizeof gbuf,
                                                    &len) != PORTCULLIS_OK ||
                           !same(gbuf, len, v->detail))) {
            s->broken = 1;
            fail("detail: got '%.*s', want '%.*s'", (int)len, gbuf, (int)v->detail.len,
                 v->detail.ptr);
        }
        return rc;
    }
    for (size_t i = 0; !v->is_load && i < v->n_requests; i++) {
        portcullis_request *req = NULL;
        portcullis_gate_decision *d = NULL;
        rc = gate_request_of(&v->requests[i], &req);
        const vbytes scopes = v->requests[i].scopes;
        if (rc == PORTCULLIS_OK && scopes.ptr == NULL)
            rc = portcullis_gate_check(gate, req, &d);
        else if (rc == PORTCULLIS_OK)
            rc = portcullis_gate_check_scoped(gate, req, U8(scopes), &d);
        portcullis_request_free(req);
        if (rc != PORTCULLIS_OK) {
            s->broken = 1;
            fail("request %zu: %s", i, portcullis_result_name(rc));
        } else if (!check_decision(&v->decisions[i], d, i)) {
            s->broken = 1;
        }
        portcullis_gate_decision_free(d);
        if (s->broken)
            break;
    }
    portcullis_gate_free(gate);
    return PORTCULLIS_OK;
}
