//! Action repeat and frame stacking, as DrQ-v2's `dmc.py` stacks them over dm_control.

use ocellus_core::StepKind;

use crate::env::{forward_physics_access, EnvSpec, EnvState, Environment, TimeStep, Visuals};
use crate::state_codec::{check_task, Reader, Writer};
use crate::EnvError;

/// Repeats each action for `repeat` inner steps and sums their rewards (DrQ-v2's
/// `ActionRepeatWrapper`). Only the last inner step is rendered; if the episode ends early the
/// repetition stops there.
pub struct ActionRepeat<E> {
    inner: E,
    repeat: u32,
    spec: EnvSpec,
}

impl<E: Environment> ActionRepeat<E> {
    /// Wraps `inner`; `repeat` must be at least 1.
    pub fn new(inner: E, repeat: u32) -> Result<Self, EnvError> {
        if repeat == 0 {
            return Err(EnvError::InvalidOption {
                name: "action_repeat",
                value: "0".into(),
                reason: "must be at least 1",
            });
        }
        let mut spec = inner.spec().clone();
        spec.frames_per_step *= repeat;
        spec.steps_per_episode = spec.steps_per_episode.div_ceil(repeat);
        spec.step_seconds *= f64::from(repeat);
        Ok(ActionRepeat {
            inner,
            repeat,
            spec,
        })
    }
}

impl<E: Environment> Environment for ActionRepeat<E> {
    fn spec(&self) -> &EnvSpec {
        &self.spec
    }
    fn reset(&mut self, seed: Option<u32>) -> TimeStep<'_> {
        self.inner.reset(seed)
    }
    fn step(&mut self, action: &[f32]) -> Result<TimeStep<'_>, EnvError> {
        let (mut reward, mut discount) = (0.0, 1.0);
        for _ in 1..self.repeat {
            let (kind, r, d) = self.inner.step_unrendered(action)?;
            reward += r;
            discount *= d;
            if kind.is_last() {
                let ts = self.inner.observe();
                return Ok(TimeStep {
                    kind,
                    reward,
                    discount,
                    ..ts
                });
            }
        }
        let ts = self.inner.step(action)?;
        Ok(TimeStep {
            reward: reward + ts.reward,
            discount: discount * ts.discount,
            ..ts
        })
    }
    fn reset_into(&mut self, seed: Option<u32>, pixels_out: &mut [u8]) -> TimeStep<'_> {
        self.inner.reset_into(seed, pixels_out)
    }
    fn step_into(
        &mut self,
        action: &[f32],
        pixels_out: &mut [u8],
    ) -> Result<TimeStep<'_>, EnvError> {
        let (mut reward, mut discount) = (0.0, 1.0);
        for _ in 1..self.repeat {
            let (kind, r, d) = self.inner.step_unrendered(action)?;
            reward += r;
            discount *= d;
            if kind.is_last() {
                let ts = self.inner.observe();
                pixels_out.copy_from_slice(ts.pixels);
                return Ok(TimeStep {
                    kind,
                    reward,
                    discount,
                    pixels: &[],
                    ..ts
                });
            }
        }
        let ts = self.inner.step_into(action, pixels_out)?;
        Ok(TimeStep {
            reward: reward + ts.reward,
            discount: discount * ts.discount,
            ..ts
        })
    }
    fn step_unrendered(&mut self, action: &[f32]) -> Result<(StepKind, f64, f64), EnvError> {
        let (mut reward, mut discount) = (0.0, 1.0);
        for _ in 0..self.repeat {
            let (kind, r, d) = self.inner.step_unrendered(action)?;
            reward += r;
            discount *= d;
            if kind.is_last() {
                return Ok((kind, reward, discount));
            }
        }
        Ok((StepKind::Mid, reward, discount))
    }
    fn observe(&mut self) -> TimeStep<'_> {
        self.inner.observe()
    }
    fn set_visuals(&mut self, visuals: &Visuals) {
        self.inner.set_visuals(visuals)
    }
    forward_physics_access!();
    fn save_state(&self) -> EnvState {
        self.inner.save_state()
    }
    fn load_state(&mut self, state: &EnvState) -> Result<(), EnvError> {
        self.inner.load_state(state)
    }
}

/// Stacks the last `k` frames along the channel axis, oldest first: `[3k, H, W]` (DrQ-v2's
/// `FrameStackWrapper`). At reset the first frame fills every slot. The state observation is
/// passed through unstacked.
///
/// Replay buffers should store single frames and rebuild stacks when sampling; this wrapper is
/// for evaluation, videos and on-policy use.
pub struct FrameStack<E> {
    inner: E,
    frame_len: usize,
    stack: Vec<u8>,
    spec: EnvSpec,
}

impl<E: Environment> FrameStack<E> {
    /// Wraps `inner`, which must render pixels; `k` must be at least 1.
    pub fn new(inner: E, k: usize) -> Result<Self, EnvError> {
        let Some(pixels) = inner.spec().pixels.clone() else {
            return Err(EnvError::InvalidOption {
                name: "frame_stack",
                value: k.to_string(),
                reason: "frame stacking needs an environment that renders pixels",
            });
        };
        if k == 0 {
            return Err(EnvError::InvalidOption {
                name: "frame_stack",
                value: "0".into(),
                reason: "must be at least 1",
            });
        }
        let frame_len = pixels.num_elements();
        let mut spec = inner.spec().clone();
        let mut stacked = pixels;
        stacked.shape[0] *= k;
        spec.pixels = Some(stacked);
        Ok(FrameStack {
            inner,
            frame_len,
            stack: vec![0; k * frame_len],
            spec,
        })
    }

    fn push(stack: &mut [u8], frame: &[u8], frame_len: usize) {
        stack.copy_within(frame_len.., 0);
        let start = stack.len() - frame_len;
        stack[start..].copy_from_slice(frame);
    }
}

impl<E: Environment> Environment for FrameStack<E> {
    fn spec(&self) -> &EnvSpec {
        &self.spec
    }
    fn reset(&mut self, seed: Option<u32>) -> TimeStep<'_> {
        let ts = self.inner.reset(seed);
        for slot in self.stack.chunks_exact_mut(self.frame_len) {
            slot.copy_from_slice(ts.pixels);
        }
        TimeStep {
            pixels: &self.stack,
            ..ts
        }
    }
    fn step(&mut self, action: &[f32]) -> Result<TimeStep<'_>, EnvError> {
        let ts = self.inner.step(action)?;
        Self::push(&mut self.stack, ts.pixels, self.frame_len);
        Ok(TimeStep {
            pixels: &self.stack,
            ..ts
        })
    }
    fn step_unrendered(&mut self, action: &[f32]) -> Result<(StepKind, f64, f64), EnvError> {
        // The skipped frame still enters the stack, so stacks always hold consecutive steps.
        let ts = self.inner.step(action)?;
        Self::push(&mut self.stack, ts.pixels, self.frame_len);
        Ok((ts.kind, ts.reward, ts.discount))
    }
    fn observe(&mut self) -> TimeStep<'_> {
        let ts = self.inner.observe();
        TimeStep {
            pixels: &self.stack,
            ..ts
        }
    }
    fn set_visuals(&mut self, visuals: &Visuals) {
        self.inner.set_visuals(visuals)
    }
    forward_physics_access!();
    /// The inner state plus the stacked frames (older frames cannot be re-rendered).
    fn save_state(&self) -> EnvState {
        let inner = self.inner.save_state();
        let mut w = Writer::default();
        w.bytes(&inner.bytes);
        w.bytes(&self.stack);
        EnvState {
            task: inner.task,
            bytes: w.0,
        }
    }
    fn load_state(&mut self, state: &EnvState) -> Result<(), EnvError> {
        check_task(&state.task, &self.spec.task)?;
        let mut r = Reader::new(&state.bytes);
        let inner = r.bytes("inner state")?.to_vec();
        let stack = r.bytes("frame stack")?;
        r.finish()?;
        if stack.len() != self.stack.len() {
            return Err(EnvError::InvalidState(format!(
                "saved frame stack has {} bytes; this stack holds {}",
                stack.len(),
                self.stack.len()
            )));
        }
        self.inner.load_state(&EnvState {
            task: state.task.clone(),
            bytes: inner,
        })?;
        self.stack.copy_from_slice(stack);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_keeps_oldest_first() {
        let mut stack = vec![1, 1, 2, 2, 3, 3];
        FrameStack::<Box<dyn Environment>>::push(&mut stack, &[4, 4], 2);
        assert_eq!(stack, vec![2, 2, 3, 3, 4, 4]);
    }
}
