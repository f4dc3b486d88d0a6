//! What training and offline evaluation share: opening the task's environment and the run's
//! agent, acting, and running one deterministic evaluation episode.

use ocellus_agents::{build_agent, Agent};
use ocellus_core::{AgentSteps, StepKind};
use ocellus_envs::{EnvBuilder, Environment};
use tch::Tensor;

use crate::config::TrainConfig;
use crate::error::TrainError;

/// Action values at which [`trace`](crate::evaluate_run)s evaluate Q along each action
/// dimension.
pub(crate) const Q_SWEEP: [f32; 5] = [-1.0, -0.5, 0.0, 0.5, 1.0];

/// One agent step of a traced evaluation episode.
#[derive(Clone, Debug)]
pub(crate) struct TraceStep {
    /// Agent step within the episode, from 0.
    pub step: u32,
    /// The environment's state observation before the action.
    pub state: Vec<f64>,
    /// The (mean) action taken.
    pub action: Vec<f32>,
    /// Q at `action`, then per action dimension Q at each value of [`Q_SWEEP`].
    pub q: Vec<f32>,
    /// The reward of the step (summed over the action repeat).
    pub reward: f64,
}

/// A run's environment builder and freshly built agent, with the shapes that connect them.
pub(crate) struct Session {
    /// Builds environments of the run's task, size, action repeat and frame stack.
    pub(crate) builder: EnvBuilder,
    /// The first environment the builder built (its spec gave the shapes).
    pub(crate) env: Box<dyn Environment>,
    /// `[C·k, H, W]` of a stacked observation.
    pub(crate) obs_shape: [i64; 3],
    /// `[C, H, W]` of one frame.
    pub(crate) frame_shape: [usize; 3],
    /// Bytes of one frame `C·H·W` (the newest `frame_len` bytes of a stacked observation).
    pub(crate) frame_len: usize,
    /// Action components.
    pub(crate) action_dim: usize,
    /// The agent `run.agent`, initialised from `run.seed` on `run.device`.
    pub(crate) agent: Box<dyn Agent>,
}

impl Session {
    /// The environment builder and the agent of `config` (libtorch's thread count set first).
    pub(crate) fn open(config: &TrainConfig) -> Result<Self, TrainError> {
        let e = &config.env;
        let builder = EnvBuilder::new(&config.run.task)
            .size(e.image_size, e.image_size)
            .action_repeat(e.action_repeat)
            .frame_stack(e.frame_stack);
        let env = builder.build()?;
        let spec = env.spec().clone();
        let pixels = spec.pixels.clone().expect("the builder renders pixels");
        let obs_shape = [
            pixels.shape[0] as i64,
            pixels.shape[1] as i64,
            pixels.shape[2] as i64,
        ];
        let channels = pixels.shape[0] / e.frame_stack;
        let frame_shape = [channels, pixels.shape[1], pixels.shape[2]];
        let action_dim = spec.action.num_elements();
        apply_threads(&config.run);
        let agent = build_agent(
            &config.raw.run.agent,
            config.agent.clone(),
            obs_shape,
            action_dim as i64,
            config.run.device,
            config.run.seed,
        )?;
        Ok(Session {
            builder,
            env,
            obs_shape,
            frame_shape,
            frame_len: frame_shape.iter().product(),
            action_dim,
            agent,
        })
    }
}

/// Sets libtorch's intra-op thread count from `run.threads` (a process-wide setting; `None`
/// leaves libtorch's default).
fn apply_threads(run: &crate::RunConfig) {
    if let Some(n) = run.threads {
        tch::set_num_threads(n as i32);
    }
}

/// The agent's action for one stacked observation `[C·k, H, W]`.
pub(crate) fn policy_action(
    agent: &mut dyn Agent,
    obs: &[u8],
    shape: [i64; 3],
    agent_steps: AgentSteps,
    eval_mode: bool,
) -> Vec<f32> {
    let obs = Tensor::from_slice(obs).view(shape); // [C·k, H, W] u8
    let action = agent.act(&obs, agent_steps, eval_mode); // [1, A] f32
    Vec::<f32>::try_from(action.view([-1])).expect("a 1-d f32 action converts")
}

/// What an evaluation episode records besides its return.
pub(crate) struct EpisodeRecorders<'a> {
    /// Receives each newest frame, the reset frame first (the evaluation video).
    pub(crate) video: Option<&'a mut Vec<Vec<u8>>>,
    /// Receives one [`TraceStep`] per agent step (state before the action, the action, the
    /// critic's Q-sweep, the reward).
    pub(crate) trace: Option<&'a mut Vec<TraceStep>>,
}

/// One deterministic (mean-action) episode from `reset(Some(seed))`; returns its return and
/// feeds the `record`ers.
pub(crate) fn eval_episode(
    agent: &mut dyn Agent,
    env: &mut dyn Environment,
    seed: u32,
    obs_shape: [i64; 3],
    frame_len: usize,
    agent_steps: AgentSteps,
    record: EpisodeRecorders,
) -> Result<f64, TrainError> {
    let EpisodeRecorders {
        mut video,
        mut trace,
    } = record;
    let first = env.reset(Some(seed));
    let mut obs = first.pixels.to_vec();
    let mut state = first.state.to_vec();
    if let Some(v) = video.as_deref_mut() {
        v.push(obs[obs.len() - frame_len..].to_vec());
    }
    let mut ret = 0.0;
    let mut steps = 0;
    loop {
        let action = policy_action(agent, &obs, obs_shape, agent_steps, true);
        let q_sweep = trace
            .is_some()
            .then(|| q_sweep(agent, &obs, obs_shape, &action));
        let ts = env.step(&action)?;
        ret += ts.reward;
        obs.copy_from_slice(ts.pixels);
        steps += 1;
        if let (Some(t), Some(q)) = (trace.as_deref_mut(), q_sweep) {
            t.push(TraceStep {
                step: steps - 1,
                state: std::mem::replace(&mut state, ts.state.to_vec()),
                action,
                q,
                reward: ts.reward,
            });
        }
        if let Some(v) = video.as_deref_mut() {
            v.push(obs[obs.len() - frame_len..].to_vec());
        }
        if ts.kind.is_last() {
            return Ok(ret);
        }
        debug_assert_eq!(ts.kind, StepKind::Mid);
    }
}

/// The critic's Q (DrQ-v2: `min(Q1, Q2)`) at one observation (NaN without a critic): at `action`, then, for each action
/// dimension `d` in turn, at `action` with `a_d` replaced by each value of [`Q_SWEEP`].
fn q_sweep(agent: &dyn Agent, obs: &[u8], shape: [i64; 3], action: &[f32]) -> Vec<f32> {
    let dims = action.len();
    let mut candidates = action.to_vec();
    for d in 0..dims {
        for &v in &Q_SWEEP {
            let mut a = action.to_vec();
            a[d] = v;
            candidates.extend(a);
        }
    }
    let candidates = Tensor::from_slice(&candidates).view([-1, dims as i64]);
    let obs = Tensor::from_slice(obs).view(shape);
    match agent.q_values(&obs, &candidates) {
        Some(q) => Vec::<f32>::try_from(q).expect("a 1-d f32 tensor converts"),
        None => vec![f32::NAN; candidates.size()[0] as usize], // an agent without a critic
    }
}

/// Mean and population standard deviation (0 for fewer than two values).
pub(crate) fn mean_std(xs: &[f64]) -> (f64, f64) {
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}
