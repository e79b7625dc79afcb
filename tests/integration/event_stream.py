"""A client of the event stream (GET /api/v1.2/events, Server-Sent Events) for the tests."""

import http.client
import json

from harness import PREFIX


class EventStream:
    """One SSE connection: `next()` returns the next event as a dict (id, event, data) or a
    comment as {"comment": text}; None when the stream ended."""

    def __init__(self, server, token, query="", last_event_id=None, timeout=30):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", PREFIX + "/events" + (f"?{query}" if query else ""),
                          headers=headers)
        self.resp = self.conn.getresponse()

    def next(self):
        fields = {}
        while True:
            line = self.resp.readline()
            if not line:
                return None
            line = line.decode().rstrip("\n")
            if line == "":
                if fields:
                    if "data" in fields:
                        fields["data"] = json.loads(fields["data"])
                    return fields
                continue
            if line.startswith(":"):
                return {"comment": line[1:].strip()}
            name, _, value = line.partition(": ")
            fields[name] = value

    def next_event(self, kind=None):
        """The next real event (heartbeats and retry lines skipped), of `kind` if given."""
        while True:
            e = self.next()
            if e is None or ("event" in e and (kind is None or e["event"] == kind)):
                return e

    def close(self):
        self.resp.close()  # the response holds the socket too
        self.conn.close()

    def events_of(self, kind, object_id, until):
        """This object's events of `kind`, in order, up to the first whose data `until` holds
        for; None in place of the list if the stream ended first."""
        got = []
        while True:
            e = self.next_event(kind)
            if e is None:
                return None
            if e["data"]["object_id"] != object_id:
                continue
            got.append(e)
            if until(e["data"]):
                return got
