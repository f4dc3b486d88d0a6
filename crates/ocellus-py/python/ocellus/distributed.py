"""Workers that an existing engine (Ray, multiprocessing) can drive: plain classes built from
picklable configs, so only configs and numpy arrays cross process boundaries.

* :class:`EnvWorker` owns a :class:`~ocellus.envs.VectorEnv` and returns batches of
  transitions: an actor process in an actor/learner split.
* :class:`RewardWorker` grades completions with :func:`~ocellus.rewards.compute_score_batch`.

With Ray, decorate them where you use them (``ray.remote(EnvWorker)``); this package does not
import Ray. ``examples/ray_actors.py`` and ``examples/ray_rewards.py`` show both.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence

import numpy as np

from ocellus.envs import EnvConfig

__all__ = ["EnvWorker", "RewardWorker"]


class EnvWorker:
    """A vector environment in a worker process, stepped by uniform random actions (a
    stand-in for a policy) or by the actions it is sent."""

    def __init__(self, config: EnvConfig, seed: int):
        if not isinstance(config, EnvConfig):
            raise TypeError(f"config must be an ocellus.EnvConfig, got {type(config).__name__}")
        self.config = config
        self.env = config.make_vec()
        self.rng = np.random.default_rng(seed)
        self.obs, _ = self.env.reset(seed=seed)

    def rollout(self, steps: int, actions: Optional[np.ndarray] = None) -> Dict[str, np.ndarray]:
        """``steps`` batched steps: ``obs`` ``[T + 1, N, ...]`` (the first is the observation
        before the first action), ``actions`` ``[T, N, A]``, ``rewards``, ``terminated`` and
        ``truncated`` ``[T, N]``. ``actions`` (``[T, N, A]``) replaces the random ones."""
        n, a = self.env.num_envs, self.env.single_action_space.shape[0]
        if actions is None:
            actions = self.rng.uniform(-1.0, 1.0, size=(steps, n, a)).astype(np.float32)
        elif actions.shape != (steps, n, a):
            raise ValueError(f"actions must have shape {(steps, n, a)}, got {actions.shape}")
        obs = np.empty((steps + 1,) + self.obs.shape, dtype=self.obs.dtype)
        rewards = np.empty((steps, n))
        terminated = np.empty((steps, n), dtype=bool)
        truncated = np.empty((steps, n), dtype=bool)
        obs[0] = self.obs
        for t in range(steps):
            self.obs, rewards[t], terminated[t], truncated[t], _ = self.env.step(actions[t])
            obs[t + 1] = self.obs
        return {
            "obs": obs,
            "actions": actions,
            "rewards": rewards,
            "terminated": terminated,
            "truncated": truncated,
        }


class RewardWorker:
    """Grades batches of completions (verl's batch signature)."""

    def __init__(self, verifier: Optional[str] = None):
        self.verifier = verifier

    def score(
        self,
        data_sources: Sequence[str],
        solution_strs: Sequence[str],
        ground_truths: Sequence[Any],
        extra_infos: Optional[Sequence[Optional[Mapping[str, Any]]]] = None,
    ):
        from ocellus.rewards import compute_score_batch

        return compute_score_batch(
            data_sources, solution_strs, ground_truths, extra_infos, verifier=self.verifier
        )
