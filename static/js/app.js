// Small progressive enhancements; every page works without this file.
// Keyboard shortcuts on Today: j/k move between items, c logs a call, e an email, s snoozes,
// / focuses search, ? shows the list.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  var current = -1;
  function items() { return Array.prototype.slice.call(document.querySelectorAll("[data-due-item]")); }
  function select(i) {
    var list = items();
    if (!list.length) return;
    current = Math.max(0, Math.min(list.length - 1, i));
    list.forEach(function (el, n) { el.classList.toggle("selected", n === current); });
    list[current].scrollIntoView({ block: "nearest" });
    list[current].focus({ preventScroll: true });
  }
  function quickLog(channel) {
    var list = items();
    if (current < 0 || !list[current]) return;
    var sel = list[current].querySelector("select[name=channel]");
    if (sel) { sel.value = channel; }
    var outcome = list[current].querySelector("select[name=outcome]");
    if (outcome) outcome.focus();
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    var help = document.getElementById("shortcuts");
    switch (ev.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "c": quickLog("call"); break;
      case "e": quickLog("email"); break;
      case "s": {
        var list = items();
        var input = current >= 0 && list[current] && list[current].querySelector("input[name=until]");
        if (input) input.focus();
        break;
      }
      case "/": {
        var q = document.querySelector("input[type=search]");
        if (q) { q.focus(); } else { window.location.href = "/contacts"; }
        break;
      }
      case "?": if (help) help.hidden = !help.hidden; break;
      default: return;
    }
    ev.preventDefault();
  });
  // The help behind "?" also opens from its visible button.
  document.addEventListener("click", function (ev) {
    var toggle = ev.target.closest("[data-shortcuts-toggle]");
    var help = document.getElementById("shortcuts");
    if (toggle && help) help.hidden = !help.hidden;
  });
  // After a conversation the next step is required: propose the suggested date as soon as
  // "connected" is chosen for a call or meeting, so one click logs it.
  document.addEventListener("change", function (ev) {
    var form = ev.target.closest("form");
    if (!form || (ev.target.name !== "outcome" && ev.target.name !== "channel")) return;
    var next = form.querySelector("input[name=next_step_on]");
    var channel = form.querySelector("[name=channel]");
    var outcome = form.querySelector("[name=outcome]");
    if (!next || !channel || !outcome || next.value) return;
    var spoke = outcome.value === "connected" && (channel.value === "call" || channel.value === "meeting");
    if (spoke && next.dataset.suggested) next.value = next.dataset.suggested;
  });
})();
