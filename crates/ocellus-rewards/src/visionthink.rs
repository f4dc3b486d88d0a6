//! VisionThink's resize-call penalties.
//!
//! **Source.** VisionThink (Yang et al. 2025, arXiv 2507.13348, NeurIPS 2025),
//! dvlab-research/VisionThink. The policy first sees the image at 1/4 resolution and may emit
//! a tool call asking for the full image.
//! - Per sample (`verl/utils/reward_score/general_qa_tool.py` l.214-245):
//!   `score = (1 - 0.1 * 1[resize called]) * acc + 0.5 * format`, with `acc` from an
//!   LLM judge (binary).
//! - Per group (`verl/trainer/ppo/ray_trainer.py` l.1215-1240; `tool_call_penalty = 0.1`,
//!   `direct_answer_penalty = 0.1`, `soft_tool_call_penalty_ratio = 0.2` in
//!   `scripts/run_efficient_gpt4o_judge.sh`): `ratio = #correct direct answers / #correct`;
//!   if `0 < ratio < 0.2`, correct direct answers get `acc = 1 - 0.1` instead of 1, pushing
//!   the policy to ask for the high-resolution image only when low resolution rarely suffices.
//!
//! **Deviations**
//! 1. The LLM judge is replaced by any inner [`Verifier`] (its score, clamped to [0, 1], is
//!    `acc`). An inner `Malformed`/`GoldUnparseable` verdict is returned as is (score 0).
//! 2. The tool-call syntax was not read (UNVERIFIED): a resize call is any JSON object in the
//!    completion with an `"action"` or `"name"` string containing `resize` (e.g.
//!    `{"action": "resize"}` or `<tool_call>{"name": "resize_image"}</tool_call>`).
//! 3. `format` is 1 when the completion has a complete `<answer>…</answer>` block.

use crate::extract::{answer_tag, find_ci};
use crate::shapes::first_json;
use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};
use serde_json::Value;

/// Whether `completion` contains a resize tool call (see deviation 2).
pub fn called_resize(completion: &str) -> bool {
    let b = completion.as_bytes();
    let mut from = 0;
    // Only look at JSON objects that mention "resize" somewhere after them.
    while let Some(i) = find_ci(b, b"resize", from) {
        // Scan the objects that start before this mention, nearest first.
        let start = completion[..i].rfind('{');
        if let Some(s) = start {
            if let Some(Value::Object(m)) = first_json(&completion[s..]) {
                let is_resize = ["action", "name"].iter().any(|k| {
                    m.get(*k)
                        .and_then(Value::as_str)
                        .is_some_and(|v| v.to_ascii_lowercase().contains("resize"))
                });
                if is_resize {
                    return true;
                }
            }
        }
        from = i + 1;
    }
    false
}

/// VisionThink's per-sample score: `(1 - penalty * 1[resize]) * acc + format_weight * format`.
/// Scores in `[0, 1 + format_weight]` = [0, 1.5].
///
/// ```
/// use ocellus_rewards::{visionthink::VisionThink, text::StringMatch, Gold, Verifier};
/// let v = VisionThink::new(Box::new(StringMatch::normalized()));
/// let gold = Gold::new("red");
/// assert_eq!(v.verify("<answer>red</answer>", &gold).score(), 1.5);
/// let with_call = r#"<tool_call>{"action": "resize"}</tool_call> ... <answer>red</answer>"#;
/// assert!((v.verify(with_call, &gold).score() - 1.4).abs() < 1e-12);
/// ```
pub struct VisionThink {
    /// The accuracy judge.
    pub inner: Box<dyn Verifier>,
    /// Multiplicative penalty on `acc` when the full image was requested (0.1).
    pub resize_penalty: f64,
    /// Weight of the format term (0.5).
    pub format_weight: f64,
}

impl VisionThink {
    /// VisionThink's constants around the accuracy judge `inner`.
    pub fn new(inner: Box<dyn Verifier>) -> VisionThink {
        VisionThink {
            inner,
            resize_penalty: 0.1,
            format_weight: 0.5,
        }
    }
}

impl Verifier for VisionThink {
    fn name(&self) -> &'static str {
        "visionthink"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0 + self.format_weight.max(0.0))
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let inner = self.inner.verify(completion, gold);
        if matches!(inner, Verdict::Malformed(_) | Verdict::GoldUnparseable(_)) {
            return inner;
        }
        let (lo, hi) = self.inner.score_range();
        let span = hi - lo;
        let acc = if span > 0.0 {
            ((inner.score() - lo) / span).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let resized = called_resize(completion);
        let format = if answer_tag(completion).is_ok() {
            1.0
        } else {
            0.0
        };
        let pen = self.resize_penalty.clamp(0.0, 1.0);
        let fw = self.format_weight.max(0.0);
        let score = (1.0 - pen * if resized { 1.0 } else { 0.0 }) * acc + fw * format;
        let reason = format!(
            "acc {acc} ({}), resize called {resized}, format {format}",
            inner.reason()
        );
        if acc >= 1.0 && !resized && format == 1.0 {
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

/// VisionThink's group-level accuracy terms: correct resize calls get `1 - tool_call_penalty`;
/// correct direct answers get `1 - direct_answer_penalty` when
/// `0 < #correct direct / #correct < ratio_threshold`, else 1; wrong answers get 0.
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
    let ratio = if correct == 0 {
        0.0
    } else {
        direct as f64 / correct as f64
    };
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
    fn resize_detection_table() {
        let table: [(&str, bool); 7] = [
            (r#"{"action": "resize"}"#, true),
            (
                r#"<tool_call>{"name": "resize_image", "arguments": {}}</tool_call>"#,
                true,
            ),
            (r#"{'action': 'Resize'}"#, true),
            ("I will not resize the image.", false),
            (r#"{"action": "crop"} resize"#, false),
            (r#"{"note": "resize"}"#, false),
            ("", false),
        ];
        for (c, want) in table {
            assert_eq!(called_resize(c), want, "{c:?}");
        }
    }

    #[test]
    fn per_sample_score_table() {
        let v = VisionThink::new(Box::new(StringMatch::normalized()));
        let g = Gold::new("cat");
        let call = r#"{"action":"resize"}"#;
        let table: [(String, f64, crate::verdict::VerdictKind); 5] = [
            ("<answer>cat</answer>".into(), 1.5, Correct),
            (format!("{call}<answer>cat</answer>"), 1.4, Partial),
            ("<answer>dog</answer>".into(), 0.5, Partial),
            (format!("{call}<answer>dog</answer>"), 0.5, Partial),
            (r"\boxed{cat}".into(), 1.0, Partial), // correct, no <answer> block: format 0
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
        // ratio exactly 0.2 is not < 0.2: no soft penalty.
        let g = [
            s(true, false),
            s(true, true),
            s(true, true),
            s(true, true),
            s(true, true),
        ];
        assert_eq!(group_accuracy(&g, 0.1, 0.1, 0.2)[0], 1.0);
        // No direct correct answer: ratio 0, no soft penalty.
        assert_eq!(
            group_accuracy(&[s(true, true), s(false, false)], 0.1, 0.1, 0.2),
            vec![0.9, 0.0]
        );
        assert!(group_accuracy(&[], 0.1, 0.1, 0.2).is_empty());
    }
}
