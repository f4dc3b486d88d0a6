//! The interface between an agent and the code that trains, evaluates and checkpoints it.
//!
//! The trainer, evaluation and the command line hold a `Box<dyn Agent>` built by
//! [`build_agent`] from the run's agent name; none of them names a concrete agent. An agent
//! owns everything that learns (networks, optimisers, its random generators); the trainer owns
//! the environment, the replay and the cadence: it decides when to [`Agent::act`] and when to
//! [`Agent::update`], and an agent always does what it is asked.

use ocellus_core::AgentSteps;
use tch::{Device, Tensor};

use crate::drqv2::{Batch, DrQV2Agent, DrQV2Config};
use crate::error::AgentError;

/// A pixel-control agent as the trainer sees it.
pub trait Agent: std::fmt::Debug {
    /// The registered name ([`AGENTS`]), recorded in run directories and checkpoints.
    fn name(&self) -> &'static str;

    /// Actions `[N, A]` f32 on the CPU in [−1, 1] for observations `[N, C, H, W]` (or one
    /// `[C, H, W]`) u8 at `agent_steps`: the exploration policy, or with `eval_mode` the
    /// deterministic evaluation policy.
    fn act(&mut self, obs: &Tensor, agent_steps: AgentSteps, eval_mode: bool) -> Tensor;

    /// One update on `batch` at `agent_steps`; returns what it measured, named as in
    /// [`Agent::metric_names`] and in that order (the columns of a run's `loss.csv`).
    fn update(&mut self, batch: &Batch, agent_steps: AgentSteps) -> Vec<(&'static str, f64)>;

    /// The names [`Agent::update`] reports, in order.
    fn metric_names(&self) -> Vec<&'static str>;

    /// Every piece of state needed to resume bit-exactly, as named tensors (one safetensors
    /// file).
    fn state_dict(&self) -> Vec<(String, Tensor)>;

    /// Restores [`Agent::state_dict`]; on any problem nothing is changed.
    ///
    /// # Errors
    /// [`AgentError::State`] naming every missing, unexpected, mis-shaped or invalid entry.
    fn load_state_dict(&mut self, state: &[(String, Tensor)]) -> Result<(), AgentError>;

    /// What the critic believes: `Q(o, a)` `[N]` f32 on the CPU of one observation `o`
    /// `[C, H, W]` for each candidate action of `actions` `[N, A]`; `None` for an agent without
    /// a Q-function.
    fn q_values(&self, obs: &Tensor, actions: &Tensor) -> Option<Tensor>;

    /// Called by the trainer when a training episode ends, with its undiscounted return
    /// (MENTOR keeps the networks of its best episodes); most agents do nothing.
    ///
    /// # Errors
    /// The agent's, e.g. a return it cannot use; the agent is unchanged then.
    fn end_episode(&mut self, episode_return: f64) -> Result<(), AgentError> {
        let _ = episode_return;
        Ok(())
    }
}

/// The registered agents: DrQ-v2, DrQ-v2 with DrM's option (`[agent.drm]`), with DrM and
/// MENTOR's (`[agent.drm]` and `[agent.mentor]`), with TACO's (`[agent.taco]`), and TACO
/// composed with the other two.
pub const AGENTS: [&str; 6] = ["drqv2", "drm", "mentor", "taco", "drm+taco", "mentor+taco"];

/// The agent name ([`AGENTS`]) that a DrQ-v2 configuration's option tables make: `mentor`
/// with `[agent.mentor]`, else `drm` with `[agent.drm]`, else `drqv2`.
pub fn name_of(config: &DrQV2Config) -> &'static str {
    let taco = config.taco.is_some();
    match (config.drm.is_some(), config.mentor.is_some(), taco) {
        (_, true, false) => "mentor",
        (_, true, true) => "mentor+taco",
        (true, false, false) => "drm",
        (true, false, true) => "drm+taco",
        (false, false, true) => "taco",
        (false, false, false) => "drqv2",
    }
}

/// Builds the agent `name` ([`AGENTS`]) from its validated configuration.
///
/// # Errors
/// [`AgentError::Unknown`] for a name not in [`AGENTS`], [`AgentError::Options`] if the
/// configuration does not fit the name (`drm` without `[agent.drm]`, `drqv2` with it), or the
/// agent's own construction errors (observation shape, action dimension).
pub fn build_agent(
    name: &str,
    config: DrQV2Config,
    obs_shape: [i64; 3],
    action_dim: i64,
    device: Device,
    seed: u64,
) -> Result<Box<dyn Agent>, AgentError> {
    let tables = match name {
        "drqv2" => "no option table",
        "drm" => "an [agent.drm] table (and no [agent.mentor] or [agent.taco])",
        "mentor" => "[agent.drm] and [agent.mentor] tables",
        "taco" => "an [agent.taco] table",
        "drm+taco" => "[agent.drm] and [agent.taco] tables",
        "mentor+taco" => "[agent.drm], [agent.mentor] and [agent.taco] tables",
        _ => return Err(AgentError::Unknown(name.to_string())),
    };
    let made = name_of(&config);
    if made != name {
        return Err(AgentError::Options(format!(
            "agent `{name}` takes {tables}; these tables make `{made}`"
        )));
    }
    Ok(Box::new(DrQV2Agent::new(
        config, obs_shape, action_dim, device, seed,
    )?))
}

impl Agent for DrQV2Agent {
    fn name(&self) -> &'static str {
        name_of(self.config())
    }

    fn act(&mut self, obs: &Tensor, agent_steps: AgentSteps, eval_mode: bool) -> Tensor {
        DrQV2Agent::act(self, obs, agent_steps, eval_mode)
    }

    fn update(&mut self, batch: &Batch, agent_steps: AgentSteps) -> Vec<(&'static str, f64)> {
        DrQV2Agent::update(self, batch, agent_steps).named()
    }

    fn metric_names(&self) -> Vec<&'static str> {
        DrQV2Agent::metric_names(self)
    }

    fn state_dict(&self) -> Vec<(String, Tensor)> {
        DrQV2Agent::state_dict(self)
    }

    fn load_state_dict(&mut self, state: &[(String, Tensor)]) -> Result<(), AgentError> {
        DrQV2Agent::load_state_dict(self, state)
    }

    fn q_values(&self, obs: &Tensor, actions: &Tensor) -> Option<Tensor> {
        Some(DrQV2Agent::q_values(self, obs, actions))
    }

    fn end_episode(&mut self, episode_return: f64) -> Result<(), AgentError> {
        DrQV2Agent::end_episode(self, episode_return)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny(drm: bool, mentor: bool) -> DrQV2Config {
        let mut c = DrQV2Config::preset("paper").unwrap();
        c.hidden_dim = 16;
        c.feature_dim = 8;
        if drm {
            c.drm = Some(
                crate::drqv2::DrmRawConfig::default()
                    .to_config("test")
                    .unwrap(),
            );
        }
        if mentor {
            let m = crate::drqv2::MentorRawConfig {
                num_experts: 4,
                top_k: 2,
                expert_hidden_dim: 4,
                gate_dim: 4,
                ..Default::default()
            };
            c.mentor = Some(m.to_config("test").unwrap());
        }
        c
    }

    #[test]
    fn names_select_the_option_set_and_mismatches_are_named() {
        for (name, drm, mentor) in [
            ("drqv2", false, false),
            ("drm", true, false),
            ("mentor", true, true),
        ] {
            let c = tiny(drm, mentor);
            let agent = build_agent(name, c, [9, 20, 20], 2, Device::Cpu, 1).unwrap();
            assert_eq!(agent.name(), name);
            let names = agent.metric_names();
            assert_eq!(
                names.iter().any(|n| n.starts_with("drm_")),
                drm,
                "{names:?}"
            );
            assert_eq!(
                names
                    .iter()
                    .filter(|n| n.starts_with("mentor_expert_load_"))
                    .count(),
                if mentor { 4 } else { 0 },
                "{names:?}"
            );
            assert!(agent.state_dict().iter().any(|(k, _)| k == "drm.beta") == drm);
        }
        let mut c = tiny(true, false);
        c.taco = Some(
            crate::drqv2::TacoRawConfig::default()
                .to_config("test")
                .unwrap(),
        );
        let agent = build_agent("drm+taco", c, [9, 20, 20], 2, Device::Cpu, 1).unwrap();
        assert_eq!(agent.name(), "drm+taco");
        assert!(agent.metric_names().contains(&"taco_loss"));
        let build = |name: &str, drm, mentor| {
            build_agent(name, tiny(drm, mentor), [9, 20, 20], 2, Device::Cpu, 1)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            build("drm", false, false),
            "agent `drm` takes an [agent.drm] table (and no [agent.mentor] or [agent.taco]); \
             these tables make `drqv2`"
        );
        assert_eq!(
            build("drqv2", true, false),
            "agent `drqv2` takes no option table; these tables make `drm`"
        );
        assert_eq!(
            build("drm", true, true),
            "agent `drm` takes an [agent.drm] table (and no [agent.mentor] or [agent.taco]); \
             these tables make `mentor`"
        );
        assert_eq!(
            build("dreamer", false, false),
            "unknown agent `dreamer` (agents: drqv2, drm, mentor, taco, drm+taco, mentor+taco)"
        );
    }
}
