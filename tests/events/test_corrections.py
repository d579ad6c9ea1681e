"""Corrections reach those who received the record (FCRA §611-style notices)."""

from __future__ import annotations

from datetime import timedelta

from hub.events.dispatcher import dispatch_pending
from tests.api import Api, ClientCreds
from tests.events.helpers import USCC, bank, import_negative, recipients, register
from tests.events.receiver import Receiver
from tests.rights.helpers import admin

PROFILE = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  records { totalCount } } }"""
FILE = """mutation($i: FileObjectionInput!) { fileObjection(input: $i) { id } }"""
RESOLVE = """mutation($id: ID!, $r: ObjectionResolution!, $c: JSON) {
  resolveObjection(id: $id, resolution: $r, note: "已核实", corrections: $c) {
    status } }"""
LOG = """query($u: USCC!) { accessLog(uscc: $u, first: 100) {
  edges { node { action actorId outcome categories } } } }"""


async def _read_profile(api: Api, reader: ClientCreds) -> None:
    data = await api.data(PROFILE, {"u": USCC}, reader.token)
    assert data["creditProfile"]["records"]["totalCount"] >= 1


async def _object(api: Api, rid: int, resolution: str, corrections=None) -> None:  # type: ignore[no-untyped-def]
    subject = api.subject_token(USCC)
    filed = await api.data(
        FILE, {"i": {"recordId": str(rid), "reason": "金额有误"}}, subject
    )
    adm = await admin(api)
    await api.data(
        RESOLVE,
        {"id": filed["fileObjection"]["id"], "r": resolution, "c": corrections},
        adm.token,
    )


async def test_correction_reaches_past_readers_with_or_without_consent(
    api: Api, receiver: Receiver
) -> None:
    # given a penalty, read by a bank whose consent has since been revoked …
    rid = await import_negative(api, "P-1")
    gone = await bank(api, "已撤回授权的银行")
    consent = await api.grant(USCC, gone, "LENDING", ["BASIC", "PENALTY"])
    await _read_profile(api, gone)
    await api.data(
        "mutation($id: ID!) { revokeConsent(id: $id) { status } }",
        {"id": consent},
        api.subject_token(USCC),
    )
    # … by a bank whose consent still covers PENALTY, by a bank whose consent
    # never covered it, and watched by a monitoring bank that never read it
    still = await bank(api, "仍有授权的银行")
    await api.grant(USCC, still, "LENDING", ["BASIC", "PENALTY"])
    await _read_profile(api, still)
    taxonly = await bank(api, "只看纳税的银行")
    await api.grant(USCC, taxonly, "LENDING", ["BASIC", "TAX"])
    await api.data(PROFILE, {"u": USCC}, taxonly.token)
    monitor = await bank(api, "贷后监测银行")
    await api.grant(USCC, monitor, "MONITORING", ["PENALTY"])
    _, gone_secret = await register(api, gone, receiver.url + "?who=gone")
    await dispatch_pending(api.hub)  # the import's own event, out of the way

    # when the record is corrected through an objection
    await _object(api, rid, "CORRECTED", {"title": "罚款 2 万元"})
    await dispatch_pending(api.hub)

    # then every past reader and the monitoring bank hear of it; the one
    # without a consent covering PENALTY gets the id, not the record
    told = await recipients(api, "RECORD_CORRECTED")
    assert set(told) == {gone.id, still.id, monitor.id}
    assert told[gone.id]["record"] is None
    assert told[gone.id]["recordId"] == str(rid)
    for who in (still, monitor):
        assert told[who.id]["record"]["title"] == "罚款 2 万元"
        assert told[who.id]["record"]["status"] == "ACTIVE"
    # … by webhook too, signed
    [got] = await receiver.wait_for(1)
    body = got.verify(gone_secret)
    assert body["type"] == "RECORD_CORRECTED"
    assert (body["data"]["record"], body["data"]["recordId"]) == (None, str(rid))

    # and each notice is in the subject's access log, the client as actor
    log = await api.data(LOG, {"u": USCC}, api.subject_token(USCC))
    notices = sorted(
        (n["node"]["actorId"], n["node"]["outcome"], tuple(n["node"]["categories"]))
        for n in log["accessLog"]["edges"]
        if n["node"]["action"] == "correction.notify"
    )
    assert notices == sorted(
        [
            (gone.id, "NOTIFIED", ("PENALTY",)),
            (still.id, "GRANTED", ("PENALTY",)),
            (monitor.id, "GRANTED", ("PENALTY",)),
        ]
    )


async def test_revocation_and_repair_say_only_what_happened(api: Api) -> None:
    # given two penalties read by a bank that still holds its consent
    revoked = await import_negative(api, "P-REV")
    repaired = await import_negative(
        api,
        "P-REP",
        entity=False,
        severity="MINOR",
        publish_until=(api.clock.today() + timedelta(days=60)).isoformat(),
    )
    reader = await bank(api, "郑州银行")
    await api.grant(USCC, reader, "LENDING", ["BASIC", "PENALTY"])
    await _read_profile(api, reader)
    await dispatch_pending(api.hub)

    # when one is revoked through an objection and the other repaired
    await _object(api, revoked, "REVOKED")
    subject = api.subject_token(USCC)
    applied = await api.data(
        """mutation($i: ApplyRepairInput!) { applyRepair(input: $i) { id } }""",
        {"i": {"recordId": str(repaired), "method": "report", "evidence": "信用报告"}},
        subject,
    )
    await api.data(
        """mutation($id: ID!) { decideRepair(id: $id, approve: true, note: "同意")
        { status } }""",
        {"id": applied["applyRepair"]["id"]},
        (await admin(api)).token,
    )
    await dispatch_pending(api.hub)

    # then the reader is told what became of each, without its content
    for kind, rid, status, title in (
        ("RECORD_REVOKED", revoked, "REVOKED", "信用记录已撤销"),
        ("RECORD_REPAIRED", repaired, "REPAIRED", "信用记录已修复"),
    ):
        record = (await recipients(api, kind))[reader.id]["record"]
        assert (record["id"], record["status"], record["title"]) == (
            str(rid),
            status,
            title,
        )
        assert record["authority"] is record["details"] is record["occurredOn"]
        assert record["authority"] is None


async def test_readers_before_the_record_existed_are_not_told(api: Api) -> None:
    # given a bank that read the profile before the record arrived
    await import_negative(api, "P-0", severity="NONE", title="行政许可")
    early = await bank(api, "早先查询的银行")
    await api.grant(USCC, early, "LENDING", ["BASIC", "PENALTY"])
    await _read_profile(api, early)
    api.clock.advance(days=1)
    rid = await import_negative(api, "P-1", entity=False)
    await dispatch_pending(api.hub)
    # when the record is corrected
    await _object(api, rid, "CORRECTED", {"title": "罚款 2 万元"})
    await dispatch_pending(api.hub)
    # then that bank never held it and is not told
    assert await recipients(api, "RECORD_CORRECTED") == {}


async def test_a_correction_that_ends_publication_is_told_without_the_record(
    api: Api,
) -> None:
    # given a penalty watched by a monitoring bank
    rid = await import_negative(api, "P-1")
    monitor = await bank(api, "贷后监测银行")
    await api.grant(USCC, monitor, "MONITORING", ["PENALTY"])
    await dispatch_pending(api.hub)
    # when the correction ends its publication window yesterday
    yesterday = (api.clock.today() - timedelta(days=1)).isoformat()
    await _object(api, rid, "CORRECTED", {"publish_until": yesterday})
    await dispatch_pending(api.hub)
    # then the bank is told the record changed, and no more: it may not see it
    told = (await recipients(api, "RECORD_CORRECTED"))[monitor.id]
    assert (told["record"], told["recordId"]) == (None, str(rid))
    log = await api.data(LOG, {"u": USCC}, api.subject_token(USCC))
    assert [
        (n["node"]["actorId"], n["node"]["outcome"])
        for n in log["accessLog"]["edges"]
        if n["node"]["action"] == "correction.notify"
    ] == [(monitor.id, "NOTIFIED")]
