//! PaCo-RL's log-tamed multi-reward aggregation.
//!
//! **Source.** PaCo-RL (arXiv 2512.04784; image generation), X-GenGroup/PaCo-RL
//! `PaCo-GRPO/config/grpo.py` l.204-291, `log_tame_aggregate_fn`:
//!
//! ```text
//! h_k = std(r_k) / (mean(r_k) + 1e-6)          over the batch, population std (np.std)
//! τ   = mean_k h_k | median_k h_k | a fixed value
//! r_k ← log(1 + r_k)   if h_k > τ
//! R   = Σ_k w_k r_k                             (then GRPO normalisation, outside this crate)
//! ```
//!
//! This is a batch-level function, not a [`crate::Verifier`].
//!
//! **Deviation.** `log(1 + r)` of a reward `<= -1` is NaN in NumPy; here it is
//! [`RewardError::InvalidConfig`]. Non-finite rewards are rejected too.

use crate::error::RewardError;

/// The threshold τ on the coefficient of variation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TameThreshold {
    /// Mean of the `h_k` (PaCo's default).
    Mean,
    /// Median of the `h_k` (NumPy's: mean of the two middle values for an even count).
    Median,
    /// A fixed value.
    Fixed(f64),
}

/// One reward type over the batch.
#[derive(Clone, Debug, PartialEq)]
pub struct RewardColumn {
    /// The reward's name, for reporting.
    pub name: String,
    /// Its weight `w_k`.
    pub weight: f64,
    /// Its value for each sample of the batch.
    pub values: Vec<f64>,
}

/// What [`log_tame_aggregate`] computed.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// `R` per sample.
    pub rewards: Vec<f64>,
    /// `h_k` per reward type.
    pub coefficient_of_variation: Vec<f64>,
    /// τ.
    pub threshold: f64,
    /// Whether `log(1 + r)` was applied, per reward type.
    pub tamed: Vec<bool>,
}

/// Log-tamed weighted sum of several rewards (see the module docs).
///
/// ```
/// use ocellus_rewards::paco::{log_tame_aggregate, RewardColumn, TameThreshold};
/// let cols = [
///     RewardColumn { name: "steady".into(), weight: 1.0, values: vec![1.0, 1.0] },
///     RewardColumn { name: "spiky".into(), weight: 1.0, values: vec![0.0, 2.0] },
/// ];
/// let agg = log_tame_aggregate(&cols, TameThreshold::Mean).unwrap();
/// // h = [0, ~1], τ ~ 0.5: only "spiky" is tamed.
/// assert_eq!(agg.tamed, vec![false, true]);
/// assert!((agg.rewards[1] - (1.0 + 3f64.ln())).abs() < 1e-12);
/// ```
pub fn log_tame_aggregate(
    columns: &[RewardColumn],
    threshold: TameThreshold,
) -> Result<Aggregate, RewardError> {
    let Some(first) = columns.first() else {
        return Err(RewardError::InvalidConfig {
            what: "reward columns",
            why: "none given".into(),
        });
    };
    let n = first.values.len();
    if n == 0 {
        return Err(RewardError::InvalidConfig {
            what: "reward columns",
            why: "empty batch".into(),
        });
    }
    for c in columns {
        if c.values.len() != n {
            return Err(RewardError::InvalidConfig {
                what: "reward columns",
                why: format!("{:?} has {} values, expected {n}", c.name, c.values.len()),
            });
        }
        if !c.weight.is_finite() || c.values.iter().any(|v| !v.is_finite()) {
            return Err(RewardError::InvalidConfig {
                what: "reward columns",
                why: format!("{:?} has a non-finite weight or value", c.name),
            });
        }
    }
    let h: Vec<f64> = columns
        .iter()
        .map(|c| {
            let mean = c.values.iter().sum::<f64>() / n as f64;
            let var = c.values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
            var.sqrt() / (mean + 1e-6)
        })
        .collect();
    let tau = match threshold {
        TameThreshold::Mean => h.iter().sum::<f64>() / h.len() as f64,
        TameThreshold::Median => {
            let mut s = h.clone();
            s.sort_by(f64::total_cmp);
            let m = s.len() / 2;
            if s.len() % 2 == 1 {
                s[m]
            } else {
                0.5 * (s[m - 1] + s[m])
            }
        }
        TameThreshold::Fixed(t) => t,
    };
    let tamed: Vec<bool> = h.iter().map(|&hk| hk > tau).collect();
    let mut rewards = vec![0.0; n];
    for (c, &t) in columns.iter().zip(&tamed) {
        for (r, &v) in rewards.iter_mut().zip(&c.values) {
            let x = if t {
                if v <= -1.0 {
                    return Err(RewardError::InvalidConfig {
                        what: "reward value",
                        why: format!("log(1 + {v}) of {:?} is undefined", c.name),
                    });
                }
                v.ln_1p()
            } else {
                v
            };
            *r += c.weight * x;
        }
    }
    Ok(Aggregate {
        rewards,
        coefficient_of_variation: h,
        threshold: tau,
        tamed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, w: f64, v: &[f64]) -> RewardColumn {
        RewardColumn {
            name: name.into(),
            weight: w,
            values: v.to_vec(),
        }
    }

    #[test]
    fn hand_computed_three_rewards() {
        // a: [2, 4]: mean 3, std 1, h = 1/(3+1e-6); b: [2, 2]: h = 0; c: [0, 4]: mean 2, std 2, h ~ 1.
        let cols = [
            col("a", 1.0, &[2.0, 4.0]),
            col("b", 2.0, &[2.0, 2.0]),
            col("c", 0.5, &[0.0, 4.0]),
        ];
        let agg = log_tame_aggregate(&cols, TameThreshold::Mean).unwrap();
        let ha = 1.0 / (3.0 + 1e-6);
        let hc = 2.0 / (2.0 + 1e-6);
        assert!((agg.threshold - (ha + hc) / 3.0).abs() < 1e-12);
        // tau ~ 4/9: a (1/3) stays, c (~1) is tamed.
        assert_eq!(agg.tamed, vec![false, false, true]);
        let want0 = 2.0 + 2.0 * 2.0 + 0.5 * 0f64.ln_1p();
        let want1 = 4.0 + 2.0 * 2.0 + 0.5 * 4f64.ln_1p();
        assert!((agg.rewards[0] - want0).abs() < 1e-12 && (agg.rewards[1] - want1).abs() < 1e-12);
        // Median of [ha, 0, hc] = ha: only c above it.
        let med = log_tame_aggregate(&cols, TameThreshold::Median).unwrap();
        assert_eq!(med.threshold, ha);
        assert_eq!(med.tamed, vec![false, false, true]);
        // Fixed 0: both a and c tamed.
        assert_eq!(
            log_tame_aggregate(&cols, TameThreshold::Fixed(0.0))
                .unwrap()
                .tamed,
            vec![true, false, true]
        );
    }

    #[test]
    fn invalid_inputs_are_errors() {
        assert!(log_tame_aggregate(&[], TameThreshold::Mean).is_err());
        assert!(log_tame_aggregate(&[col("a", 1.0, &[])], TameThreshold::Mean).is_err());
        assert!(log_tame_aggregate(
            &[col("a", 1.0, &[1.0]), col("b", 1.0, &[1.0, 2.0])],
            TameThreshold::Mean
        )
        .is_err());
        assert!(log_tame_aggregate(&[col("a", 1.0, &[f64::NAN])], TameThreshold::Mean).is_err());
        // A tamed reward <= -1.
        let r = log_tame_aggregate(&[col("a", 1.0, &[-1.0, 5.0])], TameThreshold::Fixed(-10.0));
        assert!(r.is_err());
    }
}
