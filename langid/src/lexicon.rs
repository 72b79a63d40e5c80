//! Malay vs Indonesian from word frequencies: a naive-Bayes log-ratio over the words of a
//! text, with the frequencies of wordfreq's Malay (`ms`) and Indonesian (`id`) lists
//! (PyPI `wordfreq==3.1.1`, `data/small_{ms,id}.msgpack.gz`: Wikipedia, subtitles, web and
//! news text per language; data CC-BY-SA 4.0, fetched by `seapile assets fetch`, never
//! committed).
//!
//! Why: lid.176 calls two thirds of Standard Malay Indonesian, and the words that tell the
//! two standards apart (`berfikir`/`berpikir`, `mana-mana`, `kerajaan`/`pemerintah`,
//! `-kah`) are thousands, too many to list by hand. Each word known to either list adds
//! `ln f_ms(w) − ln f_id(w)`, a word missing from one list taking that list's floor
//! ([`MISSING_CB`]), small gaps ignored ([`DEAD_ZONE_CB`]) and every word capped at
//! [`CAP_CB`] so one rare word cannot decide a long text. On the clean (Tatoeba + UDHR)
//! zsm/ind lines of `shared/eval/langid/dev.tsv` this plus fastText's log-ratio errs on 250
//! lines against 373 for the weighted probabilities alone and 467 for lid.176 (see
//! `langid/README.md`).

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::LangidError;

/// A word missing from a list counts as this frequency, in centibels (−700 cB = 10⁻⁷):
/// below the lists' own cut-off (about 10⁻⁶), since a word a list lacks is rarer than the
/// rarest it keeps.
pub const MISSING_CB: u16 = 700;
/// The most one word can move the score, in centibels (300 cB = a factor of 1,000).
pub const CAP_CB: u16 = 300;
/// Differences up to this many centibels (a factor of 3.2) are not evidence: the two lists
/// come from different mixes of sources, and shared words (`saya`, `tidak`, `pergi`) differ
/// by that much for the mix's sake, which summed over a sentence called plain Indonesian
/// Malay. Larger gaps are counted beyond it.
pub const DEAD_ZONE_CB: u16 = 50;
/// [`MalayLexicon::is_common_malay`]: 500 cB = 10⁻⁵.
pub const COMMON_CB: u16 = 500;
/// The wordfreq list files, inside the lexicon folder.
pub const MALAY_FILE: &str = "small_ms.msgpack.gz";
pub const INDONESIAN_FILE: &str = "small_id.msgpack.gz";
/// wordfreq's English, Filipino and Vietnamese lists (same package): the positive evidence
/// an `eng`, `tgl` or `vie` label needs ([`Support`]).
pub const ENGLISH_FILE: &str = "small_en.msgpack.gz";
pub const FILIPINO_FILE: &str = "small_fil.msgpack.gz";
pub const VIETNAMESE_FILE: &str = "small_vi.msgpack.gz";
/// Javanese root words, one per line (`a ; b` lists variants): the dictionary of PyPI
/// `javanese-stemmer==1.2.1` (MIT; 1,911 roots), fetched by `seapile assets fetch`.
pub const JAVANESE_FILE: &str = "javanese_kamus.txt";
/// Unicode CLDR's Javanese emoji annotations (npm `cldr-annotations-full@48.2.0`,
/// `annotations/jv/annotations.json`; Unicode license): the names and keywords of ~2,000
/// emoji, ~3,000 distinct everyday Javanese words (`mangan`, `wengi`, `njupuk`, `mbuwang`,
/// `pamitan`) that the dictionary's roots lack. Fetched by `seapile assets fetch`.
pub const JAVANESE_CLDR_FILE: &str = "cldr_jv_annotations.json";

/// The lexicon folder inside the asset cache (`seapile assets fetch` fills it).
pub const DEFAULT_DIR: &str = "wordfreq";

/// What the lists know of one word: its Malay and Indonesian frequency in centibels below 1
/// (0 = every word, 600 = 10⁻⁶; [`ABSENT`] when the list lacks it) and which of the other
/// lists have it ([`EN`], [`FIL`], [`VI`], [`JV_ROOT`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordInfo {
    pub ms: u16,
    pub id: u16,
    pub flags: u8,
}

/// A frequency the list does not have.
pub const ABSENT: u16 = u16::MAX;
pub const EN: u8 = 1;
pub const FIL: u8 = 2;
pub const VI: u8 = 4;
pub const JV_ROOT: u8 = 8;
/// A word of CLDR's Javanese emoji names ([`JAVANESE_CLDR_FILE`]).
pub const JV_WORD: u8 = 16;

impl Default for WordInfo {
    fn default() -> Self {
        WordInfo {
            ms: ABSENT,
            id: ABSENT,
            flags: 0,
        }
    }
}

impl WordInfo {
    /// In wordfreq's Malay or Indonesian list.
    pub fn malay(&self) -> bool {
        self.ms != ABSENT || self.id != ABSENT
    }
    /// At least 10⁻⁵ in either ([`COMMON_CB`]).
    pub fn common_malay(&self) -> bool {
        self.ms.min(self.id) <= COMMON_CB
    }
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// The word's Malay-vs-Indonesian evidence in centibels (> 0 leans Malay): the
    /// frequency gap beyond [`DEAD_ZONE_CB`], capped at [`CAP_CB`]; `None` when neither list
    /// has the word.
    pub fn malay_cb(&self) -> Option<i64> {
        if !self.malay() {
            return None;
        }
        // A higher centibel figure is a rarer word; a missing word takes MISSING_CB.
        let or_missing = |c: u16| i64::from(if c == ABSENT { MISSING_CB } else { c });
        let diff = or_missing(self.id) - or_missing(self.ms);
        let beyond = (diff.abs() - i64::from(DEAD_ZONE_CB)).max(0);
        Some(diff.signum() * beyond.min(i64::from(CAP_CB)))
    }
}

/// Centibels (of frequency ratios) as a natural log: 100 cB = one decade.
pub fn cb_to_ln(cb: i64) -> f32 {
    cb as f32 / 100.0 * std::f32::consts::LN_10
}

/// Word → what the lists know, packed in 32 bits ([`pack`]), keyed by the word's 32-bit
/// FNV-1a hash rather than the word: 8 bytes an entry, one cache line per lookup and no
/// string comparison. The SEA layer is bound by these lookups' cache misses; among the
/// ~100,000 words a pair or two may share a hash, which blurs those words' evidence only.
type Words = HashMap<u32, u32, BuildHasherDefault<KeyHash>>;

fn key(word: &str) -> u32 {
    let h = word.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (h ^ (h >> 32)) as u32
}

/// 12 bits Malay cB, 12 bits Indonesian cB (4095 = absent), 8 bits flags.
fn pack(w: WordInfo) -> u32 {
    let cb = |c: u16| u32::from(if c == ABSENT { 0xFFF } else { c.min(0xFFE) });
    cb(w.ms) | (cb(w.id) << 12) | (u32::from(w.flags) << 24)
}

fn unpack(v: u32) -> WordInfo {
    let cb = |c: u32| if c == 0xFFF { ABSENT } else { c as u16 };
    WordInfo {
        ms: cb(v & 0xFFF),
        id: cb((v >> 12) & 0xFFF),
        flags: (v >> 24) as u8,
    }
}

/// The keys are hashes already: passed through.
#[derive(Default)]
struct KeyHash(u64);

impl std::hash::Hasher for KeyHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u32(&mut self, i: u32) {
        // Spread the 32-bit key over the 64 bits the table uses (its top 7 bits tag buckets).
        self.0 = u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Word → frequency in centibels below 1 (0 = every word, 600 = 10⁻⁶), per language, for
/// Malay vs Indonesian; and the word lists that give the Latin-script SEA labels their
/// positive evidence ([`crate::evidence`]): all in one table, one lookup per word.
#[derive(Debug)]
pub struct MalayLexicon {
    words: Words,
    dir: PathBuf,
}

impl MalayLexicon {
    /// Load the two wordfreq lists from `dir`.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, LangidError> {
        let dir = dir.as_ref();
        let read = |name: &str| {
            let path = dir.join(name);
            read_cb_list(&path).map_err(|source| LangidError::Lexicon { path, source })
        };
        let mut info: HashMap<u32, WordInfo, BuildHasherDefault<KeyHash>> = HashMap::default();
        for (w, cb) in read(MALAY_FILE)? {
            info.entry(key(&w)).or_default().ms = cb;
        }
        for (w, cb) in read(INDONESIAN_FILE)? {
            info.entry(key(&w)).or_default().id = cb;
        }
        let roots = dir.join(JAVANESE_FILE);
        let javanese = read_roots(&roots).map_err(|source| LangidError::Lexicon {
            path: roots,
            source,
        })?;
        for (file, flag) in [
            (ENGLISH_FILE, EN),
            (FILIPINO_FILE, FIL),
            (VIETNAMESE_FILE, VI),
        ] {
            for (w, _) in read(file)? {
                info.entry(key(&w)).or_default().flags |= flag;
            }
        }
        for w in javanese {
            info.entry(key(&w)).or_default().flags |= JV_ROOT;
        }
        let cldr = dir.join(JAVANESE_CLDR_FILE);
        let words =
            read_cldr_words(&cldr).map_err(|source| LangidError::Lexicon { path: cldr, source })?;
        for w in words {
            info.entry(key(&w)).or_default().flags |= JV_WORD;
        }
        let words: Words = info.into_iter().map(|(k, v)| (k, pack(v))).collect();
        Ok(MalayLexicon {
            words,
            dir: dir.to_path_buf(),
        })
    }

    /// The lexicon in `dir`, loaded once per process and shared (every shard's langid stage
    /// asks for it).
    pub fn shared(dir: impl AsRef<Path>) -> Result<Arc<Self>, LangidError> {
        static LOADED: Mutex<Vec<Arc<MalayLexicon>>> = Mutex::new(Vec::new());
        let dir = dir.as_ref();
        let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = loaded.iter().find(|l| l.dir == dir) {
            return Ok(l.clone());
        }
        let l = Arc::new(Self::load(dir)?);
        loaded.push(l.clone());
        Ok(l)
    }

    /// What the lists know of a (lower-case) word.
    pub fn info(&self, word: &str) -> WordInfo {
        self.words
            .get(&key(word))
            .map_or_else(WordInfo::default, |&v| unpack(v))
    }

    /// Whether wordfreq's Malay or Indonesian list has the (lower-case) word.
    pub fn is_malay(&self, word: &str) -> bool {
        self.info(word).malay()
    }

    /// Whether the word is a common Malay or Indonesian word: at least 10⁻⁵ in either list
    /// (the lists' long tail holds Javanese and Sundanese words of Indonesian web pages).
    pub fn is_common_malay(&self, word: &str) -> bool {
        self.info(word).common_malay()
    }

    /// Whether wordfreq's English list has the word.
    pub fn is_english(&self, word: &str) -> bool {
        self.info(word).has(EN)
    }

    /// Whether the word is a root of the Javanese dictionary.
    pub fn is_javanese_root(&self, word: &str) -> bool {
        self.info(word).has(JV_ROOT)
    }

    /// The folder it was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Σ over the words of `text` of `ln f_ms(w) − ln f_id(w)` (natural log; > 0 leans
    /// Malay), and how many words either list knows.
    pub fn log_ratio(&self, text: &str) -> (f32, u32) {
        let mut sum_cb = 0i64;
        let mut known = 0u32;
        let mut word = String::new();
        let mut flush = |word: &mut String| {
            if word.is_empty() {
                return;
            }
            if let Some(cb) = self.info(word).malay_cb() {
                known += 1;
                sum_cb += cb;
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_ascii() {
                if c.is_ascii_alphabetic() {
                    word.push(c.to_ascii_lowercase());
                } else {
                    flush(&mut word);
                }
            } else if c.is_alphabetic() {
                word.extend(c.to_lowercase());
            } else {
                flush(&mut word);
            }
        }
        flush(&mut word);
        (cb_to_ln(sum_cb), known)
    }
}

/// The Javanese roots: one per line, variants separated by `;`, lower-cased; the file's
/// header word (`jawa`) is a root too.
fn read_roots(path: &Path) -> Result<HashSet<String>, ListError> {
    let text = std::fs::read_to_string(path)?;
    let roots: HashSet<String> = text
        .lines()
        .flat_map(|l| l.split(';'))
        .map(|w| w.trim().to_lowercase())
        .filter(|w| w.chars().count() >= 2)
        .collect();
    if roots.len() < 100 {
        return Err(malformed(format!(
            "{} roots, expected a dictionary",
            roots.len()
        )));
    }
    Ok(roots)
}

/// The words (runs of letters, lower-cased, three letters or more) of the emoji names and
/// keywords in a CLDR `annotations.json`.
fn read_cldr_words(path: &Path) -> Result<HashSet<String>, ListError> {
    let text = std::fs::read_to_string(path)?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let annotations = json
        .pointer("/annotations/annotations")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| malformed("no annotations.annotations object"))?;
    let mut words = HashSet::new();
    for entry in annotations.values() {
        let names = ["default", "tts"]
            .iter()
            .filter_map(|k| entry.get(k).and_then(serde_json::Value::as_array))
            .flatten()
            .filter_map(serde_json::Value::as_str);
        for name in names {
            for w in name.split(|c: char| !c.is_alphabetic()) {
                if w.chars().count() >= 3 {
                    words.insert(w.to_lowercase());
                }
            }
        }
    }
    if words.len() < 100 {
        return Err(malformed(format!(
            "{} words, expected CLDR annotations",
            words.len()
        )));
    }
    Ok(words)
}

/// Why a wordfreq list cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("not gzip: {0}")]
    Gzip(#[source] std::io::Error),
    /// The MessagePack inside is not a wordfreq `cB` list.
    #[error("{0}")]
    Malformed(String),
}

fn malformed(message: impl Into<String>) -> ListError {
    ListError::Malformed(message.into())
}

/// A wordfreq `cB` list: gzip of msgpack `[header, bucket_0, bucket_1, ...]`, bucket `i`
/// holding the words of frequency 10^(−i/100).
/// The words of a wordfreq list with their buckets, in the file's order (most frequent first;
/// a word listed twice keeps its first bucket). An order, not a hash map's: two words can
/// share a [`key`], and which one the lexicon keeps must not change between runs.
fn read_cb_list(path: &Path) -> Result<Vec<(String, u16)>, ListError> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .map_err(ListError::Gzip)?;
    let mut r = MsgPack {
        bytes: &bytes,
        at: 0,
    };
    let n = r.array_len()?;
    if n < 2 {
        return Err(malformed("expected [header, buckets...]"));
    }
    let header_len = r.map_len()?;
    let mut format = String::new();
    for _ in 0..header_len {
        let key = r.string()?;
        if key == "format" {
            format = r.string()?;
        } else {
            r.skip()?;
        }
    }
    if format != "cB" {
        return Err(malformed(format!("format {format:?}, expected \"cB\"")));
    }
    let mut words = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for bucket in 0..n - 1 {
        let cb = u16::try_from(bucket).map_err(|_| malformed("too many buckets"))?;
        for _ in 0..r.array_len()? {
            let w = r.string()?;
            if seen.insert(w.clone()) {
                words.push((w, cb));
            }
        }
    }
    if words.is_empty() {
        return Err(malformed("no words"));
    }
    Ok(words)
}

/// The part of MessagePack a wordfreq list uses: arrays, maps, strings and small scalars.
struct MsgPack<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl MsgPack<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], ListError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| malformed(format!("truncated msgpack at byte {}", self.at)))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, ListError> {
        Ok(self.take(1)?[0])
    }

    fn uint(&mut self, n: usize) -> Result<usize, ListError> {
        let b = self.take(n)?;
        Ok(b.iter().fold(0usize, |acc, &x| (acc << 8) | usize::from(x)))
    }

    fn array_len(&mut self) -> Result<usize, ListError> {
        match self.byte()? {
            b @ 0x90..=0x9f => Ok(usize::from(b & 0x0f)),
            0xdc => self.uint(2),
            0xdd => self.uint(4),
            b => Err(malformed(format!(
                "expected an array, found 0x{b:02x} at byte {}",
                self.at - 1
            ))),
        }
    }

    fn map_len(&mut self) -> Result<usize, ListError> {
        match self.byte()? {
            b @ 0x80..=0x8f => Ok(usize::from(b & 0x0f)),
            0xde => self.uint(2),
            0xdf => self.uint(4),
            b => Err(malformed(format!(
                "expected a map, found 0x{b:02x} at byte {}",
                self.at - 1
            ))),
        }
    }

    fn string(&mut self) -> Result<String, ListError> {
        let n = match self.byte()? {
            b @ 0xa0..=0xbf => usize::from(b & 0x1f),
            0xd9 => self.uint(1)?,
            0xda => self.uint(2)?,
            0xdb => self.uint(4)?,
            b => {
                return Err(malformed(format!(
                    "expected a string, found 0x{b:02x} at byte {}",
                    self.at - 1
                )))
            }
        };
        String::from_utf8(self.take(n)?.to_vec()).map_err(|e| malformed(e.to_string()))
    }

    /// Skip one value of any kind the lists use.
    fn skip(&mut self) -> Result<(), ListError> {
        let b = self
            .bytes
            .get(self.at)
            .copied()
            .ok_or_else(|| malformed("truncated msgpack"))?;
        match b {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => {
                self.at += 1;
            }
            0xcc | 0xd0 => drop(self.take(2)?),
            0xcd | 0xd1 => drop(self.take(3)?),
            0xce | 0xd2 | 0xca => drop(self.take(5)?),
            0xcf | 0xd3 | 0xcb => drop(self.take(9)?),
            0xa0..=0xbf | 0xd9..=0xdb => drop(self.string()?),
            0x90..=0x9f | 0xdc | 0xdd => {
                for _ in 0..self.array_len()? {
                    self.skip()?;
                }
            }
            0x80..=0x8f | 0xde | 0xdf => {
                for _ in 0..self.map_len()? * 2 {
                    self.skip()?;
                }
            }
            b => return Err(malformed(format!("unsupported msgpack type 0x{b:02x}"))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msgpack_lists_parse_and_bad_input_is_an_error() {
        // [{"format": "cB", "version": 1}, [], ["yang"], ["dan", "di"]]
        let mut v = vec![0x94, 0x82, 0xa6];
        v.extend(b"format");
        v.push(0xa2);
        v.extend(b"cB");
        v.push(0xa7);
        v.extend(b"version");
        v.extend([0x01, 0x90, 0x91, 0xa4]);
        v.extend(b"yang");
        v.extend([0x92, 0xa3]);
        v.extend(b"dan");
        v.push(0xa2);
        v.extend(b"di");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.msgpack.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &v).unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let words = read_cb_list(&path).unwrap();
        let bucket = |w: &str| words.iter().find(|(x, _)| x == w).map(|(_, b)| *b);
        assert_eq!(bucket("yang"), Some(1));
        assert_eq!(bucket("di"), Some(2));
        // In the file's order, most frequent first.
        let yang = words.iter().position(|(w, _)| w == "yang");
        let di = words.iter().position(|(w, _)| w == "di");
        assert!(yang < di, "{words:?}");
        std::fs::write(&path, b"not gzip").unwrap();
        assert!(read_cb_list(&path)
            .unwrap_err()
            .to_string()
            .contains("gzip"));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &v[..v.len() - 3]).unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        assert!(read_cb_list(&path)
            .unwrap_err()
            .to_string()
            .contains("truncated"));
    }
}
