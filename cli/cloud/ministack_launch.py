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

Fix-up 2, DynamoDB stream pollers apart from the queue pollers. AWS: each event source mapping polls
its own source; a stream mapping invokes its function per shard, in order, and nothing it does delays
another mapping (Lambda developer guide, "How Lambda processes records from DynamoDB Streams").
MiniStack 1.5.33 runs the stream mappings' invocations inline in the one thread that also polls every
SQS mapping, so while the outbox publisher runs (once per commit), no queue is polled, and while the
projector folds a batch the outbox waits. The fix-up gives each stream mapping a poller thread of its
own: still one invocation at a time per mapping, in stream order, as on AWS.

Fix-up 3, DynamoDB stream batching window. As fix-up 1, for a stream mapping (the projector reads
the event store's stream with a 1 s window): AWS gathers records until the batch is full or the
window has passed; MiniStack 1.5.33 invokes at once, once per commit at low rates. The fix-up holds
a windowed mapping's read back, without moving its position, until its batch is full or its window
has run out since records were first seen waiting at that position.
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


# How long a stream poller sleeps after a pass that found nothing (AWS polls a shard about 4 times a second).
_STREAM_IDLE_SECONDS = 0.1
# How often the stream poller manager looks for new or deleted stream mappings.
_STREAM_DISCOVERY_SECONDS = 1.0

# Per thread: the one stream mapping a poller thread serves (None: every mapping), and the mapping
# the emulator's stream poll is reading for at the moment (for fix-up 3's window).
_polling = threading.local()
_esm_iterator_patched = False


def _patch_esm_iterator():
    """The emulator's mapping iterator, narrowed to the calling poller thread's mapping and noting it."""
    global _esm_iterator_patched
    if _esm_iterator_patched:
        return
    iter_all_esms = lambda_svc._iter_all_esms

    def iter_for_this_thread():
        only = getattr(_polling, "only", None)
        for account, region, esm in iter_all_esms():
            if only is not None and esm.get("UUID") != only:
                continue
            _polling.esm = esm
            yield account, region, esm
        _polling.esm = None

    lambda_svc._iter_all_esms = iter_for_this_thread
    _esm_iterator_patched = True


def _stream_mapping_ids(iter_all_esms):
    return {
        esm.get("UUID")
        for _account, _region, esm in iter_all_esms()
        if ":dynamodb:" in esm.get("EventSourceArn", "") and "/stream/" in esm.get("EventSourceArn", "")
    }


def _install_stream_thread():
    """Fix-up 2: one poller thread per DynamoDB stream mapping, apart from the SQS poll loop."""
    poll_streams = lambda_svc._poll_dynamodb_streams
    if "_poll_dynamodb_streams()" not in inspect.getsource(lambda_svc._poll_loop):
        _log("MiniStack no longer polls DynamoDB streams in its queue poll loop: stream-thread fix-up not installed (it can go)")
        return
    all_esms = lambda_svc._iter_all_esms
    _patch_esm_iterator()

    def mapping_loop(esm_id):
        _polling.only = esm_id
        failures = 0
        while esm_id in _stream_mapping_ids(all_esms):
            try:
                busy = poll_streams()
                failures = 0
            except Exception as error:  # the emulator's own loop logs and carries on; so does this one
                failures += 1
                if failures == 1:
                    _log(f"DynamoDB stream poller error for mapping {esm_id} (it carries on): {error!r}")
                busy = False
            if not busy:
                time.sleep(_STREAM_IDLE_SECONDS)

    def manager():
        running = {}
        while True:
            for esm_id in _stream_mapping_ids(all_esms):
                if esm_id not in running or not running[esm_id].is_alive():
                    thread = threading.Thread(
                        target=mapping_loop, args=(esm_id,), daemon=True, name=f"local-cloud-stream-{esm_id}"
                    )
                    running[esm_id] = thread
                    thread.start()
            time.sleep(_STREAM_DISCOVERY_SECONDS)

    # The queue poll loop calls this name at each pass: from now on it finds no stream work to do.
    lambda_svc._poll_dynamodb_streams = lambda: False
    threading.Thread(target=manager, daemon=True, name="local-cloud-stream-pollers").start()
    _log("MiniStack polls every DynamoDB stream mapping inline in its SQS poll loop; the local cloud gives each stream mapping a poller thread of its own (cli/cloud/ministack_launch.py)")


# When records were first seen waiting for a windowed stream mapping (ESM UUID -> (position, epoch s)).
_stream_waiting_since = {}


def _install_stream_window():
    """Fix-up 3: a DynamoDB stream mapping's MaximumBatchingWindowInSeconds, as fix-up 1 does for SQS."""
    if "MaximumBatchingWindowInSeconds" in inspect.getsource(lambda_svc._poll_dynamodb_streams):
        _log("MiniStack's stream poller reads MaximumBatchingWindowInSeconds itself: stream-window fix-up not installed (it can go)")
        return
    from ministack.services import dynamodb as ddb

    _patch_esm_iterator()
    records_since = ddb.stream_records_since

    def records_with_window(table_name, position, batch_size, **scope):
        batch = records_since(table_name, position, batch_size, **scope)
        esm = getattr(_polling, "esm", None)
        window = float((esm or {}).get("MaximumBatchingWindowInSeconds") or 0)
        if window <= 0 or not batch:
            return batch
        key = esm["UUID"]
        with _lock:
            if len(batch) >= batch_size:
                _stream_waiting_since.pop(key, None)
                return batch
            seen_at, since = _stream_waiting_since.get(key, (None, None))
            if seen_at != position:
                _stream_waiting_since[key] = (position, time.time())
                return []
            if time.time() - since < window:
                return []  # the poller then leaves its position where it is and tries again
            _stream_waiting_since.pop(key, None)
        return batch

    ddb.stream_records_since = records_with_window
    _log("MiniStack's DynamoDB stream mappings ignore MaximumBatchingWindowInSeconds; the local cloud applies it (cli/cloud/ministack_launch.py)")


# PIPELINE_EMULATOR_FIXUPS: "on" (default), "off", or names to leave out ("no-stream-thread"), comma
# separated: what a before/after measurement of one fix-up needs.
_FIXUPS = {
    "batching-window": _install_batching_window,
    "stream-thread": _install_stream_thread,
    "stream-window": _install_stream_window,
}

if __name__ == "__main__":
    setting = os.environ.get("PIPELINE_EMULATOR_FIXUPS", "on")
    if setting == "off":
        _log("run-time fix-ups off (PIPELINE_EMULATOR_FIXUPS=off): MiniStack as released")
    else:
        left_out = {part.strip()[3:] for part in setting.split(",") if part.strip().startswith("no-")}
        for name, install in _FIXUPS.items():
            if name in left_out:
                _log(f"{name} fix-up left out (PIPELINE_EMULATOR_FIXUPS={setting})")
            else:
                install()
    sys.argv[0] = "ministack"
    sys.exit(main())
