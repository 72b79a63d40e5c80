//! The fast word-boundary path ([`segment::fast_segments`]) against ICU4X's rule iterator:
//! equal segments on every text it takes, on real text in every UDHR language and on random
//! strings built from every Word_Break class it covers (and some it must refuse).

use testkit::expect_cached;

fn check(text: &str) -> bool {
    match segment::fast_segments(text) {
        Some(fast) => {
            let icu = segment::icu_segments(text);
            if fast != icu {
                // The first difference, in context (a page is long).
                let i = fast.iter().zip(&icu).take_while(|(a, b)| a == b).count();
                let (lo, hi) = (i.saturating_sub(3), i + 3);
                panic!(
                    "fast {:?} vs ICU4X {:?}",
                    &fast[lo..hi.min(fast.len())],
                    &icu[lo..hi.min(icu.len())]
                );
            }
            true
        }
        None => false,
    }
}

#[test]
fn equals_icu_on_every_udhr_page_it_takes() {
    let dir = expect_cached("udhr/declaration");
    let (mut taken, mut pages) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let html = std::fs::read_to_string(&path).unwrap();
        let text = testkit::strip_tags(&html);
        pages += 1;
        // Whole pages (with their markup's line breaks), and each line alone.
        if check(&text) {
            taken += 1;
        }
        for line in text.lines() {
            check(line);
        }
    }
    // Most UDHR languages are written in Latin, Cyrillic or Greek without combining marks.
    assert!(
        pages > 400 && taken * 2 > pages,
        "{taken} of {pages} pages taken"
    );
}

#[test]
fn equals_icu_on_random_strings_of_every_class() {
    // Letters (Latin, Latin-1, Greek, Cyrillic, Vietnamese), digits, MidLetter (`:` `·`),
    // MidNum (`,` `;`), MidNumLet and single quotes (`.` `'` `’` `‘` `․`), ExtendNumLet
    // (`_` `‿`), spaces (incl. U+2003), CR, LF, Newline (VT, FF, NEL, U+2028), others
    // (`-` `"` `!` NBSP, tab, `“` `—` `€` `™`), and refused ones (a combining acute, ZWJ,
    // an emoji, Thai, kana).
    let pool: Vec<char> = "aZéßωжẠx7 0 9:·,;.'’‘\u{2024}_\u{203f} \u{2003}\r\n\u{b}\u{c}\u{85}\u{2028}-\"!\u{a0}\t“—€™"
        .chars()
        .collect();
    let refused: Vec<char> = "\u{301}\u{200d}😀ก\u{30a2}".chars().collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut taken, mut refusals) = (0, 0);
    for round in 0..200_000 {
        let len = (next() % 24) as usize;
        let mut s = String::new();
        for _ in 0..len {
            let r = next();
            let c = if round % 10 == 0 && r % 17 == 0 {
                refused[(r >> 8) as usize % refused.len()]
            } else {
                pool[(r >> 8) as usize % pool.len()]
            };
            s.push(c);
        }
        if check(&s) {
            taken += 1;
        } else {
            refusals += 1;
        }
    }
    assert!(
        taken > 150_000 && refusals > 1_000,
        "{taken} taken, {refusals} refused"
    );
}
