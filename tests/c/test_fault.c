/* A panic inside the core comes back as PORTCULLIS_RESULT_PANIC, never an abort. Built only
 * against a library with the test-only `fault-injection` feature (make test-c), in which a
 * request for /__portcullis_fault__/panic panics inside the gate's check and the generic
 * verifier; against a normal library the checks below fail (the calls succeed). */
#include <stdio.h>
#include <string.h>

#include "check.h"

int checks_passed = 0;
int checks_failed = 0;

static const char *GATE =
    "{\"credentials\": {\"keys\": {\"method\": \"api_key\", \"pepper\": \"secret:pepper\"}},"
    " \"routes\": [{\"path\": \"/*\", \"require\": \"keys\"}]}";
static const char *VERIFIER = "{\"method\": \"api_key\", \"pepper\": \"secret:pepper\"}";

static portcullis_gate_options *options(void) {
    portcullis_gate_options *o = NULL;
    RC(portcullis_gate_options_new(&o), PORTCULLIS_OK);
    RC(portcullis_gate_options_add_secret(o, S("pepper"), S(PEPPER)), PORTCULLIS_OK);
    return o;
}

static portcullis_request *request_to(const char *target) {
    portcullis_request *r = NULL;
    RC(portcullis_request_new(S("GET"), S(target), &r), PORTCULLIS_OK);
    return r;
}

int main(void) {
    portcullis_gate *gate = NULL;
    RC(portcullis_gate_new(S(GATE), options(), &gate, NULL), PORTCULLIS_OK);
    portcullis_verifier *verifier = NULL;
    RC(portcullis_verifier_new(S(VERIFIER), options(), &verifier, NULL), PORTCULLIS_OK);

    portcullis_request *boom = request_to("/__portcullis_fault__/panic");
    portcullis_request *plain = request_to("/orders");

    /* The panic is caught at the boundary: a code, no decision, the process goes on. */
    portcullis_gate_decision *decision = NULL;
    RC(portcullis_gate_check(gate, boom, &decision), PORTCULLIS_RESULT_PANIC);
    CHECK(decision == NULL);
    portcullis_principal *principal = NULL;
    portcullis_denial *denial = NULL;
    RC(portcullis_verifier_verify(verifier, boom, NULL, 0, &principal, &denial),
       PORTCULLIS_RESULT_PANIC);
    CHECK(principal == NULL);
    CHECK(denial != NULL && portcullis_denial_code(denial) == PORTCULLIS_RESULT_PANIC);
    portcullis_denial_free(denial);

    /* And the same handles keep working afterwards. */
    RC(portcullis_gate_check(gate, plain, &decision), PORTCULLIS_OK);
    CHECK(decision != NULL && portcullis_gate_decision_status(decision) == 401);
    portcullis_gate_decision_free(decision);
    denial = NULL;
    RC(portcullis_verifier_verify(verifier, plain, NULL, 0, &principal, &denial),
       PORTCULLIS_RESULT_CREDENTIALS_MISSING);
    portcullis_denial_free(denial);

    portcullis_request_free(boom);
    portcullis_request_free(plain);
    portcullis_verifier_free(verifier);
    portcullis_gate_free(gate);
    printf("test_fault: %d checks passed, %d failed\n", checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}
