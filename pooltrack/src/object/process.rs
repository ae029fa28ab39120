//! `_EPROCESS`: the process list from `PsActiveProcessHead` (`!process 0 0`).

use super::list::ListWalk;
use super::unicode_string::{ansi_name, read_unicode_string};
use super::{KernelObjects, back, field, opt};
use crate::error::Error;
use crate::memory::{PointerWidth, ReadMemory};

/// Offsets in `_EPROCESS` (and the `_KPROCESS` at its start, and `_MM_SESSION_SPACE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessLayout {
    /// `sizeof(_EPROCESS)`.
    pub size: u32,
    /// `Pcb.DirectoryTableBase` (`_KPROCESS`, at the start of `_EPROCESS`).
    pub directory_table_base: u32,
    /// `UniqueProcessId`.
    pub unique_process_id: u32,
    /// `ActiveProcessLinks`.
    pub active_process_links: u32,
    /// `CreateTime` (FILETIME).
    pub create_time: u32,
    /// `ExitTime` (FILETIME; zero while the process runs).
    pub exit_time: u32,
    /// `ObjectTable` (the process's `_HANDLE_TABLE`).
    pub object_table: u32,
    /// `Peb`.
    pub peb: u32,
    /// `InheritedFromUniqueProcessId` (the parent's id).
    pub inherited_from_unique_process_id: u32,
    /// `ImageFileName` (`UCHAR[15]` from Windows 7, `[16]` before).
    pub image_file_name: u32,
    /// `ThreadListHead` (the `_ETHREAD.ThreadListEntry` list).
    pub thread_list_head: u32,
    /// `ActiveThreads`.
    pub active_threads: u32,
    /// `Session` (pointer to `_MM_SESSION_SPACE`, null for System and smss).
    pub session: u32,
    /// `_MM_SESSION_SPACE.SessionId`.
    pub session_id: u32,
    /// `SeAuditProcessCreationInfo` (pointer to the full image path, an
    /// `_OBJECT_NAME_INFORMATION`).
    pub se_audit_process_creation_info: u32,
    /// `ExitStatus`.
    pub exit_status: u32,
}

impl ProcessLayout {
    pub(crate) fn push_fields(&self, v: &mut Vec<(&'static str, &'static str, u32)>) {
        v.extend([
            ("_EPROCESS", "<size>", self.size),
            ("_KPROCESS", "DirectoryTableBase", self.directory_table_base),
            ("_EPROCESS", "UniqueProcessId", self.unique_process_id),
            ("_EPROCESS", "ActiveProcessLinks", self.active_process_links),
            ("_EPROCESS", "CreateTime", self.create_time),
            ("_EPROCESS", "ExitTime", self.exit_time),
            ("_EPROCESS", "ObjectTable", self.object_table),
            ("_EPROCESS", "Peb", self.peb),
            (
                "_EPROCESS",
                "InheritedFromUniqueProcessId",
                self.inherited_from_unique_process_id,
            ),
            ("_EPROCESS", "ImageFileName", self.image_file_name),
            ("_EPROCESS", "ThreadListHead", self.thread_list_head),
            ("_EPROCESS", "ActiveThreads", self.active_threads),
            ("_EPROCESS", "Session", self.session),
            ("_MM_SESSION_SPACE", "SessionId", self.session_id),
            (
                "_EPROCESS",
                "SeAuditProcessCreationInfo",
                self.se_audit_process_creation_info,
            ),
            ("_EPROCESS", "ExitStatus", self.exit_status),
        ]);
    }
}

/// One process, as `!process 0 0` shows it. Fields that are not in the dump are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Process {
    /// Address of the `_EPROCESS`.
    pub address: u64,
    /// `UniqueProcessId` (the Cid).
    pub pid: u64,
    /// `InheritedFromUniqueProcessId` (the parent's Cid).
    pub parent_pid: Option<u64>,
    /// The session id, `None` when the process has no session (System, smss) or the session is
    /// not in the dump.
    pub session_id: Option<u32>,
    /// `Peb` (user address; zero for System).
    pub peb: Option<u64>,
    /// `Pcb.DirectoryTableBase`: the page-table root to switch address translation to this
    /// process (WinDbg `.process`).
    pub dir_base: Option<u64>,
    /// `ObjectTable`: the process's `_HANDLE_TABLE` (zero once the process has exited).
    pub object_table: Option<u64>,
    /// `_HANDLE_TABLE.HandleCount` on builds that keep one (up to Windows 7); later builds
    /// count while walking ([`KernelObjects::handle_count`]).
    pub handle_count: Option<u32>,
    /// `ImageFileName`: the first 14 (15 before Windows 7) characters of the image name.
    pub image_name: Option<String>,
    /// The full NT path of the image (`SeAuditProcessCreationInfo`), where present.
    pub full_image_name: Option<String>,
    /// `CreateTime` (FILETIME).
    pub create_time: Option<u64>,
    /// `ExitTime` (FILETIME, zero while running).
    pub exit_time: Option<u64>,
    /// `ActiveThreads`.
    pub active_threads: Option<u32>,
    /// `ExitStatus` (0x103, STATUS_PENDING, while running).
    pub exit_status: Option<u32>,
}

impl Process {
    /// Whether the process has exited but is still referenced (a "zombie"): it is still in the
    /// process list, with an exit time.
    pub fn is_zombie(&self) -> bool {
        self.exit_time.is_some_and(|t| t != 0)
    }
    /// The name to show: the image name, or `"?"`.
    pub fn name(&self) -> &str {
        self.image_name.as_deref().unwrap_or("?")
    }
}

/// Iterator over the processes of `PsActiveProcessHead` ([`KernelObjects::processes`]).
///
/// Yields `Err` and stops when a link cannot be followed; a process whose fields are partly
/// missing is still yielded, with those fields `None`.
#[derive(Debug)]
pub struct ProcessIter<'a, M> {
    k: &'a KernelObjects<M>,
    walk: ListWalk,
}

impl<M: ReadMemory> Iterator for ProcessIter<'_, M> {
    type Item = Result<Process, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        let entry = match self.walk.next_entry(&self.k.mem)? {
            Ok(e) => e,
            Err(e) => return Some(Err(e)),
        };
        Some(
            back(
                entry,
                self.k.layout.process.active_process_links,
                "ActiveProcessLinks",
            )
            .and_then(|p| self.k.process(p)),
        )
    }
}

impl<M: ReadMemory> KernelObjects<M> {
    /// The processes of `PsActiveProcessHead`, in list order (System first).
    pub fn processes(&self) -> Result<ProcessIter<'_, M>, Error> {
        let head = self
            .symbols
            .ps_active_process_head
            .ok_or(Error::MissingSymbol {
                name: "PsActiveProcessHead",
                addr: 0,
            })?;
        Ok(ProcessIter {
            k: self,
            walk: ListWalk::new(
                "process list",
                head,
                self.layout.width,
                self.limits.max_list_steps,
            ),
        })
    }

    /// Read the `_EPROCESS` at `addr`. Only the process id must be readable.
    pub fn process(&self, addr: u64) -> Result<Process, Error> {
        let l = &self.layout.process;
        let w = self.layout.width;
        let m = &self.mem;
        let ptr = |off: u32, what: &'static str| -> Result<Option<u64>, Error> {
            opt(m.read_ptr(field(addr, off, what)?, w))
        };
        let pid = m.read_ptr(field(addr, l.unique_process_id, "UniqueProcessId")?, w)?;
        let name_len = if self.layout.build < 7600 { 16 } else { 15 };
        let mut name = [0u8; 16];
        let image_name = opt(m.read(
            field(addr, l.image_file_name, "ImageFileName")?,
            name.get_mut(..name_len).unwrap_or(&mut []),
        ))?
        .map(|()| ansi_name(&name));
        let object_table = ptr(l.object_table, "ObjectTable")?;
        let handle_count = match (object_table, self.layout.handle_table.handle_count) {
            (Some(t), Some(off)) if t != 0 => opt(m.read_u32(field(t, off, "HandleCount")?))?,
            _ => None,
        };
        let session = ptr(l.session, "Session")?;
        let session_id = match session {
            Some(s) if s != 0 => opt(m.read_u32(field(s, l.session_id, "SessionId")?))?,
            _ => None,
        };
        let dir_base = match w {
            PointerWidth::Bits32 => {
                opt(m.read_u32(field(addr, l.directory_table_base, "DirectoryTableBase")?))?
                    .map(u64::from)
            }
            PointerWidth::Bits64 => {
                opt(m.read_u64(field(addr, l.directory_table_base, "DirectoryTableBase")?))?
            }
        };
        let full_image_name = match ptr(
            l.se_audit_process_creation_info,
            "SeAuditProcessCreationInfo",
        )? {
            Some(p) if p != 0 => match read_unicode_string(m, p, w) {
                Ok(s) if !s.is_empty() => Some(s),
                Ok(_) => None,
                Err(e) if e.is_not_captured() => None,
                Err(e) => return Err(e),
            },
            _ => None,
        };
        Ok(Process {
            address: addr,
            pid,
            parent_pid: ptr(
                l.inherited_from_unique_process_id,
                "InheritedFromUniqueProcessId",
            )?,
            session_id,
            peb: ptr(l.peb, "Peb")?,
            dir_base,
            object_table,
            handle_count,
            image_name,
            full_image_name,
            create_time: opt(m.read_u64(field(addr, l.create_time, "CreateTime")?))?,
            exit_time: opt(m.read_u64(field(addr, l.exit_time, "ExitTime")?))?,
            active_threads: opt(m.read_u32(field(addr, l.active_threads, "ActiveThreads")?))?,
            exit_status: opt(m.read_u32(field(addr, l.exit_status, "ExitStatus")?))?,
        })
    }

    /// The number of handles of a process: `_HANDLE_TABLE.HandleCount` where the build keeps
    /// it, otherwise the in-use entries counted by walking the table (constant memory).
    pub fn handle_count(&self, process: &Process) -> Result<u64, Error> {
        if let Some(n) = process.handle_count {
            return Ok(u64::from(n));
        }
        match process.object_table {
            Some(0) | None => Ok(0),
            Some(t) => {
                let mut n = 0u64;
                for h in self.handles(t)? {
                    if h.is_ok() {
                        n = n.saturating_add(1);
                    }
                }
                Ok(n)
            }
        }
    }
}
