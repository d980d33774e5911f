# Shared settings and service control for bootstrap.sh and test.sh. Source it; do not run it.
# Every setting can be overridden from the environment.

: "${BENCH_DIR:=$HOME/frappe-bench}"
: "${SITE:=helpdesk.local}"
: "${TEST_SITE:=test.helpdesk.local}"
: "${LIFECYCLE_SITE:=lifecycle.helpdesk.local}"
: "${ADMIN_PASSWORD:=admin}"
: "${DB_ROOT_PASSWORD:=property-helpdesk-root}"
: "${WEB_PORT:=8000}"
: "${TEST_WEB_PORT:=8001}"
: "${PYTHON:=python3}"
: "${BENCH_CLI_DIR:=$HOME/.local/share/frappe-bench-cli}"
APP=property_helpdesk
# bench calls uv, which comes with it in its own virtualenv.
export PATH="$BENCH_CLI_DIR/bin:$PATH"
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BENCH_CLI_DIR BENCH_DIR SITE TEST_SITE ADMIN_PASSWORD DB_ROOT_PASSWORD WEB_PORT TEST_WEB_PORT REPO_DIR

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m!!! %s\033[0m\n' "$*" >&2; }
die() { printf '\033[1;31mxxx %s\033[0m\n' "$*" >&2; exit 1; }

bench() { (cd "$BENCH_DIR" && "$BENCH_CLI_DIR/bin/bench" "$@"); }
bench_python() { "$BENCH_DIR/env/bin/python" "$@"; }

mariadb_config() {
	local cnf=/etc/mysql/mariadb.conf.d/99-property-helpdesk.cnf
	[ -f "$cnf" ] && return 0
	say "Configuring MariaDB for Frappe (utf8mb4, loopback only)"
	cat > "$cnf" <<'CNF'
[mysqld]
bind-address = 127.0.0.1
character-set-client-handshake = FALSE
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb_buffer_pool_size = 2G
innodb_flush_log_at_trx_commit = 2

[mysql]
default-character-set = utf8mb4
CNF
}

start_mariadb() {
	mariadb_config
	if ! mariadb-admin ping >/dev/null 2>&1; then
		say "Starting MariaDB"
		service mariadb start >/dev/null || die "MariaDB did not start"
	fi
	# Root keeps its unix-socket login and gains the password Frappe's site commands use over TCP.
	mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('${DB_ROOT_PASSWORD}') OR unix_socket;" \
		|| die "Could not set the MariaDB root password"
}

start_redis() {
	local conf
	for conf in redis_cache redis_queue; do
		[ -f "$BENCH_DIR/config/$conf.conf" ] || continue
		local port
		port=$(awk '/^port/ {print $2}' "$BENCH_DIR/config/$conf.conf")
		if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
			say "Starting Redis ($conf on 127.0.0.1:$port)"
			(cd "$BENCH_DIR/config" && redis-server "$conf.conf" --bind 127.0.0.1 --daemonize yes >/dev/null)
		fi
	done
}

# start_web SITE PORT: gunicorn on 127.0.0.1:PORT serving SITE and /assets, through scripts/loopback_wsgi.py
# (which names the site as nginx would).
start_web() {
	local site="$1" port="$2" pidfile="$BENCH_DIR/config/pids/web-$2.pid"
	mkdir -p "$BENCH_DIR/config/pids" "$BENCH_DIR/logs"
	if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
	say "Starting the web server for $site on http://127.0.0.1:$port"
	(cd "$BENCH_DIR/sites" && FRAPPE_SITE="$site" "$BENCH_DIR/env/bin/gunicorn" -b "127.0.0.1:$port" -w 2 -t 120 \
		--pid "$pidfile" --daemon --error-logfile "$BENCH_DIR/logs/web-$port.log" \
		--pythonpath "$REPO_DIR/scripts" 'loopback_wsgi:application' </dev/null >>"$BENCH_DIR/logs/web-$port.log" 2>&1)
	for _ in $(seq 1 60); do
		curl -fs -o /dev/null "http://127.0.0.1:$port/api/method/ping" && return 0
		sleep 1
	done
	die "The web server on port $port did not answer; see $BENCH_DIR/logs/web-$port.log"
}

stop_web() {
	local pidfile="$BENCH_DIR/config/pids/web-$1.pid"
	[ -f "$pidfile" ] || return 0
	kill "$(cat "$pidfile")" 2>/dev/null || true
	rm -f "$pidfile"
}

# start_daemon NAME COMMAND…: a bench process in the background with a pid file.
start_daemon() {
	local name="$1" pidfile="$BENCH_DIR/config/pids/$1.pid"
	shift
	mkdir -p "$BENCH_DIR/config/pids" "$BENCH_DIR/logs"
	if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
	say "Starting $name"
	(cd "$BENCH_DIR" && nohup "$@" </dev/null >"$BENCH_DIR/logs/$name.log" 2>&1 & echo $! >"$pidfile")
}

stop_daemon() {
	local pidfile="$BENCH_DIR/config/pids/$1.pid"
	[ -f "$pidfile" ] || return 0
	kill "$(cat "$pidfile")" 2>/dev/null || true
	rm -f "$pidfile"
}

# link_app DIR: make DIR the property_helpdesk app of the bench (code, assets, Python path).
link_app() {
	local dir="$1"
	if [ "$(readlink -f "$BENCH_DIR/apps/$APP")" != "$(readlink -f "$dir")" ]; then
		say "Linking $dir as the bench's $APP app"
		rm -rf "${BENCH_DIR:?}/apps/$APP"
		ln -s "$dir" "$BENCH_DIR/apps/$APP"
	fi
	# The editable install points the bench's Python at apps/property_helpdesk, i.e. at $dir.
	if ! (cd / && bench_python -c "import $APP, os, sys; sys.exit(not os.path.realpath($APP.__file__).startswith(os.path.realpath('$dir')))") 2>/dev/null; then
		"$BENCH_DIR/env/bin/pip" install -q --no-deps -e "$BENCH_DIR/apps/$APP" || die "pip could not install $APP"
	fi
	# The app's own requirements (pyproject's dependencies; the test extras when the tests run).
	local requirements
	requirements=$(cd / && "$BENCH_DIR/env/bin/python" -c "import sys, tomllib; p = tomllib.load(open('$dir/pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + (p['optional-dependencies']['test'] if '${WITH_TEST_EXTRAS:-}' else [])))")
	[ -z "$requirements" ] || "$BENCH_DIR/env/bin/pip" install -q $requirements || die "pip could not install $APP's requirements"
	grep -qx "$APP" "$BENCH_DIR/sites/apps.txt" || printf '\n%s' "$APP" >>"$BENCH_DIR/sites/apps.txt"
	sed -i '/^$/d' "$BENCH_DIR/sites/apps.txt"
	# Assets are served from sites/assets/<app> → apps/<app>/<app>/public.
	mkdir -p "$BENCH_DIR/sites/assets"
	ln -sfn "$BENCH_DIR/apps/$APP/$APP/public" "$BENCH_DIR/sites/assets/$APP"
	# Frappe reads translations from compiled .mo files under sites/assets/locale.
	bench compile-po-to-mo --app "$APP" --force >/dev/null  # whatever checkout compiled last
}

# make_site SITE [new-site options…]: a site with ERPNext set up for the company and this app installed.
make_site() {
	local site="$1"
	shift
	if [ ! -f "$BENCH_DIR/sites/$site/site_config.json" ]; then
		say "Creating site $site with ERPNext"
		bench new-site "$site" --db-root-username root --db-root-password "$DB_ROOT_PASSWORD" \
			--admin-password "$ADMIN_PASSWORD" --install-app erpnext "$@"
	fi
	if ! grep -qx "$APP" <(bench --site "$site" list-apps 2>/dev/null | awk '{print $1}'); then
		say "Installing $APP on $site"
		bench --site "$site" install-app "$APP"
	fi
	say "Completing ERPNext's setup for the demo company"
	bench --site "$site" execute property_helpdesk.setup.company.complete_erpnext_setup
	say "Migrating $site"
	bench --site "$site" migrate
	# Frappe makes a site's encryption key on first use and writes it to site_config.json: made here, before
	# the web server's workers, the RQ workers and the tests each make one of their own and overwrite the others.
	bench --site "$site" execute frappe.utils.password.get_encryption_key >/dev/null
}
