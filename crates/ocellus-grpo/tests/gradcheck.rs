//! Gradient checks: for every loss, the autograd gradient w.r.t. the current log-probs equals
//! central finite differences (f64, h = 1e-6), on tiny random inputs that include tokens placed
//! 1e-4 (in log-ratio) on either side of each clip boundary, but never on one.

use ocellus_grpo::{
    kl_estimate, policy_loss, Aggregation, KlEstimator, KlPenalty, LossConfig, LossInputs,
    RatioLevel,
};
use tch::{Device, Kind, Tensor};

const H: f64 = 1e-6;
const TOL: f64 = 1e-6;
const B: i64 = 3;
const T: i64 = 5;

/// Max |autograd − central difference| of the scalar `f` at `x0`.
fn grad_error(f: impl Fn(&Tensor) -> Tensor, x0: &Tensor) -> f64 {
    let x = x0.copy().set_requires_grad(true);
    f(&x).backward();
    let auto = Vec::<f64>::try_from(x.grad().reshape([-1])).unwrap();
    let base = Vec::<f64>::try_from(x0.reshape([-1])).unwrap();
    let mut max_err = 0.0f64;
    for (i, g) in auto.iter().enumerate() {
        let eval = |delta: f64| {
            let mut v = base.clone();
            v[i] += delta;
            let xi = Tensor::from_slice(&v).reshape(x0.size());
            tch::no_grad(|| f(&xi).double_value(&[]))
        };
        let fd = (eval(H) - eval(-H)) / (2.0 * H);
        max_err = max_err.max((g - fd).abs());
    }
    max_err
}

/// Ragged 0/1 mask: row lengths 5, 3, 1.
fn ragged_mask() -> Tensor {
    let rows: [&[f64]; 3] = [
        &[1.0; 5],
        &[1.0, 1.0, 1.0, 0.0, 0.0],
        &[1.0, 0.0, 0.0, 0.0, 0.0],
    ];
    Tensor::from_slice(&rows.concat()).reshape([B, T])
}

/// Log-ratios: random in [−0.6, 0.6], with row 0 holding tokens 1e-4 either side of
/// log(1 − ε_low), log(1 + ε_high) and log(c).
fn log_ratios(cfg: &LossConfig) -> Tensor {
    let r = Tensor::rand([B, T], (Kind::Double, Device::Cpu)) * 1.2 - 0.6;
    let near = [
        (1.0 - cfg.clip_low).ln() + 1e-4,
        (1.0 + cfg.clip_high).ln() - 1e-4,
        (1.0 + cfg.clip_high).ln() + 1e-4,
        cfg.dual_clip.map_or(0.3, |c| c.ln() - 1e-4),
        cfg.dual_clip.map_or(-0.3, |c| c.ln() + 1e-4),
    ];
    r.get(0).copy_(&Tensor::from_slice(&near));
    r
}

/// Advantages per token with signs chosen so row 0 exercises every clip edge.
fn token_advantages() -> Tensor {
    let a = Tensor::rand([B, T], (Kind::Double, Device::Cpu)) * 2.0 - 1.0;
    a.get(0)
        .copy_(&Tensor::from_slice(&[-0.7, 0.9, 1.3, -1.1, -0.4]));
    a
}

fn configs() -> Vec<(String, LossConfig)> {
    let aggs = [
        Aggregation::TokenMean,
        Aggregation::SeqMeanTokenMean,
        Aggregation::SeqMeanTokenSum,
        Aggregation::SeqMeanTokenSumNorm { max_len: 7.0 },
    ];
    let mut out = Vec::new();
    for aggregation in aggs {
        out.push((
            format!("dapo {aggregation:?}"),
            LossConfig {
                aggregation,
                ..LossConfig::dapo()
            },
        ));
        out.push((
            format!("ppo symmetric, no dual-clip {aggregation:?}"),
            LossConfig {
                aggregation,
                clip_high: 0.2,
                dual_clip: None,
                ..LossConfig::dapo()
            },
        ));
    }
    out
}

#[test]
fn token_level_losses_match_finite_differences() {
    tch::manual_seed(0);
    let mut worst = 0.0f64;
    for (name, cfg) in configs() {
        let old = Tensor::rand([B, T], (Kind::Double, Device::Cpu)) * -2.0 - 0.1;
        let logp0 = &old + log_ratios(&cfg);
        let adv = token_advantages();
        let mask = ragged_mask();
        let weights = Tensor::from_slice(&[1.0, 0.5, 2.0]);
        let f = |logp: &Tensor| {
            let inputs = LossInputs::new(logp, &old, &adv, &mask).with_sample_weights(&weights);
            policy_loss(&cfg, &inputs).unwrap().loss
        };
        let err = grad_error(f, &logp0);
        println!("{name}: max |autograd − FD| = {err:.3e}");
        assert!(err < TOL, "{name}: {err}");
        worst = worst.max(err);
    }
    println!("token-level worst: {worst:.3e}");
}

#[test]
fn kl_penalties_inside_the_loss_match_finite_differences() {
    tch::manual_seed(1);
    for estimator in [KlEstimator::K1, KlEstimator::K2, KlEstimator::K3] {
        for aggregation in [Aggregation::TokenMean, Aggregation::SeqMeanTokenMean] {
            let cfg = LossConfig {
                aggregation,
                kl: Some(KlPenalty {
                    estimator,
                    coef: 0.3,
                }),
                entropy_coef: 0.0,
                ..LossConfig::grpo()
            };
            let old = Tensor::rand([B, T], (Kind::Double, Device::Cpu)) * -2.0 - 0.1;
            let ref_logp = Tensor::rand([B, T], (Kind::Double, Device::Cpu)) * -2.0 - 0.1;
            let logp0 = &old + log_ratios(&cfg);
            let adv = Tensor::from_slice(&[0.8, -0.6, 1.1]);
            let mask = ragged_mask();
            let f = |logp: &Tensor| {
                policy_loss(
                    &cfg,
                    &LossInputs::new(logp, &old, &adv, &mask).with_ref_logp(&ref_logp),
                )
                .unwrap()
                .loss
            };
            let err = grad_error(f, &logp0);
            println!("GRPO + {estimator:?} ({aggregation:?}): max error {err:.3e}");
            assert!(err < TOL, "{estimator:?} {aggregation:?}: {err}");
        }
    }
}

#[test]
fn kl_estimators_match_finite_differences_and_k3_plus_uses_k2_gradient() {
    tch::manual_seed(2);
    let logp0 = Tensor::rand([B, T], (Kind::Double, Device::Cpu)) * -3.0;
    let ref_logp = Tensor::rand([B, T], (Kind::Double, Device::Cpu)) * -3.0;
    let w = Tensor::rand([B, T], (Kind::Double, Device::Cpu));
    let (ref_logp, w) = (&ref_logp, &w);
    let weighted = |est: KlEstimator| {
        move |x: &Tensor| (kl_estimate(x, ref_logp, est).unwrap() * w).sum(Kind::Double)
    };
    for est in [KlEstimator::K1, KlEstimator::K2, KlEstimator::K3] {
        let err = grad_error(weighted(est), &logp0);
        println!("{est:?}: max error {err:.3e}");
        assert!(err < TOL);
    }
    // k3+ is straight-through: its value is k3's, its gradient k2's (checked against k2's FD).
    let x = logp0.copy().set_requires_grad(true);
    weighted(KlEstimator::K3Plus)(&x).backward();
    let k3_plus_grad = x.grad();
    let k2_fd_err = {
        let x2 = logp0.copy().set_requires_grad(true);
        weighted(KlEstimator::K2)(&x2).backward();
        (&k3_plus_grad - x2.grad()).abs().max().double_value(&[])
    };
    let analytic = ((&logp0 - ref_logp) * w - &k3_plus_grad)
        .abs()
        .max()
        .double_value(&[]);
    println!("K3Plus: |grad − k2 grad| = {k2_fd_err:.3e}, |grad − w·d| = {analytic:.3e}");
    assert!(k2_fd_err < 1e-12 && analytic < 1e-12);
    let v3 = kl_estimate(&logp0, ref_logp, KlEstimator::K3).unwrap();
    let v3p = kl_estimate(&logp0, ref_logp, KlEstimator::K3Plus).unwrap();
    assert!((v3 - v3p).abs().max().double_value(&[]) < 1e-15);
}

#[test]
fn gspo_matches_finite_differences_with_sequence_advantages() {
    // GSPO-token has GSPO's gradient when A is constant over each sequence (GSPO Eq. (13)); FD of
    // its value (which is GSPO's) must then match autograd.
    tch::manual_seed(3);
    let mut cases = vec![("gspo paper clip".to_string(), LossConfig::gspo())];
    for aggregation in [
        Aggregation::TokenMean,
        Aggregation::SeqMeanTokenMean,
        Aggregation::SeqMeanTokenSum,
    ] {
        cases.push((
            format!("gspo wide clip {aggregation:?}"),
            LossConfig {
                aggregation,
                clip_low: 0.2,
                clip_high: 0.28,
                dual_clip: Some(3.0),
                ..LossConfig::gspo()
            },
        ));
    }
    for (name, cfg) in cases {
        assert_eq!(cfg.ratio_level, RatioLevel::Sequence);
        let old = Tensor::rand([B, T], (Kind::Double, Device::Cpu)) * -2.0 - 0.1;
        // Row means of log ρ: row 0 sits 1e-4 (per-token shift) above 1+ε_high, row 1 1e-4 inside
        // 1−ε_low, row 2 random.
        let lr = Tensor::rand([B, T], (Kind::Double, Device::Cpu)) * 0.4 - 0.2;
        let mask = ragged_mask();
        let row_mean = |lr: &Tensor, i: i64, n: i64| {
            lr.get(i)
                .narrow(0, 0, n)
                .mean(Kind::Double)
                .double_value(&[])
        };
        let target0 = (1.0 + cfg.clip_high).ln() + 1e-4;
        let target1 = (1.0 - cfg.clip_low).ln() + 1e-4;
        let (m0, m1) = (row_mean(&lr, 0, 5), row_mean(&lr, 1, 3));
        let lr = lr + Tensor::from_slice(&[target0 - m0, target1 - m1, 0.0]).reshape([B, 1]);
        let logp0 = &old + lr;
        let adv = Tensor::from_slice(&[1.2, -0.7, 0.5]);
        let f = |logp: &Tensor| {
            policy_loss(&cfg, &LossInputs::new(logp, &old, &adv, &mask))
                .unwrap()
                .loss
        };
        let err = grad_error(f, &logp0);
        println!("{name}: max error {err:.3e}");
        assert!(err < TOL, "{name}: {err}");
    }
}

#[test]
fn entropy_bonus_gradient() {
    // The entropy term's gradient w.r.t. the entropy input is −coef · ∂agg/∂H.
    let cfg = LossConfig {
        entropy_coef: 0.05,
        aggregation: Aggregation::SeqMeanTokenMean,
        ..LossConfig::dapo()
    };
    let old = Tensor::full([B, T], -1.0, (Kind::Double, Device::Cpu));
    let adv = Tensor::from_slice(&[1.0, -1.0, 0.5]);
    let mask = ragged_mask();
    let h0 = Tensor::rand([B, T], (Kind::Double, Device::Cpu));
    let f = |h: &Tensor| {
        policy_loss(
            &cfg,
            &LossInputs::new(&old, &old, &adv, &mask).with_entropy(h),
        )
        .unwrap()
        .loss
    };
    let err = grad_error(f, &h0);
    println!("entropy bonus: max error {err:.3e}");
    assert!(err < TOL);
}
