//! The WinDbg commands that only show facts the dump already holds, each as a small report:
//! `lm`, `~`, `.exr -1`, `||`, `!peb`, `!teb` and `!address ADDR`.

use std::io::{self, Write};

use crate::CliError;
use crate::report::{Text, addr, module_table_header};
use crate::target::UserDump;
use crate::user::address::{self, FROM_CAPTURED, Region, Usage};
use crate::user::info::exception_code_line;

/// `lm`: the module list sorted by base.
#[derive(Debug)]
pub struct ModuleList {
    /// `(base, size, full name)`, by base.
    pub modules: Vec<(u64, u64, String)>,
    /// Pointer size.
    pub pointer_size: usize,
}

/// Reads `lm`.
pub fn module_list(u: &UserDump) -> Result<ModuleList, CliError> {
    let mut modules: Vec<(u64, u64, String)> = u
        .modules()
        .map_err(CliError::new)?
        .iter()
        .map(|m| (m.base, m.size, m.name.clone()))
        .collect();
    modules.sort_by_key(|m| m.0);
    Ok(ModuleList {
        modules,
        pointer_size: u.pointer_size(),
    })
}

impl Text for ModuleList {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let ps = self.pointer_size;
        module_table_header(out, ps)?;
        for (base, size, name) in &self.modules {
            writeln!(
                out,
                "{} {}   {:<16} {name}",
                addr(*base, ps),
                addr(base.saturating_add(*size), ps),
                dumpfile::module_short_name(name),
            )?;
        }
        Ok(())
    }
}

/// `~`: the threads, the current one marked.
#[derive(Debug)]
pub struct Threads {
    /// `(current, id, suspend count, TEB)`, in thread-list order.
    pub threads: Vec<(bool, u32, u32, u64)>,
    /// The process id (0 when unknown).
    pub process_id: u32,
    /// Pointer size.
    pub pointer_size: usize,
}

/// Reads `~`.
pub fn threads(u: &UserDump) -> Result<Threads, CliError> {
    let current = u.current_thread().map(|c| c.0);
    let threads = u.dump.threads().map_err(|e| CliError::new(e.to_string()))?;
    Ok(Threads {
        threads: threads
            .iter()
            .enumerate()
            .map(|(i, t)| (Some(i) == current, t.id, t.suspend_count, t.teb))
            .collect(),
        process_id: u
            .dump
            .misc_info()
            .ok()
            .flatten()
            .and_then(|m| m.process_id)
            .unwrap_or(0),
        pointer_size: u.pointer_size(),
    })
}

impl Text for Threads {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        for (i, (current, id, suspend, teb)) in self.threads.iter().enumerate() {
            writeln!(
                out,
                "{} {i:>2}  Id: {:x}.{id:x} Suspend: {suspend} Teb: {} Unfrozen",
                if *current { '.' } else { ' ' },
                self.process_id,
                addr(*teb, self.pointer_size)
            )?;
        }
        Ok(())
    }
}

/// `.exr -1`: the exception record.
#[derive(Debug)]
pub struct ExceptionRecord(pub Option<dumpfile::ExceptionInfo>);

/// Reads `.exr -1`.
pub fn exception(u: &UserDump) -> Result<ExceptionRecord, CliError> {
    Ok(ExceptionRecord(
        u.dump
            .exception()
            .map_err(|e| CliError::new(e.to_string()))?,
    ))
}

impl Text for ExceptionRecord {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let Some(e) = &self.0 else {
            return writeln!(out, "no exception record in the dump");
        };
        writeln!(out, "ExceptionAddress: {:016x}", e.address)?;
        writeln!(out, "{}", exception_code_line(e.code))?;
        writeln!(out, "  ExceptionFlags: {:08x}", e.flags)?;
        writeln!(out, "NumberParameters: {}", e.parameters.len())?;
        for (i, p) in e.parameters.iter().enumerate() {
            writeln!(out, "   Parameter[{i}]: {p:016x}")?;
        }
        Ok(())
    }
}

/// `||`: the kind of dump and its file.
#[derive(Debug)]
pub struct DumpLine {
    /// `Full memory user mini dump` or `User mini dump`.
    pub kind: &'static str,
    /// The file, as given.
    pub path: String,
}

/// Reads `||`.
pub fn dump_line(u: &UserDump) -> DumpLine {
    const MINIDUMP_WITH_FULL_MEMORY: u64 = 0x2;
    DumpLine {
        kind: if u.dump.header().flags & MINIDUMP_WITH_FULL_MEMORY != 0 {
            "Full memory user mini dump"
        } else {
            "User mini dump"
        },
        path: u.path.display().to_string(),
    }
}

impl Text for DumpLine {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, ".  0 {}: {}", self.kind, self.path)
    }
}

/// `!peb`: the process facts the PEB holds.
#[derive(Debug)]
pub struct Peb<'a> {
    /// The facts.
    pub process: &'a dumpfile::ProcessInfo,
    /// The PEB's address.
    pub peb: u64,
    /// Pointer size.
    pub pointer_size: usize,
}

/// Reads `!peb`.
pub fn peb(u: &UserDump) -> Result<Peb<'_>, CliError> {
    let process = u
        .process()
        .map_err(|e| CliError::new(format!("!peb: {e}")))?;
    let peb = process
        .peb
        .ok_or_else(|| CliError::new("!peb: no PEB in the dump (no thread TEB is readable)"))?;
    Ok(Peb {
        process,
        peb,
        pointer_size: u.pointer_size(),
    })
}

impl Text for Peb<'_> {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let (p, ps) = (self.process, self.pointer_size);
        let opt = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| addr(v, ps));
        writeln!(out, "PEB at {}", addr(self.peb, ps))?;
        writeln!(out, "    ImageBaseAddress:  {}", opt(p.image_base))?;
        writeln!(out, "    ProcessHeap:       {}", opt(p.process_heap))?;
        writeln!(
            out,
            "    NumberOfHeaps:     {}",
            p.number_of_heaps
                .map_or_else(|| "?".to_string(), |n| n.to_string())
        )?;
        for h in &p.process_heaps {
            writeln!(out, "        {}", addr(*h, ps))?;
        }
        writeln!(
            out,
            "    ImagePathName:     {}",
            p.image_path.as_deref().unwrap_or("?")
        )?;
        writeln!(
            out,
            "    CommandLine:       '{}'",
            p.command_line.as_deref().unwrap_or("?")
        )?;
        writeln!(out, "    Ldr.InLoadOrderModuleList:")?;
        for m in &p.loader_modules {
            writeln!(
                out,
                "        {} {:>8x} {}",
                addr(m.base, ps),
                m.size,
                m.full_name
                    .as_deref()
                    .or(m.base_name.as_deref())
                    .unwrap_or("?")
            )?;
        }
        if let Some(peb32) = p.peb32 {
            writeln!(out, "Wow64 PEB32 at {}", addr(peb32, 4))?;
        }
        for w in &p.warnings {
            writeln!(out, "    warning: {w}")?;
        }
        Ok(())
    }
}

/// `!teb`: the current thread's TEB.
#[derive(Debug)]
pub struct Teb<'a> {
    /// The thread's facts.
    pub thread: &'a dumpfile::ThreadTeb,
    /// The PEB's address.
    pub peb: Option<u64>,
    /// Pointer size.
    pub pointer_size: usize,
}

/// Reads `!teb`.
pub fn teb(u: &UserDump) -> Result<Teb<'_>, CliError> {
    let p = u
        .process()
        .map_err(|e| CliError::new(format!("!teb: {e}")))?;
    let (_, id) = u
        .current_thread()
        .ok_or_else(|| CliError::new("!teb: no threads"))?;
    let thread = p
        .threads
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| CliError::new("!teb: no TEB for the current thread"))?;
    Ok(Teb {
        thread,
        peb: p.peb,
        pointer_size: u.pointer_size(),
    })
}

impl Text for Teb<'_> {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let (t, ps) = (self.thread, self.pointer_size);
        writeln!(out, "TEB at {}", addr(t.teb, ps))?;
        match t.stack_base_limit {
            Some((base, limit)) => {
                writeln!(out, "    StackBase:            {}", addr(base, ps))?;
                writeln!(out, "    StackLimit:           {}", addr(limit, ps))?;
            }
            None => writeln!(out, "    Stack:                not in the dump")?,
        }
        writeln!(out, "    ClientId:             {:x}", t.id)?;
        if let Some(peb) = self.peb {
            writeln!(out, "    PEB Address:          {}", addr(peb, ps))?;
        }
        if let Some(t32) = t.teb32 {
            writeln!(out, "Wow64 TEB32 at {}", addr(t32, 4))?;
        }
        Ok(())
    }
}

/// `!address ADDR`: the region holding an address, with its usage.
#[derive(Debug)]
pub struct RegionOf {
    /// The region.
    pub region: Region,
    /// Its usage.
    pub usage: Usage,
    /// Where the regions came from.
    pub source: &'static str,
    /// Pointer size.
    pub pointer_size: usize,
}

/// Reads `!address ADDR` (`expr` as written, for the message when no region holds it).
pub fn region_of(u: &UserDump, at: u64, expr: &str) -> Result<RegionOf, CliError> {
    let ps = u.pointer_size();
    let c = address::classified_or_captured(u);
    c.regions
        .iter()
        .zip(&c.usages)
        .find(|(r, _)| r.base <= at && at.checked_sub(r.base).is_some_and(|o| o < r.size))
        .map(|(r, u)| RegionOf {
            region: *r,
            usage: *u,
            source: c.source,
            pointer_size: ps,
        })
        .ok_or_else(|| {
            CliError::new(format!(
                "!address {expr}: {} is in no region of the dump ({})",
                addr(at, ps),
                c.source
            ))
        })
}

impl Text for RegionOf {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let (r, ps) = (&self.region, self.pointer_size);
        writeln!(out, "Usage:                  {}", self.usage.name())?;
        writeln!(out, "Base Address:           {}", addr(r.base, ps))?;
        writeln!(
            out,
            "End Address:            {}",
            addr(r.base.saturating_add(r.size), ps)
        )?;
        writeln!(out, "Region Size:            {}", addr(r.size, ps))?;
        writeln!(
            out,
            "State:                  {:08x}          {}",
            r.state,
            address::state_name(r.state)
        )?;
        writeln!(
            out,
            "Protect:                {:08x}          {}",
            r.protect,
            address::protect_name(r.protect)
        )?;
        writeln!(
            out,
            "Type:                   {:08x}          {}",
            r.kind,
            address::type_name(r.kind)
        )?;
        writeln!(
            out,
            "Allocation Base:        {}",
            addr(r.allocation_base, ps)
        )?;
        if self.source == FROM_CAPTURED {
            writeln!(
                out,
                "(no MemoryInfoList: the region is a captured memory range)"
            )?;
        }
        Ok(())
    }
}
