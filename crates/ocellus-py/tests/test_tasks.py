"""Synthetic task rows from Python."""

import numpy as np
import pytest

import ocellus


def test_rows_are_deterministic_and_in_the_verl_layout():
    a = ocellus.tasks.generate("jigsaw", 3, seed=4, difficulty=3)
    b = ocellus.tasks.generate("jigsaw", 2, seed=4, difficulty=3, start=1)
    assert a[1]["extra_info"] == b[0]["extra_info"]
    np.testing.assert_array_equal(a[2]["images"][0], b[1]["images"][0])
    row = a[0]
    assert row["prompt"][0]["role"] == "user"
    assert row["prompt"][0]["content"].count("<image>") == len(row["images"])
    assert row["reward_model"] == {"style": "rule", "ground_truth": row["answer"]}
    assert row["extra_info"]["verifier"] == "jigsaw"
    names = {t["name"] for t in ocellus.tasks.task_list()}
    assert {"counting", "grounding", "jigsaw"} <= names


def test_norm1000_coordinates_and_bad_options():
    row = ocellus.tasks.generate("grounding", 1, coords="norm1000")[0]
    assert row["extra_info"]["id"].endswith("-n1000")
    with pytest.raises(KeyError, match="unknown task"):
        ocellus.tasks.generate("sudoku", 1)
    with pytest.raises(ValueError, match="difficulty 9 is outside 1..=5"):
        ocellus.tasks.generate("counting", 1, difficulty=9)
    with pytest.raises(ValueError, match='coords must be "pixels" or "norm1000"'):
        ocellus.tasks.generate("counting", 1, coords="inches")
