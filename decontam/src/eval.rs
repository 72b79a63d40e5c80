//! `seapile eval decontam`: recall on benchmark items planted into real documents with the
//! edits a web copy has, false positives on clean real documents, speed and memory.
//!
//! Design decision: nothing here is synthetic text. Items are real benchmark records
//! (SEA-HELM's files given on the command line; Khmer and Lao, which SEA-HELM lacks, from
//! every other UDHR article, written as a benchmark file), rendered as a web page would show
//! them (question, then `A. option` lines) and edited one way per planted copy (case,
//! spacing, punctuation, full-width digits, question without its options, options
//! reordered, a line missing, Zawgyi for Burmese, all at once); each copy is pasted at a
//! random line of a real clean document in the same script. Clean documents are real
//! pages and sentences (`dev.tsv` lines joined, the SEA news pages, the UDHR pages, AEB
//! and WCXB articles): any match on them is a false positive.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use crate::index::{Index, IndexParams};
use crate::records::{self, Record};
use crate::scan::{Rules, Scanner};
use crate::tokenize::Tokenizer;
use crate::DecontamError;

/// Where the evaluation data is (all optional but the benchmarks).
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Benchmark files or folders (e.g. `../shared/eval/decontam/sea-helm`).
    pub benchmarks: Vec<PathBuf>,
    /// `iso639-3<TAB>source<TAB>text` lines, joined 10 at a time into documents.
    pub dev_tsv: Option<PathBuf>,
    /// The SEA news pages folder (`manifest.tsv` + expected texts).
    pub html_sea: Option<PathBuf>,
    /// UDHR pages (`*.html`): clean pages, and Khmer and Lao items.
    pub udhr: Option<PathBuf>,
    /// article-extraction-benchmark folder (`ground-truth.json`).
    pub aeb: Option<PathBuf>,
    /// WCXB split folder (`ground-truth/*.json`).
    pub wcxb: Option<PathBuf>,
    /// Records sampled per benchmark file.
    pub per_file: usize,
    pub seed: u64,
    pub params: IndexParams,
    /// Timed repetitions of the index build and the scan.
    pub rounds: usize,
    /// A scratch folder (the Khmer/Lao benchmark file, the index file).
    pub work: PathBuf,
}

/// A real document and where it came from.
#[derive(Debug, Clone)]
pub struct CleanDoc {
    pub source: String,
    pub text: String,
}

/// Recall for one group of planted copies.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Recall {
    pub planted: u64,
    pub found: u64,
    pub recall: f64,
}

impl Recall {
    fn add(&mut self, found: bool) {
        self.planted += 1;
        self.found += u64::from(found);
        self.recall = self.found as f64 / self.planted as f64;
    }
}

/// False positives on one group of clean documents.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FalsePositives {
    pub docs: u64,
    pub flagged: u64,
    pub rate: f64,
}

/// A clean document that matched, and what it matched.
#[derive(Debug, Clone, Serialize)]
pub struct FalseHit {
    pub source: String,
    pub benchmark: String,
    pub record: u64,
    pub field: String,
    pub text: String,
}

/// A planted copy that was not found.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub file: String,
    pub record: u64,
    pub edit: String,
    pub copy: String,
}

/// Everything `seapile eval decontam` measures.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub benchmark_files: usize,
    pub records: u64,
    pub items_indexed: u64,
    pub ngrams: usize,
    /// Seconds per index build (one per round), on all cores.
    pub build_seconds: Vec<f64>,
    pub index_file_bytes: u64,
    pub index_memory_bytes: usize,
    pub load_seconds: f64,
    /// Planted copies found, overall and per edit, script and benchmark file.
    pub recall: Recall,
    /// The same over items whose unedited copy is found (items the index can know).
    pub recall_indexable: Recall,
    pub by_edit: BTreeMap<String, Recall>,
    pub by_script: BTreeMap<String, Recall>,
    pub by_file: BTreeMap<String, Recall>,
    pub false_positives: FalsePositives,
    pub fp_by_source: BTreeMap<String, FalsePositives>,
    pub fp_examples: Vec<FalseHit>,
    /// Planted copies not found (a few per file and edit), for reading.
    pub misses: Vec<Miss>,
    /// Scan speed on one thread over the clean documents: MB of text per second, per round.
    pub scan_mb: f64,
    pub scan_mb_per_s: Vec<f64>,
    /// Tokenizing alone, for the share of the scan it is.
    pub tokenize_mb_per_s: f64,
    pub scan_mb_per_s_by_script: BTreeMap<String, f64>,
    pub peak_rss_mb: Option<f64>,
}

/// The edits a planted copy gets (one per copy).
pub const EDITS: [&str; 10] = [
    "verbatim",
    "case",
    "spacing",
    "punctuation",
    "fullwidth",
    "question_only",
    "reordered",
    "line_missing",
    "zawgyi",
    "combined",
];

/// Seeded splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        crate::tokenize::mix(self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// A benchmark record as a web page would show it.
#[derive(Debug, Clone)]
struct Item {
    file: String,
    record: u64,
    /// The question or passage.
    stem: String,
    /// `(is_option, text)` of the other fields.
    rest: Vec<(bool, String)>,
}

/// The item fields of a record: those under `prompts` when there are any (SEA-HELM's
/// layout), else every field but ids, labels and metadata; English translations are left
/// out; a `#idiom#` blank is filled with the right choice.
fn item_of(file: &str, r: &Record) -> Option<Item> {
    let under_prompts = r.fields.iter().any(|(p, _)| p.starts_with("prompts["));
    let skip = |p: &str| {
        let key = p.rsplit('.').next().unwrap_or(p).to_lowercase();
        key.contains("label")
            || key.contains("id")
            || key.starts_with("en_")
            || key == "language"
            || p.starts_with("metadata")
            || p.starts_with("prompt_templates")
    };
    let fields: Vec<(String, String)> = r
        .fields
        .iter()
        .filter(|(p, _)| !under_prompts || p.starts_with("prompts["))
        .filter(|(p, _)| !skip(p))
        .cloned()
        .collect();
    let label = r
        .fields
        .iter()
        .find(|(p, _)| p == "label")
        .map(|(_, v)| v.to_lowercase());
    let answer = label.and_then(|l| {
        fields
            .iter()
            .find(|(p, _)| p.ends_with(&format!("choice_{l}")))
            .map(|(_, v)| v.clone())
    });
    let mut it = fields.into_iter();
    let (_, mut stem) = it.next()?;
    if let Some(a) = answer {
        stem = stem.replace("#idiom#", &a);
    }
    let rest = it
        .map(|(p, v)| {
            let key = p.rsplit('.').next().unwrap_or(&p).to_lowercase();
            (key.contains("option") || key.contains("choice"), v)
        })
        .collect();
    Some(Item {
        file: file.to_string(),
        record: r.index,
        stem,
        rest,
    })
}

fn render(stem: &str, rest: &[(bool, String)]) -> String {
    let mut out = stem.trim().to_string();
    let mut letter = b'A';
    for (option, text) in rest {
        out.push('\n');
        if *option {
            out.push(letter as char);
            out.push_str(". ");
            letter += 1;
        }
        out.push_str(text.trim());
    }
    out
}

fn is_spaceless_text(text: &str) -> bool {
    segment::dominant_script(text).is_spaceless()
}

/// `text` with one web-copy edit.
fn edit(item: &Item, kind: &str, rng: &mut Rng) -> String {
    let full = render(&item.stem, &item.rest);
    match kind {
        "case" => full.to_uppercase(),
        "spacing" => spacing(&full, rng),
        "punctuation" => full
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace() || is_mark(*c))
            .collect(),
        "fullwidth" => fullwidth(&full),
        "question_only" => item.stem.trim().to_string(),
        "reordered" => {
            let mut rest = item.rest.clone();
            for i in (1..rest.len()).rev() {
                rest.swap(i, rng.below(i + 1));
            }
            if rest.len() > 1 && rest.iter().map(|r| &r.1).eq(item.rest.iter().map(|r| &r.1)) {
                rest.rotate_left(1);
            }
            render(&item.stem, &rest)
        }
        "line_missing" => line_missing(&full, rng),
        "zawgyi" => langid::zawgyi::unicode_to_zawgyi(&full),
        "combined" => {
            let t = line_missing(&full, rng);
            let t = fullwidth(&t.to_uppercase());
            let t: String = t
                .chars()
                .filter(|c| c.is_alphanumeric() || c.is_whitespace() || is_mark(*c))
                .collect();
            spacing(&t, rng)
        }
        _ => full,
    }
}

fn is_mark(c: char) -> bool {
    !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace() && segment::script_of(c).is_some()
}

fn spacing(text: &str, rng: &mut Rng) -> String {
    let spaceless = is_spaceless_text(text);
    let mut out = String::with_capacity(text.len() + 16);
    let mut since = 0;
    for c in text.chars() {
        match c {
            '\n' => out.push_str("  "),
            ' ' if spaceless => {}
            ' ' => out.push_str(if rng.below(2) == 0 { "  " } else { "\u{A0}" }),
            _ => {
                out.push(c);
                since += 1;
                // Chinese copies sometimes space their clauses.
                if spaceless && segment::script_of(c) == Some(segment::Script::Han) && since > 6 {
                    out.push(' ');
                    since = 0;
                }
            }
        }
    }
    out
}

fn fullwidth(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' | 'A'..='Z' | 'a'..='z' => {
                char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

fn line_missing(text: &str, rng: &mut Rng) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() < 2 {
        return text.to_string();
    }
    let gone = rng.below(lines.len());
    lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != gone)
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `copy` pasted at a random line of `host`.
fn plant(host: &str, copy: &str, rng: &mut Rng) -> String {
    let lines: Vec<&str> = host.lines().collect();
    let at = rng.below(lines.len() + 1);
    let mut out: Vec<&str> = lines[..at].to_vec();
    out.push(copy);
    out.extend_from_slice(&lines[at..]);
    out.join("\n")
}

fn script_name(text: &str) -> String {
    segment::dominant_script(text).code().to_string()
}

/// `<p>` texts of an HTML page (the UDHR pages have no markup inside paragraphs).
fn paragraphs(html: &str) -> Vec<String> {
    html.split("<p>")
        .skip(1)
        .filter_map(|c| c.split_once("</p>").map(|(p, _)| p.trim().to_string()))
        .filter(|p| !p.is_empty())
        .collect()
}

fn read(path: &Path) -> Result<String, DecontamError> {
    std::fs::read_to_string(path).map_err(DecontamError::io(path))
}

/// Every string under `v` (JSON ground truths).
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// The clean documents, and the Khmer/Lao UDHR benchmark file written into `work`.
pub fn clean_docs(opts: &EvalOptions) -> Result<(Vec<CleanDoc>, Option<PathBuf>), DecontamError> {
    let mut docs = Vec::new();
    if let Some(tsv) = &opts.dev_tsv {
        let text = read(tsv)?;
        let mut groups: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
        for line in text.lines() {
            let mut parts = line.splitn(3, '\t');
            let (Some(lang), Some(source), Some(t)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            // The Khmer and Lao UDHR lines are items here.
            if matches!(source, "udhr:khm" | "udhr:lao") {
                continue;
            }
            let source = source.split(':').next().unwrap_or(source);
            groups
                .entry((lang.to_string(), source.to_string()))
                .or_default()
                .push(t);
        }
        for ((lang, source), lines) in groups {
            for chunk in lines.chunks(10) {
                docs.push(CleanDoc {
                    source: format!("dev.tsv:{source}:{lang}"),
                    text: chunk.join("\n"),
                });
            }
        }
    }
    if let Some(dir) = &opts.html_sea {
        let manifest = read(&dir.join("manifest.tsv"))?;
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(lang), Some(truth)) = (cols.get(2), cols.get(4)) else {
                continue;
            };
            let path = dir.join(truth);
            if !path.is_file() {
                continue;
            }
            let text = if truth.ends_with(".json") {
                let v: Value = serde_json::from_str(&read(&path)?).unwrap_or(Value::Null);
                let mut out = Vec::new();
                strings(v.pointer("/V1/body").unwrap_or(&v), &mut out);
                out.join("\n")
            } else {
                read(&path)?
            };
            docs.push(CleanDoc {
                source: format!("html_sea:{lang}"),
                text,
            });
        }
    }
    let mut items_file = None;
    if let Some(dir) = &opts.udhr {
        let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(DecontamError::io(dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            .collect();
        pages.sort();
        let mut items = String::new();
        for page in pages {
            let stem = page
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let paras = paragraphs(&read(&page)?);
            if stem == "khm" || stem == "lao" {
                // Odd paragraphs are benchmark items, even ones clean documents (3 at a time).
                let (mut odd, mut even) = (Vec::new(), Vec::new());
                for (i, p) in paras.into_iter().enumerate() {
                    if i % 2 == 1 {
                        odd.push(p);
                    } else {
                        even.push(p);
                    }
                }
                for (i, p) in odd.iter().enumerate() {
                    let rec = serde_json::json!({"id": format!("{stem}-{i}"), "text": p});
                    items.push_str(&rec.to_string());
                    items.push('\n');
                }
                for chunk in even.chunks(3) {
                    docs.push(CleanDoc {
                        source: format!("udhr-even:{stem}"),
                        text: chunk.join("\n"),
                    });
                }
            } else if !paras.is_empty() {
                docs.push(CleanDoc {
                    source: "udhr".into(),
                    text: paras.join("\n"),
                });
            }
        }
        if !items.is_empty() {
            std::fs::create_dir_all(&opts.work).map_err(DecontamError::io(&opts.work))?;
            let path = opts.work.join("udhr_khm_lao_odd_articles.jsonl");
            std::fs::write(&path, items).map_err(DecontamError::io(&path))?;
            items_file = Some(path);
        }
    }
    if let Some(dir) = &opts.aeb {
        let v: Value = serde_json::from_str(&read(&dir.join("ground-truth.json"))?)
            .map_err(|e| DecontamError::Param(format!("AEB ground truth: {e}")))?;
        if let Some(map) = v.as_object() {
            for page in map.values() {
                if let Some(body) = page.get("articleBody").and_then(Value::as_str) {
                    docs.push(CleanDoc {
                        source: "aeb".into(),
                        text: body.to_string(),
                    });
                }
            }
        }
    }
    if let Some(dir) = &opts.wcxb {
        let truth = dir.join("ground-truth");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&truth)
            .map_err(DecontamError::io(&truth))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for f in files {
            let v: Value = serde_json::from_str(&read(&f)?).unwrap_or(Value::Null);
            if let Some(t) = v
                .pointer("/ground_truth/main_content")
                .and_then(Value::as_str)
            {
                docs.push(CleanDoc {
                    source: "wcxb".into(),
                    text: t.to_string(),
                });
            }
        }
    }
    docs.retain(|d| !d.text.trim().is_empty());
    Ok((docs, items_file))
}

/// CPU seconds this thread has run (`CLOCK_THREAD_CPUTIME_ID`): the machine may be
/// shared, and a scan's speed is its CPU time.
pub fn thread_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    #[allow(unsafe_code)]
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

/// CPU seconds `f` takes on this thread.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = thread_cpu_seconds();
    let out = f();
    (out, (thread_cpu_seconds() - start).max(1e-9))
}

/// Run the evaluation.
pub fn evaluate(opts: &EvalOptions) -> Result<EvalReport, DecontamError> {
    let (clean, udhr_items) = clean_docs(opts)?;
    let mut bench_paths = opts.benchmarks.clone();
    bench_paths.extend(udhr_items);
    let mut build_seconds = Vec::new();
    let mut index = None;
    for _ in 0..opts.rounds.max(1) {
        let t = Instant::now();
        index = Some(Index::build(&bench_paths, &opts.params)?);
        build_seconds.push(t.elapsed().as_secs_f64());
    }
    let built = index.expect("at least one round");
    let idx_path = opts.work.join("eval.idx");
    built.write(&idx_path)?;
    drop(built);
    let t = Instant::now();
    let index = Arc::new(Index::load(&idx_path)?);
    let load_seconds = t.elapsed().as_secs_f64();
    let mut scanner = Scanner::new(Arc::clone(&index), Rules::default());

    // Recall.
    let mut rng = Rng(opts.seed);
    let mut recall = Recall::default();
    let mut recall_indexable = Recall::default();
    let mut misses = Vec::new();
    let (mut by_edit, mut by_script, mut by_file) =
        (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let hosts_by_script: BTreeMap<String, Vec<&CleanDoc>> =
        clean.iter().fold(BTreeMap::new(), |mut m, d| {
            m.entry(script_name(&d.text))
                .or_insert_with(Vec::new)
                .push(d);
            m
        });
    for file in records::expand(&bench_paths)? {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut all = Vec::new();
        records::for_each_record(&file, |r| {
            all.push(r);
            Ok(())
        })?;
        for _ in 0..opts.per_file.min(all.len()) {
            let r = all.swap_remove(rng.below(all.len()));
            let Some(item) = item_of(&name, &r) else {
                continue;
            };
            let script = script_name(&render(&item.stem, &item.rest));
            let Some(hosts) = hosts_by_script.get(&script).filter(|h| !h.is_empty()) else {
                continue;
            };
            let indexable = scanner.find(&render(&item.stem, &item.rest)).ngrams > 0;
            for kind in EDITS {
                if kind == "zawgyi" && script != "Mymr" {
                    continue;
                }
                let copy = edit(&item, kind, &mut rng);
                let host = hosts[rng.below(hosts.len())];
                let doc = plant(&host.text, &copy, &mut rng);
                let found = scanner.find(&doc).ngrams > 0;
                if !found
                    && misses
                        .iter()
                        .filter(|m: &&Miss| m.file == item.file && m.edit == kind)
                        .count()
                        < 3
                {
                    misses.push(Miss {
                        file: item.file.clone(),
                        record: item.record,
                        edit: kind.to_string(),
                        copy,
                    });
                }
                recall.add(found);
                if indexable {
                    recall_indexable.add(found);
                }
                by_edit
                    .entry(kind.to_string())
                    .or_insert_with(Recall::default)
                    .add(found);
                by_script
                    .entry(script.clone())
                    .or_insert_with(Recall::default)
                    .add(found);
                by_file
                    .entry(item.file.clone())
                    .or_insert_with(Recall::default)
                    .add(found);
            }
        }
    }

    // False positives.
    let mut fp = FalsePositives::default();
    let mut fp_by_source: BTreeMap<String, FalsePositives> = BTreeMap::new();
    let mut fp_examples = Vec::new();
    for d in &clean {
        let source = d
            .source
            .rsplit_once(':')
            .map_or(d.source.as_str(), |(s, _)| s);
        let group = format!("{source}:{}", script_name(&d.text));
        let hits = scanner.matched_text(&d.text);
        let flagged = !hits.is_empty();
        for g in [&mut fp, fp_by_source.entry(group).or_default()] {
            g.docs += 1;
            g.flagged += u64::from(flagged);
            g.rate = g.flagged as f64 / g.docs as f64;
        }
        if flagged && fp_examples.len() < 30 {
            let (entry, text) = &hits[0];
            let e = &index.entries[*entry as usize];
            fp_examples.push(FalseHit {
                source: d.source.clone(),
                benchmark: index.benchmarks[e.benchmark as usize].name.clone(),
                record: e.record,
                field: e.field.clone(),
                text: text.clone(),
            });
        }
    }

    // Speed, one thread, over the clean documents.
    let bytes: usize = clean.iter().map(|d| d.text.len()).sum();
    let mb = bytes as f64 / 1e6;
    let mut scan_mb_per_s = Vec::new();
    for _ in 0..opts.rounds.max(1) {
        let (n, secs) = timed(|| {
            clean
                .iter()
                .map(|d| scanner.find(&d.text).ngrams)
                .sum::<usize>()
        });
        std::hint::black_box(n);
        scan_mb_per_s.push(mb / secs);
    }
    let mut tokenizer = Tokenizer::new();
    let mut tokens = Vec::new();
    let (_, secs) = timed(|| {
        for d in &clean {
            let _ = tokenizer.tokenize(&d.text, &mut tokens);
        }
    });
    let tokenize_mb_per_s = mb / secs;
    let mut scan_mb_per_s_by_script = BTreeMap::new();
    for (script, docs) in &hosts_by_script {
        let b: usize = docs.iter().map(|d| d.text.len()).sum();
        let (n, secs) = timed(|| {
            docs.iter()
                .map(|d| scanner.find(&d.text).ngrams)
                .sum::<usize>()
        });
        std::hint::black_box(n);
        scan_mb_per_s_by_script.insert(script.clone(), b as f64 / 1e6 / secs);
    }

    Ok(EvalReport {
        benchmark_files: index.benchmarks.len(),
        records: index.benchmarks.iter().map(|b| b.records).sum(),
        items_indexed: index.benchmarks.iter().map(|b| b.items).sum(),
        ngrams: index.len(),
        build_seconds,
        index_file_bytes: std::fs::metadata(&idx_path).map(|m| m.len()).unwrap_or(0),
        index_memory_bytes: index.memory_bytes(),
        load_seconds,
        recall,
        recall_indexable,
        by_edit,
        by_script,
        by_file,
        false_positives: fp,
        fp_by_source,
        fp_examples,
        misses,
        scan_mb: mb,
        scan_mb_per_s,
        tokenize_mb_per_s,
        scan_mb_per_s_by_script,
        peak_rss_mb: crate::pass::peak_rss_mb(),
    })
}

impl EvalReport {
    /// The tables `seapile eval decontam` prints.
    pub fn tables(&self) -> String {
        let mut s = String::new();
        let row = |s: &mut String, name: &str, r: &Recall| {
            s.push_str(&format!(
                "  {name:<58} {:>6} {:>6} {:>7.4}\n",
                r.planted, r.found, r.recall
            ))
        };
        s.push_str(&format!(
            "index: {} files, {} records, {} items indexed, {} n-grams; build {} s; file {:.1} MB; \
             memory {:.1} MB; load {:.2} s\n",
            self.benchmark_files,
            self.records,
            self.items_indexed,
            self.ngrams,
            self.build_seconds
                .iter()
                .map(|x| format!("{x:.2}"))
                .collect::<Vec<_>>()
                .join(" / "),
            self.index_file_bytes as f64 / 1e6,
            self.index_memory_bytes as f64 / 1e6,
            self.load_seconds
        ));
        s.push_str(&format!(
            "\nrecall (planted copies found)   {:>6} {:>6} {:>7}\n",
            "planted", "found", "recall"
        ));
        row(&mut s, "all", &self.recall);
        row(
            &mut s,
            "items whose verbatim copy is found",
            &self.recall_indexable,
        );
        s.push_str("by edit\n");
        for (k, r) in &self.by_edit {
            row(&mut s, k, r);
        }
        s.push_str("by script\n");
        for (k, r) in &self.by_script {
            row(&mut s, k, r);
        }
        s.push_str("by benchmark file\n");
        for (k, r) in &self.by_file {
            row(&mut s, k, r);
        }
        s.push_str(&format!(
            "\nfalse positives: {} of {} clean documents ({:.4}%)\n",
            self.false_positives.flagged,
            self.false_positives.docs,
            self.false_positives.rate * 100.0
        ));
        for (k, f) in &self.fp_by_source {
            s.push_str(&format!(
                "  {k:<40} {:>6} docs {:>4} flagged {:>8.4}%\n",
                f.docs,
                f.flagged,
                f.rate * 100.0
            ));
        }
        for e in &self.fp_examples {
            let t: String = e.text.chars().take(100).collect();
            s.push_str(&format!(
                "  FP {} ← {} #{} {}: {t}\n",
                e.source, e.benchmark, e.record, e.field
            ));
        }
        s.push_str(&format!(
            "\nscan, 1 thread, {:.1} MB of clean text, per CPU second: {} MB/s; tokenizing \
             alone {:.1} MB/s\n",
            self.scan_mb,
            self.scan_mb_per_s
                .iter()
                .map(|x| format!("{x:.1}"))
                .collect::<Vec<_>>()
                .join(" / "),
            self.tokenize_mb_per_s
        ));
        for (k, v) in &self.scan_mb_per_s_by_script {
            s.push_str(&format!("  {k:<6} {v:>8.1} MB/s\n"));
        }
        if let Some(mb) = self.peak_rss_mb {
            s.push_str(&format!("peak memory (VmHWM) {mb:.1} MiB\n"));
        }
        s
    }
}
