//! hash (placeholder until implemented).
