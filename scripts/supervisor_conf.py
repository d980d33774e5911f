"""Adapt the supervisor config that `bench setup supervisor` wrote for this bench (scripts/lib.sh supervisor_conf).

    python scripts/supervisor_conf.py CONFIG --site SITE --port PORT --app-scripts DIR

bench's template (bench/config/templates/supervisor.conf) assumes nginx in front: it runs gunicorn on
frappe.app:application, which serves neither /assets nor a site named by the port, and it runs the socket.io
server, which listens on every interface. Here gunicorn is the only door, on 127.0.0.1, so:

- the web program serves the site through scripts/loopback_wsgi.py (the site named as nginx would, /assets
  served) and is bound to 127.0.0.1:PORT;
- the socket.io program is dropped: without nginx's /socket.io proxy no browser reaches it, and it would listen
  on 0.0.0.0;
- every program writes its own log files (bench's template has the short and long workers share one, which
  supervisor cannot rotate safely), rotated by supervisor at LOG_MAXBYTES with LOG_BACKUPS kept;
- the scheduler restarts when it dies, as the workers and the web server do.

The rest (commands, queues, worker counts, stop timeouts, groups, Redis) is bench's. Idempotent: adapting an
adapted file changes nothing.
"""

import argparse
import configparser
import io
import os
import re

LOG_MAXBYTES = "20MB"
LOG_BACKUPS = "5"
HEADER = (
	"; Written by `bench setup supervisor`, adapted by scripts/supervisor_conf.py (see its docstring).\n"
	"; Regenerate with scripts/bootstrap.sh (or `source scripts/lib.sh && start_processes`); do not edit.\n\n"
)


def read(path: str) -> configparser.RawConfigParser:
	config = configparser.RawConfigParser(interpolation=None, strict=False)
	config.optionxform = str  # supervisor's keys are case-sensitive
	config.read(path)
	return config


def adapt(config: configparser.RawConfigParser, site: str, port: int, app_scripts: str) -> None:
	programs = [s for s in config.sections() if s.startswith("program:")]
	for section in programs:
		if section.endswith("-node-socketio"):
			config.remove_section(section)
			name = section.split(":", 1)[1]
			for group in [s for s in config.sections() if s.startswith("group:")]:
				members = [p for p in config.get(group, "programs").split(",") if p.strip() != name]
				config.set(group, "programs", ",".join(members))
			continue
		options = config[section]
		if section.endswith("-frappe-web"):
			command = re.sub(r"-b \S+", f"-b 127.0.0.1:{port}", options["command"])
			# no nginx in front: threaded workers, so a browser's idle pre-opened connections hold no worker
			if "--threads" not in command:
				command = command.replace(
					" -w ", " --worker-class gthread --threads 4 --keep-alive 75 -w ", 1
				)
			command = re.sub(
				r"(--pythonpath \S+ )?(frappe\.app|loopback_wsgi):application",
				f"--pythonpath {app_scripts} loopback_wsgi:application",
				command,
			)
			options["command"] = command
			options["environment"] = f'FRAPPE_SITE="{site}"'
		if section.endswith("-frappe-schedule"):
			options["autorestart"] = "true"
		logs = os.path.dirname(options["stdout_logfile"])
		base = section.split(":", 1)[1].split("-frappe-", 1)[-1].split("-redis-", 1)[-1]
		if "-redis-" in section:
			base = "redis-" + base
		if "numprocs" in options:
			base += "-%(process_num)d"
		options["stdout_logfile"] = os.path.join(logs, f"{base}.log")
		options["stderr_logfile"] = os.path.join(logs, f"{base}.error.log")
		for stream in ("stdout", "stderr"):
			options[f"{stream}_logfile_maxbytes"] = LOG_MAXBYTES
			options[f"{stream}_logfile_backups"] = LOG_BACKUPS


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("config")
	parser.add_argument("--site", required=True)
	parser.add_argument("--port", type=int, required=True)
	parser.add_argument("--app-scripts", required=True)
	args = parser.parse_args()
	config = read(args.config)
	adapt(config, args.site, args.port, args.app_scripts)
	out = io.StringIO()
	config.write(out)
	tmp = args.config + ".tmp"
	with open(tmp, "w") as f:
		f.write(HEADER + out.getvalue())
	os.replace(tmp, args.config)


if __name__ == "__main__":
	main()
