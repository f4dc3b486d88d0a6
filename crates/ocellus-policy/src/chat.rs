//! Chat prompts with image slots, in SmolVLM's (Idefics3's) template.
//!
//! SmolVLM's `chat_template.json` (transformers `processing_idefics3.py`, HF revision
//! 7e3e67e of SmolVLM-256M-Instruct) renders a user turn holding an image and a question as
//!
//! ```text
//! <|im_start|>User:<fake_token_around_image><global-img><image>×N<fake_token_around_image>question<end_of_utterance>\nAssistant:
//! ```
//!
//! with `N` image tokens per image (64 for SmolVLM's 512-px tile after pixel shuffle). The model
//! stops with `<end_of_utterance>`. The small policy uses the same template and special tokens,
//! so one prompt builder serves both. A tool's answer (a crop for the next turn) is a new
//! **user** turn holding the image, since SmolVLM has no tool role and templates that put images
//! in tool-role messages drop them (huggingface/trl #5663).
//!
//! Ids are built piece by piece and never by re-tokenising a whole conversation, so the prompt
//! is a strict prefix of every continuation (TRL's `_get_tool_suffix_ids` requires the same).

use crate::error::Result;
use crate::tokenizer::TextTokenizer;

/// Where images go in a prompt's text (one per image, in order), as in `ocellus-tasks`.
pub const IMAGE_PLACEHOLDER: &str = "<image>";

/// The special tokens of the template, all required in the vocabulary.
pub const SPECIAL_TOKENS: [&str; 6] = [
    "<|im_start|>",
    "<end_of_utterance>",
    "<fake_token_around_image>",
    "<global-img>",
    "<image>",
    "<|endoftext|>",
];

/// The template's token ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatTemplate {
    /// `<|im_start|>`, opening the conversation.
    pub begin: i64,
    /// `<end_of_utterance>`, ending every turn; the policy's stop token.
    pub end_of_turn: i64,
    /// `<fake_token_around_image>`, around each image block.
    pub around_image: i64,
    /// `<global-img>`, after the opening `around_image`.
    pub global_image: i64,
    /// `<image>`, one per image feature vector.
    pub image: i64,
    /// Padding after a response (never attended to by a real token).
    pub pad: i64,
    /// Image tokens per image.
    pub tokens_per_image: usize,
    user: Vec<i64>,
    assistant: Vec<i64>,
    newline: Vec<i64>,
}

impl ChatTemplate {
    /// Resolves the template's tokens in `tokenizer` for a model with `tokens_per_image` image
    /// features per image.
    ///
    /// # Errors
    /// [`crate::PolicyError::MissingToken`] naming the first special token the vocabulary lacks.
    pub fn new(tokenizer: &TextTokenizer, tokens_per_image: usize) -> Result<ChatTemplate> {
        Ok(ChatTemplate {
            begin: tokenizer.require("<|im_start|>")?,
            end_of_turn: tokenizer.require("<end_of_utterance>")?,
            around_image: tokenizer.require("<fake_token_around_image>")?,
            global_image: tokenizer.require("<global-img>")?,
            image: tokenizer.require("<image>")?,
            pad: tokenizer.require("<|endoftext|>")?,
            tokens_per_image,
            user: tokenizer.encode("User:")?,
            assistant: tokenizer.encode("Assistant:")?,
            newline: tokenizer.encode("\n")?,
        })
    }

    /// Tokens a policy must never emit: the image block's tokens (an `<image>` in a response
    /// would have no image behind it: the mismatch of TRL #3847/#4488), the conversation opener
    /// and padding. The sampler and the training log-probabilities both give them probability 0.
    pub fn never_generated(&self) -> Vec<i64> {
        vec![
            self.begin,
            self.around_image,
            self.global_image,
            self.image,
            self.pad,
        ]
    }

    /// The ids of one image block.
    pub fn image_block(&self) -> Vec<i64> {
        let mut ids = vec![self.around_image, self.global_image];
        ids.extend(std::iter::repeat_n(self.image, self.tokens_per_image));
        ids.push(self.around_image);
        ids
    }

    /// `text` with each [`IMAGE_PLACEHOLDER`] replaced by an image block; returns the ids and the
    /// number of images.
    fn content(&self, tokenizer: &TextTokenizer, text: &str) -> Result<(Vec<i64>, usize)> {
        let mut ids = Vec::new();
        let mut images = 0;
        for (i, chunk) in text.split(IMAGE_PLACEHOLDER).enumerate() {
            if i > 0 {
                ids.extend(self.image_block());
                images += 1;
            }
            if !chunk.is_empty() {
                ids.extend(tokenizer.encode(chunk)?);
            }
        }
        Ok((ids, images))
    }

    /// The whole prompt of a single user turn, ending with the generation prompt `Assistant:`;
    /// returns the ids and the number of images it expects.
    ///
    /// # Errors
    /// A tokenizer error.
    pub fn prompt(&self, tokenizer: &TextTokenizer, user_text: &str) -> Result<(Vec<i64>, usize)> {
        let mut ids = vec![self.begin];
        ids.extend(&self.user);
        if !user_text.starts_with(IMAGE_PLACEHOLDER) {
            ids.extend(tokenizer.encode(" ")?);
        }
        let (content, images) = self.content(tokenizer, user_text)?;
        ids.extend(content);
        ids.push(self.end_of_turn);
        ids.extend(&self.newline);
        ids.extend(&self.assistant);
        Ok((ids, images))
    }

    /// A policy turn as training target: the response text, then `<end_of_utterance>`.
    ///
    /// # Errors
    /// A tokenizer error.
    pub fn response(&self, tokenizer: &TextTokenizer, text: &str) -> Result<Vec<i64>> {
        let mut ids = tokenizer.encode(text)?;
        ids.push(self.end_of_turn);
        Ok(ids)
    }

    /// What follows a policy turn that called a tool: close the turn, a user turn holding the
    /// tool's image (if any) and text, and the next generation prompt. None of these tokens is
    /// the policy's.
    ///
    /// # Errors
    /// A tokenizer error.
    pub fn tool_turn(
        &self,
        tokenizer: &TextTokenizer,
        with_image: bool,
        text: &str,
    ) -> Result<Vec<i64>> {
        let mut ids = vec![self.end_of_turn];
        ids.extend(&self.newline);
        ids.extend(&self.user);
        if with_image {
            ids.extend(self.image_block());
        } else {
            ids.extend(tokenizer.encode(" ")?);
        }
        ids.extend(tokenizer.encode(text)?);
        ids.push(self.end_of_turn);
        ids.extend(&self.newline);
        ids.extend(&self.assistant);
        Ok(ids)
    }
}
