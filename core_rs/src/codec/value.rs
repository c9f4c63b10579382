//! A plain Rust model of codec values, for Rust callers and tests.

use std::collections::BTreeMap;

use super::{parse, Builder, Writer};
use crate::{CoreError, CoreResult};

/// An integer in `[-2^127, 2^128 - 1]`: `Unsigned` only above `i128::MAX`, so each
/// number has one representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Int {
    Signed(i128),
    Unsigned(u128),
}

/// A codec value. Object keys are ordered by UTF-8 bytes, which is code point order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(Int),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    Object(BTreeMap<String, Value>),
}

/// The canonical bytes of `value`.
pub fn encode(value: &Value) -> CoreResult<Vec<u8>> {
    let mut writer = Writer::new();
    write(&mut writer, value)?;
    writer.finish()
}

fn write(writer: &mut Writer, value: &Value) -> CoreResult<()> {
    match value {
        Value::Null => writer.null(),
        Value::Bool(flag) => writer.boolean(*flag),
        Value::Int(Int::Signed(number)) => writer.int_i128(*number),
        Value::Int(Int::Unsigned(number)) => writer.int_u128(*number),
        Value::Str(text) => writer.string(text)?,
        Value::Bytes(data) => writer.bytes(data)?,
        Value::List(items) => {
            writer.begin_list()?; // refuses past the depth limit before recursing
            for item in items {
                write(writer, item)?;
            }
            writer.end_list();
        }
        Value::Object(entries) => {
            writer.begin_object()?;
            for (key, item) in entries {
                writer.key(key)?;
                write(writer, item)?;
            }
            writer.end_object();
        }
    }
    Ok(())
}

/// The value whose canonical encoding is `data`.
pub fn decode(data: &[u8]) -> CoreResult<Value> {
    parse(data, &mut ValueBuilder)
}

struct ValueBuilder;

impl Builder for ValueBuilder {
    type Value = Value;
    type List = Vec<Value>;
    type Object = BTreeMap<String, Value>;
    type Error = CoreError;

    fn null(&mut self) -> CoreResult<Value> {
        Ok(Value::Null)
    }
    fn boolean(&mut self, value: bool) -> CoreResult<Value> {
        Ok(Value::Bool(value))
    }
    fn int(&mut self, value: Int) -> CoreResult<Value> {
        Ok(Value::Int(value))
    }
    fn string(&mut self, text: &str) -> CoreResult<Value> {
        Ok(Value::Str(text.to_owned()))
    }
    fn bytes(&mut self, data: &[u8]) -> CoreResult<Value> {
        Ok(Value::Bytes(data.to_vec()))
    }
    fn list(&mut self) -> CoreResult<Vec<Value>> {
        Ok(Vec::new())
    }
    fn push(&mut self, list: &mut Vec<Value>, item: Value) -> CoreResult<()> {
        list.push(item);
        Ok(())
    }
    fn end_list(&mut self, list: Vec<Value>) -> CoreResult<Value> {
        Ok(Value::List(list))
    }
    fn object(&mut self) -> CoreResult<BTreeMap<String, Value>> {
        Ok(BTreeMap::new())
    }
    fn insert(
        &mut self,
        object: &mut BTreeMap<String, Value>,
        key: &str,
        value: Value,
    ) -> CoreResult<()> {
        object.insert(key.to_owned(), value);
        Ok(())
    }
    fn end_object(&mut self, object: BTreeMap<String, Value>) -> CoreResult<Value> {
        Ok(Value::Object(object))
    }
}
