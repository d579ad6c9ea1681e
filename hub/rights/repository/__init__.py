"""All SQL of the rights domain: records, objections, repairs, commitments.

* :mod:`.records` — subject data, loaded only under the door's grants;
* :mod:`.queues` — queue pages as keys (for the door), and consents;
* :mod:`.maintenance` — what the passage of time changes or deletes;
* :mod:`.lists` — list memberships and the objections to them.
"""

from hub.rights.repository.lists import (
    dishonest_memberships_without_term,
    list_category,
    list_objection_keys,
    list_objections_by_id,
    list_objections_on,
    membership_to_change,
    memberships_resting_on,
    overdue_list_objections,
)
from hub.rights.repository.maintenance import (
    DISHONEST_KIND,
    DISHONEST_LIST,
    Retained,
    delete_records,
    expirable_records,
    memberships_past_term,
    overdue_objections,
    retained_negative_records,
    unfulfilled_commitments,
)
from hub.rights.repository.queues import (
    QueueKey,
    active_consents,
    case_keys,
    commitment_keys,
    monitoring_consent,
    pending_repair,
)
from hub.rights.repository.records import (
    cases_by_id,
    commitments_by_id,
    objections_on,
    record_by_source,
    record_to_change,
    records_by_id,
)

__all__ = [
    "DISHONEST_KIND",
    "DISHONEST_LIST",
    "QueueKey",
    "Retained",
    "active_consents",
    "case_keys",
    "cases_by_id",
    "commitment_keys",
    "commitments_by_id",
    "delete_records",
    "dishonest_memberships_without_term",
    "expirable_records",
    "list_category",
    "list_objection_keys",
    "list_objections_by_id",
    "list_objections_on",
    "membership_to_change",
    "memberships_past_term",
    "memberships_resting_on",
    "monitoring_consent",
    "objections_on",
    "overdue_list_objections",
    "overdue_objections",
    "pending_repair",
    "record_by_source",
    "record_to_change",
    "records_by_id",
    "retained_negative_records",
    "unfulfilled_commitments",
]
