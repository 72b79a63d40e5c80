//! The binary model file (`.bin` / `.ftz`) as C++ fastText writes it: little-endian
//! integers and floats in the order of `FastText::saveModel` (magic, version, `Args`,
//! `Dictionary`, input matrix, output matrix). Every read is bounds-checked, so a truncated
//! or foreign file is an error naming what was being read, never a panic.

/// A cursor over the bytes of a model file.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(format!(
                "the file ends inside {what} (byte {} of {}, {n} more needed)",
                self.pos,
                self.bytes.len()
            ));
        };
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }

    pub(crate) fn i32(&mut self, what: &str) -> Result<i32, String> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn i64(&mut self, what: &str) -> Result<i64, String> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn f64(&mut self, what: &str) -> Result<f64, String> {
        Ok(f64::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, String> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn bool(&mut self, what: &str) -> Result<bool, String> {
        Ok(self.u8(what)? != 0)
    }

    /// `n` little-endian `f32`s.
    pub(crate) fn f32s(&mut self, n: usize, what: &str) -> Result<Vec<f32>, String> {
        let bytes = self.take(n.checked_mul(4).ok_or("size overflow")?, what)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// Bytes up to (not including) the next NUL, which is consumed.
    pub(crate) fn c_string(&mut self, what: &str) -> Result<&'a [u8], String> {
        let rest = &self.bytes[self.pos..];
        let Some(len) = rest.iter().position(|&b| b == 0) else {
            return Err(format!("the file ends inside {what}"));
        };
        self.pos += len + 1;
        Ok(&rest[..len])
    }
}

/// A count read from the file as a non-negative `usize`.
pub(crate) fn count(n: i64, what: &str) -> Result<usize, String> {
    usize::try_from(n).map_err(|_| format!("{what} is negative ({n})"))
}
