#!/usr/bin/env python3
"""Before submitting: is the system up, and does an outage start before the job would end?
Exits 0 when it is a good time to submit, 1 when not. Status needs no token.

    python3 check_status.py [HOURS]      # HOURS: how long the job needs (default 2)

sfapi_client:
    from sfapi_client import Client
    from sfapi_client.compute import Machine
    from sfapi_client.resources import Resource
    with Client() as client:                                   # status needs no key
        print(client.compute(Machine.perlmutter).status)      # active, degraded, unavailable
        print(client.resources.planned_outages(Resource.perlmutter))
"""

import sys
from datetime import datetime, timedelta, timezone

import httpx

from sfapi_session import API, SYSTEM

hours = float(sys.argv[1]) if len(sys.argv) > 1 else 2
with httpx.Client(base_url=API + "/", timeout=30) as http:
    # {"name": "perlmutter", "status": "active", "notes": [...], "updated_at": ..., ...}
    r = http.get(f"status/{SYSTEM}")
    r.raise_for_status()
    system = r.json()
    print(f"{SYSTEM} is {system['status']}" + "".join(f"; {n}" for n in system["notes"] or []))
    # Planned outages: start_at and end_at are ISO 8601 times.
    r = http.get(f"status/outages/planned/{SYSTEM}")
    r.raise_for_status()
    planned = r.json()

ends = datetime.now(timezone.utc) + timedelta(hours=hours)
soon = [o for o in planned if datetime.fromisoformat(o["start_at"]) < ends]
for o in planned:
    print(f"planned: {o['description']} from {o['start_at']} to {o['end_at']}")
if system["status"] != "active" or soon:
    print(f"not a good time for a {hours:g} h job: "
          + ("the system is " + system["status"] if system["status"] != "active"
             else "an outage starts before it would end"))
    sys.exit(1)
print(f"good to submit a {hours:g} h job")
