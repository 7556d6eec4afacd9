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
