//! Python-literal reprs of the fields agents and contacts share (skills,
//! attributes, optional strings), kept in one place so both classes print
//! them the same way.

use crate::events::py_str_repr;

/// `{'skill': level, ...}` as Python writes it.
pub(super) fn skills_repr(list: &[(String, u8)]) -> String {
    let items: Vec<String> = list.iter().map(|(k, v)| format!("{}: {v}", py_str_repr(k))).collect();
    format!("{{{}}}", items.join(", "))
}

/// Attributes as a Python dict literal.
pub(super) fn attrs_repr(a: &router_core::Attrs) -> String {
    use router_core::AttrValue;
    let items: Vec<String> = a
        .iter()
        .map(|(k, v)| {
            let v = match v {
                AttrValue::Bool(b) => (if *b { "True" } else { "False" }).to_owned(),
                AttrValue::Int(i) => i.to_string(),
                AttrValue::Float(f) if f.is_nan() => "float('nan')".to_owned(),
                AttrValue::Float(f) if f.is_infinite() => {
                    format!("float('{}inf')", if *f < 0.0 { "-" } else { "" })
                }
                AttrValue::Float(f) => format!("{f:?}"),
                AttrValue::Str(s) => py_str_repr(s),
                AttrValue::List(l) => {
                    let items: Vec<String> = l.iter().map(|s| py_str_repr(s)).collect();
                    format!("[{}]", items.join(", "))
                }
            };
            format!("{}: {v}", py_str_repr(k))
        })
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// A string as Python writes it, or `None`.
pub(super) fn opt_str_repr(s: Option<&str>) -> String {
    s.map_or("None".to_owned(), py_str_repr)
}
