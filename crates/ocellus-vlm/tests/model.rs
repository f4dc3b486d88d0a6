//! The model against an independent computation, the KV cache against full recomputation, and
//! loading an HF folder written by the test in SmolVLM's layout.

use std::collections::HashMap;
use std::path::Path;

use ocellus_nn::Rng;
use ocellus_policy::{
    group_logprobs, sample_group, GroupTensors, Policy, Prompt, SamplingConfig, TextTokenizer,
    SPECIAL_TOKENS,
};
use ocellus_vlm::{Vlm, VlmError};
use tch::{Device, Kind, Tensor};

fn tokenizer() -> TextTokenizer {
    let corpus: Vec<String> = (0..40)
        .map(|i| format!("User:<image>How many red circles? <answer>{i}</answer> Assistant:"))
        .collect();
    TextTokenizer::train_bpe(&corpus, 320, &SPECIAL_TOKENS).unwrap()
}

/// An HF-style config.json of a tiny Idefics3 model, with keys this loader ignores, as real files
/// have them.
fn config_json(vocab: i64, image_token: i64) -> String {
    format!(
        r#"{{
  "architectures": ["Idefics3ForConditionalGeneration"],
  "model_type": "idefics3",
  "image_token_id": {image_token},
  "scale_factor": 2,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "vision_config": {{"model_type": "idefics3_vision", "hidden_size": 16, "intermediate_size": 24,
    "num_hidden_layers": 2, "num_attention_heads": 2, "image_size": 16, "patch_size": 4,
    "layer_norm_eps": 1e-6, "hidden_act": "gelu_pytorch_tanh"}},
  "text_config": {{"model_type": "llama", "vocab_size": {vocab}, "hidden_size": 24,
    "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 4,
    "num_key_value_heads": 2, "rms_norm_eps": 1e-5, "rope_theta": 100000.0,
    "hidden_act": "silu", "max_position_embeddings": 512}}
}}"#
    )
}

/// Every tensor of the tiny config with SmolVLM's names, random, in bf16 as the real files.
fn tensors(vocab: i64, rng: &mut Rng) -> Vec<(String, Tensor)> {
    let (dv, iv, d, it, kv) = (16, 24, 24, 40, 12);
    let mut shapes: Vec<(String, Vec<i64>)> = vec![
        (
            "model.vision_model.embeddings.patch_embedding.weight".into(),
            vec![dv, 3, 4, 4],
        ),
        (
            "model.vision_model.embeddings.patch_embedding.bias".into(),
            vec![dv],
        ),
        (
            "model.vision_model.embeddings.position_embedding.weight".into(),
            vec![16, dv],
        ),
        ("model.vision_model.post_layernorm.weight".into(), vec![dv]),
        ("model.vision_model.post_layernorm.bias".into(), vec![dv]),
        (
            "model.connector.modality_projection.proj.weight".into(),
            vec![d, dv * 4],
        ),
        (
            "model.text_model.embed_tokens.weight".into(),
            vec![vocab, d],
        ),
        ("model.text_model.norm.weight".into(), vec![d]),
        ("lm_head.weight".into(), vec![vocab, d]),
    ];
    for i in 0..2 {
        let p = format!("model.vision_model.encoder.layers.{i}");
        for n in ["layer_norm1", "layer_norm2"] {
            shapes.push((format!("{p}.{n}.weight"), vec![dv]));
            shapes.push((format!("{p}.{n}.bias"), vec![dv]));
        }
        for n in ["q_proj", "k_proj", "v_proj", "out_proj"] {
            shapes.push((format!("{p}.self_attn.{n}.weight"), vec![dv, dv]));
            shapes.push((format!("{p}.self_attn.{n}.bias"), vec![dv]));
        }
        shapes.push((format!("{p}.mlp.fc1.weight"), vec![iv, dv]));
        shapes.push((format!("{p}.mlp.fc1.bias"), vec![iv]));
        shapes.push((format!("{p}.mlp.fc2.weight"), vec![dv, iv]));
        shapes.push((format!("{p}.mlp.fc2.bias"), vec![dv]));
        let p = format!("model.text_model.layers.{i}");
        shapes.push((format!("{p}.self_attn.q_proj.weight"), vec![d, d]));
        shapes.push((format!("{p}.self_attn.k_proj.weight"), vec![kv, d]));
        shapes.push((format!("{p}.self_attn.v_proj.weight"), vec![kv, d]));
        shapes.push((format!("{p}.self_attn.o_proj.weight"), vec![d, d]));
        shapes.push((format!("{p}.mlp.gate_proj.weight"), vec![it, d]));
        shapes.push((format!("{p}.mlp.up_proj.weight"), vec![it, d]));
        shapes.push((format!("{p}.mlp.down_proj.weight"), vec![d, it]));
        shapes.push((format!("{p}.input_layernorm.weight"), vec![d]));
        shapes.push((format!("{p}.post_attention_layernorm.weight"), vec![d]));
    }
    shapes
        .into_iter()
        .map(|(n, s)| {
            let scale = if n.contains("norm") { 0.3 } else { 0.4 };
            let mut t = rng.normal_tensor(&s, Device::Cpu) * scale;
            if n.contains("norm.weight")
                || n.contains("layernorm.weight")
                || n.contains("layer_norm") && n.ends_with("weight")
            {
                t += 1.0;
            }
            (n, t.to_kind(Kind::BFloat16))
        })
        .collect()
}

fn write_folder(dir: &Path, tensors: &[(String, Tensor)], tok: &TextTokenizer) {
    std::fs::create_dir_all(dir).unwrap();
    let image = tok.require("<image>").unwrap();
    std::fs::write(
        dir.join("config.json"),
        config_json(tok.vocab_size() as i64, image),
    )
    .unwrap();
    std::fs::write(dir.join("tokenizer.json"), tok.to_json().unwrap()).unwrap();
    Tensor::write_safetensors(tensors, dir.join("model.safetensors")).unwrap();
}

/// The forward pass written out independently: loops over heads and positions, f64, explicit
/// softmax, LayerNorm, RMSNorm, RoPE and pixel shuffle (transformers' modeling_idefics3 /
/// modeling_llama formulas), no KV cache.
fn reference_logits(
    w: &HashMap<String, Tensor>,
    ids: &[i64],
    image: &Tensor,
    image_token: i64,
) -> Tensor {
    let g = |n: &str| w[n].to_kind(Kind::Double);
    let linear = |x: &Tensor, n: &str, bias: bool| {
        let y = x.matmul(&g(&format!("{n}.weight")).tr());
        if bias {
            y + g(&format!("{n}.bias"))
        } else {
            y
        }
    };
    let layer_norm = |x: &Tensor, n: &str| {
        let mu = x.mean_dim(-1, true, Kind::Double);
        let var = (x - &mu).square().mean_dim(-1, true, Kind::Double);
        (x - mu) / (var + 1e-6).sqrt() * g(&format!("{n}.weight")) + g(&format!("{n}.bias"))
    };
    let softmax_rows = |s: &Tensor| {
        let m = s.amax(-1, true);
        let e = (s - m).exp();
        &e / e.sum_dim_intlist(-1, true, Kind::Double)
    };
    // Vision: 16 px image, 4 px patches -> 4x4 patches, row-major.
    let img = image.to_kind(Kind::Double); // [3, 16, 16]
    let mut rows = Vec::new();
    for r in 0..4 {
        for c in 0..4 {
            let patch = img.narrow(1, r * 4, 4).narrow(2, c * 4, 4).reshape([48]);
            let wconv = g("model.vision_model.embeddings.patch_embedding.weight").reshape([16, 48]);
            rows.push(wconv.mv(&patch));
        }
    }
    let mut x = Tensor::stack(&rows, 0)
        + g("model.vision_model.embeddings.patch_embedding.bias")
        + g("model.vision_model.embeddings.position_embedding.weight");
    for i in 0..2 {
        let p = format!("model.vision_model.encoder.layers.{i}");
        let h = layer_norm(&x, &format!("{p}.layer_norm1"));
        let (q, k, v) = (
            linear(&h, &format!("{p}.self_attn.q_proj"), true),
            linear(&h, &format!("{p}.self_attn.k_proj"), true),
            linear(&h, &format!("{p}.self_attn.v_proj"), true),
        );
        let mut heads = Vec::new();
        for hh in 0..2 {
            let (qh, kh, vh) = (
                q.narrow(1, hh * 8, 8),
                k.narrow(1, hh * 8, 8),
                v.narrow(1, hh * 8, 8),
            );
            let att = softmax_rows(&(qh.matmul(&kh.tr()) / 8f64.sqrt()));
            heads.push(att.matmul(&vh));
        }
        x = &x
            + linear(
                &Tensor::cat(&heads, 1),
                &format!("{p}.self_attn.out_proj"),
                true,
            );
        let h = layer_norm(&x, &format!("{p}.layer_norm2"));
        let m = linear(&h, &format!("{p}.mlp.fc1"), true);
        let gelu = &m
            * 0.5
            * (1.0
                + ((&m + m.pow_tensor_scalar(3) * 0.044715) * (2.0 / std::f64::consts::PI).sqrt())
                    .tanh());
        x = &x + linear(&gelu, &format!("{p}.mlp.fc2"), true);
    }
    let x = layer_norm(&x, "model.vision_model.post_layernorm");
    // Pixel shuffle 2: token (R, C) = concat over (dh, dw) of patch (2R+dh, 2C+dw).
    let mut shuffled = Vec::new();
    for rr in 0..2 {
        for cc in 0..2 {
            let mut parts = Vec::new();
            for dh in 0..2 {
                for dw in 0..2 {
                    parts.push(x.get((2 * rr + dh) * 4 + 2 * cc + dw));
                }
            }
            shuffled.push(Tensor::cat(&parts, 0));
        }
    }
    let feats = Tensor::stack(&shuffled, 0)
        .matmul(&g("model.connector.modality_projection.proj.weight").tr()); // [4, 24]
                                                                             // Decoder.
    let emb = g("model.text_model.embed_tokens.weight");
    let mut k_img = 0;
    let mut xs = Vec::new();
    for &id in ids {
        if id == image_token {
            xs.push(feats.get(k_img));
            k_img += 1;
        } else {
            xs.push(emb.get(id));
        }
    }
    let mut x = Tensor::stack(&xs, 0); // [n, 24]
    let n = ids.len() as i64;
    let rms = |x: &Tensor, name: &str| {
        x / (x.square().mean_dim(-1, true, Kind::Double) + 1e-5).sqrt() * g(name)
    };
    let hd = 6;
    let rope = |t: &Tensor| {
        // t: [n, hd]; pair (i, i + hd/2) rotated by pos / 100000^(2i/hd).
        let out = t.copy();
        for pos in 0..n {
            for i in 0..hd / 2 {
                let angle = pos as f64 / 100000f64.powf(2.0 * i as f64 / hd as f64);
                let a = t.double_value(&[pos, i]);
                let b = t.double_value(&[pos, i + hd / 2]);
                let _ = out.get(pos).get(i).fill_(a * angle.cos() - b * angle.sin());
                let _ = out
                    .get(pos)
                    .get(i + hd / 2)
                    .fill_(b * angle.cos() + a * angle.sin());
            }
        }
        out
    };
    for i in 0..2 {
        let p = format!("model.text_model.layers.{i}");
        let h = rms(&x, &format!("{p}.input_layernorm.weight"));
        let q = linear(&h, &format!("{p}.self_attn.q_proj"), false);
        let k = linear(&h, &format!("{p}.self_attn.k_proj"), false);
        let v = linear(&h, &format!("{p}.self_attn.v_proj"), false);
        let mut heads = Vec::new();
        for hh in 0..4 {
            let kvh = hh / 2; // 4 query heads share 2 key/value heads
            let qh = rope(&q.narrow(1, hh * hd, hd));
            let kh = rope(&k.narrow(1, kvh * hd, hd));
            let vh = v.narrow(1, kvh * hd, hd);
            let s = qh.matmul(&kh.tr()) / (hd as f64).sqrt();
            for a in 0..n {
                for b in a + 1..n {
                    let _ = s.get(a).get(b).fill_(f64::NEG_INFINITY);
                }
            }
            heads.push(softmax_rows(&s).matmul(&vh));
        }
        x = &x
            + linear(
                &Tensor::cat(&heads, 1),
                &format!("{p}.self_attn.o_proj"),
                false,
            );
        let h = rms(&x, &format!("{p}.post_attention_layernorm.weight"));
        let gate = linear(&h, &format!("{p}.mlp.gate_proj"), false);
        let silu = &gate / (1.0 + (-&gate).exp());
        x = &x
            + linear(
                &(silu * linear(&h, &format!("{p}.mlp.up_proj"), false)),
                &format!("{p}.mlp.down_proj"),
                false,
            );
    }
    rms(&x, "model.text_model.norm.weight").matmul(&g("lm_head.weight").tr())
}

#[test]
fn an_hf_folder_loads_and_its_logits_match_an_independent_computation() {
    let tok = tokenizer();
    let mut rng = Rng::new(3, 0);
    let weights = tensors(tok.vocab_size() as i64, &mut rng);
    let dir = std::env::temp_dir().join(format!("ocellus-vlm-folder-{}", std::process::id()));
    write_folder(&dir, &weights, &tok);
    let model = Vlm::from_dir(&dir, Device::Cpu).unwrap();
    assert_eq!(model.config().tokens_per_image(), 4);

    let (ids, n_images) = model
        .chat()
        .prompt(model.tokenizer(), "<image>How many red circles?")
        .unwrap();
    assert_eq!(n_images, 1);
    let image = rng.normal_tensor(&[3, 16, 16], Device::Cpu);
    let mut cache = model.new_cache();
    let input = Tensor::from_slice(&ids).reshape([1, -1]);
    let hidden = model
        .extend(&mut cache, &input, Some(&image.unsqueeze(0)))
        .unwrap();
    let logits = model.logits(&hidden).squeeze_dim(0).to_kind(Kind::Double);

    let map: HashMap<String, Tensor> = weights
        .iter()
        .map(|(n, t)| (n.clone(), t.shallow_clone()))
        .collect();
    let expected = reference_logits(&map, &ids, &image, model.chat().image);
    let diff = (&logits - &expected).abs().max().double_value(&[]);
    let scale = expected.abs().max().double_value(&[]);
    assert!(
        diff < 1e-4 * scale.max(1.0),
        "max |diff| {diff} (logit scale {scale})"
    );

    // Saved and reloaded: the same logits bit for bit.
    let again_dir = dir.join("again");
    model.save_dir(&again_dir).unwrap();
    let again = Vlm::from_dir(&again_dir, Device::Cpu).unwrap();
    let mut cache = again.new_cache();
    let h2 = again
        .extend(&mut cache, &input, Some(&image.unsqueeze(0)))
        .unwrap();
    assert!(again.logits(&h2).equal(&model.logits(&hidden)));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_folders_are_refused_with_the_tensor_or_file_named() {
    let tok = tokenizer();
    let mut rng = Rng::new(4, 0);
    let good = tensors(tok.vocab_size() as i64, &mut rng);
    let dir = std::env::temp_dir().join(format!("ocellus-vlm-bad-{}", std::process::id()));
    let name = "model.text_model.layers.1.mlp.up_proj.weight";

    let missing: Vec<_> = good
        .iter()
        .filter(|(n, _)| n != name)
        .map(|(n, t)| (n.clone(), t.shallow_clone()))
        .collect();
    write_folder(&dir, &missing, &tok);
    let err = Vlm::from_dir(&dir, Device::Cpu).unwrap_err();
    assert!(
        matches!(&err, VlmError::MissingTensor { name: n, .. } if n == name),
        "{err}"
    );
    assert!(err.to_string().contains(name));

    let misshaped: Vec<_> = good
        .iter()
        .map(|(n, t)| {
            (
                n.clone(),
                if n == name {
                    Tensor::zeros([40, 23], (Kind::BFloat16, Device::Cpu))
                } else {
                    t.shallow_clone()
                },
            )
        })
        .collect();
    write_folder(&dir, &misshaped, &tok);
    let err = Vlm::from_dir(&dir, Device::Cpu).unwrap_err();
    assert!(
        err.to_string().contains(name) && err.to_string().contains("[40, 23]"),
        "{err}"
    );

    let mut extra: Vec<_> = good
        .iter()
        .map(|(n, t)| (n.clone(), t.shallow_clone()))
        .collect();
    extra.push((
        "model.perceiver.latents".into(),
        Tensor::zeros([2], (Kind::Float, Device::Cpu)),
    ));
    write_folder(&dir, &extra, &tok);
    let err = Vlm::from_dir(&dir, Device::Cpu).unwrap_err();
    assert!(err.to_string().contains("model.perceiver.latents"), "{err}");

    std::fs::write(dir.join("config.json"), r#"{"model_type": "idefics3"}"#).unwrap();
    let err = Vlm::from_dir(&dir, Device::Cpu).unwrap_err();
    assert!(
        err.to_string().contains("config.json") && err.to_string().contains("vision_config"),
        "{err}"
    );
    std::fs::remove_file(dir.join("tokenizer.json")).unwrap();
    write_folder(&dir, &good, &tok);
    std::fs::remove_file(dir.join("model.safetensors")).unwrap();
    let err = Vlm::from_dir(&dir, Device::Cpu).unwrap_err();
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

fn small_policy() -> Vlm {
    let tok = tokenizer();
    let image = tok.require("<image>").unwrap();
    let mut config = ocellus_vlm::tiny_config(tok.vocab_size() as i64, image, 32, 2);
    config.vision_config.image_size = 24;
    Vlm::random(config, tok, 11, Device::Cpu).unwrap()
}

#[test]
fn kv_cache_decoding_equals_full_recomputation() {
    let model = small_policy();
    let (mut ids, _) = model
        .chat()
        .prompt(model.tokenizer(), "<image>How many red circles?")
        .unwrap();
    let prompt_len = ids.len();
    ids.extend(model.tokenizer().encode("<answer>12</answer>").unwrap());
    let image = Rng::new(5, 0).normal_tensor(&[1, 3, 24, 24], Device::Cpu);
    let all = Tensor::from_slice(&ids).reshape([1, -1]);
    let full = model
        .extend(&mut model.new_cache(), &all, Some(&image))
        .unwrap();
    let mut cache = model.new_cache();
    let mut parts = vec![model
        .extend(
            &mut cache,
            &all.narrow(1, 0, prompt_len as i64),
            Some(&image),
        )
        .unwrap()];
    for t in prompt_len..ids.len() {
        parts.push(
            model
                .extend(&mut cache, &all.narrow(1, t as i64, 1), None)
                .unwrap(),
        );
    }
    let stepwise = Tensor::cat(&parts, 1);
    let diff = (&full - &stepwise).abs().max().double_value(&[]);
    assert!(diff < 1e-5, "max |diff| {diff}");
    assert_eq!(cache.len(), ids.len() as i64);
    // A wrong image count is an error that says so, not a crash.
    let err = model
        .extend(&mut model.new_cache(), &all, None)
        .unwrap_err();
    assert!(err.to_string().contains("<image> tokens"), "{err}");
}

#[test]
fn sampled_log_probs_equal_the_training_forward() {
    let model = small_policy();
    let (ids, _) = model
        .chat()
        .prompt(model.tokenizer(), "<image>How many red circles?")
        .unwrap();
    let prompt = Prompt {
        ids,
        images: Some(Rng::new(6, 0).normal_tensor(&[1, 3, 24, 24], Device::Cpu)),
    };
    let cfg = SamplingConfig {
        temperature: 0.7,
        top_p: 0.9,
        max_response_tokens: 12,
        max_turns: 1,
    };
    let rollouts = sample_group(&model, &prompt, 4, &cfg, &mut Rng::new(7, 0), None).unwrap();
    let rows: Vec<_> = rollouts.iter().collect();
    let group = GroupTensors::new(&rows, model.chat().pad, Device::Cpu).unwrap();
    let lp = group_logprobs(&model, &prompt, &group, 0.7, false).unwrap();
    let diff = ((&lp.logp - &group.old_logp) * &group.mask)
        .abs()
        .max()
        .double_value(&[]);
    assert!(diff < 1e-4, "max |logp diff| {diff}");
    // Same seed, same rollouts.
    let again = sample_group(&model, &prompt, 4, &cfg, &mut Rng::new(7, 0), None).unwrap();
    for (a, b) in rollouts.iter().zip(&again) {
        assert_eq!(a.tokens, b.tokens);
    }
}
