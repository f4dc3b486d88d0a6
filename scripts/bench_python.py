#!/usr/bin/env python3
"""Throughput of the Python package against the Rust side and against pure Python (issue 13).

1. Environments: rendered 84x84 steps/s of `ocellus.VectorEnv` stepped from Python (random
   actions from a precomputed table, as `ocellus bench envs` uses) for N = threads x
   envs-per-thread copies, next to the Rust-only `EnvPool` figure that `ocellus bench envs`
   prints for the same task, N and threads (run by scripts/bench_python.sh in the same run).
2. Verifiers: completions graded per second by `ocellus.rewards.score` (one native call per
   batch; on one thread and on all) against a pure-Python implementation of the same reward,
   checked to give the same score on every benchmark input first.

Usage (the project venv, after `maturin develop --release`):
  python scripts/bench_python.py [--seconds 3] [--tasks cartpole-swingup,...]
      [--threads 2] [--envs-per-thread 8,16] [--json target/bench/python.json]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import time

import numpy as np

import ocellus


def bench_vector_env(task: str, num_envs: int, threads: int, seconds: float) -> float:
    envs = ocellus.make_vec(task, num_envs, num_threads=threads, seed=0)
    rng = np.random.default_rng(7)
    table = rng.uniform(-1, 1, size=(64, num_envs, envs.single_action_space.shape[0]))
    table = table.astype(np.float32)
    envs.reset()

    def run(budget: float) -> float:
        start, calls = time.perf_counter(), 0
        while True:
            for k in range(64):
                envs.step(table[k])
            calls += 64
            elapsed = time.perf_counter() - start
            if elapsed >= budget:
                return calls * num_envs / elapsed

    run(min(seconds, 0.3))  # warm-up
    return run(seconds)


# ---- pure-Python references of two verifiers, for inputs in the forms generated below ------

_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.S)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def py_numeric(completion: str, gold: str) -> float:
    """VLM-R1's numeric reward: the <answer> block as a number, within 1e-9 of the gold."""
    blocks = _ANSWER.findall(completion)
    if not blocks:
        return 0.0
    try:
        a, b = float(blocks[-1].strip()), float(gold)
    except ValueError:
        return 0.0
    return 1.0 if abs(a - b) <= 1e-9 + 1e-9 * abs(b) else 0.0


def py_iou(completion: str, gold: str) -> float:
    """Box IoU (continuous coordinates) of the <answer> box against the gold box."""
    blocks = _ANSWER.findall(completion)
    if not blocks:
        return 0.0
    a = [float(x) for x in _NUMBER.findall(blocks[-1])]
    g = [float(x) for x in _NUMBER.findall(gold)]
    if len(a) != 4 or len(g) != 4:
        return 0.0
    ix = max(0.0, min(a[2], g[2]) - max(a[0], g[0]))
    iy = max(0.0, min(a[3], g[3]) - max(a[1], g[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (g[2] - g[0]) * (g[3] - g[1]) - inter
    return inter / union if union > 0 else 0.0


def inputs(task: str, n: int):
    """n completions and string golds for a task's verifier: exact, perturbed and malformed."""
    rows = ocellus.tasks.generate(task, n, seed=1)
    rng = np.random.default_rng(3)
    completions, golds = [], []
    for i, row in enumerate(rows):
        ref = row["extra_info"]["reference_answer"]
        gold = row["reward_model"]["ground_truth"]
        kind = i % 4
        if kind == 0:
            answer = ref
        elif kind == 1 and task == "counting":
            answer = str(int(ref) + int(rng.integers(1, 3)))
        elif kind == 1:
            box = json.loads(ref)
            answer = json.dumps([v + int(rng.integers(-8, 9)) for v in box])
        elif kind == 2:
            completions.append(f"<think>no answer {i}</think>")
            golds.append(gold)
            continue
        else:
            answer = ref
        completions.append(f"<think>step {i}</think><answer>{answer}</answer>")
        golds.append(gold)
    return completions, golds


def bench_verifier(name: str, reference, task: str, n: int, seconds: float) -> dict:
    completions, golds = inputs(task, n)
    native = ocellus.rewards.score(name, completions, golds)
    python = np.array([reference(c, g) for c, g in zip(completions, golds)])
    mismatch = np.flatnonzero(np.abs(native - python) > 1e-12)
    if len(mismatch):
        i = mismatch[0]
        raise SystemExit(f"{name}: reference disagrees on {completions[i]!r} vs {golds[i]!r}: "
                         f"{native[i]} vs {python[i]}")

    def rate(fn) -> float:
        fn()  # warm-up
        start, calls = time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            fn()
            calls += 1
        return calls * n / (time.perf_counter() - start)

    out = {
        "verifier": name,
        "batch": n,
        "python_per_s": rate(lambda: [reference(c, g) for c, g in zip(completions, golds)]),
        "native_1_thread_per_s": rate(
            lambda: ocellus._native.score(name, completions, golds, parallel=False)),
        "native_all_threads_per_s": rate(lambda: ocellus.rewards.score(name, completions, golds)),
    }
    out["speedup_1_thread"] = out["native_1_thread_per_s"] / out["python_per_s"]
    out["speedup_all_threads"] = out["native_all_threads_per_s"] / out["python_per_s"]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--tasks", default="cartpole-swingup,reacher-easy,finger-spin")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--envs-per-thread", default="8,16")
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    report = {"envs": [], "verifiers": []}
    print(f"{'task':<20} {'envs':>5} {'threads':>7} {'python steps/s':>15}")
    for task in args.tasks.split(","):
        for per_thread in (int(x) for x in args.envs_per_thread.split(",")):
            n = per_thread * args.threads
            rate = bench_vector_env(task, n, args.threads, args.seconds)
            report["envs"].append({"task": task, "num_envs": n, "threads": args.threads,
                                   "python_steps_per_sec": rate})
            print(f"{task:<20} {n:>5} {args.threads:>7} {rate:>15,.0f}")
    print()
    print(f"{'verifier':<10} {'batch':>6} {'pure Python/s':>14} {'native 1 thr/s':>15} "
          f"{'native all/s':>13} {'x (1 thr)':>10} {'x (all)':>8}")
    for name, ref, task in [("numeric", py_numeric, "counting"), ("iou", py_iou, "grounding")]:
        r = bench_verifier(name, ref, task, args.batch, args.seconds)
        report["verifiers"].append(r)
        print(f"{name:<10} {r['batch']:>6} {r['python_per_s']:>14,.0f} "
              f"{r['native_1_thread_per_s']:>15,.0f} {r['native_all_threads_per_s']:>13,.0f} "
              f"{r['speedup_1_thread']:>10.1f} {r['speedup_all_threads']:>8.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
