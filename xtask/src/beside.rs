//! Builds that run beside the tests, on the CPU time the tests leave (`cargo xtask test`).
//!
//! The test command builds Bevy four times over (native, the WebGL2 and WebGPU engines for the
//! browser, Windows) and runs about 25 minutes of tests, which at times wait on frames,
//! downloads, timers and video clocks, as do the builds' serial stretches (a link, a last big
//! crate). Run one after another, a cold run took 98 minutes on the 2-core builder; with this,
//! about 85 (README.md: the tests keep the cores busier than hoped). The builds the tests do not
//! need yet run here, one after another in a thread of their own, under Linux's idle scheduling class
//! (`chrt --idle`): the kernel gives them only the time nothing else wants, so the tests keep
//! their pace, and the builds are mostly done by the time the foreground needs them. When the
//! foreground catches up with a build it waits for it ([`Beside::wait`]); the build then has
//! the machine to itself.
//!
//! Each step's output goes to `target/beside/<step>.log`; a failure quotes its tail.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

/// One named piece of work: its commands run in order, the first failure ends the step and
/// every step after it (they build on each other).
pub struct Step {
    pub name: &'static str,
    pub commands: Vec<Command>,
}

/// What a step came to: done, or why it failed.
type Outcome = Result<(), String>;

/// The builds running beside the foreground. Dropping it stops what is still running.
pub struct Beside {
    reports: Receiver<(&'static str, Outcome)>,
    reported: HashMap<&'static str, Outcome>,
    /// The process group of the command now running (its pid), to stop it with its children.
    running: Arc<Mutex<Option<u32>>>,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Beside {
    /// Starts the steps, in order, at idle priority.
    pub fn start(steps: Vec<Step>) -> Beside {
        let logs = log_dir();
        let _ = std::fs::create_dir_all(&logs);
        let names: Vec<&str> = steps.iter().map(|s| s.name).collect();
        println!(
            "xtask: beside the tests, at idle priority: {} (logs in {})",
            names.join(", then "),
            logs.display()
        );
        let (tell, reports) = channel();
        let running = Arc::new(Mutex::new(None));
        let stopping = Arc::new(AtomicBool::new(false));
        let thread = {
            let running = Arc::clone(&running);
            let stopping = Arc::clone(&stopping);
            std::thread::spawn(move || {
                for step in steps {
                    let outcome = run_step(step.name, step.commands, &running, &stopping);
                    let failed = outcome.is_err();
                    if tell.send((step.name, outcome)).is_err() || failed {
                        return;
                    }
                }
            })
        };
        Beside {
            reports,
            reported: HashMap::new(),
            running,
            stopping,
            thread: Some(thread),
        }
    }

    /// Waits until the step `name` has finished; its error, or the error of a step before it
    /// that stopped the queue.
    pub fn wait(&mut self, name: &'static str) -> Result<(), String> {
        let waiting = Instant::now();
        let mut said = false;
        loop {
            if let Some(outcome) = self.reported.get(name) {
                if said {
                    println!(
                        "xtask: waited {:.0} s for `{name}` beside the tests",
                        waiting.elapsed().as_secs_f64()
                    );
                }
                return outcome.clone();
            }
            if let Some((failed, Err(e))) = self.reported.iter().find(|(_, o)| o.is_err()) {
                return Err(format!(
                    "`{name}` did not run: `{failed}` before it failed: {e}"
                ));
            }
            if !said {
                println!("xtask: waiting for `{name}` beside the tests to finish");
                said = true;
            }
            match self.reports.recv() {
                Ok((step, outcome)) => {
                    self.reported.insert(step, outcome);
                }
                Err(_) => return Err(format!("`{name}` is not among the steps beside the tests")),
            }
        }
    }
}

impl Drop for Beside {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(pid) = *self.running.lock().expect("not poisoned") {
            // The whole group: cargo and the compilers it started.
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{pid}")])
                .status();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn log_dir() -> PathBuf {
    crate::setup::target_dir().join("beside")
}

fn run_step(
    name: &'static str,
    commands: Vec<Command>,
    running: &Mutex<Option<u32>>,
    stopping: &AtomicBool,
) -> Outcome {
    let started = Instant::now();
    let file_name: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let log_path = log_dir().join(format!("{file_name}.log"));
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    for command in commands {
        if stopping.load(Ordering::SeqCst) {
            return Err("stopped".into());
        }
        let shown = format!("{command:?}");
        let mut idle = at_idle_priority(&command);
        idle.process_group(0)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log.try_clone().map_err(|e| e.to_string())?);
        let mut child = idle
            .spawn()
            .map_err(|e| format!("could not start {shown}: {e}"))?;
        *running.lock().expect("not poisoned") = Some(child.id());
        let exit = child.wait();
        *running.lock().expect("not poisoned") = None;
        match exit {
            Ok(s) if s.success() => {}
            Ok(s) => {
                return Err(format!(
                    "{shown} failed ({s}); the end of {}:\n{}",
                    log_path.display(),
                    tail(&log_path, 40)
                ));
            }
            Err(e) => return Err(format!("{shown}: {e}")),
        }
    }
    println!(
        "xtask: `{name}` finished beside the tests in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The same command under the idle scheduling class (its children inherit it); `nice` where
/// `chrt` is missing.
fn at_idle_priority(command: &Command) -> Command {
    let chrt = Command::new("chrt").arg("--version").output().is_ok();
    let mut runner = if chrt {
        Command::new("chrt")
    } else {
        Command::new("nice")
    };
    runner.args(if chrt { ["--idle", "0"] } else { ["-n", "19"] });
    crate::run_under(runner, command)
}

fn tail(path: &std::path::Path, lines: usize) -> String {
    let Ok(file) = std::fs::File::open(path) else {
        return String::new();
    };
    let all: Vec<String> = BufReader::new(file).lines().map_while(Result::ok).collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_beside_keeps_its_environment_and_folder_and_runs_at_idle_priority() {
        let mut probe = Command::new("sh");
        probe
            .args(["-c", "echo \"$BESIDE_PROBE\"; pwd; chrt -p $$"])
            .env("BESIDE_PROBE", "kept")
            .current_dir("/tmp");
        let out = at_idle_priority(&probe).output().expect("sh runs");
        let said = String::from_utf8_lossy(&out.stdout);
        let mut lines = said.lines();
        assert_eq!(lines.next(), Some("kept"), "{said}");
        assert_eq!(lines.next(), Some("/tmp"), "{said}");
        assert!(said.contains("SCHED_IDLE"), "{said}");
    }

    #[test]
    fn a_failed_step_stops_the_queue_and_every_later_wait_says_which_and_why() {
        let sh = |script: &str| {
            let mut c = Command::new("sh");
            c.args(["-c", script]);
            c
        };
        let mut beside = Beside::start(vec![
            Step {
                name: "beside-test-first",
                commands: vec![sh("true")],
            },
            Step {
                name: "beside-test-broken",
                commands: vec![sh("echo the compiler said no; exit 3")],
            },
            Step {
                name: "beside-test-after",
                commands: vec![sh("true")],
            },
        ]);
        assert_eq!(beside.wait("beside-test-first"), Ok(()));
        let after = beside.wait("beside-test-after").unwrap_err();
        assert!(after.contains("beside-test-broken"), "{after}");
        assert!(after.contains("the compiler said no"), "{after}");
        assert!(beside.wait("beside-test-broken").is_err());
    }
}
