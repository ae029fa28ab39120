//! What a command runs against: [`Target::open`] looks at a file once and says what it is.
//!
//! A user-mode minidump becomes a [`UserDump`] that reads each fact of the process once and keeps
//! it (`OnceCell`): the PEB/TEB facts, the modules, the regions, the heaps and their walks. So
//! `dumpscope DUMP -c '!heap -s' -c '!heap -stat' -c '!leak'` opens the file once and walks each
//! heap once, whatever the commands ask.
//!
//! A kernel dump (`PAGEDU64`/`PAGEDUMP`) becomes a [`KernelTarget`] that reads its drivers,
//! unloaded drivers and KDBG once for every kernel command (in [`crate::kernel`]).

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use crate::CliError;
use crate::adapt::{self, Dump, DumpMemory, FoundHeap};
use crate::progress::{HeapWalkProgress, Progress};

/// What kind of file a command takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A user-mode minidump (`MDMP`).
    User,
    /// A kernel dump (`PAGEDU64`/`PAGEDUMP`).
    Kernel,
    /// A PE image on disk (`MZ`).
    PeFile,
}

impl Kind {
    /// How the kind is named in messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::User => "a user-mode minidump",
            Kind::Kernel => "a kernel dump",
            Kind::PeFile => "a PE file",
        }
    }
}

/// What the command line says about how to read a target.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The kernel's symbols for kernel dumps (a kernel PDB or a Volatility 3 ISF JSON), instead
    /// of `DUMP.isf.json`.
    pub kernel_symbols: Option<PathBuf>,
    /// The symbol path: for user dumps' stacks, and where a kernel dump's symbols are looked
    /// for by the kernel's PDB identity.
    pub locator: Option<std::sync::Arc<stackwalk::symsrv::SymbolLocator>>,
}

/// An opened file.
#[derive(Debug)]
#[non_exhaustive]
pub enum Target {
    /// A user-mode minidump.
    User(Box<UserDump>),
    /// A kernel crash dump.
    Kernel(Box<KernelTarget>),
    /// A PE image on disk.
    PeFile(PeFile),
}

impl Target {
    /// Opens `path`: a PE file when it starts with `MZ`, else a minidump. Failure is one line,
    /// `PATH: reason` (a kernel dump says that it is one).
    pub fn open(path: &Path) -> Result<Target, CliError> {
        Target::open_with(path, &OpenOptions::default())
    }

    /// Opens a dump or PE file with what the command line says about it.
    pub fn open_with(path: &Path, options: &OpenOptions) -> Result<Target, CliError> {
        let mut magic = [0u8; 8];
        {
            use std::io::Read;
            let mut f = std::fs::File::open(path).map_err(|e| CliError::at(path, e))?;
            let mut n = 0usize;
            while let Some(rest) = magic.get_mut(n..).filter(|r| !r.is_empty()) {
                match f.read(rest) {
                    Ok(0) => break,
                    Ok(k) => n = n.saturating_add(k),
                    Err(e) => return Err(CliError::at(path, e)),
                }
            }
        }
        if &magic == b"PAGEDU64" || &magic == b"PAGEDUMP" {
            let k = KernelTarget::open(path)?
                .with_symbols_file(options.kernel_symbols.clone())
                .with_locator(options.locator.clone());
            return Ok(Target::Kernel(Box::new(k)));
        }
        if magic.starts_with(b"MZ") {
            let bytes = std::fs::read(path).map_err(|e| CliError::at(path, e))?;
            return Ok(Target::PeFile(PeFile {
                path: path.to_path_buf(),
                bytes,
            }));
        }
        let mut u = UserDump::open(path)?;
        u.locator.clone_from(&options.locator);
        Ok(Target::User(Box::new(u)))
    }

    /// The kind of file this is.
    pub fn kind(&self) -> Kind {
        match self {
            Target::User(_) => Kind::User,
            Target::Kernel(_) => Kind::Kernel,
            Target::PeFile(_) => Kind::PeFile,
        }
    }

    /// The user-mode dump, or `PATH: COMMAND takes a user-mode minidump, not KIND`.
    pub fn user(&self, command: &str) -> Result<&UserDump, CliError> {
        match self {
            Target::User(u) => Ok(u),
            other => Err(CliError::at(
                other.path(),
                format!(
                    "{command} takes {}, not {}",
                    Kind::User.name(),
                    other.kind().name()
                ),
            )),
        }
    }

    /// The kernel dump, or `PATH: COMMAND takes a kernel dump, not KIND`.
    pub fn kernel(&self, command: &str) -> Result<&KernelTarget, CliError> {
        match self {
            Target::Kernel(k) => Ok(k),
            other => Err(CliError::at(
                other.path(),
                format!(
                    "{command} takes {}, not {}",
                    Kind::Kernel.name(),
                    other.kind().name()
                ),
            )),
        }
    }

    /// The file's path as given.
    pub fn path(&self) -> &Path {
        match self {
            Target::User(u) => &u.path,
            Target::Kernel(k) => &k.path,
            Target::PeFile(p) => &p.path,
        }
    }
}

mod image;
mod kernel;
mod kernel_symbols;
mod ntdll_keys;

pub use self::image::{Image, ModuleRef, Source};
pub use self::kernel::{KernelTarget, isf_path, lm_name};

/// A PE image read from disk.
#[derive(Debug)]
pub struct PeFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

impl PeFile {
    /// The file name without extension, which names the image in `module+offset`.
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map_or_else(|| "image".to_string(), |s| s.to_string_lossy().into_owned())
    }
}

/// The heaps of the process with their walks, read once.
#[derive(Debug)]
pub struct Heaps {
    /// The heaps the PEB(s) list, opened or not, in PEB order.
    pub found: Vec<FoundHeap>,
    /// Problems reading the PEB that bear on the heap list.
    pub warnings: Vec<String>,
    walks: OnceCell<Vec<ntheap::HeapWalk>>,
    regions: OnceCell<Vec<(u64, u64)>>,
}

/// A user-mode minidump with lazily read, cached process facts.
#[derive(Debug)]
pub struct UserDump {
    /// Where it was read from.
    pub path: PathBuf,
    /// The dump (which is also its memory for every crate).
    pub dump: Dump,
    process: OnceCell<Result<dumpfile::ProcessInfo, String>>,
    modules: OnceCell<Result<Vec<dumpfile::Module>, String>>,
    heaps: OnceCell<Heaps>,
    /// The symbol path in force (`--symbol-path`, `_NT_SYMBOL_PATH`), for what WinDbg's
    /// commands (`-c '~*k'`) symbolize.
    pub locator: Option<std::sync::Arc<stackwalk::symsrv::SymbolLocator>>,
    /// The segment heap's keys from ntdll's data (64-bit, then 32-bit ntdll).
    ntdll_keys: [OnceCell<Option<ntdll_keys::NtdllKeys>>; 2],
}

pub use self::ntdll_keys::NtdllKeys;

impl UserDump {
    /// Opens (memory-maps) a user-mode minidump.
    pub fn open(path: &Path) -> Result<UserDump, CliError> {
        let dump = dumpfile::Minidump::open(path).map_err(|e| CliError::at(path, e))?;
        Ok(UserDump::new(path.to_path_buf(), dump))
    }

    /// Wraps an opened dump.
    pub fn new(path: PathBuf, dump: dumpfile::Minidump) -> UserDump {
        UserDump {
            path,
            dump: Dump(dump),
            process: OnceCell::new(),
            modules: OnceCell::new(),
            heaps: OnceCell::new(),
            locator: None,
            ntdll_keys: [OnceCell::new(), OnceCell::new()],
        }
    }

    /// The segment heap's keys read from `ntdll!RtlpHpHeapGlobals` when ntdll's PDB is on the
    /// symbol path (for the ntdll of `width`); `None` otherwise (the walk recovers them).
    pub fn ntdll_keys(&self, width: ntheap::PointerWidth) -> Option<&NtdllKeys> {
        let i = usize::from(width == ntheap::PointerWidth::Bits32);
        self.ntdll_keys
            .get(i)?
            .get_or_init(|| {
                let locator = self.locator.as_ref()?;
                let modules = self.modules().ok()?;
                ntdll_keys::read(modules, &self.memory(), locator, width)
            })
            .as_ref()
    }

    /// The keys to walk a segment heap of `width` with: ntdll's when read, else none given.
    pub fn segment_heap_keys(&self, width: ntheap::PointerWidth) -> ntheap::SegmentHeapKeys {
        self.ntdll_keys(width).map(|k| k.keys).unwrap_or_default()
    }

    /// The dump's memory as every crate's `ReadMemory`.
    pub fn memory(&self) -> DumpMemory<'_> {
        DumpMemory(&self.dump.0)
    }

    /// Pointer size of the dump's (native) architecture.
    pub fn pointer_size(&self) -> usize {
        self.dump.arch().pointer_size()
    }

    /// The PEB/TEB facts, or why they could not be read.
    pub fn process(&self) -> Result<&dumpfile::ProcessInfo, &str> {
        self.process
            .get_or_init(|| self.dump.process().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(String::as_str)
    }

    /// The module list, or why it could not be read.
    pub fn modules(&self) -> Result<&[dumpfile::Module], &str> {
        self.modules
            .get_or_init(|| self.dump.modules().map_err(|e| e.to_string()))
            .as_ref()
            .map(Vec::as_slice)
            .map_err(String::as_str)
    }

    /// The module list, empty when it cannot be read.
    pub fn module_list(&self) -> &[dumpfile::Module] {
        self.modules().unwrap_or_default()
    }

    /// The heaps the PEB(s) list, opened (not walked).
    pub fn heaps(&self) -> &Heaps {
        self.heaps.get_or_init(|| match self.process() {
            Ok(p) => Heaps {
                found: adapt::find_heaps(&self.dump, p),
                warnings: p.warnings.clone(),
                walks: OnceCell::new(),
                regions: OnceCell::new(),
            },
            Err(e) => Heaps {
                found: Vec::new(),
                warnings: vec![format!("cannot read the PEB: {e}")],
                walks: OnceCell::new(),
                regions: OnceCell::new(),
            },
        })
    }

    /// Every heap that could be opened, walked once, in PEB order.
    pub fn walks(&self) -> &[ntheap::HeapWalk] {
        self.walks_with(&Progress::off())
    }

    /// [`UserDump::walks`], showing the progress of the walks if they are made now.
    pub fn walks_with(&self, progress: &Progress) -> &[ntheap::HeapWalk] {
        let heaps = self.heaps();
        heaps.walks.get_or_init(|| {
            let mem = self.memory();
            let opened: Vec<&ntheap::Heap> = heaps
                .found
                .iter()
                .filter_map(|f| f.heap.as_ref().ok())
                .collect();
            let walks = opened
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let mut shown = HeapWalkProgress::new(
                        progress,
                        i,
                        opened.len(),
                        h.address,
                        |_: &ntheap::Entry, _: ntheap::BlockSource<'_>| {},
                    );
                    h.walk_observed(&mem, &mut shown)
                })
                .collect();
            progress.done();
            walks
        })
    }

    /// The heaps' walks if some command already made them (no walk is started).
    pub fn walks_if_made(&self) -> Option<&[ntheap::HeapWalk]> {
        self.heaps().walks.get().map(Vec::as_slice)
    }

    /// The address ranges the heaps own, `(base, size)`: each heap's segments (reserved
    /// size), its large blocks, and its header (size 1), heap by heap. Read from the segment
    /// and large-block lists, without walking any block.
    pub fn heap_regions(&self) -> &[(u64, u64)] {
        let heaps = self.heaps();
        heaps.regions.get_or_init(|| {
            let mem = self.memory();
            let mut out = Vec::new();
            for h in heaps.found.iter().filter_map(|f| f.heap.as_ref().ok()) {
                for s in h.segments(&mem).0 {
                    out.push((s.base_address, s.reserved_bytes()));
                }
                for v in h.virtual_blocks(&mem).0 {
                    out.push((v.address, v.reserve_size.max(v.commit_size)));
                }
                out.push((h.address, 1));
            }
            out
        })
    }

    /// The walk of the heap at `address`, if it is one the PEB lists and it could be opened.
    pub fn walk_of(&self, address: u64) -> Option<&ntheap::HeapWalk> {
        self.walks().iter().find(|w| w.heap.address == address)
    }

    /// The thread WinDbg makes current when a dump is opened: the exception thread, else the
    /// first. `(index, id)`.
    pub fn current_thread(&self) -> Option<(usize, u32)> {
        let threads = self.dump.threads().ok()?;
        if let Ok(Some(e)) = self.dump.exception()
            && let Some(i) = threads.iter().position(|t| t.id == e.thread_id)
        {
            return Some((i, e.thread_id));
        }
        threads.first().map(|t| (0, t.id))
    }
}
