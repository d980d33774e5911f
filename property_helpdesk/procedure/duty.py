"""The on-duty rota (值班表, R1) at night: whom a night escalation reaches first. Plain values, no Frappe.

A shift is one duty person on one date from one time to another; a shift whose end is not after its start
runs past midnight into the next day. Night hours come from Settings and may run past midnight too.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class Shift:
	user: str
	on: date
	starts: time
	ends: time

	def span(self) -> tuple[datetime, datetime]:
		start = datetime.combine(self.on, self.starts)
		end = datetime.combine(self.on, self.ends)
		if end <= start:
			end += timedelta(days=1)
		return start, end


def is_night(moment: datetime, night_starts: time | None, night_ends: time | None) -> bool:
	"""Whether `moment` falls in the night hours (start included, end excluded); no night without both."""
	if night_starts is None or night_ends is None or night_starts == night_ends:
		return False
	t = moment.time()
	if night_starts < night_ends:
		return night_starts <= t < night_ends
	return t >= night_starts or t < night_ends


def on_duty(shifts: list[Shift], moment: datetime) -> str | None:
	"""The duty person whose shift covers `moment`: the earliest-starting shift, then by user, so that two
	people on one shift always give the same first person. None when the rota covers no such moment."""
	covering = sorted((s.span()[0], s.user) for s in shifts if s.span()[0] <= moment < s.span()[1])
	return covering[0][1] if covering else None


def night_target(
	ladder_user: str | None, duty_user: str | None, duty_told_already: bool
) -> tuple[str | None, bool]:
	"""R1: at night the first step of a clock's escalation goes to the duty person on the rota instead of the
	ladder's person; later steps follow the ladder. Returns (who is told, whether it is the duty person)."""
	if duty_user and not duty_told_already:
		return duty_user, True
	return ladder_user, False
