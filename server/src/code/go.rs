//! Go (placeholder).
use tree_sitter::Tree;
use super::{Options, Sink};
pub(super) fn analyze(_: &str, _: &Tree, _: &Options, _: &mut Sink) {}
