//! [`ContactSlots`]: the contact records, by slot.
//!
//! A contact's slot is its index everywhere in the router (wait keys,
//! agents' lists, timers). An ended contact's slot is marked free and its
//! record is left in place, to be overwritten field by field by the next
//! contact that takes the slot: a contact record is a few hundred bytes,
//! and building one elsewhere and moving it in (or moving it out to drop
//! it) costs more than the rest of a submit. What a free slot still holds
//! is never read: every look-up checks that the slot is live.

use super::Contact;

/// Contact records by slot, live or free.
#[derive(Debug, Default)]
pub(super) struct ContactSlots {
    /// The records; `None` only for a slot free since a restore.
    items: Vec<Option<Contact>>,
    /// Whether each slot holds a live contact.
    live: Vec<bool>,
}

impl ContactSlots {
    /// The live contact in slot `i`, if any.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&Contact> {
        if *self.live.get(i)? {
            self.items[i].as_ref()
        } else {
            None
        }
    }

    /// The live contact in slot `i`, if any, to change.
    #[inline]
    pub fn get_mut(&mut self, i: usize) -> Option<&mut Contact> {
        if *self.live.get(i)? {
            self.items[i].as_mut()
        } else {
            None
        }
    }

    /// Number of slots, live or free.
    #[inline]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The live contacts, by slot.
    pub fn iter(&self) -> impl Iterator<Item = &Contact> {
        self.enumerate().map(|(_, c)| c)
    }

    /// The live contacts with their slots, by slot.
    pub fn enumerate(&self) -> impl Iterator<Item = (usize, &Contact)> {
        self.items.iter().zip(&self.live).enumerate().filter_map(|(i, (c, &l))| {
            if l {
                c.as_ref().map(|c| (i, c))
            } else {
                None
            }
        })
    }

    /// Makes slot `i` (free, or the next new one when `i == len()`) live
    /// and returns its record to overwrite: every field must be set (see
    /// `Contact::refill`).
    #[inline]
    pub fn take_slot(&mut self, i: usize) -> &mut Contact {
        if i == self.items.len() {
            self.items.push(None);
            self.live.push(false);
        }
        debug_assert!(!self.live[i], "slot {i} is live");
        self.live[i] = true;
        self.items[i].get_or_insert_with(Contact::blank)
    }

    /// Frees slot `i`; its record stays until the slot is taken again.
    #[inline]
    pub fn free(&mut self, i: usize) {
        self.live[i] = false;
    }

    /// The slots as the snapshot stores them (`None` for a free slot).
    pub fn to_options(&self) -> Vec<Option<Contact>> {
        self.items.iter().zip(&self.live).map(|(c, &l)| if l { c.clone() } else { None }).collect()
    }

    /// Slots from a snapshot.
    pub fn from_options(items: Vec<Option<Contact>>) -> Self {
        let live = items.iter().map(Option::is_some).collect();
        ContactSlots { items, live }
    }
}
