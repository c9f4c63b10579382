"""The wire format through the bindings: round trips, digests, hostile input.

Independent checks come from pycapnp (the same schema files, the C++ library) and
the ``blake3`` package; the reference ``capnp`` tool puts pycapnp messages in
canonical form.
"""

from __future__ import annotations

import importlib.util
import random
import struct
import threading
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import blake3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tonomy._core as core
from tonomy.errors import InvalidInputError, MalformedError, TooLargeError
from tonomy.schema import load

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wire"
LIMITS = core.WIRE_LIMITS
CHAIN = bytes(range(32))


def _fixture_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wire_make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _fixture_tool()

DECODERS: dict[str, Callable[[bytes], Any]] = {
    "TransactionBody": core.decode_transaction_body,
    "SignedTransaction": core.decode_signed_transaction,
    "BlockHeader": core.decode_block_header,
    "Block": core.decode_block,
    "Vote": core.decode_vote,
    "Commit": core.decode_commit,
}
ENCODERS: dict[str, Callable[[Any], bytes]] = {
    "TransactionBody": core.encode_transaction_body,
    "SignedTransaction": core.encode_signed_transaction,
    "BlockHeader": core.encode_block_header,
    "Block": core.encode_block,
    "Vote": core.encode_vote,
    "Commit": core.encode_commit,
}


# --- sample values ----------------------------------------------------------------


def body(**changes: Any) -> core.TransactionBody:
    fields: dict[str, Any] = {
        "chain_id": CHAIN,
        "expiration": 1_900_000_000,
        "ref_block_num": 12,
        "ref_block_prefix": b"\x01" * 8,
        "actions": [
            core.Action("pay", "transfer", [core.PermissionLevel("alice", "active")], b"\x00\x01payload"),
            core.Action(
                "identity",
                "rotate_key",
                [core.PermissionLevel("alice", "owner"), core.PermissionLevel("recovery.dao", "active")],
            ),
        ],
        "max_ops": 5_000,
        "nonce": 3,
    }
    fields.update(changes)
    return core.TransactionBody(**fields)


def signed(b: core.TransactionBody | None = None, keys: int = 2) -> core.SignedTransaction:
    sigs = [core.TransactionSignature(bytes([k + 1]) * 32, bytes([k + 9]) * 64) for k in range(keys)]
    return core.SignedTransaction(b or body(), sigs)


def header(**changes: Any) -> core.BlockHeader:
    fields: dict[str, Any] = {
        "chain_id": CHAIN,
        "height": 10,
        "previous_hash": b"\x02" * 32,
        "time": 1_900_000_000_500,
        "transaction_root": b"\x03" * 32,
        "state_root": b"\x04" * 32,
        "proposer": b"\x05" * 32,
        "validator_set_hash": b"\x06" * 32,
        "round": 1,
        "last_commit_hash": b"\x07" * 32,
    }
    fields.update(changes)
    return core.BlockHeader(**fields)


def vote(kind: str = "precommit", block_hash: bytes | None = b"\x08" * 32, validator: bytes = b"\x09" * 32, **changes: Any) -> core.Vote:
    fields: dict[str, Any] = {
        "kind": kind,
        "chain_id": CHAIN,
        "height": 9,
        "round": 0,
        "block_hash": block_hash,
        "validator": validator,
        "signature": b"\x0a" * 64,
    }
    fields.update(changes)
    return core.Vote(**fields)


def commit(n: int = 3) -> core.Commit:
    return core.Commit([vote(validator=bytes([i]) * 32) for i in range(n)])


def block(transactions: int = 2) -> core.Block:
    last = commit()
    h = header(last_commit_hash=core.commit_hash(last))
    txs = [signed(body(nonce=i)) for i in range(transactions)]
    return core.Block(h, txs, last)


# --- round trips ------------------------------------------------------------------


def test_values_round_trip_through_the_canonical_encoding() -> None:
    cases: list[tuple[Any, Callable[[Any], bytes], Callable[[bytes], Any]]] = [
        (body(), core.encode_transaction_body, core.decode_transaction_body),
        (signed(), core.encode_signed_transaction, core.decode_signed_transaction),
        (header(), core.encode_block_header, core.decode_block_header),
        (block(), core.encode_block, core.decode_block),
        (vote(), core.encode_vote, core.decode_vote),
        (vote("prevote", None), core.encode_vote, core.decode_vote),
        (commit(), core.encode_commit, core.decode_commit),
        (core.Commit(), core.encode_commit, core.decode_commit),
    ]
    for value, encode, decode in cases:
        data = encode(value)
        assert isinstance(data, bytes) and len(data) % 8 == 0
        again = decode(data)
        assert again == value
        assert encode(again) == data


def test_getters_return_plain_python_values() -> None:
    tx = core.decode_signed_transaction(core.encode_signed_transaction(signed()))
    assert tx.body.chain_id == CHAIN and isinstance(tx.body.chain_id, bytes)
    assert tx.body.expiration == 1_900_000_000
    assert tx.body.ref_block_num == 12
    assert tx.body.ref_block_prefix == b"\x01" * 8
    assert (tx.body.max_ops, tx.body.nonce) == (5_000, 3)
    first, second = tx.body.actions
    assert (first.plugin, first.name, first.data) == ("pay", "transfer", b"\x00\x01payload")
    assert [(lv.actor, lv.permission) for lv in second.authorization] == [
        ("alice", "owner"),
        ("recovery.dao", "active"),
    ]
    assert second.data == b""
    assert [s.public_key for s in tx.signatures] == [b"\x01" * 32, b"\x02" * 32]
    assert tx.body_bytes == core.encode_transaction_body(tx.body)

    v = core.decode_vote(core.encode_vote(vote("prevote", None)))
    assert (v.kind, v.block_hash, v.height, v.round) == ("prevote", None, 9, 0)

    b = core.decode_block(core.encode_block(block()))
    assert b.header.height == 10 and len(b.transactions) == 2 and len(b.last_commit.votes) == 3


def test_a_block_hands_out_the_same_header_and_transactions_every_time() -> None:
    built = block(3)
    txs = [signed(body(nonce=i)) for i in range(3)]
    made = core.Block(built.header, txs, built.last_commit)
    assert list(made.transactions) == txs and all(a is b for a, b in zip(made.transactions, txs))
    decoded = core.decode_block(core.encode_block(built))
    assert decoded.transactions is decoded.transactions and decoded.header is decoded.header
    assert decoded.transactions == built.transactions and decoded.header == built.header
    # Equality is by value: a block whose memo was filled equals one whose memo is empty,
    # and one transaction more makes another block.
    assert core.decode_block(core.encode_block(built)) == decoded
    assert core.Block(built.header, [*txs, signed(body(nonce=9))], built.last_commit) != made


def test_values_are_frozen() -> None:
    v = vote()
    with pytest.raises(AttributeError):
        v.height = 10  # type: ignore[misc]


def test_rust_bytes_read_the_same_in_pycapnp() -> None:
    data = core.encode_signed_transaction(signed())
    described = tool.describe_signed(data)
    assert described["id"] == signed().id
    assert described["body"]["actions"][1]["authorization"][1] == {"actor": "recovery.dao", "permission": "active"}
    assert [s["public_key"] for s in described["signatures"]] == [b"\x01" * 32, b"\x02" * 32]
    # And the reference implementation agrees the bytes are already canonical.
    msg = load("transaction").SignedTransaction.from_segments([data]).as_builder()
    assert tool.canonical(msg) == data


def test_pycapnp_bytes_decode_in_rust() -> None:
    v: dict[str, Any] = {
        "kind": "precommit",
        "chain_id": CHAIN,
        "height": 2**40,
        "round": 7,
        "block_hash": b"\xaa" * 32,
        "validator": b"\xbb" * 32,
        "signature": b"\xcc" * 64,
    }
    decoded = core.decode_vote(tool.build_vote(v))
    assert decoded == core.Vote(**v)


# --- digests ----------------------------------------------------------------------


def test_digests_match_blake3_with_the_protocol_tags() -> None:
    tx = signed()
    assert tx.id == blake3.blake3(b"tonomy/tx/v1\x00" + CHAIN + tx.body_bytes).digest()
    assert core.transaction_id(CHAIN, tx.body_bytes) == tx.id

    h = header()
    data = core.encode_block_header(h)
    assert h.hash == blake3.blake3(b"tonomy/block/v1\x00" + data).digest() == core.header_hash(data)
    assert block().hash == block().header.hash

    c = commit()
    assert core.commit_hash(c) == blake3.blake3(b"tonomy/commit/v1\x00" + core.encode_commit(c)).digest()

    for v in [vote(), vote("prevote", None)]:
        expected = tool.vote_digest(v.kind, v.chain_id, v.height, v.round, v.block_hash, v.validator)
        assert v.signing_digest == expected
        assert core.vote_digest(v.kind, v.chain_id, v.height, v.round, v.block_hash, v.validator) == expected


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: core.transaction_id(b"\x00" * 31, b""), "chain_id"),
        (lambda: core.vote_digest("precommit", CHAIN, 1, 0, b"\x00" * 31, b"\x00" * 32), "block_hash"),
        (lambda: core.vote_digest("precommit", CHAIN, 1, 0, None, b"\x00" * 33), "validator"),
        (lambda: core.vote_digest("commit", CHAIN, 1, 0, None, b"\x00" * 32), "vote kind"),  # type: ignore[arg-type]
    ],
)
def test_digest_helpers_check_argument_sizes(call: Callable[[], bytes], field: str) -> None:
    with pytest.raises(InvalidInputError, match=field) as info:
        call()
    assert info.value.code == "core.invalid_input"


# --- constructors and encoders refuse invalid values ------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: body(chain_id=b"\x00" * 31), "chain_id"),
        (lambda: body(ref_block_prefix=b"\x00" * 9), "ref_block_prefix"),
        (lambda: core.TransactionSignature(b"\x00" * 31, b"\x00" * 64), "public_key"),
        (lambda: core.TransactionSignature(b"\x00" * 32, b"\x00" * 63), "signature"),
        (lambda: header(proposer=b""), "proposer"),
        (lambda: vote(validator=b"\x00" * 33), "validator"),
        (lambda: vote(block_hash=b""), "block_hash"),
        (lambda: vote(kind="Precommit"), "vote kind"),
    ],
)
def test_wrong_sizes_are_invalid_input(build: Callable[[], Any], field: str) -> None:
    with pytest.raises(InvalidInputError, match=field):
        build()


def test_out_of_range_integers_are_rejected() -> None:
    with pytest.raises(OverflowError):
        body(expiration=-1)
    with pytest.raises(OverflowError):
        vote(round=2**32)


@pytest.mark.parametrize("name", ["", "Alice", "al ice", "ünicode", "-lead", "x" * 65, "a\x00b"])
def test_invalid_names_are_refused_by_the_encoder(name: str) -> None:
    bad = body(actions=[core.Action("pay", "transfer", [core.PermissionLevel(name, "active")])])
    with pytest.raises(InvalidInputError, match=r"authorization\[0\]\.actor"):
        core.encode_transaction_body(bad)
    with pytest.raises(InvalidInputError):
        core.SignedTransaction(bad, [core.TransactionSignature(b"\x01" * 32, b"\x02" * 64)])


def test_protocol_counts_are_refused_by_the_encoder() -> None:
    action = core.Action("pay", "transfer", [core.PermissionLevel("alice", "active")])
    with pytest.raises(InvalidInputError, match="actions"):
        core.encode_transaction_body(body(actions=[]))
    with pytest.raises(InvalidInputError, match="actions"):
        core.encode_transaction_body(body(actions=[action] * (LIMITS.max_actions + 1)))
    with pytest.raises(InvalidInputError, match="signatures"):
        core.SignedTransaction(body(), [])
    dup = core.TransactionSignature(b"\x01" * 32, b"\x02" * 64)
    with pytest.raises(InvalidInputError, match="same public key"):
        core.SignedTransaction(body(), [dup, dup])
    unsorted = core.Commit([vote(validator=b"\x02" * 32), vote(validator=b"\x01" * 32)])
    with pytest.raises(InvalidInputError, match="ascending"):
        core.encode_commit(unsorted)
    with pytest.raises(InvalidInputError, match="ascending"):
        core.commit_hash(unsorted)
    wrong_height = core.Block(header(height=50), [], commit())
    with pytest.raises(InvalidInputError, match="height"):
        core.encode_block(wrong_height)


# --- hostile wire input -----------------------------------------------------------


def _assert_wire_error(decode: Callable[[bytes], Any], data: bytes, code: str | None = None) -> MalformedError:
    with pytest.raises(MalformedError) as info:
        decode(data)
    assert info.value.code in ("wire.malformed", "wire.too_large")
    if code is not None:
        assert info.value.code == code, str(info.value)
    return info.value


@pytest.mark.parametrize("name", list(DECODERS))
def test_random_bytes_are_rejected(name: str) -> None:
    rng = random.Random(f"wire-{name}")
    decode = DECODERS[name]
    for _ in range(300):
        data = rng.randbytes(8 * rng.randrange(0, 40) + rng.choice([0, 0, 0, 3]))
        _assert_wire_error(decode, data)


@pytest.mark.parametrize(
    ("name", "value", "encode"),
    [
        ("SignedTransaction", signed(), core.encode_signed_transaction),
        ("BlockHeader", header(), core.encode_block_header),
        ("Block", block(), core.encode_block),
        ("Vote", vote(), core.encode_vote),
    ],
)
def test_truncations_and_trailing_bytes_are_rejected(name: str, value: Any, encode: Callable[[Any], bytes]) -> None:
    data = encode(value)
    decode = DECODERS[name]
    for cut in range(len(data)):
        _assert_wire_error(decode, data[:cut], "wire.malformed")
    _assert_wire_error(decode, data + b"\x00" * 8, "wire.malformed")


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("TransactionBody", LIMITS.max_transaction_bytes),
        ("SignedTransaction", LIMITS.max_transaction_bytes),
        ("BlockHeader", LIMITS.max_header_bytes),
        ("Block", LIMITS.max_block_bytes),
        ("Vote", LIMITS.max_vote_bytes),
        ("Commit", LIMITS.max_block_bytes),
    ],
)
def test_oversized_input_is_too_large(name: str, limit: int) -> None:
    err = _assert_wire_error(DECODERS[name], b"\x00" * (limit + 8), "wire.too_large")
    assert isinstance(err, TooLargeError)
    assert name in str(err)


def _nested_chain(depth: int) -> bytes:
    """Structs that each point at the next: an attack on recursive readers."""
    link = struct.pack("<Q", 1 << 48)  # struct pointer, offset 0, 0 data words, 1 pointer
    return link * depth + struct.pack("<QQ", 1 << 32, 0x0101010101010101)


@pytest.mark.parametrize("name", list(DECODERS))
def test_deep_nesting_is_rejected(name: str) -> None:
    err = _assert_wire_error(DECODERS[name], _nested_chain(LIMITS.nesting_limit + 2), "wire.malformed")
    assert "nest" in str(err)


def _canonical_body(mutate: Callable[[Any], None]) -> bytes:
    """A body built with pycapnp, changed by ``mutate``, in canonical form."""
    msg = load("transaction").TransactionBody.new_message()
    msg.chainId = CHAIN
    msg.refBlockPrefix = b"\x01" * 8
    msg.expiration = 1
    action = msg.init("actions", 1)[0]
    action.plugin = "pay"
    action.name = "transfer"
    level = action.init("authorization", 1)[0]
    level.actor = "alice"
    level.permission = "active"
    mutate(msg)
    data: bytes = tool.canonical(msg)
    return data


def test_a_valid_pycapnp_body_decodes() -> None:
    decoded = core.decode_transaction_body(_canonical_body(lambda m: None))
    assert decoded.actions[0].authorization[0].actor == "alice"


@pytest.mark.parametrize(
    ("mutate", "field", "code"),
    [
        (lambda m: setattr(m, "chainId", b"\x00" * 31), "TransactionBody.chainId", "wire.malformed"),
        (lambda m: setattr(m, "refBlockPrefix", b""), "TransactionBody.refBlockPrefix", "wire.malformed"),
        (lambda m: setattr(m.actions[0], "plugin", "Pay"), "actions[0].plugin", "wire.malformed"),
        (lambda m: setattr(m.actions[0], "name", "x" * 65), "actions[0].name", "wire.too_large"),
        (lambda m: setattr(m.actions[0].authorization[0], "actor", "al ice"), "authorization[0].actor", "wire.malformed"),
        (lambda m: setattr(m.actions[0].authorization[0], "permission", ""), "authorization[0].permission", "wire.malformed"),
        (lambda m: setattr(m.actions[0], "data", b"\x00" * (64 * 1024 + 1)), "actions[0].data", "wire.too_large"),
        (lambda m: setattr(m.actions[0], "data", b""), "not the canonical encoding", "wire.malformed"),
        (lambda m: m.init("actions", 0), "TransactionBody.actions", "wire.malformed"),
        (lambda m: m.actions[0].init("authorization", 17), "authorization", "wire.too_large"),
    ],
)
def test_invalid_fields_on_the_wire_name_the_field(mutate: Callable[[Any], None], field: str, code: str) -> None:
    err = _assert_wire_error(core.decode_transaction_body, _canonical_body(mutate), code)
    assert field in str(err)


def test_a_non_canonical_message_is_rejected() -> None:
    msg = load("vote").Vote.new_message(kind="prevote", chainId=CHAIN, validator=b"\x01" * 32, signature=b"\x02" * 64)
    plain = msg.to_segments()[0]  # a plain builder: data section not truncated
    assert plain != tool.canonical(msg)
    err = _assert_wire_error(core.decode_vote, plain, "wire.malformed")
    assert "canonical" in str(err)
    assert core.decode_vote(tool.canonical(msg)).kind == "prevote"


def test_wrong_key_sizes_on_the_wire() -> None:
    for field, size in [("validator", 31), ("signature", 65), ("chainId", 0), ("blockHash", 16)]:
        msg = load("vote").Vote.new_message(
            kind="precommit", chainId=CHAIN, validator=b"\x01" * 32, signature=b"\x02" * 64
        )
        setattr(msg, field, b"\x03" * size)
        err = _assert_wire_error(core.decode_vote, tool.canonical(msg), "wire.malformed")
        assert f"Vote.{field}" in str(err)


def test_large_messages_decode_off_the_gil_and_in_parallel() -> None:
    big = core.Action("pay", "blob", [core.PermissionLevel("alice", "active")], b"\x5a" * 60_000)
    txs = [signed(body(nonce=i, actions=[big])) for i in range(40)]
    b = core.Block(header(last_commit_hash=core.commit_hash(commit())), txs, commit())
    data = core.encode_block(b)
    assert len(data) > 2_000_000
    results: list[core.Block] = []

    def work() -> None:
        results.append(core.decode_block(data))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [b, b, b]


# --- property tests ---------------------------------------------------------------


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), which=st.sampled_from(sorted(DECODERS)))
def test_arbitrary_bytes_never_crash_a_decoder(data: bytes, which: str) -> None:
    try:
        value = DECODERS[which](data)
    except MalformedError as err:
        assert err.code in ("wire.malformed", "wire.too_large")
    else:
        # Whatever is accepted is canonical: it encodes back to the same bytes.
        assert ENCODERS[which](value) == data


@settings(max_examples=200, deadline=None)
@given(seed_bytes=st.binary(min_size=1, max_size=200), which=st.sampled_from(["tx", "header", "vote", "block"]))
def test_mutated_valid_messages_never_crash(seed_bytes: bytes, which: str) -> None:
    original: tuple[bytes, Callable[[bytes], Any]] = {
        "tx": (core.encode_signed_transaction(signed()), core.decode_signed_transaction),
        "header": (core.encode_block_header(header()), core.decode_block_header),
        "vote": (core.encode_vote(vote()), core.decode_vote),
        "block": (core.encode_block(block(1)), core.decode_block),
    }[which]
    data = bytearray(original[0])
    # Each pair of input bytes picks a position and a new value.
    for i in range(0, len(seed_bytes) - 1, 2):
        data[(seed_bytes[i] * 7919 + i) % len(data)] = seed_bytes[i + 1]
    try:
        original[1](bytes(data))
    except MalformedError:
        pass


NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789._-"
names = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"),
    st.text(NAME_CHARS, max_size=20),
)
levels = st.builds(core.PermissionLevel, names, names)
actions = st.builds(
    core.Action,
    names,
    names,
    st.lists(levels, min_size=1, max_size=4, unique_by=lambda lv: (lv.actor, lv.permission)),
    st.binary(max_size=64),
)
bodies = st.builds(
    core.TransactionBody,
    st.binary(min_size=32, max_size=32),
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**32 - 1),
    st.binary(min_size=8, max_size=8),
    st.lists(actions, min_size=1, max_size=4),
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**64 - 1),
)


@settings(max_examples=150, deadline=None)
@given(b=bodies)
def test_any_valid_body_round_trips_and_reads_the_same_in_pycapnp(b: core.TransactionBody) -> None:
    data = core.encode_transaction_body(b)
    assert core.decode_transaction_body(data) == b
    described = tool.describe_body(load("transaction").TransactionBody.from_segments([data]))
    assert described["chain_id"] == b.chain_id
    assert (described["expiration"], described["max_ops"], described["nonce"]) == (b.expiration, b.max_ops, b.nonce)
    assert [(a["plugin"], a["name"], a["data"]) for a in described["actions"]] == [
        (a.plugin, a.name, a.data) for a in b.actions
    ]


def test_limits_are_exposed() -> None:
    assert LIMITS.max_name_len == 64
    assert LIMITS.max_actions >= 1 and LIMITS.max_signatures >= 1
    assert LIMITS.max_transaction_bytes < LIMITS.max_block_bytes
    assert LIMITS.nesting_limit > 0 and LIMITS.traversal_words_per_word > 0
