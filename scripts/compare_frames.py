#!/usr/bin/env python3
"""Native frames next to dm_control's MuJoCo-rendered frames of the same states.

For each task, plays uniform random actions from a seeded reset in dm_control, renders the pixel
camera (0; quadruped 2, as DrQ-v2)
with MuJoCo's OpenGL renderer at the chosen steps, and asks `ocellus envs trace` (with a
"frames" request) for its own frames of the same episode (same seed and actions; the states
are equal, see docs/validation.md). Writes one PNG: a row per task, pairs of (ocellus,
dm_control) frames, and prints the mean absolute pixel difference of each pair.

Usage (python = the venv from scripts/setup_dmc_venv.sh; needs EGL or OSMesa):
  MUJOCO_GL=egl python scripts/compare_frames.py --ocellus target/release/ocellus \\
      --tasks walker-walk cheetah-run hopper-hop --out docs/img/mujoco_frames.png
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np


def dmc_frames(task: str, seed: int, actions: np.ndarray, at: list[int], size: int) -> dict[int, np.ndarray]:
    from dm_control import suite

    domain, name = task.split("-", 1)
    env = suite.load(domain, name, task_kwargs={"random": seed})
    env.reset()
    camera = 2 if domain == "quadruped" else 0  # DrQ-v2's pixel cameras; ocellus uses the same
    frames = {}
    if 0 in at:
        frames[0] = env.physics.render(size, size, camera_id=camera)
    for t, a in enumerate(actions, start=1):
        env.step(a)
        if t in at:
            frames[t] = env.physics.render(size, size, camera_id=camera)
    return frames


def native_frames(binary: str, task: str, seed: int, actions: np.ndarray, at: list[int], size: int) -> dict[int, np.ndarray]:
    request = {"task": task, "seed": seed, "actions": actions.tolist(), "frames": {"size": size, "at": at}}
    reply = subprocess.run([binary, "envs", "trace"], input=json.dumps(request), capture_output=True, text=True, check=True)
    out = {}
    for f in json.loads(reply.stdout)["frames"]:
        chw = np.frombuffer(bytes.fromhex(f["pixels"]), dtype=np.uint8).reshape(3, size, size)
        out[f["step"]] = chw.transpose(1, 2, 0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ocellus", default="target/release/ocellus")
    ap.add_argument("--tasks", nargs="+", default=["walker-walk", "cheetah-run", "hopper-hop"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--at", nargs="+", type=int, default=[0, 40, 120, 300])
    ap.add_argument("--size", type=int, default=168)
    ap.add_argument("--out", default="docs/img/mujoco_frames.png")
    args = ap.parse_args()
    os.environ.setdefault("MUJOCO_GL", "egl")
    from PIL import Image

    steps = max(args.at)
    rows = []
    print(f"{'task':16s} " + " ".join(f"step {t:>4d}" for t in args.at) + "   (mean |ocellus - dm_control| per channel, 0-255)")
    for task in args.tasks:
        rng = np.random.default_rng(10_000 + args.seed)
        from dm_control import suite

        domain, name = task.split("-", 1)
        spec = suite.load(domain, name).action_spec()
        actions = rng.uniform(spec.minimum, spec.maximum, size=(steps, spec.shape[0])).astype(np.float32)
        ours = native_frames(args.ocellus, task, args.seed, actions, args.at, args.size)
        theirs = dmc_frames(task, args.seed, actions, args.at, args.size)
        pairs, diffs = [], []
        for t in args.at:
            a, b = ours[t], theirs[t]
            diffs.append(float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean()))
            gap = np.full((args.size, 4, 3), 255, np.uint8)
            pairs.append(np.concatenate([a, gap, b], axis=1))
        print(f"{task:16s} " + " ".join(f"{d:9.1f}" for d in diffs))
        sep = np.full((args.size, 16, 3), 255, np.uint8)
        row = pairs[0]
        for p in pairs[1:]:
            row = np.concatenate([row, sep, p], axis=1)
        rows.append(row)
    sep = np.full((8, rows[0].shape[1], 3), 255, np.uint8)
    grid = rows[0]
    for r in rows[1:]:
        grid = np.concatenate([grid, sep, r], axis=0)
    Image.fromarray(grid).save(args.out)
    print(f"wrote {args.out}: per task, pairs (ocellus | dm_control) at steps {args.at}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
