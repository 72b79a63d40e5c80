//! The rows of a mix in random order: each sampled copy is a [`Record`] of the external sort
//! (`docs_io::extsort`), keyed by a seeded random key.
//!
//! Design decision: a record holds the whole serialized row (not a row reference), so the
//! merge reads every run sequentially and never seeks back into the inputs; memory is one
//! run's buffer while writing and one buffered reader per run while merging.

use std::io::{Read, Write};
use std::sync::Arc;

use docs_io::extsort::{read_or_end, SortRecord};

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

impl SortRecord for Record {
    type Key = (u64, u64);

    fn key(&self) -> (u64, u64) {
        (self.key, self.seq)
    }

    fn size(&self) -> usize {
        self.payload.len() + 24
    }

    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(&self.key.to_le_bytes())?;
        out.write_all(&self.seq.to_le_bytes())?;
        out.write_all(&self.source.to_le_bytes())?;
        out.write_all(&self.epoch.to_le_bytes())?;
        out.write_all(&(self.payload.len() as u64).to_le_bytes())?;
        out.write_all(&self.payload)
    }

    fn read_from(input: &mut impl Read) -> std::io::Result<Option<Self>> {
        let mut head = [0u8; 32];
        if !read_or_end(input, &mut head)? {
            return Ok(None);
        }
        let word = |a: usize, b: usize| {
            head[a..b]
                .iter()
                .rev()
                .fold(0u64, |v, &x| v << 8 | x as u64)
        };
        let mut payload = vec![0u8; word(24, 32) as usize];
        input.read_exact(&mut payload)?;
        Ok(Some(Record {
            key: word(0, 8),
            seq: word(8, 16),
            source: word(16, 20) as u32,
            epoch: word(20, 24) as u32,
            payload: Arc::new(payload),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docs_io::extsort::{Merge, RunWriter};

    #[test]
    fn merge_of_spilled_runs_is_sorted_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = RunWriter::new(dir.path().join("run"), 200);
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
        let mut merge = Merge::<Record>::open(&runs).unwrap();
        let mut seen = Vec::new();
        while let Some(r) = merge.next_record().unwrap() {
            assert_eq!((r.source, r.epoch), (1, 2));
            assert_eq!(r.payload.as_slice(), format!("row{}", r.seq).as_bytes());
            seen.push(r.key());
        }
        assert_eq!(seen.len(), 100);
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
    }
}
