"""The company's repair and complaint procedure as plain Python.

Nothing in this package imports Frappe: every rule is a function over plain values so that it can be
read side by side with REQUIREMENTS.md and unit-tested in milliseconds. DocType controllers call these
functions; they never re-implement them.
"""
