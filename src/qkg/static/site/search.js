/* qkg site search: filters the index in search-index.js (window.QKG_SEARCH), offline. */
(function () {
  "use strict";
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var index = window.QKG_SEARCH;
  if (!input || !list || !index) { return; }
  var root = document.body.getAttribute("data-root") || "";
  var limit = 20;

  function norm(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var entries = index.map(function (e) {
    var names = [e.l].concat(e.a || []).map(norm);
    return { entry: e, label: names[0], names: names, text: norm(names.concat([e.t || "", e.i]).join(" ")) };
  });

  /* 0: a name is the query, 1: a name starts with it, 2: a name contains it, 3: other fields do */
  function rank(x, q) {
    var best = 3;
    x.names.forEach(function (n) {
      var r = n === q ? 0 : n.indexOf(q) === 0 ? 1 : n.indexOf(q) >= 0 ? 2 : 3;
      if (r < best) { best = r; }
    });
    return best;
  }

  function search(query) {
    var words = norm(query).split(/\s+/).filter(Boolean);
    if (!words.length) { return []; }
    var q = words.join(" ");
    var hits = entries.filter(function (x) {
      return words.every(function (w) { return x.text.indexOf(w) >= 0; });
    });
    hits.sort(function (a, b) {
      return rank(a, q) - rank(b, q) || a.label.length - b.label.length || a.label.localeCompare(b.label);
    });
    return hits.slice(0, limit);
  }

  function render(hits) {
    list.textContent = "";
    hits.forEach(function (hit, i) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + hit.entry.u;
      a.textContent = hit.entry.l;
      if (i === 0) { a.className = "active"; }
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.entry.t || "";
      a.appendChild(kind);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = hits.length === 0;
  }

  input.addEventListener("input", function () { render(search(input.value)); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var first = list.querySelector("a");
      if (first) { window.location.href = first.href; }
    } else if (event.key === "Escape") {
      list.hidden = true;
    }
  });
  document.addEventListener("click", function (event) {
    if (!list.contains(event.target) && event.target !== input) { list.hidden = true; }
  });
}());
