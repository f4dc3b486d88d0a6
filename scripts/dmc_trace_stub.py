#!/usr/bin/env python3
"""Reference implementation of the `ocellus envs trace` protocol, backed by dm_control itself.

It exists to test scripts/validate_dmc.py end to end (every error it reports must be 0) and to pin
down the protocol the native binary implements:

  stdin  (one JSON object):
    {"task": "cartpole-swingup", "seed": 3,
     "qpos": [..], "qvel": [..],   # optional: override the reset state
     "target": [a, b],             # optional: reacher target (x, y) / finger target (x, z), world frame
     "actions": [[u1, ..], ...]}   # one control step each (the task's own n_sub_steps)
  stdout (one JSON object):
    {"task": .., "initial": {"qpos", "qvel", "observation"},
     "steps": [{"qpos", "qvel", "reward", "observation"}, ...]}
  where "observation" is dm_control's observation dict flattened in its key order.

Usage: PATH/TO/venv/python scripts/dmc_trace_stub.py envs trace < request.json
   or: python scripts/validate_dmc.py --ocellus scripts/dmc_trace_stub.py ...   (slow: ~1 s per call)
"""

import json
import os
import sys

os.environ.setdefault("MUJOCO_GL", "disable")

import numpy as np  # noqa: E402


def flat(obs):
    return np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in obs.values()]).tolist()


def main() -> int:
    if sys.argv[1:3] != ["envs", "trace"] or "--help" in sys.argv:
        print(__doc__, file=sys.stderr if sys.argv[1:3] != ["envs", "trace"] else sys.stdout)
        return 0 if "--help" in sys.argv else 2
    from dm_control import suite

    req = json.load(sys.stdin)
    domain, name = req["task"].split("-", 1)
    env = suite.load(domain, name, task_kwargs={"random": int(req["seed"])})
    ts = env.reset()
    physics = env.physics
    obs = ts.observation
    if any(k in req for k in ("qpos", "qvel", "target")):
        with physics.reset_context():  # mj_resetData keeps the task's model edits (targets, damping)
            physics.data.qpos[:] = req.get("qpos", physics.data.qpos)
            physics.data.qvel[:] = req.get("qvel", physics.data.qvel)
            if "target" in req:
                if domain == "reacher":
                    physics.named.model.geom_pos["target", ["x", "y"]] = req["target"]
                elif domain == "finger":
                    physics.named.model.site_pos["target", ["x", "z"]] = req["target"]
        obs = env.task.get_observation(physics)
    out = {
        "task": req["task"],
        "initial": {"qpos": physics.data.qpos.tolist(), "qvel": physics.data.qvel.tolist(), "observation": flat(obs)},
        "steps": [],
    }
    for a in req["actions"]:
        ts = env.step(np.asarray(a, dtype=np.float64))
        out["steps"].append({
            "qpos": physics.data.qpos.tolist(),
            "qvel": physics.data.qvel.tolist(),
            "reward": float(ts.reward),
            "observation": flat(ts.observation),
        })
    json.dump(out, sys.stdout)
    sys.stdout.flush()
    os._exit(0)  # skip dm_control's atexit noise


if __name__ == "__main__":
    sys.exit(main())
