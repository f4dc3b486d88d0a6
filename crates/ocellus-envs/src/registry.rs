//! The registered tasks, by name.

use crate::control::{ControlEnv, EnvOptions};
use crate::env::Environment;
use crate::tasks::{
    acrobot::AcrobotSwingUp, ball_in_cup::BallInCupCatch, cartpole::CartpoleTask,
    finger::FingerTask, pendulum::PendulumSwingUp, point_mass::PointMassEasy, reacher::ReacherTask,
};
use crate::EnvError;

use std::sync::RwLock;

/// Builds the unwrapped environment of a task registered at run time, given the task's name
/// (one factory may serve several tasks).
pub type TaskFactory = fn(&str, &EnvOptions) -> Result<Box<dyn Environment>, EnvError>;

/// Tasks registered at run time by crates this one cannot depend on (e.g. `ocellus-mujoco`),
/// after the built-in [`TASKS`].
static REGISTERED: RwLock<Vec<(TaskInfo, TaskFactory)>> = RwLock::new(Vec::new());

/// Adds a task to the registry, so that [`make`], [`crate::EnvBuilder`], pools, training and
/// `ocellus envs` build it by name like a built-in one. Registering a name again replaces its
/// entry (so registration may run more than once); a built-in name is an error.
///
/// ```
/// use ocellus_envs::{make, register, tasks, EnvOptions, TaskInfo};
/// let info = TaskInfo { name: "cartpole-alias", ..ocellus_envs::task_info("cartpole-swingup").unwrap() };
/// register(info, |_, o| make("cartpole-swingup", o)).unwrap();
/// assert!(tasks().iter().any(|t| t.name == "cartpole-alias"));
/// assert!(make("cartpole-alias", &EnvOptions::default()).is_ok());
/// assert!(register(TaskInfo { name: "cartpole-swingup", ..info }, |_, o| make("cartpole-swingup", o)).is_err());
/// ```
pub fn register(info: TaskInfo, factory: TaskFactory) -> Result<(), EnvError> {
    if TASKS.iter().any(|t| t.name == info.name) {
        return Err(EnvError::InvalidOption {
            name: "task",
            value: info.name.to_string(),
            reason: "a built-in task already has this name",
        });
    }
    let mut registered = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
    match registered.iter_mut().find(|(t, _)| t.name == info.name) {
        Some(entry) => *entry = (info, factory),
        None => registered.push((info, factory)),
    }
    Ok(())
}

/// Every task [`make`] can build: the built-in [`TASKS`], then those added with [`register`].
pub fn tasks() -> Vec<TaskInfo> {
    let registered = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
    TASKS
        .iter()
        .copied()
        .chain(registered.iter().map(|(t, _)| *t))
        .collect()
}

fn registered(name: &str) -> Option<(TaskInfo, TaskFactory)> {
    let registered = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
    registered.iter().find(|(t, _)| t.name == name).copied()
}

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

/// The registry entry of `name` (built in or [`register`]ed).
pub fn task_info(name: &str) -> Result<TaskInfo, EnvError> {
    TASKS
        .iter()
        .copied()
        .find(|t| t.name == name)
        .or_else(|| registered(name).map(|(t, _)| t))
        .ok_or_else(|| unknown(name))
}

fn unknown(name: &str) -> EnvError {
    EnvError::UnknownTask {
        name: name.to_string(),
        known: tasks()
            .iter()
            .map(|t| t.name)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Builds the single (unwrapped) environment of a built-in or [`register`]ed task.
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
        _ => match registered(name) {
            Some((_, factory)) => factory(name, o),
            None => Err(unknown(name)),
        },
    }
}
