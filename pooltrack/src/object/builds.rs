//! Per-build layout tables of the kernel structures this module reads, and their run-time
//! confirmation.
//!
//! Every number below is a fact from a Microsoft PDB (`ntkrnlmp.pdb`), as published either as a
//! Volatility 3 ISF file or as Vergilius C headers; `source` names which. The tests compare every
//! field with the layouts of `../shared/corpus/kernel-layouts/` where the corpus has the build.

use super::handle_table::{HandleEntryEncoding, HandleTableLayout};
use super::object_header::{ObjectHeaderLayout, OptionalHeaders, TypeRef};
use super::object_type::ObjectTypeLayout;
use super::process::ProcessLayout;
use super::thread::ThreadLayout;
use super::{KernelObjects, is_kernel_address};
use crate::error::Error;
use crate::layout::{Arch, FieldLayout, KernelBuild, KernelLayouts, TypeLayout};
use crate::memory::{PointerWidth, ReadMemory};

/// The offsets of every kernel structure this module reads, for one build and architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectLayout {
    /// The Windows build number (2600 = XP, 3790 = Server 2003 and XP x64, 6002 = Vista SP2,
    /// 7601 = 7 SP1, 9600 = 8.1,
    /// 19041 = 10 2004 to 22H2, 22000 = 11 21H2, 22631 = 11 23H2...).
    pub build: u32,
    /// The pointer width of the kernel.
    pub width: PointerWidth,
    /// Where the numbers come from.
    pub source: &'static str,
    /// `_EPROCESS` (with `_KPROCESS` and `_MM_SESSION_SPACE`).
    pub process: ProcessLayout,
    /// `_ETHREAD` and its `_KTHREAD`.
    pub thread: ThreadLayout,
    /// `_HANDLE_TABLE` and `_HANDLE_TABLE_ENTRY`.
    pub handle_table: HandleTableLayout,
    /// `_OBJECT_HEADER` and its optional headers.
    pub object_header: ObjectHeaderLayout,
    /// `_OBJECT_TYPE`.
    pub object_type: ObjectTypeLayout,
}

impl ObjectLayout {
    /// Every built-in layout.
    pub fn builtin() -> &'static [ObjectLayout] {
        BUILTIN
    }

    /// The built-in layout for a build and pointer width: the exact build, or the release
    /// family it belongs to (19041 to 19045 share one layout, 22621 and 22631 another). `None`
    /// for a build without a table (try [`KernelObjects::detect`]).
    pub fn for_build(build: u32, width: PointerWidth) -> Option<ObjectLayout> {
        let family = match build {
            2600 => 2600,
            3790 => 3790,
            6000..=6002 => 6002,
            7600 | 7601 => 7601,
            9200 => 9200,
            9600 => 9600,
            14393 => 14393,
            17763 => 17763,
            18362 | 18363 => 18362,
            19041..=19045 => 19041,
            22000 => 22000,
            22621..=22631 => 22631,
            _ => return None,
        };
        BUILTIN
            .iter()
            .find(|l| l.build == family && l.width == width)
            .copied()
    }

    /// The built-in layout for a [`KernelBuild`] (see [`ObjectLayout::for_build`]).
    pub fn for_kernel_build(b: KernelBuild) -> Option<ObjectLayout> {
        ObjectLayout::for_build(b.build, b.pointer_width())
    }

    /// The build key of this layout.
    pub fn kernel_build(&self) -> KernelBuild {
        let arch = match self.width {
            PointerWidth::Bits32 => Arch::X86,
            PointerWidth::Bits64 => Arch::X64,
        };
        KernelBuild::new(arch, self.build)
    }

    /// The generic view of every structure this layout defines (sizes and field offsets, SDK
    /// names), to compare with a PDB or ISF ([`KernelLayouts::check`]) or print as JSON.
    pub fn kernel_layouts(&self) -> KernelLayouts {
        let mut out = KernelLayouts::new();
        out.arch = Some(self.kernel_build().arch);
        for (ty, name, value) in self.fields() {
            if out.get(ty).is_none() {
                out.insert(TypeLayout::new(ty, 0));
            }
            if let Some(t) = out.types.get_mut(ty) {
                if name == "<size>" {
                    t.size = value;
                } else {
                    t.insert_field(name, FieldLayout::at(value));
                }
            }
        }
        out
    }

    /// Derive a layout from a PDB's or ISF file's types (the shared readers of this crate,
    /// features `pdb` and `isf`) for `build`: every field of the built-in tables, resolved by
    /// name; the handle-entry encoding from the `ObjectPointerBits` bit length, the type
    /// reference from `TypeIndex` versus `Type`. `None` when a needed field is absent.
    pub fn from_layouts(l: &KernelLayouts, build: KernelBuild) -> Option<ObjectLayout> {
        let g = |ty: &str, f: &str| l.resolve(ty, f).map(|x| x.offset);
        let size = |ty: &str| l.get(ty).map(|t| t.size).filter(|&s| s != 0);
        let width = build.pointer_width();
        let process = ProcessLayout {
            size: size("_EPROCESS")?,
            directory_table_base: g("_EPROCESS", "Pcb.DirectoryTableBase")?,
            unique_process_id: g("_EPROCESS", "UniqueProcessId")?,
            active_process_links: g("_EPROCESS", "ActiveProcessLinks")?,
            create_time: g("_EPROCESS", "CreateTime")?,
            exit_time: g("_EPROCESS", "ExitTime")?,
            object_table: g("_EPROCESS", "ObjectTable")?,
            peb: g("_EPROCESS", "Peb")?,
            inherited_from_unique_process_id: g("_EPROCESS", "InheritedFromUniqueProcessId")?,
            image_file_name: g("_EPROCESS", "ImageFileName")?,
            thread_list_head: g("_EPROCESS", "ThreadListHead")?,
            active_threads: g("_EPROCESS", "ActiveThreads")?,
            session: g("_EPROCESS", "Session")?,
            session_id: g("_MM_SESSION_SPACE", "SessionId")?,
            se_audit_process_creation_info: g("_EPROCESS", "SeAuditProcessCreationInfo")?,
            exit_status: g("_EPROCESS", "ExitStatus")?,
        };
        let k = |f: &str| g("_KTHREAD", f);
        let e = |f: &str| g("_ETHREAD", f);
        let thread = ThreadLayout {
            size: size("_ETHREAD")?,
            initial_stack: k("InitialStack")?,
            stack_limit: k("StackLimit")?,
            stack_base: k("StackBase")?,
            kernel_stack: k("KernelStack")?,
            teb: k("Teb")?,
            state: k("State")?,
            wait_reason: k("WaitReason")?,
            wait_time: k("WaitTime")?,
            context_switches: k("ContextSwitches")?,
            kernel_time: k("KernelTime")?,
            user_time: k("UserTime")?,
            owning_process: k("Process").or_else(|| e("ThreadsProcess"))?,
            win32_thread: k("Win32Thread")?,
            priority: k("Priority")?,
            base_priority: k("BasePriority")?,
            create_time: e("CreateTime")?,
            exit_time: e("ExitTime")?,
            cid: e("Cid")?,
            start_address: e("StartAddress")?,
            win32_start_address: e("Win32StartAddress")?,
            thread_list_entry: e("ThreadListEntry")?,
            cross_thread_flags: e("CrossThreadFlags")?,
            exit_status: e("ExitStatus")?,
        };
        let pointer_bits = l
            .resolve("_HANDLE_TABLE_ENTRY", "ObjectPointerBits")
            .and_then(|f| f.bits)
            .map(|(_, len)| len);
        let encoding = match (width, pointer_bits) {
            (PointerWidth::Bits32, None) => HandleEntryEncoding::X86,
            (PointerWidth::Bits32, Some(_)) => HandleEntryEncoding::X86Win8,
            (PointerWidth::Bits64, None) => HandleEntryEncoding::X64Win7,
            (PointerWidth::Bits64, Some(41)) => HandleEntryEncoding::X64Win8,
            (PointerWidth::Bits64, Some(_)) => HandleEntryEncoding::X64Win81,
        };
        let handle_table = HandleTableLayout {
            table_code: g("_HANDLE_TABLE", "TableCode")?,
            handle_count: g("_HANDLE_TABLE", "HandleCount"),
            unique_process_id: g("_HANDLE_TABLE", "UniqueProcessId")?,
            entry_size: size("_HANDLE_TABLE_ENTRY")?,
            granted_access: g("_HANDLE_TABLE_ENTRY", "GrantedAccess")
                .or_else(|| g("_HANDLE_TABLE_ENTRY", "GrantedAccessBits"))?,
            encoding,
        };
        let h = |f: &str| g("_OBJECT_HEADER", f);
        let (type_ref, optional) = match h("TypeIndex") {
            Some(offset) => {
                let mut sizes = [0u32; 8];
                let names = [
                    "_OBJECT_HEADER_CREATOR_INFO",
                    "_OBJECT_HEADER_NAME_INFO",
                    "_OBJECT_HEADER_HANDLE_INFO",
                    "_OBJECT_HEADER_QUOTA_INFO",
                    "_OBJECT_HEADER_PROCESS_INFO",
                    "_OBJECT_HEADER_AUDIT_INFO",
                    "_OBJECT_HEADER_EXTENDED_INFO",
                    "_OBJECT_HEADER_PADDING_INFO",
                ];
                for (s, n) in sizes.iter_mut().zip(names) {
                    *s = size(n).unwrap_or(0);
                }
                (
                    TypeRef::Index {
                        offset,
                        cookie: build.build >= 10240 || l.symbol("ObHeaderCookie").is_some(),
                    },
                    OptionalHeaders::InfoMask {
                        offset: h("InfoMask")?,
                        sizes,
                    },
                )
            }
            None => (
                TypeRef::Pointer { offset: h("Type")? },
                OptionalHeaders::Offsets {
                    name_info_offset: h("NameInfoOffset")?,
                    handle_info_offset: h("HandleInfoOffset")?,
                    quota_info_offset: h("QuotaInfoOffset")?,
                    creator_info_size: size("_OBJECT_HEADER_CREATOR_INFO")?,
                },
            ),
        };
        let object_header = ObjectHeaderLayout {
            body: h("Body")?,
            pointer_count: h("PointerCount")?,
            handle_count: h("HandleCount")?,
            flags: h("Flags")?,
            type_ref,
            optional,
            name_info_name: g("_OBJECT_HEADER_NAME_INFO", "Name")?,
            creator_unique_process: g("_OBJECT_HEADER_CREATOR_INFO", "CreatorUniqueProcess")?,
        };
        let t = |f: &str| g("_OBJECT_TYPE", f);
        let object_type = ObjectTypeLayout {
            name: t("Name")?,
            index: t("Index")?,
            total_number_of_objects: t("TotalNumberOfObjects")?,
            total_number_of_handles: t("TotalNumberOfHandles")?,
            key: t("Key")?,
        };
        Some(ObjectLayout {
            build: build.build,
            width,
            source: "derived from ntkrnlmp.pdb types",
            process,
            thread,
            handle_table,
            object_header,
            object_type,
        })
    }

    /// Every field this layout defines, as `(structure, field path, offset)` with SDK names,
    /// for comparison with a PDB or ISF (sizes are listed as the field `"<size>"`).
    pub fn fields(&self) -> Vec<(&'static str, &'static str, u32)> {
        let mut v = Vec::with_capacity(80);
        self.process.push_fields(&mut v);
        self.thread.push_fields(&mut v, self.build);
        self.handle_table.push_fields(&mut v);
        self.object_header.push_fields(&mut v);
        self.object_type.push_fields(&mut v);
        v
    }
}

/// The generic view of the built-in object layout for a build ([`ObjectLayout::kernel_layouts`]),
/// `None` when there is no built-in table for it.
pub fn object_layouts(b: KernelBuild) -> Option<KernelLayouts> {
    ObjectLayout::for_kernel_build(b).map(|l| l.kernel_layouts())
}

/// The result of [`KernelObjects::confirm_layout`]: how many processes were checked and what
/// did not look right.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LayoutCheck {
    /// Processes read from the list.
    pub processes: u64,
    /// Processes whose id, name and thread list all looked right.
    pub plausible: u64,
    /// The first problems found (at most 16), as `(EPROCESS address, what)`.
    pub problems: Vec<(u64, &'static str)>,
}

impl LayoutCheck {
    /// Whether at least one process was read and every process read looked right.
    pub fn is_confirmed(&self) -> bool {
        self.processes > 0 && self.plausible == self.processes
    }
}

impl<M: ReadMemory> KernelObjects<M> {
    /// Check the layout against the dump on the first `max_processes` processes of
    /// `PsActiveProcessHead`: the list's back links, process ids in the Cid range (multiples of
    /// 4 below 2^26), printable NUL-terminated image names, and a first thread whose list links
    /// hold, whose Cid names this process and a thread id in range, and whose state is known.
    pub fn confirm_layout(&self, max_processes: u64) -> Result<LayoutCheck, Error> {
        let mut check = LayoutCheck::default();
        let note = |check: &mut LayoutCheck, at: u64, what: &'static str| {
            if check.problems.len() < 16 {
                check.problems.push((at, what));
            }
        };
        for p in self.processes()? {
            if check.processes >= max_processes {
                break;
            }
            check.processes = check.processes.saturating_add(1);
            let p = match p {
                Ok(p) => p,
                Err(e) => {
                    note(&mut check, e.addr(), "process list link");
                    break;
                }
            };
            let mut ok = true;
            if p.pid % 4 != 0 || p.pid >= 1 << 26 {
                note(&mut check, p.address, "process id outside the Cid range");
                ok = false;
            }
            match &p.image_name {
                Some(n) if !n.is_empty() && n.bytes().all(|b| (0x20..0x7F).contains(&b)) => {}
                Some(_) if p.pid == 0 => {}
                _ => {
                    note(&mut check, p.address, "image name not printable");
                    ok = false;
                }
            }
            if let Some(t) = p.object_table
                && t != 0
                && !is_kernel_address(t, self.layout.width)
            {
                note(&mut check, p.address, "handle table outside kernel space");
                ok = false;
            }
            match self.threads(&p).next() {
                Some(Err(e)) if !e.is_not_captured() => {
                    note(&mut check, p.address, "thread list link");
                    ok = false;
                }
                Some(Ok(t)) => {
                    let tid_ok = t.tid.is_none_or(|id| id % 4 == 0 && id < 1 << 26);
                    let pid_ok = t.pid.is_none_or(|id| id == p.pid);
                    let state_ok = !matches!(t.state, Some(super::ThreadState::Unknown(_)));
                    if !(tid_ok && pid_ok && state_ok) {
                        note(&mut check, p.address, "thread Cid or state implausible");
                        ok = false;
                    }
                }
                _ => {}
            }
            if ok {
                check.plausible = check.plausible.saturating_add(1);
            }
        }
        Ok(check)
    }

    /// Try every built-in layout of this width on the memory and return the first that
    /// [`KernelObjects::confirm_layout`] confirms on up to 8 processes; for a build without a
    /// table of its own. Layouts that agree on the fields the check reads cannot be told apart,
    /// so prefer [`ObjectLayout::for_build`] or a layout from the dump's PDB when known.
    pub fn detect(mem: M, symbols: KernelSymbols, width: PointerWidth) -> Option<KernelObjects<M>> {
        let mut k = KernelObjects::new(mem, *BUILTIN.first()?, symbols);
        for l in BUILTIN.iter().filter(|l| l.width == width) {
            k.layout = *l;
            k.cookie = std::cell::OnceCell::new();
            if k.confirm_layout(8).is_ok_and(|c| c.is_confirmed()) {
                return Some(k);
            }
        }
        None
    }
}

use super::KernelSymbols;

/// Every built-in layout.
static BUILTIN: &[ObjectLayout] = &[
    XP2600_X86,
    SRV2003_X86,
    SRV2003_X64,
    VISTA_SP2_X86,
    VISTA_SP2_X64,
    WIN7_X86,
    WIN7_X64,
    WIN8_X64,
    WIN81_X64,
    WIN10V1607_X64,
    WIN10V1809_X64,
    WIN10V1903_X64,
    WIN10V2004_X86,
    WIN10V2004_X64,
    WIN11V21H2_X64,
    WIN11V23H2_X64,
];

/// Xp2600X86, build 2600 (x86).
pub(crate) const XP2600_X86: ObjectLayout = ObjectLayout {
    build: 2600,
    width: PointerWidth::Bits32,
    source: "corpus winxp-2600-x86-vergilius.h (Vergilius 5.1.2600.5512 x86)",
    process: ProcessLayout {
        size: 0x260,
        directory_table_base: 0x18,
        unique_process_id: 0x84,
        active_process_links: 0x88,
        create_time: 0x70,
        exit_time: 0x78,
        object_table: 0xc4,
        peb: 0x1b0,
        inherited_from_unique_process_id: 0x14c,
        image_file_name: 0x174,
        thread_list_head: 0x190,
        active_threads: 0x1a0,
        session: 0x170,
        session_id: 0x8,
        se_audit_process_creation_info: 0x1f4,
        exit_status: 0x24c,
    },
    thread: ThreadLayout {
        size: 0x258,
        initial_stack: 0x18,
        stack_limit: 0x1c,
        stack_base: 0x168,
        kernel_stack: 0x28,
        teb: 0x20,
        state: 0x2d,
        wait_reason: 0x5b,
        wait_time: 0x68,
        context_switches: 0x4c,
        kernel_time: 0x144,
        user_time: 0x148,
        // _ETHREAD.ThreadsProcess: this build's _KTHREAD has no Process field.
        owning_process: 0x220,
        win32_thread: 0x130,
        priority: 0x33,
        base_priority: 0x6c,
        create_time: 0x1c0,
        exit_time: 0x1c8,
        cid: 0x1ec,
        start_address: 0x224,
        win32_start_address: 0x228,
        thread_list_entry: 0x22c,
        cross_thread_flags: 0x248,
        exit_status: 0x1d0,
    },
    handle_table: HandleTableLayout {
        table_code: 0x0,
        handle_count: Some(0x3c),
        unique_process_id: 0x8,
        entry_size: 0x8,
        granted_access: 0x4,
        encoding: HandleEntryEncoding::X86,
    },
    object_header: ObjectHeaderLayout {
        body: 0x18,
        pointer_count: 0x0,
        handle_count: 0x4,
        flags: 0xf,
        type_ref: TypeRef::Pointer { offset: 0x8 },
        optional: OptionalHeaders::Offsets {
            name_info_offset: 0xc,
            handle_info_offset: 0xd,
            quota_info_offset: 0xe,
            creator_info_size: 0x10,
        },
        name_info_name: 0x4,
        creator_unique_process: 0x8,
    },
    object_type: ObjectTypeLayout {
        name: 0x40,
        index: 0x4c,
        total_number_of_objects: 0x50,
        total_number_of_handles: 0x54,
        key: 0xac,
    },
};
/// Srv2003X86, build 3790 (x86).
pub(crate) const SRV2003_X86: ObjectLayout = ObjectLayout {
    build: 3790,
    width: PointerWidth::Bits32,
    source: "Vergilius 5.2.3790.3959 x86 (novafacing/vergilius-rs headers)",
    process: ProcessLayout {
        size: 0x278,
        directory_table_base: 0x18,
        unique_process_id: 0x94,
        active_process_links: 0x98,
        create_time: 0x80,
        exit_time: 0x88,
        object_table: 0xd4,
        peb: 0x1a0,
        inherited_from_unique_process_id: 0x138,
        image_file_name: 0x164,
        thread_list_head: 0x180,
        active_threads: 0x190,
        session: 0x160,
        session_id: 0xc,
        se_audit_process_creation_info: 0x1e4,
        exit_status: 0x244,
    },
    thread: ThreadLayout {
        size: 0x250,
        initial_stack: 0x18,
        stack_limit: 0x1c,
        stack_base: 0x158,
        kernel_stack: 0x20,
        teb: 0x74,
        state: 0x4c,
        wait_reason: 0x5a,
        wait_time: 0x6c,
        context_switches: 0x48,
        kernel_time: 0x160,
        user_time: 0x18c,
        owning_process: 0x128,
        win32_thread: 0x154,
        priority: 0x5b,
        base_priority: 0x121,
        create_time: 0x1b8,
        exit_time: 0x1c0,
        cid: 0x1e4,
        start_address: 0x21c,
        win32_start_address: 0x220,
        thread_list_entry: 0x224,
        cross_thread_flags: 0x240,
        exit_status: 0x1c8,
    },
    handle_table: HandleTableLayout {
        table_code: 0x0,
        handle_count: Some(0x3c),
        unique_process_id: 0x8,
        entry_size: 0x8,
        granted_access: 0x4,
        encoding: HandleEntryEncoding::X86,
    },
    object_header: ObjectHeaderLayout {
        body: 0x18,
        pointer_count: 0x0,
        handle_count: 0x4,
        flags: 0xf,
        type_ref: TypeRef::Pointer { offset: 0x8 },
        optional: OptionalHeaders::Offsets {
            name_info_offset: 0xc,
            handle_info_offset: 0xd,
            quota_info_offset: 0xe,
            creator_info_size: 0x10,
        },
        name_info_name: 0x4,
        creator_unique_process: 0x8,
    },
    object_type: ObjectTypeLayout {
        name: 0x40,
        index: 0x4c,
        total_number_of_objects: 0x50,
        total_number_of_handles: 0x54,
        key: 0xac,
    },
};
/// Srv2003X64, build 3790 (x64).
pub(crate) const SRV2003_X64: ObjectLayout = ObjectLayout {
    build: 3790,
    width: PointerWidth::Bits64,
    source: "Vergilius 5.2.3790.3959 x64 (novafacing/vergilius-rs headers)",
    process: ProcessLayout {
        size: 0x3e0,
        directory_table_base: 0x28,
        unique_process_id: 0xd8,
        active_process_links: 0xe0,
        create_time: 0xc0,
        exit_time: 0xc8,
        object_table: 0x158,
        peb: 0x2c0,
        inherited_from_unique_process_id: 0x218,
        image_file_name: 0x268,
        thread_list_head: 0x290,
        active_threads: 0x2b0,
        session: 0x260,
        session_id: 0x10,
        se_audit_process_creation_info: 0x318,
        exit_status: 0x38c,
    },
    thread: ThreadLayout {
        size: 0x410,
        initial_stack: 0x28,
        stack_limit: 0x30,
        stack_base: 0x240,
        kernel_stack: 0x38,
        teb: 0xb0,
        state: 0x154,
        wait_reason: 0x92,
        wait_time: 0x184,
        context_switches: 0x124,
        kernel_time: 0x24c,
        user_time: 0x29c,
        owning_process: 0x1e8,
        win32_thread: 0x238,
        priority: 0x93,
        base_priority: 0x1dd,
        create_time: 0x308,
        exit_time: 0x310,
        cid: 0x358,
        start_address: 0x3c0,
        win32_start_address: 0x3c8,
        thread_list_entry: 0x3d0,
        cross_thread_flags: 0x3fc,
        exit_status: 0x320,
    },
    handle_table: HandleTableLayout {
        table_code: 0x0,
        handle_count: Some(0x68),
        unique_process_id: 0x10,
        entry_size: 0x10,
        granted_access: 0x8,
        encoding: HandleEntryEncoding::X64Win7,
    },
    object_header: ObjectHeaderLayout {
        body: 0x30,
        pointer_count: 0x0,
        handle_count: 0x8,
        flags: 0x1b,
        type_ref: TypeRef::Pointer { offset: 0x10 },
        optional: OptionalHeaders::Offsets {
            name_info_offset: 0x18,
            handle_info_offset: 0x19,
            quota_info_offset: 0x1a,
            creator_info_size: 0x20,
        },
        name_info_name: 0x8,
        creator_unique_process: 0x10,
    },
    object_type: ObjectTypeLayout {
        name: 0x78,
        index: 0x90,
        total_number_of_objects: 0x94,
        total_number_of_handles: 0x98,
        key: 0x118,
    },
};
/// VistaSp2X86, build 6002 (x86).
pub(crate) const VISTA_SP2_X86: ObjectLayout = ObjectLayout {
    build: 6002,
    width: PointerWidth::Bits32,
    source: "Vergilius 6.0.6002.18005 x86 (novafacing/vergilius-rs headers)",
    process: ProcessLayout {
        size: 0x270,
        directory_table_base: 0x18,
        unique_process_id: 0x9c,
        active_process_links: 0xa0,
        create_time: 0x88,
        exit_time: 0x90,
        object_table: 0xdc,
        peb: 0x188,
        inherited_from_unique_process_id: 0x124,
        image_file_name: 0x14c,
        thread_list_head: 0x168,
        active_threads: 0x178,
        session: 0x148,
        session_id: 0x8,
        se_audit_process_creation_info: 0x1cc,
        exit_status: 0x22c,
    },
    thread: ThreadLayout {
        size: 0x288,
        initial_stack: 0x28,
        stack_limit: 0x2c,
        stack_base: 0x174,
        kernel_stack: 0x30,
        teb: 0x84,
        state: 0x5c,
        wait_reason: 0x6c,
        wait_time: 0x7c,
        context_switches: 0x58,
        kernel_time: 0x17c,
        user_time: 0x1a8,
        owning_process: 0x144,
        win32_thread: 0x170,
        priority: 0x4f,
        base_priority: 0x131,
        create_time: 0x1e0,
        exit_time: 0x1e8,
        cid: 0x20c,
        start_address: 0x1f8,
        win32_start_address: 0x240,
        thread_list_entry: 0x248,
        cross_thread_flags: 0x260,
        exit_status: 0x1f0,
    },
    handle_table: HandleTableLayout {
        table_code: 0x0,
        handle_count: Some(0x30),
        unique_process_id: 0x8,
        entry_size: 0x8,
        granted_access: 0x4,
        encoding: HandleEntryEncoding::X86,
    },
    object_header: ObjectHeaderLayout {
        body: 0x18,
        pointer_count: 0x0,
        handle_count: 0x4,
        flags: 0xf,
        type_ref: TypeRef::Pointer { offset: 0x8 },
        optional: OptionalHeaders::Offsets {
            name_info_offset: 0xc,
            handle_info_offset: 0xd,
            quota_info_offset: 0xe,
            creator_info_size: 0x10,
        },
        name_info_name: 0x4,
        creator_unique_process: 0x8,
    },
    object_type: ObjectTypeLayout {
        name: 0x8,
        index: 0x14,
        total_number_of_objects: 0x18,
        total_number_of_handles: 0x1c,
        key: 0xb4,
    },
};
/// VistaSp2X64, build 6002 (x64).
pub(crate) const VISTA_SP2_X64: ObjectLayout = ObjectLayout {
    build: 6002,
    width: PointerWidth::Bits64,
    source: "Vergilius 6.0.6002.18005 x64 (novafacing/vergilius-rs headers)",
    process: ProcessLayout {
        size: 0x3e8,
        directory_table_base: 0x28,
        unique_process_id: 0xe0,
        active_process_links: 0xe8,
        create_time: 0xc8,
        exit_time: 0xd0,
        object_table: 0x160,
        peb: 0x290,
        inherited_from_unique_process_id: 0x1f0,
        image_file_name: 0x238,
        thread_list_head: 0x260,
        active_threads: 0x280,
        session: 0x230,
        session_id: 0x8,
        se_audit_process_creation_info: 0x2e8,
        exit_status: 0x374,
    },
    thread: ThreadLayout {
        size: 0x450,
        initial_stack: 0x28,
        stack_limit: 0x30,
        stack_base: 0x250,
        kernel_stack: 0x38,
        teb: 0xb0,
        state: 0x154,
        wait_reason: 0x94,
        wait_time: 0x184,
        context_switches: 0x124,
        kernel_time: 0x25c,
        user_time: 0x2ac,
        owning_process: 0x1f8,
        win32_thread: 0x248,
        priority: 0x73,
        base_priority: 0x1e1,
        create_time: 0x330,
        exit_time: 0x338,
        cid: 0x380,
        start_address: 0x358,
        win32_start_address: 0x3e0,
        thread_list_entry: 0x3f0,
        cross_thread_flags: 0x418,
        exit_status: 0x348,
    },
    handle_table: HandleTableLayout {
        table_code: 0x0,
        handle_count: Some(0x58),
        unique_process_id: 0x10,
        entry_size: 0x10,
        granted_access: 0x8,
        encoding: HandleEntryEncoding::X64Win7,
    },
    object_header: ObjectHeaderLayout {
        body: 0x30,
        pointer_count: 0x0,
        handle_count: 0x8,
        flags: 0x1b,
        type_ref: TypeRef::Pointer { offset: 0x10 },
        optional: OptionalHeaders::Offsets {
            name_info_offset: 0x18,
            handle_info_offset: 0x19,
            quota_info_offset: 0x1a,
            creator_info_size: 0x20,
        },
        name_info_name: 0x8,
        creator_unique_process: 0x10,
    },
    object_type: ObjectTypeLayout {
        name: 0x10,
        index: 0x28,
        total_number_of_objects: 0x2c,
        total_number_of_handles: 0x30,
        key: 0x120,
    },
};
/// Win7X86, build 7601 (x86).
pub(crate) const WIN7_X86: ObjectLayout = ObjectLayout {
    build: 7601,
    width: PointerWidth::Bits32,
    source: "corpus win7-7601-x86-vergilius.h (Vergilius 6.1.7601.17514 x86)",
    process: ProcessLayout {
        size: 0x2c0,
        directory_table_base: 0x18,
        unique_process_id: 0xb4,
        active_process_links: 0xb8,
        create_time: 0xa0,
        exit_time: 0xa8,
        object_table: 0xf4,
        peb: 0x1a8,
        inherited_from_unique_process_id: 0x140,
        image_file_name: 0x16c,
        thread_list_head: 0x188,
        active_threads: 0x198,
        session: 0x168,
        session_id: 0x8,
        se_audit_process_creation_info: 0x1ec,
        exit_status: 0x274,
    },
    thread: ThreadLayout {
        size: 0x2b8,
        initial_stack: 0x28,
        stack_limit: 0x2c,
        stack_base: 0x190,
        kernel_stack: 0x30,
        teb: 0x88,
        state: 0x68,
        wait_reason: 0x187,
        wait_time: 0x80,
        context_switches: 0x64,
        kernel_time: 0x198,
        user_time: 0x1c4,
        owning_process: 0x150,
        win32_thread: 0x18c,
        priority: 0x57,
        base_priority: 0x135,
        create_time: 0x200,
        exit_time: 0x208,
        cid: 0x22c,
        start_address: 0x218,
        win32_start_address: 0x260,
        thread_list_entry: 0x268,
        cross_thread_flags: 0x280,
        exit_status: 0x210,
    },
    handle_table: HandleTableLayout {
        table_code: 0x0,
        handle_count: Some(0x30),
        unique_process_id: 0x8,
        entry_size: 0x8,
        granted_access: 0x4,
        encoding: HandleEntryEncoding::X86,
    },
    object_header: ObjectHeaderLayout {
        body: 0x18,
        pointer_count: 0x0,
        handle_count: 0x4,
        flags: 0xf,
        type_ref: TypeRef::Index {
            offset: 0xc,
            cookie: false,
        },
        optional: OptionalHeaders::InfoMask {
            offset: 0xe,
            sizes: [0x10, 0x10, 0x8, 0x10, 0x8, 0, 0, 0],
        },
        name_info_name: 0x4,
        creator_unique_process: 0x8,
    },
    object_type: ObjectTypeLayout {
        name: 0x8,
        index: 0x14,
        total_number_of_objects: 0x18,
        total_number_of_handles: 0x1c,
        key: 0x7c,
    },
};
/// Win7X64, build 7601 (x64).
pub(crate) const WIN7_X64: ObjectLayout = ObjectLayout {
    build: 7601,
    width: PointerWidth::Bits64,
    source: "corpus win7-7601-x64-ntkrnlmp-339E7413.isf.json.xz (ISF from ntkrnlmp.pdb)",
    process: ProcessLayout {
        size: 0x4f8,
        directory_table_base: 0x28,
        unique_process_id: 0x180,
        active_process_links: 0x188,
        create_time: 0x168,
        exit_time: 0x170,
        object_table: 0x200,
        peb: 0x338,
        inherited_from_unique_process_id: 0x290,
        image_file_name: 0x2e0,
        thread_list_head: 0x308,
        active_threads: 0x328,
        session: 0x2d8,
        session_id: 0x8,
        se_audit_process_creation_info: 0x390,
        exit_status: 0x444,
    },
    thread: ThreadLayout {
        size: 0x4a8,
        initial_stack: 0x28,
        stack_limit: 0x30,
        stack_base: 0x278,
        kernel_stack: 0x38,
        teb: 0xb8,
        state: 0x164,
        wait_reason: 0x26b,
        wait_time: 0x194,
        context_switches: 0x134,
        kernel_time: 0x284,
        user_time: 0x2d4,
        owning_process: 0x210,
        win32_thread: 0x270,
        priority: 0x7b,
        base_priority: 0x1f1,
        create_time: 0x368,
        exit_time: 0x370,
        cid: 0x3b8,
        start_address: 0x390,
        win32_start_address: 0x418,
        thread_list_entry: 0x428,
        cross_thread_flags: 0x450,
        exit_status: 0x380,
    },
    handle_table: HandleTableLayout {
        table_code: 0x0,
        handle_count: Some(0x58),
        unique_process_id: 0x10,
        entry_size: 0x10,
        granted_access: 0x8,
        encoding: HandleEntryEncoding::X64Win7,
    },
    object_header: ObjectHeaderLayout {
        body: 0x30,
        pointer_count: 0x0,
        handle_count: 0x8,
        flags: 0x1b,
        type_ref: TypeRef::Index {
            offset: 0x18,
            cookie: false,
        },
        optional: OptionalHeaders::InfoMask {
            offset: 0x1a,
            sizes: [0x20, 0x20, 0x10, 0x20, 0x10, 0, 0, 0],
        },
        name_info_name: 0x8,
        creator_unique_process: 0x10,
    },
    object_type: ObjectTypeLayout {
        name: 0x10,
        index: 0x28,
        total_number_of_objects: 0x2c,
        total_number_of_handles: 0x30,
        key: 0xb8,
    },
};
/// Win8X64, build 9200 (x64).
pub(crate) const WIN8_X64: ObjectLayout = ObjectLayout {
    build: 9200,
    width: PointerWidth::Bits64,
    source: "Vergilius 6.2.9200.16384 x64 (novafacing/vergilius-rs headers)",
    process: ProcessLayout {
        size: 0x660,
        directory_table_base: 0x28,
        unique_process_id: 0x2e0,
        active_process_links: 0x2e8,
        create_time: 0x2d0,
        exit_time: 0x610,
        object_table: 0x408,
        peb: 0x3e8,
        inherited_from_unique_process_id: 0x3d0,
        image_file_name: 0x438,
        thread_list_head: 0x470,
        active_threads: 0x480,
        session: 0x3f0,
        session_id: 0x8,
        se_audit_process_creation_info: 0x450,
        exit_status: 0x58c,
    },
    thread: ThreadLayout {
        size: 0x4c8,
        initial_stack: 0x28,
        stack_limit: 0x30,
        stack_base: 0x38,
        kernel_stack: 0x58,
        teb: 0xf0,
        state: 0x184,
        wait_reason: 0x283,
        wait_time: 0x1b4,
        context_switches: 0x154,
        kernel_time: 0x28c,
        user_time: 0x2dc,
        owning_process: 0x220,
        win32_thread: 0x1c8,
        priority: 0xc3,
        base_priority: 0x233,
        create_time: 0x348,
        exit_time: 0x350,
        cid: 0x398,
        start_address: 0x370,
        win32_start_address: 0x3f0,
        thread_list_entry: 0x400,
        cross_thread_flags: 0x42c,
        exit_status: 0x450,
    },
    handle_table: HandleTableLayout {
        table_code: 0x8,
        handle_count: None,
        unique_process_id: 0x28,
        entry_size: 0x10,
        granted_access: 0x8,
        encoding: HandleEntryEncoding::X64Win8,
    },
    object_header: ObjectHeaderLayout {
        body: 0x30,
        pointer_count: 0x0,
        handle_count: 0x8,
        flags: 0x1b,
        type_ref: TypeRef::Index {
            offset: 0x18,
            cookie: false,
        },
        optional: OptionalHeaders::InfoMask {
            offset: 0x1a,
            sizes: [0x20, 0x20, 0x10, 0x20, 0x10, 0x10, 0, 0x4],
        },
        name_info_name: 0x8,
        creator_unique_process: 0x10,
    },
    object_type: ObjectTypeLayout {
        name: 0x10,
        index: 0x28,
        total_number_of_objects: 0x2c,
        total_number_of_handles: 0x30,
        key: 0xc0,
    },
};
/// Win81X64, build 9600 (x64).
pub(crate) const WIN81_X64: ObjectLayout = ObjectLayout {
    build: 9600,
    width: PointerWidth::Bits64,
    source: "corpus win81-9600-x64-ntkrnlmp-169C6521.isf.json.xz (ISF from ntkrnlmp.pdb)",
    process: ProcessLayout {
        size: 0x708,
        directory_table_base: 0x28,
        unique_process_id: 0x2e0,
        active_process_links: 0x2e8,
        create_time: 0x2d0,
        exit_time: 0x640,
        object_table: 0x408,
        peb: 0x3e8,
        inherited_from_unique_process_id: 0x3d0,
        image_file_name: 0x438,
        thread_list_head: 0x470,
        active_threads: 0x480,
        session: 0x3f0,
        session_id: 0x8,
        se_audit_process_creation_info: 0x450,
        exit_status: 0x6fc,
    },
    thread: ThreadLayout {
        size: 0x778,
        initial_stack: 0x28,
        stack_limit: 0x30,
        stack_base: 0x38,
        kernel_stack: 0x58,
        teb: 0xf0,
        state: 0x184,
        wait_reason: 0x283,
        wait_time: 0x1b4,
        context_switches: 0x154,
        kernel_time: 0x28c,
        user_time: 0x2dc,
        owning_process: 0x220,
        win32_thread: 0x1c8,
        priority: 0xc3,
        base_priority: 0x233,
        create_time: 0x5d0,
        exit_time: 0x5d8,
        cid: 0x620,
        start_address: 0x5f8,
        win32_start_address: 0x678,
        thread_list_entry: 0x688,
        cross_thread_flags: 0x6b4,
        exit_status: 0x6d8,
    },
    handle_table: HandleTableLayout {
        table_code: 0x8,
        handle_count: None,
        unique_process_id: 0x28,
        entry_size: 0x10,
        granted_access: 0x8,
        encoding: HandleEntryEncoding::X64Win81,
    },
    object_header: ObjectHeaderLayout {
        body: 0x30,
        pointer_count: 0x0,
        handle_count: 0x8,
        flags: 0x1b,
        type_ref: TypeRef::Index {
            offset: 0x18,
            cookie: false,
        },
        optional: OptionalHeaders::InfoMask {
            offset: 0x1a,
            sizes: [0x20, 0x20, 0x10, 0x20, 0x10, 0x10, 0, 0x4],
        },
        name_info_name: 0x8,
        creator_unique_process: 0x10,
    },
    object_type: ObjectTypeLayout {
        name: 0x10,
        index: 0x28,
        total_number_of_objects: 0x2c,
        total_number_of_handles: 0x30,
        key: 0xc0,
    },
};
/// Win10v1607X64, build 14393 (x64), from the release build 14393.0. Late servicing builds
/// differ: the ISF of 14393.4583 has `ExitTime` at 0x690 (not 0x688) and an `_EPROCESS` of
/// 0x7c8 bytes (not 0x7b0); the other fields compared agree. Prefer a layout derived from the
/// dump's own PDB ([`ObjectLayout::from_layouts`]) for 1607.
pub(crate) const WIN10V1607_X64: ObjectLayout = ObjectLayout {
    build: 14393,
    width: PointerWidth::Bits64,
    source: "Vergilius 10.0.14393.0 x64 (novafacing/vergilius-rs headers)",
    process: ProcessLayout {
        size: 0x7b0,
        directory_table_base: 0x28,
        unique_process_id: 0x2e8,
        active_process_links: 0x2f0,
        create_time: 0x308,
        exit_time: 0x688,
        object_table: 0x418,
        peb: 0x3f8,
        inherited_from_unique_process_id: 0x3e0,
        image_file_name: 0x450,
        thread_list_head: 0x488,
        active_threads: 0x498,
        session: 0x400,
        session_id: 0x8,
        se_audit_process_creation_info: 0x468,
        exit_status: 0x61c,
    },
    thread: ThreadLayout {
        size: 0x7e0,
        initial_stack: 0x28,
        stack_limit: 0x30,
        stack_base: 0x38,
        kernel_stack: 0x58,
        teb: 0xf0,
        state: 0x184,
        wait_reason: 0x283,
        wait_time: 0x1b4,
        context_switches: 0x154,
        kernel_time: 0x28c,
        user_time: 0x2dc,
        owning_process: 0x220,
        win32_thread: 0x1c8,
        priority: 0xc3,
        base_priority: 0x233,
        create_time: 0x5e0,
        exit_time: 0x5e8,
        cid: 0x630,
        start_address: 0x608,
        win32_start_address: 0x688,
        thread_list_entry: 0x698,
        cross_thread_flags: 0x6c0,
        exit_status: 0x6f0,
    },
    handle_table: HandleTableLayout {
        table_code: 0x8,
        handle_count: None,
        unique_process_id: 0x28,
        entry_size: 0x10,
        granted_access: 0x8,
        encoding: HandleEntryEncoding::X64Win81,
    },
    object_header: ObjectHeaderLayout {
        body: 0x30,
        pointer_count: 0x0,
        handle_count: 0x8,
        flags: 0x1b,
        type_ref: TypeRef::Index {
            offset: 0x18,
            cookie: true,
        },
        optional: OptionalHeaders::InfoMask {
            offset: 0x1a,
            sizes: [0x20, 0x20, 0x10, 0x20, 0x10, 0x10, 0x10, 0x4],
        },
        name_info_name: 0x8,
        creator_unique_process: 0x10,
    },
    object_type: ObjectTypeLayout {
        name: 0x10,
        index: 0x28,
        total_number_of_objects: 0x2c,
        total_number_of_handles: 0x30,
        key: 0xc0,
    },
};
/// Win10v1809X64, build 17763 (x64).
pub(crate) const WIN10V1809_X64: ObjectLayout = ObjectLayout {
    build: 17763,
    width: PointerWidth::Bits64,
    source: "Vergilius 10.0.17763.107 x64 (novafacing/vergilius-rs headers)",
    process: ProcessLayout {
        size: 0x850,
        directory_table_base: 0x28,
        unique_process_id: 0x2e0,
        active_process_links: 0x2e8,
        create_time: 0x308,
        exit_time: 0x690,
        object_table: 0x418,
        peb: 0x3f8,
        inherited_from_unique_process_id: 0x3e0,
        image_file_name: 0x450,
        thread_list_head: 0x488,
        active_threads: 0x498,
        session: 0x400,
        session_id: 0x8,
        se_audit_process_creation_info: 0x468,
        exit_status: 0x624,
    },
    thread: ThreadLayout {
        size: 0x810,
        initial_stack: 0x28,
        stack_limit: 0x30,
        stack_base: 0x38,
        kernel_stack: 0x58,
        teb: 0xf0,
        state: 0x184,
        wait_reason: 0x283,
        wait_time: 0x1b4,
        context_switches: 0x154,
        kernel_time: 0x28c,
        user_time: 0x2dc,
        owning_process: 0x220,
        win32_thread: 0x1c8,
        priority: 0xc3,
        base_priority: 0x233,
        create_time: 0x5f0,
        exit_time: 0x5f8,
        cid: 0x638,
        start_address: 0x610,
        win32_start_address: 0x690,
        thread_list_entry: 0x6a8,
        cross_thread_flags: 0x6d0,
        exit_status: 0x700,
    },
    handle_table: HandleTableLayout {
        table_code: 0x8,
        handle_count: None,
        unique_process_id: 0x28,
        entry_size: 0x10,
        granted_access: 0x8,
        encoding: HandleEntryEncoding::X64Win81,
    },
    object_header: ObjectHeaderLayout {
        body: 0x30,
        pointer_count: 0x0,
        handle_count: 0x8,
        flags: 0x1b,
        type_ref: TypeRef::Index {
            offset: 0x18,
            cookie: true,
        },
        optional: OptionalHeaders::InfoMask {
            offset: 0x1a,
            sizes: [0x20, 0x20, 0x10, 0x20, 0x10, 0x10, 0x10, 0x4],
        },
        name_info_name: 0x8,
        creator_unique_process: 0x10,
    },
    object_type: ObjectTypeLayout {
        name: 0x10,
        index: 0x28,
        total_number_of_objects: 0x2c,
        total_number_of_handles: 0x30,
        key: 0xc0,
    },
};
/// Win10v1903X64, build 18362 (x64).
pub(crate) const WIN10V1903_X64: ObjectLayout = ObjectLayout {
    build: 18362,
    width: PointerWidth::Bits64,
    source: "Vergilius 10.0.18362.418 x64 (novafacing/vergilius-rs headers)",
    process: ProcessLayout {
        size: 0x880,
        directory_table_base: 0x28,
        unique_process_id: 0x2e8,
        active_process_links: 0x2f0,
        create_time: 0x310,
        exit_time: 0x6c0,
        object_table: 0x418,
        peb: 0x3f8,
        inherited_from_unique_process_id: 0x3e8,
        image_file_name: 0x450,
        thread_list_head: 0x488,
        active_threads: 0x498,
        session: 0x400,
        session_id: 0x8,
        se_audit_process_creation_info: 0x468,
        exit_status: 0x654,
    },
    thread: ThreadLayout {
        size: 0x820,
        initial_stack: 0x28,
        stack_limit: 0x30,
        stack_base: 0x38,
        kernel_stack: 0x58,
        teb: 0xf0,
        state: 0x184,
        wait_reason: 0x283,
        wait_time: 0x1b4,
        context_switches: 0x154,
        kernel_time: 0x28c,
        user_time: 0x2dc,
        owning_process: 0x220,
        win32_thread: 0x1c8,
        priority: 0xc3,
        base_priority: 0x233,
        create_time: 0x600,
        exit_time: 0x608,
        cid: 0x648,
        start_address: 0x620,
        win32_start_address: 0x6a0,
        thread_list_entry: 0x6b8,
        cross_thread_flags: 0x6e0,
        exit_status: 0x710,
    },
    handle_table: HandleTableLayout {
        table_code: 0x8,
        handle_count: None,
        unique_process_id: 0x28,
        entry_size: 0x10,
        granted_access: 0x8,
        encoding: HandleEntryEncoding::X64Win81,
    },
    object_header: ObjectHeaderLayout {
        body: 0x30,
        pointer_count: 0x0,
        handle_count: 0x8,
        flags: 0x1b,
        type_ref: TypeRef::Index {
            offset: 0x18,
            cookie: true,
        },
        optional: OptionalHeaders::InfoMask {
            offset: 0x1a,
            sizes: [0x20, 0x20, 0x10, 0x20, 0x10, 0x10, 0x10, 0x4],
        },
        name_info_name: 0x8,
        creator_unique_process: 0x10,
    },
    object_type: ObjectTypeLayout {
        name: 0x10,
        index: 0x28,
        total_number_of_objects: 0x2c,
        total_number_of_handles: 0x30,
        key: 0xc0,
    },
};
/// Win10v2004X86, build 19041 (x86).
pub(crate) const WIN10V2004_X86: ObjectLayout = ObjectLayout {
    build: 19041,
    width: PointerWidth::Bits32,
    source: "Vergilius 10.0.19041.1288 x86 (novafacing/vergilius-rs headers)",
    process: ProcessLayout {
        size: 0x500,
        directory_table_base: 0x18,
        unique_process_id: 0xe4,
        active_process_links: 0xe8,
        create_time: 0x100,
        exit_time: 0x388,
        object_table: 0x18c,
        peb: 0x17c,
        inherited_from_unique_process_id: 0x170,
        image_file_name: 0x1ac,
        thread_list_head: 0x1d0,
        active_threads: 0x1d8,
        session: 0x180,
        session_id: 0x8,
        se_audit_process_creation_info: 0x1c0,
        exit_status: 0x34c,
    },
    thread: ThreadLayout {
        size: 0x4e0,
        initial_stack: 0x20,
        stack_limit: 0x24,
        stack_base: 0x28,
        kernel_stack: 0x48,
        teb: 0xa8,
        state: 0x90,
        wait_reason: 0x18b,
        wait_time: 0x138,
        context_switches: 0x8c,
        kernel_time: 0x194,
        user_time: 0x1c0,
        owning_process: 0x150,
        win32_thread: 0x124,
        priority: 0x87,
        base_priority: 0x15b,
        create_time: 0x280,
        exit_time: 0x288,
        cid: 0x2ac,
        start_address: 0x298,
        win32_start_address: 0x2dc,
        thread_list_entry: 0x2e4,
        cross_thread_flags: 0x2fc,
        exit_status: 0x324,
    },
    handle_table: HandleTableLayout {
        table_code: 0x8,
        handle_count: None,
        unique_process_id: 0x18,
        entry_size: 0x8,
        granted_access: 0x4,
        encoding: HandleEntryEncoding::X86Win8,
    },
    object_header: ObjectHeaderLayout {
        body: 0x18,
        pointer_count: 0x0,
        handle_count: 0x4,
        flags: 0xf,
        type_ref: TypeRef::Index {
            offset: 0xc,
            cookie: true,
        },
        optional: OptionalHeaders::InfoMask {
            offset: 0xe,
            sizes: [0x10, 0x10, 0x8, 0x10, 0x8, 0x8, 0x8, 0x4],
        },
        name_info_name: 0x4,
        creator_unique_process: 0x8,
    },
    object_type: ObjectTypeLayout {
        name: 0x8,
        index: 0x14,
        total_number_of_objects: 0x18,
        total_number_of_handles: 0x1c,
        key: 0x84,
    },
};
/// Win10v2004X64, build 19041 (x64).
pub(crate) const WIN10V2004_X64: ObjectLayout = ObjectLayout {
    build: 19041,
    width: PointerWidth::Bits64,
    source: "Vergilius 10.0.19041.1288 x64 (novafacing/vergilius-rs headers)",
    process: ProcessLayout {
        size: 0xa40,
        directory_table_base: 0x28,
        unique_process_id: 0x440,
        active_process_links: 0x448,
        create_time: 0x468,
        exit_time: 0x840,
        object_table: 0x570,
        peb: 0x550,
        inherited_from_unique_process_id: 0x540,
        image_file_name: 0x5a8,
        thread_list_head: 0x5e0,
        active_threads: 0x5f0,
        session: 0x558,
        session_id: 0x8,
        se_audit_process_creation_info: 0x5c0,
        exit_status: 0x7d4,
    },
    thread: ThreadLayout {
        size: 0x898,
        initial_stack: 0x28,
        stack_limit: 0x30,
        stack_base: 0x38,
        kernel_stack: 0x58,
        teb: 0xf0,
        state: 0x184,
        wait_reason: 0x283,
        wait_time: 0x1b4,
        context_switches: 0x154,
        kernel_time: 0x28c,
        user_time: 0x2dc,
        owning_process: 0x220,
        win32_thread: 0x1c8,
        priority: 0xc3,
        base_priority: 0x233,
        create_time: 0x430,
        exit_time: 0x438,
        cid: 0x478,
        start_address: 0x450,
        win32_start_address: 0x4d0,
        thread_list_entry: 0x4e8,
        cross_thread_flags: 0x510,
        exit_status: 0x548,
    },
    handle_table: HandleTableLayout {
        table_code: 0x8,
        handle_count: None,
        unique_process_id: 0x28,
        entry_size: 0x10,
        granted_access: 0x8,
        encoding: HandleEntryEncoding::X64Win81,
    },
    object_header: ObjectHeaderLayout {
        body: 0x30,
        pointer_count: 0x0,
        handle_count: 0x8,
        flags: 0x1b,
        type_ref: TypeRef::Index {
            offset: 0x18,
            cookie: true,
        },
        optional: OptionalHeaders::InfoMask {
            offset: 0x1a,
            sizes: [0x20, 0x20, 0x10, 0x20, 0x10, 0x10, 0x10, 0x4],
        },
        name_info_name: 0x8,
        creator_unique_process: 0x10,
    },
    object_type: ObjectTypeLayout {
        name: 0x10,
        index: 0x28,
        total_number_of_objects: 0x2c,
        total_number_of_handles: 0x30,
        key: 0xc0,
    },
};
/// Win11v21h2X64, build 22000 (x64).
pub(crate) const WIN11V21H2_X64: ObjectLayout = ObjectLayout {
    build: 22000,
    width: PointerWidth::Bits64,
    source: "corpus win11-22000-x64-ntkrnlmp-0CE4A95C.isf.json.xz (ISF from ntkrnlmp.pdb)",
    process: ProcessLayout {
        size: 0xb80,
        directory_table_base: 0x28,
        unique_process_id: 0x440,
        active_process_links: 0x448,
        create_time: 0x468,
        exit_time: 0x840,
        object_table: 0x570,
        peb: 0x550,
        inherited_from_unique_process_id: 0x540,
        image_file_name: 0x5a8,
        thread_list_head: 0x5e0,
        active_threads: 0x5f0,
        session: 0x558,
        session_id: 0x8,
        se_audit_process_creation_info: 0x5c0,
        exit_status: 0x7d4,
    },
    thread: ThreadLayout {
        size: 0x8f0,
        initial_stack: 0x28,
        stack_limit: 0x30,
        stack_base: 0x38,
        kernel_stack: 0x58,
        teb: 0xf0,
        state: 0x184,
        wait_reason: 0x283,
        wait_time: 0x1b4,
        context_switches: 0x154,
        kernel_time: 0x28c,
        user_time: 0x2dc,
        owning_process: 0x220,
        win32_thread: 0x1c8,
        priority: 0xc3,
        base_priority: 0x233,
        create_time: 0x480,
        exit_time: 0x488,
        cid: 0x4c8,
        start_address: 0x4a0,
        win32_start_address: 0x520,
        thread_list_entry: 0x538,
        cross_thread_flags: 0x560,
        exit_status: 0x598,
    },
    handle_table: HandleTableLayout {
        table_code: 0x8,
        handle_count: None,
        unique_process_id: 0x28,
        entry_size: 0x10,
        granted_access: 0x8,
        encoding: HandleEntryEncoding::X64Win81,
    },
    object_header: ObjectHeaderLayout {
        body: 0x30,
        pointer_count: 0x0,
        handle_count: 0x8,
        flags: 0x1b,
        type_ref: TypeRef::Index {
            offset: 0x18,
            cookie: true,
        },
        optional: OptionalHeaders::InfoMask {
            offset: 0x1a,
            sizes: [0x20, 0x20, 0x10, 0x20, 0x10, 0x10, 0x10, 0x4],
        },
        name_info_name: 0x8,
        creator_unique_process: 0x10,
    },
    object_type: ObjectTypeLayout {
        name: 0x10,
        index: 0x28,
        total_number_of_objects: 0x2c,
        total_number_of_handles: 0x30,
        key: 0xc0,
    },
};
/// Win11v23h2X64, build 22631 (x64).
pub(crate) const WIN11V23H2_X64: ObjectLayout = ObjectLayout {
    build: 22631,
    width: PointerWidth::Bits64,
    source: "corpus win11-22631-x64-vergilius.h (Vergilius 10.0.22631.2428 x64)",
    process: ProcessLayout {
        size: 0xb80,
        directory_table_base: 0x28,
        unique_process_id: 0x440,
        active_process_links: 0x448,
        create_time: 0x468,
        exit_time: 0x840,
        object_table: 0x570,
        peb: 0x550,
        inherited_from_unique_process_id: 0x540,
        image_file_name: 0x5a8,
        thread_list_head: 0x5e0,
        active_threads: 0x5f0,
        session: 0x558,
        session_id: 0x8,
        se_audit_process_creation_info: 0x5c0,
        exit_status: 0x7d4,
    },
    thread: ThreadLayout {
        size: 0x900,
        initial_stack: 0x28,
        stack_limit: 0x30,
        stack_base: 0x38,
        kernel_stack: 0x58,
        teb: 0xf0,
        state: 0x184,
        wait_reason: 0x283,
        wait_time: 0x1b4,
        context_switches: 0x154,
        kernel_time: 0x28c,
        user_time: 0x2dc,
        owning_process: 0x220,
        win32_thread: 0x1c8,
        priority: 0xc3,
        base_priority: 0x233,
        create_time: 0x480,
        exit_time: 0x488,
        cid: 0x4c8,
        start_address: 0x4a0,
        win32_start_address: 0x520,
        thread_list_entry: 0x538,
        cross_thread_flags: 0x560,
        exit_status: 0x598,
    },
    handle_table: HandleTableLayout {
        table_code: 0x8,
        handle_count: None,
        unique_process_id: 0x28,
        entry_size: 0x10,
        granted_access: 0x8,
        encoding: HandleEntryEncoding::X64Win81,
    },
    object_header: ObjectHeaderLayout {
        body: 0x30,
        pointer_count: 0x0,
        handle_count: 0x8,
        flags: 0x1b,
        type_ref: TypeRef::Index {
            offset: 0x18,
            cookie: true,
        },
        optional: OptionalHeaders::InfoMask {
            offset: 0x1a,
            sizes: [0x20, 0x20, 0x10, 0x20, 0x10, 0x10, 0x10, 0x4],
        },
        name_info_name: 0x8,
        creator_unique_process: 0x10,
    },
    object_type: ObjectTypeLayout {
        name: 0x10,
        index: 0x28,
        total_number_of_objects: 0x2c,
        total_number_of_handles: 0x30,
        key: 0xc0,
    },
};
