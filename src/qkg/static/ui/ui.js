/* qkg query UI: YASGUI on /sparql, with the stored queries as ready examples.
 *
 * The configuration (endpoint, prefixes, catalog URL) is inlined by the server in
 * #qkg-config. Nothing here talks to any host but the page's own: YASQE's prefix.cc and
 * LOV lookups stay off (prefixCcApi unset; only the bundled "prefixes" and the
 * "variables" autocompleters are enabled).
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("qkg-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var prologue = Object.keys(config.prefixes).map(function (p) {
    return "PREFIX " + p + ": <" + config.prefixes[p] + ">";
  }).join("\n");
  var example = prologue + "\n\n# Every event, with its label, earliest first\n" +
    "SELECT ?event ?label ?start WHERE {\n  ?event a qkg:Event ; rdfs:label ?label .\n" +
    "  OPTIONAL { ?event qkg:earliestStart ?start }\n  FILTER(LANGMATCHES(LANG(?label), \"en\"))\n}\n" +
    "ORDER BY ?start\nLIMIT 50\n";

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    persistenceId: "qkg-ui",
    copyEndpointOnNewTab: true,
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { value: example, autocompleters: ["prefixes", "variables"], prefixCcApi: null },
  });
  window.qkgYasgui = yasgui;

  var byName = {};
  var select = document.getElementById("stored-query");
  var form = document.getElementById("stored-form");
  var params = document.getElementById("stored-params");
  var errorEl = document.getElementById("stored-error");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function values() {
    var out = new URLSearchParams();
    params.querySelectorAll("[name]").forEach(function (input) {
      if (input.value !== "") out.append(input.name, input.value);
    });
    return out;
  }

  function showQuery(name) {
    var q = byName[name];
    params.textContent = "";
    errorEl.textContent = "";
    document.getElementById("stored-summary").textContent = q ? q.summary : "";
    form.hidden = !q;
    if (!q) return;
    q.parameters.forEach(function (p) {
      var label = el("label", { title: p.description || p.type });
      label.appendChild(el("span", p.required && p.default === null ? { class: "required" } : {}, p.name + " (" + p.type + ")"));
      var input;
      if (p.enumerate && p.enumerate.length) {
        input = el("select", { name: p.name });
        if (!p.required) input.appendChild(el("option", { value: "" }, "(any)"));
        p.enumerate.forEach(function (v) { input.appendChild(el("option", { value: v }, v)); });
      } else {
        input = el("input", { name: p.name, type: p.type === "xsd_date" ? "date" : "text",
                              placeholder: p.description || p.type });
      }
      if (p.default !== null) input.value = p.default;
      label.appendChild(input);
      params.appendChild(label);
    });
    updateLink();
  }

  function updateLink() {
    var q = byName[select.value];
    if (!q) return;
    var link = document.getElementById("stored-api");
    var suffix = q.form === "graph" ? ".ttl" : ".csv";
    var qs = values().toString();
    link.href = q.url + suffix + (qs ? "?" + qs : "");
    link.textContent = q.form === "graph" ? "as Turtle" : "as CSV";
  }

  function findTab(name) {
    var found = null;
    Object.keys(yasgui._tabs).forEach(function (id) {
      var tab = yasgui._tabs[id];
      if (tab && tab.getName && tab.getName() === name) found = tab;
    });
    return found;
  }

  function open(run) {
    var q = byName[select.value];
    if (!q) return;
    errorEl.textContent = "";
    var qs = values().toString();
    fetch(q.url + "/sparql" + (qs ? "?" + qs : ""), { headers: { Accept: "application/sparql-query" } })
      .then(function (resp) {
        return resp.text().then(function (body) {
          if (!resp.ok) {
            var message = body;
            try { message = JSON.parse(body).error; } catch (e) { /* plain text */ }
            throw new Error(message);
          }
          return body;
        });
      })
      .then(function (text) {
        var tab = findTab(q.name);
        if (tab) {
          yasgui.selectTabId(tab.getId());
        } else {
          tab = yasgui.addTab(true, { name: q.name, yasqe: { value: text }, requestConfig: { endpoint: endpoint } });
        }
        tab.show();
        tab.setQuery(text);
        if (run) tab.query();
      })
      .catch(function (err) { errorEl.textContent = err.message; });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); open(true); });
  form.addEventListener("input", updateLink);
  document.getElementById("stored-open").addEventListener("click", function () { open(false); });
  select.addEventListener("change", function () { showQuery(select.value); });

  if (config.queries) {
    fetch(config.queries).then(function (resp) { return resp.json(); }).then(function (data) {
      var groups = {};
      data.queries.forEach(function (q) {
        byName[q.name] = q;
        var tag = (q.tags && q.tags[0]) || "queries";
        if (!groups[tag]) {
          groups[tag] = el("optgroup", { label: tag });
          select.appendChild(groups[tag]);
        }
        groups[tag].appendChild(el("option", { value: q.name }, q.name + " — " + q.summary));
      });
      document.getElementById("stored").hidden = false;
    });
  }
})();
