// The review page: lists the flags, filters them, keeps decisions in localStorage and
// writes them out as a corrections file. Every document text goes through textContent,
// never through markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("flag-data").textContent);
  var images = JSON.parse(document.getElementById("flag-images").textContent);
  var KEY = "jixiao-review:" + data.page_id;
  var state = {};
  try { state = JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { state = {}; }
  var reviewer = document.getElementById("reviewer");
  reviewer.value = localStorage.getItem("jixiao-review:reviewer") || "";
  reviewer.addEventListener("change", function () { localStorage.setItem("jixiao-review:reviewer", reviewer.value); });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function save() { localStorage.setItem(KEY, JSON.stringify(state)); }
  function where(f) {
    var parts = [];
    if (f.page !== null) parts.push("第" + f.page + "页 p." + f.page);
    if (f.table !== null) parts.push("表" + (f.table + 1) + " 行" + (f.row + 1) + " 列" + (f.col + 1));
    if (f.line) parts.push("第" + f.line + "行 line " + f.line);
    return parts.join(" · ");
  }
  function sevLabel(s) { return {error: "错误 error", warning: "警告 warning", info: "提示 info"}[s] || s; }
  function decisionOf(f) { return (state[f.id] && state[f.id].decision) || "pending"; }

  // ---------------------------------------------------------------- the place
  function place(f, doc) {
    var box = el("div", "place");
    if (f.img) {
      var img = el("img");
      img.alt = "第" + f.page + "页 " + f.text;
      img.dataset.id = f.id;
      img.width = 560;
      box.appendChild(img);
      if (!f.located) box.appendChild(el("div", "note", "未在页面图像中定位到该处，显示页首 (place not found on the page image)"));
    }
    if (f.excerpt && f.excerpt.lines) {
      var pre = el("pre", "src");
      f.excerpt.lines.forEach(function (line) {
        pre.appendChild(el("span", "ln", String(line.n).padStart(5, " ") + " | "));
        line.parts.forEach(function (p) { pre.appendChild(p[1] ? el("mark", null, p[0]) : document.createTextNode(p[0])); });
        pre.appendChild(document.createTextNode("\n"));
      });
      if (!f.img) box.appendChild(pre); else { var d = el("details"); d.appendChild(el("summary", null, "原文 source text")); d.appendChild(pre); box.appendChild(d); }
    } else if (f.excerpt && f.excerpt.grid) {
      var t = el("table", "grid");
      f.excerpt.grid.rows.forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("td", "rn", row.r + 1));
        row.cells.forEach(function (c) { var td = el("td", c[1] ? "hit" : null, c[0]); td.title = c[0]; tr.appendChild(td); });
        t.appendChild(tr);
      });
      if (!f.img) box.appendChild(t); else { var d2 = el("details"); d2.appendChild(el("summary", null, "表格 table cells")); d2.appendChild(t); box.appendChild(d2); }
    }
    if (!f.img && !f.excerpt) {
      box.appendChild(el("div", "note", "原文不可用 source not available" + (doc.missing ? "：" + doc.missing : "")));
      var only = el("pre", "src"); only.appendChild(el("mark", null, f.text)); box.appendChild(only);
    }
    return box;
  }

  // ---------------------------------------------------------------- one flag
  function card(f, doc) {
    var c = el("article", "flag");
    c.id = "flag-" + f.id;
    c.dataset.id = f.id;
    var left = el("div");
    var head = el("div");
    head.appendChild(el("span", "badge sev-" + f.severity, sevLabel(f.severity)));
    head.appendChild(el("span", "code", f.code));
    head.appendChild(el("span", "where", where(f)));
    left.appendChild(head);
    left.appendChild(el("p", "msg", f.message));
    if (f.message_en) left.appendChild(el("p", "msg-en", f.message_en));
    if (f.evidence && f.evidence.length) {
      left.appendChild(el("div", "where", "依据 evidence:"));
      var ul = el("ul", "evidence");
      f.evidence.forEach(function (e) {
        var li = el("li", null, e.text);
        var loc = [];
        if (e.doc) loc.push(e.doc);
        if (e.page !== null && e.page !== undefined) loc.push("p." + e.page);
        if (e.table !== null && e.table !== undefined) loc.push("表" + (e.table + 1) + " 行" + (e.row + 1) + " 列" + (e.col + 1));
        if (loc.length) li.appendChild(el("span", "where", loc.join(" · ")));
        ul.appendChild(li);
      });
      left.appendChild(ul);
    }
    var fix = el("p", "fix");
    fix.appendChild(document.createTextNode("原文 stated: "));
    fix.appendChild(el("span", "stated", f.text));
    if (f.suggestion && f.suggestion.text) {
      fix.appendChild(document.createTextNode("  →  建议 fix: "));
      fix.appendChild(el("b", null, f.suggestion.text));
    } else {
      fix.appendChild(document.createTextNode("  （无自动建议 no automatic fix）"));
    }
    left.appendChild(fix);
    var actions = el("div", "actions");
    var acc = el("button", "accept", "接受 accept"); acc.type = "button";
    var rej = el("button", "reject", "拒绝 reject"); rej.type = "button";
    var edit = el("input", "edit"); edit.placeholder = "改为… corrected value";
    edit.value = (state[f.id] && state[f.id].corrected) || (f.suggestion && f.suggestion.text) || f.text;
    var saveEdit = el("button", "save-edit", "修改 edit"); saveEdit.type = "button";
    var status = el("span", "status");
    actions.appendChild(acc); actions.appendChild(rej); actions.appendChild(edit); actions.appendChild(saveEdit); actions.appendChild(status);
    left.appendChild(actions);
    function show() {
      var d = decisionOf(f);
      c.classList.remove("accept", "reject", "edit");
      if (d !== "pending") c.classList.add(d);
      var s = state[f.id];
      status.textContent = d === "pending" ? "待审 pending" :
        ({accept: "已接受 accepted", reject: "已拒绝 rejected", edit: "已修改 edited"}[d] + (s.corrected ? "：" + s.corrected : "") +
         (s.reviewer ? " · " + s.reviewer : "") + " · " + s.at);
    }
    function decide(decision, corrected) {
      state[f.id] = {decision: decision, corrected: corrected, reviewer: reviewer.value, at: new Date().toISOString()};
      save(); show(); update();
    }
    acc.addEventListener("click", function () { decide("accept", f.suggestion && f.suggestion.text ? f.suggestion.text : ""); });
    rej.addEventListener("click", function () { decide("reject", ""); });
    saveEdit.addEventListener("click", function () { decide("edit", edit.value.trim()); });
    show();
    c.appendChild(left);
    c.appendChild(place(f, doc));
    return c;
  }

  // ---------------------------------------------------------------- the list
  var main = document.getElementById("flags");
  var cards = [];
  var byDoc = {};
  data.flags.forEach(function (f) { (byDoc[f.d] = byDoc[f.d] || []).push(f); });
  Object.keys(byDoc).map(Number).sort(function (a, b) { return a - b; }).forEach(function (di) {
    var doc = data.docs[di];
    var sec = el("section", "doc");
    var h = el("h2", null, doc.path);
    var meta = [doc.department, doc.year ? doc.year + "年" : null, doc.title].filter(Boolean).join(" · ");
    h.appendChild(el("small", null, meta));
    sec.appendChild(h);
    var byCode = {};
    byDoc[di].forEach(function (f) { (byCode[f.code] = byCode[f.code] || []).push(f); });
    Object.keys(byCode).sort().forEach(function (code) {
      var g = el("div", "codegroup");
      g.appendChild(el("h3", null, code + " × " + byCode[code].length));
      byCode[code].forEach(function (f) { var c = card(f, doc); cards.push({f: f, doc: doc, el: c, group: g, sec: sec}); g.appendChild(c); });
      sec.appendChild(g);
    });
    main.appendChild(sec);
  });

  // ---------------------------------------------------------------- filters with counts
  var FILTERS = {
    code: function (x) { return x.f.code; },
    severity: function (x) { return x.f.severity; },
    department: function (x) { return x.doc.department || "（未知 unknown）"; },
    year: function (x) { return x.doc.year ? String(x.doc.year) : "（未知 unknown）"; },
    decision: function (x) { return decisionOf(x.f); }
  };
  var selects = {};
  Object.keys(FILTERS).forEach(function (k) {
    selects[k] = document.getElementById("filter-" + k);
    selects[k].addEventListener("change", update);
  });
  function matches(x, skip) {
    return Object.keys(FILTERS).every(function (k) {
      return k === skip || !selects[k].value || FILTERS[k](x) === selects[k].value;
    });
  }
  function fillOptions(k) {
    var sel = selects[k], current = sel.value, counts = {};
    cards.forEach(function (x) { if (matches(x, k)) { var v = FILTERS[k](x); counts[v] = (counts[v] || 0) + 1; } });
    cards.forEach(function (x) { var v = FILTERS[k](x); if (!(v in counts)) counts[v] = 0; });
    if (current && !(current in counts)) counts[current] = 0;
    var total = Object.keys(counts).reduce(function (s, v) { return s + counts[v]; }, 0);
    while (sel.firstChild) sel.removeChild(sel.firstChild);
    var all = el("option", null, "全部 all (" + total + ")"); all.value = ""; sel.appendChild(all);
    Object.keys(counts).sort().forEach(function (v) {
      var o = el("option", null, v + " (" + counts[v] + ")"); o.value = v; o.dataset.count = counts[v]; sel.appendChild(o);
    });
    sel.value = current;
  }
  function update() {
    var shown = 0;
    cards.forEach(function (x) { var on = matches(x); x.el.classList.toggle("hidden", !on); if (on) shown++; });
    cards.forEach(function (x) {
      x.group.classList.toggle("hidden", !x.group.querySelector("article.flag:not(.hidden)"));
      x.sec.classList.toggle("hidden", !x.sec.querySelector("article.flag:not(.hidden)"));
    });
    Object.keys(FILTERS).forEach(fillOptions);
    document.getElementById("shown").textContent = String(shown);
    document.getElementById("decided").textContent = String(Object.keys(state).filter(function (id) { return ids[id]; }).length);
  }
  var ids = {};
  data.flags.forEach(function (f) { ids[f.id] = f; });
  document.getElementById("total").textContent = String(data.flags.length);

  // ---------------------------------------------------------------- images when seen
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        var img = entry.target;
        img.src = images[img.dataset.id];
        observer.unobserve(img);
      }
    });
  }, {rootMargin: "600px 0px"});
  document.querySelectorAll(".place img[data-id]").forEach(function (img) { observer.observe(img); });

  // ---------------------------------------------------------------- the corrections file
  var FIELDS = ["flag_id", "doc", "doc_id", "code", "severity", "page", "start", "end", "table", "row", "col",
                "text", "suggested", "decision", "corrected", "reviewer", "decided_at"];
  function records() {
    return data.flags.filter(function (f) { return state[f.id]; }).map(function (f) {
      var s = state[f.id], doc = data.docs[f.d];
      return {flag_id: f.id, doc: doc.path, doc_id: doc.doc_id, code: f.code, severity: f.severity, page: f.page,
              start: f.start, end: f.end, table: f.table, row: f.row, col: f.col, text: f.text,
              suggested: f.suggestion && f.suggestion.text ? f.suggestion.text : null, decision: s.decision,
              corrected: s.corrected || null, reviewer: s.reviewer || null, decided_at: s.at};
    });
  }
  function csvCell(v) {
    if (v === null || v === undefined) return "";
    var s = String(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function download(name, type, text) {
    var a = el("a");
    a.href = URL.createObjectURL(new Blob([text], {type: type}));
    a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  }
  document.getElementById("download-csv").addEventListener("click", function () {
    var lines = [FIELDS.join(",")].concat(records().map(function (r) { return FIELDS.map(function (k) { return csvCell(r[k]); }).join(","); }));
    download("corrections.csv", "text/csv;charset=utf-8", "\ufeff" + lines.join("\r\n") + "\r\n");
  });
  document.getElementById("download-json").addEventListener("click", function () {
    download("corrections.json", "application/json", JSON.stringify({corrections: records()}, null, 1));
  });
  document.getElementById("clear").addEventListener("click", function () {
    if (window.confirm("清除本页全部审核结果？ Clear every decision on this page?")) { state = {}; save(); location.reload(); }
  });
  update();
})();
