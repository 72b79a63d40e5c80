//! What the Hugging Face Hub reads from a card's front matter beyond names and tags: the
//! license fields, the `configs` (which files make which subset) and `dataset_info` (their
//! features, rows and bytes), written to the Hub's dataset-card metadata spec
//! (`hub-docs/datasetcard.md`).
//!
//! Design decision: configs and `dataset_info` come from one list of [`HubConfig`]s, built
//! from the files a job actually wrote, so the two can never disagree and `datasets` can
//! check its split sizes against them.

use crate::yaml::{yaml_str, FrontMatter};

/// A license as the Hub's metadata states it. A license the Hub does not know is `other`,
/// and then needs a `license_name` and a `license_link`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
    /// A Hub license id (`odc-by`, `cc-by-4.0`, `apache-2.0`) or `other`.
    pub id: String,
    /// For `other`: an id for it (`my-license-1.0`).
    pub name: Option<String>,
    /// For `other`: a URL, or a file in the dataset repository.
    pub link: Option<String>,
}

/// `license_name` of `other` when the config names none: the texts stay their publishers'.
pub const DEFAULT_OTHER_NAME: &str = "publishers-terms";
/// `license_link` of `other` when the config gives none: the card's own License section.
pub const DEFAULT_OTHER_LINK: &str = "README.md";

impl Default for License {
    fn default() -> Self {
        License::other()
    }
}

impl License {
    /// `other`, explained by the card's License section.
    pub fn other() -> Self {
        License {
            id: "other".into(),
            name: None,
            link: None,
        }
    }

    /// A license from its id (name and link apply to `other` only).
    pub fn new(id: &str, name: Option<&str>, link: Option<&str>) -> Self {
        License {
            id: id.to_string(),
            name: name.map(str::to_string),
            link: link.map(str::to_string),
        }
    }

    pub fn is_other(&self) -> bool {
        self.id == "other"
    }

    /// `license:` and, for `other`, `license_name:` and `license_link:`.
    pub fn front(&self, y: FrontMatter) -> FrontMatter {
        let y = y.scalar("license", &self.id);
        if !self.is_other() {
            return y;
        }
        y.scalar(
            "license_name",
            self.name.as_deref().unwrap_or(DEFAULT_OTHER_NAME),
        )
        .scalar(
            "license_link",
            self.link.as_deref().unwrap_or(DEFAULT_OTHER_LINK),
        )
    }

    /// The card's `## License` section; `common_crawl` when some input came from Common
    /// Crawl (its terms of use then apply).
    pub fn section(&self, common_crawl: bool) -> String {
        let mut s = String::from("## License\n\n");
        if !self.is_other() {
            s += &format!(
                "Released under `{}` (the Hub's license id), as the configuration states.",
                self.id
            );
        } else if let Some(link) = &self.link {
            s += &format!(
                "`{}`: see <{}>.",
                self.name.as_deref().unwrap_or(DEFAULT_OTHER_NAME),
                link
            );
        } else {
            s += "The documents are text taken from web pages; each remains under its \
                  publisher's copyright and terms. seapile, which made this dataset, grants no \
                  license to them.";
        }
        if common_crawl {
            s += " Documents from Common Crawl are also subject to Common Crawl's Terms of Use \
                  (<https://commoncrawl.org/terms-of-use>).";
        }
        s += "\n";
        s
    }
}

/// A `datasets` feature: a value (`string`, `int32`, ...) or a struct of features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feature {
    Value { name: String, dtype: String },
    Struct { name: String, fields: Vec<Feature> },
}

/// One Hub config (subset): its files, its features and what they hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HubConfig {
    /// `default`, `rejected`, or a language (`ind_Latn`).
    pub name: String,
    /// Glob of its files relative to the card (`data/ind_Latn/*.parquet`).
    pub path: String,
    pub features: Vec<Feature>,
    /// Rows of the `train` split.
    pub rows: u64,
    /// The split's size as an Arrow table (`num_bytes`, `dataset_size`).
    pub num_bytes: u64,
    /// The files' size on disk (`download_size`).
    pub download_size: u64,
}

impl FrontMatter {
    /// `configs:`: each config's train split is its files (omitted when there is none).
    pub fn configs(self, configs: &[HubConfig]) -> Self {
        if configs.is_empty() {
            return self;
        }
        let mut s = String::from("configs:\n");
        for c in configs {
            s += &format!("- config_name: {}\n", yaml_str(&c.name));
            s += "  data_files:\n  - split: train\n";
            s += &format!("    path: {}\n", yaml_str(&c.path));
        }
        self.block(&s)
    }

    /// `dataset_info:`, one entry per config: features, the train split's bytes and rows,
    /// download and dataset sizes.
    pub fn dataset_info(self, configs: &[HubConfig]) -> Self {
        if configs.is_empty() {
            return self;
        }
        let mut s = String::from("dataset_info:\n");
        for c in configs {
            s += &format!("- config_name: {}\n  features:\n", yaml_str(&c.name));
            for f in &c.features {
                feature(&mut s, f, 2);
            }
            s += &format!(
                "  splits:\n  - name: train\n    num_bytes: {}\n    num_examples: {}\n",
                c.num_bytes, c.rows
            );
            s += &format!(
                "  download_size: {}\n  dataset_size: {}\n",
                c.download_size, c.num_bytes
            );
        }
        self.block(&s)
    }
}

fn feature(out: &mut String, f: &Feature, indent: usize) {
    let pad = " ".repeat(indent);
    match f {
        Feature::Value { name, dtype } => {
            *out += &format!("{pad}- name: {}\n{pad}  dtype: {}\n", yaml_str(name), dtype);
        }
        Feature::Struct { name, fields } => {
            *out += &format!("{pad}- name: {}\n{pad}  struct:\n", yaml_str(name));
            for sub in fields {
                feature(out, sub, indent + 2);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_license_gets_a_name_and_a_link() {
        let y = License::other().front(FrontMatter::new()).finish();
        assert!(
            y.contains("license: other\nlicense_name: publishers-terms\nlicense_link: README.md\n")
        );
        let y = License::new("odc-by", Some("x"), None)
            .front(FrontMatter::new())
            .finish();
        assert_eq!(y, "---\nlicense: odc-by\n---\n");
    }

    #[test]
    fn configs_and_dataset_info_agree() {
        let c = HubConfig {
            name: "ind_Latn".into(),
            path: "data/ind_Latn/*.parquet".into(),
            features: vec![
                Feature::Value {
                    name: "text".into(),
                    dtype: "string".into(),
                },
                Feature::Struct {
                    name: "metadata".into(),
                    fields: vec![Feature::Value {
                        name: "token_count".into(),
                        dtype: "int64".into(),
                    }],
                },
            ],
            rows: 3,
            num_bytes: 120,
            download_size: 900,
        };
        let y = FrontMatter::new()
            .configs(std::slice::from_ref(&c))
            .dataset_info(&[c])
            .finish();
        assert_eq!(
            y,
            "---\nconfigs:\n- config_name: ind_Latn\n  data_files:\n  - split: train\n    \
             path: \"data/ind_Latn/*.parquet\"\ndataset_info:\n- config_name: ind_Latn\n  \
             features:\n  - name: text\n    dtype: string\n  - name: metadata\n    struct:\n    \
             - name: token_count\n      dtype: int64\n  splits:\n  - name: train\n    \
             num_bytes: 120\n    num_examples: 3\n  download_size: 900\n  dataset_size: 120\n---\n"
        );
        assert_eq!(FrontMatter::new().configs(&[]).finish(), "---\n---\n");
    }
}
