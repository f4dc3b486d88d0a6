//! The task contract: what turns a simulator into an RL problem (dm_control's `base.Task`).

use ocellus_core::RandomState;
use ocellus_physics::Physics;
use ocellus_render::Scene;

use crate::EnvError;

/// A control task over one simulator: episode initialisation, observation and reward.
///
/// Mirrors dm_control's `Task` (`initialize_episode`, `get_observation`, `get_reward`); the
/// loop around it ([`crate::ControlEnv`]) owns sub-steps, the time limit and rendering. Tasks
/// are immutable after construction: per-episode choices (targets, damping) are written into
/// the simulator's model, as dm_control writes them into `physics.model`.
pub trait Task: Clone + Send + Sync + 'static {
    /// The simulator this task runs on.
    type Physics: Physics + Scene;

    /// A fresh simulator at its rest pose. Built-in domains cannot fail; simulators that load
    /// a model at run time (MuJoCo) report a missing or broken model here.
    fn new_physics(&self) -> Result<Self::Physics, EnvError>;

    /// Registered name, `domain-task`.
    fn name(&self) -> &'static str;

    /// Physics steps per control step (dm_control's `n_sub_steps`).
    fn sub_steps(&self) -> u32 {
        1
    }

    /// Control steps per episode (dm_control's `time_limit / control_timestep`).
    fn steps_per_episode(&self) -> u32 {
        1000
    }

    /// Length of the flat state observation.
    fn state_len(&self) -> usize;

    /// Randomises the initial state of a freshly reset simulator, drawing from `rng` in
    /// dm_control's order so that equal seeds give dm_control's initial state.
    fn initialize_episode(&self, physics: &mut Self::Physics, rng: &mut RandomState);

    /// Writes the observation (dm_control's dict, flattened in key order) into `out`.
    fn observe(&self, physics: &Self::Physics, out: &mut [f64]);

    /// The reward of the state just reached under the raw, unclipped `action` (the control
    /// costs of cartpole and point mass read it unclipped, as in dm_control).
    fn reward(&self, physics: &Self::Physics, action: &[f64]) -> f64;

    /// Moves the target; tasks without one refuse.
    fn set_target(&self, _physics: &mut Self::Physics, _target: [f64; 2]) -> Result<(), EnvError> {
        Err(EnvError::InvalidState(format!(
            "task `{}` has no movable target",
            self.name()
        )))
    }
}
