//! The run configuration (`config.toml` of a run directory), its presets and `--set` overrides.

use serde::{Deserialize, Serialize};

use crate::error::RlvrError;

/// Which synthetic task, at which difficulty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskConfig {
    /// An `ocellus-tasks` generator (`rotation`, `grounding`, `zoom_shape`, …).
    pub name: String,
    /// 1 to 5.
    pub difficulty: u8,
    /// Held-out prompts scored at each evaluation (a fixed split, the same for every seed).
    pub eval_prompts: usize,
}

/// Which policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// An HF folder (SmolVLM / Idefics3 layout) to start from; empty for the small policy.
    #[serde(default)]
    pub dir: String,
    /// Small policy: decoder width.
    pub width: i64,
    /// Small policy: decoder blocks.
    pub layers: i64,
    /// Small policy: BPE vocabulary trained on the task prompts.
    pub vocab: usize,
    /// Put the images after the question in the user turn (the tasks put them first). A small
    /// causal decoder trained from scratch learns tasks whose answer depends on what the
    /// question names (counting "red triangles", boxing "the blue circle") only when the image
    /// tokens can attend to the question; see BENCHMARKS.md. Ignored for a loaded model
    /// (`dir`), which keeps the task's layout.
    #[serde(default)]
    pub image_after_text: bool,
}

/// How completions are rewarded: the task's verifier plus a weighted format verifier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardConfig {
    /// Format verifier (`format`, `format_answer_only`, …) or empty for none.
    pub format: String,
    /// Its weight (VLM-R1 sums accuracy and format with weight 1).
    pub format_weight: f64,
}

/// How responses are sampled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamplingToml {
    /// Softmax temperature of training rollouts (evaluation is greedy).
    pub temperature: f64,
    /// Nucleus mass.
    pub top_p: f64,
    /// Token budget after the prompt (policy and tool tokens).
    pub max_response_tokens: usize,
}

/// The crop/zoom tool (multi-turn episodes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolConfig {
    /// `none` (single turn) or `crop`.
    pub kind: String,
    /// Most policy turns per episode.
    pub max_turns: usize,
    /// Boxes smaller than this (pixels of the original image) grow around their centre (verl's
    /// `image_zoom_in_tool` uses 28).
    pub min_size: usize,
}

/// The supervised warm start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarmStartConfig {
    /// Optimiser steps.
    pub steps: u64,
    /// Samples per step.
    pub batch: usize,
    /// Adam learning rate.
    pub lr: f64,
}

/// The RL phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrpoConfig {
    /// `grpo`, `dr_grpo`, `dapo`, `gspo` or `ema_grpo` (advantage and loss presets of
    /// `ocellus-grpo`; `ema_grpo` is GRPO's loss with OneThinker's per-task EMA std).
    pub algo: String,
    /// Policy updates.
    pub steps: u64,
    /// Prompts per update.
    pub prompts_per_step: usize,
    /// Responses per prompt (G).
    pub group_size: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// KL coefficient against the frozen warm-start policy (k3); negative keeps the preset's.
    pub kl_coef: f64,
    /// Groups per micro-batch (gradient accumulation; the loss is rescaled so that the sum over
    /// micro-batches is the whole batch's loss).
    pub micro_batch_groups: usize,
    /// Global gradient-norm clip (verl/TRL default 1.0); 0 disables.
    pub max_grad_norm: f64,
}

/// Evaluation, checkpoints, seed and device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Seed of the model initialisation, the training data stream and the sampler.
    pub seed: u64,
    /// Evaluate every this many steps (warm-start and RL steps count alike).
    pub eval_every: u64,
    /// Checkpoint every this many steps (and at the end, and on Ctrl-C).
    pub checkpoint_every: u64,
    /// `cpu` or `cuda` / `cuda:N`.
    pub device: String,
}

/// Everything a run reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RlvrConfig {
    /// The task.
    pub task: TaskConfig,
    /// The policy.
    pub model: ModelConfig,
    /// The reward.
    pub reward: RewardConfig,
    /// Sampling.
    pub sampling: SamplingToml,
    /// The tool.
    pub tool: ToolConfig,
    /// Warm start.
    pub warm_start: WarmStartConfig,
    /// RL.
    pub grpo: GrpoConfig,
    /// Run settings.
    pub run: RunConfig,
}

/// The built-in preset: the small policy on counting, sized for two CPU cores.
pub const CPU_PRESET: &str = include_str!("../../../configs/rlvr/cpu.toml");

impl RlvrConfig {
    /// Parses TOML.
    ///
    /// # Errors
    /// [`RlvrError::Config`] naming the bad or unknown key.
    pub fn from_toml(text: &str) -> Result<RlvrConfig, RlvrError> {
        let config: RlvrConfig =
            toml::from_str(text).map_err(|e| RlvrError::Config(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// The TOML text.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("plain data serialises")
    }

    /// The CPU preset with `key=value` overrides (`grpo.steps=50`, `task.name="grounding"`;
    /// strings may be written bare).
    ///
    /// # Errors
    /// [`RlvrError::Config`] for an override of an unknown key or of the wrong type.
    pub fn preset_with(overrides: &[String]) -> Result<RlvrConfig, RlvrError> {
        RlvrConfig::preset_with_base(CPU_PRESET, overrides)
    }

    /// The configuration in TOML `base` with `key=value` overrides (see
    /// [`RlvrConfig::preset_with`]).
    ///
    /// # Errors
    /// [`RlvrError::Config`] for unreadable TOML or a bad override.
    pub fn preset_with_base(base: &str, overrides: &[String]) -> Result<RlvrConfig, RlvrError> {
        let mut value: toml::Table =
            toml::from_str(base).map_err(|e| RlvrError::Config(e.to_string()))?;
        for o in overrides {
            let (key, raw) = o
                .split_once('=')
                .ok_or_else(|| RlvrError::Config(format!("override `{o}` is not key=value")))?;
            let parts: Vec<&str> = key.trim().split('.').collect();
            let (table, field) = match parts.as_slice() {
                [t, f] => (*t, *f),
                _ => {
                    return Err(RlvrError::Config(format!(
                        "override key `{key}` is not table.field"
                    )))
                }
            };
            let slot = value
                .get_mut(table)
                .and_then(|t| t.as_table_mut())
                .ok_or_else(|| RlvrError::Config(format!("no table `[{table}]` (in `{o}`)")))?;
            let old = slot
                .get(field)
                .ok_or_else(|| RlvrError::Config(format!("no key `{table}.{field}` (in `{o}`)")))?;
            let raw = raw.trim();
            let new: toml::Value = match old {
                toml::Value::String(_) => toml::Value::String(raw.trim_matches('"').to_owned()),
                _ => toml::from_str::<toml::Table>(&format!("v = {raw}"))
                    .ok()
                    .and_then(|mut t| t.remove("v"))
                    .ok_or_else(|| RlvrError::Config(format!("cannot read the value of `{o}`")))?,
            };
            let same_type = std::mem::discriminant(old) == std::mem::discriminant(&new)
                || matches!(
                    (old, &new),
                    (toml::Value::Float(_), toml::Value::Integer(_))
                );
            if !same_type {
                return Err(RlvrError::Config(format!(
                    "`{table}.{field}` is a {}, not `{raw}`",
                    old.type_str()
                )));
            }
            let new = match (old, new) {
                (toml::Value::Float(_), toml::Value::Integer(i)) => toml::Value::Float(i as f64),
                (_, n) => n,
            };
            slot.insert(field.to_owned(), new);
        }
        RlvrConfig::from_toml(&toml::to_string(&value).expect("table serialises"))
    }

    /// Checks ranges and names; all problems at once.
    ///
    /// # Errors
    /// [`RlvrError::Config`] listing them.
    pub fn validate(&self) -> Result<(), RlvrError> {
        let mut p = Vec::new();
        if !(1..=5).contains(&self.task.difficulty) {
            p.push(format!(
                "task.difficulty = {} must be 1..=5",
                self.task.difficulty
            ));
        }
        if ocellus_tasks::task(&self.task.name).is_err() {
            let known: Vec<&str> = ocellus_tasks::tasks().iter().map(|t| t.name).collect();
            p.push(format!(
                "task.name `{}` is not one of {}",
                self.task.name,
                known.join(", ")
            ));
        }
        if self.task.eval_prompts == 0 {
            p.push("task.eval_prompts must be >= 1".into());
        }
        if !matches!(
            self.grpo.algo.as_str(),
            "grpo" | "dr_grpo" | "dapo" | "gspo"
        ) {
            p.push(format!(
                "grpo.algo `{}` is not grpo, dr_grpo, dapo or gspo",
                self.grpo.algo
            ));
        }
        if !matches!(self.tool.kind.as_str(), "none" | "crop") {
            p.push(format!(
                "tool.kind `{}` is not none or crop",
                self.tool.kind
            ));
        }
        if self.tool.kind == "crop" && self.tool.max_turns < 2 {
            p.push("tool.max_turns must be >= 2 with the crop tool".into());
        }
        if self.tool.max_turns == 0 {
            p.push("tool.max_turns must be >= 1".into());
        }
        if self.grpo.group_size < 2 {
            p.push("grpo.group_size must be >= 2 (a group of 1 has no baseline)".into());
        }
        if self.grpo.prompts_per_step == 0 || self.grpo.micro_batch_groups == 0 {
            p.push("grpo.prompts_per_step and grpo.micro_batch_groups must be >= 1".into());
        }
        if self.warm_start.batch == 0 {
            p.push("warm_start.batch must be >= 1".into());
        }
        for (name, lr) in [
            ("warm_start.lr", self.warm_start.lr),
            ("grpo.lr", self.grpo.lr),
        ] {
            if !(lr.is_finite() && lr > 0.0) {
                p.push(format!("{name} = {lr} must be finite and > 0"));
            }
        }
        if !(self.grpo.max_grad_norm.is_finite() && self.grpo.max_grad_norm >= 0.0) {
            p.push("grpo.max_grad_norm must be finite and >= 0".into());
        }
        if !(self.reward.format_weight.is_finite() && self.reward.format_weight >= 0.0) {
            p.push("reward.format_weight must be finite and >= 0".into());
        }
        if self.run.eval_every == 0 || self.run.checkpoint_every == 0 {
            p.push("run.eval_every and run.checkpoint_every must be >= 1".into());
        }
        if self.model.dir.is_empty()
            && (self.model.width < 8 || self.model.layers < 1 || self.model.vocab < 300)
        {
            p.push(
                "model.width >= 8, model.layers >= 1 and model.vocab >= 300 for the small policy"
                    .into(),
            );
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(RlvrError::Config(p.join("; ")))
        }
    }

    /// The device.
    ///
    /// # Errors
    /// [`RlvrError::Config`] for an unknown device name.
    pub fn device(&self) -> Result<tch::Device, RlvrError> {
        match self.run.device.as_str() {
            "cpu" => Ok(tch::Device::Cpu),
            "cuda" => Ok(tch::Device::Cuda(0)),
            d => d
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(tch::Device::Cuda)
                .ok_or_else(|| {
                    RlvrError::Config(format!("run.device `{d}` is not cpu, cuda or cuda:N"))
                }),
        }
    }

    /// Total steps of the run (warm start then RL).
    pub fn total_steps(&self) -> u64 {
        self.warm_start.steps + self.grpo.steps
    }
}
