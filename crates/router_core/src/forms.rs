//! The model's two serde forms, from one set of derives.
//!
//! * **Human-readable** (JSON, YAML, TOML, Python dicts; every format whose
//!   serializer says `is_human_readable`): the form users write and the
//!   service logs. Skills and channel maxima are maps (`{spanish: 7}`),
//!   attributes plain values, a policy a name, `{chain: [...]}` or
//!   `{weighted: {feature: weight}}`, enums their snake_case names. Every
//!   field is always written (`null` for an absent option), so the keys of a
//!   serialised record are its schema; on reading, fields with a default may
//!   be left out and an unknown field is an error naming it.
//! * **Binary** (bincode snapshots): sequences of pairs and tagged enums,
//!   exactly the derived encoding.
//!
//! The proto messages, the server's YAML, the write-ahead log and the
//! simulator's scenario all go through the human-readable form, so a field
//! added to the model reaches every one of them or fails a test naming it.

use crate::policy::{Feature, Policy, PolicyKind};
use crate::types::AttrValue;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// `Vec<(String, T)>`: a map in human-readable formats (order kept, a name
/// given twice refused), a sequence of pairs in binary ones.
pub(crate) mod pairs {
    use super::*;

    pub fn serialize<S: Serializer, T: Serialize>(
        v: &[(String, T)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_map(v.iter().map(|(k, x)| (k, x)))
        } else {
            s.collect_seq(v.iter())
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Vec<(String, T)>, D::Error> {
        if d.is_human_readable() {
            d.deserialize_map(PairsVisitor(PhantomData))
        } else {
            Vec::<(String, T)>::deserialize(d)
        }
    }

    struct PairsVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for PairsVisitor<T> {
        type Value = Vec<(String, T)>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping of names to values")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out: Vec<(String, T)> = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some((k, v)) = map.next_entry::<String, T>()? {
                if out.iter().any(|(name, _)| *name == k) {
                    return Err(de::Error::custom(format!("{k:?} is listed twice")));
                }
                out.push((k, v));
            }
            Ok(out)
        }
    }
}

/// `Option<Vec<(String, T)>>` in the form of [`pairs`] (`null` for `None`).
pub(crate) mod option_pairs {
    use super::*;

    struct Ref<'a, T>(&'a [(String, T)]);
    impl<T: Serialize> Serialize for Ref<'_, T> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            pairs::serialize(self.0, s)
        }
    }
    struct Owned<T>(Vec<(String, T)>);
    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Owned<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            pairs::deserialize(d).map(Owned)
        }
    }

    pub fn serialize<S: Serializer, T: Serialize>(
        v: &Option<Vec<(String, T)>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.as_deref().map(Ref).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Vec<(String, T)>>, D::Error> {
        Ok(Option::<Owned<T>>::deserialize(d)?.map(|o| o.0))
    }
}

// -- attribute values ---------------------------------------------------------

#[derive(Serialize, Deserialize)]
#[serde(rename = "AttrValue")]
enum AttrBin {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<String>),
}

impl Serialize for AttrValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (s.is_human_readable(), self) {
            (true, AttrValue::Bool(b)) => s.serialize_bool(*b),
            (true, AttrValue::Int(i)) => s.serialize_i64(*i),
            (true, AttrValue::Float(x)) => s.serialize_f64(*x),
            (true, AttrValue::Str(t)) => s.serialize_str(t),
            (true, AttrValue::List(l)) => l.serialize(s),
            (false, AttrValue::Bool(b)) => s.serialize_newtype_variant("AttrValue", 0, "Bool", b),
            (false, AttrValue::Int(i)) => s.serialize_newtype_variant("AttrValue", 1, "Int", i),
            (false, AttrValue::Float(x)) => s.serialize_newtype_variant("AttrValue", 2, "Float", x),
            (false, AttrValue::Str(t)) => s.serialize_newtype_variant("AttrValue", 3, "Str", t),
            (false, AttrValue::List(l)) => s.serialize_newtype_variant("AttrValue", 4, "List", l),
        }
    }
}

impl<'de> Deserialize<'de> for AttrValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !d.is_human_readable() {
            return Ok(match AttrBin::deserialize(d)? {
                AttrBin::Bool(b) => AttrValue::Bool(b),
                AttrBin::Int(i) => AttrValue::Int(i),
                AttrBin::Float(x) => AttrValue::Float(x),
                AttrBin::Str(t) => AttrValue::Str(t),
                AttrBin::List(l) => AttrValue::List(l),
            });
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AttrValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a bool, an integer, a number, a string or a list of strings")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<AttrValue, E> {
                Ok(AttrValue::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<AttrValue, E> {
                Ok(AttrValue::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<AttrValue, E> {
                i64::try_from(v).map(AttrValue::Int).map_err(|_| {
                    E::custom(format!(
                        "integer {v} is outside the allowed range of a 64-bit signed integer"
                    ))
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<AttrValue, E> {
                Ok(AttrValue::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AttrValue, E> {
                Ok(AttrValue::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<AttrValue, E> {
                Ok(AttrValue::Str(v))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<AttrValue, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element::<ListItem>()? {
                    out.push(item.0);
                }
                Ok(AttrValue::List(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// An element of a list attribute: a string, refused by name otherwise.
struct ListItem(String);

impl<'de> Deserialize<'de> for ListItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ListItem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string (a list attribute holds strings only)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ListItem, E> {
                Ok(ListItem(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ListItem, E> {
                Ok(ListItem(v))
            }
        }
        d.deserialize_any(V)
    }
}

// -- policies -----------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename = "Policy")]
enum PolicyBinRef<'a> {
    Chain(&'a [PolicyKind]),
    Weighted(&'a [(Feature, f64)]),
}

#[derive(Deserialize)]
#[serde(rename = "Policy")]
enum PolicyBin {
    Chain(Vec<PolicyKind>),
    Weighted(Vec<(Feature, f64)>),
}

/// Weights by feature name, in order.
struct Weights<'a>(&'a [(Feature, f64)]);

impl Serialize for Weights<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (f, w) in self.0 {
            m.serialize_entry(&f.name(), w)?;
        }
        m.end()
    }
}

impl Serialize for Policy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !s.is_human_readable() {
            return match self {
                Policy::Chain(k) => PolicyBinRef::Chain(k),
                Policy::Weighted(w) => PolicyBinRef::Weighted(w),
            }
            .serialize(s);
        }
        match self {
            Policy::Chain(kinds) if kinds.len() == 1 => s.serialize_str(kinds[0].name()),
            Policy::Chain(kinds) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("chain", kinds)?;
                m.end()
            }
            Policy::Weighted(ws) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("weighted", &Weights(ws))?;
                m.end()
            }
        }
    }
}

/// `{feature: weight}` read into features (a `level:<skill>` feature gets
/// its skill number when the router is built).
struct WeightsOwned(Vec<(Feature, f64)>);

impl<'de> Deserialize<'de> for WeightsOwned {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs: Vec<(String, f64)> = pairs::deserialize(d)?;
        pairs
            .into_iter()
            .map(|(name, w)| {
                Ok((Feature::parse(&name, |_| u32::MAX).map_err(de::Error::custom)?, w))
            })
            .collect::<Result<_, _>>()
            .map(WeightsOwned)
    }
}

impl<'de> Deserialize<'de> for Policy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !d.is_human_readable() {
            return Ok(match PolicyBin::deserialize(d)? {
                PolicyBin::Chain(k) => Policy::Chain(k),
                PolicyBin::Weighted(w) => Policy::Weighted(w),
            });
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Policy;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a built-in policy name, {chain: [names]} or {weighted: {feature: weight}}",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Policy, E> {
                PolicyKind::parse(v).map(Policy::from).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Policy, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom("an empty mapping is not a policy; give {chain: [names]} or {weighted: {feature: weight}}"));
                };
                let policy = match key.as_str() {
                    "chain" => Policy::Chain(map.next_value()?),
                    "weighted" => Policy::Weighted(map.next_value::<WeightsOwned>()?.0),
                    other => {
                        return Err(de::Error::custom(format!(
                            "unknown policy form {other:?}; give a built-in policy name, {{chain: [names]}} or {{weighted: {{feature: weight}}}}"
                        )))
                    }
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "a policy takes one form, got {key:?} and {extra:?}"
                    )));
                }
                policy.validate().map_err(de::Error::custom)?;
                Ok(policy)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{AgentSpec, ContactSpec, RouterConfig, StepSpec};
    use crate::{ChannelConfig, Condition, Policy, PolicyKind, QueueConfig};

    #[test]
    fn human_form_is_readable_and_round_trips() {
        let mut c =
            ContactSpec::new("c1", "voice", "sales").requiring(&[("spanish", 5), ("billing", 2)]);
        c.steps.push(StepSpec {
            after: 20.0,
            requires: vec![("spanish".into(), 1)],
            when: Some(Condition::QueueLongerThan(3)),
            ..StepSpec::default()
        });
        c.attributes.insert("vip".into(), crate::AttrValue::Bool(true));
        c.attributes.insert("tier".into(), crate::AttrValue::Int(2));
        c.attributes.insert("score".into(), crate::AttrValue::Float(2.0));
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["requires"], serde_json::json!({"spanish": 5, "billing": 2}));
        assert_eq!(json["steps"][0]["when"], serde_json::json!({"queue_longer_than": 3}));
        assert_eq!(json["attributes"], serde_json::json!({"vip": true, "tier": 2, "score": 2.0}));
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<ContactSpec>(&text).unwrap(), c);
    }

    #[test]
    fn defaults_fill_what_is_left_out_and_unknown_fields_are_named() {
        let a: AgentSpec = serde_json::from_str(r#"{"id": "a1", "skills": {"x": 3}}"#).unwrap();
        assert_eq!(a, AgentSpec::new("a1", &[("x", 3)]));
        let err = serde_json::from_str::<AgentSpec>(r#"{"id": "a1", "skill": {}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `skill`"), "{err}");
        let q: QueueConfig = serde_json::from_str(r#"{"name": "q", "ordering": "lifo"}"#).unwrap();
        assert_eq!(q.ordering, crate::Ordering::Lifo);
        let err = serde_json::from_str::<AgentSpec>(r#"{"id": "a1", "skills": {"x": 3, "x": 4}}"#)
            .unwrap_err();
        assert!(err.to_string().contains("\"x\" is listed twice"), "{err}");
    }

    #[test]
    fn policies_read_and_write_every_form() {
        for text in [
            r#""most_skilled""#,
            r#"{"chain":["least_occupied","longest_idle"]}"#,
            r#"{"weighted":{"skill":2.0,"level:es":-1.5}}"#,
        ] {
            let p: Policy = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&p).unwrap(), text);
        }
        assert_eq!(
            serde_json::from_str::<Policy>(r#""round_robin""#).unwrap(),
            PolicyKind::RoundRobin.into()
        );
        let err = serde_json::from_str::<Policy>(r#"{"chain":["random","longest_idle"]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("random"), "{err}");
        let err = serde_json::from_str::<Policy>(r#""fastest""#).unwrap_err().to_string();
        assert!(err.contains("unknown policy \"fastest\""), "{err}");
    }

    #[test]
    fn left_out_fields_take_the_constructors_defaults() {
        let cfg: RouterConfig =
            serde_json::from_str(r#"{"channels": [{"name": "voice"}], "queues": [{"name": "q"}]}"#)
                .unwrap();
        assert_eq!(
            cfg,
            RouterConfig::new(
                vec![ChannelConfig::new("voice", 100, 1)],
                vec![QueueConfig::new("q")]
            )
        );
        let c: ContactSpec =
            serde_json::from_str(r#"{"id": "c", "channel": "voice", "queue": "q"}"#).unwrap();
        assert_eq!(c, ContactSpec::new("c", "voice", "q"));
    }

    #[test]
    fn binary_form_is_the_derived_one() {
        let mut cfg = RouterConfig::new(
            vec![ChannelConfig::new("voice", 100, 1)],
            vec![QueueConfig::new("q")],
        );
        cfg.policy = Policy::Chain(vec![PolicyKind::LeastOccupied, PolicyKind::LongestIdle]);
        let bytes = bincode::serialize(&cfg).unwrap();
        assert_eq!(bincode::deserialize::<RouterConfig>(&bytes).unwrap(), cfg);
        let json = serde_json::to_string(&cfg).unwrap();
        assert_eq!(serde_json::from_str::<RouterConfig>(&json).unwrap(), cfg);
    }
}
