//! JWKS over HTTPS, with a cache. Only called when the user enabled network access (the
//! `allowNetwork` setting or a `--jwks URL` on the command line); never enabled by a workspace
//! file alone.
//!
//! - `https://` only; plain `http://` only for loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`),
//!   and redirects may not leave HTTPS.
//! - Connect and whole-response timeouts, a response-size cap.
//! - Cached per URL for `Cache-Control: max-age` (default 10 min, at most 24 h; `no-store` and
//!   `no-cache` mean "refetch when needed"). A failed refresh keeps serving the last good keys.
//! - A token whose `kid` is not in the cached set triggers one re-fetch, at most once per
//!   cooldown per URL: the "flush the JWKS cache after key rotation" fix, automated, without
//!   letting a stream of random `kid`s hammer the issuer.
//! - Single flight per URL: callers that need a URL while it is being fetched wait for that
//!   fetch and share its result (20 documents opened at start-up make one request, not 20).
//!
//! Blocking: call from a worker thread (`spawn_blocking` in the server).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::{Key, KeySource, Lookup, Origin, jwk};
use crate::verify::RemoteKeys;

#[derive(Debug, Clone, Copy)]
pub struct FetchOptions {
    pub connect_timeout: Duration,
    /// The whole exchange: resolve, connect, TLS, request, response headers and body.
    pub total_timeout: Duration,
    pub max_response_bytes: u64,
    /// Cache lifetime when the response has no `max-age`.
    pub default_max_age: Duration,
    /// Upper bound on any cache lifetime.
    pub max_max_age: Duration,
    /// Minimum time between fetches of one URL triggered by unknown `kid`s or failures.
    pub refetch_cooldown: Duration,
}

impl Default for FetchOptions {
    fn default() -> FetchOptions {
        FetchOptions {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(10),
            max_response_bytes: 512 * 1024,
            default_max_age: Duration::from_secs(600),
            max_max_age: Duration::from_secs(24 * 3600),
            refetch_cooldown: Duration::from_secs(30),
        }
    }
}

/// The monotonic clock the cache reads; tests substitute a manual one.
pub type ClockFn = Arc<dyn Fn() -> Instant + Send + Sync>;

struct Entry {
    /// The last good key set (kept when a later fetch fails).
    keys: Option<Vec<Key>>,
    notes: Vec<String>,
    expires_at: Instant,
    last_attempt: Instant,
    last_error: Option<String>,
}

pub struct JwksCache {
    options: FetchOptions,
    clock: ClockFn,
    entries: Mutex<HashMap<String, Entry>>,
    /// Fetches under way, per URL. Lock order: `flights`, then `entries`.
    flights: Mutex<HashMap<String, Arc<Flight>>>,
}

/// One fetch under way; followers wait for its `Lookup`.
#[derive(Default)]
struct Flight {
    result: Mutex<Option<Lookup>>,
    done: Condvar,
}

impl Flight {
    fn finish(&self, lookup: Lookup) {
        if let Ok(mut result) = self.result.lock() {
            *result = Some(lookup);
        }
        self.done.notify_all();
    }

    fn wait(&self) -> Lookup {
        let Ok(mut result) = self.result.lock() else { return failed_lookup("internal error: fetch lock poisoned") };
        loop {
            if let Some(lookup) = result.as_ref() {
                return lookup.clone();
            }
            result = match self.done.wait(result) {
                Ok(result) => result,
                Err(_) => return failed_lookup("internal error: fetch lock poisoned"),
            };
        }
    }
}

/// How the verifier asks for JWKS keys: through this cache, so the analysis names no HTTP client.
impl RemoteKeys for JwksCache {
    fn keys(&self, url: &str) -> Lookup {
        self.get(url)
    }

    fn cached(&self, url: &str) -> Option<Lookup> {
        self.peek(url)
    }

    fn refresh_for_kid(&self, url: &str, kid: &str) -> Lookup {
        self.refresh_for_unknown_kid(url, kid)
    }
}

/// Ends a flight however the leader leaves (a panic included), so that followers never wait
/// for a fetch nobody is doing.
struct Landing<'a> {
    cache: &'a JwksCache,
    url: &'a str,
    flight: Arc<Flight>,
    lookup: Option<Lookup>,
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        // The cache entry is written before the flight is removed: a caller that finds no flight
        // afterwards finds the fresh entry instead.
        if let Ok(mut flights) = self.cache.flights.lock() {
            flights.remove(self.url);
        }
        let lookup = self.lookup.take().unwrap_or_else(|| failed_lookup("internal error: the fetch did not finish"));
        self.flight.finish(lookup);
    }
}

fn failed_lookup(error: &str) -> Lookup {
    Lookup { keys: Vec::new(), fetched: true, error: Some(error.to_string()), notes: Vec::new() }
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let urls: Vec<String> =
            self.entries.lock().map(|entries| entries.keys().cloned().collect()).unwrap_or_default();
        f.debug_struct("JwksCache").field("urls", &urls).finish()
    }
}

impl Default for JwksCache {
    fn default() -> JwksCache {
        JwksCache::new(FetchOptions::default())
    }
}

impl JwksCache {
    pub fn new(options: FetchOptions) -> JwksCache {
        JwksCache::with_clock(options, Arc::new(Instant::now))
    }

    pub fn with_clock(options: FetchOptions, clock: ClockFn) -> JwksCache {
        JwksCache { options, clock, entries: Mutex::new(HashMap::new()), flights: Mutex::new(HashMap::new()) }
    }

    /// Keys for `url`: from the cache while fresh, otherwise fetched now (a failed attempt is
    /// not repeated within the cooldown).
    pub fn get(&self, url: &str) -> Lookup {
        self.fetch_unless(url, || {
            let now = (self.clock)();
            self.cached_if(url, |entry| {
                now < entry.expires_at
                    || (entry.last_error.is_some() && now < entry.last_attempt + self.options.refetch_cooldown)
            })
        })
    }

    /// Re-fetches `url` because a token's `kid` was not in its keys, unless the last fetch was
    /// within the cooldown; then the cached keys come back with a note.
    pub fn refresh_for_unknown_kid(&self, url: &str, kid: &str) -> Lookup {
        self.fetch_unless(url, || {
            let now = (self.clock)();
            let cooldown = self.options.refetch_cooldown;
            let mut lookup = self.cached_if(url, |entry| now < entry.last_attempt + cooldown)?;
            lookup.notes.push(format!(
                "kid `{kid}` unknown, but {url} was fetched less than {} s ago; not re-fetched yet (rate limit)",
                cooldown.as_secs()
            ));
            Some(lookup)
        })
    }

    /// Fetches now, whatever the cache says (`jwt-lsp.refreshJwks`); joins a fetch already under
    /// way rather than starting a second one.
    pub fn force_refresh(&self, url: &str) -> Lookup {
        self.fetch_unless(url, || None)
    }

    /// The cached answer `cached` gives, or else the result of one fetch of `url` shared by
    /// every caller that asks while it runs. A follower's `Lookup` says `fetched`: its keys are
    /// as new as the leader's.
    fn fetch_unless(&self, url: &str, cached: impl Fn() -> Option<Lookup>) -> Lookup {
        let flight = {
            let Ok(mut flights) = self.flights.lock() else {
                return failed_lookup("internal error: fetch lock poisoned");
            };
            if let Some(flight) = flights.get(url) {
                let flight = flight.clone();
                drop(flights);
                return flight.wait();
            }
            // Asked under the flights lock: a fetch that finished since the caller last looked
            // has already written the cache, so this does not fetch again.
            if let Some(lookup) = cached() {
                return lookup;
            }
            let flight = Arc::new(Flight::default());
            flights.insert(url.to_string(), flight.clone());
            flight
        };
        let mut landing = Landing { cache: self, url, flight, lookup: None };
        let lookup = self.fetch_into_cache(url);
        landing.lookup = Some(lookup.clone());
        lookup
    }

    /// The cached keys without any I/O (for the edit path).
    pub fn peek(&self, url: &str) -> Option<Lookup> {
        self.cached_if(url, |_| true)
    }

    fn cached_if(&self, url: &str, usable: impl Fn(&Entry) -> bool) -> Option<Lookup> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(url).filter(|entry| usable(entry))?;
        Some(Lookup {
            keys: entry.keys.clone().unwrap_or_default(),
            fetched: false,
            error: entry.last_error.clone(),
            notes: entry.notes.clone(),
        })
    }

    fn fetch_into_cache(&self, url: &str) -> Lookup {
        let started = (self.clock)();
        let result = fetch_jwks(url, &self.options);
        let now = (self.clock)();
        let Ok(mut entries) = self.entries.lock() else {
            return failed_lookup("internal error: cache lock poisoned");
        };
        let entry = entries.entry(url.to_string()).or_insert_with(|| Entry {
            keys: None,
            notes: Vec::new(),
            expires_at: started,
            last_attempt: started,
            last_error: None,
        });
        entry.last_attempt = now;
        match result {
            Ok(fetched) => {
                let max_age = fetched.max_age.unwrap_or(self.options.default_max_age).min(self.options.max_max_age);
                entry.keys = Some(fetched.keys);
                entry.notes = fetched.notes;
                entry.expires_at = now + max_age;
                entry.last_error = None;
            }
            Err(error) => {
                entry.expires_at = now;
                entry.last_error = Some(match entry.keys {
                    Some(_) => format!("{error} (using the keys fetched earlier)"),
                    None => error,
                });
            }
        }
        Lookup {
            keys: entry.keys.clone().unwrap_or_default(),
            fetched: true,
            error: entry.last_error.clone(),
            notes: entry.notes.clone(),
        }
    }
}

struct Fetched {
    keys: Vec<Key>,
    notes: Vec<String>,
    max_age: Option<Duration>,
}

/// Why `url` may not be fetched, if it may not: only `https://`, or `http://` to loopback.
pub fn check_url(url: &str) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").ok_or_else(|| format!("`{url}` is not an absolute URL"))?;
    if scheme != "https" && scheme != "http" {
        return Err(format!("unsupported URL scheme `{scheme}://` (use https://)"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("URLs with credentials (`user@host`) are refused".to_string());
    }
    if authority.is_empty() {
        return Err(format!("`{url}` has no host"));
    }
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback(authority) => Ok(()),
        _ => Err(format!(
            "`{url}` uses plain http://; JWKS must come over https:// (http:// is allowed only for localhost)"
        )),
    }
}

fn is_loopback(authority: &str) -> bool {
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        authority.rsplit_once(':').map_or(authority, |(host, _)| host)
    };
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn fetch_jwks(url: &str, options: &FetchOptions) -> Result<Fetched, String> {
    check_url(url)?;
    let secure = url.get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"));
    let mut config = ureq::Agent::config_builder()
        .timeout_connect(Some(options.connect_timeout))
        .timeout_global(Some(options.total_timeout))
        .http_status_as_error(false)
        .https_only(secure)
        .max_redirects(if secure { 3 } else { 0 })
        .user_agent(concat!("jwt-lsp/", env!("CARGO_PKG_VERSION")));
    if !secure {
        config = config.proxy(None);
    }
    let agent: ureq::Agent = config.build().into();
    let mut response = agent
        .get(url)
        .header("Accept", "application/json, application/jwk-set+json")
        .call()
        .map_err(|err| describe_error(err, secure))?;
    let status = response.status().as_u16();
    if (300..400).contains(&status) {
        let location = response.headers().get("location").and_then(|value| value.to_str().ok()).unwrap_or("?");
        return Err(format!(
            "redirected (HTTP {status} to {location}); redirects are followed only from https:// to https:// URLs"
        ));
    }
    if !(200..300).contains(&status) {
        return Err(format!("HTTP {status} from the JWKS endpoint"));
    }
    let max_age = response.headers().get("cache-control").and_then(|value| value.to_str().ok()).and_then(parse_max_age);
    let body =
        response.body_mut().with_config().limit(options.max_response_bytes).read_to_vec().map_err(|err| match err {
            ureq::Error::BodyExceedsLimit(_) => {
                format!("response is larger than the {}-byte limit", options.max_response_bytes)
            }
            other => describe_error(other, secure),
        })?;
    let text = String::from_utf8(body).map_err(|_| "response is not UTF-8 text".to_string())?;
    let (keys, notes) = jwk::keys_from_json(&text, KeySource::new(url, Origin::Remote))
        .map_err(|err| format!("response is not a JWKS: {err}"))?;
    Ok(Fetched { keys, notes, max_age })
}

fn describe_error(err: ureq::Error, secure: bool) -> String {
    match err {
        // rustls reports a failed handshake (a plain-HTTP server, a bad record) as invalid data.
        ureq::Error::Io(io) if secure && io.kind() == std::io::ErrorKind::InvalidData => format!("TLS failed: {io}"),
        ureq::Error::Timeout(which) => format!("timed out ({which})"),
        ureq::Error::TooManyRedirects => "too many redirects (at most 3 are followed)".to_string(),
        ureq::Error::RequireHttpsOnly(_) => "redirected to a URL that is not https://; refused".to_string(),
        ureq::Error::Rustls(tls) => format!("TLS failed: {tls}"),
        ureq::Error::Tls(tls) => format!("TLS failed: {tls}"),
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::ConnectionFailed => "connection failed".to_string(),
        ureq::Error::BodyExceedsLimit(limit) => format!("response is larger than the {limit}-byte limit"),
        ureq::Error::Io(io) => format!("I/O error: {io}"),
        other => other.to_string(),
    }
}

/// `max-age` from a `Cache-Control` value; `no-store`/`no-cache` mean zero.
pub fn parse_max_age(value: &str) -> Option<Duration> {
    let mut max_age = None;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(seconds) = lower.strip_prefix("max-age=") {
            max_age = seconds.trim_matches('"').parse::<u64>().ok().map(Duration::from_secs);
        }
    }
    max_age
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        assert!(check_url("https://auth.example.com/.well-known/jwks.json").is_ok());
        assert!(check_url("http://127.0.0.1:8080/jwks").is_ok());
        assert!(check_url("http://localhost/jwks").is_ok());
        assert!(check_url("http://[::1]:9000/jwks").is_ok());
        assert!(check_url("http://auth.example.com/jwks").unwrap_err().contains("https://"));
        assert!(check_url("http://127.0.0.1.evil.com/jwks").is_err());
        assert!(check_url("https://user:pw@auth.example.com/").unwrap_err().contains("credentials"));
        assert!(check_url("file:///etc/passwd").unwrap_err().contains("scheme"));
        assert!(check_url("jwks.json").is_err());
    }

    #[test]
    fn reads_max_age() {
        assert_eq!(parse_max_age("public, max-age=300"), Some(Duration::from_secs(300)));
        assert_eq!(parse_max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(parse_max_age("private"), None);
        assert_eq!(parse_max_age("max-age=abc"), None);
    }
}
