"""ocellus: pixel control environments, verifiable rewards and synthetic visual tasks for
reinforcement learning, implemented in Rust.

* :mod:`ocellus.envs`: Gymnasium ``Env`` and ``VectorEnv`` over the native control suite
  (registered as ``ocellus/<task>-v1`` on import), and :class:`EnvConfig`.
* :mod:`ocellus.dm`: a ``dm_env.Environment`` adapter (:func:`make_dm`).
* :mod:`ocellus.rewards`: the verifiers on batches, verl's ``compute_score`` and TRL reward
  functions.
* :mod:`ocellus.tasks`: synthetic visual tasks as verl/EasyR1 rows with numpy images.
* :mod:`ocellus.distributed`: workers built from configs, for Ray or multiprocessing.
"""

from ocellus._native import __version__
from ocellus import rewards, tasks
from ocellus.envs import EnvConfig, Env, VectorEnv, register_envs

register_envs()


def make_vec(task: str = "cartpole-swingup", num_envs: int = 1, **options) -> VectorEnv:
    """A :class:`~ocellus.envs.VectorEnv` of ``num_envs`` copies of ``task`` (options:
    those of :class:`EnvConfig`)."""
    return VectorEnv(task, num_envs, **options)


def make(task: str = "cartpole-swingup", **options) -> Env:
    """One :class:`~ocellus.envs.Env` of ``task``."""
    return Env(task, **options)


def make_dm(task: str = "cartpole-swingup", **options):
    """A ``dm_env.Environment`` of ``task`` (:func:`ocellus.dm.make_dm`; needs ``dm-env``)."""
    from ocellus.dm import make_dm as _make_dm

    return _make_dm(task, **options)


__all__ = [
    "__version__",
    "EnvConfig",
    "Env",
    "VectorEnv",
    "make",
    "make_vec",
    "make_dm",
    "rewards",
    "tasks",
]
