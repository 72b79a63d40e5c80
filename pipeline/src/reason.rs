//! Drop reasons, declared one way everywhere: [`drop_reasons!`] turns documented constants
//! into `&'static str` reasons for [`Outcome::drop`](crate::Outcome::drop) plus an `ALL` list
//! of [`Reason`]s, from which `seapile reasons` and `docs/drop-reasons.md` are made.

use serde::Serialize;

/// A stable drop reason and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// What stats, rejected rows and cards show, e.g. `not_target_language`.
    pub name: &'static str,
    /// The reason's doc comment, as written.
    #[serde(skip)]
    pub doc: &'static str,
}

impl Reason {
    /// The doc comment as one line.
    pub fn meaning(&self) -> String {
        self.doc.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Declare a module's drop reasons: each a documented `NAME = "value";`. Expands to one
/// `pub const NAME: &str` per reason and `pub const ALL: &[Reason]` in declaration order.
///
/// ```
/// mod reason {
///     pipeline::drop_reasons! {
///         /// The document has no text.
///         NO_TEXT = "no_text";
///     }
/// }
/// assert_eq!(reason::NO_TEXT, "no_text");
/// assert_eq!(reason::ALL[0].meaning(), "The document has no text.");
/// ```
#[macro_export]
macro_rules! drop_reasons {
    ($($(#[doc = $doc:literal])+ $name:ident = $value:literal;)+) => {
        $(
            $(#[doc = $doc])+
            pub const $name: &str = $value;
        )+
        /// Every reason above, in order, with what it means.
        pub const ALL: &[$crate::Reason] = &[$($crate::Reason {
            name: $value,
            doc: concat!($($doc, " "),+),
        }),+];
    };
}

#[cfg(test)]
mod tests {
    #[allow(dead_code)]
    mod reasons {
        crate::drop_reasons! {
            /// First line
            /// and second.
            A = "a";
            /// B.
            B = "b";
        }
    }

    #[test]
    fn macro_declares_constants_and_list() {
        assert_eq!(reasons::A, "a");
        let names: Vec<_> = reasons::ALL.iter().map(|r| r.name).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(reasons::ALL[0].meaning(), "First line and second.");
    }
}
