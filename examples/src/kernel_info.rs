//! Facts of a kernel crash dump, as WinDbg's `vertarget`, `.bugcheck` and `lm` print them:
//! system, dump type, bugcheck, loaded and unloaded drivers, physical pages present.
//!
//! Not wired into the CLI yet: [`investigate`] builds the report, [`write_text`] prints it.

use std::io::Write;

use serde::Serialize;

use crate::fmt_util::addr;

/// The system that crashed.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct SystemReport {
    /// `x86`, `x64` or `arm64`.
    pub arch: String,
    /// `MajorVersion` (0xF free build, 0xC checked build).
    pub major: u32,
    /// `MinorVersion`.
    pub minor: u32,
    /// The build number (`MinorVersion` of the dump header).
    pub build: u32,
    /// Number of processors.
    pub processors: u32,
    /// `PAE` paging on x86.
    pub pae: bool,
    /// Kernel base (from the driver list or the KDBG), if known.
    pub kernel_base: Option<u64>,
    /// `PsLoadedModuleList`.
    pub ps_loaded_module_list: u64,
    /// `SystemTime` (FILETIME), when recorded.
    pub system_time: Option<u64>,
    /// `SystemUpTime` (100 ns units), when recorded.
    pub system_up_time: Option<u64>,
}

/// The bugcheck.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct BugcheckReport {
    /// Bugcheck code.
    pub code: u32,
    /// The four parameters.
    pub params: [u64; 4],
}

/// One loaded driver.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ModuleReport {
    /// File name (`ntoskrnl.exe`).
    pub name: String,
    /// Full path when present.
    pub path: Option<String>,
    /// Image base.
    pub base: u64,
    /// Image size.
    pub size: u64,
    /// Link time stamp.
    pub timestamp: Option<u32>,
    /// PE checksum.
    pub checksum: Option<u32>,
    /// PDB name, GUID and age (`pdb_name`, symbol-server key), when the headers are in the dump.
    pub pdb: Option<(String, String)>,
}

/// One unloaded driver.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct UnloadedReport {
    /// File name.
    pub name: String,
    /// Start address.
    pub start: u64,
    /// End address.
    pub end: u64,
}

/// Everything `vertarget`, `.bugcheck`, `lm` and `lm` (unloaded) show.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct KernelInfoReport {
    /// Always `kernel`.
    pub kind: &'static str,
    /// The system.
    pub system: SystemReport,
    /// `full`, `kernel`, `bitmap-full`, `bitmap-kernel` or `triage`.
    pub dump_type: String,
    /// The bugcheck.
    pub bugcheck: BugcheckReport,
    /// Loaded drivers, in list order.
    pub modules: Vec<ModuleReport>,
    /// Unloaded drivers, most recent first.
    pub unloaded_modules: Vec<UnloadedReport>,
    /// Physical pages stored in the dump (0 for a triage dump).
    pub physical_pages: u64,
    /// What could not be read (each a sentence), so partial results are never silent.
    pub problems: Vec<String>,
}

/// Builds the report. Reading problems (a broken module list, no KDBG) are listed in
/// [`KernelInfoReport::problems`], never fatal.
pub fn investigate(dump: &dumpfile::KernelDump) -> KernelInfoReport {
    let h = dump.header();
    let mut problems: Vec<String> = dump.warnings().iter().map(|w| w.to_string()).collect();
    let modules = match dump.drivers() {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("loaded driver list: {e}"));
            Vec::new()
        }
    };
    let unloaded = match dump.unloaded_drivers() {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("unloaded driver list: {e}"));
            Vec::new()
        }
    };
    let kernel_base = modules
        .first()
        .map(|m| m.base)
        .or_else(|| dump.kdbg().ok().and_then(|k| k.kern_base()));
    let arch = match dump.arch() {
        dumpfile::Arch::X86 => "x86",
        dumpfile::Arch::X64 => "x64",
        dumpfile::Arch::Arm64 => "arm64",
        dumpfile::Arch::Unknown(_) => "unknown",
    };
    KernelInfoReport {
        kind: "kernel",
        system: SystemReport {
            arch: arch.to_string(),
            major: h.major_version,
            minor: h.minor_version,
            build: dump.build(),
            processors: h.number_processors,
            pae: h.pae_enabled,
            kernel_base,
            ps_loaded_module_list: h.ps_loaded_module_list,
            system_time: h.system_time,
            system_up_time: h.system_up_time,
        },
        dump_type: dump.kind().name().to_string(),
        bugcheck: BugcheckReport {
            code: dump.bugcheck().code,
            params: dump.bugcheck().parameters,
        },
        modules: modules
            .into_iter()
            .map(|m| ModuleReport {
                pdb: m
                    .codeview
                    .as_ref()
                    .map(|c| (c.pdb_name.clone(), c.symbol_key())),
                name: m.name,
                path: m.path,
                base: m.base,
                size: m.size,
                timestamp: m.timestamp,
                checksum: m.checksum,
            })
            .collect(),
        unloaded_modules: unloaded
            .into_iter()
            .map(|u| UnloadedReport {
                name: u.name,
                start: u.start,
                end: u.end,
            })
            .collect(),
        physical_pages: dump.present_pages(),
        problems,
    }
}

/// The Windows name WinDbg prints before "Kernel Version" for a build.
fn windows_name(build: u32) -> &'static str {
    match build {
        0..=2195 => "Windows 2000",
        2196..=2600 => "Windows XP",
        2601..=3790 => "Windows Server 2003",
        3791..=6002 => "Windows Vista",
        6003..=7601 => "Windows 7",
        7602..=9200 => "Windows 8",
        9201..=9600 => "Windows 8.1",
        _ => "Windows 10",
    }
}

/// Module name as `lm` shows it: the file name without its extension (`nt` for the kernel).
fn lm_name(file: &str, first: bool) -> String {
    if first {
        return "nt".to_string();
    }
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    stem.to_string()
}

/// Prints the report in WinDbg's style: `vertarget`, `.bugcheck`, `lm`, then the unloaded list.
pub fn write_text(r: &KernelInfoReport, out: &mut dyn Write) -> std::io::Result<()> {
    let ps = if r.system.arch == "x86" { 4 } else { 8 };
    let flavour = if r.system.major == 0xC {
        "Checked"
    } else {
        "Free"
    };
    let arch = match r.system.arch.as_str() {
        "x86" => "x86 compatible",
        other => other,
    };
    let mp = if r.system.processors > 1 { "MP" } else { "UP" };
    writeln!(
        out,
        "{} Kernel Version {} {mp} ({} procs) {flavour} {arch}",
        windows_name(r.system.build),
        r.system.build,
        r.system.processors
    )?;
    if r.system.pae {
        writeln!(out, "Kernel uses PAE paging")?;
    }
    match r.system.kernel_base {
        Some(kb) => writeln!(
            out,
            "Kernel base = 0x{} PsLoadedModuleList = 0x{}",
            addr(kb, ps),
            addr(r.system.ps_loaded_module_list, ps)
        )?,
        None => writeln!(
            out,
            "PsLoadedModuleList = 0x{}",
            addr(r.system.ps_loaded_module_list, ps)
        )?,
    }
    writeln!(out, "Dump type: {}", r.dump_type)?;
    if let Some(up) = r.system.system_up_time {
        let s = up / 10_000_000;
        writeln!(
            out,
            "System Uptime: {} days {}:{:02}:{:02}.{:03}",
            s / 86_400,
            (s / 3600) % 24,
            (s / 60) % 60,
            s % 60,
            (up / 10_000) % 1000
        )?;
    }
    writeln!(out, "Physical pages in the dump: {}", r.physical_pages)?;
    writeln!(out)?;
    writeln!(out, "Bugcheck code {:08X}", r.bugcheck.code)?;
    let params: Vec<String> = r.bugcheck.params.iter().map(|p| addr(*p, ps)).collect();
    writeln!(out, "Arguments {}", params.join(" "))?;
    writeln!(out)?;
    let w = if ps == 8 { 17 } else { 8 };
    writeln!(out, "{:<w$} {:<w$}   module name", "start", "end")?;
    for (i, m) in r.modules.iter().enumerate() {
        let ts = m
            .timestamp
            .map_or_else(|| "unavailable".to_string(), |t| format!("{t:08x}"));
        writeln!(
            out,
            "{} {}   {:<10} {:<20} TimeDateStamp {ts}",
            addr(m.base, ps),
            addr(m.base.saturating_add(m.size), ps),
            lm_name(&m.name, i == 0),
            m.name,
        )?;
    }
    if !r.unloaded_modules.is_empty() {
        writeln!(out)?;
        writeln!(out, "Unloaded modules:")?;
        for u in &r.unloaded_modules {
            writeln!(
                out,
                "{} {}   {}",
                addr(u.start, ps),
                addr(u.end, ps),
                u.name
            )?;
        }
    }
    for p in &r.problems {
        writeln!(out, "note: {p}")?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use dumpfile::synth::kernel::{KernelArch, KernelDumpBuilder, KernelDumpType, SynthDriver};

    #[test]
    fn report_of_a_synthetic_x86_pae_bitmap_dump() {
        let mut b = KernelDumpBuilder::new(KernelArch::X86Pae, KernelDumpType::BitmapKernel);
        b.build_number(9600).processors(2);
        b.bugcheck(0xC4, [0x62, 0x8a00_1000, 0x8a00_2000, 3]);
        b.driver(SynthDriver::new("ntoskrnl.exe", 0x8160_0000, 0x70_0000));
        b.driver(SynthDriver::new("leaky.sys", 0x8a00_0000, 0x4000));
        let d = dumpfile::KernelDump::from_bytes(b.write().unwrap()).unwrap();
        let r = investigate(&d);
        assert_eq!(r.kind, "kernel");
        assert_eq!(r.dump_type, "bitmap-kernel");
        assert_eq!(
            (r.system.arch.as_str(), r.system.build, r.system.processors),
            ("x86", 9600, 2)
        );
        assert_eq!(r.modules.len(), 2);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let mut out = Vec::new();
        write_text(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("Windows 8.1 Kernel Version 9600 MP (2 procs) Free x86 compatible")
        );
        assert!(text.contains("Bugcheck code 000000C4"));
        assert!(text.contains("8a000000 8a004000   leaky"));
    }

    #[test]
    fn report_of_the_real_19041_triage_dump() {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/kernel/win10-19041-x64-triage.dmp");
        if !p.is_file() {
            eprintln!("SKIP: {} not found", p.display());
            return;
        }
        let d = dumpfile::KernelDump::open(&p).unwrap();
        let r = investigate(&d);
        assert_eq!(r.dump_type, "triage");
        assert_eq!(r.modules.len(), 151);
        assert_eq!(r.unloaded_modules.len(), 4);
        let mut out = Vec::new();
        write_text(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("Windows 10 Kernel Version 19041 MP (16 procs) Free x64\n"));
        assert!(text.contains(
            "Kernel base = 0xfffff804`7ba00000 PsLoadedModuleList = 0xfffff804`7c62a390"
        ));
        assert!(text.contains("Bugcheck code 1000007E"));
        assert!(text.contains(
            "Arguments ffffffff`c0000005 fffff804`8b58334c ffff8504`29891ee8 ffff8504`29891720"
        ));
        assert!(text.contains("fffff804`7ba00000 fffff804`7ca46000   nt         ntoskrnl.exe"));
        assert!(text.contains("fffff804`87de0000 fffff804`87dfc000   dam.sys"));
    }
}
