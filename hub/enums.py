"""Domain vocabularies shared by storage, services and the GraphQL schema."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AccessBasis",
    "CommitmentKind",
    "CommitmentStatus",
    "ConsentEndReason",
    "ConsentRequestStatus",
    "ConsentStatus",
    "DataCategory",
    "DecisionOutcome",
    "EntityKind",
    "EventType",
    "Grade",
    "ListKind",
    "ListMembershipStatus",
    "ListObjectionStatus",
    "ObjectionResolution",
    "ObjectionStatus",
    "PrincipalKind",
    "Purpose",
    "ReceiptEvent",
    "RecordStatus",
    "RepairStatus",
    "ReportSection",
    "Severity",
    "WhiteListStatus",
]


class PrincipalKind(StrEnum):
    BANK = "BANK"
    GUARANTOR = "GUARANTOR"
    INSURER = "INSURER"
    MERCHANT = "MERCHANT"
    AGENCY = "AGENCY"
    SUBJECT = "SUBJECT"
    ADMIN = "ADMIN"


class AccessBasis(StrEnum):
    """Why the door lets a principal touch an enterprise's data (policy.yaml)."""

    CONSENT = "CONSENT"
    SUBJECT = "SUBJECT"
    PUBLIC_LIST = "PUBLIC_LIST"
    STATUTORY = "STATUTORY"
    ADMIN_QUEUE = "ADMIN_QUEUE"
    DRY_RUN = "DRY_RUN"
    # What the enterprise itself chose to disclose: a signed credit report to
    # whoever holds its link, a white-list entry to banks (policy.yaml).
    REPORT = "REPORT"
    WHITE_LIST = "WHITE_LIST"


class Purpose(StrEnum):
    LENDING = "LENDING"
    GUARANTEE = "GUARANTEE"
    INSURANCE = "INSURANCE"
    INCENTIVE = "INCENTIVE"
    APPROVAL = "APPROVAL"
    MONITORING = "MONITORING"
    # Graded supervision under law (国办发〔2019〕35号 §七): a statutory basis,
    # never a consent (policy.yaml gives it no consent categories).
    SUPERVISION = "SUPERVISION"


class DataCategory(StrEnum):
    BASIC = "BASIC"
    LICENSING = "LICENSING"
    PENALTY = "PENALTY"
    TAX = "TAX"
    JUDICIAL = "JUDICIAL"
    UTILITIES = "UTILITIES"
    SOCIAL_INSURANCE = "SOCIAL_INSURANCE"
    COMMITMENT = "COMMITMENT"
    HONOR = "HONOR"
    EVALUATION = "EVALUATION"


class EntityKind(StrEnum):
    ENTERPRISE = "ENTERPRISE"
    INDIVIDUAL_BUSINESS = "INDIVIDUAL_BUSINESS"
    FARMER_COOPERATIVE = "FARMER_COOPERATIVE"
    SOCIAL_ORGANIZATION = "SOCIAL_ORGANIZATION"
    PUBLIC_INSTITUTION = "PUBLIC_INSTITUTION"
    OTHER = "OTHER"


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


class Severity(StrEnum):
    NONE = "NONE"
    MINOR = "MINOR"
    ORDINARY = "ORDINARY"
    SERIOUS = "SERIOUS"


class RecordStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DISPUTED = "DISPUTED"
    REPAIRED = "REPAIRED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


class ListKind(StrEnum):
    RED = "RED"
    BLACK = "BLACK"
    FOCUS = "FOCUS"
    # Lending white list (信易贷白名单, 平信用〔2021〕1号): the enterprise
    # applied and the credit centre approved (hub.white_list).
    WHITE = "WHITE"


class ListMembershipStatus(StrEnum):
    """ACTIVE; DISPUTED while a list objection is open (effect kept); ENDED."""

    ACTIVE = "ACTIVE"
    DISPUTED = "DISPUTED"
    ENDED = "ENDED"


class ListObjectionStatus(StrEnum):
    OPEN = "OPEN"
    UPHELD = "UPHELD"
    REMOVED = "REMOVED"


class ConsentStatus(StrEnum):
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    # Suspended by the subject: every read under it is refused until resumed.
    PAUSED = "PAUSED"


class ConsentEndReason(StrEnum):
    """Why a consent ended (``Consent.endReason``)."""

    REVOKED_BY_SUBJECT = "REVOKED_BY_SUBJECT"
    REVOKED_BY_ADMIN = "REVOKED_BY_ADMIN"
    SUPERSEDED = "SUPERSEDED"
    EXPIRED = "EXPIRED"
    CLIENT_SUSPENDED = "CLIENT_SUSPENDED"


class ReceiptEvent(StrEnum):
    """The change a consent receipt records (its ``event`` claim)."""

    GRANT = "grant"
    AMEND = "amend"
    PAUSE = "pause"
    RESUME = "resume"
    REVOKE = "revoke"
    EXPIRE = "expire"


class ConsentRequestStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"


class DecisionOutcome(StrEnum):
    ELIGIBLE = "ELIGIBLE"
    INELIGIBLE = "INELIGIBLE"
    RESTRICTED = "RESTRICTED"


class ObjectionStatus(StrEnum):
    OPEN = "OPEN"
    CORRECTED = "CORRECTED"
    REVOKED = "REVOKED"
    UPHELD = "UPHELD"


class ObjectionResolution(StrEnum):
    CORRECTED = "CORRECTED"
    REVOKED = "REVOKED"
    UPHELD = "UPHELD"


class RepairStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class CommitmentKind(StrEnum):
    """The six kinds of 信用承诺."""

    APPROVAL_SUBSTITUTE = "APPROVAL_SUBSTITUTE"  # 审批替代
    TOLERANT_ACCEPTANCE = "TOLERANT_ACCEPTANCE"  # 容缺办理
    CERTIFICATION_NOTICE = "CERTIFICATION_NOTICE"  # 证明事项告知
    CREDIT_REPAIR = "CREDIT_REPAIR"  # 信用修复
    INDUSTRY_SELF_DISCIPLINE = "INDUSTRY_SELF_DISCIPLINE"  # 行业自律
    VOLUNTARY_DISCLOSURE = "VOLUNTARY_DISCLOSURE"  # 主动公示


class WhiteListStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


class ReportSection(StrEnum):
    """Sections of a credit report (信用报告 / 专项信用报告)."""

    BASIC = "BASIC"
    LICENSING = "LICENSING"
    PENALTY = "PENALTY"
    JUDICIAL = "JUDICIAL"
    TAX = "TAX"
    LISTS = "LISTS"
    EVALUATION = "EVALUATION"
    COMMITMENT = "COMMITMENT"
    HONOR = "HONOR"


class CommitmentStatus(StrEnum):
    PENDING = "PENDING"
    FULFILLED = "FULFILLED"
    BREACHED = "BREACHED"


class EventType(StrEnum):
    """What the hub tells the outside world about a subject (contract v2,
    "Events, webhooks, notices"); ``RECORD_EXPIRED`` is the hub's own addition:
    a record's publication window ended (信用修复管理办法 2026)."""

    NEW_NEGATIVE_RECORD = "NEW_NEGATIVE_RECORD"
    RECORD_CORRECTED = "RECORD_CORRECTED"
    RECORD_REVOKED = "RECORD_REVOKED"
    RECORD_REPAIRED = "RECORD_REPAIRED"
    RECORD_EXPIRED = "RECORD_EXPIRED"
    LISTED = "LISTED"
    DELISTED = "DELISTED"
    GRADE_CHANGED = "GRADE_CHANGED"
    CONSENT_REQUESTED = "CONSENT_REQUESTED"
    CONSENT_GRANTED = "CONSENT_GRANTED"
    CONSENT_AMENDED = "CONSENT_AMENDED"
    CONSENT_PAUSED = "CONSENT_PAUSED"
    CONSENT_RESUMED = "CONSENT_RESUMED"
    CONSENT_REVOKED = "CONSENT_REVOKED"
    CONSENT_EXPIRING = "CONSENT_EXPIRING"
    CONSENT_EXPIRED = "CONSENT_EXPIRED"
    CONSENT_REQUEST_DECIDED = "CONSENT_REQUEST_DECIDED"
