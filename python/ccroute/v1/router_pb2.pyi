# mypy: ignore-errors
from ccroute.v1 import events_pb2 as _events_pb2
from ccroute.v1 import model_pb2 as _model_pb2
from ccroute.v1 import views_pb2 as _views_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CallbackOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALLBACK_OUTCOME_UNSPECIFIED: _ClassVar[CallbackOutcome]
    CALLBACK_OUTCOME_ANSWERED: _ClassVar[CallbackOutcome]
    CALLBACK_OUTCOME_NO_ANSWER: _ClassVar[CallbackOutcome]
    CALLBACK_OUTCOME_BUSY: _ClassVar[CallbackOutcome]
CALLBACK_OUTCOME_UNSPECIFIED: CallbackOutcome
CALLBACK_OUTCOME_ANSWERED: CallbackOutcome
CALLBACK_OUTCOME_NO_ANSWER: CallbackOutcome
CALLBACK_OUTCOME_BUSY: CallbackOutcome

class GetConfigRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetConfigResponse(_message.Message):
    __slots__ = ("config",)
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    config: _model_pb2.RouterConfig
    def __init__(self, config: _Optional[_Union[_model_pb2.RouterConfig, _Mapping]] = ...) -> None: ...

class ConfigureRequest(_message.Message):
    __slots__ = ("config", "moves", "idempotency_key", "now")
    class MovesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    MOVES_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    config: _model_pb2.RouterConfig
    moves: _containers.ScalarMap[str, str]
    idempotency_key: str
    now: float
    def __init__(self, config: _Optional[_Union[_model_pb2.RouterConfig, _Mapping]] = ..., moves: _Optional[_Mapping[str, str]] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class ConfigureResponse(_message.Message):
    __slots__ = ("config",)
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    config: _model_pb2.RouterConfig
    def __init__(self, config: _Optional[_Union[_model_pb2.RouterConfig, _Mapping]] = ...) -> None: ...

class UpsertAgentRequest(_message.Message):
    __slots__ = ("agent", "create_only", "update_mask", "idempotency_key", "now")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    CREATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    agent: _model_pb2.Agent
    create_only: bool
    update_mask: _field_mask_pb2.FieldMask
    idempotency_key: str
    now: float
    def __init__(self, agent: _Optional[_Union[_model_pb2.Agent, _Mapping]] = ..., create_only: _Optional[bool] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class UpsertAgentResponse(_message.Message):
    __slots__ = ("events", "replaced", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLACED_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replaced: bool
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replaced: _Optional[bool] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RemoveAgentRequest(_message.Message):
    __slots__ = ("agent_id", "idempotency_key", "now")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    idempotency_key: str
    now: float
    def __init__(self, agent_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class RemoveAgentResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class SetAgentStateRequest(_message.Message):
    __slots__ = ("agent_id", "state", "reason", "idempotency_key", "now")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    state: _model_pb2.AgentState
    reason: str
    idempotency_key: str
    now: float
    def __init__(self, agent_id: _Optional[str] = ..., state: _Optional[_Union[_model_pb2.AgentState, str]] = ..., reason: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class SetAgentStateResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class SubmitContactRequest(_message.Message):
    __slots__ = ("contact", "idempotency_key", "now")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    contact: _model_pb2.Contact
    idempotency_key: str
    now: float
    def __init__(self, contact: _Optional[_Union[_model_pb2.Contact, _Mapping]] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class SubmitContactResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class SubmitContactsRequest(_message.Message):
    __slots__ = ("contacts", "idempotency_key", "now")
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    contacts: _containers.RepeatedCompositeFieldContainer[_model_pb2.Contact]
    idempotency_key: str
    now: float
    def __init__(self, contacts: _Optional[_Iterable[_Union[_model_pb2.Contact, _Mapping]]] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class SubmitContactsResponse(_message.Message):
    __slots__ = ("events", "replayed", "submitted")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    submitted: int
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ..., submitted: _Optional[int] = ...) -> None: ...

class CancelContactRequest(_message.Message):
    __slots__ = ("contact_id", "idempotency_key", "now")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    idempotency_key: str
    now: float
    def __init__(self, contact_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class CancelContactResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class PauseContactRequest(_message.Message):
    __slots__ = ("contact_id", "idempotency_key", "now")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    idempotency_key: str
    now: float
    def __init__(self, contact_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class PauseContactResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class ResumeContactRequest(_message.Message):
    __slots__ = ("contact_id", "idempotency_key", "now")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    idempotency_key: str
    now: float
    def __init__(self, contact_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class ResumeContactResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class CompleteContactRequest(_message.Message):
    __slots__ = ("contact_id", "idempotency_key", "now")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    idempotency_key: str
    now: float
    def __init__(self, contact_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class CompleteContactResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class AcceptOfferRequest(_message.Message):
    __slots__ = ("contact_id", "agent_id", "idempotency_key", "now")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    agent_id: str
    idempotency_key: str
    now: float
    def __init__(self, contact_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class AcceptOfferResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RejectOfferRequest(_message.Message):
    __slots__ = ("contact_id", "agent_id", "idempotency_key", "now")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    agent_id: str
    idempotency_key: str
    now: float
    def __init__(self, contact_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class RejectOfferResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class UpdateContactRequest(_message.Message):
    __slots__ = ("contact_id", "update", "idempotency_key", "now")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    update: _model_pb2.ContactUpdate
    idempotency_key: str
    now: float
    def __init__(self, contact_id: _Optional[str] = ..., update: _Optional[_Union[_model_pb2.ContactUpdate, _Mapping]] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class UpdateContactResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class TransferRequest(_message.Message):
    __slots__ = ("contact_id", "transfer", "idempotency_key", "now")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    transfer: _model_pb2.TransferSpec
    idempotency_key: str
    now: float
    def __init__(self, contact_id: _Optional[str] = ..., transfer: _Optional[_Union[_model_pb2.TransferSpec, _Mapping]] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class TransferResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class CallbackResultRequest(_message.Message):
    __slots__ = ("contact_id", "outcome", "idempotency_key", "now")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    outcome: CallbackOutcome
    idempotency_key: str
    now: float
    def __init__(self, contact_id: _Optional[str] = ..., outcome: _Optional[_Union[CallbackOutcome, str]] = ..., idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class CallbackResultResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class AdvanceRequest(_message.Message):
    __slots__ = ("idempotency_key", "now")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    now: float
    def __init__(self, idempotency_key: _Optional[str] = ..., now: _Optional[float] = ...) -> None: ...

class AdvanceResponse(_message.Message):
    __slots__ = ("events", "replayed")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    replayed: bool
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class GetContactRequest(_message.Message):
    __slots__ = ("contact_id",)
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    def __init__(self, contact_id: _Optional[str] = ...) -> None: ...

class GetContactResponse(_message.Message):
    __slots__ = ("contact",)
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    contact: _views_pb2.ContactView
    def __init__(self, contact: _Optional[_Union[_views_pb2.ContactView, _Mapping]] = ...) -> None: ...

class ExplainContactRequest(_message.Message):
    __slots__ = ("contact_id",)
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    def __init__(self, contact_id: _Optional[str] = ...) -> None: ...

class ExplainContactResponse(_message.Message):
    __slots__ = ("explanation",)
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    explanation: _views_pb2.Explanation
    def __init__(self, explanation: _Optional[_Union[_views_pb2.Explanation, _Mapping]] = ...) -> None: ...

class GetAgentRequest(_message.Message):
    __slots__ = ("agent_id",)
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    def __init__(self, agent_id: _Optional[str] = ...) -> None: ...

class GetAgentResponse(_message.Message):
    __slots__ = ("agent",)
    AGENT_FIELD_NUMBER: _ClassVar[int]
    agent: _views_pb2.AgentView
    def __init__(self, agent: _Optional[_Union[_views_pb2.AgentView, _Mapping]] = ...) -> None: ...

class GetQueueStatsRequest(_message.Message):
    __slots__ = ("queues",)
    QUEUES_FIELD_NUMBER: _ClassVar[int]
    queues: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, queues: _Optional[_Iterable[str]] = ...) -> None: ...

class GetQueueStatsResponse(_message.Message):
    __slots__ = ("queues",)
    QUEUES_FIELD_NUMBER: _ClassVar[int]
    queues: _containers.RepeatedCompositeFieldContainer[_views_pb2.QueueStats]
    def __init__(self, queues: _Optional[_Iterable[_Union[_views_pb2.QueueStats, _Mapping]]] = ...) -> None: ...

class ListAgentsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AgentsByState(_message.Message):
    __slots__ = ("offline", "available", "away", "busy", "idle")
    OFFLINE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    AWAY_FIELD_NUMBER: _ClassVar[int]
    BUSY_FIELD_NUMBER: _ClassVar[int]
    IDLE_FIELD_NUMBER: _ClassVar[int]
    offline: int
    available: int
    away: int
    busy: int
    idle: int
    def __init__(self, offline: _Optional[int] = ..., available: _Optional[int] = ..., away: _Optional[int] = ..., busy: _Optional[int] = ..., idle: _Optional[int] = ...) -> None: ...

class ListAgentsResponse(_message.Message):
    __slots__ = ("agent_ids", "by_state")
    AGENT_IDS_FIELD_NUMBER: _ClassVar[int]
    BY_STATE_FIELD_NUMBER: _ClassVar[int]
    agent_ids: _containers.RepeatedScalarFieldContainer[str]
    by_state: AgentsByState
    def __init__(self, agent_ids: _Optional[_Iterable[str]] = ..., by_state: _Optional[_Union[AgentsByState, _Mapping]] = ...) -> None: ...

class ListWaitingRequest(_message.Message):
    __slots__ = ("queue",)
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    queue: str
    def __init__(self, queue: _Optional[str] = ...) -> None: ...

class ListWaitingResponse(_message.Message):
    __slots__ = ("contact_ids",)
    CONTACT_IDS_FIELD_NUMBER: _ClassVar[int]
    contact_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, contact_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ("now", "policy", "decisions", "live_contacts", "next_timer", "last_sequence", "oldest_sequence", "agents", "version", "history_id")
    NOW_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    LIVE_CONTACTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TIMER_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    OLDEST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    AGENTS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    HISTORY_ID_FIELD_NUMBER: _ClassVar[int]
    now: float
    policy: str
    decisions: int
    live_contacts: int
    next_timer: float
    last_sequence: int
    oldest_sequence: int
    agents: AgentsByState
    version: str
    history_id: str
    def __init__(self, now: _Optional[float] = ..., policy: _Optional[str] = ..., decisions: _Optional[int] = ..., live_contacts: _Optional[int] = ..., next_timer: _Optional[float] = ..., last_sequence: _Optional[int] = ..., oldest_sequence: _Optional[int] = ..., agents: _Optional[_Union[AgentsByState, _Mapping]] = ..., version: _Optional[str] = ..., history_id: _Optional[str] = ...) -> None: ...

class WatchEventsRequest(_message.Message):
    __slots__ = ("after_sequence", "history_id")
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    HISTORY_ID_FIELD_NUMBER: _ClassVar[int]
    after_sequence: int
    history_id: str
    def __init__(self, after_sequence: _Optional[int] = ..., history_id: _Optional[str] = ...) -> None: ...

class WatchEventsResponse(_message.Message):
    __slots__ = ("events", "history_id")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    HISTORY_ID_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    history_id: str
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., history_id: _Optional[str] = ...) -> None: ...

class CreateTenantRequest(_message.Message):
    __slots__ = ("tenant", "config", "idempotency_key")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    config: _model_pb2.RouterConfig
    idempotency_key: str
    def __init__(self, tenant: _Optional[str] = ..., config: _Optional[_Union[_model_pb2.RouterConfig, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class CreateTenantResponse(_message.Message):
    __slots__ = ("tenant", "replayed")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    tenant: Tenant
    replayed: bool
    def __init__(self, tenant: _Optional[_Union[Tenant, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class DeleteTenantRequest(_message.Message):
    __slots__ = ("tenant", "force", "idempotency_key")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    force: bool
    idempotency_key: str
    def __init__(self, tenant: _Optional[str] = ..., force: _Optional[bool] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class DeleteTenantResponse(_message.Message):
    __slots__ = ("replayed",)
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    replayed: bool
    def __init__(self, replayed: _Optional[bool] = ...) -> None: ...

class ListTenantsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTenantsResponse(_message.Message):
    __slots__ = ("tenants",)
    TENANTS_FIELD_NUMBER: _ClassVar[int]
    tenants: _containers.RepeatedCompositeFieldContainer[Tenant]
    def __init__(self, tenants: _Optional[_Iterable[_Union[Tenant, _Mapping]]] = ...) -> None: ...

class Tenant(_message.Message):
    __slots__ = ("name", "owner", "owned_here", "agents", "live_contacts", "last_sequence", "history_id", "problem")
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    OWNED_HERE_FIELD_NUMBER: _ClassVar[int]
    AGENTS_FIELD_NUMBER: _ClassVar[int]
    LIVE_CONTACTS_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    HISTORY_ID_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    name: str
    owner: str
    owned_here: bool
    agents: int
    live_contacts: int
    last_sequence: int
    history_id: str
    problem: str
    def __init__(self, name: _Optional[str] = ..., owner: _Optional[str] = ..., owned_here: _Optional[bool] = ..., agents: _Optional[int] = ..., live_contacts: _Optional[int] = ..., last_sequence: _Optional[int] = ..., history_id: _Optional[str] = ..., problem: _Optional[str] = ...) -> None: ...

class SetWebhookRequest(_message.Message):
    __slots__ = ("url", "secret", "after_sequence")
    URL_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    url: str
    secret: str
    after_sequence: int
    def __init__(self, url: _Optional[str] = ..., secret: _Optional[str] = ..., after_sequence: _Optional[int] = ...) -> None: ...

class SetWebhookResponse(_message.Message):
    __slots__ = ("webhook", "secret")
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    webhook: Webhook
    secret: str
    def __init__(self, webhook: _Optional[_Union[Webhook, _Mapping]] = ..., secret: _Optional[str] = ...) -> None: ...

class GetWebhookRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetWebhookResponse(_message.Message):
    __slots__ = ("webhook",)
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    webhook: Webhook
    def __init__(self, webhook: _Optional[_Union[Webhook, _Mapping]] = ...) -> None: ...

class Webhook(_message.Message):
    __slots__ = ("url", "delivered_sequence", "failures", "last_error")
    URL_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    url: str
    delivered_sequence: int
    failures: int
    last_error: str
    def __init__(self, url: _Optional[str] = ..., delivered_sequence: _Optional[int] = ..., failures: _Optional[int] = ..., last_error: _Optional[str] = ...) -> None: ...

class CreateTokenRequest(_message.Message):
    __slots__ = ("role", "tenant", "agent", "name", "idempotency_key")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    role: str
    tenant: str
    agent: str
    name: str
    idempotency_key: str
    def __init__(self, role: _Optional[str] = ..., tenant: _Optional[str] = ..., agent: _Optional[str] = ..., name: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class CreateTokenResponse(_message.Message):
    __slots__ = ("token", "grant", "replayed")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    GRANT_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    token: str
    grant: TokenGrant
    replayed: bool
    def __init__(self, token: _Optional[str] = ..., grant: _Optional[_Union[TokenGrant, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RevokeTokenRequest(_message.Message):
    __slots__ = ("sha256", "name")
    SHA256_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    name: str
    def __init__(self, sha256: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class RevokeTokenResponse(_message.Message):
    __slots__ = ("revoked",)
    REVOKED_FIELD_NUMBER: _ClassVar[int]
    revoked: _containers.RepeatedCompositeFieldContainer[TokenGrant]
    def __init__(self, revoked: _Optional[_Iterable[_Union[TokenGrant, _Mapping]]] = ...) -> None: ...

class ListTokensRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTokensResponse(_message.Message):
    __slots__ = ("tokens",)
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    tokens: _containers.RepeatedCompositeFieldContainer[TokenGrant]
    def __init__(self, tokens: _Optional[_Iterable[_Union[TokenGrant, _Mapping]]] = ...) -> None: ...

class TokenGrant(_message.Message):
    __slots__ = ("sha256", "role", "tenant", "agent", "name", "source")
    SHA256_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    role: str
    tenant: str
    agent: str
    name: str
    source: str
    def __init__(self, sha256: _Optional[str] = ..., role: _Optional[str] = ..., tenant: _Optional[str] = ..., agent: _Optional[str] = ..., name: _Optional[str] = ..., source: _Optional[str] = ...) -> None: ...
