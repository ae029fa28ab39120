//! NTSTATUS values and exception codes: the symbolic name WinDbg prints
//! (`STATUS_ACCESS_VIOLATION`) and a short description in our own words, for the exception
//! codes of user-mode crashes and the status values that appear as bug check arguments.
//!
//! Also decodes the parameters of an access violation (and of an in-page error) into the kind
//! of access and the address.
//!
//! ```
//! use dumpfile::{access_violation, ntstatus_name, AccessKind};
//!
//! assert_eq!(ntstatus_name(0xC000_0005), Some("STATUS_ACCESS_VIOLATION"));
//! assert_eq!(ntstatus_name(0x1234_5678), None);
//! // ExceptionInformation of an access violation: [1 = write, address].
//! assert_eq!(access_violation(&[1, 0x10]), Some((AccessKind::Write, 0x10)));
//! ```

/// The kind of memory access that faulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessKind {
    /// A read.
    Read,
    /// A write.
    Write,
    /// An instruction fetch (a DEP / no-execute violation).
    Execute,
}

impl AccessKind {
    /// The verb for a report: `read`, `write` or `execute`.
    pub fn verb(self) -> &'static str {
        match self {
            AccessKind::Read => "read",
            AccessKind::Write => "write",
            AccessKind::Execute => "execute",
        }
    }

    /// Decode the first exception parameter of an access violation or in-page error:
    /// 0 read, 1 write, 8 execute (DEP). Other values give `None`.
    pub fn from_exception_param(value: u64) -> Option<AccessKind> {
        match value {
            0 => Some(AccessKind::Read),
            1 => Some(AccessKind::Write),
            8 => Some(AccessKind::Execute),
            _ => None,
        }
    }
}

/// An NTSTATUS value or exception code and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NtStatusInfo {
    /// The 32-bit value.
    pub code: u32,
    /// The symbolic name (`STATUS_...`, `DBG_...`). Four codes that are not NTSTATUS values
    /// but are common exception codes carry our own label: `CPP_EH_EXCEPTION` (0xE06D7363),
    /// `CLR_EXCEPTION` (0xE0434352), `MS_VC_EXCEPTION` (0x406D1388, thread naming).
    pub name: &'static str,
    /// A short description.
    pub description: &'static str,
}

/// Look an NTSTATUS value or exception code up. O(log n) over a sorted static table.
pub fn ntstatus_info(code: u32) -> Option<&'static NtStatusInfo> {
    NTSTATUS
        .binary_search_by_key(&code, |s| s.code)
        .ok()
        .and_then(|i| NTSTATUS.get(i))
}

/// The symbolic name of an NTSTATUS value or exception code (`STATUS_ACCESS_VIOLATION`).
pub fn ntstatus_name(code: u32) -> Option<&'static str> {
    ntstatus_info(code).map(|s| s.name)
}

/// Every known NTSTATUS value and exception code, sorted by code.
pub fn ntstatus_table() -> &'static [NtStatusInfo] {
    NTSTATUS
}

/// The 32-bit status held in a 64-bit bug check argument or exception parameter.
///
/// 64-bit kernels store an NTSTATUS argument sign-extended: a dump of a 0x1000007E stop holds
/// Arg1 = `0xffffffffc0000005`. Values that fit in 32 bits, and sign-extended values with bit 31
/// set, give the status; anything else gives `None`.
///
/// ```
/// use dumpfile::{ntstatus_name, status_from_u64};
///
/// assert_eq!(status_from_u64(0xffff_ffff_c000_0005), Some(0xc000_0005));
/// assert_eq!(status_from_u64(0xc000_0005), Some(0xc000_0005));
/// assert_eq!(status_from_u64(0x1_c000_0005), None);
/// assert_eq!(
///     status_from_u64(0xffff_ffff_c000_0005).and_then(ntstatus_name),
///     Some("STATUS_ACCESS_VIOLATION")
/// );
/// ```
pub fn status_from_u64(value: u64) -> Option<u32> {
    let low = u32::try_from(value & 0xFFFF_FFFF).ok()?;
    let high = value >> 32;
    match high {
        0 => Some(low),
        0xFFFF_FFFF if low & 0x8000_0000 != 0 => Some(low),
        _ => None,
    }
}

/// Decode the `ExceptionInformation` of a `STATUS_ACCESS_VIOLATION`: element 0 is the kind of
/// access (0 read, 1 write, 8 execute), element 1 the address accessed.
///
/// `None` when fewer than two parameters are present or the kind is not one of those values.
pub fn access_violation(params: &[u64]) -> Option<(AccessKind, u64)> {
    let kind = AccessKind::from_exception_param(*params.first()?)?;
    Some((kind, *params.get(1)?))
}

/// Decode the `ExceptionInformation` of a `STATUS_IN_PAGE_ERROR`: the access and address as
/// for [`access_violation`], plus element 2, the status of the I/O that failed.
pub fn in_page_error(params: &[u64]) -> Option<(AccessKind, u64, u32)> {
    let (kind, addr) = access_violation(params)?;
    let status = status_from_u64(*params.get(2)?)?;
    Some((kind, addr, status))
}

/// The symbolic name of a fast-fail code (`FAST_FAIL_*` from the SDK): the first exception
/// parameter of `STATUS_STACK_BUFFER_OVERRUN` (0xC0000409) and Arg1 of bug check 0x139
/// (KERNEL_SECURITY_CHECK_FAILURE).
///
/// ```
/// assert_eq!(dumpfile::fast_fail_name(3), Some("FAST_FAIL_CORRUPT_LIST_ENTRY"));
/// assert_eq!(dumpfile::fast_fail_name(1000), None);
/// ```
pub fn fast_fail_name(code: u64) -> Option<&'static str> {
    let code = u32::try_from(code).ok()?;
    FAST_FAIL
        .binary_search_by_key(&code, |&(v, _)| v)
        .ok()
        .and_then(|i| FAST_FAIL.get(i))
        .map(|&(_, name)| name)
}

/// Fast-fail codes and their SDK names, sorted (checked by a test).
static FAST_FAIL: &[(u32, &str)] = &[
    (0, "FAST_FAIL_LEGACY_GS_VIOLATION"),
    (1, "FAST_FAIL_VTGUARD_CHECK_FAILURE"),
    (2, "FAST_FAIL_STACK_COOKIE_CHECK_FAILURE"),
    (3, "FAST_FAIL_CORRUPT_LIST_ENTRY"),
    (4, "FAST_FAIL_INCORRECT_STACK"),
    (5, "FAST_FAIL_INVALID_ARG"),
    (6, "FAST_FAIL_GS_COOKIE_INIT"),
    (7, "FAST_FAIL_FATAL_APP_EXIT"),
    (8, "FAST_FAIL_RANGE_CHECK_FAILURE"),
    (9, "FAST_FAIL_UNSAFE_REGISTRY_ACCESS"),
    (10, "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE"),
    (11, "FAST_FAIL_GUARD_WRITE_CHECK_FAILURE"),
    (12, "FAST_FAIL_INVALID_FIBER_SWITCH"),
    (13, "FAST_FAIL_INVALID_SET_OF_CONTEXT"),
    (14, "FAST_FAIL_INVALID_REFERENCE_COUNT"),
    (18, "FAST_FAIL_INVALID_JUMP_BUFFER"),
    (19, "FAST_FAIL_MRDATA_MODIFIED"),
    (20, "FAST_FAIL_CERTIFICATION_FAILURE"),
    (21, "FAST_FAIL_INVALID_EXCEPTION_CHAIN"),
    (22, "FAST_FAIL_CRYPTO_LIBRARY"),
    (23, "FAST_FAIL_INVALID_CALL_IN_DLL_CALLOUT"),
    (24, "FAST_FAIL_INVALID_IMAGE_BASE"),
    (25, "FAST_FAIL_DLOAD_PROTECTION_FAILURE"),
    (26, "FAST_FAIL_UNSAFE_EXTENSION_CALL"),
    (27, "FAST_FAIL_DEPRECATED_SERVICE_INVOKED"),
    (28, "FAST_FAIL_INVALID_BUFFER_ACCESS"),
    (29, "FAST_FAIL_INVALID_BALANCED_TREE"),
    (30, "FAST_FAIL_INVALID_NEXT_THREAD"),
    (31, "FAST_FAIL_GUARD_ICALL_CHECK_SUPPRESSED"),
    (32, "FAST_FAIL_APCS_DISABLED"),
    (33, "FAST_FAIL_INVALID_IDLE_STATE"),
    (34, "FAST_FAIL_MRDATA_PROTECTION_FAILURE"),
    (35, "FAST_FAIL_UNEXPECTED_HEAP_EXCEPTION"),
    (36, "FAST_FAIL_INVALID_LOCK_STATE"),
    (37, "FAST_FAIL_GUARD_JUMPTABLE"),
    (38, "FAST_FAIL_INVALID_LONGJUMP_TARGET"),
    (39, "FAST_FAIL_INVALID_DISPATCH_CONTEXT"),
    (40, "FAST_FAIL_INVALID_THREAD"),
    (41, "FAST_FAIL_INVALID_SYSCALL_NUMBER"),
    (42, "FAST_FAIL_INVALID_FILE_OPERATION"),
    (43, "FAST_FAIL_LPAC_ACCESS_DENIED"),
    (44, "FAST_FAIL_GUARD_SS_FAILURE"),
    (45, "FAST_FAIL_LOADER_CONTINUITY_FAILURE"),
    (46, "FAST_FAIL_GUARD_EXPORT_SUPPRESSION_FAILURE"),
    (47, "FAST_FAIL_INVALID_CONTROL_STACK"),
    (48, "FAST_FAIL_SET_CONTEXT_DENIED"),
    (49, "FAST_FAIL_INVALID_IAT"),
    (50, "FAST_FAIL_HEAP_METADATA_CORRUPTION"),
    (51, "FAST_FAIL_PAYLOAD_RESTRICTION_VIOLATION"),
    (52, "FAST_FAIL_LOW_LABEL_ACCESS_DENIED"),
    (53, "FAST_FAIL_ENCLAVE_CALL_FAILURE"),
    (54, "FAST_FAIL_UNHANDLED_LSS_EXCEPTON"),
    (55, "FAST_FAIL_ADMINLESS_ACCESS_DENIED"),
    (56, "FAST_FAIL_UNEXPECTED_CALL"),
    (57, "FAST_FAIL_CONTROL_INVALID_RETURN_ADDRESS"),
    (58, "FAST_FAIL_UNEXPECTED_HOST_BEHAVIOR"),
    (59, "FAST_FAIL_FLAGS_CORRUPTION"),
    (60, "FAST_FAIL_VEH_CORRUPTION"),
    (61, "FAST_FAIL_ETW_CORRUPTION"),
    (62, "FAST_FAIL_RIO_ABORT"),
    (63, "FAST_FAIL_INVALID_PFN"),
    (64, "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE_XFG"),
    (65, "FAST_FAIL_CAST_GUARD"),
    (66, "FAST_FAIL_HOST_VISIBILITY_CHANGE"),
    (67, "FAST_FAIL_KERNEL_CET_SHADOW_STACK_ASSIST"),
    (68, "FAST_FAIL_PATCH_CALLBACK_FAILED"),
    (69, "FAST_FAIL_NTDLL_PATCH_FAILED"),
    (70, "FAST_FAIL_INVALID_FLS_DATA"),
    (71, "FAST_FAIL_ASAN_ERROR"),
    (72, "FAST_FAIL_CLR_EXCEPTION_AOT"),
    (73, "FAST_FAIL_POINTER_AUTH_INVALID_RETURN_ADDRESS"),
    (74, "FAST_FAIL_INVALID_THREAD_STATE"),
    (75, "FAST_FAIL_CORRUPT_WOW64_STATE"),
    (76, "FAST_FAIL_INVALID_EXTENDED_STATE"),
    (77, "FAST_FAIL_KERNEL_POINTER_EXPECTED"),
    (0xFFFF_FFFF, "FAST_FAIL_INVALID_FAST_FAIL_CODE"),
];

const fn s(code: u32, name: &'static str, description: &'static str) -> NtStatusInfo {
    NtStatusInfo {
        code,
        name,
        description,
    }
}

/// Known NTSTATUS values and exception codes, sorted by code (checked by a test). Names are
/// the SDK's; descriptions are our own wording.
static NTSTATUS: &[NtStatusInfo] = &[
    s(0x0000_0000, "STATUS_SUCCESS", "The operation succeeded."),
    s(
        0x0000_0080,
        "STATUS_ABANDONED_WAIT_0",
        "The wait ended because the thread owning a mutex exited without releasing it.",
    ),
    s(
        0x0000_00C0,
        "STATUS_USER_APC",
        "The wait ended early to deliver a user-mode APC.",
    ),
    s(
        0x0000_0101,
        "STATUS_ALERTED",
        "The wait ended because the thread was alerted.",
    ),
    s(0x0000_0102, "STATUS_TIMEOUT", "The wait timed out."),
    s(
        0x0000_0103,
        "STATUS_PENDING",
        "The operation has not finished yet.",
    ),
    s(
        0x0001_0001,
        "DBG_EXCEPTION_HANDLED",
        "The debugger handled the exception.",
    ),
    s(
        0x0001_0002,
        "DBG_CONTINUE",
        "The debugger asks to continue execution.",
    ),
    s(
        0x4000_0015,
        "STATUS_FATAL_APP_EXIT",
        "The application asked to exit because of a fatal condition.",
    ),
    s(
        0x4000_001E,
        "STATUS_WX86_SINGLE_STEP",
        "Single-step trap in a 32-bit (WOW64) thread.",
    ),
    s(
        0x4000_001F,
        "STATUS_WX86_BREAKPOINT",
        "Breakpoint hit in a 32-bit (WOW64) thread; usually the initial breakpoint of a WOW64 process under a debugger.",
    ),
    s(
        0x4001_0001,
        "DBG_REPLY_LATER",
        "The debugger will reply later.",
    ),
    s(
        0x4001_0002,
        "DBG_UNABLE_TO_PROVIDE_HANDLE",
        "The debugger cannot provide a handle.",
    ),
    s(
        0x4001_0003,
        "DBG_TERMINATE_THREAD",
        "The debugger terminated the thread.",
    ),
    s(
        0x4001_0004,
        "DBG_TERMINATE_PROCESS",
        "The debugger terminated the process.",
    ),
    s(
        0x4001_0005,
        "DBG_CONTROL_C",
        "Ctrl+C was delivered to a console process that is being debugged.",
    ),
    s(
        0x4001_0006,
        "DBG_PRINTEXCEPTION_C",
        "OutputDebugStringA text passed to the debugger as an exception.",
    ),
    s(
        0x4001_0007,
        "DBG_RIPEXCEPTION",
        "A RIP (fatal application error) event for the debugger.",
    ),
    s(
        0x4001_0008,
        "DBG_CONTROL_BREAK",
        "Ctrl+Break was delivered to a console process that is being debugged.",
    ),
    s(
        0x4001_0009,
        "DBG_COMMAND_EXCEPTION",
        "A command for the debugger raised as an exception.",
    ),
    s(
        0x4001_000A,
        "DBG_PRINTEXCEPTION_WIDE_C",
        "OutputDebugStringW text passed to the debugger as an exception.",
    ),
    s(
        0x406D_1388,
        "MS_VC_EXCEPTION",
        "Not an error: the Visual C++ convention for naming a thread by raising this exception for the debugger.",
    ),
    s(
        0x8000_0001,
        "STATUS_GUARD_PAGE_VIOLATION",
        "A guard page was touched; normal for stack growth, an error elsewhere.",
    ),
    s(
        0x8000_0002,
        "STATUS_DATATYPE_MISALIGNMENT",
        "A data item was read or written at an address not aligned for its type.",
    ),
    s(
        0x8000_0003,
        "STATUS_BREAKPOINT",
        "A breakpoint instruction was executed (int 3, __debugbreak, or a DebugBreak call).",
    ),
    s(
        0x8000_0004,
        "STATUS_SINGLE_STEP",
        "A single-step or hardware breakpoint trap.",
    ),
    s(
        0x8000_0005,
        "STATUS_BUFFER_OVERFLOW",
        "The data did not fit in the buffer; only part was returned.",
    ),
    s(
        0x8000_0006,
        "STATUS_NO_MORE_FILES",
        "No more files match the request.",
    ),
    s(0x8000_0011, "STATUS_DEVICE_BUSY", "The device is busy."),
    s(
        0x8000_001A,
        "STATUS_NO_MORE_ENTRIES",
        "No more entries are available.",
    ),
    s(
        0x8000_0026,
        "STATUS_LONGJUMP",
        "A longjmp is unwinding the stack.",
    ),
    s(
        0x8000_0029,
        "STATUS_UNWIND_CONSOLIDATE",
        "A frame consolidation unwind is in progress (C++ exception handling).",
    ),
    s(
        0x8001_0001,
        "DBG_EXCEPTION_NOT_HANDLED",
        "The debugger did not handle the exception.",
    ),
    s(0xC000_0001, "STATUS_UNSUCCESSFUL", "The operation failed."),
    s(
        0xC000_0002,
        "STATUS_NOT_IMPLEMENTED",
        "The requested operation is not implemented.",
    ),
    s(
        0xC000_0004,
        "STATUS_INFO_LENGTH_MISMATCH",
        "The buffer length does not match the information class.",
    ),
    s(
        0xC000_0005,
        "STATUS_ACCESS_VIOLATION",
        "The code read, wrote or executed memory it may not access; the exception parameters give the kind of access and the address.",
    ),
    s(
        0xC000_0006,
        "STATUS_IN_PAGE_ERROR",
        "A page could not be brought into memory (disk, network or file error); the third exception parameter holds the underlying status.",
    ),
    s(
        0xC000_0008,
        "STATUS_INVALID_HANDLE",
        "An invalid handle was used, typically one already closed.",
    ),
    s(
        0xC000_0009,
        "STATUS_BAD_INITIAL_STACK",
        "A thread was started with an invalid initial stack.",
    ),
    s(
        0xC000_000D,
        "STATUS_INVALID_PARAMETER",
        "An invalid argument was passed to a service or function.",
    ),
    s(
        0xC000_000E,
        "STATUS_NO_SUCH_DEVICE",
        "The device does not exist.",
    ),
    s(
        0xC000_000F,
        "STATUS_NO_SUCH_FILE",
        "The file does not exist.",
    ),
    s(
        0xC000_0010,
        "STATUS_INVALID_DEVICE_REQUEST",
        "The request is not valid for this device.",
    ),
    s(
        0xC000_0017,
        "STATUS_NO_MEMORY",
        "Not enough virtual memory or paging file quota to finish the operation.",
    ),
    s(
        0xC000_0018,
        "STATUS_CONFLICTING_ADDRESSES",
        "The requested address range overlaps memory already in use.",
    ),
    s(
        0xC000_001D,
        "STATUS_ILLEGAL_INSTRUCTION",
        "The processor tried to execute an invalid instruction.",
    ),
    s(
        0xC000_0022,
        "STATUS_ACCESS_DENIED",
        "The caller lacks the access rights for the operation.",
    ),
    s(
        0xC000_0023,
        "STATUS_BUFFER_TOO_SMALL",
        "The buffer is too small for the data.",
    ),
    s(
        0xC000_0024,
        "STATUS_OBJECT_TYPE_MISMATCH",
        "The object is not of the type the operation needs.",
    ),
    s(
        0xC000_0025,
        "STATUS_NONCONTINUABLE_EXCEPTION",
        "Execution was resumed after an exception that does not allow it.",
    ),
    s(
        0xC000_0026,
        "STATUS_INVALID_DISPOSITION",
        "An exception handler returned a value the dispatcher does not accept.",
    ),
    s(0xC000_0027, "STATUS_UNWIND", "An unwind is in progress."),
    s(
        0xC000_0028,
        "STATUS_BAD_STACK",
        "An invalid or misaligned stack was found during an unwind.",
    ),
    s(
        0xC000_0029,
        "STATUS_INVALID_UNWIND_TARGET",
        "The unwind target is not valid.",
    ),
    s(
        0xC000_0033,
        "STATUS_OBJECT_NAME_INVALID",
        "The object name is not valid.",
    ),
    s(
        0xC000_0034,
        "STATUS_OBJECT_NAME_NOT_FOUND",
        "The object name was not found.",
    ),
    s(
        0xC000_0035,
        "STATUS_OBJECT_NAME_COLLISION",
        "An object with this name already exists.",
    ),
    s(
        0xC000_003A,
        "STATUS_OBJECT_PATH_NOT_FOUND",
        "The object path was not found.",
    ),
    s(
        0xC000_003F,
        "STATUS_CRC_ERROR",
        "Data failed its CRC check.",
    ),
    s(
        0xC000_0043,
        "STATUS_SHARING_VIOLATION",
        "The file is open elsewhere in a way that does not allow this access.",
    ),
    s(
        0xC000_0044,
        "STATUS_QUOTA_EXCEEDED",
        "A quota was exceeded.",
    ),
    s(
        0xC000_0045,
        "STATUS_INVALID_PAGE_PROTECTION",
        "The page protection is not valid.",
    ),
    s(
        0xC000_0054,
        "STATUS_FILE_LOCK_CONFLICT",
        "A file lock conflicts with the request.",
    ),
    s(
        0xC000_0056,
        "STATUS_DELETE_PENDING",
        "The file is being deleted.",
    ),
    s(
        0xC000_007B,
        "STATUS_INVALID_IMAGE_FORMAT",
        "The file is not a valid executable image for this system.",
    ),
    s(0xC000_007F, "STATUS_DISK_FULL", "The disk is full."),
    s(
        0xC000_008C,
        "STATUS_ARRAY_BOUNDS_EXCEEDED",
        "An array index was out of bounds (hardware-checked bounds).",
    ),
    s(
        0xC000_008D,
        "STATUS_FLOAT_DENORMAL_OPERAND",
        "A floating-point operand was denormal.",
    ),
    s(
        0xC000_008E,
        "STATUS_FLOAT_DIVIDE_BY_ZERO",
        "A floating-point division by zero.",
    ),
    s(
        0xC000_008F,
        "STATUS_FLOAT_INEXACT_RESULT",
        "A floating-point result could not be represented exactly.",
    ),
    s(
        0xC000_0090,
        "STATUS_FLOAT_INVALID_OPERATION",
        "An invalid floating-point operation.",
    ),
    s(
        0xC000_0091,
        "STATUS_FLOAT_OVERFLOW",
        "A floating-point result was too large.",
    ),
    s(
        0xC000_0092,
        "STATUS_FLOAT_STACK_CHECK",
        "The x87 floating-point stack overflowed or underflowed.",
    ),
    s(
        0xC000_0093,
        "STATUS_FLOAT_UNDERFLOW",
        "A floating-point result was too small.",
    ),
    s(
        0xC000_0094,
        "STATUS_INTEGER_DIVIDE_BY_ZERO",
        "An integer division by zero.",
    ),
    s(
        0xC000_0095,
        "STATUS_INTEGER_OVERFLOW",
        "An integer operation overflowed.",
    ),
    s(
        0xC000_0096,
        "STATUS_PRIVILEGED_INSTRUCTION",
        "An instruction only allowed in kernel mode was executed in user mode.",
    ),
    s(
        0xC000_009A,
        "STATUS_INSUFFICIENT_RESOURCES",
        "System resources (such as pool) ran out.",
    ),
    s(
        0xC000_009C,
        "STATUS_DEVICE_DATA_ERROR",
        "The device returned a data error, such as a bad disk sector.",
    ),
    s(
        0xC000_009D,
        "STATUS_DEVICE_NOT_CONNECTED",
        "The device is not connected or stopped responding.",
    ),
    s(
        0xC000_00A2,
        "STATUS_MEDIA_WRITE_PROTECTED",
        "The media is write protected.",
    ),
    s(
        0xC000_00B5,
        "STATUS_IO_TIMEOUT",
        "The I/O request timed out.",
    ),
    s(
        0xC000_00BB,
        "STATUS_NOT_SUPPORTED",
        "The request is not supported.",
    ),
    s(
        0xC000_00E5,
        "STATUS_INTERNAL_ERROR",
        "An internal error occurred.",
    ),
    s(
        0xC000_00FD,
        "STATUS_STACK_OVERFLOW",
        "A thread used up its stack, usually through deep or unbounded recursion or a large stack buffer.",
    ),
    s(
        0xC000_0102,
        "STATUS_FILE_CORRUPT_ERROR",
        "The file or directory is corrupt.",
    ),
    s(
        0xC000_010A,
        "STATUS_PROCESS_IS_TERMINATING",
        "The process is exiting.",
    ),
    s(
        0xC000_0120,
        "STATUS_CANCELLED",
        "The I/O request was cancelled.",
    ),
    s(
        0xC000_012D,
        "STATUS_COMMITMENT_LIMIT",
        "The commit limit (RAM plus paging files) was reached.",
    ),
    s(
        0xC000_0135,
        "STATUS_DLL_NOT_FOUND",
        "A DLL the program needs could not be found.",
    ),
    s(
        0xC000_0138,
        "STATUS_ORDINAL_NOT_FOUND",
        "An ordinal import could not be found in its DLL.",
    ),
    s(
        0xC000_0139,
        "STATUS_ENTRYPOINT_NOT_FOUND",
        "An imported function could not be found in its DLL.",
    ),
    s(
        0xC000_013A,
        "STATUS_CONTROL_C_EXIT",
        "The console application ended because of Ctrl+C.",
    ),
    s(
        0xC000_0142,
        "STATUS_DLL_INIT_FAILED",
        "A DLL's initialization routine failed.",
    ),
    s(
        0xC000_0144,
        "STATUS_UNHANDLED_EXCEPTION",
        "An exception was not handled.",
    ),
    s(
        0xC000_014C,
        "STATUS_REGISTRY_CORRUPT",
        "A registry hive or file is corrupt.",
    ),
    s(
        0xC000_016A,
        "STATUS_DISK_OPERATION_FAILED",
        "A disk operation failed even after retries.",
    ),
    s(
        0xC000_0185,
        "STATUS_IO_DEVICE_ERROR",
        "The device reported an I/O error, often cabling, controller or disk hardware.",
    ),
    s(
        0xC000_0194,
        "STATUS_POSSIBLE_DEADLOCK",
        "A critical section or resource wait timed out; a deadlock is likely.",
    ),
    s(
        0xC000_01A5,
        "STATUS_INVALID_EXCEPTION_HANDLER",
        "An exception handler failed its safety checks (SafeSEH).",
    ),
    s(
        0xC000_0218,
        "STATUS_CANNOT_LOAD_REGISTRY_FILE",
        "A registry hive file could not be loaded.",
    ),
    s(
        0xC000_021A,
        "STATUS_SYSTEM_PROCESS_TERMINATED",
        "A critical system process ended unexpectedly.",
    ),
    s(
        0xC000_0221,
        "STATUS_IMAGE_CHECKSUM_MISMATCH",
        "An image file failed its checksum: it is corrupt.",
    ),
    s(0xC000_0225, "STATUS_NOT_FOUND", "The object was not found."),
    s(
        0xC000_0235,
        "STATUS_HANDLE_NOT_CLOSABLE",
        "A protected handle was closed.",
    ),
    s(
        0xC000_0264,
        "STATUS_RESOURCE_NOT_OWNED",
        "A resource was released by a thread that does not own it.",
    ),
    s(
        0xC000_026E,
        "STATUS_VOLUME_DISMOUNTED",
        "The volume was dismounted.",
    ),
    s(
        0xC000_02B4,
        "STATUS_FLOAT_MULTIPLE_FAULTS",
        "Several floating-point faults at once (SIMD).",
    ),
    s(
        0xC000_02B5,
        "STATUS_FLOAT_MULTIPLE_TRAPS",
        "Several floating-point traps at once (SIMD).",
    ),
    s(
        0xC000_02C5,
        "STATUS_DATATYPE_MISALIGNMENT_ERROR",
        "A misaligned data access that the processor does not fix up.",
    ),
    s(
        0xC000_0374,
        "STATUS_HEAP_CORRUPTION",
        "The heap manager found a heap corrupted (overrun, double free, or use after free).",
    ),
    s(
        0xC000_0409,
        "STATUS_STACK_BUFFER_OVERRUN",
        "A fast-fail check ended the process: a /GS stack cookie check or another __fastfail; the first exception parameter is the fast-fail code.",
    ),
    s(
        0xC000_0417,
        "STATUS_INVALID_CRUNTIME_PARAMETER",
        "The C runtime received an invalid argument and the invalid-parameter handler ended the process.",
    ),
    s(
        0xC000_041D,
        "STATUS_FATAL_USER_CALLBACK_EXCEPTION",
        "An exception was raised inside a user-mode callback from the kernel (such as a window procedure) and not handled.",
    ),
    s(
        0xC000_0420,
        "STATUS_ASSERTION_FAILURE",
        "An assertion failed.",
    ),
    s(
        0xC000_0428,
        "STATUS_INVALID_IMAGE_HASH",
        "The image's signature or hash is not valid for this system.",
    ),
    s(
        0xC000_0483,
        "STATUS_DEVICE_HARDWARE_ERROR",
        "The device reported a hardware error.",
    ),
    s(
        0xC000_04A2,
        "STATUS_ENCLAVE_VIOLATION",
        "An enclave's memory was accessed in a way the enclave does not allow.",
    ),
    s(
        0xC000_0602,
        "STATUS_FAIL_FAST_EXCEPTION",
        "A fail-fast exception ended the process without running exception handlers.",
    ),
    s(
        0xC000_070A,
        "STATUS_THREADPOOL_HANDLE_EXCEPTION",
        "A thread pool callback used a handle that was not valid.",
    ),
    s(
        0xC000_070B,
        "STATUS_THREADPOOL_SET_EVENT_ON_COMPLETION_FAILED",
        "The thread pool could not set the event after a callback.",
    ),
    s(
        0xC000_070C,
        "STATUS_THREADPOOL_RELEASE_SEMAPHORE_ON_COMPLETION_FAILED",
        "The thread pool could not release the semaphore after a callback.",
    ),
    s(
        0xC000_070D,
        "STATUS_THREADPOOL_RELEASE_MUTEX_ON_COMPLETION_FAILED",
        "The thread pool could not release the mutex after a callback.",
    ),
    s(
        0xC000_070E,
        "STATUS_THREADPOOL_FREE_LIBRARY_ON_COMPLETION_FAILED",
        "The thread pool could not unload the library after a callback.",
    ),
    s(
        0xC000_070F,
        "STATUS_THREADPOOL_RELEASED_DURING_OPERATION",
        "A thread pool object was released while a callback was still using it.",
    ),
    s(
        0xC000_0710,
        "STATUS_CALLBACK_RETURNED_WHILE_IMPERSONATING",
        "A thread pool callback returned while still impersonating.",
    ),
    s(
        0xE043_4352,
        "CLR_EXCEPTION",
        "Not an NTSTATUS: a .NET (CLR) managed exception was thrown.",
    ),
    s(
        0xE06D_7363,
        "CPP_EH_EXCEPTION",
        "Not an NTSTATUS: a C++ exception thrown with `throw` (Microsoft C++ exception handling).",
    ),
];

#[cfg(test)]
mod tests {
    use super::{FAST_FAIL, NTSTATUS};

    #[test]
    fn tables_are_strictly_sorted() {
        for w in FAST_FAIL.windows(2) {
            let [(a, _), (b, _)] = w else { unreachable!() };
            assert!(a < b, "{a:#x} before {b:#x}");
        }
        for w in NTSTATUS.windows(2) {
            let [a, b] = w else { unreachable!() };
            assert!(a.code < b.code, "{:#x} before {:#x}", a.code, b.code);
        }
    }
}
