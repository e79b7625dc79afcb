#!/usr/bin/env python3
"""Files of any size (sfapid extension, docs/large-files.md): upload a local file in chunks and
download it back, each resuming where it stopped when interrupted.

    SFAPI_KEY=... python3 large_file.py upload LOCAL_FILE REMOTE_PATH
    SFAPI_KEY=... python3 large_file.py download REMOTE_PATH LOCAL_FILE

An upload in progress is remembered in LOCAL_FILE.upload-id: run the same command again after a
failure and only the missing chunks are sent. A download continues a partial LOCAL_FILE with a
Range request, and starts over if the remote file changed meanwhile (If-Range).

sfapi_client has no call of its own for these; its client sends the same requests:
    client.post("utilities/uploads", json={"machine": ..., "path": ..., "size": ...})
    client.put(f"utilities/uploads/{upload_id}", params={"offset": n}, content=chunk)
    client.get(f"utilities/files/{machine}/{path}", headers={"Range": f"bytes={n}-"})
"""

import hashlib
import os
import sys

from sfapi_session import SYSTEM, connect

CHUNK = 8 << 20  # each chunk is held in the server's memory while it is written


def upload(session, local, remote):
    size = os.path.getsize(local)
    memo = local + ".upload-id"
    upload_id = open(memo).read().strip() if os.path.exists(memo) else None
    state = session.get(f"utilities/uploads/{upload_id}") if upload_id else None
    if state is None or state.status_code == 404:  # none yet, or it expired
        state = session.post("utilities/uploads",
                             json={"machine": SYSTEM, "path": remote, "size": size})
    state.raise_for_status()
    state = state.json()
    with open(memo, "w") as f:
        f.write(state["upload_id"])
    have = [(s["offset"], s["offset"] + s["length"]) for s in state["received"]]
    digest, sent = hashlib.sha256(), 0
    with open(local, "rb") as f:
        for offset in range(0, size, CHUNK):
            chunk = f.read(CHUNK)
            digest.update(chunk)
            if any(a <= offset and offset + len(chunk) <= b for a, b in have):
                continue  # the server has these bytes already
            r = session.put(f"utilities/uploads/{state['upload_id']}", params={"offset": offset},
                            content=chunk, headers={"Content-Type": "application/octet-stream"})
            r.raise_for_status()
            sent += len(chunk)
    r = session.post(f"utilities/uploads/{state['upload_id']}/complete",
                     json={"sha256": digest.hexdigest()})
    r.raise_for_status()
    os.remove(memo)
    print(f"uploaded {remote}: {size} bytes ({sent} sent this time), sha256 {digest.hexdigest()}")


def download(session, remote, local):
    url = f"utilities/files/{SYSTEM}/{remote.lstrip('/')}"
    have = os.path.getsize(local) if os.path.exists(local) else 0
    tag_file = local + ".etag"
    headers = {}
    if have and os.path.exists(tag_file):
        headers = {"Range": f"bytes={have}-", "If-Range": open(tag_file).read().strip()}
    with session.stream("GET", url, headers=headers) as r:
        if r.status_code == 416:  # nothing left to fetch
            print(f"{local} is complete: {have} bytes")
            return
        r.raise_for_status()
        with open(tag_file, "w") as f:
            f.write(r.headers["etag"])
        mode = "ab" if r.status_code == 206 else "wb"  # 200: the whole file (again)
        fetched = 0
        with open(local, mode) as f:
            for data in r.iter_bytes(4 << 20):
                f.write(data)
                fetched += len(data)
    os.remove(tag_file)
    print(f"downloaded {remote} to {local}: {os.path.getsize(local)} bytes "
          f"({fetched} fetched this time)")


if len(sys.argv) != 4 or sys.argv[1] not in ("upload", "download"):
    sys.exit(__doc__)
with connect() as session:
    (upload if sys.argv[1] == "upload" else download)(session, sys.argv[2], sys.argv[3])
