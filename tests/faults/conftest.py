"""Shared pieces of the fault matrix (tests/faults/): misbehaving servers and the CLI run for real.

Convention (scripts/reliability_table.py builds docs/reliability.md from it): each module's
docstring opens with "Area: ...", each test's docstring opens with
"<fault> -> <what the user sees>". Helpers that are not fixtures are in harness.py.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from openai_server import FakeOpenAIServer, SilentServer


@pytest.fixture()
def llm() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture()
def silent() -> Iterator[SilentServer]:
    with SilentServer() as server:
        yield server
