"""R8, R10, R22–R24, R34, R36, R39: which channel tells a resident, when an SMS waits for the quiet hours to end,
how a failed send is retried, and the key that tells the resident once."""

from datetime import datetime, time, timedelta

from property_helpdesk.procedure import resident_messages as R

ALL = (R.SMS, R.WECHAT, R.EMAIL)
PHONE = {R.SMS: "13800000000"}
EVERY = {R.SMS: "13800000000", R.WECHAT: "openid", R.EMAIL: "a@b.cn"}
NIGHT_FROM, NIGHT_TO = time(22, 0), time(7, 0)


def test_the_residents_own_channel_then_the_sites_default_then_the_others():
	assert R.choose_channel(R.EMAIL, R.SMS, EVERY, (), ALL) == (R.EMAIL, None)
	assert R.choose_channel(None, R.WECHAT, EVERY, (), ALL) == (R.WECHAT, None)
	assert R.choose_channel("", None, EVERY, (), ALL) == (R.SMS, None)
	# the chosen channel cannot reach them: the next that can
	assert R.choose_channel(R.WECHAT, R.WECHAT, PHONE, (), ALL) == (R.SMS, None)
	assert R.choose_channel(R.SMS, R.SMS, EVERY, (R.SMS,), ALL) == (R.WECHAT, None)
	assert R.choose_channel(R.WECHAT, R.SMS, EVERY, (), (R.SMS, R.EMAIL)) == (R.SMS, None)


def test_no_channel_says_why():
	assert R.choose_channel(None, R.SMS, {}, (), ALL) == (None, R.NO_ADDRESS)
	assert R.choose_channel(None, R.SMS, PHONE, (R.SMS,), ALL) == (None, R.OPTED_OUT)
	assert R.choose_channel(None, R.SMS, PHONE, (), (R.EMAIL,)) == (None, R.NOT_SET_UP)
	assert R.choose_channel(None, R.SMS, EVERY, (R.SMS, R.WECHAT), (R.SMS,)) == (None, R.NOT_SET_UP)
	assert R.choose_channel(None, R.SMS, EVERY, ALL, ALL) == (None, R.OPTED_OUT)


def test_quiet_hours_run_past_midnight():
	assert R.in_quiet_hours(datetime(2026, 12, 1, 23, 30), NIGHT_FROM, NIGHT_TO)
	assert R.in_quiet_hours(datetime(2026, 12, 1, 6, 59), NIGHT_FROM, NIGHT_TO)
	assert R.in_quiet_hours(datetime(2026, 12, 1, 22, 0), NIGHT_FROM, NIGHT_TO)
	assert not R.in_quiet_hours(datetime(2026, 12, 1, 7, 0), NIGHT_FROM, NIGHT_TO)
	assert not R.in_quiet_hours(datetime(2026, 12, 1, 12, 0), NIGHT_FROM, NIGHT_TO)
	assert R.in_quiet_hours(datetime(2026, 12, 1, 13, 0), time(12, 0), time(14, 0))
	assert not R.in_quiet_hours(datetime(2026, 12, 1, 13, 0), None, NIGHT_TO)
	assert not R.in_quiet_hours(datetime(2026, 12, 1, 13, 0), NIGHT_TO, NIGHT_TO)


def test_an_sms_at_night_waits_for_the_morning_except_an_emergency():
	late = datetime(2026, 12, 1, 23, 30)
	early = datetime(2026, 12, 2, 5, 0)
	morning = datetime(2026, 12, 2, 7, 0)
	assert R.holds_until(late, R.SMS, False, NIGHT_FROM, NIGHT_TO) == morning
	assert R.holds_until(early, R.SMS, False, NIGHT_FROM, NIGHT_TO) == morning
	assert R.holds_until(late, R.SMS, True, NIGHT_FROM, NIGHT_TO) is None
	assert R.holds_until(late, R.WECHAT, False, NIGHT_FROM, NIGHT_TO) is None
	assert R.holds_until(late, R.EMAIL, False, NIGHT_FROM, NIGHT_TO) is None
	assert R.holds_until(datetime(2026, 12, 2, 9, 0), R.SMS, False, NIGHT_FROM, NIGHT_TO) is None


def test_retries_back_off_then_stop():
	now = datetime(2026, 12, 1, 10, 0)
	assert R.next_attempt(now, 1, 4, 5) == now + timedelta(minutes=5)
	assert R.next_attempt(now, 2, 4, 5) == now + timedelta(minutes=10)
	assert R.next_attempt(now, 3, 4, 5) == now + timedelta(minutes=20)
	assert R.next_attempt(now, 4, 4, 5) is None
	assert R.next_attempt(now, 1, 1, 5) is None
	assert R.next_attempt(now, 1, 0, 0) is None  # at least one attempt, and never a retry at once


def test_one_key_per_case_step_document_resident_and_channel():
	key = R.message_key("PH-1", "Dispatched", ("Repair Work Order", "WO-1"), "RES-1", R.SMS)
	assert key == R.message_key("PH-1", "Dispatched", ("Repair Work Order", "WO-1"), "RES-1", R.SMS)
	others = {
		R.message_key("PH-2", "Dispatched", ("Repair Work Order", "WO-1"), "RES-1", R.SMS),
		R.message_key("PH-1", "Done", ("Repair Work Order", "WO-1"), "RES-1", R.SMS),
		R.message_key("PH-1", "Dispatched", ("Repair Work Order", "WO-2"), "RES-1", R.SMS),
		R.message_key("PH-1", "Dispatched", ("Repair Work Order", "WO-1"), "RES-2", R.SMS),
		R.message_key("PH-1", "Dispatched", ("Repair Work Order", "WO-1"), "RES-1", R.EMAIL),
		R.message_key("PH-1", "Dispatched", None, "RES-1", R.SMS),
	}
	assert key not in others and len(others) == 6
	assert len(key) <= 140  # fits the Data field
	# a step told again as what it tells changes: once per occasion
	moved = R.message_key(
		"PH-1", "Appointment Set", ("Repair Work Order", "WO-1"), "RES-1", R.SMS, "2026-12-02 15:00"
	)
	assert moved == R.message_key(
		"PH-1", "Appointment Set", ("Repair Work Order", "WO-1"), "RES-1", R.SMS, "2026-12-02 15:00"
	)
	assert moved != R.message_key(
		"PH-1", "Appointment Set", ("Repair Work Order", "WO-1"), "RES-1", R.SMS, "2026-12-02 16:00"
	)
	assert R.message_key("PH-1", "Dispatched", ("Repair Work Order", "WO-1"), "RES-1", R.SMS, None) == key
