from rich.console import Console

from dossier.bot import render
from dossier.index.models import Answer, Citation

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
