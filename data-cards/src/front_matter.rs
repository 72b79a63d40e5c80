//! The YAML front matter: the Hub's dataset metadata, written line by line with every string
//! passed through [`yaml_str`] so no value can change the structure.

use crate::hub::License;
use crate::langs::hub_languages;
use crate::yaml::{yaml_str, FrontMatter};
use crate::CardInput;

/// Tags every seapile run card carries; `common-crawl` is added when an input came from it.
pub const TAGS: [&str; 2] = ["seapile", "southeast-asia"];

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
    pub license: &'a License,
    /// ISO 639-3 codes; `None` omits the `language` key.
    pub languages: Option<&'a [String]>,
    pub rows: u64,
    pub tags: &'a [&'a str],
    pub data_files: &'a str,
}

/// `---`-delimited YAML for a run's card: names, license, languages, the Hub's task and
/// source fields, one config per written subset and their `dataset_info`.
pub fn render(card: &CardInput) -> String {
    let mut tags: Vec<&str> = TAGS.to_vec();
    if card.common_crawl() {
        tags.insert(1, "common-crawl");
    }
    let y = FrontMatter::new().scalar("pretty_name", &card.title());
    let y = card.license.front(y);
    languages(y, &card.languages)
        .raw_list("annotations_creators", &["machine-generated"])
        .raw_list("language_creators", &["found"])
        .raw_list("source_datasets", &["original"])
        .raw_list("task_categories", &["text-generation"])
        .raw_list("task_ids", &["language-modeling"])
        .list("size_categories", &[size_category(card.run.docs_out)])
        .list("tags", &tags)
        .configs(&card.configs)
        .dataset_info(&card.configs)
        .finish()
}

/// `language:` and `multilinguality:`, or neither when there is no language.
fn languages<S: AsRef<str>>(y: FrontMatter, codes: &[S]) -> FrontMatter {
    let hub = hub_languages(codes);
    if hub.is_empty() {
        return y;
    }
    let multi = if hub.len() > 1 {
        "multilingual"
    } else {
        "monolingual"
    };
    y.list("language", &hub)
        .raw_list("multilinguality", &[multi])
}

/// `---`-delimited YAML for `m`.
pub(crate) fn render_meta(m: &Meta) -> String {
    let y = FrontMatter::new().scalar("pretty_name", m.pretty_name);
    let mut y = m.license.front(y);
    if let Some(langs) = m.languages {
        y = languages(y, langs);
    }
    y.raw_list("task_categories", &["text-generation"])
        .raw_list("task_ids", &["language-modeling"])
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
    fn empty_language_list_is_left_out() {
        let m = Meta {
            pretty_name: "x",
            license: &License::other(),
            languages: Some(&[]),
            rows: 0,
            tags: &[],
            data_files: "data/*.parquet",
        };
        let y = render_meta(&m);
        assert!(
            !y.contains("\nlanguage:"),
            "no language key when there is none: {y}"
        );
        assert!(y.contains("license_name:"), "{y}");
    }
}
