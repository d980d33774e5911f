"""R30: rework is found, not declared. A new case on the same unit and component (the building component of
its warranty rule, else the reported item) within the window of Settings after a job was completed is proposed
as that job's rework; the maintenance supervisor confirms it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class CompletedJob:
	name: str
	component: str | None  # the warranty rule of its case, else the reported item
	completed_at: datetime


def component(warranty_rule: str | None, reported_item: str | None) -> str | None:
	"""What a case is about: its building component (warranty rule) when it has one, else the reported item,
	compared without surrounding spaces or case."""
	if warranty_rule:
		return f"rule:{warranty_rule}"
	item = (reported_item or "").strip().casefold()
	return f"item:{item}" if item else None


def proposed_rework(
	called_at: datetime, about: str | None, jobs: Iterable[CompletedJob], window_days: float
) -> str | None:
	"""The job a new case (called at `called_at`, about `about`) proposes to redo: the latest job on the same
	component completed within `window_days` before the call; None without one (or without a window)."""
	if not about or not window_days or window_days <= 0:
		return None
	since = called_at - timedelta(days=window_days)
	matches = [j for j in jobs if j.component == about and since <= j.completed_at <= called_at]
	return max(matches, key=lambda j: j.completed_at).name if matches else None
