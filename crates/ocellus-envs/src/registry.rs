//! The registered tasks, by name.

use crate::control::{ControlEnv, EnvOptions};
use crate::env::Environment;
use crate::tasks::{
    acrobot::AcrobotSwingUp, ball_in_cup::BallInCupCatch, cartpole::CartpoleTask,
    finger::FingerTask, pendulum::PendulumSwingUp, point_mass::PointMassEasy, reacher::ReacherTask,
};
use crate::EnvError;

/// A registry entry: what `ocellus envs list` shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskInfo {
    /// `domain-task`.
    pub name: &'static str,
    /// The simulator's domain.
    pub domain: &'static str,
    /// Action dimensions.
    pub action_dim: usize,
    /// State observation length.
    pub state_dim: usize,
    /// Whether the reward is sparse (0 or 1) or shaped.
    pub sparse: bool,
    /// Whether the domain simulates contacts (slower to step).
    pub contacts: bool,
    /// One line on the goal.
    pub summary: &'static str,
}

const fn info(
    name: &'static str,
    domain: &'static str,
    action_dim: usize,
    state_dim: usize,
    sparse: bool,
    contacts: bool,
    summary: &'static str,
) -> TaskInfo {
    TaskInfo {
        name,
        domain,
        action_dim,
        state_dim,
        sparse,
        contacts,
        summary,
    }
}

/// Every registered task, in the order `ocellus envs list` prints them.
pub const TASKS: &[TaskInfo] = &[
    info(
        "cartpole-balance",
        "cartpole",
        1,
        5,
        false,
        false,
        "keep a near-upright pole balanced",
    ),
    info(
        "cartpole-balance_sparse",
        "cartpole",
        1,
        5,
        true,
        false,
        "balance; reward only when centred and upright",
    ),
    info(
        "cartpole-swingup",
        "cartpole",
        1,
        5,
        false,
        false,
        "swing a hanging pole up and balance it",
    ),
    info(
        "cartpole-swingup_sparse",
        "cartpole",
        1,
        5,
        true,
        false,
        "swing up; reward only when centred and upright",
    ),
    info(
        "pendulum-swingup",
        "pendulum",
        1,
        3,
        true,
        false,
        "pump a torque-limited pendulum upright",
    ),
    info(
        "acrobot-swingup",
        "acrobot",
        1,
        6,
        false,
        false,
        "swing a two-link arm's tip to a target above",
    ),
    info(
        "point_mass-easy",
        "point_mass",
        2,
        4,
        false,
        false,
        "bring a puck to the centre of the table",
    ),
    info(
        "reacher-easy",
        "reacher",
        2,
        6,
        true,
        false,
        "touch a large random target with the fingertip",
    ),
    info(
        "reacher-hard",
        "reacher",
        2,
        6,
        true,
        false,
        "touch a small random target with the fingertip",
    ),
    info(
        "ball_in_cup-catch",
        "ball_in_cup",
        2,
        8,
        true,
        true,
        "swing a ball on a string into the cup",
    ),
    info(
        "finger-spin",
        "finger",
        2,
        9,
        true,
        true,
        "flick the spinner clockwise faster than 15 rad/s",
    ),
    info(
        "finger-turn_easy",
        "finger",
        2,
        12,
        true,
        true,
        "turn the spinner tip into a large target",
    ),
    info(
        "finger-turn_hard",
        "finger",
        2,
        12,
        true,
        true,
        "turn the spinner tip into a small target",
    ),
];

/// The registry entry of `name`.
pub fn task_info(name: &str) -> Result<&'static TaskInfo, EnvError> {
    TASKS
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| unknown(name))
}

fn unknown(name: &str) -> EnvError {
    EnvError::UnknownTask {
        name: name.to_string(),
        known: TASKS.iter().map(|t| t.name).collect::<Vec<_>>().join(", "),
    }
}

/// Builds the single (unwrapped) environment of a registered task.
///
/// ```
/// use ocellus_envs::{make, EnvOptions, Environment};
/// let mut env = make("cartpole-swingup", &EnvOptions::default()).unwrap();
/// let first = env.reset(Some(0));
/// assert_eq!(first.pixels.len(), 3 * 84 * 84);
/// assert!(make("cartpole-swingdown", &EnvOptions::default()).is_err());
/// ```
pub fn make(name: &str, options: &EnvOptions) -> Result<Box<dyn Environment>, EnvError> {
    fn boxed<T: crate::Task>(task: T, o: &EnvOptions) -> Result<Box<dyn Environment>, EnvError> {
        Ok(Box::new(ControlEnv::new(task, o)?))
    }
    let o = options;
    match name {
        "cartpole-balance" => boxed(
            CartpoleTask {
                swing_up: false,
                sparse: false,
            },
            o,
        ),
        "cartpole-balance_sparse" => boxed(
            CartpoleTask {
                swing_up: false,
                sparse: true,
            },
            o,
        ),
        "cartpole-swingup" => boxed(
            CartpoleTask {
                swing_up: true,
                sparse: false,
            },
            o,
        ),
        "cartpole-swingup_sparse" => boxed(
            CartpoleTask {
                swing_up: true,
                sparse: true,
            },
            o,
        ),
        "pendulum-swingup" => boxed(PendulumSwingUp, o),
        "acrobot-swingup" => boxed(AcrobotSwingUp, o),
        "point_mass-easy" => boxed(PointMassEasy, o),
        "reacher-easy" => boxed(ReacherTask::EASY, o),
        "reacher-hard" => boxed(ReacherTask::HARD, o),
        "ball_in_cup-catch" => boxed(BallInCupCatch, o),
        "finger-spin" => boxed(FingerTask::Spin, o),
        "finger-turn_easy" => boxed(FingerTask::TURN_EASY, o),
        "finger-turn_hard" => boxed(FingerTask::TURN_HARD, o),
        _ => Err(unknown(name)),
    }
}
