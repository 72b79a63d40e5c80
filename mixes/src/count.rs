//! Unique tokens of a source from its files: the sum of the `tokens` column.
//!
//! Design decision: read only the `tokens` and `lang` columns (Parquet projection, JSONL
//! fields), one file at a time, so counting a corpus needs memory for one batch; with a
//! source `lang`, only rows of that language count.

use std::path::{Path, PathBuf};

use docs_io::IoError;
use stages::tokens::TokenCounter;

use crate::config::{MixConfig, SourceConfig};
use crate::MixError;

/// Unique tokens per source, in config order: declared, or summed from `files` whose globs
/// are relative to `base_dir` — their `tokens` column, or with `counter`, their `text`
/// counted with the mix's tokenizer.
pub fn unique_tokens(
    config: &MixConfig,
    base_dir: &Path,
    counter: Option<&TokenCounter>,
) -> Result<Vec<u64>, MixError> {
    config
        .sources
        .iter()
        .map(|s| match s.unique_tokens {
            Some(n) => Ok(n),
            None => count_source(s, base_dir, counter),
        })
        .collect()
}

fn count_source(
    source: &SourceConfig,
    base_dir: &Path,
    counter: Option<&TokenCounter>,
) -> Result<u64, MixError> {
    let mut total = 0;
    for path in source_files(source, base_dir)? {
        let lang = source.lang.as_deref();
        let counted = match counter {
            Some(c) => count_text(&path, lang, c),
            None => count_file(&path, lang),
        };
        total += counted.map_err(|e| MixError::Read {
            source_name: source.name.clone(),
            source: e,
        })?;
    }
    Ok(total)
}

/// Tokens of the `text` of every row of one file (of `lang`, if given), counted with
/// `counter`; only `text` and `lang` are read.
pub fn count_text(path: &Path, lang: Option<&str>, counter: &TokenCounter) -> Result<u64, IoError> {
    let mut total = 0;
    docs_io::for_each_row(path, Some(&["text", "lang"]), |row| {
        if let Some(want) = lang {
            row.require("lang")?;
            if row.str("lang")?.as_deref() != Some(want) {
                return Ok(());
            }
        }
        row.require("text")?;
        total += u64::from(counter.count(&row.str("text")?.unwrap_or_default()));
        Ok::<_, IoError>(())
    })?;
    Ok(total)
}

/// The files of a source: its globs (relative to `base_dir`) expanded, in glob order; an
/// error when none matches.
pub fn source_files(source: &SourceConfig, base_dir: &Path) -> Result<Vec<PathBuf>, MixError> {
    let err = |message: String| MixError::Count {
        source_name: source.name.clone(),
        message,
    };
    let mut files = Vec::new();
    for pattern in &source.files {
        let full = base_dir.join(pattern);
        let paths = glob::glob(&full.to_string_lossy())
            .map_err(|e| err(format!("glob \"{pattern}\": {e}")))?;
        for path in paths {
            files.push(path.map_err(|e| err(e.to_string()))?);
        }
    }
    if files.is_empty() {
        return Err(err(format!("no file matches {:?}", source.files)));
    }
    Ok(files)
}

/// Sum of `tokens` over the rows of one Parquet or JSONL file (of `lang`, if given); only the
/// `tokens` and `lang` columns are read. A file without `tokens` is an error; a null count
/// counts 0.
pub fn count_file(path: &Path, lang: Option<&str>) -> Result<u64, IoError> {
    let mut total = 0;
    docs_io::for_each_row(path, Some(&["tokens", "lang"]), |row| {
        if !row.has("tokens") {
            return Err(IoError::Input {
                path: path.to_path_buf(),
                message: format!("row {}: no \"tokens\" column", row.index),
            });
        }
        if let Some(want) = lang {
            row.require("lang")?;
            if row.str("lang")?.as_deref() != Some(want) {
                return Ok(());
            }
        }
        total += row.uint("tokens")?.unwrap_or(0);
        Ok(())
    })?;
    Ok(total)
}
