//! `~*k` as WinDbg prints it.

use std::io::{self, Write};

use stackwalk::StopReason;

use super::{FrameOut, Report};
use crate::report::{Text, addr};

fn write_frames(
    out: &mut dyn Write,
    frames: &[FrameOut],
    x86: bool,
    pointer_size: usize,
) -> io::Result<()> {
    if x86 {
        writeln!(out, " # ChildEBP RetAddr  Call Site")?;
    } else {
        writeln!(out, " # Child-SP          RetAddr               Call Site")?;
    }
    for (i, f) in frames.iter().enumerate() {
        let ret = f.return_address.unwrap_or(0);
        if x86 {
            let ebp = f.frame_pointer.unwrap_or(0);
            writeln!(
                out,
                "{i:02x} {} {} {}",
                addr(ebp, 4),
                addr(ret, 4),
                f.call_site
            )?;
        } else {
            writeln!(
                out,
                "{i:02x} {} {}     {}",
                addr(f.stack_pointer, pointer_size),
                addr(ret, pointer_size),
                f.call_site
            )?;
        }
    }
    Ok(())
}

impl Text for Report {
    /// Writes the report like `~*k`.
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let r = self;
        let pid = r.process_id.unwrap_or(0);
        for (n, t) in r.threads.iter().enumerate() {
            if n > 0 {
                writeln!(out)?;
            }
            writeln!(
                out,
                "{:>4}  Id: {pid:x}.{:x} Suspend: {} Teb: {} Unfrozen",
                t.index,
                t.id,
                t.suspend_count,
                addr(t.teb, r.pointer_size)
            )?;
            write_frames(out, &t.frames, r.pointer_size == 4, r.pointer_size)?;
            if t.stop != StopReason::EndOfStack.to_string() && !t.frames.is_empty() {
                writeln!(out, "   (walk ended: {})", t.stop)?;
            }
            if let Some(e) = &t.exception {
                writeln!(out, "  Exception context (.ecxr) stack:")?;
                write_frames(out, &e.frames, r.pointer_size == 4, r.pointer_size)?;
                if e.stop != StopReason::EndOfStack.to_string() {
                    writeln!(out, "   (walk ended: {})", e.stop)?;
                }
            }
            if let Some(w) = &t.wow64 {
                writeln!(out, "  32-bit (WOW64) stack:")?;
                write_frames(out, &w.frames, true, 4)?;
                if w.stop != StopReason::EndOfStack.to_string() {
                    writeln!(out, "   (walk ended: {})", w.stop)?;
                }
            }
            for w in &t.warnings {
                writeln!(out, "   warning: {w}")?;
            }
        }
        Ok(())
    }
}
