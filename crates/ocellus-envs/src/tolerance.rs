//! dm_control's reward shaping function, `utils/rewards.py::tolerance`.
//!
//! Every control-suite reward is built from it, which is why rewards lie in [0, 1]: it is 1
//! inside `bounds`, and outside decays with the distance to the nearest bound, measured in
//! units of `margin`, along a sigmoid scaled so that it equals `value_at_margin` at one margin.

/// The decay shape outside the bounds (dm_control's `_sigmoids`), as a function of the
/// normalised distance `d >= 0` (1 at one margin).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sigmoid {
    /// `exp(-½ (d c)²)`, i.e. `v^(d²)`.
    Gaussian,
    /// `1 / cosh(d c)`.
    Hyperbolic,
    /// `1 / ((d c)² + 1)`.
    LongTail,
    /// `1 / (d c + 1)`.
    Reciprocal,
    /// `(1 + cos(π d c)) / 2` for `d c < 1`, else 0.
    Cosine,
    /// `1 − d c` for `d c < 1`, else 0.
    Linear,
    /// `1 − (d c)²` for `d c < 1`, else 0.
    Quadratic,
    /// `1 − tanh²(d c)`.
    TanhSquared,
}

/// The sigmoid at normalised distance `d`, scaled so that `s(0) = 1` and `s(1) = value_at_1`.
///
/// # Panics
/// If `value_at_1` is outside the range the sigmoid allows (dm_control raises `ValueError`):
/// (0, 1) for the unbounded shapes, [0, 1) for cosine, linear and quadratic. Task code passes
/// constants, so this is a programmer error.
pub fn sigmoid(d: f64, value_at_1: f64, shape: Sigmoid) -> f64 {
    use std::f64::consts::PI;
    let v = value_at_1;
    match shape {
        Sigmoid::Cosine | Sigmoid::Linear | Sigmoid::Quadratic => {
            assert!(
                (0.0..1.0).contains(&v),
                "value_at_1 must be in [0, 1), got {v}"
            )
        }
        _ => assert!(v > 0.0 && v < 1.0, "value_at_1 must be in (0, 1), got {v}"),
    }
    match shape {
        Sigmoid::Gaussian => {
            let c = (-2.0 * v.ln()).sqrt();
            (-0.5 * (d * c).powi(2)).exp()
        }
        Sigmoid::Hyperbolic => {
            let c = (1.0 / v).acosh();
            1.0 / (d * c).cosh()
        }
        Sigmoid::LongTail => {
            let c = (1.0 / v - 1.0).sqrt();
            1.0 / ((d * c).powi(2) + 1.0)
        }
        Sigmoid::Reciprocal => {
            let c = 1.0 / v - 1.0;
            1.0 / (d * c + 1.0)
        }
        Sigmoid::Cosine => {
            let c = (2.0 * v - 1.0).acos() / PI;
            let x = d * c;
            if x < 1.0 {
                (1.0 + (PI * x).cos()) / 2.0
            } else {
                0.0
            }
        }
        Sigmoid::Linear => {
            let x = d * (1.0 - v);
            if x < 1.0 {
                1.0 - x
            } else {
                0.0
            }
        }
        Sigmoid::Quadratic => {
            let x = d * (1.0 - v).sqrt();
            if x < 1.0 {
                1.0 - x * x
            } else {
                0.0
            }
        }
        Sigmoid::TanhSquared => {
            let c = (1.0 - v).sqrt().atanh();
            1.0 - (d * c).tanh().powi(2)
        }
    }
}

/// `tolerance(x, bounds, margin, sigmoid, value_at_margin)`: 1 when `lo <= x <= hi`; otherwise
/// 0 if `margin == 0`, else `sigmoid(distance_to_bounds / margin)`.
///
/// ```
/// use ocellus_envs::tolerance::{tolerance, Sigmoid};
/// // Cartpole's "centered" term: gaussian with margin 2, so 0.1 at 2 m from the centre.
/// assert!((tolerance(2.0, (0.0, 0.0), 2.0, Sigmoid::Gaussian, 0.1) - 0.1).abs() < 1e-12);
/// assert_eq!(tolerance(0.5, (0.0, 1.0), 0.0, Sigmoid::Gaussian, 0.1), 1.0);
/// ```
///
/// # Panics
/// If `lo > hi` or `margin < 0` (dm_control raises `ValueError`); task code passes constants.
pub fn tolerance(
    x: f64,
    bounds: (f64, f64),
    margin: f64,
    shape: Sigmoid,
    value_at_margin: f64,
) -> f64 {
    let (lo, hi) = bounds;
    assert!(
        lo <= hi,
        "lower bound {lo} must not exceed upper bound {hi}"
    );
    assert!(margin >= 0.0, "margin must be non-negative, got {margin}");
    if lo <= x && x <= hi {
        return 1.0;
    }
    if margin == 0.0 {
        return 0.0;
    }
    let d = if x < lo { lo - x } else { x - hi } / margin;
    sigmoid(d, value_at_margin, shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Sigmoid; 8] = [
        Sigmoid::Gaussian,
        Sigmoid::Hyperbolic,
        Sigmoid::LongTail,
        Sigmoid::Reciprocal,
        Sigmoid::Cosine,
        Sigmoid::Linear,
        Sigmoid::Quadratic,
        Sigmoid::TanhSquared,
    ];

    // As dm_control's utils/rewards_test.py: value 1 on the bounds, value_at_margin at one
    // margin beyond either bound, monotone decay in between.
    #[test]
    fn every_sigmoid_hits_value_at_margin_at_one_margin() {
        for shape in ALL {
            for v in [0.1, 0.5, 0.9] {
                let (lo, hi, margin) = (-1.0, 2.0, 0.7);
                assert_eq!(tolerance(lo, (lo, hi), margin, shape, v), 1.0);
                assert_eq!(tolerance(hi, (lo, hi), margin, shape, v), 1.0);
                let above = tolerance(hi + margin, (lo, hi), margin, shape, v);
                let below = tolerance(lo - margin, (lo, hi), margin, shape, v);
                assert!((above - v).abs() < 1e-12, "{shape:?} v={v}: {above}");
                assert!((below - v).abs() < 1e-12, "{shape:?} v={v}: {below}");
                let mut prev = 1.0;
                for k in 1..=40 {
                    let y = tolerance(hi + margin * k as f64 / 10.0, (lo, hi), margin, shape, v);
                    assert!(
                        y <= prev && (0.0..=1.0).contains(&y),
                        "{shape:?} not decaying"
                    );
                    prev = y;
                }
            }
        }
    }

    #[test]
    fn bounded_shapes_reach_zero_and_zero_margin_is_a_step() {
        for shape in [Sigmoid::Linear, Sigmoid::Quadratic, Sigmoid::Cosine] {
            assert_eq!(tolerance(10.0, (0.0, 0.0), 1.0, shape, 0.0), 0.0);
        }
        assert_eq!(
            tolerance(1e-9, (0.0, 0.0), 0.0, Sigmoid::Gaussian, 0.1),
            0.0
        );
    }

    #[test]
    fn hand_computed_values() {
        // Gaussian: 0.1^(d²) with d = 0.5 -> 0.1^0.25
        let g = tolerance(1.0, (0.0, 0.0), 2.0, Sigmoid::Gaussian, 0.1);
        assert!((g - 0.1f64.powf(0.25)).abs() < 1e-12);
        // Quadratic with v = 0 (cartpole's small_control): 1 - u² inside one margin.
        let q = tolerance(0.6, (0.0, 0.0), 1.0, Sigmoid::Quadratic, 0.0);
        assert!((q - 0.64).abs() < 1e-12);
        // Long tail: 1 / ((d c)² + 1) with c² = 1/v - 1 = 9, d = 2 -> 1/37
        let l = tolerance(3.0, (0.0, 1.0), 1.0, Sigmoid::LongTail, 0.1);
        assert!((l - 1.0 / 37.0).abs() < 1e-12);
    }
}
