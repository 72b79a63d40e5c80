//! External sort of sampled rows by their random key: sorted runs on disk, then a k-way merge.
//!
//! Design decision: a run holds whole serialized rows (not row references), so the merge
//! reads every run sequentially and never seeks back into the inputs; memory is one run's
//! buffer while writing and one buffered reader per run while merging.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One copy of one sampled row.
#[derive(Debug, Clone)]
pub struct Record {
    /// Random sort key (seeded hash).
    pub key: u64,
    /// Emission order: breaks key ties deterministically.
    pub seq: u64,
    /// Index of the source in the config.
    pub source: u32,
    /// Which copy of the row (0 = first epoch).
    pub epoch: u32,
    /// The row as JSON (`Doc`), shared by the copies of a row.
    pub payload: Arc<Vec<u8>>,
}

impl Record {
    fn order(&self) -> (u64, u64) {
        (self.key, self.seq)
    }
}

/// Buffers records and spills them as sorted run files once `limit_bytes` is reached.
pub struct RunWriter {
    dir: PathBuf,
    limit_bytes: usize,
    buffer: Vec<Record>,
    bytes: usize,
    runs: Vec<PathBuf>,
}

impl RunWriter {
    /// Runs go to `dir` (created).
    pub fn new(dir: &Path, limit_bytes: usize) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(RunWriter {
            dir: dir.to_path_buf(),
            limit_bytes: limit_bytes.max(1),
            buffer: Vec::new(),
            bytes: 0,
            runs: Vec::new(),
        })
    }

    /// Add one record; spills a run when the buffer is full.
    pub fn push(&mut self, record: Record) -> std::io::Result<()> {
        self.bytes += record.payload.len() + 24;
        self.buffer.push(record);
        if self.bytes >= self.limit_bytes {
            self.spill()?;
        }
        Ok(())
    }

    /// Spill what is buffered and return the run files.
    pub fn finish(mut self) -> std::io::Result<Vec<PathBuf>> {
        self.spill()?;
        Ok(self.runs)
    }

    fn spill(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.buffer.sort_unstable_by_key(Record::order);
        let path = self.dir.join(format!("run-{:05}.bin", self.runs.len()));
        let mut out = BufWriter::new(File::create(&path)?);
        for r in self.buffer.drain(..) {
            out.write_all(&r.key.to_le_bytes())?;
            out.write_all(&r.seq.to_le_bytes())?;
            out.write_all(&r.source.to_le_bytes())?;
            out.write_all(&r.epoch.to_le_bytes())?;
            out.write_all(&(r.payload.len() as u64).to_le_bytes())?;
            out.write_all(&r.payload)?;
        }
        out.flush()?;
        self.runs.push(path);
        self.bytes = 0;
        Ok(())
    }
}

fn read_record(input: &mut impl Read) -> std::io::Result<Option<Record>> {
    let mut head = [0u8; 32];
    match input.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let word = |a: usize, b: usize| {
        head[a..b]
            .iter()
            .rev()
            .fold(0u64, |v, &x| v << 8 | x as u64)
    };
    let len = word(24, 32) as usize;
    let mut payload = vec![0u8; len];
    input.read_exact(&mut payload)?;
    Ok(Some(Record {
        key: word(0, 8),
        seq: word(8, 16),
        source: word(16, 20) as u32,
        epoch: word(20, 24) as u32,
        payload: Arc::new(payload),
    }))
}

/// Visit every record of `runs` in (key, seq) order.
pub fn merge(
    runs: &[PathBuf],
    each: &mut dyn FnMut(Record) -> Result<(), String>,
) -> Result<(), String> {
    let io = |p: &Path, e: std::io::Error| format!("run file \"{}\": {e}", p.display());
    let mut readers = Vec::with_capacity(runs.len());
    let mut heap = BinaryHeap::new();
    let mut heads = Vec::with_capacity(runs.len());
    for (i, path) in runs.iter().enumerate() {
        let file = File::open(path).map_err(|e| io(path, e))?;
        let mut reader = BufReader::with_capacity(256 << 10, file);
        let head = read_record(&mut reader).map_err(|e| io(path, e))?;
        if let Some(r) = &head {
            heap.push(Reverse((r.order(), i)));
        }
        heads.push(head);
        readers.push(reader);
    }
    while let Some(Reverse((_, i))) = heap.pop() {
        let next = read_record(&mut readers[i]).map_err(|e| io(&runs[i], e))?;
        if let Some(r) = &next {
            heap.push(Reverse((r.order(), i)));
        }
        if let Some(record) = std::mem::replace(&mut heads[i], next) {
            each(record)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_of_spilled_runs_is_sorted_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = RunWriter::new(dir.path(), 200).unwrap();
        let keys: Vec<u64> = (0..100u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9) % 97)
            .collect();
        for (seq, &key) in keys.iter().enumerate() {
            let payload = Arc::new(format!("row{seq}").into_bytes());
            let (seq, source, epoch) = (seq as u64, 1, 2);
            w.push(Record {
                key,
                seq,
                source,
                epoch,
                payload,
            })
            .unwrap();
        }
        let runs = w.finish().unwrap();
        assert!(runs.len() > 3, "{} runs", runs.len());
        let mut seen = Vec::new();
        merge(&runs, &mut |r| {
            assert_eq!((r.source, r.epoch), (1, 2));
            assert_eq!(r.payload.as_slice(), format!("row{}", r.seq).as_bytes());
            seen.push(r.order());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen.len(), 100);
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
    }
}
