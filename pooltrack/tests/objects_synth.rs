//! Kernel objects end to end on synthetic kernels built with every built-in layout: the process
//! list, threads, handle tables of every encoding and depth, object headers (with the Windows
//! 10+ cookie), `PspCidTable`, and the handle-leak scenario.
#![cfg(feature = "synth")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::time::Instant;

use pooltrack::object_synth::{KernelBuilder, ProcessSpec, ThreadSpec, handle_leak_story};
use pooltrack::{
    CidKind, Error, HandleEntryEncoding, KernelObjects, Limits, ObjectLayout, PointerWidth,
    ReadMemory, ThreadState,
};

fn all_layouts() -> impl Iterator<Item = ObjectLayout> {
    ObjectLayout::builtin().iter().copied()
}

#[test]
fn process_list_threads_and_names_on_every_layout() {
    for layout in all_layouts() {
        let mut b = KernelBuilder::new(layout);
        let sys = b.add_process(&ProcessSpec::new(4, "System"));
        let app = b.add_process(
            &ProcessSpec::new(0x1234, "averyveryverylongname.exe")
                .parent(4)
                .session(3)
                .peb(0x7ffd_f000)
                .full_name("\\Device\\HarddiskVolume2\\app.exe"),
        );
        let zombie = b.add_process(&ProcessSpec::new(0x2000, "gone.exe").exited(0x1234_5678));
        let t1 = b.add_thread(
            app,
            &ThreadSpec::new(0x1238, ThreadState::Waiting, 0x7c81_0705)
                .waiting(6)
                .teb(0x7ffd_e000),
        );
        let t2 = b.add_thread(
            app,
            &ThreadSpec::new(0x123c, ThreadState::Running, 0x7c81_0705),
        );
        let k = b.build();
        let o = k.objects();
        let check = o.confirm_layout(8).unwrap();
        assert!(check.is_confirmed(), "{}: {check:?}", layout.source);
        let ps: Vec<_> = o.processes().unwrap().map(Result::unwrap).collect();
        assert_eq!(ps.len(), 3, "{}", layout.source);
        assert_eq!(ps[0].address, sys);
        assert_eq!(ps[0].name(), "System");
        assert_eq!(ps[0].session_id, None);
        let a = &ps[1];
        assert_eq!(a.address, app);
        assert_eq!(a.pid, 0x1234);
        assert_eq!(a.parent_pid, Some(4));
        assert_eq!(a.session_id, Some(3));
        assert_eq!(a.peb, Some(0x7ffd_f000));
        let shown = if layout.build < 7600 {
            "averyveryverylo"
        } else {
            "averyveryveryl"
        };
        assert_eq!(a.image_name.as_deref(), Some(shown));
        assert_eq!(
            a.full_image_name.as_deref(),
            Some("\\Device\\HarddiskVolume2\\app.exe")
        );
        assert_eq!(a.active_threads, Some(2));
        assert!(!a.is_zombie());
        assert!(ps[2].is_zombie());
        assert_eq!(ps[2].address, zombie);
        assert_eq!(ps[2].object_table, Some(0));
        let ts: Vec<_> = o.threads(a).map(Result::unwrap).collect();
        assert_eq!(ts.len(), 2);
        assert_eq!(ts[0].address, t1);
        assert_eq!(ts[0].tid, Some(0x1238));
        assert_eq!(ts[0].pid, Some(0x1234));
        assert_eq!(ts[0].state, Some(ThreadState::Waiting));
        assert_eq!(
            ts[0].wait_reason.and_then(|w| w.name()),
            Some("UserRequest")
        );
        assert_eq!(ts[0].teb, Some(0x7ffd_e000));
        assert_eq!(ts[0].process, Some(app));
        assert!(ts[0].stack.limit < ts[0].stack.current && ts[0].stack.current < ts[0].stack.base);
        // The synthetic stacks are not mapped: bounds check passes, the read is not captured.
        assert!(o.kernel_stack_bytes(&ts[0]).unwrap_err().is_not_captured());
        assert_eq!(ts[1].address, t2);
        assert_eq!(ts[1].state, Some(ThreadState::Running));
        assert_eq!(ts[1].wait_reason, None);
        // PspCidTable: both processes still alive and both threads.
        let cid: Vec<_> = o.cid_table().unwrap().map(Result::unwrap).collect();
        assert!(
            cid.iter()
                .any(|c| c.id == 0x1234 && c.object == app && c.kind == CidKind::Process)
        );
        assert!(
            cid.iter()
                .any(|c| c.id == 0x123c && c.object == t2 && c.kind == CidKind::Thread)
        );
        assert!(
            !cid.iter().any(|c| c.id == 0x2000),
            "an exited process has no Cid entry"
        );
    }
}

#[test]
fn handle_tables_of_every_depth_and_encoding() {
    for layout in all_layouts() {
        for level in 0u8..=2 {
            let mut b = KernelBuilder::new(layout);
            let p = b.add_process(&ProcessSpec::new(0x100, "app.exe"));
            let named = b.add_object(
                "Event",
                0x10,
                Some("\\BaseNamedObjects\\Ready"),
                Some(0x100),
            );
            let plain = b.add_object("File", 0x70, None, None);
            // Enough handles to need more than one page (x86: 511 per page, x64: 255).
            let n = 700u64;
            let mut values = Vec::new();
            values.push(b.add_handle(p, named, 0x001f_0003).unwrap());
            for _ in 1..n {
                values.push(b.add_handle(p, plain, 0x0012_0089).unwrap());
            }
            b.force_table_level(p, level);
            let k = b.build();
            let o = k.objects();
            let pr = o.processes().unwrap().next().unwrap().unwrap();
            let table = pr.object_table.unwrap();
            let hs: Vec<_> = o.handles(table).unwrap().map(Result::unwrap).collect();
            assert_eq!(hs.len() as u64, n, "{} level {level}", layout.source);
            assert_eq!(hs.iter().map(|h| h.handle).collect::<Vec<_>>(), values);
            assert_eq!(hs[0].object, named);
            assert_eq!(hs[0].granted_access, 0x001f_0003);
            assert_eq!(hs[1].object, plain);
            assert_eq!(o.handle_count(&pr).unwrap(), n);
            let h = o.object_header(hs[0].pointer).unwrap();
            assert_eq!(h.object, named);
            assert_eq!(
                o.object_name(&h).unwrap().as_deref(),
                Some("\\BaseNamedObjects\\Ready")
            );
            assert_eq!(o.object_creator(&h).unwrap(), Some(0x100));
            assert_eq!(
                o.type_of(&h).unwrap().unwrap().name.as_deref(),
                Some("Event")
            );
            let h2 = o.object_header(hs[1].pointer).unwrap();
            assert_eq!(o.object_name(&h2).unwrap(), None);
            assert_eq!(
                o.type_of(&h2).unwrap().unwrap().name.as_deref(),
                Some("File")
            );
            let s = o.handle_summary(table).unwrap();
            assert_eq!(s.handles, n);
            assert_eq!(o.object_quota(&h).unwrap(), None);
            assert_eq!(s.types[0].name.as_deref(), Some("File"));
            assert_eq!(s.types[0].count, n - 1);
            assert_eq!(s.types[1].name.as_deref(), Some("Event"));
        }
    }
}

#[test]
fn quota_headers_are_found_on_every_layout() {
    for layout in all_layouts() {
        let mut b = KernelBuilder::new(layout);
        let p = b.add_process(&ProcessSpec::new(0x100, "app.exe"));
        let sec = b.add_object_with_quota("Section", 0x30, 0x1000, 0x80);
        b.add_handle(p, sec, 0xf001f).unwrap();
        let k = b.build();
        let o = k.objects();
        let pr = o.processes().unwrap().next().unwrap().unwrap();
        let h = o
            .handles(pr.object_table.unwrap())
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let hdr = o.object_header(h.pointer).unwrap();
        assert_eq!(
            o.object_quota(&hdr).unwrap(),
            Some((0x1000, 0x80)),
            "{}",
            layout.source
        );
        assert_eq!(o.object_name(&hdr).unwrap(), None);
        assert_eq!(
            o.type_of(&hdr).unwrap().unwrap().name.as_deref(),
            Some("Section")
        );
    }
}

#[test]
fn entry_encodings_decode_known_values() {
    // Windows 8.1+ x64: ObjectPointerBits at bit 20, the header 16-aligned, sign-extended.
    let hdr = 0xffff_c08b_dce9_4150u64;
    let low = ((hdr >> 4) & ((1 << 44) - 1)) << 20 | 0x1_0001;
    assert_eq!(
        HandleEntryEncoding::X64Win81.decode(low, 0xff1f_ffff),
        Some((hdr, 0, 0x011f_ffff))
    );
    // Windows 8 x64: 41 bits at bit 23.
    let hdr8 = 0xffff_fa80_0123_4560u64;
    let low8 = ((hdr8 >> 4) & ((1 << 41) - 1)) << 23 | 1;
    assert_eq!(
        HandleEntryEncoding::X64Win8
            .decode(low8, 0x1f_03ff)
            .map(|d| d.0),
        Some(hdr8)
    );
    // x86 2003, as WinDbg's !handle shows it: handle 0x0d94 -> object header 0x88a6b008.
    assert_eq!(
        HandleEntryEncoding::X86.decode(0x88a6_b009, 0x001f_03ff),
        Some((0x88a6_b008, 0, 0x001f_03ff))
    );
    assert_eq!(HandleEntryEncoding::X64Win81.decode(0, 5), None);
}

fn leak_story_checks(layout: ObjectLayout, leaked: u64) {
    let (k, story) = handle_leak_story(layout, leaked);
    let o = k.objects();
    assert!(o.confirm_layout(20).unwrap().is_confirmed());
    // !process 0 0: iexplore.exe has the outlier handle count.
    let mut top = (0u64, String::new(), 0u64);
    let mut n = 0;
    for p in o.processes().unwrap() {
        let p = p.unwrap();
        n += 1;
        let c = o.handle_count(&p).unwrap();
        if c > top.0 {
            top = (c, p.name().to_string(), p.address);
        }
    }
    assert_eq!(n, story.processes);
    assert_eq!(
        top,
        (
            story.iexplore_handles,
            "iexplore.exe".to_string(),
            story.iexplore
        )
    );
    // Summary: handles per type, O(types).
    let ie = o.process(story.iexplore).unwrap();
    let t0 = Instant::now();
    let s = o.handle_summary(ie.object_table.unwrap()).unwrap();
    let took = t0.elapsed();
    assert_eq!(s.handles, story.iexplore_handles);
    assert_eq!(s.unknown_type, 0);
    assert_eq!(s.types[0].name.as_deref(), Some("Thread"));
    assert_eq!(s.types[0].count, story.leaked);
    assert_eq!(s.types.len(), 4, "{:?}", s.types);
    eprintln!(
        "{}: summary of {} handles in {took:?}",
        layout.source, s.handles
    );
    // !handle then !thread: terminated, owned by System, started in mydriver.sys.
    let mut terminated = 0u64;
    let mut in_driver = 0u64;
    for h in o
        .handles(ie.object_table.unwrap())
        .unwrap()
        .skip(3)
        .take(2000)
    {
        let h = h.unwrap();
        let hdr = o.object_header(h.pointer).unwrap();
        assert_eq!((hdr.handle_count, hdr.pointer_count), (1, 1));
        assert_eq!(
            o.type_of(&hdr).unwrap().unwrap().name.as_deref(),
            Some("Thread")
        );
        assert_eq!(h.granted_access, 0x001f_03ff);
        let t = o.thread(h.object).unwrap();
        assert_eq!(t.pid, Some(4));
        assert_eq!(t.process, Some(story.system));
        assert_eq!(t.teb, Some(0));
        assert_eq!(t.stack.initial, Some(0), "Stack Init 0 once terminated");
        assert_eq!(t.state.unwrap().windbg_word(), "TERMINATED");
        if t.is_terminated() {
            terminated += 1;
        }
        let sa = t.start_address.unwrap();
        if (story.driver.0..story.driver.0 + story.driver.1).contains(&sa) {
            in_driver += 1;
        }
    }
    assert_eq!((terminated, in_driver), (2000, 2000));
    // Thread ids follow the leak order.
    let first = o
        .handles(ie.object_table.unwrap())
        .unwrap()
        .nth(3)
        .unwrap()
        .unwrap();
    assert_eq!(o.thread(first.object).unwrap().tid, Some(0x1885c));
}

#[test]
fn handle_leak_story_x86_2003() {
    let layout = ObjectLayout::for_build(3790, PointerWidth::Bits32).unwrap();
    leak_story_checks(layout, 143_425);
}

#[test]
fn handle_leak_story_x86_7_and_xp() {
    leak_story_checks(
        ObjectLayout::for_build(7601, PointerWidth::Bits32).unwrap(),
        5_000,
    );
    leak_story_checks(
        ObjectLayout::for_build(2600, PointerWidth::Bits32).unwrap(),
        5_000,
    );
}

#[test]
fn handle_leak_story_x64_10_with_cookie() {
    let layout = ObjectLayout::for_build(19045, PointerWidth::Bits64).unwrap();
    leak_story_checks(layout, 143_425);
}

/// Counts reads, to check the work of a walk independently of the machine's speed.
struct Counting<'a> {
    inner: &'a pooltrack::object_synth::SynthMemory,
    reads: std::cell::Cell<u64>,
}

impl ReadMemory for Counting<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), pooltrack::MemoryError> {
        self.reads.set(self.reads.get() + 1);
        self.inner.read(addr, buf)
    }
}

#[test]
fn summary_of_143428_handles_is_linear_and_fast() {
    for build in [(3790, PointerWidth::Bits32), (19041, PointerWidth::Bits64)] {
        let layout = ObjectLayout::for_build(build.0, build.1).unwrap();
        let (k, story) = handle_leak_story(layout, 143_425);
        assert_eq!(story.iexplore_handles, 143_428);
        let mem = Counting {
            inner: &k.memory,
            reads: std::cell::Cell::new(0),
        };
        let o = KernelObjects::new(&mem, k.layout, k.symbols);
        let table = o.process(story.iexplore).unwrap().object_table.unwrap();
        mem.reads.set(0);
        let t0 = Instant::now();
        let s = o.handle_summary(table).unwrap();
        let took = t0.elapsed();
        assert_eq!(s.handles, 143_428);
        // One read per handle (its type byte), up to three per leaf page (the page and the
        // pointers to it), the cookie,
        // and the type table (16 types: pointer, name, buffer, counts) at the end.
        let pages = 143_428 / (0x1000 / u64::from(layout.handle_table.entry_size) - 1) + 4;
        assert!(
            mem.reads.get() <= 143_428 + 3 * pages + 300,
            "{} reads",
            mem.reads.get()
        );
        // Release builds take well under 0.1 s; debug builds on a loaded machine are slower.
        let bound = if cfg!(debug_assertions) { 10.0 } else { 1.0 };
        assert!(took.as_secs_f64() < bound, "{took:?}");
        eprintln!("{}: {} reads, {took:?}", layout.source, mem.reads.get());
    }
}

#[test]
fn limits_stop_handle_walks() {
    let layout = ObjectLayout::for_build(19041, PointerWidth::Bits64).unwrap();
    let (k, story) = handle_leak_story(layout, 1000);
    let o = KernelObjects::new(&k.memory, k.layout, k.symbols)
        .with_limits(Limits::default().with_max_handles(10));
    let table = o.process(story.iexplore).unwrap().object_table.unwrap();
    let r: Vec<_> = o.handles(table).unwrap().collect();
    assert_eq!(r.len(), 11);
    assert!(matches!(r[10], Err(Error::WalkLimit { .. })));
    let s = o.handle_summary(table).unwrap();
    assert!(s.truncated);
}

#[test]
fn header_cookie_is_inferred_without_its_symbol() {
    for layout in all_layouts() {
        let (k, story) = handle_leak_story(layout, 100);
        let with = k.objects();
        let expected = match layout.object_header.type_ref {
            pooltrack::TypeRef::Index { cookie: true, .. } => Some(
                with.memory()
                    .read_u8(k.symbols.ob_header_cookie.unwrap())
                    .unwrap(),
            ),
            _ => None,
        };
        let mut sym = k.symbols;
        sym.ob_header_cookie = None;
        let without = KernelObjects::new(&k.memory, k.layout, sym);
        let found = without.infer_header_cookie().unwrap();
        assert_eq!(found, expected, "{}", layout.source);
        let ie = without.process(story.iexplore).unwrap();
        let table = ie.object_table.unwrap();
        if let Some(c) = found {
            // Without the cookie the type cannot be decoded; with the inferred one it can.
            assert!(matches!(
                without.handle_summary(table).unwrap().unknown_type,
                n if n > 0
            ));
            let fixed = KernelObjects::new(&k.memory, k.layout, sym).with_header_cookie(c);
            let s = fixed.handle_summary(table).unwrap();
            assert_eq!(s.types[0].name.as_deref(), Some("Thread"));
            assert_eq!(s.unknown_type, 0);
        }
        // Every synthetic entry is unlocked.
        assert!(with.handles(table).unwrap().all(|h| !h.unwrap().locked));
    }
}

/// WinDbg's output in a public write-up of this leak (x86 Server 2003), with the addresses that
/// a synthetic kernel cannot reproduce put in as `{NAME}`.
const QUOTED_PROCESS: &str =
    "PROCESS {PROCESS}  SessionId: 7  Cid: 172e4    Peb: 7ffdf000  ParentCid: 17238
    DirBase: c7fb6bc0  ObjectTable: {TABLE}  HandleCount: 143428.
    Image: iexplore.exe
";
const QUOTED_HANDLE: &str = "{HANDLE}: Object: {OBJECT}  GrantedAccess: 001f03ff Entry: {ENTRY}
Object: {OBJECT}  Type: ({TYPE}) Thread
    ObjectHeader: {HEADER}
        HandleCount: 1  PointerCount: 1
";
const QUOTED_THREAD: &str =
    "THREAD {THREAD}  Cid 0004.1885c  Teb: 00000000 Win32Thread: 00000000 TERMINATED
Not impersonating
DeviceMap                 e1000930
Owning Process            {SYSTEM}       Image:         System
Wait Start TickCount      975361         Ticks: 980987 (0:04:15:27.921)
Context Switch Count      1
UserTime                  00:00:00.0000
KernelTime                00:00:00.0000
Start Address mydriver!StatusWaitThread (0xf5c5d128)
Stack Init 0 Current f3c4cc98 Base f3c4d000 Limit f3c4a000 Call 0
Priority 8 BasePriority 8 PriorityDecrement 0
";

#[test]
fn windbg_text_reproduces_the_quoted_output() {
    use pooltrack::ThreadTextContext;
    let layout = ObjectLayout::for_build(3790, PointerWidth::Bits32).unwrap();
    let (k, story) = handle_leak_story(layout, 143_425);
    let o = k.objects();
    let w = PointerWidth::Bits32;
    let p = o.process(story.iexplore).unwrap();
    let table = p.object_table.unwrap();
    let text = p.windbg_text(w, o.handle_count(&p).unwrap());
    let expect = QUOTED_PROCESS
        .replace("{PROCESS}", &format!("{:08x}", p.address))
        .replace("{TABLE}", &format!("{table:08x}"));
    assert_eq!(text, expect);

    let h = o.handles(table).unwrap().nth(3).unwrap().unwrap();
    let hdr = o.object_header(h.pointer).unwrap();
    let text = o.handle_windbg_text(&h).unwrap();
    let expect = QUOTED_HANDLE
        .replace("{HANDLE}", &format!("{:04x}", h.handle))
        .replace("{OBJECT}", &format!("{:08x}", h.object))
        .replace("{ENTRY}", &format!("{:08x}", h.entry_address))
        .replace("{TYPE}", &format!("{:08x}", hdr.type_object.unwrap()))
        .replace("{HEADER}", &format!("{:08x}", hdr.address));
    assert_eq!(text, expect);

    let t = o.thread(h.object).unwrap();
    let symbolize =
        |a: u64| (a == story.start_address).then(|| "mydriver!StatusWaitThread".to_string());
    let ctx = ThreadTextContext::default()
        .with_process_image("System")
        .with_tick_count(975_361 + 980_987)
        .with_symbolize(&symbolize);
    let text = t.windbg_text(w, &ctx);
    let quoted = QUOTED_THREAD
        .replace("{THREAD}", &format!("{:08x}", t.address))
        .replace("{SYSTEM}", &format!("{:08x}", story.system));
    // Every line we print is the quoted line, or its beginning where WinDbg adds data this crate
    // does not read (`Call`, `PriorityDecrement`); the quoted lines we leave out are the
    // impersonation and DeviceMap lines.
    let quoted_lines: Vec<&str> = quoted.lines().collect();
    let mut at = 0;
    for line in text.lines() {
        let pos = quoted_lines[at..]
            .iter()
            .position(|q| q.starts_with(line))
            .unwrap_or_else(|| panic!("line not in the quoted output: {line:?}"));
        at += pos + 1;
    }
    let full: Vec<&str> = text.lines().filter(|l| quoted_lines.contains(l)).collect();
    assert_eq!(full.len(), 7, "{text}");
    // A waiting thread names its wait reason.
    let sys = o.process(story.system).unwrap();
    let waiting = o.threads(&sys).next().unwrap().unwrap();
    assert!(
        waiting
            .windbg_text(w, &ThreadTextContext::default())
            .contains("WAIT: (WrQueue)")
    );
}

#[test]
fn handle_text_flags_choose_the_lines() {
    for layout in all_layouts() {
        let (k, story) = handle_leak_story(layout, 4);
        let o = k.objects();
        let p = o.process(story.iexplore).unwrap();
        for h in o.handles(p.object_table.unwrap()).unwrap() {
            let h = h.unwrap();
            let line = o.handle_windbg_text_flags(&h, 1).unwrap();
            let object = o.handle_windbg_text_flags(&h, 2).unwrap();
            assert_eq!(line.lines().count(), 1, "{line}");
            assert!(line.contains("GrantedAccess"), "{line}");
            assert!(object.starts_with("Object: "), "{object}");
            assert!(object.contains("HandleCount: "), "{object}");
            assert!(!object.contains("GrantedAccess"), "{object}");
            assert_eq!(o.handle_windbg_text(&h).unwrap(), format!("{line}{object}"));
            assert_eq!(
                o.handle_windbg_text_flags(&h, 0xf).unwrap(),
                format!("{line}{object}")
            );
            assert_eq!(o.handle_windbg_text_flags(&h, 0x4).unwrap(), "");
        }
    }
}
