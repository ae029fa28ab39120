//! `KDDEBUGGER_DATA64` (KDBG): the kernel debugger data block, its typed fields, and the
//! Windows 8+ encoding (`KdpDataBlockEncoded`).
//!
//! Field offsets follow the public `wdbgexts.h` order with natural alignment, which equals
//! Microsoft's `DEBUG_DATA_*` byte offsets. A field is available only if the block's
//! `Header.Size` covers it (the block grew by release: 0x290 XP, 0x318 2003, 0x330 Vista,
//! 0x340 Windows 7, 0x360 Windows 8/8.1, 0x368 RS1, 0x380 RS5+). x86 kernels use the same
//! 64-bit layout; pointer fields are masked to 32 bits there (they may be stored sign-extended).

/// `KDBG` as a little-endian `u32` (`Header.OwnerTag`).
pub const KDBG_TAG: u32 = 0x4742_444B;

/// The three kernel values that decode an encoded KDBG (from the kernel's PDB:
/// `nt!KiWaitNever`, `nt!KiWaitAlways` and the address of `nt!KdpDataBlockEncoded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KdbgKeys {
    /// The value of `nt!KiWaitNever`.
    pub wait_never: u64,
    /// The value of `nt!KiWaitAlways`.
    pub wait_always: u64,
    /// The virtual address of the byte `nt!KdpDataBlockEncoded`.
    pub data_block_encoded_address: u64,
}

/// Decodes an encoded KDBG in place, word by word: `w ^= KiWaitNever; w = rotl(w,
/// KiWaitNever & 0xFF); w ^= &KdpDataBlockEncoded; w = bswap(w); w ^= KiWaitAlways`. 64-bit
/// words for x64; for x86 the same steps on 32-bit words (that variant is unverified).
pub fn decode_kdbg(bytes: &mut [u8], keys: &KdbgKeys, is_64bit: bool) {
    if is_64bit {
        for c in bytes.chunks_exact_mut(8) {
            let mut w = u64::from_le_bytes(<[u8; 8]>::try_from(&*c).unwrap_or([0; 8]));
            w ^= keys.wait_never;
            w = w.rotate_left(u32::from(keys.wait_never.to_le_bytes()[0]) % 64);
            w ^= keys.data_block_encoded_address;
            w = w.swap_bytes();
            w ^= keys.wait_always;
            c.copy_from_slice(&w.to_le_bytes());
        }
    } else {
        let never = keys.wait_never.to_le_bytes();
        let never32 = u32::from_le_bytes([never[0], never[1], never[2], never[3]]);
        let always = keys.wait_always.to_le_bytes();
        let always32 = u32::from_le_bytes([always[0], always[1], always[2], always[3]]);
        let salt = keys.data_block_encoded_address.to_le_bytes();
        let salt32 = u32::from_le_bytes([salt[0], salt[1], salt[2], salt[3]]);
        for c in bytes.chunks_exact_mut(4) {
            let mut w = u32::from_le_bytes(<[u8; 4]>::try_from(&*c).unwrap_or([0; 4]));
            w ^= never32;
            w = w.rotate_left(u32::from(never[0]) % 32);
            w ^= salt32;
            w = w.swap_bytes();
            w ^= always32;
            c.copy_from_slice(&w.to_le_bytes());
        }
    }
}

/// How a KDBG field is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KdbgFieldKind {
    /// A kernel virtual address (of the named global, or a value that is an address such as
    /// `KernBase`); masked to 32 bits on x86.
    Pointer,
    /// A 64-bit value.
    U64,
    /// A 32-bit value.
    U32,
    /// A 16-bit value (structure offsets and sizes).
    U16,
}

/// One field of `KDDEBUGGER_DATA64`: its `wdbgexts.h` name, offset, size and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KdbgField {
    /// The `wdbgexts.h` name.
    pub name: &'static str,
    /// Byte offset in the block.
    pub offset: u16,
    /// Size in bytes.
    pub size: u8,
    /// How it is stored.
    pub kind: KdbgFieldKind,
}

/// A located (and if need be decoded) KDBG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kdbg {
    /// Its virtual address (0 when found by a physical scan and the address was not
    /// recoverable).
    pub address: u64,
    /// True if the block was encoded in the dump and decoded with [`KdbgKeys`].
    pub was_encoded: bool,
    /// How it was found.
    pub source: KdbgSource,
    pub(crate) bytes: Vec<u8>,
    pub(crate) is_64bit: bool,
}

/// How the KDBG was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KdbgSource {
    /// The dump header's `KdDebuggerDataBlock`.
    Header,
    /// The triage dump's KDBG copy.
    TriageCopy,
    /// A scan of the physical pages for the `KDBG` tag.
    Scan,
}

macro_rules! kdbg_fields {
    ($( $(#[$doc:meta])* $fn:ident, $name:literal, $off:literal, $kind:ident; )*) => {
        /// Every `KDDEBUGGER_DATA64` field this crate knows, in offset order.
        pub const KDBG_FIELDS: &[KdbgField] = &[
            $( KdbgField { name: $name, offset: $off, size: kdbg_fields!(@size $kind), kind: KdbgFieldKind::$kind }, )*
        ];
        impl Kdbg {
            $(
                $(#[$doc])*
                #[doc = concat!("\n\n`", $name, "` at offset ", stringify!($off), "; `None` if the block is too short (older release).")]
                pub fn $fn(&self) -> Option<kdbg_fields!(@ty $kind)> {
                    kdbg_fields!(@get self, $off, $kind)
                }
            )*
        }
    };
    (@size Pointer) => { 8 };
    (@size U64) => { 8 };
    (@size U32) => { 4 };
    (@size U16) => { 2 };
    (@ty Pointer) => { u64 };
    (@ty U64) => { u64 };
    (@ty U32) => { u32 };
    (@ty U16) => { u16 };
    (@get $s:ident, $off:literal, Pointer) => { $s.pointer_at($off) };
    (@get $s:ident, $off:literal, U64) => { $s.u64_at($off) };
    (@get $s:ident, $off:literal, U32) => { $s.u32_at($off) };
    (@get $s:ident, $off:literal, U16) => { $s.u16_at($off) };
}

impl Kdbg {
    /// `Header.Size`: the bytes of the block.
    pub fn size(&self) -> u32 {
        super::bytes::u32_at(&self.bytes, 0x14).unwrap_or(0)
    }

    /// The raw (decoded) block bytes, `Header.Size` long or shorter if less was readable.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn covered(&self, off: u16, size: u16) -> bool {
        let end = u32::from(off).saturating_add(u32::from(size));
        end <= self.size() && usize::try_from(end).is_ok_and(|e| e <= self.bytes.len())
    }

    /// A 16-bit field at `off`, if the block covers it.
    pub fn u16_at(&self, off: u16) -> Option<u16> {
        self.covered(off, 2)
            .then(|| super::bytes::u16_at(&self.bytes, u64::from(off)))
            .flatten()
    }

    /// A 32-bit field at `off`, if the block covers it.
    pub fn u32_at(&self, off: u16) -> Option<u32> {
        self.covered(off, 4)
            .then(|| super::bytes::u32_at(&self.bytes, u64::from(off)))
            .flatten()
    }

    /// A 64-bit field at `off`, if the block covers it.
    pub fn u64_at(&self, off: u16) -> Option<u64> {
        self.covered(off, 8)
            .then(|| super::bytes::u64_at(&self.bytes, u64::from(off)))
            .flatten()
    }

    /// A pointer field at `off` (masked to 32 bits on x86), if the block covers it.
    pub fn pointer_at(&self, off: u16) -> Option<u64> {
        let v = self.u64_at(off)?;
        Some(if self.is_64bit { v } else { v & 0xFFFF_FFFF })
    }

    /// `Header.List.Flink`.
    pub fn list_flink(&self) -> Option<u64> {
        super::bytes::u64_at(&self.bytes, 0)
            .map(|v| if self.is_64bit { v } else { v & 0xFFFF_FFFF })
    }

    /// `Header.OwnerTag` (`KDBG`).
    pub fn owner_tag(&self) -> u32 {
        super::bytes::u32_at(&self.bytes, 0x10).unwrap_or(0)
    }

    /// Every field the block covers, with its value (zero-extended), in offset order.
    pub fn fields(&self) -> impl Iterator<Item = (KdbgField, u64)> + '_ {
        KDBG_FIELDS.iter().filter_map(move |f| {
            let v = match f.kind {
                KdbgFieldKind::Pointer => self.pointer_at(f.offset),
                KdbgFieldKind::U64 => self.u64_at(f.offset),
                KdbgFieldKind::U32 => self.u32_at(f.offset).map(u64::from),
                KdbgFieldKind::U16 => self.u16_at(f.offset).map(u64::from),
            }?;
            Some((*f, v))
        })
    }
}

kdbg_fields! {
    /// `KernBase`: the base of ntoskrnl (a value).
    kern_base, "KernBase", 0x18, Pointer;
    /// Address of `BreakpointWithStatus`.
    breakpoint_with_status, "BreakpointWithStatus", 0x20, Pointer;
    /// `SavedContext`.
    saved_context, "SavedContext", 0x28, Pointer;
    /// `ThCallbackStack` (offset in KTHREAD).
    th_callback_stack, "ThCallbackStack", 0x30, U16;
    /// `NextCallback`.
    next_callback, "NextCallback", 0x32, U16;
    /// `FramePointer`.
    frame_pointer, "FramePointer", 0x34, U16;
    /// `PaeEnabled` (a value).
    pae_enabled, "PaeEnabled", 0x36, U16;
    /// Address of `KiCallUserMode`.
    ki_call_user_mode, "KiCallUserMode", 0x38, Pointer;
    /// Address of `KeUserCallbackDispatcher`.
    ke_user_callback_dispatcher, "KeUserCallbackDispatcher", 0x40, Pointer;
    /// Address of `PsLoadedModuleList` (the list head).
    ps_loaded_module_list, "PsLoadedModuleList", 0x48, Pointer;
    /// Address of `PsActiveProcessHead`.
    ps_active_process_head, "PsActiveProcessHead", 0x50, Pointer;
    /// Address of `PspCidTable`.
    psp_cid_table, "PspCidTable", 0x58, Pointer;
    /// Address of `ExpSystemResourcesList`.
    exp_system_resources_list, "ExpSystemResourcesList", 0x60, Pointer;
    /// Address of `ExpPagedPoolDescriptor`.
    exp_paged_pool_descriptor, "ExpPagedPoolDescriptor", 0x68, Pointer;
    /// Address of `ExpNumberOfPagedPools`.
    exp_number_of_paged_pools, "ExpNumberOfPagedPools", 0x70, Pointer;
    /// Address of `KeTimeIncrement`.
    ke_time_increment, "KeTimeIncrement", 0x78, Pointer;
    /// Address of `KeBugCheckCallbackListHead`.
    ke_bug_check_callback_list_head, "KeBugCheckCallbackListHead", 0x80, Pointer;
    /// Address of `KiBugcheckData`.
    ki_bugcheck_data, "KiBugcheckData", 0x88, Pointer;
    /// Address of `IopErrorLogListHead`.
    iop_error_log_list_head, "IopErrorLogListHead", 0x90, Pointer;
    /// Address of `ObpRootDirectoryObject`.
    obp_root_directory_object, "ObpRootDirectoryObject", 0x98, Pointer;
    /// Address of `ObpTypeObjectType`.
    obp_type_object_type, "ObpTypeObjectType", 0xA0, Pointer;
    /// Address of `MmSystemCacheStart`.
    mm_system_cache_start, "MmSystemCacheStart", 0xA8, Pointer;
    /// Address of `MmSystemCacheEnd`.
    mm_system_cache_end, "MmSystemCacheEnd", 0xB0, Pointer;
    /// Address of `MmSystemCacheWs`.
    mm_system_cache_ws, "MmSystemCacheWs", 0xB8, Pointer;
    /// Address of `MmPfnDatabase`.
    mm_pfn_database, "MmPfnDatabase", 0xC0, Pointer;
    /// Address of `MmSystemPtesStart`.
    mm_system_ptes_start, "MmSystemPtesStart", 0xC8, Pointer;
    /// Address of `MmSystemPtesEnd`.
    mm_system_ptes_end, "MmSystemPtesEnd", 0xD0, Pointer;
    /// Address of `MmSubsectionBase`.
    mm_subsection_base, "MmSubsectionBase", 0xD8, Pointer;
    /// Address of `MmNumberOfPagingFiles`.
    mm_number_of_paging_files, "MmNumberOfPagingFiles", 0xE0, Pointer;
    /// Address of `MmLowestPhysicalPage`.
    mm_lowest_physical_page, "MmLowestPhysicalPage", 0xE8, Pointer;
    /// Address of `MmHighestPhysicalPage`.
    mm_highest_physical_page, "MmHighestPhysicalPage", 0xF0, Pointer;
    /// Address of `MmNumberOfPhysicalPages`.
    mm_number_of_physical_pages, "MmNumberOfPhysicalPages", 0xF8, Pointer;
    /// Address of `MmMaximumNonPagedPoolInBytes`.
    mm_maximum_non_paged_pool_in_bytes, "MmMaximumNonPagedPoolInBytes", 0x100, Pointer;
    /// Address of `MmNonPagedSystemStart`.
    mm_non_paged_system_start, "MmNonPagedSystemStart", 0x108, Pointer;
    /// Address of `MmNonPagedPoolStart`.
    mm_non_paged_pool_start, "MmNonPagedPoolStart", 0x110, Pointer;
    /// Address of `MmNonPagedPoolEnd`.
    mm_non_paged_pool_end, "MmNonPagedPoolEnd", 0x118, Pointer;
    /// Address of `MmPagedPoolStart`.
    mm_paged_pool_start, "MmPagedPoolStart", 0x120, Pointer;
    /// Address of `MmPagedPoolEnd`.
    mm_paged_pool_end, "MmPagedPoolEnd", 0x128, Pointer;
    /// Address of `MmPagedPoolInformation`.
    mm_paged_pool_information, "MmPagedPoolInformation", 0x130, Pointer;
    /// `MmPageSize` (a value).
    mm_page_size, "MmPageSize", 0x138, U64;
    /// Address of `MmSizeOfPagedPoolInBytes`.
    mm_size_of_paged_pool_in_bytes, "MmSizeOfPagedPoolInBytes", 0x140, Pointer;
    /// Address of `MmTotalCommitLimit`.
    mm_total_commit_limit, "MmTotalCommitLimit", 0x148, Pointer;
    /// Address of `MmTotalCommittedPages`.
    mm_total_committed_pages, "MmTotalCommittedPages", 0x150, Pointer;
    /// Address of `MmSharedCommit`.
    mm_shared_commit, "MmSharedCommit", 0x158, Pointer;
    /// Address of `MmDriverCommit`.
    mm_driver_commit, "MmDriverCommit", 0x160, Pointer;
    /// Address of `MmProcessCommit`.
    mm_process_commit, "MmProcessCommit", 0x168, Pointer;
    /// Address of `MmPagedPoolCommit`.
    mm_paged_pool_commit, "MmPagedPoolCommit", 0x170, Pointer;
    /// Address of `MmExtendedCommit`.
    mm_extended_commit, "MmExtendedCommit", 0x178, Pointer;
    /// Address of `MmZeroedPageListHead`.
    mm_zeroed_page_list_head, "MmZeroedPageListHead", 0x180, Pointer;
    /// Address of `MmFreePageListHead`.
    mm_free_page_list_head, "MmFreePageListHead", 0x188, Pointer;
    /// Address of `MmStandbyPageListHead`.
    mm_standby_page_list_head, "MmStandbyPageListHead", 0x190, Pointer;
    /// Address of `MmModifiedPageListHead`.
    mm_modified_page_list_head, "MmModifiedPageListHead", 0x198, Pointer;
    /// Address of `MmModifiedNoWritePageListHead`.
    mm_modified_no_write_page_list_head, "MmModifiedNoWritePageListHead", 0x1A0, Pointer;
    /// Address of `MmAvailablePages`.
    mm_available_pages, "MmAvailablePages", 0x1A8, Pointer;
    /// Address of `MmResidentAvailablePages`.
    mm_resident_available_pages, "MmResidentAvailablePages", 0x1B0, Pointer;
    /// Address of `PoolTrackTable` (the pointer variable).
    pool_track_table, "PoolTrackTable", 0x1B8, Pointer;
    /// Address of `NonPagedPoolDescriptor`.
    non_paged_pool_descriptor, "NonPagedPoolDescriptor", 0x1C0, Pointer;
    /// Address of `MmHighestUserAddress`.
    mm_highest_user_address, "MmHighestUserAddress", 0x1C8, Pointer;
    /// Address of `MmSystemRangeStart`.
    mm_system_range_start, "MmSystemRangeStart", 0x1D0, Pointer;
    /// Address of `MmUserProbeAddress`.
    mm_user_probe_address, "MmUserProbeAddress", 0x1D8, Pointer;
    /// Address of `KdPrintCircularBuffer`.
    kd_print_circular_buffer, "KdPrintCircularBuffer", 0x1E0, Pointer;
    /// Address of `KdPrintCircularBufferEnd`.
    kd_print_circular_buffer_end, "KdPrintCircularBufferEnd", 0x1E8, Pointer;
    /// Address of `KdPrintWritePointer`.
    kd_print_write_pointer, "KdPrintWritePointer", 0x1F0, Pointer;
    /// Address of `KdPrintRolloverCount`.
    kd_print_rollover_count, "KdPrintRolloverCount", 0x1F8, Pointer;
    /// Address of `MmLoadedUserImageList`.
    mm_loaded_user_image_list, "MmLoadedUserImageList", 0x200, Pointer;
    /// Address of `NtBuildLab` (a char string).
    nt_build_lab, "NtBuildLab", 0x208, Pointer;
    /// `KiNormalSystemCall`.
    ki_normal_system_call, "KiNormalSystemCall", 0x210, Pointer;
    /// Address of `KiProcessorBlock` (array of KPRCB pointers).
    ki_processor_block, "KiProcessorBlock", 0x218, Pointer;
    /// Address of `MmUnloadedDrivers` (the pointer variable to the array).
    mm_unloaded_drivers, "MmUnloadedDrivers", 0x220, Pointer;
    /// Address of `MmLastUnloadedDriver` (a ULONG index).
    mm_last_unloaded_driver, "MmLastUnloadedDriver", 0x228, Pointer;
    /// Address of `MmTriageActionTaken`.
    mm_triage_action_taken, "MmTriageActionTaken", 0x230, Pointer;
    /// Address of `MmSpecialPoolTag`.
    mm_special_pool_tag, "MmSpecialPoolTag", 0x238, Pointer;
    /// Address of `KernelVerifier`.
    kernel_verifier, "KernelVerifier", 0x240, Pointer;
    /// Address of `MmVerifierData`.
    mm_verifier_data, "MmVerifierData", 0x248, Pointer;
    /// Address of `MmAllocatedNonPagedPool`.
    mm_allocated_non_paged_pool, "MmAllocatedNonPagedPool", 0x250, Pointer;
    /// Address of `MmPeakCommitment`.
    mm_peak_commitment, "MmPeakCommitment", 0x258, Pointer;
    /// Address of `MmTotalCommitLimitMaximum`.
    mm_total_commit_limit_maximum, "MmTotalCommitLimitMaximum", 0x260, Pointer;
    /// Address of `CmNtCSDVersion`.
    cm_nt_csd_version, "CmNtCSDVersion", 0x268, Pointer;
    /// Address of `MmPhysicalMemoryBlock`.
    mm_physical_memory_block, "MmPhysicalMemoryBlock", 0x270, Pointer;
    /// `MmSessionBase` (a value).
    mm_session_base, "MmSessionBase", 0x278, Pointer;
    /// `MmSessionSize` (a value).
    mm_session_size, "MmSessionSize", 0x280, U64;
    /// `MmSystemParentTablePage` (a value).
    mm_system_parent_table_page, "MmSystemParentTablePage", 0x288, U64;
    /// `MmVirtualTranslationBase` (a value).
    mm_virtual_translation_base, "MmVirtualTranslationBase", 0x290, Pointer;
    /// `OffsetKThreadNextProcessor`.
    offset_kthread_next_processor, "OffsetKThreadNextProcessor", 0x298, U16;
    /// `OffsetKThreadTeb`.
    offset_kthread_teb, "OffsetKThreadTeb", 0x29A, U16;
    /// `OffsetKThreadKernelStack`.
    offset_kthread_kernel_stack, "OffsetKThreadKernelStack", 0x29C, U16;
    /// `OffsetKThreadInitialStack`.
    offset_kthread_initial_stack, "OffsetKThreadInitialStack", 0x29E, U16;
    /// `OffsetKThreadApcProcess`: KTHREAD.ApcState.Process.
    offset_kthread_apc_process, "OffsetKThreadApcProcess", 0x2A0, U16;
    /// `OffsetKThreadState`.
    offset_kthread_state, "OffsetKThreadState", 0x2A2, U16;
    /// `OffsetKThreadBStore`.
    offset_kthread_bstore, "OffsetKThreadBStore", 0x2A4, U16;
    /// `OffsetKThreadBStoreLimit`.
    offset_kthread_bstore_limit, "OffsetKThreadBStoreLimit", 0x2A6, U16;
    /// `SizeEProcess`.
    size_eprocess, "SizeEProcess", 0x2A8, U16;
    /// `OffsetEprocessPeb`.
    offset_eprocess_peb, "OffsetEprocessPeb", 0x2AA, U16;
    /// `OffsetEprocessParentCID`.
    offset_eprocess_parent_cid, "OffsetEprocessParentCID", 0x2AC, U16;
    /// `OffsetEprocessDirectoryTableBase`.
    offset_eprocess_directory_table_base, "OffsetEprocessDirectoryTableBase", 0x2AE, U16;
    /// `SizePrcb`.
    size_prcb, "SizePrcb", 0x2B0, U16;
    /// `OffsetPrcbDpcRoutine`.
    offset_prcb_dpc_routine, "OffsetPrcbDpcRoutine", 0x2B2, U16;
    /// `OffsetPrcbCurrentThread`.
    offset_prcb_current_thread, "OffsetPrcbCurrentThread", 0x2B4, U16;
    /// `OffsetPrcbMhz`.
    offset_prcb_mhz, "OffsetPrcbMhz", 0x2B6, U16;
    /// `OffsetPrcbCpuType`.
    offset_prcb_cpu_type, "OffsetPrcbCpuType", 0x2B8, U16;
    /// `OffsetPrcbVendorString`.
    offset_prcb_vendor_string, "OffsetPrcbVendorString", 0x2BA, U16;
    /// `OffsetPrcbProcStateContext`: the CONTEXT inside KPRCB.ProcessorState.
    offset_prcb_proc_state_context, "OffsetPrcbProcStateContext", 0x2BC, U16;
    /// `OffsetPrcbNumber`.
    offset_prcb_number, "OffsetPrcbNumber", 0x2BE, U16;
    /// `SizeEThread`.
    size_ethread, "SizeEThread", 0x2C0, U16;
    /// Address of `KdPrintCircularBufferPtr`.
    kd_print_circular_buffer_ptr, "KdPrintCircularBufferPtr", 0x2C8, Pointer;
    /// Address of `KdPrintBufferSize`.
    kd_print_buffer_size, "KdPrintBufferSize", 0x2D0, Pointer;
    /// Address of `KeLoaderBlock`.
    ke_loader_block, "KeLoaderBlock", 0x2D8, Pointer;
    /// `SizePcr`.
    size_pcr, "SizePcr", 0x2E0, U16;
    /// `OffsetPcrSelfPcr`.
    offset_pcr_self_pcr, "OffsetPcrSelfPcr", 0x2E2, U16;
    /// `OffsetPcrCurrentPrcb`.
    offset_pcr_current_prcb, "OffsetPcrCurrentPrcb", 0x2E4, U16;
    /// `OffsetPcrContainedPrcb`.
    offset_pcr_contained_prcb, "OffsetPcrContainedPrcb", 0x2E6, U16;
    /// `OffsetPcrInitialBStore`.
    offset_pcr_initial_bstore, "OffsetPcrInitialBStore", 0x2E8, U16;
    /// `OffsetPcrBStoreLimit`.
    offset_pcr_bstore_limit, "OffsetPcrBStoreLimit", 0x2EA, U16;
    /// `OffsetPcrInitialStack`.
    offset_pcr_initial_stack, "OffsetPcrInitialStack", 0x2EC, U16;
    /// `OffsetPcrStackLimit`.
    offset_pcr_stack_limit, "OffsetPcrStackLimit", 0x2EE, U16;
    /// `OffsetPrcbPcrPage`.
    offset_prcb_pcr_page, "OffsetPrcbPcrPage", 0x2F0, U16;
    /// `OffsetPrcbProcStateSpecialReg`.
    offset_prcb_proc_state_special_reg, "OffsetPrcbProcStateSpecialReg", 0x2F2, U16;
    /// `GdtR0Code`.
    gdt_r0_code, "GdtR0Code", 0x2F4, U16;
    /// `GdtR0Data`.
    gdt_r0_data, "GdtR0Data", 0x2F6, U16;
    /// `GdtR0Pcr`.
    gdt_r0_pcr, "GdtR0Pcr", 0x2F8, U16;
    /// `GdtR3Code`.
    gdt_r3_code, "GdtR3Code", 0x2FA, U16;
    /// `GdtR3Data`.
    gdt_r3_data, "GdtR3Data", 0x2FC, U16;
    /// `GdtR3Teb`.
    gdt_r3_teb, "GdtR3Teb", 0x2FE, U16;
    /// `GdtLdt`.
    gdt_ldt, "GdtLdt", 0x300, U16;
    /// `GdtTss`.
    gdt_tss, "GdtTss", 0x302, U16;
    /// `Gdt64R3CmCode`.
    gdt64_r3_cm_code, "Gdt64R3CmCode", 0x304, U16;
    /// `Gdt64R3CmTeb`.
    gdt64_r3_cm_teb, "Gdt64R3CmTeb", 0x306, U16;
    /// Address of `IopNumTriageDumpDataBlocks`.
    iop_num_triage_dump_data_blocks, "IopNumTriageDumpDataBlocks", 0x308, Pointer;
    /// Address of `IopTriageDumpDataBlocks`.
    iop_triage_dump_data_blocks, "IopTriageDumpDataBlocks", 0x310, Pointer;
    /// Address of `VfCrashDataBlock`.
    vf_crash_data_block, "VfCrashDataBlock", 0x318, Pointer;
    /// `MmBadPagesDetected`.
    mm_bad_pages_detected, "MmBadPagesDetected", 0x320, Pointer;
    /// `MmZeroedPageSingleBitErrorsDetected`.
    mm_zeroed_page_single_bit_errors_detected, "MmZeroedPageSingleBitErrorsDetected", 0x328, Pointer;
    /// `EtwpDebuggerData`.
    etwp_debugger_data, "EtwpDebuggerData", 0x330, Pointer;
    /// `OffsetPrcbContext`: KPRCB.Context (a pointer to a CONTEXT).
    offset_prcb_context, "OffsetPrcbContext", 0x338, U16;
    /// `OffsetPrcbMaxBreakpoints` (Windows 8).
    offset_prcb_max_breakpoints, "OffsetPrcbMaxBreakpoints", 0x33A, U16;
    /// `OffsetPrcbMaxWatchpoints` (Windows 8).
    offset_prcb_max_watchpoints, "OffsetPrcbMaxWatchpoints", 0x33C, U16;
    /// `OffsetKThreadStackLimit` (Windows 8).
    offset_kthread_stack_limit, "OffsetKThreadStackLimit", 0x340, U32;
    /// `OffsetKThreadStackBase` (Windows 8).
    offset_kthread_stack_base, "OffsetKThreadStackBase", 0x344, U32;
    /// `OffsetKThreadQueueListEntry` (Windows 8).
    offset_kthread_queue_list_entry, "OffsetKThreadQueueListEntry", 0x348, U32;
    /// `OffsetEThreadIrpList` (Windows 8).
    offset_ethread_irp_list, "OffsetEThreadIrpList", 0x34C, U32;
    /// `OffsetPrcbIdleThread` (Windows 8).
    offset_prcb_idle_thread, "OffsetPrcbIdleThread", 0x350, U16;
    /// `OffsetPrcbNormalDpcState` (Windows 8).
    offset_prcb_normal_dpc_state, "OffsetPrcbNormalDpcState", 0x352, U16;
    /// `OffsetPrcbDPCStack` (Windows 8).
    offset_prcb_dpc_stack, "OffsetPrcbDPCStack", 0x354, U16;
    /// `OffsetPrcbIsrStack` (Windows 8).
    offset_prcb_isr_stack, "OffsetPrcbIsrStack", 0x356, U16;
    /// `SizeKDPC_STACK_FRAME` (Windows 8).
    size_kdpc_stack_frame, "SizeKDPC_STACK_FRAME", 0x358, U16;
    /// `OffsetKPriQueueThreadListHead` (Windows 8.1).
    offset_kpriqueue_thread_list_head, "OffsetKPriQueueThreadListHead", 0x35A, U16;
    /// `OffsetKThreadWaitReason` (Windows 8.1).
    offset_kthread_wait_reason, "OffsetKThreadWaitReason", 0x35C, U16;
    /// `PteBase` (Windows 10 RS1; a value).
    pte_base, "PteBase", 0x360, Pointer;
    /// `RetpolineStubFunctionTable` (RS5).
    retpoline_stub_function_table, "RetpolineStubFunctionTable", 0x368, Pointer;
    /// `RetpolineStubFunctionTableSize` (RS5).
    retpoline_stub_function_table_size, "RetpolineStubFunctionTableSize", 0x370, U32;
    /// `RetpolineStubOffset` (RS5).
    retpoline_stub_offset, "RetpolineStubOffset", 0x374, U32;
    /// `RetpolineStubSize` (RS5).
    retpoline_stub_size, "RetpolineStubSize", 0x378, U32;
}
