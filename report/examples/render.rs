//! Re-render `OUT/report.html` for an output folder (what `seapile report OUT` does), and
//! print its size and the time taken: `cargo run --release -p report --example render OUT`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).ok_or("usage: render OUT")?;
    let start = std::time::Instant::now();
    let (kind, bytes) = report::write_for(std::path::Path::new(&out))?;
    eprintln!(
        "{kind:?} report: {bytes} bytes in {:.3} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
