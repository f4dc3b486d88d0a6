//! The common interface: [`Verifier`], the gold answer with its context ([`Gold`]).

use crate::frame::CoordFrame;
use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};

/// A rule that grades one completion against one gold answer.
///
/// Implementations never panic on any `completion` or `gold`, always return a finite score
/// inside [`Verifier::score_range`], and explain every score in the verdict's reason.
pub trait Verifier: Send + Sync {
    /// The registry name (`"iou"`, `"numeric"`, …).
    fn name(&self) -> &'static str;
    /// `(no credit, full credit)`: every score lies in `[min, max]` of these two (some
    /// verifiers can go below "no credit" with penalties; then the first value is the minimum).
    fn score_range(&self) -> (f64, f64);
    /// Grades `completion` against `gold`.
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict;
}

/// A gold answer as stored in a dataset row, plus the context some verifiers need.
///
/// `answer` is the ground-truth text (a number, a letter, a box, a JSON list of labelled
/// boxes, a JSON object for structured tasks: each verifier documents what it reads).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gold {
    /// The ground truth as text.
    pub answer: String,
    /// The frame the **policy's** coordinates are in (e.g. absolute pixels of the resized image
    /// for Qwen2.5-VL, 0-1000 for Qwen2/3-VL). Defaults to `gold_frame` when absent.
    #[serde(default)]
    pub answer_frame: Option<CoordFrame>,
    /// The frame the gold coordinates are in. Defaults to `answer_frame` when absent; when both
    /// are absent both sides are [`CoordFrame::Unspecified`] and reasons say so.
    #[serde(default)]
    pub gold_frame: Option<CoordFrame>,
    /// Fraction of training done, in `[0, 1]` (V-Triune's dynamic IoU threshold).
    #[serde(default)]
    pub training_progress: Option<f64>,
    /// Option texts of a multiple-choice question, in letter order (A, B, …).
    #[serde(default)]
    pub options: Vec<String>,
}

impl Gold {
    /// A gold answer without context.
    pub fn new(answer: impl Into<String>) -> Gold {
        Gold {
            answer: answer.into(),
            ..Gold::default()
        }
    }

    /// Declares the frames of the policy's coordinates and of the gold coordinates.
    pub fn with_frames(mut self, answer_frame: CoordFrame, gold_frame: CoordFrame) -> Gold {
        self.answer_frame = Some(answer_frame);
        self.gold_frame = Some(gold_frame);
        self
    }

    /// Declares one frame for both sides.
    pub fn with_frame(self, frame: CoordFrame) -> Gold {
        self.with_frames(frame, frame)
    }

    /// Sets the training progress (fraction of total steps done).
    pub fn with_progress(mut self, progress: f64) -> Gold {
        self.training_progress = Some(progress);
        self
    }

    /// Sets the multiple-choice option texts.
    pub fn with_options<S: Into<String>>(mut self, options: impl IntoIterator<Item = S>) -> Gold {
        self.options = options.into_iter().map(Into::into).collect();
        self
    }

    /// `(answer frame, gold frame)` with the defaults described on the fields.
    pub fn frames(&self) -> (CoordFrame, CoordFrame) {
        match (self.answer_frame, self.gold_frame) {
            (Some(a), Some(g)) => (a, g),
            (Some(a), None) => (a, a),
            (None, Some(g)) => (g, g),
            (None, None) => (CoordFrame::Unspecified, CoordFrame::Unspecified),
        }
    }
}
