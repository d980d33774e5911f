#!/usr/bin/env bash
# benchmarks/run.sh NAME [args…]: run benchmarks/NAME.py against the test site, served on 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
name="$1"
shift
start_mariadb
start_redis
link_app "$REPO_DIR"
stop_web "$TEST_WEB_PORT"
start_web "$TEST_SITE" "$TEST_WEB_PORT"
trap 'stop_web "$TEST_WEB_PORT"' EXIT
cd "$BENCH_DIR/sites"
TEST_SITE="$TEST_SITE" TEST_BASE_URL="http://127.0.0.1:$TEST_WEB_PORT" "$BENCH_DIR/env/bin/python" "$REPO_DIR/benchmarks/$name.py" "$@"
