"""verl-style rewards computed in Ray workers: completions are graded by ``RewardWorker``
actors (``compute_score_batch``, verl's batch signature), as verl's reward workers would.

Only plain rows and strings are sent; each worker calls the native verifiers itself::

    python examples/ray_rewards.py --rows 400 --workers 2
"""

import argparse

import ray

import ocellus
from ocellus.distributed import RewardWorker


def completions_for(rows):
    """Stand-in policy outputs: the reference answer for even rows, a wrong one for odd."""
    out = []
    for i, row in enumerate(rows):
        answer = row["extra_info"]["reference_answer"] if i % 2 == 0 else "0"
        out.append(f"<think>...</think><answer>{answer}</answer>")
    return out


def run(rows: int = 400, workers: int = 2, task: str = "counting") -> list:
    """Scores `rows` generated rows on `workers` Ray actors; returns the scores in row order."""
    data = ocellus.tasks.generate(task, rows, seed=0)
    for row in data:
        del row["images"]  # the reward needs no pixels
    completions = completions_for(data)
    actors = [ray.remote(RewardWorker).options(num_cpus=0.5).remote() for _ in range(workers)]
    chunks = [range(i, rows, workers) for i in range(workers)]
    futures = [
        actor.score.remote(
            [data[i]["data_source"] for i in chunk],
            [completions[i] for i in chunk],
            [data[i]["reward_model"]["ground_truth"] for i in chunk],
            [data[i]["extra_info"] for i in chunk],
        )
        for actor, chunk in zip(actors, chunks)
    ]
    scores = [0.0] * rows
    for chunk, result in zip(chunks, ray.get(futures)):
        for i, s in zip(chunk, result):
            scores[i] = s
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--task", default="counting")
    args = parser.parse_args()
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1")
    scores = run(args.rows, args.workers, args.task)
    print(f"mean score {sum(scores) / len(scores):.3f} over {len(scores)} completions")
    ray.shutdown()


if __name__ == "__main__":
    main()
