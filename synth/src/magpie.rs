//! The Magpie run: a deterministic plan of samples per language (quotas), instruction requests
//! from the pre-query prefix, response requests for the instructions that pass, every pair
//! checked (filters, language of both turns, near-duplicate instructions across the whole set),
//! every request cached so a killed run resumes without asking anything twice.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cache::{self, Cache};
use crate::engine::{Engine, Generation, Request, Sampling};
use crate::filters::{self, FilterConfig};
use crate::lang::{self, Language, Steering};
use crate::openai::OpenAiOptions;
use crate::template::{ChatTemplate, Magpie};

#[derive(Debug, thiserror::Error)]
pub enum MagpieError {
    #[error("config: {0}")]
    Config(String),
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
    #[error("cache: {0}")]
    Cache(#[from] std::io::Error),
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
}

/// Which engine generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    Local,
    Openai,
}

/// The in-process engine's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocalConfig {
    /// 0: every core.
    pub threads: usize,
    pub n_ctx: u32,
    /// Sequences decoded together.
    pub batch: usize,
}

impl Default for LocalConfig {
    fn default() -> Self {
        LocalConfig {
            threads: 0,
            n_ctx: 2048,
            batch: 8,
        }
    }
}

/// What to write besides `data/*.parquet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    pub jsonl: bool,
    /// Add a ShareGPT `conversations` column (`from`: human/gpt, `value`).
    pub sharegpt: bool,
    /// The licence field of the dataset card (the model's licence usually decides it).
    pub license: String,
    pub pretty_name: String,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            jsonl: false,
            sharegpt: false,
            license: "other".into(),
            pretty_name: "seapile Magpie SEA instructions".into(),
        }
    }
}

/// `seapile magpie` configuration (TOML; every field has a default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MagpieConfig {
    pub engine: EngineKind,
    /// GGUF path (local engine; empty: the default model) or served model name (OpenAI).
    pub model: String,
    /// `tokenizer_config.json` or `.gguf` whose chat template to use; empty: the GGUF's own.
    pub template: String,
    /// Variables for the template (`enable_thinking = false`, `thinking_mode = "off"`).
    pub template_vars: BTreeMap<String, serde_json::Value>,
    /// Samples (instruction attempts) in all; kept pairs are fewer.
    pub n: usize,
    pub seed: u64,
    pub steering: Steering,
    /// Share of samples per language (ISO 639-3 or an alias); normalised to sum to 1.
    pub languages: BTreeMap<String, f64>,
    pub instruction: Sampling,
    pub response: Sampling,
    pub filters: FilterConfig,
    pub local: LocalConfig,
    pub openai: OpenAiOptions,
    pub output: OutputConfig,
}

impl Default for MagpieConfig {
    fn default() -> Self {
        MagpieConfig {
            engine: EngineKind::Local,
            model: String::new(),
            template: String::new(),
            template_vars: BTreeMap::new(),
            n: 60,
            seed: 0,
            steering: Steering::Both,
            languages: [("ind", 0.3), ("vie", 0.3), ("zho", 0.2), ("tha", 0.2)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            instruction: Sampling {
                temperature: 1.0,
                top_p: 1.0,
                max_tokens: 128,
            },
            response: Sampling {
                temperature: 0.7,
                top_p: 0.9,
                max_tokens: 512,
            },
            filters: FilterConfig::default(),
            local: LocalConfig::default(),
            openai: OpenAiOptions::default(),
            output: OutputConfig::default(),
        }
    }
}

impl MagpieConfig {
    pub fn from_toml(text: &str) -> Result<MagpieConfig, MagpieError> {
        let c: MagpieConfig =
            toml::from_str(text).map_err(|e| MagpieError::Config(e.to_string()))?;
        c.quotas()?;
        Ok(c)
    }

    /// Languages with their normalised shares, in [`lang::LANGUAGES`] order.
    pub fn quotas(&self) -> Result<Vec<(&'static Language, f64)>, MagpieError> {
        let mut shares: HashMap<&'static str, f64> = HashMap::new();
        for (code, share) in &self.languages {
            let l = lang::language(code).ok_or_else(|| {
                MagpieError::Config(format!(
                    "unknown language {code:?}; known: {}",
                    lang::LANGUAGES
                        .iter()
                        .map(|l| l.code)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            if !share.is_finite() || *share < 0.0 {
                return Err(MagpieError::Config(format!(
                    "share of {code} must be a number >= 0, got {share}"
                )));
            }
            *shares.entry(l.code).or_default() += share;
        }
        // Summed in the languages' order: a hash map's order differs from one run to the
        // next, and so would the last bits of the total, and the plan's counts with them.
        let total: f64 = lang::LANGUAGES
            .iter()
            .filter_map(|l| shares.get(l.code))
            .sum();
        if total <= 0.0 {
            return Err(MagpieError::Config(
                "no language has a share above 0 (set [languages])".into(),
            ));
        }
        Ok(lang::LANGUAGES
            .iter()
            .filter_map(|l| shares.get(l.code).map(|s| (l, s / total)))
            .filter(|(_, s)| *s > 0.0)
            .collect())
    }
}

/// One planned sample.
#[derive(Debug, Clone)]
pub struct Sample {
    /// `{lang}-{index:06}`: stable across runs with the same config.
    pub id: String,
    pub lang: &'static Language,
    pub index: usize,
    pub seed: u64,
}

/// The samples of a run: `n` split over the quotas by largest remainder, each with its seed.
pub fn plan(config: &MagpieConfig) -> Result<Vec<Sample>, MagpieError> {
    let quotas = config.quotas()?;
    let n = config.n;
    let mut counts: Vec<usize> = quotas
        .iter()
        .map(|(_, s)| (s * n as f64).floor() as usize)
        .collect();
    let mut rest: Vec<(usize, f64)> = quotas
        .iter()
        .enumerate()
        .map(|(i, (_, s))| (i, s * n as f64 - counts[i] as f64))
        .collect();
    rest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let missing = n - counts.iter().sum::<usize>();
    for (i, _) in rest.into_iter().take(missing) {
        counts[i] += 1;
    }
    let mut samples = Vec::with_capacity(n);
    for ((l, _), count) in quotas.iter().zip(counts) {
        for index in 0..count {
            let id = format!("{}-{index:06}", l.code);
            let seed = u64::from_le_bytes(
                Sha256::digest(format!("{}:{id}", config.seed).as_bytes())[..8]
                    .try_into()
                    .expect("8 bytes"),
            ) >> 1;
            samples.push(Sample {
                id,
                lang: l,
                index,
                seed,
            });
        }
    }
    Ok(samples)
}

/// Language ID for the check (the SEA layer over lid.176).
pub trait LanguageCheck: Sync {
    /// (ISO 639-3, score) of `text`.
    fn identify(&self, text: &str) -> (&'static str, f32);
}

impl LanguageCheck for langid::SeaLangid {
    fn identify(&self, text: &str) -> (&'static str, f32) {
        let id = langid::SeaLangid::identify(self, &text.replace('\n', " "));
        (id.lang, id.score)
    }
}

/// One generated pair with its signals, kept or not.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub id: String,
    pub language: &'static str,
    pub instruction: String,
    pub response: String,
    pub instruction_tokens: u32,
    pub response_tokens: u32,
    pub seed: u64,
    pub instruction_lang: String,
    pub instruction_lang_score: f32,
    pub response_lang: String,
    pub response_lang_score: f32,
    /// The drop reason, `None` when kept.
    pub reason: Option<&'static str>,
}

/// Per-language counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LangReport {
    pub samples: u64,
    pub kept: u64,
    pub dropped: BTreeMap<String, u64>,
    pub instruction_tokens: u64,
    pub response_tokens: u64,
}

impl LangReport {
    pub fn keep_rate(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.kept as f64 / self.samples as f64
        }
    }
}

/// What a run did (written as `stats.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RunReport {
    pub model: String,
    pub template: String,
    pub template_hash: String,
    pub engine: String,
    pub steering: String,
    pub pre_query: BTreeMap<String, String>,
    pub stops: Vec<String>,
    pub samples: u64,
    pub kept: u64,
    pub per_language: BTreeMap<String, LangReport>,
    /// Requests sent to the engine this run, and answered from the cache.
    pub requests_sent: u64,
    pub cache_hits: u64,
    pub engine_errors: u64,
    pub generated_tokens: u64,
    pub generation_seconds: f64,
    pub seconds: f64,
}

/// Everything a run needs.
pub struct Run<'a> {
    pub config: &'a MagpieConfig,
    pub engine: &'a dyn Engine,
    pub template: &'a ChatTemplate,
    pub langid: &'a dyn LanguageCheck,
    /// Progress lines go here (`None`: quiet).
    pub progress: Option<&'a (dyn Fn(&str) + Sync)>,
}

struct Prompts<'m> {
    magpie: Magpie<'m>,
    steering: Steering,
}

impl Prompts<'_> {
    fn system(&self, l: &Language) -> Option<&'static str> {
        self.steering.system().then_some(l.system)
    }
    fn opening(&self, s: &Sample) -> &'static str {
        if self.steering.opening() {
            s.lang.openings[s.index % s.lang.openings.len()]
        } else {
            ""
        }
    }
}

impl Run<'_> {
    /// Generate and check every planned pair; requests go through `cache`.
    pub fn execute(&self, cache: &mut Cache) -> Result<(Vec<Pair>, RunReport), MagpieError> {
        let started = Instant::now();
        let samples = plan(self.config)?;
        let prompts = Prompts {
            magpie: self.template.magpie()?,
            steering: self.config.steering,
        };
        let mut report = RunReport {
            model: self.engine.model().to_string(),
            template: self.template.origin.clone(),
            template_hash: self.template.hash(),
            engine: format!("{:?}", self.config.engine).to_lowercase(),
            steering: serde_json::to_value(self.config.steering)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            stops: prompts.magpie.stops.clone(),
            samples: samples.len() as u64,
            ..Default::default()
        };
        for (l, _) in self.config.quotas()? {
            let p = prompts.magpie.pre_query(prompts.system(l), "")?;
            report.pre_query.insert(l.code.to_string(), p);
        }
        let mut pairs: Vec<Pair> = Vec::with_capacity(samples.len());
        let chunk = self.engine.batch_size().max(1);
        for (c, batch) in samples.chunks(chunk).enumerate() {
            pairs.extend(self.chunk(batch, &prompts, cache, &mut report)?);
            if let Some(p) = self.progress {
                let done = (c * chunk + batch.len()) as u64;
                let kept = pairs.iter().filter(|p| p.reason.is_none()).count();
                p(&format!(
                    "[magpie] {done}/{} samples, {kept} pass so far, {} requests sent, {} cached",
                    report.samples, report.requests_sent, report.cache_hits
                ));
            }
        }
        near_duplicates(&mut pairs, self.config.filters.near_duplicate_jaccard);
        for p in &pairs {
            let r = report
                .per_language
                .entry(p.language.to_string())
                .or_default();
            r.samples += 1;
            match p.reason {
                None => {
                    r.kept += 1;
                    r.instruction_tokens += p.instruction_tokens as u64;
                    r.response_tokens += p.response_tokens as u64;
                }
                Some(reason) => *r.dropped.entry(reason.to_string()).or_default() += 1,
            }
        }
        report.kept = pairs.iter().filter(|p| p.reason.is_none()).count() as u64;
        report.seconds = started.elapsed().as_secs_f64();
        Ok((pairs, report))
    }

    /// Ask for what the cache lacks (one batch), store it as one cache line.
    fn ask(
        &self,
        requests: Vec<(String, Request)>,
        cache: &mut Cache,
        report: &mut RunReport,
    ) -> Result<Vec<Result<Generation, String>>, MagpieError> {
        let missing: Vec<usize> = (0..requests.len())
            .filter(|&i| cache.get(&requests[i].0).is_none())
            .collect();
        report.cache_hits += (requests.len() - missing.len()) as u64;
        let mut fresh: HashMap<usize, Result<Generation, String>> = HashMap::new();
        if !missing.is_empty() {
            let batch: Vec<Request> = missing.iter().map(|&i| requests[i].1.clone()).collect();
            let t = Instant::now();
            let results = self.engine.generate(&batch);
            report.generation_seconds += t.elapsed().as_secs_f64();
            report.requests_sent += batch.len() as u64;
            let mut store = Vec::new();
            for (&i, r) in missing.iter().zip(results) {
                match r {
                    Ok(g) => {
                        report.generated_tokens += g.tokens as u64;
                        store.push((requests[i].0.clone(), g.clone()));
                        fresh.insert(i, Ok(g));
                    }
                    Err(e) => {
                        report.engine_errors += 1;
                        fresh.insert(i, Err(e.to_string()));
                    }
                }
            }
            cache.put_batch(store)?;
        }
        Ok((0..requests.len())
            .map(|i| {
                fresh.remove(&i).unwrap_or_else(|| {
                    Ok(cache.get(&requests[i].0).cloned().expect("cached or fresh"))
                })
            })
            .collect())
    }

    fn chunk(
        &self,
        samples: &[Sample],
        prompts: &Prompts,
        cache: &mut Cache,
        report: &mut RunReport,
    ) -> Result<Vec<Pair>, MagpieError> {
        let model = self.engine.model().to_string();
        let filters = &self.config.filters;
        let request = |prompt: String, sampling: &Sampling, seed: u64, id: &str| {
            let key = cache::key(&model, &prompt, sampling, seed, id);
            (
                key,
                Request {
                    prompt,
                    sampling: sampling.clone(),
                    seed,
                    stop: prompts.magpie.stops.clone(),
                },
            )
        };
        let mut asks = Vec::with_capacity(samples.len());
        for s in samples {
            let prompt = prompts
                .magpie
                .pre_query(prompts.system(s.lang), prompts.opening(s))?;
            asks.push(request(prompt, &self.config.instruction, s.seed, &s.id));
        }
        let instructions = self.ask(asks, cache, report)?;
        let mut pairs: Vec<Pair> = Vec::with_capacity(samples.len());
        let mut responses = Vec::new();
        for (s, r) in samples.iter().zip(instructions) {
            let mut pair = Pair {
                id: s.id.clone(),
                language: s.lang.code,
                instruction: String::new(),
                response: String::new(),
                instruction_tokens: 0,
                response_tokens: 0,
                seed: s.seed,
                instruction_lang: String::new(),
                instruction_lang_score: 0.0,
                response_lang: String::new(),
                response_lang_score: 0.0,
                reason: None,
            };
            match r {
                Err(_) => pair.reason = Some(filters::ENGINE_ERROR),
                Ok(g) => {
                    pair.instruction = format!("{}{}", prompts.opening(s), g.text)
                        .trim()
                        .to_string();
                    pair.instruction_tokens = g.tokens;
                    pair.reason = filters::check_instruction(&pair.instruction, &g, filters);
                    if pair.reason.is_none() {
                        let (l, score) = self.langid.identify(&pair.instruction);
                        pair.instruction_lang = l.to_string();
                        pair.instruction_lang_score = score;
                        if l != s.lang.code || score < filters.min_lang_score {
                            pair.reason = Some(filters::LANG_MISMATCH);
                        }
                    }
                }
            }
            if pair.reason.is_none() {
                let prompt = prompts
                    .magpie
                    .response_prompt(prompts.system(s.lang), &pair.instruction)?;
                let seed = s.seed ^ 0x5EA1_1075;
                responses.push((
                    pairs.len(),
                    request(
                        prompt,
                        &self.config.response,
                        seed,
                        &format!("{}:response", s.id),
                    ),
                ));
            }
            pairs.push(pair);
        }
        let (slots, asks): (Vec<usize>, Vec<_>) = responses.into_iter().unzip();
        let answers = self.ask(asks, cache, report)?;
        for (slot, r) in slots.into_iter().zip(answers) {
            let pair = &mut pairs[slot];
            match r {
                Err(_) => pair.reason = Some(filters::ENGINE_ERROR),
                Ok(g) => {
                    pair.response = g.text.trim().to_string();
                    pair.response_tokens = g.tokens;
                    pair.reason = filters::check_response(&pair.response, &g, filters);
                    if pair.reason.is_none() {
                        let (l, score) = self.langid.identify(&pair.response);
                        pair.response_lang = l.to_string();
                        pair.response_lang_score = score;
                        if l != pair.language || score < filters.min_lang_score {
                            pair.reason = Some(filters::LANG_MISMATCH);
                        }
                    }
                }
            }
        }
        Ok(pairs)
    }
}

/// Mark instructions within `threshold` MinHash Jaccard (word 3-grams, 16 bands × 8 rows) of
/// an earlier kept one as near-duplicates; earlier in plan order wins.
pub fn near_duplicates(pairs: &mut [Pair], threshold: f64) {
    let config = dedup::params::MinhashConfig {
        ngram: 3,
        bands: 16,
        rows: 8,
        ..Default::default()
    };
    let hasher = dedup::minhash::MinHasher::new(&config);
    let mut buckets: HashMap<u128, Vec<usize>> = HashMap::new();
    let mut sigs: Vec<Option<Vec<u32>>> = vec![None; pairs.len()];
    for i in 0..pairs.len() {
        if pairs[i].reason.is_some() {
            continue;
        }
        let Some(sig) = hasher.signature(&pairs[i].instruction.to_lowercase()) else {
            continue;
        };
        let keys = hasher.band_keys(&sig);
        let duplicate = keys.iter().any(|k| {
            buckets.get(k).is_some_and(|earlier| {
                earlier.iter().any(|&j| {
                    sigs[j].as_ref().is_some_and(|other| {
                        dedup::minhash::estimate_jaccard(&sig, other) >= threshold
                    })
                })
            })
        });
        if duplicate {
            pairs[i].reason = Some(filters::NEAR_DUPLICATE);
            continue;
        }
        for k in keys {
            buckets.entry(k).or_default().push(i);
        }
        sigs[i] = Some(sig);
    }
}

/// Open the run's cache under `out/cache`.
pub fn open_cache(out: &Path) -> Result<Cache, MagpieError> {
    Ok(Cache::open(&out.join("cache"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_is_the_same_on_every_call_whatever_the_shares() {
        // 0.1 + 0.4 + 0.7 is not the same number in every order of addition: summed in a
        // hash map's order the total, and with it the split of 100 samples, changed between
        // calls ((9, 33, 58) or (8, 34, 58)).
        let mut c = MagpieConfig {
            n: 100,
            ..Default::default()
        };
        c.languages = [("ind", 0.1), ("vie", 0.4), ("tha", 0.7)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let counts = |c: &MagpieConfig| {
            let p = plan(c).unwrap();
            let count = |code| p.iter().filter(|s| s.lang.code == code).count();
            (count("ind"), count("vie"), count("tha"))
        };
        let first = counts(&c);
        assert_eq!(first.0 + first.1 + first.2, 100);
        for _ in 0..32 {
            assert_eq!(counts(&c), first);
        }
    }

    #[test]
    fn plan_splits_by_largest_remainder_and_is_stable() {
        let mut c = MagpieConfig {
            n: 10,
            ..Default::default()
        };
        c.languages = [("ind", 1.0), ("vie", 1.0), ("tha", 1.0)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let p = plan(&c).unwrap();
        assert_eq!(p.len(), 10);
        let count = |code| p.iter().filter(|s| s.lang.code == code).count();
        assert_eq!((count("ind"), count("vie"), count("tha")), (4, 3, 3));
        assert_eq!(p[0].id, "ind-000000");
        let again = plan(&c).unwrap();
        assert!(p.iter().zip(&again).all(|(a, b)| a.seed == b.seed));
        c.seed = 1;
        assert_ne!(plan(&c).unwrap()[0].seed, p[0].seed);
    }

    #[test]
    fn the_shipped_config_parses_and_plans() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../configs/magpie-sea.toml");
        let c = MagpieConfig::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap();
        let p = plan(&c).unwrap();
        assert_eq!(p.len(), c.n);
        let tam = p.iter().filter(|s| s.lang.code == "tam").count();
        assert_eq!(tam, 3, "2.5% of 120");
    }

    #[test]
    fn bad_configs_are_clear_errors() {
        let e = MagpieConfig::from_toml("[languages]\nxyz = 1.0\n").unwrap_err();
        assert!(e.to_string().contains("unknown language \"xyz\""), "{e}");
        let e = MagpieConfig::from_toml("nn = 3\n").unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
        let e = MagpieConfig::from_toml("[languages]\nind = 0\n").unwrap_err();
        assert!(e.to_string().contains("no language"), "{e}");
    }

    #[test]
    fn near_duplicate_instructions_are_dropped_after_the_first() {
        let mk = |id: &str, text: &str| Pair {
            id: id.into(),
            language: "ind",
            instruction: text.into(),
            response: "x".into(),
            instruction_tokens: 10,
            response_tokens: 10,
            seed: 0,
            instruction_lang: "ind".into(),
            instruction_lang_score: 1.0,
            response_lang: "ind".into(),
            response_lang_score: 1.0,
            reason: None,
        };
        let mut pairs = vec![
            mk("a", "Bagaimana cara membuat nasi goreng yang enak dan mudah di rumah untuk keluarga?"),
            mk("b", "Bagaimana cara membuat nasi goreng yang enak dan mudah di rumah untuk keluarga saya?"),
            mk("c", "Jelaskan perbedaan antara fotosintesis dan respirasi sel pada tumbuhan hijau."),
        ];
        near_duplicates(&mut pairs, 0.7);
        let reasons: Vec<_> = pairs.iter().map(|p| p.reason).collect();
        assert_eq!(reasons, vec![None, Some(filters::NEAR_DUPLICATE), None]);
    }
}
