//! Transactions: domain types, canonical encode/decode, the transaction id.
//!
//! The signatures cover `transaction_id(chain_id, body_bytes)`, where `body_bytes`
//! is the canonical `TransactionBody` carried as `Data` inside `SignedTransaction`,
//! so the signed bytes are exactly the bytes on the wire.

use super::canonical::{encode_canonical, malformed, read_canonical};
use super::transaction_shape::{check_body_shape, check_signed_shape};
use super::fields::{as_invalid_input, check_name, count, data_size, fixed, read_data, read_name};
use super::limits::Limits;
use super::schema::transaction_capnp as schema;
use crate::hash::{hash_with, tags, Digest};
use crate::{CoreError, CoreResult};

/// One `actor@permission` authorizing an action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PermissionLevel {
    pub actor: String,
    pub permission: String,
}

/// One call of a plugin's action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub plugin: String,
    pub name: String,
    pub authorization: Vec<PermissionLevel>,
    /// Encoded as the plugin chooses; opaque to the wire layer.
    pub data: Vec<u8>,
}

/// What the signers sign (through [`transaction_id`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionBody {
    pub chain_id: [u8; 32],
    /// Seconds since the Unix epoch, compared with block time.
    pub expiration: u64,
    /// Low 32 bits of the reference block's height (TAPOS).
    pub ref_block_num: u32,
    /// First 8 bytes of the reference block's header hash.
    pub ref_block_prefix: [u8; 8],
    /// Most metered operations the signer pays for; 0 = the block's limit.
    pub max_ops: u64,
    /// Lets a signer send two otherwise identical transactions.
    pub nonce: u64,
    pub actions: Vec<Action>,
}

/// An Ed25519 signature with the key that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub public_key: [u8; 32],
    pub signature: [u8; 64],
}

/// A body with its canonical bytes and signatures.
///
/// Fields are private so `body_bytes` is always the canonical encoding of `body`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTransaction {
    body: TransactionBody,
    body_bytes: Vec<u8>,
    signatures: Vec<Signature>,
    /// Hashed once when built or decoded: every stage of the node asks for it.
    id: Digest,
}

/// The transaction id, which is also the digest the signers sign:
/// `hash_with(tags::TRANSACTION, [chain_id, body_bytes])`.
pub fn transaction_id(chain_id: &[u8; 32], body_bytes: &[u8]) -> Digest {
    hash_with(tags::TRANSACTION, &[chain_id, body_bytes])
}

impl TransactionBody {
    /// Check every field against `limits` (`Malformed`/`TooLarge`).
    pub fn validate(&self, limits: &Limits) -> CoreResult<()> {
        count(
            "TransactionBody.actions",
            self.actions.len(),
            1,
            limits.max_actions,
        )?;
        for (i, action) in self.actions.iter().enumerate() {
            with_path(|| format!("TransactionBody.actions[{i}]"), |path| action.validate(path, limits))?;
        }
        Ok(())
    }
}

impl Action {
    fn validate(&self, path: &str, limits: &Limits) -> CoreResult<()> {
        let max_name = limits.max_name_len;
        with_path(|| format!("{path}.plugin"), |what| check_name(what, &self.plugin, max_name))?;
        with_path(|| format!("{path}.name"), |what| check_name(what, &self.name, max_name))?;
        with_path(
            || format!("{path}.data"),
            |what| data_size(what, self.data.len(), limits.max_action_data_bytes),
        )?;
        let auth_path = || format!("{path}.authorization");
        with_path(auth_path, |what| {
            count(what, self.authorization.len(), 1, limits.max_authorizations)
        })?;
        for (i, level) in self.authorization.iter().enumerate() {
            with_path(
                || format!("{}[{i}].actor", auth_path()),
                |what| check_name(what, &level.actor, max_name),
            )?;
            with_path(
                || format!("{}[{i}].permission", auth_path()),
                |what| check_name(what, &level.permission, max_name),
            )?;
            // Lists are short (≤ max_authorizations), so a quadratic scan is cheapest.
            if self.authorization[..i].contains(level) {
                return Err(CoreError::Malformed(format!(
                    "{}[{i}]: {}@{} is listed twice",
                    auth_path(),
                    level.actor,
                    level.permission
                )));
            }
        }
        Ok(())
    }
}

impl SignedTransaction {
    /// Build from a body and its signatures; encodes the body canonically.
    /// An invalid body or signature list is `InvalidInput`.
    pub fn new(
        body: TransactionBody,
        signatures: Vec<Signature>,
        limits: &Limits,
    ) -> CoreResult<Self> {
        let body_bytes = encode_transaction_body(&body, limits)?;
        check_signatures(&signatures, limits).map_err(as_invalid_input)?;
        let id = transaction_id(&body.chain_id, &body_bytes);
        Ok(SignedTransaction {
            body,
            body_bytes,
            signatures,
            id,
        })
    }

    pub fn body(&self) -> &TransactionBody {
        &self.body
    }

    /// The canonical encoding of the body: the bytes the id and signatures cover.
    pub fn body_bytes(&self) -> &[u8] {
        &self.body_bytes
    }

    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// The transaction id (= the signing digest).
    pub fn id(&self) -> Digest {
        self.id
    }
}

fn check_signatures(signatures: &[Signature], limits: &Limits) -> CoreResult<()> {
    count(
        "SignedTransaction.signatures",
        signatures.len(),
        1,
        limits.max_signatures,
    )?;
    for (i, sig) in signatures.iter().enumerate() {
        if signatures[..i]
            .iter()
            .any(|earlier| earlier.public_key == sig.public_key)
        {
            return Err(CoreError::Malformed(format!(
                "SignedTransaction.signatures[{i}]: a second signature by the same public key"
            )));
        }
    }
    Ok(())
}

/// The canonical encoding of a valid body; an invalid body is `InvalidInput`.
pub fn encode_transaction_body(body: &TransactionBody, limits: &Limits) -> CoreResult<Vec<u8>> {
    body.validate(limits).map_err(as_invalid_input)?;
    build_body(body)
}

/// Decode and validate a canonical `TransactionBody`.
pub fn decode_transaction_body(bytes: &[u8], limits: &Limits) -> CoreResult<TransactionBody> {
    // Proven canonical while parsing (see `transaction_shape`), not by re-encoding.
    read_canonical::<schema::transaction_body::Owned, _>(
        bytes,
        "TransactionBody",
        limits.max_transaction_bytes,
        limits,
        |root| {
            let body = read_body(root, limits)?;
            check_body_shape(root, &body)?;
            Ok(body)
        },
    )
}

/// The canonical encoding of a signed transaction.
pub fn encode_signed_transaction(tx: &SignedTransaction, limits: &Limits) -> CoreResult<Vec<u8>> {
    // The constructor validated the body and signatures; limits may differ, so check again.
    tx.body.validate(limits).map_err(as_invalid_input)?;
    check_signatures(&tx.signatures, limits).map_err(as_invalid_input)?;
    build_signed(tx)
}

/// Decode and validate a canonical `SignedTransaction`, body included.
pub fn decode_signed_transaction(bytes: &[u8], limits: &Limits) -> CoreResult<SignedTransaction> {
    read_canonical::<schema::signed_transaction::Owned, _>(
        bytes,
        "SignedTransaction",
        limits.max_transaction_bytes,
        limits,
        |root| {
            let tx = read_signed(root, limits)?;
            check_signed_shape(root)?;
            Ok(tx)
        },
    )
}

fn read_body(
    root: schema::transaction_body::Reader<'_>,
    limits: &Limits,
) -> CoreResult<TransactionBody> {
    let chain_id = fixed(
        "TransactionBody.chainId",
        read_data("TransactionBody.chainId", root.get_chain_id())?,
    )?;
    let ref_block_prefix = fixed(
        "TransactionBody.refBlockPrefix",
        read_data(
            "TransactionBody.refBlockPrefix",
            root.get_ref_block_prefix(),
        )?,
    )?;
    let list = root
        .get_actions()
        .map_err(|err| malformed("TransactionBody.actions", err))?;
    count(
        "TransactionBody.actions",
        list.len() as usize,
        1,
        limits.max_actions,
    )?;
    let mut actions = Vec::with_capacity(list.len() as usize);
    for (i, action) in list.iter().enumerate() {
        actions.push(with_path(
            || format!("TransactionBody.actions[{i}]"),
            |path| read_action(action, path, limits),
        )?);
    }
    let body = TransactionBody {
        chain_id,
        expiration: root.get_expiration(),
        ref_block_num: root.get_ref_block_num(),
        ref_block_prefix,
        max_ops: root.get_max_ops(),
        nonce: root.get_nonce(),
        actions,
    };
    body.validate(limits)?;
    Ok(body)
}

fn read_action(
    action: schema::action::Reader<'_>,
    path: &str,
    limits: &Limits,
) -> CoreResult<Action> {
    let max_name = limits.max_name_len;
    let plugin = with_path(
        || format!("{path}.plugin"),
        |what| read_name(what, action.get_plugin(), max_name),
    )?;
    let name = with_path(
        || format!("{path}.name"),
        |what| read_name(what, action.get_name(), max_name),
    )?;
    let data = with_path(
        || format!("{path}.data"),
        |what| {
            let data = read_data(what, action.get_data())?;
            data_size(what, data.len(), limits.max_action_data_bytes)?;
            Ok(data)
        },
    )?;
    let auth_path = || format!("{path}.authorization");
    let list = action
        .get_authorization()
        .map_err(|err| malformed(&auth_path(), err))?;
    with_path(auth_path, |what| {
        count(what, list.len() as usize, 1, limits.max_authorizations)
    })?;
    let mut authorization = Vec::with_capacity(list.len() as usize);
    for (i, level) in list.iter().enumerate() {
        authorization.push(PermissionLevel {
            actor: with_path(
                || format!("{}[{i}].actor", auth_path()),
                |what| read_name(what, level.get_actor(), max_name),
            )?,
            permission: with_path(
                || format!("{}[{i}].permission", auth_path()),
                |what| read_name(what, level.get_permission(), max_name),
            )?,
        });
    }
    Ok(Action {
        plugin,
        name,
        authorization,
        data: data.to_vec(),
    })
}

fn read_signed(
    root: schema::signed_transaction::Reader<'_>,
    limits: &Limits,
) -> CoreResult<SignedTransaction> {
    let body_bytes = read_data("SignedTransaction.body", root.get_body())?;
    let list = root
        .get_signatures()
        .map_err(|err| malformed("SignedTransaction.signatures", err))?;
    count(
        "SignedTransaction.signatures",
        list.len() as usize,
        1,
        limits.max_signatures,
    )?;
    let mut signatures = Vec::with_capacity(list.len() as usize);
    for (i, sig) in list.iter().enumerate() {
        signatures.push(Signature {
            public_key: with_path(
                || format!("SignedTransaction.signatures[{i}].publicKey"),
                |path| fixed(path, read_data(path, sig.get_public_key())?),
            )?,
            signature: with_path(
                || format!("SignedTransaction.signatures[{i}].signature"),
                |path| fixed(path, read_data(path, sig.get_signature())?),
            )?,
        });
    }
    check_signatures(&signatures, limits)?;
    let body = decode_transaction_body(body_bytes, limits)
        .map_err(|err| prefix_error("SignedTransaction.body", err))?;
    let id = transaction_id(&body.chain_id, body_bytes);
    Ok(SignedTransaction {
        body,
        body_bytes: body_bytes.to_vec(),
        signatures,
        id,
    })
}

/// Run `check` with an empty path and put the real path (formatted only then) in front
/// of its error. Every check's message starts with the path it is given, so the message is
/// exactly the one the real path gives; nested calls compose. Nothing is read twice (a
/// Cap'n Proto reader counts what it reads), and the valid case formats no path strings.
pub(crate) fn with_path<T>(path: impl FnOnce() -> String, check: impl FnOnce(&str) -> CoreResult<T>) -> CoreResult<T> {
    check("").map_err(|err| match err {
        CoreError::Malformed(m) => CoreError::Malformed(format!("{}{m}", path())),
        CoreError::TooLarge(m) => CoreError::TooLarge(format!("{}{m}", path())),
        other => other,
    })
}

/// Keep the code of a nested error, adding where the nested message sits.
pub(crate) fn prefix_error(path: &str, err: CoreError) -> CoreError {
    match err {
        CoreError::Malformed(m) => CoreError::Malformed(format!("{path}: {m}")),
        CoreError::TooLarge(m) => CoreError::TooLarge(format!("{path}: {m}")),
        other => other,
    }
}

fn build_body(body: &TransactionBody) -> CoreResult<Vec<u8>> {
    encode_canonical::<schema::transaction_body::Owned>(|mut root| {
        root.set_chain_id(&body.chain_id);
        root.set_expiration(body.expiration);
        root.set_ref_block_num(body.ref_block_num);
        root.set_ref_block_prefix(&body.ref_block_prefix);
        root.set_max_ops(body.max_ops);
        root.set_nonce(body.nonce);
        if !body.actions.is_empty() {
            let mut list = root.init_actions(list_len(body.actions.len())?);
            for (i, action) in body.actions.iter().enumerate() {
                let mut out = list.reborrow().get(i as u32);
                out.set_plugin(action.plugin.as_str());
                out.set_name(action.name.as_str());
                if !action.authorization.is_empty() {
                    let mut levels = out
                        .reborrow()
                        .init_authorization(list_len(action.authorization.len())?);
                    for (j, level) in action.authorization.iter().enumerate() {
                        let mut level_out = levels.reborrow().get(j as u32);
                        level_out.set_actor(level.actor.as_str());
                        level_out.set_permission(level.permission.as_str());
                    }
                }
                if !action.data.is_empty() {
                    out.set_data(&action.data);
                }
            }
        }
        Ok(())
    })
}

fn build_signed(tx: &SignedTransaction) -> CoreResult<Vec<u8>> {
    encode_canonical::<schema::signed_transaction::Owned>(|mut root| {
        if !tx.body_bytes.is_empty() {
            root.set_body(&tx.body_bytes);
        }
        if !tx.signatures.is_empty() {
            let mut list = root.init_signatures(list_len(tx.signatures.len())?);
            for (i, sig) in tx.signatures.iter().enumerate() {
                let mut out = list.reborrow().get(i as u32);
                out.set_public_key(&sig.public_key);
                out.set_signature(&sig.signature);
            }
        }
        Ok(())
    })
}

/// A list length as Cap'n Proto's `u32` (limits keep lists far shorter).
pub(crate) fn list_len(len: usize) -> CoreResult<u32> {
    u32::try_from(len)
        .map_err(|_| CoreError::InvalidInput(format!("a list of {len} entries is too long")))
}

#[cfg(test)]
#[path = "transaction_tests.rs"]
mod tests;
