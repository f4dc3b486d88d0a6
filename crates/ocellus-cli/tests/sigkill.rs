//! A training run killed with SIGKILL and resumed with `ocellus train --resume` ends with the
//! same parameters and evaluation log, bit for bit, as an uninterrupted run with the same seed.
//! (The in-process version of this check is `crates/ocellus-train/tests/resume.rs`; this one
//! drives the real binary and a real SIGKILL.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A tiny configuration: 24 px frames, small networks, a checkpoint every 1,600 frames.
const TRAIN_ARGS: &[&str] = &[
    "train",
    "--task",
    "cartpole-balance",
    "--frames",
    "16000",
    "--seed",
    "7",
    "--set",
    "run.eval_every_frames=8000",
    "--set",
    "run.eval_episodes=2",
    "--set",
    "run.checkpoint_every_frames=1600",
    "--set",
    "run.video=false",
    "--set",
    "env.image_size=24",
    "--set",
    "env.action_repeat=8",
    "--set",
    "agent.hidden_dim=32",
    "--set",
    "agent.feature_dim=16",
    "--set",
    "loop.batch_size=16",
    "--set",
    "agent.micro_batch_size=16",
    "--set",
    "loop.seed_frames=400",
    "--set",
    "loop.updates_per_step=1",
];

fn ocellus() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ocellus"));
    c.stdout(Stdio::null()).stderr(Stdio::null());
    c
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocellus-sigkill-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// Bytes of the newest checkpoint's agent file.
fn final_agent(run: &Path) -> Vec<u8> {
    let root = run.join("checkpoints");
    let name = fs::read_to_string(root.join("LATEST")).expect("a finished run has a checkpoint");
    fs::read(root.join(name.trim()).join("agent.safetensors")).expect("agent file")
}

#[test]
fn a_sigkilled_run_resumes_to_the_uninterrupted_result() {
    sigkilled_run_resumes_to_the_uninterrupted_result("drqv2", &[]);
}

/// DrM perturbs every 100 agent steps (800 frames), so perturbations fall both before and
/// after the kill.
#[test]
fn a_sigkilled_drm_run_resumes_to_the_uninterrupted_result() {
    sigkilled_run_resumes_to_the_uninterrupted_result(
        "drm",
        &[
            "--agent",
            "drm",
            "--set",
            "agent.drm.perturb_every_agent_steps=100",
        ],
    );
}

/// MENTOR (small MoE) perturbs every 100 agent steps, towards its snapshot set once it holds
/// two episodes.
#[test]
fn a_sigkilled_mentor_run_resumes_to_the_uninterrupted_result() {
    sigkilled_run_resumes_to_the_uninterrupted_result(
        "mentor",
        &[
            "--agent",
            "mentor",
            "--set",
            "agent.drm.perturb_every_agent_steps=100",
            "--set",
            "agent.mentor.num_experts=4",
            "--set",
            "agent.mentor.expert_hidden_dim=16",
        ],
    );
}

/// TACO: the replay's window actions and TACO's own step are in the resumed run too.
#[test]
fn a_sigkilled_taco_run_resumes_to_the_uninterrupted_result() {
    sigkilled_run_resumes_to_the_uninterrupted_result("taco", &["--agent", "taco"]);
}

fn sigkilled_run_resumes_to_the_uninterrupted_result(name: &str, extra: &[&str]) {
    let whole = scratch(&format!("{name}-whole"));
    let whole_started = Instant::now();
    let status = ocellus()
        .args(TRAIN_ARGS)
        .args(extra)
        .arg("--run-dir")
        .arg(&whole)
        .status()
        .unwrap();
    assert!(status.success(), "the uninterrupted run failed: {status}");
    // The first checkpoint comes at a tenth of the run, so the whole run's own time is a
    // generous bound that scales with the machine's load (four of these tests share CI's two
    // cores, and a debug MENTOR run there took over two minutes to reach it).
    let patience = whole_started.elapsed().max(Duration::from_secs(120));

    let killed = scratch(&format!("{name}-killed"));
    let mut child = ocellus()
        .args(TRAIN_ARGS)
        .args(extra)
        .arg("--run-dir")
        .arg(&killed)
        .spawn()
        .unwrap();
    // Kill as soon as the first periodic checkpoint is complete (`LATEST` names it).
    let latest = killed.join("checkpoints").join("LATEST");
    let start = Instant::now();
    while !latest.exists() {
        assert!(
            start.elapsed() < patience,
            "no checkpoint appeared within {patience:?} (the uninterrupted run's time)"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before it could be killed; make it longer");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix: no handler runs, nothing more is saved
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the run was meant to be killed, but it finished"
    );

    let status = ocellus()
        .arg("train")
        .arg("--resume")
        .arg(&killed)
        .status()
        .unwrap();
    assert!(status.success(), "resuming failed: {status}");

    assert_eq!(
        final_agent(&whole),
        final_agent(&killed),
        "parameters differ after resume"
    );
    let eval = |run: &Path| fs::read_to_string(run.join("eval.csv")).unwrap();
    assert_eq!(
        eval(&whole),
        eval(&killed),
        "evaluation logs differ after resume"
    );
    fs::remove_dir_all(&whole).unwrap();
    fs::remove_dir_all(&killed).unwrap();
}
