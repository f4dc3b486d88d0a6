//! The MuJoCo-backed tasks: dm_control's numbers, the hand-computed rewards, the episode
//! rules, resets, save/load and rendering. Needs libmujoco and the models (`bin/setup-mujoco`).

use ocellus_envs::{make, EnvBuilder, EnvOptions, Environment, Task};
use ocellus_mujoco::{
    CheetahRun, HumanoidTask, ManipulatorBringBall, MjPhysics, ModelSource, QuadrupedMove,
    WalkerTask, TASKS,
};
use ocellus_physics::Physics;
use ocellus_render::Scene;

fn registered() {
    ocellus_mujoco::register();
}

/// What dm_control 1.0.50 on MuJoCo 3.17.0 gives for `suite.load(domain, task,
/// task_kwargs={"random": 7})`, `reset()`, then 20 steps of the action
/// `linspace(-0.9, 0.9, action_dim).astype(float32)` (actions are f32 here): the first reset
/// qpos entries, the rewards of steps 1,
/// 10 and 20, and the first qpos entries after step 20, printed by dm_control in the venv of
/// scripts/setup_dmc_venv.sh (scripts/validate_dmc.py checks whole episodes).
#[test]
fn equals_dm_control_on_a_pinned_episode() {
    registered();
    #[allow(clippy::type_complexity)]
    let cases: [(&str, [f64; 4], [f64; 3], [f64; 3]); 5] = [
        (
            "manipulator-bring_ball",
            [
                -2.6621335309793372,
                1.5633614600947054,
                -0.34398774406086785,
                1.092056872677278,
            ],
            [1.5341672946760108e-122, 0.0, 0.0],
            [-3.62538647141619, 1.185897905510655, -0.2489114263886148],
        ),
        (
            "walker-walk",
            [0.0, 0.0, -2.6621335309793372, 1.2843922483332462],
            [
                0.1288097245950941,
                0.0920140045473068,
                0.0034835226178487294,
            ],
            [
                -0.9762489663167243,
                -0.012739306068640592,
                -2.844802345343518,
            ],
        ),
        (
            "cheetah-run",
            [
                -0.004437882110958899,
                -0.13167122577088758,
                0.05134972776788631,
                0.045073741556823976,
            ],
            [0.0, 0.0, 0.02355851053343605],
            [
                -0.08202755786886974,
                -0.09554006592215501,
                -0.029809652317844583,
            ],
        ),
        (
            "humanoid-walk",
            [0.0, 0.0, 1.5, 0.06617512246740513],
            [
                0.07439053327586241,
                0.1483047446017925,
                1.364648178425612e-07,
            ],
            [
                -0.09262194725477527,
                0.006340578021134332,
                0.3847584404411519,
            ],
        ),
        (
            "quadruped-run",
            [0.0, 0.0, 0.8400000000000005, 0.9388736211458653],
            [0.4714703881220862, 0.4901139069913752, 0.49259548413236126],
            [
                -0.017004606711525337,
                -0.028191977674081874,
                0.6033030125942394,
            ],
        ),
    ];
    for (task, qpos0, rewards, qpos20) in cases {
        let mut env = EnvBuilder::new(task).without_pixels().build().unwrap();
        env.reset(Some(7));
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
        let (q, _) = env.physics_state();
        for (k, want) in qpos0.iter().enumerate() {
            assert!(
                close(q[k], *want),
                "{task}: reset qpos[{k}] {} vs dm_control {want}",
                q[k]
            );
        }
        let n = env.spec().action.shape[0];
        let action: Vec<f32> = (0..n)
            .map(|i| (-0.9 + 1.8 * i as f64 / (n - 1) as f64) as f32)
            .collect();
        let mut got = Vec::new();
        for _ in 0..20 {
            got.push(env.step(&action).unwrap().reward);
        }
        for (k, (step, want)) in [(0, rewards[0]), (9, rewards[1]), (19, rewards[2])]
            .into_iter()
            .enumerate()
        {
            assert!(
                close(got[step], want),
                "{task}: reward {k} {} vs {want}",
                got[step]
            );
        }
        let (q, _) = env.physics_state();
        for (k, want) in qpos20.iter().enumerate() {
            assert!(
                close(q[k], *want),
                "{task}: qpos[{k}] after 20 steps {} vs {want}",
                q[k]
            );
        }
    }
}

#[test]
fn registered_tasks_build_with_the_listed_sizes_and_episode_rules() {
    registered();
    for info in TASKS {
        let env = make(info.name, &EnvOptions::default()).unwrap();
        let spec = env.spec();
        assert_eq!(spec.action.shape, vec![info.action_dim], "{}", info.name);
        assert_eq!(spec.state.shape, vec![info.state_dim], "{}", info.name);
        assert_eq!(spec.steps_per_episode, 1000, "{}", info.name);
        assert!(ocellus_envs::tasks().iter().any(|t| t.name == info.name));
    }
    // Control steps: walker 0.025 s, cheetah 0.01 s, hopper 0.02 s, humanoid 0.025 s.
    for (task, seconds) in [
        ("walker-run", 0.025),
        ("cheetah-run", 0.01),
        ("hopper-hop", 0.02),
        ("humanoid-run", 0.025),
        ("quadruped-walk", 0.02),
        ("manipulator-bring_ball", 0.01),
    ] {
        let spec = make(task, &EnvOptions::default()).unwrap().spec().clone();
        assert!(
            (spec.step_seconds - seconds).abs() < 1e-12,
            "{task}: {}",
            spec.step_seconds
        );
    }
}

#[test]
fn an_episode_is_truncated_after_1000_steps_with_discount_one() {
    registered();
    let mut env = EnvBuilder::new("cheetah-run")
        .without_pixels()
        .build()
        .unwrap();
    env.reset(Some(0));
    let zero = [0.0f32; 6];
    for t in 1..=1000 {
        let ts = env.step(&zero).unwrap();
        assert_eq!(ts.discount, 1.0);
        assert_eq!(ts.kind.is_last(), t == 1000, "step {t}");
    }
    assert!(env.step(&zero).is_err());
}

/// Rewards at the model's rest pose, worked out from dm_control's formulas.
#[test]
fn rewards_at_the_rest_pose_match_the_formulas() {
    let physics = |task: &dyn Fn() -> Result<MjPhysics, ocellus_envs::EnvError>| task().unwrap();
    // walker: torso at 1.3 m >= 1.2 (standing 1) and upright (zz 1): stand reward 1. At
    // speed 0 the linear move term is 0 (0 is one margin, 0.5 m/s, below 1 m/s... two
    // margins: clipped to 0), so walk pays 1 * (5 * 0 + 1) / 6.
    let walker = physics(&|| WalkerTask::STAND.new_physics());
    assert_eq!(WalkerTask::STAND.reward(&walker, &[0.0; 6]), 1.0);
    assert!((WalkerTask::WALK.reward(&walker, &[0.0; 6]) - 1.0 / 6.0).abs() < 1e-15);
    // cheetah: speed 0 is one margin below 10 m/s with value_at_margin 0.
    let cheetah = physics(&|| CheetahRun.new_physics());
    assert_eq!(CheetahRun.reward(&cheetah, &[0.0; 6]), 0.0);
    // humanoid stand: head at 1.5 + 0.19 m >= 1.4, upright, still: 1 with zero control;
    // full control everywhere makes small_control (4 + 0) / 5.
    let humanoid = physics(&|| HumanoidTask::STAND.new_physics());
    assert_eq!(HumanoidTask::STAND.reward(&humanoid, &[0.0; 21]), 1.0);
    assert!((HumanoidTask::STAND.reward(&humanoid, &[1.0; 21]) - 0.8).abs() < 1e-15);
    // quadruped: upright (zz = 1) and still: the move term at 0 m/s, one margin below the
    // speed, is value_at_margin 0.5.
    let quadruped = physics(&|| QuadrupedMove::WALK.new_physics());
    assert_eq!(QuadrupedMove::WALK.reward(&quadruped, &[0.0; 12]), 0.5);
    // manipulator: the ball (0.4, 0.4) and its target (0.4, 0.001, 0.4) start 1 mm apart,
    // within 1 cm: reward 1; moved 3 cm away (one margin, 2 cm, past the 1 cm bound) the
    // gaussian gives 0.1.
    let mut manipulator = physics(&|| ManipulatorBringBall.new_physics());
    assert_eq!(ManipulatorBringBall.reward(&manipulator, &[0.0; 5]), 1.0);
    let target = manipulator
        .model()
        .name_to_id(
            mujoco_rs::wrappers::mj_model::MjtObjBase::mjOBJ_BODY,
            "target_ball",
        )
        .unwrap();
    let d = (0.03f64.powi(2) - 0.001f64.powi(2)).sqrt();
    manipulator.model_mut().body_pos_mut()[target][0] = 0.4 + d;
    manipulator.forward();
    let r = ManipulatorBringBall.reward(&manipulator, &[0.0; 5]);
    assert!((r - 0.1).abs() < 1e-12, "{r}");
    // A reset puts the moved target back where the model has it.
    manipulator.reset();
    assert_eq!(ManipulatorBringBall.reward(&manipulator, &[0.0; 5]), 1.0);
}

#[test]
fn equal_seeds_give_equal_episodes_and_frames() {
    registered();
    let run = |seed| {
        let mut env = EnvBuilder::new("hopper-hop").build().unwrap();
        let mut frames = env.reset(Some(seed)).pixels.to_vec();
        let mut rewards = Vec::new();
        for t in 0..50 {
            let a = [(t as f32 * 0.1).sin(), 0.3, -0.5, 0.9];
            let ts = env.step(&a).unwrap();
            rewards.push(ts.reward);
            frames.extend_from_slice(ts.pixels);
        }
        (env.physics_state(), rewards, frames)
    };
    let (a, b, c) = (run(3), run(3), run(4));
    assert_eq!(a, b);
    assert_ne!(a.0, c.0);
}

#[test]
fn a_saved_walker_continues_bit_for_bit() {
    registered();
    let action =
        |t: usize| -> Vec<f32> { (0..6).map(|i| ((t * 7 + i) as f32 * 0.37).sin()).collect() };
    let mut env = EnvBuilder::new("walker-run").size(48, 48).build().unwrap();
    env.reset(Some(11));
    for t in 0..120 {
        env.step(&action(t)).unwrap();
    }
    let saved = env.save_state();
    let mut copy = EnvBuilder::new("walker-run").size(48, 48).build().unwrap();
    copy.load_state(&saved).unwrap();
    for t in 120..200 {
        let a = env.step(&action(t)).unwrap();
        let (ra, pa) = (a.reward, a.pixels.to_vec());
        let b = copy.step(&action(t)).unwrap();
        assert_eq!((ra, pa), (b.reward, b.pixels.to_vec()), "step {t}");
    }
    assert_eq!(env.physics_state(), copy.physics_state());
}

#[test]
fn the_camera_follows_the_walker() {
    let mut physics = WalkerTask::WALK.new_physics().unwrap();
    let before = physics.tracking().unwrap().camera.position;
    let mut qpos = physics.qpos().to_vec();
    qpos[1] += 5.0; // rootx
    let qvel = physics.qvel().to_vec();
    physics.set_state(&qpos, &qvel).unwrap();
    let after = physics.tracking().unwrap().camera.position;
    assert!(
        (after[0] - before[0] - 5.0).abs() < 1e-9,
        "{before:?} -> {after:?}"
    );
    assert!((after[2] - before[2]).abs() < 1e-9);
}

#[test]
fn frames_show_the_body_over_sky_and_floor() {
    registered();
    for task in [
        "walker-walk",
        "cheetah-run",
        "hopper-stand",
        "humanoid-stand",
        "quadruped-walk",
    ] {
        let mut env = EnvBuilder::new(task).build().unwrap();
        let px = env.reset(Some(0)).pixels.to_vec();
        let plane = 84 * 84;
        // dm_control's "self" material is (0.7, 0.5, 0.3): red above blue; sky and floor are
        // blue above red.
        let body = (0..plane)
            .filter(|&i| u16::from(px[i]) > u16::from(px[2 * plane + i]) + 40)
            .count();
        let blue = (0..plane)
            .filter(|&i| u16::from(px[2 * plane + i]) > u16::from(px[i]) + 20)
            .count();
        assert!(body > 40, "{task}: {body} body pixels");
        assert!(blue > plane / 2, "{task}: {blue} sky/floor pixels");
    }
}

#[test]
fn a_missing_model_is_a_clear_error() {
    let err = MjPhysics::load(ModelSource::file("no_such_domain"), 0, &[]).unwrap_err();
    assert!(
        err.contains("no_such_domain.xml") && err.contains("bin/setup-mujoco"),
        "{err}"
    );
    let err = MjPhysics::load(
        ModelSource::file("walker"),
        0,
        &[ocellus_mujoco::Named::Body("no_such_body")],
    )
    .unwrap_err();
    assert!(err.contains("no_such_body"), "{err}");
    let err = MjPhysics::load(ModelSource::file("walker"), 9, &[]).unwrap_err();
    assert!(err.contains("camera 9"), "{err}");
}

#[test]
fn wrong_actions_are_refused_and_change_nothing() {
    registered();
    let mut env = EnvBuilder::new("walker-stand")
        .without_pixels()
        .build()
        .unwrap();
    env.reset(Some(1));
    let before = env.physics_state();
    assert!(env.step(&[0.0; 5]).is_err());
    assert!(env.step(&[0.0, 0.0, f32::NAN, 0.0, 0.0, 0.0]).is_err());
    assert_eq!(env.physics_state(), before);
}
