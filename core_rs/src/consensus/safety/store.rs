//! Where the safety state lives: the `SafetyStore` trait, an in-memory store (tests and
//! the simulation; it survives an engine "restart" because clones share the bytes) and
//! the crash-safe file store.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::state::SafetyState;
use crate::{CoreError, CoreResult};

/// Durable storage of the safety state. `save` returns only once the state is durable.
pub trait SafetyStore: Send + Sync {
    /// The stored state; `None` only if nothing was ever saved.
    fn load(&self) -> CoreResult<Option<SafetyState>>;
    fn save(&mut self, state: &SafetyState) -> CoreResult<()>;
}

/// Shared in-memory bytes: clones see the same "disk".
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    bytes: Arc<Mutex<Option<Vec<u8>>>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl SafetyStore for MemoryStore {
    fn load(&self) -> CoreResult<Option<SafetyState>> {
        let guard = self
            .bytes
            .lock()
            .map_err(|_| CoreError::Internal("safety store lock poisoned".into()))?;
        guard.as_deref().map(SafetyState::decode).transpose()
    }

    fn save(&mut self, state: &SafetyState) -> CoreResult<()> {
        let mut guard = self
            .bytes
            .lock()
            .map_err(|_| CoreError::Internal("safety store lock poisoned".into()))?;
        *guard = Some(state.encode());
        Ok(())
    }
}

/// One file, replaced atomically: write `<file>.tmp`, fsync it, rename it over the file,
/// fsync the directory. A crash at any point leaves either the old or the new state.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn temp_path(&self) -> PathBuf {
        let mut name = self
            .path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".tmp");
        self.path.with_file_name(name)
    }
}

fn storage(what: &str, path: &Path, err: std::io::Error) -> CoreError {
    CoreError::Storage(format!("safety state: {what} {}: {err}", path.display()))
}

impl SafetyStore for FileStore {
    fn load(&self) -> CoreResult<Option<SafetyState>> {
        match fs::read(&self.path) {
            Ok(bytes) => SafetyState::decode(&bytes).map(Some),
            // A leftover temp file without the main file means the first save never
            // completed, so no signature was ever handed out.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(storage("cannot read", &self.path, err)),
        }
    }

    fn save(&mut self, state: &SafetyState) -> CoreResult<()> {
        let temp = self.temp_path();
        let bytes = state.encode();
        {
            let mut file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&temp)
                .map_err(|e| storage("cannot create", &temp, e))?;
            file.write_all(&bytes)
                .map_err(|e| storage("cannot write", &temp, e))?;
            file.sync_all()
                .map_err(|e| storage("cannot fsync", &temp, e))?;
        }
        fs::rename(&temp, &self.path).map_err(|e| storage("cannot rename over", &self.path, e))?;
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| storage("cannot fsync directory", &dir, e))?;
        Ok(())
    }
}
