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
