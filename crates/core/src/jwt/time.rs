//! NumericDate handling: parsing a pinned clock, formatting times as UTC dates and as relative
//! durations ("in 2 h", "3 days ago").

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// The moment "now" for every time-dependent check, in Unix seconds. Always passed in, never read
/// from the wall clock inside the analysis, so results can be pinned: the front ends read the wall
/// clock (`cli::wall_clock`, the server's own) when `--now` / the `now` setting is unset.
pub type UnixSeconds = i64;

/// Parses `--now` / the `now` setting: RFC 3339 (`2026-11-28T12:00:00Z`) or Unix seconds.
pub fn parse_now(text: &str) -> Result<UnixSeconds, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    OffsetDateTime::parse(text, &Rfc3339).map(|moment| moment.unix_timestamp()).map_err(|err| {
        format!("`{text}` is neither Unix seconds nor an RFC 3339 time such as 2026-11-28T12:00:00Z ({err})")
    })
}

/// `2026-11-25 10:00:00 UTC`, or a plain number when the value is outside the calendar range.
pub fn format_utc(seconds: UnixSeconds) -> String {
    match OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(moment) => moment
            .format(format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC"))
            .unwrap_or_else(|_| seconds.to_string()),
        Err(_) => format!("{seconds} (outside the calendar range)"),
    }
}

/// "3 days", "2 hours", "1 minute", "45 seconds": the largest unit, rounded down.
pub fn long_duration(seconds: i64) -> String {
    let (amount, unit) = largest_unit(seconds.unsigned_abs());
    let plural = if amount == 1 { "" } else { "s" };
    format!("{amount} {unit}{plural}")
}

/// "3 d", "2 h", "5 min", "45 s": for inlay hints, where space is short.
pub fn short_duration(seconds: i64) -> String {
    let (amount, unit) = largest_unit(seconds.unsigned_abs());
    let unit = match unit {
        "year" => "y",
        "day" => "d",
        "hour" => "h",
        "minute" => "min",
        _ => "s",
    };
    format!("{amount} {unit}")
}

/// "in 2 hours" / "3 days ago" / "now" for `moment` seen from `now`.
pub fn relative(moment: UnixSeconds, now: UnixSeconds) -> String {
    let delta = moment.saturating_sub(now);
    if delta == 0 {
        "now".to_string()
    } else if delta > 0 {
        format!("in {}", long_duration(delta))
    } else {
        format!("{} ago", long_duration(delta))
    }
}

fn largest_unit(seconds: u64) -> (u64, &'static str) {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    const YEAR: u64 = 365 * DAY;
    if seconds >= YEAR {
        (seconds / YEAR, "year")
    } else if seconds >= DAY {
        (seconds / DAY, "day")
    } else if seconds >= HOUR {
        (seconds / HOUR, "hour")
    } else if seconds >= MINUTE {
        (seconds / MINUTE, "minute")
    } else {
        (seconds, "second")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_clock_forms() {
        assert_eq!(parse_now("1767225600"), Ok(1_767_225_600));
        assert_eq!(parse_now("2026-01-01T00:00:00Z"), Ok(1_767_225_600));
        assert_eq!(parse_now("2026-01-01T01:00:00+01:00"), Ok(1_767_225_600));
        assert!(parse_now("yesterday").unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn formats_dates_and_durations() {
        assert_eq!(format_utc(1_767_225_600), "2026-01-01 00:00:00 UTC");
        assert!(format_utc(i64::MAX).contains("outside"));
        assert_eq!(relative(100 + 7200, 100), "in 2 hours");
        assert_eq!(relative(100, 100 + 3 * 86_400 + 5), "3 days ago");
        assert_eq!(relative(100, 100), "now");
        assert_eq!(short_duration(61), "1 min");
        assert_eq!(long_duration(1), "1 second");
        assert_eq!(long_duration(-2 * 365 * 86_400), "2 years");
    }
}
