# portcullis: `make demo` (the main job) and `make test` (everything).
# Each surface owns one file under mk/: rust.mk, c.mk, python.mk, node.mk.

SHELL := /bin/bash
.DEFAULT_GOAL := demo
ROOT := $(CURDIR)
BUILD := $(ROOT)/build
CARGO ?= cargo
PYTHON ?= python3

include mk/rust.mk mk/c.mk mk/python.mk mk/node.mk mk/bench.mk

.PHONY: build test demo clean

build: build-rust build-c build-python build-node

test: test-rust test-c test-python test-node bench-smoke
	@echo "make test: all suites passed"

# Each language runs the same scenarios; their decisions must be identical.
demo: build
	@mkdir -p $(BUILD)/demo
	@$(MAKE) --no-print-directory demo-c demo-python demo-node
	@for lang in c python node; do echo "== $$lang"; cat $(BUILD)/demo/$$lang.txt; done
	@diff -u $(BUILD)/demo/c.txt $(BUILD)/demo/python.txt && diff -u $(BUILD)/demo/c.txt $(BUILD)/demo/node.txt \
	  && echo "== C, Python and Node gave identical decisions on all $$(wc -l < $(BUILD)/demo/c.txt) requests"

clean:
	rm -rf $(BUILD) target .venv bindings/node/node_modules
