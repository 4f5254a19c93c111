#!/usr/bin/env python3
"""Abuse benchmark: what amplified queries and slow clients cost the real server.

    cargo build --release
    benches/abuse/run.py [--scale district] [--slow 64] [--seconds 20]

Starts `target/release/project-office serve` on a fresh SQLite file with the demo data set
(`demo seed --scale SCALE`), signs in as the demo observer of the first district, then:

1. sends each amplified query of the API review (500 aliased pages of projects with history,
   200 aliased dashboards, 20 pages of 100 with history, graphql-js's standard introspection
   query, four aliased introspections) five times, and prints the median answer time, the code
   of the refusal (or `ok`) and the server's resident memory (VmRSS, and the peak VmHWM);
2. opens SLOW connections that send their headers and then one byte of the body a second, and
   for SECONDS sends `{ me { fullName } }` one after another, printing the latency (median,
   99th percentile, maximum) of `me` while they are open, and what the slow ones got.

Loopback only; bounded in count and time; stops the server at the end. Exit status 0 when
every refusal was a refusal, the introspection query passed and `me` never failed.
"""

import argparse
import http.client
import json
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("BIN", str(ROOT / "target/release/project-office"))
LOGIN = os.environ.get("LOGIN", "observer@chesmenskiy.demo.test")
PASSWORD = os.environ.get("PASSWORD", "demo12345")
INTROSPECTION = (ROOT / "tests/fixtures/introspection-query.graphql").read_text()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields.get("VmRSS", "?"), fields.get("VmHWM", "?")


def post(port, query, token=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json", "Accept": "application/graphql-response+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    conn.request("POST", "/graphql", body=json.dumps({"query": query}), headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, json.loads(body), elapsed, len(body)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="district")
    parser.add_argument("--slow", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    scratch = pathlib.Path(tempfile.mkdtemp(prefix="po-abuse-"))
    env = dict(os.environ, PO_DATA_DIR=str(scratch), DATABASE_URL=f"sqlite://{scratch}/po.db")
    subprocess.run([BIN, "demo", "seed", "--scale", args.scale], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen(
        [BIN, "serve", "--listen", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(scratch / "serve.log", "w"),
    )
    ok = True
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        _, body, _, _ = post(
            port,
            'mutation { login(email: "%s", password: "%s") { token } }' % (LOGIN, PASSWORD),
        )
        token = body["data"]["login"]["token"]
        print(f"server pid {server.pid}, {args.scale} scale; RSS idle {rss(server.pid)[0]}")

        page = "projects(first: 100) { nodes { history { id } } }"
        history = "projects(first: 100) { nodes { history { id at kind actorName summary comment } } }"
        fragments = INTROSPECTION[INTROSPECTION.index("fragment FullType"):]
        cases = [
            ("500 × projects(first: 100) { history }", "{ %s }" % " ".join(f"p{i}: {page}" for i in range(500)), False),
            ("200 × dashboard", "{ %s }" % " ".join(f"d{i}: dashboard {{ byHealth {{ count }} }}" for i in range(200)), False),
            ("20 × projects(first: 100) { history { 6 fields } }", "{ %s }" % " ".join(f"p{i}: {history}" for i in range(20)), False),
            ("standard introspection", INTROSPECTION, True),
            (
                "4 × introspection",
                "{ a: __schema { ...S } b: __schema { ...S } c: __schema { ...S } d: __schema { ...S } }\n"
                "fragment S on __Schema { types { ...FullType } }\n" + fragments,
                False,
            ),
            ("largest allowed: projects(first: 100) as the tasks page", (ROOT / "benches/abuse/tasks-page.graphql").read_text(), True),
        ]
        print(f"\n{'query':<58} {'median':>9} {'bytes':>9}  outcome              RSS / peak")
        for name, query, should_pass in cases:
            times, outcome, size = [], "", 0
            for _ in range(5):
                status, body, elapsed, size = post(port, query, token)
                times.append(elapsed)
                outcome = body["errors"][0]["extensions"]["code"] if body.get("errors") else "ok"
            passed = outcome == "ok"
            ok &= passed == should_pass
            now, peak = rss(server.pid)
            print(f"{name:<58} {statistics.median(times) * 1000:>7.1f}ms {size:>9}  {outcome:<20} {now} / {peak}")

        # Slow bodies: headers, then a byte a second.
        address = ("127.0.0.1", port)
        slow = []
        for _ in range(args.slow):
            s = socket.create_connection(address)
            s.sendall(
                b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 10000\r\n\r\n{"
            )
            slow.append(s)
        stop = threading.Event()

        def trickle():
            while not stop.is_set():
                for s in slow:
                    try:
                        s.sendall(b" ")
                    except OSError:
                        pass
                stop.wait(1)

        threading.Thread(target=trickle, daemon=True).start()
        latencies, failures = [], 0
        until = time.monotonic() + args.seconds
        while time.monotonic() < until:
            status, body, elapsed, _ = post(port, "{ me { fullName } }", token, timeout=30)
            if status != 200 or body.get("errors"):
                failures += 1
            latencies.append(elapsed)
        stop.set()
        answers = {}
        for s in slow:
            s.settimeout(15)
            try:
                head = s.recv(64).split(b"\r\n")[0].decode() or "closed"
            except OSError as e:
                head = f"error {e}"
            answers[head] = answers.get(head, 0) + 1
            s.close()
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        print(
            f"\nme with {args.slow} slow-body connections open for {args.seconds:.0f} s: {len(latencies)} requests, "
            f"median {statistics.median(latencies) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"max {latencies[-1] * 1000:.1f} ms, failed {failures}"
        )
        print(f"the slow connections got: {answers}; RSS / peak {' / '.join(rss(server.pid))}")
        ok &= failures == 0
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
