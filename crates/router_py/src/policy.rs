//! Built-in policy specifications from Python: a name, a chain of names, or
//! weights over named features.

use crate::errors::{invalid, IntoPyResult};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use router_core::{Feature, Policy, PolicyKind};

/// A compiled built-in policy (made by `ccroute.policies.Chain` and
/// `ccroute.policies.Weighted`).
#[pyclass(frozen, module = "ccroute._ccroute")]
#[derive(Clone)]
pub struct PolicySpec {
    pub(crate) policy: Policy,
}

#[pymethods]
impl PolicySpec {
    /// A tie-breaker chain of built-in policy names.
    #[staticmethod]
    fn chain(names: Vec<String>) -> PyResult<Self> {
        let kinds = names
            .iter()
            .map(|n| PolicyKind::parse(n))
            .collect::<router_core::Result<Vec<_>>>()
            .py()?;
        let policy = Policy::Chain(kinds);
        policy.validate().py()?;
        Ok(PolicySpec { policy })
    }

    /// A weighted score over named features.
    #[staticmethod]
    fn weighted(weights: &Bound<'_, PyDict>) -> PyResult<Self> {
        let mut ws = Vec::with_capacity(weights.len());
        for (k, v) in weights.iter() {
            let name: String = k.extract().map_err(|_| {
                invalid(format!("feature names must be strings, got {}", crate::convert::repr(&k)))
            })?;
            let w: f64 = v.extract().map_err(|_| {
                invalid(format!(
                    "weight of feature {name:?} must be a number, got {}",
                    crate::convert::repr(&v)
                ))
            })?;
            ws.push((Feature::parse(&name, |_| u32::MAX).py()?, w));
        }
        let policy = Policy::Weighted(ws);
        policy.validate().py()?;
        Ok(PolicySpec { policy })
    }

    fn __repr__(&self) -> String {
        format!("PolicySpec({})", self.policy)
    }

    fn __str__(&self) -> String {
        self.policy.to_string()
    }
}

/// `policy=` of the router: a built-in name or a `PolicySpec`.
pub fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Policy> {
    if let Ok(name) = obj.extract::<String>() {
        return Ok(PolicyKind::parse(&name).py()?.into());
    }
    if let Ok(spec) = obj.downcast::<PolicySpec>() {
        return Ok(spec.get().policy.clone());
    }
    Err(invalid(format!(
        "policy must be a built-in policy name or a ccroute.policies object, got {}",
        crate::convert::repr(obj)
    )))
}
