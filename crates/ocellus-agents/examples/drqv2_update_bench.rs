//! Times one DrQ-v2 update (augment, encode, critic step, actor step, target EMA).
//!
//! `cargo run --release -p ocellus-agents --example drqv2_update_bench [-- PRESET]`
//! (default preset `paper`: batch 256, 84×84, frame stack 3) with 6 action dimensions as in
//! `shared/research/dlbench.md`; 2 intra-op threads like `scripts/bench_drqv2_update.py`.
//! Environment overrides for exploring presets: `BENCH_BATCH`, `BENCH_IMAGE`, `BENCH_HIDDEN`,
//! `BENCH_CHANNELS` (encoder conv channels), `BENCH_THREADS` (libtorch threads, default 2),
//! `BENCH_MICRO` (micro-batch size; `BENCH_MICRO=256` runs the batch in one piece like PyTorch),
//! `BENCH_WARMUP` (untimed updates first, default 3), `BENCH_AGENT` (`drqv2`, the default;
//! `drm`: DrQ-v2 with DrM's value network, λ-blended target and awakened σ; `mentor`: DrM with
//! MENTOR's MoE actor, experts `BENCH_EXPERT_HIDDEN` wide, default 64 as `--agent mentor` on
//! the cpu preset; `taco`: DrQ-v2 with TACO's contrastive step).
//! Prints the median of 20 timed updates after the warm-up updates, in ms; for `drm` also the
//! median of 20 updates that each begin with a perturbation (the period set to one agent
//! step), whose difference from the plain median is the cost of one perturbation.

use std::time::Instant;

use ocellus_agents::drqv2::{
    preset_text, Batch, DrQV2Agent, DrQV2Config, DrmRawConfig, MentorRawConfig, TacoRawConfig,
};
use ocellus_core::AgentSteps;
use ocellus_nn::Rng;
use tch::{Device, Kind, Tensor};

fn env_i64(name: &str) -> Option<i64> {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().expect("an integer"))
}

fn main() {
    let preset = std::env::args()
        .nth(1)
        .unwrap_or_else(|| String::from("paper"));
    let mut config = DrQV2Config::preset(&preset).expect("a known preset");
    // the batch, frame and n-step of the preset's [loop], [env] and [replay] tables
    let tables: toml::Table =
        toml::from_str(preset_text(&preset).expect("a known preset")).expect("valid TOML");
    let preset_int = |table: &str, key: &str| {
        tables[table][key]
            .as_integer()
            .unwrap_or_else(|| panic!("{table}.{key} in the preset"))
    };
    let b = env_i64("BENCH_BATCH").unwrap_or_else(|| preset_int("loop", "batch_size"));
    let size = env_i64("BENCH_IMAGE").unwrap_or_else(|| preset_int("env", "image_size"));
    let n = preset_int("replay", "n_step");
    let obs_shape = [3 * preset_int("env", "frame_stack"), size, size];
    if let Some(h) = env_i64("BENCH_HIDDEN") {
        config.hidden_dim = h;
    }
    if let Some(ch) = env_i64("BENCH_CHANNELS") {
        config.encoder_channels = ch;
    }
    if let Some(m) = env_i64("BENCH_MICRO") {
        config.micro_batch_size = m;
    }
    let agent_name = std::env::var("BENCH_AGENT").unwrap_or_else(|_| "drqv2".into());
    let drm = |period: u64| {
        DrmRawConfig {
            perturb_every_agent_steps: period,
            ..DrmRawConfig::default()
        }
        .to_config("bench")
        .expect("valid")
    };
    match agent_name.as_str() {
        "drqv2" => {}
        "drm" => config.drm = Some(drm(u64::MAX)),
        "mentor" => {
            config.drm = Some(drm(u64::MAX));
            // the cpu sizes of `--agent mentor` unless BENCH_EXPERT_HIDDEN says otherwise
            let width = env_i64("BENCH_EXPERT_HIDDEN").unwrap_or(64);
            let mentor = MentorRawConfig {
                expert_hidden_dim: width,
                gate_dim: width,
                ..MentorRawConfig::default()
            };
            config.mentor = Some(mentor.to_config("bench").expect("valid"));
        }
        "taco" => config.taco = Some(TacoRawConfig::default().to_config("bench").expect("valid")),
        other => panic!("BENCH_AGENT must be drqv2, drm, mentor or taco, not {other}"),
    }
    let perturbing_config = (agent_name == "drm").then(|| DrQV2Config {
        drm: Some(drm(1)),
        ..config.clone()
    });
    let threads = env_i64("BENCH_THREADS").unwrap_or(2);
    tch::set_num_threads(threads as i32);
    let action_dim = 6;
    let [c, h, w] = obs_shape;
    let mut agent = DrQV2Agent::new(config, obs_shape, action_dim, Device::Cpu, 1).expect("agent");
    let mut rng = Rng::new(0, 0);
    let window_actions = rng.uniform_tensor(&[b, n, action_dim], -1.0, 1.0, Device::Cpu);
    let batch = Batch {
        obs: rng
            .uniform_tensor(&[b, c, h, w], 0.0, 256.0, Device::Cpu)
            .to_kind(Kind::Uint8),
        action: window_actions.select(1, 0),
        window_len: Some(Tensor::full([b], n, (Kind::Uint8, Device::Cpu))),
        window_actions: Some(window_actions),
        reward: rng.uniform_tensor(&[b, 1], 0.0, 1.0, Device::Cpu),
        bootstrap_discount: rng.uniform_tensor(&[b, 1], 0.97, 0.98, Device::Cpu),
        next_obs: rng
            .uniform_tensor(&[b, c, h, w], 0.0, 256.0, Device::Cpu)
            .to_kind(Kind::Uint8),
    };
    let step = AgentSteps(10_000);
    for _ in 0..env_i64("BENCH_WARMUP").unwrap_or(3) {
        agent.update(&batch, step);
    }
    let mut ms: Vec<f64> = (0..20)
        .map(|_| {
            let t = Instant::now();
            let m = agent.update(&batch, step);
            assert!(m.critic.loss.is_finite());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let median = (ms[9] + ms[10]) / 2.0;
    // DrM: updates that each start with a perturbation (period 1, the step advancing by one)
    let perturbing = perturbing_config.map(|config| {
        let mut agent =
            DrQV2Agent::new(config, obs_shape, action_dim, Device::Cpu, 1).expect("agent");
        let mut step = 10_000;
        let mut timed = |agent: &mut DrQV2Agent| {
            step += 1;
            let t = Instant::now();
            let m = agent.update(&batch, AgentSteps(step));
            assert!(m.critic.loss.is_finite());
            t.elapsed().as_secs_f64() * 1e3
        };
        for _ in 0..env_i64("BENCH_WARMUP").unwrap_or(3) {
            timed(&mut agent);
        }
        let mut ms: Vec<f64> = (0..20).map(|_| timed(&mut agent)).collect();
        ms.sort_by(f64::total_cmp);
        let m = agent
            .update(&batch, AgentSteps(step + 1))
            .drm
            .expect("DrM metrics");
        assert!(m.perturbations >= 20.0, "{m:?}");
        (ms[9] + ms[10]) / 2.0
    });
    // acting latency: one observation, policy noise on
    let obs = batch.obs.get(0);
    let mut act_ms: Vec<f64> = (0..50)
        .map(|_| {
            let t = Instant::now();
            let _ = agent.act(&obs, step, false);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    act_ms.sort_by(f64::total_cmp);
    // the augmentation alone (one batch of u8 frames)
    let mut aug = ocellus_nn::RandomShift::new(4, Rng::new(0, 1));
    let mut aug_ms: Vec<f64> = (0..20)
        .map(|_| {
            let t = Instant::now();
            let _ = aug.forward(&batch.obs);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    aug_ms.sort_by(f64::total_cmp);
    if let Some(p) = perturbing {
        println!(
            "drm: median {p:.1} ms for an update that begins with a perturbation, i.e. \
             {:.1} ms per perturbation",
            p - median
        );
    }
    println!(
        "rust tch {agent_name} update: preset={preset} batch={b} image={h} hidden={} micro={} threads={}: \
         median {median:.1} ms/update (min {:.1}, max {:.1}); act B=1 median {:.2} ms; \
         random shift of one u8 obs batch median {:.2} ms",
        agent.config().hidden_dim,
        agent.config().micro_batch_size,
        tch::get_num_threads(),
        ms[0],
        ms[19],
        act_ms[25],
        aug_ms[10]
    );
}
