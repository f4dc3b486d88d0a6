//! MuJoCo's soft-constraint model, for joint limits, tendon limits and contacts.
//!
//! Every constraint row has a Jacobian `J`, a signed violation `r` (negative when violated),
//! `solref = (timeconst, dampratio)` and `solimp = (dmin, dmax, width, mid, power)`. MuJoCo
//! (Todorov 2014, "Convex and analytically-invertible dynamics with contacts and constraints";
//! MuJoCo documentation, "Computation → Soft constraints") finds constraint forces that pull the
//! constrained acceleration toward a reference acceleration
//!
//! ```text
//! aref = -b (J v) - k d(r) r,   b = 2 / (dmax tc),   k = 1 / (dmax² tc² ζ²)
//! ```
//!
//! with `tc = max(timeconst, 2 h)`, regularised by `R = (1 - d) / d · diagA`, where `diagA` is
//! the model's constant approximation of `J M⁻¹ Jᵀ` computed at compile time. For a single
//! active row the force is `f = max(0, (aref - J a0) / (J M⁻¹ Jᵀ + R))`.

/// `solref`: how stiff and damped the constraint's virtual spring is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SolRef {
    /// Time constant of the virtual mass-spring-damper, in seconds.
    pub timeconst: f64,
    /// Damping ratio (1 is critical damping).
    pub dampratio: f64,
}

/// `solimp`: how the impedance `d` grows with the violation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SolImp {
    /// Impedance at zero violation.
    pub dmin: f64,
    /// Impedance at a violation of `width` or more.
    pub dmax: f64,
    /// Violation over which `d` moves from `dmin` to `dmax`.
    pub width: f64,
    /// Midpoint of the sigmoid, as a fraction of `width`.
    pub mid: f64,
    /// Power of the sigmoid.
    pub power: f64,
}

/// MuJoCo's default `solref`, (0.02, 1).
pub const DEFAULT_SOLREF: SolRef = SolRef {
    timeconst: 0.02,
    dampratio: 1.0,
};
/// MuJoCo's default `solimp`, (0.9, 0.95, 0.001, 0.5, 2).
pub const DEFAULT_SOLIMP: SolImp = SolImp {
    dmin: 0.9,
    dmax: 0.95,
    width: 0.001,
    mid: 0.5,
    power: 2.0,
};

/// MuJoCo clamps the impedance to `[mjMINIMP, mjMAXIMP]`.
const MIN_IMPEDANCE: f64 = 0.0001;
const MAX_IMPEDANCE: f64 = 0.9999;

impl SolImp {
    /// Impedance `d(r)` for a violation `r` (MuJoCo `getimpedance`).
    ///
    /// MuJoCo clamps `dmin` and `dmax` to `[mjMINIMP, mjMAXIMP]` *before* interpolating, so
    /// a `solimp` with `dmin = 0` (finger's contacts) interpolates from 0.0001, not from 0:
    /// the difference, `0.0001 · (1 − y)` in `d`, changes `R` by up to a relative 1e-4.
    pub fn impedance(&self, violation: f64) -> f64 {
        let clamp = |d: f64| d.clamp(MIN_IMPEDANCE, MAX_IMPEDANCE);
        let (dmin, dmax) = (clamp(self.dmin), clamp(self.dmax));
        if dmin == dmax || self.width <= 0.0 {
            return 0.5 * (dmin + dmax);
        }
        let x = (violation.abs() / self.width).min(1.0);
        let y = if x >= 1.0 {
            1.0
        } else if self.power == 1.0 {
            x
        } else if x <= self.mid {
            x.powf(self.power) / self.mid.powf(self.power - 1.0)
        } else {
            1.0 - (1.0 - x).powf(self.power) / (1.0 - self.mid).powf(self.power - 1.0)
        };
        dmin + y * (dmax - dmin)
    }
}

/// The reference acceleration and regulariser of one constraint row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowDynamics {
    /// `aref`, the acceleration the constraint pulls `J a` toward.
    pub aref: f64,
    /// `R`, the diagonal regulariser (softness) of the row.
    pub regularizer: f64,
}

/// `aref` and `R` for a row with violation `r`, constraint velocity `jv = J v` and the model's
/// `diag_a` (see the module docs), at physics time step `h`.
pub fn row_dynamics(
    r: f64,
    jv: f64,
    diag_a: f64,
    solref: SolRef,
    solimp: SolImp,
    h: f64,
) -> RowDynamics {
    let d = solimp.impedance(r);
    let tc = solref.timeconst.max(2.0 * h);
    let dmax = solimp.dmax.clamp(MIN_IMPEDANCE, MAX_IMPEDANCE);
    let b = 2.0 / (dmax * tc);
    let k = 1.0 / (dmax * dmax * tc * tc * solref.dampratio * solref.dampratio);
    RowDynamics {
        aref: -b * jv - k * d * r,
        regularizer: (1.0 - d) / d * diag_a,
    }
}

/// The force of a single active, one-sided row: `max(0, (aref - J a0) / (A + R))`, where
/// `a_row = J M⁻¹ Jᵀ` and `j_a0` is the row's unconstrained acceleration `J a0`.
pub fn single_row_force(dynamics: RowDynamics, a_row: f64, j_a0: f64) -> f64 {
    ((dynamics.aref - j_a0) / (a_row + dynamics.regularizer)).max(0.0)
}

/// Force of a one-sided joint-limit row on a joint with lower and upper limit, for one joint
/// whose own inverse mass entry is `inv_m` (the diagonal of `M⁻¹`) and whose unconstrained
/// acceleration is `a0`. Returns the generalised force (positive pushes `q` up), or 0 when the
/// joint is inside its range. Rows: lower `r = q - lo, J = +1`; upper `r = hi - q, J = -1`.
#[allow(clippy::too_many_arguments)]
pub fn joint_limit_force(
    q: f64,
    v: f64,
    a0: f64,
    inv_m: f64,
    range: (f64, f64),
    diag_a: f64,
    solref: SolRef,
    solimp: SolImp,
    h: f64,
) -> f64 {
    let (lo, hi) = range;
    let (r, j) = if q - lo < 0.0 {
        (q - lo, 1.0)
    } else if hi - q < 0.0 {
        (hi - q, -1.0)
    } else {
        return 0.0;
    };
    let dynamics = row_dynamics(r, j * v, diag_a, solref, solimp, h);
    j * single_row_force(dynamics, inv_m, j * a0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impedance_follows_the_sigmoid() {
        let s = DEFAULT_SOLIMP;
        assert!((s.impedance(0.0) - 0.9).abs() < 1e-15);
        // x = 0.25 <= mid: y = x^2 / mid = 0.125 -> d = 0.9 + 0.125 * 0.05
        assert!((s.impedance(-0.00025) - 0.90625).abs() < 1e-12);
        // x = 0.75 > mid: y = 1 - 0.25^2 / 0.5 = 0.875
        assert!((s.impedance(0.00075) - (0.9 + 0.875 * 0.05)).abs() < 1e-12);
        assert!((s.impedance(-1.0) - 0.95).abs() < 1e-15);
        // dmin = 0 is clamped to mjMINIMP.
        let finger = SolImp {
            dmin: 0.0,
            dmax: 0.9,
            width: 0.01,
            mid: 0.5,
            power: 2.0,
        };
        assert_eq!(finger.impedance(0.0), 0.0001);
    }

    #[test]
    fn impedance_interpolates_between_the_clamped_dmin_and_dmax() {
        // Regression: MuJoCo clamps dmin = 0 to 0.0001 *before* interpolating. Finger's
        // contact solimp (0, 0.9, 0.01, 0.5, 2) at r = -0.0075: x = 0.75 > mid, so
        // y = 1 - 0.25^2 / 0.5 = 0.875 and d = 0.0001 + 0.875 (0.9 - 0.0001) = 0.7875125,
        // not 0.875 · 0.9 = 0.7875 (a 1e-4 relative error in R that showed up as 1e-3 errors
        // in finger's one-step velocities).
        let finger = SolImp {
            dmin: 0.0,
            dmax: 0.9,
            width: 0.01,
            mid: 0.5,
            power: 2.0,
        };
        assert!((finger.impedance(-0.0075) - 0.787_512_5).abs() < 1e-15);
        // Deep in, d = dmax; at the surface, d = the clamped dmin.
        assert!((finger.impedance(-0.02) - 0.9).abs() < 1e-15);
        assert_eq!(finger.impedance(0.0), 0.0001);
        // The regulariser and reference acceleration follow: R = (1 - d)/d · diagA and
        // aref = -B v - K d r with B = 2/(0.9 · 0.02), K = 1/(0.9² · 0.02²) at h = 0.01.
        let solref = SolRef {
            timeconst: 0.02,
            dampratio: 1.0,
        };
        let row = row_dynamics(-0.0075, 0.5, 0.4, solref, finger, 0.01);
        let (d, b, k) = (0.787_512_5, 2.0 / (0.9 * 0.02), 1.0 / (0.81 * 0.0004));
        assert!((row.regularizer - (1.0 - d) / d * 0.4).abs() < 1e-15);
        assert!((row.aref - (-b * 0.5 + k * d * 0.0075)).abs() < 1e-12);
    }

    #[test]
    fn row_dynamics_uses_at_least_two_time_steps() {
        // h = 0.02 makes tc = 0.04 although timeconst = 0.02.
        let d = row_dynamics(-0.01, 0.5, 2.0, DEFAULT_SOLREF, DEFAULT_SOLIMP, 0.02);
        let (b, k) = (
            2.0 / (0.95 * 0.04),
            1.0 / (0.95f64.powi(2) * 0.04f64.powi(2)),
        );
        assert!((d.aref - (-b * 0.5 + k * 0.95 * 0.01)).abs() < 1e-9);
        assert!((d.regularizer - 0.05 / 0.95 * 2.0).abs() < 1e-12);
    }

    #[test]
    fn limit_force_pushes_back_only_when_violated() {
        let args = (1.0, DEFAULT_SOLREF, DEFAULT_SOLIMP, 0.01);
        let f_in = joint_limit_force(
            0.0,
            0.0,
            0.0,
            1.0,
            (-1.0, 1.0),
            args.0,
            args.1,
            args.2,
            args.3,
        );
        assert_eq!(f_in, 0.0);
        let f_lo = joint_limit_force(
            -1.01,
            -1.0,
            0.0,
            1.0,
            (-1.0, 1.0),
            args.0,
            args.1,
            args.2,
            args.3,
        );
        assert!(f_lo > 0.0);
        let f_hi = joint_limit_force(
            1.01,
            1.0,
            0.0,
            1.0,
            (-1.0, 1.0),
            args.0,
            args.1,
            args.2,
            args.3,
        );
        assert!(f_hi < 0.0);
        assert!(
            (f_lo + f_hi).abs() < 1e-12,
            "symmetric violations give opposite forces"
        );
    }
}
