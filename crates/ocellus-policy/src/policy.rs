//! The [`Policy`] trait: what an RL loop needs from a vision-language model.

use tch::{nn, Device, Tensor};

use crate::cache::KvCache;
use crate::chat::ChatTemplate;
use crate::error::Result;
use crate::image::{ImageSpec, RgbImage};
use crate::tokenizer::TextTokenizer;

/// A decoder-only vision-language model read as a policy over tokens.
///
/// One entry point runs the network: [`Policy::extend`] appends tokens (and the images their
/// `<image>` tokens stand for) to a [`KvCache`] and returns their hidden states; [`Policy::logits`]
/// maps hidden states to next-token logits. Sampling (prefill once, then one token at a time)
/// and training (prompt once per group, then all responses at once) are both made of these two
/// calls, so the log-probabilities a rollout recorded and the ones the loss recomputes come from
/// the same code.
pub trait Policy {
    /// The tokenizer.
    fn tokenizer(&self) -> &TextTokenizer;
    /// The chat template's token ids.
    fn chat(&self) -> &ChatTemplate;
    /// How images must be sized and normalised.
    fn image_spec(&self) -> ImageSpec;
    /// The device the parameters live on.
    fn device(&self) -> Device;
    /// The trainable parameters.
    fn var_store(&self) -> &nn::VarStore;
    /// An empty cache with one slot per decoder layer.
    fn new_cache(&self) -> KvCache;
    /// Runs `ids` (`[B, n]` int64) after the `cache.len()` cached positions and appends their
    /// keys and values; the `<image>` tokens of `ids`, in row-major order, take the features of
    /// `images` (`[N, 3, S, S]`, [`Policy::image_spec`]), `image tokens per image` each. Returns
    /// the final hidden states `[B, n, d]`.
    ///
    /// # Errors
    /// If the number of `<image>` tokens is not `N ×` tokens per image, or a shape is wrong.
    fn extend(&self, cache: &mut KvCache, ids: &Tensor, images: Option<&Tensor>) -> Result<Tensor>;
    /// Next-token logits `[..., vocab]` from hidden states `[..., d]`.
    fn logits(&self, hidden: &Tensor) -> Tensor;

    /// `image` resized and normalised for this model, `[3, S, S]` on its device.
    fn preprocess(&self, image: &RgbImage) -> Tensor {
        self.image_spec().to_tensor(image, self.device())
    }
}
