//! Integration tests on the real `lid.176.ftz` and real UDHR text from the asset cache.

use std::sync::Arc;

use std::collections::BTreeMap;

use langid::{parse_label, zawgyi, FastText, LangidConfig, LangidStage, Prediction, SeaLangid};
use pipeline::{BuildStage, Chain, Doc, Outcome, Stage};
use testkit::expect_cached as asset;
use testkit::{udhr_paragraphs, udhr_text};

/// A `[[stages]] type = "langid"` table, parsed and checked as the run config does.
fn parse_stage(toml_text: &str) -> Result<LangidConfig, String> {
    let table = toml_text
        .strip_prefix("[[stages]]\ntype = \"langid\"\n")
        .expect("a langid stage table");
    let config: LangidConfig = toml::from_str(table).map_err(|e| e.to_string())?;
    config.validate().map_err(|e| e.to_string())?;
    Ok(config)
}

fn with_model(
    config: &LangidConfig,
    model: Arc<FastText>,
) -> Result<LangidStage, langid::LangidError> {
    config.stage_with_model(model, &testkit::assets())
}

fn model() -> Arc<FastText> {
    static MODEL: std::sync::OnceLock<Arc<FastText>> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| Arc::new(FastText::load(asset("lid.176.ftz")).unwrap()))
        .clone()
}

fn top(text: &str) -> Prediction {
    model()
        .predict(text, 1)
        .into_iter()
        .next()
        .expect("k = 1 gives one label")
}

#[test]
fn every_lid176_label_maps_to_a_three_letter_code() {
    let m = model();
    let labels: Vec<&str> = m.labels().collect();
    assert_eq!(labels.len(), 176);
    for label in labels {
        let lang = parse_label(label);
        assert!(
            lang.iso639_3.len() == 3 && lang.iso639_3 != "und",
            "{label} → {lang:?}"
        );
        assert_eq!(lang.script, None);
    }
}

#[test]
fn udhr_pages_are_their_language() {
    // Whole pages. lid.176 calls the UDHR's Standard Malay (`mly_latn`) Indonesian (`id`,
    // p = 0.61): recorded as the real model's answer, not what we would like.
    let expected = [
        ("eng", "eng"),
        ("ind", "ind"),
        ("jav", "jav"),
        ("khm", "khm"),
        ("lao", "lao"),
        ("mya", "mya"),
        ("sun", "sun"),
        ("tam", "tam"),
        ("tgl", "tgl"),
        ("tha", "tha"),
        ("vie", "vie"),
        ("cmn_hans", "zho"),
        ("mly_latn", "ind"),
    ];
    for (stem, iso) in expected {
        let p = top(&udhr_text(&format!("{stem}:all")));
        assert_eq!(p.iso639_3, iso, "{stem}: {p:?}");
    }
    // Malay paragraph by paragraph: 10 of 59 say `ms`, the rest mostly `id`.
    let zsm = udhr_paragraphs("mly_latn")
        .iter()
        .filter(|p| top(p).iso639_3 == "zsm")
        .count();
    assert_eq!(zsm, 10, "Malay paragraphs predicted zsm");
}

#[test]
fn matches_python_fasttext_on_udhr() {
    let fixture = include_str!("fixtures/udhr_fasttext_py.tsv");
    let mut checked = 0;
    for row in fixture.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [key, label, prob] = cols[..] else {
            panic!("bad fixture row {row:?}")
        };
        let prob: f32 = prob.parse().unwrap();
        let p = top(&udhr_text(key));
        assert_eq!(p.label, label, "{key}");
        assert!(
            (p.prob - prob).abs() < 1e-4,
            "{key}: {} vs python {prob}",
            p.prob
        );
        checked += 1;
    }
    assert!(checked >= 350, "{checked} rows");
}

#[test]
fn newlines_and_nuls_read_as_spaces() {
    let text = udhr_text("sun:3");
    let words: Vec<&str> = text.split(' ').collect();
    let with_breaks = words.join("\n");
    let with_nuls = words.join("\0");
    assert_eq!(model().predict(&with_breaks, 3), model().predict(&text, 3));
    assert_eq!(model().predict(&with_nuls, 3), model().predict(&text, 3));
}

#[test]
fn predict_gives_k_labels_best_first() {
    let preds = model().predict(&udhr_text("ind:0"), 5);
    assert_eq!(preds.len(), 5);
    assert!(preds.windows(2).all(|w| w[0].prob >= w[1].prob));
    assert_eq!(preds[0].label, "__label__id");
    assert!(model().predict("kata", 0).is_empty());
}

#[test]
fn missing_model_says_how_to_fetch_it() {
    let e = FastText::load("/nonexistent/lid.176.ftz")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("/nonexistent/lid.176.ftz") && e.contains("run: seapile assets fetch"),
        "{e}"
    );
}

#[test]
fn a_file_that_is_not_a_model_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.ftz");
    std::fs::write(&junk, "<html>not a model</html>").unwrap();
    let e = FastText::load(&junk).unwrap_err().to_string();
    assert!(
        e.contains("junk.ftz") && e.contains("wrong file format"),
        "{e}"
    );
}

fn stage_from_toml(toml: &str) -> LangidStage {
    let c = parse_stage(toml).unwrap();
    with_model(&c, model()).unwrap()
}

fn run(stage: &mut LangidStage, text: &str) -> (Option<&'static str>, Doc) {
    match stage.process(Doc::from_text("d", "udhr", text)).unwrap() {
        Outcome::Keep(doc) => (None, doc),
        Outcome::Drop { doc, reason } => (Some(reason), doc),
    }
}

#[test]
fn stage_keeps_drops_and_annotates_by_config() {
    // An empty `thresholds` table: every language uses the global `threshold`.
    let toml = "[[stages]]\ntype = \"langid\"\nthreshold = 0.5\nthresholds = {}\nlanguages = [\"ind\", \"jav\"]\n";
    let mut stage = stage_from_toml(toml);
    let (reason, doc) = run(&mut stage, &udhr_text("ind:0"));
    assert_eq!(reason, None);
    assert_eq!(doc.lang.as_deref(), Some("ind"));
    assert!(doc.lang_score.unwrap() > 0.5);
    assert_eq!(doc.meta["lang_label"], "__label__id");
    assert_eq!(doc.meta["lang_script"], "Latn");

    let (reason, doc) = run(&mut stage, &udhr_text("tha:0"));
    assert_eq!(reason, Some("not_target_language"));
    assert_eq!(
        doc.lang.as_deref(),
        Some("tha"),
        "rejects keep their language"
    );

    // The whole Javanese page: `jv` at p = 0.364 (stored Python output); its Javanese words
    // score it higher than fastText's unsure agreement (a rule's score, at most 0.95).
    let (reason, doc) = run(&mut stage, &udhr_text("jav:all"));
    assert_eq!(reason, None);
    assert_eq!(doc.lang.as_deref(), Some("jav"));
    assert_eq!(doc.meta["lang_rule"], "javanese_markers");
    let score = doc.lang_score.unwrap();
    assert!((0.5..=0.95).contains(&score), "{score}");

    assert_eq!(run(&mut stage, "").0, Some("no_text"));
    assert_eq!(run(&mut stage, " \n\t ").0, Some("no_text"));

    let mut lenient = stage_from_toml(&toml.replace("0.5", "0.3"));
    assert_eq!(run(&mut lenient, &udhr_text("jav:all")).0, None);
}

#[test]
fn per_language_thresholds_are_read_from_config() {
    let toml = "[[stages]]\ntype = \"langid\"\nthreshold = 0.99\nthresholds = { jav = 0.3 }\n";
    let mut stage = stage_from_toml(toml);
    assert_eq!(stage.threshold_for("jav"), 0.3);
    assert_eq!(
        stage.threshold_for("tha"),
        0.99,
        "no entry: the global threshold"
    );
    assert_eq!(run(&mut stage, &udhr_text("jav:all")).0, None);
    // Reported for reports as configured: a minimum on `lang_score` per language.
    let reported = stage.thresholds();
    let jav = reported.iter().find(|t| t.lang == "jav").unwrap();
    assert_eq!((jav.value, jav.attr.as_str()), (0.3, "lang_score"));
    assert_eq!(jav.bound, pipeline::Bound::Min);
    assert_eq!(jav.reason, "below_threshold");
    assert_eq!(
        reported.iter().find(|t| t.lang == "tha").unwrap().value,
        0.99
    );
    assert_eq!(reported.len(), langid::SEA_LANGS.len());
    // A rule's score is never above 0.95.
    let mut strict = stage_from_toml(&toml.replace("jav = 0.3", "jav = 0.96"));
    assert_eq!(
        run(&mut strict, &udhr_text("jav:all")).0,
        Some("below_threshold")
    );

    // Without a table the shipped one applies.
    let default = stage_from_toml("[[stages]]\ntype = \"langid\"\n");
    for (lang, t) in langid::LANGID_THRESHOLDS {
        assert_eq!(default.threshold_for(lang), t, "{lang}");
    }
    let bad =
        parse_stage("[[stages]]\ntype = \"langid\"\nthresholds = { zsm = 1.5 }\n").unwrap_err();
    assert!(
        bad.contains("thresholds.zsm") && bad.contains("1.5"),
        "{bad}"
    );
}

#[test]
fn chain_counts_every_langid_outcome() {
    let mut chain = Chain::new(vec![Box::new(
        with_model(&LangidConfig::default(), model()).unwrap(),
    )]);
    // Default thresholds (eng 0.65, tha 0.95, jav 0.15, zho 0.50). fastText says en 0.934,
    // th 0.9997, fr 0.960, jv 0.364, zh 0.555, zh 0.998.
    for key in [
        "eng:0",
        "tha:1",
        "fra:0",
        "jav:all",
        "cmn_hans:2",
        "cmn_hans:all",
    ] {
        chain
            .process(Doc::from_text(key, "udhr", udhr_text(key)))
            .unwrap();
    }
    chain.process(Doc::from_text("empty", "udhr", "")).unwrap();
    let stats = chain.finish().unwrap();
    assert_eq!(stats[0].name, "langid");
    assert!(stats[0].is_balanced());
    assert_eq!(stats[0].kept, 5);
    assert_eq!(stats[0].dropped["not_target_language"], 1);
    assert_eq!(stats[0].dropped["no_text"], 1);
    assert!(!stats[0].dropped.contains_key("below_threshold"));
}

#[test]
fn build_loads_the_default_or_configured_model() {
    let stage = LangidConfig::default().stage(&testkit::assets());
    assert!(stage.is_ok());
    let missing = LangidConfig {
        model: Some("/nonexistent/custom.ftz".into()),
        ..LangidConfig::default()
    };
    let e = missing.build(&testkit::assets()).err().unwrap().to_string();
    assert!(e.contains("/nonexistent/custom.ftz"), "{e}");
}

#[test]
fn a_language_the_model_never_predicts_is_a_build_error() {
    let config = LangidConfig {
        languages: vec!["ind".into(), "msa".into()],
        ..LangidConfig::default()
    };
    let e = with_model(&config, model()).unwrap_err().to_string();
    assert!(e.contains("\"msa\"") && e.contains("lid.176.ftz"), "{e}");
}

#[test]
fn evaluate_scores_udhr_paragraphs() {
    let lines: Vec<(&str, String)> = ["tha", "khm", "lao"]
        .iter()
        .flat_map(|s| {
            udhr_paragraphs(s)
                .into_iter()
                .take(10)
                .map(move |p| (*s, p))
        })
        .collect();
    let e = langid::eval::evaluate(&model(), lines.iter().map(|(g, t)| (*g, t.as_str())));
    assert_eq!(e.lines, 30);
    assert_eq!(e.accuracy, 1.0);
    assert_eq!(e.per_lang["tha"].f1, 1.0);
    assert_eq!(e.per_lang["eng"].support, 0);
    assert!((e.macro_f1 - 3.0 / 13.0).abs() < 1e-9);
    assert!(e.lines_per_s > 0.0);
}

fn sea() -> SeaLangid {
    SeaLangid::new(
        model(),
        langid::MalayLexicon::shared(asset(langid::LEXICON_DIR)).unwrap(),
    )
}

#[test]
fn sea_layer_labels_whole_udhr_pages() {
    // Like `udhr_pages_are_their_language`, but Standard Malay is now Malay, and Chinese
    // carries its script.
    let expected = [
        ("eng", "eng", "Latn"),
        ("ind", "ind", "Latn"),
        ("jav", "jav", "Latn"),
        ("khm", "khm", "Khmr"),
        ("lao", "lao", "Laoo"),
        ("mya", "mya", "Mymr"),
        ("sun", "sun", "Latn"),
        ("tam", "tam", "Taml"),
        ("tgl", "tgl", "Latn"),
        ("tha", "tha", "Thai"),
        ("vie", "vie", "Latn"),
        ("cmn_hans", "zho", "Hans"),
        ("cmn_hant", "zho", "Hant"),
        ("mly_latn", "zsm", "Latn"),
    ];
    for (stem, iso, script) in expected {
        let id = sea().identify(&udhr_text(&format!("{stem}:all")));
        assert_eq!((id.lang, id.script), (iso, script), "{stem}: {id:?}");
    }
}

fn paragraph_labels(stem: &str, langid: &SeaLangid) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for p in udhr_paragraphs(stem) {
        *counts.entry(langid.identify(&p).lang).or_default() += 1;
    }
    counts
}

#[test]
fn sea_layer_fixes_malay_javanese_and_sundanese_udhr_paragraphs() {
    let sea = sea();
    let raw = sea.clone().with_rules(false);
    // Standard Malay: fastText alone 10 of 59 paragraphs, the SEA layer 56 (55 before
    // `hendaklah`, `sesiapa`, `samarata` were Malay markers).
    assert_eq!(paragraph_labels("mly_latn", &raw)["zsm"], 10);
    assert_eq!(paragraph_labels("mly_latn", &sea)["zsm"], 56);
    // Indonesian stays Indonesian on most paragraphs (55 → 53: its 1948 wording uses
    // `mempunyai`/`boleh`/`mesti`, words Malay uses more).
    assert_eq!(paragraph_labels("ind", &raw)["ind"], 55);
    assert_eq!(paragraph_labels("ind", &sea)["ind"], 53);
    // Javanese 40 → 58 of 61, Sundanese 44 → 59 of 61; none left as Indonesian.
    let jav = paragraph_labels("jav", &sea);
    assert_eq!((paragraph_labels("jav", &raw)["jav"], jav["jav"]), (40, 58));
    let sun = paragraph_labels("sun", &sea);
    assert_eq!((paragraph_labels("sun", &raw)["sun"], sun["sun"]), (44, 59));
    assert!(!jav.contains_key("ind") && !sun.contains_key("ind"));
    // Chinese paragraphs fastText calls Japanese (no kana in them) are Chinese.
    assert_eq!(paragraph_labels("cmn_hans", &raw)["jpn"], 5);
    assert_eq!(paragraph_labels("cmn_hans", &sea)["zho"], 58);
}

/// Unicode orders the dot below (U+1037, combining class 7) before the asat (U+103A,
/// class 9); the UDHR page writes them the other way round, Rabbit's output canonically.
fn canonical_burmese(text: &str) -> String {
    text.replace("\u{103A}\u{1037}", "\u{1037}\u{103A}")
}

#[test]
fn zawgyi_round_trip_on_udhr_burmese() {
    let paras = udhr_paragraphs("mya");
    let mut detected = 0;
    for p in &paras {
        let zawgyi = zawgyi::unicode_to_zawgyi(p);
        assert_ne!(&zawgyi, p);
        assert!(!zawgyi::is_zawgyi(p), "Unicode taken for Zawgyi: {p}");
        detected += usize::from(zawgyi::is_zawgyi(&zawgyi));
        assert_eq!(
            zawgyi::zawgyi_to_unicode(&zawgyi),
            canonical_burmese(p),
            "round trip of {p}"
        );
    }
    assert_eq!(paras.len(), 58);
    assert_eq!(detected, 57, "Zawgyi paragraphs detected");
}

#[test]
fn stage_converts_zawgyi_and_records_it() {
    let unicode = udhr_text("mya:all");
    let zawgyi_text = zawgyi::unicode_to_zawgyi(&unicode);
    let mut stage = with_model(&LangidConfig::default(), model()).unwrap();
    let (reason, doc) = run(&mut stage, &zawgyi_text);
    assert_eq!(reason, None);
    assert_eq!(doc.lang.as_deref(), Some("mya"));
    assert_eq!(doc.meta["zawgyi"], "converted");
    assert_eq!(
        doc.text,
        canonical_burmese(&unicode),
        "the text written is Unicode"
    );
    let (_, plain) = run(&mut stage, &unicode);
    assert!(!plain.meta.contains_key("zawgyi"));
}

#[test]
fn code_switching_share_of_lines() {
    // Six Tagalog paragraphs and two English ones: Tagalog, 6 of 8 lines, and most of the
    // letters.
    let mut lines = udhr_paragraphs("tgl")[..6].to_vec();
    lines.extend(udhr_paragraphs("eng")[..2].iter().cloned());
    let doc = sea().identify_document(&lines.join("\n"));
    assert_eq!(doc.id.lang, "tgl");
    assert_eq!(doc.line_share, 0.75);
    assert!(
        doc.lang_share > 0.5 && doc.lang_share < 1.0,
        "{}",
        doc.lang_share
    );
    let mut stage = with_model(&LangidConfig::default(), model()).unwrap();
    let (_, doc) = run(&mut stage, &lines.join("\n"));
    assert_eq!(doc.attrs["lang_line_share"], 0.75);
    assert!(doc.attrs["lang_share"] < 1.0);
    assert_eq!(
        doc.meta["lang_share"],
        format!("{:.3}", doc.attrs["lang_share"]),
        "in meta too: written files carry meta"
    );
    let (_, doc) = run(&mut stage, &udhr_text("tgl:all"));
    assert_eq!(doc.attrs["lang_line_share"], 1.0);
    assert_eq!(doc.attrs["lang_share"], 1.0);
}

#[test]
fn a_half_thai_half_english_page_says_so() {
    // Thai and English paragraphs alternating, about as many letters of each: whichever
    // language wins, its share of the letters is near one half.
    let thai = udhr_paragraphs("tha");
    let eng = udhr_paragraphs("eng");
    let mut lines = Vec::new();
    for i in 3..13 {
        lines.push(thai[i].clone());
        lines.push(eng[i].clone());
    }
    let doc = sea().identify_document(&lines.join("\n"));
    assert!(["tha", "eng"].contains(&doc.id.lang), "{:?}", doc.id);
    assert!(
        doc.lang_share > 0.4 && doc.lang_share < 0.65,
        "share {}",
        doc.lang_share
    );
    assert!((doc.line_share - 0.5).abs() < 0.1, "{}", doc.line_share);
    // Two English paragraphs in a Thai page do not make it English.
    let mut mostly_thai: Vec<String> = thai[3..13].to_vec();
    mostly_thai.insert(4, eng[5].clone());
    mostly_thai.insert(8, eng[6].clone());
    let doc = sea().identify_document(&mostly_thai.join("\n"));
    assert_eq!(doc.id.lang, "tha");
    assert!(
        doc.lang_share > 0.6 && doc.lang_share < 1.0,
        "{}",
        doc.lang_share
    );
}

/// Issue 17: a Chinese article with KATAKANA MIDDLE DOTs (between the parts of foreign
/// names) and a stray hiragana was dropped as Japanese-script `und`.
#[test]
fn chinese_with_katakana_middle_dots_stays_chinese() {
    let chinese = udhr_text("cmn_hans:all");
    let dotted = format!("约翰・洛克与让・雅克・卢梭の思想。{chinese}");
    let id = sea().identify(&dotted);
    assert_eq!((id.lang, id.script), ("zho", "Hans"), "{id:?}");
    let mut stage = with_model(&LangidConfig::default(), model()).unwrap();
    let (reason, doc) = run(&mut stage, &dotted);
    assert_eq!(reason, None, "{:?}", doc.meta);
    assert_eq!(doc.lang.as_deref(), Some("zho"));
    // Paragraph by paragraph, with a middle dot and a prolonged sound mark each.
    for p in udhr_paragraphs("cmn_hant").iter().take(20) {
        let text = format!("麥可・傑克森ー{p}");
        assert_eq!(sea().identify(&text).lang, "zho", "{text}");
    }
    // Japanese keeps its kana share and stays Japanese.
    assert_eq!(sea().identify(&udhr_text("jpn:all")).lang, "jpn");
    for p in udhr_paragraphs("jpn").iter().skip(3).take(10) {
        assert_eq!(sea().identify(p).lang, "jpn", "{p}");
    }
}

#[test]
fn shan_and_mon_are_not_burmese() {
    let shan = sea().identify(&udhr_text("shn:all"));
    assert_eq!((shan.lang, shan.rule), ("shn", langid::Rule::OtherMyanmar));
    assert!(shan.converted.is_none(), "Unicode Shan is not Zawgyi");
    let shn_paras = udhr_paragraphs("shn");
    let as_burmese = shn_paras
        .iter()
        .filter(|p| sea().identify(p).lang == "mya")
        .count();
    assert!(
        as_burmese * 20 <= shn_paras.len(),
        "{as_burmese} Shan paragraphs Burmese"
    );
    assert_eq!(sea().identify(&udhr_text("mnw:all")).lang, "mnw");
    let mya = udhr_paragraphs("mya");
    let burmese = mya
        .iter()
        .filter(|p| sea().identify(p).lang == "mya")
        .count();
    assert_eq!(burmese, mya.len(), "every Burmese paragraph stays Burmese");
    let mut stage = with_model(&LangidConfig::default(), model()).unwrap();
    assert_eq!(
        run(&mut stage, &udhr_text("shn:all")).0,
        Some("not_target_language")
    );
}

#[test]
fn cantonese_is_yue_and_formal_chinese_is_zho() {
    let yue = sea().identify(&udhr_text("yue:all"));
    assert_eq!((yue.lang, yue.rule), ("yue", langid::Rule::Cantonese));
    assert_eq!(sea().identify(&udhr_text("cmn_hant:all")).lang, "zho");
    assert!(!langid::script::is_cantonese(&udhr_text("cmn_hant:all")));
}

#[test]
fn malay_in_jawi_is_malay() {
    let id = sea().identify(&udhr_text("mly_arab:all"));
    assert_eq!(
        (id.lang, id.script, id.rule),
        ("zsm", "Arab", langid::Rule::Jawi)
    );
    // Arabic, Persian and Urdu are not.
    for stem in ["arb", "pes_1", "urd"] {
        let id = sea().identify(&udhr_text(&format!("{stem}:all")));
        assert_ne!(id.lang, "zsm", "{stem}");
    }
}

/// The languages around the 13 that lid.176 does not know, paragraph by paragraph: how
/// many the default stage keeps (issue 17: Balinese, Minangkabau, Acehnese, Buginese were
/// kept as Javanese, Sundanese or Malay).
#[test]
fn languages_next_to_the_13_are_not_kept() {
    let stage = with_model(&LangidConfig::default(), model()).unwrap();
    let pages = langid::eval::read_udhr(asset("udhr/declaration")).unwrap();
    let stems = [
        "ban",
        "min",
        "ace",
        "bug",
        "mad",
        "tpi",
        "lus",
        "mri",
        "fij",
        "hat_kreyol",
        "oci_1",
        "ilo",
        "shn",
        "mnw",
        "yue",
    ];
    for stem in stems {
        let page = pages.iter().find(|p| p.stem == stem).expect(stem);
        let kept: Vec<&'static str> = page
            .paragraphs
            .iter()
            .map(|p| stage.langid().identify(p))
            .filter(|id| stage.keeps(id.lang, id.score))
            .map(|id| id.lang)
            .collect();
        assert!(
            kept.len() * 10 <= page.paragraphs.len(),
            "{stem}: {} of {} paragraphs kept: {kept:?}",
            kept.len(),
            page.paragraphs.len()
        );
    }
}

/// Any fastText LID model: a small supervised model trained here on real UDHR lines with
/// GlotLID-style labels (`__label__zsm_Latn`), loaded, its labels mapped (Mandarin `cmn` →
/// `zho`, Filipino `fil` → `tgl`), and run through the stage with FineWeb-2's GlotLID
/// thresholds.
#[test]
fn a_glotlid_style_model_loads_maps_and_runs() {
    let langs = [
        ("mly_latn", "zsm_Latn"),
        ("ind", "ind_Latn"),
        ("tha", "tha_Thai"),
        ("cmn_hans", "cmn_Hani"),
        ("eng", "eng_Latn"),
        ("tgl", "fil_Latn"),
        ("vie", "vie_Latn"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let train = dir.path().join("train.txt");
    let mut lines = String::new();
    for (stem, label) in langs {
        for p in udhr_paragraphs(stem).iter().take(40) {
            lines.push_str(&format!("__label__{label} {}\n", p.replace('\n', " ")));
        }
    }
    std::fs::write(&train, lines).unwrap();
    let mut args = fasttext::Args::new();
    args.set_input(train.to_str().unwrap()).unwrap();
    args.set_model(fasttext::ModelName::SUP);
    args.set_loss(fasttext::LossName::SOFTMAX);
    args.set_epoch(30);
    args.set_lr(0.5);
    args.set_dim(16);
    args.set_minn(2);
    args.set_maxn(4);
    args.set_bucket(50_000);
    args.set_thread(1);
    args.set_verbose(0);
    let mut ft = fasttext::FastText::new();
    ft.train(&args).unwrap();
    let bin = dir.path().join("glotlid-style.bin");
    ft.save_model(bin.to_str().unwrap()).unwrap();

    let model = Arc::new(FastText::load(&bin).unwrap());
    let mut codes: Vec<&str> = model.labels().map(|l| parse_label(l).iso639_3).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["eng", "ind", "tgl", "tha", "vie", "zho", "zsm"]);
    assert!(model.predicts_language("zho") && model.predicts_language("tgl"));

    let toml = format!(
        "[[stages]]\ntype = \"langid\"\nmodel = \"{}\"\nthreshold_table = \"glotlid-fineweb2\"\nlanguages = [\"zsm\", \"ind\", \"tha\", \"zho\", \"eng\", \"tgl\", \"vie\"]\n",
        bin.display()
    );
    let config = parse_stage(&toml).unwrap();
    let mut stage = config.stage(&testkit::assets()).unwrap();
    assert_eq!(stage.threshold_for("zsm"), 0.618);
    assert_eq!(stage.threshold_for("zho"), 0.692);
    assert_eq!(stage.threshold_for("tgl"), 0.68);
    // Held-out paragraphs (after the 40 trained on) come back as their language.
    for (stem, iso) in [
        ("tha", "tha"),
        ("cmn_hans", "zho"),
        ("tgl", "tgl"),
        ("eng", "eng"),
    ] {
        let text = udhr_paragraphs(stem)[40..].join("\n");
        let (_, doc) = run(&mut stage, &text);
        assert_eq!(doc.lang.as_deref(), Some(iso), "{stem}: {:?}", doc.meta);
        assert!(doc.meta["lang_label"].contains('_'), "{:?}", doc.meta);
    }
    let bad =
        parse_stage("[[stages]]\ntype = \"langid\"\nthreshold_table = \"cld3\"\n").unwrap_err();
    assert!(bad.contains("cld3"), "{bad}");
}

#[test]
fn sea_rules_can_be_switched_off() {
    let toml = "[[stages]]\ntype = \"langid\"\nsea_rules = false\n";
    let mut stage = stage_from_toml(toml);
    let (_, doc) = run(&mut stage, &udhr_text("mly_latn:all"));
    assert_eq!(
        doc.lang.as_deref(),
        Some("ind"),
        "fastText alone: Indonesian"
    );
    let mut stage = stage_from_toml("[[stages]]\ntype = \"langid\"\n");
    let (_, doc) = run(&mut stage, &udhr_text("mly_latn:all"));
    assert_eq!(doc.lang.as_deref(), Some("zsm"));
    assert_eq!(doc.meta["lang_model"], "ind");
    assert_eq!(doc.meta["lang_rule"], "malay_markers");
}

#[test]
fn malay_lexicon_tells_the_two_spellings_apart() {
    let lexicon = langid::MalayLexicon::shared(asset(langid::LEXICON_DIR)).unwrap();
    let odds = |t: &str| lexicon.log_ratio(t).0;
    // Standard Malay spellings and words lean Malay, their Indonesian counterparts lean
    // Indonesian; words both standards share (and words neither list knows) are no evidence.
    for (ms, id) in [("kerana", "karena"), ("bahawa", "bahwa"), ("wang", "uang")] {
        assert!(odds(ms) > 0.0, "{ms}: {}", odds(ms));
        assert!(odds(id) < 0.0, "{id}: {}", odds(id));
    }
    assert_eq!(odds("dan yang di"), 0.0);
    assert!(odds("berpikir") < 0.0);
    assert_eq!(lexicon.log_ratio("qxqzvv"), (0.0, 0));
    // Case and punctuation do not matter; every word is capped at CAP_CB.
    assert_eq!(odds("Kerana!"), odds("kerana"));
    let cap = f32::from(langid::lexicon::CAP_CB) / 100.0 * std::f32::consts::LN_10;
    assert!(odds("bahawa kerana wang").abs() <= 3.0 * cap + 1e-4);
}

#[test]
fn a_missing_lexicon_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = langid::MalayLexicon::load(dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("small_ms.msgpack.gz") && err.contains("seapile assets fetch"),
        "{err}"
    );
    let toml = format!(
        "[[stages]]\ntype = \"langid\"\nmalay_lexicon = \"{}\"\n",
        dir.path().display()
    );
    let l = parse_stage(&toml).unwrap();
    let err = with_model(&l, model()).unwrap_err().to_string();
    assert!(err.contains("small_ms.msgpack.gz"), "{err}");
}

#[test]
fn word_list_evidence_per_language() {
    let lexicon = langid::MalayLexicon::shared(asset(langid::LEXICON_DIR)).unwrap();
    let s = |t: &str| langid::evidence::support(&lexicon, t);
    let en = s("The committee will meet again next week to discuss the budget.");
    assert!(en.share(en.english) > 0.9, "{en:?}");
    let id = s("Pemerintah akan membangun jalan baru di desa itu tahun depan.");
    assert!(id.share(id.malay) > 0.9 && id.javanese_only == 0, "{id:?}");
    // Javanese: markers, a root with `-ake`, Tatoeba's é spelling.
    let jv = s("Aku nembé ngrungokaké radio lan ora ngerti apa sing diomongaké.");
    assert!(jv.javanese_only >= 4, "{jv:?}");
    // Sundanese: markers, `eu`, possessive `-na` on a known stem.
    let su = s("Sakumna jalma boga hak kana kabebasan jeung hakna teu bisa dicabut.");
    assert!(
        su.sundanese_only >= 4 && su.sundanese_only > su.javanese_only,
        "{su:?}"
    );
    // Banjar and Acehnese: words the four do not use.
    let bjn = s("Satiap urang baisi hak wan kada bulih dibida-bidaakan nang kaya apa haja.");
    assert!(bjn.other_malayic >= 3, "{bjn:?}");
    let ace = s("Tiep ureueng na hak ngon keu peuturot hukom nyang adil.");
    assert!(ace.other_malayic >= 3, "{ace:?}");
    // Names after the first word are no evidence.
    assert_eq!(s("Budi Santoso pergi ke Jakarta").words, 3);
}

/// Javanese beyond the dictionary's roots: CLDR's everyday words (`srengenge`, `rembulan`,
/// `nangis`, `pitik`, `mlumpat`), krama (polite) function words, and text fastText calls
/// Indonesian whose words are not Indonesian but Javanese's own; while Balinese, whose high
/// register shares krama's words, stays out by its `-ang` where Javanese writes `-ake`.
#[test]
fn everyday_and_krama_javanese_are_javanese_and_balinese_is_not() {
    let lexicon = langid::MalayLexicon::shared(asset(langid::LEXICON_DIR)).unwrap();
    let jv = langid::evidence::support(
        &lexicon,
        "Srengenge lan rembulan katon, bocah cilik nangis lan pitik mlumpat.",
    );
    assert!(jv.javanese_only >= 7, "{jv:?}");
    let sea = sea();
    for text in [
        "Srengenge lan rembulan katon, bocah cilik nangis lan pitik mlumpat.",
        "Panjenenganipun saged basa Prancis, ugi saged basa Inggris.",
        "Aku butuh sawetara rong puluh menit kanggo dandan nalika isuk.",
        "Menapa panjenengan sampun dhahar wonten griya?",
    ] {
        let id = sea.identify(text);
        assert_eq!(id.lang, "jav", "{text}: {id:?}");
    }
    // Indonesian stays Indonesian.
    let id = sea.identify("Saya butuh beberapa menit untuk bersiap-siap setiap pagi.");
    assert_eq!(id.lang, "ind", "{id:?}");
    // Balinese: 8 of its 71 UDHR sentences were kept as Javanese without its own words.
    let stage = with_model(&LangidConfig::default(), model()).unwrap();
    let pages = langid::eval::read_udhr(asset("udhr/declaration")).unwrap();
    let (kept, all) = sentences_kept(&stage, &pages, "ban");
    assert!(kept * 100 <= all * 3, "Balinese: {kept} of {all} kept");
    let (kept, all) = sentences_kept(&stage, &pages, "jav");
    assert!(kept * 100 >= all * 95, "Javanese: {kept} of {all} kept");
}

#[test]
fn a_stray_marker_word_does_not_turn_indonesian_into_nothing() {
    // An all-caps `TI` (Indonesian for IT) reads as Sundanese `ti`: the proposed Sundanese
    // finds no Sundanese words and was dropped for fastText's next, foreign guess (`und`).
    // Text whose words are Malay/Indonesian, labelled so by fastText, is Malay/Indonesian.
    let sea = sea();
    let text =
        "Penggunaan TI berpotensi menekan waktu pemrosesan serta biaya operasional perusahaan.";
    let id = sea.identify(text);
    assert_eq!(id.lang, "ind", "{id:?}");
    // fastText's own Sundanese on another language's short words (Northern Sotho fills the
    // Malay word list with `le`, `na`, `ya`) is not turned Malay.
    let nso = "Mang le mang o na le tokelo ya go ba wa setšhaba seo se itšego.";
    let id = sea.identify(nso);
    assert!(!matches!(id.lang, "ind" | "zsm" | "sun" | "jav"), "{id:?}");
}

#[test]
fn rule_scores_are_not_certainties() {
    // A rule that changed fastText's label never scores above MAX_RULE_SCORE.
    let sea = sea();
    for stem in ["mly_latn", "jav", "sun", "tgl", "shn", "yue", "mly_arab"] {
        for p in langid::eval::read_udhr(asset("udhr/declaration"))
            .unwrap()
            .iter()
            .filter(|page| page.stem == stem)
            .flat_map(|page| page.paragraphs.iter())
        {
            let id = sea.identify(p);
            if id.rule != langid::Rule::Model && id.rule != langid::Rule::Script {
                assert!(
                    id.score <= langid::sea::MAX_RULE_SCORE,
                    "{stem}: {} {} {}",
                    id.lang,
                    id.rule.name(),
                    id.score
                );
            }
        }
    }
}

/// Sentences of the default stage's UDHR pages: (kept as one of the 13, all).
fn sentences_kept(
    stage: &LangidStage,
    pages: &[langid::eval::UdhrPage],
    stem: &str,
) -> (usize, usize) {
    let page = pages.iter().find(|p| p.stem == stem).expect(stem);
    let sentences: Vec<&str> = page
        .paragraphs
        .iter()
        .flat_map(|p| langid::eval::sentences(p))
        .collect();
    let kept = sentences
        .iter()
        .map(|s| stage.langid().identify(s))
        .filter(|id| stage.keeps(id.lang, id.score))
        .count();
    (kept, sentences.len())
}

/// English-based creoles and Scots are mostly English words, and Bikol, Hiligaynon and Waray
/// mostly Tagalog ones: their own function words keep them out (issue 17: half of the
/// Nigerian Pidgin sentences were kept as English, a fifth of Bikol's as Tagalog), while
/// English and Tagalog sentences stay.
#[test]
fn creoles_scots_and_philippine_neighbours_are_not_english_or_tagalog() {
    let stage = with_model(&LangidConfig::default(), model()).unwrap();
    let pages = langid::eval::read_udhr(asset("udhr/declaration")).unwrap();
    for stem in [
        "pcm", "sco", "tpi", "bis", "bcl", "hil", "war", "ceb", "ilo",
    ] {
        let (kept, all) = sentences_kept(&stage, &pages, stem);
        assert!(kept * 20 <= all, "{stem}: {kept} of {all} sentences kept");
    }
    for stem in ["eng", "tgl"] {
        let (kept, all) = sentences_kept(&stage, &pages, stem);
        assert!(
            kept * 100 >= all * 95,
            "{stem}: {kept} of {all} sentences kept"
        );
    }
}

/// Vietnamese typed with combining tone marks (the UDHR page does: `ơ` + U+0301) is read in
/// NFC: lid.176 is unsure of the decomposed form (p 0.35-0.8 on its sentences).
#[test]
fn vietnamese_with_combining_marks_is_read_composed() {
    let text = udhr_text("vie:3");
    assert!(
        text.contains('\u{0301}') || text.contains('\u{0323}'),
        "{text}"
    );
    let id = sea().identify(&text);
    assert_eq!(id.lang, "vie");
    assert!(id.score >= 0.9, "{}", id.score);
    assert_eq!(id.converted, None, "the text itself is not rewritten");
}

/// Han text without kana is Chinese, and fastText's `ja` on it (short formal Chinese
/// sentences) counts for Chinese's score.
#[test]
fn chinese_that_lid176_calls_japanese_scores_as_chinese() {
    let text = "初级教育应属义务性质。";
    assert_eq!(top(text).iso639_3, "jpn");
    let id = sea().identify(text);
    assert_eq!((id.lang, id.rule), ("zho", langid::Rule::Script));
    assert!(id.score >= 0.9, "{}", id.score);
}
