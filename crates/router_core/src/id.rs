//! [`Id`]: an agent or contact identifier that is cheap to copy.
//!
//! Every event names its contact and agent (and their queue and channel),
//! and the agent, contact and last-agent tables are keyed by id, so ids are
//! copied several times per routing decision. (Ready-agent keys do not
//! carry the id: their last tie-breaker is a rank that orders agents as
//! their ids do, a number cheaper to compare; see `router/id_order.rs`.)
//!
//! An id of up to [`INLINE`] bytes (a number, a short code, most ids in
//! practice) is stored inline: copying it copies 24 bytes, with no
//! allocation and no reference count. A longer one (a UUID, say) is shared
//! behind an `Arc`, as before.
//!
//! An `Id` behaves as the text it holds: equality, order and hash are the
//! text's (so a map keyed by `Id` is looked up with a `&str`), and it
//! serialises as a string.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// Longest id stored inline, in bytes.
pub const INLINE: usize = 22;

#[derive(Clone)]
enum Repr {
    /// `len` bytes of UTF-8 text at the start of `bytes`.
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Shared(Arc<str>),
}

/// A shared, immutable identifier (agent or contact id): inline up to
/// [`INLINE`] bytes, reference-counted beyond.
#[derive(Clone)]
pub struct Id(Repr);

impl Id {
    /// The id's text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Inline bytes are copied from a `&str`, so they are valid UTF-8.
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..*len as usize]).expect("inline ids hold UTF-8")
            }
            Repr::Shared(s) => s,
        }
    }

    /// The id's text as bytes (no UTF-8 check: the cheap form for hashing,
    /// comparing and parsing).
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..*len as usize],
            Repr::Shared(s) => s.as_bytes(),
        }
    }

    /// Length of the id in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether the id is the empty string.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }
}

impl From<&str> for Id {
    #[inline]
    fn from(s: &str) -> Self {
        if s.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Id(Repr::Inline { len: s.len() as u8, bytes })
        } else {
            Id(Repr::Shared(s.into()))
        }
    }
}

impl From<String> for Id {
    fn from(s: String) -> Self {
        if s.len() <= INLINE {
            Id::from(s.as_str())
        } else {
            Id(Repr::Shared(s.into()))
        }
    }
}

impl From<&String> for Id {
    fn from(s: &String) -> Self {
        Id::from(s.as_str())
    }
}

impl From<Arc<str>> for Id {
    fn from(s: Arc<str>) -> Self {
        if s.len() <= INLINE {
            Id::from(&*s)
        } else {
            Id(Repr::Shared(s))
        }
    }
}

impl From<&Id> for String {
    fn from(id: &Id) -> Self {
        id.as_str().to_owned()
    }
}

impl Default for Id {
    fn default() -> Self {
        Id::from("")
    }
}

impl Deref for Id {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Id {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl Eq for Id {}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialOrd for Id {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Id {
    /// The text's order (`str` orders by bytes).
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for Id {
    /// Hashes exactly as the text does (`str` writes its bytes, then
    /// `0xff`), so that maps keyed by `Id` are looked up with a `&str`.
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.as_bytes());
        state.write_u8(0xff);
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Id, E> {
                Ok(Id::from(v))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<Id, E> {
                Ok(Id::from(v))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of<T: Hash + ?Sized, H: Hasher + Default>(x: &T) -> u64 {
        let mut h = H::default();
        x.hash(&mut h);
        h.finish()
    }

    #[test]
    fn an_id_hashes_compares_and_orders_as_its_text() {
        let texts = [
            "",
            "7",
            "c12",
            "agent-0042",
            "exactly-twenty-two-by",
            "twenty-three-bytes-long",
            "é-ünïcode",
            "a b",
        ];
        for a in texts {
            let ia = Id::from(a);
            assert_eq!(ia.as_str(), a);
            assert_eq!(&*ia, a);
            assert_eq!(hash_of::<_, DefaultHasher>(&ia), hash_of::<_, DefaultHasher>(a), "{a:?}");
            assert_eq!(
                hash_of::<_, rustc_hash::FxHasher>(&ia),
                hash_of::<_, rustc_hash::FxHasher>(a),
                "{a:?}"
            );
            assert_eq!(format!("{ia:?}"), format!("{a:?}"));
            assert_eq!(ia.to_string(), a);
            for b in texts {
                let ib = Id::from(b.to_owned());
                assert_eq!(ia.cmp(&ib), a.cmp(b), "{a:?} vs {b:?}");
                assert_eq!(ia == ib, a == b);
            }
        }
        assert_eq!(std::mem::size_of::<Id>(), 24);
    }

    #[test]
    fn maps_keyed_by_id_are_read_with_text_and_ids_serialise_as_text() {
        let mut m = rustc_hash::FxHashMap::default();
        m.insert(Id::from("short"), 1);
        m.insert(Id::from("a-rather-longer-identifier-than-inline"), 2);
        assert_eq!(m.get("short"), Some(&1));
        assert_eq!(m.get("a-rather-longer-identifier-than-inline"), Some(&2));
        let id = Id::from("a-rather-longer-identifier-than-inline");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"a-rather-longer-identifier-than-inline\"");
        assert_eq!(serde_json::from_str::<Id>(&json).unwrap(), id);
        let arc: Arc<str> = "x1".into();
        assert_eq!(bincode::serialize(&Id::from("x1")).unwrap(), bincode::serialize(&arc).unwrap());
    }
}
