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
}

/// The registered agents: DrQ-v2, and DrQ-v2 with DrM's option (`[agent.drm]`).
pub const AGENTS: [&str; 2] = ["drqv2", "drm"];

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
    let wants_drm = match name {
        "drqv2" => false,
        "drm" => true,
        _ => return Err(AgentError::Unknown(name.to_string())),
    };
    if wants_drm != config.drm.is_some() {
        return Err(AgentError::Options(format!(
            "agent `{name}` {} an [agent.drm] table",
            if wants_drm { "needs" } else { "does not take" }
        )));
    }
    Ok(Box::new(DrQV2Agent::new(
        config, obs_shape, action_dim, device, seed,
    )?))
}

impl Agent for DrQV2Agent {
    fn name(&self) -> &'static str {
        if self.config().drm.is_some() {
            "drm"
        } else {
            "drqv2"
        }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny(drm: bool) -> DrQV2Config {
        let mut c = DrQV2Config::preset("paper").unwrap();
        c.image_size = 20;
        c.hidden_dim = 16;
        c.feature_dim = 8;
        if drm {
            c.drm = Some(
                crate::drqv2::DrmRawConfig::default()
                    .to_config("test")
                    .unwrap(),
            );
        }
        c
    }

    #[test]
    fn names_select_the_option_set_and_mismatches_are_named() {
        for (name, drm) in [("drqv2", false), ("drm", true)] {
            let agent = build_agent(name, tiny(drm), [9, 20, 20], 2, Device::Cpu, 1).unwrap();
            assert_eq!(agent.name(), name);
            let names = agent.metric_names();
            assert_eq!(
                names.iter().any(|n| n.starts_with("drm_")),
                drm,
                "{names:?}"
            );
            assert!(agent.state_dict().iter().any(|(k, _)| k == "drm.beta") == drm);
        }
        let err = build_agent("drm", tiny(false), [9, 20, 20], 2, Device::Cpu, 1).unwrap_err();
        assert_eq!(err.to_string(), "agent `drm` needs an [agent.drm] table");
        let err = build_agent("drqv2", tiny(true), [9, 20, 20], 2, Device::Cpu, 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "agent `drqv2` does not take an [agent.drm] table"
        );
        let err = build_agent("taco", tiny(false), [9, 20, 20], 2, Device::Cpu, 1).unwrap_err();
        assert_eq!(err.to_string(), "unknown agent `taco` (agents: drqv2, drm)");
    }
}
