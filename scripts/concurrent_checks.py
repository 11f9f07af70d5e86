"""Start N ``modelhealth check`` processes of one model at once; print their exits.

    python scripts/concurrent_checks.py --db URL --rules R --inputs F --spool DIR \
        --processes 32 --run-ids 16

The parent imports modelhealth (and pandas) once, then forks every child before
any of them starts; each child is a separate process with its own database
connections that runs the CLI's ``check`` exactly as a pipeline's hook would,
released together through a pipe so that they race. Forking after the imports
keeps 32 processes affordable on a small CI machine. Prints one JSON line:
``{"exit_codes": {...}, "seconds": ...}``. POSIX only.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--rules", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--spool", required=True)
    parser.add_argument("--processes", type=int, default=32)
    parser.add_argument("--run-ids", type=int, default=16)
    args = parser.parse_args()

    from modelhealth.cli.app import main as cli

    # one check in a scratch SQLite store loads every module a check needs, once,
    # before the fork: the children share them and only race on the store
    warm = os.path.join(args.spool + "-warmup.db")
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        cli(["check", "--rules", args.rules, "--run-id", "warmup",
             "--inputs", args.inputs, "--db", warm, "--spool", args.spool])  # fmt: skip
    os.unlink(warm)

    read_end, write_end = os.pipe()
    children: dict[int, str] = {}
    for i in range(args.processes):
        run_id = f"r{i % args.run_ids:02d}"
        pid = os.fork()
        if pid == 0:
            os.close(write_end)
            os.read(read_end, 1)  # returns when the parent closes its end: go
            argv = [
                "check", "--rules", args.rules, "--run-id", run_id,
                "--inputs", args.inputs, "--db", args.db, "--spool", args.spool,
            ]  # fmt: skip
            err = io.StringIO()
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(err),
            ):
                code = cli(argv)
            sys.__stderr__.write(err.getvalue())
            sys.__stderr__.flush()
            os._exit(int(code))
        children[pid] = run_id
    os.close(read_end)
    start = time.monotonic()
    os.close(write_end)
    codes: dict[str, int] = {}
    for pid in children:
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        codes[str(code)] = codes.get(str(code), 0) + 1
    seconds = round(time.monotonic() - start, 2)
    sys.stdout.write(json.dumps({"exit_codes": codes, "seconds": seconds}) + "\n")


if __name__ == "__main__":
    main()
