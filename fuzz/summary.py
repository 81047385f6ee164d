#!/usr/bin/env python3
"""The summary of a `make fuzz` run (mk/fuzz.mk): one Markdown row per target, read from
libFuzzer's log (build/fuzz/<target>.log, run with -print_final_stats=1), the corpus folder and
the artifacts folder.

usage: summary.py LOG_DIR CORPUS_DIR ARTIFACTS_DIR TARGET...
"""

import os
import re
import sys


def stats(log_text):
    """What libFuzzer printed: executions, exec/s, seconds, the last cov/ft, its exit status."""
    def last(pattern):
        found = re.findall(pattern, log_text)
        return found[-1] if found else None

    cov_ft = last(r"cov: (\d+) ft: (\d+)")
    return {
        "execs": last(r"stat::number_of_executed_units:\s+(\d+)"),
        "exec_s": last(r"stat::average_exec_per_sec:\s+(\d+)"),
        "seconds": last(r"Done \d+ runs in (\d+) second"),
        "cov": cov_ft[0] if cov_ft else None,
        "ft": cov_ft[1] if cov_ft else None,
        "exit": last(r"exit=(\d+)"),
    }


def files(folder):
    try:
        return sorted(f for f in os.listdir(folder) if os.path.isfile(os.path.join(folder, f)))
    except FileNotFoundError:
        return []


def main(argv):
    if len(argv) < 5:
        sys.exit(__doc__)
    log_dir, corpus_dir, artifacts_dir, targets = argv[1], argv[2], argv[3], argv[4:]
    print("| target | seconds | executions | exec/s | cov / ft | corpus | findings |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for target in targets:
        try:
            with open(os.path.join(log_dir, target + ".log"), errors="replace") as f:
                s = stats(f.read())
        except FileNotFoundError:
            print(f"| {target} | not run | | | | | |")
            continue
        artifacts = files(os.path.join(artifacts_dir, target))
        if artifacts:
            findings = ", ".join(artifacts)
        elif s["exit"] not in (None, "0"):
            findings = f"exit {s['exit']}: see build/fuzz/{target}.log"
        else:
            findings = "none"
        if s["seconds"] is None and s["execs"] and s["exec_s"] not in (None, "0"):
            # A run a crash stopped prints no "Done" line: its time from its rate.
            s["seconds"] = f"~{round(int(s['execs']) / int(s['exec_s']))}"
        corpus = len(files(os.path.join(corpus_dir, target)))
        cov = f"{s['cov']} / {s['ft']}" if s["cov"] else "?"
        row = [target, s["seconds"] or "?", s["execs"] or "?", s["exec_s"] or "?", cov,
               str(corpus), findings]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv)
