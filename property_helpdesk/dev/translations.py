"""Keep the Simplified Chinese translation complete.

    cd ~/frappe-bench/sites && ../env/bin/python -m property_helpdesk.dev.translations

extracts every translatable string of the app with Frappe's own extractors, rewrites locale/main.pot, merges new
strings into locale/zh.po (empty, for a translator to fill) and lists what is untranslated. The test
tests/integration/test_translations.py fails while anything is.
"""

import importlib
from pathlib import Path

import frappe
import frappe.gettext.extractors.navbar as navbar_extractor
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po
from frappe.gettext.translate import DEFAULT_KEYWORDS, get_method_map

APP = "property_helpdesk"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

# Strings that reach _() through a variable or from a print format's JSON, which no extractor sees.
EXTRA_MESSAGES = ("Service Request Record", "Complaint Record")


def workflow_messages() -> list[str]:
	"""States and actions of the app's workflows, shown translated on the workflow buttons and badges."""
	from property_helpdesk.setup.workflows import definitions

	out = []
	for definition in definitions():
		out += [s["state"] for s in definition["states"]] + [t["action"] for t in definition["transitions"]]
	return out


def procedure_messages() -> list[str]:
	from property_helpdesk.procedure import liability

	return [value for name, value in vars(liability).items() if name.startswith("REASON_")]


def extract_messages() -> Catalog:
	app_path = Path(frappe.get_pymodule_path(APP)).resolve().parent

	# The navbar extractor imports hooks.py by its path relative to the bench, which is wrong for an app
	# linked into the bench from a checkout elsewhere (any depth); import it by its package path instead.
	def get_module(path):
		rel_path = Path(path).resolve().relative_to(app_path).with_suffix("")
		return importlib.import_module(".".join(rel_path.parts))

	navbar_extractor.get_module = get_module
	keywords = DEFAULT_KEYWORDS.copy()
	keywords["_lt"] = None
	method_map = get_method_map(APP) + get_method_map("frappe")
	catalog = Catalog(project="Property Helpdesk")

	def directory_filter(dirpath) -> bool:
		name = Path(dirpath).name
		return not (name.startswith((".", "_")) or name in ("node_modules", "tests", "benchmarks", "env"))

	for filename, lineno, message, comments, context in extract_from_dir(
		str(app_path / APP), method_map, directory_filter=directory_filter, keywords=keywords
	):
		if message:
			catalog.add(message, locations=[(filename, lineno)], auto_comments=comments, context=context)
	for message in (*EXTRA_MESSAGES, *procedure_messages(), *workflow_messages()):
		catalog.add(message)
	return catalog


def untranslated(po: Catalog, pot: Catalog) -> list[str]:
	return sorted(
		m.id for m in pot if m.id and not (po.get(m.id, m.context) and po.get(m.id, m.context).string)
	)


def update() -> list[str]:
	pot = extract_messages()
	with open(LOCALE_DIR / "main.pot", "wb") as f:
		write_po(f, pot, width=110)
	with open(LOCALE_DIR / "zh.po", "rb") as f:
		po = read_po(f, locale="zh")
	po.update(pot, no_fuzzy_matching=True)
	with open(LOCALE_DIR / "zh.po", "wb") as f:
		write_po(f, po, width=110, ignore_obsolete=True)
	return untranslated(po, pot)


if __name__ == "__main__":
	import os

	frappe.init(site=os.environ.get("SITE", "helpdesk.local"), sites_path=".")
	missing = update()
	print(f"{len(missing)} untranslated" + (":\n  " + "\n  ".join(missing) if missing else ""))
