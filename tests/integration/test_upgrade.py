"""Upgrade from the previous landed release with its data in it (issue 15): `bench migrate` runs every patch added
since then on real old data, and every case keeps its clocks.

The previous release's app is exported from this clone's history (`git archive`, into a folder outside the
checkout) and installed with `bench install-app` on a fresh ERPNext site of the test's own, with that folder
first on the Python path of the commands that install it and make its data: the bench's app link, which every
site and process of the bench shares, is never pointed elsewhere, so nothing has to be put back and nothing
else on the bench runs old code meanwhile. The old code's own builders and demo loader put in its data: the
demo's cases in every state, work orders, return visits, liaison sheets, settlements, a paid job invoiced and
paid, a case whose clocks are paused and one whose pause ended, and the old escalation job's steps and
messages. Then `bench migrate` runs with the bench's app, which scripts/test.sh links to this checkout (the test
refuses to run otherwise). Afterwards every row the old release wrote is there with every value it had, the new
patches have filled what they fill, every case's clocks are what this checkout's rules compute, every case and
work order saves with this checkout's code, and the escalation job takes no step twice.

Seconds per step are written to $BENCH_DIR/logs/upgrade-times.json."""

import json
import os
import subprocess
import tempfile
import unittest

from tests.integration import bench_sites as B

# The previous landed release: the commit main stood at before the release now being made (first-parent
# history of main). Move it forward at each release; OLD_DATA below is written against its code.
PREVIOUS_RELEASE = "39cf994"
SITE = "upgrade-old.helpdesk.local"

# Run with the previous release's checkout first on sys.path, its app installed: nothing of this checkout.
OLD_DATA = """
from frappe.utils import add_days, now_datetime
from property_helpdesk.procedure import clocks as K
from property_helpdesk.services import escalation
from property_helpdesk.setup import company, demo
from tests.integration import factories as F

company.complete_erpnext_setup()
demo.load()
unit = F.make_unit(F.make_property("升级楼盘"), "1幢", "101")
agent = F.make_user("upgrade-agent@upgrade.test", "Property Duty Staff")
frappe.set_user(agent)
paused = F.make_ticket(unit, subject="等待配件", description="阀门配件已订购。")
resumed = F.make_ticket(unit, subject="业主不在家", description="约好改日上门。")
frappe.set_user("Administrator")
paused.pause_clocks(K.PARTS_PAUSE)  # still paused at the upgrade
resumed.pause_clocks(K.NOT_HOME_PAUSE)
resumed.reload()
resumed.resume_clocks()
frappe.db.commit()
# the old escalation job, two days on: the cases past their limits climb the ladder, people are told
escalate_at = add_days(now_datetime(), 2)
steps = escalation.run(now=escalate_at)
frappe.db.commit()
F.run_queued_jobs(lambda method, call: isinstance(method, str) and method.startswith("property_helpdesk."))
import property_helpdesk
result = {"steps": steps, "escalate_at": str(escalate_at), "paused": paused.name, "resumed": resumed.name,
	"code": property_helpdesk.__file__}
"""

# With this checkout, on the ERPNext site before the app: the fiscal years as the test site has them.
FISCAL_YEARS = """
from tests.integration.factories import ensure_fiscal_years
result = ensure_fiscal_years()
"""

# With this checkout: what its rules compute for every case and job, against what the site stores.
CLOCKS_NOW = """
from frappe.utils import get_datetime
from property_helpdesk.constants import CASE, RETURN_VISIT
from property_helpdesk.services import clocks

def plain(value):
	return str(get_datetime(value)) if value else None

commitment, ladder = clocks.get_commitment(), clocks.get_ladder()
fields = (*clocks.DEADLINE_FIELDS.values(), "next_escalation_at", "kpi_due_at", "handled_at", "next_deadline")
differ = {}
for name in frappe.get_all(CASE, pluck="name", order_by="name"):
	ticket = frappe.db.get_value(CASE, name, clocks.TICKET_FIELDS, as_dict=True)
	job = clocks.current_work_order(name)
	visited = frappe.db.get_value(RETURN_VISIT, {"service_ticket": name}, "visited_at", order_by="visited_at asc")
	values, times = clocks.compute(ticket, job, visited if job and job.completed_at else None, commitment, ladder)
	stored = frappe.db.get_value(CASE, name, [*fields, "escalated_levels", "job_class"], as_dict=True)
	for field in fields:
		if plain(values[field]) != plain(stored[field]):
			differ[f"{name}.{field}"] = [plain(stored[field]), plain(values[field])]
	if json.loads(values["escalated_levels"]) != json.loads(stored.escalated_levels or "{}"):
		differ[f"{name}.escalated_levels"] = [stored.escalated_levels, values["escalated_levels"]]
	if (values["job_class"] or None) != (stored.job_class or None):
		differ[f"{name}.job_class"] = [stored.job_class, values["job_class"]]
	if job and plain(clocks.job_due_at(job, times, commitment)) != plain(job.kpi_due_at):
		differ[f"{job.name}.kpi_due_at"] = [plain(job.kpi_due_at), plain(clocks.job_due_at(job, times, commitment))]
result = differ
"""

# With this checkout: every case and work order saves as it is (each save rolled back).
SAVES = """
from property_helpdesk.constants import CASE, WORK_ORDER

failed = {}
for doctype in (CASE, WORK_ORDER):
	for name in frappe.get_all(doctype, pluck="name", order_by="name"):
		try:
			frappe.get_doc(doctype, name).save()
		except Exception as e:
			failed[f"{doctype} {name}"] = repr(e)
		frappe.db.rollback()
result = failed
"""

# With this checkout: the escalation job at the moment the old one ran takes no step again.
ESCALATE_AGAIN = """
from property_helpdesk.services import escalation

before = frappe.db.count("Escalation")
steps = escalation.run(now=args["at"])
result = {"steps": steps, "rows": frappe.db.count("Escalation") - before}
frappe.db.rollback()
"""

# With this checkout: every index the app's DocTypes declare (their `on_doctype_update`, which Frappe runs only when
# it syncs a DocType's JSON again) that the migrate left missing, made here by declaring them again.
INDEXES_LEFT_MISSING = """
def keys(tables):
	return {(t, r.Key_name) for t in tables for r in frappe.db.sql(f"show index from `{t}`", as_dict=True)}

doctypes = frappe.get_all("DocType", {"module": "Property Helpdesk", "issingle": 0, "is_virtual": 0}, pluck="name")
tables = [f"tab{dt}" for dt in doctypes]
before = keys(tables)
for dt in doctypes:
	frappe.get_doc("DocType", dt).run_module_method("on_doctype_update")
result = sorted(map(list, keys(tables) - before))
"""

# Settings' hours: the night duty's (R1) and the residents' quiet hours.
HOURS = """select field, value from tabSingles where doctype = 'Property Helpdesk Settings'
	and field in ('night_starts_at', 'night_ends_at', 'quiet_hours_from', 'quiet_hours_to') order by field"""

# ERPNext's documents the app made or touched, kept beside the app's own DocTypes.
ERPNEXT_TABLES = ("tabSales Invoice", "tabPayment Entry", "tabGL Entry", "tabCustomer", "tabToDo", "tabFile")


# Rows every `bench migrate` writes again, values unchanged: the fixtures (hooks' `fixtures`, re-imported) and
# the child tables of the app's Settings (its after_migrate saves Settings).
REWRITTEN_BY_MIGRATE = ("tabComplaint Ground", "tabEscalation Step", "tabClock Pause Limit")

# What this release's patches fill where the old release left it empty (property_of_records and
# posts_per_property run again: the old demo history wrote these rows in bulk without them).
FILLED_BY_PATCHES = {
	"tabReturn Visit": ("property",),
	"tabResident Message": ("property",),
	"tabService Ticket": ("service_type",),
}


def app_tables() -> list[str]:
	names = B.rows(
		SITE,
		"select name from tabDocType where module = 'Property Helpdesk' and issingle = 0 and is_virtual = 0",
	)
	return sorted(f"tab{row['name']}" for row in names) + list(ERPNEXT_TABLES)


def snapshot(tables: list[str]) -> dict[str, dict[str, dict]]:
	"""Every row of every table, by name, each value as text."""
	return {
		table: {
			row["name"]: {k: None if v is None else str(v) for k, v in row.items()}
			for row in B.rows(SITE, f"select * from `{table}`")
		}
		for table in tables
	}


def patches_of(text: str) -> list[str]:
	return [
		line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith(("#", "["))
	]


class TestUpgrade(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		linked = os.path.realpath(os.path.join(B.BENCH_DIR, "apps", B.APP))
		if linked != os.path.realpath(B.REPO_DIR):
			raise AssertionError(
				f"The bench's {B.APP} app is {linked}, not this checkout ({B.REPO_DIR}): run this test through "
				"scripts/test.sh, which links it."
			)
		cls.clock = B.Stopwatch()
		cls.folder = tempfile.mkdtemp(prefix="helpdesk-upgrade-")
		cls.old = os.path.join(cls.folder, f"property_helpdesk-{PREVIOUS_RELEASE}")
		cls.export_previous_release()
		B.drop_site(SITE)  # left by an interrupted run
		try:
			cls.upgrade()
		except BaseException:
			cls.tearDownClass()
			raise

	@classmethod
	def export_previous_release(cls):
		found = subprocess.run(
			["git", "-C", B.REPO_DIR, "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"], capture_output=True
		)
		if found.returncode:
			raise AssertionError(
				f"The previous release {PREVIOUS_RELEASE} is not in this clone's history ({B.REPO_DIR}): the "
				"upgrade test needs it. Clone with full history (no --depth), or `git fetch --unshallow`."
			)
		os.makedirs(cls.old)
		archive = subprocess.run(
			[
				"git",
				"-C",
				B.REPO_DIR,
				"archive",
				"--format=tar",
				PREVIOUS_RELEASE,
				B.APP,
				"tests",
				"pyproject.toml",
			],
			capture_output=True,
			check=True,
		)
		subprocess.run(["tar", "-x", "-C", cls.old], input=archive.stdout, check=True)
		with open(os.path.join(cls.old, "property_helpdesk", "patches.txt")) as f:
			cls.old_patches = patches_of(f.read())
		with open(os.path.join(B.REPO_DIR, "property_helpdesk", "patches.txt")) as f:
			cls.new_patches = [p for p in patches_of(f.read()) if p not in cls.old_patches]

	@classmethod
	def upgrade(cls):
		with cls.clock.step("new site with ERPNext"):
			cls.clock.seconds["ERPNext site"] = B.erpnext_site(SITE)
			# ERPNext's fiscal year of today (a site kept from another year has only its own): the old demo bills
			B.site_python(SITE, FISCAL_YEARS)
		# The previous release's code, first on the Python path of the commands that install it and make its
		# data: the bench's own app link, shared by every site and process of the bench, stays on this checkout.
		old_code = {"PYTHONPATH": cls.old}
		with cls.clock.step("install the previous release"):
			B.bench("--site", SITE, "install-app", B.APP, timeout=900, env=old_code)
		with cls.clock.step("old data by the old code"):
			cls.made = B.site_python(SITE, OLD_DATA, path=[cls.old])
		cls.tables = app_tables()
		cls.before = snapshot(cls.tables)
		cls.patched_before = {r["patch"] for r in B.rows(SITE, "select patch from `tabPatch Log`")}
		cls.hours_before = B.rows(SITE, HOURS)
		with cls.clock.step("bench migrate"):
			cls.migrate_output = B.bench("--site", SITE, "migrate", timeout=900)
		cls.after = snapshot(cls.tables)
		cls.hours_after = B.rows(SITE, HOURS)
		cls.clock.seconds["old rows"] = {table: len(rows) for table, rows in cls.before.items() if rows}
		cls.clock.write("upgrade-times")

	@classmethod
	def tearDownClass(cls):
		B.drop_queued_jobs(SITE)
		B.drop_site(SITE)
		import shutil

		shutil.rmtree(cls.folder, ignore_errors=True)
		super().tearDownClass()

	def test_the_old_code_was_what_ran(self):
		"""The installed app's version on the site before the migrate was the previous release's own files."""
		self.assertTrue(os.path.exists(os.path.join(self.old, "property_helpdesk", "hooks.py")))
		self.assertEqual(self.made["code"], os.path.join(self.old, "property_helpdesk", "__init__.py"))

	def test_the_old_release_made_data_of_every_kind(self):
		counts = {table: len(rows) for table, rows in self.before.items()}
		for table in (
			"tabService Ticket",
			"tabRepair Work Order",
			"tabEscalation",
			"tabResident Message",
			"tabReturn Visit",
			"tabClock Pause",
			"tabLiaison Sheet",
			"tabCompensation Settlement",
			"tabSales Invoice",
			"tabPayment Entry",
		):
			self.assertGreater(counts[table], 0, table)
		self.assertGreater(self.made["steps"], 0)
		pauses = self.before["tabClock Pause"].values()
		self.assertTrue(any(p["resumed_at"] is None for p in pauses))
		self.assertTrue(any(p["resumed_at"] for p in pauses))
		statuses = {row["status"] for row in self.before["tabService Ticket"].values()}
		self.assertTrue(
			{"Closed", "Resolved"} & statuses and {"Accepted", "In Progress"} & statuses, statuses
		)

	def test_every_new_patch_ran_on_the_old_data(self):
		self.assertTrue(self.new_patches)
		self.assertFalse(set(self.new_patches) & self.patched_before)
		patched = {r["patch"] for r in B.rows(SITE, "select patch from `tabPatch Log`")}
		self.assertLessEqual(set(self.new_patches), patched)

	def test_every_row_of_the_old_release_is_kept_with_every_value(self):
		for table, rows in self.before.items():
			with self.subTest(table=table):
				self.assertEqual(set(self.after[table]), set(rows))
				# what every migrate writes again: the fixtures, and Settings' tables (saved by after_migrate) —
				# with the values they had
				written_again = ("creation", "modified") if table in REWRITTEN_BY_MIGRATE else ()
				filled = FILLED_BY_PATCHES.get(table, ())
				changed = {
					f"{name}.{field}": (value, self.after[table][name][field])
					for name, row in rows.items()
					for field, value in row.items()
					if self.after[table][name][field] != value
					and field not in written_again
					and not (field in filled and value is None)
				}
				self.assertEqual(changed, {})

	def test_the_patches_filled_what_the_new_release_reads(self):
		cases = self.after["tabService Ticket"]
		for table, link, source in (
			("tabReturn Visit", "service_ticket", cases),
			("tabResident Message", "service_ticket", cases),
			("tabWork Order Step", "work_order", self.after["tabRepair Work Order"]),
		):
			for name, row in self.after[table].items():
				if row[link]:
					self.assertEqual(row["property"], source[row[link]]["property"], f"{table} {name}")
		typed = [c for c in cases.values() if c["ticket_type"] in ("Paid Service", "Service Request")]
		self.assertTrue(typed)
		self.assertEqual({c["service_type"] for c in typed}, {"维修"})
		administrators = {
			(r["parent"], r["user"])
			for r in B.rows(
				SITE,
				"select parent, user from `tabPost Holder User` where parentfield = 'area_administrators'",
			)
		}
		for name, prop in self.after["tabProperty"].items():
			if prop["area_administrator"]:
				self.assertIn((name, prop["area_administrator"]), administrators)
		open_cases = [c for c in cases.values() if c["status"] not in ("Resolved", "Closed")]
		self.assertTrue(any(c["next_deadline"] for c in open_cases))

	def test_every_index_the_doctypes_declare_is_there(self):
		"""R30's (unit, completed_at) index came in a release that left Repair Work Order's JSON as it was, so
		Frappe's sync alone would not have made it: the patch does."""
		self.assertEqual(B.site_python(SITE, INDEXES_LEFT_MISSING), [])

	def test_settings_hours_stored_at_the_install_s_moment_are_put_back_to_their_defaults(self):
		"""The previous release's install stored each hour as the moment of the install (a fraction of a second
		in it); after the migrate they are 22:00–08:00 and 22:00–07:00."""
		self.assertEqual(len(self.hours_before), 4)
		self.assertTrue(all("." in row["value"] for row in self.hours_before), self.hours_before)
		self.assertEqual(
			{row["field"]: row["value"] for row in self.hours_after},
			{
				"night_ends_at": "08:00:00",
				"night_starts_at": "22:00:00",
				"quiet_hours_from": "22:00:00",
				"quiet_hours_to": "07:00:00",
			},
		)

	def test_every_case_s_clocks_are_what_this_release_computes(self):
		self.assertEqual(B.site_python(SITE, CLOCKS_NOW), {})
		paused = self.after["tabService Ticket"][self.made["paused"]]
		self.assertTrue(paused["paused_since"] and paused["paused_until"])
		resumed = self.after["tabService Ticket"][self.made["resumed"]]
		self.assertIsNone(resumed["paused_since"])

	def test_every_case_and_work_order_saves_with_this_release(self):
		self.assertEqual(B.site_python(SITE, SAVES), {})

	def test_the_escalation_job_takes_no_step_twice(self):
		again = B.site_python(SITE, ESCALATE_AGAIN, {"at": self.made["escalate_at"]})
		self.assertEqual(again, {"steps": 0, "rows": 0})

	def test_the_upgrade_is_quick(self):
		"""The figures are in $BENCH_DIR/logs/upgrade-times.json; this bounds the migrate loosely."""
		self.assertLess(self.clock.seconds["bench migrate"], 240, json.dumps(self.clock.seconds))


if __name__ == "__main__":
	unittest.main()
