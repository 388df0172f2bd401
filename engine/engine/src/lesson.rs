//! Lesson mode (docs/lessons.md): the viewer takes the class through a lesson's steps. Each
//! step opens its exhibit at its place (a view, a hotspot's panel, a tour stop with narration),
//! a card shows the step's text and, on request, its questions: single and multiple choice with
//! the feedback of each answer, and "find it on the model", answered by tapping a marker. At the
//! end, a summary of the class's answers.
//!
//! Started by `disan --lesson FILE [--step ID]`; the step's id is the deep link of one slide.

use std::collections::{BTreeMap, BTreeSet};

use bevy::prelude::*;
use disan_format::lesson::{Lesson, Question, QuestionKind, Response, Step, StepTarget};

use crate::camera::{CameraCommand, CameraRig};
use crate::embed::{EmbedEvent, LessonChoice, LessonOutlineStep, by_language};
use crate::framing::ExhibitFramed;
use crate::hotspots::OpenHotspot;
use crate::i18n::Language;
use crate::library::{ExhibitLibrary, SwitchExhibit};
use crate::theme::{self, LocalizedLabel, TextStyle, UiFonts, button, label, panel};
use crate::tour::TourCommand;

/// A lesson to teach, and the step to start at.
#[derive(Clone, Debug)]
pub struct LessonSetup {
    pub lesson: Lesson,
    /// A step's id (a deep link); the first step when `None` or unknown.
    pub start_step: Option<String>,
}

pub(super) fn plugin(app: &mut App) {
    let Some(setup) = app.world().resource::<crate::ViewerConfig>().lesson.clone() else {
        return;
    };
    let step = setup
        .start_step
        .as_deref()
        .and_then(|id| setup.lesson.steps.iter().position(|s| s.id == id))
        .unwrap_or(0);
    app.insert_resource(LessonRun::new(setup.lesson, step))
        .insert_resource(ResultsFolder::default())
        .add_systems(
            Update,
            (
                step_on_command,
                go_to_step,
                answer_by_tapping,
                run_lesson_actions,
                save_results,
                end_tour_at_results,
                report_progress,
                show_card,
            )
                .chain(),
        );
}

/// The results card ends the lesson: a tour a step started stops there, so its bar is not left
/// playing under the card (on a phone the two overlapped).
fn end_tour_at_results(
    run: Res<LessonRun>,
    mut tours: MessageWriter<TourCommand>,
    mut at_results: Local<bool>,
) {
    let now = run.card == Card::Summary;
    if now && !*at_results {
        tours.write(TourCommand::Exit);
    }
    *at_results = now;
}

/// Where the class is in the lesson.
#[derive(Resource, Debug)]
pub struct LessonRun {
    pub lesson: Lesson,
    /// Index into the lesson's steps.
    pub step: usize,
    card: Card,
    /// Question id → what was answered and whether it was right.
    pub answers: BTreeMap<String, (Response, bool)>,
    place: Place,
    /// The exhibit last framed (its camera set home): a step's place is shown after that, or
    /// the framing would undo it.
    framed: Option<String>,
    /// Counts "start again": each attempt is a lesson of its own for the host page's records.
    attempt: u32,
    /// "Save the results" was asked for (the card's button or the host page's command).
    save_asked: bool,
    /// Where the last save went, shown on the results card.
    saved: Option<Saved>,
}

/// What became of "Save the results".
#[derive(Debug, Clone, PartialEq)]
enum Saved {
    /// Written to this file (natively).
    File(String),
    /// Handed to the page as a download with this name (in the browser).
    Download(String),
    Failed(String),
}

/// Where the native viewer saves results sheets: `DISAN_RESULTS_DIR`, else `Documents/Disan`
/// in the user's home (Windows and Linux desktops alike), else `Disan` in the home.
#[derive(Resource, Debug, Clone)]
pub struct ResultsFolder(pub std::path::PathBuf);

impl Default for ResultsFolder {
    fn default() -> Self {
        if let Some(dir) = std::env::var_os("DISAN_RESULTS_DIR") {
            return Self(dir.into());
        }
        let home = std::env::var_os("USERPROFILE")
            .or_else(|| std::env::var_os("HOME"))
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::PathBuf::from("."));
        let documents = home.join("Documents");
        Self(if documents.is_dir() {
            documents.join("Disan")
        } else {
            home.join("Disan")
        })
    }
}

/// What the lesson card shows.
#[derive(Debug, Clone, PartialEq)]
enum Card {
    Step,
    /// The step's question at this index; `chosen` holds a multiple-choice question's ticks
    /// until it is checked.
    Question {
        index: usize,
        chosen: Vec<usize>,
    },
    Summary,
}

/// Where a lesson stands, for the host page (`state.lesson`, docs/embedding.md).
#[derive(serde::Serialize, Clone, Debug, PartialEq, Eq)]
pub struct LessonState {
    pub id: String,
    /// The step on screen, by id, and its number from 1.
    pub step: String,
    pub number: usize,
    pub steps: usize,
    pub questions: usize,
    pub answered: usize,
    pub right: usize,
}

/// Whether the step's place in its exhibit has been shown.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    /// The step has just begun: its exhibit must be opened, or its place shown.
    Pending,
    /// Its exhibit is opening; the place is shown once it is framed.
    Opening,
    Shown,
}

#[derive(Component, Debug, Clone)]
enum LessonAction {
    PreviousStep,
    NextStep,
    Questions,
    Choose(usize),
    Check,
    Continue,
    Summary,
    Restart,
    SaveResults,
}

/// The root of the lesson card (not part of any exhibit: it stays across switches).
#[derive(Component)]
struct LessonCard;

impl LessonRun {
    /// The class at `step` (an index into the lesson's steps), nothing answered yet.
    pub fn new(lesson: Lesson, step: usize) -> Self {
        LessonRun {
            lesson,
            step,
            card: Card::Step,
            answers: BTreeMap::new(),
            place: Place::Pending,
            framed: None,
            attempt: 0,
            save_asked: false,
            saved: None,
        }
    }

    fn go(&mut self, step: usize) {
        self.step = step.min(self.lesson.steps.len().saturating_sub(1));
        self.card = Card::Step;
        self.place = Place::Pending;
        self.saved = None;
    }

    /// The results summary, and the card with it.
    fn show_summary(&mut self) {
        self.card = Card::Summary;
        self.saved = None;
    }

    /// The step's next question not yet answered, if any.
    fn next_question(&self) -> Option<usize> {
        self.lesson.steps[self.step]
            .questions
            .iter()
            .position(|q| !self.answers.contains_key(&q.id))
    }

    pub fn state(&self) -> LessonState {
        let (right, questions) = self.right_count();
        LessonState {
            id: self.lesson.id.clone(),
            step: self.lesson.steps[self.step].id.clone(),
            number: self.step + 1,
            steps: self.lesson.steps.len(),
            questions,
            answered: self.answers.len(),
            right,
        }
    }

    /// Records an answer given by the host page (ids as in the `lesson-answer` event), and
    /// shows it on the card as if it had been tapped.
    fn answer_from_page(&mut self, question: &str, ids: &[String]) -> Result<(), String> {
        let step = &self.lesson.steps[self.step];
        let Some(index) = step.questions.iter().position(|q| q.id == question) else {
            return Err(format!(
                "the step on screen (\"{}\") has no such question; its questions are: {}",
                step.id,
                step.questions
                    .iter()
                    .map(|q| q.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let q = &step.questions[index];
        if self.answers.contains_key(&q.id) {
            return Err("it was answered already; an answer is not changed".into());
        }
        let response = match q.kind {
            QuestionKind::Find => match ids {
                [hotspot] => Response::Tapped(hotspot.clone()),
                _ => return Err("a \"find it\" question takes one hotspot id".into()),
            },
            QuestionKind::Single | QuestionKind::Multiple => {
                let mut chosen = Vec::new();
                for id in ids {
                    match id.parse::<usize>() {
                        Ok(n) if (1..=q.answers.len()).contains(&n) => chosen.push(n - 1),
                        _ => {
                            return Err(format!(
                                "\"{id}\" is not one of its answers (1 to {})",
                                q.answers.len()
                            ));
                        }
                    }
                }
                chosen.sort_unstable();
                chosen.dedup();
                if chosen.is_empty() || (q.kind == QuestionKind::Single && chosen.len() != 1) {
                    return Err(
                        "give one answer (single choice) or at least one (multiple choice)".into(),
                    );
                }
                Response::Chosen(chosen)
            }
        };
        let right = q.is_right(&response);
        let chosen = match &response {
            Response::Chosen(c) => c.clone(),
            Response::Tapped(_) => Vec::new(),
        };
        self.answers.insert(q.id.clone(), (response, right));
        self.card = Card::Question { index, chosen };
        Ok(())
    }

    fn right_count(&self) -> (usize, usize) {
        let total = self.lesson.steps.iter().map(|s| s.questions.len()).sum();
        (
            self.answers.values().filter(|(_, right)| *right).count(),
            total,
        )
    }
}

/// `lesson-step` from the host page: a teacher's page driving the class's screen.
/// `lesson-answer`, `lesson-results` and `lesson-save-results` too: a page's own buttons.
fn step_on_command(
    mut commands: MessageReader<crate::embed::EmbedCommand>,
    mut run: ResMut<LessonRun>,
) {
    use crate::embed::EmbedCommand;
    for command in commands.read() {
        match command {
            EmbedCommand::LessonStep { step } => {
                match run.lesson.steps.iter().position(|s| &s.id == step) {
                    Some(i) => run.go(i),
                    None => warn!(
                        "lesson-step: lesson \"{}\" has no step \"{step}\"",
                        run.lesson.id
                    ),
                }
            }
            EmbedCommand::LessonAnswer { question, response } => {
                if let Err(problem) = run.answer_from_page(question, response) {
                    warn!("lesson-answer \"{question}\": {problem}");
                }
            }
            EmbedCommand::LessonResults => run.show_summary(),
            EmbedCommand::LessonSaveResults => run.save_asked = true,
            _ => {}
        }
    }
}

/// Opens the step's exhibit, then shows its place: a view, a hotspot's panel, a tour stop.
#[allow(clippy::too_many_arguments)]
fn go_to_step(
    mut run: ResMut<LessonRun>,
    library: Res<ExhibitLibrary>,
    mut framed: MessageReader<ExhibitFramed>,
    mut switch: MessageWriter<SwitchExhibit>,
    mut camera: MessageWriter<CameraCommand>,
    mut rig: ResMut<CameraRig>,
    mut open: ResMut<OpenHotspot>,
    mut tours: MessageWriter<TourCommand>,
) {
    let current = library.current_package().map(|p| p.manifest.id.clone());
    if framed.read().last().is_some() && run.framed != current {
        run.framed = current.clone();
    }
    if run.place == Place::Shown {
        return;
    }
    let step = run.lesson.steps[run.step].clone();
    if current.as_deref() != Some(step.exhibit.as_str()) {
        if run.place == Place::Pending {
            if library.position_of(&step.exhibit).is_none() {
                // Checked natively before the start; in the browser the lesson arrives first.
                error!(
                    "lesson \"{}\", step \"{}\": the catalogue has no exhibit \"{}\"; the step stays on the exhibit on screen",
                    run.lesson.id, step.id, step.exhibit
                );
                run.place = Place::Shown;
                return;
            }
            switch.write(SwitchExhibit::Id(step.exhibit.clone()));
            run.place = Place::Opening;
        }
        return;
    }
    if run.framed != current {
        return;
    }
    let Some(package) = library.current_package() else {
        return;
    };
    let m = &package.manifest;
    tours.write(TourCommand::Exit);
    open.0 = None;
    match &step.target {
        StepTarget::Home => {
            camera.write(CameraCommand::Home);
        }
        StepTarget::View(id) => {
            if let Some(v) = m.view(id) {
                rig.fov_y = v.fov_deg.to_radians();
                camera.write(CameraCommand::LookFrom {
                    eye: Vec3::from(v.eye),
                    target: Vec3::from(v.target),
                });
            }
        }
        StepTarget::Hotspot(id) => open.open(id),
        StepTarget::TourStop { tour, stop } => {
            tours.write(TourCommand::Start {
                tour: Some(tour.clone()),
                stop: stop.saturating_sub(1),
            });
        }
    }
    run.place = Place::Shown;
}

/// A "find it" question is answered by tapping a marker: the hotspot that opens is the answer.
fn answer_by_tapping(mut run: ResMut<LessonRun>, open: Res<OpenHotspot>) {
    if !open.is_changed() {
        return;
    }
    let Card::Question { index, .. } = run.card.clone() else {
        return;
    };
    let question = run.lesson.steps[run.step].questions[index].clone();
    let (QuestionKind::Find, Some(tapped)) = (question.kind, open.0.clone()) else {
        return;
    };
    if run.answers.contains_key(&question.id) {
        return;
    }
    let response = Response::Tapped(tapped);
    let right = question.is_right(&response);
    run.answers.insert(question.id.clone(), (response, right));
}

fn run_lesson_actions(
    pressed: Query<(&Interaction, &LessonAction), Changed<Interaction>>,
    mut run: ResMut<LessonRun>,
    mut open: ResMut<OpenHotspot>,
) {
    for (interaction, action) in &pressed {
        if *interaction != Interaction::Pressed {
            continue;
        }
        let step = run.step;
        match action.clone() {
            LessonAction::PreviousStep => run.go(step.saturating_sub(1)),
            LessonAction::NextStep => run.go(step + 1),
            LessonAction::Summary => run.show_summary(),
            LessonAction::SaveResults => run.save_asked = true,
            LessonAction::Restart => {
                run.answers.clear();
                run.attempt += 1;
                run.go(0);
            }
            LessonAction::Questions | LessonAction::Continue => {
                run.card = match run.next_question() {
                    Some(index) => {
                        // A "find it" question starts with no panel open, so the tap is the answer.
                        open.0 = None;
                        Card::Question {
                            index,
                            chosen: Vec::new(),
                        }
                    }
                    None => Card::Step,
                };
            }
            LessonAction::Choose(answer) => {
                let Card::Question { index, mut chosen } = run.card.clone() else {
                    continue;
                };
                let question = run.lesson.steps[step].questions[index].clone();
                if run.answers.contains_key(&question.id) {
                    continue;
                }
                match question.kind {
                    QuestionKind::Single => {
                        let response = Response::Chosen(vec![answer]);
                        let right = question.is_right(&response);
                        run.answers.insert(question.id.clone(), (response, right));
                        chosen = vec![answer];
                    }
                    _ => {
                        if let Some(at) = chosen.iter().position(|c| *c == answer) {
                            chosen.remove(at);
                        } else {
                            chosen.push(answer);
                        }
                    }
                }
                run.card = Card::Question { index, chosen };
            }
            LessonAction::Check => {
                let Card::Question { index, chosen } = run.card.clone() else {
                    continue;
                };
                let question = run.lesson.steps[step].questions[index].clone();
                if chosen.is_empty() || run.answers.contains_key(&question.id) {
                    continue;
                }
                let response = Response::Chosen(chosen);
                let right = question.is_right(&response);
                run.answers.insert(question.id.clone(), (response, right));
            }
        }
    }
}

/// "Save the results": the student's results sheet (`disan_format::lesson::results_sheet`) as
/// a file to keep. Natively it is written into the results folder; in the browser the page is
/// handed it (`lesson-results-file`) and offers it as a download, since a page cannot write
/// files. Either way the card says where it went.
fn save_results(
    mut run: ResMut<LessonRun>,
    folder: Res<ResultsFolder>,
    mut events: MessageWriter<EmbedEvent>,
) {
    if !run.save_asked {
        return;
    }
    run.save_asked = false;
    let (finished, stamp) = local_now();
    let text = disan_format::lesson::results_sheet(&run.lesson, &run.answers, &finished);
    let name = disan_format::lesson::results_file_name(&run.lesson, &stamp);
    if cfg!(target_family = "wasm") {
        events.write(EmbedEvent::LessonResultsFile {
            lesson: run.lesson.id.clone(),
            name: name.clone(),
            text,
        });
        run.saved = Some(Saved::Download(name));
        return;
    }
    run.saved = Some(match write_sheet(&folder.0, &name, &text) {
        Ok(path) => {
            info!(
                "lesson \"{}\": results saved to {}",
                run.lesson.id,
                path.display()
            );
            Saved::File(path.display().to_string())
        }
        Err(e) => {
            let message = format!("{}: {e}", folder.0.join(&name).display());
            warn!(
                "lesson \"{}\": the results could not be saved ({message})",
                run.lesson.id
            );
            Saved::Failed(message)
        }
    });
}

/// Writes the sheet whole (a new file renamed into place: a power cut leaves no half sheet),
/// never over an earlier one: a second save in the same second gets `-2`, and so on.
fn write_sheet(
    folder: &std::path::Path,
    name: &str,
    text: &str,
) -> std::io::Result<std::path::PathBuf> {
    std::fs::create_dir_all(folder)?;
    let stem = name.trim_end_matches(".txt");
    let path = (1..1000)
        .map(|n| match n {
            1 => folder.join(name),
            n => folder.join(format!("{stem}-{n}.txt")),
        })
        .find(|p| !p.exists())
        .ok_or_else(|| std::io::Error::other("a thousand sheets of this lesson in one second"))?;
    let partial = path.with_extension("txt.part");
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

/// The local date and time: as the sheet shows it (`2026-12-04 10:15 (+07:00)`), and compact
/// for its file name (`20261204-101500`).
fn local_now() -> (String, String) {
    #[cfg(not(target_family = "wasm"))]
    {
        let now = disan_kiosk::jiff::Zoned::now();
        (
            now.strftime("%Y-%m-%d %H:%M (%:z)").to_string(),
            now.strftime("%Y%m%d-%H%M%S").to_string(),
        )
    }
    #[cfg(target_family = "wasm")]
    {
        let d = js_sys::Date::new_0();
        let east = -(d.get_timezone_offset() as i32);
        let (y, mo, day, h, mi, s) = (
            d.get_full_year(),
            d.get_month() + 1,
            d.get_date(),
            d.get_hours(),
            d.get_minutes(),
            d.get_seconds(),
        );
        (
            format!(
                "{y:04}-{mo:02}-{day:02} {h:02}:{mi:02} ({}{:02}:{:02})",
                if east < 0 { '-' } else { '+' },
                east.abs() / 60,
                east.abs() % 60
            ),
            format!("{y:04}{mo:02}{day:02}-{h:02}{mi:02}{s:02}"),
        )
    }
}

/// What was last told to the host page, so each step, answer and summary is told once.
#[derive(Default)]
struct Reported {
    attempt: u32,
    started: bool,
    step: Option<usize>,
    answers: BTreeSet<String>,
    summary: bool,
}

/// Tells the host page how the class moves through the lesson: the events a page turns into
/// learning records (xAPI statements, web/shell/xapi.js).
fn report_progress(
    run: Res<LessonRun>,
    library: Res<ExhibitLibrary>,
    lang: Res<Language>,
    mut told: Local<Reported>,
    mut events: MessageWriter<EmbedEvent>,
) {
    if !run.is_changed() {
        return;
    }
    let lesson = &run.lesson;
    // "Start again": the lesson begins anew for the records too.
    if told.attempt != run.attempt {
        *told = Reported {
            attempt: run.attempt,
            ..Reported::default()
        };
    }
    if !told.started {
        told.started = true;
        let (_, questions) = run.right_count();
        events.write(EmbedEvent::LessonStart {
            lesson: lesson.id.clone(),
            title: by_language(&lesson.title),
            steps: lesson.steps.len(),
            questions,
            lang: lang.code().to_string(),
            teacher_notes: by_language(&lesson.teacher_notes),
            outline: lesson
                .steps
                .iter()
                .map(|s| LessonOutlineStep {
                    id: s.id.clone(),
                    exhibit: s.exhibit.clone(),
                    text: by_language(&s.text),
                    teacher_notes: by_language(&s.teacher_notes),
                    questions: s.questions.len(),
                })
                .collect(),
        });
    }
    if told.step != Some(run.step) {
        told.step = Some(run.step);
        let step = &lesson.steps[run.step];
        events.write(EmbedEvent::LessonStep {
            lesson: lesson.id.clone(),
            step: step.id.clone(),
            number: run.step + 1,
            steps: lesson.steps.len(),
            exhibit: step.exhibit.clone(),
            text: by_language(&step.text),
        });
    }
    for step in &lesson.steps {
        for question in &step.questions {
            let Some((response, success)) = run.answers.get(&question.id) else {
                continue;
            };
            if !told.answers.insert(question.id.clone()) {
                continue;
            }
            events.write(answer_event(
                lesson, step, question, response, *success, &library,
            ));
        }
    }
    let at_summary = run.card == Card::Summary;
    if at_summary && !told.summary {
        let (right, questions) = run.right_count();
        events.write(EmbedEvent::LessonComplete {
            lesson: lesson.id.clone(),
            questions,
            answered: run.answers.len(),
            right,
        });
    }
    told.summary = at_summary;
}

/// A question's answer as the host page receives it: choices by id (answers numbered from 1,
/// or the hotspots of the step's exhibit for "find it"), what was given and what is right.
fn answer_event(
    lesson: &Lesson,
    step: &Step,
    question: &Question,
    response: &Response,
    success: bool,
    library: &ExhibitLibrary,
) -> EmbedEvent {
    let numbered = |i: usize| (i + 1).to_string();
    let (choices, correct) = match question.kind {
        QuestionKind::Find => {
            let hotspots = library
                .catalogue
                .entries
                .iter()
                .filter_map(|e| e.as_ref().ok())
                .find(|p| p.manifest.id == step.exhibit)
                .map(|p| {
                    p.manifest
                        .hotspots
                        .iter()
                        .map(|h| LessonChoice {
                            id: h.id.clone(),
                            text: by_language(&h.title),
                        })
                        .collect()
                })
                .unwrap_or_default();
            (hotspots, question.hotspot.iter().cloned().collect())
        }
        QuestionKind::Single | QuestionKind::Multiple => (
            question
                .answers
                .iter()
                .enumerate()
                .map(|(i, a)| LessonChoice {
                    id: numbered(i),
                    text: by_language(&a.text),
                })
                .collect(),
            question
                .answers
                .iter()
                .enumerate()
                .filter(|(_, a)| a.correct)
                .map(|(i, _)| numbered(i))
                .collect(),
        ),
    };
    let response = match response {
        Response::Chosen(indices) => {
            let mut indices = indices.clone();
            indices.sort_unstable();
            indices.into_iter().map(numbered).collect()
        }
        Response::Tapped(hotspot) => vec![hotspot.clone()],
    };
    EmbedEvent::LessonAnswer {
        lesson: lesson.id.clone(),
        step: step.id.clone(),
        question: question.id.clone(),
        kind: match question.kind {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::Find => "find",
        },
        prompt: by_language(&question.prompt),
        choices,
        response,
        correct,
        success,
    }
}

const RIGHT: Color = Color::srgb(0.55, 0.85, 0.55);
const WRONG: Color = Color::srgb(0.95, 0.6, 0.5);

/// Rebuilds the lesson card whenever the lesson moves.
fn show_card(
    run: Res<LessonRun>,
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    existing: Query<Entity, With<LessonCard>>,
    mut commands: Commands,
) {
    if !run.is_changed() && !existing.is_empty() {
        return;
    }
    for e in &existing {
        commands.entity(e).despawn();
    }
    let lang = *lang;
    let lesson = &run.lesson;
    let step = &lesson.steps[run.step];
    let card = commands
        .spawn((
            panel(Node {
                position_type: PositionType::Absolute,
                left: px(12),
                bottom: px(64),
                width: px(520),
                max_width: percent(94),
                max_height: percent(55),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(14)),
                row_gap: px(8),
                border_radius: BorderRadius::all(px(8)),
                overflow: Overflow::scroll_y(),
                ..default()
            }),
            GlobalZIndex(2),
            LessonCard,
        ))
        .insert(BackgroundColor(theme::SIDE_PANEL))
        .id();
    let title = &lesson.title;
    let (n, total) = (run.step + 1, lesson.steps.len());
    let header = LocalizedLabel::both(
        format!("Bài học: {} · Bước {n}/{total}", title.text("vi")),
        format!("Lesson: {} · Step {n}/{total}", title.text("en")),
    );
    commands.spawn((label(&fonts, lang, header, TextStyle::Small), ChildOf(card)));
    let row = |commands: &mut Commands| {
        commands
            .spawn((
                Node {
                    flex_wrap: FlexWrap::Wrap,
                    column_gap: px(6),
                    ..default()
                },
                ChildOf(card),
            ))
            .id()
    };
    match &run.card {
        Card::Summary => {
            let (right, total) = run.right_count();
            let heading = LocalizedLabel::both(
                format!("Kết quả: đúng {right}/{total} câu"),
                format!("Results: {right} of {total} right"),
            );
            commands.spawn((
                label(&fonts, lang, heading, TextStyle::Heading),
                ChildOf(card),
            ));
            for q in lesson.steps.iter().flat_map(|s| &s.questions) {
                let (mark_vi, mark_en, color) = match run.answers.get(&q.id) {
                    Some((_, true)) => ("Đúng", "Right", RIGHT),
                    Some((_, false)) => ("Sai", "Wrong", WRONG),
                    None => ("Chưa trả lời", "Not answered", theme::MUTED),
                };
                let line = LocalizedLabel::both(
                    format!("{mark_vi}: {}", q.prompt.text("vi")),
                    format!("{mark_en}: {}", q.prompt.text("en")),
                );
                commands
                    .spawn((label(&fonts, lang, line, TextStyle::Small), ChildOf(card)))
                    .insert(TextColor(color));
            }
            let buttons = row(&mut commands);
            commands.spawn((
                button(
                    &fonts,
                    lang,
                    LocalizedLabel::both("Lưu kết quả", "Save the results"),
                    LessonAction::SaveResults,
                ),
                ChildOf(buttons),
            ));
            commands.spawn((
                button(
                    &fonts,
                    lang,
                    LocalizedLabel::both("Làm lại từ đầu", "Start again"),
                    LessonAction::Restart,
                ),
                ChildOf(buttons),
            ));
            let said = match &run.saved {
                None => None,
                Some(Saved::File(path)) => Some((
                    LocalizedLabel::both(format!("Đã lưu: {path}"), format!("Saved: {path}")),
                    RIGHT,
                )),
                Some(Saved::Download(name)) => Some((
                    LocalizedLabel::both(
                        format!("Đã tải về: {name}"),
                        format!("Downloaded: {name}"),
                    ),
                    RIGHT,
                )),
                Some(Saved::Failed(why)) => Some((
                    LocalizedLabel::both(
                        format!("Không lưu được ({why}). Hãy báo thầy cô."),
                        format!("Could not save ({why}). Tell your teacher."),
                    ),
                    WRONG,
                )),
            };
            if let Some((line, color)) = said {
                commands
                    .spawn((label(&fonts, lang, line, TextStyle::Small), ChildOf(card)))
                    .insert(TextColor(color));
            }
        }
        Card::Question { index, chosen } => {
            let question = &step.questions[*index];
            let answered = run.answers.get(&question.id);
            commands.spawn((
                label(
                    &fonts,
                    lang,
                    LocalizedLabel::from_text(&question.prompt),
                    TextStyle::Heading,
                ),
                ChildOf(card),
            ));
            match question.kind {
                QuestionKind::Find => {
                    let hint = LocalizedLabel::both(
                        "Chạm vào một điểm tròn trên mô hình để trả lời.",
                        "Tap a marker on the model to answer.",
                    );
                    commands.spawn((label(&fonts, lang, hint, TextStyle::Small), ChildOf(card)));
                }
                QuestionKind::Single | QuestionKind::Multiple => {
                    let answers = row(&mut commands);
                    for (i, answer) in question.answers.iter().enumerate() {
                        let ticked = chosen.contains(&i);
                        let text = if question.kind == QuestionKind::Multiple {
                            let mark = if ticked { "[x] " } else { "[ ] " };
                            LocalizedLabel::both(
                                format!("{mark}{}", answer.text.text("vi")),
                                format!("{mark}{}", answer.text.text("en")),
                            )
                        } else {
                            LocalizedLabel::from_text(&answer.text)
                        };
                        commands.spawn((
                            button(&fonts, lang, text, LessonAction::Choose(i)),
                            ChildOf(answers),
                        ));
                    }
                    if question.kind == QuestionKind::Multiple && answered.is_none() {
                        let buttons = row(&mut commands);
                        commands.spawn((
                            button(
                                &fonts,
                                lang,
                                LocalizedLabel::both("Kiểm tra", "Check"),
                                LessonAction::Check,
                            ),
                            ChildOf(buttons),
                        ));
                    }
                }
            }
            if let Some((response, right)) = answered {
                let color = if *right { RIGHT } else { WRONG };
                let verdict = if *right {
                    LocalizedLabel::both("Đúng!", "Right!")
                } else {
                    LocalizedLabel::both("Chưa đúng.", "Not quite.")
                };
                commands
                    .spawn((label(&fonts, lang, verdict, TextStyle::Body), ChildOf(card)))
                    .insert(TextColor(color));
                // The feedback of each answer the student chose (one for a single choice; a
                // multiple choice explains every tick), or a find question's right/wrong text.
                let feedback: Vec<&disan_format::LocalizedText> = match response {
                    Response::Chosen(chosen) => chosen
                        .iter()
                        .filter_map(|i| question.answers.get(*i))
                        .map(|a| &a.feedback)
                        .collect(),
                    Response::Tapped(_) => vec![if *right {
                        &question.right
                    } else {
                        &question.wrong
                    }],
                };
                for text in feedback {
                    commands.spawn((
                        label(
                            &fonts,
                            lang,
                            LocalizedLabel::from_text(text),
                            TextStyle::Body,
                        ),
                        ChildOf(card),
                    ));
                }
                let buttons = row(&mut commands);
                commands.spawn((
                    button(
                        &fonts,
                        lang,
                        LocalizedLabel::both("Tiếp tục", "Continue"),
                        LessonAction::Continue,
                    ),
                    ChildOf(buttons),
                ));
            }
        }
        Card::Step => {
            commands.spawn((
                label(
                    &fonts,
                    lang,
                    LocalizedLabel::from_text(&step.text),
                    TextStyle::Body,
                ),
                ChildOf(card),
            ));
            let buttons = row(&mut commands);
            if run.step > 0 {
                commands.spawn((
                    button(
                        &fonts,
                        lang,
                        LocalizedLabel::both("« Bước trước", "« Previous step"),
                        LessonAction::PreviousStep,
                    ),
                    ChildOf(buttons),
                ));
            }
            let unanswered = step
                .questions
                .iter()
                .filter(|q| !run.answers.contains_key(&q.id))
                .count();
            if unanswered > 0 {
                commands.spawn((
                    button(
                        &fonts,
                        lang,
                        LocalizedLabel::both(
                            format!("Câu hỏi ({unanswered})"),
                            format!("Questions ({unanswered})"),
                        ),
                        LessonAction::Questions,
                    ),
                    ChildOf(buttons),
                ));
            }
            if run.step + 1 < lesson.steps.len() {
                commands.spawn((
                    button(
                        &fonts,
                        lang,
                        LocalizedLabel::both("Bước tiếp »", "Next step »"),
                        LessonAction::NextStep,
                    ),
                    ChildOf(buttons),
                ));
            } else {
                commands.spawn((
                    button(
                        &fonts,
                        lang,
                        LocalizedLabel::both("Xem kết quả", "See the results"),
                        LessonAction::Summary,
                    ),
                    ChildOf(buttons),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson() -> Lesson {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let catalogue = disan_format::open_catalogue(&root.join("exhibits"));
        let (lesson, problems) = disan_format::lesson::validate_lesson(
            &root.join("lessons/trong-dong-dong-son.lesson.toml"),
            &catalogue,
        );
        lesson.unwrap_or_else(|| panic!("{problems:?}"))
    }

    #[test]
    fn questions_follow_one_another_and_the_count_is_kept() {
        let mut run = LessonRun::new(lesson(), 0);
        assert_eq!(run.next_question(), Some(0));
        let q = run.lesson.steps[0].questions[0].clone();
        let all_right = Response::Chosen(
            (0..q.answers.len())
                .filter(|i| q.answers[*i].correct)
                .collect(),
        );
        run.answers
            .insert(q.id.clone(), (all_right.clone(), q.is_right(&all_right)));
        assert_eq!(
            run.next_question(),
            None,
            "the step's only question is answered"
        );
        let total: usize = run.lesson.steps.iter().map(|s| s.questions.len()).sum();
        assert_eq!(run.right_count(), (1, total));
        run.go(99);
        assert_eq!(
            run.step,
            run.lesson.steps.len() - 1,
            "a step past the end is the last"
        );
        assert_eq!((run.card.clone(), run.place), (Card::Step, Place::Pending));
    }

    /// The results card stops a tour a step started, once (a tour started after it is left).
    #[test]
    fn the_results_card_ends_the_tour() {
        let mut app = App::new();
        app.add_message::<TourCommand>()
            .insert_resource(LessonRun::new(lesson(), 0))
            .add_systems(Update, end_tour_at_results);
        let sent = |app: &mut App| -> Vec<TourCommand> {
            app.update();
            app.world_mut()
                .resource_mut::<Messages<TourCommand>>()
                .drain()
                .collect()
        };
        assert!(sent(&mut app).is_empty(), "a step's card leaves its tour");
        app.world_mut().resource_mut::<LessonRun>().show_summary();
        assert!(matches!(sent(&mut app)[..], [TourCommand::Exit]));
        assert!(sent(&mut app).is_empty(), "once");
    }

    /// The events a page turns into learning records: the start and each step once, each
    /// answer once with its choices, response and what is right, the summary once.
    #[test]
    fn the_host_page_is_told_each_step_answer_and_the_end_once() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut app = App::new();
        app.add_message::<EmbedEvent>()
            .insert_resource(ExhibitLibrary::open(&root.join("exhibits"), None))
            .insert_resource(Language::VI)
            .insert_resource(LessonRun::new(lesson(), 0))
            .add_systems(Update, report_progress);
        let told = |app: &mut App| -> Vec<serde_json::Value> {
            app.update();
            app.world_mut()
                .resource_mut::<Messages<EmbedEvent>>()
                .drain()
                .map(|e| serde_json::to_value(e).unwrap())
                .collect()
        };
        let first = told(&mut app);
        let types: Vec<&str> = first.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["lesson-start", "lesson-step"]);
        assert_eq!(first[0]["lesson"], "trong-dong-dong-son");
        assert!(
            first[0]["title"]["vi"]
                .as_str()
                .unwrap()
                .contains("Trống đồng")
        );
        assert_eq!(first[1]["step"], "bon-phan");
        let outline = first[0]["outline"].as_array().unwrap();
        assert_eq!(outline.len(), first[0]["steps"].as_u64().unwrap() as usize);
        assert_eq!(outline[0]["id"], "bon-phan");
        assert!(told(&mut app).is_empty(), "nothing new, nothing told");

        // The multiple-choice question answered by the page with its first two answers: wrong
        // (three are right). Answers it does not have, and a second answer, are refused.
        {
            let mut run = app.world_mut().resource_mut::<LessonRun>();
            let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            assert!(run.answer_from_page("cac-phan", &ids(&["5"])).is_err());
            assert!(run.answer_from_page("cac-phan", &ids(&[])).is_err());
            assert!(run.answer_from_page("no-such", &ids(&["1"])).is_err());
            run.answer_from_page("cac-phan", &ids(&["2", "1"])).unwrap();
            assert!(
                run.answer_from_page("cac-phan", &ids(&["1", "2", "3"]))
                    .is_err()
            );
        }
        let answered = told(&mut app);
        assert_eq!(answered.len(), 1);
        let a = &answered[0];
        assert_eq!(a["type"], "lesson-answer");
        assert_eq!(a["question"], "cac-phan");
        assert_eq!(a["kind"], "multiple");
        assert_eq!(a["response"], serde_json::json!(["1", "2"]));
        assert_eq!(a["correct"], serde_json::json!(["1", "2", "3"]));
        assert_eq!(a["success"], false);
        assert_eq!(a["choices"].as_array().unwrap().len(), 4);
        assert_eq!(a["choices"][3]["text"]["en"], "A lid");

        // Next step, then the summary: each told once.
        app.world_mut().resource_mut::<LessonRun>().go(1);
        let stepped = told(&mut app);
        assert_eq!(stepped.len(), 1);
        assert_eq!(stepped[0]["number"], 2);
        app.world_mut().resource_mut::<LessonRun>().card = Card::Summary;
        let end = told(&mut app);
        assert_eq!(end.len(), 1);
        assert_eq!(end[0]["type"], "lesson-complete");
        assert_eq!(
            (end[0]["answered"].as_u64(), end[0]["right"].as_u64()),
            (Some(1), Some(0))
        );
        app.world_mut().resource_mut::<LessonRun>().set_changed();
        assert!(told(&mut app).is_empty(), "the summary is told once");
    }

    /// "Save the results" natively: the sheet is written whole into the results folder, the
    /// card says where, and a second save keeps the first.
    #[test]
    fn the_results_are_saved_as_a_sheet_to_keep() {
        let folder = std::env::temp_dir().join(format!("disan-results-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        let mut app = App::new();
        app.add_message::<EmbedEvent>()
            .insert_resource(ResultsFolder(folder.clone()))
            .insert_resource(LessonRun::new(lesson(), 0))
            .add_systems(Update, save_results);
        {
            let mut run = app.world_mut().resource_mut::<LessonRun>();
            let q = run.lesson.steps[0].questions[0].clone();
            let right = Response::Chosen(
                (0..q.answers.len())
                    .filter(|i| q.answers[*i].correct)
                    .collect(),
            );
            run.answers.insert(q.id.clone(), (right, true));
            run.show_summary();
            run.save_asked = true;
        }
        app.update();
        let saved = |app: &App| app.world().resource::<LessonRun>().saved.clone();
        let Some(Saved::File(first)) = saved(&app) else {
            panic!("not saved: {:?}", saved(&app));
        };
        let name = std::path::Path::new(&first)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with("trong-dong-dong-son-ket-qua-"), "{name}");
        let text = std::fs::read_to_string(&first).unwrap();
        let total: usize = app
            .world()
            .resource::<LessonRun>()
            .lesson
            .steps
            .iter()
            .map(|s| s.questions.len())
            .sum();
        assert!(
            text.contains(&format!("Đúng 1/{total} câu · 1 of {total} right")),
            "{text}"
        );
        assert!(text.contains("Hoàn thành lúc · Finished: 20"), "{text}");

        app.world_mut().resource_mut::<LessonRun>().save_asked = true;
        app.update();
        let Some(Saved::File(second)) = saved(&app) else {
            panic!("not saved again: {:?}", saved(&app));
        };
        assert_ne!(first, second, "the first sheet is kept");
        assert!(std::path::Path::new(&first).is_file() && std::path::Path::new(&second).is_file());
        assert_eq!(
            std::fs::read_dir(&folder).unwrap().count(),
            2,
            "no partial file left"
        );

        // A folder that cannot be made: the card says so, and the lesson goes on.
        let blocker = folder.join("a-file");
        std::fs::write(&blocker, "").unwrap();
        app.insert_resource(ResultsFolder(blocker.join("results")));
        app.world_mut().resource_mut::<LessonRun>().save_asked = true;
        app.update();
        assert!(
            matches!(saved(&app), Some(Saved::Failed(_))),
            "{:?}",
            saved(&app)
        );
        let _ = std::fs::remove_dir_all(&folder);
    }
}
