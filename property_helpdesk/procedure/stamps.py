"""Times nobody can type (R15, R15e, R20–R24, R36): the rules every stamped time obeys, whoever sets it.

A time that drives a clock or a KPI is stamped by the server at its action. The same rules hold for the one
past time entered by hand (an emergency's true dispatch time, R15e) and for a recorded amendment: never in the
future, never before the call began, and each step not before the one it follows. Pure Python: the
controllers and the amendment endpoint read these rules, the unit tests prove them.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from property_helpdesk.constants import (
	CASE,
	DUTY_STAFF,
	MAINTENANCE_SUPERVISOR,
	OFFICE_DIRECTOR,
	RETURN_VISIT,
	WORK_ORDER,
)

SYSTEM_MANAGER = "System Manager"

# Each moment of a work order must not come before the one it follows (later, earlier).
TIME_ORDER = (
	("accepted_at", "dispatched_at"),
	("arrived_at", "dispatched_at"),
	("arrived_at", "accepted_at"),
	("started_at", "arrived_at"),
	("completed_at", "started_at"),
	("completed_at", "arrived_at"),
	("returned_at", "completed_at"),
	("confirmed_at", "completed_at"),
	("explained_at", "dispatched_at"),
)

# The stamped times, by DocType: set by their actions only (permission level 1), corrected only by amendment.
STAMPED = {
	WORK_ORDER: (
		"dispatched_at",
		"accepted_at",
		"arrived_at",
		"started_at",
		"completed_at",
		"returned_at",
		"explained_at",
		"confirmed_at",
	),
	CASE: ("answered_at",),
	RETURN_VISIT: ("visited_at",),
}

# R24: who records the work order's return to 客服中心 (the customer service centre).
SERVICE_CENTRE = frozenset({DUTY_STAFF, OFFICE_DIRECTOR, SYSTEM_MANAGER})
# Who may correct a stamped time, by a recorded amendment.
AMENDERS = frozenset({MAINTENANCE_SUPERVISOR, OFFICE_DIRECTOR, SYSTEM_MANAGER})
# R15e: who enters an emergency's true dispatch time afterwards (the ones who dispatch by phone).
EMERGENCY_DISPATCHERS = frozenset({DUTY_STAFF, MAINTENANCE_SUPERVISOR, OFFICE_DIRECTOR, SYSTEM_MANAGER})

# What is wrong with a time, as a key the caller turns into a translated message.
FUTURE = "future"
BEFORE_CALL = "before_call"


def may_record_return(roles: Iterable[str]) -> bool:
	return bool(SERVICE_CENTRE.intersection(roles))


def may_amend(roles: Iterable[str]) -> bool:
	return bool(AMENDERS.intersection(roles))


def may_enter_emergency_dispatch(roles: Iterable[str]) -> bool:
	return bool(EMERGENCY_DISPATCHERS.intersection(roles))


def is_stamped(doctype: str, fieldname: str) -> bool:
	return fieldname in STAMPED.get(doctype, ())


def window_error(at: datetime, called_at: datetime | None, now: datetime) -> str | None:
	"""A time entered by hand (R15e, an amendment) lies between the call and now: FUTURE, BEFORE_CALL or None."""
	if at > now:
		return FUTURE
	if called_at is not None and at < called_at:
		return BEFORE_CALL
	return None


def out_of_order(times: Mapping[str, datetime | None]) -> tuple[str, str] | None:
	"""The first (later, earlier) pair of steps whose times are both set and in the wrong order, or None."""
	for later, earlier in TIME_ORDER:
		if times.get(later) and times.get(earlier) and times[later] < times[earlier]:
			return later, earlier
	return None


def emergency_entry_error(
	is_emergency: bool, entered_before: bool, at: datetime, called_at: datetime | None, now: datetime
) -> str | None:
	"""R15e: an emergency's true dispatch time is entered once, afterwards, between the call and now."""
	if not is_emergency:
		return "not_emergency"
	if entered_before:
		return "already_entered"
	return window_error(at, called_at, now)


# -- amendments -----------------------------------------------------------------------------------------------

TIME_AMENDMENT = "Time Amendment"


def amendment_error(
	doctype: str,
	fieldname: str,
	old: datetime | None,
	new: datetime,
	called_at: datetime | None,
	now: datetime,
	reason: str | None,
) -> str | None:
	"""What is wrong with an amendment of a stamped time, as a key, or None: the field must be a stamped time
	already set, the reason given, the new time different and between the call and now."""
	if not is_stamped(doctype, fieldname):
		return "not_stamped"
	if old is None:
		return "not_set"
	if not (reason or "").strip():
		return "no_reason"
	if new == old:
		return "unchanged"
	return window_error(new, called_at, now)
