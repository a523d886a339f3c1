// notai session replay: the pointer's path and clicks drawn on a canvas, played in time.
// Reads the JSON island #replay-data: {durationMs, viewport: [w, h], moves: [[t, x, y]],
// clicks: [[t, x, y, phase, trusted]], marks: [[t, flag]]}, times in ms from the start.
(function () {
  "use strict";
  var box = document.querySelector("[data-replay]");
  var island = document.getElementById("replay-data");
  if (!box || !island) return;
  var data = JSON.parse(island.textContent);
  var canvas = box.querySelector("canvas");
  var context = canvas.getContext("2d");
  var playButton = box.querySelector("[data-replay-play]");
  var position = box.querySelector("[data-replay-position]");
  var speed = box.querySelector("[data-replay-speed]");
  var clock = box.querySelector("[data-replay-time]");
  var note = box.querySelector("[data-replay-note]");
  var duration = Math.max(data.durationMs, 1);
  var width = data.viewport[0], height = data.viewport[1];
  var scale = Math.min(800 / width, 500 / height);
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  var now = duration, playing = false, lastFrame = 0;

  function drawPath(until, colour, lineWidth) {
    context.strokeStyle = colour;
    context.lineWidth = lineWidth;
    context.beginPath();
    var started = false, last = null;
    for (var i = 0; i < data.moves.length && data.moves[i][0] <= until; i++) {
      var x = data.moves[i][1] * scale, y = data.moves[i][2] * scale;
      // A pause of more than 2 s is a lift of the hand: do not join across it.
      if (!started || (last !== null && data.moves[i][0] - last > 2000)) context.moveTo(x, y);
      else context.lineTo(x, y);
      started = true;
      last = data.moves[i][0];
    }
    context.stroke();
    return last;
  }

  function drawClicks(until) {
    data.clicks.forEach(function (click) {
      if (click[0] > until || click[3] === "up") return;
      context.beginPath();
      context.arc(click[1] * scale, click[2] * scale, click[3] === "down" ? 7 : 4, 0, 2 * Math.PI);
      context.strokeStyle = click[4] ? "#1f5fbf" : "#c0392b";
      context.fillStyle = click[4] ? "rgba(31,95,191,0.25)" : "rgba(192,57,43,0.35)";
      context.lineWidth = 2;
      context.fill();
      context.stroke();
    });
  }

  function pointerAt(until) {
    var found = null;
    for (var i = 0; i < data.moves.length && data.moves[i][0] <= until; i++) found = data.moves[i];
    return found;
  }

  function draw() {
    context.clearRect(0, 0, canvas.width, canvas.height);
    drawPath(duration, "#d5dbe2", 1);
    drawPath(now, "#4d86cf", 1.5);
    drawClicks(now);
    var pointer = pointerAt(now);
    if (pointer) {
      context.beginPath();
      context.arc(pointer[1] * scale, pointer[2] * scale, 4, 0, 2 * Math.PI);
      context.fillStyle = "#1b1f24";
      context.fill();
    }
    position.value = String(Math.round((now / duration) * 1000));
    clock.textContent = (now / 1000).toFixed(1) + " s of " + (duration / 1000).toFixed(1) + " s";
    var passed = data.marks.filter(function (mark) { return mark[0] <= now; });
    note.textContent = passed.length
      ? "Evidence so far: " + passed.map(function (m) { return m[1] + " at " + (m[0] / 1000).toFixed(1) + " s"; }).join(", ")
      : "";
  }

  function frame(time) {
    if (!playing) return;
    var elapsed = lastFrame ? time - lastFrame : 0;
    lastFrame = time;
    now = Math.min(duration, now + elapsed * Number(speed.value));
    draw();
    if (now >= duration) stop();
    else window.requestAnimationFrame(frame);
  }

  function stop() {
    playing = false;
    playButton.textContent = "Play";
  }

  playButton.addEventListener("click", function () {
    if (playing) { stop(); return; }
    if (now >= duration) now = 0;
    playing = true;
    lastFrame = 0;
    playButton.textContent = "Pause";
    window.requestAnimationFrame(frame);
  });
  position.addEventListener("input", function () {
    stop();
    now = (Number(position.value) / 1000) * duration;
    draw();
  });
  draw();
})();
