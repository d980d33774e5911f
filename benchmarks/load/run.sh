#!/usr/bin/env bash
# benchmarks/load/run.sh [--data-only | --skip-data] [--cases N] [--run-time 4m] [--spawn-rate 20]
# (or `benchmarks/run.sh load …`): the load test of issue #15 on $BENCH_SITE (default bench.helpdesk.local).
#
# 1. Data (benchmarks/load/data.py): a million cases and a million ERPNext Issues, loaded once (idempotent).
# 2. The stack, as Frappe's production setup runs it (the programs of `bench setup supervisor`, see
#    $BENCH_DIR/config/supervisor.conf and scripts/supervisor_conf.py): gunicorn on 127.0.0.1:$LOAD_WEB_PORT with
#    $LOAD_WEB_WORKERS threaded workers, a short and a long RQ worker (`bench worker`), the scheduler
#    (`bench schedule`), two Redis servers and MariaDB. They run from a sites folder of their own
#    ($LOAD_STACK_DIR/sites: this site only, its files linked to the bench's, its own Redis ports), so that the
#    scheduler runs for this site alone and the workers take this site's jobs alone: the bench's site keeps
#    `pause_scheduler` (a bench scheduler elsewhere on the machine skips it) and the other sites' queues are
#    never touched. Everything started here is stopped at the end, by its own pid.
# 3. Locust, headless on 127.0.0.1, bounded in time and count (benchmarks/load/locustfile.py), while
#    benchmarks/load/monitor.py samples the workers' RSS; then benchmarks/load/report.py prints the table and
#    writes benchmarks/load/RESULTS.md.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
SITE_NAME="${BENCH_SITE:-bench.helpdesk.local}"
PORT="${LOAD_WEB_PORT:-8030}"
WEB_WORKERS="${LOAD_WEB_WORKERS:-4}"
STACK="${LOAD_STACK_DIR:-$BENCH_DIR/load-stack}"
QUEUE_PORT="${LOAD_REDIS_QUEUE_PORT:-11030}"
CACHE_PORT="${LOAD_REDIS_CACHE_PORT:-13030}"
SMTP_PORT="${LOAD_SMTP_PORT:-2530}"
CASES=1000000
RUN_TIME=5m
SPAWN_RATE=5
DATA=1
RUN=1
SETUP=1
BACKUP=""
while [ $# -gt 0 ]; do
	case "$1" in
		--data-only) RUN="" ;;
		--skip-data) DATA="" ;;
		--backup-only) DATA="" RUN="" BACKUP=1 ;;  # time `bench backup` and the restore of its dump
		--skip-setup) SETUP="" ;;  # the site made and migrated already, the app linked (a second run)
		--cases) CASES="$2"; shift ;;
		--run-time) RUN_TIME="$2"; shift ;;
		--spawn-rate) SPAWN_RATE="$2"; shift ;;
		*) die "unknown argument $1" ;;
	esac
	shift
done
HERE="$REPO_DIR/benchmarks/load"
PY="$BENCH_DIR/env/bin/python"
OUT="$STACK/run-$(date -u +%Y%m%dT%H%M%S)"

start_mariadb
if [ -n "$SETUP" ]; then
	start_redis
	link_app "$REPO_DIR"
	# shellcheck disable=SC2046 # one argument per requirement of the "bench" extra
	"$BENCH_DIR/env/bin/pip" install -q $(cd / && "$PY" -c "import tomllib; print(' '.join(tomllib.load(open('$REPO_DIR/pyproject.toml', 'rb'))['project']['optional-dependencies']['bench']))")
	make_site "$SITE_NAME" >/dev/null
	# The bench's own schedulers never run this site: only the stack below does, while it runs.
	bench --site "$SITE_NAME" set-config -p pause_scheduler 1 >/dev/null
	# 540 people sign in within a minute
	bench --site "$SITE_NAME" set-config -p throttle_user_limit 1000 >/dev/null
fi
# Every process of the stack runs this checkout's code, whatever the bench's app link points at meanwhile.
export PYTHONPATH="$REPO_DIR${PYTHONPATH:+:$PYTHONPATH}"

if [ -n "$DATA" ]; then
	say "Loading the data on $SITE_NAME (idempotent)"
	(cd "$BENCH_DIR/sites" && "$PY" "$HERE/data.py" --site "$SITE_NAME" --cases "$CASES")
fi

# -- backup and restore: `bench backup` of the site, then its dump loaded into a scratch database (what
# `bench restore` does with it: gunzip | mariadb), each timed; the scratch database is dropped after
if [ -n "$BACKUP" ]; then
	mkdir -p "$STACK/backup"
	rm -f "$STACK/backup/"*
	t0=$(date +%s)
	bench --site "$SITE_NAME" backup --backup-path "$STACK/backup" >/dev/null
	t1=$(date +%s)
	dump=$(ls "$STACK/backup/"*-database.sql.gz)
	size=$(du -m "$dump" | cut -f1)
	say "bench backup: $((t1 - t0)) s, a ${size} MB gzipped dump"  # said at once: a failure later keeps it
	probe=load_restore_probe
	mariadb -e "drop database if exists $probe; create database $probe character set utf8mb4 collate utf8mb4_unicode_ci"
	t2=$(date +%s)
	gunzip -c "$dump" | mariadb "$probe"
	t3=$(date +%s)
	say "restore of the dump: $((t3 - t2)) s"
	restored=$(mariadb -N "$probe" -e 'select count(*) from `tabService Ticket`')
	issues=$(mariadb -N "$probe" -e 'select count(*) from `tabIssue`')
	mariadb -e "drop database $probe"
	dbsize=$(mariadb -N -e "select round(sum(data_length + index_length) / 1048576) from information_schema.tables where table_schema = '$(cd "$BENCH_DIR/sites" && "$PY" -c "import json; print(json.load(open('$SITE_NAME/site_config.json'))['db_name'])")'")
	text=$(printf '\n## Backup and restore (%s UTC)\n\n- Database on disk: %s MB (data and indexes)\n- `bench --site %s backup`: %s s, a %s MB gzipped dump\n- Restore of that dump (gunzip | mariadb into an empty database, what `bench restore` runs): %s s;\n  %s cases and %s Issues back\n' \
		"$(date -u '+%Y-%m-%d %H:%M')" "$dbsize" "$SITE_NAME" "$((t1 - t0))" "$size" "$((t3 - t2))" "$restored" "$issues")
	echo "$text"
	printf '%s\n' "$text" >>"$HERE/RESULTS.md"
	rm -f "$STACK/backup/"*
fi
[ -n "$RUN" ] || exit 0

# -- the stack's own sites folder and Redis ----------------------------------------------------------------
mkdir -p "$STACK/sites/$SITE_NAME" "$STACK/pids" "$STACK/logs" "$STACK/config" "$OUT"
for f in apps.txt apps.json assets; do ln -sfn "$BENCH_DIR/sites/$f" "$STACK/sites/$f"; done
for f in "$BENCH_DIR/sites/$SITE_NAME"/*; do
	[ "$(basename "$f")" = site_config.json ] || ln -sfn "$f" "$STACK/sites/$SITE_NAME/$(basename "$f")"
done
"$PY" - "$BENCH_DIR/sites" "$STACK/sites" "$SITE_NAME" "$QUEUE_PORT" "$CACHE_PORT" <<'PY'
import json, sys
src, dst, site, queue, cache = sys.argv[1:]
common = json.load(open(f"{src}/common_site_config.json"))
common.update(redis_queue=f"redis://127.0.0.1:{queue}", redis_cache=f"redis://127.0.0.1:{cache}",
	redis_socketio=f"redis://127.0.0.1:{cache}", default_site=site)
json.dump(common, open(f"{dst}/common_site_config.json", "w"), indent=1)
conf = json.load(open(f"{src}/{site}/site_config.json"))
conf.pop("pause_scheduler", None)  # this copy is the one the stack's scheduler reads
json.dump(conf, open(f"{dst}/{site}/site_config.json", "w"), indent=1)
PY

pids=()
cleanup() {
	set +e
	[ -f "$STACK/pids/monitor.pid" ] && kill "$(cat "$STACK/pids/monitor.pid")" 2>/dev/null
	for name in schedule worker-short worker-long; do stop_pid_tree "$STACK/pids/$name.pid"; done
	stop_pid_tree "$STACK/pids/web.pid"
	for r in queue cache; do
		[ -f "$STACK/pids/redis-$r.pid" ] && kill "$(cat "$STACK/pids/redis-$r.pid")" 2>/dev/null
	done
	[ -f "$STACK/pids/smtp.pid" ] && kill "$(cat "$STACK/pids/smtp.pid")" 2>/dev/null
	rm -f "$STACK/pids/"*.pid
}
trap cleanup EXIT
say "Starting Redis (queue 127.0.0.1:$QUEUE_PORT, cache 127.0.0.1:$CACHE_PORT) for the stack"
redis-server --port "$QUEUE_PORT" --bind 127.0.0.1 --dir "$STACK/pids" --dbfilename queue.rdb --save "" \
	--appendonly no --pidfile "$STACK/pids/redis-queue.pid" --daemonize yes >/dev/null
# as the bench's redis_cache.conf: an LRU cache of 1.2 GB, no persistence
redis-server --port "$CACHE_PORT" --bind 127.0.0.1 --dir "$STACK/pids" --save "" --appendonly no \
	--maxmemory 1205mb --maxmemory-policy allkeys-lru --pidfile "$STACK/pids/redis-cache.pid" --daemonize yes >/dev/null
for p in "$QUEUE_PORT" "$CACHE_PORT"; do
	for _ in $(seq 1 20); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.5; done
done

say "Starting the stack's SMTP server on 127.0.0.1:$SMTP_PORT (it takes every mail and keeps none)"
"$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Sink </dev/null >"$OUT/smtp.log" 2>&1 &
echo $! >"$STACK/pids/smtp.pid"
for _ in $(seq 1 20); do (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null && break; sleep 0.5; done
(cd "$STACK/sites" && "$PY" "$HERE/mail.py" --site "$SITE_NAME" --port "$SMTP_PORT")

say "Starting gunicorn ($WEB_WORKERS workers × 4 threads) on http://127.0.0.1:$PORT, RQ workers and the scheduler"
# bench's supervisor program, adapted as scripts/supervisor_conf.py adapts it (threaded, loopback, /assets)
(cd "$STACK/sites" && FRAPPE_SITE="$SITE_NAME" "$BENCH_DIR/env/bin/gunicorn" -b "127.0.0.1:$PORT" \
	--worker-class gthread --threads 4 -w "$WEB_WORKERS" --max-requests 5000 --max-requests-jitter 500 -t 120 \
	--graceful-timeout 30 --pythonpath "$REPO_DIR/scripts" loopback_wsgi:application --preload \
	--pid "$STACK/pids/web.pid" --daemon --error-logfile "$OUT/web.error.log" </dev/null >>"$OUT/web.log" 2>&1)
# `bench worker` and `bench schedule` are `python -m frappe.utils.bench_helper frappe …` run in the sites folder
frappe_cmd() {
	local name="$1"
	shift
	(cd "$STACK/sites" && exec nohup "$PY" -m frappe.utils.bench_helper frappe "$@" </dev/null >"$OUT/$name.log" 2>&1) &
	echo $! >"$STACK/pids/$name.pid"
}
frappe_cmd worker-short worker --queue short,default
frappe_cmd worker-long worker --queue long,default,short
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/method/ping" && break; sleep 1; done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/method/ping" || die "gunicorn did not answer; see $OUT/web.error.log"

say "Writing the fixture"
(cd "$STACK/sites" && "$PY" "$HERE/fixture.py" --site "$SITE_NAME" --out "$OUT/fixture.json")

# The scheduler first catches up with the jobs that fell due while the site was paused (daily, weekly, …):
# given two minutes and the queues' drain before the measured run starts.
frappe_cmd schedule schedule
say "Letting the scheduler catch up (its first ticks, then the queues drain)"
sleep 70
for _ in $(seq 1 90); do
	n=$(redis-cli -p "$QUEUE_PORT" --no-raw eval "local n=0 for _,k in ipairs(redis.call('keys','rq:queue:*')) do n=n+redis.call('llen',k) end return n" 0 | tr -dc 0-9)
	[ "${n:-0}" = 0 ] && break
	sleep 2
done

"$PY" "$HERE/monitor.py" --gunicorn-pid "$STACK/pids/web.pid" \
	--worker-pids "$STACK/pids/worker-short.pid" "$STACK/pids/worker-long.pid" --out "$OUT/rss.csv" &
echo $! >"$STACK/pids/monitor.pid"
sleep 6  # the first sample: RSS at the start
started=$(date -u '+%Y-%m-%d %H:%M:%S')
# 40 agents, 40 support agents, 500 residents, 40 technicians unless told otherwise
users=$(( ${LOAD_AGENTS:-40} + ${LOAD_SUPPORTS:-40} + ${LOAD_RESIDENTS:-500} + ${LOAD_TECHNICIANS:-40} ))
command=("$BENCH_DIR/env/bin/locust" -f "$HERE/locustfile.py" --headless --host "http://127.0.0.1:$PORT" -u "$users" \
	-r "$SPAWN_RATE" --run-time "$RUN_TIME" --reset-stats --stop-timeout 10 --csv "$OUT/locust" --only-summary)
say "Running: ${command[*]}"
set +e
LOAD_FIXTURE="$OUT/fixture.json" "${command[@]}" >"$OUT/locust.log" 2>&1
locust_status=$?
set -e
finished=$(date -u '+%Y-%m-%d %H:%M:%S')
sleep 6  # the last sample: RSS at the end
kill "$(cat "$STACK/pids/monitor.pid")" 2>/dev/null || true
tail -5 "$OUT/locust.log"

(cd "$STACK/sites" && "$PY" "$HERE/report.py" --site "$SITE_NAME" --dir "$OUT" --started "$started" \
	--finished "$finished" --command "benchmarks/run.sh load $(printf '%q ' "${command[@]:1}")" \
	--web-workers "$WEB_WORKERS" --results "$HERE/RESULTS.md")
say "Run folder: $OUT"
exit $locust_status
