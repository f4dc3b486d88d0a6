//! The model's shape, read from and written to an HF `config.json` (model_type `idefics3` or
//! `smolvlm`; transformers `configuration_idefics3.py` / `configuration_smolvlm.py`).

use serde::{Deserialize, Serialize};

use crate::error::VlmError;

/// The SigLIP vision tower (`vision_config`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VisionConfig {
    /// Width of the tower (SmolVLM: 768).
    pub hidden_size: i64,
    /// MLP width (3072).
    pub intermediate_size: i64,
    /// Blocks (12).
    pub num_hidden_layers: i64,
    /// Heads (12).
    pub num_attention_heads: i64,
    /// Square input side (512).
    pub image_size: i64,
    /// Patch side (16).
    pub patch_size: i64,
    /// LayerNorm epsilon (1e-6).
    #[serde(default = "default_ln_eps")]
    pub layer_norm_eps: f64,
}

/// The Llama decoder (`text_config`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextConfig {
    /// Vocabulary (SmolVLM: 49280).
    pub vocab_size: i64,
    /// Width (576).
    pub hidden_size: i64,
    /// SwiGLU width (1536).
    pub intermediate_size: i64,
    /// Blocks (30).
    pub num_hidden_layers: i64,
    /// Query heads (9).
    pub num_attention_heads: i64,
    /// Key/value heads (3; grouped-query attention).
    pub num_key_value_heads: i64,
    /// RMSNorm epsilon (1e-5).
    #[serde(default = "default_rms_eps")]
    pub rms_norm_eps: f64,
    /// RoPE base (100000).
    #[serde(default = "default_rope")]
    pub rope_theta: f64,
}

fn default_ln_eps() -> f64 {
    1e-6
}
fn default_rms_eps() -> f64 {
    1e-5
}
fn default_rope() -> f64 {
    10_000.0
}
fn default_scale() -> i64 {
    1
}

/// The whole model (top level of `config.json`; other keys are ignored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VlmConfig {
    /// `idefics3` or `smolvlm`.
    pub model_type: String,
    /// The vision tower.
    pub vision_config: VisionConfig,
    /// The decoder.
    pub text_config: TextConfig,
    /// Pixel-shuffle factor (SmolVLM: 4).
    #[serde(default = "default_scale")]
    pub scale_factor: i64,
    /// Id of `<image>` (SmolVLM: 49190).
    pub image_token_id: i64,
    /// Whether `lm_head` shares `embed_tokens`' weight (SmolVLM: false).
    #[serde(default)]
    pub tie_word_embeddings: bool,
}

impl VlmConfig {
    /// Patches per side.
    pub fn patches_per_side(&self) -> i64 {
        self.vision_config.image_size / self.vision_config.patch_size
    }

    /// Image tokens per image after pixel shuffle.
    pub fn tokens_per_image(&self) -> i64 {
        let side = self.patches_per_side() / self.scale_factor;
        side * side
    }

    /// Width of a decoder head.
    pub fn head_dim(&self) -> i64 {
        self.text_config.hidden_size / self.text_config.num_attention_heads
    }

    /// Checks that the dimensions fit together; every problem is named.
    ///
    /// # Errors
    /// [`VlmError::Config`] listing the problems.
    pub fn validate(&self) -> Result<(), VlmError> {
        let v = &self.vision_config;
        let t = &self.text_config;
        let mut problems = Vec::new();
        if !matches!(self.model_type.as_str(), "idefics3" | "smolvlm") {
            problems.push(format!(
                "model_type `{}` is not idefics3 or smolvlm",
                self.model_type
            ));
        }
        let positive = [
            ("vision_config.hidden_size", v.hidden_size),
            ("vision_config.intermediate_size", v.intermediate_size),
            ("vision_config.num_hidden_layers", v.num_hidden_layers),
            ("vision_config.num_attention_heads", v.num_attention_heads),
            ("vision_config.image_size", v.image_size),
            ("vision_config.patch_size", v.patch_size),
            ("text_config.vocab_size", t.vocab_size),
            ("text_config.hidden_size", t.hidden_size),
            ("text_config.intermediate_size", t.intermediate_size),
            ("text_config.num_hidden_layers", t.num_hidden_layers),
            ("text_config.num_attention_heads", t.num_attention_heads),
            ("text_config.num_key_value_heads", t.num_key_value_heads),
            ("scale_factor", self.scale_factor),
        ];
        for (name, value) in positive {
            if value <= 0 {
                problems.push(format!("{name} = {value} must be > 0"));
            }
        }
        if problems.is_empty() {
            if v.image_size % v.patch_size != 0 {
                problems.push("vision_config.image_size is not a multiple of patch_size".into());
            }
            if self.patches_per_side() % self.scale_factor != 0 {
                problems.push("patches per side is not a multiple of scale_factor".into());
            }
            if v.hidden_size % v.num_attention_heads != 0 {
                problems.push("vision hidden_size is not a multiple of its heads".into());
            }
            if t.hidden_size % t.num_attention_heads != 0 || self.head_dim() % 2 != 0 {
                problems.push("text hidden_size / heads must be an even integer (RoPE)".into());
            }
            if t.num_attention_heads % t.num_key_value_heads != 0 {
                problems.push(
                    "text num_attention_heads is not a multiple of num_key_value_heads".into(),
                );
            }
            if !(0..t.vocab_size).contains(&self.image_token_id) {
                problems.push(format!(
                    "image_token_id {} is outside the vocabulary",
                    self.image_token_id
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(VlmError::Config(problems.join("; ")))
        }
    }

    /// The `config.json` text.
    pub fn to_json(&self) -> String {
        let mut value = serde_json::to_value(self).expect("plain data serialises");
        value["architectures"] = serde_json::json!(["Idefics3ForConditionalGeneration"]);
        value["vision_config"]["model_type"] = "idefics3_vision".into();
        value["text_config"]["model_type"] = "llama".into();
        serde_json::to_string_pretty(&value).expect("plain data serialises")
    }

    /// Parses a `config.json`.
    ///
    /// # Errors
    /// [`VlmError::Config`] naming the missing or mistyped field.
    pub fn from_json(text: &str) -> Result<VlmConfig, VlmError> {
        let config: VlmConfig = serde_json::from_str(text)
            .map_err(|e| VlmError::Config(format!("config.json: {e}")))?;
        config.validate()?;
        Ok(config)
    }
}
