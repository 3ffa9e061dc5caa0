"""Stateful property tests: random sequences of actions against a model, on the real contracts.

Invariants: what is claimed of an item never exceeds its quantity; a revoked, superseded or expired
document, or one under verification or not confirmed by its issuer, is never accepted; one declaration
claims a document once; membership changes only at quorum; a leaf outside the batch never verifies;
and a hostile member (MY) that squats the victim's (VN's) document ids in batches of its own, acts on
them in every way, and anchors the victim's next roots first, changes nothing of the victim's
documents and blocks none of its batches. Each rule predicts the contract's answer (success, or the
exact custom error) from the model, and after every step the chain's state must equal the model's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from contracts_support import VOTING_PERIOD, Consortium, claim, declaration, make_leaf
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from origo_node.chain.merkle import Leaf, MerkleTree
from web3.exceptions import ContractCustomError

pytestmark = pytest.mark.integration

SETTINGS = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DECL = declaration("declaration")
DECLARATIONS = [declaration(f"declaration-{n}") for n in range(4)]
# Time moves in steps of TICK; expiries and deadlines sit between multiples of it, so no step
# lands within seconds of a boundary however long the test runs.
TICK = 400


# ---------------------------------------------------------------- documents


@dataclass
class DocModel:
    leaf: Leaf
    index: int
    expires_offset: int | None = None  # seconds after the machine's start
    claimed: list[int] = field(default_factory=list)  # per item of the leaf
    fully: bool = False
    revoked: bool = False
    reason: int = 0
    superseded_by: bytes = b"\0" * 32
    rejected: bool = False
    open: bool = False
    answered: bool = False
    confirmed: bool = False
    tagged: bool = False
    declarations: set[bytes] = field(default_factory=set)


class RegistryMachine(RuleBasedStateMachine):
    def __init__(self, chain: Consortium) -> None:
        super().__init__()
        self.chain = chain
        self.snap = chain.snapshot()
        self.elapsed = 0
        now = chain.now()
        specs: list[dict[str, Any]] = [
            {},
            {"quantities": (10_000, 3)},
            {"quantities": (3,)},
            {"quantities": (5_000, 0), "expires": 1_000},
            {"expires": 3_000},
            {"quantities": (2_000,), "importer": "TH"},
        ]
        leaves = []
        self.docs: list[DocModel] = []
        for i, spec in enumerate(specs):
            expires = spec.get("expires")
            leaf = make_leaf(
                importer=spec.get("importer", "SG"),
                quantities=spec.get("quantities", ()),
                expires_at=now + expires if expires else 0,
            )
            leaves.append(leaf)
            claimed = [0] * len(leaf.quantities)
            self.docs.append(DocModel(leaf=leaf, index=i, expires_offset=expires, claimed=claimed))
        self.tree: MerkleTree = chain.anchor(leaves)
        self.r = chain.registry.functions
        self.state_of = [
            chain.view(chain.registry, "documentState", b"VN", leaf.document_id) for leaf in leaves
        ]
        self.status_of = [chain.view(chain.registry, "statusOf", *chain.args(self.tree, i)) for i in range(6)]
        # The hostile member's batch: leaves of its own (issuer MY) carrying each of VN's document ids.
        squats = [
            Leaf(**{**_fields(leaf), "issuer": "MY", "importer": ("SG", "MY")[k % 2], "quantities": (7,)})
            for k, leaf in enumerate(leaves)
        ]
        self.squat_tree: MerkleTree = chain.anchor(squats, sender=chain.issuer("MY"))
        # VN's next batch, whose root the hostile member may anchor first.
        self.next_tree = MerkleTree([make_leaf(), make_leaf()])
        self.hostile_roots: set[bytes] = set()

    def teardown(self) -> None:
        self.chain.revert_to(self.snap)

    # -- helpers

    def account(self, who: str, doc: DocModel) -> str:
        c = self.chain
        if who == "importer":
            return c.issuer(doc.leaf.importer)
        if who == "issuer":
            return c.issuer("VN", 1)
        if who == "other":
            return c.issuer("MY")
        return c.spare[0]

    def role_error(self, who: str, doc: DocModel, expected: str) -> tuple[str, tuple[Any, ...]] | None:
        account = self.account(who, doc)
        actual = {"importer": doc.leaf.importer, "issuer": "VN", "other": "MY"}.get(who)
        if actual is None:
            return ("RegistryNotIssuer", (account,))
        if actual != expected:
            return ("RegistryWrongMember", (account, actual.encode(), expected.encode()))
        return None

    def ended_error(self, doc: DocModel) -> tuple[str, tuple[Any, ...]] | None:
        if doc.revoked:
            return ("RegistryRevoked", (doc.leaf.document_id, doc.reason))
        if doc.superseded_by != b"\0" * 32:
            return ("RegistrySuperseded", (doc.leaf.document_id, doc.superseded_by))
        return None

    def expired(self, doc: DocModel) -> bool:
        return doc.expires_offset is not None and self.elapsed >= doc.expires_offset

    def args(self, doc: DocModel) -> tuple[Any, ...]:
        return self.chain.args(self.tree, doc.index)

    def check(self, fn: Any, sender: str, expected: tuple[str, tuple[Any, ...]] | None) -> bool:
        """Send ``fn`` if the model expects success; otherwise assert the exact error. True if sent."""
        event(f"{fn.fn_name}: {expected[0] if expected else 'sent'}")
        if expected is None:
            self.chain.send(fn, sender)
            return True
        assert self.chain.error_of(fn, sender) == expected
        return False

    # -- rules

    docs_idx = st.integers(min_value=0, max_value=5)
    who = st.sampled_from(["importer"] * 6 + ["issuer", "other", "outsider"])
    issuer_side = st.sampled_from(["issuer"] * 6 + ["importer", "other", "outsider"])

    @rule(
        i=docs_idx,
        item=st.sampled_from([None, 0, 0, 1, 2]),
        amount=st.sampled_from([0, 0, 1, 2, 999, 2_500, 5_000, 10_000, 20_000]),
        who=who,
        d=st.integers(min_value=0, max_value=3),
    )
    def accept(self, i: int, item: int | None, amount: int, who: str, d: int = 0) -> None:
        """A claim of ``amount`` of ``item`` (0 = the rest of it), or of the whole certificate (no item)."""
        doc = self.docs[i]
        leaf = doc.leaf
        expected = self.role_error(who, doc, leaf.importer) or self.ended_error(doc)
        if expected is None and self.expired(doc):
            expected = ("RegistryExpired", (leaf.document_id, leaf.expires_at))
        if expected is None and doc.rejected:
            expected = ("RegistryRejected", (leaf.document_id,))
        if expected is None and doc.open:
            expected = ("RegistryUnderVerification", (b"VN", leaf.document_id))
        if expected is None and doc.answered and not doc.confirmed:
            expected = ("RegistryNotConfirmed", (b"VN", leaf.document_id))
        if expected is None and doc.fully:
            expected = ("RegistryFullyUtilised", (leaf.document_id,))
        declaration = DECLARATIONS[d]
        if expected is None and declaration in doc.declarations:
            expected = ("RegistryDeclarationUsed", (b"VN", leaf.document_id, declaration))
        doc_id, items = leaf.document_id, len(leaf.quantities)
        take = 0
        if expected is None and item is not None:
            if item >= items:
                expected = ("RegistryNoSuchItem", (doc_id, item, items))
            elif leaf.quantities[item] == 0:
                expected = ("RegistryQuantityNotTracked", (doc_id, item))
            else:
                remaining = leaf.quantities[item] - doc.claimed[item]
                take = amount or remaining
                if remaining == 0:
                    expected = ("RegistryItemFullyUtilised", (doc_id, item))
                elif take > remaining:
                    expected = ("RegistryQuantityExceeded", (doc_id, item, take, remaining))
        blocked = doc.revoked or doc.superseded_by != b"\0" * 32 or self.expired(doc)
        claims = [] if item is None else [(item, amount)]
        fn = self.r.accept(*self.args(doc), declaration, claims)
        sent = self.check(fn, self.account(who, doc), expected)
        # The invariant in so many words: nothing revoked, superseded, expired, under verification or
        # not confirmed by its issuer is ever accepted.
        assert not (sent and (blocked or doc.open or (doc.answered and not doc.confirmed)))
        assert self.r.declarationUsed(b"VN", leaf.document_id, declaration).call() is (
            declaration in doc.declarations or sent
        )
        if sent:
            doc.tagged = True
            doc.declarations.add(declaration)
            if item is None:
                doc.fully = True
            else:
                doc.claimed[item] += take
                doc.fully = all(0 < q == c for q, c in zip(leaf.quantities, doc.claimed, strict=True))
        self.status_matches_model(doc)

    @rule(
        i=docs_idx,
        item=st.sampled_from([None, 0, 1]),
        amount=st.sampled_from([0, 1, 999, 2_500]),
        d=st.integers(min_value=0, max_value=3),
    )
    def accept_by_importer(self, i: int, item: int | None, amount: int, d: int) -> None:
        self.accept(i, item, amount, "importer", d)  # claims are what the invariants are about: more of them

    @rule(i=docs_idx, code=st.integers(min_value=1, max_value=50), who=issuer_side)
    def revoke(self, i: int, code: int, who: str) -> None:
        doc = self.docs[i]
        expected = self.role_error(who, doc, "VN") or self.ended_error(doc)
        if self.check(self.r.revoke(*self.args(doc), code, "r"), self.account(who, doc), expected):
            doc.revoked, doc.reason, doc.tagged = True, code, True

    @rule(i=docs_idx, j=docs_idx, who=issuer_side)
    def supersede(self, i: int, j: int, who: str) -> None:
        old, new = self.docs[i], self.docs[j]
        expected = self.role_error(who, old, "VN")
        if expected is None and i == j:
            expected = ("RegistryInvalidReplacement", (old.leaf.document_id, new.leaf.document_id))
        expected = expected or self.ended_error(old) or self.ended_error(new)
        fn = self.r.supersede(*self.args(old), *self.args(new))
        if self.check(fn, self.account(who, old), expected):
            old.superseded_by, old.tagged = new.leaf.document_id, True

    @rule(i=docs_idx, code=st.integers(min_value=1, max_value=50), who=who)
    def reject(self, i: int, code: int, who: str) -> None:
        doc = self.docs[i]
        expected = self.role_error(who, doc, doc.leaf.importer)
        if expected is None and doc.rejected:
            expected = ("RegistryRejected", (doc.leaf.document_id,))
        if self.check(self.r.reject(*self.args(doc), code, "r"), self.account(who, doc), expected):
            doc.rejected, doc.tagged = True, True
            if not doc.revoked:
                doc.reason = code

    @rule(i=docs_idx, who=who)
    def request_verification(self, i: int, who: str) -> None:
        doc = self.docs[i]
        expected = self.role_error(who, doc, doc.leaf.importer)
        if expected is None and doc.open:
            expected = ("RegistryVerificationOpen", (doc.leaf.document_id,))
        if self.check(self.r.requestVerification(*self.args(doc), "?"), self.account(who, doc), expected):
            doc.open, doc.answered, doc.confirmed, doc.tagged = True, False, False, True

    @rule(i=docs_idx, confirmed=st.booleans(), who=issuer_side)
    def answer_verification(self, i: int, confirmed: bool, who: str) -> None:
        doc = self.docs[i]
        expected = self.role_error(who, doc, "VN")
        if expected is None and not doc.open:
            expected = ("RegistryNoVerificationOpen", (doc.leaf.document_id,))
        fn = self.r.answerVerification(*self.args(doc), confirmed, "!")
        if self.check(fn, self.account(who, doc), expected):
            doc.open, doc.answered, doc.confirmed = False, True, confirmed

    @rule(i=docs_idx, quantities=st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=3))
    def forged_leaf_is_refused(self, i: int, quantities: list[int]) -> None:
        doc = self.docs[i]
        if tuple(quantities) == doc.leaf.quantities:
            return
        values = {name: getattr(doc.leaf, name) for name in Leaf.__dataclass_fields__}
        forged = Leaf(**{**values, "quantities": tuple(quantities)})
        _, root, proof = self.args(doc)
        assert self.r.isAnchored(forged.to_abi_tuple(), root, proof).call() is False
        fn = self.r.accept(forged.to_abi_tuple(), root, proof, DECL, claim(0))
        assert self.chain.error_of(fn, self.account("importer", doc)) == (
            "RegistryNotAnchored",
            (doc.leaf.document_id, root),
        )

    @rule()
    def time_passes(self) -> None:
        self.chain.travel(TICK)
        self.elapsed += TICK

    # -- the hostile member: whatever it manages to do must leave VN's documents and batches alone

    def attempt(self, fn: Any, sender: str) -> bool:
        """Sends ``fn`` if the chain would take it (the hostile side's moves need no model)."""
        try:
            fn.call({"from": sender})
        except ContractCustomError:
            event(f"hostile {fn.fn_name}: refused")
            return False
        self.chain.send(fn, sender)
        event(f"hostile {fn.fn_name}: sent")
        return True

    @rule(
        i=docs_idx,
        j=docs_idx,
        action=st.sampled_from(["revoke", "supersede", "accept", "reject", "request", "answer"]),
        d=st.integers(min_value=0, max_value=3),
    )
    def hostile_acts_on_its_squat(self, i: int, j: int, action: str, d: int) -> None:
        """MY acts, as issuer and as importer, on its own leaves that carry VN's ids."""
        c, r = self.chain, self.r
        squat, twin = self.squat_tree.leaves[i], self.squat_tree.leaves[j]
        args, twin_args = c.args(self.squat_tree, i), c.args(self.squat_tree, j)
        my, importer = c.issuer("MY"), c.issuer(squat.importer)
        fn, sender = {
            "revoke": (lambda: r.revoke(*args, 1, "squat"), my),
            "supersede": (lambda: r.supersede(*args, *twin_args), my),
            "accept": (lambda: r.accept(*args, DECLARATIONS[d], claim(0)), importer),
            "reject": (lambda: r.reject(*args, 2, "squat"), importer),
            "request": (lambda: r.requestVerification(*args, "squat"), importer),
            "answer": (lambda: r.answerVerification(*args, False, "squat"), my),
        }[action]
        del twin
        self.attempt(fn(), sender)

    @rule(
        i=docs_idx,
        action=st.sampled_from(["revoke", "supersede", "accept", "reject", "request", "answer"]),
        issuer_claimed=st.sampled_from(["VN", "MY"]),
    )
    def hostile_acts_on_victims_leaf(self, i: int, action: str, issuer_claimed: str) -> None:
        """MY presents VN's own leaves (or copies claiming MY issued them) under VN's root: refused."""
        c, r = self.chain, self.r
        doc = self.docs[i]
        leaf = Leaf(**{**_fields(doc.leaf), "issuer": issuer_claimed})
        args = (leaf.to_abi_tuple(), self.tree.root, self.tree.proof(i))
        my = c.issuer("MY")
        fn = {
            "revoke": lambda: r.revoke(*args, 1, "x"),
            "supersede": lambda: r.supersede(*args, *c.args(self.squat_tree, i)),
            "accept": lambda: r.accept(*args, DECL, claim(0)),
            "reject": lambda: r.reject(*args, 2, "x"),
            "request": lambda: r.requestVerification(*args, "x"),
            "answer": lambda: r.answerVerification(*args, True, "x"),
        }[action]()
        assert self.attempt(fn, my) is False

    @rule()
    def hostile_anchors_the_victims_next_root(self) -> None:
        root = self.next_tree.root
        sent = self.attempt(self.r.anchorBatch(root, 2, "bafy-stolen"), self.chain.issuer("MY"))
        assert sent is (root not in self.hostile_roots)
        self.hostile_roots.add(root)

    @rule()
    def victim_anchors_its_next_batch(self) -> None:
        """VN's batch anchors whatever MY anchored first, and its leaves then verify under VN."""
        tree = self.next_tree
        self.chain.send(self.r.anchorBatch(tree.root, 2, "bafy-vn"), self.chain.issuer("VN"))
        assert self.r.batch(b"VN", tree.root).call()[:2] == (b"VN", 2)
        for k in range(2):
            assert self.r.isAnchored(*self.chain.args(tree, k)).call() is True
        self.next_tree = MerkleTree([make_leaf(), make_leaf()])

    # -- invariants

    @invariant()
    def chain_matches_model(self) -> None:
        for doc in self.docs:
            s = self.state_of[doc.index]()
            tag, fully, revoked, rejected, vopen, answered, confirmed, reason, superseded = s
            leaf = doc.leaf
            claimed = [
                self.r.claimedOf(b"VN", leaf.document_id, k).call() for k in range(len(leaf.quantities))
            ]
            assert all(c <= q for c, q in zip(claimed, leaf.quantities, strict=True))
            assert (claimed, fully, revoked, rejected) == (doc.claimed, doc.fully, doc.revoked, doc.rejected)
            assert (vopen, answered, confirmed) == (doc.open, doc.answered, doc.confirmed)
            assert (reason, superseded) == (doc.reason, doc.superseded_by)
            assert (tag != b"\0" * 16) == doc.tagged

    @invariant()
    def hostile_batches_never_pass_for_the_victims(self) -> None:
        for k, squat in enumerate(self.squat_tree.leaves):
            genuine = Leaf(**{**_fields(squat), "issuer": "VN"})
            assert (
                self.r.isAnchored(
                    genuine.to_abi_tuple(), self.squat_tree.root, self.squat_tree.proof(k)
                ).call()
                is False
            )

    def status_matches_model(self, doc: DocModel) -> None:
        status = self.status_of[doc.index]()
        assert status[0] is True
        assert status[2] == self.expired(doc)
        quantities = doc.leaf.quantities
        assert list(status[3]) == [
            0 if doc.fully else q - c for q, c in zip(quantities, doc.claimed, strict=True)
        ]


def _fields(leaf: Leaf) -> dict[str, Any]:
    return {name: getattr(leaf, name) for name in Leaf.__dataclass_fields__}


def test_registry_invariants(chain: Consortium) -> None:
    run_state_machine_as_test(lambda: RegistryMachine(chain), settings=SETTINGS)


# ---------------------------------------------------------------- membership

ACTIVE, SUSPENDED, REMOVED = 1, 2, 3
ADD, SUSPEND, REINSTATE, REMOVE, QUORUM = 0, 1, 2, 3, 4
VP_TICK = VOTING_PERIOD * 2 // 5  # deadlines fall between multiples of it
CANDIDATES = ("ID", "LA", "KH")


@dataclass
class ProposalModel:
    kind: int
    target: str
    bps: int
    created: int
    votes: set[str] = field(default_factory=set)
    executed: bool = False


class MembershipMachine(RuleBasedStateMachine):
    def __init__(self, chain: Consortium) -> None:
        super().__init__()
        self.chain = chain
        self.snap = chain.snapshot()
        self.m = chain.membership.functions
        self.elapsed = 0
        self.status = {code: ACTIVE for code in chain.members}
        self.admins = {code: chain.members[code].admin for code in chain.members}
        self.inits: dict[str, tuple[Any, ...]] = {}
        for k, code in enumerate(CANDIDATES):
            admin, validator, issuer = chain.spare[3 * k : 3 * k + 3]
            self.admins[code] = admin
            self.inits[code] = (
                code.encode(),
                f"Customs {code}",
                admin,
                validator,
                [issuer],
                b"\x07" * 32,
                "",
            )
        self.quorum = 5001
        self.proposals: dict[int, ProposalModel] = {}
        view = chain.view
        ms = chain.membership
        self.member_of = {code: view(ms, "member", code.encode()) for code in self.admins}
        self.active_of = {code: view(ms, "isActive", code.encode()) for code in CANDIDATES}
        self.counters = [view(ms, name) for name in ("quorumBps", "requiredVotes", "proposalCount")]
        self.validators = view(ms, "getValidators")

    def teardown(self) -> None:
        self.chain.revert_to(self.snap)

    def active(self) -> int:
        return sum(1 for s in self.status.values() if s == ACTIVE)

    def required(self) -> int:
        return max(1, -(-self.active() * self.quorum // 10_000))

    def admin_error(self, code: str) -> tuple[str, tuple[Any, ...]] | None:
        if self.status.get(code) != ACTIVE:
            return ("MembershipNotAdmin", (self.admins[code],))
        return None

    def transition_error(self, kind: int, target: str) -> tuple[str, tuple[Any, ...]] | None:
        if kind == ADD:
            return ("MembershipMemberExists", (target.encode(),)) if target in self.status else None
        if kind == QUORUM:
            return None
        status = self.status.get(target)
        if status is None:
            return ("MembershipUnknownMember", (target.encode(),))
        ok = {
            SUSPEND: status == ACTIVE and self.active() > 1,
            REINSTATE: status == SUSPENDED,
            REMOVE: status == SUSPENDED or (status == ACTIVE and self.active() > 1),
        }[kind]
        return None if ok else ("MembershipInvalidTransition", (target.encode(), status, kind))

    def cast(self, pid: int, voter: str) -> None:
        p = self.proposals[pid]
        p.votes.add(voter)
        if len(p.votes) >= self.required():
            p.executed = True
            if p.kind == ADD:
                self.status[p.target] = ACTIVE
            elif p.kind == QUORUM:
                self.quorum = p.bps
            else:
                self.status[p.target] = {SUSPEND: SUSPENDED, REINSTATE: ACTIVE, REMOVE: REMOVED}[p.kind]

    def propose(self, proposer: str, kind: int, target: str, bps: int, fn: Any) -> None:
        expected = self.admin_error(proposer) or self.transition_error(kind, target)
        sender = self.admins[proposer]
        event(f"{fn.fn_name}: {expected[0] if expected else 'sent'}")
        if expected is not None:
            assert self.chain.error_of(fn, sender) == expected
            return
        before = dict(self.status)
        receipt = self.chain.send(fn, sender)
        pid = int(self.chain.events(self.chain.membership, receipt, "ProposalCreated")[0]["id"])
        assert pid == len(self.proposals) + 1
        self.proposals[pid] = ProposalModel(kind, target, bps, self.elapsed)
        self.cast(pid, proposer)
        self.check_only_at_quorum(before, pid)

    def check_only_at_quorum(self, before: dict[str, int], pid: int) -> None:
        """Membership changes only through a proposal that reached the quorum."""
        if not self.proposals[pid].executed:
            assert self.status == before

    codes = st.sampled_from(["VN", "SG", "TH", "MY"] * 3 + list(CANDIDATES))

    @rule(proposer=codes, kind=st.sampled_from([SUSPEND, REINSTATE, REMOVE]), subject=codes)
    def propose_status(self, proposer: str, kind: int, subject: str) -> None:
        self.propose(proposer, kind, subject, 0, self.m.proposeStatusChange(kind, subject.encode()))

    @rule(proposer=codes, candidate=st.sampled_from(CANDIDATES))
    def propose_add(self, proposer: str, candidate: str) -> None:
        self.propose(proposer, ADD, candidate, 0, self.m.proposeAddMember(self.inits[candidate]))

    @rule(proposer=codes, bps=st.sampled_from([1, 2_500, 5_001, 7_500, 10_000]))
    def propose_quorum(self, proposer: str, bps: int) -> None:
        self.propose(proposer, QUORUM, "", bps, self.m.proposeQuorum(bps))

    @rule(data=st.data(), voter=codes)
    def vote_again(self, data: st.DataObject, voter: str) -> None:
        self.vote(data, voter)  # votes are what moves proposals: twice the weight of any other rule

    @rule(data=st.data(), voter=codes)
    def vote(self, data: st.DataObject, voter: str) -> None:
        latest = st.just(max(1, len(self.proposals)))
        any_id = st.integers(min_value=1, max_value=len(self.proposals) + 1)
        pid = data.draw(latest | any_id, label="proposal")
        p = self.proposals.get(pid)
        expected = self.admin_error(voter)
        if expected is None and p is None:
            expected = ("MembershipUnknownProposal", (pid,))
        if expected is None and p is not None:
            deadline = self.m.proposal(pid).call()[5]
            if p.executed:
                expected = ("MembershipProposalExecuted", (pid,))
            elif self.elapsed - p.created >= VOTING_PERIOD:
                expected = ("MembershipProposalExpired", (pid, deadline))
            elif voter in p.votes:
                expected = ("MembershipAlreadyVoted", (pid, voter.encode()))
            else:
                expected = self.transition_error(p.kind, p.target)
        fn = self.m.vote(pid)
        event(f"vote: {expected[0] if expected else 'sent'}")
        if expected is not None:
            assert self.chain.error_of(fn, self.admins[voter]) == expected
            return
        before = dict(self.status)
        self.chain.send(fn, self.admins[voter])
        self.cast(pid, voter)
        self.check_only_at_quorum(before, pid)
        info = self.m.proposal(pid).call()
        assert (info[6], info[8]) == (len(p.votes), p.executed)

    @rule()
    def time_passes(self) -> None:
        self.chain.travel(VP_TICK)
        self.elapsed += VP_TICK

    @invariant()
    def chain_matches_model(self) -> None:
        for code, status in self.status.items():
            assert self.member_of[code]()[4] == status
        for code in CANDIDATES:
            if code not in self.status:
                assert self.active_of[code]() is False
        assert [read() for read in self.counters] == [self.quorum, self.required(), len(self.proposals)]
        assert len(self.validators()) == self.active()


def test_membership_invariants(chain: Consortium) -> None:
    run_state_machine_as_test(lambda: MembershipMachine(chain), settings=SETTINGS)
