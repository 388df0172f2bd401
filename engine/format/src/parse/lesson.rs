//! Reading a lesson file (`*.lesson.toml`, docs/lessons.md) with the manifest's located errors:
//! every problem names the file, line, column and field, and what to write instead. A lesson
//! refers to exhibits by id; each reference (exhibit, view, hotspot, tour stop, the hotspot a
//! "find it" question asks for) is checked against the exhibits it will be shown with.

use super::*;
use crate::lesson::{Answer, Lesson, LessonSource, Question, QuestionKind, Step, StepTarget};

/// The lesson format this Disan reads.
pub const LESSON_FORMAT: u32 = 1;

/// Reads a lesson from its text. `exhibit` finds an exhibit's manifest by id (in the catalogue
/// the lesson will be taught with); `None` when the catalogue is not at hand (a browser that
/// fetches manifests later): references are then checked as the lesson runs. `file` names the
/// file in problems. Returns the lesson when
/// it has no errors (warnings are allowed), and all problems found.
pub fn parse_lesson<'m>(
    file: &Path,
    source: &str,
    exhibit: Option<&dyn Fn(&str) -> Option<&'m Manifest>>,
) -> (Option<Lesson>, Problems) {
    let mut r = Reader::new(file, source);
    let Some(doc) = r.parse_toml() else {
        return (None, r.problems);
    };
    let mut root = Obj::new(doc.get_ref(), doc.span(), String::new());
    let lesson = r.lesson(&mut root, exhibit);
    r.finish(root);
    if r.problems.has_errors() {
        (None, r.problems)
    } else {
        (lesson, r.problems)
    }
}

impl Reader<'_> {
    fn lesson<'m>(
        &mut self,
        root: &mut Obj<'_, '_>,
        exhibit: Option<&dyn Fn(&str) -> Option<&'m Manifest>>,
    ) -> Option<Lesson> {
        let format = match root.get("format") {
            None => {
                self.missing(root, "format", "`format = 1` as the first line");
                None
            }
            Some(v) => match self.number(v, "format") {
                Some(n) if n == f64::from(LESSON_FORMAT) => Some(LESSON_FORMAT),
                Some(n) => {
                    let msg = format!(
                        "this Disan reads lesson format {LESSON_FORMAT}, the file says {n}: update Disan."
                    );
                    self.error(&v.span(), "format", msg);
                    None
                }
                None => None,
            },
        };
        let id = self.req_id(root, "id");
        let title = self.localized_text(root, "title", true, Some(MAX_TITLE_CHARS));
        let summary = self.localized_text(root, "summary", true, Some(MAX_SUMMARY_CHARS));
        let grade = self
            .whole_number(
                root,
                "grade",
                1.0..=12.0,
                "a school grade from 1 to 12 (6–9 for lower secondary)",
            )
            .map(|g| g as u8);
        let minutes = self
            .whole_number(
                root,
                "minutes",
                1.0..=600.0,
                "the lesson's length in minutes, such as 45",
            )
            .map(|m| m as u32);
        let teacher_notes = self.localized_text(root, "teacher_notes", false, None);
        let sources = self.table_array(root, "sources", |r, o| r.lesson_source(o));
        let known_sources: Vec<String> = sources.iter().map(|s| s.id.clone()).collect();
        if root.table.get("steps").is_none() {
            root.known.push("steps");
            self.missing(
                root,
                "steps",
                "at least one `[[steps]]` (an exhibit, and a view, hotspot or tour stop of it)",
            );
        }
        let steps = self.table_array(root, "steps", |r, o| r.step(o, exhibit, &known_sources));
        self.unique(root, "sources", sources.iter().map(|s| s.id.as_str()));
        self.unique(root, "steps", steps.iter().map(|s| s.id.as_str()));
        let question_ids = steps
            .iter()
            .flat_map(|s| s.questions.iter().map(|q| q.id.as_str()));
        self.unique(root, "steps", question_ids);
        if steps.is_empty() && root.table.get("steps").is_some() {
            let span = root
                .table
                .get("steps")
                .map_or(root.span.clone(), |v| v.span());
            self.error(
                &span,
                "steps",
                "has no steps: add at least one `[[steps]]`.",
            );
        }
        Some(Lesson {
            format: format?,
            id: id?,
            title,
            summary,
            grade,
            minutes,
            teacher_notes,
            sources,
            steps,
        })
    }

    /// An optional number in `range`, refused with `what` it should be otherwise.
    fn whole_number(
        &mut self,
        obj: &mut Obj<'_, '_>,
        key: &'static str,
        range: std::ops::RangeInclusive<f64>,
        what: &str,
    ) -> Option<f64> {
        let v = obj.get(key)?;
        let n = self.number(v, &obj.field(key))?;
        if !range.contains(&n) || n.fract() != 0.0 {
            let msg = format!("is {}: write {what}.", self.written(v));
            self.error(&v.span(), &obj.field(key), msg);
            return None;
        }
        Some(n)
    }

    /// Ids given twice under `key` are errors: steps and questions are linked to by id.
    fn unique<'a>(&mut self, obj: &Obj<'_, '_>, key: &str, ids: impl Iterator<Item = &'a str>) {
        let mut seen = std::collections::BTreeSet::new();
        for id in ids {
            if !seen.insert(id) {
                let span = obj.table.get(key).map_or(obj.span.clone(), |v| v.span());
                let msg = format!(
                    "the id \"{id}\" is used twice: links to a step or question need each id once. Rename one."
                );
                self.error(&span, &obj.field(key), msg);
            }
        }
    }

    fn lesson_source(&mut self, o: &mut Obj<'_, '_>) -> Option<LessonSource> {
        let id = self.req_id(o, "id");
        let title = self.req_str(
            o,
            "title",
            "the source's author, title and date, as a teacher would cite it",
        );
        let url = self.opt_str(o, "url");
        if let (Some(url), Some(v)) = (&url, o.table.get("url"))
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            self.error(&v.span(), &o.field("url"), "must be a web address starting with https:// (or leave it out for a printed source).");
        }
        Some(LessonSource {
            id: id?,
            title: title?,
            url,
        })
    }

    /// `sources = ["id", ...]`: each must be one of the lesson's `[[sources]]`.
    fn source_refs(&mut self, o: &mut Obj<'_, '_>, known: &[String]) -> Vec<String> {
        let Some(v) = o.get("sources") else {
            return Vec::new();
        };
        let field = o.field("sources");
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(
                v,
                &field,
                "a list of source ids, like sources = [\"lao-dong-2024\"]",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) if known.iter().any(|k| k == s.as_ref()) => {
                    out.push(s.to_string())
                }
                DeValue::String(s) => {
                    let ids: Vec<&str> = known.iter().map(String::as_str).collect();
                    let hint = suggestion(s, &ids)
                        .map(|h| format!(" Did you mean \"{h}\"?"))
                        .unwrap_or_default();
                    let msg = format!(
                        "\"{s}\" is not one of the lesson's [[sources]] ({}).{hint} Add it there, with its title and address.",
                        if ids.is_empty() {
                            "there are none".to_owned()
                        } else {
                            ids.join(", ")
                        }
                    );
                    self.error(&item.span(), &field, msg);
                }
                _ => self.wrong_type(item, &field, "a source id in quotes"),
            }
        }
        out
    }

    fn step<'m>(
        &mut self,
        o: &mut Obj<'_, '_>,
        exhibit: Option<&dyn Fn(&str) -> Option<&'m Manifest>>,
        known_sources: &[String],
    ) -> Option<Step> {
        let id = self.req_id(o, "id");
        let exhibit_id = self.req_id(o, "exhibit");
        let manifest = match (&exhibit_id, o.table.get("exhibit")) {
            (Some(e), Some(v)) => {
                let m = exhibit.and_then(|find| find(e));
                if exhibit.is_some() && m.is_none() {
                    let msg = format!(
                        "there is no exhibit \"{e}\" in the catalogue this lesson is checked with: write the id of an exhibit package (its `id` in exhibit.toml), or add the package."
                    );
                    self.error(&v.span(), &o.field("exhibit"), msg);
                }
                m
            }
            _ => None,
        };
        let target = self.step_target(o, manifest);
        let text = self.localized_text(o, "text", true, Some(MAX_SUMMARY_CHARS));
        let teacher_notes = self.localized_text(o, "teacher_notes", false, None);
        let sources = self.source_refs(o, known_sources);
        if sources.is_empty() && !o.table.contains_key("sources") {
            o.known.push("sources");
            let msg = "cites no source: add `sources = [\"…\"]` naming the [[sources]] its facts come from (every fact taught needs one).";
            self.warning(&o.span.clone(), &o.field("sources"), msg);
        }
        let questions = self.table_array(o, "questions", |r, q| {
            r.question(q, manifest, known_sources)
        });
        Some(Step {
            id: id?,
            exhibit: exhibit_id?,
            target: target?,
            text,
            teacher_notes,
            sources,
            questions,
        })
    }

    /// Where the step takes the class: `view`, `hotspot`, or `tour` with `stop` (from 1), or
    /// the exhibit's home view when none is given. Checked against the exhibit's manifest.
    fn step_target(&mut self, o: &mut Obj<'_, '_>, m: Option<&Manifest>) -> Option<StepTarget> {
        let view = self.opt_str(o, "view");
        let hotspot = self.opt_str(o, "hotspot");
        let tour = self.opt_str(o, "tour");
        let stop = self.whole_number(
            o,
            "stop",
            1.0..=1000.0,
            "the stop's number in the tour, from 1",
        );
        let given = [view.is_some(), hotspot.is_some(), tour.is_some()]
            .iter()
            .filter(|g| **g)
            .count();
        if given > 1 {
            self.error(&o.span.clone(), &o.field("view"), "give one of `view`, `hotspot` or `tour` (with `stop`), not several: a step shows one place of the exhibit.");
            return None;
        }
        let span = |key: &str| o.table.get(key).map_or(o.span.clone(), |v| v.span());
        if let Some(v) = view {
            if let Some(m) = m
                && v != "home"
                && m.view(&v).is_none()
            {
                let ids: Vec<&str> = m.views.iter().map(|x| x.id.as_str()).collect();
                let msg = format!(
                    "exhibit \"{}\" has no view \"{v}\": use `home` or one of {}.",
                    m.id,
                    ids.join(", ")
                );
                self.error(&span("view"), &o.field("view"), msg);
                return None;
            }
            return Some(if v == "home" {
                StepTarget::Home
            } else {
                StepTarget::View(v)
            });
        }
        if let Some(h) = hotspot {
            if let Some(m) = m
                && m.hotspot(&h).is_none()
            {
                let msg = format!(
                    "exhibit \"{}\" has no hotspot \"{h}\": use one of {}.",
                    m.id,
                    hotspot_ids(m)
                );
                self.error(&span("hotspot"), &o.field("hotspot"), msg);
                return None;
            }
            return Some(StepTarget::Hotspot(h));
        }
        if let Some(t) = tour {
            let stop = stop.map_or(1, |s| s as usize);
            if let Some(m) = m {
                match m.tour(&t) {
                    None => {
                        let ids: Vec<&str> = m.tours.iter().map(|x| x.id.as_str()).collect();
                        let msg = format!(
                            "exhibit \"{}\" has no tour \"{t}\": use one of {}.",
                            m.id,
                            if ids.is_empty() {
                                "none (it has no tours)".to_owned()
                            } else {
                                ids.join(", ")
                            }
                        );
                        self.error(&span("tour"), &o.field("tour"), msg);
                        return None;
                    }
                    Some(tour) if stop > tour.stops.len() => {
                        let msg = format!(
                            "tour \"{t}\" of exhibit \"{}\" has {} stops: write a stop from 1 to {}.",
                            m.id,
                            tour.stops.len(),
                            tour.stops.len()
                        );
                        self.error(&span("stop"), &o.field("stop"), msg);
                        return None;
                    }
                    Some(_) => {}
                }
            }
            return Some(StepTarget::TourStop { tour: t, stop });
        }
        if stop.is_some() {
            self.error(
                &span("stop"),
                &o.field("stop"),
                "`stop` belongs to a `tour`: add `tour = \"…\"`, or remove `stop`.",
            );
            return None;
        }
        Some(StepTarget::Home)
    }

    fn question(
        &mut self,
        o: &mut Obj<'_, '_>,
        m: Option<&Manifest>,
        known_sources: &[String],
    ) -> Option<Question> {
        let id = self.req_id(o, "id");
        let kind = self.keyword::<QuestionKind>(o, "kind", true);
        let prompt = self.localized_text(o, "prompt", true, Some(MAX_TITLE_CHARS * 4));
        let sources = self.source_refs(o, known_sources);
        let answers = self.table_array(o, "answers", |r, a| r.answer(a));
        let hotspot = self.opt_str(o, "hotspot");
        let right = self.localized_text(o, "right", kind == Some(QuestionKind::Find), None);
        let wrong = self.localized_text(o, "wrong", kind == Some(QuestionKind::Find), None);
        let span = |key: &str| o.table.get(key).map_or(o.span.clone(), |v| v.span());
        match kind? {
            QuestionKind::Single | QuestionKind::Multiple if hotspot.is_some() => {
                self.error(
                    &span("hotspot"),
                    &o.field("hotspot"),
                    "belongs to a `find` question: remove it, or set `kind = \"find\"`.",
                );
                return None;
            }
            QuestionKind::Single | QuestionKind::Multiple if answers.len() < 2 => {
                let msg = format!(
                    "has {} answer(s): a choice question needs at least two `[[steps.questions.answers]]`.",
                    answers.len()
                );
                self.error(&o.span.clone(), &o.field("answers"), msg);
                return None;
            }
            QuestionKind::Single if answers.iter().filter(|a| a.correct).count() != 1 => {
                let n = answers.iter().filter(|a| a.correct).count();
                let msg = format!(
                    "has {n} correct answers: a `single` question needs exactly one `correct = true` (use `kind = \"multiple\"` for several)."
                );
                self.error(&span("answers"), &o.field("answers"), msg);
                return None;
            }
            QuestionKind::Multiple if !answers.iter().any(|a| a.correct) => {
                self.error(
                    &span("answers"),
                    &o.field("answers"),
                    "has no correct answer: mark at least one with `correct = true`.",
                );
                return None;
            }
            QuestionKind::Find => {
                if !answers.is_empty() {
                    self.error(&span("answers"), &o.field("answers"), "a `find` question has no answers to choose from: the student taps a hotspot. Remove them, or use `kind = \"single\"`.");
                    return None;
                }
                let Some(h) = &hotspot else {
                    o.known.push("hotspot");
                    self.missing(
                        o,
                        "hotspot",
                        "`hotspot = \"…\"`, the id of the hotspot the student must find",
                    );
                    return None;
                };
                if let Some(m) = m
                    && m.hotspot(h).is_none()
                {
                    let msg = format!(
                        "exhibit \"{}\" has no hotspot \"{h}\" to find: use one of {}.",
                        m.id,
                        hotspot_ids(m)
                    );
                    self.error(&span("hotspot"), &o.field("hotspot"), msg);
                    return None;
                }
            }
            _ => {}
        }
        Some(Question {
            id: id?,
            kind: kind?,
            prompt,
            sources,
            answers,
            hotspot,
            right,
            wrong,
        })
    }

    fn answer(&mut self, o: &mut Obj<'_, '_>) -> Option<Answer> {
        let text = self.localized_text(o, "text", true, Some(MAX_TITLE_CHARS * 2));
        let correct = self.opt_bool(o, "correct").unwrap_or(false);
        // Feedback per answer: a student who picks it learns why it is right or wrong.
        let feedback = self.localized_text(o, "feedback", true, Some(MAX_SUMMARY_CHARS));
        (!text.is_empty()).then_some(Answer {
            text,
            correct,
            feedback,
        })
    }
}

fn hotspot_ids(m: &Manifest) -> String {
    let ids: Vec<&str> = m.hotspots.iter().map(|h| h.id.as_str()).collect();
    if ids.is_empty() {
        "none (it has no hotspots)".to_owned()
    } else {
        ids.join(", ")
    }
}
