//! What a shard collects for the report while it streams, and how shards merge.
//!
//! A [`Collector`] sees every item of a shard once, in the engine's emit step: records
//! ingest dropped, kept documents and dropped documents with the stage and reason. It keeps
//! counts, fixed-bin histograms ([`crate::hist`]) and bottom-k samples ([`crate::sample`]),
//! all of which merge exactly: integers add, samples keep the smallest keys. So the merged
//! [`Collection`] of any sharding of the same documents is the same value, and a report
//! never re-reads the data.

use std::collections::{BTreeMap, HashMap};

use pipeline::{Doc, Threshold};
use serde::{Deserialize, Serialize};

use crate::hist::{Bins, Histogram, Incompatible};
use crate::sample::{self, BottomK, Sample};

/// Version of the collection files (`OUT/report/<shard>.json`).
pub const FORMAT: u32 = 1;
/// Characters of a sample's text kept for the report.
pub const SAMPLE_CHARS: usize = 600;
/// Kept documents sampled per language.
pub const KEPT_SAMPLES: usize = 5;
/// Dropped documents sampled per language and drop reason.
pub const DROPPED_SAMPLES: usize = 3;
/// The sample category of kept documents (others are `stage:reason`).
pub const KEPT: &str = "kept";
/// The language of documents no language ID has looked at.
pub const UND: &str = "und";

/// Documents and their characters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mass {
    pub docs: u64,
    pub chars: u64,
}

impl Mass {
    pub fn add(&mut self, other: Mass) {
        self.docs += other.docs;
        self.chars += other.chars;
    }
}

/// One signal's distribution in three series: documents kept in the end, documents dropped
/// by the stage whose limits watch this signal, and documents another stage dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Split {
    pub kept: Histogram,
    pub dropped_here: Histogram,
    pub dropped_elsewhere: Histogram,
}

impl Split {
    pub fn new(bins: Bins) -> Self {
        Split {
            kept: Histogram::new(bins),
            dropped_here: Histogram::new(bins),
            dropped_elsewhere: Histogram::new(bins),
        }
    }

    pub fn bins(&self) -> Bins {
        self.kept.bins
    }

    pub fn total(&self) -> u64 {
        self.kept.total() + self.dropped_here.total() + self.dropped_elsewhere.total()
    }

    fn add(&mut self, x: f64, fate: Fate) {
        match fate {
            Fate::Kept => self.kept.add(x),
            Fate::DroppedHere => self.dropped_here.add(x),
            Fate::DroppedElsewhere => self.dropped_elsewhere.add(x),
        }
    }

    pub fn merge(&mut self, o: &Split) -> Result<(), Incompatible> {
        self.kept.merge(&o.kept)?;
        self.dropped_here.merge(&o.dropped_here)?;
        self.dropped_elsewhere.merge(&o.dropped_elsewhere)
    }
}

#[derive(Clone, Copy)]
enum Fate {
    Kept,
    DroppedHere,
    DroppedElsewhere,
}

/// Everything collected about one language (the document's `lang`, `und` without one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LangData {
    /// Lengths of kept documents.
    pub chars: Histogram,
    pub words: Histogram,
    pub tokens: Histogram,
    /// Language-ID scores of every document identified as this language.
    pub lang_score: Split,
    /// `lang_share`: the share of the paragraphs' letters in this language.
    pub lang_share: Histogram,
    /// Documents with a `lang_share`, those below 1 (some paragraph in another language),
    /// and the sum of their other-language shares in thousandths (integers add exactly).
    pub shared: u64,
    pub mixed: u64,
    pub other_milli: u64,
    /// Each numeric signal in `attrs` (quality and any other stage's), by name.
    pub signals: BTreeMap<String, Split>,
    /// `kept` or `stage:reason` → sampled documents.
    pub samples: BTreeMap<String, BottomK>,
}

impl Default for LangData {
    fn default() -> Self {
        LangData {
            chars: Histogram::new(Bins::LENGTH),
            words: Histogram::new(Bins::LENGTH),
            tokens: Histogram::new(Bins::LENGTH),
            lang_score: Split::new(Bins::UNIT),
            lang_share: Histogram::new(Bins::UNIT),
            shared: 0,
            mixed: 0,
            other_milli: 0,
            signals: BTreeMap::new(),
            samples: BTreeMap::new(),
        }
    }
}

impl LangData {
    pub fn merge(&mut self, o: &LangData) -> Result<(), Incompatible> {
        self.chars.merge(&o.chars)?;
        self.words.merge(&o.words)?;
        self.tokens.merge(&o.tokens)?;
        self.lang_score.merge(&o.lang_score)?;
        self.lang_share.merge(&o.lang_share)?;
        self.shared += o.shared;
        self.mixed += o.mixed;
        self.other_milli += o.other_milli;
        for (k, v) in &o.signals {
            match self.signals.get_mut(k) {
                Some(mine) => mine.merge(v)?,
                None => {
                    self.signals.insert(k.clone(), v.clone());
                }
            }
        }
        for (k, v) in &o.samples {
            self.samples
                .entry(k.clone())
                .or_insert_with(|| BottomK::new(v.k))
                .merge(v);
        }
        Ok(())
    }
}

/// A shard's collection (`OUT/report/<shard>.json`), or several merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collection {
    pub format: u32,
    /// Shard collections merged into this one.
    pub shards: u64,
    /// Dropped documents: stage → reason → language → documents and characters.
    pub dropped: BTreeMap<String, BTreeMap<String, BTreeMap<String, Mass>>>,
    pub langs: BTreeMap<String, LangData>,
}

impl Default for Collection {
    fn default() -> Self {
        Collection {
            format: FORMAT,
            shards: 0,
            dropped: BTreeMap::new(),
            langs: BTreeMap::new(),
        }
    }
}

impl Collection {
    /// Add another shard's collection.
    pub fn merge(&mut self, o: &Collection) -> Result<(), Incompatible> {
        if o.format != self.format {
            return Err(Incompatible(format!(
                "collection format {} vs {}",
                o.format, self.format
            )));
        }
        self.shards += o.shards;
        for (stage, reasons) in &o.dropped {
            let mine = self.dropped.entry(stage.clone()).or_default();
            for (reason, langs) in reasons {
                let mine = mine.entry(reason.clone()).or_default();
                for (lang, m) in langs {
                    mine.entry(lang.clone()).or_default().add(*m);
                }
            }
        }
        for (lang, d) in &o.langs {
            match self.langs.get_mut(lang) {
                Some(mine) => mine.merge(d)?,
                None => {
                    self.langs.insert(lang.clone(), d.clone());
                }
            }
        }
        Ok(())
    }

    /// Dropped documents of one stage, summed over reasons, by language.
    pub fn dropped_by_lang(&self, stage: &str) -> BTreeMap<&str, Mass> {
        let mut out: BTreeMap<&str, Mass> = BTreeMap::new();
        for langs in self.dropped.get(stage).into_iter().flat_map(|r| r.values()) {
            for (lang, m) in langs {
                out.entry(lang.as_str()).or_default().add(*m);
            }
        }
        out
    }
}

/// Which stage's limits watch which signal, and which signals a drop reason is about.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    stage_of: HashMap<String, String>,
    about: HashMap<(String, String), Vec<String>>,
}

impl Limits {
    pub fn new(thresholds: &[Threshold]) -> Self {
        let mut l = Limits::default();
        for t in thresholds {
            l.stage_of
                .entry(t.attr.clone())
                .or_insert_with(|| t.stage.clone());
            let about = l
                .about
                .entry((t.lang.clone(), t.reason.clone()))
                .or_default();
            if !about.contains(&t.attr) {
                about.push(t.attr.clone());
            }
        }
        l
    }
}

/// A shard's collector: feed it every item in the order the shard emits them.
#[derive(Debug)]
pub struct Collector {
    data: Collection,
    limits: std::sync::Arc<Limits>,
}

impl Collector {
    pub fn new(limits: std::sync::Arc<Limits>) -> Self {
        Collector {
            data: Collection {
                shards: 1,
                ..Collection::default()
            },
            limits,
        }
    }

    /// A record ingest dropped before it became a document (no text).
    pub fn not_a_page(&mut self, id: &str, url: Option<&str>, reason: &str) {
        self.count_drop("ingest", reason, UND, 0);
        let key = sample::key(id);
        let samples = self.samples(UND, format!("ingest:{reason}"), DROPPED_SAMPLES);
        if samples.wants(key) {
            samples.offer(Sample {
                key,
                id: id.to_string(),
                url: url.map(str::to_string),
                lang_score: None,
                lang_share: None,
                tokens: None,
                chars: 0,
                text: String::new(),
                signals: Vec::new(),
            });
        }
    }

    /// A kept document with its characters and words (as the run counted them).
    pub fn kept(&mut self, doc: &Doc, chars: u64, words: u64) {
        let lang = doc.lang.as_deref().unwrap_or(UND);
        let d = self.lang(lang);
        d.chars.add(chars as f64);
        d.words.add(words as f64);
        d.tokens.add(f64::from(doc.tokens.unwrap_or(0)));
        self.signals(doc, lang, None);
        self.sample(doc, lang, KEPT.to_string(), KEPT_SAMPLES, chars, Vec::new());
    }

    /// A document `stage` dropped with `reason`.
    pub fn dropped(&mut self, doc: &Doc, stage: &str, reason: &str) {
        let lang = doc.lang.as_deref().unwrap_or(UND);
        let chars = doc.text.chars().count() as u64;
        self.count_drop(stage, reason, lang, chars);
        self.signals(doc, lang, Some(stage));
        let about: Vec<(String, f64)> = self
            .limits
            .about
            .get(&(lang.to_string(), reason.to_string()))
            .into_iter()
            .flatten()
            .filter_map(|a| {
                let v = if a == "lang_score" {
                    doc.lang_score.map(f64::from)
                } else {
                    doc.attrs.get(a).copied()
                };
                v.map(|v| (a.clone(), v))
            })
            .collect();
        self.sample(
            doc,
            lang,
            format!("{stage}:{reason}"),
            DROPPED_SAMPLES,
            chars,
            about,
        );
    }

    /// The shard's collection.
    pub fn finish(self) -> Collection {
        self.data
    }

    fn lang(&mut self, lang: &str) -> &mut LangData {
        if !self.data.langs.contains_key(lang) {
            self.data
                .langs
                .insert(lang.to_string(), LangData::default());
        }
        self.data.langs.get_mut(lang).expect("inserted above")
    }

    fn samples(&mut self, lang: &str, category: String, k: usize) -> &mut BottomK {
        self.lang(lang)
            .samples
            .entry(category)
            .or_insert_with(|| BottomK::new(k))
    }

    fn count_drop(&mut self, stage: &str, reason: &str, lang: &str, chars: u64) {
        let m = self
            .data
            .dropped
            .entry(stage.to_string())
            .or_default()
            .entry(reason.to_string())
            .or_default()
            .entry(lang.to_string())
            .or_default();
        m.add(Mass { docs: 1, chars });
    }

    /// The language score, its share and every numeric signal, in the series of the
    /// document's fate (`dropped_by`: the stage that dropped it).
    fn signals(&mut self, doc: &Doc, lang: &str, dropped_by: Option<&str>) {
        let limits = self.limits.clone();
        let fate = |attr: &str| match dropped_by {
            None => Fate::Kept,
            Some(s) if limits.stage_of.get(attr).is_some_and(|o| o == s) => Fate::DroppedHere,
            Some(_) => Fate::DroppedElsewhere,
        };
        let d = self.lang(lang);
        if let Some(score) = doc.lang_score {
            d.lang_score.add(f64::from(score), fate("lang_score"));
        }
        if let Some(&share) = doc.attrs.get("lang_share") {
            d.lang_share.add(share);
            d.shared += 1;
            if share < 1.0 {
                d.mixed += 1;
                d.other_milli += ((1.0 - share.clamp(0.0, 1.0)) * 1000.0).round() as u64;
            }
        }
        for (attr, &x) in &doc.attrs {
            if attr.starts_with("lang_") {
                continue;
            }
            let split = match d.signals.get_mut(attr.as_str()) {
                Some(s) => s,
                None => d
                    .signals
                    .entry(attr.clone())
                    .or_insert_with(|| Split::new(Bins::for_attr(attr))),
            };
            split.add(x, fate(attr));
        }
    }

    fn sample(
        &mut self,
        doc: &Doc,
        lang: &str,
        category: String,
        k: usize,
        chars: u64,
        signals: Vec<(String, f64)>,
    ) {
        let key = sample::key(&doc.id);
        let samples = self.samples(lang, category, k);
        if !samples.wants(key) {
            return;
        }
        let cut = doc
            .text
            .char_indices()
            .nth(SAMPLE_CHARS)
            .map_or(doc.text.len(), |(i, _)| i);
        samples.offer(Sample {
            key,
            id: doc.id.clone(),
            url: doc.url.clone(),
            lang_score: doc.lang_score,
            lang_share: doc.attrs.get("lang_share").copied(),
            tokens: doc.tokens,
            chars,
            text: doc.text[..cut].to_string(),
            signals,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipeline::Bound;
    use std::sync::Arc;

    fn limits() -> Arc<Limits> {
        Arc::new(Limits::new(&[
            Threshold {
                stage: "langid".into(),
                attr: "lang_score".into(),
                lang: "tha".into(),
                bound: Bound::Min,
                value: 0.95,
                reason: "below_threshold".into(),
            },
            Threshold {
                stage: "quality".into(),
                attr: "rep.dup_line_frac".into(),
                lang: "tha".into(),
                bound: Bound::Max,
                value: 0.3,
                reason: "gopher_repetition:dup_line_frac".into(),
            },
        ]))
    }

    fn doc(i: usize, score: f32, dup: f64) -> Doc {
        let mut d = Doc::from_text(format!("id-{i}"), "t", "ข้อความ ".repeat(200));
        d.lang = Some("tha".into());
        d.lang_score = Some(score);
        d.tokens = Some(40);
        d.attrs.insert("rep.dup_line_frac".into(), dup);
        d.attrs.insert("lang_share".into(), 0.75);
        d
    }

    /// Documents fed to one collector, or split over several and merged: the same value.
    #[test]
    fn shards_merge_to_the_one_shard_collection() {
        let docs: Vec<(Doc, Option<(&str, &str)>)> = (0..300)
            .map(|i| {
                let dup = (i % 10) as f64 / 10.0;
                let d = doc(i, 0.9 + (i % 5) as f32 * 0.02, dup);
                let fate = if i % 7 == 0 {
                    Some(("langid", "below_threshold"))
                } else if dup > 0.3 {
                    Some(("quality", "gopher_repetition:dup_line_frac"))
                } else {
                    None
                };
                (d, fate)
            })
            .collect();
        let feed = |c: &mut Collector, (d, fate): &(Doc, Option<(&str, &str)>)| match fate {
            None => c.kept(d, 1600, 200),
            Some((s, r)) => c.dropped(d, s, r),
        };
        let mut one = Collector::new(limits());
        docs.iter().for_each(|x| feed(&mut one, x));
        one.not_a_page("rec-1", Some("https://a.example/"), "truncated");
        let one = one.finish();
        let mut merged = Collection::default();
        for part in 0..4 {
            let mut c = Collector::new(limits());
            docs.iter()
                .skip(part)
                .step_by(4)
                .for_each(|x| feed(&mut c, x));
            if part == 3 {
                c.not_a_page("rec-1", Some("https://a.example/"), "truncated");
            }
            merged.merge(&c.finish()).unwrap();
        }
        assert_eq!(merged.shards, 4);
        merged.shards = 1;
        assert_eq!(merged, one);

        let tha = &one.langs["tha"];
        let dup = &tha.signals["rep.dup_line_frac"];
        assert_eq!(dup.total(), 300);
        // Quality drops of this signal are "here"; langid drops are "elsewhere".
        assert!(dup.dropped_here.total() > 100);
        assert_eq!(dup.dropped_elsewhere.total(), 43);
        assert_eq!(tha.lang_score.dropped_here.total(), 43);
        assert_eq!(tha.samples[KEPT].items.len(), KEPT_SAMPLES);
        let q = &tha.samples["quality:gopher_repetition:dup_line_frac"].items[0];
        assert_eq!(q.signals.len(), 1);
        assert!(q.signals[0].1 > 0.3);
        assert_eq!(q.text.chars().count(), SAMPLE_CHARS);
        assert_eq!(q.chars, 1600);
        assert_eq!((tha.shared, tha.mixed, tha.other_milli), (300, 300, 75_000));
        assert_eq!(one.dropped["ingest"]["truncated"]["und"].docs, 1);
        let json = serde_json::to_string(&one).unwrap();
        let back: Collection = serde_json::from_str(&json).unwrap();
        assert_eq!(back, one);
    }
}
