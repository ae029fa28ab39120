//! [`Lookup`]: what one lookup tried and what came of it, for `lm`-like symbol status.

use std::fmt;
use std::path::PathBuf;

use super::Wanted;

/// What one place on the symbol path answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// The file is here (already verified: GUID and age, or timestamp and size).
    Found(PathBuf),
    /// Not in this folder or store.
    NotInStore,
    /// The server answered 404 for the file, its compressed form and its `file.ptr`.
    ServerMissing,
    /// The server said 404 earlier in this run; not asked again.
    KnownMissing,
    /// A server that was not contacted because the locator is offline.
    Offline,
    /// A `file.ptr` with `MSG:` instead of a path.
    Message(String),
    /// Something failed here (I/O, network, a corrupt CAB, a file whose identity is not the
    /// one wanted); the lookup went on with the next place.
    Failed(String),
}

/// One place tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The folder, store or server URL.
    pub place: String,
    /// What it answered.
    pub answer: Answer,
}

/// How a found file got where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// It was already there (a folder, a store or a cache).
    Local,
    /// Expanded from a CAB-compressed store entry (`name.pd_`).
    Expanded,
    /// Copied from a later store of a `srv*` chain into its downstream store.
    Copied,
    /// Downloaded from a symbol server (possibly compressed, possibly through `file.ptr`).
    Downloaded,
}

/// The summary of a lookup: where the file is, or the one reason it is not there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Found.
    Found(PathBuf),
    /// No folder or store has it, and no server was on the path.
    NotFound,
    /// No folder or store has it, and the servers said 404 (now or earlier in the run).
    ServerMissing,
    /// Not found locally, and a server that might have it was not asked (offline).
    Offline,
    /// Not found, and some place failed (the first failure).
    Failed(String),
    /// Not found; a `file.ptr` said this instead.
    Message(String),
}

/// Everything one lookup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// What was looked for.
    pub wanted: Wanted,
    /// Where it was found, and how it got there.
    pub found: Option<(PathBuf, Origin)>,
    /// Every place tried, in order.
    pub attempts: Vec<Attempt>,
}

impl Lookup {
    /// The file, when found.
    pub fn path(&self) -> Option<&PathBuf> {
        self.found.as_ref().map(|(p, _)| p)
    }

    /// Where it was found, or the main reason it was not: a failure first, then a `file.ptr`
    /// message, then a server's 404, then an unasked (offline) server, else "not found".
    pub fn status(&self) -> Status {
        if let Some((p, _)) = &self.found {
            return Status::Found(p.clone());
        }
        let answers = || self.attempts.iter().map(|a| &a.answer);
        if let Some(Answer::Failed(m)) = answers().find(|a| matches!(a, Answer::Failed(_))) {
            return Status::Failed(m.clone());
        }
        if let Some(Answer::Message(m)) = answers().find(|a| matches!(a, Answer::Message(_))) {
            return Status::Message(m.clone());
        }
        if self.server_said_missing() {
            return Status::ServerMissing;
        }
        if answers().any(|a| matches!(a, Answer::Offline)) {
            return Status::Offline;
        }
        Status::NotFound
    }

    /// True when some server said 404 (now or earlier in the run).
    pub fn server_said_missing(&self) -> bool {
        self.attempts
            .iter()
            .any(|a| matches!(a.answer, Answer::ServerMissing | Answer::KnownMissing))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Found(p) => write!(f, "{}", p.display()),
            Status::NotFound => f.write_str("not in any store"),
            Status::ServerMissing => f.write_str("server said 404"),
            Status::Offline => f.write_str("not in any local store (offline)"),
            Status::Failed(m) => write!(f, "error: {m}"),
            Status::Message(m) => write!(f, "withheld: {m}"),
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Found(p) => write!(f, "found {}", p.display()),
            Answer::NotInStore => f.write_str("not there"),
            Answer::ServerMissing => f.write_str("server said 404"),
            Answer::KnownMissing => f.write_str("server said 404 earlier"),
            Answer::Offline => f.write_str("not asked (offline)"),
            Answer::Message(m) => write!(f, "file.ptr: {m}"),
            Answer::Failed(m) => write!(f, "error: {m}"),
        }
    }
}
