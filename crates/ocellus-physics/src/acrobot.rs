//! Acrobot: a two-link arm actuated at the elbow only (dm_control `suite/acrobot.py`).
//!
//! `qpos = [θ1, θ2]` (shoulder, elbow relative to the upper arm), both 0 pointing up; the
//! shoulder sits at world (0, 2). Links of 1 m and 1 kg with centres at 0.5 m. Equations of
//! motion from `dmc_tasks.md` §3 (`h = l1 lc sin θ2`):
//!
//! ```text
//! M11 θ̈1 + M12 θ̈2 = h (2 θ̇1 θ̇2 + θ̇2²) + g (1.5 sin θ1 + 0.5 sin(θ1+θ2)) − 0.05 θ̇1
//! M12 θ̈1 + M22 θ̈2 = −h θ̇1² + 0.5 g sin(θ1+θ2) + 2 u − 0.05 θ̇2
//! ```
//!
//! RK4 at h = 0.01 with every constraint disabled, as in `acrobot.xml`.

use crate::integrate::rk4;
use crate::linalg::solve_sym2;
use crate::{clamp_ctrl, joint_state_accessors, Physics};

/// Compiled parameters of `acrobot.xml`.
#[derive(Clone, Debug, PartialEq)]
pub struct AcrobotModel {
    /// Upper-link inertia about its centre of mass, kg m².
    pub upper_inertia: f64,
    /// Lower-link inertia about its centre of mass, kg m².
    pub lower_inertia: f64,
    /// Mass of each link, kg.
    pub link_mass: f64,
    /// Length of each link, m.
    pub link_length: f64,
    /// Joint to centre-of-mass distance of each link, m.
    pub link_com: f64,
    /// Gravity magnitude, m/s².
    pub gravity: f64,
    /// Damping of both hinges.
    pub damping: f64,
    /// Elbow motor gear.
    pub gear: f64,
    /// Physics time step, s.
    pub timestep: f64,
}

impl Default for AcrobotModel {
    fn default() -> Self {
        AcrobotModel {
            // MuJoCo 3.17 compiled `body_inertia` of `upper_arm` / `lower_arm` about the hinge
            // axis (y).
            upper_inertia: 0.095_570_312_5,
            lower_inertia: 0.095_303_657_196_495_61,
            link_mass: 1.0,
            link_length: 1.0,
            link_com: 0.5,
            gravity: 9.81,
            damping: 0.05,
            gear: 2.0,
            timestep: 0.01,
        }
    }
}

/// The acrobot simulator.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Acrobot {
    /// Model parameters.
    pub model: AcrobotModel,
    qpos: [f64; 2],
    qvel: [f64; 2],
    time: f64,
}

impl Acrobot {
    /// World (x, z) of the shoulder.
    pub const SHOULDER: [f64; 2] = [0.0, 2.0];
    /// World (x, z) of the target site the tip should reach.
    pub const TARGET: [f64; 2] = [0.0, 4.0];

    /// World (x, z) of the elbow.
    pub fn elbow_position(&self) -> [f64; 2] {
        let l = self.model.link_length;
        [
            Self::SHOULDER[0] + l * self.qpos[0].sin(),
            Self::SHOULDER[1] + l * self.qpos[0].cos(),
        ]
    }
    /// World (x, z) of the tip of the lower arm.
    pub fn tip_position(&self) -> [f64; 2] {
        let [ex, ez] = self.elbow_position();
        let a = self.qpos[0] + self.qpos[1];
        let l = self.model.link_length;
        [ex + l * a.sin(), ez + l * a.cos()]
    }
    /// Kinetic plus potential energy (zero potential at the shoulder height), J.
    pub fn energy(&self) -> f64 {
        let m = &self.model;
        let (m11, m12, m22) = mass_matrix(m, self.qpos[1]);
        let [w1, w2] = self.qvel;
        let kinetic = 0.5 * (m11 * w1 * w1 + 2.0 * m12 * w1 * w2 + m22 * w2 * w2);
        let (t1, t12) = (self.qpos[0], self.qpos[0] + self.qpos[1]);
        let heights = m.link_com * t1.cos() + m.link_length * t1.cos() + m.link_com * t12.cos();
        kinetic + m.link_mass * m.gravity * heights
    }

    fn acceleration(m: &AcrobotModel, q: &[f64; 2], v: &[f64; 2], u: f64) -> [f64; 2] {
        let (m11, m12, m22) = mass_matrix(m, q[1]);
        let (mass, l1, lc, g) = (m.link_mass, m.link_length, m.link_com, m.gravity);
        let h = mass * l1 * lc * q[1].sin();
        let s12 = (q[0] + q[1]).sin();
        let rhs = [
            h * (2.0 * v[0] * v[1] + v[1] * v[1]) + mass * g * ((lc + l1) * q[0].sin() + lc * s12)
                - m.damping * v[0],
            -h * v[0] * v[0] + mass * g * lc * s12 + m.gear * u - m.damping * v[1],
        ];
        solve_sym2(m11, m12, m22, rhs)
    }
}

/// `(M11, M12, M22)` at elbow angle θ2.
fn mass_matrix(m: &AcrobotModel, elbow: f64) -> (f64, f64, f64) {
    let (mass, l1, lc) = (m.link_mass, m.link_length, m.link_com);
    let m22 = m.lower_inertia + mass * lc * lc;
    let m12 = m22 + mass * l1 * lc * elbow.cos();
    let m11 = m.upper_inertia
        + mass * lc * lc
        + m22
        + mass * l1 * l1
        + 2.0 * mass * l1 * lc * elbow.cos();
    (m11, m12, m22)
}

impl Physics for Acrobot {
    fn timestep(&self) -> f64 {
        self.model.timestep
    }
    fn num_actuators(&self) -> usize {
        1
    }
    joint_state_accessors!();
    fn reset(&mut self) {
        let model = self.model.clone();
        *self = Acrobot {
            model,
            ..Acrobot::default()
        };
    }
    fn step(&mut self, ctrl: &[f64]) {
        let u = clamp_ctrl(ctrl[0]);
        let m = &self.model;
        rk4(&mut self.qpos, &mut self.qvel, m.timestep, |q, v| {
            Self::acceleration(m, q, v, u)
        });
        self.time += m.timestep;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mass_matrix_matches_the_fact_sheet() {
        // M11 = I1 + 0.25 + I2 + (1 + 0.25 + cos θ2), M12 = I2 + 0.25 + 0.5 cos θ2, M22 = I2 + 0.25
        let m = AcrobotModel::default();
        let (m11, m12, m22) = mass_matrix(&m, 0.7);
        let (i1, i2) = (m.upper_inertia, m.lower_inertia);
        assert!((m11 - (i1 + 0.25 + i2 + 1.25 + 0.7f64.cos())).abs() < 1e-14);
        assert!((m12 - (i2 + 0.25 + 0.5 * 0.7f64.cos())).abs() < 1e-14);
        assert!((m22 - (i2 + 0.25)).abs() < 1e-14);
    }

    #[test]
    fn undamped_unforced_acrobot_conserves_energy() {
        let mut p = Acrobot::default();
        p.model.damping = 0.0;
        p.set_state(&[2.0, -1.0], &[0.5, 0.0]).unwrap();
        let e0 = p.energy();
        for _ in 0..1000 {
            p.step(&[0.0]);
        }
        // Chaotic double pendulum, RK4 at h = 0.01: the drift stays in the milli-joule range.
        assert!((p.energy() - e0).abs() < 1e-3, "{} vs {e0}", p.energy());
    }

    #[test]
    fn upright_is_an_equilibrium_and_hanging_is_stable() {
        let mut up = Acrobot::default();
        up.step(&[0.0]);
        assert_eq!(up.qpos(), &[0.0, 0.0]);
        let mut down = Acrobot::default();
        down.set_state(&[std::f64::consts::PI, 0.0], &[0.0, 0.0])
            .unwrap();
        for _ in 0..100 {
            down.step(&[0.0]);
        }
        assert!((down.qpos()[0] - std::f64::consts::PI).abs() < 1e-9);
        assert!(
            (down.tip_position()[1] - 0.0).abs() < 1e-9,
            "tip hangs 2 m below the shoulder"
        );
    }
}
