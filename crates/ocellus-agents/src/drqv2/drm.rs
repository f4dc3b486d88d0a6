//! DrM as an option of the DrQ-v2 agent (`[agent.drm]`, `--agent drm`): the three
//! dormant-ratio-guided mechanisms on top of an unchanged DrQ-v2 update.
//!
//! **Paper:** Guowei Xu et al., "DrM: Mastering Visual Reinforcement Learning through Dormant
//! Ratio Minimization", ICLR 2024, arXiv:2310.19668, §4. **Reference code:** XuGW-Kevin/DrM
//! (`agents/drm.py`, `utils.py::perturb`, `cfgs/agent/drm.yaml`). The scalar formulas live in
//! [`ocellus_nn::drm`], with their tests against hand-computed values.
//!
//! β is the actor's dormant ratio ([`super::ActorMetrics::dormant_ratio`]).
//! 1. **Perturbation** (§4.1): every `perturb_every_agent_steps` agent steps, the Linear
//!    parameters of actor, critic, target critic and value network move to
//!    `θ ← α·θ + (1 − α)·φ`, φ a fresh initialisation, `α = clip(1 − 2β, 0.2, α_max)`; the
//!    Adam moments and step counts of encoder, actor, critic and value network are reset.
//!    The conv encoder keeps its weights (the reference's `perturb` only touches `nn.Linear`,
//!    of which the encoder has none).
//! 2. **Awaken exploration** (§4.2): σ = σ_dormant(β) = 1/(1 + exp(−10(β − 0.2))) until the
//!    first update after the uniform-exploration steps with β < 0.2 (step t₀), then
//!    `max(σ_dormant(β), schedule(t − t₀))`. It replaces `stddev_schedule` in acting, in the
//!    critic target and in the actor step.
//! 3. **Exploitation** (§4.3): a value network V (the critic's trunk and MLP without the
//!    action input) regresses `min(Q1, Q2)(h, a)` of replay actions with the expectile loss
//!    (τ_e = 0.9); the critic target becomes
//!    `y = r + γ_b·(λ·V(h') + (1 − λ)·min Q̄(h', a'))`, `λ = 0.6/(1 + exp(50(β − 0.2)))`.
//!
//! **Deviations from the reference code**
//! 1. β drives λ, σ and the awakening from the update *after* the one that measured it. The
//!    reference measures β on the batch first and then updates; here β is measured on the
//!    actor step's features (the same detached, pre-step encoder features the reference
//!    measures on), which the micro-batched critic step produces, so measuring first would
//!    cost one more encoder pass per update. At the first update β = 1, the reference's
//!    initial value.
//! 2. The value network is updated after the critic step (the reference: before it) on the
//!    same inputs: the critic's Q of the replay actions is taken from the critic step's
//!    forward pass, i.e. before the critic's parameters change, as in the reference. The
//!    critic target therefore uses V from before this update's value step.
//! 3. The perturbation is due at the first update at or past each multiple of the period
//!    (the reference: at `step % interval == 0`, which its update cadence always hits).
//! 4. The fresh initialisation φ is drawn from its own seeded generator (checkpointed), the
//!    target critic from a draw independent of the critic's, as the reference's two
//!    `deepcopy(..).apply(weight_init)` calls are.
//! 5. The reference version at commit f91916e scales σ_dormant by 0.8 (MENTOR's value); the
//!    paper and the formula use 1, so this does ([`DormantStddev::drm`]).

use std::collections::HashMap;

use ocellus_core::AgentSteps;
use ocellus_nn::adam::{Adam, AdamConfig};
use ocellus_nn::drm::{
    expectile_loss, perturb_where, AwakenExploration, DormantStddev, ExploitLambda, PerturbFactor,
};
use ocellus_nn::state::{sorted_variables, var_store_state};
use ocellus_nn::{Mlp, Rng, StateError, StateProblem, Trunk};
use serde::{Deserialize, Serialize};
use tch::{nn, Device, Kind, Tensor};

use super::{Actor, Critic, DrQV2Agent, DrQV2Config};
use crate::error::{AgentError, ConfigError, ConfigProblem};

/// Seed stream of the value network's initialisation.
pub(super) const STREAM_VALUE_INIT: u64 = 4;
/// Seed stream of the fresh initialisations φ of every perturbation.
pub(super) const STREAM_PERTURB: u64 = 5;

/// `[agent.drm]` as written in TOML; every key is optional and defaults to the reference's
/// DMC value (`cfgs/agent/drm.yaml`), so an empty table is DrM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DrmRawConfig {
    /// Perturb every this many agent steps (`dormant_perturb_interval`, 100000 in the
    /// reference, i.e. 200k frames at action repeat 2; the cpu preset's runs are 12.5k–25k
    /// agent steps long, so `--agent drm` there sets it shorter).
    pub perturb_every_agent_steps: u64,
    /// α_min (`min_perturb_factor`, 0.2).
    pub min_perturb_factor: f64,
    /// α_max (`max_perturb_factor`: 1.0 for cartpole, reacher and most DMC tasks).
    pub max_perturb_factor: f64,
    /// k of α = 1 − kβ (`perturb_rate`, 2).
    pub perturb_rate: f64,
    /// β̂ (`target_dormant_ratio`, 0.2): the centre of σ_dormant and λ, and the awakening
    /// threshold.
    pub target_dormant_ratio: f64,
    /// Multiplier of σ_dormant's sigmoid (`dormant_temp`, 10).
    pub dormant_temp: f64,
    /// λ̂ (`target_lambda`, 0.6).
    pub target_lambda: f64,
    /// Multiplier of λ's sigmoid (`lambda_temp`, 50).
    pub lambda_temp: f64,
    /// τ_e of the value network's expectile loss (`expectile`, 0.9).
    pub expectile: f64,
    /// Height of σ_dormant's sigmoid: 1 in DrM (paper, issue), 0.8 in MENTOR
    /// (`MENTORAgent.dormant_stddev`).
    pub dormant_stddev_scale: f64,
    /// Whether σ becomes `max(σ_dormant, schedule(t − t₀))` once awakened (DrM's
    /// `stddev_type: awake`); `false` keeps σ = σ_dormant(β) throughout (MENTOR's `stddev`).
    pub restart_schedule: bool,
    /// Awakening needs an update after this many agent steps (`num_expl_steps`, 2000 in the
    /// reference: its uniform-exploration phase, the same steps as its 4000 seed frames at
    /// repeat 2). The cpu preset's `--agent drm` sets 500, its seed phase at repeat 8.
    pub awaken_after_agent_steps: u64,
}

/// The reference's `num_expl_steps` ([`DrmRawConfig::awaken_after_agent_steps`]).
pub const REFERENCE_AWAKEN_AFTER_AGENT_STEPS: u64 = 2000;

impl Default for DrmRawConfig {
    fn default() -> Self {
        DrmRawConfig {
            perturb_every_agent_steps: 100_000,
            min_perturb_factor: 0.2,
            max_perturb_factor: 1.0,
            perturb_rate: 2.0,
            target_dormant_ratio: 0.2,
            dormant_temp: 10.0,
            target_lambda: 0.6,
            lambda_temp: 50.0,
            expectile: 0.9,
            dormant_stddev_scale: 1.0,
            restart_schedule: true,
            awaken_after_agent_steps: REFERENCE_AWAKEN_AFTER_AGENT_STEPS,
        }
    }
}

/// Validated DrM settings.
#[derive(Clone, Debug, PartialEq)]
pub struct DrmConfig {
    /// The perturbation period.
    pub perturb_every: AgentSteps,
    /// α(β).
    pub perturb_factor: PerturbFactor,
    /// σ_dormant(β).
    pub dormant_stddev: DormantStddev,
    /// λ(β).
    pub lambda: ExploitLambda,
    /// τ_e.
    pub expectile: f64,
    /// Whether σ follows the restarted schedule once awakened.
    pub restart_schedule: bool,
    /// Updates at or before this agent step do not awaken.
    pub awaken_after: AgentSteps,
}

impl DrmRawConfig {
    /// Checks every value and returns the typed config, or all problems at once.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] listing each out-of-range value; `origin` names the source.
    pub fn to_config(&self, origin: &str) -> Result<DrmConfig, ConfigError> {
        let mut problems = Vec::new();
        self.validate(&mut problems).ok_or(ConfigError::Invalid {
            origin: origin.to_string(),
            problems,
        })
    }

    /// Appends every out-of-range value to `problems` and returns the typed config if there
    /// was none.
    pub(super) fn validate(&self, problems: &mut Vec<ConfigProblem>) -> Option<DrmConfig> {
        let before = problems.len();
        let mut check = |ok: bool, field: &'static str, value: f64, reason: &str| {
            if !ok {
                problems.push(ConfigProblem {
                    field,
                    value: value.to_string(),
                    reason: reason.to_string(),
                });
            }
        };
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        let positive = |x: f64| x.is_finite() && x > 0.0;
        check(
            self.perturb_every_agent_steps >= 1,
            "drm.perturb_every_agent_steps",
            self.perturb_every_agent_steps as f64,
            "must be at least 1",
        );
        check(
            unit(self.min_perturb_factor),
            "drm.min_perturb_factor",
            self.min_perturb_factor,
            "must be in [0, 1]",
        );
        check(
            unit(self.max_perturb_factor) && self.max_perturb_factor >= self.min_perturb_factor,
            "drm.max_perturb_factor",
            self.max_perturb_factor,
            "must be in [min_perturb_factor, 1]",
        );
        check(
            self.perturb_rate.is_finite() && self.perturb_rate >= 0.0,
            "drm.perturb_rate",
            self.perturb_rate,
            "must be a non-negative number",
        );
        check(
            unit(self.target_dormant_ratio),
            "drm.target_dormant_ratio",
            self.target_dormant_ratio,
            "a dormant ratio is in [0, 1]",
        );
        check(
            positive(self.dormant_temp),
            "drm.dormant_temp",
            self.dormant_temp,
            "must be a positive number",
        );
        check(
            unit(self.target_lambda),
            "drm.target_lambda",
            self.target_lambda,
            "must be in [0, 1] (λ weighs V against min Q)",
        );
        check(
            positive(self.lambda_temp),
            "drm.lambda_temp",
            self.lambda_temp,
            "must be a positive number",
        );
        check(
            unit(self.expectile),
            "drm.expectile",
            self.expectile,
            "must be in [0, 1]",
        );
        check(
            positive(self.dormant_stddev_scale),
            "drm.dormant_stddev_scale",
            self.dormant_stddev_scale,
            "must be a positive number",
        );
        (problems.len() == before).then_some(DrmConfig {
            perturb_every: AgentSteps(self.perturb_every_agent_steps),
            perturb_factor: PerturbFactor {
                rate: self.perturb_rate,
                min: self.min_perturb_factor,
                max: self.max_perturb_factor,
            },
            dormant_stddev: DormantStddev {
                scale: self.dormant_stddev_scale,
                temp: self.dormant_temp,
                target: self.target_dormant_ratio,
            },
            lambda: ExploitLambda {
                target_lambda: self.target_lambda,
                temp: self.lambda_temp,
                target: self.target_dormant_ratio,
            },
            expectile: self.expectile,
            restart_schedule: self.restart_schedule,
            awaken_after: AgentSteps(self.awaken_after_agent_steps),
        })
    }
}

impl DrmConfig {
    /// The raw form.
    pub fn to_raw(&self) -> DrmRawConfig {
        DrmRawConfig {
            perturb_every_agent_steps: self.perturb_every.0,
            min_perturb_factor: self.perturb_factor.min,
            max_perturb_factor: self.perturb_factor.max,
            perturb_rate: self.perturb_factor.rate,
            target_dormant_ratio: self.dormant_stddev.target,
            dormant_temp: self.dormant_stddev.temp,
            target_lambda: self.lambda.target_lambda,
            lambda_temp: self.lambda.temp,
            expectile: self.expectile,
            dormant_stddev_scale: self.dormant_stddev.scale,
            restart_schedule: self.restart_schedule,
            awaken_after_agent_steps: self.awaken_after.0,
        }
    }
}

/// DrM's value network V(h): `Trunk(repr_dim → feature_dim)` then `feature_dim → hidden →
/// hidden → 1` (the reference's `VNetwork`, the critic without the action input).
///
/// Variables: `trunk.{linear,norm}.*`, `v.{0,1,2}.*`.
#[derive(Debug)]
pub struct ValueNet {
    trunk: Trunk,
    v: Mlp,
}

impl ValueNet {
    fn new(p: &nn::Path, repr_dim: i64, c: &DrQV2Config, rng: &mut Rng) -> Self {
        ValueNet {
            trunk: Trunk::new(&(p / "trunk"), repr_dim, c.feature_dim, rng),
            v: Mlp::new(
                &(p / "v"),
                &[c.feature_dim, c.hidden_dim, c.hidden_dim, 1],
                rng,
            ),
        }
    }

    /// `[B, repr_dim]` → `[B, 1]`.
    pub fn forward(&self, features: &Tensor) -> Tensor {
        self.v.forward(&self.trunk.forward(features))
    }
}

/// DrM's per-update measurements.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DrmMetrics {
    /// The value network's expectile loss (`predictor_loss`).
    pub value_loss: f64,
    /// Batch mean of V(h) before the value step.
    pub value: f64,
    /// λ used in this update's critic target.
    pub lambda: f64,
    /// α of the latest perturbation (1 before the first: nothing moved).
    pub alpha: f64,
    /// Perturbations so far.
    pub perturbations: f64,
    /// 1 once the agent is awakened (σ follows the restarted schedule), else 0.
    pub awakened: f64,
}

/// DrM's state inside a [`DrQV2Agent`].
#[derive(Debug)]
pub(super) struct Drm {
    pub(super) config: DrmConfig,
    awaken: AwakenExploration,
    /// β of the latest update (1 before the first, the reference's initial value).
    pub(super) beta: f64,
    /// Whether an update has measured β yet.
    observed: bool,
    value_vs: nn::VarStore,
    value: ValueNet,
    value_opt: Adam,
    perturb_rng: Rng,
    /// Period boundaries passed and served by a perturbation (`⌊t / period⌋` at the last).
    periods_served: u64,
    pub(super) perturbations: u64,
    last_alpha: f64,
}

impl Drm {
    pub(super) fn new(
        c: &DrQV2Config,
        config: DrmConfig,
        repr_dim: i64,
        device: Device,
        seed: u64,
    ) -> Self {
        let value_vs = nn::VarStore::new(device);
        let value = ValueNet::new(
            &value_vs.root(),
            repr_dim,
            c,
            &mut Rng::new(seed, STREAM_VALUE_INIT),
        );
        let mut awaken = AwakenExploration::drm(c.stddev_schedule);
        awaken.dormant = config.dormant_stddev;
        awaken.num_expl_steps = config.awaken_after;
        Drm {
            value_opt: Adam::new(&value_vs, AdamConfig::with_lr(c.lr)),
            config,
            awaken,
            beta: 1.0,
            observed: false,
            value_vs,
            value,
            perturb_rng: Rng::new(seed, STREAM_PERTURB),
            periods_served: 0,
            perturbations: 0,
            last_alpha: 1.0,
        }
    }

    /// σ at `agent_steps`: the awaken rule at the latest β, or σ_dormant(β) alone without
    /// `restart_schedule` (MENTOR).
    pub(super) fn stddev(&self, agent_steps: AgentSteps) -> f64 {
        if self.config.restart_schedule {
            self.awaken.stddev(agent_steps, self.beta)
        } else {
            self.awaken.dormant.value(self.beta)
        }
    }

    /// λ at the latest β.
    pub(super) fn lambda(&self) -> f64 {
        self.config.lambda.value(self.beta)
    }

    /// V(h') `[B, 1]` without gradient.
    pub(super) fn value_of(&self, features: &Tensor) -> Tensor {
        tch::no_grad(|| self.value.forward(features))
    }

    /// Records the β measured by the update at `agent_steps` (awakening on the first low one).
    pub(super) fn observe(&mut self, agent_steps: AgentSteps, beta: f64) {
        self.observed = true;
        self.beta = beta;
        self.awaken.observe(agent_steps, beta);
    }

    /// One expectile step of V on detached `features` `[B, R]` towards `replay_q` `[B, 1]`
    /// (min Q of the replay actions, no gradient); returns (loss, mean V) as 0-d tensors.
    pub(super) fn update_value(&mut self, features: &Tensor, replay_q: &Tensor) -> [Tensor; 2] {
        let v = self.value.forward(&features.detach());
        let loss = expectile_loss(&v, &replay_q.detach(), self.config.expectile)
            .expect("V and min Q are both [B, 1]");
        let grads = Tensor::run_backward(&[&loss], &self.value_opt.param_tensors(), false, false);
        self.value_opt.step(&grads);
        [loss.detach(), v.detach().mean(Kind::Float)]
    }

    /// Whether the update at `agent_steps` is the first at or past the next period boundary.
    /// Boundaries passed before the first update (in the seed phase) count as served: there
    /// is no measured β to size α yet, and the reference's first perturbation comes long
    /// after its first update.
    pub(super) fn perturbation_due(&mut self, agent_steps: AgentSteps) -> bool {
        let period = agent_steps.0 / self.config.perturb_every.0;
        if !self.observed {
            self.periods_served = period;
        }
        period > self.periods_served
    }

    fn mark_perturbed(&mut self, agent_steps: AgentSteps, alpha: f64) {
        // One perturbation per update at most: if updates skipped boundaries (a period shorter
        // than the update cadence) they count as served.
        self.periods_served = agent_steps.0 / self.config.perturb_every.0;
        self.perturbations += 1;
        self.last_alpha = alpha;
    }

    pub(super) fn metrics(&self, lambda: f64, value_loss: f64, value: f64) -> DrmMetrics {
        DrmMetrics {
            value_loss,
            value,
            lambda,
            alpha: self.last_alpha,
            perturbations: self.perturbations as f64,
            awakened: f64::from(u8::from(self.awaken.awakened_at().is_some())),
        }
    }

    /// Checkpoint entries: `drm.value.*`, `optim.value.*`, `drm.rng.perturb`, `drm.beta`,
    /// `drm.observed` (0/1),
    /// `drm.awakened_at` (−1: not yet), `drm.perturbations`, `drm.periods_served`,
    /// `drm.last_alpha`.
    pub(super) fn state_dict(&self) -> Vec<(String, Tensor)> {
        let mut out = self.parameter_state();
        out.extend(self.value_opt.state_dict("optim.value"));
        out.push(("drm.rng.perturb".into(), self.perturb_rng.state_tensor()));
        out.push(("drm.beta".into(), Tensor::from(self.beta)));
        out.push((
            "drm.observed".into(),
            Tensor::from(i64::from(self.observed)),
        ));
        let awakened = self.awaken.awakened_at().map_or(-1, |t| t.0 as i64);
        out.push(("drm.awakened_at".into(), Tensor::from(awakened)));
        out.push((
            "drm.perturbations".into(),
            Tensor::from(self.perturbations as i64),
        ));
        out.push((
            "drm.periods_served".into(),
            Tensor::from(self.periods_served as i64),
        ));
        out.push(("drm.last_alpha".into(), Tensor::from(self.last_alpha)));
        out
    }

    pub(super) fn parameter_state(&self) -> Vec<(String, Tensor)> {
        var_store_state(&self.value_vs, "drm.value")
    }

    /// Restores [`Drm::state_dict`] entries from a map already checked against it (keys,
    /// shapes, kinds); values are validated before anything changes.
    pub(super) fn load_state(&mut self, map: &HashMap<&str, &Tensor>) -> Result<(), AgentError> {
        let perturb_rng = Rng::from_state_tensor("drm.rng.perturb", map["drm.rng.perturb"])?;
        Adam::read_step("optim.value", map)?;
        let beta = map["drm.beta"].double_value(&[]);
        let observed = map["drm.observed"].int64_value(&[]);
        let awakened = map["drm.awakened_at"].int64_value(&[]);
        let perturbations = map["drm.perturbations"].int64_value(&[]);
        let periods_served = map["drm.periods_served"].int64_value(&[]);
        let last_alpha = map["drm.last_alpha"].double_value(&[]);
        let invalid = |key: &str, value: String, reason: &str| {
            AgentError::State(StateError::one(StateProblem::Value {
                key: key.to_string(),
                reason: format!("{value}: {reason}"),
            }))
        };
        if !(0.0..=1.0).contains(&beta) {
            return Err(invalid("drm.beta", beta.to_string(), "a ratio in [0, 1]"));
        }
        if !(0..=1).contains(&observed) {
            return Err(invalid("drm.observed", observed.to_string(), "0 or 1"));
        }
        if awakened < -1 {
            return Err(invalid(
                "drm.awakened_at",
                awakened.to_string(),
                "an agent step or -1",
            ));
        }
        for (key, count) in [
            ("drm.perturbations", perturbations),
            ("drm.periods_served", periods_served),
        ] {
            if count < 0 {
                return Err(invalid(key, count.to_string(), "a count"));
            }
        }
        if !(0.0..=1.0).contains(&last_alpha) {
            return Err(invalid(
                "drm.last_alpha",
                last_alpha.to_string(),
                "a factor in [0, 1]",
            ));
        }
        tch::no_grad(|| {
            for (key, mut t) in self.parameter_state() {
                t.copy_(map[key.as_str()]);
            }
        });
        self.value_opt.load_state("optim.value", map)?;
        self.perturb_rng = perturb_rng;
        self.beta = beta;
        self.observed = observed == 1;
        self.awaken
            .restore((awakened >= 0).then_some(AgentSteps(awakened as u64)));
        self.perturbations = perturbations as u64;
        self.periods_served = periods_served as u64;
        self.last_alpha = last_alpha;
        Ok(())
    }
}

/// The variables of a network that `build` creates under a fresh CPU store: the φ of a
/// perturbation.
fn fresh_variables(build: impl FnOnce(&nn::Path)) -> Vec<(String, Tensor)> {
    let vs = nn::VarStore::new(Device::Cpu);
    build(&vs.root());
    sorted_variables(&vs)
}

/// DrM interpolates the Linear parameters only: every variable but the trunks' LayerNorm
/// (`utils.py::perturb` matches `nn.Linear` module names).
fn is_linear(name: &str) -> bool {
    !name.starts_with("trunk.norm.")
}

impl DrQV2Agent {
    /// DrM's perturbation at `agent_steps`, if one is due: α from the latest β, fresh
    /// initialisations of actor, critic, target critic and value network from the perturbation
    /// stream, then the optimiser states of encoder, actor, critic and value network cleared.
    pub(super) fn perturb_if_due(&mut self, agent_steps: AgentSteps) {
        let Some(drm) = self.drm.as_mut() else {
            return;
        };
        if !drm.perturbation_due(agent_steps) {
            return;
        }
        let alpha = drm.config.perturb_factor.alpha(drm.beta);
        let repr_dim = self.encoder.repr_dim();
        let rng = &mut drm.perturb_rng;
        let (c, a) = (&self.config, self.action_dim);
        // φ of each network, drawn from the perturbation stream in turn (built on the CPU;
        // `perturb_where` moves each tensor to its parameter's device)
        let mut actor_phi = fresh_variables(|p| drop(Actor::new(p, repr_dim, a, c, rng)));
        let q = self.critic_action_dim; // A, or TACO's latent action size
        let mut critic_phi = fresh_variables(|p| drop(Critic::new(p, repr_dim, q, c, rng)));
        let mut target_phi = fresh_variables(|p| drop(Critic::new(p, repr_dim, q, c, rng)));
        let mut value_phi = fresh_variables(|p| drop(ValueNet::new(p, repr_dim, c, rng)));
        // MENTOR's task-oriented perturbation: the Linear targets are sampled element-wise
        // from N(μ, σ) of the snapshot set instead (once it holds two snapshots)
        if let Some(m) = self.mentor.as_mut() {
            if m.snapshots.len() >= 2 {
                let sampled = m.snapshots.sample(rng).expect("two snapshots or more");
                for (name, phi) in sampled {
                    let (target, local) = if let Some(n) = name.strip_prefix("actor.") {
                        (&mut actor_phi, n)
                    } else if let Some(n) = name.strip_prefix("critic_target.") {
                        (&mut target_phi, n)
                    } else if let Some(n) = name.strip_prefix("critic.") {
                        (&mut critic_phi, n)
                    } else if let Some(n) = name.strip_prefix("drm.value.") {
                        (&mut value_phi, n)
                    } else {
                        unreachable!("snapshots hold the four networks' parameters only")
                    };
                    let slot = target
                        .iter_mut()
                        .find(|(k, _)| k == local)
                        .expect("a snapshot parameter is a variable of its network");
                    slot.1 = phi.to_device(Device::Cpu);
                }
                m.snapshot_perturbations += 1;
            }
        }
        let same = "a fresh network has the same variables";
        perturb_where(&mut self.actor_vs, &actor_phi, alpha, is_linear).expect(same);
        perturb_where(&mut self.critic_vs, &critic_phi, alpha, is_linear).expect(same);
        perturb_where(&mut self.critic_target_vs, &target_phi, alpha, is_linear).expect(same);
        perturb_where(&mut drm.value_vs, &value_phi, alpha, is_linear).expect(same);
        // reference: `optimizer.state = defaultdict(dict)` for each perturbed network's
        // optimiser, the encoder's included (its weights stay: no nn.Linear)
        self.encoder_opt.reset_state();
        self.actor_opt.reset_state();
        self.critic_opt.reset_state();
        drm.value_opt.reset_state();
        drm.mark_perturbed(agent_steps, alpha);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drqv2::tests::{batch, tiny, TINY_OBS};
    use crate::drqv2::DrQV2Config;
    use ocellus_nn::TruncatedNormal;

    const A: i64 = 2;

    /// DrQ-v2's small test agent with DrM, perturbing every `period` agent steps.
    fn drm_agent(seed: u64, period: u64) -> DrQV2Agent {
        let mut c = tiny();
        let raw = DrmRawConfig {
            perturb_every_agent_steps: period,
            ..DrmRawConfig::default()
        };
        c.drm = Some(raw.to_config("test").unwrap());
        let shape = TINY_OBS;
        DrQV2Agent::new(c, shape, A, Device::Cpu, seed).unwrap()
    }

    fn drm(agent: &DrQV2Agent) -> &Drm {
        agent.drm.as_ref().unwrap()
    }

    fn copies(state: Vec<(String, Tensor)>) -> HashMap<String, Tensor> {
        state
            .into_iter()
            .map(|(k, t)| (k, t.detach().copy()))
            .collect()
    }

    #[test]
    fn empty_table_is_the_reference_and_bad_values_are_named() {
        let c: DrmRawConfig = toml::from_str("").unwrap();
        let d = c.validate(&mut Vec::new()).unwrap();
        assert_eq!(d.perturb_every, AgentSteps(100_000));
        assert_eq!(d.perturb_factor, PerturbFactor::drm(1.0));
        assert_eq!(d.dormant_stddev, DormantStddev::drm());
        assert_eq!(d.lambda, ExploitLambda::drm());
        assert_eq!(d.expectile, 0.9);
        assert_eq!(d.to_raw(), c);
        let bad: DrmRawConfig = toml::from_str(
            "perturb_every_agent_steps = 0\nexpectile = 1.5\nmax_perturb_factor = 0.1",
        )
        .unwrap();
        let mut problems = Vec::new();
        assert!(bad.validate(&mut problems).is_none());
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[0].starts_with("`drm.perturb_every_agent_steps` = 0"));
        assert!(text.iter().any(|t| t.starts_with("`drm.expectile` = 1.5")));
        assert!(text
            .iter()
            .any(|t| t
                .contains("`drm.max_perturb_factor` = 0.1: must be in [min_perturb_factor, 1]")));
        assert!(toml::from_str::<DrmRawConfig>("perturb_every = 5").is_err());
    }

    #[test]
    fn sigma_follows_the_dormant_ratio_then_the_restarted_schedule() {
        let mut a = drm_agent(1, 1_000_000);
        // β = 1 before any update (the reference's initial value): 1/(1 + e^{−8})
        let s0 = 1.0 / (1.0 + (-8f64).exp());
        assert!((a.stddev(AgentSteps(0)) - s0).abs() < 1e-15);
        // not awakened at or before num_expl_steps (2000), even with β < 0.2
        a.drm.as_mut().unwrap().observe(AgentSteps(2000), 0.1);
        // 1/(1 + e^{1}) = 0.2689414213699951
        assert!((a.stddev(AgentSteps(2000)) - 0.268_941_421_369_995_1).abs() < 1e-15);
        // awakened at 2002: max(σ_dormant, linear(1.0, 0.1, 500000) restarted at 2002)
        a.drm.as_mut().unwrap().observe(AgentSteps(2002), 0.1);
        assert_eq!(drm(&a).awaken.awakened_at(), Some(AgentSteps(2002)));
        assert_eq!(a.stddev(AgentSteps(2002)), 1.0);
        // 250000 steps later the schedule is at 1 − 0.9/2 = 0.55
        assert!((a.stddev(AgentSteps(252_002)) - 0.55).abs() < 1e-12);
        // past its end the schedule gives 0.1 and σ_dormant(0.1) wins
        assert!((a.stddev(AgentSteps(600_000)) - 0.268_941_421_369_995_1).abs() < 1e-15);
        // a later β above 0.2 raises σ_dormant again but cannot un-awaken
        a.drm.as_mut().unwrap().observe(AgentSteps(600_002), 0.3);
        assert_eq!(drm(&a).awaken.awakened_at(), Some(AgentSteps(2002)));
        assert!((a.stddev(AgentSteps(600_002)) - 0.731_058_578_630_004_9).abs() < 1e-15);
    }

    #[test]
    fn critic_target_blends_v_and_min_q_by_lambda() {
        let mut a = drm_agent(2, 1_000_000);
        a.drm.as_mut().unwrap().observe(AgentSteps(10), 0.1);
        // 0.6/(1 + e^{−5}) = 0.5959842894454291
        let lambda = 0.595_984_289_445_429_1;
        assert!((drm(&a).lambda() - lambda).abs() < 1e-15);
        let b = batch(1);
        let obs = a.aug.forward(&b.obs);
        let next_features = tch::no_grad(|| a.encoder.forward(&a.aug.forward(&b.next_obs)));
        // the target by hand, with a copy of the policy-noise generator
        let t = AgentSteps(10);
        let sigma = a.stddev(t);
        let mut noise = a.policy_noise_rng.clone();
        let y = tch::no_grad(|| {
            let dist: TruncatedNormal = a.actor.forward(&next_features, sigma);
            let next_action = dist.sample(&mut noise, Some(a.config.stddev_clip));
            let (q1, q2) = a.critic_target.forward(&next_features, &next_action);
            let v = drm(&a).value.forward(&next_features);
            &b.reward + &b.bootstrap_discount * (v * lambda + q1.minimum(&q2) * (1.0 - lambda))
        });
        let (m, _) = a.update_critic(
            &obs,
            &b.action,
            &b.reward,
            &b.bootstrap_discount,
            &next_features,
            t,
        );
        let expected = y.mean(Kind::Float).double_value(&[]);
        assert!(
            (m.target_q - expected).abs() < 1e-5,
            "{} vs {expected}",
            m.target_q
        );
    }

    #[test]
    fn value_step_is_one_adam_step_on_the_expectile_loss_of_replay_q() {
        let mut a = drm_agent(3, 1_000_000);
        // the loss by hand on a twin: the update's first draw shifts o, the encoder and the
        // critic are those before the step, u = min(Q1, Q2)(h, a) − V(h), weight 0.9 where
        // u ≥ 0 and 0.1 where u < 0
        let mut twin = drm_agent(3, 1_000_000);
        let b = batch(2);
        let expected = tch::no_grad(|| {
            let h = twin.encoder.forward(&twin.aug.forward(&b.obs));
            let (q1, q2) = twin.critic.forward(&h, &b.action);
            let u = q1.minimum(&q2) - drm(&twin).value.forward(&h);
            let w = u.lt(0.0).to_kind(Kind::Float) * (0.1 - 0.9) + 0.9;
            (w * u.square()).mean(Kind::Float).double_value(&[])
        });
        let before = copies(drm(&a).parameter_state());
        let m = a.update(&b, AgentSteps(3000));
        let d = m.drm.unwrap();
        assert!(expected > 0.0);
        assert!(
            (d.value_loss - expected).abs() < 1e-6 * expected,
            "{} vs {expected}",
            d.value_loss
        );
        assert_eq!(drm(&a).value_opt.steps(), 1);
        let after = copies(drm(&a).parameter_state());
        assert!(
            before.iter().any(|(k, t)| !t.equal(&after[k])),
            "V did not move"
        );
        // λ of the first update comes from β = 1: 0.6/(1 + e^{40})
        assert!((d.lambda - 0.6 / (1.0 + 40f64.exp())).abs() < 1e-20);
        // the update recorded its β for the next one
        assert_eq!(drm(&a).beta, m.actor.dormant_ratio);
        assert_eq!(m.named().len(), a.metric_names().len());
        assert!(m
            .named()
            .iter()
            .zip(a.metric_names())
            .all(|((k, _), n)| *k == n));
    }

    #[test]
    fn perturbation_moves_linear_weights_by_the_formula_and_clears_adam() {
        let mut a = drm_agent(4, 100);
        // the first update (step 250: boundaries 100 and 200 passed in the seed phase, none due)
        let m = a.update(&batch(1), AgentSteps(250));
        assert_eq!(m.drm.unwrap().perturbations, 0.0);
        assert_eq!(a.actor_opt.steps(), 1);
        a.drm.as_mut().unwrap().beta = 0.3; // α = clip(1 − 0.6, 0.2, 1) = 0.4
        let alpha = 0.4;
        let before = copies(a.parameter_state());
        let before_value = copies(drm(&a).parameter_state());
        // φ as the perturbation draws them: actor, critic, target critic, value net in turn
        let mut rng = drm(&a).perturb_rng.clone();
        let repr = a.encoder.repr_dim();
        let c = a.config.clone();
        let actor_phi = copies(fresh_variables(|p| {
            drop(Actor::new(p, repr, A, &c, &mut rng))
        }));
        let critic_phi = copies(fresh_variables(|p| {
            drop(Critic::new(p, repr, A, &c, &mut rng))
        }));
        let target_phi = copies(fresh_variables(|p| {
            drop(Critic::new(p, repr, A, &c, &mut rng))
        }));
        let value_phi = copies(fresh_variables(|p| {
            drop(ValueNet::new(p, repr, &c, &mut rng))
        }));

        a.perturb_if_due(AgentSteps(299)); // not yet
        assert_eq!(drm(&a).perturbations, 0);
        a.perturb_if_due(AgentSteps(300));
        assert_eq!(drm(&a).perturbations, 1);
        assert_eq!(drm(&a).last_alpha, alpha);
        let expect = |old: &Tensor, phi: &Tensor, name: &str, now: &Tensor| {
            if is_linear(name) {
                let want = old * alpha + phi * (1.0 - alpha);
                assert!(now.allclose(&want, 1e-6, 1e-7, false), "{name}");
                assert!(!now.equal(old), "{name} did not move");
            } else {
                assert!(now.equal(old), "{name} must keep its value");
            }
        };
        let mut linear = 0;
        for (key, now) in a.parameter_state() {
            let (group, name) = key.split_once('.').unwrap();
            let old = &before[&key];
            match group {
                "encoder" => assert!(now.equal(old), "the encoder keeps its weights"),
                "actor" => expect(old, &actor_phi[name], name, &now),
                "critic" => expect(old, &critic_phi[name], name, &now),
                "critic_target" => expect(old, &target_phi[name], name, &now),
                _ => unreachable!("{key}"),
            }
            linear += usize::from(is_linear(name));
        }
        assert!(linear > 10);
        for (key, now) in drm(&a).parameter_state() {
            let name = key.strip_prefix("drm.value.").unwrap();
            expect(&before_value[&key], &value_phi[name], name, &now);
        }
        // every optimiser forgot its moments and its step count
        for opt in [
            &a.encoder_opt,
            &a.actor_opt,
            &a.critic_opt,
            &drm(&a).value_opt,
        ] {
            assert_eq!(opt.steps(), 0);
            for (k, t) in opt.state_dict("o") {
                if k != "o.step" {
                    assert_eq!(t.abs().sum(Kind::Float).double_value(&[]), 0.0, "{k}");
                }
            }
        }
        // one perturbation per boundary: not again before 400
        a.perturb_if_due(AgentSteps(398));
        assert_eq!(drm(&a).perturbations, 1);
        let m = a.update(&batch(2), AgentSteps(400));
        assert_eq!(m.drm.unwrap().perturbations, 2.0);
    }

    #[test]
    fn state_round_trips_bit_exactly_and_a_drqv2_checkpoint_is_refused() {
        let mut a = drm_agent(5, 3);
        for i in 0..4 {
            a.update(&batch(i), AgentSteps(2_001 + i)); // a perturbation at 2004 (α from β)
        }
        assert_eq!(drm(&a).perturbations, 1);
        let dir = std::env::temp_dir().join(format!("ocellus-drm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("agent.safetensors");
        Tensor::write_safetensors(&a.state_dict(), &path).unwrap();
        let loaded = Tensor::read_safetensors(&path).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let mut b = drm_agent(6, 3);
        b.load_state_dict(&loaded).unwrap();
        for i in 4..8 {
            let t = AgentSteps(2_001 + i);
            assert_eq!(a.update(&batch(i), t), b.update(&batch(i), t));
        }
        assert_eq!(drm(&b).perturbations, 2);
        for ((ka, ta), (kb, tb)) in a.state_dict().iter().zip(&b.state_dict()) {
            assert_eq!(ka, kb);
            assert!(ta.equal(tb), "{ka} differs");
        }
        // a DrQ-v2 agent's state lacks DrM's entries; an invalid β is named
        let mut plain = DrQV2Config::preset("paper").unwrap();
        plain.hidden_dim = 32;
        plain.feature_dim = 8;
        let plain = DrQV2Agent::new(plain, [9, 20, 20], A, Device::Cpu, 0).unwrap();
        let before = copies(b.state_dict());
        let err = b
            .load_state_dict(&plain.state_dict())
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing key `drm.beta`"), "{err}");
        let mut sd = a.state_dict();
        for (k, t) in sd.iter_mut() {
            if k == "drm.beta" {
                *t = Tensor::from(1.5f64);
            }
        }
        let err = b.load_state_dict(&sd).unwrap_err().to_string();
        assert!(err.contains("`drm.beta`: 1.5"), "{err}");
        for (k, t) in b.state_dict() {
            assert!(t.equal(&before[&k]), "{k} changed by a refused load");
        }
    }
}
