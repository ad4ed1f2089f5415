//! The model's human-readable form (see `router_core`'s `forms`) as Python
//! data: `to_dict()` and `from_dict()` of the model classes, the router's
//! configuration as a dict.
//!
//! Out: `pythonize` turns a core record into dicts, lists and scalars.
//! In: Python data is first read into a `serde_json::Value` with strict
//! types (a bool is never a number, a number never a string, keys are
//! strings, numbers are finite), then deserialised with
//! `serde_path_to_error`, so that an error names the field
//! (`queues[1].ordering: unknown variant ...`). `pythonize`'s own reader is
//! not used for input: it reads any object as a bool by its truth value and
//! a bool as a number, which would let `affinity: "no"` through as `true`.

use crate::errors::invalid;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Number, Value};

/// A core record as Python data.
pub fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value)
        .map_err(|e| invalid(format!("cannot convert to Python data: {e}")))
}

/// A core record from Python data; `what` prefixes the error
/// (`channels[0].cost: invalid type: ...`).
pub fn from_py<T: DeserializeOwned>(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<T> {
    let value = value_of(obj, &mut Vec::new()).map_err(|e| invalid(join(what, &e)))?;
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        invalid(if path == "." {
            join(what, &inner)
        } else {
            join(what, &format!("{path}: {inner}"))
        })
    })
}

fn join(what: &str, msg: &str) -> String {
    if what.is_empty() {
        msg.to_owned()
    } else {
        format!("{what}: {msg}")
    }
}

fn at(path: &[String]) -> String {
    if path.is_empty() {
        String::new()
    } else {
        let mut s = String::new();
        for p in path {
            if p.starts_with('[') || s.is_empty() {
                s.push_str(p);
            } else {
                s.push('.');
                s.push_str(p);
            }
        }
        s.push_str(": ");
        s
    }
}

/// Python data as a JSON value, strictly typed. A model object (`Channel`,
/// `Queue`, ...) inside is taken by its record.
fn value_of(obj: &Bound<'_, PyAny>, path: &mut Vec<String>) -> Result<Value, String> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.downcast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        return Err(format!(
            "{}integer {} does not fit in 64 bits",
            at(path),
            crate::convert::repr(obj)
        ));
    }
    if obj.is_instance_of::<PyFloat>() {
        let f: f64 = obj.extract().map_err(|e| e.to_string())?;
        return Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| format!("{}{f} is not a finite number", at(path)));
    }
    if let Ok(s) = obj.downcast::<PyString>() {
        return Ok(Value::String(s.to_cow().map_err(|e| e.to_string())?.into_owned()));
    }
    if let Ok(d) = obj.downcast::<PyDict>() {
        let mut m = Map::new();
        for (k, v) in d.iter() {
            let key: String = k
                .downcast::<PyString>()
                .map_err(|_| {
                    format!("{}keys must be strings, got {}", at(path), crate::convert::repr(&k))
                })?
                .to_cow()
                .map_err(|e| e.to_string())?
                .into_owned();
            path.push(key.clone());
            let value = value_of(&v, path)?;
            path.pop();
            m.insert(key, value);
        }
        return Ok(Value::Object(m));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, item) in obj.try_iter().map_err(|e| e.to_string())?.enumerate() {
            let item = item.map_err(|e| e.to_string())?;
            path.push(format!("[{i}]"));
            out.push(value_of(&item, path)?);
            path.pop();
        }
        return Ok(Value::Array(out));
    }
    if let Some(v) = crate::model::record_of(obj) {
        return v;
    }
    Err(format!(
        "{}unsupported value {} (use dicts, lists, strings, numbers, booleans and None)",
        at(path),
        crate::convert::repr(obj)
    ))
}

/// A core record as a JSON value (for a model object met inside data).
pub fn json_of<T: Serialize>(v: &T) -> Result<Value, String> {
    serde_json::to_value(v).map_err(|e| e.to_string())
}

/// Whether two records are the same, comparing their human-readable forms
/// (so that skills given in another order are equal, as dicts are).
pub fn same<T: Serialize + PartialEq>(a: &T, b: &T) -> bool {
    // Maps of `serde_json` (with `preserve_order`) compare regardless of order.
    a == b || matches!((serde_json::to_value(a), serde_json::to_value(b)), (Ok(x), Ok(y)) if x == y)
}

fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut items: Vec<(String, Value)> =
                m.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(items.into_iter().collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// A hash agreeing with [`same`].
pub fn hash<T: Serialize>(v: &T) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_value(v).map(sorted).map(|v| v.to_string()).unwrap_or_default().hash(&mut h);
    h.finish()
}
