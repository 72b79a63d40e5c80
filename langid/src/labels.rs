//! fastText labels → ISO 639-3.
//!
//! Design decision: the map is one closed, hand-checked table covering every label of
//! `lid.176` (ISO 639-1 codes, Wikipedia codes and a few 639-3 codes), so an unexpected label
//! becomes `und` instead of a guess. GlotLID/OpenLID-style labels (`__label__xxx_Scrp`) already
//! carry a 639-3 code and a script and are taken as they are.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// The code for "no language identified" (an unknown or malformed label).
pub const UND: &str = "und";

/// The prefix every fastText label starts with.
pub const LABEL_PREFIX: &str = "__label__";

/// A fastText label split into its language and (for GlotLID-style labels) script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LangLabel {
    /// ISO 639-3 code, or [`UND`] when the label is not recognised.
    pub iso639_3: &'static str,
    /// ISO 15924 script (e.g. `Latn`) when the label names one (`__label__zsm_Latn`).
    pub script: Option<&'static str>,
}

/// Every `lid.176` label (without `__label__`) and its ISO 639-3 code.
///
/// Macrolanguages map to the macrolanguage code (`ar`→`ara`, `fa`→`fas`, `zh`→`zho`,
/// `sh`→`hbs`), except `ms`→`zsm` (Standard Malay, what SEA-LION calls Malay). Wikipedia
/// codes that are not 639-3 map to what the wiki is written in: `als`→`gsw` (Alemannic),
/// `bh`→`bho` (the Bhojpuri wiki). `eml` (Emilian-Romagnol, retired from 639-3 in 2009
/// without a single successor) and `nah` (Nahuatl, a 639-5 collective) are kept as written.
#[rustfmt::skip]
pub const LID176: [(&str, &str); 176] = [
    ("af", "afr"), ("als", "gsw"), ("am", "amh"), ("an", "arg"), ("ar", "ara"),
    ("arz", "arz"), ("as", "asm"), ("ast", "ast"), ("av", "ava"), ("az", "aze"),
    ("azb", "azb"), ("ba", "bak"), ("bar", "bar"), ("bcl", "bcl"), ("be", "bel"),
    ("bg", "bul"), ("bh", "bho"), ("bn", "ben"), ("bo", "bod"), ("bpy", "bpy"),
    ("br", "bre"), ("bs", "bos"), ("bxr", "bxr"), ("ca", "cat"), ("cbk", "cbk"),
    ("ce", "che"), ("ceb", "ceb"), ("ckb", "ckb"), ("co", "cos"), ("cs", "ces"),
    ("cv", "chv"), ("cy", "cym"), ("da", "dan"), ("de", "deu"), ("diq", "diq"),
    ("dsb", "dsb"), ("dty", "dty"), ("dv", "div"), ("el", "ell"), ("eml", "eml"),
    ("en", "eng"), ("eo", "epo"), ("es", "spa"), ("et", "est"), ("eu", "eus"),
    ("fa", "fas"), ("fi", "fin"), ("fr", "fra"), ("frr", "frr"), ("fy", "fry"),
    ("ga", "gle"), ("gd", "gla"), ("gl", "glg"), ("gn", "grn"), ("gom", "gom"),
    ("gu", "guj"), ("gv", "glv"), ("he", "heb"), ("hi", "hin"), ("hif", "hif"),
    ("hr", "hrv"), ("hsb", "hsb"), ("ht", "hat"), ("hu", "hun"), ("hy", "hye"),
    ("ia", "ina"), ("id", "ind"), ("ie", "ile"), ("ilo", "ilo"), ("io", "ido"),
    ("is", "isl"), ("it", "ita"), ("ja", "jpn"), ("jbo", "jbo"), ("jv", "jav"),
    ("ka", "kat"), ("kk", "kaz"), ("km", "khm"), ("kn", "kan"), ("ko", "kor"),
    ("krc", "krc"), ("ku", "kur"), ("kv", "kom"), ("kw", "cor"), ("ky", "kir"),
    ("la", "lat"), ("lb", "ltz"), ("lez", "lez"), ("li", "lim"), ("lmo", "lmo"),
    ("lo", "lao"), ("lrc", "lrc"), ("lt", "lit"), ("lv", "lav"), ("mai", "mai"),
    ("mg", "mlg"), ("mhr", "mhr"), ("min", "min"), ("mk", "mkd"), ("ml", "mal"),
    ("mn", "mon"), ("mr", "mar"), ("mrj", "mrj"), ("ms", "zsm"), ("mt", "mlt"),
    ("mwl", "mwl"), ("my", "mya"), ("myv", "myv"), ("mzn", "mzn"), ("nah", "nah"),
    ("nap", "nap"), ("nds", "nds"), ("ne", "nep"), ("new", "new"), ("nl", "nld"),
    ("nn", "nno"), ("no", "nor"), ("oc", "oci"), ("or", "ori"), ("os", "oss"),
    ("pa", "pan"), ("pam", "pam"), ("pfl", "pfl"), ("pl", "pol"), ("pms", "pms"),
    ("pnb", "pnb"), ("ps", "pus"), ("pt", "por"), ("qu", "que"), ("rm", "roh"),
    ("ro", "ron"), ("ru", "rus"), ("rue", "rue"), ("sa", "san"), ("sah", "sah"),
    ("sc", "srd"), ("scn", "scn"), ("sco", "sco"), ("sd", "snd"), ("sh", "hbs"),
    ("si", "sin"), ("sk", "slk"), ("sl", "slv"), ("so", "som"), ("sq", "sqi"),
    ("sr", "srp"), ("su", "sun"), ("sv", "swe"), ("sw", "swa"), ("ta", "tam"),
    ("te", "tel"), ("tg", "tgk"), ("th", "tha"), ("tk", "tuk"), ("tl", "tgl"),
    ("tr", "tur"), ("tt", "tat"), ("tyv", "tyv"), ("ug", "uig"), ("uk", "ukr"),
    ("ur", "urd"), ("uz", "uzb"), ("vec", "vec"), ("vep", "vep"), ("vi", "vie"),
    ("vls", "vls"), ("vo", "vol"), ("wa", "wln"), ("war", "war"), ("wuu", "wuu"),
    ("xal", "xal"), ("xmf", "xmf"), ("yi", "yid"), ("yo", "yor"), ("yue", "yue"),
    ("zh", "zho"),
];

/// Map a raw fastText label (`__label__ms`, `__label__zsm_Latn`, or without the prefix) to
/// its language; anything unrecognised is [`UND`] with no script.
pub fn parse_label(label: &str) -> LangLabel {
    let code = label.strip_prefix(LABEL_PREFIX).unwrap_or(label);
    if let Some(lang) = lid176_code(code) {
        return LangLabel {
            iso639_3: lang,
            script: None,
        };
    }
    glotlid_label(code).unwrap_or(LangLabel {
        iso639_3: UND,
        script: None,
    })
}

/// The ISO 639-3 code of a `lid.176` label code (`ms` → `zsm`), if it is one.
pub fn lid176_code(code: &str) -> Option<&'static str> {
    LID176
        .binary_search_by(|(k, _)| (*k).cmp(code))
        .ok()
        .map(|i| LID176[i].1)
}

/// GlotLID/OpenLID codes (ISO 639-3 individual languages) for languages SEA-LION names by
/// another code: Mandarin `cmn` is SEA-LION's Chinese (`zho`), Filipino `fil` its Tagalog
/// (`tgl`), `zlm` (Malay, the individual language) its Standard Malay (`zsm`). The
/// macrolanguage `msa` is left alone: it includes Indonesian.
pub const ALIASES: [(&str, &str); 3] = [("cmn", "zho"), ("fil", "tgl"), ("zlm", "zsm")];

/// `xxx_Scrp`: three lower-case letters, `_`, a capitalised four-letter script.
fn glotlid_label(code: &str) -> Option<LangLabel> {
    let (lang, script) = code.split_once('_')?;
    let lang_ok = lang.len() == 3 && lang.bytes().all(|b| b.is_ascii_lowercase());
    let script_ok = script.len() == 4
        && script.as_bytes()[0].is_ascii_uppercase()
        && script.bytes().skip(1).all(|b| b.is_ascii_lowercase());
    if !(lang_ok && script_ok) {
        return None;
    }
    let lang = ALIASES
        .iter()
        .find(|(from, _)| *from == lang)
        .map_or(lang, |(_, to)| to);
    Some(LangLabel {
        iso639_3: intern(lang),
        script: Some(intern(script)),
    })
}

/// A `'static` copy of a short code (the SEA codes and `lid.176`'s are static already). Codes come from a model's finite label set (at most a
/// few thousand distinct strings), so each is leaked once per process, not per call.
fn intern(code: &str) -> &'static str {
    if let Some(known) = LID176.iter().find(|(_, iso)| *iso == code) {
        return known.1;
    }
    if let Some(sea) = crate::SEA_LANGS.iter().find(|l| **l == code) {
        return sea;
    }
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(s) = seen.get(code) {
        return s;
    }
    let s: &'static str = Box::leak(code.to_string().into_boxed_str());
    seen.insert(s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_three_letter() {
        assert!(
            LID176.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted for binary search"
        );
        for (k, v) in LID176 {
            assert!(
                v.len() == 3 && v.bytes().all(|b| b.is_ascii_lowercase()),
                "{k} → {v}"
            );
        }
    }

    #[test]
    fn sea_labels() {
        let cases = [
            ("ms", "zsm"),
            ("tl", "tgl"),
            ("zh", "zho"),
            ("id", "ind"),
            ("jv", "jav"),
            ("su", "sun"),
            ("my", "mya"),
            ("km", "khm"),
            ("lo", "lao"),
            ("ta", "tam"),
            ("th", "tha"),
            ("vi", "vie"),
            ("en", "eng"),
            ("ar", "ara"),
            ("fa", "fas"),
        ];
        for (label, iso) in cases {
            assert_eq!(
                parse_label(&format!("__label__{label}")).iso639_3,
                iso,
                "{label}"
            );
        }
    }

    #[test]
    fn glotlid_labels_keep_code_and_script() {
        let l = parse_label("__label__zsm_Latn");
        assert_eq!((l.iso639_3, l.script), ("zsm", Some("Latn")));
        let l = parse_label("__label__cmn_Hani");
        assert_eq!(
            (l.iso639_3, l.script),
            ("zho", Some("Hani")),
            "Mandarin is SEA-LION's zho"
        );
        let fil = parse_label("__label__fil_Latn");
        assert_eq!((fil.iso639_3, fil.script), ("tgl", Some("Latn")));
        let shn = parse_label("__label__shn_Mymr");
        assert_eq!((shn.iso639_3, shn.script), ("shn", Some("Mymr")));
        assert!(
            std::ptr::eq(parse_label("shn_Mymr").iso639_3, shn.iso639_3),
            "interned once"
        );
        assert!(
            std::ptr::eq(parse_label("cmn_Hani").iso639_3, l.iso639_3),
            "interned once"
        );
    }

    #[test]
    fn unknown_and_malformed_labels_are_und() {
        for label in [
            "__label__xx",
            "__label__",
            "",
            "__label__zsm_latn",
            "__label__ZSM_Latn",
            "__label__zsm_Latn_x",
            "__label__msa",
            "ms ",
        ] {
            assert_eq!(
                parse_label(label),
                LangLabel {
                    iso639_3: UND,
                    script: None
                },
                "{label:?}"
            );
        }
    }
}
