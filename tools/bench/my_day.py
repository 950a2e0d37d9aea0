#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time My Day and the No Recent Human Contact filter (issue #19) on a big
book, in a transaction rolled back at the end.

Every case of the main company is given to one collector (the worst case: a
single collector with the whole book), half of them get a logged call 1 to 30
days ago and one in ten a Call activity due; then: My Day as the web client
reads it (grouped by section, the groups unfolded, 80 rows each), the filter's
count, and the case list with the filter.

``bench_my_day(db)`` is called by ``tools/bench/bench.py`` (section
``my_day``); standalone: ``python tools/bench/my_day.py -c CONF -d DB``.
"""

import argparse
import statistics
import time

from odoo import api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config


def _seed(env, user, share=1):
    """One case in ``share`` to ``user`` (1: all of them), half of the cases
    called, one in ten a call due."""
    cr = env.cr
    company = env.company
    env.flush_all()
    cr.execute(
        SQL(
            "UPDATE credit_collection_case SET user_id = %s"
            " WHERE company_id = %s AND id %% %s = 0",
            user.id,
            company.id,
            share,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO credit_collection_contact
                   (case_id, partner_id, company_id, kind, date, user_id, outcome,
                    create_uid, write_uid, create_date, write_date)
            SELECT c.id, c.partner_id, c.company_id, 'call',
                   CURRENT_DATE - (1 + c.id %% 30), %s, 'reached', %s, %s,
                   now(), now()
              FROM credit_collection_case c
             WHERE c.company_id = %s AND c.id %% 2 = 0
            """,
            user.id,
            user.id,
            user.id,
            company.id,
        )
    )
    call = env.ref("mail.mail_activity_data_call")
    model = env["ir.model"]._get_id("credit.collection.case")
    cr.execute(
        SQL(
            """
            INSERT INTO mail_activity
                   (res_model_id, res_model, res_id, activity_type_id, user_id,
                    date_deadline, active, create_uid, write_uid, create_date,
                    write_date)
            SELECT %s, 'credit.collection.case', c.id, %s, %s,
                   CURRENT_DATE - (c.id %% 3), TRUE, %s, %s, now(), now()
              FROM credit_collection_case c
             WHERE c.company_id = %s AND c.id %% 10 = 0 AND c.user_id = %s
            """,
            model,
            call.id,
            user.id,
            user.id,
            user.id,
            company.id,
            user.id,
        )
    )
    # the stored last contact, as the ORM computes it
    cr.execute(
        """
        UPDATE credit_collection_case c
           SET last_contact_date = l.date
          FROM (SELECT case_id, MAX(date) AS date
                  FROM credit_collection_contact GROUP BY case_id) l
         WHERE l.case_id = c.id
        """
    )
    cr.execute("ANALYZE credit_collection_case")
    cr.execute("ANALYZE credit_collection_contact")
    cr.execute("ANALYZE mail_activity")
    env.invalidate_all()


def _timed(env, func, repeat):
    samples, queries = [], 0
    for _r in range(repeat):
        env.invalidate_all()
        before = env.cr.sql_log_count
        start = time.perf_counter()
        result = func()
        samples.append(time.perf_counter() - start)
        queries = env.cr.sql_log_count - before
    return statistics.median(samples) * 1000, queries, result


def bench_my_day(db, repeat=5, share=1):
    """{name: (median ms, queries, result)} on ``db`` (bench.py's ``Db``), the
    collector holding one case in ``share``."""
    env = db.env
    user = env.ref("base.user_admin")
    with env.cr.savepoint(flush=False) as sp:
        try:
            _seed(env, user, share)
            uenv = env(user=user.id)
            MyDay = uenv["credit.collection.my.day"]
            Case = uenv["credit.collection.case"]
            spec = {
                "partner_id": {"fields": {"display_name": {}}},
                "section": {},
                "date_due": {},
                "amount_overdue": {},
                "last_contact_date": {},
            }
            res = {
                "cases": Case.search_count([]),
                "my_cases": Case.search_count([("user_id", "=", user.id)]),
                "my_day": _timed(
                    uenv,
                    lambda: sum(
                        g["__count"]
                        for g in MyDay.web_read_group(
                            [],
                            ["section"],
                            ["amount_overdue:sum"],
                            auto_unfold=True,
                            unfold_read_specification=spec,
                            unfold_read_default_limit=80,
                        )["groups"]
                    ),
                    repeat,
                ),
                "needs_contact_count": _timed(
                    uenv,
                    lambda: Case.search_count([("needs_contact", "=", True)]),
                    repeat,
                ),
                "needs_contact_list": _timed(
                    uenv,
                    lambda: len(
                        Case.web_search_read(
                            [("needs_contact", "=", True)],
                            {"partner_id": {"fields": {"display_name": {}}}},
                            limit=80,
                        )["records"]
                    ),
                    repeat,
                ),
            }
        finally:
            env.invalidate_all()
            sp.rollback()
            env.invalidate_all()
    return res


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--share", type=int, default=1)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"], setup_logging=True)

    class _Db:
        registry = Registry(args.database)
        cr = registry.cursor()
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        env = env(context={"allowed_company_ids": [env.ref("base.main_company").id]})

    try:
        for name, value in bench_my_day(_Db, args.repeat, args.share).items():
            # pylint: disable=print-used
            print(name, value)
    finally:
        _Db.cr.rollback()
        _Db.cr.close()


if __name__ == "__main__":
    main()
