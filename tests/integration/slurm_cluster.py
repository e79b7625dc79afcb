"""A real single-node Slurm cluster for a test module (scripts/slurm-up, which needs root and the
packages scripts/install-slurm installs; `make test` as root does both). Skips with the reason
otherwise, so the Slurm tests are reported, never silently dropped."""

import os
import shutil
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")


def require_slurm():
    if os.geteuid() != 0:
        raise unittest.SkipTest("the Slurm tests start slurmctld and slurmd, which needs root")
    if not shutil.which("slurmctld", path="/usr/sbin:/usr/bin"):
        raise unittest.SkipTest("Slurm is not installed: run scripts/install-slurm as root")


# What the shared compute suite (compute_helpers) expects of the cluster: the Slurm accounts its
# scripts charge (every test user a member) and slurm.conf's MinJobAge and KillWait in seconds.
SUITE_ACCOUNTS = ["accta", "acctb", "projenv", "ageacct", "cbproj", "usageproj", "spent"]
MIN_JOB_AGE = 10
KILL_WAIT = 2


def up(users):
    """Starts (or keeps) the cluster with these Unix users associated to account `default` and to
    SUITE_ACCOUNTS."""
    require_slurm()
    env = dict(os.environ, TEST_USERS=" ".join(users), TEST_ACCOUNTS=" ".join(SUITE_ACCOUNTS),
               SLURM_MIN_JOB_AGE=str(MIN_JOB_AGE), SLURM_KILL_WAIT=str(KILL_WAIT))
    r = subprocess.run([os.path.join(SCRIPTS, "slurm-up")], env=env, capture_output=True,
                       text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"slurm-up failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")


def set_max_submit_jobs(user, limit):
    """Slurm's MaxSubmitJobs on the user's associations (-1: none)."""
    subprocess.run(["sacctmgr", "-i", "modify", "user", "where", f"name={user}", "set",
                    f"maxsubmitjobs={limit}"], check=True, capture_output=True, timeout=60)


def module_up(users):
    """setUpModule of a Slurm suite: the cluster, with `users` (a harness.ModuleUsers) made and
    associated."""
    require_slurm()
    users.create()
    up(users.accounts.values())


def module_down(users):
    """tearDownModule of a Slurm suite."""
    down()
    users.remove()


def down():
    subprocess.run([os.path.join(SCRIPTS, "slurm-down")], capture_output=True, timeout=120)
