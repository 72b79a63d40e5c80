//! `seapile bench magpie`: the OpenAI-compatible client, measured two ways, each side by side
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

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::{json, Value};
use synth::engine::{Engine, Request, Sampling};
use synth::openai::{OpenAiEngine, OpenAiOptions};
use synth::template::ChatTemplate;

use crate::assets;

const MINIMAL_CLIENT: &str = include_str!("../benches/magpie_minimal_client.py");

#[derive(Args, Debug)]
pub struct MagpieBenchArgs {
    /// llama.cpp's server binary (default: $SEAPILE_LLAMA_SERVER, else the one scripts/test
    /// builds into the asset cache).
    #[arg(long)]
    server: Option<PathBuf>,
    /// GGUF model the server runs (default: SmolLM2-135M-Instruct from the asset cache).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Requests sent to llama-server by each client.
    #[arg(long, default_value_t = 256)]
    n: usize,
    /// Requests in flight (also llama-server's parallel slots).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// New tokens per request against llama-server.
    #[arg(long, default_value_t = 64)]
    max_tokens: u32,
    /// Rounds per client, alternating seapile and Python; the best round counts.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Requests sent to the instant endpoint by each client.
    #[arg(long, default_value_t = 20_000)]
    instant_n: usize,
    /// Requests in flight against the instant endpoint (seapile's default concurrency).
    #[arg(long, default_value_t = 64)]
    instant_concurrency: usize,
    /// Python for the minimal client.
    #[arg(long, default_value = "python3")]
    python: String,
    /// Skip the llama-server part (e.g. no server built).
    #[arg(long)]
    no_server: bool,
}

#[allow(clippy::print_stdout)]
pub fn run(args: &MagpieBenchArgs) -> Result<()> {
    let work = assets::cache_dir().join("bench/magpie");
    std::fs::create_dir_all(&work)?;
    let client = work.join("magpie_minimal_client.py");
    std::fs::write(&client, MINIMAL_CLIENT)?;
    let model = match &args.model {
        Some(m) => m.clone(),
        None => assets::require(assets::SMOLLM2_GGUF)?,
    };
    let template = ChatTemplate::from_gguf(&model)?;
    let mut result = json!({"model": model, "build": build_kind()});

    if !args.no_server {
        eprintln!(
            "overhead: llama-server, {} requests × {} tokens, concurrency {}",
            args.n, args.max_tokens, args.concurrency
        );
        result["overhead"] = overhead(args, &model, &template, &client, &work)?;
    }
    eprintln!(
        "throughput: instant endpoint, {} requests, concurrency {}",
        args.instant_n, args.instant_concurrency
    );
    result["throughput"] = throughput(args, &template, &client, &work)?;
    println!("{}", serde_json::to_string_pretty(&result)?);
    Ok(())
}

fn build_kind() -> &'static str {
    if cfg!(debug_assertions) {
        "debug (dependencies at opt-level 3)"
    } else {
        "release"
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
        bail!("{failed} of {} requests failed", requests.len());
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
        .with_context(|| format!("running {python} {}", client.display()))?;
    if !out.status.success() {
        bail!("the minimal Python client failed ({})", out.status);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).context("the minimal Python client printed no JSON")
}

fn write_bodies(engine: &OpenAiEngine, requests: &[Request], path: &Path) -> Result<()> {
    let mut text = String::new();
    for r in requests {
        text.push_str(&engine.request_body(r));
        text.push('\n');
    }
    std::fs::write(path, text)?;
    Ok(())
}

/// Alternate the two clients `rounds` times; keep each one's best round and the ratio.
fn side_by_side(
    rounds: usize,
    key: &str,
    mut ours: impl FnMut() -> Result<Value>,
    mut peer: impl FnMut() -> Result<Value>,
) -> Result<Value> {
    let (mut best_ours, mut best_peer) = (Value::Null, Value::Null);
    let rate = |v: &Value| v[key].as_f64().unwrap_or(0.0);
    for round in 0..rounds.max(1) {
        let o = ours()?;
        let p = peer()?;
        eprintln!(
            "  round {}: seapile {:.1} {key}, python {:.1} {key}",
            round + 1,
            rate(&o),
            rate(&p)
        );
        if rate(&o) > rate(&best_ours) {
            best_ours = o;
        }
        if rate(&p) > rate(&best_peer) {
            best_peer = p;
        }
    }
    let ratio = rate(&best_ours) / rate(&best_peer).max(1e-9);
    Ok(json!({"seapile": best_ours, "python_minimal": best_peer, format!("ratio_{key}"): ratio}))
}

fn overhead(
    args: &MagpieBenchArgs,
    model: &Path,
    template: &ChatTemplate,
    client: &Path,
    work: &Path,
) -> Result<Value> {
    let bin = args
        .server
        .clone()
        .or_else(|| std::env::var_os("SEAPILE_LLAMA_SERVER").map(PathBuf::from))
        .unwrap_or_else(|| assets::cache_dir().join("llama-server/bin/llama-server"));
    if !bin.exists() {
        bail!(
            "no llama-server at {}: run scripts/test (it builds llama.cpp's server), pass --server, or --no-server",
            bin.display()
        );
    }
    let server = LlamaServer::start(&bin, model, args.concurrency)?;
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
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
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
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
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
            .with_context(|| format!("starting {}", bin.display()))?;
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
            if let Some(status) = server.child.try_wait()? {
                bail!("llama-server exited at start-up ({status})");
            }
            if Instant::now() > deadline {
                bail!("llama-server not healthy after 120 s");
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
