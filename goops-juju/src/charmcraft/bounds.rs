//! Bounds on what a charm's YAML may expand to, checked before yaml-rust2 builds the document.
//!
//! yaml-rust2's `YamlLoader` copies the anchored node at every alias, so a few hundred bytes of
//! nested aliases (a "billion laughs" alias bomb) expand to billions of nodes and exhaust memory;
//! and it builds and frees nested collections recursively, so block collections (`- - - …`) a
//! few hundred thousand deep overflow the stack (flow ones stop at the scanner's limit of 255). The macros read charmcraft.yaml at compile time and goops-sim at run
//! time, so either would take down rustc or the simulator. This pass walks the parser's events
//! once (linear in the text, aliases not expanded) and counts what the loader would build.
//!
//! goops-sim runs the same check on the settings files its tools read with yaml-rust2.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Most nodes a document may expand to, aliases copied out. A large real charmcraft.yaml has a
/// few thousand; this is far above any, and far below what hurts.
pub const MAX_NODES: u64 = 100_000;

/// Deepest nesting of collections. JSON schemas of action params nest a few levels; Python's
/// yaml (charmcraft's) gives up near 1000 (its recursion limit).
pub const MAX_DEPTH: usize = 512;

/// Why a text is refused before it is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exceeded {
    /// More than [`MAX_NODES`] nodes once aliases are expanded.
    Nodes {
        /// The line (from 1) where the count went past the bound.
        line: usize,
    },
    /// Collections nested deeper than [`MAX_DEPTH`].
    Depth {
        /// The line (from 1) of the collection one level too deep.
        line: usize,
    },
}

impl std::error::Error for Exceeded {}

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exceeded::Nodes { line } => write!(
                f,
                "line {line}: the document expands to more than {MAX_NODES} nodes once aliases are copied \
                 (an alias bomb?)"
            ),
            Exceeded::Depth { line } => write!(f, "line {line}: collections nested deeper than {MAX_DEPTH} levels"),
        }
    }
}

/// Counts nodes (with each alias worth the size of its anchor) and nesting depth.
#[derive(Default)]
struct Counter {
    /// Nodes so far, aliases expanded; saturates, and stops mattering past the limit.
    nodes: u64,
    /// Open collections: their anchor id (0 for none) and `nodes` when they started.
    open: Vec<(usize, u64)>,
    /// Expanded size of each anchored node, by anchor id.
    sizes: std::collections::HashMap<usize, u64>,
    /// The first bound exceeded; later events are ignored.
    exceeded: Option<Exceeded>,
}

impl Counter {
    fn add(&mut self, n: u64, mark: Marker) {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            self.exceeded = Some(Exceeded::Nodes { line: mark.line() });
        }
    }

    fn open(&mut self, anchor: usize, mark: Marker) {
        let start = self.nodes;
        self.add(1, mark);
        self.open.push((anchor, start));
        if self.open.len() > MAX_DEPTH {
            self.exceeded = Some(Exceeded::Depth { line: mark.line() });
        }
    }

    fn close(&mut self) {
        if let Some((anchor, start)) = self.open.pop()
            && anchor > 0
        {
            self.sizes.insert(anchor, self.nodes - start);
        }
    }
}

impl MarkedEventReceiver for Counter {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.exceeded.is_some() {
            return;
        }
        match event {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => self.open(anchor, mark),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Scalar(_, _, anchor, _) => {
                self.add(1, mark);
                if anchor > 0 {
                    self.sizes.insert(anchor, 1);
                }
            }
            // An unknown anchor is yaml-rust2's BadValue: one node.
            Event::Alias(anchor) => self.add(self.sizes.get(&anchor).copied().unwrap_or(1), mark),
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd => {}
        }
    }
}

/// `Ok(())` when `text` stays within [`MAX_NODES`] and [`MAX_DEPTH`] (or does not parse: the
/// loader then reports the syntax error), else which bound it exceeds and where.
pub fn check(text: &str) -> Result<(), Exceeded> {
    let mut counter = Counter::default();
    let mut parser = Parser::new_from_str(text);
    // Event by event: `Parser::load` recurses once per nesting level, so it cannot be the walk
    // that bounds the nesting. A syntax error stops the walk; the loader reports it.
    while counter.exceeded.is_none() {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) | Err(_) => break,
            Ok((event, mark)) => counter.on_event(event, mark),
        }
    }
    counter.exceeded.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The classic bomb: each level is ten aliases of the one before, 10^9 nodes at the last.
    fn bomb(levels: usize) -> String {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..levels {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        text
    }

    #[test]
    fn counts_aliases_as_the_size_of_their_anchor() {
        // 1 mapping + a0 key + list(1 + 3) + b key + list(1 + 2 * 4) = 16.
        let text = "a0: &a [x, y, z]\nb: [*a, *a]\n";
        let mut counter = Counter::default();
        let mut parser = Parser::new_from_str(text);
        while let Ok((event, mark)) = parser.next_token() {
            if event == Event::StreamEnd {
                break;
            }
            counter.on_event(event, mark);
        }
        assert_eq!(counter.nodes, 16);
        assert_eq!(check(text), Ok(()));
    }

    #[test]
    fn refuses_an_alias_bomb_and_deep_nesting() {
        assert_eq!(check(&bomb(4)), Ok(()));
        assert!(matches!(check(&bomb(9)), Err(Exceeded::Nodes { .. })), "{:?}", check(&bomb(9)));
        // Flow nesting stops at yaml-rust2's own limit (255); block nesting has none.
        let deep = format!("{}x", "- ".repeat(MAX_DEPTH + 1));
        assert_eq!(check(&deep), Err(Exceeded::Depth { line: 1 }));
        let ok = format!("{}x", "- ".repeat(MAX_DEPTH));
        assert_eq!(check(&ok), Ok(()));
    }
}
