//! Synthetic minidump writer (to be written).
