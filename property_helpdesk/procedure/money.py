"""Amounts in words the way a Chinese receipt (收据) writes them: 人民币大写, e.g. 壹佰叁拾伍元整 (R39).

Plain Python, no Frappe: used by the receipt print format and unit-tested on its own.
"""

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
SECTIONS = ("", "万", "亿", "万亿")


def _section(number: int) -> str:
	"""0 < number < 10000, e.g. 1010 → 壹仟零壹拾, 105 → 壹佰零伍."""
	text, zero = "", False
	for place in range(3, -1, -1):
		digit = number // 10**place % 10
		if digit:
			if zero and text:
				text += DIGITS[0]
			text += DIGITS[digit] + PLACES[place]
			zero = False
		else:
			zero = True
	return text


def _integer(number: int) -> str:
	if number == 0:
		return DIGITS[0]
	sections = []
	while number:
		sections.append(number % 10000)
		number //= 10000
	text, gap = "", False
	for index in range(len(sections) - 1, -1, -1):
		value = sections[index]
		if not value:
			gap = bool(text)
			continue
		# a zero after a skipped section or before a section below a thousand: 壹万零伍, 壹亿零伍
		if text and (gap or value < 1000):
			text += DIGITS[0]
		text += _section(value) + SECTIONS[index]
		gap = False
	return text


def rmb_upper(amount) -> str:
	"""壹佰叁拾伍元整 for 135; 壹仟零伍元伍角整 for 1005.5; 叁角伍分 for 0.35; 负… for a refund."""
	value = Decimal(str(amount or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
	sign = "负" if value < 0 else ""
	fen_total = int(abs(value) * 100)
	yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
	if fen_total == 0:
		return "零元整"
	text = _integer(yuan) + "元" if yuan else ""
	if jiao:
		text += DIGITS[jiao] + "角"
	elif fen and yuan:
		text += DIGITS[0]
	if fen:
		text += DIGITS[fen] + "分"
	else:
		text += "整"
	return sign + text
