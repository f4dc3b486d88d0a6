//! Sampling a group of responses with a KV cache, with an optional tool between turns.
//!
//! The prompt runs once (`[1, P]`); its cache is expanded to the `G` rows of the group, which
//! then decode in lock-step, one token per step, until each row stops: at
//! `<end_of_utterance>`, at a tool's stop string (e.g. `</crop>`), or at the token budget.
//! A row that called a tool continues alone from its own slice of the cache: the tool's reply
//! (a user turn, possibly with an image) is appended with mask 0, and decoding resumes, up to
//! [`SamplingConfig::max_turns`] policy turns (MGPO, arXiv 2507.05920; Chain-of-Focus; verl's
//! `ToolAgentLoop`). A reply that would overflow the budget is not appended at all, image
//! included, so tokens and images never disagree (the failure of verl #4050).
//!
//! Token choice: logits are divided by the temperature, cut to the smallest set of tokens whose
//! probability reaches `top_p` (nucleus sampling, Holtzman et al. 2020, arXiv 1904.09751), and
//! drawn with the caller's [`Rng`]. The recorded log-probability is that of the token under
//! `softmax(logits / temperature)` **without** the nucleus cut, the distribution the loss
//! recomputes (verl's convention: the actor divides logits by the rollout temperature).
//! Temperature 0 is greedy decoding. Tokens of [`crate::ChatTemplate::never_generated`] are
//! removed from the distribution (in training too, see [`crate::group_logprobs`]).

use ocellus_nn::Rng;
use tch::{Kind, Tensor};

use crate::error::{PolicyError, Result};
use crate::image::RgbImage;
use crate::policy::Policy;

/// How to sample.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplingConfig {
    /// Softmax temperature; 0 means greedy.
    pub temperature: f64,
    /// Nucleus mass in `(0, 1]`.
    pub top_p: f64,
    /// Budget of tokens after the prompt, policy and tool tokens together (TRL's
    /// `max_completion_length`).
    pub max_response_tokens: usize,
    /// Most policy turns per episode (1: single turn; tool calls past the last turn end the
    /// episode).
    pub max_turns: usize,
}

impl SamplingConfig {
    /// Checks the fields.
    ///
    /// # Errors
    /// [`PolicyError::Config`] for the first invalid field.
    pub fn validate(&self) -> Result<()> {
        let bad = |field, value: String, reason| {
            Err(PolicyError::Config {
                field,
                value,
                reason,
            })
        };
        if !(self.temperature.is_finite() && self.temperature >= 0.0) {
            return bad(
                "temperature",
                self.temperature.to_string(),
                "must be finite and >= 0",
            );
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return bad("top_p", self.top_p.to_string(), "must be in (0, 1]");
        }
        if self.max_response_tokens == 0 {
            return bad("max_response_tokens", "0".into(), "must be >= 1");
        }
        if self.max_turns == 0 {
            return bad("max_turns", "0".into(), "must be >= 1");
        }
        Ok(())
    }
}

/// A tool the policy can call between turns.
pub trait Tool {
    /// Text that ends a policy turn calling this tool (checked on the decoded turn).
    fn stop_strings(&self) -> &[String];
    /// The reply to a turn (decoded, special tokens skipped) that ended with a stop string.
    fn call(&self, turn_text: &str) -> ToolReply;
}

/// What a tool returns: an image for the next turn (a crop) and/or a text observation. A
/// malformed call gets a text saying what was wrong, never an error.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolReply {
    /// The image shown in the next user turn.
    pub image: Option<RgbImage>,
    /// The text after it.
    pub text: String,
    /// Whether the call was well-formed (for metrics).
    pub valid: bool,
}

/// Why a rollout ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// The policy emitted `<end_of_utterance>`.
    EndOfTurn,
    /// The token budget ran out.
    Length,
    /// A tool call at the last allowed turn.
    TurnLimit,
}

/// One sampled response to a prompt: every token after the prompt, which of them the policy
/// generated, and their sampling log-probabilities.
#[derive(Debug)]
pub struct Rollout {
    /// All tokens after the prompt: policy turns and tool replies, in order.
    pub tokens: Vec<i64>,
    /// `true` for tokens the policy generated (the loss mask).
    pub policy_mask: Vec<bool>,
    /// Log-probability of each token when sampled (0 for tool tokens).
    pub logp: Vec<f32>,
    /// Preprocessed images of tool replies, `[3, S, S]` each, in token order.
    pub images: Vec<Tensor>,
    /// Decoded text of each policy turn (special tokens skipped); the last one is graded.
    pub turns: Vec<String>,
    /// Tool calls answered, and how many of them were well-formed.
    pub tool_calls: (usize, usize),
    /// Why it ended.
    pub finish: Finish,
}

impl Rollout {
    /// The text the verifier grades: the last policy turn.
    pub fn final_text(&self) -> &str {
        self.turns.last().map_or("", String::as_str)
    }

    /// Number of tokens the policy generated.
    pub fn policy_tokens(&self) -> usize {
        self.policy_mask.iter().filter(|&&m| m).count()
    }
}

/// A tokenised prompt with its preprocessed images.
#[derive(Debug)]
pub struct Prompt {
    /// The ids, ending with the generation prompt.
    pub ids: Vec<i64>,
    /// `[N, 3, S, S]`, one per image block of `ids` (None without images).
    pub images: Option<Tensor>,
}

/// Draws one token from `logits` (one row, with banned tokens already at −∞); returns
/// `(token, log-prob under softmax(l/T))`.
fn draw(logits: &[f32], cfg: &SamplingConfig, rng: &mut Rng) -> (i64, f32) {
    if cfg.temperature == 0.0 {
        let (best, _) = logits
            .iter()
            .enumerate()
            .fold(
                (0, f32::NEG_INFINITY),
                |acc, (i, &l)| if l > acc.1 { (i, l) } else { acc },
            );
        return (best as i64, 0.0);
    }
    let t = cfg.temperature;
    let max = logits.iter().fold(f32::NEG_INFINITY, |m, &l| m.max(l)) as f64;
    let weights: Vec<f64> = logits
        .iter()
        .map(|&l| ((l as f64 - max) / t).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    let mut order: Vec<usize> = (0..logits.len()).collect();
    let mut cut = logits.len();
    if cfg.top_p < 1.0 {
        order.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]).then(a.cmp(&b)));
        let mut mass = 0.0;
        for (k, &i) in order.iter().enumerate() {
            mass += weights[i] / total;
            if mass >= cfg.top_p {
                cut = k + 1;
                break;
            }
        }
    }
    let kept = &order[..cut];
    let kept_total: f64 = kept.iter().map(|&i| weights[i]).sum();
    let mut u = rng.uniform() * kept_total;
    let mut chosen = kept[kept.len() - 1];
    for &i in kept {
        if u < weights[i] {
            chosen = i;
            break;
        }
        u -= weights[i];
    }
    (chosen as i64, (weights[chosen] / total).ln() as f32)
}

struct Row {
    tokens: Vec<i64>,
    mask: Vec<bool>,
    logp: Vec<f32>,
    images: Vec<Tensor>,
    turns: Vec<String>,
    turn_start: usize,
    tool_calls: (usize, usize),
    finish: Option<Finish>,
    called_tool: bool,
}

impl Row {
    fn new() -> Row {
        Row {
            tokens: Vec::new(),
            mask: Vec::new(),
            logp: Vec::new(),
            images: Vec::new(),
            turns: Vec::new(),
            turn_start: 0,
            tool_calls: (0, 0),
            finish: None,
            called_tool: false,
        }
    }

    /// Appends a sampled token and decides whether the turn ended.
    fn push<P: Policy + ?Sized>(
        &mut self,
        policy: &P,
        token: i64,
        logp: f32,
        cfg: &SamplingConfig,
        stops: &[String],
    ) -> Result<()> {
        self.tokens.push(token);
        self.mask.push(true);
        self.logp.push(logp);
        let end = token == policy.chat().end_of_turn;
        let text = policy
            .tokenizer()
            .decode(&self.tokens[self.turn_start..], true)?;
        let stop = !end && stops.iter().any(|s| text.ends_with(s.as_str()));
        if end || stop {
            self.turns.push(text);
            self.called_tool = stop;
            self.finish = Some(if end {
                Finish::EndOfTurn
            } else if self.turns.len() >= cfg.max_turns {
                Finish::TurnLimit
            } else {
                Finish::EndOfTurn // provisional: the tool loop continues the row
            });
        } else if self.tokens.len() >= cfg.max_response_tokens {
            self.turns.push(text);
            self.finish = Some(Finish::Length);
        }
        Ok(())
    }

    fn into_rollout(self) -> Rollout {
        Rollout {
            tokens: self.tokens,
            policy_mask: self.mask,
            logp: self.logp,
            images: self.images,
            turns: self.turns,
            tool_calls: self.tool_calls,
            finish: self.finish.unwrap_or(Finish::Length),
        }
    }
}

/// Logits on the host with the never-generated tokens at −∞: `banned`, and the ids past the
/// tokenizer's vocabulary (`usable`), which a model whose embedding table is padded beyond the
/// tokenizer would otherwise be able to emit.
fn row_logits(logits: &Tensor, banned: &[i64], usable: usize) -> Result<Vec<f32>> {
    let flat = logits.to_kind(Kind::Float).to_device(tch::Device::Cpu);
    let vocab = *flat.size().last().unwrap_or(&0) as usize;
    let mut v = Vec::<f32>::try_from(&flat.reshape([-1]))?;
    for row in v.chunks_mut(vocab.max(1)) {
        for x in row.iter_mut().skip(usable) {
            *x = f32::NEG_INFINITY;
        }
        for &b in banned {
            if let Some(x) = row.get_mut(b as usize) {
                *x = f32::NEG_INFINITY;
            }
        }
    }
    Ok(v)
}

/// Samples `group` responses to `prompt` (see the module docs). Runs without gradients.
///
/// # Errors
/// An invalid config, an empty prompt, or a model error.
pub fn sample_group<P: Policy + ?Sized>(
    policy: &P,
    prompt: &Prompt,
    group: usize,
    cfg: &SamplingConfig,
    rng: &mut Rng,
    tool: Option<&dyn Tool>,
) -> Result<Vec<Rollout>> {
    cfg.validate()?;
    if prompt.ids.is_empty() || group == 0 {
        return Err(PolicyError::input("prompt", "empty prompt or group of 0"));
    }
    let _no_grad = tch::no_grad_guard();
    let device = policy.device();
    let stops: Vec<String> = tool.map_or_else(Vec::new, |t| t.stop_strings().to_vec());
    let prompt_len = prompt.ids.len() as i64;
    let mut cache = policy.new_cache();
    let ids = Tensor::from_slice(&prompt.ids)
        .reshape([1, -1])
        .to_device(device);
    let hidden = policy.extend(&mut cache, &ids, prompt.images.as_ref())?;
    let last = policy.logits(&hidden.select(1, prompt_len - 1)); // [1, V]
    let vocab = last.size()[1] as usize;
    cache.expand(group as i64);
    let banned = policy.chat().never_generated();
    let usable = policy.tokenizer().vocab_size();
    let mut logits = row_logits(
        &last.expand([group as i64, vocab as i64], false),
        &banned,
        usable,
    )?;
    let mut rows: Vec<Row> = (0..group).map(|_| Row::new()).collect();
    // Tokens of each row already in the cache (after the prompt).
    let mut fed = vec![0usize; group];
    loop {
        let mut next = vec![policy.chat().pad; group];
        for (r, row) in rows.iter_mut().enumerate() {
            if row.finish.is_some() {
                continue;
            }
            let (tok, lp) = draw(&logits[r * vocab..(r + 1) * vocab], cfg, rng);
            row.push(policy, tok, lp, cfg, &stops)?;
            next[r] = tok;
        }
        if rows.iter().all(|r| r.finish.is_some()) {
            break;
        }
        let ids = Tensor::from_slice(&next)
            .reshape([group as i64, 1])
            .to_device(device);
        let hidden = policy.extend(&mut cache, &ids, None)?;
        for (r, row) in rows.iter().enumerate() {
            if fed[r] < row.tokens.len() {
                fed[r] += 1;
            }
        }
        logits = row_logits(&policy.logits(&hidden.select(1, 0)), &banned, usable)?;
    }
    // Later turns: each row that called a tool continues alone.
    if let Some(tool) = tool {
        for (r, row) in rows.iter_mut().enumerate() {
            if !row.called_tool || row.finish == Some(Finish::TurnLimit) {
                continue;
            }
            let mut row_cache = cache.select_row(r as i64, prompt_len + fed[r] as i64);
            continue_with_tool(policy, row, &mut row_cache, fed[r], cfg, rng, tool, &stops)?;
        }
    }
    Ok(rows.into_iter().map(Row::into_rollout).collect())
}

/// Answers the row's tool call and decodes its next turns alone.
#[allow(clippy::too_many_arguments)]
fn continue_with_tool<P: Policy + ?Sized>(
    policy: &P,
    row: &mut Row,
    cache: &mut crate::cache::KvCache,
    mut fed: usize,
    cfg: &SamplingConfig,
    rng: &mut Rng,
    tool: &dyn Tool,
    stops: &[String],
) -> Result<()> {
    let device = policy.device();
    let banned = policy.chat().never_generated();
    while row.called_tool && row.finish != Some(Finish::TurnLimit) {
        row.called_tool = false;
        let reply = tool.call(row.final_text_of_turn());
        row.tool_calls.0 += 1;
        row.tool_calls.1 += usize::from(reply.valid);
        let suffix =
            policy
                .chat()
                .tool_turn(policy.tokenizer(), reply.image.is_some(), &reply.text)?;
        // The reply goes in whole or not at all (no image without its tokens).
        if row.tokens.len() + suffix.len() + 1 > cfg.max_response_tokens {
            row.finish = Some(Finish::Length);
            return Ok(());
        }
        let image = reply.image.as_ref().map(|img| policy.preprocess(img));
        let mut pending: Vec<i64> = row.tokens[fed..].to_vec();
        pending.extend(&suffix);
        row.tokens.extend(&suffix);
        row.mask.extend(std::iter::repeat_n(false, suffix.len()));
        row.logp.extend(std::iter::repeat_n(0.0, suffix.len()));
        if let Some(img) = &image {
            row.images.push(img.shallow_clone());
        }
        row.turn_start = row.tokens.len();
        row.finish = None;
        let mut ids = Tensor::from_slice(&pending)
            .reshape([1, -1])
            .to_device(device);
        let mut images = image.map(|i| i.unsqueeze(0));
        loop {
            let hidden = policy.extend(cache, &ids, images.as_ref())?;
            fed = row.tokens.len();
            let n = hidden.size()[1];
            let logits = row_logits(
                &policy.logits(&hidden.select(1, n - 1)),
                &banned,
                policy.tokenizer().vocab_size(),
            )?;
            let (tok, lp) = draw(&logits, cfg, rng);
            row.push(policy, tok, lp, cfg, stops)?;
            if row.finish.is_some() {
                break;
            }
            ids = Tensor::from_slice(&[tok]).reshape([1, 1]).to_device(device);
            images = None;
        }
    }
    Ok(())
}

impl Row {
    fn final_text_of_turn(&self) -> &str {
        self.turns.last().map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nucleus_keeps_the_top_mass_and_reports_untruncated_logp() {
        let logits = [0.0f32, (3.0f64).ln() as f32, (6.0f64).ln() as f32]; // probs 0.1, 0.3, 0.6
        let cfg = SamplingConfig {
            temperature: 1.0,
            top_p: 0.5,
            max_response_tokens: 4,
            max_turns: 1,
        };
        let mut rng = Rng::new(1, 0);
        for _ in 0..50 {
            let (t, lp) = draw(&logits, &cfg, &mut rng);
            assert_eq!(t, 2, "only the 0.6 token reaches top_p = 0.5");
            assert!((lp - (0.6f32).ln()).abs() < 1e-5);
        }
        let cfg = SamplingConfig { top_p: 1.0, ..cfg };
        let mut counts = [0usize; 3];
        for _ in 0..6000 {
            counts[draw(&logits, &cfg, &mut rng).0 as usize] += 1;
        }
        for (c, p) in counts.iter().zip([0.1, 0.3, 0.6]) {
            assert!((*c as f64 / 6000.0 - p).abs() < 0.03, "{counts:?}");
        }
        let greedy = SamplingConfig {
            temperature: 0.0,
            ..cfg
        };
        assert_eq!(draw(&logits, &greedy, &mut rng).0, 2);
        assert!(SamplingConfig {
            top_p: 0.0,
            ..greedy.clone()
        }
        .validate()
        .is_err());
    }
}
