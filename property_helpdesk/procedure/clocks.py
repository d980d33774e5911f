"""The procedure's clocks and the escalation ladder (R15, R20–R24, R37), and what counts as on time (R29, R30).

Every clock starts at an event of the case, ends at another, and has a limit from the service commitment
(Settings, R31: no number lives here). A clock that has started and not ended has a deadline; past it, the
breach climbs the escalation ladder built on R4, one level per configured delay. Whether a case or a job was
on time, late or a rework is stated once, at the end of this module, as rules the database and Python both read.
"""

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

DISPATCH = "Dispatch"  # R15: the maintenance team told of the job within 5 minutes of the call
ARRIVAL = "Arrival"  # R20: on site within 15 minutes of the work order
COMPLETION = "Completion"  # R21: minor/urgent within 24 h (aim 2 h), general within 72 h
EXPLANATION = "Explanation"  # R22: major/external/parts jobs explained within 48 h with an expected date
ANSWER = "Answer"  # R23: a complaint or need not solved at once is answered within 3 days
WORK_ORDER_RETURN = "Work Order Return"  # R24: work order back to 客服中心 within 24 h of completion
RETURN_VISIT = "Return Visit"  # R24: 回访 within 72 h of completion
CLOCKS = (DISPATCH, ARRIVAL, COMPLETION, EXPLANATION, ANSWER, WORK_ORDER_RETURN, RETURN_VISIT)

# A pause (R37) holds these (recorded on the case), for a reason of PAUSE_REASONS and at most its limit.
PAUSABLE = frozenset({COMPLETION, ANSWER})
# The reasons a clock may pause for (stored English values; the Clock Pause row's options, translated in the
# form). Each has a longest duration in Settings (Pause Limits).
APPOINTMENT_PAUSE = "Waiting for the Resident's Appointment"
PARTS_PAUSE = "Waiting for Parts"  # parts on order
NOT_HOME_PAUSE = "Resident Not Home"
WEATHER_PAUSE = "Weather"
OTHER_PAUSE = "Other"
PAUSE_REASONS = (APPOINTMENT_PAUSE, PARTS_PAUSE, NOT_HOME_PAUSE, WEATHER_PAUSE, OTHER_PAUSE)
# Clocks of one job: a new work order on the same case (a re-dispatch) runs them afresh, and its breaches are
# its own (the breach key names the work order).
WORK_ORDER_CLOCKS = frozenset({ARRIVAL, WORK_ORDER_RETURN, RETURN_VISIT})

MINOR = "Minor or Urgent"  # 零修/共用小项/急修
GENERAL = "General"  # 一般维修
MAJOR = "Major"  # 大项维修/外来特约维修/异地采购零配件


@dataclass(frozen=True)
class Commitment:
	"""The limits of R31's service commitment, in minutes."""

	dispatch: float
	arrival: float
	minor_completion: float
	general_completion: float
	explanation: float
	answer: float
	work_order_return: float
	return_visit: float


@dataclass(frozen=True)
class CaseTimes:
	called_at: datetime
	is_repair: bool  # a work order is due (R15)
	needs_answer: bool  # complaint or service request (R23)
	job_class: str | None = None  # MINOR / GENERAL / MAJOR: the job's class now, which its clocks follow
	dispatched_class: str | None = None  # the class it was dispatched with, which R29 judges it by (R20–R22)
	dispatched_at: datetime | None = None  # the work order written (the arrival clock starts there)
	team_told_at: datetime | None = None  # the team's assignment and notification delivered (R15's end)
	emergency: bool = False  # R15e: dispatched first, by phone; the true dispatch time entered afterwards
	appointment_at: datetime | None = None  # the time agreed with the resident (预约时间)
	arrived_at: datetime | None = None
	completed_at: datetime | None = None
	returned_at: datetime | None = None
	visited_at: datetime | None = None
	explained_at: datetime | None = None
	answered_at: datetime | None = None
	closed: bool = False
	paused_minutes: float = 0  # total of finished pauses
	paused_since: datetime | None = None  # a pause under way
	paused_until: datetime | None = None  # when the pause under way ends by itself (its reason's limit)


@dataclass(frozen=True)
class Step:
	level: str
	delay_minutes: float  # after the deadline


def _limit(clock: str, times: CaseTimes, c: Commitment) -> float | None:
	if clock == COMPLETION:
		return {MINOR: c.minor_completion, GENERAL: c.general_completion}.get(times.job_class)
	return {
		DISPATCH: c.dispatch,
		ARRIVAL: c.arrival,
		EXPLANATION: c.explanation,
		ANSWER: c.answer,
		WORK_ORDER_RETURN: c.work_order_return,
		RETURN_VISIT: c.return_visit,
	}[clock]


def _span(clock: str, t: CaseTimes) -> tuple[bool, datetime | None, datetime | None]:
	"""(applies, started at, ended at) of one clock."""
	if clock == DISPATCH:
		return t.is_repair, t.called_at, team_told(t)
	if clock == ARRIVAL:
		return t.is_repair, arrival_start(t.dispatched_at, t.appointment_at), t.arrived_at
	if clock == COMPLETION:
		return t.is_repair and t.job_class in (MINOR, GENERAL), t.called_at, t.completed_at
	if clock == EXPLANATION:
		return t.is_repair and t.job_class == MAJOR, t.called_at, t.explained_at
	if clock == ANSWER:
		return t.needs_answer, t.called_at, t.answered_at
	if clock == WORK_ORDER_RETURN:
		return t.is_repair, t.completed_at, t.returned_at
	return t.is_repair, t.completed_at, t.visited_at  # RETURN_VISIT


def team_told(t: CaseTimes) -> datetime | None:
	"""R15: when the maintenance team was told of the job: when its assignment and notification were delivered
	(not when the work order row was written). An emergency's team was told by phone first (R15e): its true
	dispatch time, entered afterwards, is that moment."""
	if t.emergency and t.dispatched_at is not None:
		return t.dispatched_at
	return t.team_told_at


def arrival_start(dispatched_at: datetime | None, appointment_at: datetime | None) -> datetime | None:
	"""R20: the arrival clock runs from dispatch, or from the resident's appointment when that is later (nobody
	is late for an appointment not yet due). No dispatch, no clock."""
	if dispatched_at is None:
		return None
	if appointment_at is not None and appointment_at > dispatched_at:
		return appointment_at
	return dispatched_at


def deadlines(times: CaseTimes, commitment: Commitment) -> dict[str, datetime | None]:
	"""The deadline of every clock that applies: None once it has ended, or while a pause holds it."""
	out: dict[str, datetime | None] = {}
	for clock in CLOCKS:
		applies, start, end = _span(clock, times)
		limit = _limit(clock, times, commitment) if applies else None
		if not applies or limit is None or start is None:
			continue
		if end is not None or (times.closed and clock not in (WORK_ORDER_RETURN, RETURN_VISIT)):
			out[clock] = None
			continue
		if clock in PAUSABLE:
			if times.paused_since is not None:
				out[clock] = None
				continue
			limit += times.paused_minutes
		out[clock] = start + timedelta(minutes=limit)
	return out


# -- R37: pauses that cannot be gamed ---------------------------------------------------------------------


def pause_limit(reason: str, limits: Mapping[str, float]) -> float | None:
	"""The longest a pause for `reason` may last, in minutes (Settings); None for a reason not on the list or
	without a limit (such a pause is refused)."""
	if reason not in PAUSE_REASONS:
		return None
	limit = limits.get(reason)
	return limit if limit and limit > 0 else None


def pause_ends_at(paused_at: datetime, limit_minutes: float) -> datetime:
	"""When a pause begun at `paused_at` ends by itself. While it runs the pausable clocks are held (no deadline);
	its end is a moment of the case (services/clocks: `next_escalation_at`), when the escalation job ends it and
	the clocks run again, extended by at most the limit."""
	return paused_at + timedelta(minutes=limit_minutes)


def past_pausable_deadlines(open_deadlines: Mapping[str, datetime | None], now: datetime) -> list[str]:
	"""The pausable clocks already past their deadline at `now`: a case with any cannot be paused, or the pause
	would stop that deadline's escalation."""
	return [
		clock
		for clock in CLOCKS
		if clock in PAUSABLE and open_deadlines.get(clock) is not None and open_deadlines[clock] < now
	]


def pause_end(paused_since: datetime, paused_until: datetime | None, now: datetime) -> datetime:
	"""When a pause ends if it is resumed at `now`: then, or at its planned end if that came first."""
	if paused_until is not None and paused_until < now:
		return paused_until
	return now


def paused_minutes_between(start: datetime, end: datetime) -> float:
	return max((end - start).total_seconds() / 60, 0)


def escalations_due(
	deadline: datetime, ladder: Iterable[Step], done: Iterable[str], now: datetime
) -> list[Step]:
	"""The ladder steps reached by `now` and not yet taken, lowest first."""
	taken = set(done)
	return [
		s for s in ladder if s.level not in taken and deadline + timedelta(minutes=s.delay_minutes) <= now
	]


def next_moment(
	open_deadlines: dict[str, datetime | None], ladder: list[Step], done: dict[str, set[str]]
) -> datetime | None:
	"""When the escalation job next has something to do for this case: the earliest ladder step not taken
	on any running clock. None when nothing is pending."""
	moments = []
	for clock, deadline in open_deadlines.items():
		if deadline is None:
			continue
		pending = [s for s in ladder if s.level not in done.get(clock, set())]
		if pending:
			moments.append(deadline + timedelta(minutes=min(s.delay_minutes for s in pending)))
	return min(moments) if moments else None


def timeliness_clock(times: CaseTimes) -> str | None:
	"""R29: the clock whose end decides whether a case was handled in time: completion for repairs (the
	explanation for major jobs, which have no completion limit), the answer for complaints and service
	requests; None for enquiries."""
	if times.is_repair:
		return EXPLANATION if times.job_class == MAJOR else COMPLETION
	if times.needs_answer:
		return ANSWER
	return None


def judged(times: CaseTimes) -> CaseTimes:
	"""The case's times as R29 judges them: its job by the class it was dispatched with (R20–R22), whatever an
	approved change made of it since."""
	if times.dispatched_class and times.dispatched_class != times.job_class:
		return replace(times, job_class=times.dispatched_class)
	return times


def handling(times: CaseTimes, commitment: Commitment) -> tuple[datetime | None, datetime | None]:
	"""R29: (handle by, handled at) of a case. The deadline is None while a pause holds the clock (the case is
	neither on time nor late then); a case is on time when it was handled by the deadline. A job is judged by
	the class it was dispatched with (`judged`); one dispatched as major and changed since is no longer
	explained, so its completion, if first, ends the clock it is judged by."""
	changed = times.dispatched_class and times.dispatched_class != times.job_class
	times = judged(times)
	clock = timeliness_clock(times)
	if clock is None:
		return None, None
	applies, start, end = _span(clock, times)
	if changed and clock == EXPLANATION and times.completed_at is not None:
		end = min(e for e in (end, times.completed_at) if e is not None)
	limit = _limit(clock, times, commitment) if applies else None
	if limit is None or start is None:
		return None, end
	if clock in PAUSABLE:
		if times.paused_since is not None and end is None:
			return None, end
		limit += times.paused_minutes
	return start + timedelta(minutes=limit), end


def job_due(
	called_at: datetime, job_class: str | None, commitment: Commitment, paused_minutes: float = 0
) -> datetime | None:
	"""R30: when a job must be complete: the completion limit of its class from the call (a rework from its
	own dispatch), plus the pauses; None for major jobs, which have none."""
	limit = {MINOR: commitment.minor_completion, GENERAL: commitment.general_completion}.get(job_class)
	if limit is None or called_at is None:
		return None
	return called_at + timedelta(minutes=limit + paused_minutes)


def for_job(done: dict[str, set[str]], previous_job: str | None, job: str | None) -> dict[str, set[str]]:
	"""The ladder steps taken, as they stand for the case's current job: a new job (a re-dispatch) starts its
	own clocks (WORK_ORDER_CLOCKS) with no step taken; the case's other clocks keep theirs. Steps recorded
	before jobs were named (previous_job None) belong to the current job."""
	if previous_job is None or previous_job == job:
		return done
	return {clock: levels for clock, levels in done.items() if clock not in WORK_ORDER_CLOCKS}


# What is wrong with a ladder, as (problem, level) pairs; the caller words them for the user.
LADDER_EMPTY, LADDER_DUPLICATE, LADDER_NEGATIVE = "empty", "duplicate", "negative"


def ladder_problems(ladder: Iterable[Step]) -> list[tuple[str, str | None]]:
	"""A ladder needs at least one step, each level once, and no step before the deadline."""
	steps = list(ladder)
	if not steps:
		return [(LADDER_EMPTY, None)]
	problems, seen = [], set()
	for step in steps:
		if step.level in seen:
			problems.append((LADDER_DUPLICATE, step.level))
		seen.add(step.level)
		if step.delay_minutes is None or step.delay_minutes < 0:
			problems.append((LADDER_NEGATIVE, step.level))
	return problems


# -- R29, R30: on time, late, pending and rework, each stated once ------------------------------------------
#
# The rules are data: terms over the values a case or a job stores for its timeliness (services/clocks.refresh
# writes them: `kpi_due_at`, `handled_at`, `reopen_count` on the case; `kpi_due_at`, `completed_at`,
# `dispatched_class`, `rework_of` on the job). The reports count them in the database (services/kpi.criterion turns a rule into a
# frappe.qb criterion) and label the rows of their lists with `holds` in Python; both read these terms, so the
# count and the label of a case cannot disagree. `holds` follows SQL's logic of unknowns (a comparison with an
# empty value is unknown, and a rule counts a row only when it holds), so the two agree on empty values too.


@dataclass(frozen=True)
class Field:
	"""A stored value of the row (a column of the case or the job)."""

	name: str


@dataclass(frozen=True)
class Param:
	"""A value given when the rule is applied: the moment of the report (`now`), the aim's gap (`aim_gap`)."""

	name: str


@dataclass(frozen=True)
class Earlier:
	"""A time so many minutes (a Param) before another."""

	term: Field
	minutes: Param


@dataclass(frozen=True)
class Cmp:
	op: str  # one of COMPARISONS
	left: object  # Field, Param, Earlier or a constant
	right: object


@dataclass(frozen=True)
class IsNull:
	term: Field


@dataclass(frozen=True)
class Not:
	rule: object


@dataclass(frozen=True)
class AllOf:
	rules: tuple


@dataclass(frozen=True)
class AnyOf:
	rules: tuple


COMPARISONS = {
	"=": operator.eq,
	"!=": operator.ne,
	"<": operator.lt,
	"<=": operator.le,
	">": operator.gt,
	">=": operator.ge,
}


def all_of(*rules) -> AllOf:
	return AllOf(rules)


def any_of(*rules) -> AnyOf:
	return AnyOf(rules)


def is_set(term: Field) -> Not:
	return Not(IsNull(term))


def by_deadline(end: Field, due: Field) -> AnyOf:
	"""Ended by its deadline, to the second (on the minute counts); without a deadline nothing is late."""
	return any_of(IsNull(due), Cmp("<=", end, due))


def after_deadline(end: Field, due: Field) -> Cmp:
	return Cmp(">", end, due)


NOW = Param("now")
AIM_GAP = Param("aim_gap")  # R21: minutes between the aim (2 h) and the limit (24 h) of a minor/urgent job

# R29, over the case: the end of the clock that decides its timeliness, that clock's deadline, its reopenings.
DUE, HANDLED, REOPENED = Field("kpi_due_at"), Field("handled_at"), Field("reopen_count")
# On time: handled by the deadline and never reopened.
CASE_ON_TIME = all_of(is_set(HANDLED), Cmp("=", REOPENED, 0), by_deadline(HANDLED, DUE))
# Past due: the deadline has passed. Overdue: not handled and past due.
PAST_DUE = Cmp("<", DUE, NOW)
OVERDUE = all_of(IsNull(HANDLED), PAST_DUE)
REOPENED_CASE = Cmp(">", REOPENED, 0)
# Late: handled after the deadline, or reopened, or overdue.
CASE_LATE = any_of(all_of(is_set(HANDLED), any_of(REOPENED_CASE, after_deadline(HANDLED, DUE))), OVERDUE)
# R27: an open case is an open item while its job is not done or the resident reopened it.
UNFINISHED = any_of(IsNull(HANDLED), REOPENED_CASE)
# Pending: not handled and not yet due (or no deadline yet, while a pause holds the clock). Every case is
# exactly one of on time, late and pending.
CASE_PENDING = all_of(IsNull(HANDLED), any_of(IsNull(DUE), Cmp(">=", DUE, NOW)))
ON_TIME, LATE, PENDING = "On Time", "Late", "Pending"
CASE_VERDICTS = ((ON_TIME, CASE_ON_TIME), (LATE, CASE_LATE), (PENDING, CASE_PENDING))

# R30, over the job: its completion deadline (R21, `job_due`), when it was completed, the class it was
# dispatched with (by which it is judged, whatever an approved change made of it since: R20–R22), what it redoes.
JOB_DUE, COMPLETED = Field("kpi_due_at"), Field("completed_at")
DISPATCHED_CLASS, REWORK_OF = Field("dispatched_class"), Field("rework_of")
MINOR_JOB = Cmp("=", DISPATCHED_CLASS, MINOR)
JOB_ON_TIME = all_of(MINOR_JOB, by_deadline(COMPLETED, JOB_DUE))
JOB_LATE = all_of(MINOR_JOB, after_deadline(COMPLETED, JOB_DUE))
JOB_WITHIN_AIM = all_of(MINOR_JOB, Cmp("<=", COMPLETED, Earlier(JOB_DUE, AIM_GAP)))
REWORK = all_of(is_set(REWORK_OF), Cmp("!=", REWORK_OF, ""))
REWORK_BREACH, LATE_BREACH = "Rework", "Late"


def _value(term, row: Mapping, params: Mapping):
	if isinstance(term, Field):
		return row.get(term.name)
	if isinstance(term, Param):
		return params[term.name]
	if isinstance(term, Earlier):
		base = _value(term.term, row, params)
		return None if base is None else base - timedelta(minutes=_value(term.minutes, row, params))
	return term  # a constant


def truth(rule, row: Mapping, params: Mapping | None = None) -> bool | None:
	"""The rule on one row: True, False, or None when unknown (SQL's NULL)."""
	params = params or {}
	if isinstance(rule, Cmp):
		left, right = _value(rule.left, row, params), _value(rule.right, row, params)
		return None if left is None or right is None else COMPARISONS[rule.op](left, right)
	if isinstance(rule, IsNull):
		return _value(rule.term, row, params) is None
	if isinstance(rule, Not):
		value = truth(rule.rule, row, params)
		return None if value is None else not value
	values = [truth(r, row, params) for r in rule.rules]
	if isinstance(rule, AllOf):
		return False if False in values else (None if None in values else True)
	if isinstance(rule, AnyOf):
		return True if True in values else (None if None in values else False)
	raise TypeError(f"not a rule: {rule!r}")


def holds(rule, row: Mapping, params: Mapping | None = None) -> bool:
	"""Whether the rule counts the row (as a database count or filter does: unknown is not counted)."""
	return truth(rule, row, params) is True


def case_verdict(row: Mapping, now: datetime) -> str:
	"""R29: ON_TIME, LATE or PENDING for a case's stored values."""
	return next((verdict for verdict, rule in CASE_VERDICTS if holds(rule, row, {"now": now})), PENDING)


def job_breach(row: Mapping) -> str | None:
	"""R30: REWORK_BREACH, LATE_BREACH or None for a completed job's stored values."""
	if holds(REWORK, row):
		return REWORK_BREACH
	return LATE_BREACH if holds(JOB_LATE, row) else None


def minutes_late(row: Mapping) -> int | None:
	"""R30: whole minutes a late minor/urgent job was completed after its deadline; None unless it was late."""
	if not holds(JOB_LATE, row):
		return None
	return int((row["completed_at"] - row["kpi_due_at"]).total_seconds() // 60)
