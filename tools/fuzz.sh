#!/usr/bin/env bash
# `make fuzz`: the figures harness (tests/test_figures_harness.py) at length:
# thousands of random sequences of accounting operations, each checked against
# the harness's oracle. A random seed unless CREDIT_HARNESS_SEED is set; the
# seed is printed, and again on failure with the command that replays it.
# Knobs: CREDIT_HARNESS_EXAMPLES (default 3000), CREDIT_HARNESS_STEPS (8),
# CREDIT_HARNESS_SEED, TEST_DB, ODOO_HTTP_PORT; extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
export CREDIT_HARNESS_EXAMPLES="${CREDIT_HARNESS_EXAMPLES:-3000}"
export CREDIT_HARNESS_STEPS="${CREDIT_HARNESS_STEPS:-8}"
export CREDIT_HARNESS_SEED="${CREDIT_HARNESS_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
log "Figures harness: $CREDIT_HARNESS_EXAMPLES examples of up to" \
    "$CREDIT_HARNESS_STEPS steps, seed $CREDIT_HARNESS_SEED"
if bash "$ROOT/tools/test.sh" tests/test_figures_harness.py "$@"; then
    log "Figures harness: no failure with seed $CREDIT_HARNESS_SEED"
else
    die "figures harness failed with seed $CREDIT_HARNESS_SEED; replay:
       CREDIT_HARNESS_SEED=$CREDIT_HARNESS_SEED CREDIT_HARNESS_EXAMPLES=$CREDIT_HARNESS_EXAMPLES CREDIT_HARNESS_STEPS=$CREDIT_HARNESS_STEPS make fuzz"
fi
