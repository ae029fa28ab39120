//! `!analyze -v` layout for a kernel dump.

use std::io::{self, Write};

use super::Report;
use crate::report::Text;
use crate::report::numbers::addr;

const STARS: &str =
    "*******************************************************************************";

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let ps = self.pointer_size;
        writeln!(out, "{STARS}")?;
        writeln!(out, "*{:^77}*", "")?;
        writeln!(out, "*{:^77}*", "Bugcheck Analysis")?;
        writeln!(out, "*{:^77}*", "")?;
        writeln!(out, "{STARS}")?;
        writeln!(out)?;
        writeln!(out, "{} ({:x})", self.bugcheck_name, self.bugcheck_code)?;
        if !self.description.is_empty() {
            writeln!(out, "{}", self.description)?;
        }
        writeln!(out, "Arguments:")?;
        for (i, a) in (1..).zip(&self.args) {
            writeln!(
                out,
                "Arg{}: {}, {}",
                i,
                addr(a.value, ps).replace('`', ""),
                a.meaning
            )?;
        }
        writeln!(out)?;
        writeln!(out, "BUGCHECK_CODE:  {:x}", self.bugcheck_code)?;
        writeln!(out)?;
        for (i, v) in (1..).zip(&self.bugcheck_params) {
            writeln!(out, "BUGCHECK_P{i}: {v:x}")?;
        }
        writeln!(out)?;
        for k in &self.keys {
            writeln!(out, "{}:  {}", k.key, k.value)?;
            writeln!(out)?;
        }
        if let Some(p) = &self.process_name {
            writeln!(out, "PROCESS_NAME:  {p}")?;
            writeln!(out)?;
        }
        if let Some(ip) = self.faulting_ip {
            let at = self.symbol_name.clone().unwrap_or_else(|| "+0".to_string());
            writeln!(out, "FAULTING_IP:")?;
            writeln!(out, "{at}")?;
            writeln!(out, "{}", addr(ip, ps))?;
            writeln!(out)?;
        }
        if let Some(t) = self.trap_frame {
            writeln!(out, "TRAP_FRAME:  {} -- (.trap 0x{t:x})", addr(t, ps))?;
            for line in self.trap_registers.chunks(3) {
                let regs: Vec<String> = line
                    .iter()
                    .map(|(n, v)| format!("{n}={}", addr(*v, ps).replace('`', "")))
                    .collect();
                writeln!(out, "{}", regs.join(" "))?;
            }
            writeln!(out)?;
        }
        if !self.stack_text.is_empty() {
            writeln!(out, "STACK_TEXT:  ")?;
            for f in &self.stack_text {
                let ret = f
                    .return_address
                    .map_or_else(|| "-".repeat(if ps == 8 { 17 } else { 8 }), |r| addr(r, ps));
                writeln!(out, "{} {ret} : {}", addr(f.child_sp, ps), f.call_site)?;
            }
            writeln!(out)?;
        }
        if let Some(s) = &self.symbol_name {
            writeln!(out, "SYMBOL_NAME:  {s}")?;
            writeln!(out)?;
        }
        if let Some(m) = &self.module_name {
            writeln!(out, "MODULE_NAME: {m}")?;
            writeln!(out)?;
        }
        if let Some(i) = &self.image_name {
            writeln!(out, "IMAGE_NAME:  {i}")?;
            writeln!(out)?;
        }
        if let Some(v) = &self.image_version {
            writeln!(out, "IMAGE_VERSION:  {v}")?;
            writeln!(out)?;
        }
        writeln!(out, "FAILURE_BUCKET_ID:  {}", self.failure_bucket_id)?;
        writeln!(out)?;
        writeln!(out, "OS_VERSION:  {}", self.os_version)?;
        writeln!(out)?;
        writeln!(out, "OSPLATFORM_TYPE:  {}", self.osplatform_type)?;
        for p in &self.problems {
            writeln!(out)?;
            writeln!(out, "note: {p}")?;
        }
        Ok(())
    }
}
