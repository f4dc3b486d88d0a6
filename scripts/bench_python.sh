#!/usr/bin/env bash
# The Python package's throughput next to the Rust side and dm_control, in one run on one
# machine (issue 13): `ocellus bench envs` (Rust-only EnvPool), scripts/bench_python.py (the
# same pools stepped from Python, and verifiers against pure Python), then dm_control's fastest
# rendering (scripts/bench_dmc.py --configs fast). JSON goes to target/bench/.
# Not part of CI (it installs dm_control into a cached venv the first time).
# Usage: scripts/bench_python.sh [seconds per figure, default 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-3}"
tasks="cartpole-swingup,reacher-easy,finger-spin"
mkdir -p target/bench
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty')"
bin/ocellus --version >/dev/null  # builds the release binary first
eval "$(bin/setup-python)"
(cd crates/ocellus-py && maturin develop --release --quiet)
for per_thread in 8 16; do
  echo
  echo "== Rust EnvPool, 2 threads x $per_thread envs"
  bin/ocellus bench envs --tasks "$tasks" --seconds "$seconds" --threads 2 \
    --envs-per-thread "$per_thread" --json "target/bench/rust_envs_$per_thread.json"
done
echo
echo "== the same pools from Python, and verifiers against pure Python"
python scripts/bench_python.py --seconds "$seconds" --tasks "$tasks" --threads 2 \
  --envs-per-thread 8,16 --json target/bench/python.json
echo
echo "== dm_control, fastest rendering, one core"
dmc_python="$(scripts/setup_dmc_venv.sh | tail -n 1)"
"$dmc_python" scripts/bench_dmc.py --seconds "$seconds" --tasks ${tasks//,/ } --configs fast \
  --json target/bench/dmc_fast.json
