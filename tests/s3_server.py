"""A throwaway S3-compatible server for the bucket backend of the image store: moto in
server mode on 127.0.0.1 (a free port), in this process, no network. `start()` makes
the test bucket and points this process (and the app processes it starts) at it through
the environment: CONTINUITY_S3_ENDPOINT_URL and dummy AWS credentials."""

from __future__ import annotations

import logging
import os

BUCKET = "continuity-tests"
ENDPOINT_ENV = "CONTINUITY_S3_ENDPOINT_URL"
_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1"}


def start():
    """Start the server; returns (server, endpoint URL, the environment it replaced)."""
    import boto3  # noqa: PLC0415 - only the bucket tests need them
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    logging.getLogger("werkzeug").setLevel(logging.ERROR)   # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = {k: os.environ.get(k) for k in (*_ENV, ENDPOINT_ENV)}
    os.environ.update(_ENV, **{ENDPOINT_ENV: endpoint})
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    return server, endpoint, saved


def stop(server, saved: dict) -> None:
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
