"""The profile page in a real headless Chromium (Selenium and chromedriver from Debian): a user
signs in with password and TOTP, creates a client whose key pair the browser makes, saves the key
file, gets a token with it as sfapi_client does and with scripts/sfapi-token, revokes it in the
page and sees the token refused; a user who is not enabled asks for access and an operator
approves it; the status page. Screenshots go to SFAPID_SCREENSHOT_DIR when it is set (that is how
docs/images/ is made)."""

import glob
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import PREFIX, ModuleUsers, Server, fetch_token
from web_helpers import set_password, totp

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
users = ModuleUsers("alice", "carol")
PASSWORDS = {"alice": "Alice-pw-1!", "carol": "Carol-pw-3!"}


def setUpModule():
    users.create()
    for name, password in PASSWORDS.items():
        set_password(users.accounts[name], password)


tearDownModule = users.remove


class ProfilePage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from selenium import webdriver
        cls.server = Server(extra="[web]\nenable_by_default = false\n").start()
        cls.server.cli("user", "enable", users.accounts["alice"])
        cls.server.cli("project", "add", "m1234", "--description", "Climate runs",
                       "--cpu-hours", "5000", "--pi", users.accounts["alice"])
        cls.downloads = tempfile.mkdtemp(prefix="sfapid-downloads-")
        cls.profile_dir = tempfile.mkdtemp(prefix="sfapid-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1500", f"--user-data-dir={cls.profile_dir}",
                     "--disable-background-networking", "--disable-component-update",
                     "--no-first-run"]:
            options.add_argument(flag)
        options.add_experimental_option("prefs", {"download.default_directory": cls.downloads,
                                                  "download.prompt_for_download": False})
        from selenium.webdriver.chrome.service import Service
        service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
        try:
            cls.driver = webdriver.Chrome(options=options, service=service)
        except Exception:
            cls.server.cleanup()
            raise
        cls.driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                   {"behavior": "allow", "downloadPath": cls.downloads})
        cls.base = f"http://127.0.0.1:{cls.server.port}"

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.cleanup()
        shutil.rmtree(cls.downloads, ignore_errors=True)
        shutil.rmtree(cls.profile_dir, ignore_errors=True)

    def find(self, element_id):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.ID, element_id)

    def wait(self, predicate, what, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if predicate():
                    return
            except Exception:  # the page is still changing
                pass
            time.sleep(0.1)
        self.fail(f"timed out waiting for {what}; message: {self.find('message').text!r}")

    def visible(self, element_id):
        return self.find(element_id).is_displayed()

    def screenshot(self, name):
        folder = os.environ.get("SFAPID_SCREENSHOT_DIR")
        if folder:
            os.makedirs(folder, exist_ok=True)
            self.driver.execute_script("window.scrollTo(0, 0)")
            self.driver.save_screenshot(os.path.join(folder, name))

    def sign_in(self, name):
        self.driver.delete_all_cookies()
        self.driver.get(self.base + "/")
        self.wait(lambda: self.visible("sign-in"), "the sign-in form")
        self.find("username").send_keys(users.accounts[name])
        self.find("password").send_keys(PASSWORDS[name])
        self.find("sign-in-button").click()
        self.wait(lambda: self.visible("second-factor") or self.visible("profile"),
                  "the second factor")

    def test_1_enrol_create_use_and_revoke(self):
        self.sign_in("alice")
        self.wait(lambda: self.visible("enrolment"), "the enrolment")
        self.wait(lambda: self.driver.execute_script(
            "return document.getElementById('totp-qr').naturalWidth > 0"), "the QR code")
        secret = self.find("totp-secret").text
        self.assertRegex(secret, r"^[A-Z2-7]{32}$")
        self.find("totp-code").send_keys(totp(secret))
        self.find("totp-button").click()
        self.wait(lambda: self.visible("profile"), "the profile")
        self.assertEqual(self.find("who-name").text, users.accounts["alice"])
        self.wait(lambda: self.visible("clients-section"), "the clients section")
        self.assertFalse(self.visible("not-enabled"))
        self.assertIn("m1234", self.find("projects").text)

        # A red client, its key pair made by WebCrypto in the page.
        self.find("client-name").send_keys("laptop")
        from selenium.webdriver.common.by import By
        self.driver.find_element(By.CSS_SELECTOR, "input[name=level][value=red]").click()
        self.assertEqual(self.find("client-ips").get_attribute("value"), "127.0.0.1/32")
        self.find("create-client").click()
        self.wait(lambda: self.visible("new-key"), "the key download")
        client_id = self.find("message").text.split()[-1].rstrip(".")
        self.assertRegex(client_id, r"^[a-z0-9]{13}$")
        self.screenshot("web-profile.png")
        self.find("key-download").click()
        path = os.path.join(self.downloads, client_id + ".pem")
        self.wait(lambda: os.path.exists(path) and not glob.glob(self.downloads + "/*.crdownload"),
                  "the downloaded key file")
        with open(path) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], client_id)  # the format sfapi_client reads
        self.assertEqual(lines[1], "-----BEGIN PRIVATE KEY-----")
        os.chmod(path, 0o600)
        # The server never saw the private key: it holds the public half only.
        shown = self.server.cli("client", "show", client_id).stdout
        self.assertIn("BEGIN PUBLIC KEY", shown)
        self.assertNotIn(lines[2], shown)

        # The key file works with sfapi_client's pattern and with scripts/sfapi-token.
        from authlib.integrations.httpx_client import OAuth2Client
        from authlib.oauth2.rfc7523 import PrivateKeyJWT
        token_url = self.base + "/oauth2/token"
        with open(path) as f:
            text = f.read()
        session = OAuth2Client(client_id=client_id, client_secret=text,
                               token_endpoint_auth_method=PrivateKeyJWT(token_url, alg="RS256"))
        self.assertEqual(session.fetch_token(token_url, grant_type="client_credentials")["scope"],
                         "red")
        r = session.get(self.base + PREFIX + "/account/")
        self.assertEqual((r.status_code, r.json()["name"]), (200, users.accounts["alice"]))
        session.close()
        out = subprocess.run([os.path.join(REPO, "scripts", "sfapi-token"), path, token_url],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        bearer = {"Authorization": "Bearer " + out.stdout.strip()}
        self.assertEqual(self.server.get(PREFIX + "/account/", headers=bearer).status, 200)

        # Revoke it in the page: the token stops working.
        self.driver.get(self.base + "/")
        self.wait(lambda: self.driver.find_element(
            By.CSS_SELECTOR, f"tr[data-client-id='{client_id}'] button.revoke"), "the revoke button")
        self.driver.find_element(By.CSS_SELECTOR,
                                 f"tr[data-client-id='{client_id}'] button.revoke").click()
        self.driver.switch_to.alert.accept()
        self.wait(lambda: self.driver.find_element(
            By.CSS_SELECTOR, f"tr[data-client-id='{client_id}'] .client-state").text == "revoked",
            "the revoked state")
        r = self.server.get(PREFIX + "/account/", headers=bearer)
        self.assertEqual(r.status, 401)
        self.assertIn("revoked", r.json()["detail"])

        # Or with a public key of the user's own: nothing to download.
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        own = ec.generate_private_key(ec.SECP256R1())
        public = own.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.find("client-name").send_keys("own key")
        self.driver.find_element(By.CSS_SELECTOR, "#client-form summary").click()
        self.find("client-public-key").send_keys(public)
        self.find("create-client").click()
        self.wait(lambda: self.find("message").text.startswith("Created green client"),
                  "the client with the user's own key")
        self.assertFalse(self.visible("new-key"))
        own_id = self.find("message").text.split()[-1].rstrip(".")
        self.assertIn(public.splitlines()[1], self.server.cli("client", "show", own_id).stdout)

    def test_2_request_access_and_approval(self):
        from selenium.webdriver.common.by import By
        self.sign_in("carol")
        self.wait(lambda: self.visible("enrolment"), "the enrolment")
        self.find("totp-code").send_keys(totp(self.find("totp-secret").text))
        self.find("totp-button").click()
        self.wait(lambda: self.visible("not-enabled"), "the not-enabled section")
        self.assertFalse(self.visible("clients-section"))
        self.assertIn("not been enabled", self.find("not-enabled-why").text)
        self.find("request-reason").send_keys("Nightly data pipelines")
        self.find("request-access").click()
        self.wait(lambda: "pending" in self.find("request-state").text, "the pending request")
        self.assertFalse(self.visible("request-form"))
        listed = self.server.cli("access", "list").stdout
        self.assertIn("Nightly data pipelines", listed)
        self.server.cli("access", "approve", listed.split()[0], "--note", "welcome")
        self.driver.refresh()
        self.wait(lambda: self.visible("clients-section"), "the clients section after approval")
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "#clients tbody tr"), [])

    def test_3_status_page(self):
        self.server.cli("outage", "add", "perlmutter", "--start", "2030-01-05T08:00:00+00:00",
                        "--end", "2030-01-05T16:00:00+00:00", "--description",
                        "Scheduled maintenance", "--swo", "true")
        self.server.cli("status", "set", "dtns", "degraded", "--description", "One node down",
                        "--note", "Transfers may be slow")
        time.sleep(0.5)
        self.driver.get(self.base + "/status")
        text = self.find("systems").text
        self.assertIn("degraded", text)
        self.assertIn("Transfers may be slow", self.driver.page_source)
        self.assertIn("Scheduled maintenance", self.driver.page_source)
        self.screenshot("web-status.png")
        # No script or policy errors in the console (a CSP violation would be one); the 401s of
        # "am I signed in?" calls are network entries, expected.
        errors = [e for e in self.driver.get_log("browser")
                  if e["level"] == "SEVERE" and e.get("source") != "network"]
        self.assertEqual(errors, [])


if __name__ == "__main__":
    unittest.main()
