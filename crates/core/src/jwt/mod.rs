//! JWT knowledge: finding tokens in text, decoding them, checking them, describing them.
//! Pure functions over strings: no I/O, no protocol types.

pub mod checks;
pub mod decode;
pub mod describe;
pub mod scan;
pub mod time;

pub use decode::{Form, Payload, Repair, Token};
