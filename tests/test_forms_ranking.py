"""The core's tie rule ranks a piece's lines once for every question it asks (issue 14).

``Shaper._fuller`` asks which lines of the original a form keeps, for the
question and (``_ties``) for the same question less the words naming what the
call read. Both rank the same lines; the lines' terms are read once per piece,
and the scores are the ones a ranking built for each question alone gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import headroom.relevance as relevance
from headroom.compressors.base import PieceContext
from headroom.config import Config
from headroom.forms import Piece, Shaper
from headroom.handles import make_handle
from headroom.registry import default_registry
from headroom.relevance import BM25
from headroom.tokens import TokenCounter

FIXTURE = Path(__file__).parent / "fixtures" / "log_command_errors.txt"
QUESTIONS = ("why could git not find the repository", "repository")


def _shaper(text: str) -> Shaper:
    counter = TokenCounter.for_model("gpt-4")
    tokens = counter.count(text)
    ctx = PieceContext(make_handle(text), counter, QUESTIONS[0])
    return Shaper(Piece(0, (), text, tokens, tokens, ctx), "log", default_registry(), Config(), tokens // 4)


def test_two_questions_read_the_lines_terms_once(monkeypatch: pytest.MonkeyPatch) -> None:
    text = FIXTURE.read_text()
    lines = {line.strip() for line in text.split("\n")}
    shaper = _shaper(text)
    reads: list[str] = []
    real = relevance.terms

    def counted(found: str) -> list[str]:
        if found in lines and found not in QUESTIONS:
            reads.append(found)
        return real(found)

    monkeypatch.setattr(relevance, "terms", counted)
    kept = "\n".join(text.split("\n")[:40])
    for question in QUESTIONS:
        shaper._found(kept, question)
    assert 0 < len(reads) <= len(text.split("\n"))


def test_scores_equal_a_ranking_per_question() -> None:
    text = FIXTURE.read_text()
    shaper = _shaper(text)
    stripped = [line.strip() for line in text.split("\n")]
    for question in QUESTIONS:
        found = shaper._found(text, question)
        best: dict[str, float] = {}
        for line, score in zip(stripped, BM25(stripped).scores(question)):
            if score > 0:
                best[line] = max(best.get(line, 0.0), score)
        assert found == {line: score for line, score in best.items() if line in set(stripped)}
        assert found
