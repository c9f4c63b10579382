//! wire (placeholder until implemented).
