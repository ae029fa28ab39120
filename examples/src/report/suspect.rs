//! The ranked suspects every leak investigation ends with, user (a heap and a block size) or
//! kernel (a driver, with its tag, function and the process holding the objects): one shape,
//! numbered and printed the same way.

use std::io::{self, Write};

use serde::Serialize;

/// A suspect: its rank, what it is (the investigation's own key, flattened into the JSON),
/// how many allocations or objects and how many bytes, and the evidence, one line each.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Suspect<W> {
    /// Rank, from 1 (most likely).
    pub rank: u64,
    /// What is suspected.
    #[serde(flatten)]
    pub what: W,
    /// Allocations or objects.
    pub count: u64,
    /// Bytes.
    pub bytes: u64,
    /// One line per piece of evidence.
    pub evidence: Vec<String>,
}

impl<W> Suspect<W> {
    /// A suspect not ranked yet (see [`rank_in_order`]).
    pub fn new(what: W, count: u64, bytes: u64, evidence: Vec<String>) -> Self {
        Suspect {
            rank: 0,
            what,
            count,
            bytes,
            evidence,
        }
    }
}

/// Numbers the suspects 1, 2, ... in the order given.
pub fn rank_in_order<W>(suspects: &mut [Suspect<W>]) {
    for (i, s) in (1u64..).zip(suspects.iter_mut()) {
        s.rank = i;
    }
}

/// The `Suspects` block of a report: each suspect's headline (`head`), then its evidence
/// indented under it; `none` when there is none.
pub fn write_suspects<W>(
    out: &mut dyn Write,
    suspects: &[Suspect<W>],
    head: impl Fn(&Suspect<W>) -> String,
) -> io::Result<()> {
    writeln!(out, "Suspects")?;
    if suspects.is_empty() {
        writeln!(out, "  none")?;
    }
    for s in suspects {
        writeln!(out, "  {}", head(s))?;
        for e in &s.evidence {
            writeln!(out, "     - {e}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Serialize, PartialEq, Eq)]
    struct Key {
        heap: u64,
    }

    #[test]
    fn ranked_flattened_and_printed() {
        let mut v = vec![
            Suspect::new(Key { heap: 1 }, 2, 3, vec!["a".into()]),
            Suspect::new(Key { heap: 4 }, 5, 6, Vec::new()),
        ];
        rank_in_order(&mut v);
        assert_eq!((v[0].rank, v[1].rank), (1, 2));
        assert_eq!(
            serde_json::to_string(&v[0]).unwrap(),
            r#"{"rank":1,"heap":1,"count":2,"bytes":3,"evidence":["a"]}"#
        );
        let mut out = Vec::new();
        write_suspects(&mut out, &v, |s| {
            format!("#{} heap {}", s.rank, s.what.heap)
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Suspects\n  #1 heap 1\n     - a\n  #2 heap 4\n"
        );
        let mut out = Vec::new();
        write_suspects::<Key>(&mut out, &[], |_| String::new()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "Suspects\n  none\n");
    }
}
