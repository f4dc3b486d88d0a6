//! Point mass: a puck on a table driven by two motors (dm_control `suite/point_mass.py`).
//!
//! `qpos = [x, y]` (root_x, root_y slide joints, each limited to ±0.29 m with MuJoCo's default
//! limit softness). The 0.3 kg mass has damping 1 on each axis and motors of gear 0.1 on two
//! identity tendons (the "easy" variant), so `0.3 ẍ = 0.1 u₁ − ẋ + F_limit` and likewise for y
//! (`dmc_tasks.md` §4). Semi-implicit Euler at h = 0.02 with implicit damping. The axes are
//! decoupled, so each limit row is solved exactly on its own.

use crate::soft::{self, SolImp, SolRef, DEFAULT_SOLIMP, DEFAULT_SOLREF};
use crate::{clamp_ctrl, joint_state_accessors, Physics};

/// Compiled parameters of `point_mass.xml`.
#[derive(Clone, Debug, PartialEq)]
pub struct PointMassModel {
    /// Mass, kg.
    pub mass: f64,
    /// Damping of each slide joint, N s/m.
    pub damping: f64,
    /// Motor gear on each axis.
    pub gear: f64,
    /// Range of each slide joint, m.
    pub range: (f64, f64),
    /// Limit `solref`.
    pub limit_solref: SolRef,
    /// Limit `solimp`.
    pub limit_solimp: SolImp,
    /// Compiled `diagA` of each limit row (1 / mass).
    pub limit_diag_a: f64,
    /// Physics time step, s.
    pub timestep: f64,
}

impl Default for PointMassModel {
    fn default() -> Self {
        PointMassModel {
            mass: 0.3,
            damping: 1.0,
            gear: 0.1,
            range: (-0.29, 0.29),
            limit_solref: DEFAULT_SOLREF,
            limit_solimp: DEFAULT_SOLIMP,
            // MuJoCo 3.17 compiled `dof_invweight0` of `root_x` / `root_y` (= 1 / 0.3 in f64).
            limit_diag_a: 3.333_333_333_333_333_5,
            timestep: 0.02,
        }
    }
}

/// The point-mass simulator.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointMass {
    /// Model parameters.
    pub model: PointMassModel,
    qpos: [f64; 2],
    qvel: [f64; 2],
    time: f64,
}

impl PointMass {
    /// Radius of the target sphere at the origin, m.
    pub const TARGET_RADIUS: f64 = 0.015;
    /// Radius of the point mass, m.
    pub const RADIUS: f64 = 0.01;

    /// Position (x, y), m.
    pub fn position(&self) -> [f64; 2] {
        self.qpos
    }
    /// Velocity (ẋ, ẏ), m/s.
    pub fn velocity(&self) -> [f64; 2] {
        self.qvel
    }
}

impl Physics for PointMass {
    fn timestep(&self) -> f64 {
        self.model.timestep
    }
    fn num_actuators(&self) -> usize {
        2
    }
    joint_state_accessors!();
    fn reset(&mut self) {
        let model = self.model.clone();
        *self = PointMass {
            model,
            ..PointMass::default()
        };
    }
    fn step(&mut self, ctrl: &[f64]) {
        let m = &self.model;
        let h = m.timestep;
        for (axis, &u) in ctrl.iter().enumerate().take(2) {
            let (q, v) = (self.qpos[axis], self.qvel[axis]);
            let a0 = (m.gear * clamp_ctrl(u) - m.damping * v) / m.mass;
            let f = soft::joint_limit_force(
                q,
                v,
                a0,
                1.0 / m.mass,
                m.range,
                m.limit_diag_a,
                m.limit_solref,
                m.limit_solimp,
                h,
            );
            let qacc = a0 + f / m.mass;
            // Euler with implicit damping: (M + h D) a = M qacc.
            let acc = m.mass * qacc / (m.mass + h * m.damping);
            self.qvel[axis] += h * acc;
            self.qpos[axis] += h * self.qvel[axis];
        }
        self.time += h;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_velocity_is_gear_over_damping() {
        // Constant force 0.1 N against damping 1 N s/m: v -> 0.1 m/s.
        let mut p = PointMass::default();
        p.set_state(&[-0.28, 0.0], &[0.0, 0.0]).unwrap();
        for _ in 0..100 {
            p.step(&[1.0, 0.0]);
        }
        assert!((p.velocity()[0] - 0.1).abs() < 1e-3, "{:?}", p.velocity());
        assert_eq!(p.velocity()[1], 0.0);
    }

    #[test]
    fn the_walls_hold() {
        let mut p = PointMass::default();
        for _ in 0..1000 {
            p.step(&[1.0, -1.0]);
        }
        let [x, y] = p.position();
        assert!(x > 0.28 && x < 0.295, "x = {x}");
        assert!(y < -0.28 && y > -0.295, "y = {y}");
    }
}
