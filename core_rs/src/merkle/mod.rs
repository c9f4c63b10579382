//! merkle (placeholder until implemented).
