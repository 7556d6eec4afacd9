"""docs/reliability.md is generated from the fault tests' docstrings and kept in step with them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_script():
    spec = importlib.util.spec_from_file_location("reliability_table", ROOT / "scripts" / "reliability_table.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def test_docs_reliability_is_up_to_date() -> None:
    table = load_script()
    current = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert current == table.build(), "docs/reliability.md is out of date: run python scripts/reliability_table.py"


def test_every_fault_test_states_its_fault_and_outcome() -> None:
    areas, problems = load_script().collect()
    assert not problems, "\n".join(problems)
    assert {a.name for a in areas} >= {"Language model", "Input"}
    assert all(area.rows for area in areas)


def test_a_table_row_per_test_and_a_test_without_the_form_is_refused(tmp_path: Path) -> None:
    table = load_script()
    (tmp_path / "test_example_faults.py").write_text(
        '"""Example: a made-up area."""\n\n'
        'def test_one():\n    """A disk fills up -> one line naming the disk"""\n\n'
        'def test_two():\n    """A cable is cut -> the answer still arrives"""\n', encoding="utf-8")
    text = table.build(tmp_path)
    assert "## Example" in text and "A made-up area." in text
    assert "| A disk fills up | One line naming the disk | `test_example_faults.py::test_one` |" in text
    assert text.index("test_one") < text.index("test_two")
    (tmp_path / "test_bad_faults.py").write_text(
        '"""Bad: no arrows."""\n\ndef test_vague():\n    """Something breaks."""\n', encoding="utf-8")
    with pytest.raises(ValueError, match="test_bad_faults.py::test_vague"):
        table.build(tmp_path)
