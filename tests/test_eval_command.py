"""`dossier eval` end to end on a small question file: the table, --json, --report, generated mode."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from dossier.bot.eval_cli import add_eval_arguments, run_eval_command
from dossier.index.eval.metrics import ALL_METRICS
from openai_server import FakeOpenAIServer

QUESTIONS = [
    {"id": "missiles", "question": "How many missiles did North Korea fire toward the Sea of Japan?",
     "sources": ["002_4e57d263a0889e77"], "phrases": ["at least 10"], "answerable": True},
    {"id": "disguise", "question": "Which regions were the shipments made to look like they were going to?",
     "sources": ["000_0dd2a3e0bdc5e534", "001_50707cac18e41cab", "002_4e57d263a0889e77",
                 "003_921e0df82687d6a9", "004_bd89ee0a79ef3c3c"],
     "phrases": ["Middle East|Middle Eastern", "Africa|African"], "answerable": True},
    {"id": "nebenzia", "question": "Which Russian ambassador denied the claims?",
     "sources": ["002_4e57d263a0889e77"], "phrases": ["Nebenzia"], "answerable": True},
    {"id": "world-cup", "question": "Who won the 2022 World Cup?", "sources": [], "phrases": [],
     "answerable": False},
]
ALL_BUT_GENERATED = "default,bm25,dense,hybrid-raw,llamaindex-stock"


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dossier eval")
    add_eval_arguments(parser)
    return parser.parse_args(list(argv))


def question_file(tmp_path: Path, questions=QUESTIONS) -> Path:
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run(embedder, tmp_path_factory):
    """One full run of the command (all offline configurations), shared by the assertions below."""
    out = tmp_path_factory.mktemp("eval")
    path = question_file(out)
    args = parse("--questions", str(path), "--json", str(out / "result.json"), "--report", str(out / "report"),
                 "--benchmarks", "all")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DOSSIER_CHROMA_HOST"):
            patch.delenv(name, raising=False)
        patch.setenv("DOSSIER_HOME", str(out / "user-home"))
        patch.chdir(out)
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = run_eval_command(args, embedder=embedder)
    return {"code": code, "out": out, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}


def test_the_command_succeeds_without_touching_the_user_store(run):
    assert run["code"] == 0, run["stderr"]
    assert not (run["out"] / "user-home").exists()  # the store was temporary


def test_the_terminal_table_has_a_row_per_configuration_and_lists_failures(run):
    stdout = run["stdout"]
    for name in ALL_BUT_GENERATED.split(","):
        assert f"│ {name}" in stdout
    assert "hit@6" in stdout and "phrase recall" in stdout and "p95 ms" in stdout
    assert "skipped generated: no LLM configured" in stdout
    assert "hybrid-raw: " in stdout and "world-cup" in stdout and "a refusal" in stdout  # raw never refuses


def test_json_has_metrics_per_configuration_and_every_answer(run):
    data = json.loads((run["out"] / "result.json").read_text(encoding="utf-8"))
    assert set(data["configs"]) == set(ALL_BUT_GENERATED.split(","))
    assert all(set(metrics) == set(ALL_METRICS) for metrics in data["configs"].values())
    assert data["skipped"] == {"generated": "no LLM configured (set OPENAI_API_KEY or OPENAI_BASE_URL)"}
    assert data["questions"] == {"total": 4, "answerable": 3, "unanswerable": 1}
    rows = data["per_question"]
    assert len(rows) == 4 * 5
    for row in rows:
        assert set(row) >= {"config", "id", "question", "answer", "ok"}
        assert set(row["answer"]) >= {"question", "answer", "mode", "refused", "citations", "timings_ms"}
        assert all(isinstance(v, bool) for v in row["ok"].values())
    default = {r["id"]: r for r in rows if r["config"] == "default"}
    assert default["missiles"]["ok"]["phrases"] and default["missiles"]["ok"]["quotes"]
    assert default["world-cup"]["answer"]["refused"] and default["world-cup"]["ok"] == {"abstention": True}
    assert data["configs"]["default"]["refused_unanswerable"] == 1.0
    assert data["configs"]["hybrid-raw"]["refused_unanswerable"] == 0.0
    stock = [r for r in rows if r["config"] == "llamaindex-stock"]
    assert all(not r["answer"]["refused"] and len(r["answer"]["citations"]) == 1 for r in stock)
    assert data["configs"]["llamaindex-stock"]["quote_exactness"] == 1.0


def test_report_has_the_table_the_chart_and_the_failures(run):
    report = run["out"] / "report"
    text = (report / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Dossier evaluation\n")
    assert "| config | hit@6 | MRR | phrase recall |" in text
    assert "| default | " in text and "| llamaindex-stock | " in text
    assert "![metrics per configuration](metrics.png)" in text
    assert "## hybrid-raw: " in text and "| world-cup | Who won the 2022 World Cup? | a refusal |" in text
    assert "Skipped `generated`" in text
    png = (report / "metrics.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    assert f"wrote {report / 'report.md'}" in run["stderr"]


def test_generated_runs_when_an_llm_is_configured(embedder, tmp_path, monkeypatch, capsys):
    """A scripted OpenAI-compatible server answers; the generated row is judged like the others."""
    path = question_file(tmp_path, [QUESTIONS[0], QUESTIONS[3]])
    with FakeOpenAIServer() as server:
        server.enqueue("North Korea fired at least 10 missiles toward the Sea of Japan and the Yellow Sea on "
                       "Wednesday, South Korea's Joint Chiefs of Staff said [1][2][3][4][5][6].")
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("DOSSIER_LLM_MAX_RETRIES", "0")
        args = parse("--questions", str(path), "--configs", "generated", "--json", str(tmp_path / "g.json"))
        assert run_eval_command(args, embedder=embedder) == 0
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    [answered] = [r for r in data["per_question"] if r["id"] == "missiles"]
    assert answered["answer"]["mode"] == "generated" and "notice" not in answered["answer"]
    assert answered["ok"]["phrases"] and answered["ok"]["support"] and answered["ok"]["quotes"]
    assert data["configs"]["generated"]["support_recall"] == 1.0
    assert "│ generated" in capsys.readouterr().out


# ---- which questions, asked of which articles --------------------------------------------------


def test_no_arguments_mean_the_seed_dev_set_asked_of_the_seeds():
    from dossier.bot.eval_cli import inputs
    from dossier.index.eval.questions import load_questions
    from dossier.index.eval.runner import DEFAULT_QUESTIONS
    from dossier.index.settings import EVAL_DIR, SEEDS_DIR

    path, corpus = inputs(parse())
    assert (path, corpus) == (DEFAULT_QUESTIONS, SEEDS_DIR) == (EVAL_DIR / "seeds" / "dev.jsonl", SEEDS_DIR)
    assert len(load_questions(path, known_sources={p.stem for p in SEEDS_DIR.glob("*.txt")})) >= 100
    assert inputs(parse("--questions", "mine.jsonl")) == (Path("mine.jsonl"), SEEDS_DIR)  # as before --corpus


def test_a_shipped_set_brings_its_corpus(tmp_path):
    from dossier.bot.eval_cli import inputs
    from dossier.index.settings import EVAL_DIR

    story = EVAL_DIR / "baltimore-bridge"
    assert inputs(parse("--set", "baltimore-bridge/heldout")) == (story / "heldout.jsonl", story / "corpus")
    assert inputs(parse("--corpus", str(tmp_path), "--questions", "q.jsonl")) == (Path("q.jsonl"), tmp_path)


@pytest.mark.parametrize("argv, message", [
    (("--corpus", "."), "--corpus . needs --questions FILE written for its articles"),
    (("--set", "seeds/heldout", "--corpus", "."), "--set names both the questions and the corpus"),
    (("--set", "seeds/heldout", "--questions", "q.jsonl"), "--set names both the questions and the corpus"),
    (("--set", "nowhere/dev"), "unknown question set 'nowhere/dev'; choose from "),
    (("--corpus", "no-such-dir", "--questions", "q.jsonl"), "corpus folder no-such-dir does not exist"),
])
def test_mismatched_inputs_are_one_line_errors_before_anything_loads(argv, message, capsys):
    assert run_eval_command(parse(*argv)) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"dossier: error: {message}")


LIBRARY = {
    "riverside_library": "Riverside library to reopen after renovation\n\n"
                         "The Riverside public library will reopen on 14 June after a two-year renovation, "
                         "the town council said on Monday.\n\n"
                         "The new building has a rooftop reading garden and 40 study desks.\n\n"
                         "Head librarian Ana Reyes said the children's section doubled in size.\n",
    "council_budget": "Council approves arts budget\n\n"
                      "The town council approved a budget of 2.4 million euros for libraries and museums.\n\n"
                      "Councillor Tom Berg voted against the plan, calling it too small.\n",
}


def test_any_folder_of_articles_can_be_evaluated(embedder, tmp_path, monkeypatch):
    """--corpus builds the temporary store from the folder: questions cite its documents, not the seeds."""
    corpus = tmp_path / "articles"
    corpus.mkdir()
    for name, text in LIBRARY.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    path = question_file(tmp_path, [
        {"id": "reopen", "question": "When will the Riverside library reopen?", "sources": ["riverside_library"],
         "phrases": ["14 June"], "answerable": True},
        {"id": "budget", "question": "How big is the arts budget the council approved?",
         "sources": ["council_budget"], "phrases": ["2.4 million euros"], "answerable": True},
        {"id": "world-cup", "question": "Who won the 2022 World Cup?", "sources": [], "phrases": [],
         "answerable": False},
    ])
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DOSSIER_CHROMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOSSIER_HOME", str(tmp_path / "user-home"))
    args = parse("--corpus", str(corpus), "--questions", str(path), "--configs", "default,bm25",
                 "--json", str(tmp_path / "out.json"), "--report", str(tmp_path / "report"))
    assert run_eval_command(args, embedder=embedder) == 0
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert data["corpus"] == str(corpus) and data["questions_file"] == str(path)
    assert data["configs"]["bm25"]["hit@k"] == 1.0
    cited = {c["doc_id"] for row in data["per_question"] for c in row["answer"]["citations"]}
    assert cited and cited <= set(LIBRARY)
    assert {row["status"] for row in data["per_question"]} <= {"answered", "related", "refused"}
    assert f"- corpus: `{corpus}`" in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")


def test_questions_citing_documents_the_corpus_lacks_fail_in_one_line(embedder, tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "riverside_library.txt").write_text(LIBRARY["riverside_library"], encoding="utf-8")
    monkeypatch.setenv("DOSSIER_HOME", str(tmp_path / "user-home"))
    monkeypatch.delenv("DOSSIER_CHROMA_HOST", raising=False)
    args = parse("--corpus", str(corpus), "--questions", str(question_file(tmp_path)), "--configs", "default")
    assert run_eval_command(args, embedder=embedder) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "unknown source id '002_4e57d263a0889e77' (known: riverside_library)" in line


def test_reports_name_their_inputs_and_mark_related_answers():
    from dossier.bot import eval_report
    from dossier.index.eval.metrics import Record, summarize
    from dossier.index.eval.questions import Question
    from dossier.index.eval.runner import EvalResult
    from dossier.index.models import Answer

    question = Question(id="q1", question="What did it cost?", sources=("doc",), phrases=(("2.4 million",),),
                        answerable=True)
    answer = Answer(question=question.question, answer="The articles do not say this. Closest: a budget.",
                    mode="extractive", refused=False, status="related")
    record = Record(config="default", question=question, answer=answer, latency_ms=1.0)
    result = EvalResult(k=6, questions=[question], summaries={"default": summarize([record])}, records=[record],
                        corpus=Path("articles"), questions_file=Path("q.jsonl"))
    assert eval_report.got(record).startswith("related: The articles do not say this.")
    text = eval_report.markdown_report(result, chart=None)
    assert "- questions: `q.jsonl`\n- corpus: `articles`\n" in text
    assert "declined unans. | declined ans. |" in text and "| q1 | What did it cost? | (2.4 million) | related: " in text
    assert result.to_dict()["per_question"][0]["status"] == "related"


def test_help_points_at_a_document_that_explains_every_option():
    from dossier.bot.eval_cli import DESCRIPTION

    pointer = re.search(r"docs/[\w.]+\.md", DESCRIPTION).group(0)
    docs = (Path(__file__).parents[1] / pointer).read_text(encoding="utf-8")
    parser = argparse.ArgumentParser()
    add_eval_arguments(parser)
    options = [o for action in parser._actions for o in action.option_strings if o.startswith("--") and o != "--help"]
    assert options and all(f"`{option} " in docs for option in options), options
    from dossier.bot.eval_report import label
    from dossier.index.eval.metrics import ALL_METRICS

    defined = " ".join(re.findall(r"\*\*(.+?)\*\*", docs))  # the bold terms of the definitions
    assert not [m for m in ALL_METRICS if label(m, "k") not in defined]


def test_attribution_figures_are_printed(run):
    assert "attribution (dev, " in run["stdout"] and "attribution (heldout, " in run["stdout"]
    assert "name precision" in run["stdout"] and "speaker recall" in run["stdout"]


def test_generated_mode_reports_what_became_of_the_model_s_replies(embedder, tmp_path, monkeypatch, capsys):
    """Per configuration: kept / repaired / fallen back / declined, and support of the raw replies."""
    path = question_file(tmp_path, [QUESTIONS[0], QUESTIONS[2], QUESTIONS[3]])
    with FakeOpenAIServer() as server:
        # The right sentence with the wrong marker (repaired), then a decline of an answerable question.
        server.enqueue_numbered("North Korea fired at least 10 missiles toward the Sea of Japan and the Yellow Sea on "
                                "Wednesday, South Korea's Joint Chiefs of Staff said [{not:at least 10 missiles}].")
        server.enqueue("INSUFFICIENT_CONTEXT")
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("DOSSIER_LLM_MAX_RETRIES", "0")
        args = parse("--questions", str(path), "--configs", "default,generated", "--json", str(tmp_path / "g.json"))
        assert run_eval_command(args, embedder=embedder) == 0
        assert len(server.chat_requests()) == 2  # the unanswerable question never reaches the model
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    generated, default = data["configs"]["generated"], data["configs"]["default"]
    assert (generated["generated_kept"], generated["generated_repaired"], generated["generated_fallback"],
            generated["generated_declined"]) == (0.0, 0.5, 0.0, 0.5)
    assert generated["support_recall"] == 1.0 and generated["raw_support_recall"] == 0.0  # as written: wrong source
    assert all(default[m] is None for m in ("generated_kept", "raw_support_recall", "raw_support_precision"))
    by_id = {r["id"]: r for r in data["per_question"] if r["config"] == "generated"}
    assert by_id["missiles"]["answer"]["generation"] == "repaired" and by_id["missiles"]["ok"]["phrases"]
    assert by_id["missiles"]["raw_support"] == {"recall": 0.0, "precision": 0.0}
    assert by_id["missiles"]["model_reply"].startswith("North Korea fired at least 10 missiles")
    assert by_id["nebenzia"]["model_reply"] == "INSUFFICIENT_CONTEXT" and "raw_support" not in by_id["nebenzia"]
    declined = by_id["nebenzia"]["answer"]
    assert declined["generation"] == "declined" and declined["status"] == "answered" and declined["mode"] == "extractive"
    assert "generation" not in by_id["world-cup"]["answer"] and "model_reply" not in by_id["world-cup"]
    out = capsys.readouterr().out
    assert "generated answers" in out and "raw support R" in out


def test_faithfulness_judge_figures_are_printed(run):
    for split in ("dev", "heldout"):
        line = next(l for l in run["stdout"].splitlines() if l.startswith(f"faithfulness judge ({split}, "))
        assert "precision on supported" in line and "faithful accepted" in line and "unfaithful accepted" in line


@pytest.mark.parametrize("argv, splits", [
    ((), ("dev",)),
    (("--set", "seeds/dev"), ("dev",)),
    (("--set", "baltimore-bridge/heldout"), ("dev", "heldout")),
    (("--questions", "q.jsonl"), ("dev",)),
    (("--set", "seeds/dev", "--benchmarks", "all"), ("dev", "heldout")),
    (("--set", "seeds/heldout", "--benchmarks", "dev"), ("dev",)),
])
def test_held_out_benchmark_figures_are_printed_only_when_asked_for(argv, splits):
    from dossier.bot.eval_cli import benchmark_splits

    assert benchmark_splits(parse(*argv)) == splits


@pytest.mark.parametrize("argv, limit", [
    ((), 10),
    (("--set", "seeds/dev"), 10),
    (("--set", "christchurch-quake/heldout"), 0),
    (("--set", "seeds/heldout", "--failures", "5"), 5),
    (("--set", "seeds/dev", "--failures", "-3"), 0),
])
def test_failing_held_out_questions_are_listed_only_when_asked_for(argv, limit):
    from dossier.bot.eval_cli import failure_limit

    assert failure_limit(parse(*argv)) == limit


def test_the_benchmark_reports_print_only_the_splits_given(embedder):
    from dossier.index.eval.attribution import report as attribution_report
    from dossier.index.eval.faithful import report as faithful_report

    lines = attribution_report(("dev",)) + faithful_report(embedder, ("dev",))
    assert lines and all("(dev" in line for line in lines) and not any("heldout" in line for line in lines)
