"""A table readers can search and sort in the browser, with no third-party script.

:func:`searchable` wraps a :func:`csam_reporting.present.tables.show_table` table in a search box and adds a
small hand-written script, inline in the page's own output (so it loads on that page only, never
from ``_static/`` on every page). Without JavaScript the full table, and its CSV download, still
show. The script filters rows by the text typed (all words must match) and sorts by any column when
its header button is pressed (numbers as numbers, missing values last).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .tables import BookTable

# Kept small and dependency-free on purpose; the browser test (tests/book/test_lookup_page.py) drives it.
_SCRIPT = """
(function () {
  var root = document.getElementById(%(id)s);
  if (!root) { return; }
  var input = root.querySelector("input[type=search]");
  var status = root.querySelector(".lookup-status");
  var table = root.querySelector("table");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  // Select filters for the columns named in data-facets, built here so the page without JavaScript
  // shows the full table and no control that does nothing.
  var selects = [];
  var facetNames = (root.getAttribute("data-facets") || "").split("|").filter(Boolean);
  var facetBox = root.querySelector(".lookup-facets");
  facetNames.forEach(function (name, k) {
    var index = heads.map(function (th) { return th.textContent.trim(); }).indexOf(name);
    if (index < 0 || !facetBox) { return; }
    var values = [];
    rows.forEach(function (row) {
      var v = text(row, index);
      if (values.indexOf(v) === -1) { values.push(v); }
    });
    values.sort(function (a, b) { return a.localeCompare(b); });
    var id = root.id + "-facet-" + k;
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = name;
    var select = document.createElement("select");
    select.id = id;
    var all = document.createElement("option");
    all.value = "";
    all.textContent = "all";
    select.appendChild(all);
    values.forEach(function (v) {
      var option = document.createElement("option");
      option.value = v;
      option.textContent = v;
      select.appendChild(option);
    });
    select.addEventListener("change", filter);
    facetBox.appendChild(label);
    facetBox.appendChild(document.createTextNode(" "));
    facetBox.appendChild(select);
    facetBox.appendChild(document.createTextNode(" "));
    selects.push({index: index, select: select});
  });
  function text(row, i) { return row.cells[i].textContent.trim(); }
  function number(value) {
    var n = parseFloat(value.replace(/,/g, ""));
    return isNaN(n) ? null : n;
  }
  function filter() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var hay = row.textContent.toLowerCase();
      var hit = words.every(function (w) { return hay.indexOf(w) !== -1; }) &&
        selects.every(function (f) { return !f.select.value || text(row, f.index) === f.select.value; });
      row.hidden = !hit;
      if (hit) { shown += 1; }
    });
    status.textContent = shown + " of " + rows.length + " rows shown";
  }
  heads.forEach(function (th, i) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "lookup-sort";
    button.textContent = th.textContent;
    button.setAttribute("style", "background:none;border:0;padding:0;font:inherit;color:inherit;" +
                        "cursor:pointer;text-decoration:underline dotted;text-align:inherit");
    th.textContent = "";
    th.appendChild(button);
    th.setAttribute("aria-sort", "none");
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var numeric = th.classList.contains("num");
      rows.sort(function (a, b) {
        var x = text(a, i), y = text(b, i);
        if (numeric) {
          x = number(x); y = number(y);
          if (x === null || y === null) { return (x === null) - (y === null); }
          return ascending ? x - y : y - x;
        }
        return ascending ? x.localeCompare(y) : y.localeCompare(x);
      });
      rows.forEach(function (row) { body.appendChild(row); });
      status.textContent = status.textContent.replace(/; sorted.*$/, "") + "; sorted by " +
        button.textContent + (ascending ? ", ascending" : ", descending");
    });
  });
  input.addEventListener("input", filter);
  filter();
})();
"""


@dataclass(frozen=True)
class SearchableTable:
    """A table with a search box and sortable columns, for a notebook cell's output."""

    html: str
    table: BookTable

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"Searchable table: {self.table.caption}"


def searchable(table: BookTable, *, element_id: str, label: str, facets: tuple[str, ...] = ()) -> SearchableTable:
    """Wrap ``table`` with a search box labelled ``label`` and the sorting script. ``facets`` names
    column headers that also get a select filter (exact value), built by the script."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", element_id):
        raise ValueError(f"element_id must be a lowercase html id, got {element_id!r}")
    field = f"{element_id}-search"
    parts = [
        f'<div class="lookup" id="{element_id}" data-facets="{html.escape("|".join(facets))}">',
        f'<p><label for="{field}">{html.escape(label)}</label> ',
        f'<input type="search" id="{field}" autocomplete="off" style="max-width:100%;min-width:14em"> ',
        '<span class="lookup-status" role="status" aria-live="polite"></span></p>',
        '<p class="lookup-facets"></p>' if facets else "",
        '<p class="lookup-help">Press a column heading to sort by it; press again to reverse.</p>',
        table.html,
        "</div>",
        "<script>" + _SCRIPT % {"id": '"' + element_id + '"'} + "</script>",
    ]
    return SearchableTable("".join(parts), table)
