//! `!heap -stat` of every heap a dump's PEB lists: `cargo run -p examples --example heap_stat
//! -- ../shared/corpus/user/win7-x64-wow64-hello-full.dmp` (dumpfile + ntheap).
use examples::adapt::DumpMemory;
use ntheap::{Heap, LayoutChoice, PointerWidth, report};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let default = "../shared/corpus/user/win7-x64-wow64-hello-full.dmp";
    let path = std::env::args().nth(1).unwrap_or_else(|| default.into());
    let dump = dumpfile::Minidump::open(&path)?;
    let mem = DumpMemory(&dump);
    let process = dump.process()?;
    let width = match dump.arch().pointer_size() {
        4 => PointerWidth::Bits32,
        _ => PointerWidth::Bits64,
    };
    for &address in &process.process_heaps {
        let heap = match Heap::open(&mem, address, width, LayoutChoice::Auto) {
            Ok(h) => h,
            Err(e) => {
                println!("heap {address:#x}: {e}");
                continue;
            }
        };
        println!("heap {address:#x} ({})", heap.layout.name);
        println!("    size     #blocks     total     (percent of busy bytes)");
        for s in report::stat(&heap.walk(&mem)) {
            let (pct, frac) = (s.percent_x100 / 100, s.percent_x100 % 100);
            println!(
                "    {:x} {:x} - {:x}  ({pct}.{frac:02})",
                s.size, s.count, s.total
            );
        }
    }
    Ok(())
}
