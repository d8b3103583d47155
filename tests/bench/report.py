#!/usr/bin/env python3
"""Turn the raw results of tests/bench/bench.sh into a markdown table and a
gnuplot bar chart.

    python3 tests/bench/report.py OUT

reads OUT/raw/JOB/TARGET/REP/{fio.json|meta.json, *.prerun.txt,
*.postrun.txt, counters.pre, counters.post, stats.pre, stats.post, failed,
skipped}, OUT/jobs.txt, OUT/env.txt and
writes OUT/results.md, OUT/summary.tsv, OUT/chart.dat, OUT/chart.gp and (with
gnuplot) OUT/chart.png. Prints results.md.
"""
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys

TARGETS = ["vfsd", "fuse", "fuse-nosplice", "fuse-uring", "tmpfs"]
LABEL = {"vfsd": "vfsd", "fuse": "FUSE splice", "fuse-nosplice": "FUSE no-splice",
         "fuse-uring": "FUSE io_uring", "tmpfs": "tmpfs"}
FUSES = ["fuse", "fuse-nosplice", "fuse-uring"]
SHORT = {"fuse": "splice", "fuse-nosplice": "no-splice", "fuse-uring": "io_uring"}
GIB = float(1 << 30)


def proc_stat(path):
    """(busy jiffies: user nice system irq softirq steal, context switches)."""
    busy = ctxt = None
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("cpu ") and busy is None:
                    v = [int(x) for x in line.split()[1:9]]
                    busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
                elif line.startswith("ctxt ") and ctxt is None:
                    ctxt = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return busy, ctxt


def counters(d):
    try:
        pre = [int(x) for x in open(os.path.join(d, "counters.pre")).read().split()]
        post = [int(x) for x in open(os.path.join(d, "counters.post")).read().split()]
        return [b - a for a, b in zip(pre, post)]
    except (OSError, ValueError):
        return None


def stats_file(path):
    out = {}
    try:
        for line in open(path):
            k, _, v = line.strip().partition(" ")
            try:
                out[k] = int(v)
            except ValueError:
                pass
    except OSError:
        return None
    return out


def server_copied(d):
    """(backend, transport) file bytes the server copied with the CPU during
    one run, from its --stats before and after; None without them."""
    a = stats_file(os.path.join(d, "stats.pre"))
    b = stats_file(os.path.join(d, "stats.post"))
    if a is None or b is None:
        return None

    def delta(*keys):
        return sum(b.get(k, 0) - a.get(k, 0) for k in keys)
    return (delta("data_cpu_read", "data_cpu_write"),
            delta("xport_copy_read", "xport_copy_write"))


def fio_run(d, seq):
    """One fio run: value (MiB/s for sequential jobs, IOPS otherwise)."""
    job = json.load(open(os.path.join(d, "fio.json")))["jobs"][0]
    if job.get("error"):
        return None
    rd, wr = job["read"], job["write"]
    moved = rd["io_bytes"] + wr["io_bytes"]
    ios = rd["total_ios"] + wr["total_ios"]
    main = rd if rd["total_ios"] >= wr["total_ios"] else wr
    pct = main.get("clat_ns", {}).get("percentile", {})
    r = {
        "value": (rd["bw_bytes"] + wr["bw_bytes"]) / 1048576.0 if seq else rd["iops"] + wr["iops"],
        "p50": pct.get("50.000000", 0) / 1000.0,
        "p99": pct.get("99.000000", 0) / 1000.0,
        "moved": moved,
    }
    pre = glob.glob(os.path.join(d, "*.prerun.txt"))
    post = glob.glob(os.path.join(d, "*.postrun.txt"))
    a = proc_stat(pre[0]) if pre else (None, None)
    b = proc_stat(post[0]) if post else (None, None)
    if a[0] is not None and b[0] is not None and moved:
        r["cpu"] = (b[0] - a[0]) / 100.0 / (moved / GIB)        # CPU s per GiB
    if a[1] is not None and b[1] is not None and ios:
        r["ctxt"] = (b[1] - a[1]) / float(ios)                 # per I/O
    try:
        t = int(open(os.path.join(d, "tlb.post")).read()) - int(open(os.path.join(d, "tlb.pre")).read())
        if ios:
            r["tlb"] = t / float(ios)
    except (OSError, ValueError):
        pass
    c = counters(d)
    if c and moved:
        r["mapped"] = c[0] / moved          # bytes mapped per byte moved = GiB/GiB
        r["copied"] = c[1] / (moved / GIB)  # bytes copied per GiB moved
        if len(c) > 2 and c[2]:
            r["req"] = c[2] / float(ios)            # requests per I/O
            r["kib_req"] = c[0] / 1024.0 / c[2]     # KiB mapped per request
    sc = server_copied(d)
    if sc and moved:
        r["srv_backend"] = sc[0] / float(moved)   # GiB copied per GiB moved
        r["srv_xport"] = sc[1] / float(moved)
        r["srv"] = (sc[0] + sc[1]) / float(moved)
    return r


def meta_runs(d):
    """One metabench run: {phase: result}."""
    m = json.load(open(os.path.join(d, "meta.json")))
    out = {}
    for p in m["phases"]:
        if not p["ops"] or not p["seconds"]:
            continue
        out[p["name"]] = {
            "value": p["ops"] / p["seconds"],
            "p50": p["p50_ns"] / 1000.0,
            "p99": p["p99_ns"] / 1000.0,
            "cpu": p["busy_jiffies"] / float(m.get("clk_tck", 100)) / p["ops"] * 1e6,  # µs/op
            "ticks": p["busy_jiffies"],
            "secs": p["seconds"],
        }
        if "ctxt" in p:
            out[p["name"]]["ctxt"] = p["ctxt"] / float(p["ops"])
        if p.get("counter"):
            out[p["name"]]["req"] = p["counter"] / float(p["ops"])
    return out


def fmt(x, digits=3):
    if x is None:
        return "–"
    if x == 0:
        return "0"
    if abs(x) >= 10 ** digits:
        return "%d" % round(x)
    from math import floor, log10
    dec = max(0, digits - 1 - int(floor(log10(abs(x)))))
    return "%.*f" % (dec, x)


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    raw = os.path.join(out, "raw")
    env = {}
    if os.path.exists(os.path.join(out, "env.txt")):
        for line in open(os.path.join(out, "env.txt")):
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = v
    jobs = [l.split()[:2] for l in open(os.path.join(out, "jobs.txt")) if l.strip()]
    present = [t for t in TARGETS if t in env.get("targets", " ".join(TARGETS)).split()]

    # rows: (row name, unit, {target: [run results]}, {target: skipped?}).
    # TRIED[(row, target)]: repetitions that ran (failed ones included), so
    # a failed repetition shows as "2 of 3 reps" instead of vanishing.
    rows = []
    TRIED = {}
    for name, kind in jobs:
        base = os.path.join(raw, name)
        if kind == "meta":
            sub, tried = {}, {}
            for t in present:
                for rep in sorted(glob.glob(os.path.join(base, t, "*"))):
                    tried[t] = tried.get(t, 0) + 1
                    try:
                        res = meta_runs(rep)
                    except (OSError, ValueError, KeyError):
                        continue
                    for ph, r in res.items():
                        sub.setdefault(ph, {}).setdefault(t, []).append(r)
            sfx = name[len("meta"):]
            for ph in ("create", "stat", "unlink"):
                rn = "meta-%s%s" % (ph, sfx)
                for t, n in tried.items():
                    TRIED[(rn, t)] = n
                rows.append((rn, "ops/s", sub.get(ph, {}), {}))
            continue
        seq = name.startswith("seq")
        per, skipped = {}, {}
        for t in present:
            for rep in sorted(glob.glob(os.path.join(base, t, "*"))):
                if os.path.exists(os.path.join(rep, "skipped")):
                    skipped[t] = True
                    continue
                TRIED[(name, t)] = TRIED.get((name, t), 0) + 1
                try:
                    r = fio_run(rep, seq)
                except (OSError, ValueError, KeyError, IndexError):
                    r = None
                if r:
                    per.setdefault(t, []).append(r)
        rows.append((name, "MiB/s" if seq else "IOPS", per, skipped))

    def cell(name, t, runs, skipped):
        if skipped:
            return "n/a"
        tried = TRIED.get((name, t), 0)
        if not runs:
            return "fail (0 of %d reps)" % tried if tried else "–"
        v = [r["value"] for r in runs]
        if len(v) == 1:
            c = fmt(v[0])
        else:
            c = "%s (%s–%s)" % (fmt(statistics.median(v)), fmt(min(v)), fmt(max(v)))
        if len(v) < tried:
            c += " **%d of %d reps**" % (len(v), tried)
        return c

    def best_fuse(per):
        """The FUSE variant with the higher median on this row, or None."""
        best = None
        for t in FUSES:
            if t not in present:
                continue
            m = med([r["value"] for r in per.get(t, [])])
            if m is not None and (best is None or m > best[1]):
                best = (t, m)
        return best[0] if best else None

    def ratio(per, a, b):
        ma = med([r["value"] for r in per.get(a, [])])
        mb = med([r["value"] for r in per.get(b, [])])
        if ma is None or not mb:
            return None
        return ma / mb

    fuses = [t for t in FUSES if t in present]
    hdr = ["job", "unit"] + [LABEL[t] for t in present]
    if fuses:
        hdr.append("vfsd/FUSE best")
    if "tmpfs" in present:
        hdr.append("vfsd/tmpfs")
    hdr += ["module mapped GiB/GiB", "module copied B/GiB"]
    hdr += ["server CPU-copied GiB/GiB " + LABEL[t] for t in present]
    lines = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    hdr2 = ["job"] + ["p50 / p99 µs " + LABEL[t] for t in present] + ["CPU " + LABEL[t] for t in present]
    lines2 = ["| " + " | ".join(hdr2) + " |", "|" + "---|" * len(hdr2)]
    tsv = ["\t".join(["job", "unit", "target", "median", "min", "max", "p50_us", "p99_us",
                      "cpu", "mapped_per_byte", "copied_per_gib", "server_copied_per_byte",
                      "reps", "reps_tried"])]
    ratios = {}
    winners = {}
    for name, unit, per, skipped in rows:
        c = [name, unit] + [cell(name, t, per.get(t, []), skipped.get(t)) for t in present]
        if fuses:
            bt = best_fuse(per)
            x = ratio(per, "vfsd", bt) if bt else None
            ratios[(name, "fuse")] = x
            winners[name] = bt
            c.append("%s× (%s)" % (fmt(x, 2), SHORT[bt]) if x else "–")
        if "tmpfs" in present:
            x = ratio(per, "vfsd", "tmpfs")
            ratios[(name, "tmpfs")] = x
            c.append(fmt(x, 2) + "×" if x else "–")
        rs = per.get("vfsd", [])
        x = med([r.get("mapped") for r in rs])
        c.append(fmt(x) if x is not None else "–")
        x = med([r.get("copied") for r in rs])
        c.append(fmt(x) if x is not None else "–")
        for t in present:
            if t == "tmpfs":
                c.append("n/a")
                continue
            x = med([r.get("srv") for r in per.get(t, [])])
            c.append(fmt(x) if x is not None else "–")
        lines.append("| " + " | ".join(c) + " |")
        c2 = [name]
        for t in present:
            rs = per.get(t, [])
            c2.append("%s / %s" % (fmt(med([r["p50"] for r in rs])), fmt(med([r["p99"] for r in rs]))) if rs else "–")
        for t in present:
            rs = per.get(t, [])
            x = med([r.get("cpu") for r in rs])
            if x is None:
                c2.append("–")
                continue
            v = fmt(x) + (" µs/op" if unit == "ops/s" else " s/GiB")
            ticks = med([r.get("ticks") for r in rs])
            if ticks is not None and ticks < 100:
                v += " (%d ticks)" % ticks
            c2.append(v)
        lines2.append("| " + " | ".join(c2) + " |")
        for t in present:
            rs = per.get(t, [])
            if not rs:
                continue
            v = [r["value"] for r in rs]
            tsv.append("\t".join(str(x) for x in [
                name, unit, t, statistics.median(v), min(v), max(v),
                med([r["p50"] for r in rs]), med([r["p99"] for r in rs]),
                med([r.get("cpu") for r in rs]), med([r.get("mapped") for r in rs]),
                med([r.get("copied") for r in rs]), med([r.get("srv") for r in rs]),
                len(rs), TRIED.get((name, t), len(rs))]))

    # The goals the project measures itself against.
    goals = []

    def goal(what, key, other, want):
        x = ratios.get((key, other))
        if x is None:
            goals.append("- %s: not measured" % what)
        else:
            goals.append("- %s: **%s×** (goal ≥ %s×) — %s" % (what, fmt(x, 2), fmt(want, 2),
                                                         "met" if x >= want else "MISSED"))
    if fuses:
        goal("1 MiB sequential read, vfsd/FUSE best", "seqread-1m", "fuse", 3)
        goal("1 MiB sequential write, vfsd/FUSE best", "seqwrite-1m", "fuse", 3)
        goal("4 KiB random read (buffered, psync QD1), vfsd/FUSE best", "randread-4k-psync", "fuse", 3)
        goal("4 KiB random read (O_DIRECT, psync QD1), vfsd/FUSE best", "randread-4k-direct-psync", "fuse", 3)
        goal("metadata create, vfsd/FUSE best", "meta-create", "fuse", 3)
        goal("metadata stat, vfsd/FUSE best", "meta-stat", "fuse", 3)
        goal("metadata unlink, vfsd/FUSE best", "meta-unlink", "fuse", 3)
    else:
        goals.append("- vfsd/FUSE goals: not measured (the server has no FUSE transport yet)")
    if "tmpfs" in present:
        goal("1 MiB sequential write, vfsd/tmpfs", "seqwrite-1m", "tmpfs", 0.5)
    copied = [r.get("copied") for _, _, per, _ in rows for r in per.get("vfsd", [])]
    copied = [x for x in copied if x is not None]
    if copied:
        goals.append("- bulk bytes copied by the module: **%s** in total over all vfsd data jobs "
                     "(goal 0) — %s" % (fmt(sum(copied)), "met" if sum(copied) == 0 else "MISSED"))

    have_tlb = any(r.get("tlb") is not None for _, _, per, _ in rows
                   for rs in per.values() for r in rs)
    diag_hdr = ["job"] + ["ctx switches/op " + LABEL[t] for t in present] + \
        ["TLB shootdowns/op " + LABEL[t] for t in present if have_tlb] + \
        ["vfsd requests/op", "vfsd KiB mapped/request"] + \
        ["%s server copies GiB/GiB: backend + /dev/fuse" % LABEL[t] for t in fuses]
    diag = ["| " + " | ".join(diag_hdr) + " |", "|" + "---|" * len(diag_hdr)]
    for name, unit, per, skipped in rows:
        c = [name]
        for t in present:
            c.append(fmt(med([r.get("ctxt") for r in per.get(t, [])])))
        for t in present if have_tlb else []:
            c.append(fmt(med([r.get("tlb") for r in per.get(t, [])])))
        rs = per.get("vfsd", [])
        c.append(fmt(med([r.get("req") for r in rs])))
        c.append(fmt(med([r.get("kib_req") for r in rs])))
        for t in fuses:
            b_ = med([r.get("srv_backend") for r in per.get(t, [])])
            x_ = med([r.get("srv_xport") for r in per.get(t, [])])
            c.append("%s + %s" % (fmt(b_), fmt(x_)) if b_ is not None else "–")
        diag.append("| " + " | ".join(c) + " |")

    md = []
    md.append("## vfsd vs FUSE vs tmpfs (%s)" % env.get("date", "?"))
    won = [winners[n] for n, _, _, _ in rows if winners.get(n)]
    md.append("")
    md.append("Guest kernel %s, %s vCPUs under QEMU **TCG (software emulation)**, %s RAM; "
              "commit %s; %s." % (env.get("kernel", "?"), env.get("cpus", "?"), env.get("mem", "?"),
                                   env.get("commit", "?"), env.get("fio", "fio")))
    md.append("Settings: %s." % env.get("settings", "?"))
    md.append("")
    md.append("Targets: " + "; ".join("%s `%s`" % (LABEL[t], env.get(t, "?")) for t in present) + ".")
    md.append("")
    setup = ["Order: %s." % env.get("order", "fixed (vfsd first)")]
    if "timeouts" in env:
        setup.append("Timeouts: %s." % env["timeouts"])
    if "vm_dirty" in env:
        setup.append("vm: %s." % env["vm_dirty"])
    for t in present:
        if "bdi_" + t in env:
            setup.append("%s bdi: %s." % (LABEL[t], env["bdi_" + t]))
    for t in fuses:
        if "fuse_want_" + t in env:
            setup.append("%s INIT granted (want): %s; refused: %s." % (
                LABEL[t], env["fuse_want_" + t].split(" ", 1)[-1],
                env.get("fuse_refused_" + t, "?").split(" ", 1)[-1]))
    if "fuse-uring" in present:
        setup.append("FUSE io_uring: %s; libfuse %s; requests served (the server's "
                     "fuse_req_is_uring() count over the whole run): %s." % (
                         env.get("fuse_enable_uring", "?"), env.get("fuse_uring_libfuse", "?"),
                         env.get("fuse_uring_requests", "?")))
    md.append(" ".join(setup))
    md.append("")
    md.append("Only ratios within one run mean anything: TCG makes every instruction, page-table "
              "update and TLB flush far slower than on hardware, in different proportions.")
    md.append("Values are median (min–max) over the repetitions; **k of n reps**: only k of "
              "the n repetitions that ran succeeded (the median is of those); n/a: the target "
              "lacks the feature (O_DIRECT on tmpfs); fail: every repetition failed. "
              "vfsd/FUSE best: vfsd against the FUSE variant (splice, no-splice or io_uring, "
              "whichever ran) with the higher "
              "median on that row%s. module mapped/copied: /sys/fs/vfsd/<id>/bytes_mapped and "
              "bytes_copied per byte / per GiB the application moved. server CPU-copied: file "
              "bytes the server copied with the CPU (its --stats: the mem backend's memcpy, and "
              "over FUSE also the READ replies and WRITE data the kernel copies to and from "
              "/dev/fuse, or the io_uring ring entries' buffers, in the server's system calls) "
              "per byte moved; tmpfs has no server." % (
                  " (%s)" % ", ".join("%s won %d of %d rows" % (SHORT[t], won.count(t), len(won))
                                      for t in fuses if won.count(t))
                  if won else ""))
    md.append("")
    md.extend(lines)
    md.append("")
    md.append("Latency and CPU (medians). CPU is system-wide busy time from /proc/stat (server "
              "threads included) per GiB moved, or per operation for metadata (over ≥ %s s of "
              "timed passes per phase; \"(n ticks)\" flags a figure from fewer than 100 ticks)."
              % (env.get("settings", "").split("meta_seconds=")[-1].split()[0]
                 if "meta_seconds=" in env.get("settings", "") else "?"))
    md.append("")
    md.extend(lines2)
    md.append("")
    md.append("Goals:")
    md.append("")
    md.extend(goals)
    md.append("")
    md.append("Diagnostics (medians): context switches system-wide (ctxt in /proc/stat) per I/O "
              "or metadata operation; " + ("" if have_tlb else "(not in this run: ") + "TLB shootdown interrupts (the TLB line of /proc/interrupts, whole fio run, so fio's own start-up adds a little to every target) per I/O" + ("" if have_tlb else ")") + "; vfsd requests (/sys/fs/vfsd/<id>/requests) per I/O and "
              "bytes mapped per request.")
    md.append("")
    md.extend(diag)
    md.append("")
    text = "\n".join(md)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out, "summary.tsv"), "w") as f:
        f.write("\n".join(tsv) + "\n")

    # Chart: two panels (MiB/s, ops/s), log scale, median with min–max bars.
    def dat_line(name, per):
        cols = [name]
        for t in present:
            v = [r["value"] for r in per.get(t, [])]
            cols += [str(statistics.median(v)), str(min(v)), str(max(v))] if v else ["NaN"] * 3
        return " ".join(cols)
    seq_rows = [dat_line(n, p) for n, u, p, _ in rows if u == "MiB/s"]
    ops_rows = [dat_line(n, p) for n, u, p, _ in rows if u != "MiB/s"]
    with open(os.path.join(out, "chart.dat"), "w") as f:
        f.write("# job then median min max per target: %s\n" % " ".join(present))
        f.write("\n\n\n".join("\n".join(b) for b in (seq_rows, ops_rows) if b) + "\n")
    dat = os.path.join(out, "chart.dat")

    def plot(index):
        ps = []
        for i, t in enumerate(present):
            c = 2 + 3 * i
            # noenhanced: "io_uring" is no subscript.
            ps.append("'%s' index %d using %d:%d:%d%s title '%s' noenhanced" %
                      (dat, index, c, c + 1, c + 2, ":xtic(1)" if i == 0 else "", LABEL[t]))
        return ", ".join(ps)
    gp = """set terminal pngcairo size 1600,1100 font ',10'
set output '{png}'
set datafile missing 'NaN'
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set logscale y
set grid ytics
set key top right
set xtics rotate by -35 left
set multiplot layout {panels},1 title 'vfsd vs FUSE vs tmpfs ({date}, QEMU TCG guest: compare ratios only; bars: median, whiskers: min-max)'
{seqpanel}{opspanel}unset multiplot
""".format(png=os.path.join(out, "chart.png"), date=env.get("date", ""),
           panels=max(1, (1 if seq_rows else 0) + (1 if ops_rows else 0)),
           seqpanel=("set ylabel 'MiB/s'\nset title 'sequential (buffered)'\nplot %s\n" % plot(0)) if seq_rows else "",
           opspanel=("set ylabel 'IOPS / ops per s'\nset title '4 KiB random, mmap, metadata'\nplot %s\n" % plot(1 if seq_rows else 0)) if ops_rows else "")
    with open(os.path.join(out, "chart.gp"), "w") as f:
        f.write(gp)
    if shutil.which("gnuplot"):
        r = subprocess.run(["gnuplot", os.path.join(out, "chart.gp")], capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write("report: gnuplot failed:\n" + r.stderr)
    else:
        sys.stderr.write("report: no gnuplot, no chart (apt-get install gnuplot-nox)\n")
    print(text)
    print("chart: %s" % os.path.join(out, "chart.png"))


if __name__ == "__main__":
    main()
