//! Small, language-neutral helpers over tree-sitter nodes: text, iterative traversal (deeply
//! nested input must not overflow the stack), list elements and the byte ranges that delete one
//! element cleanly.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::rc::Rc;

use rustc_hash::FxHashMap;
use std::sync::Mutex;
use tree_sitter::{Node, Tree};

/// `child_by_field_name` with the name's field id cached: the plain call looks the name up with
/// a string comparison against every field of the grammar, on every call.
pub trait Field<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>>;
}

impl<'t> Field<'t> for Node<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        self.child_by_field_id(field_id(*self, name)?)
    }
}

/// A multiply-xor hasher for small integer keys.
#[derive(Default)]
struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}

/// (grammar, field name) → field id, or `None` for a name the grammar lacks.
type FieldIds = HashMap<(u64, usize), Option<u16>, BuildHasherDefault<IntHasher>>;

thread_local! {
    static FIELD_IDS: RefCell<FieldIds> = RefCell::new(HashMap::default());
}

/// Identifies a grammar by its symbol and field counts, which differ between the five grammars
/// used here (a unit test keeps it so).
fn grammar_key(node: Node<'_>) -> u64 {
    let language = node.language();
    ((language.node_kind_count() as u64) << 16) | language.field_count() as u64
}

fn field_id(node: Node<'_>, name: &'static str) -> Option<u16> {
    let key = (grammar_key(node), name.as_ptr() as usize ^ name.len().rotate_left(48));
    FIELD_IDS.with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return node.language().field_id_for_name(name).map(|id| id.get());
        };
        *cache.entry(key).or_insert_with(|| node.language().field_id_for_name(name).map(|id| id.get()))
    })
}

/// Recursion bound for the evaluators that follow identifiers and nested expressions; anything
/// deeper is "unknown", which is always a safe answer here.
pub const MAX_DEPTH: usize = 12;

pub fn text<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    source.get(node.byte_range()).unwrap_or("")
}

/// Calls `visit` on every node below and including `root`, in document order, without recursion.
pub fn walk<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>)) {
    walk_with_ancestors(root, |node, _| {
        visit(node);
        true
    });
}

/// Visits `root` and its descendants in document order, each with its ancestors below `root`
/// (nearest last); `visit` returns whether to enter the node's children. One cursor, no
/// `Node::parent` (which re-walks from the root).
pub fn walk_with_ancestors<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>, &[Node<'t>]) -> bool) {
    let mut ancestors: Vec<Node<'t>> = Vec::new();
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if visit(node, &ancestors) && cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            ancestors.pop();
        }
    }
}

/// Walks the nodes below and including `root` and calls `visit` on those whose kind is in
/// `visited_kinds`, passing each one's enclosing scope: the byte range of the innermost ancestor
/// whose kind is in `function_kinds` (the node itself excluded), or of `root`. Nodes whose kind
/// is in `opaque_kinds` are visited but not entered: their insides (string fragments, regex
/// patterns) cannot hold a visited kind, and skipping them spares cursor moves on every keystroke.
/// Scopes are tracked on the way down because `Node::parent` re-walks from the root and would
/// make analysis quadratic; kinds are compared as ids because `Node::kind` converts a C string on
/// every call.
#[cfg(test)]
pub fn walk_scoped<'t>(
    root: Node<'t>,
    function_kinds: &'static [&'static str],
    visited_kinds: &'static [&'static str],
    opaque_kinds: &'static [&'static str],
    mut visit: impl FnMut(Node<'t>, &Range<usize>),
) {
    let flags = kind_flags(root, function_kinds, visited_kinds, opaque_kinds);
    let root_range = root.byte_range();
    walk_item(root, &flags, &mut Vec::new(), |node, _, scopes| visit(node, scopes.last().unwrap_or(&root_range)));
}

/// `walk_scoped` over `tree`'s root, reusing what the walk of a recent tree found in the top-level
/// items the two trees have in common. After a keystroke every top-level item but the edited one
/// has the same text and, parsed again, the same syntax tree (much of it the very same subtrees),
/// so the walk visits the same nodes in the same functions: those are reached again by their
/// descendant index (a cursor jump skips whole subtrees) instead of by moving through every
/// node, which was most of the cost of analysing a long file on each keystroke.
///
/// An item is reused only when its text is the recorded item's text and its visible tree has the
/// same shape: every node's kind, field, flags, child count and offset from the item's start,
/// compared down to subtrees both trees share (same id: the same slot of the same child array; the
/// recorded tree is kept alive with its walk, so no other subtree can sit there). Each node
/// reached is checked again for its kind and offset before any is visited.
pub fn walk_scoped_reusing<'t>(
    tree: &'t Tree,
    src: &str,
    function_kinds: &'static [&'static str],
    visited_kinds: &'static [&'static str],
    opaque_kinds: &'static [&'static str],
    mut visit: impl FnMut(Node<'t>, &Range<usize>),
) {
    let root = tree.root_node();
    let flags = kind_flags(root, function_kinds, visited_kinds, opaque_kinds);
    let key = (
        grammar_key(root),
        function_kinds.as_ptr() as usize,
        visited_kinds.as_ptr() as usize,
        opaque_kinds.as_ptr() as usize,
    );
    let root_range = root.byte_range();
    let mut scopes: Vec<Range<usize>> = Vec::new();
    let root_flag = flags.get(usize::from(root.kind_id())).copied().unwrap_or(0);
    if root_flag & VISITED != 0 {
        visit(root, &root_range);
    }
    if root_flag & FUNCTION != 0 {
        scopes.push(root_range.clone());
    }
    let mut cursor = root.walk();
    if root_flag & OPAQUE != 0 || !cursor.goto_first_child() {
        return;
    }
    let (previous, mut old_visits) = match take_walk(key) {
        Some(RecentWalk { tree, text, items, .. }) => (Some((tree, text)), items),
        None => (None, Vec::new()),
    };
    // The recorded items by start, and the shift of the text after the edit.
    let recorded: Option<(&str, Vec<Node<'_>>, FxHashMap<usize, usize>)> = previous.as_ref().map(|(tree, text)| {
        let mut items = Vec::new();
        let mut old = tree.root_node().walk();
        if old.goto_first_child() {
            loop {
                items.push(old.node());
                if !old.goto_next_sibling() {
                    break;
                }
            }
        }
        let by_start = items.iter().enumerate().map(|(index, item)| (item.start_byte(), index)).collect();
        (text.as_str(), items, by_start)
    });
    let shift = previous.as_ref().map_or(0, |(_, text)| src.len() as isize - text.len() as isize);
    let mut walked: Vec<WalkedItem> = Vec::new();
    loop {
        let item = cursor.node();
        let start = item.start_byte();
        // Scopes of earlier items are over (the walk pops them lazily; no visit here can see them).
        while scopes.last().is_some_and(|scope| start >= scope.end) {
            scopes.pop();
        }
        let outer = scopes.len();
        let reused = recorded.as_ref().and_then(|(old_text, items, by_start)| {
            // Before the edit an item starts where it did; after it, shifted by the edit.
            [Some(start), start.checked_add_signed(-shift)].into_iter().flatten().find_map(|old_start| {
                let &index = by_start.get(&old_start)?;
                let old = items[index];
                let visits = &old_visits.get(index)?.as_ref()?.visits;
                let same = old_text.as_bytes().get(old.byte_range()) == src.as_bytes().get(item.byte_range())
                    && same_shape(old, item, old_start, start);
                same.then(|| reach(item, visits).map(|nodes| (index, nodes))).flatten()
            })
        });
        let reused = reused.and_then(|(index, nodes)| Some((old_visits.get_mut(index)?.take()?, nodes)));
        match reused {
            Some((visits, nodes)) => {
                #[cfg(test)]
                REUSED_ITEMS.with(|reused| reused.set(reused.get() + 1));
                for (node, visited) in nodes.into_iter().zip(&visits.visits) {
                    let scope = visited.scope.as_ref().map(|scope| start + scope.start..start + scope.end);
                    visit(node, scope.as_ref().or(scopes.last()).unwrap_or(&root_range));
                }
                walked.push(visits);
            }
            None => {
                let mut visits = Vec::new();
                walk_item(item, &flags, &mut scopes, |node, index, scopes| {
                    visit(node, scopes.last().unwrap_or(&root_range));
                    // Recorded relative to the item when the item holds it.
                    let scope = scopes.last().filter(|_| scopes.len() > outer);
                    visits.push(Visited {
                        index,
                        kind: node.kind_id(),
                        start: node.start_byte() - start,
                        scope: scope.map(|scope| scope.start - start..scope.end - start),
                    });
                });
                walked.push(WalkedItem { visits });
            }
        }
        if !cursor.goto_next_sibling() {
            break;
        }
    }
    drop(recorded);
    if src.len() <= KEPT_WALK_TEXT_BYTES {
        let items = walked.into_iter().map(Some).collect();
        keep_walk(RecentWalk { key, tree: tree.clone(), text: src.to_string(), items });
    }
    drop(previous);
}

/// A walk is kept with its tree (about 25 times its text in dense code) and a copy of its text:
/// not for texts larger than the recent-tree cache holds.
const KEPT_WALK_TEXT_BYTES: usize = 2 * 1024 * 1024;

/// Whether two items (of the recorded tree and of this one, starting at `old_start` and `start`)
/// have the same visible tree: kinds, fields, flags, child counts and offsets from the item's
/// start, down to the subtrees they share.
fn same_shape(old: Node<'_>, new: Node<'_>, old_start: usize, start: usize) -> bool {
    let same_node = |old: Node<'_>, new: Node<'_>| {
        old.kind_id() == new.kind_id()
            && old.is_missing() == new.is_missing()
            && old.is_extra() == new.is_extra()
            && old.start_byte() - old_start == new.start_byte() - start
            && old.end_byte() - old.start_byte() == new.end_byte() - new.start_byte()
    };
    if !same_node(old, new) {
        return false;
    }
    let (mut old_cursor, mut new_cursor) = (old.walk(), new.walk());
    loop {
        // Both cursors stand on nodes already compared; shared subtrees are not entered.
        let shared = old_cursor.node().id() == new_cursor.node().id();
        let old_down = !shared && old_cursor.goto_first_child();
        let new_down = !shared && new_cursor.goto_first_child();
        if old_down != new_down {
            return false;
        }
        if !old_down {
            loop {
                let old_next = old_cursor.goto_next_sibling();
                if old_next != new_cursor.goto_next_sibling() {
                    return false;
                }
                if old_next {
                    break;
                }
                let old_up = old_cursor.goto_parent();
                if old_up != new_cursor.goto_parent() {
                    return false;
                }
                if !old_up {
                    return true;
                }
            }
        }
        if old_cursor.field_id() != new_cursor.field_id() || !same_node(old_cursor.node(), new_cursor.node()) {
            return false;
        }
    }
}

/// Walks one top-level item as `walk_scoped` walks it, with the scopes of the items around it,
/// passing each visited node's descendant index within the item.
fn walk_item<'t>(
    item: Node<'t>,
    flags: &[u8],
    scopes: &mut Vec<Range<usize>>,
    mut visit: impl FnMut(Node<'t>, usize, &Vec<Range<usize>>),
) {
    let mut cursor = item.walk();
    loop {
        let node = cursor.node();
        let flag = flags.get(usize::from(node.kind_id())).copied().unwrap_or(0);
        if flag & (FUNCTION | VISITED) != 0 {
            let start = node.start_byte();
            while scopes.last().is_some_and(|scope| start >= scope.end) {
                scopes.pop();
            }
            if flag & VISITED != 0 {
                visit(node, cursor.descendant_index(), scopes);
            }
            if flag & FUNCTION != 0 {
                scopes.push(node.byte_range());
            }
        }
        if flag & OPAQUE == 0 && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The recorded nodes of a reused item, reached in this tree; `None` when one is not where and
/// what it was. A cursor walks the item entering only subtrees that hold a recorded node (a
/// node's descendant indices are its own and the next `descendant_count - 1`).
fn reach<'t>(item: Node<'t>, visits: &[Visited]) -> Option<Vec<Node<'t>>> {
    let start = item.start_byte();
    let mut cursor = item.walk();
    let mut nodes = Vec::with_capacity(visits.len());
    let mut targets = visits.iter().peekable();
    while let Some(target) = targets.peek() {
        let (node, index) = (cursor.node(), cursor.descendant_index());
        if target.index == index {
            if node.kind_id() != target.kind || node.start_byte() != start + target.start {
                return None;
            }
            nodes.push(node);
            targets.next();
        } else if target.index < index {
            return None;
        } else if target.index < index + node.descendant_count() {
            if !cursor.goto_first_child() {
                return None;
            }
        } else {
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return None;
                }
            }
        }
    }
    Some(nodes)
}

/// What the walk of one top-level item visited.
struct WalkedItem {
    visits: Vec<Visited>,
}

struct Visited {
    /// Descendant index within the item.
    index: usize,
    kind: u16,
    /// Offset from the item's start.
    start: usize,
    /// The enclosing function when the item holds it (else the item's own enclosing scope),
    /// relative to the item's start.
    scope: Option<Range<usize>>,
}

/// The walk of the tree analysed last with one set of kind lists.
struct RecentWalk {
    key: WalkKey,
    /// Keeps every recorded subtree alive, so its ids stay its own.
    tree: Tree,
    text: String,
    /// Per top-level item, in order (`None`: taken by the walk that reused it).
    items: Vec<Option<WalkedItem>>,
}

#[cfg(test)]
thread_local! {
    /// Items this thread's walks reused: the tests check that reuse happens at all.
    static REUSED_ITEMS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// (grammar, the three kind lists' addresses), as for `KIND_FLAGS`.
type WalkKey = (u64, usize, usize, usize);

/// One walk per key: the document being typed in. Another document's walk replaces it (and is
/// then walked in full the next time), which costs what no reuse costs.
static RECENT_WALKS: Mutex<Vec<RecentWalk>> = Mutex::new(Vec::new());

fn take_walk(key: WalkKey) -> Option<RecentWalk> {
    let mut recent = RECENT_WALKS.lock().ok()?;
    let index = recent.iter().position(|walk| walk.key == key)?;
    Some(recent.swap_remove(index))
}

fn keep_walk(walk: RecentWalk) {
    if let Ok(mut recent) = RECENT_WALKS.lock() {
        recent.retain(|kept| kept.key != walk.key);
        recent.push(walk);
    }
}

/// Forgets every recorded walk (and the trees they keep alive).
pub fn clear_walks() {
    if let Ok(mut recent) = RECENT_WALKS.lock() {
        recent.clear();
    }
}

const FUNCTION: u8 = 1;
const VISITED: u8 = 2;
const OPAQUE: u8 = 4;

/// (grammar, the three kind lists' addresses) → flags per kind id.
type KindFlags = HashMap<(u64, usize, usize, usize), Rc<[u8]>, BuildHasherDefault<IntHasher>>;

thread_local! {
    static KIND_FLAGS: RefCell<KindFlags> = RefCell::new(HashMap::default());
}

/// `flags[kind_id]` for the walk, built once per grammar and call site (the kind lists are
/// `'static`, so their addresses identify them) instead of once per analysis.
fn kind_flags(
    root: Node<'_>,
    function_kinds: &'static [&'static str],
    visited_kinds: &'static [&'static str],
    opaque_kinds: &'static [&'static str],
) -> Rc<[u8]> {
    let build = || -> Rc<[u8]> {
        let function = kind_table(root, function_kinds);
        let visited = kind_table(root, visited_kinds);
        let opaque = kind_table(root, opaque_kinds);
        (0..function.len())
            .map(|id| {
                u8::from(function[id]) * FUNCTION + u8::from(visited[id]) * VISITED + u8::from(opaque[id]) * OPAQUE
            })
            .collect()
    };
    let key = (
        grammar_key(root),
        function_kinds.as_ptr() as usize,
        visited_kinds.as_ptr() as usize,
        opaque_kinds.as_ptr() as usize,
    );
    KIND_FLAGS.with(|cache| match cache.try_borrow_mut() {
        Ok(mut cache) => cache.entry(key).or_insert_with(build).clone(),
        Err(_) => build(),
    })
}

/// `table[kind_id]`: whether a named kind of the tree's grammar is one of `kinds` (every id with
/// that name, aliases included).
fn kind_table(root: Node<'_>, kinds: &[&str]) -> Vec<bool> {
    let language = root.language();
    (0..language.node_kind_count())
        .map(|id| {
            let id = id as u16;
            language.node_kind_is_named(id) && language.node_kind_for_id(id).is_some_and(|name| kinds.contains(&name))
        })
        .collect()
}

/// The last segment of a callee's text (`jwt.verify` → `verify`, `require('x').decode` →
/// `decode`): a cheap first filter before resolving a call properly.
pub fn last_segment(callee: &str) -> &str {
    let trimmed = callee.trim_end();
    // Identifiers continue with combining marks (NFD `café`, Thai vowel signs), which are not
    // alphanumeric: every separator of member access and calls is ASCII punctuation or
    // whitespace, so other characters count as part of the name. The start is found by
    // character, never `byte + 1`, so a multi-byte separator cannot split a character.
    let is_separator =
        |ch: char| ch.is_whitespace() || (ch.is_ascii() && !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '$'));
    let start = trimmed.char_indices().rfind(|(_, ch)| is_separator(*ch)).map_or(0, |(at, ch)| at + ch.len_utf8());
    trimmed.get(start..).unwrap_or("")
}

/// Where the line holding byte `at` of `source` starts; `at` past the end or inside a character
/// counts as the end of the text before it.
pub fn line_start(source: &str, at: usize) -> usize {
    let at = floor_char_boundary(source, at);
    source[..at].rfind('\n').map_or(0, |newline| newline + 1)
}

/// The text from the start of `at`'s line up to `at`: the indentation to repeat when inserting a
/// line there.
/// Deletes a statement: its whole line when nothing else stands on it.
pub fn statement_removal(source: &str, statement: Node<'_>) -> Range<usize> {
    let start = line_start(source, statement.start_byte());
    let end = statement.end_byte();
    let line_end = source[end..].find('\n').map_or(source.len(), |newline| end + newline + 1);
    let alone = source[start..statement.start_byte()].trim().is_empty() && source[end..line_end].trim().is_empty();
    if alone { start..line_end } else { statement.byte_range() }
}

pub fn line_prefix(source: &str, at: usize) -> &str {
    let at = floor_char_boundary(source, at);
    &source[line_start(source, at)..at]
}

/// The largest character boundary of `text` at or before `at` (clamped to the text).
pub fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Named children that are not comments: the elements of a list, the entries of an object, the
/// arguments of a call.
pub fn elements<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    // Comments are the grammars' "extras"; `is_extra` avoids a kind-name lookup per child.
    node.named_children(&mut cursor).filter(|child| !child.is_extra()).collect()
}

/// A string literal's value joined from its named parts; `part` tells by kind whether a part is
/// text (`Some(true)`), a delimiter to skip (`Some(false)`) or not constant (`None`: an
/// interpolation), which makes the whole literal not constant.
pub fn joined_parts(node: Node<'_>, source: &str, part: impl Fn(&str) -> Option<bool>) -> Option<String> {
    let mut value = String::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if part(child.kind())? {
            value.push_str(text(child, source));
        }
    }
    Some(value)
}

/// The range that removes `items[index]` together with one separating comma, so the list stays
/// well-formed: `[a, b, c]` minus `b` is `[a, c]`, minus `c` is `[a, b]`.
pub fn removal_range(items: &[Node<'_>], index: usize) -> Range<usize> {
    let item = items[index];
    if let Some(next) = items.get(index + 1) {
        item.start_byte()..next.start_byte()
    } else if index > 0 {
        items[index - 1].end_byte()..item.end_byte()
    } else {
        item.byte_range()
    }
}

/// The nearest ancestor (or `node` itself) whose kind is in `kinds`.
pub fn ancestor<'t>(node: Node<'t>, kinds: &[&str]) -> Option<Node<'t>> {
    let mut current = Some(node);
    while let Some(candidate) = current {
        if kinds.contains(&candidate.kind()) {
            return Some(candidate);
        }
        current = candidate.parent();
    }
    None
}

/// Source text with runs of whitespace collapsed: two spellings of the same token expression
/// (`req.body.token` across a line break) compare equal.
pub fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` bytes of `text`, cut at a character boundary.
pub fn prefix(text: &str, max: usize) -> &str {
    &text[..floor_char_boundary(text, max)]
}

/// Words of an identifier or path, lower-cased, split at case changes, digits kept with their
/// letters: `createRemoteJWKSet` → create, remote, jwk, set; `PUBLIC_KEY` → public, key;
/// `ES256` → es256.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (index, &ch) in chars.iter().enumerate() {
        if !ch.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current).to_ascii_lowercase());
            }
            continue;
        }
        let previous = index.checked_sub(1).map(|at| chars[at]);
        let next = chars.get(index + 1).copied();
        let boundary = match previous {
            Some(previous) if previous.is_ascii_alphanumeric() => {
                (previous.is_ascii_lowercase() && ch.is_ascii_uppercase())
                    || (previous.is_ascii_uppercase()
                        && ch.is_ascii_uppercase()
                        && next.is_some_and(|next| next.is_ascii_lowercase()))
            }
            _ => false,
        };
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current).to_ascii_lowercase());
        }
        current.push(ch);
    }
    if !current.is_empty() {
        out.push(current.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_respect_characters() {
        assert_eq!(prefix("héllo", 2), "h");
        assert_eq!(prefix("héllo", 3), "hé");
        assert_eq!(prefix("abc", 10), "abc");
    }

    #[test]
    fn grammar_keys_are_distinct() {
        let grammars: Vec<tree_sitter::Language> = vec![
            tree_sitter_javascript::LANGUAGE.into(),
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            tree_sitter_typescript::LANGUAGE_TSX.into(),
            tree_sitter_python::LANGUAGE.into(),
            tree_sitter_go::LANGUAGE.into(),
            tree_sitter_c_sharp::LANGUAGE.into(),
            tree_sitter_php::LANGUAGE_PHP.into(),
            tree_sitter_ruby::LANGUAGE.into(),
        ];
        let mut keys: Vec<u64> = grammars
            .iter()
            .map(|grammar| {
                let mut parser = tree_sitter::Parser::new();
                parser.set_language(grammar).expect("grammar");
                grammar_key(parser.parse("x", None).expect("tree").root_node())
            })
            .collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), grammars.len());
    }

    #[test]
    fn cached_fields_match_lookups() {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&tree_sitter_javascript::LANGUAGE.into()).expect("grammar");
        let tree = parser.parse("f(a)", None).expect("tree");
        let call = tree.root_node().named_child(0).and_then(|statement| statement.named_child(0)).expect("call");
        for _ in 0..2 {
            assert_eq!(call.field("function"), call.child_by_field_name("function"));
            assert_eq!(call.field("arguments"), call.child_by_field_name("arguments"));
            assert_eq!(call.field("no_such_field"), None);
        }
    }

    #[test]
    fn scopes_close_after_their_function() {
        let source = "function f() { const a = 1; }\nconst b = 2;\nconst g = () => { const c = 3; };\n";
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&tree_sitter_javascript::LANGUAGE.into()).expect("grammar");
        let tree = parser.parse(source, None).expect("tree");
        let mut seen = Vec::new();
        walk_scoped(
            tree.root_node(),
            &["function_declaration", "arrow_function"],
            &["variable_declarator"],
            &[],
            |node, scope| {
                seen.push((text(node, source).chars().next().unwrap_or(' '), &source[scope.clone()] == source));
            },
        );
        assert_eq!(seen, [('a', false), ('b', true), ('g', true), ('c', false)]);
    }

    /// Opaque kinds are visited but not entered, and the cached kind tables stay per kind list.
    #[test]
    fn opaque_kinds_are_not_entered() {
        const FUNCTIONS: &[&str] = &["function_declaration"];
        const FRAGMENTS: &[&str] = &["string", "string_fragment"];
        const STRINGS: &[&str] = &["string"];
        let source = "f('a', `b${g('c')}`);\n";
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&tree_sitter_javascript::LANGUAGE.into()).expect("grammar");
        let tree = parser.parse(source, None).expect("tree");
        let seen = |opaque: &'static [&'static str]| {
            let mut seen = Vec::new();
            walk_scoped(tree.root_node(), FUNCTIONS, FRAGMENTS, opaque, |node, _| seen.push(text(node, source)));
            seen
        };
        for _ in 0..2 {
            // The template's own fragment `b` is entered either way: templates are not opaque.
            assert_eq!(seen(&[]), ["'a'", "a", "b", "'c'", "c"]);
            assert_eq!(seen(STRINGS), ["'a'", "b", "'c'"]);
        }
    }

    /// A walk that reuses the walk of a recent tree visits exactly what a full walk of the same
    /// tree visits (each node's kind and range, its enclosing function, in order), over edits
    /// that type and erase a statement character by character (unclosed calls move code into
    /// ERROR nodes), move and duplicate items and change indentation, with trees parsed
    /// incrementally and from scratch, in JavaScript and Python.
    #[test]
    fn reused_walks_match_full_walks() {
        use super::super::{Language, parse};
        const FUNCTIONS: &[&str] = &[
            "function_declaration",
            "function_expression",
            "arrow_function",
            "method_definition",
            "function_definition",
            "lambda",
        ];
        const VISITED: &[&str] = &[
            "call_expression",
            "call",
            "variable_declarator",
            "assignment_expression",
            "assignment",
            "expression_statement",
            "formal_parameters",
            "parameters",
            "arrow_function",
            "function_definition",
        ];
        const OPAQUE: &[&str] = &["string", "regex"];
        type Visit = (u16, Range<usize>, Range<usize>);
        let full = |tree: &tree_sitter::Tree| {
            let mut visits: Vec<Visit> = Vec::new();
            walk_scoped(tree.root_node(), FUNCTIONS, VISITED, OPAQUE, |node, scope| {
                visits.push((node.kind_id(), node.byte_range(), scope.clone()))
            });
            visits
        };
        let reused = |tree: &tree_sitter::Tree, text: &str| {
            let mut visits: Vec<Visit> = Vec::new();
            walk_scoped_reusing(tree, text, FUNCTIONS, VISITED, OPAQUE, |node, scope| {
                visits.push((node.kind_id(), node.byte_range(), scope.clone()))
            });
            visits
        };
        let js_item = |index: usize| {
            format!(
                "function verify{index}(req) {{\n  const token = req.headers.authorization;\n  return jwt.verify(token, key, {{ algorithms: ['RS256'] }}, (err) => f(`${{g(err)}}`));\n}}\napp.get('/x{index}', (req, res) => {{ res.json(verify{index}(req)); }});\n"
            )
        };
        let py_item = |index: usize| {
            format!(
                "def verify{index}(token):\n    claims = jwt.decode(token, key, algorithms=['RS256'])\n    return (lambda c: c)(claims)\n\nx{index} = verify{index}(t)\n"
            )
        };
        let cases: [(Language, String, &str); 2] = [
            (
                Language::JavaScript,
                (0..40).map(js_item).collect(),
                "  const claims = jwt.decode(String(req.query.token), { complete: true });",
            ),
            (
                Language::Python,
                (0..40).map(py_item).collect(),
                "    claims = jwt.decode(t, options={'verify_signature': False})",
            ),
        ];
        let reused_before = REUSED_ITEMS.with(std::cell::Cell::get);
        let mut checked = 0;
        for (language, base, line) in &cases {
            let mut versions: Vec<String> = Vec::new();
            for at in [base.len() / 3, base.len() / 2, base.len()] {
                let at = base[..at].rfind('\n').map_or(0, |newline| newline + 1);
                for end in 1..=line.len() {
                    versions.push(format!("{}{}\n{}", &base[..at], &line[..end], &base[at..]));
                }
                versions.push(base.clone());
            }
            let first_item_end = base.find("\n\n").map_or(base.len() / 4, |at| at + 2);
            // The first item moved to the end, duplicated, indented, removed; then the base again.
            versions.push(format!("{}{}", &base[first_item_end..], &base[..first_item_end]));
            versions.push(format!("{}{}", &base[..first_item_end], base));
            versions.push(base.replacen("\n", "\n ", 3));
            versions.push(base[first_item_end..].to_string());
            versions.push(base.clone());
            for text in &versions {
                let incremental = parse(text, *language).expect("tree");
                let mut parser = tree_sitter::Parser::new();
                parser.set_language(&language.grammar().expect("grammar")).expect("language");
                let fresh = parser.parse(text, None).expect("tree");
                assert_eq!(reused(&incremental, text), full(&incremental), "{language:?}, incremental tree: {text:?}");
                assert_eq!(reused(&fresh, text), full(&fresh), "{language:?}, fresh tree: {text:?}");
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked} versions");
        // Reuse must happen, or this compares full walks with full walks.
        assert!(REUSED_ITEMS.with(std::cell::Cell::get) > reused_before + 1000, "walks reused too little");
    }

    #[test]
    fn last_segments() {
        assert_eq!(last_segment("jwt.verify"), "verify");
        assert_eq!(last_segment("require('jsonwebtoken').decode"), "decode");
        assert_eq!(last_segment("checkToken"), "checkToken");
        assert_eq!(last_segment("a?.b"), "b");
    }

    /// Separators and identifiers of several bytes: these sliced inside a character before.
    #[test]
    fn last_segments_of_non_ascii_callees() {
        // NFD: `e` + U+0301 COMBINING ACUTE ACCENT, which is not alphanumeric.
        assert_eq!(last_segment("cafe\u{301}.verify"), "verify");
        assert_eq!(last_segment("jwt.cafe\u{301}"), "cafe\u{301}");
        assert_eq!(last_segment("\u{301}"), "\u{301}");
        assert_eq!(last_segment("x\u{FFFD}.verify"), "verify");
        assert_eq!(last_segment("ตรวจสอบ.โทเค็น"), "โทเค็น");
        assert_eq!(last_segment("验证.令牌"), "令牌");
        assert_eq!(last_segment("jwt.🙂"), "🙂");
        assert_eq!(last_segment("a\u{3000}verify"), "verify");
    }

    #[test]
    fn line_helpers_stay_on_characters() {
        let source = "é\n\t  ünë";
        assert_eq!(line_start(source, 5), 3);
        assert_eq!(line_prefix(source, 6), "\t  ");
        assert_eq!(line_prefix(source, 7), "\t  ");
        assert_eq!(line_prefix(source, 1), "");
        assert_eq!(line_prefix(source, 99), "\t  ünë");
        assert_eq!(floor_char_boundary("é", 1), 0);
    }

    #[test]
    fn splits_words() {
        assert_eq!(words("createRemoteJWKSet"), ["create", "remote", "jwk", "set"]);
        assert_eq!(words("PUBLIC_KEY"), ["public", "key"]);
        assert_eq!(words("jwtSecret"), ["jwt", "secret"]);
        assert_eq!(words("./keys/ec-public.pem"), ["keys", "ec", "public", "pem"]);
        assert_eq!(words("ES256"), ["es256"]);
    }
}
