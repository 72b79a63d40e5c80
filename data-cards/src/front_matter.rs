//! The YAML front matter: the Hub's dataset metadata, written line by line with every string
//! passed through [`yaml_str`] so no value can change the structure.

use crate::langs::hub_languages;
use crate::yaml::{yaml_str, FrontMatter};
use crate::CardInput;

/// Tags every seapile card carries.
pub const TAGS: [&str; 3] = ["seapile", "common-crawl", "southeast-asia"];

/// The Hub's `size_categories` bucket for a number of rows: `n<1K`, `1K<n<10K`, ...,
/// `100B<n<1T`, `n>1T`.
pub fn size_category(rows: u64) -> &'static str {
    const BUCKETS: [(u64, &str); 11] = [
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
        (100_000_000, "10M<n<100M"),
        (1_000_000_000, "100M<n<1B"),
        (10_000_000_000, "1B<n<10B"),
        (100_000_000_000, "10B<n<100B"),
        (1_000_000_000_000, "100B<n<1T"),
        (u64::MAX, "n>1T"),
    ];
    BUCKETS
        .iter()
        .find(|(limit, _)| rows < *limit)
        .map_or("n>1T", |(_, name)| name)
}

/// The values of a card's front matter, shared by the run card and the dedup card.
pub(crate) struct Meta<'a> {
    pub pretty_name: &'a str,
    pub license: &'a str,
    /// ISO 639-3 codes; `None` omits the `language` key.
    pub languages: Option<&'a [String]>,
    pub rows: u64,
    pub tags: &'a [&'a str],
    pub data_files: &'a str,
}

/// `---`-delimited YAML for `card`.
pub fn render(card: &CardInput) -> String {
    render_meta(&Meta {
        pretty_name: &card.pretty_name,
        license: &card.license,
        languages: Some(&card.languages),
        rows: card.run.docs_out,
        tags: &TAGS,
        data_files: &card.data_files,
    })
}

/// `---`-delimited YAML for `m`.
pub(crate) fn render_meta(m: &Meta) -> String {
    let mut y = FrontMatter::new()
        .scalar("pretty_name", m.pretty_name)
        .scalar("license", m.license);
    if let Some(langs) = m.languages {
        y = y.list("language", &hub_languages(langs));
    }
    y.list("task_categories", &["text-generation"])
        .list("size_categories", &[size_category(m.rows)])
        .list("tags", m.tags)
        .default_config(&yaml_str(m.data_files))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_category_edges() {
        assert_eq!(size_category(0), "n<1K");
        assert_eq!(size_category(999), "n<1K");
        assert_eq!(size_category(1_000), "1K<n<10K");
        assert_eq!(size_category(9_999), "1K<n<10K");
        assert_eq!(size_category(10_000), "10K<n<100K");
        assert_eq!(size_category(999_999_999_999), "100B<n<1T");
        assert_eq!(size_category(1_000_000_000_000), "n>1T");
        assert_eq!(size_category(u64::MAX), "n>1T");
    }

    #[test]
    fn empty_language_list_is_flow_syntax() {
        let m = Meta {
            pretty_name: "x",
            license: "other",
            languages: Some(&[]),
            rows: 0,
            tags: &[],
            data_files: "data/*.parquet",
        };
        assert!(render_meta(&m).contains("\nlanguage: []\n"));
    }
}
