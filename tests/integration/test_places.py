"""扫码报修 (issue 14, R7, R8, R10, R15b): the places of a property — its units and common areas (each lift,
stairwell, pump room …) — over real HTTP. Common areas are imported with Frappe's Data Import (each bad row
refused with its reason, nothing of it saved, the same file again changing nothing); every place prints a QR
label whose code holds the report page's address with the place filled in; that page, opened by a resident of
the place or by the property's staff on patrol, makes the case at that place; everyone else is refused with
the reason, and a name that is no place is a 404, never a 500.

These tests commit (the web server has its own connection) and delete what they made afterwards."""

import csv
import html
import io
import os
import re
from urllib.parse import quote, urlencode

import frappe
import requests
import segno
from frappe.tests.utils import FrappeTestCase

from property_helpdesk.constants import CASE, COMMON_AREA, PLACE_LABEL_FORMATS, RESIDENT, UNIT, WORK_ORDER
from property_helpdesk.setup.builders import ensure
from tests.integration.factories import (
	delete_cases,
	login_session,
	make_property,
	make_unit,
	make_user,
)
from tests.integration.workers import queued_jobs, run_worker

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
METHOD = f"{BASE_URL}/api/method/property_helpdesk.api.portal"
PROPERTY, OTHER = "扫码楼盘", "扫码另一楼盘"
START_IMPORT = "frappe.core.doctype.data_import.data_import.start_import"
AREA_FIELDS = ["property", "building", "area_name", "kind", "location_notes"]


def as_csv(rows: list[list[str]]) -> bytes:
	out = io.StringIO()
	csv.writer(out).writerows(rows)
	return out.getvalue().encode()


def report_url(**place) -> str:
	"""The address a label's QR code must hold (the test site's host_name is its BASE_URL)."""
	return f"{BASE_URL}/new_case?{urlencode(place)}"


def qr_matrix(svg: str) -> list[list[bool]]:
	"""The dark modules of a QR code drawn as segno draws SVG: one path of horizontal runs in module units
	(`M x y.5`, then `h n` runs and relative `m dx dy` moves), inside a border, at a viewBox of the symbol."""
	path = re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)
	scale = int(re.search(r'transform="scale\((\d+)\)"', svg).group(1))
	size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1)) // scale
	grid = [[False] * size for _ in range(size)]
	x = y = 0.0
	for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path.replace(" ", " ")):
		if command == "M":
			x, y = float(a), float(b)
		elif command == "m":
			x, y = x + float(a), y + float(b)
		else:
			for column in range(int(x), int(x + float(a))):
				grid[int(y)][column] = True
			x += float(a)
	return grid


def same_code(svg: str, url: str) -> bool:
	"""Whether the drawn code is the QR code of `url` (there is no decoder on the bench: segno draws the code of
	the expected address again, at each error level, and the modules are compared)."""
	drawn = qr_matrix(svg)
	for error in "lmqh":
		code = segno.make(url, error=error, boost_error=False)
		border = (len(drawn) - len(code.matrix)) // 2
		if border >= 0 and all(
			bool(code.matrix[r][c]) == drawn[r + border][c + border]
			for r in range(len(code.matrix))
			for c in range(len(code.matrix))
		):
			return True
	return False


class PlacesCase(FrappeTestCase):
	"""Two properties; in the first a lift, a pump room (disabled) and two units; Alice lives in 1幢101, Bob in
	the other property; a duty staff member works for the first property only, a director for both."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.director = make_user("places-director@places.test", "Property Office Director", "System Manager")
		cls.patrol = make_user("places-patrol@places.test", "Property Duty Staff", mobile="13755509001")
		cls.stranger = make_user(
			"places-other-staff@places.test", "Property Duty Staff", mobile="13755509002"
		)
		for user in (cls.director, cls.patrol, cls.stranger):
			frappe.db.set_value("User", user, "language", "en")
		make_property(PROPERTY, area_administrator=cls.director)
		make_property(OTHER, area_administrator=cls.director)
		for user, prop in ((cls.patrol, PROPERTY), (cls.stranger, OTHER)):
			if not frappe.db.exists(
				"User Permission", {"user": user, "allow": "Property", "for_value": prop}
			):
				frappe.get_doc(
					{"doctype": "User Permission", "user": user, "allow": "Property", "for_value": prop}
				).insert(ignore_permissions=True)
		cls.unit_a = make_unit(PROPERTY, "1幢", "101")
		cls.unit_b = make_unit(PROPERTY, "1幢", "102")
		cls.unit_other = make_unit(OTHER, "9幢", "901")
		cls.lift = ensure(
			COMMON_AREA,
			f"{PROPERTY}-3号楼 1号电梯",
			{"property": PROPERTY, "building": "3号楼", "area_name": "3号楼 1号电梯", "kind": "Lift"},
		)
		cls.pump = ensure(
			COMMON_AREA,
			f"{PROPERTY}-地下水泵房",
			{"property": PROPERTY, "area_name": "地下水泵房", "kind": "Pump Room", "enabled": 0},
		)
		cls.alice = cls.resident("places-alice@places.test", "钱丽", "13955509001", cls.unit_a)
		cls.bob = cls.resident("places-bob@places.test", "孙强", "13955509002", cls.unit_other)
		frappe.db.commit()
		frappe.cache.delete_keys("property_helpdesk:portal:")

	@classmethod
	def resident(cls, email, name, phone, unit):
		make_user(email, "Property Resident", user_type="Website User", mobile=phone)
		frappe.db.set_value("User", email, "language", "en")
		if not frappe.db.exists(RESIDENT, {"user": email}):
			frappe.get_doc(
				{
					"doctype": RESIDENT,
					"resident_name": name,
					"phone": phone,
					"user": email,
					"units": [{"unit": unit, "relation": "Owner"}],
				}
			).insert(ignore_permissions=True)
		return email

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		for prop in (PROPERTY, OTHER):
			delete_cases(prop)
		frappe.db.delete("ToDo", {"allocated_to": ("like", "%@places.test")})
		frappe.db.delete(COMMON_AREA, {"property": ("in", (PROPERTY, OTHER)), "area_name": ("like", "导入%")})
		frappe.db.commit()
		super().tearDownClass()

	def session(self, user: str, page: str = "/new_case") -> requests.Session:
		return login_session(BASE_URL, user, page)

	def report(self, http, **fields) -> requests.Response:
		data = {"ticket_type": "Repair", "subject": "电梯按钮失灵", "description": "三楼按钮按下没有反应。"}
		data.update(fields)
		return http.post(f"{METHOD}.report_case", data=data, timeout=60)


class TestCommonAreaImport(PlacesCase):
	def import_file(self, content: bytes, name: str) -> dict:
		"""The director uploads the file and makes a Data Import over HTTP; its job is run by a real worker
		(the test site's scheduler is paused, so Frappe's Start button would refuse: the job it would queue is
		queued here, as its user)."""
		http = self.session(self.director, "/app")
		upload = http.post(
			f"{BASE_URL}/api/method/upload_file",
			files={"file": (name, content, "text/csv")},
			data={"is_private": 1},
			timeout=60,
		)
		self.assertEqual(upload.status_code, 200, upload.text)
		response = http.post(
			f"{BASE_URL}/api/resource/Data Import",
			json={
				"reference_doctype": COMMON_AREA,
				"import_type": "Insert New Records",
				"import_file": upload.json()["message"]["file_url"],
			},
			timeout=60,
		)
		self.assertEqual(response.status_code, 200, response.text)
		data_import = response.json()["data"]["name"]
		frappe.set_user(self.director)
		try:
			frappe.enqueue(START_IMPORT, data_import=data_import, job_id=f"data_import::{data_import}")
			frappe.db.commit()
		finally:
			frappe.set_user("Administrator")
		run_worker(queued_jobs(START_IMPORT, data_import=data_import))
		logs = http.get(
			f"{BASE_URL}/api/method/frappe.core.doctype.data_import.data_import.get_import_logs",
			params={"data_import": data_import},
			timeout=60,
		)
		self.assertEqual(logs.status_code, 200, logs.text)
		frappe.db.rollback()
		return {
			"status": frappe.db.get_value("Data Import", data_import, "status"),
			"warnings": frappe.parse_json(
				frappe.db.get_value("Data Import", data_import, "template_warnings") or "[]"
			),
			"failures": [
				" ".join(str(m) for m in frappe.parse_json(log["messages"] or "[]"))
				+ (log["exception"] or "")
				for log in logs.json()["message"]
				if not log["success"]
			],
		}

	def template_header(self) -> list[str]:
		"""The heading row of the blank template Frappe's Data Import gives the director."""
		http = self.session(self.director, "/app")
		response = http.get(
			f"{BASE_URL}/api/method/frappe.core.doctype.data_import.data_import.download_template",
			params={
				"doctype": COMMON_AREA,
				"export_fields": frappe.as_json({COMMON_AREA: AREA_FIELDS}),
				"export_records": "blank_template",
				"file_type": "CSV",
			},
			timeout=60,
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

	def test_common_areas_import_with_each_bad_row_refused_and_a_second_import_changing_nothing(self):
		self.assertTrue(frappe.get_meta(COMMON_AREA).allow_import)
		self.assertTrue(frappe.has_permission(COMMON_AREA, "import", user=self.director))
		stamp = frappe.generate_hash(length=6)
		rows = [
			self.template_header(),
			[PROPERTY, "5号楼", f"导入{stamp} 5号楼 1号电梯", "Lift", "东侧"],
			[PROPERTY, "", f"导入{stamp} 南大门", "Gate", ""],
			[PROPERTY, "5号楼", f"导入{stamp} 5号楼 1号电梯", "Lift", "又一行"],  # the same place again
			[PROPERTY, "5号楼", f"导入{stamp} <b>楼顶</b>", "Roof", ""],  # markup in a name
		]
		result = self.import_file(as_csv(rows), f"areas-{stamp}.csv")
		self.assertEqual(result["status"], "Partial Success", result)
		saved = frappe.get_all(
			COMMON_AREA, {"area_name": ("like", f"导入{stamp}%")}, ["area_name", "kind", "location_notes"]
		)
		self.assertEqual(
			sorted((a.area_name, a.kind, a.location_notes) for a in saved),
			[(f"导入{stamp} 5号楼 1号电梯", "Lift", "东侧"), (f"导入{stamp} 南大门", "Gate", None)],
		)
		self.assertEqual(len(result["failures"]), 2, result)
		# each refused with its reason (the import runs in the director's language): the place listed twice, and
		# the markup Frappe refuses in a name
		self.assertTrue(any("already exists" in f for f in result["failures"]), result)
		self.assertTrue(any("special characters" in f for f in result["failures"]), result)

		again = self.import_file(as_csv(rows[:3]), f"areas-{stamp}-again.csv")
		self.assertEqual(again["status"], "Error", again)
		self.assertEqual(len(again["failures"]), 2)
		self.assertEqual(frappe.db.count(COMMON_AREA, {"area_name": ("like", f"导入{stamp}%")}), 2)

	def test_a_file_naming_an_unknown_property_or_kind_is_refused_whole(self):
		stamp = frappe.generate_hash(length=6)
		rows = [
			self.template_header(),
			[PROPERTY, "", f"导入{stamp} 北门", "Gate", ""],
			["没有的楼盘", "", f"导入{stamp} 西门", "Gate", ""],
			[PROPERTY, "", f"导入{stamp} 屋顶", "Spaceport", ""],
		]
		result = self.import_file(as_csv(rows), f"areas-{stamp}.csv")
		self.assertNotIn(result["status"], ("Success", "Partial Success"))
		self.assertEqual(frappe.db.count(COMMON_AREA, {"area_name": ("like", f"导入{stamp}%")}), 0)
		text = " ".join(w["message"] for w in result["warnings"])
		self.assertIn("没有的楼盘", text)
		self.assertIn("Spaceport", text)


class TestPlaceLabels(PlacesCase):
	def printview(self, http, doctype: str, name: str) -> requests.Response:
		return http.get(
			f"{BASE_URL}/printview",
			params={"doctype": doctype, "name": name, "format": PLACE_LABEL_FORMATS[doctype]},
			timeout=60,
		)

	def test_each_place_prints_a_label_whose_qr_code_opens_the_report_page_at_that_place(self):
		before = frappe.db.get_single_value("Property Helpdesk Settings", "service_hotline")
		frappe.db.set_single_value("Property Helpdesk Settings", "service_hotline", "0571-88886666")
		frappe.db.commit()
		self.addCleanup(self.restore_hotline, before)
		http = self.session(self.director, "/app")
		for doctype, name, title, place in (
			(COMMON_AREA, self.lift, "3号楼 1号电梯", {"common_area": self.lift}),
			(UNIT, self.unit_a, "1幢 101", {"unit": self.unit_a}),
		):
			with self.subTest(doctype=doctype):
				response = self.printview(http, doctype, name)
				self.assertEqual(response.status_code, 200, response.text[:500])
				page = response.text
				self.assertIn(title, page)
				self.assertIn("0571-88886666", page)  # the line to call (R8)
				self.assertIn(PROPERTY, page)
				svg = re.search(r"<svg[^>]*class=\"ph-qr\".*?</svg>", page, re.S).group(0)
				self.assertTrue(same_code(html.unescape(svg), report_url(**place)), svg[:300])
				self.assertFalse(same_code(html.unescape(svg), report_url(unit=self.unit_b)))

	@staticmethod
	def restore_hotline(value):
		frappe.db.rollback()
		frappe.db.set_single_value("Property Helpdesk Settings", "service_hotline", value)
		frappe.db.commit()

	def test_many_labels_print_at_once_from_the_list(self):
		"""The list view's Print of selected records: Frappe's multi-document PDF, one label a page."""
		from pypdf import PdfReader

		http = self.session(self.director, "/app")
		response = http.get(
			f"{BASE_URL}/api/method/frappe.utils.print_format.download_multi_pdf",
			params={
				"doctype": UNIT,
				"name": frappe.as_json([self.unit_a, self.unit_b]),
				"format": PLACE_LABEL_FORMATS[UNIT],
			},
			timeout=120,
		)
		self.assertEqual(response.status_code, 200, response.text[:500])
		self.assertTrue(response.content.startswith(b"%PDF"))
		pages = PdfReader(io.BytesIO(response.content)).pages
		self.assertEqual(len(pages), 2)

	def test_a_label_is_printed_only_for_places_the_user_may_read(self):
		"""A resident has no desk right to places: the print view refuses them."""
		http = self.session(self.alice, "/my_cases")
		response = self.printview(http, COMMON_AREA, self.lift)
		self.assertEqual(response.status_code, 403)


class TestReportAtAPlace(PlacesCase):
	def test_a_guest_scanning_a_label_signs_in_and_comes_back_to_the_same_place(self):
		response = requests.get(
			f"{BASE_URL}/new_case", params={"common_area": self.lift}, allow_redirects=False, timeout=30
		)
		self.assertIn(response.status_code, (301, 302, 303, 307), response.text[:300])
		back = quote(f"/new_case?{urlencode({'common_area': self.lift})}", safe="/")
		self.assertEqual(response.headers["Location"], f"/login/phone?redirect-to={back}")
		page = requests.get(f"{BASE_URL}{response.headers['Location']}", timeout=30)
		self.assertEqual(page.status_code, 200)
		self.assertIn("/new_case?common_area=", page.text)  # where the sign-in returns to

	def test_r10_a_resident_reports_at_a_common_area_of_their_property(self):
		http = self.session(self.alice)
		page = http.get(f"{BASE_URL}/new_case", params={"common_area": self.lift}, timeout=30)
		self.assertEqual(page.status_code, 200, page.text[:500])
		self.assertIn('id="ph-place"', page.text)
		self.assertIn("3号楼 1号电梯", page.text)
		self.assertIn(f'name="common_area" value="{html.escape(self.lift)}"', page.text)
		self.assertIn('name="location" value="Common Facility"', page.text)

		response = self.report(http, common_area=self.lift, unit=self.unit_a)
		self.assertEqual(response.status_code, 200, response.text[:500])
		answer = response.json()["message"]
		self.assertEqual(answer["route"], f"/my_cases/{answer['name']}")
		frappe.db.rollback()
		case = frappe.get_doc(CASE, answer["name"])
		self.assertEqual(
			(case.common_area, case.property, case.location, case.unit, case.channel),
			(self.lift, PROPERTY, "Common Facility", self.unit_a, "Portal"),
		)
		# R15b: the company's maintenance team repairs a common facility
		self.assertEqual((case.liability_branch, case.liable_party), ("Common Facility", "Property Company"))
		self.assertEqual(case.acceptor, self.director)  # the property's area administrator (R34)
		self.assertEqual(
			frappe.db.get_value(WORK_ORDER, {"service_ticket": case.name}, "common_area"), self.lift
		)
		# and the resident sees it among their cases
		self.assertEqual(http.get(f"{BASE_URL}{answer['route']}", timeout=30).status_code, 200)

	def test_r10_a_resident_scanning_their_own_unit_gets_it_filled_in_and_locked(self):
		http = self.session(self.alice)
		page = http.get(f"{BASE_URL}/new_case", params={"unit": self.unit_a}, timeout=30)
		self.assertEqual(page.status_code, 200, page.text[:500])
		self.assertIn(f'type="hidden" name="unit" value="{html.escape(self.unit_a)}"', page.text)
		self.assertNotIn('<select class="form-control" id="unit"', page.text)

	def test_r3_staff_on_patrol_report_at_a_common_area_and_accept_the_case(self):
		http = self.session(self.patrol)
		page = http.get(f"{BASE_URL}/new_case", params={"common_area": self.lift}, timeout=30)
		self.assertEqual(page.status_code, 200, page.text[:500])
		self.assertIn("staff on patrol", page.text)
		self.assertNotIn('value="Complaint"', page.text)  # a complaint is a resident's
		response = self.report(http, common_area=self.lift, subject="电梯轿厢照明不亮")
		self.assertEqual(response.status_code, 200, response.text[:500])
		answer = response.json()["message"]
		self.assertEqual(answer["route"], f"/app/service-ticket/{answer['name']}")
		frappe.db.rollback()
		case = frappe.get_doc(CASE, answer["name"])
		self.assertEqual(
			(case.common_area, case.property, case.unit, case.channel, case.acceptor, case.follow_up_owner),
			(self.lift, PROPERTY, None, "Patrol", self.patrol, self.patrol),
		)
		self.assertEqual((case.contact_phone, case.location), ("13755509001", "Common Facility"))
		self.assertTrue(frappe.db.exists(WORK_ORDER, {"service_ticket": case.name}))  # R10: sent at once

	def test_staff_on_patrol_report_at_a_unit_of_their_property(self):
		http = self.session(self.patrol)
		response = self.report(http, unit=self.unit_b, location="Common Facility", subject="门口消防栓漏水")
		self.assertEqual(response.status_code, 200, response.text[:500])
		frappe.db.rollback()
		case = frappe.get_doc(CASE, response.json()["message"]["name"])
		self.assertEqual((case.unit, case.common_area, case.acceptor), (self.unit_b, None, self.patrol))

	def test_everyone_else_is_told_why_and_may_not_report_there(self):
		refusals = (
			# a resident of another property, at this property's lift
			(self.bob, {"common_area": self.lift}, 403, "where you hold no unit"),
			# a resident at another resident's door
			(self.alice, {"unit": self.unit_b}, 403, "your own units"),
			# staff of another property
			(self.stranger, {"common_area": self.lift}, 403, "as staff of"),
			(self.stranger, {"unit": self.unit_a}, 403, "as staff of"),
			# no such place, and a place no longer in use
			(self.alice, {"common_area": "没有这个地方"}, 404, "names no place"),
			(self.patrol, {"unit": "没有-这-户"}, 404, "names no place"),
			(self.alice, {"common_area": self.pump}, 404, "no longer takes reports"),
		)
		before = frappe.db.count(CASE, {"property": ("in", (PROPERTY, OTHER))})
		for user, place, status, words in refusals:
			with self.subTest(user=user, place=place):
				http = self.session(user, "/app" if user in (self.patrol, self.stranger) else "/my_cases")
				page = http.get(f"{BASE_URL}/new_case", params=place, timeout=30)
				self.assertEqual(page.status_code, status, page.text[:300])
				self.assertIn('id="ph-refusal"', page.text)
				self.assertIn(words, html.unescape(page.text))
				self.assertNotIn('id="ph-report"', page.text)
				response = self.report(http, **place)
				self.assertEqual(response.status_code, status, response.text[:300])
				self.assertIn(words, html.unescape(response.text))
		frappe.db.rollback()
		self.assertEqual(frappe.db.count(CASE, {"property": ("in", (PROPERTY, OTHER))}), before)

	def test_a_desk_case_at_a_common_area_needs_no_unit_but_stays_in_one_property(self):
		"""The rule is the case's own (validate_place): the desk and the REST API meet it as the portal does."""
		http = self.session(self.patrol, "/app")
		values = {
			"ticket_type": "Repair",
			"channel": "Phone",
			"call_started_at": frappe.utils.now(),
			"contact_name": "巡查员",
			"contact_phone": "13755509001",
			"subject": "楼道灯不亮",
			"description": "三楼楼道灯不亮。",
		}
		response = http.post(f"{BASE_URL}/api/resource/{CASE}", json=values, timeout=60)
		self.assertEqual(response.status_code, 417, response.text[:300])
		self.assertIn("unit or the common area", response.text)
		response = http.post(
			f"{BASE_URL}/api/resource/{CASE}", json={**values, "common_area": self.lift}, timeout=60
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertEqual(response.json()["data"]["location"], "Common Facility")
		self.assertEqual(response.json()["data"]["property"], PROPERTY)
		frappe.set_user("Administrator")
		other = frappe.get_doc({"doctype": CASE, **values, "common_area": self.lift, "unit": self.unit_other})
		with self.assertRaisesRegex(frappe.ValidationError, "different properties"):
			other.insert()
		frappe.db.rollback()
