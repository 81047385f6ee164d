# Python binding: PyO3 extension built with maturin into $(ROOT)/.venv, tested with pytest and
# checked against its typed stubs with mypy's stubtest.

.PHONY: build-python build-python-fault test-python demo-python

VENV := $(ROOT)/.venv
VENV_PY := $(VENV)/bin/python
PY_DIR := $(ROOT)/bindings/python
PY_STAMP := $(VENV)/.portcullis-tools

$(VENV_PY):
	$(PYTHON) -m venv $(VENV)

# Build and test tools only (the binding itself has no Python dependency).
$(PY_STAMP): $(VENV_PY) $(PY_DIR)/requirements-dev.txt
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r $(PY_DIR)/requirements-dev.txt
	@touch $@

build-python: $(PY_STAMP)
	cd $(PY_DIR) && VIRTUAL_ENV=$(VENV) PATH="$(VENV)/bin:$$PATH" \
	  $(VENV)/bin/maturin develop --release --quiet

# The binding once more with the test-only `fault-injection` feature (a debug build), as a package
# folder of its own for tests/test_fault.py; the .venv keeps the normal binding.
PY_FAULT_DIR := $(BUILD)/python-fault

build-python-fault:
	$(CARGO) build -p portcullis-python --features fault-injection
	rm -rf $(PY_FAULT_DIR) && mkdir -p $(PY_FAULT_DIR)
	cp -r $(PY_DIR)/python/portcullis $(PY_FAULT_DIR)/
	rm -f $(PY_FAULT_DIR)/portcullis/*.so
	cp -f $(or $(CARGO_TARGET_DIR),$(ROOT)/target)/debug/lib_portcullis.so $(PY_FAULT_DIR)/portcullis/_portcullis.abi3.so

test-python: build-python build-python-fault
	cd $(ROOT) && PORTCULLIS_FAULT_PYTHONPATH=$(PY_FAULT_DIR) $(VENV_PY) -m pytest $(PY_DIR)/tests -q
	@# Typings drift: the stubs must match the native module exactly (no allowlist needed).
	@# (run from $(BUILD)/mypy: stubtest writes its .mypy_cache into the working directory)
	mkdir -p $(BUILD)/mypy && cd $(BUILD)/mypy && $(VENV_PY) -m mypy.stubtest portcullis
	@# The stubs must also type-check real use: the tests and the demo, strictly; and so must
	@# the framework adapters (checked as the installed package's modules).
	cd $(ROOT) && MYPY_CACHE_DIR=$(BUILD)/mypy-cache $(VENV_PY) -m mypy --strict \
	  $(PY_DIR)/tests examples/demo/demo.py
	cd $(ROOT) && MYPY_CACHE_DIR=$(BUILD)/mypy-cache $(VENV_PY) -m mypy --strict \
	  $(foreach m,_adapter _asgi fastapi starlette flask wsgi,-m portcullis.$(m))

demo-python: build-python
	@mkdir -p $(BUILD)/demo
	@env $(DEMO_ENV) $(VENV_PY) $(ROOT)/examples/demo/demo.py $(DEMO_GATE) > $(BUILD)/demo/python.txt
