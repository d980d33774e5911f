"""R2, R12 ground 5, and the input checks of R5/R7."""

import pytest

from property_helpdesk.procedure import complaints as C
from property_helpdesk.procedure.validation import has_markup, is_valid_phone, normalise_phone


def test_r12_ground5_second_unanswered_reminder_makes_a_valid_complaint():
	assert not C.becomes_valid_by_reminders(0)
	assert not C.becomes_valid_by_reminders(1)
	assert C.becomes_valid_by_reminders(2)
	assert C.becomes_valid_by_reminders(3)


def test_r2_routing():
	assert (
		C.route_complaint(is_service_quality=True, is_major=False, beyond_authority=False)
		== C.ROUTE_OFFICE_HEAD
	)
	assert C.route_complaint(True, True, False) == C.ROUTE_LEADERSHIP
	assert C.route_complaint(False, False, True) == C.ROUTE_LEADERSHIP
	assert C.route_complaint(False, False, False) is None


@pytest.mark.parametrize(
	"number",
	["13812345678", "+8613812345678", "138 1234 5678", "0571-88889999", "010-12345678", "0571 8888999转12"],
)
def test_r7_good_phone_numbers(number):
	assert is_valid_phone(number)


@pytest.mark.parametrize("number", ["", "12345", "12812345678", "1381234567", "abc13812345678", "<b>138</b>"])
def test_r7_bad_phone_numbers(number):
	assert not is_valid_phone(number)


def test_normalise_and_markup():
	assert normalise_phone("138-1234 5678") == "13812345678"
	assert has_markup("<script>") and not has_markup("王先生")
