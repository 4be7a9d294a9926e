"""User-configured commands run after an export."""

import subprocess


def run_hook(**options):
    command = "notify-send " + options["message"]
    subprocess.run(command, shell=True, check=False)
