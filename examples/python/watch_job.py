#!/usr/bin/env python3
"""Wait for a job by watching the event stream instead of polling (sfapid extension,
docs/events.md): submit a job, then read GET /events (Server-Sent Events) until the job ends,
printing each state as it comes. A dropped connection is picked up again where it stopped, with
Last-Event-ID; nothing is missed and nothing comes twice.

    SFAPI_KEY=... python3 watch_job.py ["sleep 5; echo done"]

sfapi_client has no call of its own for the stream; its client (an httpx client) reads it the
same way:
    with client.stream("GET", "events", params={"kind": "job"}) as r:
        for chunk in r.iter_raw(): ...  # events end with a blank line (split as below)
Without a stream, long-poll does the same in one request:
    client.get(f"compute/jobs/perlmutter/{jobid}", params={"wait": 60, "until": "COMPLETED"})
"""

import json
import sys

import httpx

from sfapi_session import ENDED, SYSTEM, connect, submit


def events(session, last_event_id=None, **params):
    """(id, kind, data) of each event, resuming after last_event_id when the connection drops."""
    while True:
        headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
        try:
            with session.stream("GET", "events", params=params, headers=headers,
                                timeout=httpx.Timeout(30, read=60)) as r:
                r.raise_for_status()
                buffer = b""
                for chunk in r.iter_raw():  # each event as soon as it arrives
                    buffer += chunk
                    while b"\n\n" in buffer:
                        block, buffer = buffer.split(b"\n\n", 1)
                        fields = dict(line.partition(": ")[::2]
                                      for line in block.decode().splitlines()
                                      if not line.startswith(":"))  # ":" is a heartbeat
                        if "data" not in fields or fields.get("event") == "dropped":
                            continue  # after "dropped" the stream ends: resumed below
                        last_event_id = int(fields["id"])
                        yield last_event_id, fields.get("event"), json.loads(fields["data"])
        except httpx.TransportError as e:
            print(f"stream dropped ({e}); resuming after event {last_event_id}", file=sys.stderr)


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "sleep 2; echo done"
    job = f"#!/bin/bash\n#SBATCH --time=5\n{command}\n"
    with connect() as session:
        jobid = submit(session, job)
        print(f"submitted job {jobid}")
        # From the first event kept (last_event_id=0), of this job only: a job that ended before
        # the stream opened is still seen, from its first state.
        stream = events(session, last_event_id=0, kind="job", id=f"{SYSTEM}/{jobid}")
        for _, _, data in stream:
            if data["jobid"] != jobid:
                continue
            print(f"job {jobid} {data['state']}" +
                  (f" (exit code {data['exit_code']})" if "exit_code" in data else ""))
            if data["state"] in ENDED:
                return 0 if data["state"] == "COMPLETED" else 1


if __name__ == "__main__":
    sys.exit(main())
