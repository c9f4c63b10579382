# Transactions: what a client builds, signs and submits.
#
# Rules that hold for every Tonomy wire message (see docs/wire.md):
# - A message is the Cap'n Proto CANONICAL encoding: one segment, no segment
#   table, objects in pre-order, data and pointer sections truncated. Decoders
#   re-encode what they decoded and reject the message unless the bytes are
#   identical, so every value has exactly one encoding and hashes over bytes
#   are hashes over values.
# - An empty Data or List field is a null pointer, never a zero-length one.
# - Field ordinals are never reused or renumbered; a removed field stays as a
#   comment. A field may be added only with a new protocol version: a node
#   rejects fields it does not know (they would change the canonical bytes).
# - Limits below name the field of `Limits` in core_rs/src/wire/limits.rs that
#   holds the protocol default.
#
# A NAME (account, permission, plugin, action) is Text of 1..=maxNameLen
# (64) bytes from [a-z0-9._-], starting with [a-z0-9].

@0xf8f685b05ffe9a7b;

struct PermissionLevel {
  # One `actor@permission` that authorizes an action.
  actor @0 :Text;        # NAME of the account
  permission @1 :Text;   # NAME of the permission on that account
}

struct Action {
  plugin @0 :Text;       # NAME of the plugin that handles the action
  name @1 :Text;         # NAME of the action within that plugin
  authorization @2 :List(PermissionLevel);
                         # 1..=maxAuthorizations (16) levels, no duplicate
  data @3 :Data;         # 0..=maxActionDataBytes (64 KiB), encoding chosen by the plugin
}

struct TransactionBody {
  chainId @0 :Data;      # exactly 32 bytes: the network's chain id
  expiration @1 :UInt64; # seconds since the Unix epoch, compared with BLOCK time
                         # (never a wall clock): invalid in a block whose
                         # time (ms) / 1000 is greater than this
  refBlockNum @2 :UInt32;
                         # low 32 bits of the height of the reference block (TAPOS)
  refBlockPrefix @3 :Data;
                         # exactly 8 bytes: the first 8 bytes of that block's header hash
  maxOps @4 :UInt64;     # most metered operations the signer agrees to pay for;
                         # 0 = no limit beyond the block's own
  nonce @5 :UInt64;      # free value so a signer can send two otherwise identical
                         # transactions (they get different ids)
  actions @6 :List(Action);
                         # 1..=maxActions (32) actions, run in order, all or none
}

struct Signature {
  publicKey @0 :Data;    # exactly 32 bytes: Ed25519 public key
  signature @1 :Data;    # exactly 64 bytes: Ed25519 signature of the transaction id
}

struct SignedTransaction {
  # The whole message is at most maxTransactionBytes (128 KiB).
  body @0 :Data;         # the canonical encoding of a TransactionBody: the exact
                         # bytes the signatures and the id cover
  signatures @1 :List(Signature);
                         # 1..=maxSignatures (16), no two with the same public key
}
