"""A circuit breaker, so a sick source costs a fast refusal, not a timeout.

closed --(N consecutive failures)--> open --(cool-down)--> half-open:
one trial call; success closes, failure re-opens for another cool-down.
Time comes from the injected clock (tests move a FrozenClock).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

__all__ = ["BreakerState", "CircuitBreaker"]


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    def __init__(self, threshold: int = 5, cooldown: float = 30.0) -> None:
        self.threshold = threshold
        self.cooldown = timedelta(seconds=cooldown)
        self.failures = 0
        self._opened_at: datetime | None = None
        self._trial_running = False

    def state(self, now: datetime) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if now - self._opened_at >= self.cooldown:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self, now: datetime) -> bool:
        """May a call go out now?  In half-open only the first caller may."""
        state = self.state(now)
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def retry_at(self) -> datetime | None:
        return None if self._opened_at is None else self._opened_at + self.cooldown

    def success(self) -> None:
        self.failures = 0
        self._opened_at = None
        self._trial_running = False

    def abandon(self) -> None:
        """A call that ended without an answer either way (e.g. cancelled)."""
        self._trial_running = False

    def failure(self, now: datetime) -> None:
        self.failures += 1
        if self._trial_running or self.failures >= self.threshold:
            self._opened_at = now
        self._trial_running = False
