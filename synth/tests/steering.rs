//! The steering text must itself be in the target language, as seapile's own language ID sees
//! it: a system prompt identified as another language would steer the model away.

use std::sync::Arc;

use synth::lang::LANGUAGES;
use synth::magpie::LanguageCheck;
use testkit::expect_cached;

#[test]
fn every_system_prompt_is_identified_as_its_language() {
    let lid = langid::FastText::load(expect_cached("lid.176.ftz")).unwrap();
    let sea = langid::SeaLangid::new(
        Arc::new(lid),
        langid::MalayLexicon::shared(expect_cached(langid::LEXICON_DIR)).unwrap(),
    );
    let mut wrong = Vec::new();
    for l in LANGUAGES {
        let (code, score) = LanguageCheck::identify(&sea, l.system);
        if code != l.code {
            wrong.push(format!(
                "{} system prompt identified as {code} ({score:.2})",
                l.code
            ));
        }
    }
    assert!(LANGUAGES.len() >= 12, "11 SEA languages + English");
    assert!(wrong.is_empty(), "{wrong:#?}");
}
