"""R26: the maintenance team's daily 登记日志, reconciled with 客服中心 every other day, open items explained and
carried until done."""

from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, get_datetime, getdate, now_datetime, today

from property_helpdesk.property_helpdesk.doctype.maintenance_job_log.maintenance_job_log import (
	remind_unreconciled,
)
from tests.integration.factories import make_property, make_ticket, make_unit, make_user


class TestJobLog(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.supervisor = make_user("log-supervisor@log.test", "Property Maintenance Supervisor")
		cls.agent = make_user("log-agent@log.test", "Property Duty Staff")
		cls.director = make_user("log-director@log.test", "Property Office Director")
		cls.prop = make_property("日志楼盘", office_director=cls.director)
		frappe.db.set_value("Property", cls.prop, "office_director", cls.director)  # whatever a run left
		cls.unit = make_unit(cls.prop)

	def tearDown(self):
		frappe.set_user("Administrator")

	def job(self, days_ago: int, done: bool):
		"""A job dispatched on the day `days_ago` days before today: called an hour before this time of that day,
		or, in the site's first hour after midnight, at that day's midnight (its call, dispatch and completion all
		on that day), its minutes shrunk into what today has had when that day is today."""
		now = now_datetime()
		called = max(add_to_date(now, days=-days_ago, hours=-1), get_datetime(add_days(today(), -days_ago)))
		minute = min(timedelta(minutes=1), (now - called) / 60)
		frappe.set_user(self.agent)
		ticket = make_ticket(self.unit, call_started_at=called)
		frappe.set_user("Administrator")
		wo = frappe.get_doc("Repair Work Order", {"service_ticket": ticket.name})
		wo.db_set("dispatched_at", called + 3 * minute, update_modified=False)
		if done:
			wo.reload()
			wo.update({"arrived_at": called + 10 * minute, "completed_at": called + 50 * minute})
			wo.save()
		return wo.name

	def test_r26_log_carries_open_items_and_reconciles_only_when_explained(self):
		old_open = self.job(days_ago=3, done=False)
		old_done = self.job(days_ago=3, done=True)
		today_done = self.job(days_ago=0, done=True)
		frappe.set_user(self.supervisor)
		log = frappe.get_doc(
			{"doctype": "Maintenance Job Log", "property": self.prop, "log_date": today()}
		).insert()
		log.fill_entries()
		log.reload()
		by_wo = {row.work_order: row for row in log.entries}
		self.assertIn(old_open, by_wo)  # carried
		self.assertIn(today_done, by_wo)
		self.assertNotIn(old_done, by_wo)
		self.assertTrue(by_wo[old_open].is_open)
		self.assertEqual(log.open_items, sum(row.is_open for row in log.entries))

		with self.assertRaises(frappe.PermissionError):
			log.reconcile()  # the maintenance team does not reconcile its own log
		frappe.set_user(self.agent)
		log = frappe.get_doc("Maintenance Job Log", log.name)
		with self.assertRaisesRegex(frappe.ValidationError, "Explain the open items"):
			log.reconcile()
		log.reload()
		for row in log.entries:
			if row.is_open:
				row.explanation = "等待配件，预计明天完成"
		log.save()
		log.reconcile("与派工单核对一致")
		self.assertTrue(log.reconciled)
		self.assertEqual(log.reconciled_by, self.agent)
		log.reload()
		log.entries[0].explanation = "改动"
		with self.assertRaisesRegex(frappe.ValidationError, "reconciled"):
			log.save()

	def test_r26_unreconciled_logs_are_reported_after_the_interval(self):
		frappe.set_user(self.supervisor)
		old = frappe.get_doc(
			{"doctype": "Maintenance Job Log", "property": self.prop, "log_date": add_days(today(), -2)}
		).insert()
		fresh = frappe.get_doc(
			{"doctype": "Maintenance Job Log", "property": self.prop, "log_date": add_days(today(), -1)}
		).insert()
		frappe.set_user("Administrator")
		with self.assertRaisesRegex(frappe.ValidationError, "future"):
			frappe.get_doc(
				{"doctype": "Maintenance Job Log", "property": self.prop, "log_date": add_days(today(), 1)}
			).insert()
		remind_unreconciled()
		notified = frappe.get_all(
			"Notification Log", filters={"for_user": self.director}, pluck="document_name"
		)
		self.assertIn(old.name, notified)
		self.assertNotIn(fresh.name, notified)
		self.assertEqual(getdate(old.log_date), getdate(add_days(today(), -2)))

	def test_r26_an_unreconciled_log_is_reminded_once_a_day(self):
		"""R26: the office director hears of a log left unreconciled once each day it stays so (a second run on
		the same day tells nothing), and no more once it is reconciled."""
		frappe.set_user(self.supervisor)
		old = frappe.get_doc(
			{"doctype": "Maintenance Job Log", "property": self.prop, "log_date": add_days(today(), -3)}
		).insert()
		frappe.set_user("Administrator")

		def reminders():
			return frappe.db.count("Notification Log", {"for_user": self.director, "document_name": old.name})

		self.assertIn(old.name, remind_unreconciled())
		self.assertEqual(reminders(), 1)
		self.assertNotIn(old.name, remind_unreconciled())
		self.assertEqual(reminders(), 1)
		self.assertIn(old.name, remind_unreconciled(add_days(today(), 1)))
		self.assertEqual(reminders(), 2)
		old.db_set("reconciled", 1)
		self.assertNotIn(old.name, remind_unreconciled(add_days(today(), 2)))
		self.assertEqual(reminders(), 2)

	def test_r26_a_day_with_jobs_and_no_log_is_reported_once(self):
		"""R26: the team had a job that day and kept no log for it: the office director hears of it, once; a
		day whose log was kept is not reported."""
		from property_helpdesk.property_helpdesk.doctype.maintenance_job_log.maintenance_job_log import (
			report_missing_logs,
		)

		self.job(days_ago=5, done=False)
		day = getdate(add_days(today(), -5))  # the job's day, whatever the hour
		frappe.set_user("Administrator")
		self.assertIn(self.prop, report_missing_logs(day))

		def told():
			return frappe.db.count(
				"Notification Log",
				{"for_user": self.director, "document_type": "Property", "document_name": self.prop},
			)

		self.assertEqual(told(), 1)
		report_missing_logs(day)
		self.assertEqual(told(), 1)
		frappe.set_user(self.supervisor)
		frappe.get_doc({"doctype": "Maintenance Job Log", "property": self.prop, "log_date": day}).insert()
		frappe.set_user("Administrator")
		self.assertNotIn(self.prop, report_missing_logs(day))


class TestJobLogReconciliationIsTheServiceCentres(FrappeTestCase):
	"""R26: a log is reconciled only through 客服中心's action: the team that keeps the log cannot mark it
	reconciled by typing the fields over REST (they sit at permission level 1, which no role writes)."""

	def test_r26_a_technician_cannot_type_a_log_reconciled_over_rest(self):
		import os

		from tests.integration.factories import login_session

		base_url = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
		tech = make_user("log-tech@log.test", "Property Maintenance Technician")
		prop = make_property("日志核对楼盘")
		log = frappe.get_doc(
			{"doctype": "Maintenance Job Log", "property": prop, "log_date": add_days(today(), -1)}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		self.addCleanup(
			lambda: (frappe.delete_doc("Maintenance Job Log", log.name, force=True), frappe.db.commit())
		)
		session = login_session(base_url, tech, "/app")
		response = session.put(
			f"{base_url}/api/resource/Maintenance Job Log/{log.name}",
			json={"reconciled": 1, "reconciled_by": tech, "reconciled_at": "2026-01-01 00:00:00"},
			timeout=60,
		)
		self.assertEqual(response.status_code, 200, response.text[:300])  # the save goes through…
		frappe.db.rollback()
		self.assertEqual(  # …without the reconciliation
			frappe.db.get_value(
				"Maintenance Job Log", log.name, ["reconciled", "reconciled_by", "reconciled_at"]
			),
			(0, None, None),
		)


class TestUpgradeKeepsWhatWasTold(FrappeTestCase):
	"""R25, R26: before the app kept its own record of what the daily jobs told, the Notification Log row was
	that record; the upgrade's patch carries it over, so nobody is nudged again after the upgrade."""

	def tearDown(self):
		frappe.db.rollback()

	def test_r25_r26_alerts_of_before_become_notices(self):
		from property_helpdesk.patches.notices_from_notification_log import execute
		from property_helpdesk.property_helpdesk.doctype.maintenance_job_log.maintenance_job_log import NO_LOG
		from property_helpdesk.property_helpdesk.doctype.warranty_repair_plan.warranty_repair_plan import (
			PLAN_NEEDED,
		)
		from property_helpdesk.services import notify

		manager = make_user("log-upgrade-manager@log.test", "Property Engineering Manager")
		director = make_user("log-upgrade-director@log.test", "Property Office Director")
		for values in (
			{"for_user": manager, "document_type": "Repair Work Order", "document_name": "WO-UPGRADE-1"},
			{
				"for_user": director,
				"document_type": "Property",
				"document_name": "日志楼盘",
				"link": "/app/maintenance-job-log?property=%E6%97%A5%E5%BF%97%E6%A5%BC%E7%9B%98&log_date=2026-11-30",
			},
		):
			frappe.get_doc(
				{"doctype": "Notification Log", "type": "Alert", "subject": "before", **values}
			).insert(ignore_permissions=True)
		plan = notify.Message(manager, "", "Repair Work Order", "WO-UPGRADE-1")
		no_log = notify.Message(director, "", "Property", "日志楼盘")
		self.assertEqual(notify.untold([plan], PLAN_NEEDED), [plan])
		execute()
		self.assertEqual(notify.untold([plan], PLAN_NEEDED), [])
		self.assertEqual(notify.untold([no_log], NO_LOG, period=getdate("2026-11-30")), [])
		self.assertEqual(notify.untold([no_log], NO_LOG, period=getdate("2026-12-01")), [no_log])
		execute()  # a patch run twice changes nothing
