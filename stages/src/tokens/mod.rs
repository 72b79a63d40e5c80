//! Token counting with a Hugging Face `tokenizer.json` (Llama 3's by default).
//!
//! Design decision: a count is exactly `len(tokenizer.encode(text, add_special_tokens=False))`
//! from Python `tokenizers` — special tokens written literally in the text (`<|eot_id|>`)
//! still count as one token each, as there. Files of the byte-level BPE family this module
//! reproduces exactly (Llama 3 / 3.1, Qwen 2.5 / 3: see [`fast`]) are counted by a
//! hand-written pre-tokenizer and rank-merge BPE many times faster than `tokenizers`; any
//! other file (Gemma's SentencePiece-style BPE, WordPiece, Unigram, other split patterns)
//! is counted by the `tokenizers` crate itself with `encode_fast`, chosen automatically at
//! load. Truncation and padding from the file are switched off, since a count must never be
//! capped or padded.

mod fast;
mod json;
mod pairs;
mod piece_cache;
mod pretok;
mod spm;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pipeline::{Assets, BuildError, BuildStage, Doc, ModelFile, Outcome, Stage, StageError};
use serde::{Deserialize, Serialize};
use tokenizers::Tokenizer;

/// Llama 3's `tokenizer.json` in the asset cache: the default tokenizer.
pub const LLAMA3_TOKENIZER: &str = "llama3/tokenizer.json";

/// Tokenizers known by name, and their `tokenizer.json` in the asset cache.
pub const NAMED: [(&str, &str); 5] = [
    ("llama3", LLAMA3_TOKENIZER),
    ("llama3.1", "tokenizers/llama3_1/tokenizer.json"),
    ("gemma3", "tokenizers/gemma3/tokenizer.json"),
    ("qwen2.5", "tokenizers/qwen2_5/tokenizer.json"),
    ("qwen3", "tokenizers/qwen3/tokenizer.json"),
];

/// A tokenizer given as a known name (`gemma3`, see [`NAMED`]) or a `tokenizer.json` path.
pub fn resolve(name_or_path: &Path, assets: &Assets) -> Result<PathBuf, TokensError> {
    let name = name_or_path.to_string_lossy().to_ascii_lowercase();
    match NAMED.iter().find(|(n, _)| *n == name) {
        Some((_, rel)) if !name_or_path.exists() => Ok(assets.require(rel)?),
        _ => Ok(name_or_path.to_path_buf()),
    }
}

/// `type = "tokens"`: count each kept document's tokens.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokensConfig {
    /// Hugging Face `tokenizer.json`, or a known name (`llama3`, `llama3.1`, `gemma3`,
    /// `qwen2.5`, `qwen3`, from the asset cache); default: Llama 3's.
    #[serde(default)]
    pub tokenizer: Option<PathBuf>,
}

impl TokensConfig {
    /// Load `tokenizer`, else the cached Llama 3 tokenizer.
    pub fn stage(&self, assets: &Assets) -> Result<TokensStage, TokensError> {
        let path = match &self.tokenizer {
            Some(p) => resolve(p, assets)?,
            None => assets.require(LLAMA3_TOKENIZER)?,
        };
        Ok(TokensStage::with_counter(Arc::new(TokenCounter::load(
            path,
        )?)))
    }
}

impl BuildStage for TokensConfig {
    fn build(&self, assets: &Assets) -> Result<Box<dyn Stage>, BuildError> {
        pipeline::stage::boxed("tokens", self.stage(assets))
    }
}

/// Errors of this module: a missing or unreadable tokenizer, or a text it cannot encode.
#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    /// The tokenizer file does not exist.
    #[error("tokenizer \"{}\" not found; run: seapile assets fetch", path.display())]
    MissingTokenizer { path: PathBuf },
    /// The file exists but is not a tokenizer `tokenizers` can load.
    #[error("cannot load tokenizer \"{}\": {source}", path.display())]
    Load {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The tokenizer failed on a text (not possible with byte-level BPE such as Llama 3's).
    #[error("tokenizer \"{}\" cannot encode text starting \"{start}\": {source}", path.display())]
    Encode {
        path: PathBuf,
        start: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The default tokenizer is not in the asset cache.
    #[error(transparent)]
    Missing(#[from] pipeline::MissingAsset),
}

/// Which implementation counts for a [`TokenCounter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// This crate's exact byte-level BPE counter (Llama 3, Qwen).
    FastBpe,
    /// This crate's exact SentencePiece-style BPE counter (Gemma 3).
    SpmBpe,
    /// The Hugging Face `tokenizers` crate (the reference, and the fallback).
    HfTokenizers,
}

impl Engine {
    /// A stable name for reports: `fast-bpe` or `hf-tokenizers`.
    pub fn name(self) -> &'static str {
        match self {
            Engine::FastBpe => "fast-bpe",
            Engine::SpmBpe => "fast-spm-bpe",
            Engine::HfTokenizers => "hf-tokenizers",
        }
    }
}

#[derive(Debug, Clone)]
enum Inner {
    Fast(Box<fast::FastBpe>),
    Spm(Box<spm::SpmBpe>),
    Hf(Box<Tokenizer>),
}

/// Counts tokens with one loaded tokenizer. Cheap to share between threads (`Arc`).
#[derive(Debug, Clone)]
pub struct TokenCounter {
    inner: Inner,
    path: PathBuf,
    fallback_reason: Option<String>,
}

impl TokenCounter {
    /// Load a `tokenizer.json`, with the fast counter when the file is of a supported kind
    /// and `tokenizers` otherwise. A missing file is an error naming the path and the
    /// command that fetches the assets.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, TokensError> {
        let path = path.as_ref();
        let bytes = read_tokenizer(path)?;
        let inner = match json::parse(&bytes) {
            Err(e) => Err(format!("not read as a BPE tokenizer.json: {e}")),
            Ok(file) => match fast::FastBpe::from_json(&file) {
                Ok(fast) => Ok(Inner::Fast(Box::new(fast))),
                Err(byte_level) => match spm::SpmBpe::from_json(&file) {
                    Ok(spm) => Ok(Inner::Spm(Box::new(spm))),
                    Err(spm) => Err(format!("{byte_level}; as SentencePiece BPE: {spm}")),
                },
            },
        };
        match inner {
            Ok(inner) => Ok(TokenCounter {
                inner,
                path: path.to_path_buf(),
                fallback_reason: None,
            }),
            Err(reason) => {
                let mut counter = Self::load_reference(path)?;
                counter.fallback_reason = Some(reason);
                Ok(counter)
            }
        }
    }

    /// Load a `tokenizer.json` with the Hugging Face `tokenizers` crate only (the reference
    /// the fast counter is checked against).
    pub fn load_reference(path: impl AsRef<Path>) -> Result<Self, TokensError> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(TokensError::MissingTokenizer {
                path: path.to_path_buf(),
            });
        }
        let load_err = |source| TokensError::Load {
            path: path.to_path_buf(),
            source,
        };
        let mut tokenizer = Tokenizer::from_file(path).map_err(load_err)?;
        tokenizer.with_truncation(None).map_err(load_err)?;
        tokenizer.with_padding(None);
        Ok(TokenCounter {
            inner: Inner::Hf(Box::new(tokenizer)),
            path: path.to_path_buf(),
            fallback_reason: None,
        })
    }

    /// The implementation in use.
    pub fn engine(&self) -> Engine {
        match self.inner {
            Inner::Fast(_) => Engine::FastBpe,
            Inner::Spm(_) => Engine::SpmBpe,
            Inner::Hf(_) => Engine::HfTokenizers,
        }
    }

    /// Why [`TokenCounter::load`] fell back to `tokenizers` (the unsupported part of the
    /// file), if it did.
    pub fn fallback_reason(&self) -> Option<&str> {
        self.fallback_reason.as_deref()
    }

    /// Forget what this thread's counters have cached (chunk counts of SentencePiece-style
    /// tokenizers), so a benchmark round starts cold.
    pub fn clear_thread_cache() {
        spm::clear_thread_cache();
    }

    /// The file this tokenizer was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The number of tokens of `text`, without added special tokens (no BOS).
    pub fn try_count(&self, text: &str) -> Result<u32, TokensError> {
        let tokenizer = match &self.inner {
            Inner::Fast(fast) => return Ok(u32::try_from(fast.count(text)).unwrap_or(u32::MAX)),
            Inner::Spm(spm) => return Ok(u32::try_from(spm.count(text)).unwrap_or(u32::MAX)),
            Inner::Hf(tokenizer) => tokenizer,
        };
        let encoding =
            tokenizer
                .encode_fast(text, false)
                .map_err(|source| TokensError::Encode {
                    path: self.path.clone(),
                    start: text.chars().take(60).collect(),
                    source,
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

/// The bytes of a tokenizer file, or an error naming it.
fn read_tokenizer(path: &Path) -> Result<Vec<u8>, TokensError> {
    if !path.is_file() {
        return Err(TokensError::MissingTokenizer {
            path: path.to_path_buf(),
        });
    }
    std::fs::read(path).map_err(|e| TokensError::Load {
        path: path.to_path_buf(),
        source: Box::new(e),
    })
}

/// The `tokens` stage: sets `doc.tokens`; never drops (an empty text has 0 tokens).
#[derive(Debug, Clone)]
pub struct TokensStage {
    counter: Arc<TokenCounter>,
}

impl TokensStage {
    /// A stage around an already loaded counter (shared between shards).
    pub fn with_counter(counter: Arc<TokenCounter>) -> Self {
        TokensStage { counter }
    }

    /// The counter this stage counts with.
    pub fn counter(&self) -> &TokenCounter {
        &self.counter
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
            .map_err(|e| StageError::failed("tokens", &doc.id, e))?;
        doc.tokens = Some(n);
        Ok(Outcome::Keep(doc))
    }

    fn model_files(&self) -> Vec<ModelFile> {
        vec![ModelFile {
            role: "token counts (tokenizer.json)",
            path: self.counter.path().to_path_buf(),
        }]
    }
}
