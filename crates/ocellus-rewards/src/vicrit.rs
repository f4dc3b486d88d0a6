//! ViCrit: find the corrupted span in a caption.
//!
//! **Source.** ViCrit (Wang et al. 2025, arXiv 2506.10128, NeurIPS 2025): a ~200-word human
//! caption gets ONE injected subtle error (object, attribute, count, spatial relation); the
//! policy must output the corrupted span; the paper describes a "binary, exact-match reward".
//! The public code (potate4/ViCrit at commit `eba2faad`, a copy of the official release) has
//! only the benchmark scorer, `score.py`; no training reward is published.
//!
//! - `vicrit` ([`ViCritMode::ExactSpan`], the default): the gold is the corrupted span and the
//!   answer must equal it after [`crate::text::normalize_text`] (lower case, no punctuation or
//!   articles). This normalisation is ours: the paper does not give one.
//! - `vicrit_relaxed` ([`ViCritMode::RelaxedFirstToken`]): `score.py`'s
//!   `relaxed_correctness(extract_answer(response), original, changed)`. Both texts are
//!   lower-cased and split at whitespace; the changed tokens are the changed text's tokens
//!   without the longest common prefix and suffix ([`changed_tokens`], `extract_changed_segment`);
//!   the answer is the first `\boxed{…}` (braces matched) or, with no `boxed{` at all, the
//!   completion's last line (`extract_answer`); it is correct when the first changed token,
//!   punctuation and all, is a **substring** of the lower-cased answer ([`RelaxedRule::Scorer`],
//!   the default). So `three` matches `threefold`, and a changed token `dogs,` needs the comma.
//!   [`RelaxedRule::NormalizedWord`] is our stricter variant: the answer read by
//!   [`ViCrit::source`], and the normalised first token must be one of its normalised words.
//!
//! **Deviations from `score.py`** (`extract_answer`, `extract_boxed_content`,
//! `relaxed_correctness`)
//! 1. A completion with `boxed{` but no `\boxed{` makes the scorer raise (`extract_boxed_content`
//!    returns `None`, then `.lower()` fails); ours is [`Verdict::Malformed`].
//! 2. A `\boxed{` that is never closed: the scorer takes the rest of the completion minus its
//!    last character; ours is [`Verdict::Malformed`] (a truncated completion).
//! 3. Captions with no changed token make the scorer raise (`gt_diff[0]` of an empty list);
//!    ours is [`Verdict::GoldUnparseable`]. An empty answer (an empty last line, `\boxed{}`) is
//!    malformed; the scorer counts it wrong. Both score 0.
//! 4. The gold is `{"original_caption", "changed_caption"}`; the scorer's field names
//!    `original_noun_phrases` and `changed_noun_phrases` are accepted as well.

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
    /// Gold is `{"original_caption": …, "changed_caption": …}`; the first changed token must
    /// occur in the answer, by [`ViCrit::relaxed`] (the benchmark scorer by default).
    RelaxedFirstToken,
}

/// How [`ViCritMode::RelaxedFirstToken`] reads the answer and matches the first changed token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RelaxedRule {
    /// `score.py`: the first `\boxed{}` or else the last line; the token (lower case,
    /// punctuation kept) a substring of the lower-cased answer. The default.
    #[default]
    Scorer,
    /// Ours: the answer by [`ViCrit::source`]; the token, normalised, equal to one of the
    /// answer's normalised words (so `a` does not match `cat`, and `dogs,` matches `dogs`).
    NormalizedWord,
}

#[derive(Deserialize)]
struct Captions {
    #[serde(alias = "original_noun_phrases")]
    original_caption: String,
    #[serde(alias = "changed_noun_phrases")]
    changed_caption: String,
}

/// Python's `str.isspace()`, which `str.split()` splits at: Rust's White_Space plus the
/// information separators U+001C-U+001F.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The changed tokens (`extract_changed_segment`): the whitespace tokens (Python's
/// `str.split()`) of `changed` minus the longest common prefix and then the longest common
/// suffix, which may not reach into the prefix. [`ViCrit`] lower-cases both texts first, as
/// `relaxed_correctness` does.
///
/// ```
/// use ocellus_rewards::vicrit::changed_tokens;
/// let o = "a red car parked next to two trees";
/// let c = "a blue car parked next to two trees";
/// assert_eq!(changed_tokens(o, c), vec!["blue"]);
/// ```
pub fn changed_tokens<'a>(original: &str, changed: &'a str) -> Vec<&'a str> {
    let o: Vec<&str> = original.split(py_space).filter(|t| !t.is_empty()).collect();
    let c: Vec<&str> = changed.split(py_space).filter(|t| !t.is_empty()).collect();
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

/// `score.py`'s `extract_answer`: the content of the first `\boxed{` with its braces matched,
/// or, when the completion has no `boxed{`, its last line (see deviations 1-3).
pub fn scorer_answer(completion: &str) -> Result<&str, ParseError> {
    let text = if completion.contains("boxed{") {
        let Some(i) = completion.find("\\boxed{") else {
            return Err(ParseError::Invalid {
                what: "answer",
                why: "`boxed{` without `\\boxed{` (the ViCrit scorer raises here)".into(),
            });
        };
        let start = i + "\\boxed{".len();
        let mut depth = 1usize;
        let mut end = None;
        for (k, b) in completion.as_bytes()[start..].iter().enumerate() {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(start + k);
                        break;
                    }
                }
                _ => {}
            }
        }
        match end {
            Some(e) => &completion[start..e],
            None => return Err(ParseError::UnbalancedBoxed),
        }
    } else {
        completion.rsplit('\n').next().unwrap_or(completion)
    };
    if text.is_empty() {
        Err(ParseError::EmptyAnswer)
    } else {
        Ok(text)
    }
}

/// ViCrit's corrupted-span reward. Scores 1 or 0.
///
/// ```
/// use ocellus_rewards::{vicrit::{ViCrit, ViCritMode}, Gold, Verifier};
/// let v = ViCrit::default();
/// assert!(v.verify(r"The error is \boxed{blue car}", &Gold::new("Blue car")).is_correct());
/// assert!(!v.verify(r"\boxed{two trees}", &Gold::new("blue car")).is_correct());
/// // The benchmark scorer: the first changed token, "blue", is a substring of the answer.
/// let relaxed = ViCrit { mode: ViCritMode::RelaxedFirstToken, ..ViCrit::default() };
/// let g = Gold::new(r#"{"original_caption": "a red car", "changed_caption": "a blue car"}"#);
/// assert!(relaxed.verify(r"\boxed{the blueish car}", &g).is_correct());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ViCrit {
    /// How to match.
    pub mode: ViCritMode,
    /// Where the answer is read ([`ViCritMode::ExactSpan`] and [`RelaxedRule::NormalizedWord`]).
    pub source: AnswerSource,
    /// The relaxed rule ([`ViCritMode::RelaxedFirstToken`] only).
    pub relaxed: RelaxedRule,
}

impl ViCrit {
    fn verify_exact(&self, completion: &str, gold: &Gold) -> Verdict {
        let target = match gold_text(gold).map(normalize_text) {
            Ok(t) if !t.is_empty() => t,
            Ok(_) => return Verdict::GoldUnparseable(ParseError::EmptyAnswer),
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        let a = match extract_answer(completion, self.source) {
            Ok(a) => normalize_text(a),
            Err(e) => return Verdict::Malformed(e),
        };
        grade(a == target, &a, &target)
    }

    fn verify_relaxed(&self, completion: &str, gold: &Gold) -> Verdict {
        let captions = match serde_json::from_str::<Captions>(&gold.answer) {
            Ok(c) => c,
            Err(e) => {
                return Verdict::GoldUnparseable(ParseError::Json {
                    msg: e.to_string(),
                    text: snippet(&gold.answer),
                })
            }
        };
        let original = captions.original_caption.to_lowercase();
        let changed = captions.changed_caption.to_lowercase();
        let Some(&first) = changed_tokens(&original, &changed).first() else {
            return Verdict::GoldUnparseable(ParseError::Invalid {
                what: "captions",
                why: "no changed token".into(),
            });
        };
        match self.relaxed {
            RelaxedRule::Scorer => match scorer_answer(completion) {
                Ok(a) => {
                    let a = a.to_lowercase();
                    grade(a.contains(first), &a, first)
                }
                Err(e) => Verdict::Malformed(e),
            },
            RelaxedRule::NormalizedWord => {
                let target = normalize_text(first);
                if target.is_empty() {
                    return Verdict::GoldUnparseable(ParseError::Invalid {
                        what: "captions",
                        why: format!("changed token {:?} normalises to nothing", snippet(first)),
                    });
                }
                match extract_answer(completion, self.source) {
                    Ok(a) => {
                        let a = normalize_text(a);
                        grade(a.split(' ').any(|w| w == target), &a, &target)
                    }
                    Err(e) => Verdict::Malformed(e),
                }
            }
        }
    }
}

fn grade(hit: bool, answer: &str, target: &str) -> Verdict {
    Verdict::graded(
        if hit { 1.0 } else { 0.0 },
        0.0,
        1.0,
        format!(
            "answer {:?} {} {:?}",
            snippet(answer),
            if hit { "matches" } else { "misses" },
            snippet(target)
        ),
    )
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
        match self.mode {
            ViCritMode::ExactSpan => self.verify_exact(completion, gold),
            ViCritMode::RelaxedFirstToken => self.verify_relaxed(completion, gold),
        }
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
        // The scorer's test is a substring test; the NormalizedWord rule wants a whole word.
        assert!(relaxed.verify(r"\boxed{threefold}", &g).is_correct());
        let word = ViCrit {
            relaxed: RelaxedRule::NormalizedWord,
            ..relaxed
        };
        assert!(!word.verify(r"\boxed{threefold}", &g).is_correct());
        assert!(word.verify(r"\boxed{Three dogs}", &g).is_correct());
        assert_eq!(
            relaxed.verify(r"\boxed{x}", &Gold::new("not json")).kind(),
            GoldUnparseable
        );
        let same = Gold::new(r#"{"original_caption": "a b", "changed_caption": "a b"}"#);
        assert_eq!(relaxed.verify(r"\boxed{x}", &same).kind(), GoldUnparseable);
    }
}
