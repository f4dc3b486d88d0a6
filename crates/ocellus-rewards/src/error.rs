//! Typed errors: what a completion or a gold answer can get wrong ([`ParseError`]), what a
//! coordinate conversion can get wrong ([`FrameError`]) and what a caller can get wrong
//! ([`RewardError`]).
//!
//! Parse errors never escape a [`crate::Verifier`] as an `Err`: they become
//! [`crate::Verdict::Malformed`] (the completion) or [`crate::Verdict::GoldUnparseable`] (the
//! dataset row), so the objective decides how each scores (STYLE §7.4).

use crate::frame::CoordFrame;

/// The longest snippet of offending text an error keeps, in characters.
pub(crate) const SNIPPET_CHARS: usize = 60;

/// At most [`SNIPPET_CHARS`] characters of `s`, with `…` when cut (errors stay small even for
/// megabyte-long adversarial completions).
pub(crate) fn snippet(s: &str) -> String {
    let mut out: String = s.chars().take(SNIPPET_CHARS).collect();
    if s.chars().nth(SNIPPET_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// Why a completion (or a gold answer) could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// No `<answer>` tag at all.
    #[error("no <answer> tag")]
    NoAnswerTag,
    /// A tag was opened but never closed.
    #[error("<{tag}> opened but never closed")]
    UnclosedTag {
        /// The tag name, without brackets.
        tag: &'static str,
    },
    /// No `\boxed{…}` where one was required.
    #[error("no \\boxed{{…}}")]
    NoBoxed,
    /// `\boxed{` without its closing brace.
    #[error("\\boxed{{ has no matching closing brace")]
    UnbalancedBoxed,
    /// Neither an `<answer>` block nor a `\boxed{}` (for [`crate::AnswerSource::Auto`]).
    #[error("no answer found: no <answer>…</answer> block and no \\boxed{{…}}")]
    NoAnswer,
    /// The answer is empty after trimming.
    #[error("empty answer")]
    EmptyAnswer,
    /// No number in the text.
    #[error("no number in {text:?}")]
    NoNumber {
        /// The offending text (cut).
        text: String,
    },
    /// Several different numbers and no rule to pick one.
    #[error("several different numbers in {text:?}")]
    AmbiguousNumber {
        /// The offending text (cut).
        text: String,
    },
    /// No box in the text.
    #[error("no box in {text:?}")]
    NoBox {
        /// The offending text (cut).
        text: String,
    },
    /// No point in the text.
    #[error("no point in {text:?}")]
    NoPoint {
        /// The offending text (cut).
        text: String,
    },
    /// A box that is not finite or has `x2 < x1` or `y2 < y1`.
    #[error("invalid box {coords:?}: {why}")]
    InvalidBox {
        /// The coordinates as parsed.
        coords: [f64; 4],
        /// What is wrong with them.
        why: &'static str,
    },
    /// A point with a non-finite coordinate.
    #[error("invalid point ({x}, {y}): not finite")]
    InvalidPoint {
        /// x as parsed.
        x: f64,
        /// y as parsed.
        y: f64,
    },
    /// The wrong number of items (boxes, points, patches, …).
    #[error("expected {expected} {what}, found {found}")]
    WrongCount {
        /// What was counted.
        what: &'static str,
        /// How many the task asks for.
        expected: usize,
        /// How many were found.
        found: usize,
    },
    /// No option letter and no option text.
    #[error("no option letter or option text in {text:?}")]
    NoChoice {
        /// The offending text (cut).
        text: String,
    },
    /// Several different option letters.
    #[error("several different option letters in {text:?}")]
    AmbiguousChoice {
        /// The offending text (cut).
        text: String,
    },
    /// Neither "yes" nor "no" as a word.
    #[error("neither yes nor no in {text:?}")]
    NotYesNo {
        /// The offending text (cut).
        text: String,
    },
    /// Both "yes" and "no" as words.
    #[error("both yes and no in {text:?}")]
    AmbiguousYesNo {
        /// The offending text (cut).
        text: String,
    },
    /// Text that should be JSON is not.
    #[error("invalid JSON ({msg}) in {text:?}")]
    Json {
        /// serde_json's message.
        msg: String,
        /// The offending text (cut).
        text: String,
    },
    /// A required field is missing from a structured gold answer or context.
    #[error("missing field {field:?}")]
    MissingField {
        /// The field name.
        field: &'static str,
    },
    /// A coordinate-frame problem (mismatch, missing size).
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// Anything else that makes a value unusable, named.
    #[error("invalid {what}: {why}")]
    Invalid {
        /// What was being read.
        what: &'static str,
        /// Why it is unusable.
        why: String,
    },
}

/// A coordinate-frame problem.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// Two shapes in different frames were compared.
    #[error("frames differ: {left} vs {right}; convert one with to_frame first")]
    Mismatch {
        /// The left operand's frame.
        left: CoordFrame,
        /// The right operand's frame.
        right: CoordFrame,
    },
    /// No conversion exists (to or from [`CoordFrame::Unspecified`]).
    #[error("cannot convert from {from} to {to}")]
    Unconvertible {
        /// Source frame.
        from: CoordFrame,
        /// Target frame.
        to: CoordFrame,
    },
    /// A frame needs its image extent (width, height) and has none.
    #[error("{frame} has no known image extent")]
    NoExtent {
        /// The frame.
        frame: CoordFrame,
    },
    /// An IoU convention with one-unit terms (pixel-inclusive, VLM-R1) used on 0-1 coordinates,
    /// where one unit is the whole image and every IoU would silently be 0 or 1.
    #[error("the {convention} IoU convention counts whole pixels; it is meaningless in {frame}")]
    ConventionNeedsPixels {
        /// The convention's name.
        convention: &'static str,
        /// The frame.
        frame: CoordFrame,
    },
    /// A width or height that is not finite and positive.
    #[error("invalid frame size {width} x {height}: must be finite and > 0")]
    InvalidSize {
        /// Width as given.
        width: f64,
        /// Height as given.
        height: f64,
    },
}

/// A caller error: unknown verifier, invalid configuration or aggregation input.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RewardError {
    /// No verifier is registered under this name.
    #[error("unknown verifier {name:?}; known: {known}")]
    UnknownVerifier {
        /// The name asked for.
        name: String,
        /// The registered names, comma-separated.
        known: String,
    },
    /// A configuration value out of its domain.
    #[error("invalid {what}: {why}")]
    InvalidConfig {
        /// Which setting.
        what: &'static str,
        /// Why it is invalid.
        why: String,
    },
    /// A coordinate-frame problem.
    #[error(transparent)]
    Frame(#[from] FrameError),
}
