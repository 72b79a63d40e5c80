//! Print the words (one per line) or, with `--count`, the word count of each stdin line:
//! used to compare with ICU4C's `BreakIterator` (see docs/quality.md).
#![allow(clippy::print_stdout)]

use std::io::BufRead;

fn main() -> std::io::Result<()> {
    let count = std::env::args().any(|a| a == "--count");
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if count {
            println!("{}", segment::word_count(&line));
        } else {
            println!("{}", segment::words(&line).collect::<Vec<_>>().join("|"));
        }
    }
    Ok(())
}
