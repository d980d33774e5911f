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
# bench names the supervisor programs after the bench's folder (bench.utils.get_bench_name).
BENCH_NAME="$(basename "$BENCH_DIR")"
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

# Debian's mysqld_safe sends MariaDB's own log to syslog, which these machines do not run: a server that stopped
# left no word of why. Its errors go to /var/log/mysql/error.log instead (docs/operations.md, Faults).
mariadb_error_log() {
	local safe=/etc/mysql/mariadb.conf.d/50-mysqld_safe.cnf
	if [ -f "$safe" ] && grep -q '^skip_log_error' "$safe"; then
		sed -i 's/^skip_log_error/# skip_log_error  (property_helpdesk scripts\/lib.sh: no syslog here)/; s/^syslog$/# syslog/' "$safe"
	fi
	[ -f /etc/mysql/mariadb.conf.d/98-log.cnf ] || printf '[mysqld]\nlog_error = /var/log/mysql/error.log\n' \
		>/etc/mysql/mariadb.conf.d/98-log.cnf
	mkdir -p /var/log/mysql
	chown mysql:mysql /var/log/mysql 2>/dev/null || true
}

start_mariadb() {
	mariadb_config
	mariadb_error_log
	if ! mariadb-admin ping >/dev/null 2>&1; then
		say "Starting MariaDB"
		service mariadb start >/dev/null || die "MariaDB did not start"
	fi
	# Root keeps its unix-socket login and gains the password Frappe's site commands use over TCP.
	mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('${DB_ROOT_PASSWORD}') OR unix_socket;" \
		|| die "Could not set the MariaDB root password"
}

start_redis() {
	# Under supervisor where command 1 put it there and supervisord runs (see start_processes); by hand otherwise
	# (CI, or a bench whose supervisord is not running).
	if supervisor_running && supervisorctl status "$BENCH_NAME-redis:" >/dev/null 2>&1; then :
	elif supervisor_running && supervisorctl avail 2>/dev/null | grep -q "^$BENCH_NAME-redis"; then
		say "Starting Redis under supervisor"
		supervisorctl start "$BENCH_NAME-redis:" >/dev/null || true
	fi
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
	# Not supervised (it lives as long as a test or benchmark run): its log is rotated here, one copy kept.
	# Threaded workers: with no nginx in front, a browser's idle pre-opened connections would each hold a sync
	# worker until its timeout, and a desk page's parallel requests would wait behind them. Idle connections are
	# kept 75 s (nginx's default) rather than gunicorn's 2 s: a client reusing one just as the server closed it
	# got "connection closed without response" (seen in the attack test's run of thousands of calls).
	local log="$BENCH_DIR/logs/web-$port.log"
	[ "$(stat -c %s "$log" 2>/dev/null || echo 0)" -lt 20971520 ] || mv -f "$log" "$log.1"
	(cd "$BENCH_DIR/sites" && FRAPPE_SITE="$site" "$BENCH_DIR/env/bin/gunicorn" -b "127.0.0.1:$port" -w 2 -t 120 \
		--worker-class gthread --threads 4 --keep-alive 75 \
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

# new_site SITE [new-site options…]: Frappe's `bench new-site` for a site that is paused from its first byte. Its
# site_config.json is written before Frappe installs anything, with the database name Frappe would choose
# (installer._new_site) and `pause_scheduler` set, so a bench scheduler running on this machine (the demo's)
# skips the site in every tick while it is being made and after (frappe.utils.scheduler.is_scheduler_inactive).
# Frappe keeps a site_config.json it finds (installer.make_site_config); `--force` only lets new-site use the
# folder that holds it, and drops a database of that name left by an earlier attempt that failed. Whoever wants
# the site's scheduler running says so afterwards: `bench --site SITE scheduler resume` (the demo does).
new_site() {
	local site="$1" dir="$BENCH_DIR/sites/$1"
	shift
	mkdir -p "$dir"
	bench_python - "$dir" <<'PY'
import hashlib, json, os, secrets, sys

site_dir = sys.argv[1]
name = "_" + hashlib.sha1(os.path.realpath(site_dir).encode(), usedforsecurity=False).hexdigest()[:16]
conf = {"db_name": name, "db_password": secrets.token_hex(8), "db_type": "mariadb", "pause_scheduler": 1}
tmp = os.path.join(site_dir, ".site_config.json.tmp")
with open(tmp, "w") as f:
	json.dump(conf, f, indent=1, sort_keys=True)
os.replace(tmp, os.path.join(site_dir, "site_config.json"))  # whole, or not there
PY
	if ! bench new-site "$site" --force --db-root-username root --db-root-password "$DB_ROOT_PASSWORD" \
		--admin-password "$ADMIN_PASSWORD" "$@"; then
		rm -rf "${dir:?}"  # the folder made just now: the next run starts again
		die "bench new-site $site failed"
	fi
}

# make_site SITE [new-site options…]: a site with ERPNext set up for the company and this app installed. A new
# site is born with its scheduler paused (new_site).
make_site() {
	local site="$1"
	shift
	if [ ! -f "$BENCH_DIR/sites/$site/site_config.json" ]; then
		say "Creating site $site with ERPNext (its scheduler paused from the start)"
		new_site "$site" --install-app erpnext "$@"
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

# ---- Production processes: supervisor, configured from bench's own `bench setup supervisor` -----------------
# systemd would do as well (`bench setup systemd`), but needs systemd as PID 1, which containers rarely have;
# Debian's supervisor package runs under either (systemd's supervisor.service, or /etc/init.d/supervisor).

supervisor_running() {
	command -v supervisorctl >/dev/null && supervisorctl pid 2>/dev/null | grep -qE '^[0-9]+$'
}

# supervisor_conf [OUT]: $BENCH_DIR/config/supervisor.conf as `bench setup supervisor` writes it, adapted by
# scripts/supervisor_conf.py (gunicorn on 127.0.0.1:$WEB_PORT serving $SITE and /assets, no socket.io server,
# one log file per process, rotated). Prints the file's path. With OUT, the result goes to OUT and the bench's
# own file is left as it was (for a look, or a test).
supervisor_conf() {
	local out="${1:-}" conf="$BENCH_DIR/config/supervisor.conf" saved=""
	command -v supervisorctl >/dev/null || die "supervisor is not installed: apt-get install supervisor"
	if [ -n "$out" ] && [ -f "$conf" ]; then
		saved=$(mktemp)
		cp -p "$conf" "$saved"
	fi
	bench setup supervisor --yes --skip-supervisord --user "$(id -un)" >/dev/null
	bench_python "$REPO_DIR/scripts/supervisor_conf.py" "$conf" \
		--site "$SITE" --port "$WEB_PORT" --app-scripts "$BENCH_DIR/apps/$APP/scripts" \
		|| die "Could not adapt $conf"
	if [ -n "$out" ]; then
		mv "$conf" "$out"
		[ -z "$saved" ] || mv "$saved" "$conf"
		echo "$out"
	else
		echo "$conf"
	fi
}

# stop_pid_tree PIDFILE: the process in PIDFILE and every process below it (the worker and scheduler of
# earlier versions of this script were started through a wrapper shell whose pid is what their files hold).
stop_pid_tree() {
	local pidfile="$1" pid
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		local tree=("$pid") i=0
		while [ "$i" -lt "${#tree[@]}" ]; do
			tree+=($(ps -o pid= --ppid "${tree[$i]}" || true))
			i=$((i + 1))
		done
		kill "${tree[@]}" 2>/dev/null || true
		for _ in $(seq 1 30); do kill -0 "${tree[@]}" 2>/dev/null || break; sleep 1; done
		kill -9 "${tree[@]}" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}

# redis_handover: a bench Redis started by hand (start_redis, before supervisor ran) is shut down (the queue's
# saves its data first, as its config says) so that supervisor's copy can bind its port.
redis_handover() {
	local conf program port pid managed
	for conf in redis_cache redis_queue; do
		[ -f "$BENCH_DIR/config/$conf.conf" ] || continue
		program="$BENCH_NAME-redis:$BENCH_NAME-${conf/_/-}"
		port=$(awk '/^port/ {print $2}' "$BENCH_DIR/config/$conf.conf")
		pid=$(redis-cli -p "$port" info server 2>/dev/null | awk -F: '/^process_id/ {print $2}' | tr -d '\r')
		[ -n "$pid" ] || continue
		managed=$(supervisorctl pid "$program" 2>/dev/null || true)
		if [ "$pid" != "$managed" ]; then
			say "Handing Redis on 127.0.0.1:$port (pid $pid, started by hand) over to supervisor"
			redis-cli -p "$port" shutdown >/dev/null 2>&1 || true
			for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
		fi
	done
}

# start_processes: Redis, gunicorn, the RQ workers and the scheduler of the bench under supervisor, one copy each,
# restarted with the code now on disk. Safe to run again: after a reboot, a crash or an upgrade.
start_processes() {
	local conf link
	conf=$(supervisor_conf)
	mkdir -p /etc/supervisor/conf.d "$BENCH_DIR/logs"
	# Where bench's `setup production` puts it.
	link="/etc/supervisor/conf.d/$BENCH_NAME.conf"
	[ "$(readlink "$link" 2>/dev/null)" = "$conf" ] || ln -sfn "$conf" "$link"
	if ! supervisor_running; then
		# A supervisord still stopping (its programs' stopwaitsecs) is let finish first.
		local old
		old=$(cat /var/run/supervisord.pid 2>/dev/null || true)
		for _ in $(seq 1 120); do [ -n "$old" ] && kill -0 "$old" 2>/dev/null || break; sleep 1; done
		say "Starting supervisor"
		service supervisor start >/dev/null || die "supervisor did not start"
		for _ in $(seq 1 30); do supervisor_running && break; sleep 1; done
		supervisor_running || die "supervisor did not answer; see /var/log/supervisor/supervisord.log"
	fi
	# What earlier versions of this script started by hand, before supervisor.
	stop_pid_tree "$BENCH_DIR/config/pids/worker.pid"
	stop_pid_tree "$BENCH_DIR/config/pids/scheduler.pid"
	stop_web "$WEB_PORT"
	redis_handover
	supervisorctl reread >/dev/null
	supervisorctl update >/dev/null
	supervisorctl start "$BENCH_NAME-redis:" >/dev/null || true
	say "Restarting web server, workers and scheduler under supervisor"
	supervisorctl restart "$BENCH_NAME-web:" "$BENCH_NAME-workers:" >/dev/null \
		|| die "supervisor could not restart them: supervisorctl status; logs in $BENCH_DIR/logs"
	for _ in $(seq 1 60); do
		curl -fs -o /dev/null "http://127.0.0.1:$WEB_PORT/api/method/ping" && break
		sleep 1
	done
	curl -fs -o /dev/null "http://127.0.0.1:$WEB_PORT/api/method/ping" \
		|| die "The web server on port $WEB_PORT did not answer; see $BENCH_DIR/logs/web.error.log"
	supervisorctl status
}

# ---- A MariaDB replica for reads (reports, lists, the portal's read pages): docs/operations.md "## Replica" -----
# A second MariaDB server on 127.0.0.1:$REPLICA_PORT with its own data directory under $REPLICA_DIR, replicating
# one site's database from the bench's MariaDB by GTID. It outlives the run that started it, as MariaDB does.
: "${REPLICA_PORT:=3307}"
: "${REPLICA_DIR:=$BENCH_DIR/mariadb-replica}"
REPLICA_USER=helpdesk_replication
export REPLICA_PORT REPLICA_DIR

replica_sql() { mariadb --socket="$REPLICA_DIR/mysqld.sock" -uroot "$@"; }

# primary_binlog: the bench's MariaDB writes the binary log a replica reads. log_bin and server_id are read at
# start-up only: the file is written once and MariaDB restarted once (the restart a test may do anyway).
primary_binlog() {
	local cnf=/etc/mysql/mariadb.conf.d/99-property-helpdesk-replication.cnf
	cat > "$cnf" <<'CNF'
[mysqld]
server_id = 1
log_bin = mariadb-bin
binlog_format = MIXED
binlog_expire_logs_seconds = 10800
max_binlog_size = 256M
CNF
	if [ "$(mariadb -uroot -N -e 'SELECT @@log_bin')" = 1 ]; then
		mariadb -uroot -e 'SET GLOBAL binlog_expire_logs_seconds = 10800'  # read at start-up by a restart, too
		return 0
	fi
	say "Restarting MariaDB once with its binary log on, for the replica"
	service mariadb restart >/dev/null || die "MariaDB did not restart"
	for _ in $(seq 1 60); do mariadb-admin ping >/dev/null 2>&1 && break; sleep 1; done
	[ "$(mariadb -uroot -N -e 'SELECT @@log_bin')" = 1 ] || die "MariaDB has no binary log; see $cnf"
}

# replica_state DB: "ok" when the replica holds DB and replicates it without error, else why it must be seeded.
replica_state() {
	local db="$1" status
	[ "$(cat "$REPLICA_DIR/seeded-db" 2>/dev/null)" = "$db" ] || { echo "it holds another site"; return; }
	[ -n "$(replica_sql -N -e "SHOW DATABASES LIKE '$db'")" ] || { echo "it has no $db"; return; }
	status=$(replica_sql -e 'SHOW SLAVE STATUS\G')
	[ -n "$status" ] || { echo "it does not replicate"; return; }
	# 1236: the primary no longer has the binary log the replica stopped at (purged after two days)
	if ! grep -q 'Last_SQL_Errno: 0$' <<<"$status" || grep -q 'Last_IO_Errno: 1236$' <<<"$status"; then
		echo "its replication failed: $(grep -E 'Last_(SQL|IO)_Error:' <<<"$status" | tr -s ' ' | tr '\n' ' ')"
		return
	fi
	echo ok
}

# seed_replica DB: DB copied from the primary in one consistent snapshot with its GTID position (mariadb-dump
# --single-transaction --gtid --master-data), then replicated from that position on.
seed_replica() {
	local db="$1" password old
	[ -s "$REPLICA_DIR/replication.password" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$REPLICA_DIR/replication.password")
	password=$(cat "$REPLICA_DIR/replication.password")
	mariadb -uroot <<SQL || die "Could not make the replication user on the primary"
CREATE USER IF NOT EXISTS '$REPLICA_USER'@'127.0.0.1' IDENTIFIED BY '$password';
ALTER USER '$REPLICA_USER'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT REPLICATION SLAVE ON *.* TO '$REPLICA_USER'@'127.0.0.1';
SQL
	old=$(cat "$REPLICA_DIR/seeded-db" 2>/dev/null || true)
	# the running server's filter too, not only my.cnf's: a replica started for another site kept replicating that
	# site's database alone (set while replication is stopped)
	replica_sql -e "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL replicate_wild_do_table = '$db.%';" \
		|| die "Could not stop the replica's replication"
	for name in $old $db; do replica_sql -e "DROP DATABASE IF EXISTS \`$name\`"; done
	rm -f "$REPLICA_DIR/seeded-db"
	mariadb-dump -uroot --single-transaction --gtid --master-data=1 --databases "$db" | replica_sql \
		|| die "Could not copy $db to the replica"
	replica_sql <<SQL || die "Could not start the replica's replication"
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=3306, MASTER_USER='$REPLICA_USER',
	MASTER_PASSWORD='$password', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
START SLAVE;
SQL
	echo "$db" >"$REPLICA_DIR/seeded-db"
}

# start_replica SITE: the replica running and replicating SITE's database, SITE's database user on it with SELECT
# only, and SITE's config naming it (replica_host, replica_db_port; Frappe reads from it where `read_from_replica`
# is set). Safe to run again: a running replica is left running; one that fell behind the primary's binary log,
# or holds another site, is seeded afresh.
start_replica() {
	local site="$1" db password state
	db=$(bench_python -c "import json, sys; print(json.load(open(sys.argv[1]))['db_name'])" "$BENCH_DIR/sites/$site/site_config.json")
	password=$(bench_python -c "import json, sys; print(json.load(open(sys.argv[1]))['db_password'])" "$BENCH_DIR/sites/$site/site_config.json")
	primary_binlog
	mkdir -p "$REPLICA_DIR"
	cat >"$REPLICA_DIR/my.cnf" <<CNF
[mysqld]
datadir = $REPLICA_DIR/data
socket = $REPLICA_DIR/mysqld.sock
pid-file = $REPLICA_DIR/mysqld.pid
log-error = $REPLICA_DIR/mysqld.err
relay-log = $REPLICA_DIR/relay-bin
port = $REPLICA_PORT
bind-address = 127.0.0.1
skip-name-resolve
server_id = 2
read_only = ON
replicate_wild_do_table = $db.%
character-set-client-handshake = FALSE
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb_buffer_pool_size = 512M
innodb_flush_log_at_trx_commit = 2
CNF
	if [ ! -d "$REPLICA_DIR/data/mysql" ]; then
		say "Making the replica's data directory ($REPLICA_DIR/data)"
		mariadb-install-db --defaults-file="$REPLICA_DIR/my.cnf" --user=root --auth-root-authentication-method=socket \
			--skip-test-db >"$REPLICA_DIR/install.log" 2>&1 || die "mariadb-install-db failed; see $REPLICA_DIR/install.log"
	fi
	if ! replica_sql -e 'SELECT 1' >/dev/null 2>&1; then
		say "Starting the MariaDB replica on 127.0.0.1:$REPLICA_PORT"
		(setsid mariadbd --defaults-file="$REPLICA_DIR/my.cnf" --user=root </dev/null >>"$REPLICA_DIR/mysqld.err" 2>&1 &)
		for _ in $(seq 1 60); do replica_sql -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
		replica_sql -e 'SELECT 1' >/dev/null 2>&1 || die "The replica did not start; see $REPLICA_DIR/mysqld.err"
	fi
	state=$(replica_state "$db")
	# a replica that missed a migrate's DDL (seen: a column the primary has and the replica had not) is seeded again
	local columns="SELECT COUNT(*), SUM(CRC32(CONCAT(table_name, '.', column_name))) FROM information_schema.columns WHERE table_schema = '$db'"
	if [ "$state" = ok ] && [ "$(mariadb -uroot -N -e "$columns")" != "$(replica_sql -N -e "$columns")" ]; then
		state="its tables differ from the primary's"
	fi
	if [ "$state" = ok ] && [ "$(replica_sql -N -e 'SELECT @@replicate_wild_do_table')" != "$db.%" ]; then
		state="it replicates another database"
	fi
	if [ "$state" != ok ]; then
		say "Seeding the replica with $site's database ($state)"
		seed_replica "$db"
	fi
	# Frappe connects to the replica as the site's own user (different_credentials_for_replica unset): SELECT only.
	local host
	for host in 127.0.0.1 localhost; do
		replica_sql <<SQL || die "Could not give $site's user its reads on the replica"
CREATE USER IF NOT EXISTS '$db'@'$host' IDENTIFIED BY '$password';
ALTER USER '$db'@'$host' IDENTIFIED BY '$password';
GRANT SELECT ON \`$db\`.* TO '$db'@'$host';
SQL
	done
	bench --site "$site" set-config replica_host 127.0.0.1 >/dev/null
	bench --site "$site" set-config -p replica_db_port "$REPLICA_PORT" >/dev/null
	# caught up with everything the primary has written so far (a minute at most)
	local pos
	pos=$(mariadb -uroot -N -e 'SELECT @@gtid_binlog_pos')
	[ "$(replica_sql -N -e "SELECT MASTER_GTID_WAIT('$pos', 60)")" = 0 ] \
		|| die "The replica did not catch up with the primary; see SHOW SLAVE STATUS on $REPLICA_DIR/mysqld.sock"
	# The binary logs the replica has read are dropped: the bench's other sites write gigabytes an hour into them
	# while a benchmark loads its data, and a replica that misses one is seeded again in seconds.
	local file
	file=$(replica_sql -e 'SHOW SLAVE STATUS\G' | awk '/ Master_Log_File:/ {print $2}')
	[ -z "$file" ] || mariadb -uroot -e "PURGE BINARY LOGS TO '$file'"
}
