//! Opening hours: when the kiosk shows exhibits, and when it dims and idles (a screen lit all
//! night ages and draws power for no visitor). Read in the kiosk's local time.

use jiff::civil::{Date, DateTime, Time, Weekday};
use serde::Deserialize;

/// `[[hours]]` as written: `days = "tue-sun"`, `open = "08:00"`, `close = "17:00"`.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHours {
    days: String,
    open: String,
    close: String,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    days: [bool; 7],
    open: Time,
    close: Time,
}

/// When the museum is open. No rules: always open.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpeningHours {
    rules: Vec<Rule>,
    closed_dates: Vec<Date>,
}

#[derive(Debug)]
pub(crate) enum HoursError {
    Rule { index: usize, problem: String },
    ClosedDate { index: usize, problem: String },
}

const DAY_NAMES: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

fn day(name: &str) -> Option<usize> {
    DAY_NAMES
        .iter()
        .position(|(n, _)| *n == name.trim().to_ascii_lowercase())
}

/// `daily`, `mon-fri`, `sat,sun`, `tue-sun`, `fri-mon` (across the week's end).
fn parse_days(text: &str) -> Option<[bool; 7]> {
    let mut days = [false; 7];
    if text.trim().eq_ignore_ascii_case("daily") {
        return Some([true; 7]);
    }
    for part in text.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (mut i, end) = (day(a)?, day(b)?);
                loop {
                    days[i] = true;
                    if i == end {
                        break;
                    }
                    i = (i + 1) % 7;
                }
            }
            None => days[day(part)?] = true,
        }
    }
    Some(days)
}

fn parse_time(text: &str) -> Option<Time> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    if h == 24 && m == 0 {
        return Some(Time::MAX);
    }
    Time::new(h, m, 0, 0).ok()
}

fn weekday_index(w: Weekday) -> usize {
    w.to_monday_zero_offset() as usize
}

impl OpeningHours {
    pub(crate) fn from_raw(rules: &[RawHours], closed: &[String]) -> Result<Self, HoursError> {
        let mut out = Self::default();
        for (index, r) in rules.iter().enumerate() {
            let err = |problem: String| HoursError::Rule { index, problem };
            let days = parse_days(&r.days).ok_or_else(|| {
                err(format!("days = \"{}\": write days as mon, tue, wed, thu, fri, sat, sun, with ranges and commas (\"tue-sun\", \"sat,sun\") or \"daily\"", r.days))
            })?;
            let open = parse_time(&r.open)
                .ok_or_else(|| err(format!("open = \"{}\": write a time as \"08:00\"", r.open)))?;
            let close = parse_time(&r.close).ok_or_else(|| {
                err(format!(
                    "close = \"{}\": write a time as \"17:00\" (\"24:00\" for midnight)",
                    r.close
                ))
            })?;
            if close <= open {
                return Err(err(format!(
                    "closes ({}) before it opens ({}): for hours past midnight write two rules, one to \"24:00\" and one from \"00:00\"",
                    r.close, r.open
                )));
            }
            out.rules.push(Rule { days, open, close });
        }
        for (index, d) in closed.iter().enumerate() {
            let date: Date = d.parse().map_err(|_| HoursError::ClosedDate {
                index,
                problem: format!("\"{d}\" is not a date: write it as \"2027-02-16\""),
            })?;
            out.closed_dates.push(date);
        }
        Ok(out)
    }

    /// Rules that open every day, all day (for tests and trials).
    pub fn always_open(&self) -> bool {
        self.rules.is_empty() && self.closed_dates.is_empty()
    }

    /// Whether the kiosk shows exhibits at this local time.
    pub fn is_open(&self, at: DateTime) -> bool {
        if self.closed_dates.contains(&at.date()) {
            return false;
        }
        if self.rules.is_empty() {
            return true;
        }
        let (day, time) = (weekday_index(at.weekday()), at.time());
        self.rules
            .iter()
            .any(|r| r.days[day] && time >= r.open && (time < r.close || r.close == Time::MAX))
    }

    /// The next time the kiosk opens after `at` (within two weeks), for the closed screen.
    pub fn next_opening(&self, at: DateTime) -> Option<DateTime> {
        (0..15)
            .filter_map(|k| at.date().checked_add(jiff::Span::new().days(k)).ok())
            .filter(|d| !self.closed_dates.contains(d))
            .flat_map(|d| {
                let day = weekday_index(d.weekday());
                let mut opens: Vec<DateTime> = self
                    .rules
                    .iter()
                    .filter(|r| r.days[day])
                    .map(|r| d.to_datetime(r.open))
                    .collect();
                opens.sort();
                opens
            })
            .find(|t| *t > at)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn hours(rules: &[(&str, &str, &str)], closed: &[&str]) -> Result<OpeningHours, HoursError> {
        let raw: Vec<RawHours> = rules
            .iter()
            .map(|(d, o, c)| RawHours {
                days: d.to_string(),
                open: o.to_string(),
                close: c.to_string(),
            })
            .collect();
        OpeningHours::from_raw(
            &raw,
            &closed.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn a_museum_closed_on_mondays_and_at_tet() {
        let h = hours(
            &[("tue-sun", "08:00", "11:30"), ("tue-sun", "13:30", "17:00")],
            &["2027-02-06"],
        )
        .unwrap();
        // 2026-12-01 is a Tuesday, 2026-11-30 a Monday.
        assert!(h.is_open(date(2026, 12, 1).at(8, 0, 0, 0)));
        assert!(h.is_open(date(2026, 12, 1).at(11, 29, 59, 0)));
        assert!(!h.is_open(date(2026, 12, 1).at(12, 0, 0, 0)), "lunch");
        assert!(
            !h.is_open(date(2026, 12, 1).at(17, 0, 0, 0)),
            "closing time is closed"
        );
        assert!(!h.is_open(date(2026, 11, 30).at(10, 0, 0, 0)), "Monday");
        assert!(h.is_open(date(2026, 12, 6).at(10, 0, 0, 0)), "Sunday");
        assert!(
            !h.is_open(date(2027, 2, 6).at(10, 0, 0, 0)),
            "a closed date (a Saturday)"
        );
        assert_eq!(
            h.next_opening(date(2026, 12, 1).at(12, 0, 0, 0)),
            Some(date(2026, 12, 1).at(13, 30, 0, 0))
        );
        assert_eq!(
            h.next_opening(date(2026, 11, 29).at(18, 0, 0, 0)),
            Some(date(2026, 12, 1).at(8, 0, 0, 0)),
            "Sunday evening: Tuesday"
        );
    }

    #[test]
    fn ranges_wrap_the_week_and_midnight_is_24() {
        let h = hours(&[("fri-mon", "00:00", "24:00")], &[]).unwrap();
        assert!(h.is_open(date(2026, 12, 7).at(23, 59, 0, 0)), "Monday late");
        assert!(!h.is_open(date(2026, 12, 8).at(12, 0, 0, 0)), "Tuesday");
        assert!(
            hours(&[], &[])
                .unwrap()
                .is_open(date(2026, 12, 8).at(3, 0, 0, 0))
        );
    }

    #[test]
    fn mistakes_say_what_to_write() {
        let msg = |r: Result<OpeningHours, HoursError>| match r {
            Err(HoursError::Rule { problem, .. } | HoursError::ClosedDate { problem, .. }) => {
                problem
            }
            Ok(_) => panic!("accepted"),
        };
        assert!(msg(hours(&[("tue-sunday", "08:00", "17:00")], &[])).contains("tue-sun"));
        assert!(msg(hours(&[("daily", "8h", "17:00")], &[])).contains("08:00"));
        assert!(msg(hours(&[("daily", "20:00", "02:00")], &[])).contains("two rules"));
        assert!(msg(hours(&[], &["2027-02-30"])).contains("not a date"));
    }
}
