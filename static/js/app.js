// Small progressive enhancements; every page works without this file.
// Keyboard shortcuts on Today: j/k move between items, o or Enter opens one, c logs a call on it,
// e an email, s snoozes, / focuses search, ? shows the list. An item's log and snooze forms are
// in the page only once it is open (/today?open=…), so c, e and s on a closed item open it first,
// with the field to fill focused.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  var current = -1;
  function items() { return Array.prototype.slice.call(document.querySelectorAll("[data-due-item]")); }
  function select(i) {
    var list = items();
    if (!list.length) return null;
    current = Math.max(0, Math.min(list.length - 1, i));
    list.forEach(function (el, n) { el.classList.toggle("selected", n === current); });
    list[current].scrollIntoView({ block: "nearest" });
    list[current].focus({ preventScroll: true });
    return list[current];
  }
  function focused() {
    var list = items();
    return current >= 0 && list[current] ? list[current] : select(0);
  }
  // Opens the item (a new page: only the opened item has its forms), then focuses `field`.
  function open(item, params, field) {
    var link = item && item.querySelector("[data-open-link]");
    if (!link) return false;
    window.location.href = link.href.split("#")[0] + (params || "") + "#" + (field || item.id);
    return true;
  }
  function quickLog(channel) {
    var item = focused();
    if (!item) return;
    var sel = item.querySelector("select[name=channel]");
    if (!sel) { open(item, "&channel=" + channel, item.id + "-outcome"); return; }
    sel.value = channel;
    var outcome = item.querySelector("select[name=outcome]");
    if (outcome) outcome.focus();
  }
  function snooze() {
    var item = focused();
    if (!item) return;
    var input = item.querySelector("input[name=until]");
    if (input) { input.focus(); } else { open(item, "", "snooze-" + item.id); }
  }
  // The opened item is the selected one; a field named in the address gets the focus.
  document.addEventListener("DOMContentLoaded", function () {
    var list = items();
    var opened = document.querySelector("[data-due-item].open");
    if (opened) {
      current = list.indexOf(opened);
      opened.classList.add("selected");
    }
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && typing(target)) {
      target.focus();
    } else if (target && target.hasAttribute("data-due-item")) {
      current = list.indexOf(target);
      select(current);
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    var help = document.getElementById("shortcuts");
    switch (ev.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "o": open(focused()); break;
      case "Enter": {
        // Enter on a link or button keeps its own meaning; on a row it opens the row
        if (!ev.target.hasAttribute || !ev.target.hasAttribute("data-due-item")) return;
        if (!open(ev.target)) return;
        break;
      }
      case "c": quickLog("call"); break;
      case "e": quickLog("email"); break;
      case "s": snooze(); break;
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
  // The setup and new-user forms preselect the browser's time zone (the server's default stays
  // when the browser's zone is not in the list, or the form comes back with the user's choice).
  document.addEventListener("DOMContentLoaded", function () {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) return;
    var selects = document.querySelectorAll("form[data-browser-tz] select[name=time_zone]");
    Array.prototype.forEach.call(selects, function (sel) {
      for (var i = 0; i < sel.options.length; i++) {
        if (sel.options[i].value === zone) { sel.selectedIndex = i; return; }
      }
    });
  });
})();
