//! Reusable tch building blocks for pixel-based continuous control.
//!
//! Each module holds one idea that DrQ-v2 (Yarats et al. 2021, arXiv 2107.09645) and its
//! descendants (DrM, TACO, MENTOR) share, so that an agent file in `ocellus-agents` reads as the
//! algorithm and nothing else:
//!
//! | module | what | reference (facebookresearch/drqv2 @ c0c650b) |
//! |---|---|---|
//! | [`rng`] | [`Rng`]: seedable xoshiro256++ whose state is four `u64`s (checkpointable) | — (replaces torch's global generator) |
//! | [`augment`] | [`RandomShift`]: replicate pad + per-sample integer crop | `drqv2.py::RandomShiftsAug` |
//! | [`encoder`] | [`ConvEncoder`]: 4 × conv3x3, size from conv arithmetic | `drqv2.py::Encoder` |
//! | [`mlp`] | [`Trunk`] (Linear → LayerNorm → Tanh) and [`Mlp`] (Linear/ReLU stack) | `drqv2.py::Actor/Critic` |
//! | [`truncated_normal`] | [`TruncatedNormal`] with straight-through clamp and noise clip | `utils.py::TruncatedNormal` |
//! | [`squashed_normal`] | [`SquashedNormal`]: tanh-squashed Gaussian with its log density (SAC/DrQ policy) | denisyarats/drq `utils.py::SquashedNormal` |
//! | [`schedule`] | [`Schedule`]: constant or `linear(init, final, duration)` in agent steps | `utils.py::schedule` |
//! | [`target`] | [`soft_update`]: the EMA target update | `utils.py::soft_update_params` |
//! | [`init`] | orthogonal initialisation | `utils.py::weight_init` |
//! | [`adam`] | [`Adam`]: torch.optim.Adam's update on tensors, state as named tensors | `torch/optim/adam.py` (2.13) |
//! | [`state`] | checking named-tensor state against what a model expects ([`StateError`]) | — |
//! | [`error`] | [`InputError`]: a wrong shape, a value out of range, mismatched named tensors | — |
//!
//! The blocks of DrM, TACO and MENTOR (references at XuGW-Kevin/DrM @ 317116a,
//! FrankZheng2022/TACO @ 84c38e3, suninghuang19/mentor @ f4fa81f):
//!
//! | module | what | reference |
//! |---|---|---|
//! | [`dormant`] | dormant neurons of Linear outputs / conv channels, DrM's network ratio β | DrM `utils.py::cal_dormant_ratio` |
//! | [`drm`] | α(β), σ(β) with the awaken rule, λ(β), the expectile loss, shrink-and-perturb | DrM `agents/drm.py`, `utils.py::perturb` |
//! | [`moe`] | top-k gating, load-balance and entropy losses, expert load, the [`Moe`] layer | MENTOR `moe.py::MoE` |
//! | [`snapshots`] | [`SnapshotSet`]: the K best parameter snapshots by episode return, N(μ, σ) targets | MENTOR `utils.py::models_tuple` |
//! | [`contrastive`] | bilinear logits `q·W·kᵀ`, InfoNCE with in-batch negatives, top-1 accuracy | TACO `agents/taco.py::TACO.compute_logits`, `update_taco` |
//!
//! Every random draw comes from an explicit [`Rng`], never from libtorch's global generator, so
//! two models built and trained from the same seed on the same data are bit-identical, and
//! every generator state can be written to a checkpoint and restored.
#![deny(missing_docs)]

pub mod adam;
pub mod augment;
pub mod contrastive;
pub mod dormant;
pub mod drm;
pub mod encoder;
pub mod error;
pub mod init;
pub mod mlp;
pub mod moe;
pub mod rng;
pub mod schedule;
pub mod snapshots;
pub mod squashed_normal;
pub mod state;
pub mod target;
#[cfg(test)]
mod test_util;
pub mod truncated_normal;

pub use adam::{Adam, AdamConfig};
pub use augment::RandomShift;
pub use contrastive::{bilinear_logits, contrastive_accuracy, info_nce};
pub use dormant::{
    dormant_channels, dormant_neurons, dormant_ratio, DormantCount, DORMANT_THRESHOLD,
};
pub use drm::{
    expectile_loss, perturb, perturb_where, AwakenExploration, DormantStddev, ExploitLambda,
    PerturbFactor,
};
pub use encoder::{conv_out_len, ConvEncoder};
pub use error::InputError;
pub use mlp::{Mlp, Trunk};
pub use moe::{
    expert_load, gate_entropy, load_balance_loss, moe_aux_loss, top_k_gate, Moe, MoeConfig,
    MoeOutput, TopKGate,
};
pub use rng::Rng;
pub use schedule::Schedule;
pub use snapshots::{Offer, SnapshotSet, TP_SET_SIZE};
pub use squashed_normal::SquashedNormal;
pub use state::{StateError, StateProblem};
pub use target::soft_update;
pub use truncated_normal::TruncatedNormal;
