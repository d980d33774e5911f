"""R7: the spellings a typed phone number may have been stored under, for the caller lookup."""

from property_helpdesk.procedure.validation import phone_forms


def test_a_mobile_is_found_bare_with_the_country_code_and_grouped():
	forms = phone_forms("+86 138 0013 8000")
	assert {"13800138000", "+8613800138000", "8613800138000", "138-0013-8000", "138 0013 8000"} <= forms


def test_a_landline_is_found_with_its_area_code_hyphenated_either_way():
	assert {"01062345678", "010-62345678", "0106-2345678"} == phone_forms("(010) 6234-5678")
	assert "0755-88889999" in phone_forms("075588889999")


def test_what_is_not_a_number_has_no_forms():
	assert phone_forms("abc") == set()
	assert phone_forms("12345") == set()
