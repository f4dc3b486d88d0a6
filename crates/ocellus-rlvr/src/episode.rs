//! Task samples as policy inputs: prompts with images, demonstrations for the warm start, and
//! the train / held-out streams.

use ocellus_core::derive_seed;
use ocellus_policy::{Finish, Policy, Prompt, RgbImage, Rollout, Tool, IMAGE_PLACEHOLDER};
use ocellus_tasks::{Difficulty, Sample, Spec, TaskInfo};
use tch::Tensor;

use crate::error::RlvrError;
use crate::tool::{tool_instruction, CropTool};

/// The base seed of the held-out split: the same prompts for every run and seed, disjoint from
/// the training streams (which use `derive_seed(run seed, 1)`).
pub const EVAL_SEED: u64 = 0x0e7a_15e7;

/// Where the samples of a run come from.
#[derive(Clone, Copy, Debug)]
pub struct TaskStream {
    /// The generator.
    pub task: &'static TaskInfo,
    /// Its difficulty.
    pub difficulty: Difficulty,
    /// The split's base seed.
    pub seed: u64,
}

impl TaskStream {
    /// The training stream of run seed `seed`.
    pub fn train(task: &'static TaskInfo, difficulty: Difficulty, seed: u64) -> TaskStream {
        TaskStream {
            task,
            difficulty,
            seed: u64::from(derive_seed(seed, 1)),
        }
    }

    /// The held-out stream.
    pub fn held_out(task: &'static TaskInfo, difficulty: Difficulty) -> TaskStream {
        TaskStream {
            task,
            difficulty,
            seed: EVAL_SEED,
        }
    }

    /// Sample `index`.
    pub fn sample(&self, index: u64) -> Sample {
        self.task
            .generate(&Spec::new(self.seed, index, self.difficulty))
    }
}

/// A sample made ready for a policy.
pub struct Episode {
    /// The sample.
    pub sample: Sample,
    /// Its first image at full resolution (the crop tool cuts from it).
    pub image: RgbImage,
    /// The tokenised prompt with its preprocessed images.
    pub prompt: Prompt,
    /// The crop tool of this episode, when multi-turn.
    pub tool: Option<CropTool>,
}

impl Episode {
    /// Builds the prompt of `sample` for `policy`; with `crop_min_size`, the prompt invites the
    /// crop tool and the episode carries one.
    ///
    /// # Errors
    /// A sample without an image, or a tokenizer error.
    pub fn new<P: Policy + ?Sized>(
        policy: &P,
        sample: Sample,
        crop_min_size: Option<usize>,
    ) -> Result<Episode, RlvrError> {
        Episode::with_layout(policy, sample, crop_min_size, false)
    }

    /// [`Episode::new`], with the images moved after the question when `image_after_text`
    /// (see `model.image_after_text`: a causal decoder's image tokens can then attend to the
    /// question, so what the question asks for can shape the image's representation).
    ///
    /// # Errors
    /// As [`Episode::new`].
    pub fn with_layout<P: Policy + ?Sized>(
        policy: &P,
        sample: Sample,
        crop_min_size: Option<usize>,
        image_after_text: bool,
    ) -> Result<Episode, RlvrError> {
        let sketch = sample
            .images
            .first()
            .ok_or_else(|| RlvrError::Config(format!("sample {} has no image", sample.id)))?;
        let image = RgbImage::new(sketch.width(), sketch.height(), sketch.to_hwc())?;
        let mut text = sample.prompt.clone();
        if crop_min_size.is_some() {
            text.push_str(&tool_instruction(image.width, image.height));
        }
        if image_after_text {
            let n = text.matches(IMAGE_PLACEHOLDER).count();
            text = text
                .replace(&format!("{IMAGE_PLACEHOLDER}\n"), "")
                .replace(IMAGE_PLACEHOLDER, "");
            text.push('\n');
            text.push_str(&IMAGE_PLACEHOLDER.repeat(n));
        }
        let (ids, n_images) = policy.chat().prompt(policy.tokenizer(), &text)?;
        let images: Vec<Tensor> = sample
            .images
            .iter()
            .take(n_images)
            .map(|s| {
                RgbImage::new(s.width(), s.height(), s.to_hwc()).map(|img| policy.preprocess(&img))
            })
            .collect::<Result<_, _>>()?;
        let prompt = Prompt {
            ids,
            images: (!images.is_empty()).then(|| Tensor::stack(&images, 0)),
        };
        let tool = crop_min_size.map(|m| CropTool::new(image.clone(), m));
        Ok(Episode {
            sample,
            image,
            prompt,
            tool,
        })
    }

    /// The tool as the sampler takes it.
    pub fn tool(&self) -> Option<&dyn Tool> {
        self.tool.as_ref().map(|t| t as &dyn Tool)
    }

    /// The answer the warm start teaches: an empty think block and the gold answer (the format
    /// verifier accepts it; a two-core policy gains nothing from imitating made-up reasoning).
    pub fn answer_text(&self) -> String {
        format!(
            "<think></think><answer>{}</answer>",
            self.sample.reference_answer
        )
    }

    /// A demonstration as a rollout (every policy token masked in, tool replies masked out): the
    /// answer alone, or with the tool, a crop of `focus` (a pixel box) then the answer.
    ///
    /// # Errors
    /// A tokenizer error.
    pub fn demonstration<P: Policy + ?Sized>(
        &self,
        policy: &P,
        focus: Option<[i64; 4]>,
    ) -> Result<Rollout, RlvrError> {
        let chat = policy.chat();
        let tok = policy.tokenizer();
        let mut tokens = Vec::new();
        let mut mask = Vec::new();
        let mut images = Vec::new();
        let mut turns = Vec::new();
        let mut calls = (0, 0);
        if let (Some(tool), Some([x1, y1, x2, y2])) = (&self.tool, focus) {
            let call = format!("<crop>[{x1}, {y1}, {x2}, {y2}]</crop>");
            let ids = tok.encode(&call)?;
            mask.extend(std::iter::repeat_n(true, ids.len()));
            tokens.extend(ids);
            let reply = tool.call(&call);
            calls = (1, usize::from(reply.valid));
            let suffix = chat.tool_turn(tok, reply.image.is_some(), &reply.text)?;
            mask.extend(std::iter::repeat_n(false, suffix.len()));
            tokens.extend(suffix);
            if let Some(img) = &reply.image {
                images.push(policy.preprocess(img));
            }
            turns.push(call);
        }
        let answer = self.answer_text();
        let ids = chat.response(tok, &answer)?;
        mask.extend(std::iter::repeat_n(true, ids.len()));
        tokens.extend(ids);
        turns.push(answer);
        let n = tokens.len();
        Ok(Rollout {
            tokens,
            policy_mask: mask,
            logp: vec![0.0; n],
            images,
            turns,
            tool_calls: calls,
            finish: Finish::EndOfTurn,
        })
    }
}

/// The pixel box a demonstration crops for `sample`: the task's `extra.focus` when it has one
/// (tasks built for zooming), else the gold box of grounding-style tasks, else the whole image.
pub fn focus_box(sample: &Sample, width: usize, height: usize) -> [i64; 4] {
    let read = |v: &serde_json::Value| -> Option<[i64; 4]> {
        let a = v.as_array()?;
        let n: Vec<i64> = a
            .iter()
            .filter_map(|x| x.as_f64().map(|f| f.round() as i64))
            .collect();
        <[i64; 4]>::try_from(n.as_slice()).ok()
    };
    sample
        .extra
        .get("focus")
        .and_then(read)
        .unwrap_or([0, 0, width as i64, height as i64])
}
