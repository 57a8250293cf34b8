"""Publisher confirms for messages published back to back on one py-amqp channel."""
from __future__ import annotations

import time

from amqp import spec as amqp_spec


class Confirms:
    """Publisher confirms for messages published back to back on one channel (py-amqp).

    The broker numbers a confirming channel's publishes 1, 2, ...; an ack or nack may cover every tag up to
    its own (`multiple`). A mandatory message that no queue takes is returned before it is acked. Confirms
    are taken from the channel's event callbacks, not from `wait`'s one-shot callback: py-amqp's publish
    itself drains pending frames (to notice a blocked connection), which would swallow early acks.
    """

    def __init__(self, channel, tags: list[str]):
        if not channel._confirm_selected:
            channel._confirm_selected = True
            channel.confirm_select()
        self.channel, self.tags = channel, tags
        self.first = getattr(channel, "yici_published", 0) + 1
        channel.yici_published = self.first - 1 + len(tags)
        self.acked: set[int] = set()
        self.nacked: set[int] = set()
        self.returned: set[str] = set()
        self._callbacks = {
            "basic_return": lambda _exc, _exchange, _key, message: self.returned.add(
                message.properties.get("message_id")),
            "basic_ack": lambda tag, multiple: self._confirm(self.acked, tag, multiple),
            "basic_nack": lambda tag, multiple, *_: self._confirm(self.nacked, tag, multiple)}
        for event, callback in self._callbacks.items():
            channel.events[event].add(callback)

    def _confirm(self, into: set[int], delivery_tag: int, multiple: bool) -> None:
        into.update(range(min(self.first, delivery_tag) if multiple else delivery_tag, delivery_tag + 1))

    def wait(self, timeout: float) -> None:
        pending = set(range(self.first, self.first + len(self.tags)))
        deadline = time.monotonic() + timeout
        while pending - self.acked - self.nacked:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(pending - self.acked - self.nacked)} confirms not received")
            self.channel.wait([amqp_spec.Basic.Ack, amqp_spec.Basic.Nack], timeout=remaining)

    def _ok(self, index: int) -> bool:
        tag = self.first + index
        return tag in self.acked and tag not in self.nacked and self.tags[index] not in self.returned

    def sent_ids(self, items: list[tuple]) -> list[str]:
        sent = []
        for index, item in enumerate(items):
            if not self._ok(index):
                break
            sent.append(item[5])
        return sent

    def failure(self, items: list[tuple]) -> str:
        index = next(i for i in range(len(items)) if not self._ok(i))
        if self.tags[index] in self.returned:
            return f"no queue bound for {items[index][1].name}/{items[index][2]}"
        return "nacked by the broker" if self.first + index in self.nacked else "not confirmed"

    def close(self) -> None:
        for event, callback in self._callbacks.items():
            self.channel.events[event].discard(callback)
