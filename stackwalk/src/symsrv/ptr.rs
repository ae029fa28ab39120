//! `file.ptr`: a store entry that points elsewhere instead of holding the file.
//!
//! symstore writes `file.ptr` (instead of the file) when a store indexes files left in place:
//! its text is `PATH:<where the file is>`, or `MSG:<text>` when the file is withheld.

/// Largest `file.ptr` read; real ones are one line.
pub const MAX_POINTER_BYTES: u64 = 4096;

/// What a `file.ptr` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pointer {
    /// `PATH:...`: the file is there (a path, a UNC path, or a URL).
    Path(String),
    /// `MSG:...`: a message instead of the file (for example "withheld").
    Message(String),
}

impl Pointer {
    /// Parses the text of a `file.ptr`; `None` when it is neither `PATH:` nor `MSG:` (or the
    /// path is empty).
    pub fn parse(bytes: &[u8]) -> Option<Pointer> {
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim_start_matches('\u{feff}');
        let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
        let (tag, rest) = line.split_once(':')?;
        let rest = rest.trim();
        match tag.trim().to_ascii_uppercase().as_str() {
            "PATH" if !rest.is_empty() => Some(Pointer::Path(rest.to_string())),
            "MSG" => Some(Pointer::Message(rest.to_string())),
            _ => None,
        }
    }
}
