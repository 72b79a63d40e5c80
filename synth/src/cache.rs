//! The request cache that makes a run resumable: every answered request is stored under a hash
//! of (model, prompt, sampling, seed, sample index). Entries are appended one batch per line to
//! a file of this process's own; a line cut short by a kill is ignored on load, so its whole
//! batch is asked again — with the same composition, which keeps batched engines deterministic.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::{Generation, Sampling};

/// The key of one request.
pub fn key(model: &str, prompt: &str, sampling: &Sampling, seed: u64, sample: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        model,
        prompt,
        &serde_json::to_string(sampling).expect("sampling serialises"),
        &seed.to_string(),
        sample,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
    generation: Generation,
}

pub struct Cache {
    dir: PathBuf,
    entries: HashMap<String, Generation>,
    file: Option<std::fs::File>,
    /// Lines that did not parse on load (a kill mid-write): their batches are asked again.
    pub torn_lines: usize,
}

impl Cache {
    /// Open (create) the cache in `dir`, loading every `*.jsonl` there.
    pub fn open(dir: &Path) -> std::io::Result<Cache> {
        std::fs::create_dir_all(dir)?;
        let mut entries = HashMap::new();
        let mut torn_lines = 0;
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        files.sort();
        for path in files {
            let reader = std::io::BufReader::new(std::fs::File::open(&path)?);
            for line in reader.split(b'\n') {
                let line = line?;
                match serde_json::from_slice::<Vec<Entry>>(&line) {
                    Ok(batch) => {
                        for e in batch {
                            entries.insert(e.key, e.generation);
                        }
                    }
                    Err(_) => torn_lines += 1,
                }
            }
        }
        Ok(Cache {
            dir: dir.to_path_buf(),
            entries,
            file: None,
            torn_lines,
        })
    }

    pub fn get(&self, key: &str) -> Option<&Generation> {
        self.entries.get(key)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A file of this process's own, never one that exists: two caches opened in the same
    /// millisecond by the same process (or a reused pid) must not append to each other's file,
    /// where a torn last line would swallow the next batch.
    fn new_file(&self) -> std::io::Result<std::fs::File> {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        let pid = std::process::id();
        for n in 0u32.. {
            let name = format!("{millis}-{pid}-{n}.jsonl");
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(self.dir.join(name))
            {
                Ok(f) => return Ok(f),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        unreachable!("u32 file names exhausted")
    }

    /// Store one batch as one line, flushed to the OS before returning.
    pub fn put_batch(&mut self, batch: Vec<(String, Generation)>) -> std::io::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        if self.file.is_none() {
            self.file = Some(self.new_file()?);
        }
        let entries: Vec<Entry> = batch
            .into_iter()
            .map(|(key, generation)| Entry { key, generation })
            .collect();
        let mut line = serde_json::to_vec(&entries).expect("entries serialise");
        line.push(b'\n');
        // The file is this cache's own (created new), so no torn line can precede this one.
        let file = self.file.as_mut().expect("opened above");
        file.write_all(&line)?;
        file.flush()?;
        for e in entries {
            self.entries.insert(e.key, e.generation);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Finish;

    #[test]
    fn torn_lines_are_ignored_and_batches_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let g = Generation {
            text: "Apa itu?".into(),
            finish: Finish::Stop,
            tokens: 3,
        };
        let s = Sampling::default();
        let k1 = key("m", "p", &s, 1, "ind-0");
        let k2 = key("m", "p", &s, 2, "ind-1");
        assert_ne!(k1, k2);
        {
            let mut c = Cache::open(dir.path()).unwrap();
            c.put_batch(vec![(k1.clone(), g.clone())]).unwrap();
        }
        // A kill in the middle of the next batch's line.
        let file = std::fs::read_dir(dir.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap();
        f.write_all(br#"[{"key":"abc","generation":{"te"#).unwrap();
        drop(f);
        let mut c = Cache::open(dir.path()).unwrap();
        assert_eq!(c.torn_lines, 1);
        assert_eq!(c.get(&k1), Some(&g));
        c.put_batch(vec![(k2.clone(), g.clone())]).unwrap();
        // Each opened cache writes a file of its own, however fast the reopen.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        let c = Cache::open(dir.path()).unwrap();
        assert_eq!((c.len(), c.torn_lines), (2, 1));
    }
}
