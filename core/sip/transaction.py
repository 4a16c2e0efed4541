"""The RFC 3261 section 17 transaction layer: four state machines driven by messages and an injected clock.

Sans-IO, after aioquic: feed it with ``receive(message, peer, now)``, ``send_request``,
``send_response`` and ``handle_timer(now)``; take its output from ``datagrams_to_send()`` and
``next_event()``; arm one timer at ``next_wakeup()`` (the earliest entry held, stale or not: the
cheap look after every message, as the SIP service does) or at ``get_timer()`` (the earliest live
deadline, dropping stale fronts first). Timers are (deadline, seq, key, timer name)
entries, kept in a small heap and in one FIFO queue per long delay (see ``TransactionLayer``);
stale entries are skipped when popped.

INVITE transactions that see a 2xx enter the Accepted state of RFC 6026 (timers L and M) so that
retransmitted INVITEs and 2xx responses are still matched; retransmitting the 2xx itself until
the ACK arrives is the TU's job (RFC 3261 13.3.1.4).
"""

from __future__ import annotations

import enum
import heapq
import itertools
from collections import deque
from dataclasses import dataclass
from typing import Final

from cordboard.core.random_tokens import token_hex
from cordboard.core.sip import headers as h
from cordboard.core.sip.errors import SipParseError, TransactionError
from cordboard.core.sip.events import (
    AckReceived,
    RequestReceived,
    ResponseReceived,
    StrayResponse,
    TransactionEvent,
    TransactionKey,
    TransactionTerminated,
    TransactionTimedOut,
)
from cordboard.core.sip.headers import CSeq, Headers, Via
from cordboard.core.sip.message import SipRequest, SipResponse, make_response
from cordboard.core.sip.peer import Peer

MAGIC_COOKIE: Final = "z9hG4bK"  # RFC 3261 8.1.1.7
CLIENT: Final = "client"
SERVER: Final = "server"


_TimerEntry = tuple[float, int, TransactionKey, str]
"""(deadline, seq, transaction key, timer name); seq breaks ties in insertion order."""

QUEUED_MIN_DELAY: Final = 1.0
"""Timers at least this long go into the FIFO queue of their delay rather than into the heap."""
_IN_HEAP: Final = 0.0
"""Where ``_earliest_entry`` found an entry: the heap, not a queue (no queue has a delay this short)."""


def new_branch() -> str:
    """A fresh RFC 3261 branch: the magic cookie and 64 random bits."""
    return MAGIC_COOKIE + token_hex(8)


DEFAULT_T1: Final = 0.5
"""RFC 3261's recommended T1 (seconds)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerConfig:
    """RFC 3261 17 timer base values (table 4 of appendix A), in seconds."""

    t1: float = DEFAULT_T1
    """RTT estimate: first retransmission interval (timers A, E, G)."""
    t2: float = 4.0
    """Maximum retransmission interval for non-INVITE requests and INVITE responses."""
    t4: float = 5.0
    """Maximum time a message stays in the network (timers I and K)."""
    timer_d: float = 32.0
    """Wait for response retransmissions after a non-2xx to INVITE over UDP (at least 32 s)."""
    trying: float = 0.1
    """How long a new INVITE server transaction waits for the TU's first response before it sends
    100 Trying itself (RFC 3261 17.2.1 allows up to 200 ms): a phone that rings at once answers
    180 in time, and the 100 is never built or sent."""


class TransactionState(enum.Enum):
    """States of the four RFC 3261 17 machines (plus Accepted from RFC 6026)."""

    CALLING = "calling"
    TRYING = "trying"
    PROCEEDING = "proceeding"
    COMPLETED = "completed"
    CONFIRMED = "confirmed"
    ACCEPTED = "accepted"
    TERMINATED = "terminated"


S = TransactionState


@dataclass(slots=True, eq=False, init=False)
class _Transaction:
    key: TransactionKey
    invite: bool
    state: TransactionState
    peer: Peer
    """Where requests (client) or responses (server) are sent."""
    request: SipRequest | None
    """Kept by INVITE client transactions until their final response (for the non-2xx ACK), and
    by INVITE server transactions until their first response (for the 100 Trying): a finished
    transaction waiting out timer J, K, L, M or D holds bytes, not parsed messages."""
    request_bytes: bytes
    last_to_tag: str | None
    """The To tag of the last response, kept for RFC 2543 ACK matching only."""
    response_bytes: bytes
    ack_bytes: bytes
    interval: float
    timers: dict[str, float]

    def __init__(
        self,
        key: TransactionKey,
        invite: bool,
        state: TransactionState,
        peer: Peer,
        request: SipRequest | None,
        *,
        request_bytes: bytes = b"",
    ) -> None:
        # Written out (init=False) so that mypyc compiles it: the one @dataclass would generate
        # runs interpreted. The initial values live here only.
        self.key = key
        self.invite = invite
        self.state = state
        self.peer = peer
        self.request = request
        self.request_bytes = request_bytes
        self.last_to_tag = None
        self.response_bytes = b""
        self.ack_bytes = b""
        self.interval = 0.0
        self.timers = {}

    @property
    def reliable(self) -> bool:
        return self.peer.reliable


def _has_cookie(branch: str | None) -> bool:
    return branch is not None and branch.startswith(MAGIC_COOKIE) and len(branch) > len(MAGIC_COOKIE)


def server_key(request: SipRequest) -> TransactionKey:
    """The server transaction a request belongs to (RFC 3261 17.2.3); ACK maps to its INVITE."""
    via = request.top_via
    method = "INVITE" if request.method == "ACK" else request.method
    branch = via.branch
    if branch is not None and _has_cookie(branch):
        return TransactionKey(SERVER, branch, via.sent_by.lower(), method)
    # RFC 2543 fallback: Request-URI, From tag, Call-ID, CSeq number and top Via (To tag checked apart).
    legacy = "|".join(
        ("2543", str(request.uri), request.from_.tag or "", request.call_id, str(request.cseq.seq), str(via))
    )
    return TransactionKey(SERVER, legacy, via.sent_by.lower(), method)


def client_key(message: SipRequest | SipResponse) -> TransactionKey:
    """The client transaction of a request we send or a response we receive (RFC 3261 17.1.3)."""
    return TransactionKey(CLIENT, message.top_via.branch or "", "", message.cseq.method)


def make_non2xx_ack(request: SipRequest, response: SipResponse) -> SipRequest:
    """The ACK an INVITE client transaction sends for a 300-699 response (RFC 3261 17.1.1.3)."""
    headers = Headers()
    headers.copy_from(request.headers, h.VIA, first=True)
    headers.copy_from(request.headers, h.ROUTE)
    headers._add_raw(h.MAX_FORWARDS, "70")
    headers.copy_from(request.headers, h.FROM, first=True)
    headers.copy_from(response.headers, h.TO, first=True)
    headers._add_raw(h.CALL_ID, request.call_id)
    headers.add(h.CSEQ, CSeq(request.cseq.seq, "ACK"))
    return SipRequest("ACK", request.uri, headers)


def _response_peer(request: SipRequest, peer: Peer) -> Peer:
    """Where responses go (RFC 3261 18.2.2, RFC 3581 4): the connection, the source, or Via's port."""
    if peer.reliable:
        return peer
    via = request.top_via
    if via.rport_requested:
        return peer
    return Peer(peer.transport, peer.host, via.port or 5060)


class TransactionLayer:
    """All client and server transactions of one SIP endpoint (RFC 3261 17).

    Timers: most are long (B, F, H, D, J, L, M = 64*T1; I, K = T4) and nearly all of them are
    superseded (the transaction ends, the timer is reset) long before they expire, so under load
    a single heap would hold hundreds of thousands of stale entries and every pop would walk its
    ~18 levels. Timers of at least ``QUEUED_MIN_DELAY`` therefore go into one FIFO deque per
    delay value (``_queues``, a handful of them): with a clock that does not go backwards, each
    queue's deadlines never decrease, so its front is its earliest entry and pops are O(1). The
    short timers (Trying, A/E/G at T1) stay in the heap ``_heap``, which stays small. An entry
    that would sit before the last one of its queue (the clock went backwards) goes into the heap
    instead. Stale entries are dropped lazily, when they reach a front; an empty queue is removed
    from ``_queues``. Heap and queues hold the same (deadline, seq, key, name) tuples, and
    ``handle_timer`` merges them in (deadline, seq) order, exactly as one heap would pop them.
    """

    def __init__(self, *, timers: TimerConfig | None = None, auto_trying: bool = True) -> None:
        self.timers = timers or TimerConfig()
        self.auto_trying = auto_trying
        """INVITE server transactions answer 100 Trying (RFC 3261 17.2.1) when the TU has not
        answered within ``timers.trying`` (the "Trying" timer)."""
        self._transactions: dict[TransactionKey, _Transaction] = {}
        self._heap: list[_TimerEntry] = []
        """Short timers, and long ones whose deadline came before their queue's last."""
        self._queues: dict[float, deque[_TimerEntry]] = {}
        """Delay -> FIFO of the long timers set with that delay (non-decreasing, never empty)."""
        self._seq = itertools.count()
        self._events: deque[TransactionEvent] = deque()
        self._datagrams: list[tuple[bytes, Peer]] = []
        self.stats: dict[str, int] = {
            "stray_responses": 0,
            "retransmissions": 0,
            "absorbed_requests": 0,
            "absorbed_responses": 0,
            "malformed": 0,
        }

    # -- output ---------------------------------------------------------------------------------
    def datagrams_to_send(self) -> list[tuple[bytes, Peer]]:
        """Take the queued (data, peer) pairs."""
        datagrams, self._datagrams = self._datagrams, []
        return datagrams

    def next_event(self) -> TransactionEvent | None:
        return self._events.popleft() if self._events else None

    def get_timer(self) -> float | None:
        """The earliest live deadline, or None when no timer is running: the stale entries at the
        front of the heap and of every queue are dropped first."""
        heap = self._heap
        while heap and self._live_transaction(heap[0]) is None:
            heapq.heappop(heap)
        for delay in list(self._queues):
            queue = self._queues[delay]
            while queue and self._live_transaction(queue[0]) is None:
                queue.popleft()
            if not queue:
                del self._queues[delay]
        return self.next_wakeup()

    def next_wakeup(self) -> float | None:
        """The earliest deadline held, live or stale, without looking any transaction up.

        For a caller that wakes on a coarse tick: waking for a stale entry costs one
        ``handle_timer`` that drops it, less than checking every front's transaction after each
        message as ``get_timer`` does. None when no entry is held.
        """
        earliest = self._earliest_entry()
        return None if earliest is None else earliest[0][0]

    def state_of(self, key: TransactionKey) -> TransactionState | None:
        tx = self._transactions.get(key)
        return None if tx is None else tx.state

    def __len__(self) -> int:
        return len(self._transactions)

    # -- input from the TU ----------------------------------------------------------------------
    def send_request(self, request: SipRequest, peer: Peer, now: float) -> TransactionKey:
        """Start a client transaction; the top Via gets a fresh branch if it has none."""
        if request.method == "ACK":
            raise TransactionError("ACK is not sent in a transaction: use send_stateless")
        via = request.top_via
        if not via.branch:
            via = Via(via.transport, via.host, via.port, {**via.params, "branch": new_branch()}, via.protocol)
            request.headers.pop_first(h.VIA)
            request.headers.add(h.VIA, via, prepend=True)
        key = client_key(request)
        if key in self._transactions:
            raise TransactionError(f"A client transaction with branch {key.branch} exists")
        invite = request.method == "INVITE"
        data = bytes(request)
        state = S.CALLING if invite else S.TRYING
        tx = _Transaction(key, invite, state, peer, request if invite else None, request_bytes=data)
        self._transactions[key] = tx
        self._send(data, peer)
        t1 = self.timers.t1
        if not peer.reliable:
            tx.interval = t1
            self._set_timer(tx, "A" if invite else "E", t1, now)  # RFC 3261 17.1.1.2 / 17.1.2.2
        self._set_timer(tx, "B" if invite else "F", 64 * t1, now)
        return key

    def send_response(self, key: TransactionKey, response: SipResponse, now: float) -> None:
        """Send a response through the server transaction ``key``."""
        tx = self._transactions.get(key)
        if tx is None or key.is_client:
            raise TransactionError(f"No server transaction {key}")
        status = response.status
        if tx.invite:
            if tx.state is S.ACCEPTED and 200 <= status < 300:
                self._send(bytes(response), tx.peer)  # RFC 6026 8.5: the TU's 2xx retransmissions
                return
            if tx.state is not S.PROCEEDING:
                raise TransactionError(f"INVITE transaction in state {tx.state.value} cannot send {status}")
            self._store_response(tx, response)
            if tx.request is not None:  # the TU answered first: no 100 Trying
                tx.request = None
                tx.timers.pop("Trying", None)
            if status < 200:
                return
            self._cancel_timers(tx)
            if status < 300:
                tx.state = S.ACCEPTED  # RFC 6026 8.5 (RFC 3261 17.2.1 would terminate here)
                self._set_timer(tx, "L", 64 * self.timers.t1, now)
                return
            tx.state = S.COMPLETED  # RFC 3261 17.2.1
            if not tx.reliable:
                tx.interval = self.timers.t1
                self._set_timer(tx, "G", tx.interval, now)
            self._set_timer(tx, "H", 64 * self.timers.t1, now)
            return
        if tx.state not in (S.TRYING, S.PROCEEDING):
            raise TransactionError(f"Transaction in state {tx.state.value} cannot send {status}")
        self._store_response(tx, response)
        if status < 200:
            tx.state = S.PROCEEDING  # RFC 3261 17.2.2
            return
        tx.state = S.COMPLETED
        self._after(tx, "J", 0.0 if tx.reliable else 64 * self.timers.t1, now)

    def send_response_statelessly(self, key: TransactionKey, response: SipResponse) -> None:
        """Send a final response once and forget the server transaction ``key`` (RFC 3261 8.2.7).

        For challenges (401/407): a request without credentials leaves nothing behind, and its
        response is sent once per request received, never retransmitted by timer G, so a forged
        source address gets no more than it was sent. A lost response is recovered by the client
        retransmitting its request, which the TU answers anew; the ACK of a 407 then matches no
        transaction and goes to the TU, which finds no dialog for it.
        """
        tx = self._transactions.get(key)
        if tx is None or key.is_client:
            raise TransactionError(f"No server transaction {key}")
        if response.status < 200:
            raise TransactionError(f"A {response.status} is not final: it needs the transaction")
        if tx.state not in (S.TRYING, S.PROCEEDING):
            raise TransactionError(f"Transaction in state {tx.state.value} cannot send {response.status}")
        self._send(bytes(response), tx.peer)
        self._terminate(tx)

    def send_stateless(self, message: SipRequest | SipResponse, peer: Peer) -> None:
        """Queue a message outside any transaction (the ACK of a 2xx, a stateless reply)."""
        self._send(bytes(message), peer)

    # -- input from the network -----------------------------------------------------------------
    def receive(self, message: SipRequest | SipResponse, peer: Peer, now: float) -> None:
        """Handle a parsed, validated message (validate_request / validate_response first)."""
        if isinstance(message, SipResponse):
            self._receive_response(message, now)
        elif message.method == "ACK":
            self._receive_ack(message, peer, now)
        else:
            self._receive_request(message, peer, now)

    def _receive_request(self, request: SipRequest, peer: Peer, now: float) -> None:
        try:
            key = server_key(request)
        except SipParseError:
            self.stats["malformed"] += 1
            return
        tx = self._transactions.get(key)
        if tx is not None:
            # A retransmission (RFC 3261 17.2.1, 17.2.2): re-send the last response, if any.
            self.stats["absorbed_requests"] += 1
            resend = tx.state in (S.PROCEEDING, S.COMPLETED)
            if resend and tx.response_bytes:
                self._retransmit(tx.response_bytes, tx.peer)
            return
        invite = request.method == "INVITE"
        state = S.PROCEEDING if invite else S.TRYING
        tx = _Transaction(key, invite, state, _response_peer(request, peer), None)
        self._transactions[key] = tx
        cancels = None
        if request.method == "CANCEL":
            target = key._replace(method="INVITE")  # RFC 3261 9.2: same matching, method aside
            if target in self._transactions:
                cancels = target
        if invite and self.auto_trying:
            tx.request = request
            self._set_timer(tx, "Trying", self.timers.trying, now)
        self._events.append(RequestReceived(key, request, peer, cancels))

    def _receive_ack(self, ack: SipRequest, peer: Peer, now: float) -> None:
        try:
            key = server_key(ack)
        except SipParseError:
            self.stats["malformed"] += 1
            return
        tx = self._transactions.get(key)
        if tx is not None and key.branch.startswith("2543|") and ack.to_tag != tx.last_to_tag:
            tx = None  # RFC 3261 17.2.3: the ACK's To tag must be the one we sent
        if tx is None or not tx.invite or tx.state is S.ACCEPTED:
            self._events.append(AckReceived(ack, peer))
            return
        if tx.state is S.COMPLETED:
            tx.state = S.CONFIRMED  # RFC 3261 17.2.1
            self._cancel_timers(tx)
            self._after(tx, "I", 0.0 if tx.reliable else self.timers.t4, now)
            return
        self.stats["absorbed_requests"] += 1

    def _receive_response(self, response: SipResponse, now: float) -> None:
        try:
            key = client_key(response)
        except SipParseError:
            key = None
        tx = self._transactions.get(key) if key is not None else None
        if tx is None or key is None:
            self.stats["stray_responses"] += 1
            self._events.append(StrayResponse(response))
            return
        status = response.status
        if tx.invite:
            self._invite_client_response(tx, response, status, now)
            return
        if tx.state not in (S.TRYING, S.PROCEEDING):
            self.stats["absorbed_responses"] += 1  # RFC 3261 17.1.2.2: Completed absorbs
            return
        self._events.append(ResponseReceived(key, response))
        if status < 200:
            tx.state = S.PROCEEDING
            return
        tx.state = S.COMPLETED
        self._cancel_timers(tx)
        self._after(tx, "K", 0.0 if tx.reliable else self.timers.t4, now)

    def _invite_client_response(
        self, tx: _Transaction, response: SipResponse, status: int, now: float
    ) -> None:
        # RFC 3261 17.1.1.2 with the Accepted state of RFC 6026 7.2.
        if tx.state in (S.CALLING, S.PROCEEDING):
            self._events.append(ResponseReceived(tx.key, response))
            if status < 200:
                if tx.state is S.CALLING:
                    tx.state = S.PROCEEDING
                    self._cancel_timers(tx)  # no more retransmissions; timer B only runs in Calling
                return
            self._cancel_timers(tx)
            request, tx.request = tx.request, None
            if status < 300:
                tx.state = S.ACCEPTED
                self._set_timer(tx, "M", 64 * self.timers.t1, now)
                return
            tx.state = S.COMPLETED
            assert request is not None
            tx.ack_bytes = bytes(make_non2xx_ack(request, response))
            self._send(tx.ack_bytes, tx.peer)
            self._after(tx, "D", 0.0 if tx.reliable else self.timers.timer_d, now)
            return
        if tx.state is S.COMPLETED and status >= 300:
            self.stats["absorbed_responses"] += 1
            self._retransmit(tx.ack_bytes, tx.peer)  # RFC 3261 17.1.1.2: ACK each retransmission
        elif tx.state is S.ACCEPTED and 200 <= status < 300:
            self._events.append(ResponseReceived(tx.key, response))  # the TU re-sends its ACK
        else:
            self.stats["absorbed_responses"] += 1

    # -- timers ---------------------------------------------------------------------------------
    def handle_timer(self, now: float) -> None:
        """Fire every timer whose deadline is at or before ``now``, in (deadline, seq) order."""
        while (earliest := self._earliest_entry()) is not None:
            entry, source = earliest
            if entry[0] > now:
                return
            self._drop_front(source)
            tx = self._live_transaction(entry)
            if tx is None:
                continue
            name = entry[3]
            del tx.timers[name]
            self._fire(tx, name, now)  # may set new timers: the loop looks again

    def _earliest_entry(self) -> tuple[_TimerEntry, float] | None:
        """The earliest entry held, live or stale, and where it is: ``_IN_HEAP`` for the heap's
        top, else the delay of the queue it is the front of. None when no entry is held."""
        heap = self._heap
        entry: _TimerEntry | None = heap[0] if heap else None
        source = _IN_HEAP
        for delay, queue in self._queues.items():
            front = queue[0]
            if entry is None or front < entry:
                entry = front
                source = delay
        return None if entry is None else (entry, source)

    def _drop_front(self, source: float) -> None:
        """Remove the heap's top (``_IN_HEAP``) or the front of the queue for delay ``source``."""
        if source == _IN_HEAP:
            heapq.heappop(self._heap)
            return
        queue = self._queues[source]
        queue.popleft()
        if not queue:
            del self._queues[source]

    def _fire(self, tx: _Transaction, name: str, now: float) -> None:
        t2 = self.timers.t2
        if name == "A":  # INVITE client, Calling: retransmit, double without a cap
            self._retransmit(tx.request_bytes, tx.peer)
            tx.interval *= 2
            self._set_timer(tx, "A", tx.interval, now)
        elif name == "E":  # non-INVITE client: double up to T2; T2 once Proceeding
            self._retransmit(tx.request_bytes, tx.peer)
            tx.interval = t2 if tx.state is S.PROCEEDING else min(2 * tx.interval, t2)
            self._set_timer(tx, "E", tx.interval, now)
        elif name == "G":  # INVITE server, Completed: retransmit the final response
            self._retransmit(tx.response_bytes, tx.peer)
            tx.interval = min(2 * tx.interval, t2)
            self._set_timer(tx, "G", tx.interval, now)
        elif name == "Trying":  # INVITE server, no response from the TU yet (17.2.1)
            request, tx.request = tx.request, None
            if request is not None:  # any response from the TU clears it and the timer
                self._store_response(tx, make_response(request, 100))
        elif name in ("B", "F", "H"):
            self._events.append(TransactionTimedOut(tx.key))
            self._terminate(tx)
        else:  # D, I, J, K, L, M: the wait is over
            self._terminate(tx)

    def _set_timer(self, tx: _Transaction, name: str, delay: float, now: float) -> None:
        deadline = now + delay
        tx.timers[name] = deadline
        entry = (deadline, next(self._seq), tx.key, name)
        if delay >= QUEUED_MIN_DELAY:
            queue = self._queues.get(delay)
            if queue is None:
                self._queues[delay] = deque((entry,))
                return
            if deadline >= queue[-1][0]:
                queue.append(entry)
                return
            # The clock went backwards: the queue would no longer be in order.
        heapq.heappush(self._heap, entry)

    def _live_transaction(self, entry: _TimerEntry) -> _Transaction | None:
        """The transaction whose running timer ``entry`` is, or None when the entry is stale."""
        tx = self._transactions.get(entry[2])
        return tx if tx is not None and tx.timers.get(entry[3]) == entry[0] else None

    def _after(self, tx: _Transaction, name: str, delay: float, now: float) -> None:
        """Start a waiting timer; zero (reliable transports) terminates at once."""
        if delay <= 0:
            self._terminate(tx)
        else:
            self._set_timer(tx, name, delay, now)

    @staticmethod
    def _cancel_timers(tx: _Transaction) -> None:
        tx.timers.clear()  # heap entries become stale

    # -- helpers --------------------------------------------------------------------------------
    def _terminate(self, tx: _Transaction) -> None:
        tx.state = S.TERMINATED
        tx.timers.clear()
        if self._transactions.get(tx.key) is tx:
            del self._transactions[tx.key]
        self._events.append(TransactionTerminated(tx.key))

    def _store_response(self, tx: _Transaction, response: SipResponse) -> None:
        if tx.key.branch.startswith("2543|"):
            tx.last_to_tag = response.to_tag
        tx.response_bytes = bytes(response)
        self._send(tx.response_bytes, tx.peer)

    def _send(self, data: bytes, peer: Peer) -> None:
        self._datagrams.append((data, peer))

    def _retransmit(self, data: bytes, peer: Peer) -> None:
        self.stats["retransmissions"] += 1
        self._datagrams.append((data, peer))
