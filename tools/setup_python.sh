#!/usr/bin/env bash
# Make sure an Odoo 19.0 source tree and a Python environment with Odoo and the
# dev tools exist; print the venv path on stdout. Idempotent: a second run with
# the same requirements returns at once.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_odoo_src() {
    if [[ -f "$ODOO_SRC/odoo/release.py" ]]; then
        grep -q "version_info = (19, 0" "$ODOO_SRC/odoo/release.py" \
            || die "$ODOO_SRC is not an Odoo 19.0 source tree"
        return
    fi
    log "No Odoo source tree at $ODOO_SRC: downloading Odoo's official 19.0 source archive"
    mkdir -p "$(dirname "$ODOO_SRC")"
    local tmp
    tmp="$(mktemp -d "$(dirname "$ODOO_SRC")/.download.XXXXXX")"
    if ! curl -fsSL --retry 2 --connect-timeout 20 "$ODOO_ARCHIVE_URL" -o "$tmp/odoo.tar.gz"; then
        rm -rf "$tmp"
        die "could not download $ODOO_ARCHIVE_URL. Offline? Put an Odoo 19.0 source tree at
       $ODOO_SRC (the folder holding odoo-bin) or set ODOO_SRC to one."
    fi
    tar -xzf "$tmp/odoo.tar.gz" -C "$tmp"
    mv "$tmp"/odoo-19.0*/ "$ODOO_SRC"
    rm -rf "$tmp"
}

ensure_debian_packages() {
    # Build headers for psycopg2 and python-ldap, wkhtmltopdf for PDF reports,
    # poppler-utils (pdftotext) for the tests reading them, and Chromium for
    # the web tours of the test suite.
    local missing=()
    for pkg in libpq-dev libldap2-dev libsasl2-dev wkhtmltopdf poppler-utils chromium; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    command -v apt-get >/dev/null || die "missing Debian packages: ${missing[*]}"
    log "Installing Debian packages: ${missing[*]}"
    local sudo=""
    [[ $EUID -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_venv() {
    local key venv
    key="$(venv_key)"
    venv="$CACHE/venv-$key"
    if [[ -f "$venv/.complete" ]]; then
        echo "$venv"
        return
    fi
    log "Building the Python environment $venv (a few minutes, once)"
    rm -rf "$venv"
    if ! python3 -m venv --help >/dev/null 2>&1; then
        local sudo=""
        [[ $EUID -eq 0 ]] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv python3-dev >/dev/null
    fi
    python3 -m venv "$venv"
    local pip=("$venv/bin/pip" install -q --disable-pip-version-check)
    "${pip[@]}" --upgrade "pip<26" wheel "setuptools<81"
    # cbor2 5.4.2 builds from source and breaks with setuptools>=81.
    local constraints="$venv/build-constraints.txt"
    echo "setuptools<81" >"$constraints"
    PIP_CONSTRAINT="$constraints" "${pip[@]}" -r "$ODOO_SRC/requirements.txt"
    # 19.0's `odoo` is a namespace package: an editable install needs compat mode.
    "${pip[@]}" --no-deps --config-settings editable_mode=compat -e "$ODOO_SRC"
    "${pip[@]}" --no-deps lxml-html-clean==0.1.1
    "${pip[@]}" -r "$ROOT/tools/requirements-dev.txt"
    touch "$venv/.complete"
    # Older environments are left in place: another checkout or a running
    # process may still use them (`make clean-cache` removes them all).
    echo "$venv"
}

ensure_addons_dir() {
    mkdir -p "$ADDONS_DIR"
    ln -sfn "$ROOT" "$ADDONS_DIR/$ADDON"
}

ensure_odoo_src
ensure_debian_packages
ensure_addons_dir
ensure_venv
