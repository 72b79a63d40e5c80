//! What a Magpie run leaves in `OUT/`:
//!
//! * `data/train-00000-of-00001.parquet` — one kept pair per row: `id`, `messages`
//!   (`[{role, content}]`), `language` (ISO 639-3), `model`, `template_hash`, `sampling` (JSON),
//!   `seed`, token counts and the language-ID signals; `conversations` (ShareGPT) on request;
//!   the same as `.jsonl` on request;
//! * `rejected/rejected.jsonl` — every dropped pair with its `reason`;
//! * `stats.json` — the [`RunReport`]; `README.md` — the dataset card.
//!
//! Outputs are rebuilt from the request cache on every run, each file written atomically.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder, StructBuilder};
use arrow_array::{
    Array, ArrayRef, Float32Array, Int32Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Fields, Schema};
use data_cards::escape::{md_block, md_cell, md_code, percent, thousands, yaml_str};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::magpie::{MagpieConfig, Pair, RunReport};

pub const DATA_FILE: &str = "data/train-00000-of-00001.parquet";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> OutputError {
    OutputError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    pipeline::runner::write_atomic(path, bytes).map_err(|e| write_err(path, e))
}

/// Write everything for a finished run.
pub fn write_all(
    out: &Path,
    config: &MagpieConfig,
    pairs: &[Pair],
    report: &RunReport,
) -> Result<(), OutputError> {
    let kept: Vec<&Pair> = pairs.iter().filter(|p| p.reason.is_none()).collect();
    let path = out.join(DATA_FILE);
    atomic(
        &path,
        &parquet_bytes(config, report, &kept).map_err(|e| write_err(&path, e))?,
    )?;
    if config.output.jsonl {
        let mut text = String::new();
        for p in &kept {
            text += &serde_json::to_string(&row_json(config, report, p)).expect("json");
            text.push('\n');
        }
        atomic(
            &out.join("data/train-00000-of-00001.jsonl"),
            text.as_bytes(),
        )?;
    }
    let mut rejected = String::new();
    for p in pairs.iter().filter(|p| p.reason.is_some()) {
        rejected += &serde_json::to_string(p).expect("json");
        rejected.push('\n');
    }
    atomic(&out.join("rejected/rejected.jsonl"), rejected.as_bytes())?;
    let stats = serde_json::to_string_pretty(report).expect("json");
    atomic(&out.join("stats.json"), stats.as_bytes())?;
    atomic(&out.join("README.md"), card(config, report).as_bytes())?;
    Ok(())
}

fn messages(p: &Pair) -> [(&'static str, &str); 2] {
    [("user", &p.instruction), ("assistant", &p.response)]
}

fn row_json(config: &MagpieConfig, report: &RunReport, p: &Pair) -> serde_json::Value {
    let mut row = serde_json::json!({
        "id": p.id,
        "messages": messages(p).iter().map(|(r, c)| serde_json::json!({"role": r, "content": c})).collect::<Vec<_>>(),
        "language": p.language,
        "model": report.model,
        "template_hash": report.template_hash,
        "sampling": sampling_json(config),
        "seed": p.seed,
        "instruction_tokens": p.instruction_tokens,
        "response_tokens": p.response_tokens,
        "instruction_lang_score": p.instruction_lang_score,
        "response_lang_score": p.response_lang_score,
    });
    if config.output.sharegpt {
        row["conversations"] = serde_json::json!([
            {"from": "human", "value": p.instruction},
            {"from": "gpt", "value": p.response},
        ]);
    }
    row
}

fn sampling_json(config: &MagpieConfig) -> String {
    serde_json::json!({
        "instruction": config.instruction,
        "response": config.response,
        "steering": config.steering,
    })
    .to_string()
}

fn turn_list(pairs: &[&Pair], names: (&str, &str), roles: (&str, &str)) -> (ArrayRef, DataType) {
    let fields = Fields::from(vec![
        Field::new(names.0, DataType::Utf8, false),
        Field::new(names.1, DataType::Utf8, false),
    ]);
    let mut list = ListBuilder::new(StructBuilder::from_fields(fields.clone(), 2));
    for p in pairs {
        for (i, content) in [&p.instruction, &p.response].into_iter().enumerate() {
            let role = if i == 0 { roles.0 } else { roles.1 };
            let item = list.values();
            item.field_builder::<StringBuilder>(0)
                .expect("string field")
                .append_value(role);
            item.field_builder::<StringBuilder>(1)
                .expect("string field")
                .append_value(content);
            item.append(true);
        }
        list.append(true);
    }
    let array = list.finish();
    let dt = array.data_type().clone();
    (Arc::new(array), dt)
}

fn parquet_bytes(
    config: &MagpieConfig,
    report: &RunReport,
    kept: &[&Pair],
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let n = kept.len();
    let strings = |f: &dyn Fn(&Pair) -> String| -> ArrayRef {
        Arc::new(StringArray::from(
            kept.iter().map(|p| f(p)).collect::<Vec<_>>(),
        ))
    };
    let (messages, messages_type) = turn_list(kept, ("role", "content"), ("user", "assistant"));
    let mut columns: Vec<(&str, ArrayRef, DataType)> = vec![
        ("id", strings(&|p| p.id.clone()), DataType::Utf8),
        ("messages", messages, messages_type),
        (
            "language",
            strings(&|p| p.language.to_string()),
            DataType::Utf8,
        ),
        ("model", strings(&|_| report.model.clone()), DataType::Utf8),
        (
            "template_hash",
            strings(&|_| report.template_hash.clone()),
            DataType::Utf8,
        ),
        (
            "sampling",
            strings(&|_| sampling_json(config)),
            DataType::Utf8,
        ),
        (
            "seed",
            Arc::new(UInt64Array::from(
                kept.iter().map(|p| p.seed).collect::<Vec<_>>(),
            )),
            DataType::UInt64,
        ),
        (
            "instruction_tokens",
            Arc::new(Int32Array::from(
                kept.iter()
                    .map(|p| p.instruction_tokens as i32)
                    .collect::<Vec<_>>(),
            )),
            DataType::Int32,
        ),
        (
            "response_tokens",
            Arc::new(Int32Array::from(
                kept.iter()
                    .map(|p| p.response_tokens as i32)
                    .collect::<Vec<_>>(),
            )),
            DataType::Int32,
        ),
        (
            "instruction_lang_score",
            Arc::new(Float32Array::from(
                kept.iter()
                    .map(|p| p.instruction_lang_score)
                    .collect::<Vec<_>>(),
            )),
            DataType::Float32,
        ),
        (
            "response_lang_score",
            Arc::new(Float32Array::from(
                kept.iter()
                    .map(|p| p.response_lang_score)
                    .collect::<Vec<_>>(),
            )),
            DataType::Float32,
        ),
    ];
    if config.output.sharegpt {
        let (conv, conv_type) = turn_list(kept, ("from", "value"), ("human", "gpt"));
        columns.push(("conversations", conv, conv_type));
    }
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, _, dt)| Field::new(*name, dt.clone(), false))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(schema.clone(), columns.into_iter().map(|c| c.1).collect())?;
    debug_assert_eq!(batch.num_rows(), n);
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
        .build();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema, Some(props))?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(bytes)
}

/// The dataset card, in the style of SEA-LION's SEA-Instruct cards: counts per language, drop
/// reasons, model and template, generation settings, licence.
pub fn card(config: &MagpieConfig, report: &RunReport) -> String {
    let langs: Vec<&str> = report.per_language.keys().map(String::as_str).collect();
    let mut y = String::from("---\n");
    y += &format!("pretty_name: {}\n", yaml_str(&config.output.pretty_name));
    y += &format!("license: {}\n", yaml_str(&config.output.license));
    y += "language:\n";
    for l in data_cards::langs::hub_languages(&langs) {
        y += &format!("- {}\n", yaml_str(&l));
    }
    y += "task_categories:\n- text-generation\n";
    y += &format!(
        "size_categories:\n- {}\n",
        yaml_str(data_cards::size_category(report.kept))
    );
    y += "tags:\n- seapile\n- synthetic\n- magpie\n- southeast-asia\n";
    y += "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/*.parquet\n";
    y += "---\n\n";
    y += &format!("# {}\n\n", config.output.pretty_name);
    y += &format!(
        "Instruction–response pairs made Magpie-style by [seapile](https://github.com/seapile/seapile): \
the chat model {} was given only the pre-query prefix of its own chat template, wrote a user \
turn, then answered it. Every pair was checked: both turns must end at the end of turn, stay within \
length bounds, not loop, refuse or talk about the model, and be identified (lid.176 + seapile's SEA \
rules) as the target language; near-duplicate instructions were dropped across the whole set.\n\n",
        md_code(&report.model)
    );
    y += &format!(
        "{} pairs kept of {} samples ({}).\n\n",
        thousands(report.kept),
        thousands(report.samples),
        percent(report.kept, report.samples)
    );
    y += "## Languages\n\n| language | samples | kept | keep rate | instruction tokens | response tokens |\n|---|---:|---:|---:|---:|---:|\n";
    for (code, r) in &report.per_language {
        y += &format!(
            "| {} ({}) | {} | {} | {} | {} | {} |\n",
            md_cell(data_cards::langs::name(code)),
            md_code(code),
            thousands(r.samples),
            thousands(r.kept),
            percent(r.kept, r.samples),
            thousands(r.instruction_tokens),
            thousands(r.response_tokens)
        );
    }
    y += "\n## Dropped pairs\n\n| reason |";
    for code in report.per_language.keys() {
        y += &format!(" {} |", md_cell(code));
    }
    y += " total |\n|---|";
    for _ in report.per_language.keys() {
        y += "---:|";
    }
    y += "---:|\n";
    for reason in crate::filters::REASONS {
        let counts: Vec<u64> = report
            .per_language
            .values()
            .map(|r| r.dropped.get(*reason).copied().unwrap_or(0))
            .collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            continue;
        }
        y += &format!("| `{reason}` |");
        for c in counts {
            y += &format!(" {} |", thousands(c));
        }
        y += &format!(" {} |\n", thousands(total));
    }
    y += "\n## Generation\n\n";
    y += &format!(
        "- model: {} (engine: {})\n",
        md_code(&report.model),
        report.engine
    );
    y += &format!(
        "- chat template: {} (hash {}), stops: {}\n",
        md_code(&report.template),
        md_code(&report.template_hash),
        report
            .stops
            .iter()
            .map(|s| md_code(s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    y += &format!("- language steering: {}\n", report.steering);
    y += &format!(
        "- instruction sampling: temperature {}, top-p {}, at most {} tokens\n",
        config.instruction.temperature, config.instruction.top_p, config.instruction.max_tokens
    );
    y += &format!(
        "- response sampling: temperature {}, top-p {}, at most {} tokens\n",
        config.response.temperature, config.response.top_p, config.response.max_tokens
    );
    y += &format!(
        "- seed {}; {} requests sent, {} answered from the cache, {} generated tokens in {:.1} s\n",
        config.seed,
        thousands(report.requests_sent),
        thousands(report.cache_hits),
        thousands(report.generated_tokens),
        report.generation_seconds
    );
    if let Some((code, prefix)) = report.pre_query.iter().next() {
        y += &format!(
            "\nThe pre-query prefix ({code}; other languages differ in the system turn):\n\n"
        );
        y += &md_block("text", prefix);
    }
    y +=
        "\n## Columns\n\n`id`, `messages` (`[{role, content}]`), `language` (ISO 639-3), `model`, \
`template_hash`, `sampling` (JSON), `seed`, `instruction_tokens`, `response_tokens`, \
`instruction_lang_score`, `response_lang_score`";
    if config.output.sharegpt {
        y += ", `conversations` (ShareGPT)";
    }
    y += ".\n\nDropped pairs and their reasons are in `rejected/rejected.jsonl`; the run's counters in `stats.json`.\n";
    y += &format!(
        "\n## Licence\n\n{} — check the generating model's licence: it usually governs its outputs.\n",
        md_code(&config.output.license)
    );
    y
}
