//! The OpenAI-compatible client of `seapile magpie`, measured two ways, each side by side
//! in the same run with a minimal Python client (`benches/magpie_minimal_client.py`: standard
//! library threads at the same concurrency) sending the very same request bodies:
//!
//! 1. **overhead** against llama.cpp's real `llama-server` with a small GGUF: completion
//!    tokens/s through seapile's engine (in the batches the Magpie driver uses) over the
//!    minimal client's;
//! 2. **throughput** against a local endpoint that answers at once (an in-process HTTP/1.1
//!    keep-alive responder): requests/s, to show the client will not hold back a GPU server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use synth::engine::{Engine, Request, Sampling};
use synth::openai::{OpenAiEngine, OpenAiOptions};
use synth::template::ChatTemplate;

use crate::{io_err, BenchError};

type Result<T> = std::result::Result<T, BenchError>;

const MINIMAL_CLIENT: &str = include_str!("../../benches/magpie_minimal_client.py");

/// `seapile bench magpie`'s flags (with the `clap` feature).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Flags {
    /// llama.cpp's server binary (default: $SEAPILE_LLAMA_SERVER, else the one scripts/test
    /// builds into the asset cache).
    #[cfg_attr(feature = "clap", arg(long))]
    pub server: Option<PathBuf>,
    /// GGUF model the server runs (default: SmolLM2-135M-Instruct from the asset cache).
    #[cfg_attr(feature = "clap", arg(long))]
    pub model: Option<PathBuf>,
    /// Requests sent to llama-server by each client.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 256))]
    pub n: usize,
    /// Requests in flight (also llama-server's parallel slots).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 8))]
    pub concurrency: usize,
    /// New tokens per request against llama-server.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 64))]
    pub max_tokens: u32,
    /// Rounds per client, alternating seapile and Python; the best round counts.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 2))]
    pub rounds: usize,
    /// Requests sent to the instant endpoint by each client.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 20_000))]
    pub instant_n: usize,
    /// Requests in flight against the instant endpoint (seapile's default concurrency).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 64))]
    pub instant_concurrency: usize,
    /// Python for the minimal client.
    #[cfg_attr(feature = "clap", arg(long, default_value = "python3"))]
    pub python: String,
    /// Skip the llama-server part (e.g. no server built).
    #[cfg_attr(feature = "clap", arg(long))]
    pub no_server: bool,
}

impl Flags {
    /// What to measure: `model` defaults to `default_model`; the server (unless
    /// `no_server`) to `default_server`; scratch files go to `work`.
    pub fn resolve(
        self,
        default_model: impl FnOnce() -> Result<PathBuf>,
        default_server: PathBuf,
        work: PathBuf,
    ) -> Result<MagpieBenchArgs> {
        Ok(MagpieBenchArgs {
            model: match self.model {
                Some(m) => m,
                None => default_model()?,
            },
            server: (!self.no_server).then(|| self.server.unwrap_or(default_server)),
            n: self.n,
            concurrency: self.concurrency,
            max_tokens: self.max_tokens,
            rounds: self.rounds,
            instant_n: self.instant_n,
            instant_concurrency: self.instant_concurrency,
            python: self.python,
            work,
            debug_build: cfg!(debug_assertions),
        })
    }
}

/// What to measure.
#[derive(Debug, Clone)]
pub struct MagpieBenchArgs {
    /// llama.cpp's server binary; `None`: skip the llama-server part.
    pub server: Option<PathBuf>,
    /// GGUF model the server runs (its chat template makes the requests).
    pub model: PathBuf,
    /// Requests sent to llama-server by each client.
    pub n: usize,
    /// Requests in flight (also llama-server's parallel slots).
    pub concurrency: usize,
    /// New tokens per request against llama-server.
    pub max_tokens: u32,
    /// Rounds per client, alternating seapile and Python; the best round counts.
    pub rounds: usize,
    /// Requests sent to the instant endpoint by each client.
    pub instant_n: usize,
    /// Requests in flight against the instant endpoint (seapile's default concurrency).
    pub instant_concurrency: usize,
    /// Python for the minimal client.
    pub python: String,
    /// Scratch folder.
    pub work: PathBuf,
    /// Whether this is a debug build (recorded in the report).
    pub debug_build: bool,
}

/// Both measurements; the report.
pub fn run(args: &MagpieBenchArgs) -> Result<Value> {
    let work = &args.work;
    std::fs::create_dir_all(work).map_err(io_err(work))?;
    let client = work.join("magpie_minimal_client.py");
    std::fs::write(&client, MINIMAL_CLIENT).map_err(io_err(&client))?;
    let template = ChatTemplate::from_gguf(&args.model)?;
    let build = if args.debug_build {
        "debug (dependencies at opt-level 3)"
    } else {
        "release"
    };
    let mut result = json!({"model": args.model, "build": build});
    if let Some(server) = &args.server {
        result["overhead"] = overhead(args, server, &template, &client, work)?;
    }
    result["throughput"] = throughput(args, &template, &client, work)?;
    Ok(result)
}

fn failed(what: &str, message: impl std::fmt::Display) -> BenchError {
    BenchError::Peer {
        what: what.into(),
        message: message.to_string(),
    }
}

/// Magpie's first request for `n` samples: the pre-query prefix with each language's system
/// prompt, one seed per sample.
fn requests(template: &ChatTemplate, n: usize, max_tokens: u32) -> Result<Vec<Request>> {
    let cut = template.magpie()?;
    let codes = ["ind", "vie", "tha", "zsm", "tgl", "zho", "eng"];
    (0..n)
        .map(|i| {
            let lang = synth::lang::language(codes[i % codes.len()]).expect("known code");
            Ok(Request {
                prompt: cut.pre_query(Some(lang.system), lang.openings[i % lang.openings.len()])?,
                sampling: Sampling {
                    temperature: 1.0,
                    top_p: 0.99,
                    max_tokens,
                },
                seed: 1000 + i as u64,
                stop: cut.stops.clone(),
            })
        })
        .collect()
}

/// Run the requests through the engine in its own batch size, as the Magpie driver does.
fn through_seapile(engine: &OpenAiEngine, requests: &[Request]) -> Result<Value> {
    let start = Instant::now();
    let (mut tokens, mut failed) = (0u64, 0usize);
    for batch in requests.chunks(engine.batch_size()) {
        for r in engine.generate(batch) {
            match r {
                Ok(g) => tokens += u64::from(g.tokens),
                Err(_) => failed += 1,
            }
        }
    }
    if failed > 0 {
        return Err(BenchError::Peer {
            what: "seapile's OpenAI client".into(),
            message: format!("{failed} of {} requests failed", requests.len()),
        });
    }
    let wall = start.elapsed().as_secs_f64();
    Ok(json!({
        "requests": requests.len(), "tokens": tokens, "wall_s": wall,
        "tok_per_s": tokens as f64 / wall, "req_per_s": requests.len() as f64 / wall,
    }))
}

fn through_python(
    python: &str,
    client: &Path,
    url: &str,
    concurrency: usize,
    bodies: &Path,
) -> Result<Value> {
    let out = Command::new(python)
        .arg(client)
        .arg(url)
        .arg(concurrency.to_string())
        .arg(bodies)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| failed("the minimal Python client", e))?;
    if !out.status.success() {
        return Err(failed("the minimal Python client", out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).map_err(|e| failed("the minimal Python client", e))
}

fn write_bodies(engine: &OpenAiEngine, requests: &[Request], path: &Path) -> Result<()> {
    let mut text = String::new();
    for r in requests {
        text.push_str(&engine.request_body(r));
        text.push('\n');
    }
    std::fs::write(path, text).map_err(io_err(path))
}

/// Alternate the two clients `rounds` times; keep each one's best round and the ratio.
fn side_by_side(
    rounds: usize,
    key: &str,
    mut ours: impl FnMut() -> Result<Value>,
    mut peer: impl FnMut() -> Result<Value>,
) -> Result<Value> {
    let (mut best_ours, mut best_peer) = (Value::Null, Value::Null);
    let mut rounds_seen = Vec::new();
    let rate = |v: &Value| v[key].as_f64().unwrap_or(0.0);
    for round in 0..rounds.max(1) {
        let o = ours()?;
        let p = peer()?;
        rounds_seen
            .push(json!({"round": round + 1, "seapile": rate(&o), "python_minimal": rate(&p)}));
        if rate(&o) > rate(&best_ours) {
            best_ours = o;
        }
        if rate(&p) > rate(&best_peer) {
            best_peer = p;
        }
    }
    let ratio = rate(&best_ours) / rate(&best_peer).max(1e-9);
    Ok(
        json!({"seapile": best_ours, "python_minimal": best_peer, format!("ratio_{key}"): ratio,
              "rounds": rounds_seen}),
    )
}

fn overhead(
    args: &MagpieBenchArgs,
    bin: &Path,
    template: &ChatTemplate,
    client: &Path,
    work: &Path,
) -> Result<Value> {
    if !bin.exists() {
        return Err(BenchError::Missing(format!(
            "no llama-server at {}: run scripts/test (it builds llama.cpp's server), pass --server, or --no-server",
            bin.display()
        )));
    }
    let server = LlamaServer::start(bin, &args.model, args.concurrency)?;
    let engine = OpenAiEngine::connect(
        OpenAiOptions {
            base_url: server.url.clone(),
            concurrency: args.concurrency,
            ..Default::default()
        },
        &template.bos_token,
    )?;
    let reqs = requests(template, args.n, args.max_tokens)?;
    let bodies = work.join("overhead-bodies.jsonl");
    write_bodies(&engine, &reqs, &bodies)?;
    // Warm the server (first requests allocate its KV cache and graphs).
    through_seapile(&engine, &reqs[..args.concurrency.min(reqs.len())])?;
    let url = engine.completions_url().to_string();
    let mut v = side_by_side(
        args.rounds,
        "tok_per_s",
        || through_seapile(&engine, &reqs),
        || through_python(&args.python, client, &url, args.concurrency, &bodies),
    )?;
    v["server"] = json!({"binary": bin, "parallel": args.concurrency, "threads": 2});
    v["max_tokens"] = json!(args.max_tokens);
    Ok(v)
}

fn throughput(
    args: &MagpieBenchArgs,
    template: &ChatTemplate,
    client: &Path,
    work: &Path,
) -> Result<Value> {
    let local = |e| failed("a local endpoint", e);
    let listener = TcpListener::bind("127.0.0.1:0").map_err(local)?;
    let url = format!("http://{}", listener.local_addr().map_err(local)?);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = answer_at_once(stream);
            });
        }
    });
    let engine = OpenAiEngine::connect(
        OpenAiOptions {
            base_url: url.clone(),
            concurrency: args.instant_concurrency,
            ..Default::default()
        },
        &template.bos_token,
    )?;
    let reqs = requests(template, args.instant_n, 16)?;
    let bodies = work.join("throughput-bodies.jsonl");
    write_bodies(&engine, &reqs, &bodies)?;
    let completions = engine.completions_url().to_string();
    side_by_side(
        args.rounds,
        "req_per_s",
        || through_seapile(&engine, &reqs),
        || {
            through_python(
                &args.python,
                client,
                &completions,
                args.instant_concurrency,
                &bodies,
            )
        },
    )
}

/// An HTTP/1.1 keep-alive connection that answers every request at once with a fixed body:
/// a model list for GET, a 16-token completion for POST.
fn answer_at_once(stream: TcpStream) -> std::io::Result<()> {
    const MODELS: &str = r#"{"object":"list","data":[{"id":"instant","object":"model"}]}"#;
    const COMPLETION: &str = r#"{"id":"cmpl-0","object":"text_completion","model":"instant","choices":[{"index":0,"text":"Terangkan fotosintesis dalam tiga ayat.","finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":16,"total_tokens":36}}"#;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let is_get = line.starts_with("GET");
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
        let answer = if is_get { MODELS } else { COMPLETION };
        write!(
            writer,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n{answer}",
            answer.len()
        )?;
        writer.flush()?;
    }
}

/// llama.cpp's server on a free port; stopped on drop.
struct LlamaServer {
    child: Child,
    url: String,
}

impl LlamaServer {
    fn start(bin: &Path, model: &Path, parallel: usize) -> Result<LlamaServer> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| failed("llama-server", e))?
            .port();
        let child = Command::new(bin)
            .arg("-m")
            .arg(model)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["-np", &parallel.to_string()])
            .args(["-c", &(2048 * parallel).to_string()])
            .args(["-t", "2", "--no-webui"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                failed(
                    "llama-server",
                    format!("cannot start {}: {e}", bin.display()),
                )
            })?;
        let mut server = LlamaServer {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        loop {
            if agent
                .get(&format!("{}/health", server.url))
                .call()
                .is_ok_and(|r| r.status() == 200)
            {
                return Ok(server);
            }
            if let Some(status) = server
                .child
                .try_wait()
                .map_err(|e| failed("llama-server", e))?
            {
                return Err(failed(
                    "llama-server",
                    format!("exited at start-up ({status})"),
                ));
            }
            if Instant::now() > deadline {
                return Err(failed("llama-server", "not healthy after 120 s"));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
