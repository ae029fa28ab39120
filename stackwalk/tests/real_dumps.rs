//! Stacks of real dumps from the corpus.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{MiniDump, read_corpus};
use stackwalk::*;

fn modules_from_dump(d: &MiniDump) -> Modules<'_> {
    let list = d
        .modules
        .iter()
        .map(|m| {
            let module = Module::new(MiniDump::short_name(m), m.base, u64::from(m.size))
                .with_symbols(SymbolTable::from_exports(common::mapped_exports(d, m.base)));
            match ImageUnwind::from_mapped(d, m.base) {
                Ok(u) => module.with_unwind(u),
                Err(_) => module,
            }
        })
        .collect();
    Modules::new(list)
}

fn print(stack: &Stack, modules: &Modules<'_>) {
    for (i, f) in stack.frames.iter().enumerate() {
        let ra = stack.return_address(i).unwrap_or(0);
        println!(
            "{i:02} {:016x} {:016x} {:<14} {}",
            f.stack_pointer,
            ra,
            f.trust.as_str(),
            modules.locate(f.instruction, f.is_return_address)
        );
    }
    println!("stop: {}", stack.stop);
}

#[test]
fn wow64_hello_full_dump_unwinds_through_ntdll_to_the_bottom() {
    let Some(bytes) = read_corpus("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let d = MiniDump::parse(bytes);
    let modules = modules_from_dump(&d);
    println!("{modules:#?}");
    assert!(!d.threads.is_empty());
    for t in &d.threads {
        let ctx = ContextX64::from_bytes(&t.context).unwrap();
        let stack = Walker::new(&d, &modules).walk(Context::X64(ctx));
        println!(
            "thread {:#x} stack {:#x}+{:#x}",
            t.id, t.stack_start, t.stack_size
        );
        print(&stack, &modules);
        assert_eq!(stack.stop, StopReason::EndOfStack);
        assert!(stack.frames.len() >= 3);
        for f in &stack.frames[1..] {
            assert_eq!(f.trust, Trust::Unwind, "{f:?}");
        }
        for f in &stack.frames {
            assert!(f.module.is_some());
        }
        // The MINIDUMP_THREAD stack of a WOW64 thread describes the 32-bit stack; the 64-bit
        // stack's bounds are in the TEB64 (NtTib.StackBase +8, StackLimit +0x10).
        let base = d.read_u64(t.teb + 8).unwrap();
        let limit = d.read_u64(t.teb + 0x10).unwrap();
        println!("TEB64 {:#x}: stack {limit:#x}..{base:#x}", t.teb);
        let last = stack.frames.last().unwrap();
        assert!(last.stack_pointer >= limit && last.stack_pointer < base);
        // The thread's first frame is LdrInitializeThunk, right below the initial CONTEXT
        // record (0x4d0 bytes) that the kernel placed at the top of the new thread's stack.
        assert!(
            base - last.stack_pointer < 0x600,
            "{:#x} {base:#x}",
            last.stack_pointer
        );
        let loc = modules.locate(last.instruction, last.is_return_address);
        assert_eq!(loc.to_string(), "ntdll!LdrInitializeThunk+0xe");
    }
}

#[cfg(feature = "pdb")]
#[test]
fn sigsegv_frame0_has_a_pdb_symbol() {
    let Some(bytes) = read_corpus("user/win10-16299-x64-sigsegv.dmp") else {
        return;
    };
    let Some(pdb_path) = common::corpus("user/win10-16299-x64-sigsegv.pdb") else {
        return;
    };
    let d = MiniDump::parse(bytes);
    let pdb = PdbData::read(std::fs::File::open(pdb_path).unwrap()).unwrap();
    let mut matched = 0;
    let list = d
        .modules
        .iter()
        .map(|m| {
            let mut module = Module::new(MiniDump::short_name(m), m.base, u64::from(m.size));
            if let Ok(u) = ImageUnwind::from_mapped(&d, m.base) {
                module = module.with_unwind(u);
            }
            if PdbIdentity::from_rsds(&m.cv).is_some_and(|id| pdb.matches(&id)) {
                matched += 1;
                module = module
                    .with_symbols(pdb.symbols.clone())
                    .with_code_ranges(pdb.code_ranges.clone());
            }
            module
        })
        .collect();
    assert_eq!(matched, 1, "sigsegv.pdb matches exactly one module");
    let modules = Modules::new(list);
    let t = &d.threads[0];
    let ctx = d
        .exception_context
        .clone()
        .map_or_else(
            || ContextX64::from_bytes(&t.context),
            |c| ContextX64::from_bytes(&c),
        )
        .unwrap();
    let stack = Walker::new(&d, &modules).walk(Context::X64(ctx));
    print(&stack, &modules);
    let f0 = &stack.frames[0];
    assert_eq!(f0.instruction, 0x7ff7a13110d9);
    let loc = modules.locate(f0.instruction, false);
    assert_eq!(loc.module.as_deref(), Some("sigsegv"));
    assert!(loc.symbol.is_some(), "{loc}");
    println!("frame 0: {loc}");
}

/// The WOW64 thread's 32-bit context (TEB64.TlsSlots[1] + 4, as LLDB reads it), walked
/// against the 32-bit ntdll mapped in the dump (it is not in the module list).
#[test]
fn wow64_hello_32bit_context() {
    let Some(bytes) = read_corpus("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let d = MiniDump::parse(bytes);
    let t = &d.threads[0];
    let slot1 = d.read_u64(t.teb + 0x1480 + 8).unwrap();
    let mut raw = vec![0u8; 0x2cc];
    d.read(slot1 + 4, &mut raw).unwrap();
    let ctx = ContextX86::from_bytes(&raw).unwrap();
    println!(
        "WOW64 context at {:#x}: eip {:#x} esp {:#x} ebp {:#x}",
        slot1 + 4,
        ctx.eip,
        ctx.esp(),
        ctx.gpr[5]
    );
    let mut list = Vec::new();
    for (name, base) in [("ntdll32", 0x7790_0000u64), ("hello", 0x40_0000)] {
        let mut h = vec![0u8; 0x1000];
        d.read(base, &mut h).unwrap();
        let layout = ImageLayout::parse(&h).unwrap();
        assert_eq!(layout.machine, 0x14c, "{name} is a 32-bit image");
        list.push(
            Module::new(name, base, u64::from(layout.size_of_image))
                .with_symbols(SymbolTable::from_exports(common::mapped_exports(&d, base)))
                .with_unwind(ImageUnwind::from_mapped(&d, base).unwrap()),
        );
    }
    let modules = Modules::new(list);
    let stack = Walker::new(&d, &modules).walk(Context::X86(ctx.clone()));
    print(&stack, &modules);
    // The process is at the loader breakpoint: the 32-bit side has not run yet, so its context
    // is the initial one, at ntdll32!RtlUserThreadStart on the 32-bit stack that
    // MINIDUMP_THREAD.Stack describes (0x28fff0). That single frame is the whole stack.
    let f0 = modules.locate(stack.frames[0].instruction, false);
    assert_eq!(f0.to_string(), "ntdll32!RtlUserThreadStart");
    assert_eq!(stack.frames[0].stack_pointer, t.stack_start);
    assert_eq!(stack.frames.len(), 1);
    assert!(matches!(stack.stop, StopReason::NoCaller { .. }));
}
