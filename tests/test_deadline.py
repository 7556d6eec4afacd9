"""The time budget of one answer's model calls (index/deadline.py), on a clock the test moves."""

from __future__ import annotations

import pytest

from dossier.index.deadline import Budget, Failed, OutOfTime, call_within


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Flaky(Exception):
    pass


class Slow(Exception):
    pass


def test_only_time_inside_calls_counts() -> None:
    clock = Clock()
    budget = Budget(10, clock=clock)
    clock.now += 100  # retrieval, rendering: not the model's time
    with budget.running():
        clock.now += 4
        with budget.running():  # nested blocks count once
            clock.now += 1
    clock.now += 50
    assert budget.elapsed() == 5 and budget.remaining() == 5 and not budget.expired()


def test_each_attempt_gets_what_is_left_and_retries_stop_at_the_attempt_limit() -> None:
    clock = Clock()
    budget = Budget(10, clock=clock)
    given: list[float] = []

    def call(seconds: float) -> str:
        given.append(seconds)
        clock.now += 2
        raise Flaky()

    with pytest.raises(Failed) as failure:
        call_within(budget, 3, call, is_timeout=lambda e: isinstance(e, Slow))
    assert failure.value.attempts == 3 and isinstance(failure.value.cause, Flaky)
    assert given[0] == 10 and given[1] < 8.01 and given[2] < 6.01  # shrinking, pauses included


def test_a_timeout_ends_the_calls_and_an_exhausted_budget_starts_none() -> None:
    clock = Clock()
    budget = Budget(3, clock=clock)

    def hang(seconds: float) -> str:
        clock.now += seconds
        raise Slow()

    with pytest.raises(OutOfTime) as first:
        call_within(budget, 5, hang, is_timeout=lambda e: isinstance(e, Slow))
    assert first.value.attempts == 1 and budget.expired()
    calls: list[float] = []
    with pytest.raises(OutOfTime) as second:
        call_within(budget, 5, lambda s: calls.append(s), is_timeout=lambda e: False)
    assert second.value.attempts == 0 and calls == []


def test_an_error_not_worth_retrying_is_not_retried() -> None:
    attempts: list[float] = []

    def call(seconds: float) -> str:
        attempts.append(seconds)
        raise Flaky()

    with pytest.raises(Failed):
        call_within(Budget(10), 5, call, is_timeout=lambda e: False, retryable=lambda e: False)
    assert len(attempts) == 1


def test_success_returns_the_value() -> None:
    assert call_within(Budget(1), 1, lambda seconds: "ok", is_timeout=lambda e: False) == "ok"
