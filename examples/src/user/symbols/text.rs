//! `dumpscope symbols` as text: `lm`-like rows, then the image and PDB of each module.

use std::io::{self, Write};

use super::{FileStatus, Report};
use crate::report::{Text, addr};

fn line(out: &mut dyn Write, what: &str, f: &FileStatus) -> io::Result<()> {
    let answer = match (f.status, &f.path, &f.detail) {
        ("found", Some(p), _) => p.clone(),
        ("not_found", _, _) => "not in any store".to_string(),
        ("server_missing", _, _) => "not found (server said 404)".to_string(),
        ("offline", _, _) => "not found locally (offline: servers not asked)".to_string(),
        ("withheld", _, Some(m)) => format!("withheld: {m}"),
        (_, _, Some(m)) => format!("error: {m}"),
        (s, _, _) => s.to_string(),
    };
    writeln!(out, "    {what:<5} {} {}  {answer}", f.file, f.key)
}

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.symbol_path.is_empty() {
            writeln!(
                out,
                "Symbol path: (none: give --symbol-path or set _NT_SYMBOL_PATH, e.g. \
                 srv*CACHE*https://msdl.microsoft.com/download/symbols)"
            )?;
        } else {
            writeln!(out, "Symbol path: {}", self.symbol_path)?;
        }
        let found = |f: &Option<FileStatus>| f.as_ref().is_some_and(|f| f.status == "found");
        writeln!(
            out,
            "{} of {} images and {} of {} PDBs found",
            self.modules.iter().filter(|m| found(&m.image)).count(),
            self.modules.iter().filter(|m| m.image.is_some()).count(),
            self.modules.iter().filter(|m| found(&m.pdb)).count(),
            self.modules.iter().filter(|m| m.pdb.is_some()).count(),
        )?;
        if let Some(k) = &self.kernel_symbols {
            match (&k.file, &k.missing) {
                (Some(f), _) => writeln!(out, "Kernel symbols: {f}")?,
                (None, Some(m)) => writeln!(out, "Kernel symbols: none ({m})")?,
                (None, None) => writeln!(out, "Kernel symbols: none")?,
            }
        }
        writeln!(out)?;
        for m in &self.modules {
            writeln!(
                out,
                "{} {}   {}",
                addr(m.base, self.pointer_size),
                addr(m.base.saturating_add(m.size), self.pointer_size),
                m.name
            )?;
            match &m.image {
                Some(f) => line(out, "image", f)?,
                None => writeln!(out, "    image (no usable file name)")?,
            }
            match &m.pdb {
                Some(f) => line(out, "pdb", f)?,
                None => writeln!(out, "    pdb   (no PDB 7.0 CodeView record)")?,
            }
        }
        Ok(())
    }
}
