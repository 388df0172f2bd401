//! Lesson files: the sample lessons check clean against the bundled exhibits, and mistakes a
//! teacher makes are reported with the line, the field and what to write, as for exhibits.

use std::path::{Path, PathBuf};

use disan_format::lesson::{QuestionKind, Response, StepTarget, validate_lesson};
use disan_format::parse::parse_lesson;
use disan_format::{Catalogue, Severity, open_catalogue};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bundled() -> Catalogue {
    open_catalogue(&root().join("exhibits"))
}

#[test]
fn the_sample_lessons_check_clean_against_the_bundled_exhibits() {
    let catalogue = bundled();
    let mut lessons: Vec<PathBuf> = std::fs::read_dir(root().join("lessons"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".lesson.toml"))
        .collect();
    lessons.sort();
    assert!(
        lessons.len() >= 2,
        "at least two sample lessons: {lessons:?}"
    );
    for file in lessons {
        let (lesson, problems) = validate_lesson(&file, &catalogue);
        let problems = problems.into_sorted();
        assert!(
            problems.is_empty(),
            "{}:\n{}",
            file.display(),
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        let lesson = lesson.unwrap();
        assert_eq!(lesson.grade, Some(6), "lower secondary");
        // Every step and every question cites its sources, and every text is in both languages.
        for step in &lesson.steps {
            assert!(
                !step.sources.is_empty(),
                "{}: step {} cites no source",
                lesson.id,
                step.id
            );
            assert!(step.text.exact("vi").is_some() && step.text.exact("en").is_some());
            for q in &step.questions {
                assert!(
                    !q.sources.is_empty(),
                    "{}: question {} cites no source",
                    lesson.id,
                    q.id
                );
                for a in &q.answers {
                    assert!(
                        a.feedback.exact("vi").is_some() && a.feedback.exact("en").is_some(),
                        "{}: {} needs feedback per answer",
                        lesson.id,
                        q.id
                    );
                }
            }
        }
        let kinds: Vec<QuestionKind> = lesson
            .steps
            .iter()
            .flat_map(|s| s.questions.iter().map(|q| q.kind))
            .collect();
        for kind in [
            QuestionKind::Single,
            QuestionKind::Multiple,
            QuestionKind::Find,
        ] {
            assert!(
                kinds.contains(&kind),
                "{} has no {kind:?} question",
                lesson.id
            );
        }
    }
}

const GOOD: &str = r#"
format = 1
id = "thu"
title = { vi = "Bài thử", en = "A test lesson" }
summary = { vi = "Tóm tắt.", en = "Summary." }

[[sources]]
id = "nguon"
title = "Một nguồn"
url = "https://example.org/nguon"

[[steps]]
id = "buoc-1"
exhibit = "trong-dong"
tour = "main"
stop = 2
sources = ["nguon"]
text = { vi = "Văn bản.", en = "Text." }

[[steps.questions]]
id = "cau-1"
kind = "find"
hotspot = "star"
prompt = { vi = "Tìm ngôi sao.", en = "Find the star." }
right = { vi = "Đúng.", en = "Right." }
wrong = { vi = "Sai.", en = "Wrong." }

[[steps.questions]]
id = "cau-2"
kind = "multiple"
prompt = { vi = "Chọn.", en = "Choose." }

[[steps.questions.answers]]
text = { vi = "A", en = "A" }
correct = true
feedback = { vi = "Đúng.", en = "Right." }

[[steps.questions.answers]]
text = { vi = "B", en = "B" }
feedback = { vi = "Sai.", en = "Wrong." }

[[steps.questions.answers]]
text = { vi = "C", en = "C" }
correct = true
feedback = { vi = "Đúng.", en = "Right." }
"#;

fn check(source: &str) -> (Option<disan_format::lesson::Lesson>, Vec<String>) {
    let catalogue = bundled();
    let lookup = |id: &str| {
        catalogue
            .entries
            .iter()
            .filter_map(|e| e.as_ref().ok())
            .map(|p| &p.manifest)
            .find(|m| m.id == id)
    };
    let (lesson, problems) =
        parse_lesson(Path::new("lessons/thu.lesson.toml"), source, Some(&lookup));
    let lines = problems
        .into_sorted()
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    (lesson, lines)
}

#[test]
fn a_good_lesson_reads_with_its_targets_and_answers() {
    let (lesson, errors) = check(GOOD);
    assert!(errors.is_empty(), "{errors:#?}");
    let lesson = lesson.unwrap();
    let step = &lesson.steps[0];
    assert_eq!(
        step.target,
        StepTarget::TourStop {
            tour: "main".into(),
            stop: 2
        }
    );
    let (find, multiple) = (&step.questions[0], &step.questions[1]);
    assert!(find.is_right(&Response::Tapped("star".into())));
    assert!(!find.is_right(&Response::Tapped("foot".into())));
    assert!(
        multiple.is_right(&Response::Chosen(vec![2, 0])),
        "order does not matter"
    );
    assert!(
        !multiple.is_right(&Response::Chosen(vec![0])),
        "every right answer must be chosen"
    );
    assert!(
        !multiple.is_right(&Response::Chosen(vec![0, 1, 2])),
        "and no wrong one"
    );
    assert_eq!(
        lesson.step_link("https://portal.example.vn/disan/viewer.html", "buoc-1"),
        "https://portal.example.vn/disan/viewer.html?lesson=thu&step=buoc-1"
    );
}

/// One mistake at a time in the good lesson: the error that must be reported, by a fragment of
/// its line (file:line:column) and of its message.
#[test]
fn mistakes_are_located_and_say_what_to_write() {
    let cases: [(&str, &str, &str, &str); 9] = [
        (
            "exhibit = \"trong-dong\"",
            "exhibit = \"trong-dongg\"",
            "thu.lesson.toml:14:11: error: `steps[0].exhibit`",
            "no exhibit \"trong-dongg\"",
        ),
        (
            "hotspot = \"star\"",
            "hotspot = \"sun\"",
            "thu.lesson.toml:23:11",
            "has no hotspot \"sun\" to find: use one of star, heron-ring",
        ),
        (
            "stop = 2",
            "stop = 9",
            "thu.lesson.toml:16:8",
            "has 4 stops: write a stop from 1 to 4",
        ),
        (
            "tour = \"main\"",
            "tour = \"chinh\"",
            "thu.lesson.toml:15:8",
            "has no tour \"chinh\": use one of main",
        ),
        (
            "sources = [\"nguon\"]",
            "sources = [\"ngon\"]",
            "thu.lesson.toml:17:12",
            "Did you mean \"nguon\"?",
        ),
        (
            "kind = \"multiple\"",
            "kind = \"single\"",
            "`steps[0].questions[1].answers`",
            "has 2 correct answers: a `single` question needs exactly one",
        ),
        (
            "kind = \"multiple\"",
            "kind = \"mutiple\"",
            "thu.lesson.toml:30:8",
            "Did you mean \"multiple\"?",
        ),
        (
            "id = \"cau-2\"",
            "id = \"cau-1\"",
            "`steps`",
            "the id \"cau-1\" is used twice",
        ),
        (
            "feedback = { vi = \"Sai.\", en = \"Wrong.\" }",
            "",
            "`steps[0].questions[1].answers[1]`",
            "missing required field `feedback`",
        ),
    ];
    for (good, bad, place, message) in cases {
        assert!(GOOD.contains(good), "{good}");
        let (lesson, errors) = check(&GOOD.replacen(good, bad, 1));
        assert!(lesson.is_none(), "{bad}: a lesson with errors is not read");
        assert!(
            errors
                .iter()
                .any(|e| e.contains(place) && e.contains(message)),
            "{bad:?}: expected {place} … {message}, got:\n{}",
            errors.join("\n")
        );
    }
}

/// The sheet a student keeps: every question in order, right, wrong or not answered, what was
/// chosen in both languages, and the count; its name carries the lesson and the time.
#[test]
fn the_results_sheet_lists_every_question_with_what_was_chosen() {
    use disan_format::lesson::{LessonAnswers, results_file_name, results_sheet};
    let file = root().join("lessons/ngo-quyen-dinh-hang-kenh.lesson.toml");
    let (lesson, problems) = validate_lesson(&file, &bundled());
    assert!(problems.is_empty());
    let lesson = lesson.unwrap();
    let questions: Vec<_> = lesson.steps.iter().flat_map(|s| &s.questions).collect();
    let mut answers = LessonAnswers::new();
    // The first question answered right, the second wrong, the "find it" tapped wrong.
    let first = questions[0];
    let right = first.answers.iter().position(|a| a.correct).unwrap();
    answers.insert(first.id.clone(), (Response::Chosen(vec![right]), true));
    let second = questions[1];
    let wrong = second.answers.iter().position(|a| !a.correct).unwrap();
    answers.insert(second.id.clone(), (Response::Chosen(vec![wrong]), false));
    let find = questions
        .iter()
        .find(|q| q.kind == QuestionKind::Find)
        .unwrap();
    answers.insert(find.id.clone(), (Response::Tapped("columns".into()), false));

    let sheet = results_sheet(&lesson, &answers, "2026-12-04 10:15 (+07:00)");
    let lines: Vec<&str> = sheet.lines().collect();
    assert_eq!(lines[0], "Kết quả bài học · Lesson results");
    assert_eq!(lines[1], lesson.title.text("vi"));
    assert!(sheet.contains("Hoàn thành lúc · Finished: 2026-12-04 10:15 (+07:00)"));
    assert!(
        sheet.contains(&format!(
            "Đúng 1/{n} câu · 1 of {n} right",
            n = questions.len()
        )),
        "{sheet}"
    );
    assert!(
        sheet.contains(&format!("1. [Đúng · Right] {}", first.prompt.text("vi"))),
        "{sheet}"
    );
    assert!(sheet.contains(first.prompt.text("en")));
    assert!(sheet.contains(&format!(
        "   Đã chọn · Chosen: {} · {}",
        first.answers[right].text.text("vi"),
        first.answers[right].text.text("en")
    )));
    assert!(
        sheet.contains(&format!("2. [Sai · Wrong] {}", second.prompt.text("vi"))),
        "{sheet}"
    );
    assert!(sheet.contains("   Đã chạm · Tapped: columns"), "{sheet}");
    // Every question is on the sheet; the unanswered ones say so.
    let unanswered = questions.len() - answers.len();
    assert_eq!(
        sheet.matches("[Chưa trả lời · Not answered]").count(),
        unanswered
    );
    for q in &questions {
        assert!(sheet.contains(q.prompt.text("vi")), "{} missing", q.id);
    }
    assert_eq!(
        results_file_name(&lesson, "20261204-101500"),
        "ngo-quyen-dinh-hang-kenh-ket-qua-20261204-101500.txt"
    );
}
