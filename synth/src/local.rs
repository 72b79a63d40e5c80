//! The in-process CPU engine: a GGUF model run by llama.cpp (through `llama-cpp-2`), the whole
//! batch of requests decoded together in one context, one sequence per request.
//!
//! * One llama backend per process, initialised on first use, with llama.cpp's logs silenced.
//! * Each `generate` call builds a fresh context sized for its sequences (a context borrows the
//!   model and is not `Sync`; a fresh one keeps the engine `Send + Sync` without a lock around
//!   decoding, starts every call from an empty KV cache, and costs little next to decoding).
//! * The KV cache is split per sequence (`kv_unified = false`), so each sequence has its own
//!   `n_ctx` positions and its own attention; prompts are decoded one sequence at a time and the
//!   new tokens of all live sequences together, one token each per step. With each sequence's own
//!   seeded sampler chain, a request's output does not depend on the batch it is in (see the tests).

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::{send_logs_to_tracing, LogOptions};

use crate::engine::{Engine, EngineError, Finish, Generation, Request};

/// Settings of a [`LocalEngine`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalOptions {
    /// CPU threads for decoding (default: the available cores).
    pub threads: usize,
    /// Context of each sequence, prompt and generation together (default 2048).
    pub n_ctx: u32,
    /// Sequences decoded together; larger `generate` calls run in chunks of this size (default 8).
    pub batch: usize,
}

impl Default for LocalOptions {
    fn default() -> Self {
        LocalOptions {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            n_ctx: 2048,
            batch: 8,
        }
    }
}

/// The one llama backend of the process (`LlamaBackend::init` succeeds only once).
fn backend() -> Result<&'static LlamaBackend, EngineError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            send_logs_to_tracing(LogOptions::default().with_logs_enabled(false));
            let mut backend = LlamaBackend::init().map_err(|e| e.to_string())?;
            backend.void_logs();
            Ok(backend)
        })
        .as_ref()
        .map_err(|e| EngineError::Model(format!("cannot initialise llama.cpp: {e}")))
}

/// Creating contexts from one model concurrently is unsound in llama.cpp (it may write to the
/// model), so creations are serialised.
static CONTEXT_CREATION: Mutex<()> = Mutex::new(());

fn model_err(e: impl std::fmt::Display) -> EngineError {
    EngineError::Model(e.to_string())
}

/// A GGUF model run in-process by llama.cpp on the CPU.
pub struct LocalEngine {
    model: LlamaModel,
    name: String,
    opts: LocalOptions,
}

impl std::fmt::Debug for LocalEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalEngine")
            .field("model", &self.name)
            .field("opts", &self.opts)
            .finish()
    }
}

impl LocalEngine {
    /// Loads a GGUF file. `model()` will be the file's name.
    pub fn load(path: &Path, opts: LocalOptions) -> Result<LocalEngine, EngineError> {
        if !path.is_file() {
            return Err(EngineError::Model(format!(
                "no model file at {}",
                path.display()
            )));
        }
        if opts.n_ctx == 0 || opts.batch == 0 || opts.threads == 0 {
            return Err(EngineError::Model(format!(
                "local engine options must be positive: {opts:?}"
            )));
        }
        let backend = backend()?;
        let model = LlamaModel::load_from_file(backend, path, &LlamaModelParams::default())
            .map_err(|e| EngineError::Model(format!("cannot load {}: {e}", path.display())))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(LocalEngine { model, name, opts })
    }

    pub fn options(&self) -> &LocalOptions {
        &self.opts
    }

    /// The GGUF's `tokenizer.chat_template`, if it has one.
    pub fn chat_template(&self) -> Option<String> {
        let t = self.model.chat_template(None).ok()?;
        t.to_string().ok()
    }

    /// The text of the beginning-of-sequence token, if the model has one.
    pub fn bos_text(&self) -> Option<String> {
        self.special_text(self.model.vocab().bos())
    }

    /// The text of the end-of-sequence token, if the model has one.
    pub fn eos_text(&self) -> Option<String> {
        self.special_text(self.model.vocab().eos())
    }

    fn special_text(&self, token: LlamaToken) -> Option<String> {
        if token.0 < 0 || token.0 >= self.model.vocab().n_tokens() {
            return None;
        }
        let bytes = self.model.vocab().token_to_piece(token, true, None);
        let text = String::from_utf8(bytes).ok()?;
        (!text.is_empty()).then_some(text)
    }

    /// Tokens of `text`, special tokens written as text parsed as such, no BOS added.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.tokenize(text).len()
    }

    fn tokenize(&self, text: &str) -> Vec<LlamaToken> {
        self.model.vocab().tokenize(text.as_bytes(), false, true)
    }

    /// Runs one chunk of at most `opts.batch` requests in one context.
    fn generate_chunk(&self, requests: &[Request]) -> Vec<Result<Generation, EngineError>> {
        let n_ctx = self.opts.n_ctx as usize;
        let mut results: Vec<Option<Result<Generation, EngineError>>> =
            (0..requests.len()).map(|_| None).collect();
        let mut seqs = Vec::new();
        for (i, req) in requests.iter().enumerate() {
            let prompt = self.tokenize(&req.prompt);
            if prompt.is_empty() {
                results[i] = Some(Err(EngineError::Model("empty prompt".into())));
            } else if prompt.len() > n_ctx {
                results[i] = Some(Err(EngineError::Model(format!(
                    "prompt of {} tokens exceeds the context of {n_ctx}",
                    prompt.len()
                ))));
            } else if req.sampling.max_tokens == 0 {
                results[i] = Some(Ok(Generation {
                    text: String::new(),
                    finish: Finish::Length,
                    tokens: 0,
                }));
            } else {
                let seq_id = i32::try_from(seqs.len()).unwrap_or(i32::MAX);
                seqs.push(Seq::new(i, seq_id, prompt, req));
            }
        }
        if !seqs.is_empty() {
            match self.run(&mut seqs) {
                Ok(()) => {
                    for s in seqs {
                        let i = s.request;
                        results[i] = Some(Ok(s.finish()));
                    }
                }
                Err(e) => {
                    let message = e.to_string();
                    for s in &seqs {
                        results[s.request] = Some(Err(EngineError::Model(message.clone())));
                    }
                }
            }
        }
        results
            .into_iter()
            .map(|r| r.expect("every request has a result"))
            .collect()
    }

    fn context(&self, n_seqs: usize) -> Result<LlamaContext<'_>, EngineError> {
        let threads = i32::try_from(self.opts.threads).unwrap_or(i32::MAX);
        let n_seqs_u32 = u32::try_from(n_seqs).map_err(model_err)?;
        let total = self
            .opts
            .n_ctx
            .checked_mul(n_seqs_u32)
            .and_then(NonZeroU32::new)
            .ok_or_else(|| EngineError::Model("context size overflows".into()))?;
        let params = LlamaContextParams::default()
            .with_n_ctx(Some(total))
            .with_n_seq_max(n_seqs_u32)
            .with_kv_unified(false)
            .with_n_batch(512)
            .with_n_ubatch(512)
            .with_n_threads(threads)
            .with_n_threads_batch(threads);
        let _guard = CONTEXT_CREATION
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.model
            .new_context(backend()?, params)
            .map_err(|e| EngineError::Model(format!("cannot create a llama.cpp context: {e}")))
    }

    /// Decodes the prompts, then all live sequences one token each per step until all end.
    fn run(&self, seqs: &mut [Seq]) -> Result<(), EngineError> {
        let mut ctx = self.context(seqs.len())?;
        let chunk = ctx.n_batch() as usize;
        let n_ctx = i32::try_from(self.opts.n_ctx).map_err(model_err)?;
        let mut batch = LlamaBatch::new(chunk.max(seqs.len()), 1);

        // Prompts, one sequence per decode (so a prompt is processed the same way whatever the
        // batch), in chunks of at most n_batch tokens.
        for s in seqs.iter_mut() {
            let n = s.prompt.len();
            for (start, part) in (0..n).step_by(chunk).zip(s.prompt.chunks(chunk)) {
                batch.clear();
                for (j, &t) in part.iter().enumerate() {
                    let pos = i32::try_from(start + j).map_err(model_err)?;
                    batch
                        .add(t, pos, &[s.seq_id], start + j + 1 == n)
                        .map_err(model_err)?;
                }
                ctx.decode(&mut batch)
                    .map_err(|e| EngineError::Model(format!("llama.cpp decode failed: {e}")))?;
            }
            s.pos = i32::try_from(n).map_err(model_err)?;
            let token = s.sampler.sample(&ctx, batch.n_tokens() - 1);
            s.push(self, token);
        }

        // Generation: the last sampled token of every live sequence, decoded together.
        let mut live: Vec<usize> = Vec::with_capacity(seqs.len());
        loop {
            live.clear();
            batch.clear();
            for (k, s) in seqs.iter_mut().enumerate() {
                if s.done.is_some() {
                    continue;
                }
                if s.pos >= n_ctx {
                    s.done = Some(Finish::Length);
                    continue;
                }
                batch
                    .add(s.last, s.pos, &[s.seq_id], true)
                    .map_err(model_err)?;
                s.pos += 1;
                live.push(k);
            }
            if live.is_empty() {
                return Ok(());
            }
            ctx.decode(&mut batch)
                .map_err(|e| EngineError::Model(format!("llama.cpp decode failed: {e}")))?;
            for (b, &k) in live.iter().enumerate() {
                let s = &mut seqs[k];
                let token = s.sampler.sample(&ctx, i32::try_from(b).map_err(model_err)?);
                s.push(self, token);
            }
        }
    }
}

/// One request's sequence in a context.
struct Seq {
    request: usize,
    seq_id: i32,
    prompt: Vec<LlamaToken>,
    sampler: LlamaSampler,
    max_tokens: u32,
    stop: Vec<Vec<u8>>,
    /// Next position to decode at.
    pos: i32,
    /// The last sampled token, to decode next.
    last: LlamaToken,
    bytes: Vec<u8>,
    tokens: u32,
    done: Option<Finish>,
}

impl Seq {
    fn new(request: usize, seq_id: i32, prompt: Vec<LlamaToken>, req: &Request) -> Seq {
        let s = &req.sampling;
        let sampler = if s.temperature <= 0.0 {
            LlamaSampler::greedy()
        } else {
            LlamaSampler::chain_simple([
                LlamaSampler::temp(s.temperature),
                LlamaSampler::top_p(s.top_p, 1),
                LlamaSampler::dist(seed32(req.seed)),
            ])
        };
        Seq {
            request,
            seq_id,
            prompt,
            sampler,
            max_tokens: s.max_tokens,
            stop: req
                .stop
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.as_bytes().to_vec())
                .collect(),
            pos: 0,
            last: LlamaToken(-1),
            bytes: Vec::new(),
            tokens: 0,
            done: None,
        }
    }

    /// Takes a sampled token: end of generation, stop string, or length.
    fn push(&mut self, engine: &LocalEngine, token: LlamaToken) {
        let vocab = engine.model.vocab();
        self.last = token;
        // Every sampled token counts, the end-of-generation one included (it is not in the text).
        self.tokens += 1;
        if vocab.is_eog(token) {
            self.done = Some(Finish::Stop);
            return;
        }
        let before = self.bytes.len();
        // Special tokens are rendered as text, so stop strings can catch them.
        vocab.token_to_piece_into(token, &mut self.bytes, true, None);
        if let Some(cut) = self.stop_at(before) {
            self.bytes.truncate(cut);
            self.done = Some(Finish::Stop);
        } else if self.tokens >= self.max_tokens {
            self.done = Some(Finish::Length);
        }
    }

    /// The earliest stop string that ends in the bytes appended after `before`.
    fn stop_at(&self, before: usize) -> Option<usize> {
        self.stop
            .iter()
            .filter_map(|stop| {
                let from = before.saturating_sub(stop.len().saturating_sub(1));
                self.bytes[from..]
                    .windows(stop.len())
                    .position(|w| w == stop.as_slice())
                    .map(|p| from + p)
            })
            .min()
    }

    fn finish(self) -> Generation {
        let mut bytes = self.bytes;
        // A generation cut inside a multibyte character drops the incomplete tail.
        if let Err(e) = std::str::from_utf8(&bytes) {
            if e.error_len().is_none() {
                bytes.truncate(e.valid_up_to());
            }
        }
        Generation {
            text: String::from_utf8_lossy(&bytes).into_owned(),
            finish: self.done.unwrap_or(Finish::Length),
            tokens: self.tokens,
        }
    }
}

/// llama.cpp's samplers take a 32-bit seed, and `u32::MAX` means "random".
fn seed32(seed: u64) -> u32 {
    let folded = (seed ^ (seed >> 32)) as u32;
    if folded == u32::MAX {
        u32::MAX - 1
    } else {
        folded
    }
}

impl Engine for LocalEngine {
    fn model(&self) -> &str {
        &self.name
    }

    fn batch_size(&self) -> usize {
        self.opts.batch
    }

    fn generate(&self, requests: &[Request]) -> Vec<Result<Generation, EngineError>> {
        requests
            .chunks(self.opts.batch)
            .flat_map(|chunk| self.generate_chunk(chunk))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Sampling;
    use std::path::PathBuf;
    use std::time::Instant;

    fn model_path() -> PathBuf {
        match std::env::var_os("SEAPILE_TEST_GGUF") {
            Some(p) => PathBuf::from(p),
            None => testkit::cache_dir().join("models/SmolLM2-135M-Instruct.Q4_1.gguf"),
        }
    }

    fn engine() -> &'static LocalEngine {
        static ENGINE: OnceLock<LocalEngine> = OnceLock::new();
        ENGINE.get_or_init(|| {
            let path = model_path();
            assert!(
                path.is_file(),
                "test model missing: {} (set SEAPILE_TEST_GGUF to a SmolLM2-135M-Instruct GGUF, \
                 or put it at $SEAPILE_CACHE/models/SmolLM2-135M-Instruct.Q4_1.gguf)",
                path.display()
            );
            let opts = LocalOptions {
                threads: 2,
                ..LocalOptions::default()
            };
            LocalEngine::load(&path, opts).expect("test model loads")
        })
    }

    /// The ChatML response prompt of one user turn. (With SmolLM2's default system turn, "You
    /// are a helpful AI assistant named SmolLM, trained by Hugging Face", the Q4_1 135M model's
    /// greedy answer to the capital of France is "L'Étoile, la Marseillaise, ..." — its first
    /// token "L" beats "The" by 0.35 logits — so the tests use no system turn.)
    fn chat(user: &str) -> String {
        format!("<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n")
    }

    fn request(prompt: String, temperature: f32, max_tokens: u32, seed: u64) -> Request {
        Request {
            prompt,
            sampling: Sampling {
                temperature,
                top_p: 0.95,
                max_tokens,
            },
            seed,
            stop: Vec::new(),
        }
    }

    fn one(req: Request) -> Generation {
        let mut out = engine().generate(std::slice::from_ref(&req));
        assert_eq!(out.len(), 1);
        out.remove(0).expect("generation succeeds")
    }

    #[test]
    fn greedy_answer_names_paris_and_stops() {
        let g = one(request(chat("What is the capital of France?"), 0.0, 128, 0));
        assert!(g.text.contains("Paris"), "{g:?}");
        assert_eq!(g.finish, Finish::Stop, "{g:?}");
        assert!(!g.text.contains("<|im_end|>"), "{g:?}");
        assert!(g.tokens > 0 && g.tokens < 128, "{g:?}");
    }

    fn four() -> Vec<Request> {
        [
            "Write a haiku about the sea.",
            "Give me three tips for learning a new language.",
            "What is photosynthesis?",
            "Tell me a short story about a cat.",
        ]
        .iter()
        .zip([11u64, 22, 33, 44])
        .map(|(q, seed)| request(chat(q), 0.8, 48, seed))
        .collect()
    }

    #[test]
    fn a_batch_gives_what_each_request_gives_alone() {
        let reqs = four();
        let batched: Vec<Generation> = engine()
            .generate(&reqs)
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        let again: Vec<Generation> = engine()
            .generate(&reqs)
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(batched, again, "same batch twice");
        for (req, b) in reqs.iter().zip(&batched) {
            assert_eq!(&one(req.clone()), b, "alone vs batched: {}", req.prompt);
        }
        // Reordered, and with a different companion.
        let mut shuffled = vec![reqs[2].clone(), reqs[0].clone()];
        shuffled.push(request(chat("Name a color."), 0.8, 20, 5));
        let out = engine().generate(&shuffled);
        assert_eq!(out[0].as_ref().unwrap(), &batched[2]);
        assert_eq!(out[1].as_ref().unwrap(), &batched[0]);
        // Different seeds give different samples.
        let mut other = reqs[0].clone();
        other.seed = 12345;
        assert_ne!(one(other).text, batched[0].text);
    }

    #[test]
    fn max_tokens_truncates() {
        let g = one(request(
            chat("Tell me a long story about dragons."),
            0.0,
            5,
            0,
        ));
        assert_eq!(g.finish, Finish::Length, "{g:?}");
        assert_eq!(g.tokens, 5, "{g:?}");
        assert!(!g.text.is_empty());
    }

    #[test]
    fn stop_strings_end_and_are_stripped() {
        let mut req = request(chat("What is the capital of France?"), 0.0, 128, 0);
        req.stop = vec!["Paris".into()];
        let g = one(req);
        assert_eq!(g.finish, Finish::Stop, "{g:?}");
        assert!(!g.text.contains("Paris"), "{g:?}");
        let full = one(request(chat("What is the capital of France?"), 0.0, 128, 0));
        assert!(full.text.starts_with(&g.text), "{g:?} vs {full:?}");
    }

    #[test]
    fn a_too_long_prompt_fails_alone() {
        let long = chat(&"word ".repeat(3000));
        let reqs = vec![
            request(long, 0.0, 8, 0),
            request(chat("What is the capital of France?"), 0.0, 8, 0),
        ];
        let out = engine().generate(&reqs);
        match &out[0] {
            Err(EngineError::Model(m)) => {
                assert!(m.contains("exceeds the context of 2048"), "{m}")
            }
            other => panic!("expected a context error, got {other:?}"),
        }
        assert_eq!(out[1].as_ref().unwrap().tokens, 8);
    }

    #[test]
    fn metadata_and_tokens() {
        let e = engine();
        assert!(e.chat_template().unwrap().contains("<|im_start|>"));
        assert_eq!(e.model(), "SmolLM2-135M-Instruct.Q4_1.gguf");
        assert_eq!(e.batch_size(), 8);
        assert_eq!(e.bos_text().as_deref(), Some("<|im_start|>"));
        assert_eq!(e.eos_text().as_deref(), Some("<|im_end|>"));
        // Special tokens parsed, no BOS added: <|im_start|> user \n
        assert_eq!(e.count_tokens("<|im_start|>user\n"), 3);
        assert_eq!(e.count_tokens(""), 0);
    }

    #[test]
    fn multibyte_text_decodes_whole() {
        let mut bad = Vec::new();
        let mut non_ascii = false;
        for (i, q) in [
            "Say 'こんにちは世界' three times.",
            "Write 'ขอบคุณ 😊' twice.",
        ]
        .iter()
        .enumerate()
        {
            let g = one(request(chat(q), 0.7, 40, i as u64));
            non_ascii |= !g.text.is_ascii();
            if g.text.contains('\u{FFFD}') {
                bad.push(g);
            }
        }
        assert!(bad.is_empty(), "{bad:?}");
        assert!(
            non_ascii,
            "no multibyte text was generated: the test proves nothing"
        );
    }

    #[test]
    fn stop_strings_span_pieces_and_cut_characters_are_dropped() {
        let mut req = request("x".into(), 0.0, 10, 0);
        req.stop = vec!["<|im_end|>".into(), String::new()];
        let mut s = Seq::new(0, 0, Vec::new(), &req);
        s.bytes.extend_from_slice(b"Hello <|im_");
        assert_eq!(s.stop_at(0), None);
        let before = s.bytes.len();
        s.bytes.extend_from_slice(b"end|> more");
        assert_eq!(s.stop_at(before), Some(6));
        let mut s = Seq::new(0, 0, Vec::new(), &req);
        s.bytes.extend_from_slice("ok こ".as_bytes());
        s.bytes.extend_from_slice(&"ん".as_bytes()[..2]);
        assert_eq!(s.finish().text, "ok こ");
    }

    /// `cargo test -p synth --features local --lib local::tests::throughput -- --ignored --nocapture`
    /// (llama.cpp is built optimised even in the dev profile).
    #[test]
    #[ignore = "benchmark"]
    fn throughput() {
        let e = engine();
        let prompts = [
            "Write a story about a dragon.",
            "Explain how rain forms.",
            "Describe your favourite city.",
            "Write a poem about autumn.",
            "Tell me about the history of tea.",
            "How do airplanes fly?",
            "Write a letter to a friend.",
            "What makes a good teacher?",
        ];
        for n in [1usize, 8] {
            let reqs: Vec<Request> = prompts[..n]
                .iter()
                .enumerate()
                .map(|(i, q)| request(chat(q), 1.0, 128, i as u64))
                .collect();
            let t = Instant::now();
            let out = e.generate(&reqs);
            let secs = t.elapsed().as_secs_f64();
            let tokens: u32 = out.iter().map(|g| g.as_ref().unwrap().tokens).sum();
            eprintln!(
                "{n} sequence(s): {tokens} tokens in {secs:.2}s = {:.1} tok/s",
                f64::from(tokens) / secs
            );
        }
    }
}
