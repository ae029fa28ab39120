//! WinDbg-style text for `!process 0 0`, `!handle` and `!thread`, so a front end prints what
//! WinDbg users expect.
//!
//! Matched line by line against WinDbg output quoted in a public write-up of a handle leak on an
//! x86 server (`!process 0 0`, `!handle`, `!thread` of a terminated thread). Lines that need
//! data this crate does not read (`DeviceMap`, impersonation details, `PriorityDecrement`, the
//! callback stack) are left out; x64 widths follow WinDbg's `%p` convention and are not
//! confirmed by a quoted output.

use std::fmt::Write as _;

use super::{HandleEntry, KernelObjects, Process, Thread, ThreadState};
use crate::error::Error;
use crate::layout::Arch;
use crate::memory::{PointerWidth, ReadMemory};
use crate::pool::{Symbolize, windbg_ptr};

fn arch(w: PointerWidth) -> Arch {
    match w {
        PointerWidth::Bits32 => Arch::X86,
        PointerWidth::Bits64 => Arch::X64,
    }
}

/// Clock ticks as WinDbg's `Ticks:` shows them: `d:hh:mm:ss.mmm`, at `increment` 100-ns
/// units per tick; truncated as WinDbg does (980,987 ticks of 15.625 ms show as 27.921 s).
fn ticks_duration(ticks: u64, increment: u64) -> String {
    let total_ms = ticks.saturating_mul(increment) / 10_000;
    let ms = total_ms % 1000;
    let s = total_ms / 1000;
    format!(
        "{}:{:02}:{:02}:{:02}.{ms:03}",
        s / 86_400,
        (s / 3600) % 24,
        (s / 60) % 60,
        s % 60
    )
}

/// CPU time as WinDbg's `UserTime`/`KernelTime` show it: `hh:mm:ss.ffff`.
fn cpu_time(ticks: u32, increment: u64) -> String {
    let tenths_ms = u64::from(ticks).saturating_mul(increment) / 1000;
    let frac = tenths_ms % 10_000;
    let s = tenths_ms / 10_000;
    format!(
        "{:02}:{:02}:{:02}.{frac:04}",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

impl Process {
    /// `!process 0 0` text for this process: the `PROCESS` line, `DirBase`/`ObjectTable`/
    /// `HandleCount` and `Image`. `handle_count` is the number to show (from
    /// [`KernelObjects::handle_count`]).
    pub fn windbg_text(&self, width: PointerWidth, handle_count: u64) -> String {
        let a = arch(width);
        let session = self
            .session_id
            .map_or_else(|| "none".to_string(), |s| s.to_string());
        format!(
            "PROCESS {}  SessionId: {session}  Cid: {:04x}    Peb: {}  ParentCid: {:04x}\n    DirBase: {:08x}  ObjectTable: {}  HandleCount: {handle_count}.\n    Image: {}\n",
            windbg_ptr(a, self.address),
            self.pid,
            windbg_ptr(a, self.peb.unwrap_or(0)),
            self.parent_pid.unwrap_or(0),
            self.dir_base.unwrap_or(0),
            windbg_ptr(a, self.object_table.unwrap_or(0)),
            self.name(),
        )
    }
}

/// What `!thread` shows that is not in the `_ETHREAD` itself.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct ThreadTextContext<'a> {
    /// The owning process's image name.
    pub process_image: Option<&'a str>,
    /// The current tick count (`KeTickCount`), for `Ticks:` since the wait started.
    pub tick_count: Option<u64>,
    /// The clock tick in 100-ns units (`KeMaximumIncrement`; 156,250 = 15.625 ms by default).
    pub time_increment: u64,
    /// Names start addresses (`mydriver!StatusWaitThread`).
    pub symbolize: Option<Symbolize<'a>>,
}

impl std::fmt::Debug for ThreadTextContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadTextContext")
            .field("process_image", &self.process_image)
            .field("tick_count", &self.tick_count)
            .field("time_increment", &self.time_increment)
            .finish_non_exhaustive()
    }
}

impl Default for ThreadTextContext<'_> {
    fn default() -> Self {
        ThreadTextContext {
            process_image: None,
            tick_count: None,
            time_increment: 156_250,
            symbolize: None,
        }
    }
}

impl<'a> ThreadTextContext<'a> {
    /// Set [`ThreadTextContext::process_image`].
    #[must_use]
    pub fn with_process_image(mut self, image: &'a str) -> Self {
        self.process_image = Some(image);
        self
    }
    /// Set [`ThreadTextContext::tick_count`].
    #[must_use]
    pub fn with_tick_count(mut self, ticks: u64) -> Self {
        self.tick_count = Some(ticks);
        self
    }
    /// Set [`ThreadTextContext::time_increment`].
    #[must_use]
    pub fn with_time_increment(mut self, increment: u64) -> Self {
        self.time_increment = increment;
        self
    }
    /// Set [`ThreadTextContext::symbolize`].
    #[must_use]
    pub fn with_symbolize(mut self, f: Symbolize<'a>) -> Self {
        self.symbolize = Some(f);
        self
    }
}

impl Thread {
    /// `!thread` text for this thread: the lines this crate has the data for (no `DeviceMap`
    /// or impersonation lines; the stack line without `Call`, the priority line without
    /// `PriorityDecrement`).
    pub fn windbg_text(&self, width: PointerWidth, ctx: &ThreadTextContext<'_>) -> String {
        let a = arch(width);
        let mut s = String::new();
        let state = match self.state {
            // WinDbg adds the wait mode and alertability, which this crate does not read.
            Some(ThreadState::Waiting) => match self.wait_reason.and_then(|w| w.name()) {
                Some(r) => format!("WAIT: ({r})"),
                None => "WAIT".to_string(),
            },
            Some(st) => st.windbg_word().to_string(),
            None => "?".to_string(),
        };
        let _ = writeln!(
            s,
            "THREAD {}  Cid {:04x}.{:04x}  Teb: {} Win32Thread: {} {state}",
            windbg_ptr(a, self.address),
            self.pid.unwrap_or(0),
            self.tid.unwrap_or(0),
            windbg_ptr(a, self.teb.unwrap_or(0)),
            windbg_ptr(a, self.win32_thread.unwrap_or(0)),
        );
        let _ = writeln!(
            s,
            "Owning Process            {}       Image:         {}",
            windbg_ptr(a, self.process.unwrap_or(0)),
            ctx.process_image.unwrap_or("?")
        );
        let wait = self.wait_start_tick.unwrap_or(0);
        match ctx.tick_count {
            Some(now) => {
                let ticks = now.saturating_sub(u64::from(wait));
                let _ = writeln!(
                    s,
                    "Wait Start TickCount      {wait:<15}Ticks: {ticks} ({})",
                    ticks_duration(ticks, ctx.time_increment)
                );
            }
            None => {
                let _ = writeln!(s, "Wait Start TickCount      {wait}");
            }
        }
        let _ = writeln!(
            s,
            "Context Switch Count      {}",
            self.context_switches.unwrap_or(0)
        );
        let _ = writeln!(
            s,
            "UserTime                  {}",
            cpu_time(self.user_time.unwrap_or(0), ctx.time_increment)
        );
        let _ = writeln!(
            s,
            "KernelTime                {}",
            cpu_time(self.kernel_time.unwrap_or(0), ctx.time_increment)
        );
        let start = self.start_address.unwrap_or(0);
        let hex = match a {
            Arch::X86 => format!("0x{:08x}", start & 0xffff_ffff),
            Arch::X64 => format!("0x{start:016x}"),
        };
        match ctx.symbolize.and_then(|f| f(start)) {
            Some(name) => {
                let _ = writeln!(s, "Start Address {name} ({hex})");
            }
            None => {
                let _ = writeln!(s, "Start Address {hex}");
            }
        }
        let _ = writeln!(
            s,
            "Stack Init {:x} Current {:x} Base {:x} Limit {:x}",
            self.stack.initial.unwrap_or(0),
            self.stack.current.unwrap_or(0),
            self.stack.base.unwrap_or(0),
            self.stack.limit.unwrap_or(0),
        );
        let _ = writeln!(
            s,
            "Priority {} BasePriority {}",
            self.priority.unwrap_or(0),
            self.base_priority.unwrap_or(0)
        );
        s
    }
}

impl<M: ReadMemory> KernelObjects<M> {
    /// `!handle` text for one entry with WinDbg's default flags (3): the handle line, the
    /// object and its type, its header and counts (and its name when it has one).
    pub fn handle_windbg_text(&self, h: &HandleEntry) -> Result<String, Error> {
        self.handle_windbg_text_flags(h, 3)
    }

    /// `!handle` text for one entry as WinDbg's kernel-mode flags ask: bit 0 (1) the handle
    /// line (`0004: Object: ...  GrantedAccess: ... Entry: ...`), bit 1 (2) the object block
    /// (`Object: ... Type: (...) Name`, `ObjectHeader`, `HandleCount`/`PointerCount`, and
    /// `Directory Object`/`Name` for a named object). Other bits change which handles are
    /// listed, not what a handle shows. With neither bit set nothing is printed (and nothing
    /// read).
    pub fn handle_windbg_text_flags(&self, h: &HandleEntry, flags: u32) -> Result<String, Error> {
        let a = arch(self.layout.width);
        let mut s = String::new();
        if flags & 1 != 0 {
            let _ = writeln!(
                s,
                "{:04x}: Object: {}  GrantedAccess: {:08x} Entry: {}",
                h.handle,
                windbg_ptr(a, h.object),
                h.granted_access,
                windbg_ptr(a, h.entry_address)
            );
        }
        if flags & 2 == 0 {
            return Ok(s);
        }
        let hdr = self.object_header(h.pointer)?;
        let ty = self.type_of(&hdr)?;
        let _ = writeln!(
            s,
            "Object: {}  Type: ({}) {}",
            windbg_ptr(a, h.object),
            windbg_ptr(a, ty.as_ref().map_or(0, |t| t.address)),
            ty.as_ref().and_then(|t| t.name.as_deref()).unwrap_or("?")
        );
        let _ = writeln!(s, "    ObjectHeader: {}", windbg_ptr(a, hdr.address));
        let _ = writeln!(
            s,
            "        HandleCount: {}  PointerCount: {}",
            hdr.handle_count, hdr.pointer_count
        );
        if let (Ok(Some(name)), Some(info)) = (self.object_name(&hdr), hdr.name_info) {
            let dir = self.read_ptr(info).unwrap_or(0);
            let _ = writeln!(
                s,
                "        Directory Object: {}  Name: {name}",
                windbg_ptr(a, dir)
            );
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_windbg_prints_them() {
        // The two terminated threads of the quoted `!thread` output.
        assert_eq!(ticks_duration(980_987, 156_250), "0:04:15:27.921");
        assert_eq!(ticks_duration(980_968, 156_250), "0:04:15:27.625");
        assert_eq!(cpu_time(0, 156_250), "00:00:00.0000");
        assert_eq!(cpu_time(64, 156_250), "00:00:01.0000");
        assert_eq!(cpu_time(1, 156_250), "00:00:00.0156");
        // Absurd values saturate instead of overflowing.
        assert!(ticks_duration(u64::MAX, u64::MAX).starts_with("21350398:"));
    }
}
