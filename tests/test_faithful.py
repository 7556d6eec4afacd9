"""The faithfulness judge (index/faithful.py): one test per rule, then its benchmark.

The rule tests pass similarity figures that clear the bars, so only the rule under test can
reject; the benchmark tests use the real MiniLM embedder and the hand-labelled pairs of
tests/data/judge_pairs (SOURCES.md there)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dossier.index import faithful
from dossier.index.eval.faithful import PAIRS_DIR, PROJECT_ROOT, SPLITS, load_pairs, score
from dossier.index.faithful import Verdict, judge, quantities

HIGH = {"cosine": 0.9, "overlap": 0.9}


def verdict(answer: str, source: str, **kwargs) -> Verdict:
    return judge(answer, source, **{**HIGH, **kwargs})


def reason(answer: str, source: str, **kwargs) -> str:
    return verdict(answer, source, **kwargs).reason


# ---- the API ------------------------------------------------------------------------------------

def test_a_faithful_paraphrase_is_supported_and_the_verdict_is_a_frozen_value():
    result = verdict("The council approved the new budget on Monday [1].",
                     "The city council approved the new budget on Monday after a long debate.")
    assert result == Verdict(True, "ok")
    with pytest.raises(Exception):
        result.supported = False  # type: ignore[misc]


def test_the_module_knows_no_story():
    for module in (faithful,):
        text = Path(module.__file__).read_text(encoding="utf-8")
        for word in ("Kirby", "Pyongyang", "KCNA", "Korea", "Japan", "Russia", "Ukrain", "Baltimore", "bridge",
                     "artillery", "Maersk", "Dali", "mayday", "heaviest"):
            assert word not in text, word


# ---- quotations ---------------------------------------------------------------------------------

def test_a_quoted_span_must_be_verbatim_in_the_source():
    source = 'The mayor called the plan "a significant step" for the city.'
    assert reason('The mayor called the plan "a significant step" [1].', source) == "ok"
    assert reason('The mayor called the plan "a substantial step" [1].', source) == "quote-not-verbatim"
    assert reason("The mayor called the plan \u201ca significant step\u201d [2].", source) == "ok"


def test_a_quote_must_match_whole_words_and_each_part_around_an_ellipsis():
    source = '"We are not going to stop now, and we will finish the road," she said.'
    assert reason('She said "we are not going to stop now\u2026we will finish the road" [1].', source) == "ok"
    assert reason('She said "we are not going to sto" [1].', source) == "quote-not-verbatim"
    assert reason('She said "we will never stop" [1].', source) == "quote-not-verbatim"


# ---- numbers, dates and ordinals ----------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    "At least 12 people were hurt in the fire [1].",              # digits
    "At least eleven people were hurt in the fire [1].",           # a number word
    "At least ten people were hurt in the fire on Tuesday [1].",   # a weekday
    "At least ten people were hurt in the fire in April [1].",     # a month
    "At least ten people were hurt in the second fire [1].",       # an ordinal
])
def test_a_number_the_source_does_not_state_breaks_support(answer):
    source = "At least 10 people were hurt in the fire on Monday in March, the first this year."
    assert reason(answer, source) == "number-mismatch"


def test_the_same_number_written_differently_is_the_same_number():
    source = "The company hired 1,000 workers in its first year and three more managers on Friday's call."
    assert reason("In its 1st year the company hired 1000 workers [1].", source) == "ok"
    assert reason("The company hired 3 more managers on Friday [1].", source) == "ok"


def test_words_that_only_look_like_numbers_are_not_counted():
    assert quantities("May we ask? No one knew, and the union may strike in May.") == {"may"}
    assert quantities("They met on Jan. 16, the 29th meeting; millions watched.") == {"january", "16", "#29", "million"}
    assert quantities("A six-lane road opened at 01:30.") == {"6", "1:30"}


def test_not_only_x_but_y_is_no_negation_and_every_restates_all():
    source = "It is very important to share this moment not only with the miners, but with their families and all Chileans."
    assert reason("Sharing the moment with the miners and their families and every Chilean is very important [1].",
                  source) == "ok"
    assert reason("Sharing the moment with the miners is not important [1].", source) == "negation"
    assert reason("They did not only share it [1].", "They shared it.") == "negation"  # no "but": a negation
    assert reason("Every miner is safe [1].", "Some miners are safe.") == "scope"


def test_a_tens_word_joined_to_a_unit_word_is_one_number():
    assert quantities("Thirty-three miners and twenty five guards") == {"33", "25"}
    assert quantities("on the twenty-first day") == {"#21"}
    assert quantities("twenty, one of whom") == {"20", "1"}  # a comma parts them
    assert reason("The 33 miners are alive [1].", "Thirty-three miners are alive.") == "ok"
    assert reason("The 30 miners are alive [1].", "Thirty-three miners are alive.") == "number-mismatch"


def test_a_noun_that_states_a_number_is_that_number():
    assert quantities("the twin bell towers and a trio of windows") == {"2", "3"}
    assert quantities("an initial alert") == {"#1"}
    assert reason("The two bell towers were saved [1].", "The twin bell towers were saved.") == "ok"
    assert reason("The three bell towers were saved [1].", "The twin bell towers were saved.") == "number-mismatch"
    assert reason("The first alert sounded at 6 p.m. [1].", "An initial alert sounded at 6 p.m.") == "ok"
    assert reason("The second alert sounded at 6 p.m. [1].", "An initial alert sounded at 6 p.m.") == "number-mismatch"


# ---- negation -----------------------------------------------------------------------------------

def test_dropping_the_negation_of_the_words_reused_breaks_support():
    source = "The minister said the new rules are not going to change the price of bread."
    assert reason("The minister said the new rules would change the price of bread [1].", source) == "negation"
    assert reason("The minister said the rules are not going to change bread prices [1].", source) == "ok"


def test_a_negation_the_source_does_not_make_breaks_support():
    source = "The second worker survived and is in hospital."
    assert reason("The second worker did not survive [1].", source) == "negation"


def test_a_negated_clause_the_answer_does_not_use_does_not_matter():
    source = "The museum reopened on Sunday, but its east wing did not open until the summer."
    assert reason("The museum reopened on Sunday [1].", source) == "ok"


def test_a_negation_governs_only_up_to_the_next_negation():
    # "never sold" and "no plans to sell" are two denials: the answer's "no plans" does not cover "sold".
    source = "The club has never sold its stadium and has no plans to sell it."
    assert reason("The club has sold its stadium but has no plans to sell it [1].", source) == "negation"
    assert reason("The club has never sold its stadium [1].", source) == "ok"
    assert reason("The club has no plans to sell its stadium [1].", source) == "ok"


def test_verbs_of_refusal_and_denial_negate():
    source = "The company declined to provide an estimate of the losses."
    assert reason("The company provided an estimate of the losses [1].", source) == "negation"
    assert reason("The company gave no estimate of the losses [1].", source) == "ok"
    assert reason("The company refused to estimate the losses [1].", "The losses were estimated at once.") == "negation"


# ---- modality -----------------------------------------------------------------------------------

def test_a_hedged_claim_stated_as_fact_breaks_support():
    source = "The storm may delay the harvest in the northern valleys."
    assert reason("The storm will delay the harvest in the northern valleys [1].", source) == "modality"
    assert reason("The storm delayed the harvest in the northern valleys [1].", source) == "modality"
    assert reason("The storm could delay the harvest in the northern valleys [1].", source) == "ok"


def test_a_hedge_governs_across_a_scare_quote():
    source = 'The agency believes the "modest" rise in rents is enough to slow new building.'
    assert reason("The rise in rents will slow new building [1].", source) == "modality"
    assert reason("The agency believes the rise in rents is enough to slow new building [1].", source) == "ok"


def test_a_hedge_in_ing_stops_at_a_verb_paired_with_it():
    # "and firing" pairs with "appearing", not with "lose": the flares were fired, not seemingly fired.
    source = "The ferry ran aground after appearing to lose its rudder and firing distress flares."
    assert reason("The ferry fired distress flares [1].", source) == "ok"
    assert reason("The ferry lost its rudder [1].", source) == "modality"
    assert reason("The ferry ran aground after appearing to lose its rudder during the storm [1].", source) == "ok"


def test_a_modal_that_refuses_to_tell_is_a_negation_not_a_promise():
    source = "The minister declined to say when the road reopens."
    assert reason("The minister would not say when the road reopens [1].", source) == "ok"
    assert reason("The minister wouldn't say when the road reopens [1].", source) == "ok"
    assert reason("The minister would not reopen the road [1].", "The minister did not reopen the road.") == "modality"


def test_a_passive_hedge_governs_its_subject():
    source = "Three climbers are presumed dead after the avalanche."
    assert reason("Three climbers died in the avalanche [1].", source) == "modality"
    assert reason("Three climbers are presumed dead [1].", source) == "ok"


def test_a_promise_stated_as_done_and_a_fact_hedged_break_support():
    assert reason("The agency raised the issue with its partners [1].",
                  "The agency will raise the issue with its partners.") == "modality"
    assert reason("The agency might raise the issue with its partners [1].",
                  "The agency raised the issue with its partners.") == "modality"


# ---- attribution --------------------------------------------------------------------------------

SAID = "Ortiz said the water supply was safe to drink."


def test_an_attributed_claim_needs_an_attributed_answer():
    assert reason("The water supply was safe to drink [1].", SAID, source_speaker="Ortiz") == "attribution-dropped"
    assert reason("Ortiz said the water supply was safe to drink [1].", SAID, source_speaker="Ortiz") == "ok"


def test_a_pronoun_counts_only_when_annotated_with_the_speaker():
    assert reason("She said the water supply was safe to drink [1].", SAID,
                  source_speaker="Ortiz") == "attribution-dropped"
    assert reason("She [Ortiz] said the water supply was safe to drink [1].", SAID, source_speaker="Ortiz") == "ok"
    assert reason("She said the water supply was safe to drink [1].", SAID, source_speaker="Maria Ortiz",
                  sentence_speakers=frozenset({"Ortiz"})) == "ok"


def test_another_speaker_is_a_mismatch():
    assert reason("Jensen said the water supply was safe to drink [1].", SAID,
                  source_speaker="Ortiz") == "speaker-mismatch"


def test_an_unnamed_speaker_is_kept_as_the_source_describes_it():
    source = "The reservoir was full, according to officials."
    assert reason("Officials said the reservoir was full [1].", source) == "ok"
    assert reason("The reservoir was full [1].", source) == "attribution-dropped"
    statement = "He had been ill for months, the statement said."
    assert reason("The statement said he had been ill for months [1].", statement) == "ok"


def test_a_verb_of_saying_in_a_leading_clause_attributes_that_clause_only():
    source = "Since the union has vowed to strike over pay, the factory is likely to close early on Friday."
    assert reason("The factory is likely to close early on Friday [1].", source) == "ok"
    assert reason("The union is likely to strike over pay [1].", source) == "attribution-dropped"
    said = "After Ortiz said the water supply was safe, residents returned to their homes."
    assert reason("The water supply was safe [1].", said) == "attribution-dropped"


def test_a_list_of_names_makes_no_claim_to_attribute():
    source = "Rescuers searched the North Sea and the Irish Sea on Monday, the coastguard said."
    assert reason("The North Sea and the Irish Sea [1].", source) == "ok"


# ---- scope --------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer, source", [
    ("The oldest houses are in the north [1].", "Some of the oldest houses are in the north or in the west."),
    ("The oldest houses are in the north [1].", "The oldest houses are in the north or in the west."),
    ("The storm damaged 10 houses [1].", "The storm damaged at least 10 houses."),
    ("The flood covered the entire village [1].", "The flood covered almost the entire village."),
    ("All the staff went home early [1].", "The staff went home early."),
    ("The school was the only one to close [1].", "The school was one of three to close."),
])
def test_dropping_a_limit_or_adding_all_overstates(answer, source):
    assert reason(answer, source) == "scope"


def test_a_limit_kept_is_fine():
    assert reason("Some of the oldest houses are in the north or the west [1].",
                  "Some of the oldest houses are in the north or in the west.") == "ok"
    assert reason("The storm damaged at least 10 houses [1].", "The storm damaged at least 10 houses.") == "ok"


def test_under_negation_dropping_a_side_of_or_says_less():
    assert reason("The council did not raise taxes [1].", "The council did not raise taxes or fees.") == "ok"


# ---- similarity ---------------------------------------------------------------------------------

def test_the_similarity_bars_still_apply():
    source = "The city council approved the new budget on Monday after a long debate."
    assert reason("The council approved the budget [1].", source, cosine=0.45, overlap=0.9) == "ok"  # short, own terms
    assert reason("The council approved the budget [1].", source, cosine=0.3, overlap=1.0) == "low-similarity"
    assert reason("The mayor approved the budget [1].", source, cosine=0.45, overlap=0.7) == "low-similarity"
    # A verb of speaking is no claim of its own: "spoke at a briefing" reports "said at a briefing".
    said = "Ortiz said at a briefing on Monday that the water was safe."
    assert reason("Ortiz spoke at a briefing on Monday [1].", said, cosine=0.4, overlap=0.6,
                  source_speaker="Ortiz") == "ok"
    assert reason("Ortiz shouted at a briefing on Monday [1].", said, cosine=0.4, overlap=0.6,
                  source_speaker="Ortiz") == "low-similarity"
    long = "The council approved the new budget on Monday after a long debate about roads, schools and parks [1]."
    assert reason(long, source, cosine=0.45, overlap=0.6) == "low-similarity"


@pytest.mark.parametrize("cosine, overlap, why", [
    (0.75, 0.3, "ok"),  # close in meaning, reworded ("sacked" for "fired")
    (0.65, 0.3, "low-similarity"),  # reworded and not close enough
    (0.75, 0.2, "low-similarity"),  # close, but almost none of the source's words
])
def test_a_paraphrase_close_in_meaning_passes_with_few_shared_words(cosine, overlap, why):
    source = "The president sacked top officials of the regulator and vowed a major overhaul of the agency."
    answer = "The president fired senior officials at the regulator and promised to overhaul the agency [1]."
    assert reason(answer, source, cosine=cosine, overlap=overlap) == why


# ---- the benchmark ------------------------------------------------------------------------------

KINDS = {"faithful-paraphrase", "faithful-short", "negation-flip", "number-swap", "month-swap", "weekday-swap",
         "ordinal-swap", "misquotation", "attribution-dropped", "scope-overstatement", "wrong-speaker", "modality"}


def test_the_benchmark_is_hand_labelled_real_sentences_split_before_tuning():
    splits = {name: load_pairs(PAIRS_DIR / f"{name}.jsonl") for name in ("dev", "heldout")}
    rows = splits["dev"] + splits["heldout"]
    assert len(rows) >= 150 and len({r["id"] for r in rows}) == len(rows)
    assert 0.55 <= len(splits["dev"]) / len(rows) <= 0.65
    assert 0.35 <= sum(r["label"] == "faithful" for r in rows) / len(rows) <= 0.6
    assert {r["kind"] for r in rows} == KINDS
    assert all((r["label"] == "faithful") == r["kind"].startswith("faithful") for r in rows)
    flat = {}
    for row in rows:
        path = PROJECT_ROOT / row["doc"]
        flat.setdefault(path, " ".join(path.read_text(encoding="utf-8").split()))
        assert " ".join(row["source"].split()) in flat[path], row["id"]
    dev_docs = {r["doc"] for r in splits["dev"]}
    assert not dev_docs & {r["doc"] for r in splits["heldout"]}  # split by article


class _Splits(dict):
    """Each split scored when a test first asks for it: the dev tests never judge the held-out pairs."""

    def __init__(self, embedder):
        super().__init__()
        self.embedder = embedder

    def __missing__(self, name: str):
        self[name] = score(load_pairs(PAIRS_DIR / f"{name}.jsonl"), self.embedder)
        return self[name]


@pytest.fixture(scope="module")
def benchmark(embedder):
    return _Splits(embedder)


def test_dev_figures(benchmark):
    dev = benchmark["dev"]
    assert dev.faithful_rate >= 0.9
    assert not dev.unfaithful_accepted()  # the target, met on the half the rules were tuned on
    assert dev.precision == 1.0


# Each held-out file is bounded at the figures of the run that first reported it, so the judge
# cannot get worse on unseen pairs unnoticed (faithful rate, precision on supported, unfaithful
# pairs accepted):
# - heldout: written blind (2 Dec 2026), run once after rules tuned on dev: 85/107, 0.859, 14/162
#   (the targets, faithful >= 0.9 and none accepted, missed: README and docs/eval.md).
# - heldout2: written blind in session 23 (Tham Luang articles), first run 66/72, 0.880, 9/88. Its
#   misses were read in session 24, whose rules were chosen on it and on dev, so its bounds (67/72,
#   0.957, 3/88) are tuned figures, not blind ones.
# - heldout3: written blind in session 24 (Chilean miners, 2010) by a writer who never read the
#   judge, run once after that session's changes (the session-start judge: 47/72, 0.904, 5/88):
#   49/72 (target missed: 10 of the 23 rejections are paraphrases below the similarity bar),
#   0.925, 4/88 (target none, missed). Its misses were read in session 25, whose two rules were
#   chosen on it (compound number words, the paraphrase bar, "not only ... but", "every" for
#   "all"): 56/72, 0.933, 4/88, tuned figures.
# - heldout4: written blind in session 25 (Notre-Dame fire, 2019) by a writer who never read the
#   judge, run at that session's start and after its changes, the same both times: 54/72 (target
#   missed by 0.15), 0.931, 4/88 (target none, missed). Its misses were read in session 26, whose
#   rule (nouns that state a number, "twin", "trio", "initial") was chosen on it: 59/72, 0.937, 4/88.
# - heldout5: written blind in session 26 (the Ever Given in the Suez Canal, 2021) by a writer who
#   never read the judge; run at that session's start and after its change, the same both times:
#   61/72, 0.847, 11/88 (7 of 9 scope overstatements accepted). Its misses have not been read.
@pytest.mark.parametrize("split, faithful, precision, unfaithful", [
    ("heldout", 0.79, 0.85, 14),
    ("heldout2", 0.93, 0.95, 3),
    ("heldout3", 0.77, 0.93, 4),
    ("heldout4", 0.81, 0.93, 4),
    ("heldout5", 0.84, 0.84, 11),
])
def test_heldout_figures(benchmark, split, faithful, precision, unfaithful):
    scores = benchmark[split]
    assert scores.faithful_rate >= faithful
    assert scores.precision >= precision
    assert sum(scores.unfaithful_accepted().values()) <= unfaithful


def test_every_rule_rejects_something_on_dev(benchmark):
    reasons = {j.verdict.reason for j in benchmark["dev"].judged if not j.faithful}
    assert {"quote-not-verbatim", "number-mismatch", "negation", "modality", "attribution-dropped",
            "speaker-mismatch", "scope"} <= reasons


def test_the_summary_line_reports_every_figure(benchmark):
    line = benchmark["heldout"].summary("heldout")
    assert re.match(r"faithfulness judge \(heldout, \d+ pairs\): accuracy 0\.\d{3}, precision on supported", line)
    assert json.dumps(line)  # one plain line


def test_a_capitalised_word_inside_a_name_is_no_verb_of_saying():
    source = "The United States is again sending aid to the region."
    assert reason("The United States is again sending aid to the region [1].", source) == "ok"


def test_a_verb_of_saying_in_the_progressive_attributes():
    source = "The union is accusing the company of hiding its profits."
    assert reason("The company is hiding its profits [1].", source) == "attribution-dropped"
    assert reason("The union is accusing the company of hiding its profits [1].", source) == "ok"


def test_numbers_of_the_articles_title_and_date_may_be_used():
    source = "The bakery reopened on Monday."
    assert reason("The bakery reopened on Monday, 3 March [1].", source) == "number-mismatch"
    assert reason("The bakery reopened on Monday, 3 March [1].", source, context="Bakery back 2025 03 03 March") == "ok"


def test_a_negated_noun_without_its_modifier_denies_more():
    source = "The leak did not pose an immediate danger to the town."
    assert reason("The leak posed no danger to the town [1].", source) == "scope"
    assert reason("The leak posed no immediate danger to the town [1].", source) == "ok"
    assert reason("The leak was no danger to the town [1].", "The leak did not pose a danger to the town.") == "ok"


def test_one_of_them_limits_the_rest_of_the_sentence():
    source = "One of them was heading north but sank near the harbour entrance."
    assert reason("The boats sank near the harbour entrance [1].", source) == "scope"
    assert reason("One of the boats sank near the harbour entrance [1].", source) == "ok"
    assert reason("It sank near the harbour entrance [1].", source) == "ok"


def test_the_part_of_a_source_its_report_does_not_cover_needs_no_attribution():
    source = "Storms flooded the harbour on Tuesday, where police say the damage could reach 40 million."
    assert reason("Storms flooded the harbour on Tuesday [1].", source) == "ok"
    assert reason("The damage could reach 40 million [1].", source) == "attribution-dropped"
    joined = "The toll rose to 75 on Tuesday, and officials said it would climb further."
    assert reason("The toll rose to 75 on Tuesday [1].", joined) == "ok"
    closing = "The ferry sank in ten minutes, the coastguard told reporters."
    assert reason("The ferry sank in ten minutes [1].", closing) == "attribution-dropped"  # what it reports


def test_a_short_phrase_opened_by_a_preposition_states_nothing_of_its_own():
    source = "Police said up to 120 bodies could still be trapped in the collapsed harbour office building."
    assert reason("In the harbour office building [1].", source) == "ok"  # where: no claim to attribute
    assert reason("In the harbour office tower [1].", source) != "ok"  # a word the source lacks
    assert reason("Up to 120 bodies could still be trapped [1].", source) == "attribution-dropped"
    assert reason("In 12 buildings [1].", "Police searched 10 buildings on Monday.") == "number-mismatch"
    scope = "Fighting is heaviest in the East or in the South, the ministry said."
    assert reason("In the East [1].", scope) == "scope"  # a dropped alternative is still caught


def test_a_day_given_another_month_or_a_count_given_another_noun_is_a_swap():
    dated = "OSLO, March 1 -- Police say the toll from the Feb. 22 storm could rise to 40."
    assert reason("Police say the toll from the March 22 storm could rise to 40 [1].", dated) == "number-mismatch"
    assert reason("Police say the toll from the February 22 storm could rise to 40 [1].", dated) == "ok"
    counted = "One Swede and two Danes are known to be among the dead."
    assert reason("Two Swedes and one Dane are known to be among the dead [1].", counted) == "number-mismatch"
    assert reason("One Swede and two Danes are among the dead [1].", counted) == "ok"


def test_a_prefix_that_turns_a_word_around_flips_it():
    source = "The true cost of the storm was still unknown, officials said."
    assert reason("Officials said the true cost of the storm was already known [1].", source) == "negation"
    assert reason("Officials said the true cost of the storm was still unknown [1].", source) == "ok"


def test_one_end_of_a_range_alone_overstates_it():
    source = "The storm has triggered earnings downgrades of 11-32 percent for the insurers, analysts said."
    assert reason("Analysts said the storm triggered downgrades of 32 percent for the insurers [1].", source) == "scope"
    assert reason("Analysts said the storm triggered downgrades of 11-32 percent for the insurers [1].", source) == "ok"
    between = "Shares traded between $350 and $390 before the outage."
    assert reason("Shares traded at $390 before the outage [1].", between) == "scope"
    assert reason("Shares traded at $350 to $390 before the outage [1].", between) == "ok"


def test_a_speaker_the_source_does_not_give_its_claim_is_the_wrong_speaker():
    named = "In a letter, Tidewater said that its chief had called the Harbour Board, but got no reply."
    assert reason("The Harbour Board said its chief had called Tidewater but got no reply [1].", named) == "speaker-mismatch"
    assert reason("Tidewater said its chief had called the Harbour Board but got no reply [1].", named) == "ok"
    described = '"We know people want their cars back," police said in a statement.'
    assert reason("The fire service said in a statement it knew people wanted their cars back [1].",
                  described) == "speaker-mismatch"
    assert reason("Police said in a statement they knew people wanted their cars back [1].", described) == "ok"
    long = "A manager for the firm that built the pier where the ferry sank said on Tuesday that it was safe."
    assert reason("A manager of the firm that built the pier said on Tuesday that it was safe [1].", long) == "ok"


def test_a_negative_contraction_reads_as_its_long_form():
    source = "The inspectors couldn\u2019t safely enter the tunnel at that time, the mayor said."
    assert reason("The mayor said the inspectors could not safely enter the tunnel at that time [1].", source) == "ok"
    assert reason("The mayor said the inspectors could safely enter the tunnel at that time [1].", source) == "negation"
    assert reason("The mayor said the inspectors can't enter the tunnel [1].",
                  "The inspectors cannot enter the tunnel, the mayor said.") == "ok"


@pytest.mark.parametrize("source, flipped, faithful, why", [
    pytest.param("The stranded hikers were yet to be brought down from the ridge last night.",
                 "The stranded hikers had been brought down from the ridge by last night [1].",
                 "The stranded hikers had yet to be brought down from the ridge last night [1].",
                 "negation", id="yet-to-negates"),
    pytest.param("We carried him to the second camp, but he remained unconscious.",
                 "They carried him to the second camp and he regained consciousness [1].",
                 "They carried him to the second camp, but he remained unconscious [1].",
                 "negation", id="prefix-on-another-form-of-the-word"),
    pytest.param("The repairs were slow largely because the storm had cut the roads.",
                 "The repairs were slow because the storm had cut the roads [1].",
                 "The repairs were slow largely because the storm had cut the roads [1].",
                 "scope", id="degree-adverb-limits"),
])
def test_a_rule_rejects_the_flip_and_keeps_the_faithful_answer(source, flipped, faithful, why):
    assert reason(flipped, source) == why
    assert reason(faithful, source) == "ok"


def test_a_number_before_of_limits_the_claim_unless_the_answer_counts():
    source = "Three of the volunteers had been leading the search, the organiser said."
    assert reason("The organiser said the volunteers had been leading the search [1].", source) == "scope"
    assert reason("The organiser said three of the volunteers had been leading the search [1].", source) == "ok"
    counted = "Eight of the climbers were flown out over two days - four on Friday and four on Saturday."
    assert reason("Four climbers were flown out on Friday and four on Saturday [1].", counted) == "ok"


@pytest.mark.parametrize("source, flipped, kept", [
    ("Even for trained guides, the narrow ledges can be deadly.",
     "Even for trained guides, the narrow ledges are deadly [1].",
     "Even for trained guides, the narrow ledges can be deadly [1]."),
    ("The officials hoped that the climbers had found shelter.",
     "The climbers had found shelter [1].", "The officials hoped the climbers had found shelter [1]."),
    ("More than 40 workers are thought to have been inside the plant.",
     "More than 40 workers were inside the plant [1].",
     "More than 40 workers are thought to have been inside the plant [1]."),
])
def test_can_hope_and_thought_make_a_claim_uncertain(source, flipped, kept):
    assert reason(flipped, source) == "modality"
    assert reason(kept, source) == "ok"


@pytest.mark.parametrize("source, answer", [
    ("The storm could cost farmers $2 billion, the bank estimated.", "The storm could cost farmers $2 billion [1]."),
    ("The lawsuit argues that the firm hid the risk of its loans.", "The firm hid the risk of its loans [1]."),
])
def test_estimates_and_arguments_are_attributed(source, answer):
    assert reason(answer, source) == "attribution-dropped"


@pytest.mark.parametrize("later, earlier", [("heldout2", SPLITS), ("heldout3", SPLITS + ("heldout2",)),
                                           ("heldout4", SPLITS + ("heldout2", "heldout3")),
                                           ("heldout5", SPLITS + ("heldout2", "heldout3", "heldout4"))])
def test_each_later_heldout_file_is_real_sentences_of_another_story(later, earlier):
    rows = load_pairs(PAIRS_DIR / f"{later}.jsonl")
    assert len(rows) >= 150 and len({r["id"] for r in rows}) == len(rows)
    assert {r["kind"] for r in rows} == KINDS
    assert all((r["label"] == "faithful") == r["kind"].startswith("faithful") for r in rows)
    used = {r["doc"] for name in earlier for r in load_pairs(PAIRS_DIR / f"{name}.jsonl")}
    assert not used & {r["doc"] for r in rows}  # articles no earlier pair used
    for row in rows:
        flat = " ".join((PROJECT_ROOT / row["doc"]).read_text(encoding="utf-8").split())
        assert " ".join(row["source"].split()) in flat, row["id"]
