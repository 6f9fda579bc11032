// The overview's heatmap: a table of units (rows) by dimensions (columns), each cell coloured
// by its level with its score written in it, and a legend that names every level. A click on
// a row, or Enter on its name, sends the row's group as the trigger value "drill".
// Everything shown is set as text (textContent, attributes), never parsed as HTML: unit names
// come from the organisation file.
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".heatmap");
  if (!root) {
    root = document.createElement("div");
    root.className = "heatmap";
    parentElement.appendChild(root);
  }
  const element = (tag, className, text) => {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  };

  const scroller = element("div", "scroller");
  const table = element("table");
  table.setAttribute("aria-label", data.caption);
  const head = element("tr");
  head.appendChild(element("th", "corner"));
  for (const column of data.columns) {
    const cell = element("th", "column");
    cell.scope = "col";
    cell.appendChild(element("span", "", column));
    head.appendChild(cell);
  }
  table.appendChild(element("thead")).appendChild(head);
  const body = table.appendChild(element("tbody"));
  for (const row of data.rows) {
    const line = element("tr", row.drill ? "drill" : "");
    const name = element("th", "name");
    name.scope = "row";
    if (row.drill) {
      const button = element("button", "", row.name);
      button.type = "button";
      button.title = row.drill;
      name.appendChild(button);
      line.addEventListener("click", () => setTriggerValue("drill", row.group));
    } else {
      name.textContent = row.name;
    }
    line.appendChild(name);
    for (const value of row.cells) {
      const cell = element("td");
      if (value) {
        cell.textContent = value.text;
        cell.title = value.tip;
        cell.style.background = value.colour;
        cell.style.color = value.ink;
      }
      line.appendChild(cell);
    }
    body.appendChild(line);
  }
  scroller.appendChild(table);

  const legend = element("div", "legend");
  legend.setAttribute("role", "list");
  legend.setAttribute("aria-label", data.legend_title);
  legend.appendChild(element("span", "title", data.legend_title));
  for (const entry of data.legend) {
    const item = element("span", "entry");
    item.setAttribute("role", "listitem");
    const swatch = element("span", "swatch");
    swatch.style.background = entry.colour;
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(entry.label));
    legend.appendChild(item);
  }
  root.replaceChildren(scroller, legend);
}
