"""Summarises scripts/bench-distributed: scoring-pass times, speed-up, bytes against the minimum."""
import json
import re
import sys

work = sys.argv[1]
rows = {}
for workers in (1, 2):
    manifest = json.load(open(f"{work}/score-{workers}/manifest.json"))
    log = open(f"{work}/score-{workers}.log").read()
    finished = re.search(
        r"workers finished seconds=(\S+) bytes.sent=(\d+) bytes.received=(\d+) redispatches=(\d+) dispatch.mean.ms=(\S+)",
        log)
    rows[workers] = {
        "score_seconds": manifest["timings"]["score"],
        "sent": int(finished.group(2)),
        "received": int(finished.group(3)),
        "overhead_ms": float(finished.group(5)),
        "manifest": manifest,
    }

manifest = rows[1]["manifest"]
parameters = manifest["model"]["parameterCount"]
examples = sum(manifest["dataset"]["trainCounts"])
queries = len(open(f"{work}/score-1/queries.csv").read().splitlines()) - 1
minimum_per_worker = 8 * parameters * queries  # the inverse-Hessian products, once per worker
scores_bytes = 8 * examples * queries
print(f"job: {examples} training examples x {queries} queries, P = {parameters}, model {manifest['model']['architecture']}")
for workers, row in rows.items():
    minimum = workers * minimum_per_worker + scores_bytes
    print(
        f"{workers} worker(s): scoring pass {row['score_seconds']:.2f} s; "
        f"sent {row['sent'] / 1e6:.1f} MB, received {row['received'] / 1e6:.1f} MB; "
        f"total {(row['sent'] + row['received']) / 1e6:.1f} MB vs minimum {minimum / 1e6:.1f} MB "
        f"(inverse-Hessian products once per worker plus the scores); "
        f"dispatch overhead {row['overhead_ms']:.2f} ms per shard"
    )
if manifest["configuration"].get("workerData", "send") == "send":
    print(f"the shards' inputs add up to {8 * examples * 784 / 1e6:.1f} MB (sent with the shards unless --worker-data load)")
for workers, row in rows.items():
    timings = row["manifest"]["timings"]
    print(f"{workers} worker(s): whole command {sum(timings.values()):.2f} s ({', '.join(f'{k} {v:.2f}' for k, v in sorted(timings.items()))})")
print(f"speed-up with 2 workers: {rows[1]['score_seconds'] / rows[2]['score_seconds']:.2f}x")
