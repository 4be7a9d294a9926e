"""Sources outside web frameworks (engine/inputs.py): the environment where it matters, message
queues and task queues."""

from __future__ import annotations

import pytest

from tabguard.analysis import analyze_text


def _sourced(code: str) -> list[tuple[str, int, str, str]]:
    """(rule, line, source, confidence) of the findings that data flow confirmed."""
    doc = analyze_text(code, "example.py")
    assert doc.take_errors() == []
    return [
        (f.rule_id, f.span.start_line, f.details["source"], f.confidence)
        for f in doc.findings()
        if f.details.get("source")
    ]


@pytest.mark.parametrize(
    "code, expected",
    [
        # Kafka (kafka-python, aiokafka): the messages a consumer yields when iterated.
        (
            "from kafka import KafkaConsumer\nimport os\ndef main():\n    consumer = KafkaConsumer('jobs')\n"
            "    for msg in consumer:\n        os.system('convert ' + msg.value.decode())\n",
            ("TG101", 5, "Kafka message"),
        ),
        (
            "import kafka, os\ndef main():\n    for msg in kafka.KafkaConsumer('jobs'):\n        os.system('x ' + msg.value)\n",
            ("TG101", 3, "Kafka message"),
        ),
        (
            "from aiokafka import AIOKafkaConsumer\nimport os\nasync def main():\n    consumer = AIOKafkaConsumer('jobs')\n"
            "    async for msg in consumer:\n        os.system('convert ' + msg.value.decode())\n",
            ("TG101", 5, "Kafka message"),
        ),
        # confluent_kafka: what poll() returns.
        (
            "from confluent_kafka import Consumer\ndef run(conn):\n    c = Consumer({'group.id': 'g'})\n"
            "    msg = c.poll(1.0)\n    conn.execute(f\"DELETE FROM jobs WHERE id = '{msg.value().decode()}'\")\n",
            ("TG105", 4, "Kafka message"),
        ),
        # Celery tasks: the arguments (a bound task's `self` is not one).
        (
            "from celery import shared_task\nimport os\n@shared_task\ndef resize(name):\n    os.system('convert ' + name)\n",
            ("TG101", 4, "Celery task argument 'name'"),
        ),
        (
            "from celery import Celery\nimport subprocess\napp = Celery('t')\n@app.task(bind=True)\ndef run(self, cmd):\n"
            "    subprocess.run(cmd, shell=True)\n",
            ("TG100", 5, "Celery task argument 'cmd'"),
        ),
        # pika: a consumer callback, whatever its first two parameters are called.
        (
            "import subprocess\ndef on_msg(chan, deliver, props, body):\n    subprocess.run(body.decode(), shell=True)\n",
            ("TG100", 2, "message body"),
        ),
        # AWS SQS.
        (
            "import boto3, os\nsqs = boto3.client('sqs')\ndef poll(url):\n    resp = sqs.receive_message(QueueUrl=url)\n"
            "    for m in resp['Messages']:\n        os.system('process ' + m['Body'])\n",
            ("TG101", 5, "SQS message"),
        ),
        # Raw ASGI: what `receive()` returns.
        (
            "import os\nasync def app(scope, receive, send):\n    event = await receive()\n    os.system('echo ' + event['body'].decode())\n",
            ("TG101", 3, "ASGI receive()"),
        ),
        # A CGI script: the request is in the environment.
        (
            "import os\ndef main():\n    agent = os.environ.get('HTTP_USER_AGENT')\n    os.system('log ' + agent)\n",
            ("TG101", 3, "CGI request variable 'HTTP_USER_AGENT'"),
        ),
        (
            "import os\nwith open('/srv/pages/' + os.getenv('PATH_INFO')) as fh:\n    print(fh.read())\n",
            ("TG501", 1, "CGI request variable 'PATH_INFO'"),
        ),
    ],
)
def test_queue_task_and_cgi_input_is_a_source(code, expected):
    assert _sourced(code) == [(*expected, "high")]


def test_names_that_only_look_like_a_consumer_are_not_sources():
    assert _sourced("import os\ndef main(items):\n    for msg in items:\n        os.system('x ' + msg)\n") == []
    # `.poll()` of anything but a consumer built here.
    assert _sourced("import os\ndef main(proc):\n    os.system('x ' + proc.poll())\n") == []
    # `.task` decorators of a module that does not use Celery.
    assert _sourced("import os\n@scheduler.task\ndef run(name):\n    os.system('x ' + name)\n") == []


@pytest.mark.parametrize(
    "code, rule, line",
    [
        (
            "import os\ndef f():\n    d = os.getenv('BACKUP_DIR')\n    os.system('tar czf /tmp/b.tgz ' + d)\n",
            "TG101",
            3,
        ),
        ("import os\ndef f():\n    return eval(os.environ.get('EXPR', '1'))\n", "TG103", 2),
        ("import os\ndef f(cur):\n    cur.execute('SELECT * FROM t WHERE n = ' + os.environ['N'])\n", "TG105", 2),
        # Through a helper's summary, too.
        ("import os\ndef run(c):\n    os.system(c)\ndef f():\n    run(os.environ['CMD'])\n", "TG101", 4),
    ],
)
def test_an_environment_variable_reaching_a_shell_eval_or_sql_sink_is_a_low_confidence_source(code, rule, line):
    [(found_rule, found_line, source, confidence)] = _sourced(code)
    assert (found_rule, found_line, confidence) == (rule, line, "low")
    assert source.startswith("environment variable")


@pytest.mark.parametrize(
    "code",
    [
        "import os\ndef load():\n    return open(os.environ['APP_CONFIG']).read()\n",  # a path: configuration
        "import os, requests\ndef ping():\n    return requests.get(os.environ['HEALTH_URL'], timeout=5).ok\n",
        "import os, logging\ndef f():\n    logging.info('user %s', os.environ['USER'])\n",
        "import os, importlib\ndef f():\n    return importlib.import_module(os.environ['SETTINGS'])\n",
        "import os, subprocess\ndef f():\n    subprocess.run(['ls'], env=os.environ)\n",  # the mapping is not a read
    ],
)
def test_an_environment_variable_is_no_source_for_other_sinks(code):
    assert _sourced(code) == []


def test_a_module_constant_read_from_the_environment_stays_configuration_for_other_blocks():
    code = "import os\nCMD = os.environ['CMD']\n\ndef f():\n    os.system(CMD)\n"
    assert _sourced(code) == []
    # ...while a CGI request variable at module level is request data in every block.
    code = "import os\nQUERY = os.environ['QUERY_STRING']\n\ndef f():\n    os.system('grep ' + QUERY)\n"
    assert [(r, line) for r, line, _, _ in _sourced(code)] == [("TG101", 4)]
