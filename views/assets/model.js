// The Start page's explanation of the model: the five maturity levels, each a badge in its
// colour with its number and name (the colour is never the only sign) and a description, and
// the roadmap's stages with their planned periods; side by side, one above the other on a
// phone. Everything is set as text (textContent, style properties), never parsed as HTML.
export default function (component) {
  const { parentElement } = component;
  const data = component.data[0];  // see views/web.py
  let root = parentElement.querySelector(".model");
  if (!root) {
    root = element("div", "model");
    parentElement.appendChild(root);  // beside the component's own style element
  }
  const levels = element("section", "part");
  levels.appendChild(element("h3", "heading", data.levels.title));
  for (const level of data.levels.items) {
    const entry = element("div", "entry");
    const badge = element("span", "badge", `${level.level} · ${level.label}`);
    badge.style.background = level.colour;
    badge.style.color = level.ink;
    entry.appendChild(badge);
    if (level.description) entry.appendChild(element("p", "note", level.description));
    levels.appendChild(entry);
  }
  const parts = [levels];
  if (data.roadmap) {
    const roadmap = element("section", "part");
    roadmap.append(element("h3", "heading", data.roadmap.title), element("p", "intro", data.roadmap.intro));
    for (const stage of data.roadmap.stages) {
      const entry = element("div", "entry");
      entry.appendChild(element("p", "stage", stage.row));
      if (stage.description) entry.appendChild(element("p", "note", stage.description));
      roadmap.appendChild(entry);
    }
    parts.push(roadmap);
  }
  root.replaceChildren(...parts);
}
