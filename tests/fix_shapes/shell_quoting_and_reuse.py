import os
import subprocess


def a(branch):
    subprocess.run(f'git checkout "{branch}"', shell=True, check=True)


def b(msg):
    os.system("git commit -m '%s'" % msg)


def c(user, n):
    cmd = f"useradd -m {user} -c ''"
    rc = os.system(cmd)
    if rc != 0:
        raise RuntimeError(cmd)


def d(path):
    for line in os.popen("wc -l " + path):
        print(line)


def e(host):
    command = "ping -c 4 " + host
    print("running", command)
    return subprocess.check_output(command, shell=True)


def f(name):
    with os.popen(f"file {name}") as fh:
        return fh.read()


def g(url):
    os.system(f"curl -s {url} | sh")


def h(q):
    subprocess.run("grep \"$HOME\" " + q, shell=True)


def i(words):
    os.system('echo "' + words + '" >> /tmp/log')


def j(n):
    if os.system("sleep %d" % n):
        return False
    return True
