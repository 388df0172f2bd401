//! `disan report`: the usage logs summed per exhibit and per month, for the heritage
//! department's yearly report (plan 123/KH-UBND asks for one each December).
//!
//! What is counted (docs/kiosk.md says the same for staff):
//! - a month's `sessions`: visits begun that month; `session_seconds`, their length;
//! - per exhibit: `views` (times it was opened), `view_seconds`, `sessions` (visits that opened
//!   it at least once), `hotspots_opened`, `tours_started`, `tours_completed`;
//! - per language: for an exhibit, its views in that language; for a month, the visits that used
//!   it (a visit that switched from Vietnamese to English counts for both).

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::Serialize;

use crate::usage::{UsageEvent, UsageRecord};

#[derive(Serialize, Debug, Default, Clone, PartialEq)]
pub struct ExhibitTotals {
    pub views: u64,
    pub view_seconds: f64,
    pub sessions: u64,
    pub hotspots_opened: u64,
    pub tours_started: u64,
    pub tours_completed: u64,
    /// Views by language.
    pub languages: BTreeMap<String, u64>,
    #[serde(skip)]
    session_keys: BTreeSet<(String, u64)>,
}

#[derive(Serialize, Debug, Default, Clone, PartialEq)]
pub struct PeriodTotals {
    pub sessions: u64,
    pub session_seconds: f64,
    /// Visits that used each language.
    pub languages: BTreeMap<String, u64>,
    pub exhibits: BTreeMap<String, ExhibitTotals>,
    #[serde(skip)]
    session_keys: BTreeSet<(String, u64)>,
    #[serde(skip)]
    language_keys: BTreeSet<(String, String, u64)>,
}

/// The sums for a period, by month ("2026-12") and in all.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Report {
    pub from: String,
    pub to: String,
    pub months: BTreeMap<String, PeriodTotals>,
    pub total: PeriodTotals,
    /// Records whose time could not be read (they are left out of the sums).
    pub unreadable_times: u64,
}

impl PeriodTotals {
    fn add(&mut self, r: &UsageRecord) {
        let key = (r.kiosk.clone(), r.session);
        match &r.event {
            UsageEvent::SessionStart { lang } => {
                if self.session_keys.insert(key.clone()) {
                    self.sessions += 1;
                }
                self.language(lang, &key);
            }
            UsageEvent::SessionEnd { seconds } => self.session_seconds += seconds.max(0.0),
            UsageEvent::Language { lang } => self.language(lang, &key),
            UsageEvent::View { exhibit, lang } => {
                let e = self.exhibits.entry(exhibit.clone()).or_default();
                e.views += 1;
                *e.languages.entry(lang.clone()).or_default() += 1;
                if e.session_keys.insert(key) {
                    e.sessions += 1;
                }
            }
            UsageEvent::ViewEnd { exhibit, seconds } => {
                self.exhibits
                    .entry(exhibit.clone())
                    .or_default()
                    .view_seconds += seconds.max(0.0)
            }
            UsageEvent::Hotspot { exhibit, .. } => {
                self.exhibits
                    .entry(exhibit.clone())
                    .or_default()
                    .hotspots_opened += 1
            }
            UsageEvent::TourStart { exhibit, .. } => {
                self.exhibits
                    .entry(exhibit.clone())
                    .or_default()
                    .tours_started += 1
            }
            UsageEvent::TourComplete { exhibit, .. } => {
                self.exhibits
                    .entry(exhibit.clone())
                    .or_default()
                    .tours_completed += 1
            }
        }
    }

    fn language(&mut self, lang: &str, (kiosk, session): &(String, u64)) {
        if self
            .language_keys
            .insert((lang.to_owned(), kiosk.clone(), *session))
        {
            *self.languages.entry(lang.to_owned()).or_default() += 1;
        }
    }
}

/// The local date a record was made on (its `at` is written in local time).
pub fn record_date(r: &UsageRecord) -> Option<Date> {
    r.at.get(..10)?.parse().ok()
}

impl Report {
    /// Sums the records made from `from` to `to`, both days included.
    pub fn new<'a>(
        records: impl IntoIterator<Item = &'a UsageRecord>,
        from: Date,
        to: Date,
    ) -> Self {
        let mut report = Report {
            from: from.to_string(),
            to: to.to_string(),
            months: BTreeMap::new(),
            total: PeriodTotals::default(),
            unreadable_times: 0,
        };
        for r in records {
            let Some(date) = record_date(r) else {
                report.unreadable_times += 1;
                continue;
            };
            if date < from || date > to {
                continue;
            }
            let month = format!("{:04}-{:02}", date.year(), date.month());
            report.months.entry(month).or_default().add(r);
            report.total.add(r);
        }
        report
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report is plain data")
    }

    /// One row per month and exhibit, a `*` row per month with its totals, and `total` rows
    /// for the whole period; a column per language.
    pub fn to_csv(&self) -> String {
        let langs: BTreeSet<&String> = self
            .total
            .languages
            .keys()
            .chain(
                self.total
                    .exhibits
                    .values()
                    .flat_map(|e| e.languages.keys()),
            )
            .collect();
        let mut out = String::from(
            "month,exhibit,sessions,session_seconds,views,view_seconds,hotspots_opened,tours_started,tours_completed",
        );
        for l in &langs {
            out.push_str(&format!(",lang_{l}"));
        }
        out.push('\n');
        let periods = self
            .months
            .iter()
            .map(|(m, t)| (m.as_str(), t))
            .chain(std::iter::once(("total", &self.total)));
        for (month, t) in periods {
            for (id, e) in &t.exhibits {
                out.push_str(&format!(
                    "{month},{},{},,{},{:.0},{},{},{}",
                    csv_field(id),
                    e.sessions,
                    e.views,
                    e.view_seconds,
                    e.hotspots_opened,
                    e.tours_started,
                    e.tours_completed
                ));
                for l in &langs {
                    out.push_str(&format!(",{}", e.languages.get(*l).copied().unwrap_or(0)));
                }
                out.push('\n');
            }
            let sum = |f: fn(&ExhibitTotals) -> u64| t.exhibits.values().map(f).sum::<u64>();
            out.push_str(&format!(
                "{month},*,{},{:.0},{},{:.0},{},{},{}",
                t.sessions,
                t.session_seconds,
                sum(|e| e.views),
                t.exhibits.values().map(|e| e.view_seconds).sum::<f64>(),
                sum(|e| e.hotspots_opened),
                sum(|e| e.tours_started),
                sum(|e| e.tours_completed)
            ));
            for l in &langs {
                out.push_str(&format!(",{}", t.languages.get(*l).copied().unwrap_or(0)));
            }
            out.push('\n');
        }
        out
    }
}

/// Exhibit ids are `[a-z0-9-]`, but a log is data from outside: quote what a spreadsheet would
/// misread.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(['=', '+', '-', '@']) {
        format!("\"'{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn r(at: &str, session: u64, event: UsageEvent) -> UsageRecord {
        UsageRecord {
            at: at.into(),
            kiosk: "k".into(),
            session,
            event,
        }
    }

    fn visits() -> Vec<UsageRecord> {
        use UsageEvent::*;
        vec![
            r(
                "2026-11-30T16:00:00+07:00",
                1,
                SessionStart { lang: "vi".into() },
            ),
            r(
                "2026-11-30T16:00:05+07:00",
                1,
                View {
                    exhibit: "dinh".into(),
                    lang: "vi".into(),
                },
            ),
            r(
                "2026-11-30T16:01:00+07:00",
                1,
                Hotspot {
                    exhibit: "dinh".into(),
                    hotspot: "mai".into(),
                },
            ),
            r(
                "2026-11-30T16:02:00+07:00",
                1,
                ViewEnd {
                    exhibit: "dinh".into(),
                    seconds: 115.0,
                },
            ),
            r(
                "2026-11-30T16:02:00+07:00",
                1,
                View {
                    exhibit: "dinh".into(),
                    lang: "vi".into(),
                },
            ),
            r(
                "2026-11-30T16:03:00+07:00",
                1,
                ViewEnd {
                    exhibit: "dinh".into(),
                    seconds: 60.0,
                },
            ),
            r(
                "2026-11-30T16:03:00+07:00",
                1,
                SessionEnd { seconds: 180.0 },
            ),
            r(
                "2026-12-01T09:00:00+07:00",
                2,
                SessionStart { lang: "vi".into() },
            ),
            r(
                "2026-12-01T09:00:10+07:00",
                2,
                Language { lang: "en".into() },
            ),
            r(
                "2026-12-01T09:00:20+07:00",
                2,
                View {
                    exhibit: "trong".into(),
                    lang: "en".into(),
                },
            ),
            r(
                "2026-12-01T09:00:30+07:00",
                2,
                TourStart {
                    exhibit: "trong".into(),
                    tour: "t".into(),
                },
            ),
            r(
                "2026-12-01T09:04:30+07:00",
                2,
                TourComplete {
                    exhibit: "trong".into(),
                    tour: "t".into(),
                },
            ),
            r(
                "2026-12-01T09:05:00+07:00",
                2,
                ViewEnd {
                    exhibit: "trong".into(),
                    seconds: 280.0,
                },
            ),
            r(
                "2026-12-01T09:05:00+07:00",
                2,
                SessionEnd { seconds: 300.0 },
            ),
            r(
                "2027-01-02T09:00:00+07:00",
                3,
                SessionStart { lang: "vi".into() },
            ),
        ]
    }

    #[test]
    fn sums_per_month_and_exhibit() {
        let log = visits();
        let report = Report::new(&log, date(2026, 11, 1), date(2026, 12, 31));
        assert_eq!(
            report.months.keys().collect::<Vec<_>>(),
            ["2026-11", "2026-12"],
            "January is outside the period"
        );
        let nov = &report.months["2026-11"];
        assert_eq!((nov.sessions, nov.session_seconds), (1, 180.0));
        let dinh = &nov.exhibits["dinh"];
        assert_eq!(
            (
                dinh.views,
                dinh.sessions,
                dinh.view_seconds,
                dinh.hotspots_opened
            ),
            (2, 1, 175.0, 1)
        );
        let dec = &report.months["2026-12"];
        assert_eq!(
            dec.languages,
            BTreeMap::from([("en".into(), 1), ("vi".into(), 1)]),
            "a visit that switched counts for both"
        );
        assert_eq!(
            (
                dec.exhibits["trong"].tours_started,
                dec.exhibits["trong"].tours_completed
            ),
            (1, 1)
        );
        assert_eq!(report.total.sessions, 2);
        assert_eq!(report.total.languages["vi"], 2);
    }

    #[test]
    fn csv_for_a_spreadsheet() {
        let log = visits();
        let csv = Report::new(&log, date(2026, 1, 1), date(2026, 12, 31)).to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "month,exhibit,sessions,session_seconds,views,view_seconds,hotspots_opened,tours_started,tours_completed,lang_en,lang_vi"
        );
        assert_eq!(lines[1], "2026-11,dinh,1,,2,175,1,0,0,0,2");
        assert_eq!(lines[2], "2026-11,*,1,180,2,175,1,0,0,0,1");
        assert!(lines.contains(&"total,*,2,480,3,455,1,1,1,1,2"), "{csv}");
        assert_eq!(csv_field("=cmd()"), "\"'=cmd()\"", "no formulas from a log");
    }
}
