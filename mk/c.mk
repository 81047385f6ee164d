# C surface: the ffi crate as libportcullis.{a,so}, its pkg-config file, the C tests (under
# AddressSanitizer, LeakSanitizer and UBSan) and the C demo.
#
#   make build-c   cargo build --release -p portcullis-ffi; build/lib/libportcullis.{a,so};
#                  build/lib/pkgconfig/portcullis.pc
#   make test-c    build-c, the header drift check, the ABI check (abi-check), the C API tests (tests/c/test_api*.c,
#                  test_signatures*.c, test_webhook_payload.c, test_jwt*.c, test_mtls.c,
#                  test_jwks.c with the loopback http_server.c, test_gate*.c, test_dpop.c) and the vector
#                  runner (test_vectors.c + vectors_sig.c + vectors_jwt.c + vectors_mtls.c +
#                  vectors_jwks.c + vectors_gate.c + vectors_dpop.c over every case of
#                  tests/vectors/{apikey,basic,webhook,hmac,httpsig,jwt,jwks,gate,dpop}.json and
#                  tests/vectors/mtls/mtls.json; webhook verify cases with a body also through
#                  verify_payload)
#                  Then the same tests once more without sanitizers, under valgrind's memcheck
#                  (test-c-valgrind: any invalid read or write, use of uninitialised memory,
#                  or a definite or indirect leak fails), and the panic test (tests/c/test_fault.c) against a debug build of the
#                  library with the test-only `fault-injection` feature ($(BUILD)/c-fault): a
#                  forced panic in the core is PORTCULLIS_RESULT_PANIC, never an abort.
#   make tsan      the C API tests (their thread tests: 8 threads verifying while keys are inserted
#                  and revoked, key sets and gates reloaded, handles retained and freed) under
#                  ThreadSanitizer: nightly, with the library and std rebuilt with
#                  -Zsanitizer=thread (target/tsan). Not part of make test (a long build).
#   make abi-check the C ABI against ffi/abi.txt (tests/abi/check_abi.py, docs/C_ABI.md): additions
#                  need a minor version bump, removals and changes a breaking one; the .so exports
#                  exactly the header's functions. UPDATE_ABI=1 rewrites the record after a bump.
#   make demo-c    examples/demo/demo.c against the shared library, through examples/demo/gate.toml
#                  -> build/demo/c.txt

.PHONY: build-c test-c test-c-valgrind test-c-fault tsan demo-c abi-check

C_TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(ROOT)/target)
C_LIBDIR     := $(BUILD)/lib
C_PCDIR      := $(C_LIBDIR)/pkgconfig
C_OUT        := $(BUILD)/c
CC           ?= cc
C_PYTHON     ?= python3
C_VERSION    := $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' $(ROOT)/Cargo.toml | head -n1)

# pkg-config when the machine has it; the same flags spelled out otherwise.
C_PKG_CONFIG := $(shell command -v pkg-config 2>/dev/null)
ifneq ($(C_PKG_CONFIG),)
C_CFLAGS_PC = $(shell PKG_CONFIG_PATH=$(C_PCDIR) pkg-config --cflags portcullis)
C_LIBS_PC   = $(shell PKG_CONFIG_PATH=$(C_PCDIR) pkg-config --libs portcullis)
else
C_CFLAGS_PC = -I$(ROOT)/ffi/include
C_LIBS_PC   = -L$(C_LIBDIR) -lportcullis
endif

C_WARN   := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror
C_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g
# Tests link the static library (with its private dependencies).
C_STATIC  = $(C_LIBDIR)/libportcullis.a -lpthread -ldl -lm
C_UBSAN_OPTIONS := halt_on_error=1:print_stacktrace=1

build-c:
	$(CARGO) build --release -p portcullis-ffi
	@mkdir -p $(C_PCDIR)
	cp -f $(C_TARGET_DIR)/release/libportcullis_ffi.a $(C_LIBDIR)/libportcullis.a
	cp -f $(C_TARGET_DIR)/release/libportcullis_ffi.so $(C_LIBDIR)/libportcullis.so
	sed -e 's|@PREFIX@|$(BUILD)|' -e 's|@INCLUDEDIR@|$(ROOT)/ffi/include|' \
	    -e 's|@LIBDIR@|$(C_LIBDIR)|' -e 's|@VERSION@|$(C_VERSION)|' \
	    $(ROOT)/ffi/portcullis.pc.in > $(C_PCDIR)/portcullis.pc
	@echo "build-c: $(C_LIBDIR)/libportcullis.{a,so}, $(C_PCDIR)/portcullis.pc"

C_VECTOR_FILES := $(addprefix $(ROOT)/tests/vectors/,apikey.json basic.json webhook.json hmac.json httpsig.json jwt.json jwks.json mtls/mtls.json gate.json oauth_rs.json dpop.json)
C_API_TESTS    := $(addprefix $(ROOT)/tests/c/,test_api.c test_api_edges.c test_api_threads.c test_signatures.c test_signatures_edges.c test_signatures_threads.c test_webhook_payload.c test_jwt.c test_jwt_edges.c test_jwt_threads.c test_mtls.c test_jwks.c test_gate.c test_gate_verifier.c test_gate_threads.c test_dpop.c http_server.c)
C_VECTOR_SRCS  := $(addprefix $(ROOT)/tests/c/,test_vectors.c vectors_sig.c vectors_jwt.c vectors_mtls.c vectors_jwks.c vectors_gate.c vectors_dpop.c http_server.c)

$(C_OUT)/vectors_table.h: $(ROOT)/tests/c/gen_vectors.py $(C_VECTOR_FILES)
	@mkdir -p $(C_OUT)
	$(C_PYTHON) $(ROOT)/tests/c/gen_vectors.py $@ $(C_VECTOR_FILES)

# LeakSanitizer needs ptrace-like powers (it stops the world from a helper thread); some
# sandboxes refuse them. Probe with a program that leaks on purpose: if LSan does not report
# it, say so loudly and run with detect_leaks=0 instead of failing for the environment.
define c_lsan_probe
	@mkdir -p $(C_OUT)
	@printf '#include <stdlib.h>\nint main(void){void *volatile p = malloc(7); p = 0; (void)p; return 0;}\n' > $(C_OUT)/lsan_probe.c
	@$(CC) -fsanitize=address -g $(C_OUT)/lsan_probe.c -o $(C_OUT)/lsan_probe
	@if ASAN_OPTIONS=detect_leaks=1 $(C_OUT)/lsan_probe > $(C_OUT)/lsan_probe.log 2>&1; then :; fi; \
	if grep -q 'detected memory leaks' $(C_OUT)/lsan_probe.log; then \
	  echo detect_leaks=1 > $(C_OUT)/asan_options; echo "test-c: LeakSanitizer works here: detect_leaks=1"; \
	else \
	  echo detect_leaks=0 > $(C_OUT)/asan_options; \
	  echo "test-c: WARNING: LeakSanitizer cannot run in this environment (probe output below); leak checks are OFF"; \
	  sed 's/^/  lsan-probe: /' $(C_OUT)/lsan_probe.log; \
	fi
endef

# The fault-injection library: a debug build (the dev profile's dependencies are the ones
# `cargo test` built), copied out at once, so the release libportcullis.a that users and the
# other tests link never carries the hook.
C_FAULT_LIB := $(BUILD)/c-fault/libportcullis-fault.a

test-c-fault:
	@mkdir -p $(C_OUT) $(BUILD)/c-fault
	$(CARGO) build -p portcullis-ffi --features fault-injection
	cp -f $(C_TARGET_DIR)/debug/libportcullis_ffi.a $(C_FAULT_LIB)
	$(CC) $(C_WARN) $(C_SAN) -I$(ROOT)/ffi/include -I$(ROOT)/tests/c $(ROOT)/tests/c/test_fault.c -pthread \
	  -o $(C_OUT)/test_fault $(C_FAULT_LIB) -lpthread -ldl -lm
	ASAN_OPTIONS=$$(cat $(C_OUT)/asan_options 2>/dev/null || echo detect_leaks=0):abort_on_error=0 \
	  UBSAN_OPTIONS=$(C_UBSAN_OPTIONS) $(C_OUT)/test_fault

# The C tests without sanitizers (valgrind and ASan cannot share a process), under memcheck.
C_VG_OUT  := $(BUILD)/c-valgrind
C_VG_CC   := $(CC) $(C_WARN) -g -O1 $(C_CFLAGS_PC) -I$(ROOT)/tests/c
VALGRIND  ?= valgrind
C_VG_RUN  := $(VALGRIND) -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --show-leak-kinds=definite,indirect --track-origins=no

test-c-valgrind: build-c $(C_OUT)/vectors_table.h
	@command -v $(VALGRIND) >/dev/null || if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y --no-install-recommends valgrind; \
	else echo "test-c-valgrind: valgrind is missing: sudo apt-get install -y valgrind" >&2; exit 1; fi
	@mkdir -p $(C_VG_OUT)
	$(C_VG_CC) $(C_API_TESTS) -pthread -o $(C_VG_OUT)/test_api $(C_STATIC)
	$(C_VG_CC) -I$(C_OUT) $(C_VECTOR_SRCS) -pthread -o $(C_VG_OUT)/test_vectors $(C_STATIC)
	$(C_VG_RUN) $(C_VG_OUT)/test_api
	$(C_VG_RUN) $(C_VG_OUT)/test_vectors

C_HOST        := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
C_TSAN_TARGET := $(or $(CARGO_TARGET_DIR),$(ROOT)/target)/tsan
C_TSAN_LIB    := $(C_TSAN_TARGET)/$(C_HOST)/debug/libportcullis_ffi.a

# gcc instruments the C tests; the runtime is the one nightly Rust ships for its own TSan builds
# (gcc's libtsan lacks the entry points the Rust side calls, such as __tsan_memcpy).
C_TSAN_RT     = $(shell rustc +nightly --print sysroot)/lib/rustlib/$(C_HOST)/lib/librustc-nightly_rt.tsan.a

tsan:
	@rustup component list --toolchain nightly --installed | grep -q '^rust-src' \
	  || rustup component add rust-src --toolchain nightly
	RUSTFLAGS="-Zsanitizer=thread" $(CARGO) +nightly build -Zbuild-std --target $(C_HOST) \
	  -p portcullis-ffi --target-dir $(C_TSAN_TARGET)
	@mkdir -p $(BUILD)/c-tsan
	cd $(BUILD)/c-tsan && $(CC) $(C_WARN) -fsanitize=thread -g -O1 -I$(ROOT)/ffi/include -I$(ROOT)/tests/c \
	  -c $(C_API_TESTS)
	$(CC) -o $(BUILD)/c-tsan/test_api $(BUILD)/c-tsan/*.o $(C_TSAN_LIB) \
	  -Wl,--whole-archive $(C_TSAN_RT) -Wl,--no-whole-archive -lpthread -ldl -lm -lrt -lstdc++
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $(BUILD)/c-tsan/test_api

test-c: build-c $(C_OUT)/vectors_table.h
	$(CARGO) test -p portcullis-ffi --test header
	@$(MAKE) --no-print-directory abi-check
	$(c_lsan_probe)
	$(CC) $(C_WARN) $(C_SAN) $(C_CFLAGS_PC) -I$(ROOT)/tests/c $(C_API_TESTS) -pthread -o $(C_OUT)/test_api $(C_STATIC)
	$(CC) $(C_WARN) $(C_SAN) $(C_CFLAGS_PC) -I$(ROOT)/tests/c -I$(C_OUT) $(C_VECTOR_SRCS) -pthread -o $(C_OUT)/test_vectors $(C_STATIC)
	ASAN_OPTIONS=$$(cat $(C_OUT)/asan_options):abort_on_error=0 UBSAN_OPTIONS=$(C_UBSAN_OPTIONS) $(C_OUT)/test_api
	ASAN_OPTIONS=$$(cat $(C_OUT)/asan_options):abort_on_error=0 UBSAN_OPTIONS=$(C_UBSAN_OPTIONS) $(C_OUT)/test_vectors
	@$(MAKE) --no-print-directory test-c-valgrind
	@$(MAKE) --no-print-directory test-c-fault

# The C ABI against its committed record, ffi/abi.txt (docs/C_ABI.md): an entry added needs a
# minor version bump, one removed or changed a breaking bump; the shared library exports exactly
# the functions the header declares. After the bump: UPDATE_ABI=1 make abi-check.
abi-check: build-c
	@command -v nm >/dev/null || { echo "abi-check: nm is missing: sudo apt-get install -y binutils" >&2; exit 1; }
	$(C_PYTHON) -m unittest -q $(ROOT)/tests/abi/test_check_abi.py
	$(C_PYTHON) $(ROOT)/tests/abi/check_abi.py $(ROOT)/ffi/include/portcullis.h $(ROOT)/ffi/abi.txt \
	  $(ROOT)/Cargo.toml $(C_LIBDIR)/libportcullis.so

demo-c: build-c
	@mkdir -p $(C_OUT) $(BUILD)/demo
	$(CC) $(C_WARN) -O2 $(C_CFLAGS_PC) $(ROOT)/examples/demo/demo.c -o $(C_OUT)/demo $(C_LIBS_PC) -Wl,-rpath,$(C_LIBDIR)
	@env $(DEMO_ENV) $(C_OUT)/demo $(DEMO_GATE) > $(BUILD)/demo/c.txt
