//! A model's own chat template, rendered as Hugging Face `transformers` renders it (Jinja with
//! `trim_blocks`, `lstrip_blocks`, loop controls, Python string methods, `raise_exception`,
//! `strftime_now`), and cut for Magpie:
//!
//! * the **pre-query prefix** — the rendering up to where the user's content would start
//!   (`<|im_start|>user\n` for ChatML, `<bos><start_of_turn>user\n` for Gemma), with or without a
//!   system turn, found by rendering a conversation whose user content is a sentinel;
//! * the **response prompt** for an instruction (`add_generation_prompt=true`);
//! * the **end-of-turn** strings that close a turn (`<|eot_id|>`, `<end_of_turn>`, `<|im_end|>`).
//!
//! A template that cannot be cut (it rewrites or drops the user's content, or its prefix depends
//! on that content) is a clear error, never a silently wrong prefix.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::{Environment, Error as JinjaError, ErrorKind, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{0} has no chat template")]
    Missing(String),
    #[error("chat template of {model} does not render: {message}")]
    Render { model: String, message: String },
    #[error("chat template of {model} cannot be cut for Magpie: {why}")]
    Uncuttable { model: String, why: String },
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Message {
    pub role: String,
    pub content: String,
}

impl Message {
    pub fn new(role: &str, content: &str) -> Message {
        Message {
            role: role.to_string(),
            content: content.to_string(),
        }
    }
}

/// A chat template with the special tokens it refers to.
pub struct ChatTemplate {
    /// Where it came from (a file name or model name), for messages.
    pub origin: String,
    pub source: String,
    pub bos_token: String,
    pub eos_token: String,
    /// Extra variables (e.g. `enable_thinking = false` for Qwen 3, `thinking_mode = "off"` for
    /// SEA-LION v3.5, `date_string`).
    pub vars: BTreeMap<String, serde_json::Value>,
    env: Environment<'static>,
}

/// The date `strftime_now` renders: fixed, so prompts (and the request cache) do not change from
/// one day to the next. It is the Llama 3.1 template's own fallback date.
const TEMPLATE_DATE: (i32, u32, u32) = (2024, 7, 26);

impl ChatTemplate {
    pub fn new(
        origin: &str,
        source: &str,
        bos_token: &str,
        eos_token: &str,
    ) -> Result<ChatTemplate, TemplateError> {
        let mut env = Environment::new();
        let mut syntax = minijinja::syntax::SyntaxConfig::builder();
        syntax.trim_blocks(true).lstrip_blocks(true);
        env.set_syntax(syntax.build().expect("default delimiters are valid"));
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function(
            "raise_exception",
            |msg: String| -> Result<Value, JinjaError> {
                Err(JinjaError::new(ErrorKind::InvalidOperation, msg))
            },
        );
        env.add_function("strftime_now", |fmt: String| strftime(&fmt, TEMPLATE_DATE));
        env.add_template_owned("chat", source.to_string())
            .map_err(|e| TemplateError::Render {
                model: origin.to_string(),
                message: e.to_string(),
            })?;
        Ok(ChatTemplate {
            origin: origin.to_string(),
            source: source.to_string(),
            bos_token: bos_token.to_string(),
            eos_token: eos_token.to_string(),
            vars: BTreeMap::new(),
            env,
        })
    }

    /// From a Hugging Face `tokenizer_config.json` (`chat_template` as a string, or the list form
    /// with a `default` entry; `bos_token`/`eos_token` as strings or AddedToken objects).
    pub fn from_tokenizer_config(path: &Path) -> Result<ChatTemplate, TemplateError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| TemplateError::Read {
            path: origin.clone(),
            message: e.to_string(),
        })?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| TemplateError::Read {
                path: origin.clone(),
                message: format!("not JSON: {e}"),
            })?;
        let template = match &json["chat_template"] {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Array(list) => list
                .iter()
                .find(|t| t["name"] == "default")
                .and_then(|t| t["template"].as_str())
                .map(str::to_string),
            _ => None,
        }
        .ok_or_else(|| TemplateError::Missing(origin.clone()))?;
        let token = |v: &serde_json::Value| -> String {
            match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Object(o) => o
                    .get("content")
                    .and_then(|c| c.as_str())
                    .unwrap_or_default()
                    .to_string(),
                _ => String::new(),
            }
        };
        ChatTemplate::new(
            &origin,
            &template,
            &token(&json["bos_token"]),
            &token(&json["eos_token"]),
        )
    }

    /// From a GGUF file's `tokenizer.chat_template` and special tokens.
    pub fn from_gguf(path: &Path) -> Result<ChatTemplate, TemplateError> {
        let origin = path.display().to_string();
        let meta = crate::gguf::read_meta(path).map_err(|e| TemplateError::Read {
            path: origin.clone(),
            message: e.to_string(),
        })?;
        let template = meta
            .chat_template
            .ok_or_else(|| TemplateError::Missing(origin.clone()))?;
        ChatTemplate::new(
            &origin,
            &template,
            meta.bos_token.as_deref().unwrap_or_default(),
            meta.eos_token.as_deref().unwrap_or_default(),
        )
    }

    /// From a file: `.gguf` or a `tokenizer_config.json`.
    pub fn from_path(path: &Path) -> Result<ChatTemplate, TemplateError> {
        if path.extension().is_some_and(|e| e == "gguf") {
            ChatTemplate::from_gguf(path)
        } else {
            ChatTemplate::from_tokenizer_config(path)
        }
    }

    pub fn with_vars(mut self, vars: BTreeMap<String, serde_json::Value>) -> ChatTemplate {
        self.vars = vars;
        self
    }

    /// Render `messages` as `apply_chat_template(..., tokenize=False)` does.
    pub fn render(
        &self,
        messages: &[Message],
        add_generation_prompt: bool,
    ) -> Result<String, TemplateError> {
        let mut ctx: BTreeMap<String, Value> = self
            .vars
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(minijinja::value::Serde(v))))
            .collect();
        ctx.insert(
            "messages".into(),
            Value::from(minijinja::value::Serde(messages)),
        );
        ctx.insert(
            "add_generation_prompt".into(),
            Value::from(add_generation_prompt),
        );
        ctx.insert("bos_token".into(), Value::from(self.bos_token.clone()));
        ctx.insert("eos_token".into(), Value::from(self.eos_token.clone()));
        let tmpl = self.env.get_template("chat").expect("added in new()");
        tmpl.render(Value::from_pairs(ctx))
            .map_err(|e| TemplateError::Render {
                model: self.origin.clone(),
                message: format!("{e:#}"),
            })
    }

    /// A short hash of everything that shapes the prompts: template, special tokens, variables.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.source.as_bytes());
        h.update([0]);
        h.update(self.bos_token.as_bytes());
        h.update([0]);
        h.update(self.eos_token.as_bytes());
        h.update([0]);
        h.update(
            serde_json::to_string(&self.vars)
                .unwrap_or_default()
                .as_bytes(),
        );
        hex::encode(&h.finalize()[..8])
    }

    /// Cut the template for Magpie (see the module docs).
    pub fn magpie(&self) -> Result<Magpie<'_>, TemplateError> {
        let uncuttable = |why: String| TemplateError::Uncuttable {
            model: self.origin.clone(),
            why,
        };
        // The prefix must not depend on the content.
        let pre = self.cut(None, SENTINEL_A)?;
        if pre != self.cut(None, SENTINEL_B)? {
            return Err(uncuttable(
                "the text before the user's content depends on that content".into(),
            ));
        }
        // The end of an assistant turn: the text between its content and the next user's
        // content, less the user-turn header (the longest tail it shares with the prefix).
        let (u, a, c) = (SENTINEL_A, SENTINEL_B, SENTINEL_C);
        let three = self.render(
            &[
                Message::new("user", u),
                Message::new("assistant", a),
                Message::new("user", c),
            ],
            false,
        )?;
        let between = three
            .split_once(a)
            .and_then(|(_, rest)| rest.split_once(c))
            .map(|(between, _)| between)
            .ok_or_else(|| uncuttable("the conversation's turns do not appear in order".into()))?;
        // Most templates close an assistant turn with exactly what they put between turns
        // (`<|im_end|>\n`, `<end_of_turn>\n`, `<|eot_id|>`, `</s>`).
        let two = self.render(
            &[Message::new("user", u), Message::new("assistant", a)],
            false,
        )?;
        let after_a = two.rsplit_once(a).map(|(_, rest)| rest).unwrap_or_default();
        let mut end_of_turn = if !after_a.trim().is_empty() && between.starts_with(after_a) {
            after_a.trim().to_string()
        } else {
            // Templates that always append a generation prompt (Llama 3): drop the next
            // user header (the tail shared with the prefix), snapped forward to the end of a
            // special token so `<|eot_id|>` does not lose the `|>` it shares with `<|begin_of_text|>`.
            let shared = between
                .chars()
                .rev()
                .zip(pre.chars().rev())
                .take_while(|(x, y)| x == y)
                .map(|(x, _)| x.len_utf8())
                .sum::<usize>();
            let mut cut = between.len() - shared;
            let rest = &between[cut..];
            if !rest.starts_with(['<', '[', '\n', ' ']) {
                if let Some(close) = rest.find(['>', ']']) {
                    cut += close + 1;
                }
            }
            between[..cut].trim().to_string()
        };
        if end_of_turn.is_empty() {
            end_of_turn = self.eos_token.clone();
        }
        if end_of_turn.is_empty() {
            return Err(uncuttable(
                "no end-of-turn marker after the assistant's turn and no eos token".into(),
            ));
        }
        // A user turn must end the same way (true of every template we know).
        let one = self.render(&[Message::new("user", u)], false)?;
        let after_u = one.split_once(u).map(|(_, rest)| rest).unwrap_or_default();
        if !after_u.trim_start().starts_with(&end_of_turn) {
            return Err(uncuttable(format!(
                "a user turn does not end with the assistant's end-of-turn {end_of_turn:?}"
            )));
        }
        let mut stops = vec![end_of_turn.clone()];
        if !self.eos_token.is_empty() && self.eos_token != end_of_turn {
            stops.push(self.eos_token.clone());
        }
        Ok(Magpie {
            template: self,
            end_of_turn,
            stops,
        })
    }

    /// The rendering before the user's content `content`, with an optional system turn.
    fn cut(&self, system: Option<&str>, content: &str) -> Result<String, TemplateError> {
        let mut messages = Vec::new();
        if let Some(s) = system {
            messages.push(Message::new("system", s));
        }
        messages.push(Message::new("user", content));
        let text = self.render(&messages, false)?;
        let mut found = text.match_indices(content);
        match (found.next(), found.next()) {
            (Some((at, _)), None) => Ok(text[..at].to_string()),
            (None, _) => Err(TemplateError::Uncuttable {
                model: self.origin.clone(),
                why: "the user's content does not appear in the rendering".into(),
            }),
            (Some(_), Some(_)) => Err(TemplateError::Uncuttable {
                model: self.origin.clone(),
                why: "the user's content appears more than once".into(),
            }),
        }
    }
}

const SENTINEL_A: &str = "\u{E000}seapile-user-A\u{E001}";
const SENTINEL_B: &str = "\u{E000}seapile-assistant-B\u{E001}";
const SENTINEL_C: &str = "\u{E000}seapile-user-C\u{E001}";

/// A template cut for Magpie.
pub struct Magpie<'t> {
    template: &'t ChatTemplate,
    /// The marker that closes a turn, e.g. `<|im_end|>`.
    pub end_of_turn: String,
    /// Stop strings for generation: the end of turn, then the eos token when different.
    pub stops: Vec<String>,
}

impl Magpie<'_> {
    /// The pre-query prefix: the model continues it with a user turn. `opening` (e.g. a few
    /// words in the target language) is appended after the cut and is part of the instruction.
    pub fn pre_query(&self, system: Option<&str>, opening: &str) -> Result<String, TemplateError> {
        let mut p = self.template.cut(system, SENTINEL_A)?;
        p.push_str(opening);
        Ok(p)
    }

    /// The prompt that makes the model answer `instruction`.
    pub fn response_prompt(
        &self,
        system: Option<&str>,
        instruction: &str,
    ) -> Result<String, TemplateError> {
        let mut messages = Vec::new();
        if let Some(s) = system {
            messages.push(Message::new("system", s));
        }
        messages.push(Message::new("user", instruction));
        self.template.render(&messages, true)
    }

    pub fn template(&self) -> &ChatTemplate {
        self.template
    }
}

/// `strftime` for the formats chat templates use (`%d %b %Y`, `%Y-%m-%d`, `%B`, ...).
fn strftime(fmt: &str, (y, m, d): (i32, u32, u32)) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = MONTHS[(m as usize - 1) % 12];
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => out.push_str(&format!("{d:02}")),
            Some('m') => out.push_str(&format!("{m:02}")),
            Some('Y') => out.push_str(&y.to_string()),
            Some('y') => out.push_str(&format!("{:02}", y % 100)),
            Some('b') => out.push_str(&month[..3]),
            Some('B') => out.push_str(month),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHATML: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    #[test]
    fn chatml_cuts_at_the_user_content() {
        let t = ChatTemplate::new("chatml", CHATML, "", "<|im_end|>").unwrap();
        let m = t.magpie().unwrap();
        assert_eq!(m.pre_query(None, "").unwrap(), "<|im_start|>user\n");
        assert_eq!(
            m.pre_query(Some("Be brief."), "Apa").unwrap(),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nApa"
        );
        assert_eq!(
            m.response_prompt(None, "Hi?").unwrap(),
            "<|im_start|>user\nHi?<|im_end|>\n<|im_start|>assistant\n"
        );
        assert_eq!(m.end_of_turn, "<|im_end|>");
        assert_eq!(m.stops, vec!["<|im_end|>".to_string()]);
    }

    #[test]
    fn templates_that_rewrite_the_content_cannot_be_cut() {
        let upper = "{% for m in messages %}<u>{{ m['content'] | upper }}</u>{% endfor %}";
        let t = ChatTemplate::new("upper", upper, "", "</s>").unwrap();
        let e = t.magpie().err().expect("must not cut").to_string();
        assert!(e.contains("cannot be cut"), "{e}");
        let raising = "{{ raise_exception('no user turns here') }}";
        let t = ChatTemplate::new("raising", raising, "", "</s>").unwrap();
        let e = t.magpie().err().expect("must not cut").to_string();
        assert!(e.contains("no user turns here"), "{e}");
    }

    #[test]
    fn strftime_formats_of_templates() {
        assert_eq!(strftime("%d %b %Y", (2024, 7, 26)), "26 Jul 2024");
        assert_eq!(strftime("%Y-%m-%d %B", (2024, 7, 6)), "2024-07-06 July");
    }
}
