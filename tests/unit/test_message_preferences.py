"""R8, R10, R20, R34, R37: what a resident may choose on /my_messages, and the office's rule that a technician's
visit to their home always reaches them."""

from property_helpdesk.procedure import resident_messages as R

ALL = (R.SMS, R.WECHAT, R.EMAIL)
EVERY = {R.SMS: "13800000000", R.WECHAT: "openid", R.EMAIL: "a@b.cn"}


def test_a_visit_reaches_a_resident_who_turned_every_channel_off_by_sms():
	for step in R.VISIT_STEPS:
		assert R.channel_for_step(step, R.WECHAT, R.SMS, EVERY, ALL, ALL) == (R.SMS, None)
	# any other message is told nowhere: calls only
	assert R.channel_for_step("Accepted", R.WECHAT, R.SMS, EVERY, ALL, ALL) == (None, R.OPTED_OUT)
	assert R.channel_for_step(None, None, R.SMS, EVERY, ALL, ALL) == (None, R.OPTED_OUT)


def test_a_visit_goes_by_a_channel_the_resident_kept_on_before_the_sms():
	kept_email = (R.SMS, R.WECHAT)
	assert R.channel_for_step(R.VISIT_STEPS[0], R.WECHAT, R.SMS, EVERY, kept_email, ALL) == (R.EMAIL, None)
	# no SMS set up on the site: the visit is not sent either, for the reason the resident's choice gives
	assert R.channel_for_step(R.VISIT_STEPS[0], None, R.SMS, EVERY, ALL, (R.WECHAT,)) == (None, R.OPTED_OUT)
	assert R.channel_for_step(R.VISIT_STEPS[0], None, R.SMS, EVERY, (), ()) == (None, R.NOT_SET_UP)


def test_what_a_resident_may_choose():
	assert R.preference_problem("", ALL, ALL) is None  # every channel off: allowed (calls only)
	assert R.preference_problem(None, (), ()) is None
	assert R.preference_problem(R.WECHAT, ALL, ()) is None
	assert R.preference_problem("Phone", ALL, ()) == R.UNKNOWN_CHANNEL
	assert R.preference_problem("' OR 1=1", ALL, ()) == R.UNKNOWN_CHANNEL
	assert R.preference_problem(R.WECHAT, (R.SMS, R.EMAIL), ()) == R.CANNOT_REACH  # not bound
	assert R.preference_problem(R.EMAIL, (R.SMS,), ()) == R.CANNOT_REACH  # no address
	assert R.preference_problem(R.SMS, ALL, (R.SMS,)) == R.PREFERRED_OFF
