//! The kiosk's behaviour over time, without Bevy: who is using it, when it counts down and
//! resets, when it attracts, when it sleeps, and what each visit adds to the usage log. The
//! viewer feeds it touches, what it showed, and the clock; it answers with [`Effect`]s. Time is a
//! number of seconds from any origin, so tests and the soak run whole days in moments.

use std::collections::BTreeSet;

use crate::config::IdleTimes;
use crate::usage::UsageEvent;

/// What the kiosk is doing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    /// No visitor: the gallery waits (after a reset, at opening time, at start).
    Waiting,
    /// A visitor is using the kiosk.
    Visiting,
    /// No touch for `reset_after` seconds: the countdown is on screen until `ends_at`.
    CountingDown { ends_at: f64 },
    /// The attract loop.
    Attract,
    /// Outside opening hours: dimmed, idle.
    Closed,
}

/// What is on screen behind any overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Gallery,
    Exhibit(String),
}

/// What the viewer must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Open this exhibit for the visitor.
    Open(String),
    /// Show the gallery.
    ShowGallery,
    ShowCountdown,
    HideCountdown,
    /// Back to the start for the next visitor: panels closed, tour stopped, home view, the
    /// default language (the gallery is shown by its own effect).
    Reset,
    /// Attract with this exhibit: open it and play its first tour with captions, sound low,
    /// the camera drifting.
    AttractShow(String),
    /// A touch ended the attract loop: sound and camera back to the visitor, the tour stopped.
    StopAttract,
    Dim,
    Wake,
    /// An exhibit could not be opened: it leaves the gallery and the attract loop, with a notice.
    Skipped(String),
    /// Append to the usage log.
    Usage {
        session: u64,
        event: UsageEvent,
    },
}

#[derive(Debug, Clone)]
struct Session {
    id: u64,
    started: f64,
}

#[derive(Debug, Clone)]
struct View {
    exhibit: String,
    since: f64,
}

#[derive(Debug, Clone)]
pub struct KioskMachine {
    times: IdleTimes,
    attract_seconds_per_exhibit: f64,
    phase: Phase,
    screen: Screen,
    /// The last touch, or the last moment a visitor's tour was playing.
    last_activity: f64,
    session: Option<Session>,
    view: Option<View>,
    /// The exhibits of the gallery, in order, and those found broken.
    exhibits: Vec<String>,
    broken: BTreeSet<String>,
    attract_next: usize,
    /// When the attract loop's exhibit came on screen.
    attract_item: Option<f64>,
    default_lang: String,
    lang: String,
    /// Unix milliseconds at time 0, to number sessions uniquely across restarts.
    epoch_ms: u64,
}

impl KioskMachine {
    /// A kiosk showing `exhibits` (ids, in gallery order; `broken` are known bad and skipped),
    /// starting at time `now`, whose clock read `epoch_ms` Unix milliseconds at time 0.
    pub fn new(
        exhibits: Vec<String>,
        times: IdleTimes,
        attract_seconds_per_exhibit: f64,
        default_lang: &str,
        now: f64,
        epoch_ms: u64,
    ) -> Self {
        Self {
            times,
            attract_seconds_per_exhibit,
            phase: Phase::Waiting,
            screen: Screen::Gallery,
            last_activity: now,
            session: None,
            view: None,
            exhibits,
            broken: BTreeSet::new(),
            attract_next: 0,
            attract_item: None,
            default_lang: default_lang.to_owned(),
            lang: default_lang.to_owned(),
            epoch_ms,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The exhibits the gallery offers: those configured, less the broken.
    pub fn gallery(&self) -> impl Iterator<Item = &str> {
        self.exhibits
            .iter()
            .filter(|id| !self.broken.contains(*id))
            .map(String::as_str)
    }

    pub fn broken(&self) -> &BTreeSet<String> {
        &self.broken
    }

    /// Seconds left on the countdown, while it shows.
    pub fn countdown_left(&self, now: f64) -> Option<f64> {
        match self.phase {
            Phase::CountingDown { ends_at } => Some((ends_at - now).max(0.0)),
            _ => None,
        }
    }

    /// Whether a visit is in progress (for the status file).
    pub fn in_session(&self) -> bool {
        self.session.is_some()
    }

    fn usage(&self, event: UsageEvent) -> Option<Effect> {
        self.session.as_ref().map(|s| Effect::Usage {
            session: s.id,
            event,
        })
    }

    fn end_view(&mut self, now: f64, out: &mut Vec<Effect>) {
        if let Some(v) = self.view.take() {
            let seconds = (now.min(self.last_activity.max(v.since)) - v.since).max(0.0);
            out.extend(self.usage(UsageEvent::ViewEnd {
                exhibit: v.exhibit,
                seconds,
            }));
        }
    }

    fn end_session(&mut self, now: f64, out: &mut Vec<Effect>) {
        self.end_view(now, out);
        if let Some(s) = &self.session {
            let seconds = (self.last_activity.min(now) - s.started).max(0.0);
            out.extend(self.usage(UsageEvent::SessionEnd { seconds }));
        }
        self.session = None;
    }

    fn start_session(&mut self, now: f64, out: &mut Vec<Effect>) {
        let id = self.epoch_ms + (now.max(0.0) * 1000.0) as u64;
        self.session = Some(Session { id, started: now });
        out.extend(self.usage(UsageEvent::SessionStart {
            lang: self.lang.clone(),
        }));
    }

    /// A finger (or a mouse, or a key) touched the kiosk.
    pub fn touch(&mut self, now: f64) -> Vec<Effect> {
        let mut out = Vec::new();
        match self.phase {
            Phase::Closed => return out,
            Phase::Visiting => {}
            Phase::CountingDown { .. } => out.push(Effect::HideCountdown),
            Phase::Waiting => self.start_session(now, &mut out),
            Phase::Attract => {
                out.push(Effect::StopAttract);
                self.start_session(now, &mut out);
                // The exhibit on screen is the visitor's from this touch.
                if let (Some(_), Screen::Exhibit(id)) = (self.attract_item.take(), &self.screen) {
                    self.view = Some(View {
                        exhibit: id.clone(),
                        since: now,
                    });
                    out.extend(self.usage(UsageEvent::View {
                        exhibit: id.clone(),
                        lang: self.lang.clone(),
                    }));
                }
            }
        }
        self.last_activity = now;
        self.phase = Phase::Visiting;
        out
    }

    /// The visitor chose an exhibit (in the gallery, or by a button).
    pub fn open(&mut self, id: &str, now: f64) -> Vec<Effect> {
        let mut out = self.touch(now);
        if self.phase != Phase::Visiting
            || self.screen == Screen::Exhibit(id.to_owned()) && self.view.is_some()
        {
            return out;
        }
        self.end_view(now, &mut out);
        self.screen = Screen::Exhibit(id.to_owned());
        out.push(Effect::Open(id.to_owned()));
        out
    }

    /// The visitor went back to the gallery.
    pub fn to_gallery(&mut self, now: f64) -> Vec<Effect> {
        let mut out = self.touch(now);
        if self.phase == Phase::Visiting && self.screen != Screen::Gallery {
            self.end_view(now, &mut out);
            self.screen = Screen::Gallery;
            out.push(Effect::ShowGallery);
        }
        out
    }

    /// The viewer shows exhibit `id`.
    pub fn shown(&mut self, id: &str, now: f64) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.screen != Screen::Exhibit(id.to_owned()) {
            return out;
        }
        match self.phase {
            Phase::Attract => self.attract_item = Some(now),
            Phase::Visiting | Phase::CountingDown { .. } if self.view.is_none() => {
                self.view = Some(View {
                    exhibit: id.to_owned(),
                    since: now,
                });
                out.extend(self.usage(UsageEvent::View {
                    exhibit: id.to_owned(),
                    lang: self.lang.clone(),
                }));
            }
            _ => {}
        }
        out
    }

    /// Exhibit `id` could not be opened: skip it from now on.
    pub fn failed(&mut self, id: &str) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.broken.insert(id.to_owned()) {
            out.push(Effect::Skipped(id.to_owned()));
        }
        if self.screen != Screen::Exhibit(id.to_owned()) {
            return out;
        }
        self.view = None;
        if self.phase == Phase::Attract {
            self.next_attract(&mut out);
        } else {
            self.screen = Screen::Gallery;
            out.push(Effect::ShowGallery);
        }
        out
    }

    /// Something the visitor did in the exhibit, for the usage log (counts as a touch).
    pub fn visitor_did(&mut self, event: UsageEvent, now: f64) -> Vec<Effect> {
        if matches!(self.phase, Phase::Attract | Phase::Closed | Phase::Waiting) {
            // The attract loop's own tours and language are not a visitor's.
            return Vec::new();
        }
        let mut out = self.touch(now);
        if let UsageEvent::Language { lang } = &event {
            if *lang == self.lang {
                return out;
            }
            self.lang = lang.clone();
        }
        out.extend(self.usage(event));
        out
    }

    /// The clock moved: `open` says whether it is within opening hours, `tour_playing` whether a
    /// tour is playing (a visitor watching a tour is not idle; an attract tour that stops
    /// playing has ended).
    pub fn tick(&mut self, now: f64, open: bool, tour_playing: bool) -> Vec<Effect> {
        let mut out = Vec::new();
        if !open {
            if self.phase != Phase::Closed {
                match self.phase {
                    Phase::CountingDown { .. } => out.push(Effect::HideCountdown),
                    Phase::Attract => out.push(Effect::StopAttract),
                    _ => {}
                }
                self.end_session(now, &mut out);
                self.phase = Phase::Closed;
                self.attract_item = None;
                out.push(Effect::Dim);
            }
            return out;
        }
        match self.phase {
            Phase::Closed => {
                self.phase = Phase::Waiting;
                self.last_activity = now;
                self.back_to_start(&mut out);
                out.insert(0, Effect::Wake);
            }
            Phase::Visiting => {
                if tour_playing {
                    self.last_activity = now;
                } else if now - self.last_activity >= self.times.reset_after {
                    // The whole countdown is shown, even if the clock jumped (a stalled frame, a slow load).
                    self.phase = Phase::CountingDown {
                        ends_at: now + self.times.countdown,
                    };
                    out.push(Effect::ShowCountdown);
                }
            }
            Phase::CountingDown { ends_at } => {
                if now >= ends_at {
                    out.push(Effect::HideCountdown);
                    self.end_session(now, &mut out);
                    self.phase = Phase::Waiting;
                    self.back_to_start(&mut out);
                }
            }
            Phase::Waiting => {
                if now - self.last_activity >= self.times.attract_after
                    && self.gallery().next().is_some()
                {
                    self.phase = Phase::Attract;
                    self.next_attract(&mut out);
                }
            }
            // Each exhibit at least `attract_seconds_per_exhibit`; a longer tour to its end.
            Phase::Attract => {
                if self.attract_item.is_some_and(|since| {
                    !tour_playing && now - since >= self.attract_seconds_per_exhibit
                }) {
                    self.next_attract(&mut out);
                }
            }
        }
        out
    }

    /// The next time the machine will act by itself if nothing happens (a countdown, a reset,
    /// the attract loop's next exhibit), for a simulation's clock; none while closed or while
    /// an exhibit is still on its way.
    pub fn next_deadline(&self) -> Option<f64> {
        match self.phase {
            Phase::Visiting => Some(self.last_activity + self.times.reset_after),
            Phase::CountingDown { ends_at } => Some(ends_at),
            Phase::Waiting => Some(self.last_activity + self.times.attract_after),
            Phase::Attract => self
                .attract_item
                .map(|since| since + self.attract_seconds_per_exhibit),
            Phase::Closed => None,
        }
    }

    /// Staff closed the kiosk: the visit (if any) ends.
    pub fn exit(&mut self, now: f64) -> Vec<Effect> {
        let mut out = Vec::new();
        self.end_session(now, &mut out);
        out
    }

    fn back_to_start(&mut self, out: &mut Vec<Effect>) {
        self.lang = self.default_lang.clone();
        self.screen = Screen::Gallery;
        out.push(Effect::Reset);
        out.push(Effect::ShowGallery);
    }

    fn next_attract(&mut self, out: &mut Vec<Effect>) {
        let n = self.exhibits.len();
        self.attract_item = None;
        for k in 0..n {
            let id = &self.exhibits[(self.attract_next + k) % n];
            if !self.broken.contains(id) {
                let id = id.clone();
                self.attract_next = (self.attract_next + k + 1) % n;
                self.screen = Screen::Exhibit(id.clone());
                out.push(Effect::AttractShow(id));
                return;
            }
        }
        // Nothing left to show: wait in the gallery.
        self.phase = Phase::Waiting;
        self.screen = Screen::Gallery;
        out.push(Effect::ShowGallery);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMES: IdleTimes = IdleTimes {
        reset_after: 60.0,
        countdown: 10.0,
        attract_after: 120.0,
    };

    fn kiosk() -> KioskMachine {
        KioskMachine::new(
            vec!["dinh".into(), "trong".into(), "sac".into()],
            TIMES,
            45.0,
            "vi",
            0.0,
            1_000_000,
        )
    }

    fn usage(effects: &[Effect]) -> Vec<UsageEvent> {
        effects
            .iter()
            .filter_map(|e| {
                if let Effect::Usage { event, .. } = e {
                    Some(event.clone())
                } else {
                    None
                }
            })
            .collect()
    }

    #[test]
    fn a_visit_counts_down_resets_and_then_attracts() {
        let mut k = kiosk();
        assert_eq!(k.tick(10.0, true, false), vec![]);
        let e = k.touch(20.0);
        assert_eq!(
            usage(&e),
            vec![UsageEvent::SessionStart { lang: "vi".into() }]
        );
        assert_eq!(k.open("trong", 21.0), vec![Effect::Open("trong".into())]);
        assert_eq!(
            usage(&k.shown("trong", 23.0)),
            vec![UsageEvent::View {
                exhibit: "trong".into(),
                lang: "vi".into()
            }]
        );
        k.touch(50.0);
        assert_eq!(
            k.tick(109.0, true, false),
            vec![],
            "59 s after the last touch"
        );
        assert_eq!(k.tick(110.0, true, false), vec![Effect::ShowCountdown]);
        assert_eq!(k.countdown_left(115.0), Some(5.0));
        let e = k.tick(120.0, true, false);
        assert_eq!(e[0], Effect::HideCountdown);
        assert_eq!(
            usage(&e),
            vec![
                UsageEvent::ViewEnd {
                    exhibit: "trong".into(),
                    seconds: 27.0
                },
                UsageEvent::SessionEnd { seconds: 30.0 }
            ],
            "time up to the last touch, not the idle wait"
        );
        assert!(e.ends_with(&[Effect::Reset, Effect::ShowGallery]));
        assert_eq!((k.phase(), k.screen()), (Phase::Waiting, &Screen::Gallery));
        assert_eq!(k.tick(169.0, true, false), vec![]);
        assert_eq!(
            k.tick(170.0, true, false),
            vec![Effect::AttractShow("dinh".into())],
            "120 s after the last touch"
        );
        assert_eq!(k.phase(), Phase::Attract);
    }

    #[test]
    fn a_countdown_is_cancelled_by_a_touch_and_a_tour_keeps_the_visit_awake() {
        let mut k = kiosk();
        k.open("dinh", 0.0);
        k.shown("dinh", 1.0);
        for t in (10..400).step_by(10) {
            assert!(
                k.tick(t as f64, true, true).is_empty(),
                "a visitor watching a tour at {t} s"
            );
        }
        assert_eq!(k.tick(460.0, true, false), vec![Effect::ShowCountdown]);
        assert_eq!(k.touch(465.0), vec![Effect::HideCountdown]);
        assert_eq!(k.phase(), Phase::Visiting);
        assert!(k.in_session(), "the same visit goes on");
    }

    #[test]
    fn the_attract_loop_moves_on_after_each_tour_and_a_touch_hands_over_the_exhibit() {
        let mut k = kiosk();
        assert_eq!(
            k.tick(120.0, true, false),
            vec![Effect::AttractShow("dinh".into())]
        );
        k.shown("dinh", 122.0);
        assert!(k.tick(123.0, true, true).is_empty(), "its tour plays");
        assert!(
            k.visitor_did(
                UsageEvent::TourStart {
                    exhibit: "dinh".into(),
                    tour: "t".into()
                },
                124.0
            )
            .is_empty(),
            "not a visitor's tour"
        );
        assert!(
            k.tick(160.0, true, false).is_empty(),
            "a short tour ended: the camera drifts on to the minimum"
        );
        assert_eq!(k.next_deadline(), Some(167.0));
        assert!(
            k.tick(250.0, true, true).is_empty(),
            "a long tour plays to its end"
        );
        assert_eq!(
            k.tick(300.0, true, false),
            vec![Effect::AttractShow("trong".into())],
            "its tour ended"
        );
        k.shown("trong", 301.0);
        assert_eq!(
            k.tick(346.0, true, false),
            vec![Effect::AttractShow("sac".into())],
            "no tour: 45 s"
        );
        let e = k.touch(350.0);
        assert_eq!(e[0], Effect::StopAttract);
        assert_eq!(
            k.screen(),
            &Screen::Exhibit("sac".into()),
            "the visitor takes over the exhibit on screen"
        );
        assert_eq!(
            usage(&k.shown("sac", 351.0)),
            vec![UsageEvent::View {
                exhibit: "sac".into(),
                lang: "vi".into()
            }],
            "when it arrives"
        );
        // Touched while the attract loop's exhibit is already on screen: a view at once.
        k.tick(600.0, true, false);
        k.tick(610.0, true, false);
        assert_eq!(
            k.tick(700.0, true, false),
            vec![Effect::AttractShow("dinh".into())]
        );
        k.shown("dinh", 701.0);
        let e = k.touch(720.0);
        assert_eq!(
            usage(&e),
            vec![
                UsageEvent::SessionStart { lang: "vi".into() },
                UsageEvent::View {
                    exhibit: "dinh".into(),
                    lang: "vi".into()
                }
            ]
        );
        assert!(usage(&k.shown("dinh", 721.0)).is_empty(), "counted once");
    }

    #[test]
    fn a_broken_exhibit_is_skipped_in_gallery_and_attract() {
        let mut k = kiosk();
        k.open("trong", 0.0);
        let e = k.failed("trong");
        assert_eq!(
            e,
            vec![Effect::Skipped("trong".into()), Effect::ShowGallery]
        );
        assert_eq!(k.gallery().collect::<Vec<_>>(), ["dinh", "sac"]);
        assert!(
            usage(&k.shown("trong", 3.0)).is_empty(),
            "never counted as a view"
        );
        // Countdown, reset, then attract: dinh, sac, dinh, …
        assert_eq!(k.tick(200.0, true, false), vec![Effect::ShowCountdown]);
        assert!(
            k.tick(209.0, true, false).is_empty(),
            "the whole countdown shows"
        );
        assert!(k.tick(210.0, true, false).contains(&Effect::Reset));
        assert_eq!(
            k.tick(211.0, true, false),
            vec![Effect::AttractShow("dinh".into())]
        );
        k.shown("dinh", 212.0);
        assert_eq!(
            k.tick(258.0, true, false),
            vec![Effect::AttractShow("sac".into())]
        );
        // And one that fails during the attract loop moves it on.
        assert_eq!(
            k.failed("sac"),
            vec![
                Effect::Skipped("sac".into()),
                Effect::AttractShow("dinh".into())
            ]
        );
        assert_eq!(
            k.failed("dinh"),
            vec![Effect::Skipped("dinh".into()), Effect::ShowGallery],
            "nothing left"
        );
        assert_eq!(k.phase(), Phase::Waiting);
    }

    #[test]
    fn closing_time_ends_the_visit_and_opening_starts_afresh() {
        let mut k = kiosk();
        k.open("dinh", 0.0);
        k.shown("dinh", 1.0);
        k.visitor_did(UsageEvent::Language { lang: "en".into() }, 5.0);
        let e = k.tick(6.0, false, false);
        assert_eq!(e.last(), Some(&Effect::Dim));
        assert_eq!(
            usage(&e),
            vec![
                UsageEvent::ViewEnd {
                    exhibit: "dinh".into(),
                    seconds: 4.0
                },
                UsageEvent::SessionEnd { seconds: 5.0 }
            ]
        );
        assert!(k.touch(7.0).is_empty(), "touches do nothing while closed");
        assert!(k.tick(5000.0, false, false).is_empty());
        assert_eq!(
            k.tick(5001.0, true, false),
            vec![Effect::Wake, Effect::Reset, Effect::ShowGallery]
        );
        assert_eq!(
            usage(&k.touch(5002.0)),
            vec![UsageEvent::SessionStart { lang: "vi".into() }],
            "back in the default language"
        );
    }

    #[test]
    fn sessions_are_numbered_by_their_start() {
        let mut k = kiosk();
        let e = k.touch(2.5);
        assert!(
            matches!(
                e[0],
                Effect::Usage {
                    session: 1_002_500,
                    ..
                }
            ),
            "{e:?}"
        );
    }
}
