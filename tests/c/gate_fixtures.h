/* Shared by test_gate.c and test_gate_threads.c: a gate configuration and request helpers. */
#ifndef PORTCULLIS_TEST_GATE_FIXTURES_H
#define PORTCULLIS_TEST_GATE_FIXTURES_H

#include "jwt_fixtures.h"

#define GATE_PEPPER "gate-test-pepper-0123456789abcdef"

/* Four credentials (JWT, API key, Basic, webhook) and five routes. The JWT credential takes
   tokens signed with JWT_SECRET (jwt_hs256), passed as `secret:jwt`. */
#define GATE_CREDENTIALS                                                                       \
    "version = 1\n"                                                                            \
    "\n"                                                                                       \
    "[credentials.tokens]\n"                                                                   \
    "method = \"jwt\"\n"                                                                       \
    "issuers = [\"https://issuer.test\"]\n"                                                    \
    "audiences = [\"orders-api\"]\n"                                                           \
    "keys = { static = [{ alg = \"HS256\", secret = \"secret:jwt\" }] }\n"                     \
    "\n"                                                                                       \
    "[credentials.keys]\n"                                                                     \
    "method = \"api_key\"\n"                                                                   \
    "pepper = \"secret:pepper\"\n"                                                             \
    "realm = \"keys\"\n"                                                                       \
    "\n"                                                                                       \
    "[credentials.ops]\n"                                                                      \
    "method = \"basic\"\n"                                                                     \
    "realm = \"ops\"\n"                                                                        \
    "users = { bob = \"$2y$05$goj0pwBt4vml.1uO7DxaUe6SvNQJFBMjHhANzqU2Ka/UmCfbq6Rzy\" }\n"    \
    "\n"                                                                                       \
    "[credentials.hooks]\n"                                                                    \
    "method = \"webhook\"\n"                                                                   \
    "scheme = \"standard\"\n"                                                                  \
    "secrets = [\"secret:whsec\"]\n"                                                           \
    "\n"

#define GATE_ROUTES                                                                            \
    "[[routes]]\n"                                                                             \
    "name = \"health\"\n"                                                                      \
    "path = \"/health\"\n"                                                                     \
    "require = { anonymous = true }\n"                                                         \
    "\n"                                                                                       \
    "[[routes]]\n"                                                                             \
    "name = \"orders\"\n"                                                                      \
    "methods = [\"GET\"]\n"                                                                    \
    "path = \"/orders/{id}\"\n"                                                                \
    "require = { any_of = [\"tokens\", \"keys\"] }\n"                                          \
    "scopes = [\"orders:read\"]\n"                                                             \
    "\n"                                                                                       \
    "[[routes]]\n"                                                                             \
    "name = \"ops\"\n"                                                                         \
    "path = \"/ops\"\n"                                                                        \
    "require = \"ops\"\n"                                                                      \
    "\n"                                                                                       \
    "[[routes]]\n"                                                                             \
    "name = \"hooks\"\n"                                                                       \
    "methods = [\"POST\"]\n"                                                                   \
    "path = \"/webhooks\"\n"                                                                   \
    "require = \"hooks\"\n"                                                                    \
    "\n"

#define GATE_LIMITED                                                                           \
    "[[routes]]\n"                                                                             \
    "name = \"limited\"\n"                                                                     \
    "path = \"/limited\"\n"                                                                    \
    "require = \"tokens\"\n"                                                                   \
    "rate_limits = [\"two\"]\n"                                                                \
    "\n"                                                                                       \
    "[rate_limits.two]\n"                                                                      \
    "key = \"principal\"\n"                                                                    \
    "quota = 2\n"                                                                              \
    "window_seconds = 60\n"

#define GATE_CONFIG GATE_CREDENTIALS GATE_ROUTES GATE_LIMITED

/* Options carrying the secrets GATE_CONFIG references; NULL on failure. Counts no checks. */
portcullis_gate_options *gate_options(void);
/* A gate from `config` with gate_options(); NULL (and a FAIL line) on failure. */
portcullis_gate *gate_from(const char *config);
/* `method path` at NOW with `Authorization: <authorization>` (none when NULL); NULL on
   failure. Counts no checks, so threads may call it. */
portcullis_request *gate_request(const char *method, const char *path, const char *authorization);
/* A JWT for `sub` with `scope`, valid 600 s from NOW, into `out`; 1 on success. Counts no
   checks. */
int gate_token(const char *sub, const char *scope, char *out, size_t cap);
/* Checks `req` and frees it; returns the decision (NULL on a usage error). Counts no checks. */
portcullis_gate_decision *gate_decide(const portcullis_gate *g, portcullis_request *req);

/* test_gate_verifier.c, run by test_gate(). */
void test_gate_rings_and_verifiers(void);

#endif
