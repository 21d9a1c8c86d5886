"""Likely duplicates of a draft report, stored nowhere: what an operator sees while typing a call.

The same index (`candidates`) and the same scorer (`similarity.merge_score` over the text
similarity `merge.match_in` uses) as intake's merge decision, but every candidate is scored and
ranked, not only the best above the threshold: the operator decides. A suggestion at or above
the merge threshold is one intake would merge the report into by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from command.intake import candidates, grid, merge, similarity
from command.intake.classify import Classification, classify
from command.models import Incident

# Below this a candidate is nearby and of the same merge group but not alike enough to offer:
# two different problems at one spot score at most 0.51 (similarity's cap), right next to each
# other and just now; the same problem at the radius's edge a day later still scores 0.56.
SUGGEST_FLOOR = 0.45
MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class DraftIn:
    """What the operator has typed so far (nothing of it is stored)."""

    text: str
    lat: float | None = None
    lon: float | None = None
    category: str = ""  # a category code the operator chose; "" lets the text decide
    source: str = "hotline"


@dataclass(frozen=True)
class Suggestion:
    incident: Incident
    score: float
    text_similarity: float
    distance_m: float
    age_minutes: float  # since the incident was opened
    would_merge: bool  # at or above the merge threshold: intake would merge it by itself


@dataclass(frozen=True)
class Suggestions:
    category: Classification  # the category the draft's text (or the operator's code) gives
    duplicates: list[Suggestion]


def suggest(
    draft: DraftIn, now: datetime | None = None, limit: int = MAX_SUGGESTIONS
) -> Suggestions:
    """The draft's category and the open incidents it most likely repeats, best first (score,
    then nearer, then newer). Needs a point: without one (an address only) intake cannot merge
    either, so there is nothing to offer."""
    now = now or timezone.now()
    found = classify(draft.text, draft.category, draft.source)
    if draft.lat is None or draft.lon is None or not draft.text.strip():
        return Suggestions(found, [])
    config = settings.CITYDESK
    radius, threshold = config["MERGE_RADIUS_M"], config["MERGE_THRESHOLD"]
    span = merge.window()
    span_minutes = span.total_seconds() / 60
    index = candidates.get_index()
    index.catch_up()  # a read: no area lock, the index as committed so far
    text_norm = similarity.normalise(draft.text)
    scored = []
    group = found.category.merge_group
    for record, text, _, minutes in index.candidates(
        draft.lat, draft.lon, group, now, radius, span
    ):
        # Reported (and scored) on haversine, as the merge decision reports its match.
        distance = grid.distance_m(draft.lat, draft.lon, record.lat, record.lon)
        text_sim = similarity.text_similarity(text_norm, text.norm)
        score = similarity.merge_score(text_sim, distance, minutes, radius, span_minutes)
        if score >= SUGGEST_FLOOR:
            scored.append((record.id, score, text_sim, distance, minutes))
    scored.sort(key=lambda s: (-s[1], s[3], s[4]))
    scored = scored[:limit]
    incidents = Incident.objects.select_related("category", "district", "unit").in_bulk(
        [s[0] for s in scored]
    )
    duplicates = [
        Suggestion(incidents[i], score, text_sim, distance, minutes, score >= threshold)
        for i, score, text_sim, distance, minutes in scored
        if i in incidents
    ]
    return Suggestions(found, duplicates)
