//! The episode loop around a task: sub-steps, time limit, observation and rendering.

use ocellus_core::{ArraySpec, DType, RandomState, StepKind};
use ocellus_physics::Physics;
use ocellus_render::{Overlay, RenderConfig, Renderer};

use crate::env::{EnvSpec, EnvState, Environment, TimeStep, Visuals};
use crate::error::check_action;
use crate::state_codec::{check_task, Reader, Writer};
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
    /// The reset stream as it was when this episode began, the actions taken since and the
    /// state overrides written between them: with deterministic physics they are the whole
    /// episode state (see `save_state`).
    episode_start_rng: RandomState,
    episode_actions: Vec<f32>,
    episode_overrides: Vec<Override>,
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
        let physics = task.new_physics()?;
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
            episode_start_rng: RandomState::new(0),
            episode_actions: Vec::new(),
            episode_overrides: Vec::new(),
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
        self.episode_actions.extend_from_slice(action);
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

    /// Starts an episode: re-seeds (when given a seed), resets the simulator and draws the
    /// initial state.
    fn begin_episode(&mut self, seed: Option<u32>) {
        if let Some(seed) = seed {
            self.rng = RandomState::new(seed);
        }
        self.episode_start_rng.clone_from(&self.rng);
        self.episode_actions.clear();
        self.episode_overrides.clear();
        self.physics.reset();
        self.task
            .initialize_episode(&mut self.physics, &mut self.rng);
        self.steps = 0;
        self.status = Status::Running;
    }

    /// Like `time_step`, but renders into `out` (a pool's batch slot) and returns no pixels.
    fn time_step_into(
        &mut self,
        kind: StepKind,
        reward: f64,
        discount: f64,
        out: &mut [u8],
    ) -> TimeStep<'_> {
        self.task.observe(&self.physics, &mut self.state);
        if let Some(renderer) = &mut self.renderer {
            renderer.render(&self.physics, &self.overlays, out);
        }
        TimeStep {
            kind,
            reward,
            discount,
            state: &self.state,
            pixels: &[],
        }
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
        self.begin_episode(seed);
        self.time_step(StepKind::First, 0.0, 1.0)
    }

    fn reset_into(&mut self, seed: Option<u32>, pixels_out: &mut [u8]) -> TimeStep<'_> {
        self.begin_episode(seed);
        self.time_step_into(StepKind::First, 0.0, 1.0, pixels_out)
    }

    fn step_into(
        &mut self,
        action: &[f32],
        pixels_out: &mut [u8],
    ) -> Result<TimeStep<'_>, EnvError> {
        let (kind, reward, discount) = self.advance(action)?;
        Ok(self.time_step_into(kind, reward, discount, pixels_out))
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
        self.apply(&OverrideKind::PhysicsState {
            qpos: qpos.to_vec(),
            qvel: qvel.to_vec(),
        })
    }

    fn set_target(&mut self, target: [f64; 2]) -> Result<(), EnvError> {
        self.apply(&OverrideKind::Target(target))
    }

    /// The state is the reset stream at the start of the episode plus the actions since and
    /// every `set_physics_state` / `set_target` between them, each with the step it came
    /// before: replaying them through the deterministic simulator rebuilds the physics
    /// exactly, so no per-domain serialisation is needed (at most 1000 control steps,
    /// microseconds each).
    fn save_state(&self) -> EnvState {
        let mut w = Writer::default();
        w.u8(STATE_VERSION);
        w.u8(match self.status {
            Status::NotReset => 0,
            Status::Running => 1,
            Status::Over => 2,
        });
        w.rng(&self.episode_start_rng);
        w.rng(&self.rng);
        w.u32(self.episode_actions.len() as u32);
        for &a in &self.episode_actions {
            w.f32(a);
        }
        w.u32(self.episode_overrides.len() as u32);
        for o in &self.episode_overrides {
            w.u32(o.before_step);
            match &o.kind {
                OverrideKind::PhysicsState { qpos, qvel } => {
                    w.u8(0);
                    for values in [qpos, qvel] {
                        w.u32(values.len() as u32);
                        values.iter().for_each(|&v| w.f64(v));
                    }
                }
                OverrideKind::Target([x, y]) => {
                    w.u8(1);
                    w.f64(*x);
                    w.f64(*y);
                }
            }
        }
        EnvState {
            task: self.spec.task.clone(),
            bytes: w.0,
        }
    }

    fn load_state(&mut self, state: &EnvState) -> Result<(), EnvError> {
        check_task(&state.task, &self.spec.task)?;
        let mut r = Reader::new(&state.bytes);
        let version = r.u8("version")?;
        // Version 1 (before overrides were recorded) reads as version 2 without overrides.
        if version != STATE_VERSION && version != 1 {
            return Err(EnvError::InvalidState(format!(
                "saved state has format version {version}; this build reads {STATE_VERSION}"
            )));
        }
        let status = r.u8("status")?;
        let start = r.rng("episode-start generator")?;
        let current = r.rng("generator")?;
        let n = r.u32("action count")? as usize;
        let a = self.ctrl.len();
        if !n.is_multiple_of(a) || n / a > self.spec.steps_per_episode as usize {
            return Err(EnvError::InvalidState(format!(
                "{n} saved action values do not fit `{}`",
                self.spec.task
            )));
        }
        let mut actions = Vec::with_capacity(n);
        for _ in 0..n {
            actions.push(r.f32("actions")?);
        }
        let overrides = if version == 1 {
            Vec::new()
        } else {
            read_overrides(&mut r, n / a)?
        };
        r.finish()?;
        if status == 0 {
            self.rng = current;
            self.status = Status::NotReset;
            return Ok(());
        }
        self.rng = start;
        self.begin_episode(None);
        let mut pending = overrides.iter().peekable();
        for (step, action) in actions.chunks_exact(a).enumerate() {
            while let Some(o) = pending.next_if(|o| o.before_step as usize == step) {
                self.apply(&o.kind)?;
            }
            self.advance(action)?;
        }
        for o in pending {
            self.apply(&o.kind)?;
        }
        if self.rng.to_bytes() != current.to_bytes() {
            return Err(EnvError::InvalidState(
                "replaying the saved episode did not reproduce its generator state".into(),
            ));
        }
        Ok(())
    }
}

impl<T: Task> ControlEnv<T> {
    /// Writes `kind` into the simulator and, during an episode, records it for `save_state`.
    fn apply(&mut self, kind: &OverrideKind) -> Result<(), EnvError> {
        match kind {
            OverrideKind::PhysicsState { qpos, qvel } => self
                .physics
                .set_state(qpos, qvel)
                .map_err(|e| EnvError::InvalidState(e.to_string()))?,
            OverrideKind::Target(target) => self.task.set_target(&mut self.physics, *target)?,
        }
        if self.status != Status::NotReset {
            let before_step = (self.episode_actions.len() / self.ctrl.len().max(1)) as u32;
            self.episode_overrides.push(Override {
                before_step,
                kind: kind.clone(),
            });
        }
        Ok(())
    }
}

/// A state written into an episode from outside (validation, traces, curricula).
#[derive(Clone, Debug)]
struct Override {
    /// Control steps taken in the episode before it was written.
    before_step: u32,
    kind: OverrideKind,
}

#[derive(Clone, Debug)]
enum OverrideKind {
    PhysicsState { qpos: Vec<f64>, qvel: Vec<f64> },
    Target([f64; 2]),
}

/// Reads the overrides of a version-2 state of an episode with `steps` control steps.
fn read_overrides(r: &mut Reader<'_>, steps: usize) -> Result<Vec<Override>, EnvError> {
    let count = r.u32("override count")? as usize;
    let mut out = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let before_step = r.u32("override step")?;
        if before_step as usize > steps
            || out
                .last()
                .is_some_and(|o: &Override| o.before_step > before_step)
        {
            return Err(EnvError::InvalidState(format!(
                "override before step {before_step} is out of order or past the {steps} saved steps"
            )));
        }
        let kind = match r.u8("override kind")? {
            0 => {
                let mut vectors = [Vec::new(), Vec::new()];
                for (v, what) in vectors.iter_mut().zip(["qpos", "qvel"]) {
                    let len = r.u32(what)? as usize;
                    for _ in 0..len {
                        v.push(r.f64(what)?);
                    }
                }
                let [qpos, qvel] = vectors;
                OverrideKind::PhysicsState { qpos, qvel }
            }
            1 => OverrideKind::Target([r.f64("target x")?, r.f64("target y")?]),
            k => return Err(EnvError::InvalidState(format!("unknown override kind {k}"))),
        };
        out.push(Override { before_step, kind });
    }
    Ok(out)
}

/// Format version of [`ControlEnv`]'s saved state (2: with the overrides of the episode).
const STATE_VERSION: u8 = 2;
