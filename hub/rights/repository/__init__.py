"""All SQL of the rights domain: records, objections, repairs, commitments.

* :mod:`.records` — subject data, loaded only under the door's grants;
* :mod:`.queues` — queue pages as keys (for the door), and consents;
* :mod:`.maintenance` — what the passage of time changes or deletes.
"""

from hub.rights.repository.maintenance import (
    DISHONEST_KIND,
    DISHONEST_LIST,
    delete_records,
    dishonest_listings_without_term,
    expirable_records,
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
    record_by_source,
    record_to_change,
    records_by_id,
)

__all__ = [
    "DISHONEST_KIND",
    "DISHONEST_LIST",
    "QueueKey",
    "active_consents",
    "case_keys",
    "cases_by_id",
    "commitment_keys",
    "commitments_by_id",
    "delete_records",
    "dishonest_listings_without_term",
    "expirable_records",
    "monitoring_consent",
    "overdue_objections",
    "pending_repair",
    "record_by_source",
    "record_to_change",
    "records_by_id",
    "retained_negative_records",
    "unfulfilled_commitments",
]
