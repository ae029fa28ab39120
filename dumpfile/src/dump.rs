//! [`Dump`]: a user-mode minidump or a kernel crash dump, told apart by the signature.

use std::io::Read;
use std::path::Path;

use crate::{Error, KernelDump, Minidump};

/// Any Windows dump this crate reads.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Dump {
    /// A user-mode minidump (`MDMP`).
    User(Minidump),
    /// A kernel crash dump (`PAGEDUMP`/`PAGEDU64`).
    Kernel(KernelDump),
}

fn is_kernel(head: &[u8]) -> bool {
    head.get(..8)
        .is_some_and(|h| h == b"PAGEDUMP" || h == b"PAGEDU64")
}

impl Dump {
    /// Opens (memory-maps) the file at `path` as whichever kind of dump it is.
    pub fn open(path: impl AsRef<Path>) -> Result<Dump, Error> {
        let path = path.as_ref();
        let mut head = [0u8; 8];
        let mut f = std::fs::File::open(path)?;
        let n = f.read(&mut head)?;
        if is_kernel(head.get(..n).unwrap_or(&[])) {
            KernelDump::open(path).map(Dump::Kernel)
        } else {
            Minidump::open(path).map(Dump::User)
        }
    }

    /// Reads a dump of either kind from owned bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Dump, Error> {
        if is_kernel(&bytes) {
            KernelDump::from_bytes(bytes).map(Dump::Kernel)
        } else {
            Minidump::from_bytes(bytes).map(Dump::User)
        }
    }

    /// The kernel dump, if it is one.
    pub fn as_kernel(&self) -> Option<&KernelDump> {
        match self {
            Dump::Kernel(k) => Some(k),
            Dump::User(_) => None,
        }
    }

    /// The user-mode minidump, if it is one.
    pub fn as_user(&self) -> Option<&Minidump> {
        match self {
            Dump::User(m) => Some(m),
            Dump::Kernel(_) => None,
        }
    }
}
