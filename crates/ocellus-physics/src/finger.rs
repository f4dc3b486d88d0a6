//! Finger: a two-link finger flicking a hinged spinner (dm_control `suite/finger.py`,
//! `suite/finger.xml`; dm_control 1.0.50 on MuJoCo 3.x, compiled values from `dmc_tasks.md`
//! §7 and the constraint model of §0.4).
//!
//! `qpos = [proximal, distal, hinge]`, all hinges about −y, so a positive angle is
//! counter-clockwise in the camera view (x right, z up). The proximal joint's `ref = −90°`
//! is folded in: the proximal link points along (cos q₁, sin q₁), so `qpos0 = [−π/2, 0, 0]`
//! hangs straight down. Gravity is disabled.
//!
//! Equations of one step (h = 0.01, semi-implicit Euler with implicit damping, §0.3):
//! * Two-link arm (masses, COMs and inertias of §7, link length L = 0.18) plus an independent
//!   spinner: `M = [[M11, M12, 0], [M12, M22, 0], [0, 0, I_s]]`, bias
//!   `[−k(2q̇₁q̇₂ + q̇₂²), k q̇₁², 0]` with `k = m₂ L c₂ sin q₂`;
//!   `τ = [30 u₁ − 2.5 q̇₁, 15 u₂ − 2.5 q̇₂, −c_s q̇₃] − bias` (`c_s = model.hinge_damping`);
//!   `a0 = M⁻¹ τ`.
//! * Constraint rows ([`crate::soft`]: `aref = −B J v − K d(r) r`, `R = (1 − d)/d · diagA`):
//!   - proximal and distal limits ±110°, default solref/solimp, diagA 78.96505 / 539.2316
//!     (compiled `dof_invweight0`; full precision in [`FingerModel::default`]);
//!   - the hinge's frictionloss: `J = e₃`, `|f| ≤ 0.1`, `aref = −B J v` (B = 105.26), d = 0.9,
//!     diagA 78.71372; present every step;
//!   - contacts fingertip capsule (first) against spinner capsules cap1 / cap2 (second), the
//!     only pairs that can meet: elliptic cone, μ = 1, solref (0.02, 1), solimp
//!     (0, 0.9, 0.01, 0.5, 2) with dmin clamped to 0.0001 before interpolating, diagA
//!     `w_distal + w_spinner = 0.4166278 + 0` for the normal and the friction rows (all three
//!     share the normal row's impedance and so its `R`, as `impratio = 1`), `r = dist` for the
//!     normal row and no position term for the friction rows (`aref = −B J v`). Jacobians are
//!     taken at the contact point (midway between the surfaces). All of this was checked row
//!     by row against MuJoCo 3.17's `efc_J`, `efc_R`, `efc_KBIP` and `efc_aref`.
//! * The forces minimise MuJoCo's convex constraint problem, solved exactly by
//!   `solver.rs`; `qacc = a0 + M⁻¹ Jᵀ f`.
//! * `(M + h D) a = M qacc` with `D = diag(2.5, 2.5, c_s)`; `v ← v + h a`, `q ← q + h v`.
//!
//! Touch sensors (`touchtop`, `touchbottom`: ellipsoid sites of radii (0.025, 0.03, 0.025) at
//! distal-local (±0.01, 0, −0.17), i.e. 0.17 along the distal link and ±0.01 across it, +
//! towards the counter-clockwise side) sum the normal force of every contact on the distal
//! body whose contact point lies in the site, or whose ray along the contact normal enters it
//! (MuJoCo's `mjSENS_TOUCH`). They are read from the forces of the last step, computed at the
//! state before its integration; [`Physics::set_state`] recomputes them at the new state
//! with zero control, as `mj_forward` does after dm_control's reset.
//!
//! **Deviations from MuJoCo**
//! 1. The constraint problem is solved to machine precision by a primal Newton method with
//!    exact line search; MuJoCo's Newton solver stops once its scaled gradient is below
//!    `tolerance` = 1e-8 (200 iterations at most), so forces differ at that level. The
//!    visible case: a spinner at rest (|ω| ~ 1e-11) with only the frictionloss row, where
//!    MuJoCo takes zero iterations and keeps the unconstrained acceleration, while the exact
//!    solution differs by ~1e-9 rad/s² (a 1e-10 difference in ω after a control step).
//! 2. The elliptic cone is solved in the plane: the out-of-plane friction direction has a zero
//!    Jacobian, so its force is exactly 0 in MuJoCo too and the cone reduces to the wedge
//!    `|f_t| ≤ μ f_n`.
//! 3. Two capsules with *exactly* parallel axes get one contact here and up to two in MuJoCo
//!    (see `contact.rs`); a measure-zero event.

use crate::contact::{self, Capsule, Contact};
use crate::soft::{self, SolImp, SolRef, DEFAULT_SOLIMP, DEFAULT_SOLREF};
use crate::solver::{Row, RowKind, Rows};
use crate::{clamp_ctrl, copy_checked, Physics, StateLengthError};

/// Compiled parameters of `finger.xml`, plus what the task changes.
#[derive(Clone, Debug, PartialEq)]
pub struct FingerModel {
    /// Physics time step, s.
    pub timestep: f64,
    /// Spinner hinge damping (0.5 compiled; the spin task sets 0.03).
    pub hinge_damping: f64,
    /// World (x, z) of the target sphere.
    pub target_position: [f64; 2],
    /// Radius of the target sphere, m.
    pub target_radius: f64,
    /// Whether the target and tip sites are drawn (the spin task hides them).
    pub show_target: bool,
    /// Proximal body mass (link capsule plus decoration cylinder), kg.
    pub proximal_mass: f64,
    /// Proximal joint to the proximal body's centre of mass, m.
    pub proximal_com: f64,
    /// Proximal body inertia about its centre of mass (about y), kg m².
    pub proximal_inertia: f64,
    /// Distal body mass, kg.
    pub distal_mass: f64,
    /// Distal joint to the distal body's centre of mass, m.
    pub distal_com: f64,
    /// Distal body inertia about its centre of mass (about y), kg m².
    pub distal_inertia: f64,
    /// Spinner inertia about its hinge, kg m².
    pub spinner_inertia: f64,
    /// Damping of the proximal and distal joints, N m s/rad.
    pub arm_damping: f64,
    /// Motor gears on the proximal and distal joints, N m.
    pub gears: [f64; 2],
    /// Range of the proximal and distal joints, rad (±110°).
    pub joint_range: (f64, f64),
    /// Compiled `diagA` of the proximal and distal limit rows.
    pub limit_diag_a: [f64; 2],
    /// Limit `solref`.
    pub limit_solref: SolRef,
    /// Limit `solimp`.
    pub limit_solimp: SolImp,
    /// Dry friction (frictionloss) of the spinner hinge, N m.
    pub hinge_frictionloss: f64,
    /// Compiled `diagA` of the hinge frictionloss row.
    pub frictionloss_diag_a: f64,
    /// Sliding friction coefficient of the contacts.
    pub friction: f64,
    /// Contact `solref`.
    pub contact_solref: SolRef,
    /// Contact `solimp`.
    pub contact_solimp: SolImp,
    /// Compiled `diagA` of every contact row (distal plus spinner body weights).
    pub contact_diag_a: f64,
}

impl Default for FingerModel {
    fn default() -> Self {
        FingerModel {
            timestep: 0.01,
            hinge_damping: 0.5,
            target_position: [0.0, 0.4],
            target_radius: 0.03,
            show_target: true,
            // MuJoCo 3.17 compiled `body_mass`, `body_ipos` (distance along the link) and
            // `body_inertia` about the hinge axis (y) of `proximal`, `distal` and `spinner` (the
            // spinner's inertial frame is turned 90° about z, so its first principal axis is y).
            proximal_mass: 0.833_451_964_626_757_9,
            proximal_com: 0.060_555_002_713_949_7,
            proximal_inertia: 0.003_712_162_332_017_98,
            distal_mass: 0.686_781_475_606_162_3,
            distal_com: 0.099_145_797_373_701_66,
            distal_inertia: 0.002_433_338_408_895_71,
            spinner_inertia: 0.012_704_265_587_900_74,
            arm_damping: 2.5,
            gears: [30.0, 15.0],
            // ±110° as MuJoCo converts it (`jnt_range` = 1.9198621771937625 = 110 · (π / 180)).
            joint_range: (-110f64.to_radians(), 110f64.to_radians()),
            // MuJoCo 3.17 compiled `dof_invweight0` of `proximal` / `distal`.
            limit_diag_a: [78.965_049_373_279_27, 539.231_579_292_377_8],
            limit_solref: DEFAULT_SOLREF,
            limit_solimp: DEFAULT_SOLIMP,
            hinge_frictionloss: 0.1,
            // MuJoCo 3.17 compiled `dof_invweight0` of `hinge`.
            frictionloss_diag_a: 78.713_719_662_187_71,
            friction: 1.0,
            contact_solref: SolRef {
                timeconst: 0.02,
                dampratio: 1.0,
            },
            contact_solimp: SolImp {
                dmin: 0.0,
                dmax: 0.9,
                width: 0.01,
                mid: 0.5,
                power: 2.0,
            },
            // MuJoCo 3.17 compiled `body_invweight0[:, 0]` (translation) of `distal`, plus the
            // spinner's, which is 0 (its hinge passes through its centre of mass).
            contact_diag_a: 0.416_627_779_424_524_95,
        }
    }
}

/// Rows at most: 2 limits, the frictionloss row, 2 rows per fingertip–cap contact.
const MAX_ROWS: usize = 7;

/// The finger simulator. `qpos = [proximal, distal, hinge]`; angles about −y, so positive is
/// counter-clockwise in the camera view.
#[derive(Clone, Debug, PartialEq)]
pub struct Finger {
    /// Model parameters.
    pub model: FingerModel,
    qpos: [f64; 3],
    qvel: [f64; 3],
    time: f64,
    touch: [f64; 2],
}

impl Default for Finger {
    fn default() -> Self {
        Finger {
            model: FingerModel::default(),
            qpos: [-std::f64::consts::FRAC_PI_2, 0.0, 0.0],
            qvel: [0.0; 3],
            time: 0.0,
            touch: [0.0; 2],
        }
    }
}

/// A fingertip–spinner contact with the generalised Jacobians of its frame.
struct FrameJacobians {
    contact: Contact,
    normal: [f64; 3],
    tangent: [f64; 3],
}

#[inline]
fn perp(r: [f64; 2]) -> [f64; 2] {
    // Velocity of a point at offset r on a body turning counter-clockwise at unit rate.
    [-r[1], r[0]]
}

#[inline]
fn dot2(a: [f64; 2], b: [f64; 2]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

impl Finger {
    /// World (x, z) of the proximal joint.
    pub const PROXIMAL_JOINT: [f64; 2] = [-0.2, 0.4];
    /// World (x, z) of the spinner hinge.
    pub const HINGE: [f64; 2] = [0.2, 0.4];
    /// Proximal joint to distal joint, m.
    pub const PROXIMAL_LENGTH: f64 = 0.18;
    /// Proximal link capsule: radius and length along the link, m.
    pub const PROXIMAL_CAPSULE: (f64, f64) = (0.03, 0.17);
    /// Distal link capsule (drawn, not colliding): radius and length, m.
    pub const DISTAL_CAPSULE: (f64, f64) = (0.028, 0.16);
    /// Colliding fingertip capsule: radius, start and end along the distal link, m.
    pub const FINGERTIP_CAPSULE: (f64, f64, f64) = (0.03, 0.13, 0.161);
    /// Spinner capsules: radius, half-length, offset of each centre along local x, m.
    pub const SPINNER_CAPSULE: (f64, f64, f64) = (0.04, 0.09, 0.02);
    /// Distance from the hinge to the tip site, m.
    pub const TIP_DISTANCE: f64 = 0.13;
    /// Touch sites: distance along the distal link, offset across it (top +, bottom −), and
    /// the ellipsoid's in-plane radii (across, along), m.
    pub const TOUCH_SITE: (f64, f64, [f64; 2]) = (0.17, 0.01, [0.025, 0.025]);

    /// Unit direction of the proximal link in (x, z).
    pub fn proximal_direction(&self) -> [f64; 2] {
        [self.qpos[0].cos(), self.qpos[0].sin()]
    }
    /// World (x, z) of the distal joint.
    pub fn distal_joint(&self) -> [f64; 2] {
        let a = self.qpos[0];
        let [x, z] = Self::PROXIMAL_JOINT;
        [
            x + Self::PROXIMAL_LENGTH * a.cos(),
            z + Self::PROXIMAL_LENGTH * a.sin(),
        ]
    }
    /// Unit direction of the distal link in (x, z).
    pub fn distal_direction(&self) -> [f64; 2] {
        let a = self.qpos[0] + self.qpos[1];
        [a.cos(), a.sin()]
    }
    /// The fingertip capsule's segment ends in world (x, z); its radius is
    /// `FINGERTIP_CAPSULE.0`.
    pub fn fingertip_segment(&self) -> [[f64; 2]; 2] {
        let [px, pz] = self.distal_joint();
        let [dx, dz] = self.distal_direction();
        let (_, a, b) = Self::FINGERTIP_CAPSULE;
        [[px + a * dx, pz + a * dz], [px + b * dx, pz + b * dz]]
    }
    /// The two spinner capsules (cap1 at local +x, cap2 at local −x) as segment ends in world
    /// (x, z); their radius is `SPINNER_CAPSULE.0`.
    pub fn spinner_segments(&self) -> [[[f64; 2]; 2]; 2] {
        [0, 1].map(|k| {
            let cap = self.spinner_capsule(k);
            let (c, a) = (cap.centre, cap.half_axis);
            [[c[0] - a[0], c[1] - a[1]], [c[0] + a[0], c[1] + a[1]]]
        })
    }
    /// World (x, z) of the tip site on the spinner.
    pub fn tip_position(&self) -> [f64; 2] {
        let q3 = self.qpos[2];
        [
            Self::HINGE[0] - Self::TIP_DISTANCE * q3.sin(),
            Self::HINGE[1] + Self::TIP_DISTANCE * q3.cos(),
        ]
    }
    /// Angular velocity of the spinner, rad/s (positive counter-clockwise; dm_control's
    /// `hinge_velocity`).
    pub fn hinge_velocity(&self) -> f64 {
        self.qvel[2]
    }
    /// `target − hinge` in (x, z) (dm_control's `target_position` observation).
    pub fn target_from_hinge(&self) -> [f64; 2] {
        [
            self.model.target_position[0] - Self::HINGE[0],
            self.model.target_position[1] - Self::HINGE[1],
        ]
    }
    /// `‖target − tip‖ − target_radius`, negative when the tip is inside the target
    /// (dm_control's `dist_to_target`).
    pub fn dist_to_target(&self) -> f64 {
        let [tx, tz] = self.tip_position();
        let [gx, gz] = self.model.target_position;
        (gx - tx).hypot(gz - tz) - self.model.target_radius
    }
    /// World (x, z) of the touch sites' centres, `[top, bottom]`.
    pub fn touch_sites(&self) -> [[f64; 2]; 2] {
        let [px, pz] = self.distal_joint();
        let d = self.distal_direction();
        let n = perp(d);
        let (along, across, _) = Self::TOUCH_SITE;
        [1.0, -1.0].map(|s| {
            [
                px + along * d[0] + s * across * n[0],
                pz + along * d[1] + s * across * n[1],
            ]
        })
    }
    /// Touch sensor readings `[top, bottom]` (sums of contact normal forces), N.
    pub fn touch(&self) -> [f64; 2] {
        self.touch
    }
    /// True while any contact exists (used by the reset's rejection sampling).
    pub fn has_contact(&self) -> bool {
        let tip = self.fingertip_capsule();
        (0..2).any(|k| self.contact_with(&tip, k).is_some())
    }

    fn fingertip_capsule(&self) -> Capsule {
        let [a, b] = self.fingertip_segment();
        Capsule::from_segment(a, b, Self::FINGERTIP_CAPSULE.0)
    }

    /// Spinner capsule `k` (0: cap1 at local +x, 1: cap2 at local −x).
    fn spinner_capsule(&self, k: usize) -> Capsule {
        let (radius, half_length, offset) = Self::SPINNER_CAPSULE;
        let (s, c) = self.qpos[2].sin_cos();
        let side = if k == 0 { offset } else { -offset };
        Capsule {
            centre: [Self::HINGE[0] + side * c, Self::HINGE[1] + side * s],
            half_axis: [-half_length * s, half_length * c],
            radius,
        }
    }

    /// The active contact between the fingertip and spinner capsule `k`, if any.
    fn contact_with(&self, tip: &Capsule, k: usize) -> Option<Contact> {
        let cap = self.spinner_capsule(k);
        if contact::far_apart(
            tip.centre,
            tip.bounding_radius(),
            cap.centre,
            cap.bounding_radius(),
        ) {
            return None;
        }
        Some(contact::capsule_capsule(tip, &cap)).filter(Contact::is_active)
    }

    /// Normal and tangent Jacobians of a fingertip–spinner contact: the spinner's point
    /// velocity minus the distal body's, at the contact point, along the frame axes.
    fn frame_jacobians(&self, contact: Contact) -> FrameJacobians {
        let p = contact.pos;
        let p0 = Self::PROXIMAL_JOINT;
        let p1 = self.distal_joint();
        let columns = [
            perp([-(p[0] - p0[0]), -(p[1] - p0[1])]),
            perp([-(p[0] - p1[0]), -(p[1] - p1[1])]),
            perp([p[0] - Self::HINGE[0], p[1] - Self::HINGE[1]]),
        ];
        let n = contact.normal;
        let t = contact::tangent(n);
        FrameJacobians {
            contact,
            normal: columns.map(|c| dot2(n, c)),
            tangent: columns.map(|c| dot2(t, c)),
        }
    }

    /// `(M11, M12, M22)` of the arm at distal angle q₂.
    fn arm_mass_matrix(&self, q2: f64) -> (f64, f64, f64) {
        let m = &self.model;
        let (l, c2, m2) = (Self::PROXIMAL_LENGTH, m.distal_com, m.distal_mass);
        let m22 = m.distal_inertia + m2 * c2 * c2;
        let m12 = m22 + m2 * l * c2 * q2.cos();
        let m11 = m.proximal_inertia
            + m.proximal_mass * m.proximal_com * m.proximal_com
            + m22
            + m2 * (l * l + 2.0 * l * c2 * q2.cos());
        (m11, m12, m22)
    }

    /// Solves the constraints at the current state under `ctrl`: returns `qacc` (before the
    /// implicit-damping correction) and the touch readings implied by the contact forces.
    fn constrained_acceleration(&self, ctrl: [f64; 2]) -> ([f64; 3], [f64; 2]) {
        let m = &self.model;
        let h = m.timestep;
        let (q, v) = (&self.qpos, &self.qvel);
        let (m11, m12, m22) = self.arm_mass_matrix(q[1]);
        let hb = m.distal_mass * Self::PROXIMAL_LENGTH * m.distal_com * q[1].sin();
        let bias = [-hb * (2.0 * v[0] * v[1] + v[1] * v[1]), hb * v[0] * v[0]];
        let tau = [
            m.gears[0] * ctrl[0] - m.arm_damping * v[0] - bias[0],
            m.gears[1] * ctrl[1] - m.arm_damping * v[1] - bias[1],
        ];
        let arm = crate::linalg::solve_sym2(m11, m12, m22, tau);
        let a0 = [arm[0], arm[1], -m.hinge_damping * v[2] / m.spinner_inertia];
        let mass = [
            [m11, m12, 0.0],
            [m12, m22, 0.0],
            [0.0, 0.0, m.spinner_inertia],
        ];

        let mut rows: Rows<3, MAX_ROWS> = Rows::new();
        // Joint limits: lower r = q − lo, J = +e_i; upper r = hi − q, J = −e_i.
        let (lo, hi) = m.joint_range;
        for i in 0..2 {
            let (r, sign) = if q[i] - lo < 0.0 {
                (q[i] - lo, 1.0)
            } else if hi - q[i] < 0.0 {
                (hi - q[i], -1.0)
            } else {
                continue;
            };
            let mut jac = [0.0; 3];
            jac[i] = sign;
            let dynamics = soft::row_dynamics(
                r,
                sign * v[i],
                m.limit_diag_a[i],
                m.limit_solref,
                m.limit_solimp,
                h,
            );
            rows.push(Row {
                jac,
                aref: dynamics.aref,
                regularizer: dynamics.regularizer,
                kind: RowKind::OneSided,
            });
        }
        // Hinge frictionloss: r = 0 gives d = dmin = 0.9 and aref = −B J v.
        let dynamics = soft::row_dynamics(
            0.0,
            v[2],
            m.frictionloss_diag_a,
            DEFAULT_SOLREF,
            DEFAULT_SOLIMP,
            h,
        );
        rows.push(Row {
            jac: [0.0, 0.0, 1.0],
            aref: dynamics.aref,
            regularizer: dynamics.regularizer,
            kind: RowKind::Friction(m.hinge_frictionloss),
        });
        // Fingertip against cap1 and cap2: elliptic cones.
        let tip = self.fingertip_capsule();
        let mut frames: [Option<(FrameJacobians, usize)>; 2] = [None, None];
        for (k, slot) in frames.iter_mut().enumerate() {
            let Some(contact) = self.contact_with(&tip, k) else {
                continue;
            };
            let frame = self.frame_jacobians(contact);
            let jv = |j: &[f64; 3]| j[0] * v[0] + j[1] * v[1] + j[2] * v[2];
            let (solref, solimp, diag_a) = (m.contact_solref, m.contact_solimp, m.contact_diag_a);
            let normal =
                soft::row_dynamics(contact.dist, jv(&frame.normal), diag_a, solref, solimp, h);
            // Friction rows of an elliptic cone: same impedance, no position term.
            let friction = soft::row_dynamics(0.0, jv(&frame.tangent), diag_a, solref, solimp, h);
            let index = rows.push_cone(
                frame.normal,
                frame.tangent,
                normal.aref,
                friction.aref,
                normal.regularizer,
                m.friction,
            );
            *slot = Some((frame, index));
        }
        let qacc = rows.solve(&mass, &a0);

        // Touch sensors: normal force of contacts seen by each site (ray along the normal,
        // which points away from the fingertip, the first geom).
        let mut touch = [0.0; 2];
        let sites = self.touch_sites();
        let d = self.distal_direction();
        let (_, _, [across, along]) = Self::TOUCH_SITE;
        for (frame, index) in frames.iter().flatten() {
            let force = rows.force(*index);
            if force <= 0.0 {
                continue;
            }
            for (reading, centre) in touch.iter_mut().zip(sites) {
                let c = &frame.contact;
                if contact::ray_hits_ellipse(c.pos, c.normal, centre, d, (along, across)) {
                    *reading += force;
                }
            }
        }
        (qacc, touch)
    }
}

impl Physics for Finger {
    fn timestep(&self) -> f64 {
        self.model.timestep
    }
    fn num_actuators(&self) -> usize {
        2
    }
    fn qpos(&self) -> &[f64] {
        &self.qpos
    }
    fn qvel(&self) -> &[f64] {
        &self.qvel
    }
    /// Also recomputes the touch sensors at the new state with zero control (`mj_forward`).
    fn set_state(&mut self, qpos: &[f64], qvel: &[f64]) -> Result<(), StateLengthError> {
        copy_checked(&mut self.qpos, qpos, "qpos")?;
        copy_checked(&mut self.qvel, qvel, "qvel")?;
        self.touch = self.constrained_acceleration([0.0, 0.0]).1;
        Ok(())
    }
    fn time(&self) -> f64 {
        self.time
    }
    fn reset(&mut self) {
        *self = Finger::default();
    }
    fn step(&mut self, ctrl: &[f64]) {
        let m = &self.model;
        let h = m.timestep;
        let (qacc, touch) =
            self.constrained_acceleration([clamp_ctrl(ctrl[0]), clamp_ctrl(ctrl[1])]);
        // Implicit damping: (M + h D) a = M qacc.
        let (m11, m12, m22) = self.arm_mass_matrix(self.qpos[1]);
        let mq = [m11 * qacc[0] + m12 * qacc[1], m12 * qacc[0] + m22 * qacc[1]];
        let hd = h * m.arm_damping;
        let arm = crate::linalg::solve_sym2(m11 + hd, m12, m22 + hd, mq);
        let spin = m.spinner_inertia * qacc[2] / (m.spinner_inertia + h * m.hinge_damping);
        let acc = [arm[0], arm[1], spin];
        for (i, a) in acc.iter().enumerate() {
            self.qvel[i] += h * a;
            self.qpos[i] += h * self.qvel[i];
        }
        self.touch = touch;
        self.time += h;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(qpos: [f64; 3]) -> Finger {
        let mut p = Finger::default();
        p.set_state(&qpos, &[0.0; 3]).unwrap();
        p
    }

    #[test]
    fn kinematics_follow_the_fact_sheet() {
        let p = at([0.0, 0.0, 0.0]);
        let [a, b] = p.fingertip_segment();
        assert!((a[0] - (-0.2 + 0.18 + 0.13)).abs() < 1e-15 && (a[1] - 0.4).abs() < 1e-15);
        assert!((b[0] - (-0.2 + 0.18 + 0.161)).abs() < 1e-15);
        let [cap1, cap2] = p.spinner_segments();
        let expect = [[0.22, 0.31], [0.22, 0.49]];
        for (got, want) in cap1.iter().flatten().zip(expect.iter().flatten()) {
            assert!((got - want).abs() < 1e-15, "{cap1:?}");
        }
        assert!((cap2[0][0] - 0.18).abs() < 1e-15);
        assert!((p.tip_position()[1] - 0.53).abs() < 1e-15);
        // The resting pose hangs down; touch sites sit across the distal link (top on the
        // counter-clockwise side, i.e. +x when the finger hangs down).
        let p = Finger::default();
        let [top, bottom] = p.touch_sites();
        assert!((top[0] - (-0.2 + 0.01)).abs() < 1e-12 && (top[1] - (0.4 - 0.35)).abs() < 1e-12);
        assert!((bottom[0] - (-0.2 - 0.01)).abs() < 1e-12);
    }

    #[test]
    fn has_contact_for_overlap_only() {
        // Pointing straight at the spinner, the fingertip reaches x = 0.171 > 0.14.
        assert!(at([0.0, 0.0, 0.0]).has_contact());
        // Hanging down, or bent away, nothing touches.
        assert!(!Finger::default().has_contact());
        assert!(!at([0.0, 1.0, 0.0]).has_contact());
        // Just clear of cap2's side: tip reach 0.371 − 0.2 = 0.171; a spinner turned a
        // quarter turn puts its capsule ends at x = 0.2 − 0.13 = 0.07 at z 0.38/0.42 …
        assert!(at([0.0, 0.0, std::f64::consts::FRAC_PI_2]).has_contact());
        // … which the fingertip misses when raised 0.3 rad above them.
        assert!(!at([0.45, -0.2, std::f64::consts::FRAC_PI_2]).has_contact());
    }

    #[test]
    fn reset_draws_are_rejected_at_the_reference_rate() {
        // dm_control draws q1, q2 ~ U(±110°), q3 ~ U(−π, π) and redraws while any contact
        // exists: about 9.6% of draws (dmc_tasks.md §7).
        let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut uniform = || {
            rng ^= rng >> 12;
            rng ^= rng << 25;
            rng ^= rng >> 27;
            (rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
        };
        let lim = 110f64.to_radians();
        let n = 100_000;
        let mut rejected = 0;
        for _ in 0..n {
            let q1 = -lim + 2.0 * lim * uniform();
            let q2 = -lim + 2.0 * lim * uniform();
            let q3 = std::f64::consts::PI * (2.0 * uniform() - 1.0);
            let p = Finger {
                qpos: [q1, q2, q3],
                ..Finger::default()
            };
            rejected += usize::from(p.has_contact());
        }
        let rate = rejected as f64 / n as f64;
        assert!((rate - 0.096).abs() < 0.006, "rejected {rate}");
    }

    #[test]
    fn frictionloss_stops_a_free_spinner_when_the_bound_predicts() {
        // Spin-task damping 0.03 and frictionloss 0.1: I ω̇ = −0.1 − c ω while sliding, so a
        // spinner started at ω₀ stops after t* = (I/c) ln(1 + c ω₀ / 0.1).
        let mut p = Finger::default();
        p.model.hinge_damping = 0.03;
        let omega0 = 2.0;
        p.set_state(
            &[-std::f64::consts::FRAC_PI_2, 0.0, 0.0],
            &[0.0, 0.0, omega0],
        )
        .unwrap();
        let (i, c) = (p.model.spinner_inertia, p.model.hinge_damping);
        let t_stop = i / c * (1.0 + c * omega0 / 0.1).ln();
        assert!((t_stop - 0.199).abs() < 0.001);
        let mut stopped_at = None;
        for step in 0..100 {
            p.step(&[0.0, 0.0]);
            if stopped_at.is_none() && p.hinge_velocity().abs() < 1e-3 {
                stopped_at = Some((step + 1) as f64 * p.model.timestep);
            }
            assert!(
                p.hinge_velocity() > -1e-6,
                "friction never reverses the spin"
            );
        }
        let t = stopped_at.expect("the spinner stops");
        assert!(
            t > t_stop - 0.015 && t < t_stop + 0.04,
            "stopped at {t}, predicted {t_stop}"
        );
        assert!(p.hinge_velocity().abs() < 1e-9);
        assert_eq!(p.touch(), [0.0, 0.0]);
    }

    #[test]
    fn the_joint_limits_hold_with_the_predicted_soft_violation() {
        let mut p = Finger::default();
        for _ in 0..400 {
            p.step(&[1.0, 1.0]);
        }
        // At rest each limit row carries the motor torque f (30, 15 N m), and MuJoCo's soft
        // limit settles where R f = K d |r| (d = dmax = 0.95 deep in), so |r| = f R / (K d).
        let m = p.model.clone();
        let k = 1.0 / (0.95f64.powi(2) * 0.02f64.powi(2));
        let hi = m.joint_range.1;
        for (i, torque) in [30.0, 15.0].into_iter().enumerate() {
            let r = 0.05 / 0.95 * m.limit_diag_a[i];
            let expect = torque * r / (k * 0.95);
            let violation = p.qpos()[i] - hi;
            assert!(
                (violation - expect).abs() < 0.01 * expect,
                "joint {i}: {violation} vs {expect}"
            );
        }
        assert!(p.qvel().iter().all(|v| v.abs() < 1e-6));
        // And back the other way.
        for _ in 0..400 {
            p.step(&[-1.0, -1.0]);
        }
        assert!(p.qpos()[0] < m.joint_range.0 && p.qpos()[0] > m.joint_range.0 - 0.06);
    }

    #[test]
    fn pressing_on_the_spinner_reads_touch_and_spins_it() {
        // Spinner turned a quarter turn (capsules horizontal, cap1 on top, left ends at
        // x = 0.11); fingertip held 4 cm above cap1's left end, then swept down onto it.
        let mut p = at([0.7, -0.6, std::f64::consts::FRAC_PI_2]);
        assert!(!p.has_contact());
        let (mut touched, mut max_touch) = (0, [0.0f64; 2]);
        for _ in 0..30 {
            p.step(&[-1.0, 0.0]);
            let t = p.touch();
            if t[0] > 0.0 || t[1] > 0.0 {
                touched += 1;
            }
            max_touch = [max_touch[0].max(t[0]), max_touch[1].max(t[1])];
            assert!(t.iter().all(|f| *f >= 0.0));
        }
        assert!(touched > 0, "the fingertip touched the spinner");
        // The fingertip presses with its lower (clockwise-side) face: the bottom site reads
        // tens of newtons (30 N m of proximal torque on a ~0.3 m lever), the top one nothing.
        assert!(max_touch[1] > 10.0 && max_touch[0] == 0.0, "{max_touch:?}");
        // Pressing down on the spinner's left side turns it counter-clockwise.
        assert!(p.qpos()[2] > 0.05, "spinner at {:?}", p.qpos());
    }

    #[test]
    fn touch_is_zero_without_contact_and_recomputed_by_set_state() {
        let p = at([0.0, 0.0, 0.0]);
        // The fingertip overlaps the spinner at rest: the contact pushes it out, and the
        // contact point (on the fingertip's end) lies in both overlapping sites.
        let t = p.touch();
        assert!(t[0] > 0.0 && t[1] > 0.0, "{t:?}");
        assert!(
            (t[0] - t[1]).abs() < 1e-12,
            "symmetric contact on the axis: {t:?}"
        );
        let mut q = p.clone();
        q.set_state(&[-std::f64::consts::FRAC_PI_2, 0.0, 0.0], &[0.0; 3])
            .unwrap();
        assert_eq!(q.touch(), [0.0, 0.0]);
    }

    #[test]
    fn controls_beyond_the_range_are_clamped() {
        let mut a = at([0.2, -0.4, 1.0]);
        let mut b = a.clone();
        for _ in 0..100 {
            a.step(&[1.0, -1.0]);
            b.step(&[4.0, -9.0]);
        }
        assert_eq!(a, b);
    }

    #[test]
    fn clones_stepped_alike_stay_bit_identical() {
        let mut a = at([0.3, -0.5, 0.7]);
        for i in 0..100 {
            a.step(&[(i as f64 * 0.2).sin(), (i as f64 * 0.3).cos()]);
        }
        let mut b = a.clone();
        for i in 0..500 {
            let u = [(i as f64 * 0.11).sin(), -(i as f64 * 0.07).cos()];
            a.step(&u);
            b.step(&u);
        }
        assert_eq!(a, b);
    }

    #[test]
    #[ignore = "timing, run with --ignored --nocapture"]
    fn time_per_physics_step() {
        let run = |start: [f64; 3], ctrl: &dyn Fn(f64) -> [f64; 2]| {
            let mut p = at(start);
            let n = 100_000;
            let mut touching = 0;
            let clock = std::time::Instant::now();
            for i in 0..n {
                p.step(&ctrl(i as f64 * 0.01));
                touching += usize::from(p.touch() != [0.0, 0.0]);
            }
            let us = clock.elapsed().as_secs_f64() * 1e6 / n as f64;
            (us, touching as f64 / n as f64)
        };
        let (free, share) = run([0.3, -0.5, 0.7], &|t| [(2.0 * t).sin(), (3.0 * t).cos()]);
        println!("finger, mostly free: {free:.3} µs per physics step ({share:.2} touching)");
        // Worst case: a step from a state with the fingertip overlapping both spinner caps.
        let base = at([0.0, 0.0, 0.0]);
        assert!(base.has_contact());
        let n = 100_000;
        let clock = std::time::Instant::now();
        let mut sum = 0.0;
        for i in 0..n {
            let mut p = base.clone();
            p.step(&[1.0, (i as f64 * 1e-3).sin()]);
            sum += p.touch()[0];
        }
        let us = clock.elapsed().as_secs_f64() * 1e6 / n as f64;
        println!("finger, in contact: {us:.3} µs per physics step (Σ touch {sum:.1})");
    }
}
