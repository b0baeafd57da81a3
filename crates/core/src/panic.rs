//! Panics without secrets. A panic message can quote the text being analysed (the standard
//! library's own "byte index 5 is not a char boundary; it is inside 'é' of `…`" does), and that
//! text can be a token: so panic messages are never printed, logged or returned. What is kept is
//! where the panic happened, which is enough for a bug report.
//!
//! `isolate` runs a closure, turns a panic into a `PanicLocation` and keeps the default hook
//! quiet meanwhile; `install` (the binary) makes every other panic print its location only.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where a panic happened: `file:line:column` of the panicking code, or unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanicLocation(Option<String>);

impl fmt::Display for PanicLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(location) => write!(f, "panic at {location}"),
            None => f.write_str("panic at an unknown location"),
        }
    }
}

thread_local! {
    /// How many `isolate` calls are running on this thread: their panics are reported by them.
    static ISOLATED: Cell<usize> = const { Cell::new(0) };
    static LAST_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Set by `install`: panics outside `isolate` print their location instead of going to the
/// previous (default) hook, which would print the message.
static LOCATION_ONLY: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// For the binary: every panic prints where it happened and never its message.
pub fn install() {
    LOCATION_ONLY.store(true, Ordering::Relaxed);
    ensure_hook();
}

/// Runs `work`; a panic inside it comes back as its location, with nothing printed.
pub fn isolate<T>(work: impl FnOnce() -> T) -> Result<T, PanicLocation> {
    ensure_hook();
    ISOLATED.with(|depth| depth.set(depth.get() + 1));
    LAST_LOCATION.with(|last| last.borrow_mut().take());
    let result = panic::catch_unwind(AssertUnwindSafe(work));
    ISOLATED.with(|depth| depth.set(depth.get() - 1));
    // The payload (the message) is dropped unread.
    result.map_err(|_payload| PanicLocation(LAST_LOCATION.with(|last| last.borrow_mut().take())))
}

fn ensure_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if ISOLATED.with(Cell::get) > 0 {
                let location = location_of(info);
                // `try_borrow_mut`: a panic while the cell is borrowed must not panic again.
                LAST_LOCATION.with(|last| {
                    if let Ok(mut last) = last.try_borrow_mut() {
                        *last = location;
                    }
                });
            } else if LOCATION_ONLY.load(Ordering::Relaxed) {
                let location = location_of(info).unwrap_or_else(|| "an unknown location".to_string());
                let thread = std::thread::current();
                eprintln!(
                    "jwt-lsp: internal error: thread '{}' panicked at {location} (message withheld: it can quote \
                     source text); please report it",
                    thread.name().unwrap_or("<unnamed>")
                );
                let backtrace = std::backtrace::Backtrace::capture();
                if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
                    eprintln!("{backtrace}");
                }
            } else {
                previous(info);
            }
        }));
    });
}

fn location_of(info: &PanicHookInfo<'_>) -> Option<String> {
    info.location().map(|location| format!("{}:{}:{}", location.file(), location.line(), location.column()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isolated_panics_keep_their_location_and_lose_their_message() {
        let secret = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
        let failure = isolate(|| panic!("{secret}")).expect_err("panicked");
        let shown = failure.to_string();
        assert!(shown.contains("src/panic.rs:"), "{shown}");
        assert!(!shown.contains(secret), "{shown}");
        assert_eq!(isolate(|| 7), Ok(7));
    }

    #[test]
    fn nested_isolation_reports_the_inner_panic_to_the_inner_caller() {
        let outer = isolate(|| {
            let inner = isolate(|| panic!("inner"));
            assert!(inner.is_err());
            1
        });
        assert_eq!(outer, Ok(1));
    }
}
