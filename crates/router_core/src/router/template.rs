//! Contact templates and contact keys: the calls of a caller that submits
//! many similar contacts and keeps a handle on each (a simulator, a
//! platform's contact types).
//!
//! A [`ContactTemplate`] is validated and compiled once; submitting it
//! skips validation and interning. A submit returns the contact's
//! [`ContactKey`], with which [`Router::complete_key_into`] and
//! [`Router::cancel_key_into`] reach the contact without hashing its id.
//! [`Router::submit_keyed_into`] goes further for a caller that only ever
//! uses keys: the id is not indexed at all. Routing, events and policies
//! see these contacts as any other.

use super::contacts::Compiled;
use super::Router;
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::model::ContactSpec;
use crate::types::{Id, Time};

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
    /// The contact's slot in the router.
    pub(crate) fn slot(self) -> u32 {
        self.slot
    }
}

impl Router {
    /// Compiles a contact as a template (its id is ignored). Errors: as
    /// [`Router::submit`] for everything but the id.
    pub fn compile_template(&mut self, spec: &ContactSpec) -> Result<ContactTemplate> {
        let mark = self.index.mark();
        match self.compile_body(spec) {
            Ok(c) => Ok(ContactTemplate(c)),
            Err(e) => self.refused(mark, e),
        }
    }

    /// Submits a contact made from a template with its own id, priority and
    /// customer, appending the events to `ev`; on error `ev` is as it was.
    /// Returns the contact's key.
    ///
    /// Errors: `InvalidInput` for an empty id or a bad time; `DuplicateId`;
    /// `QueueFull`.
    pub fn submit_template_into(
        &mut self,
        template: &ContactTemplate,
        id: &str,
        priority: i64,
        customer: Option<&str>,
        now: Time,
        ev: &mut Vec<Event>,
    ) -> Result<ContactKey> {
        self.check_now(now)?;
        self.check_new_contact_id(id)?;
        self.submit_compiled(&template.0, id.into(), true, priority, customer, now, ev)
    }

    /// [`Router::submit_template_into`] for a caller that reaches its
    /// contacts by key only (the simulator): the id is carried on events and
    /// shown to policies, but not entered in the id index, which saves the
    /// duplicate check and the index upkeep. Look-ups by id (`contact`,
    /// `complete`, `cancel`, ...) do not find such a contact, nothing is
    /// remembered of it once it ends, and keeping such ids distinct is the
    /// caller's business. Routing is the same.
    ///
    /// The id comes as an [`Id`], so that a caller reusing its ids hands
    /// over a copy instead of having one built from text per contact.
    ///
    /// Errors: `InvalidInput` for an empty id or a bad time; `QueueFull`.
    pub fn submit_keyed_into(
        &mut self,
        template: &ContactTemplate,
        id: &Id,
        priority: i64,
        customer: Option<&str>,
        now: Time,
        ev: &mut Vec<Event>,
    ) -> Result<ContactKey> {
        self.check_now(now)?;
        if id.is_empty() {
            return Err(Error::invalid("contact id must not be empty"));
        }
        self.submit_compiled(&template.0, id.clone(), false, priority, customer, now, ev)
    }

    /// Submits a checked contact: fires the timers due, refuses it when its
    /// queue is full, else puts it in and routes it.
    #[allow(clippy::too_many_arguments)]
    fn submit_compiled(
        &mut self,
        t: &Compiled,
        id: Id,
        indexed: bool,
        priority: i64,
        customer: Option<&str>,
        now: Time,
        ev: &mut Vec<Event>,
    ) -> Result<ContactKey> {
        let start = self.begin_in(now, ev);
        if self.refuses(t, customer) {
            let q = &self.queues[t.queue as usize];
            let err = Error::new(
                ErrorKind::QueueFull,
                format!(
                    "queue {:?} is full ({} waiting, max_waiting {}); contact {:?} refused",
                    q.name,
                    q.live.len(),
                    q.max_waiting.unwrap_or(0),
                    &*id
                ),
            );
            return self.fail_in(ev, start, err);
        }
        let seq = self.next_seq;
        let slot = self.insert_contact(t, id, indexed, priority, customer.map(Into::into), ev);
        self.advance_to(now, ev); // timers it set for `now` (overflow after 0), as `submit` does
        Ok(ContactKey { slot, seq })
    }

    /// [`Router::complete_into`] of the contact with key `key`.
    ///
    /// Errors: `UnknownId` when the contact has ended; otherwise as
    /// [`Router::complete_into`].
    pub fn complete_key_into(
        &mut self,
        key: ContactKey,
        now: Time,
        ev: &mut Vec<Event>,
    ) -> Result<()> {
        self.check_now(now)?;
        let ci = self.key_ix(key)?;
        self.complete_ix(ci, now, ev)
    }

    /// [`Router::cancel_into`] of the contact with key `key`.
    ///
    /// Errors: `UnknownId` when the contact has ended; otherwise as
    /// [`Router::cancel_into`].
    pub fn cancel_key_into(
        &mut self,
        key: ContactKey,
        now: Time,
        ev: &mut Vec<Event>,
    ) -> Result<()> {
        self.check_now(now)?;
        let ci = self.key_ix(key)?;
        self.cancel_ix(ci, now, ev)
    }

    /// The slot of the live contact with key `key`.
    fn key_ix(&self, key: ContactKey) -> Result<u32> {
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
    use crate::model::{AgentSpec, ChannelConfig, QueueConfig, RouterConfig};

    fn router() -> Router {
        let mut q = QueueConfig::new("q");
        q.max_waiting = Some(1);
        let mut r =
            Router::new(RouterConfig::new(vec![ChannelConfig::new("voice", 100, 1)], vec![q]))
                .unwrap();
        r.add_agent(&AgentSpec::new("a", &[("x", 5)]), 0.0).unwrap();
        r
    }

    #[test]
    fn a_template_submits_like_the_spec_it_came_from() {
        let spec = ContactSpec::new("", "voice", "q").requiring(&[("x", 3)]);
        let (mut a, mut b) = (router(), router());
        let t = a.compile_template(&spec).unwrap();
        let mut ev = Vec::new();
        a.submit_template_into(&t, "c1", 0, None, 1.0, &mut ev).unwrap();
        let mut named = spec.clone();
        named.id = "c1".into();
        assert_eq!(ev, b.submit(&named, 1.0).unwrap());
        assert_eq!(a.snapshot(), b.snapshot());
    }

    #[test]
    fn bad_template_submits_change_nothing() {
        let mut r = router();
        let t = r.compile_template(&ContactSpec::new("", "voice", "q")).unwrap();
        let mut ev = Vec::new();
        r.submit_template_into(&t, "c1", 0, None, 1.0, &mut ev).unwrap(); // takes the agent
        r.submit_template_into(&t, "c2", 0, None, 1.0, &mut ev).unwrap(); // waits: queue now full
        let before = (r.snapshot(), ev.clone());
        for (id, kind) in [
            ("", ErrorKind::InvalidInput),
            ("c1", ErrorKind::DuplicateId),
            ("c3", ErrorKind::QueueFull),
        ] {
            let err = r.submit_template_into(&t, id, 0, None, 1.0, &mut ev).unwrap_err();
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
        let k1 = a.submit_template_into(&t, "c1", 0, None, 1.0, &mut ea).unwrap();
        let k2 = a.submit_template_into(&t, "c2", 0, None, 1.0, &mut ea).unwrap();
        b.submit_template_into(&tb, "c1", 0, None, 1.0, &mut eb).unwrap();
        b.submit_template_into(&tb, "c2", 0, None, 1.0, &mut eb).unwrap();
        // Errors name the contact by id, as the id calls do.
        let ka = a.cancel_key_into(k1, 2.0, &mut ea).unwrap_err();
        let kb = b.cancel_into("c1", 2.0, &mut eb).unwrap_err();
        assert_eq!((ka.kind(), ka.message()), (kb.kind(), kb.message()));
        a.complete_key_into(k1, 3.0, &mut ea).unwrap(); // c2 takes the agent
        b.complete_into("c1", 3.0, &mut eb).unwrap();
        a.complete_key_into(k2, 4.0, &mut ea).unwrap();
        b.complete_into("c2", 4.0, &mut eb).unwrap();
        assert_eq!(ea, eb);
        assert_eq!(a.snapshot(), b.snapshot());
        // An ended contact's key names nothing, even once its slot is reused.
        let k3 = a.submit_template_into(&t, "c3", 0, None, 5.0, &mut ea).unwrap();
        for k in [k1, k2] {
            let err = a.complete_key_into(k, 5.0, &mut ea).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnknownId, "{err}");
        }
        a.complete_key_into(k3, 6.0, &mut ea).unwrap();
    }

    #[test]
    fn keyed_submits_route_as_indexed_ones_and_stay_out_of_the_id_index() {
        let (mut a, mut b) = (router(), router());
        let t = a.compile_template(&ContactSpec::new("", "voice", "q")).unwrap();
        let tb = b.compile_template(&ContactSpec::new("", "voice", "q")).unwrap();
        let (mut ea, mut eb) = (Vec::new(), Vec::new());
        let k1 = a.submit_keyed_into(&t, &"c1".into(), 0, None, 1.0, &mut ea).unwrap();
        let k2 = a.submit_keyed_into(&t, &"c2".into(), 0, None, 1.0, &mut ea).unwrap();
        b.submit_template_into(&tb, "c1", 0, None, 1.0, &mut eb).unwrap();
        b.submit_template_into(&tb, "c2", 0, None, 1.0, &mut eb).unwrap();
        assert_eq!(ea, eb);
        assert_eq!(a.live_contacts(), 2);
        assert_eq!(a.contact_view("c1").unwrap_err().kind(), ErrorKind::UnknownId);
        // An indexed contact may reuse a keyed contact's id; each keeps its own.
        a.complete_key_into(k1, 1.5, &mut ea).unwrap(); // c2 takes the agent
        a.submit_template_into(&t, "c1", 0, None, 2.0, &mut ea).unwrap();
        assert_eq!(a.contact_view("c1").unwrap().status, crate::types::ContactStatus::Waiting);
        a.check_invariants().unwrap();
        let restored = Router::restore(&a.snapshot()).unwrap();
        assert_eq!(restored.snapshot(), a.snapshot());
        assert_eq!(restored.live_contacts(), 2);
        let (before, n_ev) = (a.snapshot(), ea.len());
        let err = a.submit_keyed_into(&t, &"".into(), 0, None, 3.0, &mut ea).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.message(), "contact id must not be empty");
        assert_eq!((a.snapshot(), ea.len()), (before, n_ev), "a refused submit changes nothing");
        a.cancel_key_into(k2, 3.0, &mut ea).unwrap_err(); // c2 is assigned by now
        a.check_invariants().unwrap();
    }
}
