//! Settings files read as Juju reads them: `goyaml.Unmarshal(data, map[string]string)` with
//! `gopkg.in/yaml.v2` (jujuc/relation-set.go `readSettings`, used by `relation-set --file` and
//! `state-set --file`).
//!
//! yaml-rust2's event parser does the scanning; the decoding follows yaml.v2's `decode.go`:
//!
//! - only the first document of a stream is read (`Unmarshal` parses one document);
//! - a scalar becomes its text as written (`1.50` stays `1.50`, `yes` stays `yes`), a null `""`;
//! - a collection where a string is wanted is a type error, collected with the others into
//!   `yaml: unmarshal errors:\n  line N: cannot unmarshal !!seq into string`;
//! - merge keys (`<<`) merge maps, later sources overriding earlier ones;
//! - aliases are followed, not copied, and yaml.v2's alias budget applies: a document whose
//!   decoding is mostly alias expansion fails with `yaml: document contains excessive aliasing`
//!   (the guard against "billion laughs" documents).
//!
//! Nesting is limited to [`MAX_DEPTH`] (yaml.v2's scanner limit) and, goops-sim's own bound, a
//! document to [`MAX_NODES`] nodes. Nodes live in an arena and merges are walked on an explicit
//! stack, so no document can overflow the stack (Go's stacks grow, Rust's do not). Syntax errors
//! are worded by yaml-rust2, in yaml.v2's `yaml: line N: …` shape.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

/// yaml.v2's `max_flow_level`/`max_indents` (scannerc.go): deeper documents are refused.
pub(crate) const MAX_DEPTH: usize = 10_000;
/// goops-sim's cap on the nodes of one settings document.
pub(crate) const MAX_NODES: usize = 1_000_000;

/// One node of the document; children are indices into the arena, so dropping a deep document
/// does not recurse.
#[derive(Debug)]
struct Node {
    kind: Kind,
    /// 1-based line where the node starts.
    line: usize,
}

#[derive(Debug)]
enum Kind {
    Scalar {
        value: String,
        tag: Option<String>,
        plain: bool,
    },
    Seq(Vec<usize>),
    Map(Vec<(usize, usize)>),
    /// An alias, with the index of its anchored node and the marker to name it by.
    Alias {
        target: usize,
        at: usize,
    },
}

const STR: &str = "tag:yaml.org,2002:str";
const SEQ: &str = "tag:yaml.org,2002:seq";
const MAP: &str = "tag:yaml.org,2002:map";

/// Read a settings document into its key/value pairs (the last of duplicate keys wins, as in a
/// Go map), values as text: a `!!binary` value that is not UTF-8 gets U+FFFD (relation and
/// unit-state values travel as JSON strings). The error is the text Juju prints after `ERROR `.
pub(crate) fn string_map(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    Ok(bytes_map(bytes)?
        .into_iter()
        .map(|(k, v)| {
            let v = String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            (k, v)
        })
        .collect())
}

/// [`string_map`] with each value's bytes as they are: a `!!binary` value keeps its decoded
/// bytes, as a Go `string` does (Juju's `ReadSecretData` unmarshals `secret-add --file` into a
/// `map[string]string` and base64-encodes those bytes, core/secrets/createsecret.go).
pub(crate) fn bytes_map(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let text = utf8(bytes)?;
    let doc = Doc::parse(text)?;
    let Some(root) = doc.root else { return Ok(Vec::new()) };
    let mut decoder = Decoder {
        doc: &doc,
        text,
        decode_count: 1,
        alias_count: 0,
        alias_depth: 0,
        active: Vec::new(),
        active_set: std::collections::HashSet::new(),
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    decoder.decode_map(root, &mut out, &mut errors)?;
    if errors.is_empty() {
        Ok(last_of_each_key(out))
    } else {
        Err(format!("yaml: unmarshal errors:\n  {}", errors.join("\n  ")))
    }
}

/// Keep the last pair of each key, at that pair's place: one pass from the end with a set, so a
/// document with many keys costs linear time (a scan per key was quadratic).
fn last_of_each_key<V>(pairs: Vec<(String, V)>) -> Vec<(String, V)> {
    let mut seen = std::collections::HashSet::with_capacity(pairs.len());
    let mut kept: Vec<(String, V)> = Vec::with_capacity(pairs.len());
    for (key, value) in pairs.into_iter().rev() {
        if !seen.contains(key.as_str()) {
            seen.insert(key.clone());
            kept.push((key, value));
        }
    }
    kept.reverse();
    kept
}

/// The keys of the map under top-level `key` (following an alias), as strings: what goops-sim
/// needs of a charm's metrics.yaml (`metrics: {name: {...}}`). Nothing is expanded.
pub(crate) fn keys_under(bytes: &[u8], key: &str) -> Result<Vec<String>, String> {
    let text = utf8(bytes)?;
    let doc = Doc::parse(text)?;
    let resolve = |i: usize| match &doc.nodes[i].kind {
        Kind::Alias { target, .. } => *target,
        _ => i,
    };
    let scalar = |i: usize| match &doc.nodes[resolve(i)].kind {
        Kind::Scalar { value, .. } => Some(value.clone()),
        _ => None,
    };
    let Some(root) = doc.root else { return Ok(Vec::new()) };
    let Kind::Map(entries) = &doc.nodes[resolve(root)].kind else { return Ok(Vec::new()) };
    let Some(&(_, value)) = entries.iter().find(|(k, _)| scalar(*k).as_deref() == Some(key)) else {
        return Ok(Vec::new());
    };
    match &doc.nodes[resolve(value)].kind {
        Kind::Map(entries) => Ok(entries.iter().filter_map(|(k, _)| scalar(*k)).collect()),
        _ => Ok(Vec::new()),
    }
}

/// libyaml's reader errors for input that is not UTF-8.
fn utf8(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| match e.error_len() {
        None => "yaml: incomplete UTF-8 octet sequence".to_owned(),
        Some(_) => {
            let lead = bytes[e.valid_up_to()];
            if lead & 0xC0 == 0x80 || lead >= 0xF8 {
                "yaml: invalid leading UTF-8 octet".to_owned()
            } else {
                "yaml: invalid trailing UTF-8 octet".to_owned()
            }
        }
    })
}

struct Doc {
    nodes: Vec<Node>,
    root: Option<usize>,
}

impl Doc {
    /// Build the first document's nodes from the parser's events, without recursion.
    fn parse(text: &str) -> Result<Doc, String> {
        let mut parser = Parser::new_from_str(text);
        let mut nodes: Vec<Node> = Vec::new();
        let mut anchors: HashMap<usize, usize> = HashMap::new();
        // Open collections, with a map's key waiting for its value.
        let mut open: Vec<(usize, Option<usize>)> = Vec::new();
        let mut root = None;
        loop {
            let (event, mark) = parser.next_token().map_err(|e| scan_error(text, &e))?;
            let (kind, anchor, opens) = match event {
                Event::StreamEnd | Event::DocumentEnd => break,
                Event::Scalar(value, style, anchor, tag) => {
                    let plain = style == TScalarStyle::Plain;
                    (Kind::Scalar { value, tag: tag.map(full_tag), plain }, anchor, false)
                }
                Event::Alias(id) => {
                    let target = *anchors.get(&id).ok_or_else(|| unknown_anchor(text, &mark))?;
                    (Kind::Alias { target, at: mark.index() }, 0, false)
                }
                Event::SequenceStart(anchor, _) => (Kind::Seq(Vec::new()), anchor, true),
                Event::MappingStart(anchor, _) => (Kind::Map(Vec::new()), anchor, true),
                Event::SequenceEnd | Event::MappingEnd => {
                    open.pop();
                    if open.is_empty() {
                        break;
                    }
                    continue;
                }
                Event::Nothing | Event::StreamStart | Event::DocumentStart => continue,
            };
            if nodes.len() >= MAX_NODES {
                return Err(format!("yaml: document has more than {MAX_NODES} nodes (goops-sim's limit)"));
            }
            let index = nodes.len();
            nodes.push(Node { kind, line: mark.line() });
            if anchor != 0 {
                anchors.insert(anchor, index);
            }
            match open.last_mut() {
                None => root = Some(index),
                Some((parent, pending)) => match &mut nodes[*parent].kind {
                    Kind::Seq(items) => items.push(index),
                    Kind::Map(entries) => match pending.take() {
                        None => *pending = Some(index),
                        Some(key) => entries.push((key, index)),
                    },
                    _ => unreachable!("only collections are opened"),
                },
            }
            if opens {
                if open.len() >= MAX_DEPTH {
                    return Err(format!("yaml: exceeded max depth of {MAX_DEPTH}"));
                }
                open.push((index, None));
            } else if open.is_empty() {
                break;
            }
        }
        Ok(Doc { nodes, root })
    }
}

fn full_tag(tag: Tag) -> String {
    if tag.handle == "!!" {
        format!("tag:yaml.org,2002:{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

/// yaml.v2's `shortTag`.
fn short_tag(tag: &str) -> String {
    match tag.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_owned(),
    }
}

/// `yaml: line N: <problem>`, as yaml.v2's `parser.fail` frames libyaml's problems.
fn scan_error(text: &str, e: &ScanError) -> String {
    if e.info().contains("unknown anchor") {
        return unknown_anchor(text, e.marker());
    }
    format!("yaml: line {}: {}", e.marker().line(), e.info())
}

/// yaml.v2's `unknown anchor 'x' referenced`, naming the alias written at `mark`.
fn unknown_anchor(text: &str, mark: &Marker) -> String {
    format!("yaml: unknown anchor '{}' referenced", alias_name(text, mark.index()))
}

/// The name of the alias written at character `index` (`*name`).
fn alias_name(text: &str, index: usize) -> String {
    let rest: String = text.chars().skip(index).collect();
    let rest = rest.strip_prefix('*').unwrap_or(&rest);
    rest.chars().take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}')).collect()
}

/// yaml.v2's `resolve`, reduced to what decoding into strings needs: the tag of a plain scalar.
pub(crate) fn resolve(value: &str) -> &'static str {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return "tag:yaml.org,2002:null",
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" | "n" | "N" | "no" | "No"
        | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => return "tag:yaml.org,2002:bool",
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf"
        | "-.INF" => return "tag:yaml.org,2002:float",
        "<<" => return "tag:yaml.org,2002:merge",
        _ => {}
    }
    let plain = value.replace('_', "");
    if crate::tools::go_parse_int(&plain).is_ok()
        || plain
            .strip_prefix("0b")
            .or_else(|| plain.strip_prefix("-0b"))
            .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c == '0' || c == '1'))
    {
        return "tag:yaml.org,2002:int";
    }
    if is_yaml_float(&plain) {
        return "tag:yaml.org,2002:float";
    }
    if is_timestamp(value) {
        return "tag:yaml.org,2002:timestamp";
    }
    STR
}

/// yaml.v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// A plain `YYYY-MM-DD` date (the start of every form yaml.v2's `parseTimestamp` accepts).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// yaml.v2's decoder state for one document.
struct Decoder<'a> {
    doc: &'a Doc,
    text: &'a str,
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
    /// The aliases being followed (yaml.v2's `d.aliases`), to refuse a node that contains itself.
    active: Vec<usize>,
    /// The same, for a constant-time check (a chain of aliases can be long).
    active_set: std::collections::HashSet<usize>,
}

/// What a decode produced: a string, nothing (a type error was recorded), or a fatal error.
type Decoded = Result<Option<Vec<u8>>, String>;

impl Decoder<'_> {
    /// yaml.v2's `unmarshal` prologue: count the decode and apply the alias budget.
    fn count(&mut self) -> Result<(), String> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64 > allowed_alias_ratio(self.decode_count)
        {
            return Err("yaml: document contains excessive aliasing".to_owned());
        }
        Ok(())
    }

    /// Enter the alias `index` (yaml.v2's `alias`): refuse cycles.
    fn enter_alias(&mut self, index: usize) -> Result<(), String> {
        if self.active_set.contains(&index) {
            let Kind::Alias { at, .. } = self.doc.nodes[index].kind else { unreachable!("an alias") };
            return Err(format!("yaml: anchor '{}' value contains itself", alias_name(self.text, at)));
        }
        self.active.push(index);
        self.active_set.insert(index);
        self.alias_depth += 1;
        Ok(())
    }

    fn leave_alias(&mut self) {
        if let Some(index) = self.active.pop() {
            self.active_set.remove(&index);
        }
        self.alias_depth -= 1;
    }

    /// Decode `index` into a Go `string`: its bytes (a `!!binary` value's decoded bytes).
    fn decode_string(&mut self, index: usize, errors: &mut Vec<String>) -> Decoded {
        self.count()?;
        let node = &self.doc.nodes[index];
        match &node.kind {
            Kind::Alias { target, .. } => {
                self.enter_alias(index)?;
                let decoded = self.decode_string(*target, errors);
                self.leave_alias();
                decoded
            }
            Kind::Scalar { value, tag, plain } => match tag.as_deref() {
                Some("tag:yaml.org,2002:null") => Ok(Some(Vec::new())),
                Some("tag:yaml.org,2002:binary") => {
                    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                    let data = crate::b64::decode(&compact)
                        .ok_or_else(|| "yaml: !!binary value contains invalid base64 data".to_owned())?;
                    Ok(Some(data))
                }
                None if *plain && resolve(value) == "tag:yaml.org,2002:null" => Ok(Some(Vec::new())),
                _ => Ok(Some(value.clone().into_bytes())),
            },
            Kind::Seq(_) => {
                errors.push(type_error(node, SEQ, "string"));
                Ok(None)
            }
            Kind::Map(_) => {
                errors.push(type_error(node, MAP, "string"));
                Ok(None)
            }
        }
    }

    /// Decode `index` into the `map[string]string`, `out`. yaml.v2 recurses through merges
    /// (`mapping` → `merge` → `unmarshal` …); Go's stack grows, Rust's does not, so the same
    /// walk runs on an explicit stack, in the same order and with the same counts.
    fn decode_map(
        &mut self,
        index: usize,
        out: &mut Vec<(String, Vec<u8>)>,
        errors: &mut Vec<String>,
    ) -> Result<(), String> {
        let mut stack = Vec::new();
        self.start_map(index, &mut stack, errors)?;
        while let Some(frame) = stack.last_mut() {
            match *frame {
                Frame::Map { node, pos, alias } => {
                    let Kind::Map(entries) = &self.doc.nodes[node].kind else { unreachable!("a map frame") };
                    let Some(&(key, value)) = entries.get(pos) else {
                        stack.pop();
                        if alias {
                            self.leave_alias();
                        }
                        continue;
                    };
                    *frame = Frame::Map { node, pos: pos + 1, alias };
                    if self.is_merge(key) {
                        self.merge(value, &mut stack, errors)?;
                        continue;
                    }
                    let Some(key) = self.decode_string(key, errors)? else { continue };
                    // A key that is not UTF-8 (`!!binary`) is named lossily; no tool accepts one.
                    let key =
                        String::from_utf8(key).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                    if let Some(value) = self.decode_string(value, errors)? {
                        // Duplicates are resolved once at the end (`last_of_each_key`).
                        out.push((key, value));
                    }
                }
                Frame::MergeItem(item) => {
                    stack.pop();
                    if !self.is_map(item) {
                        return Err(WANT_MAP.to_owned());
                    }
                    self.start_map(item, &mut stack, errors)?;
                }
            }
        }
        Ok(())
    }

    /// yaml.v2's `unmarshal` of `index` into the map: a map (or an alias of one) is pushed to be
    /// walked; a null leaves the map as it is; anything else is a type error.
    fn start_map(&mut self, index: usize, stack: &mut Vec<Frame>, errors: &mut Vec<String>) -> Result<(), String> {
        self.count()?;
        let (node, alias) = match &self.doc.nodes[index].kind {
            Kind::Alias { target, .. } => {
                self.enter_alias(index)?;
                self.count()?;
                (*target, true)
            }
            _ => (index, false),
        };
        let item = &self.doc.nodes[node];
        match &item.kind {
            Kind::Map(_) => {
                stack.push(Frame::Map { node, pos: 0, alias });
                return Ok(());
            }
            Kind::Scalar { value, tag, plain } => {
                let tag = match tag.as_deref() {
                    Some(tag) => tag,
                    None if *plain => resolve(value),
                    None => STR,
                };
                if tag != "tag:yaml.org,2002:null" {
                    errors.push(type_error(item, tag, "map[string]string"));
                }
            }
            Kind::Seq(_) => errors.push(type_error(item, SEQ, "map[string]string")),
            Kind::Alias { .. } => unreachable!("an alias never targets an alias"),
        }
        if alias {
            self.leave_alias();
        }
        Ok(())
    }

    /// yaml.v2's `isMerge`: a plain, untagged (or `!!merge`) `<<` key.
    fn is_merge(&self, index: usize) -> bool {
        matches!(&self.doc.nodes[index].kind, Kind::Scalar { value, tag, plain }
            if value == "<<" && (tag.as_deref() == Some("tag:yaml.org,2002:merge") || (*plain && tag.is_none())))
    }

    /// A map, or an alias of one.
    fn is_map(&self, index: usize) -> bool {
        match &self.doc.nodes[index].kind {
            Kind::Map(_) => true,
            Kind::Alias { target, .. } => matches!(self.doc.nodes[*target].kind, Kind::Map(_)),
            _ => false,
        }
    }

    /// yaml.v2's `merge`: a map, an alias of a map, or a sequence of those, the earlier ones
    /// taking precedence (so applied last: the last item is walked first).
    fn merge(&mut self, index: usize, stack: &mut Vec<Frame>, errors: &mut Vec<String>) -> Result<(), String> {
        match &self.doc.nodes[index].kind {
            Kind::Map(_) | Kind::Alias { .. } if self.is_map(index) => self.start_map(index, stack, errors),
            Kind::Seq(items) => {
                // Pushed first to last, so the last is on top and walked first; each is checked
                // when its turn comes, as yaml.v2 checks it just before decoding it.
                stack.extend(items.iter().map(|&item| Frame::MergeItem(item)));
                Ok(())
            }
            _ => Err(WANT_MAP.to_owned()),
        }
    }
}

const WANT_MAP: &str = "yaml: map merge requires map or sequence of maps as the value";

/// One step of the map walk: a map being walked (entered through an alias or not), or an item
/// of a merge sequence still to check and walk.
#[derive(Debug, Clone, Copy)]
enum Frame {
    Map { node: usize, pos: usize, alias: bool },
    MergeItem(usize),
}

/// yaml.v2's `allowedAliasRatio`: 99% of decodes may come from aliases up to 400,000 decodes,
/// scaling down to 10% at 4,000,000.
fn allowed_alias_ratio(decode_count: usize) -> f64 {
    const LOW: usize = 400_000;
    const HIGH: usize = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

/// yaml.v2's `terror`: `line N: cannot unmarshal !!tag `value` into type`.
fn type_error(node: &Node, tag: &str, into: &str) -> String {
    let tag = match &node.kind {
        Kind::Scalar { tag: Some(explicit), .. } => explicit.as_str(),
        _ => tag,
    };
    let value = match &node.kind {
        Kind::Scalar { value, .. } if tag != SEQ && tag != MAP => {
            if value.len() > 10 {
                format!(" `{}...`", String::from_utf8_lossy(&value.as_bytes()[..7]))
            } else {
                format!(" `{value}`")
            }
        }
        _ if tag != SEQ && tag != MAP => " ``".to_owned(),
        _ => String::new(),
    };
    format!("line {}: cannot unmarshal {}{value} into {into}", node.line, short_tag(tag))
}

#[cfg(test)]
mod tests {
    use super::{bytes_map, string_map};

    /// The pairs read, sorted: like a Go map, the result has no order.
    fn pairs(doc: &str) -> Vec<(String, String)> {
        let mut pairs = string_map(doc.as_bytes()).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
        pairs.sort();
        pairs
    }

    fn kv(items: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        pairs.sort();
        pairs
    }

    #[test]
    fn scalars_keep_their_text() {
        assert_eq!(
            pairs("a: 1.50\nb: yes\nc: 0x1F\nd: ~\ne: 'quoted'\nf:\n"),
            kv(&[("a", "1.50"), ("b", "yes"), ("c", "0x1F"), ("d", ""), ("e", "quoted"), ("f", "")])
        );
        assert_eq!(pairs("1: one\ntrue: t\n"), kv(&[("1", "one"), ("true", "t")]));
        assert_eq!(pairs("a: !!binary aGVsbG8=\n"), kv(&[("a", "hello")]));
    }

    #[test]
    fn binary_values_keep_their_bytes() {
        // `/w==` is the single byte 0xFF, not UTF-8: a Go string holds it as it is.
        assert_eq!(bytes_map(b"k: !!binary /w==\n").unwrap(), vec![("k".to_owned(), vec![0xFF])]);
        // Text readers (relation-set, state-set) see U+FFFD, as JSON would carry it.
        assert_eq!(pairs("k: !!binary /w==\n"), kv(&[("k", "\u{FFFD}")]));
    }

    #[test]
    fn the_last_duplicate_wins_at_its_place() {
        // Duplicates are resolved in one pass at the end (linear; a scan per key was quadratic).
        // Speed itself is not timed here: a debug build parses ~50k lines a second.
        let mut doc = String::new();
        for round in 0..2 {
            for i in 0..1_000 {
                doc.push_str(&format!("k{i}: v{round}\n"));
            }
        }
        doc.push_str("k0: last\nz: z\n");
        let read = string_map(doc.as_bytes()).unwrap();
        assert_eq!(read.len(), 1_001);
        assert_eq!(read[0], ("k1".to_owned(), "v1".to_owned()));
        assert_eq!(read[998], ("k999".to_owned(), "v1".to_owned()));
        assert_eq!(read[999], ("k0".to_owned(), "last".to_owned()));
        assert_eq!(read[1_000], ("z".to_owned(), "z".to_owned()));
    }

    #[test]
    fn empty_and_null_documents_are_empty_maps() {
        for doc in ["", "\n", "# comment\n", "---\n", "~\n", "null\n"] {
            assert_eq!(pairs(doc), Vec::new(), "{doc:?}");
        }
    }

    #[test]
    fn only_the_first_document_is_read() {
        assert_eq!(pairs("a: 1\n---\nb: 2\n"), kv(&[("a", "1")]));
        // Juju never parses the second document, so its syntax errors do not matter.
        assert_eq!(pairs("a: 1\n---\n[unclosed\n"), kv(&[("a", "1")]));
    }

    #[test]
    fn type_errors_are_yaml_v2s() {
        assert_eq!(
            string_map(b"a: [1, 2]\nb: ok\nc:\n  d: e\n").unwrap_err(),
            "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into string\n  \
             line 4: cannot unmarshal !!map into string"
        );
        assert_eq!(
            string_map(b"just a string\n").unwrap_err(),
            "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `just a ...` into map[string]string"
        );
        assert_eq!(
            string_map(b"- a\n- b\n").unwrap_err(),
            "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]string"
        );
        assert_eq!(
            string_map(b"42\n").unwrap_err(),
            "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `42` into map[string]string"
        );
    }

    #[test]
    fn aliases_and_merges() {
        assert_eq!(pairs("a: &x foo\nb: *x\n"), kv(&[("a", "foo"), ("b", "foo")]));
        // Keys after a merge override it; a merge after a key overrides it (yaml.v2, not v3).
        assert_eq!(pairs("<<: &b {x: '1', y: '2'}\ny: '3'\n"), kv(&[("x", "1"), ("y", "3")]));
        assert_eq!(pairs("y: '3'\n<<: {x: '1', y: '2'}\n"), kv(&[("y", "2"), ("x", "1")]));
        // In a sequence of merges the earlier maps take precedence.
        assert_eq!(pairs("<<: [{x: '1'}, {x: '2', z: '3'}]\n"), kv(&[("z", "3"), ("x", "1")]));
        assert_eq!(
            string_map(b"<<: [a, b]\n").unwrap_err(),
            "yaml: map merge requires map or sequence of maps as the value"
        );
        // A map where a string is wanted is a type error, even if a merge could use it.
        assert_eq!(
            string_map(b"base: &b {x: '1'}\n<<: *b\n").unwrap_err(),
            "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!map into string"
        );
    }

    #[test]
    fn unknown_and_self_containing_anchors() {
        assert_eq!(string_map(b"a: *nope\n").unwrap_err(), "yaml: unknown anchor 'nope' referenced");
        assert_eq!(string_map(b"&a {<<: *a}\n").unwrap_err(), "yaml: anchor 'a' value contains itself");
    }

    #[test]
    fn a_billion_laughs_merge_bomb_is_refused() {
        // Each level merges the previous one ten times: 10^9 decodes if expanded.
        let mut doc = String::from("l0: &l0 {a: lol}\n");
        let mut top = String::new();
        for level in 1..=9 {
            let refs: Vec<String> = (0..10).map(|_| format!("*l{}", level - 1)).collect();
            doc.push_str(&format!("l{level}: &l{level} {{<<: [{}]}}\n", refs.join(", ")));
            top = format!("*l{level}");
        }
        let bomb = format!("{doc}<<: {top}\n");
        assert!(bomb.len() < 1000, "{}", bomb.len());
        assert_eq!(string_map(bomb.as_bytes()).unwrap_err(), "yaml: document contains excessive aliasing");
    }

    #[test]
    fn a_billion_laughs_of_sequences_is_type_errors_not_an_expansion() {
        let mut doc = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (prev, name) in
            ["a", "b", "c", "d", "e", "f", "g", "h"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let refs = vec![format!("*{prev}"); 9].join(", ");
            doc.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let e = string_map(doc.as_bytes()).unwrap_err();
        assert!(e.starts_with("yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into string"), "{e}");
        assert_eq!(e.matches("cannot unmarshal").count(), 9);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        // Flow nesting: yaml-rust2 counts flow levels in a u8 and stops at 256 with its own
        // text; yaml.v2 reads 10,000 levels (then `yaml: exceeded max depth of 10000`), and a
        // nested sequence is a type error in a settings map anyway. Only the text differs
        // (README fidelity notes); what matters here is an error, not a stack overflow.
        let deep = format!("a: {}", "[".repeat(20_000));
        let e = string_map(deep.as_bytes()).unwrap_err();
        assert!(e.starts_with("yaml: line 1: "), "{e}");
        let indents = "- ".repeat(12_000);
        assert_eq!(string_map(indents.as_bytes()).unwrap_err(), "yaml: exceeded max depth of 10000");
    }

    #[test]
    fn a_long_chain_of_merges_ends_in_an_error_not_a_stack_overflow() {
        // Each anchored map merges the previous one; the top merges the last. yaml.v2 follows
        // the chain one level of recursion per link; goops-sim walks it on its own stack.
        let mut doc = String::from("a0: &a0 {x: '0'}\n");
        for i in 1..=3_000 {
            doc.push_str(&format!("a{i}: &a{i} {{<<: *a{}}}\n", i - 1));
        }
        doc.push_str("<<: *a3000\n");
        let e = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || string_map(doc.as_bytes()))
            .expect("thread")
            .join()
            .expect("no stack overflow")
            .unwrap_err();
        // Every anchored map is also a value where a string is wanted: 3,001 type errors, and
        // the merged `x` is decoded (no fatal error on the way).
        assert!(e.starts_with("yaml: unmarshal errors:\n  line 1: cannot unmarshal !!map into string"), "{e}");
        assert_eq!(e.matches("cannot unmarshal").count(), 3_001);
    }

    #[test]
    fn syntax_and_encoding_errors() {
        let e = string_map(b"a: [1, 2\n").unwrap_err();
        assert!(e.starts_with("yaml: line "), "{e}");
        assert_eq!(string_map(b"a: \xff\n").unwrap_err(), "yaml: invalid leading UTF-8 octet");
        assert_eq!(string_map(b"a: \xc3").unwrap_err(), "yaml: incomplete UTF-8 octet sequence");
    }
}
