"""Residents told at every step (R8, R10, R20, R22–R24, R34, R36, R39) on the real site: by SMS through Frappe's
SMS Settings pointed at a local HTTP gateway, by email through Frappe's Email Queue to a local SMTP server. Each
step's exact message once; a gateway that fails and hangs (the case saved, the message retried with back-off,
then Failed and shown on the case); quiet hours; opt-outs; no channel → Not Sent on the case; and one message
through a real RQ worker in its own process.

The sending job commits after each message (a provider that has a message must not get it twice), so these
tests commit, on a property of their own, and remove what they made."""

import re
from datetime import timedelta
from html import unescape

import frappe
import frappe.email.queue
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, get_url, now_datetime

from property_helpdesk.api.billing import invoice_work_order
from property_helpdesk.constants import (
	CASE,
	DUTY_STAFF,
	MAINTENANCE_SUPERVISOR,
	MESSAGE_ACCEPTED,
	MESSAGE_COMPLAINT_ANSWERED,
	MESSAGE_FAILED,
	MESSAGE_NOT_SENT,
	MESSAGE_QUEUED,
	MESSAGE_SENT,
	RESIDENT,
	RESIDENT_MESSAGE,
	RETURN_VISIT,
	SETTINGS,
	TECHNICIAN,
	WORK_ORDER,
)
from property_helpdesk.services import billing, resident_messages
from property_helpdesk.services.resident_messages import SEND_JOB, send_due, send_message
from tests.integration.factories import (
	delete_cases,
	drop_outgoing_account,
	make_customer,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	outgoing_account,
	pay_invoice,
	work_order_of,
)
from tests.integration.servers import FAIL, HANG, OK, SMSGateway, SMTPServer, unconfigure_sms
from tests.integration.workers import queued_jobs, run_worker

PROPERTY = "消息楼盘"
ACCOUNT = "Resident Messages Test Outgoing"
GROUND = "A4.3.1.1"
SIGNATURE = "data:image/png;base64,iVBORw0KGgo="
TEST_SETTINGS = {
	"default_channel": "SMS",
	"quiet_hours_from": "00:00:00",  # from = to: no quiet hours unless a test sets them
	"quiet_hours_to": "00:00:00",
	"message_attempts": 3,
	"message_retry_minutes": 5,
}
PHONE_PREFIX = "1390013"
_phones = iter(range(10_000))


def zh(text: str) -> str:
	"""A message's words as the resident reads them: in the site's language (Chinese), whoever saved the case."""
	return frappe._(text, lang="zh")


def link(case: str) -> str:
	return get_url(f"/my_cases/{case}")


def message(case: str, step: str = MESSAGE_ACCEPTED):
	return frappe.get_doc(RESIDENT_MESSAGE, {"service_ticket": case, "step": step})


def squeeze(text: str) -> str:
	return re.sub(r"\s+", "", text)


class ResidentMessagesCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.agent = make_user("msg-agent@messages.test", DUTY_STAFF, mobile="13700001111")
		cls.tech = make_user("msg-tech@messages.test", TECHNICIAN)
		cls.supervisor = make_user("msg-supervisor@messages.test", MAINTENANCE_SUPERVISOR)
		cls.finance = make_user("msg-finance@messages.test", "Accounts User")
		make_property(PROPERTY, maintenance_supervisor=cls.supervisor)
		cls.unit = make_unit(PROPERTY)
		cls.gateway = SMSGateway().__enter__()
		cls.gateway.hang_seconds = 11  # just past the channels' 10-second timeout
		cls.gateway.configure()
		cls.smtp = SMTPServer().__enter__()
		outgoing_account(ACCOUNT, "helpdesk@messages.test")
		frappe.db.set_value(
			"Email Account", ACCOUNT, {"smtp_port": cls.smtp.port, "no_smtp_authentication": 1}
		)
		settings = frappe.get_doc(SETTINGS)
		cls.saved_settings = {field: settings.get(field) for field in TEST_SETTINGS}
		cls.set_settings(**TEST_SETTINGS)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		cases = frappe.get_all(CASE, {"property": PROPERTY}, pluck="name")
		if cases:
			frappe.db.delete(RESIDENT_MESSAGE, {"service_ticket": ("in", cases)})
			frappe.db.delete("Notification Log", {"document_type": CASE, "document_name": ("in", cases)})
			frappe.db.delete("Email Queue", {"reference_doctype": CASE, "reference_name": ("in", cases)})
			work_orders = frappe.get_all(WORK_ORDER, {"service_ticket": ("in", cases)}, pluck="name")
			for invoice in frappe.get_all(
				"Sales Invoice", {"property_helpdesk_work_order": ("in", work_orders or [""])}, pluck="name"
			):
				frappe.db.set_value("Sales Invoice", invoice, "property_helpdesk_work_order", None)
			frappe.db.delete("Work Order Step", {"work_order": ("in", work_orders or [""])})
		delete_cases(PROPERTY)
		frappe.db.delete(RESIDENT, {"resident_name": ("like", "消息业户%")})
		frappe.db.delete("SMS Log", {"sent_to": ("like", f"%{PHONE_PREFIX}%")})
		# the send jobs the tests' commits queued and no worker ran (no worker serves the test site)
		from frappe.utils.background_jobs import get_queue

		for job_id in queued_jobs(SEND_JOB):
			get_queue("default").remove(job_id)
		frappe.db.commit()
		cls.set_settings(**cls.saved_settings)
		unconfigure_sms()
		drop_outgoing_account(ACCOUNT)
		cls.smtp.__exit__()
		cls.gateway.__exit__()
		super().tearDownClass()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.flags.testing_email = False

	@staticmethod
	def set_settings(**values):
		settings = frappe.get_doc(SETTINGS)
		settings.update(values)
		settings.save(ignore_permissions=True)
		frappe.db.commit()

	def resident(self, **values) -> frappe._dict:
		"""A resident of the test unit, with a number of their own (so each test reads its own messages)."""
		phone = f"{PHONE_PREFIX}{next(_phones):04d}"
		doc = frappe.get_doc(
			{
				"doctype": RESIDENT,
				"resident_name": f"消息业户{phone[-4:]}",
				"phone": phone,
				"units": [{"unit": self.unit, "relation": "Owner"}],
				**values,
			}
		).insert(ignore_permissions=True)
		return doc

	def case(self, resident, **values):
		"""A case the duty staff take on the phone (the agent its follow-up owner, R34), committed as the request
		would be."""
		frappe.set_user(self.agent)
		try:
			ticket = make_ticket(self.unit, resident=resident.name, contact_phone=resident.phone, **values)
		finally:
			frappe.set_user("Administrator")
		frappe.db.commit()
		return ticket

	def sms_to(self, phone: str) -> list[str]:
		return [text for number, text in self.gateway.messages() if number == phone]

	def accepted_text(self, case: str) -> str:
		return zh("Your case {0} is accepted. It is followed up by {1}, phone {2}. Details: {3}").format(
			case, "msg-agent", "13700001111", link(case)
		)

	def mail_texts(self, address: str) -> list[str]:
		"""What each mail to `address` reads (its HTML part without the markup, whitespace squeezed)."""
		texts = []
		for item in self.smtp.mails:
			if address in item["to"]:
				html = item["mail"].get_body(preferencelist=("html",)).get_content()
				texts.append(squeeze(unescape(re.sub(r"<[^>]+>", "", html))))
		return texts

	def timeline_of(self, case: str) -> str:
		"""The case's timeline items from Frappe's own form loader (additional_timeline_content)."""
		from frappe.desk.form.load import get_additional_timeline_content

		return "\n".join(item["content"] for item in get_additional_timeline_content(CASE, case))


class TestEachStep(ResidentMessagesCase):
	def test_r10_r20_r34_r36_each_step_of_a_repair_is_told_once_by_sms(self):
		"""R34 accepted with the follow-up owner's name and phone, R10 dispatched and the appointment (once per
		time agreed), R20 on the way and arrived, R36 done — please confirm and rate: each once, in this order,
		in Chinese with the portal link, whatever the language of the staff who saved the case."""
		res = self.resident()
		ticket = self.case(res)
		wo = work_order_of(ticket.name)
		wo.technician = self.tech
		first, moved = (add_to_date(now_datetime(), hours=h).replace(second=0, microsecond=0) for h in (2, 3))
		for appointment in (first, first, moved):  # agreed, saved again unchanged, moved
			wo.appointment_at = appointment
			wo.save()
			frappe.db.commit()
		for step in ("accept", "arrive", "start", "complete"):
			frappe.set_user(self.tech)
			wo.reload()
			wo.take_step(step)
			frappe.set_user("Administrator")
			frappe.db.commit()
		send_due()
		expected = [
			self.accepted_text(ticket.name),
			zh("Case {0}: a technician is dispatched and will contact you shortly. Details: {1}").format(
				ticket.name, link(ticket.name)
			),
			*(
				zh("Case {0}: the technician will come at {1}. Details: {2}").format(
					ticket.name, at.strftime("%Y-%m-%d %H:%M"), link(ticket.name)
				)
				for at in (first, moved)
			),
			zh("Case {0}: technician {1} is on the way. Details: {2}").format(
				ticket.name, "msg-tech", link(ticket.name)
			),
			zh("Case {0}: technician {1} has arrived. Details: {2}").format(
				ticket.name, "msg-tech", link(ticket.name)
			),
			zh("Case {0}: the work is done. Please confirm and rate it: {1}").format(
				ticket.name, link(ticket.name)
			),
		]
		self.assertEqual(self.sms_to(res.phone), expected)
		# in the resident's Chinese, word for word (not only whatever the translation file gives)
		self.assertEqual(
			self.sms_to(res.phone)[4],
			f"报修投诉 {ticket.name}：维修人员 msg-tech 已接单，正在赶来。详情：{link(ticket.name)}",
		)

		# once: the job retried, the retry job run again, the case and the work order saved again
		rows = frappe.get_all(RESIDENT_MESSAGE, {"service_ticket": ticket.name}, pluck="name")
		self.assertEqual(len(rows), 7)
		for name in rows:
			self.assertEqual(send_message(name), MESSAGE_SENT)
		ticket.reload()
		ticket.save()
		wo.reload()
		wo.save()
		frappe.db.commit()
		send_due()
		self.assertEqual(self.sms_to(res.phone), expected)
		for row in frappe.get_all(
			RESIDENT_MESSAGE,
			{"service_ticket": ticket.name},
			["status", "attempts", "channel", "recipient", "provider", "sent_at"],
		):
			self.assertEqual(
				(row.status, row.attempts, row.channel, row.recipient, row.provider),
				(MESSAGE_SENT, 1, "SMS", res.phone, "Frappe SMS Settings"),
			)
			self.assertTrue(row.sent_at)
		# Frappe's SMS Log keeps each, as for any SMS the site sends
		self.assertEqual(frappe.db.count("SMS Log", {"message": expected[0]}), 1)
		# R8: the case's timeline says what was told, to whom, on which channel, and that it was delivered
		timeline = self.timeline_of(ticket.name)
		self.assertEqual(timeline.count(res.phone), 7)
		self.assertIn(frappe.utils.escape_html(expected[-1]), timeline)
		self.assertEqual(timeline.count('indicator-pill green">Sent'), 7)

	def test_r22_r23_r24_explanation_answer_and_return_visit_by_email(self):
		"""R22 a major job's reason and expected date, R23 a complaint's answer, R24 the return visit — to a
		resident who chose email, through Email Queue to the SMTP server, Sent once Frappe sent them."""
		res = self.resident(preferred_channel="Email", email="msg-mail@messages.test")
		repair = self.case(res)
		wo = work_order_of(repair.name)
		wo.update({"job_class": "Major", "major_reason": "Parts from Elsewhere"})
		wo.save()
		expected_date = str(add_to_date(now_datetime(), days=10).date())
		wo.record_explanation("配件需从外地采购。", expected_date)
		frappe.get_doc(
			{
				"doctype": RETURN_VISIT,
				"service_ticket": repair.name,
				"work_order": wo.name,
				"channel": "Phone",
				"satisfaction": "Satisfied",
				"comments": "业户满意",
			}
		).insert()
		frappe.db.commit()
		complaint = self.case(res, ticket_type="Complaint", complaint_ground=GROUND)
		complaint.answer_to_resident = "已安排保洁每日清理。"
		complaint.save()
		complaint.save()  # a double save tells once
		frappe.db.commit()

		send_due()  # handed to Email Queue
		self.assertEqual(message(complaint.name, MESSAGE_COMPLAINT_ANSWERED).status, MESSAGE_QUEUED)
		frappe.flags.testing_email = True  # Frappe's own switch: tests send to the SMTP server
		frappe.email.queue.flush()
		frappe.db.commit()
		send_due()  # Email Queue sent them: Sent

		expected = {
			(repair.name, "Major Job Explained"): zh(
				"Case {0}: {1} Expected completion: {2}. Details: {3}"
			).format(repair.name, "配件需从外地采购。", expected_date, link(repair.name)),
			(repair.name, "Return Visit"): zh(
				"Case {0}: thank you for taking our return visit. Details: {1}"
			).format(repair.name, link(repair.name)),
			(complaint.name, MESSAGE_COMPLAINT_ANSWERED): zh("Case {0}: our answer: {1} Details: {2}").format(
				complaint.name, "已安排保洁每日清理。", link(complaint.name)
			),
		}
		bodies = self.mail_texts(res.email)
		# accepted and dispatched for the repair, accepted for the complaint, and the three above: six mails
		self.assertEqual(len(bodies), 6)
		for (case, step), text in expected.items():
			self.assertEqual(sum(squeeze(text) in body for body in bodies), 1, step)
			row = message(case, step)
			self.assertEqual((row.status, row.channel, row.recipient), (MESSAGE_SENT, "Email", res.email))
			self.assertEqual(row.text, text)
		subjects = [item["mail"]["Subject"] for item in self.smtp.mails if res.email in item["to"]]
		self.assertIn(zh("Case {0}: {1}").format(complaint.name, zh(MESSAGE_COMPLAINT_ANSWERED)), subjects)
		self.assertFalse(self.sms_to(res.phone))
		htmls = [
			item["mail"].get_body(preferencelist=("html",)).get_content()
			for item in self.smtp.mails
			if res.email in item["to"]
		]
		self.assertTrue(any(f'href="{link(complaint.name)}"' in html for html in htmls))  # the link is a link

	def test_r39_invoice_and_receipt_of_a_paid_job(self):
		"""R39: the invoice of a paid job and the receipt of its payment, each once."""
		res = self.resident(customer=make_customer("消息业户付费"))
		billing.ensure_fee_schedule()
		called = add_to_date(now_datetime(), hours=-3)
		ticket = self.case(res, ticket_type="Paid Service", location="Private Part", call_started_at=called)
		wo = work_order_of(ticket.name)
		wo.db_set("dispatched_at", add_to_date(called, minutes=3), update_modified=False)
		wo.reload()
		wo.update(
			{"arrived_at": add_to_date(called, minutes=15), "completed_at": add_to_date(called, hours=1)}
		)
		wo.append("items", {"item_type": "Material", "item_name": "水龙头阀芯", "qty": 1, "rate": 35})
		wo.update({"resident_confirmed": 1, "quality_rating": 1, "timeliness_rating": 1, "attitude_rating": 1,
			"resident_signature": SIGNATURE})  # fmt: skip
		wo.save()
		frappe.set_user(self.finance)
		invoice = invoice_work_order(wo.name)
		frappe.set_user("Administrator")
		payment = pay_invoice(invoice, "消息收据-1")
		frappe.db.commit()
		send_due()
		send_due()
		amount = f"{frappe.db.get_value('Sales Invoice', invoice, 'grand_total'):.2f}"
		sent = self.sms_to(res.phone)
		self.assertEqual(
			sent[-2:],
			[
				zh("Case {0}: invoice {1} for {2} yuan. Details: {3}").format(
					ticket.name, invoice, amount, link(ticket.name)
				),
				zh("Case {0}: we received your payment of {1} yuan, receipt {2}. Details: {3}").format(
					ticket.name, amount, payment.name, link(ticket.name)
				),
			],
		)
		self.assertEqual(len(sent), 6)  # accepted, dispatched, arrived, done, invoice, receipt


class TestFaults(ResidentMessagesCase):
	def due_later(self, ticket: str, minutes: int, since) -> None:
		"""The message waits `minutes` (the back-off of Settings: 5, then 10) from its last attempt."""
		row = message(ticket)
		self.assertEqual(row.status, MESSAGE_QUEUED)
		self.assertAlmostEqual(
			(get_datetime(row.next_attempt_at) - get_datetime(since)).total_seconds(), minutes * 60, delta=30
		)
		attempts = row.attempts
		send_due()  # not due yet: not tried
		self.assertEqual(message(ticket).attempts, attempts)

	def retry(self, ticket: str):
		"""The retry job run just after the message's next attempt is due; returns that moment."""
		at = add_to_date(message(ticket).next_attempt_at, seconds=1)
		with self.freeze_time(at, tick=True):
			send_due()
		return at

	def test_r34_a_failing_gateway_is_retried_with_back_off_and_the_message_sent_once(self):
		"""The gateway answers 500 twice: the case is saved, the message retried by the retry job after 5 then 10
		minutes, and sent once when the gateway recovers (the job and the retry job run again send nothing)."""
		res = self.resident()
		self.gateway.script.extend([FAIL, FAIL, OK])
		ticket = self.case(res, ticket_type="Enquiry")
		self.assertTrue(frappe.db.exists(CASE, ticket.name))  # saved whatever the gateway does

		first = now_datetime()
		send_due()
		self.assertIn("500", message(ticket.name).error)
		self.due_later(ticket.name, 5, first)
		second = self.retry(ticket.name)
		self.due_later(ticket.name, 10, second)
		at = add_to_date(message(ticket.name).next_attempt_at, seconds=1)
		with self.freeze_time(at, tick=True):
			send_due()
			send_due()
			send_message(message(ticket.name).name)
		row = message(ticket.name)
		self.assertEqual((row.status, row.attempts, row.error), (MESSAGE_SENT, 3, None))
		self.assertEqual(self.sms_to(res.phone), [self.accepted_text(ticket.name)])
		self.assertEqual(
			[r["status"] for r in self.gateway.requests if r["form"].get("to") == res.phone], [500, 500, 200]
		)

	def test_r34_a_gateway_that_fails_then_hangs_marks_the_message_failed_on_the_case_and_in_the_list(self):
		"""The gateway answers 500, then hangs past the 10-second timeout, then 500 again: after three attempts
		with back-off the message is Failed, on the case's timeline, in the service centre's list of failed
		messages, and its follow-up owner is told; the gateway recovering sends it no more."""
		res = self.resident()
		self.gateway.script.extend([FAIL, HANG, FAIL])
		ticket = self.case(res, ticket_type="Enquiry")
		first = now_datetime()
		send_due()
		self.due_later(ticket.name, 5, first)
		second = self.retry(ticket.name)  # the gateway hangs: the timeout
		row = message(ticket.name)
		self.assertEqual(row.attempts, 2)
		self.assertIn(frappe._("The SMS gateway did not answer: {0}").format("timed out")[:24], row.error)
		self.due_later(ticket.name, 10, second)
		self.retry(ticket.name)
		row = message(ticket.name)
		self.assertEqual((row.status, row.attempts, row.next_attempt_at), (MESSAGE_FAILED, 3, None))
		self.assertIn("500", row.error)

		self.assertIn('indicator-pill red">Failed', self.timeline_of(ticket.name))
		report = frappe.get_doc("Report", "Failed Resident Messages")
		_columns, listed = report.get_data(user=self.agent, as_dict=True)
		self.assertIn(row.name, [r["name"] for r in listed])
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{"for_user": self.agent, "document_type": CASE, "document_name": ticket.name},
			)
		)
		with self.freeze_time(add_to_date(now_datetime(), hours=2), tick=True):
			send_due()
			send_message(row.name)
		self.assertEqual(self.sms_to(res.phone), [])
		self.assertEqual(
			[r["status"] for r in self.gateway.requests if r["form"].get("to") == res.phone], [500, 500]
		)
		self.assertEqual(message(ticket.name).status, MESSAGE_FAILED)


class TestWhenAndWhere(ResidentMessagesCase):
	def test_quiet_hours_hold_an_sms_until_morning_except_an_emergency(self):
		"""Settings' quiet hours: an SMS waits for their end; an emergency's goes at once."""
		now = now_datetime()
		quiet_from, quiet_to = (now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time()
		self.set_settings(
			quiet_hours_from=quiet_from.strftime("%H:%M:%S"), quiet_hours_to=quiet_to.strftime("%H:%M:%S")
		)
		try:
			quiet, urgent = self.resident(), self.resident()
			held = self.case(quiet, ticket_type="Enquiry")
			emergency = self.case(urgent, is_emergency=1)
			send_due()
			row = message(held.name)
			self.assertEqual(row.status, MESSAGE_QUEUED)
			self.assertEqual(
				get_datetime(row.next_attempt_at).replace(microsecond=0),
				get_datetime(f"{(now + timedelta(hours=1)).date()} {quiet_to.strftime('%H:%M:%S')}"),
			)
			self.assertEqual(self.sms_to(quiet.phone), [])
			self.assertEqual(self.sms_to(urgent.phone)[0], self.accepted_text(emergency.name))
			with self.freeze_time(add_to_date(row.next_attempt_at, minutes=1), tick=True):
				send_due()
			self.assertEqual(self.sms_to(quiet.phone), [self.accepted_text(held.name)])
		finally:
			self.set_settings(quiet_hours_from="00:00:00", quiet_hours_to="00:00:00")

	def test_an_opted_out_channel_is_passed_over_and_none_left_is_not_sent(self):
		"""A resident who opted out of SMS is told by email; one with no other channel is told nowhere: Not Sent,
		on the case, and nothing fails."""
		by_mail = self.resident(no_sms=1, email="msg-optout@messages.test")
		nowhere = self.resident(no_sms=1)
		mailed = self.case(by_mail, ticket_type="Enquiry")
		untold = self.case(nowhere, ticket_type="Enquiry")
		send_due()
		self.assertEqual(
			(message(mailed.name).channel, message(mailed.name).recipient), ("Email", by_mail.email)
		)
		row = message(untold.name)
		self.assertEqual((row.status, row.channel, row.recipient), (MESSAGE_NOT_SENT, "None", None))
		self.assertEqual(
			row.error, frappe._("The resident opted out of every channel they can be reached on.")
		)
		self.assertEqual(row.text, self.accepted_text(untold.name))  # kept, as it would have read
		self.assertEqual(self.sms_to(nowhere.phone) + self.sms_to(by_mail.phone), [])
		self.assertIn('indicator-pill gray">Not Sent', self.timeline_of(untold.name))

	def test_no_channel_set_up_keeps_the_message_as_not_sent_on_the_case(self):
		"""No SMS gateway (and no other channel for the resident): the case saves, the message is Not Sent."""
		unconfigure_sms()
		try:
			res = self.resident()
			ticket = self.case(res, ticket_type="Enquiry")
			send_due()
		finally:
			self.gateway.configure()
		row = message(ticket.name)
		self.assertEqual((row.status, row.channel), (MESSAGE_NOT_SENT, "None"))
		self.assertEqual(row.error, frappe._("No channel that reaches the resident is set up on this site."))
		self.assertIn(frappe.utils.escape_html(row.text), self.timeline_of(ticket.name))
		self.assertEqual(self.sms_to(res.phone), [])

	def test_r34_a_caller_not_on_record_is_told_at_the_number_they_gave(self):
		"""A case from a caller with no Resident record: the acceptance goes by SMS to the contact phone."""
		phone = f"{PHONE_PREFIX}{next(_phones):04d}"
		frappe.set_user(self.agent)
		try:
			ticket = make_ticket(self.unit, ticket_type="Enquiry", contact_phone=phone)
		finally:
			frappe.set_user("Administrator")
		frappe.db.commit()
		send_due()
		self.assertEqual(self.sms_to(phone), [self.accepted_text(ticket.name)])
		row = message(ticket.name)
		self.assertEqual((row.resident, row.recipient, row.status), (None, phone, MESSAGE_SENT))


class TestThroughAWorker(ResidentMessagesCase):
	def test_r34_the_message_is_sent_by_a_real_worker_after_the_commit_and_a_retried_job_sends_nothing(self):
		"""The save queues the send as it commits; a real RQ worker in its own process sends it; the same job run
		again sends nothing more."""
		res = self.resident()
		ticket = self.case(res, ticket_type="Enquiry")
		row = message(ticket.name)
		jobs = queued_jobs(SEND_JOB, name=row.name)
		self.assertEqual(len(jobs), 1)  # queued as the case committed, not sent in the request
		self.assertEqual(self.sms_to(res.phone), [])
		run_worker(jobs)
		self.assertEqual(self.sms_to(res.phone), [self.accepted_text(ticket.name)])
		frappe.db.rollback()
		self.assertEqual(message(ticket.name).status, MESSAGE_SENT)

		frappe.enqueue(SEND_JOB, name=row.name)  # the job retried
		run_worker(queued_jobs(SEND_JOB, name=row.name))
		self.assertEqual(self.sms_to(res.phone), [self.accepted_text(ticket.name)])
		self.assertIsNone(resident_messages.tell_resident(ticket.name, MESSAGE_ACCEPTED))  # told already
