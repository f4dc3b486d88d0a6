//! Per-token KL estimators between the current policy and a frozen reference policy, from the
//! sampled tokens' log-probs only (Schulman 2020, "Approximating KL Divergence",
//! <http://joschu.net/blog/kl-approx.html>).
//!
//! With `d = log π_θ(o_t) − log π_ref(o_t)` and tokens sampled from π_θ (approximately; in practice
//! from π_old), the estimators of `KL[π_θ ‖ π_ref]` are:
//!
//! | variant | value | ∂/∂ log π_θ |
//! |---|---|---|
//! | [`KlEstimator::K1`] | `d` | `1` |
//! | [`KlEstimator::K2`] | `d²/2` | `d` |
//! | [`KlEstimator::K3`] | `e^{−d} + d − 1` | `1 − e^{−d}` |
//! | [`KlEstimator::K3Plus`] | `e^{−d} + d − 1` (k3) | `d` (k2's, straight-through) |
//!
//! k3 is the estimator GRPO adds to its loss (DeepSeekMath, arXiv 2402.03300, Eq. (4):
//! `π_ref/π_θ − log(π_ref/π_θ) − 1`); it is unbiased and always ≥ 0.
//!
//! Reference code matched: verl `verl/trainer/ppo/core_algos.py::kl_penalty` / `kl_penalty_forward`
//! (volcengine/verl, snapshot 2026-01-29): names `"k1"`/`"kl"`, `"k2"`/`"mse"`, `"k3"`/
//! `"low_var_kl"`, and the straight-through `"k3+"` (forward value k3, backward k2's gradient).
//! For k3 verl clamps `ref − logp` to [−20, 20] before `exp` and the result to [−10, 10]; we do the
//! same ([`K3_LOG_RATIO_CLAMP`], [`K3_VALUE_CLAMP`]), so outside those ranges the k3 gradient is 0.
//!
//! Deviations from the reference code:
//! 1. verl's `"abs"` estimator (`|d|`) is not offered; it is not used by any GRPO-family recipe in
//!    the notes.

use tch::Tensor;

use crate::check;
use crate::error::Result;

/// verl clamps `log π_ref − log π_θ` to ±20 before the exponential in k3.
pub const K3_LOG_RATIO_CLAMP: f64 = 20.0;
/// verl clamps the k3 value to ±10 (k3 is ≥ 0, so effectively to [0, 10]).
pub const K3_VALUE_CLAMP: f64 = 10.0;

/// Which per-token estimator of `KL[π_θ ‖ π_ref]` to use (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KlEstimator {
    /// `k1 = log π_θ − log π_ref` (unbiased, high variance, can be negative).
    K1,
    /// `k2 = ½ (log π_θ − log π_ref)²` (biased, low variance; verl `"mse"`).
    K2,
    /// `k3 = π_ref/π_θ − log(π_ref/π_θ) − 1` (unbiased, ≥ 0; verl `"low_var_kl"`, GRPO's choice).
    K3,
    /// Straight-through k3: forward value of k3, gradient of k2 (verl `"k3+"`).
    K3Plus,
}

/// Per-token KL estimate `[B, T]` between `logp` (current policy, may require grad) and `ref_logp`
/// (reference policy, treated as a constant).
///
/// Masking and aggregation are the caller's job (see [`crate::aggregate()`]).
///
/// # Errors
/// [`crate::GrpoError`] if the tensors are not floating, differ in shape or device.
///
/// ```
/// use ocellus_grpo::{kl_estimate, KlEstimator};
/// use tch::Tensor;
/// let logp = Tensor::from_slice(&[-1.0f64]);
/// let ref_logp = Tensor::from_slice(&[-2.0f64]);
/// let k3 = kl_estimate(&logp, &ref_logp, KlEstimator::K3).unwrap();
/// // d = 1: e^{-1} + 1 - 1 = e^{-1}
/// assert!((k3.double_value(&[0]) - (-1.0f64).exp()).abs() < 1e-12);
/// ```
pub fn kl_estimate(logp: &Tensor, ref_logp: &Tensor, estimator: KlEstimator) -> Result<Tensor> {
    check::float("logp", logp)?;
    check::float("ref_logp", ref_logp)?;
    check::shape("ref_logp", ref_logp, &logp.size())?;
    check::device("ref_logp", ref_logp, logp.device())?;
    Ok(kl_unchecked(logp, ref_logp, estimator))
}

/// [`kl_estimate`] without the boundary checks (callers have validated shapes and devices).
pub(crate) fn kl_unchecked(logp: &Tensor, ref_logp: &Tensor, estimator: KlEstimator) -> Tensor {
    let ref_logp = ref_logp.detach();
    match estimator {
        KlEstimator::K1 => logp - ref_logp,
        KlEstimator::K2 => k2(logp, &ref_logp),
        KlEstimator::K3 => k3(logp, &ref_logp),
        KlEstimator::K3Plus => {
            // Straight-through: value k3, gradient k2 (verl `kl_penalty`, "k3+").
            let k2 = k2(logp, &ref_logp);
            let k3 = k3(logp, &ref_logp);
            &k2 - k2.detach() + k3.detach()
        }
    }
}

fn k2(logp: &Tensor, ref_logp: &Tensor) -> Tensor {
    (logp - ref_logp).square() * 0.5
}

fn k3(logp: &Tensor, ref_logp: &Tensor) -> Tensor {
    // log(π_ref/π_θ), clamped for stability as in verl.
    let log_ref_ratio = (ref_logp - logp).clamp(-K3_LOG_RATIO_CLAMP, K3_LOG_RATIO_CLAMP);
    // DeepSeekMath Eq. (4): π_ref/π_θ − log(π_ref/π_θ) − 1.
    (log_ref_ratio.exp() - &log_ref_ratio - 1.0).clamp(-K3_VALUE_CLAMP, K3_VALUE_CLAMP)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grad_of(estimator: KlEstimator, logp: f64, ref_logp: f64) -> (f64, f64) {
        let lp = Tensor::from_slice(&[logp]).set_requires_grad(true);
        let rf = Tensor::from_slice(&[ref_logp]);
        let kl = kl_estimate(&lp, &rf, estimator).unwrap();
        let value = kl.double_value(&[0]);
        kl.sum(None::<tch::Kind>).backward();
        (value, lp.grad().double_value(&[0]))
    }

    #[test]
    fn estimators_at_known_log_probs() {
        // logp = −1, ref = −2 → d = 1.
        let e = std::f64::consts::E;
        let (v, g) = grad_of(KlEstimator::K1, -1.0, -2.0);
        assert!((v - 1.0).abs() < 1e-12 && (g - 1.0).abs() < 1e-12);
        let (v, g) = grad_of(KlEstimator::K2, -1.0, -2.0);
        assert!((v - 0.5).abs() < 1e-12 && (g - 1.0).abs() < 1e-12);
        let (v, g) = grad_of(KlEstimator::K3, -1.0, -2.0);
        assert!((v - 1.0 / e).abs() < 1e-12, "k3 = e^-1 + 1 - 1");
        assert!((g - (1.0 - 1.0 / e)).abs() < 1e-12, "dk3/dlogp = 1 - e^-d");
        let (v, g) = grad_of(KlEstimator::K3Plus, -1.0, -2.0);
        assert!((v - 1.0 / e).abs() < 1e-12, "k3+ has k3's value");
        assert!((g - 1.0).abs() < 1e-12, "k3+ has k2's gradient d");
        // d = −0.5: k3 = e^{0.5} − 0.5 − 1.
        let (v, _) = grad_of(KlEstimator::K3, -1.5, -1.0);
        assert!((v - (0.5f64.exp() - 1.5)).abs() < 1e-12);
        // Equal log-probs: every estimator is 0.
        for est in [
            KlEstimator::K1,
            KlEstimator::K2,
            KlEstimator::K3,
            KlEstimator::K3Plus,
        ] {
            assert_eq!(grad_of(est, -0.7, -0.7).0, 0.0);
        }
    }

    #[test]
    fn k3_is_clamped_like_verl() {
        // ref − logp = 30 → clamped to 20 → value e^20 − 21 → clamped to 10; gradient 0.
        let (v, g) = grad_of(KlEstimator::K3, -31.0, -1.0);
        assert_eq!(v, K3_VALUE_CLAMP);
        assert_eq!(g, 0.0);
    }

    #[test]
    fn shape_mismatch_is_an_error() {
        let a = Tensor::zeros([2, 3], (tch::Kind::Float, tch::Device::Cpu));
        let b = Tensor::zeros([2, 4], (tch::Kind::Float, tch::Device::Cpu));
        assert!(matches!(
            kl_estimate(&a, &b, KlEstimator::K3),
            Err(crate::GrpoError::Shape {
                name: "ref_logp",
                ..
            })
        ));
    }
}
