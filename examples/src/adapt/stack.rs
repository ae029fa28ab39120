//! `dumpfile`'s thread contexts and CodeView records as `stackwalk`'s inputs.

use stackwalk::context::machine;
use stackwalk::{Context, ContextX86, PdbIdentity};

/// A thread's raw `CONTEXT` (as the dump stores it) for the dump's architecture.
pub fn thread_context(arch: dumpfile::Arch, bytes: &[u8]) -> Result<Context, String> {
    let machine = match arch {
        dumpfile::Arch::X64 => machine::AMD64,
        dumpfile::Arch::X86 => machine::I386,
        dumpfile::Arch::Arm64 => machine::ARM64,
        a => return Err(format!("unwinding {} threads is not supported", a.name())),
    };
    Context::from_raw(machine, bytes).map_err(|e| e.to_string())
}

/// A kernel dump's saved context (`dumpfile` decodes it) with all its integer registers.
pub fn kernel_context(c: &dumpfile::Context) -> Context {
    match c {
        dumpfile::Context::X64(x) => {
            let mut s = stackwalk::ContextX64::new(x.rip, x.rsp);
            for (r, v) in [
                (0u8, x.rax),
                (1, x.rcx),
                (2, x.rdx),
                (3, x.rbx),
                (5, x.rbp),
                (6, x.rsi),
                (7, x.rdi),
                (8, x.r8),
                (9, x.r9),
                (10, x.r10),
                (11, x.r11),
                (12, x.r12),
                (13, x.r13),
                (14, x.r14),
                (15, x.r15),
            ] {
                s.set_reg(r, v);
            }
            Context::X64(s)
        }
        dumpfile::Context::X86(x) => wow64_context(x),
        dumpfile::Context::Arm64(a) => {
            Context::Arm64(stackwalk::ContextArm64::new(a.pc, a.sp, a.fp, a.lr))
        }
    }
}

/// The 32-bit context of a WOW64 thread, as `dumpfile` reads it from the 64-bit TEB.
pub fn wow64_context(c: &dumpfile::ContextX86) -> Context {
    let mut x = ContextX86::new(c.eip, c.esp, c.ebp);
    for (r, v) in [
        (0u8, c.eax),
        (1, c.ecx),
        (2, c.edx),
        (3, c.ebx),
        (6, c.esi),
        (7, c.edi),
    ] {
        x.set_reg(r, v);
    }
    Context::X86(x)
}

/// The PDB a module's CodeView record names, with its GUID and age (RSDS records only).
pub fn pdb_identity(cv: &dumpfile::CodeView) -> Option<(String, PdbIdentity)> {
    match cv {
        dumpfile::CodeView::Pdb70 {
            guid,
            age,
            pdb_name,
        } => Some((
            pdb_name.clone(),
            PdbIdentity {
                guid: *guid,
                age: *age,
            },
        )),
        _ => None,
    }
}
