// Key figures in a row: each a label, a large value and an optional note under it. Texts are
// set as text (textContent), never as HTML.
export default function (component) {
  const { parentElement } = component;
  const data = component.data[0];  // see views/web.py
  let root = parentElement.querySelector(".figures");
  if (!root) {
    root = document.createElement("div");
    root.className = "figures";
    parentElement.appendChild(root);
  }
  const row = document.createElement("div");
  row.className = "row";
  row.setAttribute("role", "list");
  row.setAttribute("aria-label", data.caption);
  row.replaceChildren(
    ...data.figures.map((figure) => {
      const item = document.createElement("div");
      item.className = "figure";
      item.setAttribute("role", "listitem");
      item.append(element("div", "label", figure.label), element("div", "value", figure.value));
      if (figure.note) item.appendChild(element("div", "note", figure.note));
      return item;
    }),
  );
  root.replaceChildren(element("p", "rests-on", data.rests_on), row);
}
