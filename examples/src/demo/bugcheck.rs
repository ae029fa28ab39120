//! The synthetic crash of the "NotMyFault" story: a driver (`myfault.sys`) touches paged memory
//! at DISPATCH_LEVEL and the system stops with DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1) while the
//! NotMyFault tool is the current process. Written as a triage dump by `dumpfile`'s kernel synth
//! writer, with the images of the driver and of the kernel's code on the path (PE headers,
//! `.text`, exports, `.pdata` on x64) from `pe_sections`' builder and a stack that walks from the
//! saved context at `nt!KeBugCheckEx` through the page fault's trap frame into myfault (see
//! `frames`), so `analyze` and `dumpscope demo` can show the whole investigation without a real
//! crash.

use dumpfile::synth::kernel::{KernelArch, KernelDumpBuilder, KernelDumpType, SynthDriver};
use pe_sections::synth::PeBuilder;

use crate::CliError;

/// Where the scenario puts things, so tests can check what `analyze` finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BugcheckD1 {
    /// The dump file's bytes.
    pub bytes: Vec<u8>,
    /// `myfault.sys` base.
    pub myfault_base: u64,
    /// The faulting instruction (Arg4).
    pub faulting_ip: u64,
    /// The paged address it read (Arg1).
    pub address: u64,
    /// The current process's image name.
    pub process: &'static str,
    /// The page fault's trap frame.
    pub trap_frame: u64,
    /// The file version in `myfault.sys`'s version resource.
    pub myfault_version: [u16; 4],
    /// The image files of `ntoskrnl.exe` and `myfault.sys` (what `--images` reads when the
    /// dump lacks them): file name and bytes.
    pub images: Vec<(&'static str, Vec<u8>)>,
    /// The stack as the scenario laid it out, from the saved context at `nt!KeBugCheckEx`:
    /// each frame's stack pointer (WinDbg's Child-SP), instruction and call site.
    pub frames: Vec<(u64, u64, String)>,
}

/// RVA of the faulting instruction in `myfault.sys` (`MyfaultDeviceControl+0x46`).
pub const FAULT_RVA: u64 = 0x1346;

/// The file version in `myfault.sys`'s version resource (`IMAGE_VERSION`).
const MYFAULT_VERSION: [u16; 4] = [4, 20, 0, 0];

mod frames;

/// Builds the 0xD1 dump for `arch` (x64: `NotMyfault64.exe` on build 19041; x86 PAE:
/// `NotMyfault.exe` on build 7601).
pub fn bugcheck_d1(arch: KernelArch) -> Result<BugcheckD1, CliError> {
    BugcheckD1::build(arch, true)
}

impl BugcheckD1 {
    /// Builds the 0xD1 dump for `arch`; with `images_in_dump` false, the pages of the
    /// `ntoskrnl.exe` and `myfault.sys` images are left out of the dump (as a triage dump
    /// often lacks them), so their unwind data, exports and version resource must come from
    /// the files in [`BugcheckD1::images`].
    pub fn build(arch: KernelArch, images_in_dump: bool) -> Result<BugcheckD1, CliError> {
        build(arch, images_in_dump)
    }
}

fn build(arch: KernelArch, images_in_dump: bool) -> Result<BugcheckD1, CliError> {
    let x64 = arch == KernelArch::X64;
    let (build, nt, hal, myfault, paged, objects, stack) = if x64 {
        (
            19041,
            0xffff_f804_7ba0_0000_u64,
            0xffff_f804_7944_0000_u64,
            0xffff_f804_8e20_0000_u64,
            0xffff_c28f_3a21_0000_u64,
            0xffff_8504_2000_0000_u64,
            0xffff_8504_2989_0000_u64,
        )
    } else {
        (
            7601,
            0x8284_6000,
            0x8280_f000,
            0x9a6c_0000,
            0x9c81_2000,
            0x8550_0000,
            0x8cf4_a000,
        )
    };
    let (process, name_offset, audit_offset, eprocess_size) = if x64 {
        ("NotMyfault64.exe", 0x5a8_usize, 0x5c0_usize, 0x880_usize)
    } else {
        ("NotMyfault.exe", 0x16c_usize, 0x1ec_usize, 0x2c0_usize)
    };
    let address = paged.wrapping_add(0x1238);
    // The driver (headers, code, exports, `.pdata` on x64) and the kernel's code on the path
    // from the system call to the bugcheck, with the stack between them.
    let mut driver = if x64 {
        PeBuilder::x64()
    } else {
        PeBuilder::x86()
    };
    driver
        .dll_name("myfault.sys")
        .timestamp(0x5F3E_2C11)
        .version_resource(
            MYFAULT_VERSION,
            &[("FileVersion", "4.20"), ("ProductName", "NotMyfault")],
        );
    let s = if x64 {
        frames::x64(nt, myfault, stack, address, driver)
    } else {
        frames::x86(nt, myfault, stack, address, driver)
    };
    let faulting_ip = s.faulting_ip;
    let size =
        |image: &[u8]| u32::try_from(image.len()).map_err(|_| CliError::new("image too large"));

    let mut b = KernelDumpBuilder::new(arch, KernelDumpType::Triage);
    b.build_number(build).processors(4);
    b.bugcheck(0xD1, s.params);
    b.context(s.context.clone());
    b.driver(SynthDriver::new("ntoskrnl.exe", nt, size(&s.nt.bytes)?));
    b.driver(SynthDriver::new("hal.dll", hal, 0x6000));
    // An even number of drivers: the synth writer's x86 triage string pool is misplaced when the
    // 0x4C-byte driver entries do not end on an 8-byte boundary (reported to its owner).
    b.driver(SynthDriver::new(
        "kdcom.dll",
        hal.wrapping_add(0x1_0000),
        0xb000,
    ));
    let mut d = SynthDriver::new("myfault.sys", myfault, size(&s.myfault.bytes)?);
    d.timestamp = 0x5F3E_2C11;
    b.driver(d);
    if images_in_dump {
        b.map(nt, &s.nt.bytes);
        b.map(myfault, &s.myfault.bytes);
    }
    // The current process: an EPROCESS whose ImageFileName names NotMyFault.
    let mut eprocess = vec![0u8; eprocess_size];
    if let Some(slot) = eprocess.get_mut(name_offset..name_offset.saturating_add(15)) {
        let n = process.len().min(15);
        if let (Some(dst), Some(src)) = (slot.get_mut(..n), process.as_bytes().get(..n)) {
            dst.copy_from_slice(src);
        }
    }
    // SeAuditProcessCreationInfo -> OBJECT_NAME_INFORMATION with the full path.
    let name_info = objects.wrapping_add(0x3000);
    let path: Vec<u8> = format!("\\Device\\HarddiskVolume3\\Tools\\{process}")
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let path_len = u16::try_from(path.len()).unwrap_or(0);
    let buffer = name_info.wrapping_add(0x10);
    let mut unicode = Vec::new();
    unicode.extend(path_len.to_le_bytes());
    unicode.extend(path_len.to_le_bytes());
    if x64 {
        unicode.extend([0u8; 4]);
        unicode.extend(buffer.to_le_bytes());
    } else {
        unicode.extend(
            u32::try_from(buffer & 0xffff_ffff)
                .unwrap_or(0)
                .to_le_bytes(),
        );
    }
    unicode.resize(0x10, 0);
    unicode.extend(&path);
    b.map(name_info, &unicode);
    let ptr: Vec<u8> = if x64 {
        name_info.to_le_bytes().to_vec()
    } else {
        u32::try_from(name_info & 0xffff_ffff)
            .unwrap_or(0)
            .to_le_bytes()
            .to_vec()
    };
    if let Some(slot) = eprocess.get_mut(audit_offset..audit_offset.saturating_add(ptr.len())) {
        slot.copy_from_slice(&ptr);
    }
    let prcb = (objects, vec![0u8; 0x100]);
    let eproc = (objects.wrapping_add(0x1000), eprocess);
    let ethread = (objects.wrapping_add(0x2000), vec![0u8; 0x400]);
    b.triage_objects(prcb, eproc, ethread);
    b.triage_stack(stack, s.bytes);
    let bytes = b
        .write()
        .map_err(|e| CliError::new(format!("cannot write the 0xD1 dump: {e}")))?;
    Ok(BugcheckD1 {
        bytes,
        myfault_base: myfault,
        faulting_ip,
        address,
        process,
        trap_frame: s.trap,
        myfault_version: MYFAULT_VERSION,
        images: vec![("ntoskrnl.exe", s.nt.file), ("myfault.sys", s.myfault.file)],
        frames: s.frames,
    })
}

/// `dumpscope demo --scenario bugcheck-d1`: writes the x64 and x86 0xD1 dumps to `dir`
/// (`NotMyFault-x64.dmp`, `NotMyFault-x86.dmp`) and prints `analyze` of the x64 one.
pub fn run_bugcheck_d1(
    dir: &std::path::Path,
    format: crate::report::Format,
    out: &mut dyn std::io::Write,
) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::at(dir, e))?;
    let mut first = None;
    for (arch, name) in [
        (KernelArch::X64, "NotMyFault-x64.dmp"),
        (KernelArch::X86Pae, "NotMyFault-x86.dmp"),
    ] {
        let s = bugcheck_d1(arch)?;
        let path = dir.join(name);
        std::fs::write(&path, &s.bytes).map_err(|e| CliError::at(&path, e))?;
        first.get_or_insert(path);
    }
    let path = first.ok_or_else(|| CliError::new("no dump written"))?;
    let k = crate::target::KernelTarget::open(&path)?;
    if format == crate::report::Format::Text {
        writeln!(out, "Wrote {} (and its x86 twin); analyze:", path.display())?;
        writeln!(out)?;
    }
    crate::report::emit(
        &crate::kernel::analyze::investigate(&k, &crate::kernel::analyze::Options::default()),
        format,
        out,
    )
}
