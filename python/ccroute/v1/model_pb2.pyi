# mypy: ignore-errors
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ClosedAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLOSED_ACTION_UNSPECIFIED: _ClassVar[ClosedAction]
    CLOSED_ACTION_REFUSE: _ClassVar[ClosedAction]
    CLOSED_ACTION_HOLD: _ClassVar[ClosedAction]
    CLOSED_ACTION_OVERFLOW: _ClassVar[ClosedAction]

class OnClose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ON_CLOSE_UNSPECIFIED: _ClassVar[OnClose]
    ON_CLOSE_KEEP: _ClassVar[OnClose]
    ON_CLOSE_OVERFLOW: _ClassVar[OnClose]
    ON_CLOSE_CALLBACK: _ClassVar[OnClose]

class QueueOrdering(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUEUE_ORDERING_UNSPECIFIED: _ClassVar[QueueOrdering]
    QUEUE_ORDERING_PRIORITY: _ClassVar[QueueOrdering]
    QUEUE_ORDERING_LIFO: _ClassVar[QueueOrdering]
    QUEUE_ORDERING_GREATEST_NEED: _ClassVar[QueueOrdering]

class AgentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGENT_STATE_UNSPECIFIED: _ClassVar[AgentState]
    AGENT_STATE_OFFLINE: _ClassVar[AgentState]
    AGENT_STATE_AVAILABLE: _ClassVar[AgentState]
    AGENT_STATE_AWAY: _ClassVar[AgentState]

class TransferMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSFER_MODE_UNSPECIFIED: _ClassVar[TransferMode]
    TRANSFER_MODE_COLD: _ClassVar[TransferMode]
    TRANSFER_MODE_WARM: _ClassVar[TransferMode]
CLOSED_ACTION_UNSPECIFIED: ClosedAction
CLOSED_ACTION_REFUSE: ClosedAction
CLOSED_ACTION_HOLD: ClosedAction
CLOSED_ACTION_OVERFLOW: ClosedAction
ON_CLOSE_UNSPECIFIED: OnClose
ON_CLOSE_KEEP: OnClose
ON_CLOSE_OVERFLOW: OnClose
ON_CLOSE_CALLBACK: OnClose
QUEUE_ORDERING_UNSPECIFIED: QueueOrdering
QUEUE_ORDERING_PRIORITY: QueueOrdering
QUEUE_ORDERING_LIFO: QueueOrdering
QUEUE_ORDERING_GREATEST_NEED: QueueOrdering
AGENT_STATE_UNSPECIFIED: AgentState
AGENT_STATE_OFFLINE: AgentState
AGENT_STATE_AVAILABLE: AgentState
AGENT_STATE_AWAY: AgentState
TRANSFER_MODE_UNSPECIFIED: TransferMode
TRANSFER_MODE_COLD: TransferMode
TRANSFER_MODE_WARM: TransferMode

class Channel(_message.Message):
    __slots__ = ("name", "cost", "max_per_agent", "wrap_up", "interruptible")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    MAX_PER_AGENT_FIELD_NUMBER: _ClassVar[int]
    WRAP_UP_FIELD_NUMBER: _ClassVar[int]
    INTERRUPTIBLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    cost: int
    max_per_agent: int
    wrap_up: float
    interruptible: bool
    def __init__(self, name: _Optional[str] = ..., cost: _Optional[int] = ..., max_per_agent: _Optional[int] = ..., wrap_up: _Optional[float] = ..., interruptible: _Optional[bool] = ...) -> None: ...

class Queue(_message.Message):
    __slots__ = ("name", "sl_target", "sl_threshold", "aging_rate", "max_waiting", "overflow_to", "overflow_after", "ordering", "aging_max", "callbacks_per_free_agent", "hours", "closed_action", "closed_overflow_to", "on_close", "on_close_overflow_to", "on_close_callback", "rules")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SL_TARGET_FIELD_NUMBER: _ClassVar[int]
    SL_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    AGING_RATE_FIELD_NUMBER: _ClassVar[int]
    MAX_WAITING_FIELD_NUMBER: _ClassVar[int]
    OVERFLOW_TO_FIELD_NUMBER: _ClassVar[int]
    OVERFLOW_AFTER_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    AGING_MAX_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_PER_FREE_AGENT_FIELD_NUMBER: _ClassVar[int]
    HOURS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_ACTION_FIELD_NUMBER: _ClassVar[int]
    CLOSED_OVERFLOW_TO_FIELD_NUMBER: _ClassVar[int]
    ON_CLOSE_FIELD_NUMBER: _ClassVar[int]
    ON_CLOSE_OVERFLOW_TO_FIELD_NUMBER: _ClassVar[int]
    ON_CLOSE_CALLBACK_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    name: str
    sl_target: float
    sl_threshold: float
    aging_rate: float
    max_waiting: int
    overflow_to: str
    overflow_after: float
    ordering: QueueOrdering
    aging_max: float
    callbacks_per_free_agent: float
    hours: QueueHours
    closed_action: ClosedAction
    closed_overflow_to: str
    on_close: OnClose
    on_close_overflow_to: str
    on_close_callback: Callback
    rules: _containers.RepeatedCompositeFieldContainer[Rule]
    def __init__(self, name: _Optional[str] = ..., sl_target: _Optional[float] = ..., sl_threshold: _Optional[float] = ..., aging_rate: _Optional[float] = ..., max_waiting: _Optional[int] = ..., overflow_to: _Optional[str] = ..., overflow_after: _Optional[float] = ..., ordering: _Optional[_Union[QueueOrdering, str]] = ..., aging_max: _Optional[float] = ..., callbacks_per_free_agent: _Optional[float] = ..., hours: _Optional[_Union[QueueHours, _Mapping]] = ..., closed_action: _Optional[_Union[ClosedAction, str]] = ..., closed_overflow_to: _Optional[str] = ..., on_close: _Optional[_Union[OnClose, str]] = ..., on_close_overflow_to: _Optional[str] = ..., on_close_callback: _Optional[_Union[Callback, _Mapping]] = ..., rules: _Optional[_Iterable[_Union[Rule, _Mapping]]] = ...) -> None: ...

class Rule(_message.Message):
    __slots__ = ("name", "wait_longer_than", "waiting_more_than", "sl_below", "no_agent_logged_in", "alert", "overflow", "update", "offer_callback", "cancel")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WAIT_LONGER_THAN_FIELD_NUMBER: _ClassVar[int]
    WAITING_MORE_THAN_FIELD_NUMBER: _ClassVar[int]
    SL_BELOW_FIELD_NUMBER: _ClassVar[int]
    NO_AGENT_LOGGED_IN_FIELD_NUMBER: _ClassVar[int]
    ALERT_FIELD_NUMBER: _ClassVar[int]
    OVERFLOW_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    OFFER_CALLBACK_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    name: str
    wait_longer_than: float
    waiting_more_than: int
    sl_below: SlBelow
    no_agent_logged_in: bool
    alert: bool
    overflow: str
    update: RuleUpdate
    offer_callback: bool
    cancel: str
    def __init__(self, name: _Optional[str] = ..., wait_longer_than: _Optional[float] = ..., waiting_more_than: _Optional[int] = ..., sl_below: _Optional[_Union[SlBelow, _Mapping]] = ..., no_agent_logged_in: _Optional[bool] = ..., alert: _Optional[bool] = ..., overflow: _Optional[str] = ..., update: _Optional[_Union[RuleUpdate, _Mapping]] = ..., offer_callback: _Optional[bool] = ..., cancel: _Optional[str] = ...) -> None: ...

class SlBelow(_message.Message):
    __slots__ = ("fraction", "window")
    FRACTION_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    fraction: float
    window: float
    def __init__(self, fraction: _Optional[float] = ..., window: _Optional[float] = ...) -> None: ...

class RuleUpdate(_message.Message):
    __slots__ = ("priority", "requires", "has_requires")
    class RequiresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_FIELD_NUMBER: _ClassVar[int]
    HAS_REQUIRES_FIELD_NUMBER: _ClassVar[int]
    priority: int
    requires: _containers.ScalarMap[str, int]
    has_requires: bool
    def __init__(self, priority: _Optional[int] = ..., requires: _Optional[_Mapping[str, int]] = ..., has_requires: _Optional[bool] = ...) -> None: ...

class QueueHours(_message.Message):
    __slots__ = ("time_zone", "weekly", "overrides")
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    WEEKLY_FIELD_NUMBER: _ClassVar[int]
    OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    time_zone: str
    weekly: _containers.RepeatedCompositeFieldContainer[WeeklyHours]
    overrides: _containers.RepeatedCompositeFieldContainer[DateOverride]
    def __init__(self, time_zone: _Optional[str] = ..., weekly: _Optional[_Iterable[_Union[WeeklyHours, _Mapping]]] = ..., overrides: _Optional[_Iterable[_Union[DateOverride, _Mapping]]] = ...) -> None: ...

class WeeklyHours(_message.Message):
    __slots__ = ("days", "open", "close")
    DAYS_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedScalarFieldContainer[str]
    open: str
    close: str
    def __init__(self, days: _Optional[_Iterable[str]] = ..., open: _Optional[str] = ..., close: _Optional[str] = ...) -> None: ...

class DayHours(_message.Message):
    __slots__ = ("open", "close")
    OPEN_FIELD_NUMBER: _ClassVar[int]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    open: str
    close: str
    def __init__(self, open: _Optional[str] = ..., close: _Optional[str] = ...) -> None: ...

class DateOverride(_message.Message):
    __slots__ = ("date", "through", "hours", "name")
    DATE_FIELD_NUMBER: _ClassVar[int]
    THROUGH_FIELD_NUMBER: _ClassVar[int]
    HOURS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    date: str
    through: str
    hours: _containers.RepeatedCompositeFieldContainer[DayHours]
    name: str
    def __init__(self, date: _Optional[str] = ..., through: _Optional[str] = ..., hours: _Optional[_Iterable[_Union[DayHours, _Mapping]]] = ..., name: _Optional[str] = ...) -> None: ...

class ProfileQueue(_message.Message):
    __slots__ = ("queue", "priority", "delay")
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    DELAY_FIELD_NUMBER: _ClassVar[int]
    queue: str
    priority: int
    delay: float
    def __init__(self, queue: _Optional[str] = ..., priority: _Optional[int] = ..., delay: _Optional[float] = ...) -> None: ...

class RoutingProfile(_message.Message):
    __slots__ = ("name", "queues")
    NAME_FIELD_NUMBER: _ClassVar[int]
    QUEUES_FIELD_NUMBER: _ClassVar[int]
    name: str
    queues: _containers.RepeatedCompositeFieldContainer[ProfileQueue]
    def __init__(self, name: _Optional[str] = ..., queues: _Optional[_Iterable[_Union[ProfileQueue, _Mapping]]] = ...) -> None: ...

class AttributeValue(_message.Message):
    __slots__ = ("bool_value", "int_value", "double_value", "string_value", "list_value")
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    LIST_VALUE_FIELD_NUMBER: _ClassVar[int]
    bool_value: bool
    int_value: int
    double_value: float
    string_value: str
    list_value: StringList
    def __init__(self, bool_value: _Optional[bool] = ..., int_value: _Optional[int] = ..., double_value: _Optional[float] = ..., string_value: _Optional[str] = ..., list_value: _Optional[_Union[StringList, _Mapping]] = ...) -> None: ...

class StringList(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, values: _Optional[_Iterable[str]] = ...) -> None: ...

class SelectorClause(_message.Message):
    __slots__ = ("key", "op", "value", "expires_after", "expedite")
    KEY_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AFTER_FIELD_NUMBER: _ClassVar[int]
    EXPEDITE_FIELD_NUMBER: _ClassVar[int]
    key: str
    op: str
    value: AttributeValue
    expires_after: float
    expedite: bool
    def __init__(self, key: _Optional[str] = ..., op: _Optional[str] = ..., value: _Optional[_Union[AttributeValue, _Mapping]] = ..., expires_after: _Optional[float] = ..., expedite: _Optional[bool] = ...) -> None: ...

class Preference(_message.Message):
    __slots__ = ("selector", "weight")
    SELECTOR_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    selector: str
    weight: int
    def __init__(self, selector: _Optional[str] = ..., weight: _Optional[int] = ...) -> None: ...

class Agent(_message.Message):
    __slots__ = ("id", "skills", "capacity", "channels", "state", "attributes", "routing_profile", "only_listed_channels")
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
    ROUTING_PROFILE_FIELD_NUMBER: _ClassVar[int]
    ONLY_LISTED_CHANNELS_FIELD_NUMBER: _ClassVar[int]
    id: str
    skills: _containers.ScalarMap[str, int]
    capacity: int
    channels: _containers.ScalarMap[str, int]
    state: AgentState
    attributes: _containers.MessageMap[str, AttributeValue]
    routing_profile: str
    only_listed_channels: bool
    def __init__(self, id: _Optional[str] = ..., skills: _Optional[_Mapping[str, int]] = ..., capacity: _Optional[int] = ..., channels: _Optional[_Mapping[str, int]] = ..., state: _Optional[_Union[AgentState, str]] = ..., attributes: _Optional[_Mapping[str, AttributeValue]] = ..., routing_profile: _Optional[str] = ..., only_listed_channels: _Optional[bool] = ...) -> None: ...

class Step(_message.Message):
    __slots__ = ("after", "requires", "when", "selector", "replace_selector")
    class RequiresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    AFTER_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_FIELD_NUMBER: _ClassVar[int]
    WHEN_FIELD_NUMBER: _ClassVar[int]
    SELECTOR_FIELD_NUMBER: _ClassVar[int]
    REPLACE_SELECTOR_FIELD_NUMBER: _ClassVar[int]
    after: float
    requires: _containers.ScalarMap[str, int]
    when: StepCondition
    selector: str
    replace_selector: bool
    def __init__(self, after: _Optional[float] = ..., requires: _Optional[_Mapping[str, int]] = ..., when: _Optional[_Union[StepCondition, _Mapping]] = ..., selector: _Optional[str] = ..., replace_selector: _Optional[bool] = ...) -> None: ...

class StepCondition(_message.Message):
    __slots__ = ("no_agent_available", "queue_longer_than", "longest_wait_above")
    NO_AGENT_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    QUEUE_LONGER_THAN_FIELD_NUMBER: _ClassVar[int]
    LONGEST_WAIT_ABOVE_FIELD_NUMBER: _ClassVar[int]
    no_agent_available: bool
    queue_longer_than: int
    longest_wait_above: float
    def __init__(self, no_agent_available: _Optional[bool] = ..., queue_longer_than: _Optional[int] = ..., longest_wait_above: _Optional[float] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("id", "channel", "queue", "priority", "requires", "prefers", "customer", "preferred_agent", "preferred_wait", "steps", "attributes", "not_before", "callback", "selector", "selectors", "preferences")
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
    NOT_BEFORE_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_FIELD_NUMBER: _ClassVar[int]
    SELECTOR_FIELD_NUMBER: _ClassVar[int]
    SELECTORS_FIELD_NUMBER: _ClassVar[int]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
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
    not_before: float
    callback: Callback
    selector: str
    selectors: _containers.RepeatedCompositeFieldContainer[SelectorClause]
    preferences: _containers.RepeatedCompositeFieldContainer[Preference]
    def __init__(self, id: _Optional[str] = ..., channel: _Optional[str] = ..., queue: _Optional[str] = ..., priority: _Optional[int] = ..., requires: _Optional[_Mapping[str, int]] = ..., prefers: _Optional[_Mapping[str, int]] = ..., customer: _Optional[str] = ..., preferred_agent: _Optional[str] = ..., preferred_wait: _Optional[float] = ..., steps: _Optional[_Iterable[_Union[Step, _Mapping]]] = ..., attributes: _Optional[_Mapping[str, AttributeValue]] = ..., not_before: _Optional[float] = ..., callback: _Optional[_Union[Callback, _Mapping]] = ..., selector: _Optional[str] = ..., selectors: _Optional[_Iterable[_Union[SelectorClause, _Mapping]]] = ..., preferences: _Optional[_Iterable[_Union[Preference, _Mapping]]] = ...) -> None: ...

class Callback(_message.Message):
    __slots__ = ("number_of_attempts", "retry_after", "not_before")
    NUMBER_OF_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_FIELD_NUMBER: _ClassVar[int]
    NOT_BEFORE_FIELD_NUMBER: _ClassVar[int]
    number_of_attempts: int
    retry_after: float
    not_before: float
    def __init__(self, number_of_attempts: _Optional[int] = ..., retry_after: _Optional[float] = ..., not_before: _Optional[float] = ...) -> None: ...

class ContactUpdate(_message.Message):
    __slots__ = ("priority", "requires", "has_requires", "prefers", "has_prefers", "steps", "has_steps", "attributes", "has_attributes", "age_offset", "if_version", "callback", "selector", "preferences", "has_preferences")
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
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_FIELD_NUMBER: _ClassVar[int]
    HAS_REQUIRES_FIELD_NUMBER: _ClassVar[int]
    PREFERS_FIELD_NUMBER: _ClassVar[int]
    HAS_PREFERS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    HAS_STEPS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    HAS_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    AGE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    IF_VERSION_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_FIELD_NUMBER: _ClassVar[int]
    SELECTOR_FIELD_NUMBER: _ClassVar[int]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    HAS_PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    priority: int
    requires: _containers.ScalarMap[str, int]
    has_requires: bool
    prefers: _containers.ScalarMap[str, int]
    has_prefers: bool
    steps: _containers.RepeatedCompositeFieldContainer[Step]
    has_steps: bool
    attributes: _containers.MessageMap[str, AttributeValue]
    has_attributes: bool
    age_offset: float
    if_version: int
    callback: Callback
    selector: str
    preferences: _containers.RepeatedCompositeFieldContainer[Preference]
    has_preferences: bool
    def __init__(self, priority: _Optional[int] = ..., requires: _Optional[_Mapping[str, int]] = ..., has_requires: _Optional[bool] = ..., prefers: _Optional[_Mapping[str, int]] = ..., has_prefers: _Optional[bool] = ..., steps: _Optional[_Iterable[_Union[Step, _Mapping]]] = ..., has_steps: _Optional[bool] = ..., attributes: _Optional[_Mapping[str, AttributeValue]] = ..., has_attributes: _Optional[bool] = ..., age_offset: _Optional[float] = ..., if_version: _Optional[int] = ..., callback: _Optional[_Union[Callback, _Mapping]] = ..., selector: _Optional[str] = ..., preferences: _Optional[_Iterable[_Union[Preference, _Mapping]]] = ..., has_preferences: _Optional[bool] = ...) -> None: ...

class TransferSpec(_message.Message):
    __slots__ = ("queue", "agent", "mode", "keep_age", "requires", "has_requires", "channel")
    class RequiresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    KEEP_AGE_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_FIELD_NUMBER: _ClassVar[int]
    HAS_REQUIRES_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    queue: str
    agent: str
    mode: TransferMode
    keep_age: bool
    requires: _containers.ScalarMap[str, int]
    has_requires: bool
    channel: str
    def __init__(self, queue: _Optional[str] = ..., agent: _Optional[str] = ..., mode: _Optional[_Union[TransferMode, str]] = ..., keep_age: _Optional[bool] = ..., requires: _Optional[_Mapping[str, int]] = ..., has_requires: _Optional[bool] = ..., channel: _Optional[str] = ...) -> None: ...

class RouterConfig(_message.Message):
    __slots__ = ("channels", "queues", "policy", "policy_chain", "policy_weights", "offer_timeout", "seed", "affinity", "affinity_wait", "retain_finished", "missed_offer_state", "exclusion_expires_after", "exclusions_never_expire", "routing_profiles", "condition_interval", "batch_window", "retain_all_finished", "epoch")
    class PolicyWeightsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    QUEUES_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    POLICY_CHAIN_FIELD_NUMBER: _ClassVar[int]
    POLICY_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    OFFER_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    AFFINITY_FIELD_NUMBER: _ClassVar[int]
    AFFINITY_WAIT_FIELD_NUMBER: _ClassVar[int]
    RETAIN_FINISHED_FIELD_NUMBER: _ClassVar[int]
    MISSED_OFFER_STATE_FIELD_NUMBER: _ClassVar[int]
    EXCLUSION_EXPIRES_AFTER_FIELD_NUMBER: _ClassVar[int]
    EXCLUSIONS_NEVER_EXPIRE_FIELD_NUMBER: _ClassVar[int]
    ROUTING_PROFILES_FIELD_NUMBER: _ClassVar[int]
    CONDITION_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    BATCH_WINDOW_FIELD_NUMBER: _ClassVar[int]
    RETAIN_ALL_FINISHED_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    channels: _containers.RepeatedCompositeFieldContainer[Channel]
    queues: _containers.RepeatedCompositeFieldContainer[Queue]
    policy: str
    policy_chain: _containers.RepeatedScalarFieldContainer[str]
    policy_weights: _containers.ScalarMap[str, float]
    offer_timeout: float
    seed: int
    affinity: bool
    affinity_wait: float
    retain_finished: int
    missed_offer_state: str
    exclusion_expires_after: float
    exclusions_never_expire: bool
    routing_profiles: _containers.RepeatedCompositeFieldContainer[RoutingProfile]
    condition_interval: float
    batch_window: float
    retain_all_finished: bool
    epoch: float
    def __init__(self, channels: _Optional[_Iterable[_Union[Channel, _Mapping]]] = ..., queues: _Optional[_Iterable[_Union[Queue, _Mapping]]] = ..., policy: _Optional[str] = ..., policy_chain: _Optional[_Iterable[str]] = ..., policy_weights: _Optional[_Mapping[str, float]] = ..., offer_timeout: _Optional[float] = ..., seed: _Optional[int] = ..., affinity: _Optional[bool] = ..., affinity_wait: _Optional[float] = ..., retain_finished: _Optional[int] = ..., missed_offer_state: _Optional[str] = ..., exclusion_expires_after: _Optional[float] = ..., exclusions_never_expire: _Optional[bool] = ..., routing_profiles: _Optional[_Iterable[_Union[RoutingProfile, _Mapping]]] = ..., condition_interval: _Optional[float] = ..., batch_window: _Optional[float] = ..., retain_all_finished: _Optional[bool] = ..., epoch: _Optional[float] = ...) -> None: ...
