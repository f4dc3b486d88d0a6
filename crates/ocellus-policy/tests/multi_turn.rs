//! The sampler's turn logic on a scripted policy: tool replies are appended with mask 0 and their
//! images kept in order, malformed calls get a text observation, the budget is never overrun and
//! an image is never appended without its tokens.

use ocellus_nn::Rng;
use ocellus_policy::{
    sample_group, ChatTemplate, Finish, GroupTensors, ImageSpec, KvCache, Policy, PolicyError,
    Prompt, RgbImage, SamplingConfig, TextTokenizer, Tool, ToolReply, SPECIAL_TOKENS,
};
use tch::{nn, Device, Kind, Tensor};

/// A "model" whose next-token logits follow a fixed token script: at position `p` it puts all
/// mass on `script[p + 1]`. It checks image tokens against images as a real model does.
struct Scripted {
    tok: TextTokenizer,
    chat: ChatTemplate,
    script: Vec<i64>,
    vs: nn::VarStore,
}

impl Policy for Scripted {
    fn tokenizer(&self) -> &TextTokenizer {
        &self.tok
    }
    fn chat(&self) -> &ChatTemplate {
        &self.chat
    }
    fn image_spec(&self) -> ImageSpec {
        ImageSpec {
            size: 4,
            mean: [0.5; 3],
            std: [0.5; 3],
        }
    }
    fn device(&self) -> Device {
        Device::Cpu
    }
    fn var_store(&self) -> &nn::VarStore {
        &self.vs
    }
    fn new_cache(&self) -> KvCache {
        KvCache::new(0)
    }
    fn extend(
        &self,
        cache: &mut KvCache,
        ids: &Tensor,
        images: Option<&Tensor>,
    ) -> Result<Tensor, PolicyError> {
        let image_tokens = ids.eq(self.chat.image).sum(Kind::Int64).int64_value(&[]);
        let n_images = images.map_or(0, |t| t.size()[0]);
        if image_tokens != n_images * self.chat.tokens_per_image as i64 {
            return Err(PolicyError::input(
                "images",
                "image tokens do not match images",
            ));
        }
        let (b, n) = (ids.size()[0], ids.size()[1]);
        let vocab = self.tok.vocab_size() as i64;
        let out = Tensor::zeros([b, n, vocab], (Kind::Float, Device::Cpu));
        for i in 0..n {
            let pos = (cache.len() + i + 1) as usize;
            let next = self
                .script
                .get(pos)
                .copied()
                .unwrap_or(self.chat.end_of_turn);
            let _ = out.narrow(1, i, 1).narrow(2, next, 1).fill_(10.0);
        }
        cache.advance(n);
        Ok(out)
    }
    fn logits(&self, hidden: &Tensor) -> Tensor {
        hidden.shallow_clone()
    }
}

struct Crop;

impl Tool for Crop {
    fn stop_strings(&self) -> &[String] {
        static STOPS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        STOPS.get_or_init(|| vec!["</crop>".to_owned()])
    }
    fn call(&self, turn_text: &str) -> ToolReply {
        if turn_text.contains("[0, 0, 8, 8]") {
            ToolReply {
                image: Some(RgbImage::new(8, 8, vec![200; 192]).unwrap()),
                text: "zoomed".into(),
                valid: true,
            }
        } else {
            ToolReply {
                image: None,
                text: "bad box".into(),
                valid: false,
            }
        }
    }
}

fn tokenizer() -> TextTokenizer {
    let corpus: Vec<String> = (0..30)
        .map(|i| format!("User: count <crop>[0, 0, 8, 8]</crop> zoomed bad box <answer>{i}</answer> Assistant:"))
        .collect();
    TextTokenizer::train_bpe(&corpus, 300, &SPECIAL_TOKENS).unwrap()
}

/// prompt, then `call` (a policy turn), the tool's reply turn, then the answer.
fn scripted(call: &str, reply: &ToolReply) -> (Scripted, Prompt, usize, Vec<i64>) {
    let tok = tokenizer();
    let chat = ChatTemplate::new(&tok, 2).unwrap();
    let (prompt, _) = chat.prompt(&tok, "<image>count").unwrap();
    let mut script = prompt.clone();
    let call_ids = tok.encode(call).unwrap();
    script.extend(&call_ids);
    let suffix = chat
        .tool_turn(&tok, reply.image.is_some(), &reply.text)
        .unwrap();
    script.extend(&suffix);
    script.extend(chat.response(&tok, "<answer>3</answer>").unwrap());
    let p = Prompt {
        ids: prompt.clone(),
        images: Some(Tensor::zeros([1, 3, 4, 4], (Kind::Float, Device::Cpu))),
    };
    let model = Scripted {
        tok,
        chat,
        script: script.clone(),
        vs: nn::VarStore::new(Device::Cpu),
    };
    (model, p, call_ids.len(), script[prompt.len()..].to_vec())
}

fn cfg(budget: usize, turns: usize) -> SamplingConfig {
    SamplingConfig {
        temperature: 0.0,
        top_p: 1.0,
        max_response_tokens: budget,
        max_turns: turns,
    }
}

#[test]
fn tool_replies_are_masked_and_images_kept_in_order() {
    let reply = Crop.call("[0, 0, 8, 8]");
    let (model, prompt, call_len, expected) = scripted("<crop>[0, 0, 8, 8]</crop>", &reply);
    let rollouts = sample_group(
        &model,
        &prompt,
        3,
        &cfg(200, 2),
        &mut Rng::new(1, 0),
        Some(&Crop),
    )
    .unwrap();
    let suffix_len = expected.len()
        - call_len
        - model
            .tokenizer()
            .encode("<answer>3</answer>")
            .unwrap()
            .len()
        - 1;
    for r in &rollouts {
        assert_eq!(r.tokens, expected);
        assert_eq!(
            r.turns,
            vec![
                "<crop>[0, 0, 8, 8]</crop>".to_owned(),
                "<answer>3</answer>".to_owned()
            ]
        );
        assert_eq!(r.finish, Finish::EndOfTurn);
        assert_eq!(r.tool_calls, (1, 1));
        assert_eq!(r.images.len(), 1);
        for (j, &m) in r.policy_mask.iter().enumerate() {
            let in_reply = j >= call_len && j < call_len + suffix_len;
            assert_eq!(m, !in_reply, "token {j}");
            if !m {
                assert_eq!(r.logp[j], 0.0);
            }
        }
    }
    let rows: Vec<_> = rollouts.iter().collect();
    let t = GroupTensors::new(&rows, model.chat().pad, Device::Cpu).unwrap();
    let masked: f64 = t.mask.sum(Kind::Double).double_value(&[]);
    assert_eq!(masked as usize, 3 * (expected.len() - suffix_len));
    assert_eq!(t.images.unwrap().size(), [3, 3, 4, 4]);
}

#[test]
fn a_malformed_call_gets_a_text_observation_and_no_image() {
    let reply = Crop.call("[1, 2]");
    let (model, prompt, _, expected) = scripted("<crop>[1, 2]</crop>", &reply);
    let r = &sample_group(
        &model,
        &prompt,
        1,
        &cfg(200, 2),
        &mut Rng::new(1, 0),
        Some(&Crop),
    )
    .unwrap()[0];
    assert_eq!(r.tokens, expected);
    assert_eq!(r.tool_calls, (1, 0));
    assert!(r.images.is_empty());
    let text = model.tokenizer().decode(&r.tokens, true).unwrap();
    assert!(text.contains("bad box"), "{text}");
}

#[test]
fn a_reply_that_does_not_fit_is_not_appended_and_turns_are_bounded() {
    let reply = Crop.call("[0, 0, 8, 8]");
    let (model, prompt, call_len, _) = scripted("<crop>[0, 0, 8, 8]</crop>", &reply);
    let r = &sample_group(
        &model,
        &prompt,
        1,
        &cfg(call_len + 3, 2),
        &mut Rng::new(1, 0),
        Some(&Crop),
    )
    .unwrap()[0];
    assert_eq!(r.finish, Finish::Length);
    assert_eq!(
        r.tokens.len(),
        call_len,
        "nothing of the reply was appended"
    );
    assert!(r.images.is_empty());
    // One turn allowed: the call ends the episode.
    let r = &sample_group(
        &model,
        &prompt,
        1,
        &cfg(200, 1),
        &mut Rng::new(1, 0),
        Some(&Crop),
    )
    .unwrap()[0];
    assert_eq!((r.finish, r.tool_calls), (Finish::TurnLimit, (0, 0)));
    // Without the tool the same script is one long turn cut by the budget.
    let r = &sample_group(&model, &prompt, 1, &cfg(10, 1), &mut Rng::new(1, 0), None).unwrap()[0];
    assert_eq!((r.finish, r.tokens.len()), (Finish::Length, 10));
}
