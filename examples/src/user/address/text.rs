//! `!address` and `!address -summary` as WinDbg prints them.

use std::io::{self, Write};

use super::{
    FROM_CAPTURED, MEM_COMMIT, MEM_FREE, Region, RegionList, Report, Row, Summary, SummaryReport,
    protect_name, state_name, type_name,
};
use crate::report::{Text, addr, address_width, hex_size, human_size};

/// The note before the tables when the regions are only the captured ranges.
fn captured_note(out: &mut dyn Write, source: &str, count: usize) -> io::Result<()> {
    if source == FROM_CAPTURED {
        writeln!(
            out,
            "Note: no MemoryInfoList stream (the dump was written without \
             MiniDumpWithFullMemoryInfo); regions are the {count} captured memory ranges, so free and \
             reserved memory and protections are unknown."
        )?;
        writeln!(out)?;
    }
    Ok(())
}

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Report::Regions(r) => r.text(out),
            Report::Summary(s) => s.text(out),
        }
    }
}

impl Text for SummaryReport {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        captured_note(out, self.summary.source, self.region_count)?;
        write_summary(&self.summary, self.pointer_size, out)
    }
}

impl Text for RegionList {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let ps = self.pointer_size;
        captured_note(out, self.source, self.regions.regions.len())?;
        let w = address_width(ps);
        let kind_name = |r: &Region| match r.state {
            MEM_FREE => String::new(),
            _ if r.kind == 0 => "<unknown>".to_string(),
            _ => type_name(r.kind),
        };
        writeln!(
            out,
            "{:>w$} {:>w$} {:>w$} {:<12} {:<12} {:<24} Usage",
            "BaseAddr", "EndAddr+1", "RgnSize", "Type", "State", "Protect"
        )?;
        for (r, u) in self.regions.regions.iter().zip(&self.regions.usages) {
            writeln!(
                out,
                "{} {} {:>w$} {:<12} {:<12} {:<24} {}",
                addr(r.base, ps),
                addr(r.base.saturating_add(r.size), ps),
                hex_size(r.size),
                kind_name(r),
                state_name(r.state),
                if r.state == MEM_COMMIT {
                    protect_name(r.protect)
                } else {
                    String::new()
                },
                u.name()
            )?;
        }
        Ok(())
    }
}

fn write_table(out: &mut dyn Write, title: &str, rows: &[Row]) -> io::Result<()> {
    let head = format!("--- {title} ");
    writeln!(
        out,
        "{head:-<34} RgnCount ----------- Total Size -------- %ofBusy %ofTotal"
    )?;
    for r in rows {
        let busy = r
            .percent_of_busy
            .map(|p| format!("{p:6.2}%"))
            .unwrap_or_default();
        writeln!(
            out,
            "{:<33} {:>8} {:>20} ({:>12}) {:>8} {:>7.2}%",
            r.name,
            r.count,
            hex_size(r.size),
            human_size(r.size),
            busy,
            r.percent_of_total
        )?;
    }
    writeln!(out)
}

/// Writes the summary as `!address -summary` prints it.
pub fn write_summary(s: &Summary, pointer_size: usize, out: &mut dyn Write) -> io::Result<()> {
    write_table(out, "Usage Summary", &s.usage)?;
    write_table(out, "Type Summary (for busy)", &s.kind)?;
    write_table(out, "State Summary", &s.state)?;
    write_table(out, "Protect Summary (for commit)", &s.protect)?;
    writeln!(
        out,
        "--- Largest Region by Usage ----------- Base Address -------- Region Size ----------"
    )?;
    let mut largest = s.largest.clone();
    largest.sort_by_key(|l| std::cmp::Reverse(l.size));
    for l in &largest {
        writeln!(
            out,
            "{:<33} {:>20} {:>16} ({:>12})",
            l.usage,
            addr(l.base, pointer_size),
            hex_size(l.size),
            human_size(l.size)
        )?;
    }
    Ok(())
}
