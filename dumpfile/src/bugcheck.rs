//! Bug check (stop) codes: name, a short description and what each of the four arguments
//! means, for the `!analyze`-style report of a kernel crash.
//!
//! The table covers every code in Microsoft's public "Bug check code reference" and its kernel
//! live-dump pages, plus the `_M` variants (`0x1000_0000 | base`) that share the meaning of
//! their base code, plus the codes only named in the SDK header `bugcodes.h`
//! ([`BugCheckInfo::in_reference`] is `false` for those). Names are Microsoft's symbolic names
//! exactly; descriptions and argument meanings are our own short wording. Lookup is a binary
//! search over a sorted static table.
//!
//! ```
//! use dumpfile::{bugcheck_heading, bugcheck_info, ArgKind};
//!
//! let info = bugcheck_info(0xD1).expect("known code");
//! assert_eq!(info.name, "DRIVER_IRQL_NOT_LESS_OR_EQUAL");
//! assert_eq!(info.heading(), "DRIVER_IRQL_NOT_LESS_OR_EQUAL (d1)");
//! assert_eq!(info.params[1].kind, ArgKind::Irql);
//! assert_eq!(bugcheck_heading(0x1000_007E), "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)");
//! assert!(bugcheck_info(0x7777).is_none());
//! ```

use crate::ntstatus::{AccessKind, status_from_u64};

/// What kind of value a bug check argument holds, so a report can label it (`READ_ADDRESS`,
/// `CURRENT_IRQL`, `FAULTING_IP`, `EXCEPTION_CODE`, `TRAP_FRAME`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArgKind {
    /// A data address that was read, written or executed (the `READ_ADDRESS`/`WRITE_ADDRESS`
    /// of a report; the sibling [`ArgKind::AccessType`] argument says which).
    Address,
    /// The address of the instruction at fault, or of a routine (`FAULTING_IP`).
    CodeAddress,
    /// An IRQL (`CURRENT_IRQL`).
    Irql,
    /// The kind of access (read, write, execute); decode with [`BugCheckInfo::access`].
    AccessType,
    /// An NTSTATUS value or exception code; name it with [`crate::ntstatus_name`].
    NtStatus,
    /// The address of a structure or object (IRP, pool block, thread, device object, ...).
    Pointer,
    /// The address of a trap frame (`.trap`).
    TrapFrame,
    /// The address of an exception record (`.exr`).
    ExceptionRecord,
    /// The address of a context record (`.cxr`).
    ContextRecord,
    /// A subtype that selects what the other arguments mean (see [`BugCheckInfo::subcode`]).
    Subcode,
    /// A count, size, time or index.
    Count,
    /// Any other value (flags, identifiers, packed fields).
    Other,
    /// Reserved or not used.
    Reserved,
}

/// The meaning of one bug check argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    /// What the argument holds, in a few words.
    pub meaning: &'static str,
    /// The kind of value, for labelling.
    pub kind: ArgKind,
}

/// One documented value of a subtype argument (Arg1 of codes such as 0x19, 0x1A, 0xC2, 0xC4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subcode {
    /// The value of the subtype argument (Arg1).
    pub value: u64,
    /// What this subtype means.
    pub description: &'static str,
    /// Meanings of Arg2, Arg3 and Arg4 for this subtype.
    pub params: [ParamInfo; 3],
}

/// A bug check code and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BugCheckInfo {
    /// The bug check code.
    pub code: u32,
    /// Microsoft's symbolic name, e.g. `DRIVER_IRQL_NOT_LESS_OR_EQUAL`.
    pub name: &'static str,
    /// One or two sentences on what the stop means.
    pub description: &'static str,
    /// Meanings of Arg1..Arg4. Where Arg1 is a subtype, Arg2..Arg4 read "depends on Arg1";
    /// [`BugCheckInfo::params_for`] resolves them through the subcode table.
    pub params: [ParamInfo; 4],
    /// `true` when the argument meanings come from the published reference (possibly "depends
    /// on Arg1" or "reserved"); `false` when the entry only has generic "Parameter N" wording.
    pub params_known: bool,
    /// Documented values of Arg1 for codes whose Arg1 is a subtype (common ones), sorted.
    pub subcodes: &'static [Subcode],
    /// `true` for codes in Microsoft's public bug check reference; `false` for codes only
    /// named in the SDK header (`bugcodes.h`), whose description is read from the name.
    pub in_reference: bool,
}

/// Flag that marks the `_M` variants (`0x1000007E` ...) of a base code.
const M_VARIANT: u32 = 0x1000_0000;

impl BugCheckInfo {
    /// The WinDbg heading form, `NAME (code)` with the code in lower-case hex without leading
    /// zeros: `DRIVER_IRQL_NOT_LESS_OR_EQUAL (d1)`.
    pub fn heading(&self) -> String {
        format!("{} ({:x})", self.name, self.code)
    }

    /// The code whose meaning this one shares: the base code for the `_M` variants
    /// (`0x1000007E` -> `0x7E`), otherwise the code itself.
    pub fn base_code(&self) -> u32 {
        if self.code & M_VARIANT != 0 && self.code & !M_VARIANT <= 0xFFFF {
            self.code & !M_VARIANT
        } else {
            self.code
        }
    }

    /// The documented subtype for this value of Arg1, if the code has a subcode table and the
    /// value is in it.
    pub fn subcode(&self, arg1: u64) -> Option<&'static Subcode> {
        let subcodes: &'static [Subcode] = self.subcodes;
        subcodes
            .binary_search_by_key(&arg1, |s| s.value)
            .ok()
            .and_then(|i| subcodes.get(i))
    }

    /// Arg1..Arg4 meanings for this value of Arg1: the subtype's meanings when Arg1 is a
    /// documented subtype, otherwise [`BugCheckInfo::params`].
    pub fn params_for(&self, arg1: u64) -> [ParamInfo; 4] {
        match self.subcode(arg1) {
            Some(s) => {
                let [a2, a3, a4] = s.params;
                [self.params[0], a2, a3, a4]
            }
            None => self.params,
        }
    }

    /// `true` for codes that only mark a kernel live dump (the system kept running).
    pub fn is_live_dump(&self) -> bool {
        self.description.starts_with("Live dump:")
    }

    /// The access that faulted and the address it touched, for codes that report both
    /// (0xA, 0xD1, 0x50, 0xBE, 0xFC, 0xC5, 0xD5, 0xD6, ... and their `_M` variants).
    ///
    /// Returns `None` when the code has no such arguments or the access value is not one the
    /// reference documents for that code.
    pub fn access(&self, args: &[u64; 4]) -> Option<(AccessKind, u64)> {
        let base = self.base_code();
        // An unhandled access violation in kernel mode carries the exception parameters.
        if base == 0x1E {
            let [code, _, kind, addr] = *args;
            return match status_from_u64(code) {
                Some(0xC000_0005) => AccessKind::from_exception_param(kind).map(|k| (k, addr)),
                _ => None,
            };
        }
        let addr_idx = self
            .params
            .iter()
            .position(|p| p.kind == ArgKind::Address)?;
        let addr = *args.get(addr_idx)?;
        match base {
            // Write to read-only memory, or to protected registry storage.
            0xBE | 0x11C => return Some((AccessKind::Write, addr)),
            // Execution of non-executable memory.
            0xFC => return Some((AccessKind::Execute, addr)),
            _ => {}
        }
        let acc_idx = self
            .params
            .iter()
            .position(|p| p.kind == ArgKind::AccessType)?;
        let v = *args.get(acc_idx)?;
        let kind = match base {
            // Page-fault style: 0 read; 2 write and 0x10 execute (x86/x64 since Windows 10);
            // 1 write and 8 execute (ARM, and 1 = write before Windows 10).
            0x50 => match v {
                0 => AccessKind::Read,
                1 | 2 => AccessKind::Write,
                8 | 0x10 => AccessKind::Execute,
                _ => return None,
            },
            // KASAN: bit 8 of Arg4 is the write flag.
            0x1F2 => {
                if v & 0x100 != 0 {
                    AccessKind::Write
                } else {
                    AccessKind::Read
                }
            }
            // IRQL family (0xA, 0xD1, ...): 0 read, 1 write, 2 or 8 execute.
            _ => match v {
                0 => AccessKind::Read,
                1 => AccessKind::Write,
                2 | 8 => AccessKind::Execute,
                _ => return None,
            },
        };
        Some((kind, addr))
    }
}

/// Look a bug check code up. O(log n) over a sorted static table.
pub fn bugcheck_info(code: u32) -> Option<&'static BugCheckInfo> {
    TABLE
        .binary_search_by_key(&code, |b| b.code)
        .ok()
        .and_then(|i| TABLE.get(i))
}

/// The heading line of a report for `code`: `NAME (code)` for a known code (as WinDbg prints
/// it, e.g. `DRIVER_IRQL_NOT_LESS_OR_EQUAL (d1)`), `UNKNOWN_BUGCHECK (code)` otherwise.
pub fn bugcheck_heading(code: u32) -> String {
    match bugcheck_info(code) {
        Some(info) => info.heading(),
        None => format!("UNKNOWN_BUGCHECK ({code:x})"),
    }
}

/// Every known bug check code, sorted by code.
pub fn bugcheck_table() -> &'static [BugCheckInfo] {
    TABLE
}

/// The Driver Verifier rule named by Arg1 of a 0xC4 (DRIVER_VERIFIER_DETECTED_VIOLATION) stop
/// for the DDI compliance and NDIS/WIFI rules (`0x0002_0005` -> `IrqlExApcLte1`). This is the
/// name that appears in failure bucket ids such as `0xc4_IrqlExApcLte1_XDV_...`.
pub fn verifier_rule_name(arg1: u64) -> Option<&'static str> {
    VERIFIER_RULES
        .binary_search_by_key(&arg1, |&(v, _)| v)
        .ok()
        .and_then(|i| VERIFIER_RULES.get(i))
        .map(|&(_, name)| name)
}

use ArgKind as K;

const fn p(meaning: &'static str, kind: ArgKind) -> ParamInfo {
    ParamInfo { meaning, kind }
}

const fn sc(value: u64, description: &'static str, params: [ParamInfo; 3]) -> Subcode {
    Subcode {
        value,
        description,
        params,
    }
}

/// Generic wording for codes whose arguments we have not described.
const GENERIC: [ParamInfo; 4] = [
    p("Parameter 1", K::Other),
    p("Parameter 2", K::Other),
    p("Parameter 3", K::Other),
    p("Parameter 4", K::Other),
];

/// For codes documented as having no parameters.
const NONE: [ParamInfo; 4] = [
    p("Not used", K::Reserved),
    p("Not used", K::Reserved),
    p("Not used", K::Reserved),
    p("Not used", K::Reserved),
];

const fn known(
    code: u32,
    name: &'static str,
    description: &'static str,
    params: [ParamInfo; 4],
) -> BugCheckInfo {
    BugCheckInfo {
        code,
        name,
        description,
        params,
        params_known: true,
        subcodes: &[],
        in_reference: true,
    }
}

const fn with_subcodes(
    code: u32,
    name: &'static str,
    description: &'static str,
    params: [ParamInfo; 4],
    subcodes: &'static [Subcode],
) -> BugCheckInfo {
    BugCheckInfo {
        code,
        name,
        description,
        params,
        params_known: true,
        subcodes,
        in_reference: true,
    }
}

const fn generic(code: u32, name: &'static str, description: &'static str) -> BugCheckInfo {
    BugCheckInfo {
        code,
        name,
        description,
        params: GENERIC,
        params_known: false,
        subcodes: &[],
        in_reference: true,
    }
}

const fn sdk_known(
    code: u32,
    name: &'static str,
    description: &'static str,
    params: [ParamInfo; 4],
) -> BugCheckInfo {
    BugCheckInfo {
        in_reference: false,
        ..known(code, name, description, params)
    }
}

const fn sdk_only(code: u32, name: &'static str, description: &'static str) -> BugCheckInfo {
    BugCheckInfo {
        code,
        name,
        description,
        params: GENERIC,
        params_known: false,
        subcodes: &[],
        in_reference: false,
    }
}

// Generated tables start here. Every description and argument meaning is our own wording.

const S10D: &[Subcode] = &[
    sc(
        0x1,
        "A framework driver timed out in a power operation, often a pageable operation after the paging stack powered down.",
        [
            p("WDF_POWER_ROUTINE_TIMED_OUT_DATA", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x2,
        "A lock that is already held was acquired again.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x3,
        "A completed request cannot be deleted: its buffers still have references (framework verifier).",
        [
            p("WDFREQUEST handle", K::Pointer),
            p("References left on the buffers", K::Count),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x4,
        "NULL was passed where a framework routine needs a value.",
        [
            p("Reserved", K::Reserved),
            p("Caller address", K::CodeAddress),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x5,
        "A framework handle of the wrong type was passed.",
        [
            p("Handle passed", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x6,
        "A fatal error in handling a framework request; Arg2 gives the kind.",
        [
            p("Kind of request error (WDF_REQUEST_FATAL_ERROR)", K::Other),
            p("Depends on Arg2", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x7,
        "An object was deleted with WdfObjectDereference instead of WdfObjectDelete.",
        [
            p("Object handle", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x8,
        "A DMA transaction was used in the wrong state.",
        [
            p("DMA transaction handle", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xA,
        "A fatal error while processing a queued request.",
        [
            p("WDF_QUEUE_FATAL_ERROR_DATA", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xB,
        "An invalid lock acquire or release; Arg3 gives the kind.",
        [
            p("Handle", K::Other),
            p("Kind of lock error", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xC,
        "A state-changing PnP IRP arrived while another was being processed.",
        [
            p("WDFDEVICE handle", K::Other),
            p("New PnP IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xD,
        "The power policy owner received a power IRP it did not request.",
        [
            p("WDFDEVICE handle", K::Other),
            p("Power IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xE,
        "An event callback returned at a different IRQL than it was called at.",
        [
            p("IRQL at the call", K::Irql),
            p("IRQL at the return", K::Irql),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xF,
        "An event callback entered a critical region and did not leave it.",
        [
            p("Event callback", K::CodeAddress),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
];

const S124: &[Subcode] = &[
    sc(
        0x0,
        "A machine check exception (MCE).",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("MCi_STATUS high 32 bits of the failing bank", K::Other),
            p("MCi_STATUS low 32 bits of the failing bank", K::Other),
        ],
    ),
    sc(
        0x1,
        "A corrected machine check.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x2,
        "A corrected platform error.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x3,
        "A non-maskable interrupt (NMI) error.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x4,
        "An uncorrectable PCI Express error.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x5,
        "A generic hardware error.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x6,
        "An initialization error.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x7,
        "A boot error.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x8,
        "A scalable coherent interface (SCI) generic error.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x9,
        "An uncorrectable Itanium machine check abort.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Length of the SAL log", K::Count),
            p("SAL log", K::Pointer),
        ],
    ),
    sc(
        0xA,
        "A corrected Itanium machine check.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xB,
        "A corrected Itanium platform error.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xC,
        "Another kind of error source (v2).",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xD,
        "An SCI-based generic hardware error source (GHESv2).",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xE,
        "Baseboard management controller (BMC) error information.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xF,
        "Persistent memory address range scrub (ARS) error.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x10,
        "An error reported by a device driver.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x11,
        "Arm synchronous external abort.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x12,
        "Arm SError interrupt.",
        [
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
];

const S133: &[Subcode] = &[
    sc(
        0x0,
        "One DPC or ISR ran past its time allotment; the stack usually shows the driver.",
        [
            p("DPC time count in ticks", K::Count),
            p("DPC time allotment in ticks", K::Count),
            p("Nt!DPC_WATCHDOG_GLOBAL_TRIAGE_BLOCK", K::Pointer),
        ],
    ),
    sc(
        0x1,
        "The processor spent too long in total at DISPATCH_LEVEL or above.",
        [
            p("Watchdog period", K::Count),
            p("Nt!DPC_WATCHDOG_GLOBAL_TRIAGE_BLOCK", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
];

const S139: &[Subcode] = &[
    sc(
        0x0,
        "Stack buffer overrun (legacy /GS check).",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1,
        "VTGuard found an illegal virtual function table (a corrupt C++ object).",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x2,
        "Stack buffer overrun caught by the stack cookie (/GS) check.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x3,
        "A LIST_ENTRY is corrupt (for example a double remove).",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x5,
        "An invalid argument was passed to a routine that treats it as fatal.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x6,
        "The stack cookie was never initialized by the loader.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x7,
        "A fatal program exit was requested.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x8,
        "A compiler-inserted array bounds check failed.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x9,
        "RtlQueryRegistryValues with direct query and no type check read an untrusted hive.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xA,
        "Control flow guard found an invalid indirect call target.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xB,
        "Write guard found an invalid memory write.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xC,
        "Switch to an invalid fiber context.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xD,
        "Invalid register context assigned.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xE,
        "An object reference count is invalid.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x12,
        "Switch to an invalid jmp_buf context.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x13,
        "Read-only data was modified unsafely.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x14,
        "A cryptographic self-test failed.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x15,
        "An invalid exception chain was found.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x16,
        "A cryptographic library error.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x17,
        "An invalid call from inside DllMain.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x18,
        "An invalid image base address.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x19,
        "Protecting a delay-load import failed.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1A,
        "A call to an unsafe extension.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1B,
        "A deprecated service was invoked.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1C,
        "An out-of-bounds buffer access was caught.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1D,
        "An RTL_BALANCED_NODE red-black tree entry is corrupt.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x25,
        "An out-of-range switch jump table entry was used.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x26,
        "longjmp to an invalid target.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x27,
        "An export-suppressed call target could not be made valid.",
        [
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
    ),
];

const S13A: &[Subcode] = &[
    sc(
        0x3,
        "A corrupt heap entry header.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x4,
        "Several corrupt heap entry headers.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x5,
        "A corrupt entry header in a large allocation.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x6,
        "Corruption that looks like a buffer overrun.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x7,
        "Corruption that looks like a buffer underrun.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x8,
        "A free block was passed to an operation that needs a busy block.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x9,
        "An invalid argument to a heap operation.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xA,
        "An internal error about the allocation type.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xB,
        "Corruption that looks like a use after free.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xC,
        "The wrong heap was passed to an operation.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xD,
        "A corrupt free list (use after free or overflow of a neighbour).",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xE,
        "A corrupt list other than the free list.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xF,
        "An operation that is illegal on a free block (such as a second free).",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x10,
        "Invalid internal state, possibly a buffer overflow.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x11,
        "Invalid internal state, possibly a double free.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x12,
        "Invalid internal state, possibly a use after free or overflow of a neighbour.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x13,
        "A NULL heap handle was passed.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x14,
        "An allocation larger than the current allocation limit.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x15,
        "A commit request would exceed the commit limit.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x16,
        "An internal error, possibly a bad address or corruption.",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x17,
        "A corrupt block on a delay-free list (use after free or overflow).",
        [
            p("Heap", K::Pointer),
            p("Address of the corruption", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
];

const S144: &[Subcode] = &[
    sc(
        0x1,
        "A client driver reused a URB it had already sent.",
        [
            p("IRP used to resend the URB, if any", K::Pointer),
            p("URB", K::Pointer),
            p("Client driver's device object", K::Pointer),
        ],
    ),
    sc(
        0x2,
        "A boot or paging device failed to re-enumerate.",
        [
            p("PDO of the boot device", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x3,
        "A client driver sent a corrupt URB.",
        [
            p("IRP used to send the URB, if any", K::Pointer),
            p("Corrupt URB", K::Pointer),
            p("Client driver's device object", K::Pointer),
        ],
    ),
    sc(
        0x800,
        "Open Static Streams sent above PASSIVE_LEVEL.",
        [
            p("IRQL of the request", K::Irql),
            p("IRP", K::Pointer),
            p("Client driver's device object", K::Pointer),
        ],
    ),
    sc(
        0x801,
        "Static streams opened before querying the streams capability.",
        [
            p("IRP", K::Pointer),
            p("URB", K::Pointer),
            p("Client driver's device object", K::Pointer),
        ],
    ),
    sc(
        0x802,
        "An invalid number of static streams requested.",
        [
            p("Streams requested", K::Count),
            p("Streams granted", K::Count),
            p("Client driver's device object", K::Pointer),
        ],
    ),
    sc(
        0x803,
        "Static streams opened on an endpoint that already has them.",
        [
            p("IRP", K::Pointer),
            p("URB", K::Pointer),
            p("Client driver's device object", K::Pointer),
        ],
    ),
    sc(
        0x804,
        "A client driver leaked a USBD handle or a URB.",
        [
            p("Leaked handle context", K::Pointer),
            p("Device object given to USBD_CreateHandle", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x805,
        "Close Static Streams sent in an invalid state.",
        [
            p("WDFREQUEST handle", K::Other),
            p("URB", K::Pointer),
            p("Client driver's device object", K::Pointer),
        ],
    ),
    sc(
        0x806,
        "A chained MDL sent before querying the chained MDL capability.",
        [
            p("IRP", K::Pointer),
            p("URB", K::Pointer),
            p("Client driver's device object", K::Pointer),
        ],
    ),
    sc(
        0x807,
        "A transfer length larger than the MDL's byte count.",
        [
            p("Chained MDL", K::Pointer),
            p("URB", K::Pointer),
            p("Client driver's device object, if any", K::Pointer),
        ],
    ),
    sc(
        0x1001,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1002,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1003,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1004,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1005,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1006,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1007,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1008,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1009,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x100A,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x100B,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x100C,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x100D,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x100E,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x100F,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1010,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1011,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1012,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1013,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1014,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1015,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1016,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1017,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1018,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1019,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x101A,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x101B,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x101C,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x101D,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x101E,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x101F,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1020,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1021,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1022,
        "The xHCI host controller or its driver reported an error (live dump); Arg1 identifies which.",
        [
            p("XHCI_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x3000,
        "The USB 3 hub driver reported a misbehaving hub or a device that failed enumeration (live dump).",
        [
            p("USBHUB3_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x3001,
        "The USB 3 hub driver reported a misbehaving hub or a device that failed enumeration (live dump).",
        [
            p("USBHUB3_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x3002,
        "The USB 3 hub driver reported a misbehaving hub or a device that failed enumeration (live dump).",
        [
            p("USBHUB3_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x3003,
        "The USB 3 hub driver reported a misbehaving hub or a device that failed enumeration (live dump).",
        [
            p("USBHUB3_LIVEDUMP_CONTEXT", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
];

const S19: &[Subcode] = &[
    sc(
        0x2,
        "The special pool pattern check failed; the owner probably corrupted the block.",
        [
            p("Pool entry being checked", K::Pointer),
            p("Size of the block", K::Count),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x3,
        "The pool free list is corrupt (in a healthy list Args 2-4 are equal).",
        [
            p("Pool entry being checked", K::Pointer),
            p("Forward link read back", K::Pointer),
            p("Backward link read back", K::Pointer),
        ],
    ),
    sc(
        0x5,
        "Two adjacent pool headers contradict each other; at least one is corrupt.",
        [
            p("One of the pool entries", K::Pointer),
            p("Reserved", K::Reserved),
            p("The other pool entry", K::Pointer),
        ],
    ),
    sc(
        0x6,
        "A pool header's previous-size field is too large.",
        [
            p("Entry whose size was miscalculated", K::Pointer),
            p("Reserved", K::Reserved),
            p("Bad entry that caused it", K::Pointer),
        ],
    ),
    sc(
        0x7,
        "A pool header's size field is corrupt.",
        [
            p("0", K::Other),
            p("Reserved", K::Reserved),
            p("Bad pool entry", K::Pointer),
        ],
    ),
    sc(
        0x8,
        "A pool header's size field is zero.",
        [
            p("0", K::Other),
            p("Reserved", K::Reserved),
            p("Bad pool entry", K::Pointer),
        ],
    ),
    sc(
        0x9,
        "A pool header's size field is corrupt (too large).",
        [
            p("Entry whose size was miscalculated", K::Pointer),
            p("Reserved", K::Reserved),
            p("Bad entry that caused it", K::Pointer),
        ],
    ),
    sc(
        0xA,
        "A pool header's size field is corrupt: an expected entry was not found.",
        [
            p("Pool entry that should have been found", K::Pointer),
            p("Reserved", K::Reserved),
            p("Page that should have held it", K::Address),
        ],
    ),
    sc(
        0xD,
        "The header of a freed block was modified after the free, usually by an overrun of the block before it.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xE,
        "The header of a freed block was modified after the free, usually by an overrun of the block before it.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xF,
        "The header of a freed block was modified after the free, usually by an overrun of the block before it.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x20,
        "A pool header's size field is corrupt.",
        [
            p("Pool entry that should have been found", K::Pointer),
            p("Next pool entry", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x21,
        "The bytes after a block being freed are corrupt: the caller overran the block.",
        [
            p("Pool block being freed", K::Pointer),
            p("Bytes allocated for the block", K::Count),
            p("Corrupt value found after the block", K::Other),
        ],
    ),
    sc(
        0x22,
        "An address being freed has no tracking entry: freed twice or never allocated.",
        [
            p("Address being freed", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x23,
        "The header of a freed block was modified after the free, usually by an overrun of the block before it.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x24,
        "The header of a freed block was modified after the free, usually by an overrun of the block before it.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x25,
        "The header of a freed block was modified after the free, usually by an overrun of the block before it.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
];

const S1A: &[Subcode] = &[
    sc(
        0x31,
        "The image relocation table or code stream is corrupt, probably hardware.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x3F,
        "A page read from the page file failed its CRC check.",
        [
            p("Page file offset", K::Other),
            p("CRC of the page", K::Other),
            p("Expected CRC", K::Other),
        ],
    ),
    sc(
        0x403,
        "Page tables and page frame numbers disagree, probably hardware (especially if Args 3 and 4 differ by one bit).",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x404,
        "Deleting a system page found the PFN and its PTE pointer inconsistent.",
        [
            p("Expected PTE", K::Other),
            p("PTE contents", K::Other),
            p("PTE recorded in the PFN", K::Other),
        ],
    ),
    sc(
        0x411,
        "A PTE is corrupt.",
        [
            p("Address of the PTE", K::Pointer),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x1010,
        "A pageable section was unlocked that was not locked.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x1233,
        "A driver mapped a physical page that was not locked.",
        [
            p("Page frame number", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x1236,
        "An MDL holds an unlocked or invalid physical page.",
        [
            p("MDL", K::Pointer),
            p("Invalid PFN entry", K::Pointer),
            p("Invalid PFN value", K::Other),
        ],
    ),
    sc(
        0x1240,
        "An MDL was built for a virtual range that is not resident.",
        [
            p("MDL", K::Pointer),
            p("PTE pointer", K::Pointer),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x3300,
        "A write hit an address wrongly marked copy-on-write.",
        [
            p("Faulting address", K::Address),
            p("PTE contents", K::Other),
            p("Kind of address space", K::Other),
        ],
    ),
    sc(
        0x3451,
        "The PTEs of a swapped-out kernel stack are corrupt.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x3470,
        "A cached kernel stack was corrupted while on the free list.",
        [
            p("Virtual address", K::Address),
            p("Address cookie", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x4477,
        "A driver wrote to unallocated user space of the system process.",
        [
            p("Address written", K::Address),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x5003,
        "The working set free list is corrupt, probably hardware.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x5100,
        "The allocation bitmap is corrupt: an address in use was about to be reused.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x5200,
        "A page on a free pool list is corrupt, from a use after free or an overrun.",
        [
            p("Free pool block", K::Pointer),
            p("Value found", K::Other),
            p("Value expected", K::Other),
        ],
    ),
    sc(
        0x5305,
        "An invalid pool address is being freed.",
        [
            p("Address being freed", K::Address),
            p("Region size", K::Count),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x6001,
        "The memory store's private range is corrupt.",
        [
            p("Status returned", K::NtStatus),
            p("Address in the store range", K::Address),
            p("MDL", K::Pointer),
        ],
    ),
    sc(
        0x8884,
        "Two standby pages that should share a priority do not.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Differing priority values", K::Other),
        ],
    ),
    sc(
        0x8885,
        "Two standby pages that should share a priority do not.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Differing priority values", K::Other),
        ],
    ),
    sc(
        0x8886,
        "Two standby pages that should share a priority do not.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Differing priority values", K::Other),
        ],
    ),
    sc(
        0x8887,
        "Two standby pages that should share a priority do not.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Differing priority values", K::Other),
        ],
    ),
    sc(
        0x8888,
        "Internal memory manager structures (likely a PTE or PFN) are corrupt.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x8889,
        "Internal memory manager structures (likely a PTE or PFN) are corrupt.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x888A,
        "Internal memory manager structures (likely a PTE or PFN) are corrupt.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x9696,
        "A PFN link no longer leads to its top-level process.",
        [
            p("Page frame number", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x15000,
        "Memory was unsecured with a wrong address or from the wrong process.",
        [
            p("Virtual address", K::Address),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x15001,
        "Unsecuring previously secured memory failed, typically the wrong process context.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x41201,
        "Querying an address found the PFN and PTE pointer inconsistent.",
        [
            p("PTE", K::Pointer),
            p("PTE contents", K::Other),
            p("Virtual address descriptor", K::Pointer),
        ],
    ),
    sc(
        0x41202,
        "A PTE was found corrupt while working out page protection.",
        [
            p("PTE pointer", K::Pointer),
            p("PTE contents", K::Other),
            p("Virtual address descriptor", K::Pointer),
        ],
    ),
    sc(
        0x41283,
        "The working set index in a PTE is corrupt.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x41284,
        "A PTE or the working set list is corrupt.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x41286,
        "An invalid pool address is being freed.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x41287,
        "An illegal page fault happened while holding working set synchronization.",
        [
            p("Address referenced", K::Address),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x41785,
        "The working set list is corrupt.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x41790,
        "A page table page is corrupt.",
        [
            p("PFN of the page table page (64-bit)", K::Pointer),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x41792,
        "A corrupt PTE was found.",
        [
            p("Address of the PTE", K::Pointer),
            p("PTE low part", K::Other),
            p("PTE high part", K::Other),
        ],
    ),
    sc(
        0x41793,
        "A page table page is corrupt (non-zero PTE count mismatch).",
        [
            p("Last PTE processed", K::Pointer),
            p("Non-zero PTEs found", K::Count),
            p("Non-zero PTEs expected", K::Count),
        ],
    ),
    sc(
        0x61941,
        "The paging hierarchy is corrupt.",
        [
            p("Address that faulted", K::Address),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x61946,
        "A locked page's reference count would underflow or an MDL was built over a page being freed.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x61948,
        "An I/O space region's accounting node was not found when dereferencing it.",
        [
            p("Base I/O frame", K::Other),
            p("Pages in the region", K::Count),
            p("I/O frame without a node", K::Other),
        ],
    ),
];

const S4E: &[Subcode] = &[
    sc(
        0x1,
        "A PFN list head is corrupt.",
        [
            p("List head value", K::Other),
            p("Pages available", K::Count),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x2,
        "A PFN list entry is corrupt.",
        [
            p("Entry being removed", K::Other),
            p("Highest physical page", K::Other),
            p("Reference count of the entry", K::Count),
        ],
    ),
    sc(
        0x6,
        "The hardware or prototype PTE is corrupt (bit flips, broken DMA).",
        [
            p("Page frame number", K::Other),
            p("Prototype PTE", K::Pointer),
            p("PTE contents", K::Other),
        ],
    ),
    sc(
        0x7,
        "A driver unlocked a page more times than it locked it.",
        [
            p("Page frame number", K::Other),
            p("Current share count", K::Count),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x8D,
        "The free page list is corrupt, most likely hardware.",
        [
            p("Page frame number", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x8F,
        "The free or zeroed page list head is corrupt.",
        [
            p("New page number", K::Other),
            p("Old page number", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x99,
        "A PTE or PFN is corrupt.",
        [
            p("Page frame number", K::Other),
            p("Current page state", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x9A,
        "A driver freed a page still locked for I/O.",
        [
            p("Page frame number", K::Other),
            p("Current page state", K::Other),
            p("Reference count", K::Count),
        ],
    ),
];

const S7F: &[Subcode] = &[
    sc(
        0x0,
        "Divide error: a division by zero or an overflowing division.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x1,
        "Debug exception (single step or hardware breakpoint) without a debugger.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x3,
        "Breakpoint instruction (int 3) without a debugger.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x4,
        "Overflow trap (INTO).",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x5,
        "BOUND range exceeded.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x6,
        "Invalid opcode, often a corrupted instruction pointer or memory.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x7,
        "Coprocessor not available.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x8,
        "Double fault: a fault while delivering another fault, usually a kernel stack overflow or hardware.",
        [
            p(
                "Depends on the processor (x64: trap frame or TSS)",
                K::Pointer,
            ),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0xA,
        "Invalid task state segment.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0xB,
        "Segment not present.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0xC,
        "Stack segment fault.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0xD,
        "General protection fault.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0xF,
        "Reserved trap.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x10,
        "Floating-point (x87) error.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x11,
        "Alignment check.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
];

const S9F: &[Subcode] = &[
    sc(
        0x1,
        "A device object being freed still has a power request pending.",
        [
            p("Device object", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x2,
        "A device completed a system power IRP without calling PoStartNextPowerIrp.",
        [
            p("Target device object, if any", K::Pointer),
            p("Device object", K::Pointer),
            p("Driver object, if any", K::Pointer),
        ],
    ),
    sc(
        0x3,
        "A device held a power IRP for too long.",
        [
            p("Physical device object of the stack", K::Pointer),
            p("Nt!_TRIAGE_9F_POWER", K::Pointer),
            p("Blocked IRP", K::Pointer),
        ],
    ),
    sc(
        0x4,
        "A power transition timed out waiting for Plug and Play.",
        [
            p("Timeout in seconds", K::Count),
            p("Thread holding the PnP lock", K::Pointer),
            p("Nt!_TRIAGE_9F_PNP", K::Pointer),
        ],
    ),
    sc(
        0x5,
        "A device did not finish a directed power transition in time.",
        [
            p("Physical device object of the stack", K::Pointer),
            p("POP_FX_DEVICE", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x6,
        "A device failed its directed power transition callback.",
        [
            p("POP_FX_DEVICE", K::Pointer),
            p("1: power down, 0: power up", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x500,
        "A device completed a system power IRP without calling PoStartNextPowerIrp.",
        [
            p("Reserved", K::Reserved),
            p("Target device object, if any", K::Pointer),
            p("Device object", K::Pointer),
        ],
    ),
];

const SA0: &[Subcode] = &[
    sc(
        0x1,
        "Too many references or queued power IRPs, or a power IRP to a passive-level device, or a power IRP could not be allocated.",
        [
            p(
                "Kind (1 references, 2-4 queued IRPs, 5 passive device, 6 allocation)",
                K::Other,
            ),
            p("Depends on Arg2", K::Other),
            p("Depends on Arg2", K::Other),
        ],
    ),
    sc(
        0x2,
        "An internal failure while processing a power event.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x3,
        "A hibernation context page failed its checksum.",
        [
            p("Expected checksum", K::Other),
            p("Actual checksum", K::Other),
            p("Source line", K::Other),
        ],
    ),
    sc(
        0x4,
        "A page about to be written to the hibernation file failed its checksum.",
        [
            p("Expected checksum", K::Other),
            p("Actual checksum", K::Other),
            p("Source line", K::Other),
        ],
    ),
    sc(
        0x7,
        "An unhandled exception.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x8,
        "A fatal error while processing a system power event.",
        [
            p("0x100", K::Other),
            p("Device object", K::Pointer),
            p("POWER_CHANNEL_SUMMARY", K::Pointer),
        ],
    ),
    sc(
        0x9,
        "Preparing the hibernation file failed.",
        [
            p("Status", K::NtStatus),
            p("Mirroring phase", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xB,
        "The hibernation file ran out of space.",
        [
            p("Size of the hibernation file", K::Count),
            p("Progress when space ran out", K::Other),
            p("Depends on Arg3", K::Other),
        ],
    ),
    sc(
        0xC,
        "The dump stack failed to initialize.",
        [
            p("Status", K::NtStatus),
            p("Dump stack context", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xD,
        "A system power transition did not finish in time.",
        [
            p("System power state in transition", K::Other),
            p("Last sleep checkpoint reached", K::Other),
            p("POP_POWER_ACTION", K::Pointer),
        ],
    ),
    sc(
        0xF,
        "A system power transition (or its suspend or resume half) did not finish in time.",
        [
            p("System power state in transition", K::Other),
            p("Last sleep checkpoint reached", K::Other),
            p("Thread handling the request", K::Pointer),
        ],
    ),
    sc(
        0xF0,
        "A system power transition (or its suspend or resume half) did not finish in time.",
        [
            p("System power state in transition", K::Other),
            p("Last sleep checkpoint reached", K::Other),
            p("Thread handling the request", K::Pointer),
        ],
    ),
    sc(
        0xF1,
        "A system power transition (or its suspend or resume half) did not finish in time.",
        [
            p("System power state in transition", K::Other),
            p("Last sleep checkpoint reached", K::Other),
            p("Thread handling the request", K::Pointer),
        ],
    ),
    sc(
        0x101,
        "An unhandled exception while processing a system power event.",
        [
            p("Reserved", K::Reserved),
            p("Exception pointers", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x10A,
        "Reading or writing the hibernation file failed.",
        [
            p("Reserved", K::Reserved),
            p("POP_HIBER_CONTEXT", K::Pointer),
            p("Failure status", K::NtStatus),
        ],
    ),
    sc(
        0x10E,
        "The disk returned corrupt data while reading the hibernation file.",
        [
            p("Reserved", K::Reserved),
            p("Wrong checksum", K::Other),
            p("Checksum of the previous read", K::Other),
        ],
    ),
    sc(
        0x404,
        "A power IRP was sent to a passive-level device object.",
        [
            p("Reserved", K::Reserved),
            p("IO_STACK_LOCATION", K::Pointer),
            p("Device object", K::Pointer),
        ],
    ),
    sc(
        0x600,
        "A driver registered twice with the runtime power framework.",
        [
            p("PDO", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x618,
        "A runtime power worker thread was blocked too long.",
        [
            p("POP_FX_WORK_ORDER_WATCHDOG_INFO", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x619,
        "A device blocked the deepest runtime idle state too long.",
        [
            p("POP_FX_DEVICE", K::Pointer),
            p("Component index", K::Count),
            p("Device node of the child responsible, or NULL", K::Pointer),
        ],
    ),
];

const SC2: &[Subcode] = &[
    sc(
        0x0,
        "Zero-byte pool allocation requested.",
        [
            p("0", K::Other),
            p("Pool type", K::Other),
            p("Pool tag", K::Other),
        ],
    ),
    sc(
        0x1,
        "A pool header is corrupt.",
        [
            p("Pool header", K::Pointer),
            p("First part of the header", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x2,
        "A pool header is corrupt.",
        [
            p("Pool header", K::Pointer),
            p("First part of the header", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x4,
        "A pool header is corrupt.",
        [
            p("Pool header", K::Pointer),
            p("First part of the header", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x6,
        "Pool was freed twice.",
        [
            p("Reserved", K::Reserved),
            p("Pool header", K::Pointer),
            p("Header contents", K::Other),
        ],
    ),
    sc(
        0x7,
        "Pool was freed twice.",
        [
            p("Reserved", K::Reserved),
            p("Header contents", K::Other),
            p("Pool block being freed", K::Pointer),
        ],
    ),
    sc(
        0x8,
        "Pool allocated at an invalid IRQL.",
        [
            p("Current IRQL", K::Irql),
            p("Pool type", K::Other),
            p("Size of the allocation", K::Count),
        ],
    ),
    sc(
        0x9,
        "Pool freed at an invalid IRQL.",
        [
            p("Current IRQL", K::Irql),
            p("Pool type", K::Other),
            p("Pool block", K::Pointer),
        ],
    ),
    sc(
        0xA,
        "Pool freed with a tag different from the allocation's.",
        [
            p("Pool block", K::Pointer),
            p("Tag of the allocation", K::Other),
            p("Tag used in the free", K::Other),
        ],
    ),
    sc(
        0xB,
        "Quota released on a corrupt pool allocation.",
        [
            p("Pool block", K::Pointer),
            p("Tag of the allocation", K::Other),
            p("Bad quota process pointer", K::Pointer),
        ],
    ),
    sc(
        0xC,
        "Quota released on a corrupt pool allocation.",
        [
            p("Pool block", K::Pointer),
            p("Tag of the allocation", K::Other),
            p("Bad quota process pointer", K::Pointer),
        ],
    ),
    sc(
        0xD,
        "Quota released on a corrupt pool allocation.",
        [
            p("Pool block", K::Pointer),
            p("Tag of the allocation", K::Other),
            p("Bad quota process pointer", K::Pointer),
        ],
    ),
    sc(
        0x40,
        "Kernel pool freed at a user-mode address.",
        [
            p("Start address", K::Address),
            p("Start of system address space", K::Address),
            p("0", K::Other),
        ],
    ),
    sc(
        0x41,
        "A nonpaged pool address that is not allocated was freed.",
        [
            p("Start address", K::Address),
            p("Physical page frame", K::Other),
            p("Highest physical page frame", K::Other),
        ],
    ),
    sc(
        0x42,
        "An address that was never in any pool was freed.",
        [
            p("Address being freed", K::Address),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x43,
        "An address that was never in any pool was freed.",
        [
            p("Address being freed", K::Address),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x44,
        "A nonpaged pool address that is not allocated was freed.",
        [
            p("Start address", K::Address),
            p("Reserved", K::Reserved),
            p("0", K::Other),
        ],
    ),
    sc(
        0x46,
        "An invalid pool address was freed.",
        [
            p("Start address", K::Address),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x47,
        "A nonpaged pool address that is not allocated was freed.",
        [
            p("Start address", K::Address),
            p("Physical page frame", K::Other),
            p("Highest physical page frame", K::Other),
        ],
    ),
    sc(
        0x48,
        "A paged pool address that is not allocated was freed.",
        [
            p("Start address", K::Address),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x50,
        "A paged pool address that is not allocated was freed.",
        [
            p("Start address", K::Address),
            p("Page offset from the start of paged pool", K::Other),
            p("Size of paged pool in bytes", K::Count),
        ],
    ),
    sc(
        0x60,
        "An invalid contiguous memory address was freed.",
        [
            p("Start address", K::Address),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x99,
        "Pool freed with an invalid address (or the header is corrupt).",
        [
            p("Address being freed", K::Address),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x9A,
        "An allocation asked for must-succeed pool, which is no longer supported.",
        [
            p("Pool type", K::Other),
            p("Bytes requested", K::Count),
            p("Pool tag", K::Other),
        ],
    ),
    sc(
        0x9B,
        "Pool allocated with a tag of 0.",
        [
            p("Pool type", K::Other),
            p("Bytes requested", K::Count),
            p("Caller address", K::CodeAddress),
        ],
    ),
    sc(
        0x9C,
        "Pool allocated with the tag \"BIG\".",
        [
            p("Pool type", K::Other),
            p("Bytes requested", K::Count),
            p("Caller address", K::CodeAddress),
        ],
    ),
    sc(
        0x9D,
        "Pool allocated with a tag holding no letters or digits.",
        [
            p("Bad tag", K::Other),
            p("Pool type", K::Other),
            p("Caller address", K::CodeAddress),
        ],
    ),
    sc(
        0x41286,
        "A paged pool address in the middle of an allocation was freed.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Page offset from the start of paged pool", K::Other),
        ],
    ),
];

const SC4: &[Subcode] = &[
    sc(
        0x0,
        "Zero-byte pool allocation requested.",
        [
            p("Current IRQL", K::Irql),
            p("Pool type", K::Other),
            p("Bytes", K::Count),
        ],
    ),
    sc(
        0x1,
        "Paged pool allocated above APC_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Pool type", K::Other),
            p("Size of the allocation", K::Count),
        ],
    ),
    sc(
        0x2,
        "Nonpaged pool allocated above DISPATCH_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Pool type", K::Other),
            p("Size of the allocation", K::Count),
        ],
    ),
    sc(
        0x3,
        "More than one page of must-succeed pool requested.",
        [
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
            p("Not described for this case", K::Other),
        ],
    ),
    sc(
        0x10,
        "Freed an address that no allocation returned.",
        [
            p("Bad address", K::Address),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x11,
        "Paged pool freed above APC_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Pool type", K::Other),
            p("Pool block", K::Pointer),
        ],
    ),
    sc(
        0x12,
        "Nonpaged pool freed above DISPATCH_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Pool type", K::Other),
            p("Pool block", K::Pointer),
        ],
    ),
    sc(
        0x13,
        "Pool freed twice.",
        [
            p("Reserved", K::Reserved),
            p("Pool header", K::Pointer),
            p("Header contents", K::Other),
        ],
    ),
    sc(
        0x14,
        "Pool freed twice.",
        [
            p("Reserved", K::Reserved),
            p("Pool header", K::Pointer),
            p("Header contents", K::Other),
        ],
    ),
    sc(
        0x15,
        "Freed pool still holds an active timer.",
        [
            p("Timer", K::Pointer),
            p("Pool type", K::Other),
            p("Pool block being freed", K::Pointer),
        ],
    ),
    sc(
        0x16,
        "Pool freed at a bad address, or bad arguments to a memory routine.",
        [
            p("Reserved", K::Reserved),
            p("Pool address", K::Pointer),
            p("0", K::Other),
        ],
    ),
    sc(
        0x17,
        "Freed pool still holds an active ERESOURCE.",
        [
            p("Resource", K::Pointer),
            p("Pool type", K::Other),
            p("Pool block being freed", K::Pointer),
        ],
    ),
    sc(
        0x30,
        "KeRaiseIrql given an invalid IRQL.",
        [
            p("Current IRQL", K::Irql),
            p("Requested IRQL", K::Irql),
            p("0", K::Other),
        ],
    ),
    sc(
        0x31,
        "KeLowerIrql given an invalid IRQL.",
        [
            p("Current IRQL", K::Irql),
            p("Requested IRQL", K::Irql),
            p("0: new IRQL bad, 1: invalid inside a DPC", K::Other),
        ],
    ),
    sc(
        0x32,
        "KeReleaseSpinLock called at an IRQL other than DISPATCH_LEVEL (perhaps a double release).",
        [
            p("Current IRQL", K::Irql),
            p("Spin lock", K::Pointer),
            p("0", K::Other),
        ],
    ),
    sc(
        0x33,
        "Fast mutex acquired above APC_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Fast mutex", K::Pointer),
            p("0", K::Other),
        ],
    ),
    sc(
        0x34,
        "Fast mutex released at an IRQL other than APC_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Thread APC disable count", K::Count),
            p("Fast mutex", K::Pointer),
        ],
    ),
    sc(
        0x35,
        "Spin lock released with IRQL not DISPATCH_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Spin lock", K::Pointer),
            p("Old IRQL", K::Irql),
        ],
    ),
    sc(
        0x36,
        "Queued spin lock released with IRQL not DISPATCH_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Spin lock number", K::Other),
            p("Old IRQL", K::Irql),
        ],
    ),
    sc(
        0x37,
        "Resource acquired without APCs disabled.",
        [
            p("Current IRQL", K::Irql),
            p("Thread APC disable count", K::Count),
            p("Resource", K::Pointer),
        ],
    ),
    sc(
        0x38,
        "Resource released without APCs disabled.",
        [
            p("Current IRQL", K::Irql),
            p("Thread APC disable count", K::Count),
            p("Resource", K::Pointer),
        ],
    ),
    sc(
        0x39,
        "Unsafe mutex acquired with IRQL not APC_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Thread APC disable count", K::Count),
            p("Mutex", K::Pointer),
        ],
    ),
    sc(
        0x3A,
        "Unsafe mutex released with IRQL not APC_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Thread APC disable count", K::Count),
            p("Mutex", K::Pointer),
        ],
    ),
    sc(
        0x3B,
        "KeWaitXxx called at DISPATCH_LEVEL or above.",
        [
            p("Current IRQL", K::Irql),
            p("Object waited on", K::Pointer),
            p("Timeout argument", K::Other),
        ],
    ),
    sc(
        0x3C,
        "ObReferenceObjectByHandle given a bad handle.",
        [
            p("Handle", K::Other),
            p("Object type", K::Pointer),
            p("0", K::Other),
        ],
    ),
    sc(
        0x3D,
        "Unaligned resource passed to ExAcquireResourceExclusive.",
        [
            p("0", K::Other),
            p("0", K::Other),
            p("Bad resource", K::Pointer),
        ],
    ),
    sc(
        0x3E,
        "KeLeaveCriticalRegion called outside a critical region.",
        [p("0", K::Other), p("0", K::Other), p("0", K::Other)],
    ),
    sc(
        0x3F,
        "An object with a zero reference count was referenced or dereferenced.",
        [
            p("Object", K::Pointer),
            p("New count (-1: dereference, 1: reference)", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x40,
        "KeAcquireSpinLockAtDpcLevel called below DISPATCH_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Spin lock", K::Pointer),
            p("0", K::Other),
        ],
    ),
    sc(
        0x51,
        "Memory freed after writing past the end of the allocation (pool tracking).",
        [
            p("Base of the allocation", K::Pointer),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    sc(
        0x52,
        "Memory freed after writing past the end of the allocation (pool tracking).",
        [
            p("Base of the allocation", K::Pointer),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    sc(
        0x53,
        "Memory freed after writing past the end of the allocation (pool tracking).",
        [
            p("Base of the allocation", K::Pointer),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    sc(
        0x54,
        "Memory freed after writing past the end of the allocation (pool tracking).",
        [
            p("Base of the allocation", K::Pointer),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    sc(
        0x59,
        "Memory freed after writing past the end of the allocation (pool tracking).",
        [
            p("Base of the allocation", K::Pointer),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    sc(
        0x60,
        "Driver unloading without freeing its pool (pool tracking).",
        [
            p("Paged pool bytes still allocated", K::Count),
            p("Nonpaged pool bytes still allocated", K::Count),
            p("Allocations not freed", K::Count),
        ],
    ),
    sc(
        0x61,
        "Pool allocated while the driver is unloading (pool tracking).",
        [
            p("Paged pool bytes still allocated", K::Count),
            p("Nonpaged pool bytes still allocated", K::Count),
            p("Allocations not freed", K::Count),
        ],
    ),
    sc(
        0x62,
        "Driver unloading without freeing its pool (pool tracking); !verifier 3 lists the allocations.",
        [
            p("Name of the driver", K::Pointer),
            p("Reserved", K::Reserved),
            p("Allocations not freed (paged and nonpaged)", K::Count),
        ],
    ),
    sc(
        0x6F,
        "MmProbeAndLockPages called on pages outside the PFN database.",
        [
            p("MDL", K::Pointer),
            p("Page being locked", K::Other),
            p("Highest physical page", K::Other),
        ],
    ),
    sc(
        0x70,
        "MmProbeAndLockPages called above DISPATCH_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("MDL", K::Pointer),
            p("Access mode", K::Other),
        ],
    ),
    sc(
        0x7C,
        "MmUnlockPages given an MDL whose pages were never locked.",
        [
            p("MDL", K::Pointer),
            p("MDL flags", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x81,
        "MmMapLockedPages called (MmMapLockedPagesSpecifyCache should be used).",
        [
            p("MDL", K::Pointer),
            p("MDL flags", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x91,
        "Stacks switched by an unsupported method.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xC0,
        "IoCallDriver called with interrupts disabled.",
        [
            p("IRP", K::Pointer),
            p("0", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xC1,
        "Dispatch routine returned with interrupts disabled.",
        [
            p("Dispatch routine", K::CodeAddress),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xC5,
        "Dispatch routine changed the thread's APC disable count.",
        [
            p("Dispatch routine", K::CodeAddress),
            p("Current APC disable count", K::Count),
            p("APC disable count before the call", K::Count),
        ],
    ),
    sc(
        0xCA,
        "Lookaside list initialized twice.",
        [
            p("Lookaside list", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xCB,
        "Uninitialized lookaside list deleted.",
        [
            p("Lookaside list", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xCC,
        "Freed pool still holds an active lookaside list.",
        [
            p("Lookaside list", K::Pointer),
            p("Pool block", K::Pointer),
            p("Size of the pool block", K::Count),
        ],
    ),
    sc(
        0xD0,
        "ERESOURCE initialized twice.",
        [
            p("ERESOURCE", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xD1,
        "Uninitialized ERESOURCE deleted.",
        [
            p("ERESOURCE", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xD2,
        "Freed pool still holds an active ERESOURCE.",
        [
            p("ERESOURCE", K::Pointer),
            p("Pool block", K::Pointer),
            p("Size of the pool block", K::Count),
        ],
    ),
    sc(
        0xD5,
        "IoReleaseRemoveLock tag does not match the IoAcquireRemoveLock tag.",
        [
            p("IO_REMOVE_LOCK", K::Pointer),
            p("Current tag", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xDA,
        "Driver unloading without deregistering its WMI callback.",
        [
            p("Driver start address", K::Pointer),
            p("WMI callback", K::CodeAddress),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xDB,
        "Device object deleted without deregistering from WMI.",
        [
            p("Device object", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xDD,
        "Driver unloading without calling EtwUnregister.",
        [
            p("Call to EtwRegister", K::CodeAddress),
            p("Driver start address", K::Pointer),
            p("Registration handle", K::Other),
        ],
    ),
    sc(
        0xE0,
        "A kernel routine was given a user-mode address.",
        [
            p("User-mode address", K::Address),
            p("Size of the range", K::Count),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xE3,
        "ZwXxx routine called from a driver with a user-mode address.",
        [
            p("Call site", K::CodeAddress),
            p("User-mode address", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xE4,
        "ZwXxx routine called with a malformed UNICODE_STRING.",
        [
            p("Call site", K::CodeAddress),
            p("Malformed UNICODE_STRING", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xE6,
        "Zw routine not called at PASSIVE_LEVEL with special kernel APCs enabled.",
        [
            p("Call site in the driver", K::CodeAddress),
            p("Current IRQL", K::Irql),
            p("Special kernel APC state", K::Other),
        ],
    ),
    sc(
        0xF0,
        "memcpy called with overlapping buffers.",
        [
            p("Destination", K::Address),
            p("Source", K::Address),
            p("Bytes to copy", K::Count),
        ],
    ),
    sc(
        0xF5,
        "NULL handle passed to ObReferenceObjectByHandle.",
        [
            p("NULL handle location", K::Pointer),
            p("Object type", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xF6,
        "A user-mode handle was referenced as a kernel handle.",
        [
            p("Handle", K::Other),
            p("Current process", K::Pointer),
            p("Driver code making the reference", K::CodeAddress),
        ],
    ),
    sc(
        0xF7,
        "A kernel handle was referenced in user mode from the system process.",
        [
            p("Handle", K::Other),
            p("Object type", K::Pointer),
            p("Access mode", K::Other),
        ],
    ),
    sc(
        0xFA,
        "IRP completion routine returned at a different IRQL than it was called at.",
        [
            p("Completion routine", K::CodeAddress),
            p("IRQL before the call", K::Irql),
            p("IRQL after the call", K::Irql),
        ],
    ),
    sc(
        0x111,
        "Interrupt service routine returned at a changed IRQL.",
        [
            p("Interrupt service routine", K::CodeAddress),
            p("IRQL before the ISR", K::Irql),
            p("IRQL after the ISR", K::Irql),
        ],
    ),
    sc(
        0x115,
        "Shutdown took longer than 20 minutes.",
        [
            p("Thread responsible for shutdown", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x11A,
        "KeEnterCriticalRegion called above APC_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x11B,
        "KeLeaveCriticalRegion called above APC_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x120,
        "Wait at an IRQL above DISPATCH_LEVEL.",
        [
            p("IRQL value", K::Pointer),
            p("Object waited on", K::Pointer),
            p("Timeout value", K::Pointer),
        ],
    ),
    sc(
        0x121,
        "Wait at DISPATCH_LEVEL with no timeout.",
        [
            p("IRQL value", K::Pointer),
            p("Object waited on", K::Pointer),
            p("Timeout value", K::Pointer),
        ],
    ),
    sc(
        0x122,
        "Wait at DISPATCH_LEVEL with a nonzero timeout.",
        [
            p("IRQL value", K::Pointer),
            p("Object waited on", K::Pointer),
            p("Timeout value", K::Pointer),
        ],
    ),
    sc(
        0x130,
        "Work item in session address space.",
        [
            p("Work item", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x131,
        "Work item in pageable memory.",
        [
            p("Work item", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x135,
        "A cancelled IRP was not completed in time.",
        [
            p("IRP", K::Pointer),
            p("Milliseconds allowed", K::Count),
            p("0", K::Other),
        ],
    ),
    sc(
        0x13A,
        "ExFreePool found an internal pool value corrupt.",
        [
            p("Pool block being freed", K::Pointer),
            p("Wrong value", K::Other),
            p("Address of the wrong value", K::Address),
        ],
    ),
    sc(
        0x13B,
        "ExFreePool found an internal pool value corrupt.",
        [
            p("Pool block being freed", K::Pointer),
            p("Address of the wrong value", K::Address),
            p("Depends on Arg1", K::Other),
        ],
    ),
    sc(
        0x13C,
        "ExFreePool found an internal pool value corrupt.",
        [
            p("Pool block being freed", K::Pointer),
            p("Wrong value", K::Other),
            p("Address of the wrong value", K::Address),
        ],
    ),
    sc(
        0x13D,
        "ExFreePool found an internal pool value corrupt.",
        [
            p("Pool block being freed", K::Pointer),
            p("Address of the wrong value", K::Address),
            p("Depends on Arg1", K::Other),
        ],
    ),
    sc(
        0x13E,
        "The address freed differs from the address Verifier tracked.",
        [
            p("Address given by the caller", K::Pointer),
            p("Address tracked", K::Pointer),
            p("Pointer to the tracked address", K::Pointer),
        ],
    ),
    sc(
        0x13F,
        "The size freed differs from the size Verifier tracked.",
        [
            p("Pool block being freed", K::Pointer),
            p("Bytes being freed", K::Count),
            p("Pointer to the tracked size", K::Pointer),
        ],
    ),
    sc(
        0x140,
        "A non-locked MDL was built from pageable or tradable memory.",
        [
            p("Current IRQL", K::Irql),
            p("MDL", K::Pointer),
            p("Virtual address of the MDL", K::Address),
        ],
    ),
    sc(
        0x1000,
        "Self-deadlock: an exclusively owned resource acquired again recursively.",
        [
            p("Resource", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1001,
        "Deadlock: a lock hierarchy violation.",
        [
            p("Resource that closed the cycle", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1002,
        "A resource acquired before being initialized.",
        [
            p("Resource", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1003,
        "Resources released out of order.",
        [
            p("Resource being released", K::Pointer),
            p("Resource that should be released first", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1004,
        "A resource released by a thread other than its owner.",
        [
            p("Resource", K::Pointer),
            p("Thread that acquired it", K::Pointer),
            p("Current thread", K::Pointer),
        ],
    ),
    sc(
        0x1005,
        "A resource initialized more than once.",
        [
            p("Resource", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1007,
        "A resource released before being acquired.",
        [
            p("Resource", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1008,
        "A lock acquired with a routine meant for another lock type.",
        [
            p("Lock", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x1009,
        "A lock released with a routine meant for another lock type.",
        [
            p("Lock", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x100A,
        "A terminated thread still owns a lock.",
        [
            p("Owner thread", K::Pointer),
            p("Reserved", K::Reserved),
            p("Lock", K::Pointer),
        ],
    ),
    sc(
        0x100B,
        "A deleted lock is still owned.",
        [
            p("Lock", K::Pointer),
            p("Owner thread", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x2000,
        "Code integrity: executable pool type requested (NonPagedPoolNx expected).",
        [
            p("Caller address", K::CodeAddress),
            p("Pool type", K::Other),
            p("Pool tag, if given", K::Other),
        ],
    ),
    sc(
        0x2001,
        "Code integrity: executable page protection requested.",
        [
            p("Caller address", K::CodeAddress),
            p("Page protection", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x2002,
        "Code integrity: executable MDL mapping requested.",
        [
            p("Caller address", K::CodeAddress),
            p("Page priority", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x2003,
        "Code integrity: the image has a section both executable and writable.",
        [
            p("Image file name", K::Pointer),
            p("Section header", K::Pointer),
            p("Section name", K::Pointer),
        ],
    ),
    sc(
        0x2004,
        "Code integrity: the image has a section not aligned to a page.",
        [
            p("Image file name", K::Pointer),
            p("Section header", K::Pointer),
            p("Section name", K::Pointer),
        ],
    ),
    sc(
        0x2005,
        "Code integrity: the image's import address table is in an executable section.",
        [
            p("Image file name", K::Pointer),
            p("IAT directory", K::Pointer),
            p("Section name", K::Pointer),
        ],
    ),
];

const SC9: &[Subcode] = &[
    sc(
        0x1,
        "A driver freed an object that is not an IRP.",
        [
            p("IRP being freed", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x2,
        "A driver freed an IRP still associated with a thread.",
        [
            p("IRP being freed", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x3,
        "IoCallDriver was given an object that is not an IRP.",
        [
            p("IRP being sent", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x4,
        "IoCallDriver was given an invalid device object.",
        [
            p("Device object", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x5,
        "The IRQL changed across a driver dispatch routine.",
        [
            p("Device object of the driver", K::Pointer),
            p("IRQL before IoCallDriver", K::Irql),
            p("IRQL after IoCallDriver", K::Irql),
        ],
    ),
    sc(
        0x6,
        "IoCompleteRequest was called with a pending (or -1) status.",
        [
            p("IRP status", K::NtStatus),
            p("IRP being completed", K::Pointer),
            p("0", K::Other),
        ],
    ),
    sc(
        0x7,
        "IoCompleteRequest was called while the cancel routine was still set.",
        [
            p("Cancel routine", K::CodeAddress),
            p("IRP being completed", K::Pointer),
            p("0", K::Other),
        ],
    ),
    sc(
        0x8,
        "IoBuildAsynchronousFsdRequest was given an invalid buffer.",
        [
            p("Device object", K::Pointer),
            p("IRP major function", K::Other),
            p("Exception status", K::NtStatus),
        ],
    ),
    sc(
        0x9,
        "IoBuildDeviceIoControlRequest was given an invalid buffer.",
        [
            p("Device object", K::Pointer),
            p("I/O control code", K::Other),
            p("Exception status", K::NtStatus),
        ],
    ),
    sc(
        0xA,
        "IoInitializeTimer was given a device object whose timer is already set up.",
        [
            p("Device object", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0xC,
        "An I/O status block on an already unwound stack was given to an IRP.",
        [
            p("I/O status block", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0xD,
        "A user event on an already unwound stack was given to an IRP.",
        [
            p("User event", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0xE,
        "IoCompleteRequest was called above DISPATCH_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("IRP", K::Pointer),
            p("0", K::Other),
        ],
    ),
    sc(
        0xF,
        "A create was sent with a file object that is closed or whose open was cancelled.",
        [
            p("Target device object", K::Pointer),
            p("IRP", K::Pointer),
            p("File object", K::Pointer),
        ],
    ),
    sc(
        0x10,
        "IoCallDriver was called above DISPATCH_LEVEL.",
        [
            p("Current IRQL", K::Irql),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x11,
        "A fast I/O dispatch routine returned at a different IRQL.",
        [
            p("Fast I/O dispatch routine", K::CodeAddress),
            p("IRQL before the call", K::Irql),
            p("Current IRQL", K::Irql),
        ],
    ),
    sc(
        0x12,
        "A dispatch routine returned at a different IRQL.",
        [
            p("Dispatch routine", K::CodeAddress),
            p("IRQL before the call", K::Irql),
            p("Current IRQL", K::Irql),
        ],
    ),
    sc(
        0x201,
        "A device deleted itself while still attached above another device.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x202,
        "A driver detached a device object that is not attached.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x203,
        "IoCallDriver was called without clearing the IRP's cancel routine.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x205,
        "A driver forwarded an IRP that is queued below it.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x208,
        "An IRP is about to run out of stack locations.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x209,
        "A driver completed an IRP that is queued below it.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x20B,
        "IoFreeIrp was called on an IRP still in use.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x20C,
        "IoFreeIrp was called on an IRP still queued to a thread.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x21D,
        "A dispatch routine did not detach from the stack on a remove IRP.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x21E,
        "A dispatch routine did not delete its device object on a remove IRP.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x224,
        "A dispatch routine returned a status different from the IRP's IoStatus.Status.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x226,
        "A dispatch routine returned without passing down or completing the IRP, or without returning STATUS_PENDING.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x227,
        "An IRP completion routine is in pageable code.",
        [
            p("Where in the driver it was detected", K::CodeAddress),
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x229,
        "A cancel routine was set on an IRP owned by lower drivers.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
];

const SCA: &[Subcode] = &[
    sc(
        0x1,
        "Duplicate PDO: a bus driver reported two devices with the same IDs.",
        [
            p("Newly reported PDO", K::Pointer),
            p("Older PDO it duplicates", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x2,
        "Invalid PDO: a routine that needs a PDO got something else.",
        [
            p("Supposed PDO", K::Pointer),
            p("Driver object", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x3,
        "Invalid ID: an enumerator returned an ID with illegal characters or no terminator.",
        [
            p("PDO whose IDs were queried", K::Pointer),
            p("ID buffer", K::Pointer),
            p(
                "1 device ID, 2 unique ID, 3 hardware IDs, 4 compatible IDs",
                K::Other,
            ),
        ],
    ),
    sc(
        0x4,
        "A deleted PDO was enumerated again.",
        [
            p("PDO with delete pending", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x5,
        "A PDO was freed while its devnode was still in the tree (a missing reference).",
        [
            p("PDO", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x8,
        "A bus relations query returned a NULL PDO.",
        [
            p("PDO whose stack returned the relations", K::Pointer),
            p("PDOs returned", K::Count),
            p("Index of the first NULL", K::Count),
        ],
    ),
    sc(
        0x9,
        "Invalid connection type passed to IoDisconnectInterruptEx.",
        [
            p("Connection type", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0xA,
        "A driver did not preserve IRQL or the APC disable count across a PnP notification.",
        [
            p("Driver object", K::Pointer),
            p("IRQL after the callback", K::Irql),
            p("APC disable count after the callback", K::Count),
        ],
    ),
    sc(
        0xB,
        "A removal relation was already deleted.",
        [
            p("Related PDO", K::Pointer),
            p("Removal relations", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
];

const SF5: &[Subcode] = &[
    sc(
        0x66,
        "A pre-operation callback asked for a post-operation callback it did not register.",
        [
            p("Callback data of the operation", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x67,
        "An internal object ran out of space and more could not be allocated.",
        [
            p("Callback data of the operation", K::Pointer),
            p("0", K::Other),
            p("Error status of the operation", K::NtStatus),
        ],
    ),
    sc(
        0x68,
        "A file name information structure was released too many times.",
        [
            p("Reserved", K::Reserved),
            p("FLT_FILE_NAME_INFORMATION", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x6A,
        "A create could not be cancelled because handles were already open.",
        [
            p("File object", K::Pointer),
            p("0", K::Other),
            p("0", K::Other),
        ],
    ),
    sc(
        0x6B,
        "Invalid backpocket IRP control state.",
        [
            p("Frame ID", K::Other),
            p("0", K::Other),
            p("Thread", K::Pointer),
        ],
    ),
    sc(
        0x6C,
        "Too many nested page faults for a backpocketed IRP control.",
        [
            p("Frame ID", K::Other),
            p("Backpocket list", K::Pointer),
            p("Thread", K::Pointer),
        ],
    ),
    sc(
        0x6D,
        "A minifilter context was released too many times.",
        [
            p("Minifilter context", K::Pointer),
            p("CONTEXT_NODE", K::Pointer),
            p("0", K::Other),
        ],
    ),
    sc(
        0x6E,
        "A minifilter context was used after being freed.",
        [
            p("Minifilter context", K::Pointer),
            p("CONTEXT_NODE", K::Pointer),
            p("0", K::Other),
        ],
    ),
];

const SFE: &[Subcode] = &[
    sc(
        0x1,
        "An internal error in the USB stack.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x2,
        "A URB was submitted while still attached to another pending IRP.",
        [
            p("Pending IRP", K::Pointer),
            p("IRP passed in", K::Pointer),
            p("URB", K::Pointer),
        ],
    ),
    sc(
        0x3,
        "The USB miniport driver raised the stop, usually after a hardware failure.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x4,
        "An IRP already pending in the USB bus driver was submitted again.",
        [
            p("IRP", K::Pointer),
            p("URB", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x5,
        "A bad physical address in a hardware data structure (hardware failure).",
        [
            p("Host controller device extension", K::Pointer),
            p("PCI vendor and product ID", K::Other),
            p("Endpoint data", K::Pointer),
        ],
    ),
    sc(
        0x6,
        "An internal USB data structure is corrupt.",
        [
            p("Object", K::Pointer),
            p("Expected signature", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    sc(
        0x7,
        "usbport.sys reported an error; the message says which.",
        [
            p("Usbport debug log", K::Pointer),
            p("Message string", K::Pointer),
            p("File name", K::Pointer),
        ],
    ),
    sc(
        0x8,
        "The USB hub driver hit an error; Arg2 gives the kind (6 = fatal timeout).",
        [
            p("Kind of hub error", K::Other),
            p("Depends on Arg2", K::Other),
            p("Depends on Arg2", K::Other),
        ],
    ),
];

/// Every bug check code we know, sorted by code (checked by a test).
static TABLE: &[BugCheckInfo] = &[
    known(
        0x00000001,
        "APC_INDEX_MISMATCH",
        "A thread went back to user mode (or a worker routine returned) with its APC state index or APC-disable counts unbalanced, usually a driver that disabled APCs without re-enabling them.",
        [
            p(
                "System call or worker routine that was running",
                K::CodeAddress,
            ),
            p("Thread ApcStateIndex", K::Other),
            p(
                "Thread CombinedApcDisable: special APC disable count in the high 16 bits, kernel APC disable count in the low 16",
                K::Other,
            ),
            p("0: system call, 1: worker routine", K::Other),
        ],
    ),
    generic(
        0x00000002,
        "DEVICE_QUEUE_NOT_BUSY",
        "A device queue was expected to be busy but was found idle. Rarely seen.",
    ),
    generic(
        0x00000003,
        "INVALID_AFFINITY_SET",
        "An invalid processor affinity set was supplied. Rarely seen.",
    ),
    generic(
        0x00000004,
        "INVALID_DATA_ACCESS_TRAP",
        "A data access trap that should not happen was taken. Rarely seen.",
    ),
    known(
        0x00000005,
        "INVALID_PROCESS_ATTACH_ATTEMPT",
        "A thread was attached to a process where attaching is not allowed, for example attaching twice or returning to a caller while still attached.",
        [
            p(
                "Target process, or the original process if already attached",
                K::Pointer,
            ),
            p("Process the thread is currently attached to", K::Pointer),
            p("Thread ApcStateIndex", K::Other),
            p("Nonzero if the thread is running a DPC", K::Other),
        ],
    ),
    generic(
        0x00000006,
        "INVALID_PROCESS_DETACH_ATTEMPT",
        "A thread detached from a process in a state where that is not valid, for example unbalanced stack attach/detach inside an image-load callback.",
    ),
    generic(
        0x00000007,
        "INVALID_SOFTWARE_INTERRUPT",
        "An invalid software interrupt was requested. Rarely seen.",
    ),
    generic(
        0x00000008,
        "IRQL_NOT_DISPATCH_LEVEL",
        "Code expected to run at DISPATCH_LEVEL was running at another IRQL. Rarely seen.",
    ),
    generic(
        0x00000009,
        "IRQL_NOT_GREATER_OR_EQUAL",
        "The IRQL was lower than a routine required. Rarely seen.",
    ),
    known(
        0x0000000A,
        "IRQL_NOT_LESS_OR_EQUAL",
        "Kernel code touched pageable or invalid memory while running at DISPATCH_LEVEL or above; typically a bad pointer or pageable data used at raised IRQL.",
        [
            p("Memory address that was referenced", K::Address),
            p("IRQL at the time of the fault", K::Irql),
            p(
                "Access: bit 0 set = write, bit 3 set = execute, otherwise read",
                K::AccessType,
            ),
            p(
                "Instruction address that made the reference",
                K::CodeAddress,
            ),
        ],
    ),
    generic(
        0x0000000B,
        "NO_EXCEPTION_HANDLING_SUPPORT",
        "Exception handling support was missing. Rarely seen.",
    ),
    known(
        0x0000000C,
        "MAXIMUM_WAIT_OBJECTS_EXCEEDED",
        "A thread waited on more objects than a single wait allows.",
        NONE,
    ),
    generic(
        0x0000000D,
        "MUTEX_LEVEL_NUMBER_VIOLATION",
        "Mutexes were acquired out of their required level order. Rarely seen.",
    ),
    generic(
        0x0000000E,
        "NO_USER_MODE_CONTEXT",
        "A system thread's start routine returned, which is not allowed.",
    ),
    known(
        0x0000000F,
        "SPIN_LOCK_ALREADY_OWNED",
        "A spin lock was acquired by a processor that already held it.",
        NONE,
    ),
    generic(
        0x00000010,
        "SPIN_LOCK_NOT_OWNED",
        "A spin lock was released by a processor that did not hold it. Rarely seen.",
    ),
    generic(
        0x00000011,
        "THREAD_NOT_MUTEX_OWNER",
        "A mutex was released by a thread that did not own it. Rarely seen.",
    ),
    known(
        0x00000012,
        "TRAP_CAUSE_UNKNOWN",
        "The processor raised a trap the kernel could not classify.",
        [
            p(
                "Kind: 1 unexpected interrupt, 2 unknown floating-point exception, 3 enabled and asserted status bits",
                K::Subcode,
            ),
            p("Depends on Arg1 (interrupt vector for 1)", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x00000013,
        "EMPTY_THREAD_REAPER_LIST",
        "The thread reaper list was found empty when it should not be. Not used by current Windows.",
    ),
    generic(
        0x00000014,
        "CREATE_DELETE_LOCK_NOT_LOCKED",
        "A create/delete lock was expected to be held but was not. Rarely seen.",
    ),
    generic(
        0x00000015,
        "LAST_CHANCE_CALLED_FROM_KMODE",
        "The last-chance exception handler was invoked from kernel mode. Rarely seen.",
    ),
    generic(
        0x00000016,
        "CID_HANDLE_CREATION",
        "Creating a client-ID (process or thread ID) handle failed. Rarely seen.",
    ),
    generic(
        0x00000017,
        "CID_HANDLE_DELETION",
        "Deleting a client-ID (process or thread ID) handle failed. Rarely seen.",
    ),
    known(
        0x00000018,
        "REFERENCE_BY_POINTER",
        "An object's reference count was invalid for the object's state, typically a driver dereferencing an object too many times.",
        [
            p("Object type of the object", K::Pointer),
            p("Object whose reference count was being dropped", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    with_subcodes(
        0x00000019,
        "BAD_POOL_HEADER",
        "The pool manager found a corrupt pool header. Arg1 says which check failed; the usual cause is a driver writing past its block or freeing a block twice.",
        [
            p("Kind of pool header corruption (see subcodes)", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
        S19,
    ),
    with_subcodes(
        0x0000001A,
        "MEMORY_MANAGEMENT",
        "The memory manager found a severe inconsistency in its own structures (PTEs, PFNs, working sets). Arg1 identifies the check; corrupted memory or hardware errors are common causes.",
        [
            p(
                "Kind of memory-management violation (see subcodes)",
                K::Subcode,
            ),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
        S1A,
    ),
    generic(
        0x0000001B,
        "PFN_SHARE_COUNT",
        "A page frame share count was wrong. No longer used.",
    ),
    known(
        0x0000001C,
        "PFN_REFERENCE_COUNT",
        "A reference count (not necessarily a page frame one) overflowed, underflowed, or an object was used after being freed.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x0000001D,
        "NO_SPIN_LOCK_AVAILABLE",
        "No spin lock was available. Rarely seen.",
    ),
    known(
        0x0000001E,
        "KMODE_EXCEPTION_NOT_HANDLED",
        "Kernel-mode code raised an exception that no handler caught.",
        [
            p("Exception code that was not handled", K::NtStatus),
            p("Address where the exception was raised", K::CodeAddress),
            p(
                "First exception parameter (for an access violation: 0 read, 1 write, 8 execute)",
                K::Other,
            ),
            p(
                "Second exception parameter (for an access violation: the address accessed)",
                K::Address,
            ),
        ],
    ),
    generic(
        0x0000001F,
        "SHARED_RESOURCE_CONV_ERROR",
        "A shared resource could not be converted between shared and exclusive ownership. Rarely seen.",
    ),
    known(
        0x00000020,
        "KERNEL_APC_PENDING_DURING_EXIT",
        "A thread exited while it still had a kernel APC queued or APCs disabled.",
        [
            p("APC that was still pending", K::Pointer),
            p("Thread APC disable count", K::Count),
            p("Current IRQL", K::Irql),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000021,
        "QUOTA_UNDERFLOW",
        "More process quota was returned than had been charged.",
        [
            p("Process originally charged, if known", K::Pointer),
            p("Quota type", K::Other),
            p("Amount being returned", K::Count),
            p("Amount that could not be returned", K::Count),
        ],
    ),
    generic(
        0x00000022,
        "FILE_SYSTEM",
        "A generic file system failure. Rarely seen.",
    ),
    known(
        0x00000023,
        "FAT_FILE_SYSTEM",
        "The FAT file system driver hit an unrecoverable problem.",
        [
            p(
                "Source file id (high 16 bits) and line (low 16 bits)",
                K::Other,
            ),
            p(
                "Exception record, if FatExceptionFilter was on the stack",
                K::ExceptionRecord,
            ),
            p(
                "Context record, if FatExceptionFilter was on the stack",
                K::ContextRecord,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000024,
        "NTFS_FILE_SYSTEM",
        "The NTFS file system driver (ntfs.sys) hit an unrecoverable problem.",
        [
            p(
                "Source file id (high 16 bits) and line (low 16 bits)",
                K::Other,
            ),
            p(
                "Exception record, if NtfsExceptionFilter was on the stack",
                K::ExceptionRecord,
            ),
            p(
                "Context record, if NtfsExceptionFilter was on the stack",
                K::ContextRecord,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000025,
        "NPFS_FILE_SYSTEM",
        "The named-pipe file system (NPFS) hit an unrecoverable problem.",
        [
            p(
                "Source file id (high 16 bits) and line (low 16 bits)",
                K::Other,
            ),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000026,
        "CDFS_FILE_SYSTEM",
        "The CD-ROM file system (CDFS) hit an unrecoverable problem.",
        [
            p(
                "Source file id (high 16 bits) and line (low 16 bits)",
                K::Other,
            ),
            p(
                "Exception record, if CdExceptionFilter was on the stack",
                K::ExceptionRecord,
            ),
            p(
                "Context record, if CdExceptionFilter was on the stack",
                K::ContextRecord,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000027,
        "RDR_FILE_SYSTEM",
        "The SMB redirector file system hit an unrecoverable problem.",
        [
            p("High 16 bits identify the kind of problem", K::Other),
            p(
                "Exception record, if RxExceptionFilter was on the stack",
                K::ExceptionRecord,
            ),
            p(
                "Context record, if RxExceptionFilter was on the stack",
                K::ContextRecord,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x00000028,
        "CORRUPT_ACCESS_TOKEN",
        "An access token was found corrupt. Rarely seen.",
    ),
    generic(
        0x00000029,
        "SECURITY_SYSTEM",
        "The security subsystem failed. Rarely seen.",
    ),
    known(
        0x0000002A,
        "INCONSISTENT_IRP",
        "An IRP held contradictory information.",
        [
            p("IRP found inconsistent", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000002B,
        "PANIC_STACK_SWITCH",
        "The kernel-mode stack overflowed and the kernel switched to its panic stack.",
        [
            p("Trap frame", K::TrapFrame),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x0000002C,
        "PORT_DRIVER_INTERNAL",
        "A storage port driver hit an internal error. Rarely seen.",
    ),
    generic(
        0x0000002D,
        "SCSI_DISK_DRIVER_INTERNAL",
        "The SCSI disk driver hit an internal error. Rarely seen.",
    ),
    known(
        0x0000002E,
        "DATA_BUS_ERROR",
        "A memory parity error on the data bus, usually hardware or a driver touching an address that does not exist.",
        [
            p("Virtual address that faulted", K::Address),
            p("Physical address that faulted", K::Other),
            p("Processor status register", K::Other),
            p("Faulting instruction register", K::CodeAddress),
        ],
    ),
    generic(
        0x0000002F,
        "INSTRUCTION_BUS_ERROR",
        "A bus error while fetching instructions. Rarely seen.",
    ),
    known(
        0x00000030,
        "SET_OF_INVALID_CONTEXT",
        "A trap frame was about to be restored with an invalid stack pointer.",
        [
            p("New stack pointer", K::Other),
            p("Old stack pointer", K::Other),
            p("Trap frame", K::TrapFrame),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000031,
        "PHASE0_INITIALIZATION_FAILED",
        "Windows initialization failed during phase 0.",
        NONE,
    ),
    known(
        0x00000032,
        "PHASE1_INITIALIZATION_FAILED",
        "Windows initialization failed during phase 1.",
        [
            p("Status describing why initialization failed", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x00000033,
        "UNEXPECTED_INITIALIZATION_CALL",
        "An initialization routine was called at an unexpected time. Rarely seen.",
    ),
    known(
        0x00000034,
        "CACHE_MANAGER",
        "The cache manager hit an unrecoverable problem.",
        [
            p(
                "Source file id (high 16 bits) and line (low 16 bits)",
                K::Other,
            ),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000035,
        "NO_MORE_IRP_STACK_LOCATIONS",
        "IoCallDriver was called on an IRP with no stack locations left, usually a driver passing an IRP to a stack it did not size for.",
        [
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000036,
        "DEVICE_REFERENCE_COUNT_NOT_ZERO",
        "A driver deleted a device object whose reference count was not zero.",
        [
            p("Device object", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x00000037,
        "FLOPPY_INTERNAL_ERROR",
        "The floppy driver hit an internal error. Rarely seen.",
    ),
    generic(
        0x00000038,
        "SERIAL_DRIVER_INTERNAL",
        "The serial port driver hit an internal error. Rarely seen.",
    ),
    known(
        0x00000039,
        "SYSTEM_EXIT_OWNED_MUTEX",
        "A worker routine returned while still owning a mutex.",
        [
            p("Worker routine that returned", K::CodeAddress),
            p("Parameter given to the worker routine", K::Other),
            p("Work item", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x0000003A,
        "SYSTEM_UNWIND_PREVIOUS_USER",
        "Unwinding to a previous user-mode frame failed. Rarely seen.",
    ),
    known(
        0x0000003B,
        "SYSTEM_SERVICE_EXCEPTION",
        "An exception was raised while running a system service on behalf of a caller, and nothing handled it.",
        [
            p("Exception code", K::NtStatus),
            p("Address of the instruction that raised it", K::CodeAddress),
            p("Context record of the exception", K::ContextRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x0000003C,
        "INTERRUPT_UNWIND_ATTEMPTED",
        "An unwind through an interrupt frame was attempted. Rarely seen.",
    ),
    known(
        0x0000003D,
        "INTERRUPT_EXCEPTION_NOT_HANDLED",
        "An exception raised in interrupt handling was not handled.",
        [
            p("Exception record, if available", K::ExceptionRecord),
            p("Context record, if available", K::ContextRecord),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000003E,
        "MULTIPROCESSOR_CONFIGURATION_NOT_SUPPORTED",
        "The processors are asymmetric in a way this Windows does not support.",
        NONE,
    ),
    known(
        0x0000003F,
        "NO_MORE_SYSTEM_PTES",
        "System page table entries (PTEs) ran out, often from a driver leaking mappings or heavy I/O fragmenting PTE space.",
        [
            p(
                "0: system expansion PTEs, 1: nonpaged pool expansion PTEs",
                K::Other,
            ),
            p("Size of the request", K::Count),
            p("Free system PTEs", K::Count),
            p("Total system PTEs", K::Count),
        ],
    ),
    known(
        0x00000040,
        "TARGET_MDL_TOO_SMALL",
        "A driver passed a target MDL that is too small to IoBuildPartialMdl.",
        NONE,
    ),
    known(
        0x00000041,
        "MUST_SUCCEED_POOL_EMPTY",
        "A thread asked for more must-succeed pool than exists.",
        [
            p("Size of the failed request", K::Count),
            p("Nonpaged pool pages in use", K::Count),
            p("Nonpaged requests larger than a page", K::Count),
            p("Pages available", K::Count),
        ],
    ),
    generic(
        0x00000042,
        "ATDISK_DRIVER_INTERNAL",
        "The ATDISK driver hit an internal error. Rarely seen.",
    ),
    generic(
        0x00000043,
        "NO_SUCH_PARTITION",
        "A partition that does not exist was referenced. Rarely seen.",
    ),
    known(
        0x00000044,
        "MULTIPLE_IRP_COMPLETE_REQUESTS",
        "A driver completed an IRP that had already been completed.",
        [
            p("IRP", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x00000045,
        "INSUFFICIENT_SYSTEM_MAP_REGS",
        "There were not enough map registers for a DMA request. Rarely seen.",
    ),
    generic(
        0x00000046,
        "DEREF_UNKNOWN_LOGON_SESSION",
        "A logon session that was not known was dereferenced. Rarely seen.",
    ),
    generic(
        0x00000047,
        "REF_UNKNOWN_LOGON_SESSION",
        "A logon session that was not known was referenced. Rarely seen.",
    ),
    known(
        0x00000048,
        "CANCEL_STATE_IN_COMPLETED_IRP",
        "An IRP was cancelled after it had already been completed.",
        [
            p("IRP", K::Pointer),
            p("Cancel routine set by the driver", K::CodeAddress),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x00000049,
        "PAGE_FAULT_WITH_INTERRUPTS_OFF",
        "A page fault occurred with interrupts disabled. Rarely seen.",
    ),
    known(
        0x0000004A,
        "IRQL_GT_ZERO_AT_SYSTEM_SERVICE",
        "A thread returned from a system call to user mode with its IRQL still above PASSIVE_LEVEL.",
        [
            p("System call routine", K::CodeAddress),
            p("Current IRQL", K::Irql),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x0000004B,
        "STREAMS_INTERNAL_ERROR",
        "The STREAMS environment hit an internal error. Rarely seen.",
    ),
    generic(
        0x0000004C,
        "FATAL_UNHANDLED_HARD_ERROR",
        "A fatal hard error could not be reported. Rarely seen.",
    ),
    known(
        0x0000004D,
        "NO_PAGES_AVAILABLE",
        "No free physical pages were left to continue.",
        [
            p("Dirty pages in total", K::Count),
            p("Dirty pages bound for the page file", K::Count),
            p("Nonpaged pool available", K::Count),
            p("Status of the last modified-page write", K::NtStatus),
        ],
    ),
    with_subcodes(
        0x0000004E,
        "PFN_LIST_CORRUPT",
        "The page frame (PFN) database lists are corrupt. Arg1 says which check failed; drivers passing bad MDLs or hardware faults are typical.",
        [
            p("Kind of PFN list corruption (see subcodes)", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
        S4E,
    ),
    generic(
        0x0000004F,
        "NDIS_INTERNAL_ERROR",
        "NDIS hit an internal error. Rarely seen.",
    ),
    known(
        0x00000050,
        "PAGE_FAULT_IN_NONPAGED_AREA",
        "Memory that is not valid was referenced, typically through a bad pointer or freed memory.",
        [
            p("Memory address that was referenced", K::Address),
            p(
                "Access: 0 read, 2 write, 0x10 execute on x86 and x64 since Windows 10, 1 write and 8 execute on ARM (1 also meant write before Windows 10)",
                K::AccessType,
            ),
            p(
                "Instruction address that made the reference, if known",
                K::CodeAddress,
            ),
            p(
                "Kind of page fault: 0 freed PTE, 2 page table not present, 3 wrong session, 4 non-canonical address, 0xF user address not allowed",
                K::Other,
            ),
        ],
    ),
    known(
        0x00000051,
        "REGISTRY_ERROR",
        "The configuration manager (registry) hit a severe error.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Hive, if available", K::Pointer),
            p(
                "Result of the hive check, if the hive is corrupt",
                K::NtStatus,
            ),
        ],
    ),
    generic(
        0x00000052,
        "MAILSLOT_FILE_SYSTEM",
        "The mailslot file system hit an unrecoverable problem. Rarely seen.",
    ),
    generic(
        0x00000053,
        "NO_BOOT_DEVICE",
        "No boot device was found. Rarely seen.",
    ),
    generic(
        0x00000054,
        "LM_SERVER_INTERNAL_ERROR",
        "The LAN Manager server hit an internal error. Rarely seen.",
    ),
    generic(
        0x00000055,
        "DATA_COHERENCY_EXCEPTION",
        "A data coherency exception occurred. Rarely seen.",
    ),
    generic(
        0x00000056,
        "INSTRUCTION_COHERENCY_EXCEPTION",
        "An instruction coherency exception occurred. Rarely seen.",
    ),
    generic(
        0x00000057,
        "XNS_INTERNAL_ERROR",
        "The XNS transport hit an internal error. Rarely seen.",
    ),
    known(
        0x00000058,
        "FTDISK_INTERNAL_ERROR",
        "The system booted from the wrong copy of a mirrored partition. The SDK header names this code VOLMGRX_INTERNAL_ERROR.",
        NONE,
    ),
    known(
        0x00000059,
        "PINBALL_FILE_SYSTEM",
        "The Pinball (HPFS) file system hit an unrecoverable problem.",
        [
            p(
                "Source file id (high 16 bits) and line (low 16 bits)",
                K::Other,
            ),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x0000005A,
        "CRITICAL_SERVICE_FAILED",
        "A service critical to booting failed to start. Rarely seen.",
    ),
    generic(
        0x0000005B,
        "SET_ENV_VAR_FAILED",
        "Setting a firmware environment variable failed. Rarely seen.",
    ),
    generic(
        0x0000005C,
        "HAL_INITIALIZATION_FAILED",
        "The hardware abstraction layer (HAL) failed to initialize early in boot.",
    ),
    known(
        0x0000005D,
        "UNSUPPORTED_PROCESSOR",
        "Windows was started on a processor it does not support.",
        NONE,
    ),
    generic(
        0x0000005E,
        "OBJECT_INITIALIZATION_FAILED",
        "Object manager initialization failed. Rarely seen.",
    ),
    generic(
        0x0000005F,
        "SECURITY_INITIALIZATION_FAILED",
        "Security initialization failed. Rarely seen.",
    ),
    generic(
        0x00000060,
        "PROCESS_INITIALIZATION_FAILED",
        "Process manager initialization failed. Rarely seen.",
    ),
    generic(
        0x00000061,
        "HAL1_INITIALIZATION_FAILED",
        "HAL initialization (phase 1) failed. Rarely seen.",
    ),
    generic(
        0x00000062,
        "OBJECT1_INITIALIZATION_FAILED",
        "Object manager initialization (phase 1) failed. Rarely seen.",
    ),
    generic(
        0x00000063,
        "SECURITY1_INITIALIZATION_FAILED",
        "Security initialization (phase 1) failed. Rarely seen.",
    ),
    generic(
        0x00000064,
        "SYMBOLIC_INITIALIZATION_FAILED",
        "Symbolic link initialization failed. Rarely seen.",
    ),
    generic(
        0x00000065,
        "MEMORY1_INITIALIZATION_FAILED",
        "Memory manager initialization (phase 1) failed. Rarely seen.",
    ),
    generic(
        0x00000066,
        "CACHE_INITIALIZATION_FAILED",
        "Cache manager initialization failed. Rarely seen.",
    ),
    known(
        0x00000067,
        "CONFIG_INITIALIZATION_FAILED",
        "The registry could not be initialized during boot.",
        [
            p("Reserved", K::Reserved),
            p("Location selector", K::Other),
            p("Status code", K::NtStatus),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x00000068,
        "FILE_INITIALIZATION_FAILED",
        "File system initialization failed. Rarely seen.",
    ),
    known(
        0x00000069,
        "IO1_INITIALIZATION_FAILED",
        "I/O system initialization failed.",
        NONE,
    ),
    generic(
        0x0000006A,
        "LPC_INITIALIZATION_FAILED",
        "LPC initialization failed. Rarely seen.",
    ),
    known(
        0x0000006B,
        "PROCESS1_INITIALIZATION_FAILED",
        "Process initialization (phase 1) failed during boot.",
        [
            p("Status that caused the failure", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x0000006C,
        "REFMON_INITIALIZATION_FAILED",
        "Security reference monitor initialization failed. Rarely seen.",
    ),
    known(
        0x0000006D,
        "SESSION1_INITIALIZATION_FAILED",
        "Session initialization failed during boot.",
        [
            p("Status that caused the failure", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000006E,
        "SESSION2_INITIALIZATION_FAILED",
        "Session initialization failed during boot. The SDK header names this code BOOTPROC_INITIALIZATION_FAILED.",
        [
            p("Status that caused the failure", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000006F,
        "SESSION3_INITIALIZATION_FAILED",
        "Session initialization failed during boot. The SDK header names this code VSL_INITIALIZATION_FAILED.",
        [
            p("Status that caused the failure", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000070,
        "SESSION4_INITIALIZATION_FAILED",
        "Session initialization failed during boot. The SDK header names this code SOFT_RESTART_FATAL_ERROR.",
        [
            p("Status that caused the failure", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000071,
        "SESSION5_INITIALIZATION_FAILED",
        "Session initialization failed during boot.",
        [
            p("Status that caused the failure", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x00000072,
        "ASSIGN_DRIVE_LETTERS_FAILED",
        "Assigning drive letters failed. Rarely seen.",
    ),
    known(
        0x00000073,
        "CONFIG_LIST_FAILED",
        "A core registry hive could not be linked into the registry tree.",
        [
            p("1", K::Other),
            p("Status of the failed hive load", K::NtStatus),
            p("Index of the hive in the hive list", K::Count),
            p("UNICODE_STRING with the hive file name", K::Pointer),
        ],
    ),
    known(
        0x00000074,
        "BAD_SYSTEM_CONFIG_INFO",
        "The registry holds an error, typically a damaged SYSTEM hive.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Status code, if available", K::NtStatus),
        ],
    ),
    known(
        0x00000075,
        "CANNOT_WRITE_CONFIGURATION",
        "The SYSTEM hive could not be turned into a mapped file.",
        [
            p("1", K::Other),
            p("Status of the failed conversion", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000076,
        "PROCESS_HAS_LOCKED_PAGES",
        "A driver did not unlock pages after an I/O, or unlocked pages that were not locked.",
        [
            p(
                "0: a terminating process still had locked pages, 1: an MDL was unlocked too often",
                K::Subcode,
            ),
            p("Process, or the MDL", K::Pointer),
            p("Locked page count", K::Count),
            p("Driver stacks if tracking is on, else 0", K::Pointer),
        ],
    ),
    known(
        0x00000077,
        "KERNEL_STACK_INPAGE_ERROR",
        "A page of a kernel stack could not be read back from the paging file, usually a disk, controller or memory fault.",
        [
            p(
                "0, 1 or 2: where the page came from, otherwise a status code",
                K::Other,
            ),
            p("Signature value found, or the I/O status", K::Other),
            p("0, or the current process", K::Other),
            p(
                "Address of the stack signature, or the virtual address that failed",
                K::Address,
            ),
        ],
    ),
    generic(
        0x00000078,
        "PHASE0_EXCEPTION",
        "An unexpected breakpoint was hit while the HAL was initializing, typically /break without a debugger.",
    ),
    known(
        0x00000079,
        "MISMATCHED_HAL",
        "The HAL does not match the kernel or the machine.",
        [
            p(
                "Kind of mismatch: 1 PRCB level, 2 build type, 3 loader block size",
                K::Subcode,
            ),
            p("Kernel value", K::Other),
            p("HAL value", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000007A,
        "KERNEL_DATA_INPAGE_ERROR",
        "A page of kernel data could not be read from the paging file into memory, usually a disk, controller or memory fault.",
        [
            p("Lock type held (1-3), or the PTE contents", K::Other),
            p("I/O status of the failed read", K::NtStatus),
            p(
                "Current process (lock type 1), 0, or the PTE address",
                K::Other,
            ),
            p("Virtual address that could not be paged in", K::Address),
        ],
    ),
    known(
        0x0000007B,
        "INACCESSIBLE_BOOT_DEVICE",
        "Windows lost access to the system partition while starting.",
        [
            p(
                "UNICODE_STRING or device object that could not be mounted",
                K::Pointer,
            ),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000007C,
        "BUGCODE_NDIS_DRIVER",
        "A networking driver broke NDIS rules. Arg1 identifies the rule.",
        [
            p("Kind of NDIS violation", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x0000007D,
        "INSTALL_MORE_MEMORY",
        "There is not enough physical memory to start Windows.",
        [
            p("Physical pages found", K::Count),
            p("Lowest physical page", K::Other),
            p("Highest physical page", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000007E,
        "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED",
        "A system thread raised an exception that no handler caught.",
        [
            p("Exception code that was not handled", K::NtStatus),
            p("Address where the exception was raised", K::CodeAddress),
            p("Exception record", K::ExceptionRecord),
            p("Context record", K::ContextRecord),
        ],
    ),
    with_subcodes(
        0x0000007F,
        "UNEXPECTED_KERNEL_MODE_TRAP",
        "The processor raised a trap the kernel could not handle, most often a double fault from a kernel stack overflow or failing hardware.",
        [
            p(
                "Trap number (8 = double fault, 0 = divide error, 6 = invalid opcode, ...)",
                K::Subcode,
            ),
            p("Depends on the trap", K::Other),
            p("Depends on the trap", K::Other),
            p("Depends on the trap", K::Other),
        ],
        S7F,
    ),
    known(
        0x00000080,
        "NMI_HARDWARE_FAILURE",
        "The hardware raised a non-maskable interrupt (NMI), signalling a hardware fault.",
        NONE,
    ),
    generic(
        0x00000081,
        "SPIN_LOCK_INIT_FAILURE",
        "A spin lock could not be initialized. Rarely seen.",
    ),
    generic(
        0x00000082,
        "DFS_FILE_SYSTEM",
        "The distributed file system (DFS) hit an unrecoverable problem. Rarely seen.",
    ),
    sdk_only(
        0x00000083,
        "OFS_FILE_SYSTEM",
        "The OFS file system hit an unrecoverable problem. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000084,
        "RECOM_DRIVER",
        "A RECOM driver failed. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000085,
        "SETUP_FAILURE",
        "Setup hit a fatal error.",
        [
            p("Kind of setup failure", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x00000086,
        "AUDIT_FAILURE",
        "A required security audit could not be carried out. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x0000008B,
        "MBR_CHECKSUM_MISMATCH",
        "The master boot record checksum does not match.",
        [
            p("Disk signature from the MBR", K::Other),
            p("Checksum computed by the loader", K::Other),
            p("Checksum computed by the system", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000008E,
        "KERNEL_MODE_EXCEPTION_NOT_HANDLED",
        "Kernel-mode code raised an exception that no handler caught.",
        [
            p("Exception code that was not handled", K::NtStatus),
            p("Address where the exception was raised", K::CodeAddress),
            p("Trap frame", K::TrapFrame),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000008F,
        "PP0_INITIALIZATION_FAILED",
        "The Plug and Play manager failed to initialize (phase 0).",
        NONE,
    ),
    known(
        0x00000090,
        "PP1_INITIALIZATION_FAILED",
        "The Plug and Play manager failed to initialize (phase 1).",
        NONE,
    ),
    sdk_only(
        0x00000091,
        "WIN32K_INIT_OR_RIT_FAILURE",
        "Win32k or its raw input thread failed to initialize. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000092,
        "UP_DRIVER_ON_MP_SYSTEM",
        "A driver built for single-processor systems was loaded on a multiprocessor system.",
        [
            p("Base address of the driver", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000093,
        "INVALID_KERNEL_HANDLE",
        "An invalid or protected handle was closed or referenced from kernel mode.",
        [
            p("Handle that was closed or referenced", K::Other),
            p(
                "0 protected handle closed, 1 invalid handle, or the handle table",
                K::Other,
            ),
            p("Reserved", K::Reserved),
            p("1 if bad-handle detection caught a reference", K::Other),
        ],
    ),
    known(
        0x00000094,
        "KERNEL_STACK_LOCKED_AT_EXIT",
        "A thread exited while its kernel stack was still locked in memory.",
        NONE,
    ),
    sdk_only(
        0x00000095,
        "PNP_INTERNAL_ERROR",
        "The Plug and Play manager hit an internal error. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000096,
        "INVALID_WORK_QUEUE_ITEM",
        "A work queue entry with a NULL link was removed, usually a work item queued twice or freed while queued.",
        [
            p("Queue entry with the NULL link", K::Pointer),
            p("Queue being used", K::Pointer),
            p("Base of the ExWorkerQueue array", K::Pointer),
            p("Worker routine that would have run", K::CodeAddress),
        ],
    ),
    generic(
        0x00000097,
        "BOUND_IMAGE_UNSUPPORTED",
        "An image bound in an unsupported way was loaded. Rarely seen.",
    ),
    known(
        0x00000098,
        "END_OF_NT_EVALUATION_PERIOD",
        "The evaluation period of this Windows edition has ended.",
        [
            p("Expiration date, low 32 bits", K::Other),
            p("Expiration date, high 32 bits", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000099,
        "INVALID_REGION_OR_SEGMENT",
        "A region or segment routine was called with invalid arguments.",
        NONE,
    ),
    known(
        0x0000009A,
        "SYSTEM_LICENSE_VIOLATION",
        "The software license terms were violated, for example by offline registry changes.",
        [
            p("Kind of license violation", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x0000009B,
        "UDFS_FILE_SYSTEM",
        "The UDF file system hit an unrecoverable problem.",
        [
            p(
                "Source file id (high 16 bits) and line (low 16 bits)",
                K::Other,
            ),
            p(
                "Exception record, if UdfExceptionFilter was on the stack",
                K::ExceptionRecord,
            ),
            p(
                "Context record, if UdfExceptionFilter was on the stack",
                K::ContextRecord,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000009C,
        "MACHINE_CHECK_EXCEPTION",
        "A fatal machine check exception was reported by the processor (older systems; newer ones report 0x124).",
        [
            p("Processor dependent (bank number or MSR value)", K::Other),
            p("MCA_EXCEPTION structure", K::Pointer),
            p("Processor dependent (MCi_STATUS high)", K::Other),
            p("Processor dependent (MCi_STATUS low)", K::Other),
        ],
    ),
    known(
        0x0000009E,
        "USER_MODE_HEALTH_MONITOR",
        "A critical user-mode component failed its health check in time (typically on failover clusters).",
        [
            p("Process that missed the health check", K::Pointer),
            p("Health-check timeout in seconds", K::Count),
            p("Watchdog source", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    with_subcodes(
        0x0000009F,
        "DRIVER_POWER_STATE_FAILURE",
        "A driver left a power request incomplete or in an invalid state, typically an IRP blocked too long during sleep, resume or shutdown.",
        [
            p(
                "Kind of power failure (3 = IRP blocked too long)",
                K::Subcode,
            ),
            p(
                "Depends on Arg1 (for 3: physical device object)",
                K::Pointer,
            ),
            p("Depends on Arg1 (for 3: nt!_TRIAGE_9F_POWER)", K::Pointer),
            p("Depends on Arg1 (for 3: the blocked IRP)", K::Pointer),
        ],
        S9F,
    ),
    with_subcodes(
        0x000000A0,
        "INTERNAL_POWER_ERROR",
        "The power policy manager hit a fatal error.",
        [
            p("Kind of power error", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
        SA0,
    ),
    known(
        0x000000A1,
        "PCI_BUS_DRIVER_INTERNAL",
        "The PCI bus driver found its own structures inconsistent.",
        NONE,
    ),
    known(
        0x000000A2,
        "MEMORY_IMAGE_CORRUPT",
        "An executable image in memory was found to be corrupt.",
        [
            p("Kind of image corruption", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000000A3,
        "ACPI_DRIVER_INTERNAL",
        "The ACPI driver found an internal inconsistency.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000A4,
        "CNSS_FILE_SYSTEM_FILTER",
        "The CNSS file system filter hit an unrecoverable problem.",
        [
            p(
                "Source file id (high 16 bits) and line (low 16 bits)",
                K::Other,
            ),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000A5,
        "ACPI_BIOS_ERROR",
        "The firmware's ACPI tables or methods do not comply with the ACPI specification.",
        [
            p("Kind of ACPI incompatibility", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    sdk_only(
        0x000000A6,
        "FP_EMULATION_ERROR",
        "Floating-point emulation failed. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000000A7,
        "BAD_EXHANDLE",
        "The kernel handle table holds an entry in an inconsistent state.",
        NONE,
    ),
    sdk_only(
        0x000000A8,
        "BOOTING_IN_SAFEMODE_MINIMAL",
        "Not an error: marks a boot into minimal safe mode. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000000A9,
        "BOOTING_IN_SAFEMODE_NETWORK",
        "Not an error: marks a boot into safe mode with networking. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000000AA,
        "BOOTING_IN_SAFEMODE_DSREPAIR",
        "Not an error: marks a boot into directory services repair mode. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000000AB,
        "SESSION_HAS_VALID_POOL_ON_EXIT",
        "Live dump: a session was unloaded while a session driver still held pool.",
        [
            p("Session ID", K::Other),
            p("Paged pool bytes leaked", K::Count),
            p("Nonpaged pool bytes leaked", K::Count),
            p(
                "Leaked allocations (nonpaged in the high half, paged in the low half)",
                K::Count,
            ),
        ],
    ),
    known(
        0x000000AC,
        "HAL_MEMORY_ALLOCATION",
        "The HAL could not get enough memory.",
        [
            p("Size of the allocation", K::Count),
            p("Reserved", K::Reserved),
            p("String with the source file name", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000AD,
        "VIDEO_DRIVER_DEBUG_REPORT_REQUEST",
        "The video port wrote a non-fatal report on behalf of a display driver.",
        [
            p("Driver specific", K::Other),
            p("Driver specific", K::Other),
            p("Driver specific", K::Other),
            p("Reports requested since boot", K::Count),
        ],
    ),
    known(
        0x000000B1,
        "BGI_DETECTED_VIOLATION",
        "A boot graphics violation was detected.",
        NONE,
    ),
    known(
        0x000000B4,
        "VIDEO_DRIVER_INIT_FAILURE",
        "Windows could not switch to graphics mode, usually a display driver failure.",
        NONE,
    ),
    sdk_only(
        0x000000B5,
        "BOOTLOG_LOADED",
        "Not an error: a boot log message identifier. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000000B6,
        "BOOTLOG_NOT_LOADED",
        "Not an error: a boot log message identifier. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000000B7,
        "BOOTLOG_ENABLED",
        "Not an error: a boot log message identifier. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000000B8,
        "ATTEMPTED_SWITCH_FROM_DPC",
        "A deferred procedure call (DPC) tried to block, wait or switch threads, which DPCs may not do.",
        [
            p("Original thread", K::Pointer),
            p("New thread", K::Pointer),
            p("Stack address of the original thread", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x000000B9,
        "CHIPSET_DETECTED_ERROR",
        "The chipset reported an error. Rarely seen.",
    ),
    known(
        0x000000BA,
        "SESSION_HAS_VALID_VIEWS_ON_EXIT",
        "A session driver still had mapped views when its session unloaded.",
        [
            p("Session ID", K::Other),
            p("Mapped views leaked", K::Count),
            p("Mapped views table", K::Pointer),
            p("Size of the mapped views table", K::Count),
        ],
    ),
    known(
        0x000000BB,
        "NETWORK_BOOT_INITIALIZATION_FAILED",
        "Booting from the network failed.",
        [
            p(
                "1 registry update, 2 network stack start, 3 DHCP request to TCP",
                K::Other,
            ),
            p("Failure status", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000BC,
        "NETWORK_BOOT_DUPLICATE_ADDRESS",
        "Another machine holds the IP address this machine received while booting from the network.",
        [
            p("IP address (as a little-endian DWORD)", K::Other),
            p("Other machine's hardware address", K::Other),
            p("Other machine's hardware address", K::Other),
            p(
                "Other machine's hardware address (0 for Ethernet)",
                K::Other,
            ),
        ],
    ),
    known(
        0x000000BD,
        "INVALID_HIBERNATED_STATE",
        "The hibernation image does not match the hardware, which changed while the system was hibernated.",
        [
            p("What changed (1: fewer processors)", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000BE,
        "ATTEMPTED_WRITE_TO_READONLY_MEMORY",
        "A driver wrote to read-only memory.",
        [
            p("Virtual address of the attempted write", K::Address),
            p("PTE contents", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000BF,
        "MUTEX_ALREADY_OWNED",
        "A thread acquired a mutex it already owned.",
        [
            p("Mutex", K::Pointer),
            p("Thread that caused the error", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x000000C0,
        "PCI_CONFIG_SPACE_ACCESS_FAILURE",
        "Accessing PCI configuration space failed. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000000C1,
        "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION",
        "A driver wrote to an invalid part of special pool, or freed special pool wrongly; Arg4 identifies the case.",
        [
            p("Address being freed", K::Address),
            p("Depends on Arg4", K::Other),
            p("Depends on Arg4", K::Other),
            p("Kind of violation (0x20 to 0x34)", K::Subcode),
        ],
    ),
    with_subcodes(
        0x000000C2,
        "BAD_POOL_CALLER",
        "A thread made a bad pool request: wrong IRQL, double free, freeing a bad address, or using a corrupt header.",
        [
            p("Kind of bad pool request (see subcodes)", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
        SC2,
    ),
    sdk_only(
        0x000000C3,
        "SYSTEM_IMAGE_BAD_SIGNATURE",
        "A system image has an invalid signature. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    with_subcodes(
        0x000000C4,
        "DRIVER_VERIFIER_DETECTED_VIOLATION",
        "Driver Verifier caught a driver breaking a rule. Arg1 identifies the rule; the driver on the stack is almost always the culprit.",
        [
            p("Kind of violation (see subcodes)", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
        SC4,
    ),
    known(
        0x000000C5,
        "DRIVER_CORRUPTED_EXPOOL",
        "Kernel code touched invalid memory at raised IRQL; usually a driver has corrupted the pool.",
        [
            p("Memory referenced", K::Address),
            p("IRQL at the time of the reference", K::Irql),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference",
                K::CodeAddress,
            ),
        ],
    ),
    known(
        0x000000C6,
        "DRIVER_CAUGHT_MODIFYING_FREED_POOL",
        "A driver touched pool memory after freeing it.",
        [
            p("Memory referenced", K::Address),
            p("0: read, 1: write", K::AccessType),
            p("0: kernel mode, 1: user mode", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000C7,
        "TIMER_OR_DPC_INVALID",
        "A kernel timer or DPC was found in memory where none may be, typically freed pool or an unloaded driver image.",
        [
            p(
                "0 timer, 1 DPC object, 2 DPC routine, 3 timer in freed pool",
                K::Subcode,
            ),
            p("Timer or DPC", K::Pointer),
            p("Start of the memory range checked", K::Address),
            p("End of the memory range checked", K::Address),
        ],
    ),
    known(
        0x000000C8,
        "IRQL_UNEXPECTED_VALUE",
        "The processor's IRQL was not what it should have been.",
        [
            p(
                "Current IRQL in bits 16-23, expected IRQL in bits 8-15, check id in bits 0-7",
                K::Other,
            ),
            p("Depends on the check id", K::Pointer),
            p("Depends on the check id", K::Pointer),
            p("Depends on the check id", K::Pointer),
        ],
    ),
    with_subcodes(
        0x000000C9,
        "DRIVER_VERIFIER_IOMANAGER_VIOLATION",
        "Driver Verifier's I/O verification caught a driver mishandling an IRP. Arg1 identifies the rule.",
        [
            p("Kind of I/O violation", K::Subcode),
            p(
                "Depends on Arg1 (usually the IRP or device object)",
                K::Pointer,
            ),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
        SC9,
    ),
    with_subcodes(
        0x000000CA,
        "PNP_DETECTED_FATAL_ERROR",
        "The Plug and Play manager hit a severe error, typically caused by a Plug and Play driver.",
        [
            p(
                "Kind of PnP error (1 duplicate PDO, 2 invalid PDO, ...)",
                K::Subcode,
            ),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Reserved", K::Reserved),
        ],
        SCA,
    ),
    known(
        0x000000CB,
        "DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS",
        "A driver or the I/O manager left pages locked after an I/O.",
        [
            p("Internal lock tracking structure", K::Pointer),
            p("Reserved", K::Reserved),
            p("MDL holding the locked pages", K::Pointer),
            p("Number of locked pages", K::Count),
        ],
    ),
    known(
        0x000000CC,
        "PAGE_FAULT_IN_FREED_SPECIAL_POOL",
        "Memory in special pool was referenced after being freed.",
        [
            p("Memory referenced", K::Address),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference, if known",
                K::CodeAddress,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000CD,
        "PAGE_FAULT_BEYOND_END_OF_ALLOCATION",
        "Memory past the end of a pool allocation was referenced.",
        [
            p("Memory referenced", K::Address),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference, if known",
                K::CodeAddress,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000CE,
        "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS",
        "A driver unloaded without cancelling pending operations (timers, DPCs, worker threads), and one of them ran.",
        [
            p("Memory referenced", K::Address),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference, if known",
                K::CodeAddress,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000CF,
        "TERMINAL_SERVER_DRIVER_MADE_INCORRECT_MEMORY_REFERENCE",
        "A driver made a memory reference that is invalid in a terminal server session.",
        [
            p("Memory referenced", K::Address),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference, if known",
                K::CodeAddress,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000D0,
        "DRIVER_CORRUPTED_MMPOOL",
        "Kernel code touched invalid memory at raised IRQL; usually a driver has corrupted memory manager pool.",
        [
            p("Memory referenced", K::Address),
            p("IRQL at the time of the reference", K::Irql),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference",
                K::CodeAddress,
            ),
        ],
    ),
    known(
        0x000000D1,
        "DRIVER_IRQL_NOT_LESS_OR_EQUAL",
        "A kernel-mode driver touched pageable or invalid memory while running at DISPATCH_LEVEL or above, typically a bad pointer.",
        [
            p("Memory referenced", K::Address),
            p("IRQL at the time of the reference", K::Irql),
            p("0: read, 1: write, 2: execute, 8: execute", K::AccessType),
            p(
                "Instruction address that made the reference",
                K::CodeAddress,
            ),
        ],
    ),
    known(
        0x000000D2,
        "BUGCODE_ID_DRIVER",
        "An NDIS miniport driver misused the NDIS interface.",
        [
            p("Miniport block", K::Pointer),
            p("Depends on the case", K::Other),
            p("Depends on the case", K::Other),
            p("Case number", K::Other),
        ],
    ),
    known(
        0x000000D3,
        "DRIVER_PORTION_MUST_BE_NONPAGED",
        "Pageable driver code or data was touched at raised IRQL.",
        [
            p("Memory referenced", K::Address),
            p("IRQL at the time of the reference", K::Irql),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference",
                K::CodeAddress,
            ),
        ],
    ),
    known(
        0x000000D4,
        "SYSTEM_SCAN_AT_RAISED_IRQL_CAUGHT_IMPROPER_DRIVER_UNLOAD",
        "A driver unloaded without cancelling pending operations, found by a scan at raised IRQL.",
        [
            p("Memory referenced", K::Address),
            p("IRQL at the time of the reference", K::Irql),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference",
                K::CodeAddress,
            ),
        ],
    ),
    known(
        0x000000D5,
        "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL",
        "A driver touched special pool memory it had already freed (Driver Verifier special pool).",
        [
            p("Memory referenced", K::Address),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference, if known",
                K::CodeAddress,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000D6,
        "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION",
        "A driver read or wrote past the end of its pool allocation (Driver Verifier special pool).",
        [
            p("Memory referenced", K::Address),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference, if known",
                K::CodeAddress,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000D7,
        "DRIVER_UNMAPPING_INVALID_VIEW",
        "A driver unmapped an address that was never mapped.",
        [
            p("Virtual address to unmap", K::Address),
            p("1: unmapping the view, 2: committing the view", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000D8,
        "DRIVER_USED_EXCESSIVE_PTES",
        "System PTEs ran out; a driver used too many of them.",
        [
            p("UNICODE_STRING with the driver name, or 0", K::Pointer),
            p("PTEs used by that driver", K::Count),
            p("Free system PTEs", K::Count),
            p("Total system PTEs", K::Count),
        ],
    ),
    known(
        0x000000D9,
        "LOCKED_PAGES_TRACKER_CORRUPTION",
        "The locked-page tracking structures are corrupt.",
        [
            p("Kind of corruption", K::Subcode),
            p("Internal lock tracking structure", K::Pointer),
            p("MDL", K::Pointer),
            p("Pages locked for the process", K::Count),
        ],
    ),
    known(
        0x000000DA,
        "SYSTEM_PTE_MISUSE",
        "A PTE routine was misused.",
        [
            p("Kind of misuse", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000000DB,
        "DRIVER_CORRUPTED_SYSPTES",
        "Memory was touched at a bad IRQL, probably because system PTEs are corrupt.",
        [
            p("Memory referenced", K::Address),
            p("IRQL", K::Irql),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference",
                K::CodeAddress,
            ),
        ],
    ),
    known(
        0x000000DC,
        "DRIVER_INVALID_STACK_ACCESS",
        "A driver used a stack address below the thread's stack pointer.",
        NONE,
    ),
    known(
        0x000000DE,
        "POOL_CORRUPTION_IN_FILE_AREA",
        "A driver corrupted pool memory holding pages on their way to disk.",
        NONE,
    ),
    known(
        0x000000DF,
        "IMPERSONATING_WORKER_THREAD",
        "A work item returned while still impersonating a client.",
        [
            p("Worker routine", K::CodeAddress),
            p("Parameter given to the worker routine", K::Other),
            p("Work item", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000E0,
        "ACPI_BIOS_FATAL_ERROR",
        "The firmware reported a fatal ACPI error; a component is faulty.",
        [
            p("Firmware defined", K::Other),
            p("Firmware defined", K::Other),
            p("Firmware defined", K::Other),
            p("Firmware defined", K::Other),
        ],
    ),
    known(
        0x000000E1,
        "WORKER_THREAD_RETURNED_AT_BAD_IRQL",
        "A worker routine returned at DISPATCH_LEVEL or above.",
        [
            p("Worker routine", K::CodeAddress),
            p("IRQL the routine returned at", K::Irql),
            p("Work item parameter", K::Other),
            p("Work item", K::Pointer),
        ],
    ),
    known(
        0x000000E2,
        "MANUALLY_INITIATED_CRASH",
        "A crash was started on purpose, from the kernel debugger or the keyboard (Ctrl+Scroll Lock twice).",
        NONE,
    ),
    known(
        0x000000E3,
        "RESOURCE_NOT_OWNED",
        "A thread released a resource it did not own.",
        [
            p("Resource", K::Pointer),
            p("Thread", K::Pointer),
            p("Owner table, if any", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000E4,
        "WORKER_INVALID",
        "An executive work item was found where none may be, or an active work item was queued again.",
        [
            p("Kind of misuse", K::Subcode),
            p("Work item", K::Pointer),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    sdk_only(
        0x000000E5,
        "POWER_FAILURE_SIMULATE",
        "A simulated power failure (a test code). Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000000E6,
        "DRIVER_VERIFIER_DMA_VIOLATION",
        "Driver Verifier's DMA verification caught a driver misusing DMA (also raised by the IOMMU without Verifier).",
        [
            p("Kind of DMA violation", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000000E7,
        "INVALID_FLOATING_POINT_STATE",
        "A thread's saved floating-point state is invalid.",
        [
            p("Which check failed", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000E8,
        "INVALID_CANCEL_OF_FILE_OPEN",
        "An invalid file object was passed to IoCancelFileOpen.",
        [
            p("File object", K::Pointer),
            p("Device object", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000E9,
        "ACTIVE_EX_WORKER_THREAD_TERMINATION",
        "An active executive worker thread was terminated.",
        [
            p("Exiting thread", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000EA,
        "THREAD_STUCK_IN_DEVICE_DRIVER",
        "A thread in a display driver spun forever waiting for the hardware.",
        [
            p("Stuck thread", K::Pointer),
            p("DEFERRED_WATCHDOG object", K::Pointer),
            p("Name of the offending driver", K::Pointer),
            p(
                "Times this was intercepted (1 on the blue screen)",
                K::Count,
            ),
        ],
    ),
    known(
        0x000000EB,
        "DIRTY_MAPPED_PAGES_CONGESTION",
        "No free pages were left because too many mapped pages are dirty.",
        [
            p("Dirty pages in total", K::Count),
            p("Dirty pages bound for the page file", K::Count),
            p("Reserved", K::Reserved),
            p("Status of the last modified-page write", K::NtStatus),
        ],
    ),
    known(
        0x000000EC,
        "SESSION_HAS_VALID_SPECIAL_POOL_ON_EXIT",
        "A session was unloaded while a session driver still held special pool.",
        [
            p("Session ID", K::Other),
            p("Special pool pages leaked", K::Count),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000ED,
        "UNMOUNTABLE_BOOT_VOLUME",
        "The boot volume could not be mounted.",
        [
            p("Device object of the boot volume", K::Pointer),
            p("Status from the file system", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000EF,
        "CRITICAL_PROCESS_DIED",
        "A process or thread that Windows cannot run without (such as csrss.exe or wininit.exe) ended.",
        [
            p("Process object", K::Pointer),
            p("0: a process ended, 1: a thread ended", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000F0,
        "STORAGE_MINIPORT_ERROR",
        "A storage miniport driver did not complete a request even after a reset or abort.",
        [
            p("Kind of failure", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
        ],
    ),
    known(
        0x000000F1,
        "SCSI_VERIFIER_DETECTED_VIOLATION",
        "Driver Verifier's SCSI verification caught a miniport driver breaking a rule.",
        [
            p("Kind of SCSI violation", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000000F2,
        "HARDWARE_INTERRUPT_STORM",
        "The kernel detected an interrupt storm: an interrupt that keeps firing.",
        [
            p(
                "Interrupt service routine (first in the chain)",
                K::CodeAddress,
            ),
            p("ISR context", K::Other),
            p("Interrupt object", K::Pointer),
            p("1: ISR not chained, 2: chained", K::Other),
        ],
    ),
    known(
        0x000000F3,
        "DISORDERLY_SHUTDOWN",
        "Windows could not shut down cleanly because memory ran out.",
        [
            p("Dirty pages in total", K::Count),
            p("Dirty pages bound for the page file", K::Count),
            p("Reserved", K::Reserved),
            p("Status of the last modified-page write", K::NtStatus),
        ],
    ),
    known(
        0x000000F4,
        "CRITICAL_OBJECT_TERMINATION",
        "A process or thread crucial to the system exited or was terminated.",
        [
            p("Type of object: 3 process, 6 thread", K::Other),
            p("Object that ended", K::Pointer),
            p("Image file name of the process", K::Pointer),
            p("ASCII text explaining why", K::Pointer),
        ],
    ),
    with_subcodes(
        0x000000F5,
        "FLTMGR_FILE_SYSTEM",
        "The Filter Manager hit an unrecoverable failure.",
        [
            p("Kind of filter manager failure", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
        SF5,
    ),
    known(
        0x000000F6,
        "PCI_VERIFIER_DETECTED_VIOLATION",
        "The PCI driver caught the BIOS or a driver mishandling a PCI device.",
        [
            p("Kind of PCI violation", K::Subcode),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000F7,
        "DRIVER_OVERRAN_STACK_BUFFER",
        "A driver overran a buffer on its stack, damaging the /GS security cookie.",
        [
            p("Cookie found on the stack", K::Other),
            p("Expected cookie", K::Other),
            p("Bitwise complement of the expected cookie", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000F8,
        "RAMDISK_BOOT_INITIALIZATION_FAILED",
        "Booting from a RAM disk failed.",
        [
            p("Step that failed", K::Subcode),
            p("Status", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000F9,
        "DRIVER_RETURNED_STATUS_REPARSE_FOR_VOLUME_OPEN",
        "A driver answered a volume open with STATUS_REPARSE, which is not allowed.",
        [
            p("Device object opened", K::Pointer),
            p("Device object the create was sent to", K::Pointer),
            p("UNICODE_STRING with the new name", K::Pointer),
            p("Information returned by the driver", K::Other),
        ],
    ),
    known(
        0x000000FA,
        "HTTP_DRIVER_CORRUPTED",
        "The HTTP kernel driver (http.sys) reached a corrupt state.",
        [
            p("Kind of corruption", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    sdk_only(
        0x000000FB,
        "RECURSIVE_MACHINE_CHECK",
        "A machine check arrived while another was being handled. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000000FC,
        "ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY",
        "Code tried to execute from memory marked non-executable.",
        [
            p("Virtual address whose execution was attempted", K::Address),
            p("PTE contents", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000000FD,
        "DIRTY_NOWRITE_PAGES_CONGESTION",
        "No free pages were left because too many dirty pages cannot be written.",
        [
            p("Dirty pages in total", K::Count),
            p("Dirty pages that cannot be written", K::Count),
            p("Reserved", K::Reserved),
            p("Status of the last modified-page write", K::NtStatus),
        ],
    ),
    with_subcodes(
        0x000000FE,
        "BUGCODE_USB_DRIVER",
        "A USB driver hit an error. Arg1 identifies the case.",
        [
            p("Kind of USB error", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
        ],
        SFE,
    ),
    known(
        0x000000FF,
        "RESERVE_QUEUE_OVERFLOW",
        "An item was inserted into a full reserve queue.",
        [
            p("Reserve queue", K::Pointer),
            p("Size of the queue", K::Count),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000100,
        "LOADER_BLOCK_MISMATCH",
        "The loader block is invalid or does not match the system being loaded.",
        [
            p("3", K::Other),
            p("Size of the loader block extension", K::Count),
            p("Loader block major version", K::Other),
            p("Loader block minor version", K::Other),
        ],
    ),
    known(
        0x00000101,
        "CLOCK_WATCHDOG_TIMEOUT",
        "A secondary processor stopped answering clock interrupts for too long: it is hung (or the hypervisor starved it).",
        [
            p("Timeout interval in clock ticks", K::Count),
            p("Reserved", K::Reserved),
            p("PRCB of the hung processor", K::Pointer),
            p("Index of the hung processor", K::Count),
        ],
    ),
    known(
        0x00000102,
        "DPC_WATCHDOG_TIMEOUT",
        "The DPC watchdog routine did not run within its allotted time.",
        [
            p("Timeout interval in clock ticks", K::Count),
            p("PRCB of the hung processor", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000103,
        "MUP_FILE_SYSTEM",
        "The multiple UNC provider (MUP) found invalid data and could not route a remote file request, usually a filter driver bug.",
        [
            p("Kind of MUP violation", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
        ],
    ),
    known(
        0x00000104,
        "AGP_INVALID_ACCESS",
        "The GPU wrote to AGP memory that had not been committed.",
        [
            p(
                "Offset in ULONGs of the first corrupted data in the verifier page",
                K::Other,
            ),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000105,
        "AGP_GART_CORRUPTION",
        "The AGP graphics aperture remapping table (GART) is corrupt.",
        [
            p("Virtual base of the GART", K::Address),
            p("Offset of the corruption", K::Other),
            p("Virtual base of the GART copy", K::Address),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000106,
        "AGP_ILLEGALLY_REPROGRAMMED",
        "Something other than the AGP driver reprogrammed the AGP hardware.",
        [
            p("Original command register", K::Other),
            p("Current command register", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x00000107,
        "KERNEL_EXPAND_STACK_ACTIVE",
        "A kernel stack expansion was active when it should not have been. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000108,
        "THIRD_PARTY_FILE_SYSTEM_FAILURE",
        "A third-party file system or file system filter hit an unrecoverable problem.",
        [
            p("File system that failed", K::Other),
            p("Exception record", K::ExceptionRecord),
            p("Context record", K::ContextRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000109,
        "CRITICAL_STRUCTURE_CORRUPTION",
        "The kernel found critical kernel code or data modified (PatchGuard), from a driver patching the kernel, or from hardware.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Type of region that was corrupted", K::Other),
        ],
    ),
    generic(
        0x0000010A,
        "APP_TAGGING_INITIALIZATION_FAILED",
        "Application tagging failed to initialize. Rarely seen.",
    ),
    sdk_only(
        0x0000010B,
        "DFSC_FILE_SYSTEM",
        "The DFS client file system hit an unrecoverable problem. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x0000010C,
        "FSRTL_EXTRA_CREATE_PARAMETER_VIOLATION",
        "A violation was caught in the file system run-time library's extra create parameter (ECP) support.",
        [
            p("Kind of ECP violation", K::Subcode),
            p("Reserved", K::Reserved),
            p("ECP", K::Pointer),
            p("Start of the ECP list", K::Pointer),
        ],
    ),
    with_subcodes(
        0x0000010D,
        "WDF_VIOLATION",
        "The Kernel-Mode Driver Framework (KMDF) found an error in a framework-based driver.",
        [
            p("Kind of framework error", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Reserved", K::Reserved),
        ],
        S10D,
    ),
    known(
        0x0000010E,
        "VIDEO_MEMORY_MANAGEMENT_INTERNAL",
        "The video memory manager hit a condition it cannot recover from.",
        [
            p("Kind of video memory error", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x0000010F,
        "RESOURCE_MANAGER_EXCEPTION_NOT_HANDLED",
        "A kernel resource manager raised an exception inside a transaction manager callback.",
        [
            p("Exception record", K::ExceptionRecord),
            p("Context record", K::ContextRecord),
            p("Exception code address", K::Pointer),
            p("Resource manager", K::Pointer),
        ],
    ),
    sdk_only(
        0x00000110,
        "DRIVER_INVALID_CRUNTIME_PARAMETER",
        "A driver passed an invalid argument to a C runtime routine. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    generic(
        0x00000111,
        "RECURSIVE_NMI",
        "A non-maskable interrupt (NMI) arrived while a previous one was still being handled.",
    ),
    known(
        0x00000112,
        "MSRPC_STATE_VIOLATION",
        "The RPC driver (msrpc.sys) found itself in a state it cannot continue from.",
        [
            p("Kind of state violation", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x00000113,
        "VIDEO_DXGKRNL_FATAL_ERROR",
        "The DirectX graphics kernel (dxgkrnl.sys) detected a fatal violation.",
    ),
    generic(
        0x00000114,
        "VIDEO_SHADOW_DRIVER_FATAL_ERROR",
        "The video shadow driver detected a fatal violation. Rarely seen.",
    ),
    generic(
        0x00000115,
        "AGP_INTERNAL",
        "The AGP driver detected a fatal violation. Rarely seen.",
    ),
    known(
        0x00000116,
        "VIDEO_TDR_FAILURE",
        "Resetting the display driver after a GPU timeout (TDR) failed.",
        [
            p("Internal TDR recovery context, if any", K::Pointer),
            p(
                "Pointer into the responsible display driver",
                K::CodeAddress,
            ),
            p(
                "Error code of the last failed operation, if any",
                K::NtStatus,
            ),
            p("Internal context data, if any", K::Other),
        ],
    ),
    known(
        0x00000117,
        "VIDEO_TDR_TIMEOUT_DETECTED",
        "Live dump: the display driver did not respond in time and was reset (TDR).",
        [
            p("Internal TDR recovery context, if any", K::Pointer),
            p(
                "Pointer into the responsible display driver",
                K::CodeAddress,
            ),
            p("Driver-specific bucketing key", K::Other),
            p("Internal context data, if any", K::Other),
        ],
    ),
    sdk_only(
        0x00000118,
        "NTHV_GUEST_ERROR",
        "A hypervisor guest error. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000119,
        "VIDEO_SCHEDULER_INTERNAL_ERROR",
        "The video scheduler found a fatal violation, usually by the display driver.",
        [
            p("Kind of scheduler violation", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    generic(
        0x0000011A,
        "EM_INITIALIZATION_FAILURE",
        "EM (errata manager) initialization failed. Rarely seen. The SDK header names this code EM_INITIALIZATION_ERROR.",
    ),
    known(
        0x0000011B,
        "DRIVER_RETURNED_HOLDING_CANCEL_LOCK",
        "A driver returned from a cancel routine still holding the global cancel spin lock.",
        [
            p("Cancelled IRP (may be stale)", K::Pointer),
            p("Cancel routine", K::CodeAddress),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000011C,
        "ATTEMPTED_WRITE_TO_CM_PROTECTED_STORAGE",
        "Something wrote to the read-only protected storage of the configuration manager.",
        [
            p("Virtual address of the attempted write", K::Address),
            p("PTE contents", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    generic(
        0x0000011D,
        "EVENT_TRACING_FATAL_ERROR",
        "Event tracing (ETW) hit an unexpected fatal error.",
    ),
    known(
        0x0000011E,
        "TOO_MANY_RECURSIVE_FAULTS",
        "A file system faulted recursively too often under low resources.",
        NONE,
    ),
    known(
        0x0000011F,
        "INVALID_DRIVER_HANDLE",
        "The initial handle of a driver was closed between inserting and referencing the driver object.",
        [
            p("Handle to the driver object", K::Other),
            p("Status of the failed reference", K::NtStatus),
            p("Driver object", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000120,
        "BITLOCKER_FATAL_ERROR",
        "BitLocker hit a problem it cannot recover from.",
        [
            p("Kind of problem", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000121,
        "DRIVER_VIOLATION",
        "A driver called a routine at a wrong IRQL.",
        [
            p(
                "1: not at the required IRQL, 2: above the allowed IRQL",
                K::Subcode,
            ),
            p("Current IRQL", K::Irql),
            p("Required or maximum IRQL", K::Irql),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000122,
        "WHEA_INTERNAL_ERROR",
        "The Windows Hardware Error Architecture (WHEA) hit an internal error, often in a vendor plug-in or firmware.",
        [
            p("Kind of WHEA error", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x00000123,
        "CRYPTO_SELF_TEST_FAILURE",
        "A cryptographic algorithm failed its mandatory self-test at boot.",
        NONE,
    ),
    with_subcodes(
        0x00000124,
        "WHEA_UNCORRECTABLE_ERROR",
        "The hardware reported a fatal error through WHEA (machine check, PCI Express, memory, ...). Arg1 is the error source; the error record holds the details.",
        [
            p(
                "Kind of hardware error source (0 = machine check)",
                K::Subcode,
            ),
            p("WHEA_ERROR_RECORD", K::Pointer),
            p("Depends on Arg1 (MCi_STATUS high for 0)", K::Other),
            p("Depends on Arg1 (MCi_STATUS low for 0)", K::Other),
        ],
        S124,
    ),
    known(
        0x00000125,
        "NMR_INVALID_STATE",
        "The network module registrar (NMR) found an invalid state.",
        [
            p("Kind of invalid state", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x00000126,
        "NETIO_INVALID_POOL_CALLER",
        "An invalid request was made to the netio-managed memory pool.",
        [
            p("Kind of invalid request", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
        ],
    ),
    known(
        0x00000127,
        "PAGE_NOT_ZERO",
        "A page that should hold only zeros does not, from hardware or a component writing to freed memory.",
        [
            p("Virtual address that maps the page", K::Address),
            p("Physical page number", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000128,
        "WORKER_THREAD_RETURNED_WITH_BAD_IO_PRIORITY",
        "A worker routine changed its thread's I/O priority and did not restore it.",
        [
            p("Worker routine", K::CodeAddress),
            p("Current I/O priority", K::Other),
            p("Work item parameter", K::Other),
            p("Work item", K::Pointer),
        ],
    ),
    known(
        0x00000129,
        "WORKER_THREAD_RETURNED_WITH_BAD_PAGING_IO_PRIORITY",
        "A worker routine changed its thread's paging I/O priority and did not restore it.",
        [
            p("Worker routine", K::CodeAddress),
            p("Current paging I/O priority", K::Other),
            p("Work item parameter", K::Other),
            p("Work item", K::Pointer),
        ],
    ),
    known(
        0x0000012A,
        "MUI_NO_VALID_SYSTEM_LANGUAGE",
        "No installed, licensed language pack was found for the system UI language.",
        [
            p("Kind of failure", K::Subcode),
            p("Status", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000012B,
        "FAULTY_HARDWARE_CORRUPTED_PAGE",
        "Memory was found corrupted in a way only physical (DMA or hardware) access explains.",
        [
            p("Virtual address or failure status", K::Address),
            p("Physical page number or compressed size", K::Other),
            p("0, or store manager detail", K::Other),
            p("0, or store manager detail", K::Other),
        ],
    ),
    known(
        0x0000012C,
        "EXFAT_FILE_SYSTEM",
        "The exFAT file system hit an unrecoverable problem.",
        [
            p(
                "Source file id (high 16 bits) and line (low 16 bits)",
                K::Other,
            ),
            p(
                "Exception record, if FppExceptionFilter was on the stack",
                K::ExceptionRecord,
            ),
            p(
                "Context record, if FppExceptionFilter was on the stack",
                K::ContextRecord,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000012D,
        "VOLSNAP_OVERLAPPED_TABLE_ACCESS",
        "The volume snapshot driver touched a shared table from two threads at once.",
        NONE,
    ),
    known(
        0x0000012E,
        "INVALID_MDL_RANGE",
        "IoBuildPartialMdl was asked to map a range outside the source MDL.",
        [
            p("Source MDL", K::Pointer),
            p("Target MDL", K::Pointer),
            p("Virtual address", K::Address),
            p("Length", K::Count),
        ],
    ),
    known(
        0x0000012F,
        "VHD_BOOT_INITIALIZATION_FAILED",
        "Booting from a virtual hard disk (VHD) failed during initialization.",
        [
            p("Step that failed", K::Subcode),
            p("Status", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000130,
        "DYNAMIC_ADD_PROCESSOR_MISMATCH",
        "A hot-added processor does not match the current configuration.",
        NONE,
    ),
    known(
        0x00000131,
        "INVALID_EXTENDED_PROCESSOR_STATE",
        "Saving or restoring extended processor state was done with invalid arguments.",
        [
            p("Which check failed", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x00000132,
        "RESOURCE_OWNER_POINTER_INVALID",
        "An invalid resource owner pointer was passed.",
        [
            p("Resource", K::Pointer),
            p("Owner table of the resource", K::Pointer),
            p("Current thread", K::Pointer),
            p("Owner pointer", K::Pointer),
        ],
    ),
    with_subcodes(
        0x00000133,
        "DPC_WATCHDOG_VIOLATION",
        "The DPC watchdog fired: one DPC or ISR ran too long (Arg1 0), or the processor stayed at DISPATCH_LEVEL or above too long in total (Arg1 1).",
        [
            p(
                "0: one DPC ran too long, 1: too long at DISPATCH_LEVEL in total",
                K::Subcode,
            ),
            p("Depends on Arg1", K::Count),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
        S133,
    ),
    known(
        0x00000134,
        "DRIVE_EXTENDER",
        "The Drive Extender component hit a severe internal error.",
        NONE,
    ),
    known(
        0x00000135,
        "REGISTRY_FILTER_DRIVER_EXCEPTION",
        "A registry filter driver raised an exception that was not handled.",
        [
            p("Exception code", K::NtStatus),
            p("Context record", K::ContextRecord),
            p("The driver's callback routine", K::CodeAddress),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000136,
        "VHD_BOOT_HOST_VOLUME_NOT_ENOUGH_SPACE",
        "The volume holding a boot VHD has not enough free space to expand it.",
        [
            p("0", K::Other),
            p("Status", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000137,
        "WIN32K_HANDLE_MANAGER",
        "The win32k handle manager found a fatal error.",
        [
            p("Reserved", K::Reserved),
            p("Object, if available", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000138,
        "GPIO_CONTROLLER_DRIVER_ERROR",
        "The GPIO class extension hit a fatal error.",
        [
            p("Kind of GPIO error", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    with_subcodes(
        0x00000139,
        "KERNEL_SECURITY_CHECK_FAILURE",
        "The kernel found a critical data structure corrupted: a fast-fail check such as a stack cookie (/GS) or a LIST_ENTRY integrity check failed.",
        [
            p("Kind of check that failed (fast-fail code)", K::Subcode),
            p("Trap frame", K::TrapFrame),
            p("Exception record", K::ExceptionRecord),
            p("Reserved", K::Reserved),
        ],
        S139,
    ),
    with_subcodes(
        0x0000013A,
        "KERNEL_MODE_HEAP_CORRUPTION",
        "The kernel-mode heap manager found a heap corrupted.",
        [
            p("Kind of heap corruption", K::Subcode),
            p("Heap that reported it", K::Pointer),
            p("Address where the corruption was found", K::Address),
            p("Reserved", K::Reserved),
        ],
        S13A,
    ),
    known(
        0x0000013B,
        "PASSIVE_INTERRUPT_ERROR",
        "A driver misused a passive-level interrupt, for example by acquiring its spin lock.",
        [
            p("Kind of error", K::Subcode),
            p("KINTERRUPT of the passive-level interrupt", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000013C,
        "INVALID_IO_BOOST_STATE",
        "A thread exited with an I/O boost that was not zero.",
        [
            p("Thread", K::Pointer),
            p("Boost state or throttle count", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000013D,
        "CRITICAL_INITIALIZATION_FAILURE",
        "Early kernel initialization failed.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x0000013E,
        "ERRATA_WORKAROUND_UNSUCCESSFUL",
        "A workaround for a processor erratum could not be applied. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x0000013F,
        "REGISTRY_CALLBACK_DRIVER_EXCEPTION",
        "A registry callback driver raised an exception that was not handled. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000140,
        "STORAGE_DEVICE_ABNORMALITY_DETECTED",
        "The storage stack saw a device stop responding, or respond too slowly too often.",
        NONE,
    ),
    known(
        0x00000141,
        "VIDEO_ENGINE_TIMEOUT_DETECTED",
        "Live dump: a display engine did not respond in time.",
        [
            p("Internal TDR recovery context, if any", K::Pointer),
            p(
                "Pointer into the responsible display driver",
                K::CodeAddress,
            ),
            p("Driver-specific bucketing key", K::Other),
            p("Internal context data, if any", K::Other),
        ],
    ),
    known(
        0x00000142,
        "VIDEO_TDR_APPLICATION_BLOCKED",
        "Live dump: an application was blocked from using the GPU.",
        [
            p("Internal TDR recovery context, if any", K::Pointer),
            p(
                "Pointer into the responsible display driver",
                K::CodeAddress,
            ),
            p("Driver-specific bucketing key", K::Other),
            p("ID of the blocked process", K::Other),
        ],
    ),
    known(
        0x00000143,
        "PROCESSOR_DRIVER_INTERNAL",
        "The processor power management driver hit a fatal error.",
        [
            p("Kind of error", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
        ],
    ),
    with_subcodes(
        0x00000144,
        "BUGCODE_USB3_DRIVER",
        "A USB 3 driver or device misbehaved. Arg1 identifies the case.",
        [
            p("Kind of USB 3 error", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
        ],
        S144,
    ),
    known(
        0x00000145,
        "SECURE_BOOT_VIOLATION",
        "Secure Boot policy enforcement could not start.",
        [
            p("Status of the failure", K::NtStatus),
            p("Secure Boot policy", K::Pointer),
            p("Size of the policy", K::Count),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x00000146,
        "NDIS_NET_BUFFER_LIST_INFO_ILLEGALLY_TRANSFERRED",
        "NET_BUFFER_LIST information was handed between NDIS drivers illegally. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000147,
        "ABNORMAL_RESET_DETECTED",
        "Windows was reset abnormally; no context or exception was saved and no bug check callbacks ran.",
        NONE,
    ),
    sdk_only(
        0x00000148,
        "IO_OBJECT_INVALID",
        "An invalid I/O object was found. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000149,
        "REFS_FILE_SYSTEM",
        "The ReFS file system hit an unrecoverable problem.",
        [
            p("Source line", K::Other),
            p("Exception record", K::ExceptionRecord),
            p("Context record", K::ContextRecord),
            p("Address where the exception was raised", K::CodeAddress),
        ],
    ),
    known(
        0x0000014A,
        "KERNEL_WMI_INTERNAL",
        "Kernel WMI hit a fatal internal error.",
        [
            p(
                "0: entry reference count went up from 0, 1: data source removed early",
                K::Subcode,
            ),
            p("Depends on Arg1", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000014B,
        "SOC_SUBSYSTEM_FAILURE",
        "A System on a Chip (SoC) subsystem failed in a way that cannot be recovered.",
        [
            p("SOC_SUBSYSTEM_FAILURE_DETAILS", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Vendor data block, if any", K::Pointer),
        ],
    ),
    known(
        0x0000014C,
        "FATAL_ABNORMAL_RESET_ERROR",
        "A fatal error or abnormal reset happened.",
        NONE,
    ),
    known(
        0x0000014D,
        "EXCEPTION_SCOPE_INVALID",
        "Exception dispatching found an internal inconsistency.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000014E,
        "SOC_CRITICAL_DEVICE_REMOVED",
        "A critical SoC device was removed or failed unexpectedly.",
        [
            p(
                "ID of the removed device (packed 4 characters), if known",
                K::Other,
            ),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000014F,
        "PDC_WATCHDOG_TIMEOUT",
        "A component did not respond in time, so the system could not leave connected standby.",
        [
            p("Client ID of the hung component", K::Other),
            p("Client type of the hung component", K::Other),
            p("Depends on Arg2", K::Pointer),
            p("PDC triage block", K::Pointer),
        ],
    ),
    known(
        0x00000150,
        "TCPIP_AOAC_NIC_ACTIVE_REFERENCE_LEAK",
        "A network interface active reference was not released after its send queue drained.",
        NONE,
    ),
    known(
        0x00000151,
        "UNSUPPORTED_INSTRUCTION_MODE",
        "Code ran in a processor instruction mode that is not supported, for example classic ARM instead of Thumb-2.",
        [
            p("Program counter when detected", K::CodeAddress),
            p("Trap frame", K::TrapFrame),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000152,
        "INVALID_PUSH_LOCK_FLAGS",
        "Invalid flags were passed to a push lock routine.",
        [
            p("Invalid flags", K::Other),
            p("Push lock", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000153,
        "KERNEL_LOCK_ENTRY_LEAKED_ON_THREAD_TERMINATION",
        "A thread ended before freeing all its AutoBoost lock entries.",
        [
            p("Thread", K::Pointer),
            p("Entry not freed", K::Pointer),
            p(
                "State of the entry (1 lock pointer not NULL, 2 reserved bits set, 3 thread pointer corrupt, 4 boosts left)",
                K::Other,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000154,
        "UNEXPECTED_STORE_EXCEPTION",
        "The memory store component (compressed memory) caught an exception it did not expect, often a failing disk or memory.",
        [
            p("Store context or data manager", K::Pointer),
            p("Exception information", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000155,
        "OS_DATA_TAMPERING",
        "Tampering with operating system data was detected.",
        NONE,
    ),
    known(
        0x00000156,
        "WINSOCK_DETECTED_HUNG_CLOSESOCKET_LIVEDUMP",
        "Live dump: Winsock found a close request on a transport endpoint that hangs.",
        [
            p("AFD endpoint", K::Pointer),
            p(
                "Transport endpoint type (1 UDP, 2 raw, 3 TCP listener, 4 TCP)",
                K::Other,
            ),
            p("Buffered send bytes (datagram endpoints)", K::Count),
            p("Netio triage block", K::Pointer),
        ],
    ),
    known(
        0x00000157,
        "KERNEL_THREAD_PRIORITY_FLOOR_VIOLATION",
        "An invalid operation was done on a thread's priority floor.",
        [
            p("Thread", K::Pointer),
            p("Target priority", K::Other),
            p(
                "Kind: 1 counter overflow, 2 counter underflow, 3 illegal priority",
                K::Other,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000158,
        "ILLEGAL_IOMMU_PAGE_FAULT",
        "The IOMMU reported a page fault for an address space ID that is not valid.",
        [
            p("Invalid ASID", K::Other),
            p("ASIDs in use", K::Count),
            p("Process using the ASID", K::Pointer),
            p("Reference count of the ASID", K::Count),
        ],
    ),
    known(
        0x00000159,
        "HAL_ILLEGAL_IOMMU_PAGE_FAULT",
        "The IOMMU reported a page fault for an address space ID being freed; a driver left requests in flight.",
        [
            p("IOMMU vendor selector", K::Other),
            p("Fault packet, or status", K::Pointer),
            p("Vendor data", K::Other),
            p("Vendor data", K::Other),
        ],
    ),
    known(
        0x0000015A,
        "SDBUS_INTERNAL_ERROR",
        "An SD-attached device failed in a way that cannot be recovered.",
        [
            p("SD work packet that failed", K::Pointer),
            p("Controller socket information", K::Pointer),
            p("SD request packet", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000015B,
        "WORKER_THREAD_RETURNED_WITH_SYSTEM_PAGE_PRIORITY_ACTIVE",
        "A worker routine left its thread's system page priority raised.",
        [
            p("Worker routine", K::CodeAddress),
            p("Current system page priority", K::Other),
            p("Work item parameter", K::Other),
            p("Work item", K::Pointer),
        ],
    ),
    known(
        0x0000015C,
        "PDC_WATCHDOG_TIMEOUT_LIVEDUMP",
        "Live dump: a component did not respond in time while entering or leaving connected standby.",
        [
            p("Client ID of the hung component", K::Other),
            p("Client type of the hung component", K::Other),
            p("Depends on Arg2", K::Pointer),
            p("PDC triage block", K::Pointer),
        ],
    ),
    known(
        0x0000015D,
        "SOC_SUBSYSTEM_FAILURE_LIVEDUMP",
        "Live dump: a System on a Chip subsystem hit a critical fault.",
        [
            p("SOC_SUBSYSTEM_FAILURE_DETAILS", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Vendor data block, if any", K::Pointer),
        ],
    ),
    known(
        0x0000015E,
        "BUGCODE_NDIS_DRIVER_LIVE_DUMP",
        "Live dump: NDIS captured the state after a network driver problem.",
        [
            p("Kind of NDIS problem", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x0000015F,
        "CONNECTED_STANDBY_WATCHDOG_TIMEOUT_LIVEDUMP",
        "Live dump: a connected standby watchdog expired.",
        [
            p("Kind of watchdog", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x00000160,
        "WIN32K_ATOMIC_CHECK_FAILURE",
        "A win32k function broke an ATOMICCHECK assertion.",
        [
            p(
                "Functions on the stack inside an atomic operation",
                K::Count,
            ),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000161,
        "LIVE_SYSTEM_DUMP",
        "Live dump: an administrator asked for a live memory dump (for example from Task Manager).",
        [
            p(
                "Requester tag ('Taskmgr' encoded as 0x005461736b6d6772)",
                K::Other,
            ),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000162,
        "KERNEL_AUTO_BOOST_INVALID_LOCK_RELEASE",
        "A lock tracked by AutoBoost was released by a thread that did not own it.",
        [
            p("Thread", K::Pointer),
            p("Lock", K::Pointer),
            p("Session ID of the thread", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000163,
        "WORKER_THREAD_TEST_CONDITION",
        "A kernel worker thread test reported a failure.",
        [
            p("Active test flags", K::Other),
            p("Flag of the failing test", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000164,
        "WIN32K_CRITICAL_FAILURE",
        "Win32k hit a critical failure.",
        [
            p("Kind of failure", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
        ],
    ),
    known(
        0x00000165,
        "CLUSTER_CSV_STATUS_IO_TIMEOUT_LIVEDUMP",
        "Live dump: a cluster shared volume I/O took too long and was failed with STATUS_IO_TIMEOUT.",
        [
            p("Cluster service process ID, if any", K::Other),
            p("Node ID that saw the timeout", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000166,
        "CLUSTER_RESOURCE_CALL_TIMEOUT_LIVEDUMP",
        "Live dump: a cluster resource call took longer than its timeout.",
        [
            p("Resource host monitor process ID", K::Other),
            p("Thread ID handling the call", K::Other),
            p(
                "Call type (1 open, 2 close, 3 online, 4 offline, ...)",
                K::Other,
            ),
            p("Control code for control calls", K::Other),
        ],
    ),
    known(
        0x00000167,
        "CLUSTER_CSV_SNAPSHOT_DEVICE_INFO_TIMEOUT_LIVEDUMP",
        "Live dump: the cluster service's snapshot query to volsnap took too long.",
        [
            p("Cluster service process ID", K::Other),
            p("Thread ID handling the query", K::Other),
            p("1: volume active, 2: volume already down", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000168,
        "CLUSTER_CSV_STATE_TRANSITION_TIMEOUT_LIVEDUMP",
        "Live dump: a cluster shared volume state transition took too long.",
        [
            p("Cluster service process ID", K::Other),
            p("Target state ID", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000169,
        "CLUSTER_CSV_VOLUME_ARRIVAL_LIVEDUMP",
        "Live dump: a new cluster shared volume did not arrive in time.",
        [
            p("Cluster service process ID", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000016A,
        "CLUSTER_CSV_VOLUME_REMOVAL_LIVEDUMP",
        "Live dump: a cluster shared volume removal request timed out.",
        [
            p("Cluster service process ID", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000016B,
        "CLUSTER_CSV_CLUSTER_WATCHDOG_LIVEDUMP",
        "Live dump: the cluster service watchdog saw a thread stuck for a long time.",
        [
            p("Cluster service process ID", K::Other),
            p("ID of the stuck thread", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000016C,
        "INVALID_RUNDOWN_PROTECTION_FLAGS",
        "Invalid flags were passed to a rundown protection routine.",
        [
            p("Invalid flags", K::Other),
            p("Rundown reference", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000016D,
        "INVALID_SLOT_ALLOCATOR_FLAGS",
        "Invalid flags were passed to a slot allocator routine.",
        [
            p("Invalid flags", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000016E,
        "ERESOURCE_INVALID_RELEASE",
        "ExReleaseResourceForThreadLite was given an invalid target thread.",
        [
            p("Resource being released", K::Pointer),
            p("Current thread", K::Pointer),
            p("Invalid target thread", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000016F,
        "CLUSTER_CSV_STATE_TRANSITION_INTERVAL_TIMEOUT_LIVEDUMP",
        "Live dump: the next cluster shared volume state transition request did not arrive.",
        [
            p("Cluster service process ID", K::Other),
            p("Target state ID", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000170,
        "CLUSTER_CSV_CLUSSVC_DISCONNECT_WATCHDOG",
        "A cluster disconnect is not making progress.",
        [
            p("ID of the thread handling the disconnect", K::Other),
            p("Timeout in milliseconds", K::Count),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000171,
        "CRYPTO_LIBRARY_INTERNAL_ERROR",
        "The cryptographic libraries hit an internal error.",
        [
            p("Failure ID", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x00000172,
        "SECURE_KERNEL_HIBERNATE_ERROR",
        "The secure kernel failed during hibernation. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000173,
        "COREMSGCALL_INTERNAL_ERROR",
        "CoreMessageCall hit an error it cannot recover from.",
        [
            p("Kind of failure", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000174,
        "COREMSG_INTERNAL_ERROR",
        "CoreMessaging hit an error it cannot recover from.",
        [
            p("Kind of failure", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000175,
        "PREVIOUS_FATAL_ABNORMAL_RESET_ERROR",
        "Live dump: collects device crash data after a previous fatal error or abnormal reset (phones).",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x00000176,
        "STORAGE_STACK_FATAL_ERROR",
        "The storage stack hit a fatal error. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000178,
        "ELAM_DRIVER_DETECTED_FATAL_ERROR",
        "An early-launch anti-malware (ELAM) driver found a fatal error.",
        [
            p("Kind of failure", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Other),
            p("Vendor data block, if any", K::Pointer),
        ],
    ),
    known(
        0x00000179,
        "CLUSTER_CLUSPORT_STATUS_IO_TIMEOUT_LIVEDUMP",
        "Live dump: an SMB I/O from the cluster initiator to a target node took too long.",
        [
            p("IRP that timed out", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000017B,
        "PROFILER_CONFIGURATION_ILLEGAL",
        "The profiler was configured illegally.",
        NONE,
    ),
    known(
        0x0000017C,
        "PDC_LOCK_WATCHDOG_LIVEDUMP",
        "Live dump: a thread held the PDC lock for too long.",
        [
            p("Thread holding the lock", K::Pointer),
            p("Lock watchdog timeout in milliseconds", K::Count),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000017D,
        "PDC_UNEXPECTED_REVOCATION_LIVEDUMP",
        "Live dump: a power activator was revoked unexpectedly.",
        [
            p("Client ID of the revoked activator", K::Other),
            p("Revoked activator client", K::Pointer),
            p("Revoked activation instance", K::Pointer),
            p("Client process information", K::Pointer),
        ],
    ),
    known(
        0x0000017E,
        "MICROCODE_REVISION_MISMATCH",
        "Processors in this machine run different microcode revisions.",
        [
            p("CPUID signature of the mismatching processor", K::Other),
            p("Expected microcode revision", K::Other),
            p("Reported microcode revision", K::Other),
            p("Index of the mismatching processor", K::Count),
        ],
    ),
    sdk_only(
        0x0000017F,
        "HYPERGUARD_INITIALIZATION_FAILURE",
        "HyperGuard failed to initialize. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000180,
        "WVR_LIVEDUMP_REPLICATION_IOCONTEXT_TIMEOUT",
        "Live dump: a volume replication I/O context timed out. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000181,
        "WVR_LIVEDUMP_STATE_TRANSITION_TIMEOUT",
        "Live dump: a volume replication state transition timed out. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000182,
        "WVR_LIVEDUMP_RECOVERY_IOCONTEXT_TIMEOUT",
        "Live dump: a volume replication recovery I/O context timed out. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000183,
        "WVR_LIVEDUMP_APP_IO_TIMEOUT",
        "Live dump: an application I/O to a replicated volume timed out. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000184,
        "WVR_LIVEDUMP_MANUALLY_INITIATED",
        "Live dump: requested by hand for volume replication. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000185,
        "WVR_LIVEDUMP_STATE_FAILURE",
        "Live dump: volume replication entered a failed state. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000186,
        "WVR_LIVEDUMP_CRITICAL_ERROR",
        "Live dump: volume replication hit a critical error. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000187,
        "VIDEO_DWMINIT_TIMEOUT_FALLBACK_BDD",
        "Live dump: the display fell back to the basic display driver because DWM did not start.",
        [
            p("Reason code", K::Subcode),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000188,
        "CLUSTER_CSVFS_LIVEDUMP",
        "Live dump: the cluster shared volume file system found an inconsistent state.",
        [
            p("Reason code", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000189,
        "BAD_OBJECT_HEADER",
        "An object header (OBJECT_HEADER) is corrupt.",
        [
            p("Bad OBJECT_HEADER", K::Pointer),
            p("OBJECT_TYPE the type index resolves to", K::Pointer),
            p(
                "0: type index corrupt, 1: security descriptor invalid",
                K::Other,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x0000018A,
        "SILO_CORRUPT",
        "A silo (server container) structure is corrupt. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x0000018B,
        "SECURE_KERNEL_ERROR",
        "The secure kernel hit a fatal error.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000018C,
        "HYPERGUARD_VIOLATION",
        "HyperGuard found critical kernel code or data modified.",
        [
            p("Type of region corrupted", K::Other),
            p("Depends on the failure type", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000018D,
        "SECURE_FAULT_UNHANDLED",
        "A secure fault raised by the secure kernel could not be handled.",
        [
            p("Secure fault code bits", K::Other),
            p("Secure fault virtual address, for some faults", K::Address),
            p("Exception record", K::ExceptionRecord),
            p("Context record", K::ContextRecord),
        ],
    ),
    known(
        0x0000018E,
        "KERNEL_PARTITION_REFERENCE_VIOLATION",
        "A partition object was dereferenced wrongly, usually by a driver that does not balance its references.",
        [
            p("Kind of failure", K::Subcode),
            p("Partition", K::Pointer),
            p("Depends on Arg1", K::Count),
            p("Depends on Arg1", K::Other),
        ],
    ),
    sdk_only(
        0x0000018F,
        "SYNTHETIC_EXCEPTION_UNHANDLED",
        "A synthetic exception was not handled. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000190,
        "WIN32K_CRITICAL_FAILURE_LIVEDUMP",
        "Live dump: win32k hit a critical failure.",
        [
            p("Kind of failure", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
        ],
    ),
    known(
        0x00000191,
        "PF_DETECTED_CORRUPTION",
        "The prefetcher found its data corrupt.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000192,
        "KERNEL_AUTO_BOOST_LOCK_ACQUISITION_WITH_RAISED_IRQL",
        "A lock tracked by AutoBoost was acquired at DISPATCH_LEVEL or above.",
        [
            p("Thread", K::Pointer),
            p("Lock", K::Pointer),
            p("IRQL at which the lock was acquired", K::Irql),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000193,
        "VIDEO_DXGKRNL_LIVEDUMP",
        "Live dump: requested by the DirectX graphics kernel.",
        [
            p("Reason code", K::Subcode),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000195,
        "SMB_SERVER_LIVEDUMP",
        "Live dump: the SMB server found a problem, such as an I/O that never completed.",
        [
            p("Reason code", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000196,
        "LOADER_ROLLBACK_DETECTED",
        "The OS loader is older (by security version) than the operating system.",
        [
            p("Loader security version", K::Other),
            p("OS security version", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000197,
        "WIN32K_SECURITY_FAILURE",
        "Win32k detected a security failure.",
        [
            p("Kind of failure", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
        ],
    ),
    known(
        0x00000198,
        "UFX_LIVEDUMP",
        "Live dump: the USB function stack (UFX) found a failure.",
        [
            p("Kind of failure", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000199,
        "KERNEL_STORAGE_SLOT_IN_USE",
        "A storage slot could not be freed because an object still uses it.",
        [
            p("Storage array", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000019A,
        "WORKER_THREAD_RETURNED_WHILE_ATTACHED_TO_SILO",
        "A worker routine returned while still attached to a silo.",
        [
            p("Worker routine", K::CodeAddress),
            p("Work item parameter", K::Other),
            p("Work item", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000019B,
        "TTM_FATAL_ERROR",
        "The terminal topology manager hit a fatal error.",
        [
            p("Kind of failure", K::Subcode),
            p("Depends on Arg1", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x0000019C,
        "WIN32K_POWER_WATCHDOG_TIMEOUT",
        "Win32k did not turn the monitor on in time.",
        [
            p(
                "Stage that hung (win32kbase!POWER_WATCHDOG_TYPE)",
                K::Subcode,
            ),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
        ],
    ),
    known(
        0x0000019D,
        "CLUSTER_SVHDX_LIVEDUMP",
        "Live dump: the shared virtual disk filter found an inconsistent state.",
        [
            p("Reason code", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::NtStatus),
        ],
    ),
    sdk_only(
        0x0000019E,
        "BUGCODE_NETADAPTER_DRIVER",
        "A network driver managed by NetAdapterCx caused an error. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x0000019F,
        "PDC_PRIVILEGE_CHECK_LIVEDUMP",
        "Live dump: a power dependency coordinator privilege check failed. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000001A0,
        "TTM_WATCHDOG_TIMEOUT",
        "The terminal topology manager saw a device operation not finish in time.",
        [
            p("Kind of operation", K::Subcode),
            p("Device", K::Pointer),
            p("Worker thread", K::Pointer),
            p("Callout routine", K::CodeAddress),
        ],
    ),
    known(
        0x000001A1,
        "WIN32K_CALLOUT_WATCHDOG_LIVEDUMP",
        "Live dump: a callout into win32k did not return in time.",
        [
            p("Thread blocking the callout", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001A2,
        "WIN32K_CALLOUT_WATCHDOG_BUGCHECK",
        "A callout into win32k did not return in time.",
        [
            p("Thread blocking the callout", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001A3,
        "CALL_HAS_NOT_RETURNED_WATCHDOG_TIMEOUT_LIVEDUMP",
        "Live dump: a call did not return within its watchdog timeout.",
        [
            p("Process of the thread", K::Pointer),
            p("Thread whose call did not return", K::Pointer),
            p("Timeout in milliseconds", K::Count),
            p("Watchdog triage block", K::Pointer),
        ],
    ),
    known(
        0x000001A4,
        "DRIPS_SW_HW_DIVERGENCE_LIVEDUMP",
        "Live dump: time in software and hardware deepest idle state (DRIPS) diverged too far.",
        [
            p("Microseconds in software DRIPS", K::Count),
            p("Microseconds in hardware DRIPS", K::Count),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001A5,
        "USB_DRIPS_BLOCKER_SURPRISE_REMOVAL_LIVEDUMP",
        "Live dump: a USB device blocking deepest idle state (DRIPS) will be surprise-removed.",
        [
            p("PDO of the blocking device", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001A6,
        "BLUETOOTH_ERROR_RECOVERY_LIVEDUMP",
        "Live dump: the Bluetooth radio driver started error recovery.",
        [
            p("PDO of the Bluetooth radio", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001A7,
        "SMB_REDIRECTOR_LIVEDUMP",
        "Live dump: the SMB redirector found a problem, such as an I/O that never completed.",
        [
            p("Reason code", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001A8,
        "VIDEO_DXGKRNL_BLACK_SCREEN_LIVEDUMP",
        "Live dump: requested by a user for a black screen (DirectX graphics kernel).",
        [
            p("What triggered the dump", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001A9,
        "DIRECTED_FX_TRANSITION_LIVEDUMP",
        "Live dump: a device failed a directed power transition.",
        [
            p("POP_FX_DEVICE", K::Pointer),
            p("1: power down, 0: power up", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001AA,
        "EXCEPTION_ON_INVALID_STACK",
        "Exception dispatch crossed onto a kernel stack that is not valid, for example from stack corruption.",
        [
            p("Current stack", K::Pointer),
            p(
                "Kind of stack limits expected (3 = normal thread stack)",
                K::Other,
            ),
            p(
                "Context record being unwound or dispatched",
                K::ContextRecord,
            ),
            p("Exception record being dispatched", K::ExceptionRecord),
        ],
    ),
    known(
        0x000001AB,
        "UNWIND_ON_INVALID_STACK",
        "Stack unwinding crossed onto a kernel stack that is not valid, for example from stack corruption.",
        [
            p("Current stack", K::Pointer),
            p(
                "Kind of stack limits expected (3 = normal thread stack)",
                K::Other,
            ),
            p("Context record being unwound", K::ContextRecord),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001B0,
        "VIDEO_MINIPORT_FAILED_LIVEDUMP",
        "Live dump: a video miniport failed to add or start.",
        [
            p("1: add device failed, 2: start device failed", K::Subcode),
            p("Status", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001B8,
        "VIDEO_MINIPORT_BLACK_SCREEN_LIVEDUMP",
        "Live dump: requested by a user for a black screen (video miniport).",
        [
            p("What triggered the dump", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001C4,
        "DRIVER_VERIFIER_DETECTED_VIOLATION_LIVEDUMP",
        "Live dump: Driver Verifier found a violation and recorded it without crashing.",
        [
            p("Kind of violation", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000001C5,
        "IO_THREADPOOL_DEADLOCK_LIVEDUMP",
        "Live dump: a kernel thread pool deadlocked.",
        [
            p("Pool number", K::Other),
            p("Work queue", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001C6,
        "FAST_ERESOURCE_PRECONDITION_VIOLATION",
        "A thread called a fast resource routine in a way that is not allowed.",
        [
            p("Kind of violation", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000001C7,
        "STORE_DATA_STRUCTURE_CORRUPTION",
        "The store component found its data structures corrupt.",
        [
            p("Corruption ID", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000001C8,
        "MANUALLY_INITIATED_POWER_BUTTON_HOLD",
        "The user held the power button long enough to ask for a crash dump before a hard reset.",
        [
            p("Milliseconds the button was held", K::Count),
            p("Power button triage block", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001C9,
        "USER_MODE_HEALTH_MONITOR_LIVEDUMP",
        "Live dump: a critical user-mode component failed its health check in time.",
        [
            p("Process that missed the health check", K::Pointer),
            p("Health-check timeout in seconds", K::Count),
            p("Watchdog source", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001CA,
        "SYNTHETIC_WATCHDOG_TIMEOUT",
        "A system-wide watchdog expired: the system is hung and no longer processing timer ticks.",
        [
            p("Interrupt time since the watchdog was last reset", K::Count),
            p("Current interrupt time", K::Count),
            p("Current QPC timestamp", K::Count),
            p("Index of the clock processor", K::Count),
        ],
    ),
    known(
        0x000001CB,
        "INVALID_SILO_DETACH",
        "A thread exited without detaching from a silo.",
        [
            p("Attached thread", K::Pointer),
            p("Previously attached silo", K::Pointer),
            p("Process of the thread", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001CC,
        "EXRESOURCE_TIMEOUT_LIVEDUMP",
        "Live dump: a kernel ERESOURCE timed out, a deadlock or heavy contention.",
        [
            p("ERESOURCE that timed out", K::Pointer),
            p("Thread that noticed", K::Pointer),
            p("Contention count", K::Count),
            p("Timeout in seconds", K::Count),
        ],
    ),
    known(
        0x000001CD,
        "INVALID_CALLBACK_STACK_ADDRESS",
        "A callback stack pointed into user mode.",
        NONE,
    ),
    known(
        0x000001CE,
        "INVALID_KERNEL_STACK_ADDRESS",
        "A context switch found an invalid initial kernel stack address.",
        NONE,
    ),
    known(
        0x000001CF,
        "HARDWARE_WATCHDOG_TIMEOUT",
        "A hardware watchdog expired: the system is hung and no longer processing timer ticks.",
        [
            p("Interrupt time since the watchdog was last reset", K::Count),
            p("Current interrupt time", K::Count),
            p("Current QPC timestamp", K::Count),
            p("Index of the clock processor", K::Count),
        ],
    ),
    known(
        0x000001D0,
        "ACPI_FIRMWARE_WATCHDOG_TIMEOUT",
        "The ACPI driver did not finish an operation (typically a firmware AML method) in time.",
        [
            p("AML context", K::Pointer),
            p("Name of the AML context", K::Pointer),
            p("ACPI device extension", K::Pointer),
            p("ACPI triage block", K::Pointer),
        ],
    ),
    known(
        0x000001D1,
        "TELEMETRY_ASSERTS_LIVEDUMP",
        "Live dump: a telemetry assertion failed.",
        [
            p("RVA", K::Other),
            p("Module name", K::Pointer),
            p("Time stamp", K::Other),
            p("Size of image", K::Count),
        ],
    ),
    known(
        0x000001D2,
        "WORKER_THREAD_INVALID_STATE",
        "An executive worker thread is in an invalid state.",
        [
            p("Kind of failure", K::Subcode),
            p("Worker thread", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001D3,
        "WFP_INVALID_OPERATION",
        "A Windows Filtering Platform callout did something not allowed.",
        [
            p("Kind of invalid operation", K::Subcode),
            p("Reserved", K::Reserved),
            p("Depends on Arg1", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001D4,
        "UCMUCSI_LIVEDUMP",
        "Live dump: the UCSI (USB Type-C) class extension hit an error.",
        [
            p("Kind of failure", K::Subcode),
            p("UCSI command", K::Other),
            p("Extra information, if nonzero", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001D5,
        "DRIVER_PNP_WATCHDOG",
        "A driver did not finish a Plug and Play operation in time.",
        [
            p("First characters of the service name", K::Other),
            p("PnP watchdog triage block", K::Pointer),
            p("Thread responsible", K::Pointer),
            p("Milliseconds since the watchdog was armed", K::Count),
        ],
    ),
    known(
        0x000001D6,
        "WORKER_THREAD_RETURNED_WITH_NON_DEFAULT_WORKLOAD_CLASS",
        "A worker routine changed its workload class and did not restore it.",
        [
            p("Worker routine", K::CodeAddress),
            p("Current workload class", K::Other),
            p("Work item parameter", K::Other),
            p("Work item", K::Pointer),
        ],
    ),
    known(
        0x000001D7,
        "EFS_FATAL_ERROR",
        "EFS hit an error it cannot handle without losing or corrupting data.",
        [
            p("Subclass (1: pre-offload failure)", K::Subcode),
            p("Status of the operation", K::NtStatus),
            p("Current IRP", K::Pointer),
            p("File encryption context", K::Pointer),
        ],
    ),
    known(
        0x000001D8,
        "UCMUCSI_FAILURE",
        "The UCSI (USB Type-C) class extension hit an error.",
        [
            p("0: command timed out, 1: command failed", K::Subcode),
            p("UCSI command", K::Other),
            p("Extra information, if nonzero", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001D9,
        "HAL_IOMMU_INTERNAL_ERROR",
        "The HAL IOMMU library found an internal error.",
        [
            p("Failed operation", K::Subcode),
            p("Depends on Arg1", K::NtStatus),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000001DA,
        "HAL_BLOCKED_PROCESSOR_INTERNAL_ERROR",
        "The HAL blocked-processor library found an internal error.",
        [
            p("Kind of failure", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000001DB,
        "IPI_WATCHDOG_TIMEOUT",
        "A processor stayed in an inter-processor interrupt (IPI) loop too long.",
        [
            p("QPC frequency", K::Count),
            p("Current QPC", K::Count),
            p("Baseline QPC", K::Count),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001DC,
        "DMA_COMMON_BUFFER_VECTOR_ERROR",
        "A driver misused the DMA vectored common buffer routines.",
        [
            p("Kind of failure", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000001DD,
        "BUGCODE_MBBADAPTER_DRIVER",
        "A mobile broadband driver managed by MBBCx caused an error.",
        [
            p("Failure code", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000001DE,
        "BUGCODE_WIFIADAPTER_DRIVER",
        "A Wi-Fi driver managed by WiFiCx caused an error.",
        [
            p("Failure code", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
        ],
    ),
    known(
        0x000001DF,
        "PROCESSOR_START_TIMEOUT",
        "A processor did not start in time during early boot.",
        [
            p("Processor state", K::Pointer),
            p("Reserved", K::Reserved),
            p("Processor number", K::Count),
            p("Local unit ID of the processor", K::Other),
        ],
    ),
    sdk_only(
        0x000001E0,
        "INVALID_ALTERNATE_SYSTEM_CALL_HANDLER_REGISTRATION",
        "An alternate system call handler was registered in a way that is not allowed. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000001E1,
        "DEVICE_DIAGNOSTIC_LOG_LIVEDUMP",
        "Live dump: a device hit an error and produced diagnostic data.",
        [
            p("Device class", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x000001E2,
        "AZURE_DEVICE_FW_DUMP",
        "A firmware dump was requested for an Azure device. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001E3,
        "BREAKAWAY_CABLE_TRANSITION",
        "A breakaway cable was connected or disconnected. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000001E4,
        "VIDEO_DXGKRNL_SYSMM_FATAL_ERROR",
        "The DirectX graphics kernel's system memory manager detected a violation.",
        [
            p("Kind of violation", K::Subcode),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x000001E5,
        "DRIVER_VERIFIER_TRACKING_LIVE_DUMP",
        "Live dump: taken by Driver Verifier tracking. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001E6,
        "CRASHDUMP_WATCHDOG_TIMEOUT",
        "Writing the crash dump took too long. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001E7,
        "REGISTRY_LIVE_DUMP",
        "Live dump: requested by the registry (configuration manager). Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001E8,
        "INVALID_THREAD_AFFINITY_STATE",
        "A thread's affinity state is invalid. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000001E9,
        "ILLEGAL_ATS_INITIALIZATION",
        "A driver enabled Address Translation Services on a device already enabled for shared virtual memory.",
        [
            p("Physical device object", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x000001EA,
        "SECURE_PCI_CONFIG_SPACE_ACCESS_VIOLATION",
        "PCI configuration space was accessed from VTL0 through the mapped MCFG range while secure PCI is on.",
        [
            p("Opcode that faulted", K::Other),
            p("Requester ID of the device", K::Other),
            p("Configuration space offset", K::Other),
            p("Instruction address that faulted", K::CodeAddress),
        ],
    ),
    known(
        0x000001EB,
        "DAM_WATCHDOG_TIMEOUT",
        "The Desktop Activity Moderator could not unfreeze user processes in time after resume from modern standby.",
        [
            p("Session delay context", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x000001EC,
        "HANDLE_LIVE_DUMP",
        "Live dump: taken for a handle error. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000001ED,
        "HANDLE_ERROR_ON_CRITICAL_THREAD",
        "An invalid handle was used in kernel mode on a system-critical thread.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x000001F0,
        "USB4_HARDWARE_VIOLATION",
        "USB4 hardware broke the protocol rules. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000001F1,
        "KASAN_ENLIGHTENMENT_VIOLATION",
        "The Kernel Address Sanitizer (KASAN) hit an internal error.",
        [
            p("Kind of operation", K::Other),
            p("Kind of internal error", K::Other),
            p("Extra information", K::Other),
            p("Extra information", K::Other),
        ],
    ),
    known(
        0x000001F2,
        "KASAN_ILLEGAL_ACCESS",
        "The Kernel Address Sanitizer (KASAN) caught an illegal memory access.",
        [
            p("Address accessed", K::Address),
            p("Size of the access", K::Count),
            p("Address of the caller", K::CodeAddress),
            p(
                "Bits 0-7: KASAN shadow code, bit 8: 1 write, 0 read",
                K::AccessType,
            ),
        ],
    ),
    sdk_only(
        0x000001F3,
        "IORING",
        "An I/O ring hit a fatal error. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001F4,
        "MDL_CACHE",
        "The MDL cache hit a fatal error. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000001F5,
        "APPLICATION_HANG_KERNEL_LIVEDUMP",
        "Live dump: an application hung while being terminated.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x000001F6,
        "MISALIGNED_POINTER_PARAMETER",
        "A misaligned pointer was passed as an argument. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001F7,
        "MSSECCORE_ASSERTION_FAILURE",
        "A security core assertion failed. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001F8,
        "INVALID_MINIMAL_PROCESS_STATE",
        "A minimal process is in an invalid state. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001F9,
        "PREVIOUS_MODE_MISMATCH",
        "A thread's previous mode is not what it should be. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001FA,
        "SMB_SRV_REQUEST_VALIDATION_FAILURE",
        "The SMB server found a request that fails validation. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001FB,
        "IOMMU_INTERRUPT_REMAPPING_FAULT",
        "The IOMMU reported an interrupt remapping fault. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001FC,
        "WIN32K_CALLOUT_UNREGISTER_FAILED",
        "Unregistering a win32k callout failed. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001FD,
        "HAL_SPE_INTERNAL_ERROR",
        "The HAL's SPE support hit an internal error. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x000001FE,
        "SMB_CLIENT_REQUEST_VALIDATION_FAILURE",
        "The SMB client found a message that fails validation. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000200,
        "CPU_SCHEDULER_INTERNAL_ERROR",
        "The CPU scheduler hit an internal error. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000201,
        "PROCESS_TERMINATE_LIKELY_DEADLOCK",
        "Terminating a process has probably deadlocked. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000202,
        "UNEXPECTED_CODEPATH",
        "Code reached a path that should never run. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000203,
        "INVALID_EXTENSION_STATE",
        "An extension is in an invalid state. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000207,
        "STORAGE_DRIVER_LIVEDUMP",
        "Live dump: taken by a storage driver. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000356,
        "XBOX_ERACTRL_CS_TIMEOUT",
        "The Xbox eractrl.sys driver could not move the console into or out of connected standby in time. The SDK header names this code XBOX_VMCTRL_CS_TIMEOUT.",
        [
            p("Connected standby exit", K::Other),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x00000357,
        "XBOX_CORRUPTED_IMAGE",
        "An Xbox image is corrupt. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000358,
        "XBOX_INVERTED_FUNCTION_TABLE_OVERFLOW",
        "The Xbox inverted function table overflowed. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000359,
        "XBOX_CORRUPTED_IMAGE_BASE",
        "An Xbox image base is corrupt. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x0000035A,
        "XBOX_XDS_WATCHDOG_TIMEOUT",
        "An Xbox XDS watchdog expired. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x0000035B,
        "XBOX_SHUTDOWN_WATCHDOG_TIMEOUT",
        "An Xbox shutdown watchdog expired. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x0000035D,
        "XBOX_CANNOT_MANAGE_PARTITION_MEMORY",
        "The Xbox could not manage partition memory. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000360,
        "XBOX_360_SYSTEM_CRASH",
        "An Xbox 360 system crash. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000420,
        "XBOX_360_SYSTEM_CRASH_RESERVED",
        "Reserved for Xbox 360 system crashes. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000421,
        "XBOX_SECURITY_FAILUE",
        "An Xbox security failure. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x00000422,
        "KERNEL_CFG_INIT_FAILURE",
        "Kernel control flow guard failed to initialize. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x00000BFE,
        "BC_BLUETOOTH_VERIFIER_FAULT",
        "The Bluetooth verifier caught a driver misusing a Bluetooth request block.",
        [
            p("Kind of Bluetooth verifier fault", K::Subcode),
            p("Depends on Arg1", K::Pointer),
            p("Depends on Arg1", K::Pointer),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00000BFF,
        "BC_BTHMINI_VERIFIER_FAULT",
        "The Bluetooth miniport verifier caught a violation.",
        [
            p("Kind of Bluetooth miniport fault", K::Subcode),
            p("Depends on Arg1", K::Other),
            p("Depends on Arg1", K::Other),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x000011C8,
        "MANUALLY_INITIATED_POWER_BUTTON_HOLD_LIVE_DUMP",
        "Live dump: the user held the power button. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0x000021C8,
        "MANUALLY_INITIATED_BLACKSCREEN_HOTKEY_LIVE_DUMP",
        "Live dump: the user pressed the black-screen hot key (Ctrl+Shift+Win+B).",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x00020001,
        "HYPERVISOR_ERROR",
        "The hypervisor hit a fatal error.",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_only(
        0x00030006,
        "XBOX_MANUALLY_INITIATED_CRASH",
        "A crash started on purpose on an Xbox. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_known(
        0x10000050,
        "PAGE_FAULT_IN_NONPAGED_AREA_M",
        "Memory that is not valid was referenced, typically through a bad pointer or freed memory. Variant code 0x10000050 with the same meaning and arguments as 0x50. This variant is named in the SDK header, not in the public reference.",
        [
            p("Memory address that was referenced", K::Address),
            p(
                "Access: 0 read, 2 write, 0x10 execute on x86 and x64 since Windows 10, 1 write and 8 execute on ARM (1 also meant write before Windows 10)",
                K::AccessType,
            ),
            p(
                "Instruction address that made the reference, if known",
                K::CodeAddress,
            ),
            p(
                "Kind of page fault: 0 freed PTE, 2 page table not present, 3 wrong session, 4 non-canonical address, 0xF user address not allowed",
                K::Other,
            ),
        ],
    ),
    known(
        0x1000007E,
        "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M",
        "A system thread raised an exception that no handler caught. Variant code 0x1000007E with the same meaning and arguments as 0x7E.",
        [
            p("Exception code that was not handled", K::NtStatus),
            p("Address where the exception was raised", K::CodeAddress),
            p("Exception record", K::ExceptionRecord),
            p("Context record", K::ContextRecord),
        ],
    ),
    with_subcodes(
        0x1000007F,
        "UNEXPECTED_KERNEL_MODE_TRAP_M",
        "The processor raised a trap the kernel could not handle, most often a double fault from a kernel stack overflow or failing hardware. Variant code 0x1000007F with the same meaning and arguments as 0x7F.",
        [
            p(
                "Trap number (8 = double fault, 0 = divide error, 6 = invalid opcode, ...)",
                K::Subcode,
            ),
            p("Depends on the trap", K::Other),
            p("Depends on the trap", K::Other),
            p("Depends on the trap", K::Other),
        ],
        S7F,
    ),
    known(
        0x1000008E,
        "KERNEL_MODE_EXCEPTION_NOT_HANDLED_M",
        "Kernel-mode code raised an exception that no handler caught. Variant code 0x1000008E with the same meaning and arguments as 0x8E.",
        [
            p("Exception code that was not handled", K::NtStatus),
            p("Address where the exception was raised", K::CodeAddress),
            p("Trap frame", K::TrapFrame),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_known(
        0x100000D6,
        "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION_M",
        "A driver read or wrote past the end of its pool allocation (Driver Verifier special pool). Variant code 0x100000D6 with the same meaning and arguments as 0xD6. This variant is named in the SDK header, not in the public reference.",
        [
            p("Memory referenced", K::Address),
            p("0: read, 1: write", K::AccessType),
            p(
                "Instruction address that made the reference, if known",
                K::CodeAddress,
            ),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0x100000EA,
        "THREAD_STUCK_IN_DEVICE_DRIVER_M",
        "A thread in a display driver spun forever waiting for the hardware. Variant code 0x100000EA with the same meaning and arguments as 0xEA.",
        [
            p("Stuck thread", K::Pointer),
            p("DEFERRED_WATCHDOG object", K::Pointer),
            p("Name of the offending driver", K::Pointer),
            p(
                "Times this was intercepted (1 on the blue screen)",
                K::Count,
            ),
        ],
    ),
    known(
        0x4000008A,
        "THREAD_TERMINATE_HELD_MUTEX",
        "A thread exited while holding a mutex, for example a driver returning to user mode without releasing it.",
        [
            p("Thread that owns the mutex", K::Pointer),
            p("Mutex", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    sdk_known(
        0x400000AD,
        "VIDEO_DRIVER_DEBUG_REPORT_REQUEST",
        "The video port wrote a non-fatal report on behalf of a display driver. The SDK header gives this code (0x400000AD) the same name as 0xAD.",
        [
            p("Driver specific", K::Other),
            p("Driver specific", K::Other),
            p("Driver specific", K::Other),
            p("Reports requested since boot", K::Count),
        ],
    ),
    sdk_only(
        0x400001EE,
        "MPSDRV_QUERY_USER",
        "The firewall driver (mpsdrv) asked to query the user. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    sdk_only(
        0x400001EF,
        "VMBUS_LIVEDUMP",
        "Live dump: taken by VMBus. Not in the public reference: the name is from the SDK header and this meaning is read from the name.",
    ),
    known(
        0xC0000218,
        "STATUS_CANNOT_LOAD_REGISTRY_FILE",
        "A registry hive file could not be loaded.",
        [
            p("Name of the hive that failed to load", K::Pointer),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0xC000021A,
        "WINLOGON_FATAL_ERROR",
        "A critical user-mode process (winlogon or csrss) ended unexpectedly.",
        [
            p("String naming the problem", K::Pointer),
            p("Status code", K::NtStatus),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
    known(
        0xC0000221,
        "STATUS_IMAGE_CHECKSUM_MISMATCH",
        "A driver or system DLL failed its image checksum: the file is corrupt.",
        NONE,
    ),
    known(
        0xDEADDEAD,
        "MANUALLY_INITIATED_CRASH1",
        "A crash was started on purpose (manually initiated crash).",
        [
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
            p("Reserved", K::Reserved),
        ],
    ),
];

/// Driver Verifier rule names by 0xC4 Arg1 (DDI compliance and NDIS/WIFI rules), sorted.
static VERIFIER_RULES: &[(u64, &str)] = &[
    (0x00020002, "IrqlApcLte"),
    (0x00020003, "IrqlDispatch"),
    (0x00020004, "IrqlExAllocatePool"),
    (0x00020005, "IrqlExApcLte1"),
    (0x00020006, "IrqlExApcLte2"),
    (0x00020007, "IrqlExApcLte3"),
    (0x00020008, "IrqlExPassive"),
    (0x00020009, "IrqlIoApcLte"),
    (0x0002000A, "IrqlIoPassive1"),
    (0x0002000B, "IrqlIoPassive2"),
    (0x0002000C, "IrqlIoPassive3"),
    (0x0002000D, "IrqlIoPassive4"),
    (0x0002000E, "IrqlIoPassive5"),
    (0x0002000F, "IrqlKeApcLte1"),
    (0x00020010, "IrqlKeApcLte2"),
    (0x00020011, "IrqlKeDispatchLte"),
    (0x00020015, "IrqlKeReleaseSpinLock"),
    (0x00020016, "IrqlKeSetEvent"),
    (0x00020019, "IrqlMmApcLte"),
    (0x0002001A, "IrqlMmDispatch"),
    (0x0002001B, "IrqlObPassive"),
    (0x0002001C, "IrqlPsPassive"),
    (0x0002001D, "IrqlReturn"),
    (0x0002001E, "IrqlRtlPassive"),
    (0x0002001F, "IrqlZwPassive"),
    (0x00020022, "IrqlIoDispatch"),
    (0x00020023, "IrqlIoRtlZwPassive"),
    (0x00020024, "IrqlNtifsApcPassive"),
    (0x00020025, "IrqlKeMore"),
    (0x00040003, "CriticalRegions"),
    (0x00040006, "QueuedSpinLock"),
    (0x00040007, "QueuedSpinLockRelease"),
    (0x00040009, "SpinLock"),
    (0x0004000A, "SpinlockRelease"),
    (0x0004000E, "GuardedRegions"),
    (0x0004100B, "RequestedPowerIrp"),
    (0x0004100F, "IoSetCompletionExCompleteIrp"),
    (0x00043006, "PnpRemove"),
    (0x00081001, "KsDeviceMutex"),
    (0x00081002, "KsStreamPointerClone"),
    (0x00081003, "KsStreamPointerLock"),
    (0x00081004, "KsStreamPointerUnlock"),
    (0x00081005, "KsCallbackReturn"),
    (0x00081006, "KsIrqlDeviceCallbacks"),
    (0x00081007, "KsIrqlFilterCallbacks"),
    (0x00081008, "KsIrqlPinCallbacks"),
    (0x00081009, "KsIrqlDDIs"),
    (0x0008100A, "KsFilterMutex"),
    (0x0008100B, "KsProcessingMutex"),
    (0x0008100C, "KsInvalidStreamPointer"),
    (0x00082001, "KsTimedPinSetDeviceState"),
    (0x00082002, "KsTimedDeviceCallbacks"),
    (0x00082003, "KsTimedFilterCallbacks"),
    (0x00082004, "KsTimedPinCallbacks"),
    (0x00082005, "KsTimedProcessingMutex"),
    (0x00091001, "NdisOidComplete"),
    (0x00091002, "NdisOidDoubleComplete"),
    (0x0009100E, "NdisOidDoubleRequest"),
    (0x00092003, "NdisTimedOidComplete"),
    (0x0009200D, "NdisTimedDataSend"),
    (0x0009200F, "NdisTimedDataHang"),
    (0x00092010, "NdisFilterTimedPauseComplete"),
    (0x00092011, "NdisFilterTimedDataSend"),
    (0x00092012, "NdisFilterTimedDataReceive"),
    (0x00093004, "WlanAssociation"),
    (0x00093005, "WlanConnectionRoaming"),
    (0x00093006, "WlanDisassociation"),
    (0x00093101, "WlanAssert"),
    (0x00094007, "WlanTimedAssociation"),
    (0x00094008, "WlanTimedConnectionRoaming"),
    (0x00094009, "WlanTimedConnectRequest"),
    (0x0009400B, "WlanTimedLinkQuality"),
    (0x0009400C, "WlanTimedScan"),
];

#[cfg(test)]
mod tests {
    use super::VERIFIER_RULES;

    #[test]
    fn verifier_rules_are_strictly_sorted() {
        for w in VERIFIER_RULES.windows(2) {
            let [(a, _), (b, _)] = w else { unreachable!() };
            assert!(a < b, "{a:#x} before {b:#x}");
        }
        assert_eq!(VERIFIER_RULES.len(), 73);
    }
}
