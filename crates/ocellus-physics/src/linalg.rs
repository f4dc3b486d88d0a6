//! The little linear algebra planar chains need: 2x2 solves.

/// Solves `[[a, b], [b, d]] x = r` for a symmetric positive-definite 2x2 matrix.
#[inline]
pub(crate) fn solve_sym2(a: f64, b: f64, d: f64, r: [f64; 2]) -> [f64; 2] {
    let det = a * d - b * b;
    [(d * r[0] - b * r[1]) / det, (a * r[1] - b * r[0]) / det]
}

/// The inverse of a symmetric 2x2 matrix as `(a, b, d)` of `[[a, b], [b, d]]`.
#[inline]
pub(crate) fn inv_sym2(a: f64, b: f64, d: f64) -> (f64, f64, f64) {
    let det = a * d - b * b;
    (d / det, -b / det, a / det)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_matches_hand_computed() {
        // [[2, 1], [1, 3]] x = [3, 5] -> x = [4/5, 7/5]
        let x = solve_sym2(2.0, 1.0, 3.0, [3.0, 5.0]);
        assert!((x[0] - 0.8).abs() < 1e-15 && (x[1] - 1.4).abs() < 1e-15);
        let (a, b, d) = inv_sym2(2.0, 1.0, 3.0);
        assert!((a - 0.6).abs() < 1e-15 && (b + 0.2).abs() < 1e-15 && (d - 0.4).abs() < 1e-15);
    }
}
