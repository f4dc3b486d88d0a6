//! A group of rollouts as training tensors, and their log-probabilities under a policy.
//!
//! The `G` responses of a group share their prompt, so the training forward runs the prompt once
//! (`[1, P]`), expands its cache to `G` rows and runs all responses at once (`[G, T]`, right-padded):
//! about `G ×` fewer prompt tokens than running `G` full sequences, with the same values, since a
//! causal model's prompt states do not depend on what follows. Gradients from every row flow back
//! into the one prompt pass.

use tch::{Device, Kind, Tensor};

use crate::error::{PolicyError, Result};
use crate::policy::Policy;
use crate::sample::{Prompt, Rollout};

/// The `[G, T]` tensors of one group (`T` = longest response).
#[derive(Debug)]
pub struct GroupTensors {
    /// Response token ids, right-padded with the template's pad id.
    pub tokens: Tensor,
    /// 1.0 where the policy generated the token, 0.0 for tool tokens and padding.
    pub mask: Tensor,
    /// Sampling log-probabilities (0 outside the mask).
    pub old_logp: Tensor,
    /// Tool images of all rows, in row-major token order (`[N, 3, S, S]`), if any.
    pub images: Option<Tensor>,
}

impl GroupTensors {
    /// Collates `rollouts` (at least one, each with at least one token).
    ///
    /// # Errors
    /// [`PolicyError::Input`] for an empty group or response.
    pub fn new(rollouts: &[&Rollout], pad: i64, device: Device) -> Result<GroupTensors> {
        if rollouts.is_empty() || rollouts.iter().any(|r| r.tokens.is_empty()) {
            return Err(PolicyError::input(
                "rollouts",
                "a group needs at least one rollout, each with at least one token",
            ));
        }
        let g = rollouts.len();
        let t = rollouts.iter().map(|r| r.tokens.len()).max().unwrap_or(0);
        let mut tokens = vec![pad; g * t];
        let mut mask = vec![0f32; g * t];
        let mut old = vec![0f32; g * t];
        let mut images = Vec::new();
        for (i, r) in rollouts.iter().enumerate() {
            for (j, &tok) in r.tokens.iter().enumerate() {
                tokens[i * t + j] = tok;
                if r.policy_mask[j] {
                    mask[i * t + j] = 1.0;
                    old[i * t + j] = r.logp[j];
                }
            }
            images.extend(r.images.iter().map(Tensor::shallow_clone));
        }
        let shape = [g as i64, t as i64];
        Ok(GroupTensors {
            tokens: Tensor::from_slice(&tokens).reshape(shape).to_device(device),
            mask: Tensor::from_slice(&mask).reshape(shape).to_device(device),
            old_logp: Tensor::from_slice(&old).reshape(shape).to_device(device),
            images: (!images.is_empty()).then(|| Tensor::stack(&images, 0)),
        })
    }
}

/// Responses to **different** prompts, each with its own prompt, as one right-padded batch:
/// `[B, P_max + T_max]` ids with the response of row `i` starting at `prompt_lens[i]`.
#[derive(Debug)]
pub struct PromptedBatch {
    /// Prompt then response ids per row, right-padded.
    pub ids: Tensor,
    /// Every image of the batch in row-major token order (prompt images, then tool images).
    pub images: Option<Tensor>,
    /// `[B, T]` response tokens (right-padded), as in [`GroupTensors`].
    pub responses: GroupTensors,
    /// `[B, T]` index of the state that predicts each response token (`prompt_len − 1 + j`).
    pub predictor: Tensor,
}

impl PromptedBatch {
    /// Collates `(prompt, rollout)` pairs.
    ///
    /// # Errors
    /// [`PolicyError::Input`] for an empty batch, prompt or response.
    pub fn new(rows: &[(&Prompt, &Rollout)], pad: i64, device: Device) -> Result<PromptedBatch> {
        if rows.is_empty() || rows.iter().any(|(p, _)| p.ids.is_empty()) {
            return Err(PolicyError::input(
                "rows",
                "a batch needs rows with non-empty prompts",
            ));
        }
        let rollouts: Vec<&Rollout> = rows.iter().map(|(_, r)| *r).collect();
        let responses = GroupTensors::new(&rollouts, pad, device)?;
        let t = responses.tokens.size()[1] as usize;
        let len = rows
            .iter()
            .map(|(p, r)| p.ids.len() + r.tokens.len())
            .max()
            .unwrap_or(0);
        let b = rows.len();
        let mut ids = vec![pad; b * len];
        let mut predictor = vec![0i64; b * t];
        let mut images = Vec::new();
        for (i, (p, r)) in rows.iter().enumerate() {
            let row = &mut ids[i * len..(i + 1) * len];
            row[..p.ids.len()].copy_from_slice(&p.ids);
            row[p.ids.len()..p.ids.len() + r.tokens.len()].copy_from_slice(&r.tokens);
            for j in 0..t {
                predictor[i * t + j] = ((p.ids.len() + j).min(len) - 1) as i64;
            }
            if let Some(im) = &p.images {
                images.push(im.shallow_clone());
            }
            if !r.images.is_empty() {
                let stacked: Vec<Tensor> = r.images.iter().map(|x| x.unsqueeze(0)).collect();
                images.push(Tensor::cat(&stacked, 0));
            }
        }
        Ok(PromptedBatch {
            ids: Tensor::from_slice(&ids)
                .reshape([b as i64, len as i64])
                .to_device(device),
            images: (!images.is_empty()).then(|| Tensor::cat(&images, 0).to_device(device)),
            responses,
            predictor: Tensor::from_slice(&predictor)
                .reshape([b as i64, t as i64])
                .to_device(device),
        })
    }
}

/// Log-probabilities of the response tokens of a [`PromptedBatch`] (one forward of the whole
/// batch; right padding never reaches a real token through the causal mask).
///
/// # Errors
/// A model error.
pub fn prompted_logprobs<P: Policy + ?Sized>(
    policy: &P,
    batch: &PromptedBatch,
    temperature: f64,
) -> Result<Tensor> {
    let hidden = policy.extend(&mut policy.new_cache(), &batch.ids, batch.images.as_ref())?;
    let d = hidden.size()[2];
    let index = batch.predictor.unsqueeze(-1).expand([-1, -1, d], false);
    let states = hidden.gather(1, &index, false); // [B, T, d]
    Ok(token_logprobs(policy, &states, &batch.responses.tokens, temperature, false)?.0)
}

/// `log softmax(logits(states) / T)` at `tokens`, with the never-generated tokens removed, and
/// optionally the entropy of each position's distribution.
fn token_logprobs<P: Policy + ?Sized>(
    policy: &P,
    states: &Tensor,
    tokens: &Tensor,
    temperature: f64,
    with_entropy: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    let device = policy.device();
    let temperature = if temperature > 0.0 { temperature } else { 1.0 };
    let raw = policy.logits(states).to_kind(Kind::Float);
    // Never-generated tokens and ids past the tokenizer (a padded embedding table) get p = 0,
    // as in the sampler.
    let mut banned = policy.chat().never_generated();
    banned.extend(policy.tokenizer().vocab_size() as i64..raw.size()[2]);
    let banned = Tensor::from_slice(&banned).to_device(device);
    let logits = (raw / temperature).index_fill(2, &banned, f64::NEG_INFINITY);
    let log_probs = logits.log_softmax(-1, Kind::Float); // [B, T, V]
                                                         // Padding is a banned token (log p = −∞); it is masked out, and 0 keeps sums finite.
    let logp = log_probs
        .gather(2, &tokens.unsqueeze(-1), false)
        .squeeze_dim(-1)
        .nan_to_num(0.0, 0.0, 0.0);
    // Banned tokens have p = 0 and log p = −∞; their p·log p term is 0, not NaN.
    let entropy = with_entropy.then(|| {
        let p = log_probs.exp();
        -(&p * log_probs.nan_to_num(0.0, 0.0, 0.0)).sum_dim_intlist(-1, false, Kind::Float)
    });
    Ok((logp, entropy))
}

/// Log-probabilities of a group's response tokens under `policy` (with gradients when enabled).
#[derive(Debug)]
pub struct GroupLogprobs {
    /// `[G, T]` log π(token) under `softmax(logits / temperature)`.
    pub logp: Tensor,
    /// `[G, T]` entropy of that distribution at each position, when asked for.
    pub entropy: Option<Tensor>,
}

/// Runs `prompt` once and the group's responses after it; returns the log-probability of every
/// response token (see the module docs), with the never-generated tokens removed from the
/// distribution as the sampler removes them. `temperature` must be the sampling temperature (> 0;
/// greedy rollouts are scored at temperature 1).
///
/// # Errors
/// A model error (e.g. image tokens that do not match the images).
pub fn group_logprobs<P: Policy + ?Sized>(
    policy: &P,
    prompt: &Prompt,
    group: &GroupTensors,
    temperature: f64,
    with_entropy: bool,
) -> Result<GroupLogprobs> {
    let device = policy.device();
    let g = group.tokens.size()[0];
    let mut cache = policy.new_cache();
    let ids = Tensor::from_slice(&prompt.ids)
        .reshape([1, -1])
        .to_device(device);
    let prompt_hidden = policy.extend(&mut cache, &ids, prompt.images.as_ref())?;
    let p = prompt_hidden.size()[1];
    cache.expand(g);
    let resp_hidden = policy.extend(&mut cache, &group.tokens, group.images.as_ref())?; // [G, T, d]
    let t = resp_hidden.size()[1];
    // Token j is predicted by the state before it: the prompt's last for j = 0.
    let first = prompt_hidden.narrow(1, p - 1, 1).expand([g, 1, -1], false);
    let states = Tensor::cat(&[first, resp_hidden.narrow(1, 0, t - 1)], 1); // [G, T, d]
    let (logp, entropy) =
        token_logprobs(policy, &states, &group.tokens, temperature, with_entropy)?;
    Ok(GroupLogprobs { logp, entropy })
}
