"""Every evaluation metric on hand-made cases, edge cases included (no engine, no model)."""

from __future__ import annotations

import math

import pytest

from dossier.index.eval.judge import SupportScore, alce, statements
from dossier.index.eval.metrics import (ALL_METRICS, GENERATION_METRICS, Record, answer_status, first_relevant_rank,
                                        percentile, source_precision, summarize)
from dossier.index.eval.questions import Question, contains, phrases_found
from dossier.index.models import Answer, Citation

GOLD = "001_gold"


def question(answerable: bool = True, phrases=(("57 kilometers", "35 miles"),), qid: str = "q") -> Question:
    return Question(id=qid, question="Where did the missile fall?", sources=(GOLD,) if answerable else (),
                    phrases=tuple(phrases) if answerable else (), answerable=answerable)


def cite(n: int, doc_id: str = GOLD, start: int = 0) -> Citation:
    return Citation(n=n, doc_id=doc_id, title="t", outlet=None, date=None, quote="q", start=start, end=start + 1)


def answer(text: str = "It fell 57 kilometers east of Sokcho. [1]", citations=(1,), refused: bool = False,
           docs=None) -> Answer:
    docs = docs or [GOLD] * len(citations)
    return Answer(question="q", answer=text, mode="extractive", refused=refused,
                  citations=tuple(cite(n, d) for n, d in zip(citations, docs)))


def record(q: Question, a: Answer, latency: float = 10.0, rank=1, support=None, exact=None) -> Record:
    return Record(config="c", question=q, answer=a, latency_ms=latency, rank=rank, support=support,
                  exact=tuple(exact if exact is not None else [True] * len(a.citations)))


# ---- phrases ----------------------------------------------------------------------------------


def test_phrase_groups_need_one_alternative_each_case_and_quote_insensitive():
    groups = (("Kirby",), ("significant number", "substantial"))
    assert phrases_found("KIRBY said a “Substantial” number", groups)
    assert not phrases_found("Kirby said nothing of size", groups)
    assert phrases_found("Kirby’s view", (("kirby's",),))
    assert phrases_found("anything", ())  # no groups: nothing to require


def test_phrases_match_whole_words_only():
    assert not contains("at least three", "east")
    assert not contains("not insignificant", "significant")
    assert contains("in the East or in the South", "east")
    assert contains("100,000 of its troops", "100,000")
    assert not contains("anything", "")


# ---- retrieval --------------------------------------------------------------------------------


def test_first_relevant_rank_needs_a_gold_source_that_holds_the_phrases():
    q = question()
    chunks = [("other", "fell 57 kilometers east"), (GOLD, "missiles were fired"), (GOLD, "fell 35 miles east")]
    assert first_relevant_rank(chunks, q) == 3
    assert first_relevant_rank(chunks[:2], q) is None
    assert first_relevant_rank([], q) is None


def test_hit_and_mrr_average_over_answerable_questions_only():
    records = [record(question(), answer(), rank=1), record(question(), answer(), rank=4),
               record(question(), answer(), rank=None), record(question(False), answer(refused=True), rank=None)]
    summary = summarize(records)
    assert summary["hit@k"] == pytest.approx(2 / 3)
    assert summary["mrr"] == pytest.approx((1 + 0.25 + 0) / 3)


# ---- answers and citations --------------------------------------------------------------------


def test_phrase_recall_counts_refusals_and_empty_answers_as_misses():
    records = [record(question(), answer()), record(question(), answer(refused=True, citations=())),
               record(question(), answer(text="", citations=())), record(question(), answer(text="No idea."))]
    assert summarize(records)["phrase_recall"] == 0.25


def test_source_precision_uses_distinct_documents():
    assert source_precision([cite(1), cite(2, "other")], [GOLD]) == 0.5
    assert source_precision([cite(1), cite(2), cite(3, "other")], [GOLD]) == 0.5  # duplicates count once
    assert source_precision([], [GOLD]) is None  # no citations: nothing to be precise about
    assert source_precision([cite(1)], []) == 0.0  # an unanswerable question has no gold source


def test_source_precision_and_quote_exactness_over_the_answers_that_cite():
    records = [record(question(), answer(citations=(1, 2), docs=[GOLD, "other"]), exact=[True, False]),
               record(question(), answer(citations=())),
               record(question(False), answer(citations=(1,), docs=["other"]))]
    summary = summarize(records)
    assert summary["source_precision"] == pytest.approx((0.5 + 0.0) / 2)
    assert summary["quote_exactness"] == pytest.approx(2 / 3)


def test_abstention_rates_on_both_sides():
    records = [record(question(False), answer(refused=True, citations=())),
               record(question(False), answer()),
               record(question(), answer()), record(question(), answer(refused=True, citations=()))]
    summary = summarize(records)
    assert summary["refused_unanswerable"] == 0.5
    assert summary["answered_answerable"] == 0.5
    assert [r.ok()["abstention"] for r in records] == [True, False, True, False]


def test_latency_percentiles_are_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0
    values = list(range(1, 21))  # 1..20 ms
    assert percentile(values, 50) == 10
    assert percentile(values, 95) == 19
    assert percentile(values + [1000], 95) == 20  # one outlier in 21 is above the 95th percentile


# ---- citation support (ALCE) ------------------------------------------------------------------


def judge_from(table: dict[tuple[int, int], bool]):
    """A judge where a set of citations supports a sentence when any one of them does."""
    return lambda i, refs: any(table.get((i, n), False) for n in refs)


def test_alce_recall_and_precision():
    cited = [frozenset({1}), frozenset({1, 2}), frozenset({3})]
    score = alce(cited, frozenset({1, 2, 3}), judge_from({(0, 1): True, (1, 1): True}))
    assert (score.sentences, score.supported, score.citations, score.needed) == (3, 2, 4, 2)
    assert score.recall == pytest.approx(2 / 3)
    assert score.precision == 0.5  # [2] is redundant in sentence 2; [3] supports nothing


def test_alce_condition_b_keeps_a_citation_whose_removal_breaks_support():
    """Joint support that needs both citations (an NLI judge can do this): both are needed."""
    joint = lambda i, refs: refs == frozenset({1, 2})
    score = alce([frozenset({1, 2})], frozenset({1, 2}), joint)
    assert score.recall == 1.0 and score.precision == 1.0


def test_alce_edge_cases():
    none_cited = alce([frozenset(), frozenset()], frozenset(), judge_from({}))
    assert none_cited.recall == 0.0 and none_cited.precision == 0.0  # ALCE: no citations, precision 0
    dangling = alce([frozenset({1, 9})], frozenset({1}), judge_from({(0, 1): True}))
    assert dangling.recall == 0.0  # citing a source the answer does not have: unsupported
    empty = alce([], frozenset(), judge_from({}))
    assert empty.recall is None and empty.precision is None


def test_statements_take_markers_from_their_line_and_dedupe_them():
    units = statements("First claim. Second claim [1][1][2].\nThird claim [3]. Dangling claim.", 3)
    assert units == [("First claim.", frozenset({1, 2})), ("Second claim.", frozenset({1, 2})),
                     ("Third claim.", frozenset({3})), ("Dangling claim.", frozenset())]


def test_statements_of_a_markerless_answer_cite_everything():
    assert statements("One. Two.", 2) == [("One.", frozenset({1, 2})), ("Two.", frozenset({1, 2}))]
    assert statements("One. Two.", 0) == [("One.", frozenset()), ("Two.", frozenset())]
    assert statements("", 1) == [] and statements("[1]", 1) == []


def test_support_means_skip_refusals_and_answers_without_sentences():
    records = [record(question(), answer(), support=SupportScore(2, 1, 2, 1)),
               record(question(), answer(refused=True, citations=()), support=None),
               record(question(), answer(text=""), support=SupportScore(0, 0, 0, 0))]
    summary = summarize(records)
    assert summary["support_recall"] == 0.5 and summary["support_precision"] == 0.5


# ---- degenerate runs: defined, never a division by zero ---------------------------------------


def test_all_refused_and_zero_answerable_questions():
    records = [record(question(False, qid=str(i)), answer(refused=True, citations=()), rank=None)
               for i in range(3)]
    summary = summarize(records)
    assert set(summary) == set(ALL_METRICS)
    assert all(summary[m] is None for m in GENERATION_METRICS)  # no model was asked
    assert summary["refused_unanswerable"] == 1.0
    for metric in ("hit@k", "mrr", "phrase_recall", "answered_answerable", "source_precision",
                   "quote_exactness", "support_recall", "support_precision", "answer_chars_p50"):
        assert summary[metric] is None, metric
    assert summary["latency_p50_ms"] == 10.0


def test_no_records_at_all():
    summary = summarize([])
    assert all(value is None for value in summary.values())


def test_per_question_verdicts_only_where_defined():
    refused = record(question(), answer(refused=True, citations=()), rank=None)
    assert refused.ok() == {"abstention": False, "hit": False, "phrases": False}
    assert refused.failed()
    good = record(question(), answer(), support=SupportScore(1, 1, 1, 1))
    assert good.ok() == {"abstention": True, "hit": True, "phrases": True, "sources": True, "quotes": True,
                         "support": True}
    assert not good.failed()
    assert not math.isnan(summarize([good])["mrr"])


# ---- three outcomes: answered, related, refused -----------------------------------------------


def related(text: str = "The articles do not say this. The closest statements they make:\n"
                        "It fell 57 kilometers east of Sokcho. [1]") -> Answer:
    return Answer(question="q", answer=text, mode="extractive", refused=False, status="related",
                  citations=(cite(1, "other"),))


def test_declined_shares_count_related_and_refused_on_both_sides():
    records = [record(question(), answer()), record(question(), related()),
               record(question(), answer(refused=True, citations=())),
               record(question(False), related()), record(question(False), answer(refused=True, citations=())),
               record(question(False), answer())]
    summary = summarize(records)
    assert summary["declined_answerable"] == pytest.approx(2 / 3)
    assert summary["declined_unanswerable"] == pytest.approx(2 / 3)
    assert summary["refused_unanswerable"] == pytest.approx(1 / 3)  # the strict refusal rate stays
    assert summary["answered_answerable"] == pytest.approx(2 / 3)  # "not refused", as before


def test_a_related_answer_is_not_an_answer_even_when_it_holds_the_phrases():
    """The related statements are shown under "the articles do not say this": no credit for them."""
    records = [record(question(), related()), record(question(), answer())]
    summary = summarize(records)
    assert summary["phrase_recall"] == 0.5
    assert summary["source_precision"] == 1.0  # the related answer's "other" citation is not counted
    assert summary["answer_chars_p50"] == len(answer().answer)
    assert records[0].ok() == {"abstention": False, "hit": True, "phrases": False, "quotes": True}
    assert records[0].failed()


def test_related_is_the_right_outcome_for_an_unanswerable_question():
    kept = record(question(False), related())
    assert kept.ok() == {"abstention": True, "quotes": True} and not kept.failed()
    assert not record(question(False), answer()).ok()["abstention"]


def test_declined_shares_are_undefined_without_questions_of_that_kind():
    only_answerable = summarize([record(question(), answer())])
    assert only_answerable["declined_unanswerable"] is None and only_answerable["declined_answerable"] == 0.0
    only_unanswerable = summarize([record(question(False), related())])
    assert only_unanswerable["declined_answerable"] is None and only_unanswerable["declined_unanswerable"] == 1.0


def test_status_falls_back_on_refused_for_two_outcome_answers():
    assert answer_status(answer(refused=True, citations=())) == "refused"
    assert answer_status(answer()) == "answered"
    assert answer_status(related()) == "related"
