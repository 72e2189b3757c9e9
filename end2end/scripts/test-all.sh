#!/usr/bin/env bash
# The whole test suite (`make test`): formatting and clippy, the Rust tests on
# SQLite and on PostgreSQL, then the release site under Playwright with a
# fresh database and maildev as Usher's SMTP server. Exits non-zero on any
# failure and ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
START=$(date +%s)
STEP="starting"
WORK=$(mktemp -d)
RUN_ID="r$$"
PIDS=()

cleanup() {
  local code=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  drop_test_databases
  rm -rf "$WORK"
  local secs=$(( $(date +%s) - START ))
  if [ "$code" -eq 0 ]; then
    echo "usher test: all steps passed in ${secs}s"
  else
    echo "usher test: FAILED at step '$STEP' after ${secs}s (exit $code)"
  fi
  exit "$code"
}
trap cleanup EXIT

# PostgreSQL for the tests: DATABASE_URL when it names PostgreSQL, else the local server.
case "${DATABASE_URL:-}" in
  postgres://*|postgresql://*) PG_URL=$DATABASE_URL ;;
  *) PG_URL="postgres://postgres@127.0.0.1:5432/postgres" ;;
esac
export USHER_TEST_POSTGRES_URL=$PG_URL USHER_TEST_RUN_ID=$RUN_ID

drop_test_databases() {
  command -v psql >/dev/null || return 0
  psql "$PG_URL" -Atc "select datname from pg_database where datname like 'usher_t_${RUN_ID}_%'" 2>/dev/null |
    while read -r db; do psql "$PG_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true; done
}

step() { STEP=$1; echo; echo "==> $1"; }

step "formatting"
cargo fmt --all --check

step "no import circles between modules"
python3 end2end/scripts/import-circles.py

step "clippy (server side)"
cargo clippy --all-targets -- -D warnings
step "clippy (browser side)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "the browser build pulls in no server crates"
forbidden=$(cargo tree -p frontend --target wasm32-unknown-unknown -e normal --prefix none |
  grep -E '^(usher-core|sea-orm|sea-query|sqlx|lettre|rcgen|argon2|tokio|axum) ' | sort -u || true)
if [ -n "$forbidden" ]; then echo "server-only crates in the wasm build:"; echo "$forbidden"; exit 1; fi

run_rust_tests() {
  # The HTTP tests render whole pages on the test's own thread; unoptimised
  # (test) builds of the views need more than the default 2 MiB of stack.
  export RUST_MIN_STACK=16777216
  if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --no-fail-fast
  else
    cargo test --no-fail-fast
  fi
}

step "Rust tests on SQLite"
USHER_TEST_BACKEND=sqlite run_rust_tests
step "Rust tests on PostgreSQL ($(echo "$PG_URL" | sed -E 's#//[^@]*@#//***@#'))"
USHER_TEST_BACKEND=postgres run_rust_tests

step "release build of the site"
cargo leptos build --release

step "end-to-end tests in Chromium"
SMTP_PORT=${USHER_E2E_SMTP_PORT:-1925}
MAIL_WEB_PORT=${USHER_E2E_MAIL_WEB_PORT:-1980}
HTTP_ADDR=${USHER_E2E_ADDR:-127.0.0.1:3900}
HTTPS_ADDR=${USHER_E2E_HTTPS_ADDR:-127.0.0.1:3943}
maildev --ip 127.0.0.1 --web-ip 127.0.0.1 -s "$SMTP_PORT" -w "$MAIL_WEB_PORT" > "$WORK/maildev.log" 2>&1 &
PIDS+=($!)
export USHER_DATA_DIR="$WORK/data" DATABASE_URL="sqlite://$WORK/data/usher.db"
export LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_ADDR="$HTTP_ADDR"
export USHER_SMTP_HOST=127.0.0.1 USHER_SMTP_PORT=$SMTP_PORT USHER_SMTP_SECURITY=none
export USHER_PUBLIC_URL="http://$HTTP_ADDR" USHER_HTTPS_ADDR="$HTTPS_ADDR"
target/release/usher seed --users 42
target/release/usher > "$WORK/server.log" 2>&1 &
PIDS+=($!)
(
  cd end2end
  USHER_BASE_URL="http://$HTTP_ADDR" USHER_HTTPS_URL="https://$HTTPS_ADDR" USHER_E2E_LOG="$WORK/server.log" USHER_E2E_SMTP_PORT="$SMTP_PORT" \
    USHER_MAILDEV_URL="http://127.0.0.1:$MAIL_WEB_PORT" npx playwright test
) || { echo "--- server log ---"; tail -n 50 "$WORK/server.log"; exit 1; }
STEP="done"
