//! The ranked suspects and the one-paragraph conclusion.

use super::*;

pub(super) fn thread_label(t: &BusyThread) -> String {
    format!("thread {} (id {:x})", t.index, t.id)
}

/// The busy threads running inside a function (start, end).
pub(super) fn threads_in(
    threads: &ThreadStep,
    start: u64,
    end: Option<u64>,
) -> Vec<(&BusyThread, u64)> {
    let mut out = Vec::new();
    for t in &threads.busiest {
        if let Some(a) = t
            .frame_addresses
            .iter()
            .find(|a| **a >= start && end.is_none_or(|e| **a < e))
        {
            out.push((t, *a));
        }
    }
    out
}

pub(super) fn rank(
    sizes: &[SizeClass],
    heaps: &[HeapGrowth],
    contents: &[Content],
    threads: &ThreadStep,
    modules: &[Mod],
    pointer_size: usize,
) -> Vec<Suspect> {
    let mut out = Vec::new();
    for (i, s) in sizes.iter().take(CONTENT_CLASSES).enumerate() {
        if s.percent_x100 < 500 && i > 0 {
            continue;
        }
        let mut evidence = vec![format!(
            "{} busy blocks of requested size {:#x} = {:#x} bytes ({}), {} of all busy heap bytes",
            s.count,
            s.size,
            s.total,
            human_size(s.total),
            pct(s.percent_x100)
        )];
        if s.virtual_blocks > 0 {
            evidence.push(if super::is_segment_heap(heaps, s.heap) {
                format!(
                    "{} of them are the segment heap's large allocations",
                    s.virtual_blocks
                )
            } else {
                format!(
                    "{} of them are large blocks on VirtualAllocdBlocks",
                    s.virtual_blocks
                )
            });
        }
        if let Some(h) = heaps.iter().find(|h| h.address == s.heap) {
            evidence.push(format!(
                "in heap {} ({}, {} committed, {})",
                addr(h.address, pointer_size),
                count(h.segments, "segment"),
                human_size(h.committed),
                count(h.virtual_blocks, "large block")
            ));
        }
        if let Some(c) = contents
            .iter()
            .find(|c| c.heap == s.heap && c.size == s.size)
        {
            if let Some(p) = &c.pattern {
                evidence.push(format!(
                    "their text fits \"{p}\" ({} of {} sampled blocks)",
                    c.matching, c.sampled
                ));
            } else if let Some(p) = c.ascii_prefix.as_ref().or(c.utf16_prefix.as_ref()) {
                evidence.push(format!(
                    "they start with \"{p}\" ({} of {} sampled blocks)",
                    c.matching, c.sampled
                ));
            }
            if let Some(e) = &c.example {
                evidence.push(format!(
                    "e.g. at {}: \"{e}\"",
                    addr(c.example_address.unwrap_or(0), pointer_size)
                ));
            }
            for st in c.allocation_stacks.iter().take(1) {
                evidence.push(format!(
                    "allocated from {}{} ({} of {} sampled blocks, {})",
                    st.frames.join(" <- "),
                    st.function
                        .as_ref()
                        .map(|f| format!(" (in function {f})"))
                        .unwrap_or_default(),
                    st.count,
                    c.sampled,
                    st.recorded_by
                ));
            }
            if let Some(p) = &c.pointer {
                let what = match &p.class {
                    Some(cls) => format!("the vtable of class {cls} at"),
                    None => "a pointer into".to_string(),
                };
                evidence.push(format!(
                    "offset {:#x} holds {what} {} ({}){}",
                    p.offset,
                    p.location,
                    addr(p.value, pointer_size),
                    if p.same_in_all {
                        ", the same in every sample"
                    } else {
                        ""
                    }
                ));
                for r in &p.references {
                    evidence.push(format!(
                        "that pointer is stored by code at {} ({}){}",
                        r.location,
                        r.kind,
                        r.function
                            .as_ref()
                            .map(|f| format!(" in function {f}"))
                            .unwrap_or_default()
                    ));
                }
            }
            for l in &c.locations {
                evidence.push(format!(
                    "that text is \"{}\" at {} ({}, {})",
                    l.text,
                    l.location,
                    l.section,
                    addr(l.address, pointer_size)
                ));
                for r in &l.references {
                    let f = r
                        .function
                        .as_ref()
                        .map(|f| format!(" in function {f}"))
                        .unwrap_or_default();
                    evidence.push(format!(
                        "referenced by code at {} ({}){f}",
                        r.location, r.kind
                    ));
                    if let Some(start) = r.function_address {
                        for (t, a) in threads_in(threads, start, r.function_end) {
                            let m = modules
                                .iter()
                                .find(|m| m.contains(a))
                                .map(|m| m.at(a))
                                .unwrap_or_else(|| addr(a, pointer_size));
                            evidence.push(format!(
                                "{} is running that function (frame {m})",
                                thread_label(t)
                            ));
                        }
                    }
                }
            }
        }
        out.push(Suspect::new(
            HeapSize {
                heap: s.heap,
                size: s.size,
            },
            s.count,
            s.total,
            evidence,
        ));
    }
    crate::report::rank_in_order(&mut out);
    out
}

pub(super) fn conclude(
    regions: &RegionStep,
    heaps: &[HeapGrowth],
    grown: Option<u64>,
    suspects: &[Suspect],
    contents: &[Content],
    threads: &ThreadStep,
    lacks: &[String],
) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &regions.dominant {
        let share = regions
            .usage
            .first()
            .map(|r| pct(r.percent_of_busy_x100))
            .unwrap_or_default();
        let d = if d == "<unknown>" {
            "Memory !address cannot name (<unknown>)"
        } else {
            d.as_str()
        };
        parts.push(format!("{d} dominates the busy address space ({share})."));
    }
    if let Some(h) = grown.and_then(|g| heaps.iter().find(|h| h.address == g)) {
        let large = if h.virtual_blocks > 0 {
            format!(
                " and {} large {} ({})",
                h.virtual_blocks,
                if h.segment_heap {
                    "allocations"
                } else {
                    "VirtualAllocdBlocks blocks"
                },
                human_size(h.virtual_block_bytes)
            )
        } else {
            String::new()
        };
        parts.push(format!(
            "The largest heap is {:#x}: {} segment{} ({} committed){large}.",
            h.address,
            h.segments,
            if h.segments == 1 { "" } else { "s" },
            human_size(h.committed)
        ));
    }
    if let Some(s) = suspects.first() {
        parts.push(format!(
            "Top suspect: {} block{} of requested size {:#x} ({}).",
            s.count,
            if s.count == 1 { "" } else { "s" },
            s.what.size,
            human_size(s.bytes)
        ));
        if let Some(c) = contents
            .iter()
            .find(|c| c.heap == s.what.heap && c.size == s.what.size)
        {
            if let Some(p) = c
                .pattern
                .as_ref()
                .or(c.ascii_prefix.as_ref())
                .or(c.utf16_prefix.as_ref())
            {
                parts.push(format!("They hold \"{p}\"."));
            }
            if let Some(st) = c.allocation_stacks.first()
                && let Some(f) = caller_frame(&st.frames)
            {
                parts.push(format!("They are allocated from {f}."));
            }
            for l in c.locations.iter().take(1) {
                parts.push(format!("The text is \"{}\" at {}.", l.text, l.location));
                let refs: Vec<String> = l.references.iter().map(|r| r.location.clone()).collect();
                if !refs.is_empty() {
                    parts.push(format!("Code at {} references it.", refs.join(", ")));
                }
            }
            if let Some(p) = &c.pointer
                && let Some(cls) = &p.class
            {
                parts.push(format!("They are objects of class {cls}."));
            }
        }
    }
    if threads.times_available
        && let Some(t) = threads.busiest.first()
    {
        let kernel_heavy = t.kernel_time >= t.user_time;
        parts.push(format!(
            "The busiest thread is {}: {} time {}{}.",
            thread_label(t),
            if kernel_heavy { "kernel" } else { "user" },
            runaway_time(if kernel_heavy {
                t.kernel_time
            } else {
                t.user_time
            }),
            t.frames
                .first()
                .map(|f| format!(", at {f}"))
                .unwrap_or_default()
        ));
    }
    if parts.is_empty() || suspects.is_empty() {
        if let Some(l) = lacks.iter().find(|l| l.contains("heap")).or(lacks.first()) {
            parts.push(format!("No heap suspect: {l}."));
        } else {
            parts.push("No heap suspect: no busy heap blocks were found.".to_string());
        }
    }
    parts.join(" ")
}

/// Modules that allocate on a program's behalf (the heap, the C runtimes, page heap and
/// Application Verifier): a stack's caller is its first frame outside them, as `!analyze`
/// skips system frames.
const ALLOCATOR_MODULES: &[&str] = &[
    "ntdll",
    "kernelbase",
    "kernel32",
    "verifier",
    "vfbasics",
    "vrfcore",
    "vfprint",
    "ucrtbase",
    "ucrtbased",
    "msvcrt",
    "vcruntime140",
    "vcruntime140d",
    "apphelp",
];

/// The first frame of `frames` (innermost first, `module+0xrva`) outside the allocator
/// modules, else the innermost.
pub(super) fn caller_frame(frames: &[String]) -> Option<&str> {
    let module = |f: &str| {
        f.split(['+', '!'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    frames
        .iter()
        .find(|f| {
            let m = module(f);
            !ALLOCATOR_MODULES.contains(&m.as_str()) && !m.starts_with("msvcr")
        })
        .or_else(|| frames.first())
        .map(String::as_str)
}

#[cfg(test)]
mod caller_tests {
    use super::caller_frame;

    #[test]
    fn the_caller_is_the_first_frame_outside_the_allocators() {
        let f = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert_eq!(
            caller_frame(&f(&[
                "verifier+0x23b5e",
                "ntdll+0x94a31",
                "session-svc+0x1b40"
            ])),
            Some("session-svc+0x1b40")
        );
        assert_eq!(
            caller_frame(&f(&["MSVCR120!malloc+0x33", "app!Leak+0x10"])),
            Some("app!Leak+0x10")
        );
        assert_eq!(caller_frame(&f(&["ntdll+0x10"])), Some("ntdll+0x10"));
        assert_eq!(caller_frame(&[]), None);
    }
}
