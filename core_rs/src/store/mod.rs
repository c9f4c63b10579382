//! store (placeholder until implemented).
