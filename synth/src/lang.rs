//! Language steering for Magpie: per language, a system prompt written in that language and
//! openings (the first words of a user turn) that the model continues. Which of the two a model
//! follows best is measured per model (`steering` in the config; the closing notes of the
//! synthesis issue give the numbers for the default model).

use serde::{Deserialize, Serialize};

/// How the target language is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Steering {
    /// Plain Magpie: the bare pre-query prefix (the model picks the language).
    None,
    /// A system turn in the target language asking for that language.
    System,
    /// The user turn starts with a few words in the target language.
    Opening,
    /// Both.
    Both,
}

impl Steering {
    pub fn system(self) -> bool {
        matches!(self, Steering::System | Steering::Both)
    }
    pub fn opening(self) -> bool {
        matches!(self, Steering::Opening | Steering::Both)
    }
}

/// One language Magpie can steer towards.
#[derive(Debug, Clone, Copy)]
pub struct Language {
    /// ISO 639-3, as seapile's language ID labels it.
    pub code: &'static str,
    /// ISO 639-1 for the dataset card (`zh`, `id`, ...).
    pub iso639_1: &'static str,
    pub name: &'static str,
    pub system: &'static str,
    pub openings: &'static [&'static str],
}

/// The 12 languages of SEA-LION's instruction data plus English.
pub const LANGUAGES: &[Language] = &[
    Language {
        code: "eng",
        iso639_1: "en",
        name: "English",
        system: "You are a helpful AI assistant. The user always writes in English, and you always answer in English.",
        openings: &["How do I", "What is the difference between", "Explain", "Write a", "Why does", "Can you give me"],
    },
    Language {
        code: "ind",
        iso639_1: "id",
        name: "Indonesian",
        system: "Anda adalah asisten AI yang membantu. Pengguna selalu menulis dalam bahasa Indonesia, dan Anda selalu menjawab dalam bahasa Indonesia.",
        openings: &["Bagaimana cara", "Apa perbedaan antara", "Jelaskan", "Tolong buatkan", "Mengapa", "Berikan contoh"],
    },
    Language {
        code: "zsm",
        iso639_1: "ms",
        name: "Malay",
        system: "Anda ialah pembantu AI yang berguna. Pengguna sentiasa menulis dalam bahasa Melayu, dan anda sentiasa menjawab dalam bahasa Melayu.",
        openings: &["Bagaimanakah", "Apakah perbezaan antara", "Terangkan", "Sila tuliskan", "Mengapakah", "Berikan contoh"],
    },
    Language {
        code: "vie",
        iso639_1: "vi",
        name: "Vietnamese",
        system: "Bạn là một trợ lý AI hữu ích. Người dùng luôn viết bằng tiếng Việt và bạn luôn trả lời bằng tiếng Việt.",
        openings: &["Làm thế nào để", "Hãy giải thích", "Tại sao", "Bạn có thể viết", "Sự khác biệt giữa", "Cho tôi biết"],
    },
    Language {
        code: "tha",
        iso639_1: "th",
        name: "Thai",
        system: "คุณเป็นผู้ช่วย AI ที่เป็นประโยชน์ ผู้ใช้เขียนเป็นภาษาไทยเสมอ และคุณตอบเป็นภาษาไทยเสมอ",
        openings: &["ช่วยอธิบาย", "ทำไม", "วิธีการ", "อะไรคือ", "ช่วยเขียน", "ความแตกต่างระหว่าง"],
    },
    Language {
        code: "tgl",
        iso639_1: "tl",
        name: "Filipino (Tagalog)",
        system: "Ikaw ay isang matulunging AI assistant. Ang user ay laging sumusulat sa wikang Filipino, at lagi kang sumasagot sa wikang Filipino.",
        openings: &["Paano", "Ano ang pagkakaiba ng", "Ipaliwanag", "Bakit", "Sumulat ka ng", "Magbigay ng"],
    },
    Language {
        code: "jav",
        iso639_1: "jv",
        name: "Javanese",
        system: "Panjenengan minangka asisten AI sing migunani. Pangguna tansah nulis nganggo basa Jawa, lan panjenengan tansah mangsuli nganggo basa Jawa.",
        openings: &["Kepiye carane", "Apa bedane", "Jelasna", "Kenging punapa", "Tulisen", "Wenehana conto"],
    },
    Language {
        code: "sun",
        iso639_1: "su",
        name: "Sundanese",
        system: "Anjeun téh asistén AI anu mantuan. Pamaké salawasna nulis dina basa Sunda, sarta anjeun salawasna ngajawab dina basa Sunda.",
        openings: &["Kumaha carana", "Naon bédana", "Jelaskeun", "Naha", "Tuliskeun", "Pasihan conto"],
    },
    Language {
        code: "mya",
        iso639_1: "my",
        name: "Burmese",
        system: "သင်သည် အကူအညီပေးသော AI လက်ထောက် ဖြစ်သည်။ အသုံးပြုသူသည် မြန်မာဘာသာဖြင့် အမြဲရေးသားပြီး သင်သည် မြန်မာဘာသာဖြင့် အမြဲဖြေကြားသည်။",
        openings: &["ဘယ်လို", "ဘာကြောင့်", "ရှင်းပြပါ", "ဘာလဲ", "ရေးပေးပါ"],
    },
    Language {
        code: "khm",
        iso639_1: "km",
        name: "Khmer",
        system: "អ្នកគឺជាជំនួយការ AI ដែលមានប្រយោជន៍។ អ្នកប្រើតែងតែសរសេរជាភាសាខ្មែរ ហើយអ្នកតែងតែឆ្លើយជាភាសាខ្មែរ។",
        openings: &["តើធ្វើដូចម្តេច", "ហេតុអ្វី", "សូមពន្យល់", "តើអ្វីជា", "សូមសរសេរ"],
    },
    Language {
        code: "lao",
        iso639_1: "lo",
        name: "Lao",
        system: "ທ່ານເປັນຜູ້ຊ່ວຍ AI ທີ່ເປັນປະໂຫຍດ. ຜູ້ໃຊ້ຂຽນເປັນພາສາລາວສະເໝີ ແລະ ທ່ານຕອບເປັນພາສາລາວສະເໝີ.",
        openings: &["ເຮັດແນວໃດ", "ເປັນຫຍັງ", "ກະລຸນາອະທິບາຍ", "ແມ່ນຫຍັງ", "ກະລຸນາຂຽນ"],
    },
    Language {
        code: "tam",
        iso639_1: "ta",
        name: "Tamil",
        system: "நீங்கள் ஒரு உதவிகரமான AI உதவியாளர். பயனர் எப்போதும் தமிழில் எழுதுகிறார், நீங்கள் எப்போதும் தமிழில் பதிலளிக்கிறீர்கள்.",
        openings: &["எப்படி", "ஏன்", "விளக்கவும்", "என்ன", "எழுதுங்கள்"],
    },
    Language {
        code: "zho",
        iso639_1: "zh",
        name: "Chinese",
        system: "你是一个乐于助人的AI助手。用户总是用中文写作，你也总是用中文回答。",
        openings: &["如何", "为什么", "请解释", "请写一篇", "什么是"],
    },
];

/// The language with ISO 639-3 `code` (also accepting `msa`/`may` for Malay, `fil` for
/// Filipino, `cmn` for Chinese, and ISO 639-1 codes).
pub fn language(code: &str) -> Option<&'static Language> {
    let code = match code.trim().to_ascii_lowercase().as_str() {
        "msa" | "may" | "ms" => "zsm".to_string(),
        "fil" | "tl" => "tgl".to_string(),
        "cmn" => "zho".to_string(),
        other => other.to_string(),
    };
    LANGUAGES
        .iter()
        .find(|l| l.code == code || l.iso639_1 == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve() {
        assert_eq!(language("msa").unwrap().code, "zsm");
        assert_eq!(language("fil").unwrap().code, "tgl");
        assert_eq!(language("th").unwrap().code, "tha");
        assert!(language("xyz").is_none());
        assert_eq!(LANGUAGES.len(), 13);
    }
}
