//! Detection rewards: greedy IoU matching, single-image COCO mAP, VLM-R1's `odLength` and
//! weighted sum, V-Triune's dynamic-threshold score with its size penalty.
//!
//! **Sources**
//! - VLM-R1 (Shen et al. 2025, arXiv 2504.07615), `src/open-r1-multimodal/src/open_r1/grpo_jsonl.py`
//!   l.238-560 (per the research notes, `vlm_anchors.md` §2.2): `od_ap` / `od_ap50` are COCO
//!   mAP (pycocotools, every prediction scored 1.0), both lists empty → 1; `odLength` =
//!   `mAP * (1 if N_pred <= N_gt else N_gt / N_pred)`; `weighted_sum` = greedy IoU matching at
//!   0.5 (wrong label → IoU 0), `position = Σ IoU / N_gt`,
//!   `completeness = 1 - (miss_rate + false_alarm_rate) / 2`,
//!   `score = 0.7 position + 0.0 label + 0.3 completeness`.
//! - V-Triune (Ma et al. 2025, arXiv 2505.18129), MiniMax-AI/One-RL-to-See-Them-All
//!   `reward_server/verify.py` (`DetectionVerifier`) and `reward_server/utils/det_helper.py`
//!   (`greedy_match_by_iou_max_iou_first`, `compute_iou`): threshold
//!   `ε = 0.85 if r <= 0.1, 0.95 if r <= 0.25, else 0.99` with `r = step / total_steps`;
//!   max-IoU-first greedy matching, pairs below ε unmatched, wrong label → IoU 0;
//!   `weighted = (1 - w_c) mean_iou + w_c completeness`, `size_penalty = 0.6^|N_pred - N_gt|`,
//!   `final = weighted * size_penalty`.
//!
//! **Deviations from the reference code**
//! 1. V-Triune mixes its IoU score with mAP terms by `det_reward_ratio` weights read from its
//!    environment; only the `iou_max_iou_first` term is implemented (weight 1). Its
//!    completeness weight `w_c` (`det_reward_ratio['iou_completeness']`) has no default in the
//!    code we read; ours is 0.3 (VLM-R1's weighted-sum value), a choice, not a citation.
//! 2. Both references drop predictions whose label is not a gold category before mAP (via
//!    `cats2id`); we do the same, but `odLength` counts **all** predicted boxes, so off-category
//!    spam is still penalised.
//! 3. VLM-R1's bare `except:` silently dropped unparseable boxes (STYLE §7.4); here an invalid
//!    box (inverted, non-finite) makes the whole answer [`crate::Verdict::Malformed`].
//! 4. Labels are compared lower-cased and trimmed (V-Triune lower-cases the whole answer);
//!    a gold box without label matches any predicted label.
//! 5. At most [`MAX_PRED_BOXES`] predicted boxes are graded; more is malformed (bounded cost).

use crate::error::{snippet, FrameError, ParseError};
use crate::extract::{extract_answer, AnswerSource};
use crate::frame::{BBox, CoordFrame};
use crate::iou::{iou_coords, IouConvention};
use crate::shapes::scan;
use crate::text::gold_text;
use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};

/// More predicted boxes than this make an answer malformed.
pub const MAX_PRED_BOXES: usize = 1000;

/// A box with an optional class label.
#[derive(Clone, Debug, PartialEq)]
pub struct LabeledBox {
    /// The box.
    pub bbox: BBox,
    /// The label, lower-cased and trimmed.
    pub label: Option<String>,
}

/// One matched pair from [`greedy_match`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Match {
    /// Index into the predictions.
    pub pred: usize,
    /// Index into the gold boxes.
    pub gold: usize,
    /// The pair's IoU, or 0 if the labels differ.
    pub iou: f64,
}

/// V-Triune's dynamic IoU threshold for training progress `r = step / total_steps`:
/// 0.85 for `r <= 0.1`, 0.95 for `r <= 0.25`, else 0.99 (`verify.py`, `iou_threshold ==
/// 'dynamic'`). Non-finite progress is treated as finished training (0.99).
///
/// ```
/// use ocellus_rewards::detection::dynamic_iou_threshold;
/// assert_eq!(dynamic_iou_threshold(0.1), 0.85);
/// assert_eq!(dynamic_iou_threshold(0.1000001), 0.95);
/// assert_eq!(dynamic_iou_threshold(0.25), 0.95);
/// assert_eq!(dynamic_iou_threshold(0.9), 0.99);
/// ```
pub fn dynamic_iou_threshold(progress: f64) -> f64 {
    if progress <= 0.1 {
        0.85
    } else if progress <= 0.25 {
        0.95
    } else {
        0.99
    }
}

fn labels_agree(pred: &Option<String>, gold: &Option<String>) -> bool {
    match gold {
        None => true,
        Some(g) => pred.as_deref() == Some(g.as_str()),
    }
}

fn same_frame(preds: &[LabeledBox], golds: &[LabeledBox]) -> Result<(), FrameError> {
    let mut frames = preds.iter().chain(golds).map(|b| b.bbox.frame());
    if let Some(first) = frames.next() {
        for f in frames {
            if f != first {
                return Err(FrameError::Mismatch {
                    left: first,
                    right: f,
                });
            }
        }
    }
    Ok(())
}

/// V-Triune's `greedy_match_by_iou_max_iou_first`: repeatedly take the unmatched pair with the
/// highest IoU (ties: lowest prediction index, then lowest gold index); stop when it is below
/// `threshold`. A matched pair with different labels keeps the match but scores IoU 0.
pub fn greedy_match(
    preds: &[LabeledBox],
    golds: &[LabeledBox],
    threshold: f64,
    convention: IouConvention,
) -> Result<Vec<Match>, FrameError> {
    same_frame(preds, golds)?;
    // Sorting all pairs by (-IoU, pred, gold) and taking free pairs in order is the same as
    // repeatedly taking the maximum, in O(nm log nm) instead of O(min(n,m) n m).
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, p) in preds.iter().enumerate() {
        for (j, g) in golds.iter().enumerate() {
            let v = iou_coords(p.bbox.coords(), g.bbox.coords(), convention);
            if v >= threshold {
                pairs.push((v, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used_p = vec![false; preds.len()];
    let mut used_g = vec![false; golds.len()];
    let mut out = Vec::new();
    for (v, i, j) in pairs {
        if used_p[i] || used_g[j] {
            continue;
        }
        used_p[i] = true;
        used_g[j] = true;
        let iou = if labels_agree(&preds[i].label, &golds[j].label) {
            v
        } else {
            0.0
        };
        out.push(Match {
            pred: i,
            gold: j,
            iou,
        });
    }
    Ok(out)
}

/// The parts of a matched detection score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MatchScores {
    /// `Σ matched IoU / N_gold`.
    pub mean_iou: f64,
    /// `1 - (miss_rate + false_alarm_rate) / 2`, with `miss_rate = (N_gold - N_match) / N_gold`
    /// and `false_alarm_rate = (N_pred - N_match) / N_pred` (0 when `N_pred = 0`).
    pub completeness: f64,
}

/// [`MatchScores`] of a matching; `n_gold` must be positive.
pub fn match_scores(matches: &[Match], n_pred: usize, n_gold: usize) -> MatchScores {
    let n_gold = n_gold.max(1) as f64;
    let m = matches.len() as f64;
    let mean_iou = matches.iter().map(|m| m.iou).sum::<f64>() / n_gold;
    let miss = (n_gold - m) / n_gold;
    let fa = if n_pred == 0 {
        0.0
    } else {
        (n_pred as f64 - m) / n_pred as f64
    };
    MatchScores {
        mean_iou,
        completeness: 1.0 - (miss + fa) / 2.0,
    }
}

/// COCO's IoU thresholds 0.50:0.05:0.95.
pub const COCO_IOU_THRESHOLDS: [f64; 10] = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

/// Single-image COCO average precision (pycocotools `evaluate` + `accumulate`, area "all",
/// maxDets 100, every prediction scored 1.0 so predictions keep their order), averaged over
/// gold categories and `thresholds`. Predictions whose label is not a gold category are
/// ignored. `None` when there is no gold box.
///
/// Per category and threshold `t`: each prediction in order takes the unmatched gold box with
/// the highest IoU `>= t` (continuous IoU, as COCO); precision is made monotone from the right;
/// AP is the mean of the interpolated precision at the 101 recall points 0, 0.01, …, 1.
pub fn coco_map(
    preds: &[LabeledBox],
    golds: &[LabeledBox],
    thresholds: &[f64],
) -> Result<Option<f64>, FrameError> {
    same_frame(preds, golds)?;
    let mut cats: Vec<&Option<String>> = Vec::new();
    for g in golds {
        if !cats.contains(&&g.label) {
            cats.push(&g.label);
        }
    }
    if cats.is_empty() || thresholds.is_empty() {
        return Ok(None);
    }
    let mut total = 0.0;
    for cat in &cats {
        let gs: Vec<[f64; 4]> = golds
            .iter()
            .filter(|g| &&g.label == cat)
            .map(|g| g.bbox.coords())
            .collect();
        let ds: Vec<[f64; 4]> = preds
            .iter()
            .filter(|p| &&p.label == cat)
            .take(100)
            .map(|p| p.bbox.coords())
            .collect();
        for &t in thresholds {
            let mut matched = vec![false; gs.len()];
            let mut tp_flags = Vec::with_capacity(ds.len());
            for d in &ds {
                let mut best = t.min(1.0 - 1e-10);
                let mut m = None;
                for (k, g) in gs.iter().enumerate() {
                    if matched[k] {
                        continue;
                    }
                    let v = iou_coords(*d, *g, IouConvention::Continuous);
                    if v < best {
                        continue;
                    }
                    best = v;
                    m = Some(k);
                }
                if let Some(k) = m {
                    matched[k] = true;
                }
                tp_flags.push(m.is_some());
            }
            // Precision/recall curve.
            let npig = gs.len() as f64;
            let (mut tp, mut fp) = (0.0, 0.0);
            let mut rc = Vec::with_capacity(ds.len());
            let mut pr = Vec::with_capacity(ds.len());
            for &is_tp in &tp_flags {
                if is_tp {
                    tp += 1.0;
                } else {
                    fp += 1.0;
                }
                rc.push(tp / npig);
                pr.push(tp / (tp + fp + f64::EPSILON));
            }
            for i in (1..pr.len()).rev() {
                if pr[i] > pr[i - 1] {
                    pr[i - 1] = pr[i];
                }
            }
            let mut q_sum = 0.0;
            for r in 0..=100 {
                let thr = r as f64 / 100.0;
                // searchsorted(rc, thr, side='left'): first index with rc[i] >= thr.
                let idx = rc.partition_point(|&x| x < thr);
                if idx < pr.len() {
                    q_sum += pr[idx];
                }
            }
            total += q_sum / 101.0;
        }
    }
    Ok(Some(total / (cats.len() * thresholds.len()) as f64))
}

fn norm_label(l: Option<String>) -> Option<String> {
    l.map(|s| s.trim().to_lowercase())
}

/// Reads a list of labelled boxes in `frame`. An explicit empty list `[]` (or an answer saying
/// "none") is a valid empty list; text with no box and no `[]` is [`ParseError::NoBox`].
pub(crate) fn read_box_list(text: &str, frame: CoordFrame) -> Result<Vec<LabeledBox>, ParseError> {
    let s = scan(text);
    if s.boxes.is_empty() {
        let t = text.trim().trim_end_matches('.').to_ascii_lowercase();
        if s.saw_empty_list || matches!(t.as_str(), "none" | "no objects") {
            return Ok(Vec::new());
        }
        return Err(ParseError::NoBox {
            text: snippet(text),
        });
    }
    s.boxes
        .into_iter()
        .map(|b| {
            Ok(LabeledBox {
                bbox: b.in_frame(frame)?,
                label: norm_label(b.label),
            })
        })
        .collect()
}

/// Reads predictions and gold, converting predictions into the gold frame.
type Read = Result<(Vec<LabeledBox>, Vec<LabeledBox>), Verdict>;

fn read_both(completion: &str, gold: &Gold, source: AnswerSource) -> Read {
    let (af, gf) = gold.frames();
    let golds = gold_text(gold)
        .and_then(|g| read_box_list(g, gf))
        .map_err(Verdict::GoldUnparseable)?;
    let preds = extract_answer(completion, source)
        .and_then(|a| read_box_list(a, af))
        .map_err(Verdict::Malformed)?;
    if preds.len() > MAX_PRED_BOXES {
        return Err(Verdict::Malformed(ParseError::WrongCount {
            what: "boxes at most",
            expected: MAX_PRED_BOXES,
            found: preds.len(),
        }));
    }
    let preds = preds
        .into_iter()
        .map(|p| {
            Ok(LabeledBox {
                bbox: p.bbox.to_frame(gf)?,
                label: p.label,
            })
        })
        .collect::<Result<Vec<_>, FrameError>>()
        .map_err(|e| Verdict::GoldUnparseable(e.into()))?;
    Ok((preds, golds))
}

fn frame_note(gold: &Gold) -> &'static str {
    if gold.frames().1 == CoordFrame::Unspecified {
        "; frames unspecified, assumed identical"
    } else {
        ""
    }
}

/// Which VLM-R1 detection reward ([`VlmR1Detection`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VlmR1Method {
    /// `od_ap`: COCO mAP@[.5:.95].
    OdAp,
    /// `od_ap50`: COCO AP@.5.
    OdAp50,
    /// `odLength`: mAP@[.5:.95] × `min(1, N_gt / N_pred)`.
    OdLength,
    /// `weighted_sum`: `0.7 position + 0.3 completeness`, matching at IoU 0.5.
    WeightedSum,
}

/// VLM-R1's detection rewards (see the module docs). Gold: a JSON list of
/// `{"bbox_2d": [...], "label": ...}` (or bare boxes); `[]` means no object. Scores in [0, 1].
///
/// ```
/// use ocellus_rewards::{detection::{VlmR1Detection, VlmR1Method}, CoordFrame, Gold, Verifier};
/// let gold = Gold::new(r#"[{"bbox_2d": [0, 0, 10, 10], "label": "cat"}]"#)
///     .with_frame(CoordFrame::Normalized1000);
/// let v = VlmR1Detection::new(VlmR1Method::OdLength);
/// let one = r#"<answer>[{"bbox_2d": [0, 0, 10, 10], "label": "cat"}]</answer>"#;
/// assert_eq!(v.verify(one, &gold).score(), 1.0);
/// // The same correct box plus three extra boxes: mAP stays 1, odLength pays 1/4.
/// let spam = r#"<answer>[{"bbox_2d": [0, 0, 10, 10], "label": "cat"}, [20, 20, 30, 30],
///     [40, 40, 50, 50], [60, 60, 70, 70]]</answer>"#;
/// assert!((v.verify(spam, &gold).score() - 0.25).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct VlmR1Detection {
    /// Which reward.
    pub method: VlmR1Method,
    /// Where the answer is read.
    pub source: AnswerSource,
    /// The IoU convention of the weighted-sum matching (mAP always uses COCO's continuous IoU).
    pub convention: IouConvention,
}

impl VlmR1Detection {
    /// The reward `method`, reading the answer with [`AnswerSource::Auto`].
    pub fn new(method: VlmR1Method) -> VlmR1Detection {
        VlmR1Detection {
            method,
            source: AnswerSource::Auto,
            convention: IouConvention::Continuous,
        }
    }
}

impl Verifier for VlmR1Detection {
    fn name(&self) -> &'static str {
        match self.method {
            VlmR1Method::OdAp => "od_ap",
            VlmR1Method::OdAp50 => "od_ap50",
            VlmR1Method::OdLength => "od_length",
            VlmR1Method::WeightedSum => "det_weighted_sum",
        }
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let (preds, golds) = match read_both(completion, gold, self.source) {
            Ok(x) => x,
            Err(v) => return v,
        };
        let note = frame_note(gold);
        let (np, ng) = (preds.len(), golds.len());
        if ng == 0 || np == 0 {
            let s = if ng == 0 && np == 0 { 1.0 } else { 0.0 };
            return Verdict::graded(
                s,
                0.0,
                1.0,
                format!("{np} predicted, {ng} gold boxes{note}"),
            );
        }
        let result = match self.method {
            VlmR1Method::OdAp | VlmR1Method::OdLength => {
                coco_map(&preds, &golds, &COCO_IOU_THRESHOLDS).map(|m| {
                    let map = m.unwrap_or(0.0);
                    if self.method == VlmR1Method::OdLength {
                        let pen = if np <= ng { 1.0 } else { ng as f64 / np as f64 };
                        (map * pen, format!("mAP {map:.4} x length penalty {pen:.4}"))
                    } else {
                        (map, format!("mAP@[.5:.95] {map:.4}"))
                    }
                })
            }
            VlmR1Method::OdAp50 => coco_map(&preds, &golds, &[0.5])
                .map(|m| (m.unwrap_or(0.0), format!("AP@.5 {:.4}", m.unwrap_or(0.0)))),
            VlmR1Method::WeightedSum => {
                greedy_match(&preds, &golds, 0.5, self.convention).map(|ms| {
                    let s = match_scores(&ms, np, ng);
                    let score = 0.7 * s.mean_iou + 0.3 * s.completeness;
                    (
                        score,
                        format!(
                            "0.7 x position {:.4} + 0.3 x completeness {:.4} ({} of {ng} matched, {np} predicted)",
                            s.mean_iou,
                            s.completeness,
                            ms.len()
                        ),
                    )
                })
            }
        };
        match result {
            Ok((score, why)) => Verdict::graded(score, 0.0, 1.0, format!("{why}{note}")),
            Err(e) => Verdict::GoldUnparseable(e.into()),
        }
    }
}

/// The IoU threshold of [`VTriuneDetection`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum IouThreshold {
    /// A fixed threshold.
    Fixed(f64),
    /// [`dynamic_iou_threshold`] of [`Gold::training_progress`].
    Dynamic,
    /// The mean of the weighted score over 0.5, 0.55, …, 0.95, 0.99 (V-Triune's default
    /// `'average'`).
    Average,
}

/// V-Triune's thresholds for [`IouThreshold::Average`].
pub const VTRIUNE_THRESHOLDS: [f64; 11] =
    [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99];

/// V-Triune's detection reward: `((1 - w_c) mean_iou + w_c completeness) * 0.6^|N_pred - N_gt|`
/// with max-IoU-first matching at threshold ε (see the module docs). Scores in [0, 1].
/// Gold: a non-empty list of labelled boxes (an empty gold list is unparseable, as V-Triune
/// logs "Check GT!" and scores 0).
///
/// ```
/// use ocellus_rewards::{detection::{VTriuneDetection, IouThreshold}, CoordFrame, Gold, Verifier};
/// let v = VTriuneDetection { threshold: IouThreshold::Dynamic, ..VTriuneDetection::default() };
/// let gold = Gold::new("[[0, 0, 100, 100]]").with_frame(CoordFrame::Normalized1000);
/// // IoU 0.9: matched early in training (ε = 0.85), not late (ε = 0.99), where the lone
/// // box is both a miss and a false alarm (completeness 0).
/// let c = "<answer>[[0, 0, 100, 90]]</answer>";
/// let early = v.verify(c, &gold.clone().with_progress(0.05)).score();
/// let late = v.verify(c, &gold.with_progress(0.5)).score();
/// assert!((early - (0.7 * 0.9 + 0.3 * 1.0)).abs() < 1e-12);
/// assert_eq!(late, 0.0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct VTriuneDetection {
    /// The IoU threshold ε.
    pub threshold: IouThreshold,
    /// `w_c`, the completeness weight (0.3 by default; see deviation 1).
    pub completeness_weight: f64,
    /// Base of the size penalty (0.6 in V-Triune).
    pub size_penalty_base: f64,
    /// IoU convention (V-Triune's `compute_iou` is continuous).
    pub convention: IouConvention,
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Default for VTriuneDetection {
    fn default() -> Self {
        VTriuneDetection {
            threshold: IouThreshold::Dynamic,
            completeness_weight: 0.3,
            size_penalty_base: 0.6,
            convention: IouConvention::Continuous,
            source: AnswerSource::Auto,
        }
    }
}

impl Verifier for VTriuneDetection {
    fn name(&self) -> &'static str {
        "vtriune_detection"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let (mut preds, golds) = match read_both(completion, gold, self.source) {
            Ok(x) => x,
            Err(v) => return v,
        };
        if golds.is_empty() {
            return Verdict::GoldUnparseable(ParseError::Invalid {
                what: "gold boxes",
                why: "empty list (V-Triune needs at least one gold box)".into(),
            });
        }
        // det_helper.py::extract_bbox removes duplicate positions.
        let mut seen: Vec<[u64; 4]> = Vec::with_capacity(preds.len());
        preds.retain(|p| {
            let key = p.bbox.coords().map(f64::to_bits);
            if seen.contains(&key) {
                false
            } else {
                seen.push(key);
                true
            }
        });
        if preds.is_empty() {
            return Verdict::Incorrect {
                score: 0.0,
                reason: "no predicted boxes".into(),
            };
        }
        let w_c = self.completeness_weight.clamp(0.0, 1.0);
        let (np, ng) = (preds.len(), golds.len());
        let size_penalty = self
            .size_penalty_base
            .clamp(0.0, 1.0)
            .powi(np.abs_diff(ng).min(i32::MAX as usize) as i32);
        let weighted_at = |eps: f64| -> Result<(f64, MatchScores, usize), FrameError> {
            let ms = greedy_match(&preds, &golds, eps, self.convention)?;
            let s = match_scores(&ms, np, ng);
            Ok(((1.0 - w_c) * s.mean_iou + w_c * s.completeness, s, ms.len()))
        };
        let (eps_text, weighted) = match self.threshold {
            IouThreshold::Fixed(e) => (format!("{e}"), weighted_at(e)),
            IouThreshold::Dynamic => {
                let Some(r) = gold.training_progress else {
                    return Verdict::GoldUnparseable(ParseError::MissingField {
                        field: "training_progress",
                    });
                };
                let e = dynamic_iou_threshold(r);
                (format!("{e} (progress {r})"), weighted_at(e))
            }
            IouThreshold::Average => {
                let mut acc = 0.0;
                let mut last = None;
                for &e in &VTRIUNE_THRESHOLDS {
                    match weighted_at(e) {
                        Ok(x) => {
                            acc += x.0;
                            last = Some(x);
                        }
                        Err(err) => return Verdict::GoldUnparseable(err.into()),
                    }
                }
                let (_, s, m) = last.expect("VTRIUNE_THRESHOLDS is non-empty");
                (
                    "average".into(),
                    Ok((acc / VTRIUNE_THRESHOLDS.len() as f64, s, m)),
                )
            }
        };
        match weighted {
            Ok((w, s, m)) => Verdict::graded(
                w * size_penalty,
                0.0,
                1.0,
                format!(
                    "eps {eps_text}: {m} of {ng} matched, mean IoU {:.4}, completeness {:.4}, \
                     weighted {w:.4} x size penalty {size_penalty:.4} ({np} predicted){}",
                    s.mean_iou,
                    s.completeness,
                    frame_note(gold)
                ),
            ),
            Err(e) => Verdict::GoldUnparseable(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::VerdictKind;

    const F: CoordFrame = CoordFrame::Normalized1000;

    fn lb(c: [f64; 4], l: &str) -> LabeledBox {
        LabeledBox {
            bbox: BBox::new(c, F).unwrap(),
            label: Some(l.into()),
        }
    }

    #[test]
    fn dynamic_schedule_edges() {
        for (r, e) in [
            (0.0, 0.85),
            (0.1, 0.85),
            (0.11, 0.95),
            (0.25, 0.95),
            (0.2501, 0.99),
            (1.0, 0.99),
        ] {
            assert_eq!(dynamic_iou_threshold(r), e, "r = {r}");
        }
        assert_eq!(dynamic_iou_threshold(f64::NAN), 0.99);
    }

    #[test]
    fn greedy_matching_takes_the_best_pair_first() {
        // gold A = [0,0,10,10]; pred 0 overlaps A with IoU 0.5, pred 1 equals A.
        let golds = [lb([0., 0., 10., 10.], "a")];
        let preds = [lb([0., 0., 10., 5.], "a"), lb([0., 0., 10., 10.], "a")];
        let m = greedy_match(&preds, &golds, 0.5, IouConvention::Continuous).unwrap();
        assert_eq!(
            m,
            vec![Match {
                pred: 1,
                gold: 0,
                iou: 1.0
            }]
        );
        // Wrong label: still matched (consumes the gold box) but scores 0.
        let m = greedy_match(
            &[lb([0., 0., 10., 10.], "b")],
            &golds,
            0.5,
            IouConvention::Continuous,
        )
        .unwrap();
        assert_eq!(m[0].iou, 0.0);
        // Below threshold: unmatched.
        assert!(
            greedy_match(&preds[..1], &golds, 0.6, IouConvention::Continuous)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn match_scores_hand_computed() {
        // 2 gold, 3 pred, 1 match with IoU 0.8: mean 0.4, miss 0.5, fa 2/3.
        let s = match_scores(
            &[Match {
                pred: 0,
                gold: 0,
                iou: 0.8,
            }],
            3,
            2,
        );
        assert!((s.mean_iou - 0.4).abs() < 1e-12);
        assert!((s.completeness - (1.0 - (0.5 + 2.0 / 3.0) / 2.0)).abs() < 1e-12);
        assert_eq!(match_scores(&[], 0, 1).completeness, 0.5);
    }

    #[test]
    fn coco_map_hand_computed() {
        let g = [lb([0., 0., 10., 10.], "a")];
        // Perfect: 1 (up to pycocotools' tp / (tp + fp + eps)).
        let m = coco_map(&[lb([0., 0., 10., 10.], "a")], &g, &COCO_IOU_THRESHOLDS)
            .unwrap()
            .unwrap();
        assert!((m - 1.0).abs() < 1e-12);
        // IoU 0.8 box: TP for t <= 0.8 (7 of 10 thresholds) -> 0.7.
        let p = [lb([0., 0., 10., 8.], "a")];
        let m = coco_map(&p, &g, &COCO_IOU_THRESHOLDS).unwrap().unwrap();
        assert!((m - 0.7).abs() < 1e-9, "{m}");
        // A false positive first, then the true box: precision 1/2 at recall 1 -> AP 0.5.
        let p = [lb([50., 50., 60., 60.], "a"), lb([0., 0., 10., 10.], "a")];
        let m = coco_map(&p, &g, &[0.5]).unwrap().unwrap();
        assert!((m - 0.5).abs() < 1e-9, "{m}");
        // The true box first, then a false positive: AP 1 (plain AP ignores trailing spam).
        let p = [lb([0., 0., 10., 10.], "a"), lb([50., 50., 60., 60.], "a")];
        assert!((coco_map(&p, &g, &[0.5]).unwrap().unwrap() - 1.0).abs() < 1e-9);
        // Two categories, one found: 0.5. Off-category predictions are ignored.
        let g2 = [lb([0., 0., 10., 10.], "a"), lb([20., 20., 30., 30.], "b")];
        let p = [
            lb([0., 0., 10., 10.], "a"),
            lb([20., 20., 30., 30.], "zebra"),
        ];
        assert!((coco_map(&p, &g2, &[0.5]).unwrap().unwrap() - 0.5).abs() < 1e-9);
        assert_eq!(coco_map(&p, &[], &[0.5]).unwrap(), None);
    }

    #[test]
    fn vlmr1_methods_table() {
        let gold = Gold::new(
            r#"```json
[{"bbox_2d": [0, 0, 100, 100], "label": "dog"}, {"bbox_2d": [200, 200, 300, 300], "label": "cat"}]
```"#,
        )
        .with_frame(F);
        let perfect = r#"<answer>[{"bbox_2d": [0,0,100,100], "label": "Dog"}, {"bbox_2d": [200,200,300,300], "label": "cat"}]</answer>"#;
        let half = r#"<answer>[{"bbox_2d": [0,0,100,100], "label": "dog"}]</answer>"#;
        let wrong = r#"<answer>[{"bbox_2d": [500,500,600,600], "label": "dog"}]</answer>"#;
        let table: [(VlmR1Method, &str, f64); 9] = [
            (VlmR1Method::OdAp, perfect, 1.0),
            (VlmR1Method::OdAp, half, 0.5),
            (VlmR1Method::OdAp, wrong, 0.0),
            (VlmR1Method::OdAp50, half, 0.5),
            (VlmR1Method::OdLength, half, 0.5),
            (VlmR1Method::WeightedSum, perfect, 1.0),
            // position 1/2, miss 1/2, fa 0 -> completeness 0.75; 0.35 + 0.225
            (VlmR1Method::WeightedSum, half, 0.575),
            // no match: position 0, miss 1, fa 1 -> completeness 0
            (VlmR1Method::WeightedSum, wrong, 0.0),
            (VlmR1Method::OdLength, perfect, 1.0),
        ];
        for (m, c, want) in table {
            let v = VlmR1Detection::new(m).verify(c, &gold);
            assert!((v.score() - want).abs() < 1e-9, "{m:?} {c}: {v}");
        }
        let v = VlmR1Detection::new(VlmR1Method::OdAp);
        assert_eq!(
            v.verify("<answer>[]</answer>", &Gold::new("[]")).score(),
            1.0
        );
        assert_eq!(v.verify("<answer>[]</answer>", &gold).score(), 0.0);
        assert_eq!(
            v.verify("<answer>a dog</answer>", &gold).kind(),
            VerdictKind::Malformed
        );
        assert_eq!(
            v.verify("<answer>[[5,5,1,1]]</answer>", &gold).kind(),
            VerdictKind::Malformed
        );
        assert_eq!(
            v.verify(perfect, &Gold::new("dog")).kind(),
            VerdictKind::GoldUnparseable
        );
    }

    #[test]
    fn vtriune_table() {
        let gold = Gold::new(r#"[{"bbox_2d": [0, 0, 100, 100], "label": "dog"}]"#).with_frame(F);
        let v = VTriuneDetection {
            threshold: IouThreshold::Fixed(0.5),
            ..VTriuneDetection::default()
        };
        let one = r#"<answer>[{"bbox_2d": [0, 0, 100, 100], "label": "dog"}]</answer>"#;
        assert!(v.verify(one, &gold).is_correct());
        // One extra box: match IoU 1, completeness 1 - (0 + 1/2)/2 = 0.75,
        // weighted 0.7 + 0.225 = 0.925, size penalty 0.6.
        let two = r#"<answer>[{"bbox_2d": [0,0,100,100], "label": "dog"}, {"bbox_2d": [500,500,600,600], "label": "dog"}]</answer>"#;
        assert!((v.verify(two, &gold).score() - 0.925 * 0.6).abs() < 1e-12);
        // Duplicates are removed before scoring.
        let dup = r#"<answer>[[0,0,100,100],[0,0,100,100]]</answer>"#;
        let g_nolabel = Gold::new("[[0,0,100,100]]").with_frame(F);
        assert!(v.verify(dup, &g_nolabel).is_correct());
        // Wrong label: matched with IoU 0; completeness 1 -> 0.3.
        let cat = r#"<answer>[{"bbox_2d": [0,0,100,100], "label": "cat"}]</answer>"#;
        assert!((v.verify(cat, &gold).score() - 0.3).abs() < 1e-12);
        // Empty prediction / empty gold / missing progress for the dynamic threshold.
        assert_eq!(v.verify("<answer>[]</answer>", &gold).score(), 0.0);
        assert_eq!(
            v.verify(one, &Gold::new("[]")).kind(),
            VerdictKind::GoldUnparseable
        );
        let dynamic = VTriuneDetection::default();
        assert_eq!(
            dynamic.verify(one, &gold).kind(),
            VerdictKind::GoldUnparseable
        );
        assert!(dynamic
            .verify(one, &gold.clone().with_progress(0.9))
            .is_correct());
        // Average over 11 thresholds of an IoU-0.9 box: matched at 9 of them (0.5..=0.9),
        // unmatched (score 0) at 0.95 and 0.99.
        let avg = VTriuneDetection {
            threshold: IouThreshold::Average,
            ..VTriuneDetection::default()
        };
        let c = "<answer>[[0,0,100,90]]</answer>";
        let g = Gold::new("[[0,0,100,100]]").with_frame(F);
        let want = 9.0 * (0.7 * 0.9 + 0.3) / 11.0;
        assert!((avg.verify(c, &g).score() - want).abs() < 1e-12);
    }

    #[test]
    fn frames_are_converted_before_matching() {
        // Policy answers in 0-1000, gold in pixels of a 200x100 image.
        let gold = Gold::new("[[20, 10, 100, 50]]").with_frames(
            CoordFrame::Normalized1000,
            CoordFrame::AbsoluteOriginal {
                width: 200.0,
                height: 100.0,
            },
        );
        let v = VlmR1Detection::new(VlmR1Method::OdAp);
        assert_eq!(
            v.verify("<answer>[[100, 100, 500, 500]]</answer>", &gold)
                .score(),
            1.0
        );
    }
}
