// The review console: the queue of AI predictions, claim, confirm, correct (finding from the guide's value set,
// box and outline), reject; the QA list (approve, request changes, reject); each result shown at once with its
// Provenance trail. Uses the server's review operations ($claim, $confirm, $correct, $reject, $qa-review).
import {
  FINDINGS_VS,
  clear,
  conceptLabel,
  deviceName,
  el,
  entries,
  fhir,
  findings,
  idOf,
  markReady,
  methodCode,
  personName,
  prefix,
  quantity,
  reference,
  regions,
  shortDate,
  showError,
  status,
  svg,
} from "./api.js";
import { provenanceFor } from "./data.js";
import { drawStage } from "./overlays.js";
import { provenanceList } from "./provenance.js";
import { aiBadge, concept, expand, probabilityBars } from "./widgets.js";
import "./session.js";

const REVIEWER = "dermfhir.reviewer";
const reviewerSelect = document.getElementById("reviewer");
const list = document.getElementById("tasks");
const work = document.getElementById("work-body");
const title = document.getElementById("work-title");
const tabs = { queue: document.getElementById("tab-queue"), qa: document.getElementById("tab-qa") };
let mode = "queue";

function reviewer() {
  return reviewerSelect.value;
}

function parameters(...items) {
  return { resourceType: "Parameters", parameter: [{ name: "reviewer", valueReference: { reference: reviewer() } }, ...items] };
}

async function operation(path, ...items) {
  if (!reviewer()) throw new Error("Choose who is reviewing first.");
  return fhir(path, { method: "POST", body: parameters(...items) });
}

async function loadReviewers() {
  try {
    const { matches } = entries(await fhir("Practitioner?_count=100"));
    const kept = localStorage.getItem(REVIEWER);
    clear(
      reviewerSelect,
      el("option", { value: "", text: "(choose yourself)" }),
      ...matches.map((item) =>
        el("option", { value: `Practitioner/${item.id}`, text: personName(item), selected: `Practitioner/${item.id}` === kept }),
      ),
    );
  } catch (error) {
    showError(error);
  }
}

reviewerSelect.addEventListener("change", () => localStorage.setItem(REVIEWER, reviewerSelect.value));

function selectTab(name) {
  mode = name;
  for (const [key, tab] of Object.entries(tabs)) tab.setAttribute("aria-selected", String(key === name));
  loadList();
}
tabs.queue.addEventListener("click", () => selectTab("queue"));
tabs.qa.addEventListener("click", () => selectTab("qa"));

function listButton(label, detail, onSelect, id) {
  const button = el("button", { type: "button", "aria-pressed": "false", "data-item": id }, el("strong", { text: label }), el("br"), el("span", { class: "muted small", text: detail }));
  button.addEventListener("click", () => {
    for (const other of list.querySelectorAll("button")) other.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-pressed", "true");
    onSelect();
  });
  return el("li", {}, button);
}

async function loadList() {
  status("Loading…");
  try {
    if (mode === "queue") {
      const bundle = await fhir("Task?status=requested,in-progress&_sort=authored-on&_count=50&_total=none&_include=Task:focus");
      const { matches, included } = entries(bundle);
      clear(
        list,
        ...matches.map((task) => {
          const prediction = included.get(reference(task.focus));
          const finding = prediction ? conceptLabel(findings(prediction)[0]) : reference(task.focus);
          const owner = reference(task.owner);
          const detail = `${idOf(reference(task.for))} · ${shortDate(task.authoredOn)}${owner ? ` · claimed by ${idOf(owner)}` : ""}`;
          return listButton(`AI: ${finding}`, detail, () => openTask(task.id), task.id);
        }),
      );
      if (!matches.length) list.append(el("li", { class: "muted", text: "The queue is empty." }));
      status(`${matches.length} prediction(s) to review.`);
      if (!document.body.dataset.ready) markReady();
    } else {
      const bundle = await fhir(
        "Observation?method=ai-assisted-confirmed,ai-assisted-corrected&status=final,amended&_sort=-_lastUpdated&_count=50",
      );
      const waiting = entries(bundle).matches.filter((observation) => {
        const qa = (observation.component || []).find((c) => c.code?.coding?.[0]?.code === "qa-review-status");
        const code = qa?.valueCodeableConcept?.coding?.[0]?.code;
        return !code || code === "pending" || code === "in-review";
      });
      clear(
        list,
        ...waiting.map((observation) =>
          listButton(
            `QA: ${conceptLabel(findings(observation)[0])}`,
            `${idOf(reference(observation.subject))} · ${conceptLabel(observation.method)}`,
            () => openQa(observation.id),
            observation.id,
          ),
        ),
      );
      if (!waiting.length) list.append(el("li", { class: "muted", text: "Nothing waits for QA." }));
      status(`${waiting.length} annotation(s) waiting for QA.`);
    }
  } catch (error) {
    showError(error);
    if (!document.body.dataset.ready) markReady("error");
  }
}

function imageOf(observation) {
  return (observation.derivedFrom || []).map(reference).find((ref) => /^(DocumentReference|Media)\//.test(ref));
}

async function openTask(taskId) {
  status("Loading…");
  try {
    const task = await fhir(`Task/${encodeURIComponent(taskId)}`);
    const prediction = await fhir(reference(task.focus));
    const device = prediction.device ? await fhir(reference(prediction.device)).catch(() => null) : null;
    const assessments = entries(await fhir(`RiskAssessment?subject=${encodeURIComponent(reference(prediction.subject))}&_count=200`)).matches;
    const assessment = assessments.find((item) => (item.basis || []).some((b) => reference(b) === `Observation/${prediction.id}`));
    title.textContent = `Review: ${conceptLabel(findings(prediction)[0])}`;
    const stage = el("div", { class: "stage", id: "stage" });
    const confidence = quantity(prediction, "prediction-confidence");
    const claimed = task.status === "in-progress";
    const actions = el("div", { class: "actions" });
    const result = el("section", { id: "result", "aria-live": "polite" });
    clear(
      work,
      el("p", {}, ...findings(prediction).map(concept), aiBadge(prediction, `${prefix}/image/${encodeURIComponent(idOf(imageOf(prediction)))}#provenance-${prediction.id}`)),
      el("p", { class: "muted", text: `Confidence ${confidence !== null ? `${(confidence * 100).toFixed(1)} %` : "not given"} · model ${deviceName(device) || reference(prediction.device)} · task ${task.status}${task.owner ? ` (${idOf(reference(task.owner))})` : ""}` }),
      stage,
      assessment ? probabilityBars(assessment) : "",
      actions,
      result,
    );
    const drawn = await drawStage(stage, imageOf(prediction), [prediction]);
    const claim = el("button", { type: "button", id: "claim", text: claimed ? "Release" : "Claim" });
    claim.addEventListener("click", () =>
      run(async () => {
        await operation(`Task/${encodeURIComponent(task.id)}/$${claimed ? "release" : "claim"}`);
        await openTask(task.id);
        loadList();
      }),
    );
    const confirm = el("button", { type: "button", id: "confirm", text: "Confirm" });
    confirm.addEventListener("click", () =>
      run(async () => {
        const answer = await operation(`Observation/${encodeURIComponent(prediction.id)}/$confirm`);
        await showResult(result, answer, "Confirmed");
      }),
    );
    const correct = el("button", { type: "button", id: "correct", class: "secondary", text: "Correct…" });
    correct.addEventListener("click", () => openEditor(actions, result, prediction, drawn));
    const reject = el("button", { type: "button", id: "reject", class: "danger", text: "Reject…" });
    reject.addEventListener("click", () => openReject(actions, result, prediction));
    actions.append(claim, confirm, correct, reject);
    status("");
    confirm.focus();
  } catch (error) {
    showError(error);
  }
}

async function run(action) {
  status("Working…");
  try {
    await action();
  } catch (error) {
    showError(error);
  }
}

async function showResult(node, answer, verb) {
  const written = (answer?.entry || []).map((entry) => entry.resource).filter(Boolean);
  const annotation = written.find((r) => r.resourceType === "Observation" && methodCode(r) !== "ai-inference") || written.find((r) => r.resourceType === "Observation");
  const included = new Map(written.map((r) => [`${r.resourceType}/${r.id}`, r]));
  const provenances = annotation ? await provenanceFor([`Observation/${annotation.id}`], included) : [];
  const image = annotation ? imageOf(annotation) : null;
  clear(
    node,
    el("h3", { text: `${verb}: ${written.map((r) => `${r.resourceType}/${r.id}`).join(", ")}` }),
    annotation
      ? el(
          "div",
          { class: "finding", id: "result-annotation", "data-observation": annotation.id },
          ...findings(annotation).map(concept),
          aiBadge(annotation, image ? `${prefix}/image/${encodeURIComponent(idOf(image))}#provenance-${annotation.id}` : "#result"),
          el("p", { text: `${conceptLabel(annotation.method)} · ${annotation.status}` }),
          image ? el("a", { href: `${prefix}/image/${encodeURIComponent(idOf(image))}`, text: "open the image" }) : "",
          el("h4", { text: "Provenance" }),
          provenanceList(provenances, included),
        )
      : "",
  );
  status(`${verb}.`, "ok");
  loadList();
}

function boxOf(prediction) {
  return regions(prediction).boxes[0] || [0, 0, 10, 10];
}

async function openEditor(actions, result, prediction, drawn) {
  if (document.getElementById("editor")) return;
  const [x, y, w, h] = boxOf(prediction).map((v) => Math.round(v));
  const finding = el("select", { id: "finding", required: true });
  finding.append(el("option", { value: "", text: "(keep the AI's finding)" }));
  for (const item of await expand(FINDINGS_VS)) {
    finding.append(el("option", { value: `${item.system}|${item.code}|${item.display || ""}`, text: `${item.display || item.code} (SNOMED CT ${item.code})` }));
  }
  const field = (id, label, value) => el("label", {}, label, el("input", { id, type: "number", min: 0, step: 1, value }));
  const outline = el("input", { id: "outline", type: "text", placeholder: "x1 y1 x2 y2 x3 y3 …", size: 40 });
  const form = el(
    "form",
    { id: "editor", class: "editor" },
    el("label", {}, "Finding", finding),
    el("fieldset", { class: "box-fields" }, el("legend", { text: "Bounding box (pixels) — or drag on the image" }), field("box-x", "x", x), field("box-y", "y", y), field("box-w", "width", w), field("box-h", "height", h)),
    el("label", {}, "Outline (x y pairs) — or click points on the image with “Draw outline”", outline),
    el("div", { class: "actions" }, el("button", { type: "button", id: "draw-outline", class: "secondary", text: "Draw outline" }), el("button", { type: "submit", id: "save-correction", text: "Save correction" }), el("button", { type: "button", id: "cancel-edit", class: "secondary", text: "Cancel" })),
  );
  actions.after(form);
  const preview = svg("g", { class: "annotation editing" });
  const rect = svg("rect", { class: "box", "vector-effect": "non-scaling-stroke" });
  const polygon = svg("polygon", { class: "outline", "vector-effect": "non-scaling-stroke" });
  preview.append(rect, polygon);
  drawn.layer.append(preview);
  const size = regions(prediction).size || [drawn.width, drawn.height];
  const scale = [drawn.width / size[0], drawn.height / size[1]];
  preview.setAttribute("transform", `scale(${scale[0]} ${scale[1]})`);
  const inputs = ["box-x", "box-y", "box-w", "box-h"].map((id) => document.getElementById(id));
  const update = () => {
    const [bx, by, bw, bh] = inputs.map((input) => Number(input.value) || 0);
    Object.entries({ x: bx, y: by, width: bw, height: bh }).forEach(([k, v]) => rect.setAttribute(k, v));
    polygon.setAttribute("points", pairs(outline.value).map((p) => p.join(",")).join(" "));
  };
  inputs.forEach((input) => input.addEventListener("input", update));
  outline.addEventListener("input", update);
  update();
  // pointer editing: drag draws a new box; in outline mode each click adds a point
  let drawing = false;
  let start = null;
  const draw = document.getElementById("draw-outline");
  draw.addEventListener("click", () => {
    drawing = !drawing;
    draw.textContent = drawing ? "Stop drawing" : "Draw outline";
    if (drawing) outline.value = "";
    update();
  });
  const point = (event) => {
    const box = drawn.layer.getBoundingClientRect();
    const fx = (event.clientX - box.left) / box.width;
    const fy = (event.clientY - box.top) / box.height;
    return [Math.round(fx * size[0]), Math.round(fy * size[1])];
  };
  drawn.layer.addEventListener("pointerdown", (event) => {
    if (!document.getElementById("editor")) return;
    if (drawing) {
      outline.value = `${outline.value} ${point(event).join(" ")}`.trim();
      update();
      return;
    }
    start = point(event);
  });
  drawn.layer.addEventListener("pointerup", (event) => {
    if (!start || drawing) return;
    const end = point(event);
    const [ax, ay] = start;
    const [bx, by] = end;
    start = null;
    if (Math.abs(bx - ax) < 3 || Math.abs(by - ay) < 3) return;
    [Math.min(ax, bx), Math.min(ay, by), Math.abs(bx - ax), Math.abs(by - ay)].forEach((v, i) => {
      inputs[i].value = String(v);
    });
    update();
  });
  document.getElementById("cancel-edit").addEventListener("click", () => {
    form.remove();
    preview.remove();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(async () => {
      const items = [];
      if (finding.value) {
        const [system, code, display] = finding.value.split("|");
        items.push({ name: "finding", valueCodeableConcept: { coding: [{ system, code, display }], text: display || code } });
      }
      const region = [
        { name: "boundingBox", valueString: inputs.map((input) => Number(input.value) || 0).join(" ") },
        { name: "imageWidth", valueInteger: size[0] },
        { name: "imageHeight", valueInteger: size[1] },
      ];
      const points = pairs(outline.value);
      if (points.length >= 3) region.splice(1, 0, { name: "polygon", valueString: points.flat().join(" ") });
      items.push({ name: "region", part: region });
      const answer = await operation(`Observation/${encodeURIComponent(prediction.id)}/$correct`, ...items);
      form.remove();
      await showResult(result, answer, "Corrected");
    });
  });
  finding.focus();
}

function pairs(text) {
  const values = String(text).trim().split(/[\s,]+/).filter(Boolean).map(Number).filter(Number.isFinite);
  const found = [];
  for (let i = 0; i + 1 < values.length; i += 2) found.push([values[i], values[i + 1]]);
  return found;
}

function openReject(actions, result, prediction) {
  if (document.getElementById("reject-form")) return;
  const reason = el("input", { id: "reject-reason", type: "text", required: true, size: 40, placeholder: "why the prediction is wrong" });
  const form = el(
    "form",
    { id: "reject-form", class: "editor" },
    el("label", {}, "Reason", reason),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "danger", id: "confirm-reject", text: "Reject prediction" })),
  );
  actions.after(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(async () => {
      const answer = await operation(`Observation/${encodeURIComponent(prediction.id)}/$reject`, { name: "reason", valueString: reason.value });
      form.remove();
      await showResult(result, answer, "Rejected");
    });
  });
  reason.focus();
}

async function openQa(observationId) {
  status("Loading…");
  try {
    const annotation = await fhir(`Observation/${encodeURIComponent(observationId)}`);
    title.textContent = `QA: ${conceptLabel(findings(annotation)[0])}`;
    const stage = el("div", { class: "stage", id: "stage" });
    const result = el("section", { id: "result", "aria-live": "polite" });
    const comment = el("input", { id: "qa-comment", type: "text", size: 40, placeholder: "comment (optional)" });
    const included = new Map();
    const trail = await provenanceFor([`Observation/${annotation.id}`], included);
    const buttons = [
      ["approve", "Approve", ""],
      ["request-changes", "Request changes", "secondary"],
      ["reject", "Reject", "danger"],
    ].map(([code, label, kind]) => {
      const button = el("button", { type: "button", id: `qa-${code}`, class: kind, text: label });
      button.addEventListener("click", () =>
        run(async () => {
          const items = [{ name: "result", valueCode: code }];
          if (comment.value.trim()) items.push({ name: "comment", valueString: comment.value.trim() });
          const answer = await operation(`Observation/${encodeURIComponent(annotation.id)}/$qa-review`, ...items);
          await showResult(result, answer, `QA ${label.toLowerCase()}`);
        }),
      );
      return button;
    });
    clear(
      work,
      el("p", {}, ...findings(annotation).map(concept), aiBadge(annotation, "#qa-trail")),
      el("p", { class: "muted", text: `${conceptLabel(annotation.method)} · ${annotation.status} · ${(annotation.performer || []).map(reference).join(", ")}` }),
      stage,
      el("div", { class: "actions" }, el("label", {}, "Comment", comment), ...buttons),
      el("details", { id: "qa-trail", class: "trail" }, el("summary", { text: "Provenance" }), provenanceList(trail, included)),
      result,
    );
    await drawStage(stage, imageOf(annotation), [annotation]);
    status("");
    buttons[0].focus();
  } catch (error) {
    showError(error);
  }
}

loadReviewers();
loadList();
