//! VPPO hook: token perception scores, the top-p perception-token mask and trajectory reweighting,
//! applied through the generic inputs of [`crate::policy_loss`] (its mask and per-sample weights).
//!
//! Paper: Huang et al. 2025, "Spotlight on Token Perception for Multimodal Reinforcement Learning",
//! arXiv 2510.09285 (ICLR 2026). Reference code: huaixuheqing/VPPO-RL (snapshot 2026-04-03, built on
//! EasyR1) `verl/workers/actor/dp_actor.py` l.245-560 and `verl/workers/perc_utils.py`.
//!
//! 1. **Visual dependency** of each sampled token: run the policy again on a corrupted image
//!    (reference: random 14-px patch blackening, p = 0.5) to get `aug_logp`; with
//!    `d = aug_logp − logp`, `S_t = clamp(e^d − d − 1, 0, 10)` — the k3 form of
//!    [`crate::KlEstimator::K3`] with the corrupted-image policy as "reference".
//! 2. **Token-level filtering**: keep in the loss mask only the top `k_i = ceil(p·|o_i|)` tokens of
//!    each response by `S_t` (`top_p_perception_tokens`: 0.2 default, 0.4 in the 7B script).
//! 3. **Trajectory-level shaping**: `s_i = mean_t S_t` over the response; min-max normalise over the
//!    batch, `n_i = clamp((s_i − min)/(max − min), 0, 1)`; map to `w_i = a_min + n_i (a_max − a_min)`
//!    with `a_max = a_min + (1 − a_min)/(mean_i n_i + 1e-8)` (so the mean weight is ≈ 1);
//!    `a_min` = `advantage_scaling_min` (0.8 default, 0.9 in the scripts). The reference multiplies the
//!    advantages by `w_i`; pass `w` as [`crate::LossInputs::sample_weights`] (same policy term for
//!    `w_i > 0`, see [`crate::loss`]) or multiply the advantages yourself.
//!
//! Deviations from the reference code:
//! 1. `min`/`max` are over the rows passed (the reference uses global min/max across ranks, and the
//!    mean over the local micro-batch); when `max − min ≤ 1e-6` every weight is 1, as in the reference.
//! 2. Ties in `S_t` are broken towards the earlier token (stable sort); the reference uses
//!    `torch.topk`, whose tie order is unspecified.
//! 3. Responses without valid tokens get weight 1 and an empty perception mask.

use tch::{Kind, Tensor};

use crate::check;
use crate::error::{GrpoError, Result};
use crate::kl::{kl_unchecked, KlEstimator};

/// Per-token visual dependency `S[B, T] = clamp(e^d − d − 1, 0, 10)`, `d = aug_logp − logp`
/// (no gradient).
///
/// # Errors
/// [`GrpoError`] if the tensors are not floating or differ in shape or device.
pub fn token_perception_scores(logp: &Tensor, aug_logp: &Tensor) -> Result<Tensor> {
    check::float("logp", logp)?;
    check::float("aug_logp", aug_logp)?;
    check::shape("aug_logp", aug_logp, &logp.size())?;
    check::device("aug_logp", aug_logp, logp.device())?;
    // k3 with the corrupted-image policy in the reference role (clamped to [0, 10] by k3's clamps).
    Ok(tch::no_grad(|| {
        kl_unchecked(&logp.detach(), aug_logp, KlEstimator::K3)
    }))
}

/// Checks `scores[B, T]` and `mask[B, T]`; returns the mask as 0/1 in `scores`' kind.
fn scores_and_mask(scores: &Tensor, mask: &Tensor) -> Result<(i64, i64, Tensor)> {
    check::float("scores", scores)?;
    let (b, t) = check::dims2("scores", scores)?;
    check::shape("mask", mask, &[b, t])?;
    check::device("mask", mask, scores.device())?;
    check::finite("scores", scores)?;
    let mask = check::binary_mask("mask", mask, scores.kind())?;
    Ok((b, t, mask))
}

/// VPPO's token-level filter: a `[B, T]` 0/1 mask (in `scores`' kind) keeping, in each row, the
/// `ceil(top_p · |o_i|)` valid tokens with the highest perception score. Multiply it into the loss
/// mask passed to [`crate::policy_loss`].
///
/// # Errors
/// [`GrpoError`] if `top_p` is not in (0, 1], shapes or devices differ, scores are not finite, or
/// the mask is not 0/1.
pub fn perception_token_mask(scores: &Tensor, mask: &Tensor, top_p: f64) -> Result<Tensor> {
    if !(top_p > 0.0 && top_p <= 1.0) {
        return Err(GrpoError::config("top_p", top_p, "must be in (0, 1]"));
    }
    let (_, t, mask) = scores_and_mask(scores, mask)?;
    Ok(tch::no_grad(|| {
        // k_i = ceil(p · |o_i|), [B, 1].
        let k = (mask.sum_dim_intlist(-1, true, Kind::Double) * top_p).ceil();
        // Invalid tokens sort last; rank of each token in its row by descending score (stable).
        let keyed = scores
            .detach()
            .to_kind(Kind::Double)
            .masked_fill(&mask.eq(0.0), f64::NEG_INFINITY);
        let order = keyed.argsort_stable(true, -1, true); // [B, T], token indices best-first
        let positions = Tensor::arange(t, (Kind::Int64, scores.device())).expand_as(&order);
        let rank = positions.zeros_like().scatter(-1, &order, &positions); // rank[i, order[i, j]] = j
        rank.lt_tensor(&k).to_kind(scores.kind()) * &mask
    }))
}

/// VPPO's trajectory weights `w[B]` (in `scores`' kind) from per-token scores, with
/// `a_min = advantage_scaling_min` in [0, 1].
///
/// # Errors
/// [`GrpoError`] if `a_min` is outside [0, 1], shapes or devices differ, scores are not finite, or
/// the mask is not 0/1.
pub fn trajectory_weights(scores: &Tensor, mask: &Tensor, a_min: f64) -> Result<Tensor> {
    if !(0.0..=1.0).contains(&a_min) {
        return Err(GrpoError::config("a_min", a_min, "must be in [0, 1]"));
    }
    let (_, _, mask) = scores_and_mask(scores, mask)?;
    let s = scores.detach().to_kind(Kind::Double);
    let m = mask.to_kind(Kind::Double);
    let len = m.sum_dim_intlist(-1, false, None::<Kind>); // |o_i|
    let seq_score = (&s * &m).sum_dim_intlist(-1, false, None::<Kind>) / len.clamp_min(1.0); // s_i
    let lens = Vec::<f64>::try_from(&len)?;
    let seq = Vec::<f64>::try_from(&seq_score)?;
    let valid: Vec<f64> = seq
        .iter()
        .zip(&lens)
        .filter(|(_, &l)| l > 0.0)
        .map(|(s, _)| *s)
        .collect();
    let (lo, hi) = valid
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let mut w = vec![1.0; seq.len()];
    if !valid.is_empty() && hi - lo > 1e-6 {
        let norm = |x: f64| ((x - lo) / (hi - lo)).clamp(0.0, 1.0); // n_i
        let mean_norm = valid.iter().map(|&x| norm(x)).sum::<f64>() / valid.len() as f64;
        let a_max = a_min + (1.0 - a_min) / (mean_norm + 1e-8); // dynamic upper end, mean weight ≈ 1
        for ((wi, &si), &li) in w.iter_mut().zip(&seq).zip(&lens) {
            if li > 0.0 {
                *wi = a_min + norm(si) * (a_max - a_min);
            }
        }
    }
    Ok(Tensor::f_from_slice(&w)?
        .f_to_kind(scores.kind())?
        .f_to_device(scores.device())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t2(v: &[f64], b: i64) -> Tensor {
        Tensor::from_slice(v).reshape([b, -1])
    }

    #[test]
    fn scores_are_k3_of_the_corrupted_policy() {
        let logp = Tensor::from_slice(&[-1.0f64, -1.0]);
        let aug = Tensor::from_slice(&[-1.0f64, -2.0]);
        let s = Vec::<f64>::try_from(token_perception_scores(&logp, &aug).unwrap()).unwrap();
        assert_eq!(s[0], 0.0);
        assert!((s[1] - ((-1.0f64).exp() + 1.0 - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn top_p_mask_keeps_ceil_p_len_best_valid_tokens() {
        // Row 0: 5 valid tokens, p = 0.4 → k = 2: tokens 1 (0.9) and 3 (0.8).
        // Row 1: 3 valid tokens (last two padding with huge scores), k = ceil(1.2) = 2: tokens 0 and 2.
        let scores = t2(&[0.1, 0.9, 0.2, 0.8, 0.3, 0.5, 0.1, 0.4, 9.0, 9.0], 2);
        let mask = t2(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0], 2);
        let keep = perception_token_mask(&scores, &mask, 0.4).unwrap();
        let got = Vec::<f64>::try_from(keep.reshape([-1])).unwrap();
        assert_eq!(got, vec![0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
        // Ties go to the earlier token.
        let tie =
            perception_token_mask(&t2(&[0.5, 0.5, 0.5], 1), &t2(&[1.0, 1.0, 1.0], 1), 0.3).unwrap();
        assert_eq!(
            Vec::<f64>::try_from(tie.reshape([-1])).unwrap(),
            vec![1.0, 0.0, 0.0]
        );
        assert!(perception_token_mask(&scores, &mask, 0.0).is_err());
    }

    #[test]
    fn trajectory_weights_have_mean_one() {
        // s = [1, 2, 4] (row means) → n = [0, 1/3, 1], mean n = 4/9, a_min = 0.8 →
        // a_max = 0.8 + 0.2·9/4 = 1.25; w = [0.8, 0.8 + 0.45/3, 1.25] = [0.8, 0.95, 1.25].
        let scores = t2(&[1.0, 1.0, 2.0, 2.0, 4.0, 0.0], 3);
        let mask = t2(&[1.0, 1.0, 1.0, 1.0, 1.0, 0.0], 3);
        let w = Vec::<f64>::try_from(trajectory_weights(&scores, &mask, 0.8).unwrap()).unwrap();
        for (a, b) in w.iter().zip([0.8, 0.95, 1.25]) {
            assert!((a - b).abs() < 1e-7, "{w:?}");
        }
        assert!((w.iter().sum::<f64>() / 3.0 - 1.0).abs() < 1e-7);
        // All equal → weights 1.
        let flat = trajectory_weights(&t2(&[3.0, 3.0], 2), &t2(&[1.0, 1.0], 2), 0.8).unwrap();
        assert_eq!(Vec::<f64>::try_from(flat).unwrap(), vec![1.0, 1.0]);
        assert!(trajectory_weights(&scores, &mask, 1.5).is_err());
    }
}
