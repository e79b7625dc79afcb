"""Submit latency on the Slurm backend: plain sbatch versus sfapid, interleaved round by round so
that slurmctld's state (the queue grows by one job per submission) is the same for every way.
Each round submits the same held script once per way, one at a time:
  sbatch-runuser   runuser -u USER -- sbatch --parsable --chdir=HOME SCRIPT   (timed by the caller)
  sbatch-setpriv   setpriv --reuid/--regid/--init-groups, HOME/USER/LOGNAME set, same sbatch
  sbatch-root      sbatch as root, no change of identity (a lower bound; charged to root)
  sfapid-path      POST /compute/jobs/perlmutter isPath=true job=SCRIPT, then GET /tasks/{id}
                   every 1 ms until the task has the job id
  sfapid-inline    the same with the script's text inline (isPath=false)
Usage: slurm_driver.py PORT TOKEN USER HOME SCRIPT ROUNDS WARMUP
Prints one line per way: <way> <p50 ms> <p99 ms> <mean ms> <count>, then `jobs <n>` (how many
jobs were submitted in all, warm-up included)."""

import http.client
import os
import pwd
import statistics
import subprocess
import sys
import time
import urllib.parse

from submit_poll import submit_and_wait

port, token, user, home, script = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
rounds, warmup = int(sys.argv[6]), int(sys.argv[7])
HEADERS = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"}
text = open(script).read()
pw = pwd.getpwnam(user)
submitted = 0


def percentile(values, p):
    values = sorted(values)
    return values[max(0, int(round(len(values) * p)) - 1)]


def run_sbatch(argv, env=None):
    global submitted
    started = time.perf_counter()
    r = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=home)
    elapsed = (time.perf_counter() - started) * 1000
    if r.returncode != 0 or not r.stdout.strip().isdigit():
        raise SystemExit(f"slurm_driver: {' '.join(argv)} failed ({r.returncode}): {r.stdout} {r.stderr}")
    submitted += 1
    return elapsed


SBATCH = ["sbatch", "--parsable", f"--chdir={home}", script]
USER_ENV = dict(os.environ, HOME=home, USER=user, LOGNAME=user, SHELL=pw.pw_shell)


def sbatch_runuser():
    return run_sbatch(["runuser", "-u", user, "--"] + SBATCH)


def sbatch_setpriv():
    return run_sbatch(["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups"]
                      + SBATCH, env=USER_ENV)


def sbatch_root():
    return run_sbatch(SBATCH)


conn = http.client.HTTPConnection("127.0.0.1", port)


def sfapid(body):
    global submitted
    _, _, elapsed = submit_and_wait(conn, urllib.parse.urlencode(body), HEADERS, 0.001, "slurm_driver")
    submitted += 1
    return elapsed


WAYS = {
    "sbatch-runuser": sbatch_runuser,
    "sbatch-setpriv": sbatch_setpriv,
    "sbatch-root": sbatch_root,
    "sfapid-path": lambda: sfapid({"job": script, "isPath": "true"}),
    "sfapid-inline": lambda: sfapid({"job": text, "isPath": "false"}),
}
for _ in range(warmup):
    for way in WAYS.values():
        way()
times = {name: [] for name in WAYS}
for _ in range(rounds):
    for name, way in WAYS.items():
        times[name].append(way())
for name, values in times.items():
    print(f"{name} {statistics.median(values):.2f} {percentile(values, 0.99):.2f} "
          f"{statistics.mean(values):.2f} {len(values)}")
print(f"jobs {submitted}")
