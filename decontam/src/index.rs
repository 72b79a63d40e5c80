//! The index of benchmark text: built from benchmark files, written as one versioned file
//! that can be shipped and reused, loaded once per run.
//!
//! Design decision: an item is evidence only if it is specific. Every string field of every
//! record (or those `--fields` names) is tokenized ([`crate::tokenize`]); a field value that
//! recurs in more than `repeat_limit` records (a prompt template, a label, a subject name)
//! is not an item; a field gives its 13-grams, or, when it is shorter, itself as one n-gram
//! if it has at least `min_words` words; the fields of a record are also read as one text,
//! so a record made of short fields (a question and its options) still gives the n-grams
//! that cross them. An n-gram found in more than `repeat_limit` records is dropped as well
//! (boilerplate shared by many items). Each n-gram keeps the first (file, record, field) it
//! came from.
//!
//! File layout (little-endian): `SEAPILE-DECONTAM`, `u32` format version, `u64` header
//! length, the JSON header (parameters, tokenizer version and canary, benchmark files with
//! SHA-256 and counts, entries), `u64` key count, the sorted keys (`u64`), their entries
//! (`u32`) and whether each is a full-length n-gram (`u8`), then two prefix lists (`u64`
//! count, `u64` prefixes): of the whole items of `min_words` to `ngram - 1` words, and of the
//! shorter ones.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ngrams::{key_of, Rolling, MAX_NGRAM};
use crate::records::{self, Record};
use crate::table::{KeySet, KeyTable, PrefixFilter};
use crate::tokenize::{
    gram_hashes, hashes, is_han_or_kana, pair, text_hash, RunGate, Token, Tokenizer,
    TOKENIZER_VERSION,
};
use crate::DecontamError;

const MAGIC: &[u8; 16] = b"SEAPILE-DECONTAM";
/// Version of the file layout.
pub const FORMAT_VERSION: u32 = 1;

/// How an index is built (stored in it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexParams {
    /// Words per n-gram (13, as GPT-3 and datatrove).
    pub ngram: usize,
    /// Shortest item, in words, that is evidence on its own (NeMo Curator's 8); an item
    /// between this and `ngram` words is one n-gram of itself.
    pub min_words: usize,
    /// A shorter item is evidence too when it has at least `short_words` words and
    /// `short_letters` letters (long words: Tamil, Malay, Tagalog questions).
    pub short_words: usize,
    pub short_letters: usize,
    /// A field value or an n-gram found in more records than this is a template, not an item.
    pub repeat_limit: u32,
    /// Only the fields with these names (any key along the field's path); empty: all.
    pub fields: Vec<String>,
    /// Also index the n-grams that run across the fields of a record.
    pub cross_fields: bool,
}

impl Default for IndexParams {
    fn default() -> Self {
        IndexParams {
            ngram: 13,
            min_words: 8,
            short_words: 4,
            short_letters: 30,
            repeat_limit: 10,
            fields: Vec::new(),
            cross_fields: true,
        }
    }
}

impl IndexParams {
    /// The prefix length of the n-grams of `min_words` words and more.
    pub fn prefix_len(&self) -> usize {
        self.min_words.min(self.ngram)
    }

    /// The prefix length of the shorter items (`short_words`).
    pub fn short_len(&self) -> usize {
        self.short_words.min(self.prefix_len())
    }

    /// The length in characters of the grams the [`RunGate`] checks: no indexed n-gram made
    /// only of run words is shorter (at least `min_words` words of a character or more, or
    /// `short_letters` letters).
    pub fn gate_chars(&self) -> usize {
        self.prefix_len().min(self.short_letters).max(1)
    }

    /// Whether an item of `words` words and `letters` letters is evidence.
    pub fn is_evidence(&self, words: usize, letters: usize) -> bool {
        words >= self.prefix_len() || (words >= self.short_len() && letters >= self.short_letters)
    }

    pub fn validate(&self) -> Result<(), DecontamError> {
        if !(1..=MAX_NGRAM).contains(&self.ngram) {
            return Err(DecontamError::Param(format!(
                "ngram {} is not between 1 and {MAX_NGRAM}",
                self.ngram
            )));
        }
        if self.min_words == 0 || self.short_words == 0 {
            return Err(DecontamError::Param(format!(
                "min_words {} / short_words {}: must be at least 1",
                self.min_words, self.short_words
            )));
        }
        if self.repeat_limit == 0 {
            return Err(DecontamError::Param(
                "repeat_limit 0: must be at least 1 record".into(),
            ));
        }
        Ok(())
    }
}

/// One benchmark file of an index and what it gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkFile {
    /// File name (path below the folder given, for a folder).
    pub name: String,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    pub bytes: u64,
    pub records: u64,
    /// Records with at least one n-gram in the index.
    pub items: u64,
    /// String fields read, and those left out as repeated across records (templates).
    pub fields: u64,
    pub template_fields: u64,
    /// N-grams this file put in the index (first owner).
    pub ngrams: u64,
}

/// Where an n-gram came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    /// Index into the benchmark files.
    pub benchmark: u32,
    /// Record position in its file (0-based).
    pub record: u64,
    /// The record's own id, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The field's path (`prompts[0].question`); for an n-gram across fields, the first.
    pub field: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    tokenizer_version: u32,
    /// Hash of the words of [`CANARY`], as this build tokenizes it.
    canary: String,
    seapile_version: String,
    params: IndexParams,
    benchmarks: Vec<BenchmarkFile>,
    entries: Vec<Entry>,
    /// The n-gram lengths present.
    lengths: Vec<usize>,
}

/// A text in every script the tokenizer treats specially; its hash changes when tokenizing
/// changes (an ICU data update, a folding rule).
const CANARY: &str = "Semua orang dilahirkan MERDEKA; Tiếng Việt ２０２４ don't. \
    มนุษย์ทั้งหลายเกิดมามีอิสระ ມະນຸດທຸກຄົນເກີດມາມີສິດເສລີ មនុស្សទាំងអស់កើតមកមានសេរីភាព \
    လူတိုင်းသည် တူညီ လွတ်လပ်သော 人人生而自由，在尊严和权利上一律平等。 மனிதப் பிறவியினர்";

fn canary() -> String {
    format!("{:016x}", key_of(&hashes(&mut Tokenizer::new(), CANARY)))
}

/// A loaded index.
#[derive(Debug, Clone)]
pub struct Index {
    pub params: IndexParams,
    pub benchmarks: Vec<BenchmarkFile>,
    pub entries: Vec<Entry>,
    lengths: Vec<usize>,
    table: KeyTable,
    /// Filters in front of the table: the `ngram`-word keys themselves; the `min_words`
    /// prefixes of whole items of `min_words` to `ngram - 1` words; the `short_words`
    /// prefixes of shorter items.
    full_filter: PrefixFilter,
    mid_filter: PrefixFilter,
    short_filter: PrefixFilter,
    /// Sorted `(key, entry, full length)` and the prefixes, as written.
    keys: Vec<(u64, u32, bool)>,
    mid_prefixes: Vec<u64>,
    short_prefixes: Vec<u64>,
    gate: RunGate,
}

/// Which filter an n-gram is found through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// `ngram` words: by its own key.
    Full,
    /// `min_words` to `ngram - 1` words: by its `min_words` prefix.
    Mid(u64),
    /// Fewer: by its `short_words` prefix.
    Short(u64),
}

/// One n-gram of a text found in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub entry: u32,
    /// First word and number of words.
    pub start: u32,
    pub len: u32,
}

/// A record's tokenized fields (the build's working set).
struct Tokenized {
    benchmark: u32,
    record: u64,
    id: Option<String>,
    fields: Vec<Field>,
}

/// One tokenized field.
struct Field {
    path: String,
    words: Vec<u64>,
    letters: usize,
    /// The folded text of each word cut from a spaceless run (`None` for the others); empty
    /// when the field has none.
    texts: Vec<Option<Box<str>>>,
}

impl Field {
    fn text(&self, i: usize) -> Option<&str> {
        self.texts.get(i).and_then(|t| t.as_deref())
    }
}

impl Index {
    /// Build an index from benchmark files and folders.
    pub fn build(paths: &[PathBuf], params: &IndexParams) -> Result<Index, DecontamError> {
        params.validate()?;
        let files = named_files(paths)?;
        if files.is_empty() {
            return Err(DecontamError::Param(
                "no benchmark files: give --benchmarks FILE_OR_FOLDER...".into(),
            ));
        }
        let read: Vec<(BenchmarkFile, Vec<Tokenized>)> = files
            .par_iter()
            .enumerate()
            .map(|(i, (path, name))| read_file(i as u32, path, name, params))
            .collect::<Result<_, _>>()?;
        let (mut benchmarks, records): (Vec<_>, Vec<_>) = read.into_iter().unzip();
        let records: Vec<Tokenized> = records.into_iter().flatten().collect();
        Ok(assemble(&mut benchmarks, &records, params).finish(benchmarks, params.clone()))
    }

    /// The n-grams of `tokens` that are in the index, in text order.
    pub fn find(&self, tokens: &[Token], rolling: &mut Rolling, out: &mut Vec<Hit>) {
        out.clear();
        let (k, short, full) = (
            self.params.prefix_len(),
            self.params.short_len(),
            self.params.ngram,
        );
        let n = tokens.len();
        if n < short || self.keys.is_empty() {
            return;
        }
        rolling.reset(tokens.iter().map(|t| t.hash));
        let (has_mid, has_short) = (
            !self.mid_prefixes.is_empty(),
            !self.short_prefixes.is_empty(),
        );
        // Full-length n-grams: every key first, then the filter in a tight loop of
        // independent loads (the filter is larger than the CPU's L2: many misses in flight),
        // then the table for the few that pass.
        if n >= full {
            let mut keys = std::mem::take(&mut rolling.scratch);
            keys.clear();
            keys.extend((0..=n - full).map(|i| rolling.key(i, full)));
            let pass: Vec<usize> = keys
                .iter()
                .enumerate()
                .filter(|(_, &key)| self.full_filter.may_contain(key))
                .map(|(i, _)| i)
                .collect();
            for i in pass {
                if let Some(entry) = self.table.get(keys[i]) {
                    out.push(Hit {
                        entry,
                        start: i as u32,
                        len: full as u32,
                    });
                }
            }
            rolling.scratch = keys;
        }
        // Whole items shorter than `ngram`: small filters.
        if has_mid || has_short {
            let look = |i: usize, lengths: std::ops::Range<usize>, out: &mut Vec<Hit>| {
                let rolling = &*rolling;
                for len in lengths {
                    if let Some(entry) = self.table.get(rolling.key(i, len)) {
                        out.push(Hit {
                            entry,
                            start: i as u32,
                            len: len as u32,
                        });
                    }
                }
            };
            for i in 0..=n - short {
                if has_mid && i + k <= n && self.mid_filter.may_contain(rolling.key(i, k)) {
                    look(i, k..full.min(n - i + 1), out);
                }
                if has_short && self.short_filter.may_contain(rolling.key(i, short)) {
                    look(i, short..k.min(n - i + 1), out);
                }
            }
            out.sort_unstable_by_key(|h| (h.start, h.len));
        }
    }

    /// N-grams in the index.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Bytes the lookup structures hold in memory.
    pub fn memory_bytes(&self) -> usize {
        self.table.bytes()
            + self.full_filter.bytes()
            + self.mid_filter.bytes()
            + self.short_filter.bytes()
            + self.keys.len() * 16
            + (self.mid_prefixes.len() + self.short_prefixes.len()) * 8
            + self.gate.grams.bytes()
            + self.gate.grams_filter.bytes()
            + self.gate.starts_pair.bytes()
            + self.gate.starts_text.bytes()
            + self.gate.ends_pair.bytes()
    }

    /// Write the index to `path` (atomically).
    pub fn write(&self, path: &Path) -> Result<(), DecontamError> {
        let header = Header {
            tokenizer_version: TOKENIZER_VERSION,
            canary: canary(),
            seapile_version: env!("CARGO_PKG_VERSION").to_string(),
            params: self.params.clone(),
            benchmarks: self.benchmarks.clone(),
            entries: self.entries.clone(),
            lengths: self.lengths.clone(),
        };
        let json = serde_json::to_vec(&header).expect("header serializes");
        let mut out = Vec::with_capacity(json.len() + self.keys.len() * 12 + 64);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(json.len() as u64).to_le_bytes());
        out.extend_from_slice(&json);
        out.extend_from_slice(&(self.keys.len() as u64).to_le_bytes());
        for (k, _, _) in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for (_, e, _) in &self.keys {
            out.extend_from_slice(&e.to_le_bytes());
        }
        out.extend(self.keys.iter().map(|&(_, _, full)| u8::from(full)));
        let mut grams = self.gate.grams.keys();
        grams.sort_unstable();
        let g = &self.gate;
        for list in [
            &self.mid_prefixes,
            &self.short_prefixes,
            &grams,
            &sorted_keys(&g.starts_pair),
            &sorted_keys(&g.starts_text),
            &sorted_keys(&g.ends_pair),
        ] {
            out.extend_from_slice(&(list.len() as u64).to_le_bytes());
            for p in list {
                out.extend_from_slice(&p.to_le_bytes());
            }
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(DecontamError::io(dir))?;
        }
        let tmp = pipeline::fs::temp_path(path);
        let mut f = std::fs::File::create(&tmp).map_err(DecontamError::io(&tmp))?;
        f.write_all(&out).map_err(DecontamError::io(&tmp))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(DecontamError::io(path))
    }

    /// Load an index file, refusing one of another format or tokenizer.
    pub fn load(path: &Path) -> Result<Index, DecontamError> {
        let bytes = std::fs::read(path).map_err(DecontamError::io(path))?;
        let (header, mut rest) = parse_header(path, &bytes)?;
        let bad = |m: &str| DecontamError::BadIndex {
            path: path.to_path_buf(),
            message: m.to_string(),
        };
        let n = take_u64(&mut rest).ok_or_else(|| bad("truncated key count"))? as usize;
        if rest.len() < n.saturating_mul(13) {
            return Err(bad("truncated keys"));
        }
        let (kb, r) = rest.split_at(n * 8);
        let (eb, r) = r.split_at(n * 4);
        let (fb, r) = r.split_at(n);
        rest = r;
        let keys: Vec<(u64, u32, bool)> = kb
            .chunks_exact(8)
            .zip(eb.chunks_exact(4))
            .zip(fb)
            .map(|((k, e), &f)| {
                (
                    u64::from_le_bytes(k.try_into().expect("8 bytes")),
                    u32::from_le_bytes(e.try_into().expect("4 bytes")),
                    f == 1,
                )
            })
            .collect();
        let mut lists = Vec::new();
        for _ in 0..6 {
            let m = take_u64(&mut rest).ok_or_else(|| bad("truncated prefix count"))? as usize;
            if rest.len() < m.saturating_mul(8) {
                return Err(bad("truncated prefixes"));
            }
            let (head, tail) = rest.split_at(m * 8);
            rest = tail;
            lists.push(
                head.chunks_exact(8)
                    .map(|p| u64::from_le_bytes(p.try_into().expect("8 bytes")))
                    .collect::<Vec<u64>>(),
            );
        }
        if !rest.is_empty() {
            return Err(bad("bytes after the prefix lists"));
        }
        let mut set = || KeySet::new(&lists.pop().unwrap_or_default());
        let (ends_pair, starts_text, starts_pair) = (set(), set(), set());
        let grams = lists.pop().unwrap_or_default();
        let short_prefixes = lists.pop().unwrap_or_default();
        let mid_prefixes = lists.pop().unwrap_or_default();
        let gate = RunGate {
            chars: header.params.gate_chars(),
            grams_filter: gram_filter(&grams),
            grams: KeySet::new(&grams),
            starts_pair,
            starts_text,
            ends_pair,
        };
        if keys
            .iter()
            .any(|&(_, e, _)| e as usize >= header.entries.len())
        {
            return Err(bad("an n-gram points past the entry list"));
        }
        Ok(Index::from_parts(
            header.params,
            header.benchmarks,
            header.entries,
            header.lengths,
            keys,
            [mid_prefixes, short_prefixes],
            gate,
        ))
    }

    fn from_parts(
        params: IndexParams,
        benchmarks: Vec<BenchmarkFile>,
        entries: Vec<Entry>,
        mut lengths: Vec<usize>,
        keys: Vec<(u64, u32, bool)>,
        [mid_prefixes, short_prefixes]: [Vec<u64>; 2],
        gate: RunGate,
    ) -> Index {
        let mut table = KeyTable::with_capacity(keys.len());
        for &(k, e, _) in &keys {
            table.insert(k, e);
        }
        let filter_of = |list: &[u64]| {
            let mut f = PrefixFilter::with_capacity(list.len());
            for &p in list {
                f.insert(p);
            }
            f
        };
        let full_keys: Vec<u64> = keys.iter().filter(|k| k.2).map(|k| k.0).collect();
        let full_filter = filter_of(&full_keys);
        let (mid_filter, short_filter) = (filter_of(&mid_prefixes), filter_of(&short_prefixes));
        lengths.sort_unstable();
        lengths.dedup();
        Index {
            params,
            benchmarks,
            entries,
            lengths,
            table,
            full_filter,
            mid_filter,
            short_filter,
            keys,
            mid_prefixes,
            short_prefixes,
            gate,
        }
    }

    /// What lets a scan skip segmenting Han and kana runs that cannot hold benchmark text.
    pub fn gate(&self) -> &RunGate {
        &self.gate
    }
}

/// The gate's first filter: 8 bits per gram, to stay in the CPU's L2 cache.
fn gram_filter(grams: &[u64]) -> PrefixFilter {
    let mut f = PrefixFilter::with_bits(grams.len(), 8);
    for &g in grams {
        f.insert(g);
    }
    f
}

fn sorted_keys(set: &KeySet) -> Vec<u64> {
    let mut v = set.keys();
    v.sort_unstable();
    v
}

fn sorted(set: &HashSet<u64>) -> Vec<u64> {
    let mut v: Vec<u64> = set.iter().copied().collect();
    v.sort_unstable();
    v
}

/// The parameters and benchmark files of an index file, without loading its n-grams (for
/// cards).
pub fn read_summary(path: &Path) -> Result<(IndexParams, Vec<BenchmarkFile>), DecontamError> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(DecontamError::io(path))?;
    let mut head = [0u8; 28];
    f.read_exact(&mut head).map_err(DecontamError::io(path))?;
    let len = u64::from_le_bytes(head[20..28].try_into().expect("8 bytes")) as usize;
    let mut bytes = head.to_vec();
    bytes.resize(28 + len, 0);
    f.read_exact(&mut bytes[28..])
        .map_err(DecontamError::io(path))?;
    let (header, _) = parse_header(path, &bytes)?;
    Ok((header.params, header.benchmarks))
}

fn take_u64(rest: &mut &[u8]) -> Option<u64> {
    let (head, tail) = rest.split_at_checked(8)?;
    *rest = tail;
    Some(u64::from_le_bytes(head.try_into().ok()?))
}

fn parse_header<'a>(path: &Path, bytes: &'a [u8]) -> Result<(Header, &'a [u8]), DecontamError> {
    let bad = |m: String| DecontamError::BadIndex {
        path: path.to_path_buf(),
        message: m,
    };
    if bytes.len() < 28 || &bytes[..16] != MAGIC {
        return Err(bad(
            "not a seapile decontamination index (build one with `seapile decontam index`)".into(),
        ));
    }
    let version = u32::from_le_bytes(bytes[16..20].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(bad(format!(
            "format version {version}, this seapile reads {FORMAT_VERSION}: rebuild the index"
        )));
    }
    let len = u64::from_le_bytes(bytes[20..28].try_into().expect("8 bytes")) as usize;
    let json = bytes
        .get(28..28 + len)
        .ok_or_else(|| bad("truncated header".into()))?;
    let header: Header =
        serde_json::from_slice(json).map_err(|e| bad(format!("bad header: {e}")))?;
    if header.tokenizer_version != TOKENIZER_VERSION || header.canary != canary() {
        return Err(bad(format!(
            "built by seapile {} with another tokenizer (version {}, canary {}; this build: \
             version {TOKENIZER_VERSION}, canary {}): rebuild the index from its benchmark files",
            header.seapile_version,
            header.tokenizer_version,
            header.canary,
            canary()
        )));
    }
    Ok((header, &bytes[28 + len..]))
}

/// Files with their names: a file as given is named by its file name, a file found in a
/// folder by its path below the folder.
fn named_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, DecontamError> {
    let mut out = Vec::new();
    for p in paths {
        for f in records::expand(std::slice::from_ref(p))? {
            let name = if p.is_dir() {
                f.strip_prefix(p).unwrap_or(&f).display().to_string()
            } else {
                f.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| f.display().to_string())
            };
            out.push((f, name));
        }
    }
    Ok(out)
}

fn read_file(
    benchmark: u32,
    path: &Path,
    name: &str,
    params: &IndexParams,
) -> Result<(BenchmarkFile, Vec<Tokenized>), DecontamError> {
    let sha256 = pipeline::fs::sha256_file(path).map_err(DecontamError::io(path))?;
    let bytes = std::fs::metadata(path)
        .map_err(DecontamError::io(path))?
        .len();
    let mut tokenizer = Tokenizer::new();
    let mut tokens = Vec::new();
    let mut out = Vec::new();
    let mut fields = 0u64;
    records::for_each_record(path, |r: Record| {
        let mut kept = Vec::new();
        for (field, text) in r.fields {
            if !records::selected(&field, &params.fields) || records::is_identifier(&field, &text) {
                continue;
            }
            let folded = tokenizer.tokenize_captured(&text, &mut tokens);
            if !tokens.is_empty() {
                fields += 1;
                let mut texts: Vec<Option<Box<str>>> = Vec::new();
                if !folded.is_empty() {
                    texts.resize(tokens.len(), None);
                    for (i, t) in folded {
                        texts[*i] = Some(t.as_str().into());
                    }
                }
                kept.push(Field {
                    path: field,
                    words: tokens.iter().map(|t| t.hash).collect(),
                    letters: tokens.iter().map(|t| t.letters as usize).sum(),
                    texts,
                });
            }
        }
        out.push(Tokenized {
            benchmark,
            record: r.index,
            id: r.id,
            fields: kept,
        });
        Ok(())
    })?;
    let file = BenchmarkFile {
        name: name.to_string(),
        sha256,
        bytes,
        records: out.len() as u64,
        items: 0,
        fields,
        template_fields: 0,
        ngrams: 0,
    };
    Ok((file, out))
}

/// The n-grams of all records before the repeat limit: `(key, kind, entry, record)`.
struct Assembly {
    gate: GateBuilder,
    grams: Vec<(u64, Kind, u32, u32)>,
    entries: Vec<Entry>,
    record_benchmark: Vec<u32>,
    repeat_limit: u32,
}

fn assemble(
    benchmarks: &mut [BenchmarkFile],
    records: &[Tokenized],
    params: &IndexParams,
) -> Assembly {
    let (n, k, short) = (params.ngram, params.prefix_len(), params.short_len());
    // How many records hold each field value.
    let mut values: Vec<(u64, u32)> = records
        .iter()
        .enumerate()
        .flat_map(|(g, r)| r.fields.iter().map(move |f| (key_of(&f.words), g as u32)))
        .collect();
    values.sort_unstable();
    values.dedup();
    let mut spread: HashMap<u64, u32> = HashMap::new();
    for (v, _) in &values {
        *spread.entry(*v).or_default() += 1;
    }
    let mut grams = Vec::new();
    let mut entries = Vec::new();
    let mut gate = GateBuilder::new(params.gate_chars());
    let mut rolling = Rolling::default();
    // The prefix an n-gram of `len` words at `i` is found by.
    let prefix = |r: &Rolling, i: usize, len: usize| {
        if len >= n {
            Kind::Full
        } else if len >= k {
            Kind::Mid(r.key(i, k))
        } else {
            Kind::Short(r.key(i, short))
        }
    };
    let mut texts: Vec<Option<&str>> = Vec::new();
    for (g, r) in records.iter().enumerate() {
        let g = g as u32;
        let fields: Vec<&Field> = r
            .fields
            .iter()
            .filter(|f| spread[&key_of(&f.words)] <= params.repeat_limit)
            .collect();
        benchmarks[r.benchmark as usize].template_fields += (r.fields.len() - fields.len()) as u64;
        let entry_of = |field: &str, entries: &mut Vec<Entry>| -> u32 {
            entries.push(Entry {
                benchmark: r.benchmark,
                record: r.record,
                id: r.id.clone(),
                field: field.to_string(),
            });
            (entries.len() - 1) as u32
        };
        for f in &fields {
            let len = f.words.len();
            texts.clear();
            texts.extend((0..len).map(|i| f.text(i)));
            if !params.cross_fields {
                gate.stretches(&texts);
            }
            if !params.is_evidence(len, f.letters) {
                continue;
            }
            rolling.reset(f.words.iter().copied());
            let e = entry_of(&f.path, &mut entries);
            if len >= n {
                for i in 0..=len - n {
                    grams.push((rolling.key(i, n), prefix(&rolling, i, n), e, g));
                    gate.window(&texts[i..i + n], &f.words[i..i + n]);
                }
            } else {
                grams.push((rolling.key(0, len), prefix(&rolling, 0, len), e, g));
                gate.window(&texts, &f.words);
            }
        }
        if params.cross_fields {
            texts.clear();
            texts.extend(
                fields
                    .iter()
                    .flat_map(|f| (0..f.words.len()).map(|i| f.text(i))),
            );
            gate.stretches(&texts);
        }
        if params.cross_fields && fields.len() > 1 {
            // Which field each word of the joined record is in.
            let owner: Vec<usize> = fields
                .iter()
                .enumerate()
                .flat_map(|(i, f)| std::iter::repeat_n(i, f.words.len()))
                .collect();
            rolling.reset(fields.iter().flat_map(|f| f.words.iter().copied()));
            let total = owner.len();
            let letters: usize = fields.iter().map(|f| f.letters).sum();
            let joined: Vec<u64> = fields
                .iter()
                .flat_map(|f| f.words.iter().copied())
                .collect();
            let mut cross_entry: HashMap<usize, u32> = HashMap::new();
            let mut entry_for = |f: usize, entries: &mut Vec<Entry>| -> u32 {
                *cross_entry
                    .entry(f)
                    .or_insert_with(|| entry_of(&fields[f].path, entries))
            };
            if total >= n {
                for i in 0..=total - n {
                    if owner[i] != owner[i + n - 1] {
                        let e = entry_for(owner[i], &mut entries);
                        grams.push((rolling.key(i, n), prefix(&rolling, i, n), e, g));
                        gate.window(&texts[i..i + n], &joined[i..i + n]);
                    }
                }
            } else if params.is_evidence(total, letters)
                && fields
                    .iter()
                    .all(|f| !params.is_evidence(f.words.len(), f.letters))
            {
                let e = entry_for(0, &mut entries);
                grams.push((rolling.key(0, total), prefix(&rolling, 0, total), e, g));
                gate.window(&texts, &joined);
            }
        }
    }
    Assembly {
        grams,
        entries,
        record_benchmark: records.iter().map(|r| r.benchmark).collect(),
        repeat_limit: params.repeat_limit,
        gate,
    }
}

/// Collects what the [`RunGate`] needs while n-grams are made: the `chars`-character grams
/// of every stretch of run words (consecutive words cut from spaceless runs, across run and
/// field boundaries: a copy may join them), and the texts shorter than `chars` that an
/// n-gram begins or ends with (its leading or trailing run words). Only all-Han/kana grams
/// and texts are kept: the gate only skips runs of Han and kana.
struct GateBuilder {
    chars: usize,
    grams: Vec<u64>,
    starts_pair: HashSet<u64>,
    starts_text: HashSet<u64>,
    ends_pair: HashSet<u64>,
    buf: Vec<char>,
}

impl GateBuilder {
    fn new(chars: usize) -> Self {
        GateBuilder {
            chars,
            grams: Vec::new(),
            starts_pair: HashSet::new(),
            starts_text: HashSet::new(),
            ends_pair: HashSet::new(),
            buf: Vec::new(),
        }
    }

    /// The grams of each stretch of run words in `texts`.
    fn stretches(&mut self, texts: &[Option<&str>]) {
        let mut i = 0;
        while i < texts.len() {
            if texts[i].is_none() {
                i += 1;
                continue;
            }
            self.buf.clear();
            while let Some(Some(t)) = texts.get(i) {
                self.buf.extend(t.chars());
                i += 1;
            }
            // Each all-Han/kana stretch of the stretch.
            for part in self.buf.split(|&c| !is_han_or_kana(c)) {
                let grams = &mut self.grams;
                gram_hashes(part, self.chars, |h| grams.push(h));
            }
        }
    }

    /// The short texts an n-gram with these words (`texts` of its run words, `words` all
    /// hashes) begins and ends with, and the word beside each.
    fn window(&mut self, texts: &[Option<&str>], words: &[u64]) {
        let (Some(first), Some(last)) = (texts.first(), texts.last()) else {
            return;
        };
        if (first.is_none() && last.is_none()) || texts.iter().all(Option::is_some) {
            return;
        }
        let len = texts.len();
        // The leading run words: `lead` of them, then a word.
        let lead = texts.iter().take_while(|t| t.is_some()).count();
        let mut text: Vec<char> = Vec::new();
        for j in 0..lead {
            text.extend(texts[j].unwrap_or_default().chars());
            if text.len() >= self.chars || !text.iter().all(|&c| is_han_or_kana(c)) {
                break;
            }
            let h = text_hash(&text);
            self.starts_pair.insert(pair(h, words[j + 1]));
            self.starts_text.insert(h);
        }
        let trail = texts.iter().rev().take_while(|t| t.is_some()).count();
        let mut text: Vec<char> = Vec::new();
        for j in 0..trail {
            let mut t: Vec<char> = texts[len - 1 - j].unwrap_or_default().chars().collect();
            t.extend_from_slice(&text);
            text = t;
            if text.len() >= self.chars || !text.iter().all(|&c| is_han_or_kana(c)) {
                break;
            }
            self.ends_pair
                .insert(pair(text_hash(&text), words[len - 2 - j]));
        }
    }

    fn finish(mut self) -> RunGate {
        self.grams.sort_unstable();
        self.grams.dedup();
        RunGate {
            chars: self.chars,
            grams_filter: gram_filter(&self.grams),
            grams: KeySet::new(&self.grams),
            starts_pair: KeySet::new(&sorted(&self.starts_pair)),
            starts_text: KeySet::new(&sorted(&self.starts_text)),
            ends_pair: KeySet::new(&sorted(&self.ends_pair)),
        }
    }
}

impl Assembly {
    fn finish(mut self, mut benchmarks: Vec<BenchmarkFile>, params: IndexParams) -> Index {
        // Group by key, records in order: the first record's entry owns the key.
        self.grams
            .sort_unstable_by_key(|&(key, _, entry, record)| (key, record, entry));
        let mut keys: Vec<(u64, u32, bool)> = Vec::new();
        let mut mid_prefixes: Vec<u64> = Vec::new();
        let mut short_prefixes: Vec<u64> = Vec::new();
        let mut is_item = vec![false; self.record_benchmark.len()];
        let mut used = vec![u32::MAX; self.entries.len()];
        let mut kept_entries: Vec<Entry> = Vec::new();
        let grams = &self.grams;
        let mut i = 0;
        while i < grams.len() {
            let key = grams[i].0;
            let mut j = i;
            let mut distinct = 0u32;
            while j < grams.len() && grams[j].0 == key {
                if j == i || grams[j].3 != grams[j - 1].3 {
                    distinct += 1;
                }
                j += 1;
            }
            if distinct <= self.repeat_limit {
                let (_, prefix, entry, record) = grams[i];
                let e = &mut used[entry as usize];
                if *e == u32::MAX {
                    *e = kept_entries.len() as u32;
                    kept_entries.push(self.entries[entry as usize].clone());
                }
                keys.push((key, *e, prefix == Kind::Full));
                match prefix {
                    Kind::Full => {}
                    Kind::Mid(p) => mid_prefixes.push(p),
                    Kind::Short(p) => short_prefixes.push(p),
                }
                benchmarks[self.record_benchmark[record as usize] as usize].ngrams += 1;
                for g in &grams[i..j] {
                    is_item[g.3 as usize] = true;
                }
            }
            i = j;
        }
        for (g, item) in is_item.iter().enumerate() {
            if *item {
                benchmarks[self.record_benchmark[g] as usize].items += 1;
            }
        }
        for list in [&mut mid_prefixes, &mut short_prefixes] {
            list.sort_unstable();
            list.dedup();
        }
        // Every length an n-gram may have: whole short items and `ngram`.
        let lengths = (params.short_len()..=params.ngram).collect();
        Index::from_parts(
            params,
            benchmarks,
            kept_entries,
            lengths,
            keys,
            [mid_prefixes, short_prefixes],
            self.gate.finish(),
        )
    }
}
