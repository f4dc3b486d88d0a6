//! DrQ-v2: data-regularised DDPG from pixels.
//!
//! **Paper:** Denis Yarats, Rob Fergus, Alessandro Lazaric, Lerrel Pinto, "Mastering Visual
//! Continuous Control: Improved Data-Augmented Reinforcement Learning", 2021, arXiv:2107.09645.
//! **Reference code:** facebookresearch/drqv2 @ c0c650b (`drqv2.py`, `utils.py`,
//! `cfgs/config.yaml`, `cfgs/task/{easy,medium,hard}.yaml`).
//!
//! Symbols ↔ fields: τ = `critic_target_tau`, γ = `discount`, n = `n_step`, σ(t) =
//! `stddev_schedule` at agent step t, c = `stddev_clip`, aug = random shift with `aug_pad`.
//!
//! **Equations implemented** (numbering of this file; the paper writes them in §3):
//! 1. Augmented encoding: `h = f_ξ(aug(o))`, `h' = f_ξ(aug(o'))` (h' without gradient).
//! 2. Target: `y = r⁽ⁿ⁾ + γ_b · min_{k=1,2} Q̄_k(h', a')`, `a' = clamp(μ_φ(h') + clamp(σ(t)·ε, −c, c))`,
//!    ε ~ N(0, I), where `γ_b = bootstrap_discount` = γⁿ × the episode discounts (computed by
//!    the replay, 0 after a terminal step).
//! 3. Critic loss: `L(ξ, θ) = (Q_θ1(h, a) − y)² + (Q_θ2(h, a) − y)²` (batch means); it trains
//!    the critic **and the encoder**.
//! 4. Actor loss: `L(φ) = −min_k Q_θk(sg(h), a)`, `a = clamp(μ_φ(sg(h)) + clamp(σ(t)·ε, −c, c))`
//!    with a straight-through clamp; sg = stop-gradient: the actor never trains the encoder.
//! 5. Target critic: `θ̄ ← τ·θ + (1 − τ)·θ̄` after every update.
//! 6. Exploration: `a = clamp(μ_φ(h) + σ(t)·ε)` (no noise clip); σ(t) = `linear(1.0, 0.1, T)`
//!    in **agent steps**. The uniform actions of the first steps come from the training loop.
//!
//! **Max-entropy policy** (`policy = "max_entropy"`, not DrQ-v2: DrQ's SAC actor, Kostrikov,
//! Yarats, Fergus 2020, arXiv:2004.13649, code denisyarats/drq `drq.py`; SAC: Haarnoja et al.
//! 2018, arXiv:1801.01290). The actor outputs μ and log σ (squashed into [−10, 2]);
//! `a = tanh(u)`, `u ~ N(μ, σ)` (reparameterised), log π from the change of variables.
//! - 2′. `y = r⁽ⁿ⁾ + γ_b · (min_k Q̄_k(h', a') − α·log π(a'|h'))`, a' ~ π(·|h'). With n > 1 the
//!   entropy bonus enters at the bootstrap step only (DrQ uses n = 1).
//! - 4′. `L(φ) = α·log π(a|sg(h)) − min_k Q_θk(sg(h), a)`, a ~ π(·|sg(h)).
//! - 7. `J(α) = α·(−log π(a|h) − H̄)`, H̄ = −|A|, a fourth Adam on log α (init `init_temperature`).
//! - Acting: a ~ π; evaluation: tanh(μ).
//!   The σ schedule and `stddev_clip` are unused.
//!
//! **Deviations from the paper**
//! 1. Hyper-parameters follow the reference configs where they differ from the paper's text
//!    (for example the schedule's duration counts agent steps, so `linear(1.0, 0.1, 500000)`
//!    spans 1 M frames at action repeat 2).
//!
//! **Deviations from the reference code** (none changes the expected update):
//! 1. The random shift is an integer crop of the replicate-padded u8 frames instead of a
//!    bilinear `grid_sample` on floats; for the reference's integer shifts they are the same
//!    function (`ocellus_nn::augment`, tested against the grid formulation).
//! 2. Random numbers come from four seeded [`Rng`] streams (initialisation, augmentation, policy
//!    noise in updates, exploration in `act`) instead of torch's global generator: the values
//!    differ from a PyTorch run with the same seed, the distributions do not; all four states
//!    are part of [`DrQV2Agent::state_dict`].
//! 3. Gradients are taken with `run_backward` for exactly the parameters that the optimiser of
//!    each loss steps (critic loss → critic + encoder; actor loss → actor). The reference calls
//!    `backward()` and also fills the critic's `.grad` from the actor loss, which its next
//!    `zero_grad(set_to_none=True)` discards; skipping that work changes nothing.
//! 4. Uniform exploration is the training loop's, not the agent's: the reference's agent acts
//!    uniformly for `num_expl_steps` (2000) agent steps and its loop neither updates nor asks
//!    the agent for `num_seed_frames` (4000 frames = 2000 agent steps at repeat 2), the same
//!    steps. Here the loop's seed phase does both, so there is one knob
//!    (`loop.seed_frames`); a run whose `num_expl_steps` outlasted its seed phase cannot be
//!    expressed (no preset of the reference or of this project has one).
//! 5. `update` always performs one update; the trainer owns the cadence
//!    (`update_every_agent_steps`, seed frames), where the reference's `update` returns early
//!    unless `step % update_every_steps == 0`.
//! 6. Adam is `torch.optim.Adam`'s update written on tensors (`ocellus_nn::adam`), so its
//!    state can be checkpointed; one step count per parameter group instead of per tensor
//!    (every tensor of a group is stepped together, so they are equal).
//! 7. `act` takes a batch of observations `[N, C, H, W]` (for batched environments).
//! 8. The encoder and critic of the critic step (and the no-grad encoding of o') run on
//!    micro-batches of `micro_batch_size` samples whose gradients are summed into the
//!    full-batch gradient (same loss, different float summation order). On 2 CPU cores a
//!    B = 256 conv forward+backward takes ~2.0 s in one piece but ~0.6–0.7 s as 2–4 pieces
//!    (PyTorch 2.13, measured 2026-11-24), so this is the main speed difference from the
//!    reference. `micro_batch_size = batch_size` restores the one-piece computation.
//!
//! **Layout**: `config.rs` (the settings, their validation, the presets), `nets.rs` (actor and
//! twin critic), this file (the agent: acting, the critic, actor and target updates, its
//! state), `drq.rs` (DrQ's max-entropy actor and K/M augmentation averaging), `drm.rs`,
//! `mentor.rs` and `taco.rs` (the DrM, MENTOR and TACO options).

use std::collections::HashMap;

use ocellus_core::AgentSteps;
use ocellus_nn::adam::{Adam, AdamConfig};
use ocellus_nn::augment::RandomShift;
use ocellus_nn::dormant::{dormant_ratio, DORMANT_THRESHOLD};
use ocellus_nn::encoder::ConvEncoder;
use ocellus_nn::state::{check_state, var_store_state};
use ocellus_nn::{soft_update, Rng};
use tch::{nn, Device, Kind, Tensor};

use crate::error::AgentError;

mod config;
pub mod drm;
mod drq;
pub mod mentor;
mod nets;
pub mod taco;
pub use config::{
    preset_text, DrQV2Config, DrQV2RawConfig, PolicyKind, RawSchedule, PRESETS, TASK_PRESETS,
};
pub use drm::{DrmConfig, DrmMetrics, DrmRawConfig, ValueNet};
pub use mentor::{MentorConfig, MentorMetrics, MentorRawConfig};
pub use nets::{Actor, ActorForward, Critic, MoeBody, PolicyBody, LOG_STD_BOUNDS, SATURATED_MEAN};
pub use taco::{TacoConfig, TacoMetrics, TacoRawConfig};

// ---------------------------------------------------------------------------------------------
// Agent
// ---------------------------------------------------------------------------------------------

/// One batch of n-step transitions, as tensors (on any device; moved to the agent's).
#[derive(Debug)]
pub struct Batch {
    /// `[B, C·k, H, W]` u8 stacked observations o_t.
    pub obs: Tensor,
    /// `[B, A]` f32 actions a_t in [−1, 1].
    pub action: Tensor,
    /// `[B, 1]` f32 n-step returns `Σ_{i<n} γ^i r_{t+i+1}` (with episode discounts).
    pub reward: Tensor,
    /// `[B, 1]` f32 weight of the bootstrap value: γⁿ × episode discounts (0 after a terminal).
    pub bootstrap_discount: Tensor,
    /// `[B, C·k, H, W]` u8 stacked observations o_{t+n}.
    pub next_obs: Tensor,
    /// `[B, n, A]` f32 actions of each row's n-step window a_t … a_{t+m−1}, zero after the
    /// m-th (TACO's action sequence); `None` if the source does not serve them.
    pub window_actions: Option<Tensor>,
    /// `[B]` u8 window lengths m (n unless an episode end cut the window).
    pub window_len: Option<Tensor>,
}

impl Batch {
    /// A CPU batch from host buffers laid out as `ocellus-replay` fills them; `B` is
    /// `reward.len()`.
    ///
    /// # Panics
    /// If the buffer lengths do not agree with `B`, `obs_shape` and each other.
    pub fn from_host(
        obs: &[u8],
        action: &[f32],
        reward: &[f32],
        bootstrap_discount: &[f32],
        next_obs: &[u8],
        obs_shape: [i64; 3],
    ) -> Self {
        let b = reward.len() as i64;
        let per_obs: i64 = obs_shape.iter().product();
        assert_eq!(obs.len() as i64, b * per_obs, "obs length");
        assert_eq!(next_obs.len() as i64, b * per_obs, "next_obs length");
        assert_eq!(
            bootstrap_discount.len() as i64,
            b,
            "bootstrap_discount length"
        );
        assert!(b > 0 && action.len() as i64 % b == 0, "action length");
        let a = action.len() as i64 / b;
        let [c, h, w] = obs_shape;
        Batch {
            obs: Tensor::from_slice(obs).view([b, c, h, w]),
            action: Tensor::from_slice(action).view([b, a]),
            reward: Tensor::from_slice(reward).view([b, 1]),
            bootstrap_discount: Tensor::from_slice(bootstrap_discount).view([b, 1]),
            next_obs: Tensor::from_slice(next_obs).view([b, c, h, w]),
            window_actions: None,
            window_len: None,
        }
    }

    /// Adds the rows' window actions `[B, n, A]` and lengths `[B]` from host buffers laid out
    /// as `ocellus-replay` fills them (TACO needs them).
    ///
    /// # Panics
    /// If the lengths do not agree with the batch's B and A.
    pub fn with_windows(mut self, window_actions: &[f32], window_len: &[u8]) -> Self {
        let [b, a] = self.action.size()[..] else {
            unreachable!("actions are [B, A]")
        };
        assert_eq!(window_len.len() as i64, b, "window_len length");
        let per_row = b * a;
        assert!(
            window_actions.len() as i64 % per_row == 0,
            "window_actions length"
        );
        let n = window_actions.len() as i64 / per_row;
        self.window_actions = Some(Tensor::from_slice(window_actions).view([b, n, a]));
        self.window_len = Some(Tensor::from_slice(window_len));
        self
    }
}

/// What one critic step measured (reference names in brackets).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CriticMetrics {
    /// `mean((Q1 − y)²) + mean((Q2 − y)²)` (`critic_loss`).
    pub loss: f64,
    /// Batch mean of Q1(h, a) (`critic_q1`).
    pub q1: f64,
    /// Batch mean of Q2(h, a) (`critic_q2`).
    pub q2: f64,
    /// Batch mean of the target y (`critic_target_q`).
    pub target_q: f64,
}

/// What one actor step measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ActorMetrics {
    /// `−mean(min(Q1, Q2)(h, a))`, a = noisy policy action (`actor_loss`).
    pub loss: f64,
    /// Batch mean of `Σ_a log N(a; μ, σ)` of the sampled action (`actor_logprob`).
    pub log_prob: f64,
    /// Batch mean of the Normal's entropy summed over action dims (`actor_ent`).
    pub entropy: f64,
    /// σ(t) used for the noise.
    pub stddev: f64,
    /// Share of the batch's action components whose mean `μ = tanh(·)` has `|μ| > 0.99`.
    /// Near 1 the tanh passes almost no gradient, so a policy pinned to full force stays
    /// there; this is the early failure mode of small-budget runs (BENCHMARKS.md).
    pub saturation: f64,
    /// α of the max-entropy policy before this step (0 for the deterministic policy).
    pub temperature: f64,
    /// DrM's dormant ratio of the actor before this step: the share of the neurons of its
    /// Linear layers whose mean absolute output (hidden layers: activation, see
    /// [`Actor::linear_outputs`]) over the batch is below [`DORMANT_THRESHOLD`] times their
    /// layer's mean (Xu et al. 2024, arXiv 2310.19668, Def. 2.2, after Sokar et al. 2023).
    pub dormant_ratio: f64,
}

/// The metrics of one [`DrQV2Agent::update`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct UpdateMetrics {
    /// Batch mean of the n-step reward (`batch_reward`).
    pub batch_reward: f64,
    /// The critic step.
    pub critic: CriticMetrics,
    /// The actor step.
    pub actor: ActorMetrics,
    /// DrM's quantities, if DrM is on.
    pub drm: Option<DrmMetrics>,
    /// MENTOR's quantities, if MENTOR is on.
    pub mentor: Option<MentorMetrics>,
    /// TACO's quantities, if TACO is on.
    pub taco: Option<TacoMetrics>,
}

/// The names of [`UpdateMetrics::named`] for plain DrQ-v2, in order (the first twelve
/// columns of a run's `loss.csv`; docs/metrics.md explains each).
pub const METRIC_NAMES: [&str; 12] = [
    "critic_loss",
    "critic_q1",
    "critic_q2",
    "critic_target_q",
    "actor_loss",
    "actor_log_prob",
    "actor_entropy",
    "actor_stddev",
    "batch_reward",
    "actor_saturation",
    "actor_temperature",
    "actor_dormant_ratio",
];

/// The names DrM appends to [`METRIC_NAMES`], in order.
pub const DRM_METRIC_NAMES: [&str; 6] = [
    "drm_value_loss",
    "drm_value",
    "drm_lambda",
    "drm_alpha",
    "drm_perturbations",
    "drm_awakened",
];

impl UpdateMetrics {
    /// Every quantity as `(name, value)`: [`METRIC_NAMES`], then [`DRM_METRIC_NAMES`] if DrM
    /// is on, then MENTOR's ([`mentor::MENTOR_METRIC_NAMES`] and one load per expert).
    /// `actor_stddev` is the σ used (DrM's awakened σ when DrM is on).
    pub fn named(&self) -> Vec<(&'static str, f64)> {
        let (c, a) = (&self.critic, &self.actor);
        let mut values = vec![
            c.loss,
            c.q1,
            c.q2,
            c.target_q,
            a.loss,
            a.log_prob,
            a.entropy,
            a.stddev,
            self.batch_reward,
            a.saturation,
            a.temperature,
            a.dormant_ratio,
        ];
        let mut names: Vec<&'static str> = METRIC_NAMES.to_vec();
        if let Some(d) = &self.drm {
            values.extend([
                d.value_loss,
                d.value,
                d.lambda,
                d.alpha,
                d.perturbations,
                d.awakened,
            ]);
            names.extend(DRM_METRIC_NAMES);
        }
        let mut out: Vec<(&'static str, f64)> = names.into_iter().zip(values).collect();
        if let Some(m) = &self.mentor {
            out.extend(m.named());
        }
        if let Some(t) = &self.taco {
            out.extend(t.named());
        }
        out
    }
}

/// [`ActorMetrics::dormant_ratio`] on the actor step's (detached) features, without gradient
/// (DrM computes it every update on the current augmented, encoded batch); 0 for input it
/// cannot judge (none here: the features are `[B, D]` with `B >= 1`).
fn actor_dormant_ratio(actor: &Actor, features: &Tensor) -> f64 {
    let outputs = tch::no_grad(|| actor.linear_outputs(features));
    dormant_ratio(&outputs, DORMANT_THRESHOLD).unwrap_or(0.0)
}

/// Seed streams of the agent's generators.
const STREAM_INIT: u64 = 0;
const STREAM_AUGMENT: u64 = 1;
const STREAM_POLICY_NOISE: u64 = 2;
const STREAM_EXPLORE: u64 = 3;

/// The DrQ-v2 agent: encoder, actor, twin critic, target critic, three Adams, four generators
/// (and, for [`PolicyKind::MaxEntropy`], a learned temperature with a fourth Adam).
///
/// Checkpoint keys ([`DrQV2Agent::state_dict`]): `encoder.*`, `actor.*`, `critic.*`,
/// `critic_target.*` (variable paths), `optim.{encoder,actor,critic}.{step,exp_avg.*,exp_avg_sq.*}`,
/// `rng.{augment,policy_noise,explore}`; a max-entropy agent adds `temperature.log_alpha` and
/// `optim.temperature.*`. Renaming a variable path breaks old checkpoints.
#[derive(Debug)]
pub struct DrQV2Agent {
    config: DrQV2Config,
    device: Device,
    obs_shape: [i64; 3],
    action_dim: i64,
    encoder_vs: nn::VarStore,
    encoder: ConvEncoder,
    actor_vs: nn::VarStore,
    actor: Actor,
    critic_vs: nn::VarStore,
    critic: Critic,
    critic_target_vs: nn::VarStore,
    critic_target: Critic,
    encoder_opt: Adam,
    actor_opt: Adam,
    critic_opt: Adam,
    temperature: Option<drq::Temperature>,
    drm: Option<drm::Drm>,
    mentor: Option<mentor::Mentor>,
    taco: Option<taco::Taco>,
    /// What the critic's action input holds: A, or TACO's latent size d_a.
    critic_action_dim: i64,
    aug: RandomShift,
    policy_noise_rng: Rng,
    explore_rng: Rng,
}

impl DrQV2Agent {
    /// A freshly initialised agent for observations `[C, H, W]` (u8) and `action_dim` actions
    /// in [−1, 1], on `device`, every random draw derived from `seed`.
    ///
    /// The frame size and stack depth are the environment's (`C` = channels × frames stacked);
    /// the agent reads them from `obs_shape`.
    ///
    /// # Errors
    /// If `obs_shape` is not `[C ≥ 1, H, H]` with `H` ≥ 15 and larger than `aug_pad`, or
    /// `action_dim < 1`.
    pub fn new(
        config: DrQV2Config,
        obs_shape: [i64; 3],
        action_dim: i64,
        device: Device,
        seed: u64,
    ) -> Result<Self, AgentError> {
        let [c, h, w] = obs_shape;
        let spec = config.encoder_spec();
        let repr_dim = spec.repr_dim(h, w);
        if c < 1 || h != w || repr_dim < 1 {
            return Err(AgentError::ObsShape {
                found: obs_shape,
                reason: "frames must be square, with at least one channel and at least 15 \
                         pixels a side (the 4-layer encoder)"
                    .into(),
            });
        }
        if config.aug_pad >= h {
            return Err(AgentError::ObsShape {
                found: obs_shape,
                reason: format!(
                    "the random shift's aug_pad {} must be smaller than the frame",
                    config.aug_pad
                ),
            });
        }
        if action_dim < 1 {
            return Err(AgentError::ActionDim(action_dim));
        }
        let mut init_rng = Rng::new(seed, STREAM_INIT);
        // One VarStore per optimiser group; the target critic has its own frozen store.
        let encoder_vs = nn::VarStore::new(device);
        let encoder = ConvEncoder::new(&encoder_vs.root(), obs_shape, &spec, &mut init_rng);
        debug_assert_eq!(repr_dim, encoder.repr_dim()); // 32·35·35 = 39200 at 84 px
        let actor_vs = nn::VarStore::new(device);
        let actor = Actor::new(
            &actor_vs.root(),
            repr_dim,
            action_dim,
            &config,
            &mut init_rng,
        );
        // TACO's critic reads latent actions u(a) of d_a entries
        let critic_action_dim = config
            .taco
            .as_ref()
            .map_or(action_dim, |t| t.latent_dim(action_dim));
        let critic_vs = nn::VarStore::new(device);
        let critic = Critic::new(
            &critic_vs.root(),
            repr_dim,
            critic_action_dim,
            &config,
            &mut init_rng,
        );
        // The target starts as a copy of the critic (its own init draws are overwritten).
        let mut critic_target_vs = nn::VarStore::new(device);
        let critic_target = Critic::new(
            &critic_target_vs.root(),
            repr_dim,
            critic_action_dim,
            &config,
            &mut init_rng.clone(),
        );
        critic_target_vs
            .copy(&critic_vs)
            .expect("the target critic has the critic's variables");
        critic_target_vs.freeze();
        let adam = AdamConfig::with_lr(config.lr);
        let drm = config
            .drm
            .clone()
            .map(|d| drm::Drm::new(&config, d, repr_dim, device, seed));
        let mentor = config.mentor.clone().map(|m| mentor::Mentor::new(m, seed));
        let taco = config
            .taco
            .clone()
            .map(|t| taco::Taco::new(&config, t, &encoder_vs, repr_dim, action_dim, seed));
        Ok(DrQV2Agent {
            drm,
            mentor,
            taco,
            critic_action_dim,
            encoder_opt: Adam::new(&encoder_vs, adam),
            actor_opt: Adam::new(&actor_vs, adam),
            critic_opt: Adam::new(&critic_vs, adam),
            temperature: match config.policy {
                PolicyKind::Deterministic => None,
                PolicyKind::MaxEntropy => Some(drq::Temperature::new(
                    device,
                    config.init_temperature,
                    action_dim,
                    adam,
                )),
            },
            aug: RandomShift::new(config.aug_pad, Rng::new(seed, STREAM_AUGMENT)),
            policy_noise_rng: Rng::new(seed, STREAM_POLICY_NOISE),
            explore_rng: Rng::new(seed, STREAM_EXPLORE),
            config,
            device,
            obs_shape,
            action_dim,
            encoder_vs,
            encoder,
            actor_vs,
            actor,
            critic_vs,
            critic,
            critic_target_vs,
            critic_target,
        })
    }

    /// Actions for observations `[N, C, H, W]` (or one `[C, H, W]`) u8 at `agent_steps`:
    /// `[N, A]` f32 on the CPU, in [−1, 1].
    ///
    /// `eval_mode`: the mean action μ(h). Otherwise Eq. 6: `μ(h) + σ(t)·ε` clamped into the box
    /// (no noise clip). The uniform actions of the first steps are the training loop's (its
    /// seed phase), not the agent's.
    pub fn act(&mut self, obs: &Tensor, agent_steps: AgentSteps, eval_mode: bool) -> Tensor {
        let obs = if obs.dim() == 3 {
            obs.unsqueeze(0)
        } else {
            obs.shallow_clone()
        };
        let obs = obs.to_device(self.device); // [N, C, H, W] u8
        let stddev = self.stddev(agent_steps);
        let action = tch::no_grad(|| {
            let features = self.encoder.forward(&obs); // [N, repr_dim]
            match (eval_mode, self.config.policy) {
                (true, _) => self.actor.mean_action(&features),
                // MENTOR's gate drops out while acting (the reference's actor is in
                // training mode outside evaluation)
                (false, PolicyKind::Deterministic) => self
                    .actor
                    .forward_train(
                        &features,
                        stddev,
                        self.mentor.as_mut().map(|m| &mut m.dropout_rng),
                    )
                    .dist
                    .sample(&mut self.explore_rng, None),
                (false, PolicyKind::MaxEntropy) => {
                    self.actor
                        .squashed(&features)
                        .rsample(&mut self.explore_rng)
                        .0
                }
            }
        });
        action.to_device(Device::Cpu)
    }

    /// `min(Q1, Q2)(f(o), a)` of one observation `o` `[C, H, W]` u8 (not augmented) for each
    /// candidate action of `actions` `[N, A]`: `[N]` f32 on the CPU. Training never calls it;
    /// it shows what the critic believes, e.g. Q along one action dimension at one state
    /// (`ocellus eval --trace`).
    ///
    /// # Panics
    /// If `obs` is not `[C, H, W]` of this agent or `actions` not `[N, A]` (programmer errors).
    pub fn q_values(&self, obs: &Tensor, actions: &Tensor) -> Tensor {
        let [c, h, w] = self.obs_shape;
        assert_eq!(obs.size(), [c, h, w], "obs shape");
        let n = actions.size()[0];
        assert_eq!(actions.size(), [n, self.action_dim], "actions shape");
        tch::no_grad(|| {
            let features = self
                .encoder
                .forward(&obs.unsqueeze(0).to_device(self.device)); // [1, R]
            let features = features.expand([n, -1], false); // [N, R]
            let actions = actions.to_kind(Kind::Float).to_device(self.device);
            let (q1, q2) = self
                .critic
                .forward(&features, &self.critic_action(&actions)); // [N, 1] each
            q1.minimum(&q2).view([-1]).to_device(Device::Cpu)
        })
    }

    /// Eqs. 2–3: one critic step. Encodes the augmented `obs` `[M·B, C·k, H, W]` (M shifted
    /// copies of the batch, stacked copy after copy) **with** gradient: the critic loss is the
    /// only loss that trains the encoder, so both the critic's and the encoder's optimisers
    /// step here. `next_features` `[K·B, repr_dim]` (K shifted copies of o', likewise stacked)
    /// carry no gradient; `action`, `reward` and `bootstrap_discount` have B rows. Returns the
    /// metrics and the detached features `sg(h)` of the first copy, `[B, repr_dim]`, for the
    /// actor. K = M = 1 is DrQ-v2; DrQ averages the target over K and the loss over M.
    ///
    /// The encoder and critic run on micro-batches of `micro_batch_size` samples; each adds
    /// its share `Σ_chunk (Q_k − y)² / (M·B)` of the batch loss to the gradients, so the step
    /// is the full-batch step up to float summation order.
    ///
    /// # Panics
    /// If the rows of `obs` or `next_features` are not a multiple of B (a programmer error).
    #[allow(clippy::too_many_arguments)]
    pub fn update_critic(
        &mut self,
        obs: &Tensor,
        action: &Tensor,
        reward: &Tensor,
        bootstrap_discount: &Tensor,
        next_features: &Tensor,
        agent_steps: AgentSteps,
    ) -> (CriticMetrics, Tensor) {
        let step = self.critic_step(
            obs,
            action,
            reward,
            bootstrap_discount,
            next_features,
            agent_steps,
        );
        (step.metrics, step.features)
    }

    /// [`DrQV2Agent::update_critic`], also returning what DrM's value step needs.
    #[allow(clippy::too_many_arguments)]
    fn critic_step(
        &mut self,
        obs: &Tensor,
        action: &Tensor,
        reward: &Tensor,
        bootstrap_discount: &Tensor,
        next_features: &Tensor,
        agent_steps: AgentSteps,
    ) -> CriticStep {
        let stddev = self.stddev(agent_steps);
        let clip = self.config.stddev_clip;
        let b = action.size()[0];
        let rows = obs.size()[0];
        let (copies_q, copies_target) = (rows / b, next_features.size()[0] / b);
        assert!(
            rows == copies_q * b && next_features.size()[0] == copies_target * b,
            "obs and next_features must hold whole copies of the batch"
        );
        // Eq. 2 (no gradient): y = r + γ_b · min(Q̄1, Q̄2)(h', a'),  a' ~ clipped-noise policy;
        // Eq. 2′ (max-entropy): y = r + γ_b · (min(Q̄1, Q̄2)(h', a') − α·log π(a'|h')), a' ~ π;
        // DrQ Eq. 1: the bootstrap value is the mean over the K shifted copies of o'.
        let target_q = tch::no_grad(|| {
            let next_value = match &self.temperature {
                None => {
                    let dropout = self.mentor.as_mut().map(|m| &mut m.dropout_rng);
                    let next_action = self
                        .actor
                        .forward_train(next_features, stddev, dropout)
                        .dist
                        .sample(&mut self.policy_noise_rng, Some(clip)); // [B, A]
                    let next_action = self.critic_action(&next_action); // TACO: u(a')
                    let (tq1, tq2) = self.critic_target.forward(next_features, &next_action);
                    let explore = tq1.minimum(&tq2); // [B, 1]
                    match &self.drm {
                        // DrM §4.3: y = r + γ_b·(λ·V(h') + (1 − λ)·min Q̄(h', a'))
                        Some(drm) => {
                            let lambda = drm.lambda();
                            drm.value_of(next_features) * lambda + explore * (1.0 - lambda)
                        }
                        None => explore,
                    }
                }
                Some(temperature) => {
                    let (next_action, log_prob) = self
                        .actor
                        .squashed(next_features)
                        .rsample(&mut self.policy_noise_rng); // [B, A], [B, 1]
                    let (tq1, tq2) = self.critic_target.forward(next_features, &next_action);
                    tq1.minimum(&tq2) - log_prob * temperature.alpha() // [B, 1]
                }
            };
            let next_value = if copies_target == 1 {
                next_value
            } else {
                next_value
                    .view([copies_target, b, 1])
                    .mean_dim(0, false, Kind::Float) // [B, 1]
            };
            // [M·B, 1], copy after copy like obs
            drq::stacked_copies(&(reward + bootstrap_discount * next_value), copies_q)
        });
        let action = drq::stacked_copies(action, copies_q); // [M·B, A]
                                                            // Gradient flow: the critic loss trains the critic and, through h, the encoder.
        let critic_params = self.critic_opt.param_tensors();
        let n_critic = critic_params.len();
        let mut inputs = critic_params;
        inputs.extend(self.encoder_opt.param_tensors());
        let n_encoder = inputs.len() - n_critic;
        // TACO: the critic reads u(a), so the critic loss trains the action encoder too
        if let Some(t) = &self.taco {
            inputs.extend(t.action_opt.param_tensors());
        }
        let mut grads: Vec<Tensor> = Vec::new();
        let mut features = Vec::new();
        let mut sums = Vec::new(); // per chunk: [loss share, ΣQ1, ΣQ2]
        let mut replay_q = Vec::new(); // DrM: min(Q1, Q2)(h, a) before this step
        let micro = self.config.micro_batch_size;
        for start in (0..rows).step_by(micro as usize) {
            let len = micro.min(rows - start);
            let h = self.encoder.forward(&obs.narrow(0, start, len)); // [m, repr_dim], with graph
            let a = self.critic_action(&action.narrow(0, start, len));
            let (q1, q2) = self.critic.forward(&h, &a); // [m, 1] each
            let y = target_q.narrow(0, start, len);
            // Eq. 3: mean((Q1 − y)²) + mean((Q2 − y)²) over the whole batch (and, DrQ Eq. 3,
            // its M copies), this chunk's share
            let loss = ((&q1 - &y).square().sum(Kind::Float)
                + (&q2 - &y).square().sum(Kind::Float))
                / rows as f64;
            let g = Tensor::run_backward(&[&loss], &inputs, false, false);
            if grads.is_empty() {
                grads = g;
            } else {
                tch::no_grad(|| {
                    for (acc, g) in grads.iter_mut().zip(&g) {
                        *acc += g;
                    }
                });
            }
            sums.push(Tensor::stack(
                &[
                    loss.detach(),
                    q1.detach().sum(Kind::Float),
                    q2.detach().sum(Kind::Float),
                ],
                0,
            ));
            features.push(h.detach());
            if self.drm.is_some() {
                replay_q.push(q1.detach().minimum(&q2.detach()));
            }
        }
        self.critic_opt.step(&grads[..n_critic]);
        self.encoder_opt
            .step(&grads[n_critic..n_critic + n_encoder]);
        if let Some(t) = self.taco.as_mut() {
            t.action_opt.step(&grads[n_critic + n_encoder..]);
        }
        let totals = Tensor::stack(&sums, 0).sum_dim_intlist(0, false, Kind::Float); // [3]
        let m = scalars(&[
            totals.get(0),
            totals.get(1) / rows as f64,
            totals.get(2) / rows as f64,
            target_q.mean(Kind::Float),
        ]);
        CriticStep {
            metrics: CriticMetrics {
                loss: m[0],
                q1: m[1],
                q2: m[2],
                target_q: m[3],
            },
            features: Tensor::cat(&features, 0).narrow(0, 0, b),
            replay_q: (!replay_q.is_empty()).then(|| Tensor::cat(&replay_q, 0).narrow(0, 0, b)),
        }
    }

    /// σ at `agent_steps`: DrM's awakened σ if DrM is on, else `stddev_schedule`.
    fn stddev(&self, agent_steps: AgentSteps) -> f64 {
        match &self.drm {
            Some(drm) => drm.stddev(agent_steps),
            None => self.config.stddev_schedule.value(agent_steps),
        }
    }

    /// Eq. 4: one actor step on **detached** features: only the actor's parameters are
    /// differentiated and stepped; the encoder and the critic stay unchanged.
    pub fn update_actor(&mut self, features: &Tensor, agent_steps: AgentSteps) -> ActorMetrics {
        let features = features.detach(); // sg(h): the actor never trains the encoder
        if self.temperature.is_some() {
            return self.update_actor_max_entropy(&features);
        }
        let dormant_ratio = actor_dormant_ratio(&self.actor, &features);
        let stddev = self.stddev(agent_steps);
        let ActorForward {
            dist,
            preactivation,
            gate,
        } = self.actor.forward_train(
            &features,
            stddev,
            self.mentor.as_mut().map(|m| &mut m.dropout_rng),
        );
        // a = μ(h) + clamp(σ·ε, ±c), clamped into the box with a straight-through gradient
        let action = dist.sample(&mut self.policy_noise_rng, Some(self.config.stddev_clip)); // [B, A]
        let log_prob = dist
            .log_prob(&action)
            .sum_dim_intlist(-1, true, Kind::Float); // [B, 1]
        let (q1, q2) = self.critic.forward(&features, &self.critic_action(&action));
        let mut loss = -q1.minimum(&q2).mean(Kind::Float);
        if self.config.actor_preact_l2 > 0.0 {
            loss += preactivation.square().mean(Kind::Float) * self.config.actor_preact_l2;
        }
        // MENTOR: the MoE's auxiliary loss joins the actor loss unscaled
        let aux = match (&self.mentor, &gate) {
            (Some(m), Some(g)) => Some(mentor::AuxTerms::of(g, m.config.moe.num_experts)),
            _ => None,
        };
        let total = match &aux {
            Some(a) => &loss + a.loss(),
            None => loss.shallow_clone(),
        };
        let mut grads =
            Tensor::run_backward(&[&total], &self.actor_opt.param_tensors(), false, false);
        // MENTOR: clip_grad_norm_(actor.parameters(), 0.001) before the step
        let clip = self
            .mentor
            .as_ref()
            .and_then(|m| m.config.actor_grad_clip_norm);
        let grad_norm = clip.map(|c| mentor::clip_grad_norm(&mut grads, c));
        self.actor_opt.step(&grads);
        let entropy = dist
            .entropy()
            .sum_dim_intlist(-1, false, Kind::Float)
            .mean(Kind::Float);
        let saturation = saturation(&dist.mean());
        let mut fetch = vec![loss, log_prob.mean(Kind::Float), entropy, saturation];
        if let Some(a) = &aux {
            fetch.push(a.load_balance.shallow_clone());
            fetch.push(a.gate_entropy.shallow_clone());
        }
        let m = scalars(&fetch);
        if let (Some(mentor), Some(a)) = (self.mentor.as_mut(), &aux) {
            let load = Vec::<f64>::try_from(a.load.to_kind(Kind::Double).to_device(Device::Cpu))
                .expect("a 1-d f64 tensor converts");
            mentor.last = Some(mentor.metrics(m[4], m[5], grad_norm.unwrap_or(f64::NAN), &load));
        }
        ActorMetrics {
            loss: m[0],
            log_prob: m[1],
            entropy: m[2],
            stddev,
            saturation: m[3],
            temperature: 0.0,
            dormant_ratio,
        }
    }

    /// Eq. 5: `θ̄ ← τ·θ + (1 − τ)·θ̄` for every critic variable.
    pub fn update_critic_target(&mut self) {
        soft_update(
            &self.critic_vs,
            &mut self.critic_target_vs,
            self.config.critic_target_tau,
        );
    }

    /// One DrQ-v2 update on `batch` at `agent_steps` (which sets σ(t)): augment, encode, critic
    /// step (trains the encoder), actor step (detached features), target EMA. Always updates;
    /// the trainer decides when to call it.
    ///
    /// # Panics
    /// If the batch shapes do not match the agent (a programmer error).
    pub fn update(&mut self, batch: &Batch, agent_steps: AgentSteps) -> UpdateMetrics {
        let b = batch.obs.size()[0];
        let [c, h, w] = self.obs_shape;
        assert_eq!(batch.obs.size(), [b, c, h, w], "obs shape");
        assert_eq!(batch.next_obs.size(), [b, c, h, w], "next_obs shape");
        assert_eq!(batch.action.size(), [b, self.action_dim], "action shape");
        assert_eq!(batch.reward.size(), [b, 1], "reward shape");
        assert_eq!(
            batch.bootstrap_discount.size(),
            [b, 1],
            "bootstrap_discount shape"
        );
        let dev = self.device;
        // DrM §4.1: shrink-and-perturb at each period boundary, before this update
        self.perturb_if_due(agent_steps);
        // Eq. 1: independent random shifts of o and o', on u8 frames [B, C·k, H, W]; DrQ
        // draws M of o and K of o' (stacked copy after copy), DrQ-v2 one of each
        let obs = self.shifted_copies(&batch.obs.to_device(dev), self.config.critic_augmentations);
        let next_obs = self.shifted_copies(
            &batch.next_obs.to_device(dev),
            self.config.target_augmentations,
        );
        // h' = f(aug(o')) without gradient, [K·B, repr_dim] (in micro-batches)
        let micro = self.config.micro_batch_size;
        let next_features = tch::no_grad(|| {
            let chunks: Vec<Tensor> = next_obs
                .split(micro, 0)
                .iter()
                .map(|o| self.encoder.forward(o))
                .collect();
            Tensor::cat(&chunks, 0)
        });
        let reward = batch.reward.to_device(dev);
        let lambda = self.drm.as_ref().map(drm::Drm::lambda);
        // h = f(aug(o)) is computed inside, with gradient to the encoder; returned detached
        let step = self.critic_step(
            &obs,
            &batch.action.to_device(dev),
            &reward,
            &batch.bootstrap_discount.to_device(dev),
            &next_features,
            agent_steps,
        );
        let value_step = match (&mut self.drm, &step.replay_q) {
            (Some(drm), Some(q)) => Some(drm.update_value(&step.features, q)),
            _ => None,
        };
        let actor = self.update_actor(&step.features, agent_steps);
        self.update_critic_target();
        // TACO: its contrastive and reward terms, after the RL steps (`update_taco`)
        let taco = self.taco_step(batch);
        let batch_reward = reward.mean(Kind::Float).double_value(&[]);
        let drm = match (&mut self.drm, value_step, lambda) {
            (Some(drm), Some([loss, value]), Some(lambda)) => {
                drm.observe(agent_steps, actor.dormant_ratio);
                let v = scalars(&[loss, value]);
                Some(drm.metrics(lambda, v[0], v[1]))
            }
            _ => None,
        };
        let mentor = self.mentor.as_mut().and_then(|m| m.last.take());
        UpdateMetrics {
            batch_reward,
            critic: step.metrics,
            actor,
            drm,
            mentor,
            taco,
        }
    }

    /// MENTOR: offers the Linear parameters of actor, critic, target critic and value network
    /// to the snapshot set with the training episode's return (the reference's
    /// `tp_set.add(episode_reward, …)` at every episode end). Nothing to do without MENTOR.
    ///
    /// # Errors
    /// [`AgentError::Options`] for a non-finite return (the set is unchanged).
    pub fn end_episode(&mut self, episode_return: f64) -> Result<(), AgentError> {
        if self.mentor.is_none() {
            return Ok(());
        }
        let params = self.snapshot_params();
        let mentor = self.mentor.as_mut().expect("checked above");
        mentor
            .snapshots
            .offer(episode_return, &params)
            .map_err(|e| AgentError::Options(format!("MENTOR's snapshot set: {e}")))?;
        Ok(())
    }

    /// What MENTOR's snapshots hold: every Linear parameter of actor, critic, target critic
    /// and (DrM's) value network, named as in the checkpoint.
    fn snapshot_params(&self) -> Vec<(String, Tensor)> {
        let mut out = var_store_state(&self.actor_vs, "actor");
        out.extend(var_store_state(&self.critic_vs, "critic"));
        out.extend(var_store_state(&self.critic_target_vs, "critic_target"));
        if let Some(drm) = &self.drm {
            out.extend(drm.parameter_state());
        }
        out.retain(|(k, _)| !k.contains(".trunk.norm."));
        out
    }

    /// The quantities [`DrQV2Agent::update`] reports, in [`UpdateMetrics::named`] order.
    pub fn metric_names(&self) -> Vec<&'static str> {
        let mut names = METRIC_NAMES.to_vec();
        if self.drm.is_some() {
            names.extend(DRM_METRIC_NAMES);
        }
        if let Some(m) = &self.mentor {
            names.extend(mentor::metric_names(m.config.moe.num_experts));
        }
        if self.taco.is_some() {
            names.extend(taco::TACO_METRIC_NAMES);
        }
        names
    }

    /// Every piece of state needed to resume bit-exactly, as named tensors (handles sharing
    /// storage with the agent; write them with `Tensor::write_safetensors`).
    pub fn state_dict(&self) -> Vec<(String, Tensor)> {
        let mut out = self.parameter_state();
        out.extend(self.encoder_opt.state_dict("optim.encoder"));
        out.extend(self.actor_opt.state_dict("optim.actor"));
        out.extend(self.critic_opt.state_dict("optim.critic"));
        if let Some(t) = &self.temperature {
            out.extend(t.opt.state_dict("optim.temperature"));
        }
        out.push((String::from("rng.augment"), self.aug.rng.state_tensor()));
        out.push((
            String::from("rng.policy_noise"),
            self.policy_noise_rng.state_tensor(),
        ));
        out.push((String::from("rng.explore"), self.explore_rng.state_tensor()));
        if let Some(drm) = &self.drm {
            out.extend(drm.state_dict());
        }
        if let Some(t) = &self.taco {
            out.extend(t.state_dict());
        }
        if let Some(m) = &self.mentor {
            out.extend(m.fixed_state());
            out.extend(m.snapshot_state());
        }
        out
    }

    fn parameter_state(&self) -> Vec<(String, Tensor)> {
        let mut out = var_store_state(&self.encoder_vs, "encoder");
        out.extend(var_store_state(&self.actor_vs, "actor"));
        out.extend(var_store_state(&self.critic_vs, "critic"));
        out.extend(var_store_state(&self.critic_target_vs, "critic_target"));
        if let Some(t) = &self.temperature {
            out.extend(var_store_state(&t.vs, "temperature"));
        }
        out
    }

    /// Restores a [`DrQV2Agent::state_dict`]. All keys, shapes, kinds and values are checked
    /// first; on any problem nothing is changed and every problem is reported.
    ///
    /// # Errors
    /// [`AgentError::State`] listing missing, unexpected, mis-shaped or invalid entries.
    pub fn load_state_dict(&mut self, state: &[(String, Tensor)]) -> Result<(), AgentError> {
        // MENTOR's snapshot set holds a varying number of entries: checked on its own
        let (snapshots, fixed): (Vec<_>, Vec<_>) = state
            .iter()
            .map(|(k, t)| (k.clone(), t.shallow_clone()))
            .partition(|(k, _)| self.mentor.is_some() && mentor::is_snapshot_key(k));
        let mut own = self.state_dict();
        own.retain(|(k, _)| !mentor::is_snapshot_key(k));
        let map: HashMap<&str, &Tensor> = check_state(&own, &fixed)?;
        let mentor_restore = match &self.mentor {
            Some(m) => Some(m.read_state(&map, &snapshots, &self.snapshot_params())?),
            None => None,
        };
        // Values that can be invalid are read before anything changes.
        let aug_rng = Rng::from_state_tensor("rng.augment", map["rng.augment"])?;
        let policy_noise_rng = Rng::from_state_tensor("rng.policy_noise", map["rng.policy_noise"])?;
        let explore_rng = Rng::from_state_tensor("rng.explore", map["rng.explore"])?;
        for prefix in ["optim.encoder", "optim.actor", "optim.critic"] {
            Adam::read_step(prefix, &map)?;
        }
        if self.temperature.is_some() {
            Adam::read_step("optim.temperature", &map)?;
        }
        if self.taco.is_some() {
            Adam::read_step("optim.action_encoder", &map)?;
            Adam::read_step("optim.taco", &map)?;
        }
        // DrM validates all its values before changing any, and nothing below can fail on
        // a state that passed the checks above.
        if let Some(drm) = &mut self.drm {
            drm.load_state(&map)?;
        }
        tch::no_grad(|| {
            for (key, mut t) in self.parameter_state() {
                t.copy_(map[key.as_str()]);
            }
        });
        self.encoder_opt.load_state("optim.encoder", &map)?;
        self.actor_opt.load_state("optim.actor", &map)?;
        self.critic_opt.load_state("optim.critic", &map)?;
        if let Some(t) = &mut self.temperature {
            t.opt.load_state("optim.temperature", &map)?;
        }
        if let Some(t) = &mut self.taco {
            tch::no_grad(|| {
                for (key, mut v) in t.parameter_state() {
                    v.copy_(map[key.as_str()]);
                }
            });
            t.action_opt.load_state("optim.action_encoder", &map)?;
            t.opt.load_state("optim.taco", &map)?;
        }
        self.aug.rng = aug_rng;
        self.policy_noise_rng = policy_noise_rng;
        self.explore_rng = explore_rng;
        if let (Some(m), Some(r)) = (self.mentor.as_mut(), mentor_restore) {
            m.restore(r);
        }
        Ok(())
    }

    /// The configuration.
    pub fn config(&self) -> &DrQV2Config {
        &self.config
    }

    /// The device holding the networks.
    pub fn device(&self) -> Device {
        self.device
    }

    /// The encoder (for activations and diagnostics).
    pub fn encoder(&self) -> &ConvEncoder {
        &self.encoder
    }

    /// The actor.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The online critic.
    pub fn critic(&self) -> &Critic {
        &self.critic
    }

    /// The variable stores `(encoder, actor, critic, critic_target)`, e.g. for in-place weight
    /// perturbation (DrM, MENTOR).
    pub fn var_stores(&self) -> [&nn::VarStore; 4] {
        [
            &self.encoder_vs,
            &self.actor_vs,
            &self.critic_vs,
            &self.critic_target_vs,
        ]
    }

    /// The optimisers `(encoder, actor, critic)`, e.g. to reset their state after a
    /// perturbation.
    pub fn optimizers_mut(&mut self) -> [&mut Adam; 3] {
        [
            &mut self.encoder_opt,
            &mut self.actor_opt,
            &mut self.critic_opt,
        ]
    }
}

/// What [`DrQV2Agent::critic_step`] hands to the rest of the update.
struct CriticStep {
    metrics: CriticMetrics,
    /// `sg(h)` of the first augmented copy, `[B, repr_dim]`.
    features: Tensor,
    /// DrM only: `min(Q1, Q2)(h, a)` of the replay actions before the critic step, `[B, 1]`.
    replay_q: Option<Tensor>,
}

/// [`ActorMetrics::saturation`] of mean actions `[B, A]`: the share with `|μ| > 0.99`, 0-d.
fn saturation(mean_action: &Tensor) -> Tensor {
    mean_action
        .abs()
        .gt(SATURATED_MEAN)
        .to_kind(Kind::Float)
        .mean(Kind::Float)
}

/// Scalars of several 0-d tensors, fetched with one device-to-host copy.
fn scalars(ts: &[Tensor]) -> Vec<f64> {
    let stacked = Tensor::stack(
        &ts.iter()
            .map(|t| t.detach().to_kind(Kind::Double))
            .collect::<Vec<_>>(),
        0,
    );
    Vec::<f64>::try_from(stacked.to_device(Device::Cpu)).expect("a 1-d f64 tensor converts")
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests;
