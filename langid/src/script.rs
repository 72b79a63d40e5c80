//! Writing systems: the dominant script of a text, the script a language label needs, and
//! Chinese Simplified vs Traditional.
//!
//! Design decision: scripts are decided by *shares* of letters, never by the presence of one
//! character. Letters are counted per script from fixed Unicode block ranges (no tables to
//! load); punctuation that lives inside a script's block but is used across scripts
//! (KATAKANA MIDDLE DOT U+30FB and the prolonged sound mark U+30FC in Chinese web text, the
//! CJK symbols U+3000–U+303F, full-width punctuation) counts as no script. A label is trusted
//! only when the script it is written in is the text's dominant one. Han text is Japanese
//! only when kana are at least [`MIN_KANA_SHARE`] of its Han + kana letters, so a Chinese
//! article with a stray hiragana stays Chinese, and Myanmar-script text is Burmese only when
//! letters that Burmese never uses (Shan, Mon, Karen) are under [`MAX_OTHER_MYANMAR_SHARE`].

pub use segment::Script;

use crate::UND;

/// Whether `c` is a letter (Unicode `Alphabetic`, exactly [`char::is_alphabetic`]): ASCII
/// inline, the rest of the Basic Multilingual Plane from an 8 KiB bitmap built once, the
/// other planes through the standard library. `is_alphabetic` binary-searches a table for
/// every non-ASCII character, which was 6% of language ID on web text (curly quotes,
/// dashes and no-break spaces are all non-ASCII non-letters).
#[inline]
pub fn is_letter(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return c.is_ascii_alphabetic();
    }
    if u >= 0x1_0000 {
        return c.is_alphabetic();
    }
    static BMP: std::sync::OnceLock<Box<[u64; 1024]>> = std::sync::OnceLock::new();
    let bits = BMP.get_or_init(|| {
        let mut bits = Box::new([0u64; 1024]);
        for u in 0..0x1_0000u32 {
            if char::from_u32(u).is_some_and(char::is_alphabetic) {
                bits[(u / 64) as usize] |= 1 << (u % 64);
            }
        }
        bits
    });
    bits[(u / 64) as usize] & (1 << (u % 64)) != 0
}

/// The script of one character, or `None` for digits, punctuation, spaces and marks of no
/// particular script. Finer than `segment::script_of`: kana, Hangul, Cyrillic, Arabic,
/// Devanagari and Greek are told apart, so a label can be checked against its script.
pub fn char_script(c: char) -> Option<Script> {
    let u = c as u32;
    let s = match u {
        0xD7 | 0xF7 => return None,
        // Kana-block punctuation used in Chinese text too (゠ ・ ー ヽ ヾ ゛ ゜), the CJK
        // symbols and punctuation block (、。〃々〆 brackets), the half-width prolonged mark.
        0x309B | 0x309C | 0x30A0 | 0x30FB..=0x30FE | 0x3000..=0x303F | 0xFF70 => return None,
        0xFF21..=0xFF3A | 0xFF41..=0xFF5A => Script::Latin,
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
        0x0370..=0x03FF => Script::Greek,
        0x0400..=0x052F => Script::Cyrillic,
        0x0600..=0x06FF | 0x0750..=0x077F => Script::Arabic,
        0x0900..=0x097F => Script::Devanagari,
        0x0B80..=0x0BFF => Script::Tamil,
        0x0E00..=0x0E7F => Script::Thai,
        0x0E80..=0x0EFF => Script::Lao,
        0x1000..=0x109F | 0xA9E0..=0xA9FF | 0xAA60..=0xAA7F => Script::Myanmar,
        0x1780..=0x17FF | 0x19E0..=0x19FF => Script::Khmer,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Japanese,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF => Script::Han,
        _ if is_letter(c) => Script::Other,
        _ => return None,
    };
    Some(s)
}

/// Kana must be at least this share of a text's Han + kana letters for it to be Japanese.
/// Japanese prose runs at 30–60% kana and a kanji-heavy headline still at 10–20%; Chinese web
/// text carries at most a stray kana or two per article (under 1%), so 5% separates them
/// with room on both sides.
pub const MIN_KANA_SHARE: f64 = 0.05;
/// Han + kana texts up to this many letters may be Japanese with a single kana.
const SHORT_CJK: u32 = 20;

/// Letters per script in a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptCounts {
    counts: [u32; 14],
}

impl ScriptCounts {
    /// Count every letter of `text`.
    pub fn of(text: &str) -> Self {
        let mut out = ScriptCounts::default();
        // ASCII letters are Latin without a lookup, counted over the bytes in one pass the
        // compiler vectorises (no byte of a multi-byte character is an ASCII letter); the
        // other characters are decoded from their lead bytes and classified.
        let bytes = text.as_bytes();
        let latin = bytes
            .iter()
            .map(|&b| u32::from((b | 0x20).wrapping_sub(b'a') < 26))
            .sum::<u32>();
        if !text.is_ascii() {
            for (i, _) in bytes.iter().enumerate().filter(|(_, &b)| b >= 0xC0) {
                let c = text[i..].chars().next();
                if let Some(s) = c.and_then(char_script) {
                    out.counts[s as usize] += 1;
                }
            }
        }
        out.counts[Script::Latin as usize] += latin;
        out
    }

    /// Letters of script `s`.
    pub fn get(&self, s: Script) -> u32 {
        self.counts[s as usize]
    }

    /// All letters counted.
    pub fn letters(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// Share of the letters written in script `s` (0 for a text without letters); for Han
    /// and kana see [`ScriptCounts::dominant`].
    pub fn share(&self, s: Script) -> f64 {
        let all = self.letters();
        if all == 0 {
            0.0
        } else {
            f64::from(self.get(s)) / f64::from(all)
        }
    }

    /// Whether Han + kana text is Japanese: kana are at least [`MIN_KANA_SHARE`] of its Han
    /// and kana letters (and at least two of them, unless the text is short).
    pub fn is_japanese(&self) -> bool {
        let kana = self.get(Script::Japanese);
        let cjk = kana + self.get(Script::Han);
        kana > 0
            && f64::from(kana) >= MIN_KANA_SHARE * f64::from(cjk)
            && (kana >= 2 || cjk <= SHORT_CJK)
    }

    /// The script with the most letters, or `None` for a text without letters. Han and kana
    /// count together, as Japanese when [`ScriptCounts::is_japanese`], else as Han.
    pub fn dominant(&self) -> Option<Script> {
        let kana = self.get(Script::Japanese);
        let han = self.get(Script::Han);
        let japanese = self.is_japanese();
        let mut best: Option<(Script, u32)> = None;
        for (i, &n) in self.counts.iter().enumerate() {
            let s = Script::ALL[i];
            let n = match s {
                Script::Japanese if japanese => kana + han,
                Script::Japanese => 0,
                Script::Han if japanese => 0,
                Script::Han => kana + han,
                _ => n,
            };
            if n > 0 && best.is_none_or(|(_, m)| n > m) {
                best = Some((s, n));
            }
        }
        best.map(|(s, _)| s)
    }
}

/// Myanmar-script text is Burmese only while letters Burmese never uses stay under this
/// share of its Myanmar letters. Unicode Burmese has none of them (0 of 13,624 letters of the
/// UDHR page); the UDHR's Shan page has 40% (its consonants ၵ ၸ ၼ ႁ, tones ႇ ႈ ႉ, vowel
/// carrier ဢ), Mon 9%. Zawgyi Burmese reuses U+1060–U+1097 for its glyph variants, so
/// Zawgyi is converted before this is asked (see [`crate::zawgyi::is_zawgyi`]).
pub const MAX_OTHER_MYANMAR_SHARE: f64 = 0.01;

/// Which language a Myanmar-script text is written in, from its letters: `mya` (Burmese),
/// `shn` (Shan), `mnw` (Mon), or `und` (another Myanmar-script language: Karen, Kayah,
/// Palaung, Khamti...). Call on Unicode text (Zawgyi converted first).
pub fn myanmar_language(text: &str) -> &'static str {
    let (mut all, mut shan, mut mon, mut other) = (0u32, 0u32, 0u32, 0u32);
    for c in text.chars() {
        let u = c as u32;
        match u {
            0x1022
            | 0x1075..=0x1081
            | 0x1082..=0x108E
            | 0x109A..=0x109D
            | 0xA9E0..=0xA9FE
            | 0xAA60..=0xAA7F => shan += 1,
            0x1028 | 0x1033..=0x1035 | 0x105A..=0x1060 => mon += 1,
            0x1061..=0x1074 | 0x108F | 0x109E | 0x109F => other += 1,
            0x1000..=0x109F => {}
            _ => continue,
        }
        all += 1;
    }
    let foreign = shan + mon + other;
    if all == 0 || f64::from(foreign) < MAX_OTHER_MYANMAR_SHARE * f64::from(all) {
        "mya"
    } else if shan >= mon && shan >= other {
        "shn"
    } else if mon >= other {
        "mnw"
    } else {
        UND
    }
}

/// Myanmar code points that no Burmese text has, in Unicode or in Zawgyi (Shan, Mon and
/// Karen letters outside the U+1060–U+1097 range Zawgyi reuses; Zawgyi also writes its
/// long `ု`/`ူ` as U+1033/U+1034, so those are not among them).
pub fn is_never_zawgyi(c: char) -> bool {
    matches!(
        c as u32,
        0x1022 | 0x1028 | 0x1035 | 0x105A..=0x105F | 0x109A..=0x109F | 0xA9E0..=0xA9FE | 0xAA60..=0xAA7F
    )
}

/// The script a language (ISO 639-3, as mapped from `lid.176`) is written in, or `None`
/// when it is not one [`char_script`] tells apart (e.g. Bengali, Georgian): such labels
/// are checked only against Latin text.
pub fn language_script(iso639_3: &str) -> Option<Script> {
    Some(match iso639_3 {
        "tha" => Script::Thai,
        "lao" => Script::Lao,
        "khm" => Script::Khmer,
        "mya" => Script::Myanmar,
        "tam" => Script::Tamil,
        "zho" | "yue" | "wuu" => Script::Han,
        "jpn" => Script::Japanese,
        "kor" => Script::Hangul,
        "rus" | "ukr" | "bel" | "bul" | "mkd" | "srp" | "kaz" | "kir" | "tgk" | "tat" | "bak"
        | "che" | "chv" | "sah" | "tyv" | "oss" | "mon" | "myv" | "mhr" | "mrj" | "krc" | "lez"
        | "ava" | "kom" | "rue" | "xal" | "bxr" => Script::Cyrillic,
        "ara" | "arz" | "fas" | "urd" | "pus" | "snd" | "uig" | "ckb" | "azb" | "mzn" | "lrc"
        | "pnb" => Script::Arabic,
        "hin" | "mar" | "nep" | "san" | "mai" | "bho" | "new" | "dty" | "gom" => Script::Devanagari,
        "ell" => Script::Greek,
        "eng" | "ind" | "zsm" | "jav" | "sun" | "tgl" | "vie" | "ceb" | "war" | "min" => {
            Script::Latin
        }
        _ => return None,
    })
}

/// Labels `lid.176` writes in a script [`char_script`] does not tell apart (all non-Latin).
const OTHER_NON_LATIN: [&str; 18] = [
    "amh", "asm", "ben", "bod", "bpy", "div", "guj", "heb", "hye", "kan", "kat", "mal", "ori",
    "pan", "sin", "tel", "xmf", "yid",
];

/// Whether a label that names its script (GlotLID/OpenLID: `zsm_Latn`, `zho_Hant`) fits
/// text whose dominant script is `dominant`.
pub fn script_code_fits(code: &str, dominant: Script) -> bool {
    match dominant {
        Script::Han => matches!(code, "Hani" | "Hans" | "Hant"),
        Script::Japanese => matches!(code, "Jpan" | "Hira" | "Kana" | "Hani"),
        Script::Hangul => matches!(code, "Hang" | "Kore"),
        Script::Other => true,
        d => d.code() == code,
    }
}

/// Whether a prediction may be trusted on text whose dominant script is `dominant`: by the
/// script its label names, else by its language's script.
pub fn prediction_fits_script(iso639_3: &str, script: Option<&str>, dominant: Script) -> bool {
    match script {
        Some(code) => script_code_fits(code, dominant),
        None => label_fits_script(iso639_3, dominant),
    }
}

/// Whether a label may be trusted on text whose dominant script is `dominant`.
pub fn label_fits_script(iso639_3: &str, dominant: Script) -> bool {
    match (language_script(iso639_3), dominant) {
        (Some(s), d) => s == d,
        (None, Script::Latin) => !OTHER_NON_LATIN.contains(&iso639_3),
        (None, Script::Other) => true,
        (None, _) => false,
    }
}

/// Chinese variant tag from characters whose Simplified and Traditional forms differ:
/// `Hans`, `Hant`, or `None` when the text has none of them (or as many of each).
pub fn han_variant(text: &str) -> Option<&'static str> {
    let (mut simp, mut trad) = (0u32, 0u32);
    for c in text
        .chars()
        .filter(|c| (0x4E00..=0x9FFF).contains(&(*c as u32)))
    {
        if SIMPLIFIED.contains(c) {
            simp += 1;
        } else if TRADITIONAL.contains(c) {
            trad += 1;
        }
    }
    match simp.cmp(&trad) {
        std::cmp::Ordering::Greater => Some("Hans"),
        std::cmp::Ordering::Less => Some("Hant"),
        std::cmp::Ordering::Equal => None,
    }
}

/// Written Cantonese: characters of the Cantonese vernacular that standard written Chinese
/// (Mandarin) does not use — the possessive 嘅, aspect 咗, copula/locative 喺, pronouns 佢 哋,
/// negations 唔 冇, 嘢 啲 嚟 咁 噉 嗰 睇 搵 揾 畀 攞 咩 喎 啱 諗 谂 瞓 嘥 攰 乜 — on at least
/// [`MIN_CANTONESE_SHARE`] of the Han letters (two of them at least, one in a line of at most
/// 25 Han letters).
///
/// Decision: SEA-LION's Chinese is Mandarin (standard written Chinese), so Cantonese written
/// as spoken is `yue`, not `zho`, and is not kept by default; formal Chinese written in Hong
/// Kong (no vernacular characters) stays `zho`, whatever fastText's label.
pub fn is_cantonese(text: &str) -> bool {
    if !text.chars().any(is_cantonese_char) {
        return false;
    }
    let (mut han, mut yue) = (0u32, 0u32);
    for c in text.chars() {
        if char_script(c) == Some(Script::Han) {
            han += 1;
            yue += u32::from(is_cantonese_char(c));
        }
    }
    yue > 0 && f64::from(yue) >= MIN_CANTONESE_SHARE * f64::from(han) && (yue >= 2 || han <= 25)
}

/// See [`is_cantonese`]: vernacular Cantonese prose has 5–10% of these characters.
pub const MIN_CANTONESE_SHARE: f64 = 0.02;

fn is_cantonese_char(c: char) -> bool {
    matches!(
        c,
        '嘅' | '咗'
            | '喺'
            | '佢'
            | '哋'
            | '唔'
            | '冇'
            | '嘢'
            | '啲'
            | '嚟'
            | '咁'
            | '噉'
            | '嗰'
            | '睇'
            | '搵'
            | '揾'
            | '畀'
            | '攞'
            | '咩'
            | '喎'
            | '啱'
            | '諗'
            | '谂'
            | '瞓'
            | '嘥'
            | '攰'
            | '乜'
    )
}

/// Malay in Jawi: the share of an Arabic-script text's words that are Malay function words
/// in Jawi spelling, when the text also writes a letter only Jawi has (ڠ nga, ڽ nya, ݢ ga,
/// ڤ pa, ڬ ga); `None` when the share is under [`MIN_JAWI_SHARE`] or no Jawi letter occurs.
/// Arabic, Persian and Urdu have neither the letters nor the words; Acehnese and Banjar in
/// Arabic script have the letters but their own function words (`ڽڠ` nyang, `ڠون` ngon).
pub fn jawi_share(text: &str) -> Option<f32> {
    if !text.contains(['\u{06A0}', '\u{06BD}', '\u{0762}', '\u{06A4}', '\u{06AC}']) {
        return None;
    }
    let (mut words, mut malay) = (0u32, 0u32);
    for w in text
        .split(|c: char| !is_letter(c))
        .filter(|w| !w.is_empty())
    {
        words += 1;
        malay += u32::from(JAWI_WORDS.contains(&w));
    }
    let share = malay as f32 / words.max(1) as f32;
    (share >= MIN_JAWI_SHARE).then_some(share)
}

/// See [`jawi_share`]: Malay prose has a third of its words among [`JAWI_WORDS`].
pub const MIN_JAWI_SHARE: f32 = 0.15;

/// Malay function words in Jawi: yang, dan, di, ke, dari, kepada, pada, dalam, ini, itu,
/// dengan, untuk, atau, oleh, tidak, akan, adalah, boleh, sebagai, setiap, semua, terhadap,
/// secara, bagi, serta, telah, lain, daripada, antara, mempunyai, ia, mereka, kami, kita,
/// saya, ada, juga, tetapi, jika, bahawa, hendaklah, sesiapa.
#[rustfmt::skip]
const JAWI_WORDS: &[&str] = &[
    "يڠ", "دان", "د", "ك", "دري", "كڤد", "ڤد", "دالم", "اين", "ايت", "دڠن", "اونتوق", "اتاو",
    "اوليه", "تيدق", "اكن", "اداله", "بوليه", "سباڬاي", "ستياڤ", "سموا", "ترهادڤ", "سچارا",
    "باڬي", "سرتا", "تله", "لائن", "درڤد", "انتارا", "ممڤوڽاءي", "اي", "مريك", "كامي", "كيت",
    "ساي", "اد", "جوڬ", "تتاڤي", "جک", "جيک", "بهاوا", "هندقله", "سسياڤا", "عداله", "تياد",
    "سبارڠ", "ڤون", "جوا", "مان", "اورڠ",
];

/// Frequent characters that exist only in Simplified Chinese; [`TRADITIONAL`] holds their
/// Traditional forms at the same positions.
const SIMPLIFIED: &str = "们这个说国来时为会对发过学么还没样经现开关问间从长书门见东车马鱼电话语认让请谁听买卖钱头边进动种权应该与给吗岁爱饭欢谢难题员众产业务实际总资义内机构区华历报纪证论设计划领导组织参议选举军战争备级单阶层术乐师标准规则条约党办传统专网络节处罚审释带许预顺误录读写热钟点无线汉辆飞场运输铁桥梁楼厅馆阳阴岛湾陆风云";
const TRADITIONAL: &str = "們這個說國來時為會對發過學麼還沒樣經現開關問間從長書門見東車馬魚電話語認讓請誰聽買賣錢頭邊進動種權應該與給嗎歲愛飯歡謝難題員眾產業務實際總資義內機構區華歷報紀證論設計劃領導組織參議選舉軍戰爭備級單階層術樂師標準規則條約黨辦傳統專網絡節處罰審釋帶許預順誤錄讀寫熱鐘點無線漢輛飛場運輸鐵橋樑樓廳館陽陰島灣陸風雲";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_letter_is_is_alphabetic_on_every_character() {
        let differ: Vec<char> = (0..=0x10_FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_letter(c) != c.is_alphabetic())
            .collect();
        assert!(differ.is_empty(), "{differ:?}");
    }

    #[test]
    fn dominant_script_counts_letters_only() {
        assert_eq!(
            ScriptCounts::of("ภาษาไทย 123 ok").dominant(),
            Some(Script::Thai)
        );
        assert_eq!(ScriptCounts::of("123 !!").dominant(), None);
        assert_eq!(
            ScriptCounts::of("我喜欢学习。").dominant(),
            Some(Script::Han)
        );
        assert_eq!(
            ScriptCounts::of("私は学生です").dominant(),
            Some(Script::Japanese)
        );
    }

    #[test]
    fn kana_punctuation_is_no_script_and_japanese_needs_a_kana_share() {
        // Chinese with a middle dot, a prolonged sound mark and one stray hiragana.
        let zh = "约翰・史密斯ー先生说，这个国家的人们都很喜欢学习中文和历史の知识。";
        assert_eq!(char_script('・'), None);
        assert_eq!(char_script('ー'), None);
        assert_eq!(ScriptCounts::of(zh).dominant(), Some(Script::Han));
        assert!(!ScriptCounts::of(zh).is_japanese());
        assert_eq!(
            ScriptCounts::of("東京都知事選、小池氏が3選").dominant(),
            Some(Script::Japanese),
            "a kanji-heavy headline with one kana stays Japanese"
        );
        assert_eq!(
            ScriptCounts::of("ＡＢＣ ｄｅｆ").dominant(),
            Some(Script::Latin)
        );
    }

    #[test]
    fn myanmar_script_languages() {
        assert_eq!(myanmar_language("မြန်မာနိုင်ငံ၏ လူမှုရေး"), "mya");
        assert_eq!(myanmar_language("ၵူၼ်းၵူႊၵေႃႉ မီးသုၼ်ႇလႆႈ"), "shn");
        assert_eq!(myanmar_language("ဂကူမန် ဒှ် ဂကူဍေုက်ဍေုက်ဂမၠိုင်"), "mnw");
        assert!(is_never_zawgyi('\u{1022}') && !is_never_zawgyi('\u{1033}'));
    }

    #[test]
    fn cantonese_needs_its_own_characters() {
        assert!(is_cantonese("佢哋喺度食緊飯，唔好嘈。"));
        assert!(!is_cantonese("他們正在吃飯，請不要吵。"));
        assert!(!is_cantonese("关系到我们的未来发展，需要认真研究。"));
    }

    #[test]
    fn labels_must_match_the_script() {
        assert!(label_fits_script("tha", Script::Thai));
        assert!(!label_fits_script("lao", Script::Thai));
        assert!(!label_fits_script("jpn", Script::Han));
        assert!(label_fits_script("zho", Script::Han));
        assert!(label_fits_script("fra", Script::Latin));
        assert!(!label_fits_script("rus", Script::Latin));
        assert!(!label_fits_script("ben", Script::Latin));
        assert!(!label_fits_script("eng", Script::Tamil));
        assert!(prediction_fits_script("zho", Some("Hant"), Script::Han));
        assert!(!prediction_fits_script("jav", Some("Java"), Script::Latin));
        assert!(prediction_fits_script("zsm", Some("Latn"), Script::Latin));
    }

    #[test]
    fn simplified_and_traditional_tables_pair_up() {
        assert_eq!(SIMPLIFIED.chars().count(), TRADITIONAL.chars().count());
        assert_eq!(han_variant("这个国家的人们"), Some("Hans"));
        assert_eq!(han_variant("這個國家的人們"), Some("Hant"));
        assert_eq!(han_variant("人人生而自由"), None);
    }
}
