//! The episode loop around a task: sub-steps, time limit, observation and rendering.

use ocellus_core::{ArraySpec, DType, RandomState, StepKind};
use ocellus_physics::Physics;
use ocellus_render::{Overlay, RenderConfig, Renderer};

use crate::env::{EnvSpec, Environment, TimeStep, Visuals};
use crate::error::check_action;
use crate::{EnvError, Task};

/// Options of a single control environment.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvOptions {
    /// Frame width in pixels.
    pub width: usize,
    /// Frame height in pixels.
    pub height: usize,
    /// Whether to render pixels at all (state-only runs are much faster).
    pub pixels: bool,
}

impl Default for EnvOptions {
    /// 84 x 84 pixels, as in DrQ-v2 and most pixel-control papers.
    fn default() -> Self {
        EnvOptions {
            width: 84,
            height: 84,
            pixels: true,
        }
    }
}

impl EnvOptions {
    pub(crate) fn validate(&self) -> Result<(), EnvError> {
        for (name, v) in [("width", self.width), ("height", self.height)] {
            if !(8..=4096).contains(&v) {
                return Err(EnvError::InvalidOption {
                    name,
                    value: v.to_string(),
                    reason: "frame sides must be between 8 and 4096 pixels",
                });
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    NotReset,
    Running,
    Over,
}

/// A task run as an [`Environment`]: one `step` is one control step of the task.
pub struct ControlEnv<T: Task> {
    task: T,
    physics: T::Physics,
    rng: RandomState,
    spec: EnvSpec,
    renderer: Option<Renderer>,
    overlays: Vec<Overlay>,
    ctrl: Vec<f64>,
    state: Vec<f64>,
    pixels: Vec<u8>,
    steps: u32,
    status: Status,
}

impl<T: Task> ControlEnv<T> {
    /// Builds the environment; the reset stream starts from seed 0 until `reset(Some(seed))`.
    pub fn new(task: T, options: &EnvOptions) -> Result<Self, EnvError> {
        options.validate()?;
        let physics = T::Physics::default();
        let nu = physics.num_actuators();
        let control_seconds = physics.timestep() * f64::from(task.sub_steps());
        let renderer = options.pixels.then(|| {
            let config = RenderConfig {
                width: options.width,
                height: options.height,
                ..RenderConfig::default()
            };
            Renderer::new(&physics, config)
        });
        let pixels_spec = options.pixels.then(|| {
            ArraySpec::bounded(
                "pixels",
                vec![3, options.height, options.width],
                DType::U8,
                0.0,
                255.0,
            )
        });
        let spec = EnvSpec {
            task: task.name().to_string(),
            action: ArraySpec::bounded("action", vec![nu], DType::F32, -1.0, 1.0),
            state: ArraySpec::new("state", vec![task.state_len()], DType::F64),
            pixels: pixels_spec,
            frames_per_step: 1,
            steps_per_episode: task.steps_per_episode(),
            step_seconds: control_seconds,
        };
        let frame_len = renderer.as_ref().map_or(0, Renderer::frame_len);
        Ok(ControlEnv {
            state: vec![0.0; task.state_len()],
            task,
            physics,
            rng: RandomState::new(0),
            spec,
            renderer,
            overlays: Vec::new(),
            ctrl: vec![0.0; nu],
            pixels: vec![0; frame_len],
            steps: 0,
            status: Status::NotReset,
        })
    }

    /// The simulator (read-only), for tests and tools.
    pub fn physics(&self) -> &T::Physics {
        &self.physics
    }

    /// The task.
    pub fn task(&self) -> &T {
        &self.task
    }

    fn advance(&mut self, action: &[f32]) -> Result<(StepKind, f64, f64), EnvError> {
        match self.status {
            Status::NotReset => return Err(EnvError::NotReset),
            Status::Over => return Err(EnvError::EpisodeOver),
            Status::Running => {}
        }
        check_action(&self.spec.task, self.ctrl.len(), action)?;
        for (c, &a) in self.ctrl.iter_mut().zip(action) {
            *c = f64::from(a);
        }
        for _ in 0..self.task.sub_steps() {
            self.physics.step(&self.ctrl);
        }
        let reward = self.task.reward(&self.physics, &self.ctrl);
        self.steps += 1;
        // No control-suite task terminates early; the time limit truncates with discount 1.
        let kind = if self.steps >= self.spec.steps_per_episode {
            self.status = Status::Over;
            StepKind::Truncated
        } else {
            StepKind::Mid
        };
        Ok((kind, reward, 1.0))
    }

    fn time_step(&mut self, kind: StepKind, reward: f64, discount: f64) -> TimeStep<'_> {
        self.task.observe(&self.physics, &mut self.state);
        if let Some(renderer) = &mut self.renderer {
            renderer.render(&self.physics, &self.overlays, &mut self.pixels);
        }
        TimeStep {
            kind,
            reward,
            discount,
            state: &self.state,
            pixels: &self.pixels,
        }
    }
}

impl<T: Task> Environment for ControlEnv<T> {
    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn reset(&mut self, seed: Option<u32>) -> TimeStep<'_> {
        if let Some(seed) = seed {
            self.rng = RandomState::new(seed);
        }
        self.physics.reset();
        self.task
            .initialize_episode(&mut self.physics, &mut self.rng);
        self.steps = 0;
        self.status = Status::Running;
        self.time_step(StepKind::First, 0.0, 1.0)
    }

    fn step(&mut self, action: &[f32]) -> Result<TimeStep<'_>, EnvError> {
        let (kind, reward, discount) = self.advance(action)?;
        Ok(self.time_step(kind, reward, discount))
    }

    fn step_unrendered(&mut self, action: &[f32]) -> Result<(StepKind, f64, f64), EnvError> {
        self.advance(action)
    }

    fn observe(&mut self) -> TimeStep<'_> {
        let kind = match self.status {
            Status::Over => StepKind::Truncated,
            _ if self.steps == 0 => StepKind::First,
            _ => StepKind::Mid,
        };
        self.time_step(kind, 0.0, 1.0)
    }

    fn set_visuals(&mut self, visuals: &Visuals) {
        self.overlays.clone_from(&visuals.overlays);
        if let Some(renderer) = &mut self.renderer {
            let config = renderer.config();
            if config.palette != visuals.palette || config.camera_offset != visuals.camera_offset {
                let config = RenderConfig {
                    palette: visuals.palette.clone(),
                    camera_offset: visuals.camera_offset,
                    ..config.clone()
                };
                renderer.reconfigure(&self.physics, config);
            }
        }
    }

    fn physics_state(&self) -> (Vec<f64>, Vec<f64>) {
        (self.physics.qpos().to_vec(), self.physics.qvel().to_vec())
    }

    fn set_physics_state(&mut self, qpos: &[f64], qvel: &[f64]) -> Result<(), EnvError> {
        self.physics
            .set_state(qpos, qvel)
            .map_err(|e| EnvError::InvalidState(e.to_string()))
    }

    fn set_target(&mut self, target: [f64; 2]) -> Result<(), EnvError> {
        self.task.set_target(&mut self.physics, target)
    }
}
