#!/usr/bin/env bash
# Installs a cargo tool from its crates.io source with one dependency pinned
# back, because the tool's own lock file needs a newer rustc (or a yanked
# crate). Usage: install-crate.sh CRATE VERSION PIN_CRATE PIN_VERSION
set -euo pipefail
crate=$1 version=$2 pin=$3 pin_version=$4
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

mkdir -p "$scratch/fetch/src"
cat > "$scratch/fetch/Cargo.toml" <<TOML
[package]
name = "fetch-$crate"
version = "0.0.0"
edition = "2021"
[dependencies]
$crate = "=$version"
[workspace]
TOML
touch "$scratch/fetch/src/lib.rs"
(cd "$scratch/fetch" && cargo fetch --quiet)

src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$crate-$version" | head -n1)
cp -r "$src" "$scratch/build"
chmod -R u+w "$scratch/build"
printf '\n[workspace]\n' >> "$scratch/build/Cargo.toml"
cd "$scratch/build"
cargo update -p "$pin" --precise "$pin_version"
CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  cargo install --path . --locked --root "${CARGO_HOME:-$HOME/.cargo}"
