//! `OUT/report.html`: written by a real run over real pages, checked in a real browser
//! (headless Chromium: no console error, every chart drawn, a screenshot that is not blank,
//! hostile document text shown as text), the same for 4 shards as for 1, and rewritten
//! identically by `seapile report OUT`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// What the hostile page says: markup, a closing tag, an attribute injection and
/// right-to-left marks, in the middle of real English text.
const HOSTILE: &str = "Beware <script>document.title='pwned'</script> and </textarea><img src=x \"onerror=alert(1)> and \u{202E}reversed\u{200F} text.";

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A response record for an HTML page.
fn page(id: &str, url: &str, html: &str) -> Vec<u8> {
    warc_record(
        "response",
        url,
        id,
        &http_response(
            "Content-Type: text/html; charset=UTF-8\r\n",
            html.as_bytes(),
        ),
    )
}

/// The records of the test crawl: real UDHR pages in six SEA languages and French, an English
/// page of UDHR paragraphs with the hostile paragraph in it, and a page too short to keep.
fn records() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, stem) in ["tha", "vie", "ind", "mly_latn", "khm", "mya", "fra"]
        .iter()
        .enumerate()
    {
        let html = std::fs::read_to_string(udhr(stem)).unwrap();
        out.push(page(
            &format!("00000000-0000-4000-8000-00000000000{i}"),
            &format!("https://example.org/udhr/{stem}.html"),
            &html,
        ));
    }
    let mut paras = udhr_paragraphs("eng");
    paras.insert(0, HOSTILE.to_string());
    let body: String = paras
        .iter()
        .map(|p| format!("<p>{}</p>\n", html_escape(p)))
        .collect();
    out.push(page(
        "00000000-0000-4000-8000-0000000000e0",
        "https://example.org/hostile.html",
        &format!(
            "<html><head><title>t</title></head><body><article>{body}</article></body></html>"
        ),
    ));
    out.push(page(
        "00000000-0000-4000-8000-0000000000e1",
        "https://example.org/short.html",
        "<html><body><p>Hi.</p></body></html>",
    ));
    out
}

fn run_on(inputs: &[PathBuf], out: &Path) {
    let mut cmd = seapile();
    cmd.args(["run", "--quiet", "--threads", "2", "--output"])
        .arg(out)
        .arg("--input");
    cmd.args(inputs);
    run_ok(&mut cmd);
}

/// Headless Chromium (Debian's `chromium`, installed by `scripts/test`).
fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::var("PATH").unwrap_or_default().split(':') {
            let p = Path::new(dir).join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!("headless Chromium is needed for the report tests: apt-get install chromium (scripts/test installs it)");
}

/// Load `file` in headless Chromium with `args`; (stdout, stderr). Its output goes to files
/// (a pipe nobody reads while it runs would fill and stall it). Killed after 90 s.
fn browse(file: &Path, args: &[String], profile: &Path) -> (String, String) {
    std::fs::create_dir_all(profile).unwrap();
    let (out_path, err_path) = (profile.join("stdout.txt"), profile.join("stderr.txt"));
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("data").display()
        ))
        .args(args)
        .arg(format!("file://{}", file.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish on {} in 90 s: {}",
                file.display(),
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    (read(&out_path), read(&err_path))
}

/// The page's console messages as Chromium logs them (`INFO:CONSOLE:1] "..."`).
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE:") || l.contains(":CONSOLE("))
        .collect()
}

/// Distinct colours (to 4 bits per channel) and the share of non-white pixels.
fn pixel_variety(png_path: &Path) -> (usize, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).expect("screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let px = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let data = &buf[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    let mut non_white = 0usize;
    let n = data.len() / px;
    for p in data.chunks_exact(px) {
        colours.insert((p[0] >> 4, p[1] >> 4, p[2] >> 4));
        if p[0] < 240 || p[1] < 240 || p[2] < 240 {
            non_white += 1;
        }
    }
    (colours.len(), non_white as f64 / n as f64)
}

/// The charts in a DOM: (title, data points, draws bars).
fn charts_in(dom: &str) -> Vec<(String, u64, bool)> {
    let points = regex::Regex::new(r#"data-points="(\d+)""#).unwrap();
    dom.split("<svg")
        .skip(1)
        .map(|s| s.split("</svg>").next().unwrap())
        .map(|c| {
            let title = c
                .split("<title>")
                .nth(1)
                .and_then(|t| t.split("</title>").next())
                .unwrap_or("?")
                .to_string();
            let n = points
                .captures(c)
                .unwrap_or_else(|| panic!("{title}: no data-points"))[1]
                .parse()
                .unwrap();
            (title, n, c.contains("class=\"bar\""))
        })
        .collect()
}

/// A report another command wrote: no local path, no script, and in the browser no console
/// message and every chart drawn. Returns the DOM and the chart titles.
fn opens_cleanly(out: &Path, tmp: &Path, profile: &str) -> (String, Vec<String>) {
    let report = out.join("report.html");
    let html = std::fs::read_to_string(&report).expect("report.html written");
    assert!(!html.contains(&*tmp.to_string_lossy()), "a local path");
    assert!(html.contains("http-equiv=\"Content-Security-Policy\""));
    assert!(
        !html.to_lowercase().contains("<script"),
        "no script element"
    );
    let (dom, err) = browse(&report, &["--dump-dom".into()], &tmp.join(profile));
    assert!(
        console_lines(&err).is_empty(),
        "console: {:?}",
        console_lines(&err)
    );
    let charts = charts_in(&dom);
    assert!(!charts.is_empty(), "no chart");
    for (title, n, bars) in &charts {
        assert!(*n > 0 && *bars, "{title}: empty chart");
    }
    (dom, charts.into_iter().map(|c| c.0).collect())
}

#[test]
fn dedup_and_mix_outputs_get_a_report_a_browser_opens() {
    let tmp = tempfile::tempdir().unwrap();
    // `seapile dedup`: the planted near and exact copies appear as example clusters.
    let input = tmp.path().join("docs.jsonl");
    crate::dedup::write_docs(&input);
    let out = tmp.path().join("dedup");
    run_ok(
        seapile()
            .args(["dedup", "-j", "2", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&out),
    );
    let (dom, titles) = opens_cleanly(&out, tmp.path(), "profile-dedup");
    assert!(titles.contains(&"Documents".to_string()), "{titles:?}");
    assert!(
        titles.contains(&"Clusters by size".to_string()),
        "{titles:?}"
    );
    assert!(
        dom.contains("near-copy") && dom.contains("exact-copy"),
        "planted copies shown"
    );
    // `seapile report` rewrites it the same.
    let first = std::fs::read(out.join("report.html")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();
    run_ok(seapile().arg("report").arg(&out));
    assert!(std::fs::read(out.join("report.html")).unwrap() == first);

    // `seapile mix write`: achieved against target shares per group.
    let dir = tmp.path().join("mix");
    std::fs::create_dir(&dir).unwrap();
    crate::mix::corpus(&dir);
    let config = dir.join("mix.toml");
    std::fs::write(&config, crate::mix::CONFIG).unwrap();
    let out = tmp.path().join("mixed");
    run_ok(
        seapile()
            .args(["mix", "write"])
            .arg(&config)
            .arg("--output")
            .arg(&out)
            .args(["--seed", "7"]),
    );
    let (dom, titles) = opens_cleanly(&out, tmp.path(), "profile-mix");
    assert!(
        titles.iter().any(|t| t.ends_with(": share of tokens (%)")),
        "{titles:?}"
    );
    for want in ["Achieved vs target", "sea", "english", "70.0%", "30.0%"] {
        assert!(dom.contains(want), "{want} not in the mix report");
    }
    let first = std::fs::read(out.join("report.html")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();
    run_ok(seapile().arg("report").arg(&out));
    assert!(std::fs::read(out.join("report.html")).unwrap() == first);
}

#[test]
fn report_of_a_real_run_opens_in_a_browser_and_runs_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let warc = tmp.path().join("crawl.warc");
    std::fs::write(&warc, records().concat()).unwrap();
    let out = tmp.path().join("out");
    run_on(std::slice::from_ref(&warc), &out);
    let report = out.join("report.html");
    let html = std::fs::read_to_string(&report).expect("report.html written by the run");
    let stats = read_json(&out.join("stats.json"));
    let kept: Vec<String> = stats["run"]["langs"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(kept.len() >= 5, "{kept:?}");

    // No machine path anywhere published, no script, the policy.
    let local = tmp.path().to_string_lossy().to_string();
    // (stats.json keeps each shard's input path: a rerun checks it to resume.)
    let mut published: Vec<String> = vec!["report.html".into(), "README.md".into()];
    for sub in ["figures", "report"] {
        for e in std::fs::read_dir(out.join(sub)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            published.push(format!("{sub}/{name}"));
        }
    }
    assert!(published.len() >= 7, "{published:?}");
    for f in &published {
        let text = std::fs::read_to_string(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(!text.contains(&local), "{f} names a local path");
        assert!(!text.contains("/tmp/"), "{f} names a local path");
    }
    assert!(html.contains("http-equiv=\"Content-Security-Policy\""));
    assert!(
        !html.to_lowercase().contains("<script"),
        "no script element"
    );
    // The card embeds the figures with alt text; the figures are standalone SVG.
    let card = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(
        card.contains("![Bar chart of documents per stage: 9 HTML pages in"),
        "{card}"
    );
    assert!(card.contains("](figures/funnel.svg)") && card.contains("](figures/languages.svg)"));
    for f in ["funnel.svg", "tokens.svg", "languages.svg"] {
        let svg = std::fs::read_to_string(out.join("figures").join(f)).unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("class=\"bar\""), "{f} draws bars");
    }

    // The detector sees a console error where there is one (so its silence below counts).
    let probe = tmp.path().join("probe.html");
    std::fs::write(
        &probe,
        "<!DOCTYPE html><p>x</p><script>console.error('probe-error')</script>",
    )
    .unwrap();
    let (_, err) = browse(
        &probe,
        &["--dump-dom".into()],
        &tmp.path().join("profile-probe"),
    );
    assert!(
        console_lines(&err)
            .iter()
            .any(|l| l.contains("probe-error")),
        "console messages are not detected: {err}"
    );

    // The real browser: the DOM it built, and nothing on its console.
    let (dom, err) = browse(
        &report,
        &["--dump-dom".into()],
        &tmp.path().join("profile-dom"),
    );
    assert!(
        console_lines(&err).is_empty(),
        "console: {:?}",
        console_lines(&err)
    );
    assert!(
        dom.contains("Documents through the stages"),
        "the browser rendered the page"
    );
    assert!(
        !dom.to_lowercase().contains("<script"),
        "no script element in the DOM"
    );
    let tags = regex::Regex::new(r"<[a-zA-Z][^>]*>").unwrap();
    for t in tags.find_iter(&dom) {
        assert!(
            !t.as_str().to_lowercase().contains("onerror"),
            "an element with an onerror attribute: {}",
            t.as_str()
        );
    }
    // The hostile text is there as text: escaped markup, visible bidi marks, no raw marks.
    assert!(
        dom.contains("Beware &lt;script&gt;document.title='pwned'&lt;/script&gt; and &lt;/textarea&gt;&lt;img src=x \"onerror=alert(1)&gt; and [U+202E]reversed[U+200F] text."),
        "hostile sample not shown as text: {:?}",
        dom.find("Beware").map(|i| &dom[i..dom.len().min(i + 300)])
    );
    assert!(!dom.contains('\u{202E}') && !dom.contains('\u{200F}'));
    assert!(dom.contains("<title>"), "title intact");
    assert!(!dom.contains("pwned</title>"), "the script did not run");

    // Every chart is present and drew something.
    let charts = charts_in(&dom);
    assert!(charts.len() >= 30, "{} charts", charts.len());
    for (title, n, bars) in &charts {
        assert!(*n > 0, "{title}: empty chart");
        assert!(*bars, "{title}: no bars");
    }
    let titles: Vec<&str> = charts.iter().map(|c| c.0.as_str()).collect();
    for want in [
        "Documents through the stages",
        "Tokens through the stages (dropped ≈ estimated)",
        "Kept documents per language",
        "Kept tokens per language",
    ] {
        assert!(titles.contains(&want), "{want} missing: {titles:?}");
    }
    for lang in kept.iter().filter(|l| *l != "und") {
        for chart in ["language-ID score", "gopher.word_count", "characters"] {
            let want = format!("{lang}: {chart}");
            assert!(titles.iter().any(|t| *t == want), "{want} missing");
        }
    }
    // Thresholds are drawn on the signals they cut.
    assert!(dom.matches("class=\"threshold\"").count() >= kept.len() * 10);

    // A screenshot that is not blank.
    let shot = tmp.path().join("shot.png");
    let (_, err) = browse(
        &report,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,4000".into(),
        ],
        &tmp.path().join("profile-shot"),
    );
    assert!(shot.exists(), "no screenshot: {err}");
    let (colours, ink) = pixel_variety(&shot);
    assert!(colours >= 20, "{colours} colours: blank?");
    assert!(ink > 0.05, "{:.3} of the pixels are not white: blank?", ink);
}

#[test]
fn four_shards_give_the_report_of_one_and_report_rewrites_it() {
    let tmp = tempfile::tempdir().unwrap();
    let recs = records();
    let one = tmp.path().join("one.warc");
    std::fs::write(&one, recs.concat()).unwrap();
    let parts: Vec<PathBuf> = (0..4)
        .map(|k| {
            let p = tmp.path().join(format!("part-{k}.warc"));
            let mine: Vec<u8> = recs.iter().skip(k).step_by(4).flatten().copied().collect();
            std::fs::write(&p, mine).unwrap();
            p
        })
        .collect();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_on(std::slice::from_ref(&one), &a);
    run_on(&parts, &b);
    assert_eq!(read_json(&b.join("stats.json"))["run"]["shards"], 4);
    let read = |d: &Path, f: &str| std::fs::read(d.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    for f in [
        "report.html",
        "figures/funnel.svg",
        "figures/tokens.svg",
        "figures/languages.svg",
    ] {
        assert!(
            read(&a, f) == read(&b, f),
            "{f} differs between 1 and 4 shards"
        );
    }
    // Samples are in it, the same ones.
    let html = String::from_utf8(read(&a, "report.html")).unwrap();
    assert!(
        html.contains("class=\"doc dropped\""),
        "dropped samples shown"
    );
    assert!(
        html.contains("https://example.org/udhr/fra.html"),
        "the French page as a not_target_language sample"
    );

    // `seapile report OUT` writes the same file again from what the run left.
    std::fs::remove_file(b.join("report.html")).unwrap();
    std::fs::remove_dir_all(b.join("figures")).unwrap();
    run_ok(seapile().arg("report").arg(&b));
    assert!(read(&b, "report.html") == read(&a, "report.html"));
    assert!(read(&b, "figures/funnel.svg") == read(&a, "figures/funnel.svg"));

    // Nothing to report on: a clear error naming the folder.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = seapile().arg("report").arg(&empty).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stats.json") && err.contains("empty"), "{err}");
}
