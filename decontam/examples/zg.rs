//! Round trip of Burmese benchmark text through Zawgyi: how often Unicode → Zawgyi → Unicode
//! is not the identity, and whether the tokenizer still sees the same words.
#[allow(clippy::print_stdout)]
fn main() {
    let path = std::env::args().nth(1).expect("a JSONL file");
    let mut t = decontam::Tokenizer::new();
    let (mut n, mut diff, mut tokdiff, mut undetected) = (0, 0, 0, 0);
    let mut unicode_as_zawgyi = 0;
    decontam::records::for_each_record(std::path::Path::new(&path), |r| {
        for (_, text) in r.fields {
            if !text.chars().any(|c| ('\u{1000}'..='\u{109F}').contains(&c)) {
                continue;
            }
            n += 1;
            if decontam::tokenize::unzawgyi(&text) != text {
                unicode_as_zawgyi += 1;
            }
            let zg = langid::zawgyi::unicode_to_zawgyi(&text);
            let back = langid::zawgyi::zawgyi_to_unicode(&zg);
            if !text.lines().all(|l| {
                !l.chars().any(|c| ('\u{1000}'..='\u{109F}').contains(&c))
                    || langid::zawgyi::is_zawgyi(&langid::zawgyi::unicode_to_zawgyi(l))
            }) {
                undetected += 1;
            }
            if back != text {
                diff += 1;
            }
            let a = decontam::tokenize::hashes(&mut t, &text);
            let b = decontam::tokenize::hashes(&mut t, &zg);
            if a != b {
                tokdiff += 1;
                if tokdiff <= 5 {
                    let w: Vec<(char, char)> = text
                        .chars()
                        .zip(back.chars())
                        .filter(|(x, y)| x != y)
                        .take(6)
                        .collect();
                    println!(
                        "{:?}\n{:?}\n{w:?}\n",
                        text.chars().take(80).collect::<String>(),
                        back.chars().take(80).collect::<String>()
                    );
                }
            }
        }
        Ok(())
    })
    .unwrap();
    println!("fields {n}, round trip differs {diff}, words differ {tokdiff}, lines not detected as Zawgyi by langid {undetected}, Unicode fields read as Zawgyi {unicode_as_zawgyi}");
}
