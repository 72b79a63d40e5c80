//! `seapile decontam index` (benchmark files → index file), `seapile decontam` (the pass over
//! document files) and `seapile eval decontam`. The design decision: the CLI only resolves
//! paths and flags; everything that reads benchmarks or documents is in the `decontam` crate,
//! and the same index and rules run as the `decontam` stage of a run config.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use decontam::{Action, Index, IndexParams, Rules};
use docs_io::Format;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DecontamArgs {
    #[command(subcommand)]
    step: Option<Step>,
    #[command(flatten)]
    pass: PassArgs,
}

#[derive(Subcommand)]
enum Step {
    /// Build an index of benchmark text (JSONL, JSON, Parquet, CSV/TSV, text; folders walked).
    Index(IndexArgs),
}

#[derive(Args)]
struct IndexArgs {
    /// Benchmark files or folders of them.
    #[arg(long, required = true, num_args = 1..)]
    benchmarks: Vec<PathBuf>,
    /// The index file to write.
    #[arg(long, short)]
    output: PathBuf,
    /// Only these fields (any key along a field's path: `question,choices`). Default: every
    /// string field long enough to be evidence.
    #[arg(long, value_delimiter = ',')]
    fields: Vec<String>,
    /// Words per n-gram.
    #[arg(long, default_value_t = IndexParams::default().ngram)]
    ngram: usize,
    /// Shortest item (in words) indexed whole when shorter than --ngram.
    #[arg(long, default_value_t = IndexParams::default().min_words)]
    min_words: usize,
    /// Shorter items count too with at least --short-words words and --short-letters letters.
    #[arg(long, default_value_t = IndexParams::default().short_words)]
    short_words: usize,
    /// Letters an item of --short-words to --min-words words needs to count.
    #[arg(long, default_value_t = IndexParams::default().short_letters)]
    short_letters: usize,
    /// A field value or n-gram in more records than this is a template, not an item.
    #[arg(long, default_value_t = IndexParams::default().repeat_limit)]
    repeat_limit: u32,
    /// Do not index the n-grams that run across a record's fields.
    #[arg(long)]
    no_cross_fields: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ActionArg {
    Drop,
    Cut,
}

#[derive(Args)]
struct PassArgs {
    /// The index file (`seapile decontam index`).
    #[arg(long)]
    index: Option<PathBuf>,
    /// Parquet or JSONL files (or folders of them) with `text` (and `id`, `url`, ...).
    #[arg(long = "input", short, num_args = 1..)]
    inputs: Vec<PathBuf>,
    /// Output folder: DIR/data/, DIR/contamination.jsonl, DIR/stats.json, DIR/README.md.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// `drop` a contaminated document, or `cut` the matched text (drop past --max-cuts).
    #[arg(long, value_enum, default_value = "drop")]
    action: ActionArg,
    /// `cut`: characters removed on each side of a match.
    #[arg(long, default_value_t = Rules::default().margin_chars)]
    margin_chars: usize,
    /// `cut`: more cuts than this drop the document.
    #[arg(long, default_value_t = Rules::default().max_cuts)]
    max_cuts: usize,
    /// `cut`: shorter pieces (characters) are not kept.
    #[arg(long, default_value_t = Rules::default().min_piece_chars)]
    min_piece_chars: usize,
    /// Matched n-grams that make a document contaminated.
    #[arg(long, default_value_t = Rules::default().min_ngrams)]
    min_ngrams: usize,
    /// Parallel input files. Default: all cores.
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// Format of DIR/data/ files.
    #[arg(long, value_enum, default_value = "parquet")]
    format: Format,
    /// Hub license identifier for OUT/README.md.
    #[arg(long, default_value = "other")]
    license: String,
    /// Display name for OUT/README.md. Default: the output folder's name.
    #[arg(long)]
    pretty_name: Option<String>,
}

/// `seapile decontam ...`.
pub fn run(args: DecontamArgs, threads: usize) -> Result<()> {
    match args.step {
        Some(Step::Index(a)) => build_index(a),
        None => pass(args.pass, threads),
    }
}

fn build_index(a: IndexArgs) -> Result<()> {
    let params = IndexParams {
        ngram: a.ngram,
        min_words: a.min_words,
        short_words: a.short_words,
        short_letters: a.short_letters,
        repeat_limit: a.repeat_limit,
        fields: a.fields,
        cross_fields: !a.no_cross_fields,
    };
    let start = std::time::Instant::now();
    let index = Index::build(&a.benchmarks, &params)?;
    index.write(&a.output)?;
    for b in &index.benchmarks {
        eprintln!(
            "{:<70} {:>6} records {:>6} items {:>8} n-grams ({} template fields)",
            b.name, b.records, b.items, b.ngrams, b.template_fields
        );
    }
    eprintln!(
        "wrote {}: {} benchmark files, {} n-grams, {:.1} MB in memory, in {:.2} s",
        a.output.display(),
        index.benchmarks.len(),
        index.len(),
        index.memory_bytes() as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    if let Some(mb) = decontam::pass::peak_rss_mb() {
        eprintln!("peak memory (VmHWM): {mb:.1} MiB");
    }
    Ok(())
}

fn pass(a: PassArgs, threads: usize) -> Result<()> {
    let Some(index) = a.index else {
        bail!("seapile decontam needs --index IDX --input PATH... --output DIR (or `decontam index ...`)");
    };
    if a.inputs.is_empty() {
        bail!("seapile decontam needs --input PATH...");
    }
    let output = a.output.context("seapile decontam needs --output DIR")?;
    let opts = decontam::pass::PassOptions {
        inputs: a.inputs,
        output: output.clone(),
        index,
        rules: Rules {
            action: match a.action {
                ActionArg::Drop => Action::Drop,
                ActionArg::Cut => Action::Cut,
            },
            margin_chars: a.margin_chars,
            max_cuts: a.max_cuts,
            min_piece_chars: a.min_piece_chars,
            min_ngrams: a.min_ngrams,
        },
        threads: a.threads.unwrap_or(threads),
        format: a.format,
        license: a.license,
        pretty_name: a.pretty_name,
    };
    let r = decontam::pass::run(&opts)?;
    eprintln!(
        "decontam: {} docs in, {} kept; {} contaminated ({} dropped, {} cut); {:.1} MB scanned \
         at {:.1} MB/s per thread; index loaded in {:.2} s",
        r.docs,
        r.kept,
        r.contaminated,
        r.dropped,
        r.cut,
        r.text_bytes as f64 / 1e6,
        r.text_bytes as f64 / 1e6 / r.scan_seconds.max(1e-9),
        r.load_seconds
    );
    if let Some(mb) = r.peak_rss_mb {
        eprintln!("peak memory (VmHWM): {mb:.1} MiB");
    }
    eprintln!(
        "wrote {0}/data/, {0}/contamination.jsonl, {0}/stats.json, {0}/README.md",
        output.display()
    );
    Ok(())
}

/// `seapile eval decontam` flags.
#[derive(Args)]
pub struct EvalArgs {
    /// Benchmark files or folders (default: ../shared/eval/decontam/sea-helm when present).
    #[arg(long, num_args = 1..)]
    benchmarks: Vec<PathBuf>,
    /// Clean sentences, `iso639-3<TAB>source<TAB>text` (default ../shared/eval/langid/dev.tsv).
    #[arg(long)]
    dev_tsv: Option<PathBuf>,
    /// SEA news pages (default ../shared/eval/html_sea).
    #[arg(long)]
    html_sea: Option<PathBuf>,
    /// article-extraction-benchmark (default ../shared/eval/extraction/aeb).
    #[arg(long)]
    aeb: Option<PathBuf>,
    /// WCXB dev split (default ../shared/eval/extraction/wcxb-dev).
    #[arg(long)]
    wcxb: Option<PathBuf>,
    /// Records sampled per benchmark file.
    #[arg(long, default_value_t = 60)]
    per_file: usize,
    /// Seed of the records sampled, the edits and the places they are planted.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Timed rounds of the index build and the scan.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Words per n-gram of the index evaluated.
    #[arg(long, default_value_t = IndexParams::default().ngram)]
    ngram: usize,
    /// Shortest item (in words) indexed whole.
    #[arg(long, default_value_t = IndexParams::default().min_words)]
    min_words: usize,
    /// Shorter items count with at least this many words ...
    #[arg(long, default_value_t = IndexParams::default().short_words)]
    short_words: usize,
    /// ... and this many letters.
    #[arg(long, default_value_t = IndexParams::default().short_letters)]
    short_letters: usize,
    /// A field value or n-gram in more records than this is a template.
    #[arg(long, default_value_t = IndexParams::default().repeat_limit)]
    repeat_limit: u32,
    /// Do not index the n-grams that run across a record's fields.
    #[arg(long)]
    no_cross_fields: bool,
    /// One JSON object instead of tables.
    #[arg(long)]
    json: bool,
}

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new("../shared").join(rel);
    p.exists().then_some(p)
}

/// `seapile eval decontam`.
#[allow(clippy::print_stdout)]
pub fn eval(a: EvalArgs, assets: &pipeline::Assets) -> Result<()> {
    let benchmarks = if a.benchmarks.is_empty() {
        vec![shared("eval/decontam/sea-helm")
            .context("give --benchmarks PATH... (../shared/eval/decontam/sea-helm is not here)")?]
    } else {
        a.benchmarks
    };
    let work = tempfile::tempdir()?;
    let udhr = assets.path("udhr/declaration");
    let opts = decontam::eval::EvalOptions {
        benchmarks,
        dev_tsv: a.dev_tsv.or_else(|| shared("eval/langid/dev.tsv")),
        html_sea: a.html_sea.or_else(|| shared("eval/html_sea")),
        udhr: udhr.is_dir().then_some(udhr),
        aeb: a.aeb.or_else(|| shared("eval/extraction/aeb")),
        wcxb: a.wcxb.or_else(|| shared("eval/extraction/wcxb-dev")),
        per_file: a.per_file,
        seed: a.seed,
        params: IndexParams {
            ngram: a.ngram,
            min_words: a.min_words,
            short_words: a.short_words,
            short_letters: a.short_letters,
            repeat_limit: a.repeat_limit,
            fields: Vec::new(),
            cross_fields: !a.no_cross_fields,
        },
        rounds: a.rounds,
        work: work.path().to_path_buf(),
    };
    let report = decontam::eval::evaluate(&opts)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.tables());
    }
    Ok(())
}
