"""Run a command, and start it again whenever it exits: `make run`'s Celery worker.

    python scripts/supervise.py [--min-delay 1] [--max-delay 30] -- celery -A celery_worker worker

A worker that exits, for whatever reason (an unrecoverable error, killed, out of memory), leaves
the queued visits uncounted until something starts it again: this does, after `--min-delay`
seconds, doubled each time it exits again within a minute (up to `--max-delay`), so a worker that
cannot start does not spin. The command runs in a process group of its own, and whatever it
leaves behind when it exits (a killed Celery worker's pool processes, its embedded beat) is
killed before it starts again. SIGTERM, SIGINT or SIGHUP sends SIGTERM to the command (Celery's
warm shutdown), waits for it and exits with its status. Deployments use their process manager
instead (systemd `Restart=always`, supervisord `autorestart=true`: see the README's "Deploying").
"""
import argparse
import os
import signal
import subprocess
import sys
import time

STABLE_AFTER = 60.0  # seconds: a command that ran this long restarts after --min-delay again


def log(message):
    print(f"[supervise {time.strftime('%Y-%m-%d %H:%M:%S')}] {message}", file=sys.stderr,
          flush=True)


def kill_leftovers(group):
    """Kill what is left of the process group of a command that exited."""
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-delay", type=float, default=1.0)
    parser.add_argument("--max-delay", type=float, default=30.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")

    state = {"stopping": False, "child": None}

    def stop(signum, _frame):
        state["stopping"] = True
        child = state["child"]
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)

    quick_exits, status = 0, 0
    while not state["stopping"]:
        started = time.monotonic()
        state["child"] = child = subprocess.Popen(command, start_new_session=True)
        log(f"started pid {child.pid}: {' '.join(command)}")
        if state["stopping"]:  # the signal came while it was starting
            child.send_signal(signal.SIGTERM)
        status = child.wait()
        kill_leftovers(child.pid)
        if state["stopping"]:
            break
        ran = time.monotonic() - started
        quick_exits = quick_exits + 1 if ran < STABLE_AFTER else 1
        delay = min(args.min_delay * 2 ** (quick_exits - 1), args.max_delay)
        log(f"pid {child.pid} exited with status {status} after {ran:.1f} s; "
            f"restarting in {delay:g} s")
        deadline = time.monotonic() + delay
        while not state["stopping"] and time.monotonic() < deadline:
            time.sleep(0.1)
    log("stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
