# Node.js binding (napi-rs): bindings/node, package `portcullis`.
#
# build-node   npm ci (when node_modules is missing), then `napi build --platform --release`
#              into $(BUILD)/node; the .node file is copied next to the committed loader.
# test-node    build, fail when the committed index.d.ts / index.js differ from what the build
#              generates (run `make update-node-typings` to refresh them), then `node --test`.
# demo-node    examples/demo/demo.js, through examples/demo/gate.toml -> $(BUILD)/demo/node.txt

.PHONY: build-node build-node-fault test-node demo-node update-node-typings

NODE ?= node
NPM ?= npm
NODE_DIR := $(ROOT)/bindings/node
NODE_OUT := $(BUILD)/node
NAPI := $(NODE_DIR)/node_modules/.bin/napi

$(NAPI): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

# bindings/python/tests/test_oidc_provider.py runs node-oidc-provider from bindings/node/node_modules.
test-python: $(NAPI)

build-node: $(NAPI)
	@mkdir -p $(NODE_OUT)
	cd $(NODE_DIR) && $(NAPI) build --platform --release --output-dir $(NODE_OUT)
	cp $(NODE_OUT)/*.node $(NODE_DIR)/

# The binding once more with the test-only `fault-injection` feature (a debug build) for
# test/fault.test.js; bindings/node keeps the normal binary.
NODE_FAULT_OUT := $(BUILD)/node-fault

build-node-fault: $(NAPI)
	@mkdir -p $(NODE_FAULT_OUT)
	cd $(NODE_DIR) && $(NAPI) build --platform --features fault-injection --output-dir $(NODE_FAULT_OUT)

test-node: build-node build-node-fault
	@for f in index.d.ts index.js; do \
	  if ! diff -u $(NODE_DIR)/$$f $(NODE_OUT)/$$f; then \
	    echo "bindings/node/$$f is stale: run 'make update-node-typings' and commit it" >&2; exit 1; \
	  fi; \
	done
	@echo "bindings/node: index.d.ts and index.js match the build"
	PORTCULLIS_FAULT_NODE=$$(ls $(NODE_FAULT_OUT)/*.node | head -n1) $(NODE) --test $(NODE_DIR)/test/

demo-node: build-node
	@mkdir -p $(BUILD)/demo
	@env $(DEMO_ENV) $(NODE) $(ROOT)/examples/demo/demo.js $(DEMO_GATE) > $(BUILD)/demo/node.txt

update-node-typings: build-node
	cp $(NODE_OUT)/index.d.ts $(NODE_OUT)/index.js $(NODE_DIR)/
