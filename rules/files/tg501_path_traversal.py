"""TG501: a path built from request data reaches a file-system call (path traversal)."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules.files._flow import remote_taint
from tabguard.rules.files._paths import PATH_CALL_NAMES, path_arguments, secure_filename_fix
from tabguard.rules._spelling import WEB_APP


class PathTraversal(Rule):
    id = "TG501"
    name = "path-traversal"
    severity = "high"
    confidence = "medium"
    cwe = (22,)
    quiet_in_tests = True
    owasp = "A01:2025"
    message = "User-controlled path reaches `{callee}` ({source}): path traversal"
    placeholders = {"callee": "open", "source": "request.args"}
    call_names = PATH_CALL_NAMES
    what = (
        "A file name or path that comes from the request ({source}) is used by `{callee}` without being "
        "reduced to a bare name or checked to stay inside the intended directory."
    )
    why = (
        "`os.path.join(BASE, name)` does not confine `name`: `../../etc/passwd` walks out of `BASE`, and "
        "an absolute name such as `/home/app/.env` replaces `BASE` altogether. A download endpoint "
        "written as `open(os.path.join(REPORTS, request.args['file']))` serves the application's "
        "secrets, SSH keys or database to anyone who asks for `?file=../../.env`; on a write or delete "
        "endpoint the same request overwrites or removes files the process can reach."
    )
    how = (
        "Reduce the value to a file name (`werkzeug.utils.secure_filename`, `os.path.basename`) or, when "
        "sub-directories are legitimate, resolve the full path and refuse it unless it stays inside the "
        "base directory (`Path(BASE, name).resolve().is_relative_to(BASE)` or "
        "`os.path.realpath(...).startswith(BASE + os.sep)` followed by `abort`/`raise`). In Flask, "
        "`send_from_directory(BASE, name)` does both for downloads. An allow-list of known names is "
        "the strongest option."
    )
    example = (
        "name = secure_filename(request.args['file'])\n"
        "path = (REPORTS / name).resolve()\n"
        "if not path.is_relative_to(REPORTS):\n"
        "    abort(404)\n"
        "return path.read_text()"
    )
    fix_safety = (
        "Unsafe: a user value joined to a base directory (`os.path.join(BASE, name)`, `BASE / name`, "
        "an f-string) is passed through werkzeug's `secure_filename`, offered only when the project "
        "declares werkzeug: `..`, slashes and odd characters are dropped, so names in sub-folders or "
        "with non-ASCII letters no longer resolve. A path taken whole from the user has no mechanical "
        "rewrite (where it may point is a decision)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/22.html",
        "https://owasp.org/www-community/attacks/Path_Traversal",
        "https://docs.python.org/3/library/os.path.html#os.path.join",
    )
    VALID = (
        # the pattern is the program's own; only the matches are filtered by the request
        "from pathlib import Path\nfrom flask import request\nLOGS = Path('/var/log/app')\n@app.get('/logs')\ndef logs():\n"
        "    day = request.args['day']\n    return {'files': [p.name for p in LOGS.glob('*.log') if p.stem == day]}\n",
        # A `get` method of a class that handles no request: its caller chooses the name.
        'import os\nclass Cache:\n    def get(self, name):\n        return open(os.path.join("/var/cache/app", name)).read()\n',
        # test code (engine/testcode.py): a task that a test calls with its own file names
        Valid(
            "from celery import shared_task\n@shared_task\ndef append(file_name, line):\n"
            "    with open(file_name, 'a') as out:\n        out.write(line)\n",
            path="tests/tasks.py",
        ),
        # Reduced to a bare file name.
        "import os\nfrom flask import request\nfrom werkzeug.utils import secure_filename\n"
        "@app.route('/r')\ndef r():\n    name = secure_filename(request.args['f'])\n"
        "    return open(os.path.join('/srv/reports', name)).read()\n",
        # Resolved and checked to stay inside the base directory.
        "from pathlib import Path\nfrom flask import request, abort\nBASE = Path('/srv/reports')\n"
        "@app.route('/r')\ndef r():\n    path = (BASE / request.args['f']).resolve()\n"
        "    if not path.is_relative_to(BASE):\n        abort(404)\n    return path.read_text()\n",
        "import os\nfrom flask import request, abort\nBASE = '/srv/reports'\n"
        "@app.route('/r')\ndef r():\n    full = os.path.realpath(os.path.join(BASE, request.args['f']))\n"
        "    if os.path.commonpath([BASE, full]) != BASE:\n        abort(403)\n    return open(full).read()\n",
        # A prefix check on the normalised path.
        "import os\nfrom flask import request, abort\nBASE = '/srv/reports'\n"
        "@app.route('/r')\ndef r():\n    full = os.path.realpath(os.path.join(BASE, request.args['f']))\n"
        "    if not full.startswith(BASE + os.sep):\n        abort(403)\n    return open(full).read()\n",
        # Allow-listed.
        "from flask import request, abort\nREPORTS = {'daily.csv', 'weekly.csv'}\n"
        "@app.route('/r')\ndef r():\n    name = request.args['f']\n    if name not in REPORTS:\n        abort(404)\n"
        "    return open('/srv/reports/' + name).read()\n",
        # A command-line tool opening the file its own user names is not an attack surface.
        "import sys\nwith open(sys.argv[1]) as fh:\n    print(fh.read())\n",
        # A path from the environment is configuration (see engine/inputs.py).
        "import os\ndef load():\n    with open(os.environ['APP_CONFIG']) as fh:\n        return fh.read()\n",
        # str.replace on request data is not a file operation.
        "from flask import request\n@app.route('/r')\ndef r():\n    return request.args['q'].replace('a', 'b')\n",
    )
    INVALID = (
        # a glob pattern from a header: `*` matches every key file, `../` leaves the folder
        Invalid(
            "from pathlib import Path\nKEYS = Path('/var/lib/app/keys')\ndef key_owner(request):\n"
            "    token = request.headers['X-Api-Key']\n    for match in KEYS.glob('key.*.' + token):\n"
            "        return match.name.split('.')[1]\n",
            message="`KEYS.glob`",
        ),
        Invalid(
            "import glob\nfrom flask import request\n@app.get('/logs')\ndef logs():\n"
            "    return {'files': glob.glob('/var/log/app/' + request.args['day'] + '*.log')}\n"
        ),
        # A prefix check on a joined path that was never normalised: `../../etc/passwd` still passes it.
        Invalid(
            "import os\nfrom flask import request, abort\nBASE = '/srv/reports'\n"
            "@app.route('/r')\ndef r():\n    full = os.path.join(BASE, request.args['f'])\n"
            "    if not full.startswith(BASE):\n        abort(403)\n    return open(full).read()\n",
            message="path traversal",
        ),
        # A field of a submitted form (Flask-WTF) names the file.
        Invalid(
            "import os\nfrom flask import Flask\napp = Flask(__name__)\n@app.route('/notes', methods=['POST'])\ndef notes():\n"
            "    form = NoteForm()\n    if form.validate_on_submit():\n"
            "        return open(os.path.join('/srv/notes', form.title.data)).read()\n",
            message="form.title.data",
        ),
        # A Flask class-based view: `get`'s parameters are the URL's captured values.
        Invalid(
            "import os\nfrom flask.views import MethodView\nclass Report(MethodView):\n    def get(self, name):\n"
            "        return open(os.path.join('/srv/reports', name)).read()\n",
            message="URL parameter 'name'",
        ),
        Invalid(
            "import os\nfrom flask import request\n@app.route('/r')\ndef r():\n"
            "    return open(os.path.join('/srv/reports', request.args['f'])).read()\n",
            "import werkzeug.utils\nimport os\nfrom flask import request\n@app.route('/r')\ndef r():\n"
            "    return open(os.path.join('/srv/reports', werkzeug.utils.secure_filename(request.args['f']))).read()\n",
            path=WEB_APP,
        ),
        Invalid(
            "from pathlib import Path\n@app.get('/files/{name}')\ndef read(name: str):\n"
            "    return (Path('/srv/files') / name).read_text()\n",
            "import werkzeug.utils\nfrom pathlib import Path\n@app.get('/files/{name}')\ndef read(name: str):\n"
            "    return (Path('/srv/files') / werkzeug.utils.secure_filename(name)).read_text()\n",
            path=WEB_APP,
        ),
        Invalid(
            "import os\nfrom django.http import HttpResponse\ndef delete(request, filename):\n"
            "    os.remove(os.path.join('/srv/uploads', filename))\n    return HttpResponse(status=204)\n",
            "import werkzeug.utils\nimport os\nfrom django.http import HttpResponse\n"
            "def delete(request, filename):\n"
            "    os.remove(os.path.join('/srv/uploads', werkzeug.utils.secure_filename(filename)))\n"
            "    return HttpResponse(status=204)\n",
            path=WEB_APP,
        ),
        Invalid(
            "import shutil\nfrom flask import request\n@app.post('/copy')\ndef copy():\n"
            "    shutil.copy('/srv/template.txt', request.form['dest'])\n",
            path=WEB_APP,
        ),
        Invalid(
            "import os\nwith open('/srv/pages/' + os.environ['PATH_INFO']) as fh:\n    print(fh.read())\n",
        ),
        Invalid(
            "import boto3\nsqs = boto3.client('sqs')\ndef work(queue_url):\n"
            "    for message in sqs.receive_message(QueueUrl=queue_url)['Messages']:\n"
            "        with open('/srv/reports/' + message['Body']) as fh:\n            print(fh.read())\n",
            "import werkzeug.utils\nimport boto3\nsqs = boto3.client('sqs')\ndef work(queue_url):\n"
            "    for message in sqs.receive_message(QueueUrl=queue_url)['Messages']:\n"
            "        with open('/srv/reports/' + werkzeug.utils.secure_filename(message['Body'])) as fh:\n"
            "            print(fh.read())\n",
            path=WEB_APP,
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        for path in path_arguments(ctx, node):
            source = remote_taint(ctx, path)
            if source is not None:
                callee = ctx.call_name(node) or ast.unparse(node.func)
                ctx.report(
                    self,
                    path,
                    details={"callee": callee},
                    source=source,
                    fix=secure_filename_fix(ctx, path, whole=False),
                )
                return
