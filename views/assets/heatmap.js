// The overview's heatmap: a table of units (rows) by dimensions (columns), each cell coloured
// by its level with its score written in it, and a legend that names every level. With more
// rows than a page, it shows a page at a time, in the organisation's order or lowest overall
// score first, chosen here without a round trip to the server; the choice is sent as the
// state value "view" so that the figure download has the rows on screen. A click on a row, or
// Enter on its name, sends the row's group as the trigger value "drill".
// Everything shown is set as text (textContent, attributes), never parsed as HTML: unit names
// come from the organisation file.
export default function (component) {
  const { parentElement, setTriggerValue, setStateValue } = component;
  const data = component.data[0];  // see views/web.py
  let root = parentElement.querySelector(".heatmap");
  if (!root) {
    root = document.createElement("div");
    root.className = "heatmap";
    parentElement.appendChild(root);
  }
  const texts = data.texts;
  const number = (value, digits) => (value === null || value === undefined ? "–" : value.toFixed(digits));
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));

  const total = data.rows.length;
  const paged = total > data.page;
  let view = root.view && root.view.key === data.key ? root.view : { key: data.key, ...data.view };
  root.view = view;

  function draw() {
    const order = data.orders[view.order] || data.orders.name;
    const first = Math.min(view.first, Math.max(0, order.length - 1));
    const shown = order.slice(first, first + data.page).map((index) => data.rows[index]);
    const parts = [element("p", "note", texts.caption)];
    if (paged) parts.push(controls(order, first));
    parts.push(table(shown), legend(), element("p", "note", texts.help));
    root.replaceChildren(...parts);
  }

  function choose(order, first) {
    view = { ...view, order, first };
    root.view = view;
    draw();
    setStateValue("view", { order, first });
  }

  function controls(order, first) {
    const box = element("div", "controls");
    const ordering = element("div", "ordering");
    ordering.setAttribute("role", "group");
    ordering.setAttribute("aria-label", texts.order);
    ordering.appendChild(element("span", "label", texts.order));
    for (const [id, label] of [["name", texts.by_name], ["lowest", texts.lowest]]) {
      const button = element("button", "toggle", label);
      button.type = "button";
      button.setAttribute("aria-pressed", String(view.order === id));
      button.addEventListener("click", () => { if (view.order !== id) choose(id, 0); });
      ordering.appendChild(button);
    }
    const rows = element("label", "rows");
    rows.appendChild(element("span", "label", texts.rows));
    const select = element("select");
    for (let start = 0; start < order.length; start += data.page) {
      const last = Math.min(start + data.page, order.length);
      const option = element("option", "", fill(texts.range, {
        first: start + 1, last, total: order.length,
        first_name: data.rows[order[start]].name, last_name: data.rows[order[last - 1]].name,
      }));
      option.value = String(start);
      option.selected = start === first;
      select.appendChild(option);
    }
    select.addEventListener("change", () => choose(view.order, Number(select.value)));
    rows.appendChild(select);
    box.append(ordering, rows, element("p", "capped", fill(texts.capped, { shown: data.page, total })));
    return box;
  }

  function table(rows) {
    const scroller = element("div", "scroller");
    const grid = element("table");
    grid.setAttribute("aria-label", texts.caption);
    const head = element("tr");
    head.appendChild(element("th", "corner"));
    for (const column of data.columns) {
      const cell = element("th", "column");
      cell.scope = "col";
      cell.appendChild(element("span", "", column));
      head.appendChild(cell);
    }
    grid.appendChild(element("thead")).appendChild(head);
    const body = grid.appendChild(element("tbody"));
    for (const row of rows) {
      const line = element("tr", row.drill ? "drill" : "");
      const name = element("th", "name");
      name.scope = "row";
      if (row.drill) {
        const button = element("button", "", row.name);
        button.type = "button";
        button.title = fill(texts.drill, { name: row.name });
        name.appendChild(button);
        line.addEventListener("click", () => setTriggerValue("drill", row.group));
      } else {
        name.textContent = row.name;
      }
      line.appendChild(name);
      row.cells.forEach((value, index) => {
        const cell = element("td");
        if (value) {
          const [level, score, units, respondents, spread] = value;
          const look = data.levels[level] || { colour: "#BBBBBB", ink: "#000000", label: "–" };
          cell.textContent = number(score, 1);
          cell.style.background = look.colour;
          cell.style.color = look.ink;
          cell.title = [
            `${texts.unit}: ${row.name}`, `${texts.dimension}: ${data.columns[index]}`,
            `${texts.level}: ${look.label}`, `${texts.score}: ${number(score, 2)}`,
            `${texts.units}: ${units}`, `${texts.respondents}: ${respondents}`,
            `${texts.spread}: ${number(spread, 2)}`,
          ].join("\n");
        }
        line.appendChild(cell);
      });
      body.appendChild(line);
    }
    scroller.appendChild(grid);
    return scroller;
  }

  function legend() {
    const list = element("div", "legend");
    list.setAttribute("role", "list");
    list.setAttribute("aria-label", texts.level);
    list.appendChild(element("span", "title", texts.level));
    for (const entry of data.legend) {
      const item = element("span", "entry");
      item.setAttribute("role", "listitem");
      const swatch = element("span", "swatch");
      swatch.style.background = entry.colour;
      item.append(swatch, document.createTextNode(entry.label));
      list.appendChild(item);
    }
    return list;
  }

  draw();
}
