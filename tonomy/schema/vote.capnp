# Consensus votes and the commit that finalizes a block.
# The rules at the top of transaction.capnp hold here too.

@0xfeb68b4722787506;

enum VoteKind {
  prevote @0;
  precommit @1;
}

struct Vote {
  # The whole message is at most maxVoteBytes (512).
  kind @0 :VoteKind;
  chainId @1 :Data;      # exactly 32 bytes
  height @2 :UInt64;     # height of the block voted on
  round @3 :UInt32;      # consensus round at that height
  blockHash @4 :Data;    # empty (null) = a nil vote; otherwise exactly 32 bytes,
                         # the header hash of the block voted for
  validator @5 :Data;    # exactly 32 bytes: the validator's Ed25519 public key
  signature @6 :Data;    # exactly 64 bytes: Ed25519 signature of the vote digest
                         # (docs/wire.md: a fixed byte layout, not these bytes)
}

struct Commit {
  # Precommits that finalize one block: all of kind precommit, for the same
  # chainId, height, round and (non-nil) blockHash, sorted by validator key
  # (bytewise ascending) with no validator twice, so a set of votes has one
  # encoding. 0..=maxCommitVotes (256) votes; empty only before the first block.
  votes @0 :List(Vote);
}
