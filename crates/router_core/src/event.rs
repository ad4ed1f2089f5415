//! What a call did: every mutating call returns its events, in order.

use crate::model::TransferMode;
use crate::types::{AgentState, Id, Time};
use serde::{Deserialize, Serialize};

/// One thing that happened inside the router.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The contact is connected to the agent; `wait` is its time in queue.
    Assigned {
        /// Contact id.
        contact: Id,
        /// Agent id.
        agent: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
        /// Seconds the contact waited since it arrived.
        wait: Time,
    },
    /// The contact is reserved for the agent until `expires` (offer mode).
    Offered {
        /// Contact id.
        contact: Id,
        /// Agent id.
        agent: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
        /// When the offer times out.
        expires: Time,
    },
    /// The agent did not accept in time; the contact is back in its queue.
    OfferExpired {
        /// Contact id.
        contact: Id,
        /// Agent id.
        agent: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
    },
    /// The agent rejected the offer; the contact is back in its queue.
    OfferRejected {
        /// Contact id.
        contact: Id,
        /// Agent id.
        agent: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
    },
    /// An offer was withdrawn because its agent left (away, offline, removed);
    /// the contact is back in its queue and that agent is not excluded.
    Requeued {
        /// Contact id.
        contact: Id,
        /// Agent id.
        agent: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
    },
    /// The contact left its first agent for another queue or agent: at
    /// the call (cold), or when the target answered (warm).
    Transferred {
        /// Contact id.
        contact: Id,
        /// The agent who had it.
        from_agent: Id,
        /// The queue it was answered from.
        from_queue: Id,
        /// The queue it waits in (or was answered from) now.
        to_queue: Id,
        /// The agent it was sent to, when one was named.
        to_agent: Option<Id>,
        /// Its channel from now on.
        channel: Id,
        /// Cold or warm.
        mode: TransferMode,
        /// When.
        at: Time,
    },
    /// A warm transfer failed: the contact stays with its first agent.
    TransferFailed {
        /// Contact id.
        contact: Id,
        /// The agent who keeps it.
        agent: Id,
        /// The queue the transfer was to.
        queue: Id,
        /// The contact's channel (with its first agent).
        channel: Id,
        /// Why: `agent_unavailable`, `queue_full`, `rejected`, `expired`,
        /// `agent_left` or `completed` (the first agent completed it first).
        reason: String,
        /// When.
        at: Time,
    },
    /// A callback was released to the agent, who places call `attempt`
    /// (from 1) to the customer.
    CallbackOffered {
        /// Contact id.
        contact: Id,
        /// Agent id.
        agent: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// Which call this is (1 for the first).
        attempt: u32,
        /// When.
        at: Time,
    },
    /// A callback's calls all went unanswered: it ends.
    CallbackFailed {
        /// Contact id.
        contact: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// Calls placed.
        attempts: u32,
        /// When.
        at: Time,
    },
    /// The customer left before being answered.
    Abandoned {
        /// Contact id.
        contact: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
        /// Seconds the contact waited.
        wait: Time,
    },
    /// The agent finished the contact (wrap-up may follow).
    Completed {
        /// Contact id.
        contact: Id,
        /// Agent id.
        agent: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
    },
    /// The agent's wrap-up for the contact ended; the slot is free again.
    WrapUpEnded {
        /// Contact id.
        contact: Id,
        /// Agent id.
        agent: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
    },
    /// The contact moved from one queue to another (arrival time kept).
    Overflowed {
        /// Contact id.
        contact: Id,
        /// Queue it left.
        from_queue: Id,
        /// Queue it joined.
        to_queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
    },
    /// The contact's requirements relaxed to step `step` (0-based).
    StepAdvanced {
        /// Contact id.
        contact: Id,
        /// Index of the step now in force.
        step: usize,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
    },
    /// The contact was refused: its queue was full (batch submits,
    /// scheduled contacts) or closed (`ClosedAction::Refuse`).
    Refused {
        /// Contact id.
        contact: Id,
        /// The queue that refused it.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// Why.
        reason: RefusedReason,
        /// When.
        at: Time,
    },
    /// The agent's contact was paused: interrupted by a contact on an
    /// uninterruptible channel (`by_hand` false) or by `pause`. It stays
    /// with the agent but uses no capacity and no slot.
    Paused {
        /// Contact id.
        contact: Id,
        /// Agent id.
        agent: Id,
        /// Paused by a `pause` call (not by an interruption).
        by_hand: bool,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
    },
    /// A paused contact takes its slot and capacity again.
    Resumed {
        /// Contact id.
        contact: Id,
        /// Agent id.
        agent: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
    },
    /// An exception rule of the contact's queue fired for the contact (see
    /// `model::Rule`); `action` says what it did.
    Exception {
        /// Contact id.
        contact: Id,
        /// The queue whose rule fired.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// The rule's name.
        rule: Id,
        /// The trigger: `wait_longer_than`, `waiting_more_than`,
        /// `sl_below` or `no_agent_logged_in`.
        trigger: Id,
        /// `alert`, `overflow`, `update`, `offer_callback` or `cancel`.
        action: Id,
        /// The reason of a `cancel` (empty otherwise).
        reason: Id,
        /// When.
        at: Time,
    },
    /// A waiting caller became a callback when its queue closed
    /// (`OnClose::Callback`): it keeps its place, and its calls start at
    /// `not_before` (the next opening, if there is one).
    CallbackScheduled {
        /// Contact id.
        contact: Id,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// No call before this time.
        not_before: Option<Time>,
        /// When.
        at: Time,
    },
    /// The agent let the offer of the contact expire and was moved to
    /// `state` (`RouterConfig::missed_offer_state`); it follows the
    /// `OfferExpired` event.
    NotResponding {
        /// The contact whose offer expired.
        contact: Id,
        /// Agent id.
        agent: Id,
        /// The agent's state from now on.
        state: AgentState,
        /// The contact's queue.
        queue: Id,
        /// The contact's channel.
        channel: Id,
        /// When.
        at: Time,
    },
}

/// Why a contact was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusedReason {
    /// The queue held its `max_waiting`.
    Full,
    /// The queue was closed (its hours) and refuses arrivals then.
    Closed,
}

impl RefusedReason {
    /// `"full"` or `"closed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusedReason::Full => "full",
            RefusedReason::Closed => "closed",
        }
    }
}

impl Event {
    /// The contact the event is about.
    pub fn contact(&self) -> &Id {
        match self {
            Event::Assigned { contact, .. }
            | Event::Offered { contact, .. }
            | Event::OfferExpired { contact, .. }
            | Event::OfferRejected { contact, .. }
            | Event::Requeued { contact, .. }
            | Event::Abandoned { contact, .. }
            | Event::Completed { contact, .. }
            | Event::WrapUpEnded { contact, .. }
            | Event::Overflowed { contact, .. }
            | Event::StepAdvanced { contact, .. }
            | Event::Refused { contact, .. }
            | Event::NotResponding { contact, .. }
            | Event::Transferred { contact, .. }
            | Event::TransferFailed { contact, .. }
            | Event::CallbackOffered { contact, .. }
            | Event::CallbackFailed { contact, .. }
            | Event::CallbackScheduled { contact, .. }
            | Event::Exception { contact, .. }
            | Event::Paused { contact, .. }
            | Event::Resumed { contact, .. } => contact,
        }
    }

    /// The agent the event is about, where there is one.
    pub fn agent(&self) -> Option<&Id> {
        match self {
            Event::Assigned { agent, .. }
            | Event::Offered { agent, .. }
            | Event::OfferExpired { agent, .. }
            | Event::OfferRejected { agent, .. }
            | Event::Requeued { agent, .. }
            | Event::Completed { agent, .. }
            | Event::WrapUpEnded { agent, .. }
            | Event::NotResponding { agent, .. }
            | Event::TransferFailed { agent, .. }
            | Event::CallbackOffered { agent, .. }
            | Event::Paused { agent, .. }
            | Event::Resumed { agent, .. } => Some(agent),
            Event::Transferred { from_agent, .. } => Some(from_agent),
            _ => None,
        }
    }

    /// The queue of the contact the event is about (for `Overflowed`, the
    /// queue it joined).
    pub fn queue(&self) -> &Id {
        match self {
            Event::Assigned { queue, .. }
            | Event::Offered { queue, .. }
            | Event::OfferExpired { queue, .. }
            | Event::OfferRejected { queue, .. }
            | Event::Requeued { queue, .. }
            | Event::Abandoned { queue, .. }
            | Event::Completed { queue, .. }
            | Event::WrapUpEnded { queue, .. }
            | Event::StepAdvanced { queue, .. }
            | Event::Refused { queue, .. }
            | Event::NotResponding { queue, .. }
            | Event::TransferFailed { queue, .. }
            | Event::CallbackOffered { queue, .. }
            | Event::CallbackFailed { queue, .. }
            | Event::CallbackScheduled { queue, .. }
            | Event::Exception { queue, .. }
            | Event::Paused { queue, .. }
            | Event::Resumed { queue, .. } => queue,
            Event::Overflowed { to_queue, .. } | Event::Transferred { to_queue, .. } => to_queue,
        }
    }

    /// The channel of the contact the event is about.
    pub fn channel(&self) -> &Id {
        match self {
            Event::Assigned { channel, .. }
            | Event::Offered { channel, .. }
            | Event::OfferExpired { channel, .. }
            | Event::OfferRejected { channel, .. }
            | Event::Requeued { channel, .. }
            | Event::Abandoned { channel, .. }
            | Event::Completed { channel, .. }
            | Event::WrapUpEnded { channel, .. }
            | Event::Overflowed { channel, .. }
            | Event::StepAdvanced { channel, .. }
            | Event::Refused { channel, .. }
            | Event::NotResponding { channel, .. }
            | Event::Transferred { channel, .. }
            | Event::TransferFailed { channel, .. }
            | Event::CallbackOffered { channel, .. }
            | Event::CallbackFailed { channel, .. }
            | Event::CallbackScheduled { channel, .. }
            | Event::Exception { channel, .. }
            | Event::Paused { channel, .. }
            | Event::Resumed { channel, .. } => channel,
        }
    }

    /// When the event happened.
    pub fn at(&self) -> Time {
        match self {
            Event::Assigned { at, .. }
            | Event::Offered { at, .. }
            | Event::OfferExpired { at, .. }
            | Event::OfferRejected { at, .. }
            | Event::Requeued { at, .. }
            | Event::Abandoned { at, .. }
            | Event::Completed { at, .. }
            | Event::WrapUpEnded { at, .. }
            | Event::Overflowed { at, .. }
            | Event::StepAdvanced { at, .. }
            | Event::Refused { at, .. }
            | Event::NotResponding { at, .. }
            | Event::Transferred { at, .. }
            | Event::TransferFailed { at, .. }
            | Event::CallbackOffered { at, .. }
            | Event::CallbackFailed { at, .. }
            | Event::CallbackScheduled { at, .. }
            | Event::Exception { at, .. }
            | Event::Paused { at, .. }
            | Event::Resumed { at, .. } => *at,
        }
    }

    /// The event's name (`"Assigned"`, `"Offered"`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Event::Assigned { .. } => "Assigned",
            Event::Offered { .. } => "Offered",
            Event::OfferExpired { .. } => "OfferExpired",
            Event::OfferRejected { .. } => "OfferRejected",
            Event::Requeued { .. } => "Requeued",
            Event::Abandoned { .. } => "Abandoned",
            Event::Completed { .. } => "Completed",
            Event::WrapUpEnded { .. } => "WrapUpEnded",
            Event::Overflowed { .. } => "Overflowed",
            Event::StepAdvanced { .. } => "StepAdvanced",
            Event::Refused { .. } => "Refused",
            Event::NotResponding { .. } => "NotResponding",
            Event::Transferred { .. } => "Transferred",
            Event::TransferFailed { .. } => "TransferFailed",
            Event::CallbackOffered { .. } => "CallbackOffered",
            Event::CallbackFailed { .. } => "CallbackFailed",
            Event::CallbackScheduled { .. } => "CallbackScheduled",
            Event::Exception { .. } => "Exception",
            Event::Paused { .. } => "Paused",
            Event::Resumed { .. } => "Resumed",
        }
    }
}
