//! Just enough of the GGUF header to read a model's chat template and special tokens without
//! loading it: the key/value metadata section (spec: ggml/docs/gguf.md, versions 2 and 3).

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a GGUF file ({why})")]
    Format { path: String, why: String },
}

/// The metadata Magpie needs from a GGUF file.
#[derive(Debug, Clone, Default)]
pub struct GgufMeta {
    pub name: Option<String>,
    pub architecture: Option<String>,
    pub chat_template: Option<String>,
    pub bos_token: Option<String>,
    pub eos_token: Option<String>,
    pub add_bos_token: Option<bool>,
}

enum Value {
    Int(i64),
    Bool(bool),
    Str(String),
    Strings(Vec<String>),
    Other,
}

/// Read the metadata of the GGUF file at `path`.
pub fn read_meta(path: &Path) -> Result<GgufMeta, GgufError> {
    let p = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| GgufError::Io {
        path: p.clone(),
        source,
    })?;
    let mut r = Reader {
        inner: BufReader::with_capacity(1 << 20, file),
        path: p.clone(),
    };
    let mut magic = [0u8; 4];
    r.bytes(&mut magic)?;
    if &magic != b"GGUF" {
        return Err(r.bad("no GGUF magic"));
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        return Err(r.bad(&format!("unsupported version {version}")));
    }
    let _tensors = r.u64()?;
    let kv_count = r.u64()?;
    if kv_count > 1 << 20 {
        return Err(r.bad("implausible metadata count"));
    }
    let mut kv: HashMap<String, Value> = HashMap::new();
    for _ in 0..kv_count {
        let key = r.string()?;
        let ty = r.u32()?;
        let keep_strings = key == "tokenizer.ggml.tokens";
        let value = r.value(ty, keep_strings)?;
        kv.insert(key, value);
    }
    let string = |k: &str| match kv.get(k) {
        Some(Value::Str(s)) => Some(s.clone()),
        _ => None,
    };
    let token = |k: &str| -> Option<String> {
        let Some(Value::Int(id)) = kv.get(k) else {
            return None;
        };
        match kv.get("tokenizer.ggml.tokens") {
            Some(Value::Strings(tokens)) => tokens.get(usize::try_from(*id).ok()?).cloned(),
            _ => None,
        }
    };
    Ok(GgufMeta {
        name: string("general.name"),
        architecture: string("general.architecture"),
        chat_template: string("tokenizer.chat_template"),
        bos_token: token("tokenizer.ggml.bos_token_id"),
        eos_token: token("tokenizer.ggml.eos_token_id"),
        add_bos_token: match kv.get("tokenizer.ggml.add_bos_token") {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        },
    })
}

struct Reader<R> {
    inner: R,
    path: String,
}

impl<R: Read> Reader<R> {
    fn bad(&self, why: &str) -> GgufError {
        GgufError::Format {
            path: self.path.clone(),
            why: why.to_string(),
        }
    }

    fn bytes(&mut self, buf: &mut [u8]) -> Result<(), GgufError> {
        self.inner.read_exact(buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                self.bad("truncated metadata")
            } else {
                GgufError::Io {
                    path: self.path.clone(),
                    source: e,
                }
            }
        })
    }

    fn u32(&mut self) -> Result<u32, GgufError> {
        let mut b = [0u8; 4];
        self.bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> Result<u64, GgufError> {
        let mut b = [0u8; 8];
        self.bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn skip(&mut self, n: u64) -> Result<(), GgufError> {
        let copied = std::io::copy(&mut (&mut self.inner).take(n), &mut std::io::sink()).map_err(
            |source| GgufError::Io {
                path: self.path.clone(),
                source,
            },
        )?;
        if copied != n {
            return Err(self.bad("truncated metadata"));
        }
        Ok(())
    }

    fn string(&mut self) -> Result<String, GgufError> {
        let len = self.u64()?;
        if len > 64 << 20 {
            return Err(self.bad("implausible string length"));
        }
        let mut buf = vec![0u8; len as usize];
        self.bytes(&mut buf)?;
        String::from_utf8(buf).map_err(|_| self.bad("metadata string is not UTF-8"))
    }

    fn scalar_size(ty: u32) -> Option<u64> {
        match ty {
            0 | 1 | 7 => Some(1),
            2 | 3 => Some(2),
            4..=6 => Some(4),
            10..=12 => Some(8),
            _ => None,
        }
    }

    fn value(&mut self, ty: u32, keep_strings: bool) -> Result<Value, GgufError> {
        Ok(match ty {
            0 | 1 | 7 => {
                let mut b = [0u8; 1];
                self.bytes(&mut b)?;
                match ty {
                    7 => Value::Bool(b[0] != 0),
                    1 => Value::Int(b[0] as i8 as i64),
                    _ => Value::Int(b[0] as i64),
                }
            }
            2 | 3 => {
                let mut b = [0u8; 2];
                self.bytes(&mut b)?;
                Value::Int(if ty == 3 {
                    i16::from_le_bytes(b) as i64
                } else {
                    u16::from_le_bytes(b) as i64
                })
            }
            4 => Value::Int(self.u32()? as i64),
            5 => Value::Int(self.u32()? as i32 as i64),
            10 | 11 => Value::Int(self.u64()? as i64),
            6 | 12 => {
                self.skip(Self::scalar_size(ty).unwrap_or(0))?;
                Value::Other
            }
            8 => Value::Str(self.string()?),
            9 => {
                let inner = self.u32()?;
                let len = self.u64()?;
                if inner == 8 {
                    let mut out = Vec::new();
                    for _ in 0..len {
                        let s = self.string()?;
                        if keep_strings {
                            out.push(s);
                        }
                    }
                    if keep_strings {
                        Value::Strings(out)
                    } else {
                        Value::Other
                    }
                } else if let Some(size) = Self::scalar_size(inner) {
                    self.skip(
                        size.checked_mul(len)
                            .ok_or_else(|| self.bad("array size"))?,
                    )?;
                    Value::Other
                } else {
                    return Err(self.bad(&format!("array of type {inner}")));
                }
            }
            _ => return Err(self.bad(&format!("unknown metadata type {ty}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_gguf_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.gguf");
        std::fs::write(&p, b"GGML....").unwrap();
        let e = read_meta(&p).unwrap_err().to_string();
        assert!(e.contains("not a GGUF file"), "{e}");
        std::fs::write(&p, b"GGUF\x03\0\0\0\x01").unwrap();
        let e = read_meta(&p).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
    }
}
