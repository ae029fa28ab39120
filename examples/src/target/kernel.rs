//! A kernel crash dump with the facts every kernel command shares read once: the driver list, the
//! unloaded drivers and the KDBG.

use std::cell::{Cell, OnceCell};
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
    symbols: OnceCell<Result<Option<super::kernel_symbols::Found>, String>>,
    /// The kernel's symbols file the user named (`--kernel-symbols`), else `DUMP.isf.json`.
    symbols_file: Option<PathBuf>,
    /// The symbol path, where the kernel's PDB (or a Volatility symbol table of it) is looked
    /// for when no file is named and none lies beside the dump.
    locator: Option<std::sync::Arc<stackwalk::symsrv::SymbolLocator>>,
    /// The address space `.process` switched to (`None`: the kernel's own).
    dir_base: Cell<Option<u64>>,
    /// The process `.process` selected (its `EPROCESS`), for `!handle`.
    process: Cell<Option<u64>>,
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
            symbols: OnceCell::new(),
            symbols_file: None,
            locator: None,
            dir_base: Cell::new(None),
            process: Cell::new(None),
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

    /// Reads the kernel's symbols from `file` (a kernel PDB such as `ntkrnlmp.pdb`, or a
    /// Volatility 3 ISF JSON) instead of `DUMP.isf.json`.
    pub fn with_symbols_file(mut self, file: Option<PathBuf>) -> KernelTarget {
        self.symbols_file = file;
        self.symbols = OnceCell::new();
        self
    }

    /// Looks the kernel's symbols up on this symbol path when no file names them.
    pub fn with_locator(
        mut self,
        locator: Option<std::sync::Arc<stackwalk::symsrv::SymbolLocator>>,
    ) -> KernelTarget {
        self.locator = locator;
        self.symbols = OnceCell::new();
        self
    }

    /// The kernel's symbols and type layouts: from the file `--kernel-symbols` named (a PDB or
    /// an ISF JSON), else from the Volatility 3 ISF file next to the dump (`DUMP.isf.json`),
    /// else from the symbol path by the kernel's PDB identity (a Volatility symbol table or
    /// the PDB, found as `.reload` finds it); `None` when there is none, or why it could not
    /// be read (or does not fit the dump).
    pub fn symbols(&self) -> Result<Option<&pooltrack::KernelLayouts>, &str> {
        self.loaded_symbols().map(|f| f.map(|f| &f.layouts))
    }

    /// The file the kernel's symbols were read from, when there are symbols.
    pub fn symbols_source(&self) -> Option<&Path> {
        self.loaded_symbols()
            .ok()
            .flatten()
            .map(|f| f.file.as_path())
    }

    fn loaded_symbols(&self) -> Result<Option<&super::kernel_symbols::Found>, &str> {
        use super::kernel_symbols::{Found, find, read_symbols_file};
        self.symbols
            .get_or_init(|| {
                if let Some(f) = &self.symbols_file {
                    let layouts = read_symbols_file(f)?;
                    self.check_pdb(&layouts)
                        .map_err(|e| format!("{}: {e}", f.display()))?;
                    return Ok(Some(Found {
                        layouts,
                        file: f.clone(),
                    }));
                }
                let isf = isf_path(&self.path);
                if isf.is_file() {
                    let layouts = read_symbols_file(&isf)?;
                    return Ok(Some(Found { layouts, file: isf }));
                }
                let (Some(locator), Some(kernel)) = (&self.locator, self.driver_list().first())
                else {
                    return Ok(None);
                };
                match super::kernel_symbols::kernel_identity(locator, kernel) {
                    Some(cv) => find(locator, &cv),
                    None => Ok(None),
                }
            })
            .as_ref()
            .map(Option::as_ref)
            .map_err(String::as_str)
    }

    /// For the commands that read pool and kernel globals: an error on a triage dump, which
    /// holds the crashing thread, processes and drivers but not those (no symbols would help).
    pub fn require_memory_dump(&self, command: &str) -> Result<(), CliError> {
        if self.dump.triage().is_some() {
            return Err(CliError::at(
                &self.path,
                format!(
                    "{command} needs the kernel's memory, which a triage dump does not hold (take a kernel or full memory dump)"
                ),
            ));
        }
        Ok(())
    }

    /// Where the kernel's symbols can be given, for messages about what needs them: the
    /// kernel's PDB identity on the symbol path, `--kernel-symbols FILE`, or `DUMP.isf.json`.
    pub fn symbols_hint(&self) -> String {
        let id = self
            .driver_list()
            .first()
            .and_then(|d| match &self.locator {
                Some(l) => super::kernel_symbols::kernel_identity(l, d),
                None => d.codeview.clone(),
            })
            .map(|cv| {
                let name = stackwalk::symsrv::store_file_name(&cv.pdb_name).unwrap_or("the PDB");
                format!("{name} {}{:X}", cv.guid_string().replace('-', ""), cv.age)
            });
        let path = match (&self.locator, &id) {
            (Some(l), Some(id)) => format!("{id} is not on the symbol path {}; ", l.path()),
            (None, Some(id)) => {
                format!("give the symbol path where {id} is (--symbol-path or _NT_SYMBOL_PATH), ")
            }
            (Some(l), None) => format!(
                "the kernel's image (for its PDB identity) is neither in the dump nor on the symbol path {}; ",
                l.path()
            ),
            (None, None) => String::new(),
        };
        format!(
            "{path}name the kernel's PDB or ISF with --kernel-symbols FILE, or put its ISF at {}",
            isf_path(&self.path).display()
        )
    }

    /// Symbols from a PDB other than the one the dump's kernel names would put every global at
    /// a wrong address: refuse them. Passes when either identity is unknown.
    fn check_pdb(&self, layouts: &pooltrack::KernelLayouts) -> Result<(), String> {
        let Some(want) = &layouts.pdb else {
            return Ok(());
        };
        let Some(kernel) = self.driver_list().first() else {
            return Ok(());
        };
        let mem = self.mem();
        let Some(cv) = pe_sections::PeImage::parse_mapped(&mem, kernel.base)
            .ok()
            .and_then(|pe| pe.codeview().ok().flatten())
        else {
            return Ok(());
        };
        let have = cv.pdb_id();
        let want_id = format!("{}{:X}", want.guid, want.age);
        if have.eq_ignore_ascii_case(&want_id) {
            Ok(())
        } else {
            Err(format!(
                "this PDB ({} {want_id}) is not the one the dump's kernel names ({} {have})",
                want.database, cv.pdb_name
            ))
        }
    }

    /// The dump's memory as every crate's input, through the address space `.process` chose.
    pub fn mem(&self) -> crate::adapt::KernelMem<'_> {
        crate::adapt::KernelMem(&self.dump, self.dir_base.get())
    }

    /// Switches later reads to a process's address space (`.process`); `None` goes back.
    pub fn set_dir_base(&self, dir_base: Option<u64>) {
        self.dir_base.set(dir_base);
    }

    /// Selects the current process (`.process ADDR`): later reads go through its `DirBase`.
    pub fn set_process(&self, eprocess: Option<u64>, dir_base: Option<u64>) {
        self.process.set(eprocess);
        self.dir_base.set(dir_base);
    }

    /// The process `.process` selected.
    pub fn current_process(&self) -> Option<u64> {
        self.process.get()
    }

    /// The build and architecture that select `pooltrack`'s layouts.
    pub fn build(&self) -> Result<pooltrack::KernelBuild, CliError> {
        crate::adapt::pool::kernel_build(&self.dump).ok_or_else(|| {
            CliError::at(
                &self.path,
                format!("{} kernels are not supported", self.dump.arch().name()),
            )
        })
    }

    /// The pool reader over this dump, its context from KDBG and the kernel's symbols.
    pub fn pool(&self) -> Result<pooltrack::Pool<crate::adapt::KernelMem<'_>>, CliError> {
        let build = self.build()?;
        let mem = self.mem();
        let ctx = crate::adapt::pool::pool_context(
            &mem,
            build,
            self.kdbg().ok(),
            self.symbols().map_err(|e| CliError::new(e.to_string()))?,
            self.dump.header().number_processors,
        );
        Ok(pooltrack::Pool::new(mem, ctx, pooltrack::Limits::default()))
    }

    /// What the pool reader's context was guessed from rather than read by symbol, for a note
    /// on `!poolused` (`None` when nothing was).
    pub fn pool_note(&self) -> Option<String> {
        let build = self.build().ok()?;
        let symbols = self.symbols().ok().flatten();
        let ctx = crate::adapt::pool::pool_context(
            &self.mem(),
            build,
            self.kdbg().ok(),
            symbols,
            self.dump.header().number_processors,
        );
        crate::adapt::pool::track_table_size_scanned(&ctx, self.kdbg().ok(), symbols)
    }

    /// The kernel-objects reader: layout from the kernel's ISF types when they describe the
    /// objects, else the built-in table of the dump's build and width, else the built-in table
    /// of that width that fits the dump; symbols from KDBG and the ISF file.
    pub fn objects(
        &self,
    ) -> Result<pooltrack::KernelObjects<crate::adapt::KernelMem<'_>>, CliError> {
        let build = self.build()?;
        let isf = self.symbols().map_err(|e| CliError::new(e.to_string()))?;
        let kern_base = self.kdbg().ok().and_then(dumpfile::Kdbg::kern_base);
        let mut syms = match (isf, kern_base) {
            (Some(s), Some(b)) => pooltrack::KernelSymbols::from_symbols(b, s),
            _ => pooltrack::KernelSymbols::default(),
        };
        if let Ok(k) = self.kdbg() {
            syms.ps_active_process_head = syms
                .ps_active_process_head
                .or(k.ps_active_process_head().filter(|&a| a != 0));
            syms.psp_cid_table = syms.psp_cid_table.or(k.psp_cid_table().filter(|&a| a != 0));
        }
        let layout = isf
            .and_then(|s| pooltrack::ObjectLayout::from_layouts(s, build))
            .or_else(|| pooltrack::ObjectLayout::for_kernel_build(build));
        let width = crate::adapt::pool::pointer_width(&self.dump);
        match layout {
            Some(l) => Ok(pooltrack::KernelObjects::new(self.mem(), l, syms)),
            None => pooltrack::KernelObjects::detect(self.mem(), syms, width).ok_or_else(|| {
                CliError::at(
                    &self.path,
                    format!(
                        "no kernel-object layout fits build {} without the kernel's symbols: {}",
                        build.build,
                        self.symbols_hint()
                    ),
                )
            }),
        }
    }

    /// A code address as `module!symbol+off` (the kernel, with its symbols) or `module+off`.
    pub fn symbolize(&self, address: u64) -> Option<String> {
        let d = self.driver_at(address)?;
        let name = self.module_name(d);
        let off = address.wrapping_sub(d.base);
        let is_kernel = name == "nt";
        if let (true, Ok(Some(s))) = (is_kernel, self.symbols())
            && let Some((sym, rva)) = s
                .symbols
                .iter()
                .filter(|e| *e.1 <= off)
                .max_by_key(|e| *e.1)
        {
            let delta = off.wrapping_sub(*rva);
            return Some(if delta == 0 {
                format!("nt!{sym}")
            } else {
                format!("nt!{sym}+0x{delta:x}")
            });
        }
        let mem = self.mem();
        let export = pe_sections::PeImage::parse_mapped(&mem, d.base)
            .ok()
            .and_then(|pe| pe.exports().ok().flatten())
            .and_then(|e| {
                e.entries
                    .iter()
                    .filter_map(|x| Some((x.name.clone()?, u64::from(x.rva()?))))
                    .filter(|(_, rva)| *rva <= off)
                    .max_by_key(|(_, rva)| *rva)
            });
        Some(match export {
            Some((sym, rva)) if off == rva => format!("{name}!{sym}"),
            Some((sym, rva)) => format!("{name}!{sym}+0x{:x}", off.wrapping_sub(rva)),
            None => format!("{name}+0x{off:x}"),
        })
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

/// Where the kernel's ISF file for a dump is looked for: `DUMP.isf.json`.
pub fn isf_path(dump: &Path) -> PathBuf {
    let mut p = dump.as_os_str().to_owned();
    p.push(".isf.json");
    PathBuf::from(p)
}

/// Module name as `lm` shows it: the file name without its extension (`nt` for the kernel).
pub fn lm_name(file: &str, kernel: bool) -> String {
    if kernel {
        return "nt".to_string();
    }
    file.rsplit_once('.').map_or(file, |(s, _)| s).to_string()
}
