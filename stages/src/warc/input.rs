//! Opening inputs as byte streams and expanding input specs to a list of files/URLs.
//!
//! Compression is recognised by magic bytes, never by file name, and gzip is read as
//! multi-member (Common Crawl writes one member per record), member by member (see
//! [`super::gz`]).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;

use super::IngestError;
use docs_io::store::{self, StoreUrl};

/// Prepended to the relative keys of a `warc.paths` list when no prefix is given.
pub const DEFAULT_PATHS_PREFIX: &str = "https://data.commoncrawl.org/";

const RAW_BUF: usize = 256 << 10;

/// Open a local path, an `http(s)://` URL (streamed), an object-store URL (`s3://`, `gs://`,
/// streamed through `docs_io::store`; `s3://commoncrawl/<key>` without S3 credentials is read
/// from `https://data.commoncrawl.org/<key>`), gunzipping when the bytes start with the gzip
/// magic.
pub fn open_input(input: &str) -> Result<Box<dyn BufRead + Send>, IngestError> {
    let (raw, name): (Box<dyn Read + Send>, String) = match route(input) {
        Route::Http(url) => (fetch(&url)?, url),
        Route::Store => (store::open(input)?, input.to_string()),
        Route::Local => (open_file(input)?, input.to_string()),
    };
    decompressing(raw).map_err(|source| IngestError::Open { path: name, source })
}

fn is_url(s: &str) -> bool {
    ["http://", "https://", "s3://", "gs://"]
        .iter()
        .any(|p| s.starts_with(p))
}

enum Route {
    Http(String),
    Store,
    Local,
}

/// Where an input is read from: http(s) as it is, Common Crawl's bucket over its public https
/// mirror unless S3 is configured here, other `s3://` and `gs://` URLs through the store.
fn route(input: &str) -> Route {
    if input.starts_with("http://") || input.starts_with("https://") {
        return Route::Http(input.to_string());
    }
    if let Some(key) = input.strip_prefix("s3://commoncrawl/") {
        if !store::s3_configured() {
            return Route::Http(format!("{DEFAULT_PATHS_PREFIX}{key}"));
        }
    }
    if StoreUrl::parse(input).is_some() {
        Route::Store
    } else {
        Route::Local
    }
}

fn fetch(url: &str) -> Result<Box<dyn Read + Send>, IngestError> {
    let response = ureq::get(url).call().map_err(|e| IngestError::Fetch {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    Ok(Box::new(response.into_body().into_reader()))
}

fn open_file(path: &str) -> Result<Box<dyn Read + Send>, IngestError> {
    let open_err = |source| IngestError::Open {
        path: path.to_string(),
        source,
    };
    let file = File::open(path).map_err(open_err)?;
    if file.metadata().map_err(open_err)?.is_dir() {
        return Err(open_err(io::Error::other("it is a folder, not a file")));
    }
    Ok(Box::new(file))
}

/// Peek at the first two bytes and put a multi-member gzip decoder in front if they are the
/// gzip magic.
fn decompressing(mut raw: Box<dyn Read + Send>) -> io::Result<Box<dyn BufRead + Send>> {
    let mut magic = [0u8; 2];
    let mut n = 0;
    while n < 2 {
        match raw.read(&mut magic[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let stream = Cursor::new(magic[..n].to_vec()).chain(raw);
    if magic[..n] == [0x1f, 0x8b] {
        Ok(Box::new(super::gz::MultiGz::new(Box::new(stream))?))
    } else {
        Ok(Box::new(BufReader::with_capacity(RAW_BUF, stream)))
    }
}

/// Expand input specs, in order: URLs pass through; globs expand (sorted); folders give their
/// `*.warc` / `*.warc.gz` files (sorted); a file named `*.paths` / `*.paths.gz` (local or URL)
/// is a list of keys, one per line, each prefixed with `prefix` (default
/// [`DEFAULT_PATHS_PREFIX`]); any other existing file is itself.
pub fn expand_inputs(specs: &[String], prefix: Option<&str>) -> Result<Vec<String>, IngestError> {
    let mut out = Vec::new();
    for spec in specs {
        if is_paths_list(spec) && (is_url(spec) || Path::new(spec).is_file()) {
            let default = match (StoreUrl::parse(spec), route(spec)) {
                (Some(u), Route::Store) => u.bucket_root(),
                _ => DEFAULT_PATHS_PREFIX.to_string(),
            };
            out.extend(read_paths_list(spec, prefix.unwrap_or(&default))?);
        } else if StoreUrl::parse(spec).is_some() {
            out.extend(expand_store(spec)?);
        } else if is_url(spec) {
            out.push(spec.clone());
        } else if spec.contains(['*', '?', '[']) {
            let before = out.len();
            for path in glob_sorted(spec)? {
                if Path::new(&path).is_dir() {
                    out.extend(warc_files_in(&path)?); // a folder the glob matched may be empty
                } else {
                    expand_local(&path, prefix, &mut out)?;
                }
            }
            if out.len() == before {
                return Err(IngestError::NoMatch { glob: spec.clone() });
            }
        } else {
            expand_local(spec, prefix, &mut out)?;
        }
    }
    Ok(out)
}

/// An object-store spec: a key as it is; a glob (`*`, `?`, `[`) matched against the keys
/// listed under its literal prefix; a folder-like prefix ending in `/` gives its `.warc` /
/// `.warc.gz` objects. Sorted, like local globs.
fn expand_store(spec: &str) -> Result<Vec<String>, IngestError> {
    let is_warc = |k: &str| {
        let k = k.to_lowercase();
        k.ends_with(".warc") || k.ends_with(".warc.gz")
    };
    if let Some(at) = spec.find(['*', '?', '[']) {
        let pattern = glob::Pattern::new(spec).map_err(|e| IngestError::BadGlob {
            glob: spec.to_string(),
            message: e.to_string(),
        })?;
        let folder = &spec[..spec[..at].rfind('/').map_or(at, |i| i + 1)];
        let options = glob::MatchOptions {
            require_literal_separator: true,
            ..Default::default()
        };
        let found: Vec<String> = store::list(folder)?
            .into_iter()
            .filter(|k| pattern.matches_with(k, options))
            .collect();
        if found.is_empty() {
            return Err(IngestError::NoMatch {
                glob: spec.to_string(),
            });
        }
        Ok(found)
    } else if spec.ends_with('/') {
        let found: Vec<String> = store::list(spec)?
            .into_iter()
            .filter(|k| is_warc(k))
            .collect();
        if found.is_empty() {
            return Err(IngestError::EmptyFolder {
                path: spec.to_string(),
            });
        }
        Ok(found)
    } else {
        Ok(vec![spec.to_string()])
    }
}

fn is_paths_list(spec: &str) -> bool {
    spec.ends_with(".paths") || spec.ends_with(".paths.gz")
}

fn expand_local(
    path: &str,
    prefix: Option<&str>,
    out: &mut Vec<String>,
) -> Result<(), IngestError> {
    let p = Path::new(path);
    if p.is_dir() {
        let found = warc_files_in(path)?;
        if found.is_empty() {
            return Err(IngestError::EmptyFolder {
                path: path.to_string(),
            });
        }
        out.extend(found);
    } else if !p.exists() {
        return Err(IngestError::NotFound {
            path: path.to_string(),
        });
    } else if is_paths_list(path) {
        out.extend(read_paths_list(
            path,
            prefix.unwrap_or(DEFAULT_PATHS_PREFIX),
        )?);
    } else {
        out.push(path.to_string());
    }
    Ok(())
}

fn glob_sorted(pattern: &str) -> Result<Vec<String>, IngestError> {
    let paths = glob::glob(pattern).map_err(|e| IngestError::BadGlob {
        glob: pattern.to_string(),
        message: e.to_string(),
    })?;
    let mut found: Vec<String> = paths
        .filter_map(Result::ok)
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if found.is_empty() {
        return Err(IngestError::NoMatch {
            glob: pattern.to_string(),
        });
    }
    found.sort();
    Ok(found)
}

fn warc_files_in(dir: &str) -> Result<Vec<String>, IngestError> {
    let open_err = |source| IngestError::Open {
        path: dir.to_string(),
        source,
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(open_err)? {
        let path = entry.map_err(open_err)?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if path.is_file() && (name.ends_with(".warc") || name.ends_with(".warc.gz")) {
            found.push(path.to_string_lossy().into_owned());
        }
    }
    found.sort();
    Ok(found)
}

/// One key per line (blank lines and `#` comments skipped); keys that are already URLs are
/// kept as they are.
fn read_paths_list(list: &str, prefix: &str) -> Result<Vec<String>, IngestError> {
    let reader = open_input(list)?;
    let mut out = Vec::new();
    for line in reader.lines() {
        let line = line.map_err(|source| IngestError::Read {
            name: list.to_string(),
            source,
        })?;
        let key = line.trim();
        if key.is_empty() || key.starts_with('#') {
            continue;
        }
        if is_url(key) {
            out.push(key.to_string());
        } else {
            out.push(format!(
                "{}/{}",
                prefix.trim_end_matches('/'),
                key.trim_start_matches('/')
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_crawl_goes_over_https_unless_s3_is_configured() {
        if store::s3_configured() {
            return; // this environment points S3 somewhere: the mapping does not apply
        }
        let Route::Http(url) = route("s3://commoncrawl/crawl-data/CC-MAIN-2024-10/warc.paths.gz")
        else {
            panic!("not mapped to https")
        };
        assert_eq!(
            url,
            "https://data.commoncrawl.org/crawl-data/CC-MAIN-2024-10/warc.paths.gz"
        );
        assert!(matches!(route("s3://my-bucket/x.warc.gz"), Route::Store));
        assert!(matches!(route("gs://b/x.warc.gz"), Route::Store));
        assert!(matches!(route("x.warc.gz"), Route::Local));
    }
}
