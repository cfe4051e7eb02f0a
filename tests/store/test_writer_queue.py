"""This process's SQLite write transactions take the write lock in arrival order."""

from __future__ import annotations

import threading
import time

from connector.store.writer_queue import WriterQueue


def test_the_lock_is_handed_to_waiters_in_the_order_they_came():
    queue = WriterQueue()
    assert queue.enter()
    order: list[int] = []

    def wait(number: int) -> None:
        assert queue.enter()
        order.append(number)
        queue.leave()

    threads = []
    for number in range(4):
        thread = threading.Thread(target=wait, args=(number,))
        thread.start()
        threads.append(thread)
        time.sleep(0.05)  # each is waiting before the next one comes
    queue.leave()
    for thread in threads:
        thread.join(timeout=5)
    assert order == [0, 1, 2, 3]


def test_the_holder_does_not_queue_behind_itself_and_a_waiter_gives_up_after_its_timeout():
    queue = WriterQueue()
    assert queue.enter()
    assert queue.enter() is False  # a second session inside the first: goes straight on
    gave_up: list[bool] = []
    thread = threading.Thread(target=lambda: gave_up.append(queue.enter(timeout=0.1)))
    thread.start()
    thread.join(timeout=5)
    assert gave_up == [False]
    queue.leave()
    assert queue.enter()  # free again: the one that gave up left nothing behind
    queue.leave()
