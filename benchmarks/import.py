"""Loading an estate with Frappe's own Data Import (issue #14): 20,000 units and 30,000 residents (each with
its unit), rows per second, beside ERPNext's own Customer imported by the same importer in the same run.

    benchmarks/run.sh import [--units 20000 --residents 30000 --baseline 5000]

Runs on a benchmark-only site (BENCH_SITE, import.helpdesk.local; benchmarks/run.sh creates it), whose imported
rows it removes first. Each file goes the way an office's does: a File, a Data Import of "Insert New Records",
and the import job Frappe queues (`data_import.start_import`), run here in-process as a worker runs it — every
row validated and inserted by the DocType's own controller, progress published to the desk as it goes.
"""

import argparse
import csv
import io
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import frappe
from frappe import _

PROPERTY = "基准导入楼盘"
DEVELOPER = "基准导入开发商"
UNITS_PER_BUILDING = 100


def csv_bytes(rows) -> bytes:
	out = io.StringIO()
	csv.writer(out).writerows(rows)
	return out.getvalue().encode()


def set_up() -> None:
	"""The estate the rows belong to, and nothing left of an earlier run's rows."""
	if not frappe.db.exists("Property Developer", DEVELOPER):
		frappe.get_doc(
			{
				"doctype": "Property Developer",
				"developer_name": DEVELOPER,
				"developer_type": "Parent Developer",
			}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Property", PROPERTY):
		frappe.get_doc(
			{
				"doctype": "Property",
				"property_name": PROPERTY,
				"developer": DEVELOPER,
				"completion_acceptance_date": "2020-01-01",
				"management_office": "基准导入管理处",
			}
		).insert(ignore_permissions=True)
	units = frappe.qb.DocType("Property Unit")
	link = frappe.qb.DocType("Resident Unit")
	resident = frappe.qb.DocType("Resident")
	mine = frappe.qb.from_(units).select(units.name).where(units.property == PROPERTY)
	residents = frappe.qb.from_(link).select(link.parent).where(link.unit.isin(mine))
	frappe.qb.from_(resident).delete().where(resident.name.isin(residents)).run()
	frappe.qb.from_(link).delete().where(link.unit.isin(mine)).run()
	frappe.qb.from_(units).delete().where(units.property == PROPERTY).run()
	customers = frappe.get_all("Customer", {"customer_name": ("like", "基准导入客户%")}, pluck="name")
	for chunk in range(0, len(customers), 1000):
		names = customers[chunk : chunk + 1000]
		frappe.db.delete("Dynamic Link", {"link_doctype": "Customer", "link_name": ("in", names)})
		frappe.db.delete("Customer", {"name": ("in", names)})
	frappe.db.commit()


def unit_rows(count: int) -> list[list[str]]:
	rows = [["楼盘", "楼栋", "房号", "交付日期", "业主姓名", "业主电话"]]
	for i in range(count):
		building, room = divmod(i, UNITS_PER_BUILDING)
		rows.append([PROPERTY, f"{building + 1}幢", f"{room + 101}", "2020-06-30", f"业主{i}", f"139{i:08d}"])
	return rows


def resident_rows(count: int, units: int) -> list[list[str]]:
	# the headings of the template Data Import gives a Chinese user: a child column is "label (table label)"
	table = _("Units", lang="zh")
	rows = [[_("Resident Name", lang="zh"), _("Phone", lang="zh")]]
	rows[0] += [f"{_('Housing Unit', lang='zh')} ({table})", f"{_('Relation', lang='zh')} ({table})"]
	for i in range(count):
		building, room = divmod(i % units, UNITS_PER_BUILDING)
		unit = f"{PROPERTY}-{building + 1}幢-{room + 101}"
		rows.append([f"业户{i}", f"137{i:08d}", unit, "Owner" if i < units else "Tenant"])
	return rows


def customer_rows(count: int) -> list[list[str]]:
	"""ERPNext's own Customer, the peer of a resident, by the same importer (headings as its template has them)."""
	return [["customer_name", "customer_type"]] + [[f"基准导入客户{i}", "Individual"] for i in range(count)]


def run_import(doctype: str, rows: list[list[str]]) -> tuple[float, str, int]:
	"""The file through Data Import as an office uploads it; (seconds, final status, rows imported)."""
	from frappe.core.doctype.data_import.data_import import start_import

	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{frappe.scrub(doctype)}-{frappe.generate_hash(length=6)}.csv",
			"content": csv_bytes(rows),
			"is_private": 1,
		}
	).insert(ignore_permissions=True)
	data_import = frappe.get_doc(
		{
			"doctype": "Data Import",
			"reference_doctype": doctype,
			"import_type": "Insert New Records",
			"import_file": file.file_url,
			"mute_emails": 1,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	started = time.perf_counter()
	start_import(data_import.name)  # what the worker runs for the Start Import button
	seconds = time.perf_counter() - started
	frappe.db.commit()
	status = frappe.db.get_value("Data Import", data_import.name, "status")
	imported = frappe.db.count("Data Import Log", {"data_import": data_import.name, "success": 1})
	return seconds, status, imported


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--units", type=int, default=20_000)
	parser.add_argument("--residents", type=int, default=30_000)
	parser.add_argument("--baseline", type=int, default=2_000)
	args = parser.parse_args()
	frappe.init(site=os.environ.get("BENCH_SITE", "import.helpdesk.local"))
	frappe.connect()
	frappe.set_user("Administrator")
	# the office's headings are Chinese: the importer reads them in its user's language
	frappe.db.set_value("User", "Administrator", "language", "zh")
	frappe.cache.hdel("lang", "Administrator")
	set_up()
	results = [
		("Customer (ERPNext's)", *run_import("Customer", customer_rows(args.baseline)), args.baseline),
		("Property Unit", *run_import("Property Unit", unit_rows(args.units)), args.units),
		(
			"Resident (+ unit)",
			*run_import("Resident", resident_rows(args.residents, args.units)),
			args.residents,
		),
	]
	print(f"{'DocType':<22}{'rows':>8}{'imported':>10}{'seconds':>10}{'rows/s':>9}  status")
	for label, seconds, status, imported, rows in results:
		print(f"{label:<22}{rows:>8}{imported:>10}{seconds:>10.1f}{imported / seconds:>9.1f}  {status}")
	baseline = results[0][3] / results[0][1]
	for label, seconds, _status, imported, _rows in results[1:]:
		print(f"{label}: {imported / seconds / baseline:.2f} × ERPNext Customer's rows per second")
	frappe.destroy()


if __name__ == "__main__":
	main()
