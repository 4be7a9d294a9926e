import os
import subprocess
import subprocess as sp
from subprocess import check_output as co, Popen

from flask import Flask, request

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    output = subprocess.check_output(f"ping -c 1 {host}", shell=True, text=True)
    return {"output": output}


@app.route("/lookup")
def lookup():
    domain = request.args["domain"]
    cmd = "nslookup " + domain
    result = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    return {"out": result.stdout}


@app.route("/convert")
def convert():
    name = request.args["file"]
    width = request.args.get("w", "100")
    try:
        sp.run(
            "convert uploads/%s -resize %sx output.png" % (name, width),
            shell=True,
            check=True,
        )
    except sp.CalledProcessError as exc:
        return {"error": str(exc)}, 500
    return {"ok": True}


@app.route("/grep")
def grep():
    pattern = request.args["p"]
    out = co("grep -r '{}' /var/log/app".format(pattern), shell=True)
    return out


@app.route("/archive")
def archive():
    folder = request.args["folder"]
    os.system("tar czf /tmp/backup.tgz " + folder)
    return "ok"


@app.route("/ls")
def listing():
    path = request.args["path"]
    stream = os.popen(f"ls -la {path}")
    return stream.read()


@app.route("/whois")
def whois():
    d = request.args["d"]
    proc = Popen(f"whois {d}", shell=True, stdout=subprocess.PIPE)
    out, _ = proc.communicate()
    return out


def backup(db_name):
    command = f"pg_dump {db_name} > /backups/{db_name}.sql"
    subprocess.call(command, shell=True)


def git_log(repo):
    with open("log.txt", "w") as fh:
        subprocess.run("git -C " + repo + " log --oneline", shell=True, stdout=fh)
