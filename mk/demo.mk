# The demo services (examples/services, docs/DEMO.md): a FastAPI, an Express and a C service, one
# gate (examples/services/gate.toml), driven over real loopback HTTP and HTTPS.
#
#   make demo-services        build what they need, then drive-demo-services
#   make drive-demo-services  run examples/services/drive.py against what is built: it writes the
#                             run folder ($(BUILD)/demo-services: fresh secrets, dev CA and
#                             certificates, API key records, the OAuth issuer's keys), starts the
#                             three services on free 127.0.0.1 ports, sends every case to each
#                             and prints one table; fails when they disagree or a status is not
#                             the expected one
#   make test-demo-services   the same, as a test (for make test), after type-checking the demo's
#                             Python (mypy --strict) and syntax-checking its JavaScript
#   make build-demo-server    the C service, $(BUILD)/c/services-server (OpenSSL's libssl-dev)

.PHONY: demo-services drive-demo-services test-demo-services build-demo-server demo-openssl-headers

DEMO_SERVICES_DIR := $(ROOT)/examples/services
DEMO_SERVER       := $(BUILD)/c/services-server
DEMO_RUN_DIR      := $(BUILD)/demo-services

# The C service needs OpenSSL's headers: installed when this runs as root with apt-get, otherwise
# the exact command is printed and the build stops.
demo-openssl-headers:
	@if ! printf '#include <openssl/ssl.h>\n' | $(CC) -E -x c - >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "== installing libssl-dev (OpenSSL headers for the C service)"; \
	    apt-get install -y --no-install-recommends libssl-dev \
	      || { apt-get update && apt-get install -y --no-install-recommends libssl-dev; }; \
	  else \
	    echo "demo: the C service needs OpenSSL's headers: sudo apt-get install libssl-dev" >&2; exit 1; \
	  fi; \
	fi

build-demo-server: build-c demo-openssl-headers
	@mkdir -p $(C_OUT)
	$(CC) $(C_WARN) -O2 $(C_CFLAGS_PC) $(DEMO_SERVICES_DIR)/c/server.c -o $(DEMO_SERVER) \
	  $(C_LIBS_PC) -lssl -lcrypto -Wl,-rpath,$(C_LIBDIR)

demo-services: build-demo-server build-python build-node
	@$(MAKE) --no-print-directory drive-demo-services

drive-demo-services:
	$(VENV_PY) $(DEMO_SERVICES_DIR)/drive.py --run-dir $(DEMO_RUN_DIR) --c-server $(DEMO_SERVER) \
	  --python $(VENV_PY) --node $(NODE)

DEMO_PYTHON_FILES := $(addprefix $(DEMO_SERVICES_DIR)/,drive.py cases.py credentials.py python/app.py python/tls_scope.py)

test-demo-services: build-demo-server build-python build-node
	cd $(DEMO_SERVICES_DIR) && MYPY_CACHE_DIR=$(BUILD)/mypy-cache $(VENV_PY) -m mypy --strict $(DEMO_PYTHON_FILES)
	$(NODE) --check $(DEMO_SERVICES_DIR)/node/app.js
	@$(MAKE) --no-print-directory drive-demo-services
