//! The RLVR loop, read top to bottom: a supervised warm start, then GRPO-family updates.
//!
//! **Warm start** (the cold start of every seed paper, e.g. MGPO's fixed two-round template):
//! maximise the log-likelihood of demonstration responses (the gold answer in the task's format;
//! with the crop tool, a crop of the region that matters, then the answer), averaged over the
//! demonstration's policy tokens.
//!
//! **One RL step** (DeepSeekMath §4.1 outcome supervision, with the objective chosen from
//! `ocellus-grpo`):
//! 1. draw `N` prompts from the training stream and sample `G` responses to each with the current
//!    policy (`π_old = π_θ`: one update per batch, so the sampler's log-probs are `π_old`);
//! 2. score every response with the task's verifier plus the format verifier
//!    ([`RewardRecipe`]), giving rewards `[N, G]`;
//! 3. advantages from the algorithm: GRPO / DAPO / GSPO z-score within the group
//!    ([`grpo_advantages`], verl's ε = 1e-6), Dr.GRPO mean-only ([`dr_grpo_advantages`]),
//!    EMA-GRPO's per-task EMA std ([`TaskEmaStd`], OneThinker; its state is checkpointed); DAPO
//!    drops groups whose rewards are all equal ([`dapo_keep_groups`]);
//! 4. per group: recompute log π_θ of the responses ([`group_logprobs`]), the frozen reference's
//!    (when the KL term is on), and [`policy_loss`] on the policy-token mask; each group's loss is
//!    scaled by [`micro_batch_weight`] so that the accumulated gradient is that of the whole
//!    batch's loss, then back-propagated (gradient accumulation, one group at a time);
//! 5. clip the global gradient norm and take one Adam step.
//!
//! Every random draw (model init, data order, token sampling) comes from the run seed; the
//! sampler's generator, the data position, the optimiser and the reference are checkpointed, so
//! a resumed run continues bit for bit.

use std::time::Instant;

use ocellus_grpo::{
    dapo_keep_groups, dr_grpo_advantages, grpo_advantages, micro_batch_weight, policy_loss,
    EmaGrpoConfig, KlEstimator, KlPenalty, LossConfig, LossInputs, TaskEmaStd, VERL_STD_EPS,
};
use ocellus_nn::{Adam, AdamConfig, Rng};
use ocellus_policy::{
    group_logprobs, prompted_logprobs, sample_group, GroupTensors, Policy, PromptedBatch, Rollout,
    SamplingConfig,
};
use ocellus_rewards::group::{GroupScores, RewardRecipe};
use ocellus_tasks::{Difficulty, TaskInfo};
use ocellus_vlm::Vlm;
use tch::{Kind, Tensor};

use crate::config::RlvrConfig;
use crate::episode::{focus_box, Episode, TaskStream};
use crate::error::RlvrError;

/// Where a run is.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Counters {
    /// Steps done (warm start and RL together): the x axis of every log.
    pub step: u64,
    /// Training samples drawn so far (the next one is this index of the training stream).
    pub samples: u64,
    /// Policy tokens sampled during RL.
    pub sampled_tokens: u64,
}

/// What one step measured (logged as one row).
pub type StepMetrics = Vec<(&'static str, f64)>;

/// A policy with its optimiser, reference and data stream: the whole trainable state.
pub struct Trainer {
    /// The run's configuration.
    pub config: RlvrConfig,
    /// The policy being trained.
    pub policy: Vlm,
    /// The frozen warm-start policy of the KL term (built when RL starts, if the loss needs it).
    pub reference: Option<Vlm>,
    /// Adam over the policy's parameters.
    pub adam: Adam,
    /// The sampler's generator.
    pub rng: Rng,
    /// Progress.
    pub counters: Counters,
    pub(crate) task: &'static TaskInfo,
    pub(crate) train: TaskStream,
    pub(crate) held_out: TaskStream,
    recipe: RewardRecipe,
    loss: LossConfig,
    /// EMA-GRPO's per-task reward statistics (`grpo.algo = "ema_grpo"`), checkpointed.
    pub ema: Option<TaskEmaStd>,
}

/// The accuracy threshold of a verifier: IoU ≥ 0.5 counts as a hit for boxes (REC Acc@0.5, as
/// VLM-R1 and UniVG-R1 report), full credit otherwise.
pub fn hit(verifier: &str, score: f64, correct: bool) -> bool {
    match verifier {
        "iou" => score >= 0.5,
        _ => correct,
    }
}

impl Trainer {
    /// A trainer around `policy` (freshly built or loaded) for `config`.
    ///
    /// # Errors
    /// An unknown task or verifier.
    pub fn new(config: RlvrConfig, policy: Vlm) -> Result<Trainer, RlvrError> {
        config.validate()?;
        let task =
            ocellus_tasks::task(&config.task.name).map_err(|e| RlvrError::Config(e.to_string()))?;
        let difficulty = Difficulty::new(config.task.difficulty)
            .map_err(|e| RlvrError::Config(e.to_string()))?;
        let format = (!config.reward.format.is_empty())
            .then_some((config.reward.format.as_str(), config.reward.format_weight));
        let recipe = RewardRecipe::new(task.verifier, format)?;
        let loss = loss_config(&config);
        loss.validate()?;
        let adam = Adam::new(policy.vars(), AdamConfig::with_lr(config.warm_start.lr));
        Ok(Trainer {
            train: TaskStream::train(task, difficulty, config.run.seed),
            held_out: TaskStream::held_out(task, difficulty),
            rng: Rng::new(config.run.seed, 0x726c_7672), // "rlvr"
            counters: Counters::default(),
            reference: None,
            adam,
            task,
            recipe,
            loss,
            ema: (config.grpo.algo == "ema_grpo")
                .then(|| TaskEmaStd::new(EmaGrpoConfig::default()))
                .transpose()?,
            policy,
            config,
        })
    }

    /// Whether the warm start is over.
    pub fn in_rl(&self) -> bool {
        self.counters.step >= self.config.warm_start.steps
    }

    /// Whether prompts put the question before the image: `model.image_after_text` for the
    /// small policy; a loaded model keeps the layout it was trained with (the task's).
    fn image_after_text(&self) -> bool {
        self.config.model.image_after_text && self.config.model.dir.is_empty()
    }

    fn crop(&self) -> Option<usize> {
        (self.config.tool.kind == "crop").then_some(self.config.tool.min_size)
    }

    fn sampling(&self, greedy: bool) -> SamplingConfig {
        SamplingConfig {
            temperature: if greedy {
                0.0
            } else {
                self.config.sampling.temperature
            },
            top_p: self.config.sampling.top_p,
            max_response_tokens: self.config.sampling.max_response_tokens,
            max_turns: self.config.tool.max_turns,
        }
    }

    fn next_episode(&mut self) -> Result<Episode, RlvrError> {
        let sample = self.train.sample(self.counters.samples);
        self.counters.samples += 1;
        Episode::with_layout(&self.policy, sample, self.crop(), self.image_after_text())
    }

    /// One step: a warm-start step or an RL step, depending on where the run is.
    ///
    /// # Errors
    /// A model, sampling or objective error.
    pub fn step(&mut self) -> Result<StepMetrics, RlvrError> {
        let metrics = if self.in_rl() {
            if self.counters.step == self.config.warm_start.steps {
                self.start_rl()?;
            }
            self.rl_step()?
        } else {
            self.warm_start_step()?
        };
        self.counters.step += 1;
        Ok(metrics)
    }

    /// RL begins: a fresh optimiser at the RL learning rate, and the frozen reference.
    fn start_rl(&mut self) -> Result<(), RlvrError> {
        self.adam.reset_state();
        self.adam.config.lr = self.config.grpo.lr;
        if self.loss.kl.is_some() && self.reference.is_none() {
            self.reference = Some(self.frozen_copy()?);
        }
        Ok(())
    }

    /// A copy of the policy that no optimiser touches.
    ///
    /// # Errors
    /// Only if the policy's own config or weights were inconsistent.
    pub fn frozen_copy(&self) -> Result<Vlm, RlvrError> {
        let tok = self.policy.tokenizer().clone();
        let mut copy = Vlm::zeros(self.policy.config().clone(), tok, self.policy.device())?;
        let weights = self
            .policy
            .weights()
            .into_iter()
            .map(|(n, t)| (n, t.detach().copy()))
            .collect();
        copy.load_weights(weights)?;
        copy.vars_mut().freeze();
        Ok(copy)
    }

    /// One supervised step on `warm_start.batch` demonstrations.
    fn warm_start_step(&mut self) -> Result<StepMetrics, RlvrError> {
        let start = Instant::now();
        let batch = self.config.warm_start.batch;
        let mut total_tokens = 0usize;
        let mut demos = Vec::with_capacity(batch);
        for _ in 0..batch {
            let ep = self.next_episode()?;
            let focus = ep
                .tool
                .as_ref()
                .map(|_| focus_box(&ep.sample, ep.image.width, ep.image.height));
            let demo = ep.demonstration(&self.policy, focus)?;
            total_tokens += demo.policy_tokens();
            demos.push((ep, demo));
        }
        // One forward of the whole batch; token mean over the batch's policy tokens.
        let rows: Vec<(&ocellus_policy::Prompt, &Rollout)> =
            demos.iter().map(|(ep, d)| (&ep.prompt, d)).collect();
        let batch = PromptedBatch::new(&rows, self.policy.chat().pad, self.policy.device())?;
        let logp = prompted_logprobs(&self.policy, &batch, 1.0)?;
        let nll = -(logp * &batch.responses.mask).sum(Kind::Float);
        (&nll / total_tokens.max(1) as f64).backward();
        let nll_sum = nll.double_value(&[]);
        let grad_norm = self.optimiser_step(self.config.grpo.max_grad_norm);
        Ok(vec![
            ("phase", 0.0),
            ("nll", nll_sum / total_tokens.max(1) as f64),
            ("grad_norm", grad_norm),
            ("step_seconds", start.elapsed().as_secs_f64()),
        ])
    }

    /// Clips the accumulated gradients to `max_norm` (0: no clip), steps Adam and clears the
    /// gradients; returns the norm before clipping.
    fn optimiser_step(&mut self, max_norm: f64) -> f64 {
        let params = self.adam.param_tensors();
        let grads: Vec<Tensor> = params
            .iter()
            .map(|p| {
                let g = p.grad();
                if g.defined() {
                    g
                } else {
                    p.zeros_like()
                }
            })
            .collect();
        let norm = tch::no_grad(|| {
            let sq: Vec<Tensor> = grads
                .iter()
                .map(|g| g.pow_tensor_scalar(2).sum(Kind::Float))
                .collect();
            Tensor::stack(&sq, 0)
                .sum(Kind::Float)
                .sqrt()
                .double_value(&[])
        });
        if max_norm > 0.0 && norm > max_norm {
            let scale = max_norm / (norm + 1e-6); // torch.nn.utils.clip_grad_norm_
            tch::no_grad(|| {
                for g in &grads {
                    let _ = g.shallow_clone().g_mul_scalar_(scale);
                }
            });
        }
        self.adam.step(&grads);
        tch::no_grad(|| {
            for p in &params {
                let mut g = p.grad();
                if g.defined() {
                    let _ = g.zero_();
                }
            }
        });
        norm
    }

    /// Samples a group per prompt and scores it (no gradients).
    fn rollouts(
        &mut self,
        episodes: &[Episode],
        cfg: &SamplingConfig,
        group: usize,
    ) -> Result<Vec<(Vec<Rollout>, GroupScores)>, RlvrError> {
        episodes
            .iter()
            .map(|ep| {
                let rollouts = sample_group(
                    &self.policy,
                    &ep.prompt,
                    group,
                    cfg,
                    &mut self.rng,
                    ep.tool(),
                )?;
                let texts: Vec<&str> = rollouts.iter().map(Rollout::final_text).collect();
                let scores = self.recipe.score_group(&texts, &ep.sample.gold);
                Ok((rollouts, scores))
            })
            .collect()
    }

    /// One RL update (see the module docs).
    fn rl_step(&mut self) -> Result<StepMetrics, RlvrError> {
        let start = Instant::now();
        let g = self.config.grpo.group_size;
        let episodes: Vec<Episode> = (0..self.config.grpo.prompts_per_step)
            .map(|_| self.next_episode())
            .collect::<Result<_, _>>()?;
        let cfg = self.sampling(false);
        let groups = self.rollouts(&episodes, &cfg, g)?;
        let sample_seconds = start.elapsed().as_secs_f64();
        let policy_tokens: usize = groups
            .iter()
            .flat_map(|(r, _)| r.iter().map(Rollout::policy_tokens))
            .sum();
        self.counters.sampled_tokens += policy_tokens as u64;

        // Rewards [N, G]; a row whose gold answer is unreadable is dropped from the loss.
        let n = groups.len();
        let mut rewards = Vec::with_capacity(n * g);
        let mut row_ok = Vec::with_capacity(n * g);
        for (_, scores) in &groups {
            for r in scores.rewards() {
                rewards.push(r.unwrap_or(0.0) as f32);
                row_ok.push(r.is_some());
            }
        }
        let reward_t = Tensor::from_slice(&rewards).reshape([n as i64, g as i64]);
        let adv = match (self.config.grpo.algo.as_str(), self.ema.as_mut()) {
            ("dr_grpo", _) => dr_grpo_advantages(&reward_t)?,
            ("ema_grpo", Some(ema)) => {
                let tasks = vec![self.task.name; n];
                ema.advantages(&reward_t, &tasks)?.advantages
            }
            _ => grpo_advantages(&reward_t, VERL_STD_EPS)?,
        };
        let keep: Vec<usize> = if self.config.grpo.algo == "dapo" {
            dapo_keep_groups(&reward_t)?
                .into_iter()
                .map(|i| i as usize)
                .collect()
        } else {
            (0..n).collect()
        };
        let adv: Vec<f32> = Vec::<f32>::try_from(&adv.reshape([-1]))?;

        // Global counts for the micro-batch weights.
        let mut total_tokens = 0usize;
        let mut total_rows = 0usize;
        for &k in &keep {
            for (j, r) in groups[k].0.iter().enumerate() {
                if row_ok[k * g + j] {
                    total_tokens += r.policy_tokens();
                    total_rows += 1;
                }
            }
        }
        let temperature = self.config.sampling.temperature;
        let mut m = MetricSums::default();
        for &k in &keep {
            let (rollouts, _) = &groups[k];
            let rows: Vec<&Rollout> = rollouts.iter().collect();
            let device = self.policy.device();
            let mut tensors = GroupTensors::new(&rows, self.policy.chat().pad, device)?;
            let row_mask: Vec<f32> = (0..g)
                .map(|j| f32::from(u8::from(row_ok[k * g + j])))
                .collect();
            tensors.mask =
                &tensors.mask * Tensor::from_slice(&row_mask).unsqueeze(1).to_device(device);
            let group_tokens: usize = (0..g)
                .filter(|&j| row_ok[k * g + j])
                .map(|j| rows[j].policy_tokens())
                .sum();
            let group_rows = row_ok[k * g..(k + 1) * g].iter().filter(|&&ok| ok).count();
            if group_rows == 0 {
                continue;
            }
            let ep = &episodes[k];
            let lp = group_logprobs(&self.policy, &ep.prompt, &tensors, temperature, true)?;
            let ref_logp = match &self.reference {
                Some(r) if self.loss.kl.is_some() => Some(tch::no_grad(|| {
                    group_logprobs(r, &ep.prompt, &tensors, temperature, false).map(|l| l.logp)
                })?),
                _ => None,
            };
            let adv_g = Tensor::from_slice(&adv[k * g..(k + 1) * g]).to_device(device);
            let entropy = lp.entropy.as_ref().map(Tensor::detach);
            let mut inputs = LossInputs::new(&lp.logp, &tensors.old_logp, &adv_g, &tensors.mask);
            if let Some(r) = &ref_logp {
                inputs = inputs.with_ref_logp(r);
            }
            if let Some(h) = &entropy {
                inputs = inputs.with_entropy(h);
            }
            let out = policy_loss(&self.loss, &inputs)?;
            let w = micro_batch_weight(
                self.loss.aggregation,
                (group_tokens, group_rows),
                (total_tokens, total_rows),
            );
            (out.loss * w).backward();
            m.add(&out.metrics, group_tokens as f64);
        }
        let grad_norm = if keep.is_empty() {
            0.0
        } else {
            self.optimiser_step(self.config.grpo.max_grad_norm)
        };

        let verifier = self.task.verifier;
        let (mut hits, mut fmt, mut tool_calls, mut valid_calls, mut count) = (0, 0, 0, 0, 0usize);
        for (rollouts, scores) in &groups {
            for (r, c) in rollouts.iter().zip(&scores.completions) {
                count += 1;
                hits += usize::from(hit(verifier, c.accuracy.score(), c.accuracy.is_correct()));
                fmt += usize::from(c.format.as_ref().is_some_and(|f| f.is_correct()));
                tool_calls += r.tool_calls.0;
                valid_calls += r.tool_calls.1;
            }
        }
        let count_f = count.max(1) as f64;
        let zero_std = (0..n)
            .filter(|&k| {
                rewards[k * g..(k + 1) * g]
                    .iter()
                    .all(|&r| r == rewards[k * g])
            })
            .count();
        let elapsed = start.elapsed().as_secs_f64();
        Ok(vec![
            ("phase", 1.0),
            (
                "reward_mean",
                rewards.iter().map(|&r| f64::from(r)).sum::<f64>() / count_f,
            ),
            ("accuracy", hits as f64 / count_f),
            ("format_rate", fmt as f64 / count_f),
            ("response_length", policy_tokens as f64 / count_f),
            ("kl", m.mean(m.kl)),
            ("clip_frac", m.mean(m.clip)),
            ("entropy", m.mean(m.entropy)),
            ("pg_loss", m.mean(m.pg_loss)),
            ("grad_norm", grad_norm),
            ("zero_std_groups", zero_std as f64 / n.max(1) as f64),
            ("tool_calls", tool_calls as f64 / count_f),
            (
                "valid_tool_calls",
                valid_calls as f64 / tool_calls.max(1) as f64,
            ),
            (
                "tokens_per_s",
                policy_tokens as f64 / sample_seconds.max(1e-9),
            ),
            ("sample_seconds", sample_seconds),
            ("step_seconds", elapsed),
        ])
    }

    /// Greedy decoding on the held-out split: accuracy, mean reward, format rate, response
    /// length, tool use.
    ///
    /// # Errors
    /// A model or sampling error.
    pub fn evaluate(&mut self) -> Result<StepMetrics, RlvrError> {
        let start = Instant::now();
        let cfg = self.sampling(true);
        let verifier = self.task.verifier;
        let (mut hits, mut reward, mut fmt, mut len, mut calls, mut score) =
            (0usize, 0.0, 0usize, 0usize, 0usize, 0.0);
        let total = self.config.task.eval_prompts;
        // Greedy decoding draws nothing from the generator; a scratch one keeps it untouched.
        let mut scratch = Rng::new(0, 0);
        for i in 0..total {
            let ep = Episode::with_layout(
                &self.policy,
                self.held_out.sample(i as u64),
                self.crop(),
                self.image_after_text(),
            )?;
            let r = sample_group(&self.policy, &ep.prompt, 1, &cfg, &mut scratch, ep.tool())?;
            let r = &r[0];
            let s = self.recipe.score(r.final_text(), &ep.sample.gold);
            hits += usize::from(hit(verifier, s.accuracy.score(), s.accuracy.is_correct()));
            score += s.accuracy.score();
            reward += s.reward.unwrap_or(0.0);
            fmt += usize::from(s.format.as_ref().is_some_and(|f| f.is_correct()));
            len += r.policy_tokens();
            calls += r.tool_calls.0;
        }
        let t = total as f64;
        Ok(vec![
            ("accuracy", hits as f64 / t),
            ("task_score", score / t),
            ("reward_mean", reward / t),
            ("format_rate", fmt as f64 / t),
            ("response_length", len as f64 / t),
            ("tool_calls", calls as f64 / t),
            ("eval_seconds", start.elapsed().as_secs_f64()),
        ])
    }
}

/// The objective of `config.grpo.algo` with the KL override applied.
pub fn loss_config(config: &RlvrConfig) -> LossConfig {
    let mut loss = match config.grpo.algo.as_str() {
        "dr_grpo" => LossConfig::dr_grpo(config.sampling.max_response_tokens as f64),
        "dapo" => LossConfig::dapo(),
        "gspo" => LossConfig::gspo(),
        _ => LossConfig::grpo(),
    };
    if config.grpo.kl_coef >= 0.0 {
        loss.kl = (config.grpo.kl_coef > 0.0).then_some(KlPenalty {
            estimator: KlEstimator::K3,
            coef: config.grpo.kl_coef,
        });
    }
    loss
}

/// Token-weighted sums of the loss metrics over groups.
#[derive(Default)]
struct MetricSums {
    weight: f64,
    kl: f64,
    clip: f64,
    entropy: f64,
    pg_loss: f64,
}

impl MetricSums {
    fn add(&mut self, m: &ocellus_grpo::LossMetrics, tokens: f64) {
        self.weight += tokens;
        self.kl += m.kl_mean.unwrap_or(0.0) * tokens;
        self.clip += (m.clip_frac_high + m.clip_frac_low) * tokens;
        self.entropy += m.entropy_mean.unwrap_or(0.0) * tokens;
        self.pg_loss += m.pg_loss * tokens;
    }

    fn mean(&self, sum: f64) -> f64 {
        if self.weight > 0.0 {
            sum / self.weight
        } else {
            0.0
        }
    }
}
