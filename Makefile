# nks-edge: build, test and run what a fresh machine (Rust, Node 20, npm) can.
# Every target installs what it needs first.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
WASM_TARGET := wasm32-unknown-unknown
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
PKG := js/pkg
WASM := $(PKG)/nks_edge_bg.wasm
POLICY_PKG := js/pkg-policy
POLICY_WASM := $(POLICY_PKG)/nks_edge_bg.wasm
WORKER_PKG := js/pkg-worker
WORKER_WASM := $(WORKER_PKG)/nks_edge_bg.wasm
WASM_BINDGEN_FLAGS := --target web --remove-name-section --remove-producers-section --out-name nks_edge
export WRANGLER_SEND_METRICS := false

.PHONY: help demo bench bench-boundary tools rust-tools js-tools browser-tools lint test test-native test-wasm test-js build wasm emulator

help:
	@echo "make demo   run the main job against the local emulator (no account needed)"
	@echo "make test   lint and run every test"
	@echo "make build  the optimized .wasm, with its raw and gzip sizes"
	@echo "make bench  sizes, cold start, per-call overhead and tick cost, against their targets"

## The two commands of the README --------------------------------------------

# The Worker in workerd, against the emulator: a plan, its application, a second tick,
# a holiday tick, kubeconfigs over HTTP.
demo: rust-tools js/node_modules/.installed
	@mkdir -p target
	@echo "Building the emulator and the wasm (the first time takes a few minutes)..."
	@$(MAKE) --no-print-directory emulator wasm > target/demo-build.log 2>&1 || { cat target/demo-build.log; exit 1; }
	@scripts/with-emulator.sh node js/demo/demo.mjs

# One table: sizes, cold start, per-call overhead against plain JS, cron tick cost.
bench: build
	cargo build --release -p nks-emulator
	node bench/run.mjs
	@$(MAKE) --no-print-directory bench-boundary

# Issue #12: gloo-net's Request vs the direct fetch binding, serde-wasm-bindgen vs JSON
# text (bench/boundary/, its own workspace): one module per variant, each built alone
# and put through wasm-bindgen + wasm-opt as the package is, in target/boundary/<variant>/.
BOUNDARY_VARIANTS := transport-direct transport-gloo values-json values-swb values-packed
bench-boundary: rust-tools js/node_modules/.installed
	cargo build --release -p nks-emulator
	@for variant in $(BOUNDARY_VARIANTS); do \
		cargo build --release --target $(WASM_TARGET) --manifest-path bench/boundary/Cargo.toml \
			--target-dir target/boundary/cargo --features $$variant; \
		$(call bindgen,target/boundary/cargo/$(WASM_TARGET)/release/nks_edge_boundary.wasm,target/boundary/$$variant,-Oz); \
	done
	node bench/boundary.mjs

## Installs -------------------------------------------------------------------

tools: rust-tools js-tools browser-tools

rust-tools:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (the version in Cargo.lock)"; \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi

js-tools: js/node_modules/.installed js/test/node_modules/.installed

js/node_modules/.installed: js/package.json js/package-lock.json
	cd js && npm ci --no-audit --no-fund
	touch $@

js/test/node_modules/.installed: js/test/package.json js/test/package-lock.json
	cd js/test && npm ci --no-audit --no-fund
	touch $@

# Debian's Chromium, for the browser test (root on a fresh machine; CI runs as root).
browser-tools:
	@command -v chromium >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

## Build ----------------------------------------------------------------------

# The package's wasms: the API client (js/pkg/, the main entry) and the client with the
# policy functions (js/pkg-policy/, `nks-edge/policy`); the Worker's, with its routes, in
# js/pkg-worker/. wasm-bindgen and wasm-opt run only when cargo produced a newer module;
# the dashboard (js/dashboard/, static assets) gets the policy entry's browser files
# beside it. Also wrangler's build command.
wasm: rust-tools js/node_modules/.installed
	cargo build --release --target $(WASM_TARGET) -p nks-edge
	cargo build --release --target $(WASM_TARGET) -p nks-edge --features policy --target-dir target/policy
	cargo build --profile release-worker --target $(WASM_TARGET) -p nks-edge --features worker --target-dir target/worker
	@$(call bindgen,target/$(WASM_TARGET)/release/nks_edge.wasm,$(PKG),-Oz --converge)
	@$(call bindgen,target/policy/$(WASM_TARGET)/release/nks_edge.wasm,$(POLICY_PKG),-Oz --converge)
	@$(call bindgen,target/worker/$(WASM_TARGET)/release-worker/nks_edge.wasm,$(WORKER_PKG),-O3)
	@rm -rf js/dashboard/nks-edge
	@mkdir -p js/dashboard/nks-edge/policy js/dashboard/nks-edge/pkg-policy
	@cp js/core.mjs js/dashboard/nks-edge/
	@cp js/policy/browser.mjs js/policy/api.mjs js/dashboard/nks-edge/policy/
	@cp -r $(POLICY_PKG)/nks_edge.js $(POLICY_WASM) $(POLICY_PKG)/snippets js/dashboard/nks-edge/pkg-policy/

# $(call bindgen,module,out-dir,wasm-opt level): wasm-bindgen then wasm-opt, if the
# module is newer or was optimized at another level (noted in out-dir/.wasm-opt).
# The package's two are optimized for size (-Oz, run until it changes nothing: 1 KB
# gzip smaller for 5 s), the Worker for speed (-O3).
define bindgen
if [ "$(1)" -nt "$(2)/nks_edge_bg.wasm" ] || [ "$$(cat $(2)/.wasm-opt 2>/dev/null)" != "$(3)" ]; then \
	echo "wasm-bindgen + wasm-opt $(3) -> $(2)"; \
	wasm-bindgen $(WASM_BINDGEN_FLAGS) --out-dir $(2) $(1) && \
	js/node_modules/.bin/wasm-opt $(3) $(2)/nks_edge_bg.wasm -o $(2)/nks_edge_bg.wasm && \
	echo "$(3)" > $(2)/.wasm-opt; \
fi
endef

# The wasm, its sizes, and the Worker bundle as wrangler would upload it.
build: wasm
	@printf 'js/pkg/nks_edge_bg.wasm (npm package, nks-edge): %s bytes raw, %s bytes gzip\n' \
		"$$(wc -c < $(WASM))" "$$(gzip -9 -c $(WASM) | wc -c)"
	@printf 'js/pkg-policy/nks_edge_bg.wasm (npm package, nks-edge/policy): %s bytes raw, %s bytes gzip\n' \
		"$$(wc -c < $(POLICY_WASM))" "$$(gzip -9 -c $(POLICY_WASM) | wc -c)"
	@printf 'js/pkg-worker/nks_edge_bg.wasm (Worker): %s bytes raw, %s bytes gzip\n' \
		"$$(wc -c < $(WORKER_WASM))" "$$(gzip -9 -c $(WORKER_WASM) | wc -c)"
	@rm -rf target/worker-dry-run
	@js/node_modules/.bin/wrangler deploy --dry-run --outdir target/worker-dry-run 2>&1 \
		| tee target/wrangler-dry-run.log | grep -E 'Total Upload|--dry-run' || { cat target/wrangler-dry-run.log; exit 1; }

emulator:
	cargo build -p nks-emulator

## Tests ----------------------------------------------------------------------

lint: rust-tools
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p nks-edge --all-targets --features native -- -D warnings
	cargo clippy -p nks-edge --all-targets --target $(WASM_TARGET) -- -D warnings
	cargo clippy -p nks-edge --all-targets --target $(WASM_TARGET) --features policy -- -D warnings
	cargo clippy -p nks-edge --all-targets --target $(WASM_TARGET) --features worker -- -D warnings
	# The bench crate (its own workspace, run by hand in `make bench`) still builds
	# against the crate's public API.
	cargo clippy --manifest-path bench/boundary/Cargo.toml --target $(WASM_TARGET) --target-dir target/boundary/cargo --features transport-gloo -- -D warnings
	cargo clippy --manifest-path bench/boundary/Cargo.toml --target $(WASM_TARGET) --target-dir target/boundary/cargo --features values-swb -- -D warnings

test-native:
	cargo test --workspace

test-wasm: rust-tools emulator
	scripts/with-emulator.sh cargo test -p nks-edge --target $(WASM_TARGET) --test wasm_fetch --test wasm_zones --test wasm_instants --test wasm_answers --test wasm_values

# The package as users get it: Node, workerd (Miniflare), Chromium, Deno, and the types.
test-js: tools emulator wasm
	NKS_EMULATOR_ARGS="--op-delay-ms 50 --cors-origins=*" scripts/with-emulator.sh node --test --test-concurrency=1 js/test/
	cd js/test && node_modules/.bin/tsc -p tsconfig.json

test: tools lint test-native test-wasm build test-js doc fuzz-short

## The package and the API docs ----------------------------------------------

.PHONY: doc pack

# The API docs without warnings, natively and for wasm32 (as docs.rs builds them).
doc:
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p nks-edge --features native
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p nks-edge --target $(WASM_TARGET) --features native,worker,policy

# The npm tarball, as published, in target/ (prepack copies README, licenses, changelog).
pack: wasm
	cd js && npm pack --pack-destination ../target

## Fuzzing (cargo-fuzz on nightly, native; fuzz/ is its own workspace) ------------

FUZZ_TARGETS := model instants policy router access_keys
FUZZ_RUNS := 1000000
FUZZ_FLAGS := -runs=$(FUZZ_RUNS) -timeout=10 -rss_limit_mb=2048

.PHONY: fuzz fuzz-short fuzz-tools

fuzz-tools:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz

# Each target for $(FUZZ_RUNS) inputs, from fuzz/seeds/<target> and what earlier runs kept
# in fuzz/corpus/<target>. A failing input stops the run and is saved in
# fuzz/artifacts/<target>/: fix it, then add it to fuzz/regressions/<target>/ (cargo test
# replays those). Logs: target/fuzz-<target>.log.
fuzz: fuzz-tools
	@mkdir -p target
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$t; \
		cargo +nightly fuzz run --debug-assertions $$t fuzz/corpus/$$t fuzz/seeds/$$t -- $(FUZZ_FLAGS) \
			> target/fuzz-$$t.log 2>&1 || { tail -n 40 target/fuzz-$$t.log; exit 1; }; \
		echo "fuzz $$t: $$(grep -E '^Done [0-9]+ runs' target/fuzz-$$t.log)"; \
	done

# CI's bounded run: each target for 20,000 inputs or 20 seconds, whichever ends first.
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZ_RUNS=20000 FUZZ_FLAGS="-runs=20000 -max_total_time=20 -timeout=10 -rss_limit_mb=2048"
