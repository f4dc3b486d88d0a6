//! Checkpoints: a run killed after a periodic checkpoint and resumed ends bit-identical to an
//! uninterrupted run; truncated, corrupt, foreign and other-version checkpoints are refused by
//! name and left untouched.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ocellus_core::EnvFrames;
use ocellus_train::{CheckpointError, Outcome, TrainConfig, TrainError, Trainer};
use tch::Tensor;

mod common;
use common::{never, scratch, tiny, tiny_with};

/// A log file without its wall-clock columns (`fps`, `non_learner_fraction`).
fn deterministic_csv(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let keep: Vec<usize> = (0..header.len())
        .filter(|&i| !matches!(header[i], "fps" | "non_learner_fraction"))
        .collect();
    std::iter::once(header.join(","))
        .chain(lines.map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            keep.iter().map(|&i| cells[i]).collect::<Vec<_>>().join(",")
        }))
        .collect()
}

fn assert_same_agents(a: &Trainer, b: &Trainer) {
    let (sa, sb) = (a.agent().state_dict(), b.agent().state_dict());
    assert_eq!(sa.len(), sb.len());
    for ((ka, ta), (kb, tb)) in sa.iter().zip(&sb) {
        assert_eq!(ka, kb);
        assert!(ta.equal(tb), "tensor {ka} differs after resume");
    }
}

#[test]
fn killed_and_resumed_run_is_bit_identical_to_an_uninterrupted_one() {
    killed_and_resumed_matches_uninterrupted("drqv2", tiny(4000));
}

/// DrM perturbs every 100 agent steps (800 frames): at 200 agent steps before the checkpoint
/// at frame 1600, and at 300, 400 and 500 after it.
#[test]
fn a_killed_and_resumed_drm_run_is_bit_identical_too() {
    let config = tiny_with(
        4000,
        &["run.agent=drm", "agent.drm.perturb_every_agent_steps=100"],
    );
    killed_and_resumed_matches_uninterrupted("drm", config);
}

/// MENTOR perturbs every 100 agent steps too; its snapshot set fills at each episode end (every
/// 1000 frames), so the first perturbation (frame 1600, one snapshot) falls back to a fresh
/// initialisation and the later ones sample from the set, which the checkpoint at 1600 holds.
#[test]
fn a_killed_and_resumed_mentor_run_is_bit_identical_too() {
    let config = tiny_with(
        4000,
        &[
            "run.agent=mentor",
            "agent.drm.perturb_every_agent_steps=100",
            "agent.mentor.num_experts=4",
            "agent.mentor.top_k=2",
            "agent.mentor.expert_hidden_dim=8",
            "agent.mentor.gate_dim=8",
        ],
    );
    killed_and_resumed_matches_uninterrupted("mentor", config);
}

/// TACO: its contrastive step, action encoder and its own Adam resume bit-exactly too.
#[test]
fn a_killed_and_resumed_taco_run_is_bit_identical_too() {
    killed_and_resumed_matches_uninterrupted("taco", tiny_with(4000, &["run.agent=taco"]));
}

fn killed_and_resumed_matches_uninterrupted(name: &str, config: TrainConfig) {
    // Uninterrupted.
    let dir_a = scratch(&format!("{name}-uninterrupted"));
    let mut a = Trainer::create(config.clone(), &dir_a, "test").unwrap();
    let sa = a.run(&never()).unwrap();
    assert_eq!(sa.outcome, Outcome::Finished);
    assert!(sa.updates > 100, "{sa:?}");

    // Killed at frame 2400, after the periodic checkpoint at 1600: dropped without saving,
    // which is all SIGKILL does to the run directory.
    let dir_b = scratch(&format!("{name}-killed"));
    let mut b = Trainer::create(config, &dir_b, "test").unwrap();
    let paused = b.train_until(EnvFrames(2400), &never()).unwrap();
    assert_eq!(paused.outcome, Outcome::Paused);
    drop(b);
    let mut b = Trainer::resume(&dir_b).unwrap();
    assert_eq!(b.env_frames(), EnvFrames(1600));
    let sb = b.run(&never()).unwrap();
    assert_eq!(sb.outcome, Outcome::Finished);

    assert_same_agents(&a, &b);
    let count_of = |key: &str| {
        let state = b.agent().state_dict();
        let (_, count) = state
            .iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("{key} in the state"));
        count.int64_value(&[])
    };
    if name == "drm" || name == "mentor" {
        assert!(count_of("drm.perturbations") >= 3);
    }
    if name == "taco" {
        assert!(count_of("optim.taco.step") > 100);
    }
    if name == "mentor" {
        assert!(count_of("mentor.snapshot_perturbations") >= 2);
    }
    assert_eq!(sa.last_eval_return, sb.last_eval_return);
    for log in ["train.csv", "eval.csv", "loss.csv"] {
        assert_eq!(
            deterministic_csv(&dir_a.join(log)),
            deterministic_csv(&dir_b.join(log)),
            "{log} differs"
        );
    }
    // The run directory has everything the layout promises.
    for f in [
        "config.toml",
        "train.jsonl",
        "eval.jsonl",
        "videos/eval_0.gif",
        "videos/eval_4000.gif",
    ] {
        assert!(dir_b.join(f).exists(), "{f} missing");
    }
    assert_eq!(
        fs::read_to_string(dir_b.join("checkpoints/LATEST"))
            .unwrap()
            .trim(),
        "frames_000004000"
    );
    let _ = fs::remove_dir_all(&dir_a);
    let _ = fs::remove_dir_all(&dir_b);
}

#[test]
fn a_stop_request_checkpoints_the_current_step_and_resumes() {
    let dir = scratch("stop");
    let mut t = Trainer::create(tiny(2000), &dir, "test").unwrap();
    t.train_until(EnvFrames(800), &never()).unwrap();
    let s = t.run(&AtomicBool::new(true)).unwrap();
    assert_eq!(s.outcome, Outcome::Interrupted);
    assert!(s.checkpoint.unwrap().ends_with("frames_000000800"));
    drop(t);
    let mut t = Trainer::resume(&dir).unwrap();
    assert_eq!(t.env_frames(), EnvFrames(800));
    assert_eq!(t.run(&never()).unwrap().outcome, Outcome::Finished);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_run_whose_loss_log_predates_a_column_keeps_its_header_on_resume() {
    // A run written before `actor_temperature` existed: its loss.csv lacks that column. The
    // resumed run must go on with the old header, every row as wide as it.
    let dir = scratch("old-loss-header");
    let mut t = Trainer::create(tiny(3000), &dir, "test").unwrap();
    t.train_until(EnvFrames(1600), &never()).unwrap(); // one episode (1000 frames) logged
    assert_eq!(
        t.run(&AtomicBool::new(true)).unwrap().outcome,
        Outcome::Interrupted
    );
    drop(t);
    let path = dir.join("loss.csv");
    let text = fs::read_to_string(&path).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let dropped = header
        .iter()
        .position(|h| *h == "actor_temperature")
        .unwrap();
    let old: String = text
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            fields.remove(dropped);
            fields.join(",") + "\n"
        })
        .collect();
    fs::write(&path, old).unwrap();

    let mut t = Trainer::resume(&dir).unwrap();
    assert_eq!(t.run(&never()).unwrap().outcome, Outcome::Finished);
    let text = fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(!header.contains("actor_temperature") && header.contains("actor_saturation"));
    let width = header.split(',').count();
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() >= 3, "{text}");
    for row in rows {
        assert_eq!(row.split(',').count(), width, "{row}");
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_finished_run_lengthened_on_resume_matches_a_run_that_long_from_the_start() {
    // Both runs end at 2000 frames; the second first finishes at 1200 (final evaluation and
    // checkpoint there), then is resumed with a new length.
    let dir_a = scratch("long");
    let mut a = Trainer::create(tiny(2000), &dir_a, "test").unwrap();
    a.run(&never()).unwrap();
    let dir_b = scratch("extended");
    let mut b = Trainer::create(tiny(1200), &dir_b, "test").unwrap();
    assert_eq!(b.run(&never()).unwrap().outcome, Outcome::Finished);
    drop(b);
    let mut b = Trainer::resume(&dir_b).unwrap();
    let err = b.extend_to(EnvFrames(800)).unwrap_err().to_string();
    assert!(err.contains("below the 1200 frames"), "{err}");
    b.extend_to(EnvFrames(2000)).unwrap();
    assert_eq!(b.run(&never()).unwrap().outcome, Outcome::Finished);
    assert_same_agents(&a, &b);
    // The new length is in the run's config (comment header kept), so a later resume sees it.
    let text = fs::read_to_string(dir_b.join("config.toml")).unwrap();
    assert!(text.starts_with("# test"), "{text}");
    let b = Trainer::resume(&dir_b).unwrap();
    assert_eq!(b.config().run.frames, EnvFrames(2000));
    assert_eq!(b.env_frames(), EnvFrames(2000));
    let _ = fs::remove_dir_all(&dir_a);
    let _ = fs::remove_dir_all(&dir_b);
}

#[test]
fn an_unfinished_run_shortened_on_resume_matches_a_run_that_short_from_the_start() {
    // A runs 2400 frames. B is created for 4000, killed at 2000 (after its checkpoint at
    // 1600), resumed and shortened to 2400, and killed again before writing anything: the
    // next resume reads the new length from config.toml and loads the checkpoint's replay,
    // saved with the longer run's capacity, into the shorter run's ring (its steps fit).
    let dir_a = scratch("short");
    let mut a = Trainer::create(tiny(2400), &dir_a, "test").unwrap();
    a.run(&never()).unwrap();
    let dir_b = scratch("shortened");
    let mut b = Trainer::create(tiny(4000), &dir_b, "test").unwrap();
    let paused = b.train_until(EnvFrames(2000), &never()).unwrap();
    assert_eq!(paused.outcome, Outcome::Paused);
    drop(b);
    let mut b = Trainer::resume(&dir_b).unwrap();
    b.extend_to(EnvFrames(2400)).unwrap();
    drop(b);
    let mut b = Trainer::resume(&dir_b).unwrap();
    assert_eq!(b.env_frames(), EnvFrames(1600));
    assert_eq!(b.config().run.frames, EnvFrames(2400));
    assert_eq!(b.run(&never()).unwrap().outcome, Outcome::Finished);
    assert_same_agents(&a, &b);
    let _ = fs::remove_dir_all(&dir_a);
    let _ = fs::remove_dir_all(&dir_b);
}

/// A finished tiny run to damage.
fn finished(name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch(name);
    let mut t = Trainer::create(tiny(800), &dir, "test").unwrap();
    t.run(&never()).unwrap();
    let ckpt = dir.join("checkpoints/frames_000000800");
    assert!(ckpt.join("manifest.json").exists());
    (dir, ckpt)
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().to_string(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn damaged_or_foreign_checkpoints_are_refused_by_name_and_left_alone() {
    let (dir, ckpt) = finished("damaged");
    let pristine = snapshot(&ckpt);

    // A flipped byte in the replay file: the manifest's checksum catches it.
    let mut replay = fs::read(ckpt.join("replay.bin")).unwrap();
    let i = replay.len() / 2;
    replay[i] ^= 1;
    fs::write(ckpt.join("replay.bin"), &replay).unwrap();
    let before = snapshot(&ckpt);
    match Trainer::resume(&dir).unwrap_err() {
        TrainError::Checkpoint(CheckpointError::Checksum { path, .. }) => {
            assert!(path.ends_with("replay.bin"), "{path:?}")
        }
        e => panic!("{e}"),
    }
    assert_eq!(snapshot(&ckpt), before, "a refused checkpoint was modified");
    fs::write(
        ckpt.join("replay.bin"),
        &pristine.iter().find(|f| f.0 == "replay.bin").unwrap().1,
    )
    .unwrap();

    // A truncated agent file.
    let agent = fs::read(ckpt.join("agent.safetensors")).unwrap();
    fs::write(ckpt.join("agent.safetensors"), &agent[..agent.len() / 2]).unwrap();
    let err = Trainer::resume(&dir).unwrap_err();
    assert!(
        matches!(&err, TrainError::Checkpoint(CheckpointError::Truncated { path, .. }) if path.ends_with("agent.safetensors")),
        "{err}"
    );
    fs::write(ckpt.join("agent.safetensors"), &agent).unwrap();

    // A missing file.
    fs::rename(ckpt.join("env.bin"), dir.join("env.bin.away")).unwrap();
    let err = Trainer::resume(&dir).unwrap_err();
    assert!(err.to_string().contains("env.bin is missing"), "{err}");
    fs::rename(dir.join("env.bin.away"), ckpt.join("env.bin")).unwrap();

    // Another format version.
    let manifest = fs::read_to_string(ckpt.join("manifest.json")).unwrap();
    fs::write(
        ckpt.join("manifest.json"),
        manifest.replace("\"format_version\": 1", "\"format_version\": 2"),
    )
    .unwrap();
    let err = Trainer::resume(&dir).unwrap_err();
    assert!(
        matches!(
            &err,
            TrainError::Checkpoint(CheckpointError::UnsupportedVersion { found: 2, .. })
        ),
        "{err}"
    );
    fs::write(ckpt.join("manifest.json"), &manifest).unwrap();

    // Another task (a run directory whose config says pendulum) and another agent config.
    let config = fs::read_to_string(dir.join("config.toml")).unwrap();
    fs::write(
        dir.join("config.toml"),
        config.replace("task = \"cartpole-balance\"", "task = \"pendulum-swingup\""),
    )
    .unwrap();
    let err = Trainer::resume(&dir).unwrap_err();
    assert!(
        err.to_string()
            .contains("foreign: its task is cartpole-balance"),
        "{err}"
    );
    fs::write(
        dir.join("config.toml"),
        config.replace("hidden_dim = 32", "hidden_dim = 64"),
    )
    .unwrap();
    let err = Trainer::resume(&dir).unwrap_err();
    assert!(
        err.to_string().contains("foreign: its agent config"),
        "{err}"
    );
    fs::write(dir.join("config.toml"), &config).unwrap();

    // Restored, it loads, and the checkpoint is byte-for-byte what was written.
    assert_eq!(snapshot(&ckpt), pristine);
    Trainer::resume(&dir).unwrap();
    // A new run into the same directory is refused rather than overwriting it.
    let err = Trainer::create(tiny(800), &dir, "test").unwrap_err();
    assert!(err.to_string().contains("already holds a run"), "{err}");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_without_checkpoints_has_nothing_to_resume() {
    let dir = scratch("empty");
    fs::create_dir_all(&dir).unwrap();
    let cfg = tiny(800);
    fs::write(dir.join("config.toml"), cfg.to_toml_string()).unwrap();
    let err = Trainer::resume(&dir).unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::Checkpoint(CheckpointError::NoCheckpoint { .. })
        ),
        "{err}"
    );
    let _ = Tensor::zeros([1], (tch::Kind::Float, tch::Device::Cpu));
    let _ = fs::remove_dir_all(&dir);
}
