//! One benchmark per pipeline stage on real pages from the asset cache (`cargo bench --bench
//! stages`; needs `seapile assets fetch`, not `../shared`): the UDHR pages in ~500
//! languages plus the genuine Common Crawl WARC's HTML, through ingest (a gzip-per-record
//! WARC read back), extract, exact dedup, langid, quality and tokens. Each iteration runs
//! every page through the stage; the throughput line is pages per second, so its inverse
//! is the stage's cost per page. Inputs of a stage are the outputs of the stage before it,
//! prepared once, outside the timing.

use std::io::BufRead;
use std::sync::OnceLock;

use divan::counter::ItemsCount;
use divan::Bencher;
use pipeline::{BuildStage, Doc, Outcome, Stage};

fn main() {
    divan::main();
}

/// Every page's document after each stage (the input of the next), built once.
struct Inputs {
    warc: tempfile::NamedTempFile,
    html: Vec<Doc>,
    extracted: Vec<Doc>,
    identified: Vec<Doc>,
    scored: Vec<Doc>,
}

fn inputs() -> &'static Inputs {
    static INPUTS: OnceLock<Inputs> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let pages = pages();
        let warc = tempfile::NamedTempFile::new().expect("temp file");
        let mut writer =
            stages::warc::WarcWriter::new(std::io::BufWriter::new(warc.reopen().unwrap()));
        for (i, (url, html)) in pages.iter().enumerate() {
            let http = stages::warc::http_response(
                200,
                &[("Content-Type", "text/html; charset=utf-8")],
                html.as_bytes(),
            );
            let id = format!("<urn:uuid:00000000-0000-0000-0000-{i:012}>");
            writer
                .write_response(url, "2024-01-01T00:00:00Z", &id, &http)
                .expect("write WARC");
        }
        writer.into_inner().expect("flush WARC");
        let html = read_warc(warc.path().to_str().unwrap());
        let extracted = through(stages::extract::ExtractConfig::default(), &html);
        let identified = through(langid::LangidConfig::default(), &extracted);
        let scored = through(stages::quality::QualityConfig::default(), &identified);
        Inputs {
            warc,
            html,
            extracted,
            identified,
            scored,
        }
    })
}

/// (URL, HTML) of every cached UDHR page and of the cached CC WARC's HTML responses.
fn pages() -> Vec<(String, String)> {
    let dir = testkit::expect_cached("udhr/declaration");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("UDHR folder")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    let mut pages: Vec<(String, String)> = paths
        .iter()
        .filter_map(|p| {
            let html = std::fs::read_to_string(p).ok()?;
            let name = p.file_name()?.to_string_lossy().into_owned();
            Some((format!("https://unicode.org/udhr/d/{name}"), html))
        })
        .collect();
    let cc = testkit::expect_cached(
        "warc/CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc",
    );
    for doc in read_warc(cc.to_str().unwrap()) {
        pages.push((
            doc.url.clone().unwrap_or_default(),
            doc.html.unwrap_or_default(),
        ));
    }
    pages
}

/// The HTML documents of a WARC file, as ingest reads them.
fn read_warc(path: &str) -> Vec<Doc> {
    let reader: Box<dyn BufRead + Send> = stages::warc::open_input(path).expect("open WARC");
    stages::warc::WarcReader::new(reader, "bench", stages::warc::DEFAULT_MAX_RECORD_BYTES)
        .filter_map(|item| match item.expect("read WARC") {
            stages::warc::IngestItem::Page(doc) => Some(doc),
            stages::warc::IngestItem::Dropped { .. } => None,
        })
        .collect()
}

fn build(config: impl BuildStage) -> Box<dyn Stage> {
    config.build(&testkit::assets()).expect("stage builds")
}

/// The documents a stage keeps.
fn through(config: impl BuildStage, docs: &[Doc]) -> Vec<Doc> {
    let mut stage = build(config);
    docs.iter()
        .filter_map(|d| match stage.process(d.clone()).expect("stage runs") {
            Outcome::Keep(d) => Some(d),
            Outcome::Drop { .. } => None,
        })
        .collect()
}

/// Time `stage` over every document of `docs` (cloned outside the timing).
fn bench_stage(bencher: Bencher, mut stage: Box<dyn Stage>, docs: &[Doc]) {
    bencher
        .counter(ItemsCount::new(docs.len()))
        .with_inputs(|| docs.to_vec())
        .bench_local_values(|docs| {
            for doc in docs {
                divan::black_box(stage.process(doc).expect("stage runs"));
            }
        });
}

#[divan::bench(sample_count = 10)]
fn ingest(bencher: Bencher) {
    let inputs = inputs();
    let path = inputs.warc.path().to_str().unwrap().to_string();
    bencher
        .counter(ItemsCount::new(inputs.html.len()))
        .bench(|| read_warc(&path).len());
}

#[divan::bench(sample_count = 10)]
fn extract(bencher: Bencher) {
    let stage = build(stages::extract::ExtractConfig::default());
    bench_stage(bencher, stage, &inputs().html);
}

#[divan::bench(sample_count = 10)]
fn exact_dedup(bencher: Bencher) {
    let inputs = inputs();
    bencher
        .counter(ItemsCount::new(inputs.extracted.len()))
        .with_inputs(|| inputs.extracted.to_vec())
        .bench_local_values(|docs| {
            // A fresh stage per round: every page is new to it.
            let mut stage = build(dedup::ExactDedupConfig::default());
            for doc in docs {
                divan::black_box(stage.process(doc).expect("stage runs"));
            }
        });
}

#[divan::bench(sample_count = 10)]
fn langid(bencher: Bencher) {
    let stage = build(langid::LangidConfig::default());
    bench_stage(bencher, stage, &inputs().extracted);
}

#[divan::bench(sample_count = 10)]
fn quality(bencher: Bencher) {
    let stage = build(stages::quality::QualityConfig::default());
    bench_stage(bencher, stage, &inputs().identified);
}

#[divan::bench(sample_count = 10)]
fn tokens(bencher: Bencher) {
    let stage = build(stages::tokens::TokensConfig::default());
    bench_stage(bencher, stage, &inputs().scored);
}
