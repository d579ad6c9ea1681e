"""Events out: what the hub tells the outside world about an enterprise.

* :mod:`.outbox` — ``emit``: an event in the transaction of its change;
* :mod:`.routing` — who hears of it, and what each may see (through the door);
* :mod:`.engine`, :mod:`.dispatcher` — routing and delivery after commit,
  from any worker, with the state in the database;
* :mod:`.delivery`, :mod:`.targets`, :mod:`.webhooks` — Standard Webhooks:
  signing, retries, the SSRF guard, endpoints;
* :mod:`.feed` — the ``events`` subscription's live feed;
* :mod:`.notices`, :mod:`.texts`, :mod:`.notifiers` — the enterprise's inbox
  in Chinese, and pushes through ``xinyi_hub.notifiers`` plugins;
* :mod:`.changes` — which event a source's delivery announces;
* :mod:`.retention` — deleted records leave no copies in what was sent.

See docs/events.md.
"""
