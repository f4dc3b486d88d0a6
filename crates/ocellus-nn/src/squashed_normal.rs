//! The tanh-squashed Gaussian policy of SAC and DrQ: `a = tanh(u)`, `u ~ N(loc, scale)`.
//!
//! Sources: Haarnoja et al. 2018, "Soft Actor-Critic", arXiv:1801.01290, Appendix C (Eq. 21:
//! `log π(a|s) = log μ(u|s) − Σ_i log(1 − tanh²(u_i))`); DrQ (Kostrikov, Yarats, Fergus 2020,
//! arXiv:2004.13649; code denisyarats/drq `utils.SquashedNormal`) uses it with the log-std
//! squashed into `[−10, 2]` (see [`bounded_log_std`]).
//!
//! `log(1 − tanh²(u))` is computed as `2·(ln 2 − u − softplus(−2u))`, which is exact and stays
//! finite where `tanh(u)` rounds to ±1 in f32.
//!
//! The standard-normal draws come from the caller (an [`Rng`]), not torch's generator.

use tch::{Kind, Tensor};

use crate::rng::Rng;

/// `½ ln(2π)`.
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_7;

/// `min + ½ (max − min)(tanh(raw) + 1)`: an unbounded network output mapped smoothly into
/// `[min, max]` (DrQ's `log_std_bounds = [−10, 2]`).
pub fn bounded_log_std(raw: &Tensor, min: f64, max: f64) -> Tensor {
    (raw.tanh() + 1.0) * (0.5 * (max - min)) + min
}

/// `tanh(N(loc, exp(log_std)))`, per action dimension independent.
#[derive(Debug)]
pub struct SquashedNormal {
    /// Mean of the Gaussian before the tanh, `[B, A]`.
    pub loc: Tensor,
    /// Log standard deviation of the Gaussian before the tanh, `[B, A]`.
    pub log_std: Tensor,
}

impl SquashedNormal {
    /// The distribution with pre-tanh mean `loc` and log-std `log_std` (same shape).
    pub fn new(loc: Tensor, log_std: Tensor) -> Self {
        SquashedNormal { loc, log_std }
    }

    /// `tanh(loc)`: the action used for deterministic evaluation (DrQ's `dist.mean`).
    pub fn mean(&self) -> Tensor {
        self.loc.tanh()
    }

    /// A reparameterised sample from standard-normal `noise` (shape of `loc`) and its log
    /// density summed over the action dimension: `(a [B, A], log π(a) [B, 1])`. Gradients
    /// flow to `loc` and `log_std` through both.
    pub fn rsample_from_noise(&self, noise: &Tensor) -> (Tensor, Tensor) {
        let u = &self.loc + noise * self.log_std.exp();
        // log N(u; loc, σ) = −ε²/2 − ln σ − ½ ln 2π, with ε = (u − loc)/σ = noise
        let gaussian = noise.square() * -0.5 - &self.log_std - HALF_LN_2PI;
        // log(1 − tanh²u) = 2 (ln 2 − u − softplus(−2u))
        let log_det = ((&u * -2.0).softplus() + &u - std::f64::consts::LN_2) * -2.0;
        let log_prob = (gaussian - log_det).sum_dim_intlist(-1, true, Kind::Float);
        (u.tanh(), log_prob)
    }

    /// [`SquashedNormal::rsample_from_noise`] with noise drawn from `rng` on the host.
    pub fn rsample(&self, rng: &mut Rng) -> (Tensor, Tensor) {
        let noise = rng.normal_tensor(&self.loc.size(), self.loc.device());
        self.rsample_from_noise(&noise)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f32], shape: &[i64]) -> Tensor {
        Tensor::from_slice(v).view(shape)
    }

    #[test]
    fn log_prob_matches_the_change_of_variables_by_hand() {
        // loc 0.5, σ = e^{-1}, noise 0.3 → u = 0.5 + 0.3·0.367879 = 0.610364
        // log N = −0.045 + 1 − 0.918939 = 0.036061
        // log(1 − tanh²u): tanh(0.610364) = 0.544383, ln(1 − 0.296353) = −0.351479
        // log π = 0.036061 + 0.351479 = 0.387540
        let d = SquashedNormal::new(t(&[0.5], &[1, 1]), t(&[-1.0], &[1, 1]));
        let (a, lp) = d.rsample_from_noise(&t(&[0.3], &[1, 1]));
        assert!((a.double_value(&[0, 0]) - 0.544_383).abs() < 1e-5);
        assert!((lp.double_value(&[0, 0]) - 0.387_540).abs() < 1e-5);
        assert_eq!(lp.size(), [1, 1]);
    }

    #[test]
    fn log_prob_sums_over_actions_and_stays_finite_when_saturated() {
        // Two dims: the sum of the one-dimensional log densities.
        let d = SquashedNormal::new(t(&[0.5, -20.0], &[1, 2]), t(&[-1.0, 0.0], &[1, 2]));
        let (a, lp) = d.rsample_from_noise(&t(&[0.3, 0.0], &[1, 2]));
        // second dim: u = −20, tanh rounds to −1 in f32; log N = −0.918939,
        // log(1 − tanh²(−20)) = 2(ln 2 + 20 − softplus(40)) = 2(0.693147 + 20 − 40) = −38.613706
        let expected = 0.387_540 + (-0.918_939 + 38.613_706);
        assert!(lp.double_value(&[0, 0]).is_finite());
        assert!((lp.double_value(&[0, 0]) - expected).abs() < 1e-3);
        assert!((a.double_value(&[0, 1]) + 1.0).abs() < 1e-6);
    }

    #[test]
    fn density_integrates_to_one_over_the_action_interval() {
        // π(a) evaluated along a fine grid of pre-tanh noise; Σ π(a_i)·Δa_i over (−1, 1) must be 1
        // (the Jacobian term is what makes it so: without it the sum is E[1 − a²] < 1).
        let n = 40_001;
        let noise = Tensor::linspace(-8.0, 8.0, n, (Kind::Float, tch::Device::Cpu)).view([n, 1]);
        let d = SquashedNormal::new(
            Tensor::full([n, 1], 0.7, (Kind::Float, tch::Device::Cpu)),
            Tensor::full([n, 1], 0.3, (Kind::Float, tch::Device::Cpu)),
        );
        let (a, lp) = d.rsample_from_noise(&noise);
        let a: Vec<f64> = Vec::<f32>::try_from(a.view([-1]))
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect();
        let p: Vec<f64> = Vec::<f32>::try_from(lp.exp().view([-1]))
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect();
        let integral: f64 = (1..a.len())
            .map(|i| 0.5 * (p[i] + p[i - 1]) * (a[i] - a[i - 1]))
            .sum();
        assert!((integral - 1.0).abs() < 1e-3, "integral {integral}");
    }

    #[test]
    fn bounded_log_std_maps_into_the_bounds() {
        let raw = t(&[-100.0, 0.0, 100.0], &[3]);
        let s = bounded_log_std(&raw, -10.0, 2.0);
        assert!((s.double_value(&[0]) + 10.0).abs() < 1e-6);
        assert!((s.double_value(&[1]) + 4.0).abs() < 1e-6);
        assert!((s.double_value(&[2]) - 2.0).abs() < 1e-6);
    }
}
