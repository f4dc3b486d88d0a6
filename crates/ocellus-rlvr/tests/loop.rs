//! The RLVR loop on a tiny policy: advantages push the right responses up, the reference stays
//! frozen, tool tokens get no gradient, and an interrupted run resumes bit for bit.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use ocellus_grpo::{grpo_advantages, policy_loss, LossConfig, LossInputs, VERL_STD_EPS};
use ocellus_nn::Rng;
use ocellus_policy::{group_logprobs, sample_group, GroupTensors, Policy, SamplingConfig};
use ocellus_rlvr::episode::{focus_box, Episode, TaskStream};
use ocellus_rlvr::run::initial_policy;
use ocellus_rlvr::{train, RlvrConfig, RunOptions, Trainer};
use ocellus_tasks::Difficulty;
use tch::{Kind, Tensor};

fn config(extra: &[&str]) -> RlvrConfig {
    let mut o: Vec<String> = [
        "model.width=16",
        "model.layers=1",
        "model.vocab=300",
        "warm_start.steps=3",
        "warm_start.batch=2",
        "grpo.steps=3",
        "grpo.prompts_per_step=2",
        "grpo.group_size=3",
        "task.eval_prompts=2",
        "run.eval_every=2",
        "run.checkpoint_every=2",
        "sampling.max_response_tokens=10",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    o.extend(extra.iter().map(|s| s.to_string()));
    RlvrConfig::preset_with(&o).unwrap()
}

fn seq_logp(policy: &impl Policy, ep: &Episode, group: &GroupTensors) -> Vec<f64> {
    let lp = tch::no_grad(|| group_logprobs(policy, &ep.prompt, group, 1.0, false).unwrap());
    let s = (lp.logp * &group.mask).sum_dim_intlist(1, false, Kind::Double);
    Vec::<f64>::try_from(&s).unwrap()
}

#[test]
fn a_positive_advantage_makes_its_response_more_likely_and_a_negative_one_less() {
    let cfg = config(&[]);
    let policy = initial_policy(&cfg).unwrap();
    let task = ocellus_tasks::task("counting").unwrap();
    let stream = TaskStream::train(task, Difficulty::new(1).unwrap(), 1);
    let ep = Episode::new(&policy, stream.sample(0), None).unwrap();
    let sampling = SamplingConfig {
        temperature: 1.0,
        top_p: 1.0,
        max_response_tokens: 8,
        max_turns: 1,
    };
    let rollouts =
        sample_group(&policy, &ep.prompt, 4, &sampling, &mut Rng::new(2, 0), None).unwrap();
    let rows: Vec<_> = rollouts.iter().collect();
    let group = GroupTensors::new(&rows, policy.chat().pad, policy.device()).unwrap();
    let before = seq_logp(&policy, &ep, &group);

    // Response 0 is rewarded, the others are not: A = (+1.5, -0.5, -0.5, -0.5).
    let rewards = Tensor::from_slice(&[1.0f32, 0.0, 0.0, 0.0]).reshape([1, 4]);
    let adv = grpo_advantages(&rewards, VERL_STD_EPS)
        .unwrap()
        .reshape([-1]);
    let lp = group_logprobs(&policy, &ep.prompt, &group, 1.0, false).unwrap();
    let mut loss_cfg = LossConfig::grpo();
    loss_cfg.kl = None;
    let out = policy_loss(
        &loss_cfg,
        &LossInputs::new(&lp.logp, &group.old_logp, &adv, &group.mask),
    )
    .unwrap();
    out.loss.backward();
    tch::no_grad(|| {
        for mut p in policy.var_store().trainable_variables() {
            let g = p.grad();
            if g.defined() {
                let _ = p.g_sub_(&(g * 0.05));
            }
        }
    });
    let after = seq_logp(&policy, &ep, &group);
    assert!(
        after[0] > before[0],
        "rewarded response: {} -> {}",
        before[0],
        after[0]
    );
    for j in 1..4 {
        assert!(
            after[j] < before[j],
            "unrewarded response {j}: {} -> {}",
            before[j],
            after[j]
        );
    }
}

#[test]
fn tool_tokens_get_no_gradient() {
    let cfg = config(&["task.name=grounding", "tool.kind=crop", "tool.max_turns=2"]);
    let policy = initial_policy(&cfg).unwrap();
    let task = ocellus_tasks::task("grounding").unwrap();
    let stream = TaskStream::train(task, Difficulty::new(1).unwrap(), 1);
    let ep = Episode::new(&policy, stream.sample(3), Some(28)).unwrap();
    let demo = ep
        .demonstration(&policy, Some(focus_box(&ep.sample, 250, 250)))
        .unwrap();
    assert_eq!(demo.images.len(), 1, "the crop is shown");
    assert!(demo.policy_mask.iter().any(|m| !m));
    let group = GroupTensors::new(&[&demo], policy.chat().pad, policy.device()).unwrap();
    let lp = group_logprobs(&policy, &ep.prompt, &group, 1.0, false).unwrap();
    let logp = lp.logp.detach().set_requires_grad(true);
    let adv = Tensor::from_slice(&[1.0f32]);
    let mut loss_cfg = LossConfig::dapo();
    loss_cfg.kl = None;
    let out = policy_loss(
        &loss_cfg,
        &LossInputs::new(&logp, &group.old_logp, &adv, &group.mask),
    )
    .unwrap();
    out.loss.backward();
    let grad = Vec::<f32>::try_from(&logp.grad().reshape([-1])).unwrap();
    for (j, (&m, &g)) in demo.policy_mask.iter().zip(&grad).enumerate() {
        if m {
            assert!(g < 0.0, "policy token {j} has gradient {g}");
        } else {
            assert_eq!(g, 0.0, "tool token {j} has gradient {g}");
        }
    }
}

#[test]
fn the_reference_stays_frozen_while_the_policy_moves() {
    let cfg = config(&["grpo.kl_coef=0.1"]);
    let policy = initial_policy(&cfg).unwrap();
    let mut t = Trainer::new(cfg, policy).unwrap();
    for _ in 0..4 {
        t.step().unwrap();
    }
    let reference = t.reference.as_ref().expect("KL on: a reference exists");
    assert!(
        reference.weights().iter().all(|(_, w)| !w.requires_grad()),
        "reference weights take no gradient"
    );
    let snapshot: Vec<Tensor> = reference.weights().iter().map(|(_, w)| w.copy()).collect();
    // The optimiser holds the policy's parameters only, none of them the reference's storage.
    let ref_ptrs: Vec<usize> = reference
        .weights()
        .iter()
        .map(|(_, w)| w.data_ptr() as usize)
        .collect();
    assert_eq!(t.adam.params().len(), t.policy.weights().len());
    assert!(t
        .adam
        .params()
        .iter()
        .all(|(_, p)| !ref_ptrs.contains(&(p.data_ptr() as usize))));
    // Moving the policy (two more steps, then a deliberate in-place change) leaves it untouched.
    for _ in 0..2 {
        t.step().unwrap();
    }
    tch::no_grad(|| {
        for (_, mut w) in t.policy.weights() {
            let _ = w.g_add_scalar_(1.0);
        }
    });
    let reference = t.reference.as_ref().unwrap();
    for ((name, w), s) in reference.weights().iter().zip(&snapshot) {
        assert!(w.equal(s), "reference tensor {name} changed");
    }
}

fn strip_times(csv: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let keep: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| !(h.contains("seconds") || h.contains("per_s")))
        .map(|(i, _)| i)
        .collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            keep.iter().map(|&i| cells[i]).collect::<Vec<_>>().join(",")
        })
        .collect()
}

#[test]
fn an_interrupted_run_resumes_bit_for_bit() {
    let base = std::env::temp_dir().join(format!("ocellus-rlvr-resume-{}", std::process::id()));
    std::fs::remove_dir_all(&base).ok();
    let cfg = config(&[]);
    let run = |dir: &str, resume: bool, stop: bool, c: Option<RlvrConfig>| {
        let options = RunOptions {
            run_dir: base.join(dir),
            resume,
            stop: Arc::new(AtomicBool::new(stop)),
            progress: false,
        };
        train(c, &options).unwrap()
    };
    let whole = run("whole", false, false, Some(cfg.clone()));
    // Interrupted after every step (Ctrl-C sets the flag: finish the step, checkpoint, exit).
    let mut pieces = run("pieces", false, true, Some(cfg.clone()));
    while pieces.counters.step < cfg.total_steps() {
        pieces = run("pieces", true, true, None);
    }
    assert_eq!(whole.counters, pieces.counters);
    for ((name, a), (_, b)) in whole
        .policy
        .weights()
        .iter()
        .zip(pieces.policy.weights().iter())
    {
        assert!(a.equal(b), "weight {name} differs after resuming");
    }
    assert_eq!(whole.rng.state(), pieces.rng.state());
    for log in ["sft.csv", "train.csv", "eval.csv"] {
        let a = std::fs::read_to_string(base.join("whole").join(log)).unwrap();
        let b = std::fs::read_to_string(base.join("pieces").join(log)).unwrap();
        assert_eq!(strip_times(&a), strip_times(&b), "{log}");
    }
    // A corrupted checkpoint is refused by name and left as it was.
    let latest = ocellus_train::checkpoint::latest_checkpoint(&base.join("pieces")).unwrap();
    let weights = latest.join("model.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&weights, &bytes).unwrap();
    let options = RunOptions {
        run_dir: base.join("pieces"),
        resume: true,
        stop: Arc::new(AtomicBool::new(false)),
        progress: false,
    };
    let err = train(None, &options).err().expect("refused");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    assert_eq!(std::fs::read(&weights).unwrap(), bytes);
    std::fs::remove_dir_all(&base).ok();
}
