// The search box answers as one types (htmx asks /search for the list only); its own "change"
// event (on leaving the box) is kept from the staff form, which would otherwise make the whole
// page again for it.
document.addEventListener("change", function (event) {
  "use strict";
  if (event.target && event.target.id === "q") {
    event.stopPropagation();
  }
}, true);

// The patient pack's button is off while no leaflet is ticked (without this file, the page says
// so when it is pressed).
(function () {
  "use strict";
  function update(form) {
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = !form.querySelector("input[name=leaflet]:checked");
    }
  }
  function updateAll() {
    document.querySelectorAll("form[data-pack]").forEach(update);
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-pack]") : null;
    if (form) {
      update(form);
    }
  });
  document.addEventListener("DOMContentLoaded", updateAll);
  document.addEventListener("htmx:afterSettle", updateAll);
  window.addEventListener("pageshow", updateAll);     // back to the page: ticks as the browser kept them
})();

// The staff app works without this file: "Printen" then opens the PDF in the browser's own viewer,
// in a new tab, to print from there. With it, in a browser that shows PDFs itself, the PDF is
// loaded out of sight and the print dialog opens at once. A browser driven by a program
// (navigator.webdriver) keeps the plain link: headless Chromium crashes printing a PDF in a frame.
(function () {
  "use strict";
  if (!navigator.pdfViewerEnabled || navigator.webdriver) {
    return;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-print]") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    var old = document.querySelector("iframe.print-frame");
    if (old) {
      old.remove();
    }
    var frame = document.createElement("iframe");
    frame.className = "print-frame";
    frame.title = link.textContent;
    frame.addEventListener("load", function () {
      try {
        frame.contentWindow.focus();
        frame.contentWindow.print();
      } catch (error) {
        window.open(link.href, "_blank", "noopener");   // the browser cannot print it in place
      }
    });
    frame.src = link.href;
    document.body.appendChild(frame);
  });
})();
