//! PE images in a dump or on disk: `dumpscope dh` (`!dh`), `search` (`s -a`/`s -u`/`s -b`),
//! `da` (`da`/`du`) and `xref` (the code that references an RVA, what Ghidra's XREF shows).
//!
//! Images in a dump are read as mapped (by RVA) through `pe_sections::FnMemory` over the
//! dump's memory view; sections missing from the dump are reported, not fatal.

use std::io::Write;
use std::path::{Path, PathBuf};

use pe_sections::{
    CodeView, FnMemory, MemoryError, Pattern, PeImage, RefKind, SectionHeader, SectionStatus, dir,
};
use serde::Serialize;

use crate::fmt_util::addr;
use crate::{CliError, open_dump, write_json};

// ---------------------------------------------------------------------------------------------
// Shared plumbing

/// What a path on the command line turned out to be.
enum Input {
    /// A user-mode minidump.
    Dump(Box<dumpfile::Minidump>),
    /// A PE file's bytes.
    File(Vec<u8>),
}

fn open_input(path: &Path) -> Result<Input, CliError> {
    let mut magic = [0u8; 2];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|e| CliError::at(path, e))?;
        f.read_exact(&mut magic)
            .map_err(|e| CliError::at(path, e))?;
    }
    if &magic == b"MZ" {
        let bytes = std::fs::read(path).map_err(|e| CliError::at(path, e))?;
        Ok(Input::File(bytes))
    } else {
        Ok(Input::Dump(Box::new(open_dump(path)?)))
    }
}

fn to_memory_error(e: &dumpfile::Error, addr: u64, len: usize) -> MemoryError {
    if e.is_not_captured() {
        MemoryError::not_captured(addr, len)
    } else {
        MemoryError::failed(addr, len)
    }
}

/// The dump's memory as `pe_sections::ReadMemory`.
fn dump_memory(
    dump: &dumpfile::Minidump,
) -> FnMemory<impl Fn(u64, &mut [u8]) -> Result<(), MemoryError> + '_> {
    FnMemory::new(move |a, buf| {
        let len = buf.len();
        dump.memory()
            .read(a, buf)
            .map_err(|e| to_memory_error(&e, a, len))
    })
}

fn pointer_size(dump: &dumpfile::Minidump) -> usize {
    match dump.arch() {
        dumpfile::Arch::X86 => 4,
        _ => 8,
    }
}

/// Parses `0x1234`, `1234` (hex, as WinDbg does) or `00007ff6`dfe236b0`.
pub fn parse_hex(text: &str) -> Option<u64> {
    let t: String = text.trim().chars().filter(|c| *c != '`').collect();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(&t);
    u64::from_str_radix(t, 16).ok()
}

/// Evaluates an address as WinDbg users write it: hex (`00007ff6`dfe236b0`, `0x36b0`) or
/// `module+offset` (`D4C+0x36b0`, also `!D4C+0x36b0` as in the seed article) when a dump is
/// given to resolve the module.
pub fn eval_address(text: &str, dump: Option<&dumpfile::Minidump>) -> Result<u64, CliError> {
    if let Some(v) = parse_hex(text) {
        return Ok(v);
    }
    let bad = || CliError::new(format!("bad address '{text}'"));
    let t = text.trim().trim_start_matches('!');
    let (module, offset) = match t.split_once('+') {
        Some((m, o)) => (m, parse_hex(o).ok_or_else(bad)?),
        None => (t, 0),
    };
    let dump = dump.ok_or_else(bad)?;
    let m = resolve_module(dump, module)?;
    m.base.checked_add(offset).ok_or_else(bad)
}

/// A module of a dump: display name (`ntdll`) and base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRef {
    /// Name without directories or extension.
    pub name: String,
    /// Load base.
    pub base: u64,
}

/// Finds a module by name (`ntdll`, `ntdll.dll`) or base address, in the module list and
/// then in the loader lists of the PEBs (which also hold the 32-bit ntdll of WOW64 processes).
pub fn resolve_module(dump: &dumpfile::Minidump, spec: &str) -> Result<ModuleRef, CliError> {
    let modules = dump.modules().unwrap_or_default();
    let loader: Vec<(String, u64)> = dump
        .process()
        .map(|p| {
            p.loader_modules
                .iter()
                .chain(p.loader_modules32.iter())
                .map(|m| {
                    (
                        m.full_name
                            .clone()
                            .or(m.base_name.clone())
                            .unwrap_or_default(),
                        m.base,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let all: Vec<(String, u64)> = modules
        .iter()
        .map(|m| (m.name.clone(), m.base))
        .chain(loader)
        .collect();
    if let Some((name, base)) = all
        .iter()
        .find(|(n, _)| dumpfile::module_name_matches(n, spec))
    {
        return Ok(ModuleRef {
            name: dumpfile::module_short_name(name).to_string(),
            base: *base,
        });
    }
    if let Some(base) = parse_hex(spec) {
        let name = all
            .iter()
            .find(|(_, b)| *b == base)
            .map(|(n, _)| dumpfile::module_short_name(n).to_string())
            .or_else(|| {
                // Not in any list (e.g. the 32-bit ntdll of a WOW64 process early on): use the
                // name in the image's own export directory.
                let mem = dump_memory(dump);
                let pe = PeImage::parse_mapped(&mem, base).ok()?;
                pe.exports()
                    .ok()??
                    .dll_name
                    .map(|n| dumpfile::module_short_name(&n).to_string())
            })
            .unwrap_or_else(|| format!("image_{base:x}"));
        return Ok(ModuleRef { name, base });
    }
    Err(CliError::new(format!(
        "no module named '{spec}' in the dump (try its base address)"
    )))
}

/// A module whose image contains `address`.
fn module_containing(dump: &dumpfile::Minidump, address: u64) -> Option<ModuleRef> {
    let modules = dump.modules().unwrap_or_default();
    let from_list = modules
        .iter()
        .find(|m| address >= m.base && address.saturating_sub(m.base) < m.size)
        .map(|m| ModuleRef {
            name: dumpfile::module_short_name(&m.name).to_string(),
            base: m.base,
        });
    from_list.or_else(|| {
        let p = dump.process().ok()?;
        p.loader_modules
            .iter()
            .chain(p.loader_modules32.iter())
            .find(|m| address >= m.base && address.saturating_sub(m.base) < u64::from(m.size))
            .map(|m| ModuleRef {
                name: dumpfile::module_short_name(
                    m.full_name
                        .as_deref()
                        .or(m.base_name.as_deref())
                        .unwrap_or("?"),
                )
                .to_string(),
                base: m.base,
            })
    })
}

fn pe_error(path: &Path, what: &str, e: &pe_sections::Error) -> CliError {
    CliError::at(path, format!("{what}: {e}"))
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "image".to_string(), |s| s.to_string_lossy().into_owned())
}

// ---------------------------------------------------------------------------------------------
// dh

/// Arguments of `dumpscope dh`.
#[derive(Debug, clap::Args)]
pub struct DhArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Only the section headers (`!dh -s`).
    #[arg(short = 's', long = "sections")]
    pub sections_only: bool,
    /// Only the file and optional headers (`!dh -f`).
    #[arg(short = 'f', long = "file-headers")]
    pub file_only: bool,
    /// A user-mode minidump, or a PE file (`.exe`/`.dll`).
    pub target: PathBuf,
    /// The module (name such as `ntdll`, or base address) when TARGET is a dump.
    pub module: Option<String>,
}

/// One section of the `dh` JSON contract.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct SectionJson {
    /// Name (`.text`).
    pub name: String,
    /// RVA.
    pub virtual_address: u32,
    /// Size in memory.
    pub virtual_size: u32,
    /// Size in the file.
    pub raw_size: u32,
    /// File offset of the raw data.
    pub raw_offset: u32,
    /// `IMAGE_SCN_*` flags.
    pub characteristics: u32,
    /// For images in a dump: "captured", "partial" or "not captured"; null for files.
    pub status: Option<String>,
}

/// The JSON contract of `dumpscope dh --json`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct DhJson {
    /// `IMAGE_FILE_HEADER.Machine`.
    pub machine: u16,
    /// Link time stamp.
    pub timestamp: u32,
    /// `SizeOfImage`.
    pub size_of_image: u32,
    /// Load base in the dump, or the preferred `ImageBase` for a file.
    pub image_base: u64,
    /// PDB path from the CodeView record.
    pub pdb_name: Option<String>,
    /// Symbol-server id of the PDB.
    pub pdb_id: Option<String>,
    /// Section headers.
    pub sections: Vec<SectionJson>,
}

fn status_text(s: &Result<SectionStatus, pe_sections::Error>) -> String {
    match s {
        Ok(SectionStatus::Captured) => "captured".to_string(),
        Ok(SectionStatus::Partial { .. }) => "partial".to_string(),
        Ok(SectionStatus::NotCaptured) => "not captured".to_string(),
        Err(e) => format!("error: {e}"),
    }
}

/// `dumpscope dh`: PE headers like WinDbg's `!dh`.
pub fn run_dh(args: &DhArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let input = open_input(&args.target)?;
    match (&input, &args.module) {
        (Input::File(bytes), _) => {
            let pe = PeImage::parse_file(bytes).map_err(|e| pe_error(&args.target, "PE", &e))?;
            dh_image(args, &pe, &file_stem(&args.target), false, out)
        }
        (Input::Dump(dump), Some(m)) => {
            let module = resolve_module(dump, m)?;
            let mem = dump_memory(dump);
            let pe = PeImage::parse_mapped(&mem, module.base)
                .map_err(|e| pe_error(&args.target, &format!("image at {:#x}", module.base), &e))?;
            dh_image(args, &pe, &module.name, true, out)
        }
        (Input::Dump(_), None) => Err(CliError::at(
            &args.target,
            "is a dump: name the module (e.g. `dumpscope dh DUMP ntdll`)",
        )),
    }
}

fn dh_image(
    args: &DhArgs,
    pe: &PeImage<'_>,
    name: &str,
    in_dump: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let cv = pe.codeview();
    if args.json {
        let (pdb_name, pdb_id) = match &cv {
            Ok(Some(c)) => (Some(c.pdb_name.clone()), Some(c.pdb_id())),
            _ => (None, None),
        };
        let json = DhJson {
            machine: pe.machine().0,
            timestamp: pe.timestamp(),
            size_of_image: pe.size_of_image(),
            image_base: pe.base(),
            pdb_name,
            pdb_id,
            sections: pe
                .sections()
                .iter()
                .map(|s| SectionJson {
                    name: s.name(),
                    virtual_address: s.virtual_address,
                    virtual_size: s.virtual_size,
                    raw_size: s.size_of_raw_data,
                    raw_offset: s.pointer_to_raw_data,
                    characteristics: s.characteristics.bits(),
                    status: in_dump.then(|| status_text(&pe.section_status(s))),
                })
                .collect(),
        };
        write_json(out, &json)?;
    } else {
        let all = !args.sections_only && !args.file_only;
        if all || args.file_only {
            write_file_headers(pe, name, out)?;
        }
        if all || args.sections_only {
            for (i, s) in pe.sections().iter().enumerate() {
                write_section(pe, i, s, in_dump, out)?;
            }
        }
        if all {
            write_debug(pe, &cv, out)?;
        }
    }
    match cv {
        Err(e) if !args.sections_only => Err(CliError::new(format!("{name}: CodeView: {e}"))),
        _ => Ok(()),
    }
}

/// `Fri Mar 29 12:34:33 2019` from a Unix time stamp (UTC), as `!dh` prints it.
// The inputs are bounded (a u32 of seconds), so none of this i64 arithmetic can overflow.
#[allow(clippy::arithmetic_side_effects)]
pub fn ctime(t: u32) -> String {
    let secs = i64::from(t);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let wd = (days + 4).rem_euclid(7); // 1970-01-01 was a Thursday
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let dname = usize::try_from(wd)
        .ok()
        .and_then(|i| DAYS.get(i))
        .copied()
        .unwrap_or("???");
    let mname = usize::try_from(m - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("???");
    format!(
        "{dname} {mname} {d:2} {:02}:{:02}:{:02} {y}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

fn write_file_headers(pe: &PeImage<'_>, name: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let fh = pe.file_header();
    let oh = pe.optional_header();
    writeln!(
        out,
        "\nFile Type: {}",
        if fh
            .characteristics
            .contains(pe_sections::FileCharacteristics::DLL)
        {
            "DLL"
        } else {
            "EXECUTABLE IMAGE"
        }
    )?;
    writeln!(out, "FILE HEADER VALUES ({name})")?;
    writeln!(
        out,
        "{:8X} machine ({})",
        fh.machine.0,
        fh.machine.name().unwrap_or("unknown")
    )?;
    writeln!(out, "{:8X} number of sections", fh.number_of_sections)?;
    writeln!(
        out,
        "{:8X} time date stamp {}",
        fh.time_date_stamp,
        ctime(fh.time_date_stamp)
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:8X} file pointer to symbol table",
        fh.pointer_to_symbol_table
    )?;
    writeln!(out, "{:8X} number of symbols", fh.number_of_symbols)?;
    writeln!(
        out,
        "{:8X} size of optional header",
        fh.size_of_optional_header
    )?;
    writeln!(out, "{:8X} characteristics", fh.characteristics.bits())?;
    use pe_sections::FileCharacteristics as F;
    for (flag, text) in [
        (F::RELOCS_STRIPPED, "Relocations stripped"),
        (F::EXECUTABLE_IMAGE, "Executable"),
        (F::LINE_NUMS_STRIPPED, "Line numbers stripped"),
        (F::LOCAL_SYMS_STRIPPED, "Symbols stripped"),
        (F::LARGE_ADDRESS_AWARE, "App can handle >2gb addresses"),
        (F::MACHINE_32BIT, "32 bit word machine"),
        (F::DEBUG_STRIPPED, "Debug information stripped"),
        (F::SYSTEM, "System"),
        (F::DLL, "DLL"),
    ] {
        if fh.characteristics.contains(flag) {
            writeln!(out, "            {text}")?;
        }
    }
    writeln!(out, "\nOPTIONAL HEADER VALUES")?;
    let kind = if pe.is_64() { "PE32+" } else { "PE32" };
    writeln!(out, "{:8X} magic # ({kind})", oh.magic)?;
    writeln!(
        out,
        "{:>8} linker version",
        format!("{}.{:02}", oh.linker_version.0, oh.linker_version.1)
    )?;
    writeln!(out, "{:8X} size of code", oh.size_of_code)?;
    writeln!(
        out,
        "{:8X} size of initialized data",
        oh.size_of_initialized_data
    )?;
    writeln!(
        out,
        "{:8X} size of uninitialized data",
        oh.size_of_uninitialized_data
    )?;
    writeln!(
        out,
        "{:8X} address of entry point",
        oh.address_of_entry_point
    )?;
    writeln!(out, "{:8X} base of code", oh.base_of_code)?;
    writeln!(out, "         ----- new -----")?;
    if pe.is_64() {
        writeln!(out, "{:016X} image base", oh.image_base)?;
    } else {
        writeln!(out, "{:8X} image base", oh.image_base)?;
    }
    if pe.base() != oh.image_base {
        writeln!(out, "{:8X} load base (in the dump)", pe.base())?;
    }
    writeln!(out, "{:8X} section alignment", oh.section_alignment)?;
    writeln!(out, "{:8X} file alignment", oh.file_alignment)?;
    writeln!(out, "{:8X} subsystem", oh.subsystem)?;
    let v = |p: (u16, u16)| format!("{}.{:02}", p.0, p.1);
    writeln!(
        out,
        "{:>8} operating system version",
        v(oh.operating_system_version)
    )?;
    writeln!(out, "{:>8} image version", v(oh.image_version))?;
    writeln!(out, "{:>8} subsystem version", v(oh.subsystem_version))?;
    writeln!(out, "{:8X} size of image", oh.size_of_image)?;
    writeln!(out, "{:8X} size of headers", oh.size_of_headers)?;
    writeln!(out, "{:8X} checksum", oh.check_sum)?;
    writeln!(
        out,
        "{:8X} DLL characteristics",
        oh.dll_characteristics.bits()
    )?;
    use pe_sections::DllCharacteristics as D;
    for (flag, text) in [
        (D::HIGH_ENTROPY_VA, "High entropy VA supported"),
        (D::DYNAMIC_BASE, "Dynamic base"),
        (D::FORCE_INTEGRITY, "Force integrity"),
        (D::NX_COMPAT, "NX compatible"),
        (D::NO_ISOLATION, "No isolation"),
        (D::NO_SEH, "No structured exception handling"),
        (D::NO_BIND, "No bind"),
        (D::APPCONTAINER, "AppContainer"),
        (D::WDM_DRIVER, "WDM driver"),
        (D::GUARD_CF, "Guard"),
        (D::TERMINAL_SERVER_AWARE, "Terminal server aware"),
    ] {
        if oh.dll_characteristics.contains(flag) {
            writeln!(out, "            {text}")?;
        }
    }
    for (i, d) in pe.data_directories().iter().enumerate() {
        let name = dir::NAMES.get(i).copied().unwrap_or("Reserved Directory");
        writeln!(
            out,
            "{:8X} [{:8X}] address [size] of {name}",
            d.virtual_address, d.size
        )?;
    }
    Ok(())
}

fn write_section(
    pe: &PeImage<'_>,
    index: usize,
    s: &SectionHeader,
    in_dump: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    writeln!(out, "\nSECTION HEADER #{}", index.saturating_add(1))?;
    writeln!(out, "{:>8} name", s.name())?;
    writeln!(out, "{:8X} virtual size", s.virtual_size)?;
    writeln!(out, "{:8X} virtual address", s.virtual_address)?;
    writeln!(out, "{:8X} size of raw data", s.size_of_raw_data)?;
    writeln!(out, "{:8X} file pointer to raw data", s.pointer_to_raw_data)?;
    writeln!(
        out,
        "{:8X} file pointer to relocation table",
        s.pointer_to_relocations
    )?;
    writeln!(
        out,
        "{:8X} file pointer to line numbers",
        s.pointer_to_linenumbers
    )?;
    writeln!(out, "{:8X} number of relocations", s.number_of_relocations)?;
    writeln!(out, "{:8X} number of line numbers", s.number_of_linenumbers)?;
    writeln!(out, "{:8X} flags", s.characteristics.bits())?;
    for line in s.flag_descriptions() {
        writeln!(out, "         {line}")?;
    }
    if in_dump {
        writeln!(
            out,
            "         [{} in the dump]",
            status_text(&pe.section_status(s))
        )?;
    }
    Ok(())
}

fn write_debug(
    pe: &PeImage<'_>,
    cv: &Result<Option<CodeView>, pe_sections::Error>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let entries = match pe.debug_directory() {
        Ok(e) => e,
        Err(e) => {
            writeln!(out, "\nDebug Directories: {e}")?;
            return Ok(());
        }
    };
    if entries.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nDebug Directories({})", entries.len())?;
    writeln!(out, "\tType       Size     Address  Pointer")?;
    for e in &entries {
        let typ = match e.typ {
            1 => "coff".to_string(),
            2 => "cv".to_string(),
            4 => "misc".to_string(),
            12 => "feat".to_string(),
            13 => "coffgrp".to_string(),
            16 => "repro".to_string(),
            20 => "exdllcharacteristics".to_string(),
            t => format!("({t:2})"),
        };
        write!(
            out,
            "\t{typ:<8}{:>7x}{:>12x}{:>9x}",
            e.size_of_data, e.address_of_raw_data, e.pointer_to_raw_data
        )?;
        if e.typ == 2
            && let Ok(Some(c)) = cv
        {
            let format = match c.kind {
                pe_sections::CodeViewKind::Pdb70 { .. } => "RSDS, guid",
                pe_sections::CodeViewKind::Pdb20 { .. } => "NB10",
            };
            write!(out, "\tFormat: {format}, {}, {}", c.age, c.pdb_name)?;
        }
        writeln!(out)?;
    }
    if let Ok(Some(c)) = cv {
        if let Some(g) = c.guid_string() {
            writeln!(out, "\tGUID {g}")?;
        }
        writeln!(out, "\tSymbol server id {}", c.pdb_id())?;
    }
    writeln!(
        out,
        "\tSymbol store key of the image {}",
        pe.symbol_store_key()
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// search

/// Arguments of `dumpscope search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Search ASCII text (`s -a`, the default).
    #[arg(long, short = 'a', conflicts_with_all = ["unicode", "bytes"])]
    pub ascii: bool,
    /// Search UTF-16LE text (`s -u`).
    #[arg(long, short = 'u', conflicts_with = "bytes")]
    pub unicode: bool,
    /// Search bytes given in hex (`s -b`), e.g. `"4d 5a 90"` or `4d5a90`.
    #[arg(long, short = 'b')]
    pub bytes: bool,
    /// Restrict to the image of this module (name or base).
    #[arg(long)]
    pub module: Option<String>,
    /// With `--module`: restrict to this section (e.g. `.rdata`).
    #[arg(long, requires = "module")]
    pub section: Option<String>,
    /// Restrict to `ADDRESS LENGTH` (hex; the address may be `module+offset`), like
    /// `s -a ADDRESS LLENGTH`.
    #[arg(long, num_args = 2, value_names = ["ADDRESS", "LENGTH"], conflicts_with = "module")]
    pub range: Option<Vec<String>>,
    /// Most hits to report.
    #[arg(long, default_value_t = 1000)]
    pub max_hits: usize,
    /// What to look for.
    pub pattern: String,
    /// A user-mode minidump (or a PE file: addresses are then `ImageBase + RVA`).
    pub target: PathBuf,
}

/// One hit of `search --json`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct HitJson {
    /// Address of the first byte.
    pub address: u64,
    /// `module+rva` when the hit lies in a known module.
    pub symbol: Option<String>,
}

/// The JSON contract of `dumpscope search --json`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct SearchJson {
    /// The hits, ascending.
    pub hits: Vec<HitJson>,
}

fn search_pattern(args: &SearchArgs) -> Result<Pattern, CliError> {
    if args.bytes {
        Pattern::parse_hex(&args.pattern)
            .ok_or_else(|| CliError::new(format!("bad byte pattern '{}'", args.pattern)))
    } else if args.unicode {
        Ok(Pattern::Utf16(args.pattern.clone()))
    } else {
        Ok(Pattern::Ascii(args.pattern.clone()))
    }
}

/// Formats a line like WinDbg's `s`/`db`: address, 16 hex bytes (`-` after the 8th), text.
pub fn db_line(address: u64, bytes: &[Option<u8>], pointer_size: usize) -> String {
    let mut hex = String::new();
    let mut text = String::new();
    for i in 0..16usize {
        let sep = if i == 8 { '-' } else { ' ' };
        if i > 0 {
            hex.push(sep);
        }
        match bytes.get(i).copied().flatten() {
            Some(b) => {
                hex.push_str(&format!("{b:02x}"));
                text.push(if (0x20..0x7f).contains(&b) {
                    char::from(b)
                } else {
                    '.'
                });
            }
            None => {
                hex.push_str("??");
                text.push('?');
            }
        }
    }
    format!("{}  {hex}  {text}", addr(address, pointer_size))
}

fn read_bytes_for_display(mem: &dyn pe_sections::ReadMemory, address: u64) -> Vec<Option<u8>> {
    let mut buf = [0u8; 16];
    if mem.read(address, &mut buf).is_ok() {
        return buf.iter().copied().map(Some).collect();
    }
    (0..16u64)
        .map(|i| {
            let mut b = [0u8; 1];
            address
                .checked_add(i)
                .and_then(|a| mem.read(a, &mut b).ok())
                .map(|()| b[0])
        })
        .collect()
}

/// `dumpscope search`: find text or bytes in a dump (or a PE file).
pub fn run_search(args: &SearchArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let pattern = search_pattern(args)?;
    let needle = pattern.to_bytes();
    if needle.is_empty() {
        return Err(CliError::new("empty pattern"));
    }
    let input = open_input(&args.target)?;
    let (hits, ps, names): (Vec<u64>, usize, Vec<Option<String>>) = match &input {
        Input::File(bytes) => {
            let pe = PeImage::parse_file(bytes).map_err(|e| pe_error(&args.target, "PE", &e))?;
            let (start, len) = match (&args.section, &args.range) {
                (Some(s), _) => {
                    let sec = pe
                        .section_by_name(s)
                        .ok_or_else(|| CliError::new(format!("no section '{s}'")))?;
                    let (a, b) = pe.section_extent(sec);
                    (a, u64::from(b.saturating_sub(a)))
                }
                (None, Some(r)) => {
                    let (a, l) = range_args(r, None)?;
                    let rva = pe
                        .va_to_rva(a)
                        .ok_or_else(|| CliError::new(format!("{a:#x} is outside the image")))?;
                    (rva, l)
                }
                (None, None) => (0, u64::from(pe.size_of_image())),
            };
            let rvas = pe
                .search_rva(&pattern, start, len)
                .map_err(|e| pe_error(&args.target, "search", &e))?;
            let stem = file_stem(&args.target);
            let hits: Vec<u64> = rvas
                .iter()
                .filter_map(|&r| pe.rva_to_va(r))
                .take(args.max_hits)
                .collect();
            let names = rvas
                .iter()
                .take(args.max_hits)
                .map(|r| Some(format!("{stem}+{r:#x}")))
                .collect();
            let ps = if pe.is_64() { 8 } else { 4 };
            if !args.json {
                for (&h, &r) in hits.iter().zip(&rvas) {
                    let mut buf = [0u8; 16];
                    let n = {
                        let mut n = 0;
                        for (i, slot) in buf.iter_mut().enumerate() {
                            let mut b = [0u8; 1];
                            let ok = u32::try_from(i)
                                .ok()
                                .and_then(|i| r.checked_add(i))
                                .is_some_and(|x| pe.read_rva(x, &mut b).is_ok());
                            if !ok {
                                break;
                            }
                            *slot = b[0];
                            n = i.saturating_add(1);
                        }
                        n
                    };
                    let shown: Vec<Option<u8>> = (0..16)
                        .map(|i| (i < n).then(|| buf.get(i).copied()).flatten())
                        .collect();
                    writeln!(out, "{}", db_line(h, &shown, ps))?;
                }
            }
            (hits, ps, names)
        }
        Input::Dump(dump) => {
            let mem = dump_memory(dump);
            let ps = pointer_size(dump);
            // The module named on the command line, with its image size, names the hits.
            let mut explicit: Option<(ModuleRef, u64)> = None;
            let ranges: Vec<(u64, u64)> = match (&args.module, &args.range) {
                (Some(m), _) => {
                    let module = resolve_module(dump, m)?;
                    let pe = PeImage::parse_mapped(&mem, module.base).map_err(|e| {
                        pe_error(&args.target, &format!("image at {:#x}", module.base), &e)
                    })?;
                    explicit = Some((module.clone(), u64::from(pe.size_of_image())));
                    match &args.section {
                        Some(s) => {
                            let sec = pe.section_by_name(s).ok_or_else(|| {
                                CliError::new(format!("{}: no section '{s}'", module.name))
                            })?;
                            if let Ok(SectionStatus::NotCaptured) = pe.section_status(sec) {
                                return Err(CliError::new(format!(
                                    "{}: section {s} is not captured in the dump",
                                    module.name
                                )));
                            }
                            let (a, b) = pe.section_extent(sec);
                            vec![(
                                module.base.saturating_add(u64::from(a)),
                                u64::from(b.saturating_sub(a)),
                            )]
                        }
                        None => vec![(module.base, u64::from(pe.size_of_image()))],
                    }
                }
                (None, Some(r)) => vec![range_args(r, Some(dump))?],
                (None, None) => dump.memory().ranges().map(|r| (r.base, r.size)).collect(),
            };
            let mut hits = Vec::new();
            for (a, l) in ranges {
                let left = args.max_hits.saturating_sub(hits.len());
                if left == 0 {
                    break;
                }
                let found = pe_sections::search_memory(&mem, a, l, &needle, left)
                    .map_err(|e| pe_error(&args.target, "search", &e))?;
                hits.extend(found);
            }
            let names: Vec<Option<String>> = hits
                .iter()
                .map(|&h| {
                    explicit
                        .as_ref()
                        .filter(|(m, size)| h >= m.base && h.saturating_sub(m.base) < *size)
                        .map(|(m, _)| m.clone())
                        .or_else(|| module_containing(dump, h))
                        .map(|m| format!("{}+{:#x}", m.name, h.saturating_sub(m.base)))
                })
                .collect();
            if !args.json {
                for &h in &hits {
                    writeln!(out, "{}", db_line(h, &read_bytes_for_display(&mem, h), ps))?;
                }
            }
            (hits, ps, names)
        }
    };
    let _ = ps;
    if args.json {
        let json = SearchJson {
            hits: hits
                .iter()
                .zip(names)
                .map(|(&address, symbol)| HitJson { address, symbol })
                .collect(),
        };
        write_json(out, &json)?;
    }
    Ok(())
}

fn range_args(r: &[String], dump: Option<&dumpfile::Minidump>) -> Result<(u64, u64), CliError> {
    let (Some(a), Some(l)) = (r.first(), r.get(1)) else {
        return Err(CliError::new("--range needs ADDRESS LENGTH"));
    };
    let a = eval_address(a, dump)?;
    let l = l
        .strip_prefix('L')
        .or_else(|| l.strip_prefix('l'))
        .unwrap_or(l);
    let l = parse_hex(l).ok_or_else(|| CliError::new(format!("bad length '{l}'")))?;
    Ok((a, l))
}

// ---------------------------------------------------------------------------------------------
// da / du

/// Arguments of `dumpscope da`.
#[derive(Debug, clap::Args)]
pub struct DaArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Read UTF-16 (`du`) instead of 8-bit characters.
    #[arg(long, short = 'u')]
    pub unicode: bool,
    /// Most characters to read.
    #[arg(long, default_value_t = 0x100)]
    pub max: usize,
    /// The address: hex (backticks allowed) or `module+offset` (e.g. `hello+0xa064`).
    pub address: String,
    /// A user-mode minidump (or a PE file: the address is `ImageBase + RVA`).
    pub target: PathBuf,
}

/// The JSON of `dumpscope da --json`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct DaJson {
    /// The address read.
    pub address: u64,
    /// The text (lossy).
    pub text: String,
    /// Characters read (without the terminator).
    pub length: usize,
}

/// `dumpscope da`: a NUL-terminated string at an address, like WinDbg's `da`/`du`.
pub fn run_da(args: &DaArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let input = open_input(&args.target)?;
    let address = match &input {
        Input::Dump(d) => eval_address(&args.address, Some(d))?,
        Input::File(_) => eval_address(&args.address, None)?,
    };
    let (units, ps): (Vec<u32>, usize) = match &input {
        Input::Dump(dump) => {
            let mem = dump_memory(dump);
            let units = read_units(&mem, address, args.unicode, args.max)
                .map_err(|e| CliError::at(&args.target, format!("{address:#x}: {e}")))?;
            (units, pointer_size(dump))
        }
        Input::File(bytes) => {
            let pe = PeImage::parse_file(bytes).map_err(|e| pe_error(&args.target, "PE", &e))?;
            let rva = pe
                .va_to_rva(address)
                .ok_or_else(|| CliError::new(format!("{address:#x} is outside the image")))?;
            let units: Vec<u32> = if args.unicode {
                pe.read_wstr_rva(rva, args.max)
                    .map(|v| v.into_iter().map(u32::from).collect())
            } else {
                pe.read_cstr_rva(rva, args.max)
                    .map(|v| v.into_iter().map(u32::from).collect())
            }
            .map_err(|e| CliError::at(&args.target, format!("{address:#x}: {e}")))?;
            (units, if pe.is_64() { 8 } else { 4 })
        }
    };
    let text: String = if args.unicode {
        let w: Vec<u16> = units
            .iter()
            .filter_map(|&u| u16::try_from(u).ok())
            .collect();
        String::from_utf16_lossy(&w)
    } else {
        units
            .iter()
            .filter_map(|&u| u8::try_from(u).ok())
            .map(char::from)
            .collect()
    };
    if args.json {
        write_json(
            out,
            &DaJson {
                address,
                text,
                length: units.len(),
            },
        )?;
        return Ok(());
    }
    // WinDbg prints 32 characters per line, each line prefixed by its address; non-printable
    // characters show as '.'.
    let per_line = 32usize;
    let width: u64 = if args.unicode { 2 } else { 1 };
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        writeln!(out, "{}  \"\"", addr(address, ps))?;
    }
    for (i, chunk) in chars.chunks(per_line).enumerate() {
        let off = (i as u64)
            .saturating_mul(per_line as u64)
            .saturating_mul(width);
        let shown: String = chunk
            .iter()
            .map(|&c| if c.is_control() { '.' } else { c })
            .collect();
        let open = if i == 0 { "\"" } else { " " };
        let last = i.saturating_add(1).saturating_mul(per_line) >= chars.len();
        let close = if last { "\"" } else { "" };
        writeln!(
            out,
            "{}  {open}{shown}{close}",
            addr(address.saturating_add(off), ps)
        )?;
    }
    Ok(())
}

fn read_units(
    mem: &dyn pe_sections::ReadMemory,
    address: u64,
    unicode: bool,
    max: usize,
) -> Result<Vec<u32>, pe_sections::Error> {
    if unicode {
        pe_sections::read_wstr(mem, address, max).map(|v| v.into_iter().map(u32::from).collect())
    } else {
        pe_sections::read_cstr(mem, address, max).map(|v| v.into_iter().map(u32::from).collect())
    }
}

// ---------------------------------------------------------------------------------------------
// xref

/// Arguments of `dumpscope xref`.
#[derive(Debug, clap::Args)]
pub struct XrefArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// A user-mode minidump, or a PE file.
    pub target: PathBuf,
    /// `MODULE RVA` for a dump (module by name or base), or just `RVA` for a PE file. The RVA
    /// is hex; a full address inside the image is accepted too.
    #[arg(num_args = 1..=2, value_names = ["MODULE", "RVA"])]
    pub rest: Vec<String>,
}

/// One reference of `xref --json`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RefJson {
    /// RVA of the referencing instruction.
    pub rva: u32,
    /// Its address (load base + RVA, or `ImageBase` + RVA for files).
    pub address: u64,
    /// `rip-relative`, `disp32-rva`, `branch`, `absolute` or `reloc-slot`.
    pub kind: String,
    /// Instruction length in bytes.
    pub length: u8,
}

/// The JSON contract of `dumpscope xref --json`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct XrefJson {
    /// The RVA looked for.
    pub target: u32,
    /// The references, by ascending RVA.
    pub references: Vec<RefJson>,
}

fn kind_name(k: RefKind) -> &'static str {
    match k {
        RefKind::RipRelative => "rip-relative",
        RefKind::Disp32Rva => "disp32-rva",
        RefKind::Branch => "branch",
        RefKind::Absolute => "absolute",
        RefKind::RelocSlot => "reloc-slot",
    }
}

/// `dumpscope xref`: the instructions that refer to an RVA of a module.
pub fn run_xref(args: &XrefArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let input = open_input(&args.target)?;
    match &input {
        Input::File(bytes) => {
            let [rva] = args.rest.as_slice() else {
                return Err(CliError::new(
                    "for a PE file give just the RVA: dumpscope xref FILE RVA",
                ));
            };
            let pe = PeImage::parse_file(bytes).map_err(|e| pe_error(&args.target, "PE", &e))?;
            xref_image(
                args,
                &pe,
                &file_stem(&args.target),
                rva,
                if pe.is_64() { 8 } else { 4 },
                out,
            )
        }
        Input::Dump(dump) => {
            let [module, rva] = args.rest.as_slice() else {
                return Err(CliError::new(
                    "for a dump give MODULE RVA: dumpscope xref DUMP ntdll 1234",
                ));
            };
            let m = resolve_module(dump, module)?;
            let mem = dump_memory(dump);
            let pe = PeImage::parse_mapped(&mem, m.base)
                .map_err(|e| pe_error(&args.target, &format!("image at {:#x}", m.base), &e))?;
            // Executable sections missing from the dump limit what can be found: say so.
            let missing: Vec<String> = pe
                .sections()
                .iter()
                .filter(|s| s.is_executable())
                .filter(|s| !matches!(pe.section_status(s), Ok(SectionStatus::Captured)))
                .map(|s| s.name())
                .collect();
            xref_image(args, &pe, &m.name, rva, pointer_size(dump), out)?;
            if missing.is_empty() {
                Ok(())
            } else {
                Err(CliError::new(format!(
                    "{}: code sections not (fully) captured in the dump: {}",
                    m.name,
                    missing.join(", ")
                )))
            }
        }
    }
}

fn xref_image(
    args: &XrefArgs,
    pe: &PeImage<'_>,
    name: &str,
    rva_text: &str,
    ps: usize,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let v = parse_hex(rva_text).ok_or_else(|| CliError::new(format!("bad RVA '{rva_text}'")))?;
    let target = match u32::try_from(v) {
        Ok(r) if r < pe.size_of_image() => r,
        _ => pe.va_to_rva(v).ok_or_else(|| {
            CliError::new(format!("{v:#x} is neither an RVA nor an address of {name}"))
        })?,
    };
    let refs = pe
        .code_references(target)
        .map_err(|e| CliError::new(format!("{name}: {e}")))?;
    if args.json {
        let json = XrefJson {
            target,
            references: refs
                .iter()
                .map(|r| RefJson {
                    rva: r.rva,
                    address: pe.base().saturating_add(u64::from(r.rva)),
                    kind: kind_name(r.kind).to_string(),
                    length: r.len,
                })
                .collect(),
        };
        return write_json(out, &json);
    }
    let exports = pe.exports().ok().flatten();
    let functions = pe.runtime_functions().unwrap_or_default();
    writeln!(
        out,
        "References to {name}+{target:#x} ({}):",
        addr(pe.base().saturating_add(u64::from(target)), ps)
    )?;
    for r in &refs {
        let address = pe.base().saturating_add(u64::from(r.rva));
        let bytes = pe
            .read_rva_vec(r.rva, u64::from(r.len))
            .map(|b| {
                b.iter()
                    .map(|x| format!("{x:02x}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        // The nearest export names the code only if it is not before the enclosing
        // `.pdata` function; otherwise name the function by its start.
        let f = pe_sections::function_containing(&functions, r.rva);
        let export = exports
            .as_ref()
            .and_then(|e| e.nearest_at_or_below(r.rva))
            .and_then(|e| Some((e.name.clone()?, e.rva()?)))
            .filter(|(_, er)| f.is_none_or(|f| *er >= f.begin()));
        let func = match (export, f) {
            (Some((n, er)), _) => format!("  ({name}!{n}+{:#x})", r.rva.saturating_sub(er)),
            (None, Some(f)) => format!("  (in function {name}+{:#x})", f.begin()),
            (None, None) => String::new(),
        };
        writeln!(
            out,
            "{name}+{:#x}  {}  {:<12}  {bytes}{func}",
            r.rva,
            addr(address, ps),
            kind_name(r.kind)
        )?;
    }
    if refs.is_empty() {
        writeln!(out, "(no references found)")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(ctime(0x5AB3_8077), "Thu Mar 22 10:07:51 2018");
        assert_eq!(ctime(951_782_400), "Tue Feb 29 00:00:00 2000");
        assert_eq!(parse_hex("00007ff6`dfe236b0"), Some(0x7ff6_dfe2_36b0));
        assert_eq!(parse_hex("0x36b0"), Some(0x36b0));
        assert_eq!(parse_hex("zz"), None);
        let b: Vec<Option<u8>> = b"==> Allocated ad".iter().copied().map(Some).collect();
        assert_eq!(
            db_line(0x7ff6_dfe2_36b0, &b, 8),
            "00007ff6`dfe236b0  3d 3d 3e 20 41 6c 6c 6f-63 61 74 65 64 20 61 64  ==> Allocated ad"
        );
    }
}
