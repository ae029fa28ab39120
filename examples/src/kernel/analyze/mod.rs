//! `dumpscope analyze KERNELDUMP` and `-c '!analyze -v'`: the bugcheck explained the way WinDbg's
//! `!analyze -v` lays it out (heading, description, arguments with their meanings,
//! `BUGCHECK_CODE`/`BUGCHECK_P1..P4`, the code-specific keys, `PROCESS_NAME`, `SYMBOL_NAME`,
//! `MODULE_NAME`, `IMAGE_NAME`, `FAILURE_BUCKET_ID`, `OS_VERSION`, `OSPLATFORM_TYPE`).
//!
//! The faulting address is the one the bugcheck's parameters name: the instruction of a 0xA/0xD1
//! (Arg4), the exception address of a 0x7E/0x8E/0x3B family stop (Arg2). Its driver comes from the
//! dump's driver list. Without symbols the symbol is `module+rva` and the bucket
//! `<prefix>_<module>!unknown_function`.

use serde::Serialize;

use crate::target::KernelTarget;

mod text;

/// What to analyze with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where images and PDBs the dump lacks are looked for (`--images`, `--symbols`).
    pub sources: crate::kernel::stack::Sources,
}

/// One bugcheck argument with its meaning.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Arg {
    /// The value.
    pub value: u64,
    /// What it holds.
    pub meaning: String,
}

/// A key of the code-specific block (`READ_ADDRESS`, `EXCEPTION_CODE`, ...), in WinDbg's order.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Key {
    /// The key as WinDbg prints it.
    pub key: &'static str,
    /// The value as text.
    pub value: String,
}

/// What `analyze` reports on a kernel dump; the keys are WinDbg's in lower case.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Always `kernel`.
    pub kind: &'static str,
    /// Bugcheck code.
    pub bugcheck_code: u32,
    /// Its symbolic name (`DRIVER_IRQL_NOT_LESS_OR_EQUAL`), `UNKNOWN_BUGCHECK` when unknown.
    pub bugcheck_name: String,
    /// What the stop means.
    pub description: String,
    /// The four parameters.
    pub bugcheck_params: [u64; 4],
    /// The four arguments with their meanings.
    pub args: Vec<Arg>,
    /// Code-specific keys.
    pub keys: Vec<Key>,
    /// Exception code (for exception bugchecks).
    pub exception_code: Option<u32>,
    /// Its name (`STATUS_ACCESS_VIOLATION`).
    pub exception_name: Option<String>,
    /// The exception or faulting instruction address.
    pub faulting_ip: Option<u64>,
    /// Image name of the current process (`System`, `NotMyfault64.exe`).
    pub process_name: Option<String>,
    /// `module+rva` (or `module!function+off`) of the faulting address.
    pub symbol_name: Option<String>,
    /// Module of the faulting address (`myfault`, `nt`).
    pub module_name: Option<String>,
    /// File of that module (`myfault.sys`).
    pub image_name: Option<String>,
    /// Its file version from its version resource (`a.b.c.d`), when the dump holds it.
    pub image_version: Option<String>,
    /// WinDbg-shaped bucket id.
    pub failure_bucket_id: String,
    /// `10.0.BUILD.0`-style version.
    pub os_version: String,
    /// `x64`, `x86`.
    pub osplatform_type: String,
    /// The trap frame of a 0xA/0xD1 (found in the saved stack) or 0x8E (Arg3).
    pub trap_frame: Option<u64>,
    /// The trap frame's registers (those the walk knows), in WinDbg's order.
    pub trap_registers: Vec<(String, u64)>,
    /// The stack the bugcheck names (`.cxr`/`.trap`, else the saved context).
    pub stack_text: Vec<crate::kernel::stack::Frame>,
    /// What could not be read, each a sentence.
    pub problems: Vec<String>,
    /// Pointer size (text only).
    #[serde(skip)]
    pub pointer_size: usize,
}

/// The offsets in `EPROCESS` of `ImageFileName` (15 bytes) and `SeAuditProcessCreationInfo`
/// (a pointer to the full image path) for this architecture and build, from the PDB-derived
/// layouts (22631 x64, 7601 x86, 2600 x86; 19041 x64 verified on the real triage dump, which
/// reads `System` at 0x5a8 and a kernel pointer at 0x5c0), and for ARM64 22000 from a real
/// Windows 11 ARM64 triage dump (`System` at 0x560, a kernel pointer at 0x578; in the same copy
/// `UniqueProcessId` 4 at 0x3F8 and `ActiveProcessLinks` at 0x400, whose Blink is the header's
/// `PsActiveProcessHead`).
fn eprocess_name_offsets(arch: dumpfile::Arch, build: u32) -> Option<(u64, Option<u64>)> {
    match (arch, build) {
        (dumpfile::Arch::X64, 19041..=22631) => Some((0x5a8, Some(0x5c0))),
        (dumpfile::Arch::Arm64, 22000) => Some((0x560, Some(0x578))),
        (dumpfile::Arch::X86, 7600..=7601) => Some((0x16c, Some(0x1ec))),
        (dumpfile::Arch::X86, 2600) => Some((0x174, Some(0x1f4))),
        _ => None,
    }
}

/// Image names a process list always has, for finding `ImageFileName` without its offset.
const WELL_KNOWN_IMAGES: [&str; 5] = ["System", "Registry", "Idle", "MemCompression", "smss.exe"];

/// `ImageFileName` found in an `EPROCESS` copy without its offset: the first 8-aligned
/// NUL-terminated printable name between +0x300 and +0x800 that is a well-known image or ends
/// in `.exe`. Returns the offset and the name.
fn scan_image_file_name(k: &KernelTarget, eprocess: u64, len: u64) -> Option<(u64, String)> {
    let len = usize::try_from(len.min(0x800)).ok()?;
    let mut copy = vec![0u8; len];
    k.dump.memory().read(eprocess, &mut copy).ok()?;
    (0x300..len).step_by(8).find_map(|off| {
        let b = copy.get(off..off.checked_add(15)?.min(len))?;
        let end = b.iter().position(|c| *c == 0)?;
        let name = b.get(..end)?;
        if name.is_empty() || !name.iter().all(|c| (0x20..0x7f).contains(c)) {
            return None;
        }
        let name = String::from_utf8_lossy(name).into_owned();
        let known = WELL_KNOWN_IMAGES.contains(&name.as_str())
            || name.to_ascii_lowercase().ends_with(".exe");
        known.then(|| (u64::try_from(off).unwrap_or(0), name))
    })
}

/// The current process through the first processor's current thread: `KPRCB.CurrentThread`,
/// then `KTHREAD.ApcState.Process`, with the KDBG's offsets.
pub fn current_process(k: &KernelTarget) -> Option<u64> {
    let kdbg = k.kdbg().ok()?;
    let cur = u64::from(kdbg.offset_prcb_current_thread()?);
    let apc = u64::from(kdbg.offset_kthread_apc_process()?);
    let prcb = k
        .dump
        .processors()
        .ok()?
        .into_iter()
        .find_map(|p| p.prcb.ok())?;
    let mem = k.dump.memory();
    let ps = k.pointer_size();
    let thread = mem.read_ptr(prcb.wrapping_add(cur), ps).ok()?;
    let process = mem.read_ptr(thread.wrapping_add(apc), ps).ok()?;
    (process != 0).then_some(process)
}

/// The file name of the `OBJECT_NAME_INFORMATION` (a `UNICODE_STRING`) at `at`.
fn audit_file_name(k: &KernelTarget, at: u64) -> Option<String> {
    let mem = k.dump.memory();
    let ps = k.pointer_size();
    let len = mem.read_u16(at).ok()?;
    let buffer = mem
        .read_ptr(at.wrapping_add(if ps == 8 { 8 } else { 4 }), ps)
        .ok()?;
    let mut bytes = vec![0u8; usize::from(len.min(1024))];
    mem.read(buffer, &mut bytes).ok()?;
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .collect();
    let path = String::from_utf16_lossy(&units);
    let name = path.rsplit('\\').next().unwrap_or(&path);
    (!name.is_empty()).then(|| name.to_string())
}

/// The current process's image name: the file name of `SeAuditProcessCreationInfo` when the
/// dump holds it, else `ImageFileName`, from the triage dump's `EPROCESS` copy (the current
/// thread's process of full dumps is not followed yet: that needs the objects work).
fn process_name(k: &KernelTarget, problems: &mut Vec<String>) -> Option<String> {
    let triage_copy = k
        .dump
        .triage()
        .and_then(|t| t.range(dumpfile::TriageRangeKind::Process));
    let Some(eprocess) = triage_copy
        .as_ref()
        .map(|r| r.base)
        .or_else(|| current_process(k))
    else {
        problems.push(
            "PROCESS_NAME: neither a triage EPROCESS nor PRCB.CurrentThread -> \
             ApcState.Process could be read"
                .to_string(),
        );
        return None;
    };
    let arch = k.dump.arch();
    let Some((off, audit)) = eprocess_name_offsets(arch, k.dump.build()) else {
        let found = triage_copy.and_then(|r| scan_image_file_name(k, eprocess, r.size));
        let what = format!(
            "no EPROCESS.ImageFileName offset known for {} build {}",
            crate::kernel::info::arch_name(arch),
            k.dump.build()
        );
        return match found {
            Some((off, name)) => {
                problems.push(format!(
                    "PROCESS_NAME: {what}: found by its text at EPROCESS+0x{off:x} in the triage copy"
                ));
                Some(name)
            }
            None => {
                problems.push(format!("PROCESS_NAME: {what}"));
                None
            }
        };
    };
    // The full image name (ImageFileName keeps only 15 bytes: `NotMyfault64.ex`).
    if let Some(audit) = audit
        && let Ok(p) = k
            .dump
            .memory()
            .read_ptr(eprocess.wrapping_add(audit), k.pointer_size())
        && p != 0
        && let Some(name) = audit_file_name(k, p)
    {
        return Some(name);
    }
    let mut buf = [0u8; 15];
    k.dump
        .memory()
        .read(eprocess.wrapping_add(off), &mut buf)
        .ok()?;
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    let name = buf.get(..end)?;
    (!name.is_empty() && name.iter().all(|b| (0x20..0x7f).contains(b)))
        .then(|| String::from_utf8_lossy(name).into_owned())
}

/// The exception record at `at` (`EXCEPTION_RECORD` of the dump's width): code, address and
/// parameters.
pub fn exception_record(k: &KernelTarget, at: u64) -> Option<(u32, u64, Vec<u64>)> {
    let mem = k.dump.memory();
    let code = mem.read_u32(at).ok()?;
    let (addr_off, n_off, info_off, ps) = if k.pointer_size() == 8 {
        (0x10, 0x18, 0x20, 8u64)
    } else {
        (0xC, 0x10, 0x14, 4u64)
    };
    let address = mem
        .read_ptr(at.wrapping_add(addr_off), k.pointer_size())
        .ok()?;
    let n = mem.read_u32(at.wrapping_add(n_off)).ok()?.min(15);
    let params = (0..u64::from(n))
        .filter_map(|i| {
            let off = i.checked_mul(ps)?.checked_add(info_off)?;
            mem.read_ptr(at.wrapping_add(off), k.pointer_size()).ok()
        })
        .collect();
    Some((code, address, params))
}

/// `OS_VERSION` as WinDbg prints it: the NT version of the build, the build, and 0 for the
/// revision (which the dump header does not hold).
fn os_version(build: u32) -> String {
    let nt = match build {
        0..=2195 => "5.0",
        2196..=2600 => "5.1",
        2601..=3790 => "5.2",
        3791..=6002 => "6.0",
        6003..=7601 => "6.1",
        7602..=9200 => "6.2",
        9201..=9600 => "6.3",
        _ => "10.0",
    };
    format!("{nt}.{build}.0")
}

/// `IMAGE_VERSION`: the file version of `driver`'s version resource, read from its image in
/// the dump, else from its image file in `src.image_dirs`. Pages the dump lacks and no file
/// give nothing (as WinDbg prints nothing); a malformed resource gives a note.
fn image_version(
    k: &KernelTarget,
    driver: &dumpfile::Driver,
    src: &crate::kernel::stack::Sources,
    problems: &mut Vec<String>,
) -> Option<String> {
    let mem = k.mem();
    let info =
        pe_sections::PeImage::parse_mapped(&mem, driver.base).and_then(|img| img.version_info());
    let from_file = || {
        let (_, bytes) = crate::user::stacks::image_file(
            &src.image_dirs,
            &driver.name,
            driver.timestamp,
            driver.size,
        )?;
        let img = pe_sections::PeImage::parse_file(&bytes).ok()?;
        img.version_info().ok()??.file_version_string()
    };
    match info {
        Ok(v) => v.and_then(|v| v.file_version_string()),
        Err(e) if e.is_not_captured() => from_file(),
        Err(e) => {
            problems.push(format!("IMAGE_VERSION of {}: {e}", driver.name));
            None
        }
    }
}

/// `IMAGE_NAME` of a driver: its file name, but for the kernel its original name as WinDbg
/// prints it (`ntkrnlmp.exe` on a multiprocessor system): the name of its PDB when the image
/// is in the dump, else `ntkrnlmp.exe` for an `ntoskrnl.exe` with more than one processor.
fn image_name(k: &KernelTarget, d: &dumpfile::Driver) -> String {
    if k.module_name(d) != "nt" {
        return d.name.clone();
    }
    let from_pdb = d.codeview.as_ref().and_then(|c| {
        let file = c.pdb_name.rsplit(['\\', '/']).next()?;
        let stem = file
            .strip_suffix(".pdb")
            .or_else(|| file.strip_suffix(".PDB"))?;
        (!stem.is_empty()).then(|| format!("{stem}.exe"))
    });
    match from_pdb {
        Some(n) => n,
        None if k.dump.header().number_processors > 1
            && d.name.eq_ignore_ascii_case("ntoskrnl.exe") =>
        {
            "ntkrnlmp.exe".to_string()
        }
        None => d.name.clone(),
    }
}

/// Builds the report.
pub fn investigate(k: &KernelTarget, o: &Options) -> Report {
    let bc = k.dump.bugcheck();
    let code = bc.code;
    let p = bc.parameters;
    let info = dumpfile::bugcheck_info(code);
    let base = info.map_or(code, dumpfile::BugCheckInfo::base_code);
    let meanings = info.map(|i| i.params_for(p[0]));
    let ps = k.pointer_size();
    let mut problems: Vec<String> = Vec::new();
    let args = (1..)
        .zip(p.iter())
        .map(|(n, v): (usize, &u64)| Arg {
            value: *v,
            meaning: meanings
                .and_then(|m| m.get(n.saturating_sub(1)).map(|m| m.meaning.to_string()))
                .unwrap_or_else(|| format!("Parameter {n}")),
        })
        .collect();
    let mut keys = Vec::new();
    let mut key = |key: &'static str, value: String| keys.push(Key { key, value });
    let mut faulting_ip = None;
    let mut exception_code = None;
    let mut access: Option<dumpfile::AccessKind> = None;
    match base {
        0xA | 0xD1 => {
            let what = match p[2] {
                0 => "READ_ADDRESS",
                8 => "EXECUTE_ADDRESS",
                _ => "WRITE_ADDRESS",
            };
            key(what, crate::report::numbers::addr(p[0], ps));
            key("CURRENT_IRQL", format!("{:x}", p[1]));
            faulting_ip = Some(p[3]);
            access = Some(if p[2] == 0 {
                dumpfile::AccessKind::Read
            } else {
                dumpfile::AccessKind::Write
            });
        }
        0x7E | 0x8E | 0x3B => {
            let c = u32::try_from(p[0] & 0xffff_ffff).unwrap_or(0);
            exception_code = Some(c);
            faulting_ip = Some(p[1]);
            key(
                "EXCEPTION_CODE_STR",
                format!(
                    "{c:x} ({})",
                    dumpfile::ntstatus_name(c).unwrap_or("unknown")
                ),
            );
            key("EXCEPTION_ADDRESS", crate::report::numbers::addr(p[1], ps));
            let (exr, cxr) = match base {
                0x7E => (Some(p[2]), Some(p[3])),
                0x3B => (None, Some(p[2])),
                _ => (None, None),
            };
            if let Some(exr) = exr {
                key(
                    "EXCEPTION_RECORD",
                    format!(
                        "{} -- (.exr 0x{exr:x})",
                        crate::report::numbers::addr(exr, ps)
                    ),
                );
                match exception_record(k, exr) {
                    Some((rc, _, params)) if rc == c => {
                        if let Some((kind, a)) =
                            dumpfile::access_violation(&params).filter(|_| c == 0xC000_0005)
                        {
                            access = Some(kind);
                            let k = match kind {
                                dumpfile::AccessKind::Read => "READ_ADDRESS",
                                dumpfile::AccessKind::Write => "WRITE_ADDRESS",
                                _ => "EXECUTE_ADDRESS",
                            };
                            key(k, crate::report::numbers::addr(a, ps));
                        }
                    }
                    Some((rc, _, _)) => problems.push(format!(
                        "the exception record at {exr:x} holds code {rc:x}, not {c:x}"
                    )),
                    None => problems.push(format!(
                        "the exception record at {exr:x} is not in the dump"
                    )),
                }
            }
            if let Some(cxr) = cxr {
                key(
                    "CONTEXT",
                    format!(
                        "{} -- (.cxr 0x{cxr:x})",
                        crate::report::numbers::addr(cxr, ps)
                    ),
                );
            }
        }
        _ => {}
    }
    let process_name = process_name(k, &mut problems);
    let src = &o.sources;
    let (stack_text, from_saved_context) = match crate::kernel::stack::investigate_with(
        k,
        &crate::kernel::stack::Options::default(),
        src,
    ) {
        Ok(r) => (r.frames, r.start == "saved context"),
        Err(e) => {
            problems.push(format!("STACK_TEXT: {e}"));
            (Vec::new(), false)
        }
    };
    // The trap frame: the one the walk went through to the faulting instruction, else (0xA,
    // 0xD1) one found in the saved stack, or (0x8E) Arg3.
    let walked_trap = faulting_ip.and_then(|ip| {
        stack_text
            .windows(2)
            .find(|w| w.get(1).is_some_and(|f| f.instruction == ip))
            .and_then(|w| w.first()?.trap_frame)
    });
    let trap_frame = walked_trap.or(match base {
        0xA | 0xD1 => crate::kernel::stack::find_trap_frame(k, p[3]),
        0x8E => Some(p[2]),
        _ => None,
    });
    let trap_registers = trap_frame
        .and_then(|t| {
            let o = crate::kernel::stack::Options {
                start: crate::kernel::stack::Start::Trap(t),
            };
            crate::kernel::stack::investigate_with(k, &o, src).ok()
        })
        .map_or_else(Vec::new, |r| r.registers);
    // The faulting frame: the trap or exception IP, else the first frame outside the kernel
    // and the HAL, else (every frame in nt or hal, as in a manually initiated crash) the
    // kernel frame that called the bugcheck: WinDbg's triage skips `nt!KeBugCheck*` and
    // `nt!KiBugCheck*`, and the saved context's first frame is the bugcheck routine itself.
    let (faulting, is_return) = match faulting_ip {
        Some(ip) => (Some(ip), false),
        None => stack_text
            .iter()
            .enumerate()
            .find(|(_, f)| {
                k.driver_at(f.instruction)
                    .is_some_and(|d| !matches!(k.module_name(d).as_str(), "nt" | "hal"))
            })
            .or_else(|| {
                stack_text
                    .iter()
                    .enumerate()
                    .skip(usize::from(from_saved_context))
                    .find(|(_, f)| {
                        k.driver_at(f.instruction).is_some()
                            && !f.call_site.contains("!KeBugCheck")
                            && !f.call_site.contains("!KiBugCheck")
                    })
            })
            .map_or((None, false), |(i, f)| (Some(f.instruction), i > 0)),
    };
    let driver = faulting.and_then(|ip| k.driver_at(ip));
    let module_name = driver.map(|d| k.module_name(d));
    let image_name = driver.map(|d| image_name(k, d));
    let symbol = faulting
        .filter(|_| driver.is_some())
        .map(|ip| crate::kernel::stack::locate(k, src, ip, is_return));
    let symbol_name = match (driver, &module_name, faulting, &symbol) {
        (Some(_), Some(m), Some(_), Some(l)) if l.symbol.is_some() => Some(format!(
            "{m}!{}+{:x}",
            l.symbol.as_deref().unwrap_or(""),
            l.offset
        )),
        (Some(d), Some(m), Some(ip), _) => Some(format!("{m}+{:x}", ip.wrapping_sub(d.base))),
        _ => None,
    };
    let image_version = driver.and_then(|d| image_version(k, d, src, &mut problems));
    if faulting_ip.is_some() && driver.is_none() {
        problems.push("the faulting address is in no loaded driver".to_string());
    }
    let func = match (
        &module_name,
        symbol.as_ref().and_then(|l| l.symbol.as_ref()),
    ) {
        (Some(m), Some(s)) => format!("{m}!{s}"),
        (Some(m), None) => format!("{m}!unknown_function"),
        (None, _) => "unknown_image".to_string(),
    };
    let failure_bucket_id = match (exception_code, access) {
        (Some(0xC000_0005), Some(dumpfile::AccessKind::Read))
        | (None, Some(dumpfile::AccessKind::Read)) => {
            format!("AV_R_{func}")
        }
        (Some(0xC000_0005), _) | (None, Some(_)) => format!("AV_{func}"),
        (Some(c), _) => format!("0x{base:x}_{c:x}_{func}"),
        (None, None) => format!("0x{code:x}_{func}"),
    };
    Report {
        kind: "kernel",
        bugcheck_code: code,
        bugcheck_name: info.map_or("UNKNOWN_BUGCHECK", |i| i.name).to_string(),
        description: info.map_or("", |i| i.description).to_string(),
        bugcheck_params: p,
        args,
        keys,
        exception_code,
        exception_name: exception_code
            .and_then(dumpfile::ntstatus_name)
            .map(str::to_string),
        faulting_ip,
        process_name,
        symbol_name,
        module_name,
        image_name,
        image_version,
        failure_bucket_id,
        os_version: os_version(k.dump.build()),
        osplatform_type: crate::kernel::info::arch_name(k.dump.arch()).to_string(),
        trap_frame,
        trap_registers,
        stack_text,
        problems,
        pointer_size: ps,
    }
}
