// The leaflet editor: problems at their lines and the pages while one types, the toolbar, and
// jumping to a problem's line. Nothing here saves: the form's button does.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var text = document.getElementById("text");
  if (!form || !text) { return; }
  var problems = document.getElementById("problems");
  var pages = document.getElementById("pages");
  var busy = document.getElementById("preview-busy");
  var checkTimer = null, previewTimer = null, previewing = 0;

  function post(url) {
    return fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin",
                       headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); });
  }

  function lineOffset(line) {
    var lines = text.value.split("\n"), offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { offset += lines[i].length + 1; }
    return [offset, offset + (lines[line - 1] || "").length];
  }

  function gotoLine(line) {
    var range = lineOffset(line);
    text.focus();
    text.setSelectionRange(range[0], range[1]);
    var height = text.scrollHeight / Math.max(1, text.value.split("\n").length);
    text.scrollTop = Math.max(0, (line - 3) * height);
  }

  function showProblems(list) {
    problems.textContent = "";
    if (!list.length) {
      var ok = document.createElement("li");
      ok.className = "ok";
      ok.textContent = problems.dataset.none;
      problems.appendChild(ok);
      return;
    }
    list.forEach(function (problem) {
      var item = document.createElement("li");
      if (problem.line) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.dataset.goto = problem.line;
        button.textContent = problems.dataset.lineWord + " " + problem.line;
        item.appendChild(button);
        item.appendChild(document.createTextNode(": "));
      }
      item.appendChild(document.createTextNode(problem.text));
      if (problem.detail) {
        var detail = document.createElement("span");
        detail.className = "detail";
        detail.lang = "en";
        detail.textContent = " " + problem.detail;
        item.appendChild(detail);
      }
      problems.appendChild(item);
    });
  }

  function showPages(list) {
    if (!list.length) { return; }            // problems: the last good pages stay
    pages.textContent = "";
    list.forEach(function (src, index) {
      var image = document.createElement("img");
      image.src = src;
      image.alt = pages.dataset.alt + " " + (index + 1);
      pages.appendChild(image);
    });
  }

  function check() {
    post(form.dataset.check).then(function (answer) { showProblems(answer.problems); }).catch(function () {});
  }

  function preview() {
    var mine = ++previewing;
    busy.hidden = false;
    post(form.dataset.preview).then(function (answer) {
      if (mine !== previewing) { return; }   // a newer text is on its way
      busy.hidden = true;
      showProblems(answer.problems);
      showPages(answer.pages);
    }).catch(function () { busy.hidden = true; });
  }

  function changed() {
    clearTimeout(checkTimer);
    clearTimeout(previewTimer);
    checkTimer = setTimeout(check, 300);
    previewTimer = setTimeout(preview, 1200);
  }

  text.addEventListener("input", changed);
  problems.addEventListener("click", function (event) {
    var line = event.target.dataset && event.target.dataset.goto;
    if (line) { gotoLine(parseInt(line, 10)); }
  });

  document.querySelectorAll(".toolbar button").forEach(function (button) {
    button.addEventListener("click", function () {
      var start = text.selectionStart, end = text.selectionEnd, value = text.value;
      if (button.dataset.line) {
        var lineStart = value.lastIndexOf("\n", start - 1) + 1;
        text.value = value.slice(0, lineStart) + button.dataset.line + value.slice(lineStart);
        text.setSelectionRange(start + button.dataset.line.length, end + button.dataset.line.length);
      } else {
        var mark = button.dataset.wrap;
        text.value = value.slice(0, start) + mark + value.slice(start, end) + mark + value.slice(end);
        text.setSelectionRange(start + mark.length, end + mark.length);
      }
      text.focus();
      changed();
    });
  });

  preview();
})();
