//! Text ↔ token ids through a Hugging Face `tokenizer.json`.
//!
//! Both policies of this project read the same file format: SmolVLM's (a GPT-2 style byte-level
//! BPE, pre-tokenised by `Digits(individual_digits)` then `ByteLevel`, as SmolLM2's), and the
//! small policy's, which is a byte-level BPE of the same shape **trained on the task prompts**
//! ([`TextTokenizer::train_bpe`]) so that the boilerplate every prompt repeats costs a few tokens
//! instead of a few hundred bytes. Special tokens (`<image>`, `<end_of_utterance>`, …) are added
//! tokens: they are split out of any text before the BPE runs, so a prompt can name them.

use std::collections::HashSet;
use std::path::Path;

use tokenizers::models::bpe::{BpeTrainerBuilder, BPE};
use tokenizers::models::TrainerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{AddedToken, Tokenizer};

use crate::error::{PolicyError, Result};

/// A tokenizer with its special tokens resolved.
#[derive(Clone)]
pub struct TextTokenizer {
    inner: Tokenizer,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TextTokenizer(vocab {})", self.vocab_size())
    }
}

fn tk_err(e: impl std::fmt::Display) -> PolicyError {
    PolicyError::Tokenizer(e.to_string())
}

impl TextTokenizer {
    /// Reads a `tokenizer.json`.
    ///
    /// # Errors
    /// [`PolicyError::Tokenizer`] naming the file if it cannot be read or parsed.
    pub fn from_file(path: &Path) -> Result<TextTokenizer> {
        let inner = Tokenizer::from_file(path)
            .map_err(|e| PolicyError::Tokenizer(format!("{}: {e}", path.display())))?;
        Ok(TextTokenizer { inner })
    }

    /// Parses the contents of a `tokenizer.json`.
    ///
    /// # Errors
    /// [`PolicyError::Tokenizer`] if it cannot be parsed.
    pub fn from_json(json: &str) -> Result<TextTokenizer> {
        let inner = Tokenizer::from_bytes(json.as_bytes()).map_err(tk_err)?;
        Ok(TextTokenizer { inner })
    }

    /// Trains a byte-level BPE of SmolLM2's shape (pre-tokeniser `Digits(individual)` then
    /// `ByteLevel`; every byte is in the base alphabet, so any text encodes) with `vocab_size`
    /// entries, `specials` first (ids `0..specials.len()`), on `corpus`. The result is a pure
    /// function of its inputs.
    ///
    /// # Errors
    /// [`PolicyError::Tokenizer`] if training fails.
    pub fn train_bpe(corpus: &[String], vocab_size: usize, specials: &[&str]) -> Result<Self> {
        let specials: Vec<AddedToken> = specials
            .iter()
            .map(|s| AddedToken::from(s.to_string(), true))
            .collect();
        let alphabet: HashSet<char> = ByteLevel::alphabet().into_iter().collect();
        let trainer = BpeTrainerBuilder::new()
            .show_progress(false)
            .vocab_size(vocab_size)
            .min_frequency(2)
            .special_tokens(specials)
            .initial_alphabet(alphabet)
            .build();
        let mut trainer = TrainerWrapper::from(trainer);
        let mut tokenizer = Tokenizer::new(BPE::default());
        tokenizer.with_pre_tokenizer(Some(Sequence::new(vec![
            Digits::new(true).into(),
            ByteLevel::new(false, true, true).into(),
        ])));
        tokenizer.with_decoder(Some(ByteLevel::default()));
        tokenizer
            .train(&mut trainer, corpus.iter())
            .map_err(tk_err)?;
        Ok(TextTokenizer { inner: tokenizer })
    }

    /// The `tokenizer.json` text.
    ///
    /// # Errors
    /// [`PolicyError::Tokenizer`] if serialisation fails.
    pub fn to_json(&self) -> Result<String> {
        self.inner.to_string(false).map_err(tk_err)
    }

    /// Vocabulary size including added tokens.
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// The id of a token (special or not), if it exists.
    pub fn token_id(&self, token: &str) -> Option<i64> {
        self.inner.token_to_id(token).map(i64::from)
    }

    /// The id of a token the caller needs.
    ///
    /// # Errors
    /// [`PolicyError::MissingToken`] if it is not in the vocabulary.
    pub fn require(&self, token: &str) -> Result<i64> {
        self.token_id(token)
            .ok_or_else(|| PolicyError::MissingToken {
                token: token.to_owned(),
            })
    }

    /// Encodes `text` (special tokens named in it become their ids; no BOS/EOS is added).
    ///
    /// # Errors
    /// [`PolicyError::Tokenizer`] if the tokenizer fails.
    pub fn encode(&self, text: &str) -> Result<Vec<i64>> {
        let enc = self.inner.encode(text, false).map_err(tk_err)?;
        Ok(enc.get_ids().iter().map(|&i| i64::from(i)).collect())
    }

    /// Decodes ids; special tokens are dropped when `skip_special` is set. Ids outside the
    /// vocabulary are an error, not a panic.
    ///
    /// # Errors
    /// [`PolicyError::Tokenizer`] for an id that is negative or too large.
    pub fn decode(&self, ids: &[i64], skip_special: bool) -> Result<String> {
        let ids: Vec<u32> = ids
            .iter()
            .map(|&i| {
                u32::try_from(i)
                    .ok()
                    .filter(|&u| (u as usize) < self.vocab_size())
                    .ok_or_else(|| PolicyError::Tokenizer(format!("token id {i} out of range")))
            })
            .collect::<Result<_>>()?;
        self.inner.decode(&ids, skip_special).map_err(tk_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trained_bpe_round_trips_and_keeps_specials_whole() {
        let corpus: Vec<String> = (0..50)
            .map(|i| format!("<image>How many red circles are there? Answer {i}<end_of_utterance>"))
            .collect();
        let t = TextTokenizer::train_bpe(&corpus, 300, &["<pad>", "<image>", "<end_of_utterance>"])
            .unwrap();
        assert_eq!(t.token_id("<pad>"), Some(0));
        assert_eq!(t.token_id("<image>"), Some(1));
        let text = "<image>How many red circles? 1234 élan<end_of_utterance>";
        let ids = t.encode(text).unwrap();
        assert_eq!(ids[0], 1);
        assert_eq!(*ids.last().unwrap(), 2);
        // Frequent words merged: far fewer tokens than bytes.
        assert!(ids.len() < text.len() / 2, "{} tokens", ids.len());
        assert_eq!(t.decode(&ids, false).unwrap(), text);
        assert_eq!(
            t.decode(&ids, true).unwrap(),
            "How many red circles? 1234 élan"
        );
        // Digits are single tokens (Digits(individual) pre-tokeniser).
        let d = t.encode("1234").unwrap();
        assert_eq!(d.len(), 4);
        // Reload from its own JSON gives the same ids.
        let again = TextTokenizer::from_json(&t.to_json().unwrap()).unwrap();
        assert_eq!(again.encode(text).unwrap(), ids);
        assert!(t.decode(&[100_000], false).is_err());
        assert!(t.require("<nope>").is_err());
    }
}
