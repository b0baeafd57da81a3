//! Fix tests (placeholder).
