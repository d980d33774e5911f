"""Install, migrate and uninstall hooks.

Roles and the complaint grounds are fixtures (ours, identical on every site, re-synced on migrate). What users
may edit — the service commitment in Settings and the Warranty Rules — is seeded once, idempotently.
"""

import json
import os

import frappe

from property_helpdesk.constants import SETTINGS
from property_helpdesk.roles import PORTAL_ROLES, STAFF_ROLES
from property_helpdesk.services.billing import ensure_fee_schedule
from property_helpdesk.setup import workflows

ROLES = STAFF_ROLES + PORTAL_ROLES


def after_install():
	ensure_roles()
	seed_settings()
	seed_warranty_rules()
	workflows.sync()
	ensure_fee_schedule()
	ensure_global_search()
	seed_paid_service_types()
	login_lockout()

	desk_defaults()


def after_migrate():
	ensure_roles()
	seed_settings()
	workflows.sync()
	ensure_fee_schedule()
	ensure_global_search()
	desk_defaults()


def ensure_global_search():
	"""The app's searchable DocTypes (hooks' `global_search_doctypes`) among those Global Search Settings
	offer: Frappe fills that list from the hooks only in the setup wizard or on a reset, so a site that
	installs the app afterwards would never find a case by its caller's number. Appended, never reordered."""
	settings = frappe.get_single("Global Search Settings")
	offered = {row.document_type for row in settings.allowed_in_global_search}
	wanted = [
		row["doctype"]
		for row in frappe.get_hooks("global_search_doctypes", app_name="property_helpdesk").get("Default", [])
	]
	missing = [doctype for doctype in wanted if doctype not in offered]
	if missing:
		for doctype in missing:
			settings.append("allowed_in_global_search", {"document_type": doctype})
		settings.save(ignore_permissions=True)


def ensure_roles():
	"""Fixtures create the roles; this keeps the portal roles off the desk even if someone changed them."""
	for role in ROLES:
		desk_access = 0 if role in PORTAL_ROLES else 1
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": desk_access}).insert(
				ignore_permissions=True
			)
		elif frappe.db.get_value("Role", role, "desk_access") != desk_access:
			frappe.db.set_value("Role", role, "desk_access", desk_access)


def seed_settings():
	"""Store the default of every field of the service commitment not yet stored (R31); never overwrite a value
	of its own (`seeded`)."""
	stored = frappe.db.get_singles_dict(SETTINGS)
	settings = frappe.get_single(SETTINGS)
	missing = [df for df in settings.meta.fields if df.default and not seeded(df, stored)]
	for df in missing:
		# the default itself, not what the new document holds (see `seeded`)
		settings.set(df.fieldname, settings.cast(df.default, df))
	if not settings.escalation_ladder:
		from property_helpdesk.services.clocks import DEFAULT_LADDER

		for level, delay in DEFAULT_LADDER:
			settings.append("escalation_ladder", {"level": level, "delay_minutes": delay})
		missing.append("escalation_ladder")
	if not settings.pause_limits:
		from property_helpdesk.services.clocks import DEFAULT_PAUSE_LIMITS

		for reason, hours in DEFAULT_PAUSE_LIMITS:
			settings.append("pause_limits", {"reason": reason, "max_hours": hours})
		missing.append("pause_limits")
	company = settings.company or frappe.defaults.get_global_default("company")
	if missing or company != settings.company:
		settings.company = company
		settings.flags.ignore_permissions = True
		settings.save()


def seeded(df, stored: dict) -> bool:
	"""Whether Settings' field `df` holds a value of its own in `stored` (the Singles' values)."""
	if df.fieldtype == "Check":
		return df.fieldname in stored
	value = stored.get(df.fieldname)
	if value in (None, ""):
		return False
	# Frappe gives a new document's Time fields the time of day (create_new.set_dynamic_default_values), and
	# stores a new Single so at install before after_install runs: the moment of the install, with its fraction
	# of a second, which the desk never stores (R1's night hours, the residents' quiet hours)
	return not (df.fieldtype == "Time" and "." in str(value))


def seed_warranty_rules():
	"""The regulation's warranty table, company-wide, once (editable afterwards, and per property)."""
	path = os.path.join(os.path.dirname(__file__), "data", "warranty_rules.json")
	with open(path, encoding="utf-8") as f:
		rules = json.load(f)
	for rule in rules:
		if frappe.db.exists("Warranty Rule", {"component": rule["component"], "property": ("is", "not set")}):
			continue
		frappe.get_doc({"doctype": "Warranty Rule", **rule}).insert(ignore_permissions=True)


def before_uninstall():
	"""Take away what the app added outside its own DocTypes: its workflows, roles and their assignments, its
	scheduled jobs (the every-minute escalation would otherwise run against dropped tables until the next
	migrate) and the to-dos and notifications about its records. The fee schedule's Items and Prices stay:
	they are ERPNext's records, which finance's invoices refer to."""
	workflows.remove()
	frappe.db.delete(
		"Global Search DocType", {"document_type": ("in", ("Service Ticket", "Resident", "Property Unit"))}
	)
	frappe.db.delete("Scheduled Job Type", {"method": ("like", "property_helpdesk.%")})
	app_doctypes = frappe.get_all("DocType", filters={"module": "Property Helpdesk"}, pluck="name")
	if app_doctypes:
		frappe.db.delete("ToDo", {"reference_type": ("in", app_doctypes)})
		frappe.db.delete("Notification Log", {"document_type": ("in", app_doctypes)})
	for role in ROLES:
		frappe.db.delete("Has Role", {"role": role})
		frappe.db.delete("Custom DocPerm", {"role": role})
		if frappe.db.exists("Role", role):
			frappe.delete_doc("Role", role, ignore_permissions=True, force=True)
	from property_helpdesk.services.workspace import unland_staff

	unland_staff()  # the app's workspace goes with it: no user is left opening the desk on a missing page


def desk_defaults():
	"""Staff users who have not chosen a default workspace open the desk on the app's (R4; new staff users get it
	as they are saved: hooks, User validate), and the case list's columns are seeded once (editable after)."""
	from property_helpdesk.services.workspace import ensure_case_list_settings, land_existing_staff

	land_existing_staff()
	ensure_case_list_settings()


def allow_user_permission_import():
	"""R4, R1: the System Manager gives staff users their properties in bulk by Data Import of User Permission
	(docs/architecture.md, "Work per property"); Frappe's own DocType allows import but gives no role the right.
	Granted as a Custom DocPerm, once (after install and after each migrate, idempotently)."""
	from frappe.permissions import add_permission, setup_custom_perms, update_permission_property

	doctype, role = "User Permission", "System Manager"
	perm = {"parent": doctype, "role": role, "permlevel": 0, "if_owner": 0}
	if frappe.db.get_value("Custom DocPerm", perm, "import"):
		return
	setup_custom_perms(doctype)
	if not frappe.db.exists("Custom DocPerm", perm):
		add_permission(doctype, role, 0)
	update_permission_property(doctype, role, 0, "import", 1)
	frappe.clear_cache(doctype=doctype)


def seed_paid_service_types():
	"""R11: the paid services of the procedure (in-home cleaning, greening, notice-board rental) and repairs,
	which stay with the maintenance team; once, never overwritten (each office names its teams)."""
	from property_helpdesk.constants import PAID_SERVICE_TYPE, REPAIR_SERVICE_TYPE, SEEDED_SERVICE_TYPES

	for name in SEEDED_SERVICE_TYPES:
		if not frappe.db.exists(PAID_SERVICE_TYPE, name):
			frappe.get_doc(
				{
					"doctype": PAID_SERVICE_TYPE,
					"service_type_name": name,
					"is_repair": int(name == REPAIR_SERVICE_TYPE),
				}
			).insert(ignore_permissions=True)


# Brute force (issue 15): after this many wrong passwords in a row an account, and the address they came from, is
# locked for LOGIN_LOCK_SECONDS (Frappe's own LoginAttemptTracker, System Settings "Brute Force Security").
LOGIN_ATTEMPTS = 5
LOGIN_LOCK_SECONDS = 300


def login_lockout():
	"""Frappe's defaults (10 tries, then 60 s) let a guesser try about 14,000 passwords a day on one account;
	set 5 tries and 5 minutes, once, unless the site chose its own values (tracking off, 0, counts as none)."""
	from frappe.utils import cint

	stored = frappe.db.get_single_value
	attempts, lock = (
		cint(stored("System Settings", f))
		for f in ("allow_consecutive_login_attempts", "allow_login_after_fail")
	)
	if (attempts, lock) not in (
		(10, 60),
		(0, 60),
		(0, 0),
	):
		return
	frappe.db.set_single_value(
		"System Settings",
		{"allow_consecutive_login_attempts": LOGIN_ATTEMPTS, "allow_login_after_fail": LOGIN_LOCK_SECONDS},
	)
