//! Contrastive pieces of TACO and CURL: bilinear similarity logits, InfoNCE with in-batch
//! negatives, and top-1 contrastive accuracy.
//!
//! Papers: Zheng et al., "TACO: Temporal Latent Action-Driven Contrastive Loss for Visual
//! Reinforcement Learning", NeurIPS 2023, arXiv 2306.13229; Laskin, Srinivas & Abbeel, "CURL:
//! Contrastive Unsupervised Representations for Reinforcement Learning", ICML 2020, arXiv
//! 2004.04136 (the bilinear similarity and the max subtraction come from CURL).
//!
//! Reference code: FrankZheng2022/TACO @ 84c38e3, `agents/taco.py`:
//!
//! | formula | reference |
//! |---|---|
//! | logits = q·W·kᵀ − max_j (q·W·kᵀ)_{·j} (row max, `[B, B]`) | `TACO.compute_logits`: `Wz = W @ z_pos.T; logits = z_a @ Wz; logits - max(logits, 1)[0][:, None]` |
//! | L = −(1/B) Σ_i log softmax(logits_i)_i (labels = `arange(B)`: row i's positive is column i, the other B − 1 columns are its negatives) | `TACOAgent.update_taco`: `nn.CrossEntropyLoss()(logits, arange(B))`, used for both the TACO and the CURL term |
//!
//! In TACO the query `q` is `proj_sa([z_t, u_{t..t+K−1}])` and the key `k` is the projected
//! latent of `o_{t+K}` under `no_grad`; in its CURL term `q` and `k` are two augmentations of
//! `o_t` (the key again under `no_grad`). `W` is a `[D, D]` parameter initialised by
//! `torch.rand` (uniform in [0, 1); `utils.weight_init` skips bare parameters). The caller
//! decides what is detached: these functions keep every gradient path.
//!
//! # Deviations
//! 1. The max subtraction is not detached, as in the reference. Cross-entropy is invariant to a
//!    per-row shift, so the loss and its gradient are the same either way; the shift only keeps
//!    `exp` in range.
//! 2. Neither reference computes an accuracy; [`contrastive_accuracy`] is a metric added here:
//!    the share of rows whose largest logit is the diagonal one, ties going to the lowest
//!    column index (`torch.argmax`'s documented rule), so a tie with an earlier negative counts
//!    as a miss.

use tch::{Kind, Tensor};

use crate::error::InputError;

/// CURL/TACO bilinear logits `q·W·kᵀ` for queries `q` `[B, D]`, keys `k` `[B, D]` and
/// `w` `[D, D]`, minus each row's maximum: a `[B, B]` tensor whose row `i` scores query `i`
/// against every key, with its maximum at 0.
///
/// # Errors
/// If the shapes are not `[B, D]`, `[B, D]`, `[D, D]` with `B, D ≥ 1`.
pub fn bilinear_logits(q: &Tensor, k: &Tensor, w: &Tensor) -> Result<Tensor, InputError> {
    let qs = q.size();
    if qs.len() != 2 || qs.iter().any(|&d| d < 1) {
        return Err(InputError::shape("q", q, "[B, D] with B, D ≥ 1"));
    }
    let (b, d) = (qs[0], qs[1]);
    if k.size() != [b, d] {
        return Err(InputError::shape("k", k, &format!("[{b}, {d}] like q")));
    }
    if w.size() != [d, d] {
        return Err(InputError::shape("w", w, &format!("[{d}, {d}]")));
    }
    // reference: Wz = W @ z_pos.T  [D, B]; logits = z_a @ Wz  [B, B]
    let logits = q.matmul(&w.matmul(&k.tr()));
    // reference: logits - torch.max(logits, 1)[0][:, None]
    let (row_max, _) = logits.max_dim(1, true);
    Ok(logits - row_max)
}

/// InfoNCE with in-batch negatives: cross-entropy of the `[B, B]` `logits` with labels
/// `0, 1, …, B − 1`, i.e. `−(1/B) Σ_i log softmax(logits_i)_i`, as a scalar tensor.
///
/// # Errors
/// If `logits` is not a square floating-point `[B, B]` tensor with `B ≥ 1`.
pub fn info_nce(logits: &Tensor) -> Result<Tensor, InputError> {
    let b = square_len(logits)?;
    let labels = Tensor::arange(b, (Kind::Int64, logits.device()));
    // log_softmax over each row, then the mean negative log-likelihood of the diagonal
    Ok(logits.cross_entropy_for_logits(&labels))
}

/// Top-1 contrastive accuracy: the share of rows `i` of the `[B, B]` `logits` whose argmax is
/// column `i` (first maximum on ties).
///
/// # Errors
/// If `logits` is not a square floating-point `[B, B]` tensor with `B ≥ 1`.
pub fn contrastive_accuracy(logits: &Tensor) -> Result<f64, InputError> {
    let b = square_len(logits)?;
    let labels = Tensor::arange(b, (Kind::Int64, logits.device()));
    let hits = tch::no_grad(|| logits.argmax(1, false).eq_tensor(&labels).sum(Kind::Int64));
    Ok(hits.int64_value(&[]) as f64 / b as f64)
}

fn square_len(logits: &Tensor) -> Result<i64, InputError> {
    let s = logits.size();
    if s.len() != 2 || s[0] != s[1] || s[0] < 1 || !logits.is_floating_point() {
        return Err(InputError::shape(
            "logits",
            logits,
            "[B, B] float with B ≥ 1",
        ));
    }
    Ok(s[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::mat;

    fn rows(t: &Tensor) -> Vec<Vec<f32>> {
        crate::test_util::rows(t)
    }

    #[test]
    fn bilinear_logits_by_hand() {
        // q = [[1, 0], [1, 1]], W = [[1, 2], [3, 4]], k = [[1, 1], [2, 0]]
        // W kᵀ = [[1·1 + 2·1, 1·2 + 2·0], [3·1 + 4·1, 3·2 + 4·0]] = [[3, 2], [7, 6]]
        // q W kᵀ = [[3, 2], [3 + 7, 2 + 6]] = [[3, 2], [10, 8]]
        // minus row max: [[0, −1], [0, −2]]
        let q = mat(&[&[1.0, 0.0], &[1.0, 1.0]]);
        let w = mat(&[&[1.0, 2.0], &[3.0, 4.0]]);
        let k = mat(&[&[1.0, 1.0], &[2.0, 0.0]]);
        let l = bilinear_logits(&q, &k, &w).unwrap();
        assert_eq!(rows(&l), vec![vec![0.0, -1.0], vec![0.0, -2.0]]);
        // not symmetric in q and k: swapping them uses Wᵀ
        // k W qᵀ: W qᵀ = [[1, 3], [3, 7]]; k W qᵀ = [[4, 10], [2, 6]] → [[−6, 0], [−4, 0]]
        let swapped = bilinear_logits(&k, &q, &w).unwrap();
        assert_eq!(rows(&swapped), vec![vec![-6.0, 0.0], vec![-4.0, 0.0]]);
    }

    #[test]
    fn info_nce_on_a_three_by_three_matrix() {
        // logits = [[ln 2, 0, 0], [0, 0, ln 2], [0, 0, 0]], labels 0, 1, 2
        // row 0: log softmax_0 = ln 2 − ln(2 + 1 + 1) = ln(1/2) = −0.6931472
        // row 1: log softmax_1 = 0 − ln(1 + 1 + 2) = −ln 4 = −1.3862944
        // row 2: log softmax_2 = 0 − ln(1 + 1 + 1) = −ln 3 = −1.0986123
        // L = (ln 2 + ln 4 + ln 3)/3 = ln 24 / 3 = 1.0593512767826485
        let ln2 = std::f32::consts::LN_2;
        let logits = mat(&[&[ln2, 0.0, 0.0], &[0.0, 0.0, ln2], &[0.0, 0.0, 0.0]]);
        let loss = info_nce(&logits).unwrap().double_value(&[]);
        assert!((loss - 1.059_351_276_782_648_5).abs() < 1e-6, "{loss}");
        // a per-row shift (what the max subtraction does) leaves the loss unchanged
        let shifted = &logits + mat(&[&[5.0], &[-3.0], &[0.25]]);
        let loss2 = info_nce(&shifted).unwrap().double_value(&[]);
        assert!((loss2 - loss).abs() < 1e-6);
        // row 0 hits; row 1's argmax is column 2; row 2 ties, argmax 0 ≠ 2 → 1/3
        assert_eq!(contrastive_accuracy(&logits).unwrap(), 1.0 / 3.0);
    }

    #[test]
    fn gradient_pushes_the_diagonal_up() {
        // B = 2, logits = 0: softmax = 1/2 everywhere; ∂L/∂l_ij = (p_ij − 1(i = j))/B
        // = [[−0.25, 0.25], [0.25, −0.25]]
        let l = Tensor::zeros([2, 2], (Kind::Float, tch::Device::Cpu)).set_requires_grad(true);
        let loss = info_nce(&l).unwrap();
        assert!((loss.double_value(&[]) - std::f64::consts::LN_2).abs() < 1e-6);
        let g = Tensor::run_backward(&[loss], &[&l], false, false);
        assert_eq!(rows(&g[0]), vec![vec![-0.25, 0.25], vec![0.25, -0.25]]);
    }

    #[test]
    fn bad_shapes_are_errors() {
        let a = Tensor::zeros([3, 2], (Kind::Float, tch::Device::Cpu));
        let w = Tensor::zeros([2, 2], (Kind::Float, tch::Device::Cpu));
        let w3 = Tensor::zeros([3, 3], (Kind::Float, tch::Device::Cpu));
        let k4 = Tensor::zeros([4, 2], (Kind::Float, tch::Device::Cpu));
        assert!(bilinear_logits(&a, &a, &w).is_ok());
        assert!(matches!(
            bilinear_logits(&a, &k4, &w),
            Err(InputError::Shape { name: "k", .. })
        ));
        assert!(matches!(
            bilinear_logits(&a, &a, &w3),
            Err(InputError::Shape { name: "w", .. })
        ));
        assert!(info_nce(&a).is_err());
        assert!(contrastive_accuracy(&a).is_err());
        let ints = Tensor::zeros([2, 2], (Kind::Int64, tch::Device::Cpu));
        assert!(info_nce(&ints).is_err());
    }
}
