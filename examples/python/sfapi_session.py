"""What every Python example here shares: a session that gets and renews its own access tokens,
and the few waits a workflow needs. Read this first; each example is then a page of API calls.

It authenticates as NERSC's sfapi_client does (sfapi_client is built on these same libraries,
authlib and httpx): OAuth2 client credentials, the client proving who it is with a JWT signed by
its private key (RFC 7523), and a new token before the old one's 10 minutes run out.

Settings come from the environment:
  SFAPI_KEY           your key file: the client id on the first line, then the private key (PEM)
  SFAPI_URL           the API's base URL (default http://127.0.0.1:8080/api/v1.2)
  SFAPI_TOKEN_URL     the token endpoint (default: /oauth2/token on the same server)
  SFAPI_SYSTEM        the compute system (default perlmutter)
  SFAPI_POLL_SECONDS  how often to ask whether something has ended (default 2)

Debian: apt install python3-authlib python3-httpx; elsewhere: pip install authlib httpx.
"""

import contextlib
import json
import os
import sys
import time
from urllib.parse import urlsplit

from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT

API = os.environ.get("SFAPI_URL", "http://127.0.0.1:8080/api/v1.2").rstrip("/")
TOKEN_URL = os.environ.get("SFAPI_TOKEN_URL",
                           "{0.scheme}://{0.netloc}/oauth2/token".format(urlsplit(API)))
SYSTEM = os.environ.get("SFAPI_SYSTEM", "perlmutter")
POLL_SECONDS = float(os.environ.get("SFAPI_POLL_SECONDS", "2"))

# sacct's states in which a job will not change any more.
ENDED = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED",
         "BOOT_FAIL", "DEADLINE"}


@contextlib.contextmanager
def connect():
    """An httpx client whose requests carry a valid token (renewed before it expires), for a
    `with` block; paths are relative to SFAPI_URL.

    sfapi_client: with Client(key=SFAPI_KEY, api_base_url=API, token_url=TOKEN_URL) as client:
    """
    if "SFAPI_KEY" not in os.environ:
        sys.exit("set SFAPI_KEY to your key file (make run prints it)")
    with open(os.path.expanduser(os.environ["SFAPI_KEY"])) as f:
        key = f.read()
    client_id = key.splitlines()[0].strip()
    # The whole file, id line included, is the key: authlib reads the PEM in it.
    with OAuth2Client(client_id=client_id, client_secret=key,
                      token_endpoint_auth_method=PrivateKeyJWT(TOKEN_URL),
                      grant_type="client_credentials", token_endpoint=TOKEN_URL,
                      base_url=API + "/", timeout=30) as session:
        session.fetch_token()
        yield session


def get(session, path, **params):
    """GET, and the JSON answer; an HTTP error (401, 403, 404, 422) raises."""
    r = session.get(path, params=params)
    r.raise_for_status()
    return r.json()


def post(session, path, data):
    r = session.post(path, data=data)
    r.raise_for_status()
    return r.json()


def wait_task(session, task_id):
    """The result of a task (a job submission or cancellation, a command) once it has ended.

    Slow work answers with a task id (sfapid waits up to [tasks] wait_for_end_ms, 200 ms, for
    the task to end first, so a short one is done at the first read); what happened is the
    task's result.
    """
    while True:
        task = get(session, f"tasks/{task_id}")
        if task["status"] != "new":
            break
        time.sleep(POLL_SECONDS)
    if task["status"] != "completed":
        raise RuntimeError(f"task {task_id} {task['status']}: {task['result']}")
    return json.loads(task["result"])


def submit(session, script, is_path=False, args=()):
    """Submits a batch script (its text, or with is_path=True the path of a script on the system)
    and returns the job id.

    sfapi_client: client.compute(SYSTEM).submit_job(script)  (a Job; job.jobid)
    """
    data = {"job": script, "isPath": "true" if is_path else "false"}
    if args:
        data["args"] = list(args)  # repeated form fields: the script's $1, $2, ...
    answer = post(session, f"compute/jobs/{SYSTEM}", data)
    result = wait_task(session, answer["task_id"])
    if result["status"] != "ok":
        raise RuntimeError(result["error"])  # sbatch's own words, e.g. an invalid account
    return result["jobid"]


def job_rows(session, jobid):
    """sacct's rows of a job (one per task for an array); [] while the scheduler has none."""
    return get(session, f"compute/jobs/{SYSTEM}", kwargs=f"jobid={jobid}", sacct="true")["output"]


def wait_job(session, jobid, show=True):
    """Waits until every row of the job has ended, printing each change of state; returns the
    rows.

    sfapi_client: job.complete()  (polls the same way and returns the final state)
    """
    seen = {}
    while True:
        rows = job_rows(session, jobid)
        for row in rows:
            if show and seen.get(row["jobid"]) != row["state"]:
                print(f"job {row['jobid']}: {row['state']}", flush=True)
            seen[row["jobid"]] = row["state"]
        if rows and all(row["state"].split(" ")[0] in ENDED for row in rows):
            return rows
        time.sleep(POLL_SECONDS)


def download_text(session, path):
    """The content of a text file on the system (the API reads it as you).

    sfapi_client: client.compute(SYSTEM).ls(path)[0].download().read()
    """
    answer = get(session, f"utilities/download/{SYSTEM}/{path}", binary="false")
    if answer["status"] != "OK":
        raise RuntimeError(answer["error"])
    return answer["file"]


def upload(session, path, content):
    """Writes bytes to a file on the system (replacing it; its folder must exist).

    sfapi_client: perlmutter.ls(folder, directory=True)[0].upload(io.BytesIO(content))
    """
    r = session.put(f"utilities/upload/{SYSTEM}/{path}", files={"file": ("upload", content)})
    r.raise_for_status()
    answer = r.json()  # {"status": "OK", "output": "wrote 6 bytes to ...", "error": null}
    if answer["status"] != "OK":
        raise RuntimeError(answer["error"])
