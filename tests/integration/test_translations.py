"""Every user-visible string is translatable and translated into Simplified Chinese."""

from babel.messages.pofile import read_po
from frappe.tests.utils import FrappeTestCase

from property_helpdesk.dev.translations import LOCALE_DIR, extract_messages, untranslated


class TestChineseTranslation(FrappeTestCase):
	def test_every_message_of_the_app_has_a_chinese_translation(self):
		with open(LOCALE_DIR / "zh.po", "rb") as f:
			po = read_po(f, locale="zh")
		pot = extract_messages()
		self.assertGreater(len(pot), 200)
		self.assertEqual(untranslated(po, pot), [])

	def test_translations_are_served(self):
		import frappe

		self.assertEqual(frappe._("Service Ticket", lang="zh"), "报修投诉单")
		self.assertEqual(frappe._("Developer Defect", lang="zh"), "开发商遗留质量问题")

	def test_the_desk_outside_the_app_keeps_frappe_s_and_erpnext_s_words(self):
		"""Translations are merged app by app and ours come last: a word both use (From, To, Description,
		Completed…) would change everywhere in the desk. Only these keep the property-management sense."""
		import frappe
		from frappe.translate import get_translation_dict_from_file

		ours_on_purpose = {"Property", "Owner", "Open", "Visit", "Major"}
		with open(LOCALE_DIR / "zh.po", "rb") as f:
			ours = {m.id: m.string for m in read_po(f, locale="zh") if m.id}
		theirs = {}
		with open(frappe.get_app_path("frappe", "locale", "zh.po"), "rb") as f:
			for m in read_po(f, locale="zh"):
				if m.id and m.string:
					theirs.setdefault(m.id, m.string)
		# ERPNext 15 ships machine-made CSV translations; of those, the names of its DocTypes, which its own
		# screens show, stay as they are (but 销售发票 is the accountants' own word, the CSV has 销售费用清单).
		erpnext_doctypes = set(
			frappe.get_all("DocType", {"module": ("in", frappe.get_module_list("erpnext"))}, pluck="name")
		)
		csv_path = frappe.get_app_path("erpnext", "translations", "zh.csv")
		for key, text in get_translation_dict_from_file(csv_path, "zh", "erpnext").items():
			if key in erpnext_doctypes and key != "Sales Invoice":
				theirs.setdefault(key, text)
		self.assertIn("Item", theirs)
		changed = sorted(
			key
			for key, text in ours.items()
			if key in theirs and theirs[key] != text and key not in ours_on_purpose
		)
		self.assertEqual(changed, [])
