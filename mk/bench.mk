# Benchmarks: portcullis side by side with peer libraries, every language in one run
# (bench/README.md says how to read the results).
#
#   make bench          builds everything, installs the peers into the bench's own environments
#                       ($(BUILD)/bench-venv from bench/python/requirements.txt; bench/node with
#                       npm ci), runs Python, Node, Rust and C, and writes bench/results/latest.md
#                       (commit it) and bench/results/latest.json (raw figures; git-ignored).
#   make bench-python   one language alone (also bench-node, bench-rust, bench-c): writes
#                       $(BUILD)/bench/<lang>.json and a report of what is there in
#                       $(BUILD)/bench/report.md; never touches bench/results/.
#   make timing         dudect-style timing checks of the secret-comparing paths (webhook, JWT,
#                       PCS1 and RFC 9421 signatures wrong in their first or last byte, an API key
#                       record's digest differing in its first or last byte, Basic with a known or
#                       an unknown user: Welch's t, |t| > 4.5 fails) -> $(BUILD)/timing.md; run it
#                       on a quiet machine (TIMING_PER_CLASS measurements per class, default
#                       200000; about two minutes).
#   make bench-smoke    tiny counts, no peer install: peers that make test did not install are
#                       skipped and the skip is printed. Checks the benches run; asserts no time.
#   make bench-e2e      the framework adapters end to end over 127.0.0.1 (bench/e2e): FastAPI and
#                       Flask with no auth, PyJWT and portcullis; Express and Fastify with no auth,
#                       express-jwt / @fastify/jwt and portcullis. Writes bench/results/e2e.md
#                       (commit it); several minutes. Its peers are the bindings' dev dependencies.

.PHONY: timing bench-e2e bench bench-python bench-node bench-rust bench-c bench-report bench-smoke bench-deps

BENCH_DIR       := $(ROOT)/bench
BENCH_OUT       := $(BUILD)/bench
BENCH_SMOKE_OUT := $(BUILD)/bench-smoke
BENCH_VENV      := $(BUILD)/bench-venv
BENCH_VENV_PY   := $(BENCH_VENV)/bin/python
BENCH_VENV_STAMP := $(BENCH_VENV)/.peers
BENCH_NODE_DIR  := $(BENCH_DIR)/node
BENCH_NODE_STAMP := $(BENCH_NODE_DIR)/node_modules/.package-lock.json
BENCH_TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(ROOT)/target)
BENCH_RUST_BIN  := $(BENCH_TARGET_DIR)/release/portcullis-bench
BENCH_CC_FLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 -I$(ROOT)/ffi/include
BENCH_C_LIBS     = $(BUILD)/lib/libportcullis.a -lpthread -ldl -lm
# The binding built by build-python lives next to its Python sources; the bench venv imports it
# from there (the venv itself holds only the peers).
BENCH_PYPATH    := $(ROOT)/bindings/python/python

# The peers, in the bench's own environments (never in .venv or bindings/node).
$(BENCH_VENV_STAMP): $(BENCH_DIR)/python/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV_PY) -m pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(BENCH_NODE_STAMP): $(BENCH_NODE_DIR)/package.json $(BENCH_NODE_DIR)/package-lock.json
	cd $(BENCH_NODE_DIR) && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

bench-deps: $(BENCH_VENV_STAMP) $(BENCH_NODE_STAMP)

# Before each language, wait (at most BENCH_WAIT seconds) for other work on the machine to
# stop; then time the language, for the report's header.
BENCH_WAIT ?= 60
define bench_timed
	@mkdir -p $(BENCH_OUT)
	@$(PYTHON) $(BENCH_DIR)/report.py --wait-quiet $(BENCH_WAIT)
	@start=$$(date +%s); $(1) && echo $$(( $$(date +%s) - start )) > $(BENCH_OUT)/$(2).seconds
endef

bench-python: build-python $(BENCH_VENV_STAMP)
	$(call bench_timed,PYTHONPATH=$(BENCH_PYPATH) $(BENCH_VENV_PY) $(BENCH_DIR)/python/bench.py --out $(BENCH_OUT)/python.json,python)
	@$(MAKE) --no-print-directory bench-report

bench-node: build-node $(BENCH_NODE_STAMP)
	$(call bench_timed,$(NODE) --expose-gc $(BENCH_DIR)/node/bench.js --out $(BENCH_OUT)/node.json,node)
	@$(MAKE) --no-print-directory bench-report

bench-rust:
	$(CARGO) build --release -p portcullis-bench
	$(call bench_timed,$(BENCH_RUST_BIN) --out $(BENCH_OUT)/rust.json,rust)
	@$(MAKE) --no-print-directory bench-report

bench-c: build-c
	@mkdir -p $(BENCH_OUT)
	$(CC) $(BENCH_CC_FLAGS) $(BENCH_DIR)/c/bench.c -o $(BENCH_OUT)/bench_c $(BENCH_C_LIBS)
	$(call bench_timed,$(BENCH_OUT)/bench_c --out $(BENCH_OUT)/c.json,c)
	@$(MAKE) --no-print-directory bench-report

bench-report:
	$(PYTHON) $(BENCH_DIR)/report.py --in $(BENCH_OUT) --md $(BENCH_OUT)/report.md --json $(BENCH_OUT)/report.json \
	  --notes $(BENCH_DIR)/profile-notes.md

# The whole run: build first (so no compiler competes with the timings), then one language
# after the other on a quiet machine, then the committed report.
bench: build bench-deps
	$(CARGO) build --release -p portcullis-bench
	rm -rf $(BENCH_OUT) && mkdir -p $(BENCH_OUT)
	$(PYTHON) $(BENCH_DIR)/report.py --wait-quiet $(BENCH_WAIT) --probe $(BENCH_OUT)/probe.json
	$(CC) $(BENCH_CC_FLAGS) $(BENCH_DIR)/c/bench.c -o $(BENCH_OUT)/bench_c $(BENCH_C_LIBS)
	$(call bench_timed,PYTHONPATH=$(BENCH_PYPATH) $(BENCH_VENV_PY) $(BENCH_DIR)/python/bench.py --out $(BENCH_OUT)/python.json,python)
	$(call bench_timed,$(NODE) --expose-gc $(BENCH_DIR)/node/bench.js --out $(BENCH_OUT)/node.json,node)
	$(call bench_timed,$(BENCH_RUST_BIN) --out $(BENCH_OUT)/rust.json,rust)
	$(call bench_timed,$(BENCH_OUT)/bench_c --out $(BENCH_OUT)/c.json,c)
	@mkdir -p $(BENCH_DIR)/results
	$(PYTHON) $(BENCH_DIR)/report.py --in $(BENCH_OUT) --md $(BENCH_DIR)/results/latest.md \
	  --json $(BENCH_DIR)/results/latest.json --notes $(BENCH_DIR)/profile-notes.md

# Smoke: what make test already installed (.venv, bindings/node/node_modules), tiny counts.
bench-smoke: build-python build-node build-c
	$(CARGO) build --release -p portcullis-bench
	rm -rf $(BENCH_SMOKE_OUT) && mkdir -p $(BENCH_SMOKE_OUT)
	$(VENV_PY) $(BENCH_DIR)/python/bench.py --smoke --out $(BENCH_SMOKE_OUT)/python.json
	$(NODE) --expose-gc $(BENCH_DIR)/node/bench.js --smoke --out $(BENCH_SMOKE_OUT)/node.json
	$(BENCH_RUST_BIN) --smoke --out $(BENCH_SMOKE_OUT)/rust.json
	@# The timing paths run and every class is refused (a panic exits 101); at 200 measurements
	@# a |t| over 4.5 (exit 1) is noise, not a finding.
	$(BENCH_RUST_BIN) --timing --per-class 200 --out $(BENCH_SMOKE_OUT)/timing.md || test $$? -eq 1
	$(CC) $(BENCH_CC_FLAGS) $(BENCH_DIR)/c/bench.c -o $(BENCH_SMOKE_OUT)/bench_c $(BENCH_C_LIBS)
	$(BENCH_SMOKE_OUT)/bench_c --smoke --out $(BENCH_SMOKE_OUT)/c.json
	$(PYTHON) $(BENCH_DIR)/report.py --in $(BENCH_SMOKE_OUT) --md $(BENCH_SMOKE_OUT)/report.md --json $(BENCH_SMOKE_OUT)/report.json
	$(VENV_PY) $(BENCH_DIR)/e2e/python/run.py --requests 20 --rounds 1 --warmup 20 > $(BENCH_SMOKE_OUT)/e2e-python.md
	$(NODE) $(BENCH_DIR)/e2e/node/run.js --requests 50 --rounds 1 --warmup 20 > $(BENCH_SMOKE_OUT)/e2e-node.md
	@echo "bench-smoke: every bench ran (numbers from a smoke run mean nothing; see $(BENCH_SMOKE_OUT)/report.md)"

bench-e2e: build-python build-node
	@mkdir -p $(BENCH_OUT)
	{ echo "# End to end: the framework adapters against each framework's usual JWT check"; echo; \
	  echo "\`make bench-e2e\` on $$(nproc) cores, $$(date -u +%Y-%m-%d)."; echo; \
	  echo "## Python"; echo; $(VENV_PY) $(BENCH_DIR)/e2e/python/run.py; echo; \
	  echo "## Node"; echo; $(NODE) $(BENCH_DIR)/e2e/node/run.js; } > $(BENCH_OUT)/e2e.md
	cp $(BENCH_OUT)/e2e.md $(BENCH_DIR)/results/e2e.md
	@cat $(BENCH_DIR)/results/e2e.md

TIMING_PER_CLASS ?= 200000

timing:
	$(CARGO) build --release -p portcullis-bench
	@mkdir -p $(BUILD)
	$(BENCH_RUST_BIN) --timing --per-class $(TIMING_PER_CLASS) --out $(BUILD)/timing.md
