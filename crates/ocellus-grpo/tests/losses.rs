//! Hand-computed values of `policy_loss` at and around the clip edges, GSPO ratios, KL and entropy
//! terms, sample weights, and the errors at the public boundary.

use ocellus_grpo::{
    policy_loss, Aggregation, GrpoError, KlEstimator, KlPenalty, LossConfig, LossInputs,
    LossMetrics, RatioLevel,
};
use tch::{Device, Kind, Tensor};

const TOL: f64 = 1e-9;

fn t2(v: &[f64], b: i64) -> Tensor {
    Tensor::from_slice(v).reshape([b, -1])
}

/// Loss, d loss / d logp and metrics for a single token with ratio `ratio` and advantage `adv`.
fn one_token(cfg: &LossConfig, ratio: f64, adv: f64) -> (f64, f64, LossMetrics) {
    let old = t2(&[-1.0], 1);
    let logp = t2(&[-1.0 + ratio.ln()], 1).set_requires_grad(true);
    let a = Tensor::from_slice(&[adv]);
    let mask = t2(&[1.0], 1);
    let out = policy_loss(cfg, &LossInputs::new(&logp, &old, &a, &mask)).unwrap();
    out.loss.backward();
    (
        out.loss.double_value(&[]),
        logp.grad().double_value(&[0, 0]),
        out.metrics,
    )
}

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() < TOL, "{what}: got {got}, want {want}");
}

#[test]
fn ppo_clip_with_clip_higher_at_both_edges() {
    // DAPO preset: ε_low = 0.2, ε_high = 0.28, dual-clip c = 3, token-mean.
    let cfg = LossConfig::dapo();
    // l = −min(ρA, clip(ρ, 0.8, 1.28)A); ∂l/∂logp = −Aρ where the unclipped term is active, else 0.
    let cases: [(f64, f64, f64, f64, &str); 7] = [
        (1.5, 1.0, -1.28, 0.0, "A>0 above 1+ε_high: clipped"),
        (0.5, 1.0, -0.5, -0.5, "A>0 below 1−ε_low: not clipped"),
        (0.5, -1.0, 0.8, 0.0, "A<0 below 1−ε_low: clipped"),
        (1.5, -1.0, 1.5, 1.5, "A<0 above 1+ε_high: not clipped"),
        (1.1, 1.0, -1.1, -1.1, "A>0 inside"),
        (0.9, 2.0, -1.8, -1.8, "A>0 inside, |A| = 2"),
        (
            1.25,
            1.0,
            -1.25,
            -1.25,
            "A>0 between 1+ε_low and 1+ε_high: clip-higher keeps it",
        ),
    ];
    for (ratio, adv, loss, grad, what) in cases {
        let (l, g, _) = one_token(&cfg, ratio, adv);
        close(l, loss, what);
        close(g, grad, what);
    }
    // Symmetric ε = 0.2 would clip the last case at 1.2.
    let sym = LossConfig {
        clip_high: 0.2,
        ..LossConfig::dapo()
    };
    let (l, g, _) = one_token(&sym, 1.25, 1.0);
    close(l, -1.2, "symmetric clip");
    close(g, 0.0, "symmetric clip gradient");
}

#[test]
fn dual_clip_caps_negative_advantage_losses() {
    let cfg = LossConfig::dapo(); // c = 3
    let (l, g, m) = one_token(&cfg, 4.0, -1.0);
    close(l, 3.0, "min(max(4, 1.28), 3) = 3");
    close(g, 0.0, "capped: no gradient");
    assert_eq!(m.dual_clip_frac, 1.0);
    let (l, g, _) = one_token(&cfg, 2.5, -2.0);
    close(l, 5.0, "below c: ρ|A|");
    close(g, 5.0, "below c: −Aρ");
    let no_dual = LossConfig {
        dual_clip: None,
        ..LossConfig::dapo()
    };
    let (l, g, m) = one_token(&no_dual, 4.0, -1.0);
    close(l, 4.0, "without dual-clip");
    close(g, 4.0, "without dual-clip gradient");
    assert_eq!(m.dual_clip_frac, 0.0);
    // Dual-clip never touches positive advantages.
    let (l, _, _) = one_token(&cfg, 4.0, 1.0);
    close(l, -1.28, "A>0 unaffected by dual-clip");
}

#[test]
fn clip_metrics_count_active_clips() {
    // Tokens: (ρ, A) = (1.5, +1) high-clipped, (0.5, −1) low-clipped, (4, −1) dual-clipped,
    // (1.0, +1) inside, (9, +1) masked out.
    let cfg = LossConfig::dapo();
    let ratios = [1.5f64, 0.5, 4.0, 1.0, 9.0];
    let old = t2(&[-1.0; 5], 1);
    let logp: Vec<f64> = ratios.iter().map(|r| -1.0 + r.ln()).collect();
    let logp = t2(&logp, 1);
    let adv = t2(&[1.0, -1.0, -1.0, 1.0, 1.0], 1);
    let mask = t2(&[1.0, 1.0, 1.0, 1.0, 0.0], 1);
    let out = policy_loss(&cfg, &LossInputs::new(&logp, &old, &adv, &mask)).unwrap();
    let m = out.metrics;
    assert_eq!(m.valid_tokens, 4);
    close(m.clip_frac_high, 0.25, "clip_frac_high");
    close(m.clip_frac_low, 0.25, "clip_frac_low");
    close(m.dual_clip_frac, 0.25, "dual_clip_frac");
    close(m.ratio_mean, (1.5 + 0.5 + 4.0 + 1.0) / 4.0, "ratio_mean");
    close(
        m.approx_kl_old,
        -(1.5f64.ln() + 0.5f64.ln() + 4.0f64.ln()) / 4.0,
        "approx_kl_old",
    );
    // Per-token losses −1.28, 0.8, 3, −1 → token mean 1.52/4.
    close(m.pg_loss, (-1.28 + 0.8 + 3.0 - 1.0) / 4.0, "pg_loss");
    close(out.loss.double_value(&[]), m.pg_loss, "no KL, no entropy");
    assert_eq!(m.kl_mean, None);
}

#[test]
fn log_ratio_is_clamped_like_verl() {
    // log ρ = 30 → clamped to 20; A < 0 without dual-clip: l = e^20, zero gradient (clamp).
    let cfg = LossConfig {
        dual_clip: None,
        ..LossConfig::dapo()
    };
    let old = t2(&[-31.0], 1);
    let logp = t2(&[-1.0], 1).set_requires_grad(true);
    let out = policy_loss(
        &cfg,
        &LossInputs::new(&logp, &old, &Tensor::from_slice(&[-1.0f64]), &t2(&[1.0], 1)),
    )
    .unwrap();
    out.loss.backward();
    close(out.loss.double_value(&[]) / 20f64.exp(), 1.0, "e^20");
    assert_eq!(logp.grad().double_value(&[0, 0]), 0.0);
}

#[test]
fn gspo_sequence_ratio_is_exp_mean_log_ratio() {
    // Row 0: log-ratios [0.1, 0.3, (pad 5)] → s_0 = e^0.2. Row 1: [−0.2, 0, 0.2] → s_1 = 1.
    let old = t2(&[-1.0; 6], 2);
    let logp = t2(&[-0.9, -0.7, 4.0, -1.2, -1.0, -0.8], 2);
    let mask = t2(&[1.0, 1.0, 0.0, 1.0, 1.0, 1.0], 2);
    let adv = Tensor::from_slice(&[1.0f64, -1.0]);
    let wide = LossConfig {
        clip_low: 0.5,
        clip_high: 0.5,
        ..LossConfig::gspo()
    };
    let out = policy_loss(&wide, &LossInputs::new(&logp, &old, &adv, &mask)).unwrap();
    let s0 = 0.2f64.exp();
    close(
        out.metrics.ratio_mean,
        (2.0 * s0 + 3.0) / 5.0,
        "ratio_mean over tokens",
    );
    // seq-mean-token-mean of −A_i s_i = (−s_0 + 1)/2.
    close(
        out.loss.double_value(&[]),
        (1.0 - s0) / 2.0,
        "GSPO loss, unclipped",
    );
    // Paper clip range (3e-4, 4e-4): s_0 is clipped to 1.0004, s_1 = 1 is inside.
    let out = policy_loss(
        &LossConfig::gspo(),
        &LossInputs::new(&logp, &old, &adv, &mask),
    )
    .unwrap();
    close(
        out.loss.double_value(&[]),
        (-1.0004 + 1.0) / 2.0,
        "GSPO loss, clipped",
    );
    close(
        out.metrics.clip_frac_high,
        2.0 / 5.0,
        "row 0's two tokens clipped high",
    );
    assert_eq!(RatioLevel::Sequence, LossConfig::gspo().ratio_level);
}

#[test]
fn kl_penalty_entropy_bonus_and_weights() {
    // Two rows, T = 2, on-policy (ρ = 1), A = [1, −1] per row; ref differs by d = logp − ref.
    let old = t2(&[-1.0, -2.0, -1.0, -2.0], 2);
    let logp = old.copy().set_requires_grad(true);
    let ref_logp = t2(&[-2.0, -2.0, -1.0, -1.5], 2); // d = [1, 0, 0, −0.5]
    let adv = Tensor::from_slice(&[1.0f64, -1.0]);
    let mask = t2(&[1.0, 1.0, 1.0, 0.0], 2);
    let entropy = t2(&[0.5, 1.5, 2.0, 9.0], 2);
    let cfg = LossConfig {
        aggregation: Aggregation::SeqMeanTokenSum,
        kl: Some(KlPenalty {
            estimator: KlEstimator::K2,
            coef: 0.1,
        }),
        entropy_coef: 0.01,
        ..LossConfig::dapo()
    };
    let inputs = LossInputs::new(&logp, &old, &adv, &mask)
        .with_ref_logp(&ref_logp)
        .with_entropy(&entropy);
    let out = policy_loss(&cfg, &inputs).unwrap();
    // pg: row sums (−1 −1) and (+1) → (−2 + 1)/2 = −0.5. k2: row sums 0.5 and 0 → 0.25.
    // entropy: row sums 2 and 2 → 2. Loss = −0.5 + 0.1·0.25 − 0.01·2.
    close(out.metrics.pg_loss, -0.5, "pg");
    close(out.metrics.kl_loss.unwrap(), 0.25, "kl_loss");
    close(out.metrics.entropy_loss.unwrap(), 2.0, "entropy_loss");
    close(out.loss.double_value(&[]), -0.5 + 0.025 - 0.02, "total");
    close(
        out.metrics.kl_mean.unwrap(),
        0.5 / 3.0,
        "kl_mean over 3 valid tokens",
    );
    close(out.metrics.entropy_mean.unwrap(), 4.0 / 3.0, "entropy_mean");

    // Weights [2, 0]: only row 0 counts, doubled: pg = 2·(−2)/2, kl = 2·0.5/2.
    let w = Tensor::from_slice(&[2.0f64, 0.0]);
    let out = policy_loss(&cfg, &inputs.with_sample_weights(&w)).unwrap();
    close(out.metrics.pg_loss, -2.0, "weighted pg");
    close(out.metrics.kl_loss.unwrap(), 0.5, "weighted kl");
}

#[test]
fn per_token_advantages_and_aggregations_through_the_loss() {
    // On-policy, per-token A; l = −A per valid token. Ragged mask: row 0 has 3 tokens, row 1 has 1.
    let old = t2(&[-1.0; 6], 2);
    let adv = t2(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2);
    let mask = t2(&[1.0, 1.0, 1.0, 1.0, 0.0, 0.0], 2);
    let cases = [
        (Aggregation::TokenMean, -10.0 / 4.0),
        (Aggregation::SeqMeanTokenMean, -(2.0 + 4.0) / 2.0),
        (Aggregation::SeqMeanTokenSum, -(6.0 + 4.0) / 2.0),
        (
            Aggregation::SeqMeanTokenSumNorm { max_len: 5.0 },
            -10.0 / (2.0 * 5.0),
        ),
    ];
    for (aggregation, want) in cases {
        let cfg = LossConfig {
            aggregation,
            ..LossConfig::dapo()
        };
        let out = policy_loss(&cfg, &LossInputs::new(&old, &old, &adv, &mask)).unwrap();
        close(
            out.loss.double_value(&[]),
            want,
            &format!("{aggregation:?}"),
        );
    }
}

#[test]
fn boundary_errors_name_the_bad_value() {
    let x = Tensor::zeros([2, 3], (Kind::Double, Device::Cpu));
    let adv = Tensor::zeros([2], (Kind::Double, Device::Cpu));
    let mask = Tensor::ones([2, 3], (Kind::Double, Device::Cpu));
    let cfg = LossConfig::dapo();
    let err = |inputs: LossInputs<'_>, cfg: &LossConfig| policy_loss(cfg, &inputs).unwrap_err();

    let short = Tensor::zeros([2, 2], (Kind::Double, Device::Cpu));
    assert!(matches!(
        err(LossInputs::new(&x, &short, &adv, &mask), &cfg),
        GrpoError::Shape {
            name: "old_logp",
            ..
        }
    ));
    assert!(matches!(
        err(LossInputs::new(&x, &x, &adv, &short), &cfg),
        GrpoError::Shape { name: "mask", .. }
    ));
    let adv3 = Tensor::zeros([3], (Kind::Double, Device::Cpu));
    assert!(matches!(
        err(LossInputs::new(&x, &x, &adv3, &mask), &cfg),
        GrpoError::Shape {
            name: "advantages",
            ..
        }
    ));
    let one_d = Tensor::zeros([6], (Kind::Double, Device::Cpu));
    assert!(matches!(
        err(LossInputs::new(&one_d, &x, &adv, &mask), &cfg),
        GrpoError::Shape { name: "logp", .. }
    ));
    let bad_mask = Tensor::full([2, 3], 2.0, (Kind::Double, Device::Cpu));
    assert!(matches!(
        err(LossInputs::new(&x, &x, &adv, &bad_mask), &cfg),
        GrpoError::Input { name: "mask", .. }
    ));
    let nan_adv = Tensor::from_slice(&[0.0, f64::NAN]);
    assert!(matches!(
        err(LossInputs::new(&x, &x, &nan_adv, &mask), &cfg),
        GrpoError::Input {
            name: "advantages",
            ..
        }
    ));
    let neg_w = Tensor::from_slice(&[1.0, -1.0]);
    assert!(matches!(
        err(
            LossInputs::new(&x, &x, &adv, &mask).with_sample_weights(&neg_w),
            &cfg
        ),
        GrpoError::Input {
            name: "sample_weights",
            ..
        }
    ));

    let with_kl = LossConfig::grpo();
    assert!(matches!(
        err(LossInputs::new(&x, &x, &adv, &mask), &with_kl),
        GrpoError::Input {
            name: "ref_logp",
            ..
        }
    ));
    let with_entropy = LossConfig {
        entropy_coef: 0.1,
        ..LossConfig::dapo()
    };
    assert!(matches!(
        err(LossInputs::new(&x, &x, &adv, &mask), &with_entropy),
        GrpoError::Input {
            name: "entropy",
            ..
        }
    ));

    let bad = LossConfig {
        clip_low: 1.5,
        dual_clip: Some(0.5),
        ..LossConfig::dapo()
    };
    match err(LossInputs::new(&x, &x, &adv, &mask), &bad) {
        GrpoError::Configs(errors) => {
            let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
            assert_eq!(text.len(), 2, "{text:?}");
            assert!(
                text[0].contains("clip_low") && text[0].contains("1.5"),
                "{text:?}"
            );
            assert!(
                text[1].contains("dual_clip") && text[1].contains("0.5"),
                "{text:?}"
            );
        }
        other => panic!("expected Configs, got {other:?}"),
    }
    let one_bad = LossConfig {
        clip_high: f64::NAN,
        ..LossConfig::dapo()
    };
    assert!(matches!(
        one_bad.validate(),
        Err(GrpoError::Config {
            field: "clip_high",
            ..
        })
    ));
    let bad_kl = LossConfig {
        kl: Some(KlPenalty {
            estimator: KlEstimator::K3,
            coef: -1.0,
        }),
        ..LossConfig::grpo()
    };
    assert!(matches!(
        bad_kl.validate(),
        Err(GrpoError::Config {
            field: "kl.coef",
            ..
        })
    ));
    let ints = Tensor::zeros([2, 3], (Kind::Int64, Device::Cpu));
    assert!(matches!(
        err(LossInputs::new(&ints, &x, &adv, &mask), &cfg),
        GrpoError::Input { name: "logp", .. }
    ));
    for preset in [
        LossConfig::grpo(),
        LossConfig::dapo(),
        LossConfig::dr_grpo(1024.0),
        LossConfig::gspo(),
    ] {
        preset.validate().unwrap();
    }
}
