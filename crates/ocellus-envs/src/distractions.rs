//! Visual distractions for generalisation studies.
//!
//! In the spirit of the Distracting Control Suite (Stone et al. 2021, arXiv 2101.02722) and
//! the DMControl Generalization Benchmark (Hansen & Wang 2021, arXiv 2011.13389): colours of
//! floor, sky and bodies are perturbed per episode, the camera is jittered per episode, and
//! shapes drift across the background during the episode. The dynamics and rewards are
//! untouched; only pixels change. Everything is drawn from the wrapper's own generator,
//! re-seeded from the reset seed, so a seed fixes the distractions too.

use ocellus_core::{derive_seed, RandomState, StepKind};
use ocellus_render::{CameraOffset, Overlay, OverlayShape, Palette, Rgb};

use crate::env::{forward_physics_access, EnvSpec, EnvState, Environment, TimeStep, Visuals};
use crate::state_codec::{check_task, Reader, Writer};
use crate::EnvError;

/// Which distractions are on and how strong they are.
#[derive(Clone, Debug, PartialEq)]
pub struct DistractionConfig {
    /// Largest per-channel change of floor, sky and body colours (0 = off, 1 = any colour).
    pub color_shift: f32,
    /// Largest camera rotation per axis, radians (0 = off).
    pub camera_jitter: f64,
    /// Number of shapes drifting across the background (0 = off).
    pub moving_shapes: usize,
}

impl Default for DistractionConfig {
    /// A moderate setting: colours ±0.3, camera ±0.05 rad (about 3°), three shapes.
    fn default() -> Self {
        DistractionConfig {
            color_shift: 0.3,
            camera_jitter: 0.05,
            moving_shapes: 3,
        }
    }
}

impl DistractionConfig {
    fn validate(&self) -> Result<(), EnvError> {
        if !(0.0..=1.0).contains(&self.color_shift) {
            return Err(EnvError::InvalidOption {
                name: "color_shift",
                value: self.color_shift.to_string(),
                reason: "must lie in [0, 1]",
            });
        }
        if !(0.0..=0.5).contains(&self.camera_jitter) {
            return Err(EnvError::InvalidOption {
                name: "camera_jitter",
                value: self.camera_jitter.to_string(),
                reason: "must lie in [0, 0.5] radians",
            });
        }
        if self.moving_shapes > 32 {
            return Err(EnvError::InvalidOption {
                name: "moving_shapes",
                value: self.moving_shapes.to_string(),
                reason: "at most 32 shapes",
            });
        }
        Ok(())
    }
}

/// Salt that separates the distraction stream from the task's reset stream.
const DISTRACTION_STREAM: u64 = 0x00d1_57ac;

/// An environment whose pixels carry the configured distractions.
pub struct Distractions<E> {
    inner: E,
    config: DistractionConfig,
    rng: RandomState,
    /// The generator when this episode's visuals were drawn, and the drift steps since.
    episode_start_rng: RandomState,
    drift_steps: u32,
    visuals: Visuals,
    /// Per-shape velocity in image fractions per step.
    velocities: Vec<[f32; 2]>,
}

impl<E: Environment> Distractions<E> {
    /// Wraps `inner` (which should render pixels; without them this wrapper does nothing).
    pub fn new(inner: E, config: DistractionConfig) -> Result<Self, EnvError> {
        config.validate()?;
        Ok(Distractions {
            inner,
            config,
            rng: RandomState::new(derive_seed(DISTRACTION_STREAM, 0)),
            episode_start_rng: RandomState::new(derive_seed(DISTRACTION_STREAM, 0)),
            drift_steps: 0,
            visuals: Visuals::default(),
            velocities: Vec::new(),
        })
    }

    /// The visuals of the current episode.
    pub fn visuals(&self) -> &Visuals {
        &self.visuals
    }

    fn sample_episode(&mut self) {
        let shift = self.config.color_shift;
        let base = Palette::default();
        let rng = &mut self.rng;
        let mut jitter = |c: Rgb| -> Rgb {
            if shift == 0.0 {
                return c;
            }
            c.map(|x| (x + shift * (2.0 * rng.random_sample() as f32 - 1.0)).clamp(0.0, 1.0))
        };
        let palette = Palette {
            floor: [jitter(base.floor[0]), jitter(base.floor[1])],
            sky: jitter(base.sky),
            body: jitter(base.body),
            effector: jitter(base.effector),
            decoration: jitter(base.decoration),
            target: jitter(base.target),
        };
        let j = self.config.camera_jitter;
        let mut angle = || {
            if j == 0.0 {
                0.0
            } else {
                self.rng.uniform(-j, j)
            }
        };
        let camera_offset = CameraOffset {
            translation: [0.0; 3],
            yaw: angle(),
            pitch: angle(),
            roll: angle(),
        };
        let shapes = [
            OverlayShape::Disc,
            OverlayShape::Square,
            OverlayShape::Triangle,
        ];
        let mut overlays = Vec::with_capacity(self.config.moving_shapes);
        self.velocities.clear();
        for _ in 0..self.config.moving_shapes {
            let r = &mut self.rng;
            overlays.push(Overlay {
                shape: shapes[r.below(3) as usize],
                center: [r.random_sample() as f32, r.random_sample() as f32],
                radius: r.uniform(0.05, 0.15) as f32,
                color: [
                    r.random_sample() as f32,
                    r.random_sample() as f32,
                    r.random_sample() as f32,
                ],
                alpha: r.uniform(0.5, 1.0) as f32,
            });
            let speed = r.uniform(0.005, 0.02);
            let heading = r.uniform(0.0, std::f64::consts::TAU);
            self.velocities.push([
                (speed * heading.cos()) as f32,
                (speed * heading.sin()) as f32,
            ]);
        }
        self.visuals = Visuals {
            palette,
            camera_offset,
            overlays,
        };
    }

    /// Re-seeds (when given a seed), samples this episode's visuals and hands them down.
    fn begin_episode(&mut self, seed: Option<u32>) {
        if let Some(seed) = seed {
            self.rng = RandomState::new(derive_seed(DISTRACTION_STREAM, u64::from(seed) + 1));
        }
        self.episode_start_rng.clone_from(&self.rng);
        self.drift_steps = 0;
        self.sample_episode();
        self.inner.set_visuals(&self.visuals);
    }

    /// Moves every shape one step, bouncing off the image borders.
    fn drift(&mut self) {
        self.drift_steps += 1;
        for (o, v) in self.visuals.overlays.iter_mut().zip(&mut self.velocities) {
            for (c, dv) in o.center.iter_mut().zip(v.iter_mut()) {
                *c += *dv;
                if !(0.0..=1.0).contains(c) {
                    *dv = -*dv;
                    *c = c.clamp(0.0, 1.0);
                }
            }
        }
    }
}

impl<E: Environment> Environment for Distractions<E> {
    fn spec(&self) -> &EnvSpec {
        self.inner.spec()
    }
    fn reset(&mut self, seed: Option<u32>) -> TimeStep<'_> {
        self.begin_episode(seed);
        self.inner.reset(seed)
    }
    fn step(&mut self, action: &[f32]) -> Result<TimeStep<'_>, EnvError> {
        self.drift();
        self.inner.set_visuals(&self.visuals);
        self.inner.step(action)
    }
    fn reset_into(&mut self, seed: Option<u32>, pixels_out: &mut [u8]) -> TimeStep<'_> {
        self.begin_episode(seed);
        self.inner.reset_into(seed, pixels_out)
    }
    fn step_into(
        &mut self,
        action: &[f32],
        pixels_out: &mut [u8],
    ) -> Result<TimeStep<'_>, EnvError> {
        self.drift();
        self.inner.set_visuals(&self.visuals);
        self.inner.step_into(action, pixels_out)
    }
    fn step_unrendered(&mut self, action: &[f32]) -> Result<(StepKind, f64, f64), EnvError> {
        self.drift();
        self.inner.step_unrendered(action)
    }
    fn observe(&mut self) -> TimeStep<'_> {
        self.inner.set_visuals(&self.visuals);
        self.inner.observe()
    }
    fn set_visuals(&mut self, visuals: &Visuals) {
        self.visuals = visuals.clone();
        self.inner.set_visuals(visuals)
    }
    forward_physics_access!();
    /// This episode's distraction draw (generator and drift steps) plus the inner state.
    fn save_state(&self) -> EnvState {
        let inner = self.inner.save_state();
        let mut w = Writer::default();
        w.rng(&self.episode_start_rng);
        w.u32(self.drift_steps);
        w.bytes(&inner.bytes);
        EnvState {
            task: inner.task,
            bytes: w.0,
        }
    }
    fn load_state(&mut self, state: &EnvState) -> Result<(), EnvError> {
        check_task(&state.task, &self.inner.spec().task)?;
        let mut r = Reader::new(&state.bytes);
        let start = r.rng("distraction generator")?;
        let drift_steps = r.u32("drift steps")?;
        let inner = r.bytes("inner state")?.to_vec();
        r.finish()?;
        self.inner.load_state(&EnvState {
            task: state.task.clone(),
            bytes: inner,
        })?;
        self.rng = start;
        self.episode_start_rng.clone_from(&self.rng);
        self.sample_episode();
        self.drift_steps = 0;
        for _ in 0..drift_steps {
            self.drift();
        }
        self.inner.set_visuals(&self.visuals);
        Ok(())
    }
}
