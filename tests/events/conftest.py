"""Fixtures of the events tests: a real webhook endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.events.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()
