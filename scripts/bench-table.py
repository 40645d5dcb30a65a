#!/usr/bin/env python3
"""Markdown table for scripts/bench.sh from its manifest of hyperfine JSON files.

Manifest rows: LABEL <TAB> THREADS <TAB> KIND <TAB> HYPERFINE_JSON <TAB> MAX_RSS_KB, where
KIND is embed, floor, peer, fasttext or startup. Ratios compare with the peer, fastText and
the floor at the same thread count when there is such a row, else with their first row.

Usage: bench-table.py MANIFEST LINES BYTES
"""
import json
import statistics
import sys


def main():
    manifest, lines, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rows = []
    for entry in open(manifest, encoding="utf-8"):
        label, threads, kind, path, rss_kb = entry.rstrip("\n").split("\t")
        label = label.replace("|", "\\|")  # keep the markdown table intact
        with open(path) as f:
            times = json.load(f)["results"][0]["times"]
        rows.append(
            dict(label=label, threads=int(threads), kind=kind, times=times,
                 median=statistics.median(times), rss_mb=int(rss_kb) / 1024 if rss_kb else None)
        )

    def rate(kind, threads):
        """Lines/s of the first row of this kind at this thread count, else at any."""
        same = [r for r in rows if r["kind"] == kind and r["threads"] == threads]
        other = [r for r in rows if r["kind"] == kind]
        return lines / (same or other)[0]["median"] if other else None

    na = "–"
    ratio = lambda x, ref: "%.1f×" % (x / ref) if ref else na

    print("| command | threads | median s (min–max) | lines/s | MB/s | × Python peer | × fastText | of jieba-rs floor | max RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        spread = "%.3f (%.3f–%.3f)" % (r["median"], min(r["times"]), max(r["times"]))
        rss = "%.0f" % r["rss_mb"] if r["rss_mb"] is not None else na
        if r["kind"] == "startup":
            ms = "%.1f ms (%.1f–%.1f)" % (1e3 * r["median"], 1e3 * min(r["times"]), 1e3 * max(r["times"]))
            print("| %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (r["label"], r["threads"], ms, na, na, na, na, na, rss))
            continue
        lps = lines / r["median"]
        mbs = nbytes / 1e6 / r["median"]
        mbs_txt = "%.1f" % mbs if mbs >= 1 else "%.3f" % mbs
        peer, fasttext = rate("peer", r["threads"]), rate("fasttext", r["threads"])
        floor = rate("floor", r["threads"]) if r["kind"] != "floor" else None
        floor_txt = "%.0f%%" % (100 * lps / floor) if floor else na
        print(
            "| %s | %d | %s | %s | %s | %s | %s | %s | %s |"
            % (r["label"], r["threads"], spread, "{:,.0f}".format(lps), mbs_txt,
               ratio(lps, peer), ratio(lps, fasttext), floor_txt, rss)
        )


if __name__ == "__main__":
    main()
