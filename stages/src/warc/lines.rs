//! Bounded line and skip helpers over `BufRead`: they work on the reader's buffer
//! (`fill_buf`/`consume`) so that junk without newlines is never accumulated in memory.

use std::io::{self, BufRead};

/// How a capped line read ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    /// No byte was left.
    Eof,
    /// A line was read (it ends in `\n` unless the stream ended first).
    Read,
    /// The line was longer than the cap; only its first `max` bytes were kept.
    Long,
}

/// `fill_buf`, retrying on `Interrupted`.
pub(crate) fn fill<R: BufRead + ?Sized>(r: &mut R) -> io::Result<&[u8]> {
    loop {
        match r.fill_buf() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // Re-borrow through a second call so the borrow checker accepts the loop.
            Ok(_) => return r.fill_buf(),
            Err(e) => return Err(e),
        }
    }
}

/// Read one line (through `\n`) into `buf` (cleared first), keeping at most `max` bytes; the
/// rest of an over-long line is consumed without being stored.
pub(crate) fn read_line_capped<R: BufRead + ?Sized>(
    r: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Line> {
    buf.clear();
    let (mut any, mut long) = (false, false);
    loop {
        let avail = fill(r)?;
        if avail.is_empty() {
            return Ok(match (any, long) {
                (false, _) => Line::Eof,
                (true, false) => Line::Read,
                (true, true) => Line::Long,
            });
        }
        any = true;
        let (len, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        let keep = len.min(max.saturating_sub(buf.len()));
        long |= keep < len;
        buf.extend_from_slice(&avail[..keep]);
        r.consume(len);
        if done {
            return Ok(if long { Line::Long } else { Line::Read });
        }
    }
}

/// Skip up to `n` bytes; returns how many were skipped (fewer only at end of stream).
pub(crate) fn skip_bytes<R: BufRead + ?Sized>(r: &mut R, n: u64) -> io::Result<u64> {
    let mut left = n;
    while left > 0 {
        let avail = fill(r)?.len();
        if avail == 0 {
            break;
        }
        let step = avail.min(usize::try_from(left).unwrap_or(usize::MAX));
        r.consume(step);
        left -= step as u64;
    }
    Ok(n - left)
}

/// Skip `\r` and `\n` bytes; returns `false` at end of stream.
pub(crate) fn skip_newlines<R: BufRead + ?Sized>(r: &mut R) -> io::Result<bool> {
    loop {
        let avail = fill(r)?;
        if avail.is_empty() {
            return Ok(false);
        }
        let n = avail
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let more = n < avail.len();
        r.consume(n);
        if more {
            return Ok(true);
        }
    }
}

/// Trim a trailing `\n` / `\r\n`.
pub(crate) fn chomp(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Split a `Name: value` header line (already chomped); `None` without a colon.
pub(crate) fn split_header(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = line.iter().position(|&b| b == b':')?;
    Some((line[..colon].trim_ascii(), line[colon + 1..].trim_ascii()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_line_discards_overflow_and_keeps_position() {
        let mut r = io::BufReader::with_capacity(4, &b"abcdefgh\nxy\n"[..]);
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut r, &mut buf, 3).unwrap(), Line::Long);
        assert_eq!(buf, b"abc");
        assert_eq!(read_line_capped(&mut r, &mut buf, 3).unwrap(), Line::Read);
        assert_eq!(buf, b"xy\n");
        assert_eq!(read_line_capped(&mut r, &mut buf, 3).unwrap(), Line::Eof);
    }

    #[test]
    fn skip_stops_at_end_of_stream() {
        let mut r = io::BufReader::with_capacity(2, &b"\r\n\r\nabcde"[..]);
        assert!(skip_newlines(&mut r).unwrap());
        assert_eq!(skip_bytes(&mut r, 3).unwrap(), 3);
        assert_eq!(skip_bytes(&mut r, 10).unwrap(), 2);
        assert!(!skip_newlines(&mut r).unwrap());
    }
}
