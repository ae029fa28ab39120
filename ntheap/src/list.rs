//! `_LIST_ENTRY` walks with a step limit and cycle detection.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use crate::finding::*;
use crate::layout::PointerWidth;
use crate::memory::ReadMemory;

/// Outcome of walking one `LIST_ENTRY` list.
pub(crate) struct ListWalk {
    pub(crate) links: Vec<u64>,
    pub(crate) findings: Vec<Finding>,
}

pub(crate) fn walk_list<M: ReadMemory + ?Sized>(
    mem: &M,
    head: u64,
    width: PointerWidth,
    max: usize,
) -> ListWalk {
    let mut out = ListWalk {
        links: Vec::new(),
        findings: Vec::new(),
    };
    let ptr = width.bytes();
    let mut cur = match mem.read_ptr(head, width) {
        Ok(v) => v,
        Err(e) => {
            out.findings.push(Finding::from_mem(e));
            return out;
        }
    };
    let mut prev = head;
    // Node addresses hashed with the cheap SplitMix64 finalizer: a free list can have
    // millions of nodes.
    let mut seen: HashSet<u64, BuildHasherDefault<crate::report::SizeHasher>> = HashSet::default();
    while cur != head {
        if cur == 0 || !cur.is_multiple_of(ptr) {
            out.findings.push(Finding {
                address: prev,
                kind: FindingKind::BadLink { head, value: cur },
            });
            break;
        }
        if !seen.insert(cur) {
            out.findings.push(Finding {
                address: cur,
                kind: FindingKind::ListCycle { head },
            });
            break;
        }
        if out.links.len() >= max {
            out.findings.push(Finding {
                address: cur,
                kind: FindingKind::LimitReached { what: "list steps" },
            });
            break;
        }
        let Some(blink_at) = cur.checked_add(ptr) else {
            break;
        };
        match mem.read_ptr(blink_at, width) {
            Ok(b) if b != prev => out.findings.push(Finding {
                address: cur,
                kind: FindingKind::BadBackLink {
                    expected: prev,
                    found: b,
                },
            }),
            Ok(_) => {}
            Err(e) => {
                out.findings.push(Finding::from_mem(e));
                break;
            }
        }
        out.links.push(cur);
        let next = match mem.read_ptr(cur, width) {
            Ok(v) => v,
            Err(e) => {
                out.findings.push(Finding::from_mem(e));
                break;
            }
        };
        prev = cur;
        cur = next;
    }
    out
}
