#!/usr/bin/env python3
"""A dnsmc driver in Python: the planner and the enactors of the DNS
protocol, written against a real RFC 2136 server with dnspython (Debian's
python3-dnspython), driven by `dnsmc test-system --driver` through the
protocol of docs/drivers.md: one JSON object per line on stdin, one reply per
line on stdout, anything else on stderr.

    dnsmc test-system --driver "/usr/bin/python3 examples/drivers/python/enactor.py" --variant fixed
    dnsmc test-system --driver "/usr/bin/python3 examples/drivers/python/enactor.py --mode drifted" --variant fixed

It implements the fixed protocol (the freshness check under the lock; the
cleanup spares the active tree) whatever the model's variant says: it is one
team's implementation, and dnsmc tells whether it follows the model it is
tested against. `--mode drifted` does the freshness check once, before
taking the lock, and not again under it (the code of the October 2025 seed):
`dnsmc test-system --variant fixed` must catch it.
"""
import base64
import json
import os
import sys

import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring
import dns.update
import dns.version

FREE = "free"
TTL = 60
PREREQUISITE_FAILED = {dns.rcode.NXRRSET, dns.rcode.YXRRSET, dns.rcode.NXDOMAIN, dns.rcode.YXDOMAIN}


class Refused(Exception):
    """The implementation does not take this step (the reply's "refused")."""


class Failed(Exception):
    """The server failed or answered what the protocol cannot use (the reply's "error")."""


class System:
    """The server, the zone, the names and the plan store, from the start message."""

    def __init__(self, m):
        self.host = m["server"]["host"]
        self.port = m["server"]["port"]
        self.zone = m["zone"]
        self.base = m["base"]
        tsig = m["tsig"]
        if tsig["algorithm"] != "hmac-sha256":
            raise Failed("only hmac-sha256 keys are supported, not %s" % tsig["algorithm"])
        self.keyname = dns.name.from_text(tsig["name"])
        self.keyring = {self.keyname: base64.b64decode(tsig["secret"])}
        self.store = m["planStore"]
        self.timeout = m.get("timeoutMs", 2000) / 1000.0
        p = m["params"]
        self.enactors = p["enactors"]
        self.plans = p["plans"]
        self.endpoints = p["endpoints"]
        self.max_backoff = p["maxBackoff"]
        self.keep = p["keep"]

    # The names: e<k>.BASE, its lock _lock.e<k>.BASE, plan trees plan-<g>.e<k>.BASE.
    def endpoint(self, k):
        return "e%d.%s" % (k, self.base)

    def lock(self, k):
        return "_lock." + self.endpoint(k)

    def tree(self, g, k):
        return "plan-%d.%s" % (g, self.endpoint(k))

    def update(self):
        return dns.update.UpdateMessage(self.zone, keyring=self.keyring, keyname=self.keyname, keyalgorithm=dns.tsig.HMAC_SHA256)

    def send(self, upd, what):
        """Sends an UPDATE once, over TCP (never retried: it is not idempotent); returns its rcode."""
        try:
            r = dns.query.tcp(upd, self.host, port=self.port, timeout=self.timeout)
        except Exception as e:  # a timeout or a broken connection: the outcome is unknown
            raise Failed("%s: no answer from %s:%d (%s): the outcome is unknown" % (what, self.host, self.port, type(e).__name__))
        return r.rcode()

    def query(self, name, rdtype):
        q = dns.message.make_query(name, rdtype)
        for attempt in range(2):
            try:
                return dns.query.udp(q, self.host, port=self.port, timeout=self.timeout)
            except dns.exception.Timeout:
                if attempt == 1:
                    raise Failed("querying %s: no answer from %s:%d" % (name, self.host, self.port))

    def read_alias(self, k):
        """The generation the top alias of endpoint k points at (0: no CNAME)."""
        e = self.endpoint(k)
        r = self.query(e, "CNAME")
        if r.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise Failed("reading the alias %s: the server answered %s" % (e, dns.rcode.to_text(r.rcode())))
        for rrset in r.answer:
            if rrset.rdtype == dns.rdatatype.CNAME and rrset.name == dns.name.from_text(e):
                target = rrset[0].target.to_text()
                suffix = "." + e
                label = target[: -len(suffix)] if target.endswith(suffix) else ""
                if label.startswith("plan-") and label[5:].isdigit() and not label[5:].startswith("0"):
                    return int(label[5:])
                raise Refused("the alias %s points at %s, which is no plan tree of it (something else changed the zone)" % (e, target))
        return 0

    def alias_is(self, upd, k, active):
        if active == 0:
            upd.absent(self.endpoint(k), "CNAME")
        else:
            upd.present(self.endpoint(k), "CNAME", self.tree(active, k))

    # The plan store: plan-NNNNNN.json files, published by linking (never overwritten).
    def generations(self):
        out = []
        for f in os.listdir(self.store):
            if f.startswith("plan-") and f.endswith(".json") and f[5:-5].isdigit() and len(f) == 16:
                out.append(int(f[5:-5]))
        return sorted(out)

    def latest(self):
        g = self.generations()
        return g[-1] if g else 0

    def read_plan(self, g):
        try:
            with open(os.path.join(self.store, "plan-%06d.json" % g)) as f:
                return json.load(f)
        except OSError:
            raise Failed("plan %d is not in the plan store %s" % (g, self.store))

    def publish(self, plan):
        final = os.path.join(self.store, "plan-%06d.json" % plan["generation"])
        tmp = os.path.join(self.store, ".plan-%06d.json.%d.tmp" % (plan["generation"], os.getpid()))
        with open(tmp, "w") as f:
            f.write(json.dumps(plan, indent=2) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, final)
        except FileExistsError:
            raise Failed("plan %d is already published" % plan["generation"])
        finally:
            os.unlink(tmp)


def refused(what, rcode):
    """An update the protocol expects to succeed was refused: by the zone's content (a divergence), or by the server."""
    text = dns.rcode.to_text(rcode)
    if rcode in PREREQUISITE_FAILED:
        return Refused("%s: the server answered %s: the zone is not as the steps so far left it (something else changed it)" % (what, text))
    return Failed("%s: the server answered %s" % (what, text))


class Planner:
    def __init__(self, s):
        self.s = s

    def publishPlan(self):
        s = self.s
        latest = s.latest()
        if latest >= s.plans:
            raise Refused("the planner has published all %d plans" % s.plans)
        g = latest + 1
        endpoints = []
        for k in range(s.endpoints):
            addresses = ["192.0.2.%d" % (g % 256), "198.51.100.%d" % (g % 256)] + (["203.0.113.%d" % (k % 256)] if k > 0 else [])
            endpoints.append({"endpoint": k, "addresses": addresses})
        s.publish({"generation": g, "endpoints": endpoints})
        return "published"


class Enactor:
    def __init__(self, i, s, drifted):
        self.i = i
        self.s = s
        self.drifted = drifted
        self.me = "enactor-%d" % i
        self.idle()

    def idle(self):
        self.phase, self.plan, self.endpoint, self.failures = "idle", 0, 0, 0

    def local(self):
        return {"phase": self.phase, "plan": self.plan, "endpoint": self.endpoint, "failures": self.failures}

    def expect(self, phase, step):
        if self.phase != phase:
            raise Refused("enactor %d cannot %s: it is in phase %s, not %s" % (self.i, step, self.phase, phase))

    def swap_lock(self, k, frm, to):
        s = self.s
        upd = s.update()
        upd.present(s.lock(k), "TXT", '"%s"' % frm)
        upd.delete(s.lock(k), "TXT", '"%s"' % frm)
        upd.add(s.lock(k), TTL, "TXT", '"%s"' % to)
        return s.send(upd, "moving the lock %s" % s.lock(k))

    def release(self, k):
        rcode = self.swap_lock(k, self.me, FREE)
        if rcode != dns.rcode.NOERROR:
            raise refused("enactor %d releasing %s (the lock is not its own)" % (self.i, self.s.lock(k)), rcode)

    def pickPlan(self):
        self.expect("idle", "pick up a plan")
        latest = self.s.latest()
        if not any(self.s.read_alias(k) < latest for k in range(self.s.endpoints)):
            raise Refused("enactor %d finds no endpoint behind plan %d" % (self.i, latest))
        self.plan, self.endpoint, self.failures, self.phase = latest, 0, 0, "lock"
        return "picked"

    def acquireLock(self):
        self.expect("lock", "take the lock")
        if self.drifted and self.plan <= self.s.read_alias(self.endpoint):
            # The drift: the freshness check, once, before the lock.
            self.idle()
            return "gave-up"
        rcode = self.swap_lock(self.endpoint, FREE, self.me)
        if rcode == dns.rcode.NOERROR:
            self.failures, self.phase = 0, "build"
            return "took-lock"
        if rcode == dns.rcode.NXRRSET:
            self.failures, self.phase = min(self.failures + 1, self.s.max_backoff), "backoff"
            return "lost-lock"
        raise refused("taking the lock %s" % self.s.lock(self.endpoint), rcode)

    def retryLock(self):
        self.expect("backoff", "retry the lock")
        self.phase = "lock"
        return "retrying"

    def buildTree(self):
        self.expect("build", "build its tree")
        s, k = self.s, self.endpoint
        active = s.read_alias(k)
        if not self.drifted and self.plan <= active:
            # The fix: under the lock, give up unless the plan is newer than the active one.
            self.release(k)
            self.idle()
            return "gave-up"
        mine = [e for e in s.read_plan(self.plan)["endpoints"] if e["endpoint"] == k]
        if not mine:
            raise Failed("plan %d lists no load balancers for endpoint %d" % (self.plan, k))
        upd = s.update()
        upd.present(s.lock(k), "TXT", '"%s"' % self.me)
        s.alias_is(upd, k, active)
        if active != 0:
            upd.present(s.tree(active, k), "A")
        for ip in mine[0]["addresses"]:
            upd.add(s.tree(self.plan, k), TTL, "A", ip)
        rcode = s.send(upd, "building %s" % s.tree(self.plan, k))
        if rcode == dns.rcode.NOERROR:
            self.phase = "flip"
            return "built"
        if rcode != dns.rcode.NXRRSET or s.read_alias(k) != active:
            raise refused("building %s" % s.tree(self.plan, k), rcode)
        # The active plan's tree is gone: give up, releasing the lock.
        self.release(k)
        self.idle()
        return "gave-up"

    def flipAlias(self):
        self.expect("flip", "flip the alias")
        s, k = self.s, self.endpoint
        upd = s.update()
        upd.present(s.lock(k), "TXT", '"%s"' % self.me)
        upd.delete(s.endpoint(k), "CNAME")
        upd.add(s.endpoint(k), TTL, "CNAME", s.tree(self.plan, k))
        upd.delete(s.lock(k), "TXT", '"%s"' % self.me)
        upd.add(s.lock(k), TTL, "TXT", '"%s"' % FREE)
        rcode = s.send(upd, "flipping %s" % s.endpoint(k))
        if rcode != dns.rcode.NOERROR:
            raise refused("enactor %d flipping %s" % (self.i, s.endpoint(k)), rcode)
        if k + 1 < s.endpoints:
            self.endpoint, self.failures, self.phase = k + 1, 0, "lock"
        else:
            self.phase = "cleanup"
        return "flipped"

    def cleanupPlans(self):
        self.expect("cleanup", "clean up")
        s = self.s
        for attempt in range(5):
            upd = s.update()
            deletes = 0
            for k in range(s.endpoints):
                active = s.read_alias(k)
                s.alias_is(upd, k, active)
                for g in range(1, self.plan - s.keep):
                    if g != active:
                        upd.delete(s.tree(g, k), "A")
                        deletes += 1
            if deletes == 0:
                break
            rcode = s.send(upd, "cleaning up after plan %d" % self.plan)
            if rcode == dns.rcode.NOERROR:
                break
            if rcode != dns.rcode.NXRRSET or attempt >= 4:
                raise refused("enactor %d cleaning up after plan %d" % (self.i, self.plan), rcode)
        self.idle()
        return "cleaned"


ACTIONS = ("publishPlan", "pickPlan", "acquireLock", "retryLock", "buildTree", "flipAlias", "cleanupPlans")


def main(argv):
    drifted = False
    if "--mode" in argv:
        mode = argv[argv.index("--mode") + 1] if argv.index("--mode") + 1 < len(argv) else ""
        if mode not in ("correct", "drifted"):
            sys.stderr.write("enactor.py: --mode must be correct or drifted, got %r\n" % mode)
            return 2
        drifted = mode == "drifted"
    s = planner = None
    enactors = []

    def reply(m):
        sys.stdout.write(json.dumps(m) + "\n")
        sys.stdout.flush()

    for line in sys.stdin:
        if not line.strip():
            continue
        m = json.loads(line)
        kind = m.get("type")
        try:
            if kind == "start":
                if m.get("protocol") != 1:
                    raise Failed("this driver speaks protocol 1, not %r" % m.get("protocol"))
                s = System(m)
                planner = Planner(s)
                enactors = [Enactor(i, s, drifted) for i in range(s.enactors)]
                sys.stderr.write(
                    "enactor.py: dnspython %s, mode %s, server %s:%d, names under %s\n"
                    % (dns.version.version, "drifted" if drifted else "correct", s.host, s.port, s.base)
                )
                reply({"ok": True, "implementation": "python enactor.py (%s)" % ("drifted" if drifted else "correct")})
            elif kind == "reset":
                enactors = [Enactor(i, s, drifted) for i in range(s.enactors)]
                reply({"ok": True})
            elif kind == "step":
                action, actor = m["action"], m["actor"]
                try:
                    if action not in ACTIONS:
                        raise Refused("no action %s" % action)
                    if action == "publishPlan":
                        if actor != 0:
                            raise Refused("there is one planner (actor 0), not %d" % actor)
                        reply({"step": m["step"], "outcome": planner.publishPlan()})
                    else:
                        if not 0 <= actor < len(enactors):
                            raise Refused("there is no enactor %d (there are %d)" % (actor, len(enactors)))
                        e = enactors[actor]
                        outcome = getattr(e, action)()
                        reply({"step": m["step"], "outcome": outcome, "local": e.local()})
                except Refused as r:
                    reply({"step": m["step"], "refused": str(r)})
            else:
                raise Failed("unknown message type %r" % kind)
        except Failed as f:
            reply({**({"step": m["step"]} if kind == "step" else {}), "error": str(f)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
