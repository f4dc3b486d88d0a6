//! Point mass, easy variant (dm_control `suite/point_mass.py`, `PointMass(randomize_gains=False)`).

use ocellus_core::RandomState;
use ocellus_physics::{Physics, PointMass};

use crate::tolerance::{tolerance, Sigmoid};
use crate::{EnvError, Task};

/// Bring the mass to the target at the centre of the table with little control effort.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PointMassEasy;

impl Task for PointMassEasy {
    type Physics = PointMass;

    fn new_physics(&self) -> Result<PointMass, EnvError> {
        Ok(PointMass::default())
    }

    fn name(&self) -> &'static str {
        "point_mass-easy"
    }
    fn state_len(&self) -> usize {
        4
    }
    fn initialize_episode(&self, physics: &mut PointMass, rng: &mut RandomState) {
        let (lo, hi) = physics.model.range;
        let x = rng.uniform(lo, hi);
        let y = rng.uniform(lo, hi);
        physics
            .set_state(&[x, y], &[0.0, 0.0])
            .expect("point mass has two joints");
    }
    fn observe(&self, physics: &PointMass, out: &mut [f64]) {
        let [x, y] = physics.position();
        let [vx, vy] = physics.velocity();
        out.copy_from_slice(&[x, y, vx, vy]);
    }
    fn reward(&self, physics: &PointMass, action: &[f64]) -> f64 {
        let [x, y] = physics.position();
        let target = PointMass::TARGET_RADIUS;
        let near = tolerance(x.hypot(y), (0.0, target), target, Sigmoid::Gaussian, 0.1);
        let control: f64 = action
            .iter()
            .map(|&u| tolerance(u, (0.0, 0.0), 1.0, Sigmoid::Quadratic, 0.0))
            .sum::<f64>()
            / action.len() as f64;
        near * (4.0 + control) / 5.0
    }
}
