//! Ball in cup: a cup on springs with a ball on a string (dm_control `suite/ball_in_cup.py`,
//! `suite/ball_in_cup.xml`; dm_control 1.0.50 on MuJoCo 3.x, compiled values from
//! `dmc_tasks.md` §6 and the constraint model of §0.4).
//!
//! `qpos = [cup_x, cup_z, ball_x, ball_z]`: two slide joints per body, no rotation, so the
//! mass matrix is `diag(m_cup, m_cup, m_ball, m_ball)` and the bias is just gravity. World
//! positions are cup = (cup_x, 0.6 + cup_z) and ball = (ball_x, 0.2 + ball_z).
//!
//! Equations of one step (h = 0.002, semi-implicit Euler with implicit damping, §0.3):
//! * `τ = [5 u₁ − 20 q₁ − 3 q̇₁,  5 u₂ − 20 q₂ − 3 q̇₂ − m_cup g,  0,  −m_ball g]` (motors of
//!   gear 5 on the cup joints; explicit springs of stiffness 20 to 0; damping 3);
//!   `a0 = M⁻¹ τ`.
//! * Constraint rows, each with MuJoCo's soft dynamics `aref = −B J v − K d(r) r`,
//!   `R = (1 − d)/d · diagA` ([`crate::soft`]):
//!   - the string: a tendon from the ball centre to the cup site at cup-local (0, −0.108),
//!     limited to length ≤ 0.3: `r = 0.3 − ℓ`, `J = −∂ℓ/∂q`, diagA 30.62738, default
//!     solref/solimp;
//!   - contacts ball–cup capsules (sphere first, normal from ball to cup), ball–ground and
//!     cup–ground (2 points per capsule) with μ = 1, condim 3, pyramidal cone: four rows
//!     `J_n ± μ J_t1`, `J_n ± μ J_t2`, all with `r = dist` and diagA `4 (w_a + w_b)` (body
//!     weights cup 10.23234, ball 15.27887, world 0). The out-of-plane tangent `t2` has a
//!     zero Jacobian, so two of the four rows are plain `J_n`.
//! * The forces minimise MuJoCo's convex constraint problem, solved exactly by
//!   `solver.rs`; `qacc = a0 + M⁻¹ Jᵀ f`.
//! * `(M + h D) a = M qacc`, `v ← v + h a`, `q ← q + h v`.
//!
//! **Deviations from MuJoCo**
//! 1. The constraint problem is solved to machine precision by a primal Newton method with
//!    exact line search; MuJoCo's Newton solver stops at tolerance 1e-8 (100 iterations), so
//!    forces differ at that level.
//! 2. Contacts are recomputed from the state at the start of every step (as `mj_step` does),
//!    but without MuJoCo's bounding-box broad phase: bounding circles reject far pairs and the
//!    exact narrow-phase tests below decide the rest, which gives the same contact set.
//! 3. Parallel-capsule special cases do not arise (the ball is a sphere).

use crate::contact::{self, Capsule, Contact};
use crate::soft::{self, SolImp, SolRef, DEFAULT_SOLIMP, DEFAULT_SOLREF};
use crate::solver::{Row, RowKind, Rows};
use crate::{clamp_ctrl, joint_state_accessors, Physics};

/// Compiled parameters of `ball_in_cup.xml`.
#[derive(Clone, Debug, PartialEq)]
pub struct BallInCupModel {
    /// Physics time step, s.
    pub timestep: f64,
    /// Cup mass, kg.
    pub cup_mass: f64,
    /// Ball mass, kg.
    pub ball_mass: f64,
    /// Gravitational acceleration (acting along −z), m/s².
    pub gravity: f64,
    /// Stiffness of the springs pulling cup_x and cup_z back to 0, N/m.
    pub cup_stiffness: f64,
    /// Damping of cup_x and cup_z, N s/m.
    pub cup_damping: f64,
    /// Gear of both motors (force = gear × clamped control), N.
    pub gear: f64,
    /// Maximum string length (the tendon's upper limit), m.
    pub string_length: f64,
    /// Compiled `diagA` of the string limit row.
    pub string_diag_a: f64,
    /// String limit `solref`.
    pub string_solref: SolRef,
    /// String limit `solimp`.
    pub string_solimp: SolImp,
    /// Compiled body weight (`body_invweight0`) of the cup.
    pub cup_weight: f64,
    /// Compiled body weight (`body_invweight0`) of the ball.
    pub ball_weight: f64,
    /// Sliding friction coefficient of every contact.
    pub friction: f64,
    /// Contact `solref`.
    pub contact_solref: SolRef,
    /// Contact `solimp`.
    pub contact_solimp: SolImp,
}

impl Default for BallInCupModel {
    fn default() -> Self {
        BallInCupModel {
            timestep: 0.002,
            // MuJoCo 3.17 compiled `body_mass` of `cup` / `ball`.
            cup_mass: 0.065_152_914_292_309_28,
            ball_mass: 0.065_449_846_949_787_37,
            gravity: 9.81,
            cup_stiffness: 20.0,
            cup_damping: 3.0,
            gear: 5.0,
            string_length: 0.3,
            // MuJoCo 3.17 compiled `tendon_invweight0` of `string`.
            string_diag_a: 30.627_382_134_095_17,
            string_solref: DEFAULT_SOLREF,
            string_solimp: DEFAULT_SOLIMP,
            // MuJoCo 3.17 compiled `body_invweight0[:, 0]` (translation) of `cup` / `ball`.
            cup_weight: 10.232_338_398_182_147,
            ball_weight: 15.278_874_536_821_95,
            friction: 1.0,
            contact_solref: DEFAULT_SOLREF,
            contact_solimp: DEFAULT_SOLIMP,
        }
    }
}

/// The bodies a contact can involve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    World,
    Cup,
    Ball,
}

/// Contacts at most: 5 ball–cup, 1 ball–ground, 2 per cup capsule on the ground.
const MAX_CONTACTS: usize = 16;
/// Constraint rows at most: the string plus 4 pyramid edges per contact.
const MAX_ROWS: usize = 1 + 4 * MAX_CONTACTS;

/// A contact with its two bodies (normal from `first` to `second`).
#[derive(Clone, Copy, Debug)]
struct BodyContact {
    contact: Contact,
    first: Body,
    second: Body,
}

/// The ball-in-cup simulator. `qpos = [cup_x, cup_z, ball_x, ball_z]` (joint coordinates).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BallInCup {
    /// Model parameters.
    pub model: BallInCupModel,
    qpos: [f64; 4],
    qvel: [f64; 4],
    time: f64,
}

impl BallInCup {
    /// World height of the cup's joint origin, m.
    pub const CUP_HEIGHT: f64 = 0.6;
    /// World height of the ball's joint origin, m.
    pub const BALL_HEIGHT: f64 = 0.2;
    /// Ball radius, m.
    pub const BALL_RADIUS: f64 = 0.025;
    /// Radius of the five capsules forming the cup, m.
    pub const CUP_CAPSULE_RADIUS: f64 = 0.008;
    /// The cup's capsules as segments in cup-local (x, z), m.
    pub const CUP_SEGMENTS: [[[f64; 2]; 2]; 5] = [
        [[-0.05, 0.0], [-0.05, -0.075]],
        [[-0.05, -0.075], [-0.025, -0.1]],
        [[-0.025, -0.1], [0.025, -0.1]],
        [[0.025, -0.1], [0.05, -0.075]],
        [[0.05, -0.075], [0.05, 0.0]],
    ];
    /// Where the string is tied, in cup-local (x, z), m.
    pub const STRING_ANCHOR: [f64; 2] = [0.0, -0.108];
    /// Centre of the target box in cup-local (x, z), m (the `target` site).
    pub const TARGET_CENTRE: [f64; 2] = [0.0, -0.05];
    /// Half-size of the target box, m.
    pub const TARGET_HALF_SIZE: f64 = 0.05;

    /// Centre of a circle in cup-local (x, z) that bounds all cup capsules (broad phase).
    const CUP_BOUND_CENTRE: [f64; 2] = [0.0, -0.05];
    /// Its radius: the farthest segment end (±0.05, 0 or −0.1) plus the capsule radius.
    const CUP_BOUND_RADIUS: f64 = 0.070_710_678_118_654_76 + Self::CUP_CAPSULE_RADIUS;

    /// World (x, z) of the cup origin.
    pub fn cup_position(&self) -> [f64; 2] {
        [self.qpos[0], Self::CUP_HEIGHT + self.qpos[1]]
    }
    /// World (x, z) of the ball centre.
    pub fn ball_position(&self) -> [f64; 2] {
        [self.qpos[2], Self::BALL_HEIGHT + self.qpos[3]]
    }
    /// World (x, z) of the string's anchor in the cup.
    pub fn string_anchor(&self) -> [f64; 2] {
        let [cx, cz] = self.cup_position();
        [cx + Self::STRING_ANCHOR[0], cz + Self::STRING_ANCHOR[1]]
    }
    /// Current length of the string (anchor to ball centre), m. It may exceed
    /// `model.string_length` slightly: the limit is soft.
    pub fn string_length(&self) -> f64 {
        let [ax, az] = self.string_anchor();
        let [bx, bz] = self.ball_position();
        (bx - ax).hypot(bz - az)
    }
    /// The cup's five capsule segments in world (x, z), m.
    pub fn cup_segments(&self) -> [[[f64; 2]; 2]; 5] {
        let [cx, cz] = self.cup_position();
        Self::CUP_SEGMENTS.map(|seg| seg.map(|[x, z]| [cx + x, cz + z]))
    }
    /// The task's success condition (`ball_in_cup.py`, `BallInCup.in_target`): the ball
    /// centre lies strictly inside the target box shrunk by the ball radius, i.e.
    /// `|ball_x − cup_x| < 0.025` and `|ball_z − (cup_z − 0.05)| < 0.025` in world coordinates.
    pub fn in_target(&self) -> bool {
        let [cx, cz] = self.cup_position();
        let [bx, bz] = self.ball_position();
        let half = Self::TARGET_HALF_SIZE - Self::BALL_RADIUS;
        (bx - (cx + Self::TARGET_CENTRE[0])).abs() < half
            && (bz - (cz + Self::TARGET_CENTRE[1])).abs() < half
    }
    /// True while any contact exists (ball–cup, ball–ground or cup–ground) at the current
    /// state. dm_control's reset redraws the ball position until this is false.
    pub fn has_contact(&self) -> bool {
        let mut contacts = [None; MAX_CONTACTS];
        self.contacts(&mut contacts) > 0
    }

    /// The cup capsule `k` in world coordinates.
    fn cup_capsule(&self, k: usize) -> Capsule {
        let [cx, cz] = self.cup_position();
        let [a, b] = Self::CUP_SEGMENTS[k];
        Capsule::from_segment(
            [cx + a[0], cz + a[1]],
            [cx + b[0], cz + b[1]],
            Self::CUP_CAPSULE_RADIUS,
        )
    }

    /// Writes the active contacts into `out` and returns how many there are.
    fn contacts(&self, out: &mut [Option<BodyContact>; MAX_CONTACTS]) -> usize {
        let mut n = 0;
        let mut add = |contact: Contact, first: Body, second: Body| {
            if contact.is_active() {
                out[n] = Some(BodyContact {
                    contact,
                    first,
                    second,
                });
                n += 1;
            }
        };
        let ball = self.ball_position();
        let [cx, cz] = self.cup_position();
        let bound_centre = [
            cx + Self::CUP_BOUND_CENTRE[0],
            cz + Self::CUP_BOUND_CENTRE[1],
        ];
        if !contact::far_apart(
            ball,
            Self::BALL_RADIUS,
            bound_centre,
            Self::CUP_BOUND_RADIUS,
        ) {
            for k in 0..5 {
                let cap = self.cup_capsule(k);
                if contact::far_apart(ball, Self::BALL_RADIUS, cap.centre, cap.bounding_radius()) {
                    continue;
                }
                add(
                    contact::sphere_capsule(ball, Self::BALL_RADIUS, &cap),
                    Body::Ball,
                    Body::Cup,
                );
            }
        }
        if ball[1] < Self::BALL_RADIUS {
            add(
                contact::plane_sphere(ball, Self::BALL_RADIUS),
                Body::World,
                Body::Ball,
            );
        }
        // The lowest cup point is the bottom capsule at cup-local z = −0.1.
        if cz - 0.1 - Self::CUP_CAPSULE_RADIUS < 0.0 {
            for k in 0..5 {
                for c in contact::plane_capsule(&self.cup_capsule(k)) {
                    add(c, Body::World, Body::Cup);
                }
            }
        }
        n
    }

    /// Jacobian of a body's velocity along the world direction `w`.
    fn body_jacobian(body: Body, w: [f64; 2]) -> [f64; 4] {
        match body {
            Body::World => [0.0; 4],
            Body::Cup => [w[0], w[1], 0.0, 0.0],
            Body::Ball => [0.0, 0.0, w[0], w[1]],
        }
    }

    fn body_weight(&self, body: Body) -> f64 {
        match body {
            Body::World => 0.0,
            Body::Cup => self.model.cup_weight,
            Body::Ball => self.model.ball_weight,
        }
    }

    /// Collects the constraint rows active at the current state.
    fn constraint_rows(&self, rows: &mut Rows<4, MAX_ROWS>) {
        let m = &self.model;
        let h = m.timestep;
        let v = &self.qvel;
        let dot = |j: &[f64; 4]| j[0] * v[0] + j[1] * v[1] + j[2] * v[2] + j[3] * v[3];
        // The string: r = L − ℓ, J = −∂ℓ/∂q = [u, −u] with u the unit vector anchor → ball.
        let [ax, az] = self.string_anchor();
        let [bx, bz] = self.ball_position();
        let length = (bx - ax).hypot(bz - az);
        let r = m.string_length - length;
        if r < 0.0 {
            let u = [(bx - ax) / length, (bz - az) / length];
            let jac = [u[0], u[1], -u[0], -u[1]];
            let dynamics = soft::row_dynamics(
                r,
                dot(&jac),
                m.string_diag_a,
                m.string_solref,
                m.string_solimp,
                h,
            );
            rows.push(Row {
                jac,
                aref: dynamics.aref,
                regularizer: dynamics.regularizer,
                kind: RowKind::OneSided,
            });
        }
        // Contacts: pyramidal cone with 4 edges J_n ± μ J_t1, J_n ± μ J_t2 (J_t2 = 0).
        let mut contacts = [None; MAX_CONTACTS];
        let n = self.contacts(&mut contacts);
        for c in contacts[..n].iter().flatten() {
            let normal = c.contact.normal;
            let tangent = contact::tangent(normal);
            let jac_n = sub4(
                Self::body_jacobian(c.second, normal),
                Self::body_jacobian(c.first, normal),
            );
            let jac_t = sub4(
                Self::body_jacobian(c.second, tangent),
                Self::body_jacobian(c.first, tangent),
            );
            let diag_a = 4.0 * (self.body_weight(c.first) + self.body_weight(c.second));
            for s in [1.0, -1.0, 0.0, 0.0] {
                let jac: [f64; 4] = std::array::from_fn(|k| jac_n[k] + s * m.friction * jac_t[k]);
                let dynamics = soft::row_dynamics(
                    c.contact.dist,
                    dot(&jac),
                    diag_a,
                    m.contact_solref,
                    m.contact_solimp,
                    h,
                );
                rows.push(Row {
                    jac,
                    aref: dynamics.aref,
                    regularizer: dynamics.regularizer,
                    kind: RowKind::OneSided,
                });
            }
        }
    }

    /// The diagonal of the mass matrix.
    fn mass_diagonal(&self) -> [f64; 4] {
        let (mc, mb) = (self.model.cup_mass, self.model.ball_mass);
        [mc, mc, mb, mb]
    }

    /// The constrained acceleration `qacc` under `ctrl` at the current state (before the
    /// implicit-damping correction), with the rows and forces that produced it.
    fn constrained_acceleration(&self, ctrl: &[f64], rows: &mut Rows<4, MAX_ROWS>) -> [f64; 4] {
        let m = &self.model;
        let (q, v) = (&self.qpos, &self.qvel);
        let mass = self.mass_diagonal();
        let (k, c) = (m.cup_stiffness, m.cup_damping);
        let tau = [
            m.gear * clamp_ctrl(ctrl[0]) - k * q[0] - c * v[0],
            m.gear * clamp_ctrl(ctrl[1]) - k * q[1] - c * v[1] - m.cup_mass * m.gravity,
            0.0,
            -m.ball_mass * m.gravity,
        ];
        let a0: [f64; 4] = std::array::from_fn(|i| tau[i] / mass[i]);
        rows.clear();
        self.constraint_rows(rows);
        let mut mass_matrix = [[0.0; 4]; 4];
        for (i, row) in mass_matrix.iter_mut().enumerate() {
            row[i] = mass[i];
        }
        rows.solve(&mass_matrix, &a0)
    }
}

#[inline]
fn sub4(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]]
}

impl Physics for BallInCup {
    fn timestep(&self) -> f64 {
        self.model.timestep
    }
    fn num_actuators(&self) -> usize {
        2
    }
    joint_state_accessors!();
    fn reset(&mut self) {
        *self = BallInCup::default();
    }
    fn step(&mut self, ctrl: &[f64]) {
        let h = self.model.timestep;
        let mut rows = Rows::new();
        let qacc = self.constrained_acceleration(ctrl, &mut rows);
        // Implicit damping: (M + h D) a = M qacc, D = diag(c, c, 0, 0).
        let mass = self.mass_diagonal();
        let damping = [self.model.cup_damping, self.model.cup_damping, 0.0, 0.0];
        for i in 0..4 {
            let acc = mass[i] * qacc[i] / (mass[i] + h * damping[i]);
            self.qvel[i] += h * acc;
            self.qpos[i] += h * self.qvel[i];
        }
        self.time += h;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(cup: [f64; 2], ball_world: [f64; 2]) -> BallInCup {
        let mut p = BallInCup::default();
        p.set_state(
            &[
                cup[0],
                cup[1],
                ball_world[0],
                ball_world[1] - BallInCup::BALL_HEIGHT,
            ],
            &[0.0; 4],
        )
        .unwrap();
        p
    }

    #[test]
    fn has_contact_detects_overlap_only() {
        // Ball resting on the cup's bottom capsule, overlapping by 1 mm.
        let inside = state([0.0, 0.0], [0.0, 0.6 - 0.1 + 0.008 + 0.025 - 0.001]);
        assert!(inside.has_contact());
        // The same ball lifted 2 mm clear of the bottom touches nothing.
        let clear = state([0.0, 0.0], [0.0, 0.6 - 0.1 + 0.008 + 0.025 + 0.002]);
        assert!(!clear.has_contact());
        // Far beside the cup, and on the ground.
        assert!(!state([0.0, 0.0], [0.15, 0.4]).has_contact());
        assert!(state([0.0, 0.0], [0.15, 0.02]).has_contact());
        // Against the outside of a wall.
        assert!(state([0.0, 0.0], [0.05 + 0.008 + 0.024, 0.55]).has_contact());
        assert!(!state([0.0, 0.0], [0.05 + 0.008 + 0.026, 0.55]).has_contact());
        // The default state (ball 0.2 below, cup at rest) has none: it is a valid reset.
        assert!(!BallInCup::default().has_contact());
    }

    /// A small deterministic uniform generator on [0, 1) for sampling tests (xorshift64*).
    fn uniform(state: &mut u64) -> f64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn reset_draws_are_rejected_at_the_reference_rate() {
        // dm_control draws ball_x ~ U(−0.2, 0.2), ball_z ~ U(0.2, 0.5) with the cup at rest and
        // redraws while any contact exists: about 17% of draws (dmc_tasks.md §6).
        let mut rng = 0x9e37_79b9_7f4a_7c15;
        let n = 100_000;
        let mut rejected = 0;
        let mut p = BallInCup::default();
        for _ in 0..n {
            let x = -0.2 + 0.4 * uniform(&mut rng);
            let z = 0.2 + 0.3 * uniform(&mut rng);
            p.set_state(&[0.0, 0.0, x, z], &[0.0; 4]).unwrap();
            rejected += usize::from(p.has_contact());
        }
        let rate = rejected as f64 / n as f64;
        assert!((rate - 0.17).abs() < 0.01, "rejected {rate}");
    }

    #[test]
    fn string_row_matches_the_closed_form_single_row_force() {
        // Ball 1 cm beyond the string's reach straight below the anchor, moving away: the
        // only row is the string, so f = max(0, (aref − J a0)/(J M⁻¹ Jᵀ + R)).
        let mut p = state([0.0, 0.0], [0.0, 0.492 - 0.31]);
        p.qvel = [0.0, 0.0, 0.0, -0.5];
        let mut rows = Rows::new();
        let qacc = p.constrained_acceleration(&[0.0, 0.0], &mut rows);
        assert_eq!(rows.len(), 1);
        let m = &p.model;
        let jac = [0.0, -1.0, 0.0, 1.0]; // u = (0, −1): J = [u, −u]
        let jv = -0.5;
        let dynamics = soft::row_dynamics(
            -0.01,
            jv,
            m.string_diag_a,
            DEFAULT_SOLREF,
            DEFAULT_SOLIMP,
            m.timestep,
        );
        let a0 = [0.0, -m.gravity, 0.0, -m.gravity];
        let j_a0: f64 = (0..4).map(|k| jac[k] * a0[k]).sum();
        let a_row = 1.0 / m.cup_mass + 1.0 / m.ball_mass;
        let f = soft::single_row_force(dynamics, a_row, j_a0);
        assert!(f > 0.0);
        assert!((rows.force(0) - f).abs() < 1e-12 * f);
        assert!((qacc[3] - (a0[3] + f / m.ball_mass)).abs() < 1e-9);
        assert!((qacc[1] - (a0[1] - f / m.cup_mass)).abs() < 1e-9);
    }

    #[test]
    fn three_contacts_in_the_cup_corner_satisfy_the_dual_optimality_conditions() {
        // Ball wedged into the lower-left corner, overlapping the bottom, the slanted and the
        // left wall capsules, and sliding: 3 contacts × 4 pyramid edges, coupled through the
        // ball's and the cup's masses.
        let mut p = state([0.0, 0.0], [-0.022, 0.6 - 0.069]);
        p.qvel = [0.1, -0.2, 0.4, -0.3];
        let mut rows = Rows::new();
        let qacc = p.constrained_acceleration(&[0.5, -0.5], &mut rows);
        assert_eq!(rows.len(), 12);
        let mass = p.mass_diagonal();
        let mut jtf = [0.0; 4];
        for i in 0..rows.len() {
            let r = rows.row(i);
            let f = rows.force(i);
            let ja: f64 = (0..4).map(|k| r.jac[k] * qacc[k]).sum();
            // KKT of min ½ fᵀ(A + R)f + fᵀ(J a0 − aref), f ≥ 0, with a = a0 + M⁻¹Jᵀf:
            let w = ja - r.aref + r.regularizer * f;
            assert!(
                f >= 0.0 && w > -1e-9 && (f * w).abs() < 1e-9,
                "row {i}: f {f}, w {w}"
            );
            for (sum, j) in jtf.iter_mut().zip(r.jac) {
                *sum += j * f;
            }
        }
        let m = &p.model;
        let a0 = [
            (m.gear * 0.5 - 0.1 * m.cup_damping) / m.cup_mass,
            (-m.gear * 0.5 + 0.2 * m.cup_damping) / m.cup_mass - m.gravity,
            0.0,
            -m.gravity,
        ];
        for k in 0..4 {
            assert!((qacc[k] - (a0[k] + jtf[k] / mass[k])).abs() < 1e-9);
        }
        assert!((0..12).filter(|&i| rows.force(i) > 0.0).count() >= 4);
    }

    #[test]
    fn springs_hold_the_cup_at_its_static_sag() {
        // Alone (string made long enough that the ball just lies on the ground): the cup
        // settles at −m g / k = −0.032 m.
        let mut p = state([0.1, 0.1], [0.3, 0.1]);
        p.model.string_length = 10.0;
        for _ in 0..5000 {
            p.step(&[0.0, 0.0]);
        }
        let sag = p.model.cup_mass * p.model.gravity / p.model.cup_stiffness;
        assert!((sag - 0.032).abs() < 1e-3);
        assert!(p.qpos()[0].abs() < 1e-6, "x returns to 0: {:?}", p.qpos());
        assert!((p.qpos()[1] + sag).abs() < 1e-6, "{:?}", p.qpos());
        // With the ball hanging on the taut string the sag doubles to 0.064 m.
        let mut p = state([0.0, 0.0], [0.0, 0.492 - 0.3]);
        for _ in 0..10000 {
            p.step(&[0.0, 0.0]);
        }
        assert!((p.qpos()[1] + 0.064).abs() < 1e-3, "{:?}", p.qpos());
        assert!(p.qpos()[0].abs() < 1e-9 && p.qvel().iter().all(|v| v.abs() < 1e-4));
    }

    #[test]
    fn a_dropped_ball_comes_to_rest_on_the_ground() {
        // Hold the cup low (full downward thrust) so the string is slack with the ball on
        // the ground, and drop the ball from 0.3 m.
        let mut p = state([0.0, -0.25], [0.12, 0.3]);
        let r = BallInCup::BALL_RADIUS;
        // Hand-derived reference: with no tangential motion the four pyramid edges of the
        // ball–ground contact carry equal force and diagA = 4 w_ball = 4 / m_ball, so the
        // normal acceleration is exactly a = d·aref + (1 − d)·a0 with a0 = −g. Integrate that
        // 1-D model alongside.
        let (m, h) = (p.model.clone(), p.model.timestep);
        let (mut z, mut vz) = (0.3, 0.0);
        let mut lowest = f64::INFINITY;
        let mut lowest_1d = f64::INFINITY;
        for _ in 0..3000 {
            p.step(&[0.0, -1.0]);
            lowest = lowest.min(p.ball_position()[1]);
            assert!(p.string_length() < 0.3, "string stays slack");
            let dist = z - r;
            let acc = if dist < 0.0 {
                let dyn_ = soft::row_dynamics(dist, vz, 1.0, m.contact_solref, m.contact_solimp, h);
                let d = m.contact_solimp.impedance(dist);
                d * dyn_.aref + (1.0 - d) * -m.gravity
            } else {
                -m.gravity
            };
            vz += h * acc;
            z += h * vz;
            lowest_1d = lowest_1d.min(z);
        }
        assert!((lowest - lowest_1d).abs() < 1e-9, "{lowest} vs {lowest_1d}");
        // MuJoCo's default contact is a critically damped spring with ω = 1/(dmax·tc) = 50/s
        // (in the reference acceleration): arriving at v₀ = 2.3 m/s it sinks about
        // v₀/(e ω) ≈ 15 mm on impact before pushing the ball back out.
        let v0 = (2.0 * m.gravity * (0.3 - r)).sqrt();
        let sink = r - lowest;
        assert!(
            sink > 0.0 && sink < v0 / (std::f64::consts::E * 50.0),
            "sank {sink} m"
        );
        // At rest it sits a fraction of a millimetre deep.
        let z = p.ball_position()[1];
        assert!(z < r && r - z < 0.001, "rests at {z}");
        assert!(p.qvel()[2].abs() < 1e-6 && p.qvel()[3].abs() < 1e-6);
    }

    #[test]
    fn a_ball_in_the_held_cup_stays_in_the_target() {
        let mut p = state([0.0, 0.0], [0.0, 0.6 - 0.1 + 0.008 + 0.025 + 0.001]);
        assert!(p.in_target());
        for i in 0..3000 {
            p.step(&[0.0, 0.0]);
            assert!(p.in_target(), "left the target at step {i}: {:?}", p.qpos());
        }
        // The ball rests on the bottom capsule and the cup sags under both weights.
        let rel = p.ball_position()[1] - p.cup_position()[1];
        assert!((rel - (-0.1 + 0.008 + 0.025)).abs() < 0.001, "{rel}");
        assert!((p.qpos()[1] + 0.064).abs() < 0.002, "{:?}", p.qpos());
    }

    /// Rate of change of the string length, m/s.
    fn string_rate(p: &BallInCup) -> f64 {
        let [ax, az] = p.string_anchor();
        let [bx, bz] = p.ball_position();
        let len = (bx - ax).hypot(bz - az);
        let v = p.qvel();
        ((bx - ax) * (v[2] - v[0]) + (bz - az) * (v[3] - v[1])) / len
    }

    #[test]
    fn the_string_barely_stretches_while_the_cup_is_shaken() {
        // Gentle swinging: the string stays within a few millimetres of 0.3 m.
        let mut p = BallInCup::default();
        let mut longest: f64 = 0.0;
        for i in 0..10_000 {
            let t = i as f64 * p.model.timestep;
            p.step(&[0.6 * (4.0 * t).sin(), 0.3 * (6.0 * t).cos()]);
            longest = longest.max(p.string_length());
        }
        assert!(longest > 0.3, "the string was pulled taut");
        assert!(longest < 0.305, "stretched to {longest}");
        // Violent bang-bang shaking jerks the ball against the string at several m/s. The
        // string limit (diagA = 1/m_cup + 1/m_ball exactly) is a critically damped spring with
        // ω = 50/s, so a ball arriving at relative speed v overshoots by at most ≈ v/(e ω),
        // plus a little for the forces acting meanwhile.
        let mut p = BallInCup::default();
        let (mut longest, mut fastest): (f64, f64) = (0.0, 0.0);
        for i in 0..10_000 {
            let t = i as f64 * p.model.timestep;
            p.step(&[(7.0 * t).sin().signum(), (11.0 * t).cos().signum()]);
            let len = p.string_length();
            if len <= 0.3 {
                fastest = fastest.max(string_rate(&p));
            }
            longest = longest.max(len);
        }
        let bound = fastest / (std::f64::consts::E * 50.0) + 0.004;
        assert!(fastest > 2.0, "the ball was jerked at {fastest} m/s");
        assert!(
            longest - 0.3 < bound,
            "stretched to {longest}, bound 0.3 + {bound}"
        );
        assert!(p.qpos().iter().all(|q| q.is_finite()));
    }

    #[test]
    fn controls_beyond_the_range_are_clamped() {
        let mut a = BallInCup::default();
        let mut b = BallInCup::default();
        for _ in 0..200 {
            a.step(&[1.0, -1.0]);
            b.step(&[7.0, -30.0]);
        }
        assert_eq!(a, b);
        assert!(a.qpos()[0] > 0.05);
    }

    #[test]
    fn clones_stepped_alike_stay_bit_identical() {
        let mut a = state([0.02, -0.03], [0.05, 0.45]);
        for i in 0..300 {
            a.step(&[(i as f64 * 0.1).sin(), 0.5]);
        }
        let mut b = a.clone();
        for i in 0..1000 {
            let u = [(i as f64 * 0.05).cos(), -(i as f64 * 0.07).sin()];
            a.step(&u);
            b.step(&u);
        }
        assert_eq!(a.qpos(), b.qpos());
        assert_eq!(a.qvel(), b.qvel());
        assert_eq!(a.time(), b.time());
    }

    #[test]
    #[ignore = "timing, run with --ignored --nocapture"]
    fn time_per_physics_step() {
        let run = |start: BallInCup, label: &str| {
            let mut p = start;
            let n = 200_000;
            let mut touching = 0;
            let clock = std::time::Instant::now();
            for i in 0..n {
                let t = i as f64 * 0.002;
                p.step(&[0.3 * (3.0 * t).sin(), 0.3 * (5.0 * t).cos()]);
                touching += usize::from(p.has_contact());
            }
            let total = clock.elapsed().as_secs_f64();
            // Time the contact query alone, to subtract it.
            let clock = std::time::Instant::now();
            for _ in 0..n {
                touching += usize::from(std::hint::black_box(&p).has_contact());
            }
            let us = (total - clock.elapsed().as_secs_f64()) * 1e6 / n as f64;
            println!("ball_in_cup, {label}: ≈{us:.3} µs per physics step ({touching} contacts)");
        };
        run(
            state([0.0, 0.0], [0.0, 0.6 - 0.1 + 0.008 + 0.025 + 0.001]),
            "ball in the cup",
        );
        run(BallInCup::default(), "ball on the string");
    }
}
