//! The clipped policy-gradient loss of the GRPO family: PPO-clip per token with separate low/high
//! clip ranges (DAPO clip-higher), dual-clip for negative advantages, GSPO's sequence-level
//! length-normalised ratio, an optional KL penalty against a reference policy, an optional entropy
//! bonus, per-token masks and per-sample weights, reduced by one of the four [`Aggregation`]s.
//!
//! Notation: `B` responses (rows) of up to `T` tokens; `logp`, `old_logp`, `ref_logp` are the
//! log-probs of the *sampled* tokens under π_θ, π_old (the rollout policy) and π_ref; `m` is the 0/1
//! loss mask; `A` the advantage; `w_i ≥ 0` a per-sample weight.
//!
//! Papers and equations:
//! - PPO-clip: Schulman et al. 2017, arXiv 1707.06347, Eq. (7):
//!   `l = −min(ρA, clip(ρ, 1−ε, 1+ε)A)`, `ρ_{i,t} = π_θ(o_{i,t})/π_old(o_{i,t})`.
//! - GRPO: Shao et al. 2024 (DeepSeekMath), arXiv 2402.03300, Eq. (3): the PPO-clip term per token,
//!   `− β·D_KL` per token (k3, see [`crate::kl`]), averaged `1/G Σ_i 1/|o_i| Σ_t`.
//! - DAPO: Yu et al. 2025, arXiv 2503.14476, Eq. (8): clip-higher `clip(ρ, 1−ε_low, 1+ε_high)`
//!   (ε_low = 0.2, ε_high = 0.28), token-level mean, no KL.
//! - Dual-clip PPO: Ye et al. 2020, arXiv 1912.09729, Eq. (5): for `A < 0`,
//!   `l = min(max(−ρA, −clip(ρ)A), −cA)` with `c = 3`.
//! - GSPO: Zheng et al. 2025, arXiv 2507.18071, Eqs. (5)–(7): `s_i = exp(1/|o_i| Σ_t log ρ_{i,t})`
//!   replaces ρ; its GSPO-token form `s_{i,t} = sg[s_i]·π_θ(o_{i,t})/sg[π_θ(o_{i,t})]` (Eq. (13))
//!   has GSPO's value and gradient when `A` is constant over a sequence, and allows per-token `A`.
//!
//! Reference code matched: verl `verl/trainer/ppo/core_algos.py` (volcengine/verl, snapshot
//! 2026-01-29): `compute_policy_loss_vanilla` (log-ratio clamped to ±20 before `exp`;
//! `clip_ratio_low/high`; dual-clip with `clip_ratio_c = 3` for `A < 0`) and
//! `compute_policy_loss_gspo` (GSPO-token form, log-ratio clamped to `max = 10`); the KL term is
//! added as `policy_loss + kl_coef · agg(kl)` and the entropy bonus as `− entropy_coeff · agg(H)`.
//!
//! Deviations from the papers:
//! 1. The loss is the *negated* objective (minimised), and the KL penalty and entropy bonus are
//!    aggregated with the same mode and mask as the policy term (verl), not averaged inside Eq. (3)'s
//!    sums.
//!
//! Deviations from the reference code:
//! 1. Dual-clip is optional (`dual_clip: None` turns it off; verl's vanilla loss always applies it)
//!    and is also allowed with the sequence-level ratio (verl's GSPO loss never dual-clips: use
//!    `dual_clip: None`, as [`LossConfig::gspo`] does, to match it).
//! 2. GSPO's aggregation is whatever [`LossConfig::aggregation`] says; verl forces
//!    `seq-mean-token-mean` (which [`LossConfig::gspo`] uses).
//! 3. Per-sample weights `w_i` (UniVG-R1, GUI-G1, VPPO) multiply the per-token policy *and* KL terms
//!    before aggregation, as the TRL-derived UniVG-R1/GUI-G1 trainers multiply their whole per-token
//!    loss. VPPO instead multiplies the advantages; for `w_i > 0` that gives the same policy term
//!    (`min(ρwA, clip(ρ)wA) = w·min(ρA, clip(ρ)A)`), and the same KL term when `β = 0`.
//! 4. Clip-fraction metrics count where the clip is *active* (the token's gradient is zero), split
//!    into low/high edges, instead of verl's `pg_clipfrac` (`pg_losses2 > pg_losses1`).

use tch::{Kind, Tensor};

use crate::aggregate::{aggregate_unchecked, Aggregation};
use crate::check;
use crate::error::{GrpoError, Result};
use crate::kl::{kl_unchecked, KlEstimator};

/// verl clamps the per-token log-ratio `log π_θ − log π_old` to ±20 before the exponential.
pub const TOKEN_LOG_RATIO_CLAMP: f64 = 20.0;
/// verl clamps GSPO's log sequence ratio from above at 10 (`torch.clamp(max=10.0)`).
pub const SEQ_LOG_RATIO_MAX: f64 = 10.0;

/// Whether the importance ratio is per token (PPO/GRPO/DAPO) or per sequence (GSPO).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatioLevel {
    /// `ρ_{i,t} = exp(clamp(log π_θ − log π_old, ±20))` per token.
    Token,
    /// GSPO: `s_i = exp(min(1/|o_i| Σ_t m (log π_θ − log π_old), 10))` per sequence, in the
    /// GSPO-token form so that per-token advantages remain possible.
    Sequence,
}

/// A KL penalty `β · agg(KL_est)` against a reference policy, added to the loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KlPenalty {
    /// The per-token estimator (GRPO: [`KlEstimator::K3`]).
    pub estimator: KlEstimator,
    /// β ≥ 0 (DeepSeekMath: 0.04; DeepSeek-R1: 0.001; TRL default: no penalty).
    pub coef: f64,
}

/// Configuration of [`policy_loss`]. Build one from a preset ([`LossConfig::grpo`],
/// [`LossConfig::dapo`], [`LossConfig::dr_grpo`], [`LossConfig::gspo`]) and adjust fields;
/// [`policy_loss`] validates it on every call.
#[derive(Debug, Clone, PartialEq)]
pub struct LossConfig {
    /// Token-level (PPO/GRPO/DAPO) or sequence-level (GSPO) importance ratio.
    pub ratio_level: RatioLevel,
    /// ε_low: the ratio is clipped below at `1 − clip_low`. In (0, 1).
    pub clip_low: f64,
    /// ε_high: the ratio is clipped above at `1 + clip_high`. Finite, > 0 (DAPO: 0.28).
    pub clip_high: f64,
    /// Dual-clip constant `c > 1` bounding the loss of negative-advantage tokens at `−cA`
    /// (verl: 3.0); `None` disables dual-clip.
    pub dual_clip: Option<f64>,
    /// How per-token losses are reduced to a scalar.
    pub aggregation: Aggregation,
    /// Optional KL penalty against the reference policy (needs [`LossInputs::ref_logp`]).
    pub kl: Option<KlPenalty>,
    /// Entropy bonus coefficient: the loss gets `− entropy_coef · agg(H)` (needs
    /// [`LossInputs::entropy`] when non-zero). Finite.
    pub entropy_coef: f64,
}

impl LossConfig {
    /// GRPO as in DeepSeekMath (arXiv 2402.03300): token ratio, ε = 0.2 both sides, no dual-clip,
    /// seq-mean-token-mean, k3 KL with β = 0.04 (the paper's §4.2 value as commonly cited and TRL's
    /// former default; UNVERIFIED against the PDF).
    pub fn grpo() -> Self {
        LossConfig {
            ratio_level: RatioLevel::Token,
            clip_low: 0.2,
            clip_high: 0.2,
            dual_clip: None,
            aggregation: Aggregation::SeqMeanTokenMean,
            kl: Some(KlPenalty {
                estimator: KlEstimator::K3,
                coef: 0.04,
            }),
            entropy_coef: 0.0,
        }
    }

    /// DAPO (arXiv 2503.14476) on verl: clip-higher ε_low = 0.2, ε_high = 0.28 (verl
    /// `docs/algo/dapo.md`), token-mean, no KL, dual-clip c = 3 (always on in verl's vanilla loss).
    pub fn dapo() -> Self {
        LossConfig {
            ratio_level: RatioLevel::Token,
            clip_low: 0.2,
            clip_high: 0.28,
            dual_clip: Some(3.0),
            aggregation: Aggregation::TokenMean,
            kl: None,
            entropy_coef: 0.0,
        }
    }

    /// Dr.GRPO (arXiv 2503.20783): token ratio, ε = 0.2, no length normalisation — the per-sequence
    /// token sums are divided by the constant `max_len` (TRL: `max_completion_length`) — and no KL.
    /// Pair it with [`crate::dr_grpo_advantages`].
    pub fn dr_grpo(max_len: f64) -> Self {
        LossConfig {
            ratio_level: RatioLevel::Token,
            clip_low: 0.2,
            clip_high: 0.2,
            dual_clip: None,
            aggregation: Aggregation::SeqMeanTokenSumNorm { max_len },
            kl: None,
            entropy_coef: 0.0,
        }
    }

    /// GSPO (arXiv 2507.18071): sequence-level ratio, clip range (3e-4, 4e-4) from the paper,
    /// seq-mean-token-mean (forced by verl), no dual-clip, no KL.
    pub fn gspo() -> Self {
        LossConfig {
            ratio_level: RatioLevel::Sequence,
            clip_low: 3e-4,
            clip_high: 4e-4,
            dual_clip: None,
            aggregation: Aggregation::SeqMeanTokenMean,
            kl: None,
            entropy_coef: 0.0,
        }
    }

    /// Checks every field, reporting all invalid values at once.
    ///
    /// # Errors
    /// [`GrpoError::Config`] for one invalid field, [`GrpoError::Configs`] for several.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if !(self.clip_low > 0.0 && self.clip_low < 1.0) {
            problems.push(GrpoError::config(
                "clip_low",
                self.clip_low,
                "must be in (0, 1)",
            ));
        }
        if !(self.clip_high.is_finite() && self.clip_high > 0.0) {
            problems.push(GrpoError::config(
                "clip_high",
                self.clip_high,
                "must be finite and > 0",
            ));
        }
        if let Some(c) = self.dual_clip {
            if !(c.is_finite() && c > 1.0) {
                problems.push(GrpoError::config("dual_clip", c, "must be finite and > 1"));
            }
        }
        if let Err(e) = self.aggregation.validate() {
            problems.push(e);
        }
        if let Some(kl) = self.kl {
            if !(kl.coef.is_finite() && kl.coef >= 0.0) {
                problems.push(GrpoError::config(
                    "kl.coef",
                    kl.coef,
                    "must be finite and >= 0",
                ));
            }
        }
        if !self.entropy_coef.is_finite() {
            problems.push(GrpoError::config(
                "entropy_coef",
                self.entropy_coef,
                "must be finite",
            ));
        }
        GrpoError::from_problems(problems)
    }
}

/// The tensors [`policy_loss`] reads. All `[B, T]` tensors share shape and device.
#[derive(Debug, Clone, Copy)]
pub struct LossInputs<'a> {
    /// `[B, T]` log π_θ of the sampled tokens; the tensor gradients flow into.
    pub logp: &'a Tensor,
    /// `[B, T]` log π_old of the sampled tokens (rollout policy); treated as a constant.
    pub old_logp: &'a Tensor,
    /// `[B]` (one per response, broadcast over its tokens) or `[B, T]` (per token, e.g. VL-DAC step
    /// advantages); treated as a constant.
    pub advantages: &'a Tensor,
    /// `[B, T]` 0/1 loss mask (response tokens; for multi-turn, action tokens only; for VPPO, the
    /// product with the perception mask). Bool, integer or float.
    pub mask: &'a Tensor,
    /// `[B, T]` log π_ref of the sampled tokens; required when [`LossConfig::kl`] is set, and used
    /// for the [`LossMetrics::kl_mean`] metric whenever given.
    pub ref_logp: Option<&'a Tensor>,
    /// `[B]` per-sample weights `w_i ≥ 0` multiplying each response's per-token loss.
    pub sample_weights: Option<&'a Tensor>,
    /// `[B, T]` per-token policy entropy; required when [`LossConfig::entropy_coef`] ≠ 0.
    pub entropy: Option<&'a Tensor>,
}

impl<'a> LossInputs<'a> {
    /// The four required tensors; optional ones are set with the `with_*` methods.
    pub fn new(
        logp: &'a Tensor,
        old_logp: &'a Tensor,
        advantages: &'a Tensor,
        mask: &'a Tensor,
    ) -> Self {
        LossInputs {
            logp,
            old_logp,
            advantages,
            mask,
            ref_logp: None,
            sample_weights: None,
            entropy: None,
        }
    }

    /// Sets the reference log-probs.
    pub fn with_ref_logp(mut self, ref_logp: &'a Tensor) -> Self {
        self.ref_logp = Some(ref_logp);
        self
    }

    /// Sets the per-sample weights.
    pub fn with_sample_weights(mut self, weights: &'a Tensor) -> Self {
        self.sample_weights = Some(weights);
        self
    }

    /// Sets the per-token entropy.
    pub fn with_entropy(mut self, entropy: &'a Tensor) -> Self {
        self.entropy = Some(entropy);
        self
    }
}

/// Scalars describing one loss evaluation (computed without gradient). "Valid tokens" are those
/// with mask 1; every mean is over them and is 0 when there are none.
#[derive(Debug, Clone, PartialEq)]
pub struct LossMetrics {
    /// The aggregated policy-gradient term `agg(w · l_clip)` (before KL and entropy terms).
    pub pg_loss: f64,
    /// The aggregated KL term `agg(w · KL_est)` before multiplying by β; `None` without a penalty.
    pub kl_loss: Option<f64>,
    /// The aggregated entropy `agg(H)` entering the bonus; `None` when no entropy was given.
    pub entropy_loss: Option<f64>,
    /// Fraction of valid tokens whose upper clip is active: `A > 0` and ratio `> 1 + ε_high`
    /// (zero gradient; the policy already moved enough towards the token).
    pub clip_frac_high: f64,
    /// Fraction of valid tokens whose lower clip is active: `A < 0` and ratio `< 1 − ε_low`.
    pub clip_frac_low: f64,
    /// Fraction of valid tokens where dual-clip is active: `A < 0` and ratio `> c`; 0 when off.
    pub dual_clip_frac: f64,
    /// Mean of the importance ratio used (ρ_{i,t}, or GSPO's s_i repeated over its tokens).
    pub ratio_mean: f64,
    /// Mean of `log π_old − log π_θ`: the k1 estimate of KL[π_old ‖ π_θ] (verl's `ppo_kl`).
    pub approx_kl_old: f64,
    /// Mean per-token KL estimate against the reference (the configured estimator, k3 if no
    /// penalty is configured); `None` when no `ref_logp` was given.
    pub kl_mean: Option<f64>,
    /// Mean per-token entropy; `None` when no entropy was given.
    pub entropy_mean: Option<f64>,
    /// Number of valid tokens `Σ m`.
    pub valid_tokens: i64,
}

/// The scalar loss to minimise (keeps the graph to `logp` and `entropy`) and its metrics.
#[derive(Debug)]
pub struct LossOutput {
    /// `agg(w·l_clip) + β·agg(w·KL_est) − entropy_coef·agg(H)`.
    pub loss: Tensor,
    /// Metrics of this evaluation.
    pub metrics: LossMetrics,
}

/// Validates the inputs against `cfg`; returns `(B, T)`.
fn validate_inputs(cfg: &LossConfig, x: &LossInputs<'_>) -> Result<(i64, i64)> {
    check::float("logp", x.logp)?;
    let (b, t) = check::dims2("logp", x.logp)?;
    if b == 0 {
        return Err(GrpoError::Shape {
            name: "logp",
            got: vec![b, t],
            expected: "[B >= 1, T]".into(),
        });
    }
    let device = x.logp.device();
    let bt = [b, t];
    check::float("old_logp", x.old_logp)?;
    check::shape("old_logp", x.old_logp, &bt)?;
    check::device("old_logp", x.old_logp, device)?;
    check::shape("mask", x.mask, &bt)?;
    check::device("mask", x.mask, device)?;
    check::float("advantages", x.advantages)?;
    let adv_shape = x.advantages.size();
    if adv_shape.as_slice() != [b] && adv_shape.as_slice() != bt {
        return Err(GrpoError::Shape {
            name: "advantages",
            got: adv_shape,
            expected: format!("[B] = [{b}] or [B, T] = [{b}, {t}]"),
        });
    }
    check::device("advantages", x.advantages, device)?;
    check::finite("advantages", x.advantages)?;
    match (cfg.kl, x.ref_logp) {
        (Some(_), None) => {
            return Err(GrpoError::input(
                "ref_logp",
                "a KL penalty is configured but no ref_logp was given",
            ))
        }
        (_, Some(r)) => {
            check::float("ref_logp", r)?;
            check::shape("ref_logp", r, &bt)?;
            check::device("ref_logp", r, device)?;
        }
        (None, None) => {}
    }
    if let Some(w) = x.sample_weights {
        check::float("sample_weights", w)?;
        check::shape("sample_weights", w, &[b])?;
        check::device("sample_weights", w, device)?;
        check::finite("sample_weights", w)?;
        if w.f_lt(0.0)?.f_any()?.f_int64_value(&[])? != 0 {
            return Err(GrpoError::input("sample_weights", "weights must be >= 0"));
        }
    }
    match x.entropy {
        Some(h) => {
            check::float("entropy", h)?;
            check::shape("entropy", h, &bt)?;
            check::device("entropy", h, device)?;
        }
        None if cfg.entropy_coef != 0.0 => {
            return Err(GrpoError::input(
                "entropy",
                "entropy_coef is non-zero but no entropy was given",
            ))
        }
        None => {}
    }
    Ok((b, t))
}

/// Log of the importance ratio, `[B, T]`, per [`RatioLevel`].
fn log_ratio(level: RatioLevel, logp: &Tensor, old_logp: &Tensor, mask: &Tensor) -> Tensor {
    let log_rho = logp - old_logp.detach(); // log ρ_{i,t}
    match level {
        RatioLevel::Token => log_rho.clamp(-TOKEN_LOG_RATIO_CLAMP, TOKEN_LOG_RATIO_CLAMP),
        RatioLevel::Sequence => {
            // GSPO Eq. (7): log s_i = 1/|o_i| Σ_t m log ρ_{i,t}.
            let seq_len = mask.sum_dim_intlist(-1, true, None::<Kind>).clamp_min(1.0); // [B, 1]
            let log_s = (log_rho * mask).sum_dim_intlist(-1, true, None::<Kind>) / seq_len; // [B, 1]
                                                                                            // GSPO Eq. (13) (GSPO-token): log s_{i,t} = sg[log s_i] + log π_θ − sg[log π_θ]; its
                                                                                            // value is log s_i and its gradient w.r.t. log π_θ(o_{i,t}) is 1 per token.
            let log_s_token = logp - logp.detach() + log_s.detach();
            log_s_token.clamp_max(SEQ_LOG_RATIO_MAX)
        }
    }
}

/// Per-token clipped surrogate loss `[B, T]` (negated objective).
fn clipped_surrogate(cfg: &LossConfig, ratio: &Tensor, adv: &Tensor) -> Tensor {
    // PPO Eq. (7) with DAPO's clip-higher (DAPO Eq. (8)): max(−ρA, −clip(ρ, 1−ε_low, 1+ε_high)A).
    let unclipped = -(adv * ratio);
    let clipped = -(adv * ratio.clamp(1.0 - cfg.clip_low, 1.0 + cfg.clip_high));
    let ppo = unclipped.maximum(&clipped);
    match cfg.dual_clip {
        None => ppo,
        Some(c) => {
            // Dual-clip (arXiv 1912.09729, Eq. (5)): for A < 0 the loss is also capped at −cA.
            let capped = ppo.minimum(&(adv * (-c)));
            capped.where_self(&adv.lt(0.0), &ppo)
        }
    }
}

/// Masked mean of `x` as a 0-d double tensor (no gradient), 0 when the mask is empty.
fn masked_mean(x: &Tensor, mask: &Tensor) -> Tensor {
    (x * mask).sum(Kind::Double) / mask.sum(Kind::Double).clamp_min(1.0)
}

/// The GRPO-family policy loss (see the module docs for the formulas and their sources).
///
/// Returns the scalar loss (with the graph to `logp`, and to `entropy` if given) and the metrics.
///
/// # Errors
/// [`GrpoError`] if `cfg` is invalid, a tensor has the wrong shape, kind or device, the mask is not
/// 0/1, the advantages or weights are not finite, weights are negative, or a configured term lacks
/// its input (`ref_logp` for the KL penalty, `entropy` for the entropy bonus).
pub fn policy_loss(cfg: &LossConfig, inputs: &LossInputs<'_>) -> Result<LossOutput> {
    cfg.validate()?;
    let (b, t) = validate_inputs(cfg, inputs)?;
    let kind = inputs.logp.kind();
    let logp = inputs.logp;
    let mask = check::binary_mask("mask", inputs.mask, kind)?; // [B, T]
                                                               // Advantages are constants; one per response is broadcast over its tokens.
    let adv = inputs.advantages.detach().to_kind(kind);
    let adv = if adv.dim() == 1 {
        adv.unsqueeze(1).expand([b, t], false)
    } else {
        adv
    }; // [B, T]
    let weights = inputs
        .sample_weights
        .map(|w| w.detach().to_kind(kind).unsqueeze(1)); // [B, 1]
    let weigh = |x: Tensor| match &weights {
        Some(w) => x * w,
        None => x,
    };

    let ratio = log_ratio(cfg.ratio_level, logp, inputs.old_logp, &mask).exp(); // ρ or s_i, [B, T]
    let pg_mat = clipped_surrogate(cfg, &ratio, &adv);
    let pg_loss = aggregate_unchecked(&weigh(pg_mat), &mask, cfg.aggregation);

    // KL penalty (GRPO Eq. (3)'s −β D_KL, aggregated like the policy term as in verl).
    let kl_loss = match (cfg.kl, inputs.ref_logp) {
        (Some(kl), Some(ref_logp)) => {
            let kl_mat = kl_unchecked(logp, ref_logp, kl.estimator);
            Some((
                aggregate_unchecked(&weigh(kl_mat), &mask, cfg.aggregation),
                kl.coef,
            ))
        }
        _ => None,
    };
    // Entropy bonus (verl: policy_loss − entropy_coeff · agg(H)); aggregated whenever given, for the
    // metric.
    let entropy_loss = inputs
        .entropy
        .map(|h| aggregate_unchecked(&h.to_kind(kind), &mask, cfg.aggregation));

    // loss = agg(w·l_clip) + β·agg(w·KL) − entropy_coef·agg(H); built out of place, so `pg_loss`
    // keeps its own value for the metrics.
    let loss = match &kl_loss {
        Some((kl, beta)) => &pg_loss + kl * *beta,
        None => pg_loss.shallow_clone(),
    };
    let loss = match &entropy_loss {
        Some(h) if cfg.entropy_coef != 0.0 => loss - h * cfg.entropy_coef,
        _ => loss,
    };

    // Every metric is a 0-d tensor first; one device-to-host copy reads them all.
    let metrics = tch::no_grad(|| -> Result<LossMetrics> {
        let ratio = ratio.detach();
        let pos = adv.gt(0.0).to_kind(kind);
        let neg = adv.lt(0.0).to_kind(kind);
        let above_high = ratio.gt(1.0 + cfg.clip_high).to_kind(kind);
        let below_low = ratio.lt(1.0 - cfg.clip_low).to_kind(kind);
        let zero = || Tensor::zeros([], (Kind::Double, inputs.logp.device()));
        let dual_clip_frac = match cfg.dual_clip {
            Some(c) => masked_mean(&(&neg * ratio.gt(c).to_kind(kind)), &mask),
            None => zero(),
        };
        let kl_mean = inputs.ref_logp.map(|r| {
            let estimator = cfg.kl.map_or(KlEstimator::K3, |kl| kl.estimator);
            masked_mean(&kl_unchecked(&logp.detach(), r, estimator), &mask)
        });
        let entropy_mean = inputs
            .entropy
            .map(|h| masked_mean(&h.detach().to_kind(kind), &mask));
        let scalars = [
            pg_loss.detach().to_kind(Kind::Double),
            kl_loss
                .as_ref()
                .map_or_else(zero, |(k, _)| k.detach().to_kind(Kind::Double)),
            entropy_loss
                .as_ref()
                .map_or_else(zero, |h| h.detach().to_kind(Kind::Double)),
            masked_mean(&(pos * above_high), &mask),
            masked_mean(&(neg * below_low), &mask),
            dual_clip_frac,
            masked_mean(&ratio, &mask),
            masked_mean(&(inputs.old_logp - logp.detach()), &mask),
            kl_mean.as_ref().map_or_else(zero, Tensor::shallow_clone),
            entropy_mean
                .as_ref()
                .map_or_else(zero, Tensor::shallow_clone),
            mask.sum(Kind::Double),
        ];
        let v = Vec::<f64>::try_from(Tensor::stack(&scalars, 0).to_device(tch::Device::Cpu))?;
        Ok(LossMetrics {
            pg_loss: v[0],
            kl_loss: kl_loss.as_ref().map(|_| v[1]),
            entropy_loss: entropy_loss.as_ref().map(|_| v[2]),
            clip_frac_high: v[3],
            clip_frac_low: v[4],
            dual_clip_frac: v[5],
            ratio_mean: v[6],
            approx_kl_old: v[7],
            kl_mean: kl_mean.map(|_| v[8]),
            entropy_mean: entropy_mean.map(|_| v[9]),
            valid_tokens: v[10] as i64,
        })
    })?;
    Ok(LossOutput { loss, metrics })
}
