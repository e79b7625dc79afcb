"""/meta and the OpenAPI document: shapes, and that the document describes exactly the routes the
server registers."""

import json
import re
import subprocess
import unittest

from harness import SFAPID, ServerTest


class Meta(ServerTest):
    def test_changelog(self):
        r = self.api("/meta/changelog")
        self.assertEqual(r.status, 200)
        body = r.json()
        self.assertTrue(body)
        for entry in body:
            self.assertEqual(set(entry), {"date", "change"})
            self.assertRegex(entry["date"], r"^\d{4}-\d{2}-\d{2}$")
            self.assertTrue(entry["change"])

    def test_config_lists_compute_targets(self):
        body = self.api("/meta/config/").json()
        for item in body:
            self.assertEqual(set(item), {"key", "value"})
        values = {item["key"]: item["value"] for item in body}
        self.assertEqual(values["compute.targets"], "perlmutter")
        self.assertEqual(values["status.systems"], "perlmutter,dtns,globus")
        self.assertEqual(values["api.version"], "1.2")


class OpenApiDocument(ServerTest):
    def registered_routes(self, prefix="/api/v1.2", strip=True):
        """(method, path) of every documented route; only the two APIs have any."""
        r = subprocess.run([SFAPID, "--config", self.server.config_path, "routes"],
                           capture_output=True, text=True, timeout=30, check=True)
        routes = set()
        for line in r.stdout.splitlines():
            if line.endswith("(undocumented)"):
                continue
            method, pattern = line.split()
            self.assertTrue(pattern.startswith(("/api/v1.2/", "/api/v2/")), pattern)
            if pattern.startswith(prefix + "/"):
                path = pattern[len(prefix):] if strip else pattern
                routes.add((method.lower(), path.replace(":path}", "}")))
        return routes

    def test_document_paths_equal_registered_routes(self):
        doc = self.api("/openapi.json").json()
        documented = {(m, p) for p, methods in doc["paths"].items() for m in methods}
        registered = self.registered_routes()
        self.assertTrue(registered)
        self.assertEqual(documented, registered)

    def test_the_iri_document_has_every_iri_route_with_its_whole_path(self):
        doc = self.server.get("/api/v2/openapi.json").json()
        self.assertEqual(doc["servers"], [{"url": "/"}])
        documented = {(m, p) for p, methods in doc["paths"].items() for m in methods}
        registered = self.registered_routes("/api/v2", strip=False)
        self.assertTrue(registered)
        self.assertEqual(documented, registered)
        self.assertEqual(self.server.get("/openapi.json").json(), doc)

    def test_document_is_openapi_3_1_with_complete_operations(self):
        doc = self.api("/openapi.json").json()
        self.assertEqual(doc["openapi"], "3.1.0")
        self.assertEqual(doc["servers"], [{"url": "/api/v1.2"}])
        schemas = doc["components"]["schemas"]
        ids = set()
        for path, methods in doc["paths"].items():
            for method, op in methods.items():
                self.assertTrue(op["summary"], path)
                self.assertNotIn(op["operationId"], ids)
                ids.add(op["operationId"])
                self.assertIn("200", op["responses"], path)
                self.assertIn("422", op["responses"], path)
                # Every operation is rate-limited: its 429 and the Retry-After it carries.
                self.assertIn("Retry-After", op["responses"]["429"]["headers"], path)
                # Every path parameter in the path is declared, and every $ref resolves.
                declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
                self.assertEqual(declared, set(re.findall(r"{(\w+)}", path)), path)
                for ref in re.findall(r'"\$ref": "#/components/schemas/(\w+)"',
                                      json.dumps(op)):
                    self.assertIn(ref, schemas)
        self.assertEqual(schemas["Status"]["properties"]["status"]["enum"],
                         ["active", "unavailable", "degraded", "other"])
        self.assertEqual(schemas["Status"]["properties"]["system_type"]["enum"],
                         ["compute", "filesystem", "service", "storage"])
        self.assertIn("HTTPValidationError", schemas)

    def test_summaries_match_the_official_document(self):
        doc = self.api("/openapi.json").json()
        summaries = {op["summary"] for m in doc["paths"].values() for op in m.values()}
        for s in ["Read Statuses", "Read Status", "Read Notes", "Read Note", "Read Outages",
                  "Read Outage", "Read Planned Outages", "Read Planned Outage", "Read Changelog",
                  "Read Config"]:
            self.assertIn(s, summaries)


if __name__ == "__main__":
    unittest.main()
