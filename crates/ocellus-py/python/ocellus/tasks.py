"""The synthetic visual tasks of ``ocellus-tasks`` as rows in the verl/EasyR1 layout.

A row is the dataset line that ``ocellus tasks generate`` writes (``data_source``, ``prompt`` as
chat messages with one ``<image>`` placeholder per image, ``images``, ``ability``,
``reward_model.ground_truth``, ``extra_info`` with the verifier and the full gold, ``problem``,
``answer``), except that ``images`` holds the pictures as ``uint8 [H, W, 3]`` numpy arrays
(``image_paths`` keeps the paths the command line would have written). Sample ``i`` of seed
``s`` is the same picture and question in both. Grade completions with
:func:`ocellus.rewards.compute_score`, which reads the row's verifier and gold::

    rows = ocellus.tasks.generate("counting", 8, seed=3)
    score = ocellus.rewards.compute_score(
        rows[0]["data_source"], "<think>…</think><answer>4</answer>",
        rows[0]["reward_model"]["ground_truth"], rows[0]["extra_info"])
"""

from __future__ import annotations

import json
from typing import List

from ocellus import _native

__all__ = ["task_list", "generate"]


def task_list() -> List[dict]:
    """The generators: ``name``, ``verifier``, ``ability``, ``uses_coords``, ``summary`` and
    what each ``difficulty`` level changes."""
    return _native.task_list()


def generate(
    task: str,
    n: int,
    *,
    seed: int = 0,
    difficulty: int = 1,
    split: str = "train",
    coords: str = "pixels",
    start: int = 0,
) -> List[dict]:
    """Rows ``start .. start + n`` of ``task`` (see the module docs). ``coords`` is the answer
    frame of coordinate tasks: ``"pixels"`` or ``"norm1000"`` (Qwen2-VL style 0-1000).
    Raises ``KeyError`` for an unknown task and ``ValueError`` for a bad option."""
    if n < 0 or start < 0:
        raise ValueError(f"n and start must be non-negative, got n={n}, start={start}")
    rows = []
    for text, images in _native.generate(
        task, n, seed=seed, difficulty=difficulty, split=split, coords=coords, start=start
    ):
        row = json.loads(text)
        row["image_paths"] = row["images"]
        row["images"] = images
        rows.append(row)
    return rows
