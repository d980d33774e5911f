"""The load test's table, from a run folder of benchmarks/load/run.sh: locust's per-request statistics, the
workers' RSS at the start and end (monitor.py), and the escalation job's lateness from the site's Scheduled Job
Log (each minute of the run against the first run of the job that started in or after it). Printed, and
written to RESULTS.md with the machine, the date and the command.

    python benchmarks/load/report.py --site SITE --dir RUN_DIR --started T --finished T --command CMD --results MD
"""

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import frappe

JOB = "escalation.run_job"
PAIRS = ("create", "open", "save", "list", "list count")


def stats(run_dir: str) -> dict[str, dict]:
	rows = {}
	with open(os.path.join(run_dir, "locust_stats.csv")) as f:
		for row in csv.DictReader(f):
			if not int(row["Request Count"]):
				continue  # nothing of it after the stats were reset (e.g. every sign-in before): locust says N/A
			rows[row["Name"]] = {
				"requests": int(row["Request Count"]),
				"errors": int(row["Failure Count"]),
				"rps": float(row["Requests/s"]),
				"median": float(row["50%"] or 0),
				"p95": float(row["95%"] or 0),
			}
	return rows


def failures(run_dir: str) -> list[tuple[str, str, int]]:
	path = os.path.join(run_dir, "locust_failures.csv")
	if not os.path.exists(path):
		return []
	with open(path) as f:
		return [(r["Name"], r["Error"][:160], int(r["Occurrences"])) for r in csv.DictReader(f)]


def rss(run_dir: str) -> list[tuple[str, int, float, float, float]]:
	samples = defaultdict(list)
	with open(os.path.join(run_dir, "rss.csv")) as f:
		for row in csv.DictReader(f):
			samples[(row["role"], int(row["pid"]))].append((int(row["time"]), float(row["rss_mb"])))
	out = []
	for (role, pid), values in sorted(samples.items()):
		if role == "cpu":
			continue
		values.sort()
		out.append((role, pid, values[0][1], values[-1][1], max(v for _t, v in values)))
	return out


def cpu(run_dir: str, started: datetime, finished: datetime) -> tuple[float, float] | None:
	"""The machine's CPU use over the measured run (percent of both cores): mean and highest sample."""
	with open(os.path.join(run_dir, "rss.csv")) as f:
		values = [
			float(r["rss_mb"])
			for r in csv.DictReader(f)
			if r["role"] == "cpu" and started.timestamp() <= int(r["time"]) <= finished.timestamp()
		]
	return (statistics.mean(values), max(values)) if values else None


def lateness(started: datetime, finished: datetime) -> dict:
	logs = frappe.db.sql(
		"""select l.creation, l.modified, l.status from `tabScheduled Job Log` l
		join `tabScheduled Job Type` t on t.name = l.scheduled_job_type
		where t.method like %s and l.creation >= %s and l.creation < %s order by l.creation""",
		(f"%{JOB}", started - timedelta(minutes=1), finished + timedelta(minutes=2)),
		as_dict=True,
	)
	# each whole minute of the run: the first run that started in it (Frappe's scheduler ticks once a minute
	# and enqueues the job then; a worker starts it) and how long after the minute's start; none = missed
	minute = started.replace(second=0, microsecond=0) + timedelta(minutes=1)
	late, missed, minutes = [], 0, 0
	while minute + timedelta(minutes=1) <= finished:
		minutes += 1
		first = next((log for log in logs if minute <= log.creation < minute + timedelta(minutes=1)), None)
		if first is None:
			missed += 1
		else:
			late.append((first.creation - minute).total_seconds())
		minute += timedelta(minutes=1)
	runs = [log for log in logs if started <= log.creation < finished]
	return {
		"minutes": minutes,
		"runs": len(runs),
		"failed": sum(1 for log in runs if log.status == "Failed"),
		"missed": missed,
		"late_median": statistics.median(late) if late else None,
		"late_max": max(late) if late else None,
		"duration_median": statistics.median([(r.modified - r.creation).total_seconds() for r in runs])
		if runs
		else None,
		"duration_max": max((r.modified - r.creation).total_seconds() for r in runs) if runs else None,
	}


def machine() -> str:
	cpu = next(
		(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
		"?",
	)
	mem = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))) / 2**20
	pool = frappe.db.sql("select @@innodb_buffer_pool_size")[0][0] / 2**30
	version = frappe.db.sql("select version()")[0][0]
	return (
		f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GB RAM, {platform.system()} {platform.release()}; "
		f"MariaDB {version} (innodb_buffer_pool_size {pool:.0f} GB), Python {platform.python_version()}"
	)


def fmt(v, digits=0):
	return "–" if v is None else f"{v:,.{digits}f}"


def render(args, s, fails, mem, late, load) -> str:
	count = lambda doctype: frappe.db.sql(f"select count(*) from `tab{doctype}`")[0][0]  # noqa: E731
	lines = [
		"# Load test results (issue #15)",
		"",
		f"- Date: {args.started} – {args.finished} UTC",
		f"- Machine: {machine()}",
		f"- Site: {args.site}: {count('Service Ticket'):,} cases, {count('Repair Work Order'):,} work orders, "
		f"{count('Resident'):,} residents, {count('Issue'):,} ERPNext Issues (one default Service Level "
		"Agreement); counts at the end of the run",
		f"- Stack: gunicorn {args.web_workers} workers × 4 threads (gthread) on 127.0.0.1, one short and one "
		"long RQ worker, the scheduler (this site only), two Redis servers, MariaDB; all on this one machine, "
		"with locust",
		f"- Command: `{args.command}`",
		"",
		"## Per action",
		"",
		"| action | requests | req/s | median ms | p95 ms | errors |",
		"|---|---:|---:|---:|---:|---:|",
	]
	for name, r in sorted(s.items(), key=lambda kv: (kv[0] == "Aggregated", kv[0])):
		lines.append(
			f"| {name} | {r['requests']:,} | {r['rps']:.2f} | {r['median']:.0f} | {r['p95']:.0f} | {r['errors']} |"
		)
	lines += [
		"",
		f"## Ours (Service Ticket, {os.environ.get('LOAD_AGENTS', 40)} duty staff) against ERPNext's Issue with "
		f"its SLA ({os.environ.get('LOAD_SUPPORTS', 40)} Support Team users), same run",
		"",
		"| work | ours: requests | ours: req/s | ours: median ms | ours: p95 ms | ours: errors "
		"| Issue: requests | Issue: req/s | Issue: median ms | Issue: p95 ms | Issue: errors | median, ours ÷ Issue |",
		"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
	]
	for work in PAIRS:
		o, p = s.get(f"ours: {work}"), s.get(f"peer: {work}")
		cell = lambda r: (  # noqa: E731
			f"{r['requests']:,} | {r['rps']:.2f} | {r['median']:.0f} | {r['p95']:.0f} | {r['errors']}"
			if r
			else "– | – | – | – | –"
		)
		ratio = f"{o['median'] / p['median']:.2f}" if o and p and p["median"] else "–"
		lines.append(f"| {work} | {cell(o)} | {cell(p)} | {ratio} |")
	lines += [
		"",
		f"CPU in use over the run (the whole machine: stack, MariaDB, Redis and locust): mean "
		f"{fmt(load and load[0])} %, highest sample {fmt(load and load[1])} %",
		"",
		"## Memory (RSS, MB)",
		"",
		"| process | pid | at start | at end | highest |",
		"|---|---:|---:|---:|---:|",
		*[f"| {role} | {pid} | {a:.0f} | {b:.0f} | {m:.0f} |" for role, pid, a, b, m in mem],
		"",
		"## The escalation job (every minute, Frappe's scheduler)",
		"",
		f"- Minutes of the run: {late['minutes']}; runs started: {late['runs']}; failed: {late['failed']}; "
		f"minutes with no run: {late['missed']}",
		f"- Lateness (the run's start in Scheduled Job Log against the minute it was due): median "
		f"{fmt(late['late_median'])} s, highest {fmt(late['late_max'])} s",
		f"- Duration of a run: median {fmt(late['duration_median'], 2)} s, highest {fmt(late['duration_max'], 2)} s",
	]
	if fails:
		lines += ["", "## Errors", "", "| request | error | count |", "|---|---|---:|"]
		lines += [f"| {n} | {e.replace('|', '/')} | {c} |" for n, e, c in fails]
	return "\n".join(lines) + "\n"


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", required=True)
	parser.add_argument("--dir", required=True)
	parser.add_argument("--started", required=True)
	parser.add_argument("--finished", required=True)
	parser.add_argument("--command", required=True)
	parser.add_argument("--web-workers", default="4")
	parser.add_argument("--results", required=True)
	args = parser.parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	started, finished = (datetime.strptime(t, "%Y-%m-%d %H:%M:%S") for t in (args.started, args.finished))
	# the site's times are in its own time zone, the run's in UTC
	offset = frappe.utils.now_datetime() - datetime.utcnow()
	offset = timedelta(minutes=round(offset.total_seconds() / 60))
	utc = {"tzinfo": timezone.utc}
	text = render(
		args,
		stats(args.dir),
		failures(args.dir),
		rss(args.dir),
		lateness(started + offset, finished + offset),
		cpu(args.dir, started.replace(**utc), finished.replace(**utc)),
	)
	print(text)
	with open(args.results, "w") as f:
		f.write(text)
	with open(os.path.join(args.dir, "RESULTS.md"), "w") as f:
		f.write(text)
	frappe.destroy()


if __name__ == "__main__":
	main()
