"""Question analysis and sentence choice as units: no store, sentences built directly.

The questions and sentences are about subjects of no seed article (ferries, a city
council, a strike), so nothing here can pass by knowing the demo story.
"""

from __future__ import annotations

import dataclasses

import pytest

from dossier.index import extractive
from dossier.index.lexical import tokenize
from dossier.index.models import SentenceRecord
from dossier.index.question import (SPEECH_TERMS, CorpusFacts, WordVectors, addresses, analyze_question,
                                    has_candidate, lexical_query, left_unnamed, mentions_subject, spelled_out,
                                    supports_focus)


@pytest.mark.parametrize("question,answer_type,focus", [
    ("How many passengers were aboard the ferry?", "quantity", ()),
    ("How much did the city pay for the new bridge?", "quantity", ("pay",)),
    ("How cold was the water in the harbour?", "quantity", ("water",)),
    ("When did the ferry sink?", "date", ("sink",)),
    ("On which day did the council vote on the budget?", "date", ("vote",)),
    ("Where did the ferry sink?", "place", ("sink",)),
    ("Why did the council close the harbour road?", "reason", ("close", "road")),
    ("Who won the mayoral election?", "person", ("won", "election")),
    ("Which spokeswoman announced the closure?", "person", ("announced", "closure")),
    ("Which news agency carried the mayor's statement?", "organisation", ("carried", "statement")),
    ("How did the union respond to the council's offer?", "response", ("respond",)),
    ("What did the mayor tweet after the vote?", "statement", ("tweet",)),
    ("What did the mayor say about the ferries?", "statement", ("say",)),
    ("Did the strike disrupt ferry services?", "yesno", ("disrupt", "services")),
    ("What did the transport department recommend to travellers?", "description", ("recommend",)),
    ("What does the closure reveal about the harbour's finances?", "description", ("finances",)),
    ("What happened to the ferry's engines before the crash?", "description", ("engines",)),
    ("What became of the old terminal?", "description", ("terminal",)),
    ("How far did the two swimmers have to swim?", "quantity", ("swim",)),  # not "two": a verb is asked about
    ("What happened to the ferry sailing from the north quay?", "description", ("ferry",)),
])
def test_answer_type_and_focus(question, answer_type, focus):
    analysis = analyze_question(question)
    assert analysis.answer_type == answer_type
    if focus:
        assert analysis.focus == focus
    assert analysis.text == question and analysis.terms == frozenset(tokenize(question)) - SPEECH_TERMS


def test_counted_noun_and_response_topic():
    assert analyze_question("How many passengers were aboard the ferry?").counted == "passengers"
    analysis = analyze_question("How did the union respond to the council's offer?")
    assert analysis.topic == "the council's offer"


def test_names_the_corpus_never_uses_are_unknown():
    known = {"harbour", "ferri", "council"}
    facts = CorpusFacts(knows=lambda term: term in known)
    analysis = analyze_question("What did Ursula Gruber say about the Harbour Council?", facts)
    assert analysis.unknown_names == ("Ursula", "Gruber")
    assert analyze_question("Besides ferries, what did the council close?", facts).unknown_names == ()
    # a capitalised abbreviation of a common noun names nothing the articles must contain
    assert analyze_question("Which TV network did the council speak to?", facts).unknown_names == ()
    assert analyze_question("What did the PM say about the ferries?", facts).unknown_names == ()


def test_a_speaker_of_the_corpus_is_the_person_asked_about():
    facts = CorpusFacts(speakers=frozenset({"Okafor"}))
    analysis = analyze_question("what did okafor say about the strike?", facts)
    assert analysis.person == "Okafor" and analysis.speech and analysis.topic == "the strike"


@pytest.mark.parametrize("question,sentence,expected", [
    ("How many passengers were aboard the ferry?", "The ferry carried 212 passengers and nine crew.", True),
    ("How many passengers were aboard the ferry?", "Passengers were aboard the ferry when it left at 9:40.", False),
    ("How many passengers were aboard the ferry?", "Several hundred passengers were aboard.", True),
    ("When did the ferry capsize?", "The ferry capsized on Tuesday evening.", True),
    ("When did the ferry capsize?", "The ferry capsized in the harbour.", False),
    ("Why did the council close the harbour road?", "The council closed the road because the sea wall cracked.",
     True),
    ("Why did the council close the harbour road?", "The council closed the harbour road.", False),
    ("How did the union respond to the council's offer?", "The union rejected the offer as an insult.", True),
    ("How did the union respond to the council's offer?", "The council made the union an offer on Monday.",
     False),
    ("Which news agency carried the mayor's statement?", "The statement was carried by the agency AFP.", True),
    ("Which news agency carried the mayor's statement?", "The mayor read a statement to reporters.", False),
    ("What did the mayor tweet after the vote?", "The mayor wrote on Twitter that the vote was a disgrace.",
     False),  # "tweet" is only matched by meaning, which needs the corpus's word vectors
])
def test_addresses_needs_a_candidate_of_the_type_and_the_focus(question, sentence, expected):
    assert addresses(analyze_question(question), sentence) is expected


def test_who_accepts_a_body_but_which_spokeswoman_wants_a_person():
    facts = CorpusFacts(speakers=frozenset({"Okafor"}))
    sentence = "The Harbour Authority announced the closure on Friday."
    assert has_candidate(analyze_question("Who announced the closure?", facts), sentence, facts)
    strict = analyze_question("Which spokeswoman announced the closure?", facts)
    assert not has_candidate(strict, sentence, facts)
    assert has_candidate(strict, "Spokeswoman Ada Okafor announced the closure.", facts, speaker="Okafor")


@pytest.fixture(scope="module")
def vectors(embedder) -> CorpusFacts:
    """Word vectors of a small vocabulary, as the engine builds them once per store revision."""
    words = {"paid": "paid", "ship": "ship", "twitter": "twitter", "said": "said", "dead": "dead", "fire": "fired"}
    stems = sorted(words)
    matrix = embedder.embed([words[s] for s in stems])
    return CorpusFacts(vectors=WordVectors(stems, matrix), embed=embedder.embed)


def test_focus_by_meaning_with_the_corpus_word_vectors(vectors):
    pay = analyze_question("How much did the city pay for the bridge?", vectors)
    assert "paid" in pay.focus_terms and "ship" not in pay.focus_terms  # "pay" and "paid" stem apart
    assert supports_focus(pay, "The city paid 40 million dollars.")
    assert not supports_focus(pay, "The city will ship the parts by sea.")
    tweet = analyze_question("What did the mayor tweet after the vote?", vectors)
    assert supports_focus(tweet, "The mayor wrote on Twitter that the vote was a disgrace.")
    assert not supports_focus(tweet, "The mayor said the vote was a disgrace.")
    killed = analyze_question("How many people were killed in the storm?", vectors)
    assert "dead" in killed.focus_terms and "fire" not in killed.focus_terms


# ---- sentence choice -------------------------------------------------------------------------------


def record(n: int, text: str, embedder, speaker: str = "") -> SentenceRecord:
    return SentenceRecord(sentence_id=f"d{n}:{n}", doc_id=f"d{n}", text=text, start=0, end=len(text),
                          speaker=speaker, quoted='"' in text, quote=text, embedding=embedder.embed([text])[0])


def choose(question: str, texts: list[str], embedder, facts: CorpusFacts = CorpusFacts()):
    analysis = analyze_question(question, facts)
    records = [record(i, t, embedder) for i, t in enumerate(texts)]
    scored = extractive.score_sentences(embedder.embed([question])[0], analysis, records, lambda t: 1.0,
                                        corpus=facts)
    return scored


def test_a_number_beats_a_sentence_that_only_repeats_the_question(embedder):
    scored = choose("How many passengers did the ferry carry when it capsized?", [
        "The ferry was carrying passengers when it capsized near the harbour mouth.",
        "Officials said the ferry carried 212 passengers and nine crew.",
    ], embedder)
    lines = extractive.select_lines(scored, 400, lambda r: [])
    assert extractive.answered(scored)
    assert "212 passengers" in lines[0].lead.record.text


def test_what_x_concluded_needs_x_s_finding_on_the_focus_in_one_sentence(embedder):
    question = "What did the inspectors conclude caused the collapse?"
    assert analyze_question(question).answer_type == "statement"
    scored = choose(question, [
        "The inspectors said the pier had been painted in May.",  # theirs, on something else
        "Early reports suggested the collapse was caused by a storm.",  # on it, nobody's finding
    ], embedder)
    assert not extractive.answered(scored, analyze_question(question))
    scored = choose(question, ["The inspectors concluded that corrosion caused the collapse."], embedder)
    assert extractive.answered(scored, analyze_question(question))


def test_what_is_x_s_job_asks_who_x_is():
    analysis = analyze_question("What is Ada Okafor's job?")
    assert analysis.answer_type == "person" and analysis.terms == frozenset(tokenize("Ada Okafor"))
    assert analysis.focus == () and not analysis.unknown_names
    assert analyze_question("What was the mayor's role?").answer_type == "description"  # a role, no name
    typed = analyze_question("what's okafor's role at the harbour?", CorpusFacts(speakers=frozenset({"Okafor"})))
    assert typed.answer_type == "person" and typed.person == "Okafor"  # typed in lower case, a person of the corpus
    both = analyze_question("What is Ada Okafor's rank or job in the coastguard?")
    assert both.answer_type == "person" and both.focus == ()  # two words for the role ask the same


@pytest.mark.parametrize("question", [
    "What rank does Ada Okafor hold?",
    "Which agency is Ada Okafor with?",
    "which organisation is ada okafor in charge of",
    "Which company does Ada Okafor work for?",
    "whats ada okafor's rank and which unit is she with",
])
def test_a_post_or_employer_asked_with_a_verb_asks_who_x_is(question):
    corpus = CorpusFacts(speakers=frozenset({"Okafor"}), proper=frozenset({"Ada", "Okafor"}))
    analysis = analyze_question(question, corpus)
    assert analysis.answer_type == "person" and analysis.focus == ()
    assert analysis.terms == frozenset(tokenize("Ada Okafor")) and not analysis.unknown_names


def test_a_question_word_typed_without_its_apostrophe_is_no_name():
    analysis = analyze_question("whats the ferry's top speed")
    assert not analysis.unknown_names and "what" not in analysis.terms
    assert analyze_question("why didnt the ferry sail").answer_type == "reason"


@pytest.mark.parametrize("question,asked", [
    ("What has the coastguard got to do with this story?", "coastguard"),
    ("Where does the Harbour Board fit into all of this?", "harbour board"),
    ("What role did the ferry union play in the strike?", "ferry union"),
    ("How is Ada Okafor involved?", "ada okafor"),
    ("what happened on Tuesday?", "tuesday"),
    ("so what all happened back in March in this story", "march"),
])
def test_how_something_figures_or_a_time_alone_is_asked_as_what_about_it(question, asked):
    analysis = analyze_question(question)
    assert analysis.answer_type == "description" and analysis.terms == frozenset(tokenize(asked))
    assert not analysis.focus or set(analysis.focus) <= set(asked.split())


def test_what_happened_somewhere_and_a_pronoun_are_not_rephrased():
    assert analyze_question("What happened at the quay?").recased != "What about the quay?"
    assert analyze_question("What has it got to do with the strike?").recased.startswith("What has it")

def test_what_time_of_day_is_answered_by_a_part_of_the_day_too():
    analysis = analyze_question("What time of day did the ferry leave the quay?")
    assert has_candidate(analysis, "The ferry left the quay in the middle of the night.")
    assert has_candidate(analysis, "The ferry left the quay at 6 a.m.")
    assert not has_candidate(analysis, "The ferry left the quay on Tuesday.")
    assert not has_candidate(analyze_question("What time did the ferry leave the quay?"),
                             "The ferry left the quay in the afternoon.")  # the clock is asked


def test_when_is_answered_by_a_time_of_day_too():
    analysis = analyze_question("When did the ferry leave the quay?")
    assert has_candidate(analysis, "The ferry left the quay at 6 a.m.")
    assert has_candidate(analysis, "It sailed at 0527 GMT, the operator said.")
    assert not has_candidate(analysis, "The ferry left the quay with 40 passengers.")


def test_what_altitude_asks_for_a_number_of_that_measure():
    analysis = analyze_question("What altitude did the glider reach over the lake?")
    assert analysis.answer_type == "quantity" and analysis.counted_terms == frozenset(tokenize("altitude"))
    assert has_candidate(analysis, "The glider climbed to an altitude of 3,200 metres.")
    assert not has_candidate(analysis, "Twelve gliders took off from the lake shore on Sunday.")


def test_a_question_the_article_asks_is_no_answer(embedder):
    scored = choose("What happened to the ferry's engines?", [
        "WHAT HAPPENED TO THE ENGINES?",
        "Both engines of the ferry stalled minutes after it left the quay.",
    ], embedder)
    asked = next(s for s in scored if s.record.text.endswith("?"))
    assert not asked.candidate and not asked.addresses
    assert extractive.select_lines(scored, 400, lambda r: [])[0].lead.record.text.startswith("Both engines")


def test_a_denial_beats_the_accusation_it_answers(embedder):
    scored = choose("How did the union respond to the council's accusations?", [
        "The council accused the union of organising an illegal strike at the port.",
        "The union rejected the accusations as baseless.",
    ], embedder)
    lines = extractive.select_lines(scored, 400, lambda r: [])
    assert "rejected" in lines[0].lead.record.text


def test_a_focus_no_sentence_speaks_to_is_related_not_answered(embedder):
    texts = ["The new ferry entered service in May with 300 seats.",
             "The ferry operator said 12 crossings a day are planned."]
    assert not extractive.answered(choose("How much did the new ferry cost?", texts, embedder))
    assert extractive.answered(choose("How many seats does the new ferry have?", texts, embedder))


def test_no_sentences_is_not_answered():
    assert not extractive.answered([]) and extractive.answering([]) == []


def test_a_count_is_a_number_of_the_things_asked_about_not_a_length_or_a_time():
    analysis = analyze_question("How many containers fell off the ship?")
    assert analysis.counted == "containers"
    assert not has_candidate(analysis, "At 0527 GMT, a 948ft container ship lost power 57 kilometers out.")
    assert has_candidate(analysis, "About 40 containers fell into the river.")
    assert has_candidate(analysis, "Forty of the containers fell overboard.")


def test_what_x_said_is_answered_only_by_x():
    analysis = analyze_question("What did the harbour master say about the fog?")
    assert analysis.answer_type == "statement" and analysis.focus == ("say",)
    assert has_candidate(analysis, '"Visibility was nil," the harbour master said.')
    assert not has_candidate(analysis, '"Visibility was nil," Okafor said of the fog.', speaker="Okafor")
    assert has_candidate(analysis, '"Nil," she said.', speaker="Master")  # the speaker found at ingest


def test_a_long_subject_before_its_verb_of_saying_is_who_spoke():
    analysis = analyze_question("What did the chief engineer at the ferry company say about the repairs?")
    assert analysis.speaker_terms
    long_subject = ("The chief engineer for the company that ran the ferry which sank in the storm "
                    "said on Monday that repairs would take weeks.")
    assert has_candidate(analysis, long_subject)
    # with a comma the words before it are not one subject: whoever spoke is near the verb
    assert not has_candidate(analysis, "After the chief engineer at the ferry company left, the "
                                       "port's lawyers for the families of the crew said repairs would wait.")


def test_auxiliaries_before_a_verb_of_saying_do_not_push_its_subject_out_of_reach():
    analysis = analyze_question("What did the port authority official say about the fog?")
    assert has_candidate(analysis, '"The fog is lifting," an official with the city port authority could '
                                   'then be heard saying on the radio.')
    assert not has_candidate(analysis, '"The fog is lifting," a pilot of the ferry that left the city port '
                                       'could then be heard saying.')


def test_a_rate_is_not_a_count_of_its_unit():
    analysis = analyze_question("How many years will the repairs take?")
    assert not has_candidate(analysis, "The road carried 11.3 million vehicles a year.")
    assert not has_candidate(analysis, "Crews worked 12 hours per day.")
    assert has_candidate(analysis, "The repairs will take four years.")


def test_a_word_made_opposite_by_a_prefix_speaks_to_the_word():
    analysis = analyze_question("Is the report still classified?")
    assert supports_focus(analysis, "The declassified report was shared openly.")
    sign = analyze_question("Did the mayor sign the contract?")
    assert not supports_focus(sign, "The mayor praised the design.")


def test_a_capital_at_the_start_of_a_sentence_names_nothing_the_corpus_writes_in_lower_case():
    facts = CorpusFacts(proper=frozenset({"oslo"}))
    analysis = analyze_question("Which port did the ferry reach?", facts)
    assert not has_candidate(analysis, "Another ferry reached a port at dawn.", facts)
    assert has_candidate(analysis, "Oslo was reached at dawn.", facts)
    assert has_candidate(analysis, "Another ferry reached Bergen at dawn.", facts)


def test_which_month_or_year_is_answered_by_that_part_of_a_date():
    month = analyze_question("In which month did the strike begin?")
    assert month.calendar == "month"
    assert not has_candidate(month, "The strike began on Tuesday.")
    assert has_candidate(month, "The strike began in February.")
    year = analyze_question("What year did the bridge open?")
    assert year.calendar == "year"
    assert not has_candidate(year, "The bridge opened in March.") and has_candidate(year, "It opened in 1977.")
    assert analyze_question("When did the bridge open?").calendar == ""


def test_a_leading_time_clause_is_not_the_question():
    analysis = analyze_question("When the mayor spoke to the radio, how many ferries had sailed?")
    assert analysis.answer_type == "quantity" and analysis.counted == "ferries"
    assert {"mayor", "radio"} <= analysis.terms  # its words still find the sentences
    assert analyze_question("When did the mayor speak to the radio?").answer_type == "date"
    assert analyze_question("After the storm, did the ferry sail?").answer_type == "yesno"


def test_what_an_acronym_stands_for_is_a_name_with_its_initials():
    analysis = analyze_question("What does NTSB stand for?")
    assert analysis.expands == "NTSB"
    spelled = "The National Transportation Safety Board (NTSB) opened an inquiry."
    assert has_candidate(analysis, spelled) and supports_focus(analysis, spelled)
    assert not has_candidate(analysis, "The NTSB opened an inquiry on Tuesday.")


def test_an_acronym_is_spelled_by_any_run_of_a_capitalised_name():
    assert spelled_out("Both Norway's Coastal Ferry Line and Tidewater said so.", "CFL")
    assert not spelled_out("The Coastal Line said so.", "CFL")
    assert not spelled_out("The Coastal Ferry Line said so.", "Cfl")  # only a word in capitals


def test_an_acronym_is_also_spelled_by_the_lower_case_words_that_introduce_it():
    analysis = analyze_question("what does LNG stand for")
    assert has_candidate(analysis, "The berth takes liquefied natural gas (LNG) tankers.")
    assert has_candidate(analysis, "It holds 9,000 twenty-foot equivalent units, or LNG, a made-up measure.") is False
    teu = analyze_question("What does TEU stand for?")
    assert has_candidate(teu, "It holds 9,000 twenty-foot equivalent units, or TEU, a measure of capacity.")
    # the same initials in words that do not introduce it spell nothing
    assert not has_candidate(analysis, "A large national group LNG said so.")


def test_nouns_joined_by_and_or_other_are_all_counted():
    analysis = analyze_question("how many teachers and other staff of the school are missing")
    assert analysis.counted_terms == frozenset(tokenize("teachers staff"))
    assert has_candidate(analysis, "At least nine staff members are also missing.")


def test_a_number_joined_to_what_it_counts_is_a_count():
    analysis = analyze_question("how many lanes does the tunnel have")
    assert has_candidate(analysis, "The tunnel is a four-lane road under the bay.")
    assert has_candidate(analysis, "It opened as a 2-lane crossing.")
    assert not has_candidate(analysis, "The tunnel has a well-lit lane for buses.")


def test_a_number_the_question_states_is_not_its_answer():
    analysis = analyze_question("How many of the nine ferries were late?")
    assert analysis.counted == "ferries"
    assert not has_candidate(analysis, "Nine ferries sailed from the island on Monday.")
    assert has_candidate(analysis, "Four of the ferries were late on Monday.")
    plain = analyze_question("How many ferries were late?")
    assert has_candidate(plain, "Nine ferries were late on Monday.")


def test_the_name_of_a_described_individual_needs_a_sentence_about_that_individual():
    analysis = analyze_question("What were the names of the two Danes killed?")
    assert analysis.named == "danes" and analysis.described and analysis.focus == ("killed",)
    assert not has_candidate(analysis, "One Swede and two Danes are among the dead.")  # coordination
    assert not has_candidate(analysis, "Police named four victims: Ann Lee and Tom Reyes.")  # not the Danes
    assert has_candidate(analysis, "The two Danes, Ole Berg and Lars Moe, died in the fire.")
    who = analyze_question("Who was the officer who closed the road?")
    assert who.described and not has_candidate(who, "Mayor Ann Lee thanked the crews.")
    # "which network": the answer often stands alone ("KXTV reported ...")
    which = analyze_question("Which network reported the rescue?")
    assert not which.described and has_candidate(which, "KXTV reported that divers found the car.")


def test_what_x_said_y_would_do_asks_about_the_clause():
    analysis = analyze_question("What did the council say the new terminal would cost?")
    assert analysis.focus == ("cost",)
    assert not addresses(analysis, '"The terminal opens in May," the council said.')
    assert addresses(analysis, "The council said the terminal would cost 40 million euros.")


def test_a_rewording_takes_the_focus_from_its_source_but_not_the_candidate():
    analysis = analyze_question("How much cargo was the freighter carrying?")
    reworded = "The freighter was carrying 4,700 containers."
    source = "Its cargo was 4,700 containers, the operator said."
    assert not addresses(analysis, reworded)  # alone it does not say "cargo"
    assert addresses(analysis, reworded, source_text=source)
    # The candidate must be in the answer sentence itself: a source with the number does
    # not make a sentence without one an answer.
    assert not addresses(analysis, "The freighter was carrying cargo.", source_text=source)
    # A source on something else lends no focus.
    assert not addresses(analysis, reworded, source_text="The freighter left port with 22 crew.")


@pytest.mark.parametrize("sentence", [
    "The union declined to comment on the offer.",
    "The union welcomed the offer as a first step.",
    "The union rejected the offer as an insult.",
])
def test_a_reaction_need_not_be_a_denial(sentence):
    assert addresses(analyze_question("How did the union respond to the council's offer?"), sentence)


def test_what_x_said_needs_x_as_the_one_who_says_it():
    analysis = analyze_question("What did the ferry operators say about the new tolls?")
    assert has_candidate(analysis, "The ferry operators said the new tolls would drive passengers away.")
    assert has_candidate(analysis, '"It will drive passengers away," said the ferry operators of the tolls.')
    # The operators named only as the object of someone else's words say nothing here.
    assert not has_candidate(analysis, "The council vowed to impose the new tolls on ferry operators next year.")


def test_what_the_admiral_said_is_found_by_the_title_before_the_speakers_name():
    analysis = analyze_question("What did the harbour master say about the fog?")
    assert has_candidate(analysis, '"Nothing moved," said harbour master Ines Duarte.', speaker="Duarte")
    assert not has_candidate(analysis, 'Okafor said the harbour master had closed the port.', speaker="Okafor")


def test_a_name_the_corpus_uses_under_another_word_is_not_unknown(embedder):
    words = {"us": "US", "ukrain": "Ukraine", "ferri": "ferry"}
    stems = sorted(words)
    facts = CorpusFacts(knows=lambda term: term in words, vectors=WordVectors(stems, embedder.embed(
        [words[s] for s in stems])), embed=embedder.embed)
    assert analyze_question("What did America say about the ferry?", facts).unknown_names == ()
    assert analyze_question("What did Zelensky say about the ferry?", facts).unknown_names == ("Zelensky",)


def test_the_vocabulary_is_embedded_once_and_only_new_words_after_an_ingest(tmp_path, embedder):
    from dossier.index.lexical import LexicalIndex

    asked: list[list[str]] = []

    def embed(words: list[str]):
        asked.append(list(words))
        return embedder.embed(words)

    index = LexicalIndex(tmp_path / "bm25")
    index.build([("c1", "d1", "The ferry sank in the harbour."), ("c2", "d1", "The ferries sank.")], revision=1)
    stems, matrix = index.word_vectors(embed)
    assert set(stems) == {"ferri", "sank", "harbour"} and matrix.shape == (3, 384)
    assert len(asked) == 1 and len(asked[0]) == 3 and {"sank", "harbour"} <= set(asked[0])
    assert index.word_vectors(embed)[0] == stems and len(asked) == 1  # same revision: nothing embedded
    reopened = LexicalIndex(tmp_path / "bm25")
    assert reopened.load()
    reopened.build([("c1", "d1", "The ferry sank in the harbour."), ("c3", "d2", "Pilots struck.")], revision=2)
    reopened.word_vectors(embed)
    assert sorted(asked[1]) == ["pilots", "struck"]  # a new revision embeds only the new words


def test_speaking_of_something_is_a_speech_verb_any_statement_supports(embedder):
    """"the official who spoke of ..." asks about a statement; "said" speaks to it as well as "spoke"."""
    texts = ['"The closure is only temporary," the deputy director of the Harbour Authority said on Monday.']
    scored = choose("Which authority does the official who spoke of a temporary closure work for?", texts, embedder)
    assert scored[0].focus and extractive.answered(scored)


def test_a_light_verb_without_an_object_is_about_its_subject(embedder):
    """"put" says little: "when were the new fares put on the ferries" asks when the fares came in."""
    question = "When were the new fares put on the ferries?"
    assert "fares" in analyze_question(question).focus
    assert "memorial" in analyze_question("Where was the memorial held?").focus
    scored = choose(question, ["The council introduced the new fares in March after a long dispute."], embedder)
    assert extractive.answered(scored)


def test_what_someone_said_about_a_topic_has_the_topic_whoever_speaks():
    """The topic steers dense scoring to the *what*; it is there whether or not the speaker
    is one the corpus attributes sentences to ("the council", "the harbour master")."""
    assert analyze_question("What did the harbour master say about the fares?").topic == "the fares"
    facts = CorpusFacts(speakers=frozenset({"Okafor"}))
    assert analyze_question("What did Okafor say about the fares?", facts).topic == "the fares"


@pytest.mark.parametrize("question,focus", [
    ("What is the name of the ferry's captain?", ("captain",)),
    ("What was the name of the company that ran the ferry?", ("company",)),
    ("What kind of boat sank in the harbour?", ("boat",)),
    ("What type of ferry hit the pier?", ("ferry",)),
])
def test_a_name_or_kind_is_the_answer_and_what_it_names_the_focus(question, focus):
    assert analyze_question(question).focus == focus


def test_naming_something_else_does_not_answer_what_is_the_name_of(embedder):
    question = "What is the name of the ferry's captain?"
    assert not extractive.answered(choose(question, ["A ferry named Aurora left the harbour at noon."], embedder))
    assert extractive.answered(choose(question, ["Captain Ilse Varga steered the Aurora out at noon."], embedder))


@pytest.mark.parametrize("wrapped,plain", [
    ("Can you tell me who won the mayoral election?", "Who won the mayoral election?"),
    ("Please tell me: how many passengers did the ferry carry?", "How many passengers did the ferry carry?"),
    ("Do you know which news agency carried the mayor's statement?",
     "Which news agency carried the mayor's statement?"),
    ("Please, why did the council close the harbour road?", "Why did the council close the harbour road?"),
    ("According to the articles, who won the mayoral election?", "Who won the mayoral election?"),
    ("How many passengers did the ferry carry, according to the reports?", "How many passengers did the ferry carry?"),
])
def test_a_request_around_a_question_asks_what_the_question_asks(wrapped, plain):
    """"tell me" is no speech question, "Please" no name: the request is not analysed."""
    facts = CorpusFacts(knows=lambda term: False)  # every name is unknown: "Please" must not be one
    a, b = analyze_question(wrapped, facts), analyze_question(plain, facts)
    assert (a.answer_type, a.focus, a.terms, a.unknown_names) == (b.answer_type, b.focus, b.terms, b.unknown_names)
    assert a.text == wrapped


@pytest.mark.parametrize("question,answer_type,focus", [
    ("Do you know when the ferry sank?", "date", ("sank",)),
    ("I would like to know why the council closed the harbour road.", "reason", ("closed", "road")),
    ("Tell me what the mayor said about the fares.", "statement", ("said",)),
])
def test_an_embedded_question_keeps_its_type_and_focus(question, answer_type, focus):
    analysis = analyze_question(question)
    assert (analysis.answer_type, analysis.focus) == (answer_type, focus)


def _scored(text: str, doc: str, embedder, question: str, score: float) -> extractive.ScoredSentence:
    """A sentence scored by hand (so the test does not depend on how close two scores fall)
    with the question's terms it contains computed as scoring computes them."""
    analysis = analyze_question(question)
    rec = SentenceRecord(sentence_id=f"{doc}:{score}", doc_id=doc, text=text, start=0, end=len(text), speaker="",
                         quoted=False, quote=text, embedding=embedder.embed([text])[0])
    matched = frozenset(extractive.sentence_terms(rec) & (analysis.terms | analysis.focus_terms)) - SPEECH_TERMS
    return extractive.ScoredSentence(record=rec, relevance=score, score=score, matched=matched)


def test_another_outlet_repeating_the_first_line_adds_no_line(embedder):
    """A further line from an article not yet cited must bring a word of the question that the
    lines so far lack; one from the article already cited costs no new source."""
    question = "How many passengers were on the ferry when it capsized?"
    first = _scored("The ferry capsized with 212 passengers on board.", "a", embedder, question, 1.0)
    repeat = _scored("All 212 passengers of the ferry were later rescued by fishing boats.", "b", embedder, question,
                     0.95)
    same_article = _scored("Rescuers reached the passengers within an hour.", "a", embedder, question, 0.94)
    lines = extractive.select_lines([first, repeat, same_article], 400, lambda r: [])
    assert [line.lead.record.doc_id for line in lines] == ["a", "a"]
    assert repeat.matched <= first.matched  # what the rule looks at: nothing of the question is new


def test_a_line_from_another_article_that_adds_part_of_the_question_is_kept(embedder):
    question = "How many passengers were on the ferry when it capsized?"
    first = _scored("The ferry carried 212 passengers on Tuesday.", "a", embedder, question, 1.0)
    more = _scored("It capsized off the harbour mouth in heavy fog.", "b", embedder, question, 0.95)
    lines = extractive.select_lines([first, more], 400, lambda r: [])
    assert [line.lead.record.doc_id for line in lines] == ["a", "b"]


def test_a_thing_spoken_of_with_an_indefinite_article_is_left_unnamed():
    analysis = analyze_question("Which hospital were the injured taken to?")
    assert left_unnamed(analysis, "One of them was taken to a hospital with serious injuries.")
    assert left_unnamed(analysis, "Both were taken to an area hospital.")
    assert not left_unnamed(analysis, "Both were taken to the hospital.")  # may be named elsewhere
    assert not left_unnamed(analysis, "Both were taken to a Mercy Hospital ward.")
    assert not left_unnamed(analyze_question("When were the injured taken to hospital?"), "taken to a hospital")


def test_which_thing_is_not_answered_when_the_best_sentence_leaves_it_unnamed(embedder):
    question = "Which hospital were the injured workers taken to?"
    scored = choose(question, ["The two injured workers were taken to a hospital on Tuesday.",
                               "Ann Lee said the injured workers were taken away."], embedder)
    assert any(s.addresses for s in scored)  # a name elsewhere, where no hospital is mentioned
    assert not extractive.answered(scored, analyze_question(question))
    scored = choose(question, ["The two injured workers were taken to St Mary's Hospital on Tuesday.",
                               "Mayor Ann Lee thanked the crews at the harbour."], embedder)
    assert extractive.answered(scored, analyze_question(question))


@pytest.mark.parametrize("question", ["Which ferry hit the pier?", "What was the name of the ferry's captain?",
                                      "What is the name of the company that ran the ferry?"])
def test_which_thing_or_the_name_of_one_is_answered_by_a_name(question):
    """"Which <noun>" picks one thing out and "the name of" asks for it: a name the question
    does not hold answers, a sentence that only repeats the question's nouns does not."""
    analysis = analyze_question(question)
    assert analysis.answer_type == "name"
    assert has_candidate(analysis, "The Aurora, run by Tidewater Lines under Captain Ilse Varga, left at noon.")
    assert not has_candidate(analysis, "the ferry's captain said the company ran the ferry at a loss.")


def test_a_verb_after_the_noun_of_which_ends_its_phrase():
    assert analyze_question("Which interstate highway ran across the bridge?").named == "highway"


def test_what_some_noun_is_not_asked_for_by_name():
    assert analyze_question("What weapons did the rebels use?").answer_type == "description"
    assert analyze_question("Which is the busiest port?").answer_type == "description"


def test_what_x_said_about_a_topic_is_answered_only_by_words_on_that_topic(embedder):
    facts = CorpusFacts(vectors=WordVectors(["fare", "fog"], embedder.embed(["fares", "fog"])), embed=embedder.embed)
    analysis = analyze_question("What did the mayor say about the fares?", facts)
    assert "fare" in analysis.about_terms
    assert supports_focus(analysis, '"The fares will stay as they are," the mayor said.')
    assert not supports_focus(analysis, '"The fog will lift by noon," the mayor said.')
    named = analyze_question("What did the mayor say about Norway?", facts)
    assert named.about_terms == {"norway"}  # a name means itself, not the nearest word in meaning
    assert not supports_focus(named, '"The fog will lift by noon," the mayor said.')


@pytest.mark.parametrize("question,focus", [
    ("When will the bridge be rebuilt?", ("rebuilt",)),
    ("Will the ferry be repaired?", ("repaired",)),
    ("Has the ship been moved?", ("moved",)),
])
def test_a_passive_after_a_subject_asks_about_its_participle(question, focus):
    assert analyze_question(question).focus == focus


def test_making_remarks_is_saying_something():
    analysis = analyze_question("On which day did Mayor Okafor make his remarks?")
    assert analysis.focus == ("make", "remarks")
    assert supports_focus(analysis, "Okafor said on Tuesday that the port would reopen.")
    assert not supports_focus(analysis, "Okafor inspected the pier on Tuesday.")


def test_words_only_loosely_alike_do_not_vouch_for_a_focus(embedder):
    """treated/handled (0.62) and people/personnel (0.60) sit under FOCUS_SIMILARITY;
    treated/treatment (0.78) is above it."""
    words = {"handl": "handled", "treatment": "treatment", "personnel": "personnel"}
    stems = sorted(words)
    facts = CorpusFacts(vectors=WordVectors(stems, embedder.embed([words[s] for s in stems])), embed=embedder.embed)
    treated = analyze_question("Which hospital treated the injured people?", facts)
    assert "treatment" in treated.focus_terms
    assert "handl" not in treated.focus_terms and "personnel" not in treated.focus_terms


@pytest.mark.parametrize("question,apart,together", [
    ("When will the harbour road reopen?",
     ["The harbour road was closed on Tuesday after the storm.", "The council has promised to reopen the harbour road."],
     "The harbour road will reopen on Friday, the council said."),
    ("How many flares did the crew fire?",
     ["The crew fired flares as the ferry drifted.", "Rescuers counted 14 flares over the bay."],
     "The crew fired 14 flares before the ferry sank."),
])
def test_a_date_or_a_count_beside_a_sentence_on_the_focus_does_not_answer(embedder, question, apart, together):
    """Weekdays, names and numbers fill news sentences: "when" and "how many" are answered by a
    sentence that has the date or the count *and* speaks to what is asked, not by one such
    sentence beside another on the topic."""
    analysis = analyze_question(question)
    scored = choose(question, apart, embedder)
    assert any(s.candidate for s in scored) and any(s.focus for s in scored)
    assert not extractive.answered(scored, analysis)
    assert extractive.answered(choose(question, apart + [together], embedder), analysis)


def test_how_much_is_answered_by_an_amount_not_a_count_of_things():
    analysis = analyze_question("How much did the city pay for the ferries?")
    assert analysis.amount and analysis.counted is None
    for amount in ["The city paid $4 million for them.", "The deal was worth 12 billion kronor.",
                   "Each weighs 95,000 tons.", "It carried 4,679 TEU.", "Fares rose 11%."]:
        assert has_candidate(analysis, amount), amount
    for count in ["The city took delivery of hundreds Danish-built ferries.", "Three other ferries were sold."]:
        assert not has_candidate(analysis, count), count
    assert has_candidate(analyze_question("How many ferries did the city buy?"), "Three other ferries were sold.")
    assert not analyze_question("How much cargo was the ship carrying?").amount  # "4,700 containers" may answer


def test_a_noun_after_a_name_in_a_count_is_what_is_counted():
    analysis = analyze_question("How many Danish personnel were sent to the port?")
    assert analysis.counted == "personnel" and analysis.count_names == ("Danish",)
    assert not has_candidate(analysis, "Denmark sent Danish personnel to the port on 3 May.")
    assert has_candidate(analysis, "About 40 Danish personnel were sent to the port.")


def test_a_count_or_a_measure_in_another_sentence_does_not_answer(embedder):
    """"How many" and "how deep" are answered by a number in a sentence on what is asked, however
    close in score a count or a length elsewhere is (their focus is checked in that sentence)."""
    question = "How many ferries did the city buy?"
    analysis = analyze_question(question)
    focus = dataclasses.replace(_scored("The city bought new ferries for the harbour.", "a", embedder, question, 1.5),
                                candidate=False)
    for score in (1.5 - extractive.ANSWER_WINDOW - 0.1, 1.3):
        count = _scored("Twelve ferries were built in the yard last century.", "b", embedder, question, score)
        assert not extractive.answered([focus, dataclasses.replace(count, focus=False)], analysis)
    bought = _scored("The city bought twelve ferries in May.", "c", embedder, question, 1.2)
    assert extractive.answered([focus, bought], analysis)
    assert not extractive.answered([], analysis)  # nothing retrieved: no answer, no error
    deep = analyze_question("How deep was the shaft the crews planned to dig?")
    shaft = _scored("The crews will dig a narrow shaft into the hillside.", "a", embedder, question, 1.5)
    length = _scored("The cave runs 10km under the hill.", "b", embedder, question, 1.3)
    assert not extractive.answered([dataclasses.replace(shaft, candidate=False),
                                    dataclasses.replace(length, focus=False)], deep)


def test_a_named_subject_must_be_what_the_answering_sentence_is_about():
    """"When did Ann Lee resign" is not answered by a date of someone else's resignation."""
    question = "When did Ann Lee resign from the board?"
    analysis = analyze_question(question)
    assert analysis.subject_name == ("Ann", "Lee")
    assert not mentions_subject(analysis, "Tom Reyes resigned from the board in May.")
    assert mentions_subject(analysis, "Lee resigned from the board in May.")
    assert mentions_subject(analysis, "She resigned in May.", subject="Lee")  # the pronoun resolved at ingest
    assert analyze_question("Did Mexico send ships?").subject_name == ("Mexico",)
    assert mentions_subject(analyze_question("Did Mexico send ships?"), "Mexican ships sailed.")
    # who- and what-did-X-say questions bind names their own way
    assert analyze_question("What did Ann Lee say about the board?").subject_name == ()
    assert analyze_question("When did February's storm hit?").subject_name == ()  # a month is no subject


def test_a_name_most_articles_use_need_not_be_named_by_the_answer():
    """The story's own subject is often called by a description ("the vessel")."""
    central = CorpusFacts(share=lambda term: 0.75 if term == "aurora" else 0.1)
    assert analyze_question("When did the Aurora sail?", central).subject_name == ()
    assert analyze_question("When did the Tern sail?", central).subject_name == ("Tern",)


@pytest.mark.parametrize("question, answers, others", [
    ("How deep is the harbour?", ["The harbour is 50 feet deep.", "a 12-metre channel", "dredged to 15m"],
     ["The 48-degree water of the harbour", "a 27-day voyage to the harbour"]),
    ("How long was the voyage?", ["a 27-day voyage", "the 1.6-mile crossing"], ["hundreds of ferries sailed"]),
    ("How long did the port stay shut?", ["The port was shut for 36 hours.", "a two-week closure"],
     ["The port, 57 kilometers east of the city, was shut.", "The port, which handles 300 ships a day, was shut."]),
    ("How far did the swimmers go?", ["They swam a kilometre.", "they swam a hazardous kilometre underwater"],
     ["They swam a long way.", "They swam for an hour."]),  # an article for the number, in a length
    ("How old is the captain?", ["Captain Ilse Varga (54) sailed.", "the 54-year-old captain", "aged 54"],
     ["Six of the crew are missing.", "Captain Ilse Varga sailed 12 ferries."]),
])
def test_a_measure_question_is_answered_in_its_unit(question, answers, others):
    analysis = analyze_question(question)
    for text in answers:
        assert has_candidate(analysis, text), text
    for text in others:
        assert not has_candidate(analysis, text), text


def test_a_measure_of_something_in_a_place_is_of_that_thing():
    """"How old was the conflict in Ukraine": the place is the subject's, not where a count was taken."""
    analysis = analyze_question("How old was the strike in Oslo when talks began?")
    assert analysis.place_names == () and has_candidate(analysis, "talks began in the now eight-month-old strike")
    assert analyze_question("How many died in the Harbour Hall?").place_names == ("Harbour", "Hall")


def test_a_name_after_a_word_for_a_company_is_a_body():
    analysis = analyze_question("Which company chartered the ferry?")
    assert analysis.answer_type == "organisation"
    assert has_candidate(analysis, "Ferry operator Tidewater said it had chartered the vessel.")
    assert not has_candidate(analysis, "The ferry was chartered for the summer season.")


# ---- questions about agreement and disagreement (issue 14) -------------------------------------

@pytest.mark.parametrize("question", [
    "Do the union and the council agree about the fares?",
    "Does the mayor disagree with the harbour authority?",
    "Who denied the reports?",
    "Which ministry rejected the allegations?",
    "Does the union dispute the council's figures?",
    "Is there disagreement about the ferry's safety record?",
    "Are there any contradictions over the strike?",
    "Has anyone refuted the findings?",
    "Can you tell me who disputed it?",
])
def test_a_question_about_agreement_or_disagreement_is_one(question):
    analysis = analyze_question(question)
    assert analysis.agreement, question


@pytest.mark.parametrize("question", [
    "What did the union deny on Tuesday?",  # asks for the union's words
    "When did the council deny the reports?",  # asks for a date
    "Did the council agree to the pay offer?",  # consent to a deal
    "Who dismissed the harbour master?",  # dismissing a person disputes nothing
    "Which team rejected the transfer bid?",
    "Is there a ferry to the island?",
    "How did the union respond to the offer?",  # a reaction: its own answer type
    "Who won the mayoral election?",
])
def test_other_questions_do_not_ask_about_agreement(question):
    assert not analyze_question(question).agreement, question


def test_the_answer_type_of_an_agreement_question_is_unchanged():
    """The flag adds to the analysis: without a contradiction among the claims the question is
    answered as before, by its own answer type."""
    assert analyze_question("Who denied the reports?").answer_type == "person"
    assert analyze_question("Do the union and the council agree?").answer_type == "yesno"


def test_an_agreement_question_keeps_the_names_it_holds():
    analysis = analyze_question("Do Tidewater and the Harbour Authority agree about the fares?")
    assert analysis.parties == {"tidewat", "harbour", "author"}  # the capitalised names, stemmed


@pytest.mark.parametrize("question,focus", [
    ("Was anyone on the ferry hurt?", ("hurt",)),
    ("Has anyone claimed responsibility for the blast?", ("claimed", "responsibility")),
    ("Did someone call the police?", ("call", "police")),
])
def test_an_indefinite_pronoun_is_the_subject_not_the_verb(question, focus):
    assert analyze_question(question).focus == focus


@pytest.mark.parametrize("question,focus", [
    ("Is there any sign the fire was arson?", ("arson",)),
    ("Is there any evidence that the dam was sabotaged?", ("sabotaged",)),
    ("Has there been any indication that the strike will end?", ("end",)),
    ("Is there any sign of arson?", ("arson",)),
    ("Is there any sign the collapse was a deliberate act?", ("deliberate", "act")),
])
def test_is_there_any_sign_asks_about_what_follows_the_sign(question, focus):
    assert analyze_question(question).focus == focus


def test_is_there_a_thing_without_a_clause_keeps_the_usual_reading():
    assert analyze_question("Is there a ferry to the island?").focus == ("ferry",)


@pytest.mark.parametrize("question,focus", [
    ("When did the crash happen?", ("crash",)),
    ("When did the meeting take place?", ("meeting",)),
    ("What time did the council's evening session take place?", ("session",)),
    ("Where did the accident occur?", ("accident",)),
])
def test_a_verb_that_only_says_something_took_place_asks_about_the_event(question, focus):
    assert analyze_question(question).focus == focus


@pytest.mark.parametrize("sentence,expected", [
    ("The ferry carried 212 passengers, the operator said.", True),
    ("The ferry carried dozens of passengers, the operator said.", True),
    ("The ferry carried a significant number of passengers, the operator said.", False),
    ("A large amount of cargo and many passengers were aboard, the operator said.", False),
])
def test_how_many_is_answered_by_a_number_not_by_words_that_only_say_there_is_an_amount(sentence, expected):
    assert has_candidate(analyze_question("How many passengers did the ferry carry?"), sentence) is expected
    assert has_candidate(analyze_question("How many did the ferry carry?"), sentence) is expected


@pytest.mark.parametrize("question,sentence,speaker,expected", [
    ("What is the name of the mayor's husband?",
     "The mayor thanked her husband after the ceremony at the Harbour Hall.", "", False),
    ("What is the name of the mayor's husband?", "Her husband, Tom Reyes, thanked the crews.", "", True),
    ("Which senator visited the harbour?", "State Sen. Ada Okafor visited the harbour on Monday.", "", True),
    ("Which senator visited the harbour?", "The senator visited the harbour with Mayor Ruiz on Monday.", "", False),
    ("Who was the officer who found the boat?", "An officer found the boat near Port Ellen on Monday.", "", False),
    ("Who was the officer who found the boat?", "The boat was found by an officer, Lena Ruiz, on Monday.", "", True),
    ("What is the name of the ferry's owner?", "The registered owner of the ferry is Harbour Lines Ltd.", "", True),
    ("What was the name of the Scot killed in the crash?", "One Scot and two Danes were among the dead.", "", False),
    ("Which spokesman announced the closure?",
     "Tom Reyes, the port authority's spokesman, announced the closure.", "Reyes", True),
])
def test_a_sentence_that_mentions_what_is_named_answers_only_with_a_name_bound_to_it(question, sentence, speaker,
                                                                                      expected):
    assert has_candidate(analyze_question(question), sentence, None, speaker) is expected


def test_a_sentence_that_does_not_mention_what_is_named_is_left_to_the_other_checks():
    analysis = analyze_question("Which senator visited the harbour?")
    assert analysis.named == "senator"
    assert has_candidate(analysis, "Ada Okafor visited the harbour on Monday.", None, "Okafor")


@pytest.mark.parametrize("question,answer_type,focus", [
    ("What figure did the analysts put on the storm's losses?", "quantity", ("put", "losses")),
    ("What magnitude was the second tremor?", "quantity", ("tremor",)),
])
def test_a_figure_or_a_magnitude_is_a_quantity_and_a_light_verb_takes_its_prepositional_object(question, answer_type,
                                                                                               focus):
    analysis = analyze_question(question)
    assert (analysis.answer_type, analysis.focus) == (answer_type, focus)


@pytest.mark.parametrize("question,focus", [
    ("Did the council expect the strike to end soon?", ("end",)),
    ("Do the unions want the mayor to resign?", ("resign",)),
])
def test_a_verb_that_hands_on_its_meaning_does_so_across_its_object(question, focus):
    assert analyze_question(question).focus == focus


def test_something_done_at_someone_s_request_has_a_reason():
    analysis = analyze_question("Why was the ferry's sailing held up?")
    assert has_candidate(analysis, "The sailing was delayed following a request from the harbour master.")
    assert has_candidate(analysis, "The sailing was delayed at the coastguard's request.")
    assert not has_candidate(analysis, "The sailing was delayed on Monday.")


def test_a_name_that_narrows_a_count_must_be_in_the_counting_sentence():
    analysis = analyze_question("How many Danish sailors were rescued?")
    assert analysis.count_names == ("Danish",)
    assert has_candidate(analysis, "Twelve Danish sailors were rescued on Monday.")
    assert has_candidate(analysis, "Twelve sailors from the Danish navy ship were rescued on Monday.")
    assert not has_candidate(analysis, "Twelve sailors were rescued on Monday.")
    # a plural name is found in its singular or capitals ("45 HAWK unit members")
    hawks = analyze_question("How many Hawks were sent to the harbour?")
    assert hawks.count_names == ("Hawks",)
    assert has_candidate(hawks, "Teams including 45 HAWK unit members were sent to the harbour.")


def test_who_says_a_sentence_is_not_who_did_what_is_asked():
    asked_deed = analyze_question("Who was arrested after the riot?")
    said = "Anyone on the streets after dark would be arrested, he said."
    assert not has_candidate(asked_deed, said, None, "Okafor")  # neither the speaker nor "Anyone" is the answer
    assert has_candidate(asked_deed, "Police arrested Tom Baker after the riot, Okafor said.", None, "Okafor")
    asked_words = analyze_question("Who said the riot was over?")
    assert has_candidate(asked_words, "The riot is over, he said.", None, "Okafor")


def test_a_count_or_a_date_asked_for_a_named_place_must_be_of_that_place():
    analysis = analyze_question("How many people were hurt in the Harbour Hall?")
    assert analysis.place_names == ("Harbour", "Hall")
    assert has_candidate(analysis, "Twelve people were hurt in the Harbour Hall when the roof fell.")
    assert not has_candidate(analysis, "Twelve people were hurt when the roof of the old school fell.")
    when = analyze_question("When did the ferry leave from Port Ellen?")
    assert not has_candidate(when, "The ferry left Oban on Monday.")
    assert has_candidate(when, "The ferry left Port Ellen on Monday.")
    assert analyze_question("How many ferries did Tidewater run on Monday?").place_names == ()
    dotted = analyze_question("How many people were on the rescue team from the U.K.?")
    assert dotted.place_names == ("U.K.",)  # an abbreviation with its points is one name
    assert has_candidate(dotted, "The team from the UK had 72 people.")
    assert not has_candidate(dotted, "Some 228 people were still unaccounted for.")  # not any word with a "u"


@pytest.mark.parametrize("question,named", [
    ("Which ship carried the cargo from Oslo?", "ship"),
    ("Which union said the strike was over?", "union"),
    ("What company owns the ferry?", "company"),
    ("What is the name of the Danish business the council fined?", "business"),
    ("Who was the search and rescue officer who found the boat?", "officer"),
    ("How many ferries sailed?", None),
])
def test_the_noun_whose_name_is_asked(question, named):
    assert analyze_question(question).named == named


def test_a_name_among_the_modifiers_of_the_mention_is_bound_to_it():
    analysis = analyze_question("Which programs did the council call wasteful?")
    assert has_candidate(analysis, "The council called its costly HarbourLink and ferry renewal programs wasteful.")


def test_what_x_said_when_something_happened_asks_what_x_said():
    assert analyze_question("What did the mayor say when the ferry docked?").focus == ("say",)
    assert analyze_question("What did the mayor say the ferry would cost?").focus == ("cost",)


def test_a_reported_copula_clause_is_about_its_subject_not_the_phrase_after_it():
    assert analyze_question("what did the mayor say the city's top priority was at that point").focus == ("priority",)
    assert analyze_question("Did she think the fare was fair?").focus == ("fair",)  # an adjective after "was" stays


def test_a_clock_time_written_with_a_point_answers_when():
    assert has_candidate(analyze_question("What time did the ferry sink?"), "The ferry sank at 12.51pm in calm seas.")


def test_what_time_asks_for_a_clock_time_not_a_day():
    analysis = analyze_question("At what time did the ferry leave?")
    assert analysis.clock and not analyze_question("When did the ferry leave?").clock
    assert has_candidate(analysis, "The ferry left at 6:15 a.m. on Tuesday.")
    assert has_candidate(analysis, "The ferry left at 9.30 on Tuesday.")
    assert not has_candidate(analysis, "The ferry left on Tuesday.")
    assert not has_candidate(analysis, "The ferry left overnight.")


def test_names_typed_in_lower_case_are_the_corpus_s_names():
    corpus = CorpusFacts(proper=frozenset({"okafor", "oban"}))
    analysis = analyze_question("when did the ferry leave from oban", corpus)
    assert analysis.place_names == ("Oban",) and analysis.text == "when did the ferry leave from oban"
    who = analyze_question("who is okafor", corpus)
    assert not has_candidate(who, "Okafor spoke at length.", corpus)  # the name asked about is no answer
    assert analyze_question("when did the ferry leave from oban").place_names == ()  # no corpus: nothing known


def test_the_index_knows_the_words_its_corpus_only_writes_capitalised(tmp_path):
    from dossier.index.lexical import LexicalIndex

    index = LexicalIndex(tmp_path / "bm25")
    index.build([("c1", "d1", "The quake hit Port Ellen. Ellen Harbour was shut, and the port reopened.\n"
                             "The key test was water, Okafor said. Key workers stayed.")], revision=1)
    assert {"ellen", "okafor", "harbour"} <= index.proper()
    assert not {"port", "key", "the", "quake"} & index.proper()  # also written in lower case, or only at a start
    reloaded = LexicalIndex(tmp_path / "bm25")
    assert reloaded.load() and reloaded.proper() == index.proper()


def test_a_sentence_that_says_what_is_asked_in_other_words_speaks_to_the_focus(embedder):
    question = "Did the ferry operator apologise for the delays?"
    texts = ["The ferry operator said it was deeply sorry for the delays.",
             "The storm hit the harbour on Monday."]
    assert not supports_focus(analyze_question(question), texts[0])  # "apologise" is not in it
    scored = {s.record.text: s for s in choose(question, texts, embedder)}
    assert scored[texts[0]].focus and not scored[texts[1]].focus
    assert scored[texts[0]].cosine >= extractive.FOCUS_BY_SENTENCE > scored[texts[1]].cosine


def test_an_adverb_between_the_subject_and_its_verb_is_skipped():
    assert analyze_question("Could the storm still hurt fishermen?").focus == ("hurt", "fishermen")


def test_a_focus_worded_otherwise_is_read_in_context(embedder):
    # "running high" / "heightened": far apart as single words, close as used in the two sentences
    question = "Why are tensions running high in the harbour town?"
    analysis = analyze_question(question)
    scored = choose(question, ["The strike comes amid heightened tensions in the harbour town following weeks of "
                               "layoffs."], embedder)
    assert not extractive.answered(scored, analysis)
    reread = extractive.reread_focus(scored, analysis, embedder.word_vectors)
    assert reread[0].focus and reread[0].score == pytest.approx(scored[0].score + extractive.FOCUS_WEIGHT)
    assert extractive.answered(reread, analysis)


def test_a_focus_no_word_of_the_sentence_means_stays_missing(embedder):
    question = "What equipment did the rescue team bring?"
    analysis = analyze_question(question)
    scored = choose(question, ["The city has sent a six-person rescue team to the harbour, officials announced on "
                               "Friday."], embedder)
    reread = extractive.reread_focus(scored, analysis, embedder.word_vectors)
    assert not reread[0].focus and not extractive.answered(reread, analysis)


@pytest.mark.parametrize("question,sentence,spoken_to", [
    ("How many inspectors did the council send?", "The council sent four inspectors to the quay.", True),
    ("Who bought the old terminal?", "The terminal was bought by a shipping firm.", True),
    ("When did the storm strike the harbour?", "The storm struck the harbour on Tuesday.", True),
    ("When did the storm strike the harbour?", "The storm stayed over the bay on Tuesday.", False),
])
def test_an_irregular_verb_speaks_to_a_focus_in_any_of_its_forms(question, sentence, spoken_to):
    assert supports_focus(analyze_question(question), sentence) == spoken_to


def test_chat_shorthand_is_read_as_the_words_it_stands_for():
    analysis = analyze_question("how many ppl were on the ferry")
    assert "peopl" in analysis.terms and "ppl" not in analysis.terms
    assert "million" in analyze_question("how many mln dollars did the ferry cost").terms
    assert "ppl" in analyze_question("What did PPL Corp say about the ferry?").terms  # a name, in capitals, is kept


def test_an_age_in_commas_after_a_name_answers_how_old():
    analysis = analyze_question("How old was the ferry captain?")
    assert has_candidate(analysis, "The captain, Ann Lee, 58, said the ferry was sound.")
    assert not has_candidate(analysis, "The captain, Ann Lee, said 58 passengers were aboard.")


@pytest.mark.parametrize("question,focus", [
    ("What did the mayor say would happen to the old quay?", ("quay",)),
    ("What did the union tell the council to do back in May?", ("tell",)),
])
def test_what_a_reported_clause_asks_about(question, focus):
    """"Say would happen to X" asks about X; "back" in "back in May" is no verb."""
    assert analyze_question(question).focus == focus


@pytest.mark.parametrize("question,asked", [
    ("The ferry sank on Tuesday, didn't it?", "Did the ferry sank on Tuesday?"),
    ("Harbour Hall is the oldest building in town, isn't it?", "Is Harbour Hall the oldest building in town?"),
    ("the ferry was bound for Oslo, right?", "Was the ferry bound for Oslo?"),
])
def test_a_statement_with_a_question_tag_is_asked_as_yes_or_no(question, asked):
    analysis = analyze_question(question)
    assert analysis.recased == asked and analysis.answer_type == "yesno"


def test_a_job_title_is_asked_as_who_x_is():
    assert analyze_question("What is Ada Okafor's job title?").recased == "Who is Ada Okafor?"


def test_the_lexical_query_adds_the_corpus_words_near_the_focus(embedder):
    """BM25 matches words, so a focus the articles word otherwise brings their word into the query;
    a light verb brings nothing (its neighbours in meaning are about other things)."""
    words = ["lunch", "ferry", "manufacture", "harbour"]
    facts = CorpusFacts(knows=lambda term: term in words, vectors=WordVectors(words, embedder.embed(words)),
                        embed=embedder.embed)
    query = lexical_query(analyze_question("Was it lunchtime when the ferry docked?", facts), facts)
    assert query.startswith("Was it lunchtime when the ferry docked?") and "lunch" in query.split()
    light = analyze_question("Who made the harbour crane?", facts)
    assert "made" in light.focus and "manufacture" not in lexical_query(light, facts).split()


def test_a_reaction_need_not_be_said():
    analysis = analyze_question("How did the crowd react when the ferry came in?")
    assert analysis.answer_type == "response"
    assert has_candidate(analysis, "The crowd cheered as the ferry came in.")
    assert not has_candidate(analysis, "The crowd waited as the ferry came in.")
