//! Token counting with a Hugging Face `tokenizer.json` (Llama 3's by default).
//!
//! Design decision: a count is exactly `len(tokenizer.encode(text, add_special_tokens=False))`
//! from Python `tokenizers` — special tokens written literally in the text (`<|eot_id|>`)
//! still count as one token each, as there — computed with `encode_fast`, which skips the
//! offset bookkeeping a count does not need. Truncation and padding from the file are
//! switched off, since a count must never be capped or padded.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pipeline::config::TokensConfig;
use pipeline::{Doc, Outcome, Stage, StageError};
use tokenizers::Tokenizer;

/// Errors of this module: a missing or unreadable tokenizer, or a text it cannot encode.
#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    /// The tokenizer file does not exist.
    #[error("tokenizer \"{}\" not found; run: seapile assets fetch", path.display())]
    MissingTokenizer { path: PathBuf },
    /// The file exists but is not a tokenizer `tokenizers` can load.
    #[error("cannot load tokenizer \"{}\": {message}", path.display())]
    Load { path: PathBuf, message: String },
    /// The tokenizer failed on a text (not possible with byte-level BPE such as Llama 3's).
    #[error("tokenizer \"{}\" cannot encode text starting \"{start}\": {message}", path.display())]
    Encode {
        path: PathBuf,
        start: String,
        message: String,
    },
}

/// Counts tokens with one loaded tokenizer. Cheap to share between threads (`Arc`).
#[derive(Debug, Clone)]
pub struct TokenCounter {
    tokenizer: Tokenizer,
    path: PathBuf,
}

impl TokenCounter {
    /// Load a `tokenizer.json`. A missing file is an error naming the path and the command
    /// that fetches the assets.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, TokensError> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(TokensError::MissingTokenizer {
                path: path.to_path_buf(),
            });
        }
        let mut tokenizer = Tokenizer::from_file(path).map_err(|e| TokensError::Load {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        tokenizer
            .with_truncation(None)
            .map_err(|e| TokensError::Load {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        tokenizer.with_padding(None);
        Ok(TokenCounter {
            tokenizer,
            path: path.to_path_buf(),
        })
    }

    /// The file this tokenizer was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The number of tokens of `text`, without added special tokens (no BOS).
    pub fn try_count(&self, text: &str) -> Result<u32, TokensError> {
        let encoding =
            self.tokenizer
                .encode_fast(text, false)
                .map_err(|e| TokensError::Encode {
                    path: self.path.clone(),
                    start: text.chars().take(60).collect(),
                    message: e.to_string(),
                })?;
        Ok(u32::try_from(encoding.len()).unwrap_or(u32::MAX))
    }

    /// Like [`TokenCounter::try_count`], for tokenizers that cannot fail (byte-level BPE,
    /// which every supported model uses); a failure would count as 0 tokens. The pipeline
    /// stage uses `try_count` and reports such a failure as an error instead.
    pub fn count(&self, text: &str) -> u32 {
        self.try_count(text).unwrap_or(0)
    }

    /// [`TokenCounter::count`] for each text, in order, on the calling thread (parallelism
    /// belongs to the caller: the runner already runs shards in parallel).
    pub fn count_batch<S: AsRef<str>>(&self, texts: &[S]) -> Vec<u32> {
        texts.iter().map(|t| self.count(t.as_ref())).collect()
    }
}

/// The `tokens` stage: sets `doc.tokens`; never drops (an empty text has 0 tokens).
#[derive(Debug, Clone)]
pub struct TokensStage {
    counter: Arc<TokenCounter>,
}

impl TokensStage {
    /// Load `config.tokenizer`, else `default_tokenizer`.
    pub fn build(config: &TokensConfig, default_tokenizer: &Path) -> Result<Self, TokensError> {
        let path = config.tokenizer.as_deref().unwrap_or(default_tokenizer);
        Ok(Self::with_counter(Arc::new(TokenCounter::load(path)?)))
    }

    /// A stage around an already loaded counter (shared between shards).
    pub fn with_counter(counter: Arc<TokenCounter>) -> Self {
        TokensStage { counter }
    }
}

impl Stage for TokensStage {
    fn name(&self) -> &'static str {
        "tokens"
    }

    fn process(&mut self, mut doc: Doc) -> Result<Outcome, StageError> {
        let n = self
            .counter
            .try_count(&doc.text)
            .map_err(|e| StageError::Failed {
                stage: "tokens",
                message: format!("document \"{}\": {e}", doc.id),
            })?;
        doc.tokens = Some(n);
        Ok(Outcome::Keep(doc))
    }
}
