"""Scale-out through Ray on this machine (local cluster, loopback only)."""

import os
import pathlib
import sys

import numpy as np
import pytest

import ocellus
from ocellus.distributed import EnvWorker

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
             log_to_driver=False)
    yield
    ray.shutdown()


def test_actors_stream_frames_to_a_learner_exactly_as_local_workers_produce_them(local_ray):
    import hashlib

    import ray_actors

    stats = ray_actors.run(actors=2, envs_per_actor=3, rounds=3, steps=8, seed=10)
    assert stats["frames"] == 2 * 3 * 3 * 8
    # Each actor's stream equals what the same worker config and seed give in this process.
    config = ocellus.EnvConfig(task="cartpole-swingup", num_envs=3, frame_stack=3,
                               action_repeat=8, num_threads=1)
    for actor in range(2):
        local = EnvWorker(config, 10 + actor)
        h = hashlib.sha256()
        for _ in range(3):
            batch = local.rollout(8)
            h.update(batch["obs"][1:].tobytes())
            h.update(batch["rewards"].tobytes())
        assert stats["digests"][actor] == h.hexdigest()
    assert stats["digests"][0] != stats["digests"][1]


def test_verl_rewards_in_ray_workers_equal_local_scores(local_ray):
    import ray_rewards

    scores = ray_rewards.run(rows=120, workers=2)
    rows = ocellus.tasks.generate("counting", 120, seed=0)
    local = ocellus.rewards.compute_score_batch(
        [r["data_source"] for r in rows],
        ray_rewards.completions_for(rows),
        [r["reward_model"]["ground_truth"] for r in rows],
        [r["extra_info"] for r in rows],
    )
    assert scores == local
    assert np.mean(scores[0::2]) == 1.0 and np.mean(scores[1::2]) < 1.0


def test_live_environments_refuse_to_travel(local_ray):
    env = ocellus.make_vec("cartpole-swingup", 1)
    with pytest.raises(TypeError, match="cannot be pickled"):
        ray.put(env)
