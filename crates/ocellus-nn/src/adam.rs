//! Adam on tensors, with its state as named tensors.
//!
//! tch's built-in optimisers live in libtorch C++ and do not expose their moments, so a
//! checkpoint could not restore them. This is `torch.optim.Adam`'s single-tensor update
//! (torch 2.13, `torch/optim/adam.py::_single_tensor_adam`, the path PyTorch takes on CPU;
//! no weight decay, no AMSGrad), written with the same tensor operations:
//!
//! ```text
//! t ← t + 1
//! m ← lerp(m, g, 1 − β1)                 (m + (1 − β1)(g − m))
//! v ← β2·v + (1 − β2)·g²
//! step_size = lr / (1 − β1^t)
//! denom = √v / √(1 − β2^t) + ε           (ε outside the square root)
//! θ ← θ − step_size · m / denom
//! ```
//!
//! The bias corrections are computed in f64 on the host from the step count, as PyTorch does
//! (`beta1 ** step` with a Python float). The state of a group is its step count and, per
//! parameter, `exp_avg` (m) and `exp_avg_sq` (v), under the same names PyTorch uses.

use std::collections::HashMap;

use tch::{nn, Kind, Tensor};

use crate::state::{sorted_variables, StateError, StateProblem};

/// Adam's hyper-parameters (PyTorch's defaults except the learning rate).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamConfig {
    /// Learning rate.
    pub lr: f64,
    /// Decay of the first moment (0.9).
    pub beta1: f64,
    /// Decay of the second moment (0.999).
    pub beta2: f64,
    /// Added to the denominator outside the square root (1e-8).
    pub eps: f64,
}

impl AdamConfig {
    /// `torch.optim.Adam(params, lr=lr)`: betas (0.9, 0.999), eps 1e-8.
    pub fn with_lr(lr: f64) -> Self {
        AdamConfig {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }
}

/// Adam over the variables of one `VarStore` (one parameter group), sorted by name.
#[derive(Debug)]
pub struct Adam {
    /// Hyper-parameters (the learning rate may be changed between steps).
    pub config: AdamConfig,
    params: Vec<(String, Tensor)>,
    exp_avg: Vec<Tensor>,
    exp_avg_sq: Vec<Tensor>,
    steps: u64,
}

impl Adam {
    /// An optimiser for every variable of `vs`, with zero moments and step 0.
    pub fn new(vs: &nn::VarStore, config: AdamConfig) -> Self {
        let params = sorted_variables(vs);
        let zeros = |p: &Tensor| tch::no_grad(|| p.zeros_like());
        let exp_avg = params.iter().map(|(_, p)| zeros(p)).collect();
        let exp_avg_sq = params.iter().map(|(_, p)| zeros(p)).collect();
        Adam {
            config,
            params,
            exp_avg,
            exp_avg_sq,
            steps: 0,
        }
    }

    /// One optimiser (one parameter group, one step count) over the variables of several
    /// stores, each store's names prefixed with its label (`"{label}.{name}"`), in the order
    /// given. TACO steps the encoder, its action encoder and its own heads with one Adam of its
    /// own, next to the encoder's Adam of the critic loss (`taco_opt` in the reference).
    pub fn over(stores: &[(&str, &nn::VarStore)], config: AdamConfig) -> Self {
        let params: Vec<(String, Tensor)> = stores
            .iter()
            .flat_map(|(label, vs)| {
                sorted_variables(vs)
                    .into_iter()
                    .map(move |(name, t)| (format!("{label}.{name}"), t))
            })
            .collect();
        let zeros = |p: &Tensor| tch::no_grad(|| p.zeros_like());
        let exp_avg = params.iter().map(|(_, p)| zeros(p)).collect();
        let exp_avg_sq = params.iter().map(|(_, p)| zeros(p)).collect();
        Adam {
            config,
            params,
            exp_avg,
            exp_avg_sq,
            steps: 0,
        }
    }

    /// The parameters with their names, in the order [`Adam::step`] expects gradients.
    pub fn params(&self) -> &[(String, Tensor)] {
        &self.params
    }

    /// Shallow handles of the parameters (the `inputs` of `Tensor::run_backward`).
    pub fn param_tensors(&self) -> Vec<Tensor> {
        self.params.iter().map(|(_, p)| p.shallow_clone()).collect()
    }

    /// Steps taken so far (PyTorch's `state['step']`, equal for every parameter here).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// One Adam step with `grads[i]` the gradient of `params()[i]`.
    ///
    /// # Panics
    /// If the number of gradients differs from the number of parameters or a gradient is
    /// undefined (every parameter of a group must take part in its loss: a programmer error).
    pub fn step(&mut self, grads: &[Tensor]) {
        assert_eq!(grads.len(), self.params.len(), "one gradient per parameter");
        let AdamConfig {
            lr,
            beta1,
            beta2,
            eps,
        } = self.config;
        self.steps += 1;
        let t = self.steps as f64;
        let bias_correction1 = 1.0 - beta1.powf(t);
        let bias_correction2 = 1.0 - beta2.powf(t);
        let step_size = lr / bias_correction1;
        let bias_correction2_sqrt = bias_correction2.sqrt();
        tch::no_grad(|| {
            for (i, g) in grads.iter().enumerate() {
                assert!(
                    g.defined(),
                    "parameter `{}` got no gradient",
                    self.params[i].0
                );
                let m = &mut self.exp_avg[i];
                let v = &mut self.exp_avg_sq[i];
                let _ = m.lerp_(g, 1.0 - beta1);
                let _ = v.g_mul_scalar_(beta2);
                let _ = v.addcmul_(&(g * (1.0 - beta2)), g);
                let mut denom = v.sqrt() / bias_correction2_sqrt;
                let _ = denom.g_add_scalar_(eps);
                let mut p = self.params[i].1.shallow_clone();
                let _ = p.addcdiv_(&(&*m * -step_size), &denom);
            }
        });
    }

    /// Forgets the moments and the step count (DrM/MENTOR reset the optimiser after a
    /// perturbation).
    pub fn reset_state(&mut self) {
        tch::no_grad(|| {
            for t in self.exp_avg.iter_mut().chain(self.exp_avg_sq.iter_mut()) {
                let _ = t.zero_();
            }
        });
        self.steps = 0;
    }

    /// `{prefix}.step` (int64 scalar), then `{prefix}.exp_avg.{name}` and
    /// `{prefix}.exp_avg_sq.{name}` for every parameter (handles sharing storage).
    pub fn state_dict(&self, prefix: &str) -> Vec<(String, Tensor)> {
        let mut out = vec![(format!("{prefix}.step"), Tensor::from(self.steps as i64))];
        for (i, (name, _)) in self.params.iter().enumerate() {
            out.push((
                format!("{prefix}.exp_avg.{name}"),
                self.exp_avg[i].shallow_clone(),
            ));
            out.push((
                format!("{prefix}.exp_avg_sq.{name}"),
                self.exp_avg_sq[i].shallow_clone(),
            ));
        }
        out
    }

    /// The step count stored under `{prefix}.step`.
    ///
    /// # Errors
    /// If it is missing, not an int64 scalar, or negative.
    pub fn read_step(prefix: &str, state: &HashMap<&str, &Tensor>) -> Result<u64, StateError> {
        let key = format!("{prefix}.step");
        let t = state
            .get(key.as_str())
            .ok_or_else(|| StateError::one(StateProblem::Missing { key: key.clone() }))?;
        if t.kind() != Kind::Int64 || !t.size().is_empty() {
            return Err(StateError::one(StateProblem::Value {
                key,
                reason: format!(
                    "expected an int64 scalar, found {:?} {:?}",
                    t.kind(),
                    t.size()
                ),
            }));
        }
        let v = t.int64_value(&[]);
        u64::try_from(v).map_err(|_| {
            StateError::one(StateProblem::Value {
                key,
                reason: format!("negative step count {v}"),
            })
        })
    }

    /// Restores what [`Adam::state_dict`] wrote. Shapes and kinds must already have been
    /// checked (`state::check_state`); the moments are copied into this optimiser's tensors.
    ///
    /// # Errors
    /// If the step count or a moment is missing or invalid; nothing is changed then.
    pub fn load_state(
        &mut self,
        prefix: &str,
        state: &HashMap<&str, &Tensor>,
    ) -> Result<(), StateError> {
        let steps = Self::read_step(prefix, state)?;
        let mut sources = Vec::with_capacity(2 * self.params.len());
        for (name, _) in &self.params {
            for kind in ["exp_avg", "exp_avg_sq"] {
                let key = format!("{prefix}.{kind}.{name}");
                let t = state
                    .get(key.as_str())
                    .ok_or_else(|| StateError::one(StateProblem::Missing { key: key.clone() }))?;
                sources.push(*t);
            }
        }
        tch::no_grad(|| {
            for (i, src) in sources.chunks(2).enumerate() {
                self.exp_avg[i].copy_(src[0]);
                self.exp_avg_sq[i].copy_(src[1]);
            }
        });
        self.steps = steps;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    /// Adam by hand in f64 for one scalar parameter.
    fn reference(theta0: f64, grads: &[f64], c: AdamConfig) -> Vec<f64> {
        let (mut theta, mut m, mut v) = (theta0, 0.0, 0.0);
        let mut out = vec![];
        for (i, &g) in grads.iter().enumerate() {
            let t = (i + 1) as f64;
            m = c.beta1 * m + (1.0 - c.beta1) * g;
            v = c.beta2 * v + (1.0 - c.beta2) * g * g;
            let m_hat = m / (1.0 - c.beta1.powf(t));
            let v_hat = v / (1.0 - c.beta2.powf(t));
            theta -= c.lr * m_hat / (v_hat.sqrt() + c.eps);
            out.push(theta);
        }
        out
    }

    #[test]
    fn matches_hand_computed_steps() {
        let vs = nn::VarStore::new(Device::Cpu);
        let w = vs
            .root()
            .var_copy("w", &Tensor::from_slice(&[1.0f32, -2.0, 0.5]));
        let c = AdamConfig::with_lr(0.1);
        let mut opt = Adam::new(&vs, c);
        // first step: m̂ = g, v̂ = g², so θ moves by lr·g/(|g| + ε) ≈ lr·sign(g)
        let grads = [[0.5f32, -4.0, 1e-3], [0.1, 2.0, 1e-3], [-0.3, 1.0, -2e-3]];
        for g in &grads {
            opt.step(&[Tensor::from_slice(g)]);
        }
        let got = Vec::<f32>::try_from(w.detach()).unwrap();
        for k in 0..3 {
            let gk: Vec<f64> = grads.iter().map(|g| f64::from(g[k])).collect();
            let theta0 = [1.0, -2.0, 0.5][k];
            let want = *reference(theta0, &gk, c).last().unwrap();
            assert!(
                (f64::from(got[k]) - want).abs() < 1e-6,
                "param {k}: {} vs {want}",
                got[k]
            );
        }
        // the first step, by hand: 1 − 0.1·0.5/(0.5 + 1e-8)
        let first = reference(1.0, &[0.5], c)[0];
        assert!((first - (1.0 - 0.1 * 0.5 / (0.5 + 1e-8))).abs() < 1e-15);
        assert_eq!(opt.steps(), 3);
    }

    #[test]
    fn state_round_trip_is_bit_exact() {
        let make = || {
            let vs = nn::VarStore::new(Device::Cpu);
            let _ = vs.root().var_copy("a", &Tensor::from_slice(&[1.0f32, 2.0]));
            let _ = vs.root().var_copy("b", &Tensor::from_slice(&[3.0f32]));
            vs
        };
        let (vs1, vs2) = (make(), make());
        let mut o1 = Adam::new(&vs1, AdamConfig::with_lr(1e-2));
        let mut o2 = Adam::new(&vs2, AdamConfig::with_lr(1e-2));
        let g = [
            Tensor::from_slice(&[0.3f32, -0.7]),
            Tensor::from_slice(&[0.01f32]),
        ];
        o1.step(&g);
        o2.step(&g);
        // perturb o2, then restore it from o1's state
        o2.step(&g);
        let sd = o1.state_dict("opt");
        let keys: Vec<&str> = sd.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "opt.step",
                "opt.exp_avg.a",
                "opt.exp_avg_sq.a",
                "opt.exp_avg.b",
                "opt.exp_avg_sq.b"
            ]
        );
        let map: HashMap<&str, &Tensor> = sd.iter().map(|(k, t)| (k.as_str(), t)).collect();
        o2.load_state("opt", &map).unwrap();
        tch::no_grad(|| {
            for ((_, p1), (_, p2)) in sorted_variables(&vs1).iter().zip(sorted_variables(&vs2)) {
                let mut p2 = p2;
                p2.copy_(p1);
            }
        });
        o1.step(&g);
        o2.step(&g);
        for ((_, p1), (_, p2)) in sorted_variables(&vs1).iter().zip(sorted_variables(&vs2)) {
            assert!(p1.equal(&p2));
        }
        let bad = Tensor::from(-1i64);
        let map: HashMap<&str, &Tensor> = [("opt.step", &bad)].into_iter().collect();
        assert!(Adam::read_step("opt", &map)
            .unwrap_err()
            .to_string()
            .contains("negative"));
    }
}
