# portcullis: `make demo` (the main job) and `make test` (everything).
# Each surface owns one file under mk/: rust.mk, c.mk, python.mk, node.mk; fuzz.mk runs the fuzz
# targets (make fuzz-smoke, make fuzz).

SHELL := /bin/bash
.DEFAULT_GOAL := demo
ROOT := $(CURDIR)
BUILD := $(ROOT)/build
CARGO ?= cargo
PYTHON ?= python3

# The demo's one gate file, and the secrets it references as env:NAME: fixed demo values (the
# programs sign with them too), never real ones. The demo-* targets run each program with them.
DEMO_GATE := $(ROOT)/examples/demo/gate.toml
DEMO_ENV := PORTCULLIS_DEMO_PEPPER=demo-pepper-0123456789abcdef0123 \
  PORTCULLIS_DEMO_JWT_SECRET=demo-jwt-secret-0123456789abcdef \
  PORTCULLIS_DEMO_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw \
  PORTCULLIS_DEMO_PCS1_SECRET_B64=ZGVtby1obWFjLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGU= \
  PORTCULLIS_DEMO_HTTPSIG_SECRET_B64=ZGVtby1odHRwc2lnLXNlY3JldC0wMTIzNDU2Nzg5YWI=

include mk/rust.mk mk/c.mk mk/python.mk mk/node.mk mk/bench.mk mk/fuzz.mk mk/demo.mk

.PHONY: build test demo clean

build: build-rust build-c build-python build-node

test: test-rust test-c test-python test-node test-demo-services bench-smoke
	@echo "make test: all suites passed"

# First in process: C, Python and Node load the same gate file and check the same requests; their
# decisions must be identical. Then as services over loopback HTTP and HTTPS (mk/demo.mk).
demo:
	@echo "== building (the Rust core, the C library, the Python and Node bindings, the C service)"
	@$(MAKE) --no-print-directory build build-demo-server
	@echo "== in process: C, Python and Node, one gate (examples/demo/gate.toml)"
	@mkdir -p $(BUILD)/demo
	@$(MAKE) --no-print-directory demo-c demo-python demo-node
	@for lang in c python node; do echo "== $$lang"; cat $(BUILD)/demo/$$lang.txt; done
	@diff -u $(BUILD)/demo/c.txt $(BUILD)/demo/python.txt && diff -u $(BUILD)/demo/c.txt $(BUILD)/demo/node.txt \
	  && echo "== C, Python and Node, one gate (examples/demo/gate.toml): identical decisions on all $$(wc -l < $(BUILD)/demo/c.txt) requests"
	@echo "== services: FastAPI, Express and C over loopback HTTP and HTTPS, one gate (examples/services/gate.toml)"
	@$(MAKE) --no-print-directory drive-demo-services

clean:
	rm -rf $(BUILD) target .venv bindings/node/node_modules
