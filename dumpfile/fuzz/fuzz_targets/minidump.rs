//! Fuzz the whole `dumpfile` reader: open from bytes, then every accessor, memory reads at
//! addresses taken from the input and from what was parsed, and the process facts.

#![no_main]

use std::hint::black_box;

use dumpfile::{Limits, Minidump};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The last 64 bytes double as addresses to probe.
    let probes: Vec<u64> = data
        .rchunks_exact(8)
        .take(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect();
    let Ok(dump) = Minidump::from_bytes_with_limits(data.to_vec(), Limits::default()) else {
        return;
    };
    black_box(dump.header());
    for s in dump.streams() {
        black_box(dump.raw_stream(s.stream_type));
    }
    black_box(dump.system_info().ok());
    black_box(dump.arch());
    black_box(dump.misc_info().ok());
    if let Ok(Some(e)) = dump.exception() {
        black_box(dump.context(e.context).ok());
    }
    let threads = dump.threads().unwrap_or_default();
    for t in &threads {
        black_box(dump.thread_context(t).ok());
        black_box(dump.wow64_context(t).ok());
        black_box(dump.location_bytes(t.stack_location).ok());
    }
    black_box(dump.thread_ex_list().ok());
    black_box(dump.thread_info().ok());
    black_box(dump.thread_names().ok());
    if let Ok(modules) = dump.modules() {
        for m in &modules {
            black_box(m.pdb_id());
            black_box(m.base_name());
            black_box(m.codeview.as_ref().map(|c| (c.pdb_id(), c.guid_string())));
        }
    }
    black_box(dump.unloaded_modules().ok());
    black_box(dump.memory_info().ok());
    black_box(dump.handles().ok());
    black_box((dump.comment_a(), dump.comment_w()));
    black_box(dump.token().ok());
    black_box(dump.function_table().ok());
    black_box(dump.system_memory_info().ok());
    black_box(dump.process_vm_counters().ok());

    let mem = dump.memory();
    black_box((mem.len(), mem.is_empty(), mem.total_bytes()));
    let mut addrs = probes;
    for r in mem.ranges().take(32) {
        addrs.extend([
            r.base,
            r.base.wrapping_add(r.size).wrapping_sub(3),
            r.base.wrapping_add(r.size),
        ]);
    }
    addrs.extend(threads.iter().take(8).flat_map(|t| [t.teb, t.stack.base]));
    let mut buf = [0u8; 32];
    for a in addrs {
        black_box(mem.region_at(a));
        black_box(mem.next_range_from(a));
        black_box(mem.slice(a, 16).ok());
        black_box(mem.read(a, &mut buf).ok());
        black_box(mem.read_u16(a).ok());
        black_box(mem.read_u32(a).ok());
        black_box(mem.read_u64(a).ok());
        black_box(mem.read_ptr(a, 4).ok());
        black_box(mem.read_ptr(a, 8).ok());
    }
    black_box(dump.process().ok());
});
