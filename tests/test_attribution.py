"""Attribution: people found from the text, pronouns resolved only when the text settles it,
speakers by the same rules, and answers that bracket a name only when it is right.

The unit tests run the rules on small articles written here; the end-to-end tests ingest
articles into a real store with the real embedder and ask real questions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dossier.index import attribution, people
from dossier.index.attribution import attribute
from dossier.index.people import find_people
from dossier.index.eval.attribution import LABELS_DIR, evaluate, load_labels, score
from dossier.index.parse import parse_article

from conftest import assert_verbatim

HARBOUR = """City council approves new harbour plan

The harbour authority announced a new plan on Monday. Spokesman Alan Reyes said the plan would cost 40 million dollars and take four years.

Reyes added that the work would start in the spring.

The harbour was built in 1880 and rebuilt after a storm in 1954. Its north pier is the oldest part.

When Lena Ortiz became mayor in 2019, she brought a team of engineers from the port of Valencia. She appointed Marta Quinn head of the harbour board and made Tom Baker chief engineer.
"""


def read(text: str, tmp_path: Path, name: str = "article.txt") -> list[tuple[str, attribution.Attribution]]:
    """(sentence, attribution) for an article, parsed as ingest parses it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc = parse_article(path, text, "0" * 64)
    sentences = [s.text for s in doc.sentences]
    return list(zip(sentences, attribute(sentences, [s.paragraph for s in doc.sentences], text)))


def of(rows: list[tuple[str, attribution.Attribution]], start: str) -> attribution.Attribution:
    return next(a for sentence, a in rows if sentence.startswith(start))


# ---- people --------------------------------------------------------------------------------------

def test_no_list_of_non_people_remains():
    assert not hasattr(attribution, "NOT_PEOPLE") and not hasattr(people, "NOT_PEOPLE")
    for module in (attribution, people):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert "Pyongyang" not in source and "Kirby" not in source and "KCNA" not in source


def test_people_are_found_without_titles_and_places_by_how_they_are_used(tmp_path):
    text = ("Rivers rise in Freedonia\n\n"
            "Nora Lind opened the dam in Port Avery on Monday. Freedonian engineers watched from the "
            "Harbour Board offices. Officials in Port Avery said the dam was safe.\n\n"
            "Lind said the water would fall by June.\n")
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_article(path, text, "0" * 64)
    people, mentions = find_people([s.text for s in doc.sentences])
    assert people.keys.get("Nora Lind") == "Lind"
    assert "Port Avery" not in people.keys  # used after "in"
    assert "Harbour Board" not in people.keys  # after "the", and a body's head noun
    assert not any(k.startswith("June") or k == "Freedonia" for k in people.keys)
    short = [m for ms in mentions.values() for m in ms if m.entity == "Lind"]
    assert len(short) == 2  # the full name and the later short form


def test_a_demonym_beside_a_name_shows_it_is_a_place(tmp_path):
    rows = read("Talks\n\nEast Vallia accused its neighbour. East Vallian troops moved. "
                "East Vallia said the border was closed.\n\nHe said nothing more.\n", tmp_path)
    assert of(rows, "East Vallia said").speaker == ""
    assert of(rows, "He said").subject == ""


# ---- pronouns ------------------------------------------------------------------------------------

def test_the_harbour_article(tmp_path):
    rows = read(HARBOUR, tmp_path)
    assert of(rows, "Spokesman Alan Reyes").speaker == "Reyes"
    assert of(rows, "Reyes added").speaker == "Reyes"
    assert of(rows, "She appointed").subject == "Ortiz"
    assert of(rows, "She appointed").speaker == ""


def test_two_people_in_one_paragraph_leave_a_pronoun_unresolved(tmp_path):
    rows = read("Budget\n\nNora Lind met Ada Berg on Monday to discuss the budget. "
                "She said the city could not afford the bridge.\n", tmp_path)
    unresolved = of(rows, "She said")
    assert unresolved.subject == "" and unresolved.speaker == ""
    assert unresolved.antecedent == 0  # the sentence naming the candidates, for the answer to show


def test_a_pronoun_after_a_paragraph_about_a_place_is_left_alone(tmp_path):
    rows = read("Harbour\n\nSpokesman Alan Reyes said the plan was ready.\n\n"
                "The harbour was built in 1880. Its pier is the oldest part.\n\n"
                "He said the pier would be rebuilt.\n", tmp_path)
    assert of(rows, "He said").subject == ""
    assert of(rows, "He said").speaker == ""


def test_she_after_a_mans_name_is_not_him(tmp_path):
    rows = read("Council\n\nMr Tom Baker presented the plan. She said it was too expensive.\n", tmp_path)
    assert of(rows, "She said").subject == ""
    rows = read("Council\n\nTom Baker said he would present the plan. She said it was too expensive.\n", tmp_path)
    assert of(rows, "She said").subject == ""


def test_gender_shown_by_the_text_settles_two_candidates(tmp_path):
    rows = read("Council\n\nMr Tom Baker presented the plan to Lena Ortiz. She said it was too expensive.\n",
                tmp_path)
    assert of(rows, "She said").subject == "Ortiz"
    assert of(rows, "She said").speaker == "Ortiz"


def test_the_subject_of_the_sentence_just_before_carries_into_a_new_paragraph(tmp_path):
    rows = read("Shells\n\nSpokeswoman Ana Ruiz said the shipments were large.\n\n"
                "She declined to give a number.\n\nAccording to her, the talks will go on.\n", tmp_path)
    assert of(rows, "She declined").subject == "Ruiz"
    assert of(rows, "According to her").speaker == "Ruiz"


def test_a_quotation_nobody_is_named_for_leaves_the_subject_as_it_was(tmp_path):
    rows = read("Harbour\n\nMayor Lena Ortiz said the crews had worked through the night.\n\n"
                "\"I want to thank every one of them.\n\n\"It has been a remarkable effort.\"\n\n"
                "She said people could help by giving blood.\n", tmp_path)
    assert of(rows, "She said people").subject == "Ortiz"
    assert of(rows, "She said people").speaker == "Ortiz"


def test_a_quotation_paragraph_after_a_quoted_speaker_goes_on_quoting_them(tmp_path):
    rows = read("Harbour\n\nMayor Lena Ortiz warned that repairs would take weeks. \"We are very concerned,\" "
                "she said.\n\n\"Frankly the pier looks like a ruin. It will take time.\"\n\n"
                "Crews worked through the night.\n\n\"Nobody slept.\"\n", tmp_path)
    assert of(rows, '"Frankly the pier').speaker == "Ortiz"
    assert of(rows, "It will take time").speaker == "Ortiz"
    assert of(rows, '"Nobody slept').speaker == ""  # after a paragraph that quotes nobody


def test_a_quotation_paragraph_that_names_someone_is_not_carried_over(tmp_path):
    rows = read("Harbour\n\nMayor Lena Ortiz warned that repairs would take weeks. \"We are very concerned,\" "
                "she said.\n\n\"Tom Baker's crew will fix it,\" the engineer's deputy added.\n", tmp_path)
    assert of(rows, '"Tom Baker').speaker != "Ortiz"


def test_a_quotation_after_another_speaker_does_not_carry_the_first(tmp_path):
    rows = read("Harbour\n\nMayor Lena Ortiz said the crews had worked through the night.\n\n"
                "\"It was hard,\" said Tom Baker, the chief engineer.\n\n\"We kept going.\"\n\n"
                "He said the pier would reopen.\n", tmp_path)
    assert of(rows, "He said the pier").subject == "Baker"


def test_a_pronoun_the_text_left_open_keeps_later_ones_open(tmp_path):
    rows = read("Ada\n\nThe routes were closed to women.\n\nIn 1834 she heard Carl Baber lecture on his engine. "
                "She offered Baber her support.\n", tmp_path)
    assert of(rows, "In 1834").subject == ""
    assert of(rows, "She offered").subject == ""  # not Baber: whoever "she" was is still in play


# ---- speakers ------------------------------------------------------------------------------------

def test_a_quote_continuing_over_sentences_keeps_its_speaker(tmp_path):
    rows = read("Plan\n\nLena Ortiz presented the plan.\n\n"
                "\u201cIt will be hard. We will need every engineer we have,\u201d Ortiz said.\n\n"
                "\u201cThe pier comes first,\u201d Ortiz said. \u201cThe rest can wait.\u201d\n", tmp_path)
    assert of(rows, "\u201cIt will be hard").speaker == "Ortiz"  # attributed where the quotation closes
    assert of(rows, "We will need").speaker == "Ortiz"
    assert of(rows, "\u201cThe rest can wait").speaker == "Ortiz"
    assert of(rows, "\u201cThe rest can wait").quoted


def test_a_title_used_alone_is_the_person_the_article_gave_it(tmp_path):
    rows = read("Plan\n\nMayor Lena Ortiz opened the meeting.\n\nThe budget was tight, the mayor said.\n", tmp_path)
    assert of(rows, "The budget").speaker == "Ortiz"
    rows = read("Plan\n\nThe meeting opened late.\n\nThe budget was tight, the mayor said.\n", tmp_path)
    assert of(rows, "The budget").speaker == ""  # nobody named was given that role
    rows = read("Plan\n\nMayor Lena Ortiz met Mayor Ana Ruiz.\n\nThe budget was tight, the mayor said.\n", tmp_path)
    assert of(rows, "The budget").speaker == ""  # two mayors: not settled


def test_a_closing_attribution_decides_whose_the_sentence_is(tmp_path):
    rows = read("Theft\n\nWarrants were issued for Mira Tell, police said.\n\n"
                "Later, Tell asked to see a doctor, police said.\n", tmp_path)
    assert of(rows, "Later, Tell asked").speaker == ""


def test_a_pronoun_opening_what_someone_said_is_that_someone(tmp_path):
    rows = read("Bridge\n\nGov. Wes Moore met Paul Wiedefeld on Monday. Wiedefeld said he believes the divers "
                "are safe.\n", tmp_path)
    assert of(rows, "Wiedefeld said").speaker == "Wiedefeld"


def test_a_statement_introduced_with_a_colon_is_its_speakers(tmp_path):
    rows = read("Tributes\n\nFormer Secretary of Agriculture Tom Vilsack released a statement reading:\n\n"
                "\u201cHe set the highest standard. We will miss him.\u201d\n", tmp_path)
    assert of(rows, "\u201cHe set").speaker == "Vilsack"
    assert of(rows, "We will miss").speaker == "Vilsack"


def test_a_role_given_in_the_predicate_is_tied_to_the_subject(tmp_path):
    rows = read("Minister\n\nEmil Novak (1893 - 1945) was a Czech army officer who served as the wartime Minister "
                "of Education. He was also chair of the youth board.\n", tmp_path)
    assert of(rows, "He was also").subject == "Novak"


def test_the_person_inside_a_subject_is_not_its_speaker(tmp_path):
    rows = read("Appeal\n\nA lawyer for Jean Carroll, who brought the case, said the appeal would fail.\n", tmp_path)
    assert of(rows, "A lawyer").speaker == ""
    rows = read("Appeal\n\nJay Inslee said Lois Spellman was a trusted adviser.\n", tmp_path)
    assert of(rows, "Jay Inslee said").speaker == "Inslee"  # not "said Lois Spellman"


def test_an_inverted_attribution_after_a_quotation(tmp_path):
    rows = read("Trial\n\n\"It was a fair trial,\" said family attorney Michael Rhodes. \"We are pleased.\"\n", tmp_path)
    assert of(rows, "\"It was").speaker == "Rhodes"
    assert of(rows, "\"We are").speaker == "Rhodes"


def test_namesakes_keep_their_full_names_and_a_quoted_name_introduces_nobody(tmp_path):
    rows = read("Obituary\n\nLois Spellman died nine days after her husband, former Gov. John Spellman. "
                "She was 90.\n\nBob Ray, a friend, said: \u201cJoe Spellman was kind.\u201d\n", tmp_path)
    assert of(rows, "She was 90").subject == "Lois Spellman"


def test_a_name_seen_once_without_evidence_is_nobodys_voice(tmp_path):
    rows = read("Shares\n\nAnalysts had expected more, according to Harbor Partners.\n\n"
                "Sales fell, according to Maria Lopez, the company's treasurer.\n", tmp_path)
    assert of(rows, "Analysts").speaker == ""  # could be a firm: nothing shows it is a person
    assert of(rows, "Sales fell").speaker == "Lopez"  # a role says she is one


def test_a_multiword_office_before_a_name_is_a_title(tmp_path):
    rows = read("Tribute\n\nHis former chief of staff David Oman said the governor was kind.\n", tmp_path)
    assert of(rows, "His former").speaker == "Oman"


# ---- the measure ---------------------------------------------------------------------------------

def test_labels_are_large_enough_and_split():
    dev, heldout = (load_labels(LABELS_DIR / f"{split}.jsonl") for split in ("dev", "heldout"))
    assert len(dev) + len(heldout) >= 200
    assert not {(r["doc"], r["sentence"]) for r in dev} & {(r["doc"], r["sentence"]) for r in heldout}
    corpora = {r["corpus"] for r in dev + heldout}
    assert {"seeds", "tests/data/attribution/corpus"} <= corpora and any(c.startswith("eval/") for c in corpora)
    assert any(r["doc"].startswith("ency_") for r in dev + heldout)


def test_dev_figures_hold():
    """The rules were tuned on dev to these figures; held-out ones are reported, not asserted."""
    scores = evaluate("dev")
    assert scores is not None and scores.shown >= 10
    assert scores.name_precision >= 0.98, scores.errors
    assert scores.speaker_precision >= 0.95 and scores.speaker_recall >= 0.75, scores.errors
    assert evaluate("heldout").sentences >= 90


def test_the_measure_counts_a_wrong_name_as_wrong():
    row = {"corpus": "seeds", "doc": "001_50707cac18e41cab.txt", "sentence": 2,
           "text": "He declined to provide a specific estimate on the quantity of ammunition being sent to bolster "
                   "the Russian effort.", "speaker": ["Price"], "subject": ["Price"]}
    scores = score([row])
    assert scores.shown == 1 and scores.shown_correct == 0 and scores.speaker_precision == 0.0


# ---- real ingest, real answers ---------------------------------------------------------------------

@pytest.fixture
def harbour_engine(fresh_engine, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (folder / "budget.txt").write_text(
        "Budget talks stall\n\nCouncillor Nora Lind met Councillor Ada Berg on Friday to discuss the budget. "
        "She proposed closing the old library to pay for the bridge.\n", encoding="utf-8")
    fresh_engine.ingest([folder])
    return fresh_engine


def test_who_question_shows_the_resolved_name(harbour_engine):
    answer = harbour_engine.ask("Who appointed Marta Quinn head of the harbour board?")
    assert "She [Ortiz] appointed Marta Quinn" in answer.answer, answer.answer
    assert "[Reyes]" not in answer.answer
    assert_verbatim(answer.citations, harbour_engine)


def test_unresolved_pronoun_is_shown_with_the_sentence_naming_the_candidates(harbour_engine):
    answer = harbour_engine.ask("Who proposed closing the old library to pay for the bridge?")
    line = next(line for line in answer.answer.splitlines() if "proposed closing" in line)
    assert "She proposed" in line and not re.search(r"She \[", line)  # no guess
    assert "Nora Lind met Councillor Ada Berg" in line  # the candidates, shown
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", line)]
    quotes = [answer.citations[n - 1].quote for n in numbers]
    assert any("Ada Berg" in q for q in quotes) and any(q.startswith("She proposed") for q in quotes)
    assert_verbatim(answer.citations, harbour_engine)


def test_what_did_a_speaker_say_finds_the_short_form(harbour_engine):
    answer = harbour_engine.ask("What did Reyes say about when the work would start?")
    assert "spring" in answer.citations[0].quote
