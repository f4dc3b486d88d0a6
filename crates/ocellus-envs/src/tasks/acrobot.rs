//! Acrobot swing-up (dm_control `suite/acrobot.py`, `Balance(sparse=False)`).

use std::f64::consts::PI;

use ocellus_core::RandomState;
use ocellus_physics::{Acrobot, Physics};

use crate::tolerance::{tolerance, Sigmoid};
use crate::{EnvError, Task};

/// Swing the tip of the two-link arm into a target 4 m above the floor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AcrobotSwingUp;

/// Radius of the target site, m.
const TARGET_RADIUS: f64 = 0.2;

impl Task for AcrobotSwingUp {
    type Physics = Acrobot;

    fn new_physics(&self) -> Result<Acrobot, EnvError> {
        Ok(Acrobot::default())
    }

    fn name(&self) -> &'static str {
        "acrobot-swingup"
    }
    fn state_len(&self) -> usize {
        6
    }
    fn initialize_episode(&self, physics: &mut Acrobot, rng: &mut RandomState) {
        // Both hinges are unlimited: randomize_limited_and_rotational_joints draws U(-π, π).
        let shoulder = rng.uniform(-PI, PI);
        let elbow = rng.uniform(-PI, PI);
        physics
            .set_state(&[shoulder, elbow], &[0.0, 0.0])
            .expect("acrobot has two joints");
    }
    fn observe(&self, physics: &Acrobot, out: &mut [f64]) {
        // orientations = xmat[[upper, lower], 'xz'] ++ xmat[[upper, lower], 'xx']
        let q = physics.qpos();
        let (a1, a2) = (q[0], q[0] + q[1]);
        let v = physics.qvel();
        out.copy_from_slice(&[a1.sin(), a2.sin(), a1.cos(), a2.cos(), v[0], v[1]]);
    }
    fn reward(&self, physics: &Acrobot, _action: &[f64]) -> f64 {
        let [tx, tz] = physics.tip_position();
        let distance = (tx - Acrobot::TARGET[0]).hypot(tz - Acrobot::TARGET[1]);
        tolerance(distance, (0.0, TARGET_RADIUS), 1.0, Sigmoid::Gaussian, 0.1)
    }
}
