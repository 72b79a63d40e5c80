//! Positive lexical evidence for the Latin-script SEA labels: how many of a text's words each
//! language's word list explains.
//!
//! Design decision: precision first. fastText's label (or a marker rule) proposes a language;
//! the label is kept only when enough of the text's words are words of that language
//! ([`Support`], thresholds in [`crate::sea`]). Common Crawl holds far more Minangkabau,
//! Banjar, Balinese, Tok Pisin or Maori than Javanese or Sundanese, and fastText `lid.176`
//! knows none of them, so "no confident other label" is no evidence at all. The lists:
//! wordfreq's Malay ∪ Indonesian, English, Filipino and Vietnamese lists (PyPI
//! `wordfreq==3.1.1`); Javanese: the markers of [`crate::markers`], the 1,911 roots of PyPI
//! `javanese-stemmer==1.2.1`, the 3,037 words of CLDR's Javanese emoji names (npm
//! `cldr-annotations-full`) and Javanese affixes on a known root (`-ake`, `-aken`, `-ipun`,
//! definite `-e`/`-ne`); Sundanese (no Sundanese word list is on PyPI or npm): the markers,
//! the `eu` vowel Malay/Indonesian never spells, `-keun`, and possessive `-na` on a known
//! stem (`hakna`). Against them count words and letters of the Malayic languages *around*
//! the 13 that lid.176 calls Indonesian or Javanese ([`OTHER_MALAYIC`]).
//!
//! Names are no evidence either way: a capitalised word after a text's first word is left
//! out (unless that would leave fewer than three words).

use crate::script::is_letter;
use std::borrow::Cow;
use std::cell::OnceCell;

use crate::lexicon::{MalayLexicon, WordInfo, EN, FIL, JV_ROOT, JV_WORD, VI};
use crate::markers::{self, MarkerBits};

/// Word counts of one text: the words scored, and how many of them each list explains
/// (all lists at once: for reports; the SEA layer asks [`Evidence`] for one list at a time).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Support {
    /// Words scored (lower-cased; names after the first word left out).
    pub words: u32,
    /// Words of wordfreq's Malay or Indonesian list.
    pub malay: u32,
    pub english: u32,
    pub filipino: u32,
    pub vietnamese: u32,
    /// Javanese evidence words (markers, dictionary roots, affixed roots, `dh`) that are not
    /// Malay/Indonesian words.
    pub javanese_only: u32,
    /// Words that are Javanese evidence or Malay/Indonesian words (Javanese shares much of
    /// its vocabulary with Indonesian).
    pub javanese_or_malay: u32,
    /// Sundanese evidence words (markers, `eu`, `-keun`, `-na` on a known stem) that are not
    /// Malay/Indonesian words.
    pub sundanese_only: u32,
    /// Words that are Sundanese evidence or Malay/Indonesian words.
    pub sundanese_or_malay: u32,
    /// Words and letters of Minangkabau, Banjar, Balinese, Madurese, Acehnese, Buginese.
    pub other_malayic: u32,
}

impl Support {
    /// `n` as a share of the words scored (0 for a text without words).
    pub fn share(&self, n: u32) -> f64 {
        if self.words == 0 {
            0.0
        } else {
            f64::from(n) / f64::from(self.words)
        }
    }
}

/// Count every list's evidence for `text`.
pub fn support(lexicon: &MalayLexicon, text: &str) -> Support {
    let e = Evidence::new(lexicon, text);
    let (javanese_only, javanese_or_malay) = e.javanese();
    let (sundanese_only, sundanese_or_malay) = e.sundanese();
    Support {
        words: e.words(),
        malay: e.malay(),
        english: e.english(),
        filipino: e.filipino(),
        vietnamese: e.vietnamese(),
        javanese_only,
        javanese_or_malay,
        sundanese_only,
        sundanese_or_malay,
        other_malayic: e.other_malayic(),
    }
}

/// At most this many words of a text are looked up (an evenly spread sample of longer
/// texts): the evidence is a share, and a document's cost stays bounded.
pub const MAX_SCORED_WORDS: usize = 256;

/// A text's scored words, each looked up once in the lexicon and the marker table; the
/// counts the SEA layer asks for are then sums over them.
#[derive(Debug)]
pub struct Evidence<'a> {
    lexicon: &'a MalayLexicon,
    words: Vec<Word<'a>>,
    /// Counted once, asked by both the Javanese/Sundanese rule and the gate.
    others: OnceCell<u32>,
    javanese: OnceCell<(u32, u32)>,
    sundanese: OnceCell<(u32, u32)>,
    /// The names left out of `words` as written (lower-cased and counted by
    /// [`Evidence::log_ratio`] only).
    names: Vec<&'a str>,
}

#[derive(Debug)]
struct Word<'a> {
    text: Cow<'a, str>,
    info: WordInfo,
    /// The marker lists the word is on, looked up once.
    bits: MarkerBits,
}

impl Word<'_> {
    fn bits(&self) -> MarkerBits {
        self.bits
    }
}

impl<'a> Evidence<'a> {
    pub fn new(lexicon: &'a MalayLexicon, text: &'a str) -> Self {
        let (all, names) = scored_words(text);
        // A document's shares are estimated on an evenly spread sample of its words; only
        // the sampled words are lower-cased.
        let step = all.len().div_ceil(MAX_SCORED_WORDS).max(1);
        let words = all
            .into_iter()
            .step_by(step)
            .map(|raw| {
                let text = lower(raw);
                Word {
                    info: lexicon.info(&text),
                    bits: MarkerBits::of(&text),
                    text,
                }
            })
            .collect();
        Evidence {
            lexicon,
            words,
            names,
            others: OnceCell::new(),
            javanese: OnceCell::new(),
            sundanese: OnceCell::new(),
        }
    }

    /// Words scored.
    pub fn words(&self) -> u32 {
        u32::try_from(self.words.len()).unwrap_or(u32::MAX)
    }

    /// `n` as a share of the words scored (0 for a text without words).
    pub fn share(&self, n: u32) -> f64 {
        if self.words.is_empty() {
            0.0
        } else {
            f64::from(n) / self.words.len() as f64
        }
    }

    fn count(&self, f: impl Fn(&Word<'_>) -> bool) -> u32 {
        let n = self.words.iter().filter(|w| f(w)).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    pub fn malay(&self) -> u32 {
        self.count(|w| w.info.malay())
    }

    /// [`MalayLexicon::log_ratio`] over the words (the scored ones from the lookups already
    /// made, and the names): (Σ ln f_ms − ln f_id, words either list knows).
    pub fn log_ratio(&self) -> (f32, u32) {
        let (mut sum, mut known) = (0i64, 0u32);
        let names = self.names.iter().map(|n| self.lexicon.info(&lower(n)));
        for cb in self
            .words
            .iter()
            .map(|w| w.info)
            .chain(names)
            .filter_map(|i| i.malay_cb())
        {
            sum += cb;
            known += 1;
        }
        (crate::lexicon::cb_to_ln(sum), known)
    }

    pub fn english(&self) -> u32 {
        self.count(|w| w.info.has(EN))
    }

    pub fn filipino(&self) -> u32 {
        self.count(|w| w.info.has(FIL))
    }

    pub fn vietnamese(&self) -> u32 {
        self.count(|w| w.info.has(VI))
    }

    pub fn other_malayic(&self) -> u32 {
        *self
            .others
            .get_or_init(|| self.count(|w| is_other_malayic(self.lexicon, w)))
    }

    /// (Javanese words that are not common Malay/Indonesian words, Javanese or
    /// Malay/Indonesian words).
    pub fn javanese(&self) -> (u32, u32) {
        *self.javanese.get_or_init(|| self.own_words(javanese_word))
    }

    /// (Sundanese words that are not common Malay/Indonesian words, Sundanese or
    /// Malay/Indonesian words).
    pub fn sundanese(&self) -> (u32, u32) {
        *self
            .sundanese
            .get_or_init(|| self.own_words(sundanese_word))
    }

    fn own_words(&self, is_own: fn(&MalayLexicon, &Word<'_>) -> bool) -> (u32, u32) {
        let (mut only, mut covered) = (0u32, 0u32);
        for w in self
            .words
            .iter()
            .filter(|w| !is_other_malayic(self.lexicon, w))
        {
            let own = is_own(self.lexicon, w);
            only += u32::from(own);
            covered += u32::from(own || w.info.malay());
        }
        (only, covered)
    }
}

/// The words evidence is counted on, as written: runs of letters without the capitalised
/// words after the first (names), unless fewer than three would be left; and the names left
/// out. Both are lower-cased ([`lower`]) when used.
type ScoredWords<'t> = (Vec<&'t str>, Vec<&'t str>);

/// A word lower-cased, borrowed when it has no upper-case letter.
fn lower(w: &str) -> Cow<'_, str> {
    if w.bytes().all(|b| b.is_ascii_lowercase()) || !w.chars().any(char::is_uppercase) {
        Cow::Borrowed(w)
    } else {
        Cow::Owned(w.to_lowercase())
    }
}

fn scored_words(text: &str) -> ScoredWords<'_> {
    let raw = || {
        text.split(|c: char| !is_letter(c))
            .filter(|w| !w.is_empty())
    };
    let (mut kept, mut names) = (Vec::new(), Vec::new());
    for (i, w) in raw().enumerate() {
        if i == 0 || !w.starts_with(char::is_uppercase) {
            kept.push(w);
        } else {
            names.push(w);
        }
    }
    if kept.len() >= 3 || names.is_empty() {
        (kept, names)
    } else {
        (raw().collect(), Vec::new())
    }
}

/// Suffixes Javanese puts on a root and Malay/Indonesian do not: causative `-ake`/`-aké`/
/// `-aken` (krama), krama possessive `-ipun`, and, on a dictionary root only, the definite
/// `-e`/`-ne`/`-é`/`-né`.
const JAVANESE_SUFFIXES: [&str; 5] = ["akake", "ipun", "aken", "ake", "aké"];
const JAVANESE_DEFINITE: [&str; 4] = ["ne", "né", "e", "é"];
/// Prefixes stripped before a root is looked up (passive, nasal, `ka-`, `sa-`).
const JAVANESE_PREFIXES: [&str; 12] = [
    "dipun", "di", "ka", "ke", "sa", "ng", "ny", "m", "n", "tak", "dak", "pi",
];

fn javanese_root(lexicon: &MalayLexicon, stem: &str, or_malay: bool) -> bool {
    let known = |r: &str| {
        r.chars().count() >= 3 && (lexicon.is_javanese_root(r) || (or_malay && lexicon.is_malay(r)))
    };
    known(stem)
        || JAVANESE_PREFIXES
            .iter()
            .any(|p| stem.strip_prefix(p).is_some_and(known))
}

/// A word of Javanese's own (never a common Malay/Indonesian word, `common_malay`): a
/// Javanese marker no Malay list claims, initial `dh`, a dictionary root, an affixed root,
/// `ka-…-an` where Indonesian writes `ke-…-an`.
fn javanese_word(lexicon: &MalayLexicon, word: &Word<'_>) -> bool {
    if word.bits().javanese_only() {
        return true;
    }
    let w: &str = &word.text;
    if word.info.common_malay() || w.chars().count() < 3 {
        return false;
    }
    if w.starts_with("dh") || w.starts_with("ndh") {
        return true;
    }
    // Javanese spelling with é/è: `-aké`, `-é`/`-né` endings, `dh`/`th` inside
    // (`ngrungokaké`, `sabanjuré`, `dhèwèké`, `olèhku`).
    if w.contains(['é', 'è'])
        && (w.ends_with('é') || w.ends_with("ké") || w.contains("dh") || w.contains("th"))
    {
        return true;
    }
    if word.info.has(JV_ROOT) && w.chars().count() >= 4 {
        return true;
    }
    // CLDR's everyday Javanese words, English words left out (`robot`, `hotel`, `game`).
    if word.info.has(JV_WORD) && !word.info.has(EN) {
        return true;
    }
    if ka_an(lexicon, w) {
        return true;
    }
    if JAVANESE_SUFFIXES.iter().any(|s| {
        w.strip_suffix(s)
            .is_some_and(|st| javanese_root(lexicon, st, true))
    }) {
        return true;
    }
    JAVANESE_DEFINITE.iter().any(|s| {
        w.strip_suffix(s)
            .is_some_and(|st| javanese_root(lexicon, st, false))
    })
}

/// `ka-…-an` on a stem Indonesian writes `ke-…-an` (`kabebasan`, `kamanungsan`): Javanese
/// and Sundanese both, Malay/Indonesian never.
fn ka_an(lexicon: &MalayLexicon, w: &str) -> bool {
    w.strip_prefix("ka")
        .and_then(|r| r.strip_suffix("an"))
        .is_some_and(|stem| stem.chars().count() >= 3 && lexicon.is_malay(&format!("ke{stem}an")))
}

/// A word of Sundanese's own: a Sundanese marker no Malay list claims, or (not a common
/// Malay/Indonesian word) the `eu` vowel, `-keun`, `nga-` on a known stem, `ka-…-an`,
/// possessive `-na` on a known stem.
fn sundanese_word(lexicon: &MalayLexicon, word: &Word<'_>) -> bool {
    if word.bits().sundanese_only() {
        return true;
    }
    let w: &str = &word.text;
    if word.info.common_malay() || w.chars().count() < 3 {
        return false;
    }
    if w.contains("eu") || w.ends_with("keun") || ka_an(lexicon, w) {
        return true;
    }
    let known =
        |st: &str| st.chars().count() >= 3 && (lexicon.is_malay(st) || markers::is_sundanese(st));
    // `ngabogaan`, `ngarempak`: the nasal prefix Sundanese writes `nga-`.
    if w.strip_prefix("nga").is_some_and(|st| {
        known(st) || st.strip_suffix("an").is_some_and(known) || markers::is_sundanese(st)
    }) {
        return true;
    }
    // Possessive/definite `-na` on a known stem: `hakna`, `nagarana`, `kulawargana`.
    w.strip_suffix("na").is_some_and(known)
}

/// Frequent words of the Malayic and Sulawesi/Bali languages that lid.176 calls Indonesian,
/// Malay, Javanese or Sundanese and that those four do not use: Minangkabau (`nan`, `jo`,
/// `indak`, `untuak`), Banjar (`kada`, `nang`, `wan`, `ulun`), Balinese (`sane`, `tur`,
/// `wiadin`, `ring`), Madurese (`bân`, `otabâ`, `èpon`), Acehnese (`nyang`, `ngon`, `keu`,
/// `bandum`), Buginese (`sibawa`, `nennia`, `ri`). From grammars of these languages; the
/// UDHR pages in them (development data) confirmed they are frequent there.
#[rustfmt::skip]
pub const OTHER_MALAYIC: &[&str] = &[
    // Minangkabau
    "nan", "jo", "indak", "dek", "untuak", "sadonyo", "baliau", "ampek", "kapado", "pado",
    "manuruik", "baiak", "sarato", "mambuek", "ateh", "sapanjang", "inyo",
    // Banjar
    "kada", "nang", "wan", "ulun", "pian", "ikam", "bubuhan", "buhan", "handak", "sidin",
    "maulah", "sabarataan", "baisi", "nangkaya", "gasan", "matan", "ngini", "ngitu",
    "bulih", "kadada",
    // Balinese
    "sane", "tur", "wiadin", "ento", "nenten", "sakancan", "ring", "pinaka", "antuk",
    "sapunapi", "mangda", "iraga", "ngamolihang", "saluiring", "maduwe", "napi", "yaning",
    "wantah", "polih", "sapasira", "yadian",
    // Madurese
    "bân", "sè", "otabâ", "èpon", "kalabân", "dâri", "oréng", "ngalakonè", "kabbhi", "ban",
    "oreng", "otaba", "sabban", "agadhuwi", "kaangguy", "dha",
    // Acehnese
    "nyang", "ngon", "keu", "bandum", "ureueng", "jeut", "geu", "teuh", "nibak", "lam",
    "peue", "deungon", "nyan", "droe", "hanjeut", "tiep", "lee", "hana",
    // Buginese
    "sibawa", "nennia", "ri", "iyarega", "engka", "nasaba",
    // Kapampangan (its articles look Javanese: `ing`)
    "king", "ning", "ding", "deng", "keng", "karing", "kareng", "bage",
];

/// Words of [`OTHER_MALAYIC`] (where the 13's own marker lists do not claim the word), and
/// words spelt in ways none of the four spells: Madurese `â` and geminates (`sabban`,
/// `settong`; Buginese `pakkaraja`), Acehnese `ë`, `ô`, `ö`, `eue` and its `peu-` prefix,
/// Minangkabau's `-uak`/`-iak` for Malay `-ak`; Balinese `-ang` on a known stem where
/// Javanese writes `-ake` (`kadadosang`, `ngamedalang`, `kewajibang`).
fn is_other_malayic(lexicon: &MalayLexicon, word: &Word<'_>) -> bool {
    // Common Malay/Indonesian words (`berteriak`, `sungguh`) are never counted: the marker
    // lists are checked for the rest only.
    if word.info.common_malay() {
        let bits = word.bits();
        return bits.other_malayic() && !bits.javanese() && !bits.sundanese();
    }
    let b = word.text.as_bytes();
    // One pass over the bytes: Madurese/Acehnese letters (â ë ô ö are C3 A2/AB/B4/B6 in
    // UTF-8), Acehnese `eue`, doubled consonants except the `ngg` of Malay and Javanese.
    for i in 0..b.len() {
        let next = b.get(i + 1).copied();
        match b[i] {
            0xC3 if matches!(next, Some(0xA2 | 0xAB | 0xB4 | 0xB6)) => return true,
            b'e' if next == Some(b'u') && b.get(i + 2) == Some(&b'e') => return true,
            c @ (b'b' | b'd' | b'j' | b'p' | b't' | b'c') if next == Some(c) => return true,
            b'g' if next == Some(b'g') && (i == 0 || b[i - 1] != b'n') => return true,
            _ => {}
        }
    }
    if b.len() >= 5 && (b.ends_with(b"uak") || b.ends_with(b"iak") || b.starts_with(b"peu")) {
        return true;
    }
    let bits = word.bits();
    if bits.other_malayic() && !bits.javanese() && !bits.sundanese() {
        return true;
    }
    !bits.javanese() && balinese_ang(lexicon, &word.text)
}

/// Balinese's causative/locative `-ang` on a stem Malay/Indonesian or Javanese knows, after
/// a verbal prefix (`ka-`, `nga-`, `nge-`, `ma-`, `ke-`): Javanese writes `-ake`/`-aken`
/// there, and a Javanese root ending in `-ang` (`buwang`, `larang`) leaves no known stem.
fn balinese_ang(lexicon: &MalayLexicon, w: &str) -> bool {
    const PREFIXES: [&str; 7] = ["nga", "nge", "ka", "ke", "ma", "pa", "ng"];
    let Some(stem) = w.strip_suffix("ang").filter(|s| s.len() >= 5) else {
        return false;
    };
    let known = |r: &str| {
        r.chars().count() >= 4
            && (lexicon.is_malay(r) || lexicon.is_javanese_root(r) || markers::is_javanese(r))
    };
    PREFIXES
        .iter()
        .filter_map(|p| stem.strip_prefix(p))
        .any(|r| known(r) || r.strip_suffix('i').is_some_and(known))
}
