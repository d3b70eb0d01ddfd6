"""Markdown tables of `mtif select` results over several runs (seeds of a problem).

    python3 scripts/lib/selection_table.py [--conflicting TASK] LABEL=RUN/selection/NAME.json ...

For every run and every MTIF rule: the examples removed, the share of them from the
conflicting task (when named), and the target's test loss for the full data, the MTIF
selection, random removal of as many examples (mean over its seeds) and task-level removal.
The target is the file's targetTask, or every task (the mean of the task losses) when it has
none. A summary gives the mean ± standard deviation over runs of the relative changes
against the full-data model, and in how many runs MTIF beat the mean of random removal.
"""
import json
import math
import statistics
import sys


def target_loss(document, strategy):
    losses = strategy["loss"]
    if "targetTask" in document:
        return losses[document["tasks"].index(document["targetTask"])]
    return statistics.fmean(losses)


def target_spread(document, strategy):
    """The standard deviation over seeds of the target's loss; for every task, that of the mean."""
    seeds = [target_loss(document, seed) for seed in strategy.get("perSeed", [])]
    return statistics.stdev(seeds) if len(seeds) > 1 else math.nan


def mean_std(values):
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:+.1f}"
    return f"{statistics.fmean(values):+.1f} ± {statistics.stdev(values):.1f}"


def main(arguments):
    conflicting = None
    if arguments[:1] == ["--conflicting"]:
        conflicting, arguments = arguments[1], arguments[2:]
    runs = []
    for argument in arguments:
        label, path = argument.split("=", 1)
        with open(path) as file:
            runs.append((label, json.load(file)))

    share_header = f" | from {conflicting}" if conflicting else ""
    print(f"| run | rule | removed{share_header} | full | MTIF | random (mean ± sd of seeds) |")
    print("| --- | --- | ---" + (" | ---" if conflicting else "") + " | --- | --- | --- |")
    summary = {}
    for label, document in runs:
        strategies = document["strategies"]
        full = target_loss(document, strategies[0])
        for index, strategy in enumerate(strategies):
            if strategy["kind"] not in ("mtif", "task-level"):
                continue
            partner = strategies[index + 1] if index + 1 < len(strategies) else None
            random = partner if partner and partner["kind"] == "random" else None
            rule = strategy.get("rule") or strategy["name"]
            loss = target_loss(document, strategy)
            random_loss = target_loss(document, random) if random else math.nan
            share = strategy["removedShareByTrainTask"].get(conflicting, math.nan) if conflicting else None
            share_cell = f" | {100 * share:.0f}%" if conflicting else ""
            random_cell = f"{random_loss:.4f} ± {target_spread(document, random):.4f}" if random else "-"
            print(f"| {label} | {rule} | {strategy['removedExamples']}{share_cell} | {full:.4f} | {loss:.4f} "
                  f"| {random_cell} |")
            entry = summary.setdefault(rule.split(":")[0], {"share": [], "mtif": [], "random": [], "wins": 0})
            entry["mtif"].append(100 * (loss - full) / full)
            if share is not None:
                entry["share"].append(100 * share)
            if random:
                entry["random"].append(100 * (random_loss - full) / full)
                entry["wins"] += loss < random_loss

    print()
    share_header = f" | from {conflicting} (%)" if conflicting else ""
    print(f"| rule{share_header} | MTIF change (%) | random change (%) | MTIF < random |")
    print("| ---" + (" | ---" if conflicting else "") + " | --- | --- | --- |")
    for rule, entry in summary.items():
        share_cell = f" | {mean_std(entry['share']).lstrip('+')}" if conflicting else ""
        wins = f"{entry['wins']}/{len(entry['mtif'])}" if entry["random"] else "-"
        print(f"| {rule}{share_cell} | {mean_std(entry['mtif'])} | {mean_std(entry['random'])} | {wins} |")


if __name__ == "__main__":
    main(sys.argv[1:])
