//! Classroom lessons (format 1, docs/lessons.md): a sequence of exhibits and places in them
//! (a view, a hotspot, a tour stop), with what the class reads, notes for the teacher, the
//! sources of every fact, and questions: single and multiple choice with feedback per answer,
//! and "find it on the model" (tap the right hotspot). Read by [`parse_lesson`], which checks
//! every reference against the exhibits the lesson is taught with.
//!
//! [`parse_lesson`]: crate::parse::parse_lesson

use crate::manifest::Keyword;
use crate::text::LocalizedText;

/// The file name ending that marks a lesson (`ngo-quyen.lesson.toml`).
pub const LESSON_SUFFIX: &str = ".lesson.toml";

#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub format: u32,
    pub id: String,
    pub title: LocalizedText,
    pub summary: LocalizedText,
    /// The school grade it is written for (6–9: lower secondary), if said.
    pub grade: Option<u8>,
    /// Its length in minutes, if said.
    pub minutes: Option<u32>,
    pub teacher_notes: LocalizedText,
    pub sources: Vec<LessonSource>,
    pub steps: Vec<Step>,
}

/// A source the lesson's facts come from, cited by id.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonSource {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
}

/// One step of the lesson: a place in an exhibit, what the class reads there, questions.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub id: String,
    pub exhibit: String,
    pub target: StepTarget,
    pub text: LocalizedText,
    pub teacher_notes: LocalizedText,
    pub sources: Vec<String>,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepTarget {
    Home,
    View(String),
    Hotspot(String),
    /// A tour's stop, from 1.
    TourStop {
        tour: String,
        stop: usize,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuestionKind {
    /// One right answer among several.
    Single,
    /// Every right answer must be chosen, and no wrong one.
    Multiple,
    /// Tap the right hotspot on the model.
    Find,
}

impl Keyword for QuestionKind {
    const ALL: &'static [(&'static str, Self)] = &[
        ("single", Self::Single),
        ("multiple", Self::Multiple),
        ("find", Self::Find),
    ];
}

#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub prompt: LocalizedText,
    pub sources: Vec<String>,
    /// For `single` and `multiple`.
    pub answers: Vec<Answer>,
    /// For `find`: the hotspot to tap.
    pub hotspot: Option<String>,
    /// For `find`: what a right and a wrong tap are told.
    pub right: LocalizedText,
    pub wrong: LocalizedText,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub text: LocalizedText,
    pub correct: bool,
    pub feedback: LocalizedText,
}

/// What a student answered to one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    /// The indices of the answers chosen (one for `single`).
    Chosen(Vec<usize>),
    /// The hotspot tapped.
    Tapped(String),
}

impl Question {
    /// Whether `response` is right: the one correct answer, exactly the correct set, or the
    /// hotspot asked for.
    pub fn is_right(&self, response: &Response) -> bool {
        match (self.kind, response) {
            (QuestionKind::Find, Response::Tapped(h)) => {
                self.hotspot.as_deref() == Some(h.as_str())
            }
            (QuestionKind::Single | QuestionKind::Multiple, Response::Chosen(chosen)) => {
                let mut chosen = chosen.clone();
                chosen.sort_unstable();
                chosen.dedup();
                let right: Vec<usize> = self
                    .answers
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.correct)
                    .map(|(i, _)| i)
                    .collect();
                chosen == right
            }
            _ => false,
        }
    }
}

impl Lesson {
    /// The deep link of a step, for one slide of a teacher's presentation:
    /// `viewer.html?lesson=ID&step=STEP`.
    pub fn step_link(&self, base: &str, step: &str) -> String {
        format!("{base}?lesson={}&step={step}", self.id)
    }

    /// Every exhibit the lesson visits, in order, each once.
    pub fn exhibits(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.steps {
            if !out.contains(&s.exhibit.as_str()) {
                out.push(&s.exhibit);
            }
        }
        out
    }
}

/// Reads and checks the lesson file at `file` against the exhibits of `catalogue` (the packages
/// it will be taught with): every problem located, as `disan validate` prints them.
pub fn validate_lesson(
    file: &std::path::Path,
    catalogue: &crate::Catalogue,
) -> (Option<Lesson>, crate::Problems) {
    let text = match std::fs::read(file) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let mut p = crate::Problems::default();
                p.error(file, None, "", format!("is not UTF-8 text (byte {}): save it as UTF-8 so Vietnamese letters survive.", e.utf8_error().valid_up_to()));
                return (None, p);
            }
        },
        Err(e) => {
            let mut p = crate::Problems::default();
            p.error(file, None, "", format!("cannot be read: {e}."));
            return (None, p);
        }
    };
    let lookup = |id: &str| {
        catalogue
            .entries
            .iter()
            .filter_map(|e| e.as_ref().ok())
            .map(|p| &p.manifest)
            .find(|m| m.id == id)
    };
    crate::parse::parse_lesson(file, &text, Some(&lookup))
}

/// What a student answered, by question id: the response and whether it was right.
pub type LessonAnswers = std::collections::BTreeMap<String, (Response, bool)>;

/// A student's results as a sheet to keep (the results card's "Save the results"): plain UTF-8
/// text that any PC opens and prints, Vietnamese first and English under it, every question in
/// the lesson's order with what was chosen and whether it was right. `finished` is the local
/// date and time written at the top.
pub fn results_sheet(lesson: &Lesson, answers: &LessonAnswers, finished: &str) -> String {
    use std::fmt::Write;
    let both = |t: &LocalizedText| {
        let (vi, en) = (t.text("vi"), t.text("en"));
        if en.is_empty() || en == vi {
            vi.to_owned()
        } else {
            format!("{vi}\n   {en}")
        }
    };
    let total = lesson
        .steps
        .iter()
        .map(|s| s.questions.len())
        .sum::<usize>();
    let right = answers.values().filter(|(_, ok)| *ok).count();
    let mut out = String::new();
    let _ = writeln!(out, "Kết quả bài học · Lesson results");
    let _ = writeln!(out, "{}", lesson.title.text("vi"));
    if lesson.title.text("en") != lesson.title.text("vi") {
        let _ = writeln!(out, "{}", lesson.title.text("en"));
    }
    let _ = writeln!(out, "Hoàn thành lúc · Finished: {finished}");
    let _ = writeln!(out, "Đúng {right}/{total} câu · {right} of {total} right");
    let mut n = 0;
    for (s, step) in lesson.steps.iter().enumerate() {
        if step.questions.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\nBước {} · Step {}", s + 1, s + 1);
        for q in &step.questions {
            n += 1;
            let mark = match answers.get(&q.id) {
                Some((_, true)) => "Đúng · Right",
                Some((_, false)) => "Sai · Wrong",
                None => "Chưa trả lời · Not answered",
            };
            let _ = writeln!(out, "{n}. [{mark}] {}", both(&q.prompt));
            match answers.get(&q.id).map(|(r, _)| r) {
                Some(Response::Chosen(chosen)) => {
                    for a in chosen.iter().filter_map(|i| q.answers.get(*i)) {
                        let _ = writeln!(
                            out,
                            "   Đã chọn · Chosen: {}",
                            both(&a.text).replace("\n   ", " · ")
                        );
                    }
                }
                Some(Response::Tapped(hotspot)) => {
                    let _ = writeln!(out, "   Đã chạm · Tapped: {hotspot}");
                }
                None => {}
            }
        }
    }
    out
}

/// The sheet's file name: the lesson's id and the time it was finished, so that a class's
/// sheets saved on one PC do not overwrite each other (`ngo-quyen-ket-qua-20261204-1015.txt`).
/// `stamp` is the local time as `YYYYMMDD-HHMMSS`.
pub fn results_file_name(lesson: &Lesson, stamp: &str) -> String {
    format!("{}-ket-qua-{stamp}.txt", lesson.id)
}
