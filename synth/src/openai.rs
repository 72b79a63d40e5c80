//! An OpenAI-compatible server as the engine: vLLM, SGLang, TGI or llama.cpp's `llama-server`,
//! by URL. Magpie needs the raw prefix, so requests go to `/v1/completions` with the prompt as
//! text (a chat endpoint would wrap it in its own template). Many requests are in flight at once
//! (one blocking connection per worker thread, connections kept alive), each with a timeout and
//! retries with exponential backoff on connection errors, 429 and 5xx.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use crate::engine::{Engine, EngineError, Finish, Generation, Request};

/// How to reach the server.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpenAiOptions {
    /// e.g. `http://localhost:8000/v1` (a trailing `/v1` is optional).
    pub base_url: String,
    /// The served model name; empty: the first model `/v1/models` lists.
    pub model: String,
    /// Requests in flight.
    pub concurrency: usize,
    pub timeout_s: f64,
    pub max_retries: u32,
    /// Environment variable holding the API key (sent as `Authorization: Bearer`), if set.
    pub api_key_env: String,
    /// Drop the template's leading BOS text: servers add BOS themselves when tokenizing.
    pub strip_bos: bool,
}

impl Default for OpenAiOptions {
    fn default() -> Self {
        OpenAiOptions {
            base_url: "http://localhost:8000/v1".into(),
            model: String::new(),
            concurrency: 64,
            timeout_s: 600.0,
            max_retries: 5,
            api_key_env: "OPENAI_API_KEY".into(),
            strip_bos: true,
        }
    }
}

pub struct OpenAiEngine {
    opts: OpenAiOptions,
    completions_url: String,
    model: String,
    bos: String,
    agent: ureq::Agent,
    api_key: Option<String>,
}

#[derive(Deserialize)]
struct CompletionResponse {
    choices: Vec<Choice>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    text: String,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    completion_tokens: Option<u32>,
}

fn api_root(base_url: &str) -> String {
    let trimmed = base_url.trim_end_matches('/');
    if trimmed.ends_with("/v1") {
        trimmed.to_string()
    } else {
        format!("{trimmed}/v1")
    }
}

impl OpenAiEngine {
    /// Connect: checks the server answers `/v1/models` and picks the model name if not given.
    /// `bos` is the template's BOS text, stripped from prompts when `strip_bos` is set.
    pub fn connect(opts: OpenAiOptions, bos: &str) -> Result<OpenAiEngine, EngineError> {
        let root = api_root(&opts.base_url);
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs_f64(opts.timeout_s.max(0.001))))
            .http_status_as_error(false)
            .max_idle_connections(opts.concurrency.max(1) * 2)
            .max_idle_connections_per_host(opts.concurrency.max(1) * 2)
            .build();
        let agent: ureq::Agent = config.into();
        let api_key = std::env::var(&opts.api_key_env)
            .ok()
            .filter(|k| !k.is_empty());
        let mut engine = OpenAiEngine {
            completions_url: format!("{root}/completions"),
            model: opts.model.clone(),
            bos: bos.to_string(),
            agent,
            api_key,
            opts,
        };
        let models_url = format!("{root}/models");
        let body = engine.send("GET", &models_url, None)?;
        if engine.model.is_empty() {
            let v: serde_json::Value =
                serde_json::from_str(&body).map_err(|e| EngineError::BadResponse {
                    url: models_url.clone(),
                    message: format!("not JSON: {e}"),
                })?;
            engine.model = v["data"][0]["id"]
                .as_str()
                .ok_or_else(|| EngineError::BadResponse {
                    url: models_url.clone(),
                    message: "no model listed; set the model name".into(),
                })?
                .to_string();
        }
        Ok(engine)
    }

    /// One HTTP exchange with retries; returns the body of a 2xx answer.
    fn send(&self, method: &str, url: &str, body: Option<&str>) -> Result<String, EngineError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (status, message) = match self.send_once(method, url, body) {
                Ok((_, body)) => return Ok(body),
                Err(e) => e,
            };
            let retryable = status.is_none_or(|s| s == 429 || s >= 500);
            if !retryable || attempt > self.opts.max_retries {
                return Err(EngineError::Http {
                    url: url.to_string(),
                    attempts: attempt,
                    message,
                });
            }
            let backoff = 0.25 * 2f64.powi(attempt as i32 - 1);
            std::thread::sleep(Duration::from_secs_f64(backoff.min(30.0)));
        }
    }

    fn send_once(
        &self,
        method: &str,
        url: &str,
        body: Option<&str>,
    ) -> Result<(u16, String), (Option<u16>, String)> {
        let auth = self.api_key.as_ref().map(|k| format!("Bearer {k}"));
        let response = if method == "GET" {
            let mut req = self.agent.get(url);
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.call()
        } else {
            let mut req = self
                .agent
                .post(url)
                .header("Content-Type", "application/json");
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.send(body.unwrap_or_default())
        };
        let mut response = response.map_err(|e| (None, e.to_string()))?;
        let status = response.status().as_u16();
        let mut text = String::new();
        response
            .body_mut()
            .as_reader()
            .read_to_string(&mut text)
            .map_err(|e| (None, format!("reading the body: {e}")))?;
        if (200..300).contains(&status) {
            Ok((status, text))
        } else {
            let snippet: String = text.chars().take(300).collect();
            Err((Some(status), format!("HTTP {status}: {snippet}")))
        }
    }

    /// The `/v1/completions` URL requests go to.
    pub fn completions_url(&self) -> &str {
        &self.completions_url
    }

    /// The JSON body sent for `request` (benchmarks replay it with other clients).
    pub fn request_body(&self, request: &Request) -> String {
        let prompt = if self.opts.strip_bos && !self.bos.is_empty() {
            request
                .prompt
                .strip_prefix(&self.bos)
                .unwrap_or(&request.prompt)
        } else {
            &request.prompt
        };
        serde_json::json!({
            "model": self.model,
            "prompt": prompt,
            "max_tokens": request.sampling.max_tokens,
            "temperature": request.sampling.temperature,
            "top_p": request.sampling.top_p,
            "seed": request.seed,
            "stop": request.stop,
            "n": 1,
        })
        .to_string()
    }

    fn complete(&self, request: &Request) -> Result<Generation, EngineError> {
        let body = self.request_body(request);
        let text = self.send("POST", &self.completions_url, Some(&body))?;
        let bad = |message: String| EngineError::BadResponse {
            url: self.completions_url.clone(),
            message,
        };
        let parsed: CompletionResponse =
            serde_json::from_str(&text).map_err(|e| bad(format!("not a completion: {e}")))?;
        let choice = parsed
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| bad("no choices".into()))?;
        let finish = match choice.finish_reason.as_deref() {
            Some("stop") | Some("eos") | Some("stop_sequence") => Finish::Stop,
            _ => Finish::Length,
        };
        Ok(Generation {
            text: choice.text,
            finish,
            tokens: parsed
                .usage
                .and_then(|u| u.completion_tokens)
                .unwrap_or_default(),
        })
    }
}

impl Engine for OpenAiEngine {
    fn model(&self) -> &str {
        &self.model
    }

    /// Sixteen waves of requests per call: a call ends when its slowest request does, so the
    /// slots left idle at its tail are at most about 1/16 of its time.
    fn batch_size(&self) -> usize {
        self.opts.concurrency.max(1) * 16
    }

    fn generate(&self, requests: &[Request]) -> Vec<Result<Generation, EngineError>> {
        let results: Vec<Mutex<Option<Result<Generation, EngineError>>>> =
            requests.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let workers = self.opts.concurrency.max(1).min(requests.len());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(request) = requests.get(i) else {
                        break;
                    };
                    let r = self.complete(request);
                    *results[i].lock().expect("no panics hold this lock") = Some(r);
                });
            }
        });
        results
            .into_iter()
            .map(|m| {
                m.into_inner()
                    .expect("no panics hold this lock")
                    .expect("every request is answered")
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_root_takes_either_form() {
        assert_eq!(api_root("http://h:8000"), "http://h:8000/v1");
        assert_eq!(api_root("http://h:8000/v1/"), "http://h:8000/v1");
    }

    #[test]
    fn unreachable_server_is_a_clear_error() {
        let opts = OpenAiOptions {
            base_url: "http://127.0.0.1:9".into(),
            max_retries: 1,
            timeout_s: 2.0,
            ..Default::default()
        };
        let e = OpenAiEngine::connect(opts, "").err().unwrap().to_string();
        assert!(e.contains("127.0.0.1:9") && e.contains("2 attempt"), "{e}");
    }
}
