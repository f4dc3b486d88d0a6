//! Speed of the RLVR loop on this machine: sampled tokens per second and GRPO steps per minute,
//! for the small policy (the `configs/rlvr/cpu.toml` preset) and for a model of
//! SmolVLM-256M-Instruct's exact shape (random weights written as an HF folder and read back
//! through `Vlm::from_dir`: 12 × 768 SigLIP at 512 px, pixel shuffle 4, 30 × 576 Llama decoder,
//! vocabulary 49280), which is what a user pointing `--model` at the real folder would run.
//!
//! ```text
//! cargo run --release -p ocellus-rlvr --example rlvr_bench [-- small|smolvlm]
//! ```

use std::time::Instant;

use ocellus_rlvr::run::{describe, initial_policy};
use ocellus_rlvr::{RlvrConfig, Trainer};
use ocellus_vlm::{TextConfig, VisionConfig, Vlm, VlmConfig};

fn smolvlm_256m_shape(image_token_id: i64) -> VlmConfig {
    // HuggingFaceTB/SmolVLM-256M-Instruct config.json (HF revision 7e3e67e).
    VlmConfig {
        model_type: "idefics3".into(),
        vision_config: VisionConfig {
            hidden_size: 768,
            intermediate_size: 3072,
            num_hidden_layers: 12,
            num_attention_heads: 12,
            image_size: 512,
            patch_size: 16,
            layer_norm_eps: 1e-6,
        },
        text_config: TextConfig {
            vocab_size: 49280,
            hidden_size: 576,
            intermediate_size: 1536,
            num_hidden_layers: 30,
            num_attention_heads: 9,
            num_key_value_heads: 3,
            rms_norm_eps: 1e-5,
            rope_theta: 100_000.0,
        },
        scale_factor: 4,
        image_token_id,
        tie_word_embeddings: false,
    }
}

fn bench(name: &str, mut trainer: Trainer, steps: u64) {
    eprintln!("{name}: {}", describe(&trainer.policy));
    // Skip the warm start: time RL steps only.
    trainer.counters.step = trainer.config.warm_start.steps;
    let start = Instant::now();
    let (mut tokens, mut sample_s, mut step_s) = (0.0, 0.0, 0.0);
    for _ in 0..steps {
        let m = trainer.step().expect("step");
        let get = |k: &str| m.iter().find(|(n, _)| *n == k).map_or(0.0, |(_, v)| *v);
        tokens += get("tokens_per_s") * get("sample_seconds");
        sample_s += get("sample_seconds");
        step_s += get("step_seconds");
    }
    let total = start.elapsed().as_secs_f64();
    let c = &trainer.config.grpo;
    println!(
        "{name}: {} prompts x {} responses per step, {steps} steps in {total:.1} s: \
         {:.0} sampled tokens/s, {:.2} GRPO steps/min ({:.1} s per step, {:.0}% sampling)",
        c.prompts_per_step,
        c.group_size,
        tokens / sample_s,
        60.0 * steps as f64 / step_s,
        step_s / steps as f64,
        100.0 * sample_s / step_s
    );
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    if which == "all" || which == "small" {
        let config = RlvrConfig::preset_with(&[]).expect("preset");
        let policy = initial_policy(&config).expect("policy");
        bench(
            "small policy",
            Trainer::new(config, policy).expect("trainer"),
            10,
        );
    }
    if which == "all" || which == "smolvlm" {
        let config = RlvrConfig::preset_with(&[
            "grpo.prompts_per_step=2".into(),
            "grpo.kl_coef=0".into(),
            "sampling.max_response_tokens=24".into(),
        ])
        .expect("preset");
        let small = initial_policy(&config).expect("tokenizer");
        let tok = ocellus_policy::Policy::tokenizer(&small).clone();
        let image = tok.require("<image>").expect("image token");
        let dir = std::env::temp_dir().join("ocellus-smolvlm-256m-shape");
        let model =
            Vlm::random(smolvlm_256m_shape(image), tok, 1, tch::Device::Cpu).expect("model");
        model.save_dir(&dir).expect("write folder");
        drop(model);
        let t0 = Instant::now();
        let policy = Vlm::from_dir(&dir, tch::Device::Cpu).expect("load folder");
        eprintln!(
            "loaded {} in {:.1} s",
            dir.display(),
            t0.elapsed().as_secs_f64()
        );
        let mut config = config;
        config.model.dir = dir.display().to_string();
        bench(
            "SmolVLM-256M shape",
            Trainer::new(config, policy).expect("trainer"),
            2,
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
