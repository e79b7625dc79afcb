"""The IRI conformance suite's compute and idempotency classes again on a real single-node Slurm
cluster (scripts/slurm-up; needs root): the same tests and expectations as on the local
scheduler, with `perlmutter` scheduled by slurmctld."""

import slurm_cluster
import test_iri_conformance as conformance

USERS = conformance.USERS  # the suite's helpers read the accounts from this one object


def setUpModule():
    slurm_cluster.module_up(USERS)


def tearDownModule():
    slurm_cluster.module_down(USERS)


# The suite's systems with perlmutter on Slurm: the test cluster's slurm.conf stands in for the
# local scheduler's nodes and CPUs; a refresh every second as the other Slurm suites use.
SLURM_SYSTEMS_TOML = conformance.SYSTEMS_TOML.replace(
    'backend = "local"\nnodes = 4\ncpus_per_node = 2\n',
    'backend = "slurm"\nrefresh_interval_seconds = 1\n')
assert 'backend = "slurm"' in SLURM_SYSTEMS_TOML


class OnSlurm:
    systems = SLURM_SYSTEMS_TOML
    # The one node has 2 CPUs: a job may wait for the last test's cancelled ones to leave, and
    # a finished one reaches accounting after Slurm's scheduling pass.
    job_timeout = 120


# SlurmCompute, SlurmIdempotency, SlurmIdempotencyExpiry: importing the module, not the classes,
# or the loader would run the local ones here too.
for _shared in (conformance.Compute, conformance.Idempotency, conformance.IdempotencyExpiry):
    _name = "Slurm" + _shared.__name__
    globals()[_name] = type(_name, (OnSlurm, _shared),
                            {"__module__": __name__, "__qualname__": _name})
del _shared, _name
