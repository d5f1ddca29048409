"""What aws_unverified scenarios record, and `harness answers-diff` between an AWS run and an emulator run."""

from __future__ import annotations

import json

from harness.cli import main as cli
from harness.library.http import http
from harness.library.recorded_answers import differences, recorded_exchanges, write_answers


def test_http_exchanges_are_recorded_only_inside_the_block_with_authorization_redacted(localstack_engine):
    url = f"{localstack_engine.endpoint_url}/_localstack/health"
    http("GET", url)
    with recorded_exchanges() as exchanges:
        http("GET", url, {"Authorization": "Bearer secret-token", "X-Test": "kept"})
    http("GET", url)
    [exchange] = exchanges
    assert exchange["request"] == {"method": "GET", "url": url, "headers": {"Authorization": "<redacted>", "X-Test": "kept"}}
    assert exchange["answer"]["status"] == 200 and json.loads(exchange["answer"]["body"])["services"]


def exchange(status: int, headers: dict[str, str], body: str = "") -> dict:
    return {"request": {"method": "OPTIONS", "url": "https://api.example/avatars/key_upload", "headers": {}},
            "answer": {"status": status, "headers": headers, "body": body}}


def test_answers_diff_shows_what_the_emulator_answered_otherwise(tmp_path, capsys):
    test_id = "scenarios/test_cors_matrix.py::test_x[header]"
    aws = {"access-control-allow-origin": "https://o.example", "date": "Mon", "apigw-requestid": "abc"}
    write_answers(tmp_path / "aws", test_id, "aws", "failed", [exchange(204, aws, '{"a": 1}')])
    write_answers(tmp_path / "emulator", test_id, "localstack-host", "passed", [exchange(204, {"date": "Tue"}, '{"a":1}')])
    write_answers(tmp_path / "aws", "scenarios/t.py::only_on_aws", "aws", "passed", [])
    found = differences(tmp_path / "aws", tmp_path / "emulator")
    assert found == [
        f"scenarios_t.py_only_on_aws.json: recorded on AWS only (run the emulator with --record-answers {tmp_path / 'emulator'})",
        f"{test_id}:",
        "  exchange 1: OPTIONS https://api.example/avatars/key_upload",
        "    header access-control-allow-origin: AWS 'https://o.example', emulator '(absent)'",
    ]  # dates and request ids are not behaviour; equal JSON bodies are equal however they are spaced
    assert cli.main(["answers-diff", str(tmp_path / "aws"), str(tmp_path / "emulator")]) == 1
    assert "AWS 'https://o.example'" in capsys.readouterr().out
    assert cli.main(["answers-diff", str(tmp_path / "emulator"), str(tmp_path / "emulator")]) == 0
    assert cli.main(["answers-diff", str(tmp_path / "nothing"), str(tmp_path / "emulator")]) == 1
    assert "no recorded answers in" in capsys.readouterr().err
