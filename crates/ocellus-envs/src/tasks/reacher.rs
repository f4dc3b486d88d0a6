//! Reacher tasks (dm_control `suite/reacher.py`: easy and hard differ in the target size).

use std::f64::consts::PI;

use ocellus_core::RandomState;
use ocellus_physics::{Physics, Reacher};

use crate::tolerance::{tolerance, Sigmoid};
use crate::{EnvError, Task};

/// Touch a randomly placed target with the fingertip (sparse reward).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReacherTask {
    /// Target radius: 0.05 (easy) or 0.015 (hard).
    pub target_size: f64,
}

impl ReacherTask {
    /// `reacher-easy`.
    pub const EASY: ReacherTask = ReacherTask { target_size: 0.05 };
    /// `reacher-hard`.
    pub const HARD: ReacherTask = ReacherTask { target_size: 0.015 };
}

impl Task for ReacherTask {
    type Physics = Reacher;

    fn new_physics(&self) -> Result<Reacher, EnvError> {
        Ok(Reacher::default())
    }

    fn name(&self) -> &'static str {
        if self.target_size >= 0.05 {
            "reacher-easy"
        } else {
            "reacher-hard"
        }
    }
    fn state_len(&self) -> usize {
        6
    }
    fn initialize_episode(&self, physics: &mut Reacher, rng: &mut RandomState) {
        physics.model.target_size = self.target_size;
        let shoulder = rng.uniform(-PI, PI);
        let (lo, hi) = physics.model.wrist_range;
        let wrist = rng.uniform(lo, hi);
        physics
            .set_state(&[shoulder, wrist], &[0.0, 0.0])
            .expect("reacher has two joints");
        let angle = rng.uniform(0.0, 2.0 * PI);
        let radius = rng.uniform(0.05, 0.20);
        physics.model.target_position = [radius * angle.sin(), radius * angle.cos()];
    }
    fn observe(&self, physics: &Reacher, out: &mut [f64]) {
        // position = qpos, to_target = target - finger, velocity = qvel
        let q = physics.qpos();
        let v = physics.qvel();
        let [dx, dy] = physics.finger_to_target();
        out.copy_from_slice(&[q[0], q[1], dx, dy, v[0], v[1]]);
    }
    fn reward(&self, physics: &Reacher, _action: &[f64]) -> f64 {
        let [dx, dy] = physics.finger_to_target();
        let radii = physics.model.target_size + Reacher::LINK_RADIUS;
        tolerance(dx.hypot(dy), (0.0, radii), 0.0, Sigmoid::Gaussian, 0.1)
    }
    fn set_target(&self, physics: &mut Reacher, target: [f64; 2]) -> Result<(), EnvError> {
        physics.model.target_position = target;
        Ok(())
    }
}
