//! Computing roots and inclusion proofs.
//!
//! The root is computed bottom up, pairing neighbours and carrying a lone last node up
//! unchanged; that builds exactly the RFC 6962 tree (its left subtrees are perfect), and
//! level `m` holds the roots of the aligned blocks of `2^m` leaves. Large lists use that
//! fact to split the work: each thread reduces whole blocks, then the block roots are
//! reduced as one more list.

use std::sync::OnceLock;

use super::{empty_root, leaf_hash, node_hash, sibling_ranges};
use crate::hash::Digest;
use crate::{CoreError, CoreResult};

/// Lists shorter than this are hashed on the calling thread.
const PARALLEL_FROM_LEAVES: usize = 8192;
/// The smallest block (a power of two) a thread reduces on its own.
const MIN_BLOCK_LEAVES: usize = 1024;

/// The Merkle root of `leaves` (see the module docs for the shape and tags).
pub fn root<L: AsRef<[u8]> + Sync>(leaves: &[L]) -> Digest {
    root_with_threads(leaves, available_cores())
}

/// [`root`] using at most `max_threads` threads.
pub fn root_with_threads<L: AsRef<[u8]> + Sync>(leaves: &[L], max_threads: usize) -> Digest {
    if leaves.is_empty() {
        return empty_root();
    }
    if max_threads <= 1 || leaves.len() < PARALLEL_FROM_LEAVES {
        return block_root(leaves);
    }
    // Several blocks per thread keep the threads balanced when n is not a power of two.
    let target = (leaves.len() / (4 * max_threads)).max(MIN_BLOCK_LEAVES);
    let block = 1usize << (usize::BITS - 1 - target.leading_zeros()); // power of two <= target
    let blocks: Vec<&[L]> = leaves.chunks(block).collect();
    let per_thread = blocks.len().div_ceil(max_threads);
    let block_roots = std::thread::scope(|scope| {
        let handles: Vec<_> = blocks
            .chunks(per_thread)
            .map(|mine| scope.spawn(move || mine.iter().map(|b| block_root(b)).collect::<Vec<_>>()))
            .collect();
        let mut roots = Vec::with_capacity(blocks.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => roots.extend(part),
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        roots
    });
    reduce(block_roots)
}

/// The inclusion proof (audit path) of leaf `index`, ordered from the leaf's sibling up.
pub fn proof<L: AsRef<[u8]> + Sync>(leaves: &[L], index: usize) -> CoreResult<Vec<Digest>> {
    if index >= leaves.len() {
        return Err(CoreError::InvalidInput(format!(
            "leaf index {index} is outside a list of {} leaves",
            leaves.len()
        )));
    }
    let mut path = Vec::new();
    for (low, high) in sibling_ranges(index as u64, leaves.len() as u64).into_iter().rev() {
        let sibling = usize::try_from(low)
            .ok()
            .zip(usize::try_from(high).ok())
            .and_then(|(low, high)| leaves.get(low..high))
            .ok_or_else(|| CoreError::Internal("a sibling range left the list".into()))?;
        path.push(root(sibling));
    }
    Ok(path)
}

/// Root of a non-empty list on the current thread.
fn block_root<L: AsRef<[u8]>>(leaves: &[L]) -> Digest {
    reduce(leaves.iter().map(|leaf| leaf_hash(leaf.as_ref())).collect())
}

/// Pair neighbours level by level; a lone last node moves up unchanged.
fn reduce(mut level: Vec<Digest>) -> Digest {
    while level.len() > 1 {
        let mut pairs = level.chunks_exact(2);
        let mut parents: Vec<Digest> =
            pairs.by_ref().map(|pair| node_hash(&pair[0], &pair[1])).collect();
        parents.extend_from_slice(pairs.remainder());
        level = parents;
    }
    level.first().copied().unwrap_or_else(empty_root)
}

fn available_cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
