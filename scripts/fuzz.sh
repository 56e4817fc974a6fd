#!/usr/bin/env bash
# Fuzzes the three ways bytes reach shanglou for a bounded time each: a scenario file (parsing,
# validation, the ledger, metrics, policy checks and a short Monte Carlo run), `--set` values on
# a shipped scenario, and the CSV `irr` reads (reader, IRR solver, NPV, payback).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 200 s each, all three targets)
# Installs cargo-fuzz when missing; the machine has only a stable toolchain, so RUSTC_BOOTSTRAP
# lets cargo-fuzz use its nightly flags. Seeds each corpus from the examples. A crash leaves its
# input in fuzz/artifacts/TARGET/: copy it into tests/fuzz_regressions/ (scenario inputs) so
# cargo test replays it. -a keeps debug assertions (overflow checks) on in the optimised build.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-200}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario set irr_csv)
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
mkdir -p fuzz/corpus/scenario fuzz/corpus/set fuzz/corpus/irr_csv
cp scenarios/*.toml tests/conformance/*.toml tests/fuzz_regressions/* fuzz/corpus/scenario/ 2>/dev/null || true
printf 'factory.rent=30\nmix.factory=0.7\n' > fuzz/corpus/set/seed-1
printf 'factory.rent={ dist = "pert", min = 20, mode = 30, max = 35 }\nproject.kind=urban_renewal\n' > fuzz/corpus/set/seed-2
printf '\xEF\xBB\xBFa,b\r\n-100,-1000\r\n110,"1,200"\r\n' > fuzz/corpus/irr_csv/seed-1
printf 'mine,-100,230,-132\nplain,-100,110\n' > fuzz/corpus/irr_csv/seed-2
cd fuzz
for t in "${targets[@]}"; do
  echo "== fuzzing $t for $seconds s"
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" -O -a -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 2>&1 | tail -n 3
done
