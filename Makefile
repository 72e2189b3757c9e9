# Usher: the two commands of the README are `make run` and `make test`.
# Everything else here is what they need: installing the tool chain once per machine.

SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

CARGO_LEPTOS_VERSION := 0.3.11
WASM_BINDGEN_VERSION := 0.2.130
TOOLS_DIR := $(HOME)/.cache/usher-tools
NODE_BIN := $(CURDIR)/end2end/node_modules/.bin
export PATH := $(NODE_BIN):$(HOME)/.cargo/bin:$(PATH)

.PHONY: run test tools rust-tools npm-tools chromium

run: rust-tools npm-tools
	cargo leptos build --release
	mkdir -p "$${USHER_DATA_DIR:-data}"
	LEPTOS_SITE_ROOT=target/site exec target/release/usher

test: tools
	bash end2end/scripts/test-all.sh

tools: rust-tools npm-tools chromium

# cargo-leptos and wasm-bindgen-cli must be built from source with two pinned
# dependencies on rustc 1.95 (see shared TOOLCHAIN.md); each is skipped when
# the right version is already installed.
rust-tools:
	rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	if ! cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)"; then
	  bash end2end/scripts/install-crate.sh cargo-leptos $(CARGO_LEPTOS_VERSION) cargo-util-schemas 0.14.1
	fi
	if ! wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)"; then
	  bash end2end/scripts/install-crate.sh wasm-bindgen-cli $(WASM_BINDGEN_VERSION) webpki-roots 1.0.10
	fi

npm-tools:
	if [ ! -x "$(NODE_BIN)/playwright" ] || [ end2end/package-lock.json -nt end2end/node_modules/.stamp ]; then
	  cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund && touch node_modules/.stamp
	fi

chromium:
	if [ ! -x /usr/bin/chromium ]; then
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
	fi
