//! `ocellus envs trace`: the native half of `scripts/validate_dmc.py`.
//!
//! Reads one JSON request on stdin:
//! `{"task", "seed", "qpos"?, "qvel"?, "target"?, "actions": [[..], ..]}`; resets the task
//! with the seed (the same draws as dm_control's `RandomState(seed)`), optionally overrides
//! the state and target, applies each action for one control step, and prints
//! `{"task", "initial": {qpos, qvel, observation}, "steps": [{qpos, qvel, reward, observation}]}`.
//! With `"frames": {"size": N, "at": [k, ..]}` it also renders N × N frames of the states after
//! steps k (0 = the initial state) and adds `"frames": [{"step", "pixels"}]`, pixels as the hex
//! of the CHW `u8` frame (used by `scripts/compare_frames.py`).

use std::io::Read;

use anyhow::{Context, Result};
use ocellus_envs::{EnvBuilder, Environment};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    task: String,
    seed: u32,
    qpos: Option<Vec<f64>>,
    qvel: Option<Vec<f64>>,
    target: Option<[f64; 2]>,
    actions: Vec<Vec<f32>>,
    frames: Option<FramesRequest>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FramesRequest {
    size: usize,
    at: Vec<usize>,
}

#[derive(Serialize)]
struct Frame {
    step: usize,
    pixels: String,
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[derive(Serialize)]
struct State {
    qpos: Vec<f64>,
    qvel: Vec<f64>,
    observation: Vec<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reward: Option<f64>,
}

#[derive(Serialize)]
struct Response {
    task: String,
    initial: State,
    steps: Vec<State>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    frames: Vec<Frame>,
}

pub fn run() -> Result<()> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the request from stdin")?;
    let request: Request = serde_json::from_str(&input).context("parsing the trace request")?;
    let builder = EnvBuilder::new(&request.task);
    let mut env = match &request.frames {
        Some(f) => builder.size(f.size, f.size).build()?,
        None => builder.without_pixels().build()?,
    };
    let wanted = |t: usize| request.frames.as_ref().is_some_and(|f| f.at.contains(&t));
    let mut frames = Vec::new();
    env.reset(Some(request.seed));
    let (qpos0, qvel0) = env.physics_state();
    let qpos = request.qpos.unwrap_or(qpos0);
    let qvel = request.qvel.unwrap_or(qvel0);
    env.set_physics_state(&qpos, &qvel)
        .context("overriding the initial state")?;
    if let Some(target) = request.target {
        env.set_target(target).context("overriding the target")?;
    }
    let snapshot = |env: &mut Box<dyn Environment>, reward| {
        let observation = env.observe().state.to_vec();
        let (qpos, qvel) = env.physics_state();
        State {
            qpos,
            qvel,
            observation,
            reward,
        }
    };
    let initial = snapshot(&mut env, None);
    if wanted(0) {
        frames.push(Frame {
            step: 0,
            pixels: hex(env.observe().pixels),
        });
    }
    let mut steps = Vec::with_capacity(request.actions.len());
    for (t, action) in request.actions.iter().enumerate() {
        let reward = env
            .step(action)
            .with_context(|| format!("step {t}"))?
            .reward;
        steps.push(snapshot(&mut env, Some(reward)));
        if wanted(t + 1) {
            frames.push(Frame {
                step: t + 1,
                pixels: hex(env.observe().pixels),
            });
        }
    }
    let response = Response {
        task: request.task,
        initial,
        steps,
        frames,
    };
    println!("{}", serde_json::to_string(&response)?);
    Ok(())
}
