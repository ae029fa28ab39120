//! Progress on stderr for passes that can take more than a second: one line, redrawn at most
//! ten times a second, cleared when the pass ends. Shown only when stderr is a terminal, and
//! never with `--quiet` or with `--json` into a pipe (the CLI decides, [`Progress::with`]).

use std::cell::Cell;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use ntheap::{BlockSource, Entry, Segment, UncommittedRange, WalkVisitor};

use crate::report::human_size;

/// Whether a command shows progress: stderr is a terminal, no `--quiet`, and no `--json`
/// going into a pipe or file.
pub fn wanted(quiet: bool, json: bool) -> bool {
    !quiet && std::io::stderr().is_terminal() && (!json || std::io::stdout().is_terminal())
}

/// Least time between two redraws.
const EVERY: Duration = Duration::from_millis(100);

/// Progress on stderr.
#[derive(Debug)]
pub struct Progress {
    /// Whether anything is shown.
    pub on: bool,
    last: Cell<Option<Instant>>,
}

impl Progress {
    /// Progress shown when stderr is a terminal.
    pub fn new() -> Self {
        Self::with(std::io::stderr().is_terminal())
    }

    /// Progress shown when `on` (and never otherwise).
    pub fn with(on: bool) -> Self {
        Self {
            on,
            last: Cell::new(None),
        }
    }

    /// No progress.
    pub fn off() -> Self {
        Self::with(false)
    }

    /// Shows one step now.
    pub fn step(&self, what: &str) {
        if self.on {
            self.last.set(Some(Instant::now()));
            let _ = write!(std::io::stderr(), "\r\x1b[2K{what}");
        }
    }

    /// Shows `what()` unless the line was redrawn less than 100 ms ago.
    pub fn tick(&self, what: impl FnOnce() -> String) {
        if !self.on {
            return;
        }
        let now = Instant::now();
        if self
            .last
            .get()
            .is_some_and(|t| now.saturating_duration_since(t) < EVERY)
        {
            return;
        }
        self.step(&what());
    }

    /// Clears the line.
    pub fn done(&self) {
        if self.on {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

/// A [`WalkVisitor`] that shows how far the walk of one heap is (heap N of M, segment, bytes
/// walked of the segments' committed bytes, rate) and hands every block on to `inner`.
pub struct HeapWalkProgress<'p, V> {
    /// The visitor doing the work.
    pub inner: V,
    progress: &'p Progress,
    label: String,
    segment: (usize, usize),
    total: u64,
    done: u64,
    blocks: u32,
    start: Instant,
}

impl<V> std::fmt::Debug for HeapWalkProgress<'_, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeapWalkProgress")
            .field("label", &self.label)
            .field("segment", &self.segment)
            .field("done", &self.done)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl<'p, V> HeapWalkProgress<'p, V> {
    /// Progress of the walk of heap `index` (from 0) of `count`, at `address`.
    pub fn new(progress: &'p Progress, index: usize, count: usize, address: u64, inner: V) -> Self {
        let label = format!(
            "walking heap {} of {count} ({address:#x})",
            index.saturating_add(1)
        );
        progress.step(&label);
        Self {
            inner,
            progress,
            label,
            segment: (0, 0),
            total: 0,
            done: 0,
            blocks: 0,
            start: Instant::now(),
        }
    }

    fn show(&self) {
        self.progress.tick(|| {
            let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
            let rate = match self.done.saturating_mul(1000).checked_div(ms) {
                Some(r) => format!(", {}/s", human_size(r)),
                None => String::new(),
            };
            format!(
                "{}: segment {} of {}, {} of {}{rate}",
                self.label,
                self.segment.0,
                self.segment.1,
                human_size(self.done),
                human_size(self.total)
            )
        });
    }
}

impl<V: WalkVisitor> WalkVisitor for HeapWalkProgress<'_, V> {
    fn segment(&mut self, index: usize, segments: &[Segment]) {
        if index == 0 {
            self.total = segments
                .iter()
                .fold(0u64, |a, s| a.saturating_add(s.committed_bytes()));
        }
        self.segment = (index.saturating_add(1), segments.len());
        self.show();
        self.inner.segment(index, segments);
    }

    fn block(&mut self, entry: &Entry, source: BlockSource<'_>) {
        if matches!(source, BlockSource::Segment { .. }) {
            self.done = self.done.saturating_add(entry.size);
        }
        self.blocks = self.blocks.wrapping_add(1);
        if self.blocks.is_multiple_of(4096) {
            self.show();
        }
        self.inner.block(entry, source);
    }

    fn uncommitted(&mut self, index: usize, range: &UncommittedRange) {
        self.inner.uncommitted(index, range);
    }
}
