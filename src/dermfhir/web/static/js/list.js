// Patients and lesions: dermatology annotations and AI predictions, searched on the server with filters.
import {
  IG,
  clear,
  conceptLabel,
  el,
  entries,
  fhir,
  findings,
  idOf,
  imageUrl,
  markReady,
  nextLink,
  prefix,
  reference,
  shortDate,
  showError,
  status,
} from "./api.js";
import { aiBadge, concept, fillSelect, imageLink } from "./widgets.js";
import "./session.js";

const form = document.getElementById("filters");
const body = document.querySelector("#results tbody");
const previous = document.getElementById("prev");
const next = document.getElementById("next");
const PAGE = 25;
const STATES = { preliminary: "awaiting review", final: "final", amended: "amended", cancelled: "rejected" };
let pages = [];

function query() {
  const values = new FormData(form);
  const params = new URLSearchParams();
  params.set("category", `${IG}/CodeSystem/annotation-type|dermatology-annotation`);
  params.set("_count", String(PAGE));
  params.set("_sort", "-_lastUpdated");
  params.append("_include", "Observation:focus");
  const finding = values.get("finding");
  if (finding) params.set("component-value-concept", finding);
  const source = values.get("source");
  if (source === "ai") params.set("method", "ai-inference");
  if (source === "assisted") params.set("method", "ai-assisted-confirmed,ai-assisted-corrected");
  if (source === "human") params.set("_security:not", "http://terminology.hl7.org/CodeSystem/v3-ObservationValue|AIAST");
  const state = values.get("state");
  if (state) params.set("status", state);
  const site = values.get("site");
  if (site) params.set("focus:BodyStructure.location", site);
  const method = values.get("method");
  if (method) params.append("method", method.split("|")[1]);
  const patient = String(values.get("patient") || "").trim();
  if (patient) params.set("subject", `Patient/${patient}`);
  return `Observation?${params}`;
}

function keepInUrl() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (value) params.set(name, String(value));
  history.replaceState(null, "", `${location.pathname}${params.size ? `?${params}` : ""}`);
}

function row(observation, included) {
  const image = (observation.derivedFrom || []).map(reference).find((ref) => /^(DocumentReference|Media)\//.test(ref));
  const lesionRef = reference((observation.focus || [])[0]);
  const lesion = included.get(lesionRef);
  const thumb = el("span", { class: "thumb" });
  if (image) {
    const picture = el("img", { alt: `Image ${idOf(image)}`, width: 64, height: 48, loading: "lazy" });
    imageUrl(image, true).then((url) => picture.setAttribute("src", url), () => picture.setAttribute("alt", "(image not available)"));
    thumb.append(el("a", { href: `${prefix}/image/${encodeURIComponent(idOf(image))}`, "aria-label": `Open image ${idOf(image)}` }, picture));
  }
  const provenance = image ? `${prefix}/image/${encodeURIComponent(idOf(image))}#provenance-${observation.id}` : null;
  const finding = el("td", {}, ...findings(observation).map(concept), " ", aiBadge(observation, provenance));
  const site = observation.bodySite || lesion?.location;
  return el(
    "tr",
    {},
    el("td", {}, thumb, image ? imageLink(idOf(image)) : ""),
    el("td", { text: idOf(reference(observation.subject)) }),
    el("td", {}, lesionRef ? el("a", { href: `${prefix}/lesion/${encodeURIComponent(idOf(lesionRef))}`, text: idOf(lesionRef) }) : ""),
    finding,
    el("td", { text: conceptLabel(observation.method) }),
    el("td", {}, el("span", { class: `state ${observation.status}`, text: STATES[observation.status] || observation.status })),
    el("td", { text: conceptLabel(site) }),
    el("td", { text: shortDate(observation.effectiveDateTime || observation.issued || observation.meta?.lastUpdated) }),
  );
}

async function load(path) {
  status("Loading…");
  try {
    const bundle = await fhir(path);
    const { matches, included } = entries(bundle);
    clear(body, ...matches.map((observation) => row(observation, included)));
    if (!matches.length) body.append(el("tr", {}, el("td", { colspan: 8, text: "Nothing matches these filters." })));
    const following = nextLink(bundle);
    next.disabled = !following;
    next.dataset.path = following || "";
    previous.disabled = pages.length < 2;
    status(`${matches.length} shown${bundle.total !== undefined ? ` of ${bundle.total}` : ""}.`);
    if (!document.body.dataset.ready) markReady();
  } catch (error) {
    showError(error);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  keepInUrl();
  pages = [query()];
  load(pages[0]);
});
next.addEventListener("click", () => {
  if (!next.dataset.path) return;
  pages.push(next.dataset.path);
  load(next.dataset.path);
});
previous.addEventListener("click", () => {
  if (pages.length < 2) return;
  pages.pop();
  load(pages[pages.length - 1]);
});

async function start() {
  const wanted = new URLSearchParams(location.search);
  for (const [name, value] of wanted) {
    const field = form.elements.namedItem(name);
    if (field && field.tagName !== "SELECT") field.value = value;
  }
  pages = [query()];
  const loading = load(pages[0]);
  await Promise.all([
    fillSelect(document.getElementById("f-finding"), `${IG}/ValueSet/dermatology-findings`, wanted.get("finding")),
    fillSelect(document.getElementById("f-site"), `${IG}/ValueSet/body-sites-skin`, wanted.get("site")),
    fillSelect(document.getElementById("f-method"), `${IG}/ValueSet/annotation-methods`, wanted.get("method")),
  ]);
  for (const [name, value] of wanted) {
    const field = form.elements.namedItem(name);
    if (field && field.tagName === "SELECT") field.value = value;
  }
  if ([...wanted.keys()].length) {
    pages = [query()];
    await loading;
    load(pages[0]);
  }
}

start();
