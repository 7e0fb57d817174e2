// The image view: the image with every region drawn over it, the findings, and the AI prediction panel.
import {
  aiKind,
  clear,
  conceptLabel,
  deviceName,
  el,
  findings,
  idOf,
  markReady,
  methodCode,
  modelCardOf,
  personName,
  prefix,
  quantity,
  reference,
  shortDate,
  showError,
  status,
} from "./api.js";
import { imageBundle, provenanceOf } from "./data.js";
import { bindToggles, drawStage } from "./overlays.js";
import { provenanceList } from "./provenance.js";
import { aiBadge, concept, probabilityBars } from "./widgets.js";
import "./session.js";

const imageId = document.body.dataset.resourceId;
const stage = document.getElementById("stage");

function performerOf(observation, included) {
  const device = reference(observation.device);
  if (device) {
    const found = included.get(device);
    const card = modelCardOf(found);
    return el(
      "span",
      {},
      `AI Device: ${deviceName(found) || device}`,
      card ? " · " : "",
      card ? el("a", { href: `${prefix}/models#card-${idOf(device)}`, text: "model card" }) : "",
    );
  }
  const people = (observation.performer || []).map((item) => personName(included.get(reference(item))) || reference(item));
  return el("span", { text: people.length ? `By ${people.join(", ")}` : "No performer recorded" });
}

function findingItem(observation, included, provenances) {
  const ref = `Observation/${observation.id}`;
  const trail = provenanceOf(provenances, ref);
  const confidence = quantity(observation, "confidence-score") ?? quantity(observation, "prediction-confidence");
  const qa = (observation.component || []).find((c) => c.code?.coding?.[0]?.code === "qa-review-status");
  return el(
    "li",
    { class: `finding ${aiKind(observation) ? "ai" : "human"}`, id: `observation-${observation.id}`, "data-observation": observation.id },
    el("div", { class: "finding-head" }, ...findings(observation).map(concept), aiBadge(observation, `#provenance-${observation.id}`)),
    el(
      "dl",
      { class: "facts" },
      el("dt", { text: "Method" }),
      el("dd", { text: conceptLabel(observation.method) || methodCode(observation) }),
      el("dt", { text: "State" }),
      el("dd", { text: observation.status }),
      el("dt", { text: "Made by" }),
      el("dd", {}, performerOf(observation, included)),
      confidence !== null ? el("dt", { text: "Confidence" }) : "",
      confidence !== null ? el("dd", { text: `${(confidence * 100).toFixed(1)} %` }) : "",
      qa ? el("dt", { text: "QA" }) : "",
      qa ? el("dd", { text: conceptLabel(qa.valueCodeableConcept) }) : "",
      el("dt", { text: "Date" }),
      el("dd", { text: shortDate(observation.effectiveDateTime || observation.issued || observation.meta?.lastUpdated) }),
    ),
    el(
      "details",
      { id: `provenance-${observation.id}`, class: "trail", open: location.hash === `#provenance-${observation.id}` },
      el("summary", { text: `Provenance (${trail.length})` }),
      provenanceList(trail, included),
    ),
  );
}

function predictionPanel(data) {
  const predictions = data.observations.filter((o) => methodCode(o) === "ai-inference");
  const panel = document.getElementById("prediction-panel");
  if (!predictions.length) return;
  panel.hidden = false;
  const body = document.getElementById("prediction");
  clear(body);
  for (const prediction of predictions) {
    const device = data.included.get(reference(prediction.device));
    const card = modelCardOf(device);
    const confidence = quantity(prediction, "prediction-confidence");
    const assessment = data.assessments.find((item) =>
      (item.basis || []).some((basis) => reference(basis) === `Observation/${prediction.id}`),
    );
    body.append(
      el(
        "article",
        { class: "prediction", "data-observation": prediction.id },
        el("p", {}, el("strong", {}, ...findings(prediction).map(concept)), " ", aiBadge(prediction, `#provenance-${prediction.id}`)),
        el("p", {
          text: `Confidence ${confidence !== null ? `${(confidence * 100).toFixed(1)} %` : "not given"} · status ${prediction.status}`,
        }),
        el(
          "p",
          {},
          `Model: ${deviceName(device) || reference(prediction.device)}`,
          card ? " · " : "",
          card ? el("a", { href: `${prefix}/models#card-${idOf(reference(prediction.device))}`, text: "model card" }) : "",
        ),
        assessment ? probabilityBars(assessment) : el("p", { class: "muted", text: "No class probabilities recorded." }),
      ),
    );
  }
}

async function start() {
  status("Loading…");
  try {
    const data = await imageBundle(imageId);
    const imageRef = `DocumentReference/${data.image.id}`;
    const shown = data.observations.filter((o) => o.status !== "entered-in-error");
    bindToggles(stage);
    await drawStage(stage, imageRef, shown);
    const lesion = (data.image.context?.related || []).map(reference).find((ref) => ref.startsWith("BodyStructure/"));
    clear(
      document.getElementById("image-meta"),
      `${data.image.description || imageRef} · patient ${idOf(reference(data.image.subject))}`,
      lesion ? " · " : "",
      lesion ? el("a", { href: `${prefix}/lesion/${encodeURIComponent(idOf(lesion))}`, text: "lesion timeline" }) : "",
    );
    clear(document.getElementById("findings"), ...shown.map((o) => findingItem(o, data.included, data.provenances)));
    predictionPanel(data);
    markReady();
    status(`${shown.length} annotation(s) and prediction(s).`);
    openFromHash();
  } catch (error) {
    showError(error);
    markReady("error");
  }
}

// A badge's link (#provenance-…) opens that Provenance trail and moves focus to it.
function openFromHash() {
  const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  if (!target) return;
  if (target.tagName === "DETAILS") target.open = true;
  target.scrollIntoView();
  target.querySelector("summary")?.focus();
}

window.addEventListener("hashchange", openFromHash);
start();
