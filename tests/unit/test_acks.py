"""Coalesced acknowledgements: one frame for a settled prefix, never an ack for a message still in hand."""
from __future__ import annotations

import random

from shared.acks import AckWindow


def _window(*tags: int) -> AckWindow:
    window = AckWindow()
    for tag in tags:
        window.delivered(tag)
    return window


def test_a_batch_settled_in_order_goes_in_one_multiple_ack():
    window = _window(*range(1, 101))
    assert window.settle(range(1, 101)) == [(100, True)]
    assert len(window) == 0


def test_a_single_message_is_acknowledged_alone():
    assert _window(1, 2).settle([1]) == [(1, False)]


def test_settled_messages_behind_one_in_hand_are_acknowledged_one_by_one_at_once():
    window = _window(1, 2, 3, 4)
    assert window.settle([2, 3]) == [(2, False), (3, False)]  # 1 is still in a worker (or in retry)
    assert window.settle([1]) == [(1, False)]  # 2 and 3 went already; nothing but 1 is covered
    assert window.settle([4]) == [(4, False)]


def test_the_prefix_stops_at_the_first_message_still_in_hand():
    window = _window(1, 2, 3, 4, 5)
    assert window.settle([1, 2, 4, 5]) == [(2, True), (4, False), (5, False)]
    assert len(window) == 1


def test_a_requeued_message_no_longer_holds_the_window():
    window = _window(1, 2, 3)
    window.forget(1)
    assert window.settle([2, 3]) == [(3, True)]


def test_unknown_and_repeated_tags_are_ignored():
    window = _window(5, 6)
    assert window.settle([6, 6, 99]) == [(6, False)]
    assert window.settle([6]) == []


def test_no_ack_ever_covers_an_unsettled_tag_and_every_settled_tag_is_covered_once():
    rng = random.Random(7)
    for _ in range(200):
        window, in_hand, acked, next_tag = AckWindow(), set(), set(), 1
        for _ in range(60):
            if rng.random() < 0.5:
                window.delivered(next_tag)
                in_hand.add(next_tag)
                next_tag += 1
            elif in_hand:
                chosen = rng.sample(sorted(in_hand), rng.randint(1, len(in_hand)))
                if rng.random() < 0.1:
                    window.forget(chosen[0])  # requeued
                    in_hand.discard(chosen[0])
                    acked.add(chosen[0])
                    continue
                in_hand.difference_update(chosen)
                for tag, multiple in window.settle(chosen):
                    covered = {t for t in range(1, tag + 1) if t not in acked} if multiple else {tag}
                    assert not covered & in_hand, "an ack covered a message still in hand"
                    assert tag not in acked
                    acked |= covered
                assert set(chosen) <= acked
