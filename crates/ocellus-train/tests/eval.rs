//! `evaluate_run`: returns, and the per-step trace (state, action, reward, Q-sweep) that
//! `ocellus eval --trace` writes.

use std::fs;

use ocellus_train::{evaluate_run, TrainError, Trainer};

mod common;
use common::{never, scratch, tiny};

#[test]
fn the_trace_has_one_row_per_step_and_adds_up_to_the_returns() {
    let dir = scratch("eval-trace");
    let mut t = Trainer::create(tiny(1200), &dir, "eval trace test").unwrap();
    t.run(&never()).unwrap();
    let trace = dir.join("trace.csv");
    let report = evaluate_run(&dir, 2, None, Some(&trace)).unwrap();

    let text = fs::read_to_string(&trace).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    // cartpole: 5 state values (x, cos, sin, ẋ, θ̇), 1 action, Q at the action + 5 sweep points
    assert_eq!(
        header,
        [
            "episode",
            "step",
            "reward",
            "s0",
            "s1",
            "s2",
            "s3",
            "s4",
            "a0",
            "q",
            "q_a0=-1",
            "q_a0=-0.5",
            "q_a0=0",
            "q_a0=0.5",
            "q_a0=1"
        ]
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    assert_eq!(
        rows.len(),
        2 * 125,
        "1000 frames at action repeat 8, two episodes"
    );
    for (episode, want) in report.returns.iter().enumerate() {
        let mine: Vec<&Vec<f64>> = rows.iter().filter(|r| r[0] == episode as f64).collect();
        let steps: Vec<f64> = mine.iter().map(|r| r[1]).collect();
        assert_eq!(steps, (0..125).map(f64::from).collect::<Vec<_>>());
        let got: f64 = mine.iter().map(|r| r[2]).sum();
        assert!(
            (got - want).abs() < 1e-9,
            "episode {episode}: {got} vs {want}"
        );
    }
    for r in &rows {
        // the pole's (cos, sin) is a unit vector, actions stay in the box, Q is finite
        assert!((r[4].powi(2) + r[5].powi(2) - 1.0).abs() < 1e-9, "{r:?}");
        assert!((-1.0..=1.0).contains(&r[8]), "{r:?}");
        assert!(r[9..].iter().all(|q| q.is_finite()), "{r:?}");
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_trace_that_cannot_be_written_is_an_error_naming_the_file() {
    let dir = scratch("eval-trace-unwritable");
    let mut t = Trainer::create(tiny(400), &dir, "eval trace test").unwrap();
    t.run(&never()).unwrap();
    let trace = dir.join("no-such-dir").join("trace.csv");
    match evaluate_run(&dir, 1, None, Some(&trace)) {
        Err(TrainError::Io { path, .. }) => assert_eq!(path, trace),
        other => panic!("expected an Io error naming the trace, got {other:?}"),
    }
    let _ = fs::remove_dir_all(&dir);
}
