// The trace panel: every WASI call of the last run (rt.run's `trace` result) as strace shows it,
// and a summary of counts and host time per call like `strace -c`, both narrowed by one filter.

const SHOWN_CALLS = 2000; // rows drawn at once: a guest can make hundreds of thousands of calls

export class TracePanel {
  constructor({ summary, calls, status, filter, errorsOnly }) {
    Object.assign(this, { summary, calls, status, filter, errorsOnly });
    this.trace = null;
    filter.oninput = () => this.render();
    errorsOnly.onchange = () => this.render();
  }

  /** Show a run's trace ({calls: [[name, args, result, seconds]], dropped, errnos}), or none. */
  show(trace, why) {
    this.trace = trace ?? null;
    if (!trace) {
      this.summary.tBodies[0].replaceChildren();
      this.calls.replaceChildren();
      this.status.textContent = why;
      return;
    }
    this.render();
  }

  /** The calls that pass the filter: a name containing the text, and only failures if asked. */
  selected() {
    const text = this.filter.value.trim();
    const failedOnly = this.errorsOnly.checked;
    const all = this.trace.calls.map((call, index) => ({ index, call }));
    return all.filter(({ call: [name, , result] }) => name.includes(text) && (!failedOnly || failed(result)));
  }

  render() {
    if (!this.trace) return;
    const { calls, dropped } = this.trace;
    const selected = this.selected();
    this.summary.tBodies[0].replaceChildren(...summaryRows(selected.map(({ call }) => call)));
    this.calls.replaceChildren(...selected.slice(0, SHOWN_CALLS).map(({ index, call }) => this.callItem(index, call)));
    const more = selected.length > SHOWN_CALLS ? `; the first ${SHOWN_CALLS} are listed` : "";
    const lost = dropped ? ` (${dropped} more were not recorded)` : "";
    this.status.textContent = `${selected.length} of ${calls.length} calls${lost}${more}`;
  }

  callItem(index, [name, args, result, seconds]) {
    const item = document.createElement("li");
    item.value = index + 1;
    item.className = failed(result) ? "failed" : "";
    const shown = result === null ? "?" : result === 0 ? "0" : `${result} E${this.trace.errnos[result] ?? "?"}`;
    const time = Object.assign(document.createElement("span"), { className: "time", textContent: `  ${micros(seconds)} µs` });
    item.append(`${name}(${args.join(", ")}) = ${shown}`, time);
    return item;
  }
}

const failed = (result) => result !== null && result !== 0;

const micros = (seconds) => (seconds * 1e6).toFixed(seconds < 1e-4 ? 1 : 0);

/** strace -c: per call name, the share of host time, total µs, µs per call, calls and errors; slowest first. */
function summaryRows(calls) {
  const byName = new Map();
  let total = 0;
  for (const [name, , result, seconds] of calls) {
    const row = byName.get(name) ?? { name, calls: 0, errors: 0, seconds: 0 };
    row.calls += 1;
    row.errors += failed(result) ? 1 : 0;
    row.seconds += seconds;
    total += seconds;
    byName.set(name, row);
  }
  const rows = [...byName.values()].sort((a, b) => b.seconds - a.seconds || b.calls - a.calls);
  const cells = (values) => {
    const tr = document.createElement("tr");
    tr.append(...values.map((value) => Object.assign(document.createElement("td"), { textContent: value })));
    return tr;
  };
  const percent = (seconds) => (total ? ((100 * seconds) / total).toFixed(1) : "0.0");
  const lines = rows.map((row) => {
    const line = cells([percent(row.seconds), micros(row.seconds), micros(row.seconds / row.calls), row.calls, row.errors || "", row.name]);
    line.dataset.call = row.name;
    return line;
  });
  if (rows.length > 1) {
    const sum = (key) => rows.reduce((count, row) => count + row[key], 0);
    lines.push(cells(["100.0", micros(total), "", sum("calls"), sum("errors") || "", "total"]));
  }
  return lines;
}
