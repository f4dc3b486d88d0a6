//! DrQ (v1) as options of the DrQ-v2 learner: the max-entropy (SAC) actor with its learned
//! temperature (`agent.policy = "max_entropy"`), and the averaging of the target over K and of
//! the critic loss over M augmented copies (`agent.target_augmentations`,
//! `agent.critic_augmentations`).
//!
//! **Paper:** Ilya Kostrikov, Denis Yarats, Rob Fergus, "Image Augmentation Is All You Need:
//! Regularizing Deep Reinforcement Learning from Pixels", ICLR 2021, arXiv:2004.13649 (Eqs. 1
//! and 3 for K and M; Algorithm 1). **Reference code:** denisyarats/drq (`drq.py`:
//! `DRQAgent.update_critic`, `update_actor_and_alpha`; `config.yaml`: `init_temperature: 0.1`,
//! `log_std_bounds: [-10, 2]`). SAC: Haarnoja et al. 2018, arXiv:1801.01290, Eqs. 17–18.
//!
//! The equations (numbered as in `mod.rs`): 2′ the soft target
//! `y = r⁽ⁿ⁾ + γ_b·(min_k Q̄_k(h', a') − α·log π(a'|h'))`, 4′ the actor loss
//! `L(φ) = α·log π(a|h) − min_k Q_θk(h, a)`, 7 the temperature loss `J(α) = α·(−log π − H̄)`;
//! the target and the critic loss live in the critic step of `mod.rs`, which reads K and M
//! through [`stacked_copies`] and [`DrQV2Agent::shifted_copies`] here.

use ocellus_nn::adam::{Adam, AdamConfig};
use tch::{nn, Device, Kind, Tensor};

use super::{actor_dormant_ratio, saturation, scalars, ActorMetrics, DrQV2Agent};

/// `[copies·N, …]`: `rows` repeated `copies` times along dim 0, copy after copy (a handle on
/// `rows` itself for one copy, so DrQ-v2's path gains no op).
pub(super) fn stacked_copies(rows: &Tensor, copies: i64) -> Tensor {
    if copies == 1 {
        rows.shallow_clone()
    } else {
        let mut repeats = vec![1; rows.dim()];
        repeats[0] = copies;
        rows.repeat(repeats.as_slice())
    }
}

/// The learned temperature α = exp(log α) of the max-entropy policy, with its own Adam.
///
/// Variable: `log_alpha` `[1]`, initialised to `ln(init_temperature)`.
#[derive(Debug)]
pub(super) struct Temperature {
    pub(super) vs: nn::VarStore,
    pub(super) log_alpha: Tensor,
    pub(super) opt: Adam,
    /// H̄ = −|A| (SAC's heuristic, DrQ's `target_entropy = -action_shape[0]`).
    target_entropy: f64,
}

impl Temperature {
    pub(super) fn new(device: Device, init: f64, action_dim: i64, adam: AdamConfig) -> Self {
        let vs = nn::VarStore::new(device);
        let log_alpha = vs
            .root()
            .var_copy("log_alpha", &Tensor::from_slice(&[init.ln() as f32]));
        let opt = Adam::new(&vs, adam);
        Temperature {
            vs,
            log_alpha,
            opt,
            target_entropy: -(action_dim as f64),
        }
    }

    /// α without gradient, `[1]`.
    pub(super) fn alpha(&self) -> Tensor {
        self.log_alpha.detach().exp()
    }
}

impl DrQV2Agent {
    /// Eqs. 4′ and 7 (SAC, Haarnoja et al. 2018, Eqs. 17–18; DrQ's `update_actor_and_alpha`):
    /// the actor step `L(φ) = α·log π(a|h) − min_k Q_θk(h, a)`, a ~ π reparameterised, on
    /// detached features; then the temperature step `J(α) = α·(−log π(a|h) − H̄)` with log π
    /// held fixed (α rises while the policy's entropy is below H̄ = −|A|).
    pub(super) fn update_actor_max_entropy(&mut self, features: &Tensor) -> ActorMetrics {
        let temperature = self
            .temperature
            .as_mut()
            .expect("called for a max-entropy agent only");
        let alpha = temperature.alpha();
        let dormant_ratio = actor_dormant_ratio(&self.actor, features);
        let dist = self.actor.squashed(features);
        let (action, log_prob) = dist.rsample(&mut self.policy_noise_rng); // [B, A], [B, 1]
        let (q1, q2) = self.critic.forward(features, &action);
        let mut loss = (&log_prob * &alpha - q1.minimum(&q2)).mean(Kind::Float);
        if self.config.actor_preact_l2 > 0.0 {
            loss += dist.loc.square().mean(Kind::Float) * self.config.actor_preact_l2;
        }
        let grads = Tensor::run_backward(&[&loss], &self.actor_opt.param_tensors(), false, false);
        self.actor_opt.step(&grads);
        let log_prob = log_prob.detach();
        let alpha_loss = (temperature.log_alpha.exp() * (-&log_prob - temperature.target_entropy))
            .mean(Kind::Float);
        let grads = Tensor::run_backward(
            &[&alpha_loss],
            &temperature.opt.param_tensors(),
            false,
            false,
        );
        temperature.opt.step(&grads);
        let saturation = saturation(&dist.mean());
        let mean_log_prob = log_prob.mean(Kind::Float);
        let m = scalars(&[
            loss,
            mean_log_prob.shallow_clone(),
            -mean_log_prob,
            dist.log_std.exp().mean(Kind::Float),
            saturation,
            alpha.mean(Kind::Float),
        ]);
        ActorMetrics {
            loss: m[0],
            log_prob: m[1],
            entropy: m[2],
            stddev: m[3],
            saturation: m[4],
            temperature: m[5],
            dormant_ratio,
        }
    }

    /// `copies` independent random shifts of `frames` `[B, C·k, H, W]`, stacked along the batch
    /// dimension: `[copies·B, C·k, H, W]`.
    pub(super) fn shifted_copies(&mut self, frames: &Tensor, copies: u32) -> Tensor {
        if copies == 1 {
            return self.aug.forward(frames);
        }
        let shifted: Vec<Tensor> = (0..copies).map(|_| self.aug.forward(frames)).collect();
        Tensor::cat(&shifted, 0)
    }
}
