//! Conversions of Python values (dicts of skills, attributes) into core values.

use crate::errors::invalid;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};
use router_core::{AttrValue, Attrs};

/// `{skill: level}` → `[(skill, level)]`; a level that cannot be a skill
/// level at all is refused here, the range 1–10 is checked by the router.
pub fn skills(what: &str, d: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, u8)>> {
    let Some(d) = d else { return Ok(Vec::new()) };
    let mut out = Vec::with_capacity(d.len());
    for (k, v) in d.iter() {
        let name: String = k.extract().map_err(|_| {
            invalid(format!("{what}: skill names must be strings, got {}", repr(&k)))
        })?;
        let level = match v.extract::<i64>() {
            Ok(l) if !v.is_instance_of::<PyBool>() => l,
            _ => {
                return Err(invalid(format!(
                    "{what}: level {} of skill {name:?} is not an integer",
                    repr(&v)
                )))
            }
        };
        let level = u8::try_from(level).map_err(|_| {
            invalid(format!("{what}: level {level} of skill {name:?} is outside 1-10"))
        })?;
        out.push((name, level));
    }
    Ok(out)
}

/// Skills back into a dict.
pub fn skills_dict<'py>(py: Python<'py>, list: &[(String, u8)]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in list {
        d.set_item(k, v)?;
    }
    Ok(d)
}

/// `{name: bool | int | float | str | [str, ...]}` → attributes.
pub fn attrs(what: &str, d: Option<&Bound<'_, PyDict>>) -> PyResult<Attrs> {
    let mut out = Attrs::new();
    let Some(d) = d else { return Ok(out) };
    for (k, v) in d.iter() {
        let name: String = k.extract().map_err(|_| {
            invalid(format!("{what}: attribute names must be strings, got {}", repr(&k)))
        })?;
        let value = if v.is_instance_of::<PyBool>() {
            AttrValue::Bool(v.extract()?)
        } else if v.is_instance_of::<PyInt>() {
            AttrValue::Int(v.extract().map_err(|_| {
                invalid(format!(
                    "{what}: attribute {name:?} = {} does not fit in 64 bits",
                    repr(&v)
                ))
            })?)
        } else if v.is_instance_of::<PyFloat>() {
            let f: f64 = v.extract()?;
            if !f.is_finite() {
                return Err(invalid(format!(
                    "{what}: attribute {name:?} = {f} is not a finite number"
                )));
            }
            AttrValue::Float(f)
        } else if v.is_instance_of::<PyString>() {
            AttrValue::Str(v.extract()?)
        } else if v.is_instance_of::<pyo3::types::PyList>()
            || v.is_instance_of::<pyo3::types::PyTuple>()
        {
            let mut items = Vec::new();
            for item in v.try_iter()? {
                let item = item?;
                items.push(item.extract::<String>().map_err(|_| {
                    invalid(format!(
                        "{what}: attribute {name:?}: a list attribute holds strings only, not {}",
                        repr(&item)
                    ))
                })?);
            }
            AttrValue::List(items)
        } else {
            return Err(invalid(format!(
                "{what}: attribute {name:?} has unsupported value {} (use bool, int, float, str or a list of str)",
                repr(&v)
            )));
        };
        out.insert(name, value);
    }
    Ok(out)
}

/// Attributes back into a dict.
pub fn attrs_dict<'py>(py: Python<'py>, a: &Attrs) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in a {
        match v {
            AttrValue::Bool(b) => d.set_item(k, b)?,
            AttrValue::Int(i) => d.set_item(k, i)?,
            AttrValue::Float(f) => d.set_item(k, f)?,
            AttrValue::Str(s) => d.set_item(k, s)?,
            AttrValue::List(l) => d.set_item(k, l)?,
        }
    }
    Ok(d)
}

/// `repr(obj)` for messages.
pub fn repr(obj: &Bound<'_, PyAny>) -> String {
    obj.repr().map(|r| r.to_string()).unwrap_or_else(|_| "<unprintable>".into())
}

/// A Python `int` of any size, checked against a range by [`Int::within`]
/// so that the error names the field, the value given and the range (a
/// bare `OverflowError` names neither, and a cast would wrap).
pub struct Int {
    /// The value, saturated beyond 128 bits.
    value: i128,
    /// The value as Python prints it.
    shown: String,
}

impl<'py> FromPyObject<'py> for Int {
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        if !ob.is_instance_of::<PyInt>() {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "expected an integer, got {}",
                repr(ob)
            )));
        }
        let shown = ob.str()?.to_string();
        let value = match ob.extract::<i128>() {
            Ok(v) => v,
            Err(_) if ob.lt(0)? => i128::MIN,
            Err(_) => i128::MAX,
        };
        Ok(Int { value, shown })
    }
}

impl Int {
    /// A default value.
    pub fn of(value: i64) -> Self {
        Int { value: value.into(), shown: value.to_string() }
    }

    /// The value as a `T` if it lies in `T`'s range and at least `min`;
    /// otherwise `InvalidInput`: "`what` `value` is outside min..=max".
    pub fn within<T>(&self, what: &str, min: T) -> PyResult<T>
    where
        T: TryFrom<i128> + Into<i128> + num_bounds::Bounded + Copy,
    {
        let (lo, hi): (i128, i128) = (min.into(), T::MAX_VALUE.into());
        match T::try_from(self.value) {
            Ok(v) if self.value >= lo => Ok(v),
            _ => Err(invalid(format!(
                "{what} {} is outside the allowed range {lo}..={hi}",
                self.shown
            ))),
        }
    }
}

/// The largest value of the integer types [`Int::within`] converts to.
pub mod num_bounds {
    /// An integer type with a largest value.
    pub trait Bounded {
        /// The largest value.
        const MAX_VALUE: Self;
    }
    macro_rules! bounded {
        ($($t:ty),*) => { $(impl Bounded for $t { const MAX_VALUE: Self = <$t>::MAX; })* };
    }
    bounded!(u8, u32, u64, i64);
}
