// Drawing an image with its annotations' regions over it: boxes, outlines, masks and heatmaps in one SVG.
import { clear, el, idOf, imageUrl, isAI, regions, svg } from "./api.js";

let unique = 0;

// Draws `imageRef` into `stage` with the regions of `observations`; resolves once everything is drawn.
export async function drawStage(stage, imageRef, observations) {
  const source = await imageUrl(imageRef);
  const picture = el("img", { class: "base", alt: `Image ${idOf(imageRef)}`, src: source });
  await picture.decode().catch(() => undefined);
  const width = picture.naturalWidth || 1;
  const height = picture.naturalHeight || 1;
  const layer = svg("svg", {
    class: "overlay",
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: "xMidYMid meet",
    role: "img",
    "aria-label": "Annotation regions",
  });
  const pending = [];
  observations.forEach((observation, index) => {
    const found = regions(observation);
    const [declaredWidth, declaredHeight] = found.size || [width, height];
    const group = svg("g", {
      class: `annotation ${isAI(observation) ? "ai" : "human"} colour-${index % 6}`,
      transform: `scale(${width / declaredWidth} ${height / declaredHeight})`,
      "data-observation": observation.id,
    });
    group.append(svg("title", { text: `Observation/${observation.id}` }));
    for (const [x, y, w, h] of found.boxes) {
      group.append(svg("rect", { class: "box", x, y, width: w, height: h, "vector-effect": "non-scaling-stroke" }));
    }
    for (const points of found.polygons) {
      group.append(
        svg("polygon", { class: "outline", points: points.map((p) => p.join(",")).join(" "), "vector-effect": "non-scaling-stroke" }),
      );
    }
    layer.append(group);
    for (const mask of found.masks) pending.push(drawMask(layer, mask, width, height, index));
    for (const heatmap of found.heatmaps) pending.push(drawHeatmap(layer, heatmap, width, height));
  });
  clear(stage, picture, layer);
  await Promise.all(pending);
  return { width, height, layer };
}

async function drawMask(layer, reference, width, height, index) {
  try {
    const source = await imageUrl(reference);
    const id = `mask-${++unique}`;
    const definition = svg("mask", { id, maskUnits: "userSpaceOnUse", x: 0, y: 0, width, height });
    definition.append(svg("image", { href: source, x: 0, y: 0, width, height, preserveAspectRatio: "none" }));
    const group = svg("g", { class: `mask colour-${index % 6}`, "data-source": reference });
    group.append(definition, svg("rect", { x: 0, y: 0, width, height, mask: `url(#${id})` }));
    layer.prepend(group);
  } catch (error) {
    layer.append(svg("g", { class: "mask missing", "data-source": reference }));
  }
}

async function drawHeatmap(layer, reference, width, height) {
  try {
    const source = await imageUrl(reference);
    const group = svg("g", { class: "heatmap", "data-source": reference });
    group.append(svg("image", { href: source, x: 0, y: 0, width, height, preserveAspectRatio: "none" }));
    layer.prepend(group);
  } catch (error) {
    layer.append(svg("g", { class: "heatmap missing", "data-source": reference }));
  }
}

// The four overlay toggles of a page: each shows or hides one kind of region.
export function bindToggles(stage) {
  const kinds = { "t-boxes": "hide-boxes", "t-outlines": "hide-outlines", "t-masks": "hide-masks", "t-heatmaps": "hide-heatmaps" };
  for (const [id, className] of Object.entries(kinds)) {
    const box = document.getElementById(id);
    if (!box) continue;
    const apply = () => stage.classList.toggle(className, !box.checked);
    box.addEventListener("change", apply);
    apply();
  }
}
