import json

from rich.console import Console

from dossier.bot import render
from dossier.index.models import RELATED_LEAD, Answer, Citation

CITATION = Citation(n=1, doc_id="001_x", title="White House says", outlet=None, date="2022-11-02",
                    quote="He declined to provide a [specific] estimate.", start=10, end=56)
ANSWER = Answer(question="q?", answer="He [Kirby] declined to provide a specific estimate. [1]", mode="extractive",
                refused=False, citations=(CITATION,))
REFUSED = Answer(question="oil?", answer="The articles do not answer this question.", mode="extractive", refused=True)


def rich_text(answer: Answer) -> str:
    console = Console(record=True, width=100, color_system=None)
    for item in render.answer_rich(answer):
        console.print(item)
    return console.export_text()


def test_plain_lists_numbered_sources_with_quotes():
    text = render.answer_plain(ANSWER)
    assert text.splitlines()[0] == ANSWER.answer
    assert "[1] White House says — 2022-11-02 (001_x, chars 10-56)" in text
    assert "“He declined to provide a [specific] estimate.”" in text


def test_rich_shows_answer_markers_and_quotes_without_eating_brackets():
    text = rich_text(ANSWER)
    assert "[Kirby]" in text and "[1]" in text and "[specific]" in text
    assert "Answer (extractive)" in text


def test_refusal_looks_different():
    assert "Refused" in rich_text(REFUSED) and "Sources" not in render.answer_plain(REFUSED)


def test_notice_is_shown_first():
    answer = Answer(question="q", answer="a [1]", mode="extractive", refused=False, citations=(CITATION,),
                    notice="The language model was unavailable (timed out)")
    assert render.answer_plain(answer).startswith("Note: The language model was unavailable")
    assert render.answer_json(answer).count('"notice"') == 1


RELATED = Answer(question="How much did the shells cost?", mode="extractive", refused=False, status="related",
                 answer=f"{RELATED_LEAD}\nHe [Kirby] declined to provide a specific estimate. [1]",
                 citations=(CITATION,))


def test_related_plain_says_not_stated_and_sets_the_statements_apart():
    lines = render.answer_plain(RELATED).splitlines()
    assert lines[0] == RELATED_LEAD
    assert lines[1] == "  > He [Kirby] declined to provide a specific estimate. [1]"
    assert "Sources:" in lines and "“He declined to provide a [specific] estimate.”" in "\n".join(lines)


def test_related_rich_is_neither_an_answer_nor_a_refusal():
    text = rich_text(RELATED)
    assert render.RELATED_TITLE in text and RELATED_LEAD in text and "[Kirby]" in text and "[1]" in text
    assert "Answer (" not in text and "Refused" not in text


def test_related_json_has_status_and_is_not_refused():
    data = json.loads(render.answer_json(RELATED))
    assert data["status"] == "related" and data["refused"] is False
    assert json.loads(render.answer_json(ANSWER))["status"] == "answered"
    assert json.loads(render.answer_json(REFUSED))["status"] == "refused"
