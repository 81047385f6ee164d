# Fuzzing (docs/SECURITY.md, "Fuzzing"): the targets of fuzz/targets (crate
# portcullis-fuzz-targets), one function each, run two ways.
#
#   make fuzz-smoke   cargo test -p portcullis-fuzz-targets, on stable, in seconds: every target
#                     replays its seeds (built from tests/vectors), the committed inputs under
#                     fuzz/regressions/<target>/ and a bounded mutation pass. `cargo test
#                     --workspace` (test-rust, so `make test`) runs it too.
#   make fuzz         the recorded run, on nightly: installs cargo-fuzz when it is missing
#                     (cargo install cargo-fuzz --locked), writes the seed corpora into
#                     fuzz/corpus/<target> (fuzz-seed), then runs `cargo +nightly fuzz run
#                     <target> fuzz/corpus/<target>` for each target, FUZZ_JOBS at a time
#                     (default 2): the high-risk targets FUZZ_SECONDS each (default 600), the
#                     others FUZZ_SHORT_SECONDS (default: FUZZ_SECONDS). Logs go to
#                     build/fuzz/<target>.log, crashes to fuzz/artifacts/<target>/, and
#                     build/fuzz/summary.md gets one row per target: seconds, executions,
#                     exec/s, coverage (cov/ft of libFuzzer's last status line), corpus size,
#                     crashes. FUZZ_TARGETS picks targets (default: all, high-risk first).
#
# Targets (what each feeds and asserts: docs/SECURITY.md). High-risk: jwt_verify, json_strict,
# jwk, jwks, httpsig_verify, webhook_verify, mtls_forwarded, gate_config, gate_check,
# dpop_verify. Others:
# jwt_mutated, claims_readers, base64url, jose_header, pem_der_keys, basic_credentials,
# htpasswd, apikey_verify, pcs1_verify.

.PHONY: fuzz fuzz-smoke fuzz-corpus fuzz-tools

FUZZ_DIR      := $(ROOT)/fuzz
FUZZ_OUT      := $(BUILD)/fuzz
FUZZ_CORPUS   := $(FUZZ_DIR)/corpus
FUZZ_SECONDS  ?= 600
FUZZ_SHORT_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_JOBS     ?= 2
FUZZ_LONG     := jwt_verify json_strict jwk jwks httpsig_verify webhook_verify mtls_forwarded \
                 gate_config gate_check dpop_verify
FUZZ_SHORT    := jwt_mutated claims_readers base64url jose_header pem_der_keys basic_credentials \
                 htpasswd apikey_verify pcs1_verify
FUZZ_TARGETS  ?= $(FUZZ_LONG) $(FUZZ_SHORT)
# libFuzzer: a unit slower than a minute is a finding (a hang); the memory ceiling leaves room
# for the largest argon2 cost a configuration may name (1 GiB) under AddressSanitizer.
FUZZ_LIBFUZZER_FLAGS ?= -timeout=60 -rss_limit_mb=4096 -print_final_stats=1

fuzz-smoke:
	$(CARGO) test -p portcullis-fuzz-targets

fuzz-tools:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked

fuzz-corpus:
	$(CARGO) run --quiet -p portcullis-fuzz-targets --bin fuzz-seed -- $(FUZZ_CORPUS)

# Each target as `name:seconds`, run FUZZ_JOBS at a time; a target's run that finds a crash
# stops there (libFuzzer's exit status is kept in its log), and the summary says so.
fuzz: fuzz-tools fuzz-corpus
	@mkdir -p $(FUZZ_OUT)
	cd $(FUZZ_DIR) && $(CARGO) +nightly fuzz build
	@printf '%s\n' $(foreach t,$(FUZZ_TARGETS),$(t):$(if $(filter $(t),$(FUZZ_LONG)),$(FUZZ_SECONDS),$(FUZZ_SHORT_SECONDS))) \
	  | xargs -P $(FUZZ_JOBS) -I{} sh -c 'name=$${1%%:*}; secs=$${1##*:}; \
	      echo "fuzz: $$name for $$secs s (from $$(date -u +%H:%M:%S))"; \
	      cd $(FUZZ_DIR) && $(CARGO) +nightly fuzz run $$name $(FUZZ_CORPUS)/$$name -- \
	        -max_total_time=$$secs $(FUZZ_LIBFUZZER_FLAGS) > $(FUZZ_OUT)/$$name.log 2>&1; \
	      echo "exit=$$?" >> $(FUZZ_OUT)/$$name.log' _ {}
	$(PYTHON) $(FUZZ_DIR)/summary.py $(FUZZ_OUT) $(FUZZ_CORPUS) $(FUZZ_DIR)/artifacts $(FUZZ_TARGETS) \
	  > $(FUZZ_OUT)/summary.md
	@cat $(FUZZ_OUT)/summary.md
