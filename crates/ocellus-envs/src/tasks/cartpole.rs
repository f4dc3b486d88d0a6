//! Cart-pole tasks (dm_control `suite/cartpole.py`: `Balance` with `swing_up` and `sparse`).

use std::f64::consts::PI;

use ocellus_core::RandomState;
use ocellus_physics::{Cartpole, Physics};

use crate::tolerance::{tolerance, Sigmoid};
use crate::{EnvError, Task};

/// Balance the pole (start near upright) or swing it up (start hanging), with the smooth
/// or the sparse reward.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CartpoleTask {
    /// Start hanging down (`swingup`) instead of near upright (`balance`).
    pub swing_up: bool,
    /// Reward 1 only when centred and upright, else 0.
    pub sparse: bool,
}

impl Task for CartpoleTask {
    type Physics = Cartpole;

    fn new_physics(&self) -> Result<Cartpole, EnvError> {
        Ok(Cartpole::default())
    }

    fn name(&self) -> &'static str {
        match (self.swing_up, self.sparse) {
            (false, false) => "cartpole-balance",
            (false, true) => "cartpole-balance_sparse",
            (true, false) => "cartpole-swingup",
            (true, true) => "cartpole-swingup_sparse",
        }
    }

    fn state_len(&self) -> usize {
        5
    }

    fn initialize_episode(&self, physics: &mut Cartpole, rng: &mut RandomState) {
        let (x, theta) = if self.swing_up {
            let x = 0.01 * rng.standard_normal();
            (x, PI + 0.01 * rng.standard_normal())
        } else {
            let x = rng.uniform(-0.1, 0.1);
            (x, rng.uniform(-0.034, 0.034))
        };
        let v = [0.01 * rng.standard_normal(), 0.01 * rng.standard_normal()];
        physics
            .set_state(&[x, theta], &v)
            .expect("cartpole has two joints");
    }

    fn observe(&self, physics: &Cartpole, out: &mut [f64]) {
        // position = [x, cos θ, sin θ] (bounded_position), velocity = [ẋ, θ̇]
        let theta = physics.pole_angle();
        let [xd, td] = physics.velocity();
        out.copy_from_slice(&[physics.cart_position(), theta.cos(), theta.sin(), xd, td]);
    }

    fn reward(&self, physics: &Cartpole, action: &[f64]) -> f64 {
        let x = physics.cart_position();
        let cos = physics.pole_angle().cos();
        if self.sparse {
            // centered = tol(x, (-0.25, 0.25)) and upright = tol(cos, (0.995, 1)), margin 0.
            let centered = tolerance(x, (-0.25, 0.25), 0.0, Sigmoid::Gaussian, 0.1);
            let upright = tolerance(cos, (0.995, 1.0), 0.0, Sigmoid::Gaussian, 0.1);
            return centered * upright;
        }
        let upright = (cos + 1.0) / 2.0;
        let centered = (1.0 + tolerance(x, (0.0, 0.0), 2.0, Sigmoid::Gaussian, 0.1)) / 2.0;
        let small_control =
            (4.0 + tolerance(action[0], (0.0, 0.0), 1.0, Sigmoid::Quadratic, 0.0)) / 5.0;
        let angular_velocity = physics.velocity()[1];
        let small_velocity =
            (1.0 + tolerance(angular_velocity, (0.0, 0.0), 5.0, Sigmoid::Gaussian, 0.1)) / 2.0;
        upright * centered * small_control * small_velocity
    }
}
