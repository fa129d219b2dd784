// The staff app works without this file; it only makes "Print" print instead of opening the PDF.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-print]") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
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
