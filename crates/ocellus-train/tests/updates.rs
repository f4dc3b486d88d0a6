//! The update-to-data ratio: `agent.updates_per_step` updates at every updating agent step.

use std::fs;

use ocellus_train::{ConfigBuilder, Trainer};

mod common;
use common::{never, scratch, tiny};

#[test]
fn updates_per_step_multiplies_the_updates_and_keeps_the_data() {
    let run = |k: u32| {
        let dir = scratch(&format!("updates-{k}"));
        let mut config = tiny(1200);
        config.train_loop.updates_per_step = k;
        let mut t = Trainer::create(config, &dir, "updates test").unwrap();
        let s = t.run(&never()).unwrap();
        let train = fs::read_to_string(dir.join("train.csv")).unwrap();
        let _ = fs::remove_dir_all(&dir);
        (s.updates, train)
    };
    let (one, train_one) = run(1);
    let (three, train_three) = run(3);
    // 1200 frames at repeat 8 = 150 agent steps; updates from agent step 50 (400 frames), one
    // every 2 steps: steps 50, 52, ..., 150 = 51 updating steps.
    assert_eq!(one, 51);
    assert_eq!(three, 3 * 51);
    // Same frames, same episodes: only the learner works harder.
    let frames = |csv: &str| -> Vec<String> {
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(frames(&train_one), frames(&train_three));
    // and the key is read from TOML, with 1 when absent (older run configs)
    let config = ConfigBuilder::from_preset("cpu")
        .unwrap()
        .set_all(&["loop.updates_per_step=4".to_string()])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(config.train_loop.updates_per_step, 4);
    let err = ConfigBuilder::from_preset("cpu")
        .unwrap()
        .set_all(&["loop.updates_per_step=0".to_string()])
        .unwrap()
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("updates_per_step"), "{err}");
}
