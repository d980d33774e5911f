"""Who may do what (R4): role × DocType × right, in one readable table, asserted against the real site.

r = read, w = write, c = create, d = delete; "" = no access. Each role is tried by a user holding only it.
"""

import frappe
from frappe.tests.utils import FrappeTestCase

from tests.integration.factories import make_user

DUTY, DIRECTOR, CSM, GM = (
	"Property Duty Staff",
	"Property Office Director",
	"Property CS Manager",
	"Property General Manager",
)
SUPERVISOR, ENGINEER, TECH, QUALITY = (
	"Property Maintenance Supervisor",
	"Property Engineering Manager",
	"Property Maintenance Technician",
	"Property Quality Officer",
)
RESIDENT, DEVELOPER = "Property Resident", "Property Developer Contact"
ROLES = (DUTY, DIRECTOR, CSM, GM, SUPERVISOR, ENGINEER, TECH, QUALITY, RESIDENT, DEVELOPER)

# fmt: off
#                               DUTY   DIRECTOR CSM   GM     SUPERV ENGIN  TECH QUALITY RESIDENT DEVELOPER
MATRIX = {
	"Service Ticket":             ("rwc", "rwcd", "rwc", "rwc", "rwc", "rwc", "r", "r",  "",  ""),
	"Property":                   ("r",   "rwc",  "r",   "r",   "r",   "r",   "r", "r",  "",  ""),
	"Property Developer":         ("r",   "rwc",  "r",   "r",   "r",   "r",   "r", "r",  "",  ""),
	"Property Unit":              ("rwc", "rwc",  "r",   "r",   "r",   "r",   "r", "r",  "",  ""),
	"Resident":                   ("rwc", "rwc",  "r",   "r",   "r",   "r",   "r", "r",  "",  ""),
	"Warranty Rule":              ("r",   "rwc",  "r",   "r",   "r",   "rwc", "r", "r",  "",  ""),
	"Complaint Ground":           ("r",   "r",    "r",   "r",   "r",   "r",   "r", "r",  "",  ""),
	"Property Helpdesk Settings": ("r",   "rwc",  "rwc", "rwc", "r",   "r",   "r", "r",  "",  ""),
	"Repair Work Order":          ("rwc", "rwcd", "r",   "r",   "rwc", "rwc", "rw", "r", "",  ""),
	"Return Visit":               ("rwc", "rwcd", "rwc", "r",   "r",   "",    "",  "r",  "",  ""),
	"Escalation":                 ("r",   "r",    "r",   "r",   "r",   "r",   "r", "r",  "",  ""),
	"Warranty Repair Plan":       ("r",   "rwc",  "r",   "r",   "rwc", "rwc", "rw", "r", "",  ""),
	"Maintenance Job Log":        ("rwc", "rwcd", "r",   "r",   "rwc", "r",   "rwc", "r", "", ""),
	"Liaison Sheet":              ("rwc", "rwcd", "rwc", "rwc", "",    "r",   "",  "r",  "",  "r"),
	"Compensation Settlement":    ("r",   "rwc",  "rwc", "rwc", "",    "",    "",  "r",  "",  ""),
	"Portal Registration":        ("rw",  "rw",   "rw",  "",    "",    "",    "",  "",   "",  ""),
	"Corrective Action":          ("",    "rwc",  "rwc", "rwc", "rw",  "rw",   "",  "rwc", "",  ""),
	"Property Helpdesk Notice":   ("",    "",     "",    "",    "",    "",    "",  "",   "",  ""),
	"Work Order Step":            ("r",   "r",    "r",   "r",   "r",   "r",   "r", "r",  "",  ""),
	# made only by property_helpdesk.api.field.amend_time (the supervisor or the office director); kept as made
	"Time Amendment":             ("r",   "r",    "r",   "r",   "r",   "r",   "",  "r",  "",  ""),
	# R20–R22: asked by whoever works the job, decided (submitted) through its workflow by the supervisor/director
	"Job Class Change":           ("rwc", "rwc",  "r",   "r",   "rwc", "r",   "rwc", "r", "",  ""),
	# R1: the on-duty rota, filled (or imported) by the office; the duty staff read it
	"Duty Rota":                  ("r",   "rwcd", "rwc", "rwc", "r",   "r",   "",  "r",  "",  ""),
	# what a resident was told of their case: written only by the app's message service, read by staff
	"Resident Message":           ("r",   "r",    "r",   "r",   "r",   "",    "",  "r",  "",  ""),
	# the providers' secrets: the System Manager's alone
	"Resident Messaging Providers": ("",  "",     "",    "",    "",    "",    "",  "",   "",  ""),
	# R11: which team takes each paid service, configured by the office and the company departments
	"Paid Service Type":          ("r",   "rwc",  "rwc", "rwc", "r",   "r",   "r", "r",  "",  ""),

	# issue 14: the places of a property (lifts, pump rooms …), kept like its units
	"Common Area":                ("rwc", "rwc",  "r",   "r",   "r",   "r",   "r", "r",  "",  ""),
}
# fmt: on
RIGHTS = {"r": "read", "w": "write", "c": "create", "d": "delete"}


class TestPermissionMatrix(FrappeTestCase):
	def test_r4_role_doctype_right_matrix(self):
		users = {
			role: make_user(
				f"matrix-{i}@perm.test",
				role,
				user_type="Website User" if role in (RESIDENT, DEVELOPER) else "System User",
			)
			for i, role in enumerate(ROLES)
		}
		mismatches = []
		for doctype, row in MATRIX.items():
			for role, granted in zip(ROLES, row, strict=True):
				for letter, ptype in RIGHTS.items():
					allowed = bool(frappe.has_permission(doctype, ptype, user=users[role]))
					if allowed != (letter in granted):
						mismatches.append(
							f"{doctype} / {role} / {ptype}: expected {letter in granted}, got {allowed}"
						)
		self.assertEqual(mismatches, [])

	def test_server_owned_fields_are_read_by_every_reader_and_written_by_none(self):
		"""What the server derives (a case's liability, routing, clocks and KPI; a work order's billing and the
		case's decisions; a return visit's visitor) sits at permission level 1: every role reading the DocType
		reads it (the desk form shows it read-only), no role writes it (Frappe keeps a typed value out)."""
		users = {role: make_user(f"matrix-{i}@perm.test", role) for i, role in enumerate(ROLES[:8])}
		for doctype in ("Service Ticket", "Repair Work Order", "Return Visit"):
			meta = frappe.get_meta(doctype)
			self.assertTrue([df for df in meta.fields if df.permlevel == 1], doctype)
			self.assertEqual(
				[df.fieldname for df in meta.fields if df.permlevel == 1 and not df.read_only], [], doctype
			)
			for role, granted in zip(ROLES[:8], MATRIX[doctype][:8], strict=True):
				with self.subTest(doctype=doctype, role=role):
					self.assertEqual(
						(
							1 in meta.get_permlevel_access("read", user=users[role]),
							1 in meta.get_permlevel_access("write", user=users[role]),
						),
						("r" in granted, False),
					)
			self.assertEqual([p.role for p in meta.permissions if p.permlevel == 1 and p.write], [], doctype)

	def test_every_doctype_of_the_app_is_in_the_matrix(self):
		"""A new DocType cannot ship without its row here."""
		doctypes = frappe.get_all(
			"DocType", filters={"module": "Property Helpdesk", "istable": 0}, pluck="name"
		)
		self.assertEqual(sorted(set(doctypes) - set(MATRIX)), [])

	def test_finance_bills_in_erpnext_and_reads_nothing_of_the_cases(self):
		"""Finance (Accounts User alone) works in ERPNext's invoices and payments and its Billing Queue report;
		no DocType of the app is open to it, so the content of complaints stays with the office."""
		finance = make_user("matrix-finance@perm.test", "Accounts User")
		opened = [
			f"{doctype} / {ptype}"
			for doctype in MATRIX
			for ptype in RIGHTS.values()
			if frappe.has_permission(doctype, ptype, user=finance)
		]
		self.assertEqual(opened, [])
		for doctype in ("Sales Invoice", "Payment Entry"):
			for ptype in ("read", "write", "create", "submit"):
				self.assertTrue(frappe.has_permission(doctype, ptype, user=finance), f"{doctype} / {ptype}")
		frappe.set_user(finance)
		try:
			self.assertTrue(frappe.get_doc("Report", "Billing Queue").is_permitted())
			self.assertFalse(frappe.get_doc("Report", "Repair KPI").is_permitted())
		finally:
			frappe.set_user("Administrator")
