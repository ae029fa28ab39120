//! What is looked up ([`Wanted`]) and where it lives in a symbol store.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::PdbIdentity;

/// Longest file name accepted from a dump (Windows' own `MAX_PATH` component limit).
const MAX_NAME: usize = 255;

/// A file a module needs: its PDB or its image.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Wanted {
    /// A PDB, by the file name its CodeView record names and its GUID and age.
    Pdb {
        /// File name (`ntdll.pdb`), already reduced to its last component.
        name: String,
        /// GUID and age.
        identity: PdbIdentity,
    },
    /// A PE image, by file name, `TimeDateStamp` and `SizeOfImage`.
    Image {
        /// File name (`ntdll.dll`), already reduced to its last component.
        name: String,
        /// `IMAGE_FILE_HEADER.TimeDateStamp`.
        time_date_stamp: u32,
        /// `IMAGE_OPTIONAL_HEADER.SizeOfImage`.
        size_of_image: u32,
    },
}

/// The last component of a path recorded in a dump (`C:\build\app.pdb` -> `app.pdb`), or
/// `None` when it is empty, `.`/`..`, too long, or holds characters no store file name may
/// hold (controls, `:`, `*`, `?`, `"`, `<`, `>`, `|`). Names come from untrusted dumps and
/// become parts of local paths and URLs: this is what keeps them one component long.
pub fn store_file_name(recorded: &str) -> Option<&str> {
    let name = recorded.rsplit(['\\', '/']).next()?.trim();
    let bad = |c: char| c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|');
    (!name.is_empty()
        && name != "."
        && name != ".."
        && name.len() <= MAX_NAME
        && !name.chars().any(bad))
    .then_some(name)
}

impl Wanted {
    /// A PDB; `None` when `recorded` has no usable file name ([`store_file_name`]).
    pub fn pdb(recorded: &str, identity: PdbIdentity) -> Option<Self> {
        Some(Wanted::Pdb {
            name: store_file_name(recorded)?.to_string(),
            identity,
        })
    }

    /// An image; `None` when `recorded` has no usable file name ([`store_file_name`]).
    pub fn image(recorded: &str, time_date_stamp: u32, size_of_image: u32) -> Option<Self> {
        Some(Wanted::Image {
            name: store_file_name(recorded)?.to_string(),
            time_date_stamp,
            size_of_image,
        })
    }

    /// The file name.
    pub fn name(&self) -> &str {
        match self {
            Wanted::Pdb { name, .. } | Wanted::Image { name, .. } => name,
        }
    }

    /// The store key: `GUIDAGE` for a PDB ([`PdbIdentity::store_key`]), `TIMESTAMPSIZE` for an
    /// image (`%08X%x`, as symstore writes it).
    pub fn key(&self) -> String {
        match self {
            Wanted::Pdb { identity, .. } => identity.store_key(),
            Wanted::Image {
                time_date_stamp,
                size_of_image,
                ..
            } => image_key(*time_date_stamp, *size_of_image),
        }
    }

    /// The compressed name: the last character replaced by `_` (`ntdll.pdb` -> `ntdll.pd_`).
    pub fn compressed_name(&self) -> String {
        compressed_name(self.name())
    }

    /// The path of the file inside a store, with `/` separators: `name/KEY/name`, or
    /// `na/name/KEY/name` in a two-tier store (one with `index2.txt` at its root).
    pub fn store_path(&self, two_tier: bool) -> String {
        self.store_path_of(self.name(), two_tier)
    }

    /// [`Wanted::store_path`] with `file` as the last component (`file.ptr`, `name.pd_`).
    pub fn store_path_of(&self, file: &str, two_tier: bool) -> String {
        let name = self.name();
        let key = self.key();
        if two_tier {
            format!("{}/{name}/{key}/{file}", two_tier_prefix(name))
        } else {
            format!("{name}/{key}/{file}")
        }
    }

    /// [`Wanted::store_path_of`] under a local store directory.
    pub fn local_path(&self, store: &Path, file: &str, two_tier: bool) -> PathBuf {
        let mut p = store.to_path_buf();
        for part in self.store_path_of(file, two_tier).split('/') {
            p.push(part);
        }
        p
    }
}

/// The image store key: `TimeDateStamp` as `%08X` and `SizeOfImage` as `%x`.
pub fn image_key(time_date_stamp: u32, size_of_image: u32) -> String {
    format!("{time_date_stamp:08X}{size_of_image:x}")
}

/// `ntdll.pdb` -> `ntdll.pd_`.
fn compressed_name(name: &str) -> String {
    let mut s: String = name.to_string();
    s.pop();
    s.push('_');
    s
}

/// The intermediate folder of a two-tier store: the first two characters of the name.
fn two_tier_prefix(name: &str) -> &str {
    match name.char_indices().nth(2) {
        Some((i, _)) => name.get(..i).unwrap_or(name),
        None => name,
    }
}

impl fmt::Display for Wanted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.name(), self.key())
    }
}
