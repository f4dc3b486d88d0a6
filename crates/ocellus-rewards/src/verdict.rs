//! What a verifier says about one completion: a score **and** a reason.
//!
//! Following STYLE §7.4, a grader never turns a parse failure into a silent 0: it returns
//! [`Verdict::Malformed`] for a completion it cannot read and [`Verdict::GoldUnparseable`] for a
//! dataset row it cannot read, each with a typed [`ParseError`]. Both score 0 through
//! [`Verdict::score`]; [`Verdict::score_or_skip`] returns `None` for an unreadable gold answer so
//! that the objective can drop the sample (as TRL's `accuracy_reward` does) instead of training
//! on a made-up reward.

use crate::error::ParseError;
use std::fmt;

/// Scores within this distance of a verifier's full credit count as [`Verdict::Correct`].
pub const FULL_CREDIT_EPS: f64 = 1e-9;

/// A verifier's judgement of one completion against one gold answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Full credit.
    Correct {
        /// The verifier's full-credit score (1 for most verifiers).
        score: f64,
        /// Why, in a few words (for logs).
        reason: String,
    },
    /// Partial credit, strictly between the verifier's no-credit and full-credit scores.
    Partial {
        /// The score.
        score: f64,
        /// Why, in a few words (for logs).
        reason: String,
    },
    /// Readable but wrong (score at or below the verifier's no-credit score; may be negative
    /// for verifiers that penalise).
    Incorrect {
        /// The score.
        score: f64,
        /// Why, in a few words (for logs).
        reason: String,
    },
    /// The completion could not be read; scores 0.
    Malformed(ParseError),
    /// The gold answer could not be read; scores 0, and [`Verdict::score_or_skip`] is `None`.
    GoldUnparseable(ParseError),
    /// A verifier's formula produced a non-finite score: a bug in the verifier, not a wrong
    /// answer. Scores 0 so training can go on, but it is its own kind so that counters, the
    /// property tests and the fuzzer (`examples/fuzz_verifiers.rs`) see it instead of an
    /// ordinary wrong answer.
    Internal {
        /// What went wrong, with the verifier's own reason.
        reason: String,
    },
}

/// The kind of a [`Verdict`] without its payload, for per-kind counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VerdictKind {
    /// [`Verdict::Correct`].
    Correct,
    /// [`Verdict::Partial`].
    Partial,
    /// [`Verdict::Incorrect`].
    Incorrect,
    /// [`Verdict::Malformed`].
    Malformed,
    /// [`Verdict::GoldUnparseable`].
    GoldUnparseable,
    /// [`Verdict::Internal`].
    Internal,
}

impl VerdictKind {
    /// Every kind, in declaration order (`kind as usize` indexes this array).
    pub const ALL: [VerdictKind; 6] = [
        VerdictKind::Correct,
        VerdictKind::Partial,
        VerdictKind::Incorrect,
        VerdictKind::Malformed,
        VerdictKind::GoldUnparseable,
        VerdictKind::Internal,
    ];

    /// A stable lower-case name, usable as a metric suffix (`reward/verdict_malformed`).
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Correct => "correct",
            VerdictKind::Partial => "partial",
            VerdictKind::Incorrect => "incorrect",
            VerdictKind::Malformed => "malformed",
            VerdictKind::GoldUnparseable => "gold_unparseable",
            VerdictKind::Internal => "internal",
        }
    }
}

impl Verdict {
    /// Classifies a finite `score` against a verifier's full credit `full` and no credit
    /// `none`: `Correct` at full credit, `Incorrect` at or below `none`, else `Partial`.
    /// A non-finite score (a bug in a formula) becomes [`Verdict::Internal`], never a plain
    /// wrong answer.
    pub fn graded(score: f64, none: f64, full: f64, reason: impl Into<String>) -> Verdict {
        let reason = reason.into();
        if !score.is_finite() {
            return Verdict::Internal {
                reason: format!("verifier bug: non-finite score {score} ({reason})"),
            };
        }
        if score >= full - FULL_CREDIT_EPS {
            Verdict::Correct {
                score: full,
                reason,
            }
        } else if score <= none + FULL_CREDIT_EPS {
            Verdict::Incorrect { score, reason }
        } else {
            Verdict::Partial { score, reason }
        }
    }

    /// The reward: the score of a scored verdict, 0 for `Malformed`, `GoldUnparseable` and
    /// `Internal`.
    pub fn score(&self) -> f64 {
        match self {
            Verdict::Correct { score, .. }
            | Verdict::Partial { score, .. }
            | Verdict::Incorrect { score, .. } => *score,
            Verdict::Malformed(_) | Verdict::GoldUnparseable(_) | Verdict::Internal { .. } => 0.0,
        }
    }

    /// Like [`Verdict::score`], but `None` when the gold answer is unreadable, so the caller can
    /// skip the sample rather than reward or punish the policy for a dataset bug.
    pub fn score_or_skip(&self) -> Option<f64> {
        match self {
            Verdict::GoldUnparseable(_) => None,
            v => Some(v.score()),
        }
    }

    /// The kind, for counters.
    pub fn kind(&self) -> VerdictKind {
        match self {
            Verdict::Correct { .. } => VerdictKind::Correct,
            Verdict::Partial { .. } => VerdictKind::Partial,
            Verdict::Incorrect { .. } => VerdictKind::Incorrect,
            Verdict::Malformed(_) => VerdictKind::Malformed,
            Verdict::GoldUnparseable(_) => VerdictKind::GoldUnparseable,
            Verdict::Internal { .. } => VerdictKind::Internal,
        }
    }

    /// Whether this is [`Verdict::Correct`].
    pub fn is_correct(&self) -> bool {
        matches!(self, Verdict::Correct { .. })
    }

    /// The reason as text (the parse error's message for unreadable input).
    pub fn reason(&self) -> String {
        match self {
            Verdict::Correct { reason, .. }
            | Verdict::Partial { reason, .. }
            | Verdict::Incorrect { reason, .. }
            | Verdict::Internal { reason } => reason.clone(),
            Verdict::Malformed(e) => format!("[unparseable answer] {e}"),
            Verdict::GoldUnparseable(e) => format!("[unparseable gold] {e}"),
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (score {}): {}",
            self.kind().as_str(),
            self.score(),
            self.reason()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graded_classifies_by_range() {
        assert_eq!(
            Verdict::graded(1.0, 0.0, 1.0, "x").kind(),
            VerdictKind::Correct
        );
        assert_eq!(
            Verdict::graded(0.5, 0.0, 1.0, "x").kind(),
            VerdictKind::Partial
        );
        assert_eq!(
            Verdict::graded(0.0, 0.0, 1.0, "x").kind(),
            VerdictKind::Incorrect
        );
        assert_eq!(
            Verdict::graded(-3.0, 0.0, 30.0, "x").kind(),
            VerdictKind::Incorrect
        );
        // A formula bug is its own kind, not a wrong answer.
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let v = Verdict::graded(bad, 0.0, 1.0, "x");
            assert_eq!((v.kind(), v.score()), (VerdictKind::Internal, 0.0));
            assert!(v.reason().contains("non-finite") && v.reason().contains("(x)"));
            assert_eq!(v.score_or_skip(), Some(0.0));
        }
    }

    #[test]
    fn unreadable_verdicts_score_zero_and_gold_skips() {
        let m = Verdict::Malformed(ParseError::NoAnswerTag);
        let g = Verdict::GoldUnparseable(ParseError::EmptyAnswer);
        assert_eq!((m.score(), m.score_or_skip()), (0.0, Some(0.0)));
        assert_eq!((g.score(), g.score_or_skip()), (0.0, None));
        assert!(m.reason().starts_with("[unparseable answer]"));
        assert!(g.to_string().contains("gold_unparseable"));
    }
}
