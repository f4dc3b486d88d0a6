#!/usr/bin/env python3
"""Validate ocellus's native control-suite tasks against the real dm_control.

For each task and seed this script plays one full episode of uniform random actions in
dm_control and asks the native side (`ocellus envs trace`, one JSON request on stdin, one JSON
reply on stdout) for the same thing, then reports:

  (a) reset:    native reset state for the seed vs dm_control's `env.reset()` state (seeding
                and reset distributions, incl. rejection sampling and targets, via observation);
  (b) dynamics: native rollout started from dm_control's exact initial state with the same
                actions; divergence at steps 1/10/100/1000, first step past 1e-6/1e-3/1e-1,
                reward agreement, returns, observation error;
  (c) one-step: every Nth step, the native state is re-synced to dm_control's and stepped once,
                separating per-step model error from chaotic amplification.

Usage (python = the venv from scripts/setup_dmc_venv.sh):
  python scripts/validate_dmc.py [--ocellus target/release/ocellus] [--out docs/validation.md]
      [--tasks cartpole-swingup finger-spin ...] [--seeds 0 1 2] [--one-step-every 10]
  python scripts/validate_dmc.py --dmc-only [--dump-dir target/dmc-traces]
      # dm_control half only: dumps trajectories (same JSON schema as the trace reply) and checks them

The trace protocol (request / reply) is documented in the module constants below and in
scripts/dmc_trace_stub.py, which implements it with dm_control itself (a self-test of this script:
`--ocellus scripts/dmc_trace_stub.py` must report zero divergence).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.metadata
import json
import os
import platform
import shlex
import subprocess
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("MUJOCO_GL", "disable")  # no rendering here; avoids GLFW/EGL probing noise

import numpy as np  # noqa: E402

from dmc_tasks import MUJOCO_TASKS, TASKS  # noqa: E402  (shared with the other script)
CHECKPOINTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
REPORT_CHECKPOINTS = [1, 10, 100, 1000]
THRESHOLDS = [1e-6, 1e-3, 1e-1]
REWARD_TOL = 1e-3
ACTION_SEED_OFFSET = 10_000  # action sequence for seed s is drawn from default_rng(10_000 + s)


# ------------------------------------------------------------------------------------------------
# dm_control side
# ------------------------------------------------------------------------------------------------


def load_env(task: str, seed: int):
    from dm_control import suite

    domain, name = task.split("-", 1)
    return suite.load(domain, name, task_kwargs={"random": seed})


def flat_observation(obs) -> list[float]:
    """dm_control's observation dict flattened in its own (OrderedDict) key order."""
    return np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in obs.values()]).tolist()


def target_of(task: str, physics) -> list[float] | None:
    """World-frame target the native side must be told about: reacher (x, y), finger-turn (x, z)."""
    if task.startswith("reacher-"):
        return physics.named.model.geom_pos["target", ["x", "y"]].tolist()
    if task.startswith("finger-turn"):
        return physics.named.model.site_pos["target", ["x", "z"]].tolist()
    return None  # finger-spin's target site is invisible and unused; other tasks have none


def random_actions(env, seed: int, n: int) -> np.ndarray:
    """Uniform [-1, 1] actions, rounded to float32 and held as float64.

    ocellus takes f32 actions (the trace request parses them as f32), so dm_control is driven with
    exactly the same, f32-representable values; otherwise the rounding alone would show up as a
    ~1e-9 per-step "model error".
    """
    spec = env.action_spec()
    rng = np.random.default_rng(ACTION_SEED_OFFSET + seed)
    return rng.uniform(-1.0, 1.0, size=(n,) + spec.shape).astype(np.float32).astype(np.float64)


def state_record(physics, obs) -> dict:
    return {
        "qpos": physics.data.qpos.tolist(),
        "qvel": physics.data.qvel.tolist(),
        "observation": flat_observation(obs),
    }


def n_constraint_rows(physics) -> int:
    """Active limit and contact rows (not the always-present dof frictionloss row of finger's spinner)."""
    import mujoco

    types = np.asarray(physics.data.efc_type[: physics.data.nefc])
    return int(np.sum(types != mujoco.mjtConstraint.mjCNSTR_FRICTION_DOF))


def dmc_rollout(task: str, seed: int, n_steps: int) -> dict:
    """One episode in dm_control; same schema as the native trace reply, plus extras.

    Extras: "seed", "target", "actions", "obs_keys" (key, size) and per-state "nefc" (number of
    active limit/tendon/contact rows at that state, i.e. during the next step's first sub-step;
    dof-frictionloss rows are not counted) and "ncon" (contacts).
    """
    env = load_env(task, seed)
    ts = env.reset()
    physics = env.physics
    assert ts.reward is None and ts.first()
    actions = random_actions(env, seed, n_steps)
    initial = state_record(physics, ts.observation)
    initial["target"] = target_of(task, physics)
    initial["nefc"] = n_constraint_rows(physics)
    initial["ncon"] = int(physics.data.ncon)
    steps = []
    for t in range(n_steps):
        ts = env.step(actions[t])
        rec = state_record(physics, ts.observation)
        rec["reward"] = float(ts.reward)
        rec["nefc"] = n_constraint_rows(physics)
        rec["ncon"] = int(physics.data.ncon)
        steps.append(rec)
    assert ts.last() or n_steps < 1000, "episode should end after 1000 steps"
    return {
        "task": task,
        "seed": seed,
        "target": initial["target"],
        "obs_keys": [[k, int(np.asarray(v).size)] for k, v in ts.observation.items()],
        "n_sub_steps": int(env._n_sub_steps),
        "na": int(physics.model.na),
        "physics_dt": float(physics.model.opt.timestep),
        "actions": actions.tolist(),
        "initial": initial,
        "steps": steps,
    }


def check_dmc_trace(tr: dict) -> list[str]:
    """Sanity checks on the extraction code; returns a list of problems (empty = fine)."""
    problems = []
    n_obs = sum(n for _, n in tr["obs_keys"])
    recs = [tr["initial"]] + tr["steps"]
    for i, r in enumerate(recs):
        if len(r["observation"]) != n_obs:
            problems.append(f"state {i}: observation length {len(r['observation'])} != {n_obs}")
            break
        if not np.all(np.isfinite(r["qpos"] + r["qvel"] + r["observation"])):
            problems.append(f"state {i}: non-finite values")
            break
    rewards = np.array([s["reward"] for s in tr["steps"]])
    if np.any(rewards < 0) or np.any(rewards > 1):
        problems.append("reward outside [0, 1]")
    task = tr["task"]
    if task.startswith(("reacher-", "finger-turn")) and tr["target"] is None:
        problems.append("missing target")
    # The observation must be a function of (qpos, qvel, target) that agrees with the state: spot
    # checks of the simple layouts.
    q, v, o = (np.array(recs[-1][k]) for k in ("qpos", "qvel", "observation"))
    if task.startswith("cartpole"):
        expect = [q[0], np.cos(q[1]), np.sin(q[1]), v[0], v[1]]
        if np.max(np.abs(o - expect)) > 1e-9:
            problems.append("cartpole observation layout unexpected")
    elif task.startswith("point_mass") or task.startswith("ball_in_cup"):
        if np.max(np.abs(o - np.concatenate([q, v]))) > 0:
            problems.append("position/velocity observation layout unexpected")
    return problems


# ------------------------------------------------------------------------------------------------
# native side
# ------------------------------------------------------------------------------------------------


class NativeError(RuntimeError):
    pass


class Native:
    def __init__(self, path: str, timeout: float):
        self.path = path
        self.timeout = timeout
        self.calls = 0
        self.seconds = 0.0

    def trace(self, task, seed, actions, qpos=None, qvel=None, target=None) -> dict:
        req = {"task": task, "seed": int(seed)}
        if qpos is not None:
            req["qpos"] = list(map(float, qpos))
        if qvel is not None:
            req["qvel"] = list(map(float, qvel))
        if target is not None:
            req["target"] = list(map(float, target))
        req["actions"] = [list(map(float, a)) for a in actions]
        t0 = time.perf_counter()
        try:
            cmd = [self.path, "envs", "trace"]
            if self.path.endswith(".py"):  # e.g. scripts/dmc_trace_stub.py, run with this interpreter
                cmd.insert(0, sys.executable)
            proc = subprocess.run(
                cmd,
                input=json.dumps(req),
                capture_output=True,
                text=True,
                timeout=self.timeout,
            )
        except subprocess.TimeoutExpired as e:
            raise NativeError(f"timeout after {self.timeout}s") from e
        finally:
            self.calls += 1
            self.seconds += time.perf_counter() - t0
        if proc.returncode != 0:
            raise NativeError(f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}")
        try:
            rep = json.loads(proc.stdout)
        except json.JSONDecodeError as e:
            raise NativeError(f"bad JSON on stdout ({e}): {proc.stdout[:200]!r}") from e
        if len(rep.get("steps", [])) != len(actions):
            raise NativeError(f"expected {len(actions)} steps, got {len(rep.get('steps', []))}")
        return rep


def maxabs(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return float("nan")  # shape mismatch; reported separately
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)))


def worst(values) -> float:
    """Max that propagates NaN (a shape mismatch must not disappear in a summary)."""
    v = np.asarray(list(values), dtype=np.float64)
    return float(np.max(v)) if v.size else 0.0


def per_key_error(keys, a, b) -> dict:
    """Max abs error per observation key (keys = [[name, size], ...] in dm_control order)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return {}
    out, i = {}, 0
    for name, n in keys:
        out[name] = float(np.max(np.abs(a[i:i + n] - b[i:i + n]))) if n else 0.0
        i += n
    return out


def shape_problems(native_rec: dict, dmc_rec: dict, where: str) -> list[str]:
    out = []
    for k in ("qpos", "qvel", "observation"):
        n, d = len(native_rec.get(k, [])), len(dmc_rec[k])
        if n != d:
            out.append(f"{where}: {k} has {n} values, dm_control {d}")
    return out


def compare_reset(native: Native, tr: dict) -> dict:
    rep = native.trace(tr["task"], tr["seed"], [])
    ni, di = rep["initial"], tr["initial"]
    res = {
        "qpos": maxabs(ni["qpos"], di["qpos"]),
        "qvel": maxabs(ni["qvel"], di["qvel"]),
        "observation": maxabs(ni["observation"], di["observation"]),
        "problems": shape_problems(ni, di, "reset"),
        "native_qpos": ni["qpos"],
        "dmc_qpos": di["qpos"],
    }
    if di["target"] is not None and "target" in ni:  # optional field in the native reply
        res["target"] = maxabs(ni["target"], di["target"])
    res["max"] = worst([res["qpos"], res["qvel"], res["observation"]])
    res["obs_by_key"] = per_key_error(tr["obs_keys"], ni["observation"], di["observation"])
    return res


def compare_dynamics(native: Native, tr: dict) -> dict:
    di = tr["initial"]
    rep = native.trace(tr["task"], tr["seed"], tr["actions"], di["qpos"], di["qvel"], di["target"])
    problems = shape_problems(rep["initial"], di, "initial(override)")
    eq, ev, eo, dr, rn, rd = [], [], [], [], [], []
    for t, (n, d) in enumerate(zip(rep["steps"], tr["steps"]), start=1):
        if t == 1:
            problems += shape_problems(n, d, "step 1")
        eq.append(maxabs(n["qpos"], d["qpos"]))
        ev.append(maxabs(n["qvel"], d["qvel"]))
        eo.append(maxabs(n["observation"], d["observation"]))
        rn.append(float(n["reward"]))
        rd.append(d["reward"])
        dr.append(abs(rn[-1] - rd[-1]))
    eq, ev, eo, dr = map(np.array, (eq, ev, eo, dr))
    es = np.fmax(eq, ev)
    n_steps = len(es)
    first = {}
    for thr in THRESHOLDS:
        idx = np.flatnonzero(~(es <= thr))  # NaN counts as exceeded
        first[f"{thr:g}"] = int(idx[0]) + 1 if idx.size else None
    ck = [c for c in CHECKPOINTS if c <= n_steps]
    res = {
        "problems": problems,
        "obs0": maxabs(rep["initial"]["observation"], di["observation"]),
        "obs0_by_key": per_key_error(tr["obs_keys"], rep["initial"]["observation"], di["observation"]),
        "state0": max(maxabs(rep["initial"]["qpos"], di["qpos"]), maxabs(rep["initial"]["qvel"], di["qvel"])),
        "qpos_at": {str(c): float(eq[c - 1]) for c in ck},
        "qvel_at": {str(c): float(ev[c - 1]) for c in ck},
        "obs_at": {str(c): float(eo[c - 1]) for c in ck},
        "first_exceed": first,
        "max_state": worst(es),
        "obs1_by_key": per_key_error(tr["obs_keys"], rep["steps"][0]["observation"], tr["steps"][0]["observation"]) if n_steps else {},
        "reward_agree": float(np.mean(dr < REWARD_TOL)) if n_steps else 1.0,
        "reward_first_mismatch": (int(np.flatnonzero(~(dr < REWARD_TOL))[0]) + 1) if np.any(~(dr < REWARD_TOL)) else None,
        "return_native": float(np.sum(rn)),
        "return_dmc": float(np.sum(rd)),
    }
    # Was a constraint (limit/contact/tendon/friction row) active shortly before divergence began?
    f = first["1e-06"]
    if f is not None:
        window = [tr["initial"]] + tr["steps"]
        lo = max(0, f - 3)
        res["constraints_near_first_exceed"] = [int(window[k]["nefc"]) for k in range(lo, f)]
    res["_curves"] = {"qpos": eq.tolist(), "qvel": ev.tolist(), "obs": eo.tolist(), "dreward": dr.tolist()}
    return res


def compare_one_step(native: Native, tr: dict, every: int) -> dict:
    states = [tr["initial"]] + tr["steps"]
    n_steps = len(tr["steps"])
    ts = list(range(0, n_steps, every))
    eq, ev, eo, dr, nefc = [], [], [], [], []
    by_key: dict[str, float] = {}
    for t in ts:
        s = states[t]
        rep = native.trace(tr["task"], tr["seed"], [tr["actions"][t]], s["qpos"], s["qvel"], tr["target"])
        n, d = rep["steps"][0], states[t + 1]
        eq.append(maxabs(n["qpos"], d["qpos"]))
        ev.append(maxabs(n["qvel"], d["qvel"]))
        eo.append(maxabs(n["observation"], d["observation"]))
        dr.append(abs(float(n["reward"]) - d["reward"]))
        nefc.append(s["nefc"])
        for k, e in per_key_error(tr["obs_keys"], n["observation"], d["observation"]).items():
            by_key[k] = max(by_key.get(k, 0.0), e)
    eq, ev, eo, dr, nefc = map(np.array, (eq, ev, eo, dr, nefc))
    es = np.fmax(eq, ev)
    con = nefc > 0

    def stat(x, mask=None):
        x = x if mask is None else x[mask]
        return {"max": worst(x), "median": float(np.median(x)), "n": int(x.size)} if x.size else None

    worst_i = int(np.argmax(np.nan_to_num(es, nan=np.inf))) if es.size else 0
    return {
        "every": every,
        "n": len(ts),
        "qpos": stat(eq),
        "qvel": stat(ev),
        "obs": stat(eo),
        "state_with_constraints": stat(es, con),
        "state_without_constraints": stat(es, ~con),
        "reward_mismatches": int(np.sum(~(dr < REWARD_TOL))),
        "obs_by_key": by_key,
        "worst_step": ts[worst_i] if ts else None,
    }


# ------------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------------


def fmt(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        if np.isnan(x):
            return "NaN"
        if x == 0:
            return "0"
        return f"{x:.1e}"
    return str(x)


def verdict(reset_max, one_step_max, obs_max) -> str:
    def grade(x, exact, close):
        if x is None or np.isnan(x):
            return "FAIL"
        return "exact" if x <= exact else ("close" if x <= close else "MISMATCH")

    r = grade(reset_max, 1e-12, 1e-6)
    o = grade(one_step_max, 1e-9, 1e-5)
    b = grade(obs_max, 1e-9, 1e-5)
    return f"reset {r}, step {o}, obs {b}"


def row_verdict(res: dict, rmax, os_max, obs_max, dyn: dict) -> str:
    """`verdict`, except that a model with actuator activations, which the one-step re-sync does not
    transfer, is judged on its free rollout from dm_control's initial state instead."""
    if res.get("na", 0) > 0 and os_max > 1e-9:
        rollout = worst(dyn.values())
        return verdict(rmax, rollout, rollout) + " (rollout; 1-step n/a: activations not re-synced)"
    return verdict(rmax, os_max, obs_max)


def versions() -> dict:
    import mujoco

    return {
        "dm_control": importlib.metadata.version("dm-control"),
        "mujoco": mujoco.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def git_rev(path: Path) -> str:
    try:
        rev = subprocess.run(["git", "-C", str(path), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(path), "status", "--porcelain"], capture_output=True, text=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except OSError:
        return "unknown"


def write_report(out: Path, meta: dict, results: dict) -> None:
    L = []
    w = L.append
    mujoco = all(t in MUJOCO_TASKS for t in results)
    w("# MuJoCo-backed tasks (ocellus-mujoco) vs dm_control\n" if mujoco else "# Native control-suite tasks vs dm_control\n")
    w("Generated by `scripts/validate_dmc.py`; the raw numbers are in "
      f"[`{out.with_suffix('.json').name}`]({out.with_suffix('.json').name}).")
    if not mujoco:
        w("The MuJoCo-backed tasks (walker, cheetah, hopper, humanoid, quadruped, manipulator) have their\n"
          "own report: [`validation_mujoco.md`](validation_mujoco.md).")
    w("")
    w(f"- date: {meta['date']}")
    w(f"- command: `{meta['command']}`")
    v = meta["versions"]
    w(f"- dm_control {v['dm_control']}, mujoco {v['mujoco']}, numpy {v['numpy']}, python {v['python']} ({v['platform']})")
    w(f"- ocellus: `{meta['ocellus']}` (repo {meta['git']}); {meta['native_calls']} trace calls, {meta['native_seconds']:.1f} s")
    w(f"- seeds {meta['seeds']}; {meta['episode_steps']} steps of uniform [-1, 1] actions drawn from "
      f"`np.random.default_rng({ACTION_SEED_OFFSET} + seed)` and rounded to f32 (both sides get the same values); one-step re-sync every {meta['one_step_every']} steps; "
      f"total wall time {meta['wall_seconds']:.0f} s\n")
    w("Errors are max |native − dm_control| over the vector (qpos, qvel: generalized coordinates; obs: the flat "
      "observation in dm_control's key order). *reset* compares the native reset for the seed with dm_control's "
      "`env.reset()`; *dyn@k* is the error after k steps when the native side starts from dm_control's exact initial "
      "state; *1-step* re-syncs the native state to dm_control's before each checked step. Verdict thresholds: reset "
      "exact ≤ 1e-12, close ≤ 1e-6; one-step state and observation (at the same initial state and after one re-synced "
      "step) exact ≤ 1e-9, close ≤ 1e-5; NaN = length mismatch.\n")

    w("## Summary (worst over seeds)\n")
    w("| task | reset | obs@0 | dyn@1 | dyn@10 | dyn@100 | dyn@1000 | first >1e-3 | 1-step | 1-step obs | reward agree | return dmc / native | verdict |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for task, res in results.items():
        if "error" in res:
            w(f"| {task} | ERROR: {res['error'][:120]} |||||||||||")
            continue
        runs = res["runs"]
        rmax = worst(r["reset"]["max"] for r in runs)
        obs0 = worst(r["dynamics"]["obs0"] for r in runs)
        dyn = {c: worst(max(r["dynamics"]["qpos_at"].get(c, 0), r["dynamics"]["qvel_at"].get(c, 0)) for r in runs) for c in map(str, REPORT_CHECKPOINTS)}
        firsts = [r["dynamics"]["first_exceed"]["0.001"] for r in runs]
        first = min((f for f in firsts if f is not None), default=None)
        os_max = worst(x for r in runs for x in (r["one_step"]["qpos"]["max"], r["one_step"]["qvel"]["max"]))
        os_obs = worst(r["one_step"]["obs"]["max"] for r in runs)
        agree = min(r["dynamics"]["reward_agree"] for r in runs)
        rd = np.mean([r["dynamics"]["return_dmc"] for r in runs])
        rn = np.mean([r["dynamics"]["return_native"] for r in runs])
        w(f"| {task} | {fmt(rmax)} | {fmt(obs0)} | {fmt(dyn['1'])} | {fmt(dyn['10'])} | {fmt(dyn['100'])} | {fmt(dyn['1000'])} | "
          f"{fmt(first)} | {fmt(os_max)} | {fmt(os_obs)} | {agree:.3f} | {rd:.1f} / {rn:.1f} | {row_verdict(res, rmax, os_max, worst([obs0, os_obs]), dyn)} |")
    w("")

    w("## Per task\n")
    for task, res in results.items():
        w(f"### {task}\n")
        if "error" in res:
            w(f"Native side failed: `{res['error']}`\n")
            continue
        problems = [p for r in res["runs"] for p in r["reset"]["problems"] + r["dynamics"]["problems"]]
        if problems:
            w("Shape problems: " + "; ".join(sorted(set(problems))) + "\n")
        w("| seed | reset qpos | reset qvel | reset obs | dyn qpos @1/10/100/1000 | dyn qvel @1/10/100/1000 | first >1e-6 / 1e-3 / 1e-1 | obs@1 | reward agree (first miss) | return dmc / native |")
        w("|---|---|---|---|---|---|---|---|---|---|")
        for r in res["runs"]:
            rs, dy = r["reset"], r["dynamics"]
            qa = "/".join(fmt(dy["qpos_at"].get(str(c))) for c in REPORT_CHECKPOINTS)
            va = "/".join(fmt(dy["qvel_at"].get(str(c))) for c in REPORT_CHECKPOINTS)
            fe = " / ".join(fmt(dy["first_exceed"][f"{t:g}"]) for t in THRESHOLDS)
            w(f"| {r['seed']} | {fmt(rs['qpos'])} | {fmt(rs['qvel'])} | {fmt(rs['observation'])} | {qa} | {va} | {fe} | "
              f"{fmt(dy['obs_at'].get('1'))} | {dy['reward_agree']:.3f} ({fmt(dy['reward_first_mismatch'])}) | "
              f"{dy['return_dmc']:.1f} / {dy['return_native']:.1f} |")
        w("")
        keyerr = {}
        for r in res["runs"]:
            for src in (r["reset"]["obs_by_key"], r["dynamics"]["obs1_by_key"], r["one_step"]["obs_by_key"]):
                for k, e in src.items():
                    keyerr[k] = max(keyerr.get(k, 0.0), e)
        if keyerr:
            w("Observation error by key (worst of reset, step 1 and one-step checks): "
              + ", ".join(f"`{k}` {fmt(e)}" for k, e in keyerr.items()) + "\n")
        w("| seed | 1-step qpos max / median | 1-step qvel max / median | 1-step obs max | with constraints max (n) | without max (n) | reward misses | worst step |")
        w("|---|---|---|---|---|---|---|---|")
        for r in res["runs"]:
            o = r["one_step"]
            wc, nc = o["state_with_constraints"], o["state_without_constraints"]
            w(f"| {r['seed']} | {fmt(o['qpos']['max'])} / {fmt(o['qpos']['median'])} | {fmt(o['qvel']['max'])} / {fmt(o['qvel']['median'])} | "
              f"{fmt(o['obs']['max'])} | {fmt(wc['max']) + ' (' + str(wc['n']) + ')' if wc else '—'} | "
              f"{fmt(nc['max']) + ' (' + str(nc['n']) + ')' if nc else '—'} | {o['reward_mismatches']}/{o['n']} | {o['worst_step']} |")
        w("")

    w("## Explanations\n")
    w("_To be filled in by the lead for every task whose verdict is not all `exact`._ "
      "Automatic observations from the data follow each placeholder.\n")
    for task, res in results.items():
        if "error" in res:
            w(f"- **{task}**: native side failed (`{res['error'][:200]}`). _Explanation: TODO_")
            continue
        notes = auto_notes(res)
        w(f"- **{task}**: _Explanation: TODO_")
        for n in notes:
            w(f"  - {n}")
    w("")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(L))


def auto_notes(res: dict) -> list[str]:
    notes = []
    runs = res["runs"]
    rmax = worst(r["reset"]["max"] for r in runs)
    if rmax > 1e-12 or np.isnan(rmax):
        bad = [r["seed"] for r in runs if not r["reset"]["max"] <= 1e-12]
        notes.append(f"reset differs (max {rmax:.1e}) for seeds {bad}: check the RandomState port, draw order and "
                     "rejection-sampling loop (and target draws, visible only through the observation).")
    echo = worst(r["dynamics"]["state0"] for r in runs)
    if echo > 0:
        notes.append(f"the native side echoes the override state with error {echo:.1e}: its JSON float parsing is "
                     "not round-trip exact (serde_json needs the `float_roundtrip` feature).")
    os_max = worst(x for r in runs for x in (r["one_step"]["qpos"]["max"], r["one_step"]["qvel"]["max"]))
    dyn_max = worst(r["dynamics"]["max_state"] for r in runs)
    if res.get("na", 0) > 0 and os_max > 1e-9:
        notes.append(f"the model has {res['na']} actuator activations (`act`, filter dynamics) that the one-step "
                     "re-sync does not transfer (the trace protocol sets qpos and qvel only), so its 1-step "
                     f"figure ({os_max:.1e}) compares different actuator states; the free rollout from "
                     f"dm_control's initial state, where they are zero, is the check (max {dyn_max:.1e}).")
    elif os_max <= 1e-9 and dyn_max > 1e-3:
        notes.append(f"one-step error ≤ {os_max:.1e} but the free rollout diverges to {dyn_max:.1e}: chaotic "
                     "amplification of round-off, not a model error.")
    elif os_max > 1e-9:
        wc = [r["one_step"]["state_with_constraints"] for r in runs if r["one_step"]["state_with_constraints"]]
        nc = [r["one_step"]["state_without_constraints"] for r in runs if r["one_step"]["state_without_constraints"]]
        wmax = max((x["max"] for x in wc), default=None)
        nmax = max((x["max"] for x in nc), default=None)
        if wmax is not None and nmax is not None and wmax > 100 * max(nmax, 1e-15):
            notes.append(f"one-step error is concentrated in steps with active constraint rows (max {wmax:.1e} vs "
                         f"{nmax:.1e} without): contact/limit model or solver tolerance.")
        elif nmax is not None and nmax > 1e-9:
            notes.append(f"one-step error {nmax:.1e} even without active constraints: smooth dynamics "
                         "(mass matrix, bias, damping, integrator) differ.")
    near = [r["dynamics"].get("constraints_near_first_exceed") for r in runs]
    near = [n for n in near if n is not None]
    if near and all(any(k > 0 for k in n) for n in near):
        notes.append("the free rollout first exceeds 1e-6 right after steps with active constraint rows "
                     "(contact/limit timing).")
    agree = min(r["dynamics"]["reward_agree"] for r in runs)
    if agree < 1:
        notes.append(f"reward agreement {agree:.3f}: " + ("follows the state divergence." if dyn_max > 1e-3
                     else "state agrees, so the reward function itself differs."))
    obs0 = worst(r["dynamics"]["obs0"] for r in runs)
    if obs0 > 1e-9 or np.isnan(obs0):
        bad = {}
        for r in runs:
            for k, e in r["dynamics"]["obs0_by_key"].items():
                bad[k] = max(bad.get(k, 0.0), e)
        keys = ", ".join(f"{k} {e:.1e}" for k, e in bad.items() if e > 1e-9)
        notes.append(f"observation differs ({obs0:.1e}) at the same initial state ({keys or 'shape mismatch'}): "
                     "observation function or key order.")
    return notes


# ------------------------------------------------------------------------------------------------
# main
# ------------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ocellus", default="target/release/ocellus", help="native binary (run as PATH envs trace)")
    ap.add_argument("--out", default="docs/validation.md", help="Markdown report; raw JSON goes next to it (.json)")
    ap.add_argument("--tasks", nargs="+", default=TASKS, choices=TASKS + MUJOCO_TASKS, metavar="TASK",
                    help="default: the 13 native tasks; MuJoCo-backed: " + " ".join(MUJOCO_TASKS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--episode-steps", type=int, default=1000)
    ap.add_argument("--one-step-every", type=int, default=10, help="re-sync and step once every N steps")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per trace call")
    ap.add_argument("--dmc-only", action="store_true", help="skip the native side; dump dm_control trajectories")
    ap.add_argument("--dump-dir", default="target/dmc-traces", help="where --dmc-only writes <task>_seed<k>.json")
    ap.add_argument("--full-curves", action="store_true", help="keep per-step error curves in the JSON")
    args = ap.parse_args()

    t_start = time.perf_counter()
    meta = {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(shlex.quote(a) for a in [Path(sys.executable).name] + sys.argv),
        "versions": versions(),
        "ocellus": args.ocellus,
        "git": git_rev(Path(__file__).resolve().parent.parent),
        "seeds": args.seeds,
        "episode_steps": args.episode_steps,
        "one_step_every": args.one_step_every,
    }

    if args.dmc_only:
        dump = Path(args.dump_dir)
        dump.mkdir(parents=True, exist_ok=True)
        bad = 0
        print(f"{'task':26s} seed  return  nefc>0  reset qpos")
        for task in args.tasks:
            for seed in args.seeds:
                tr = dmc_rollout(task, seed, args.episode_steps)
                tr["meta"] = meta
                (dump / f"{task}_seed{seed}.json").write_text(json.dumps(tr))
                problems = check_dmc_trace(tr)
                bad += bool(problems)
                ret = sum(s["reward"] for s in tr["steps"])
                ncons = sum(s["nefc"] > 0 for s in tr["steps"])
                q0 = np.array2string(np.array(tr["initial"]["qpos"]), precision=4)
                print(f"{task:26s} {seed:4d} {ret:7.1f} {ncons:7d}  {q0} {'PROBLEMS: ' + '; '.join(problems) if problems else ''}")
        print(f"wrote {dump}/  ({time.perf_counter() - t_start:.0f} s){'; extraction problems found' if bad else ''}")
        return 1 if bad else 0

    if not (os.path.isfile(args.ocellus) and (args.ocellus.endswith('.py') or os.access(args.ocellus, os.X_OK))):
        print(f"native binary {args.ocellus} not found or not executable; use --dmc-only or --ocellus PATH", file=sys.stderr)
        return 2
    native = Native(args.ocellus, args.timeout)
    results = {}
    for task in args.tasks:
        t0 = time.perf_counter()
        runs = []
        try:
            for seed in args.seeds:
                tr = dmc_rollout(task, seed, args.episode_steps)
                run = {
                    "seed": seed,
                    "reset": compare_reset(native, tr),
                    "dynamics": compare_dynamics(native, tr),
                    "one_step": compare_one_step(native, tr, args.one_step_every),
                }
                if not args.full_curves:
                    run["dynamics"].pop("_curves")
                runs.append(run)
            results[task] = {"runs": runs, "na": tr["na"]}
        except NativeError as e:
            results[task] = {"error": str(e), "runs": runs}
        except (KeyError, TypeError, ValueError, IndexError) as e:  # malformed reply
            traceback.print_exc()
            results[task] = {"error": f"malformed native reply: {type(e).__name__}: {e}", "runs": runs}
        r = results[task]
        if "error" in r:
            print(f"{task:26s} ERROR {r['error'][:200]}", flush=True)
        else:
            rm = worst(x["reset"]["max"] for x in r["runs"])
            om = worst(y for x in r["runs"] for y in (x["one_step"]["qpos"]["max"], x["one_step"]["qvel"]["max"]))
            dm = worst(x["dynamics"]["max_state"] for x in r["runs"])
            ag = min(x["dynamics"]["reward_agree"] for x in r["runs"])
            print(f"{task:26s} reset {rm:.1e}  1-step {om:.1e}  rollout max {dm:.1e}  reward agree {ag:.3f}  "
                  f"({time.perf_counter() - t0:.1f} s)", flush=True)
    meta["native_calls"] = native.calls
    meta["native_seconds"] = native.seconds
    meta["wall_seconds"] = time.perf_counter() - t_start
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    write_report(out, meta, results)
    print(f"wrote {out} and {out.with_suffix('.json')} ({meta['wall_seconds']:.0f} s)")
    failed = [t for t, r in results.items() if "error" in r]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
