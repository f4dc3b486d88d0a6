//! The four ways of reducing a per-token loss matrix `l[B, T]` with a 0/1 mask `m[B, T]` to a
//! scalar, named as in verl's `agg_loss`. `B` = number of responses (rows), `|o_i| = Σ_t m_{i,t}`.
//!
//! | [`Aggregation`] | formula | used by |
//! |---|---|---|
//! | `TokenMean` | `Σ_{i,t} m l / Σ_{i,t} m` | DAPO (arXiv 2503.14476), TRL `loss_type="dapo"`/`"bnpo"` |
//! | `SeqMeanTokenMean` | `1/B Σ_i (Σ_t m l / \|o_i\|)` | GRPO paper (arXiv 2402.03300, Eq. (3)), GSPO |
//! | `SeqMeanTokenSum` | `1/B Σ_i Σ_t m l` | verl `seq-mean-token-sum` |
//! | `SeqMeanTokenSumNorm { max_len: L }` | `1/B Σ_i Σ_t m l / L` = `Σ m l / (B·L)` | Dr.GRPO (arXiv 2503.20783), TRL `"dr_grpo"`, GUI-G1 (L = 64) |
//!
//! Reference code matched: verl `verl/trainer/ppo/core_algos.py::agg_loss` (volcengine/verl,
//! snapshot 2026-01-29, where the `seq-mean-*` modes divide by the local batch size and
//! `seq-mean-token-sum-norm` divides each sequence's token sum by `loss_scale_factor`); TRL
//! `grpo_trainer.py` `loss_type="dr_grpo"`: `Σ m l / (B · max_completion_length)`.
//!
//! Deviations from the reference code:
//! 1. Single process only: verl's `dp_size`/global-batch rescaling (so that the loss does not depend
//!    on FSDP sharding) is the trainer's job; here `B` and `Σ m` are those of the tensors passed.
//! 2. Rows with no valid token count in `B` (as in verl's newest `agg_loss`) and contribute 0; a
//!    batch with no valid token at all gives loss 0 for `TokenMean` (the denominator is clamped to
//!    1) instead of NaN. Older verl versions gave NaN for `SeqMeanTokenMean` on an empty row.
//! 3. `SeqMeanTokenSumNorm` divides by `B·L` (TRL, Dr.GRPO's `1/G` and GUI-G1's `mean_i … /64`);
//!    verl ≤ 0.5 divided by `L` only (its value is `B×` ours).

use tch::{Kind, Tensor};

use crate::check;
use crate::error::{GrpoError, Result};

/// How to reduce a per-token loss matrix to a scalar (see the module table).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Aggregation {
    /// Mean over all valid tokens of the batch (DAPO's token-level loss).
    TokenMean,
    /// Mean over sequences of each sequence's token mean (original GRPO; forced by GSPO in verl).
    SeqMeanTokenMean,
    /// Mean over sequences of each sequence's token sum.
    SeqMeanTokenSum,
    /// Mean over sequences of each sequence's token sum divided by a constant `max_len` (Dr.GRPO).
    SeqMeanTokenSumNorm {
        /// The constant `L` (Dr.GRPO / TRL: `max_completion_length`; GUI-G1: 64). Must be > 0.
        max_len: f64,
    },
}

impl Aggregation {
    /// Checks the mode's parameter (`max_len` finite and > 0).
    ///
    /// # Errors
    /// [`GrpoError::Config`] naming `aggregation.max_len`.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Aggregation::SeqMeanTokenSumNorm { max_len }
                if !(max_len.is_finite() && max_len > 0.0) =>
            {
                Err(GrpoError::config(
                    "aggregation.max_len",
                    max_len,
                    "must be finite and > 0",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// Reduces `loss_mat[B, T]` under the 0/1 `mask[B, T]` to a scalar with `mode`.
///
/// The mask may be bool, integer or float (0/1 values); the result has `loss_mat`'s kind and keeps
/// its gradient.
///
/// # Errors
/// [`GrpoError`] if the shapes differ or are not 2-D, `B` is 0, the mask is not 0/1, devices differ,
/// or the mode's parameter is invalid.
///
/// ```
/// use ocellus_grpo::{aggregate, Aggregation};
/// use tch::Tensor;
/// let loss = Tensor::from_slice(&[1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]).reshape([2, 3]);
/// let mask = Tensor::from_slice(&[1i64, 1, 0, 1, 0, 0]).reshape([2, 3]);
/// let token_mean = aggregate(&loss, &mask, Aggregation::TokenMean).unwrap();
/// assert!((token_mean.double_value(&[]) - 7.0 / 3.0).abs() < 1e-12);
/// ```
pub fn aggregate(loss_mat: &Tensor, mask: &Tensor, mode: Aggregation) -> Result<Tensor> {
    mode.validate()?;
    check::float("loss_mat", loss_mat)?;
    let (rows, cols) = check::dims2("loss_mat", loss_mat)?;
    if rows == 0 {
        return Err(GrpoError::Shape {
            name: "loss_mat",
            got: vec![rows, cols],
            expected: "B >= 1 rows".into(),
        });
    }
    check::shape("mask", mask, &[rows, cols])?;
    check::device("mask", mask, loss_mat.device())?;
    let mask = check::binary_mask("mask", mask, loss_mat.kind())?;
    Ok(aggregate_unchecked(loss_mat, &mask, mode))
}

/// The factor that makes per-micro-batch losses add up to the loss of the whole batch.
///
/// [`aggregate`] divides by the *local* token count (`TokenMean`) or row count (the `SeqMean*`
/// modes). A trainer that splits a batch into micro-batches and accumulates gradients multiplies
/// each micro-batch's loss by `micro_batch_weight(mode, micro, total)`, where `micro` and `total`
/// are `(valid tokens, rows)` of the micro-batch and of the whole batch (verl rescales by the
/// global token and sequence counts for the same reason). Then
/// `Σ_k w_k · aggregate(l_k, m_k) = aggregate(l, m)` exactly, whatever the split. Counts are host
/// numbers known before any forward pass, so this needs no device sync. Returns 0 when the whole
/// batch has no token or row.
///
/// ```
/// use ocellus_grpo::{micro_batch_weight, Aggregation};
/// assert_eq!(micro_batch_weight(Aggregation::TokenMean, (3, 1), (12, 4)), 0.25);
/// assert_eq!(micro_batch_weight(Aggregation::SeqMeanTokenMean, (3, 1), (12, 4)), 0.25);
/// ```
pub fn micro_batch_weight(mode: Aggregation, micro: (usize, usize), total: (usize, usize)) -> f64 {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    match mode {
        // Σ m l / Σ m over the whole batch = Σ_k (Σ m_k / Σ m) · (Σ m_k l_k / Σ m_k).
        Aggregation::TokenMean => ratio(micro.0, total.0),
        // 1/B Σ_i x_i = Σ_k (B_k / B) · (1/B_k Σ_{i∈k} x_i).
        Aggregation::SeqMeanTokenMean
        | Aggregation::SeqMeanTokenSum
        | Aggregation::SeqMeanTokenSumNorm { .. } => ratio(micro.1, total.1),
    }
}

/// [`aggregate`] for already-validated inputs (`mask` is 0/1 in `loss_mat`'s kind).
pub(crate) fn aggregate_unchecked(loss_mat: &Tensor, mask: &Tensor, mode: Aggregation) -> Tensor {
    let num_seqs = loss_mat.size()[0] as f64; // B
    let masked = loss_mat * mask;
    match mode {
        Aggregation::TokenMean => {
            // Σ m l / Σ m (denominator ≥ 1 so an all-masked batch gives 0).
            masked.sum(None::<Kind>) / mask.sum(None::<Kind>).clamp_min(1.0)
        }
        Aggregation::SeqMeanTokenMean => {
            // 1/B Σ_i (Σ_t m l)/|o_i|; an empty row has sum 0 and contributes 0.
            let seq_len = mask.sum_dim_intlist(-1, false, None::<Kind>).clamp_min(1.0);
            (masked.sum_dim_intlist(-1, false, None::<Kind>) / seq_len).sum(None::<Kind>) / num_seqs
        }
        Aggregation::SeqMeanTokenSum => masked.sum(None::<Kind>) / num_seqs,
        Aggregation::SeqMeanTokenSumNorm { max_len } => {
            masked.sum(None::<Kind>) / (num_seqs * max_len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ragged() -> (Tensor, Tensor) {
        // Row 0 keeps 2 tokens, row 1 keeps 1, row 2 keeps 3.
        let loss =
            Tensor::from_slice(&[1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]).reshape([3, 3]);
        let mask = Tensor::from_slice(&[true, true, false, true, false, false, true, true, true])
            .reshape([3, 3]);
        (loss, mask)
    }

    fn agg(mode: Aggregation) -> f64 {
        let (l, m) = ragged();
        aggregate(&l, &m, mode).unwrap().double_value(&[])
    }

    #[test]
    fn micro_batch_weights_recover_the_full_batch_loss() {
        let (loss, mask) = ragged();
        for mode in [
            Aggregation::TokenMean,
            Aggregation::SeqMeanTokenMean,
            Aggregation::SeqMeanTokenSum,
            Aggregation::SeqMeanTokenSumNorm { max_len: 4.0 },
        ] {
            let full = aggregate(&loss, &mask, mode).unwrap().double_value(&[]);
            // Split rows {0} and {1, 2}: tokens 2 and 4 of 6, rows 1 and 2 of 3.
            let mut sum = 0.0;
            for (start, len, tokens) in [(0, 1, 2), (1, 2, 4)] {
                let part = aggregate(
                    &loss.narrow(0, start, len),
                    &mask.narrow(0, start, len),
                    mode,
                )
                .unwrap()
                .double_value(&[]);
                sum += micro_batch_weight(mode, (tokens, len as usize), (6, 3)) * part;
            }
            assert!((sum - full).abs() < 1e-12, "{mode:?}: {sum} vs {full}");
        }
        assert_eq!(
            micro_batch_weight(Aggregation::TokenMean, (0, 0), (0, 0)),
            0.0
        );
    }

    #[test]
    fn each_mode_on_a_ragged_mask() {
        // Valid: row0 {1,2}, row1 {4}, row2 {7,8,9}; token sums 3, 4, 24; lengths 2, 1, 3.
        assert!((agg(Aggregation::TokenMean) - 31.0 / 6.0).abs() < 1e-12);
        assert!((agg(Aggregation::SeqMeanTokenMean) - (1.5 + 4.0 + 8.0) / 3.0).abs() < 1e-12);
        assert!((agg(Aggregation::SeqMeanTokenSum) - 31.0 / 3.0).abs() < 1e-12);
        let norm = agg(Aggregation::SeqMeanTokenSumNorm { max_len: 4.0 });
        assert!((norm - 31.0 / (3.0 * 4.0)).abs() < 1e-12);
    }

    #[test]
    fn empty_rows_count_in_b_and_empty_batch_is_zero() {
        let l = Tensor::from_slice(&[2.0f64, 4.0, 9.0, 9.0]).reshape([2, 2]);
        let m = Tensor::from_slice(&[1.0f64, 1.0, 0.0, 0.0]).reshape([2, 2]);
        let v = aggregate(&l, &m, Aggregation::SeqMeanTokenMean)
            .unwrap()
            .double_value(&[]);
        assert!((v - 1.5).abs() < 1e-12, "(3 + 0)/2");
        let zero = Tensor::zeros([2, 2], (Kind::Double, tch::Device::Cpu));
        for mode in [
            Aggregation::TokenMean,
            Aggregation::SeqMeanTokenMean,
            Aggregation::SeqMeanTokenSum,
        ] {
            assert_eq!(aggregate(&l, &zero, mode).unwrap().double_value(&[]), 0.0);
        }
    }

    #[test]
    fn errors() {
        let (l, m) = ragged();
        let bad_norm = Aggregation::SeqMeanTokenSumNorm { max_len: 0.0 };
        assert!(matches!(
            aggregate(&l, &m, bad_norm),
            Err(GrpoError::Config {
                field: "aggregation.max_len",
                ..
            })
        ));
        let short = Tensor::ones([3, 2], (Kind::Double, tch::Device::Cpu));
        assert!(matches!(
            aggregate(&l, &short, Aggregation::TokenMean),
            Err(GrpoError::Shape { name: "mask", .. })
        ));
        let not_binary = Tensor::full([3, 3], 0.5, (Kind::Double, tch::Device::Cpu));
        assert!(matches!(
            aggregate(&l, &not_binary, Aggregation::TokenMean),
            Err(GrpoError::Input { name: "mask", .. })
        ));
    }
}
