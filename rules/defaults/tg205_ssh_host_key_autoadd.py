"""TG205: paramiko told to accept unknown SSH host keys."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import edits_fix, insert_before
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit
from tabguard.rules._spelling import spell

_TRUSTING_POLICIES = frozenset({"AutoAddPolicy", "WarningPolicy"})


class SshHostKeyAutoAdd(Rule):
    id = "TG205"
    name = "ssh-host-key-autoadd"
    severity = "high"
    confidence = "high"
    cwe = (295, 322)
    owasp = "A07:2025"
    message = "SSH host key not verified: `{policy}` accepts any server"
    placeholders = {"policy": "AutoAddPolicy"}
    aliases = ("B507", "S507")
    call_names = frozenset({"set_missing_host_key_policy"})
    what = "`set_missing_host_key_policy({policy})` makes the SSH client trust whatever key an unknown server presents."
    why = (
        "The host key is the only thing proving that the SSH server is the one you meant. With "
        "`AutoAddPolicy` (or `WarningPolicy`, which only logs) an attacker who can redirect the "
        "connection (DNS spoofing, ARP poisoning, a hijacked IP) completes the handshake with their own "
        "key, receives the password or agent-forwarded credentials, and sees or alters every command. "
        "Assistants add it to make the first connection work without a `known_hosts` entry."
    )
    how = (
        "Load known host keys (`client.load_system_host_keys()` or `load_host_keys(path)` with the "
        "server's key distributed out of band) and keep `RejectPolicy` (paramiko's default)."
    )
    example = (
        'client = paramiko.SSHClient()\nclient.load_host_keys("/etc/myapp/known_hosts")\n'
        "client.set_missing_host_key_policy(paramiko.RejectPolicy())"
    )
    fix_safety = (
        "Unsafe: the rewrite loads the system's known hosts (`load_system_host_keys()`, unless the code "
        "already loads known hosts) and uses `RejectPolicy`; connections to hosts missing from the "
        "known-hosts files now fail: add their keys (verified out of band) before deploying."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/322.html",
        "https://docs.paramiko.org/en/stable/api/client.html#paramiko.client.SSHClient.set_missing_host_key_policy",
    )
    VALID = (
        "import paramiko\nclient = paramiko.SSHClient()\nclient.set_missing_host_key_policy(paramiko.RejectPolicy())\n",
        "import paramiko\nclient = paramiko.SSHClient()\nclient.load_system_host_keys()\n",
        "class AutoAddPolicy:\n    pass\nregistry.add(AutoAddPolicy())\n",
    )
    INVALID = (
        Invalid(
            "import paramiko\nclient = paramiko.SSHClient()\nclient.set_missing_host_key_policy(paramiko.AutoAddPolicy())\n",
            "import paramiko\nclient = paramiko.SSHClient()\nclient.load_system_host_keys()\n"
            "client.set_missing_host_key_policy(paramiko.RejectPolicy())\n",
        ),
        Invalid(
            "from paramiko import client\nssh = client.SSHClient()\nssh.set_missing_host_key_policy(client.WarningPolicy)\n",
            "from paramiko import client\nssh = client.SSHClient()\nssh.load_system_host_keys()\n"
            "ssh.set_missing_host_key_policy(client.RejectPolicy())\n",
        ),
        Invalid(
            "from paramiko import SSHClient, AutoAddPolicy\nssh = SSHClient()\nssh.set_missing_host_key_policy(AutoAddPolicy())\n",
            "from paramiko import SSHClient, AutoAddPolicy, RejectPolicy\nssh = SSHClient()\nssh.load_system_host_keys()\n"
            "ssh.set_missing_host_key_policy(RejectPolicy())\n",
        ),
        Invalid(
            "import paramiko\ndef connect(host):\n    ssh = paramiko.SSHClient()\n    ssh.load_system_host_keys()\n"
            "    ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())\n    ssh.connect(host)\n",
            "import paramiko\ndef connect(host):\n    ssh = paramiko.SSHClient()\n    ssh.load_system_host_keys()\n"
            "    ssh.set_missing_host_key_policy(paramiko.RejectPolicy())\n    ssh.connect(host)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "set_missing_host_key_policy" and node.args):
            return
        policy = node.args[0]
        target = policy.func if isinstance(policy, ast.Call) else policy
        name = ctx.qualname(target) or ""
        tail = name.rpartition(".")[2]
        if tail not in _TRUSTING_POLICIES:
            return
        # `RejectPolicy()` spelled through the module the code already uses, else through `paramiko`.
        if isinstance(target, ast.Attribute):
            name, imports = f"{ast.unparse(target.value)}.RejectPolicy", ()
        else:
            name, imports = spell(ctx, "paramiko.RejectPolicy") or ("paramiko.RejectPolicy", ("paramiko",))
        edits = [Edit(ctx.span(policy), f"{name}()")]
        if not _loads_known_hosts(ctx):
            # RejectPolicy alone rejects every host: the known_hosts keys must be loaded first.
            statement = ctx.parent(node)
            client = node.func.value
            load = isinstance(statement, ast.Expr) and insert_before(
                ctx, statement, f"{ast.unparse(client)}.load_system_host_keys()"
            )
            if not load:
                edits = []
            else:
                edits.insert(0, load)
        fix = (
            edits_fix(edits, "Fix: load the known hosts and use paramiko.RejectPolicy()", safe=False, imports=imports)
            if edits
            else None
        )
        ctx.report(self, policy, details={"policy": tail}, fix=fix)


def _loads_known_hosts(ctx) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("load_system_host_keys", "load_host_keys")
        for node in ctx.scope_nodes()
    )
