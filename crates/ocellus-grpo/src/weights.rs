//! Per-sample loss weights from vision RLVR papers, fed to [`crate::LossInputs::sample_weights`].
//!
//! - UniVG-R1 difficulty-aware weight (Bai et al. 2025, arXiv 2505.14231). Reference code:
//!   AMAP-ML/UniVG-R1 (snapshot 2025-06-02) `trainer/grpo_trainer.py` l.655 and l.746-753: `miou` is
//!   the mean of the first reward function (IoU) over the local rollout batch, and the per-token
//!   loss is multiplied by `exp(1 − miou)` (`miou_adjust_math=exp`, used by `run_grpo_univg.sh`);
//!   alternatives `(1.05 − miou)^w` (`power`) and `−log(0.02 + miou)` (`log`).
//! - GUI-G1 per-sample rates (Zhou et al. 2025, arXiv 2505.15810). Reference code:
//!   Yuqi-Zhou/GUI-G1 (snapshot 2025-09-16) `trainer/grpo_trainer.py` l.639-739: loss
//!   `= mean_i[rate_i · Σ_t l_{i,t} / 64]` with `rate` read per example from the dataset JSON
//!   (`data/GUI-R1-3K.json` has `"rate": 1`). Use it with
//!   [`Aggregation::SeqMeanTokenSumNorm { max_len: 64.0 }`](crate::Aggregation::SeqMeanTokenSumNorm)
//!   and [`crate::dr_grpo_advantages`] (GUI-G1 comments out the std division). How the paper
//!   defines the difficulty behind `rate` (box-size based) is UNVERIFIED, so this crate only
//!   validates and lays out rates computed elsewhere.
//!
//! Deviations from the reference code:
//! 1. [`univg_difficulty_weights`] maps any tensor of mIoU values elementwise; UniVG-R1 itself uses
//!    one batch-mean mIoU for the whole batch — pass a 0-d or `[1]` tensor of `ious.mean()` (and
//!    expand it to `[B]`) to reproduce that exactly, or per-group mIoUs for per-prompt difficulty.

use tch::{Kind, Tensor};

use crate::check;
use crate::error::{GrpoError, Result};

/// UniVG-R1's map from mean IoU to a loss weight (`miou_adjust_math`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DifficultyScheme {
    /// `exp(1 − mIoU)`: weight e at mIoU 0, 1 at mIoU 1 (the released script's choice).
    Exp,
    /// `(1.05 − mIoU)^exponent`.
    Power {
        /// The exponent `w` (> 0).
        exponent: f64,
    },
    /// `−ln(0.02 + mIoU)`.
    Log,
}

/// UniVG-R1 difficulty weights, elementwise over `miou` (values in [0, 1]); same shape and kind.
///
/// # Errors
/// [`GrpoError`] if `miou` is not floating, has a value outside [0, 1] or NaN, or the power
/// exponent is not finite and > 0.
///
/// ```
/// use ocellus_grpo::{univg_difficulty_weights, DifficultyScheme};
/// use tch::Tensor;
/// let w = univg_difficulty_weights(&Tensor::from_slice(&[0.0f64, 1.0]), DifficultyScheme::Exp).unwrap();
/// assert!((w.double_value(&[0]) - std::f64::consts::E).abs() < 1e-12);
/// assert!((w.double_value(&[1]) - 1.0).abs() < 1e-12);
/// ```
pub fn univg_difficulty_weights(miou: &Tensor, scheme: DifficultyScheme) -> Result<Tensor> {
    check::float("miou", miou)?;
    let in_range = miou
        .f_ge(0.0)?
        .f_logical_and(&miou.f_le(1.0)?)?
        .f_all()?
        .f_int64_value(&[])?
        != 0;
    if !in_range {
        return Err(GrpoError::input(
            "miou",
            "mean IoU values must lie in [0, 1]",
        ));
    }
    let miou = miou.detach();
    Ok(match scheme {
        DifficultyScheme::Exp => (1f64 - &miou).exp(),
        DifficultyScheme::Power { exponent } => {
            if !(exponent.is_finite() && exponent > 0.0) {
                return Err(GrpoError::config(
                    "exponent",
                    exponent,
                    "must be finite and > 0",
                ));
            }
            (1.05f64 - &miou).pow_tensor_scalar(exponent)
        }
        DifficultyScheme::Log => -(miou + 0.02).log(),
    })
}

/// GUI-G1-style per-sample weights: one `rate` per prompt, repeated for its `group_size` responses,
/// as a `[num_groups · group_size]` f64 tensor in the row order of [`crate::policy_loss`].
///
/// # Errors
/// [`GrpoError`] if `group_size` is 0, `rates` is empty, or a rate is negative or not finite.
pub fn per_prompt_sample_weights(rates: &[f64], group_size: usize) -> Result<Tensor> {
    if group_size == 0 {
        return Err(GrpoError::config("group_size", group_size, "must be >= 1"));
    }
    if rates.is_empty() {
        return Err(GrpoError::input("rates", "no rates given"));
    }
    if let Some(bad) = rates.iter().find(|r| !(r.is_finite() && **r >= 0.0)) {
        return Err(GrpoError::input(
            "rates",
            format!("rate {bad} is not finite and >= 0"),
        ));
    }
    let per_sample: Vec<f64> = rates
        .iter()
        .flat_map(|&r| std::iter::repeat_n(r, group_size))
        .collect();
    Ok(Tensor::f_from_slice(&per_sample)?.f_to_kind(Kind::Double)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn univg_schemes() {
        let m = Tensor::from_slice(&[0.0f64, 0.5, 1.0]);
        let exp =
            Vec::<f64>::try_from(univg_difficulty_weights(&m, DifficultyScheme::Exp).unwrap())
                .unwrap();
        let want = [1f64.exp(), 0.5f64.exp(), 1.0];
        exp.iter()
            .zip(want)
            .for_each(|(a, b)| assert!((a - b).abs() < 1e-12));
        let pw = univg_difficulty_weights(&m, DifficultyScheme::Power { exponent: 2.0 }).unwrap();
        let pw = Vec::<f64>::try_from(pw).unwrap();
        [1.05f64 * 1.05, 0.55 * 0.55, 0.05 * 0.05]
            .iter()
            .zip(pw)
            .for_each(|(a, b)| assert!((a - b).abs() < 1e-12));
        let lg = Vec::<f64>::try_from(univg_difficulty_weights(&m, DifficultyScheme::Log).unwrap())
            .unwrap();
        [-(0.02f64.ln()), -(0.52f64.ln()), -(1.02f64.ln())]
            .iter()
            .zip(lg)
            .for_each(|(a, b)| assert!((a - b).abs() < 1e-12));
    }

    #[test]
    fn univg_rejects_out_of_range() {
        let m = Tensor::from_slice(&[1.2f64]);
        assert!(matches!(
            univg_difficulty_weights(&m, DifficultyScheme::Exp),
            Err(GrpoError::Input { .. })
        ));
        let nan = Tensor::from_slice(&[f64::NAN]);
        assert!(univg_difficulty_weights(&nan, DifficultyScheme::Exp).is_err());
        let ok = Tensor::from_slice(&[0.5f64]);
        assert!(matches!(
            univg_difficulty_weights(&ok, DifficultyScheme::Power { exponent: -1.0 }),
            Err(GrpoError::Config {
                field: "exponent",
                ..
            })
        ));
    }

    #[test]
    fn rates_repeat_per_group() {
        let w = per_prompt_sample_weights(&[1.0, 0.5], 3).unwrap();
        assert_eq!(
            Vec::<f64>::try_from(w).unwrap(),
            vec![1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
        );
        assert!(per_prompt_sample_weights(&[1.0, -0.5], 3).is_err());
        assert!(per_prompt_sample_weights(&[1.0], 0).is_err());
    }
}
