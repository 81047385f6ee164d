# Rust: the core and every crate of the workspace.
#
#   make test-rust   rustfmt and clippy (warnings are errors), then every crate's tests
#   make miri        the C ABI's handle, buffer and panic-boundary code under Miri (nightly):
#                    the ffi crate's unit tests but the one that signs with aws-lc, which Miri
#                    cannot run (foreign C code). Installs the nightly miri and rust-src
#                    components when missing. Not part of make test: its first run builds a
#                    Miri sysroot and every dependency again (several minutes).

.PHONY: build-rust test-rust lint-rust miri

build-rust:
	$(CARGO) build --release -p portcullis

test-rust:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) test --workspace

miri:
	@rustup component list --toolchain nightly --installed | grep -q '^miri' \
	  || rustup component add miri rust-src --toolchain nightly
	$(CARGO) +nightly miri test -p portcullis-ffi --lib -- --skip jwt_key::
