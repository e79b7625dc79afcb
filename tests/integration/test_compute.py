"""Job submission through the real server (POST /compute/jobs, local scheduler) as real Unix
users: by path and inline, args, the job's environment and identity, output files, the errors
sbatch gives for bad scripts and directives, form and query validation, unknown machines and
access levels (needs root). Queue shape checks run on every query (compute_helpers.jobs)."""

import concurrent.futures
import json
import os
import pwd
import shutil
import tempfile
import time
import urllib.parse

from compute_helpers import SACCT_KEYS, SQUEUE_KEYS, ComputeTest, script
from harness import ModuleUsers, client_token

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove


class Submission(ComputeTest):
    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 2}

    def test_by_path_with_args(self):
        # sfapi_client's own integration test: `echo "$@"` with args 1 2 3 writes "1 2 3".
        # The script is 0644: sbatch reads it, it need not be executable.
        path = self.write_file(f"{self.home()}/proj/args.sh", '#!/bin/bash\necho "$@"\n')
        jobid = self.submit(path, is_path=True, args=["1", "2", "3"])
        queued = self.row(jobid)  # visible at once (sfapi_client issue #93)
        self.assertIsNotNone(queued, "a job just submitted is not in the queue")
        self.assertEqual(queued["jobid"], jobid)
        self.assertEqual(queued["user"], self.alice)
        self.assertEqual(queued["work_dir"], f"{self.home()}/proj")
        acct = self.wait_ended(jobid)
        out = f"{self.home()}/proj/slurm-{jobid}.out"
        self.assertEqual(self.read_when_present(out, contains="\n"), "1 2 3\n")
        self.assertEqual(os.stat(out).st_uid, self.uid())
        self.assertEqual((acct["state"], acct["exitcode"], acct["jobidraw"], acct["user"],
                          acct["account"], acct["partition"]),
                         ("COMPLETED", "0:0", jobid, self.alice, "default", "regular"), acct)
        # The boolean forms pydantic accepts (spec §1); args with spaces stay one argument.
        path = self.write_file(f"{self.home()}/proj/each.sh", "#!/bin/bash\nprintf '[%s]' \"$@\"; echo\n")
        fields = [("job", path), ("isPath", "True"), ("args", "a b"), ("args", "c")]
        r = self.post_form("/compute/jobs/perlmutter", fields)
        self.assertEqual(r.status, 200, r)
        result = self.wait_task(r.json()["task_id"])
        self.assertEqual(result["status"], "ok", result)
        jobid = result["jobid"]
        self.submitted.append((jobid, self.alice))
        self.wait_ended(jobid)
        text = self.read_when_present(f"{self.home()}/proj/slurm-{jobid}.out", contains="\n")
        self.assertEqual(text, "[a b][c]\n")

    def test_inline_runs_as_the_user_with_slurm_environment(self):
        body = """
            echo "id=$(id -u):$(id -g) pwd=$PWD"
            for v in SLURM_JOB_ID SLURM_JOBID SLURM_JOB_NAME SLURM_SUBMIT_DIR SLURM_JOB_USER \\
                     SLURM_JOB_UID SLURM_JOB_ACCOUNT SLURM_JOB_PARTITION SLURM_JOB_NUM_NODES \\
                     SLURM_NTASKS SLURM_CPUS_PER_TASK SLURM_CLUSTER_NAME HOME USER; do
              echo "$v=${!v}"
            done
            cat /etc/shadow >/dev/null 2>&1 && echo "read shadow" || echo "no shadow"
            """
        text = script(body, "-J envjob", "-A projenv", "-p debug", "-n 1", "-c 1", "-t 00:05:00")
        jobid = self.submit(text)
        self.wait_ended(jobid)
        home = self.home()
        out = self.read_when_present(f"{home}/slurm-{jobid}.out", contains="no shadow")
        pw = pwd.getpwnam(self.alice)
        lines = dict(line.split("=", 1) for line in out.splitlines() if "=" in line and " " not in line)
        self.assertIn(f"id={pw.pw_uid}:{pw.pw_gid} pwd={home}", out)
        self.assertEqual(lines, {
            "SLURM_JOB_ID": jobid, "SLURM_JOBID": jobid, "SLURM_JOB_NAME": "envjob",
            "SLURM_SUBMIT_DIR": home, "SLURM_JOB_USER": self.alice, "SLURM_JOB_UID": str(pw.pw_uid),
            "SLURM_JOB_ACCOUNT": "projenv", "SLURM_JOB_PARTITION": "debug", "SLURM_JOB_NUM_NODES": "1",
            "SLURM_NTASKS": "1", "SLURM_CPUS_PER_TASK": "1", "SLURM_CLUSTER_NAME": "perlmutter",
            "HOME": home, "USER": self.alice})
        self.assertEqual(os.stat(f"{home}/slurm-{jobid}.out").st_uid, pw.pw_uid)
        # The inline script was kept as a file of the user's under ~/.sfapid/jobs/.
        kept = []
        for folder, _, files in os.walk(f"{home}/.sfapid/jobs"):
            for name in files:
                p = os.path.join(folder, name)
                with open(p) as f:
                    if f.read() == text:
                        kept.append(p)
        self.assertTrue(kept, f"no copy of the inline script under {home}/.sfapid/jobs")
        self.assertEqual(os.stat(kept[0]).st_uid, pw.pw_uid)
        acct = self.row(jobid, sacct=True)
        self.assertEqual((acct["jobname"], acct["account"], acct["partition"]),
                         ("envjob", "projenv", "debug"))

    def test_job_gets_the_users_groups_and_no_descriptors_of_sfapids(self):
        jobid = self.submit(script("""
            echo "groups $(id -G)"
            for fd in /proc/$$/fd/*; do echo "fd ${fd##*/} $(readlink "$fd")"; done
            """))
        self.wait_ended(jobid)
        out = self.read_when_present(f"{self.home()}/slurm-{jobid}.out", contains="fd ")
        pw = pwd.getpwnam(self.alice)
        groups = next(line for line in out.splitlines() if line.startswith("groups "))
        self.assertEqual(sorted(map(int, groups.split()[1:])), sorted(os.getgrouplist(self.alice, pw.pw_gid)))
        # Nothing of sfapid's (files in its data folder, sockets) is open in the job.
        fds = {line.split(" ", 2)[1]: line.split(" ", 2)[2] for line in out.splitlines() if line.startswith("fd ")}
        leaked = {fd: target for fd, target in fds.items()
                  if target.startswith(self.server.dir) or target.startswith("socket:")}
        self.assertEqual(leaked, {}, f"descriptors open in the job: {fds}")

    def test_output_patterns_and_working_directory(self):
        wd = f"{self.home()}/wd"
        self.write_file(f"{wd}/out/.keep", "")
        text = script("""
            echo "to stdout from $PWD"
            echo "to stderr" >&2
            """, "--job-name=named", f"--chdir={wd}", "-o out/%x-%j-%u.log", "-e err-%j-%%.txt")
        jobid = self.submit(text)
        self.assertEqual(self.row(jobid)["name"], "named")
        self.wait_ended(jobid)
        out = f"{wd}/out/named-{jobid}-{self.alice}.log"
        self.assertEqual(self.read_when_present(out, contains="\n"), f"to stdout from {wd}\n")
        err = f"{wd}/err-{jobid}-%.txt"
        self.assertEqual(self.read_when_present(err, contains="\n"), "to stderr\n")
        for p in (out, err):
            self.assertEqual(os.stat(p).st_uid, self.uid())
        self.assertFalse(os.path.exists(f"{self.home()}/slurm-{jobid}.out"))

    def test_path_errors(self):
        missing = f"{self.home()}/nope/missing.sh"
        error = self.submit_error(missing, is_path=True)
        self.assertIn(f"sbatch: error: Unable to open file {missing}", error)
        # An empty path names the home folder, which is no script.
        self.assertIn(f"sbatch: error: Unable to open file {self.home()}/",
                      self.submit_error("", is_path=True))
        # A script the user cannot read is refused: sbatch runs as the user, not as root.
        secret_dir = tempfile.mkdtemp(prefix="sfapid-rootonly-")
        try:
            secret = f"{secret_dir}/secret.sh"
            with open(secret, "w") as f:
                f.write(f"#!/bin/bash\ntouch {self.home()}/root-script-ran\n")
            os.chmod(secret, 0o600)
            os.chmod(secret_dir, 0o755)
            error = self.submit_error(secret, is_path=True)
            self.assertTrue(error.startswith("sbatch: error:"), error)
            # A folder is not a script.
            error = self.submit_error(secret_dir, is_path=True)
            self.assertTrue(error.startswith("sbatch: error:"), error)
        finally:
            shutil.rmtree(secret_dir, ignore_errors=True)
        time.sleep(0.5)
        self.assertFalse(os.path.exists(f"{self.home()}/root-script-ran"))

    def test_bad_scripts_and_directives(self):
        before = len(self.jobs(sacct=True, user=self.alice))
        cases = [
            ("echo no shebang\n", "sbatch: error: This does not look like a batch script"),
            ("", "sbatch: error: Batch script is empty!"),
            (script("true", "--time=abc"), "sbatch: error: Invalid --time specification"),
            (script("true", "--bogus"), "sbatch: unrecognized option '--bogus'"),
            (script("true", "-p nosuch"),
             "sbatch: error: Batch job submission failed: Invalid partition name specified"),
            (script("true", "-N 2"), "sbatch: error: Batch job submission failed: Node count specification invalid"),
            (script("true", "--time=3-00:00:00"),
             "sbatch: error: Batch job submission failed: Requested time limit is invalid "
             "(missing or exceeds some limit)"),
            (script("true", "-d foo:12"), "sbatch: error: Batch job submission failed: Job dependency problem"),
            (script("true", "-d afterok:abc"), "sbatch: error: Batch job submission failed: Job dependency problem"),
        ]
        for text, expected in cases:
            with self.subTest(expected=expected):
                self.assertIn(expected, self.submit_error(text))
        # The same checks apply to a script given by path.
        path = self.write_file(f"{self.home()}/bad.sh", script("true", "--bogus"))
        self.assertIn("sbatch: unrecognized option '--bogus'", self.submit_error(path, is_path=True))
        # Nothing was queued or recorded for them, and each refusal is in the audit log.
        self.assertEqual(len(self.jobs(sacct=True, user=self.alice)), before)
        audit = self.server.cli("audit", "--limit", "1").stdout
        self.assertRegex(audit, rf"job-refused client=\w+ user={self.alice} ip=127\.0\.0\.1 "
                                r"perlmutter: sbatch: unrecognized option '--bogus'")

    def test_more_cpus_than_a_node_has_is_refused(self):
        # Not in the contract's list, but what Slurm says: a job that can never run is refused
        # rather than left pending forever.
        self.assertEqual(self.submit_error(script("true", "-c 3")),
                         "sbatch: error: Batch job submission failed: More processors requested than permitted")
        self.assertEqual(self.submit_error(script("true", "-n 3")),
                         "sbatch: error: Batch job submission failed: More processors requested than permitted")
        self.assertEqual(self.submit_error(script("true", "--mem=4000000G")),
                         "sbatch: error: Memory specification can not be satisfied\n"
                         "sbatch: error: Batch job submission failed: Requested node configuration is not available")

    def test_known_but_unhonoured_options_are_accepted(self):
        options = ["--mail-type=END", "--mail-user=a@example.org", "--exclusive", "-q normal", "-C cpu",
                   "--mem=100M"]
        if self.backend == "local":
            # Having no GPUs, QOS or features of its own to check them against, the local
            # scheduler accepts and ignores them; Slurm refuses what its cluster does not have.
            options += ["--gpus=1", "-q regular", "-C gpu"]
        text = script("echo fine", *options)
        jobid = self.submit(text)
        self.wait_ended(jobid)
        self.assertEqual(self.read_when_present(f"{self.home()}/slurm-{jobid}.out", contains="\n"), "fine\n")
        # As sbatch: #SBATCH lines after the first command are comments.
        jobid = self.submit("#!/bin/bash\necho first\n#SBATCH --bogus\n#SBATCH -J late\n")
        self.assertNotEqual(self.row(jobid)["name"], "late")
        self.wait_ended(jobid)

    def test_output_the_user_cannot_write_fails_the_job(self):
        # The output file is opened as the user: a path only root may write stays untouched.
        target = "/etc/sfapid-test-%j.out"
        jobid = self.submit(script("echo written", f"-o {target}"))
        self.wait_ended(jobid, "FAILED")
        self.assertFalse(os.path.exists(target.replace("%j", jobid)))

    def test_parallel_submissions_get_distinct_ids(self):
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            tasks = list(pool.map(lambda _: self.submit_task(script("true", "-H")), range(32)))
        ids = [self.wait_task(t)["jobid"] for t in tasks]
        self.submitted += [(j, self.alice) for j in ids]
        self.assertEqual(len(set(ids)), 32, ids)
        self.assertEqual(sorted(r["jobid"] for r in self.jobs(jobid=",".join(ids))), sorted(ids))

    def test_inline_script_folder_is_written_as_the_user(self):
        # ~/.sfapid pointing at a folder only root may write: the script cannot be planted there.
        home = self.home()
        saved = f"{home}/.sfapid-saved"
        if os.path.lexists(f"{home}/.sfapid"):
            os.rename(f"{home}/.sfapid", saved)
        os.symlink("/etc", f"{home}/.sfapid")
        before = set(os.listdir("/etc/jobs")) if os.path.isdir("/etc/jobs") else None
        try:
            error = self.submit_error(script("true"))
            self.assertTrue(error.startswith("sbatch: error:"), error)
            if before is None:
                self.assertFalse(os.path.exists("/etc/jobs"))
            else:
                self.assertEqual(set(os.listdir("/etc/jobs")), before)
        finally:
            os.unlink(f"{home}/.sfapid")
            if os.path.lexists(saved):
                os.rename(saved, f"{home}/.sfapid")
        self.submit(script("true", "-H"))

    def test_get_one_job(self):
        jobid = self.submit(script("sleep 30", "-H"))
        r = self.call("GET", f"/compute/jobs/perlmutter/{jobid}?cached=false")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual((body["status"], body["error"]), ("OK", None), body)
        self.check_rows(body["output"], sacct=False)
        self.assertEqual([row["jobid"] for row in body["output"]], [jobid])
        self.assertEqual((body["output"][0]["state"], body["output"][0]["st"],
                          body["output"][0]["reason"]), ("PENDING", "PD", "JobHeldUser"))
        # A job held since submission is not in the accounting view sfapid adds from the queue:
        # it shows once Slurm's own accounting records it (slurmdbd gets it some seconds after
        # submission, measured between 3 and 13 s on the test cluster), or once it is released
        # or ends; a job waiting for its begin time is in it at once.
        r = self.call("GET", f"/compute/jobs/perlmutter/{jobid}?sacct=true&cached=false")
        body = r.json()
        self.assertEqual((body["status"], body["error"]), ("OK", None), body)
        if self.backend == "local" or not body["output"]:
            self.assertEqual(body["output"], [])
        else:  # Slurm's own record, already there
            self.assertEqual([(row["jobid"], row["state"]) for row in body["output"]],
                             [(jobid, "PENDING")])
        later = self.submit(script("true", "--begin=now+1hour"))
        r = self.call("GET", f"/compute/jobs/perlmutter/{later}?sacct=true&cached=false")
        body = r.json()
        self.assertEqual(body["status"], "OK", body)
        self.check_rows(body["output"], sacct=True)
        self.assertEqual([(row["jobid"], row["state"]) for row in body["output"]], [(later, "PENDING")])
        r = self.call("GET", "/compute/jobs/perlmutter/987654321?cached=false")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"status": "ERROR", "output": [],
                                    "error": "slurm_load_jobs error: Invalid job id specified"})

    def test_form_and_query_validation(self):
        def form_error(fields, loc):
            r = self.post_form("/compute/jobs/perlmutter", fields)
            self.assertEqual(r.status, 422, (fields, r))
            detail = r.json()["detail"]
            self.assertIsInstance(detail, list)
            self.assertEqual(detail[0]["loc"], loc, detail)
            self.assertIsInstance(detail[0]["msg"], str)
            self.assertIsInstance(detail[0]["type"], str)

        before = len(self.jobs(sacct=True, user=self.alice))
        ok = script("true")
        form_error([("isPath", "false")], ["body", "job"])
        form_error([("job", ok)], ["body", "isPath"])
        form_error([("job", ok), ("isPath", "maybe")], ["body", "isPath"])
        form_error([("job", ok), ("isPath", "false"), ("callbackTimeout", "soon")], ["body", "callbackTimeout"])
        form_error([("job", ok), ("isPath", "false"), ("callbackUrl", "ftp://example.org/x")],
                   ["body", "callbackUrl"])
        form_error([("job", ok), ("isPath", "false"), ("callbackUrl", "not a url")], ["body", "callbackUrl"])
        form_error([("job", ok), ("isPath", "false"), ("callbackTimeout", "0")], ["body", "callbackTimeout"])
        form_error([("job", ok), ("isPath", "false"), ("callbackTimeout", "604801")], ["body", "callbackTimeout"])
        form_error([("job", ok), ("isPath", "false"), ("callbackEmail", "Alice <a@example.org>")],
                   ["body", "callbackEmail"])

        def query_error(query, loc):
            r = self.call("GET", "/compute/jobs/perlmutter?" + query)
            self.assertEqual(r.status, 422, (query, r))
            self.assertEqual(r.json()["detail"][0]["loc"], loc, r)

        query_error("kwargs=jobid", ["query", "kwargs"])
        query_error("kwargs=" + urllib.parse.quote("a=b=c"), ["query", "kwargs"])
        query_error("kwargs=%3Dx", ["query", "kwargs"])
        query_error("index=abc", ["query", "index"])
        query_error("limit=ten", ["query", "limit"])
        query_error("sacct=maybe", ["query", "sacct"])
        r = self.call("GET", "/compute/jobs/perlmutter/1?sacct=maybe")
        self.assertEqual(r.status, 422, r)
        # Nothing was submitted by the refused forms.
        self.assertEqual(len(self.jobs(sacct=True, user=self.alice)), before)

    def test_unknown_machine_and_non_compute_system(self):
        routes = [("POST", "/compute/jobs/{}"), ("GET", "/compute/jobs/{}"),
                  ("GET", "/compute/jobs/{}/1"), ("DELETE", "/compute/jobs/{}/1")]
        body = urllib.parse.urlencode({"job": script("true"), "isPath": "false"}).encode()
        for method, route in routes:
            with self.subTest(method=method, route=route):
                r = self.call(method, route.format("nosuch"), body=body if method == "POST" else None,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
                self.assertEqual(r.status, 404, r)
                self.assertIn("Unknown machine 'nosuch'", r.json()["detail"])
                r = self.call(method, route.format("dtns"), body=body if method == "POST" else None,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
                self.assertEqual(r.status, 400, r)
                self.assertIsInstance(r.json()["detail"], str)
                self.assertIn("dtns", r.json()["detail"])

    def test_access_levels_and_unknown_accounts(self):
        green = client_token(self.server, self.alice, "green")
        fields = [("job", script("true")), ("isPath", "false")]
        r = self.post_form("/compute/jobs/perlmutter", fields, token=green)
        self.assertEqual(r.status, 403, r)
        r = self.call("DELETE", "/compute/jobs/perlmutter/1", token=green)
        self.assertEqual(r.status, 403, r)
        r = self.call("GET", "/compute/jobs/perlmutter?cached=false", token=green)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "OK")
        r = self.call("GET", "/compute/jobs/perlmutter", token="nope")
        self.assertEqual(r.status, 401, r)
        nobody = client_token(self.server, "nosuchaccount", "yellow")
        r = self.post_form("/compute/jobs/perlmutter", fields, token=nobody)
        self.assertEqual(r.status, 403, r)
        self.assertIn("has no Unix account", r.json()["detail"])

    def test_row_shapes_and_string_values(self):
        jobid = self.submit(script("sleep 30", "--begin=now+1hour", "-J shape"))
        rows = self.jobs(jobid=jobid)
        self.assertEqual(len(rows), 1)
        self.assertEqual(sorted(rows[0]), sorted(SQUEUE_KEYS))
        rows = self.jobs(jobid=jobid, sacct=True)
        self.assertEqual(len([r for r in rows if r["jobid"] == jobid]), 1)
        self.assertEqual(sorted(rows[0]), sorted(SACCT_KEYS))
        self.assertEqual((rows[0]["state"], rows[0]["jobname"]), ("PENDING", "shape"))


class AnswerOnceEnded(ComputeTest):
    """[tasks] wait_for_end_ms: a submission's and a cancellation's POST answer once the task has
    ended, so the first read of the task (sfapi_client reads it right after, then every second)
    has the job id. 10 s here, far above any machine's time for these."""

    users = USERS
    extra = "[tasks]\nwait_for_end_ms = 10000\n"

    def test_the_first_read_of_a_submission_or_cancel_task_has_its_end(self):
        for i in range(5):
            task_id = self.submit_task(script("true", "--hold", f"-J first-read-{i}"))
            t = self.task(task_id)
            self.assertEqual(t["status"], "completed", t)
            jobid = json.loads(t["result"])["jobid"]
            self.submitted.append((jobid, self.alice))
            self.assertIsNotNone(self.row(jobid))
            r = self.call("DELETE", f"/compute/jobs/perlmutter/{jobid}")
            self.assertEqual(r.status, 200, r)
            task_id = r.json()["task_id"]
            self.assertEqual(r.json(), {"task_id": task_id, "status": "OK", "error": None})
            t = self.task(task_id)
            self.assertEqual(t["status"], "completed", t)
            self.assertEqual(json.loads(t["result"]), {"status": "ok", "jobid": jobid, "error": None})

    def test_a_submission_sbatch_refuses_is_answered_at_its_end_too(self):
        r = self.post_form("/compute/jobs/perlmutter", [("job", "/no/such/script"), ("isPath", "true")])
        self.assertEqual(r.status, 200, r)
        self.assertNotEqual(r.headers.get("x-sfapid-waited"), "timeout")  # ended within the wait
        t = self.task(r.json()["task_id"])
        self.assertEqual(t["status"], "completed", t)
        result = json.loads(t["result"])
        self.assertEqual(result["status"], "error", t)
        self.assertIn("/no/such/script", result["error"])


class AccountCheck(ComputeTest):
    """With projects configured, a job is charged only to a project of the user's that has hours
    left; sbatch's own words say why not."""

    users = USERS

    @classmethod
    def setUpClass(cls):
        alice, bob = cls.users.accounts["alice"], cls.users.accounts["bob"]
        cls.extra = (f'[[projects]]\nrepo_name = "default"\ncpu_hours = 1000\nmembers = ["{alice}"]\n'
                     f'[[projects]]\nrepo_name = "spent"\ncpu_hours = 0\nmembers = ["{alice}", "{bob}"]\n')
        super().setUpClass()

    def test_only_members_with_hours_left_can_charge_a_project(self):
        jobid = self.submit(script("true"))
        self.wait_ended(jobid)
        invalid = ("sbatch: error: Batch job submission failed: Invalid account or "
                   "account/partition combination specified")
        self.assertEqual(self.submit_error(script("true"), user=self.bob), invalid)
        self.assertEqual(self.submit_error(script("true", "-A nosuch")), invalid)
        self.assertIn("Job violates accounting/QOS policy", self.submit_error(script("true", "-A spent")))
        # Options a scheduler refuses or this server's parser does not know (Slurm takes
        # "singleton") do not hide the account; nor does a cluster of short flags.
        for directives in [("-d singleton", "-A spent"), ("--no-such-option", "--account=spent"), ("-HA spent",)]:
            with self.subTest(directives=directives):
                self.assertIn("Job violates accounting/QOS policy", self.submit_error(script("true", *directives)))
        # The account checked is the account charged, whatever the script says in a form the check
        # does not read: "--comment" takes "-J" as its value, so sbatch reads "-A spent" after it.
        jobid = self.submit(script("true", "--comment -J -A spent"))
        self.assertEqual(self.wait_ended(jobid, timeout=60)["account"], "default")
