"""The event stream's job events on a real single-node Slurm cluster (scripts/slurm-up; needs
root): test_events' job classes again, with sfapid in front of slurmctld. A job is PENDING when
submitted, RUNNING once the watcher's look at the queue sees it, and its end (with its exit code)
comes once, from accounting; resume, isolation and long-poll behave as on the local scheduler."""

import slurm_cluster
import test_events
from compute_helpers import OnSlurm


def setUpModule():
    slurm_cluster.module_up(test_events.USERS)


def tearDownModule():
    slurm_cluster.module_down(test_events.USERS)


class SlurmEvents(OnSlurm):
    job_seconds = 4


class JobEventsOnSlurm(SlurmEvents, test_events.JobEvents):
    pass


class ResumeOnSlurm(SlurmEvents, test_events.Resume):
    pass


class IsolationOnSlurm(SlurmEvents, test_events.Isolation):
    pass
