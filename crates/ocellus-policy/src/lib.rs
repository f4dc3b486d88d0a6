//! The interface between a vision-language policy and an RL loop.
//!
//! An RLVR loop (GRPO and its variants, multi-turn crop/zoom agents) needs five things from a
//! model, and this crate names them without choosing a model:
//!
//! | piece | what | module |
//! |---|---|---|
//! | [`Policy`] | `extend` a KV cache with tokens and images, map hidden states to logits | [`policy`] |
//! | [`TextTokenizer`] | HF `tokenizer.json` (byte-level BPE), or one trained on the task prompts | [`tokenizer`] |
//! | [`ChatTemplate`] | SmolVLM's chat prompt with image blocks; tool replies as user turns | [`chat`] |
//! | [`sample_group`] | a group of `G` responses: shared prefill, lock-step decoding, temperature, top-p, stop strings, a [`Tool`] between turns | [`sample`] |
//! | [`group_logprobs`] | the same tokens' log-probabilities with gradients: prompt once, responses batched | [`batch`] |
//!
//! A [`Rollout`] carries what the loss needs: every token after the prompt, the mask of those the
//! policy generated (tool replies and their images are masked out, as verl's `response_mask` and
//! TRL's `tool_mask`), and the sampling log-probabilities. `ocellus-vlm` implements [`Policy`];
//! `ocellus-rlvr` trains it with the objectives of `ocellus-grpo`.
#![deny(missing_docs)]

pub mod batch;
pub mod cache;
pub mod chat;
pub mod error;
pub mod image;
pub mod policy;
pub mod sample;
pub mod tokenizer;

pub use batch::{group_logprobs, prompted_logprobs, GroupLogprobs, GroupTensors, PromptedBatch};
pub use cache::KvCache;
pub use chat::{ChatTemplate, IMAGE_PLACEHOLDER, SPECIAL_TOKENS};
pub use error::{PolicyError, Result};
pub use image::{ImageSpec, RgbImage};
pub use policy::Policy;
pub use sample::{sample_group, Finish, Prompt, Rollout, SamplingConfig, Tool, ToolReply};
pub use tokenizer::TextTokenizer;
