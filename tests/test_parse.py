from pathlib import Path

import pytest

from dossier.index.errors import FileRejected
from dossier.index.parse import load_article, normalize, normalize_with_offsets, read_article, split_sentences
from dossier.index.settings import SEEDS_DIR

SEEDS = sorted(SEEDS_DIR.glob("*.txt"))


def test_seeds_are_byte_copies_of_shared():
    shared = SEEDS_DIR.parent.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("shared/ is not beside this checkout")
    assert sorted(p.name for p in SEEDS) == sorted(p.name for p in shared.glob("*.txt"))
    for path in SEEDS:
        assert path.read_bytes() == (shared / path.name).read_bytes()


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem[:3])
def test_every_sentence_span_is_verbatim(path):
    doc = load_article(path, 10**7)
    original = Path(path).read_text(encoding="utf-8")
    assert doc.sentences
    for sentence in doc.sentences:
        quote = original[sentence.start:sentence.end]
        assert quote == quote.strip(" \t\n\u00a0")
        assert normalize(quote) == sentence.text
        assert "\u00a0" not in sentence.text


def test_debris_is_not_indexed():
    texts = " ".join(s.text for p in SEEDS for s in load_article(p, 10**7).sentences)
    for debris in ("Also Read", "Related Posts", "newsletter", "date 2022-11-02 Search", "Via Sputnik",
                   "Tyler Durden", "15:50", "3:25 PM"):
        assert debris not in texts


def test_metadata():
    docs = {p.stem[:3]: load_article(p, 10**7).meta for p in SEEDS}
    assert docs["000"].title == "North Korea Supplying Artillery Shells To Russia: US"
    assert docs["001"].title == "White House says North Korea covertly shipping artillery to Russia"
    assert docs["001"].date == "2022-11-02"
    assert docs["002"].title_derived and docs["002"].title.startswith("White House Strategic Communications")
    assert docs["002"].outlet == "Sputnik News Agency"
    assert docs["003"].title.startswith("North Korea dismisses US claims")  # headline, not the kicker above it
    assert docs["004"].byline == "Tyler Durden" and docs["004"].date == "2022-11-02"
    assert all(not m.title_derived for k, m in docs.items() if k != "002")
    assert {m.doc_id for m in docs.values()} == {p.stem for p in SEEDS}


def test_chunks_cover_sentences_in_order():
    for path in SEEDS:
        doc = load_article(path, 10**7)
        flat = [i for chunk in doc.chunks for i in chunk]
        assert flat == list(range(len(doc.sentences)))


def test_sentence_splitter_keeps_abbreviations_and_splits_quotes():
    text = "Mr Kirby said U.S. forces were ready. \u201cWe will monitor it,\u201d he said.\u00a0Next one here."
    spans = [text[s:e] for s, e in split_sentences(text, 0, len(text))]
    assert spans == ["Mr Kirby said U.S. forces were ready.", "\u201cWe will monitor it,\u201d he said.",
                     "Next one here."]


def test_a_title_abbreviation_does_not_end_the_sentence():
    # every abbreviated title the attribution tables know (a major, a superintendent, ...)
    text = "The mayor was due to speak Friday, spokesman Maj. Gen. Ola Ruud said. Supt. Ann Lee agreed. It rained."
    spans = [text[s:e] for s, e in split_sentences(text, 0, len(text))]
    assert spans == ["The mayor was due to speak Friday, spokesman Maj. Gen. Ola Ruud said.", "Supt. Ann Lee agreed.",
                     "It rained."]


def test_a_time_with_its_zone_does_not_end_the_sentence():
    text = "At 1:27 a.m. ET (0527 GMT), a ferry struck the pier. It sank at 6 a.m. The next day was calm."
    spans = [text[s:e] for s, e in split_sentences(text, 0, len(text))]
    assert spans == ["At 1:27 a.m. ET (0527 GMT), a ferry struck the pier.", "It sank at 6 a.m.",
                     "The next day was calm."]


def test_normalize_with_offsets_maps_back():
    text = "a\u00a0 b\n\nc"
    norm, offsets = normalize_with_offsets(text)
    assert norm == "a b c"
    assert [text[i] for i, ch in zip(offsets, norm) if ch != " "] == ["a", "b", "c"]


@pytest.mark.parametrize("content,reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
    (b"caf\xe9 au lait is not utf-8", "not UTF-8"),
    (b"", "empty"),
    (b"   \n\n\t ", "empty"),
])
def test_bad_files_are_rejected_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(FileRejected, match=reason):
        read_article(path, 10**6)


def test_oversized_and_unsupported_files(tmp_path):
    big = tmp_path / "big.md"
    big.write_text("word " * 1000, encoding="utf-8")
    with pytest.raises(FileRejected, match="too large"):
        read_article(big, 100)
    pdf = tmp_path / "paper.pdf"
    pdf.write_text("x", encoding="utf-8")
    with pytest.raises(FileRejected, match="unsupported"):
        read_article(pdf, 100)


def test_crlf_offsets_match_read_text(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("Headline here\r\n\r\nFirst sentence is here. Second\u00a0one too.\r\n".encode())
    doc = load_article(path, 10**6)
    original = path.read_text(encoding="utf-8")
    assert [original[s.start:s.end] for s in doc.sentences] == ["First sentence is here.", "Second\u00a0one too."]
    assert doc.meta.title == "Headline here"


# ---- bounded sentences and answers ------------------------------------------------------------------


def test_text_without_punctuation_is_split_into_bounded_sentences():
    from dossier.index.parse import MAX_SENTENCE_CHARS, split_sentences

    text = "lorem ipsum dolor sit amet " * 200 + "end, of the clause " * 3
    spans = split_sentences(text, 0, len(text))
    assert len(spans) > 1 and all(e - s <= MAX_SENTENCE_CHARS for s, e in spans)
    assert " ".join(text[s:e] for s, e in spans).split() == text.split()  # nothing lost, nothing added
    assert all(text[s - 1] == " " for s, _ in spans[1:])  # every cut at a word boundary
    one_word = "x" * (MAX_SENTENCE_CHARS * 2 + 5)
    assert [e - s for s, e in split_sentences(one_word, 0, len(one_word))] == [MAX_SENTENCE_CHARS] * 2 + [5]


def test_a_long_sentence_is_cut_after_a_clause_when_it_can_be():
    from dossier.index.parse import MAX_SENTENCE_CHARS, split_sentences

    text = "word " * 80 + "the first clause ends here, " + "more words follow " * 40
    first = split_sentences(text, 0, len(text))[0]
    assert text[first[0]:first[1]].endswith("ends here,") and first[1] - first[0] <= MAX_SENTENCE_CHARS


def test_ordinary_sentences_are_unchanged_by_the_bound():
    from dossier.index.parse import split_sentences

    text = "Kirby spoke on Tuesday. He said the shipments continue, and that the US was watching."
    assert [text[s:e] for s, e in split_sentences(text, 0, len(text))] == [
        "Kirby spoke on Tuesday.", "He said the shipments continue, and that the US was watching."]


@pytest.mark.parametrize("text,limit,expected", [
    ("short enough", 20, "short enough"),
    ("hello there big world", 13, "hello there\u2026"),
    ("hello there, big world", 14, "hello there\u2026"),
    ("x" * 30, 10, "x" * 9 + "\u2026"),
])
def test_shorten_cuts_at_a_word_and_marks_the_excerpt(text, limit, expected):
    from dossier.index.bounds import shorten

    assert shorten(text, limit) == expected and len(shorten(text, limit)) <= limit


def test_fit_cited_keeps_every_marker_whole():
    from dossier.index.bounds import fit_cited

    line = "The minister said the harbour would stay open through the storm [1][2]"
    fitted = fit_cited(line, 40)
    assert len(fitted) <= 40 and fitted.endswith("\u2026 [1][2]") and fitted.startswith("The minister")
    assert fit_cited(line, 200) == line


def test_initials_do_not_end_a_sentence():
    text = "The storm could cost insurers $2 billion, J.P. Morgan estimated. A.B. Lund said so. It rained."
    spans = [text[s:e] for s, e in split_sentences(text, 0, len(text))]
    assert spans == ["The storm could cost insurers $2 billion, J.P. Morgan estimated.", "A.B. Lund said so.",
                     "It rained."]
