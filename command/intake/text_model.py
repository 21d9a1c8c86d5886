"""A small text model for complaints the problem lexicon does not recognise: multinomial naive
Bayes over character bigrams and jieba words of the normalised text.

Trained by `python manage.py train_classifier` (command.intake.training) on the project's own texts
(command/intake/data/training_texts.jsonl, never the evaluation set); its weights ship in
command/intake/data/text_model.json, so run time needs neither training nor a download.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from pathlib import Path
from typing import NamedTuple

MODEL = Path(__file__).parent / "data" / "text_model.json"


class Guess(NamedTuple):
    code: str
    probability: float


class Weights(NamedTuple):
    classes: tuple[str, ...]
    prior: tuple[float, ...]  # log p(class)
    unseen: tuple[float, ...]  # log p(feature | class) of a known feature the class never had
    # feature -> {class index: log p(feature | class) - its unseen log probability}
    features: dict[str, dict[int, float]]


@functools.cache
def _tokenizer():
    """jieba's tokenizer, loaded once per process, without its log lines."""
    # Imported here: half a second to load, paid only when a text needs the model.
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def features(text_norm: str) -> list[str]:
    """Character bigrams, and the words of two or more characters (prefixed `w:`)."""
    grams = [text_norm[i : i + 2] for i in range(len(text_norm) - 1)]
    # HMM off: no guessed new words, so the vocabulary is the dictionary's and stays stable.
    words = [f"w:{w}" for w in _tokenizer().lcut(text_norm, HMM=False) if len(w) >= 2]
    return grams + words


@functools.cache
def weights() -> Weights:
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    rows = {f: {int(i): v for i, v in row.items()} for f, row in data["features"].items()}
    return Weights(tuple(data["classes"]), tuple(data["prior"]), tuple(data["unseen"]), rows)


def guess(text_norm: str) -> Guess | None:
    """The likeliest category code and its probability; None when no feature is known."""
    model = weights()
    scores = list(model.prior)
    known = 0
    for feature in features(text_norm):
        row = model.features.get(feature)
        if row is None:
            continue  # never seen in training: says nothing about any class
        known += 1
        for index, delta in row.items():
            scores[index] += delta
    if not known:
        return None
    scores = [score + known * unseen for score, unseen in zip(scores, model.unseen, strict=True)]
    top = max(scores)
    odds = [math.exp(score - top) for score in scores]
    best = odds.index(1.0)
    return Guess(model.classes[best], 1.0 / sum(odds))
