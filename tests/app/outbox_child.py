"""A workstation process for tests/app/test_outbox*.py: opens a DeskService while the relay is down,
types one message (or `count` of them), reports them on stdout, then waits to be killed; when the
relay comes back meanwhile, it flushes its outbox as any workstation does.

Reads one JSON object from stdin: data_dir, relay_url, token, session, conversation_id, text and
optionally count (the texts are then "<text> #<i>"). The token comes over stdin, never on the
command line.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import msgspec

from app.config import DeskConfig
from app.events import ConnectionChanged, Event
from app.services import DeskService
from wire import frames as f


async def main() -> None:
    job = json.loads(sys.stdin.readline())
    config = DeskConfig(data_dir=Path(job["data_dir"]), reconnect_max_s=0.2, request_timeout_s=5.0)
    session = msgspec.convert(job["session"], f.SessionInfo)
    service = await DeskService.open(config, job["relay_url"], job["token"], session)
    offline = asyncio.Event()

    def on_event(event: Event) -> None:
        if isinstance(event, ConnectionChanged) and event.status == "offline":
            offline.set()

    service.events.subscribe(on_event)
    await service.start()
    await asyncio.wait_for(offline.wait(), 10)  # the relay is really unreachable
    count = job.get("count", 1)
    texts = [job["text"]] if count == 1 else [f"{job['text']} #{i}" for i in range(count)]
    typed = [await service.send_text(job["conversation_id"], text) for text in texts]
    outbox = await service.history.outbox()
    print(json.dumps({"client_msg_id": typed[0].client_msg_id, "state": typed[0].state, "seq": typed[0].seq,
                      "typed": [t.client_msg_id for t in typed], "outbox": [m.client_msg_id for m in outbox]}),
          flush=True)
    await asyncio.Event().wait()  # until SIGKILL: no clean shutdown, no chance to send


if __name__ == "__main__":
    asyncio.run(main())
