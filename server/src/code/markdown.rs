//! Markdown (placeholder).
use super::{Options, Sink};
pub(super) fn analyze(_: &str, _: &Options, _: &mut Sink) {}
