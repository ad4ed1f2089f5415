# mypy: ignore-errors
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AgentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGENT_STATE_UNSPECIFIED: _ClassVar[AgentState]
    AGENT_STATE_OFFLINE: _ClassVar[AgentState]
    AGENT_STATE_AVAILABLE: _ClassVar[AgentState]
    AGENT_STATE_AWAY: _ClassVar[AgentState]
AGENT_STATE_UNSPECIFIED: AgentState
AGENT_STATE_OFFLINE: AgentState
AGENT_STATE_AVAILABLE: AgentState
AGENT_STATE_AWAY: AgentState

class Channel(_message.Message):
    __slots__ = ("name", "cost", "max_per_agent", "wrap_up")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    MAX_PER_AGENT_FIELD_NUMBER: _ClassVar[int]
    WRAP_UP_FIELD_NUMBER: _ClassVar[int]
    name: str
    cost: int
    max_per_agent: int
    wrap_up: float
    def __init__(self, name: _Optional[str] = ..., cost: _Optional[int] = ..., max_per_agent: _Optional[int] = ..., wrap_up: _Optional[float] = ...) -> None: ...

class Queue(_message.Message):
    __slots__ = ("name", "sl_target", "sl_threshold", "aging_rate", "max_waiting", "overflow_to", "overflow_after")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SL_TARGET_FIELD_NUMBER: _ClassVar[int]
    SL_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    AGING_RATE_FIELD_NUMBER: _ClassVar[int]
    MAX_WAITING_FIELD_NUMBER: _ClassVar[int]
    OVERFLOW_TO_FIELD_NUMBER: _ClassVar[int]
    OVERFLOW_AFTER_FIELD_NUMBER: _ClassVar[int]
    name: str
    sl_target: float
    sl_threshold: float
    aging_rate: float
    max_waiting: int
    overflow_to: str
    overflow_after: float
    def __init__(self, name: _Optional[str] = ..., sl_target: _Optional[float] = ..., sl_threshold: _Optional[float] = ..., aging_rate: _Optional[float] = ..., max_waiting: _Optional[int] = ..., overflow_to: _Optional[str] = ..., overflow_after: _Optional[float] = ...) -> None: ...

class AttributeValue(_message.Message):
    __slots__ = ("bool_value", "int_value", "double_value", "string_value")
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    bool_value: bool
    int_value: int
    double_value: float
    string_value: str
    def __init__(self, bool_value: _Optional[bool] = ..., int_value: _Optional[int] = ..., double_value: _Optional[float] = ..., string_value: _Optional[str] = ...) -> None: ...

class Agent(_message.Message):
    __slots__ = ("id", "skills", "capacity", "channels", "state", "attributes")
    class SkillsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class ChannelsEntry(_message.Message):
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
        value: AttributeValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[AttributeValue, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    id: str
    skills: _containers.ScalarMap[str, int]
    capacity: int
    channels: _containers.ScalarMap[str, int]
    state: AgentState
    attributes: _containers.MessageMap[str, AttributeValue]
    def __init__(self, id: _Optional[str] = ..., skills: _Optional[_Mapping[str, int]] = ..., capacity: _Optional[int] = ..., channels: _Optional[_Mapping[str, int]] = ..., state: _Optional[_Union[AgentState, str]] = ..., attributes: _Optional[_Mapping[str, AttributeValue]] = ...) -> None: ...

class Step(_message.Message):
    __slots__ = ("after", "requires")
    class RequiresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    AFTER_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_FIELD_NUMBER: _ClassVar[int]
    after: float
    requires: _containers.ScalarMap[str, int]
    def __init__(self, after: _Optional[float] = ..., requires: _Optional[_Mapping[str, int]] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("id", "channel", "queue", "priority", "requires", "prefers", "customer", "preferred_agent", "preferred_wait", "steps", "attributes")
    class RequiresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class PrefersEntry(_message.Message):
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
        value: AttributeValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[AttributeValue, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_FIELD_NUMBER: _ClassVar[int]
    PREFERS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_AGENT_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_WAIT_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    id: str
    channel: str
    queue: str
    priority: int
    requires: _containers.ScalarMap[str, int]
    prefers: _containers.ScalarMap[str, int]
    customer: str
    preferred_agent: str
    preferred_wait: float
    steps: _containers.RepeatedCompositeFieldContainer[Step]
    attributes: _containers.MessageMap[str, AttributeValue]
    def __init__(self, id: _Optional[str] = ..., channel: _Optional[str] = ..., queue: _Optional[str] = ..., priority: _Optional[int] = ..., requires: _Optional[_Mapping[str, int]] = ..., prefers: _Optional[_Mapping[str, int]] = ..., customer: _Optional[str] = ..., preferred_agent: _Optional[str] = ..., preferred_wait: _Optional[float] = ..., steps: _Optional[_Iterable[_Union[Step, _Mapping]]] = ..., attributes: _Optional[_Mapping[str, AttributeValue]] = ...) -> None: ...

class RouterConfig(_message.Message):
    __slots__ = ("channels", "queues", "policy", "offer_timeout", "seed", "affinity", "affinity_wait", "retain_finished", "missed_offer_state", "exclusion_expires_after", "exclusions_never_expire")
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    QUEUES_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    OFFER_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    AFFINITY_FIELD_NUMBER: _ClassVar[int]
    AFFINITY_WAIT_FIELD_NUMBER: _ClassVar[int]
    RETAIN_FINISHED_FIELD_NUMBER: _ClassVar[int]
    MISSED_OFFER_STATE_FIELD_NUMBER: _ClassVar[int]
    EXCLUSION_EXPIRES_AFTER_FIELD_NUMBER: _ClassVar[int]
    EXCLUSIONS_NEVER_EXPIRE_FIELD_NUMBER: _ClassVar[int]
    channels: _containers.RepeatedCompositeFieldContainer[Channel]
    queues: _containers.RepeatedCompositeFieldContainer[Queue]
    policy: str
    offer_timeout: float
    seed: int
    affinity: bool
    affinity_wait: float
    retain_finished: int
    missed_offer_state: str
    exclusion_expires_after: float
    exclusions_never_expire: bool
    def __init__(self, channels: _Optional[_Iterable[_Union[Channel, _Mapping]]] = ..., queues: _Optional[_Iterable[_Union[Queue, _Mapping]]] = ..., policy: _Optional[str] = ..., offer_timeout: _Optional[float] = ..., seed: _Optional[int] = ..., affinity: _Optional[bool] = ..., affinity_wait: _Optional[float] = ..., retain_finished: _Optional[int] = ..., missed_offer_state: _Optional[str] = ..., exclusion_expires_after: _Optional[float] = ..., exclusions_never_expire: _Optional[bool] = ...) -> None: ...
