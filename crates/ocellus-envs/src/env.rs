//! The environment contract every task, wrapper and pool speaks.

use ocellus_core::{ArraySpec, StepKind};
use ocellus_render::{CameraOffset, Overlay, Palette};

use crate::EnvError;

/// The [`Environment`] methods a wrapper passes straight to its `inner` environment:
/// `physics_state`, `set_physics_state` and `set_target` (wrappers change how an environment
/// is stepped or seen, never its simulator).
macro_rules! forward_physics_access {
    () => {
        fn physics_state(&self) -> (Vec<f64>, Vec<f64>) {
            self.inner.physics_state()
        }
        fn set_physics_state(&mut self, qpos: &[f64], qvel: &[f64]) -> Result<(), EnvError> {
            self.inner.set_physics_state(qpos, qvel)
        }
        fn set_target(&mut self, target: [f64; 2]) -> Result<(), EnvError> {
            self.inner.set_target(target)
        }
    };
}
pub(crate) use forward_physics_access;

/// What an environment produces and accepts, known before the first step.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvSpec {
    /// Registered task name, e.g. `cartpole-swingup`.
    pub task: String,
    /// Actions: `f32`, bounded to [-1, 1].
    pub action: ArraySpec,
    /// Low-dimensional state observation: `f64`, dm_control's observation dict flattened in
    /// its key order.
    pub state: ArraySpec,
    /// Pixels: `u8`, channel-first `[C, H, W]`; `None` when rendering is off.
    pub pixels: Option<ArraySpec>,
    /// Simulator control steps (frames) each `step` advances: the action repeat.
    pub frames_per_step: u32,
    /// Steps in a full episode, after which the episode is truncated.
    pub steps_per_episode: u32,
    /// Simulated seconds per `step`.
    pub step_seconds: f64,
}

/// One step's result, borrowing the environment's buffers (valid until the next call).
#[derive(Clone, Copy, Debug)]
pub struct TimeStep<'a> {
    /// Where the step stands in the episode.
    pub kind: StepKind,
    /// Reward earned by the step (0 on `First`); with action repeat, the sum over the frames.
    pub reward: f64,
    /// The task's discount for bootstrapping from this step's observation: 1 except after a
    /// real termination. Time-limit truncation keeps 1, as in dm_control.
    pub discount: f64,
    /// The state observation.
    pub state: &'a [f64],
    /// The rendered frame(s), channel-first; empty when rendering is off.
    pub pixels: &'a [u8],
}

/// A saved environment state, for checkpoints: opaque bytes tagged with the task.
///
/// Restoring it with [`Environment::load_state`] gives an environment whose next steps are
/// bit-identical to those of the one that was saved, mid-episode included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvState {
    /// The task the state belongs to.
    pub task: String,
    /// The encoded state (format private to the environment and its wrappers).
    pub bytes: Vec<u8>,
}

/// How the scene looks: what distraction wrappers change between episodes or frames.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Visuals {
    /// Colours of floor, sky and bodies.
    pub palette: Palette,
    /// Offset of the camera from the domain's camera 0.
    pub camera_offset: CameraOffset,
    /// Shapes drawn over the background, behind the bodies.
    pub overlays: Vec<Overlay>,
}

/// A reinforcement-learning environment with pixel and state observations.
///
/// `reset` starts an episode; `step` applies an action for
/// [`EnvSpec::frames_per_step`] simulator frames. A wrong-length or non-finite action is an
/// [`EnvError`], never a panic or a silent clamp of NaN.
pub trait Environment: Send {
    /// The specification.
    fn spec(&self) -> &EnvSpec;

    /// Starts a new episode. With `Some(seed)` the reset stream is re-seeded, so equal seeds
    /// give equal episodes; with `None` it continues, as successive dm_control resets do.
    fn reset(&mut self, seed: Option<u32>) -> TimeStep<'_>;

    /// Applies `action` and renders the resulting observation.
    fn step(&mut self, action: &[f32]) -> Result<TimeStep<'_>, EnvError>;

    /// Applies `action` without rendering (used by action repeat for all but the last frame).
    /// Returns `(kind, reward, discount)`.
    fn step_unrendered(&mut self, action: &[f32]) -> Result<(StepKind, f64, f64), EnvError>;

    /// The current observation, re-rendered (e.g. after `step_unrendered`).
    fn observe(&mut self) -> TimeStep<'_>;

    /// `reset`, rendering straight into `pixels_out` (the spec's pixel count) instead of the
    /// environment's own buffer, so batched callers avoid a copy; the returned `pixels` is
    /// empty. The default copies.
    fn reset_into(&mut self, seed: Option<u32>, pixels_out: &mut [u8]) -> TimeStep<'_> {
        let ts = self.reset(seed);
        pixels_out.copy_from_slice(ts.pixels);
        TimeStep { pixels: &[], ..ts }
    }

    /// `step`, rendering straight into `pixels_out` (see [`Environment::reset_into`]).
    fn step_into(
        &mut self,
        action: &[f32],
        pixels_out: &mut [u8],
    ) -> Result<TimeStep<'_>, EnvError> {
        let ts = self.step(action)?;
        pixels_out.copy_from_slice(ts.pixels);
        Ok(TimeStep { pixels: &[], ..ts })
    }

    /// Changes how the scene looks from the next rendered frame on.
    fn set_visuals(&mut self, visuals: &Visuals);

    /// Simulator positions and velocities (for tests, tracing and validation).
    fn physics_state(&self) -> (Vec<f64>, Vec<f64>);

    /// Overwrites the simulator state (for tracing and validation against dm_control).
    fn set_physics_state(&mut self, qpos: &[f64], qvel: &[f64]) -> Result<(), EnvError>;

    /// Moves the task's target (reacher: (x, y); finger turn: (x, z)); an error for tasks
    /// without one.
    fn set_target(&mut self, target: [f64; 2]) -> Result<(), EnvError>;

    /// Everything needed to continue this environment exactly where it is, including any
    /// [`Environment::set_physics_state`] and [`Environment::set_target`] written during the
    /// episode.
    fn save_state(&self) -> EnvState;

    /// Restores a state from [`Environment::save_state`] of an environment built the same way;
    /// a state of another task or wrapper stack is an error and changes nothing.
    fn load_state(&mut self, state: &EnvState) -> Result<(), EnvError>;
}

impl<E: Environment + ?Sized> Environment for Box<E> {
    fn spec(&self) -> &EnvSpec {
        (**self).spec()
    }
    fn reset(&mut self, seed: Option<u32>) -> TimeStep<'_> {
        (**self).reset(seed)
    }
    fn step(&mut self, action: &[f32]) -> Result<TimeStep<'_>, EnvError> {
        (**self).step(action)
    }
    fn step_unrendered(&mut self, action: &[f32]) -> Result<(StepKind, f64, f64), EnvError> {
        (**self).step_unrendered(action)
    }
    fn observe(&mut self) -> TimeStep<'_> {
        (**self).observe()
    }
    fn reset_into(&mut self, seed: Option<u32>, pixels_out: &mut [u8]) -> TimeStep<'_> {
        (**self).reset_into(seed, pixels_out)
    }
    fn step_into(
        &mut self,
        action: &[f32],
        pixels_out: &mut [u8],
    ) -> Result<TimeStep<'_>, EnvError> {
        (**self).step_into(action, pixels_out)
    }
    fn set_visuals(&mut self, visuals: &Visuals) {
        (**self).set_visuals(visuals)
    }
    fn physics_state(&self) -> (Vec<f64>, Vec<f64>) {
        (**self).physics_state()
    }
    fn set_physics_state(&mut self, qpos: &[f64], qvel: &[f64]) -> Result<(), EnvError> {
        (**self).set_physics_state(qpos, qvel)
    }
    fn set_target(&mut self, target: [f64; 2]) -> Result<(), EnvError> {
        (**self).set_target(target)
    }
    fn save_state(&self) -> EnvState {
        (**self).save_state()
    }
    fn load_state(&mut self, state: &EnvState) -> Result<(), EnvError> {
        (**self).load_state(state)
    }
}
