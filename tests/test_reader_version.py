"""The reader (parse.py, attribution.py) decides what a stored document holds besides its text.
When it changes, a store written before must not keep the old reading of an unchanged file:
documents carry the reader's version, the next ingest re-reads older ones, doctor names them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np

from dossier.index.attribution import attribute
from dossier.index.embedder import embed_texts
from dossier.index.engine import Engine
from dossier.index.ingest import READER_VERSION, record_version, stale_documents
from dossier.index.parse import load_article
from dossier.index.eval.sets import corpus_of
from dossier.index.settings import EVAL_DIR
from dossier.index.store import PendingDocument

FINGERPRINT = Path(__file__).parent / "data" / "reader_fingerprint.json"

ARTICLE = """Title: Ferry service resumes

The harbour ferry sailed again on Monday after a week of repairs. Captain Ilse Varga said the engines were \
sound. "We are glad to be back," she said. The port expects 2,000 passengers a day.
"""


def test_a_document_an_older_reader_stored_is_read_again_by_the_next_ingest(fresh_engine, embedder, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    path = folder / "ferry.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    _store_as_an_older_reader_would(fresh_engine, embedder, path)
    assert stale_documents(fresh_engine.store.manifest(), fresh_engine.store.committed_versions()) == ["ferry"]
    assert "1 of them read by an older version of the reader" in Engine.doctor(fresh_engine.settings)
    status = fresh_engine.ensure_corpus()  # what ask, the REPL and the bot print before answering
    assert status.action == "ready" and "1 article was stored by an older version" in status.message
    old_ids = set(fresh_engine.store.sentences.get()["ids"])

    report = fresh_engine.ingest([folder])

    assert report.updated == ("ferry",) and not report.unchanged
    assert stale_documents(fresh_engine.store.manifest(), fresh_engine.store.committed_versions()) == []
    ids = set(fresh_engine.store.sentences.get()["ids"])
    assert ids and not ids & old_ids and all(f":{record_version(_sha(path))}:" in i for i in ids)
    assert len(ids) == len(load_article(path, 1_000_000).sentences) > 1  # the reader's own split, not the older one
    answer = fresh_engine.ask("Who said the engines were sound?")
    assert "Varga" in answer.answer and answer.citations[0].quote in ARTICLE
    assert fresh_engine.ingest([folder]).unchanged == ("ferry",)  # read once, then left alone
    assert "older version" not in Engine.doctor(fresh_engine.settings)
    assert fresh_engine.ensure_corpus().message is None


def _store_as_an_older_reader_would(engine: Engine, embedder, path: Path) -> None:
    """Records as a version-1 reader wrote them: the content digest alone as version, and (as
    a reader that read this file differently) the whole body as one sentence."""
    doc = load_article(path, 1_000_000)
    first, last = doc.sentences[0], doc.sentences[-1]
    whole = dataclasses.replace(first, end=last.end, text=doc.text[first.start:last.end])
    doc = dataclasses.replace(doc, sentences=(whole,), chunks=((0,),))
    found = attribute([whole.text], [whole.paragraph], doc.text)
    vectors = np.asarray(embed_texts(embedder, [whole.text]))
    engine.store.write_documents([PendingDocument(doc, doc.meta.sha256[:16], vectors, [a.speaker for a in found],
                                                  [a.quoted for a in found], replaces=False,
                                                  subjects=[a.subject for a in found],
                                                  antecedents=[a.antecedent for a in found])])
    engine.store.bump_revision()
    engine.catalogue.forget()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_reader_version_changes_when_the_reader_output_does():
    """What the reader makes of the shipped corpora the fingerprint names (a corpus added later
    changes nothing), as one digest. A change to parse.py or attribution.py that alters it must
    bump READER_VERSION (index/ingest.py), so stores re-read their documents; then record the
    new digest here."""
    recorded = json.loads(FINGERPRINT.read_text(encoding="utf-8"))
    digest = reader_digest(recorded["corpora"])
    if digest != recorded["digest"]:
        assert READER_VERSION != recorded["reader_version"], (
            f"the reader's output changed (digest {digest}) but READER_VERSION is still {READER_VERSION}: "
            "bump it in index/ingest.py, then record both in tests/data/reader_fingerprint.json")
    assert READER_VERSION == recorded["reader_version"] and digest == recorded["digest"], (
        f"record READER_VERSION {READER_VERSION} with digest {digest} in tests/data/reader_fingerprint.json")


def reader_digest(corpora: list[str]) -> str:
    paths = [p for name in corpora for p in sorted(corpus_of(EVAL_DIR / name).glob("*.txt"))]
    digest = hashlib.sha256()
    for path in paths:
        doc = load_article(path, 10_000_000)
        found = attribute([s.text for s in doc.sentences], [s.paragraph for s in doc.sentences], doc.text)
        meta = dataclasses.asdict(doc.meta) | {"path": path.name}
        digest.update(json.dumps([meta, [(s.start, s.end, s.paragraph) for s in doc.sentences], doc.chunks,
                                  [dataclasses.astuple(a) for a in found]], sort_keys=True).encode())
    return digest.hexdigest()[:16]
