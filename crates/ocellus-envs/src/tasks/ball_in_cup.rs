//! Ball in cup, catch (dm_control `suite/ball_in_cup.py`, `BallInCup`).

use ocellus_core::RandomState;
use ocellus_physics::{BallInCup, Physics};

use crate::{EnvError, Task};

/// Swing the ball on its string up into the cup (sparse reward).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BallInCupCatch;

impl Task for BallInCupCatch {
    type Physics = BallInCup;

    fn new_physics(&self) -> Result<BallInCup, EnvError> {
        Ok(BallInCup::default())
    }

    fn name(&self) -> &'static str {
        "ball_in_cup-catch"
    }
    fn sub_steps(&self) -> u32 {
        10
    }
    fn state_len(&self) -> usize {
        8
    }
    fn initialize_episode(&self, physics: &mut BallInCup, rng: &mut RandomState) {
        // Rejection-sample a ball position that touches nothing (about 17% of draws fail).
        loop {
            let x = rng.uniform(-0.2, 0.2);
            let z = rng.uniform(0.2, 0.5);
            physics
                .set_state(&[0.0, 0.0, x, z], &[0.0; 4])
                .expect("ball in cup has four joints");
            if !physics.has_contact() {
                break;
            }
        }
    }
    fn observe(&self, physics: &BallInCup, out: &mut [f64]) {
        // position = qpos, velocity = qvel
        out[..4].copy_from_slice(physics.qpos());
        out[4..].copy_from_slice(physics.qvel());
    }
    fn reward(&self, physics: &BallInCup, _action: &[f64]) -> f64 {
        // The ball centre strictly inside the cup's target box shrunk by the ball radius.
        if physics.in_target() {
            1.0
        } else {
            0.0
        }
    }
}
