"""The worker boots Pyodide with our wheel, and guests run through the JsEngine."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_prepared_snapshot import first_visit

from pywasi_web.cli.toolchain import build_c
from tests.oracle import run_oracle

pytestmark = pytest.mark.browser
HOG = Path(__file__).parent / "guests" / "hog.c"


def test_boot_reports_jspi_and_isolation(page: Any) -> None:
    info = page.evaluate("window.pywasiRuntime.info")
    assert info["pyodideVersion"] == "314.0.7"
    assert info["crossOriginIsolated"] is True
    assert info["jspi"] is True
    assert page.get_by_test_id("status").inner_text().startswith("ready")


def test_hello_prints_arguments(run_guest: Any) -> None:
    result = run_guest("hello.wasm", args=["a", "b c"])
    assert result == {
        "exitCode": 0,
        "stdout": "hello from wasm a b c\n",
        "stderr": "",
        "error": None,
        "files": {},
    }


def test_exit_code_and_batch_stdin(run_guest: Any) -> None:
    result = run_guest("echo.wasm", stdin="one\ntwo\n")
    assert result["exitCode"] == 3
    assert result["stdout"] == "ready\ngot: one\ngot: two\nbye\n"


def test_interactive_stdin_waits_for_later_input(page: Any) -> None:
    """Each step waits for the guest's output (an event), so the guest is provably waiting when the
    page writes: it printed "ready" and cannot go on without input."""
    result = page.evaluate(
        """async () => {
            const rt = window.pywasiRuntime, seen = [];
            let wanted = null, reached;
            const output = (text) => {
                wanted = text;
                return new Promise((resolve) => {
                    reached = resolve;
                    if (seen.join("") === wanted) resolve();
                });
            };
            const done = rt.run("examples/echo.wasm", {interactive: true, onStdout: (d) => {
                seen.push(new TextDecoder().decode(d));
                if (seen.join("") === wanted) reached();
            }});
            await output("ready\\n");
            const before = seen.join("");
            rt.write("later\\n");
            await output("ready\\ngot: later\\n");
            const middle = seen.join("");
            rt.closeStdin();
            const r = await done;
            return {before, middle, stdout: r.stdout, exitCode: r.exitCode};
        }"""
    )
    assert result["before"] == "ready\n"  # streamed while the guest waits
    assert result["middle"] == "ready\ngot: later\n"
    assert result["stdout"] == "ready\ngot: later\nbye\n"
    assert result["exitCode"] == 3


def test_sleep_really_sleeps(run_guest: Any) -> None:
    result = run_guest("sleep.wasm", args=["250"])
    slept = int(re.fullmatch(r"slept (\d+) ms\n", result["stdout"]).group(1))  # type: ignore[union-attr]
    assert slept >= 240  # it waited the whole time (how much longer depends on the machine's load)


def test_clocks_answered_in_js_share_python_time_base(run_guest: Any) -> None:
    """clock_time_get is answered in JS (engines/js.py); poll_oneoff deadlines are Python's.

    An absolute deadline 100 ms past a JS reading must end ~100 ms later on both wall clocks, and the
    error cases still come from the kernel (EINVAL for an unknown clock, EFAULT for a bad pointer).
    """
    result = run_guest("clocks.wasm")
    assert result["stdout"] == (
        "realtime: poll 0, ok\n"
        "monotonic: poll 0, ok\n"
        "process: ok\n"
        "thread: ok\n"
        "unknown clock: 28\n"
        "bad pointer: 21\n"
    )


def test_memory_limit_matches_wasmtimes_store_limit(run_guest: Any, tmp_path: Path) -> None:
    """maxMemoryBytes: memory.grow fails past it, as under wasmtime's store limit (the oracle)."""
    limit = 32 << 20
    expected = run_oracle(build_c(HOG), {"name": "hog", "guest": "hog"}, tmp_path, max_memory=limit)
    result = run_guest("hog.wasm", maxMemoryBytes=limit)
    assert (result["exitCode"], result["stdout"]) == (0, expected.stdout.decode())
    assert run_guest("hog.wasm", maxMemoryBytes=limit // 4)["stdout"] != result["stdout"]


def test_trap_reports_wasm_frames(run_guest: Any) -> None:
    result = run_guest("trap.wasm")
    assert result["exitCode"] == 134
    assert result["stdout"] == "about to trap\n"
    assert result["error"]["kind"] == "trap"
    assert "unreachable" in result["error"]["message"]
    assert "wasm-function" in result["error"]["backtrace"]


def test_files_in_and_out(run_guest: Any) -> None:
    result = run_guest("files.wasm", files={"input.txt": "hello files\n"})
    assert result["exitCode"] == 0, result
    assert result["files"]["/out/result.txt"] == "HELLO FILES\n"


def test_invalid_module_is_a_module_error(page: Any) -> None:
    result = page.evaluate(
        "async () => (await window.pywasiRuntime.run(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5]))).error"
    )
    assert result["kind"] == "module"
    assert result["message"].startswith("invalid WebAssembly module:")


def test_timeout_stops_a_waiting_guest(run_guest: Any) -> None:
    result = run_guest("echo.wasm", interactive=True, timeoutMs=300)
    assert result["exitCode"] == 124
    assert result["error"]["kind"] == "timeout"
    assert result["stdout"] == "ready\n"


KILL_A_SPINNING_GUEST = """async () => {
    const rt = window.pywasiRuntime;
    let spinning;
    const started = new Promise((resolve) => (spinning = resolve));
    const run = rt.run("examples/spin.wasm", {onStdout: () => spinning()});
    await started;
    rt.kill("stopped by the test");
    const result = await run;
    return {exitCode: result.exitCode, error: result.error};
}"""


def test_kill_stops_a_computing_guest(page: Any, run_guest: Any, wait_ready: Any) -> None:
    """spin.wasm never ends by itself: its run resolving after kill() is the guest being stopped.
    (How fast is not asserted: that depends on the load of the machine.)"""
    killed = page.evaluate(KILL_A_SPINNING_GUEST)
    assert killed["exitCode"] == 124 and killed["error"]["message"] == "stopped by the test"
    wait_ready(page)  # the new worker
    assert run_guest("hello.wasm")["stdout"] == "hello from wasm\n"


def test_timeout_kills_a_computing_guest_and_the_runtime_recovers(run_guest: Any) -> None:
    # Runs last: it restarts the worker (a new Pyodide boot).
    result = run_guest("spin.wasm", timeoutMs=500)
    assert result["exitCode"] == 124
    assert result["error"]["kind"] == "timeout"
    assert run_guest("hello.wasm")["stdout"] == "hello from wasm\n"


def test_a_first_visit_boots_from_the_prepared_snapshot_and_a_reload_from_the_cache(
    browser: Any, server_url: str, wait_ready: Any, wait_snapshot_saved: Any
) -> None:
    """A first visit (no snapshot kept) boots from the snapshot prepared in Node and keeps it;
    the next page load boots from the kept one, and runs."""
    with first_visit(browser, server_url, wait_ready) as (page, warnings):
        first = page.evaluate("window.pywasiRuntime.info")
        assert (first["fromSnapshot"], first["preparedSnapshot"]) == (True, True), warnings
        assert "snapshot-fetched" in [step[0] for step in first["timeline"]]
        wait_snapshot_saved(page)
        page.reload()
        wait_ready(page)
        info = page.evaluate("window.pywasiRuntime.info")
        assert (info["fromSnapshot"], info["preparedSnapshot"]) == (True, False), warnings
        assert not warnings, warnings
        result = page.evaluate("""() => window.pywasiRuntime.run("examples/hello.wasm", {args: ["warm"]})""")
        assert result["exitCode"] == 0 and "warm" in result["stdout"], result


def _refused(kind: str, name: str, garbage: Path) -> type[Any]:
    """A playground handler whose prepared snapshot is of other code (`stale`: the index names
    another hash), made without JSPI (`nojspi`: the name such a Node gives it), or `corrupt` (the
    right name, other bytes)."""
    from pywasi_web.cli.serve import PlaygroundHandler

    class Refused(PlaygroundHandler):
        def wheels(self) -> dict[str, object]:
            names = super().wheels()
            if kind == "stale":
                names["snapshot"] = name[: -len("0" * 64)] + "0" * 64
            if kind == "nojspi":
                names["snapshot"] = name.replace("-jspi-", "-nojspi-")
            return names

        def _resolve(self, path: str) -> Path | None:
            return garbage if kind == "corrupt" and path.startswith("/snapshots/") else super()._resolve(path)

    return Refused


@pytest.mark.parametrize("kind", ["stale", "nojspi", "corrupt"])
def test_a_prepared_snapshot_that_does_not_fit_is_refused_and_the_boot_goes_on_cold(
    browser: Any, server_url: str, wait_ready: Any, tmp_path: Path, kind: str
) -> None:
    """Used only under the name this worker computes (Pyodide's version, JSPI, our code's hash), a
    prepared snapshot of other code or of a runtime without JSPI is not even fetched; one Pyodide
    rejects is dropped with a warning. Either way the page boots cold and runs."""
    from pywasi_web.cli.serve import wheel_index
    from tests.served import served

    name = str(wheel_index()["snapshot"])
    assert "-jspi-" in name, name
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"not a snapshot" * 1000)
    context = browser.new_context()  # its own OPFS: the boot needs the prepared one
    try:
        page = context.new_page()
        warnings: list[str] = []
        page.on("console", lambda message: message.type == "warning" and warnings.append(message.text))
        with served(Path(__file__).parents[1], _refused(kind, name, garbage)) as url:
            page.goto(url)
            wait_ready(page)
            info = page.evaluate("window.pywasiRuntime.info")
            steps = [step[0] for step in info["timeline"]]
            assert (info["fromSnapshot"], info["preparedSnapshot"]) == (False, False), (warnings, steps)
            fetched = any(step.startswith("/snapshots/") for step in steps)
            rejected = [text for text in warnings if "snapshot was rejected" in text]
            assert (fetched, bool(rejected)) == (kind == "corrupt", kind == "corrupt"), warnings
            result = page.evaluate("""() => window.pywasiRuntime.run("examples/hello.wasm", {args: ["a"]})""")
            assert result["exitCode"] == 0 and " a" in result["stdout"], result
    finally:
        context.close()


BAD_RUNS = [
    pytest.param(
        '"examples/no-such.wasm"',
        "{}",
        "module",
        "cannot fetch examples/no-such.wasm: 404 Not Found",
        marks=pytest.mark.expected_console_errors("the server responded with a status of 404"),
        id="404",
    ),
    ("null", "{}", "module", "the guest must be a URL (a string or URL) or the module's bytes"),
    ("42", "{}", "module", "the guest must be a URL (a string or URL) or the module's bytes"),
    (
        '"examples/hello.wasm"',
        '{env: ["A=1"]}',
        "options",
        "env must be an object of names to values, not an array",
    ),
    ('"examples/hello.wasm"', "{stdin: 42}", "options", "stdin must be a string or bytes"),
    ('"examples/hello.wasm"', '{stdn: "typo"}', "options", 'unknown option "stdn" (run() knows args, argv0,'),
    ('"examples/hello.wasm"', '{args: "one string"}', "options", 'args must be an array, not "one string"'),
    ('"examples/hello.wasm"', '{args: ["a", 2]}', "options", "args[1] must be a string, not number 2"),
    ('"examples/hello.wasm"', '{args: ["a\\0b"]}', "options", "args[0] contains a NUL character"),
    ('"examples/hello.wasm"', '{env: {A: "x\\0"}}', "options", 'env["A"] contains a NUL character'),
    ('"examples/hello.wasm"', '{mounts: {"/d": "text"}}', "options", 'mounts["/d"] must be an object'),
    (
        '"examples/hello.wasm"',
        '{mounts: {"/d": {host: 42}}}',
        "options",
        'mounts["/d"].host must be a string',
    ),
    (
        '"examples/hello.wasm"',
        "{timeoutMs: -5}",
        "options",
        "timeoutMs must be a positive number, not number -5",
    ),
    ('"examples/hello.wasm"', '"options"', "options", 'options must be an object, not "options"'),
]


@pytest.mark.parametrize(("wasm", "options", "kind", "message"), BAD_RUNS)
def test_bad_guest_or_options_is_an_error_result(
    page: Any, run_guest: Any, wasm: str, options: str, kind: str, message: str
) -> None:
    """rt.run never rejects for a bad guest or bad options: it resolves with one line saying why."""
    result = page.evaluate(
        f"""async () => {{
            try {{
                const r = await window.pywasiRuntime.run({wasm}, {options});
                return {{exitCode: r.exitCode, stdout: r.stdout, error: r.error}};
            }} catch (error) {{
                return {{threw: String(error)}};
            }}
        }}"""
    )
    assert "threw" not in result, result
    assert result["exitCode"] is None and result["stdout"] == ""
    assert result["error"]["kind"] == kind
    assert result["error"]["message"].startswith(message), result
    assert "\n" not in result["error"]["message"] and "Traceback" not in result["error"]["message"]
    assert run_guest("hello.wasm")["stdout"] == "hello from wasm\n"  # the runtime is still usable


RAW_WORKER_RUN = """async () => {
    const worker = new Worker("worker.js", {type: "module"});
    const exit = new Promise((resolve, reject) => {
        worker.onmessage = ({data}) => {
            if (data.type === "error") reject(new Error(data.message));
            if (data.type === "exit") resolve(data);
        };
    });
    worker.postMessage({type: "init", blocking: "auto"});
    const wasm = new Uint8Array(await (await fetch("examples/hello.wasm")).arrayBuffer());
    worker.postMessage({type: "run", id: 1, wasm, options: {env: ["A=1"]}});
    try {
        return (await exit).error;
    } finally {
        worker.terminate();
    }
}"""


def test_a_python_exception_in_the_worker_reaches_the_page_as_one_line(page: Any) -> None:
    """Options that bypass run()'s checks (a message posted to worker.js directly) still fail with
    the Python exception's last line, not its traceback."""
    error = page.evaluate(RAW_WORKER_RUN)
    assert error["kind"] == "internal"
    assert error["message"] == "AttributeError: 'list' object has no attribute 'items'", error


INTERLEAVED = """async ([runtime, guest]) => {
    const rt = window[runtime] ?? window.pywasiRuntime, seen = [];
    const text = () => seen.map(([kind, data]) => (kind === "stdout" ? data : data.toLowerCase())).join("");
    let prompted;
    const prompt = new Promise((resolve) => { prompted = resolve; });
    const note = (kind) => (d) => {
        seen.push([kind, new TextDecoder().decode(d)]);
        if (text().endsWith("prompt> ")) prompted();
    };
    const done = rt.run(`examples/${guest}`, {interactive: true, timeoutMs: 60000,
        onStdout: note("stdout"), onStderr: note("stderr")});
    await prompt;  // shown while the guest waits for its input
    const before = text(), deliveries = seen.length;
    rt.write("x");
    rt.closeStdin();
    const r = await done;
    return {before, deliveries, after: text(), stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode};
}"""


@pytest.fixture(scope="module")
def interleave_component() -> str:
    """interleave.c made a WASI 0.2 component, served beside the core module."""
    from pywasi_web.cli.serve import examples_dir
    from pywasi_web.cli.toolchain import componentize

    built = componentize(build_c(Path(__file__).parent / "guests" / "interleave.c"), "interleave")
    (examples_dir() / "interleave-component.wasm").write_bytes(built.read_bytes())
    return "interleave-component.wasm"


def expected_interleaving() -> tuple[str, str]:
    """What interleave.c writes, stderr in lower case: before its read, and in all."""
    before = ("o" * 6 + "e") * 12 + "\n" + "prompt> "
    return before, before + "ex" * 6


@pytest.mark.parametrize("runtime", ["pywasiRuntime", "atomicsRuntime"], ids=["jspi", "atomics"])
@pytest.mark.parametrize("kind", ["core", "component"])
def test_stdout_and_stderr_stay_in_order_around_a_blocking_read(
    page: Any, runtime: str, kind: str, request: pytest.FixtureRequest
) -> None:
    """The engine gathers both streams in one gatherer (engines/js.py), whether it answers a write
    itself or Python does, and delivers them before the guest blocks, in both blocking modes; a
    component's writes (answered in JS too, engines/gathered_writes.py) go through the same
    gatherer: the 86 writes before the prompt reach the page in a few batches, not one each."""
    guest = request.getfixturevalue("interleave_component") if kind == "component" else "interleave.wasm"
    if runtime == "atomicsRuntime":
        page.evaluate(
            """async () => {
                const { Runtime } = await import("/pywasi.js");
                window.atomicsRuntime ??= new Runtime({ blocking: "atomics" });
                await window.atomicsRuntime.ready;
            }"""
        )
    result = page.evaluate(INTERLEAVED, [runtime, guest])
    before, everything = expected_interleaving()
    assert result["before"] == before
    assert result["deliveries"] < 86 // 2
    assert result["after"] == everything
    assert result["stdout"] == "o" * 72 + "prompt> " + "x" * 6
    assert result["stderr"] == "e" * 12 + "\n" + "E" * 6
    assert result["exitCode"] == 0
