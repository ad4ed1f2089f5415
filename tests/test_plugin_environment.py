"""A plug-in policy in an environment that lacks what it uses.

Whatever a plug-in or the environment does, the router stays consistent:
a vectorised policy that reads numpy columns where numpy cannot be
imported fails with a clear ``ImportError``, which goes through the
documented path (the fallback decides and the failure is counted, or
``strict=True`` re-raises it) instead of a ``PanicException`` that left a
contact stranded. Each case runs in a fresh interpreter where
``import numpy`` (or ``import pandas``) fails.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

PRELUDE = """
import sys
sys.modules["numpy"] = None          # `import numpy` raises ImportError
import logging
import ccroute as cc

VOICE = cc.Channel("voice", cost=100, max_per_agent=1)

class LeastLoaded(cc.Policy):
    def score(self, contact, agent):
        raise AssertionError("score_many is overridden")
    def score_many(self, contact, agents):
        return -agents.load

def router(**kwargs):
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")], policy=LeastLoaded(), **kwargs)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    return r
"""


def run(body: str) -> str:
    code = PRELUDE + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_numpy_columns_without_numpy_fall_back_and_keep_the_router_consistent():
    out = run("""
        records = []
        logging.getLogger("ccroute.policy").addHandler(type("H", (logging.Handler,), {"emit": lambda self, r: records.append(r)})())
        r = router()
        events = r.submit(cc.Contact("c1", channel="voice", queue="q"), now=2.0)
        # The fallback (longest idle) decides: a has been idle longest.
        assert events == [cc.Assigned(contact="c1", agent="a", at=2.0, wait=0.0)], events
        assert r.policy_errors == 1
        r.check_invariants()
        exc = records[0].exc_info[1]
        assert type(exc) is ImportError and "pip install numpy" in str(exc), repr(exc)
        assert "AgentBatch.load" in str(exc)
        # A later contact is routed too; nothing is stranded.
        events = r.submit(cc.Contact("c2", channel="voice", queue="q"), now=3.0)
        assert [e.agent for e in events] == ["b"], events
        r.check_invariants()
        print("ok")
    """)
    assert out.strip() == "ok"


def test_numpy_columns_without_numpy_strict_reraises_the_import_error():
    out = run("""
        r = router(strict=True)
        try:
            r.submit(cc.Contact("c1", channel="voice", queue="q"), now=2.0)
        except ImportError as exc:
            assert "pip install numpy" in str(exc)
        else:
            raise AssertionError("strict must re-raise")
        r.check_invariants()
        # The routing made with the fallback stands; its events come next.
        events = r.advance(2.0)
        assert [(e.contact, e.agent) for e in events] == [("c1", "a")], events
        assert r.contact("c1").status == "assigned"
        print("ok")
    """)
    assert out.strip() == "ok"


def test_a_list_answer_without_numpy_is_accepted():
    out = run("""
        class PreferB(cc.Policy):
            def score(self, contact, agent):
                raise AssertionError("score_many is overridden")
            def score_many(self, contact, agents):
                return [1.0 if agents[i].id == "b" else 0.0 for i in range(len(agents))]
        r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")], policy=PreferB(), strict=True)
        r.add_agent(cc.Agent("a"), now=0.0)
        r.add_agent(cc.Agent("b"), now=1.0)
        events = r.submit(cc.Contact("c1", channel="voice", queue="q"), now=2.0)
        assert [e.agent for e in events] == ["b"], events
        assert r.policy_errors == 0
        print("ok")
    """)
    assert out.strip() == "ok"


def test_dataframe_export_without_pandas_names_the_extra():
    code = textwrap.dedent("""
        import sys
        sys.modules["pandas"] = None
        from ccroute.sim.results import _dataframe
        try:
            _dataframe([{"a": 1}])
        except ImportError as exc:
            print(exc)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pip install 'ccroute[pandas]'" in done.stdout
