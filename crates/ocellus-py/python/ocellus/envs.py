"""Gymnasium environments over the native pixel control suite.

* :class:`VectorEnv` is a :class:`gymnasium.vector.VectorEnv` over the Rust ``EnvPool``: the
  copies are stepped on native threads with the GIL released, and frames are rendered straight
  into the ``uint8 [N, C, H, W]`` array that ``step`` returns (a new one each call, so earlier
  observations never change; pass ``out=`` to reuse a buffer). Auto-reset is the next-step rule
  of EnvPool and Gymnasium >= 1.0 (``AutoresetMode.NEXT_STEP``).
* :class:`Env` is one environment as a :class:`gymnasium.Env`.
* :class:`EnvConfig` is a plain, picklable description of either, for building environments
  inside worker processes (Ray actors, subprocesses): live environments are never pickled.

Importing :mod:`ocellus` registers every task as ``ocellus/<task>-v1``::

    import gymnasium, ocellus
    envs = gymnasium.make_vec("ocellus/cartpole-swingup-v1", num_envs=8, frame_stack=3)
    env = gymnasium.make("ocellus/reacher-easy-v1", action_repeat=4)

Observations are channel-first (``[3 * frame_stack, H, W]``, as EnvPool's ``from_pixels`` and
DrQ-v2 use them) or, with ``obs_type="state"``, dm_control's state vector (``float64``).
``terminated`` is a real termination of the task (discount 0); ``truncated`` is the time limit
(1000 control steps, divided by the action repeat), whose discount stays 1, as in dm_control.
Environment ``i`` of a vector seeded with ``s`` replays the Rust ``EnvPool`` built with seed
``s`` step for step (seed ``derive_seed(s, i)``, ``ocellus_core::derive_seed``).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np

import gymnasium
from gymnasium import spaces
from gymnasium.vector import AutoresetMode

from ocellus import _native

__all__ = ["EnvConfig", "Env", "VectorEnv", "tasks", "register_envs", "DEFAULT_DISTRACTIONS"]

#: The moderate distraction setting of ``ocellus_envs::DistractionConfig::default``: colours
#: shifted by up to 0.3, the camera turned by up to 0.05 rad, three shapes drifting behind.
DEFAULT_DISTRACTIONS = {"color_shift": 0.3, "camera_jitter": 0.05, "moving_shapes": 3}

#: Step kinds as the native layer reports them.
FIRST, MID, TERMINATED, TRUNCATED = 0, 1, 2, 3

_MAX_SEED = 2**32


def tasks() -> list:
    """The registered control tasks: dicts with ``name``, ``domain``, ``action_dim``,
    ``state_dim``, ``sparse``, ``contacts`` and ``summary``."""
    return _native.env_tasks()


def _distraction_tuple(distractions: Union[None, bool, Mapping[str, Any]]):
    if distractions is None or distractions is False:
        return None
    settings = dict(DEFAULT_DISTRACTIONS)
    if distractions is not True:
        unknown = set(distractions) - set(settings)
        if unknown:
            raise ValueError(
                f"unknown distraction settings {sorted(unknown)}; known: {sorted(settings)}"
            )
        settings.update(distractions)
    return (
        float(settings["color_shift"]),
        float(settings["camera_jitter"]),
        int(settings["moving_shapes"]),
    )


def _default_threads(num_envs: int) -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(num_envs, cores))


@dataclasses.dataclass(frozen=True)
class EnvConfig:
    """Everything needed to build an environment, and nothing live: pickle this (not an
    environment) to hand environments to other processes.

    Attributes:
        task: registered task name (``ocellus.envs.tasks()``), e.g. ``"cartpole-swingup"``.
        num_envs: copies in a vector environment.
        seed: base seed; ``None`` draws one from the OS at the first reset.
        num_threads: native worker threads (default: one per core, at most ``num_envs``).
        action_repeat: simulator frames per step (rewards summed).
        frame_stack: frames stacked along the channel axis.
        size: frame side in pixels (square frames), or ``(width, height)``.
        distractions: ``None``, ``True`` (the defaults) or a dict overriding
            :data:`DEFAULT_DISTRACTIONS`.
        obs_type: ``"pixels"`` (``uint8 [C, H, W]``) or ``"state"`` (``float64 [S]``).
    """

    task: str = "cartpole-swingup"
    num_envs: int = 1
    seed: Optional[int] = None
    num_threads: Optional[int] = None
    action_repeat: int = 1
    frame_stack: int = 1
    size: Union[int, Sequence[int]] = 84
    distractions: Union[None, bool, Mapping[str, Any]] = None
    obs_type: str = "pixels"

    def native(self, num_envs: int, auto_reset: bool, render: bool = False) -> "_native.VecEnv":
        """Builds the native pool (seeded later, at the first reset); it renders pixels for
        ``obs_type="pixels"`` or when ``render`` is asked for."""
        if self.obs_type not in ("pixels", "state"):
            raise ValueError(f'obs_type must be "pixels" or "state", got {self.obs_type!r}')
        if isinstance(self.size, int):
            width = height = self.size
        else:
            width, height = self.size
        if num_envs < 1:
            raise ValueError(f"num_envs must be at least 1, got {num_envs}")
        if self.action_repeat < 1:
            raise ValueError(f"action_repeat must be at least 1, got {self.action_repeat}")
        if self.frame_stack < 1:
            raise ValueError(f"frame_stack must be at least 1, got {self.frame_stack}")
        return _native.VecEnv(
            self.task,
            num_envs,
            seed=0,
            num_threads=self.num_threads or _default_threads(num_envs),
            auto_reset=auto_reset,
            action_repeat=self.action_repeat,
            frame_stack=self.frame_stack,
            width=width,
            height=height,
            pixels=self.obs_type == "pixels" or render,
            distractions=_distraction_tuple(self.distractions),
        )

    def make_vec(self, **overrides) -> "VectorEnv":
        """A :class:`VectorEnv` of ``num_envs`` copies."""
        return VectorEnv(config=dataclasses.replace(self, **overrides))

    def make(self, **overrides) -> "Env":
        """One :class:`Env` (``num_envs`` is ignored)."""
        return Env(config=dataclasses.replace(self, **overrides))


def _spaces(native, obs_type: str):
    """(observation space, action space) of one copy."""
    if obs_type == "pixels":
        observation = spaces.Box(0, 255, native.frame_shape, np.uint8)
    else:
        observation = spaces.Box(-np.inf, np.inf, (native.state_dim,), np.float64)
    action = spaces.Box(-1.0, 1.0, (native.action_dim,), np.float32)
    return observation, action


def _resolve_config(config: Optional[EnvConfig], options: dict, **named) -> EnvConfig:
    """The config given, or one built from the constructor's options (not both)."""
    if config is None:
        return EnvConfig(**named, **options)
    if options:
        raise TypeError("give either config= or keyword options, not both")
    return config


def _check_render_mode(render_mode: Optional[str]) -> Optional[str]:
    if render_mode not in (None, "rgb_array"):
        raise ValueError(f'render_mode must be None or "rgb_array", got {render_mode!r}')
    return render_mode


def _check_seed(seed: int) -> int:
    seed = int(seed)
    if not 0 <= seed < _MAX_SEED:
        raise ValueError(f"seeds must lie in [0, 2**32), got {seed}")
    return seed


def _last_rgb(frames: np.ndarray) -> np.ndarray:
    """The newest RGB frame of a channel-first stack, as ``[H, W, 3]``."""
    return np.ascontiguousarray(np.moveaxis(frames[-3:], 0, -1))


class VectorEnv(gymnasium.vector.VectorEnv):
    """``num_envs`` copies of one task, stepped together on native threads.

    ``reset(seed=s)`` seeds copy ``i`` with ``derive_seed(s, i)`` (the Rust pool's rule); a list
    of ``num_envs`` seeds seeds each copy with its own. ``step`` takes ``float32
    [num_envs, action_dim]`` actions in [-1, 1]; an action of the wrong shape or with a NaN
    raises ``ValueError`` and steps nothing. ``infos["discount"]`` is the task's discount
    (0 after a termination).
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": ["rgb_array"]}

    def __init__(
        self,
        task: str = "cartpole-swingup",
        num_envs: int = 1,
        *,
        config: Optional[EnvConfig] = None,
        render_mode: Optional[str] = None,
        **options: Any,
    ):
        self.config = config = _resolve_config(config, options, task=task, num_envs=num_envs)
        self.render_mode = _check_render_mode(render_mode)
        self._native = config.native(config.num_envs, True, render=render_mode is not None)
        self.num_envs = config.num_envs
        self.single_observation_space, self.single_action_space = _spaces(
            self._native, config.obs_type
        )
        self.observation_space = gymnasium.vector.utils.batch_space(
            self.single_observation_space, self.num_envs
        )
        self.action_space = gymnasium.vector.utils.batch_space(
            self.single_action_space, self.num_envs
        )
        self.metadata = dict(self.metadata, render_fps=1.0 / self._native.step_seconds)
        self._pixels = config.obs_type == "pixels"
        self._seeded = False
        self._last_frames: Optional[np.ndarray] = None

    def _observation(self, frames, states):
        self._last_frames = frames
        return frames if self._pixels else states

    def reset(
        self,
        *,
        seed: Union[None, int, Sequence[int]] = None,
        options: Optional[dict] = None,
    ):
        """Resets every copy; returns ``(observations, infos)``."""
        if options:
            raise ValueError(
                f"reset options are not supported (got {sorted(options)}): copies reset "
                "themselves on the step after their episode ends (next-step auto-reset)"
            )
        if seed is None and not self._seeded and self.config.seed is not None:
            seed = self.config.seed
        if isinstance(seed, (list, tuple, np.ndarray)):
            seeds = [_check_seed(s) for s in seed]
            if len(seeds) != self.num_envs:
                raise ValueError(f"{len(seeds)} seeds given for {self.num_envs} environments")
            super().reset(seed=seeds[0])
            out = self._native.reset(seeds=seeds)
        else:
            if seed is None and not self._seeded:
                seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
            if seed is not None:
                super().reset(seed=int(seed))
                out = self._native.reset(seed=int(seed))
            else:
                out = self._native.reset()
        self._seeded = True
        frames, _, discounts, _, states = out
        return self._observation(frames, states), {}

    def step(self, actions):
        """Steps every copy; returns ``(observations, rewards, terminations, truncations,
        infos)``. A copy whose episode ended on the previous step is reset instead (its
        action is ignored, its reward is 0)."""
        actions = np.asarray(actions, dtype=np.float32)
        expected = (self.num_envs, self.single_action_space.shape[0])
        if actions.shape != expected:
            raise ValueError(
                f"actions must have shape {expected} (num_envs, action_dim), got {actions.shape}"
            )
        if self._native is None:
            raise RuntimeError("step() on a closed environment")
        if not self._seeded:
            raise RuntimeError("call reset() before step()")
        frames, rewards, discounts, kinds, states = self._native.step(actions)
        infos = {"discount": discounts, "_discount": np.ones(self.num_envs, dtype=bool)}
        return (
            self._observation(frames, states),
            rewards,
            kinds == TERMINATED,
            kinds == TRUNCATED,
            infos,
        )

    def render(self):
        """The newest RGB frame of each copy (``[H, W, 3]``) with ``render_mode="rgb_array"``."""
        if self.render_mode is None:
            return None
        if self._last_frames is None:  # before the first reset: black frames
            c, h, w = self._native.frame_shape
            return tuple(np.zeros((h, w, 3), np.uint8) for _ in range(self.num_envs))
        return tuple(_last_rgb(f) for f in self._last_frames)

    def close_extras(self, **kwargs):
        self._native = None

    def __getstate__(self):
        raise TypeError(
            "an ocellus VectorEnv holds live simulator state and cannot be pickled; "
            "send its .config (an EnvConfig) and call config.make_vec() in the worker"
        )


class Env(gymnasium.Env):
    """One environment of a task.

    ``reset(seed=s)`` starts the episode that the Rust ``env.reset(Some(s))`` starts; without a
    seed, the reset stream continues (the first reset draws a seed from ``np_random``).
    """

    metadata = {"render_modes": ["rgb_array"]}

    def __init__(
        self,
        task: str = "cartpole-swingup",
        *,
        config: Optional[EnvConfig] = None,
        render_mode: Optional[str] = None,
        **options: Any,
    ):
        self.config = config = _resolve_config(config, options, task=task)
        self.render_mode = _check_render_mode(render_mode)
        self._native = config.native(1, False, render=render_mode is not None)
        self.observation_space, self.action_space = _spaces(self._native, config.obs_type)
        self.metadata = dict(self.metadata, render_fps=1.0 / self._native.step_seconds)
        self._pixels = config.obs_type == "pixels"
        self._needs_reset = True
        self._seeded = False
        self._last_frame: Optional[np.ndarray] = None

    def _observation(self, frames, states):
        self._last_frame = None if frames is None else frames[0]
        return frames[0] if self._pixels else states[0]

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        """Starts an episode; returns ``(observation, info)``."""
        super().reset(seed=seed)
        if options:
            raise ValueError(f"reset options are not supported (got {sorted(options)})")
        if seed is None and not self._seeded:
            seed = self.config.seed
            if seed is None:
                seed = int(self.np_random.integers(_MAX_SEED))
        if seed is not None:
            out = self._native.reset(seeds=[_check_seed(seed)])
        else:
            out = self._native.reset()
        self._seeded = True
        self._needs_reset = False
        frames, _, _, _, states = out
        return self._observation(frames, states), {}

    def step(self, action):
        """Applies ``action`` (``float32 [action_dim]`` in [-1, 1]); returns ``(observation,
        reward, terminated, truncated, info)`` with ``info["discount"]``."""
        action = np.asarray(action, dtype=np.float32)
        if action.shape != self.action_space.shape:
            raise ValueError(
                f"action must have shape {self.action_space.shape}, got {action.shape}"
            )
        if self._native is None:
            raise RuntimeError("step() on a closed environment")
        if self._needs_reset:
            raise RuntimeError(
                "step() called before reset() or after the episode ended; call reset() first"
            )
        frames, rewards, discounts, kinds, states = self._native.step(action[None, :])
        kind = int(kinds[0])
        self._needs_reset = kind in (TERMINATED, TRUNCATED)
        return (
            self._observation(frames, states),
            float(rewards[0]),
            kind == TERMINATED,
            kind == TRUNCATED,
            {"discount": float(discounts[0])},
        )

    def render(self):
        """The newest RGB frame (``[H, W, 3]``) with ``render_mode="rgb_array"``."""
        if self.render_mode is None:
            return None
        if self._last_frame is None:  # before the first reset: a black frame
            c, h, w = self._native.frame_shape
            return np.zeros((h, w, 3), np.uint8)
        return _last_rgb(self._last_frame)

    def close(self):
        self._native = None

    def __getstate__(self):
        raise TypeError(
            "an ocellus Env holds live simulator state and cannot be pickled; "
            "send its .config (an EnvConfig) and call config.make() in the worker"
        )


def register_envs() -> None:
    """Registers every task as ``ocellus/<task>-v1`` (done by ``import ocellus``)."""
    for info in tasks():
        env_id = f"ocellus/{info['name']}-v1"
        if env_id in gymnasium.registry:
            continue
        gymnasium.register(
            id=env_id,
            entry_point="ocellus.envs:Env",
            vector_entry_point="ocellus.envs:VectorEnv",
            kwargs={"task": info["name"]},
        )
