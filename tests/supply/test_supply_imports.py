"""Import resolution and the import rules (TG701-TG704) on real files in a real workspace."""

from __future__ import annotations

from tabguard.analysis import analyze_text, check_dependency_file
from tabguard.cli import main
from tabguard.engine.fixes import apply_edits, materialize
from tabguard.supply.workspace import workspace_for

UNKNOWN = "fastapi_auth_helpers"  # not on the index snapshot


def findings(workspace, relative: str, code: str, **options):
    path = workspace.write(relative, code)
    doc = analyze_text(code, str(path), options={**workspace.config().options(), **options})
    return [f for f in doc.findings() if f.rule_id.startswith("TG7")], doc


def ids(found) -> list[str]:
    return sorted(f.rule_id for f in found)


def test_installed_distribution_metadata_maps_import_names(workspace):
    # Neither name is on the index: only the installed metadata can vouch for them.
    workspace.install("acme-internal-widgets", "1.4.0", ["acmewidgets_core"])
    workspace.install("Zorblax-Tools", "0.3", ["zorblax"], top_level=False)  # RECORD only
    workspace.write("requirements.txt", "acme-internal-widgets==1.4.0\nzorblax-tools==0.3\n")
    found, _ = findings(workspace, "app.py", "import acmewidgets_core\nfrom zorblax import run\n")
    assert found == []
    ws, _ = workspace_for(str(workspace.root / "app.py"))
    resolution = ws.resolve("zorblax.sub", workspace.root / "app.py")
    assert (resolution.kind, resolution.distribution, resolution.declared) == ("installed", "zorblax-tools", True)


def test_unknown_name_is_flagged_with_what_was_checked(workspace):
    found, _ = findings(workspace, "app.py", f"from {UNKNOWN} import require_user\n")
    assert ids(found) == ["TG701"]
    message = found[0].message
    assert UNKNOWN in message and "package index snapshot" in message and str(workspace.root) in message
    assert found[0].span.start_col == len("from ")


def test_typo_of_popular_package_gets_the_real_name(workspace):
    code = "import reqeusts\nfrom skleran.ensemble import RandomForestClassifier\n"
    found, doc = findings(workspace, "app.py", code)
    assert ids(found) == ["TG702", "TG702"]
    targets = sorted(f.details["target"] for f in found)
    assert targets == ["requests", "scikit-learn"]
    edits = [e for f in found for e in materialize(f.fix(), doc.lines)]
    fixed = "\n".join(apply_edits(doc.lines, edits))
    assert fixed == "import requests\nfrom sklearn.ensemble import RandomForestClassifier\n"


def test_stdlib_future_relative_and_local_modules_are_not_noise(workspace):
    workspace.write("src/shop/__init__.py", "")
    workspace.write("src/shop/models.py", "")
    workspace.write("helpers_mod.py", "")
    workspace.write("scripts/tool_support.py", "")
    code = (
        "from __future__ import annotations\n"
        "import os, json, sqlite3\n"
        "from collections.abc import Mapping\n"
        "from . import views\n"
        "from .models import Order\n"
        "from shop.models import Order as O\n"
        "import helpers_mod\n"
        "import tool_support\n"
    )
    found, _ = findings(workspace, "scripts/run.py", code)
    assert found == []


def test_optional_imports_are_not_noise(workspace):
    code = (
        "from typing import TYPE_CHECKING\n"
        "try:\n"
        f"    import {UNKNOWN} as helpers\n"
        "except ImportError:\n"
        "    helpers = None\n"
        "try:\n"
        "    import ujson as json\n"
        "except (ModuleNotFoundError, ValueError):\n"
        f"    import zz_{UNKNOWN} as json\n"
        "if TYPE_CHECKING:\n"
        f"    from {UNKNOWN}_types import Guard\n"
        "import sys\n"
        "if sys.platform == 'win32':\n"
        "    import winreg_helpers_xyz\n"
    )
    found, _ = findings(workspace, "app.py", code)
    assert found == []


def test_a_bare_import_of_an_unknown_name_inside_a_function_is_still_checked(workspace):
    found, _ = findings(workspace, "app.py", f"def handler():\n    import {UNKNOWN}\n    return 1\n")
    assert ids(found) == ["TG701"]


def test_declared_dependencies_from_every_file_format(workspace):
    workspace.write(
        "pyproject.toml",
        (
            '[project]\nname = "shop"\ndependencies = ["requests>=2.31"]\n'
            '[project.optional-dependencies]\ntest = ["pytest>=8"]\n'
            '[tool.poetry.dependencies]\npython = "^3.11"\nrich = "^13"\n'
        ),
    )
    workspace.write("requirements.txt", "-r requirements/base.txt\n")
    workspace.write("requirements/base.txt", "httpx==0.27.0\n")
    workspace.write("setup.cfg", "[options]\ninstall_requires =\n    click>=8\n")
    code = "import requests\nimport pytest\nimport rich\nimport httpx\nimport click\nimport shop\nimport flask\n"
    found, _ = findings(workspace, "app.py", code)
    assert [(f.rule_id, f.details["module"]) for f in found] == [("TG703", "flask")]
    assert found[0].severity == "low"


def test_undeclared_installed_import_says_so(workspace):
    workspace.install("PyYAML", "6.0.1", ["yaml", "_yaml"])
    found, _ = findings(workspace, "app.py", "import yaml\n")
    assert ids(found) == ["TG703"]
    assert found[0].details["distribution"] == "pyyaml" and "installed" in found[0].message


def test_no_undeclared_hint_without_dependency_files(tmp_path):
    root = tmp_path / "loose"
    (root / ".git").mkdir(parents=True)
    code = "import flask\n"
    path = root / "app.py"
    path.write_text(code)
    found = [f for f in analyze_text(code, str(path)).findings() if f.rule_id.startswith("TG7")]
    assert found == []


def test_no_hallucination_guess_outside_a_project(tmp_path):
    # Without a project folder the workspace's own modules are unknown: `api`, `core` may be local.
    code = "from core.config import settings\nimport reqeusts\n"
    found = [
        f.rule_id for f in analyze_text(code, str(tmp_path / "snippet.py")).findings() if f.rule_id.startswith("TG7")
    ]
    assert found == ["TG702"]


def test_deprecated_package_names_its_replacement(workspace):
    workspace.install("pycrypto", "2.6.1", ["Crypto"])
    workspace.write("requirements.txt", "pycrypto==2.6.1\n")
    found, _ = findings(workspace, "app.py", "from Crypto.Cipher import AES\nfrom jose import jwt\n")
    deprecated = [f for f in found if f.rule_id == "TG704"]
    assert [f.details["distribution"] for f in deprecated] == ["pycrypto", "python-jose"]
    assert "pycryptodome" in deprecated[0].message


def test_pycryptodome_provides_crypto_too_and_is_fine(workspace):
    workspace.install("pycryptodome", "3.20.0", ["Crypto"])
    workspace.write("requirements.txt", "pycryptodome==3.20.0\n")
    found, _ = findings(workspace, "app.py", "from Crypto.Cipher import AES\n")
    assert found == []


def test_trusted_packages_and_configured_interpreter(workspace, tmp_path):
    other = tmp_path / "elsewhere-env"
    site = other / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    info = site / "corp_private_sdk-2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Name: corp-private-sdk\nVersion: 2.0\n\n")
    (info / "top_level.txt").write_text("corpsdk\n")
    code = f"import corpsdk\nimport {UNKNOWN}\n"
    found, _ = findings(
        workspace, "app.py", code, python=str(other / "bin" / "python"), **{"trusted-packages": (UNKNOWN,)}
    )
    assert [f.rule_id for f in found] == ["TG703"]  # installed there, not declared; the trusted name is silent


def test_new_files_and_new_installs_are_seen(workspace, rereads):
    found, _ = findings(workspace, "app.py", "import flask_late_module_xyz\n")
    assert ids(found) == ["TG701"]
    workspace.write("flask_late_module_xyz.py", "")
    found, _ = findings(workspace, "app.py", "import flask_late_module_xyz\n")
    assert found == []


def test_missing_generic_modules_are_left_to_the_workspace(workspace):
    # `database`, `user_service`: the snippet's own modules, not yet written; `lspclient` lives in
    # another folder of the workspace that the tests put on sys.path.
    workspace.write("benchmarks/lspclient.py", "")
    code = "from database import SessionLocal\nfrom user_service import Users\nimport lspclient\nimport django_easy_audit_log\n"
    found, _ = findings(workspace, "tests/test_app.py", code)
    assert [(f.rule_id, f.details["module"]) for f in found] == [("TG701", "django_easy_audit_log")]


def test_installed_lookalike_distribution_is_flagged_at_the_import(workspace, rereads):
    # A squatted distribution that installs the real import name: the import is right, the
    # dependency is not, so no rename is offered here.
    workspace.install("reqeusts", "2.99.0", ["requests"])
    workspace.write("requirements.txt", "reqeusts==2.99.0\n")
    found, _ = findings(workspace, "app.py", "import requests\n")
    assert [(f.rule_id, f.details["name"], f.details["target"]) for f in found] == [("TG702", "reqeusts", "requests")]
    assert found[0].fix() is None
    # Declared under the typo and imported under it too: the import is renamed.
    workspace.write("requirements.txt", "colourama==0.4.6\n")
    found, doc = findings(workspace, "other.py", "import colourama\n")
    assert [(f.rule_id, f.details["target"]) for f in found] == [("TG702", "colorama")]
    assert apply_edits(doc.lines, found[0].fix().edits)[0] == "import colorama"


def test_warm_up_indexes_the_workspace_ahead_of_time(workspace):
    from tabguard.supply.workspace import warm_up

    workspace.write("tools/sidecar_mod.py", "")
    warm_up(str(workspace.root / "app.py"))
    ws, file = workspace_for(str(workspace.root / "app.py"))
    assert ws.resolve("sidecar_mod", file).kind == "local"


# -- TG703 on real projects' shapes ---------------------------------------------------------------
def _modules(found) -> list[str]:
    return sorted(f.details["module"] for f in found if f.rule_id == "TG703")


def test_what_a_declared_framework_installs_comes_from_the_bundled_map(workspace):
    workspace.write("pyproject.toml", '[project]\nname = "shop"\ndependencies = ["flask>=3", "fastapi"]\n')
    code = (
        "import werkzeug\nimport jinja2\nimport markupsafe\nimport itsdangerous\nimport click\nimport blinker\n"
        "import starlette\nimport pydantic\nimport anyio\nimport requests\n"
    )
    found, _ = findings(workspace, "app.py", code)
    assert _modules(found) == ["requests"]


def test_an_api_with_a_token_library_and_a_document_store(workspace):
    workspace.write("requirements.txt", "fastapi\npython-jose[cryptography]\nmotor==3.4.0\n")
    code = "from jose import jwt\nfrom cryptography.fernet import Fernet\nfrom bson import ObjectId\nimport redis\n"
    assert _modules(findings(workspace, "app.py", code)[0]) == ["redis"]


def test_a_command_line_framework_brings_its_console(workspace):
    workspace.write("requirements.txt", "typer>=0.12\n")
    code = "import typer\nfrom rich.console import Console\nimport tabulate\n"
    assert _modules(findings(workspace, "cli.py", code)[0]) == ["tabulate"]


def test_flask_migrate_brings_what_its_migration_scripts_import(workspace):
    workspace.write("requirements.txt", "Flask-Migrate==4.0.7\n")
    code = "from alembic import op\nimport sqlalchemy as sa\nimport flask_sqlalchemy\nimport flask_login\n"
    assert _modules(findings(workspace, "migrations/versions/3f2a_add_users.py", code)[0]) == ["flask_login"]


def test_an_llm_apps_libraries_bring_their_cores(workspace, rereads):
    workspace.write("requirements.txt", "langchain-openai==0.2.14\nstreamlit==1.41.1\n")
    code = (
        "import streamlit as st\nimport pandas as pd\nfrom PIL import Image\nimport openai\n"
        "from langchain_core.prompts import ChatPromptTemplate\nfrom langchain_community.llms import Ollama\n"
    )
    assert _modules(findings(workspace, "app.py", code)[0]) == ["langchain_community"]
    workspace.write("requirements.txt", "sentence-transformers>=3.0\n")
    code = "import torch\nfrom transformers import AutoTokenizer\nfrom huggingface_hub import hf_hub_download\nimport faiss\n"
    assert _modules(findings(workspace, "search.py", code)[0]) == ["faiss"]


def test_a_documentation_theme_brings_its_generator(workspace):
    workspace.write("requirements-docs.txt", "mkdocs-material==9.5.18\n")
    code = "from mkdocs.config.defaults import MkDocsConfig\nimport yaml\nimport pymdownx\nimport pygments\n"
    assert _modules(findings(workspace, "hooks.py", code)[0]) == []


def test_the_environments_metadata_wins_over_the_bundled_map(workspace):
    # Installed: `flask` here requires only `werkzeug`, and an internal package requires another.
    workspace.install("flask", "9.0", ["flask"], requires=["Werkzeug>=3", "pytest; extra == 'test'"])
    workspace.install("werkzeug", "3.0", ["werkzeug"])
    workspace.install("jinja2", "3.1", ["jinja2"])
    workspace.install("pytest", "8.0", ["pytest"])
    workspace.install("acme-core", "1.0", ["acme_core"], requires=["acme-utils (>=2)"])
    workspace.install("acme-utils", "2.0", ["acme_utils"])
    workspace.write("requirements.txt", "flask==9.0\nacme-core==1.0\n")
    found, _ = findings(workspace, "app.py", "import werkzeug\nimport acme_utils\nimport jinja2\nimport pytest\n")
    assert _modules(found) == ["jinja2", "pytest"]


def test_extras_install_what_they_add(workspace, rereads):
    # From the bundled map: an app's task queue with its broker client, a server with its fast loop.
    workspace.write("requirements.txt", "celery[redis]>=5.3\nfastapi[ standard ]==0.115\npasslib[bcrypt]\nSphinx\n")
    code = "import redis\nimport uvicorn\nimport uvloop\nimport yaml\nimport bcrypt\nimport docutils\nimport h2\n"
    assert _modules(findings(workspace, "app.py", code)[0]) == ["h2"]
    # The extra asked for decides: without it, its packages are not installed.
    workspace.write("requirements.txt", "celery>=5.3\n")
    assert _modules(findings(workspace, "app.py", "import celery\nimport redis\n")[0]) == ["redis"]
    # Poetry's table form.
    workspace.write("requirements.txt", "")
    workspace.write(
        "pyproject.toml",
        '[tool.poetry.dependencies]\npython = "^3.11"\ncelery = {version = "^5.3", extras = ["redis"]}\n',
    )
    assert _modules(findings(workspace, "app.py", "import celery\nimport redis\n")[0]) == []


def test_extras_from_the_environments_metadata(workspace, rereads):
    # An extra's requirements carry an `extra == "..."` marker; one of them may ask for an extra in turn.
    workspace.install(
        "acme-core",
        "1.0",
        ["acme_core"],
        requires=['acme-fast>=2; extra == "speed"', "acme-tools[cli]; extra == 'speed'"],
    )
    workspace.install("acme-fast", "2.0", ["acme_fast"])
    workspace.install(
        "acme-tools", "1.0", ["acme_tools"], requires=['acme-shell; python_version >= "3.8" and extra == "cli"']
    )
    workspace.install("acme-shell", "1.0", ["acme_shell"])
    workspace.write("requirements.txt", "acme-core[speed]==1.0\n")
    code = "import acme_core\nimport acme_fast\nimport acme_tools\nimport acme_shell\n"
    assert _modules(findings(workspace, "app.py", code)[0]) == []
    workspace.write("requirements.txt", "acme-core==1.0\n")
    assert _modules(findings(workspace, "app.py", code)[0]) == ["acme_fast", "acme_shell", "acme_tools"]


def test_setup_py_install_requires_is_read_without_running_it(workspace):
    workspace.write("pyproject.toml", '[build-system]\nrequires = ["setuptools"]\n')
    workspace.write(
        "setup.py",
        (
            "from setuptools import setup\n\nrequires = ['urllib3>=1.21', 'idna']\n"
            "setup(name='shop', install_requires=requires, extras_require={'socks': ['PySocks>=1.5']})\n"
        ),
    )
    found, _ = findings(workspace, "app.py", "import urllib3\nimport idna\nimport socks\nimport yaml\n")
    assert _modules(found) == ["yaml"]


def test_type_checking_imports_vendored_trees_and_test_support_are_quiet(workspace):
    code = "import yaml\n"
    assert _modules(findings(workspace, "shop/_vendor/lib.py", code)[0]) == []
    assert _modules(findings(workspace, "shop/third_party/lib.py", code)[0]) == []
    assert _modules(findings(workspace, "shop/testing.py", code)[0]) == []
    assert _modules(findings(workspace, "shop/test/utils.py", code)[0]) == []
    assert _modules(findings(workspace, "shop/tests.py", code)[0]) == []  # a Django app's test module
    assert (
        _modules(
            findings(
                workspace, "shop/app.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import yaml\n"
            )[0]
        )
        == []
    )
    assert _modules(findings(workspace, "shop/app.py", code)[0]) == ["yaml"]


def test_one_finding_per_package_per_file(workspace):
    # Before: a test case class importing selenium in each of its 20 methods gave 20 findings.
    methods = "".join(
        f"    def test_{i}(self):\n        from yaml.constructor import Loader\n        import yaml.dumper\n"
        for i in range(3)
    )
    found, _ = findings(workspace, "shop/browser.py", f"class Flows:\n{methods}")
    assert [(f.rule_id, f.span.start_line) for f in found] == [("TG703", 2)]
    # Across top-level statements too: the first import is told, the later ones say nothing new.
    found, doc = findings(workspace, "shop/app.py", "import yaml\nimport attr\nfrom yaml import dump\nimport attr.s\n")
    assert [(f.details["distribution"], f.span.start_line) for f in found] == [("pyyaml", 0), ("attrs", 1)]
    # The editor re-checks only the edited statement: deleting the first import brings up the next one.
    doc.replace(0, 0, 1, 0, "")
    assert [(f.details["distribution"], f.span.start_line) for f in doc.findings()] == [("attrs", 0), ("pyyaml", 1)]


def test_tox_environments_and_requirements_one_folder_down_declare_too(workspace):
    # A development script's formatter is installed by a tox environment; a database driver by the
    # test requirements tox includes (`-r` glued to the path, under a factor condition).
    workspace.write(
        "tox.ini",
        "[tox]\nenvlist = py,lint\n\n[testenv]\ndeps =\n    -e .\n    mysql: -r{toxinidir}/ci/db/mysql.txt\n"
        "    {[testenv:lint]deps}\n# a comment line inside the value\n    pytest>=8  # the runner\n"
        "commands = pytest\n\n[testenv:lint]\ndeps = black==24.1.1\ncommands = black --check .\n",
    )
    workspace.write("ci/db/mysql.txt", "mysqlclient>=1.4\n-rcommon.txt\n")
    workspace.write("ci/db/common.txt", "PyYAML\n")
    workspace.write("docs/requirements.txt", "Sphinx>=7\n")
    workspace.write("tests/requirements/base.txt", "Pygments\n")
    workspace.write("test-requirements.txt", "hypothesis\n")
    code = "import black\nimport MySQLdb\nimport pytest\nimport sphinx\nimport yaml\nimport pygments\nimport hypothesis\nimport attr\n"
    assert _modules(findings(workspace, "tools/format_code.py", code)[0]) == ["attr"]


def test_toxs_toml_environments_declare_too(workspace):
    # tox 4's TOML form, in tox.toml or in pyproject.toml's [tool.tox]: each environment's deps, and
    # a requirements file one of them includes.
    workspace.write(
        "tox.toml",
        'env_list = ["py", "lint"]\n\n[env_run_base]\ndeps = ["pytest>=8", "-r{tox_root}/ci/test.txt", '
        '{ replace = "ref", of = ["env", "lint", "deps"] }]\n\n[env.lint]\ndeps = ["black==24.1.1"]\n',
    )
    workspace.write("ci/test.txt", "hypothesis\n")
    workspace.write(
        "pyproject.toml",
        '[project]\nname = "shop"\ndependencies = ["flask"]\n\n[tool.tox.env.docs]\ndeps = ["sphinx"]\n',
    )
    code = "import pytest\nimport black\nimport hypothesis\nimport sphinx\nimport attr\n"
    assert _modules(findings(workspace, "tools/release.py", code)[0]) == ["attr"]


def test_an_include_that_leads_outside_the_workspace_is_not_read(workspace):
    # A repository's requirements and tox lists cannot make the tool read the reviewer's other files:
    # `-r ../x.txt`, an absolute path and a symlink out are not followed; an include inside still is.
    outside = workspace.root.parent / "elsewhere"
    outside.mkdir()
    (outside / "reqs.txt").write_text("attrs\n")
    (outside / "more.txt").write_text("PyYAML\n")
    (outside / "linked.txt").write_text("Pygments\n")
    (workspace.root / "ci").mkdir()
    (workspace.root / "ci" / "linked.txt").symlink_to(outside / "linked.txt")
    workspace.write("ci/inside.txt", "hypothesis\n")
    workspace.write(
        "requirements-dev.txt",
        f"-r ../elsewhere/reqs.txt\n-r {outside / 'more.txt'}\n-r ci/linked.txt\n-r ci/inside.txt\n",
    )
    workspace.write("tox.toml", '[env_run_base]\ndeps = ["-r../elsewhere/reqs.txt"]\n')
    code = "import attr\nimport yaml\nimport pygments\nimport hypothesis\n"
    assert _modules(findings(workspace, "tools/release.py", code)[0]) == ["attr", "pygments", "yaml"]


def test_the_project_managers_development_lists_declare_too(workspace):
    workspace.write(
        "pyproject.toml",
        '[project]\nname = "shop"\ndependencies = ["flask"]\n[tool.uv]\ndev-dependencies = ["httpx>=0.27"]\n'
        '[tool.pdm.dev-dependencies]\nlint = ["black"]\n'
        '[tool.hatch.envs.docs]\ndependencies = ["mkdocs"]\nextra-dependencies = ["rich"]\n',
    )
    code = "import httpx\nimport black\nimport mkdocs\nimport rich\nimport attr\n"
    assert _modules(findings(workspace, "tools/release.py", code)[0]) == ["attr"]


def test_a_pyproject_of_tools_settings_declares_nothing(workspace, rereads):
    # A script folder whose pyproject.toml only configures the formatter: no list to be missing from.
    workspace.write("pyproject.toml", "[tool.ruff]\nline-length = 100\n\n[tool.pytest.ini_options]\naddopts = '-q'\n")
    assert _modules(findings(workspace, "app.py", "import requests\n")[0]) == []
    workspace.write("pyproject.toml", '[project]\nname = "shop"\nversion = "1.0"\n')  # declares none
    assert _modules(findings(workspace, "app.py", "import requests\n")[0]) == ["requests"]


def test_a_pipfile_declares(tmp_path):
    # Pipenv's project file alone marks the project and lists what it needs.
    project = tmp_path / "shop"
    project.mkdir()
    (project / "Pipfile").write_text(
        '[[source]]\nurl = "https://pypi.org/simple"\nname = "pypi"\n\n[packages]\nflask = "*"\n'
        'celery = {version = ">=5.3", extras = ["redis"]}\n\n[dev-packages]\npytest = "*"\n'
    )
    code = "import flask\nimport celery\nimport redis\nimport pytest\nimport yaml\n"
    (project / "app.py").write_text(code)
    found = analyze_text(code, str(project / "app.py")).findings()
    assert [f.details["module"] for f in found if f.rule_id == "TG703"] == ["yaml"]


def test_an_environments_packages_lists_are_not_read(tmp_path):
    # An installed package's workspace is its site-packages: no project's lists there, and globbing
    # its thousands of folders would cost the first check of a file opened from it.
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    (site / "acme").mkdir(parents=True)
    (site / "acme" / "requirements.txt").write_text("zorblax-tools\n")
    (site / "beta").mkdir()
    ws, _ = workspace_for(str(site / "beta" / "core.py"))
    assert ws.root == site and "zorblax-tools" not in ws.declared()[0]


def test_a_tox_ini_alone_does_not_make_imports_undeclared(workspace, rereads):
    # Many projects keep only linter settings in tox.ini: it is no list of the project's dependencies.
    (workspace.root / "pyproject.toml").unlink()
    (workspace.root / ".git").mkdir()
    workspace.write("tox.ini", "[flake8]\nmax-line-length = 100\n")
    assert _modules(findings(workspace, "shop/app.py", "import requests\n")[0]) == []
    workspace.write("requirements.txt", "flask\n")  # an application's list: now it is told
    assert _modules(findings(workspace, "shop/app.py", "import requests\n")[0]) == ["requests"]


def test_a_librarys_deferred_imports_are_its_optional_features(workspace, rereads):
    code = "import attr\n\ndef to_yaml(data):\n    import yaml\n    return yaml.safe_dump(data)\n"
    assert _modules(findings(workspace, "shop/app.py", code)[0]) == ["attr", "yaml"]  # an application
    workspace.write(
        "pyproject.toml",
        '[build-system]\nrequires = ["flit_core"]\n\n[project]\nname = "shop"\ndependencies = ["requests"]\n',
    )
    assert _modules(findings(workspace, "shop/app.py", code)[0]) == ["attr"]  # a library: only the top level
    workspace.write("pyproject.toml", '[project]\nname = "shop"\ndependencies = ["requests"]\n')
    workspace.write("setup.py", "from setuptools import setup\nsetup(name='shop')\n")
    assert _modules(findings(workspace, "shop/app.py", code)[0]) == ["attr"]


def test_a_folder_with_a_conftest_holds_tests(workspace):
    workspace.write("t/smoke/conftest.py", "")
    assert _modules(findings(workspace, "t/smoke/workers/dev.py", "import docker\n")[0]) == []
    # A key in a test tree is a fixture (TG310), as in a test function.
    key = "API_TOKEN = 'ghp_4f9Kx2LmQ8rT1vZ7wY3nB6cD0eH5jA'\n"
    path = workspace.write("t/smoke/keys.py", key)
    assert [f.rule_id for f in analyze_text(key, str(path)).findings()] == []
    path = workspace.write("shop/keys.py", key)
    assert [f.rule_id for f in analyze_text(key, str(path)).findings()] == ["TG310"]
    # The root's conftest.py configures the whole project: its code is still runtime code.
    workspace.write("conftest.py", "")
    assert _modules(findings(workspace, "shop/app.py", "import docker\n")[0]) == ["docker"]


def test_check_skips_vendored_folders_unless_named(workspace, capsys):
    workspace.write("shop/_vendor/six.py", "exec(code)\n")
    workspace.write("shop/vendor/x.py", "exec(code)\n")
    workspace.write("shop/app.py", "print('hi')\n")
    assert main(["check", str(workspace.root / "shop"), "--no-cache"]) == 0
    assert "No findings in 1 file" in capsys.readouterr().out
    assert main(["check", str(workspace.root / "shop" / "_vendor"), "--no-cache"]) == 1


def test_the_lib_layout_and_examples_are_the_projects_own(workspace):
    workspace.write("lib/shop/__init__.py", "")
    assert _modules(findings(workspace, "tools/release.py", "import shop\nimport yaml\n")[0]) == ["yaml"]
    assert _modules(findings(workspace, "examples/demo.py", "import shop\nimport dogpile\n")[0]) == []


def test_documentation_sources_are_not_runtime_but_only_the_projects_own_folders_count(workspace, tmp_path):
    assert _modules(findings(workspace, "docs_src/tutorial/models.py", "import peewee\n")[0]) == []
    assert _modules(findings(workspace, "shop/docstore/models.py", "import peewee\n")[0]) == ["peewee"]
    # A docs folder with a requirements.txt of its own is a workspace of its own, still documentation.
    workspace.write("docs/requirements.txt", "sphinx\n")
    assert _modules(findings(workspace, "docs/ext.py", "import peewee\n")[0]) == []
    # A checkout kept in a folder named like one (~/examples/shop) is still an application.
    project = tmp_path / "examples" / "shop"
    project.mkdir(parents=True)
    (project / "requirements.txt").write_text("flask\n")
    (project / "app.py").write_text("import yaml\n")
    found = analyze_text("import yaml\n", str(project / "app.py")).findings()
    assert [f.details["module"] for f in found if f.rule_id == "TG703"] == ["yaml"]


def test_a_module_named_setup_py_is_not_a_dependency_file(tmp_path):
    # Ansible ships a module called setup.py: its folder must not become a workspace declaring nothing.
    folder = tmp_path / "lib" / "tool" / "modules"
    folder.mkdir(parents=True)
    (folder / "setup.py").write_text("def main():\n    pass\n")
    code = "import yaml\n"
    (folder / "apt.py").write_text(code)
    assert [f for f in analyze_text(code, str(folder / "apt.py")).findings() if f.rule_id == "TG703"] == []


def test_import_name_of_a_declared_distribution_is_not_a_lookalike(workspace):
    # Before: `from github import Github` with `PyGithub` declared was "`github` looks like the popular
    # package `pygithub` (dropped prefix or suffix)": `github` is PyGithub's own import name.
    workspace.write("requirements-github-actions.txt", "PyGithub>=2.3.0,<3.0.0\n")
    found, _ = findings(workspace, "scripts/label_approved.py", "from github import Github\n")
    assert found == []
    # The declared distribution itself is still judged, in its file.
    text = "PyGithub>=2.3.0\nreqeusts==2.32.3\n"
    path = workspace.write("requirements.txt", text)
    found = check_dependency_file(path, text, workspace.config())
    assert [(f.rule_id, f.span.start_line) for f in found if f.rule_id == "TG702"] == [("TG702", 1)]


def test_maintained_successor_close_to_a_popular_name_is_not_a_typosquat(workspace):
    # Before: `httpx2` (the maintained fork of httpx) was "one-letter difference" from `httpx`.
    text = "httpx2>=2.9.1\nhttpcore2>=2.9\nhttpxx==0.28.1\n"
    path = workspace.write("requirements.txt", text)
    found = check_dependency_file(path, text, workspace.config())
    assert [(f.rule_id, f.details["name"], f.span.start_line) for f in found if f.rule_id == "TG702"] == [
        ("TG702", "httpxx", 2)
    ]
    assert findings(workspace, "app.py", "import httpx2\n")[0] == []
