//! `_LIST_ENTRY` walks: step-limited, with back-link checks and cycle detection in constant
//! memory (Brent's algorithm).

use crate::error::Error;
use crate::memory::{PointerWidth, ReadMemory};

/// A walk over a circular doubly linked list, yielding the address of each `LIST_ENTRY` after
/// the head.
#[derive(Debug, Clone)]
pub(crate) struct ListWalk {
    what: &'static str,
    head: u64,
    /// The entry whose `Flink` is read next.
    current: u64,
    steps: u64,
    max_steps: u64,
    width: PointerWidth,
    /// Brent's cycle detection: the saved entry, and the steps until it is moved.
    mark: u64,
    power: u64,
    lap: u64,
    done: bool,
}

impl ListWalk {
    pub(crate) fn new(what: &'static str, head: u64, width: PointerWidth, max_steps: u64) -> Self {
        ListWalk {
            what,
            head,
            current: head,
            steps: 0,
            max_steps,
            width,
            mark: head,
            power: 1,
            lap: 0,
            done: false,
        }
    }

    /// The next entry, `None` once back at the head; an error ends the walk.
    pub(crate) fn next_entry<M: ReadMemory + ?Sized>(
        &mut self,
        mem: &M,
    ) -> Option<Result<u64, Error>> {
        if self.done {
            return None;
        }
        let r = self.step(mem);
        match r {
            Ok(Some(e)) => Some(Ok(e)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    fn step<M: ReadMemory + ?Sized>(&mut self, mem: &M) -> Result<Option<u64>, Error> {
        let next = mem.read_ptr(self.current, self.width)?;
        if next == self.head {
            return Ok(None);
        }
        if next == 0 {
            return Err(Error::Corrupt {
                what: self.what,
                addr: self.current,
            });
        }
        if self.steps >= self.max_steps || next == self.mark {
            return Err(Error::WalkLimit {
                what: self.what,
                addr: next,
            });
        }
        // The back link of the next entry must point to the current one; a link that cannot be
        // read (not in the dump) is not checked.
        let blink_at = next.checked_add(self.width.bytes()).ok_or(Error::Corrupt {
            what: self.what,
            addr: next,
        })?;
        match mem.read_ptr(blink_at, self.width) {
            Ok(b) if b != self.current => {
                return Err(Error::Corrupt {
                    what: self.what,
                    addr: next,
                });
            }
            Ok(_) => {}
            Err(e) if e.is_not_captured() => {}
            Err(e) => return Err(e.into()),
        }
        self.steps = self.steps.saturating_add(1);
        self.lap = self.lap.saturating_add(1);
        if self.lap >= self.power {
            self.mark = next;
            self.power = self.power.saturating_mul(2);
            self.lap = 0;
        }
        self.current = next;
        Ok(Some(next))
    }
}
