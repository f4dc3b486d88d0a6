#!/usr/bin/env python3
"""Runs the learning-curve benchmark of BENCHMARKS.md and prints its tables.

Each (task, seed) is one `ocellus train` run with `run.threads=1`; `--parallel` runs (default 2,
one per core) go side by side, so every run's wall-clock is that of ONE core of the machine.

Usage:
  python3 scripts/learning_curves.py run [--preset cpu] [--out runs/curves] [--parallel 2]
        [--seeds 1,2,3] [--set KEY=VALUE ...] [TASK:FRAMES ...]   # default: issue 3's four tasks
  python3 scripts/learning_curves.py table [--out runs/curves]

`run` skips (task, seed) pairs whose run directory already holds a finished run, so an
interrupted benchmark continues where it stopped. `table` reads every run's eval.csv and the
`wall ...` line the CLI prints at the end, and prints Markdown: per task and evaluation frame,
the mean ± std over seeds of the 10-episode evaluation returns, each seed's value, and the
mean wall-clock.
"""
import argparse
import concurrent.futures as futures
import csv
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

DEFAULT_TASKS = [
    "cartpole-balance:50000",
    "cartpole-swingup:100000",
    "reacher-easy:100000",
    "ball_in_cup-catch:100000",
]
ROOT = Path(__file__).resolve().parent.parent


def run_one(binary, preset, overrides, task, frames, seed, out):
    run_dir = out / task / f"s{seed}"
    log = out / task / f"s{seed}.log"
    if (run_dir / "eval.csv").exists() and log.exists() and "wall " in log.read_text():
        return f"{task} s{seed}: already done"
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    if run_dir.exists():
        subprocess.run(["rm", "-rf", str(run_dir)], check=True)
    cmd = [str(binary), "train", "--task", task, "--preset", preset, "--frames", str(frames),
           "--seed", str(seed), "--run-dir", str(run_dir), "--set", "run.threads=1"]
    for kv in overrides:
        cmd += ["--set", kv]
    with open(log, "w") as f:
        f.write("command: " + " ".join(cmd) + "\n")
        f.flush()
        rc = subprocess.run(cmd, stdout=f, stderr=f, cwd=ROOT).returncode
    return f"{task} s{seed}: exit {rc}"


def cmd_run(args):
    binary = ROOT / "target" / "release" / "ocellus"
    if not binary.exists():
        sys.exit("build first: bin/ocellus --help (builds target/release/ocellus)")
    jobs = []
    for spec in args.tasks or DEFAULT_TASKS:
        task, frames = spec.split(":")
        for seed in args.seeds.split(","):
            jobs.append((task, int(frames), int(seed)))
    # Longest first, so the two cores finish together.
    jobs.sort(key=lambda j: -j[1])
    out = Path(args.out)
    with futures.ThreadPoolExecutor(args.parallel) as pool:
        for msg in pool.map(lambda j: run_one(binary, args.preset, args.set, *j, out), jobs):
            print(msg, flush=True)


def read_run(run_dir):
    with open(run_dir / "eval.csv") as f:
        evals = {int(r["env_frames"]): float(r["episode_return_mean"]) for r in csv.DictReader(f)}
    log = (run_dir.parent / f"{run_dir.name}.log").read_text()
    wall = re.search(r"wall (\d+)s: learner (\d+)s, eval (\d+)s.*post-seed loop ([\d.]+)%", log)
    return evals, wall


def cmd_table(args):
    out = Path(args.out)
    for task_dir in sorted(p for p in out.iterdir() if p.is_dir()):
        runs = sorted(p for p in task_dir.iterdir() if p.is_dir() and (p / "eval.csv").exists())
        if not runs:
            continue
        data = [(r.name, *read_run(r)) for r in runs]
        frames = sorted(set.intersection(*(set(e) for _, e, _ in data)))
        print(f"\n**{task_dir.name}** ({len(data)} seeds)\n")
        print("| frames | mean ± std over seeds | " + " | ".join(n for n, _, _ in data) + " |")
        print("|---:|---:|" + "---:|" * len(data))
        for fr in frames:
            vals = [e[fr] for _, e, _ in data]
            sd = statistics.pstdev(vals) if len(vals) > 1 else 0.0
            print(f"| {fr:,} | {statistics.mean(vals):.0f} ± {sd:.0f} | "
                  + " | ".join(f"{v:.0f}" for v in vals) + " |")
        walls = [w for _, _, w in data if w]
        if walls:
            mean = statistics.mean(int(w.group(1)) for w in walls)
            learner = statistics.mean(int(w.group(2)) for w in walls)
            share = statistics.mean(float(w.group(4)) for w in walls)
            print(f"\nwall-clock per run (one core): {mean / 60:.1f} min "
                  f"({mean / 3600:.2f} h), learner {learner / 60:.1f} min, "
                  f"non-learner share {share:.1f}%")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--preset", default="cpu")
    r.add_argument("--out", default="runs/curves")
    r.add_argument("--parallel", type=int, default=2)
    r.add_argument("--seeds", default="1,2,3")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="config override passed to every run (repeatable)")
    r.add_argument("tasks", nargs="*")
    t = sub.add_parser("table")
    t.add_argument("--out", default="runs/curves")
    args = p.parse_args()
    os.chdir(ROOT)
    {"run": cmd_run, "table": cmd_table}[args.cmd](args)


if __name__ == "__main__":
    main()
