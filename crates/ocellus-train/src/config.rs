//! A training run's configuration: a `[run]` table (what to train, for how long, how often to
//! evaluate and checkpoint) and an `[agent]` table (the DrQ-v2 hyper-parameters, which also fix
//! image size, frame stack and action repeat).
//!
//! Two layers (STYLE.md §5): [`RawTrainConfig`] is what TOML holds (`deny_unknown_fields`, so a
//! typo is an error), [`RawTrainConfig::validate`] turns it into a [`TrainConfig`] or lists
//! *every* problem at once. [`ConfigBuilder`] layers a preset, an optional file and
//! `section.key=value` overrides, in that order, before validation.

use ocellus_agents::drqv2::{preset_text, TASK_PRESETS};
use ocellus_agents::{DrQV2Config, DrQV2RawConfig};
use ocellus_core::EnvFrames;
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
    /// The agent: `drqv2`, or `drm` (DrQ-v2 with the `[agent.drm]` table, which
    /// [`ConfigBuilder::build`] adds if absent).
    pub agent: String,
    /// Name of the preset the `[agent]` table started from (`paper`, `cpu`); a label for run
    /// directories and plots, the `[agent]` table is what is used.
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
    /// LZ4-compress replay frames with this many bytes reserved per frame; 0 = raw frames.
    pub replay_lz4_frame_budget_bytes: u64,
    /// The per-domain values of `configs/task_presets.toml` that the builder applied over the
    /// preset for this task, e.g. `cpu/reacher: action_repeat = 4` (a record; the `[agent]`
    /// table holds the values used). Absent when none applied.
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
            replay_lz4_frame_budget_bytes: 0,
            task_preset: None,
            threads: 0,
        }
    }
}

/// A whole run configuration as written in TOML.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrainConfig {
    /// What to train and the run's cadences.
    pub run: RawRunConfig,
    /// DrQ-v2's hyper-parameters (a complete preset).
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
    /// LZ4 frame budget, if replay compression is on.
    pub replay_lz4_frame_budget_bytes: Option<usize>,
    /// libtorch intra-op threads (`None`: libtorch's default).
    pub threads: Option<usize>,
}

/// A validated configuration: the run and the agent.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// The `[run]` table.
    pub run: RunConfig,
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
    /// Checks every value of both tables and returns all problems at once.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] listing each problem; `origin` names the source.
    pub fn validate(&self, origin: &str) -> Result<TrainConfig, ConfigError> {
        let r = &self.run;
        let mut problems: Vec<String> = Vec::new();
        let mut check = |ok: bool, field: &str, value: String, reason: &str| {
            if !ok {
                problems.push(format!("`run.{field}` = {value}: {reason}"));
            }
        };
        check(
            ocellus_envs::task_info(&r.task).is_ok(),
            "task",
            format!("{:?}", r.task),
            "not a registered task (see `ocellus envs list`)",
        );
        check(
            AGENT_NAMES.contains(&r.agent.as_str()),
            "agent",
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
            "agent",
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
            "preset",
            format!("{:?}", r.preset),
            "a label of letters, digits, '-' and '_'",
        );
        check(
            r.frames > 0,
            "frames",
            r.frames.to_string(),
            "must be positive",
        );
        let device = parse_device(&r.device);
        check(
            device.is_some(),
            "device",
            format!("{:?}", r.device),
            "must be \"cpu\", \"cuda\" or \"cuda:N\"",
        );
        check(
            r.eval_every_frames == 0 || r.eval_episodes > 0,
            "eval_episodes",
            r.eval_episodes.to_string(),
            "must be positive when evaluation is on",
        );
        let action_repeat = u64::from(self.agent.action_repeat.max(1));
        for (field, value) in [
            ("eval_every_frames", r.eval_every_frames),
            ("checkpoint_every_frames", r.checkpoint_every_frames),
        ] {
            check(
                value.is_multiple_of(action_repeat),
                field,
                value.to_string(),
                "must be a multiple of the action repeat (frames advance by it)",
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
                replay_lz4_frame_budget_bytes: (r.replay_lz4_frame_budget_bytes > 0)
                    .then_some(r.replay_lz4_frame_budget_bytes as usize),
                threads: (r.threads > 0).then_some(r.threads as usize),
            },
            agent,
            raw: self.clone(),
        })
    }
}

impl TrainConfig {
    /// Parses and validates a complete TOML text (e.g. a run's `config.toml`).
    ///
    /// # Errors
    /// [`ConfigError::Parse`] naming the key and line, or [`ConfigError::Invalid`].
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let raw: RawTrainConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
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
    /// Run defaults and the preset's `[agent]` table.
    preset: Table,
    preset_name: String,
    /// What files and overrides set, applied last.
    user: Table,
    origin: Vec<String>,
}

impl ConfigBuilder {
    /// Starts from the run defaults and the agent preset `preset` (`configs/drqv2/<preset>.toml`).
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
        let agent: Table = toml::from_str(text).map_err(|e| ConfigError::Parse {
            origin: format!("preset {preset}"),
            message: e.to_string(),
        })?;
        let run = RawRunConfig {
            preset: preset.to_string(),
            ..RawRunConfig::default()
        };
        let mut table = Table::new();
        table.insert(
            "run".into(),
            Value::try_from(run).expect("the run defaults serialise"),
        );
        table.insert("agent".into(), Value::Table(agent));
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
    /// [`ConfigError::Parse`] or [`ConfigError::Invalid`].
    pub fn build(self) -> Result<TrainConfig, ConfigError> {
        let origin = self.origin.join(" + ");
        let mut table = self.preset;
        let run_value = |key: &str| {
            [&self.user, &table]
                .iter()
                .find_map(|t| t.get("run")?.get(key)?.as_str().map(str::to_string))
        };
        let task = run_value("task").unwrap_or_default();
        let domain = task.split('-').next().unwrap_or_default().to_string();
        if let Some(values) = task_preset(&self.preset_name, &domain) {
            let listed: Vec<String> = values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            let label = format!("{}/{domain}: {}", self.preset_name, listed.join(", "));
            if let Some(Value::Table(agent)) = table.get_mut("agent") {
                merge(agent, values);
            }
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

/// The `[<preset>.<domain>]` table of `configs/task_presets.toml`, if any.
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
        assert_eq!(reacher.agent.action_repeat, 4);
        assert_eq!(
            reacher.raw.run.task_preset.as_deref(),
            Some("cpu/reacher: action_repeat = 4")
        );
        assert!(reacher
            .to_toml_string()
            .contains("task_preset = \"cpu/reacher: action_repeat = 4\""));
        assert_eq!(
            build("cpu", &["run.task=finger-spin"]).agent.action_repeat,
            2
        );
        assert_eq!(
            build("cpu", &["run.task=ball_in_cup-catch"])
                .agent
                .action_repeat,
            4
        );
        assert_eq!(
            build("cpu", &["run.task=cartpole-swingup"])
                .agent
                .action_repeat,
            8
        );
        // an explicit value wins; the record still says what the domain would have set
        let own = build("cpu", &["run.task=reacher-easy", "agent.action_repeat=2"]);
        assert_eq!(own.agent.action_repeat, 2);
        // the paper preset keeps DrQ-v2's repeat 2 for every task, and a domain without
        // values gets none
        let paper = build("paper", &["run.task=reacher-easy"]);
        assert_eq!(
            (paper.agent.action_repeat, paper.raw.run.task_preset),
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
        assert_eq!(file.agent.action_repeat, 4);
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
                "agent.batch_size=0",
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
}
