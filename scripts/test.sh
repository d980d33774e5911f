#!/usr/bin/env bash
# README command 2: the whole suite under pytest.
#
#   scripts/test.sh [pytest arguments…]
#
# With a bench at $BENCH_DIR (made by scripts/bootstrap.sh): starts MariaDB and Redis, points the bench's
# property_helpdesk app at THIS checkout, creates the test site $TEST_SITE if missing, migrates it to this
# checkout's DocTypes, serves it on 127.0.0.1:$TEST_WEB_PORT for the HTTP and browser tests, and runs unit,
# integration and browser tests with the bench's Python.
# Without a bench: runs the unit tests only and says loudly what it skipped.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"

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
# machine (the demo's) must not run them on the test sites behind the tests' backs.
for site in "$TEST_SITE" "$LIFECYCLE_SITE"; do
	bench --site "$site" set-config -p pause_scheduler 1 >/dev/null
done

# The test site's web server must run this checkout's code: always start it afresh.
stop_web "$TEST_WEB_PORT"
start_web "$TEST_SITE" "$TEST_WEB_PORT"
trap 'stop_web "$TEST_WEB_PORT"' EXIT

export TEST_SITE LIFECYCLE_SITE BENCH_DIR TEST_BASE_URL="http://127.0.0.1:$TEST_WEB_PORT"
"$BENCH_DIR/env/bin/python" -m pytest "$@"
