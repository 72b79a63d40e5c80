//! Writing systems: the dominant script of a text, the script a language label needs, and
//! Chinese Simplified vs Traditional.
//!
//! Design decision: scripts are counted per letter from fixed Unicode block ranges (no
//! tables to load), and a label is trusted only when the script it is written in is the
//! text's dominant one; Han text is `Jpan` as soon as it has kana, so kana-less Chinese can
//! never be labelled Japanese.

pub use segment::Script;

/// The script of one character, or `None` for digits, punctuation, spaces and marks of no
/// particular script. Finer than `segment::script_of`: kana, Hangul, Cyrillic, Arabic,
/// Devanagari and Greek are told apart, so a label can be checked against its script.
pub fn char_script(c: char) -> Option<Script> {
    let u = c as u32;
    let s = match u {
        0xD7 | 0xF7 => return None,
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
        _ if c.is_alphabetic() => Script::Other,
        _ => return None,
    };
    Some(s)
}

/// Letters per script in a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptCounts {
    counts: [u32; 14],
}

impl ScriptCounts {
    /// Count every letter of `text`.
    pub fn of(text: &str) -> Self {
        let mut out = ScriptCounts::default();
        for s in text.chars().filter_map(char_script) {
            out.counts[s as usize] += 1;
        }
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

    /// The script with the most letters (Han and kana together count as Japanese when there
    /// is any kana), or `None` for a text without letters.
    pub fn dominant(&self) -> Option<Script> {
        let kana = self.get(Script::Japanese);
        let han = self.get(Script::Han);
        let mut best: Option<(Script, u32)> = None;
        for (i, &n) in self.counts.iter().enumerate() {
            let s = Script::ALL[i];
            let n = match s {
                Script::Japanese if kana > 0 => kana + han,
                Script::Han if kana > 0 => 0,
                _ => n,
            };
            if n > 0 && best.is_none_or(|(_, m)| n > m) {
                best = Some((s, n));
            }
        }
        best.map(|(s, _)| s)
    }
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

/// Frequent characters that exist only in Simplified Chinese; [`TRADITIONAL`] holds their
/// Traditional forms at the same positions.
const SIMPLIFIED: &str = "们这个说国来时为会对发过学么还没样经现开关问间从长书门见东车马鱼电话语认让请谁听买卖钱头边进动种权应该与给吗岁爱饭欢谢难题员众产业务实际总资义内机构区华历报纪证论设计划领导组织参议选举军战争备级单阶层术乐师标准规则条约党办传统专网络节处罚审释带许预顺误录读写热钟点无线汉辆飞场运输铁桥梁楼厅馆阳阴岛湾陆风云";
const TRADITIONAL: &str = "們這個說國來時為會對發過學麼還沒樣經現開關問間從長書門見東車馬魚電話語認讓請誰聽買賣錢頭邊進動種權應該與給嗎歲愛飯歡謝難題員眾產業務實際總資義內機構區華歷報紀證論設計劃領導組織參議選舉軍戰爭備級單階層術樂師標準規則條約黨辦傳統專網絡節處罰審釋帶許預順誤錄讀寫熱鐘點無線漢輛飛場運輸鐵橋樑樓廳館陽陰島灣陸風雲";

#[cfg(test)]
mod tests {
    use super::*;

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
    fn labels_must_match_the_script() {
        assert!(label_fits_script("tha", Script::Thai));
        assert!(!label_fits_script("lao", Script::Thai));
        assert!(!label_fits_script("jpn", Script::Han));
        assert!(label_fits_script("zho", Script::Han));
        assert!(label_fits_script("fra", Script::Latin));
        assert!(!label_fits_script("rus", Script::Latin));
        assert!(!label_fits_script("ben", Script::Latin));
        assert!(!label_fits_script("eng", Script::Tamil));
    }

    #[test]
    fn simplified_and_traditional_tables_pair_up() {
        assert_eq!(SIMPLIFIED.chars().count(), TRADITIONAL.chars().count());
        assert_eq!(han_variant("这个国家的人们"), Some("Hans"));
        assert_eq!(han_variant("這個國家的人們"), Some("Hant"));
        assert_eq!(han_variant("人人生而自由"), None);
    }
}
