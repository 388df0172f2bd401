//! `disan usage-collect`: the receiving end of the browser viewer's anonymous usage counters.
//! A page whose site turns them on (`<meta name="disan-usage">`, docs/kiosk.md) sends its
//! records in batches; this appends them to a usage log in the kiosk's format, so that
//! `disan report` sums kiosks and web pages together.
//!
//! What it takes: `POST /usage` with JSON lines (`text/plain`, as `navigator.sendBeacon` sends
//! them, so a browser needs no CORS preflight), at most 64 KiB and 500 records a request, every
//! line a usage record of `kiosk: "web"` with a readable date. A request with one bad line is
//! refused whole (nothing of it is written), so the log holds only what `report` can read.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use disan_kiosk::usage::{UsageLog, UsageRecord};

/// The most a request may carry: a visit's records are a few hundred bytes each.
const MAX_BODY: u64 = 64 * 1024;
const MAX_RECORDS: usize = 500;

#[derive(Debug, Clone)]
pub struct CollectArgs {
    /// Address and port to listen on (`127.0.0.1:8787`; behind the site's web server).
    pub listen: String,
    /// The usage log appended to.
    pub out: PathBuf,
    /// The sites whose pages may send (their `Origin`); empty: any.
    pub origins: Vec<String>,
}

pub fn parse(args: Vec<String>) -> Result<crate::cli::Command, String> {
    let mut it = args.into_iter();
    let (mut listen, mut out, mut origins) = (None, None, Vec::new());
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--listen" => listen = Some(value("--listen")?),
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--origin" => {
                let origin = value("--origin")?;
                if !(origin.starts_with("https://") || origin.starts_with("http://"))
                    || origin.ends_with('/')
                {
                    return Err(format!(
                        "--origin is a site as a browser names it (https://portal.haiphong.gov.vn, no path), not \"{origin}\""
                    ));
                }
                origins.push(origin);
            }
            other => return Err(format!("unknown argument \"{other}\" for usage-collect")),
        }
    }
    Ok(crate::cli::Command::UsageCollect(CollectArgs {
        listen: listen.unwrap_or_else(|| "127.0.0.1:8787".to_owned()),
        out: out.ok_or("usage-collect needs --out FILE, the usage log to append to")?,
        origins,
    }))
}

pub fn run(args: CollectArgs) -> ExitCode {
    let server = match tiny_http::Server::http(&args.listen) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("disan usage-collect: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(69);
        }
    };
    let log = UsageLog::new(&args.out);
    // Tests and service managers read the address from this line; keep its wording.
    println!(
        "disan usage-collect: listening on http://{}/usage, appending to {}",
        server.server_addr(),
        args.out.display()
    );
    for mut request in server.incoming_requests() {
        let (status, message) = answer(&mut request, &log, &args.origins);
        if status >= 400 {
            eprintln!("disan usage-collect: {status} {message}");
        }
        let mut response = tiny_http::Response::from_string(message).with_status_code(status);
        if let Some(origin) = allowed_origin(&request, &args.origins) {
            response.add_header(header("Access-Control-Allow-Origin", &origin));
            response.add_header(header("Access-Control-Allow-Methods", "POST"));
            response.add_header(header("Access-Control-Allow-Headers", "Content-Type"));
            response.add_header(header("Vary", "Origin"));
        }
        let _ = request.respond(response);
    }
    ExitCode::SUCCESS
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("plain ASCII header")
}

fn origin_of(request: &tiny_http::Request) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Origin"))
        .map(|h| h.value.as_str().to_owned())
}

/// The request's origin, when it may send.
fn allowed_origin(request: &tiny_http::Request, origins: &[String]) -> Option<String> {
    let origin = origin_of(request)?;
    (origins.is_empty() || origins.contains(&origin)).then_some(origin)
}

fn answer(request: &mut tiny_http::Request, log: &UsageLog, origins: &[String]) -> (u16, String) {
    if request.url() != "/usage" {
        return (404, format!("{}: the counters go to /usage", request.url()));
    }
    if *request.method() == tiny_http::Method::Options {
        return (204, String::new());
    }
    if *request.method() != tiny_http::Method::Post {
        return (405, "send the counters with POST".to_owned());
    }
    if !origins.is_empty() && allowed_origin(request, origins).is_none() {
        return (
            403,
            format!(
                "pages of {} may not send counters here (--origin lists who may)",
                origin_of(request).unwrap_or_else(|| "an unnamed site".to_owned())
            ),
        );
    }
    let mut body = Vec::new();
    if let Err(e) = request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
    {
        return (400, format!("the request could not be read: {e}"));
    }
    if body.len() as u64 > MAX_BODY {
        return (
            413,
            format!("more than {} KiB in one request", MAX_BODY / 1024),
        );
    }
    let records = match read_batch(&body) {
        Ok(r) => r,
        Err(why) => return (400, why),
    };
    match log.append_all(&records) {
        Ok(()) => (204, String::new()),
        Err(e) => (
            500,
            format!(
                "{}: could not append ({e}); check the disk and the file's permissions",
                log.path().display()
            ),
        ),
    }
}

/// The records of one request, all or none.
fn read_batch(body: &[u8]) -> Result<Vec<UsageRecord>, String> {
    let mut records = Vec::new();
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record: UsageRecord = serde_json::from_slice(line)
            .map_err(|e| format!("line {}: not a usage record ({e})", i + 1))?;
        if record.kiosk != "web" {
            return Err(format!(
                "line {}: a page's records say kiosk \"web\", not \"{}\" (kiosks keep their own logs)",
                i + 1,
                record.kiosk
            ));
        }
        if disan_kiosk::report::record_date(&record).is_none() {
            return Err(format!(
                "line {}: `at` is not a date and time (RFC 3339): \"{}\"",
                i + 1,
                record.at
            ));
        }
        records.push(record);
        if records.len() > MAX_RECORDS {
            return Err(format!("more than {MAX_RECORDS} records in one request"));
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_taken_whole_or_refused_whole() {
        let good = r#"{"at":"2026-12-02T09:00:00.000+07:00","kiosk":"web","session":1,"event":"view","exhibit":"trong-dong","lang":"vi"}"#;
        let records = read_batch(format!("{good}\n{good}\n").as_bytes()).unwrap();
        assert_eq!(records.len(), 2);
        let forged = good.replace("\"web\"", "\"sanh-chinh\"");
        let err = read_batch(format!("{good}\n{forged}\n").as_bytes()).unwrap_err();
        assert!(
            err.starts_with("line 2:") && err.contains("sanh-chinh"),
            "{err}"
        );
        let undated = good.replace("2026-12-02T09", "yesterday");
        assert!(read_batch(undated.as_bytes()).unwrap_err().contains("`at`"));
        assert!(
            read_batch(b"{not json")
                .unwrap_err()
                .starts_with("line 1: not a usage record")
        );
    }
}
