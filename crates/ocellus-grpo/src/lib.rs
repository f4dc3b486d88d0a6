//! GRPO-family objectives for small vision-language policies, over tch tensors.
//!
//! A GRPO update, in the order this crate's pieces are used:
//!
//! 1. **Filter** prompts whose `G` sampled responses all got the same reward
//!    ([`dapo_keep_groups`], DAPO) and **shape** rewards of over-long responses
//!    ([`OverlongShaping`], DAPO).
//! 2. **Advantages** from `[num_groups, group_size]` rewards ([`advantage`]): GRPO z-score
//!    ([`grpo_advantages`]), Dr.GRPO mean-only ([`dr_grpo_advantages`]), batch std / Lite PPO
//!    ([`batch_std_advantages`]), BN-GSPO's ReBN ([`rebn_advantages`]), or EMA-GRPO's per-task EMA
//!    std ([`TaskEmaStd`]). For multi-step agents, step advantages go onto action tokens with
//!    [`step_advantages_to_tokens`] (VL-DAC).
//! 3. **Masks and weights**: the loss mask selects response (or action) tokens; VPPO narrows it to
//!    high visual-dependency tokens ([`perception_token_mask`]) and reweights trajectories
//!    ([`trajectory_weights`]); UniVG-R1 ([`univg_difficulty_weights`]) and GUI-G1
//!    ([`per_prompt_sample_weights`]) give per-sample weights.
//! 4. **Loss** ([`policy_loss`] with a [`LossConfig`]): PPO-clip with DAPO clip-higher, dual-clip,
//!    token or GSPO sequence ratio, KL to a reference ([`KlEstimator`] k1/k2/k3/k3+), entropy
//!    bonus, reduced by one of four [`Aggregation`]s; returns the loss and [`LossMetrics`].
//!
//! **Row layout.** Rewards are `[num_groups, group_size]`; everything per response is indexed by
//! `B = num_groups · group_size` rows in row-major order (`rewards.reshape([-1])`), and per-token
//! tensors are `[B, T]` right-padded, with a 0/1 mask.
//!
//! Formulas follow the papers cited in each module (arXiv ids) and are matched against verl's
//! `core_algos.py` and TRL's `grpo_trainer.py`/`grpo_config.py`; each module lists its deviations.
//! Values marked UNVERIFIED come from secondary notes, not the primary text.
//!
//! ```
//! use ocellus_grpo::{grpo_advantages, policy_loss, LossConfig, LossInputs, VERL_STD_EPS};
//! use tch::{Kind, Tensor};
//!
//! // 2 prompts × 2 responses; rewards from a verifier.
//! let rewards = Tensor::from_slice(&[1.0f32, 0.0, 0.0, 0.0]).reshape([2, 2]);
//! let adv = grpo_advantages(&rewards, VERL_STD_EPS)?.reshape([-1]); // [B = 4]
//! // Log-probs of the sampled tokens (T = 3) under the rollout policy and the current one.
//! let old_logp = Tensor::full([4, 3], -1.0, (Kind::Float, tch::Device::Cpu));
//! let logp = old_logp.copy().set_requires_grad(true);
//! let mask = Tensor::from_slice(&[1i64, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1]).reshape([4, 3]);
//!
//! let out = policy_loss(&LossConfig::dapo(), &LossInputs::new(&logp, &old_logp, &adv, &mask))?;
//! out.loss.backward();
//! assert_eq!(out.metrics.valid_tokens, 9);
//! assert!((out.metrics.ratio_mean - 1.0).abs() < 1e-6); // on-policy: ρ = 1
//! // ∂loss/∂logp = −A/#tokens for the first response's tokens (token-mean, no clipping).
//! let a0 = adv.double_value(&[0]);
//! assert!((logp.grad().double_value(&[0, 0]) + a0 / 9.0).abs() < 1e-6);
//! # Ok::<(), ocellus_grpo::GrpoError>(())
//! ```
//!
//! **Linking libtorch.** This crate's build script adds libtorch's directory (exported by
//! `torch-sys` as `DEP_TCH_LIBTORCH_LIB`) to the RUNPATH of its own test executables, so they run
//! without `LD_LIBRARY_PATH`; a binary crate depending on this one points its own `build` key
//! at the same shared script, `build/torch_rpath.rs`.

#![deny(missing_docs)]

pub mod advantage;
pub mod aggregate;
mod check;
pub mod dapo;
pub mod ema_grpo;
pub mod error;
pub mod kl;
pub mod loss;
pub mod vl_dac;
pub mod vppo;
pub mod weights;

pub use advantage::{
    batch_std_advantages, dr_grpo_advantages, grpo_advantages, rebn_advantages, TRL_STD_EPS,
    VERL_STD_EPS,
};
pub use aggregate::{aggregate, micro_batch_weight, Aggregation};
pub use dapo::{dapo_keep_groups, OverlongShaping};
pub use ema_grpo::{EmaAdvantages, EmaGrpoConfig, TaskEmaStd};
pub use error::{GrpoError, Result};
pub use kl::{kl_estimate, KlEstimator};
pub use loss::{
    policy_loss, KlPenalty, LossConfig, LossInputs, LossMetrics, LossOutput, RatioLevel,
};
pub use vl_dac::step_advantages_to_tokens;
pub use vppo::{perception_token_mask, token_perception_scores, trajectory_weights};
pub use weights::{per_prompt_sample_weights, univg_difficulty_weights, DifficultyScheme};
