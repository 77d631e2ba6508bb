/* A small offline renderer of /api/openapi.json: every GET operation with its
 * description and parameters as a form that calls it and shows the answer and the
 * equivalent curl command. Only the OpenAPI subset qkg writes is rendered.
 */
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function mediaTypes(op) {
    var ok = (op.responses || {})["200"] || {};
    return Object.keys(ok.content || {});
  }

  function paramInput(p) {
    var schema = p.schema || {};
    var input;
    if (schema.enum) {
      input = el("select", { name: p.name });
      if (!p.required) input.appendChild(el("option", { value: "" }, ["(any)"]));
      schema.enum.forEach(function (v) { input.appendChild(el("option", { value: v }, [String(v)])); });
    } else {
      input = el("input", { name: p.name, type: schema.format === "date" ? "date" : "text" });
    }
    if (schema["default"] !== undefined) input.value = schema["default"];
    return input;
  }

  function render(path, op) {
    var card = el("details", { class: "op", id: op.operationId });
    card.appendChild(el("summary", {}, [el("span", { class: "method" }, ["GET"]),
      el("span", { class: "path" }, [path]), " — " + (op.summary || "")]));
    var body = el("div", { class: "body" });
    (op.description || "").split("\n\n").forEach(function (para) { body.appendChild(el("p", {}, [para])); });
    var form = el("form", {});
    var params = op.parameters || [];
    if (params.length) {
      var table = el("table", {}, [el("tr", {}, [el("th", {}, ["parameter"]), el("th", {}, ["value"]),
        el("th", {}, ["description"])])]);
      params.forEach(function (p) {
        table.appendChild(el("tr", {}, [el("td", {}, [p.name + (p.required ? " *" : "")]),
          el("td", {}, [paramInput(p)]), el("td", {}, [p.description || ""])]));
      });
      form.appendChild(table);
    }
    var accept = el("select", { name: "__accept" });
    mediaTypes(op).forEach(function (m) { accept.appendChild(el("option", { value: m }, [m])); });
    form.appendChild(el("label", {}, ["Accept ", accept]));
    form.appendChild(el("button", { type: "submit" }, ["Call"]));
    var curl = el("p", { class: "curl" });
    var status = el("p", { class: "status" });
    var out = el("pre", {});
    form.appendChild(curl);
    form.appendChild(status);
    form.appendChild(out);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var qs = new URLSearchParams();
      form.querySelectorAll("[name]").forEach(function (input) {
        if (input.name !== "__accept" && input.value !== "") qs.append(input.name, input.value);
      });
      var url = path + (qs.toString() ? "?" + qs.toString() : "");
      var absolute = new URL(url, window.location.href).href;
      curl.textContent = "curl -H 'Accept: " + accept.value + "' '" + absolute + "'";
      fetch(url, { headers: { Accept: accept.value } }).then(function (resp) {
        status.textContent = resp.status + " " + resp.statusText +
          (resp.headers.get("X-Qkg-Truncated") ? " (truncated by the row limit)" : "");
        return resp.text();
      }).then(function (text) {
        try { text = JSON.stringify(JSON.parse(text), null, 1); } catch (e) { /* not JSON */ }
        out.textContent = text;
      }).catch(function (err) { status.textContent = String(err); });
    });
    body.appendChild(form);
    card.appendChild(body);
    return card;
  }

  fetch("/api/openapi.json").then(function (resp) { return resp.json(); }).then(function (doc) {
    var intro = document.getElementById("api-intro");
    intro.textContent = "";
    intro.appendChild(el("strong", {}, [doc.info.title + " " + doc.info.version]));
    intro.appendChild(document.createTextNode(" — " + doc.info.description + " "));
    intro.appendChild(el("a", { href: "/api/openapi.json" }, ["OpenAPI " + doc.openapi + " document"]));
    var sections = {};
    var root = document.getElementById("api-ops");
    Object.keys(doc.paths).forEach(function (path) {
      var op = doc.paths[path].get;
      if (!op) return;
      var tag = (op.tags && op.tags[0]) || "other";
      if (!sections[tag]) {
        sections[tag] = el("section", {}, [el("h2", {}, [tag])]);
        root.appendChild(sections[tag]);
      }
      sections[tag].appendChild(render(path, op));
    });
  }).catch(function (err) {
    document.getElementById("api-intro").textContent = "Could not load the OpenAPI document: " + err;
  });
})();
