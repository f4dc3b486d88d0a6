//! Tests of the DrQ-v2 agent and of what every option shares (shapes, updates, state).

use super::*;
use crate::error::ConfigError;
use ocellus_nn::Schedule;

/// A small config so a test update takes milliseconds: hidden 32 (with [`TINY_OBS`] frames and
/// [`batch`]'s 8 rows).
pub(super) fn tiny() -> DrQV2Config {
    let mut c = DrQV2Config::preset("paper").unwrap();
    c.hidden_dim = 32;
    c.feature_dim = 8;
    c.lr = 1e-3;
    c
}

/// The observations of the test agents: 3 stacked RGB frames of 20 × 20 pixels.
pub(super) const TINY_OBS: [i64; 3] = [9, 20, 20];

/// The `[agent]` table of the preset `name` as TOML text.
fn agent_text(name: &str) -> String {
    let tables: toml::Table = toml::from_str(preset_text(name).unwrap()).unwrap();
    toml::to_string(tables["agent"].as_table().unwrap()).unwrap()
}

const A: i64 = 2;

fn agent(seed: u64) -> DrQV2Agent {
    let c = tiny();
    let shape = TINY_OBS;
    DrQV2Agent::new(c, shape, A, Device::Cpu, seed).unwrap()
}

/// A random batch of 8 for [`tiny`] agents with 2 action dimensions.
pub(super) fn batch(seed: u64) -> Batch {
    let mut rng = Rng::new(seed, 99);
    let b = 8;
    let obs = rng
        .uniform_tensor(&[b, 9, 20, 20], 0.0, 256.0, Device::Cpu)
        .to_kind(Kind::Uint8);
    let next_obs = rng
        .uniform_tensor(&[b, 9, 20, 20], 0.0, 256.0, Device::Cpu)
        .to_kind(Kind::Uint8);
    let action = rng.uniform_tensor(&[b, A], -1.0, 1.0, Device::Cpu);
    // TACO's windows: a_t first, then two more; the last row's window is cut after two
    let window_actions = rng.uniform_tensor(&[b, 3, A], -1.0, 1.0, Device::Cpu);
    let window_len = Tensor::full([b], 3, (Kind::Uint8, Device::Cpu));
    tch::no_grad(|| {
        window_actions.select(1, 0).copy_(&action);
        let _ = window_actions.get(b - 1).get(2).zero_();
        let _ = window_len.get(b - 1).fill_(2);
    });
    Batch {
        obs,
        action,
        reward: rng.uniform_tensor(&[b, 1], 0.0, 3.0, Device::Cpu),
        bootstrap_discount: Tensor::full([b, 1], 0.99f64.powi(3), (Kind::Float, Device::Cpu)),
        next_obs,
        window_actions: Some(window_actions),
        window_len: Some(window_len),
    }
}

/// Deep copies of every parameter, by key.
fn snapshot(agent: &DrQV2Agent) -> HashMap<String, Tensor> {
    agent
        .parameter_state()
        .into_iter()
        .map(|(k, t)| (k, t.detach().copy()))
        .collect()
}

/// Groups (`encoder`, `actor`, `critic`, `critic_target`) in which some variable changed.
fn changed_groups(before: &HashMap<String, Tensor>, agent: &DrQV2Agent) -> Vec<String> {
    let mut groups: Vec<String> = agent
        .parameter_state()
        .into_iter()
        .filter(|(k, t)| !before[k].equal(t))
        .map(|(k, _)| k.split('.').next().unwrap().to_string())
        .collect();
    groups.dedup();
    groups
}

fn assert_same_state(a: &DrQV2Agent, b: &DrQV2Agent) {
    let sa = a.state_dict();
    let sb = b.state_dict();
    assert_eq!(sa.len(), sb.len());
    for ((ka, ta), (kb, tb)) in sa.iter().zip(&sb) {
        assert_eq!(ka, kb);
        assert!(ta.equal(tb), "{ka} differs");
    }
}

#[test]
fn paper_shapes_match_the_reference() {
    let c = DrQV2Config::preset("paper").unwrap();
    let shape = [9, 84, 84]; // dmc.py: 84 px, frame_stack 3
    let mut agent = DrQV2Agent::new(c, shape, 6, Device::Cpu, 0).unwrap();
    assert_eq!(agent.encoder().repr_dim(), 39_200); // drqv2.py: 32 * 35 * 35
    let sd = agent.state_dict();
    let shape_of = |k: &str| sd.iter().find(|(n, _)| n == k).unwrap().1.size();
    assert_eq!(shape_of("encoder.conv0.weight"), [32, 9, 3, 3]);
    assert_eq!(shape_of("actor.trunk.linear.weight"), [50, 39_200]);
    assert_eq!(shape_of("actor.policy.2.weight"), [6, 1024]);
    assert_eq!(shape_of("critic.q1.0.weight"), [1024, 56]);
    assert_eq!(shape_of("critic_target.q2.2.weight"), [1, 1024]);
    // a dummy forward through the real-size networks
    let obs = Tensor::zeros([1, 9, 84, 84], (Kind::Uint8, Device::Cpu));
    let a = agent.act(&obs, AgentSteps(10_000), true);
    assert_eq!(a.size(), [1, 6]);
    // the target starts equal to the critic
    let params = agent.parameter_state();
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .unwrap()
            .1
            .shallow_clone()
    };
    assert!(get("critic.q1.1.weight").equal(&get("critic_target.q1.1.weight")));
}

#[test]
fn one_update_is_finite_and_moves_the_right_parameters() {
    let mut agent = agent(1);
    let batch = batch(0);
    let t = AgentSteps(5_000);

    // Critic step: moves the critic and the encoder, nothing else.
    let before = snapshot(&agent);
    let obs = agent.aug.forward(&batch.obs);
    let next_obs = agent.aug.forward(&batch.next_obs);
    let next_features = tch::no_grad(|| agent.encoder.forward(&next_obs));
    let (m, features) = agent.update_critic(
        &obs,
        &batch.action,
        &batch.reward,
        &batch.bootstrap_discount,
        &next_features,
        t,
    );
    assert!(!features.requires_grad());
    assert!(m.loss.is_finite() && m.loss > 0.0, "{m:?}");
    assert_eq!(changed_groups(&before, &agent), ["encoder", "critic"]);

    // Actor step: moves only the actor (the critic and encoder see no step).
    let before = snapshot(&agent);
    let m = agent.update_actor(&features, t);
    assert!(
        m.loss.is_finite() && m.entropy.is_finite() && m.log_prob.is_finite(),
        "{m:?}"
    );
    assert_eq!(changed_groups(&before, &agent), ["actor"]);

    // Target step: θ̄ moves by exactly τ(θ − θ̄) (up to f32 rounding), nothing else.
    let before = snapshot(&agent);
    agent.update_critic_target();
    assert_eq!(changed_groups(&before, &agent), ["critic_target"]);
    let tau = agent.config().critic_target_tau;
    for (k, t) in agent.parameter_state() {
        if let Some(name) = k.strip_prefix("critic_target.") {
            let online = &before[&format!("critic.{name}")];
            let want = (online - &before[&k]) * tau;
            let got = t.detach() - &before[&k];
            let err = (got - want).abs().max().double_value(&[]);
            assert!(err < 1e-6, "{k}: {err}");
        }
    }

    // The whole update: finite metrics, every group moves.
    let before = snapshot(&agent);
    let m = agent.update(&batch, t);
    for v in [
        m.batch_reward,
        m.critic.loss,
        m.critic.q1,
        m.critic.q2,
        m.critic.target_q,
        m.actor.loss,
        m.actor.entropy,
    ] {
        assert!(v.is_finite(), "{m:?}");
    }
    assert!((m.actor.stddev - agent.config().stddev_schedule.value(t)).abs() < 1e-15);
    assert_eq!(
        changed_groups(&before, &agent),
        ["encoder", "actor", "critic", "critic_target"]
    );
    assert_eq!(agent.optimizers_mut().map(|o| o.steps()), [2, 2, 2]);
}

#[test]
fn drq_augmentation_copies_average_the_target_over_k_and_the_loss_over_m() {
    // DrQ (Kostrikov et al. 2020) Eqs. 1 and 3 with K = M = 2, by hand: with σ = 0 the target
    // action is μ(h') (no noise), so y = r + γ_b · (V(h'_1) + V(h'_2)) / 2 with
    // V = min(Q̄1, Q̄2)(h', μ(h')), and the loss is the mean over both copies of o.
    let mut agent = agent(7);
    agent.config.stddev_schedule = Schedule::Constant { value: 0.0 };
    let batch = batch(5);
    let (o1, o2) = (agent.aug.forward(&batch.obs), agent.aug.forward(&batch.obs));
    let (n1, n2) = (
        agent.aug.forward(&batch.next_obs),
        agent.aug.forward(&batch.next_obs),
    );
    let (want_loss, want_target, want_features) = tch::no_grad(|| {
        let value = |o: &Tensor| {
            let h = agent.encoder.forward(o);
            let a = agent.actor.forward(&h, 0.0).mean();
            let (q1, q2) = agent.critic_target.forward(&h, &a);
            q1.minimum(&q2)
        };
        let y = &batch.reward + &batch.bootstrap_discount * ((value(&n1) + value(&n2)) / 2.0);
        let loss_of = |o: &Tensor| {
            let (q1, q2) = agent
                .critic
                .forward(&agent.encoder.forward(o), &batch.action);
            (q1 - &y).square().mean(Kind::Float) + (q2 - &y).square().mean(Kind::Float)
        };
        let loss = (loss_of(&o1) + loss_of(&o2)) / 2.0;
        (
            loss.double_value(&[]),
            y.mean(Kind::Float).double_value(&[]),
            agent.encoder.forward(&o1),
        )
    });
    let next_features = tch::no_grad(|| agent.encoder.forward(&Tensor::cat(&[&n1, &n2], 0)));
    let (m, features) = agent.update_critic(
        &Tensor::cat(&[&o1, &o2], 0),
        &batch.action,
        &batch.reward,
        &batch.bootstrap_discount,
        &next_features,
        AgentSteps(5_000),
    );
    assert!(
        (m.loss - want_loss).abs() < 1e-4 * want_loss.max(1.0),
        "{m:?} {want_loss}"
    );
    assert!(
        (m.target_q - want_target).abs() < 1e-5,
        "{m:?} {want_target}"
    );
    // the actor gets the first copy's features, one row per transition
    assert_eq!(features.size(), want_features.size());
    let d = (features - want_features).abs().max().double_value(&[]);
    assert!(d < 1e-6, "{d}");
    // and the whole update runs with K = M = 2 from the config
    agent.config.target_augmentations = 2;
    agent.config.critic_augmentations = 2;
    assert!(agent
        .update(&batch, AgentSteps(5_000))
        .critic
        .loss
        .is_finite());
}

#[test]
fn micro_batches_give_the_full_batch_update() {
    let mut whole = agent(4);
    let mut chunked = agent(4);
    chunked.config.micro_batch_size = 3; // chunks of 3, 3, 2
    let batch = batch(3);
    let mw = whole.update(&batch, AgentSteps(4_000));
    let mc = chunked.update(&batch, AgentSteps(4_000));
    assert!(
        (mw.critic.loss - mc.critic.loss).abs() < 1e-5 * mw.critic.loss.abs().max(1.0),
        "{mw:?} {mc:?}"
    );
    assert!(
        (mw.actor.loss - mc.actor.loss).abs() < 1e-4,
        "{mw:?} {mc:?}"
    );
    for ((k, a), (_, b)) in whole.state_dict().iter().zip(chunked.state_dict()) {
        if a.kind() == Kind::Float {
            // Adam's first step is ≈ lr·sign(g): compare with an lr-sized tolerance
            let d = (a - &b).abs().max().double_value(&[]);
            assert!(d < 1e-5, "{k}: {d}");
        }
    }
}

#[test]
fn critic_loss_reaches_every_encoder_variable() {
    // That the actor step leaves the encoder unchanged is checked on the real update
    // (`changed_groups` above: an actor step changes only "actor"); here: the critic's
    // Q on attached features gives every encoder variable a non-zero gradient.
    let agent = agent(2);
    let batch = batch(1);
    let features = agent.encoder.forward(&batch.obs);
    let enc = agent.encoder_opt.param_tensors();
    let (q1, _) = agent.critic.forward(&features, &batch.action);
    let grads = Tensor::run_backward(&[q1.mean(Kind::Float)], &enc, false, false);
    assert_eq!(grads.len(), enc.len());
    assert!(grads
        .iter()
        .all(|g| g.defined() && g.abs().sum(Kind::Float).double_value(&[]) > 0.0));
}

fn agent_with_dead_first_hidden_layer() -> DrQV2Agent {
    let agent = agent(3);
    tch::no_grad(|| {
        let PolicyBody::Mlp(mlp) = &agent.actor.body else {
            unreachable!("DrQ-v2's actor body is an MLP")
        };
        let first = &mlp.layers()[0];
        let _ = first.bs.as_ref().unwrap().shallow_clone().fill_(-1000.0);
    });
    agent
}

#[test]
fn actor_dormant_ratio_counts_dead_linear_layers() {
    let mut agent = agent(3);
    let features = agent.encoder.forward(&batch(2).obs).detach();
    // A freshly initialised actor: the trunk and output layers are alive, but the
    // encoder maps the 8 random frames to similar features, so a hidden ReLU that is off
    // for one of them tends to be off for all: 22 of the 64 hidden neurons here (0.297).
    // Early dormancy of this kind is what DrM's awakened σ and perturbation react to.
    let fresh = actor_dormant_ratio(&agent.actor, &features);
    assert_eq!(fresh, 22.0 / 74.0);
    // Zero the trunk's Linear: its output is 0, LayerNorm and tanh keep 0, and every
    // policy Linear (zero bias) then outputs 0 too: all 4 layers dead, ratio exactly 1.
    tch::no_grad(|| {
        let _ = agent.actor.trunk.linear.ws.zero_();
        if let Some(b) = agent.actor.trunk.linear.bs.as_mut() {
            let _ = b.zero_();
        }
    });
    assert_eq!(actor_dormant_ratio(&agent.actor, &features), 1.0);
    // A first hidden layer whose ReLU is off on the whole batch (bias −1000): its 32
    // activations are 0, so the second layer's inputs are 0 and, with zero bias, its 32
    // activations and the 2 outputs are 0 too: (32 + 32 + 2) of the 8 + 32 + 32 + 2 neurons.
    // Scored before the ReLU (not the reference), the first layer's outputs near −1000
    // would count as alive: 34 / 74.
    let mut agent = agent_with_dead_first_hidden_layer();
    let features = agent.encoder.forward(&batch(2).obs).detach();
    assert_eq!(
        actor_dormant_ratio(&agent.actor, &features),
        66.0 / 74.0,
        "the hidden layers are scored after their ReLU"
    );
    // The actor step reports the ratio it measured before stepping.
    let m = agent.update_actor(&features, AgentSteps(5_000));
    assert_eq!(m.dormant_ratio, 66.0 / 74.0);
}

#[test]
fn same_seed_same_batches_give_identical_agents() {
    let (mut a, mut b, mut c) = (agent(7), agent(7), agent(8));
    assert_same_state(&a, &b);
    for i in 0..3 {
        let batch = batch(i);
        a.update(&batch, AgentSteps(3_000 + i));
        b.update(&batch, AgentSteps(3_000 + i));
        c.update(&batch, AgentSteps(3_000 + i));
    }
    assert_same_state(&a, &b);
    let obs = batch(9).obs;
    assert!(a
        .act(&obs, AgentSteps(3_000), false)
        .equal(&b.act(&obs, AgentSteps(3_000), false)));
    let differs = a
        .state_dict()
        .iter()
        .zip(c.state_dict())
        .any(|((_, x), (_, y))| !x.equal(&y));
    assert!(differs, "another seed must give another agent");
}

#[test]
fn state_dict_round_trip_through_safetensors_resumes_bit_exactly() {
    let mut a = agent(3);
    for i in 0..2 {
        a.update(&batch(i), AgentSteps(2_500 + i));
    }
    let _ = a.act(&batch(5).obs, AgentSteps(10), false); // advance the exploration stream too
    let dir = std::env::temp_dir().join(format!("ocellus-drqv2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("agent.safetensors");
    Tensor::write_safetensors(&a.state_dict(), &path).unwrap();
    let loaded = Tensor::read_safetensors(&path).unwrap();
    std::fs::remove_dir_all(&dir).ok();

    let mut b = agent(4); // another seed: everything must come from the file
    b.load_state_dict(&loaded).unwrap();
    assert_same_state(&a, &b);
    let batch = batch(2);
    let ma = a.update(&batch, AgentSteps(2_600));
    let mb = b.update(&batch, AgentSteps(2_600));
    assert_eq!(ma, mb);
    assert_same_state(&a, &b);
    let obs = batch.obs;
    assert!(a
        .act(&obs, AgentSteps(5), false)
        .equal(&b.act(&obs, AgentSteps(5), false)));
    assert!(a
        .act(&obs, AgentSteps(5_000), false)
        .equal(&b.act(&obs, AgentSteps(5_000), false)));
}

#[test]
fn foreign_or_truncated_state_is_rejected_and_changes_nothing() {
    let mut a = agent(5);
    let before = snapshot(&a);
    let mut sd: Vec<(String, Tensor)> = agent(6).state_dict();
    sd.retain(|(k, _)| k != "critic.q1.0.bias");
    sd.push((
        String::from("vae.decoder.weight"),
        Tensor::zeros([1], (Kind::Float, Device::Cpu)),
    ));
    let err = a.load_state_dict(&sd).unwrap_err().to_string();
    assert!(err.contains("missing key `critic.q1.0.bias`"), "{err}");
    assert!(err.contains("unexpected key `vae.decoder.weight`"), "{err}");
    // another architecture (hidden 16): shape problems named per key
    let mut c = tiny();
    c.hidden_dim = 16;
    let other = DrQV2Agent::new(c, [9, 20, 20], A, Device::Cpu, 0).unwrap();
    let err = a
        .load_state_dict(&other.state_dict())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`actor.policy.0.weight` has shape [16, 8], expected [32, 8]"),
        "{err}"
    );
    // an invalid generator state
    let mut sd = agent(6).state_dict();
    for (k, t) in sd.iter_mut() {
        if k == "rng.explore" {
            *t = Tensor::zeros([4], (Kind::Int64, Device::Cpu));
        }
    }
    let err = a.load_state_dict(&sd).unwrap_err().to_string();
    assert!(err.contains("rng.explore"), "{err}");
    assert!(changed_groups(&before, &a).is_empty());
}

/// The bandit's one observation `[1, 9, 20, 20]` and the generator of its actions.
fn bandit_obs() -> (Rng, Tensor) {
    let mut rng = Rng::new(5, 1);
    let obs = rng
        .uniform_tensor(&[1, 9, 20, 20], 0.0, 256.0, Device::Cpu)
        .to_kind(Kind::Uint8);
    (rng, obs)
}

/// `updates` updates on a one-step bandit: observation `obs` `[1, C, H, W]`, batches of 32
/// uniform random actions, reward −(a₀ − 0.5)², no bootstrap.
fn train_on_bandit(agent: &mut DrQV2Agent, rng: &mut Rng, obs: &Tensor, updates: u64) {
    for i in 0..updates {
        let action = rng.uniform_tensor(&[32, A], -1.0, 1.0, Device::Cpu);
        let reward = -(action.narrow(1, 0, 1) - 0.5).square();
        let batch = Batch {
            obs: obs.repeat([32, 1, 1, 1]),
            next_obs: obs.repeat([32, 1, 1, 1]),
            action,
            reward,
            bootstrap_discount: Tensor::zeros([32, 1], (Kind::Float, Device::Cpu)),
            window_actions: None,
            window_len: None,
        };
        agent.update(&batch, AgentSteps(3_000 + i));
    }
}

#[test]
fn q_values_show_what_a_bandit_critic_learned() {
    // One-step bandit: every transition has the same observation, a uniform random action
    // and reward −(a₀ − 0.5)² with no bootstrap, so Q(o, a) must learn that parabola; the
    // sweep along a₀ must then peak at 0.5 and fall off on both sides.
    let mut agent = agent(11);
    let (mut rng, obs) = bandit_obs();
    train_on_bandit(&mut agent, &mut rng, &obs, 400);
    let sweep: Vec<f64> = [-1.0, -0.5, 0.0, 0.5, 1.0]
        .iter()
        .flat_map(|&a0| [a0, 0.0])
        .collect();
    let actions = Tensor::from_slice(&sweep).view([5, A]);
    let q = Vec::<f32>::try_from(agent.q_values(&obs.get(0), &actions)).unwrap();
    let best = (0..5).max_by(|&i, &j| q[i].total_cmp(&q[j])).unwrap();
    assert_eq!(best, 3, "Q along a0 = -1, -0.5, 0, 0.5, 1: {q:?}");
    assert!(q[0] < q[2] && q[2] < q[3] && q[4] < q[3], "{q:?}");
    // and it is the critic's own minimum over its two heads
    let h = tch::no_grad(|| agent.encoder.forward(&obs));
    let (q1, q2) = tch::no_grad(|| {
        agent
            .critic
            .forward(&h, &actions.narrow(0, 3, 1).to_kind(Kind::Float))
    });
    let direct = q1.minimum(&q2).double_value(&[0, 0]);
    assert!(
        (direct - f64::from(q[3])).abs() < 1e-5,
        "{direct} vs {}",
        q[3]
    );
}

#[test]
fn the_preactivation_penalty_pulls_a_saturated_policy_back() {
    // Mean |x| of the pre-tanh output before and after 300 actor steps from a policy whose
    // output layer was scaled up until every mean is saturated (tanh′ ≈ 0). Measured:
    // 6.0 -> 15.9 without the penalty (Adam keeps following the vanishing Q-gradient
    // outwards), 6.0 -> 0.1 with λ = 1.
    let run = |lambda: f64| -> (f64, f64, f64) {
        let mut c = tiny();
        c.actor_preact_l2 = lambda;
        let shape = TINY_OBS;
        let mut agent = DrQV2Agent::new(c, shape, A, Device::Cpu, 3).unwrap();
        tch::no_grad(|| {
            for (name, mut t) in agent.var_stores()[1].variables() {
                if name.starts_with("policy.2.") {
                    let _ = t.f_mul_scalar_(150.0).expect("in-place scale");
                }
            }
        });
        let features = tch::no_grad(|| agent.encoder().forward(&batch(1).obs));
        let preact = |agent: &DrQV2Agent| {
            tch::no_grad(|| {
                let x = agent
                    .actor()
                    .forward_train(&features, 0.1, None)
                    .preactivation;
                x.abs().mean(Kind::Float).double_value(&[])
            })
        };
        let before = preact(&agent);
        let mut saturation = 0.0;
        for _ in 0..300 {
            saturation = agent.update_actor(&features, AgentSteps(10_000)).saturation;
        }
        (before, preact(&agent), saturation)
    };
    let (before, without, _) = run(0.0);
    let (same_start, with, saturation) = run(1.0);
    assert_eq!(before, same_start);
    assert!(
        before > 5.0,
        "the scaled policy saturates: mean |x| {before}"
    );
    assert!(
        with < 0.5 * before,
        "penalised: mean |x| {before} -> {with}"
    );
    assert!(
        without > 0.9 * before,
        "unpenalised, tanh′ ≈ 0 passes no gradient: {before} -> {without}"
    );
    assert!(saturation < 1.0, "{saturation}");
}

#[test]
fn acting_explores_uniformly_then_follows_the_noisy_policy() {
    let mut a = agent(0);
    let obs = batch(0).obs; // [8, 9, 20, 20]
    let early = a.act(&obs, AgentSteps(1_999), false);
    assert_eq!(early.size(), [8, A]);
    assert!(early.abs().max().double_value(&[]) <= 1.0);
    let e1 = a.act(&obs, AgentSteps(10), true);
    let e2 = a.act(&obs, AgentSteps(900_000), true);
    assert!(
        e1.equal(&e2),
        "evaluation is deterministic and ignores σ(t)"
    );
    let mean = a.act(&obs, AgentSteps(2_000), true);
    let noisy = a.act(&obs, AgentSteps(2_000), false);
    assert!(!noisy.equal(&mean));
    assert!(noisy.abs().max().double_value(&[]) < 1.0);
    let single = a.act(&obs.get(0), AgentSteps(2_000), true);
    assert_eq!(single.size(), [1, A]);
}

#[test]
fn wrong_observation_shapes_are_errors() {
    let c = tiny();
    assert!(matches!(
        DrQV2Agent::new(c.clone(), [9, 21, 20], A, Device::Cpu, 0),
        Err(AgentError::ObsShape { .. })
    ));
    // too small for the encoder's four layers, no channel, a shift as wide as the frame
    for shape in [[9, 14, 14], [0, 20, 20]] {
        assert!(matches!(
            DrQV2Agent::new(c.clone(), shape, A, Device::Cpu, 0),
            Err(AgentError::ObsShape { .. })
        ));
    }
    let mut wide = c.clone();
    wide.aug_pad = 20;
    let err = DrQV2Agent::new(wide, TINY_OBS, A, Device::Cpu, 0).unwrap_err();
    assert!(err.to_string().contains("aug_pad 20"), "{err}");
    // the agent takes any channel count (the stack depth is the environment's)
    assert!(DrQV2Agent::new(c.clone(), [4, 15, 15], A, Device::Cpu, 0).is_ok());
    assert_eq!(
        DrQV2Agent::new(c, [9, 20, 20], 0, Device::Cpu, 0).unwrap_err(),
        AgentError::ActionDim(0)
    );
}

#[test]
fn presets_load_and_pin_the_paper_values() {
    // the [agent] tables; [env], [replay] and [loop] are pinned by ocellus-train's tests
    let p = DrQV2Config::preset("paper").unwrap();
    // cfgs/config.yaml and drqv2.py @ c0c650b
    assert_eq!(p.feature_dim, 50);
    assert_eq!(p.hidden_dim, 1024);
    assert_eq!(p.encoder_channels, 32);
    assert_eq!(p.aug_pad, 4);
    assert_eq!((p.target_augmentations, p.critic_augmentations), (1, 1));
    assert_eq!(p.lr, 1e-4);
    assert_eq!(p.critic_target_tau, 0.01);
    assert_eq!(p.policy, PolicyKind::Deterministic); // DrQ-v2's actor
                                                     // cfgs/task/medium.yaml (also config.yaml's default task, quadruped_walk)
    assert_eq!(
        p.stddev_schedule,
        Schedule::Linear {
            init: 1.0,
            final_value: 0.1,
            over: AgentSteps(500_000)
        }
    );
    assert_eq!(p.stddev_clip, 0.3);
    assert_eq!(p.actor_preact_l2, 0.0, "not part of DrQ-v2");
    // the resolved config round-trips through TOML
    assert_eq!(
        DrQV2Config::from_toml_str(&p.to_toml_string(), "round trip").unwrap(),
        p
    );

    let cpu = DrQV2Config::preset("cpu").unwrap();
    // The cpu preset changes how much compute a frame gets (widths, lr); the algorithm's
    // constants stay the paper's.
    assert_eq!((cpu.critic_target_tau, cpu.stddev_clip), (0.01, 0.3));
    assert!(matches!(
        cpu.stddev_schedule,
        Schedule::Linear { init, final_value, .. } if (init, final_value) == (1.0, 0.1)
    ));
    assert!(cpu.hidden_dim <= p.hidden_dim && cpu.encoder_channels <= p.encoder_channels);

    // every file in configs/drqv2 is a registered preset, and vice versa
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../configs/drqv2");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut names: Vec<String> = PRESETS.iter().map(|(n, _)| n.to_string()).collect();
    names.sort();
    assert_eq!(files, names);
    for name in &names {
        DrQV2Config::from_toml_str(&agent_text(name), name).unwrap();
    }
}

fn max_entropy_agent(seed: u64) -> DrQV2Agent {
    let mut c = tiny();
    c.policy = PolicyKind::MaxEntropy;
    let shape = TINY_OBS;
    DrQV2Agent::new(c, shape, A, Device::Cpu, seed).unwrap()
}

fn log_alpha(agent: &DrQV2Agent) -> f64 {
    agent
        .temperature
        .as_ref()
        .expect("a max-entropy agent")
        .log_alpha
        .double_value(&[0])
}

#[test]
fn max_entropy_temperature_takes_one_adam_step_towards_the_target_entropy() {
    // At initialisation the MLP's log-σ half is ≈ 0, so log σ ≈ −4 (the middle of [−10, 2])
    // and the entropy ≈ A·(ln σ + ½ ln 2πe) ≈ −6.6 < H̄ = −A = −2. J(α)'s gradient
    // α·(−log π − H̄) is then negative, and Adam's first step is lr·sign(g): log α must
    // rise by exactly lr = 1e-3 from ln 0.1.
    let mut agent = max_entropy_agent(3);
    assert!((log_alpha(&agent) - 0.1f64.ln()).abs() < 1e-6);
    let m = agent.update(&batch(0), AgentSteps(2_500));
    assert!(
        (log_alpha(&agent) - 0.1f64.ln() - 1e-3).abs() < 1e-6,
        "{}",
        log_alpha(&agent)
    );
    assert!((m.actor.temperature - 0.1).abs() < 1e-6, "{m:?}");
    assert!(m.actor.entropy < -2.0 * A as f64, "{m:?}");
    assert!((m.actor.entropy + m.actor.log_prob).abs() < 1e-9, "{m:?}");
    assert!(m.actor.stddev > 0.0 && m.actor.stddev < 0.1, "{m:?}");
    assert!(
        m.critic.loss.is_finite() && m.actor.loss.is_finite(),
        "{m:?}"
    );
}

#[test]
fn max_entropy_actor_learns_a_bandit() {
    // reward −(a₀ − 0.5)², no bootstrap: the evaluation action tanh(μ) must move from its
    // initial value to near 0.5 (the entropy bonus widens σ, it does not move the mode much).
    let mut agent = max_entropy_agent(11);
    let (mut rng, obs) = bandit_obs();
    let start = agent
        .act(&obs, AgentSteps(3_000), true)
        .double_value(&[0, 0]);
    assert!((start - 0.5).abs() > 0.3, "{start}");
    train_on_bandit(&mut agent, &mut rng, &obs, 600);
    let a0 = agent
        .act(&obs, AgentSteps(4_000), true)
        .double_value(&[0, 0]);
    assert!((a0 - 0.5).abs() < 0.15, "learned a0 = {a0}");
    // exploration samples around it, evaluation is deterministic
    let again = agent
        .act(&obs, AgentSteps(4_000), true)
        .double_value(&[0, 0]);
    assert_eq!(a0, again);
    let sampled = agent.act(&obs, AgentSteps(4_000), false);
    assert_eq!(sampled.size(), [1, A]);
    assert!(sampled.abs().max().double_value(&[]) < 1.0);
}

#[test]
fn max_entropy_state_round_trips_and_is_foreign_to_a_deterministic_agent() {
    let mut a = max_entropy_agent(3);
    a.update(&batch(0), AgentSteps(2_500));
    let state: Vec<(String, Tensor)> = a
        .state_dict()
        .into_iter()
        .map(|(k, t)| (k, t.copy()))
        .collect();
    assert!(state.iter().any(|(k, _)| k == "temperature.log_alpha"));
    assert!(state
        .iter()
        .any(|(k, _)| k.starts_with("optim.temperature.")));
    let mut b = max_entropy_agent(4);
    b.load_state_dict(&state).unwrap();
    assert_same_state(&a, &b);
    let batch = batch(2);
    assert_eq!(
        a.update(&batch, AgentSteps(2_600)),
        b.update(&batch, AgentSteps(2_600))
    );
    assert_same_state(&a, &b);
    let mut deterministic = agent(4);
    let before = deterministic.state_dict().len();
    let err = deterministic
        .load_state_dict(&state)
        .unwrap_err()
        .to_string();
    // the actor's output width (2A vs A) and the temperature's keys are named
    assert!(
        err.contains("actor.policy.2.weight") && err.contains("optim.temperature."),
        "{err}"
    );
    assert_eq!(deterministic.state_dict().len(), before);
}

#[test]
fn policy_kind_parses_and_bad_values_are_named() {
    // the cpu preset without the two keys, as files written before they existed
    let older: String = agent_text("cpu")
        .lines()
        .filter(|l| !l.starts_with("policy =") && !l.starts_with("init_temperature ="))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!older.contains("\npolicy =") && !older.contains("init_temperature ="));
    let c = DrQV2Config::from_toml_str(
        &format!("policy = \"max_entropy\"\ninit_temperature = 0.2\n{older}"),
        "test",
    )
    .unwrap();
    assert_eq!(
        (c.policy, c.init_temperature),
        (PolicyKind::MaxEntropy, 0.2)
    );
    // left out: DrQ-v2's deterministic policy and DrQ's initial temperature, as the presets
    let c = DrQV2Config::from_toml_str(&older, "test").unwrap();
    assert_eq!(
        (c.policy, c.init_temperature),
        (PolicyKind::Deterministic, 0.1)
    );
    assert_eq!(c, DrQV2Config::preset("cpu").unwrap());
    // and the resolved config writes and reads it back
    let mut me = c.clone();
    me.policy = PolicyKind::MaxEntropy;
    assert_eq!(
        DrQV2Config::from_toml_str(&me.to_toml_string(), "test").unwrap(),
        me
    );
    let err = DrQV2Config::from_toml_str(&format!("policy = \"sac\"\n{older}"), "test")
        .unwrap_err()
        .to_string();
    assert!(err.contains("sac") && err.contains("max_entropy"), "{err}");
    let err = DrQV2Config::from_toml_str(&format!("init_temperature = 0.0\n{older}"), "test")
        .unwrap_err()
        .to_string();
    assert!(err.contains("init_temperature"), "{err}");
}

#[test]
fn config_errors_name_the_problem() {
    let paper = agent_text("paper");
    let err = DrQV2Config::from_toml_str(&format!("learning_rate = 3e-4\n{paper}"), "test")
        .unwrap_err()
        .to_string();
    assert!(err.contains("learning_rate"), "{err}");
    let err = DrQV2Config::from_toml_str(
        &paper.replace("hidden_dim = 1024", "hidden_dim = \"big\""),
        "test",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("hidden_dim") || err.contains("big"), "{err}");
    // the keys the config split moved to [env], [replay] and [loop] are not the agent's
    let err = DrQV2Config::from_toml_str(&format!("action_repeat = 2\n{paper}"), "test")
        .unwrap_err()
        .to_string();
    assert!(err.contains("action_repeat"), "{err}");
    // all value problems at once
    let text = paper
        .replace("lr = 0.0001", "lr = -1.0")
        .replace("critic_target_tau = 0.01", "critic_target_tau = 1.5")
        .replace("hidden_dim = 1024", "hidden_dim = 0");
    match DrQV2Config::from_toml_str(&text, "test").unwrap_err() {
        ConfigError::Invalid { problems, .. } => {
            let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
            assert_eq!(fields, ["hidden_dim", "lr", "critic_target_tau"]);
        }
        e => panic!("{e}"),
    }
    // one bad value each: the error names it
    for (good, bad, named) in [
        ("kind = \"linear\"", "kind = \"cosine\"", "cosine"),
        (
            "critic_augmentations = 1",
            "critic_augmentations = 0",
            "critic_augmentations",
        ),
        ("aug_pad = 4", "aug_pad = -1", "aug_pad"),
    ] {
        assert!(paper.contains(good), "{good}");
        let err = DrQV2Config::from_toml_str(&paper.replace(good, bad), "test")
            .unwrap_err()
            .to_string();
        assert!(err.contains(named), "{err}");
    }
    let err = DrQV2Config::preset("gpu").unwrap_err().to_string();
    assert!(err.contains("`gpu`") && err.contains("paper"), "{err}");
}
