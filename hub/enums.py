"""Domain vocabularies shared by storage, services and the GraphQL schema."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AccessBasis",
    "CommitmentKind",
    "CommitmentStatus",
    "ConsentStatus",
    "DataCategory",
    "DecisionOutcome",
    "EntityKind",
    "Grade",
    "ListKind",
    "ListMembershipStatus",
    "ListObjectionStatus",
    "ObjectionResolution",
    "ObjectionStatus",
    "PrincipalKind",
    "Purpose",
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
