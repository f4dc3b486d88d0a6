//! Pendulum: a torque-limited swinging pole (dm_control `suite/pendulum.py`, `pendulum.xml`).
//!
//! `qpos = [θ]` with θ = 0 up; the bob of 1 kg sits 0.5 m from the hinge at world height 0.6.
//! `0.251 θ̈ = u + 4.905 sin θ − 0.1 θ̇` (`dmc_tasks.md` §2), semi-implicit Euler at h = 0.02
//! with the damping treated implicitly as MuJoCo's Euler integrator does:
//! `(I + h c) a = u + m g l sin θ − c θ̇`. The motor (1 N m) cannot lift the bob (4.905 N m),
//! so the pendulum must be pumped.

use crate::{clamp_ctrl, joint_state_accessors, Physics};

/// Compiled parameters of `pendulum.xml`.
#[derive(Clone, Debug, PartialEq)]
pub struct PendulumModel {
    /// Bob mass, kg.
    pub mass: f64,
    /// Hinge to bob distance, m.
    pub length: f64,
    /// Inertia about the hinge (bob point mass plus its own 0.001), kg m².
    pub inertia: f64,
    /// Gravity magnitude, m/s².
    pub gravity: f64,
    /// Hinge damping, N m s/rad.
    pub damping: f64,
    /// Motor gear.
    pub gear: f64,
    /// Physics time step, s.
    pub timestep: f64,
}

impl Default for PendulumModel {
    fn default() -> Self {
        PendulumModel {
            mass: 1.0,
            length: 0.5,
            inertia: 0.251,
            gravity: 9.81,
            damping: 0.1,
            gear: 1.0,
            timestep: 0.02,
        }
    }
}

/// The pendulum simulator.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pendulum {
    /// Model parameters.
    pub model: PendulumModel,
    qpos: [f64; 1],
    qvel: [f64; 1],
    time: f64,
}

impl Pendulum {
    /// World height of the hinge, m.
    pub const HINGE_HEIGHT: f64 = 0.6;

    /// Pole angle from upright, rad.
    pub fn angle(&self) -> f64 {
        self.qpos[0]
    }
    /// Angular velocity, rad/s.
    pub fn angular_velocity(&self) -> f64 {
        self.qvel[0]
    }
    /// Bob centre in world (x, z), m.
    pub fn bob_position(&self) -> [f64; 2] {
        let l = self.model.length;
        [
            l * self.angle().sin(),
            Self::HINGE_HEIGHT + l * self.angle().cos(),
        ]
    }
    /// `½ I θ̇² + m g l cos θ`, J.
    pub fn energy(&self) -> f64 {
        let m = &self.model;
        0.5 * m.inertia * self.qvel[0].powi(2) + m.mass * m.gravity * m.length * self.qpos[0].cos()
    }
}

impl Physics for Pendulum {
    fn timestep(&self) -> f64 {
        self.model.timestep
    }
    fn num_actuators(&self) -> usize {
        1
    }
    joint_state_accessors!();
    fn reset(&mut self) {
        let model = self.model.clone();
        *self = Pendulum {
            model,
            ..Pendulum::default()
        };
    }
    fn step(&mut self, ctrl: &[f64]) {
        let m = &self.model;
        let h = m.timestep;
        let torque = m.gear * clamp_ctrl(ctrl[0])
            + m.mass * m.gravity * m.length * self.qpos[0].sin()
            - m.damping * self.qvel[0];
        let acc = torque / (m.inertia + h * m.damping);
        self.qvel[0] += h * acc;
        self.qpos[0] += h * self.qvel[0];
        self.time += h;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undamped_unforced_pendulum_conserves_energy_to_integrator_tolerance() {
        let mut p = Pendulum::default();
        p.model.damping = 0.0;
        p.set_state(&[2.5], &[0.0]).unwrap();
        let e0 = p.energy();
        let swing = 2.0 * p.model.mass * p.model.gravity * p.model.length; // top-to-bottom
        let mut energies = Vec::new();
        for _ in 0..1000 {
            p.step(&[0.0]);
            energies.push(p.energy());
        }
        // Semi-implicit Euler is symplectic: the energy error oscillates with amplitude O(h)
        // but does not grow. Bound the oscillation and check the last 100 steps drift no
        // further than the first 100.
        let worst = energies.iter().map(|e| (e - e0).abs()).fold(0.0, f64::max);
        assert!(worst < 0.03 * swing, "energy error {worst} J");
        let early = energies[..100]
            .iter()
            .map(|e| (e - e0).abs())
            .fold(0.0, f64::max);
        let late = energies[900..]
            .iter()
            .map(|e| (e - e0).abs())
            .fold(0.0, f64::max);
        assert!(
            late < 1.5 * early + 1e-9,
            "energy error grows: {early} -> {late}"
        );
    }

    #[test]
    fn small_oscillations_have_the_physical_period() {
        // Hanging down (θ = π), the period is 2π sqrt(I / (m g l)).
        let mut p = Pendulum::default();
        p.model.damping = 0.0;
        p.set_state(&[std::f64::consts::PI + 0.01], &[0.0]).unwrap();
        let mut crossings = Vec::new();
        let mut prev = p.angle() - std::f64::consts::PI;
        for i in 0..2000 {
            p.step(&[0.0]);
            let x = p.angle() - std::f64::consts::PI;
            if prev > 0.0 && x <= 0.0 {
                crossings.push(i as f64 * p.model.timestep);
            }
            prev = x;
        }
        let measured = (crossings.last().unwrap() - crossings[0]) / (crossings.len() - 1) as f64;
        let m = &p.model;
        let expected =
            2.0 * std::f64::consts::PI * (m.inertia / (m.mass * m.gravity * m.length)).sqrt();
        assert!(
            (measured - expected).abs() < 0.01,
            "period {measured} vs {expected}"
        );
    }

    #[test]
    fn the_motor_alone_cannot_hold_the_pole_horizontal() {
        let mut p = Pendulum::default();
        p.set_state(&[std::f64::consts::FRAC_PI_2], &[0.0]).unwrap();
        for _ in 0..50 {
            p.step(&[-1.0]);
        }
        assert!(
            p.angle() > std::f64::consts::FRAC_PI_2 + 0.3,
            "the pole falls anyway"
        );
    }
}
