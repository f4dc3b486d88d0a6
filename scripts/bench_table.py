#!/usr/bin/env python3
"""Prints the Markdown table of BENCHMARKS.md from the JSON that scripts/bench_envs.sh writes.

Usage: python3 scripts/bench_table.py [target/bench/ocellus_envs.json] [target/bench/dmc.json]
"""
import json
import sys

ours_path = sys.argv[1] if len(sys.argv) > 1 else "target/bench/ocellus_envs.json"
dmc_path = sys.argv[2] if len(sys.argv) > 2 else "target/bench/dmc.json"
ours = json.load(open(ours_path))
dmc = json.load(open(dmc_path))
by = {(r["task"], r["config"]): r["steps_per_s"] for r in dmc["results"]}
threads = ours["threads"]
print(f"| task | ocellus physics only | ocellus 1 env | pool, 1 thread | pool, {threads} threads | scaling "
      "| dm_control state | dm_control stock render | dm_control fast render | ocellus ÷ dm_control fast |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in ours["rows"]:
    t = r["task"]
    fast = by.get((t, "fast"))
    ratio = f"{r['rendered_steps_per_sec_1_thread'] / fast:,.0f}x" if fast else "-"
    def f(x):
        return "-" if x is None else f"{x:,.0f}"
    print(f"| {t} | {f(r['physics_steps_per_sec'])} | {f(r['rendered_steps_per_sec_1_thread'])} "
          f"| {f(r['pool_steps_per_sec_1_thread'])} | {f(r['pool_steps_per_sec_all_threads'])} "
          f"| {r['scaling']:.2f}x | {f(by.get((t, 'state')))} | {f(by.get((t, 'stock')))} | {f(fast)} | {ratio} |")
