# mypy: ignore-errors
from ccroute.v1 import model_pb2 as _model_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ContactStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTACT_STATUS_UNSPECIFIED: _ClassVar[ContactStatus]
    CONTACT_STATUS_WAITING: _ClassVar[ContactStatus]
    CONTACT_STATUS_OFFERED: _ClassVar[ContactStatus]
    CONTACT_STATUS_ASSIGNED: _ClassVar[ContactStatus]
    CONTACT_STATUS_COMPLETED: _ClassVar[ContactStatus]
    CONTACT_STATUS_ABANDONED: _ClassVar[ContactStatus]
    CONTACT_STATUS_REFUSED: _ClassVar[ContactStatus]
    CONTACT_STATUS_SCHEDULED: _ClassVar[ContactStatus]
    CONTACT_STATUS_CANCELLED: _ClassVar[ContactStatus]
    CONTACT_STATUS_CALLING: _ClassVar[ContactStatus]
CONTACT_STATUS_UNSPECIFIED: ContactStatus
CONTACT_STATUS_WAITING: ContactStatus
CONTACT_STATUS_OFFERED: ContactStatus
CONTACT_STATUS_ASSIGNED: ContactStatus
CONTACT_STATUS_COMPLETED: ContactStatus
CONTACT_STATUS_ABANDONED: ContactStatus
CONTACT_STATUS_REFUSED: ContactStatus
CONTACT_STATUS_SCHEDULED: ContactStatus
CONTACT_STATUS_CANCELLED: ContactStatus
CONTACT_STATUS_CALLING: ContactStatus

class QueueStats(_message.Message):
    __slots__ = ("name", "waiting", "offering", "longest_wait", "entered", "answered", "answered_in_sl", "abandoned", "abandoned_in_sl", "completed", "overflowed_in", "overflowed_out", "refused", "service_level", "asa", "abandon_rate", "sl_target", "sl_threshold", "missed_offers", "transferred_in", "transferred_out", "transfers_failed", "callback_calls", "callbacks_failed", "callbacks_waiting", "callbacks_calling", "scheduled", "refused_closed", "held", "exceptions", "cancelled", "open", "paused")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    OFFERING_FIELD_NUMBER: _ClassVar[int]
    LONGEST_WAIT_FIELD_NUMBER: _ClassVar[int]
    ENTERED_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_IN_SL_FIELD_NUMBER: _ClassVar[int]
    ABANDONED_FIELD_NUMBER: _ClassVar[int]
    ABANDONED_IN_SL_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    OVERFLOWED_IN_FIELD_NUMBER: _ClassVar[int]
    OVERFLOWED_OUT_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    ASA_FIELD_NUMBER: _ClassVar[int]
    ABANDON_RATE_FIELD_NUMBER: _ClassVar[int]
    SL_TARGET_FIELD_NUMBER: _ClassVar[int]
    SL_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    MISSED_OFFERS_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_IN_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_OUT_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FAILED_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_CALLS_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_FAILED_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_WAITING_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_CALLING_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FIELD_NUMBER: _ClassVar[int]
    REFUSED_CLOSED_FIELD_NUMBER: _ClassVar[int]
    HELD_FIELD_NUMBER: _ClassVar[int]
    EXCEPTIONS_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    name: str
    waiting: int
    offering: int
    longest_wait: float
    entered: int
    answered: int
    answered_in_sl: int
    abandoned: int
    abandoned_in_sl: int
    completed: int
    overflowed_in: int
    overflowed_out: int
    refused: int
    service_level: float
    asa: float
    abandon_rate: float
    sl_target: float
    sl_threshold: float
    missed_offers: int
    transferred_in: int
    transferred_out: int
    transfers_failed: int
    callback_calls: int
    callbacks_failed: int
    callbacks_waiting: int
    callbacks_calling: int
    scheduled: int
    refused_closed: int
    held: int
    exceptions: int
    cancelled: int
    open: bool
    paused: int
    def __init__(self, name: _Optional[str] = ..., waiting: _Optional[int] = ..., offering: _Optional[int] = ..., longest_wait: _Optional[float] = ..., entered: _Optional[int] = ..., answered: _Optional[int] = ..., answered_in_sl: _Optional[int] = ..., abandoned: _Optional[int] = ..., abandoned_in_sl: _Optional[int] = ..., completed: _Optional[int] = ..., overflowed_in: _Optional[int] = ..., overflowed_out: _Optional[int] = ..., refused: _Optional[int] = ..., service_level: _Optional[float] = ..., asa: _Optional[float] = ..., abandon_rate: _Optional[float] = ..., sl_target: _Optional[float] = ..., sl_threshold: _Optional[float] = ..., missed_offers: _Optional[int] = ..., transferred_in: _Optional[int] = ..., transferred_out: _Optional[int] = ..., transfers_failed: _Optional[int] = ..., callback_calls: _Optional[int] = ..., callbacks_failed: _Optional[int] = ..., callbacks_waiting: _Optional[int] = ..., callbacks_calling: _Optional[int] = ..., scheduled: _Optional[int] = ..., refused_closed: _Optional[int] = ..., held: _Optional[int] = ..., exceptions: _Optional[int] = ..., cancelled: _Optional[int] = ..., open: _Optional[bool] = ..., paused: _Optional[int] = ...) -> None: ...

class AgentView(_message.Message):
    __slots__ = ("id", "state", "skills", "capacity", "used", "load", "contacts", "held", "max", "wrap_ups", "handled", "idle_since", "busy", "attributes", "routing_profile", "reason", "state_since", "paused")
    class SkillsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class HeldEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class MaxEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _model_pb2.AttributeValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_model_pb2.AttributeValue, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    USED_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    HELD_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    WRAP_UPS_FIELD_NUMBER: _ClassVar[int]
    HANDLED_FIELD_NUMBER: _ClassVar[int]
    IDLE_SINCE_FIELD_NUMBER: _ClassVar[int]
    BUSY_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    ROUTING_PROFILE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATE_SINCE_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    id: str
    state: _model_pb2.AgentState
    skills: _containers.ScalarMap[str, int]
    capacity: int
    used: int
    load: float
    contacts: _containers.RepeatedScalarFieldContainer[str]
    held: _containers.ScalarMap[str, int]
    max: _containers.ScalarMap[str, int]
    wrap_ups: int
    handled: int
    idle_since: float
    busy: bool
    attributes: _containers.MessageMap[str, _model_pb2.AttributeValue]
    routing_profile: str
    reason: str
    state_since: float
    paused: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., state: _Optional[_Union[_model_pb2.AgentState, str]] = ..., skills: _Optional[_Mapping[str, int]] = ..., capacity: _Optional[int] = ..., used: _Optional[int] = ..., load: _Optional[float] = ..., contacts: _Optional[_Iterable[str]] = ..., held: _Optional[_Mapping[str, int]] = ..., max: _Optional[_Mapping[str, int]] = ..., wrap_ups: _Optional[int] = ..., handled: _Optional[int] = ..., idle_since: _Optional[float] = ..., busy: _Optional[bool] = ..., attributes: _Optional[_Mapping[str, _model_pb2.AttributeValue]] = ..., routing_profile: _Optional[str] = ..., reason: _Optional[str] = ..., state_since: _Optional[float] = ..., paused: _Optional[_Iterable[str]] = ...) -> None: ...

class ContactView(_message.Message):
    __slots__ = ("id", "status", "channel", "queue", "priority", "arrival", "wait", "agent", "requires", "step", "attributes", "version")
    class RequiresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _model_pb2.AttributeValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_model_pb2.AttributeValue, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: ContactStatus
    channel: str
    queue: str
    priority: int
    arrival: float
    wait: float
    agent: str
    requires: _containers.ScalarMap[str, int]
    step: int
    attributes: _containers.MessageMap[str, _model_pb2.AttributeValue]
    version: int
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[ContactStatus, str]] = ..., channel: _Optional[str] = ..., queue: _Optional[str] = ..., priority: _Optional[int] = ..., arrival: _Optional[float] = ..., wait: _Optional[float] = ..., agent: _Optional[str] = ..., requires: _Optional[_Mapping[str, int]] = ..., step: _Optional[int] = ..., attributes: _Optional[_Mapping[str, _model_pb2.AttributeValue]] = ..., version: _Optional[int] = ...) -> None: ...

class NextTimer(_message.Message):
    __slots__ = ("at", "what")
    AT_FIELD_NUMBER: _ClassVar[int]
    WHAT_FIELD_NUMBER: _ClassVar[int]
    at: float
    what: str
    def __init__(self, at: _Optional[float] = ..., what: _Optional[str] = ...) -> None: ...

class Explanation(_message.Message):
    __slots__ = ("contact", "status", "queue", "channel", "position", "queue_waiting", "requires", "step", "waits_for", "agent", "eligible", "ineligible", "next_timer", "selector", "selector_clauses")
    class RequiresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class IneligibleEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    QUEUE_WAITING_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    WAITS_FOR_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    ELIGIBLE_FIELD_NUMBER: _ClassVar[int]
    INELIGIBLE_FIELD_NUMBER: _ClassVar[int]
    NEXT_TIMER_FIELD_NUMBER: _ClassVar[int]
    SELECTOR_FIELD_NUMBER: _ClassVar[int]
    SELECTOR_CLAUSES_FIELD_NUMBER: _ClassVar[int]
    contact: str
    status: ContactStatus
    queue: str
    channel: str
    position: int
    queue_waiting: int
    requires: _containers.ScalarMap[str, int]
    step: int
    waits_for: str
    agent: str
    eligible: int
    ineligible: _containers.ScalarMap[str, int]
    next_timer: NextTimer
    selector: str
    selector_clauses: _containers.RepeatedCompositeFieldContainer[ClauseCount]
    def __init__(self, contact: _Optional[str] = ..., status: _Optional[_Union[ContactStatus, str]] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ..., position: _Optional[int] = ..., queue_waiting: _Optional[int] = ..., requires: _Optional[_Mapping[str, int]] = ..., step: _Optional[int] = ..., waits_for: _Optional[str] = ..., agent: _Optional[str] = ..., eligible: _Optional[int] = ..., ineligible: _Optional[_Mapping[str, int]] = ..., next_timer: _Optional[_Union[NextTimer, _Mapping]] = ..., selector: _Optional[str] = ..., selector_clauses: _Optional[_Iterable[_Union[ClauseCount, _Mapping]]] = ...) -> None: ...

class ClauseCount(_message.Message):
    __slots__ = ("clause", "excluded")
    CLAUSE_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_FIELD_NUMBER: _ClassVar[int]
    clause: str
    excluded: int
    def __init__(self, clause: _Optional[str] = ..., excluded: _Optional[int] = ...) -> None: ...
