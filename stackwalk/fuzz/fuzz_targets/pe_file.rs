//! Fuzzes the unwinder over whole PE files: header parsing (`ImageLayout::parse`), `.pdata`
//! lookup through the section table, chained unwind info, and a walk whose stack is the input
//! itself. The unwind target only covers raw `.pdata` bytes; this one covers real images
//! (seed it with the corpus PEs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackwalk::*;

const BASE: u64 = 0x1_4000_0000;
const SP: u64 = 0x10_0000;

fuzz_target!(|data: &[u8]| {
    let _ = ImageLayout::parse(data);
    let Ok(unwind) = ImageUnwind::from_file(data) else {
        return;
    };
    // Entry points of the first functions, and addresses inside them.
    let mut rvas = Vec::new();
    for i in 0..unwind.len().min(16) {
        if let Ok(Some(f)) = unwind.entry(i) {
            rvas.push(f.begin);
            rvas.push(f.begin.wrapping_add(f.end.wrapping_sub(f.begin) / 2));
            let _ = unwind.function_entry(f.begin);
        }
    }
    let size = u64::from(u32::MAX);
    let modules = Modules::new(vec![
        Module::new("fuzz", BASE, size)
            .with_unwind(unwind)
            .with_symbols(SymbolTable::from_exports([(0x1000, "f")])),
    ]);
    let memory = SliceMemory::new(SP, data);
    let walker = Walker::new(memory, &modules).with_limits(Limits::fuzzing());
    for rva in rvas.into_iter().take(8) {
        let ctx = ContextX64::new(BASE + u64::from(rva), SP);
        let s = walker.walk(Context::X64(ctx));
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
