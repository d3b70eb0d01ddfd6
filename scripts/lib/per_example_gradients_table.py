"""Tabulates the JSON lines of `mtif-bench per-example-gradients` read from standard input."""
import json
import sys

LABELS = {
    "forward-backward-gemm": "forward + backward DGEMMs (one batch pass)",
    "explicit-gradients": "explicit per-example gradients (n × P per task)",
    "gradient-dots": "gradient-dot kernel against the queries",
}

rows = [json.loads(line) for line in sys.stdin if line.strip()]
first = rows[0]
print(f"Yeast, {first['inputs']} inputs × {first['tasks']} tasks, P = {first['parameters']}, "
      f"{first['threads']} BLAS thread ({first['blas_core']})")
print()
print("| method | queries | seconds | (example, task) gradients / s | time / forward-backward |")
print("| --- | --- | --- | --- | --- |")
for row in rows:
    queries = row["queries"] or "-"
    print(f"| {LABELS.get(row['method'], row['method'])} | {queries} | {row['seconds']:.4f} | "
          f"{row['pairs_per_second']:,.0f} | {row['ratio_to_forward_backward']:.1f} |")
