//! `_ETHREAD` and its `_KTHREAD`: `!thread` (state, wait reason, times, start addresses, the
//! kernel stack and its saved stack pointer) and the thread list of a process.

use super::list::ListWalk;
use super::process::Process;
use super::{KernelObjects, back, field, opt};
use crate::error::Error;
use crate::memory::ReadMemory;

/// Offsets in `_ETHREAD` and the `_KTHREAD` at its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThreadLayout {
    /// `sizeof(_ETHREAD)`.
    pub size: u32,
    /// `Tcb.InitialStack`.
    pub initial_stack: u32,
    /// `Tcb.StackLimit`.
    pub stack_limit: u32,
    /// `Tcb.StackBase`.
    pub stack_base: u32,
    /// `Tcb.KernelStack`: the stack pointer saved at the thread's last context switch, where
    /// its switch frame starts.
    pub kernel_stack: u32,
    /// `Tcb.Teb`.
    pub teb: u32,
    /// `Tcb.State` (`_KTHREAD_STATE`, a byte).
    pub state: u32,
    /// `Tcb.WaitReason` (`_KWAIT_REASON`, a byte).
    pub wait_reason: u32,
    /// `Tcb.WaitTime`: the tick count when the wait started.
    pub wait_time: u32,
    /// `Tcb.ContextSwitches`.
    pub context_switches: u32,
    /// `Tcb.KernelTime` (ticks).
    pub kernel_time: u32,
    /// `Tcb.UserTime` (ticks).
    pub user_time: u32,
    /// `Tcb.Process` (`_ETHREAD.ThreadsProcess` on XP, whose `_KTHREAD` has no `Process`).
    pub owning_process: u32,
    /// `Tcb.Win32Thread`.
    pub win32_thread: u32,
    /// `Tcb.Priority`.
    pub priority: u32,
    /// `Tcb.BasePriority`.
    pub base_priority: u32,
    /// `CreateTime`.
    pub create_time: u32,
    /// `ExitTime` (a union with `KeyedWaitChain`: meaningful only once the thread has exited).
    pub exit_time: u32,
    /// `Cid` (`UniqueProcess`, then `UniqueThread`).
    pub cid: u32,
    /// `StartAddress`.
    pub start_address: u32,
    /// `Win32StartAddress`.
    pub win32_start_address: u32,
    /// `ThreadListEntry` (in `_EPROCESS.ThreadListHead`).
    pub thread_list_entry: u32,
    /// `CrossThreadFlags` (bit 0: `Terminated`).
    pub cross_thread_flags: u32,
    /// `ExitStatus`.
    pub exit_status: u32,
}

impl ThreadLayout {
    pub(crate) fn push_fields(&self, v: &mut Vec<(&'static str, &'static str, u32)>, build: u32) {
        v.extend([
            ("_ETHREAD", "<size>", self.size),
            ("_KTHREAD", "InitialStack", self.initial_stack),
            ("_KTHREAD", "StackLimit", self.stack_limit),
            ("_KTHREAD", "StackBase", self.stack_base),
            ("_KTHREAD", "KernelStack", self.kernel_stack),
            ("_KTHREAD", "Teb", self.teb),
            ("_KTHREAD", "State", self.state),
            ("_KTHREAD", "WaitReason", self.wait_reason),
            ("_KTHREAD", "WaitTime", self.wait_time),
            ("_KTHREAD", "ContextSwitches", self.context_switches),
            ("_KTHREAD", "KernelTime", self.kernel_time),
            ("_KTHREAD", "UserTime", self.user_time),
            if build <= 2600 {
                ("_ETHREAD", "ThreadsProcess", self.owning_process)
            } else {
                ("_KTHREAD", "Process", self.owning_process)
            },
            ("_KTHREAD", "Win32Thread", self.win32_thread),
            ("_KTHREAD", "Priority", self.priority),
            ("_KTHREAD", "BasePriority", self.base_priority),
            ("_ETHREAD", "CreateTime", self.create_time),
            ("_ETHREAD", "ExitTime", self.exit_time),
            ("_ETHREAD", "Cid", self.cid),
            ("_ETHREAD", "StartAddress", self.start_address),
            ("_ETHREAD", "Win32StartAddress", self.win32_start_address),
            ("_ETHREAD", "ThreadListEntry", self.thread_list_entry),
            ("_ETHREAD", "CrossThreadFlags", self.cross_thread_flags),
            ("_ETHREAD", "ExitStatus", self.exit_status),
        ]);
    }
}

/// `_KTHREAD_STATE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThreadState {
    /// 0.
    Initialized,
    /// 1.
    Ready,
    /// 2.
    Running,
    /// 3.
    Standby,
    /// 4: WinDbg prints `TERMINATED`.
    Terminated,
    /// 5: see the wait reason.
    Waiting,
    /// 6.
    Transition,
    /// 7.
    DeferredReady,
    /// 8.
    GateWaitObsolete,
    /// 9.
    WaitingForProcessInSwap,
    /// Any other value (corrupt).
    Unknown(u8),
}

impl ThreadState {
    /// From the `State` byte.
    pub fn from_raw(v: u8) -> Self {
        match v {
            0 => ThreadState::Initialized,
            1 => ThreadState::Ready,
            2 => ThreadState::Running,
            3 => ThreadState::Standby,
            4 => ThreadState::Terminated,
            5 => ThreadState::Waiting,
            6 => ThreadState::Transition,
            7 => ThreadState::DeferredReady,
            8 => ThreadState::GateWaitObsolete,
            9 => ThreadState::WaitingForProcessInSwap,
            v => ThreadState::Unknown(v),
        }
    }
    /// The `State` byte.
    pub fn raw(self) -> u8 {
        match self {
            ThreadState::Initialized => 0,
            ThreadState::Ready => 1,
            ThreadState::Running => 2,
            ThreadState::Standby => 3,
            ThreadState::Terminated => 4,
            ThreadState::Waiting => 5,
            ThreadState::Transition => 6,
            ThreadState::DeferredReady => 7,
            ThreadState::GateWaitObsolete => 8,
            ThreadState::WaitingForProcessInSwap => 9,
            ThreadState::Unknown(v) => v,
        }
    }
    /// The word WinDbg's `!thread` prints (`RUNNING`, `WAIT`, `TERMINATED`...).
    pub fn windbg_word(self) -> &'static str {
        match self {
            ThreadState::Initialized => "INITIALIZED",
            ThreadState::Ready => "READY",
            ThreadState::Running => "RUNNING",
            ThreadState::Standby => "STANDBY",
            ThreadState::Terminated => "TERMINATED",
            ThreadState::Waiting => "WAIT",
            ThreadState::Transition => "TRANSITION",
            ThreadState::DeferredReady => "DEFERREDREADY",
            ThreadState::GateWaitObsolete => "GATEWAIT",
            ThreadState::WaitingForProcessInSwap => "WAITINGFORPROCESSINSWAP",
            ThreadState::Unknown(_) => "UNKNOWN",
        }
    }
}

/// `_KWAIT_REASON`, a byte; names as of Windows 11 (XP had `WrEventPair` for 14 and spares
/// from 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WaitReason(pub u8);

const WAIT_REASONS: [&str; 41] = [
    "Executive",
    "FreePage",
    "PageIn",
    "PoolAllocation",
    "DelayExecution",
    "Suspended",
    "UserRequest",
    "WrExecutive",
    "WrFreePage",
    "WrPageIn",
    "WrPoolAllocation",
    "WrDelayExecution",
    "WrSuspended",
    "WrUserRequest",
    "WrSpare0",
    "WrQueue",
    "WrLpcReceive",
    "WrLpcReply",
    "WrVirtualMemory",
    "WrPageOut",
    "WrRendezvous",
    "WrKeyedEvent",
    "WrTerminated",
    "WrProcessInSwap",
    "WrCpuRateControl",
    "WrCalloutStack",
    "WrKernel",
    "WrResource",
    "WrPushLock",
    "WrMutex",
    "WrQuantumEnd",
    "WrDispatchInt",
    "WrPreempted",
    "WrYieldExecution",
    "WrFastMutex",
    "WrGuardedMutex",
    "WrRundown",
    "WrAlertByThreadId",
    "WrDeferredPreempt",
    "WrPhysicalFault",
    "WrIoRing",
];

impl WaitReason {
    /// The name, `None` for a value past the known ones.
    pub fn name(self) -> Option<&'static str> {
        WAIT_REASONS.get(usize::from(self.0)).copied()
    }
}

/// A thread's kernel stack: its bounds and the stack pointer saved at the last switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ThreadStack {
    /// `InitialStack` (WinDbg "Stack Init"; zero once the thread terminated).
    pub initial: Option<u64>,
    /// `KernelStack` (WinDbg "Current"): where the saved switch frame starts; walk the kernel
    /// stack from here.
    pub current: Option<u64>,
    /// `StackBase` (the high end).
    pub base: Option<u64>,
    /// `StackLimit` (the low end).
    pub limit: Option<u64>,
}

/// One thread, as `!thread` shows it. Fields that are not in the dump are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Thread {
    /// Address of the `_ETHREAD`.
    pub address: u64,
    /// `Cid.UniqueProcess`.
    pub pid: Option<u64>,
    /// `Cid.UniqueThread`.
    pub tid: Option<u64>,
    /// `Teb` (zero for system threads).
    pub teb: Option<u64>,
    /// `Win32Thread`.
    pub win32_thread: Option<u64>,
    /// `State`.
    pub state: Option<ThreadState>,
    /// `WaitReason`, for a waiting thread.
    pub wait_reason: Option<WaitReason>,
    /// The owning `_EPROCESS`.
    pub process: Option<u64>,
    /// `WaitTime`: the tick count when the last wait started (WinDbg "Wait Start TickCount").
    pub wait_start_tick: Option<u32>,
    /// `ContextSwitches`.
    pub context_switches: Option<u32>,
    /// `KernelTime` (clock ticks).
    pub kernel_time: Option<u32>,
    /// `UserTime` (clock ticks).
    pub user_time: Option<u32>,
    /// `StartAddress`.
    pub start_address: Option<u64>,
    /// `Win32StartAddress` (for user threads, the real entry point).
    pub win32_start_address: Option<u64>,
    /// The kernel stack.
    pub stack: ThreadStack,
    /// `Priority`.
    pub priority: Option<i8>,
    /// `BasePriority`.
    pub base_priority: Option<i8>,
    /// `CreateTime` (FILETIME).
    pub create_time: Option<u64>,
    /// `ExitTime` (FILETIME) for a terminated thread; `None` while it runs (the field then
    /// holds list links).
    pub exit_time: Option<u64>,
    /// `CrossThreadFlags` bit 0 (`Terminated`).
    pub terminated_flag: Option<bool>,
    /// `ExitStatus`.
    pub exit_status: Option<u32>,
}

impl Thread {
    /// Whether the thread has terminated (state `Terminated`, or the `Terminated` flag).
    pub fn is_terminated(&self) -> bool {
        self.state == Some(ThreadState::Terminated) || self.terminated_flag == Some(true)
    }
}

/// Iterator over a process's threads ([`KernelObjects::threads`]).
#[derive(Debug)]
pub struct ThreadIter<'a, M> {
    k: &'a KernelObjects<M>,
    walk: Option<ListWalk>,
    error: Option<Error>,
}

impl<M: ReadMemory> Iterator for ThreadIter<'_, M> {
    type Item = Result<Thread, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.error.take() {
            return Some(Err(e));
        }
        let entry = match self.walk.as_mut()?.next_entry(&self.k.mem)? {
            Ok(e) => e,
            Err(e) => return Some(Err(e)),
        };
        Some(
            back(
                entry,
                self.k.layout.thread.thread_list_entry,
                "ThreadListEntry",
            )
            .and_then(|t| self.k.thread(t)),
        )
    }
}

impl<M: ReadMemory> KernelObjects<M> {
    /// The threads of a process (`_EPROCESS.ThreadListHead`).
    pub fn threads(&self, process: &Process) -> ThreadIter<'_, M> {
        match field(
            process.address,
            self.layout.process.thread_list_head,
            "ThreadListHead",
        ) {
            Ok(head) => ThreadIter {
                k: self,
                walk: Some(ListWalk::new(
                    "thread list",
                    head,
                    self.layout.width,
                    self.limits.max_list_steps,
                )),
                error: None,
            },
            Err(e) => ThreadIter {
                k: self,
                walk: None,
                error: Some(e),
            },
        }
    }

    /// The bytes of a thread's kernel stack from its saved stack pointer (`KernelStack`, where
    /// the switch frame starts) up to `StackBase`, for a stack walker: `(address, bytes)`. At
    /// most 64 KiB; the pointer must lie within `[StackLimit, StackBase)`, else the stack is
    /// reported corrupt.
    pub fn kernel_stack_bytes(&self, thread: &Thread) -> Result<(u64, Vec<u8>), Error> {
        const MAX_STACK: u64 = 0x1_0000;
        let bad = Error::Corrupt {
            what: "kernel stack bounds",
            addr: thread.address,
        };
        let (Some(sp), Some(base), Some(limit)) =
            (thread.stack.current, thread.stack.base, thread.stack.limit)
        else {
            return Err(bad);
        };
        if !(limit..base).contains(&sp) {
            return Err(bad);
        }
        let len = base.saturating_sub(sp).min(MAX_STACK);
        let mut bytes = vec![0u8; usize::try_from(len).map_err(|_| bad.clone())?];
        self.mem.read(sp, &mut bytes)?;
        Ok((sp, bytes))
    }

    /// Read the `_ETHREAD` at `addr`. The state byte must be readable.
    pub fn thread(&self, addr: u64) -> Result<Thread, Error> {
        let l = &self.layout.thread;
        let w = self.layout.width;
        let m = &self.mem;
        let ptr = |off: u32, what: &'static str| -> Result<Option<u64>, Error> {
            opt(m.read_ptr(field(addr, off, what)?, w))
        };
        let u32_at = |off: u32, what: &'static str| -> Result<Option<u32>, Error> {
            opt(m.read_u32(field(addr, off, what)?))
        };
        let i8_at = |off: u32, what: &'static str| -> Result<Option<i8>, Error> {
            Ok(opt(m.read_u8(field(addr, off, what)?))?.map(|b| i8::from_le_bytes([b])))
        };
        let state = ThreadState::from_raw(m.read_u8(field(addr, l.state, "State")?)?);
        let wait_reason = if state == ThreadState::Waiting {
            opt(m.read_u8(field(addr, l.wait_reason, "WaitReason")?))?.map(WaitReason)
        } else {
            None
        };
        let cid_thread = field(addr, l.cid, "Cid")?
            .checked_add(w.bytes())
            .ok_or(Error::Corrupt { what: "Cid", addr })?;
        let flags = u32_at(l.cross_thread_flags, "CrossThreadFlags")?;
        let terminated_flag = flags.map(|f| f & 1 != 0);
        let exited = state == ThreadState::Terminated || terminated_flag == Some(true);
        Ok(Thread {
            address: addr,
            pid: ptr(l.cid, "Cid")?,
            tid: opt(m.read_ptr(cid_thread, w))?,
            teb: ptr(l.teb, "Teb")?,
            win32_thread: ptr(l.win32_thread, "Win32Thread")?,
            state: Some(state),
            wait_reason,
            process: ptr(l.owning_process, "Process")?,
            wait_start_tick: u32_at(l.wait_time, "WaitTime")?,
            context_switches: u32_at(l.context_switches, "ContextSwitches")?,
            kernel_time: u32_at(l.kernel_time, "KernelTime")?,
            user_time: u32_at(l.user_time, "UserTime")?,
            start_address: ptr(l.start_address, "StartAddress")?,
            win32_start_address: ptr(l.win32_start_address, "Win32StartAddress")?,
            stack: ThreadStack {
                initial: ptr(l.initial_stack, "InitialStack")?,
                current: ptr(l.kernel_stack, "KernelStack")?,
                base: ptr(l.stack_base, "StackBase")?,
                limit: ptr(l.stack_limit, "StackLimit")?,
            },
            priority: i8_at(l.priority, "Priority")?,
            base_priority: i8_at(l.base_priority, "BasePriority")?,
            create_time: opt(m.read_u64(field(addr, l.create_time, "CreateTime")?))?,
            exit_time: if exited {
                opt(m.read_u64(field(addr, l.exit_time, "ExitTime")?))?
            } else {
                None
            },
            terminated_flag,
            exit_status: u32_at(l.exit_status, "ExitStatus")?,
        })
    }
}
