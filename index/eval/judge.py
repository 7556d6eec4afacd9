"""Citation support after ALCE (Gao et al. 2023), judged locally without an extra model.

ALCE asks, for each answer sentence, whether the passages it cites entail it:

* citation recall: the share of answer sentences supported by (the union of) their citations;
* citation precision: the share of citations that are needed. In a supported sentence a
  citation is needed when it supports the sentence on its own, or when removing it leaves
  the sentence unsupported; a sentence citing one passage needs it; citations of an
  unsupported sentence are not needed. Per answer, no citations gives precision 0.

ALCE's judge is an NLI model (TRUE-T5, 11B). Dossier's judge is the one its generated answers
are checked with (``index.generate.SupportScorer``, deciding with ``index.faithful.judge``): a source
sentence supports an answer sentence when cosine and IDF-weighted term overlap reach 0.5 and no
meaning flip shows (a quote not verbatim, a number, negation, hedge, attribution or scope
changed). A citation
supports a sentence when one of the sentences of its quote does. Because that judge
looks at one source sentence at a time, joint support is support by any single cited sentence.

Which citations a sentence makes: its ``[n]`` markers; a sentence without markers takes those
of the next marked sentence on its line (an extractive line is one quoted sentence with its
markers at the end); an answer with no markers at all (the llama-index reference, whose answer
is one quoted passage) cites all its citations from every sentence.

A generated answer is judged twice. The shown answer passed the same check, so its support is
1.0 by construction; what the model itself wrote (``Answer.draft``: the raw reply, its markers
pointing at the prompt's sources ``[1]..[k]``) is judged as well, by the same rules, against
those sources' sentences and titles (``score_draft``): that figure says how faithful the model
is, and how much the check had to repair or drop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np

from ..embedder import embed_texts
from ..generate import SENTINEL, split_reply
from ..models import Answer, Citation, Draft
from ..parse import normalize, split_sentences
from ..store import SentenceRecord

Judge = Callable[[int, frozenset[int]], bool]  # (answer sentence index, cited numbers) -> supported


@dataclass(frozen=True)
class SupportScore:
    """ALCE counts for one answer."""

    sentences: int
    supported: int
    citations: int  # distinct markers per sentence, summed over sentences
    needed: int

    @property
    def recall(self) -> Optional[float]:
        return self.supported / self.sentences if self.sentences else None

    @property
    def precision(self) -> Optional[float]:
        if not self.sentences:
            return None
        return self.needed / self.citations if self.citations else 0.0


def alce(cited: Sequence[frozenset[int]], valid: frozenset[int], judge: Judge) -> SupportScore:
    """ALCE recall/precision counts for one answer, given each sentence's cited numbers.

    A sentence citing a number that is not a citation of the answer is unsupported (as in ALCE)."""
    supported = needed = total = 0
    for index, refs in enumerate(cited):
        total += len(refs)
        if not refs or not refs <= valid or not judge(index, refs):
            continue
        supported += 1
        needed += sum(1 for ref in refs if _needed(index, refs, ref, judge))
    return SupportScore(sentences=len(cited), supported=supported, citations=total, needed=needed)


def _needed(index: int, refs: frozenset[int], ref: int, judge: Judge) -> bool:
    if len(refs) == 1:
        return True
    return judge(index, frozenset({ref})) or not judge(index, refs - {ref})


def statements(answer: str, citations: int) -> list[tuple[str, frozenset[int]]]:
    """Answer sentences (markers removed) with the citation numbers each one makes (module doc)."""
    lines = [split_reply(line) for line in answer.splitlines() if line.strip()]
    out: list[tuple[str, frozenset[int]]] = []
    for sentences in lines:
        pending: list[str] = []
        for sentence in sentences:
            if not any(ch.isalpha() for ch in sentence.bare):
                continue
            pending.append(sentence.bare)
            if sentence.numbers:
                out.extend((bare, frozenset(sentence.numbers)) for bare in pending)
                pending = []
        out.extend((bare, frozenset()) for bare in pending)
    if citations and not any(refs for _, refs in out):
        everything = frozenset(range(1, citations + 1))
        out = [(bare, everything) for bare, _ in out]
    return out


class Evidence:
    """The sentences a citation shows, so the judge sees what the reader is shown."""

    def __init__(self, engine, texts: dict[str, str]) -> None:
        self.engine = engine
        self.texts = texts
        self.at = {(r.doc_id, r.start, r.end): r for r in committed_sentences(engine)}
        self._synthetic: dict[tuple[str, str], SentenceRecord] = {}

    def exact(self, citation: Citation) -> bool:
        """The quote is the file text at its span (what ``dossier ask`` promises)."""
        text = self.texts.get(citation.doc_id)
        return (text is not None and 0 <= citation.start <= citation.end
                and text[citation.start:citation.end] == citation.quote)

    def records(self, citation: Citation) -> list[SentenceRecord]:
        """One record per sentence of the quote: the corpus sentence at that span when the quote
        is exact (it carries the speaker), else the quoted sentence itself (headlines, debris)."""
        exact = self.exact(citation)
        whole = self.at.get((citation.doc_id, citation.start, citation.end)) if exact else None
        if whole is not None:
            return [whole]
        out, offset = [], citation.start
        for line in citation.quote.splitlines(keepends=True):
            for s, e in split_sentences(line, 0, len(line.rstrip("\r\n"))):
                found = self.at.get((citation.doc_id, offset + s, offset + e)) if exact else None
                out.append(found or self._quote_record(citation.doc_id, line[s:e]))
            offset += len(line)
        return out

    def _quote_record(self, doc_id: str, piece: str) -> SentenceRecord:
        text = normalize(piece)
        if (doc_id, text) not in self._synthetic:
            vector = embed_texts(self.engine.embedder, [text or " "])[0]
            self._synthetic[(doc_id, text)] = SentenceRecord(
                sentence_id=f"quote:{len(self._synthetic)}", doc_id=doc_id, text=text, start=-1, end=-1,
                speaker="", quoted=False, quote=piece, embedding=vector)
        return self._synthetic[(doc_id, text)]


def committed_sentences(engine) -> list[SentenceRecord]:
    """Every sentence of the committed documents, through the store's public reads."""
    versions = engine.store.committed_versions()
    chunk_ids = [cid for cid, doc, version, _ in engine.store.iter_chunks() if versions.get(doc) == version]
    chunks = engine.store.get_chunks(chunk_ids)
    sentence_ids = [sid for cid in chunk_ids if cid in chunks for sid in chunks[cid].sentence_ids]
    return engine.store.get_sentences(sentence_ids)


def score_answer(engine, evidence: Evidence, answer: Answer) -> Optional[SupportScore]:
    """ALCE counts for an answer judged with Dossier's support check; None for a refusal."""
    if answer.refused:
        return None
    units = statements(answer.answer, len(answer.citations))
    if not units:
        return SupportScore(0, 0, 0, 0)
    vectors = embed_texts(engine.embedder, [bare for bare, _ in units])
    by_number = {c.n: c for c in answer.citations}
    table = {(i, n): _supports(engine, evidence, bare, vectors[i], by_number[n])
             for i, (bare, refs) in enumerate(units) for n in refs if n in by_number}
    judge: Judge = lambda i, refs: any(table.get((i, n), False) for n in refs)
    return alce([refs for _, refs in units], frozenset(by_number), judge)


def _supports(engine, evidence: Evidence, bare: str, vector: np.ndarray, citation: Citation) -> bool:
    scorer = engine.support_scorer()
    return any(scorer.measure(bare, vector, record).supported for record in evidence.records(citation))


def score_draft(engine, draft: Optional[Draft]) -> Optional[SupportScore]:
    """ALCE counts for the model's raw reply, before the check repaired or dropped anything:
    each sentence against the prompt sources its own markers (or the next sentence's) cite.
    None when there is no reply to judge (the model declined, or no reply came)."""
    if draft is None or draft.outcome == "declined" or not draft.reply.replace(SENTINEL, "").strip():
        return None
    units = statements(draft.reply.replace(SENTINEL, ""), 0)
    if not units:
        return SupportScore(0, 0, 0, 0)
    sources = draft_sources(engine, draft)
    scorer = engine.support_scorer()
    vectors = embed_texts(engine.embedder, [bare for bare, _ in units])
    table = {(i, n): any(scorer.measure(bare, vectors[i], r).supported for r in sources.get(n, ()))
             for i, (bare, refs) in enumerate(units) for n in refs}
    judge: Judge = lambda i, refs: any(table.get((i, n), False) for n in refs)
    return alce([refs for _, refs in units], frozenset(sources), judge)


def draft_sources(engine, draft: Draft) -> dict[int, list[SentenceRecord]]:
    """Source number -> the sentences of that prompt source, and its article's title."""
    by_id = {r.sentence_id: r for r in engine.store.get_sentences([s for _, ids in draft.sources for s in ids])}
    titles = engine.titles(doc for doc, _ in draft.sources)
    out = {}
    for n, (doc_id, ids) in enumerate(draft.sources, 1):
        out[n] = [by_id[s] for s in ids if s in by_id] + ([titles[doc_id]] if doc_id in titles else [])
    return out
