# Python binding: PyO3 extension built with maturin into $(ROOT)/.venv, tested with pytest and
# checked against its typed stubs with mypy's stubtest.

.PHONY: build-python test-python demo-python

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

test-python: build-python
	cd $(ROOT) && $(VENV_PY) -m pytest $(PY_DIR)/tests -q
	@# Typings drift: the stubs must match the native module exactly (no allowlist needed).
	@# (run from $(BUILD)/mypy: stubtest writes its .mypy_cache into the working directory)
	mkdir -p $(BUILD)/mypy && cd $(BUILD)/mypy && $(VENV_PY) -m mypy.stubtest portcullis
	@# The stubs must also type-check real use: the tests and the demo, strictly.
	cd $(ROOT) && MYPY_CACHE_DIR=$(BUILD)/mypy-cache $(VENV_PY) -m mypy --strict \
	  $(PY_DIR)/tests examples/demo/demo.py

demo-python: build-python
	@mkdir -p $(BUILD)/demo
	@env $(DEMO_ENV) $(VENV_PY) $(ROOT)/examples/demo/demo.py $(DEMO_GATE) > $(BUILD)/demo/python.txt
