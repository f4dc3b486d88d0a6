//! Grounding one object: box IoU (REC), GTA1's click-in-box, GUI-G1's hit + IoU + closeness.
//!
//! **Sources**
//! - VLM-R1 REC (arXiv 2504.07615), `vlm_modules/qwen_module.py` l.108-176: the first
//!   `[x1,y1,x2,y2]` in `<answer>`, rescaled to the original image, reward = IoU (continuous
//!   value; a `> 0.5 → 1` variant is commented out there, offered here as `threshold`).
//! - GTA1 (Yang et al. 2025, arXiv 2507.05791), `src/grpo_grounding.py` l.146-200: the answer
//!   must contain exactly one `(x, y)`; reward 1 if it lies inside **any** gold box (borders
//!   included), else 0. GTA1 rescales the gold boxes into the resized frame; converting the point
//!   into the gold frame instead is the same test.
//! - GUI-G1 (Zhou et al. 2025, arXiv 2505.15810), `src/open-r1-multimodal/src/open_r1/grpo_rec.py`
//!   l.225-321: `R = R_hit + α R_IoU + β R_box`, α = 0.25, β = 0.125;
//!   `R_hit = 1[centre of predicted box inside the gold box]`;
//!   `R_box = 4 / (1/x1' + 1/y1' + 1/x2' + 1/y2')` with `x1' = 1 - |x1_gt - x1_pred| / W`
//!   (likewise `y1'` with `H`, …), the harmonic mean of per-coordinate closeness.
//!
//! **Deviations**
//! 1. VLM-R1 grades the *first* box when several are given; here more than one box is
//!    [`crate::Verdict::Malformed`] by default ([`MultiBox::Reject`]) so spamming boxes cannot
//!    pay; [`MultiBox::First`] restores the reference behaviour.
//! 2. GUI-G1: a closeness `<= 0` (a coordinate off by the image size or more) makes `R_box` 0
//!    instead of a division by zero or a negative harmonic mean. `W`, `H` are the gold frame's
//!    extent (1 for 0–1 coordinates, 1000 for 0–1000), so the gold frame must be declared.

use crate::error::{snippet, FrameError, ParseError};
use crate::extract::{extract_answer, AnswerSource};
use crate::frame::{BBox, CoordFrame, Point};
use crate::iou::{iou, IouConvention};
use crate::shapes::scan;
use crate::text::gold_text;
use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};

/// What to do with an answer that has more than one box when one is expected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MultiBox {
    /// More than one box is malformed. The default.
    #[default]
    Reject,
    /// Grade the first box (VLM-R1's behaviour).
    First,
}

/// Reads exactly one box (or the first, per `multi`) from `text` in `frame`.
fn one_box(text: &str, frame: CoordFrame, multi: MultiBox) -> Result<BBox, ParseError> {
    let s = scan(text);
    match (s.boxes.len(), multi) {
        (0, _) => Err(ParseError::NoBox {
            text: snippet(text),
        }),
        (1, _) | (_, MultiBox::First) => s.boxes[0].in_frame(frame),
        (n, MultiBox::Reject) => Err(ParseError::WrongCount {
            what: "box",
            expected: 1,
            found: n,
        }),
    }
}

/// The answer box converted into the gold frame, and the gold box.
fn answer_and_gold_box(
    completion: &str,
    gold: &Gold,
    source: AnswerSource,
    multi: MultiBox,
) -> Result<(BBox, BBox), Verdict> {
    let (af, gf) = gold.frames();
    let g = gold_text(gold)
        .and_then(|t| one_box(t, gf, MultiBox::Reject))
        .map_err(Verdict::GoldUnparseable)?;
    let a = extract_answer(completion, source)
        .and_then(|t| one_box(t, af, multi))
        .map_err(Verdict::Malformed)?;
    let a = a
        .to_frame(gf)
        .map_err(|e| Verdict::GoldUnparseable(e.into()))?;
    Ok((a, g))
}

fn frame_note(gold: &Gold) -> &'static str {
    if gold.frames().1 == CoordFrame::Unspecified {
        "; frames unspecified, assumed identical"
    } else {
        ""
    }
}

/// Box IoU against one gold box (referring-expression comprehension). Scores the IoU in
/// [0, 1], or `1[IoU >= threshold]` when a threshold is set.
///
/// ```
/// use ocellus_rewards::{grounding::BoxIou, CoordFrame, Gold, Verifier};
/// let gold = Gold::new("[100, 100, 200, 200]").with_frames(
///     CoordFrame::Normalized1000,
///     CoordFrame::AbsoluteOriginal { width: 1000.0, height: 1000.0 },
/// );
/// let v = BoxIou::default();
/// assert!(v.verify("<answer>[100, 100, 200, 200]</answer>", &gold).is_correct());
/// let half = v.verify("<answer>[100, 100, 200, 150]</answer>", &gold);
/// assert!((half.score() - 0.5).abs() < 1e-12);
/// // Two boxes are not an answer to "where is the cup?".
/// assert_eq!(v.verify("<answer>[0,0,5,5] [100,100,200,200]</answer>", &gold).score(), 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct BoxIou {
    /// IoU convention.
    pub convention: IouConvention,
    /// If set, the reward is `1[IoU >= threshold]`.
    pub threshold: Option<f64>,
    /// What to do with several boxes.
    pub multi_box: MultiBox,
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Verifier for BoxIou {
    fn name(&self) -> &'static str {
        if self.threshold.is_some() {
            return "iou_threshold";
        }
        match self.convention {
            IouConvention::Continuous => "iou",
            IouConvention::PixelInclusive => "iou_pixel_inclusive",
            IouConvention::VlmR1 => "iou_vlmr1",
        }
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let (a, g) = match answer_and_gold_box(completion, gold, self.source, self.multi_box) {
            Ok(x) => x,
            Err(v) => return v,
        };
        let v = match iou(&a, &g, self.convention) {
            Ok(v) => v,
            Err(e) => return Verdict::GoldUnparseable(e.into()),
        };
        let (score, how) = match self.threshold {
            Some(t) => (if v >= t { 1.0 } else { 0.0 }, format!(" vs threshold {t}")),
            None => (v, String::new()),
        };
        Verdict::graded(
            score,
            0.0,
            1.0,
            format!(
                "IoU ({:?}) {v:.4}{how}{}",
                self.convention,
                frame_note(gold)
            ),
        )
    }
}

/// GTA1's click reward: exactly one point, inside any gold box. Scores 1 or 0.
///
/// Gold: one box or a list of boxes (any element counts).
///
/// ```
/// use ocellus_rewards::{grounding::Gta1Click, CoordFrame, Gold, Verifier};
/// // Qwen2.5-VL clicks in pixels of the 1288x728 resize of a 2576x1456 screenshot.
/// let resized = CoordFrame::AbsoluteResized {
///     width: 1288.0, height: 728.0, original_width: 2576.0, original_height: 1456.0,
/// };
/// let gold = Gold::new("[1000, 600, 1200, 700]")
///     .with_frames(resized, resized.original().unwrap());
/// let v = Gta1Click::default();
/// assert!(v.verify("<think>the OK button</think><answer>(550, 320)</answer>", &gold).is_correct());
/// assert!(!v.verify("<answer>(1100, 650)</answer>", &gold).is_correct()); // original-pixel click
/// assert_eq!(v.verify("<answer>(550, 320) (551, 321)</answer>", &gold).kind().as_str(), "malformed");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Gta1Click {
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Verifier for Gta1Click {
    fn name(&self) -> &'static str {
        "gta1_click"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let (af, gf) = gold.frames();
        let boxes = match gold_text(gold).and_then(|t| {
            let s = scan(t);
            if s.boxes.is_empty() {
                return Err(ParseError::NoBox { text: snippet(t) });
            }
            s.boxes
                .iter()
                .map(|b| b.in_frame(gf))
                .collect::<Result<Vec<_>, _>>()
        }) {
            Ok(b) => b,
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        let point: Result<Point, ParseError> =
            extract_answer(completion, self.source).and_then(|t| {
                let s = scan(t);
                match s.points.len() {
                    1 => s.points[0].in_frame(af),
                    n => Err(ParseError::WrongCount {
                        what: "point",
                        expected: 1,
                        found: n,
                    }),
                }
            });
        let p = match point {
            Ok(p) => p,
            Err(e) => return Verdict::Malformed(e),
        };
        let p = match p.to_frame(gf) {
            Ok(p) => p,
            Err(e) => return Verdict::GoldUnparseable(e.into()),
        };
        let hit = boxes.iter().position(|b| b.contains(&p).unwrap_or(false));
        let (x, y) = p.xy();
        let reason = match hit {
            Some(k) => format!(
                "click ({x:.1}, {y:.1}) inside gold box {k}{}",
                frame_note(gold)
            ),
            None => format!(
                "click ({x:.1}, {y:.1}) outside all {} gold boxes{}",
                boxes.len(),
                frame_note(gold)
            ),
        };
        Verdict::graded(if hit.is_some() { 1.0 } else { 0.0 }, 0.0, 1.0, reason)
    }
}

/// GUI-G1's grounding reward `R_hit + α IoU + β R_box` (see the module docs); scores in
/// `[0, 1 + α + β]` = [0, 1.375] with the paper's constants.
///
/// ```
/// use ocellus_rewards::{grounding::GuiG1, CoordFrame, Gold, Verifier};
/// let screen = CoordFrame::AbsoluteOriginal { width: 1920.0, height: 1080.0 };
/// let gold = Gold::new("[200, 200, 400, 300]").with_frame(screen);
/// let v = GuiG1::default();
/// assert!((v.verify("<answer>[200, 200, 400, 300]</answer>", &gold).score() - 1.375).abs() < 1e-12);
/// // VLM-R1's IoU convention subtracts one unit: meaningless in 0-1 coordinates, so refused.
/// let unit = Gold::new("[0.1, 0.1, 0.2, 0.2]").with_frame(CoordFrame::Normalized01);
/// assert_eq!(v.verify("<answer>[0.1, 0.1, 0.2, 0.2]</answer>", &unit).kind().as_str(), "gold_unparseable");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct GuiG1 {
    /// α, the IoU weight (0.25).
    pub alpha: f64,
    /// β, the box-closeness weight (0.125).
    pub beta: f64,
    /// IoU convention (GUI-G1 reuses VLM-R1's `iou`, so [`IouConvention::VlmR1`]).
    pub convention: IouConvention,
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Default for GuiG1 {
    fn default() -> Self {
        GuiG1 {
            alpha: 0.25,
            beta: 0.125,
            convention: IouConvention::VlmR1,
            source: AnswerSource::Auto,
        }
    }
}

/// GUI-G1's `R_box`: the harmonic mean of `1 - |Δcoord| / extent` over the four coordinates,
/// 0 if any closeness is `<= 0`.
pub fn box_closeness(pred: &BBox, gold: &BBox) -> Result<f64, FrameError> {
    if pred.frame() != gold.frame() {
        return Err(FrameError::Mismatch {
            left: pred.frame(),
            right: gold.frame(),
        });
    }
    let (w, h) = gold.frame().extent().ok_or(FrameError::NoExtent {
        frame: gold.frame(),
    })?;
    let (p, g) = (pred.coords(), gold.coords());
    let ext = [w, h, w, h];
    let mut inv_sum = 0.0;
    for k in 0..4 {
        let c = 1.0 - (g[k] - p[k]).abs() / ext[k];
        // NaN-safe: a NaN closeness also gives 0.
        if c.is_nan() || c <= 0.0 {
            return Ok(0.0);
        }
        inv_sum += 1.0 / c;
    }
    Ok((4.0 / inv_sum).clamp(0.0, 1.0))
}

impl Verifier for GuiG1 {
    fn name(&self) -> &'static str {
        "gui_g1"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0 + self.alpha.max(0.0) + self.beta.max(0.0))
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let (a, g) = match answer_and_gold_box(completion, gold, self.source, MultiBox::Reject) {
            Ok(x) => x,
            Err(v) => return v,
        };
        let parts = iou(&a, &g, self.convention).and_then(|v| {
            let hit = g.contains(&a.center())?;
            Ok((v, hit, box_closeness(&a, &g)?))
        });
        let (v, hit, close) = match parts {
            Ok(x) => x,
            Err(e) => return Verdict::GoldUnparseable(e.into()),
        };
        let (alpha, beta) = (self.alpha.max(0.0), self.beta.max(0.0));
        let r_hit = if hit { 1.0 } else { 0.0 };
        let score = r_hit + alpha * v + beta * close;
        Verdict::graded(
            score,
            0.0,
            1.0 + alpha + beta,
            format!("hit {r_hit} + {alpha} x IoU {v:.4} + {beta} x closeness {close:.4}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::VerdictKind::{self, *};

    const N: CoordFrame = CoordFrame::Normalized1000;

    #[test]
    fn box_iou_table() {
        let g = Gold::new("<answer>[100, 100, 300, 300]</answer>").with_frame(N);
        let v = BoxIou::default();
        let table: [(&str, VerdictKind, f64); 9] = [
            ("<answer>[100, 100, 300, 300]</answer>", Correct, 1.0),
            (
                "<answer>{\"bbox_2d\": [100, 100, 300, 200]}</answer>",
                Partial,
                0.5,
            ),
            ("<answer>(200,100,300,300)</answer>", Partial, 0.5),
            ("<answer>[400, 400, 500, 500]</answer>", Incorrect, 0.0),
            ("<answer>somewhere top-left</answer>", Malformed, 0.0),
            ("<answer>[300, 300, 100, 100]</answer>", Malformed, 0.0),
            ("<answer>[1,2,3,4] [5,6,7,8]</answer>", Malformed, 0.0),
            ("[100, 100, 300, 300]", Malformed, 0.0),
            ("", Malformed, 0.0),
        ];
        for (c, k, s) in table {
            let r = v.verify(c, &g);
            assert_eq!((r.kind(), r.score()), (k, s), "{c:?}: {r}");
        }
        let first = BoxIou {
            multi_box: MultiBox::First,
            ..BoxIou::default()
        };
        assert_eq!(
            first
                .verify("<answer>[100,100,300,300] [0,0,1,1]</answer>", &g)
                .score(),
            1.0
        );
        let thr = BoxIou {
            threshold: Some(0.5),
            ..BoxIou::default()
        };
        assert_eq!(
            thr.verify("<answer>[100, 100, 300, 200]</answer>", &g)
                .score(),
            1.0
        );
        assert_eq!(
            v.verify("<answer>[1,2,3,4]</answer>", &Gold::new("[1,2,3]"))
                .kind(),
            GoldUnparseable
        );
        // Unconvertible frames are the row's problem, not the policy's.
        let bad = Gold::new("[1,2,3,4]").with_frames(CoordFrame::Unspecified, N);
        assert_eq!(
            v.verify("<answer>[1,2,3,4]</answer>", &bad).kind(),
            GoldUnparseable
        );
        assert!(v
            .verify("<answer>[1,2,3,4]</answer>", &Gold::new("[1,2,3,4]"))
            .reason()
            .contains("unspecified"));
    }

    #[test]
    fn gta1_table() {
        let g = Gold::new("[[0, 0, 10, 10], [50, 50, 60, 60]]").with_frame(N);
        let v = Gta1Click::default();
        let table: [(&str, VerdictKind); 8] = [
            ("<answer>(5, 5)</answer>", Correct),
            ("<answer>(10, 10)</answer>", Correct), // border counts
            ("<answer>[55, 55]</answer>", Correct), // second box
            ("<answer>(30, 30)</answer>", Incorrect),
            ("<answer>(5, 5), (55, 55)</answer>", Malformed),
            ("<answer>[0, 0, 10, 10]</answer>", Malformed),
            ("<answer>(nan, 5)</answer>", Malformed),
            ("<answer>the button</answer>", Malformed),
        ];
        for (c, k) in table {
            assert_eq!(v.verify(c, &g).kind(), k, "{c:?}");
        }
    }

    #[test]
    fn gui_g1_hand_computed() {
        let f = CoordFrame::AbsoluteOriginal {
            width: 100.0,
            height: 100.0,
        };
        let g = Gold::new("[10, 10, 30, 30]").with_frame(f);
        let v = GuiG1::default();
        // Shifted right by 10: centre (30, 20) on the border -> hit; VLM-R1 IoU = 200/600 = 1/3;
        // closeness x1' = x2' = 0.9, y' = 1 -> 4 / (2/0.9 + 2) = 0.947368...
        let r = v.verify("<answer>[20, 10, 40, 30]</answer>", &g);
        let close = 4.0 / (2.0 / 0.9 + 2.0);
        assert!(
            (r.score() - (1.0 + 0.25 / 3.0 + 0.125 * close)).abs() < 1e-12,
            "{r}"
        );
        // Far away: no hit, IoU 0, closeness from offsets of 60: 0.4 each -> 0.4.
        let r = v.verify("<answer>[70, 70, 90, 90]</answer>", &g);
        assert!((r.score() - 0.125 * 0.4).abs() < 1e-12, "{r}");
        // Off-image prediction: closeness <= 0 -> 0.
        let r = v.verify("<answer>[500, 500, 600, 600]</answer>", &g);
        assert_eq!(r.score(), 0.0);
        // Needs a frame with an extent.
        assert_eq!(
            v.verify("<answer>[1,1,2,2]</answer>", &Gold::new("[1,1,2,2]"))
                .kind(),
            GoldUnparseable
        );
        assert_eq!(v.score_range(), (0.0, 1.375));
    }
}
