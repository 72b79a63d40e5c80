//! seapile synthesis: Magpie-style SEA instruction pairs from a chat model's own template.
//!
//! [`template`] renders and cuts the model's Jinja chat template; [`engine`] is the one trait
//! over the in-process llama.cpp engine ([`local`], feature `local`) and OpenAI-compatible
//! servers ([`openai`]); [`magpie`] plans samples per language, asks through the request
//! [`cache`], and checks every pair ([`filters`], language ID, near-duplicates); [`output`]
//! writes Parquet/JSONL and the dataset card.
pub mod cache;
pub mod engine;
pub mod filters;
pub mod gguf;
pub mod lang;
#[cfg(feature = "local")]
pub mod local;
pub mod magpie;
pub mod openai;
pub mod output;
pub mod setup;
pub mod template;
