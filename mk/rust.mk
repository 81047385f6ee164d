.PHONY: build-rust test-rust lint-rust

build-rust:
	$(CARGO) build --release -p portcullis

test-rust:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) test --workspace
