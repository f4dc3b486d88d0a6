//! ViCrit: find the corrupted span in a caption.
//!
//! **Source.** ViCrit (Wang et al. 2025, arXiv 2506.10128, NeurIPS 2025): a ~200-word human
//! caption gets ONE injected subtle error (object, attribute, count, spatial relation); the
//! policy must output the corrupted span; the paper describes a "binary, exact-match reward".
//! The benchmark scorer (seen in a copy of the official scorer, potate4/ViCrit `score.py`)
//! computes the changed tokens as the tokens of the changed caption minus the longest common
//! prefix and suffix with the original, and counts an answer correct if the **first** changed
//! token occurs in the `\boxed{}` answer ("relaxed correctness").
//!
//! UNVERIFIED: the training-time normalisation of the exact match. [`ViCritMode::ExactSpan`]
//! compares after [`crate::text::normalize_text`] (lower case, no punctuation or articles).
//! In [`ViCritMode::RelaxedFirstToken`] "occurs" means: is one of the answer's normalised
//! words (a substring test would let "a" or "on" match almost anything).

use crate::error::{snippet, ParseError};
use crate::extract::{extract_answer, AnswerSource};
use crate::text::{gold_text, normalize_text};
use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};
use serde::Deserialize;

/// How [`ViCrit`] matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ViCritMode {
    /// Gold is the corrupted span; the normalised answer must equal it. The default.
    #[default]
    ExactSpan,
    /// Gold is `{"original_caption": …, "changed_caption": …}`; the first changed token must be
    /// a word of the answer (the benchmark scorer).
    RelaxedFirstToken,
}

#[derive(Deserialize)]
struct Captions {
    original_caption: String,
    changed_caption: String,
}

/// The changed tokens: the whitespace tokens of `changed` minus the longest common prefix and
/// suffix with `original`.
///
/// ```
/// use ocellus_rewards::vicrit::changed_tokens;
/// let o = "a red car parked next to two trees";
/// let c = "a blue car parked next to two trees";
/// assert_eq!(changed_tokens(o, c), vec!["blue"]);
/// ```
pub fn changed_tokens<'a>(original: &str, changed: &'a str) -> Vec<&'a str> {
    let o: Vec<&str> = original.split_whitespace().collect();
    let c: Vec<&str> = changed.split_whitespace().collect();
    let prefix = o.iter().zip(&c).take_while(|(a, b)| a == b).count();
    let max_suffix = o.len().min(c.len()) - prefix;
    let suffix = o
        .iter()
        .rev()
        .zip(c.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    c[prefix..c.len() - suffix].to_vec()
}

/// ViCrit's corrupted-span reward. Scores 1 or 0.
///
/// ```
/// use ocellus_rewards::{vicrit::ViCrit, Gold, Verifier};
/// let v = ViCrit::default();
/// assert!(v.verify(r"The error is \boxed{blue car}", &Gold::new("Blue car")).is_correct());
/// assert!(!v.verify(r"\boxed{two trees}", &Gold::new("blue car")).is_correct());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ViCrit {
    /// How to match.
    pub mode: ViCritMode,
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Verifier for ViCrit {
    fn name(&self) -> &'static str {
        match self.mode {
            ViCritMode::ExactSpan => "vicrit",
            ViCritMode::RelaxedFirstToken => "vicrit_relaxed",
        }
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let target = match self.mode {
            ViCritMode::ExactSpan => gold_text(gold).map(normalize_text),
            ViCritMode::RelaxedFirstToken => serde_json::from_str::<Captions>(&gold.answer)
                .map_err(|e| ParseError::Json {
                    msg: e.to_string(),
                    text: snippet(&gold.answer),
                })
                .and_then(|c| {
                    changed_tokens(&c.original_caption, &c.changed_caption)
                        .first()
                        .map(|t| normalize_text(t))
                        .filter(|t| !t.is_empty())
                        .ok_or(ParseError::Invalid {
                            what: "captions",
                            why: "no changed token".into(),
                        })
                }),
        };
        let target = match target {
            Ok(t) if !t.is_empty() => t,
            Ok(_) => return Verdict::GoldUnparseable(ParseError::EmptyAnswer),
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        let a = match extract_answer(completion, self.source) {
            Ok(a) => normalize_text(a),
            Err(e) => return Verdict::Malformed(e),
        };
        let hit = match self.mode {
            ViCritMode::ExactSpan => a == target,
            ViCritMode::RelaxedFirstToken => a.split(' ').any(|w| w == target),
        };
        Verdict::graded(
            if hit { 1.0 } else { 0.0 },
            0.0,
            1.0,
            format!(
                "answer {:?} {} {:?}",
                snippet(&a),
                if hit { "matches" } else { "misses" },
                snippet(&target)
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::VerdictKind::{self, *};

    #[test]
    fn changed_tokens_table() {
        let table: [(&str, &str, Vec<&str>); 5] = [
            ("a b c d", "a x c d", vec!["x"]),
            ("a b c d", "a x y d", vec!["x", "y"]),
            ("a b c", "a b c", vec![]),
            ("a b", "a b b", vec!["b"]), // insertion: suffix cannot overlap the prefix
            ("one two", "three", vec!["three"]),
        ];
        for (o, c, want) in table {
            assert_eq!(changed_tokens(o, c), want, "{o:?} -> {c:?}");
        }
    }

    #[test]
    fn vicrit_table() {
        let exact = ViCrit::default();
        let g = Gold::new("three dogs");
        let table: [(&str, VerdictKind); 5] = [
            (r"\boxed{Three dogs.}", Correct),
            ("<answer>the three dogs</answer>", Correct),
            (r"\boxed{three}", Incorrect),
            ("three dogs", Malformed),
            (r"\boxed{three dogs", Malformed),
        ];
        for (c, k) in table {
            assert_eq!(exact.verify(c, &g).kind(), k, "{c:?}");
        }
        let relaxed = ViCrit {
            mode: ViCritMode::RelaxedFirstToken,
            ..ViCrit::default()
        };
        let g = Gold::new(
            r#"{"original_caption": "two dogs sit on grass", "changed_caption": "three dogs sit on grass"}"#,
        );
        assert!(relaxed.verify(r"\boxed{three dogs}", &g).is_correct());
        assert!(!relaxed.verify(r"\boxed{two dogs}", &g).is_correct());
        assert!(!relaxed.verify(r"\boxed{threefold}", &g).is_correct());
        assert_eq!(
            relaxed.verify(r"\boxed{x}", &Gold::new("not json")).kind(),
            GoldUnparseable
        );
        let same = Gold::new(r#"{"original_caption": "a b", "changed_caption": "a b"}"#);
        assert_eq!(relaxed.verify(r"\boxed{x}", &same).kind(), GoldUnparseable);
    }
}
