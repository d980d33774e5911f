"""Uploads over real HTTP (issue 15, "Attack"; R8, R10, R20): the resident's photos with a report, the
technician's before/after photos, and Frappe's own /api/method/upload_file, which any signed-in user can call.

An SVG or HTML file with script is refused; a polyglot (a real picture that is also markup) is kept as the
picture it is and only ever served as one, never as text/html; a 50 MB photo and 1,000 photos are refused with
nothing saved; one resident cannot fill the disk (a daily quota of bytes).

These tests commit (the web server has its own connection) and delete what they made afterwards.
"""

import json
import os
import struct
import zlib

import frappe
from frappe.installer import update_site_config
from frappe.tests.utils import FrappeTestCase

from property_helpdesk.constants import CASE, RESIDENT, RESIDENT_ROLE, TECHNICIAN, WORK_ORDER
from tests.integration.factories import (
	delete_cases,
	login_session,
	make_property,
	make_ticket,
	make_unit,
	make_user,
	work_order_of,
)

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
PROPERTY = "上传攻防楼盘"
DOMAIN = "uploads.test"
PORTAL = f"{BASE_URL}/api/method/property_helpdesk.api.portal"
TECH = f"{BASE_URL}/api/method/property_helpdesk.api.technician"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/method/frappe.auth.get_logged_user')</script></body></html>"


def chunk(kind: bytes, data: bytes) -> bytes:
	return (
		struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
	)


def png(width: int = 2, height: int = 2, noise: bool = False, text: bytes = b"") -> bytes:
	"""A real PNG; `noise` fills it with random pixels (so it does not compress, and no two are alike);
	`text` goes into a tEXt chunk."""
	raw = b"".join(
		b"\x00" + (os.urandom(width * 3) if noise else b"\x00\x80\xff" * width) for _ in range(height)
	)
	header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
	extra = chunk(b"tEXt", b"Comment\x00" + text) if text else b""
	return (
		b"\x89PNG\r\n\x1a\n"
		+ chunk(b"IHDR", header)
		+ extra
		+ chunk(b"IDAT", zlib.compress(raw, 1))
		+ chunk(b"IEND", b"")
	)


# A picture that is also a page: a valid PNG whose text chunk and tail are markup with script
POLYGLOT = png(4, 4, text=HTML) + HTML


def message(response) -> str:
	messages = json.loads(response.json().get("_server_messages") or "[]")
	return " ".join(json.loads(m)["message"] for m in messages)


class TestUploads(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.admin = make_user(f"admin@{DOMAIN}", "Property Duty Staff")
		make_property(PROPERTY, area_administrator=cls.admin)
		cls.unit = make_unit(PROPERTY)
		cls.resident = make_user(f"resident@{DOMAIN}", RESIDENT_ROLE, user_type="Website User")
		if not frappe.db.exists(RESIDENT, {"user": cls.resident}):
			frappe.get_doc(
				{
					"doctype": RESIDENT,
					"resident_name": "上传业主",
					"phone": "13588805001",
					"user": cls.resident,
					"units": [{"unit": cls.unit, "relation": "Owner"}],
				}
			).insert(ignore_permissions=True)
		cls.technician = make_user(f"technician@{DOMAIN}", TECHNICIAN)
		case = make_ticket(cls.unit, subject="上传测试")
		work_order = work_order_of(case.name)
		work_order.technician = cls.technician
		work_order.save(ignore_permissions=True)
		cls.work_order = work_order.name
		frappe.db.commit()
		cls.clear_limits()
		cls.http = login_session(BASE_URL, cls.resident, "/my_cases")
		cls.tech_http = login_session(BASE_URL, cls.technician, "/my_jobs")

	@classmethod
	def clear_limits(cls):
		frappe.cache.delete_keys("property_helpdesk:portal:")

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		update_site_config("property_helpdesk_portal_limits", "None")
		for name in frappe.get_all("File", {"owner": ("in", [cls.resident, cls.technician])}, pluck="name"):
			frappe.delete_doc("File", name, force=True, ignore_permissions=True)
		delete_cases(PROPERTY)
		for resident in frappe.get_all(RESIDENT, {"user": ("like", f"%@{DOMAIN}")}, pluck="name"):
			frappe.delete_doc(RESIDENT, resident, force=True, ignore_permissions=True)
		frappe.db.commit()
		cls.clear_limits()
		super().tearDownClass()

	def setUp(self):
		self.clear_limits()

	def cases(self) -> int:
		frappe.db.rollback()
		return frappe.db.count(CASE, {"property": PROPERTY})

	def files(self, **filters) -> int:
		frappe.db.rollback()
		return frappe.db.count("File", {"owner": ("in", [self.resident, self.technician]), **filters})

	def report(self, files, subject="上传的报修", session=None):
		data = {
			"ticket_type": "Repair",
			"unit": self.unit,
			"subject": subject,
			"description": "照片见附件。",
			"location": "Private Part",
		}
		return (session or self.http).post(f"{PORTAL}.report_case", data=data, files=files, timeout=120)

	def test_svg_and_html_with_script_are_refused_with_nothing_saved(self):
		"""Whatever the name and the browser's word: a picture is what its first bytes say."""
		cases, files = self.cases(), self.files()
		for name, content, mimetype in (
			("door.svg", SVG, "image/svg+xml"),
			("door.jpg", SVG, "image/jpeg"),
			("door.html", HTML, "text/html"),
			("door.png", HTML, "image/png"),
		):
			response = self.report([("photo", (name, content, mimetype))])
			self.assertEqual(response.status_code, 417, response.text)
			self.assertIn("JPEG", message(response))
			response = self.tech_http.post(
				f"{TECH}.add_photos",
				data={"work_order": self.work_order, "stage": "before"},
				files=[("photo", (name, content, mimetype))],
				timeout=60,
			)
			self.assertEqual(response.status_code, 417, response.text)
		# Frappe's own upload: a portal user may send only pictures and documents (frappe/handler.py)
		for name, content in (("x.svg", SVG), ("x.html", HTML)):
			response = self.http.post(
				f"{BASE_URL}/api/method/upload_file",
				files={"file": (name, content)},
				data={"is_private": 1},
				timeout=60,
			)
			self.assertEqual(response.status_code, 417, response.text)
		self.assertEqual((self.cases(), self.files()), (cases, files))

	def test_a_polyglot_is_kept_as_a_picture_and_served_only_as_one(self):
		"""A PNG that is also a page with script: kept under a picture's name, served as image/png (inline on
		the portal, never text/html), through the portal, the technician's phone and the private file URL."""
		response = self.report([("photo", ("page.html", POLYGLOT, "text/html"))], subject="多语种文件")
		self.assertEqual(response.status_code, 200, response.text)
		name = response.json()["message"]["name"]
		frappe.db.rollback()
		file_url = frappe.db.get_value(CASE, name, "photo")
		self.assertTrue(file_url.endswith(".png"), file_url)
		self.assertTrue(file_url.startswith("/private/files/"), file_url)
		served = self.http.get(f"{PORTAL}.photo", params={"ticket": name, "n": 0}, timeout=30)
		self.assertEqual(served.status_code, 200)
		self.assertEqual(served.headers["Content-Type"].split(";")[0], "image/png")
		self.assertEqual(served.content, POLYGLOT)
		direct = self.http.get(f"{BASE_URL}{file_url}", timeout=30)
		self.assertEqual(direct.status_code, 200)
		self.assertEqual(direct.headers["Content-Type"].split(";")[0], "image/png")
		# Frappe's own upload of a .png that is markup is stored under its .png name and served as a picture
		response = self.http.post(
			f"{BASE_URL}/api/method/upload_file",
			files={"file": ("note.png", POLYGLOT)},
			data={"is_private": 1},
			timeout=60,
		)
		self.assertEqual(response.status_code, 200, response.text)
		url = response.json()["message"]["file_url"]
		served = self.http.get(f"{BASE_URL}{url}", timeout=30)
		self.assertNotIn("html", served.headers["Content-Type"])

	def test_a_50_mb_photo_and_a_12_mb_photo_are_refused_with_nothing_saved(self):
		"""Frappe's request limit (max_file_size, 25 MB by default) refuses the 50 MB body before any code runs
		(HTTP 413); the portal's own limit refuses a photo over 10 MB with a translated message (417)."""
		cases, files = self.cases(), self.files()
		big = png(4, 4) + b"\x00" * (50 << 20)
		try:
			response = self.report([("photo", ("big.png", big, "image/png"))])
			self.assertEqual(response.status_code, 413)
		except (ConnectionError, OSError) as error:  # the server may close the socket while the body is sent
			self.assertIn("Connection", type(error).__name__ + str(error))
		response = self.report([("photo", ("twelve.png", png(4, 4) + b"\x00" * (12 << 20), "image/png"))])
		self.assertEqual(response.status_code, 417, response.text)
		self.assertIn("10 MB", message(response))
		self.assertEqual((self.cases(), self.files()), (cases, files))

	def test_a_thousand_photos_are_refused_with_nothing_saved(self):
		cases, files = self.cases(), self.files()
		small = png(1, 1)
		for count in (1000, 6):
			photos = [("photo", (f"p{n}.png", small, "image/png")) for n in range(count)]
			response = self.report(photos)
			self.assertIn(response.status_code, (413, 417), response.text[:300])
			response = self.tech_http.post(
				f"{TECH}.add_photos",
				data={"work_order": self.work_order, "stage": "after"},
				files=[("photo", (f"p{n}.png", small, "image/png")) for n in range(max(count, 11))],
				timeout=60,
			)
			self.assertIn(response.status_code, (413, 417), response.text[:300])
		self.assertEqual((self.cases(), self.files()), (cases, files))

	def test_one_resident_cannot_fill_the_disk(self):
		"""A daily quota of bytes per resident (site_config property_helpdesk_portal_limits.upload_bytes_per_day,
		100 MB by default), counted on every File their requests store — the report's photos and Frappe's own
		upload_file alike. Over it: HTTP 429 with a translated message, the report not saved at all."""
		update_site_config("property_helpdesk_portal_limits", {"upload_bytes_per_day": 300_000})
		try:
			photo = png(200, 200, noise=True)  # about 120 kB
			first = self.report([("photo", ("a.png", photo, "image/png"))])
			self.assertEqual(first.status_code, 200, first.text)
			cases, files = self.cases(), self.files()
			second = self.report(
				[("photo", (f"b{n}.png", png(200, 200, noise=True), "image/png")) for n in range(3)]
			)
			self.assertEqual(second.status_code, 429, second.text)
			self.assertIn("too many photos today", message(second))
			self.assertEqual((self.cases(), self.files()), (cases, files), "the refused report saved nothing")
			# the refused report's bytes were given back: one more photo of the size still goes in, then no more
			upload = self.http.post(
				f"{BASE_URL}/api/method/upload_file",
				files={"file": ("c.png", png(200, 200, noise=True))},
				data={"is_private": 1},
				timeout=60,
			)
			self.assertEqual(upload.status_code, 200, upload.text)
			upload = self.http.post(
				f"{BASE_URL}/api/method/upload_file",
				files={"file": ("d.png", png(200, 200, noise=True))},
				data={"is_private": 1},
				timeout=60,
			)
			self.assertEqual(upload.status_code, 429, upload.text)
			self.assertEqual(self.files(), files + 1)
			# staff are not counted: the technician's photos of the job go in
			response = self.tech_http.post(
				f"{TECH}.add_photos",
				data={"work_order": self.work_order, "stage": "before"},
				files=[("photo", ("t.png", png(300, 300, noise=True), "image/png"))],
				timeout=60,
			)
			self.assertEqual(response.status_code, 200, response.text)
		finally:
			update_site_config("property_helpdesk_portal_limits", "None")

	def test_the_quota_message_is_in_the_residents_language(self):
		update_site_config("property_helpdesk_portal_limits", {"upload_bytes_per_day": 1000})
		frappe.db.set_value("User", self.resident, "language", "zh")
		frappe.db.commit()
		try:
			response = self.report([("photo", ("a.png", png(100, 100, noise=True), "image/png"))])
			self.assertEqual(response.status_code, 429, response.text)
			expected = frappe._(
				"You have sent too many photos today. Please call the service hotline or try again tomorrow.",
				lang="zh",
			)
			self.assertEqual(message(response), expected)
		finally:
			update_site_config("property_helpdesk_portal_limits", "None")
			frappe.db.set_value("User", self.resident, "language", "en")
			frappe.db.commit()
