//! One trait for every text generator: the in-process llama.cpp engine ([`crate::local`], the
//! default, behind the `local` feature) and OpenAI-compatible servers ([`crate::openai`]: vLLM,
//! SGLang, TGI, llama.cpp's server). Magpie needs raw completions — the prompt is sent as text,
//! never wrapped in a chat endpoint's own template.

use serde::{Deserialize, Serialize};

/// Sampling settings, part of every cache key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sampling {
    pub temperature: f32,
    pub top_p: f32,
    /// Most new tokens per generation; a generation that reaches it is truncated.
    pub max_tokens: u32,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            temperature: 1.0,
            top_p: 0.99,
            max_tokens: 512,
        }
    }
}

/// One raw completion to make.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The raw prompt, special tokens written as text (e.g. `<|im_start|>user\n`).
    pub prompt: String,
    pub sampling: Sampling,
    pub seed: u64,
    /// Strings that end the generation (not included in the text). Engines also stop at the
    /// model's own end-of-generation tokens.
    pub stop: Vec<String>,
}

/// Why a generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    /// At an end-of-turn/end-of-generation token or a stop string.
    Stop,
    /// At `max_tokens` (or the context size): the text is truncated.
    Length,
}

/// One finished generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    pub text: String,
    pub finish: Finish,
    /// New tokens generated, as the engine counts them.
    pub tokens: u32,
}

/// A text generator. `generate` takes a batch and returns one result per request, in order;
/// engines run the batch concurrently (sequences decoded together, or requests in flight).
/// A failed request is an `Err` for that request alone.
pub trait Engine: Send + Sync {
    /// Model name or path as recorded in outputs and cache keys.
    fn model(&self) -> &str;
    /// How many requests one `generate` call should carry to keep the engine busy.
    fn batch_size(&self) -> usize;
    fn generate(&self, requests: &[Request]) -> Vec<Result<Generation, EngineError>>;
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("request to {url} failed after {attempts} attempt(s): {message}")]
    Http {
        url: String,
        attempts: u32,
        message: String,
    },
    #[error("bad response from {url}: {message}")]
    BadResponse { url: String, message: String },
    #[error("model error: {0}")]
    Model(String),
}
