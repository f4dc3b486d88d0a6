//! Group-relative advantages: GRPO z-score, Dr.GRPO mean-only, batch-std ("Lite PPO") and the
//! two-stage ReBN variant.
//!
//! **Layout.** Every function here takes outcome rewards as a `[num_groups, group_size]` tensor:
//! row `n` holds the `G` rewards of the `G` responses sampled for prompt `n`. The advantages come
//! back in the same layout; flatten them row-major (`adv.reshape([-1])`) to get one advantage per
//! response, in the `[B = num_groups·G]` row order [`crate::policy_loss`] expects. Equal-size groups
//! are what GRPO samples and what [`crate::dapo_keep_groups`] preserves (it drops whole rows).
//! Rewards are data, not parameters: no function here needs or keeps gradients.
//!
//! Papers:
//! - GRPO: Shao et al. 2024, "DeepSeekMath", arXiv 2402.03300, §4.1.2 (outcome supervision):
//!   `Â_i = (r_i − mean(r)) / std(r)`.
//! - Dr.GRPO: Liu et al. 2025, "Understanding R1-Zero-Like Training", arXiv 2503.20783:
//!   `Â_i = r_i − mean(r)` (no std division).
//! - Lite PPO: Liu et al. 2025, "Part I: Tricks or Traps?", arXiv 2508.08221: group mean, batch std.
//! - ReBN (BN-GSPO): SenseNova-MARS, arXiv 2512.24330: group z-score, then batch z-score.
//!
//! Reference code matched (formulas only, no code copied):
//! - verl `verl/trainer/ppo/core_algos.py::compute_grpo_outcome_advantage` (volcengine/verl,
//!   snapshot 2026-01-29): `torch.std` (unbiased, N−1), `ε = 1e-6` added to the std;
//!   `norm_adv_by_std_in_grpo=False` is Dr.GRPO.
//! - TRL `trl/trainer/grpo_trainer.py` `scale_rewards="batch"` (huggingface/trl, 2026-07-24):
//!   group mean, unbiased std of the whole batch, `ε = 1e-4`.
//! - SenseNova-MARS verl fork `core_algos.py` l.264-340 (`algorithm.apply_batch_norm`).
//!
//! **Std convention.** Group and batch stds are *unbiased* (divide by `n − 1`), as `torch.std` in
//! verl and TRL; the ReBN second stage uses the *population* std as its reference does.
//!
//! Deviations from the paper:
//! 1. The std is `std + ε` (ε passed by the caller), not `std`; with ε > 0 an all-equal group gives
//!    advantage 0 instead of 0/0.
//!
//! Deviations from the reference code:
//! 1. A group of size 1 gets advantage **0** everywhere here. verl sets mean 0, std 1 for a
//!    singleton group, so its advantage is `r/(1+ε)`; a lone sample has no group baseline, and
//!    treating its raw reward as an advantage mixes scales, so we give it no signal instead.
//! 2. Groups are rows of a dense tensor, not ids in a `uid` array; ragged groups are not supported.

use tch::{Kind, Tensor};

use crate::check;
use crate::error::{GrpoError, Result};

/// verl's ε added to the group std (`compute_grpo_outcome_advantage(epsilon=1e-6)`).
pub const VERL_STD_EPS: f64 = 1e-6;

/// TRL's ε added to the std (`grpo_trainer.py`: `advantages / (std_rewards + 1e-4)`).
pub const TRL_STD_EPS: f64 = 1e-4;

/// Checks `rewards` is a finite floating `[num_groups, group_size]` tensor; returns its dims.
fn grouped_rewards(rewards: &Tensor) -> Result<(i64, i64)> {
    check::float("rewards", rewards)?;
    let (num_groups, group_size) = check::dims2("rewards", rewards)?;
    if num_groups == 0 || group_size == 0 {
        return Err(GrpoError::Shape {
            name: "rewards",
            got: vec![num_groups, group_size],
            expected: "[num_groups >= 1, group_size >= 1]".into(),
        });
    }
    check::finite("rewards", rewards)?;
    Ok((num_groups, group_size))
}

fn check_eps(eps: f64) -> Result<()> {
    if eps.is_finite() && eps >= 0.0 {
        Ok(())
    } else {
        Err(GrpoError::config("eps", eps, "must be finite and >= 0"))
    }
}

/// GRPO advantage (DeepSeekMath §4.1.2): `Â_{n,g} = (r_{n,g} − mean_g r_n) / (std_g r_n + eps)`.
///
/// `rewards`: `[num_groups, group_size]`, floating. `std` is the unbiased group std (verl,
/// `torch.std`); use [`VERL_STD_EPS`] (verl) or [`TRL_STD_EPS`] (TRL) for `eps`. A group of size 1
/// gets advantage 0 (see the module's deviations). Returns the `[num_groups, group_size]` advantages
/// in the rewards' kind.
///
/// # Errors
/// [`GrpoError`] if `rewards` is not a finite floating 2-D tensor with both dims ≥ 1, or `eps` < 0.
pub fn grpo_advantages(rewards: &Tensor, eps: f64) -> Result<Tensor> {
    let (_, group_size) = grouped_rewards(rewards)?;
    check_eps(eps)?;
    if group_size == 1 {
        return Ok(rewards.f_zeros_like()?);
    }
    let mean = rewards.f_mean_dim(1, true, None::<Kind>)?; // [N, 1]
    let std = rewards.f_std_dim(1, true, true)?; // [N, 1], unbiased
    Ok((rewards - mean) / (std + eps))
}

/// Dr.GRPO advantage (arXiv 2503.20783, §3.1): `Â_{n,g} = r_{n,g} − mean_g r_n`.
///
/// The same as verl's GRPO estimator with `norm_adv_by_std_in_grpo = False` and TRL's
/// `scale_rewards = "none"`. A group of size 1 gets 0 (its mean is itself).
///
/// # Errors
/// [`GrpoError`] if `rewards` is not a finite floating 2-D tensor with both dims ≥ 1.
pub fn dr_grpo_advantages(rewards: &Tensor) -> Result<Tensor> {
    grouped_rewards(rewards)?;
    let mean = rewards.f_mean_dim(1, true, None::<Kind>)?;
    Ok(rewards - mean)
}

/// Batch-std advantage ("Lite PPO", arXiv 2508.08221; TRL `scale_rewards = "batch"`):
/// `Â_{n,g} = (r_{n,g} − mean_g r_n) / (std(all rewards) + eps)`.
///
/// The centring is per group, the scale is the unbiased std of the whole batch of rewards, so
/// easy/hard prompts are not up-weighted as by the group std. A batch with a single reward gets 0.
///
/// # Errors
/// [`GrpoError`] if `rewards` is not a finite floating 2-D tensor with both dims ≥ 1, or `eps` < 0.
pub fn batch_std_advantages(rewards: &Tensor, eps: f64) -> Result<Tensor> {
    let (num_groups, group_size) = grouped_rewards(rewards)?;
    check_eps(eps)?;
    if num_groups * group_size == 1 {
        return Ok(rewards.f_zeros_like()?);
    }
    let mean = rewards.f_mean_dim(1, true, None::<Kind>)?; // group mean, [N, 1]
    let batch_std = rewards.f_std(true)?; // unbiased std over all N·G rewards, scalar
    Ok((rewards - mean) / (batch_std + eps))
}

/// ReBN, the two-stage normalisation of BN-GSPO (SenseNova-MARS, arXiv 2512.24330), code form:
/// `a = (r − mean_g)/(std_g + group_eps)` per group, then `Â = (a − mean_B a)/(pstd_B a + 1e-9)`
/// over the whole batch with the **population** std.
///
/// `group_eps` is the first-stage ε (the fork uses [`VERL_STD_EPS`]). The paper's own formula was
/// not read; this follows the fork's `apply_batch_norm` path (UNVERIFIED against the paper).
///
/// # Errors
/// [`GrpoError`] if `rewards` is not a finite floating 2-D tensor with both dims ≥ 1, or
/// `group_eps` < 0.
pub fn rebn_advantages(rewards: &Tensor, group_eps: f64) -> Result<Tensor> {
    let group_adv = grpo_advantages(rewards, group_eps)?;
    // The fork computes the batch stats in fp32; we keep the input kind (f32 or wider).
    let mean = group_adv.f_mean(None::<Kind>)?;
    let std = group_adv.f_std(false)?; // population std
    Ok((group_adv - mean) / (std + 1e-9))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(rows: &[&[f64]]) -> Tensor {
        let cols = rows[0].len() as i64;
        let flat: Vec<f64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        Tensor::from_slice(&flat).reshape([rows.len() as i64, cols])
    }

    fn values(x: &Tensor) -> Vec<f64> {
        Vec::<f64>::try_from(x.reshape([-1])).unwrap()
    }

    fn close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= tol, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn grpo_known_mean_and_unbiased_std() {
        // Group 0: mean 0.5, unbiased std = sqrt(4·0.25/3) = 1/sqrt(3).
        // Group 1: all equal → std 0 → advantage 0/(0+ε) = 0.
        let r = t(&[&[1.0, 0.0, 0.0, 1.0], &[0.5, 0.5, 0.5, 0.5]]);
        let a = grpo_advantages(&r, VERL_STD_EPS).unwrap();
        let s = 1.0 / 3f64.sqrt();
        let v = 0.5 / (s + 1e-6);
        close(&values(&a), &[v, -v, -v, v, 0.0, 0.0, 0.0, 0.0], 1e-12);
    }

    #[test]
    fn grpo_three_values() {
        // r = [1, 2, 4]: mean 7/3, unbiased var = ((4/3)²+(1/3)²+(5/3)²)/2 = 7/3.
        let r = t(&[&[1.0, 2.0, 4.0]]);
        let a = grpo_advantages(&r, 0.0).unwrap();
        let s = (7.0f64 / 3.0).sqrt();
        close(
            &values(&a),
            &[
                (1.0 - 7.0 / 3.0) / s,
                (2.0 - 7.0 / 3.0) / s,
                (4.0 - 7.0 / 3.0) / s,
            ],
            1e-12,
        );
    }

    #[test]
    fn singleton_groups_give_zero() {
        let r = t(&[&[3.0], &[-1.0]]);
        close(
            &values(&grpo_advantages(&r, VERL_STD_EPS).unwrap()),
            &[0.0, 0.0],
            0.0,
        );
        close(&values(&dr_grpo_advantages(&r).unwrap()), &[0.0, 0.0], 0.0);
    }

    #[test]
    fn dr_grpo_is_mean_only() {
        let r = t(&[&[1.0, 0.0, 0.0, 1.0], &[1.0, 2.0, 3.0, 6.0]]);
        let a = dr_grpo_advantages(&r).unwrap();
        close(
            &values(&a),
            &[0.5, -0.5, -0.5, 0.5, -2.0, -1.0, 0.0, 3.0],
            1e-12,
        );
    }

    #[test]
    fn batch_std_uses_group_mean_and_batch_std() {
        // Rewards 1,0 | 1,1: group means 0.5 and 1; batch mean 0.75,
        // unbiased batch var = (3·0.0625 + 0.5625)/3 = 0.25 → std 0.5.
        let r = t(&[&[1.0, 0.0], &[1.0, 1.0]]);
        let a = batch_std_advantages(&r, 0.0).unwrap();
        close(&values(&a), &[1.0, -1.0, 0.0, 0.0], 1e-12);
    }

    #[test]
    fn rebn_is_batch_standardised() {
        let r = t(&[&[1.0, 0.0, 0.0], &[0.2, 0.9, 0.4]]);
        let a = rebn_advantages(&r, VERL_STD_EPS).unwrap();
        let v = values(&a);
        let mean = v.iter().sum::<f64>() / 6.0;
        let pvar = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 6.0;
        assert!(mean.abs() < 1e-12);
        assert!((pvar.sqrt() - 1.0).abs() < 1e-8);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let one_d = Tensor::from_slice(&[1.0f64, 2.0]);
        assert!(matches!(
            grpo_advantages(&one_d, 1e-6),
            Err(GrpoError::Shape {
                name: "rewards",
                ..
            })
        ));
        let ints = Tensor::from_slice(&[1i64, 2]).reshape([1, 2]);
        assert!(matches!(
            dr_grpo_advantages(&ints),
            Err(GrpoError::Input {
                name: "rewards",
                ..
            })
        ));
        let nan = Tensor::from_slice(&[1.0f64, f64::NAN]).reshape([1, 2]);
        assert!(matches!(
            grpo_advantages(&nan, 1e-6),
            Err(GrpoError::Input { .. })
        ));
        let ok = t(&[&[1.0, 0.0]]);
        assert!(matches!(
            grpo_advantages(&ok, -1.0),
            Err(GrpoError::Config { field: "eps", .. })
        ));
        let empty = Tensor::zeros([0, 4], (Kind::Double, tch::Device::Cpu));
        assert!(grpo_advantages(&empty, 1e-6).is_err());
    }
}
