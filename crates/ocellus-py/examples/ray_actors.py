"""Actors and a learner on Ray: each actor owns a native vector environment and streams batches
of frames to a learner process through Ray's object store.

Only the picklable ``EnvConfig`` crosses to the actors (each builds its own pool); frames go
from an actor to the learner as numpy arrays, without passing through this driver process.
Runs on one machine with a local Ray (loopback only); on a cluster, ``ray.init(address=...)``
is the only change::

    python examples/ray_actors.py --actors 2 --envs-per-actor 4 --rounds 6
"""

import argparse
import hashlib

import numpy as np
import ray

import ocellus
from ocellus.distributed import EnvWorker


@ray.remote
class Learner:
    """Consumes batches; a real learner would add them to its replay and update a network."""

    def __init__(self):
        self.frames = 0
        self.rewards = 0.0
        self.digests = {}

    def consume(self, actor: int, batch: dict) -> int:
        obs = batch["obs"]
        assert obs.dtype == np.uint8 and obs.ndim == 5, obs.shape  # [T + 1, N, C, H, W]
        steps, envs = batch["rewards"].shape
        self.frames += steps * envs
        self.rewards += float(batch["rewards"].sum())
        # A running digest of each actor's stream, to check it against a local re-run.
        h = self.digests.setdefault(actor, hashlib.sha256())
        h.update(obs[1:].tobytes())
        h.update(batch["rewards"].tobytes())
        return self.frames

    def stats(self) -> dict:
        return {
            "frames": self.frames,
            "rewards": self.rewards,
            "digests": {a: h.hexdigest() for a, h in self.digests.items()},
        }


def run(actors: int = 2, envs_per_actor: int = 4, rounds: int = 6, steps: int = 16,
        task: str = "cartpole-swingup", seed: int = 0) -> dict:
    """Runs `rounds` rollouts per actor into one learner; returns the learner's stats."""
    config = ocellus.EnvConfig(task=task, num_envs=envs_per_actor, frame_stack=3,
                               action_repeat=8, num_threads=1)
    workers = [
        ray.remote(EnvWorker).options(num_cpus=0.5).remote(config, seed + i)
        for i in range(actors)
    ]
    learner = Learner.options(num_cpus=0.5).remote()
    index = {w: i for i, w in enumerate(workers)}
    # Each actor always has one rollout in flight; the learner gets the ObjectRef, so Ray moves
    # the frames from the actor's process to the learner's.
    pending = {w.rollout.remote(steps): w for w in workers}
    done = {w: 0 for w in workers}
    consumed = []
    while pending:
        (ref,), _ = ray.wait(list(pending), num_returns=1)
        worker = pending.pop(ref)
        consumed.append(learner.consume.remote(index[worker], ref))
        done[worker] += 1
        if done[worker] < rounds:
            pending[worker.rollout.remote(steps)] = worker
    ray.get(consumed)
    return ray.get(learner.stats.remote())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=2)
    parser.add_argument("--envs-per-actor", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--steps", type=int, default=16)
    parser.add_argument("--task", default="cartpole-swingup")
    args = parser.parse_args()
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1")
    stats = run(args.actors, args.envs_per_actor, args.rounds, args.steps, args.task)
    print(f"learner received {stats['frames']} transitions "
          f"(mean reward {stats['rewards'] / stats['frames']:.3f})")
    ray.shutdown()


if __name__ == "__main__":
    main()
