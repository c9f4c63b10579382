//! Bindings for `crate::codec`: Python values straight to canonical bytes and back,
//! with no intermediate tree.
//!
//! Types are matched exactly, like the reference `_to_json` (no subclasses: an
//! `IntEnum` or `StrEnum` is refused; `bool` is not an `int`; tuples encode as lists;
//! `bytearray` as bytes). Both directions read or build Python objects as they go, so
//! they hold the GIL; the size limit (1 MiB) keeps the worst case to about a millisecond.

use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMemoryView, PyString, PyTuple,
};

use super::errors::{to_py, MapPy};
use crate::codec::{self, Builder, Int, Writer};
use crate::{CoreError, CoreResult};

fn unencodable(message: impl Into<String>) -> CoreError {
    CoreError::Unencodable(message.into())
}

pub(crate) fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// The canonical bytes of `value` (None, bool, int, str, bytes, list/tuple, dict).
#[pyfunction]
fn codec_encode<'py>(py: Python<'py>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let data = encode_value(value).map_py()?;
    Ok(PyBytes::new(py, &data))
}

/// The canonical bytes of `value`, for bindings that store them at once.
pub(crate) fn encode_value(value: &Bound<'_, PyAny>) -> CoreResult<Vec<u8>> {
    let mut writer = Writer::new();
    write_value(&mut writer, value)?;
    writer.finish()
}

fn write_value(writer: &mut Writer, value: &Bound<'_, PyAny>) -> CoreResult<()> {
    if let Ok(text) = value.downcast_exact::<PyString>() {
        writer.string(utf8(text)?)
    } else if let Ok(number) = value.downcast_exact::<PyInt>() {
        write_int(writer, number)
    } else if let Ok(dict) = value.downcast_exact::<PyDict>() {
        write_dict(writer, dict)
    } else if let Ok(list) = value.downcast_exact::<PyList>() {
        writer.begin_list()?; // refuses past the depth limit before recursing
        for item in list.iter() {
            write_value(writer, &item)?;
        }
        writer.end_list();
        Ok(())
    } else if let Ok(flag) = value.downcast_exact::<PyBool>() {
        writer.boolean(flag.is_true());
        Ok(())
    } else if value.is_none() {
        writer.null();
        Ok(())
    } else if let Ok(data) = value.downcast_exact::<PyBytes>() {
        writer.bytes(data.as_bytes())
    } else if let Ok(tuple) = value.downcast_exact::<PyTuple>() {
        writer.begin_list()?;
        for item in tuple.iter() {
            write_value(writer, &item)?;
        }
        writer.end_list();
        Ok(())
    } else if let Ok(data) = value.downcast_exact::<PyByteArray>() {
        writer.bytes(&data.to_vec())
    } else if value.is_exact_instance_of::<PyFloat>() {
        Err(unencodable(
            "floats are not allowed in chain state; use integers in a fixed unit",
        ))
    } else {
        Err(unencodable(format!(
            "cannot encode a value of type {}",
            type_name(value)
        )))
    }
}

fn utf8<'a>(text: &'a Bound<'_, PyString>) -> CoreResult<&'a str> {
    text.to_str()
        .map_err(|_| unencodable("string is not valid Unicode: surrogates not allowed"))
}

fn write_int(writer: &mut Writer, number: &Bound<'_, PyInt>) -> CoreResult<()> {
    if let Ok(small) = number.extract::<i64>() {
        writer.int_i64(small);
    } else if let Ok(wide) = number.extract::<i128>() {
        writer.int_i128(wide);
    } else if let Ok(wide) = number.extract::<u128>() {
        writer.int_u128(wide);
    } else {
        return Err(unencodable(
            "integer is outside the range of a 128-bit integer",
        ));
    }
    Ok(())
}

fn write_dict(writer: &mut Writer, dict: &Bound<'_, PyDict>) -> CoreResult<()> {
    writer.begin_object()?;
    let mut entries = Vec::with_capacity(dict.len());
    for (key, value) in dict.iter() {
        match key.downcast_into_exact::<PyString>() {
            Ok(key) => {
                utf8(&key)?; // refuse a lone surrogate here, so the sort below sees only UTF-8
                entries.push((key, value));
            }
            Err(refused) => {
                return Err(unencodable(format!(
                    "object keys must be strings, got {}",
                    type_name(refused.into_inner().as_any())
                )))
            }
        }
    }
    entries.sort_unstable_by(|(a, _), (b, _)| {
        Writer::key_order(
            a.to_str().unwrap_or_default(),
            b.to_str().unwrap_or_default(),
        )
    });
    for (key, value) in &entries {
        writer.key(utf8(key)?)?;
        write_value(writer, value)?;
    }
    writer.end_object();
    Ok(())
}

/// The value whose canonical encoding is `data` (bytes, bytearray or memoryview).
#[pyfunction]
fn codec_decode<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(bytes) = data.downcast::<PyBytes>() {
        return decode_bytes(py, bytes);
    }
    if data.is_instance_of::<PyByteArray>() || data.is_instance_of::<PyMemoryView>() {
        // A private immutable copy: building values may run Python code that mutates the source.
        let copy = py.get_type::<PyBytes>().call1((data,))?;
        return decode_bytes(py, copy.downcast::<PyBytes>()?);
    }
    Err(CoreError::CodecMalformed(format!(
        "codec input must be bytes, got {}",
        type_name(data)
    )))
    .map_py()
}

fn decode_bytes<'py>(py: Python<'py>, data: &Bound<'py, PyBytes>) -> PyResult<Bound<'py, PyAny>> {
    decode_slice(py, data.as_bytes())
}

/// The value whose canonical encoding is `data`, for bindings that hold the bytes in
/// Rust (building the value runs no code that could change them).
pub(crate) fn decode_slice<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    codec::parse(data, &mut PyBuilder { py }).map_err(|failure| failure.0)
}

/// A Python exception, or a core error turned into one.
struct Failure(PyErr);

impl From<CoreError> for Failure {
    fn from(err: CoreError) -> Self {
        Failure(to_py(err))
    }
}

impl From<PyErr> for Failure {
    fn from(err: PyErr) -> Self {
        Failure(err)
    }
}

struct PyBuilder<'py> {
    py: Python<'py>,
}

impl<'py> Builder for PyBuilder<'py> {
    type Value = Bound<'py, PyAny>;
    type List = Vec<Bound<'py, PyAny>>;
    type Object = Bound<'py, PyDict>;
    type Error = Failure;

    fn null(&mut self) -> Result<Self::Value, Failure> {
        Ok(self.py.None().into_bound(self.py))
    }

    fn boolean(&mut self, value: bool) -> Result<Self::Value, Failure> {
        Ok(PyBool::new(self.py, value).to_owned().into_any())
    }

    fn int(&mut self, value: Int) -> Result<Self::Value, Failure> {
        let number = match value {
            Int::Signed(number) => match i64::try_from(number) {
                Ok(small) => small.into_pyobject(self.py),
                Err(_) => number.into_pyobject(self.py),
            },
            Int::Unsigned(number) => number.into_pyobject(self.py),
        };
        Ok(number
            .map(Bound::into_any)
            .unwrap_or_else(|never| match never {}))
    }

    fn string(&mut self, text: &str) -> Result<Self::Value, Failure> {
        Ok(PyString::new(self.py, text).into_any())
    }

    fn bytes(&mut self, data: &[u8]) -> Result<Self::Value, Failure> {
        Ok(PyBytes::new(self.py, data).into_any())
    }

    fn list(&mut self) -> Result<Self::List, Failure> {
        Ok(Vec::new())
    }

    fn push(&mut self, list: &mut Self::List, item: Self::Value) -> Result<(), Failure> {
        list.push(item);
        Ok(())
    }

    fn end_list(&mut self, list: Self::List) -> Result<Self::Value, Failure> {
        Ok(PyList::new(self.py, list)?.into_any())
    }

    fn object(&mut self) -> Result<Self::Object, Failure> {
        Ok(PyDict::new(self.py))
    }

    fn insert(
        &mut self,
        object: &mut Self::Object,
        key: &str,
        value: Self::Value,
    ) -> Result<(), Failure> {
        Ok(object.set_item(PyString::new(self.py, key), value)?)
    }

    fn end_object(&mut self, object: Self::Object) -> Result<Self::Value, Failure> {
        Ok(object.into_any())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("CODEC_MAX_ENCODED_SIZE", codec::MAX_ENCODED_SIZE)?;
    m.add("CODEC_MAX_DEPTH", codec::MAX_DEPTH)?;
    m.add_function(wrap_pyfunction!(codec_encode, m)?)?;
    m.add_function(wrap_pyfunction!(codec_decode, m)?)?;
    Ok(())
}
