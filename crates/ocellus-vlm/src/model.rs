//! The Idefics3 / SmolVLM architecture: SigLIP vision tower → pixel shuffle → linear connector →
//! Llama decoder whose `<image>` token embeddings are replaced by the image features.
//!
//! Parameter names are exactly the HF checkpoint's (`model.vision_model.…`,
//! `model.connector.modality_projection.proj.weight`, `model.text_model.…`, `lm_head.weight`),
//! so a SmolVLM `model.safetensors` loads by name and a model saved here loads in transformers.
//! The maths follows transformers `modeling_idefics3.py` / `modeling_smolvlm.py` and
//! `modeling_llama.py` (read through the notes in the project's research folder):
//!
//! - **Vision** (`Idefics3VisionTransformer`): Conv2d patch embedding (kernel = stride = patch),
//!   plus a learned position table (a full square tile gives position ids `row·side + col`);
//!   pre-LN blocks `x + attn(LN₁ x)`, `x + fc2(gelu_tanh(fc1(LN₂ x)))`, bidirectional attention
//!   scaled by `head_dim^-½`; a final `post_layernorm`.
//! - **Connector** (`Idefics3Connector`): `pixel_shuffle(x, s)` turns `side²` patches of width
//!   `e` into `(side/s)²` tokens of width `e·s²` (token `r·side/s + c` concatenates the `s × s`
//!   block at rows `s·r + dh`, cols `s·c + dw` in `(dh, dw, channel)` order), then a bias-free
//!   Linear to the decoder width.
//! - **Decoder** (`LlamaModel`): RMSNorm (in float), grouped-query attention with RoPE
//!   (`rotate_half` convention, `θ = rope_theta`), SwiGLU MLP `down(silu(gate x) · up x)`, final
//!   RMSNorm, untied `lm_head` (tied when `tie_word_embeddings`).
//! - **Merging** (`inputs_merger`): the `<image>` positions of the token sequence, in row-major
//!   order, take the image features in order; their count must be `tokens_per_image ×` images.
//!
//! Weights are initialised from an explicit [`Rng`] as HF's `_init_weights` does for these
//! models (normal with std 0.02 for Linear, Conv and Embedding weights, zero biases, unit norm
//! weights), so a model built from a seed is the same on every run.

// `x = x + f(x)` is kept over `x += f(x)`: on a tch tensor `+=` is an in-place add, which would
// overwrite a value autograd still needs for the backward pass.
#![allow(clippy::assign_op_pattern)]

use ocellus_nn::Rng;
use ocellus_policy::{ChatTemplate, ImageSpec, KvCache, Policy, PolicyError, TextTokenizer};
use tch::{nn, Device, Kind, Tensor};

use crate::config::VlmConfig;

/// HF's `initializer_range` for these models.
const INIT_STD: f64 = 0.02;

struct Linear {
    weight: Tensor,
    bias: Option<Tensor>,
}

impl Linear {
    fn forward(&self, x: &Tensor) -> Tensor {
        x.linear(&self.weight, self.bias.as_ref())
    }
}

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl LayerNorm {
    fn forward(&self, x: &Tensor) -> Tensor {
        let d = self.weight.size()[0];
        x.layer_norm([d], Some(&self.weight), Some(&self.bias), self.eps, true)
    }
}

struct RmsNorm {
    weight: Tensor,
    eps: f64,
}

impl RmsNorm {
    fn forward(&self, x: &Tensor) -> Tensor {
        // LlamaRMSNorm: in float, x · rsqrt(mean(x²) + ε), then the weight.
        let kind = x.kind();
        let xf = x.to_kind(Kind::Float);
        let var = xf.pow_tensor_scalar(2).mean_dim(-1, true, Kind::Float);
        (xf * (var + self.eps).rsqrt()).to_kind(kind) * &self.weight
    }
}

/// Creates the parameters of one module under `path`, zero-filled; [`Builder::init`] fills them.
struct Builder<'a> {
    root: nn::Path<'a>,
}

impl Builder<'_> {
    fn var(&self, name: &str, shape: &[i64]) -> Tensor {
        let mut path = self.root.clone();
        let parts: Vec<&str> = name.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            path = path / *p;
        }
        path.zeros(parts[parts.len() - 1], shape)
    }

    fn linear(&self, name: &str, out: i64, inp: i64, bias: bool) -> Linear {
        Linear {
            weight: self.var(&format!("{name}.weight"), &[out, inp]),
            bias: bias.then(|| self.var(&format!("{name}.bias"), &[out])),
        }
    }

    fn layer_norm(&self, name: &str, d: i64, eps: f64) -> LayerNorm {
        LayerNorm {
            weight: self.var(&format!("{name}.weight"), &[d]),
            bias: self.var(&format!("{name}.bias"), &[d]),
            eps,
        }
    }

    fn rms_norm(&self, name: &str, d: i64, eps: f64) -> RmsNorm {
        RmsNorm {
            weight: self.var(&format!("{name}.weight"), &[d]),
            eps,
        }
    }
}

struct VisionBlock {
    ln1: LayerNorm,
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    ln2: LayerNorm,
    fc1: Linear,
    fc2: Linear,
}

struct DecoderBlock {
    input_norm: RmsNorm,
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    post_norm: RmsNorm,
    gate: Linear,
    up: Linear,
    down: Linear,
}

/// The model with its tokenizer and chat template: a [`Policy`].
pub struct Vlm {
    config: VlmConfig,
    vs: nn::VarStore,
    tokenizer: TextTokenizer,
    chat: ChatTemplate,
    image_spec: ImageSpec,
    patch_weight: Tensor,
    patch_bias: Tensor,
    position_embedding: Tensor,
    vision_blocks: Vec<VisionBlock>,
    post_layernorm: LayerNorm,
    connector: Linear,
    embed_tokens: Tensor,
    decoder_blocks: Vec<DecoderBlock>,
    norm: RmsNorm,
    lm_head: Tensor,
    inv_freq: Tensor,
}

impl std::fmt::Debug for Vlm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vlm({} parameters)", self.num_parameters())
    }
}

impl Vlm {
    /// A model of shape `config` with zero weights (fill them with [`Vlm::init`] or by loading).
    ///
    /// # Errors
    /// An invalid config, or a tokenizer lacking the chat template's tokens or disagreeing with
    /// `config.image_token_id`.
    pub fn zeros(
        config: VlmConfig,
        tokenizer: TextTokenizer,
        device: Device,
    ) -> Result<Vlm, crate::VlmError> {
        config.validate()?;
        let chat = ChatTemplate::new(&tokenizer, config.tokens_per_image() as usize)?;
        if chat.image != config.image_token_id {
            return Err(crate::VlmError::Config(format!(
                "image_token_id is {} but the tokenizer's `<image>` is {}",
                config.image_token_id, chat.image
            )));
        }
        if tokenizer.vocab_size() as i64 > config.text_config.vocab_size {
            return Err(crate::VlmError::Config(format!(
                "the tokenizer has {} tokens, more than text_config.vocab_size = {}",
                tokenizer.vocab_size(),
                config.text_config.vocab_size
            )));
        }
        let vs = nn::VarStore::new(device);
        let b = Builder { root: vs.root() };
        let v = &config.vision_config;
        let t = &config.text_config;
        let (dv, d) = (v.hidden_size, t.hidden_size);
        let vp = "model.vision_model";
        let patch_weight = b.var(
            &format!("{vp}.embeddings.patch_embedding.weight"),
            &[dv, 3, v.patch_size, v.patch_size],
        );
        let patch_bias = b.var(&format!("{vp}.embeddings.patch_embedding.bias"), &[dv]);
        let n_pos = config.patches_per_side() * config.patches_per_side();
        let position_embedding = b.var(
            &format!("{vp}.embeddings.position_embedding.weight"),
            &[n_pos, dv],
        );
        let vision_blocks = (0..v.num_hidden_layers)
            .map(|i| {
                let p = format!("{vp}.encoder.layers.{i}");
                VisionBlock {
                    ln1: b.layer_norm(&format!("{p}.layer_norm1"), dv, v.layer_norm_eps),
                    q: b.linear(&format!("{p}.self_attn.q_proj"), dv, dv, true),
                    k: b.linear(&format!("{p}.self_attn.k_proj"), dv, dv, true),
                    v: b.linear(&format!("{p}.self_attn.v_proj"), dv, dv, true),
                    out: b.linear(&format!("{p}.self_attn.out_proj"), dv, dv, true),
                    ln2: b.layer_norm(&format!("{p}.layer_norm2"), dv, v.layer_norm_eps),
                    fc1: b.linear(&format!("{p}.mlp.fc1"), v.intermediate_size, dv, true),
                    fc2: b.linear(&format!("{p}.mlp.fc2"), dv, v.intermediate_size, true),
                }
            })
            .collect();
        let post_layernorm = b.layer_norm(&format!("{vp}.post_layernorm"), dv, v.layer_norm_eps);
        let s2 = config.scale_factor * config.scale_factor;
        let connector = b.linear(
            "model.connector.modality_projection.proj",
            d,
            dv * s2,
            false,
        );
        let tp = "model.text_model";
        let embed_tokens = b.var(&format!("{tp}.embed_tokens.weight"), &[t.vocab_size, d]);
        let hd = config.head_dim();
        let kv = t.num_key_value_heads * hd;
        let decoder_blocks = (0..t.num_hidden_layers)
            .map(|i| {
                let p = format!("{tp}.layers.{i}");
                DecoderBlock {
                    input_norm: b.rms_norm(&format!("{p}.input_layernorm"), d, t.rms_norm_eps),
                    q: b.linear(&format!("{p}.self_attn.q_proj"), d, d, false),
                    k: b.linear(&format!("{p}.self_attn.k_proj"), kv, d, false),
                    v: b.linear(&format!("{p}.self_attn.v_proj"), kv, d, false),
                    o: b.linear(&format!("{p}.self_attn.o_proj"), d, d, false),
                    post_norm: b.rms_norm(
                        &format!("{p}.post_attention_layernorm"),
                        d,
                        t.rms_norm_eps,
                    ),
                    gate: b.linear(&format!("{p}.mlp.gate_proj"), t.intermediate_size, d, false),
                    up: b.linear(&format!("{p}.mlp.up_proj"), t.intermediate_size, d, false),
                    down: b.linear(&format!("{p}.mlp.down_proj"), d, t.intermediate_size, false),
                }
            })
            .collect();
        let norm = b.rms_norm(&format!("{tp}.norm"), d, t.rms_norm_eps);
        let lm_head = if config.tie_word_embeddings {
            embed_tokens.shallow_clone()
        } else {
            b.var("lm_head.weight", &[t.vocab_size, d])
        };
        let inv_freq = Tensor::arange_start_step(0, hd, 2, (Kind::Float, device))
            .divide_scalar(hd as f64)
            .multiply_scalar(-t.rope_theta.ln())
            .exp();
        let image_spec = ImageSpec {
            size: v.image_size as usize,
            mean: [0.5; 3],
            std: [0.5; 3],
        };
        Ok(Vlm {
            config,
            vs,
            tokenizer,
            chat,
            image_spec,
            patch_weight,
            patch_bias,
            position_embedding,
            vision_blocks,
            post_layernorm,
            connector,
            embed_tokens,
            decoder_blocks,
            norm,
            lm_head,
            inv_freq,
        })
    }

    /// HF's initialisation from `rng`: normal(0, 0.02) for every matrix, conv kernel and
    /// embedding table, zero biases, unit LayerNorm/RMSNorm weights. Variables are visited in
    /// name order, so the result depends only on the seed and the config.
    pub fn init(&mut self, rng: &mut Rng) {
        let mut vars: Vec<(String, Tensor)> = self.vs.variables().into_iter().collect();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        tch::no_grad(|| {
            for (name, mut t) in vars {
                let is_norm = name.contains("norm");
                if name.ends_with(".bias") {
                    let _ = t.zero_();
                } else if is_norm {
                    let _ = t.fill_(1.0);
                } else {
                    let noise = rng.normal_tensor(&t.size(), t.device()) * INIT_STD;
                    t.copy_(&noise);
                }
            }
        });
    }

    /// The shape.
    pub fn config(&self) -> &VlmConfig {
        &self.config
    }

    /// Number of scalar parameters.
    pub fn num_parameters(&self) -> i64 {
        self.vs
            .variables()
            .values()
            .map(Tensor::numel)
            .sum::<usize>() as i64
    }

    /// Image features `[N, tokens_per_image, d]` of preprocessed images `[N, 3, S, S]`.
    pub fn image_features(&self, images: &Tensor) -> Tensor {
        let v = &self.config.vision_config;
        let p = v.patch_size;
        let x = images.conv2d(
            &self.patch_weight,
            Some(&self.patch_bias),
            [p, p],
            [0, 0],
            [1, 1],
            1,
        );
        let n = x.size()[0];
        let mut x = x.flatten(2, 3).transpose(1, 2) + &self.position_embedding; // [N, P, dv]
        let heads = v.num_attention_heads;
        let hd = v.hidden_size / heads;
        for blk in &self.vision_blocks {
            let h = blk.ln1.forward(&x);
            let split = |t: Tensor| t.view([n, -1, heads, hd]).transpose(1, 2);
            let (q, k, vv) = (
                split(blk.q.forward(&h)),
                split(blk.k.forward(&h)),
                split(blk.v.forward(&h)),
            );
            let a = Tensor::scaled_dot_product_attention::<Tensor>(
                &q, &k, &vv, None, 0.0, false, None, false,
            );
            let a = a.transpose(1, 2).reshape([n, -1, v.hidden_size]);
            x = x + blk.out.forward(&a);
            let h = blk.ln2.forward(&x);
            x = x + blk.fc2.forward(&blk.fc1.forward(&h).gelu("tanh"));
        }
        let x = self.post_layernorm.forward(&x);
        self.connector
            .forward(&pixel_shuffle(&x, self.config.scale_factor))
    }

    fn rope(&self, positions: &Tensor) -> (Tensor, Tensor) {
        let freqs = positions.to_kind(Kind::Float).unsqueeze(-1) * self.inv_freq.unsqueeze(0); // [n, hd/2]
        let emb = Tensor::cat(&[&freqs, &freqs], -1); // [n, hd]
        (emb.cos(), emb.sin())
    }

    /// The model's variables (for optimisers and checkpoints).
    pub fn vars(&self) -> &nn::VarStore {
        &self.vs
    }

    /// Mutable access to the variables (loading weights).
    pub fn vars_mut(&mut self) -> &mut nn::VarStore {
        &mut self.vs
    }
}

/// transformers' `Idefics3Connector.pixel_shuffle`: `[B, side², e]` → `[B, (side/s)², e·s²]`.
pub fn pixel_shuffle(x: &Tensor, s: i64) -> Tensor {
    let size = x.size();
    let (b, seq, e) = (size[0], size[1], size[2]);
    let side = (seq as f64).sqrt().round() as i64;
    x.view([b, side, side, e])
        .view([b, side, side / s, e * s])
        .permute([0, 2, 1, 3])
        .reshape([b, side / s, side / s, e * s * s])
        .permute([0, 2, 1, 3])
        .reshape([b, seq / (s * s), e * s * s])
}

fn rotate_half(x: &Tensor) -> Tensor {
    let half = x.size()[3] / 2;
    let x1 = x.narrow(3, 0, half);
    let x2 = x.narrow(3, half, half);
    Tensor::cat(&[-x2, x1], 3)
}

impl Policy for Vlm {
    fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    fn chat(&self) -> &ChatTemplate {
        &self.chat
    }

    fn image_spec(&self) -> ImageSpec {
        self.image_spec
    }

    fn device(&self) -> Device {
        self.vs.device()
    }

    fn var_store(&self) -> &nn::VarStore {
        &self.vs
    }

    fn new_cache(&self) -> KvCache {
        KvCache::new(self.decoder_blocks.len())
    }

    fn extend(
        &self,
        cache: &mut KvCache,
        ids: &Tensor,
        images: Option<&Tensor>,
    ) -> Result<Tensor, PolicyError> {
        let size = ids.size();
        if size.len() != 2 || ids.kind() != Kind::Int64 {
            return Err(PolicyError::input(
                "ids",
                format!("expected [B, n] int64, got {size:?} {:?}", ids.kind()),
            ));
        }
        let (b, n) = (size[0], size[1]);
        let vocab = self.config.text_config.vocab_size;
        let (lo, hi) = (ids.min().int64_value(&[]), ids.max().int64_value(&[]));
        if lo < 0 || hi >= vocab {
            return Err(PolicyError::input(
                "ids",
                format!("token ids must be in 0..{vocab}, got {lo}..={hi}"),
            ));
        }
        let mut x = Tensor::embedding(&self.embed_tokens, ids, -1, false, false); // [B, n, d]
        let is_image = ids.eq(self.config.image_token_id);
        let n_image_tokens = is_image.sum(Kind::Int64).int64_value(&[]);
        let per_image = self.config.tokens_per_image();
        let n_images = images.map_or(0, |t| t.size()[0]);
        if n_image_tokens != n_images * per_image {
            return Err(PolicyError::input(
                "images",
                format!(
                    "{n_image_tokens} <image> tokens but {n_images} images of {per_image} tokens each"
                ),
            ));
        }
        if let Some(images) = images.filter(|_| n_images > 0) {
            let s = self.config.vision_config.image_size;
            if images.size()[1..] != [3, s, s] {
                return Err(PolicyError::input(
                    "images",
                    format!("expected [N, 3, {s}, {s}], got {:?}", images.size()),
                ));
            }
            let feats = self.image_features(&images.to_kind(x.kind())); // [N, T, d]
            let mask = is_image.unsqueeze(-1).expand_as(&x);
            x = x.masked_scatter(&mask, &feats.reshape([-1, x.size()[2]]));
        }
        let t = &self.config.text_config;
        let (heads, kv_heads, hd) = (
            t.num_attention_heads,
            t.num_key_value_heads,
            self.config.head_dim(),
        );
        let past = cache.len();
        let positions = Tensor::arange_start(past, past + n, (Kind::Int64, self.device()));
        let (cos, sin) = self.rope(&positions); // [n, hd]
        let (cos, sin) = (cos.view([1, 1, n, hd]), sin.view([1, 1, n, hd]));
        // Causal mask over [past + n] keys for the n new queries (none needed for one query).
        let mask = (n > 1).then(|| {
            let q = Tensor::arange_start(past, past + n, (Kind::Int64, self.device())).unsqueeze(1);
            let k = Tensor::arange(past + n, (Kind::Int64, self.device())).unsqueeze(0);
            k.le_tensor(&q)
        });
        let rep = heads / kv_heads;
        for (i, blk) in self.decoder_blocks.iter().enumerate() {
            let h = blk.input_norm.forward(&x);
            let q = blk.q.forward(&h).view([b, n, heads, hd]).transpose(1, 2);
            let k = blk.k.forward(&h).view([b, n, kv_heads, hd]).transpose(1, 2);
            let v = blk.v.forward(&h).view([b, n, kv_heads, hd]).transpose(1, 2);
            let q = &q * &cos + rotate_half(&q) * &sin;
            let k = &k * &cos + rotate_half(&k) * &sin;
            let (k, v) = cache.append(i, k, v);
            // Grouped-query attention: query head j reads key/value head j / rep (repeat_kv).
            let (k, v) = if rep > 1 {
                (
                    k.repeat_interleave_self_int(rep, 1, None),
                    v.repeat_interleave_self_int(rep, 1, None),
                )
            } else {
                (k, v)
            };
            let a = Tensor::scaled_dot_product_attention(
                &q,
                &k,
                &v,
                mask.as_ref(),
                0.0,
                false,
                None,
                false,
            );
            let a = a.transpose(1, 2).reshape([b, n, heads * hd]);
            x = x + blk.o.forward(&a);
            let h = blk.post_norm.forward(&x);
            x = x + blk
                .down
                .forward(&(blk.gate.forward(&h).silu() * blk.up.forward(&h)));
        }
        cache.advance(n);
        Ok(self.norm.forward(&x))
    }

    fn logits(&self, hidden: &Tensor) -> Tensor {
        hidden.linear::<Tensor>(&self.lm_head, None)
    }
}
