"""Starts MiniStack with the local cloud's run-time fix-ups, each logged when installed.

A fix-up here makes the emulator behave as AWS documents where the pipeline's cost or latency depends
on it. The product template stays AWS-correct; only the local cloud changes, and only while a fix-up
is needed: each checks that the pinned emulator still lacks the behaviour and stands down otherwise.

Fix-up 1, SQS batching window. AWS: an SQS event source mapping with MaximumBatchingWindowInSeconds
gathers records until the batch is full or the window has passed since records became available
(Lambda developer guide, "Batching behavior"). MiniStack 1.5.33's poller takes whatever is visible at
once, so at low rates a "gathered" consumer (projector, channels) is invoked once per
message, and the bench priced that as if AWS did the same. The fix-up holds a mapping's receive back
until its batch is full or its window has run out, measured from the first time records were seen
waiting.
"""

import inspect
import os
import sys
import threading
import time

from ministack.app import main
from ministack.services import lambda_svc
from ministack.services import sqs

_LOG_PREFIX = "local-cloud fix-up:"
# When records were first seen waiting on a queue whose mapping has a window (queue URL -> epoch s).
_waiting_since = {}
_lock = threading.Lock()


def _log(message):
    sys.stderr.write(f"{_LOG_PREFIX} {message}\n")
    sys.stderr.flush()


def _mapping_of(queue_url):
    """(window in seconds, batch size) of the enabled mapping reading this queue, or (0, 10)."""
    queue = sqs._queues.get(queue_url)
    arn = queue.get("attributes", {}).get("QueueArn") if queue else None
    for _account, _region, esm in lambda_svc._iter_all_esms():
        if esm.get("EventSourceArn") == arn and esm.get("Enabled", True):
            return float(esm.get("MaximumBatchingWindowInSeconds") or 0), int(esm.get("BatchSize") or 10)
    return 0.0, 10


def _visible_count(queue_url):
    now = time.time()
    with sqs._queues_lock:
        queue = sqs._queues.get(queue_url)
        if not queue:
            return 0
        return sum(1 for m in queue["messages"] if m.get("visible_at", 0) <= now)


def _install_batching_window():
    if "MaximumBatchingWindowInSeconds" in inspect.getsource(lambda_svc._poll_sqs):
        _log("MiniStack's SQS poller reads MaximumBatchingWindowInSeconds itself: batching-window fix-up not installed (it can go)")
        return
    receive = sqs._receive_messages_for_esm

    def receive_with_window(queue_url, max_number):
        window, batch_size = _mapping_of(queue_url)
        if window > 0:
            visible = _visible_count(queue_url)
            # One receive carries at most 10 messages in this emulator: a fuller batch never comes.
            full = min(batch_size, max_number or 1, 10)
            with _lock:
                if visible == 0:
                    _waiting_since.pop(queue_url, None)
                    return []
                if visible < full:
                    since = _waiting_since.setdefault(queue_url, time.time())
                    if time.time() - since < window:
                        return []
                _waiting_since.pop(queue_url, None)
        return receive(queue_url, max_number)

    sqs._receive_messages_for_esm = receive_with_window
    _log("MiniStack's SQS event source mappings ignore MaximumBatchingWindowInSeconds; the local cloud applies it (cli/cloud/ministack_launch.py)")


if __name__ == "__main__":
    if os.environ.get("PIPELINE_EMULATOR_FIXUPS", "on") != "off":
        _install_batching_window()
    else:
        _log("run-time fix-ups off (PIPELINE_EMULATOR_FIXUPS=off): MiniStack as released")
    sys.argv[0] = "ministack"
    sys.exit(main())
