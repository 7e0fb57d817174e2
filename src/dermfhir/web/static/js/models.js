// The AI model dashboard: per AI Device, the confusion matrix of its predictions against the clinicians'
// reviewed findings, a calibration chart, the override rate, and its model card.
// The confusion matrix, override rate and per-class figures come from the server's Device/$performance
// operation; when it is not offered (or refused) they are computed here. The calibration chart is always drawn
// from the predictions and their reviews (the operation reports only its summary, the ECE).
import {
  clear,
  codings,
  conceptLabel,
  deviceName,
  el,
  entries,
  fhir,
  findings,
  markReady,
  modelCardOf,
  nextLink,
  reference,
  showError,
  status,
  svg,
} from "./api.js";
import "./session.js";

const root = document.getElementById("models");
const ISIC_CLASS = "https://annotatemd.com/fhir/ig/CodeSystem/isic-challenge-class";
const PAGES = 20;

async function all(path) {
  const found = [];
  const included = new Map();
  let next = path;
  for (let page = 0; next && page < PAGES; page += 1) {
    const bundle = await fhir(next);
    const part = entries(bundle);
    found.push(...part.matches);
    for (const [key, value] of part.included) included.set(key, value);
    next = nextLink(bundle);
  }
  return { found, included };
}

// A finding's class label: the ISIC class code when there is one, else the first code's display.
function label(concept) {
  const isic = codings(concept).find((coding) => coding.system === ISIC_CLASS);
  return isic ? isic.code : conceptLabel(concept) || "?";
}

export function summarise(predictions, tasks, annotations) {
  const byPrediction = new Map(tasks.map((task) => [reference(task.focus), task]));
  const annotationsById = new Map(annotations.map((a) => [`Observation/${a.id}`, a]));
  const pairs = [];
  let reviewed = 0;
  let overridden = 0;
  for (const prediction of predictions) {
    const task = byPrediction.get(`Observation/${prediction.id}`);
    const outcome = task?.businessStatus?.coding?.[0]?.code;
    if (!task || task.status !== "completed" || !outcome) continue;
    reviewed += 1;
    if (outcome === "corrected" || outcome === "rejected") overridden += 1;
    const result = (task.output || []).map((o) => o.valueReference?.reference).find(Boolean);
    const annotation = annotationsById.get(result);
    if (!annotation) continue;
    const confidence = (prediction.component || []).find((c) => c.code?.coding?.[0]?.code === "prediction-confidence")?.valueQuantity?.value;
    pairs.push({ predicted: label(findings(prediction)[0]), truth: label(findings(annotation)[0]), confidence });
  }
  const classes = [...new Set(pairs.flatMap((p) => [p.truth, p.predicted]))].sort();
  const matrix = classes.map((truth) => classes.map((predicted) => pairs.filter((p) => p.truth === truth && p.predicted === predicted).length));
  const bins = Array.from({ length: 5 }, (_, i) => ({ low: i / 5, high: (i + 1) / 5, count: 0, correct: 0, sum: 0 }));
  for (const pair of pairs) {
    if (typeof pair.confidence !== "number") continue;
    const bin = bins[Math.min(4, Math.floor(pair.confidence * 5))];
    bin.count += 1;
    bin.sum += pair.confidence;
    if (pair.truth === pair.predicted) bin.correct += 1;
  }
  return { predictions: predictions.length, reviewed, overridden, pairs: pairs.length, classes, matrix, bins };
}

function matrixTable(summary) {
  if (!summary.classes.length) return el("p", { class: "muted", text: "No reviewed predictions yet." });
  return el(
    "table",
    { class: "matrix", "aria-label": "Confusion matrix" },
    el("caption", { text: "Rows: clinician's finding · columns: AI prediction" }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "" }), ...summary.classes.map((c) => el("th", { scope: "col", text: c })))),
    el(
      "tbody",
      {},
      ...summary.matrix.map((row, i) =>
        el("tr", {}, el("th", { scope: "row", text: summary.classes[i] }), ...row.map((value, j) => el("td", { class: i === j ? "diagonal" : "", text: value }))),
      ),
    ),
  );
}

function calibrationChart(summary) {
  const size = 220;
  const chart = svg("svg", { viewBox: `0 0 ${size + 40} ${size + 40}`, width: size + 40, height: size + 40, role: "img", "aria-label": "Calibration: accuracy against confidence" });
  const frame = svg("g", { transform: "translate(30 10)" });
  frame.append(svg("rect", { x: 0, y: 0, width: size, height: size, fill: "#fafbfc", stroke: "#d8dde6" }));
  frame.append(svg("line", { x1: 0, y1: size, x2: size, y2: 0, stroke: "#9aa3b2", "stroke-dasharray": "4 3" }));
  const points = summary.bins.filter((bin) => bin.count).map((bin) => [bin.sum / bin.count, bin.correct / bin.count, bin.count]);
  if (points.length > 1) {
    frame.append(svg("polyline", { points: points.map(([x, y]) => `${x * size},${(1 - y) * size}`).join(" "), fill: "none", stroke: "#b45309", "stroke-width": 2 }));
  }
  for (const [x, y, count] of points) {
    const dot = svg("circle", { cx: x * size, cy: (1 - y) * size, r: 3 + Math.min(6, count), fill: "#b45309" });
    dot.append(svg("title", { text: `confidence ${(x * 100).toFixed(0)} %: ${(y * 100).toFixed(0)} % right (${count})` }));
    frame.append(dot);
  }
  frame.append(svg("text", { x: size / 2, y: size + 24, "text-anchor": "middle", "font-size": 11, text: "confidence" }));
  frame.append(svg("text", { x: -size / 2, y: -18, transform: "rotate(-90)", "text-anchor": "middle", "font-size": 11, text: "accuracy" }));
  chart.append(frame);
  return chart;
}

async function modelCard(device) {
  const ref = modelCardOf(device);
  if (!ref) return el("p", { class: "muted", text: "No model card recorded." });
  try {
    const card = await fhir(ref);
    const attachment = card.content?.[0]?.attachment || {};
    const bytes = Uint8Array.from(atob(attachment.data || ""), (c) => c.charCodeAt(0));
    return el("pre", { class: "card-text", text: new TextDecoder().decode(bytes) });
  } catch (error) {
    return el("p", { class: "muted", text: `The model card could not be read (${error.message}).` });
  }
}

// The figures of Device/$performance (Parameters) in the shape summarise() gives, or null when not offered.
async function serverFigures(device) {
  let answer;
  try {
    answer = await fhir(`Device/${encodeURIComponent(device.id)}/$performance`);
  } catch (error) {
    if ([400, 403, 404, 405, 501].includes(error.status)) return null;
    throw error;
  }
  const parameters = answer.parameter || [];
  const value = (name) => parameters.find((p) => p.name === name);
  const parts = (item) => Object.fromEntries((item.part || []).map((p) => [p.name, p]));
  const names = new Map();
  const perClass = parameters.filter((p) => p.name === "class").map((item) => {
    const found = parts(item);
    const coding = found.finding?.valueCoding || {};
    names.set(`${coding.system}|${coding.code}`, coding.display || coding.code);
    return {
      label: coding.display || coding.code,
      support: found.support?.valueInteger ?? 0,
      sensitivity: found.sensitivity?.valueDecimal,
      specificity: found.specificity?.valueDecimal,
      auroc: found.auroc?.valueDecimal,
    };
  });
  const cells = parameters.filter((p) => p.name === "confusion").map(parts);
  const keys = [...new Set(cells.flatMap((c) => [c.truth.valueString, c.predicted.valueString]))].sort();
  const classes = keys.map((key) => names.get(key) || key.split("|").pop());
  const matrix = keys.map((truth) =>
    keys.map((predicted) => cells.filter((c) => c.truth.valueString === truth && c.predicted.valueString === predicted).reduce((n, c) => n + c.count.valueInteger, 0)),
  );
  const reviews = parameters.filter((p) => p.name === "reviews").map(parts);
  return {
    source: "server",
    predictions: value("predictions")?.valueInteger ?? 0,
    labelled: value("labelled")?.valueInteger ?? 0,
    reviewed: reviews.reduce((n, r) => n + (r.count?.valueInteger || 0), 0),
    overrideRate: value("overrideRate")?.valueDecimal ?? null,
    balancedAccuracy: value("balancedAccuracy")?.valueDecimal ?? null,
    ece: value("ece")?.valueDecimal ?? null,
    classes,
    matrix,
    perClass,
  };
}

function percent(value) {
  return value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)} %`;
}

function classTable(perClass) {
  if (!perClass?.length) return "";
  return el(
    "table",
    { class: "matrix", "aria-label": "Per-class figures" },
    el("thead", {}, el("tr", {}, ...["class", "support", "sensitivity", "specificity", "AUROC"].map((h) => el("th", { scope: "col", text: h })))),
    el(
      "tbody",
      {},
      ...perClass.map((c) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", text: c.label }),
          el("td", { text: c.support }),
          el("td", { text: percent(c.sensitivity) }),
          el("td", { text: percent(c.specificity) }),
          el("td", { text: c.auroc === undefined || c.auroc === null ? "–" : c.auroc.toFixed(2) }),
        ),
      ),
    ),
  );
}

async function deviceSection(device) {
  const ref = `Device/${device.id}`;
  const [figures, predictions, tasks, annotations] = await Promise.all([
    serverFigures(device),
    all(`Observation?device=${encodeURIComponent(ref)}&_count=500`),
    all("Task?status=completed&_count=500"),
    all("Observation?method=ai-assisted-confirmed,ai-assisted-corrected&_count=500"),
  ]);
  const local = summarise(predictions.found, tasks.found, annotations.found);
  const summary = figures || { ...local, source: "browser", overrideRate: local.reviewed ? local.overridden / local.reviewed : null };
  const rate = summary.overrideRate;
  return el(
    "section",
    { class: "card", id: `device-${device.id}`, "aria-labelledby": `device-title-${device.id}` },
    el("h2", { id: `device-title-${device.id}`, text: deviceName(device) }),
    el("p", {
      class: "muted",
      text: `${device.manufacturer || ""} · ${summary.predictions} predictions · ${summary.reviewed} reviewed · figures from ${summary.source === "server" ? "the server's $performance" : "this browser"}`,
    }),
    el(
      "div",
      { class: "model" },
      el("div", {}, el("h3", { text: "Override rate" }), el("p", { class: "figure", id: `override-${device.id}`, text: percent(rate) }), el("p", { class: "muted small", text: "corrected or rejected, of reviewed predictions" })),
      el("div", {}, el("h3", { text: "Confusion matrix" }), matrixTable(summary)),
      el(
        "div",
        {},
        el("h3", { text: "Calibration" }),
        calibrationChart(local),
        summary.ece !== undefined && summary.ece !== null ? el("p", { class: "muted small", text: `expected calibration error ${summary.ece.toFixed(3)}` }) : "",
      ),
    ),
    summary.perClass ? el("div", {}, el("h3", { text: `Per class · balanced accuracy ${percent(summary.balancedAccuracy)}` }), classTable(summary.perClass)) : "",
    el("section", { id: `card-${device.id}` }, el("h3", { text: "Model card" }), await modelCard(device)),
  );
}

async function start() {
  status("Loading…");
  try {
    const { found } = await all("Device?_count=100");
    const models = found.filter((device) => (device.type?.coding || []).length || (device.deviceName || []).length);
    clear(root, ...(await Promise.all(models.map(deviceSection))));
    if (!models.length) root.append(el("p", { text: "No AI model Devices are stored." }));
    markReady();
    status(`${models.length} model(s).`);
    if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  } catch (error) {
    showError(error);
  }
}

start();
