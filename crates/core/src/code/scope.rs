//! Same-file name resolution, just enough to follow `const opts = {...}` or `SECRET = "..."` to
//! its value. Scopes are functions (block scopes are folded into their function); a name
//! defined twice in one scope, or reassigned, resolves to nothing: when unsure, say nothing.

use std::collections::HashMap;
use std::ops::Range;

use rustc_hash::FxHashMap;

use tree_sitter::Node;

#[derive(Debug, Clone)]
pub struct Definition<'t> {
    /// The function (or file) the name is visible in.
    pub scope: Range<usize>,
    /// Where the defining name stands.
    pub at: usize,
    /// The initial value, when there is one (parameters have none).
    pub value: Option<Node<'t>>,
    /// The definition binds a library import (`const jwt = require('jsonwebtoken')`).
    pub binding: bool,
}

/// `name.key = value` / `name["key"] = value`, recorded so an object built step by step
/// (passport-jwt's README style) can still be read.
#[derive(Debug, Clone)]
pub struct Property<'t> {
    pub key: String,
    pub value: Node<'t>,
    /// The whole statement, removed by a fix that drops the property.
    pub statement: Node<'t>,
}

/// Name → entries. Every parameter, variable and assignment of a file is recorded on every
/// keystroke: Fx hashing, and a key is allocated only for a name's first entry.
type ByName<T> = FxHashMap<String, Vec<T>>;

fn push<T>(map: &mut ByName<T>, name: &str, entry: T) {
    match map.get_mut(name) {
        Some(entries) => entries.push(entry),
        None => {
            map.insert(name.to_string(), vec![entry]);
        }
    }
}

#[derive(Debug, Default)]
pub struct Scopes<'t> {
    definitions: ByName<Definition<'t>>,
    reassignments: ByName<usize>,
    properties: ByName<Property<'t>>,
    /// Positions where an object is mutated in a way we do not model (`Object.assign(o, …)`).
    mutations: ByName<usize>,
}

impl<'t> Scopes<'t> {
    pub fn define(&mut self, name: &str, scope: Range<usize>, at: usize, value: Option<Node<'t>>, binding: bool) {
        push(&mut self.definitions, name, Definition { scope, at, value, binding });
    }

    pub fn reassign(&mut self, name: &str, at: usize) {
        push(&mut self.reassignments, name, at);
    }

    pub fn property(&mut self, name: &str, key: String, value: Node<'t>, statement: Node<'t>) {
        push(&mut self.properties, name, Property { key, value, statement });
    }

    pub fn mutate(&mut self, name: &str, at: usize) {
        push(&mut self.mutations, name, at);
    }

    /// The definition of `name` visible at `at`: the one in the innermost enclosing scope, if it
    /// is the only one there. `None` when undefined or ambiguous.
    pub fn lookup(&self, name: &str, at: usize) -> Option<&Definition<'t>> {
        let candidates = self.definitions.get(name)?;
        let visible = candidates.iter().filter(|definition| definition.scope.start <= at && at <= definition.scope.end);
        let innermost = visible.clone().max_by_key(|definition| definition.scope.start)?;
        let same_scope = visible.filter(|definition| definition.scope == innermost.scope).count();
        (same_scope == 1).then_some(innermost)
    }

    /// What a front end's import table says the name at `at` stands for, unless a local
    /// definition that binds no import shadows it.
    pub fn binding<'b, B>(&self, bindings: &'b HashMap<String, B>, name: &str, at: usize) -> Option<&'b B> {
        let binding = bindings.get(name)?;
        match self.innermost(name, at) {
            Some(definition) if !definition.binding => None,
            _ => Some(binding),
        }
    }

    /// The innermost definition visible at `at`, even where several share its scope, for
    /// shadowing decisions.
    pub fn innermost(&self, name: &str, at: usize) -> Option<&Definition<'t>> {
        self.definitions
            .get(name)?
            .iter()
            .filter(|definition| definition.scope.start <= at && at <= definition.scope.end)
            .max_by_key(|definition| definition.scope.start)
    }

    /// The value `name` certainly has at `at`: a single definition with an initial value and
    /// no reassignment anywhere in its scope.
    pub fn value(&self, name: &str, at: usize) -> Option<Node<'t>> {
        let definition = self.lookup(name, at)?;
        let value = definition.value?;
        let reassigned = self.reassignments.get(name).is_some_and(|positions| {
            positions.iter().any(|&position| definition.scope.contains(&position) && position != definition.at)
        });
        (!reassigned).then_some(value)
    }

    /// Properties assigned to `name` within the scope of its definition at `at`; `None` when the
    /// object is mutated in a way that is not modelled.
    pub fn properties_of(&self, name: &str, at: usize) -> Option<Vec<&Property<'t>>> {
        let definition = self.lookup(name, at)?;
        let in_scope = |position: usize| definition.scope.start <= position && position <= definition.scope.end;
        if self.mutations.get(name).is_some_and(|positions| positions.iter().any(|&position| in_scope(position))) {
            return None;
        }
        Some(
            self.properties
                .get(name)
                .map(|properties| {
                    properties.iter().filter(|property| in_scope(property.statement.start_byte())).collect()
                })
                .unwrap_or_default(),
        )
    }
}
