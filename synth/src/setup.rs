//! From a [`MagpieConfig`] to what a run needs: the engine (in-process llama.cpp or an
//! OpenAI-compatible server) and the chat template it is prompted with.

use std::path::PathBuf;

use crate::engine::Engine;
use crate::magpie::{EngineKind, MagpieConfig, MagpieError};
use crate::template::ChatTemplate;

/// The engine and template `config` names. The local engine needs `config.model` (a GGUF);
/// the OpenAI engine needs `config.template` and fills `config.model` from the server when
/// it is empty.
pub fn engine(config: &mut MagpieConfig) -> Result<(Box<dyn Engine>, ChatTemplate), MagpieError> {
    match config.engine {
        EngineKind::Local => {
            if config.model.is_empty() {
                return Err(MagpieError::Config(
                    "the local engine needs a GGUF model (--model PATH)".into(),
                ));
            }
            let template = template_for(config, Some(&config.model))?;
            Ok((local_engine(config)?, template))
        }
        EngineKind::Openai => {
            if config.template.is_empty() {
                return Err(MagpieError::Config(
                    "the OpenAI engine needs the served model's chat template: \
                     --template tokenizer_config.json (or the model's .gguf)"
                        .into(),
                ));
            }
            let template = template_for(config, None)?;
            let engine =
                crate::openai::OpenAiEngine::connect(config.openai.clone(), &template.bos_token)?;
            if config.model.is_empty() {
                config.model = engine.model().to_string();
            }
            Ok((Box::new(engine), template))
        }
    }
}

/// The configured template, else the GGUF's own.
fn template_for(config: &MagpieConfig, gguf: Option<&str>) -> Result<ChatTemplate, MagpieError> {
    let path = if config.template.is_empty() {
        PathBuf::from(gguf.unwrap_or_default())
    } else {
        PathBuf::from(&config.template)
    };
    Ok(ChatTemplate::from_path(&path)?.with_vars(config.template_vars.clone()))
}

#[cfg(feature = "local")]
fn local_engine(config: &MagpieConfig) -> Result<Box<dyn Engine>, MagpieError> {
    let mut opts = crate::local::LocalOptions {
        n_ctx: config.local.n_ctx,
        batch: config.local.batch.max(1),
        ..Default::default()
    };
    if config.local.threads > 0 {
        opts.threads = config.local.threads;
    }
    let path = PathBuf::from(&config.model);
    Ok(Box::new(crate::local::LocalEngine::load(&path, opts)?))
}

#[cfg(not(feature = "local"))]
fn local_engine(_config: &MagpieConfig) -> Result<Box<dyn Engine>, MagpieError> {
    Err(MagpieError::Config(
        "this seapile was built without the in-process engine: build it with `--features local` \
         (it compiles llama.cpp and needs cmake, clang and libclang-dev), or use \
         `--engine openai --base-url URL` with a running server"
            .into(),
    ))
}
