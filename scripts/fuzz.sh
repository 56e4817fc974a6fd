#!/usr/bin/env bash
# Fuzzes scenario parsing, validation, the ledger, metrics and a short Monte Carlo run for a
# bounded time: scripts/fuzz.sh [SECONDS] (default 600). Installs cargo-fuzz when missing; the
# machine has only a stable toolchain, so RUSTC_BOOTSTRAP lets cargo-fuzz use its nightly flags.
# Seeds the corpus with the example and conformance scenarios. A crash leaves its input in
# fuzz/artifacts/scenario/: copy it into tests/fuzz_regressions/ so cargo test replays it.
# -a keeps debug assertions (integer overflow checks) on in the optimised fuzz build.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
mkdir -p fuzz/corpus/scenario
cp scenarios/*.toml tests/conformance/*.toml tests/fuzz_regressions/* fuzz/corpus/scenario/ 2>/dev/null || true
cd fuzz
RUSTC_BOOTSTRAP=1 cargo fuzz run scenario -O -a -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096
