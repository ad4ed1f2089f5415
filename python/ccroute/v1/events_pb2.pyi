# mypy: ignore-errors
from ccroute.v1 import model_pb2 as _model_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Event(_message.Message):
    __slots__ = ("sequence", "wall_time", "assigned", "offered", "offer_expired", "offer_rejected", "requeued", "abandoned", "completed", "wrap_up_ended", "overflowed", "step_advanced", "refused", "queued", "agent_state_changed", "agent_added", "agent_updated", "agent_removed", "config_changed", "not_responding", "transferred", "transfer_failed", "callback_offered", "callback_failed", "callback_scheduled", "exception", "paused", "resumed")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    WALL_TIME_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_FIELD_NUMBER: _ClassVar[int]
    OFFERED_FIELD_NUMBER: _ClassVar[int]
    OFFER_EXPIRED_FIELD_NUMBER: _ClassVar[int]
    OFFER_REJECTED_FIELD_NUMBER: _ClassVar[int]
    REQUEUED_FIELD_NUMBER: _ClassVar[int]
    ABANDONED_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    WRAP_UP_ENDED_FIELD_NUMBER: _ClassVar[int]
    OVERFLOWED_FIELD_NUMBER: _ClassVar[int]
    STEP_ADVANCED_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    AGENT_STATE_CHANGED_FIELD_NUMBER: _ClassVar[int]
    AGENT_ADDED_FIELD_NUMBER: _ClassVar[int]
    AGENT_UPDATED_FIELD_NUMBER: _ClassVar[int]
    AGENT_REMOVED_FIELD_NUMBER: _ClassVar[int]
    CONFIG_CHANGED_FIELD_NUMBER: _ClassVar[int]
    NOT_RESPONDING_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FAILED_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_OFFERED_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_FAILED_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_SCHEDULED_FIELD_NUMBER: _ClassVar[int]
    EXCEPTION_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    RESUMED_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    wall_time: float
    assigned: Assigned
    offered: Offered
    offer_expired: OfferExpired
    offer_rejected: OfferRejected
    requeued: Requeued
    abandoned: Abandoned
    completed: Completed
    wrap_up_ended: WrapUpEnded
    overflowed: Overflowed
    step_advanced: StepAdvanced
    refused: Refused
    queued: Queued
    agent_state_changed: AgentStateChanged
    agent_added: AgentAdded
    agent_updated: AgentUpdated
    agent_removed: AgentRemoved
    config_changed: ConfigChanged
    not_responding: NotResponding
    transferred: Transferred
    transfer_failed: TransferFailed
    callback_offered: CallbackOffered
    callback_failed: CallbackFailed
    callback_scheduled: CallbackScheduled
    exception: Exception
    paused: Paused
    resumed: Resumed
    def __init__(self, sequence: _Optional[int] = ..., wall_time: _Optional[float] = ..., assigned: _Optional[_Union[Assigned, _Mapping]] = ..., offered: _Optional[_Union[Offered, _Mapping]] = ..., offer_expired: _Optional[_Union[OfferExpired, _Mapping]] = ..., offer_rejected: _Optional[_Union[OfferRejected, _Mapping]] = ..., requeued: _Optional[_Union[Requeued, _Mapping]] = ..., abandoned: _Optional[_Union[Abandoned, _Mapping]] = ..., completed: _Optional[_Union[Completed, _Mapping]] = ..., wrap_up_ended: _Optional[_Union[WrapUpEnded, _Mapping]] = ..., overflowed: _Optional[_Union[Overflowed, _Mapping]] = ..., step_advanced: _Optional[_Union[StepAdvanced, _Mapping]] = ..., refused: _Optional[_Union[Refused, _Mapping]] = ..., queued: _Optional[_Union[Queued, _Mapping]] = ..., agent_state_changed: _Optional[_Union[AgentStateChanged, _Mapping]] = ..., agent_added: _Optional[_Union[AgentAdded, _Mapping]] = ..., agent_updated: _Optional[_Union[AgentUpdated, _Mapping]] = ..., agent_removed: _Optional[_Union[AgentRemoved, _Mapping]] = ..., config_changed: _Optional[_Union[ConfigChanged, _Mapping]] = ..., not_responding: _Optional[_Union[NotResponding, _Mapping]] = ..., transferred: _Optional[_Union[Transferred, _Mapping]] = ..., transfer_failed: _Optional[_Union[TransferFailed, _Mapping]] = ..., callback_offered: _Optional[_Union[CallbackOffered, _Mapping]] = ..., callback_failed: _Optional[_Union[CallbackFailed, _Mapping]] = ..., callback_scheduled: _Optional[_Union[CallbackScheduled, _Mapping]] = ..., exception: _Optional[_Union[Exception, _Mapping]] = ..., paused: _Optional[_Union[Paused, _Mapping]] = ..., resumed: _Optional[_Union[Resumed, _Mapping]] = ...) -> None: ...

class Transferred(_message.Message):
    __slots__ = ("contact", "from_agent", "from_queue", "to_queue", "to_agent", "mode", "at", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    FROM_AGENT_FIELD_NUMBER: _ClassVar[int]
    FROM_QUEUE_FIELD_NUMBER: _ClassVar[int]
    TO_QUEUE_FIELD_NUMBER: _ClassVar[int]
    TO_AGENT_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    from_agent: str
    from_queue: str
    to_queue: str
    to_agent: str
    mode: str
    at: float
    channel: str
    def __init__(self, contact: _Optional[str] = ..., from_agent: _Optional[str] = ..., from_queue: _Optional[str] = ..., to_queue: _Optional[str] = ..., to_agent: _Optional[str] = ..., mode: _Optional[str] = ..., at: _Optional[float] = ..., channel: _Optional[str] = ...) -> None: ...

class TransferFailed(_message.Message):
    __slots__ = ("contact", "agent", "reason", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    reason: str
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., reason: _Optional[str] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class CallbackOffered(_message.Message):
    __slots__ = ("contact", "agent", "attempt", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    attempt: int
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., attempt: _Optional[int] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class CallbackFailed(_message.Message):
    __slots__ = ("contact", "attempts", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    attempts: int
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., attempts: _Optional[int] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class Paused(_message.Message):
    __slots__ = ("contact", "agent", "by_hand", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    BY_HAND_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    by_hand: bool
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., by_hand: _Optional[bool] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class Resumed(_message.Message):
    __slots__ = ("contact", "agent", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class Exception(_message.Message):
    __slots__ = ("contact", "rule", "trigger", "action", "reason", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    rule: str
    trigger: str
    action: str
    reason: str
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., rule: _Optional[str] = ..., trigger: _Optional[str] = ..., action: _Optional[str] = ..., reason: _Optional[str] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class CallbackScheduled(_message.Message):
    __slots__ = ("contact", "not_before", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    NOT_BEFORE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    not_before: float
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., not_before: _Optional[float] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class Queued(_message.Message):
    __slots__ = ("contact", "queue", "channel", "priority", "at")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    contact: str
    queue: str
    channel: str
    priority: int
    at: float
    def __init__(self, contact: _Optional[str] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ..., priority: _Optional[int] = ..., at: _Optional[float] = ...) -> None: ...

class AgentStateChanged(_message.Message):
    __slots__ = ("agent", "state", "previous", "reason", "at")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    agent: str
    state: _model_pb2.AgentState
    previous: _model_pb2.AgentState
    reason: str
    at: float
    def __init__(self, agent: _Optional[str] = ..., state: _Optional[_Union[_model_pb2.AgentState, str]] = ..., previous: _Optional[_Union[_model_pb2.AgentState, str]] = ..., reason: _Optional[str] = ..., at: _Optional[float] = ...) -> None: ...

class AgentAdded(_message.Message):
    __slots__ = ("agent", "state", "at")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    agent: str
    state: _model_pb2.AgentState
    at: float
    def __init__(self, agent: _Optional[str] = ..., state: _Optional[_Union[_model_pb2.AgentState, str]] = ..., at: _Optional[float] = ...) -> None: ...

class AgentUpdated(_message.Message):
    __slots__ = ("agent", "at")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    agent: str
    at: float
    def __init__(self, agent: _Optional[str] = ..., at: _Optional[float] = ...) -> None: ...

class AgentRemoved(_message.Message):
    __slots__ = ("agent", "at")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    agent: str
    at: float
    def __init__(self, agent: _Optional[str] = ..., at: _Optional[float] = ...) -> None: ...

class ConfigChanged(_message.Message):
    __slots__ = ("config", "at")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    config: _model_pb2.RouterConfig
    at: float
    def __init__(self, config: _Optional[_Union[_model_pb2.RouterConfig, _Mapping]] = ..., at: _Optional[float] = ...) -> None: ...

class Assigned(_message.Message):
    __slots__ = ("contact", "agent", "at", "wait", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    at: float
    wait: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., at: _Optional[float] = ..., wait: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class Offered(_message.Message):
    __slots__ = ("contact", "agent", "at", "expires", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    at: float
    expires: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., at: _Optional[float] = ..., expires: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class OfferExpired(_message.Message):
    __slots__ = ("contact", "agent", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class OfferRejected(_message.Message):
    __slots__ = ("contact", "agent", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class Requeued(_message.Message):
    __slots__ = ("contact", "agent", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class Abandoned(_message.Message):
    __slots__ = ("contact", "at", "wait", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    at: float
    wait: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., at: _Optional[float] = ..., wait: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class Completed(_message.Message):
    __slots__ = ("contact", "agent", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class WrapUpEnded(_message.Message):
    __slots__ = ("contact", "agent", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class Overflowed(_message.Message):
    __slots__ = ("contact", "from_queue", "to_queue", "at", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    FROM_QUEUE_FIELD_NUMBER: _ClassVar[int]
    TO_QUEUE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    from_queue: str
    to_queue: str
    at: float
    channel: str
    def __init__(self, contact: _Optional[str] = ..., from_queue: _Optional[str] = ..., to_queue: _Optional[str] = ..., at: _Optional[float] = ..., channel: _Optional[str] = ...) -> None: ...

class StepAdvanced(_message.Message):
    __slots__ = ("contact", "step", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    step: int
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., step: _Optional[int] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class Refused(_message.Message):
    __slots__ = ("contact", "queue", "at", "channel", "reason")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    contact: str
    queue: str
    at: float
    channel: str
    reason: str
    def __init__(self, contact: _Optional[str] = ..., queue: _Optional[str] = ..., at: _Optional[float] = ..., channel: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class NotResponding(_message.Message):
    __slots__ = ("contact", "agent", "state", "at", "queue", "channel")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    contact: str
    agent: str
    state: str
    at: float
    queue: str
    channel: str
    def __init__(self, contact: _Optional[str] = ..., agent: _Optional[str] = ..., state: _Optional[str] = ..., at: _Optional[float] = ..., queue: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...
