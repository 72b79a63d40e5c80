//! Which lines of a text file the tokenizer reads as Zawgyi: `zgdetect FILE`.
#[allow(clippy::print_stdout)]
fn main() {
    let path = std::env::args().nth(1).expect("a text file");
    let text = std::fs::read_to_string(path).expect("readable");
    let (mut lines, mut zg) = (0, 0);
    for line in text.lines() {
        if !line.chars().any(|c| ('\u{1000}'..='\u{109F}').contains(&c)) {
            continue;
        }
        lines += 1;
        if decontam::tokenize::unzawgyi(line) != line {
            zg += 1;
            if zg <= 8 {
                println!(
                    "{} | langid={}",
                    line.chars().take(70).collect::<String>(),
                    langid::zawgyi::is_zawgyi(line)
                );
            }
        }
    }
    println!("{zg} of {lines} Burmese lines read as Zawgyi");
}
