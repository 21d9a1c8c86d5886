"""Category of a report: from the source's own code when it gives one, else from the text.

The text is read for the problem it names first (command.intake.problems: colloquial, dialect and
feed wording), then by the text model (command.intake.text_model) when it is confident, then for
the category keywords; `other` only when none of them finds anything. A
source's coarse class (12319 行道树, web 燃气) gives way to the text's category of the same merge
group (fallen_tree, gas_leak); a class that is a box for many departments (web 物业, 交通, 其他)
gives way to a problem the text names or a category the model is sure of, in any group.
"""

from __future__ import annotations

from dataclasses import dataclass

from command.intake import problems, similarity, text_model
from command.models import Category, CategoryAlias
from command.ttl_cache import ttl_cached

FALLBACK_CODE = "other"
# Below this the model's guess is left to the keywords: on texts it was not trained on (the
# evaluation set, held out) its guesses at 0.6 and above were right 9 times in 10.
MODEL_MIN_PROBABILITY = 0.6
# A source's class that is a box for many departments (a web form's 物业, 交通, 其他): a text
# that names a problem, or that the model is sure of, says better what it is about, even in
# another merge group (【物业】 above a lift that drops; 【交通】 above a bus that never comes).
BROAD_CODES = frozenset({"property_management", "traffic", "other"})
BROAD_MIN_PROBABILITY = 0.9


@dataclass(frozen=True)
class Taxonomy:
    by_code: dict[str, Category]
    aliases: dict[tuple[str, str], Category]
    # (keyword, category), longest keywords first so specific words win ties.
    keywords: list[tuple[str, Category]]


@dataclass(frozen=True)
class Classification:
    category: Category
    how: str  # "source_code", "problem", "model", "keywords" or "fallback"
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
    given = _by_source_code(code, source_code, tax) if code else None
    # A code we do not know is still words: 【供暖】, 事件/突发事件/燃气泄漏 say what it is about.
    read = text if given is not None or not code else f"{code} {text}"
    by_text = _by_problem(read, tax) or _by_model(read, tax) or _by_keywords(read, tax)
    if given is None:
        return by_text or Classification(tax.by_code[FALLBACK_CODE], "fallback")
    if by_text is not None and by_text.category != given:
        if by_text.category.merge_group == given.merge_group:
            return by_text  # the text is more precise than the source's class
        if given.code in BROAD_CODES and _sure(by_text):
            return by_text  # a box for many departments: the text says which
    return Classification(given, "source_code")


def _sure(found: Classification) -> bool:
    """A problem the lexicon names, or a category the model is sure of."""
    if found.how == "problem":
        return True
    return found.how == "model" and float(found.matched[0]) >= BROAD_MIN_PROBABILITY


def _by_source_code(code: str, source_code: str, tax: Taxonomy) -> Category | None:
    """The alias of the code, whole or by its last part (12319's 事件/市容环境/暴露垃圾)."""
    leaf = code.rsplit("/", 1)[-1].strip()
    return (
        tax.aliases.get((source_code, code))
        or tax.by_code.get(code)
        or tax.aliases.get((source_code, leaf))
    )


def _by_problem(text: str, tax: Taxonomy) -> Classification | None:
    found = problems.find(similarity.normalise(text))
    if found.first is None or found.first.category not in tax.by_code:
        return None
    return Classification(tax.by_code[found.first.category], "problem", (found.key,))


def _by_model(text: str, tax: Taxonomy) -> Classification | None:
    guess = text_model.guess(similarity.normalise(text))
    if guess is None or guess.probability < MODEL_MIN_PROBABILITY or guess.code == FALLBACK_CODE:
        return None
    if guess.code not in tax.by_code:
        return None
    return Classification(tax.by_code[guess.code], "model", (f"{guess.probability:.2f}",))


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
