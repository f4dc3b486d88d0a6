#!/usr/bin/env python3
"""Measure dm_control's steps/s on this machine: state-only and rendered 84x84 from the pixel camera
(camera 0; quadruped 2, as DrQ-v2 and ocellus).

Configurations (one env.step with a uniform random action per measured step):
  state  env.step only (no pixels)
  stock  env.step + physics.render(84, 84, camera_id=0): stock visuals (shadows, 4x MSAA, floor
         reflection) and a new Camera/MjvScene per call, as typical users call it
  fast   env.step + camera.render() on one reused dm_control.mujoco.engine.Camera(physics, 84, 84, 0),
         with MSAA off (model.vis.quality.offsamples = 0, set before the GL context exists),
         shadows off (light_castshadow = 0) and reflections off (mat_reflectance = 0)
Each (task, config) gets a fresh env (MSAA only takes effect before the first render), a short
warm-up, then --seconds of measurement. Episode ends trigger env.reset(), counted in the time.

The process pins itself to one core (--cpu, default 0; llvmpipe's threads inherit the mask) so
the numbers are per core; run it under `nice` on a shared machine and treat them as provisional.

Usage (python = the venv from scripts/setup_dmc_venv.sh):
  nice -n 10 python scripts/bench_dmc.py [--json target/bench_dmc.json] [--seconds 5]
      [--tasks cartpole-swingup ...] [--configs state stock fast] [--gl egl|osmesa] [--cpu 0|-1]
      [--png target/bench_dmc_frames.png]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.metadata
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

from dmc_tasks import MUJOCO_TASKS, TASKS  # noqa: E402  (shared with validate_dmc.py)
ONE_PER_DOMAIN = ["cartpole-swingup", "pendulum-swingup", "acrobot-swingup", "point_mass-easy",
                  "reacher-easy", "ball_in_cup-catch", "finger-spin"]
CONFIGS = ["state", "stock", "fast"]
SIZE = 84


def make_env(task: str, config: str, seed: int):
    from dm_control import suite
    from dm_control.mujoco.engine import Camera

    domain, name = task.split("-", 1)
    env = suite.load(domain, name, task_kwargs={"random": seed})
    physics = env.physics
    camera_id = 2 if domain == "quadruped" else 0
    if config == "state":
        render = None
    elif config == "stock":
        def render():
            return physics.render(SIZE, SIZE, camera_id=camera_id)
    elif config == "fast":
        physics.model.vis.quality.offsamples = 0  # before the lazily created GL context
        physics.model.light_castshadow[:] = 0
        physics.model.mat_reflectance[:] = 0
        camera = Camera(physics, SIZE, SIZE, camera_id=camera_id)
        render = camera.render
    else:
        raise ValueError(config)
    return env, render


def run(task: str, config: str, seconds: float, warmup: float, seed: int) -> dict:
    import numpy as np

    env, render = make_env(task, config, seed)
    spec = env.action_spec()
    actions = np.random.default_rng(seed).uniform(spec.minimum, spec.maximum, size=(4096,) + spec.shape)
    env.reset()
    frame = None

    def loop(budget: float, min_steps: int):
        nonlocal frame
        n = resets = 0
        t0 = time.perf_counter()
        while True:
            ts = env.step(actions[n % len(actions)])
            if render is not None:
                frame = render()
            n += 1
            if ts.last():
                env.reset()
                resets += 1
            if n % 8 == 0 or render is not None:
                el = time.perf_counter() - t0
                if el >= budget and n >= min_steps:
                    return n, el, resets

    loop(warmup, 3)
    n, el, resets = loop(seconds, 10)
    row = {"task": task, "config": config, "steps": n, "seconds": round(el, 3),
           "steps_per_s": round(n / el, 1), "ms_per_step": round(1e3 * el / n, 3), "resets": resets}
    if frame is not None:
        row["frame_mean"] = round(float(frame.mean()), 2)
        row["_frame"] = frame
    return row


def save_png(path: Path, rows: list[dict], tasks: list[str], configs: list[str]) -> None:
    import numpy as np
    from PIL import Image

    cfgs = [c for c in configs if c != "state"]
    grid = np.zeros((len(cfgs) * SIZE, len(tasks) * SIZE, 3), np.uint8)
    for r in rows:
        if "_frame" in r:
            i, j = cfgs.index(r["config"]), tasks.index(r["task"])
            grid[i * SIZE:(i + 1) * SIZE, j * SIZE:(j + 1) * SIZE] = r["_frame"]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).resize((grid.shape[1] * 2, grid.shape[0] * 2), Image.NEAREST).save(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", nargs="+", default=TASKS, choices=TASKS + MUJOCO_TASKS, metavar="TASK",
                    help="default: the 13 native tasks; also: " + " ".join(MUJOCO_TASKS))
    ap.add_argument("--one-per-domain", action="store_true", help=f"only {' '.join(ONE_PER_DOMAIN)}")
    ap.add_argument("--configs", nargs="+", default=CONFIGS, choices=CONFIGS)
    ap.add_argument("--seconds", type=float, default=5.0, help="measured seconds per task and config")
    ap.add_argument("--warmup", type=float, default=0.5, help="warm-up seconds (plus >= 3 steps)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cpu", type=int, default=0, help="pin to this core; -1 = no pinning")
    ap.add_argument("--gl", default=os.environ.get("MUJOCO_GL", "egl"), choices=["egl", "osmesa", "glfw"])
    ap.add_argument("--json", default="target/bench_dmc.json", help="write results here")
    ap.add_argument("--png", default=None, help="optional: save the last frame of each rendered run as a grid")
    args = ap.parse_args()
    tasks = ONE_PER_DOMAIN if args.one_per_domain else args.tasks

    if args.cpu >= 0:
        os.sched_setaffinity(0, {args.cpu})  # before any GL context, so llvmpipe threads inherit it
    os.environ["MUJOCO_GL"] = args.gl
    import mujoco  # noqa: F401  (after MUJOCO_GL is set)

    load0 = os.getloadavg()
    meta = {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(shlex.quote(a) for a in [Path(sys.executable).name] + sys.argv),
        "dm_control": importlib.metadata.version("dm-control"),
        "mujoco": mujoco.__version__,
        "python": platform.python_version(),
        "cpu_model": cpu_model(),
        "affinity": sorted(os.sched_getaffinity(0)),
        "nice": os.nice(0),
        "MUJOCO_GL": args.gl,
        "LP_NUM_THREADS": os.environ.get("LP_NUM_THREADS"),
        "size": SIZE,
        "seconds": args.seconds,
        "loadavg_start": [round(x, 2) for x in load0],
        "note": "provisional: measured on a shared 2-core machine while others compile",
    }
    print(f"dm_control {meta['dm_control']}, mujoco {meta['mujoco']}, MUJOCO_GL={args.gl}, cpus {meta['affinity']}, "
          f"nice {meta['nice']}, load {meta['loadavg_start']}", flush=True)
    print(f"{'task':26s} " + " ".join(f"{c + ' steps/s':>15s}" for c in args.configs), flush=True)
    rows = []
    for task in tasks:
        cells = []
        for config in args.configs:
            try:
                r = run(task, config, args.seconds, args.warmup, args.seed)
            except Exception as e:  # report and go on (e.g. no GL)
                r = {"task": task, "config": config, "error": f"{type(e).__name__}: {e}"}
            rows.append(r)
            cells.append(f"{r['steps_per_s']:15.1f}" if "steps_per_s" in r else f"{'ERROR':>15s}")
        print(f"{task:26s} " + " ".join(cells), flush=True)
    meta["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]

    if args.png:
        save_png(Path(args.png), rows, tasks, args.configs)
        print(f"wrote {args.png} (rows: {[c for c in args.configs if c != 'state']})")
    for r in rows:
        r.pop("_frame", None)
    errors = [r for r in rows if "error" in r]
    for r in errors:
        print(f"error: {r['task']} {r['config']}: {r['error']}", file=sys.stderr)
    summary = {}
    for c in args.configs:
        v = [r["steps_per_s"] for r in rows if r["config"] == c and "steps_per_s" in r]
        if v:
            summary[c] = {"min": min(v), "median": sorted(v)[len(v) // 2], "max": max(v)}
    print("summary (steps/s): " + "; ".join(f"{c} median {s['median']:.0f} [{s['min']:.0f}-{s['max']:.0f}]"
                                            for c, s in summary.items()))
    print(f"load average {meta['loadavg_start']} -> {meta['loadavg_end']} (provisional numbers)")
    if args.json:
        p = Path(args.json)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps({"meta": meta, "summary": summary, "results": rows}, indent=1))
        print(f"wrote {p}")
    sys.stdout.flush()
    os._exit(1 if errors else 0)  # skip dm_control's atexit render-executor noise


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
