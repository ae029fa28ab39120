//! A kernel crash dump with the facts every kernel command shares read once: the driver list, the
//! unloaded drivers and the KDBG.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use crate::CliError;

/// A kernel dump (`PAGEDU64`/`PAGEDUMP`) with lazily read, cached facts.
#[derive(Debug)]
pub struct KernelTarget {
    /// Where it was read from.
    pub path: PathBuf,
    /// The dump.
    pub dump: dumpfile::KernelDump,
    drivers: OnceCell<Result<Vec<dumpfile::Driver>, String>>,
    unloaded: OnceCell<Result<Vec<dumpfile::UnloadedDriver>, String>>,
    kdbg: OnceCell<Result<dumpfile::Kdbg, String>>,
}

impl KernelTarget {
    /// Opens (memory-maps) a kernel dump.
    pub fn open(path: &Path) -> Result<KernelTarget, CliError> {
        let dump = dumpfile::KernelDump::open(path).map_err(|e| CliError::at(path, e))?;
        Ok(KernelTarget::new(path.to_path_buf(), dump))
    }

    /// Wraps an opened dump.
    pub fn new(path: PathBuf, dump: dumpfile::KernelDump) -> KernelTarget {
        KernelTarget {
            path,
            dump,
            drivers: OnceCell::new(),
            unloaded: OnceCell::new(),
            kdbg: OnceCell::new(),
        }
    }

    /// Pointer size of the dump's architecture (4 or 8).
    pub fn pointer_size(&self) -> usize {
        if self.dump.arch() == dumpfile::Arch::X86 {
            4
        } else {
            8
        }
    }

    /// The loaded drivers in list order (the kernel first), or why they could not be read.
    pub fn drivers(&self) -> Result<&[dumpfile::Driver], &str> {
        self.drivers
            .get_or_init(|| self.dump.drivers().map_err(|e| e.to_string()))
            .as_ref()
            .map(Vec::as_slice)
            .map_err(String::as_str)
    }

    /// The loaded drivers, empty when they cannot be read.
    pub fn driver_list(&self) -> &[dumpfile::Driver] {
        self.drivers().unwrap_or_default()
    }

    /// The unloaded drivers, or why they could not be read.
    pub fn unloaded(&self) -> Result<&[dumpfile::UnloadedDriver], &str> {
        self.unloaded
            .get_or_init(|| self.dump.unloaded_drivers().map_err(|e| e.to_string()))
            .as_ref()
            .map(Vec::as_slice)
            .map_err(String::as_str)
    }

    /// The decoded KDBG, or why it could not be found.
    pub fn kdbg(&self) -> Result<&dumpfile::Kdbg, &str> {
        self.kdbg
            .get_or_init(|| self.dump.kdbg().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(String::as_str)
    }

    /// The driver whose image holds `address`.
    pub fn driver_at(&self, address: u64) -> Option<&dumpfile::Driver> {
        self.driver_list()
            .iter()
            .find(|d| address >= d.base && address.wrapping_sub(d.base) < d.size)
    }

    /// The module name WinDbg uses for a driver: `nt` for the kernel (the first entry), else the
    /// file name without its extension.
    pub fn module_name(&self, driver: &dumpfile::Driver) -> String {
        let first = self
            .driver_list()
            .first()
            .is_some_and(|d| d.base == driver.base);
        lm_name(&driver.name, first)
    }
}

/// Module name as `lm` shows it: the file name without its extension (`nt` for the kernel).
pub fn lm_name(file: &str, kernel: bool) -> String {
    if kernel {
        return "nt".to_string();
    }
    file.rsplit_once('.').map_or(file, |(s, _)| s).to_string()
}
