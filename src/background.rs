//! Work nobody is waiting for (a wordlist search for the next hover, a deferred re-check) on its
//! own thread at the lowest scheduling priority, pausing between slices of a long search while
//! the client sends requests, so that it never delays one.
//!
//! On the blocking pool such work competes with the threads that answer hovers and publish
//! diagnostics: on a 2-core machine a 20 ms search running beside a burst of hovers pushed one
//! request in forty past a scheduler tick (hover p99 ~4 ms instead of ~0.2 ms, and the same for a
//! no-op request). Linux's `SCHED_IDLE` runs the thread only when a core has nothing else to do
//! (rust-analyzer gives its background work a low QoS class on macOS for the same reason).

/// Runs `work` on a new low-priority thread; the receiver gets its result (or is closed if the
/// thread could not start or `work` panicked).
pub fn spawn_idle<T, F>(name: &str, work: F) -> tokio::sync::oneshot::Receiver<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new().name(name.to_string()).spawn(move || {
        lower_priority();
        crate::verify::weak::set_pause_between_slices(Some(pause_while_requests_arrive));
        let _ = sender.send(work());
    });
    if let Err(error) = spawned {
        tracing::warn!("could not start the background thread {name}: {error}");
    }
    receiver
}

/// Background work waits while messages arrive closer together than this.
const QUIET: std::time::Duration = std::time::Duration::from_millis(3);
/// ... but never longer than this at a time, so that a client that never pauses still sees it
/// finish (a wordlist search then advances a slice of keys each time).
const LONGEST_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// When the last message from the client arrived, in microseconds since [`epoch`].
static LAST_MESSAGE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn epoch() -> std::time::Instant {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(std::time::Instant::now)
}

/// Called by the transport for every message the client sends.
pub fn note_client_message() {
    let now = epoch().elapsed().as_micros() as u64;
    LAST_MESSAGE.store(now.max(1), std::sync::atomic::Ordering::Relaxed);
}

/// Sleeps while the client is sending requests (a burst of hovers, typing), at most
/// [`LONGEST_PAUSE`]. Priority alone did not do it: with a wordlist search running at idle
/// priority, one request in forty still waited a scheduler tick on a 2-core machine.
pub fn pause_while_requests_arrive() {
    let started = std::time::Instant::now();
    loop {
        let last = LAST_MESSAGE.load(std::sync::atomic::Ordering::Relaxed);
        let since = (epoch().elapsed().as_micros() as u64).saturating_sub(last);
        if last == 0 || since >= QUIET.as_micros() as u64 || started.elapsed() >= LONGEST_PAUSE {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// Lowers the calling thread's priority (best effort: a refusal leaves it as it was).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // pid 0 is the calling thread on Linux (scheduling attributes are per thread).
        // SAFETY: plain system call with a valid pointer to an initialised struct.
        if unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } == 0 {
            return;
        }
    }
    #[cfg(unix)]
    {
        // Elsewhere (or if SCHED_IDLE is refused) the lowest nice value; on Linux `setpriority`
        // with who = 0 applies to the calling thread only.
        // SAFETY: plain system call without pointers.
        unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_the_work_and_hands_back_its_result() {
        let receiver = spawn_idle("test-idle", || 6 * 7);
        assert_eq!(receiver.blocking_recv().ok(), Some(42));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_thread_runs_at_idle_priority() {
        // SAFETY: querying the calling thread's policy.
        let policy = spawn_idle("test-idle", || unsafe { libc::sched_getscheduler(0) });
        assert_eq!(policy.blocking_recv().ok(), Some(libc::SCHED_IDLE));
    }

    #[test]
    fn the_pause_ends_without_client_traffic() {
        // Nothing arrived for QUIET (or nothing ever): returns; a test cannot hang here.
        pause_while_requests_arrive();
        note_client_message();
        pause_while_requests_arrive();
    }

    #[test]
    fn a_panic_closes_the_channel() {
        let receiver = spawn_idle("test-idle", || -> u8 { panic!("expected in this test") });
        assert!(receiver.blocking_recv().is_err());
    }
}
