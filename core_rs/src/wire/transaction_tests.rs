use super::*;
use crate::wire::canonical::encode_canonical;
use crate::wire::test_support::*;

const L: &Limits = &Limits::PROTOCOL;

/// A body encoded WITHOUT validation, so decoders meet values encoders refuse.
fn unchecked(body: &TransactionBody) -> Vec<u8> {
    build_body(body).unwrap()
}

fn decode_err(bytes: &[u8]) -> CoreError {
    decode_transaction_body(bytes, L).unwrap_err()
}

#[test]
fn body_round_trips_and_bytes_are_canonical() {
    let body = sample_body();
    let bytes = encode_transaction_body(&body, L).unwrap();
    assert_eq!(bytes.len() % 8, 0);
    let decoded = decode_transaction_body(&bytes, L).unwrap();
    assert_eq!(decoded, body);
    assert_eq!(encode_transaction_body(&decoded, L).unwrap(), bytes);
}

#[test]
fn signed_transaction_round_trips() {
    let tx = sample_signed();
    let bytes = encode_signed_transaction(&tx, L).unwrap();
    let decoded = decode_signed_transaction(&bytes, L).unwrap();
    assert_eq!(decoded, tx);
    assert_eq!(
        decoded.body_bytes(),
        encode_transaction_body(&sample_body(), L).unwrap()
    );
    assert_eq!(encode_signed_transaction(&decoded, L).unwrap(), bytes);
}

#[test]
fn transaction_id_is_tagged_blake3_of_chain_and_body() {
    let tx = sample_signed();
    let mut manual = b"tonomy/tx/v1\x00".to_vec();
    manual.extend_from_slice(&CHAIN);
    manual.extend_from_slice(tx.body_bytes());
    assert_eq!(tx.id(), *blake3::hash(&manual).as_bytes());
    assert_eq!(transaction_id(&CHAIN, tx.body_bytes()), tx.id());
    // Any change of the body changes the id.
    let mut other = sample_body();
    other.nonce += 1;
    let other = SignedTransaction::new(other, tx.signatures().to_vec(), L).unwrap();
    assert_ne!(other.id(), tx.id());
}

#[test]
fn action_count_limits() {
    let mut body = sample_body();
    body.actions.clear();
    assert_eq!(
        encode_transaction_body(&body, L).unwrap_err().code(),
        "core.invalid_input"
    );
    let err = decode_err(&unchecked(&body));
    assert_eq!(err.code(), "wire.malformed");
    assert!(err.to_string().contains("TransactionBody.actions"), "{err}");

    let action = sample_body().actions[0].clone();
    body.actions = vec![action; L.max_actions];
    let at_limit = encode_transaction_body(&body, L).unwrap();
    assert_eq!(decode_transaction_body(&at_limit, L).unwrap(), body);
    body.actions.push(body.actions[0].clone());
    assert_eq!(
        encode_transaction_body(&body, L).unwrap_err().code(),
        "core.invalid_input"
    );
    let err = decode_err(&unchecked(&body));
    assert_eq!(err.code(), "wire.too_large");
    assert!(err.to_string().contains("TransactionBody.actions"), "{err}");
}

#[test]
fn authorization_limits_and_duplicates() {
    let mut body = sample_body();
    body.actions[1].authorization.clear();
    let err = decode_err(&unchecked(&body));
    assert_eq!(err.code(), "wire.malformed");
    assert!(
        err.to_string().contains("actions[1].authorization"),
        "{err}"
    );

    body.actions[1].authorization = (0..L.max_authorizations)
        .map(|i| level(&format!("a{i}"), "active"))
        .collect();
    decode_transaction_body(&encode_transaction_body(&body, L).unwrap(), L).unwrap();
    body.actions[1]
        .authorization
        .push(level("one.more", "active"));
    assert_eq!(decode_err(&unchecked(&body)).code(), "wire.too_large");

    body.actions[1].authorization = vec![level("alice", "active"), level("alice", "active")];
    let err = decode_err(&unchecked(&body));
    assert_eq!(err.code(), "wire.malformed");
    assert!(err.to_string().contains("listed twice"), "{err}");
}

#[test]
fn every_name_field_is_checked() {
    type Setter = fn(&mut TransactionBody, String);
    let setters: &[(&str, Setter)] = &[
        ("actions[0].plugin", |b, v| b.actions[0].plugin = v),
        ("actions[0].name", |b, v| b.actions[0].name = v),
        ("actions[1].authorization[1].actor", |b, v| {
            b.actions[1].authorization[1].actor = v
        }),
        ("actions[1].authorization[0].permission", |b, v| {
            b.actions[1].authorization[0].permission = v
        }),
    ];
    for (field, set) in setters {
        for (bad, code) in [
            ("", "wire.malformed"),
            ("Upper", "wire.malformed"),
            ("sp ace", "wire.malformed"),
            ("ünï", "wire.malformed"),
            (&"n".repeat(L.max_name_len + 1) as &str, "wire.too_large"),
        ] {
            let mut body = sample_body();
            set(&mut body, bad.to_string());
            let err = decode_err(&unchecked(&body));
            assert_eq!(err.code(), code, "{field} = {bad:?}: {err}");
            assert!(err.to_string().contains(field), "{field}: {err}");
            assert_eq!(
                encode_transaction_body(&body, L).unwrap_err().code(),
                "core.invalid_input"
            );
        }
        let mut body = sample_body();
        set(&mut body, "n".repeat(L.max_name_len));
        decode_transaction_body(&encode_transaction_body(&body, L).unwrap(), L).unwrap();
    }
}

#[test]
fn names_that_are_not_utf8_are_malformed() {
    let bytes = encode_canonical::<schema::transaction_body::Owned>(|mut root| {
        root.set_chain_id(&CHAIN);
        root.set_ref_block_prefix(&[1; 8]);
        let mut action = root.init_actions(1).get(0);
        action.set_plugin(capnp::text::Reader(&[0xff, 0xfe]));
        action.set_name("x");
        Ok(())
    })
    .unwrap();
    let err = decode_err(&bytes);
    assert_eq!(err.code(), "wire.malformed");
    assert!(err.to_string().contains("actions[0].plugin"), "{err}");
}

#[test]
fn action_data_limit() {
    let mut body = sample_body();
    body.actions[0].data = vec![0xab; L.max_action_data_bytes];
    let bytes = encode_transaction_body(&body, L).unwrap();
    assert_eq!(decode_transaction_body(&bytes, L).unwrap(), body);
    body.actions[0].data.push(0);
    let err = decode_err(&unchecked(&body));
    assert_eq!(err.code(), "wire.too_large");
    assert!(err.to_string().contains("actions[0].data"), "{err}");
}

#[test]
fn fixed_size_fields_must_have_their_size() {
    for (field, chain, prefix) in [
        ("chainId", &[1u8; 31][..], &[1u8; 8][..]),
        ("chainId", &[1u8; 33][..], &[1u8; 8][..]),
        ("chainId", &[][..], &[1u8; 8][..]),
        ("refBlockPrefix", &[1u8; 32][..], &[1u8; 7][..]),
        ("refBlockPrefix", &[1u8; 32][..], &[][..]),
    ] {
        let bytes = encode_canonical::<schema::transaction_body::Owned>(|mut root| {
            if !chain.is_empty() {
                root.set_chain_id(chain);
            }
            if !prefix.is_empty() {
                root.set_ref_block_prefix(prefix);
            }
            Ok(())
        })
        .unwrap();
        let err = decode_err(&bytes);
        assert_eq!(err.code(), "wire.malformed");
        assert!(err.to_string().contains(field), "{field}: {err}");
    }
}

fn raw_signed(body: &[u8], signatures: &[(&[u8], &[u8])]) -> Vec<u8> {
    encode_canonical::<schema::signed_transaction::Owned>(|mut root| {
        if !body.is_empty() {
            root.set_body(body);
        }
        if !signatures.is_empty() {
            let mut list = root.init_signatures(signatures.len() as u32);
            for (i, (key, sig)) in signatures.iter().enumerate() {
                let mut out = list.reborrow().get(i as u32);
                if !key.is_empty() {
                    out.set_public_key(key);
                }
                if !sig.is_empty() {
                    out.set_signature(sig);
                }
            }
        }
        Ok(())
    })
    .unwrap()
}

#[test]
fn signature_rules() {
    let body = encode_transaction_body(&sample_body(), L).unwrap();
    let ok = raw_signed(&body, &[(&[1; 32], &[2; 64])]);
    decode_signed_transaction(&ok, L).unwrap();

    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (
            raw_signed(&body, &[]),
            "wire.malformed",
            "SignedTransaction.signatures",
        ),
        (
            raw_signed(&body, &[(&[1; 31], &[2; 64])]),
            "wire.malformed",
            "signatures[0].publicKey",
        ),
        (
            raw_signed(&body, &[(&[1; 32], &[2; 63])]),
            "wire.malformed",
            "signatures[0].signature",
        ),
        (
            raw_signed(&body, &[(&[1; 32], &[2; 64]), (&[1; 32], &[3; 64])]),
            "wire.malformed",
            "signatures[1]",
        ),
        (
            raw_signed(&[], &[(&[1; 32], &[2; 64])]),
            "wire.malformed",
            "SignedTransaction.body",
        ),
        (
            raw_signed(&body[..body.len() - 8], &[(&[1; 32], &[2; 64])]),
            "wire.malformed",
            "SignedTransaction.body",
        ),
    ];
    for (bytes, code, field) in cases {
        let err = decode_signed_transaction(&bytes, L).unwrap_err();
        assert_eq!(err.code(), code, "{field}: {err}");
        assert!(err.to_string().contains(field), "{field}: {err}");
    }

    let keys: Vec<[u8; 32]> = (0..=L.max_signatures).map(|i| [i as u8; 32]).collect();
    let too_many: Vec<(&[u8], &[u8])> = keys.iter().map(|k| (&k[..], &[9u8; 64][..])).collect();
    let err = decode_signed_transaction(&raw_signed(&body, &too_many), L).unwrap_err();
    assert_eq!(err.code(), "wire.too_large");
    let at_limit = &too_many[..L.max_signatures];
    decode_signed_transaction(&raw_signed(&body, at_limit), L).unwrap();
}

#[test]
fn constructor_rejects_bad_signature_lists() {
    let sig = Signature {
        public_key: [1; 32],
        signature: [2; 64],
    };
    for signatures in [vec![], vec![sig.clone(), sig.clone()]] {
        let err = SignedTransaction::new(sample_body(), signatures, L).unwrap_err();
        assert_eq!(err.code(), "core.invalid_input");
    }
}

#[test]
fn a_non_canonical_body_inside_a_signed_transaction_is_rejected() {
    // Same value, but the action data is a zero-length list instead of null.
    let bytes = encode_canonical::<schema::transaction_body::Owned>(|mut root| {
        root.set_chain_id(&CHAIN);
        root.set_ref_block_prefix(&[1; 8]);
        let mut action = root.init_actions(1).get(0);
        action.set_plugin("pay");
        action.set_name("transfer");
        let mut level = action.reborrow().init_authorization(1).get(0);
        level.set_actor("alice");
        level.set_permission("active");
        action.set_data(&[]);
        Ok(())
    })
    .unwrap();
    let err = decode_err(&bytes);
    assert_eq!(err.code(), "wire.malformed");
    assert!(
        err.to_string().contains("not the canonical encoding"),
        "{err}"
    );
    let signed = raw_signed(&bytes, &[(&[1; 32], &[2; 64])]);
    let err = decode_signed_transaction(&signed, L).unwrap_err();
    assert!(err.to_string().contains("SignedTransaction.body"), "{err}");
}

#[test]
fn encoders_check_the_limits_they_are_given() {
    let tight = Limits {
        max_actions: 1,
        ..Limits::PROTOCOL
    };
    let tx = sample_signed();
    assert_eq!(
        encode_signed_transaction(&tx, &tight).unwrap_err().code(),
        "core.invalid_input"
    );
    let bytes = encode_signed_transaction(&tx, L).unwrap();
    let err = decode_signed_transaction(&bytes, &tight).unwrap_err();
    assert_eq!(err.code(), "wire.too_large");
}

/// Paths are put together only when a check fails: the message must still name the
/// whole path, once, exactly as a path formatted up front would.
#[test]
fn error_messages_carry_the_whole_path_exactly() {
    let mut body = sample_body();
    body.actions[1].authorization[1].actor = "Upper".into();
    let want = "TransactionBody.actions[1].authorization[1].actor: a name must start with a-z or 0-9, got \"Upper\"";
    assert!(decode_err(&unchecked(&body)).to_string().contains(want), "{}", decode_err(&unchecked(&body)));
    let err = encode_transaction_body(&body, L).unwrap_err();
    assert!(err.to_string().contains(want), "{err}");

    let mut body = sample_body();
    body.actions[1].authorization = vec![level("alice", "active"), level("alice", "active")];
    let want = "TransactionBody.actions[1].authorization[1]: alice@active is listed twice";
    assert!(decode_err(&unchecked(&body)).to_string().contains(want), "{}", decode_err(&unchecked(&body)));

    let mut body = sample_body();
    body.actions[0].data = vec![1; L.max_action_data_bytes + 1];
    let want = format!("TransactionBody.actions[0].data: {} bytes, the limit is {}", L.max_action_data_bytes + 1, L.max_action_data_bytes);
    assert!(decode_err(&unchecked(&body)).to_string().contains(&want), "{}", decode_err(&unchecked(&body)));
}
