//! `info` on a kernel dump as text: `vertarget`, `.bugcheck`, the driver table and the unloaded
//! drivers.

use std::io::{self, Write};

use super::Report;
use crate::report::Text;
use crate::report::numbers::addr;

/// The Windows name WinDbg prints before "Kernel Version" for a build.
fn windows_name(build: u32) -> &'static str {
    match build {
        0..=2195 => "Windows 2000",
        2196..=2600 => "Windows XP",
        2601..=3790 => "Windows Server 2003",
        3791..=6002 => "Windows Vista",
        6003..=7601 => "Windows 7",
        7602..=9200 => "Windows 8",
        9201..=9600 => "Windows 8.1",
        _ => "Windows 10",
    }
}

/// `vertarget`: version line, kernel base and `PsLoadedModuleList`, uptime.
pub fn write_vertarget(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let ps = r.pointer_size();
    let flavour = if r.system.major == 0xC {
        "Checked"
    } else {
        "Free"
    };
    // WinDbg's names: "x86 compatible", "x64", "ARM 64-bit (AArch64)" (as in WinDbg sessions on
    // Windows 11 ARM64 kernel dumps: "... MP (4 procs) Free ARM 64-bit (AArch64)").
    let arch = match r.system.arch.as_str() {
        "x86" => "x86 compatible",
        "arm64" => "ARM 64-bit (AArch64)",
        other => other,
    };
    let mp = if r.system.processors > 1 { "MP" } else { "UP" };
    writeln!(
        out,
        "{} Kernel Version {} {mp} ({} procs) {flavour} {arch}",
        windows_name(r.system.build),
        r.system.build,
        r.system.processors
    )?;
    if r.system.pae {
        writeln!(out, "Kernel uses PAE paging")?;
    }
    match r.system.kernel_base {
        Some(kb) => writeln!(
            out,
            "Kernel base = 0x{} PsLoadedModuleList = 0x{}",
            addr(kb, ps),
            addr(r.system.ps_loaded_module_list, ps)
        )?,
        None => writeln!(
            out,
            "PsLoadedModuleList = 0x{}",
            addr(r.system.ps_loaded_module_list, ps)
        )?,
    }
    if let Some(up) = r.system.system_up_time {
        let s = up / 10_000_000;
        writeln!(
            out,
            "System Uptime: {} days {}:{:02}:{:02}.{:03}",
            s / 86_400,
            (s / 3600) % 24,
            (s / 60) % 60,
            s % 60,
            (up / 10_000) % 1000
        )?;
    }
    Ok(())
}

/// `.bugcheck`: code and the four arguments.
pub fn write_bugcheck(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let ps = r.pointer_size();
    writeln!(out, "Bugcheck code {:08X}", r.bugcheck.code)?;
    let params: Vec<String> = r.bugcheck.params.iter().map(|p| addr(*p, ps)).collect();
    writeln!(out, "Arguments {}", params.join(" "))
}

/// `lm`: start, end and module name of each driver, then the unloaded ones.
pub fn write_lm(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let ps = r.pointer_size();
    let w = if ps == 8 { 17 } else { 8 };
    writeln!(out, "{:<w$} {:<w$}   module name", "start", "end")?;
    let mut sorted: Vec<&super::Module> = r.modules.iter().collect();
    sorted.sort_by_key(|m| m.base);
    for m in sorted {
        writeln!(
            out,
            "{} {}   {:<10} (deferred)",
            addr(m.base, ps),
            addr(m.base.saturating_add(m.size), ps),
            m.module,
        )?;
    }
    write_unloaded(r, out)
}

fn write_unloaded(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if r.unloaded_modules.is_empty() {
        return Ok(());
    }
    let ps = r.pointer_size();
    writeln!(out)?;
    writeln!(out, "Unloaded modules:")?;
    for u in &r.unloaded_modules {
        writeln!(
            out,
            "{} {}   {}",
            addr(u.start, ps),
            addr(u.end, ps),
            u.name
        )?;
    }
    Ok(())
}

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let ps = self.pointer_size();
        write_vertarget(self, out)?;
        writeln!(out, "Dump type: {}", self.dump_type)?;
        writeln!(out, "Physical pages in the dump: {}", self.physical_pages)?;
        writeln!(out)?;
        write_bugcheck(self, out)?;
        writeln!(out)?;
        let w = if ps == 8 { 17 } else { 8 };
        writeln!(
            out,
            "{:<w$} {:<w$}   module     image                TimeDateStamp",
            "start", "end"
        )?;
        for m in &self.modules {
            let ts = m
                .timestamp
                .map_or_else(|| "unavailable".to_string(), |t| format!("{t:08x}"));
            writeln!(
                out,
                "{} {}   {:<10} {:<20} {ts}",
                addr(m.base, ps),
                addr(m.base.saturating_add(m.size), ps),
                m.module,
                m.name,
            )?;
        }
        writeln!(out, "{} drivers", self.modules.len())?;
        write_unloaded(self, out)?;
        for p in &self.problems {
            writeln!(out, "note: {p}")?;
        }
        Ok(())
    }
}
