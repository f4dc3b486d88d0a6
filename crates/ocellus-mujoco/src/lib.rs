//! The DeepMind Control Suite domains whose contact dynamics are MuJoCo's own (walker,
//! cheetah, hopper, humanoid, quadruped, manipulator): the physics is
//! libmujoco 3.17.0 (through `mujoco-rs`), the models are dm_control 1.0.50's XML files read
//! at run time, the task logic (resets, observations, rewards, episode rules) is ported from
//! `dm_control/suite/*.py`, and frames come from the native rasteriser (`ocellus-render`),
//! not MuJoCo's OpenGL renderer.
//!
//! [`register`] adds the tasks to `ocellus-envs`' registry, after which they are built by name
//! like the built-in ones (wrappers, [`ocellus_envs::EnvPool`], replay, training, `ocellus
//! envs`). `bin/setup-mujoco` installs libmujoco and the models into the cached environment.
//!
//! ```no_run
//! ocellus_mujoco::register();
//! let mut env = ocellus_envs::EnvBuilder::new("walker-walk").action_repeat(2).build()?;
//! let first = env.reset(Some(1));
//! assert_eq!(first.pixels.len(), 3 * 84 * 84);
//! # Ok::<(), ocellus_envs::EnvError>(())
//! ```
//!
//! # Matching dm_control
//! * Stepping is dm_control's `Physics.step` ("legacy" stepping): `mj_step2`, then
//!   `mj_step1`, so observations and rewards read the new state's poses and sensors.
//! * Resets are `mj_resetData`, the task's draws from the `numpy.random.RandomState`-
//!   compatible stream in dm_control's order, then `mj_forward`.
//! * `scripts/validate_dmc.py` compares resets, steps and rewards with dm_control itself.
//!
//! # Rendering
//! The pixel camera is DrQ-v2's (camera 0; quadruped 2). Where it follows the centre of mass
//! (`trackcom`: walker, cheetah, hopper, humanoid, quadruped) the skybox is baked once and the
//! floor is drawn per frame; manipulator's fixed camera gets its whole background baked. Geoms
//! are drawn back to front; see [`MjPhysics`]'s `Scene` implementation for what each geom
//! type becomes.
#![deny(missing_docs)]

mod physics;
pub mod tasks;

pub use physics::{models_dir, MjPhysics, ModelSource, Named, XmlEdit};
pub use tasks::{
    cheetah::CheetahRun, hopper::HopperTask, humanoid::HumanoidTask,
    manipulator::ManipulatorBringBall, quadruped::QuadrupedMove, walker::WalkerTask,
};

use ocellus_envs::{ControlEnv, EnvError, EnvOptions, Environment, Task, TaskInfo};

/// The tasks [`register`] adds, in `ocellus envs list` order.
pub const TASKS: &[TaskInfo] = &[
    info(
        "walker-stand",
        "walker",
        6,
        24,
        "stand the planar biped up, torso high and upright",
    ),
    info(
        "walker-walk",
        "walker",
        6,
        24,
        "walk forward at 1 m/s or faster, standing",
    ),
    info(
        "walker-run",
        "walker",
        6,
        24,
        "run forward at 8 m/s or faster, standing",
    ),
    info(
        "cheetah-run",
        "cheetah",
        6,
        17,
        "run the planar cheetah forward, up to 10 m/s",
    ),
    info(
        "hopper-stand",
        "hopper",
        4,
        15,
        "stand the one-legged hopper up with little control",
    ),
    info(
        "hopper-hop",
        "hopper",
        4,
        15,
        "hop forward at 2 m/s or faster, standing",
    ),
    info(
        "humanoid-stand",
        "humanoid",
        21,
        67,
        "stand the 3-D humanoid up, head high, still",
    ),
    info(
        "humanoid-walk",
        "humanoid",
        21,
        67,
        "walk the humanoid at 1 m/s or faster, upright",
    ),
    info(
        "humanoid-run",
        "humanoid",
        21,
        67,
        "run the humanoid at 10 m/s or faster, upright",
    ),
    info(
        "quadruped-walk",
        "quadruped",
        12,
        78,
        "walk the four-legged body forward at 0.5 m/s or faster, upright",
    ),
    info(
        "quadruped-run",
        "quadruped",
        12,
        78,
        "run the four-legged body forward at 5 m/s or faster, upright",
    ),
    TaskInfo {
        name: "manipulator-bring_ball",
        domain: "manipulator",
        action_dim: 5,
        state_dim: 44,
        sparse: false,
        contacts: true,
        summary: "grasp a ball with a planar two-finger arm and bring it to a target",
    },
];

const fn info(
    name: &'static str,
    domain: &'static str,
    action_dim: usize,
    state_dim: usize,
    summary: &'static str,
) -> TaskInfo {
    TaskInfo {
        name,
        domain,
        action_dim,
        state_dim,
        sparse: false,
        contacts: true,
        summary,
    }
}

/// Builds one registered task (unwrapped); an unknown name is an error.
pub fn make(name: &str, options: &EnvOptions) -> Result<Box<dyn Environment>, EnvError> {
    fn boxed<T: Task>(task: T, o: &EnvOptions) -> Result<Box<dyn Environment>, EnvError> {
        Ok(Box::new(ControlEnv::new(task, o)?))
    }
    match name {
        "walker-stand" => boxed(WalkerTask::STAND, options),
        "walker-walk" => boxed(WalkerTask::WALK, options),
        "walker-run" => boxed(WalkerTask::RUN, options),
        "cheetah-run" => boxed(CheetahRun, options),
        "hopper-stand" => boxed(HopperTask::Stand, options),
        "hopper-hop" => boxed(HopperTask::Hop, options),
        "humanoid-stand" => boxed(HumanoidTask::STAND, options),
        "humanoid-walk" => boxed(HumanoidTask::WALK, options),
        "humanoid-run" => boxed(HumanoidTask::RUN, options),
        "quadruped-walk" => boxed(QuadrupedMove::WALK, options),
        "quadruped-run" => boxed(QuadrupedMove::RUN, options),
        "manipulator-bring_ball" => boxed(ManipulatorBringBall, options),
        _ => Err(EnvError::UnknownTask {
            name: name.to_string(),
            known: TASKS.iter().map(|t| t.name).collect::<Vec<_>>().join(", "),
        }),
    }
}

/// Adds [`TASKS`] to `ocellus-envs`' registry (idempotent). Building one still fails with a
/// clear error if libmujoco's models are not installed (see [`models_dir`]).
pub fn register() {
    for info in TASKS {
        ocellus_envs::register(*info, make).expect("MuJoCo task names are not built in");
    }
}
