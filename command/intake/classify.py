"""Category of a report: from the source's own code when it gives one, else from the text."""

from __future__ import annotations

from dataclasses import dataclass

from command.models import Category, CategoryAlias
from command.ttl_cache import ttl_cached

FALLBACK_CODE = "other"


@dataclass(frozen=True)
class Taxonomy:
    by_code: dict[str, Category]
    aliases: dict[tuple[str, str], Category]
    # (keyword, category), longest keywords first so specific words win ties.
    keywords: list[tuple[str, Category]]


@dataclass(frozen=True)
class Classification:
    category: Category
    how: str  # "source_code", "keywords" or "fallback"
    matched: tuple[str, ...] = ()


@ttl_cached(60)
def taxonomy() -> Taxonomy:
    categories = list(Category.objects.all())
    aliases = {
        (a.source.code, a.code.lower()): a.category
        for a in CategoryAlias.objects.select_related("source", "category")
    }
    keywords = sorted(
        ((word, c) for c in categories for word in c.keywords if word),
        key=lambda pair: -len(pair[0]),
    )
    return Taxonomy({c.code: c for c in categories}, aliases, keywords)


def classify(text: str, given_code: str, source_code: str) -> Classification:
    tax = taxonomy()
    code = given_code.strip().lower()
    if code:
        found = tax.aliases.get((source_code, code)) or tax.by_code.get(code)
        if found is not None:
            return Classification(found, "source_code")
    by_keywords = _by_keywords(text, tax)
    if by_keywords is not None:
        return by_keywords
    return Classification(tax.by_code[FALLBACK_CODE], "fallback")


def _by_keywords(text: str, tax: Taxonomy) -> Classification | None:
    """The category whose keywords cover most characters of the text."""
    scores: dict[str, int] = {}
    matched: dict[str, list[str]] = {}
    for word, category in tax.keywords:
        if word in text:
            scores[category.code] = scores.get(category.code, 0) + len(word)
            matched.setdefault(category.code, []).append(word)
    if not scores:
        return None
    best = max(scores, key=lambda code: (scores[code], code != FALLBACK_CODE))
    return Classification(tax.by_code[best], "keywords", tuple(matched[best]))
