//! A process's handles as WinDbg's `!handle [HANDLE] [FLAGS]` shows them (the handle line with
//! flag 1, the object each names with its type and counts with flag 2), the handles per object type (`--summary`, one pass in
//! O(types) memory), and one object's header (`!object ADDR`).

use serde::Serialize;

use crate::CliError;
use crate::kernel::process::oerr;
use crate::target::KernelTarget;

mod text;

/// What to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Options {
    /// `!handle [HANDLE] [FLAGS]` of a process (`None`: the one `.process` selected).
    Handles {
        /// One handle (`None` or 0: all).
        handle: Option<u64>,
        /// The `EPROCESS`.
        process: Option<u64>,
        /// Handles per object type instead of the list.
        summary: bool,
        /// WinDbg's kernel-mode flags (default 3): bit 0 the handle line, bit 1 the object
        /// block (type, header, counts, name). Free entries (bit 2) are never listed.
        flags: u64,
    },
    /// `!object ADDR`: one object's header.
    Object(u64),
}

/// One handle.
#[derive(Debug, Clone, Serialize)]
pub struct HandleRow {
    /// Handle value.
    pub handle: u64,
    /// Object body.
    pub object: u64,
    /// Granted access.
    pub granted_access: u32,
    /// Object type name.
    pub type_name: Option<String>,
}

/// Handles of one object type.
#[derive(Debug, Clone, Serialize)]
pub struct TypeRow {
    /// Type name.
    pub type_name: Option<String>,
    /// Handles.
    pub count: u64,
}

/// The report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The process (`EPROCESS`), for handles.
    pub process: Option<u64>,
    /// Handles in the table.
    pub total: u64,
    /// The handles listed.
    pub handles: Vec<HandleRow>,
    /// Handles per type (`--summary`), most first.
    pub types: Vec<TypeRow>,
    /// Notes: unreadable pages, truncation.
    pub notes: Vec<String>,
    #[serde(skip)]
    pub(crate) windbg: String,
}

/// Reads the handles or the object.
pub fn investigate(k: &KernelTarget, o: &Options) -> Result<Report, CliError> {
    let objs = k.objects()?;
    let arch = if k.pointer_size() == 8 {
        pooltrack::Arch::X64
    } else {
        pooltrack::Arch::X86
    };
    let ptr = |v: u64| pooltrack::windbg_ptr(arch, v);
    let mut r = Report {
        process: None,
        total: 0,
        handles: Vec::new(),
        types: Vec::new(),
        notes: Vec::new(),
        windbg: String::new(),
    };
    let (handle, process, summary, flags) = match *o {
        Options::Object(addr) => {
            let hdr = objs
                .object_header(objs.header_of(addr).map_err(oerr)?)
                .map_err(oerr)?;
            let ty = objs.type_of(&hdr).map_err(oerr)?;
            let name = objs.object_name(&hdr).ok().flatten();
            r.windbg = format!(
                "Object: {}  Type: ({}) {}\n    ObjectHeader: {}\n    HandleCount: {}  PointerCount: {}\n",
                ptr(hdr.object),
                ptr(ty.as_ref().map_or(0, |t| t.address)),
                ty.as_ref().and_then(|t| t.name.as_deref()).unwrap_or("?"),
                ptr(hdr.address),
                hdr.handle_count,
                hdr.pointer_count
            );
            if let Some(n) = name {
                r.windbg
                    .push_str(&format!("    Directory Object: {}  Name: {n}\n", ptr(0)));
            }
            r.handles.push(HandleRow {
                handle: 0,
                object: hdr.object,
                granted_access: 0,
                type_name: ty.and_then(|t| t.name),
            });
            return Ok(r);
        }
        Options::Handles {
            handle,
            process,
            summary,
            flags,
        } => (
            handle.filter(|&h| h != 0),
            process,
            summary,
            u32::try_from(flags & 0xffff_ffff).unwrap_or(3),
        ),
    };
    let addr = process.or(k.current_process()).ok_or_else(|| {
        CliError::new("no current process: give --process ADDR (or run .process ADDR first)")
    })?;
    let p = objs.process(addr).map_err(oerr)?;
    let table = p
        .object_table
        .ok_or_else(|| CliError::new(format!("process {addr:x} has no handle table")))?;
    r.process = Some(addr);
    if summary {
        let s = objs.handle_summary(table).map_err(oerr)?;
        r.total = s.handles;
        r.types = s
            .types
            .iter()
            .map(|t| TypeRow {
                type_name: t.name.clone(),
                count: t.count,
            })
            .collect();
        if s.unknown_type > 0 {
            r.notes
                .push(format!("{} handles of an unreadable type", s.unknown_type));
        }
        if s.unreadable_pages > 0 {
            r.notes.push(format!(
                "{} handle-table pages not in the dump",
                s.unreadable_pages
            ));
        }
        if s.truncated {
            r.notes.push("stopped at the handle limit".to_string());
        }
        return Ok(r);
    }
    r.windbg = format!(
        "PROCESS {}  SessionId: {}  Cid: {:04x}    Peb: {}  ParentCid: {:04x}\n    Image: {}\n\nHandle table at {}\n",
        ptr(p.address),
        p.session_id
            .map_or_else(|| "none".to_string(), |s| s.to_string()),
        p.pid,
        ptr(p.peb.unwrap_or(0)),
        p.parent_pid.unwrap_or(0),
        p.name(),
        ptr(table)
    );
    for h in objs.handles(table).map_err(oerr)? {
        let h = match h {
            Ok(h) => h,
            Err(e) => {
                r.notes.push(e.to_string());
                continue;
            }
        };
        r.total = r.total.saturating_add(1);
        if handle.is_some_and(|x| x != h.handle) {
            continue;
        }
        let ty = objs
            .object_header(h.pointer)
            .ok()
            .and_then(|hdr| objs.type_of(&hdr).ok().flatten())
            .and_then(|t| t.name);
        match objs.handle_windbg_text_flags(&h, flags) {
            Ok(t) => r.windbg.push_str(&t),
            Err(e) => r.windbg.push_str(&format!("{:04x}: {e}\n", h.handle)),
        }
        r.handles.push(HandleRow {
            handle: h.handle,
            object: h.object,
            granted_access: h.granted_access,
            type_name: ty,
        });
    }
    Ok(r)
}
