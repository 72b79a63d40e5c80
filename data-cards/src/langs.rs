//! ISO 639-3 → the code the Hugging Face Hub lists a dataset under.
//!
//! The Hub's `language:` metadata takes ISO 639-1 where a language has one and ISO 639-3
//! otherwise (the `datasets` card validator rewrote `bam` to `bm`, `ibo` to `ig`, ...), so one
//! table maps each 639-3 code (macrolanguage and common individual codes such as `zsm`,
//! `cmn`, `arb`) to its 639-1 code, with an English name for the card's tables.

/// `(ISO 639-3, ISO 639-1 or "" when there is none, English name)`.
#[rustfmt::skip]
const LANGS: &[(&str, &str, &str)] = &[
    ("aar", "aa", "Afar"), ("abk", "ab", "Abkhazian"), ("afr", "af", "Afrikaans"),
    ("aka", "ak", "Akan"), ("amh", "am", "Amharic"), ("ara", "ar", "Arabic"),
    ("arb", "ar", "Standard Arabic"), ("arg", "an", "Aragonese"), ("asm", "as", "Assamese"),
    ("ava", "av", "Avaric"), ("ave", "ae", "Avestan"), ("aym", "ay", "Aymara"),
    ("aze", "az", "Azerbaijani"), ("azj", "az", "North Azerbaijani"), ("bak", "ba", "Bashkir"),
    ("bam", "bm", "Bambara"), ("bel", "be", "Belarusian"), ("ben", "bn", "Bengali"),
    ("bis", "bi", "Bislama"), ("bod", "bo", "Tibetan"), ("bos", "bs", "Bosnian"),
    ("bre", "br", "Breton"), ("bul", "bg", "Bulgarian"), ("cat", "ca", "Catalan"),
    ("ces", "cs", "Czech"), ("cha", "ch", "Chamorro"), ("che", "ce", "Chechen"),
    ("chu", "cu", "Church Slavic"), ("chv", "cv", "Chuvash"), ("cmn", "zh", "Mandarin Chinese"),
    ("cor", "kw", "Cornish"), ("cos", "co", "Corsican"), ("cre", "cr", "Cree"),
    ("cym", "cy", "Welsh"), ("dan", "da", "Danish"), ("deu", "de", "German"),
    ("div", "dv", "Dhivehi"), ("dzo", "dz", "Dzongkha"), ("ekk", "et", "Standard Estonian"),
    ("ell", "el", "Greek"), ("eng", "en", "English"), ("epo", "eo", "Esperanto"),
    ("est", "et", "Estonian"), ("eus", "eu", "Basque"), ("ewe", "ee", "Ewe"),
    ("fao", "fo", "Faroese"), ("fas", "fa", "Persian"), ("fij", "fj", "Fijian"),
    ("fin", "fi", "Finnish"), ("fra", "fr", "French"), ("fry", "fy", "Western Frisian"),
    ("ful", "ff", "Fulah"), ("gla", "gd", "Scottish Gaelic"), ("gle", "ga", "Irish"),
    ("glg", "gl", "Galician"), ("glv", "gv", "Manx"), ("grn", "gn", "Guarani"),
    ("guj", "gu", "Gujarati"), ("hat", "ht", "Haitian"), ("hau", "ha", "Hausa"),
    ("heb", "he", "Hebrew"), ("her", "hz", "Herero"), ("hin", "hi", "Hindi"),
    ("hmo", "ho", "Hiri Motu"), ("hrv", "hr", "Croatian"), ("hun", "hu", "Hungarian"),
    ("hye", "hy", "Armenian"), ("ibo", "ig", "Igbo"), ("ido", "io", "Ido"),
    ("iii", "ii", "Sichuan Yi"), ("iku", "iu", "Inuktitut"), ("ile", "ie", "Interlingue"),
    ("ina", "ia", "Interlingua"), ("ind", "id", "Indonesian"), ("ipk", "ik", "Inupiaq"),
    ("isl", "is", "Icelandic"), ("ita", "it", "Italian"), ("jav", "jv", "Javanese"),
    ("jpn", "ja", "Japanese"), ("kal", "kl", "Kalaallisut"), ("kan", "kn", "Kannada"),
    ("kas", "ks", "Kashmiri"), ("kat", "ka", "Georgian"), ("kau", "kr", "Kanuri"),
    ("kaz", "kk", "Kazakh"), ("khk", "mn", "Halh Mongolian"), ("khm", "km", "Khmer"),
    ("kik", "ki", "Kikuyu"), ("kin", "rw", "Kinyarwanda"), ("kir", "ky", "Kyrgyz"),
    ("kom", "kv", "Komi"), ("kon", "kg", "Kongo"), ("kor", "ko", "Korean"),
    ("kua", "kj", "Kuanyama"), ("kur", "ku", "Kurdish"), ("lao", "lo", "Lao"),
    ("lat", "la", "Latin"), ("lav", "lv", "Latvian"), ("lim", "li", "Limburgish"),
    ("lin", "ln", "Lingala"), ("lit", "lt", "Lithuanian"), ("ltz", "lb", "Luxembourgish"),
    ("lub", "lu", "Luba-Katanga"), ("lug", "lg", "Ganda"), ("lvs", "lv", "Standard Latvian"),
    ("mah", "mh", "Marshallese"), ("mal", "ml", "Malayalam"), ("mar", "mr", "Marathi"),
    ("mkd", "mk", "Macedonian"), ("mlg", "mg", "Malagasy"), ("mlt", "mt", "Maltese"),
    ("mon", "mn", "Mongolian"), ("mri", "mi", "Maori"), ("msa", "ms", "Malay"),
    ("mya", "my", "Burmese"), ("nau", "na", "Nauru"), ("nav", "nv", "Navajo"),
    ("nbl", "nr", "South Ndebele"), ("nde", "nd", "North Ndebele"), ("ndo", "ng", "Ndonga"),
    ("nep", "ne", "Nepali"), ("nld", "nl", "Dutch"), ("nno", "nn", "Norwegian Nynorsk"),
    ("nob", "nb", "Norwegian Bokmål"), ("nor", "no", "Norwegian"), ("npi", "ne", "Nepali"),
    ("nya", "ny", "Chichewa"), ("oci", "oc", "Occitan"), ("oji", "oj", "Ojibwa"),
    ("ori", "or", "Odia"), ("orm", "om", "Oromo"), ("ory", "or", "Odia"),
    ("oss", "os", "Ossetian"), ("pan", "pa", "Punjabi"), ("pes", "fa", "Iranian Persian"),
    ("pli", "pi", "Pali"), ("plt", "mg", "Plateau Malagasy"), ("pol", "pl", "Polish"),
    ("por", "pt", "Portuguese"), ("pus", "ps", "Pashto"), ("que", "qu", "Quechua"),
    ("roh", "rm", "Romansh"), ("ron", "ro", "Romanian"), ("run", "rn", "Rundi"),
    ("rus", "ru", "Russian"), ("sag", "sg", "Sango"), ("san", "sa", "Sanskrit"),
    ("sin", "si", "Sinhala"), ("slk", "sk", "Slovak"), ("slv", "sl", "Slovenian"),
    ("sme", "se", "Northern Sami"), ("smo", "sm", "Samoan"), ("sna", "sn", "Shona"),
    ("snd", "sd", "Sindhi"), ("som", "so", "Somali"), ("sot", "st", "Southern Sotho"),
    ("spa", "es", "Spanish"), ("sqi", "sq", "Albanian"), ("srd", "sc", "Sardinian"),
    ("srp", "sr", "Serbian"), ("ssw", "ss", "Swati"), ("sun", "su", "Sundanese"),
    ("swa", "sw", "Swahili"), ("swe", "sv", "Swedish"), ("swh", "sw", "Swahili"),
    ("tah", "ty", "Tahitian"), ("tam", "ta", "Tamil"), ("tat", "tt", "Tatar"),
    ("tel", "te", "Telugu"), ("tgk", "tg", "Tajik"), ("tgl", "tl", "Tagalog"),
    ("tha", "th", "Thai"), ("tir", "ti", "Tigrinya"), ("ton", "to", "Tongan"),
    ("tsn", "tn", "Tswana"), ("tso", "ts", "Tsonga"), ("tuk", "tk", "Turkmen"),
    ("tur", "tr", "Turkish"), ("twi", "tw", "Twi"), ("uig", "ug", "Uyghur"),
    ("ukr", "uk", "Ukrainian"), ("urd", "ur", "Urdu"), ("uzb", "uz", "Uzbek"),
    ("uzn", "uz", "Northern Uzbek"), ("ven", "ve", "Venda"), ("vie", "vi", "Vietnamese"),
    ("vol", "vo", "Volapük"), ("wln", "wa", "Walloon"), ("wol", "wo", "Wolof"),
    ("xho", "xh", "Xhosa"), ("ydd", "yi", "Eastern Yiddish"), ("yid", "yi", "Yiddish"),
    ("yor", "yo", "Yoruba"), ("zha", "za", "Zhuang"), ("zho", "zh", "Chinese"),
    ("zsm", "ms", "Malay"), ("zul", "zu", "Zulu"),
    // Southeast-Asian languages without an ISO 639-1 code (listed by their 639-3 code).
    ("ban", "", "Balinese"), ("bcl", "", "Central Bikol"), ("bjn", "", "Banjar"),
    ("ceb", "", "Cebuano"), ("fil", "", "Filipino"), ("hil", "", "Hiligaynon"),
    ("ilo", "", "Iloko"), ("mad", "", "Madurese"), ("min", "", "Minangkabau"),
    ("pam", "", "Pampanga"), ("shn", "", "Shan"), ("war", "", "Waray"),
];

fn find(iso639_3: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    LANGS.iter().find(|(code, _, _)| *code == iso639_3)
}

/// The code the Hub expects for an ISO 639-3 code: its ISO 639-1 code where one exists
/// (`zsm` → `ms`, `tha` → `th`), else the 639-3 code itself (`ceb`).
pub fn hub_code(iso639_3: &str) -> &str {
    match find(iso639_3) {
        Some((_, one, _)) if !one.is_empty() => one,
        _ => iso639_3,
    }
}

/// An English name for an ISO 639-3 code, or the code itself when the table lacks it.
pub fn name(iso639_3: &str) -> &str {
    find(iso639_3).map_or(iso639_3, |(_, _, name)| name)
}

/// The Hub's `language:` list for ISO 639-3 codes: mapped, sorted, without duplicates
/// (`cmn` and `zho` are both `zh`) and without `und`.
pub fn hub_languages<S: AsRef<str>>(codes: &[S]) -> Vec<String> {
    let mut out: Vec<String> = codes
        .iter()
        .map(AsRef::as_ref)
        .filter(|c| *c != "und" && !c.is_empty())
        .map(|c| hub_code(c).to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sea_lion_languages_map_to_hub_codes() {
        let sea = [
            "eng", "ind", "jav", "khm", "lao", "mya", "sun", "tam", "tgl", "tha", "vie", "zho",
            "zsm",
        ];
        let got = hub_languages(&sea);
        let want = [
            "en", "id", "jv", "km", "lo", "ms", "my", "su", "ta", "th", "tl", "vi", "zh",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn codes_without_639_1_pass_through_and_und_is_dropped() {
        assert_eq!(hub_languages(&["ceb", "und", "cmn", "zho"]), ["ceb", "zh"]);
        assert_eq!(hub_code("xyz"), "xyz");
        assert_eq!(name("zsm"), "Malay");
        assert_eq!(name("xyz"), "xyz");
    }

    #[test]
    fn table_has_unique_well_formed_codes() {
        let mut seen = std::collections::HashSet::new();
        for (three, one, name) in LANGS {
            assert!(seen.insert(three), "duplicate {three}");
            assert!(
                three.len() == 3 && three.bytes().all(|b| b.is_ascii_lowercase()),
                "{three}"
            );
            assert!(one.is_empty() || one.len() == 2, "{three} -> {one}");
            assert!(!name.is_empty());
        }
    }
}
