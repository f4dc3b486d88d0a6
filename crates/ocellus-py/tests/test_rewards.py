"""Verifiers from Python: equal to the command line's scores, verl and TRL signatures, errors."""

import json
import subprocess

import numpy as np
import pytest

import ocellus
from ocellus import rewards

# Tasks whose rows exercise different verifiers (numeric, iou, click, jigsaw, multiple choice...).
TASKS = ["counting", "grounding", "pointing", "jigsaw", "rotation", "position", "chart", "caption"]


def _completions(row, rng):
    """A few answers per row: the reference, a wrong one, a malformed one, noise."""
    ref = row["extra_info"]["reference_answer"]
    yield f"<think>ok</think><answer>{ref}</answer>"
    yield f"<think>hmm</think><answer>{ref[::-1]}</answer>"
    yield f"<answer>{ref}"
    yield "".join(rng.choice(list("<>[]{},.0123456789 abcxyz/answer"), size=40))


def test_scores_equal_the_command_lines(ocellus_cli, tmp_path):
    rng = np.random.default_rng(0)
    data = tmp_path / "data"
    lines, expected_rows = [], {}
    for task in TASKS:
        subprocess.run(
            [ocellus_cli, "tasks", "generate", task, "--n", "6", "--seed", "9", "--out", data,
             "--difficulty", "2"],
            check=True, capture_output=True,
        )
        rows = ocellus.tasks.generate(task, 6, seed=9, difficulty=2)
        # The rows equal the command line's dataset lines (images aside).
        with open(data / f"{task}_train.jsonl") as f:
            cli_rows = [json.loads(l) for l in f]
        for row, cli_row in zip(rows, cli_rows, strict=True):
            assert {k: v for k, v in row.items() if k not in ("images", "image_paths")} == {
                k: v for k, v in cli_row.items() if k != "images"
            }
            assert row["image_paths"] == cli_row["images"]
            for image in row["images"]:
                assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
            for completion in _completions(row, rng):
                lines.append({"id": row["extra_info"]["id"], "completion": completion})
                expected_rows[len(lines)] = row
    completions = tmp_path / "completions.jsonl"
    completions.write_text("".join(json.dumps(l) + "\n" for l in lines))
    scored = tmp_path / "scored.jsonl"
    subprocess.run(
        [ocellus_cli, "rewards", "score", "--data", data, "--completions", completions,
         "--out", scored],
        check=True, capture_output=True,
    )
    cli = [json.loads(l) for l in scored.read_text().splitlines()]
    assert len(cli) == len(lines)
    # Per row through verl's signature, and batched per verifier.
    batch = rewards.compute_score_batch(
        [r["data_source"] for r in expected_rows.values()],
        [l["completion"] for l in lines],
        [r["reward_model"]["ground_truth"] for r in expected_rows.values()],
        [r["extra_info"] for r in expected_rows.values()],
    )
    kinds_seen = set()
    for k, (line, cli_line) in enumerate(zip(lines, cli)):
        row = expected_rows[k + 1]
        one = rewards.compute_score(
            row["data_source"], line["completion"], row["reward_model"]["ground_truth"],
            row["extra_info"], return_dict=True,
        )
        assert one["score"] == cli_line["score"] == batch[k], (line, cli_line)
        assert one["verdict"] == cli_line["verdict"] and one["reason"] == cli_line["reason"]
        kinds_seen.add(one["verdict"])
    assert {"correct", "incorrect", "malformed"} <= kinds_seen


def test_batch_scoring_on_threads_equals_one_by_one():
    rows = ocellus.tasks.generate("grounding", 300, seed=1)
    completions = [
        f"<answer>{r['extra_info']['reference_answer']}</answer>" if i % 3 else "<answer>[1, 2, 3, 4]</answer>"
        for i, r in enumerate(rows)
    ]
    golds = [r["extra_info"]["gold"] for r in rows]
    together = rewards.score("iou", completions, golds)  # >= 256 rows: graded on threads
    alone = [rewards.score("iou", [c], [g])[0] for c, g in zip(completions, golds)]
    np.testing.assert_array_equal(together, alone)
    assert together.dtype == np.float64 and 0 < together.mean() < 1


def test_verify_returns_kinds_and_reasons():
    v = rewards.verify(
        "numeric", ["<answer>3</answer>", "<answer>4</answer>", "no tags"], ["3", "3", "3"]
    )
    np.testing.assert_array_equal(v.scores, [1.0, 0.0, 0.0])
    assert v.kinds == ["correct", "incorrect", "malformed"]
    assert "no answer found" in v.reasons[2]


def test_trl_reward_function_signature_and_conversational_completions():
    f = rewards.trl_reward("numeric", gold_column="answer")
    assert f.__name__ == "ocellus_numeric"
    plain = f(["p1", "p2"], ["<answer>7</answer>", "<answer>8</answer>"], answer=["7", "7"])
    chat = f(
        [[{"role": "user", "content": "q"}]] * 2,
        [[{"role": "assistant", "content": "<answer>7</answer>"}],
         [{"role": "assistant", "content": [{"type": "text", "text": "<answer>7</answer>"}]}]],
        answer=["7", "7"],
    )
    assert plain == [1.0, 0.0] and chat == [1.0, 1.0]
    # Rows made by ocellus.tasks carry verifier and gold: no column or verifier needed.
    rows = ocellus.tasks.generate("pointing", 4, seed=2)
    auto = rewards.trl_reward()
    completions = [f"<answer>{r['extra_info']['reference_answer']}</answer>" for r in rows]
    assert auto(None, completions, extra_info=[r["extra_info"] for r in rows],
                data_source=[r["data_source"] for r in rows]) == [1.0] * 4
    with pytest.raises(KeyError, match="no 'solution' column"):
        rewards.trl_reward("numeric")(["p"], ["<answer>1</answer>"], answer=["1"])


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(KeyError, match="nope"):
        rewards.score("nope", ["a"], ["a"])
    with pytest.raises(ValueError, match="2 completions but 1 golds"):
        rewards.score("numeric", ["1", "2"], ["1"])
    with pytest.raises(ValueError, match=r"golds\[1\] must be a str or a dict, got int"):
        rewards.score("numeric", ["1", "2"], ["1", 2])
    with pytest.raises(ValueError, match=r"golds\[0\] is not a gold answer: unknown field `anwser`"):
        rewards.score("numeric", ["1"], [{"anwser": "1"}])
    with pytest.raises(KeyError, match="no verifier for data_source 'my/dataset'"):
        rewards.compute_score("my/dataset", "<answer>1</answer>", "1")
    assert rewards.compute_score("my/dataset", "<answer>1</answer>", 1, verifier="numeric") == 1.0
    # verl calls with keywords, and its reward loop may add some of its own.
    assert rewards.compute_score(
        data_source="ocellus/counting", solution_str="<answer>2</answer>", ground_truth="2",
        extra_info={"index": 0}, reward_router_address=None,
    ) == 1.0
    with pytest.raises(ValueError, match="must be a string or a list of chat messages"):
        rewards.trl_reward("numeric", gold_column="a")(["p"], [3], a=["3"])


def test_verifier_listing_matches_the_registry():
    names = [v["name"] for v in rewards.verifiers()]
    assert {"iou", "numeric", "gta1_click", "od_ap", "jigsaw"} <= set(names)
    iou = next(v for v in rewards.verifiers() if v["name"] == "iou")
    assert iou["score_range"] == (0.0, 1.0) and iou["reference"]
