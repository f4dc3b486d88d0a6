#!/usr/bin/env bash
# Environment throughput, ocellus next to dm_control, in one run on one machine.
# Prints the machine, then `ocellus bench envs`, then scripts/bench_dmc.py; JSON goes to
# target/bench/. Not part of CI (it installs dm_control into a cached venv the first time).
# Usage: scripts/bench_envs.sh [seconds per figure, default 3] [task ...]
#   (default tasks: the 13 native ones; e.g. `scripts/bench_envs.sh 3 walker-walk cheetah-run`)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-3}"
shift || true
ocellus_tasks=()
dmc_tasks=()
for t in "$@"; do ocellus_tasks+=(--tasks "$t"); done
if [[ $# -gt 0 ]]; then dmc_tasks=(--tasks "$@"); fi
mkdir -p target/bench
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty')"
bin/ocellus --version >/dev/null  # builds the release binary (and sets up libtorch) first
echo
bin/ocellus bench envs --seconds "$seconds" "${ocellus_tasks[@]}" --json target/bench/ocellus_envs.json
echo
python="$(scripts/setup_dmc_venv.sh | tail -n 1)"
nice -n 0 "$python" scripts/bench_dmc.py --seconds "$seconds" "${dmc_tasks[@]}" --json target/bench/dmc.json
