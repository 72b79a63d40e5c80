//! seapile's per-document stages: WARC ingest with charset decoding ([`warc`]), main-text
//! extraction ([`extract`]), quality rules ([`quality`]) and token counting ([`tokens`]).
//!
//! Each stage module holds its config (`ExtractConfig`, `QualityConfig`, `TokensConfig`: the
//! `[[stages]]` table of its `type`), which implements [`pipeline::BuildStage`]: built once
//! per run from the asset cache (loading models, validating), then called per document,
//! dropping bad input with a stable reason from its `reason` module.

pub mod extract;
pub mod quality;
pub mod tokens;
pub mod warc;
