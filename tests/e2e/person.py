"""Driving a page the way a person does: curved pointer paths, reaction times, typing rhythm.

Everything goes through the browser's own input pipeline (Playwright's mouse and keyboard),
so the page sees trusted events; what differs from a script is the timing and the shape.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from playwright.sync_api import Page


@dataclass
class Person:
    page: Page
    rng: random.Random
    x: float = 40.0
    y: float = 40.0

    def pause(self, low_ms: float, high_ms: float) -> None:
        self.page.wait_for_timeout(self.rng.uniform(low_ms, high_ms))

    def move_to(self, x: float, y: float) -> None:
        """A curved path with a bulge to one side, fast in the middle and slow at both ends."""
        start_x, start_y = self.x, self.y
        distance = math.hypot(x - start_x, y - start_y)
        steps = max(8, int(distance / 12))
        bend = self.rng.uniform(-0.3, 0.3) * distance
        normal_x, normal_y = (-(y - start_y), x - start_x)
        norm = math.hypot(normal_x, normal_y) or 1.0
        control_x = (start_x + x) / 2 + bend * normal_x / norm
        control_y = (start_y + y) / 2 + bend * normal_y / norm
        for step in range(1, steps + 1):
            # Ease in and out: people accelerate towards a target and slow down to land on it.
            share = (1 - math.cos(math.pi * step / steps)) / 2
            px = (1 - share) ** 2 * start_x + 2 * (1 - share) * share * control_x + share**2 * x
            py = (1 - share) ** 2 * start_y + 2 * (1 - share) * share * control_y + share**2 * y
            jitter = self.rng.uniform(-0.8, 0.8)
            self.page.mouse.move(px + jitter, py - jitter)
            self.page.wait_for_timeout(self.rng.uniform(6, 18))
        self.x, self.y = x, y

    def click(self, selector: str) -> None:
        """Find the control, travel to a spot on it (not its exact centre), then press."""
        box = self.page.locator(selector).bounding_box()
        assert box is not None, selector
        self.pause(250, 600)  # reading, then deciding
        target_x = box["x"] + box["width"] * self.rng.uniform(0.3, 0.7)
        target_y = box["y"] + box["height"] * self.rng.uniform(0.3, 0.7)
        self.move_to(target_x, target_y)
        self.pause(80, 220)
        self.page.mouse.down()
        self.pause(60, 130)
        self.page.mouse.up()

    def type(self, text: str) -> None:
        """Each key held for a while, with gaps between keys, and longer ones between words.

        A capital is typed as on a keyboard: Shift goes down first and comes up after.
        """
        for char in text:
            capital = char.isalpha() and char != char.lower()
            if capital:
                self.page.keyboard.down("Shift")
                self.pause(40, 90)
            key = "Space" if char == " " else char
            self.page.keyboard.down(key)
            self.pause(45, 110)
            self.page.keyboard.up(key)
            if capital:
                self.pause(10, 40)
                self.page.keyboard.up("Shift")
            if char == " ":
                self.pause(120, 320)
            else:
                self.pause(70, 220)

    def wander(self) -> None:
        """Drift across the page while reading."""
        for _ in range(2):
            self.move_to(self.rng.uniform(200, 900), self.rng.uniform(150, 500))
            self.pause(150, 400)
