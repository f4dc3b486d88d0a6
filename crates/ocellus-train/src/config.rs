//! A training run's configuration, one table per owner (code_review.md §2): `[run]` (what to
//! train, for how long, how often to evaluate and checkpoint), `[env]` (frame size, frame
//! stack, action repeat), `[replay]` (capacity, n-step returns, discount, compression),
//! `[loop]` (seed phase, update cadence, batch size) and `[agent]` (the algorithm's
//! hyper-parameters only). Run directories written before the split (everything under
//! `[agent]`) are read by moving each key to its table ([`TrainConfig::from_toml_str`]).
//!
//! Two layers (STYLE.md §5): [`RawTrainConfig`] is what TOML holds (`deny_unknown_fields`, so a
//! typo is an error), [`RawTrainConfig::validate`] turns it into a [`TrainConfig`] or lists
//! *every* problem at once. [`ConfigBuilder`] layers a preset, an optional file and
//! `section.key=value` overrides, in that order, before validation.

use ocellus_agents::drqv2::{preset_text, TASK_PRESETS};
use ocellus_agents::{DrQV2Config, DrQV2RawConfig};
use ocellus_core::{AgentSteps, EnvFrames};
use serde::{Deserialize, Serialize};
use tch::Device;
use toml::{Table, Value};

use crate::error::ConfigError;

/// The agents this crate trains: DrQ-v2, DrQ-v2 with DrM's `[agent.drm]` option, MENTOR
/// (`[agent.drm]` and `[agent.mentor]`), TACO (`[agent.taco]`) and TACO composed with DrM or
/// MENTOR (`drm+taco`, `mentor+taco`).
pub const AGENT_NAMES: [&str; 6] = ocellus_agents::AGENTS;

/// The default agent.
pub const AGENT_NAME: &str = "drqv2";

/// DrM's perturbation period set by `run.agent = "drm"` (or `mentor`) when `[agent.drm]` does
/// not set it and the preset is not `paper` (which keeps the reference's): 2500 agent steps
/// (20k frames at the cpu preset's action repeat
/// 8, five perturbations in a 100k-frame run) instead of the reference's 100000 (200k frames
/// at repeat 2, longer than a whole cpu run).
pub const DRM_CPU_PERTURB_EVERY_AGENT_STEPS: u64 = 2500;

/// DrM's awakening threshold (`[agent.drm] awaken_after_agent_steps`, the reference's
/// `num_expl_steps`) set by `run.agent = "drm"` (or `mentor`) when the preset is not `paper`:
/// the agent steps of the cpu preset's seed phase at repeat 8 (4000 / 8), as the reference's
/// 2000 is its seed phase at repeat 2. It was the cpu preset's `exploration_agent_steps` before
/// the config split, so runs of either version awaken at the same step.
pub const DRM_CPU_AWAKEN_AFTER_AGENT_STEPS: u64 = 500;

/// Width of MENTOR's expert and gate hidden layers set by `run.agent = "mentor"` when
/// `[agent.mentor]` does not set them and the preset is not `paper`: a quarter of the cpu
/// preset's hidden 256, as the reference's 256 is a quarter of its hidden 1024 (16 experts of
/// 256 → 256 → 256 would make the actor 14 times DrQ-v2's on two cores).
pub const MENTOR_CPU_EXPERT_HIDDEN_DIM: i64 = 64;

/// The `[run]` table as written in TOML.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRunConfig {
    /// Registered task name (`ocellus envs list`), e.g. `cartpole-swingup`.
    pub task: String,
    /// The agent ([`AGENT_NAMES`]); [`ConfigBuilder::build`] adds the option tables its name
    /// implies (`[agent.drm]` for `drm`, ...) if absent.
    pub agent: String,
    /// Name of the preset the tables started from (`paper`, `cpu`); a label for run
    /// directories and plots, the tables are what is used.
    pub preset: String,
    /// Environment frames to train for (papers' "frames"; agent steps × action repeat).
    pub frames: u64,
    /// Seed of every random stream of the run (agent, environments, replay sampling).
    pub seed: u64,
    /// `cpu`, `cuda` or `cuda:N`.
    pub device: String,
    /// Evaluate every this many environment frames (and at frame 0 and at the end); 0 = never.
    pub eval_every_frames: u64,
    /// Deterministic (mean-action) episodes per evaluation (DrQ-v2: 10).
    pub eval_episodes: u32,
    /// Write a checkpoint every this many environment frames (also at the end and on Ctrl-C);
    /// 0 = only at the end and on Ctrl-C.
    pub checkpoint_every_frames: u64,
    /// Write the first episode of each evaluation as `videos/eval_<frames>.gif`.
    pub video: bool,
    /// The per-domain values of `configs/task_presets.toml` that the builder applied over the
    /// preset for this task, e.g. `cpu/reacher: env.action_repeat = 4` (a record; the tables
    /// hold the values used). Absent when none applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_preset: Option<String>,
    /// libtorch intra-op threads; 0 = libtorch's default (`OMP_NUM_THREADS`, else all cores).
    /// Two runs side by side on two cores learn fastest with 1 each. Results are bitwise
    /// reproducible for a given thread count (reductions may split differently across counts).
    #[serde(default)]
    pub threads: u32,
}

impl Default for RawRunConfig {
    fn default() -> Self {
        RawRunConfig {
            task: "cartpole-swingup".into(),
            agent: AGENT_NAME.into(),
            preset: "cpu".into(),
            frames: 100_000,
            seed: 1,
            device: "cpu".into(),
            // drqv2 cfgs/config.yaml: eval_every_frames: 10000, num_eval_episodes: 10
            eval_every_frames: 10_000,
            eval_episodes: 10,
            checkpoint_every_frames: 50_000,
            video: true,
            task_preset: None,
            threads: 0,
        }
    }
}

/// The `[env]` table: how the task is rendered and stepped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnvConfig {
    /// Side of the square rendered frame in pixels (84 in DrQ-v2's `dmc.py`).
    pub image_size: u32,
    /// Frames stacked into one observation (`frame_stack`).
    pub frame_stack: u32,
    /// Environment frames per agent step (`action_repeat`).
    pub action_repeat: u32,
}

/// The `[replay]` table: the buffer and the n-step returns it computes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReplayConfig {
    /// Capacity in transitions (`replay_buffer_size`); a run never reserves more than it can
    /// fill.
    pub capacity: u64,
    /// n of the n-step return (`nstep`).
    pub n_step: u32,
    /// γ, the per-agent-step discount of the n-step returns (`discount`).
    pub discount: f64,
    /// LZ4-compress frames with this many bytes reserved per frame; 0 (the default) = raw.
    #[serde(default)]
    pub lz4_frame_budget_bytes: u64,
}

/// The `[loop]` table: the trainer's seed phase and update cadence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLoopConfig {
    /// Environment frames of the seed phase (`num_seed_frames`): uniform actions in [−1, 1)
    /// and no updates. The run's only uniform-exploration knob.
    pub seed_frames: u64,
    /// One updating agent step every this many (`update_every_steps`).
    pub update_every_agent_steps: u64,
    /// Updates (each on a fresh batch) at every updating agent step; 1 is DrQ-v2. It raises
    /// the update-to-data ratio above one per step, which `update_every_agent_steps` cannot.
    /// Optional in run directories written before it existed (then 1).
    #[serde(default = "one_update")]
    pub updates_per_step: u32,
    /// Transitions per update (`batch_size`).
    pub batch_size: u32,
}

/// Serde default of [`RawLoopConfig::updates_per_step`] (DrQ-v2's one).
fn one_update() -> u32 {
    1
}

/// A whole run configuration as written in TOML.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrainConfig {
    /// What to train and the run's cadences.
    pub run: RawRunConfig,
    /// The environment's settings.
    pub env: RawEnvConfig,
    /// The replay's settings.
    pub replay: RawReplayConfig,
    /// The loop's settings (`[loop]`).
    #[serde(rename = "loop")]
    pub train_loop: RawLoopConfig,
    /// The agent's hyper-parameters (a complete preset).
    pub agent: DrQV2RawConfig,
}

/// The tables that fix a run's numerics, `[env]`, `[replay]`, `[loop]` and `[agent]`: what a
/// checkpoint records ([`RawTrainConfig::learning_toml`]) and must match on resume.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLearningConfig {
    /// `[env]`.
    pub env: RawEnvConfig,
    /// `[replay]`.
    pub replay: RawReplayConfig,
    /// `[loop]`.
    #[serde(rename = "loop")]
    pub train_loop: RawLoopConfig,
    /// `[agent]`.
    pub agent: DrQV2RawConfig,
}

/// Validated run settings (see [`RawRunConfig`] for each field).
#[derive(Clone, Debug, PartialEq)]
pub struct RunConfig {
    /// Task name.
    pub task: String,
    /// Preset label.
    pub preset: String,
    /// Training length.
    pub frames: EnvFrames,
    /// Run seed.
    pub seed: u64,
    /// Device for the networks.
    pub device: Device,
    /// Evaluation cadence (`None`: never).
    pub eval_every: Option<EnvFrames>,
    /// Episodes per evaluation.
    pub eval_episodes: u32,
    /// Checkpoint cadence (`None`: only at the end and on Ctrl-C).
    pub checkpoint_every: Option<EnvFrames>,
    /// Evaluation videos on or off.
    pub video: bool,
    /// libtorch intra-op threads (`None`: libtorch's default).
    pub threads: Option<usize>,
}

/// Validated `[env]` settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvSettings {
    /// Side of the square frame in pixels.
    pub image_size: usize,
    /// Frames per observation.
    pub frame_stack: usize,
    /// Environment frames per agent step.
    pub action_repeat: u32,
}

/// Validated `[replay]` settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReplaySettings {
    /// Capacity in transitions (before the run's own bound).
    pub capacity: u64,
    /// n of the n-step return.
    pub n_step: usize,
    /// Per-agent-step discount γ.
    pub discount: f64,
    /// LZ4 frame budget, if compression is on.
    pub lz4_frame_budget_bytes: Option<usize>,
}

/// Validated `[loop]` settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoopSettings {
    /// Environment frames of uniform actions without updates.
    pub seed_frames: EnvFrames,
    /// One updating agent step every this many.
    pub update_every: AgentSteps,
    /// Updates at each updating agent step.
    pub updates_per_step: u32,
    /// Transitions per update.
    pub batch_size: usize,
}

/// A validated configuration, table by table.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// The `[run]` table.
    pub run: RunConfig,
    /// The `[env]` table.
    pub env: EnvSettings,
    /// The `[replay]` table.
    pub replay: ReplaySettings,
    /// The `[loop]` table.
    pub train_loop: LoopSettings,
    /// The `[agent]` table.
    pub agent: DrQV2Config,
    /// The raw form it was validated from (written to `config.toml`).
    pub raw: RawTrainConfig,
}

/// Parses `cpu`, `cuda` or `cuda:N`.
pub fn parse_device(text: &str) -> Option<Device> {
    match text {
        "cpu" => Some(Device::Cpu),
        "cuda" => Some(Device::Cuda(0)),
        _ => text
            .strip_prefix("cuda:")
            .and_then(|n| n.parse().ok())
            .map(Device::Cuda),
    }
}

impl RawTrainConfig {
    /// Checks every value of every table, and the values that tie tables together, and
    /// returns all problems at once.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] listing each problem; `origin` names the source.
    pub fn validate(&self, origin: &str) -> Result<TrainConfig, ConfigError> {
        let r = &self.run;
        let mut problems: Vec<String> = Vec::new();
        let mut check = |ok: bool, field: &str, value: String, reason: &str| {
            if !ok {
                problems.push(format!("`{field}` = {value}: {reason}"));
            }
        };
        check(
            ocellus_envs::task_info(&r.task).is_ok(),
            "run.task",
            format!("{:?}", r.task),
            "not a registered task (see `ocellus envs list`)",
        );
        check(
            AGENT_NAMES.contains(&r.agent.as_str()),
            "run.agent",
            format!("{:?}", r.agent),
            &format!("the agents are {}", AGENT_NAMES.join(", ")),
        );
        // the name the option tables make (as `ocellus_agents::name_of` on the validated form)
        let made = match (
            self.agent.drm.is_some(),
            self.agent.mentor.is_some(),
            self.agent.taco.is_some(),
        ) {
            (_, true, false) => "mentor",
            (_, true, true) => "mentor+taco",
            (true, false, false) => "drm",
            (true, false, true) => "drm+taco",
            (false, false, true) => "taco",
            (false, false, false) => "drqv2",
        };
        check(
            made == r.agent || !AGENT_NAMES.contains(&r.agent.as_str()),
            "run.agent",
            format!("{:?}", r.agent),
            &format!(
                "the [agent] option tables make `{made}` (drqv2: none; drm: [agent.drm]; \
                 mentor: [agent.drm] and [agent.mentor]; taco adds [agent.taco])"
            ),
        );
        check(
            !r.preset.is_empty()
                && r.preset
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "run.preset",
            format!("{:?}", r.preset),
            "a label of letters, digits, '-' and '_'",
        );
        check(
            r.frames > 0,
            "run.frames",
            r.frames.to_string(),
            "must be positive",
        );
        let device = parse_device(&r.device);
        check(
            device.is_some(),
            "run.device",
            format!("{:?}", r.device),
            "must be \"cpu\", \"cuda\" or \"cuda:N\"",
        );
        check(
            r.eval_every_frames == 0 || r.eval_episodes > 0,
            "run.eval_episodes",
            r.eval_episodes.to_string(),
            "must be positive when evaluation is on",
        );
        let (env, replay, lp) = (&self.env, &self.replay, &self.train_loop);
        let action_repeat = u64::from(env.action_repeat.max(1));
        for (field, value) in [
            ("run.eval_every_frames", r.eval_every_frames),
            ("run.checkpoint_every_frames", r.checkpoint_every_frames),
        ] {
            check(
                value.is_multiple_of(action_repeat),
                field,
                value.to_string(),
                "must be a multiple of env.action_repeat (frames advance by it)",
            );
        }
        for (field, value) in [
            ("env.frame_stack", env.frame_stack),
            ("env.action_repeat", env.action_repeat),
            ("replay.n_step", replay.n_step),
            ("loop.updates_per_step", lp.updates_per_step),
            ("loop.batch_size", lp.batch_size),
        ] {
            check(value >= 1, field, value.to_string(), "must be at least 1");
        }
        for (field, value) in [
            ("replay.capacity", replay.capacity),
            ("loop.update_every_agent_steps", lp.update_every_agent_steps),
        ] {
            check(value >= 1, field, value.to_string(), "must be at least 1");
        }
        let encoder = self.agent.encoder_spec();
        let size = i64::from(env.image_size);
        check(
            encoder.repr_dim(size, size) > 0 && self.agent.aug_pad < size,
            "env.image_size",
            env.image_size.to_string(),
            &format!(
                "the 4-layer encoder needs at least 15 pixels and the random shift more than \
                 agent.aug_pad = {}",
                self.agent.aug_pad
            ),
        );
        check(
            replay.discount > 0.0 && replay.discount <= 1.0,
            "replay.discount",
            replay.discount.to_string(),
            "must be in (0, 1]",
        );
        // The first update samples after `seed_frames / action_repeat` agent steps; a
        // transition is sampleable once its n-step window has closed, so a shorter seed phase
        // (0 included) would stop the run at its first update with an empty replay.
        let least_seed = u64::from(replay.n_step.max(1)) * action_repeat;
        check(
            lp.seed_frames >= least_seed,
            "loop.seed_frames",
            lp.seed_frames.to_string(),
            &format!(
                "must be at least replay.n_step x env.action_repeat = {least_seed} so that a \
                 first n-step transition exists when updates start"
            ),
        );
        if let Some(taco) = &self.agent.taco {
            check(
                taco.multistep == replay.n_step,
                "agent.taco.multistep",
                taco.multistep.to_string(),
                &format!(
                    "must equal replay.n_step = {}: the replay serves TACO each row's n-step \
                     window of actions",
                    replay.n_step
                ),
            );
        }
        let agent = self.agent.validate(origin);
        if let Err(ocellus_agents::ConfigError::Invalid { problems: p, .. }) = &agent {
            problems.extend(p.iter().map(|p| format!("[agent] {p}")));
        }
        if !problems.is_empty() {
            return Err(ConfigError::Invalid {
                origin: origin.to_string(),
                problems,
            });
        }
        let agent = agent.map_err(|e| ConfigError::Invalid {
            origin: origin.to_string(),
            problems: vec![e.to_string()],
        })?;
        let nonzero = |v: u64| (v > 0).then_some(EnvFrames(v));
        Ok(TrainConfig {
            run: RunConfig {
                task: r.task.clone(),
                preset: r.preset.clone(),
                frames: EnvFrames(r.frames),
                seed: r.seed,
                device: device.expect("checked above"),
                eval_every: nonzero(r.eval_every_frames),
                eval_episodes: r.eval_episodes,
                checkpoint_every: nonzero(r.checkpoint_every_frames),
                video: r.video,
                threads: (r.threads > 0).then_some(r.threads as usize),
            },
            env: EnvSettings {
                image_size: env.image_size as usize,
                frame_stack: env.frame_stack as usize,
                action_repeat: env.action_repeat,
            },
            replay: ReplaySettings {
                capacity: replay.capacity,
                n_step: replay.n_step as usize,
                discount: replay.discount,
                lz4_frame_budget_bytes: (replay.lz4_frame_budget_bytes > 0)
                    .then_some(replay.lz4_frame_budget_bytes as usize),
            },
            train_loop: LoopSettings {
                seed_frames: EnvFrames(lp.seed_frames),
                update_every: AgentSteps(lp.update_every_agent_steps),
                updates_per_step: lp.updates_per_step,
                batch_size: lp.batch_size as usize,
            },
            agent,
            raw: self.clone(),
        })
    }

    /// `[env]`, `[replay]`, `[loop]` and `[agent]`.
    pub fn learning(&self) -> RawLearningConfig {
        RawLearningConfig {
            env: self.env.clone(),
            replay: self.replay.clone(),
            train_loop: self.train_loop.clone(),
            agent: self.agent.clone(),
        }
    }

    /// [`RawTrainConfig::learning`] as TOML: what a checkpoint records.
    pub fn learning_toml(&self) -> String {
        toml::to_string(&self.learning()).expect("a validated config serialises")
    }

    /// Reads what a checkpoint recorded about the tables that fix the numerics: the
    /// [`RawTrainConfig::learning_toml`] of its run, or, for checkpoints written before the
    /// config split, the bare `[agent]` table (its moved keys go to their tables as in
    /// [`TrainConfig::from_toml_str`]; it did not record the replay's compression, which is
    /// taken from `self`).
    ///
    /// # Errors
    /// A message naming what does not parse.
    pub fn learning_of_record(&self, text: &str) -> Result<RawLearningConfig, String> {
        let mut table: Table = toml::from_str(text).map_err(|e| e.to_string())?;
        if !table.contains_key("agent") {
            let mut run = Table::new();
            run.insert(
                "replay_lz4_frame_budget_bytes".into(),
                Value::Integer(self.replay.lz4_frame_budget_bytes as i64),
            );
            let mut wrapped = Table::new();
            wrapped.insert("agent".into(), Value::Table(table));
            wrapped.insert("run".into(), Value::Table(run));
            upgrade_legacy_layout(&mut wrapped)?;
            wrapped.remove("run");
            table = wrapped;
        }
        Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| e.to_string())
    }
}

/// Where each key of the layout before the config split (everything under `[agent]`, the
/// replay's compression under `[run]`) lives now: `(old table, key, new table, new key)`.
const MOVED_KEYS: [(&str, &str, &str, &str); 11] = [
    ("agent", "image_size", "env", "image_size"),
    ("agent", "frame_stack", "env", "frame_stack"),
    ("agent", "action_repeat", "env", "action_repeat"),
    ("agent", "replay_capacity", "replay", "capacity"),
    ("agent", "n_step", "replay", "n_step"),
    ("agent", "discount", "replay", "discount"),
    (
        "run",
        "replay_lz4_frame_budget_bytes",
        "replay",
        "lz4_frame_budget_bytes",
    ),
    ("agent", "seed_frames", "loop", "seed_frames"),
    (
        "agent",
        "update_every_agent_steps",
        "loop",
        "update_every_agent_steps",
    ),
    ("agent", "updates_per_step", "loop", "updates_per_step"),
    ("agent", "batch_size", "loop", "batch_size"),
];

/// The key removed by the split: the agent's own uniform-exploration phase.
const REMOVED_EXPLORATION_KEY: &str = "exploration_agent_steps";

/// Rewrites a config of the layout before the config split (no `[env]` table, the action
/// repeat under `[agent]`) into the split layout; any other table is left as it is.
///
/// `exploration_agent_steps` is dropped: the loop's seed phase now is the only uniform phase,
/// which is the same run when the agent's phase ended no later (every preset's did). Under
/// DrM it also set the awakening threshold, which becomes `[agent.drm]
/// awaken_after_agent_steps`.
///
/// # Errors
/// If the agent's uniform phase outlasted the seed phase, which the loop cannot reproduce.
fn upgrade_legacy_layout(table: &mut Table) -> Result<(), String> {
    let is_legacy = table
        .get("agent")
        .and_then(|a| a.get("action_repeat"))
        .is_some()
        && !table.contains_key("env");
    if !is_legacy {
        return Ok(());
    }
    for (from, key, to, new_key) in MOVED_KEYS {
        let value = table
            .get_mut(from)
            .and_then(Value::as_table_mut)
            .and_then(|t| t.remove(key));
        if let Some(value) = value {
            if let Value::Table(t) = table
                .entry(to)
                .or_insert_with(|| Value::Table(Table::new()))
            {
                t.insert(new_key.into(), value);
            }
        }
    }
    let agent = table.get_mut("agent").and_then(Value::as_table_mut);
    let exploration = agent.and_then(|a| a.remove(REMOVED_EXPLORATION_KEY));
    if let Some(exploration) = exploration.and_then(|v| v.as_integer()) {
        let int = |t: &str, k: &str| {
            table
                .get(t)
                .and_then(|t| t.get(k))
                .and_then(Value::as_integer)
        };
        let seed_steps = int("loop", "seed_frames").unwrap_or(0)
            / int("env", "action_repeat").unwrap_or(1).max(1);
        if exploration > seed_steps {
            return Err(format!(
                "`agent.{REMOVED_EXPLORATION_KEY}` = {exploration} outlasts the seed phase \
                 ({seed_steps} agent steps): this version's loop has one uniform phase \
                 (`loop.seed_frames`), so it cannot continue this run; resume it with the \
                 ocellus version that wrote it"
            ));
        }
        if let Some(Value::Table(drm)) = table
            .get_mut("agent")
            .and_then(Value::as_table_mut)
            .and_then(|a| a.get_mut("drm"))
        {
            drm.entry("awaken_after_agent_steps")
                .or_insert(Value::Integer(exploration));
        }
    }
    Ok(())
}

/// The keys of `table` that the config split moved or removed, each with its new name: a
/// user's file or `--set` that still uses one gets this, not a bare "unknown field".
fn moved_key_problems(table: &Table) -> Vec<String> {
    let has = |t: &str, k: &str| table.get(t).and_then(|t| t.get(k)).is_some();
    let mut problems: Vec<String> = MOVED_KEYS
        .iter()
        .filter(|(from, key, _, _)| has(from, key))
        .map(|(from, key, to, new_key)| {
            format!(
                "`{from}.{key}` is now `{to}.{new_key}` (the config has one table per owner: \
                 [run], [env], [replay], [loop], [agent])"
            )
        })
        .collect();
    if has("agent", REMOVED_EXPLORATION_KEY) {
        problems.push(format!(
            "`agent.{REMOVED_EXPLORATION_KEY}` was removed: actions are uniform during the \
             seed phase, `loop.seed_frames`"
        ));
    }
    problems
}

impl TrainConfig {
    /// Parses and validates a complete TOML text (e.g. a run's `config.toml`). A run
    /// directory written before the config split (every setting under `[agent]`) is read in
    /// the split layout.
    ///
    /// # Errors
    /// [`ConfigError::Parse`] naming the key and line, or [`ConfigError::Invalid`].
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let parse = |message: String| ConfigError::Parse {
            origin: origin.to_string(),
            message,
        };
        let mut table: Table = toml::from_str(text).map_err(|e| parse(e.to_string()))?;
        upgrade_legacy_layout(&mut table).map_err(|reason| ConfigError::Invalid {
            origin: origin.to_string(),
            problems: vec![reason],
        })?;
        let raw: RawTrainConfig = Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| parse(e.to_string()))?;
        raw.validate(origin)
    }
    /// The resolved configuration as TOML (without a header).
    pub fn to_toml_string(&self) -> String {
        toml::to_string(&self.raw).expect("a validated config always serialises")
    }
}

/// Layers the sources of a configuration: the preset, then its per-domain values for the
/// run's task (`configs/task_presets.toml`), then a file, then overrides.
#[derive(Clone, Debug)]
pub struct ConfigBuilder {
    /// Run defaults and the preset's tables.
    preset: Table,
    preset_name: String,
    /// What files and overrides set, applied last.
    user: Table,
    origin: Vec<String>,
}

impl ConfigBuilder {
    /// Starts from the run defaults and the preset `preset` (`configs/drqv2/<preset>.toml`:
    /// its `[env]`, `[replay]`, `[loop]` and `[agent]` tables).
    ///
    /// # Errors
    /// [`ConfigError::UnknownPreset`].
    pub fn from_preset(preset: &str) -> Result<Self, ConfigError> {
        let text = preset_text(preset).map_err(|e| match e {
            ocellus_agents::ConfigError::UnknownPreset { name, available } => {
                ConfigError::UnknownPreset { name, available }
            }
            other => ConfigError::Parse {
                origin: format!("preset {preset}"),
                message: other.to_string(),
            },
        })?;
        let mut table: Table = toml::from_str(text).map_err(|e| ConfigError::Parse {
            origin: format!("preset {preset}"),
            message: e.to_string(),
        })?;
        let run = RawRunConfig {
            preset: preset.to_string(),
            ..RawRunConfig::default()
        };
        table.insert(
            "run".into(),
            Value::try_from(run).expect("the run defaults serialise"),
        );
        Ok(ConfigBuilder {
            preset: table,
            preset_name: preset.to_string(),
            user: Table::new(),
            origin: vec![format!("preset {preset}")],
        })
    }

    /// Merges a TOML file's tables over the current values (keys it does not mention keep
    /// theirs). `origin` names it in errors.
    ///
    /// # Errors
    /// [`ConfigError::Parse`] if the text is not TOML or not made of tables.
    pub fn merge_toml(mut self, text: &str, origin: &str) -> Result<Self, ConfigError> {
        let file: Table = toml::from_str(text).map_err(|e| ConfigError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        merge(&mut self.user, file);
        self.origin.push(origin.to_string());
        Ok(self)
    }

    /// Applies `section.key=value` overrides (nested keys like
    /// `agent.stddev_schedule.over_agent_steps=1000` too). The value is read as a TOML value;
    /// if that fails it is taken as a string, so `run.task=cartpole-swingup` needs no quotes.
    /// All malformed overrides are reported together.
    ///
    /// # Errors
    /// [`ConfigError::Override`] listing each malformed override.
    pub fn set_all<S: AsRef<str>>(mut self, overrides: &[S]) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        for o in overrides {
            let o = o.as_ref();
            if let Err(reason) = set(&mut self.user, o) {
                problems.push(format!("`{o}`: {reason}"));
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError::Override { problems });
        }
        if !overrides.is_empty() {
            self.origin.push("--set overrides".into());
        }
        Ok(self)
    }

    /// Deserialises (unknown keys are errors) and validates.
    ///
    /// # Errors
    /// [`ConfigError::Parse`], or [`ConfigError::Invalid`] (also for a key of the layout
    /// before the config split, naming where it lives now).
    pub fn build(self) -> Result<TrainConfig, ConfigError> {
        let origin = self.origin.join(" + ");
        let moved = moved_key_problems(&self.user);
        if !moved.is_empty() {
            return Err(ConfigError::Invalid {
                origin,
                problems: moved,
            });
        }
        let mut table = self.preset;
        let run_value = |key: &str| {
            [&self.user, &table]
                .iter()
                .find_map(|t| t.get("run")?.get(key)?.as_str().map(str::to_string))
        };
        let task = run_value("task").unwrap_or_default();
        let domain = task.split('-').next().unwrap_or_default().to_string();
        if let Some(values) = task_preset(&self.preset_name, &domain) {
            let mut listed: Vec<String> = Vec::new();
            for (section, keys) in &values {
                if let Value::Table(keys) = keys {
                    listed.extend(keys.iter().map(|(k, v)| format!("{section}.{k} = {v}")));
                }
            }
            let label = format!("{}/{domain}: {}", self.preset_name, listed.join(", "));
            merge(&mut table, values);
            if let Some(Value::Table(run)) = table.get_mut("run") {
                run.insert("task_preset".into(), Value::String(label));
            }
        }
        merge(&mut table, self.user);
        let agent_name = table
            .get("run")
            .and_then(|r| r.get("agent"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let name = agent_name.as_deref().unwrap_or_default();
        let is_mentor = name.starts_with("mentor");
        let is_drm = is_mentor || name.starts_with("drm");
        let is_taco = name.ends_with("taco");
        let paper = table
            .get("run")
            .and_then(|r| r.get("preset"))
            .and_then(Value::as_str)
            == Some("paper");
        // The agent's option tables get the values its name implies for this preset, key by
        // key: what the user wrote wins.
        let mut drm_defaults: Vec<(&str, Value)> = Vec::new();
        let mut mentor_defaults: Vec<(&str, Value)> = Vec::new();
        if is_drm && !paper {
            let period = Value::Integer(DRM_CPU_PERTURB_EVERY_AGENT_STEPS as i64);
            drm_defaults.push(("perturb_every_agent_steps", period));
            let awaken = Value::Integer(DRM_CPU_AWAKEN_AFTER_AGENT_STEPS as i64);
            drm_defaults.push(("awaken_after_agent_steps", awaken));
        }
        if is_mentor {
            // MENTOR's σ: 0.8·sigmoid(10(β − 0.2)) alone (`MENTORAgent.stddev`)
            drm_defaults.push(("dormant_stddev_scale", Value::Float(0.8)));
            drm_defaults.push(("restart_schedule", Value::Boolean(false)));
            if !paper {
                let width = Value::Integer(MENTOR_CPU_EXPERT_HIDDEN_DIM);
                mentor_defaults.push(("expert_hidden_dim", width.clone()));
                mentor_defaults.push(("gate_dim", width));
            }
        }
        if let Some(Value::Table(agent)) = table.get_mut("agent") {
            for (wanted, name, defaults) in [
                (is_drm, "drm", drm_defaults),
                (is_mentor, "mentor", mentor_defaults),
                (is_taco, "taco", Vec::new()),
            ] {
                if !wanted {
                    continue;
                }
                let entry = agent
                    .entry(name)
                    .or_insert_with(|| Value::Table(Table::new()));
                if let Value::Table(options) = entry {
                    for (key, value) in defaults {
                        options.entry(key).or_insert(value);
                    }
                }
            }
        }
        let raw: RawTrainConfig =
            Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Parse {
                    origin: origin.clone(),
                    message: e.to_string(),
                })?;
        raw.validate(&origin)
    }
}

/// The `[<preset>.<domain>]` table of `configs/task_presets.toml` (tables of the preset's, e.g.
/// `env`), if any.
fn task_preset(preset: &str, domain: &str) -> Option<Table> {
    let all: Table = toml::from_str(TASK_PRESETS).expect("task_presets.toml is valid TOML");
    match all.get(preset)?.get(domain)? {
        Value::Table(t) => Some(t.clone()),
        _ => None,
    }
}

fn merge(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn set(table: &mut Table, text: &str) -> Result<(), String> {
    let (path, value) = text.split_once('=').ok_or("expected section.key=value")?;
    let keys: Vec<&str> = path.trim().split('.').collect();
    if keys.len() < 2 || keys.iter().any(|k| k.is_empty()) {
        return Err("the key needs a section, like run.frames or agent.lr".into());
    }
    let value = value.trim();
    let parsed = toml::from_str::<Table>(&format!("v = {value}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(value.to_string()));
    let mut node = table;
    for k in &keys[..keys.len() - 1] {
        let entry = node
            .entry(k.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        node = match entry {
            Value::Table(t) => t,
            _ => return Err(format!("`{k}` is a value, not a table")),
        };
    }
    node.insert(keys[keys.len() - 1].to_string(), parsed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocellus_agents::drqv2::PRESETS;

    #[test]
    fn presets_build_with_run_defaults() {
        for (name, _) in PRESETS {
            let c = ConfigBuilder::from_preset(name).unwrap().build().unwrap();
            assert_eq!(c.run.preset, *name);
            assert_eq!(c.run.eval_episodes, 10);
            assert_eq!(c.run.eval_every, Some(EnvFrames(10_000)));
        }
    }

    #[test]
    fn overrides_are_typed_and_nested() {
        let c = ConfigBuilder::from_preset("cpu")
            .unwrap()
            .set_all(&[
                "run.task=cartpole-balance",
                "run.frames=2000",
                "agent.lr=5e-4",
                "agent.stddev_schedule.over_agent_steps=1000",
                "run.video=false",
                "run.threads=1",
            ])
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(c.run.task, "cartpole-balance");
        assert_eq!(c.run.frames, EnvFrames(2000));
        assert_eq!(c.agent.lr, 5e-4);
        assert!(!c.run.video);
        assert_eq!(c.run.threads, Some(1));
        // The round trip through the resolved TOML gives the same config.
        let text = c.to_toml_string();
        let again = TrainConfig::from_toml_str(&text, "resolved").unwrap();
        assert_eq!(again, c);
        // Run directories written before `threads` existed still load (libtorch's default).
        let old = text.replace("threads = 1\n", "");
        assert_ne!(old, text);
        let old = TrainConfig::from_toml_str(&old, "old run").unwrap();
        assert_eq!(old.run.threads, None);
    }

    /// The config of `preset` with `sets` applied.
    fn built(preset: &str, sets: &[&str]) -> Result<TrainConfig, ConfigError> {
        ConfigBuilder::from_preset(preset)
            .unwrap()
            .set_all(sets)
            .unwrap()
            .build()
    }

    #[test]
    fn drm_gets_its_table_sized_for_the_preset_and_round_trips() {
        let build = built;
        let cpu = build("cpu", &["run.agent=drm"]).unwrap();
        let drm = cpu.agent.drm.as_ref().unwrap();
        assert_eq!(
            drm.perturb_every.0, DRM_CPU_PERTURB_EVERY_AGENT_STEPS,
            "cpu runs are too short for the reference's period"
        );
        assert_eq!(drm.expectile, 0.9);
        let paper = build("paper", &["run.agent=drm"]).unwrap();
        assert_eq!(paper.agent.drm.unwrap().perturb_every.0, 100_000);
        // a user's own value wins, and the resolved config reads back the same
        let own = build(
            "cpu",
            &["run.agent=drm", "agent.drm.perturb_every_agent_steps=700"],
        )
        .unwrap();
        assert_eq!(own.agent.drm.as_ref().unwrap().perturb_every.0, 700);
        let again = TrainConfig::from_toml_str(&own.to_toml_string(), "resolved").unwrap();
        assert_eq!(again, own);
        // plain DrQ-v2 writes no [agent.drm]
        assert!(!build("cpu", &[]).unwrap().to_toml_string().contains("drm"));
    }

    #[test]
    fn mentor_gets_drm_and_its_own_table_key_by_key() {
        let cpu = built("cpu", &["run.agent=mentor", "agent.drm.expectile=0.8"]).unwrap();
        let drm = cpu.agent.drm.as_ref().unwrap();
        // the user's key is kept, the others come from the agent's name and the preset
        assert_eq!(drm.expectile, 0.8);
        assert_eq!(drm.perturb_every.0, DRM_CPU_PERTURB_EVERY_AGENT_STEPS);
        assert_eq!(drm.dormant_stddev.scale, 0.8);
        assert!(!drm.restart_schedule);
        let m = cpu.agent.mentor.as_ref().unwrap();
        assert_eq!(m.moe.hidden_dim, MENTOR_CPU_EXPERT_HIDDEN_DIM);
        assert_eq!(m.moe.gate_dim, MENTOR_CPU_EXPERT_HIDDEN_DIM);
        assert_eq!((m.moe.num_experts, m.moe.top_k, m.snapshots), (16, 4, 10));
        let again = TrainConfig::from_toml_str(&cpu.to_toml_string(), "resolved").unwrap();
        assert_eq!(again, cpu);
        // the paper preset keeps the reference's sizes and period
        let paper = built("paper", &["run.agent=mentor"]).unwrap();
        assert_eq!(paper.agent.mentor.unwrap().moe.hidden_dim, 256);
        assert_eq!(paper.agent.drm.unwrap().perturb_every.0, 100_000);
    }

    #[test]
    fn the_task_picks_its_domain_values_under_the_users_overrides() {
        let build = |preset: &str, sets: &[&str]| built(preset, sets).unwrap();
        let reacher = build("cpu", &["run.task=reacher-easy"]);
        assert_eq!(
            reacher.train_loop.seed_frames,
            EnvFrames(4000),
            "only the repeat changes"
        );
        assert_eq!(reacher.env.action_repeat, 4);
        assert_eq!(
            reacher.raw.run.task_preset.as_deref(),
            Some("cpu/reacher: env.action_repeat = 4")
        );
        assert!(reacher
            .to_toml_string()
            .contains("task_preset = \"cpu/reacher: env.action_repeat = 4\""));
        assert_eq!(build("cpu", &["run.task=finger-spin"]).env.action_repeat, 2);
        assert_eq!(
            build("cpu", &["run.task=ball_in_cup-catch"])
                .env
                .action_repeat,
            4
        );
        assert_eq!(
            build("cpu", &["run.task=cartpole-swingup"])
                .env
                .action_repeat,
            8
        );
        // an explicit value wins; the record still says what the domain would have set
        let own = build("cpu", &["run.task=reacher-easy", "env.action_repeat=2"]);
        assert_eq!(own.env.action_repeat, 2);
        // the paper preset keeps DrQ-v2's repeat 2 for every task, and a domain without
        // values gets none
        let paper = build("paper", &["run.task=reacher-easy"]);
        assert_eq!(
            (paper.env.action_repeat, paper.raw.run.task_preset),
            (2, None)
        );
        assert_eq!(
            build("cpu", &["run.task=pendulum-swingup"])
                .raw
                .run
                .task_preset,
            None
        );
        // a file's task counts like --set's
        let file = ConfigBuilder::from_preset("cpu")
            .unwrap()
            .merge_toml("[run]\ntask = \"reacher-hard\"", "my.toml")
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(file.env.action_repeat, 4);
    }

    #[test]
    fn agent_name_and_drm_table_must_agree() {
        let error_of = |sets: &[&str]| built("cpu", sets).unwrap_err().to_string();
        for (sets, message) in [
            (
                &["agent.drm.expectile=0.8"][..],
                "the [agent] option tables make `drm`",
            ),
            (
                &["run.agent=dreamer"],
                "the agents are drqv2, drm, mentor, taco",
            ),
            (
                &["run.agent=drm", "agent.mentor.top_k=2"],
                "the [agent] option tables make `mentor`",
            ),
            (
                &["run.agent=drm", "agent.policy=max_entropy"],
                "DrM's σ and λ act on the deterministic policy",
            ),
        ] {
            let err = error_of(sets);
            assert!(err.contains(message), "{sets:?}: {err}");
        }
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it() {
        let err = ConfigBuilder::from_preset("cpu")
            .unwrap()
            .set_all(&["run.framez=10"])
            .unwrap()
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("framez"), "{err}");
        let err = ConfigBuilder::from_preset("cpu")
            .unwrap()
            .merge_toml("[agent]\nlearning_rate = 1.0\n", "x.toml")
            .unwrap()
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("learning_rate"), "{err}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let err = ConfigBuilder::from_preset("cpu")
            .unwrap()
            .set_all(&[
                "run.task=no-such-task",
                "run.device=tpu",
                "run.eval_every_frames=1001",
                "agent.lr=-1",
                "loop.batch_size=0",
            ])
            .unwrap()
            .build()
            .unwrap_err();
        let ConfigError::Invalid { problems, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(problems.len(), 5, "{problems:#?}");
        for needle in [
            "run.task",
            "run.device",
            "eval_every_frames",
            "`lr`",
            "batch_size",
        ] {
            assert!(err.to_string().contains(needle), "{needle} in {err}");
        }
    }

    #[test]
    fn malformed_overrides_are_reported_together() {
        let err = ConfigBuilder::from_preset("cpu")
            .unwrap()
            .set_all(&["frames", "run.=3", "run.frames=5"])
            .unwrap_err();
        let ConfigError::Override { problems } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn unknown_presets_and_devices() {
        assert!(matches!(
            ConfigBuilder::from_preset("gpu"),
            Err(ConfigError::UnknownPreset { .. })
        ));
        assert_eq!(parse_device("cuda:1"), Some(Device::Cuda(1)));
        assert_eq!(parse_device("cpu"), Some(Device::Cpu));
        assert_eq!(parse_device("gpu"), None);
    }

    #[test]
    fn presets_pin_the_papers_env_replay_and_loop_values() {
        let paper = built("paper", &[]).unwrap();
        // drqv2 cfgs/config.yaml and dmc.py @ c0c650b
        assert_eq!(
            paper.env,
            EnvSettings {
                image_size: 84,
                frame_stack: 3,
                action_repeat: 2
            }
        );
        assert_eq!(
            paper.replay,
            ReplaySettings {
                capacity: 1_000_000,
                n_step: 3,
                discount: 0.99,
                lz4_frame_budget_bytes: None
            }
        );
        assert_eq!(
            paper.train_loop,
            LoopSettings {
                seed_frames: EnvFrames(4000),
                update_every: AgentSteps(2),
                updates_per_step: 1,
                batch_size: 256
            }
        );
        // the seed phase, 2000 agent steps, is where the reference's num_expl_steps ends
        assert_eq!(
            paper.train_loop.seed_frames.to_agent_steps(2).0,
            ocellus_agents::drqv2::drm::REFERENCE_AWAKEN_AFTER_AGENT_STEPS
        );
        let cpu = built("cpu", &[]).unwrap();
        assert_eq!((cpu.env.frame_stack, cpu.replay.n_step), (3, 3));
        assert_eq!(cpu.replay.discount, 0.99);
        assert!(cpu.train_loop.batch_size <= 256 && cpu.env.image_size <= 84);
        // DrM's awakening threshold on the cpu preset is its seed phase at repeat 8
        let drm = built("cpu", &["run.agent=drm"]).unwrap();
        assert_eq!(
            drm.agent.drm.unwrap().awaken_after,
            cpu.train_loop.seed_frames.to_agent_steps(8)
        );
        // every per-domain table names a preset and gives it valid values
        let tasks: Table = toml::from_str(TASK_PRESETS).unwrap();
        for (preset, domains) in &tasks {
            for (domain, values) in domains.as_table().unwrap() {
                let mut builder = ConfigBuilder::from_preset(preset)
                    .unwrap_or_else(|e| panic!("task_presets.toml: {preset}: {e}"));
                // Domains registered at run time (ocellus-mujoco's walker) get a stand-in
                // task of that domain: only the config is built here, no environment.
                let task = ocellus_envs::TASKS
                    .iter()
                    .map(|t| t.name.to_string())
                    .find(|t| t.starts_with(&format!("{domain}-")))
                    .unwrap_or_else(|| {
                        let name: &'static str = format!("{domain}-config_probe").leak();
                        let info = ocellus_envs::TaskInfo {
                            name,
                            domain: "probe",
                            ..ocellus_envs::TASKS[0]
                        };
                        ocellus_envs::register(info, |_, o| {
                            ocellus_envs::make("cartpole-swingup", o)
                        })
                        .unwrap();
                        name.to_string()
                    });
                builder = builder.set_all(&[format!("run.task={task}")]).unwrap();
                let c = builder
                    .build()
                    .unwrap_or_else(|e| panic!("{preset}.{domain}: {e}"));
                let label = c.raw.run.task_preset.unwrap();
                for (section, keys) in values.as_table().unwrap() {
                    for (key, value) in keys.as_table().unwrap() {
                        assert!(label.contains(&format!("{section}.{key} = {value}")));
                    }
                }
            }
        }
    }

    #[test]
    fn seed_phase_and_taco_window_are_checked_against_the_replay() {
        let error_of = |sets: &[&str]| built("paper", sets).unwrap_err().to_string();
        // 2 agent steps at action repeat 2 < n_step = 3: no transition to sample yet
        let err = error_of(&["loop.seed_frames=5"]);
        assert!(
            err.contains("`loop.seed_frames` = 5")
                && err.contains("replay.n_step x env.action_repeat = 6"),
            "{err}"
        );
        assert!(error_of(&["loop.seed_frames=0"]).contains("`loop.seed_frames` = 0"));
        assert!(built("paper", &["loop.seed_frames=6"]).is_ok());
        let err = error_of(&["run.agent=taco", "replay.n_step=2"]);
        assert!(
            err.contains("`agent.taco.multistep` = 3: must equal replay.n_step = 2"),
            "{err}"
        );
        let ok = built(
            "paper",
            &[
                "run.agent=taco",
                "replay.n_step=2",
                "agent.taco.multistep=2",
            ],
        );
        assert_eq!(ok.unwrap().agent.taco.unwrap().multistep, 2);
        let err = error_of(&["env.image_size=12"]);
        assert!(err.contains("`env.image_size` = 12"), "{err}");
        let err = error_of(&["env.image_size=16", "agent.aug_pad=16"]);
        assert!(err.contains("agent.aug_pad = 16"), "{err}");
    }

    /// `config` in the layout before the config split: every [env], [replay] and [loop] key
    /// under [agent] (the compression under [run]), plus `exploration_agent_steps`.
    fn legacy_text(config: &TrainConfig, exploration: u64) -> String {
        let mut table: Table = toml::from_str(&config.to_toml_string()).unwrap();
        let mut agent = table.remove("agent").unwrap().as_table().unwrap().clone();
        for (old_table, key, new_table, new_key) in MOVED_KEYS {
            let value = table[new_table]
                .as_table_mut()
                .unwrap()
                .remove(new_key)
                .unwrap();
            let target = if old_table == "agent" {
                &mut agent
            } else {
                table[old_table].as_table_mut().unwrap()
            };
            target.insert(key.to_string(), value);
        }
        for emptied in ["env", "replay", "loop"] {
            assert!(table
                .remove(emptied)
                .unwrap()
                .as_table()
                .unwrap()
                .is_empty());
        }
        if let Some(Value::Table(drm)) = agent.get_mut("drm") {
            drm.remove("awaken_after_agent_steps");
        }
        agent.insert(
            REMOVED_EXPLORATION_KEY.into(),
            Value::Integer(exploration as i64),
        );
        table.insert("agent".into(), Value::Table(agent));
        toml::to_string(&table).unwrap()
    }

    #[test]
    fn run_directories_from_before_the_split_load_in_the_split_layout() {
        let drm = built(
            "cpu",
            &[
                "run.agent=drm",
                "run.task=reacher-easy",
                "replay.lz4_frame_budget_bytes=512",
            ],
        )
        .unwrap();
        // the cpu preset's exploration_agent_steps was 500, DrM's awakening read it
        let old = legacy_text(&drm, 500);
        assert!(old.contains("action_repeat = 4") && old.contains("exploration_agent_steps"));
        assert!(!old.contains("[env]") && old.contains("replay_lz4_frame_budget_bytes = 512"));
        assert_eq!(TrainConfig::from_toml_str(&old, "old run").unwrap(), drm);
        // a checkpoint's record of that time, the bare [agent] table, reads the same way
        let agent_table: Table = toml::from_str(&old).unwrap();
        let record = toml::to_string(agent_table["agent"].as_table().unwrap()).unwrap();
        assert_eq!(
            drm.raw.learning_of_record(&record).unwrap(),
            drm.raw.learning()
        );
        let new_record = drm.raw.learning_toml();
        assert_eq!(
            drm.raw.learning_of_record(&new_record).unwrap(),
            drm.raw.learning()
        );
        // DrM's threshold came from the removed key; a uniform phase past the seed phase
        // (1000 agent steps: 4000 frames at repeat 4) cannot be continued
        let other = legacy_text(&drm, 1001);
        let err = TrainConfig::from_toml_str(&other, "old run")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "exploration_agent_steps` = 1001 outlasts the seed phase (1000 agent steps)"
            ),
            "{err}"
        );
        let early = TrainConfig::from_toml_str(&legacy_text(&drm, 300), "old run").unwrap();
        assert_eq!(early.agent.drm.unwrap().awaken_after, AgentSteps(300));
        // a user's file or --set with an old key is told where it lives now
        let err = built(
            "cpu",
            &["agent.action_repeat=2", "agent.exploration_agent_steps=9"],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`agent.action_repeat` is now `env.action_repeat`"),
            "{err}"
        );
        assert!(
            err.contains("`agent.exploration_agent_steps` was removed"),
            "{err}"
        );
        let err = ConfigBuilder::from_preset("cpu")
            .unwrap()
            .merge_toml("[run]\nreplay_lz4_frame_budget_bytes = 512\n", "my.toml")
            .unwrap()
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "`run.replay_lz4_frame_budget_bytes` is now `replay.lz4_frame_budget_bytes`"
            ),
            "{err}"
        );
    }
}
