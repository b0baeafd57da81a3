//! NumericDate handling: parsing a pinned clock, formatting times as UTC dates and as relative
//! durations ("in 2 h", "3 days ago").

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

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
    Utc(seconds).to_string()
}

/// [`format_utc`] written in place: a message that names a date formats it once, into itself
/// (a log's expired tokens each name one).
pub struct Utc(pub UnixSeconds);

impl std::fmt::Display for Utc {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Ok(moment) = OffsetDateTime::from_unix_timestamp(self.0) else {
            return write!(formatter, "{} (outside the calendar range)", self.0);
        };
        let (year, sign) = (moment.year().unsigned_abs(), if moment.year() < 0 { "-" } else { "" });
        write!(
            formatter,
            "{sign}{year:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            u8::from(moment.month()),
            moment.day(),
            moment.hour(),
            moment.minute(),
            moment.second()
        )
    }
}

/// "3 days", "2 hours", "1 minute", "45 seconds": the largest unit, rounded down.
pub fn long_duration(seconds: i64) -> String {
    LongDuration(seconds).to_string()
}

/// [`long_duration`] written in place.
pub struct LongDuration(pub i64);

impl std::fmt::Display for LongDuration {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (amount, unit) = largest_unit(self.0.unsigned_abs());
        let plural = if amount == 1 { "" } else { "s" };
        write!(formatter, "{amount} {unit}{plural}")
    }
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
    use time::macros::format_description;

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

    /// The hand-written `Utc` against the `time` crate's own formatting, over the calendar.
    #[test]
    fn utc_matches_the_time_crates_format() {
        let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
        let (min, max): (i64, i64) = (-377_705_116_800, 253_402_300_799); // -9999-01-01 to 9999-12-31
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let seconds = min + (state >> 24) as i64 % (max - min + 1);
            let expected = OffsetDateTime::from_unix_timestamp(seconds).unwrap().format(format).unwrap();
            assert_eq!(format_utc(seconds), expected);
        }
        for seconds in [-62_167_219_200, -62_167_219_201, 0, -1, 951_782_400, 1_767_225_599] {
            let expected = OffsetDateTime::from_unix_timestamp(seconds).unwrap().format(format).unwrap();
            assert_eq!(format_utc(seconds), expected, "{seconds}");
        }
    }
}
