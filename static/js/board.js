// Drag and drop on the board, as a progressive enhancement of each card's move form: dropping a
// card on a column sets the form's stage and posts the form in the background, then moves the
// card in place; without the script the select and button post it as a normal form.
// Pointer events (mouse, touch, pen) rather than HTML5 drag events; the keyboard works too:
// focus a card's handle, Space or Enter to lift it, Left/Right to choose a column, Enter to drop,
// Escape to cancel.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board) return;
  var status = document.getElementById("board-status");

  // The drag handles: only useful with this script, so the page leaves them out.
  Array.prototype.forEach.call(board.querySelectorAll("[data-card]"), function (card) {
    var name = card.querySelector(".card-name a");
    var handle = document.createElement("button");
    handle.type = "button";
    handle.className = "handle";
    handle.setAttribute("data-handle", "");
    handle.setAttribute("aria-label", "Move " + (name ? name.textContent : "this card"));
    handle.title = "Drag to another column";
    handle.textContent = "\u283F";
    card.insertBefore(handle, card.firstChild);
  });
  board.classList.add("draggable");
  function say(text) { if (status) status.textContent = text; }
  function columns() { return Array.prototype.slice.call(board.querySelectorAll("[data-stage]")); }
  function columnAt(x, y) {
    var el = document.elementFromPoint(x, y);
    return el ? el.closest("[data-stage]") : null;
  }
  function mark(col) {
    columns().forEach(function (c) { c.classList.toggle("drop-target", c === col); });
  }
  function count(col, delta) {
    var n = col.querySelector("[data-count]");
    if (n) n.textContent = String(Math.max(0, parseInt(n.textContent, 10) + delta));
  }
  // Moves the card in place: the form is posted with a small fetch (JSON answer), then the card
  // goes to its new column and only the two columns' counts change. If the fetch cannot be made
  // the form is submitted as without the script (the page reloads with the answer).
  function drop(card, col) {
    mark(null);
    if (!col) return;
    var form = card.querySelector("[data-move]");
    var select = form.querySelector("select[name=stage]");
    var from = card.closest("[data-stage]");
    if (select.value === col.dataset.stage && from === col) return;
    select.value = col.dataset.stage;
    say("Moving to " + col.getAttribute("aria-label") + "…");
    if (!window.fetch || !window.FormData) { form.submit(); return; }
    card.classList.add("moving");
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (resp) {
      return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
    }).then(function (answer) {
      card.classList.remove("moving");
      if (!answer.ok) {
        var message = answer.body && answer.body.error ? answer.body.error.message : "The move failed.";
        say(message);
        showError(message);
        select.value = from.dataset.stage;
        return;
      }
      form.querySelector("input[name=version]").value = answer.body.version;
      var list = col.querySelector(".cards");
      if (list) list.insertBefore(card, list.firstChild);
      count(from, -1);
      count(col, 1);
      card.classList.add("moved");
      setTimeout(function () { card.classList.remove("moved"); }, 1500);
      var handle = card.querySelector("[data-handle]");
      if (handle) handle.focus();
      say(answer.body.message);
    }).catch(function () { form.submit(); });
  }
  function showError(message) {
    var p = document.getElementById("board-error");
    if (!p) {
      p = document.createElement("p");
      p.id = "board-error";
      p.className = "flash flash-error";
      p.setAttribute("role", "alert");
      board.parentNode.insertBefore(p, board);
    }
    p.textContent = message;
  }

  // The card's own select and Move button move it in place too.
  board.addEventListener("submit", function (ev) {
    var form = ev.target.closest("[data-move]");
    if (!form) return;
    var stage = form.querySelector("select[name=stage]").value;
    var col = board.querySelector('[data-stage="' + stage + '"]');
    if (!col) return;
    ev.preventDefault();
    drop(form.closest("[data-card]"), col);
  });

  // Pointer dragging.
  var drag = null;
  board.addEventListener("pointerdown", function (ev) {
    var handle = ev.target.closest("[data-handle]");
    if (!handle || ev.button !== 0) return;
    var card = handle.closest("[data-card]");
    var rect = card.getBoundingClientRect();
    var ghost = card.cloneNode(true);
    ghost.classList.add("drag-ghost");
    ghost.style.left = rect.left + "px";
    ghost.style.top = rect.top + "px";
    document.body.appendChild(ghost);
    card.classList.add("dragging");
    drag = { card: card, ghost: ghost, dx: ev.clientX - rect.left, dy: ev.clientY - rect.top };
    handle.setPointerCapture(ev.pointerId);
    ev.preventDefault();
  });
  board.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    drag.ghost.style.left = ev.clientX - drag.dx + "px";
    drag.ghost.style.top = ev.clientY - drag.dy + "px";
    mark(columnAt(ev.clientX, ev.clientY));
  });
  function endDrag(ev, cancelled) {
    if (!drag) return;
    var d = drag;
    drag = null;
    d.ghost.remove();
    d.card.classList.remove("dragging");
    if (cancelled) { mark(null); return; }
    drop(d.card, columnAt(ev.clientX, ev.clientY));
  }
  board.addEventListener("pointerup", function (ev) { endDrag(ev, false); });
  board.addEventListener("pointercancel", function (ev) { endDrag(ev, true); });

  // Keyboard moving.
  var lifted = null;
  board.addEventListener("keydown", function (ev) {
    var handle = ev.target.closest("[data-handle]");
    if (!handle) return;
    var card = handle.closest("[data-card]");
    var cols = columns();
    if (!lifted && (ev.key === " " || ev.key === "Enter")) {
      lifted = { card: card, index: cols.indexOf(card.closest("[data-stage]")) };
      card.classList.add("lifted");
      mark(cols[lifted.index]);
      say("Lifted. Left and right arrows choose a column, Enter drops, Escape cancels.");
    } else if (lifted && (ev.key === "ArrowRight" || ev.key === "ArrowLeft")) {
      lifted.index = Math.max(0, Math.min(cols.length - 1, lifted.index + (ev.key === "ArrowRight" ? 1 : -1)));
      mark(cols[lifted.index]);
      say(cols[lifted.index].getAttribute("aria-label"));
    } else if (lifted && ev.key === "Enter") {
      var target = cols[lifted.index];
      lifted.card.classList.remove("lifted");
      lifted = null;
      drop(card, target);
    } else if (lifted && ev.key === "Escape") {
      lifted.card.classList.remove("lifted");
      lifted = null;
      mark(null);
      say("Cancelled.");
    } else {
      return;
    }
    ev.preventDefault();
  });
})();
