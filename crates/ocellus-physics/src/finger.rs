//! Finger: a two-link finger flicking a hinged spinner (dm_control `suite/finger.py`).
//!
//! STUB: geometry and read-outs only; the dynamics (limits, frictionloss, contacts, touch
//! sensors) are being written. See `dmc_tasks.md` §7.

use crate::{copy_checked, Physics, StateLengthError};

/// Compiled parameters of `finger.xml`, plus what the task changes.
#[derive(Clone, Debug, PartialEq)]
pub struct FingerModel {
    /// Physics time step, s.
    pub timestep: f64,
    /// Spinner hinge damping (0.5 compiled; the spin task sets 0.03).
    pub hinge_damping: f64,
    /// World (x, z) of the target sphere.
    pub target_position: [f64; 2],
    /// Radius of the target sphere, m.
    pub target_radius: f64,
    /// Whether the target and tip sites are drawn (the spin task hides them).
    pub show_target: bool,
}

impl Default for FingerModel {
    fn default() -> Self {
        FingerModel {
            timestep: 0.01,
            hinge_damping: 0.5,
            target_position: [0.0, 0.4],
            target_radius: 0.03,
            show_target: true,
        }
    }
}

/// The finger simulator. `qpos = [proximal, distal, hinge]`; angles about −y, so positive is
/// counter-clockwise in the camera view.
#[derive(Clone, Debug, PartialEq)]
pub struct Finger {
    /// Model parameters.
    pub model: FingerModel,
    qpos: [f64; 3],
    qvel: [f64; 3],
    time: f64,
}

impl Default for Finger {
    fn default() -> Self {
        Finger {
            model: FingerModel::default(),
            qpos: [-std::f64::consts::FRAC_PI_2, 0.0, 0.0],
            qvel: [0.0; 3],
            time: 0.0,
        }
    }
}

impl Finger {
    /// World (x, z) of the proximal joint.
    pub const PROXIMAL_JOINT: [f64; 2] = [-0.2, 0.4];
    /// World (x, z) of the spinner hinge.
    pub const HINGE: [f64; 2] = [0.2, 0.4];
    /// Proximal joint to distal joint, m.
    pub const PROXIMAL_LENGTH: f64 = 0.18;
    /// Proximal link capsule: radius and length along the link, m.
    pub const PROXIMAL_CAPSULE: (f64, f64) = (0.03, 0.17);
    /// Distal link capsule (drawn, not colliding): radius and length, m.
    pub const DISTAL_CAPSULE: (f64, f64) = (0.028, 0.16);
    /// Colliding fingertip capsule: radius, start and end along the distal link, m.
    pub const FINGERTIP_CAPSULE: (f64, f64, f64) = (0.03, 0.13, 0.161);
    /// Spinner capsules: radius, half-length, offset of each centre along local x, m.
    pub const SPINNER_CAPSULE: (f64, f64, f64) = (0.04, 0.09, 0.02);
    /// Distance from the hinge to the tip site, m.
    pub const TIP_DISTANCE: f64 = 0.13;

    /// World (x, z) of the distal joint.
    pub fn distal_joint(&self) -> [f64; 2] {
        let a = self.qpos[0];
        let [x, z] = Self::PROXIMAL_JOINT;
        [
            x + Self::PROXIMAL_LENGTH * a.cos(),
            z + Self::PROXIMAL_LENGTH * a.sin(),
        ]
    }
    /// Unit direction of the distal link in (x, z).
    pub fn distal_direction(&self) -> [f64; 2] {
        let a = self.qpos[0] + self.qpos[1];
        [a.cos(), a.sin()]
    }
    /// World (x, z) of the tip site on the spinner.
    pub fn tip_position(&self) -> [f64; 2] {
        let q3 = self.qpos[2];
        [
            Self::HINGE[0] - Self::TIP_DISTANCE * q3.sin(),
            Self::HINGE[1] + Self::TIP_DISTANCE * q3.cos(),
        ]
    }
    /// Touch sensor readings `[top, bottom]` (sums of contact normal forces), N.
    pub fn touch(&self) -> [f64; 2] {
        [0.0, 0.0]
    }
    /// True while any contact exists (used by the reset's rejection sampling).
    pub fn has_contact(&self) -> bool {
        false
    }
}

impl Physics for Finger {
    fn timestep(&self) -> f64 {
        self.model.timestep
    }
    fn num_actuators(&self) -> usize {
        2
    }
    fn qpos(&self) -> &[f64] {
        &self.qpos
    }
    fn qvel(&self) -> &[f64] {
        &self.qvel
    }
    fn set_state(&mut self, qpos: &[f64], qvel: &[f64]) -> Result<(), StateLengthError> {
        copy_checked(&mut self.qpos, qpos, "qpos")?;
        copy_checked(&mut self.qvel, qvel, "qvel")
    }
    fn time(&self) -> f64 {
        self.time
    }
    fn reset(&mut self) {
        *self = Finger::default();
    }
    fn step(&mut self, _ctrl: &[f64]) {
        self.time += self.model.timestep;
    }
}
