"""Deployment and notification helpers for a nightly ops job."""

import ftplib
import os
import smtplib
import ssl
import stat
import tempfile

import paramiko

SMTP_HOST = os.environ.get("SMTP_HOST", "smtp.example.com")


def run_remote(host, command):
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # expect: CWE-295
    client.set_missing_host_key_policy(paramiko.RejectPolicy())  # secure: CWE-295
    client.connect(host, username="deploy", key_filename=os.environ["DEPLOY_KEY"])
    return client.exec_command(command)


def notify(user, password, message):
    server = smtplib.SMTP(SMTP_HOST, 587, timeout=10)  # expect: CWE-319
    server.login(user, password)
    server.send_message(message)
    server.quit()


def notify_tls(user, password, message):
    with smtplib.SMTP(SMTP_HOST, 587, timeout=10) as server:  # secure: CWE-319
        server.starttls(context=ssl.create_default_context())
        server.login(user, password)
        server.send_message(message)


def upload_report(path, user, password):
    ftp = ftplib.FTP("files.example.com", user, password)  # expect: CWE-319
    with open(path, "rb") as fh:
        ftp.storbinary("STOR report.csv", fh)


def prepare_dirs(base):
    os.makedirs(os.path.join(base, "shared"), mode=0o777, exist_ok=True)  # expect: CWE-732
    os.makedirs(os.path.join(base, "private"), mode=0o700, exist_ok=True)  # secure: CWE-732
    os.chmod(os.path.join(base, "run.sh"), 0o755)  # secure: CWE-732
    os.chmod(os.path.join(base, "upload"), stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO)  # expect: CWE-732
    os.chmod(os.path.join(base, "deploy_key.pem"), 0o644)  # expect: CWE-732


def write_snapshot(data):
    path = tempfile.mktemp(suffix=".json")  # expect: CWE-377
    with open(path, "w") as fh:
        fh.write(data)
    fd, safe_path = tempfile.mkstemp(suffix=".json")  # secure: CWE-377
    with os.fdopen(fd, "w") as fh:
        fh.write(data)
    with open("/tmp/nightly_snapshot.json", "w") as fh:  # expect: CWE-377
        fh.write(data)
    return safe_path
