//! The error accumulator (serde_derive's `Ctxt`), so a user sees every mistake in one build,
//! and the helpers messages share ("did you mean", name lists).

use std::cell::RefCell;
use std::fmt::Display;

use quote::ToTokens;

/// Collects spanned errors. [`Ctxt::check`] must be called before it is dropped: dropping it
/// unchecked panics, so a code path of this crate that forgets to report its errors is caught
/// by the tests instead of silently expanding a broken input.
pub(crate) struct Ctxt {
    /// `None` once checked.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    /// A new, empty accumulator.
    pub(crate) fn new() -> Self {
        Ctxt { errors: RefCell::new(Some(Vec::new())) }
    }

    /// An error spanning `tokens`.
    pub(crate) fn spanned(&self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// An error at `span`.
    pub(crate) fn at(&self, span: proc_macro2::Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Any `syn::Error` (which may already combine several).
    pub(crate) fn push(&self, error: syn::Error) {
        self.errors.borrow_mut().as_mut().expect("Ctxt used after check()").push(error);
    }

    /// How many errors were reported so far (to tell whether one step added any).
    pub(crate) fn count(&self) -> usize {
        self.errors.borrow().as_ref().map_or(0, Vec::len)
    }

    /// Every error as one, or `Ok` when there was none. Consumes the accumulator.
    pub(crate) fn check(self) -> syn::Result<()> {
        let errors = self.errors.borrow_mut().take().expect("Ctxt checked twice");
        match errors.into_iter().reduce(|mut all, e| {
            all.combine(e);
            all
        }) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("goops-macros bug: a Ctxt was dropped without check()");
        }
    }
}

/// The known name closest to `name`, when it is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (edit_distance(name, k), k))
        .filter(|(d, k)| *d <= (k.len().max(name.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Edit distance over chars, counting a swap of two neighbours as one edit (optimal string
/// alignment), so `lable` is one edit from `label`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// `, did you mean `x`?` or nothing.
pub(crate) fn suggestion<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    match did_you_mean(name, known) {
        Some(k) => format!("; did you mean `{k}`?"),
        None => String::new(),
    }
}

/// A list of names for a message: `` `a`, `b`, `c` `` or `(none)`.
pub(crate) fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    if names.is_empty() { "(none declared)".to_owned() } else { names.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_returns_every_error() {
        let cx = Ctxt::new();
        assert!(cx.count() == 0);
        cx.at(proc_macro2::Span::call_site(), "one");
        cx.at(proc_macro2::Span::call_site(), "two");
        assert_eq!(cx.count(), 2);
        let error = cx.check().unwrap_err();
        assert_eq!(error.into_iter().map(|e| e.to_string()).collect::<Vec<_>>(), ["one", "two"]);
        assert!(Ctxt::new().check().is_ok());
    }

    #[test]
    #[should_panic(expected = "dropped without check()")]
    fn dropping_unchecked_panics() {
        let cx = Ctxt::new();
        cx.at(proc_macro2::Span::call_site(), "forgotten");
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("config_chnged", ["install", "config_changed"]), Some("config_changed"));
        assert_eq!(did_you_mean("frobnicate", ["install", "config_changed"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(did_you_mean("lable", ["label", "owner"]), Some("label"));
        assert_eq!(did_you_mean("web", ["db"]), None);
    }
}
