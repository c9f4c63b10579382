//! Protocol limits of the wire format, in one place.
//!
//! Sizes are checked before any parsing, counts and lengths while decoding; the
//! Cap'n Proto reader itself runs with a traversal limit proportional to the
//! message and a small nesting limit, so no input makes the decoder do more than
//! linear work or recurse deeply. Changing a default changes which messages the
//! network accepts: it is a protocol change.

/// Limits every decoder and encoder enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest `SignedTransaction` message, in bytes.
    pub max_transaction_bytes: usize,
    /// Largest `BlockHeader` message, in bytes.
    pub max_header_bytes: usize,
    /// Largest `Vote` message, in bytes.
    pub max_vote_bytes: usize,
    /// Largest `Block` message, in bytes (also bounds a `Commit`).
    pub max_block_bytes: usize,
    /// Most actions in one transaction.
    pub max_actions: usize,
    /// Most `actor@permission` levels on one action.
    pub max_authorizations: usize,
    /// Most signatures on one transaction.
    pub max_signatures: usize,
    /// Longest account, permission, plugin or action name, in bytes.
    pub max_name_len: usize,
    /// Largest `Action.data`, in bytes.
    pub max_action_data_bytes: usize,
    /// Most transactions in one block.
    pub max_block_transactions: usize,
    /// Most votes in one commit (an upper bound on the validator set).
    pub max_commit_votes: usize,
    /// Words the reader may traverse per word of input. Canonical messages
    /// are traversed about twice (canonical check, then the fields), so 4
    /// leaves room while still making amplification through aliased
    /// pointers impossible.
    pub traversal_words_per_word: usize,
    /// Deepest struct/list nesting the reader follows. Our deepest message
    /// (`TransactionBody` → actions → action → authorization → level → text)
    /// needs 6; anything far deeper is an attack on the recursion.
    pub nesting_limit: i32,
}

impl Limits {
    /// The protocol defaults.
    pub const PROTOCOL: Limits = Limits {
        max_transaction_bytes: 128 * 1024,
        max_header_bytes: 1024,
        max_vote_bytes: 512,
        max_block_bytes: 8 * 1024 * 1024,
        max_actions: 32,
        max_authorizations: 16,
        max_signatures: 16,
        max_name_len: 64,
        max_action_data_bytes: 64 * 1024,
        max_block_transactions: 4096,
        max_commit_votes: 256,
        traversal_words_per_word: 4,
        nesting_limit: 16,
    };

    /// The traversal limit for a message of `message_bytes` bytes.
    pub fn traversal_limit_in_words(&self, message_bytes: usize) -> usize {
        (message_bytes / 8)
            .saturating_mul(self.traversal_words_per_word)
            .saturating_add(64)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::PROTOCOL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_protocol_limits() {
        assert_eq!(Limits::default(), Limits::PROTOCOL);
    }

    #[test]
    fn the_largest_transaction_fits_in_a_block() {
        let l = Limits::PROTOCOL;
        assert!(l.max_transaction_bytes < l.max_block_bytes);
        assert!(l.max_action_data_bytes < l.max_transaction_bytes);
    }

    #[test]
    fn traversal_limit_grows_linearly_and_never_overflows() {
        let l = Limits::PROTOCOL;
        assert_eq!(l.traversal_limit_in_words(0), 64);
        assert_eq!(l.traversal_limit_in_words(800), 100 * 4 + 64);
        let huge = Limits {
            traversal_words_per_word: usize::MAX,
            ..l
        };
        assert_eq!(huge.traversal_limit_in_words(usize::MAX), usize::MAX);
    }
}
