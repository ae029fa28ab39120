//! PDB.
