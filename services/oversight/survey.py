"""The satisfaction survey (满意度调查) of one period: how applicants rated, and what was done about bad ratings."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from services.oversight.commands import DIMENSION_LABELS, SCORE_LABELS
from services.oversight.periods import Period
from shared.logging import mask_text


def satisfaction(period: Period, ratings: Iterable, tasks: Iterable, latest_comments: int = 10) -> dict:
    ratings = list(ratings)
    scores = [r.score for r in ratings]
    dimensions: dict[str, list[int]] = defaultdict(list)
    for r in ratings:
        for name, score in (r.dimensions or {}).items():
            dimensions[name].append(score)
    return {"period": period.as_dict(), "ratings": len(scores),
            "average": _average(scores),
            "satisfaction_rate": round(sum(s >= 4 for s in scores) / len(scores), 4) if scores else None,
            "distribution": [{"score": s, "label": SCORE_LABELS[s], "count": scores.count(s)} for s in range(5, 0, -1)],
            "dimensions": [{"dimension": d, "label": label, "ratings": len(dimensions[d]),
                            "average": _average(dimensions[d])} for d, label in DIMENSION_LABELS.items()],
            "rectifications": _tasks(period, tasks),
            "comments": [{"score": r.score, "rated_on": r.rated_on.isoformat(), "comment": mask_text(r.comment)}
                         for r in sorted(ratings, key=lambda r: r.rated_at, reverse=True) if r.comment][:latest_comments]}


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _tasks(period: Period, tasks: Iterable) -> dict:
    tasks = list(tasks)
    return {"opened": sum(t.opened_on in period for t in tasks),
            "closed": sum(t.closed_on in period for t in tasks),
            "closed_late": sum(t.closed_on in period and t.closed_on > t.due_date for t in tasks)}
