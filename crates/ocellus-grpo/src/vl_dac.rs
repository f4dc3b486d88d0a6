//! VL-DAC: environment-step advantages broadcast onto the action tokens of each step.
//!
//! Paper: "VL-DAC" (arXiv 2508.04280, AAMAS 2026): PPO updates applied to action tokens while the
//! value is learnt only at the environment-step level. Reference code: corl-team/VL-DAC (snapshot
//! 2026-03-03, a fork of ikostrikov/pytorch-a2c-ppo-acktr) `a2c_ppo_acktr/algo/ppo.py`,
//! `storage.py`: GAE over env steps (`γ = 0.9, λ = 0.95` in the MiniWorld config), advantages
//! normalised over the buffer, and the per-token surrogate `−min(ρ_t A_k, clip(ρ_t, 0.9, 1.1) A_k)`
//! with the step advantage `A_k` broadcast to every token of step `k`'s action.
//!
//! [`step_advantages_to_tokens`] builds the per-token advantage map and action-token mask that
//! [`crate::policy_loss`] takes (advantages `[B, T]`, mask `[B, T]`), for one step per row or
//! several steps in one multi-turn token sequence (as in MGPO's multi-round masks).
//!
//! Left out: the GAE and critic (they belong to the agent that owns the value head) and the
//! reference's rule "if any ρ > 10 use only the clipped term", whose exact semantics were not
//! verified.

use tch::{Kind, Tensor};

use crate::check;
use crate::error::{GrpoError, Result};

/// Maps step advantages `[B, K]` to tokens through `token_step[B, T]` (integer: the step index
/// `0..K` whose action the token belongs to, or `-1` for prompt, observation, image or padding
/// tokens). Returns `(advantages[B, T], action_mask[B, T])`, both in `step_advantages`' kind;
/// non-action tokens get advantage 0 and mask 0.
///
/// # Errors
/// [`GrpoError`] if `step_advantages` is not a finite floating 2-D tensor, `token_step` is not an
/// integer `[B, T]` tensor on the same device, or an index is `< -1` or `>= K`.
///
/// ```
/// use ocellus_grpo::step_advantages_to_tokens;
/// use tch::Tensor;
/// let step_adv = Tensor::from_slice(&[0.5f64, -1.0]).reshape([1, 2]);
/// let token_step = Tensor::from_slice(&[-1i64, 0, 0, -1, 1]).reshape([1, 5]);
/// let (adv, mask) = step_advantages_to_tokens(&step_adv, &token_step).unwrap();
/// assert_eq!(Vec::<f64>::try_from(adv.reshape([-1])).unwrap(), vec![0.0, 0.5, 0.5, 0.0, -1.0]);
/// assert_eq!(Vec::<f64>::try_from(mask.reshape([-1])).unwrap(), vec![0.0, 1.0, 1.0, 0.0, 1.0]);
/// ```
pub fn step_advantages_to_tokens(
    step_advantages: &Tensor,
    token_step: &Tensor,
) -> Result<(Tensor, Tensor)> {
    check::float("step_advantages", step_advantages)?;
    let (b, k) = check::dims2("step_advantages", step_advantages)?;
    check::finite("step_advantages", step_advantages)?;
    let kind = token_step.f_kind()?;
    if !matches!(kind, Kind::Int64 | Kind::Int | Kind::Int16 | Kind::Int8) {
        return Err(GrpoError::input(
            "token_step",
            format!("expected a signed integer tensor, got {kind:?}"),
        ));
    }
    let (tb, _) = check::dims2("token_step", token_step)?;
    if tb != b {
        return Err(GrpoError::Shape {
            name: "token_step",
            got: token_step.size(),
            expected: format!("[B = {b}, T]"),
        });
    }
    check::device("token_step", token_step, step_advantages.device())?;
    let idx = token_step.f_to_kind(Kind::Int64)?;
    if idx.numel() > 0 {
        let (lo, hi) = (
            idx.f_min()?.f_int64_value(&[])?,
            idx.f_max()?.f_int64_value(&[])?,
        );
        if lo < -1 || hi >= k {
            return Err(GrpoError::input(
                "token_step",
                format!("step indices must be in [-1, {k}), got [{lo}, {hi}]"),
            ));
        }
    }
    let is_action = idx.f_ge(0)?; // [B, T] bool
    let gathered = step_advantages
        .detach()
        .f_gather(1, &idx.f_clamp_min(0)?, false)?; // A_{k(t)}
    let mask = is_action.f_to_kind(step_advantages.kind())?;
    Ok((gathered * &mask, mask))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_steps_are_errors() {
        let step_adv = Tensor::from_slice(&[0.5f64, -1.0]).reshape([1, 2]);
        let bad = Tensor::from_slice(&[0i64, 2]).reshape([1, 2]);
        assert!(matches!(
            step_advantages_to_tokens(&step_adv, &bad),
            Err(GrpoError::Input { .. })
        ));
        let rows = Tensor::from_slice(&[0i64, 1]).reshape([2, 1]);
        assert!(matches!(
            step_advantages_to_tokens(&step_adv, &rows),
            Err(GrpoError::Shape { .. })
        ));
        let float_idx = Tensor::from_slice(&[0.0f64, 1.0]).reshape([1, 2]);
        assert!(step_advantages_to_tokens(&step_adv, &float_idx).is_err());
    }
}
