"""A resumable-upload client for bench/large_files.sh: sends a file in CHUNK-byte pieces, in order,
hashing as it reads (as a real client would), then completes with the SHA-256.
Usage: upload_driver.py BASE_URL TOKEN MACHINE SOURCE TARGET CHUNK_BYTES"""

import hashlib
import http.client
import json
import os
import sys
import urllib.parse


def main():
    base, token, machine, source, target, chunk = sys.argv[1:7]
    chunk = int(chunk)
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=300)  # one keep-alive
    auth = {"Authorization": f"Bearer {token}"}

    def call(method, path, body, content_type):
        conn.request(method, url.path + path, body=body,
                     headers=dict(auth, **{"Content-Type": content_type}))
        r = conn.getresponse()
        data = r.read()
        if r.status not in (200, 201):
            sys.exit(f"{method} {path}: {r.status} {data[:300]!r}")
        return json.loads(data)

    size = os.path.getsize(source)
    upload = call("POST", "/utilities/uploads",
                  json.dumps({"machine": machine, "path": target, "size": size}), "application/json")
    uid, h = upload["upload_id"], hashlib.sha256()
    with open(source, "rb") as f:
        offset = 0
        while data := f.read(chunk):
            h.update(data)
            call("PUT", f"/utilities/uploads/{uid}?offset={offset}", data,
                 "application/octet-stream")
            offset += len(data)
    done = call("POST", f"/utilities/uploads/{uid}/complete",
                json.dumps({"sha256": h.hexdigest()}), "application/json")
    if done["state"] != "complete":
        sys.exit(f"upload ended {done}")


if __name__ == "__main__":
    main()
