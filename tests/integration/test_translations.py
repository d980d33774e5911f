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
