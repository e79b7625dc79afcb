"""Swagger UI at /api/v1.2/ renders in a real headless Chromium and lists the operations of the
server's OpenAPI document."""

import os
import shutil
import subprocess
import tempfile
import unittest

from harness import PREFIX, ServerTest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync",
                  "--disable-quic"]


def chromium():
    for name in ["chromium", "chromium-browser", "google-chrome"]:
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("Chromium is not installed; scripts/install-deps installs it")


class SwaggerUi(ServerTest):
    def test_assets_are_served(self):
        for path in ["/", "", "/static/swagger-ui/swagger-ui-bundle.js",
                     "/static/swagger-ui/swagger-ui.css", "/static/swagger-init.js"]:
            r = self.server.get(PREFIX + path)
            self.assertEqual(r.status, 200, path)
        self.assertTrue(self.server.get(PREFIX + "/").headers["content-type"].startswith("text/html"))
        for path in ["/static/swagger-ui/..%2F..%2Fpackage.json", "/static/.hidden",
                     "/static/swagger-ui/nosuch.js"]:
            self.assertEqual(self.server.get(PREFIX + path).status, 404, path)

    def test_operations_render_in_chromium(self):
        profile = tempfile.mkdtemp(prefix="sfapid-chromium-")
        try:
            r = subprocess.run(
                [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                 "--virtual-time-budget=15000", "--dump-dom",
                 f"http://127.0.0.1:{self.server.port}{PREFIX}/"],
                capture_output=True, text=True, timeout=120)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        dom = r.stdout
        self.assertIn("swagger-ui", dom, r.stderr[-2000:])
        self.assertIn("Superfacility API", dom)
        # Every documented operation appears as an opblock with its path and summary.
        doc = self.api("/openapi.json").json()
        for path, methods in doc["paths"].items():
            self.assertIn(f'data-path="{path}"', dom, path)
            for op in methods.values():
                self.assertIn(op["summary"], dom)


if __name__ == "__main__":
    unittest.main()
