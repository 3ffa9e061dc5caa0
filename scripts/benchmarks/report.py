"""The benchmark's table: one row per figure, with its target and how it was measured."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks import backends


def _ms(summary: dict[str, Any]) -> str:
    return f"p50 {summary['p50']:.1f} ms · p99 {summary['p99']:.1f} ms"


def _catch_up_how(catch: dict[str, Any], reps: str) -> str:
    lead = (
        f"a new SG node indexes {catch['documents']:,} documents in {catch['blocks']:,} blocks in"
        f" {catch['from_process_start_s']:.1f} s from process start"
    )
    cpu = catch.get("cpu_s")
    spent = (
        f"; CPU: {cpu['busiest_node_process_s']:.1f} s in the indexing process,"
        f" {cpu['other_node_processes_s']:.1f} s in the API's, {cpu['worker_processes_s']:.1f} s in worker"
        " processes"
        if cpu
        else ""
    )
    if catch.get("witness") == "index":
        return (
            f"{lead} (first document indexed at {catch['first_document_s']:.2f} s, then"
            f" {catch['replay_per_s']:,.0f}/s; its API answered at {catch['healthy_s']:.1f} s and showed the"
            f" last document at {catch['shown_by_api_s']:.1f} s{spent}), watched in its SQLite index, {reps}"
        )
    return f"{lead} (API first answered at {catch['healthy_s']:.1f} s{spent}), seen through its API, {reps}"


def rows(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    thr = report["issue_throughput"]
    base = report["baseline_one_tx_per_document"]
    i2v = report["issue_to_verifiable_ms"]
    by_id, by_file = report["verify_by_id_ms"], report["verify_file_ms"]
    catch = report["index_catch_up_per_s"]
    gas = report["gas_per_document"]
    reps = f"median of {thr['repetitions']}"
    return [
        (
            "issue_throughput",
            f"{thr['value']:,.0f} documents/s accepted and anchored by VN, indexed by SG"
            f" (API alone: {thr['accepted_per_s']:,.0f}/s){_lowest(thr)}",
            "≥ 1,000/s in every repetition",
            f"{thr['clients']} clients x bulk of {thr['bulk_size']} for {thr['sending_s']:.0f} s, "
            f"{thr['documents']:,} documents, {reps}",
        ),
        (
            "importer_read_per_s",
            f"{report['importer_read_per_s']['value']:,.0f} payloads/s fetched, decrypted and checked"
            f"{_importer_tail(report['importer_read_per_s'])}",
            "≥ issue_throughput",
            f"{report['importer_read_per_s']['documents']:,} documents for SG issued at once, until SG had"
            f" read them all (fetched from VN's gateway, HPKE, digest, EIP-712 signature), {reps}",
        ),
        (
            "baseline_one_tx_per_document",
            f"{base['value']:,.0f} documents/s · Origo is {report['baseline_ratio']:.1f}x faster",
            "",
            f"{base['documents']:,} anchors of one document, {base['senders']} senders, "
            f"{base['gas_per_document']:,} gas each, block gas limit {base['block_gas_limit']:,}, {reps}",
        ),
        (
            "issue_to_verifiable_ms",
            _ms(i2v),
            "p99 ≤ 2,000 ms",
            f"{i2v['samples']} documents, {i2v['in_flight']} in flight,"
            f" SG polled every {i2v['poll_ms']:.0f} ms",
        ),
        (
            "verify_by_id_ms",
            f"1 client: {_ms(by_id['1'])}\n64 clients: {_ms(by_id['64'])}",
            "p99 ≤ 10 ms at 1",
            f"GET /api/v1/verify/{{id}} at SG; {by_id['1']['samples']:,} and"
            f" {by_id['64']['samples']:,} requests",
        ),
        (
            "verify_file_ms",
            f"1 client: {_ms(by_file['1'])}\n64 clients: {_ms(by_file['64'])}",
            "p99 ≤ 10 ms at 1",
            f"POST /api/v1/verify (document + proof) at SG; {by_file['1']['samples']:,} and "
            f"{by_file['64']['samples']:,} requests",
        ),
        (
            "gas_per_document",
            " · ".join(f"{size}: {value:,.1f}".removesuffix(".0") for size, value in gas.items()),
            "",
            "anchorBatch receipts on a fresh anvil (scripts/gas_report.py)",
        ),
        (
            "index_catch_up_per_s",
            f"{catch['value']:,.0f} documents/s from process start",
            "≥ 20,000/s from process start",
            _catch_up_how(catch, reps),
        ),
        (
            "peak_rss_mb",
            f"{report['peak_rss_mb']['value']:,.0f} MiB",
            "",
            "largest VmHWM of a node process (VN, SG, the catching-up node) over the run",
        ),
        *_new_rows(report),
        *backends.rows(report.get("payload_backends", {})),
    ]


def _new_rows(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Rows of figures added after the first table (issue 22); absent from reports saved before them."""
    out = []
    backlog = report.get("importer_backlog_per_s")
    if backlog:
        out.append(
            (
                "importer_backlog_per_s",
                f"{backlog['value']:,.0f} payloads/s fetched, decrypted and checked"
                f" ({backlog['from_process_start_per_s']:,.0f}/s from process start: SG answered at"
                f" {backlog['healthy_s']:.1f} s, indexed the last at {backlog['last_indexed_s']:.1f} s,"
                f" had read all at {backlog['read_s']:.1f} s)",
                "≥ issue_throughput",
                f"{backlog['documents']:,} documents for SG issued and anchored while SG's node was stopped,"
                " from its first health answer until it had read them all (VN not issuing meanwhile, only"
                " serving its gateway),"
                f" median of {backlog['repetitions']}",
            )
        )
    cpu = report.get("issue_cpu_ms")
    if cpu:
        steps = " · ".join(f"{step} {ms:.2f}" for step, ms in cpu["cpu_ms_per_document"].items())
        out.append(
            (
                "issue_cpu_ms_per_document",
                f"{cpu['total_cpu_ms_per_document']:.2f} ms: {steps}",
                "",
                f"CPU (process time) of the node's issuing and batching code, {cpu['documents']:,} documents"
                " in bulks of 250, one process, SQLite, embedded store (scripts/benchmarks/issue_cpu.py)",
            )
        )
    replay = report.get("replay_cpu_us")
    if replay:
        steps = " · ".join(f"{step} {us:.1f}" for step, us in replay["us_per_document"].items())
        sizes = replay["index_bytes_per_document"].items()
        on_disk = " · ".join(f"{name} {size:,.0f}" for name, size in sizes)
        on_disk += "; a work-list page, ms: " + " · ".join(
            f"{at} {ms:.1f}" for at, ms in replay["work_list_page_ms"].items()
        )
        out.append(
            (
                "replay_cpu_us_per_document",
                f"{replay['documents_per_cpu_s']:,} documents per CPU-second: {steps} (µs); on disk, bytes: "
                + on_disk,
                "",
                f"the indexer's work per batch, {replay['documents']:,} synthetic documents in batches of"
                " 4,096, one process, SQLite (scripts/benchmarks/replay_cpu.py); fetching manifests not"
                " included",
            )
        )
    reading = report.get("importer_cpu_ms")
    if reading:
        here, pooled = reading["thread"], reading["workers"]
        steps = " · ".join(f"{step} {ms:.2f}" for step, ms in here["cpu_ms_per_payload"].items())
        out.append(
            (
                "importer_cpu_ms_per_payload",
                f"{here['total_cpu_ms_per_payload']:.2f} ms: {steps}; with {pooled['workers']} worker"
                f" processes {pooled['total_cpu_ms_per_payload']:.2f} ms in the node's process and"
                f" {pooled['worker_processes_cpu_ms_per_payload']:.2f} in the workers,"
                f" {pooled['payloads_per_s']:,.0f} payloads/s ({here['payloads_per_s']:,.0f}/s without)",
                "",
                f"CPU of SG's payload checker over {here['payloads']:,} payloads VN sealed for it, fetched"
                " through VN's gateway router by one CAR, one process, SQLite, embedded store"
                " (scripts/benchmarks/importer_cpu.py); VN's own CPU not counted",
            )
        )
    start = report.get("start_up_ms")
    if start:
        steps = " · ".join(f"{step} {ms:,.0f}" for step, ms in start.items())
        out.append(
            (
                "start_up_ms",
                steps,
                "< 1,500 ms to the first replayed block",
                "the steps of a node process before it indexes, each timed in a fresh interpreter"
                " (scripts/benchmarks/startup.py); *_production_scrypt: keystores at the default scrypt cost",
            )
        )
    if "payload_bytes_per_document" in report:
        out.append(
            (
                "payload_bytes_per_document",
                f"{report['payload_bytes_per_document']:,.0f} bytes",
                "",
                "VN's embedded payload store on disk (payloads and manifests) over the documents it issued",
            )
        )
    return out


def print_table(report: dict[str, Any]) -> None:
    machine = report["machine"]
    load = report.get("load_average")
    table = Table(
        title=f"Origo benchmark ({report['mode']}) — {report['date']} — "
        f"{machine['cpu']} x {machine['cores']} cores"
        + (f" — load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}" if load else "")
    )
    for column in ("measurement", "result", "target", "how"):
        table.add_column(column)
    for row in rows(report):
        table.add_row(*row)
    Console(width=200).print(table)


def markdown(report: dict[str, Any]) -> str:
    """The same rows as a Markdown table, for the README."""
    lines = ["| measurement | result | target | how |", "|---|---|---|---|"]
    for name, result, target, how in rows(report):
        lines.append(f"| `{name}` | {result.replace(chr(10), '<br>')} | {target} | {how} |")
    return "\n".join(lines)


def _importer_tail(read: dict[str, Any]) -> str:
    """When VN had accepted the documents, SG indexed the last, and how long it read after that (reports of
    before these were kept have none)."""
    if "read_after_last_indexed_s" not in read:
        return ""
    return (
        f" (VN accepted them in {read['accepted_s']:.1f} s, SG indexed the last at"
        f" {read['last_indexed_s']:.1f} s and had read every payload"
        f" {read['read_after_last_indexed_s']:.1f} s later)"
    )


def _lowest(throughput: dict[str, Any]) -> str:
    """The lowest repetition, where the report has it (reports saved before it was measured do not)."""
    lowest = throughput.get("lowest_anchored_per_s")
    if lowest is None or throughput["repetitions"] < 2:
        return ""
    return f"; lowest repetition {lowest:,.0f}/s"
