//! Pendulum swing-up (dm_control `suite/pendulum.py`, `SwingUp`).

use std::f64::consts::PI;

use ocellus_core::RandomState;
use ocellus_physics::{Pendulum, Physics};

use crate::{EnvError, Task};

/// Swing the pole up and hold it within 8° of upright (sparse reward).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PendulumSwingUp;

/// cos(8°): the reward's upright threshold (`_COSINE_BOUND`).
const COSINE_BOUND: f64 = 0.990_268_068_741_570_3;

impl Task for PendulumSwingUp {
    type Physics = Pendulum;

    fn new_physics(&self) -> Result<Pendulum, EnvError> {
        Ok(Pendulum::default())
    }

    fn name(&self) -> &'static str {
        "pendulum-swingup"
    }
    fn state_len(&self) -> usize {
        3
    }
    fn initialize_episode(&self, physics: &mut Pendulum, rng: &mut RandomState) {
        let theta = rng.uniform(-PI, PI);
        physics
            .set_state(&[theta], &[0.0])
            .expect("pendulum has one joint");
    }
    fn observe(&self, physics: &Pendulum, out: &mut [f64]) {
        // orientation = [cos θ, sin θ], velocity = [θ̇]
        let theta = physics.angle();
        out.copy_from_slice(&[theta.cos(), theta.sin(), physics.angular_velocity()]);
    }
    fn reward(&self, physics: &Pendulum, _action: &[f64]) -> f64 {
        if physics.angle().cos() >= COSINE_BOUND {
            1.0
        } else {
            0.0
        }
    }
}
