//! VisionThink's resize-call penalties.
//!
//! **Source.** VisionThink (Yang et al. 2025, arXiv 2507.13348, NeurIPS 2025),
//! dvlab-research/VisionThink at commit `42afd8c3`. The policy first sees the image at 1/4
//! resolution and may call its one tool, `resize_image`, to get the full image: the system
//! prompt (`verl/trainer/constants.py`, `TOOL_AGENT_SYSTEM_PROMPT`) asks for
//! `<tool_call>{"name": "resize_image", "arguments": {"action": "resize"}}</tool_call>` at the
//! end of a `<think>…</think>` turn; the rollout (`vllm_rollout_spmd.py` l.509-511) treats any
//! `<tool_call>…</tool_call>` block as a call and ends the turn there.
//! - Per sample (`verl/utils/reward_score/general_qa_tool.py`, `compute_score` l.214-244 and
//!   `format_reward` l.139-183):
//!   `score = (1 - 0.1 * 1[tool called]) * acc + 0.5 * format + w_tool * 1[tool called]`, with
//!   `acc` from an LLM judge (binary), the weights of `scripts/run_efficient_gpt4o_judge.sh`
//!   (`format_reward_weight=0.5`, `tool_call_penalty=0.1`; `use_tool_reward_weight` is unset
//!   there, so 0 by `main_ppo.py` l.128).
//! - `format` is 1 when every turn but the last is a valid tool-call turn and the last a valid
//!   answer turn (one turn: it is a valid answer turn). A valid answer turn (`is_valid_direct_answer`)
//!   starts with `<think>` and ends with `</answer>`, has exactly one each of `<think>`,
//!   `</think>`, `<answer>`, `</answer>` in that order and no `<tool_call>` or `</tool_call>`.
//!   A valid tool-call turn (`is_valid_tool_call`, after stripping) starts with `<think>` and
//!   ends with `</tool_call>`, has one `<think>` and one `</think>`, a `<tool_call>` after the
//!   `</think>`, exactly one `<tool_call>` or exactly one `</tool_call>` (the reference's `and`),
//!   and no `<answer>`/`</answer>`. Tags are case-sensitive.
//! - Per group (`verl/trainer/ppo/ray_trainer.py` l.1215-1240; `direct_answer_penalty = 0.1`,
//!   `soft_tool_call_penalty_ratio = 0.2` in the same script): see [`group_accuracy`].
//!
//! **Turns.** The reference scores a list of assistant turns; a completion here is one string.
//! It is cut into turns after each `</tool_call>` ([`split_turns`]), which is where the
//! reference's rollout ends a turn that calls the tool; the whitespace that starts a later turn
//! is the separator and is dropped. So the tool counts as called ([`called_resize`]) when a
//! `<tool_call>` comes before the first `</tool_call>` (the reference counts the calls of the
//! turns before the last, stopping after the first invalid one, and only checks `> 0`).
//!
//! **Deviations**
//! 1. The LLM judge is replaced by any inner [`Verifier`] (its score, rescaled from its range to
//!    [0, 1] and clamped, is `acc`), which reads the answer its own way (e.g. the last
//!    `<answer>` block) where the reference sends the text after the last `<answer>` to the
//!    judge. An inner `Malformed`/`GoldUnparseable` verdict is returned as is (score 0), where
//!    the reference could still pay the format term (0.5 for a well-formed completion whose
//!    answer the judge rejects).
//! 2. The reference's last turn is not stripped (the single-turn case is): a last turn ending
//!    in more than one line break fails its format test. Here only the separator before a turn
//!    is dropped, so the end of the completion is tested as the reference tests it.
//! 3. `soft_tool_call_filter` (off by default in `ppo_trainer.yaml`) is not implemented; the
//!    group penalty uses f64 where the reference uses f32 tensors (the same decisions for any
//!    group of fewer than 10^5 samples).

use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};

const THINK: &str = "<think>";
const THINK_END: &str = "</think>";
const ANSWER: &str = "<answer>";
const ANSWER_END: &str = "</answer>";
const CALL: &str = "<tool_call>";
const CALL_END: &str = "</tool_call>";

/// Python's `str.isspace()` (what `str.strip()` strips).
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The completion cut into assistant turns after each `</tool_call>` (see the module docs);
/// the turns after the first have their leading whitespace dropped. Always at least one turn.
///
/// ```
/// use ocellus_rewards::visionthink::split_turns;
/// let c = "<think>small</think><tool_call>{}</tool_call>\n<think>big</think><answer>7</answer>";
/// assert_eq!(split_turns(c), vec![
///     "<think>small</think><tool_call>{}</tool_call>",
///     "<think>big</think><answer>7</answer>",
/// ]);
/// ```
pub fn split_turns(completion: &str) -> Vec<&str> {
    let mut turns = Vec::new();
    let mut rest = completion;
    while let Some(i) = rest.find(CALL_END) {
        let end = i + CALL_END.len();
        turns.push(&rest[..end]);
        rest = rest[end..].trim_start_matches(py_space);
    }
    turns.push(rest);
    // The first turn keeps its leading whitespace (the reference strips it in both tests).
    turns
}

/// Whether the policy called the tool (`format_reward`'s `tool_call_count > 0`).
pub fn called_resize(completion: &str) -> bool {
    match (completion.find(CALL), completion.find(CALL_END)) {
        (Some(open), Some(close)) => open < close,
        _ => false,
    }
}

/// `is_valid_direct_answer` on `turn` as given (`$` also matches before one final `\n`).
fn valid_answer_turn(turn: &str) -> bool {
    let body = turn.strip_suffix('\n').unwrap_or(turn);
    if !turn.starts_with(THINK) || !body.ends_with(ANSWER_END) {
        return false;
    }
    if [THINK, THINK_END, ANSWER, ANSWER_END]
        .iter()
        .any(|t| turn.matches(t).count() != 1)
        || turn.contains(CALL)
        || turn.contains(CALL_END)
    {
        return false;
    }
    // One of each: `<think>` is at 0 and `</answer>` at the end, so the order test is the
    // middle pair's.
    matches!((turn.find(THINK_END), turn.find(ANSWER)), (Some(a), Some(b)) if a < b)
}

/// `is_valid_tool_call` on a stripped turn.
fn valid_call_turn(turn: &str) -> bool {
    if !turn.starts_with(THINK) || !turn.ends_with(CALL_END) {
        return false;
    }
    if turn.matches(THINK).count() != 1 || turn.matches(THINK_END).count() != 1 {
        return false;
    }
    if turn.matches(CALL).count() != 1 && turn.matches(CALL_END).count() != 1 {
        return false;
    }
    if turn.contains(ANSWER) || turn.contains(ANSWER_END) {
        return false;
    }
    // `.*</think>.*<tool_call>.*</tool_call>$`: some `<tool_call>` after the `</think>`.
    matches!((turn.find(THINK_END), turn.rfind(CALL)), (Some(a), Some(b)) if a < b)
}

/// `format_reward`'s format score (0 or 1) of a completion cut by [`split_turns`].
///
/// ```
/// use ocellus_rewards::visionthink::format_ok;
/// assert!(format_ok("<think>easy</think> <answer>7</answer>"));
/// assert!(format_ok("<think>small</think><tool_call>{}</tool_call> <think>ok</think><answer>7</answer>"));
/// assert!(!format_ok("<answer>7</answer>"));
/// ```
pub fn format_ok(completion: &str) -> bool {
    let turns = split_turns(completion);
    match turns.split_last() {
        Some((only, [])) => valid_answer_turn(only.trim_matches(py_space)),
        Some((last, calls)) => {
            calls
                .iter()
                .all(|t| valid_call_turn(t.trim_matches(py_space)))
                && valid_answer_turn(last)
        }
        None => false,
    }
}

/// VisionThink's per-sample score:
/// `(1 - resize_penalty * 1[called]) * acc + format_weight * format + tool_use_weight * 1[called]`,
/// in `[0, 1 + format_weight + tool_use_weight]` = [0, 1.5] by default.
///
/// ```
/// use ocellus_rewards::{visionthink::VisionThink, text::StringMatch, Gold, Verifier};
/// let v = VisionThink::new(Box::new(StringMatch::normalized()));
/// let gold = Gold::new("red");
/// assert_eq!(v.verify("<think>clear</think><answer>red</answer>", &gold).score(), 1.5);
/// let with_call = "<think>too small</think>\n<tool_call>\n{\"name\": \"resize_image\", \
///     \"arguments\": {\"action\": \"resize\"}}\n</tool_call>\n<think>now clear</think>\n\
///     <answer>red</answer>";
/// assert!((v.verify(with_call, &gold).score() - 1.4).abs() < 1e-12);
/// ```
pub struct VisionThink {
    /// The accuracy judge.
    pub inner: Box<dyn Verifier>,
    /// Multiplicative penalty on `acc` when the tool was called (`tool_call_penalty`, 0.1).
    pub resize_penalty: f64,
    /// Weight of the format term (`format_reward_weight`, 0.5 in the training script).
    pub format_weight: f64,
    /// Bonus for calling the tool (`use_tool_reward_weight`, 0 in the training script).
    pub tool_use_weight: f64,
}

impl VisionThink {
    /// VisionThink's constants around the accuracy judge `inner`.
    pub fn new(inner: Box<dyn Verifier>) -> VisionThink {
        VisionThink {
            inner,
            resize_penalty: 0.1,
            format_weight: 0.5,
            tool_use_weight: 0.0,
        }
    }
}

impl Verifier for VisionThink {
    fn name(&self) -> &'static str {
        "visionthink"
    }
    fn score_range(&self) -> (f64, f64) {
        (
            0.0,
            1.0 + self.format_weight.max(0.0) + self.tool_use_weight.max(0.0),
        )
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let inner = self.inner.verify(completion, gold);
        if matches!(
            inner,
            Verdict::Malformed(_) | Verdict::GoldUnparseable(_) | Verdict::Internal { .. }
        ) {
            return inner;
        }
        let (lo, hi) = self.inner.score_range();
        let span = hi - lo;
        let acc = if span > 0.0 {
            ((inner.score() - lo) / span).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let called = called_resize(completion);
        let format = if format_ok(completion) { 1.0 } else { 0.0 };
        let pen = self.resize_penalty.clamp(0.0, 1.0);
        let fw = self.format_weight.max(0.0);
        let tw = self.tool_use_weight.max(0.0);
        let c = if called { 1.0 } else { 0.0 };
        let score = (1.0 - pen * c) * acc + fw * format + tw * c;
        let reason = format!(
            "acc {acc} ({}), tool called {called}, format {format}",
            inner.reason()
        );
        if acc >= 1.0 && !called && format == 1.0 {
            Verdict::Correct { score, reason }
        } else if score > 0.0 {
            Verdict::Partial { score, reason }
        } else {
            Verdict::Incorrect { score, reason }
        }
    }
}

/// One sample of a group, for [`group_accuracy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupSample {
    /// The judge said correct.
    pub correct: bool,
    /// The sample asked for the full-resolution image.
    pub resized: bool,
}

/// VisionThink's group-level accuracy terms (`ray_trainer.py` l.1215-1240): correct tool calls
/// get `1 - tool_call_penalty`; correct direct answers get `1 - direct_answer_penalty` when
/// `0 < ratio < ratio_threshold` with `ratio = #correct direct / (#correct + 1e-4)` (the
/// reference's guard against division by zero, which also puts a ratio of exactly
/// `ratio_threshold` below it), else 1; wrong answers get 0.
///
/// ```
/// use ocellus_rewards::visionthink::{group_accuracy, GroupSample};
/// let s = |correct, resized| GroupSample { correct, resized };
/// // 1 direct correct out of 6 correct: ratio 1/6 < 0.2, so the direct answer is penalised.
/// let group = [s(true, false), s(true, true), s(true, true), s(true, true), s(true, true),
///              s(true, true), s(false, false)];
/// let acc = group_accuracy(&group, 0.1, 0.1, 0.2);
/// assert_eq!(acc, vec![0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.0]);
/// ```
pub fn group_accuracy(
    group: &[GroupSample],
    tool_call_penalty: f64,
    direct_answer_penalty: f64,
    ratio_threshold: f64,
) -> Vec<f64> {
    let correct = group.iter().filter(|s| s.correct).count();
    let direct = group.iter().filter(|s| s.correct && !s.resized).count();
    let ratio = direct as f64 / (correct as f64 + 1e-4);
    let soft = ratio > 0.0 && ratio < ratio_threshold;
    group
        .iter()
        .map(|s| match (s.correct, s.resized) {
            (false, _) => 0.0,
            (true, true) => 1.0 - tool_call_penalty,
            (true, false) if soft => 1.0 - direct_answer_penalty,
            (true, false) => 1.0,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::StringMatch;
    use crate::verdict::VerdictKind::*;

    #[test]
    fn tool_call_detection_table() {
        // Any complete <tool_call> block is a call (resize_image is the only tool); a bare JSON
        // object, a mention, or tags in another case are not.
        let table: [(&str, bool); 8] = [
            (
                r#"<tool_call>{"name": "resize_image", "arguments": {"action": "resize"}}</tool_call>"#,
                true,
            ),
            (r#"<tool_call>{"name": "crop"}</tool_call>"#, true),
            ("<tool_call></tool_call>", true),
            (r#"{"action": "resize"}"#, false),
            ("I will not resize the image.", false),
            ("<tool_call>{} never closed", false),
            ("</tool_call> <tool_call>", false),
            ("<TOOL_CALL>{}</TOOL_CALL>", false),
        ];
        for (c, want) in table {
            assert_eq!(called_resize(c), want, "{c:?}");
        }
    }

    #[test]
    fn per_sample_score_table() {
        let v = VisionThink::new(Box::new(StringMatch::normalized()));
        let g = Gold::new("cat");
        let call = "<think>small</think><tool_call>{}</tool_call>\n";
        let table: [(String, f64, crate::verdict::VerdictKind); 6] = [
            ("<think>t</think><answer>cat</answer>".into(), 1.5, Correct),
            (
                format!("{call}<think>t</think><answer>cat</answer>"),
                1.4,
                Partial,
            ),
            ("<think>t</think><answer>dog</answer>".into(), 0.5, Partial),
            (
                format!("{call}<think>t</think><answer>dog</answer>"),
                0.5,
                Partial,
            ),
            // Correct, but no <think>: format 0.
            ("<answer>cat</answer>".into(), 1.0, Partial),
            // A call turn without <think> breaks the format: 0.9 * 1 + 0.
            (
                "<tool_call>{}</tool_call><think>t</think><answer>cat</answer>".into(),
                0.9,
                Partial,
            ),
        ];
        for (c, s, k) in table {
            let r = v.verify(&c, &g);
            assert!((r.score() - s).abs() < 1e-12 && r.kind() == k, "{c:?}: {r}");
        }
        assert_eq!(v.verify("no answer", &g).kind(), Malformed);
    }

    #[test]
    fn group_penalty_edges() {
        let s = |correct, resized| GroupSample { correct, resized };
        // 1 direct of 5 correct: 1 / 5.0001 < 0.2, so penalised (the reference's 1e-4).
        let g = [
            s(true, false),
            s(true, true),
            s(true, true),
            s(true, true),
            s(true, true),
        ];
        assert_eq!(group_accuracy(&g, 0.1, 0.1, 0.2)[0], 0.9);
        // 1 of 4: 0.249995, not below 0.2.
        assert_eq!(group_accuracy(&g[..4], 0.1, 0.1, 0.2)[0], 1.0);
        // No direct correct answer: ratio 0, no soft penalty.
        assert_eq!(
            group_accuracy(&[s(true, true), s(false, false)], 0.1, 0.1, 0.2),
            vec![0.9, 0.0]
        );
        assert!(group_accuracy(&[], 0.1, 0.1, 0.2).is_empty());
    }
}
