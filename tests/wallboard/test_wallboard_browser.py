"""The wallboard in a real headless Chromium (selenium + chromium-driver):
load the page, submit contacts through gRPC, see the tiles change, take
screenshots at 1920x1080 and 1366x768 into the test's temporary folder."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import ccroute as cc

from .conftest import Watched

Start = Callable[..., Watched]


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip("needs Debian packages chromium and chromium-driver (make wallboard-deps installs them)")
    return browser, driver


@pytest.fixture
def browser() -> Iterator[Any]:
    """A headless Chromium driven by chromedriver, 1920x1080."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the test extra)")
    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1920,1080", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver_path))
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, script: str, expected: Any, timeout: float = 10.0) -> Any:
    """Poll ``return <script>`` in the page until it equals ``expected``."""
    deadline = time.monotonic() + timeout
    while True:
        got = driver.execute_script("return " + script)
        if got == expected:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{script!r} is {got!r}, expected {expected!r}")
        time.sleep(0.05)


def field(queue: str, name: str) -> str:
    return f"document.querySelector('[data-queue=\"{queue}\"] [data-field=\"{name}\"]').textContent"


def shot(driver: Any, path: Path, width: int, height: int) -> Path:
    driver.set_window_size(width, height)
    # the viewport, not the window, must have the size (headless windows have no chrome, but check)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if inner != [width, height]:
        driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
    time.sleep(0.4)  # a layout pass and one snapshot
    assert driver.save_screenshot(str(path)), path
    return path


def test_tiles_follow_contacts_submitted_over_grpc(watched: Start, browser: Any, tmp_path: Path) -> None:
    w = watched(interval=0.2, sample_every=0.0)
    assert w.clock is not None
    client = w.client()
    browser.get(w.url + "/")
    wait_for(browser, "document.querySelectorAll('.tile').length", 2)
    wait_for(browser, "document.getElementById('conn').textContent", "live")
    assert wait_for(browser, field("sales", "waiting"), "0") == "0"
    assert browser.execute_script("return document.querySelector('[data-queue=\"sales\"]').dataset.slState") == "none"

    for i in range(3):
        client.add_agent(cc.Agent(f"a{i}", skills={"en": 5}, state="away"))
    for i in range(5):
        client.submit(cc.Contact(f"s{i}", "voice", "support", requires={"en": 3}))
    client.submit(cc.Contact("x0", "voice", "sales"))
    wait_for(browser, field("support", "waiting"), "5")
    wait_for(browser, field("sales", "waiting"), "1")
    wait_for(browser, "document.querySelector('[data-agents=\"away\"]').textContent", "3")

    w.clock.advance(45.0)  # beyond both thresholds: longest wait shows, service level will fall short
    wait_for(browser, field("support", "longest_wait"), "45 s")
    client.set_agent_state("a0", "available")  # answers s0 after 45 s: out of SL
    client.set_agent_state("a1", "available")  # answers s1
    wait_for(browser, field("support", "waiting"), "3")
    wait_for(browser, field("support", "service_level"), "0%")
    wait_for(browser, "document.querySelector('[data-queue=\"support\"]').dataset.slState", "bad")
    assert browser.execute_script("return " + field("support", "asa")) == "45 s"
    wait_for(browser, "document.querySelector('[data-agents=\"busy\"]').textContent", "2")
    client.cancel("x0")
    wait_for(browser, field("sales", "abandon_rate"), "100.0%")
    wait_for(browser, "document.querySelectorAll('#chart polyline.series').length > 0", True)
    updates = int(browser.execute_script("return document.body.dataset.updates"))
    assert updates >= 3
    # Beside the cumulative figure: the interval and the rolling window (which colours the tile).
    assert browser.execute_script("return " + field("support", "sl_window")) == "0%"
    assert browser.execute_script("return " + field("support", "sl_interval")) == "0%"
    assert browser.execute_script("return " + field("support", "sl_window_label")) == "Last 30 min"
    # The longest wait passed the threshold: a visible alert names the queue.
    wait_for(browser, "document.getElementById('alerts').hidden", False)
    assert "support: longest wait" in browser.execute_script("return document.getElementById('alerts').textContent")
    assert browser.execute_script("return document.querySelector('[data-queue=\"support\"]').dataset.alert") == "on"
    # Waiting per channel, and every agent with state, reason and time in state.
    wait_for(browser, "document.querySelector('#waiting-channels [data-channel=\"voice\"]').textContent", "3")
    client.set_agent_state("a2", "offline", reason="lunch")
    wait_for(browser, "document.querySelector('#agent-list tr[data-agent=\"a2\"] td:nth-child(3)').textContent",
             "lunch")
    wait_for(browser, "document.querySelectorAll('#agent-list tbody tr').length", 3)
    assert browser.execute_script(
        "return document.querySelector('#agent-list tr[data-agent=\"a2\"]').dataset.state") == "offline"

    # Callbacks waiting and transfers, per queue.
    client.submit(cc.Contact("cb", "voice", "sales", requires={"fr": 5}, callback={"number_of_attempts": 2}))
    wait_for(browser, field("sales", "callbacks"), "1 waiting · 0 calling")
    client.transfer("s0", queue="sales", requires={"fr": 5})
    wait_for(browser, field("sales", "transfers"), "in 1 · out 0")
    assert browser.execute_script("return " + field("support", "transfers")) == "in 0 · out 1"

    big = shot(browser, tmp_path / "wallboard-1920x1080.png", 1920, 1080)
    small = shot(browser, tmp_path / "wallboard-1366x768.png", 1366, 768)
    assert big.stat().st_size > 10_000 and small.stat().st_size > 10_000
    # legible: the tiles fit the screen without horizontal scrolling, with large numbers
    for width in (1366,):
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    size = browser.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('.tile .big b')).fontSize)")
    assert size >= 40, size


def test_fifteen_queues_get_fifteen_colours(watched: Start, browser: Any) -> None:
    from ccroute.server import RouterSettings

    names = [f"q{i:02d}" for i in range(15)]
    w = watched(RouterSettings(channels=(cc.Channel("voice", cost=100, max_per_agent=1),),
                               queues=tuple(cc.Queue(n) for n in names)), interval=0.2)
    browser.get(w.url + "/")
    wait_for(browser, "document.querySelectorAll('.tile').length", 15)
    colours = browser.execute_script(
        "return [...document.querySelectorAll('#legend i')].map((i) => getComputedStyle(i).backgroundColor)")
    assert len(colours) == 15 and len(set(colours)) == 15, colours


def test_a_tenant_has_its_own_wallboard(watched: Start, browser: Any) -> None:
    """``/?tenant=acme`` shows tenant acme's queues and figures, the page
    naming the tenant; a tenant not served here is a 404 saying why."""
    from ccroute.client import RouterClient

    w = watched(interval=0.2, sample_every=0.0)
    w.client().create_tenant("acme", [cc.Channel("voice")], [cc.Queue("billing")])
    with RouterClient(w.target, tenant="acme") as acme:
        acme.submit(cc.Contact("b1", "voice", "billing"))
        browser.get(w.url + "/?tenant=acme")
        wait_for(browser, "document.querySelectorAll('.tile').length", 1)
        wait_for(browser, "document.getElementById('conn').textContent", "live")
        wait_for(browser, field("billing", "waiting"), "1")
        acme.submit(cc.Contact("b2", "voice", "billing"))
        wait_for(browser, field("billing", "waiting"), "2")
    assert browser.execute_script("return document.getElementById('policy').textContent").startswith("tenant acme · ")
    assert browser.title.startswith("acme · ")
    status, _, body = w.get("/?tenant=nope")
    assert (status, body) == (404, b"no wallboard for tenant 'nope' here: unknown tenant 'nope' "
                                   b"(create it with CreateTenant)\n")
    browser.get(w.url + "/")  # the default tenant's, unchanged
    wait_for(browser, "document.querySelectorAll('.tile').length", 2)
