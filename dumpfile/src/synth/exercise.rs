//! Calls every public reader entry point on a dump: the shared body of the `minidump` fuzz target
//! and of the mutation property tests, and for anyone fuzzing the reader with their own inputs.

use std::hint::black_box;

use crate::Minidump;

/// Opens `bytes` with [`Limits::default`](crate::Limits::default) and, when that succeeds, calls every accessor and memory
/// read on it, probing memory at `addresses` and at the edges of the captured ranges, thread TEBs
/// and stacks. Results are ignored: only panics, hangs and unbounded allocation matter.
pub fn exercise_reader(bytes: Vec<u8>, addresses: &[u64]) {
    let Ok(dump) = Minidump::from_bytes(bytes) else {
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
            black_box(m.version.map(|v| v.file_version_parts()));
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
    let mut addrs: Vec<u64> = addresses.to_vec();
    for r in mem.ranges().take(64) {
        let end = r.base.wrapping_add(r.size);
        addrs.extend([
            r.base,
            r.base.wrapping_sub(1),
            end,
            end.wrapping_sub(3),
            end.wrapping_sub(4),
        ]);
    }
    addrs.extend(threads.iter().flat_map(|t| [t.teb, t.stack.base]));
    let mut small = [0u8; 32];
    let mut large = [0u8; 64];
    for a in addrs {
        black_box(mem.region_at(a));
        black_box(mem.next_range_from(a));
        black_box(mem.slice(a, 16).ok());
        black_box(mem.slice(a, usize::MAX).ok());
        black_box(mem.read(a, &mut small).ok());
        black_box(mem.read(a, &mut large).ok());
        black_box(mem.read_u16(a).ok());
        black_box(mem.read_u32(a).ok());
        black_box(mem.read_u64(a).ok());
        black_box(mem.read_ptr(a, 4).ok());
        black_box(mem.read_ptr(a, 8).ok());
    }
    black_box(dump.process().ok());
}
