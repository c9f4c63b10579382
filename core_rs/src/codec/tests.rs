//! Codec tests: exact spellings, every refusal, and hostile input that must neither
//! panic nor be accepted unless it is canonical.

use std::collections::BTreeMap;

use rand::{rngs::StdRng, Rng, SeedableRng};

use super::*;
use crate::CoreError;

fn object(entries: &[(&str, Value)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn int(value: i128) -> Value {
    Value::Int(Int::Signed(value))
}

fn text(value: &str) -> Value {
    Value::Str(value.to_string())
}

fn nested_lists(levels: usize, inner: Value) -> Value {
    (0..levels).fold(inner, |acc, _| Value::List(vec![acc]))
}

fn assert_malformed(data: &[u8]) {
    match decode(data) {
        Err(CoreError::CodecMalformed(_)) => {}
        other => panic!(
            "{:?} decoded to {other:?}",
            String::from_utf8_lossy(&data[..data.len().min(40)])
        ),
    }
}

fn assert_unencodable(value: &Value) {
    match encode(value) {
        Err(CoreError::Unencodable(_)) => {}
        other => panic!("encoded to {other:?}"),
    }
}

#[test]
fn example_has_the_exact_canonical_spelling() {
    let value = object(&[
        (
            "b",
            Value::List(vec![
                int(1),
                Value::Bool(true),
                Value::Null,
                Value::Bytes(vec![1, 0xab]),
            ]),
        ),
        ("a", text("é\n\x7f\"\\")),
        ("c", object(&[("z", int(-5)), ("y", text(""))])),
    ]);
    let data = encode(&value).unwrap();
    let expected = "{\"a\":\"é\\n\x7f\\\"\\\\\",\"b\":[1,true,null,{\"$bytes\":\"01ab\"}],\"c\":{\"y\":\"\",\"z\":-5}}";
    assert_eq!(data, expected.as_bytes());
    assert_eq!(decode(&data).unwrap(), value);
}

#[test]
fn control_characters_use_the_fixed_escapes() {
    for code in 0u8..0x20 {
        let value = text(&char::from(code).to_string());
        let data = encode(&value).unwrap();
        let expected = match code {
            0x08 => "\"\\b\"".to_string(),
            0x09 => "\"\\t\"".to_string(),
            0x0a => "\"\\n\"".to_string(),
            0x0c => "\"\\f\"".to_string(),
            0x0d => "\"\\r\"".to_string(),
            _ => format!("\"\\u{code:04x}\""),
        };
        assert_eq!(String::from_utf8(data.clone()).unwrap(), expected);
        assert_eq!(decode(&data).unwrap(), value);
        // Any other spelling of the same character is refused.
        if code & 0x0f >= 0x0a {
            assert_malformed(format!("\"\\u{code:04X}\"").as_bytes());
        }
        if matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
            assert_malformed(format!("\"\\u{code:04x}\"").as_bytes());
        }
        assert_malformed(&[b'"', code, b'"']);
    }
    for printable in ["\x7f", "\u{2028}", "/", "é", "\u{10ffff}"] {
        let data = encode(&text(printable)).unwrap();
        assert_eq!(data, format!("\"{printable}\"").as_bytes());
    }
}

#[test]
fn keys_are_in_code_point_order_and_keys_with_escapes_compare_decoded() {
    let keys = [
        "b",
        "a",
        "B",
        "é",
        "\u{1f600}",
        "\u{ffff}",
        "aa",
        "",
        "\n",
        "\"",
        "\\",
    ];
    let value = Value::Object(keys.iter().map(|k| (k.to_string(), Value::Null)).collect());
    let data = encode(&value).unwrap();
    assert_eq!(decode(&data).unwrap(), value);
    // "" < "\n" (0x0a) < "\"" (0x22) < "B" < "\\" (0x5c) < "a": decoded order, not spelled order.
    let spelled = String::from_utf8(data).unwrap();
    assert!(
        spelled.starts_with(
            "{\"\":null,\"\\n\":null,\"\\\"\":null,\"B\":null,\"\\\\\":null,\"a\":null"
        ),
        "{spelled}"
    );
    assert_malformed(b"{\"b\":1,\"a\":2}");
    assert_malformed(b"{\"a\":1,\"a\":1}");
    // U+FFFF < U+1F600 by code point (UTF-16 order would say otherwise).
    assert!(decode("{\"\u{ffff}\":1,\"\u{1f600}\":2}".as_bytes()).is_ok());
    assert_malformed("{\"\u{1f600}\":1,\"\u{ffff}\":2}".as_bytes());
    // Escaped keys are compared by what they decode to: "\t" (0x09) < "\n" (0x0a).
    assert!(decode(b"{\"\\t\":1,\"\\n\":2}").is_ok());
    assert_malformed(b"{\"\\n\":1,\"\\t\":2}");
    assert_malformed(b"{\"\\n\":1,\"\\n\":2}");
}

#[test]
fn integers_cover_i128_and_u128_and_nothing_more() {
    let min = "-170141183460469231731687303715884105728";
    let max = "340282366920938463463374607431768211455";
    assert_eq!(
        decode(min.as_bytes()).unwrap(),
        Value::Int(Int::Signed(i128::MIN))
    );
    assert_eq!(
        decode(max.as_bytes()).unwrap(),
        Value::Int(Int::Unsigned(u128::MAX))
    );
    assert_eq!(
        encode(&Value::Int(Int::Signed(i128::MIN))).unwrap(),
        min.as_bytes()
    );
    assert_eq!(
        encode(&Value::Int(Int::Unsigned(u128::MAX))).unwrap(),
        max.as_bytes()
    );
    let first_unsigned = (i128::MAX as u128 + 1).to_string();
    assert_eq!(
        decode(first_unsigned.as_bytes()).unwrap(),
        Value::Int(Int::Unsigned(i128::MAX as u128 + 1))
    );
    assert_eq!(
        decode(i128::MAX.to_string().as_bytes()).unwrap(),
        Value::Int(Int::Signed(i128::MAX))
    );
    for refused in [
        "-170141183460469231731687303715884105729",
        "340282366920938463463374607431768211456",
        "3402823669209384634633746074317682114550",
        "9999999999999999999999999999999999999999",
    ] {
        assert_malformed(refused.as_bytes());
    }
    assert_malformed("1".repeat(5000).as_bytes());
    assert_malformed(format!("-{}", "9".repeat(100_000)).as_bytes());
    assert_malformed(format!("[{}]", "1".repeat(MAX_ENCODED_SIZE - 2)).as_bytes());
    for ok in ["0", "-1", "10", "123456789"] {
        assert_eq!(
            encode(&decode(ok.as_bytes()).unwrap()).unwrap(),
            ok.as_bytes()
        );
    }
}

const NON_CANONICAL: &[&[u8]] = &[
    b"",
    b" 1",
    b"1 ",
    b"1\n",
    b"\t1",
    b"{\"a\":1, \"b\":2}",
    b"{\"a\": 1}",
    b"{ }",
    b"[ ]",
    b"[1 ]",
    b"{\"b\":1,\"a\":2}",
    b"{\"a\":1,\"a\":1}",
    b"[1,2,]",
    b"[,]",
    b"[1,,2]",
    b"{\"a\":1,}",
    b"{,}",
    b"{\"a\"}",
    b"{\"a\":}",
    b"{\"a\" :1}",
    b"{1:2}",
    b"{a:1}",
    b"01",
    b"00",
    b"-01",
    b"-0",
    b"-",
    b"+1",
    b"1.0",
    b"1e3",
    b"1E3",
    b"0.5",
    b"-0.0",
    b"0e0",
    b".5",
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"\"\\u0041\"",
    b"\"\\/\"",
    b"\"\\u00e9\"",
    b"\"\\ud800\"",
    b"\"\\ud83d\\ude00\"",
    b"\"\\U0001\"",
    b"\"\\u001F\"",
    b"\"\\u00\"",
    b"\"\\u0020\"",
    b"\"\\u0022\"",
    b"\"\\u005c\"",
    b"\"\\x41\"",
    b"\"\\a\"",
    b"\"\\\"",
    b"\"\x01\"",
    b"\"\x1f\"",
    b"True",
    b"nul",
    b"nulll",
    b"truee",
    b"fals",
    b"null1",
    b"{\"$bytes\":\"AB\"}",
    b"{\"$bytes\":\"abc\"}",
    b"{\"$bytes\":\"a b\"}",
    b"{\"$bytes\":1}",
    b"{\"$bytes\":\"00\",\"x\":1}",
    b"{\"$x\":1}",
    b"{\"$\":1}",
    b"{\"a\":1,\"$bytes\":\"00\"}",
    b"{\"\":1,\"$bytes\":\"00\"}",
    b"{\"$bytes\":\"\\u0030\"}",
    b"{\"$bytes\" :\"00\"}",
    b"{\"$bytes\":\"00\" }",
    b"{\"$bytes\":\"0g\"}",
    b"{\"$bytes\":null}",
    b"{\"$bytes\":[]}",
    b"{\"$bytes\":\"00\"",
    b"{\"$bytes\"",
    b"{\"$bytes\":\"0",
    b"{\"$byte\":\"00\"}",
    b"{\"$bytess\":\"00\"}",
    b"\xef\xbb\xbf1",
    b"\"\xff\"",
    b"\"\xc3\"",
    b"\"\xed\xa0\x80\"",
    b"\"\xc0\xaf\"",
    b"\x00",
    b"1\x00",
    b"[1]]",
    b"[1]x",
    b"{}}",
    b"\"a\"\"b\"",
    b"[\"a\"",
    b"\"abc",
    b"[",
    b"{",
    b"{\"a\":1",
    b"{\"a\"",
    b"[true,]",
    b"'a'",
    b"[01]",
    b"{\"a\":-0}",
];

#[test]
fn non_canonical_or_hostile_input_is_refused() {
    for data in NON_CANONICAL {
        assert_malformed(data);
    }
    assert_malformed("1".repeat(41).as_bytes());
    assert_malformed("[".repeat(100_000).as_bytes());
    assert_malformed(format!("{}{}", "[".repeat(1000), "]".repeat(1000)).as_bytes());
    assert_malformed(format!("{}1{}", "{\"a\":".repeat(100), "}".repeat(100)).as_bytes());
    assert_malformed(format!("{}1{}", "{\"a\":".repeat(200_000), "}".repeat(200_000)).as_bytes());
}

#[test]
fn depth_limit_is_exact_and_a_bytes_tag_is_not_a_level() {
    let deepest = nested_lists(MAX_DEPTH, int(0));
    let data = encode(&deepest).unwrap();
    assert_eq!(decode(&data).unwrap(), deepest);
    assert_unencodable(&Value::List(vec![deepest.clone()]));
    assert_malformed(format!("[{}]", String::from_utf8(data).unwrap()).as_bytes());

    let tagged = nested_lists(MAX_DEPTH, Value::Bytes(vec![0]));
    assert_eq!(decode(&encode(&tagged).unwrap()).unwrap(), tagged);

    let empty_object_too_deep = format!("{}{{}}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert_malformed(empty_object_too_deep.as_bytes());
    assert_unencodable(&nested_lists(MAX_DEPTH, Value::Object(BTreeMap::new())));
    let object_at_limit = format!(
        "{}{{}}{}",
        "[".repeat(MAX_DEPTH - 1),
        "]".repeat(MAX_DEPTH - 1)
    );
    assert!(decode(object_at_limit.as_bytes()).is_ok());
    let deep_objects = (0..MAX_DEPTH).fold(int(1), |acc, _| object(&[("a", acc)]));
    assert_eq!(
        decode(&encode(&deep_objects).unwrap()).unwrap(),
        deep_objects
    );
    assert_unencodable(&object(&[("a", deep_objects)]));
}

#[test]
fn size_limit_applies_both_ways() {
    let exactly = text(&"x".repeat(MAX_ENCODED_SIZE - 2));
    let data = encode(&exactly).unwrap();
    assert_eq!(data.len(), MAX_ENCODED_SIZE);
    assert_eq!(decode(&data).unwrap(), exactly);
    assert_unencodable(&text(&"x".repeat(MAX_ENCODED_SIZE - 1)));
    assert_unencodable(&Value::Bytes(vec![0; MAX_ENCODED_SIZE / 2]));
    assert_unencodable(&Value::List(vec![int(1_000_000); MAX_ENCODED_SIZE / 4]));
    let mut too_big = data.clone();
    too_big.insert(1, b'x');
    assert_malformed(&too_big);
}

#[test]
fn reserved_keys_are_refused_by_the_writer() {
    for key in ["$bytes", "$x", "$"] {
        assert_unencodable(&object(&[(key, int(1))]));
    }
    assert!(encode(&object(&[("a$", int(1)), ("#", int(2))])).is_ok());
}

fn sample() -> Value {
    object(&[
        ("account", text("alice")),
        ("balance", Value::Int(Int::Unsigned(u128::MAX))),
        ("debt", int(i128::MIN)),
        (
            "flags",
            Value::List(vec![
                Value::Bool(false),
                Value::Null,
                text("tab\there \"quoted\" \u{1}"),
            ]),
        ),
        ("key", Value::Bytes((0u8..=255).collect())),
        (
            "nested",
            object(&[("\u{7f}", Value::List(vec![])), ("z", object(&[]))]),
        ),
    ])
}

#[test]
fn every_truncation_is_refused() {
    let data = encode(&sample()).unwrap();
    for end in 0..data.len() {
        assert_malformed(&data[..end]);
    }
}

#[test]
fn random_byte_flips_are_refused_or_are_another_canonical_value() {
    let data = encode(&sample()).unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let mut mutated = data.clone();
        for _ in 0..rng.gen_range(1..4) {
            let at = rng.gen_range(0..mutated.len());
            match rng.gen_range(0..3) {
                0 => mutated[at] = rng.gen(),
                1 => mutated.insert(
                    at,
                    *b" \t\n,:{}[]\"\\0-e."
                        .get(rng.gen_range(0..16))
                        .unwrap_or(&b' '),
                ),
                _ => {
                    mutated.remove(at);
                }
            }
        }
        if let Ok(value) = decode(&mutated) {
            assert_eq!(
                encode(&value).unwrap(),
                mutated,
                "accepted a non-canonical spelling"
            );
            accepted += 1;
        }
    }
    assert!(accepted < 20_000);
}

#[test]
fn random_values_round_trip() {
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..2_000 {
        let value = random_value(&mut rng, 0);
        let data = encode(&value).unwrap();
        assert_eq!(decode(&data).unwrap(), value);
    }
}

fn random_value(rng: &mut StdRng, depth: usize) -> Value {
    let kind = if depth >= 4 {
        rng.gen_range(0..6)
    } else {
        rng.gen_range(0..8)
    };
    match kind {
        0 => Value::Null,
        1 => Value::Bool(rng.gen()),
        2 => match rng.gen_range(0..3) {
            0 => int(rng.gen_range(-1000..1000)),
            1 => int(rng.gen()),
            _ => Value::Int(Int::Unsigned(
                rng.gen_range(i128::MAX as u128 + 1..=u128::MAX),
            )),
        },
        3 | 4 => Value::Str(random_text(rng)),
        5 => Value::Bytes((0..rng.gen_range(0..8)).map(|_| rng.gen()).collect()),
        6 => Value::List(
            (0..rng.gen_range(0..4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.gen_range(0..4))
                .map(|_| {
                    (
                        random_text(rng).replace('$', "#"),
                        random_value(rng, depth + 1),
                    )
                })
                .collect(),
        ),
    }
}

fn random_text(rng: &mut StdRng) -> String {
    let alphabet = [
        'a',
        'B',
        '"',
        '\\',
        '\n',
        '\u{0}',
        '\u{1f}',
        '\u{7f}',
        'é',
        '\u{ffff}',
        '\u{1f600}',
        '$',
        ' ',
    ];
    (0..rng.gen_range(0..6))
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
        .collect()
}
