//! HTML files on disk, for `seapile extract PATH...`: folders walked, gzip undone.

use std::io::Read;
use std::path::{Path, PathBuf};

/// HTML files under `paths` (files as given; folders walked, sorted): `.html`, `.htm`,
/// `.xhtml`, optionally gzipped. A path that does not exist is an error naming it.
pub fn html_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).map_err(|e| named(p, e))?;
            found.sort();
            files.extend(found);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("\"{}\": no such file or folder", p.display()),
            ));
        }
    }
    Ok(files)
}

fn named(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("\"{}\": {e}", path.display()))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let name = name.strip_suffix(".gz").unwrap_or(&name);
            if name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".xhtml") {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// A file's bytes, gunzipped when they start with the gzip magic bytes.
pub fn read_maybe_gz(path: &Path) -> std::io::Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|e| named(path, e))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| named(path, e))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}
