#!/usr/bin/env bash
# The RLVR result runs of BENCHMARKS.md ("RLVR: warm start then GRPO"): each task x seed is one
# `ocellus rlvr train` run; two run side by side, one libtorch thread each.
# usage: scripts/rlvr_runs.sh OUT_DIR "task:difficulty:warm_steps:grpo_steps[:extra --set ...]" ...
set -euo pipefail
out=$1; shift
bin=${OCELLUS_BIN:-target/release/ocellus}
export OMP_NUM_THREADS=1
jobs=()
for spec in "$@"; do
  IFS=: read -r task diff warm grpo extra <<<"$spec"
  for seed in 1 2 3; do
    name="$task${extra:+-$(echo "$extra" | tr -dc 'a-z0-9_=' | tr '=' '-')}-s$seed"
    [ -e "$out/$name/config.toml" ] && continue
    jobs+=("$bin rlvr train --quiet --run-dir $out/$name --seed $seed --set task.name=$task \
      --set task.difficulty=$diff --set warm_start.steps=$warm --set grpo.steps=$grpo $extra")
  done
done
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} sh -c '{} > /dev/null 2>&1 || echo "failed: {}"'
