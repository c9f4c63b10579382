# Blocks and their headers. The rules at the top of transaction.capnp hold here too.

@0xe641579dd783e9b5;

using Vote = import "vote.capnp";

struct BlockHeader {
  # The whole message is at most maxHeaderBytes (1 KiB).
  # Its hash (the block hash) covers these exact canonical bytes.
  chainId @0 :Data;      # exactly 32 bytes
  height @1 :UInt64;     # height of this block
  previousHash @2 :Data; # exactly 32 bytes: hash of the previous header
                         # (32 zero bytes for the first block)
  time @3 :UInt64;       # block time, milliseconds since the Unix epoch
  transactionRoot @4 :Data;
                         # exactly 32 bytes: Merkle root of the transaction ids
  stateRoot @5 :Data;    # exactly 32 bytes: authenticated state root (consensus spec
                         # says after which block)
  proposer @6 :Data;     # exactly 32 bytes: the proposing validator's Ed25519 key
  validatorSetHash @7 :Data;
                         # exactly 32 bytes: hash of the validator set of this height
  round @8 :UInt32;      # consensus round in which this block was proposed
  lastCommitHash @9 :Data;
                         # exactly 32 bytes: commit hash of `Block.lastCommit`, so the
                         # header (and the block hash) covers the whole block
}

struct Block {
  # The whole message is at most maxBlockBytes (8 MiB).
  header @0 :Data;       # the canonical encoding of a BlockHeader
  transactions @1 :List(Data);
                         # 0..=maxBlockTransactions (4096) canonical SignedTransactions,
                         # each on the header's chain
  lastCommit @2 :Vote.Commit;
                         # the commit of the previous block (empty for the first)
}
