//! Deterministic planar simulators of the DeepMind Control Suite domains.
//!
//! Each module ports one dm_control domain (Tassa et al. 2018, arXiv 1801.00690; dm_control
//! 1.0.50 on MuJoCo 3.17.0) from its *compiled* model: masses, inertias, damping, joint limits,
//! actuator gears, physics time step and integrator are the values MuJoCo derives from the
//! domain's XML, listed with their derivation in `shared/research/dmc_tasks.md`. The equations
//! of motion are written in closed form for the planar chains involved, and constraints (joint
//! limits, the ball-in-cup string, contacts) follow MuJoCo's soft-constraint model
//! ([`soft`]), so trajectories track MuJoCo's closely (see `docs/validation.md`).
//!
//! The crate knows nothing of pixels, rewards or episodes: a simulator holds generalised
//! positions and velocities plus the model parameters a task may change (targets, damping),
//! advances by one physics step with [`Physics::step`], and offers named read-outs.
//! Everything is `f64`, allocation-free on the step path, and `Clone`, so tests can snapshot it.
#![deny(missing_docs)]

pub mod acrobot;
pub mod ball_in_cup;
pub mod cartpole;
pub mod finger;
pub mod pendulum;
pub mod point_mass;
pub mod reacher;
pub mod soft;

mod contact;
mod integrate;
mod linalg;
mod solver;

pub use acrobot::Acrobot;
pub use ball_in_cup::BallInCup;
pub use cartpole::Cartpole;
pub use finger::Finger;
pub use pendulum::Pendulum;
pub use point_mass::PointMass;
pub use reacher::Reacher;

use std::fmt;

/// A state vector of the wrong length was given to [`Physics::set_state`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateLengthError {
    /// Which vector: `"qpos"` or `"qvel"`.
    pub which: &'static str,
    /// The length the simulator needs.
    pub expected: usize,
    /// The length that was given.
    pub got: usize,
}

impl fmt::Display for StateLengthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} has {} entries but this model needs {}",
            self.which, self.got, self.expected
        )
    }
}

impl std::error::Error for StateLengthError {}

/// A simulator of one domain.
pub trait Physics: Clone + Send + Sync + 'static {
    /// Physics time step in seconds (MuJoCo's `opt.timestep`).
    fn timestep(&self) -> f64;
    /// Number of actuators; `step` takes this many controls.
    fn num_actuators(&self) -> usize;
    /// Generalised positions, in MuJoCo's joint order.
    fn qpos(&self) -> &[f64];
    /// Generalised velocities, in MuJoCo's joint order.
    fn qvel(&self) -> &[f64];
    /// Overwrites positions and velocities (derived quantities are recomputed).
    fn set_state(&mut self, qpos: &[f64], qvel: &[f64]) -> Result<(), StateLengthError>;
    /// Simulated time in seconds since the last reset.
    fn time(&self) -> f64;
    /// Puts the state back to the model's rest pose (`qpos0`, zero velocity, time 0) and the
    /// task-changeable model parameters back to their compiled values.
    fn reset(&mut self);
    /// Advances one physics step under `ctrl`, which is clamped to each actuator's control
    /// range [-1, 1] as MuJoCo does. The caller guarantees `ctrl.len() == num_actuators()`
    /// and finite entries (the environment layer checks them).
    fn step(&mut self, ctrl: &[f64]);
}

/// The `qpos`, `qvel`, `set_state` and `time` methods of [`Physics`] for a simulator whose
/// state is the fields `qpos: [f64; N]`, `qvel: [f64; N]` and `time: f64`.
macro_rules! joint_state_accessors {
    () => {
        fn qpos(&self) -> &[f64] {
            &self.qpos
        }
        fn qvel(&self) -> &[f64] {
            &self.qvel
        }
        fn set_state(
            &mut self,
            qpos: &[f64],
            qvel: &[f64],
        ) -> Result<(), $crate::StateLengthError> {
            $crate::copy_checked(&mut self.qpos, qpos, "qpos")?;
            $crate::copy_checked(&mut self.qvel, qvel, "qvel")
        }
        fn time(&self) -> f64 {
            self.time
        }
    };
}
pub(crate) use joint_state_accessors;

/// Clamps a control to MuJoCo's `ctrlrange` of every actuator here, [-1, 1].
#[inline]
pub(crate) fn clamp_ctrl(u: f64) -> f64 {
    u.clamp(-1.0, 1.0)
}

/// Copies `src` into `dst` after checking the length.
pub(crate) fn copy_checked(
    dst: &mut [f64],
    src: &[f64],
    which: &'static str,
) -> Result<(), StateLengthError> {
    if dst.len() != src.len() {
        return Err(StateLengthError {
            which,
            expected: dst.len(),
            got: src.len(),
        });
    }
    dst.copy_from_slice(src);
    Ok(())
}
