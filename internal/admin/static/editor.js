// The instrument editor's enhancements; the page works without them.
// - A problem listed with a line and column moves the editor's cursor
//   there (without the script, the link still leads to the editor).
// - Live check: while typing, the text is posted to the check route
//   (stores nothing) and its problems are listed, each a link to its
//   place, with the item's id.
// - Live preview: when the text is valid, its first respondent page is
//   loaded into the preview frame (a POST of the text; stores nothing).
(function () {
  function moveTo(ta, line, col) {
    var lines = ta.value.split("\n"), pos = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    if (line - 1 < lines.length) pos += Math.min(col - 1, lines[line - 1].length);
    ta.focus();
    ta.setSelectionRange(pos, pos);
    var lh = parseFloat(getComputedStyle(ta).lineHeight) || 20;
    ta.scrollTop = Math.max(0, (line - 3) * lh);
    ta.scrollIntoView({block: "nearest"});
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-line]");
    var ta = document.getElementById("source");
    if (!a || !ta) return;
    e.preventDefault();
    moveTo(ta, Number(a.dataset.line), Number(a.dataset.column) || 1);
  });

  var form = document.getElementById("editor-form");
  var ta = document.getElementById("source");
  var out = document.getElementById("live-check");
  if (!form || !ta || !out || !window.fetch) return;
  var csrf = form.querySelector("input[name=_csrf]").value;
  var pane = document.getElementById("preview-pane");
  var timer = null, seq = 0, lastPreviewed = null;

  function text(tag, s, cls) {
    var el = document.createElement(tag);
    el.textContent = s;
    if (cls) el.className = cls;
    return el;
  }
  // The words come from the dashboard's catalog, in the live check's
  // data attributes: plural forms by CLDR category, "#" for the number.
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "en") : null;
  function count(attr, n) {
    var forms = {};
    try { forms = JSON.parse(out.dataset[attr] || "{}"); } catch (e) {}
    var s = forms[rules ? rules.select(n) : (n === 1 ? "one" : "other")] || forms.other || "#";
    return s.replace("#", String(n));
  }
  function show(res) {
    out.textContent = "";
    if (res.valid) {
      out.appendChild(text("p", count("ok", res.items), "ok"));
      preview();
      return;
    }
    var n = res.problems.length;
    out.appendChild(text("p", count("problems", n)));
    var ol = document.createElement("ol");
    ol.className = "problems";
    res.problems.forEach(function (p) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#source";
      if (p.line) { a.dataset.line = p.line; a.dataset.column = p.column || 1; }
      var s = "";
      if (p.path) s += p.path + ": ";
      if (p.line) s += (out.dataset.place || "%L:%C:").replace("%L", p.line).replace("%C", p.column) + " ";
      s += p.message;
      if (p.item) s += " " + (out.dataset.item || "(") + " " + p.item + ")";
      a.textContent = s;
      li.appendChild(a);
      ol.appendChild(li);
    });
    out.appendChild(ol);
  }
  function check() {
    var mine = ++seq;
    var body = new URLSearchParams();
    body.set("_csrf", csrf);
    body.set("source", ta.value);
    fetch(form.dataset.check, {method: "POST", body: body, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (res) { if (res && mine === seq) show(res); })
      .catch(function () {});
  }
  // The preview: a form posted into the frame, so the frame's page is
  // the respondent page itself and its buttons go on from there.
  function preview() {
    if (!pane || ta.value === lastPreviewed) return;
    lastPreviewed = ta.value;
    pane.hidden = false;
    var f = document.createElement("form");
    f.method = "post";
    f.action = form.dataset.preview;
    f.target = "live-preview";
    f.hidden = true;
    [["_csrf", csrf], ["source", ta.value]].forEach(function (kv) {
      var i = document.createElement("textarea");
      i.name = kv[0];
      i.value = kv[1];
      f.appendChild(i);
    });
    document.body.appendChild(f);
    f.submit();
    f.remove();
  }
  ta.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 500);
  });
  if (ta.value.trim() !== "") check();
})();
