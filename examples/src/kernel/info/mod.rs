//! `dumpscope info KERNELDUMP`: the system, dump type, bugcheck, kernel base, loaded and unloaded
//! drivers and physical pages of a kernel crash dump, as WinDbg's `vertarget`, `.bugcheck` and
//! `lm` show them.

use serde::Serialize;

use crate::target::KernelTarget;

mod text;

pub use self::text::{write_bugcheck, write_lm, write_vertarget};

/// What to show (nothing to choose yet).
#[derive(Debug, Clone, Copy, Default)]
pub struct Options;

/// The system that crashed (`system` of the JSON contract).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct System {
    /// `x86`, `x64` or `arm64`.
    pub arch: String,
    /// `MajorVersion` (0xF free build, 0xC checked build).
    pub major: u32,
    /// `MinorVersion`.
    pub minor: u32,
    /// The build number.
    pub build: u32,
    /// Number of processors.
    pub processors: u32,
    /// PAE paging (x86).
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

/// The bugcheck (`bugcheck`).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Bugcheck {
    /// Bugcheck code.
    pub code: u32,
    /// The four parameters.
    pub params: [u64; 4],
}

/// One loaded driver (`modules`).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Module {
    /// File name as `lm` shows it (`ntoskrnl.exe`).
    pub name: String,
    /// Module name (`nt`, `myfault`).
    pub module: String,
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
    /// PDB name, when the headers are in the dump.
    pub pdb_name: Option<String>,
    /// Symbol-server key (GUID and age), when the headers are in the dump.
    pub pdb_id: Option<String>,
}

/// One unloaded driver (`unloaded_modules`).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Unloaded {
    /// File name.
    pub name: String,
    /// Start address.
    pub start: u64,
    /// End address.
    pub end: u64,
}

/// What `dumpscope info` reports on a kernel dump; its serde form is the JSON contract.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Always `kernel`.
    pub kind: &'static str,
    /// The system.
    pub system: System,
    /// `full`, `kernel`, `bitmap-full`, `bitmap-kernel` or `triage`.
    pub dump_type: String,
    /// The bugcheck.
    pub bugcheck: Bugcheck,
    /// Loaded drivers, in list order.
    pub modules: Vec<Module>,
    /// Unloaded drivers, most recent first.
    pub unloaded_modules: Vec<Unloaded>,
    /// Physical pages stored in the dump (0 for a triage dump).
    pub physical_pages: u64,
    /// What could not be read (each a sentence), so partial results are never silent.
    pub problems: Vec<String>,
}

/// Architecture name of the JSON contract.
pub fn arch_name(arch: dumpfile::Arch) -> &'static str {
    match arch {
        dumpfile::Arch::X86 => "x86",
        dumpfile::Arch::X64 => "x64",
        dumpfile::Arch::Arm64 => "arm64",
        dumpfile::Arch::Unknown(_) => "unknown",
    }
}

/// Builds the report. Reading problems (a broken module list, no KDBG) are listed in
/// [`Report::problems`], never fatal.
pub fn investigate(k: &KernelTarget, _: &Options) -> Report {
    let dump = &k.dump;
    let h = dump.header();
    let mut problems: Vec<String> = dump.warnings().iter().map(ToString::to_string).collect();
    let drivers = k.drivers().unwrap_or_else(|e| {
        problems.push(format!("loaded driver list: {e}"));
        &[]
    });
    let unloaded = k.unloaded().unwrap_or_else(|e| {
        problems.push(format!("unloaded driver list: {e}"));
        &[]
    });
    let kernel_base = drivers
        .first()
        .map(|m| m.base)
        .or_else(|| k.kdbg().ok().and_then(dumpfile::Kdbg::kern_base));
    Report {
        kind: "kernel",
        system: System {
            arch: arch_name(dump.arch()).to_string(),
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
        bugcheck: Bugcheck {
            code: dump.bugcheck().code,
            params: dump.bugcheck().parameters,
        },
        modules: drivers
            .iter()
            .map(|m| Module {
                name: m.name.clone(),
                module: k.module_name(m),
                path: m.path.clone(),
                base: m.base,
                size: m.size,
                timestamp: m.timestamp,
                checksum: m.checksum,
                pdb_name: m.codeview.as_ref().map(|c| c.pdb_name.clone()),
                pdb_id: m.codeview.as_ref().map(dumpfile::CodeViewId::symbol_key),
            })
            .collect(),
        unloaded_modules: unloaded
            .iter()
            .map(|u| Unloaded {
                name: u.name.clone(),
                start: u.start,
                end: u.end,
            })
            .collect(),
        physical_pages: dump.present_pages(),
        problems,
    }
}

impl Report {
    /// Pointer size of the dump's architecture.
    pub fn pointer_size(&self) -> usize {
        if self.system.arch == "x86" { 4 } else { 8 }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::report::Text;
    use dumpfile::synth::kernel::{KernelArch, KernelDumpBuilder, KernelDumpType, SynthDriver};

    fn synthetic(arch: KernelArch, kind: KernelDumpType) -> KernelTarget {
        let mut b = KernelDumpBuilder::new(arch, kind);
        b.build_number(9600).processors(2);
        b.bugcheck(0xC4, [0x62, 0x8a00_1000, 0x8a00_2000, 3]);
        let (nt, leaky) = if arch == KernelArch::X64 {
            (0xffff_f800_0100_0000, 0xffff_f880_0100_0000)
        } else {
            (0x8160_0000, 0x8a00_0000)
        };
        b.driver(SynthDriver::new("ntoskrnl.exe", nt, 0x70_0000));
        b.driver(SynthDriver::new("leaky.sys", leaky, 0x4000));
        let d = dumpfile::KernelDump::from_bytes(b.write().unwrap()).unwrap();
        KernelTarget::new("synthetic.dmp".into(), d)
    }

    #[test]
    fn every_synthetic_arch_and_kind_reports_system_bugcheck_and_drivers() {
        use KernelArch::*;
        use KernelDumpType::*;
        for (arch, name, ps) in [(X86, "x86", 4), (X86Pae, "x86", 4), (X64, "x64", 8)] {
            for (kind, kind_name) in [
                (Full, "full"),
                (BitmapKernel, "bitmap-kernel"),
                (BitmapFull, "bitmap-full"),
                (Triage, "triage"),
            ] {
                let k = synthetic(arch, kind);
                let r = investigate(&k, &Options);
                assert_eq!(r.kind, "kernel");
                assert_eq!(r.dump_type, kind_name, "{arch:?} {kind:?}");
                assert_eq!(r.system.arch, name);
                assert_eq!(r.system.pae, arch == X86Pae);
                assert_eq!((r.system.build, r.system.processors), (9600, 2));
                assert_eq!(r.bugcheck.code, 0xC4);
                assert_eq!(r.modules.len(), 2, "{arch:?} {kind:?} {:?}", r.problems);
                assert_eq!(r.modules[0].module, "nt");
                assert_eq!(r.modules[1].module, "leaky");
                assert_eq!(r.pointer_size(), ps);
                let mut out = Vec::new();
                r.text(&mut out).unwrap();
                let text = String::from_utf8(out).unwrap();
                assert!(text.contains("Bugcheck code 000000C4"), "{text}");
                assert!(text.contains("   leaky "), "{text}");
            }
        }
    }
}
