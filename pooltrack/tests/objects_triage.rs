//! The real Windows 10 2004 (19041) x64 triage dump of `../shared/corpus/kernel/`: its saved
//! EPROCESS and ETHREAD (TRIAGE_DUMP64 at file offset 0x2000 gives their file offsets), its
//! KDBG copy and its data blocks (virtual address -> file offset), decoded with the built-in
//! 19041 layout. The file is read directly here (no dump reader); skipped with a visible SKIP
//! when the corpus is absent.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

use std::io::Write;
use std::path::Path;

use pooltrack::{
    KernelObjects, KernelSymbols, MemoryError, ObjectLayout, PointerWidth, ReadMemory, ThreadState,
};

fn u16_at(d: &[u8], o: usize) -> u16 {
    u16::from_le_bytes(d[o..o + 2].try_into().unwrap())
}
fn u32_at(d: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(d[o..o + 4].try_into().unwrap())
}
fn u64_at(d: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(d[o..o + 8].try_into().unwrap())
}

/// Virtual memory of the triage dump: its data blocks plus the saved objects at their
/// addresses.
struct TriageMemory<'a> {
    file: &'a [u8],
    /// `(virtual address, file offset, size)`.
    blocks: Vec<(u64, usize, usize)>,
}

impl ReadMemory for TriageMemory<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        for &(va, off, size) in &self.blocks {
            if addr >= va && addr + buf.len() as u64 <= va + size as u64 {
                let s = off + (addr - va) as usize;
                buf.copy_from_slice(&self.file[s..s + buf.len()]);
                return Ok(());
            }
        }
        Err(MemoryError::not_captured(addr, buf.len()))
    }
}

struct Triage {
    file: Vec<u8>,
    process_off: usize,
    thread_off: usize,
    kdbg: usize,
    prcb_off: usize,
    blocks: Vec<(u64, usize, usize)>,
}

fn triage() -> Option<Triage> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/kernel/win10-19041-x64-triage.dmp");
    let Ok(file) = std::fs::read(&p) else {
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", p.display());
        return None;
    };
    assert_eq!(&file[0..8], b"PAGEDU64");
    assert_eq!(u32_at(&file, 0xc), 19041, "MinorVersion is the build");
    let t = 0x2000;
    let process_off = u32_at(&file, t + 0x20) as usize;
    let thread_off = u32_at(&file, t + 0x24) as usize;
    let prcb_off = u32_at(&file, t + 0x1c) as usize;
    let call_stack_off = u32_at(&file, t + 0x28) as usize;
    // After the 18 u32 offsets: TopOfStack u64, the IA64 BStore (u32, u32, u64), then
    // DataPageAddress u64, DataPageOffset u32, DataPageSize u32, DebuggerDataOffset u32,
    // DebuggerDataSize u32, DataBlocksOffset u32, DataBlocksCount u32.
    let tail = t + 18 * 4 + 8 + 16 + 16;
    let kdbg = u32_at(&file, tail) as usize;
    let blocks_off = u32_at(&file, tail + 8) as usize;
    let nblocks = u32_at(&file, tail + 12) as usize;
    assert_eq!(&file[kdbg + 0x10..kdbg + 0x14], b"KDBG");
    let blocks = (0..nblocks)
        .map(|i| {
            let o = blocks_off + 16 * i;
            (
                u64_at(&file, o),
                u32_at(&file, o + 8) as usize,
                u32_at(&file, o + 12) as usize,
            )
        })
        .collect();
    // The saved objects follow one another: their distances are the structure sizes.
    assert_eq!(
        thread_off - process_off,
        0xa40,
        "sizeof(EPROCESS) from the file layout"
    );
    assert_eq!(
        call_stack_off - thread_off,
        0x898,
        "sizeof(ETHREAD) from the file layout"
    );
    Some(Triage {
        file,
        process_off,
        thread_off,
        kdbg,
        prcb_off,
        blocks,
    })
}

#[test]
fn kdbg_offsets_equal_the_19041_layout() {
    let Some(t) = triage() else { return };
    let l = ObjectLayout::for_build(19041, PointerWidth::Bits64).unwrap();
    let k = |o: usize| u32::from(u16_at(&t.file, t.kdbg + o));
    let k32 = |o: usize| u32_at(&t.file, t.kdbg + o);
    // KDDEBUGGER_DATA64 offsets of kernel structure fields (u16; StackLimit/StackBase u32).
    assert_eq!(k(0x29a), l.thread.teb);
    assert_eq!(k(0x29c), l.thread.kernel_stack);
    assert_eq!(k(0x29e), l.thread.initial_stack);
    assert_eq!(k(0x2a2), l.thread.state);
    assert_eq!(k(0x2a8), l.process.size);
    assert_eq!(k(0x2aa), l.process.peb);
    assert_eq!(k(0x2ac), l.process.inherited_from_unique_process_id);
    assert_eq!(k(0x2ae), l.process.directory_table_base);
    assert_eq!(k(0x2c0), l.thread.size);
    assert_eq!(k32(0x340), l.thread.stack_limit);
    assert_eq!(k32(0x344), l.thread.stack_base);
    assert_eq!(k(0x35c), l.thread.wait_reason);
}

#[test]
fn saved_eprocess_and_ethread_decode_with_the_19041_layout() {
    let Some(t) = triage() else { return };
    let l = ObjectLayout::for_build(19041, PointerWidth::Bits64).unwrap();
    let f = &t.file;
    // The current thread's address from the saved PRCB (KDBG OffsetPrcbCurrentThread).
    let current_thread = u64_at(f, t.prcb_off + usize::from(u16_at(f, t.kdbg + 0x2b4)));
    // The thread's process, from KTHREAD.Process and from ApcState.Process (KDBG ApcProcess).
    let process_va = u64_at(f, t.thread_off + l.thread.owning_process as usize);
    let apc_process = u64_at(f, t.thread_off + usize::from(u16_at(f, t.kdbg + 0x2a0)));
    assert_eq!(process_va, apc_process);
    let head = u64_at(f, t.kdbg + 0x50);
    let mut blocks = t.blocks.clone();
    blocks.insert(0, (process_va, t.process_off, 0xa40));
    blocks.insert(0, (current_thread, t.thread_off, 0x898));
    // The saved call stack: SizeOfCallStack bytes at CallStackOffset, for VA TopOfStack.
    let top_of_stack = u64_at(f, 0x2000 + 18 * 4);
    let stack_off = u32_at(f, 0x2000 + 0x28) as usize;
    let stack_size = u32_at(f, 0x2000 + 0x2c) as usize;
    blocks.insert(0, (top_of_stack, stack_off, stack_size));
    let mem = TriageMemory { file: f, blocks };
    let o = KernelObjects::new(
        &mem,
        l,
        KernelSymbols::default().with_ps_active_process_head(head),
    );

    // !thread: the faulting thread is a running System thread started in ntoskrnl.
    let th = o.thread(current_thread).unwrap();
    assert_eq!((th.pid, th.tid), (Some(4), Some(0x108)));
    assert_eq!(th.state, Some(ThreadState::Running));
    assert_eq!(th.wait_reason, None);
    assert_eq!(th.process, Some(process_va));
    assert_eq!(th.teb, Some(0));
    let (nt_base, nt_size) = (0xfffff804_7ba00000u64, 0x1046000u64);
    let start = th.start_address.unwrap();
    assert!((nt_base..nt_base + nt_size).contains(&start), "{start:#x}");
    assert_eq!(start, 0xfffff804_7bc25870);
    assert_eq!(th.win32_start_address, Some(start));
    assert_eq!(th.terminated_flag, Some(false));
    assert!(!th.is_terminated());
    assert_eq!(
        th.exit_time, None,
        "ExitTime holds KeyedWaitChain links while running"
    );
    let s = th.stack;
    assert!(
        s.limit < s.current && s.current < s.initial && s.initial < s.base,
        "{s:?}"
    );
    // The saved stack of the dump lies in this thread's stack and ends at its StackBase.
    assert!((s.limit.unwrap()..s.base.unwrap()).contains(&top_of_stack));
    assert_eq!(top_of_stack + stack_size as u64, s.base.unwrap());
    // So the stack from the saved KernelStack pointer up to StackBase is readable.
    let (sp, bytes) = o.kernel_stack_bytes(&th).unwrap();
    assert_eq!(sp, s.current.unwrap());
    assert_eq!(sp + bytes.len() as u64, s.base.unwrap());
    let at = stack_off + (sp - top_of_stack) as usize;
    assert_eq!(&bytes[..], &f[at..at + bytes.len()]);
    // ExitTime shares its offset with KeyedWaitChain, an empty list: it points to itself.
    assert_eq!(
        u64_at(f, t.thread_off + l.thread.exit_time as usize),
        current_thread + u64::from(l.thread.exit_time)
    );
    // CrossThreadFlags: ThreadInserted set, I/O priority 2 and page priority 5 (normal).
    let ctf = u32_at(f, t.thread_off + l.thread.cross_thread_flags as usize);
    assert_eq!((ctf & 3, (ctf >> 9) & 7, (ctf >> 12) & 7), (2, 2, 5));
    // ETHREAD and KTHREAD thread-list entries point to neighbours the same distance apart as
    // EPROCESS.ThreadListHead and KPROCESS.ThreadListHead.
    let d = u64::from(l.thread.thread_list_entry - 0x2f8);
    assert_eq!(
        u64_at(f, t.thread_off + l.thread.thread_list_entry as usize),
        u64_at(f, t.thread_off + 0x2f8) + d
    );
    assert_eq!(
        u64_at(f, t.process_off + l.process.thread_list_head as usize),
        u64_at(f, t.process_off + 0x30) + d
    );

    // !process: the saved process is System, first in PsActiveProcessHead.
    let p = o.process(process_va).unwrap();
    assert_eq!(p.pid, 4);
    assert_eq!(p.name(), "System");
    assert_eq!(
        p.dir_base,
        Some(u64_at(f, 0x10)),
        "DirBase equals the header's DTB"
    );
    assert_eq!(
        (p.peb, p.parent_pid, p.session_id),
        (Some(0), Some(0), None)
    );
    assert_eq!(p.exit_time, Some(0));
    assert!(!p.is_zombie());
    assert_eq!(p.exit_status, Some(0x103), "STATUS_PENDING while running");
    assert_eq!(p.full_image_name, None, "System has no image path");
    assert_eq!(p.active_threads, Some(0x93));
    let list: Vec<_> = o.processes().unwrap().collect();
    let first = list[0].as_ref().unwrap();
    assert_eq!(first.address, process_va);
    // The data blocks hold more of the list: the ids that are readable.
    let pids: Vec<u64> = list
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|p| p.pid)
        .collect();
    eprintln!("process ids readable from the triage data blocks: {pids:?}");
    assert!(pids.len() >= 3 && pids.iter().all(|p| p % 4 == 0));

    // !handle on System: the first entries of its table page are in the data blocks; handle
    // 4 is the System process itself (header = EPROCESS - 0x30) with PROCESS_ALL_ACCESS.
    let table = p.object_table.unwrap();
    assert_eq!(
        mem.read_u32(table + u64::from(l.handle_table.unique_process_id))
            .unwrap(),
        4
    );
    let handles: Vec<_> = o.handles(table).unwrap().filter_map(Result::ok).collect();
    assert_eq!(handles[0].handle, 4);
    assert_eq!(handles[0].object, process_va);
    assert_eq!(
        handles[0].pointer,
        process_va - u64::from(l.object_header.body)
    );
    assert_eq!(handles[0].granted_access, 0x001f_ffff);
    assert!(handles.len() >= 10, "{}", handles.len());
    assert!(
        handles
            .iter()
            .all(|h| h.handle % 4 == 0 && h.pointer % 16 == 0)
    );
}
