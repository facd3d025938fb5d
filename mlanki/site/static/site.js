// The page's controls: night mode, phone width and search. Everything works without it except these.
(function () {
  "use strict";
  var root = document.documentElement, body = document.body;

  function store(key, value) { try { localStorage.setItem(key, value); } catch (e) {} }

  // Night mode: the classes Anki's reviewer puts on the body (nightMode night_mode) and on each card.
  var night = document.getElementById("site-night");
  function setNight(on) {
    root.classList.toggle("night-mode", on);
    body.classList.toggle("nightMode", on);
    body.classList.toggle("night_mode", on);
    document.querySelectorAll(".card").forEach(function (card) { card.classList.toggle("nightMode", on); });
    night.setAttribute("aria-pressed", String(on));
  }
  night.hidden = false;   // the switches are hidden until this script can work them
  setNight(root.classList.contains("night-mode"));
  night.addEventListener("click", function () {
    var on = night.getAttribute("aria-pressed") !== "true";
    setNight(on);
    store("mlanki-night", on ? "1" : "0");
  });

  // Phone width: the cards in a column as narrow as a phone's screen.
  var phone = document.getElementById("site-phone");
  if (phone) {
    phone.hidden = false;
    phone.addEventListener("click", function () {
      var on = phone.getAttribute("aria-pressed") !== "true";
      body.classList.toggle("site-phone", on);
      phone.setAttribute("aria-pressed", String(on));
    });
  }

  // Search: every word typed must appear in the card (front, back or source). Cards on this page are
  // filtered in place; on a deck of several pages, search.js (loaded on first use) lists the others.
  var search = document.querySelector(".site-search");
  if (!search) return;
  search.hidden = false;
  var box = document.getElementById("site-search-box");
  var status = document.getElementById("site-search-status");
  var elsewhere = document.getElementById("site-search-elsewhere");
  var here = location.pathname.split("/").pop() || "index.html";
  var cards = Array.prototype.map.call(document.querySelectorAll(".site-card"), function (el) {
    var parts = el.querySelectorAll(".qa, .site-source");
    var text = Array.prototype.map.call(parts, function (p) { return p.textContent; }).join(" ");
    return { el: el, text: text.toLowerCase().replace(/\s+/g, " ") };
  });
  var topics = document.querySelectorAll(".site-topic");
  var index = null, loading = false, timer = null;

  function words() { return box.value.toLowerCase().split(/\s+/).filter(Boolean); }
  function matches(text, terms) { return terms.every(function (t) { return text.indexOf(t) !== -1; }); }

  function loadIndex() {
    if (index || loading || search.dataset.pages === "1") return;
    loading = true;
    var script = document.createElement("script");
    script.src = "search.js";
    script.onload = function () {
      // Rows: [page number, card id, label, text].
      index = (window.mlankiSearch || []).map(function (row) {
        return { page: row[0], href: row[0] === 1 ? "index.html" : "page-" + row[0] + ".html", id: row[1],
                 label: row[2], low: row[3].toLowerCase() };
      });
      apply();
    };
    document.head.appendChild(script);
  }

  function apply() {
    var terms = words(), shown = 0;
    cards.forEach(function (card) {
      var ok = matches(card.text, terms);
      card.el.hidden = !ok;
      shown += ok ? 1 : 0;
    });
    topics.forEach(function (topic) { topic.hidden = !topic.querySelector(".site-card:not([hidden])"); });
    var pagers = document.querySelectorAll(".site-pager");
    if (pagers.length > 1) pagers[pagers.length - 1].hidden = shown === 0;   // no second pager under nothing
    elsewhere.textContent = "";
    elsewhere.hidden = true;
    if (!terms.length) { status.textContent = ""; return; }
    var message = shown + " of " + cards.length + " cards on this page match";
    if (index) {
      var others = index.filter(function (row) { return row.href !== here && matches(row.low, terms); });
      message += "; " + others.length + " on other pages";
      others.slice(0, 50).forEach(function (row) {
        var item = document.createElement("li"), link = document.createElement("a");
        link.href = row.href + "#" + row.id;
        link.textContent = row.label.length > 120 ? row.label.slice(0, 119) + "…" : row.label;
        item.appendChild(link);
        item.appendChild(document.createTextNode(" (page " + row.page + ")"));
        elsewhere.appendChild(item);
      });
      if (others.length > 50) {
        var more = document.createElement("li");
        more.textContent = "… and " + (others.length - 50) + " more: add a word to narrow the search.";
        elsewhere.appendChild(more);
      }
      elsewhere.hidden = !others.length;
    }
    status.textContent = message + ".";
  }

  box.addEventListener("input", function () {
    loadIndex();
    clearTimeout(timer);
    timer = setTimeout(apply, 120);
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { box.value = ""; apply(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== box && !/INPUT|TEXTAREA/.test(document.activeElement.tagName)) {
      event.preventDefault();
      box.focus();
    }
  });
})();
