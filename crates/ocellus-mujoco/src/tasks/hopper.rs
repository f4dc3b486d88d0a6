//! dm_control's `hopper` domain (`suite/hopper.py`): a planar one-legged hopper.

use ocellus_core::RandomState;
use ocellus_envs::tolerance::{tolerance, Sigmoid};
use ocellus_envs::{EnvError, Task};

use crate::physics::{MjPhysics, ModelSource, Named};
use crate::tasks::{load, small_control};

/// Minimal torso-over-foot height for the stand term (`_STAND_HEIGHT`, m).
const STAND_HEIGHT: f64 = 0.6;
/// Forward speed above which the hop term is 1 (`_HOP_SPEED`, m/s).
const HOP_SPEED: f64 = 2.0;
const NAMED: &[Named] = &[
    Named::Body("torso"),
    Named::Body("foot"),
    Named::Sensor("torso_subtreelinvel"),
    Named::Sensor("touch_toe"),
    Named::Sensor("touch_heel"),
];
const TORSO: usize = 0;
const FOOT: usize = 1;
const SUBTREE_LINVEL: usize = 2;
const TOUCH_TOE: usize = 3;
const TOUCH_HEEL: usize = 4;

/// `hopper-stand` (stand still with little control) and `hopper-hop` (hop forward at 2 m/s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HopperTask {
    /// Balance upright: standing × (4 + small-control) / 5.
    Stand,
    /// Hop forward: standing × speed term.
    Hop,
}

impl Task for HopperTask {
    type Physics = MjPhysics;

    fn new_physics(&self) -> Result<MjPhysics, EnvError> {
        load(self.name(), ModelSource::file("hopper"), 0, NAMED)
    }
    fn name(&self) -> &'static str {
        match self {
            HopperTask::Stand => "hopper-stand",
            HopperTask::Hop => "hopper-hop",
        }
    }
    /// `_CONTROL_TIMESTEP = .02` over the model's 0.005 s step.
    fn sub_steps(&self) -> u32 {
        4
    }
    /// `_DEFAULT_TIME_LIMIT = 20` s.
    fn steps_per_episode(&self) -> u32 {
        1000
    }
    /// position (qpos without rootx: 6), velocity (7), touch (toe, heel).
    fn state_len(&self) -> usize {
        15
    }
    fn initialize_episode(&self, physics: &mut MjPhysics, rng: &mut RandomState) {
        physics.randomize_limited_and_rotational_joints(rng);
        physics.forward();
    }
    fn observe(&self, physics: &MjPhysics, out: &mut [f64]) {
        let (qpos, qvel) = (physics.data().qpos(), physics.data().qvel());
        let n = qpos.len() - 1;
        out[..n].copy_from_slice(&qpos[1..]);
        out[n..n + qvel.len()].copy_from_slice(qvel);
        let s = physics.sensordata();
        out[n + qvel.len()] = s[physics.named(TOUCH_TOE)].ln_1p();
        out[n + qvel.len() + 1] = s[physics.named(TOUCH_HEEL)].ln_1p();
    }
    fn reward(&self, physics: &MjPhysics, action: &[f64]) -> f64 {
        let height = physics.xipos(physics.named(TORSO))[2] - physics.xipos(physics.named(FOOT))[2];
        let standing = tolerance(height, (STAND_HEIGHT, 2.0), 0.0, Sigmoid::Gaussian, 0.1);
        match self {
            HopperTask::Hop => {
                let speed = physics.sensordata()[physics.named(SUBTREE_LINVEL)];
                let hopping = tolerance(
                    speed,
                    (HOP_SPEED, f64::INFINITY),
                    HOP_SPEED / 2.0,
                    Sigmoid::Linear,
                    0.5,
                );
                standing * hopping
            }
            HopperTask::Stand => {
                let small_control = small_control(action);
                standing * (small_control + 4.0) / 5.0
            }
        }
    }
}
