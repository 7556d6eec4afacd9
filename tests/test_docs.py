"""The documentation keeps up with the code: the argument parser (bot/cli.py ``build_parser``),
the settings object (index/settings.py ``Settings``) and the Discord cog are the source of
truth, and every command, option and setting they define must be documented where users
look (README.md and docs/*.md); every relative link in them must lead somewhere."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from dossier.bot.cli import build_parser
from dossier.bot.cogs.ask import AskCog
from dossier.index.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
README = PROJECT_ROOT / "README.md"
DOCS = sorted((PROJECT_ROOT / "docs").glob("*.md"))
CLI_DOC = PROJECT_ROOT / "docs" / "cli.md"
DISCORD_DOC = PROJECT_ROOT / "docs" / "discord.md"


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def all_docs() -> str:
    return "\n".join(text(p) for p in [README, *DOCS])


def subcommands() -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def options() -> list[tuple[str, str]]:
    """(command, option string) for every option of every command, short and long forms."""
    return [(name, option) for name, parser in subcommands().items() for action in parser._actions
            for option in action.option_strings if option not in ("-h", "--help")]


def env_names() -> list[str]:
    """Each setting's variable names: DOSSIER_<FIELD>, or its aliases (OPENAI_API_KEY, ...)."""
    names = []
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.append(alias.choices[0] if alias is not None else f"DOSSIER_{name.upper()}")
    return names


def section(document: str, heading: str) -> str:
    """The text under the first ``## ...`` heading that contains ``heading``, up to the next one."""
    parts = re.split(r"^## ", document, flags=re.MULTILINE)
    matching = [p for p in parts[1:] if heading in p.splitlines()[0]]
    assert matching, f"no section '## ...{heading}...'"
    return matching[0]


# ---- commands and options ------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_every_command_is_in_the_readme_tour_and_has_its_section(command):
    assert f"`dossier {command}" in text(README), f"`dossier {command}` is missing from the README's tour"
    section(text(CLI_DOC), f"`dossier {command}")


@pytest.mark.parametrize("command,option", options(), ids=[f"{c} {o}" for c, o in options()])
def test_every_option_is_documented_under_its_command(command, option):
    documented = section(text(CLI_DOC), f"`dossier {command}")
    assert re.search(rf"`{re.escape(option)}[` ]", documented), f"{option} of `dossier {command}` is not in docs/cli.md"


def test_the_options_found_are_the_parser_s():
    """The parametrisation above really reads the parser (an empty list would pass everything)."""
    found = set(options())
    assert {("ingest", "--prune"), ("ask", "--top-k"), ("ask", "-k"), ("eval", "--configs")} <= found


@pytest.mark.parametrize("command", [c.name for c in AskCog.__cog_app_commands__])
def test_every_slash_command_is_documented(command):
    assert re.search(rf"`/{command}\b", text(DISCORD_DOC)), f"/{command} is missing from docs/discord.md"


# ---- settings ------------------------------------------------------------------------------------


def readme_settings_rows() -> dict[str, str]:
    rows = {}
    for line in section(text(README), "Settings").splitlines():
        match = re.match(r"\| `([A-Z_]+)` \| ([^|]*) \|", line)
        if match:
            rows[match.group(1)] = match.group(2).strip()
    return rows


def shown_default(value) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@pytest.mark.parametrize("variable", env_names())
def test_every_setting_is_in_the_readme_table_and_env_example(variable):
    assert variable in readme_settings_rows(), f"{variable} has no row in the README's settings table"
    assert variable in text(PROJECT_ROOT / ".env.example"), f"{variable} is missing from .env.example"


@pytest.mark.parametrize("name", [n for n in Settings.model_fields if n != "home"])
def test_the_readme_shows_each_setting_s_default(name):
    field = Settings.model_fields[name]
    variable = field.validation_alias.choices[0] if field.validation_alias else f"DOSSIER_{name.upper()}"
    assert readme_settings_rows()[variable] == f"`{shown_default(field.default)}`" or (
        field.default is None and readme_settings_rows()[variable] == "unset")


def test_no_document_names_a_setting_that_does_not_exist():
    known = {alias for field in Settings.model_fields.values() if field.validation_alias
             for alias in field.validation_alias.choices} | set(env_names())
    named = set(re.findall(r"\bDOSSIER_[A-Z][A-Z0-9_]*[A-Z0-9]\b", all_docs()))
    assert named - known == set(), "documented but not settings"


# ---- links ----------------------------------------------------------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    content = text(path)
    return ({slug(h) for h in re.findall(r"^#+ (.+)$", content, flags=re.MULTILINE)}
            | set(re.findall(r'<a id="([^"]+)">', content)))


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.name)
def test_relative_links_lead_to_a_file_and_heading(path):
    for target in re.findall(r"\]\(([^)\s]+)\)", text(path)):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        assert linked.exists(), f"{path.name} links to {target}, which does not exist"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked), f"{path.name} links to {target}: no such heading"


def test_the_readme_links_every_document():
    for doc in DOCS:
        assert f"(docs/{doc.name})" in text(README), f"docs/{doc.name} is not linked from the README"
