"""A :class:`dm_env.Environment` over one native environment, as DrQ-v2-style code consumes it.

The time steps follow dm_control (``dm_control/rl/control.py``): ``reset`` gives ``FIRST`` with
reward and discount ``None``; the time limit gives ``LAST`` with discount 1.0 (truncation); a
real termination gives ``LAST`` with discount 0.0; the ``step`` after ``LAST`` starts a new
episode, as dm_control's does. Specs are those DrQ-v2's ``dmc.py`` wrappers produce: a
``uint8`` ``BoundedArray`` named ``observation`` of shape ``[3 * frame_stack, H, W]`` (or the
``float64`` state vector with ``obs_type="state"``) and a ``float32`` action in [-1, 1]::

    import ocellus
    env = ocellus.make_dm("cartpole-swingup", action_repeat=8, frame_stack=3, seed=1)
    ts = env.reset()
    while not ts.last():
        ts = env.step(env.action_spec().generate_value())
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import numpy as np

import dm_env
from dm_env import specs

from ocellus.envs import FIRST, TERMINATED, TRUNCATED, EnvConfig, _check_seed

__all__ = ["DmEnv", "make_dm"]


class DmEnv(dm_env.Environment):
    """One environment behind the ``dm_env`` API (see the module docs)."""

    def __init__(self, config: EnvConfig):
        self.config = config
        self._native = config.native(1, auto_reset=False)
        if config.obs_type == "pixels":
            self._observation_spec = specs.BoundedArray(
                self._native.frame_shape, np.uint8, 0, 255, name="observation"
            )
        else:
            self._observation_spec = specs.Array(
                (self._native.state_dim,), np.float64, name="observation"
            )
        self._action_spec = specs.BoundedArray(
            (self._native.action_dim,), np.float32, -1.0, 1.0, name="action"
        )
        self._pixels = config.obs_type == "pixels"
        self._rng = np.random.default_rng(config.seed)
        self._next_seed: Optional[int] = (
            _check_seed(config.seed) if config.seed is not None else None
        )
        self._reset_next = True
        self._started = False

    def _observation(self, frames, states):
        return frames[0] if self._pixels else states[0]

    def reset(self) -> dm_env.TimeStep:
        """Starts an episode (the first one from the configured seed, later ones continue the
        reset stream, like successive dm_control resets)."""
        if self._next_seed is None and not self._started:
            self._next_seed = int(self._rng.integers(2**32))
        if self._next_seed is not None:
            out = self._native.reset(seeds=[self._next_seed])
            self._next_seed = None
        else:
            out = self._native.reset()
        self._started = True
        self._reset_next = False
        frames, _, _, _, states = out
        return dm_env.restart(self._observation(frames, states))

    def step(self, action) -> dm_env.TimeStep:
        """Applies ``action``; after a ``LAST`` step this resets instead."""
        if self._reset_next:
            return self.reset()
        action = np.asarray(action, dtype=np.float32)
        if action.shape != self._action_spec.shape:
            raise ValueError(
                f"action must have shape {self._action_spec.shape}, got {action.shape}"
            )
        frames, rewards, discounts, kinds, states = self._native.step(action[None, :])
        kind = int(kinds[0])
        observation = self._observation(frames, states)
        reward, discount = float(rewards[0]), float(discounts[0])
        if kind in (TERMINATED, TRUNCATED):
            self._reset_next = True
            return dm_env.TimeStep(dm_env.StepType.LAST, reward, discount, observation)
        assert kind != FIRST, "a running episode does not restart by itself"
        return dm_env.TimeStep(dm_env.StepType.MID, reward, discount, observation)

    def observation_spec(self):
        return self._observation_spec

    def action_spec(self):
        return self._action_spec

    def reward_spec(self):
        return specs.Array((), np.float64, name="reward")

    def discount_spec(self):
        return specs.BoundedArray((), np.float64, 0.0, 1.0, name="discount")

    def close(self):
        self._native = None

    def __getstate__(self):
        raise TypeError(
            "an ocellus DmEnv holds live simulator state and cannot be pickled; "
            "send its .config (an EnvConfig) and call ocellus.make_dm(config=...) in the worker"
        )


def make_dm(task: str = "cartpole-swingup", *, config: Optional[EnvConfig] = None, **options):
    """A :class:`DmEnv` of ``task`` with :class:`~ocellus.envs.EnvConfig` options
    (``action_repeat``, ``frame_stack``, ``size``, ``distractions``, ``seed``, ``obs_type``)."""
    if config is None:
        config = EnvConfig(task=task, **options)
    elif options:
        config = dataclasses.replace(config, **options)
    return DmEnv(config)
