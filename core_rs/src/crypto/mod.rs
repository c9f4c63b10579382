//! crypto (placeholder until implemented).
