//! Shared code of the dumpscope CLI.
