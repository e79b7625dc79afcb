#!/usr/bin/env python3
"""Move data: copy a file (or a folder's contents) between endpoints, here from the data-transfer
nodes to the compute system, and wait until the transfer has ended. It runs as you, with your
permissions; missing target folders are made.

    SFAPI_KEY=... SFAPI_DIR=/path/on/the/system python3 transfer.py

SFAPI_DIR is an existing folder of yours; the example uploads SFAPI_DIR/results.csv and copies it
to SFAPI_DIR/archive/results.csv. Endpoint ids: "dtn", each compute system's name, and what the
centre adds.

sfapi_client has no transfer method of its own; its client posts the same form:
    client.post("storage/globus/transfer", data={"source_uuid": "dtn", ...}).json()
    client.get(f"storage/globus/transfer/{transfer_id}").json()["globus_status"]
"""

import os
import sys
import time

from sfapi_session import POLL_SECONDS, SYSTEM, connect, download_text, get, post, upload

folder = os.environ.get("SFAPI_DIR") or sys.exit("set SFAPI_DIR to a folder of yours on the system")

with connect() as session:
    # Something to move.
    upload(session, f"{folder}/results.csv", b"step,energy\n1,-3.5\n")
    started = post(session, "storage/globus/transfer", {
        "source_uuid": "dtn", "target_uuid": SYSTEM, "label": "example copy",
        "source_dir": f"{folder}/results.csv", "target_dir": f"{folder}/archive/results.csv"})
    if started["status"] != "OK":  # {"transfer_id", "status", "reason"}
        sys.exit(f"transfer refused: {started['reason']}")
    print(f"transfer {started['transfer_id']} started")

    while True:
        t = get(session, f"storage/globus/transfer/{started['transfer_id']}")
        if t["globus_status"] not in ("ACTIVE", None):
            break
        time.sleep(POLL_SECONDS)
    print(f"transfer {t['globus_status']}: {t['bytes_transferred']} bytes"
          + (f", {t['reason']}" if t["reason"] else ""))
    copied = download_text(session, f"{folder}/archive/results.csv")
    print(f"archive/results.csv holds {len(copied)} bytes")
    sys.exit(0 if t["globus_status"] == "SUCCEEDED" and copied == "step,energy\n1,-3.5\n" else 1)
