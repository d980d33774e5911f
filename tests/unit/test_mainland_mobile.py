"""The mobile number a resident signs in with (issue 13): one form, whatever way it was typed."""

import pytest

from property_helpdesk.procedure.validation import mainland_mobile


@pytest.mark.parametrize(
	"typed",
	[
		"13812345678",
		"+8613812345678",
		"8613812345678",
		"008613812345678",
		"138 1234 5678",
		"+86 138-1234-5678",
		"(138)12345678",
	],
)
def test_a_mobile_number_in_any_usual_form_is_one_number(typed):
	assert mainland_mobile(typed) == "13812345678"


@pytest.mark.parametrize(
	"typed",
	[
		"",
		None,
		"1381234567",
		"138123456789",
		"12812345678",
		"02112345678",
		"+4413812345678",
		"1381234567a",
		13812345678,
	],
)
def test_anything_else_is_not_a_mobile_number(typed):
	assert mainland_mobile(typed) is None
