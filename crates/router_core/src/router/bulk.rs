//! The bulk calls: contact templates and contact keys, for a caller that
//! submits many similar contacts and keeps a handle on each (a simulator,
//! a platform's contact types).
//!
//! A [`ContactTemplate`] is validated and compiled once; submitting it
//! with [`Router::submit_template`] skips validation and interning and
//! returns the contact's [`ContactKey`], which [`Router::complete`] and
//! [`Router::cancel`] take in place of the id (no hashing). A caller that
//! only ever uses keys can leave the id out of the id index altogether
//! ([`NewContact::by_key_only`]), and can take assignments and completions
//! as [`Handoff`](crate::sink::Handoff)s by key
//! ([`EventSink::by_key`]). Routing, events and policies see these
//! contacts as any other.
//!
//! ```
//! use router_core::{AgentSpec, ChannelConfig, ContactSpec, Id, QueueConfig, Router, RouterConfig};
//! use router_core::NewContact;
//!
//! let channels = vec![ChannelConfig::new("voice", 100, 1)];
//! let mut router = Router::new(RouterConfig::new(channels, vec![QueueConfig::new("q")]))?;
//! router.add_agent(&AgentSpec::new("ann", &[]), 0.0, Vec::new())?;
//!
//! let template = router.compile_template(&ContactSpec::new("", "voice", "q"))?;
//! let mut events = Vec::new();
//! let id = Id::from("c1");
//! let (key, _) = router.submit_template(&template, NewContact::new(&id), 1.0, &mut events)?;
//! router.complete(key, 9.0, &mut events)?;
//! assert_eq!(events.iter().map(|e| e.name()).collect::<Vec<_>>(), ["Assigned", "Completed"]);
//! # Ok::<(), router_core::Error>(())
//! ```

use super::contacts::Compiled;
use super::Router;
use crate::error::{Error, ErrorKind, Result};
use crate::model::ContactSpec;
use crate::sink::EventSink;
use crate::types::{check_time, Id, Time};

/// A contact validated and compiled once, to submit many times with
/// different ids (a simulator's contact type, a platform's contact
/// template): skips the per-contact validation and interning.
#[derive(Clone, Debug)]
pub struct ContactTemplate(Compiled);

/// A handle on a live contact: its slot in the router and its submission
/// number. It never names a later contact that reuses the slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContactKey {
    slot: u32,
    seq: u64,
}

impl ContactKey {
    /// The contact's slot in the router: dense over the live contacts, an
    /// index for the caller's own per-contact table.
    pub fn index(self) -> usize {
        self.slot as usize
    }
}

/// What a template submit adds to the template: the contact's own id,
/// priority and customer.
#[derive(Clone, Copy, Debug)]
pub struct NewContact<'a> {
    /// The contact's id. It comes as an [`Id`], so that a caller reusing
    /// its ids hands over a copy instead of having one built per contact.
    pub id: &'a Id,
    /// Its priority (higher first).
    pub priority: i64,
    /// Its customer (last-agent affinity), if any.
    pub customer: Option<&'a str>,
    /// Whether the id enters the id index (default). A contact left out
    /// is reached by key only: the id is carried on events and shown to
    /// policies, but look-ups by id (`contact_view`, `complete`, ...) do not
    /// find it, nothing is remembered of it once it ends, and keeping such
    /// ids distinct is the caller's business. Saves the duplicate check
    /// and the index upkeep.
    pub indexed: bool,
    /// When it enters its queue (`ContactSpec::not_before`; 0: at once).
    pub not_before: Time,
}

impl<'a> NewContact<'a> {
    /// A contact with id `id`, priority 0, no customer, indexed.
    pub fn new(id: &'a Id) -> Self {
        NewContact { id, priority: 0, customer: None, indexed: true, not_before: 0.0 }
    }

    /// With priority `priority`.
    pub fn priority(mut self, priority: i64) -> Self {
        self.priority = priority;
        self
    }

    /// With customer `customer`.
    pub fn customer(mut self, customer: Option<&'a str>) -> Self {
        self.customer = customer;
        self
    }

    /// Scheduled: it enters its queue at `t` (see `ContactSpec::not_before`).
    pub fn not_before(mut self, t: Time) -> Self {
        self.not_before = t;
        self
    }

    /// Reached by key only (see [`NewContact::indexed`]).
    pub fn by_key_only(mut self) -> Self {
        self.indexed = false;
        self
    }
}

/// A way to name a live contact in [`Router::complete`] and
/// [`Router::cancel`]: its id (`&str`, `&String`, `&Id`, any `&impl AsRef<str>`) or its
/// [`ContactKey`].
pub trait ContactRef: sealed::Locate {}

mod sealed {
    use super::super::Router;
    use crate::error::Result;

    /// Finds the contact's slot (crate-private: the trait is sealed).
    pub trait Locate {
        fn locate(&self, r: &Router) -> Result<u32>;
    }
}

impl<T: AsRef<str> + ?Sized> sealed::Locate for &T {
    #[inline]
    fn locate(&self, r: &Router) -> Result<u32> {
        r.contact_ix((*self).as_ref())
    }
}
impl<T: AsRef<str> + ?Sized> ContactRef for &T {}

impl sealed::Locate for ContactKey {
    #[inline]
    fn locate(&self, r: &Router) -> Result<u32> {
        r.key_ix(*self)
    }
}
impl ContactRef for ContactKey {}

impl Router {
    /// Compiles a contact as a template (its id is ignored). Errors: as
    /// [`Router::submit`] for everything but the id.
    pub fn compile_template(&mut self, spec: &ContactSpec) -> Result<ContactTemplate> {
        if spec.not_before.is_some() {
            return Err(Error::invalid(format!(
                "contact template {:?}: not_before is a time of one contact, not of a template; submit scheduled contacts one by one",
                spec.id
            )));
        }
        let mark = self.index.mark();
        match self.compile_body(spec) {
            Ok(c) => Ok(ContactTemplate(c)),
            Err(e) => self.refused(mark, e),
        }
    }

    /// Submits a contact made from a template with its own id, priority and
    /// customer, and routes it. Returns the contact's key with the sink.
    ///
    /// Errors: `InvalidInput` for an empty id or a bad time; `DuplicateId`
    /// (indexed contacts only); `QueueFull`.
    pub fn submit_template<S: EventSink>(
        &mut self,
        template: &ContactTemplate,
        new: NewContact<'_>,
        now: Time,
        sink: S,
    ) -> Result<(ContactKey, S)> {
        self.check_now(now)?;
        self.open(&sink);
        if new.indexed {
            self.check_new_contact_id(new.id)?;
        } else if new.id.is_empty() {
            return Err(Error::invalid("contact id must not be empty"));
        }
        if new.not_before != 0.0 {
            check_time("contact not_before", new.not_before)?;
        }
        let t = &template.0;
        let mut ev = self.begin(now);
        if new.not_before <= now && self.refuses(t, new.customer) {
            let err = self.full_queue_error(t.queue, new.id);
            return self.fail(ev, err);
        }
        let seq = self.next_seq;
        let customer = new.customer.map(Into::into);
        let id = new.id.clone();
        let slot = self.insert_contact_at(
            t,
            id,
            new.indexed,
            new.priority,
            customer,
            new.not_before,
            &mut ev,
        );
        self.advance_to(now, &mut ev); // timers it set for `now` (overflow after 0), as `submit` does
        Ok((ContactKey { slot, seq }, self.deliver(ev, sink)))
    }

    /// The key of the live contact in slot `ci`.
    pub(super) fn key_of(&self, ci: u32) -> ContactKey {
        ContactKey { slot: ci, seq: self.contact(ci).seq }
    }

    /// The slot of the live contact with key `key`.
    pub(super) fn key_ix(&self, key: ContactKey) -> Result<u32> {
        match self.contacts.get(key.slot as usize) {
            Some(c) if c.seq == key.seq => Ok(key.slot),
            _ => Err(Error::new(
                ErrorKind::UnknownId,
                format!("no live contact has key {}/{} (it has ended)", key.slot, key.seq),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::model::{AgentSpec, ChannelConfig, QueueConfig, RouterConfig};

    /// Submits from a template at priority 0 with no customer; returns the key.
    fn sub(
        r: &mut Router,
        t: &ContactTemplate,
        id: &str,
        now: Time,
        ev: &mut Vec<Event>,
        indexed: bool,
    ) -> Result<ContactKey> {
        let id = Id::from(id);
        let mut new = NewContact::new(&id);
        new.indexed = indexed;
        r.submit_template(t, new, now, ev).map(|(k, _)| k)
    }

    fn router() -> Router {
        let mut q = QueueConfig::new("q");
        q.max_waiting = Some(1);
        let mut r =
            Router::new(RouterConfig::new(vec![ChannelConfig::new("voice", 100, 1)], vec![q]))
                .unwrap();
        r.add_agent(&AgentSpec::new("a", &[("x", 5)]), 0.0, Vec::new()).unwrap();
        r
    }

    #[test]
    fn a_template_submits_like_the_spec_it_came_from() {
        let spec = ContactSpec::new("", "voice", "q").requiring(&[("x", 3)]);
        let (mut a, mut b) = (router(), router());
        let t = a.compile_template(&spec).unwrap();
        let mut ev = Vec::new();
        sub(&mut a, &t, "c1", 1.0, &mut ev, true).unwrap();
        let mut named = spec.clone();
        named.id = "c1".into();
        assert_eq!(ev, b.submit(&named, 1.0, Vec::new()).unwrap());
        assert_eq!(a.snapshot(), b.snapshot());
    }

    #[test]
    fn bad_template_submits_change_nothing() {
        let mut r = router();
        let t = r.compile_template(&ContactSpec::new("", "voice", "q")).unwrap();
        let mut ev = Vec::new();
        sub(&mut r, &t, "c1", 1.0, &mut ev, true).unwrap(); // takes the agent
        sub(&mut r, &t, "c2", 1.0, &mut ev, true).unwrap(); // waits: queue now full
        let before = (r.snapshot(), ev.clone());
        for (id, kind) in [
            ("", ErrorKind::InvalidInput),
            ("c1", ErrorKind::DuplicateId),
            ("c3", ErrorKind::QueueFull),
        ] {
            let err = sub(&mut r, &t, id, 1.0, &mut ev, true).unwrap_err();
            assert_eq!(err.kind(), kind, "{err}");
            if !id.is_empty() {
                assert!(err.message().contains(&format!("{id:?}")), "{err}");
            }
            assert_eq!(
                (r.snapshot(), ev.clone()),
                before,
                "{id:?} changed the router or the buffer"
            );
        }
        let err = r.compile_template(&ContactSpec::new("", "fax", "q")).unwrap_err();
        assert!(err.message().contains("\"fax\""), "{err}");
    }

    #[test]
    fn keyed_calls_act_as_the_id_calls_and_refuse_ended_contacts() {
        let (mut a, mut b) = (router(), router());
        let t = a.compile_template(&ContactSpec::new("", "voice", "q")).unwrap();
        let tb = b.compile_template(&ContactSpec::new("", "voice", "q")).unwrap();
        let (mut ea, mut eb) = (Vec::new(), Vec::new());
        let k1 = sub(&mut a, &t, "c1", 1.0, &mut ea, true).unwrap();
        let k2 = sub(&mut a, &t, "c2", 1.0, &mut ea, true).unwrap();
        sub(&mut b, &tb, "c1", 1.0, &mut eb, true).unwrap();
        sub(&mut b, &tb, "c2", 1.0, &mut eb, true).unwrap();
        // Errors name the contact by id, as the id calls do.
        let ka = a.cancel(k1, 2.0, &mut ea).unwrap_err();
        let kb = b.cancel("c1", 2.0, &mut eb).unwrap_err();
        assert_eq!((ka.kind(), ka.message()), (kb.kind(), kb.message()));
        a.complete(k1, 3.0, &mut ea).unwrap(); // c2 takes the agent
        b.complete("c1", 3.0, &mut eb).unwrap();
        a.complete(k2, 4.0, &mut ea).unwrap();
        b.complete("c2", 4.0, &mut eb).unwrap();
        assert_eq!(ea, eb);
        assert_eq!(a.snapshot(), b.snapshot());
        // An ended contact's key names nothing, even once its slot is reused.
        let k3 = sub(&mut a, &t, "c3", 5.0, &mut ea, true).unwrap();
        for k in [k1, k2] {
            let err = a.complete(k, 5.0, &mut ea).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnknownId, "{err}");
        }
        a.complete(k3, 6.0, &mut ea).unwrap();
    }

    #[test]
    fn keyed_submits_route_as_indexed_ones_and_stay_out_of_the_id_index() {
        let (mut a, mut b) = (router(), router());
        let t = a.compile_template(&ContactSpec::new("", "voice", "q")).unwrap();
        let tb = b.compile_template(&ContactSpec::new("", "voice", "q")).unwrap();
        let (mut ea, mut eb) = (Vec::new(), Vec::new());
        let k1 = sub(&mut a, &t, "c1", 1.0, &mut ea, false).unwrap();
        let k2 = sub(&mut a, &t, "c2", 1.0, &mut ea, false).unwrap();
        sub(&mut b, &tb, "c1", 1.0, &mut eb, true).unwrap();
        sub(&mut b, &tb, "c2", 1.0, &mut eb, true).unwrap();
        assert_eq!(ea, eb);
        assert_eq!(a.live_contacts(), 2);
        assert_eq!(a.contact_view("c1").unwrap_err().kind(), ErrorKind::UnknownId);
        // An indexed contact may reuse a keyed contact's id; each keeps its own.
        a.complete(k1, 1.5, &mut ea).unwrap(); // c2 takes the agent
        sub(&mut a, &t, "c1", 2.0, &mut ea, true).unwrap();
        assert_eq!(a.contact_view("c1").unwrap().status, crate::types::ContactStatus::Waiting);
        a.check_invariants().unwrap();
        let restored = Router::restore(&a.snapshot()).unwrap();
        assert_eq!(restored.snapshot(), a.snapshot());
        assert_eq!(restored.live_contacts(), 2);
        let (before, n_ev) = (a.snapshot(), ea.len());
        let err = sub(&mut a, &t, "", 3.0, &mut ea, false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.message(), "contact id must not be empty");
        assert_eq!((a.snapshot(), ea.len()), (before, n_ev), "a refused submit changes nothing");
        a.cancel(k2, 3.0, &mut ea).unwrap_err(); // c2 is assigned by now
        a.check_invariants().unwrap();
    }

    /// A sink that takes assignments and completions by key.
    #[derive(Default)]
    struct ByKey {
        events: Vec<Event>,
        handoffs: Vec<crate::sink::Handoff>,
    }

    impl EventSink for ByKey {
        fn take_events(&mut self, events: &mut Vec<Event>) {
            self.events.append(events);
        }
        fn by_key(&self) -> bool {
            true
        }
        fn take_handoffs(&mut self, handoffs: &mut Vec<crate::sink::Handoff>) {
            self.handoffs.append(handoffs);
        }
    }

    #[test]
    fn handoffs_by_key_stand_for_the_assignment_and_completion_events() {
        use crate::sink::Handoff;
        let (mut a, mut b) = (router(), router());
        let t = a.compile_template(&ContactSpec::new("", "voice", "q")).unwrap();
        let tb = b.compile_template(&ContactSpec::new("", "voice", "q")).unwrap();
        let (mut keyed, mut plain) = (ByKey::default(), Vec::new());
        let k1 = sub(&mut a, &t, "c1", 1.0, &mut Vec::new(), true).unwrap();
        let mut sink = ByKey::default();
        let id = Id::from("c2");
        let (k2, _) = a.submit_template(&t, NewContact::new(&id), 1.5, &mut sink).unwrap();
        assert!(sink.events.is_empty() && sink.handoffs.is_empty(), "c2 waits");
        sub(&mut b, &tb, "c1", 1.0, &mut plain, true).unwrap();
        sub(&mut b, &tb, "c2", 1.5, &mut plain, true).unwrap();
        plain.clear();
        a.complete(k1, 2.0, &mut keyed).unwrap(); // c2 takes the agent
        b.complete("c1", 2.0, &mut plain).unwrap();
        assert!(keyed.events.is_empty(), "{:?}", keyed.events);
        let agent = a.agent_handle("a").unwrap();
        assert_eq!(
            keyed.handoffs,
            [
                Handoff::Completed { contact: k1, at: 2.0 },
                Handoff::Assigned { contact: k2, agent, at: 2.0, wait: 0.5 },
            ]
        );
        let names: Vec<&str> = plain.iter().map(Event::name).collect();
        assert_eq!(names, ["Completed", "Assigned"]);
        assert_eq!(a.snapshot(), b.snapshot(), "the sink does not change routing");
    }

    #[test]
    fn a_refused_call_hands_nothing_to_the_sink() {
        let mut r = router();
        let mut buf = vec![];
        r.submit(&ContactSpec::new("c1", "voice", "q"), 1.0, &mut buf).unwrap();
        let before = (r.snapshot(), buf.clone());
        r.complete("nobody", 2.0, &mut buf).unwrap_err();
        r.cancel("c1", 2.0, &mut buf).unwrap_err(); // assigned: complete it instead
        assert_eq!((r.snapshot(), buf), before);
    }
}
