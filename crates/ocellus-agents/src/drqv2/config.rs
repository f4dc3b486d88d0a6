//! DrQ-v2's settings: the TOML form ([`DrQV2RawConfig`]), its validation into
//! [`DrQV2Config`], and the presets shipped in `configs/drqv2/`.

use ocellus_core::AgentSteps;
use ocellus_nn::encoder::EncoderSpec;
use ocellus_nn::Schedule;
use serde::{Deserialize, Serialize};

use super::drm::{DrmConfig, DrmRawConfig};
use super::mentor::{MentorConfig, MentorRawConfig};
use super::taco::{TacoConfig, TacoRawConfig};
use crate::error::{ConfigError, ConfigProblem};

/// The presets shipped in `configs/drqv2/`, embedded so the binary does not need the sources.
/// Each is a whole run's settings for the DrQ-v2 family in four tables by owner: `[env]`
/// (image size, frame stack, action repeat), `[replay]` (capacity, n-step, discount), `[loop]`
/// (seed frames, update cadence, batch size) and `[agent]` (this module's
/// [`DrQV2RawConfig`]); the agent reads only its own.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "paper",
        include_str!("../../../../configs/drqv2/paper.toml"),
    ),
    ("cpu", include_str!("../../../../configs/drqv2/cpu.toml")),
];

/// The TOML text of the preset `name` ([`PRESETS`]).
///
/// # Errors
/// [`ConfigError::UnknownPreset`] listing the known names.
pub fn preset_text(name: &str) -> Result<&'static str, ConfigError> {
    PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .ok_or_else(|| ConfigError::UnknownPreset {
            name: name.to_string(),
            available: PRESETS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Per-domain values of the presets (`configs/task_presets.toml`): a table per preset, in it a
/// table per domain (`[cpu.reacher]`) holding tables of the preset's (`[cpu.reacher.env]`)
/// whose keys a run of that domain's tasks takes over the preset's.
pub const TASK_PRESETS: &str = include_str!("../../../../configs/task_presets.toml");

fn reference_encoder_channels() -> i64 {
    EncoderSpec::drqv2().channels
}

/// DrQ-v2's settings as written in a TOML file; [`DrQV2RawConfig::validate`] checks them.
///
/// Every field is required (a preset is complete); an unknown key is an error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrQV2RawConfig {
    /// Output channels of each of the encoder's four conv layers (32 in the reference's
    /// `Encoder`). Optional in files written before it existed (then 32).
    #[serde(default = "reference_encoder_channels")]
    pub encoder_channels: i64,
    /// Width of the actor's and critic's trunk output (`feature_dim`).
    pub feature_dim: i64,
    /// Width of the hidden layers of the actor and Q MLPs (`hidden_dim`).
    pub hidden_dim: i64,
    /// Replicate padding of the random shift, in pixels (`RandomShiftsAug(pad=4)`).
    pub aug_pad: i64,
    /// K of DrQ (Kostrikov et al. 2020, arXiv 2004.13649, Eq. 1): the critic target is averaged
    /// over this many independent random shifts of o' (each with its own target action).
    /// 1, the default, is DrQ-v2; DrQ uses 2.
    #[serde(default = "one_copy")]
    pub target_augmentations: u32,
    /// M of DrQ (Eq. 3): the critic loss is averaged over this many independent random shifts of o
    /// (the encoder sees the batch M times). 1, the default, is DrQ-v2; DrQ uses 2. The actor
    /// step uses the features of the first shift, as DrQ's.
    #[serde(default = "one_copy")]
    pub critic_augmentations: u32,
    /// Adam learning rate of encoder, actor and critic (`lr`).
    pub lr: f64,
    /// τ of the target-critic EMA (`critic_target_tau`).
    pub critic_target_tau: f64,
    /// σ of the exploration and target-policy noise over agent steps (`stddev_schedule`).
    pub stddev_schedule: RawSchedule,
    /// Clip c of the target-policy and actor-update noise (`stddev_clip`).
    pub stddev_clip: f64,
    /// Weight λ of `λ·mean(x²)` added to the actor loss, x the policy's pre-tanh output;
    /// 0 (the default, and DrQ-v2) turns it off. Not in DrQ-v2: rlkit's DDPG/TD3
    /// `policy_pre_activation_weight`. It keeps a saturated mean recoverable: at |x| ≫ 1
    /// `tanh′(x)` passes no Q-gradient but the penalty's gradient 2λx still pulls x back.
    #[serde(default)]
    pub actor_preact_l2: f64,
    /// The policy: `"deterministic"` (the default, DrQ-v2: μ_φ plus scheduled noise) or
    /// `"max_entropy"` (DrQ/SAC: a tanh-squashed Gaussian with a learned temperature; the
    /// σ schedule and the noise clip are then unused).
    #[serde(default)]
    pub policy: PolicyKind,
    /// Initial temperature α of the max-entropy policy (DrQ's `init_temperature = 0.1`).
    #[serde(default = "drq_init_temperature")]
    pub init_temperature: f64,
    /// Execution only (not in the reference): the encoder and critic run on micro-batches of
    /// at most this many samples and their gradients are summed, which gives the same batch
    /// loss (up to float summation order) and is several times faster on CPU, where conv
    /// backward slows down super-linearly past ~128 samples. Set it to `batch_size` on a GPU.
    pub micro_batch_size: i64,
    /// DrM's dormant-ratio mechanisms ([`super::drm`]); absent (the default) is plain DrQ-v2, an
    /// empty `[agent.drm]` table is DrM with the reference's values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drm: Option<DrmRawConfig>,
    /// MENTOR's mixture-of-experts actor and task-oriented perturbation
    /// ([`super::mentor`]); it builds on DrM, so it needs `[agent.drm]` too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentor: Option<MentorRawConfig>,
    /// TACO's temporal action-driven contrastive loss ([`super::taco`]); composes with DrM
    /// and MENTOR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taco: Option<TacoRawConfig>,
}

/// How the actor turns features into actions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// DrQ-v2 (Eqs. 2, 4, 6): mean `tanh(MLP(h))`, Gaussian noise of scheduled σ(t).
    #[default]
    Deterministic,
    /// DrQ (Kostrikov et al. 2020) and SAC (Haarnoja et al. 2018): `a = tanh(u)`,
    /// `u ~ N(μ(h), σ(h))`, log σ squashed into [−10, 2], entropy bonus α·H with α tuned
    /// towards the target entropy −|A| (Eqs. 2′, 4′, 7).
    MaxEntropy,
}

/// Serde default of [`DrQV2RawConfig::init_temperature`] (denisyarats/drq `config.yaml`).
fn drq_init_temperature() -> f64 {
    0.1
}

/// Serde default of DrQ's K and M (DrQ-v2's one shift per observation).
fn one_copy() -> u32 {
    1
}

/// A schedule as written in TOML: `{ kind = "linear", init, final, over_agent_steps }` or
/// `{ kind = "constant", value }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawSchedule {
    /// A fixed value.
    Constant {
        /// The value.
        value: f64,
    },
    /// `linear(init, final, over_agent_steps)` as in the reference's `utils.schedule`.
    Linear {
        /// Value at agent step 0.
        init: f64,
        /// Value from `over_agent_steps` on.
        #[serde(rename = "final")]
        final_value: f64,
        /// Ramp length in agent steps.
        over_agent_steps: u64,
    },
}

/// Validated DrQ-v2 settings (see [`DrQV2RawConfig`] for each field's meaning and source).
#[derive(Clone, Debug, PartialEq)]
pub struct DrQV2Config {
    /// Conv channels of the encoder.
    pub encoder_channels: i64,
    /// Trunk output width.
    pub feature_dim: i64,
    /// MLP hidden width.
    pub hidden_dim: i64,
    /// Random-shift padding in pixels.
    pub aug_pad: i64,
    /// K: random shifts of o' the critic target is averaged over.
    pub target_augmentations: u32,
    /// M: random shifts of o the critic loss is averaged over.
    pub critic_augmentations: u32,
    /// Adam learning rate.
    pub lr: f64,
    /// Target EMA τ.
    pub critic_target_tau: f64,
    /// σ(t) over agent steps.
    pub stddev_schedule: Schedule,
    /// Noise clip c.
    pub stddev_clip: f64,
    /// Pre-tanh penalty weight λ of the actor loss (0: off).
    pub actor_preact_l2: f64,
    /// Deterministic (DrQ-v2) or max-entropy (DrQ/SAC) policy.
    pub policy: PolicyKind,
    /// Initial temperature α of the max-entropy policy.
    pub init_temperature: f64,
    /// Samples per encoder/critic micro-batch (execution only).
    pub micro_batch_size: i64,
    /// DrM, if on.
    pub drm: Option<DrmConfig>,
    /// MENTOR, if on (always with DrM).
    pub mentor: Option<MentorConfig>,
    /// TACO, if on.
    pub taco: Option<TacoConfig>,
}

impl DrQV2RawConfig {
    /// The encoder's layers (as [`DrQV2Config::encoder_spec`]), e.g. to check a frame size.
    pub fn encoder_spec(&self) -> EncoderSpec {
        encoder_with_channels(self.encoder_channels)
    }

    /// Checks every value and returns the typed config, or all problems at once.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] listing each out-of-range value; `origin` names the source.
    pub fn validate(&self, origin: &str) -> Result<DrQV2Config, ConfigError> {
        let mut problems = Vec::new();
        let mut check = |ok: bool, field: &'static str, value: String, reason: &str| {
            if !ok {
                problems.push(ConfigProblem {
                    field,
                    value,
                    reason: reason.to_string(),
                });
            }
        };
        let positive = |x: f64| x.is_finite() && x > 0.0;
        check(
            self.aug_pad >= 0,
            "aug_pad",
            self.aug_pad.to_string(),
            "must be non-negative (the agent checks it against the frame size)",
        );
        check(
            self.encoder_channels >= 1,
            "encoder_channels",
            self.encoder_channels.to_string(),
            "must be at least 1",
        );
        check(
            self.feature_dim >= 1,
            "feature_dim",
            self.feature_dim.to_string(),
            "must be positive",
        );
        check(
            self.hidden_dim >= 1,
            "hidden_dim",
            self.hidden_dim.to_string(),
            "must be positive",
        );
        check(
            positive(self.lr),
            "lr",
            self.lr.to_string(),
            "must be a positive number",
        );
        check(
            self.critic_target_tau > 0.0 && self.critic_target_tau <= 1.0,
            "critic_target_tau",
            self.critic_target_tau.to_string(),
            "must be in (0, 1]",
        );
        check(
            self.actor_preact_l2.is_finite() && self.actor_preact_l2 >= 0.0,
            "actor_preact_l2",
            self.actor_preact_l2.to_string(),
            "must be finite and non-negative",
        );
        check(
            positive(self.init_temperature),
            "init_temperature",
            self.init_temperature.to_string(),
            "must be a positive number",
        );
        check(
            self.stddev_clip.is_finite() && self.stddev_clip >= 0.0,
            "stddev_clip",
            self.stddev_clip.to_string(),
            "must be a non-negative number",
        );
        for (field, copies) in [
            ("target_augmentations", self.target_augmentations),
            ("critic_augmentations", self.critic_augmentations),
        ] {
            check(
                copies >= 1,
                field,
                copies.to_string(),
                "must be at least 1 (1 is DrQ-v2, 2 is DrQ)",
            );
        }
        check(
            self.micro_batch_size >= 1,
            "micro_batch_size",
            self.micro_batch_size.to_string(),
            "must be positive",
        );
        let stddev_schedule = match self.stddev_schedule {
            RawSchedule::Constant { value } => {
                check(
                    value.is_finite() && value >= 0.0,
                    "stddev_schedule.value",
                    value.to_string(),
                    "a standard deviation must be a non-negative number",
                );
                Schedule::Constant { value }
            }
            RawSchedule::Linear {
                init,
                final_value,
                over_agent_steps,
            } => {
                for (field, v) in [
                    ("stddev_schedule.init", init),
                    ("stddev_schedule.final", final_value),
                ] {
                    check(
                        v.is_finite() && v >= 0.0,
                        field,
                        v.to_string(),
                        "a standard deviation must be a non-negative number",
                    );
                }
                check(
                    over_agent_steps >= 1,
                    "stddev_schedule.over_agent_steps",
                    over_agent_steps.to_string(),
                    "must be at least 1",
                );
                Schedule::Linear {
                    init,
                    final_value,
                    over: AgentSteps(over_agent_steps),
                }
            }
        };
        let drm = self.drm.as_ref().and_then(|d| d.validate(&mut problems));
        if self.drm.is_some() && self.policy != PolicyKind::Deterministic {
            problems.push(ConfigProblem {
                field: "drm",
                value: "a table".into(),
                reason: "DrM's σ and λ act on the deterministic policy; remove [agent.drm] \
                         or set policy = \"deterministic\""
                    .into(),
            });
        }
        let mentor = self.mentor.as_ref().and_then(|m| m.validate(&mut problems));
        if self.mentor.is_some() && self.drm.is_none() {
            problems.push(ConfigProblem {
                field: "mentor",
                value: "a table".into(),
                reason: "MENTOR builds on DrM (its value network, λ, α and perturbation \
                         period): add an [agent.drm] table"
                    .into(),
            });
        }
        let taco = self.taco.as_ref().and_then(|t| t.validate(&mut problems));
        if self.taco.is_some() && self.policy != PolicyKind::Deterministic {
            problems.push(ConfigProblem {
                field: "taco",
                value: "a table".into(),
                reason: "TACO's latent-action critic is built for the deterministic policy; \
                         remove [agent.taco] or set policy = \"deterministic\""
                    .into(),
            });
        }
        if !problems.is_empty() {
            return Err(ConfigError::Invalid {
                origin: origin.to_string(),
                problems,
            });
        }
        Ok(DrQV2Config {
            encoder_channels: self.encoder_channels,
            feature_dim: self.feature_dim,
            hidden_dim: self.hidden_dim,
            aug_pad: self.aug_pad,
            target_augmentations: self.target_augmentations,
            critic_augmentations: self.critic_augmentations,
            lr: self.lr,
            critic_target_tau: self.critic_target_tau,
            stddev_schedule,
            stddev_clip: self.stddev_clip,
            actor_preact_l2: self.actor_preact_l2,
            policy: self.policy,
            init_temperature: self.init_temperature,
            micro_batch_size: self.micro_batch_size,
            drm,
            mentor,
            taco,
        })
    }
}

impl DrQV2Config {
    /// Parses and validates TOML text; `origin` names it in errors.
    ///
    /// # Errors
    /// [`ConfigError::Parse`] (syntax, unknown or missing key, wrong type) or
    /// [`ConfigError::Invalid`].
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let raw: DrQV2RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        raw.validate(origin)
    }

    /// The `[agent]` table of the preset `name` (`configs/drqv2/<name>.toml`; its other tables
    /// are the environment's, replay's and loop's, which the trainer reads).
    ///
    /// # Errors
    /// [`ConfigError::UnknownPreset`], or a parse/validation error of the preset itself.
    pub fn preset(name: &str) -> Result<Self, ConfigError> {
        let origin = format!("preset {name}");
        let parse = |message: String| ConfigError::Parse {
            origin: origin.clone(),
            message,
        };
        let mut tables: toml::Table =
            toml::from_str(preset_text(name)?).map_err(|e| parse(e.to_string()))?;
        let agent = tables
            .remove("agent")
            .ok_or_else(|| parse("no [agent] table".into()))?;
        let raw: DrQV2RawConfig = agent.try_into().map_err(|e| parse(e.to_string()))?;
        raw.validate(&origin)
    }

    /// The raw form (for writing the resolved config of a run).
    pub fn to_raw(&self) -> DrQV2RawConfig {
        DrQV2RawConfig {
            encoder_channels: self.encoder_channels,
            feature_dim: self.feature_dim,
            hidden_dim: self.hidden_dim,
            aug_pad: self.aug_pad,
            target_augmentations: self.target_augmentations,
            critic_augmentations: self.critic_augmentations,
            lr: self.lr,
            critic_target_tau: self.critic_target_tau,
            stddev_schedule: match self.stddev_schedule {
                Schedule::Constant { value } => RawSchedule::Constant { value },
                Schedule::Linear {
                    init,
                    final_value,
                    over,
                } => RawSchedule::Linear {
                    init,
                    final_value,
                    over_agent_steps: over.0,
                },
            },
            stddev_clip: self.stddev_clip,
            actor_preact_l2: self.actor_preact_l2,
            policy: self.policy,
            init_temperature: self.init_temperature,
            micro_batch_size: self.micro_batch_size,
            drm: self.drm.as_ref().map(DrmConfig::to_raw),
            mentor: self.mentor.as_ref().map(MentorConfig::to_raw),
            taco: self.taco.as_ref().map(TacoConfig::to_raw),
        }
    }

    /// The resolved config as TOML text.
    pub fn to_toml_string(&self) -> String {
        toml::to_string(&self.to_raw()).expect("a validated config always serialises")
    }

    /// The encoder's layers: DrQ-v2's (3x3 kernels, strides 2, 1, 1, 1) with
    /// `encoder_channels` channels.
    pub fn encoder_spec(&self) -> EncoderSpec {
        encoder_with_channels(self.encoder_channels)
    }
}

/// DrQ-v2's encoder layers with `channels` channels.
fn encoder_with_channels(channels: i64) -> EncoderSpec {
    EncoderSpec {
        channels,
        ..EncoderSpec::drqv2()
    }
}
