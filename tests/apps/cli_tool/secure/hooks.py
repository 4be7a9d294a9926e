"""User-configured commands run after an export."""

import subprocess


def run_hook(**options):
    subprocess.run(["notify-send", options["message"]], check=False)
