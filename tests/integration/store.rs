//! Inputs on an S3-compatible object store: a real S3 server (moto in server mode, from PyPI,
//! installed by scripts/test) holding Common Crawl's layout — `crawl-data/<crawl>/warc.paths.gz`
//! listing keys relative to the bucket, the WARCs under `segments/<id>/warc/` — read by the
//! paths list, by a glob and by a folder prefix, streamed; the documents equal a local run's.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use crate::kill::{build_inputs, ids};

const CRAWL: &str = "crawl-data/CC-MAIN-2014-35";

/// moto's S3 server on a free port; stopped on drop.
struct S3Server {
    child: Child,
    endpoint: String,
}

impl S3Server {
    fn start() -> S3Server {
        let bin = python().with_file_name("moto_server");
        assert!(
            bin.exists(),
            "no {}: run scripts/test (it installs moto[server] into its venv)",
            bin.display()
        );
        let port = free_port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let mut server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while ureq::get(&server.endpoint).call().is_err() {
            assert!(
                server.child.try_wait().unwrap().is_none(),
                "moto_server exited"
            );
            assert!(Instant::now() < deadline, "moto_server not up in 60 s");
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }

    fn env(&self, c: &mut Command) {
        c.env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1");
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Create the bucket and upload each local WARC gzipped under Common Crawl's key layout, plus
/// the gzipped `warc.paths.gz` listing them (keys relative to the bucket).
const UPLOAD: &str = r#"
import sys, gzip, boto3
endpoint, bucket, crawl, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
s3.create_bucket(Bucket=bucket)
keys = []
for i, f in enumerate(files):
    key = f"{crawl}/segments/1408500800{i:03d}.11/warc/CC-MAIN-20140820021334-{i:05d}.warc.gz"
    s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(open(f, "rb").read()))
    keys.append(key)
s3.put_object(Bucket=bucket, Key=f"{crawl}/warc.paths.gz",
              Body=gzip.compress(("\n".join(keys) + "\n").encode()))
print("\n".join(keys))
"#;

/// Download every object under a prefix into a folder (keys relative to the prefix).
const DOWNLOAD: &str = r#"
import sys, os, boto3
endpoint, bucket, prefix, out = sys.argv[1:5]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
    path = os.path.join(out, o["Key"][len(prefix):])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    s3.download_file(bucket, o["Key"], path)
"#;

/// Files under `dir`, relative, `/`-separated.
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            out.extend(walk(&p).into_iter().map(|f| format!("{name}/{f}")));
        } else {
            out.push(name);
        }
    }
    out
}

/// (id, tokens, text) of every kept document, in order.
fn rows(out: &Path) -> String {
    let code = "import sys, glob, pyarrow.parquet as pq\n\
                for f in sorted(glob.glob(sys.argv[1] + '/data/*.parquet')):\n\
                \x20   t = pq.read_table(f, columns=['id', 'tokens', 'text']).to_pylist()\n\
                \x20   for r in t: print(repr((r['id'], r['tokens'], r['text'])))";
    run_python(code, &[out.to_str().unwrap()])
}

fn run_on(server: Option<&S3Server>, inputs: &[&str], out: &Path) -> std::process::Output {
    let mut c = seapile();
    c.args(["run", "--threads", "1", "--quiet", "--output"])
        .arg(out)
        .arg("--input")
        .args(inputs);
    if let Some(s) = server {
        s.env(&mut c);
    }
    c.output().expect("spawn seapile")
}

#[test]
fn common_crawl_layout_on_s3_by_paths_list_glob_and_prefix_equals_a_local_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = build_inputs(tmp.path());
    files.truncate(3); // the genuine Common Crawl WARC + 2 of UDHR pages
    let server = S3Server::start();
    let mut args = vec![
        server.endpoint.clone(),
        "cc-mirror".into(),
        CRAWL.to_string(),
    ];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let keys = run_python(UPLOAD, &args);
    assert_eq!(keys.lines().count(), 3, "{keys}");

    let local = tmp.path().join("local");
    let paths: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let out = run_on(None, &paths, &local);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = rows(&local);
    assert!(ids(&local).len() >= 10, "the local run keeps documents");

    for (name, spec) in [
        (
            "paths list",
            format!("s3://cc-mirror/{CRAWL}/warc.paths.gz"),
        ),
        (
            "glob",
            format!("s3://cc-mirror/{CRAWL}/segments/*/warc/*.warc.gz"),
        ),
        ("prefix", format!("s3://cc-mirror/{CRAWL}/segments/")),
    ] {
        let o = tmp.path().join(name.replace(' ', "-"));
        let out = run_on(Some(&server), &[&spec], &o);
        assert!(
            out.status.success(),
            "{name} {spec}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            rows(&o),
            expected,
            "{name}: the same documents as the local run"
        );
        let stats = read_json(&o.join("stats.json"));
        assert_eq!(stats["run"]["shards"].as_u64(), Some(3), "{name}");
    }

    // Output on the store: each shard's files go up when it completes (marker last), then
    // the stats and the card; another machine (empty staging) finds every shard complete.
    let remote = "s3://cc-mirror/runs/sea";
    let list = format!("s3://cc-mirror/{CRAWL}/warc.paths.gz");
    for (staging, skipped) in [("staging-a", 0), ("staging-b", 3)] {
        let mut c = seapile();
        c.args([
            "--log-format",
            "json",
            "run",
            "--threads",
            "2",
            "--output",
            remote,
        ])
        .args(["--input", &list])
        .env("SEAPILE_STAGING", tmp.path().join(staging));
        server.env(&mut c);
        let out = c.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let done: serde_json::Value = serde_json::from_str(stderr.lines().last().unwrap()).unwrap();
        assert_eq!(done["event"], "run_done", "{stderr}");
        assert_eq!(done["skipped"], skipped, "{staging}: {stderr}");
    }
    let fetched = tmp.path().join("fetched");
    run_python(
        DOWNLOAD,
        &[
            &server.endpoint,
            "cc-mirror",
            "runs/sea/",
            fetched.to_str().unwrap(),
        ],
    );
    let mut names: Vec<String> = walk(&fetched);
    names.sort();
    assert_eq!(
        names,
        [
            "README.md",
            "data/shard-00001.parquet",
            "data/shard-00002.parquet",
            "figures/funnel.svg",
            "figures/languages.svg",
            "figures/tokens.svg",
            "report.html",
            "report/context.json",
            "report/shard-00000.json",
            "report/shard-00001.json",
            "report/shard-00002.json",
            "stats.json",
            "stats/shard-00000.json",
            "stats/shard-00001.json",
            "stats/shard-00002.json",
        ]
    );
    assert_eq!(
        rows(&fetched),
        expected,
        "the store's output: the local run's documents"
    );
    assert!(std::fs::read_to_string(fetched.join("README.md"))
        .unwrap()
        .starts_with("---"));
    // The report merged from the shards' collections on the store is the local run's.
    let (a, b) = (
        std::fs::read_to_string(fetched.join("report.html")).unwrap(),
        std::fs::read_to_string(local.join("report.html")).unwrap(),
    );
    // (Only the title differs: the store's inputs are named by their Common Crawl URLs.)
    let differ: Vec<(&str, &str)> = a.lines().zip(b.lines()).filter(|(x, y)| x != y).collect();
    assert_eq!(a.lines().count(), b.lines().count());
    assert!(
        differ.len() <= 2
            && differ
                .iter()
                .all(|(x, _)| x.contains("Common Crawl web text in")),
        "the store's report.html differs from the local run's: {differ:?}"
    );
    for f in ["funnel", "tokens", "languages"] {
        let svg = |d: &Path| std::fs::read(d.join(format!("figures/{f}.svg"))).unwrap();
        assert!(svg(&fetched) == svg(&local), "figures/{f}.svg differs");
    }

    // A missing key is an error that names it; a glob that matches nothing too.
    let missing = format!("s3://cc-mirror/{CRAWL}/segments/nope.warc.gz");
    let out = run_on(Some(&server), &[&missing], &tmp.path().join("missing"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains(&missing), "{err}");
    let glob = format!("s3://cc-mirror/{CRAWL}/segments/*/warc/*.arc.gz");
    let out = run_on(Some(&server), &[&glob], &tmp.path().join("nomatch"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("matches no file"),
        "{err}"
    );
}
