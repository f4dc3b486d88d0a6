"""The verifiable rewards of ``ocellus-rewards``, on batches, and as verl and TRL reward functions.

Every registered verifier (:func:`verifiers`) grades a completion against a gold answer and
says why; the scores equal those of ``ocellus rewards score`` for the same inputs, because both
call the same Rust verifier. Large batches are graded on native threads with the GIL released.

* :func:`score` / :func:`verify`: one verifier on a batch (``verify`` adds verdict kinds and
  reasons).
* :func:`compute_score`: verl's custom reward function,
  ``compute_score(data_source, solution_str, ground_truth, extra_info=None) -> float``; point
  verl's ``custom_reward_function.path`` at this file and ``name`` at ``compute_score`` (or
  ``compute_score_batch`` for verl's batch reward manager).
* :func:`trl_reward`: a TRL ``reward_funcs`` entry,
  ``f(prompts, completions, **columns) -> list[float]``.

A gold answer is a ``str`` or a dict in the layout of ``ocellus_rewards::Gold`` (``answer``,
``answer_frame``, ``gold_frame``, ``training_progress``, ``options``). Rows that ``ocellus.tasks``
or ``ocellus tasks generate`` made carry their verifier and full gold in ``extra_info``; other
rows name the verifier through ``data_source`` (``ocellus/<task>``) or a default you give.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Callable, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np

from ocellus import _native

__all__ = [
    "Verdicts",
    "verifiers",
    "score",
    "verify",
    "compute_score",
    "compute_score_batch",
    "trl_reward",
]

Gold = Union[str, Mapping[str, Any]]

#: What :func:`verify` returns: ``scores`` (``float64 [n]``), ``kinds`` (``correct``,
#: ``partial``, ``incorrect``, ``malformed``, ``gold_unparseable``, ``internal``) and ``reasons``.
Verdicts = namedtuple("Verdicts", ["scores", "kinds", "reasons"])


def verifiers() -> List[dict]:
    """The registered verifiers: ``name``, ``summary``, ``score_range``, ``reference`` (the
    public code whose value the defaults reproduce) and ``defaults``."""
    return _native.verifiers()


def score(verifier: str, completions: Sequence[str], golds: Sequence[Gold]) -> np.ndarray:
    """Scores ``completions[i]`` against ``golds[i]``; returns ``float64 [n]``.

    Raises ``KeyError`` for an unknown verifier and ``ValueError`` for a gold that is neither a
    string nor a gold dict, or for lists of different lengths.
    """
    return _native.score(verifier, list(completions), golds)


def verify(verifier: str, completions: Sequence[str], golds: Sequence[Gold]) -> Verdicts:
    """Like :func:`score`, with each verdict's kind and reason."""
    return Verdicts(*_native.verify(verifier, list(completions), golds))


def _task_verifiers() -> dict:
    if not hasattr(_task_verifiers, "cache"):
        _task_verifiers.cache = {
            f"ocellus/{t['name']}": t["verifier"] for t in _native.task_list()
        }
    return _task_verifiers.cache


def _resolve(
    data_source: Optional[str],
    ground_truth: Any,
    extra_info: Optional[Mapping[str, Any]],
    default_verifier: Optional[str],
):
    """``(verifier, gold)`` of one row: the verifier from ``extra_info["verifier"]``, the
    ``ocellus/<task>`` data source or the default; the gold from ``extra_info["gold"]`` or the
    ground truth."""
    extra_info = extra_info or {}
    name = extra_info.get("verifier") or _task_verifiers().get(data_source) or default_verifier
    if name is None:
        raise KeyError(
            f"no verifier for data_source {data_source!r}: give the row an "
            "extra_info['verifier'], use an ocellus/<task> data source, or pass verifier= "
            "(see ocellus.rewards.verifiers())"
        )
    gold = extra_info.get("gold")
    if gold is None:
        gold = ground_truth
    if not isinstance(gold, (str, Mapping)):
        gold = str(gold)
    return name, gold


def _score_rows(names: Sequence[str], completions: Sequence[str], golds: Sequence[Gold]):
    """Scores rows that may use different verifiers: one batched call per verifier."""
    scores = np.empty(len(completions), dtype=np.float64)
    kinds: List[str] = [""] * len(completions)
    reasons: List[str] = [""] * len(completions)
    by_name: dict = {}
    for i, name in enumerate(names):
        by_name.setdefault(name, []).append(i)
    for name, rows in by_name.items():
        v = verify(name, [completions[i] for i in rows], [golds[i] for i in rows])
        scores[rows] = v.scores
        for j, i in enumerate(rows):
            kinds[i], reasons[i] = v.kinds[j], v.reasons[j]
    return Verdicts(scores, kinds, reasons)


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Optional[Mapping[str, Any]] = None,
    *,
    verifier: Optional[str] = None,
    return_dict: bool = False,
    **_: Any,
):
    """verl's custom reward function: the score of one completion (a ``float``), or with
    ``return_dict=True`` a dict with ``score``, ``acc`` (1.0 when correct), ``verdict`` and
    ``reason`` (verl logs the extra keys). ``verifier`` is used when the row names none.
    Other keyword arguments that verl's reward loops pass (e.g. ``reward_router_address``)
    are accepted and ignored."""
    name, gold = _resolve(data_source, ground_truth, extra_info, verifier)
    v = verify(name, [solution_str], [gold])
    if not return_dict:
        return float(v.scores[0])
    return {
        "score": float(v.scores[0]),
        "acc": 1.0 if v.kinds[0] == "correct" else 0.0,
        "verdict": v.kinds[0],
        "reason": v.reasons[0],
    }


def compute_score_batch(
    data_sources: Sequence[str],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Optional[Sequence[Optional[Mapping[str, Any]]]] = None,
    *,
    verifier: Optional[str] = None,
    **_: Any,
) -> List[float]:
    """verl's batch form (``BatchRewardManager``): a list of scores, graded per verifier in
    one native call each."""
    n = len(solution_strs)
    if not (len(data_sources) == len(ground_truths) == n):
        raise ValueError(
            f"{len(data_sources)} data sources, {n} solutions and {len(ground_truths)} "
            "ground truths: give one of each per row"
        )
    extra_infos = extra_infos if extra_infos is not None else [None] * n
    resolved = [
        _resolve(d, g, e, verifier)
        for d, g, e in zip(data_sources, ground_truths, extra_infos)
    ]
    names = [r[0] for r in resolved]
    golds = [r[1] for r in resolved]
    return _score_rows(names, list(solution_strs), golds).scores.tolist()


def _completion_text(completion: Any) -> str:
    """TRL passes plain strings, or for conversational data a list of messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and completion and isinstance(completion[-1], Mapping):
        content = completion[-1].get("content", "")
        if isinstance(content, str):
            return content
        # Multimodal content: a list of {"type": "text", "text": ...} parts.
        return "".join(
            part.get("text", "") for part in content if isinstance(part, Mapping)
        )
    raise ValueError(
        f"a completion must be a string or a list of chat messages, got {type(completion).__name__}"
    )


def trl_reward(
    verifier: Optional[str] = None, *, gold_column: str = "solution"
) -> Callable[..., List[float]]:
    """A reward function for TRL's ``GRPOTrainer(reward_funcs=[...])``.

    The function receives ``prompts``, ``completions`` and the dataset's other columns as
    lists; the gold comes from ``gold_column`` (or, when the dataset has no such column, from
    ``extra_info[i]["gold"]`` of rows made by ``ocellus.tasks``). With ``verifier=None`` each
    row's verifier comes from ``extra_info`` or ``data_source``. The function's ``__name__``
    (``ocellus_<verifier>``) is what TRL logs.
    """

    def reward(prompts: Iterable[Any], completions: Sequence[Any], **columns: Any) -> List[float]:
        texts = [_completion_text(c) for c in completions]
        n = len(texts)
        extra_infos = columns.get("extra_info") or [None] * n
        data_sources = columns.get("data_source") or [None] * n
        golds = columns.get(gold_column)
        if golds is None:
            if all(isinstance(e, Mapping) and "gold" in e for e in extra_infos):
                golds = [None] * n
            else:
                raise KeyError(
                    f"the dataset has no {gold_column!r} column (columns: {sorted(columns)}); "
                    "pass gold_column= naming the column with the gold answers"
                )
        resolved = [
            _resolve(d, g, e, verifier) for d, g, e in zip(data_sources, golds, extra_infos)
        ]
        return _score_rows([r[0] for r in resolved], texts, [r[1] for r in resolved]).scores.tolist()

    reward.__name__ = f"ocellus_{verifier or 'auto'}"
    reward.__qualname__ = reward.__name__
    return reward
