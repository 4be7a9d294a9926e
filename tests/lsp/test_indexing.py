"""The background workspace index on its own (tabguard.lsp.indexing), without a client: what it
indexes, which changes it reports, and that it waits while the analysis worker is busy."""

from __future__ import annotations

import queue
import threading
import time

from tabguard.analysis import ruleset_for
from tabguard.lsp.indexing import BackgroundIndex
from tabguard.lsp.worker import Worker

DB = (
    "import sqlite3\n\n\ndef find(name):\n    return sqlite3.connect('x').execute(\"SELECT * FROM t WHERE n = '%s'\" % name)\n"
    "\n\ndef count():\n    return 1\n"
)


def _index(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "db.py").write_text(DB)
    changes: queue.Queue = queue.Queue()
    worker = Worker()
    index = BackgroundIndex(worker, changes.put)
    index.start()
    return index, worker, changes, str((tmp_path / "db.py").resolve())


def _settings():
    return ruleset_for(), {}


def test_the_modules_a_document_imports_are_summarized_and_reported(tmp_path):
    index, _, changes, db = _index(tmp_path)
    index.warm(str(tmp_path / "app.py"), ["db.find", "flask.request", "os"], _settings())
    # Only functions whose summary says something are news (count() reaches no sink).
    assert changes.get(timeout=20) == {(db, "find")}
    [sink] = index._indexed[db].summaries["find"].sinks[0]
    assert (sink.rule_id, sink.span.start_line) == ("TG105", 4)


def test_an_edit_reports_only_the_functions_whose_summary_changed(tmp_path):
    index, _, changes, db = _index(tmp_path)
    index.warm(str(tmp_path / "app.py"), ["db.find"], _settings())
    changes.get(timeout=20)
    index.changed_text(db, DB.replace("return 1", "return 2"))  # count() changes, its summary does not
    index.changed_text(db, DB.replace("'%s'\" % name", '?", (name,)'))  # find() no longer reaches the sink
    assert changes.get(timeout=20) == {(db, "find")}
    assert changes.empty()


def test_nothing_is_indexed_while_the_analysis_worker_is_busy(tmp_path):
    index, worker, changes, db = _index(tmp_path)
    with worker.lock:  # an analysis is running
        index.warm(str(tmp_path / "app.py"), ["db.find"], _settings())
        time.sleep(0.3)
        assert not index.indexed(db) and changes.empty()
    assert changes.get(timeout=20) == {(db, "find")}


def test_the_index_thread_is_a_daemon(tmp_path):
    index, *_ = _index(tmp_path)
    assert any(t.name == "tabguard-index" and t.daemon for t in threading.enumerate())
