//! External sort. The design decision: a [`RunWriter`] keeps at most a fixed number of bytes
//! of records in memory, spilling each full buffer as a sorted run file (`PREFIX.run<k>`); a
//! [`Merge`] k-way merges any number of runs (from any number of writers or shards) with a
//! heap, so memory is bounded by the buffer plus one record per open run, never by the input.
//! Dedup sorts fixed-size band keys with it, mixes whole serialized rows.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use crate::IoError;

/// A record an external sort can spill and read back.
pub trait SortRecord: Sized {
    /// The order runs are sorted and merged in; records with equal keys come out in an
    /// unspecified order, so make the key total where the order matters.
    type Key: Ord;
    fn key(&self) -> Self::Key;
    /// Bytes this record takes in memory and on disk (roughly), for the spill limit.
    fn size(&self) -> usize;
    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()>;
    /// The next record, or `None` at a clean end of the run.
    fn read_from(input: &mut impl Read) -> std::io::Result<Option<Self>>;
}

/// Collects records and spills them as sorted runs `PREFIX.run<k>` whenever `limit_bytes` of
/// records are buffered.
pub struct RunWriter<T> {
    prefix: PathBuf,
    limit_bytes: usize,
    buf: Vec<T>,
    bytes: usize,
    runs: Vec<PathBuf>,
}

impl<T: SortRecord> RunWriter<T> {
    /// Runs are written as `PREFIX.run0`, `PREFIX.run1`, ... (the folder must exist).
    pub fn new(prefix: PathBuf, limit_bytes: usize) -> Self {
        RunWriter {
            prefix,
            limit_bytes: limit_bytes.max(1),
            buf: Vec::new(),
            bytes: 0,
            runs: Vec::new(),
        }
    }

    pub fn push(&mut self, r: T) -> Result<(), IoError> {
        self.bytes += r.size();
        self.buf.push(r);
        if self.bytes >= self.limit_bytes {
            self.spill()?;
        }
        Ok(())
    }

    /// Sort the buffer and write it as the next run.
    pub fn spill(&mut self) -> Result<(), IoError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.buf.sort_by_key(T::key);
        let path = PathBuf::from(format!("{}.run{}", self.prefix.display(), self.runs.len()));
        let mut w = BufWriter::new(File::create(&path).map_err(IoError::io(&path))?);
        for r in self.buf.drain(..) {
            r.write_to(&mut w).map_err(IoError::io(&path))?;
        }
        w.flush().map_err(IoError::io(&path))?;
        self.bytes = 0;
        self.runs.push(path);
        Ok(())
    }

    /// Spill what is left; the run files written.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, IoError> {
        self.spill()?;
        Ok(self.runs)
    }
}

/// K-way merge of sorted runs into one sorted stream.
pub struct Merge<T: SortRecord> {
    paths: Vec<PathBuf>,
    readers: Vec<BufReader<File>>,
    heads: Vec<Option<T>>,
    heap: BinaryHeap<Reverse<(T::Key, usize)>>,
}

impl<T: SortRecord> Merge<T> {
    pub fn open(paths: &[PathBuf]) -> Result<Self, IoError> {
        let mut merge: Merge<T> = Merge {
            paths: paths.to_vec(),
            readers: Vec::with_capacity(paths.len()),
            heads: Vec::with_capacity(paths.len()),
            heap: BinaryHeap::new(),
        };
        for (i, path) in paths.iter().enumerate() {
            let file = File::open(path).map_err(IoError::io(path))?;
            merge
                .readers
                .push(BufReader::with_capacity(256 << 10, file));
            let head = merge.read(i)?;
            if let Some(r) = &head {
                merge.heap.push(Reverse((r.key(), i)));
            }
            merge.heads.push(head);
        }
        Ok(merge)
    }

    fn read(&mut self, i: usize) -> Result<Option<T>, IoError> {
        T::read_from(&mut self.readers[i]).map_err(IoError::io(&self.paths[i]))
    }

    /// The next record in key order, `None` when every run is exhausted.
    pub fn next_record(&mut self) -> Result<Option<T>, IoError> {
        let Some(Reverse((_, i))) = self.heap.pop() else {
            return Ok(None);
        };
        let next = self.read(i)?;
        if let Some(r) = &next {
            self.heap.push(Reverse((r.key(), i)));
        }
        Ok(std::mem::replace(&mut self.heads[i], next))
    }
}

/// Read exactly `buf.len()` bytes, or report a clean end (`false`) when none are left.
pub fn read_or_end(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<bool> {
    match input.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

/// Remove the run files of a finished sort.
pub fn remove_runs(runs: &[PathBuf]) -> Result<(), IoError> {
    for r in runs {
        std::fs::remove_file(r).map_err(IoError::io(r))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    struct Rec(u64, u64);

    impl SortRecord for Rec {
        type Key = (u64, u64);
        fn key(&self) -> (u64, u64) {
            (self.0, self.1)
        }
        fn size(&self) -> usize {
            16
        }
        fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
            out.write_all(&self.0.to_le_bytes())?;
            out.write_all(&self.1.to_le_bytes())
        }
        fn read_from(input: &mut impl Read) -> std::io::Result<Option<Self>> {
            let mut b = [0u8; 16];
            if !read_or_end(input, &mut b)? {
                return Ok(None);
            }
            let (x, y) = b.split_at(8);
            Ok(Some(Rec(
                u64::from_le_bytes(x.try_into().unwrap_or_default()),
                u64::from_le_bytes(y.try_into().unwrap_or_default()),
            )))
        }
    }

    #[test]
    fn many_small_runs_merge_into_one_sorted_stream() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = RunWriter::new(dir.path().join("band0"), 7 * 16);
        let mut all = Vec::new();
        for i in 0..100u64 {
            let r = Rec((i * 7919) % 13, i);
            all.push(r);
            w.push(r).unwrap();
        }
        let runs = w.finish().unwrap();
        assert_eq!(runs.len(), 15);
        assert!(runs[0].to_string_lossy().ends_with("band0.run0"));
        let mut m = Merge::<Rec>::open(&runs).unwrap();
        let mut got = Vec::new();
        while let Some(r) = m.next_record().unwrap() {
            got.push(r);
        }
        all.sort();
        assert_eq!(got, all);
        remove_runs(&runs).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
