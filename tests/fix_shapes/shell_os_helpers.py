import os
from os import system as run_shell


def compress(path):
    exit_code = os.system("gzip -k %s" % path)
    return exit_code == 0


def disk_usage(folder):
    return os.popen("du -sh " + folder).read().split()[0]


def restart(service):
    run_shell(f"systemctl restart {service}")
