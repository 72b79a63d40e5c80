//! External sort of `(key, doc)` records. The design decision: writers keep at most a fixed
//! number of records in memory, spilling each full buffer as a sorted run file; readers
//! k-way merge any number of runs (from any number of shards) with a heap, so memory is
//! bounded by the buffer plus one record per open run, never by the input size.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::DedupError;

/// One sortable record: a 128-bit key (band value or content hash) and a document number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Record {
    pub key: u128,
    pub doc: u64,
}

const RECORD_BYTES: usize = 24;

impl Record {
    fn to_bytes(self) -> [u8; RECORD_BYTES] {
        let mut b = [0u8; RECORD_BYTES];
        b[..16].copy_from_slice(&self.key.to_le_bytes());
        b[16..].copy_from_slice(&self.doc.to_le_bytes());
        b
    }

    fn from_bytes(b: &[u8; RECORD_BYTES]) -> Self {
        let mut key = [0u8; 16];
        let mut doc = [0u8; 8];
        key.copy_from_slice(&b[..16]);
        doc.copy_from_slice(&b[16..]);
        Record {
            key: u128::from_le_bytes(key),
            doc: u64::from_le_bytes(doc),
        }
    }
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DedupError + '_ {
    move |source| DedupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Collects records and spills them as sorted runs `PREFIX.run<k>` whenever `capacity`
/// records are buffered.
pub struct RunWriter {
    prefix: PathBuf,
    capacity: usize,
    buf: Vec<Record>,
    runs: Vec<PathBuf>,
}

impl RunWriter {
    pub fn new(prefix: PathBuf, capacity: usize) -> Self {
        RunWriter {
            prefix,
            capacity: capacity.max(1),
            buf: Vec::new(),
            runs: Vec::new(),
        }
    }

    pub fn push(&mut self, r: Record) -> Result<(), DedupError> {
        self.buf.push(r);
        if self.buf.len() >= self.capacity {
            self.spill()?;
        }
        Ok(())
    }

    /// Records buffered now.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Sort the buffer and write it as the next run.
    pub fn spill(&mut self) -> Result<(), DedupError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.buf.sort_unstable();
        let path = PathBuf::from(format!("{}.run{}", self.prefix.display(), self.runs.len()));
        write_records(&path, &self.buf)?;
        self.buf.clear();
        self.runs.push(path);
        Ok(())
    }

    /// Spill what is left; the run files written.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, DedupError> {
        self.spill()?;
        Ok(self.runs)
    }
}

fn write_records(path: &Path, records: &[Record]) -> Result<(), DedupError> {
    let mut w = BufWriter::new(File::create(path).map_err(io_err(path))?);
    for r in records {
        w.write_all(&r.to_bytes()).map_err(io_err(path))?;
    }
    w.flush().map_err(io_err(path))
}

/// Reads records from one run file in order.
pub struct RunReader {
    path: PathBuf,
    r: BufReader<File>,
}

impl RunReader {
    pub fn open(path: &Path) -> Result<Self, DedupError> {
        let f = File::open(path).map_err(io_err(path))?;
        Ok(RunReader {
            path: path.to_path_buf(),
            r: BufReader::with_capacity(64 << 10, f),
        })
    }

    pub fn next_record(&mut self) -> Result<Option<Record>, DedupError> {
        let mut b = [0u8; RECORD_BYTES];
        match self.r.read_exact(&mut b) {
            Ok(()) => Ok(Some(Record::from_bytes(&b))),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(io_err(&self.path)(e)),
        }
    }
}

/// K-way merge of sorted runs into one sorted stream.
pub struct Merge {
    readers: Vec<RunReader>,
    heap: BinaryHeap<Reverse<(Record, usize)>>,
}

impl Merge {
    pub fn open(paths: &[PathBuf]) -> Result<Self, DedupError> {
        let mut readers = paths
            .iter()
            .map(|p| RunReader::open(p))
            .collect::<Result<Vec<_>, _>>()?;
        let mut heap = BinaryHeap::new();
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some(rec) = r.next_record()? {
                heap.push(Reverse((rec, i)));
            }
        }
        Ok(Merge { readers, heap })
    }

    pub fn next_record(&mut self) -> Result<Option<Record>, DedupError> {
        let Some(Reverse((rec, i))) = self.heap.pop() else {
            return Ok(None);
        };
        if let Some(next) = self.readers[i].next_record()? {
            self.heap.push(Reverse((next, i)));
        }
        Ok(Some(rec))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_small_runs_merge_into_one_sorted_stream() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = RunWriter::new(dir.path().join("band0"), 7);
        let mut all = Vec::new();
        for i in 0..100u64 {
            let r = Record {
                key: ((i * 7919) % 13) as u128,
                doc: i,
            };
            all.push(r);
            w.push(r).unwrap();
        }
        let runs = w.finish().unwrap();
        assert_eq!(runs.len(), 15);
        let mut m = Merge::open(&runs).unwrap();
        let mut got = Vec::new();
        while let Some(r) = m.next_record().unwrap() {
            got.push(r);
        }
        all.sort();
        assert_eq!(got, all);
    }
}
