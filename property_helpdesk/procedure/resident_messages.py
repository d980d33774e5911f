"""Telling residents (R8, R10, R22–R24, R34, R36, R39): the rules of which channel, when, and how often.

Pure Python: services/resident_messages.py reads these rules, the unit tests prove them.
"""

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta

from property_helpdesk.constants import MESSAGE_APPOINTMENT, MESSAGE_DISPATCHED, MESSAGE_ON_THE_WAY

SMS, WECHAT, EMAIL = "SMS", "WeChat", "Email"
CHANNEL_ORDER = (SMS, WECHAT, EMAIL)  # after the resident's own choice, the channels tried in this order

# why no channel reaches the resident (Resident Message.error, translated by the caller)
NO_ADDRESS, OPTED_OUT, NOT_SET_UP = "no_address", "opted_out", "not_set_up"


def choose_channel(
	preferred: str | None,
	default: str | None,
	addresses: Mapping[str, str | None],
	opted_out: Iterable[str],
	set_up: Iterable[str],
) -> tuple[str | None, str | None]:
	"""(channel, None) for the first channel that reaches the resident — their own choice, else the site's
	default, else the others in CHANNEL_ORDER — that they did not opt out of, have an address on, and the site
	has set up; (None, why) when none does: why is OPTED_OUT when an opt-out is all that stops every channel
	with an address, NOT_SET_UP when the site's setup is, NO_ADDRESS when no address is known at all."""
	opted_out, set_up = set(opted_out), set(set_up)
	order = list(dict.fromkeys(c for c in (preferred, default, *CHANNEL_ORDER) if c in CHANNEL_ORDER))
	for channel in order:
		if addresses.get(channel) and channel not in opted_out and channel in set_up:
			return channel, None
	reachable = [c for c in order if addresses.get(c)]
	if not reachable:
		return None, NO_ADDRESS
	if all(c in opted_out for c in reachable):
		return None, OPTED_OUT
	return None, NOT_SET_UP


def in_quiet_hours(now: datetime, start: time | None, end: time | None) -> bool:
	"""Whether `now` falls in the quiet hours [start, end), which may run past midnight (22:00–07:00)."""
	if start is None or end is None or start == end:
		return False
	t = now.time()
	if start < end:
		return start <= t < end
	return t >= start or t < end


def quiet_hours_end(now: datetime, start: time, end: time) -> datetime:
	"""When the quiet hours `now` falls in end: today's `end`, or tomorrow's when it is already past."""
	ends = datetime.combine(now.date(), end)
	return ends if ends > now else ends + timedelta(days=1)


def holds_until(
	now: datetime, channel: str, emergency: bool, start: time | None, end: time | None
) -> datetime | None:
	"""The moment an SMS falling in the quiet hours waits for; None when it goes now (not an SMS, an
	emergency, or outside the quiet hours)."""
	if channel != SMS or emergency or not in_quiet_hours(now, start, end):
		return None
	return quiet_hours_end(now, start, end)


def next_attempt(
	now: datetime, attempts: int, max_attempts: int, first_retry_minutes: int
) -> datetime | None:
	"""After `attempts` failed tries: when to try again, each wait twice the one before (first_retry_minutes,
	then 2×, 4×…); None when the attempts are used up (the message is marked Failed)."""
	if attempts >= max(max_attempts, 1):
		return None
	return now + timedelta(minutes=max(first_retry_minutes, 1) * 2 ** (attempts - 1))


def message_key(
	case: str,
	step: str,
	reference: tuple[str, str] | None,
	resident: str,
	channel: str,
	occasion: str | None = None,
) -> str:
	"""One message per case, step, document it is about, resident (or number told) and channel — and occasion,
	for a step told again when what it tells changes (an appointment moved): the unique key that makes a retried
	job or a double save tell the resident once."""
	parts = (case, step, *(reference or ("", "")), resident, channel, *((occasion,) if occasion else ()))
	return hashlib.sha1("\x1f".join(str(p or "") for p in parts).encode()).hexdigest()


# -- the resident's own choices (/my_messages) ---------------------------------------------------------------

# The office's rule (R10, R20, R34, R37): a resident may turn off any channel, even all of them ("calls only": the
# follow-up owner phones them), but never the news of a technician's visit to their home, so that someone is in.
VISIT_STEPS = (MESSAGE_DISPATCHED, MESSAGE_APPOINTMENT, MESSAGE_ON_THE_WAY)

# why the resident cannot choose what they asked for (translated by the caller)
UNKNOWN_CHANNEL, CANNOT_REACH, PREFERRED_OFF = "unknown_channel", "cannot_reach", "preferred_off"


def channel_for_step(
	step: str | None,
	preferred: str | None,
	default: str | None,
	addresses: Mapping[str, str | None],
	opted_out: Iterable[str],
	set_up: Iterable[str],
) -> tuple[str | None, str | None]:
	"""choose_channel for a message of `step`, with the office's rule: a visit (VISIT_STEPS) that no channel the
	resident kept on reaches goes by SMS to their phone all the same (where the site can send SMS); any other
	message is told nowhere, and why is the resident's own choice or the site's setup as choose_channel says."""
	opted_out = set(opted_out)
	channel, why = choose_channel(preferred, default, addresses, opted_out, set_up)
	if channel is None and step in VISIT_STEPS:
		by_sms, _why = choose_channel(SMS, SMS, addresses, opted_out - {SMS}, set_up)
		if by_sms:
			return by_sms, None
	return channel, why


def preference_problem(
	preferred: str | None, reaching: Iterable[str], opted_out: Iterable[str]
) -> str | None:
	"""Why a resident may not choose `preferred` as their channel with these opt-outs, or None when they may:
	UNKNOWN_CHANNEL (not SMS, WeChat or Email), CANNOT_REACH (no address for it — WeChat not bound, no email
	address — or the site has not set it up), PREFERRED_OFF (they are turning it off). No preference ("": the
	site's default) is always allowed, and so is every channel off (calls only; a visit still comes by SMS)."""
	if not preferred:
		return None
	if preferred not in CHANNEL_ORDER:
		return UNKNOWN_CHANNEL
	if preferred not in set(reaching):
		return CANNOT_REACH
	if preferred in set(opted_out):
		return PREFERRED_OFF
	return None
