//! MENTOR as an option of the DrQ-v2 agent with DrM (`[agent.mentor]` next to `[agent.drm]`,
//! `--agent mentor`): a mixture-of-experts policy body and task-oriented perturbation.
//!
//! **Paper:** Suning Huang, Zheyu Zhang, Tianhai Liang, Yihan Xu, Zhehao Kou, Chenhao Lu,
//! Guowei Xu, Zhengrong Xue, Huazhe Xu, "MENTOR: Mixture-of-Experts Network with
//! Task-Oriented Perturbation for Visual Reinforcement Learning", ICML 2025, arXiv:2410.14972.
//! **Reference code:** suninghuang19/mentor @ f4fa81f (`agents/mentor.py`, `moe.py`,
//! `utils.py::{perturb, models_tuple}`, `cfgs/agent/mentor.yaml`, `train_dmc.py`). MENTOR is
//! built on the DrM code: its value network, λ(β), α(β) and perturbation period are DrM's
//! ([`super::drm`]); the MoE pieces are [`ocellus_nn::moe`], the snapshot set
//! [`ocellus_nn::snapshots`], each with its tests against hand-computed values.
//!
//! 1. **MoE actor** ([`super::nets::MoeBody`]): trunk → `Linear(feature → hidden)` → ReLU →
//!    MoE(hidden → hidden; E experts `hidden → expert_hidden → hidden`, top-k gate with
//!    renormalised weights, dropout in the gate) → ReLU → `Linear(hidden → A)` → tanh. The
//!    actor loss gains the MoE's auxiliary loss, unscaled:
//!    `L = −min Q(h, a) + Var(load) + mean entropy(gate)` (`update_actor`:
//!    `(actor_loss + aux_loss).backward()`), and the actor's gradient norm is clipped to
//!    `actor_grad_clip_norm` = 0.001 (`clip_grad_norm_(actor.parameters(), 0.001)`).
//! 2. **Task-oriented perturbation**: at every training-episode end the Linear parameters of
//!    actor, critic, target critic and value network are offered to a set of the
//!    `snapshots` = 10 best by episode return ([`SnapshotSet`]); at each DrM perturbation the
//!    target φ of every Linear parameter is drawn element-wise from `N(μ, σ)` of the set
//!    (σ = the unbiased std, at least 1e-7) instead of a fresh initialisation, and
//!    `θ ← α·θ + (1 − α)·φ` with DrM's `α = clip(1 − 2β, 0.2, α_max)`.
//! 3. **Exploration**: `σ = 0.8 / (1 + exp(−10(β − 0.2)))` alone (`MENTORAgent.stddev`
//!    returns `dormant_stddev`, no restarted schedule); `--agent mentor` sets DrM's
//!    `dormant_stddev_scale = 0.8` and `restart_schedule = false` for this.
//!
//! **Deviations from the reference code**
//! 1. The perturbation period is DrM's, in agent steps (`drm.perturb_every_agent_steps`); the
//!    reference counts updates (`n_updates % perturb_interval`, 10,000 on DMC = 20,000 agent
//!    steps at its update-every-2 cadence).
//! 2. Every Linear weight and bias of the four networks is interpolated once, towards one
//!    sample of the set. The reference's `perturb` runs three times over the actor (whole
//!    actor, then experts, then gate), so the MoE is interpolated twice, the first time
//!    towards a fresh initialisation, and its `cal_params_stats`/`sampled_model` pair skips
//!    or reorders some biases; this is the paper's rule without that bookkeeping.
//! 3. Until the set holds two snapshots (a standard deviation needs two) the perturbation
//!    falls back to DrM's fresh initialisation.
//! 4. The gate's dropout mask comes from its own checkpointed generator; the reference's actor
//!    is in training mode while acting, computing the target and in the actor step (dropout
//!    on), and in evaluation mode only for evaluation episodes — here likewise. The dormant
//!    ratio is measured without dropout.
//! 5. Only Linear parameters are kept in the snapshots (LayerNorm is never interpolated).

use std::collections::HashMap;

use ocellus_nn::moe::{expert_load, gate_entropy, load_balance_loss};
use ocellus_nn::{MoeConfig, Rng, SnapshotSet, TopKGate};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::error::{AgentError, ConfigError, ConfigProblem};
use ocellus_nn::{StateError, StateProblem};

/// Seed stream of the MoE gate's dropout masks.
pub(super) const STREAM_DROPOUT: u64 = 6;

/// Most experts a config may ask for (the expert-load columns of the logs are named up to it).
pub const MAX_EXPERTS: usize = 32;

/// Checkpoint prefix of the snapshot set.
pub(super) const SNAPSHOTS_PREFIX: &str = "mentor.snapshots";

/// `[agent.mentor]` as written in TOML; every key is optional and defaults to the reference's
/// value (`cfgs/agent/mentor.yaml`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MentorRawConfig {
    /// E, `num_experts` (16; the project page reports 8 as best, 4–32 as similar).
    pub num_experts: i64,
    /// k, `top_k` (4).
    pub top_k: i64,
    /// Width of each expert's hidden layer, `moe_hidden_dim` (256, a quarter of the reference
    /// actor's hidden 1024).
    pub expert_hidden_dim: i64,
    /// Width of the gate's hidden layer, `moe_gate_dim` (256).
    pub gate_dim: i64,
    /// Dropout probability in the gate, `dropout` (0.1).
    pub dropout: f64,
    /// Snapshots kept for the task-oriented perturbation, `tp_set_size` (10).
    pub snapshots: usize,
    /// Maximum L2 norm of the actor's gradient (`clip_grad_norm_(…, 0.001)`); 0 turns the
    /// clipping off.
    pub actor_grad_clip_norm: f64,
}

impl Default for MentorRawConfig {
    fn default() -> Self {
        let moe = MoeConfig::mentor();
        MentorRawConfig {
            num_experts: moe.num_experts,
            top_k: moe.top_k,
            expert_hidden_dim: moe.hidden_dim,
            gate_dim: moe.gate_dim,
            dropout: moe.dropout,
            snapshots: ocellus_nn::TP_SET_SIZE,
            actor_grad_clip_norm: 0.001,
        }
    }
}

/// Validated MENTOR settings.
#[derive(Clone, Debug, PartialEq)]
pub struct MentorConfig {
    /// The MoE layer's sizes.
    pub moe: MoeConfig,
    /// Snapshot set capacity.
    pub snapshots: usize,
    /// Actor gradient clipping (`None`: off).
    pub actor_grad_clip_norm: Option<f64>,
}

impl MentorRawConfig {
    /// Checks every value and returns the typed config, or all problems at once.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] listing each out-of-range value; `origin` names the source.
    pub fn to_config(&self, origin: &str) -> Result<MentorConfig, ConfigError> {
        let mut problems = Vec::new();
        self.validate(&mut problems).ok_or(ConfigError::Invalid {
            origin: origin.to_string(),
            problems,
        })
    }

    /// Appends every out-of-range value to `problems` and returns the typed config if there
    /// was none.
    pub(super) fn validate(&self, problems: &mut Vec<ConfigProblem>) -> Option<MentorConfig> {
        let before = problems.len();
        let mut check = |ok: bool, field: &'static str, value: String, reason: &str| {
            if !ok {
                problems.push(ConfigProblem {
                    field,
                    value,
                    reason: reason.to_string(),
                });
            }
        };
        check(
            (2..=MAX_EXPERTS as i64).contains(&self.num_experts),
            "mentor.num_experts",
            self.num_experts.to_string(),
            "must be in 2..=32 (the load-balance loss is a variance over experts)",
        );
        check(
            self.top_k >= 1 && self.top_k <= self.num_experts,
            "mentor.top_k",
            self.top_k.to_string(),
            "must be in 1..=num_experts",
        );
        for (field, v) in [
            ("mentor.expert_hidden_dim", self.expert_hidden_dim),
            ("mentor.gate_dim", self.gate_dim),
        ] {
            check(v >= 1, field, v.to_string(), "must be at least 1");
        }
        check(
            (0.0..1.0).contains(&self.dropout),
            "mentor.dropout",
            self.dropout.to_string(),
            "must be in [0, 1)",
        );
        check(
            self.snapshots >= 2,
            "mentor.snapshots",
            self.snapshots.to_string(),
            "must be at least 2 (perturbation targets need a standard deviation)",
        );
        check(
            self.actor_grad_clip_norm.is_finite() && self.actor_grad_clip_norm >= 0.0,
            "mentor.actor_grad_clip_norm",
            self.actor_grad_clip_norm.to_string(),
            "must be a non-negative number (0: no clipping)",
        );
        (problems.len() == before).then_some(MentorConfig {
            moe: MoeConfig {
                num_experts: self.num_experts,
                top_k: self.top_k,
                hidden_dim: self.expert_hidden_dim,
                gate_dim: self.gate_dim,
                dropout: self.dropout,
            },
            snapshots: self.snapshots,
            actor_grad_clip_norm: (self.actor_grad_clip_norm > 0.0)
                .then_some(self.actor_grad_clip_norm),
        })
    }
}

impl MentorConfig {
    /// The raw form.
    pub fn to_raw(&self) -> MentorRawConfig {
        MentorRawConfig {
            num_experts: self.moe.num_experts,
            top_k: self.moe.top_k,
            expert_hidden_dim: self.moe.hidden_dim,
            gate_dim: self.moe.gate_dim,
            dropout: self.moe.dropout,
            snapshots: self.snapshots,
            actor_grad_clip_norm: self.actor_grad_clip_norm.unwrap_or(0.0),
        }
    }
}

/// The names MENTOR appends to the metrics, in order, before the per-expert loads
/// ([`EXPERT_LOAD_NAMES`], one per expert).
pub const MENTOR_METRIC_NAMES: [&str; 7] = [
    "mentor_aux_loss",
    "mentor_load_balance",
    "mentor_gate_entropy",
    "mentor_actor_grad_norm",
    "mentor_snapshots",
    "mentor_snapshot_return_mean",
    "mentor_snapshot_perturbations",
];

/// The expert-load columns: the share of the batch routed to expert e (top-k assignments / B,
/// the reference's `expert_{e}_usage_rate`; they sum to k).
pub const EXPERT_LOAD_NAMES: [&str; MAX_EXPERTS] = [
    "mentor_expert_load_00",
    "mentor_expert_load_01",
    "mentor_expert_load_02",
    "mentor_expert_load_03",
    "mentor_expert_load_04",
    "mentor_expert_load_05",
    "mentor_expert_load_06",
    "mentor_expert_load_07",
    "mentor_expert_load_08",
    "mentor_expert_load_09",
    "mentor_expert_load_10",
    "mentor_expert_load_11",
    "mentor_expert_load_12",
    "mentor_expert_load_13",
    "mentor_expert_load_14",
    "mentor_expert_load_15",
    "mentor_expert_load_16",
    "mentor_expert_load_17",
    "mentor_expert_load_18",
    "mentor_expert_load_19",
    "mentor_expert_load_20",
    "mentor_expert_load_21",
    "mentor_expert_load_22",
    "mentor_expert_load_23",
    "mentor_expert_load_24",
    "mentor_expert_load_25",
    "mentor_expert_load_26",
    "mentor_expert_load_27",
    "mentor_expert_load_28",
    "mentor_expert_load_29",
    "mentor_expert_load_30",
    "mentor_expert_load_31",
];

/// MENTOR's per-update measurements.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MentorMetrics {
    /// `load_balance + gate_entropy`, added to the actor loss.
    pub aux_loss: f64,
    /// Var(load) over the experts (no gradient).
    pub load_balance: f64,
    /// Mean entropy of the gate's softmax.
    pub gate_entropy: f64,
    /// The actor's gradient norm before clipping.
    pub actor_grad_norm: f64,
    /// Snapshots in the set.
    pub snapshots: f64,
    /// Mean training-episode return of the kept snapshots (0 when empty).
    pub snapshot_return_mean: f64,
    /// Perturbations whose targets were sampled from the set (the others were fresh inits).
    pub snapshot_perturbations: f64,
    /// The first `num_experts` entries: each expert's load.
    pub expert_load: [f64; MAX_EXPERTS],
    /// E.
    pub num_experts: usize,
}

impl MentorMetrics {
    /// `(name, value)` in [`MENTOR_METRIC_NAMES`] order, then one load per expert.
    pub fn named(&self) -> Vec<(&'static str, f64)> {
        let values = [
            self.aux_loss,
            self.load_balance,
            self.gate_entropy,
            self.actor_grad_norm,
            self.snapshots,
            self.snapshot_return_mean,
            self.snapshot_perturbations,
        ];
        let mut out: Vec<(&'static str, f64)> =
            MENTOR_METRIC_NAMES.into_iter().zip(values).collect();
        out.extend(
            EXPERT_LOAD_NAMES
                .iter()
                .copied()
                .zip(self.expert_load)
                .take(self.num_experts),
        );
        out
    }
}

/// The metric names of a MENTOR agent with `num_experts` experts.
pub(super) fn metric_names(num_experts: i64) -> Vec<&'static str> {
    let mut names = MENTOR_METRIC_NAMES.to_vec();
    names.extend(&EXPERT_LOAD_NAMES[..num_experts as usize]);
    names
}

/// What the actor step hands to MENTOR's metrics (0-d tensors, fetched with the actor's).
pub(super) struct AuxTerms {
    /// Var(load), no gradient.
    pub(super) load_balance: Tensor,
    /// Mean gate entropy, differentiable.
    pub(super) gate_entropy: Tensor,
    /// Per-expert load `[E]`.
    pub(super) load: Tensor,
}

impl AuxTerms {
    /// The auxiliary terms of a routing decision over `num_experts` experts.
    pub(super) fn of(gate: &TopKGate, num_experts: i64) -> Self {
        let why = "the gate's indices are [B, k] in 0..E and its probabilities [B, E]";
        AuxTerms {
            load_balance: load_balance_loss(&gate.indices, num_experts).expect(why),
            gate_entropy: gate_entropy(&gate.probs).expect(why),
            load: expert_load(&gate.indices, num_experts).expect(why),
        }
    }

    /// `1.0·L_balance + 1.0·L_entropy` (`moe_auxiliary_loss`).
    pub(super) fn loss(&self) -> Tensor {
        &self.load_balance + &self.gate_entropy
    }
}

/// Scales `grads` in place so that their joint L2 norm is at most `max_norm`, as
/// `torch.nn.utils.clip_grad_norm_` does (`coef = max_norm / (norm + 1e-6)`, applied only when
/// below 1); returns the norm before clipping.
pub(super) fn clip_grad_norm(grads: &mut [Tensor], max_norm: f64) -> f64 {
    let norm = tch::no_grad(|| {
        let squares: Vec<Tensor> = grads.iter().map(|g| g.square().sum(Kind::Float)).collect();
        Tensor::stack(&squares, 0).sum(Kind::Float).sqrt()
    })
    .double_value(&[]);
    let coef = max_norm / (norm + 1e-6);
    if coef < 1.0 {
        tch::no_grad(|| {
            for g in grads.iter_mut() {
                let _ = g.g_mul_scalar_(coef);
            }
        });
    }
    norm
}

/// MENTOR's state inside a `DrQV2Agent`.
#[derive(Debug)]
pub(super) struct Mentor {
    pub(super) config: MentorConfig,
    pub(super) snapshots: SnapshotSet,
    pub(super) dropout_rng: Rng,
    /// Perturbations whose targets came from the set.
    pub(super) snapshot_perturbations: u64,
    /// The latest actor step's measurements (set by the actor step, read by `update`).
    pub(super) last: Option<MentorMetrics>,
}

impl Mentor {
    pub(super) fn new(config: MentorConfig, seed: u64) -> Self {
        Mentor {
            snapshots: SnapshotSet::new(config.snapshots)
                .expect("the capacity is validated to be at least 2"),
            config,
            dropout_rng: Rng::new(seed, STREAM_DROPOUT),
            snapshot_perturbations: 0,
            last: None,
        }
    }

    /// The metrics of an actor step from its fetched scalars.
    pub(super) fn metrics(
        &self,
        load_balance: f64,
        gate_entropy: f64,
        actor_grad_norm: f64,
        load: &[f64],
    ) -> MentorMetrics {
        let returns = self.snapshots.returns();
        let mut expert_load = [0.0; MAX_EXPERTS];
        for (slot, v) in expert_load.iter_mut().zip(load) {
            *slot = *v;
        }
        MentorMetrics {
            aux_loss: load_balance + gate_entropy,
            load_balance,
            gate_entropy,
            actor_grad_norm,
            snapshots: returns.len() as f64,
            snapshot_return_mean: if returns.is_empty() {
                0.0
            } else {
                returns.iter().sum::<f64>() / returns.len() as f64
            },
            snapshot_perturbations: self.snapshot_perturbations as f64,
            expert_load,
            num_experts: self.config.moe.num_experts as usize,
        }
    }

    /// Checkpoint entries besides the snapshots: `mentor.rng.dropout`,
    /// `mentor.snapshot_perturbations`.
    pub(super) fn fixed_state(&self) -> Vec<(String, Tensor)> {
        vec![
            ("mentor.rng.dropout".into(), self.dropout_rng.state_tensor()),
            (
                "mentor.snapshot_perturbations".into(),
                Tensor::from(self.snapshot_perturbations as i64),
            ),
        ]
    }

    /// The snapshot set's entries (their number changes as the set fills).
    pub(super) fn snapshot_state(&self) -> Vec<(String, Tensor)> {
        self.snapshots.state(SNAPSHOTS_PREFIX)
    }

    /// Reads and validates MENTOR's entries without changing anything: `map` holds the fixed
    /// entries (already checked for names and shapes), `snapshots` the set's entries, whose
    /// parameters must be exactly `params` (names, shapes, kinds).
    pub(super) fn read_state(
        &self,
        map: &HashMap<&str, &Tensor>,
        snapshots: &[(String, Tensor)],
        params: &[(String, Tensor)],
    ) -> Result<MentorRestore, AgentError> {
        let dropout_rng = Rng::from_state_tensor("mentor.rng.dropout", map["mentor.rng.dropout"])?;
        let count = map["mentor.snapshot_perturbations"].int64_value(&[]);
        if count < 0 {
            return Err(AgentError::State(StateError::one(StateProblem::Value {
                key: "mentor.snapshot_perturbations".into(),
                reason: format!("{count}: a count"),
            })));
        }
        let set = SnapshotSet::from_state(self.config.snapshots, SNAPSHOTS_PREFIX, snapshots)
            .map_err(|e| {
                AgentError::State(StateError::one(StateProblem::Value {
                    key: SNAPSHOTS_PREFIX.into(),
                    reason: e.to_string(),
                }))
            })?;
        if let Some(first) = set.snapshot(0) {
            ocellus_nn::state::check_state(params, first).map_err(|e| {
                AgentError::State(StateError::one(StateProblem::Value {
                    key: format!("{SNAPSHOTS_PREFIX}.0"),
                    reason: format!("the snapshots do not fit this agent's networks: {e}"),
                }))
            })?;
        }
        Ok(MentorRestore {
            dropout_rng,
            snapshot_perturbations: count as u64,
            snapshots: set,
        })
    }

    /// Applies what [`Mentor::read_state`] validated.
    pub(super) fn restore(&mut self, r: MentorRestore) {
        self.dropout_rng = r.dropout_rng;
        self.snapshot_perturbations = r.snapshot_perturbations;
        self.snapshots = r.snapshots;
        self.last = None;
    }
}

/// MENTOR's validated checkpoint values, applied only once everything else validated too.
#[derive(Debug)]
pub(super) struct MentorRestore {
    dropout_rng: Rng,
    snapshot_perturbations: u64,
    snapshots: SnapshotSet,
}

/// Whether a checkpoint key belongs to the snapshot set (their number varies, so they are
/// checked by [`SnapshotSet::from_state`], not against the agent's own keys).
pub(super) fn is_snapshot_key(key: &str) -> bool {
    key.strip_prefix(SNAPSHOTS_PREFIX)
        .is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drqv2::tests::{batch, tiny, TINY_OBS};
    use crate::drqv2::{DrQV2Agent, DrmRawConfig, PolicyBody};
    use ocellus_core::AgentSteps;
    use tch::Device;

    const A: i64 = 2;
    const E: i64 = 4;

    fn small_mentor() -> MentorRawConfig {
        MentorRawConfig {
            num_experts: E,
            top_k: 2,
            expert_hidden_dim: 8,
            gate_dim: 8,
            snapshots: 3,
            ..MentorRawConfig::default()
        }
    }

    /// The small test agent with DrM (MENTOR's σ) and MENTOR, perturbing every `period` steps.
    fn mentor_agent(seed: u64, period: u64) -> DrQV2Agent {
        let mut c = tiny();
        let drm = DrmRawConfig {
            perturb_every_agent_steps: period,
            dormant_stddev_scale: 0.8,
            restart_schedule: false,
            ..DrmRawConfig::default()
        };
        c.drm = Some(drm.to_config("test").unwrap());
        c.mentor = Some(small_mentor().to_config("test").unwrap());
        let shape = TINY_OBS;
        DrQV2Agent::new(c, shape, A, Device::Cpu, seed).unwrap()
    }

    fn copies(state: Vec<(String, Tensor)>) -> HashMap<String, Tensor> {
        state
            .into_iter()
            .map(|(k, t)| (k, t.detach().copy()))
            .collect()
    }

    #[test]
    fn empty_table_is_the_reference_and_bad_values_are_named() {
        let c: MentorRawConfig = toml::from_str("").unwrap();
        let m = c.to_config("test").unwrap();
        assert_eq!(m.moe, MoeConfig::mentor());
        assert_eq!(m.snapshots, 10);
        assert_eq!(m.actor_grad_clip_norm, Some(0.001));
        assert_eq!(m.to_raw(), c);
        let bad: MentorRawConfig =
            toml::from_str("num_experts = 40\ntop_k = 0\ndropout = 1.0\nsnapshots = 1").unwrap();
        let text = bad.to_config("x.toml").unwrap_err().to_string();
        for field in [
            "mentor.num_experts",
            "mentor.top_k",
            "mentor.dropout",
            "mentor.snapshots",
        ] {
            assert!(text.contains(field), "{field}: {text}");
        }
        // MENTOR without DrM is refused with a reason
        let mut raw = tiny().to_raw();
        raw.mentor = Some(MentorRawConfig::default());
        let err = raw.validate("x.toml").unwrap_err().to_string();
        assert!(err.contains("MENTOR builds on DrM"), "{err}");
    }

    #[test]
    fn the_actor_is_the_reference_moe_actor() {
        let agent = mentor_agent(1, 1000);
        let PolicyBody::Moe(body) = &agent.actor().body else {
            panic!("MENTOR's actor has a MoE body");
        };
        assert_eq!(body.moe.config().num_experts, E);
        let shapes: HashMap<String, Vec<i64>> = agent
            .state_dict()
            .into_iter()
            .filter(|(k, _)| k.starts_with("actor."))
            .map(|(k, t)| (k, t.size()))
            .collect();
        // hidden 32, expert hidden 8, gate 8, 4 experts, 2 actions
        for (key, shape) in [
            ("actor.policy1.0.weight", vec![32, 8]),
            ("actor.moe.experts.3.0.weight", vec![8, 32]),
            ("actor.moe.experts.3.2.weight", vec![32, 8]),
            ("actor.moe.gate.0.weight", vec![8, 32]),
            ("actor.moe.gate.3.weight", vec![4, 8]),
            ("actor.policy2.1.weight", vec![2, 32]),
        ] {
            assert_eq!(shapes.get(key), Some(&shape), "{key}");
        }
        assert!(!shapes.contains_key("actor.policy.0.weight"));
        // the expert weights are orthogonal after `apply(weight_init)`: W Wᵀ = I for [8, 32]
        let w = &agent
            .state_dict()
            .into_iter()
            .find(|(k, _)| k == "actor.moe.experts.0.0.weight")
            .unwrap()
            .1;
        let gram = w.matmul(&w.tr());
        let eye = Tensor::eye(8, (Kind::Float, Device::Cpu));
        assert!((gram - eye).abs().max().double_value(&[]) < 1e-5);
        // the dormant ratio scores every Linear: trunk, policy1, 2 per expert, 2 gate, policy2
        let features = Tensor::ones([5, agent.encoder().repr_dim()], (Kind::Float, Device::Cpu));
        let outputs = agent.actor().linear_outputs(&features);
        assert_eq!(outputs.len(), 1 + 1 + 2 * E as usize + 2 + 1);
        let neurons: i64 = outputs.iter().map(|t| t.size()[1]).sum();
        assert_eq!(neurons, 8 + 32 + E * (32 + 8) + 4 + 8 + 2);
    }

    #[test]
    fn sigma_is_the_scaled_dormant_sigmoid_without_a_schedule() {
        let mut agent = mentor_agent(1, 1000);
        let drm = agent.drm.as_mut().unwrap();
        drm.observe(AgentSteps(5000), 0.1); // awakened (β < 0.2 after the 2000 steps) …
                                            // … but σ stays 0.8 / (1 + e^{−10·(0.1 − 0.2)}) = 0.8 / (1 + e) = 0.21515…
        let expected = 0.8 / (1.0 + 1f64.exp());
        assert!((drm.stddev(AgentSteps(5000)) - expected).abs() < 1e-15);
        assert!((drm.stddev(AgentSteps(900_000)) - expected).abs() < 1e-15);
    }

    #[test]
    fn gradient_clipping_scales_to_the_norm_as_torch_does() {
        // joint norm of (3, 4) and (12) is 13; max 1.3 → coef = 1.3 / (13 + 1e-6)
        let mut grads = vec![
            Tensor::from_slice(&[3.0f32, 4.0]),
            Tensor::from_slice(&[12.0f32]),
        ];
        let norm = clip_grad_norm(&mut grads, 1.3);
        assert!((norm - 13.0).abs() < 1e-6);
        let coef = 1.3 / (13.0 + 1e-6);
        let got: Vec<f32> = Vec::try_from(Tensor::cat(&grads, 0)).unwrap();
        for (g, want) in got.iter().zip([3.0 * coef, 4.0 * coef, 12.0 * coef]) {
            assert!((f64::from(*g) - want).abs() < 1e-6, "{g} vs {want}");
        }
        // below the bound nothing changes
        let mut small = vec![Tensor::from_slice(&[0.3f32, 0.4])];
        assert!((clip_grad_norm(&mut small, 1.0) - 0.5).abs() < 1e-6);
        assert_eq!(Vec::<f32>::try_from(&small[0]).unwrap(), vec![0.3, 0.4]);
    }

    #[test]
    fn an_update_trains_the_gate_and_reports_the_moe_metrics() {
        let mut agent = mentor_agent(2, 1000);
        let before = copies(agent.state_dict());
        let named = agent.update(&batch(1), AgentSteps(100)).named();
        let value = |name: &str| named.iter().find(|(k, _)| *k == name).unwrap().1;
        // every gate and expert parameter moved (the gate through the entropy and the
        // weighted outputs, the experts through the weighted outputs: top 2 of 4 per sample
        // over 8 samples reach every expert here, or their gradient would be 0)
        let after = copies(agent.state_dict());
        for (k, t) in &after {
            if k.starts_with("actor.moe.gate.") {
                assert!(!before[k].equal(t), "{k} did not move");
            }
        }
        let loads: Vec<f64> = (0..E as usize)
            .map(|e| value(EXPERT_LOAD_NAMES[e]))
            .collect();
        // top-2 loads sum to k = 2
        assert!((loads.iter().sum::<f64>() - 2.0).abs() < 1e-9, "{loads:?}");
        let mean = loads.iter().sum::<f64>() / E as f64;
        let var = loads.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (E - 1) as f64;
        // Var(count/(B + 1e-9)) ≈ Var(load)
        assert!((value("mentor_load_balance") - var).abs() < 1e-6);
        let entropy = value("mentor_gate_entropy");
        assert!(
            entropy > 0.0 && entropy <= (E as f64).ln() + 1e-6,
            "{entropy}"
        );
        assert!((value("mentor_aux_loss") - var - entropy).abs() < 1e-6);
        assert!(value("mentor_actor_grad_norm") > 0.0);
        assert_eq!(named.len(), agent.metric_names().len());
        for ((n, _), m) in named.iter().zip(agent.metric_names()) {
            assert_eq!(*n, m);
        }
    }

    #[test]
    fn snapshot_set_keeps_the_best_episodes_parameters() {
        let mut agent = mentor_agent(3, 1000);
        let at_start = copies(agent.snapshot_params());
        for r in [1.0, 5.0, 3.0] {
            agent.end_episode(r).unwrap();
        }
        agent.update(&batch(2), AgentSteps(100));
        let later = copies(agent.snapshot_params());
        // full (capacity 3): 4.0 replaces the first minimum (1.0, slot 0); 2.0 is rejected
        agent.end_episode(4.0).unwrap();
        agent.end_episode(2.0).unwrap();
        let set = &agent.mentor.as_ref().unwrap().snapshots;
        assert_eq!(set.returns(), &[4.0, 5.0, 3.0]);
        let slot = |i: usize| -> HashMap<String, Tensor> {
            set.snapshot(i)
                .unwrap()
                .iter()
                .map(|(k, t)| (k.clone(), t.shallow_clone()))
                .collect()
        };
        for (k, t) in &later {
            assert!(slot(0)[k].equal(t), "slot 0 holds the later {k}");
            assert!(slot(1)[k].equal(&at_start[k]), "slot 1 holds the first {k}");
        }
        // Linear parameters of the four networks only
        assert!(later.keys().all(|k| !k.contains("trunk.norm")));
        assert!(later.keys().any(|k| k.starts_with("drm.value.")));
        assert!(later.keys().any(|k| k.starts_with("critic_target.")));
        // a non-finite return is an error and changes nothing
        assert!(agent.end_episode(f64::NAN).is_err());
        assert_eq!(
            agent.mentor.as_ref().unwrap().snapshots.returns(),
            &[4.0, 5.0, 3.0]
        );
    }

    #[test]
    fn perturbation_moves_towards_the_snapshots_by_alpha() {
        let mut agent = mentor_agent(4, 10);
        agent.update(&batch(3), AgentSteps(1)); // β measured; before the first boundary
        let kept = copies(agent.snapshot_params());
        // two equal snapshots: σ is clamped to 1e-7, so φ = μ = the kept parameters (± 1e-6)
        agent.end_episode(7.0).unwrap();
        agent.end_episode(7.0).unwrap();
        agent.update(&batch(4), AgentSteps(2));
        let theta = copies(agent.snapshot_params());
        let norms: HashMap<String, Tensor> = copies(agent.state_dict())
            .into_iter()
            .filter(|(k, _)| {
                k.contains("trunk.norm") && !k.starts_with("optim.") && !k.starts_with("mentor.")
            })
            .collect();
        let drm = agent.drm.as_ref().unwrap();
        let alpha = drm.config.perturb_factor.alpha(drm.beta);
        assert!(alpha < 1.0, "β = {} gives α = 1: nothing to see", drm.beta);
        agent.perturb_if_due(AgentSteps(10));
        assert_eq!(agent.mentor.as_ref().unwrap().snapshot_perturbations, 1);
        for (k, t) in agent.snapshot_params() {
            let want = &theta[&k] * alpha + &kept[&k] * (1.0 - alpha);
            let err = (&t - want).abs().max().double_value(&[]);
            assert!(err < 1e-5, "{k}: {err}");
        }
        for (k, t) in agent.state_dict() {
            if let Some(n) = norms.get(&k) {
                assert!(n.equal(&t), "{k} is not interpolated");
            }
        }
        for opt in agent.optimizers_mut() {
            assert_eq!(opt.steps(), 0);
        }
        assert_eq!(agent.drm.as_ref().unwrap().perturbations, 1);
    }

    #[test]
    fn state_round_trips_with_any_number_of_snapshots_and_bad_ones_are_refused() {
        let mut a = mentor_agent(5, 3);
        for step in 1..=4 {
            a.update(&batch(step), AgentSteps(step));
            a.end_episode(step as f64).unwrap();
        }
        let state: Vec<(String, Tensor)> = a
            .state_dict()
            .into_iter()
            .map(|(k, t)| (k, t.detach().copy()))
            .collect();
        assert!(state
            .iter()
            .any(|(k, _)| k == "mentor.snapshots.2.actor.moe.gate.0.weight"));
        // a fresh agent (no snapshots) takes the state of one with three
        let mut b = mentor_agent(6, 3);
        b.load_state_dict(&state).unwrap();
        let (sa, sb) = (a.state_dict(), b.state_dict());
        assert_eq!(sa.len(), sb.len());
        for ((ka, ta), (kb, tb)) in sa.iter().zip(&sb) {
            assert_eq!(ka, kb);
            assert!(ta.equal(tb), "{ka}");
        }
        // both continue identically (dropout and perturbation streams included)
        for step in 5..=7 {
            let ma = a.update(&batch(step), AgentSteps(step)).named();
            let mb = b.update(&batch(step), AgentSteps(step)).named();
            assert_eq!(ma, mb);
        }
        // a mis-shaped snapshot is refused and nothing changes
        let mut bad: Vec<(String, Tensor)> = state
            .iter()
            .map(|(k, t)| (k.clone(), t.shallow_clone()))
            .collect();
        for (k, t) in &mut bad {
            if k == "mentor.snapshots.1.actor.policy2.1.bias" {
                *t = Tensor::zeros([3], (Kind::Float, Device::Cpu));
            }
        }
        let mut c = mentor_agent(7, 3);
        let before = copies(c.state_dict());
        let err = c.load_state_dict(&bad).unwrap_err().to_string();
        assert!(err.contains("mentor.snapshots"), "{err}");
        let after = copies(c.state_dict());
        assert_eq!(before.len(), after.len());
        for (k, t) in &after {
            assert!(before[k].equal(t), "{k} changed");
        }
        // a DrM checkpoint is not a MENTOR one
        let mut drm_only = tiny();
        drm_only.drm = Some(DrmRawConfig::default().to_config("t").unwrap());
        let shape = TINY_OBS;
        let d = DrQV2Agent::new(drm_only, shape, A, Device::Cpu, 1).unwrap();
        let err = c.load_state_dict(&d.state_dict()).unwrap_err().to_string();
        assert!(err.contains("missing key `actor.moe."), "{err}");
    }
}
