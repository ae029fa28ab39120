//! `info` as text: `||`, `.exr -1`, `~` and `lm` in one page.

use std::io::{self, Write};

use super::{Report, exception_code_line};
use crate::report::{Text, addr, human_size, module_table_header};

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let info = self;
        let ps = self.pointer_size;
        let (streams, flags, stamp) = self.header;
        writeln!(
            out,
            "User mini dump: {streams} streams, flags 0x{flags:x}, time stamp 0x{stamp:08x}"
        )?;
        match &info.system {
            Some(s) => writeln!(
                out,
                "System:  Windows {}.{}.{} {}, {} processor{}",
                s.major,
                s.minor,
                s.build,
                s.arch,
                s.processors,
                if s.processors == 1 { "" } else { "s" }
            )?,
            None => writeln!(out, "System:  (no SystemInfo stream)")?,
        }
        writeln!(out)?;
        writeln!(out, "Exception (.exr -1):")?;
        match &info.exception {
            Some(e) => {
                writeln!(out, "ExceptionAddress: {}", addr(e.address, ps))?;
                writeln!(out, "{}", exception_code_line(e.code))?;
                writeln!(out, "          Thread: {:x}", e.thread_id)?;
            }
            None => writeln!(out, "  (no exception record)")?,
        }
        writeln!(out)?;
        writeln!(out, "Threads (~): {}", info.threads.len())?;
        let exc_thread = info.exception.as_ref().map(|e| e.thread_id);
        for (i, t) in info.threads.iter().enumerate() {
            let mark = if Some(t.id) == exc_thread { '#' } else { ' ' };
            writeln!(
                out,
                "{mark}{i:3}  Id: {:x} Teb: {} Stack: {} size {:x}",
                t.id,
                addr(t.teb, ps),
                addr(t.stack_start, ps),
                t.stack_size
            )?;
        }
        writeln!(out)?;
        writeln!(out, "Modules (lm): {}", info.modules.len())?;
        module_table_header(out, ps)?;
        for m in &info.modules {
            let short = dumpfile::module_base_name(&m.name);
            writeln!(
                out,
                "{} {}   {:<20} {:08x}  {}",
                addr(m.base, ps),
                addr(m.base.saturating_add(m.size), ps),
                short,
                m.timestamp,
                m.pdb_id.as_deref().unwrap_or("-")
            )?;
        }
        writeln!(out)?;
        let total: u64 = info.memory.iter().map(|r| r[1]).sum();
        writeln!(
            out,
            "Memory: {} captured ranges, {} bytes ({})",
            info.memory.len(),
            total,
            human_size(total)
        )?;
        if !info.thread_info.is_empty() {
            writeln!(out, "ThreadInfoList: {} entries", info.thread_info.len())?;
        }
        if let Some(h) = info.handle_count {
            writeln!(out, "Handles: {h}")?;
        }
        Ok(())
    }

    fn failure(&self) -> Option<String> {
        self.failure.clone()
    }
}
