//! Reading and writing an HF model folder: `config.json`, `model.safetensors`, `tokenizer.json`.
//!
//! The layout is SmolVLM's (HuggingFaceTB/SmolVLM-256M-Instruct and its tiny-random test
//! copies). Weights stored as bf16 or f16 are upcast to f32 on load (CPU training runs in f32).
//! Every tensor the config implies must be present with its exact shape; an extra tensor is also
//! an error, so a folder of another architecture is refused with the name of the first tensor
//! that does not fit, and nothing of the model is changed by a refused load.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use ocellus_nn::Rng;
use ocellus_policy::TextTokenizer;
use tch::{Device, Kind, Tensor};

use crate::config::VlmConfig;
use crate::error::VlmError;
use crate::model::Vlm;

/// `config.json`.
pub const CONFIG_FILE: &str = "config.json";
/// `model.safetensors`.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// `tokenizer.json`.
pub const TOKENIZER_FILE: &str = "tokenizer.json";

fn file_err(path: &Path, reason: impl ToString) -> VlmError {
    VlmError::File {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

impl Vlm {
    /// A model of shape `config` initialised from `seed` (see [`Vlm::init`]).
    ///
    /// # Errors
    /// As [`Vlm::zeros`].
    pub fn random(
        config: VlmConfig,
        tokenizer: TextTokenizer,
        seed: u64,
        device: Device,
    ) -> Result<Vlm, VlmError> {
        let mut model = Vlm::zeros(config, tokenizer, device)?;
        model.init(&mut Rng::new(seed, 0x0076_6c6d_696e_6974)); // "vlminit"
        Ok(model)
    }

    /// Loads the folder `dir` (see the module docs).
    ///
    /// # Errors
    /// [`VlmError::File`] for a missing or unreadable file, [`VlmError::Config`] for a bad
    /// config, and the tensor errors of [`Vlm::load_weights`].
    pub fn from_dir(dir: &Path, device: Device) -> Result<Vlm, VlmError> {
        let config_path = dir.join(CONFIG_FILE);
        let text = fs::read_to_string(&config_path).map_err(|e| file_err(&config_path, e))?;
        let config = VlmConfig::from_json(&text).map_err(|e| match e {
            VlmError::Config(why) => file_err(&config_path, why),
            other => other,
        })?;
        let tok_path = dir.join(TOKENIZER_FILE);
        if !tok_path.is_file() {
            return Err(file_err(&tok_path, "missing"));
        }
        let tokenizer = TextTokenizer::from_file(&tok_path)?;
        let mut model = Vlm::zeros(config, tokenizer, device)?;
        let weights_path = dir.join(WEIGHTS_FILE);
        if !weights_path.is_file() {
            return Err(file_err(&weights_path, "missing"));
        }
        let tensors =
            Tensor::read_safetensors(&weights_path).map_err(|e| file_err(&weights_path, e))?;
        model.load_weights(tensors)?;
        Ok(model)
    }

    /// Copies named tensors into the model's parameters after checking that every parameter is
    /// given once with its shape and nothing else is given. Floating tensors of any precision
    /// are converted to the parameter's kind.
    ///
    /// # Errors
    /// [`VlmError::MissingTensor`], [`VlmError::TensorShape`] or [`VlmError::UnexpectedTensor`]
    /// naming the tensor; the model is unchanged on error.
    pub fn load_weights(&mut self, tensors: Vec<(String, Tensor)>) -> Result<(), VlmError> {
        let mut given: HashMap<String, Tensor> = tensors.into_iter().collect();
        let mut vars: Vec<(String, Tensor)> = self.vars().variables().into_iter().collect();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, var) in &vars {
            match given.get(name) {
                None => {
                    return Err(VlmError::MissingTensor {
                        name: name.clone(),
                        expected: var.size(),
                    })
                }
                Some(t) if t.size() != var.size() => {
                    return Err(VlmError::TensorShape {
                        name: name.clone(),
                        got: t.size(),
                        expected: var.size(),
                    })
                }
                Some(t) if !t.is_floating_point() => {
                    return Err(VlmError::TensorShape {
                        name: format!("{name} (kind {:?}, not floating)", t.kind()),
                        got: t.size(),
                        expected: var.size(),
                    })
                }
                Some(_) => {}
            }
        }
        let known: std::collections::HashSet<&str> = vars.iter().map(|(n, _)| n.as_str()).collect();
        let mut extra: Vec<&String> = given
            .keys()
            .filter(|k| !known.contains(k.as_str()))
            .collect();
        extra.sort();
        if let Some(name) = extra.first() {
            return Err(VlmError::UnexpectedTensor {
                name: (*name).clone(),
            });
        }
        tch::no_grad(|| {
            for (name, mut var) in vars {
                let src = given.remove(&name).expect("checked above");
                var.copy_(&src.to_kind(var.kind()).to_device(var.device()));
            }
        });
        Ok(())
    }

    /// The parameters by name, sorted (shallow handles).
    pub fn weights(&self) -> Vec<(String, Tensor)> {
        let mut vars: Vec<(String, Tensor)> = self.vars().variables().into_iter().collect();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        vars
    }

    /// Writes the folder `dir` (created if needed): config, f32 weights and tokenizer, in the
    /// layout [`Vlm::from_dir`] and transformers read.
    ///
    /// # Errors
    /// [`VlmError::File`] if a file cannot be written.
    pub fn save_dir(&self, dir: &Path) -> Result<(), VlmError> {
        fs::create_dir_all(dir).map_err(|e| file_err(dir, e))?;
        let config_path = dir.join(CONFIG_FILE);
        fs::write(&config_path, self.config().to_json()).map_err(|e| file_err(&config_path, e))?;
        let tok_path = dir.join(TOKENIZER_FILE);
        let json = ocellus_policy::Policy::tokenizer(self).to_json()?;
        fs::write(&tok_path, json).map_err(|e| file_err(&tok_path, e))?;
        let weights_path = dir.join(WEIGHTS_FILE);
        let weights: Vec<(String, Tensor)> = self
            .weights()
            .into_iter()
            .map(|(n, t)| (n, t.to_kind(Kind::Float).to_device(Device::Cpu)))
            .collect();
        Tensor::write_safetensors(&weights, &weights_path).map_err(|e| file_err(&weights_path, e))
    }
}
