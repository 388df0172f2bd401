// The teacher's page of a lesson: teacher.html?lesson=ID[&lang=en] (docs/lessons.md).
//
// The lesson itself is read by the engine in the preview (an embedded viewer in lesson mode),
// which tells this page the lesson's outline and notes (the `lesson-start` event). The class's
// screen is a second viewer window (the projector), opened from here: this page moves it step by
// step with `lesson-step` commands by postMessage, and hears from it where the class is and how
// it answers. Both windows come from this site, so no server of our own is needed.

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const lessonId = params.get("lesson") || "";
let lang = params.get("lang") === "en" ? "en" : "vi";

const TEXT = {
  vi: {
    projectorOpen: "Mở màn hình lớp (máy chiếu)",
    projectorFocus: "Chuyển sang màn hình lớp",
    otherLang: "English",
    results: "Xem kết quả của lớp",
    show: "Chiếu bước này",
    link: "Liên kết bước này",
    step: (n, count) => `Bước ${n}/${count}`,
    questions: (n) => (n ? `${n} câu hỏi` : "Không có câu hỏi"),
    waiting: "Đang mở bài học…",
    noLesson: (id) => `Không có bài học “${id}”. Địa chỉ trang cần có ?lesson=… (tên một bài học).`,
    noProjector: "Màn hình lớp chưa mở. Bấm “Mở màn hình lớp” rồi kéo cửa sổ đó sang máy chiếu.",
    blocked: "Trình duyệt đã chặn cửa sổ mới: hãy cho phép cửa sổ bật lên cho trang này.",
    classAt: (n, count) => `Màn hình lớp đang ở bước ${n}/${count}.`,
    answers: (answered, right, total) => `Lớp đã trả lời ${answered}/${total} câu, đúng ${right}.`,
    done: (right, total) => `Lớp đã xong bài: đúng ${right}/${total} câu.`,
    closed: "Màn hình lớp đã đóng.",
    notes: "Ghi chú cho giáo viên",
  },
  en: {
    projectorOpen: "Open the class screen (projector)",
    projectorFocus: "Go to the class screen",
    otherLang: "Tiếng Việt",
    results: "Show the class's results",
    show: "Show this step",
    link: "Link to this step",
    step: (n, count) => `Step ${n} of ${count}`,
    questions: (n) => (n ? `${n} question${n === 1 ? "" : "s"}` : "No questions"),
    waiting: "Opening the lesson…",
    noLesson: (id) => `There is no lesson “${id}”. The page's address needs ?lesson=… (a lesson's name).`,
    noProjector: "The class screen is not open. Press “Open the class screen” and drag that window to the projector.",
    blocked: "The browser blocked the new window: allow pop-ups for this page.",
    classAt: (n, count) => `The class screen is at step ${n} of ${count}.`,
    answers: (answered, right, total) => `The class has answered ${answered} of ${total} questions, ${right} right.`,
    done: (right, total) => `The class has finished: ${right} of ${total} right.`,
    closed: "The class screen was closed.",
    notes: "Notes for the teacher",
  },
};

/** What the page knows: the lesson's outline, where the class is, the class's answers. */
const lesson = { start: null, classStep: null, answered: 0, right: 0, done: false };
let projector = null;
let statusLine = "waiting";

const pick = (map) => (map && (map[lang] ?? map.vi ?? map.en ?? Object.values(map)[0])) || "";
const viewerUrl = (step, { preview = false } = {}) => {
  const url = new URL("viewer.html", location.href);
  url.searchParams.set("lesson", lessonId);
  // Only the class's own screen keeps learning records, not the teacher's preview.
  if (preview) url.searchParams.set("records", "off");
  if (step) url.searchParams.set("step", step);
  url.searchParams.set("lang", lang);
  return url.href;
};

function send(target, command) {
  // The viewer takes commands only from its parent frame or the window that opened it.
  target?.postMessage({ disan: 1, command }, location.origin);
}

function showStep(step) {
  send($("preview").contentWindow, { type: "lesson-step", step });
  if (projector && !projector.closed) {
    send(projector, { type: "lesson-step", step });
  } else {
    statusLine = "noProjector";
  }
  render();
}

function openProjector() {
  if (projector && !projector.closed) {
    projector.focus();
    return;
  }
  const current = lesson.classStep ?? lesson.start?.outline[0]?.id;
  // A class screen already open (this page was reloaded) is taken back as it is, not reloaded:
  // the class keeps its place and its answers.
  projector = window.open("", "disan-projector");
  if (!projector) {
    statusLine = "blocked";
  } else if (projector.location.href === "about:blank") {
    projector.location.href = viewerUrl(current);
  }
  render();
}

window.addEventListener("message", (e) => {
  if (e.origin !== location.origin || !e.data || e.data.disan !== 1 || !e.data.event) return;
  const event = e.data.event;
  const fromProjector = projector && e.source === projector;
  if (!fromProjector && e.source !== $("preview").contentWindow) return;
  switch (event.type) {
    case "lesson-start":
      // The outline comes from whichever viewer reads the lesson first; both read the same file.
      lesson.start = event;
      if (fromProjector) Object.assign(lesson, { answered: 0, right: 0, done: false });
      break;
    case "lesson-step":
      if (fromProjector) {
        lesson.classStep = event.step;
        statusLine = "classAt";
      }
      break;
    case "lesson-answer":
      if (fromProjector) {
        lesson.answered += 1;
        lesson.right += event.success ? 1 : 0;
        statusLine = "answers";
      }
      break;
    case "lesson-complete":
      if (fromProjector) {
        Object.assign(lesson, { answered: event.answered, right: event.right, done: true });
        statusLine = "done";
      }
      break;
    case "error":
      if (!lesson.start) statusLine = "noLesson";
      break;
    default:
      return;
  }
  render();
});

// A closed projector is noticed, so the teacher is not left pressing buttons that move nothing.
setInterval(() => {
  if (projector?.closed) {
    projector = null;
    statusLine = "closed";
    render();
  }
}, 1000);

function render() {
  const t = TEXT[lang];
  document.documentElement.lang = lang;
  const start = lesson.start;
  $("title").textContent = start ? pick(start.title) : (lessonId || "Disan");
  document.title = `${start ? pick(start.title) : "Disan"} · ${lang === "vi" ? "trang giáo viên" : "teacher's page"}`;
  $("projector").textContent = projector && !projector.closed ? t.projectorFocus : t.projectorOpen;
  $("lang").textContent = t.otherLang;
  $("results").textContent = t.results;
  const count = start?.steps ?? 0;
  const number = start?.outline.findIndex((s) => s.id === lesson.classStep) + 1;
  $("status").textContent = {
    waiting: () => t.waiting,
    noLesson: () => t.noLesson(lessonId),
    noProjector: () => t.noProjector,
    blocked: () => t.blocked,
    closed: () => t.closed,
    classAt: () => t.classAt(number, count),
    answers: () => `${t.classAt(number, count)} ${t.answers(lesson.answered, lesson.right, start?.questions ?? 0)}`,
    done: () => t.done(lesson.right, start?.questions ?? 0),
  }[statusLine]();
  const notes = $("lesson-notes");
  notes.hidden = !start || !pick(start.teacher_notes);
  if (start) notes.textContent = `${t.notes}: ${pick(start.teacher_notes)}`;
  if (!start) return;
  $("steps").replaceChildren(...start.outline.map((s, i) => {
    const item = document.createElement("li");
    item.className = "step";
    item.dataset.step = s.id;
    if (s.id === lesson.classStep) item.setAttribute("aria-current", "step");
    const heading = document.createElement("h2");
    heading.textContent = `${t.step(i + 1, count)} · ${t.questions(s.questions)}`;
    const text = document.createElement("p");
    text.textContent = pick(s.text);
    item.append(heading, text);
    if (pick(s.teacher_notes)) {
      const notes = document.createElement("p");
      notes.className = "notes";
      notes.textContent = pick(s.teacher_notes);
      item.append(notes);
    }
    const tools = document.createElement("div");
    tools.className = "tools";
    const show = document.createElement("button");
    show.type = "button";
    show.className = "show";
    show.textContent = t.show;
    show.addEventListener("click", () => showStep(s.id));
    // The deep link of one slide: opens the class's screen at this step (docs/lessons.md).
    const link = document.createElement("a");
    link.className = "button";
    link.href = viewerUrl(s.id);
    link.target = "_blank";
    link.textContent = t.link;
    tools.append(show, link);
    item.append(tools);
    return item;
  }));
}

$("projector").addEventListener("click", openProjector);
$("results").addEventListener("click", () => {
  if (projector && !projector.closed) send(projector, { type: "lesson-results" });
  else statusLine = "noProjector";
  render();
});
$("lang").addEventListener("click", () => {
  lang = lang === "vi" ? "en" : "vi";
  send($("preview").contentWindow, { type: "set-language", lang });
  if (projector && !projector.closed) send(projector, { type: "set-language", lang });
  render();
});

if (/^[a-z0-9][a-z0-9-]*$/.test(lessonId)) {
  $("preview").src = viewerUrl(null, { preview: true });
} else {
  statusLine = "noLesson";
}
render();
