"""Turning timed actions into the messages the pixel would send, in the order it sends them.

`PixelTrace` mirrors api.js where it matters to the detector: pointer, scroll and touch
samples are grouped into runs (closed by a 1 s gap, 100 samples or any other message), key
timings into keypress batches that close 1.5-2.5 s after the last key (so they arrive after
the clicks that followed them), and every message gets the next `seq` when it is pushed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import msgspec

from notai.collect.protocol import Batch
from notai.events import (
    Box,
    Clipboard,
    Close,
    Environment,
    Focus,
    FormSubmit,
    Init,
    Input,
    KeyClass,
    Keypress,
    KeySample,
    LmsContext,
    Message,
    MouseClick,
    MouseMove,
    Navigation,
    PointerKind,
    Scroll,
    Touch,
)

RUN_GAP_MS = 1000
RUN_SAMPLES = 100
KEY_IDLE_MS = 1500


@dataclass
class _Run:
    kind: str
    t: int
    samples: list[tuple[int, int, int]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PixelTrace:
    """Messages of one page view, pushed as the pixel pushes them."""

    rng: random.Random
    messages: list[tuple[int, Message]] = field(default_factory=list)
    """(time pushed, message); seq is assigned in push order by `finish`."""
    _run: _Run | None = None
    _keys: list[KeySample] = field(default_factory=list)
    _keys_t: int = 0
    _last_key_t: int = 0
    _shiftless: int = 0

    # --- runs of samples ------------------------------------------------------------------

    def sample(self, kind: str, t: int, x: int, y: int, **extra: Any) -> None:
        """One pointer (`mouse_move`), scroll or touch sample at time t."""
        self._close_keys_if_idle(t)
        run = self._run
        if run and (run.kind != kind or run.extra != extra):
            self._end_run()
            run = None
        if run and (len(run.samples) >= RUN_SAMPLES or t - run.t > RUN_GAP_MS):
            self._end_run()
            run = None
        if run is None:
            run = self._run = _Run(kind, t, extra=extra)
        run.samples.append((t - run.t, x, y))

    def _end_run(self) -> None:
        run, self._run = self._run, None
        if run is None:
            return
        at = run.t + run.samples[-1][0]
        message: Message
        if run.kind == "mouse_move":
            message = MouseMove(seq=0, t=run.t, samples=run.samples, coalesced=len(run.samples))
        elif run.kind == "scroll":
            message = Scroll(seq=0, t=run.t, samples=run.samples)
        else:
            message = Touch(seq=0, t=run.t, samples=run.samples, phase=run.extra["phase"])
        self.messages.append((at, message))

    # --- keys -------------------------------------------------------------------------------

    def key(self, down: int, up: int, key: KeyClass, *, shiftless: bool = False) -> None:
        self._close_keys_if_idle(down)
        if not self._keys:
            self._keys_t = down
        self._keys.append((down - self._keys_t, up - self._keys_t, key))
        self._shiftless += shiftless
        self._last_key_t = max(self._last_key_t, up)
        if len(self._keys) >= RUN_SAMPLES:
            self._end_keys(down)

    def _close_keys_if_idle(self, now: int) -> None:
        if self._keys and now - self._last_key_t > KEY_IDLE_MS + 1000:
            # The pixel's timer closes the batch 1.5-2.5 s after the last key.
            self._end_keys(self._last_key_t + KEY_IDLE_MS + self.rng.randint(0, 1000))

    def _end_keys(self, at: int) -> None:
        keys, self._keys = self._keys, []
        shiftless, self._shiftless = self._shiftless, 0
        message = Keypress(seq=0, t=self._keys_t, keys=keys, shiftless=shiftless)
        self.messages.append((at, message))

    # --- single messages ------------------------------------------------------------------------

    def push(self, t: int, message: Message) -> None:
        self._close_keys_if_idle(t)
        self._end_run()
        self.messages.append((t, message))

    def click(
        self,
        t: int,
        phase: str,
        x: int,
        y: int,
        target: Box | None,
        *,
        pointer: PointerKind = "mouse",
        button: int = 0,
    ) -> None:
        self.push(
            t,
            MouseClick(
                seq=0,
                t=t,
                phase=phase,  # type: ignore[arg-type]
                x=x,
                y=y,
                button=button,
                target=target,
                pointer=pointer,
            ),
        )

    def focus(self, t: int, field_name: str, kind: str = "focus") -> None:
        self.push(t, Focus(seq=0, t=t, kind=kind, field=field_name))  # type: ignore[arg-type]

    def input(self, t: int, field_name: str, input_type: str, delta: int, length: int) -> None:
        self.push(
            t, Input(seq=0, t=t, field=field_name, inputType=input_type, delta=delta, length=length)
        )

    def paste(self, t: int, field_name: str, length: int) -> None:
        self.push(t, Clipboard(seq=0, t=t, action="paste", length=length, field=field_name))

    def submit(self, t: int, fields: int) -> None:
        self.push(t, FormSubmit(seq=0, t=t, form="quiz", fields=fields))

    def start(self, t: int, url: str, env: Environment, lms: LmsContext) -> None:
        # The pixel numbers init 0, before the navigation it queued first.
        self.push(t - 1, Init(seq=0, t=t, url=url, title="Quiz 4", env=env, lms=lms))
        self.push(t, Navigation(seq=0, t=t, url=url, kind="load"))

    def finish(self, t: int) -> list[Message]:
        """Close everything open, add the page's `close`, and number messages in push order."""
        if self._keys:
            self._end_keys(max(t, self._last_key_t + KEY_IDLE_MS))
        self._end_run()
        end = max([t, *(at for at, _ in self.messages)]) + 200
        self.messages.append((end, Close(seq=0, t=end)))
        ordered = sorted(enumerate(self.messages), key=lambda item: (item[1][0], item[0]))
        return [_with_seq(message, seq) for seq, (_, (_, message)) in enumerate(ordered)]


def _with_seq(message: Message, seq: int) -> Message:
    return msgspec.structs.replace(message, seq=seq)


def batches(integration: str, session: str, messages: list[Message], size: int) -> list[Batch]:
    """The session's messages in batches of `size`, as the pixel's frames would carry them."""
    return [
        Batch(v=1, integration=integration, session=session, events=messages[i : i + size])
        for i in range(0, len(messages), size)
    ]
