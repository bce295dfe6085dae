//! The sweep's progress: a bar with ETA on a terminal, one line per finished cell otherwise.
#![allow(clippy::print_stderr)]

use indicatif::{ProgressBar, ProgressStyle};

/// Shows the sweep's progress: a bar with ETA on a terminal, else one line per finished cell.
pub struct Progress {
    bar: ProgressBar,
    quiet: bool,
}

impl Progress {
    /// Progress over `total` cells.
    pub fn new(total: usize, quiet: bool) -> Self {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(total as u64)
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:32}] {pos}/{len} cells · ETA {eta} · {msg}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        Self { bar, quiet }
    }

    /// Counts a finished cell, described by `what`, that took `seconds`.
    pub fn finished(&self, what: &str, seconds: f64) {
        self.bar.inc(1);
        if self.bar.is_hidden() && !self.quiet {
            let position = self.bar.position();
            let total = self.bar.length().unwrap_or(0);
            eprintln!("mangen: [{position}/{total}] {what} ({seconds:.2} s)");
        } else {
            self.bar.set_message(what.to_string());
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
