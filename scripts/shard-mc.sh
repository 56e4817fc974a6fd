#!/usr/bin/env bash
# One shard of a Monte Carlo run on a cluster, or the merge at the end (docs/cluster.md).
#   scripts/shard-mc.sh run     # in each array task: SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (0-based)
#   scripts/shard-mc.sh merge   # once every task has finished
# Environment: SCENARIO (the scenario file), SHARDS (N), PATHS, SEED, OUT (a shared folder),
# SHANGLOU (the binary; default: shanglou on PATH). Shard K = index + 1 writes OUT/shard-K; the
# merge writes OUT/merged, the same files as the whole run.
set -euo pipefail
: "${SCENARIO:?set SCENARIO to the scenario file}"
: "${SHARDS:?set SHARDS to the number of shards}"
: "${OUT:?set OUT to a folder every task can write}"
PATHS=${PATHS:-100000}
SEED=${SEED:-20230207}
SHANGLOU=${SHANGLOU:-shanglou}
case "${1:-run}" in
  run)
    index=${SLURM_ARRAY_TASK_ID:-${JOB_COMPLETION_INDEX:?set SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX}}
    k=$((index + 1))
    exec "$SHANGLOU" mc "$SCENARIO" --paths "$PATHS" --seed "$SEED" --threads 0 \
      --shard "$k/$SHARDS" --out "$OUT/shard-$k"
    ;;
  merge)
    dirs=()
    for k in $(seq 1 "$SHARDS"); do dirs+=("$OUT/shard-$k"); done
    exec "$SHANGLOU" merge "${dirs[@]}" --out "$OUT/merged"
    ;;
  *)
    echo "usage: $0 run|merge" >&2
    exit 2
    ;;
esac
