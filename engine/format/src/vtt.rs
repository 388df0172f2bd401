//! WebVTT captions: the cue timings and text that tours show in sync with narration. Only
//! what captions need is read (cues, times, multi-line text); styling, regions, notes and cue
//! settings are skipped safely, and tags such as `<b>` or `<v Narrator>` are removed from text.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct Cue {
    /// Start and end in seconds from the start of the narration.
    pub start: f64,
    pub end: f64,
    /// Plain text; lines separated by `\n`.
    pub text: String,
    /// 1-based line of the cue's timing line in the file, for problems about the cue.
    pub line: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Captions {
    pub cues: Vec<Cue>,
}

impl Captions {
    /// The cues showing at `time` seconds (several may overlap), joined by new lines.
    pub fn text_at(&self, time: f64) -> Option<String> {
        let showing: Vec<&str> = self
            .cues
            .iter()
            .filter(|c| c.start <= time && time < c.end)
            .map(|c| c.text.as_str())
            .collect();
        (!showing.is_empty()).then(|| showing.join("\n"))
    }
    /// When the last cue ends.
    pub fn end(&self) -> f64 {
        self.cues.iter().map(|c| c.end).fold(0.0, f64::max)
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct VttError {
    /// 1-based line.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for VttError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Parses a WebVTT file. A cue with a bad timing line, one that does not end after it starts,
/// or one that starts before the cue above it is an error naming its line.
pub fn parse_vtt(text: &str) -> Result<Captions, VttError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    match lines.first() {
        Some(l) if *l == "WEBVTT" || l.starts_with("WEBVTT ") || l.starts_with("WEBVTT\t") => {}
        _ => {
            return Err(VttError {
                line: 1,
                message: "a WebVTT file must start with the line `WEBVTT`".into(),
            });
        }
    }
    let mut cues = Vec::new();
    let mut i = 1;
    while i < lines.len() {
        // Blocks are separated by blank lines.
        while i < lines.len() && lines[i].trim().is_empty() {
            i += 1;
        }
        if i >= lines.len() {
            break;
        }
        let block_start = i;
        let mut block_end = i;
        while block_end < lines.len() && !lines[block_end].trim().is_empty() {
            block_end += 1;
        }
        let block = &lines[block_start..block_end];
        i = block_end;
        let first = block[0];
        if first.starts_with("NOTE") || first.starts_with("STYLE") || first.starts_with("REGION") {
            continue;
        }
        // An optional cue identifier precedes the timing line.
        let (timing_index, timing) = match block.get(1) {
            Some(second) if !first.contains("-->") && second.contains("-->") => (1, *second),
            _ => (0, first),
        };
        let line_no = block_start + timing_index + 1;
        let Some((start, rest)) = timing.split_once("-->") else {
            return Err(VttError {
                line: line_no,
                message: format!(
                    "expected a timing line like `00:00:01.000 --> 00:00:04.000`, found `{timing}`"
                ),
            });
        };
        let end = rest.split_whitespace().next().unwrap_or("");
        let bad = |what: &str| VttError {
            line: line_no,
            message: format!("the {what} time is not `hh:mm:ss.ttt` or `mm:ss.ttt`"),
        };
        let start = parse_time(start.trim()).ok_or_else(|| bad("start"))?;
        let end = parse_time(end).ok_or_else(|| bad("end"))?;
        if end < start {
            return Err(VttError {
                line: line_no,
                message: "the cue ends before it starts: check its end time".into(),
            });
        }
        if end == start {
            return Err(VttError { line: line_no, message: "the cue ends the moment it starts, so it would never show: give it an end time after its start".into() });
        }
        if let Some(previous) = cues.last().filter(|p: &&Cue| start < p.start) {
            return Err(VttError {
                line: line_no,
                message: format!(
                    "this cue starts before the cue at line {} does: cues must be in time order, so move it up or fix its start time",
                    previous.line
                ),
            });
        }
        let text = block[timing_index + 1..]
            .iter()
            .map(|l| strip_tags(l))
            .collect::<Vec<_>>()
            .join("\n");
        cues.push(Cue {
            start,
            end,
            text,
            line: line_no,
        });
    }
    Ok(Captions { cues })
}

fn parse_time(s: &str) -> Option<f64> {
    let (hms, millis) = s.split_once('.')?;
    if millis.len() != 3 || !millis.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = hms.split(':').collect();
    let num = |p: &str| {
        if p.len() >= 2 && p.chars().all(|c| c.is_ascii_digit()) {
            p.parse::<f64>().ok()
        } else {
            None
        }
    };
    let (h, m, sec) = match parts.as_slice() {
        [m, s] => (0.0, num(m)?, num(s)?),
        [h, m, s] => (num(h)?, num(m)?, num(s)?),
        _ => return None,
    };
    if m >= 60.0 || sec >= 60.0 {
        return None;
    }
    Some(h * 3600.0 + m * 60.0 + sec + millis.parse::<f64>().ok()? / 1000.0)
}

/// Removes `<…>` tags and decodes the few entities WebVTT defines.
fn strip_tags(line: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "WEBVTT - Đình Hàng Kênh\n\nSTYLE\n::cue { color: yellow }\n\nNOTE made by espeak-ng\n\n1\n00:00.000 --> 00:03.500 line:90%\n<v Narrator>Chào mừng bạn</v>\nđến <b>đình Hàng Kênh</b>.\n\n00:00:03.500 --> 00:00:07.250\nNơi thờ Đức vương Ngô Quyền &amp; ...\n";

    #[test]
    fn reads_cues_timings_and_multiline_text() {
        let c = parse_vtt(SAMPLE).unwrap();
        assert_eq!(c.cues.len(), 2);
        assert_eq!(c.cues[0].start, 0.0);
        assert_eq!(c.cues[0].end, 3.5);
        assert_eq!(c.cues[0].text, "Chào mừng bạn\nđến đình Hàng Kênh.");
        assert_eq!(c.cues[1].text, "Nơi thờ Đức vương Ngô Quyền & ...");
        assert_eq!(
            c.text_at(3.49).as_deref(),
            Some("Chào mừng bạn\nđến đình Hàng Kênh.")
        );
        assert_eq!(
            c.text_at(3.5).as_deref(),
            Some("Nơi thờ Đức vương Ngô Quyền & ...")
        );
        assert_eq!(c.text_at(8.0), None);
        assert_eq!(c.end(), 7.25);
    }

    #[test]
    fn bad_files_name_the_line() {
        assert_eq!(parse_vtt("hello").unwrap_err().line, 1);
        let e = parse_vtt("WEBVTT\n\n00:01.000 --> 00:xx.000\ntext\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("end time"));
        assert!(
            parse_vtt("WEBVTT\n\n00:05.000 --> 00:01.000\ntext\n")
                .unwrap_err()
                .message
                .contains("before it starts")
        );
    }

    #[test]
    fn cues_record_their_line() {
        let c = parse_vtt(SAMPLE).unwrap();
        assert_eq!(c.cues[0].line, 9);
        assert_eq!(c.cues[1].line, 13);
    }

    #[test]
    fn cues_must_last_and_be_in_time_order() {
        let e = parse_vtt("WEBVTT\n\n00:02.000 --> 00:02.000\ntext\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("after its start"), "{e}");
        let e = parse_vtt(
            "WEBVTT\n\n00:02.000 --> 00:04.000\none\n\n2\n00:01.000 --> 00:03.000\ntwo\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 7);
        assert!(e.message.contains("cues must be in time order"), "{e}");
        assert!(e.message.contains("line 3"), "{e}");
        // Equal starts and overlapping cues are allowed (two speakers at once).
        let c = parse_vtt("WEBVTT\n\n00:01.000 --> 00:04.000\none\n\n00:01.000 --> 00:02.000\ntwo\n\n00:03.000 --> 00:05.000\nthree\n").unwrap();
        assert_eq!(c.cues.len(), 3);
    }
}
