//! MuJoCo's classical Runge–Kutta integrator (`mj_RungeKutta`, 4 stages).

/// One RK4 step of `(q, v)` over `h`, with `accel(q, v)` the constrained acceleration and the
/// control held constant. Butcher tableau: nodes (0, ½, ½, 1), weights (1/6, 1/3, 1/3, 1/6).
#[inline]
pub(crate) fn rk4<const N: usize>(
    q: &mut [f64; N],
    v: &mut [f64; N],
    h: f64,
    accel: impl Fn(&[f64; N], &[f64; N]) -> [f64; N],
) {
    let stage = |c: f64, dq: &[f64; N], dv: &[f64; N]| {
        let mut qs = *q;
        let mut vs = *v;
        for i in 0..N {
            qs[i] += c * h * dq[i];
            vs[i] += c * h * dv[i];
        }
        (qs, vs)
    };
    let k1v = *v;
    let k1a = accel(q, v);
    let (q2, v2) = stage(0.5, &k1v, &k1a);
    let k2a = accel(&q2, &v2);
    let (q3, v3) = stage(0.5, &v2, &k2a);
    let k3a = accel(&q3, &v3);
    let (q4, v4) = stage(1.0, &v3, &k3a);
    let k4a = accel(&q4, &v4);
    for i in 0..N {
        q[i] += h / 6.0 * (k1v[i] + 2.0 * v2[i] + 2.0 * v3[i] + v4[i]);
        v[i] += h / 6.0 * (k1a[i] + 2.0 * k2a[i] + 2.0 * k3a[i] + k4a[i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rk4_is_fourth_order_on_the_harmonic_oscillator() {
        // q'' = -q from (1, 0): exact q(t) = cos t. Error after t = 1 scales like h^4.
        let err = |steps: usize| {
            let (mut q, mut v) = ([1.0], [0.0]);
            for _ in 0..steps {
                rk4(&mut q, &mut v, 1.0 / steps as f64, |q, _| [-q[0]]);
            }
            (q[0] - 1f64.cos()).abs()
        };
        let ratio = err(10) / err(20);
        assert!(
            (ratio - 16.0).abs() < 1.0,
            "halving h divides the error by {ratio}, not 16"
        );
    }
}
