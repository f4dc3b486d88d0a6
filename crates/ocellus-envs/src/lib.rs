//! Pixel control tasks with dm_control's semantics, and the machinery to run them fast.
//!
//! * [`Task`] ports one dm_control task (reset distribution, observation, reward); the
//!   thirteen registered tasks are listed in [`TASKS`] and built by name with [`make`].
//! * [`ControlEnv`] is the episode loop around a task (sub-steps, the 1000-step time limit,
//!   rendering into a reused buffer); it implements [`Environment`], the contract that
//!   wrappers ([`ActionRepeat`], [`FrameStack`], [`Distractions`]) and [`EnvPool`] share.
//! * [`EnvBuilder`] stacks them the way DrQ-v2 does: distractions, then action repeat, then
//!   frame stacking.
//!
//! ```
//! use ocellus_envs::{EnvBuilder, Environment};
//! let mut env = EnvBuilder::new("cartpole-swingup").action_repeat(2).frame_stack(3).build()?;
//! let first = env.reset(Some(1));
//! assert_eq!(first.pixels.len(), 9 * 84 * 84); // [3 * stack, H, W]
//! let step = env.step(&[0.5])?;
//! assert!((0.0..=2.0).contains(&step.reward)); // two frames of rewards in [0, 1]
//! assert!(env.step(&[f32::NAN]).is_err());
//! # Ok::<(), ocellus_envs::EnvError>(())
//! ```
//!
//! No crate here depends on a tensor engine.
#![deny(missing_docs)]

mod control;
mod distractions;
mod env;
mod error;
mod pool;
mod registry;
mod state_codec;
mod task;
pub mod tasks;
pub mod tolerance;
mod wrappers;

pub use control::{ControlEnv, EnvOptions};
pub use distractions::{DistractionConfig, Distractions};
pub use env::{EnvSpec, EnvState, Environment, TimeStep, Visuals};
pub use error::EnvError;
pub use pool::{Batch, EnvPool, PoolOptions};
pub use registry::{make, register, task_info, tasks, TaskFactory, TaskInfo, TASKS};
pub use task::Task;
pub use wrappers::{ActionRepeat, FrameStack};

/// Builds a registered task with the usual wrappers, in DrQ-v2's order.
#[derive(Clone, Debug)]
pub struct EnvBuilder {
    task: String,
    options: EnvOptions,
    action_repeat: u32,
    frame_stack: usize,
    distractions: Option<DistractionConfig>,
}

impl EnvBuilder {
    /// Starts from a task name with 84 x 84 pixels, no action repeat and no stacking.
    pub fn new(task: impl Into<String>) -> Self {
        EnvBuilder {
            task: task.into(),
            options: EnvOptions::default(),
            action_repeat: 1,
            frame_stack: 1,
            distractions: None,
        }
    }
    /// Frame size in pixels.
    pub fn size(mut self, width: usize, height: usize) -> Self {
        self.options.width = width;
        self.options.height = height;
        self
    }
    /// Turns rendering off (state observations only).
    pub fn without_pixels(mut self) -> Self {
        self.options.pixels = false;
        self
    }
    /// Repeats each action this many frames, summing rewards.
    pub fn action_repeat(mut self, repeat: u32) -> Self {
        self.action_repeat = repeat;
        self
    }
    /// Stacks this many frames along the channel axis.
    pub fn frame_stack(mut self, k: usize) -> Self {
        self.frame_stack = k;
        self
    }
    /// Adds visual distractions.
    pub fn distractions(mut self, config: DistractionConfig) -> Self {
        self.distractions = Some(config);
        self
    }
    /// Builds the environment.
    pub fn build(&self) -> Result<Box<dyn Environment>, EnvError> {
        let mut env = make(&self.task, &self.options)?;
        if let Some(config) = &self.distractions {
            env = Box::new(Distractions::new(env, config.clone())?);
        }
        if self.action_repeat != 1 {
            env = Box::new(ActionRepeat::new(env, self.action_repeat)?);
        }
        if self.frame_stack != 1 {
            env = Box::new(FrameStack::new(env, self.frame_stack)?);
        }
        Ok(env)
    }
}
