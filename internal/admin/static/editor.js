// The instrument editor's one enhancement: a problem listed with a line
// and column moves the editor's cursor there. Without it, the link still
// leads to the editor.
document.addEventListener("click", function (e) {
  var a = e.target.closest("a[data-line]");
  var ta = document.getElementById("source");
  if (!a || !ta) return;
  e.preventDefault();
  var line = Number(a.dataset.line), col = Number(a.dataset.column) || 1;
  var lines = ta.value.split("\n"), pos = 0;
  for (var i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
  if (line - 1 < lines.length) pos += Math.min(col - 1, lines[line - 1].length);
  ta.focus();
  ta.setSelectionRange(pos, pos);
  var lh = parseFloat(getComputedStyle(ta).lineHeight) || 20;
  ta.scrollTop = Math.max(0, (line - 3) * lh);
  ta.scrollIntoView({block: "nearest"});
});
