//! Grounding one object: box IoU (REC), GTA1's click-in-box, GUI-G1's hit + IoU + closeness.
//!
//! **Sources** (bare mirrors of the reference repositories; commits as read)
//! - `iou` ([`BoxIou`] with [`IouConvention::Continuous`]): the continuous IoU of COCO and
//!   torchvision, `torchvision/ops/boxes.py::box_iou` (pytorch/vision @ 01b12c6):
//!   `inter = max(0, min(x2) - max(x1)) * max(0, min(y2) - max(y1))`,
//!   `IoU = inter / (area_a + area_b - inter)`, the same operations in the same order, so the
//!   same double. pycocotools' `bbIou` computes the same quantity from `[x, y, w, h]` and can
//!   differ in the last bit for non-integer boxes (see [`crate::iou`](mod@crate::iou)). This
//!   is **not** VLM-R1's value: that is `iou_vlmr1`.
//! - `iou_vlmr1` ([`BoxIou`] with [`IouConvention::VlmR1`]): VLM-R1 REC (arXiv 2504.07615),
//!   `src/open-r1-multimodal/src/open_r1/vlm_modules/qwen_module.py`, `iou_reward` and its
//!   `iou()` (om-ai-lab/VLM-R1 @ 90052f4): the first `<answer>(.*?)</answer>` block, in it the
//!   first match of `\[(\d+),\s*(\d+),\s*(\d+),\s*(\d+)]` read with `int()`, rescaled by
//!   `x / input_width * image_width` (input = the resized model input, `image_grid_thw * 14`;
//!   image = the original), reward = `iou(pred, gold)` with overlaps of at most one unit per
//!   axis counted as none. Declaring the answer frame [`CoordFrame::AbsoluteResized`] and the
//!   gold frame its [`CoordFrame::original`] performs that rescaling with the same
//!   arithmetic, so on such answers the score is the same double.
//! - `iou_threshold`: `1[IoU >= 0.5]`, continuous IoU (the common REC Acc@0.5). VLM-R1's
//!   evaluation (`src/eval/test_rec_r1.py`) and the `# if iou(bbox, sol) > 0.5` line commented
//!   out in `iou_reward` use `iou_vlmr1 > 0.5`: [`BoxIou::threshold_strict`] with
//!   [`IouConvention::VlmR1`], named `iou_vlmr1_threshold`.
//! - `gta1_click` ([`Gta1Click`]): GTA1 (arXiv 2507.05791), `src/grpo_grounding.py`,
//!   `parse_coordinates` and `click_reward` (Yan98/GTA1 @ 81f0c4c). The click is read from
//!   the **whole** completion with `re.findall(r"\((-?\d*\.?\d+),\s*(-?\d*\.?\d+)\)")`, each
//!   group through `int()` (so `(1.5, 2)` raises and scores 0; `(-3, 4)` and Unicode digits
//!   are read); more than one match scores 0, none scores 0. The gold boxes are stored in
//!   0-1000 coordinates (GTA1 README) with `ratio_w = resized_width / 1000`, and each
//!   coordinate is moved **into the resized (answer) frame and truncated**:
//!   `x0 = int(x0 * ratio_w)` (likewise `y0`, `x1`, `y1`); reward 1 iff `x0 <= x <= x1` and
//!   `y0 <= y <= y1` for any gold box. For non-negative boxes the truncation is a floor, so a
//!   left or top edge at 10.6 admits the click 10. [`ClickTest::Gta1Truncated`] (the default)
//!   does exactly this, with `ratio = answer extent / gold extent`.
//! - `gui_g1` ([`GuiG1`]): GUI-G1 (arXiv 2505.15810),
//!   `src/open-r1-multimodal/src/open_r1/grpo_rec.py`, `hit_reward`, `iou_reward`, `box_reward`
//!   (Yuqi-Zhou/GUI-G1 @ e581fe9), summed by the trainer (`run_scripts/run.sh`:
//!   `--reward_funcs iou hit box`): `R = R_hit + 0.25 IoU + 0.125 R_box` where
//!   `R_hit = 1[x1_gt <= (x1 + x2) / 2 <= x2_gt and likewise y]`, IoU is VLM-R1's `iou()`
//!   (copied into `grpo_rec.py`), and `R_box = 4 / (1/x1' + 1/x2' + 1/y1' + 1/y2')` with
//!   `x1' = 1 - |x1_gt - x1| / W`, `y1' = 1 - |y1_gt - y1| / H`, … in that summation order.
//!   `W`, `H` are the width and height of the training image as loaded (`kwargs['image']`,
//!   the original image); the answer and gold boxes are compared without rescaling. Each term
//!   is its own `try`: a `ZeroDivisionError` zeroes that term only.
//!
//! **Deviations**
//!
//! *All box verifiers* ([`BoxIou`], [`GuiG1`]):
//! 1. Several boxes: [`crate::Verdict::Malformed`] by default ([`MultiBox::Reject`]), so
//!    spamming boxes cannot pay. VLM-R1 (`qwen_module.py::iou_reward`, `re.search`) grades
//!    the first bracketed box and GUI-G1 (`grpo_rec.py`, `json_output[0]`) the first list
//!    element: [`MultiBox::First`].
//! 2. Box spellings: any box the shape scanner reads ([`crate::shapes`]: floats, negative
//!    numbers, spaces inside brackets, `(x1, y1, x2, y2)`, JSON or Python dicts with
//!    `bbox_2d` / `bbox` / …, Qwen2-VL box tokens), with ASCII digits and Rust's whitespace.
//!    VLM-R1 reads only `[d,d,d,d]` with unsigned integers and no space after `[` or before a
//!    comma (on other spellings it scores 0 or grades a later bracketed box), but accepts
//!    Unicode digits (`int("١٠٠")` is 100) and U+001C..U+001F as `\s` after a comma;
//!    GUI-G1 reads only a completion that is as a whole (or inside a ```` ```json ```` fence) a
//!    Python literal list whose first element has a `bbox_2d` key, and scores 0 otherwise.
//! 3. An inverted box (`x2 < x1` or `y2 < y1`) is malformed. VLM-R1's `iou()` gives it 0
//!    (or `-0.0`, or a caught `ZeroDivisionError`: also 0); GUI-G1 still pays its hit and
//!    closeness terms.
//! 4. A zero union gives IoU 0 (VLM-R1 and GUI-G1: caught `ZeroDivisionError`, 0;
//!    torchvision: NaN).
//! 5. A score within [`crate::verdict::FULL_CREDIT_EPS`] (1e-9) of full credit is reported as
//!    exactly full credit ([`crate::Verdict::graded`]).
//!
//! *[`BoxIou`]:*
//! 6. The answer is the **last** complete `<answer>` block, tags in any case, a `\boxed{}`
//!    inside unwrapped ([`AnswerSource::Auto`]); VLM-R1 takes the **first**
//!    `<answer>(.*?)</answer>`, lower-case tags only. They differ only on completions with
//!    several answer blocks or upper-case tags.
//! 7. VLM-R1 rescales even when the input and original sizes are equal (`x / w * w`, which
//!    can move the last bit); declare [`CoordFrame::AbsoluteResized`] with equal sizes to get
//!    that double, or one frame for both sides to compare unrescaled coordinates.
//!
//! *[`Gta1Click`]:*
//! 8. More than one click is malformed. GTA1's `parse_coordinates` returns `(-1, -1)` instead,
//!    which its `isin` then finds inside any gold box whose truncated left and top edges are
//!    `<= -1` (a box reaching past the image's top-left corner): a reference bug, not copied.
//! 9. GTA1's gold is always 0-1000 (`ratio = resized / 1000`); other gold frames use
//!    `ratio = answer extent / gold extent` with the same multiply-then-truncate. The
//!    truncated test refuses a 0-1 answer frame ([`crate::Verdict::GoldUnparseable`]),
//!    where whole units mean nothing; [`ClickTest::Continuous`] works in any frame.
//! 10. Clicks beyond 2^53 are compared as doubles (Python compares exact integers); Unicode
//!    digits follow CPython 3.12's table ([`crate::format`]).
//!
//! *[`GuiG1`]:*
//! 11. A closeness `<= 0` makes `R_box` 0. GUI-G1 gets 0 too when one is exactly 0 (a caught
//!    `ZeroDivisionError`), but when one is negative (a predicted coordinate more than `W`
//!    or `H` away from the gold one, i.e. outside the image) its harmonic mean mixes signs and
//!    can be negative, above 1, or a division by zero: a reference bug, not copied.
//! 12. `W`, `H` are the gold frame's extent (the image size for absolute frames, 1 for 0-1
//!    coordinates, 1000 for 0-1000), so the gold frame must be declared; an answer in another
//!    frame is first converted into the gold frame (GUI-G1 never rescales).
//!    [`IouConvention::VlmR1`] is refused in 0-1 coordinates
//!    ([`crate::iou`](mod@crate::iou)).
//! 13. The terms are summed in f64; GUI-G1's trainer sums them in a float32 tensor
//!    (`grpo_trainer.py`, `rewards_per_func.sum(dim=1)`), so its totals agree with ours to
//!    float32 precision only.
//! 14. The default answer source is the whole completion ([`AnswerSource::Whole`]), as in
//!    GUI-G1, whose template has no tags; a box inside `<answer>` tags is found too.

use crate::error::{snippet, FrameError, ParseError};
use crate::extract::{extract_answer, AnswerSource};
use crate::format::{py_digit, py_space};
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
    /// Grade the first box (VLM-R1's and GUI-G1's behaviour).
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
/// [0, 1], or `1[IoU >= threshold]` (`>` with [`BoxIou::threshold_strict`]) when a threshold
/// is set. See the module docs for the references and deviations of each convention.
///
/// ```
/// use ocellus_rewards::{grounding::BoxIou, CoordFrame, Gold, IouConvention, Verifier};
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
/// // A one-unit overlap: continuous 100/19900, VLM-R1's iou() counts none.
/// let touch = "<answer>[199, 100, 299, 200]</answer>";
/// assert!((v.verify(touch, &gold).score() - 100.0 / 19900.0).abs() < 1e-15);
/// let vlm = BoxIou { convention: IouConvention::VlmR1, ..BoxIou::default() };
/// assert_eq!(vlm.verify(touch, &gold).score(), 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct BoxIou {
    /// IoU convention.
    pub convention: IouConvention,
    /// If set, the reward is `1[IoU >= threshold]`.
    pub threshold: Option<f64>,
    /// Compare with `IoU > threshold` instead (VLM-R1's `test_rec_r1.py` Acc@0.5).
    pub threshold_strict: bool,
    /// What to do with several boxes.
    pub multi_box: MultiBox,
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Verifier for BoxIou {
    fn name(&self) -> &'static str {
        if self.threshold.is_some() {
            // VLM-R1's Acc@0.5 (`iou_vlmr1 > t`) gets its own name so a registry entry can
            // carry it; every other thresholded form is "iou_threshold".
            return if self.threshold_strict && self.convention == IouConvention::VlmR1 {
                "iou_vlmr1_threshold"
            } else {
                "iou_threshold"
            };
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
            Some(t) => {
                let pass = if self.threshold_strict { v > t } else { v >= t };
                let op = if self.threshold_strict { ">" } else { ">=" };
                (
                    if pass { 1.0 } else { 0.0 },
                    format!(", pass = IoU {op} {t}"),
                )
            }
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

/// How [`Gta1Click`] reads the click.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClickParse {
    /// GTA1's `parse_coordinates`: every `\((-?\d*\.?\d+),\s*(-?\d*\.?\d+)\)` (Python `\s`,
    /// Unicode `\d`) in the answer text, read with `int()`; exactly one, with integer
    /// coordinates, is a click. The default.
    #[default]
    Gta1,
    /// Exactly one point of any spelling the shape scanner reads (`(x, y)`, `[x, y]`,
    /// `{"point_2d": [x, y]}`, …), fractional coordinates allowed.
    Shapes,
}

/// How [`Gta1Click`] decides that a click is inside a gold box.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClickTest {
    /// GTA1's `isin`: each gold coordinate is multiplied by `answer extent / gold extent` and
    /// truncated toward zero (`int()`), in the answer frame; then `x0 <= x <= x1` and
    /// `y0 <= y <= y1`. The default.
    #[default]
    Gta1Truncated,
    /// The click is converted into the gold frame and tested against the unrounded gold box,
    /// borders included (this crate's earlier behaviour).
    Continuous,
}

/// GTA1's click reward: exactly one point, inside any gold box. Scores 1 or 0.
///
/// Gold: one box or a list of boxes (any element counts). GTA1 stores them in 0-1000
/// coordinates and the policy clicks in pixels of the resized image.
///
/// ```
/// use ocellus_rewards::{grounding::{ClickTest, Gta1Click}, CoordFrame, Gold, Verifier};
/// // Qwen2.5-VL clicks in pixels of the 1288x728 resize of a 2576x1456 screenshot.
/// let resized = CoordFrame::AbsoluteResized {
///     width: 1288.0, height: 728.0, original_width: 2576.0, original_height: 1456.0,
/// };
/// let gold = Gold::new("[500, 500, 600, 600]").with_frames(resized, CoordFrame::Normalized1000);
/// let v = Gta1Click::default();
/// // The gold box in the answer frame: [int(644.0), int(364.0), int(772.8), int(436.8)].
/// let c = "<think>the OK button</think><answer>(700, 400)</answer>";
/// assert!(v.verify(c, &gold).is_correct());
/// assert!(v.verify("(772, 436)", &gold).is_correct());
/// assert!(!v.verify("(773, 436)", &gold).is_correct());
/// assert_eq!(v.verify("(700, 400) (701, 401)", &gold).kind().as_str(), "malformed");
/// assert_eq!(v.verify("(700.5, 400)", &gold).kind().as_str(), "malformed");
/// // A fractional left edge: int(500.5 * 1.288) = int(644.644) = 644 admits the click 644;
/// // converting the click instead (644 / 1288 * 1000 = 500.0 < 500.5) does not.
/// let edge = Gold::new("[500.5, 500, 600, 600]").with_frames(resized, CoordFrame::Normalized1000);
/// assert!(v.verify("(644, 400)", &edge).is_correct());
/// let c = Gta1Click { test: ClickTest::Continuous, ..Gta1Click::default() };
/// assert!(!c.verify("(644, 400)", &edge).is_correct());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Gta1Click {
    /// Where the click is read: the whole completion by default, as in GTA1 (a click written
    /// in the thinking counts as a second click).
    pub source: AnswerSource,
    /// How the click is read.
    pub parse: ClickParse,
    /// How "inside" is decided.
    pub test: ClickTest,
}

impl Default for Gta1Click {
    fn default() -> Self {
        Gta1Click {
            source: AnswerSource::Whole,
            parse: ClickParse::Gta1,
            test: ClickTest::Gta1Truncated,
        }
    }
}

/// End (byte index) of the run of characters starting at `from` that GTA1's number pattern
/// `-?\d*\.?\d+` can consume at all: `-`, `.` and Python digits.
fn number_run_end(t: &str, from: usize) -> usize {
    t[from..]
        .char_indices()
        .find(|&(_, c)| !(c == '-' || c == '.' || py_digit(c).is_some()))
        .map_or(t.len(), |(i, _)| from + i)
}

/// Whether `s` is in the language of `-?\d*\.?\d+`: an optional minus, then digits with at
/// most one `.`, ending in a digit.
fn is_gta1_number(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    body.chars().last().is_some_and(|c| py_digit(c).is_some())
        && body.chars().all(|c| c == '.' || py_digit(c).is_some())
        && body.matches('.').count() <= 1
}

/// Python's `int()` of a GTA1 number: `None` (a `ValueError`) when it has a `.`.
fn py_int(s: &str) -> Option<f64> {
    if s.contains('.') {
        return None;
    }
    let ascii: String = s
        .chars()
        .map(|c| py_digit(c).map_or(c, |d| char::from(b'0' + d as u8)))
        .collect();
    // "-0" is 0; adding 0.0 turns -0.0 into 0.0.
    ascii.parse::<f64>().ok().map(|v| v + 0.0)
}

/// Every non-overlapping match of `\((-?\d*\.?\d+),\s*(-?\d*\.?\d+)\)` in `t`, left to right,
/// as `re.findall` returns them. Each group is followed by a character the number pattern
/// cannot consume (`,` or `)`), so it must be the whole run of number characters, and `\s*`
/// must be the whole whitespace run; a failed attempt at one `(` scans no other `(`, so
/// the search is linear.
fn gta1_findall(t: &str) -> Vec<(&str, &str)> {
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'(' {
            i += 1;
            continue;
        }
        let p1 = i + 1;
        let r1 = number_run_end(t, p1);
        if b.get(r1) == Some(&b',') && is_gta1_number(&t[p1..r1]) {
            let p2 = t[r1 + 1..]
                .char_indices()
                .find(|&(_, c)| !py_space(c))
                .map_or(t.len(), |(k, _)| r1 + 1 + k);
            let r2 = number_run_end(t, p2);
            if b.get(r2) == Some(&b')') && is_gta1_number(&t[p2..r2]) {
                out.push((&t[p1..r1], &t[p2..r2]));
                i = r2 + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// GTA1's `parse_coordinates`, with its failure modes named: a non-integer match makes
/// `int()` raise, no match makes `matches[0]` raise, several return `(-1, -1)` (malformed
/// here, deviation 8).
fn gta1_click(text: &str) -> Result<(f64, f64), ParseError> {
    let found = gta1_findall(text);
    let mut clicks = Vec::with_capacity(found.len());
    for (x, y) in &found {
        match (py_int(x), py_int(y)) {
            (Some(x), Some(y)) => clicks.push((x, y)),
            _ => {
                return Err(ParseError::Invalid {
                    what: "click",
                    why: format!("({x}, {y}): GTA1 reads integer coordinates only"),
                })
            }
        }
    }
    match clicks[..] {
        [c] => Ok(c),
        [] => Err(ParseError::NoPoint {
            text: snippet(text),
        }),
        _ => Err(ParseError::WrongCount {
            what: "click",
            expected: 1,
            found: clicks.len(),
        }),
    }
}

/// GTA1's `(ratio_w, ratio_h)`: the factors that move gold coordinates into the answer frame.
fn gta1_ratios(af: CoordFrame, gf: CoordFrame) -> Result<(f64, f64), ParseError> {
    if af == CoordFrame::Normalized01 {
        return Err(ParseError::Invalid {
            what: "frame",
            why: "GTA1's click test truncates the gold box to whole units of the answer frame, \
                  meaningless in 0-1 coordinates; use ClickTest::Continuous"
                .into(),
        });
    }
    if af == gf {
        return Ok((1.0, 1.0));
    }
    af.validate()?;
    gf.validate()?;
    match (af.extent(), gf.extent()) {
        (Some((aw, ah)), Some((gw, gh))) => Ok((aw / gw, ah / gh)),
        _ => Err(FrameError::Unconvertible { from: gf, to: af }.into()),
    }
}

/// A gold box moved into the answer frame GTA1's way: `int(x * ratio)` per coordinate.
fn gta1_box(b: &BBox, (rw, rh): (f64, f64)) -> Result<[f64; 4], ParseError> {
    let [x0, y0, x1, y1] = b.coords();
    let s = [x0 * rw, y0 * rh, x1 * rw, y1 * rh].map(f64::trunc);
    if s.iter().all(|c| c.is_finite()) {
        Ok(s)
    } else {
        Err(ParseError::InvalidBox {
            coords: s,
            why: "gold box overflows when scaled into the answer frame",
        })
    }
}

impl Gta1Click {
    /// The click in the answer frame.
    fn read_click(&self, completion: &str, af: CoordFrame) -> Result<Point, ParseError> {
        let t = extract_answer(completion, self.source)?;
        match self.parse {
            ClickParse::Gta1 => {
                let (x, y) = gta1_click(t)?;
                Point::new(x, y, af)
            }
            ClickParse::Shapes => {
                let s = scan(t);
                match s.points.len() {
                    1 => s.points[0].in_frame(af),
                    n => Err(ParseError::WrongCount {
                        what: "point",
                        expected: 1,
                        found: n,
                    }),
                }
            }
        }
    }

    /// Index of the first gold box containing the click, and how the test was done.
    fn hit(
        &self,
        p: &Point,
        boxes: &[BBox],
        gold: &Gold,
    ) -> Result<(Option<usize>, String), ParseError> {
        let (af, gf) = gold.frames();
        match self.test {
            ClickTest::Gta1Truncated => {
                let r = gta1_ratios(af, gf)?;
                let (x, y) = p.xy();
                let mut first = None;
                for (k, b) in boxes.iter().enumerate() {
                    let [x0, y0, x1, y1] = gta1_box(b, r)?;
                    if first.is_none() && x0 <= x && x <= x1 && y0 <= y && y <= y1 {
                        first = Some((k, [x0, y0, x1, y1]));
                    }
                }
                Ok(match first {
                    Some((k, s)) => (Some(k), format!(" (truncated in the answer frame: {s:?})")),
                    None => (None, " (boxes truncated in the answer frame)".into()),
                })
            }
            ClickTest::Continuous => {
                let q = p.to_frame(gf)?;
                let k = boxes.iter().position(|b| b.contains(&q).unwrap_or(false));
                Ok((k, " (click converted into the gold frame)".into()))
            }
        }
    }
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
        let p = match self.read_click(completion, af) {
            Ok(p) => p,
            Err(e) => return Verdict::Malformed(e),
        };
        let (hit, how) = match self.hit(&p, &boxes, gold) {
            Ok(h) => h,
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        let (x, y) = p.xy();
        let reason = match hit {
            Some(k) => format!(
                "click ({x}, {y}) inside gold box {k}{how}{}",
                frame_note(gold)
            ),
            None => format!(
                "click ({x}, {y}) outside all {} gold boxes{how}{}",
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
/// // GUI-G1's template: the completion is the JSON list itself.
/// let c = r#"[{"bbox_2d": [200, 200, 400, 300], "label": "Save"}]"#;
/// assert!((v.verify(c, &gold).score() - 1.375).abs() < 1e-12);
/// // VLM-R1's IoU convention subtracts one unit: meaningless in 0-1 coordinates, so refused.
/// let unit = Gold::new("[0.1, 0.1, 0.2, 0.2]").with_frame(CoordFrame::Normalized01);
/// assert_eq!(v.verify("[0.1, 0.1, 0.2, 0.2]", &unit).kind().as_str(), "gold_unparseable");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct GuiG1 {
    /// α, the IoU weight (0.25).
    pub alpha: f64,
    /// β, the box-closeness weight (0.125).
    pub beta: f64,
    /// IoU convention (GUI-G1 copies VLM-R1's `iou`, so [`IouConvention::VlmR1`]).
    pub convention: IouConvention,
    /// What to do with several boxes (GUI-G1 grades the first list element).
    pub multi_box: MultiBox,
    /// Where the answer is read (the whole completion, as GUI-G1 does).
    pub source: AnswerSource,
}

impl Default for GuiG1 {
    fn default() -> Self {
        GuiG1 {
            alpha: 0.25,
            beta: 0.125,
            convention: IouConvention::VlmR1,
            multi_box: MultiBox::Reject,
            source: AnswerSource::Whole,
        }
    }
}

/// GUI-G1's `R_box`: the harmonic mean `4 / (1/x1' + 1/x2' + 1/y1' + 1/y2')` of the
/// closenesses `1 - |Δcoord| / extent` (summed in GUI-G1's order, so the same double), with
/// the gold frame's extent; 0 if any closeness is `<= 0` (module docs, deviation 11).
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
    // GUI-G1 order: x1, x2 (width), then y1, y2 (height).
    let close = [
        1.0 - (g[0] - p[0]).abs() / w,
        1.0 - (g[2] - p[2]).abs() / w,
        1.0 - (g[1] - p[1]).abs() / h,
        1.0 - (g[3] - p[3]).abs() / h,
    ];
    // NaN-safe: a NaN closeness also gives 0.
    if close.iter().any(|c| c.is_nan() || *c <= 0.0) {
        return Ok(0.0);
    }
    let inv_sum = 1.0 / close[0] + 1.0 / close[1] + 1.0 / close[2] + 1.0 / close[3];
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
        let (a, g) = match answer_and_gold_box(completion, gold, self.source, self.multi_box) {
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
        let shapes = Gta1Click {
            source: AnswerSource::Auto,
            parse: ClickParse::Shapes,
            test: ClickTest::Continuous,
        };
        // (completion, GTA1 default, scanner + continuous test on the answer block)
        let table: [(&str, VerdictKind, VerdictKind); 9] = [
            ("<answer>(5, 5)</answer>", Correct, Correct),
            ("<answer>(10, 10)</answer>", Correct, Correct), // border counts
            ("<answer>(55,55)</answer>", Correct, Correct),  // second box
            ("<answer>[55, 55]</answer>", Malformed, Correct), // GTA1 reads (x, y) only
            ("<answer>(30, 30)</answer>", Incorrect, Incorrect),
            ("<answer>(5, 5), (55, 55)</answer>", Malformed, Malformed),
            ("<answer>[0, 0, 10, 10]</answer>", Malformed, Malformed),
            ("<answer>(nan, 5)</answer>", Malformed, Malformed),
            ("<answer>the button</answer>", Malformed, Malformed),
        ];
        for (c, k, ks) in table {
            assert_eq!(v.verify(c, &g).kind(), k, "{c:?}");
            assert_eq!(shapes.verify(c, &g).kind(), ks, "{c:?}");
        }
        // A bare click, as GTA1's prompt asks for, is read from the whole completion; the
        // answer-block source does not find it.
        assert!(v.verify("(5, 5)", &g).is_correct());
        assert_eq!(shapes.verify("(5, 5)", &g).kind(), Malformed);
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
