//! Format rewards: is the tag structure present and well-formed?
//!
//! Sources:
//! - VLM-R1 (arXiv 2504.07615) `grpo_jsonl.py::format_reward`, also CLS-RL (arXiv 2503.16188)
//!   `grpo.py` and Jigsaw-R1 `utils/reward.py::format_reward`:
//!   `re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", content, re.DOTALL)` → 1/0.
//!   [`FormatRule::ThinkAnswerRegex`] reproduces its semantics exactly.
//! - GTA1 (arXiv 2507.05791) `src/grpo_grounding.py`:
//!   `<think>.*?</think>\s*<answer>\(\d+,\s*\d+\)</answer>` ([`FormatRule::Gta1Click`]). The
//!   notes do not say whether GTA1 applies it with `match`, `search` or `fullmatch`
//!   (UNVERIFIED); we use full-match semantics like VLM-R1's.
//!
//! The regex form accepts a completion that hedges with several blocks
//! (`<think>a</think><answer>1</answer><answer>2</answer>` matches, because `.*?` can span tags),
//! so the default [`FormatRule::ThinkAnswer`] is stricter: exactly one `<think>` block, then
//! exactly one non-empty `<answer>` block, only whitespace around and between them. Tags are
//! exact lower-case here (a format check is about the exact template).
//!
//! ```
//! use ocellus_rewards::format::{check_format, FormatRule};
//! let good = "<think>\ncount them\n</think>\n<answer>3</answer>";
//! assert!(check_format(good, FormatRule::ThinkAnswer).is_ok());
//! let hedged = "<think>x</think><answer>1</answer><answer>2</answer>";
//! assert!(check_format(hedged, FormatRule::ThinkAnswerRegex).is_ok());
//! assert!(check_format(hedged, FormatRule::ThinkAnswer).is_err());
//! ```

use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};
use serde::{Deserialize, Serialize};

/// Which template a completion must follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormatRule {
    /// Exactly one `<think>…</think>` then exactly one non-empty `<answer>…</answer>`, only
    /// whitespace outside and between them. The default.
    #[default]
    ThinkAnswer,
    /// Bit-parity with `re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", DOTALL)`.
    ThinkAnswerRegex,
    /// Exactly one non-empty `<answer>…</answer>` block and only whitespace around it (no-think
    /// templates).
    AnswerOnly,
    /// GTA1: the regex form with the answer exactly `(x, y)`, non-negative integers.
    Gta1Click,
}

/// Python's `\s` for `str` patterns (Unicode whitespace).
fn is_ws(c: char) -> bool {
    c.is_whitespace() || c == '\u{1c}' || c == '\u{1d}' || c == '\u{1e}' || c == '\u{1f}'
}

/// `re.fullmatch(r"<think>.*?</think>\s*<answer>(.*?)</answer>", DOTALL)`: returns the answer
/// span `(start, end)` of the first successful match, if any.
fn regex_think_answer(t: &str) -> Option<(usize, usize)> {
    const OT: &str = "<think>";
    const CT: &str = "</think>";
    const OA: &str = "<answer>";
    const CA: &str = "</answer>";
    if !t.starts_with(OT) || !t.ends_with(CA) {
        return None;
    }
    let last = t.len() - CA.len();
    // The answer part must start at or after OT.len(); try every "</think>" in order (the lazy
    // .*? tries the shortest first; any success is a match).
    let mut from = OT.len();
    while let Some(k) = t.get(from..).and_then(|s| s.find(CT)).map(|i| i + from) {
        let after = k + CT.len();
        let ws_end = t[after..]
            .char_indices()
            .find(|&(_, c)| !is_ws(c))
            .map_or(t.len(), |(i, _)| after + i);
        if t[ws_end..].starts_with(OA) && ws_end + OA.len() <= last {
            return Some((ws_end + OA.len(), last));
        }
        from = k + 1;
    }
    None
}

/// Checks `completion` against `rule`; `Err` says what is wrong.
pub fn check_format(completion: &str, rule: FormatRule) -> Result<(), String> {
    match rule {
        FormatRule::ThinkAnswerRegex => regex_think_answer(completion)
            .map(|_| ())
            .ok_or_else(|| "does not full-match <think>.*?</think>\\s*<answer>.*?</answer>".into()),
        FormatRule::Gta1Click => {
            let (s, e) = regex_think_answer(completion)
                .ok_or("does not full-match <think>.*?</think>\\s*<answer>…</answer>")?;
            // The lazy match ends at the final </answer>, so the answer is t[s..e]; it must be
            // exactly \(\d+,\s*\d+\).
            let a = &completion[s..e];
            let inner = a
                .strip_prefix('(')
                .and_then(|x| x.strip_suffix(')'))
                .ok_or("answer is not (x, y)")?;
            let (x, y) = inner.split_once(',').ok_or("answer is not (x, y)")?;
            let y = y.trim_start_matches(is_ws);
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if digits(x) && digits(y) {
                Ok(())
            } else {
                Err(format!("answer {a:?} is not (int, int)"))
            }
        }
        FormatRule::ThinkAnswer | FormatRule::AnswerOnly => {
            let t = completion.trim();
            let count = |n: &str| t.matches(n).count();
            let think = rule == FormatRule::ThinkAnswer;
            let (nt, nct, na, nca) = (
                count("<think>"),
                count("</think>"),
                count("<answer>"),
                count("</answer>"),
            );
            if think && (nt, nct) != (1, 1) {
                return Err(format!(
                    "expected one <think> and one </think>, found {nt} and {nct}"
                ));
            }
            if !think && (nt, nct) != (0, 0) {
                return Err("think tags in an answer-only template".into());
            }
            if (na, nca) != (1, 1) {
                return Err(format!(
                    "expected one <answer> and one </answer>, found {na} and {nca}"
                ));
            }
            let rest = if think {
                let r = t
                    .strip_prefix("<think>")
                    .ok_or("does not start with <think>")?;
                let k = r.find("</think>").ok_or("</think> missing")?;
                r[k + "</think>".len()..].trim_start()
            } else {
                t
            };
            let body = rest
                .strip_prefix("<answer>")
                .ok_or("text between </think> and <answer>")?
                .strip_suffix("</answer>")
                .ok_or("text after </answer>")?;
            if body.trim().is_empty() {
                return Err("empty <answer> block".into());
            }
            Ok(())
        }
    }
}

/// Format reward: 1 when [`check_format`] passes, else 0 with the reason.
///
/// ```
/// use ocellus_rewards::{format::{FormatReward, FormatRule}, Gold, Verifier};
/// let v = FormatReward { rule: FormatRule::ThinkAnswer };
/// assert_eq!(v.verify("<think>a</think><answer>b</answer>", &Gold::default()).score(), 1.0);
/// assert_eq!(v.verify("<answer>b</answer>", &Gold::default()).score(), 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct FormatReward {
    /// The template.
    pub rule: FormatRule,
}

impl Verifier for FormatReward {
    fn name(&self) -> &'static str {
        match self.rule {
            FormatRule::ThinkAnswer => "format",
            FormatRule::ThinkAnswerRegex => "format_regex",
            FormatRule::AnswerOnly => "format_answer_only",
            FormatRule::Gta1Click => "format_gta1",
        }
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    /// The gold answer is not read.
    fn verify(&self, completion: &str, _gold: &Gold) -> Verdict {
        match check_format(completion, self.rule) {
            Ok(()) => Verdict::Correct {
                score: 1.0,
                reason: format!("{:?} template followed", self.rule),
            },
            Err(why) => Verdict::Incorrect {
                score: 0.0,
                reason: why,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FormatRule::*;

    #[test]
    fn format_table() {
        // (completion, ThinkAnswer, ThinkAnswerRegex, AnswerOnly, Gta1Click)
        let table: [(&str, bool, bool, bool, bool); 14] = [
            (
                "<think>a</think><answer>b</answer>",
                true,
                true,
                false,
                false,
            ),
            (
                "<think>\nmulti\nline\n</think>\n\n<answer>\nb\n</answer>",
                true,
                true,
                false,
                false,
            ),
            (
                "  <think>a</think> <answer>b</answer>  ",
                true,
                false,
                false,
                false,
            ),
            (
                "<think>a</think>x<answer>b</answer>",
                false,
                false,
                false,
                false,
            ),
            (
                "<think>a</think><answer>b</answer>trailing",
                false,
                false,
                false,
                false,
            ),
            (
                "<think>a</think><answer></answer>",
                false,
                true,
                false,
                false,
            ),
            (
                "<think>a</think><answer>1</answer><answer>2</answer>",
                false,
                true,
                false,
                false,
            ),
            (
                "<think>a</think></think><answer>b</answer>",
                false,
                true,
                false,
                false,
            ),
            ("<answer>b</answer>", false, false, true, false),
            ("<think>a<answer>b</answer>", false, false, false, false),
            ("", false, false, false, false),
            (
                "<think>a</think><answer>(12, 34)</answer>",
                true,
                true,
                false,
                true,
            ),
            (
                "<think>a</think><answer>(12,34)</answer>",
                true,
                true,
                false,
                true,
            ),
            (
                "<think>a</think><answer>(1.5, 3)</answer>",
                true,
                true,
                false,
                false,
            ),
        ];
        for (c, ta, re, ao, gta) in table {
            assert_eq!(
                check_format(c, ThinkAnswer).is_ok(),
                ta,
                "ThinkAnswer {c:?}"
            );
            assert_eq!(check_format(c, ThinkAnswerRegex).is_ok(), re, "Regex {c:?}");
            assert_eq!(check_format(c, AnswerOnly).is_ok(), ao, "AnswerOnly {c:?}");
            assert_eq!(check_format(c, Gta1Click).is_ok(), gta, "Gta1 {c:?}");
        }
    }

    #[test]
    fn regex_form_tries_later_think_closers() {
        // The first "</think>" is not followed by <answer>; the second is.
        let c = "<think>a</think> b </think>\n<answer>c</answer>";
        assert!(check_format(c, ThinkAnswerRegex).is_ok());
        assert!(check_format(c, ThinkAnswer).is_err());
        // "<think></think><answer></answer>" is the shortest full match.
        assert!(check_format("<think></think><answer></answer>", ThinkAnswerRegex).is_ok());
        assert!(check_format("<think></answer>", ThinkAnswerRegex).is_err());
    }
}
