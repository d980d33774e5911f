"""R39: the receipt (收据) writes its amount in Chinese capitals (人民币大写) — hand-written expectations."""

import pytest

from property_helpdesk.procedure.money import rmb_upper

CASES = [
	(135, "壹佰叁拾伍元整"),
	(1005.5, "壹仟零伍元伍角整"),
	(0.35, "叁角伍分"),
	(0.05, "伍分"),
	(0, "零元整"),
	(10, "壹拾元整"),
	(12.3, "壹拾贰元叁角整"),
	(1010, "壹仟零壹拾元整"),
	(10005, "壹万零伍元整"),
	(100010, "壹拾万零壹拾元整"),
	(100000.01, "壹拾万元零壹分"),
	(1000000, "壹佰万元整"),
	(20000300, "贰仟万零叁佰元整"),
	(100000005, "壹亿零伍元整"),
	(-80, "负捌拾元整"),
	("99.999", "壹佰元整"),
]


@pytest.mark.parametrize(("amount", "words"), CASES)
def test_r39_receipt_amount_in_chinese_capitals(amount, words):
	assert rmb_upper(amount) == words
