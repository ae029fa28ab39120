//! Fuzzes the unwinder: arbitrary unwind data (`.pdata` + UNWIND_INFO), x86 frame data, stack
//! bytes and registers. Every walk must end without a panic, within the frame limit, with the
//! stack pointer strictly increasing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackwalk::*;

const BASE: u64 = 0x1_4000_0000;
const SP: u64 = 0x10_0000;

fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = data.get(at..at + 8) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 0x90 {
        return;
    }
    let (head, rest) = data.split_at(0x90);
    let split = (usize::from(head[0]) << 4).min(rest.len());
    let (image_bytes, stack) = rest.split_at(split);
    // Image: `.pdata` at 0x10 with up to 16 entries, everything else raw.
    let mut image = image_bytes.to_vec();
    image.resize(0x1000, 0);
    let count = u32::from(head[1] & 15);
    let layout = ImageLayout {
        machine: 0x8664,
        time_date_stamp: 0,
        size_of_image: 0x1000,
        exception: (0x10, count * 12),
        debug: (0, 0),
        export: (0, 0),
        sections: vec![],
    };
    let unwind = ImageUnwind::new(FileImage { bytes: image, sections: vec![] }, &layout);
    // x86 frame data from the head bytes.
    let program = String::from_utf8_lossy(&head[0x80..0x90]).into_owned();
    let table = FrameTable::new(vec![FrameEntry {
        rva: u32::from(head[2]),
        code_size: u32::from(head[3]) + 1,
        kind: if head[4] & 1 == 0 { FrameKind::FrameData } else { FrameKind::Fpo },
        locals_size: u32::from(head[5]),
        params_size: u32::from(head[6]),
        prolog_size: 0,
        saved_regs_size: u16::from(head[7]),
        uses_base_pointer: head[4] & 2 != 0,
        program: (head[4] & 4 != 0).then_some(program),
    }]);
    let modules = Modules::new(vec![
        Module::new("fuzz", BASE, 0x1000)
            .with_unwind(unwind)
            .with_symbols(SymbolTable::from_exports([(0x100, "f")])),
        Module::new("fuzz32", 0x40_0000, 0x1000).with_frame_data(table),
    ]);
    let memory = SliceMemory::new(SP, stack);
    let limits = Limits::fuzzing();
    let walker = Walker::new(memory, &modules).with_limits(limits);

    let mut ctx = ContextX64::new(BASE + (u64_at(head, 8) % 0x1100), SP);
    for n in 0..16u8 {
        if n != 4 {
            ctx.set_reg(n, u64_at(head, 16 + usize::from(n) * 4));
        }
    }
    let stack64 = walker.walk(Context::X64(ctx));
    let ctx32 = ContextX86::new(
        0x40_0000 + (u64_at(head, 8) % 0x1100) as u32,
        SP as u32,
        u64_at(head, 24) as u32,
    );
    let stack32 = walker.walk(Context::X86(ctx32));
    for s in [&stack64, &stack32] {
        assert!(!s.frames.is_empty() && s.frames.len() <= 64);
        // The stack pointer goes up, except through a machine frame into another stack (the
        // frame then holds an interrupted PC), at most `max_stack_switches` times.
        let mut switches = 0;
        for w in s.frames.windows(2) {
            if w[1].stack_pointer <= w[0].stack_pointer {
                assert!(!w[1].is_return_address);
                switches += 1;
            }
        }
        assert!(switches <= Limits::fuzzing().max_stack_switches);
        for f in &s.frames {
            let _ = modules.locate(f.instruction, f.is_return_address).to_string();
        }
    }
});
