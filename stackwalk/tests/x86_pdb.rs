//! x86: synthetic stacks over x86-msvc-crash.exe unwound with its PDB's frame data.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![cfg(feature = "pdb")]

mod common;

use common::corpus;
use stackwalk::*;

fn load() -> Option<(Vec<u8>, PdbData)> {
    let exe = std::fs::read(corpus("pe/x86-msvc-crash.exe")?).unwrap();
    let pdb =
        PdbData::read(std::fs::File::open(corpus("pe/x86-msvc-crash.pdb")?).unwrap()).unwrap();
    Some((exe, pdb))
}

#[test]
fn frame_table_and_symbols_from_the_pdb() {
    let Some((exe, pdb)) = load() else { return };
    let layout = ImageLayout::parse(&exe).unwrap();
    assert_eq!(layout.machine, 0x14c);
    assert!(pdb.is_x86);
    // The corpus README: 165 FPO/frame-data records, 339 publics, 103 procedures.
    assert_eq!(pdb.frames.len(), 165);
    let kinds = |k: SymbolKind| pdb.symbols.symbols().iter().filter(|s| s.kind == k).count();
    assert_eq!(kinds(SymbolKind::Procedure), 103);
    assert!(kinds(SymbolKind::Public) > 100 && kinds(SymbolKind::Public) <= 339);
    let main = pdb.symbols.lookup(0x2920).unwrap();
    assert_eq!((main.name.as_str(), main.rva), ("main", 0x2910));
    assert!(!pdb.code_ranges.is_empty());
}

/// The address right after the first `call rel32` inside `[begin, begin + size)`.
fn call_site(img: &dyn ModuleUnwind, begin: u32, size: u32) -> u32 {
    let mut code = vec![0u8; size as usize];
    img.read_rva(begin, &mut code).unwrap();
    let p = (0..code.len() - 5)
        .find(|&p| code[p] == 0xe8)
        .expect("a call");
    begin + p as u32 + 5
}

#[test]
fn crash_exe_three_frames_from_frame_data() {
    let Some((exe, pdb)) = load() else { return };
    const BASE: u32 = 0x0040_0000;
    let img = ImageUnwind::from_file(exe).unwrap();
    // Frame 0: WriteMinidumpWithExceptionForProcess (aligned frame, $T1/.raSearch program,
    // saves $20/$23/$24 = ebx/esi/edi); frame 1: WriteMinidumpWithException (.raSearch
    // program, 12 bytes of parameters); frame 2: HandleException (EBP frame program).
    let f0 = pdb.frames.lookup(0x2210 + 0x50).unwrap().clone();
    assert!(f0.program.as_deref().unwrap().contains("$T1 .raSearch"));
    let ra1 = call_site(&img, 0x2100, 0x71);
    let ra2 = call_site(&img, 0x1c40, 0x11d);
    let esp0: u32 = 0x0012_f000;
    let mut stack = vec![0u8; 0x400];
    let mut put = |addr: u32, v: u32| {
        let o = (addr - (esp0 - 0x100)) as usize;
        stack[o..o + 4].copy_from_slice(&v.to_le_bytes());
    };
    // Frame 0: .raSearch = esp + locals + saved regs.
    let ra_search0 = esp0 + f0.locals_size + u32::from(f0.saved_regs_size);
    let t0 = (ra_search0 - 4) & !7;
    let esp1 = ra_search0 + 4;
    // Frame 1 is past its pushes: the record covering the call site says 12 bytes of saved
    // registers (ebx, esi, edi at .raSearch-4/-8/-12), and frame 0's 20 bytes of parameters
    // still sit on top of them.
    let f1e = pdb.frames.lookup(ra1 - 1).unwrap().clone();
    assert_eq!(f1e.saved_regs_size, 12);
    let ra_search1 = esp1 + f1e.locals_size + u32::from(f1e.saved_regs_size) + f0.params_size;
    let esp2 = ra_search1 + 4;
    let ebp2 = esp2 + 0x40;
    put(ra_search0, BASE + ra1);
    put(ra_search0 - 4, ebp2);
    put(t0 - 136, 0xb0b0_0001); // ebx
    put(t0 - 140, 0xb0b0_0002); // esi
    put(t0 - 144, 0xb0b0_0003); // edi
    put(ra_search1, BASE + ra2);
    put(ra_search1 - 4, 0xd0d0_0001); // ebx
    put(ra_search1 - 8, 0xd0d0_0002); // esi
    put(ra_search1 - 12, 0xd0d0_0003); // edi
    // Frame 2: EBP frame; its caller is the end of the stack.
    put(ebp2, 0);
    put(ebp2 + 4, 0);
    put(ebp2 - 24, 0xc0c0_0002); // esi
    put(ebp2 - 28, 0xc0c0_0003); // edi
    let memory = SliceMemory::new(u64::from(esp0 - 0x100), &stack);
    let modules = Modules::new(vec![
        Module::new("crash", u64::from(BASE), 0x20000)
            .with_unwind(img)
            .with_frame_data(pdb.frames.clone())
            .with_symbols(pdb.symbols.clone()),
    ]);
    let mut ctx = ContextX86::new(BASE + 0x2210 + 0x50, esp0, 0x1234_5678);
    ctx.set_reg(3, 1);
    let walk = Walker::new(memory, &modules).walk(Context::X86(ctx));
    for f in &walk.frames {
        println!(
            "{:08x} {:08x} {:<8} {}",
            f.stack_pointer,
            f.instruction,
            f.trust.as_str(),
            modules.locate(f.instruction, f.is_return_address)
        );
    }
    println!("stop: {}", walk.stop);
    assert_eq!(walk.frames.len(), 3);
    assert_eq!(walk.stop, StopReason::EndOfStack);
    let f1 = &walk.frames[1];
    assert_eq!(f1.instruction, u64::from(BASE + ra1));
    assert_eq!(f1.stack_pointer, u64::from(esp1));
    assert_eq!(f1.trust, Trust::Unwind);
    let Context::X86(c1) = &f1.context else {
        panic!()
    };
    assert_eq!(c1.reg(3), Some(0xb0b0_0001));
    assert_eq!(c1.reg(6), Some(0xb0b0_0002));
    assert_eq!(c1.reg(7), Some(0xb0b0_0003));
    assert_eq!(c1.reg(5), Some(ebp2));
    let f2 = &walk.frames[2];
    assert_eq!(f2.instruction, u64::from(BASE + ra2));
    assert_eq!(f2.stack_pointer, u64::from(esp2));
    assert_eq!(f2.trust, Trust::Unwind);
    let Context::X86(c2) = &f2.context else {
        panic!()
    };
    assert_eq!(c2.reg(3), Some(0xd0d0_0001));
    assert_eq!(c2.reg(6), Some(0xd0d0_0002));
    assert_eq!(c2.reg(7), Some(0xd0d0_0003));
    assert_eq!(c2.reg(5), Some(ebp2));
    let loc = modules.locate(f1.instruction, true);
    assert_eq!(
        loc.symbol.as_deref(),
        Some("google_breakpad::ExceptionHandler::WriteMinidumpWithException")
    );
    let loc = modules.locate(f2.instruction, true);
    assert_eq!(
        loc.symbol.as_deref(),
        Some("google_breakpad::ExceptionHandler::HandleException")
    );
}

#[test]
fn glued_assignment_in_main_program() {
    let Some((_, pdb)) = load() else { return };
    let main = pdb.frames.lookup(0x2910 + 0x40).unwrap().clone();
    assert!(main.program.as_deref().unwrap().contains("=$eip"));
    // $T0 = ebp + 204; eip = [T0+4]; ebp = [T0]; esp = T0 + 8
    let ebp: u32 = 0x0012_0000;
    let mut stack = vec![0u8; 0x200];
    stack[204..208].copy_from_slice(&0x0012_0180u32.to_le_bytes());
    stack[208..212].copy_from_slice(&0x0040_1234u32.to_le_bytes());
    let mem = SliceMemory::new(u64::from(ebp), &stack);
    let ctx = ContextX86::new(0x0040_2950, ebp - 0x100, ebp);
    let out = stackwalk::x86::unwind_x86_frame_data(&ctx, &main, 0, &mem).unwrap();
    assert_eq!(out.eip, 0x0040_1234);
    assert_eq!(out.esp(), ebp + 212);
    assert_eq!(out.reg(5), Some(0x0012_0180));
}

#[test]
fn pdb_identity_matches_the_exe_codeview_record() {
    let Some((exe, pdb)) = load() else { return };
    use object::Object;
    use object::read::pe::PeFile32;
    let pe = PeFile32::parse(&*exe).unwrap();
    let cv = pe.pdb_info().unwrap().unwrap();
    let wanted = PdbIdentity {
        guid: cv.guid(),
        age: cv.age(),
    };
    assert!(pdb.matches(&wanted), "{:?} vs {:?}", pdb.identity, wanted);
    assert_eq!(
        pdb.identity.store_key(),
        "3249D99D0C4049318610F4E4FB0B69361"
    );
}

/// Microsoft's PDBs bump the PDB information stream's age independently: the identity must use
/// the DBI age, which is what the images' CodeView records (and the corpus README) say.
#[test]
fn ntdll_pdb_identity_uses_the_dbi_age() {
    for (file, key) in [
        (
            "pdb/win10-19041-x64-ntdll-96EF4ED5.pdb",
            "96EF4ED537402DAAA51D4A4212EA4B2C1",
        ),
        (
            "pdb/win10-x86-wntdll-1C96EAD8.pdb",
            "1C96EAD80971326D3967ED72C983E1641",
        ),
    ] {
        let Some(p) = corpus(file) else { return };
        let pdb = PdbData::read(std::fs::File::open(p).unwrap()).unwrap();
        assert_eq!(pdb.identity.store_key(), key, "{file}");
        println!(
            "{file}: info age {} dbi age {}",
            pdb.info_age, pdb.identity.age
        );
        if file.contains("wntdll") {
            assert!(pdb.is_x86);
            // The corpus README: 7,486 frame-data records; programs name registers by number.
            assert_eq!(pdb.frames.len(), 7486);
            let rtl = pdb
                .symbols
                .symbols()
                .iter()
                .find(|s| s.name == "RtlAllocateHeap");
            assert!(rtl.is_some(), "undecorated x86 public");
        }
    }
}
