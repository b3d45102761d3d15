#!/usr/bin/env bash
# Builds the interop peers that ocisign's tests drive, into a cache directory
# outside the repository, and prints that directory's bin/ path on stdout.
#
#   notation-peer  built from tests/interop/notation_go (notation-go v1.3.2;
#                  see the header of its main.go for the command line)
#   oras           `go install oras.land/oras/cmd/oras@v1.3.6`
#
# Usage: scripts/peers/install.sh
# Env:   OCISIGN_PEER_DIR  cache directory (default: $HOME/.cache/ocisign-peers)
#        GOPROXY etc.      passed through to the go tool
#
# Idempotent: a peer is rebuilt only when its sources or version changed.
# Progress goes to stderr; stdout is only the bin directory.
set -euo pipefail

ORAS_VERSION="v1.3.6"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peer_src="${repo_root}/tests/interop/notation_go"
peer_dir="${OCISIGN_PEER_DIR:-${HOME}/.cache/ocisign-peers}"
bin_dir="${peer_dir}/bin"

log() { printf '%s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  log "install.sh: the go tool is not on PATH; install Go 1.23 or newer and retry"
  exit 1
fi
mkdir -p "${bin_dir}"

# notation-peer: the stamp is the sha256 of its module files and sources.
peer_stamp_file="${bin_dir}/.notation-peer.sha256"
peer_stamp="$(cd "${peer_src}" && cat go.mod go.sum ./*.go | sha256sum | cut -d' ' -f1)"
if [[ -x "${bin_dir}/notation-peer" && -f "${peer_stamp_file}" \
      && "$(cat "${peer_stamp_file}")" == "${peer_stamp}" ]]; then
  log "notation-peer is up to date"
else
  log "building notation-peer from ${peer_src#"${repo_root}"/}"
  (cd "${peer_src}" && CGO_ENABLED=0 go build -mod=readonly -trimpath -buildvcs=false \
      -o "${bin_dir}/notation-peer.tmp" .)
  mv -f "${bin_dir}/notation-peer.tmp" "${bin_dir}/notation-peer"
  printf '%s\n' "${peer_stamp}" > "${peer_stamp_file}"
fi

# oras: reinstall only when the installed version differs.
if [[ -x "${bin_dir}/oras" ]] \
    && "${bin_dir}/oras" version 2>/dev/null | grep -q "^Version: *${ORAS_VERSION#v}\$"; then
  log "oras ${ORAS_VERSION} is up to date"
else
  log "installing oras ${ORAS_VERSION}"
  GOBIN="${bin_dir}" CGO_ENABLED=0 go install -trimpath "oras.land/oras/cmd/oras@${ORAS_VERSION}"
fi

printf '%s\n' "${bin_dir}"
