//! The kernel leak investigation as text: one block per step, each with its evidence, then
//! the suspects and the conclusion.

use std::io::{self, Write};

use super::{PoolKind, Report};
use crate::report::{Text, addr, human_size, notes_and_conclusion, pct, thousands};

fn lack<'a>(r: &'a Report, step: &str) -> Option<&'a str> {
    r.lacks
        .iter()
        .find(|l| l.starts_with(step))
        .map(|l| l.split_once(": ").map_or(l.as_str(), |(_, b)| b))
}

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let ps = self.pointer_size;
        writeln!(
            out,
            "Kernel leak investigation ({}, build {})",
            self.arch, self.build
        )?;
        if let Some(c) = &self.crash {
            writeln!(out)?;
            writeln!(
                out,
                "Crash: {} ({:x}), args {:x} {:x} {:x} {:x}",
                c.bugcheck_name,
                c.bugcheck_code,
                c.bugcheck_params[0],
                c.bugcheck_params[1],
                c.bugcheck_params[2],
                c.bugcheck_params[3]
            )?;
            if let Some(p) = &c.process_name {
                writeln!(out, "  PROCESS_NAME:  {p}")?;
            }
            if let Some(i) = &c.image_name {
                writeln!(out, "  IMAGE_NAME:  {i}")?;
            }
            writeln!(out, "  FAILURE_BUCKET_ID:  {}", c.failure_bucket_id)?;
            writeln!(out, "  (dumpscope analyze DUMP shows the whole analysis)")?;
        }

        writeln!(out)?;
        writeln!(out, "Step 1 -- !vm: is a pool exhausted?")?;
        match &self.vm {
            Some(v) => {
                for (label, kb) in &v.pool_lines {
                    writeln!(out, "  {label:<28}{kb:>12} Kb")?;
                }
                for w in &v.warnings {
                    writeln!(out, "  {w}")?;
                }
                match v.pressure {
                    Some(p) => writeln!(out, "  => the {} is exhausted", p.words())?,
                    None if v.pool_lines.is_empty() => writeln!(
                        out,
                        "  => no pool counters in this dump (its symbols name none of the kernel's pool globals)"
                    )?,
                    None => writeln!(out, "  => no pool is near its maximum")?,
                }
            }
            None => writeln!(
                out,
                "  not available: {}",
                lack(self, "step 1").unwrap_or("see the notes below")
            )?,
        }

        writeln!(out)?;
        match &self.pool {
            Some(p) => {
                let which = p.ranked.map_or("pool", PoolKind::words);
                writeln!(
                    out,
                    "Step 2 -- !poolused: which tags hold the {which} ({} in all)",
                    human_size(p.total_bytes)
                )?;
                writeln!(
                    out,
                    "  {:<4}  {:<9} {:>11} {:>14} {:>7}  Description",
                    "Tag", "Pool", "Outstanding", "Bytes", "Share"
                )?;
                for t in &p.tags {
                    writeln!(
                        out,
                        "  {:<4}  {:<9} {:>11} {:>14} {:>7}  {}",
                        t.tag,
                        match t.pool {
                            PoolKind::NonPaged => "NonPaged",
                            PoolKind::Paged => "Paged",
                        },
                        thousands(t.outstanding),
                        thousands(t.bytes),
                        pct(t.percent_x100),
                        t.description.as_deref().unwrap_or("")
                    )?;
                }
                if let Some(n) = &p.note {
                    writeln!(out, "  Note: {n}")?;
                }
            }
            None => writeln!(
                out,
                "Step 2 -- !poolused: not available: {}",
                lack(self, "step 2").unwrap_or("see the notes below")
            )?,
        }

        writeln!(out)?;
        writeln!(
            out,
            "Step 3 -- who owns the tags (description, and drivers whose code uses the tag)"
        )?;
        if self.owners.is_empty() {
            writeln!(out, "  no tags to look up")?;
        }
        for o in &self.owners {
            writeln!(
                out,
                "  {:<4}  {}",
                o.tag,
                o.description.as_deref().unwrap_or("(no description)")
            )?;
            if o.references.is_empty() {
                writeln!(
                    out,
                    "        no driver's code in the dump uses it ({} drivers, {} of code read{})",
                    o.drivers_scanned,
                    human_size(o.code_bytes),
                    if o.pages_missing > 0 {
                        format!(", {} pages not in the dump", o.pages_missing)
                    } else {
                        String::new()
                    }
                )?;
            }
            for r in &o.references {
                writeln!(out, "        {}", reference_text(r))?;
            }
        }

        writeln!(out)?;
        match &self.verifier {
            Some(v) => {
                writeln!(
                    out,
                    "Step 4 -- Driver Verifier (!verifier 3): level {:x}, pool tracking {}; verified: {}",
                    v.level,
                    if v.pool_tracking { "on" } else { "off" },
                    v.drivers.join(", ")
                )?;
                if v.groups.is_empty() {
                    writeln!(out, "  no outstanding tracked allocations")?;
                }
                for g in &v.groups {
                    writeln!(
                        out,
                        "  {}  tag {}  {} allocations  {:#x} bytes ({})  sizes {}  made at {}",
                        g.driver,
                        g.tag,
                        g.count,
                        g.bytes,
                        human_size(g.bytes),
                        g.sizes
                            .iter()
                            .map(|s| format!("{s:#x}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        g.caller
                    )?;
                }
                for s in &v.stacks {
                    let first = s.addresses.first().copied().unwrap_or(0);
                    writeln!(
                        out,
                        "  !verifier 80 {}: allocated {:#x} bytes by thread {}{}",
                        addr(first, ps),
                        s.size,
                        addr(s.thread, ps),
                        match s.addresses.len() {
                            0 | 1 => String::new(),
                            n => format!(" (the same stack for {n} of the allocations looked at)"),
                        }
                    )?;
                    for f in &s.stack {
                        writeln!(out, "      {f}")?;
                    }
                }
            }
            None => match lack(self, "step 4") {
                Some(l) => writeln!(out, "Step 4 -- Driver Verifier: not available: {l}")?,
                None if self.pool.is_none() => {
                    writeln!(
                        out,
                        "Step 4 -- Driver Verifier: not available: see the notes below"
                    )?;
                }
                None => writeln!(out, "Step 4 -- Driver Verifier: not enabled in this dump")?,
            },
        }

        writeln!(out)?;
        match &self.objects {
            Some(o) => {
                if o.from_pool {
                    writeln!(
                        out,
                        "Step 5 -- the {} objects behind tag {} (!process 0 0, !handle, !thread)",
                        o.type_name, o.tag
                    )?;
                } else {
                    writeln!(
                        out,
                        "Step 5 -- handles (!process 0 0, !handle, !thread): without pool data, the {} objects the process with the most handles holds most of",
                        o.type_name
                    )?;
                }
                writeln!(
                    out,
                    "  Processes with the most handles (of {}):",
                    o.processes_total
                )?;
                for p in &o.top_processes {
                    writeln!(
                        out,
                        "    {}  Cid {:04x}  {:<16} {:>9} handles",
                        addr(p.address, ps),
                        p.pid,
                        p.image,
                        thousands(p.handles)
                    )?;
                }
                for h in &o.holders {
                    writeln!(
                        out,
                        "  {} (Cid {:04x}): {}: {} of {} handles",
                        h.image,
                        h.pid,
                        o.type_name,
                        thousands(h.of_type),
                        thousands(h.handles)
                    )?;
                    let types: Vec<String> = h
                        .types
                        .iter()
                        .map(|(n, c)| format!("{n} {}", thousands(*c)))
                        .collect();
                    writeln!(out, "    by type: {}", types.join(", "))?;
                    if h.of_type > 0 {
                        writeln!(
                            out,
                            "    {} of the {} objects are {}",
                            thousands(h.dead),
                            o.type_name,
                            super::objects::dead_word(&o.type_name)
                        )?;
                    }
                    for c in &h.creators {
                        writeln!(
                            out,
                            "    {} started at {} ({}), {} of them {}",
                            thousands(c.count),
                            c.symbol,
                            c.driver,
                            thousands(c.dead),
                            super::objects::dead_word(&o.type_name)
                        )?;
                    }
                    if let Some(e) = h.example {
                        let cmd = if o.type_name == "Thread" {
                            "!thread"
                        } else {
                            "!object"
                        };
                        writeln!(out, "    for example: {cmd} {}", addr(e, ps))?;
                    }
                    for n in &h.notes {
                        writeln!(out, "    note: {n}")?;
                    }
                }
            }
            None => match lack(self, "step 5") {
                Some(l) => writeln!(out, "Step 5 -- objects: not available: {l}")?,
                None if self.pool.is_none() => writeln!(
                    out,
                    "Step 5 -- objects: not available: without pool tags there is no object type to follow"
                )?,
                None => writeln!(
                    out,
                    "Step 5 -- objects: the top tag is not an object type's; no handle walk needed"
                )?,
            },
        }

        writeln!(out)?;
        crate::report::write_suspects(out, &self.suspects, |s| {
            format!(
                "#{} {}{}",
                s.rank,
                s.what.driver,
                s.what
                    .function
                    .as_ref()
                    .map_or(String::new(), |f| format!(" ({f})"))
            )
        })?;
        let notes: Vec<String> = self
            .lacks
            .iter()
            .filter(|l| !l.starts_with("step "))
            .cloned()
            .collect();
        notes_and_conclusion(out, &notes, &self.conclusion)
    }
}

/// One use of a tag in a driver's code, as step 3 and `pool owners` print it:
/// `myfault.sys: push imm32 at myfault+0x6647 (myfault!PoolLeak+0xf)`.
pub(crate) fn reference_text(r: &super::TagReference) -> String {
    let name = match (&r.function, &r.function_start) {
        (Some(f), _) => format!(" ({f})"),
        (None, Some(s)) => format!(" (in the function at {s})"),
        (None, None) => String::new(),
    };
    let file = if r.source == "file" {
        " [read from its file]"
    } else {
        ""
    };
    format!(
        "{}: {} at {}{name}{file}",
        r.driver, r.instruction, r.location
    )
}
