#!/usr/bin/env bash
# `make dist`: build the addon as the wheel odoo-addon-account_credit_collection
# into dist/, with whool (pyproject.toml). Prints the wheel's path.
#
# whool packages the folder it runs in, named after that folder, with every file
# git tracks there. The repository root is the addon but also holds the
# development tooling, and the checkout may have any name: so the wheel is built
# from a copy, $BUILD/dist-src/account_credit_collection, made by `git archive`
# of the work tree's tracked files (committed or not), which leaves out what
# .gitattributes marks export-ignore (tools/, .ci/, Makefile, README.md, lint
# configuration).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV="${VENV:-$(bash "$ROOT/tools/setup_python.sh")}"
DIST="$ROOT/dist"
STAGE="$BUILD/dist-src"
cd "$ROOT"
rm -rf "$STAGE"
mkdir -p "$STAGE/$ADDON" "$DIST"
# A commit of the work tree (tracked files, staged or not) without touching
# any ref or the index; a clean tree has none and HEAD is used.
tree="$(git stash create)"
git archive --format=tar "${tree:-HEAD}" | tar -x -C "$STAGE/$ADDON"
rm -f "$DIST/odoo_addon_${ADDON}-"*.whl
# GIT_CEILING_DIRECTORIES: the copy is not inside a git repository for whool
# (it would otherwise find the checkout around .build/ and list no file).
(cd "$STAGE/$ADDON" && GIT_CEILING_DIRECTORIES="$STAGE" \
    "$VENV/bin/pip" wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
    --no-index -w "$DIST" .) >&2
wheel=("$DIST/odoo_addon_${ADDON}-"*.whl)
[[ -f "${wheel[0]}" ]] || die "no wheel was built in $DIST"
echo "${wheel[0]}"
