//! DrQ-v2's "truncated" normal: a Gaussian sample clamped into the action box with a
//! straight-through gradient.
//!
//! Reference: `utils.py::TruncatedNormal` (facebookresearch/drqv2 @ c0c650b), a subclass of
//! `torch.distributions.Normal(loc, scale)` with `low = −1`, `high = 1`, `eps = 1e-6`:
//!
//! * `sample(clip)`: `ε = N(0, 1) · scale`; if `clip` is given, `ε = clamp(ε, −clip, clip)`
//!   (target-policy smoothing noise, `stddev_clip = 0.3`); `x = loc + ε`; then
//!   `_clamp(x) = x − x.detach() + clamp(x, low + eps, high − eps).detach()`: the **value** is
//!   clamped to `[−1 + 1e-6, 1 − 1e-6]`, the **gradient** is the identity (∂x/∂loc = 1 even
//!   where the clamp is active). The noise clamp, in contrast, is an ordinary clamp of a
//!   constant (no gradient either way: ε does not depend on parameters).
//! * `mean` is `loc` (unclamped; DrQ-v2's loc is already `tanh(·)`).
//! * `log_prob` and `entropy` are the plain Normal's (the truncation is not accounted for):
//!   `log p(x) = −(x − loc)²/(2σ²) − ln σ − ln √(2π)`, `H = ½ + ½ ln(2π) + ln σ`.
//!
//! The standard-normal draws come from the caller (an [`Rng`]), not torch's generator.

use tch::Tensor;

use crate::rng::Rng;

/// `Normal(loc, scale)` sampled with noise clipping and a straight-through clamp into
/// `[low + eps, high − eps]`.
#[derive(Debug)]
pub struct TruncatedNormal {
    /// Mean, `[B, A]`.
    pub loc: Tensor,
    /// Standard deviation, broadcastable to `loc`.
    pub scale: Tensor,
    /// Lower bound of the action box (−1).
    pub low: f64,
    /// Upper bound of the action box (1).
    pub high: f64,
    /// Margin inside the bounds (1e-6).
    pub eps: f64,
}

impl TruncatedNormal {
    /// The reference's defaults: bounds ±1, eps 1e-6; `scale` is a constant σ.
    pub fn new(loc: Tensor, scale: f64) -> Self {
        // reference: std = torch.ones_like(mu) * std
        let scale = loc.ones_like().detach() * scale;
        TruncatedNormal {
            loc,
            scale,
            low: -1.0,
            high: 1.0,
            eps: 1e-6,
        }
    }

    /// The mean (`loc`), used for deterministic evaluation.
    pub fn mean(&self) -> Tensor {
        self.loc.shallow_clone()
    }

    /// A sample from standard-normal `noise` (same shape as `loc`): `loc + clamp(noise·σ, ±clip)`,
    /// then clamped into the box with a straight-through gradient.
    pub fn sample_from_noise(&self, noise: &Tensor, clip: Option<f64>) -> Tensor {
        let mut eps = noise * &self.scale;
        if let Some(c) = clip {
            eps = eps.clamp(-c, c);
        }
        let x = &self.loc + eps;
        self.straight_through_clamp(&x)
    }

    /// [`TruncatedNormal::sample_from_noise`] with noise drawn from `rng` on the host.
    pub fn sample(&self, rng: &mut Rng, clip: Option<f64>) -> Tensor {
        let noise = rng.normal_tensor(&self.loc.size(), self.loc.device());
        self.sample_from_noise(&noise, clip)
    }

    /// `x − x.detach() + clamp(x, low + eps, high − eps).detach()`: clamped value, identity
    /// gradient.
    pub fn straight_through_clamp(&self, x: &Tensor) -> Tensor {
        let clamped = x.clamp(self.low + self.eps, self.high - self.eps).detach();
        x - x.detach() + clamped
    }

    /// The Normal's log-density of `x` per element (no truncation correction).
    pub fn log_prob(&self, x: &Tensor) -> Tensor {
        // torch.distributions.Normal.log_prob:
        // -((value - loc) ** 2) / (2 * var) - log(scale) - log(sqrt(2 * pi))
        let var = self.scale.square();
        -(x - &self.loc).square() / (var * 2.0)
            - self.scale.log()
            - (2.0 * std::f64::consts::PI).sqrt().ln()
    }

    /// The Normal's entropy per element: `½ + ½ ln(2π) + ln σ`.
    pub fn entropy(&self) -> Tensor {
        self.scale.log() + (0.5 + 0.5 * (2.0 * std::f64::consts::PI).ln())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    fn cpu(v: &[f32]) -> Tensor {
        Tensor::from_slice(v)
    }

    #[test]
    fn values_are_clamped_but_gradient_passes_straight_through() {
        let loc = cpu(&[0.0, 0.9, -0.9, 0.5]).set_requires_grad(true);
        let d = TruncatedNormal::new(loc.shallow_clone(), 1.0);
        let noise = cpu(&[0.1, 0.5, -0.5, 3.0]);
        let x = d.sample_from_noise(&noise, None);
        let got = Vec::<f32>::try_from(&x).unwrap();
        assert_eq!(got[0], 0.1);
        assert_eq!(got[1], (1.0 - 1e-6) as f32);
        assert_eq!(got[2], (-1.0 + 1e-6) as f32);
        assert_eq!(got[3], (1.0 - 1e-6) as f32);
        let g = Tensor::run_backward(&[x.sum(Kind::Float)], &[&loc], false, false);
        assert_eq!(Vec::<f32>::try_from(&g[0]).unwrap(), vec![1.0; 4]);
    }

    #[test]
    fn noise_clip_bounds_the_perturbation() {
        let loc = Tensor::zeros([10_000], (Kind::Float, Device::Cpu));
        let d = TruncatedNormal::new(loc, 0.5);
        let x = d.sample(&mut Rng::new(0, 0), Some(0.3));
        assert!(x.abs().max().double_value(&[]) <= 0.3 + 1e-7);
        // about P(|N(0, 0.5)| > 0.3) = 2·(1 − Φ(0.6)) ≈ 0.549 of the samples sit on the clip
        let at_clip = x
            .abs()
            .ge(0.3 - 1e-7)
            .to_kind(Kind::Float)
            .mean(Kind::Float)
            .double_value(&[]);
        assert!((at_clip - 0.5485).abs() < 0.02, "{at_clip}");
    }

    #[test]
    fn unclipped_samples_have_the_normal_moments_inside_the_box() {
        let loc = Tensor::full([50_000], 0.1, (Kind::Float, Device::Cpu));
        let d = TruncatedNormal::new(loc, 0.2);
        let x = d.sample(&mut Rng::new(1, 0), None);
        let mean = x.mean(Kind::Float).double_value(&[]);
        let std = x.std(true).double_value(&[]);
        assert!((mean - 0.1).abs() < 0.005, "{mean}");
        // the box clamps only beyond 4.5σ here, so the std is the Normal's
        assert!((std - 0.2).abs() < 0.005, "{std}");
        assert!(x.abs().max().double_value(&[]) <= 1.0 - 1e-6 + 1e-7);
        assert!(d.mean().equal(&d.loc));
    }

    #[test]
    fn log_prob_and_entropy_are_the_normals() {
        let d = TruncatedNormal::new(cpu(&[0.0, 1.0]), 2.0);
        let lp = Vec::<f32>::try_from(d.log_prob(&cpu(&[0.0, 3.0]))).unwrap();
        let c = -(2.0f64).ln() - (2.0 * std::f64::consts::PI).sqrt().ln();
        assert!((f64::from(lp[0]) - c).abs() < 1e-6);
        assert!((f64::from(lp[1]) - (c - 0.5)).abs() < 1e-6);
        let h = Vec::<f32>::try_from(d.entropy()).unwrap();
        let want = 0.5 + 0.5 * (2.0 * std::f64::consts::PI).ln() + (2.0f64).ln();
        assert!((f64::from(h[0]) - want).abs() < 1e-6);
    }
}
