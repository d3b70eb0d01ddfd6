"""Tabulates the JSON lines of `mtif-bench curvature-assembly` read from standard input."""
import json
import sys

rows = [json.loads(line) for line in sys.stdin if line.strip()]
by_inputs = {}
for row in rows:
    by_inputs.setdefault(row["inputs"], {})[row["method"]] = row
first = rows[0]
print(f"Yeast MLP, {first['tasks']} tasks, P = {first['parameters']}, {first['threads']} BLAS threads")
print()
print("| training inputs | P products (s) | Hessian (s) | Gauss–Newton (s) | arrowhead blocks (s) "
      "| speed-up | relative difference |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for inputs, methods in sorted(by_inputs.items()):
    products = methods.get("hessian-products")
    hessian = methods["hessian"]["seconds"]
    products_text = f"{products['seconds']:.3f}" if products else "-"
    speedup = f"{products['seconds'] / hessian:.0f}×" if products else "-"
    difference = products["difference"] if products else "-"
    print(f"| {inputs} | {products_text} | {hessian:.3f} | {methods['gauss-newton']['seconds']:.3f} "
          f"| {methods['hessian-blocks']['seconds']:.3f} | {speedup} | {difference} |")
