//! Reacher: a planar two-link arm reaching for a target (dm_control `suite/reacher.py`).
//!
//! `qpos = [shoulder, wrist]`, hinges about +z (gravity plays no part). Link masses come from
//! density 1000 (`dmc_tasks.md` §5); the hand and fingertip sphere form one rigid second link.
//! `M q̈ = 0.05 u − 0.01 q̇ − bias + F_limit`, with the wrist limited to ±160° (default limit
//! softness), semi-implicit Euler at h = 0.02 with implicit damping. The target position and
//! size are model parameters the task sets at reset, as dm_control writes them into
//! `model.geom_pos` / `geom_size`.

use crate::linalg::inv_sym2;
use crate::soft::{self, SolImp, SolRef, DEFAULT_SOLIMP, DEFAULT_SOLREF};
use crate::{clamp_ctrl, joint_state_accessors, Physics};

/// Compiled parameters of `reacher.xml`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReacherModel {
    /// Upper arm inertia about its centre of mass, kg m².
    pub arm_inertia: f64,
    /// Upper arm mass, kg.
    pub arm_mass: f64,
    /// Shoulder to upper-arm centre of mass, m.
    pub arm_com: f64,
    /// Upper arm length (shoulder to wrist), m.
    pub arm_length: f64,
    /// Second link (hand plus fingertip) inertia about its centre of mass, kg m².
    pub hand_inertia: f64,
    /// Second link mass, kg.
    pub hand_mass: f64,
    /// Wrist to second-link centre of mass, m.
    pub hand_com: f64,
    /// Wrist to fingertip centre, m.
    pub finger_offset: f64,
    /// Damping of both hinges.
    pub damping: f64,
    /// Gear of both motors.
    pub gear: f64,
    /// Wrist range, rad.
    pub wrist_range: (f64, f64),
    /// Wrist limit `solref`.
    pub limit_solref: SolRef,
    /// Wrist limit `solimp`.
    pub limit_solimp: SolImp,
    /// Compiled `diagA` of the wrist limit row.
    pub limit_diag_a: f64,
    /// Physics time step, s.
    pub timestep: f64,
    /// Target centre (x, y), set by the task.
    pub target_position: [f64; 2],
    /// Target radius, set by the task (0.05 easy, 0.015 hard).
    pub target_size: f64,
}

/// MuJoCo 3.17 compiled values of `reacher.xml` (`body_mass`, `body_ipos`, `body_inertia`
/// about the hinge axis z, `dof_invweight0`, `jnt_range`): the `hand` capsule and the
/// `finger` sphere are separate bodies welded together, combined in [`ReacherModel::default`].
mod compiled {
    pub const ARM_MASS: f64 = 0.041_887_902_047_863_91;
    pub const ARM_INERTIA: f64 = 6.331_356_394_534_63e-5;
    pub const HAND_MASS: f64 = 0.035_604_716_740_684_32;
    pub const HAND_COM: f64 = 0.05;
    pub const HAND_INERTIA: f64 = 3.917_566_039_026_473_4e-5;
    pub const FINGER_MASS: f64 = 0.004_188_790_204_786_391;
    pub const FINGER_INERTIA: f64 = 1.675_516_081_914_556_5e-7;
    pub const FINGER_OFFSET: f64 = 0.12;
    /// `dof_invweight0` of `wrist`.
    pub const WRIST_DIAG_A: f64 = 20_740.548_731_816_04;
    /// `jnt_range` of `wrist`: ±160° = 160 · (π / 180).
    pub const WRIST_LIMIT: f64 = 2.792_526_803_190_927;
}

impl Default for ReacherModel {
    fn default() -> Self {
        use compiled::*;
        // The second link: hand capsule plus fingertip sphere, about their joint centre of mass.
        let hand_mass = HAND_MASS + FINGER_MASS;
        let hand_com = (HAND_MASS * HAND_COM + FINGER_MASS * FINGER_OFFSET) / hand_mass;
        let hand_inertia = HAND_INERTIA
            + FINGER_INERTIA
            + HAND_MASS * (HAND_COM - hand_com).powi(2)
            + FINGER_MASS * (FINGER_OFFSET - hand_com).powi(2);
        ReacherModel {
            arm_inertia: ARM_INERTIA,
            arm_mass: ARM_MASS,
            arm_com: 0.06,
            arm_length: 0.12,
            hand_inertia,
            hand_mass,
            hand_com,
            finger_offset: FINGER_OFFSET,
            damping: 0.01,
            gear: 0.05,
            wrist_range: (-WRIST_LIMIT, WRIST_LIMIT),
            limit_solref: DEFAULT_SOLREF,
            limit_solimp: DEFAULT_SOLIMP,
            limit_diag_a: WRIST_DIAG_A,
            timestep: 0.02,
            target_position: [0.0, 0.0],
            target_size: 0.05,
        }
    }
}

/// The reacher simulator.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reacher {
    /// Model parameters.
    pub model: ReacherModel,
    qpos: [f64; 2],
    qvel: [f64; 2],
    time: f64,
}

impl Reacher {
    /// Radius of the arm links and the fingertip sphere, m.
    pub const LINK_RADIUS: f64 = 0.01;

    /// World (x, y) of the wrist.
    pub fn wrist_position(&self) -> [f64; 2] {
        let l = self.model.arm_length;
        [l * self.qpos[0].cos(), l * self.qpos[0].sin()]
    }
    /// World (x, y) of the fingertip centre.
    pub fn finger_position(&self) -> [f64; 2] {
        let [wx, wy] = self.wrist_position();
        let a = self.qpos[0] + self.qpos[1];
        let l = self.model.finger_offset;
        [wx + l * a.cos(), wy + l * a.sin()]
    }
    /// `target − finger` in (x, y), the task's `to_target` observation.
    pub fn finger_to_target(&self) -> [f64; 2] {
        let [fx, fy] = self.finger_position();
        [
            self.model.target_position[0] - fx,
            self.model.target_position[1] - fy,
        ]
    }

    /// `(M11, M12, M22)` at wrist angle q2.
    fn mass_matrix(&self, wrist: f64) -> (f64, f64, f64) {
        let m = &self.model;
        let (l1, c2, m2) = (m.arm_length, m.hand_com, m.hand_mass);
        let m22 = m.hand_inertia + m2 * c2 * c2;
        let m12 = m22 + m2 * l1 * c2 * wrist.cos();
        let m11 = m.arm_inertia
            + m.arm_mass * m.arm_com * m.arm_com
            + m22
            + m2 * (l1 * l1 + 2.0 * l1 * c2 * wrist.cos());
        (m11, m12, m22)
    }
}

impl Physics for Reacher {
    fn timestep(&self) -> f64 {
        self.model.timestep
    }
    fn num_actuators(&self) -> usize {
        2
    }
    joint_state_accessors!();
    fn reset(&mut self) {
        *self = Reacher::default();
    }
    fn step(&mut self, ctrl: &[f64]) {
        let m = &self.model;
        let h = m.timestep;
        let (q, v) = (self.qpos, self.qvel);
        let (m11, m12, m22) = self.mass_matrix(q[1]);
        let hb = m.hand_mass * m.arm_length * m.hand_com * q[1].sin();
        let bias = [-hb * (2.0 * v[0] * v[1] + v[1] * v[1]), hb * v[0] * v[0]];
        let tau = [
            m.gear * clamp_ctrl(ctrl[0]) - m.damping * v[0] - bias[0],
            m.gear * clamp_ctrl(ctrl[1]) - m.damping * v[1] - bias[1],
        ];
        let (i11, i12, i22) = inv_sym2(m11, m12, m22);
        let mut qacc = [i11 * tau[0] + i12 * tau[1], i12 * tau[0] + i22 * tau[1]];
        // Wrist limit row: J = ±e₂, so J M⁻¹ Jᵀ = (M⁻¹)₂₂ and M⁻¹ Jᵀ is M⁻¹'s second column.
        let f = soft::joint_limit_force(
            q[1],
            v[1],
            qacc[1],
            i22,
            m.wrist_range,
            m.limit_diag_a,
            m.limit_solref,
            m.limit_solimp,
            h,
        );
        qacc[0] += i12 * f;
        qacc[1] += i22 * f;
        // Euler with implicit damping: (M + h D) a = M qacc.
        let mq = [m11 * qacc[0] + m12 * qacc[1], m12 * qacc[0] + m22 * qacc[1]];
        let acc = crate::linalg::solve_sym2(m11 + h * m.damping, m12, m22 + h * m.damping, mq);
        for (i, a) in acc.into_iter().enumerate() {
            self.qvel[i] += h * a;
            self.qpos[i] += h * self.qvel[i];
        }
        self.time += h;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_constants_are_exact() {
        let m = ReacherModel::default();
        // The wrist range is exactly ±160° (the reset draws U(range), so rounding shows up).
        assert_eq!(m.wrist_range, (-160f64.to_radians(), 160f64.to_radians()));
        assert_eq!(m.wrist_range.1, 2.792_526_803_190_927);
        // The combined second link has the parts' mass and, about the wrist, the parts'
        // inertias moved there by the parallel-axis theorem: hand capsule centre at 0.05,
        // fingertip sphere at 0.12.
        use compiled::*;
        assert_eq!(m.hand_mass, HAND_MASS + FINGER_MASS);
        let about_wrist = m.hand_inertia + m.hand_mass * m.hand_com * m.hand_com;
        let parts =
            HAND_INERTIA + HAND_MASS * 0.05 * 0.05 + FINGER_INERTIA + FINGER_MASS * 0.12 * 0.12;
        assert!(
            (about_wrist - parts).abs() < 1e-18,
            "{about_wrist} vs {parts}"
        );
        assert!((m.hand_com - 0.057_368_4).abs() < 1e-7);
    }

    #[test]
    fn forward_kinematics_reach() {
        let mut p = Reacher::default();
        assert_eq!(p.finger_position(), [0.24, 0.0]);
        p.set_state(
            &[std::f64::consts::FRAC_PI_2, -std::f64::consts::FRAC_PI_2],
            &[0.0, 0.0],
        )
        .unwrap();
        let [x, y] = p.finger_position();
        assert!((x - 0.12).abs() < 1e-12 && (y - 0.12).abs() < 1e-12);
    }

    #[test]
    fn angular_momentum_is_conserved_without_torque_or_damping() {
        // The arm moves in a horizontal plane with no external torque: the total angular
        // momentum about the shoulder, M11 q̇1 + M12 q̇2, is constant in continuous time.
        // Semi-implicit Euler conserves it only to O(h), so check that the error over 4 s
        // shrinks in proportion to the time step.
        let drift = |timestep: f64| {
            let mut p = Reacher::default();
            p.model.damping = 0.0;
            p.model.timestep = timestep;
            p.set_state(&[0.3, 0.5], &[2.0, -3.0]).unwrap();
            let momentum = |p: &Reacher| {
                let (m11, m12, _) = p.mass_matrix(p.qpos[1]);
                m11 * p.qvel[0] + m12 * p.qvel[1]
            };
            let l0 = momentum(&p);
            for _ in 0..(4.0 / timestep).round() as usize {
                p.step(&[0.0, 0.0]);
                assert!(p.qpos[1].abs() < 2.7, "stays clear of the wrist limit");
            }
            (momentum(&p) - l0).abs() / l0.abs()
        };
        let (coarse, fine) = (drift(0.02), drift(0.002));
        assert!(coarse < 0.1, "{coarse}");
        assert!(
            fine < coarse / 5.0,
            "error {coarse} at h = 0.02 but {fine} at h = 0.002"
        );
    }

    #[test]
    fn the_wrist_limit_holds() {
        let mut p = Reacher::default();
        for _ in 0..500 {
            p.step(&[0.0, 1.0]);
        }
        // MuJoCo's soft limit settles where R f balances aref: with diagA = 20740.55 the
        // default softness lets a full-torque wrist sink r = -R·0.05 / (k d) ≈ -0.083 rad in.
        let r = p.model.wrist_range.1 - p.qpos()[1];
        assert!((r + 0.083).abs() < 0.005, "violation {r}");
        assert!(p.qvel()[1].abs() < 1e-6, "and it comes to rest");
    }
}
