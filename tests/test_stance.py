"""Stance between statements (index/stance.py), the answer's "Disputed:" line, and the two
figures ``dossier eval`` reports for them (index/eval/stance.py)."""

from __future__ import annotations

import re

import pytest

from dossier.index.attribution import keep_speaker
from dossier.index.embedder import embed_texts
from dossier.index.eval.stance import CORPORA, LABELS_DIR, evaluate, keeps, load_pairs
from dossier.index.stance import AGREES, CONTRADICTS, UNRELATED, cues, refers_back, stance, with_context

from conftest import assert_verbatim

ACCUSATION = "The agency says the company is secretly dumping waste into the river near the plant."
DENIAL = "The company denied that it is dumping waste into the river near the plant."

# ---- cues, one at a time ------------------------------------------------------------------------


@pytest.mark.parametrize("sentence, word", [
    ("The minister denied the report on Monday.", "denied"),
    ("The firm refuted claims that it had paid the officials.", "refuted"),
    ("Officials rejected the allegations as politically motivated.", "rejected"),
    ("The ministry called the accusations baseless.", "baseless"),
    ("A spokesman said the story was groundless.", "groundless"),
    ("The claims were untrue, the company said.", "untrue"),
    ("The statement said the reports were not true.", "not true"),
    ("He urged the press to stop spreading misinformation.", "misinformation"),
])
def test_a_denial_or_rejection_word_is_found(sentence, word):
    assert cues(sentence).denial == word


@pytest.mark.parametrize("sentence", [
    "The court dismissed the case on Friday.",  # "dismiss" rejects only something said
    "The team countered with a new offer.",
    "The mayor did not deny the report.",  # a negated denial denies nothing
])
def test_everyday_senses_of_rejection_verbs_are_no_denial(sentence):
    assert cues(sentence).denial == ""


def test_never_is_a_strong_negation():
    found = cues("We have never sold weapons to them and have no plans to do so.")
    assert found.negation == "never" and found.strong and found.rejects


@pytest.mark.parametrize("sentence", [
    "The spokesman could not confirm whether the goods had arrived.",
    "Officials would not specify how the goods were moved.",
    "She declined to say how many workers were hurt.",
    "There is no confirmation yet whether any cars went into the water.",
])
def test_withholding_a_statement_is_not_denying_it(sentence):
    assert not cues(sentence).rejects


@pytest.mark.parametrize("sentence", [
    "The number of shipments is not insignificant.",  # litotes asserts
    "The figures show not only growth but also new jobs.",
])
def test_a_not_that_asserts_is_no_negation(sentence):
    assert cues(sentence).negation == ""


def test_a_denial_that_names_nothing_refers_back():
    assert refers_back("The ambassador has since denied the claims.")
    assert refers_back("The company denied it on Tuesday.")
    assert not refers_back("The company denied that it is dumping waste into the river.")
    assert not refers_back(DENIAL)
    assert with_context("The company has since denied the claims.", "A report said X.") == \
        "A report said X. The company has since denied the claims."
    assert with_context(DENIAL, "A report said X.") == DENIAL


# ---- the decision -----------------------------------------------------------------------------------


def test_an_accusation_and_its_denial_contradict():
    result = stance(ACCUSATION, None, DENIAL, None, cosine=0.75)
    assert result.relation == CONTRADICTS and "denied" in result.reason and result.score > 0


def test_the_order_of_the_two_statements_does_not_matter():
    assert stance(DENIAL, None, ACCUSATION, None, cosine=0.75).relation == CONTRADICTS


def test_one_speaker_does_not_contradict_themself():
    result = stance(ACCUSATION, "Ortiz", DENIAL, "Ortiz", cosine=0.75)
    assert result.relation != CONTRADICTS and "one speaker" in result.reason


def test_a_denial_of_something_else_is_unrelated():
    other = "The company denied that its chief executive would resign this year."
    assert stance(ACCUSATION, None, other, None, cosine=0.35).relation == UNRELATED


def test_shared_names_alone_do_not_make_one_point():
    """The people and places of a story are in most of its sentences: names and a middling
    cosine are not enough for a contradiction."""
    a = "Acme Corp opened a new factory in Springfield on Monday."
    b = "Acme Corp called reports of layoffs in Springfield baseless."
    assert stance(a, None, b, None, cosine=0.52).relation != CONTRADICTS


def test_a_bare_negation_needs_plainly_the_same_point():
    a = "The storm closed the harbour on Tuesday."
    b = "The storm did not cause any injuries, the harbour master said."
    assert stance(a, None, b, "Reyes", cosine=0.5).relation != CONTRADICTS


def test_two_denials_of_one_claim_agree():
    first = "The company denied dumping waste into the river near the plant."
    second = "The company has never dumped waste into the river near the plant, a spokesman said."
    assert stance(first, None, second, None, cosine=0.8).relation == AGREES


def test_two_reports_of_one_claim_agree():
    other = "The agency said the company had been dumping waste into the river near its plant in secret."
    assert stance(ACCUSATION, None, other, None, cosine=0.85).relation == AGREES


# ---- the labelled pairs, with the real embedder ----------------------------------------------------


def test_labelled_files_are_verbatim_balanced_and_split():
    for name, corpus in CORPORA.items():
        rows = load_pairs(LABELS_DIR / f"{name}.jsonl")
        texts = {path.name: path.read_text(encoding="utf-8") for path in corpus.glob("*.txt")}
        assert len(rows) >= 40 and sum(r["label"] != CONTRADICTS for r in rows) >= len(rows) / 2
        assert {r["split"] for r in rows} == {"dev", "heldout"} and len({r["id"] for r in rows}) == len(rows)
        for row in rows:
            assert row["label"] in (CONTRADICTS, AGREES, UNRELATED)
            assert row["a"] in texts[row["a_doc"]] and row["b"] in texts[row["b_doc"]], row["id"]


# Measured figures (docs/eval.md); a change that lowers one is a regression, not a new target.
# Second corpus: it holds one labelled contradiction per split (a statement against "no
# confirmation yet" that vehicles went into the water, withheld rather than denied): missed on
# both; what it measures there is that nothing else is called a contradiction.
EXPECTED = {("seeds", "dev"): (1.0, 8), ("seeds", "heldout"): (1.0, 7),
            ("baltimore-bridge", "dev"): (1.0, 0), ("baltimore-bridge", "heldout"): (1.0, 0)}


@pytest.mark.parametrize("name, split", sorted(EXPECTED))
def test_stance_precision_and_recall_on_the_labelled_pairs(embedder, name, split):
    scores = evaluate(name, split, lambda texts: embed_texts(embedder, texts))
    precision, found = EXPECTED[(name, split)]
    assert scores.precision >= precision and scores.found_correct >= found, "\n".join(scores.errors)


# ---- answers --------------------------------------------------------------------------------------


def _disputed(answer) -> list[tuple[str, int]]:
    return [(m.group(1), int(m.group(2))) for m in re.finditer(r"^Disputed: (.*) \[(\d+)\]$", answer.answer, re.M)]


def test_an_answer_about_the_accusation_cites_the_denial(seeded_engine):
    answer = seeded_engine.ask("Is North Korea supplying artillery shells to Russia?")
    disputed = _disputed(answer)
    assert len(disputed) == 1, answer.answer
    text, n = disputed[0]
    quote = answer.citations[n - 1].quote
    assert text == quote or text.rstrip("…") in quote  # verbatim (an excerpt only when cut to length)
    assert cues(quote).rejects  # the other side: a denial or rejection
    assert answer.citations[n - 1].doc_id != answer.citations[0].doc_id or "Kirby" not in quote
    assert len(answer.answer) <= seeded_engine.settings.max_answer_chars
    assert_verbatim(answer.citations)


def test_a_denial_that_refers_back_is_shown_against_the_claim(seeded_engine):
    answer = seeded_engine.ask("Did Iran provide drones to Russia?")
    disputed = _disputed(answer)
    assert disputed and "denied" in answer.citations[disputed[0][1] - 1].quote, answer.answer
    assert_verbatim(answer.citations)


def test_an_answer_with_nothing_disputed_has_no_disputed_line(seeded_engine):
    answer = seeded_engine.ask("How many missiles did North Korea fire toward the Sea of Japan?")
    assert answer.status == "answered" and not _disputed(answer), answer.answer


# ---- attribution kept --------------------------------------------------------------------------------


def test_a_line_keeps_its_speaker():
    assert keep_speaker("According to him, the supplies show shortages.", "Kirby") == \
        "According to him [Kirby], the supplies show shortages."
    assert keep_speaker("“We will do the same,” he said.", "Price") == "“We will do the same,” he [Price] said."
    assert keep_speaker("We are strong.", "Moore") == "[Moore] We are strong."
    assert keep_speaker("Mr Kirby said it.", "Kirby") == "Mr Kirby said it."
    assert keep_speaker("The report said it.", "") == "The report said it."
    assert keeps("According to him [Kirby], the supplies show shortages.", "Kirby")
    assert not keeps("According to him, the supplies show shortages.", "Kirby")


def test_extractive_answers_keep_every_attribution_on_the_eval_set(seeded_engine):
    """Every answer sentence citing a sentence with a named speaker names that speaker (target 1.0)."""
    from pathlib import Path

    from dossier.index.eval.judge import Evidence
    from dossier.index.eval.questions import load_questions
    from dossier.index.eval.sets import find_set
    from dossier.index.eval.stance import attribution_counts

    evidence = Evidence(seeded_engine, {d.doc_id: Path(d.path).read_text(encoding="utf-8")
                                        for d in seeded_engine.sources()})
    attributed = kept = 0
    for question in load_questions(find_set("seeds/dev").questions):
        counts = attribution_counts(evidence, seeded_engine.ask(question.question, mode="extractive"))
        attributed, kept = attributed + counts[0], kept + counts[1]
    assert attributed >= 30 and kept == attributed, (kept, attributed)


def test_source_precision_counts_the_answers_own_lines_not_the_disputed_one():
    from dossier.index.eval.metrics import answer_sources, source_precision
    from dossier.index.models import Answer, Citation

    def cite(n: int, doc: str) -> Citation:
        return Citation(n=n, doc_id=doc, title="t", outlet=None, date=None, quote="q", start=0, end=1)

    answer = Answer(question="q", answer="The agency says X. [1]\nDisputed: The company denied X. [2]",
                    mode="extractive", refused=False, citations=(cite(1, "gold"), cite(2, "other")))
    assert [c.n for c in answer_sources(answer)] == [1]
    assert source_precision(answer_sources(answer), ["gold"]) == 1.0
    assert source_precision(answer.citations, ["gold"]) == 0.5


def test_dates_are_not_shared_content():
    from dossier.index.stance import shared_evidence

    shared = shared_evidence("Officials met last week on Tuesday in March.", "The deal was signed last week on Tuesday.")
    assert not shared.terms


def _records(embedder, *texts: str, speaker: str = ""):
    from dossier.index.models import SentenceRecord

    vectors = embed_texts(embedder, list(texts))
    return [SentenceRecord(sentence_id=f"d{i}:v:s0", doc_id=f"d{i}", text=t, start=0, end=len(t), speaker=speaker,
                           quoted=False, quote=t, embedding=v) for i, (t, v) in enumerate(zip(texts, vectors))]


def test_find_dispute_returns_the_denial_of_a_chosen_statement(embedder):
    from dossier.index.stance import find_dispute

    claim, denial, other = _records(embedder, ACCUSATION, DENIAL, "The river flooded two villages in spring.")
    found = find_dispute([claim], [other, denial], lambda record: None)
    assert found is not None and found.other is denial and found.statement is claim
    assert find_dispute([claim, denial], [other], lambda record: None) is None  # both sides shown already
    assert find_dispute([claim], [other], lambda record: None) is None


def test_find_dispute_reads_a_back_reference_with_the_sentence_before_it(embedder):
    from dossier.index.stance import find_dispute

    claim, before, denial = _records(embedder, ACCUSATION, "Regulators also said the plant dumped waste in the river.",
                                     "The company has since denied the claims.")
    assert find_dispute([claim], [denial], lambda record: None) is None  # what it denies is unknown
    found = find_dispute([claim], [denial], lambda record: before if record is denial else None)
    assert found is not None and found.other is denial
