"""A download client for bench/large_files.sh: GET URL with a bearer token into TARGET in 4 MiB
writes (curl writes 16 KiB at a time, which on this machine, not the server, sets its pace).
Usage: download_driver.py URL TOKEN TARGET"""

import http.client
import sys
import urllib.parse


def main():
    url, token, target = sys.argv[1:4]
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    conn.request("GET", u.path, headers={"Authorization": f"Bearer {token}"})
    r = conn.getresponse()
    if r.status != 200:
        sys.exit(f"GET {u.path}: {r.status} {r.read(300)!r}")
    with open(target, "wb") as f:
        while data := r.read(4 << 20):
            f.write(data)


if __name__ == "__main__":
    main()
