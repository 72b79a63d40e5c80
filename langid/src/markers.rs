//! Lexical markers that tell apart the Latin-script SEA languages fastText confuses:
//! Standard Malay vs Indonesian, Javanese and Sundanese vs Indonesian, Tagalog vs Cebuano
//! (and vs the English it is mixed with).
//!
//! Design decision: a marker is a whole word that is common in one language and absent or
//! rare in the languages it is confused with — spelling differences (`kerana`/`karena`,
//! `wang`/`uang`, `-iti`/`-itas`), function words (`sahaja`/`saja`, `bahawa`, `yaitu`) and
//! everyday vocabulary (`kerajaan`/`pemerintah`, `kereta`/`mobil`). The lists come from the
//! differences between the UDHR's Standard Malay and Indonesian pages, the `ms`/`id` lists
//! of stopwords-iso, and standard dictionary pairs; words that also occur in the other
//! language's text of those sources were removed. Markers only count; deciding is done by
//! [`crate::sea`].

use crate::script::is_letter;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// Standard Malay (Malaysia, Brunei, Singapore) spellings and words.
#[rustfmt::skip]
const ZSM: &[&str] = &[
    "sahaja", "kerana", "bahawa", "iaitu", "ialah", "selepas", "tiada", "mahu", "awak",
    "nak", "sentiasa", "kerajaan", "wang", "percuma", "bas", "basikal", "pejabat",
    "syarikat", "kakitangan", "polis", "teksi", "muzik", "muzium", "disember", "ogos",
    "julai", "isnin", "khamis", "jumaat", "baharu", "bahagian", "sebahagian", "berjaya",
    "cuba", "mencuba", "dicuba", "kenderaan", "filem", "maklumat", "kempen", "projek",
    "doktor", "ubat", "encik", "nombor", "telefon", "bilik", "tandas", "kedai", "tingkap",
    "minit", "hodoh", "seronok", "faham", "fikir", "fikiran", "mesyuarat", "sekiranya",
    "semasa", "bermula", "esok", "petang", "korang", "kitorang", "diorang", "manakala",
    "jawatan", "mahkamah", "tempatan", "antarabangsa", "pelancongan", "kemudahan",
    "perkhidmatan", "bilangan", "peratus", "bilion", "pelbagai", "berbeza", "beza",
    "perbezaan", "rasmi", "kewujudan", "bekalan", "kemahiran", "mencadangkan", "memandu",
    "lesen", "beg", "kasut", "seluar", "akhbar", "rancangan", "merancang", "perancangan",
    "penyelidikan", "penyelidik", "bersetuju", "beritahu", "risau", "bimbang", "khuatir",
    "penat", "dahaga", "almari", "kerusi", "bumbung", "sedap", "lazat", "masin", "salji",
    "tasik", "kilang", "majikan", "cuti", "bercuti", "percutian", "melancong", "pelancong",
    "lawatan", "melawat", "inggeris", "jepun", "sepanyol", "eropah",
    "automatik", "saintifik", "berkenaan", "membolehkan", "dijangka", "menerusi",
    "sebarang", "kalangan", "adakah", "takda", "kek", "haiwan", "soalan", "kesilapan",
    "khabar", "cikgu", "kewangan", "berkahwin", "kahwin", "bagitau", "sepatutnya", "tabiat",
    "bercakap", "cakap", "sebiji", "riba", "tengok", "okey", "sihat", "kesihatan",
    "perniagaan", "kelab", "parti", "kad", "lori", "jambatan", "kemalangan", "pasport",
    "lif", "helo", "matematik", "fizik", "logik", "kanak", "gambarajah",
    "senarai", "laman", "stesen", "tajuk", "jadual", "komen", "menyokong", "sokongan",
    "persembahan", "kandungan", "diperbuat", "pergunungan", "bahawasanya", "kewajipan",
    "merosakkan", "rosak", "perkahwinan", "kurnia", "dikurniakan", "hendaklah", "sesiapa",
    "samarata",
];

/// Malay words that Indonesian also uses, less often: half the weight of [`ZSM`].
#[rustfmt::skip]
const ZSM_WEAK: &[&str] = &[
    "boleh", "walaupun", "hendak", "duit", "apabila", "lelaki", "wilayah",
    "dibina",
];

/// Indonesian spellings and words (including Jakarta colloquial forms).
#[rustfmt::skip]
const IND: &[&str] = &[
    "bisa", "saja", "karena", "karna", "yaitu", "uang", "pemerintah", "mobil", "kantor",
    "gratis", "sepeda", "universitas", "polisi", "taksi", "musik", "museum", "desember",
    "agustus", "juli", "juni", "maret", "senin", "kamis", "jumat", "bagian", "sebagian",
    "berhasil", "coba", "mencoba", "dicoba", "kendaraan", "film", "informasi", "kampanye",
    "proyek", "kualitas", "dokter", "obat", "nomor", "telepon", "kamar", "toko", "jendela",
    "menit", "bandara", "jeruk", "sapi", "jelek", "paham", "pikir", "berpikir", "pikiran",
    "besok", "sore", "teman", "kalian", "setempat", "pariwisata", "fasilitas", "layanan",
    "pelayanan", "persen", "miliar", "internasional", "senantiasa", "berbeda", "perbedaan",
    "khusus", "resmi", "pasokan", "keterampilan", "usulan", "sopir", "pengemudi",
    "mengemudi", "sepatu", "celana", "koran", "rencana", "merencanakan", "perencanaan",
    "penelitian", "peneliti", "tampak", "tampaknya", "mengerti", "khawatir", "capek",
    "haus", "lemari", "kursi", "enak", "lezat", "asin", "salju", "danau", "pabrik",
    "karyawan", "libur", "liburan", "wisata", "wisatawan", "kunjungan", "mengunjungi",
    "inggris", "jepang", "prancis", "spanyol", "eropa", "otomatis", "teknis", "ilmiah",
    "nggak", "enggak", "gak", "ngga", "kok", "sih", "banget", "aja", "gue", "gw", "ane",
    "kagak", "udah", "emang", "kalo", "gimana", "ngapain", "bikin", "pake", "doang", "gitu",
    "gini", "kayak", "nih", "deh", "lagian", "diposting", "aktivitas", "komunitas",
    "kapasitas", "identitas", "mayoritas", "minoritas", "prioritas", "realitas", "dimulai",
    "meskipun", "mau", "bisakah", "kemarin", "truk", "jembatan", "kecelakaan",
    "kemacetan", "macet", "paspor", "kartu", "silakan", "lift", "halo", "bisnis", "butuh",
    "membutuhkan", "dibutuhkan", "kebutuhan", "sialan", "terkadang", "mengecek", "cek",
    "matematika", "fisika", "logika", "pohon", "mengirimi", "bahwa", "jadwal", "judul",
    "berjudul", "stasiun", "situs", "komentar", "sepakbola", "pegunungan", "mendukung",
    "dukungan", "otopsi", "terbuat", "seputar", "pertunjukan", "konten", "pria", "kewajiban",
    "manusiawi", "merusak", "rusak", "perkawinan", "kawin", "karunia", "dikaruniai",
];

/// Indonesian words that Malay also uses, less often: half the weight of [`IND`].
#[rustfmt::skip]
const IND_WEAK: &[&str] = &[
    "apakah", "punya", "kenapa", "sampai", "daftar", "gedung", "dulu", "terlihat",
    "memiliki", "dibangun", "berbicara", "kesempatan", "pernyataan", "kegiatan", "ras",
];

/// Javanese (ngoko and krama) function words and common words.
#[rustfmt::skip]
const JAV: &[&str] = &[
    "ora", "kowe", "iku", "ing", "lan", "karo", "wis", "arep", "ana", "ono", "opo", "piye",
    "kepiye", "dhewe", "dhéwé", "uga", "ngono", "menawa", "saka", "marang", "kanggo",
    "dening", "iki", "kuwi", "kae", "bocah", "omah", "mangan", "turu", "lunga", "weruh",
    "ngerti", "duwe", "nduwe", "sampeyan", "panjenengan", "kula", "kulo", "njenengan",
    "mboten", "boten", "dereng", "sampun", "nggih", "inggih", "matur", "nuwun", "sugeng",
    "punika", "menika", "ingkang", "kanthi", "saben", "kabeh", "sakabehing", "tumrap",
    "manungsa", "durung", "isih", "banjur", "amarga", "mawon", "wae", "bakal", "dadi",
    "liyane", "nalika", "sawise", "sadurunge", "uwong", "mau", "becik", "aja", "nèng",
    "neng", "saiki", "akèh", "akeh", "dhèwèké", "dheweke", "kabèh", "utawa", "utowo",
    // Krama (polite) function words: Indonesian has none of them.
    "wonten", "saged", "badhe", "ugi", "sanes", "kaliyan", "dhateng", "utawi", "amargi",
    "tuwin", "kados", "menapa", "punapa", "pundi", "sinten", "pinten", "mekaten", "makaten",
    "samenika", "sakmenika", "kathah", "sekedhik", "sedaya", "kemawon", "mangke", "benjing",
    "nembe", "malih", "damel", "ndamel", "nyuwun", "ngendika", "sumangga", "dinten",
    "tiyang", "piyambakipun", "panjenenganipun", "kagungan", "gadhah", "kersa",
    // Everyday ngoko words Indonesian does not borrow (its colloquial `pengin`, `ngomong`,
    // `bareng`, `lho`, `gawe`, `apik` are left out).
    "sing", "gelem", "wegah", "mangkat", "mulih", "teka", "metu", "mlebu", "mlaku", "mlayu",
    "tuku", "golek", "njupuk", "nggawa", "nggawe", "sithik", "gedhe", "wengi", "bengi",
    "esuk", "isuk", "wingi", "sesuk", "mengko", "biyen", "kene", "kéné", "kono", "endi",
    "ngendi", "pira", "mergo", "merga", "nanging", "yèn", "tenan", "pancen", "mesthi",
    "entuk", "olèh", "dhuwit", "banyu", "sega", "ngombe", "padha", "mung", "uwis", "dudu",
    "kowé", "awakmu", "siji", "loro", "telu", "papat", "pitu", "wolu", "sanga", "sawetara",
    "tangi", "udan", "kudu", "wong",
];

/// Sundanese function words and common words.
#[rustfmt::skip]
const SUN: &[&str] = &[
    "teu", "henteu", "abdi", "anjeun", "nu", "jeung", "kana", "dina", "urang",
    "kuring", "maneh", "manéh", "naon", "kumaha", "iraha", "mah", "téh", "atawa",
    "keur", "eta", "éta", "ieu", "oge", "ogé", "bae", "baé", "geus", "acan", "hayang",
    "meureun", "pisan", "sarua", "sakabéh", "unggal", "boga", "nyaéta", "nyaeta", "hiji",
    "tilu", "opat", "genep", "dalapan", "salapan", "sapuluh", "jalma", "sagala", "kalawan",
    "ngeunaan", "tina", "sarta", "dibere", "manéhna", "saha", "kitu", "kieu", "leuwih",
    "nagara", "anu", "teh", "ku", "ti", "pikeun", "ulah", "sakumna", "saban", "kudu",
    "mangrupa", "ngaliwatan", "ngabogaan", "kawas", "sareng", "kalayan", "nepi", "dugi",
    "bari", "ayeuna", "kungsi", "moal", "rek", "téa", "lamun", "sanajan",
    "sabab", "alatan", "ngarah", "sangkan", "harita", "ditu", "dieu", "mun", "atuh",
    "euy", "mangka", "nurutkeun", "nyieun", "batur", "sajaba",
    // Shared with Javanese: both lists count them.
    "sing",
];

/// Tagalog words that Cebuano and the other Philippine languages lack or spell otherwise.
#[rustfmt::skip]
const TGL: &[&str] = &[
    "ng", "ay", "hindi", "ito", "iyan", "iyon", "natin", "namin", "nila", "ngayon", "bukas",
    "kahapon", "talaga", "paano", "bakit", "saan", "kailan", "po", "opo", "yung", "rin",
    "naman", "kasi", "dahil", "mayroon", "nang", "ikaw", "tayo", "dito", "doon",
    "diyan", "kanya", "akin", "amin", "kanila", "iyong", "sino", "kayo", "niyo",
    "ninyo", "lahat", "ngunit", "upang", "bawat", "tungkol", "noong", "naging", "isang",
    "mula", "hanggang", "kaniya", "kaniyang", "kanyang", "nito", "habang", "subalit",
    "sapagkat", "ayon", "pamamagitan", "gayunman", "samakatuwid", "siyang", "nasa", "tulad",
    "ninyong", "aming", "ating", "kaysa", "bang", "huwag", "wag", "mong", "kong", "kitang",
    "magandang", "kumusta", "salamat", "gaano", "meron", "puwede", "pwede", "sabi",
    "kahit", "din", "bilang", "kilala", "maging", "ngayong", "taong", "araw",
];

/// Tagalog words shared with Cebuano (evidence for Tagalog against non-Philippine labels).
#[rustfmt::skip]
const TGL_SHARED: &[&str] = &[
    "kami", "sila", "kung", "wala", "gusto", "ayaw", "kailangan", "niya", "ko", "mo", "sa",
    "na", "si", "ni", "siya", "ako", "ang", "mga", "lang", "ka", "ba", "kay",
];

/// Cebuano words Tagalog lacks.
#[rustfmt::skip]
const CEB: &[&str] = &[
    "ug", "og", "kini", "dili", "naa", "unsa", "kaayo", "gyud", "karon", "ugma", "gahapon",
    "akong", "imong", "iyang", "nako", "nimo", "kinsa", "asa", "ngano", "adunay", "usa",
    "kana", "diha", "niini", "kadto", "mao", "ila", "gikan", "niadtong", "nahimutang",
    "gitawag", "usab", "diay", "unya", "adto", "didto", "dinhi", "nga", "kamo", "nato",
    "ilang", "ilaha", "bitaw", "pud", "pod", "sab",
];

/// Words that Malay and Indonesian share and that are rare elsewhere (evidence that a short
/// line fastText gave to English or Italian is Malay/Indonesian at all).
#[rustfmt::skip]
const MALAYIC: &[&str] = &[
    "yang", "dan", "di", "ini", "itu", "dengan", "untuk", "tidak", "ada", "saya", "akan",
    "dia", "apa", "kami", "kita", "mereka", "sudah", "telah", "atau", "juga", "oleh", "pada",
    "dalam", "adalah", "sangat", "belum", "dapat", "lebih", "orang", "tahun", "hari", "anak",
    "rumah", "bahasa", "kamu", "aku", "anda", "tolong", "terima", "kasih", "selamat", "makan",
    "minum", "pergi", "datang", "sini", "sana", "mana", "siapa", "bagaimana", "kenapa",
    "mengapa", "sedang", "masih", "lagi", "pun", "kalau", "jika", "tetapi", "tapi", "sebab",
    "semua", "banyak", "sedikit", "baik", "besar", "kecil", "baru", "lama", "buku", "seorang",
    "sekali", "ia", "ke", "dari", "kepada", "sebuah", "tentang", "setiap", "harus", "ingin",
    "sekolah", "bekerja", "mahu", "boleh", "bisa", "saja", "sahaja", "karena", "kerana",
];

/// Frequent words of the English-based creoles and of Scots that standard English does not
/// write (as lower-case words): Nigerian Pidgin (`wey`, `dey`, `naim`, `wetin`, `una`,
/// `comot`, `kontri`, `everibodi`), Tok Pisin (`bilong`, `olgeta`, `tasol`, `mipela`,
/// `gutpela`), Bislama (`blong`, `evri`, `oli`), Jamaican (`inna`, `nuh`, `pickney`, `unu`),
/// Hawaiian Pidgin (`kine`), Scots (`tae`, `fae`, `frae`, `nae`, `ilka`, `ither`, `mair`,
/// `richt`, `naebody`, `hes`). lid.176 calls these languages English with up to p = 0.99
/// (on the UDHR, half of the Nigerian Pidgin sentences), and English word lists explain
/// most of their words; these words are what their grammars and orthographies (Naija
/// Langwej Akademi, Mihalic's Tok Pisin dictionary, the Scots Language Centre's spelling
/// notes) give as their everyday function words. Words English writes too (`im`, `bin`,
/// `fit`, `na`, `long`, `o`, `an`, `wi`, `fi`, `di`, `da`: also halves of `wi-fi` or
/// particles of names) are left out.
#[rustfmt::skip]
const CREOLE: &[&str] = &[
    // Nigerian Pidgin (and West African Pidgin English in Latin spelling)
    "wey", "dey", "naim", "wetin", "una", "sabi", "comot", "pikin", "abeg", "dem", "dis",
    "dat", "sef", "gree", "kontri", "everibodi", "everione", "nobodi", "anybodi", "goment",
    "anoda", "weda", "palava", "wahala", "naija", "everi", "notin",
    // Tok Pisin
    "bilong", "olgeta", "tasol", "mipela", "yupela", "yumi", "gutpela", "wanpela", "samting",
    "pasin", "inap", "kirap", "pikinini", "gavman", "nogat", "olsem", "wankain",
    // Bislama
    "blong", "evri", "wanwan", "oli", "bigfala", "kantri",
    // Jamaican
    "inna", "nuh", "pickney", "unu", "haffi", "seh", "deh", "weh",
    // Hawaiian Pidgin
    "kine", "brah",
    // Scots
    "tae", "fae", "frae", "nae", "ane", "yin", "ilka", "ither", "mair", "shuid", "cuid",
    "hae", "gie", "awbody", "naebody", "ivery", "intae", "aboot", "oot", "whit", "thir",
    "thon", "sae", "richt", "richts", "kintra", "fowk", "cannae", "dinnae", "isnae", "hes",
    "shal", "nane", "aince",
];

/// Function words of the Philippine languages lid.176 calls Tagalog and that Tagalog does
/// not use: Bikol (`nin`, `kan`, `asin`, `igwa`, `saro`, `lambang`, `saiyang`), Hiligaynon
/// (`kag`, `sang`, `nga`, `ukon`, `indi`, `tagsa`, `subong`, `gid`), Waray (`han`, `ha`, `ug`,
/// `ira`, `hin`, `diri`), Cebuano (`ug`, `kini`, `dili`, `usa`), Ilocano (`ti`, `iti`, `ken`,
/// `dagiti`, `ket`, `wenno`), Kapampangan (`ing`, `king`, `metung`), Pangasinan (`ed`,
/// `tan`, `saray`, `sakey`): articles, linkers, conjunctions and negations from the
/// grammars of these languages. Bikol and Hiligaynon share two thirds of their words with
/// Tagalog's word list; these are the ones they do not share.
#[rustfmt::skip]
const OTHER_PHILIPPINE: &[&str] = &[
    "nin", "kan", "asin", "igwa", "saro", "lambang", "saiya", "saiyang", "sainda",
    "saindang", "gabos", "kag", "sang", "nga", "ukon", "indi", "tagsa", "subong", "gid",
    "diri", "han", "ha", "ug", "ira", "hin", "dida", "pinaagi", "kini", "dili", "usa", "ti",
    "iti", "ken", "dagiti", "ket", "wenno", "tunggal", "daytoy", "kadagiti", "addaan", "ing",
    "king", "ning", "ding", "metung", "kareng", "deng", "keng", "karing", "ed", "tan",
    "saray", "sakey",
];

/// Marker counts for one text. Malay and Indonesian count in half points: a word of
/// [`ZSM`]/[`IND`] adds 2, a word of the weak lists adds 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Markers {
    /// Words of the text.
    pub words: u32,
    pub zsm: u32,
    pub ind: u32,
    pub jav: u32,
    pub sun: u32,
    pub tgl: u32,
    /// Tagalog words that Cebuano shares.
    pub tgl_shared: u32,
    pub ceb: u32,
    /// Words common to Malay and Indonesian.
    pub malayic: u32,
    /// Words of English-based creoles and Scots ([`CREOLE`]), names left out (capitalised
    /// words after the first).
    pub creole: u32,
    /// Words of the Philippine languages other than Tagalog ([`OTHER_PHILIPPINE`]), names
    /// left out.
    pub philippine: u32,
}

impl Markers {
    /// English-based creole or Scots words on at least [`MIN_OTHER_SHARE`] of the words
    /// (two at least): not English, whatever the English word lists say.
    pub fn creole_text(&self) -> bool {
        other_share(self.creole, self.words)
    }

    /// Words of the other Philippine languages on at least [`MIN_OTHER_SHARE`] of the words
    /// (two at least): not Tagalog.
    pub fn other_philippine_text(&self) -> bool {
        other_share(self.philippine, self.words)
    }
}

/// The share of a text's words that words of a neighbouring language must reach to veto a
/// label ([`Markers::creole_text`], [`Markers::other_philippine_text`]): on the UDHR,
/// Nigerian Pidgin sentences run at 20–40% of [`CREOLE`], Hiligaynon and Bikol at 15–30%
/// of [`OTHER_PHILIPPINE`]; of 3,000 Tagalog lines of dev.tsv none reaches 8% (with names
/// left out), nor does any of 1,060 English lines.
pub const MIN_OTHER_SHARE: f64 = 0.08;

fn other_share(n: u32, words: u32) -> bool {
    n >= 2 && f64::from(n) >= MIN_OTHER_SHARE * f64::from(words)
}

const ZSM_BIT: u16 = 1;
const IND_BIT: u16 = 2;
const JAV_BIT: u16 = 4;
const SUN_BIT: u16 = 8;
const TGL_BIT: u16 = 16;
const TGL_SHARED_BIT: u16 = 32;
const CEB_BIT: u16 = 64;
const MALAYIC_BIT: u16 = 128;
const ZSM_WEAK_BIT: u16 = 256;
const IND_WEAK_BIT: u16 = 512;
const OTHER_BIT: u16 = 1024;
const CREOLE_BIT: u16 = 2048;
const OTHER_PH_BIT: u16 = 4096;
/// Bits not counted on names (capitalised words after a text's first word).
const NAME_BLIND: u16 = CREOLE_BIT | OTHER_PH_BIT;

/// An Fx-style hash (rotate, xor a word of 8 bytes, multiply): the tables' keys are fixed
/// short words from shipped lists, so a fast non-keyed hash is safe, and taking 8 bytes at
/// a time costs a third of FNV's byte-at-a-time loop on the SEA layer's hot path.
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        self.0 = h;
    }

    fn write_u8(&mut self, i: u8) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(K);
    }
}

/// The marker table: every listed word with the bits of the lists it is on. Words of at
/// most 16 bytes (nearly all) sit in an open-addressing table keyed by their bytes packed
/// into two machine words, so a lookup on the hot path — every word of every Latin-script
/// text — is one multiply and, for the many words on no list, usually one probe that
/// compares two words; longer words go to a hash map.
struct Table {
    seen: Vec<u64>,
    slots: Vec<Slot>,
    mask: usize,
    long: HashMap<&'static str, u16, BuildHasherDefault<Fnv>>,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    key: [u64; 2],
    /// Byte length of the word; 0 for an empty slot.
    len: u8,
    bits: u16,
}

/// Longest word held in [`Table::slots`].
const SHORT: usize = 16;

/// Up to 8 bytes as a little-endian word, zero-padded, without a copy through memory
/// (overlapping loads: the bytes they share are the same).
#[inline]
fn le(b: &[u8]) -> u64 {
    let n = b.len();
    let u32_at = |i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    if n >= 8 {
        u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    } else if n >= 4 {
        u32_at(0) | u32_at(n - 4) << (8 * (n - 4))
    } else if n > 0 {
        u64::from(b[0])
            | u64::from(b[n / 2]) << (8 * (n / 2))
            | u64::from(b[n - 1]) << (8 * (n - 1))
    } else {
        0
    }
}

/// A word of at most [`SHORT`] bytes, zero-padded into two little-endian words.
#[inline]
fn pack(b: &[u8]) -> [u64; 2] {
    if b.len() > 8 {
        [le(&b[..8]), le(&b[8..])]
    } else {
        [le(b), 0]
    }
}

/// Bits of [`Table::seen`], a one-hash filter in front of the slots: most words of a text
/// are on no list, and the filter (8 KiB, in L1) turns nearly all of them away without
/// touching the slots.
const FILTER_BITS: usize = 1 << 16;

impl Table {
    fn with_words(words: &HashMap<&'static str, u16>) -> Table {
        let short = words
            .keys()
            .filter(|w| (1..=SHORT).contains(&w.len()))
            .count();
        let size = (short * 2).next_power_of_two().max(64);
        let mut t = Table {
            seen: vec![0; FILTER_BITS / 64],
            slots: vec![Slot::default(); size],
            mask: size - 1,
            long: HashMap::default(),
        };
        for (&w, &bits) in words {
            if (1..=SHORT).contains(&w.len()) {
                let key = pack(w.as_bytes());
                let h = hash(key, w.len());
                t.seen[(h as usize % FILTER_BITS) / 64] |= 1 << (h % 64);
                let mut i = t.index(h);
                while t.slots[i].len != 0 {
                    i = (i + 1) & t.mask;
                }
                t.slots[i] = Slot {
                    key,
                    len: w.len() as u8,
                    bits,
                };
            } else {
                t.long.insert(w, bits);
            }
        }
        t
    }

    /// The slot a hash starts probing at (the high bits; the filter takes the low ones).
    #[inline]
    fn index(&self, h: u64) -> usize {
        (h >> 32) as usize & self.mask
    }

    /// The bits of `word` (0 when it is on no list).
    #[inline]
    fn get(&self, word: &str) -> u16 {
        let b = word.as_bytes();
        if b.is_empty() || b.len() > SHORT {
            return self.long.get(word).copied().unwrap_or(0);
        }
        self.get_packed(pack(b), b.len())
    }

    /// The bits of the word of `len` (1 to [`SHORT`]) bytes packed as `key`.
    #[inline]
    fn get_packed(&self, key: [u64; 2], len: usize) -> u16 {
        let h = hash(key, len);
        if self.seen[(h as usize % FILTER_BITS) / 64] & (1 << (h % 64)) == 0 {
            return 0;
        }
        let mut i = self.index(h);
        loop {
            let slot = self.slots[i];
            if slot.len == 0 {
                return 0;
            }
            if slot.key == key && usize::from(slot.len) == len {
                return slot.bits;
            }
            i = (i + 1) & self.mask;
        }
    }
}

#[inline]
fn hash(key: [u64; 2], len: usize) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let h = (key[0] ^ key[1].rotate_left(31) ^ len as u64).wrapping_mul(K);
    h ^ (h >> 29)
}

/// Every listed word with the bits of the lists it is on.
fn word_bits() -> HashMap<&'static str, u16> {
    let mut t: HashMap<&'static str, u16> = HashMap::new();
    let lists: [(&[&str], u16); 13] = [
        (CREOLE, CREOLE_BIT),
        (OTHER_PHILIPPINE, OTHER_PH_BIT),
        (crate::evidence::OTHER_MALAYIC, OTHER_BIT),
        (ZSM_WEAK, ZSM_WEAK_BIT),
        (IND_WEAK, IND_WEAK_BIT),
        (MALAYIC, MALAYIC_BIT),
        (ZSM, ZSM_BIT),
        (IND, IND_BIT),
        (JAV, JAV_BIT),
        (SUN, SUN_BIT),
        (TGL, TGL_BIT),
        (TGL_SHARED, TGL_SHARED_BIT),
        (CEB, CEB_BIT),
    ];
    for (words, bit) in lists {
        for w in words {
            *t.entry(w).or_default() |= bit;
        }
    }
    t
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::with_words(&word_bits()))
}

/// Count the markers of every word of `text` (words are runs of letters, lower-cased).
pub fn count(text: &str) -> Markers {
    if text.is_ascii() {
        return count_ascii(text.as_bytes());
    }
    let table = table();
    let mut m = Markers::default();
    let mut lower = String::new();
    for raw in text.split(|c: char| !is_letter(c)) {
        if raw.is_empty() {
            continue;
        }
        let name = m.words > 0 && raw.starts_with(char::is_uppercase);
        m.words += 1;
        let word = if raw.bytes().all(|b| b.is_ascii_lowercase()) {
            raw
        } else {
            lower.clear();
            lower.extend(raw.chars().flat_map(char::to_lowercase));
            lower.as_str()
        };
        add(&mut m, lookup(table, word), name);
    }
    m
}

/// The same for ASCII text, lower-casing each word into a stack buffer (no marker is
/// longer than it).
fn count_ascii(text: &[u8]) -> Markers {
    const MAX: usize = 24;
    let table = table();
    let mut m = Markers::default();
    for raw in text.split(|b| !b.is_ascii_alphabetic()) {
        if raw.is_empty() {
            continue;
        }
        let name = m.words > 0 && raw[0].is_ascii_uppercase();
        m.words += 1;
        if raw.len() > MAX {
            continue;
        }
        let mut buf = [0u8; MAX];
        for (d, s) in buf.iter_mut().zip(raw) {
            *d = s | 0x20;
        }
        // ASCII letters only, so the lower-cased bytes are valid UTF-8; a word of at most
        // 16 bytes is its own packed key (the buffer is zero-padded).
        let Ok(word) = std::str::from_utf8(&buf[..raw.len()]) else {
            continue;
        };
        let bits = if raw.len() <= SHORT {
            let half = |i: usize| u64::from_le_bytes(buf[i..i + 8].try_into().unwrap_or_default());
            table.get_packed([half(0), half(8)], raw.len()) | suffix_bits(word)
        } else {
            lookup(table, word)
        };
        add(&mut m, bits, name);
    }
    m
}

const MALAY_BITS: u16 = ZSM_BIT | IND_BIT | ZSM_WEAK_BIT | IND_WEAK_BIT | MALAYIC_BIT;

/// The marker lists a (lower-case) word is on, looked up once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarkerBits(u16);

impl MarkerBits {
    pub fn of(word: &str) -> Self {
        MarkerBits(lookup(table(), word))
    }
    pub fn javanese(self) -> bool {
        self.0 & JAV_BIT != 0
    }
    pub fn sundanese(self) -> bool {
        self.0 & SUN_BIT != 0
    }
    /// A Javanese marker no Malay/Indonesian marker list claims.
    pub fn javanese_only(self) -> bool {
        self.javanese() && self.0 & MALAY_BITS == 0
    }
    /// A Sundanese marker no Malay/Indonesian marker list claims.
    pub fn sundanese_only(self) -> bool {
        self.sundanese() && self.0 & MALAY_BITS == 0
    }
    /// On [`crate::evidence::OTHER_MALAYIC`].
    pub fn other_malayic(self) -> bool {
        self.0 & OTHER_BIT != 0
    }
}

/// Whether a lower-case word is one of the Javanese markers (list or spelling).
pub fn is_javanese(word: &str) -> bool {
    lookup(table(), word) & JAV_BIT != 0
}

/// Whether a lower-case word is one of the Sundanese markers.
pub fn is_sundanese(word: &str) -> bool {
    lookup(table(), word) & SUN_BIT != 0
}

/// A Javanese marker that no Malay/Indonesian marker list claims (`mau`, `aja` are both).
pub fn is_javanese_only(word: &str) -> bool {
    let bits = lookup(table(), word);
    bits & JAV_BIT != 0 && bits & MALAY_BITS == 0
}

/// A Sundanese marker that no Malay/Indonesian marker list claims.
pub fn is_sundanese_only(word: &str) -> bool {
    let bits = lookup(table(), word);
    bits & SUN_BIT != 0 && bits & MALAY_BITS == 0
}

fn lookup(table: &Table, word: &str) -> u16 {
    table.get(word) | suffix_bits(word)
}

fn add(m: &mut Markers, bits: u16, name: bool) {
    let bits = if name { bits & !NAME_BLIND } else { bits };
    let one = |bit: u16| u32::from(bits & bit != 0);
    m.zsm += 2 * one(ZSM_BIT) + one(ZSM_WEAK_BIT);
    m.ind += 2 * one(IND_BIT) + one(IND_WEAK_BIT);
    m.jav += one(JAV_BIT);
    m.sun += one(SUN_BIT);
    m.tgl += one(TGL_BIT);
    m.tgl_shared += one(TGL_SHARED_BIT);
    m.ceb += one(CEB_BIT);
    m.malayic += one(MALAYIC_BIT);
    m.creole += one(CREOLE_BIT);
    m.philippine += one(OTHER_PH_BIT);
}

/// Javanese spelling writes initial `dh` (dhuwur, ndhelik), which Malay, Indonesian and
/// Sundanese lack. (`è` and `-ké`/`-né` were markers too, until the UDHR pages showed them
/// in Occitan, Walloon and Picard, which they turned Javanese.) Loanword endings: Malay
/// `-iti` (universiti, aktiviti, kualiti) vs Indonesian `-itas` (universitas, aktivitas,
/// kualitas); `-eliti` (Indonesian `meneliti`, to research) and short words are not loans.
fn suffix_bits(word: &str) -> u16 {
    let b = word.as_bytes();
    if b.len() < 7 {
        return if b.starts_with(b"dh") || b.starts_with(b"ndh") {
            JAV_BIT
        } else {
            0
        };
    }
    if b.starts_with(b"dh") || b.starts_with(b"ndh") {
        return JAV_BIT;
    }
    let long = || word.chars().count() >= 7;
    if b.ends_with(b"iti") && !b.ends_with(b"eliti") && !b.ends_with(b"kiti") && long() {
        ZSM_BIT
    } else if b.ends_with(b"itas") && long() {
        IND_BIT
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_answers_as_the_lists_do() {
        let words = word_bits();
        let t = table();
        for (w, &bits) in &words {
            assert_eq!(t.get(w), bits, "{w}");
        }
        // Words on no list, of every length and around the listed ones (a letter more, a
        // letter less, a letter changed, upper case): 0, as the lists say.
        let mut probes = vec![String::new(), "x".repeat(40), "ŋ".repeat(9)];
        for w in words.keys() {
            probes.push(format!("{w}a"));
            probes.push(format!("q{w}"));
            probes.push(w.to_uppercase());
            probes.push(w.chars().skip(1).collect());
            probes.push(w.chars().rev().collect());
        }
        for p in &probes {
            let want = words.get(p.as_str()).copied().unwrap_or(0);
            assert_eq!(t.get(p), want, "{p:?}");
        }
        assert!(t.long.len() < words.len() / 10, "most words are short");
    }

    #[test]
    fn counts_words_and_markers() {
        let m = count("Saya tidak boleh datang kerana hujan, sahaja.");
        assert_eq!((m.words, m.zsm, m.ind), (7, 5, 0), "boleh is weak");
        let m = count("Saya tidak bisa datang karena hujan saja.");
        assert_eq!((m.zsm, m.ind), (0, 6));
        assert_eq!(count("aktiviti universiti").zsm, 4);
        assert_eq!(count("aktivitas meneliti").ind, 2);
        assert_eq!(count("Kula ora ngerti").jav, 3);
        assert_eq!(count("Abdi teu acan").sun, 3);
        assert_eq!(count("").words, 0);
    }

    #[test]
    fn lists_do_not_overlap_where_they_are_contrasted() {
        let zsm: Vec<&str> = ZSM.iter().chain(ZSM_WEAK).copied().collect();
        let ind: Vec<&str> = IND.iter().chain(IND_WEAK).copied().collect();
        for w in &zsm {
            assert!(!ind.contains(w), "{w} in zsm and ind");
        }
        for w in ZSM_WEAK {
            assert!(!ZSM.contains(w), "{w} strong and weak");
        }
        for w in TGL {
            assert!(!CEB.contains(w), "{w} in tgl and ceb");
        }
    }
}
