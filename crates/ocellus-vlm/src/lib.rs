//! A vision-language policy on tch in the SmolVLM / Idefics3 architecture.
//!
//! One implementation serves two uses:
//! - **the small policy** trained from scratch on two CPU cores: the same architecture with a
//!   small [`VlmConfig`] (see [`tiny_config`]) and a byte-level BPE trained on the task prompts;
//! - **real weights**: `Vlm::from_dir` reads an HF folder (`config.json`, `model.safetensors`,
//!   `tokenizer.json`) of SmolVLM-256M/500M-Instruct or any Idefics3-layout checkpoint.
//!
//! SmolVLM is the first target because its smallest model has 256M parameters, its parts are
//! standard (SigLIP ViT, pixel shuffle, one Linear, a Llama decoder: no M-RoPE or 3-D
//! convolutions as in Qwen2-VL), and TRL tests GRPO on SmolVLM2. Images are fed as one square
//! tile (SmolVLM: 512 px, 64 tokens); SmolVLM's image splitting is not implemented.
//!
//! [`Vlm`] implements [`ocellus_policy::Policy`], so the sampler and the GRPO loop do not know
//! which of the two they train.
#![deny(missing_docs)]

pub mod config;
pub mod error;
pub mod folder;
pub mod model;

pub use config::{TextConfig, VisionConfig, VlmConfig};
pub use error::VlmError;
pub use model::{pixel_shuffle, Vlm};

/// A small model of the SmolVLM shape for two CPU cores: a 96-px image in 12-px patches
/// (8 × 8), pixel shuffle 2 (16 image tokens), vision width `vision_width`, decoder width
/// `width` with `layers` blocks of 4 heads (2 key/value heads), vocabulary `vocab_size`.
pub fn tiny_config(vocab_size: i64, image_token_id: i64, width: i64, layers: i64) -> VlmConfig {
    VlmConfig {
        model_type: "idefics3".into(),
        vision_config: VisionConfig {
            hidden_size: 96,
            intermediate_size: 384,
            num_hidden_layers: 3,
            num_attention_heads: 4,
            image_size: 96,
            patch_size: 12,
            layer_norm_eps: 1e-6,
        },
        text_config: TextConfig {
            vocab_size,
            hidden_size: width,
            intermediate_size: width * 8 / 3 / 8 * 8,
            num_hidden_layers: layers,
            num_attention_heads: 4,
            num_key_value_heads: 2,
            rms_norm_eps: 1e-5,
            rope_theta: 10_000.0,
        },
        scale_factor: 2,
        image_token_id,
        tie_word_embeddings: false,
    }
}
