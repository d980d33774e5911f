"""Input checks that need no database (R5, R7)."""

import re

# Mainland mobile numbers (11 digits starting 13–19, optional +86/86 prefix) and landlines with an area
# code (0 + 2–3 digits, 7–8 digit number, optional extension). Spaces and hyphens are allowed between groups.
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}(?:(?:ext|转|#)\d{1,6})?$")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_MARKUP = re.compile(r"[<>]")


def normalise_phone(value: str) -> str:
	return _SEPARATORS.sub("", value or "")


def is_valid_phone(value: str) -> bool:
	number = normalise_phone(value)
	return bool(_MOBILE.match(number) or _LANDLINE.match(number))


def has_markup(value: str) -> bool:
	"""Angle brackets have no place in a name, a phone number or a unit number."""
	return bool(_MARKUP.search(value or ""))


def phone_forms(value: str) -> set[str]:
	"""The spellings under which a typed number may have been stored (R7: people type numbers as they say
	them): bare digits, with or without +86/86 for a mobile, 3-4-4 grouped; a landline with its area code
	hyphenated. Empty when the value is not a phone number at all."""
	number = normalise_phone(value)
	if not is_valid_phone(number):
		return set()
	if _MOBILE.match(number):
		bare = number[-11:]
		grouped = (bare[:3], bare[3:7], bare[7:])
		return {bare, f"+86{bare}", f"86{bare}", "-".join(grouped), " ".join(grouped)}
	forms = {number}
	for area in (3, 4):  # 010-…, 0755-…
		forms.add(f"{number[:area]}-{number[area:]}")
	return forms


_MAINLAND_MOBILE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$")


def mainland_mobile(value: str | None) -> str | None:
	"""The 11-digit mainland mobile number (1, then 3–9, then nine digits, as R7) in `value`, without
	separators or the +86/0086 prefix; None if it is not one. Phone sign-in compares numbers in this form."""
	match = _MAINLAND_MOBILE.match(normalise_phone(value)) if isinstance(value, str) else None
	return match.group(1) if match else None
