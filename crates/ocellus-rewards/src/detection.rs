//! Detection rewards: greedy IoU matching, single-image COCO mAP (pycocotools to the bit),
//! VLM-R1's `od_ap` / `od_ap50` / `odLength` / weighted sum, V-Triune's dynamic-threshold
//! score with its size penalty.
//!
//! **Sources** (read at the commits named; line numbers are of those files)
//! - VLM-R1 (Shen et al. 2025, arXiv 2504.07615), om-ai-lab/VLM-R1 @ `90052f47`,
//!   `src/open-r1-multimodal/src/open_r1/grpo_jsonl.py`: `calculate_map` (l.238-295),
//!   `map_reward` (l.297-349), `od_reward` (l.351-383), `odLength_reward` (l.385-416), `iou`
//!   (l.418-429), `detection_score` (l.431-563), `clean_text` (l.757-775), the `weighted_sum`
//!   branch of `accuracy_reward` (l.842-851). Its vendored `utils/pycocotools/{coco,cocoeval}.py`
//!   differ from pip's pycocotools 2.0.11 only in commented-out prints, `COCO()` accepting a
//!   dict, and `mask` imported from the installed package: the evaluation is pycocotools'.
//!   - `od_ap` / `od_ap50` = `COCOeval(...).stats[0]` / `stats[1]` of one image whose gold
//!     boxes (`[x1, y1, x2 - x1, y2 - y1]`, area `(x2-x1)(y2-y1)`) get category ids in order of
//!     first appearance of their label; every prediction is scored 1.0; a prediction whose
//!     label is not a gold label is dropped (`cats2id[...]` raises inside a bare `except`);
//!     no prediction left → 0; both lists empty (or both answers `None`) → 1, one empty → 0.
//!   - `odLength` = `od_ap × (1 if N_pred <= N_gt else N_gt / N_pred)`, `N_pred` counting
//!     every listed prediction, dropped ones included.
//!   - `weighted_sum` = `detection_score`: max-IoU-first greedy matching with VLM-R1's `iou()`
//!     ([`IouConvention::VlmR1`]); each round takes the unmatched pair of highest IoU (strict
//!     `>` while scanning predictions, then gold boxes, in order: ties go to the lowest
//!     prediction index, then the lowest gold index), stops when that IoU is `< 0.5`; a pair
//!     whose lower-cased labels differ is matched with IoU 0. `position = Σ IoU / N_gt`,
//!     `completeness = 1 - (miss_rate + false_alarm_rate) / 2`, score
//!     `(0.7 position + 0.0 label + 0.3 completeness) / 1.0`.
//! - pycocotools 2.0.11 (`cocoeval.py` `Params.setDetParams`, `computeIoU`, `evaluateImg`,
//!   `accumulate`, `summarize`; `maskApi.c::bbIou`), as reproduced by [`coco_map`]:
//!   IoU thresholds `np.linspace(.5, .95, 10)` ([`COCO_IOU_THRESHOLDS`]); recall points
//!   `np.linspace(0, 1, 101)`, i.e. `i as f64 * 0.01` and 1.0 last (ten of them, i = 35, 41,
//!   47, 57, 69, 70, 82, 83, 94, 95, lie just above `i / 100`, so recall exactly 0.7 with 10
//!   gold boxes reaches 70 recall points, not 71); maxDets 100 (the first 100 predictions of
//!   each category); area range "all" `[0, 1e10]` (a gold box of larger area is ignored, so is
//!   an unmatched prediction of larger area); per prediction in order, the free gold box with
//!   the highest IoU `>= min(t, 1 - 1e-10)`, a later gold box winning a tie; precision
//!   `tp / (fp + tp + np.spacing(1))` made non-increasing from the right, read at
//!   `np.searchsorted(recall, points, 'left')` (0 past the end); a category with no
//!   non-ignored gold box keeps precision -1 and is left out of the mean; the mean is numpy's
//!   (pairwise summation over the `[threshold, recall point, category]` array).
//! - V-Triune (Ma et al. 2025, arXiv 2505.18129), MiniMax-AI/One-RL-to-See-Them-All @
//!   `39bcf0d0`, `reward_server/verify.py::DetectionVerifier` (l.178-532) and
//!   `reward_server/utils/det_helper.py` (`extract_bbox` l.9-53, `compute_iou` l.56-87,
//!   `greedy_match_by_iou_max_iou_first` l.137-181, `greedy_match_by_iou_max_label_first`
//!   l.184-214); its vendored pycocotools keeps only the "all" area range and `stats[0..3]`,
//!   which does not change those numbers. Predictions and gold boxes are each de-duplicated by
//!   exact position (first kept); IoU is continuous; threshold ε per
//!   [`dynamic_iou_threshold`] (`'dynamic'`), fixed, or `'average'` (mean over
//!   [`VTRIUNE_THRESHOLDS`]); per strategy `weighted = (1 - w_c) mean_iou + w_c completeness`
//!   with `w_c = det_reward_ratio['iou_completeness']` (outside `[0, 1]` → 0);
//!   `size_penalty = 0.6^|N_pred - N_gt|`; `final = Σ_k ratio_k term_k size_penalty / Σ_k
//!   ratio_k` over the terms max-IoU-first, max-label-first, mAP, mAP@.5, mAP@.75
//!   ([`VTriuneRatios`]); all ratios 0 → 0. The ratios come with each dataset row
//!   (`reward_model.verifier_parm.det_reward_ratio`); the repository sets no default (a
//!   missing key is 0).
//!
//! **Deviations from the reference code**
//!
//! All detection verifiers:
//! 1. An invalid box (inverted, non-finite) makes the answer [`crate::Verdict::Malformed`];
//!    VLM-R1 keeps it (a negative area: the gold box is ignored, the prediction drops out) or
//!    silently skips what raises, V-Triune's `extract_bbox` silently drops it (STYLE §7.4).
//! 2. Boxes are read from anywhere in the answer ([`crate::shapes::scan`]: JSON, Python-quoted
//!    dicts, bare `[x1, y1, x2, y2]` lists, Qwen box tokens); VLM-R1 needs a `` ```json ``
//!    fence (`od_*`: the last one of the last `<answer>`; weighted sum: the first one) and
//!    V-Triune the first `<answer>` block; an unparseable list scores 0 there. The answer is
//!    read per [`AnswerSource`] (default: the last `<answer>` block).
//! 3. Labels are compared after [`LabelMatch::Folded`] (trimmed, lower-cased) by default.
//!    VLM-R1's mAP compares them exactly ([`LabelMatch::Exact`]); its weighted sum and
//!    V-Triune lower-case the whole answer ([`LabelMatch::Lowercase`]). A gold box without a
//!    label (a bare box list, which neither reference accepts) matches any predicted label;
//!    an unlabelled prediction never matches a labelled gold box.
//! 4. Predictions are converted into the gold frame first ([`Gold::frames`]); V-Triune's
//!    optional `normalize_bbox_by_real_size` truncates to integers with `int()`, we do not.
//! 5. At most [`MAX_PRED_BOXES`] predicted boxes are graded; more is malformed (bounded cost).
//! 6. A score whose reference value is within [`crate::verdict::FULL_CREDIT_EPS`] of 1 is
//!    reported as 1 by [`Verdict::graded`] (pycocotools' perfect AP is `1 / (1 + 2^-52)`).
//!
//! `od_ap`, `od_ap50`, `od_length` (VLM-R1 `calculate_map`, `map_reward`):
//! 7. When every gold box has area above 1e10 pycocotools returns -1; we score 0.
//! 8. `od_length` counts the boxes we read; VLM-R1 counts the items of its JSON list (an item
//!    that is not a box counts there).
//!
//! `det_weighted_sum` (VLM-R1 `detection_score`):
//! 9. Reference bug not copied: for an unlabelled prediction the `except` branch assigns
//!    `pred_box = ""` instead of `pred_label`, so the first such match raises
//!    `UnboundLocalError` and a later one silently reuses the previous match's label. Ours
//!    treats it as a label mismatch (matched, IoU 0; deviation 3).
//! 10. A gold answer `None` and a prediction `[]` score 1 (both mean no object); VLM-R1's
//!     weighted sum pays 1 for a `none` gold only when the answer is literally `none` too.
//!
//! `vtriune_detection` (V-Triune `DetectionVerifier`):
//! 11. Reference bug not copied: `greedy_match_by_iou_max_iou_first` reuses its loop variables
//!     `pred_idx` / `gt_idx` as the arg-max record (`max_iou, pred_idx, gt_idx = curr_iou,
//!     pred_idx, gt_idx` assigns them to themselves), so each round pairs the **last**
//!     unmatched prediction with the **last** unmatched gold box and credits that pair with
//!     the round's maximum IoU (when their labels agree), whatever their own IoU. Ours pairs
//!     the maximal pair and credits its own IoU ([`greedy_match`]). Max-label-first
//!     ([`greedy_match_label_first`]) has no such bug and is reproduced as written.
//! 12. Defaults where the reference has none: ratios `{iou_max_iou_first: 1}` (the repository
//!     reads them from each dataset row; the one sample row we found, in a third-party copy of
//!     the reward client, uses `{iou_max_label_first: 1, iou_completeness: 0.3}`, which is
//!     available as an option), `w_c = 0.3` (VLM-R1's weighted-sum value), threshold
//!     [`IouThreshold::Dynamic`] (the code's default with `DET_IOU_THRESHOLD` unset is
//!     `'average'`; `scripts/reward_server.sh` sets `dynamic`). [`IouThreshold::Fixed`] takes
//!     any value (the reference only the 11 of [`VTRIUNE_THRESHOLDS`]). A NaN ratio counts as
//!     0 (the reference propagates it).
//! 13. An empty gold list is [`crate::Verdict::GoldUnparseable`] (V-Triune logs "Check GT!"
//!     and scores 0). Unlabelled predictions are kept (deviation 3); `extract_bbox` drops them,
//!     which changes `N_pred` in the size penalty.

use std::collections::HashSet;

use crate::error::{snippet, FrameError, ParseError};
use crate::extract::{extract_answer, AnswerSource};
use crate::frame::{BBox, CoordFrame};
use crate::iou::{coco_bbox_iou, iou_coords, IouConvention};
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
    /// The label. The functions of this module compare labels exactly; the verifiers fold
    /// them with their [`LabelMatch`] when reading.
    pub label: Option<String>,
}

/// How labels are normalised before they are compared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LabelMatch {
    /// Trimmed and lower-cased (Unicode). The default.
    #[default]
    Folded,
    /// Lower-cased only, as VLM-R1's weighted sum (`clean_text`, `.lower()`) and V-Triune
    /// (`verify_accuracy` lower-cases both answers).
    Lowercase,
    /// As written, as VLM-R1's `calculate_map` (`cats2id[label]`).
    Exact,
}

impl LabelMatch {
    /// `label` normalised.
    pub fn apply(self, label: &str) -> String {
        match self {
            LabelMatch::Folded => label.trim().to_lowercase(),
            LabelMatch::Lowercase => label.to_lowercase(),
            LabelMatch::Exact => label.to_owned(),
        }
    }
}

/// One matched pair from [`greedy_match`] or [`greedy_match_label_first`].
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

/// Max-IoU-first greedy matching, as VLM-R1's `detection_score` and as V-Triune's
/// `greedy_match_by_iou_max_iou_first` means to do (its bug is not copied: deviation 11):
/// repeatedly take the unmatched pair with the highest IoU (ties: lowest prediction index,
/// then lowest gold index); stop when it is below `threshold` (a pair exactly at the
/// threshold is matched). A matched pair with different labels keeps the match but scores
/// IoU 0. Matches come in the order they are taken.
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

/// V-Triune's `greedy_match_by_iou_max_label_first`: for each gold box in order, among the
/// still unmatched predictions with an agreeing label, the one of highest IoU (the first on
/// ties, `np.argmax`) is matched if that IoU is `>= threshold`. Matches come in gold order.
pub fn greedy_match_label_first(
    preds: &[LabeledBox],
    golds: &[LabeledBox],
    threshold: f64,
    convention: IouConvention,
) -> Result<Vec<Match>, FrameError> {
    same_frame(preds, golds)?;
    let mut used_p = vec![false; preds.len()];
    let mut out = Vec::new();
    for (j, g) in golds.iter().enumerate() {
        let mut best: Option<(f64, usize)> = None;
        for (i, p) in preds.iter().enumerate() {
            if used_p[i] || !labels_agree(&p.label, &g.label) {
                continue;
            }
            let v = iou_coords(p.bbox.coords(), g.bbox.coords(), convention);
            if best.is_none_or(|(b, _)| v > b) {
                best = Some((v, i));
            }
        }
        if let Some((v, i)) = best.filter(|&(v, _)| v >= threshold) {
            used_p[i] = true;
            out.push(Match {
                pred: i,
                gold: j,
                iou: v,
            });
        }
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

/// [`MatchScores`] of a matching; `n_gold` must be positive. The IoUs are summed in the
/// order of `matches`, as both references do.
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

/// COCO's IoU thresholds, exactly pycocotools' `np.linspace(.5, .95, 10)`: `0.5 + i * s` with
/// `s = (0.95 - 0.5) / 9`, the last one 0.95. Nine of them print as the decimals 0.5, 0.55,
/// …; the ninth is 0.8999999999999999, not 0.9, so an IoU of exactly 0.9 passes it.
pub const COCO_IOU_THRESHOLDS: [f64; 10] = [
    0.5,
    0.55,
    0.6,
    0.65,
    0.7,
    0.75,
    0.8,
    0.85,
    0.8999999999999999,
    0.95,
];

/// pycocotools' `maxDets[-1]`: only the first 100 predictions of each category count.
pub const COCO_MAX_DETS: usize = 100;

/// The upper end of pycocotools' area range "all", `1e5 ** 2`.
pub const COCO_AREA_MAX: f64 = 1e10;

/// The `i`-th of pycocotools' 101 recall points, `np.linspace(0, 1, 101)[i]`: numpy computes
/// `i * 0.01` and then sets the endpoint to 1.
fn coco_recall_point(i: usize) -> f64 {
    if i >= 100 {
        1.0
    } else {
        i as f64 * 0.01
    }
}

/// numpy's `np.add.reduce` on a contiguous 1-D float64 array (`pairwise_sum` in
/// `loops_utils.h.src`): below 8 elements a plain loop; up to 128, eight interleaved
/// accumulators combined as `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))` plus the tail; above, the
/// two halves (the first a multiple of 8 long) summed recursively. Checked bit for bit
/// against numpy 2.4 on lengths 1 to 30300.
fn numpy_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        a.iter().fold(0.0, |acc, &x| acc + x)
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[whole..] {
            res += x;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        numpy_sum(&a[..n2]) + numpy_sum(&a[n2..])
    }
}

/// pycocotools' interpolated precision at the 101 recall points, per IoU threshold, of each
/// gold category (in order of first appearance; `None` for a category whose gold boxes are
/// all ignored, pycocotools' -1).
struct CocoEval {
    cats: Vec<Option<Vec<[f64; 101]>>>,
}

/// `evaluate()` + `accumulate()` for one image (see the module docs); `None` without gold.
fn coco_eval(
    preds: &[LabeledBox],
    golds: &[LabeledBox],
    thresholds: &[f64],
) -> Result<Option<CocoEval>, FrameError> {
    same_frame(preds, golds)?;
    let mut cats: Vec<&Option<String>> = Vec::new();
    for g in golds {
        if !cats.contains(&&g.label) {
            cats.push(&g.label);
        }
    }
    if cats.is_empty() {
        return Ok(None);
    }
    let area = |c: [f64; 4]| (c[2] - c[0]) * (c[3] - c[1]);
    let outside = |a: f64| !(0.0..=COCO_AREA_MAX).contains(&a);
    let mut out = Vec::with_capacity(cats.len());
    for cat in &cats {
        // evaluateImg: gold boxes stably sorted by `_ignore` (kept ones first).
        let mut gs: Vec<([f64; 4], bool)> = golds
            .iter()
            .filter(|g| &&g.label == cat)
            .map(|g| (g.bbox.coords(), outside(area(g.bbox.coords()))))
            .collect();
        gs.sort_by_key(|&(_, ig)| ig);
        let npig = gs.iter().filter(|(_, ig)| !ig).count();
        let ds: Vec<[f64; 4]> = preds
            .iter()
            .filter(|p| &&p.label == cat)
            .take(COCO_MAX_DETS)
            .map(|p| p.bbox.coords())
            .collect();
        if npig == 0 {
            // accumulate: `if npig == 0: continue`, precision stays -1.
            out.push(None);
            continue;
        }
        let ious: Vec<Vec<f64>> = ds
            .iter()
            .map(|d| gs.iter().map(|(g, _)| coco_bbox_iou(*d, *g)).collect())
            .collect();
        let mut per_t = Vec::with_capacity(thresholds.len());
        for &t in thresholds {
            let mut gt_matched = vec![false; gs.len()];
            let mut dt_matched = vec![false; ds.len()];
            let mut dt_ignored = vec![false; ds.len()];
            for (di, d) in ds.iter().enumerate() {
                let mut best = t.min(1.0 - 1e-10);
                let mut m: Option<usize> = None;
                for (gi, &(_, g_ig)) in gs.iter().enumerate() {
                    if gt_matched[gi] {
                        continue;
                    }
                    // Once matched to a kept gold box, stop at the ignored ones.
                    if m.is_some_and(|k| !gs[k].1) && g_ig {
                        break;
                    }
                    if ious[di][gi] < best {
                        continue;
                    }
                    best = ious[di][gi];
                    m = Some(gi);
                }
                match m {
                    Some(k) => {
                        dt_ignored[di] = gs[k].1;
                        dt_matched[di] = true;
                        gt_matched[k] = true;
                    }
                    None => dt_ignored[di] = outside(area(*d)),
                }
            }
            let (mut tp, mut fp) = (0.0f64, 0.0f64);
            let mut rc = Vec::with_capacity(ds.len());
            let mut pr = Vec::with_capacity(ds.len());
            for di in 0..ds.len() {
                if !dt_ignored[di] {
                    if dt_matched[di] {
                        tp += 1.0;
                    } else {
                        fp += 1.0;
                    }
                }
                rc.push(tp / npig as f64);
                pr.push(tp / (fp + tp + f64::EPSILON));
            }
            for i in (1..pr.len()).rev() {
                if pr[i] > pr[i - 1] {
                    pr[i - 1] = pr[i];
                }
            }
            let mut q = [0.0f64; 101];
            for (r, qr) in q.iter_mut().enumerate() {
                // np.searchsorted(rc, point, side='left'): first index with rc[i] >= point.
                let idx = rc.partition_point(|&x| x < coco_recall_point(r));
                match pr.get(idx) {
                    Some(&p) => *qr = p,
                    None => break,
                }
            }
            per_t.push(q);
        }
        out.push(Some(per_t));
    }
    Ok(Some(CocoEval { cats: out }))
}

impl CocoEval {
    /// `summarize()`'s `np.mean(s[s > -1])` over the thresholds `ts` (indices into the
    /// evaluated thresholds), all recall points and the categories kept; `None` when no
    /// category is kept (pycocotools: -1).
    fn mean(&self, ts: &[usize]) -> Option<f64> {
        let kept: Vec<&Vec<[f64; 101]>> = self.cats.iter().flatten().collect();
        if kept.is_empty() || ts.is_empty() {
            return None;
        }
        // The precision array is [T, R, K] in C order: threshold, recall point, category.
        let mut flat = Vec::with_capacity(ts.len() * 101 * kept.len());
        for &t in ts {
            for r in 0..101 {
                flat.extend(kept.iter().map(|c| c[t][r]));
            }
        }
        Some(numpy_sum(&flat) / flat.len() as f64)
    }
}

/// Single-image COCO average precision, reproducing pycocotools 2.0.11 (`evaluate`,
/// `accumulate`, `summarize`) to the bit as VLM-R1 and V-Triune call it: one image, every
/// prediction scored 1.0 (so predictions keep their order), area range "all", maxDets 100,
/// averaged over `thresholds`, the 101 recall points and the gold categories (see the module
/// docs for every rule). Predictions whose label is not a gold label are ignored; labels are
/// compared exactly. `thresholds = &COCO_IOU_THRESHOLDS` gives `stats[0]` (mAP@[.5:.95]),
/// `&[0.5]` gives `stats[1]`, `&[0.75]` gives `stats[2]`.
///
/// `None` when there is no gold box, no threshold, or every gold box is ignored (area above
/// [`COCO_AREA_MAX`]; pycocotools returns -1 there).
///
/// ```
/// use ocellus_rewards::detection::{coco_map, LabeledBox, COCO_IOU_THRESHOLDS};
/// use ocellus_rewards::{BBox, CoordFrame};
/// let b = |x: f64| LabeledBox {
///     bbox: BBox::new([x, 0.0, x + 10.0, 10.0], CoordFrame::Normalized1000).unwrap(),
///     label: Some("cat".into()),
/// };
/// // Ten gold cats, seven found: recall reaches exactly 0.7, which covers the recall points
/// // 0, 0.01, ..., 0.69 but not linspace's 0.7000000000000001: AP = 70/101, not 71/101.
/// let golds: Vec<_> = (0..10).map(|i| b(20.0 * i as f64)).collect();
/// let ap = coco_map(&golds[..7], &golds, &[0.5]).unwrap().unwrap();
/// assert!((ap - 70.0 / 101.0).abs() < 1e-12);
/// ```
pub fn coco_map(
    preds: &[LabeledBox],
    golds: &[LabeledBox],
    thresholds: &[f64],
) -> Result<Option<f64>, FrameError> {
    let all: Vec<usize> = (0..thresholds.len()).collect();
    Ok(coco_eval(preds, golds, thresholds)?.and_then(|e| e.mean(&all)))
}

/// Reads a list of labelled boxes in `frame`, labels as written. An explicit empty list `[]`
/// (or an answer saying "none") is a valid empty list; text with no box and no `[]` is
/// [`ParseError::NoBox`].
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
                label: b.label,
            })
        })
        .collect()
}

/// V-Triune's `extract_bbox` de-duplication: keeps the first box of each exact position
/// (label ignored). Python compares the coordinate tuples with `==`, so -0.0 equals 0.0.
fn dedup_positions(boxes: &mut Vec<LabeledBox>) {
    let mut seen: HashSet<[u64; 4]> = HashSet::with_capacity(boxes.len());
    boxes.retain(|b| seen.insert(b.bbox.coords().map(|c| (c + 0.0).to_bits())));
}

/// Reads predictions and gold, converting predictions into the gold frame.
type Read = Result<(Vec<LabeledBox>, Vec<LabeledBox>), Verdict>;

fn read_both(
    completion: &str,
    gold: &Gold,
    source: AnswerSource,
    labels: LabelMatch,
    dedup: bool,
) -> Read {
    let (af, gf) = gold.frames();
    let mut golds = gold_text(gold)
        .and_then(|g| read_box_list(g, gf))
        .map_err(Verdict::GoldUnparseable)?;
    let mut preds = extract_answer(completion, source)
        .and_then(|a| read_box_list(a, af))
        .map_err(Verdict::Malformed)?;
    if preds.len() > MAX_PRED_BOXES {
        return Err(Verdict::Malformed(ParseError::WrongCount {
            what: "boxes at most",
            expected: MAX_PRED_BOXES,
            found: preds.len(),
        }));
    }
    if dedup {
        // Before any frame conversion, on the coordinates as written (as extract_bbox does).
        dedup_positions(&mut golds);
        dedup_positions(&mut preds);
    }
    for b in golds.iter_mut().chain(preds.iter_mut()) {
        b.label = b.label.as_deref().map(|l| labels.apply(l));
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
    /// `od_ap`: COCO mAP@[.5:.95] (`stats[0]`).
    OdAp,
    /// `od_ap50`: COCO AP@.5 (`stats[1]`).
    OdAp50,
    /// `odLength`: mAP@[.5:.95] × `min(1, N_gt / N_pred)`.
    OdLength,
    /// `weighted_sum`: `0.7 position + 0.3 completeness`, matching at IoU 0.5.
    WeightedSum,
}

/// VLM-R1's detection rewards (see the module docs). Gold: a JSON list of
/// `{"bbox_2d": [...], "label": ...}` (or bare boxes); `[]` or `None` means no object.
/// Scores in [0, 1].
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
    /// The IoU convention of the weighted-sum matching: [`IouConvention::VlmR1`] (VLM-R1's
    /// `iou()`) by default. The mAP methods always use pycocotools' IoU.
    pub convention: IouConvention,
    /// How labels are compared: [`LabelMatch::Folded`] by default; VLM-R1 itself compares
    /// exactly in mAP ([`LabelMatch::Exact`]) and lower-cased in the weighted sum
    /// ([`LabelMatch::Lowercase`]).
    pub labels: LabelMatch,
}

impl VlmR1Detection {
    /// The reward `method`, reading the answer with [`AnswerSource::Auto`], VLM-R1's IoU
    /// convention, folded labels.
    pub fn new(method: VlmR1Method) -> VlmR1Detection {
        VlmR1Detection {
            method,
            source: AnswerSource::Auto,
            convention: IouConvention::VlmR1,
            labels: LabelMatch::Folded,
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
        let (preds, golds) = match read_both(completion, gold, self.source, self.labels, false) {
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

/// V-Triune's thresholds for [`IouThreshold::Average`] (`pack_for_iou_score`).
pub const VTRIUNE_THRESHOLDS: [f64; 11] =
    [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99];

/// V-Triune's `det_reward_ratio` weights of the five terms of its final score (each in
/// `[0, 1]`, anything else counts as 0, as in `DetectionVerifier.__init__`); the score is
/// their weighted mean. The completeness weight `iou_completeness` of the same dictionary is
/// [`VTriuneDetection::completeness_weight`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VTriuneRatios {
    /// Weight of the max-IoU-first matched score ([`greedy_match`]).
    pub iou_max_iou_first: f64,
    /// Weight of the max-label-first matched score ([`greedy_match_label_first`]).
    pub iou_max_label_first: f64,
    /// Weight of COCO mAP@[.5:.95] ([`coco_map`]).
    pub map: f64,
    /// Weight of COCO AP@.5.
    pub map50: f64,
    /// Weight of COCO AP@.75.
    pub map75: f64,
}

impl Default for VTriuneRatios {
    /// Only the max-IoU-first term (deviation 12: the reference has no default).
    fn default() -> Self {
        VTriuneRatios {
            iou_max_iou_first: 1.0,
            iou_max_label_first: 0.0,
            map: 0.0,
            map50: 0.0,
            map75: 0.0,
        }
    }
}

/// `verify.py`: a ratio outside `[0, 1]` is replaced by 0 (NaN too, deviation 12).
fn ratio_or_zero(r: f64) -> f64 {
    if (0.0..=1.0).contains(&r) {
        r
    } else {
        0.0
    }
}

/// V-Triune's detection reward: `Σ ratio_k term_k × 0.6^|N_pred - N_gt| / Σ ratio_k`, where
/// the matched terms are `(1 - w_c) mean_iou + w_c completeness` at threshold ε (see the
/// module docs). Scores in [0, 1]. Gold: a non-empty list of labelled boxes (an empty gold
/// list is unparseable, as V-Triune logs "Check GT!" and scores 0).
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
    /// `w_c`, the completeness weight (`det_reward_ratio['iou_completeness']`; 0.3 by
    /// default, deviation 12; outside `[0, 1]` counts as 0, as in the reference).
    pub completeness_weight: f64,
    /// The weights of the five terms (default: max-IoU-first only).
    pub ratios: VTriuneRatios,
    /// Base of the size penalty (0.6 in V-Triune).
    pub size_penalty_base: f64,
    /// IoU convention of the matched terms (V-Triune's `compute_iou` is continuous).
    pub convention: IouConvention,
    /// How labels are compared ([`LabelMatch::Folded`] by default; V-Triune lower-cases,
    /// [`LabelMatch::Lowercase`]).
    pub labels: LabelMatch,
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Default for VTriuneDetection {
    fn default() -> Self {
        VTriuneDetection {
            threshold: IouThreshold::Dynamic,
            completeness_weight: 0.3,
            ratios: VTriuneRatios::default(),
            size_penalty_base: 0.6,
            convention: IouConvention::Continuous,
            labels: LabelMatch::Folded,
            source: AnswerSource::Auto,
        }
    }
}

/// Which matching a V-Triune matched term uses.
#[derive(Clone, Copy)]
enum Strategy {
    MaxIouFirst,
    MaxLabelFirst,
}

impl Verifier for VTriuneDetection {
    fn name(&self) -> &'static str {
        "vtriune_detection"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let (preds, golds) = match read_both(completion, gold, self.source, self.labels, true) {
            Ok(x) => x,
            Err(v) => return v,
        };
        if golds.is_empty() {
            return Verdict::GoldUnparseable(ParseError::Invalid {
                what: "gold boxes",
                why: "empty list (V-Triune needs at least one gold box)".into(),
            });
        }
        if preds.is_empty() {
            return Verdict::Incorrect {
                score: 0.0,
                reason: "no predicted boxes".into(),
            };
        }
        let eps: Vec<f64> = match self.threshold {
            IouThreshold::Fixed(e) => vec![e],
            IouThreshold::Dynamic => match gold.training_progress {
                Some(r) => vec![dynamic_iou_threshold(r)],
                None => {
                    return Verdict::GoldUnparseable(ParseError::MissingField {
                        field: "training_progress",
                    })
                }
            },
            IouThreshold::Average => VTRIUNE_THRESHOLDS.to_vec(),
        };
        let eps_text = match self.threshold {
            IouThreshold::Average => "average".to_string(),
            IouThreshold::Dynamic => format!(
                "{} (progress {})",
                eps[0],
                gold.training_progress.unwrap_or(f64::NAN)
            ),
            IouThreshold::Fixed(e) => format!("{e}"),
        };
        let w_c = ratio_or_zero(self.completeness_weight);
        let r = VTriuneRatios {
            iou_max_iou_first: ratio_or_zero(self.ratios.iou_max_iou_first),
            iou_max_label_first: ratio_or_zero(self.ratios.iou_max_label_first),
            map: ratio_or_zero(self.ratios.map),
            map50: ratio_or_zero(self.ratios.map50),
            map75: ratio_or_zero(self.ratios.map75),
        };
        let (np, ng) = (preds.len(), golds.len());
        // Python's float `**` is C `pow`, as is `powf`.
        let size_penalty = self
            .size_penalty_base
            .clamp(0.0, 1.0)
            .powf(np.abs_diff(ng) as f64);
        // pack_for_iou_score: the weighted score at each ε, summed in order, over the count.
        let matched = |s: Strategy| -> Result<(f64, String), FrameError> {
            let mut acc = 0.0;
            let mut last = String::new();
            for &e in &eps {
                let ms = match s {
                    Strategy::MaxIouFirst => greedy_match(&preds, &golds, e, self.convention)?,
                    Strategy::MaxLabelFirst => {
                        greedy_match_label_first(&preds, &golds, e, self.convention)?
                    }
                };
                let sc = match_scores(&ms, np, ng);
                acc += sc.mean_iou * (1.0 - w_c) + sc.completeness * w_c;
                last = format!(
                    "{} of {ng} matched, mean IoU {:.4}, completeness {:.4}",
                    ms.len(),
                    sc.mean_iou,
                    sc.completeness
                );
            }
            Ok((acc / eps.len() as f64, last))
        };
        let mut terms = [0.0f64; 5];
        let mut why: Vec<String> = Vec::new();
        let result: Result<(), FrameError> = (|| {
            if r.iou_max_iou_first > 0.0 {
                let (v, t) = matched(Strategy::MaxIouFirst)?;
                terms[0] = v * size_penalty;
                why.push(format!("max-IoU-first {v:.4} ({t})"));
            }
            if r.iou_max_label_first > 0.0 {
                let (v, t) = matched(Strategy::MaxLabelFirst)?;
                terms[1] = v * size_penalty;
                why.push(format!("max-label-first {v:.4} ({t})"));
            }
            if r.map > 0.0 || r.map50 > 0.0 || r.map75 > 0.0 {
                // pack_for_map_score: stats[0], stats[1], stats[2] of one evaluation.
                let e = coco_eval(&preds, &golds, &COCO_IOU_THRESHOLDS)?;
                let all: Vec<usize> = (0..COCO_IOU_THRESHOLDS.len()).collect();
                let m = |ts: &[usize]| e.as_ref().and_then(|e| e.mean(ts)).unwrap_or(0.0);
                let (m0, m50, m75) = (m(&all), m(&[0]), m(&[5]));
                terms[2] = m0 * size_penalty;
                terms[3] = m50 * size_penalty;
                terms[4] = m75 * size_penalty;
                why.push(format!("mAP {m0:.4}, AP50 {m50:.4}, AP75 {m75:.4}"));
            }
            Ok(())
        })();
        if let Err(e) = result {
            return Verdict::GoldUnparseable(e.into());
        }
        let weights = [
            r.iou_max_iou_first,
            r.iou_max_label_first,
            r.map,
            r.map50,
            r.map75,
        ];
        let norm = weights.iter().fold(0.0, |a, &w| a + w);
        if norm <= 0.0 {
            return Verdict::graded(
                0.0,
                0.0,
                1.0,
                "all det_reward_ratio weights are 0 (V-Triune scores 0)",
            );
        }
        let total = terms.iter().zip(weights).fold(0.0, |a, (&t, w)| a + t * w) / norm;
        Verdict::graded(
            total,
            0.0,
            1.0,
            format!(
                "eps {eps_text}: {} x size penalty {size_penalty:.4} ({np} predicted, {ng} gold){}",
                why.join("; "),
                frame_note(gold)
            ),
        )
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

    #[test]
    fn numpy_sum_is_pairwise() {
        // Values printed by numpy 2.4 `np.add.reduce`; a left-to-right loop gives the second.
        let ten = [0.1; 10];
        assert_eq!(numpy_sum(&ten), 1.0);
        assert_eq!(ten.iter().sum::<f64>(), 0.9999999999999999);
        assert_eq!(numpy_sum(&[0.1; 1010]), 101.00000000000001);
        assert_eq!(numpy_sum(&[1.0 / 3.0; 129]), 43.0);
        assert_eq!(numpy_sum(&[0.7; 1010]), 706.9999999999999);
        assert_eq!(numpy_sum(&[]), 0.0);
    }

    #[test]
    fn coco_constants_are_numpy_linspace() {
        // np.linspace(.5, .95, 10) = 0.5 + i * ((0.95 - 0.5) / 9), endpoint 0.95.
        let step = (0.95 - 0.5) / 9.0;
        for (i, &t) in COCO_IOU_THRESHOLDS.iter().enumerate().take(9) {
            assert_eq!(t, 0.5 + i as f64 * step, "{i}");
        }
        assert_eq!(COCO_IOU_THRESHOLDS[9], 0.95);
        // The ninth is one ulp below 0.9 (numpy prints 0.8999999999999999).
        assert_eq!(COCO_IOU_THRESHOLDS[8].to_bits() + 1, 0.9f64.to_bits());
        // The recall points above i/100 are exactly the ten named by the issue.
        let above: Vec<usize> = (0..=100)
            .filter(|&i| coco_recall_point(i) != i as f64 / 100.0)
            .collect();
        assert_eq!(above, [35, 41, 47, 57, 69, 70, 82, 83, 94, 95]);
        assert!(above
            .iter()
            .all(|&i| coco_recall_point(i) > i as f64 / 100.0));
        assert_eq!(coco_recall_point(100), 1.0);
    }

    #[test]
    fn coco_ignores_huge_gold_boxes_and_empty_categories() {
        let big = CoordFrame::AbsoluteOriginal {
            width: 1e7,
            height: 1e7,
        };
        let b = |c: [f64; 4], l: &str| LabeledBox {
            bbox: BBox::new(c, big).unwrap(),
            label: Some(l.into()),
        };
        // Area 2e5 x 1e5 = 2e10 > 1e10: ignored; the only other category scores AP 1.
        let golds = [b([0., 0., 2e5, 1e5], "sky"), b([0., 0., 10., 10.], "cat")];
        let preds = [b([0., 0., 2e5, 1e5], "sky"), b([0., 0., 10., 10.], "cat")];
        let m = coco_map(&preds, &golds, &[0.5]).unwrap().unwrap();
        assert!((m - 1.0).abs() < 1e-12, "{m}");
        // A category with gold but no prediction counts 0: (1 + 0) / 2.
        let m = coco_map(
            &preds[1..],
            &[golds[1].clone(), b([50., 50., 60., 60.], "dog")],
            &[0.5],
        )
        .unwrap()
        .unwrap();
        assert!((m - 0.5).abs() < 1e-12, "{m}");
        // Every gold box ignored: pycocotools' -1, here None.
        assert_eq!(coco_map(&preds, &golds[..1], &[0.5]).unwrap(), None);
        assert_eq!(coco_map(&preds, &golds, &[]).unwrap(), None);
    }

    #[test]
    fn coco_tie_goes_to_the_later_gold_box() {
        // One prediction with IoU 1/3 to both gold boxes ([0,0,10,10] and [10,0,20,10] vs
        // [5,0,15,10]: 50 / 150). pycocotools keeps the later one on a tie (`<` skips only
        // strictly worse), so a second prediction equal to the first gold box still matches.
        let golds = [lb([0., 0., 10., 10.], "a"), lb([10., 0., 20., 10.], "a")];
        let preds = [lb([5., 0., 15., 10.], "a"), lb([0., 0., 10., 10.], "a")];
        let m = coco_map(&preds, &golds, &[0.3]).unwrap().unwrap();
        assert!((m - 1.0).abs() < 1e-12, "{m}");
        // Had the tie gone to the first box, the second prediction would be a false positive
        // at recall 1/2: AP = (51 x 1 + 50 x 0) / 101.
        assert!((m - 51.0 / 101.0).abs() > 0.1);
    }

    #[test]
    fn label_first_matching_follows_gold_order() {
        // Gold 0 (a) takes its best same-label prediction even if gold 1 wanted it more.
        let golds = [lb([0., 0., 10., 10.], "a"), lb([0., 0., 10., 9.], "a")];
        let preds = [lb([0., 0., 10., 9.], "a"), lb([0., 0., 10., 5.], "a")];
        let m = greedy_match_label_first(&preds, &golds, 0.5, IouConvention::Continuous).unwrap();
        // gold 0: IoU 90/100 (pred 0) and 50/100 (pred 1) -> pred 0; gold 1: pred 1, IoU 50/90.
        assert_eq!(
            m,
            vec![
                Match {
                    pred: 0,
                    gold: 0,
                    iou: 0.9
                },
                Match {
                    pred: 1,
                    gold: 1,
                    iou: 50.0 / 90.0
                }
            ]
        );
        // Max-IoU-first takes (pred 0, gold 1) first (IoU 1), then (pred 1, gold 0) at 0.5.
        let m = greedy_match(&preds, &golds, 0.5, IouConvention::Continuous).unwrap();
        assert_eq!((m[0].pred, m[0].gold, m[0].iou), (0, 1, 1.0));
        assert_eq!((m[1].pred, m[1].gold, m[1].iou), (1, 0, 0.5));
        // Labels filter candidates rather than zeroing the IoU.
        let m = greedy_match_label_first(
            &[lb([0., 0., 10., 10.], "b")],
            &golds,
            0.5,
            IouConvention::Continuous,
        )
        .unwrap();
        assert!(m.is_empty());
    }

    #[test]
    fn label_match_options() {
        assert_eq!(LabelMatch::Folded.apply(" Dog "), "dog");
        assert_eq!(LabelMatch::Lowercase.apply(" Dog "), " dog ");
        assert_eq!(LabelMatch::Exact.apply(" Dog "), " Dog ");
        let gold = Gold::new(r#"[{"bbox_2d": [0, 0, 100, 100], "label": "dog"}]"#).with_frame(F);
        let c = r#"<answer>[{"bbox_2d": [0, 0, 100, 100], "label": "Dog"}]</answer>"#;
        let folded = VlmR1Detection::new(VlmR1Method::OdAp);
        assert!(folded.verify(c, &gold).is_correct());
        let exact = VlmR1Detection {
            labels: LabelMatch::Exact,
            ..folded
        };
        assert_eq!(exact.verify(c, &gold).score(), 0.0);
    }

    #[test]
    fn vtriune_dedups_both_sides_before_conversion() {
        // -0.0 and 0.0 are one position (Python tuples compare with ==).
        let v = VTriuneDetection {
            threshold: IouThreshold::Fixed(0.5),
            ..VTriuneDetection::default()
        };
        let gold = Gold::new("[[0, 0, 100, 100], [0, 0, 100, 100]]").with_frame(F);
        let c = "<answer>[[-0.0, 0, 100, 100], [0, 0, 100, 100]]</answer>";
        assert!(v.verify(c, &gold).is_correct());
    }

    #[test]
    fn vtriune_ratios_mix_terms() {
        let gold = Gold::new(r#"[{"bbox_2d": [0, 0, 100, 100], "label": "dog"}]"#).with_frame(F);
        // IoU 0.8 box: matched at 0.5 -> 0.7 x 0.8 + 0.3 = 0.86; AP50 = 1/(1+eps); mAP = 7/10
        // of the thresholds (0.5..0.8) -> 0.7; equal weights on the three -> mean.
        let c = r#"<answer>[{"bbox_2d": [0, 0, 100, 80], "label": "dog"}]</answer>"#;
        let v = VTriuneDetection {
            threshold: IouThreshold::Fixed(0.5),
            ratios: VTriuneRatios {
                iou_max_iou_first: 0.5,
                iou_max_label_first: 0.0,
                map: 0.5,
                map50: 0.5,
                map75: 0.0,
            },
            ..VTriuneDetection::default()
        };
        let want = (0.86 + 0.7 + 1.0) / 3.0;
        assert!((v.verify(c, &gold).score() - want).abs() < 1e-12);
        // Out-of-range ratios count as 0; all zero scores 0.
        let zero = VTriuneDetection {
            ratios: VTriuneRatios {
                iou_max_iou_first: 2.0,
                iou_max_label_first: -1.0,
                map: f64::NAN,
                map50: 0.0,
                map75: 0.0,
            },
            ..v
        };
        assert_eq!(zero.verify(c, &gold).score(), 0.0);
        // A completeness weight outside [0, 1] is 0 (verify.py): the score is the IoU, 0.8.
        let wc = VTriuneDetection {
            completeness_weight: 1.5,
            ratios: VTriuneRatios::default(),
            ..v
        };
        assert!((wc.verify(c, &gold).score() - 0.8).abs() < 1e-12);
    }
}
