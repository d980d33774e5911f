#!/usr/bin/env bash
# README command 1: from a bare Debian machine to a running Property Helpdesk demo site on 127.0.0.1.
#
#   scripts/bootstrap.sh
#
# Installs MariaDB, Redis and the build tools from Debian, the bench CLI from PyPI, makes a Frappe v15 bench
# with ERPNext v15 in $BENCH_DIR, creates the demo site with ERPNext set up for a demo company, installs this
# app and its demo data, runs web server, workers and scheduler under supervisor the way Frappe's production
# setup does (`bench setup supervisor`; gunicorn on 127.0.0.1 only), and prints the URL and the logins.
# Running it again does no harm: every step checks what is already there, and the processes are restarted with
# the code now on disk, one copy each (after a reboot, a crash or an upgrade: run it again).
#
# Sources follow bench's own options and can point at mirrors or local clones:
#   FRAPPE_REPO   (default https://github.com/frappe/frappe)   FRAPPE_BRANCH  (default version-15)
#   ERPNEXT_REPO  (default https://github.com/frappe/erpnext)  ERPNEXT_BRANCH (default version-15)
# Frappe's own git dependencies (gunicorn, pypika, air-datepicker) follow git's url.<base>.insteadOf.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

: "${FRAPPE_REPO:=https://github.com/frappe/frappe}"
: "${FRAPPE_BRANCH:=version-15}"
: "${ERPNEXT_REPO:=https://github.com/frappe/erpnext}"
: "${ERPNEXT_BRANCH:=version-15}"

install_system_packages() {
	local wanted=(mariadb-server mariadb-client libmariadb-dev pkg-config redis-server python3-dev
		build-essential git curl cron supervisor wkhtmltopdf fonts-noto-cjk chromium nodejs npm)
	local missing=()
	for pkg in "${wanted[@]}"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
	done
	# A machine that already has Node.js from elsewhere keeps it.
	if command -v node >/dev/null && command -v npm >/dev/null; then
		missing=("${missing[@]/nodejs/}")
		missing=("${missing[@]/npm/}")
	fi
	missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
	if [ "${#missing[@]}" -gt 0 ]; then
		say "Installing Debian packages: ${missing[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
	command -v yarn >/dev/null || { say "Installing yarn"; npm install -g yarn >/dev/null; }
}

install_bench_cli() {
	[ -x "$BENCH_CLI_DIR/bin/bench" ] && return 0
	say "Installing the bench CLI (frappe-bench from PyPI) in $BENCH_CLI_DIR"
	"$PYTHON" -m venv "$BENCH_CLI_DIR"
	"$BENCH_CLI_DIR/bin/pip" install -q frappe-bench
}

make_bench() {
	if [ ! -d "$BENCH_DIR/apps/frappe" ]; then
		say "Making the bench in $BENCH_DIR (Frappe from $FRAPPE_REPO, $FRAPPE_BRANCH)"
		rm -rf "$BENCH_DIR"
		# bench only runs as root from a bench whose config names root as its user; init runs from a scratch
		# directory that says so, and the new bench's config says so below.
		local scratch
		scratch=$(mktemp -d)
		mkdir -p "$scratch/sites"
		printf '{"frappe_user": "%s"}\n' "$(id -un)" >"$scratch/sites/common_site_config.json"
		(cd "$scratch" && "$BENCH_CLI_DIR/bin/bench" init "$BENCH_DIR" \
			--frappe-path "$FRAPPE_REPO" --frappe-branch "$FRAPPE_BRANCH" --python "$(command -v "$PYTHON")" \
			--no-backups --no-procfile --skip-redis-config-generation)
		rm -rf "$scratch"
	fi
	# bench refuses to run as root unless the bench says root is its user.
	bench_python - <<PY
import json, os
path = os.path.join("$BENCH_DIR", "sites", "common_site_config.json")
conf = json.load(open(path)) if os.path.exists(path) else {}
conf["frappe_user"] = "$(id -un)"
conf.setdefault("webserver_port", int("$WEB_PORT"))
json.dump(conf, open(path, "w"), indent=1)
PY
	[ -f "$BENCH_DIR/config/redis_cache.conf" ] || bench setup redis
	start_redis
	if [ ! -d "$BENCH_DIR/apps/erpnext" ]; then
		say "Getting ERPNext from $ERPNEXT_REPO ($ERPNEXT_BRANCH)"
		bench get-app --branch "$ERPNEXT_BRANCH" "$ERPNEXT_REPO"
	fi
	link_app "$REPO_DIR"
}

main() {
	[ "$(id -u)" = 0 ] || die "Run as root (it installs Debian packages and starts services)."
	install_system_packages
	install_bench_cli
	start_mariadb
	make_bench
	make_site "$SITE" --set-default
	bench --site "$SITE" set-config host_name "http://127.0.0.1:$WEB_PORT"
	say "Loading demo data"
	bench --site "$SITE" execute property_helpdesk.setup.demo.load >/dev/null
	# The site was born with its scheduler paused (make_site): it runs from now on, its data loaded.
	bench --site "$SITE" scheduler resume
	bench --site "$SITE" enable-scheduler
	start_processes
	bench --site "$SITE" execute property_helpdesk.setup.demo.print_logins
}

main "$@"
