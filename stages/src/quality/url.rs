//! URL filter: a blocklist of domains (a domain blocks its subdomains) and a short list of
//! unambiguous adult words matched against the URL's alphanumeric tokens (so `sussex.ac.uk`
//! is not `sex`). Both are off unless configured.

use std::collections::HashSet;
use std::path::Path;

use super::QualityError;

/// Adult terms (English and the SEA-web slang for them), matched as whole URL tokens.
const ADULT_WORDS: &[&str] = &[
    "porn",
    "porno",
    "pornhub",
    "xxx",
    "xnxx",
    "xvideos",
    "redtube",
    "youporn",
    "sex",
    "hentai",
    "nude",
    "nudes",
    "milf",
    "camgirl",
    "bokep",
    "ngentot",
    "memek",
    "jilbabsex",
    "phimsex",
    "sexviet",
    "kolkhmer",
];

pub struct UrlFilter {
    blocked: HashSet<String>,
    adult_words: bool,
}

impl UrlFilter {
    /// Blocklist file: one domain per line, `#` comments and blank lines ignored.
    pub fn new(blocklist: Option<&Path>, adult_words: bool) -> Result<UrlFilter, QualityError> {
        let mut blocked = HashSet::new();
        if let Some(path) = blocklist {
            let text = std::fs::read_to_string(path).map_err(|e| QualityError::Read {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
            blocked.extend(
                text.lines()
                    .map(|l| l.split('#').next().unwrap_or("").trim().to_lowercase())
                    .filter(|l| !l.is_empty()),
            );
        }
        Ok(UrlFilter {
            blocked,
            adult_words,
        })
    }

    /// `Some(reason)` when `url` must be dropped.
    pub fn check(&self, url: &str) -> Option<&'static str> {
        let lower = url.to_lowercase();
        let host = host(&lower);
        let mut domain = host;
        loop {
            if self.blocked.contains(domain) {
                return Some(super::reason::URL_BLOCKLIST);
            }
            match domain.split_once('.') {
                Some((_, parent)) if parent.contains('.') => domain = parent,
                _ => break,
            }
        }
        let adult = self.adult_words
            && lower
                .split(|c: char| !c.is_alphanumeric())
                .any(|t| ADULT_WORDS.contains(&t));
        adult.then_some(super::reason::URL_ADULT)
    }
}

fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = authority.split(':').next().unwrap_or(authority);
    host.strip_prefix("www.").unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn blocklist_blocks_domain_and_subdomains() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "# spam\nbad.example\n").unwrap();
        let filter = UrlFilter::new(Some(f.path()), false).unwrap();
        assert_eq!(
            filter.check("https://news.bad.example/a"),
            Some("url:blocklist")
        );
        assert_eq!(
            filter.check("http://bad.example:8080/"),
            Some("url:blocklist")
        );
        assert_eq!(filter.check("https://notbad.example/"), None);
    }

    #[test]
    fn adult_words_match_whole_tokens() {
        let filter = UrlFilter::new(None, true).unwrap();
        assert_eq!(
            filter.check("https://x.com/video-bokep-baru"),
            Some("url:adult")
        );
        assert_eq!(filter.check("https://www.sussex.ac.uk/news"), None);
        let off = UrlFilter::new(None, false).unwrap();
        assert_eq!(off.check("https://x.com/video-bokep-baru"), None);
    }

    #[test]
    fn missing_blocklist_names_the_file() {
        let e = UrlFilter::new(Some(Path::new("/no/such/list.txt")), false)
            .err()
            .unwrap();
        assert!(e.to_string().contains("/no/such/list.txt"), "{e}");
    }
}
