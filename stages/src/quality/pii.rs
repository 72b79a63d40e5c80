//! PII masking: e-mail addresses become `email@example.com` and phone numbers `<phone>`.
//! A phone number must start with `+` (country code) or a trunk `0`, the way SEA numbers
//! are written (`+62 812-3456-7890`, `02 123 4567`), so runs of years or prices stay.

use std::sync::OnceLock;

use regex::Regex;

fn email() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
            .expect("valid regex")
    })
}

fn phone() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:\+\d{1,3}[\s.-]?|\b0)\(?\d{1,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,5}\b")
            .expect("valid regex")
    })
}

/// `text` with e-mail addresses and phone numbers masked, and how many were masked.
pub fn mask(text: &str) -> (String, usize) {
    let mut n = 0;
    let step = email().replace_all(text, |_: &regex::Captures<'_>| {
        n += 1;
        "email@example.com"
    });
    let out = phone()
        .replace_all(&step, |_: &regex::Captures<'_>| {
            n += 1;
            "<phone>"
        })
        .into_owned();
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_email_and_phone() {
        let (out, n) = mask("Hubungi redaksi@kompas.co.id atau +62 812-3456-7890, (021) x");
        assert_eq!(out, "Hubungi email@example.com atau <phone>, (021) x");
        assert_eq!(n, 2);
        let (out, n) = mask("โทร 02 123 4567 ครับ");
        assert_eq!((out.as_str(), n), ("โทร <phone> ครับ", 1));
    }

    #[test]
    fn leaves_years_and_prices() {
        let text = "Tahun 2019 2020 2021, harga Rp 1.250.000 dan 3,5 persen.";
        assert_eq!(mask(text), (text.to_string(), 0));
    }
}
