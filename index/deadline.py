"""A time budget shared by every network call made for one answer (or one embedding call).

``DOSSIER_LLM_TIMEOUT`` is what a user waits at most, retries included: each attempt
gets only the time still left, and no attempt starts once it is spent. The budget
also keeps a short log of what its calls did, so a notice can say what really
happened ("timed out after 30s: the follow-up's rewrite took 30s, no time left to answer")
instead of the setting's value.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, TypeVar

T = TypeVar("T")

# Pause between attempts: a server that just failed rarely recovers within milliseconds.
RETRY_PAUSE = 0.25
# An attempt given less than this cannot even connect; not starting it is more honest.
MIN_ATTEMPT = 0.05


class Budget:
    """Seconds the model calls of one answer may take in all, and a log of what they did.

    Only time inside ``running()`` counts: retrieval between the follow-up's rewrite and
    the answer is not the model's time, and a first question's corpus preparation must
    not eat the model's budget."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._spent = 0.0
        self._since: Optional[float] = None
        self._depth = 0
        self.events: list[str] = []

    @contextmanager
    def running(self) -> Iterator[None]:
        """Count the time spent inside this block (nested blocks count once)."""
        if self._depth == 0:
            self._since = self._clock()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._since is not None:
                self._spent += self._clock() - self._since
                self._since = None

    def elapsed(self) -> float:
        running = self._clock() - self._since if self._since is not None else 0.0
        return self._spent + running

    def remaining(self) -> float:
        return max(0.0, self.seconds - self.elapsed())

    def expired(self) -> bool:
        return self.remaining() < MIN_ATTEMPT

    def note(self, event: str) -> None:
        self.events.append(event)


class OutOfTime(Exception):
    """The budget ran out before (or while) a call could finish."""

    def __init__(self, budget: Budget, attempts: int) -> None:
        super().__init__(f"timed out after {budget.seconds:g}s")
        self.attempts = attempts


class Failed(Exception):
    """Every attempt allowed failed; ``cause`` is the last error, ``attempts`` how many were made."""

    def __init__(self, cause: BaseException, attempts: int) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.attempts = attempts


def call_within(budget: Budget, attempts: int, call: Callable[[float], T],
                is_timeout: Callable[[BaseException], bool],
                retryable: Optional[Callable[[BaseException], bool]] = None) -> T:
    """``call(seconds_left)`` up to ``attempts`` times while the budget lasts.

    Raises OutOfTime when the budget is spent (an attempt timed out, or no time was left
    for the next one), Failed with the last error otherwise."""
    made = 0
    with budget.running():
        while True:
            if budget.expired():
                raise OutOfTime(budget, made)
            made += 1
            try:
                return call(budget.remaining())
            except Exception as exc:  # classified below; the caller turns it into one line
                if is_timeout(exc) or budget.expired():
                    raise OutOfTime(budget, made) from exc
                if made >= attempts or (retryable is not None and not retryable(exc)):
                    raise Failed(exc, made) from exc
            time.sleep(min(RETRY_PAUSE, budget.remaining()))
