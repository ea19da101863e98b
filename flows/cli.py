"""The `quelle` command: run, replay, fetch, parse, sql, export, eval, serve, ui."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

DEFAULT_DB = "data/warehouse.duckdb"


def _prefect_env() -> None:
    """Settings Prefect must see before it is imported: no telemetry on a closed network."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_CLI_PROMPT", "false")
    # The temporary server needs ~20 s to start on an idle 2-core machine and minutes on a
    # loaded one; Prefect's own default wait is 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")


def _add_db(p: argparse.ArgumentParser) -> None:
    """Every command that touches the warehouse takes --db."""
    p.add_argument("--db", default=None, help=f"warehouse file (default {DEFAULT_DB})")


def _add_no_progress(p: argparse.ArgumentParser) -> None:
    """Long commands draw bars on a terminal; logs still get a progress line every 10 s."""
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")


def _bars(no_progress: bool) -> bool | None:
    """Bars off when asked, else on exactly when stderr is a terminal (None decides then)."""
    return False if no_progress else None


def _parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per tool."""
    root = argparse.ArgumentParser(prog="quelle", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="one nightly run now")
    run.add_argument("--seeds", default=None, help="seeds directory (default ./seeds)")
    _add_db(run)
    run.add_argument("--offline", action="store_true", help="do not fetch cited sources")
    run.add_argument(
        "--since", type=date.fromisoformat, default=None,
        help="also re-fetch and re-parse URLs cited by articles seen since DATE (YYYY-MM-DD)",
    )
    run.add_argument(
        "--reread-seeds", action="store_true",
        help="read every seed file, also those unchanged since the last run",
    )
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    _add_no_progress(run)

    replay = sub.add_parser("replay", help="re-parse every archived page, no network")
    _add_db(replay)
    replay.add_argument("--json", action="store_true")
    _add_no_progress(replay)

    fetch = sub.add_parser("fetch", help="fetch one URL with the run's rules and show why")
    fetch.add_argument("url")
    fetch.add_argument("--json", action="store_true")
    fetch.add_argument(
        "--allow-private", action="store_true",
        help="allow private and loopback addresses (for testing a local server)",
    )

    parse = sub.add_parser("parse", help="print the record a page or text file yields")
    parse.add_argument("file")
    parse.add_argument("--url", default=None, help="the URL the page was fetched from")
    parse.add_argument("--json", action="store_true")

    sql = sub.add_parser("sql", help="run SQL against the warehouse (read-only by default)")
    sql.add_argument("query")
    _add_db(sql)
    fmt = sql.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true")
    fmt.add_argument("--json", action="store_true")
    sql.add_argument("--write", action="store_true", help="open read-write (allow changes)")
    sql.add_argument("--max-width", type=int, default=60, help="truncate cells in the table")

    export = sub.add_parser("export", help="write every table as Parquet")
    export.add_argument("--parquet", required=True, metavar="DIR")
    _add_db(export)

    ev = sub.add_parser("eval", help="story-matching quality on a labelled JSONL file")
    ev.add_argument("file")
    ev.add_argument("--json", action="store_true")

    serve = sub.add_parser("serve", help="serve the nightly deployment on its cron schedule")
    serve.add_argument(
        "--cron", default=None, help="cron schedule (default QUELLE_CRON or 0 2 * * *)"
    )
    serve.add_argument("--seeds", default=None)
    _add_db(serve)

    ui = sub.add_parser("ui", help="start the Prefect server and UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=4200)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `quelle` console script."""
    _prefect_env()
    args = _parser().parse_args(argv)
    db = Path(args.db or os.environ.get("QUELLE_DB_PATH", DEFAULT_DB)) if "db" in args else None
    try:
        return _dispatch(args, db)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace, db: Path | None) -> int:
    """Run the chosen command; imports stay lazy so `quelle sql` starts fast."""
    from warehouse.errors import WarehouseError

    try:
        if args.command == "run":
            from flows.run_cmd import run_nightly

            seeds = args.seeds or os.environ.get("QUELLE_SEEDS_DIR", "seeds")
            return run_nightly(
                seeds, db, args.offline, args.since, args.json, _bars(args.no_progress),
                args.reread_seeds,
            )
        if args.command == "replay":
            from flows.run_cmd import run_replay

            return run_replay(db, args.json, _bars(args.no_progress))
        if args.command == "fetch":
            from flows.fetch_one_cmd import run_fetch
            from flows.settings import load_settings

            settings = load_settings(allow_private_addresses=True if args.allow_private else None)
            return run_fetch(args.url, settings, args.json)
        if args.command == "parse":
            from flows.parse_cmd import run_parse

            return run_parse(args.file, args.url, args.json)
        if args.command == "sql":
            from flows.sql_cmd import run_sql

            fmt = "csv" if args.csv else "json" if args.json else "table"
            return run_sql(db, args.query, fmt, args.write, args.max_width)
        if args.command == "export":
            from flows.sql_cmd import run_export

            return run_export(db, Path(args.parquet))
        if args.command == "eval":
            from flows.evaluate import run_eval

            return run_eval(args.file, args.json)
        if args.command == "serve":
            from flows.deploy import serve_nightly

            return serve_nightly(args.cron, args.seeds, db)
        if args.command == "ui":
            from flows.deploy import start_ui

            return start_ui(args.port)
    except WarehouseError as exc:
        print(f"quelle: {exc}", file=sys.stderr)
        return 2
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
