//! The JWKS fetcher against a loopback HTTP server on 127.0.0.1 (std `TcpListener`): caching,
//! `Cache-Control: max-age`, the rate-limited re-fetch on an unknown `kid`, timeouts, oversize
//! and malformed responses. Each server stops by itself after a bounded time.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_lsp::jwt::checks::Clock;
use jwt_lsp::keys::fetch::{FetchOptions, JwksCache};
use jwt_lsp::verify::{Mode, Verdict, Verifier};
use p256::ecdsa::signature::Signer as _;

#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
}

impl Reply {
    fn json(body: &str, cache_control: Option<&str>) -> Reply {
        let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        if let Some(value) = cache_control {
            headers.push(("Cache-Control".to_string(), value.to_string()));
        }
        Reply { status: 200, headers, body: body.as_bytes().to_vec(), delay: Duration::ZERO }
    }
}

/// A tiny HTTP/1.1 server: one reply per path, a request count per path, a thread per
/// connection. It stops accepting when dropped or after 30 s, whichever comes first.
struct LoopbackServer {
    base: String,
    replies: Arc<Mutex<HashMap<String, Reply>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    stop: Arc<AtomicBool>,
}

impl LoopbackServer {
    fn start() -> LoopbackServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let replies: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (replies_for_thread, hits_for_thread, stop_for_thread) = (replies.clone(), hits.clone(), stop.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(30);
            while !stop_for_thread.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (replies, hits) = (replies_for_thread.clone(), hits_for_thread.clone());
                        std::thread::spawn(move || serve(stream, &replies, &hits));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        LoopbackServer { base, replies, hits, stop }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn set(&self, path: &str, reply: Reply) {
        self.replies.lock().unwrap().insert(path.to_string(), reply);
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(mut stream: TcpStream, replies: &Mutex<HashMap<String, Reply>>, hits: &Mutex<HashMap<String, usize>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut request = Vec::new();
    let mut buffer = [0u8; 1024];
    while !request.windows(4).any(|window| window == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(read) => request.extend_from_slice(&buffer[..read]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    let reply = replies.lock().unwrap().get(&path).cloned().unwrap_or(Reply {
        status: 404,
        headers: Vec::new(),
        body: b"not found".to_vec(),
        delay: Duration::ZERO,
    });
    std::thread::sleep(reply.delay);
    let mut head =
        format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", reply.status, reply.body.len());
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply.body);
}

/// A clock the test moves by hand.
fn manual_clock() -> (Arc<Mutex<Instant>>, jwt_lsp::keys::fetch::ClockFn) {
    let now = Arc::new(Mutex::new(Instant::now()));
    let reader = now.clone();
    (now, Arc::new(move || *reader.lock().unwrap()))
}

fn advance(clock: &Mutex<Instant>, seconds: u64) {
    *clock.lock().unwrap() += Duration::from_secs(seconds);
}

fn test_options() -> FetchOptions {
    FetchOptions {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_millis(800),
        max_response_bytes: 64 * 1024,
        ..FetchOptions::default()
    }
}

fn p256(seed: u8) -> (p256::ecdsa::SigningKey, String) {
    let signing = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).expect("scalar");
    let point = signing.verifying_key().to_sec1_point(false);
    let p256::elliptic_curve::sec1::Coordinates::Uncompressed { x, y } = point.coordinates() else { panic!("point") };
    let members =
        format!(r#""kty":"EC","crv":"P-256","x":"{}","y":"{}""#, URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
    (signing, members)
}

fn jwks(entries: &[(&str, &str)]) -> String {
    let keys: Vec<String> = entries.iter().map(|(kid, members)| format!(r#"{{{members},"kid":"{kid}"}}"#)).collect();
    format!(r#"{{"keys":[{}]}}"#, keys.join(","))
}

#[test]
fn caches_for_max_age_then_refetches() {
    let server = LoopbackServer::start();
    let (_, members) = p256(5);
    server.set("/jwks", Reply::json(&jwks(&[("a", &members)]), Some("public, max-age=60")));
    let (clock, clock_fn) = manual_clock();
    let cache = JwksCache::with_clock(test_options(), clock_fn);
    let url = server.url("/jwks");

    let first = cache.get(&url);
    assert!(first.fetched && first.error.is_none(), "{:?}", first.error);
    assert_eq!(first.keys.len(), 1);
    let second = cache.get(&url);
    assert!(!second.fetched);
    assert_eq!(server.hits("/jwks"), 1);
    advance(&clock, 61);
    assert!(cache.get(&url).fetched);
    assert_eq!(server.hits("/jwks"), 2);

    // no-store: every use re-fetches.
    server.set("/nostore", Reply::json(&jwks(&[("a", &members)]), Some("no-store")));
    let url = server.url("/nostore");
    assert!(cache.get(&url).fetched);
    assert!(cache.get(&url).fetched);
    assert_eq!(server.hits("/nostore"), 2);
    // Forced refresh ignores the cache.
    assert!(cache.force_refresh(&server.url("/jwks")).fetched);
    assert_eq!(server.hits("/jwks"), 3);
}

#[test]
fn unknown_kid_refetches_at_most_once_per_cooldown() {
    let server = LoopbackServer::start();
    let (old_signer, old) = p256(5);
    let (new_signer, new) = p256(6);
    server.set("/jwks", Reply::json(&jwks(&[("2025-01", &old)]), Some("max-age=600")));
    let (clock, clock_fn) = manual_clock();
    let cache = Arc::new(JwksCache::with_clock(test_options(), clock_fn));
    let url = server.url("/jwks");
    let verifier = Verifier {
        jwks_urls: vec![url.clone()],
        remote: Some(cache.clone()),
        mode: Mode::Inline,
        ..Verifier::default()
    };

    let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"alice","exp":1798761600}"#);
    let mint = |kid: &str, signer: &p256::ecdsa::SigningKey| {
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"ES256","kid":"{kid}"}}"#));
        let input = format!("{header}.{payload}");
        let signature: p256::ecdsa::Signature = signer.sign(input.as_bytes());
        jwt_lsp::jwt::decode::decode(&format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))).unwrap()
    };
    let clock_now = Clock { now: 1_767_225_600, leeway: 0 };
    let old_token = mint("2025-01", &old_signer);
    assert_eq!(verifier.examine(&old_token, &[], clock_now, &|_| 0).verdict, Verdict::Verified);
    assert_eq!(server.hits("/jwks"), 1);

    // The issuer rotates; the new kid is unknown. The set was fetched just now, so the re-fetch
    // waits for the cooldown: the verdict names the URL and the rate limit.
    server.set("/jwks", Reply::json(&jwks(&[("2025-07", &new)]), Some("max-age=600")));
    let new_token = mint("2025-07", &new_signer);
    let exam = verifier.examine(&new_token, &[], clock_now, &|_| 0);
    assert_eq!(exam.verdict, Verdict::KidUnknown);
    assert_eq!(server.hits("/jwks"), 1);
    let kid_step = &exam.steps.iter().find(|step| step.number == 3).unwrap().text;
    assert!(kid_step.contains(&url) && kid_step.contains("rate limit"), "{kid_step}");
    for _ in 0..5 {
        verifier.examine(&new_token, &[], clock_now, &|_| 0);
    }
    assert_eq!(server.hits("/jwks"), 1, "a stream of unknown kids must not hammer the issuer");

    advance(&clock, 31);
    let exam = verifier.examine(&new_token, &[], clock_now, &|_| 0);
    assert_eq!(exam.verdict, Verdict::Verified, "{}", exam.plain());
    assert_eq!(server.hits("/jwks"), 2);
}

#[test]
fn deferred_mode_reads_the_cache_and_refreshes_in_the_background() {
    let server = LoopbackServer::start();
    let (_, members) = p256(8);
    server.set("/jwks", Reply::json(&jwks(&[("k1", &members)]), None));
    let (_clock, clock_fn) = manual_clock();
    let cache = Arc::new(JwksCache::with_clock(test_options(), clock_fn));
    let url = server.url("/jwks");
    let verifier = Verifier {
        jwks_urls: vec![url.clone()],
        remote: Some(cache.clone()),
        mode: Mode::Deferred,
        ..Verifier::default()
    };
    let token = jwt_lsp::jwt::decode::decode(&format!(
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.{}",
        "A".repeat(86)
    ))
    .unwrap();
    let exam = verifier.examine(&token, &[], Clock { now: 0, leeway: 0 }, &|_| 0);
    assert_eq!(server.hits("/jwks"), 0, "the edit path never touches the network");
    assert_eq!(exam.deferred.len(), 1);
    assert!(verifier.run_deferred(&exam.deferred));
    assert_eq!(server.hits("/jwks"), 1, "{:?}", cache.peek(&url));
    assert_eq!(cache.peek(&url).unwrap().keys.len(), 1);
}

#[test]
fn failures_are_clear_and_never_crash() {
    let server = LoopbackServer::start();
    let (_clock, clock_fn) = manual_clock();
    let cache = JwksCache::with_clock(test_options(), clock_fn);

    let mut slow = Reply::json(r#"{"keys":[]}"#, None);
    slow.delay = Duration::from_millis(2500);
    server.set("/slow", slow);
    let started = Instant::now();
    let lookup = cache.get(&server.url("/slow"));
    assert!(started.elapsed() < Duration::from_millis(2000), "timeout not applied: {:?}", started.elapsed());
    let error = lookup.error.expect("timeout error");
    assert!(error.contains("timed out"), "{error}");

    let huge = format!(r#"{{"keys":[],"padding":"{}"}}"#, "x".repeat(200 * 1024));
    server.set("/huge", Reply::json(&huge, None));
    let error = cache.get(&server.url("/huge")).error.expect("oversize");
    assert!(error.contains("larger than the 65536-byte limit"), "{error}");

    server.set("/html", Reply::json("<html>login</html>", None));
    let error = cache.get(&server.url("/html")).error.expect("bad json");
    assert!(error.contains("not a JWKS") && error.contains("JSON"), "{error}");

    server.set("/empty", Reply::json(r#"{"keys":[]}"#, None));
    assert!(cache.get(&server.url("/empty")).error.expect("empty").contains("empty"));

    let error = cache.get(&server.url("/missing")).error.expect("404");
    assert!(error.contains("HTTP 404"), "{error}");

    // A failed refresh keeps the last good keys.
    let (_, members) = p256(9);
    server.set("/flaky", Reply::json(&jwks(&[("k", &members)]), None));
    assert_eq!(cache.get(&server.url("/flaky")).keys.len(), 1);
    server.set("/flaky", Reply { status: 500, headers: Vec::new(), body: b"oops".to_vec(), delay: Duration::ZERO });
    let lookup = cache.force_refresh(&server.url("/flaky"));
    assert_eq!(lookup.keys.len(), 1);
    assert!(lookup.error.unwrap().contains("HTTP 500"), "stale keys are labelled");

    // Nothing listens here: a connection error, not a panic.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    assert!(cache.get(&format!("http://127.0.0.1:{port}/jwks")).error.is_some());
    // Plain HTTP to a non-loopback host is refused before any connection.
    assert!(cache.get("http://auth.example.com/jwks").error.unwrap().contains("https://"));
}

#[test]
fn concurrent_requests_for_one_url_share_one_fetch() {
    let server = LoopbackServer::start();
    let (_, members) = p256(11);
    let mut slow = Reply::json(&jwks(&[("k1", &members)]), Some("max-age=600"));
    // Slow enough that every thread asks while the first request is still under way.
    slow.delay = Duration::from_millis(400);
    server.set("/jwks", slow);
    let (_clock, clock_fn) = manual_clock();
    let options = FetchOptions { total_timeout: Duration::from_secs(5), ..test_options() };
    let cache = Arc::new(JwksCache::with_clock(options, clock_fn));
    let url = server.url("/jwks");
    let start = Arc::new(std::sync::Barrier::new(20));
    // The ways documents ask at start-up: the prefetch, and re-fetches for a `kid` not seen yet.
    let threads: Vec<_> = (0..20)
        .map(|index| {
            let (cache, url, start) = (cache.clone(), url.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                if index % 2 == 0 { cache.get(&url) } else { cache.refresh_for_unknown_kid(&url, "k1") }
            })
        })
        .collect();
    for thread in threads {
        let lookup = thread.join().unwrap();
        assert!(lookup.error.is_none(), "{:?}", lookup.error);
        assert_eq!(lookup.keys.len(), 1);
    }
    assert_eq!(server.hits("/jwks"), 1, "one request for 20 concurrent callers");
}
