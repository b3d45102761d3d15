#!/usr/bin/env bash
# Builds the OCI distribution-spec conformance suite (pinned, from the Go module proxy) into a
# cache directory outside the repository, starts the embedded registry over a temporary root of
# layout directories, runs the suite with pull, push, content discovery and content management
# enabled, and prints the summary.
#
#   scripts/conformance/run.sh            # uses ${XDG_CACHE_HOME:-$HOME/.cache}/ocisign-conformance
#   OCISIGN_CONFORMANCE_CACHE=/tmp/c scripts/conformance/run.sh
#   OCISIGN_CONFORMANCE_RUNTIME=bun scripts/conformance/run.sh   # serve with Bun instead of Deno
#
# Exit status: 0 when every test passed, non-zero otherwise. Anonymous (from-less) mount is not
# offered and is disabled in the run.
set -euo pipefail

# The module has no tagged releases on the proxy; this pseudo-version is its newest commit there.
SUITE_MODULE=github.com/opencontainers/distribution-spec/conformance
SUITE_VERSION=v0.0.0-20260831232431-97274622c111

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
cache="${OCISIGN_CONFORMANCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ocisign-conformance}"
suite="$cache/conformance-$SUITE_VERSION.test"

if [[ ! -x "$suite" ]]; then
  echo "building the conformance suite $SUITE_MODULE@$SUITE_VERSION into $cache" >&2
  mkdir -p "$cache/mod"
  (
    cd "$cache/mod"
    [[ -f go.mod ]] || printf 'module ocisign.local/conformance-runner\n\ngo 1.24\n' >go.mod
    go get "$SUITE_MODULE@$SUITE_VERSION"
    CGO_ENABLED=0 go test -c -o "$suite.tmp" "$SUITE_MODULE"
    mv "$suite.tmp" "$suite"
  )
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ocisign-conformance.XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/root" "$work/results"
case "${OCISIGN_CONFORMANCE_RUNTIME:-deno}" in
  deno) serve=(deno run -A "$repo_root/cli.ts") ;;
  bun) serve=(bun run "$repo_root/cli.ts") ;;
  *) echo "OCISIGN_CONFORMANCE_RUNTIME must be deno or bun" >&2; exit 2 ;;
esac
# `ocisign serve` logs one line per request to stderr; only the end of that log is kept.
"${serve[@]}" serve --addr 127.0.0.1:0 "$work/root" >"$work/server.out" 2> >(tail -n 200 >"$work/server.err") &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q ' at http://' "$work/server.out" 2>/dev/null && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the registry did not start:" >&2
    cat "$work/server.err" >&2
    exit 1
  fi
  sleep 0.1
done
address="$(sed -n 's|.* at http://||p' "$work/server.out")"
[[ -n "$address" ]] || { echo "the registry did not report its address" >&2; exit 1; }
echo "registry listening on $address (root $work/root)" >&2

status=0
(
  cd "$work"
  env \
    OCI_REGISTRY="$address" \
    OCI_TLS=disabled \
    OCI_VERSION=1.1 \
    OCI_REPO1=conformance/repo1 \
    OCI_REPO2=conformance/repo2 \
    OCI_RESULTS_DIR="$work/results" \
    OCI_API_PULL=true \
    OCI_API_PUSH=true \
    OCI_API_TAGS_LIST=true \
    OCI_API_REFERRER=true \
    OCI_API_BLOBS_DELETE=true \
    OCI_API_MANIFESTS_DELETE=true \
    OCI_API_TAGS_DELETE=true \
    OCI_API_BLOBS_UPLOAD_CANCEL=true \
    OCI_API_BLOBS_MOUNT_ANONYMOUS=false \
    OCI_API_BLOBS_DIGEST_HEADER=true \
    OCI_API_MANIFESTS_DIGEST_HEADER=true \
    OCI_API_MANIFESTS_TAG_PARAM=true \
    "$suite" "$@"
) >"$work/suite.out" 2>&1 || status=$?

cp "$work/suite.out" "$cache/last-run.log"
if [[ "$status" -ne 0 && -s "$work/server.err" ]]; then
  echo "--- end of the registry's request log ---"
  tail -n 50 "$work/server.err"
fi
echo "--- tests that did not pass (full log: $cache/last-run.log) ---"
grep -iE ': (fail|error|skip)$' "$work/suite.out" | head -100 || echo "(none)"
echo "--- summary ---"
sed -n '/^OCI Conformance Result/,$p' "$work/suite.out"
exit "$status"
