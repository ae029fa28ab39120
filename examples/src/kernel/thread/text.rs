//! `!thread` as WinDbg prints it (pooltrack's renderer), then the kernel stack in `k`'s x86
//! layout (`ChildEBP RetAddr` and the call site).

use std::io::{self, Write};

use super::{Report, StackFrame};
use crate::report::Text;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.windbg.as_bytes())?;
        out.write_all(stack_text(&self.stack, self.stack_note.as_deref()).as_bytes())
    }
}

/// The kernel stack lines under a thread (`ChildEBP RetAddr` and the call site), or the note
/// saying why there are none.
pub(crate) fn stack_text(stack: &[StackFrame], note: Option<&str>) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    if !stack.is_empty() {
        s.push_str("ChildEBP RetAddr  \n");
        for f in stack {
            let ret = f
                .return_address
                .map_or_else(|| "--------".to_string(), |r| format!("{r:08x}"));
            let _ = writeln!(s, "{:08x} {ret} {}", f.child_ebp, f.call_site);
        }
    }
    if let Some(n) = note {
        let _ = writeln!(s, "Note: {n}");
    }
    s
}
