#!/usr/bin/env bash
# `make lint`: the OCA-style pre-commit checks on every file of the repository.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV="$(bash "$ROOT/tools/setup_python.sh")"
command -v node >/dev/null && command -v npm >/dev/null \
    || die "prettier needs Node.js and npm (Debian: apt-get install nodejs npm)"
export PRE_COMMIT_HOME="${PRE_COMMIT_HOME:-$CACHE/pre-commit}"
cd "$ROOT"
"$VENV/bin/pre-commit" run --all-files --show-diff-on-failure --color=always "$@"
