#!/usr/bin/env bash
# README command 2: the whole suite under pytest.
#
#   scripts/test.sh [--screenshots] [pytest arguments…]
#
# With a bench at $BENCH_DIR (made by scripts/bootstrap.sh): starts MariaDB and Redis, points the bench's
# property_helpdesk app at THIS checkout, creates the test site $TEST_SITE if missing, migrates it to this
# checkout's DocTypes, serves it on 127.0.0.1:$TEST_WEB_PORT for the HTTP and browser tests, and runs unit,
# integration and browser tests with the bench's Python.
# Without a bench: runs the unit tests only and says loudly what it skipped.
#
# It leaves the checkout as it found it: the browser tests' screenshots go to $SCREENSHOTS_DIR (default
# $BENCH_DIR/test-screenshots, outside version control, printed at the end); `--screenshots` (or
# SCREENSHOTS=docs) writes them to docs/screenshots instead, to be committed. A run that changed
# docs/screenshots without being asked to fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"

args=()
for arg in "$@"; do
	if [ "$arg" = "--screenshots" ]; then SCREENSHOTS=docs; else args+=("$arg"); fi
done
set -- ${args[@]+"${args[@]}"}
if [ "${SCREENSHOTS:-}" = docs ]; then
	SCREENSHOTS_DIR="$REPO_DIR/docs/screenshots"
else
	: "${SCREENSHOTS_DIR:=$BENCH_DIR/test-screenshots}"
fi
export SCREENSHOTS_DIR
# What git says of docs/screenshots before the run, to compare with after it.
screenshots_status() { git -C "$REPO_DIR" status --porcelain -- docs/screenshots 2>/dev/null || true; }
screenshots_before=$(screenshots_status)
export SCREENSHOTS_GIT_BEFORE="$screenshots_before"

if [ ! -x "$BENCH_DIR/env/bin/python" ] || [ ! -d "$BENCH_DIR/apps/frappe" ]; then
	warn "NO BENCH at $BENCH_DIR: integration and browser tests will be SKIPPED (run scripts/bootstrap.sh first)."
	"$PYTHON" -m pip install -q pytest >/dev/null 2>&1 || true
	set +e
	"$PYTHON" -m pytest "$@"
	status=$?
	set -e
	warn "SKIPPED: every integration and browser test (no bench at $BENCH_DIR). Only unit tests ran."
	exit $status
fi

start_mariadb
start_redis
WITH_TEST_EXTRAS=1 link_app "$REPO_DIR"
"$BENCH_DIR/env/bin/pip" install -q pytest playwright requests pypdf >/dev/null

make_site "$TEST_SITE"
# A second site on which the lifecycle test uninstalls and reinstalls the app.
make_site "$LIFECYCLE_SITE" >/dev/null
bench --site "$TEST_SITE" set-config allow_tests true >/dev/null
# The suite makes a user per role and scenario, well over Frappe's 60 new users an hour on a fresh site.
bench --site "$TEST_SITE" set-config -p throttle_user_limit 1000 >/dev/null
bench --site "$TEST_SITE" set-config host_name "http://127.0.0.1:$TEST_WEB_PORT" >/dev/null
# The tests run the scheduled jobs themselves, at the moments they choose: a bench scheduler running on this
# machine (the demo's) must not run them on the test sites behind the tests' backs. A site made by make_site is
# paused from its first byte (new_site); this keeps a site made before that paused too.
for site in "$TEST_SITE" "$LIFECYCLE_SITE"; do
	bench --site "$site" set-config -p pause_scheduler 1 >/dev/null
done

# A MariaDB replica of the test site's database on 127.0.0.1:$REPLICA_PORT, named in the site's config for
# tests/integration/test_replica.py, which turns read_from_replica on for its own run (docs/operations.md "## Replica")
start_replica "$TEST_SITE"

# The bench's own RQ workers and scheduler (command 1's, under supervisor) serve every site's queue: they would
# take the test sites' jobs, which the tests hand to workers of their own (tests/integration/workers.py), and
# run them with whatever code they loaded. Stopped for the run, started again after it.
demo_workers=""
if supervisor_running && { supervisorctl status "$BENCH_NAME-workers:" 2>/dev/null || true; } | grep -q RUNNING; then
	say "Stopping the bench's supervised workers and scheduler for the run"
	supervisorctl stop "$BENCH_NAME-workers:" >/dev/null
	demo_workers=1
fi
# The fault tests restart the queue's Redis by hand (tests/integration/test_faults.py): it is handed back to
# supervisor after the run too, so that supervisor's copy, not an orphan, serves the demo afterwards.
after_run() {
	stop_web "$TEST_WEB_PORT"
	[ -n "$demo_workers" ] || return 0
	redis_handover
	supervisorctl start "$BENCH_NAME-redis:" "$BENCH_NAME-workers:" >/dev/null || true
}
trap after_run EXIT

# The test site's web server must run this checkout's code: always start it afresh.
stop_web "$TEST_WEB_PORT"
start_web "$TEST_SITE" "$TEST_WEB_PORT"

export TEST_SITE LIFECYCLE_SITE BENCH_DIR TEST_BASE_URL="http://127.0.0.1:$TEST_WEB_PORT"
set +e
"$BENCH_DIR/env/bin/python" -m pytest "$@"
status=$?
set -e
if [ "${SCREENSHOTS:-}" != docs ] && [ "$(screenshots_status)" != "$screenshots_before" ]; then
	warn "The run changed docs/screenshots without --screenshots:"
	diff <(echo "$screenshots_before") <(screenshots_status) >&2 || true
	status=1
fi
say "Screenshots of this run: $SCREENSHOTS_DIR"
exit $status
