"""R1: the on-duty rota at night (值班表): night hours, who is on duty, whom a night escalation reaches first."""

from datetime import date, datetime, time

from property_helpdesk.procedure import duty as D

NIGHT = (time(22, 0), time(8, 0))


def test_r1_night_hours_run_past_midnight():
	assert D.is_night(datetime(2026, 12, 1, 23, 0), *NIGHT)
	assert D.is_night(datetime(2026, 12, 1, 3, 0), *NIGHT)
	assert D.is_night(datetime(2026, 12, 1, 22, 0), *NIGHT)  # start included
	assert not D.is_night(datetime(2026, 12, 1, 8, 0), *NIGHT)  # end excluded
	assert not D.is_night(datetime(2026, 12, 1, 14, 0), *NIGHT)
	assert D.is_night(datetime(2026, 12, 1, 13, 0), time(12, 0), time(14, 0))
	assert not D.is_night(datetime(2026, 12, 1, 3, 0), None, time(8, 0))  # no night configured


def test_r1_the_shift_covering_the_moment_gives_the_duty_person():
	shifts = [
		D.Shift("evening@x", date(2026, 12, 1), time(18, 0), time(0, 0)),  # to midnight
		D.Shift("night@x", date(2026, 12, 1), time(22, 0), time(8, 0)),  # overnight
		D.Shift("other-day@x", date(2026, 12, 2), time(8, 0), time(18, 0)),
	]
	assert D.on_duty(shifts, datetime(2026, 12, 1, 23, 0)) == "evening@x"  # earliest start first
	assert D.on_duty(shifts, datetime(2026, 12, 2, 3, 0)) == "night@x"  # the shift of the day before
	assert D.on_duty(shifts, datetime(2026, 12, 2, 8, 0)) == "other-day@x"
	assert D.on_duty(shifts, datetime(2026, 12, 1, 12, 0)) is None
	two = [D.Shift(user, date(2026, 12, 1), time(22, 0), time(8, 0)) for user in ("b@x", "a@x")]
	assert D.on_duty(two, datetime(2026, 12, 1, 23, 0)) == "a@x"


def test_r1_the_first_night_step_goes_to_the_duty_person_then_the_ladder():
	assert D.night_target("gm@x", "duty@x", duty_told_already=False) == ("duty@x", True)
	assert D.night_target("gm@x", "duty@x", duty_told_already=True) == ("gm@x", False)
	assert D.night_target("gm@x", None, duty_told_already=False) == ("gm@x", False)
