//! smt (placeholder until implemented).
