#!/usr/bin/env bash
# Makes tests/fixtures/sqlite-COMMIT/: the demo site (yishi.db and yishi-data/) as the yishi
# of COMMIT (default: main) leaves it, for tests/upgrade.rs, which opens every such fixture
# with today's binary, migrates it and verifies its log. Run it once per release, before the
# release's migrations change; commit the folder it prints (`git add -f`: *.db and
# yishi-data/ are ignored elsewhere).
#
#   scripts/make-fixture.sh [COMMIT]
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse --short=12 "${1:-main}")
out="tests/fixtures/sqlite-$commit"
[ -e "$out" ] && { echo "$out exists already"; exit 1; }
# The commit is built in this checkout (its target dir holds the dependencies already):
# the tree must be clean, and is put back as it was.
git diff --quiet && git diff --cached --quiet || {
  echo "commit or stash your changes first: $commit is checked out here to build it"
  exit 1
}
back=$(git symbolic-ref -q --short HEAD || git rev-parse HEAD)
site=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  git checkout -q "$back"
  rm -rf "$site"
}
trap cleanup EXIT

echo "== building yishi at $commit"
git checkout -q --detach "$commit"
# With a bench beside it, the dependencies are built with the features the tests use,
# which this target dir holds already.
cargo build --quiet --bin yishi --bench signin_burst
bin="$site/yishi-$commit"
cp target/debug/yishi "$bin"
git checkout -q "$back"

echo "== loading the demo into a fresh SQLite database"
export YISHI_DATABASE_URL="$site/site/yishi.db" YISHI_JOB_INTERVAL=0 YISHI_MAIL_INTERVAL=0 \
  YISHI_BIND=127.0.0.1:0 YISHI_LOG=warn
"$bin" serve --demo >"$site/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  grep -q "yishi is serving" "$site/serve.log" && break
  sleep 0.5
done
grep -q "yishi is serving" "$site/serve.log" || { cat "$site/serve.log"; exit 1; }
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=

echo "== a consistent copy (yishi backup)"
"$bin" backup "$site/backups" >/dev/null
taken=$(ls -d "$site"/backups/yishi-*)
mkdir -p "$out"
cp "$taken/database.sqlite" "$out/yishi.db"
cp -r "$taken/data" "$out/yishi-data"
echo "made by yishi $commit ($(git log -1 --format=%cs "$commit")) with scripts/make-fixture.sh" >"$out/README"
du -sh "$out"
echo "$out"
