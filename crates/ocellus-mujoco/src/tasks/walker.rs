//! dm_control's `walker` domain (`suite/walker.py`): a planar biped that stands, walks or runs.

use ocellus_core::RandomState;
use ocellus_envs::tolerance::{tolerance, Sigmoid};
use ocellus_envs::{EnvError, Task};

use crate::physics::{MjPhysics, ModelSource, Named};
use crate::tasks::load;

/// Minimal torso height above which the stand reward is 1 (`_STAND_HEIGHT`).
const STAND_HEIGHT: f64 = 1.2;
/// Named elements: the torso body and its subtree linear-velocity sensor.
const NAMED: &[Named] = &[Named::Body("torso"), Named::Sensor("torso_subtreelinvel")];
const TORSO: usize = 0;
const SUBTREE_LINVEL: usize = 1;

/// `walker-stand` (speed 0), `walker-walk` (1 m/s) and `walker-run` (8 m/s).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WalkerTask {
    name: &'static str,
    move_speed: f64,
}

impl WalkerTask {
    /// Stand up (`move_speed = 0`).
    pub const STAND: WalkerTask = WalkerTask {
        name: "walker-stand",
        move_speed: 0.0,
    };
    /// Walk forward at 1 m/s or faster (`_WALK_SPEED`).
    pub const WALK: WalkerTask = WalkerTask {
        name: "walker-walk",
        move_speed: 1.0,
    };
    /// Run forward at 8 m/s or faster (`_RUN_SPEED`).
    pub const RUN: WalkerTask = WalkerTask {
        name: "walker-run",
        move_speed: 8.0,
    };
}

impl Task for WalkerTask {
    type Physics = MjPhysics;

    fn new_physics(&self) -> Result<MjPhysics, EnvError> {
        load(self.name, ModelSource::file("walker"), 0, NAMED)
    }
    fn name(&self) -> &'static str {
        self.name
    }
    /// `_CONTROL_TIMESTEP = .025` over the model's 0.0025 s step.
    fn sub_steps(&self) -> u32 {
        10
    }
    /// `_DEFAULT_TIME_LIMIT = 25` s.
    fn steps_per_episode(&self) -> u32 {
        1000
    }
    /// orientations (7 bodies × xx, xz), height, velocity (9).
    fn state_len(&self) -> usize {
        24
    }
    fn initialize_episode(&self, physics: &mut MjPhysics, rng: &mut RandomState) {
        physics.randomize_limited_and_rotational_joints(rng);
        physics.forward();
    }
    fn observe(&self, physics: &MjPhysics, out: &mut [f64]) {
        let xmat = physics.data().xmat();
        for (b, m) in xmat.iter().skip(1).enumerate() {
            out[2 * b] = m[0];
            out[2 * b + 1] = m[2];
        }
        let n = 2 * (xmat.len() - 1);
        out[n] = physics.xpos(physics.named(TORSO))[2];
        out[n + 1..].copy_from_slice(physics.data().qvel());
    }
    fn reward(&self, physics: &MjPhysics, _action: &[f64]) -> f64 {
        let torso = physics.named(TORSO);
        let standing = tolerance(
            physics.xpos(torso)[2],
            (STAND_HEIGHT, f64::INFINITY),
            STAND_HEIGHT / 2.0,
            Sigmoid::Gaussian,
            0.1,
        );
        let upright = (1.0 + physics.xmat(torso)[8]) / 2.0;
        let stand_reward = (3.0 * standing + upright) / 4.0;
        if self.move_speed == 0.0 {
            return stand_reward;
        }
        let speed = physics.sensordata()[physics.named(SUBTREE_LINVEL)];
        let move_reward = tolerance(
            speed,
            (self.move_speed, f64::INFINITY),
            self.move_speed / 2.0,
            Sigmoid::Linear,
            0.5,
        );
        stand_reward * (5.0 * move_reward + 1.0) / 6.0
    }
}
