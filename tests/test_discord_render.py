"""Discord rendering as pure functions of an Answer, at and past every Discord limit."""

from __future__ import annotations

import discord
import pytest

from dossier.bot import discord_render as render
from dossier.index.models import RELATED_LEAD, Answer, Citation, DocumentMeta, IngestReport


def citation(n: int, quote: str = "North Korea fired at least 10 missiles.", title: str = "Missiles fired",
             outlet: str | None = "Yonhap", date: str | None = "2022-11-02") -> Citation:
    return Citation(n=n, doc_id=f"doc{n}", title=title, outlet=outlet, date=date, quote=quote, start=0,
                    end=len(quote))


def answer(text: str = "North Korea fired at least 10 missiles. [1]", citations: tuple = (citation(1),),
           **extra) -> Answer:
    return Answer(question="How many missiles?", answer=text, mode="extractive", refused=False,
                  citations=citations, **extra)


def within_limits(messages: render.Messages) -> None:
    assert messages
    for embeds in messages:
        assert 1 <= len(embeds) <= render.EMBEDS_PER_MESSAGE
        assert sum(len(e) for e in embeds) <= render.EMBED_TOTAL_CHARS
        for embed in embeds:
            assert len(embed.title or "") <= render.TITLE_CHARS
            assert len(embed.description or "") <= render.DESCRIPTION_CHARS
            assert len(embed.fields) <= render.FIELDS_PER_EMBED
            assert len(embed.footer.text or "") <= render.FOOTER_CHARS
            for field in embed.fields:
                assert 0 < len(field.name) <= render.FIELD_NAME_CHARS
                assert 0 < len(field.value) <= render.FIELD_VALUE_CHARS


def fields(messages: render.Messages) -> list:
    return [f for embeds in messages for e in embeds for f in e.fields]


def test_discord_answer_embed_layout():
    cited = answer(notice="The generated answer could not be used (timeout); this is an extractive answer.")
    [[embed]] = render.answer_messages(cited)
    assert embed.title == "How many missiles?"
    assert embed.description == "North Korea fired at least 10 missiles. [1]"
    assert embed.colour == render.ANSWER_COLOUR
    [field] = embed.fields
    assert field.name == "[1] Missiles fired — Yonhap, 2022-11-02"
    assert field.value == "“North Korea fired at least 10 missiles.”"
    assert field.inline is False
    assert embed.footer.text.startswith("extractive answer · The generated answer could not be used")


def test_discord_field_name_without_outlet_or_date():
    assert render.citation_name(citation(3, outlet=None, date=None)) == "[3] Missiles fired — undated"
    assert render.citation_name(citation(4, outlet=None)) == "[4] Missiles fired — 2022-11-02"


def test_discord_followup_footer_says_how_it_was_read():
    followed = answer(resolved="Why? Japanese transport ministry recommend")
    [[embed]] = render.answer_messages(followed)
    assert embed.footer.text == "extractive answer · read as: Why? Japanese transport ministry recommend"


def test_discord_refusal_looks_different():
    refused = Answer(question="What is the capital of France?", mode="extractive", refused=True,
                     answer="The articles do not mention France, so they cannot answer this question.")
    [[embed]] = render.answer_messages(refused)
    assert embed.title == "Not in the articles"
    assert embed.colour == render.REFUSAL_COLOUR != render.ANSWER_COLOUR
    assert embed.description == refused.answer
    assert not embed.fields
    assert embed.footer.text == "extractive answer"


@pytest.mark.parametrize("extra", [0, 1, 500])
def test_discord_quote_at_and_past_the_field_value_limit(extra):
    sentence = "The shells were shipped through the Middle East. "
    quote = (sentence * 40)[:render.FIELD_VALUE_CHARS - 2 + extra].rstrip()
    value = render.citation_value(citation(1, quote=quote))
    assert len(value) <= render.FIELD_VALUE_CHARS
    if len(quote) <= render.FIELD_VALUE_CHARS - 2:
        assert value == f"“{quote}”"
    else:
        assert value.endswith("Middle East.…”"), value[-40:]  # cut after a whole sentence
        assert quote.startswith(value[1:-2])


def test_discord_long_quote_without_sentences_is_cut_between_words():
    quote = "word " * 400
    value = render.citation_value(citation(1, quote=quote))
    assert len(value) <= render.FIELD_VALUE_CHARS and value.endswith("word…”")


@pytest.mark.parametrize("length", [render.FIELD_NAME_CHARS - 30, render.FIELD_NAME_CHARS, 1000])
def test_discord_long_title_keeps_the_marker_and_source(length):
    name = render.citation_name(citation(12, title="Headline " * (length // 9)))
    assert len(name) <= render.FIELD_NAME_CHARS
    assert name.startswith("[12] Headline")
    assert name.endswith(" — Yonhap, 2022-11-02")


def test_discord_huge_outlet_still_fits_the_field_name():
    name = render.citation_name(citation(7, outlet="Outlet " * 100))
    assert len(name) <= render.FIELD_NAME_CHARS and name.startswith("[7] Missiles fired — Outlet")


@pytest.mark.parametrize("extra", [0, 1, 3000])
def test_discord_description_at_and_past_its_limit(extra):
    lines = [f"Sentence number {i} is about the shells. [{i}]" for i in range(1, 400)]
    text = "\n".join(lines)[:render.DESCRIPTION_CHARS + extra]
    assert len(text) == render.DESCRIPTION_CHARS + extra
    [[embed]] = render.answer_messages(answer(text, ()))
    assert len(embed.description) <= render.DESCRIPTION_CHARS
    if not extra:
        assert embed.description == text
    else:
        kept = embed.description.removesuffix("…")
        assert kept != embed.description and kept.endswith("]") and text.startswith(kept)  # whole lines


def test_discord_25_fields_fit_and_the_26th_moves_on():
    short = tuple(citation(n, quote="Short.") for n in range(1, 26))
    [[embed]] = render.answer_messages(answer(citations=short))
    assert len(embed.fields) == 25
    more = tuple(citation(n, quote="Short.") for n in range(1, 27))
    messages = render.answer_messages(answer(citations=more))
    within_limits(messages)
    assert [f.name.split("]")[0] for f in fields(messages)] == [f"[{n}" for n in range(1, 27)]
    assert len(messages) == 1 and len(messages[0]) == 2  # a small second embed shares the message


def test_discord_6000_total_moves_whole_citations_to_the_next_embed():
    quote = ("A long sentence from the article that goes on for a while. " * 17).strip()
    many = tuple(citation(n, quote=quote) for n in range(1, 13))
    messages = render.answer_messages(answer(citations=many))
    within_limits(messages)
    assert len(messages) >= 2  # the 6,000 total counts all embeds of a message
    assert [f.value for f in fields(messages)] == [render.citation_value(c) for c in many]  # none cut in half
    assert messages[-1][-1].footer.text == "extractive answer"
    assert messages[1][0].title == "Sources (continued)"


def test_discord_everything_at_maximum_still_fits():
    maximal = Answer(question="Q" * 5000, answer="Answer text. " * 1000, mode="generated", refused=False,
                     citations=tuple(citation(n, title="T" * 300, outlet="O" * 300, quote="Quote. " * 300)
                                     for n in range(1, 80)),
                     notice="N" * 5000, resolved="R" * 5000)
    messages = render.answer_messages(maximal)
    within_limits(messages)
    assert len(fields(messages)) == 79


def test_discord_pack_respects_ten_embeds_per_message():
    embeds = [discord.Embed(title=f"e{i}") for i in range(23)]
    messages = render.pack(embeds)
    assert [len(m) for m in messages] == [10, 10, 3]


def test_discord_mentions_are_neutralised_in_answers_and_quotes():
    pinging = answer(text="@everyone look [1]", citations=(citation(1, quote="Hello @here and <@123> <@&456>",
                                                                      title="@everyone news"),))
    text = render.messages_text(render.answer_messages(pinging))
    for token in ("@everyone", "@here", "<@123>", "<@&456>"):
        assert token not in text
    assert "@\u200beveryone look" in text and "<@\u200b&456>" in text
    assert render.neutralize("mail me at a@b.com") == "mail me at a@b.com"


def test_discord_plain_messages_fit_2000_characters():
    assert render.short_message("x" * 2000) == "x" * 2000
    assert len(render.short_message("word " * 1000)) <= render.MESSAGE_CHARS
    chunks = render.split_message("\n".join(f"line {i} " * 20 for i in range(100)))
    assert len(chunks) > 1 and all(len(c) <= render.MESSAGE_CHARS for c in chunks)
    assert render.split_message("y" * 2001)[0].endswith("…")


def test_discord_sources_and_about():
    docs = [DocumentMeta(doc_id=f"d{i}", title=f"Title {i} *bold*", title_derived=False, outlet="CNN" if i else None,
                         byline=None, date="2022-11-02" if i else None, path="", sha256="") for i in range(3)]
    [[embed]] = render.sources_messages(docs)
    assert embed.title == "Sources (3 articles)"
    assert embed.description.splitlines()[0] == r"**Title 0 \*bold\*** — unknown outlet, undated"
    assert "— CNN, 2022-11-02" in embed.description
    many = [DocumentMeta(doc_id=f"d{i}", title="Long title " * 30, title_derived=False, outlet="X", byline=None,
                         date=None, path="", sha256="") for i in range(300)]
    messages = render.sources_messages(many)
    within_limits(messages)
    assert sum(e.description.count("\n") + 1 for m in messages for e in m) == 300
    assert "No articles yet" in render.sources_messages([])[0][0].description
    about = render.about_embed(5, "extractive", False)
    assert "**5** news articles" in about.description
    assert about.fields[0].name == "Answer mode: extractive"
    assert "[n]" in about.fields[1].value


def test_discord_ingest_text_and_thread_name():
    report = IngestReport(added=("new",), unchanged=("old",), skipped=(("/tmp/x/bad.txt", "empty file"),))
    assert render.ingest_text(report) == ("Added 1, updated 0, unchanged 1, skipped 1.\nadded: new\n"
                                          "unchanged (already up to date): old\nskipped bad.txt: empty file")
    name = render.thread_name("@everyone " + "why " * 100)
    assert len(name) <= render.THREAD_NAME_CHARS and name.startswith("@\u200beveryone")


def test_discord_related_is_neither_an_answer_nor_a_refusal():
    related = answer(text=f"{RELATED_LEAD}\nNorth Korea fired at least 10 missiles. [1]", status="related")
    messages = render.answer_messages(related)
    within_limits(messages)
    [[embed]] = messages
    assert embed.title == f"{render.RELATED_TITLE}: How many missiles?"
    assert embed.colour == render.RELATED_COLOUR not in (render.ANSWER_COLOUR, render.REFUSAL_COLOUR)
    assert embed.description == f"**{RELATED_LEAD}**\n> North Korea fired at least 10 missiles. [1]"
    assert [f.value for f in embed.fields] == ["“North Korea fired at least 10 missiles.”"]


def test_discord_related_at_the_description_limit():
    long_line = "The shells were shipped through the Middle East. " * 200
    related = answer(text=f"{RELATED_LEAD}\n{long_line}[1]", status="related")
    messages = render.answer_messages(related)
    within_limits(messages)
    assert messages[0][0].description.startswith(f"**{RELATED_LEAD}**\n> The shells")
