"""What the browser benchmarks share: the tier databases, a `streamlit run` server, Chromium,
and a timer that runs inside the page.

A figure is the time from the pointer going down on what is clicked until the app is idle
and usable again, measured in the page with performance.now(), so Playwright's round trips
add nothing. "Idle and usable" is: the click has started a script run and the server has
said the run is over (its session_status_changed message over the WebSocket), the page has
had a task after React's to draw that, Streamlit's root (`[data-testid="stApp"]`) says
`data-test-script-state="notRunning"`, no element is `data-stale="true"` (left from the run
before), and the interaction's own check holds (e.g. the clicked radio shows checked). These
attributes are what Streamlit 1.67's frontend sets (streamlit/static/static/js/index.*.js).
The root's attribute alone is not enough: for a fast run the frontend may draw "running" and
"notRunning" in one React commit, so the run would go unseen.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Locator, Page, sync_playwright  # noqa: E402

# What the benchmarks look for in the app, in one place: roles and visible texts only. --------
USER_PICKER = "Logg inn som"  # the sidebar's sign-in selectbox (demo mode), by its label
SIGNED_IN = "Innlogget: {name}"  # the sidebar's caption once someone is signed in
NAV_LINK_ROLE = "link"  # the navigation's page links, found by role and their exact text
APP_ROOT = '[data-testid="stApp"]'
SCRIPT_STATE = "data-test-script-state"
IDLE = "notRunning"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# The longest one interaction may take: a unit leader's sign-in at the national tier took 2-4
# minutes before issue 9's fixes (the Start page's list_assessments checks read access to each of
# the cycle's 20,000 assessments, one query each).
TIMEOUT_MS = int(os.environ.get("BENCH_TIMEOUT_MS", 300_000))
NO_RUN_MS = 30_000  # a click that has not started a script run by then will not

# The in-page timer. The server's own word on whether the script runs comes over the
# WebSocket (ForwardMsg field 9, session_status_changed, with script_is_running in its field
# 2): for a fast run the frontend may draw "running" and "notRunning" in one React commit, so
# the root's attribute alone can miss the run. arm(check) waits for the next pointerdown;
# done() resolves with the milliseconds from it until the server has run the script and gone
# idle, the frontend has had a task after React's to draw it (one setTimeout and one
# MessageChannel hop after the last message), the root says "notRunning", nothing is stale,
# and check(document) is true.
PROBE = (
    r"""
(() => {
  if (window.__bench) return;
  let m = null;
  const root = () => document.querySelector('__ROOT__');
  const state = () => { const r = root(); return r ? r.getAttribute('__ATTR__') : null; };
  function fields(bytes) {
    const out = [];
    let i = 0;
    const varint = () => { let r = 0, s = 1, b; do { b = bytes[i++]; r += (b & 0x7f) * s; s *= 128; }
                                                   while (b & 0x80 && i < bytes.length); return r; };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
      if (wire === 0) out.push([field, varint()]);
      else if (wire === 2) { const n = varint(); out.push([field, bytes.subarray(i, i + n)]); i += n; }
      else if (wire === 1) i += 8; else if (wire === 5) i += 4; else break;
    }
    return out;
  }
  function running(data) {  // true/false for a session_status_changed message, else null
    if (!(data instanceof ArrayBuffer)) return null;
    const status = fields(new Uint8Array(data)).find(([f]) => f === 9);
    if (!status) return null;
    const flag = fields(status[1]).find(([f]) => f === 2);
    return !!(flag && flag[1]);
  }
  const hop = (then) => setTimeout(() => { const c = new MessageChannel(); c.port1.onmessage = then;
                                           c.port2.postMessage(0); }, 0);
  function check() {
    if (!m || m.start === null || m.end !== null || !m.ran || !m.serverIdle || !m.drawn) return;
    if (state() !== '__IDLE__' || document.querySelector('[data-stale="true"]')) return;
    let ok = false;
    try { ok = m.check(document, m.arg); } catch (e) { ok = false; }
    if (!ok) return;
    m.end = performance.now();
    m.resolve(m.end - m.start);
  }
  function poll() { if (m && m.end === null) { check(); requestAnimationFrame(poll); } }
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const flag = running(event.data);
        if (flag === null || !m || m.start === null || m.end !== null) return;
        m.messages += 1;
        if (flag) { m.ran = true; m.serverIdle = false; m.drawn = false; return; }
        m.serverIdle = true; m.drawn = false;
        const generation = m.messages, current = m;
        hop(() => { if (current === m && m.messages === generation) { m.drawn = true; check(); } });
      });
    }
  };
  const observer = new MutationObserver(() => check());
  let watched = null;
  function watch() {
    if (document.body && document.body !== watched) {
      observer.disconnect();
      observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                       attributeFilter: ['__ATTR__', 'data-stale', 'aria-current']});
      watched = document.body;
    }
  }
  window.addEventListener('pointerdown', () => {
    if (m && m.start === null) { watch(); m.start = performance.now(); requestAnimationFrame(poll); }
  }, true);
  window.__bench = {
    arm([checkSource, arg]) {
      let resolve;
      const done = new Promise(r => { resolve = r; });
      m = {start: null, end: null, ran: false, serverIdle: false, drawn: false, messages: 0,
           check: new Function('document', 'arg', checkSource), arg, resolve, done};
    },
    done(timeout) {
      const fail = (why) => new Error(why + ': ' + JSON.stringify(window.__bench.pending()));
      const late = new Promise((_, reject) => {
        setTimeout(() => reject(fail('not done')), timeout);
        setTimeout(() => { if (!m.ran) reject(fail('the click started no script run')); }, __NO_RUN__);
      });
      return Promise.race([m.done, late]);
    },
    pending() {
      let check;
      try { check = m && m.check(document, m.arg); } catch (e) { check = String(e); }
      return m ? {start: m.start, ran: m.ran, serverIdle: m.serverIdle, drawn: m.drawn, check, state: state(),
                  stale: document.querySelectorAll('[data-stale="true"]').length} : null;
    },
  };
})();
""".replace("__ROOT__", APP_ROOT)
    .replace("__ATTR__", SCRIPT_STATE)
    .replace("__IDLE__", IDLE)
    .replace("__NO_RUN__", str(NO_RUN_MS))
)


class NotFound(RuntimeError):
    """The app did not show what a benchmark looks for (its texts or pages have changed)."""


# Databases -----------------------------------------------------------------------------------
def tier_url(tier: str, data_dir: Path) -> str:
    """The SQLite URL of a tier's database in `data_dir`, built first if it is missing.

    A tier is built by `python -m storage load-demo <tier>` into a temporary name and renamed
    when complete, so an interrupted build is never taken for a finished one."""
    from storage.db import make_engine
    from storage.demo import demo_marker

    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"{tier}.db"
    if path.exists():
        engine = make_engine(f"sqlite:///{path}")
        try:
            marker = demo_marker(engine)
        finally:
            engine.dispose()
        if marker != tier:
            raise SystemExit(f"{path} exists but holds no complete '{tier}' tier ({marker!r}); remove it")
        return f"sqlite:///{path}"
    partial = data_dir / f"{tier}.db.building"
    for leftover in data_dir.glob(f"{tier}.db.building*"):
        leftover.unlink()
    print(f"{tier}: building {path} (the national tier takes several minutes) …", flush=True)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "storage", "--database", f"sqlite:///{partial}", "load-demo", tier],
        cwd=ROOT,
        check=True,
    )
    partial.rename(path)
    print(f"{tier}: built in {time.perf_counter() - start:.0f} s", flush=True)
    return f"sqlite:///{path}"


# The server ----------------------------------------------------------------------------------
@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path


@contextlib.contextmanager
def serve(script: Path, port: int, cwd: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """`streamlit run script` on 127.0.0.1:port until the block ends; waits for its health check."""
    log = Path(tempfile.mkstemp(prefix=f"bench-{port}-", suffix=".log")[1])
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.headless=true",
                f"--server.port={port}",
                "--server.address=127.0.0.1",
                "--server.fileWatcherType=none",
                "--browser.gatherUsageStats=false",
            ],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    try:
        while True:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if process.poll() is not None or time.time() > deadline:
                raise SystemExit(f"{script.name} did not start on port {port}:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield Server(base, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.returncode not in (0, -15, None):
            print(f"  (server on port {port} ended with {process.returncode}; log {log})")
        else:
            log.unlink(missing_ok=True)


@contextlib.contextmanager
def floor_app(source: str) -> Iterator[Path]:
    """A folder with `app.py` = `source` and the project's Streamlit config, for a floor app."""
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as folder:
        shutil.copytree(ROOT / ".streamlit", Path(folder) / ".streamlit")
        for name, text in _files(source).items():
            target = Path(folder) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        yield Path(folder) / "app.py"


def _files(source: str) -> dict[str, str]:
    """`source` is either one script or several, each after a line `# file: name`."""
    if "# file: " not in source:
        return {"app.py": source}
    parts = re.split(r"^# file: (\S+)\n", source, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


# The browser ---------------------------------------------------------------------------------
@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise SystemExit("Chromium is required (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Browser, base: str) -> Page:
    """A new session (its own browser context) on the app's main page, idle."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = _errors.setdefault(id(page), [])
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"[:500]))
    page.on("console", lambda message: errors.append(message.text[:500]) if message.type == "error" else None)
    page.goto(base + "/")
    wait_idle(page)
    return page


_errors: dict[int, list[str]] = {}  # per page: what its console reported as errors


def close(page: Page) -> None:
    _errors.pop(id(page), None)
    page.context.close()


def failed(page: Page, what: str) -> NotFound:
    """A NotFound naming `what`, with a screenshot of the page and its console's last errors."""
    shot = Path(tempfile.gettempdir()) / f"bench-failed-{int(time.time())}.png"
    try:
        page.screenshot(path=str(shot))
    except Exception as error:  # a crashed page cannot be photographed
        shot = Path(f"(no screenshot: {error})")
    errors = "\n".join(_errors.get(id(page), [])[-10:]) or "none"
    return NotFound(f"{what}\n  screenshot: {shot}\n  console errors: {errors}")


def wait_idle(page: Page) -> None:
    """Wait until the app has finished its run and drawn it (for set-up steps, not timed)."""
    page.wait_for_function(
        f"""() => {{ const r = document.querySelector('{APP_ROOT}');
            return r && r.getAttribute('{SCRIPT_STATE}') === '{IDLE}'
                && !document.querySelector('[data-stale="true"]'); }}""",
        timeout=TIMEOUT_MS,
    )
    page.wait_for_timeout(200)
    page.wait_for_function(
        f"() => document.querySelector('{APP_ROOT}').getAttribute('{SCRIPT_STATE}') === '{IDLE}'",
        timeout=TIMEOUT_MS,
    )


def find(locator: Locator, what: str, timeout: float = 30_000) -> Locator:
    """The first match of `locator`, or a NotFound that says what was looked for."""
    try:
        locator.first.wait_for(state="visible", timeout=timeout)
    except Exception as error:
        raise failed(locator.page, f"not found in the app: {what}") from error
    return locator.first


def timed_click(page: Page, target: Locator, check: str = "return true;", arg: object = None) -> float:
    """Click `target` and return the milliseconds until the run it caused is over, drawn,
    and the JavaScript `check` (a function body of `document` and `arg`) returns true."""
    page.evaluate("args => window.__bench.arm(args)", [check, arg])
    target.click()
    try:
        return float(page.evaluate("timeout => window.__bench.done(timeout)", TIMEOUT_MS))
    except Exception as error:
        raise failed(page, f"the app did not finish after a click: {error}") from error


def nav_link(page: Page, title: str) -> Locator:
    return find(page.get_by_role(NAV_LINK_ROLE, name=title, exact=True), f"navigation link «{title}»")


# The navigation shows the page titled `arg` as the current one (its link's text ends with the
# title, after the icon's ligature name if it has an icon). The app's menu is drawn in a
# component's shadow root, so links are looked for in the document and in open shadow roots.
NAV_CHECK = (
    "const roots = [document, ...[...document.querySelectorAll('*')].map(e => e.shadowRoot).filter(Boolean)];"
    "return roots.flatMap(r => [...r.querySelectorAll('a[aria-current=\"page\"]')])"
    ".some(a => a.innerText.trim() === arg || a.innerText.trim().endsWith('\\n' + arg));"
)


def timed_page_switch(page: Page, title: str) -> float:
    return timed_click(page, nav_link(page, title), NAV_CHECK, title)


def timed_select(
    page: Page, label: str, option: str | re.Pattern[str], check: str = "return true;", arg: object = None
) -> float:
    """Open the selectbox `label`, then time the click on `option` until the run is over."""
    find(page.get_by_role("combobox", name=label), f"selectbox «{label}»").click()
    choice = find(page.get_by_role("option", name=option), f"option {option!r} of «{label}»")
    return timed_click(page, choice, check, arg)


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def spread(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"min {ordered[0]:.0f}, max {ordered[-1]:.0f}, n={len(ordered)}"
