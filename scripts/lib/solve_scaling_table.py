"""Tabulates the JSON lines of `mtif-bench solve-scaling` read from standard input."""
import json
import sys

print(f"{'K':>5} {'P':>6} {'arrowhead s':>12} {'dense s':>10} {'dense/arrowhead':>16}")
for line in sys.stdin:
    row = json.loads(line)
    dense = row["dense_seconds"]
    ratio = f"{dense / row['arrowhead_seconds']:.1f}" if dense else "-"
    dense_text = f"{dense:.4f}" if dense else "-"
    print(f"{row['tasks']:>5} {row['parameters']:>6} {row['arrowhead_seconds']:>12.4f} {dense_text:>10} {ratio:>16}")
