//! Finger tasks (dm_control `suite/finger.py`: `Spin` and `Turn` with easy/hard targets).

use std::f64::consts::PI;

use ocellus_core::RandomState;
use ocellus_physics::{Finger, Physics};

use crate::{EnvError, Task};

/// Joint range of the proximal and distal joints, ±110° in radians.
const ARM_RANGE: f64 = 1.919_862_177_193_762_6;
/// Angular speed the spinner must exceed, clockwise, for the spin reward (`_SPIN_VELOCITY`).
const SPIN_VELOCITY: f64 = 15.0;
/// Spinner hinge damping during `spin`, N m s/rad.
const SPIN_HINGE_DAMPING: f64 = 0.03;
/// Tries of the collision-free joint-angle draw before giving up (dm_control raises then).
const MAX_RESET_ATTEMPTS: usize = 1000;

/// Which finger task.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FingerTask {
    /// Spin the spinner clockwise faster than 15 rad/s.
    Spin,
    /// Turn the spinner's tip into a target of the given radius (0.07 easy, 0.03 hard).
    Turn {
        /// Target radius, m.
        target_radius: f64,
    },
}

impl FingerTask {
    /// `finger-turn_easy`.
    pub const TURN_EASY: FingerTask = FingerTask::Turn {
        target_radius: 0.07,
    };
    /// `finger-turn_hard`.
    pub const TURN_HARD: FingerTask = FingerTask::Turn {
        target_radius: 0.03,
    };
}

/// dm_control's `_set_random_joint_angles`: redraw all three angles while anything touches.
fn set_random_joint_angles(physics: &mut Finger, rng: &mut RandomState) {
    for _ in 0..MAX_RESET_ATTEMPTS {
        let q1 = rng.uniform(-ARM_RANGE, ARM_RANGE);
        let q2 = rng.uniform(-ARM_RANGE, ARM_RANGE);
        let q3 = rng.uniform(-PI, PI);
        physics
            .set_state(&[q1, q2, q3], &[0.0; 3])
            .expect("finger has three joints");
        if !physics.has_contact() {
            return;
        }
    }
}

impl Task for FingerTask {
    type Physics = Finger;

    fn new_physics(&self) -> Result<Finger, EnvError> {
        Ok(Finger::default())
    }

    fn name(&self) -> &'static str {
        match *self {
            FingerTask::Spin => "finger-spin",
            FingerTask::Turn { target_radius } if target_radius >= 0.07 => "finger-turn_easy",
            FingerTask::Turn { .. } => "finger-turn_hard",
        }
    }
    fn sub_steps(&self) -> u32 {
        2
    }
    fn state_len(&self) -> usize {
        match self {
            FingerTask::Spin => 9,
            FingerTask::Turn { .. } => 12,
        }
    }
    fn initialize_episode(&self, physics: &mut Finger, rng: &mut RandomState) {
        match *self {
            FingerTask::Spin => {
                physics.model.show_target = false;
                physics.model.hinge_damping = SPIN_HINGE_DAMPING;
            }
            FingerTask::Turn { target_radius } => {
                let angle = rng.uniform(-PI, PI);
                let [hx, hz] = Finger::HINGE;
                let radius = Finger::TIP_DISTANCE;
                physics.model.target_position =
                    [hx + radius * angle.sin(), hz + radius * angle.cos()];
                physics.model.target_radius = target_radius;
            }
        }
        set_random_joint_angles(physics, rng);
    }
    fn observe(&self, physics: &Finger, out: &mut [f64]) {
        // position = [proximal, distal, tip - hinge], velocity = [q̇1, q̇2, q̇3],
        // touch = log1p([top, bottom]); turn adds target - hinge and dist_to_target.
        let q = physics.qpos();
        let v = physics.qvel();
        let [hx, hz] = Finger::HINGE;
        let [tx, tz] = physics.tip_position();
        let [top, bottom] = physics.touch();
        out[..9].copy_from_slice(&[
            q[0],
            q[1],
            tx - hx,
            tz - hz,
            v[0],
            v[1],
            v[2],
            top.ln_1p(),
            bottom.ln_1p(),
        ]);
        if let FingerTask::Turn { .. } = self {
            let [gx, gz] = physics.target_from_hinge();
            out[9..].copy_from_slice(&[gx, gz, physics.dist_to_target()]);
        }
    }
    fn reward(&self, physics: &Finger, _action: &[f64]) -> f64 {
        let hit = match self {
            FingerTask::Spin => physics.hinge_velocity() <= -SPIN_VELOCITY,
            FingerTask::Turn { .. } => physics.dist_to_target() <= 0.0,
        };
        if hit {
            1.0
        } else {
            0.0
        }
    }
    fn set_target(&self, physics: &mut Finger, target: [f64; 2]) -> Result<(), EnvError> {
        physics.model.target_position = target;
        Ok(())
    }
}
