//! Cart-pole: a cart on a rail with a hinged pole (dm_control `suite/cartpole.py`, `cartpole.xml`).
//!
//! Generalised coordinates: `qpos = [x, θ]` (slider, hinge_1), with θ = 0 pointing up and
//! positive θ tilting the tip toward +x. Equations of motion (`dmc_tasks.md` §1, checked
//! against MuJoCo to about 1e-12):
//!
//! ```text
//! (mc + mp) ẍ + mp l cos θ θ̈ = 10 u − 5e-4 ẋ + mp l sin θ θ̇² + F_limit
//! mp l cos θ ẍ + (Ic + mp l²) θ̈ = mp g l sin θ − 2e-6 θ̇
//! ```
//!
//! integrated with RK4 at h = 0.01 s; the slider's soft limit at ±1.8 m acts in every stage.

use crate::integrate::rk4;
use crate::linalg::{inv_sym2, solve_sym2};
use crate::soft::{self, SolImp, SolRef, DEFAULT_SOLIMP};
use crate::{clamp_ctrl, joint_state_accessors, Physics};

/// Compiled parameters of `cartpole.xml` (single pole).
#[derive(Clone, Debug, PartialEq)]
pub struct CartpoleModel {
    /// Cart mass, kg.
    pub cart_mass: f64,
    /// Pole mass, kg.
    pub pole_mass: f64,
    /// Distance from hinge to the pole's centre of mass, m.
    pub pole_com: f64,
    /// Pole inertia about its centre of mass (y axis), kg m².
    pub pole_inertia: f64,
    /// Full pole length (for drawing and the tip), m.
    pub pole_length: f64,
    /// Gravity magnitude, m/s².
    pub gravity: f64,
    /// Viscous damping on the slider, N s/m.
    pub slider_damping: f64,
    /// Viscous damping on the hinge, N m s/rad.
    pub hinge_damping: f64,
    /// Motor gear: force = gear × u.
    pub gear: f64,
    /// Slider range, m.
    pub slider_range: (f64, f64),
    /// Slider limit `solreflimit`.
    pub limit_solref: SolRef,
    /// Slider limit `solimplimit`.
    pub limit_solimp: SolImp,
    /// The compiled `diagA` of the slider limit row.
    pub limit_diag_a: f64,
    /// Physics time step, s.
    pub timestep: f64,
}

impl Default for CartpoleModel {
    fn default() -> Self {
        CartpoleModel {
            cart_mass: 1.0,
            pole_mass: 0.1,
            pole_com: 0.5,
            // MuJoCo 3.17 compiled `body_inertia` of `pole_1` about the hinge axis (y).
            pole_inertia: 0.009_424_592_767_295_598,
            pole_length: 1.0,
            gravity: 9.81,
            slider_damping: 5e-4,
            hinge_damping: 2e-6,
            gear: 10.0,
            slider_range: (-1.8, 1.8),
            limit_solref: SolRef {
                timeconst: 0.08,
                dampratio: 1.0,
            },
            limit_solimp: DEFAULT_SOLIMP,
            // MuJoCo 3.17 compiled `dof_invweight0` of `slider` (= the limit row's `efc_diagApprox`).
            limit_diag_a: 0.973_352_054_461_412_7,
            timestep: 0.01,
        }
    }
}

/// The cart-pole simulator.
#[derive(Clone, Debug, PartialEq)]
pub struct Cartpole {
    /// Model parameters (tests zero the damping to check energy conservation).
    pub model: CartpoleModel,
    qpos: [f64; 2],
    qvel: [f64; 2],
    time: f64,
}

impl Default for Cartpole {
    fn default() -> Self {
        Cartpole {
            model: CartpoleModel::default(),
            qpos: [0.0; 2],
            qvel: [0.0; 2],
            time: 0.0,
        }
    }
}

impl Cartpole {
    /// Cart position along the rail, m.
    pub fn cart_position(&self) -> f64 {
        self.qpos[0]
    }
    /// Pole angle from upright, rad (unwrapped).
    pub fn pole_angle(&self) -> f64 {
        self.qpos[1]
    }
    /// Cart and pole angular velocity, `[ẋ, θ̇]`.
    pub fn velocity(&self) -> [f64; 2] {
        self.qvel
    }

    /// Total mechanical energy `½ vᵀ M v + mp g l cos θ`, J (cart height is constant).
    pub fn energy(&self) -> f64 {
        let m = &self.model;
        let (a, b, d) = mass_matrix(m, self.qpos[1]);
        let [xd, td] = self.qvel;
        0.5 * (a * xd * xd + 2.0 * b * xd * td + d * td * td)
            + m.pole_mass * m.gravity * m.pole_com * self.qpos[1].cos()
    }

    fn acceleration(m: &CartpoleModel, q: &[f64; 2], v: &[f64; 2], u: f64) -> [f64; 2] {
        let (a, b, d) = mass_matrix(m, q[1]);
        let (s, ml) = (q[1].sin(), m.pole_mass * m.pole_com);
        let rhs = [
            m.gear * u - m.slider_damping * v[0] + ml * s * v[1] * v[1],
            ml * m.gravity * s - m.hinge_damping * v[1],
        ];
        let mut acc = solve_sym2(a, b, d, rhs);
        // The slider limit row has J = ±e_x, so J M⁻¹ Jᵀ = (M⁻¹)₀₀ and M⁻¹ Jᵀ is M⁻¹'s column 0.
        let (i00, i01, _) = inv_sym2(a, b, d);
        let f = soft::joint_limit_force(
            q[0],
            v[0],
            acc[0],
            i00,
            m.slider_range,
            m.limit_diag_a,
            m.limit_solref,
            m.limit_solimp,
            m.timestep,
        );
        acc[0] += i00 * f;
        acc[1] += i01 * f;
        acc
    }
}

/// The mass matrix `[[a, b], [b, d]]` at pole angle θ.
fn mass_matrix(m: &CartpoleModel, theta: f64) -> (f64, f64, f64) {
    let ml = m.pole_mass * m.pole_com;
    (
        m.cart_mass + m.pole_mass,
        ml * theta.cos(),
        m.pole_inertia + m.pole_mass * m.pole_com * m.pole_com,
    )
}

impl Physics for Cartpole {
    fn timestep(&self) -> f64 {
        self.model.timestep
    }
    fn num_actuators(&self) -> usize {
        1
    }
    joint_state_accessors!();
    fn reset(&mut self) {
        let model = self.model.clone();
        *self = Cartpole {
            model,
            ..Cartpole::default()
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
    fn undamped_unforced_cartpole_conserves_energy() {
        let mut p = Cartpole::default();
        p.model.slider_damping = 0.0;
        p.model.hinge_damping = 0.0;
        // Zero total x-momentum ((mc+mp) ẋ + mp l cos θ θ̇ = 0) keeps the cart near the centre.
        let xd = -0.1 * 0.5 * 0.3f64.cos() / 1.1;
        p.set_state(&[0.0, 0.3], &[xd, 1.0]).unwrap();
        let e0 = p.energy();
        let mut worst: f64 = 0.0;
        for _ in 0..1000 {
            p.step(&[0.0]);
            assert!(
                p.cart_position().abs() < 1.8,
                "the test must stay inside the rail"
            );
            worst = worst.max((p.energy() - e0).abs());
        }
        // RK4 at h = 0.01: the drift is far below a micro-joule over 10 s.
        assert!(worst < 1e-6, "energy drifted by {worst} J from {e0} J");
    }

    #[test]
    fn damping_dissipates_energy() {
        let mut p = Cartpole::default();
        p.model.hinge_damping = 0.05;
        p.set_state(&[0.0, 0.3], &[0.0, 0.0]).unwrap();
        let e0 = p.energy();
        for _ in 0..500 {
            p.step(&[0.0]);
        }
        assert!(p.energy() < e0 - 1e-3);
    }

    #[test]
    fn horizontal_momentum_is_conserved_without_force() {
        // With no slider force and no damping, the total x-momentum (mc+mp) ẋ + mp l cos θ θ̇
        // is constant.
        let mut p = Cartpole::default();
        p.model.slider_damping = 0.0;
        p.model.hinge_damping = 0.0;
        p.set_state(&[0.0, 2.0], &[0.1, 0.5]).unwrap();
        let momentum = |p: &Cartpole| {
            let (a, b, _) = mass_matrix(&p.model, p.pole_angle());
            a * p.qvel[0] + b * p.qvel[1]
        };
        let p0 = momentum(&p);
        for _ in 0..300 {
            p.step(&[0.0]);
        }
        assert!((momentum(&p) - p0).abs() < 1e-8);
    }

    #[test]
    fn pushing_moves_the_cart_and_the_rail_limit_holds() {
        let mut p = Cartpole::default();
        p.set_state(&[0.0, 0.0], &[0.0, 0.0]).unwrap();
        for _ in 0..1000 {
            p.step(&[1.0]);
        }
        // The soft limit lets the cart sink a few millimetres into it, never far.
        assert!(
            p.cart_position() > 1.7 && p.cart_position() < 1.85,
            "{}",
            p.cart_position()
        );
    }

    #[test]
    fn controls_beyond_the_range_are_clamped() {
        let mut a = Cartpole::default();
        let mut b = a.clone();
        a.step(&[1.0]);
        b.step(&[7.5]);
        assert_eq!(a, b);
    }
}
