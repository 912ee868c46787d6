"""Runs command lines through the real AWS CLI v1 driver against a dead endpoint.

A command that parsed and passed the CLI's parameter validation gets as far as
connecting, and fails there: that is the only outcome that counts as valid.
One process serves every test file (started by tests/support/aws-cli-server.ts)
on a loopback port: POST a JSON array of {"run": line, "split": line}, get one
{"ok": bool, "argv": [...], "message": str} each: `run` is executed (its placeholders replaced by
dummies), `split` (the line as printed) is only split into the words the shell would pass.
Every command gets a fresh driver and session, as a new `aws` process would (customizations
register handlers on the session per command, so a shared one misparses the next command), but
they share one model loader, so each service model is read once; a line is judged once per run.
"""

import io
import json
import os
import shlex
import stat
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEAD_ENDPOINT = "http://127.0.0.1:9"
CONNECT_FAILURE = "Could not connect to the endpoint URL"

# No credentials, config or instance metadata of this machine, and no retries against the dead endpoint.
os.environ.update(
    AWS_ACCESS_KEY_ID="x",
    AWS_SECRET_ACCESS_KEY="x",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_MAX_ATTEMPTS="1",
    AWS_RETRY_MODE="standard",
    AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    AWS_EC2_METADATA_DISABLED="true",
    AWS_PAGER="",
)
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_SESSION_TOKEN", None)

# `aws ecs execute-command` looks for the Session Manager plugin before it calls the API: a stand-in that
# does nothing lets the CLI reach the endpoint, so the command is judged on its arguments alone.
_bin = tempfile.mkdtemp(prefix="aws-cli-check-")
_plugin = os.path.join(_bin, "session-manager-plugin")
with open(_plugin, "w") as f:
    f.write("#!/bin/sh\nexit 0\n")
os.chmod(_plugin, stat.S_IRWXU)
os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

from awscli.clidriver import create_clidriver  # noqa: E402

_loader = create_clidriver().session.get_component("data_loader")
_judged = {}


def check(line):
    try:
        argv = shlex.split(line, comments=True)
    except ValueError as error:
        return {"ok": False, "argv": [], "message": f"not a shell command line: {error}"}
    if not argv or argv[0] != "aws":
        return {"ok": False, "argv": argv, "message": "does not start with aws"}
    stderr, stdout = io.StringIO(), io.StringIO()
    saved = sys.stderr, sys.stdout
    sys.stderr, sys.stdout = stderr, stdout
    driver = create_clidriver()
    driver.session.register_component("data_loader", _loader)
    try:
        code = driver.main(argv[1:] + ["--endpoint-url", DEAD_ENDPOINT])
    except SystemExit as exit:
        code = exit.code
    except Exception as error:  # the driver reports its own errors; anything else is a failure too
        code = f"{type(error).__name__}: {error}"
    finally:
        sys.stderr, sys.stdout = saved
    message = stderr.getvalue().strip()
    if CONNECT_FAILURE in message:
        return {"ok": True, "argv": argv, "message": ""}
    # argparse prints the whole usage (and a list of choices) around its reason: keep the line that says it.
    lines = [line for line in message.splitlines() if line.strip()]
    said = [line for line in lines if "error" in line.lower() or "invalid choice" in line.lower() or "unknown options" in line.lower()]
    reason = (said or lines or [f"exit {code} without reaching the endpoint"])[-1].strip()
    return {"ok": False, "argv": argv, "message": reason}


# Test files ask at the same time; the driver swaps sys.stderr and shares one session, so one command at a time.
_driver_lock = threading.Lock()


def judge(request):
    with _driver_lock:
        if request["run"] not in _judged:
            _judged[request["run"]] = check(request["run"])
        result = dict(_judged[request["run"]])
    try:
        result["argv"] = shlex.split(request["split"], comments=True)
    except ValueError:
        pass
    return result


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        requests = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body = json.dumps([judge(request) for request in requests]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        # How many distinct command lines this run judged, and how many reached the endpoint.
        with _driver_lock:
            stats = {"judged": len(_judged), "passed": sum(1 for r in _judged.values() if r["ok"])}
        body = json.dumps(stats).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    if len(sys.argv) > 1:
        # One-off use: python3 aws_cli_check.py 'aws ecs describe-tasks …'
        for line in sys.argv[1:]:
            print(json.dumps(check(line)))
        sys.exit(0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
