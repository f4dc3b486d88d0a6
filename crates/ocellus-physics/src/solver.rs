//! A small exact solver for several soft-constraint rows (limits, dof friction, contacts).
//!
//! MuJoCo (Todorov 2014, "Convex and analytically-invertible dynamics with contacts and
//! constraints"; MuJoCo documentation, "Computation → Constraint model / Solver") finds the
//! constraint forces `f` of one step as the minimiser of the convex dual problem
//!
//! ```text
//! minimise ½ fᵀ (A + R) f + fᵀ (J a0 − aref),   A = J M⁻¹ Jᵀ,   f ∈ K
//! ```
//!
//! (`dmc_tasks.md` §0.4), where `K` is `f ≥ 0` for limits and pyramid edges, `|f| ≤ F` for
//! dof frictionloss, and the friction cone `|f_t| ≤ μ f_n` for elliptic contacts. The
//! constrained acceleration is `a = a0 + M⁻¹ Jᵀ f`. Equivalently (and this is the form MuJoCo's
//! Newton solver works in) `a` minimises the primal cost
//!
//! ```text
//! ½ (a − a0)ᵀ M (a − a0) + Σ s(J a − aref),   s(j) = max_{f ∈ K} (−fᵀ j − ½ fᵀ R f),
//! ```
//!
//! whose gradient gives back the forces as `f = Π_K(−R⁻¹ (J a − aref))`. The cost is convex,
//! piecewise quadratic and C¹, so Newton's method with an exact line search reaches the exact
//! minimiser in a few iterations: as soon as a full Newton step lands in the same piece
//! (the same set of active rows / cone zones) it started from, that point has zero gradient.
//! With at most 4 degrees of freedom each iteration costs a few hundred flops.
//!
//! The elliptic cone: in these planar models the out-of-plane tangent row has a zero
//! Jacobian, so its force is 0 at the optimum and the cone reduces to the wedge
//! `|f_t| ≤ μ f_n` in (normal, in-plane tangent). Its projection is exact and Euclidean
//! because MuJoCo gives the normal and friction rows of an elliptic contact the same
//! regulariser when all friction coefficients are equal and `impratio = 1` (true for finger).

// Small dense linear algebra reads best with explicit indices.
#![allow(clippy::needless_range_loop)]

use std::array;

/// How a row's force is constrained.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum RowKind {
    /// `f ≥ 0`: joint and tendon limits, pyramidal contact edges.
    OneSided,
    /// `|f| ≤ bound`: dof frictionloss.
    Friction(f64),
    /// The normal row of an elliptic contact with friction coefficient μ; the next row is its
    /// in-plane tangent and the pair obeys `|f_t| ≤ μ f_n`.
    ConeNormal(f64),
    /// The tangent row that follows a [`RowKind::ConeNormal`].
    ConeTangent,
}

/// One constraint row over `N` degrees of freedom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Row<const N: usize> {
    /// Jacobian `J` (one row).
    pub jac: [f64; N],
    /// Reference acceleration `aref`.
    pub aref: f64,
    /// Regulariser `R > 0`.
    pub regularizer: f64,
    /// The force constraint.
    pub kind: RowKind,
}

impl<const N: usize> Row<N> {
    const EMPTY: Row<N> = Row {
        jac: [0.0; N],
        aref: 0.0,
        regularizer: 1.0,
        kind: RowKind::OneSided,
    };
}

/// Which piece of the piecewise-quadratic cost a row (or a cone, at its normal row) is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Zone {
    /// No force (a satisfied limit, a cone's apex).
    Free,
    /// Force linear in `J a`: a violated limit, unsaturated friction, inside the cone.
    Quadratic,
    /// Friction at `+bound`, or a cone on its `f_t = +μ f_n` edge.
    Upper,
    /// Friction at `−bound`, or a cone on its `f_t = −μ f_n` edge.
    Lower,
    /// A cone's tangent row (its zone lives on the normal row).
    Follower,
}

/// Projects `z = (z_n, z_t)` on the wedge `|f_t| ≤ μ f_n`: returns the force and the zone.
#[inline]
fn project_wedge(zn: f64, zt: f64, mu: f64) -> (f64, f64, Zone) {
    if zt.abs() <= mu * zn {
        return (zn, zt, Zone::Quadratic);
    }
    let (s, zone) = if zt >= 0.0 {
        (1.0, Zone::Upper)
    } else {
        (-1.0, Zone::Lower)
    };
    // Unit edge direction e = (1, s μ) / √(1 + μ²).
    let norm = (1.0 + mu * mu).sqrt();
    let (e0, e1) = (1.0 / norm, s * mu / norm);
    let along = zn * e0 + zt * e1;
    if along > 0.0 {
        (along * e0, along * e1, zone)
    } else {
        (0.0, 0.0, Zone::Free)
    }
}

/// The force of row `i` (and `i + 1` for a cone) given `J a − aref` of those rows, with the
/// zone and, for the line search, `Σ jp·f` and the curvature `Σ (∂f/∂j jp)·jp`.
#[inline]
fn row_response(kind: RowKind, reg: f64, jar: [f64; 2], jp: [f64; 2]) -> ([f64; 2], Zone, f64) {
    let d = 1.0 / reg;
    match kind {
        RowKind::OneSided => {
            if jar[0] < 0.0 {
                ([-d * jar[0], 0.0], Zone::Quadratic, d * jp[0] * jp[0])
            } else {
                ([0.0, 0.0], Zone::Free, 0.0)
            }
        }
        RowKind::Friction(bound) => {
            let z = -d * jar[0];
            if z > bound {
                ([bound, 0.0], Zone::Upper, 0.0)
            } else if z < -bound {
                ([-bound, 0.0], Zone::Lower, 0.0)
            } else {
                ([z, 0.0], Zone::Quadratic, d * jp[0] * jp[0])
            }
        }
        RowKind::ConeNormal(mu) => {
            let (fn_, ft, zone) = project_wedge(-d * jar[0], -d * jar[1], mu);
            let curvature = match zone {
                Zone::Quadratic => d * (jp[0] * jp[0] + jp[1] * jp[1]),
                Zone::Upper | Zone::Lower => {
                    let s = if zone == Zone::Upper { 1.0 } else { -1.0 };
                    let e = (jp[0] + s * mu * jp[1]) / (1.0 + mu * mu).sqrt();
                    d * e * e
                }
                _ => 0.0,
            };
            ([fn_, ft], zone, curvature)
        }
        RowKind::ConeTangent => ([0.0, 0.0], Zone::Follower, 0.0),
    }
}

/// Up to `CAP` rows over `N` degrees of freedom, and their forces after [`Rows::solve`].
#[derive(Clone, Debug)]
pub(crate) struct Rows<const N: usize, const CAP: usize> {
    rows: [Row<N>; CAP],
    force: [f64; CAP],
    len: usize,
}

/// Newton iterations before giving up (each usually changes the active set a lot; 2–4 are
/// typical).
const MAX_NEWTON: usize = 50;
/// Line-search iterations (the derivative is piecewise linear, so Newton steps on it land
/// exactly once inside the right piece).
const MAX_LINE_SEARCH: usize = 60;

impl<const N: usize, const CAP: usize> Rows<N, CAP> {
    /// No rows.
    pub fn new() -> Self {
        Rows {
            rows: [Row::EMPTY; CAP],
            force: [0.0; CAP],
            len: 0,
        }
    }

    /// Removes all rows.
    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Number of rows.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Row `i`.
    #[cfg(test)]
    pub fn row(&self, i: usize) -> &Row<N> {
        &self.rows[..self.len][i]
    }

    /// The force of row `i` from the last [`Rows::solve`].
    #[inline]
    pub fn force(&self, i: usize) -> f64 {
        self.force[..self.len][i]
    }

    /// Appends a row and returns its index. Panics past the capacity, which each model sizes
    /// for its worst case.
    #[inline]
    pub fn push(&mut self, row: Row<N>) -> usize {
        assert!(self.len < CAP, "constraint row capacity {CAP} exceeded");
        debug_assert!(row.regularizer > 0.0);
        self.rows[self.len] = row;
        self.force[self.len] = 0.0;
        self.len += 1;
        self.len - 1
    }

    /// Appends an elliptic contact (normal row, then in-plane tangent row) sharing the
    /// regulariser `reg`; returns the normal row's index.
    #[allow(clippy::too_many_arguments)]
    pub fn push_cone(
        &mut self,
        jac_n: [f64; N],
        jac_t: [f64; N],
        aref_n: f64,
        aref_t: f64,
        reg: f64,
        mu: f64,
    ) -> usize {
        let i = self.push(Row {
            jac: jac_n,
            aref: aref_n,
            regularizer: reg,
            kind: RowKind::ConeNormal(mu),
        });
        self.push(Row {
            jac: jac_t,
            aref: aref_t,
            regularizer: reg,
            kind: RowKind::ConeTangent,
        });
        i
    }

    /// `J a − aref` of row `i` and (for a cone) of its tangent row.
    #[inline]
    fn residual(&self, i: usize, a: &[f64; N]) -> [f64; 2] {
        let r = &self.rows[i];
        let first = dot(&r.jac, a) - r.aref;
        if let RowKind::ConeNormal(_) = r.kind {
            let t = &self.rows[i + 1];
            [first, dot(&t.jac, a) - t.aref]
        } else {
            [first, 0.0]
        }
    }

    /// Forces, zones, gradient `M (a − a0) − Jᵀ f` and Hessian at `a`.
    fn evaluate(
        &mut self,
        m: &[[f64; N]; N],
        a0: &[f64; N],
        a: &[f64; N],
        zones: &mut [Zone; CAP],
    ) -> ([f64; N], [[f64; N]; N]) {
        let mut hess = *m;
        let mut grad = [0.0; N];
        for (i, g) in grad.iter_mut().enumerate() {
            *g = (0..N).map(|k| m[i][k] * (a[k] - a0[k])).sum();
        }
        let mut i = 0;
        while i < self.len {
            let jar = self.residual(i, a);
            let row = self.rows[i];
            let (f, zone, _) = row_response(row.kind, row.regularizer, jar, [0.0, 0.0]);
            zones[i] = zone;
            self.force[i] = f[0];
            let d = 1.0 / row.regularizer;
            for k in 0..N {
                grad[k] -= row.jac[k] * f[0];
            }
            match (row.kind, zone) {
                (RowKind::ConeNormal(mu), _) => {
                    let tangent = self.rows[i + 1];
                    zones[i + 1] = Zone::Follower;
                    self.force[i + 1] = f[1];
                    for k in 0..N {
                        grad[k] -= tangent.jac[k] * f[1];
                    }
                    match zone {
                        Zone::Quadratic => {
                            add_outer(&mut hess, &row.jac, d);
                            add_outer(&mut hess, &tangent.jac, d);
                        }
                        Zone::Upper | Zone::Lower => {
                            let s = if zone == Zone::Upper { mu } else { -mu };
                            let norm = (1.0 + mu * mu).sqrt();
                            let e: [f64; N] =
                                array::from_fn(|k| (row.jac[k] + s * tangent.jac[k]) / norm);
                            add_outer(&mut hess, &e, d);
                        }
                        _ => {}
                    }
                    i += 2;
                }
                (_, Zone::Quadratic) => {
                    add_outer(&mut hess, &row.jac, d);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        (grad, hess)
    }

    /// Exact minimiser along `a + α p` (α > 0) of the primal cost; `gp = pᵀ ∇cost(a) < 0`.
    fn line_search(&self, m: &[[f64; N]; N], a0: &[f64; N], a: &[f64; N], p: &[f64; N]) -> f64 {
        // φ'(α) = pᵀ M (a − a0) + α pᵀ M p − Σ (J p)ᵀ f(J a − aref + α J p).
        let mut mp = [0.0; N];
        for (i, v) in mp.iter_mut().enumerate() {
            *v = (0..N).map(|k| m[i][k] * p[k]).sum();
        }
        let pmp = dot(p, &mp);
        let base: f64 = (0..N).map(|k| mp[k] * (a[k] - a0[k])).sum();
        let mut jar = [[0.0; 2]; CAP];
        let mut jp = [[0.0; 2]; CAP];
        for i in 0..self.len {
            jar[i] = self.residual(i, a);
            let r = &self.rows[i];
            jp[i][0] = dot(&r.jac, p);
            if let RowKind::ConeNormal(_) = r.kind {
                jp[i][1] = dot(&self.rows[i + 1].jac, p);
            }
        }
        let derivatives = |alpha: f64| {
            let mut d1 = base + alpha * pmp;
            let mut d2 = pmp;
            for i in 0..self.len {
                let r = &self.rows[i];
                let j = [jar[i][0] + alpha * jp[i][0], jar[i][1] + alpha * jp[i][1]];
                let (f, _, curvature) = row_response(r.kind, r.regularizer, j, jp[i]);
                d1 -= jp[i][0] * f[0] + jp[i][1] * f[1];
                d2 += curvature;
            }
            (d1, d2)
        };
        let slope0 = derivatives(0.0).0;
        if slope0 >= 0.0 {
            return 0.0;
        }
        let tol = 1e-12 * slope0.abs();
        let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
        let mut alpha = 1.0;
        for _ in 0..MAX_LINE_SEARCH {
            let (d1, d2) = derivatives(alpha);
            if d1.abs() <= tol {
                break;
            }
            if d1 < 0.0 {
                lo = alpha;
            } else {
                hi = alpha;
            }
            // d2 ≥ pᵀ M p > 0, so the Newton step is defined; keep it inside the bracket.
            let mut next = alpha - d1 / d2;
            if next <= lo || next >= hi {
                next = 0.5 * (lo + hi);
            }
            if hi - lo <= 1e-15 * hi {
                break;
            }
            alpha = next;
        }
        alpha
    }

    /// Solves for the constrained acceleration given the mass matrix `m` (symmetric positive
    /// definite) and the unconstrained acceleration `a0`; the row forces are then available
    /// from [`Rows::force`].
    pub fn solve(&mut self, m: &[[f64; N]; N], a0: &[f64; N]) -> [f64; N] {
        let mut a = *a0;
        if self.len == 0 {
            return a;
        }
        let mut zones = [Zone::Free; CAP];
        let mut trial_zones = [Zone::Free; CAP];
        let (mut grad, mut hess) = self.evaluate(m, a0, &a, &mut zones);
        let grad_tol = 1e-13 * norm_inf(&grad);
        for _ in 0..MAX_NEWTON {
            if norm_inf(&grad) <= grad_tol {
                break;
            }
            let step = cholesky_solve(&hess, &grad);
            let p: [f64; N] = array::from_fn(|k| -step[k]);
            // A full step that stays in the same piece lands on the exact minimiser.
            let trial: [f64; N] = array::from_fn(|k| a[k] + p[k]);
            let (g_trial, h_trial) = self.evaluate(m, a0, &trial, &mut trial_zones);
            if trial_zones[..self.len] == zones[..self.len] {
                a = trial;
                break;
            }
            let alpha = self.line_search(m, a0, &a, &p);
            if alpha == 1.0 {
                (a, grad, hess, zones) = (trial, g_trial, h_trial, trial_zones);
                continue;
            }
            let next: [f64; N] = array::from_fn(|k| a[k] + alpha * p[k]);
            if next == a {
                break;
            }
            a = next;
            (grad, hess) = self.evaluate(m, a0, &a, &mut zones);
        }
        // Leave the forces consistent with the returned acceleration.
        self.evaluate(m, a0, &a, &mut zones);
        a
    }
}

#[inline]
fn dot<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for k in 0..N {
        s += a[k] * b[k];
    }
    s
}

#[inline]
fn norm_inf<const N: usize>(v: &[f64; N]) -> f64 {
    v.iter().fold(0.0, |m: f64, x| m.max(x.abs()))
}

/// `h += d · j jᵀ`.
#[inline]
fn add_outer<const N: usize>(h: &mut [[f64; N]; N], j: &[f64; N], d: f64) {
    for r in 0..N {
        for c in 0..N {
            h[r][c] += d * j[r] * j[c];
        }
    }
}

/// Solves `h x = b` for a symmetric positive-definite `h` by Cholesky factorisation.
fn cholesky_solve<const N: usize>(h: &[[f64; N]; N], b: &[f64; N]) -> [f64; N] {
    let mut l = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..=i {
            let mut s = h[i][j];
            for k in 0..j {
                s -= l[i][k] * l[j][k];
            }
            l[i][j] = if i == j { s.sqrt() } else { s / l[j][j] };
        }
    }
    let mut y = [0.0; N];
    for i in 0..N {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i][k] * y[k];
        }
        y[i] = s / l[i][i];
    }
    let mut x = [0.0; N];
    for i in (0..N).rev() {
        let mut s = y[i];
        for k in i + 1..N {
            s -= l[k][i] * x[k];
        }
        x[i] = s / l[i][i];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soft::{self, DEFAULT_SOLIMP, DEFAULT_SOLREF};

    const M2: [[f64; 2]; 2] = [[2.0, 0.3], [0.3, 0.5]];

    fn inv2(m: &[[f64; 2]; 2]) -> [[f64; 2]; 2] {
        let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        [
            [m[1][1] / det, -m[0][1] / det],
            [-m[1][0] / det, m[0][0] / det],
        ]
    }

    /// The dual objective ½ fᵀ(A + R)f + fᵀ(J a0 − aref) for rows over 2 dofs.
    fn dual_cost(rows: &Rows<2, 8>, a0: &[f64; 2], f: &[f64]) -> f64 {
        let mi = inv2(&M2);
        let n = rows.len();
        let mut cost = 0.0;
        for i in 0..n {
            let ri = rows.row(i);
            let b = dot(&ri.jac, a0) - ri.aref;
            cost += f[i] * b + 0.5 * ri.regularizer * f[i] * f[i];
            for j in 0..n {
                let rj = rows.row(j);
                let mut a = 0.0;
                for r in 0..2 {
                    for c in 0..2 {
                        a += ri.jac[r] * mi[r][c] * rj.jac[c];
                    }
                }
                cost += 0.5 * f[i] * a * f[j];
            }
        }
        cost
    }

    #[test]
    fn one_row_matches_the_closed_form_force() {
        // A violated limit on dof 1 of a coupled 2-dof system: the solver must reproduce
        // soft::single_row_force with A = (M⁻¹)₁₁.
        let (q, v, h, diag_a) = (-0.004, -0.3, 0.01, 2.5);
        let dynamics = soft::row_dynamics(q, v, diag_a, DEFAULT_SOLREF, DEFAULT_SOLIMP, h);
        let a0 = [0.7, -2.0];
        let mut rows: Rows<2, 8> = Rows::new();
        rows.push(Row {
            jac: [0.0, 1.0],
            aref: dynamics.aref,
            regularizer: dynamics.regularizer,
            kind: RowKind::OneSided,
        });
        let a = rows.solve(&M2, &a0);
        let mi = inv2(&M2);
        let f = soft::single_row_force(dynamics, mi[1][1], a0[1]);
        assert!(f > 0.0);
        assert!(
            (rows.force(0) - f).abs() < 1e-12 * f,
            "{} vs {f}",
            rows.force(0)
        );
        assert!((a[0] - (a0[0] + mi[0][1] * f)).abs() < 1e-12);
        assert!((a[1] - (a0[1] + mi[1][1] * f)).abs() < 1e-12);
    }

    #[test]
    fn friction_row_saturates_at_its_bound() {
        let mut rows: Rows<2, 8> = Rows::new();
        rows.push(Row {
            jac: [1.0, 0.0],
            aref: -50.0,
            regularizer: 0.1,
            kind: RowKind::Friction(0.1),
        });
        let a0 = [0.0, 0.0];
        rows.solve(&M2, &a0);
        assert_eq!(rows.force(0), -0.1);
        // A slow row stays inside the bound and exactly solves (A + R) f = aref − J a0.
        rows.clear();
        rows.push(Row {
            jac: [1.0, 0.0],
            aref: -0.01,
            regularizer: 0.1,
            kind: RowKind::Friction(0.1),
        });
        rows.solve(&M2, &a0);
        let a = inv2(&M2)[0][0];
        assert!((rows.force(0) - (-0.01 / (a + 0.1))).abs() < 1e-14);
    }

    /// Exact enumeration of the 2-row dual over the wedge: the unconstrained minimiser if it
    /// is feasible, else the best of the two edge rays and the apex.
    fn enumerate_cone(rows: &Rows<2, 8>, a0: &[f64; 2], mu: f64) -> (f64, [f64; 2]) {
        let cost = |f: [f64; 2]| dual_cost(rows, a0, &f);
        // Q and b of the dual from finite differences of the (quadratic) cost.
        let c0 = cost([0.0, 0.0]);
        let b = [
            0.5 * (cost([1.0, 0.0]) - cost([-1.0, 0.0])),
            0.5 * (cost([0.0, 1.0]) - cost([0.0, -1.0])),
        ];
        let q00 = cost([1.0, 0.0]) + cost([-1.0, 0.0]) - 2.0 * c0;
        let q11 = cost([0.0, 1.0]) + cost([0.0, -1.0]) - 2.0 * c0;
        let q01 = cost([1.0, 1.0]) - c0 - b[0] - b[1] - 0.5 * (q00 + q11);
        let det = q00 * q11 - q01 * q01;
        let free = [
            -(q11 * b[0] - q01 * b[1]) / det,
            -(q00 * b[1] - q01 * b[0]) / det,
        ];
        let mut best = (c0, [0.0, 0.0]);
        if free[0] >= 0.0 && free[1].abs() <= mu * free[0] {
            return (cost(free), free);
        }
        for s in [1.0, -1.0] {
            let e = [1.0, s * mu];
            let ebe = e[0] * e[0] * q00 + 2.0 * e[0] * e[1] * q01 + e[1] * e[1] * q11;
            let t = (-(e[0] * b[0] + e[1] * b[1]) / ebe).max(0.0);
            let f = [t * e[0], t * e[1]];
            if cost(f) < best.0 {
                best = (cost(f), f);
            }
        }
        best
    }

    #[test]
    fn elliptic_contact_matches_a_brute_force_dual_minimum() {
        let mu = 1.0;
        // Sticking (inside the cone), sliding (on an edge) and separating (apex).
        for (aref_n, aref_t, expect_edge) in
            [(3.0, 0.5, false), (3.0, 9.0, true), (-1.0, 0.2, false)]
        {
            let mut rows: Rows<2, 8> = Rows::new();
            rows.push_cone([0.6, 0.8], [-0.8, 0.6], aref_n, aref_t, 0.2, mu);
            let a0 = [0.1, -0.4];
            rows.solve(&M2, &a0);
            let f = [rows.force(0), rows.force(1)];
            let (best_cost, best) = enumerate_cone(&rows, &a0, mu);
            let cost = dual_cost(&rows, &a0, &f);
            assert!(f[0] >= 0.0 && f[1].abs() <= mu * f[0] + 1e-12, "{f:?}");
            assert!(
                cost <= best_cost + 1e-9,
                "{f:?} costs {cost}, brute force {best:?} {best_cost}"
            );
            assert!((f[0] - best[0]).abs() < 1e-9 && (f[1] - best[1]).abs() < 1e-9);
            if expect_edge {
                assert!((f[1].abs() - mu * f[0]).abs() < 1e-12, "sliding: {f:?}");
            }
        }
    }

    #[test]
    fn coupled_one_sided_rows_satisfy_the_complementarity_conditions() {
        // Three rows, two of them pulling against each other through the coupled mass matrix.
        let mut rows: Rows<2, 8> = Rows::new();
        for (jac, aref, reg) in [
            ([1.0, 0.0], 2.0, 0.05),
            ([0.0, 1.0], 1.0, 0.3),
            ([1.0, 1.0], -5.0, 0.1),
            ([-1.0, 0.5], 4.0, 0.02),
        ] {
            rows.push(Row {
                jac,
                aref,
                regularizer: reg,
                kind: RowKind::OneSided,
            });
        }
        let a0 = [-1.0, 0.5];
        let a = rows.solve(&M2, &a0);
        // KKT of the dual: f ≥ 0, w = J a − aref + R f ≥ 0, f·w = 0, a = a0 + M⁻¹ Jᵀ f.
        let mi = inv2(&M2);
        let mut jtf = [0.0, 0.0];
        for i in 0..rows.len() {
            let r = rows.row(i);
            let f = rows.force(i);
            let w = dot(&r.jac, &a) - r.aref + r.regularizer * f;
            assert!(
                f >= 0.0 && w >= -1e-10 && (f * w).abs() < 1e-10,
                "row {i}: f {f}, w {w}"
            );
            jtf[0] += r.jac[0] * f;
            jtf[1] += r.jac[1] * f;
        }
        for k in 0..2 {
            let expect = a0[k] + mi[k][0] * jtf[0] + mi[k][1] * jtf[1];
            assert!((a[k] - expect).abs() < 1e-10);
        }
        assert!((0..rows.len()).filter(|&i| rows.force(i) > 0.0).count() >= 2);
    }
}
