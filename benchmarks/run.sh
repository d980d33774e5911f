#!/usr/bin/env bash
# benchmarks/run.sh NAME [args…]: run benchmarks/NAME.py against the test site, served on 127.0.0.1
# (`benchmarks/run.sh load …`: benchmarks/load/run.sh).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
name="$1"
shift
# the load test runs a production stack of its own (gunicorn, RQ workers, scheduler, Redis) and locust
if [ "$name" = load ]; then exec "$(dirname "$0")/load/run.sh" "$@"; fi
start_mariadb
start_redis
link_app "$REPO_DIR"
stop_web "$TEST_WEB_PORT"
start_web "$TEST_SITE" "$TEST_WEB_PORT"
trap 'stop_web "$TEST_WEB_PORT"' EXIT
if [ "$name" = import ]; then
	# 50,000 imported rows: on a site of its own, never the test or demo site
	BENCH_SITE="${BENCH_SITE:-import.helpdesk.local}"
	make_site "$BENCH_SITE" >/dev/null
	export BENCH_SITE
fi
if [ "$name" = portal ] || [ "$name" = reports ]; then
	# a million cases: on a benchmark-only site, never the test or demo site; the portal benchmark empties its
	# site's cases for its 1,000-case phase, so it has a site of its own
	if [ "$name" = portal ]; then BENCH_SITE="${BENCH_SITE:-portal.helpdesk.local}"; fi
	BENCH_SITE="${BENCH_SITE:-bench.helpdesk.local}"
	BENCH_WEB_PORT="${BENCH_WEB_PORT:-8002}"
	make_site "$BENCH_SITE" >/dev/null
	stop_web "$BENCH_WEB_PORT"
	start_web "$BENCH_SITE" "$BENCH_WEB_PORT"
	trap 'stop_web "$TEST_WEB_PORT"; stop_web "$BENCH_WEB_PORT"' EXIT
	export BENCH_SITE BENCH_BASE_URL="http://127.0.0.1:$BENCH_WEB_PORT"
fi
cd "$BENCH_DIR/sites"
TEST_SITE="$TEST_SITE" TEST_BASE_URL="http://127.0.0.1:$TEST_WEB_PORT" "$BENCH_DIR/env/bin/python" "$REPO_DIR/benchmarks/$name.py" "$@"
