"""RSS of the stack's processes over the run: every gunicorn worker (the children of the master whose pid file
is given) and every RQ worker, sampled every few seconds into a CSV (time, role, pid, rss_mb) until killed;
and the machine's CPU use (role "cpu", percent of all cores) between samples.

    python benchmarks/load/monitor.py --gunicorn-pid FILE --worker-pids FILE... --out CSV [--every 5]
"""

import argparse
import csv
import time

import psutil


def processes(gunicorn_pidfile: str, worker_pidfiles: list[str]) -> list[tuple[str, psutil.Process]]:
	found = []
	try:
		master = psutil.Process(int(open(gunicorn_pidfile).read().strip()))
		found += [("gunicorn worker", child) for child in master.children()]
	except (OSError, ValueError, psutil.Error):
		pass
	for path in worker_pidfiles:
		try:
			found.append(("rq worker", psutil.Process(int(open(path).read().strip()))))
		except (OSError, ValueError, psutil.Error):
			pass
	return found


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--gunicorn-pid", required=True)
	parser.add_argument("--worker-pids", nargs="+", default=[])
	parser.add_argument("--out", required=True)
	parser.add_argument("--every", type=float, default=5)
	args = parser.parse_args()
	with open(args.out, "w", newline="") as f:
		out = csv.writer(f)
		out.writerow(["time", "role", "pid", "rss_mb"])
		psutil.cpu_percent()  # the first call starts the count
		while True:
			stamp = time.time()
			# the machine's CPU in use since the last sample, all cores (in the rss column: one file, one format)
			out.writerow([f"{stamp:.0f}", "cpu", 0, f"{psutil.cpu_percent():.1f}"])
			for role, proc in processes(args.gunicorn_pid, args.worker_pids):
				try:
					out.writerow([f"{stamp:.0f}", role, proc.pid, f"{proc.memory_info().rss / 2**20:.1f}"])
				except psutil.Error:
					pass
			f.flush()
			time.sleep(args.every)


if __name__ == "__main__":
	main()
