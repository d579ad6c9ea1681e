"""Declared state machines: the only status changes the hub will make.

Each machine is a small table of allowed ``(from, to)`` pairs.  Anything else
is refused with ``CONFLICT`` and a message naming the current state, so a
caller knows why (e.g. "record 12 is REPAIRED; REPAIRED → DISPUTED is not
allowed").

>>> RECORD.allows("ACTIVE", "DISPUTED")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub.enums import CommitmentStatus as C
from hub.enums import ListMembershipStatus as L
from hub.enums import ListObjectionStatus as LO
from hub.enums import ObjectionStatus as O
from hub.enums import RecordStatus as R
from hub.enums import RepairStatus as P
from hub.errors import ErrorCode, HubError

__all__ = [
    "COMMITMENT",
    "LIST",
    "LIST_OBJECTION",
    "MACHINES",
    "OBJECTION",
    "RECORD",
    "REPAIR",
    "StateMachine",
]


@dataclass(frozen=True)
class StateMachine:
    """Allowed transitions of one entity type's ``status``."""

    name: str
    transitions: frozenset[tuple[str, str]]

    def allows(self, current: str, to: str) -> bool:
        return (str(current), str(to)) in self.transitions

    def next_states(self, current: str) -> list[str]:
        return sorted(t for f, t in self.transitions if f == str(current))

    def check(self, current: str, to: str, *, label: str) -> None:
        """Raise ``CONFLICT`` unless ``current → to`` is declared."""
        if self.allows(current, to):
            return
        nxt = self.next_states(current)
        raise HubError(
            f"{label} is {current}; {current} → {to} is not allowed"
            + (
                f" (from {current} only {', '.join(nxt)})."
                if nxt
                else f" ({current} is final)."
            ),
            ErrorCode.CONFLICT,
            currentState=str(current),
        )

    def move(self, row: Any, to: str, *, label: str) -> str:
        """Check and apply ``row.status = to``; returns the previous state."""
        current = str(row.status)
        self.check(current, to, label=label)
        row.status = str(to)
        return current


def _m(name: str, *pairs: tuple[str, str]) -> StateMachine:
    return StateMachine(name, frozenset((str(a), str(b)) for a, b in pairs))


# Credit records.  DISPUTED while an objection is open (征信业管理条例 Art 25),
# then back to the prior state (UPHELD, CORRECTED) or REVOKED; ACTIVE →
# REPAIRED on an approved repair; ACTIVE → EXPIRED when the publication window
# ends (信用修复管理办法 2026).  An expired record may still be objected to: the
# hub keeps it until the retention period ends.  A repeated objection does not
# suspend the record, so its REVOKED answer withdraws an ACTIVE or EXPIRED one.
RECORD = _m(
    "record",
    (R.ACTIVE, R.DISPUTED),
    (R.EXPIRED, R.DISPUTED),
    (R.DISPUTED, R.ACTIVE),
    (R.DISPUTED, R.EXPIRED),
    (R.DISPUTED, R.REVOKED),
    (R.ACTIVE, R.REVOKED),
    (R.EXPIRED, R.REVOKED),
    (R.ACTIVE, R.REPAIRED),
    (R.ACTIVE, R.EXPIRED),
)
OBJECTION = _m(
    "objection", (O.OPEN, O.CORRECTED), (O.OPEN, O.REVOKED), (O.OPEN, O.UPHELD)
)
# List memberships (contract v2, "Lists"): DISPUTED while an objection is
# open, effect kept; ENDED (removed, repaired, performed, term over) is final.
LIST = _m(
    "list membership",
    (L.ACTIVE, L.DISPUTED),
    (L.DISPUTED, L.ACTIVE),
    (L.ACTIVE, L.ENDED),
    (L.DISPUTED, L.ENDED),
)
LIST_OBJECTION = _m("list objection", (LO.OPEN, LO.UPHELD), (LO.OPEN, LO.REMOVED))
REPAIR = _m("repair", (P.PENDING, P.APPROVED), (P.PENDING, P.REJECTED))
COMMITMENT = _m("commitment", (C.PENDING, C.FULFILLED), (C.PENDING, C.BREACHED))

MACHINES = {
    m.name: m for m in (RECORD, OBJECTION, REPAIR, COMMITMENT, LIST, LIST_OBJECTION)
}
