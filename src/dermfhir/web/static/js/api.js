// The one way pages talk to the server: its FHIR REST API and the image routes, with the signed-in token.
// Everything shown is built with DOM calls and textContent (see el()), never by parsing data as HTML.

export const prefix = document.body.dataset.prefix || "/ui";
const TOKEN = "dermfhir.token";
const FHIR_JSON = "application/fhir+json";

export const IG = "https://annotatemd.com/fhir/ig";
export const SNOMED = "http://snomed.info/sct";
export const ANNOTATION_TYPE = `${IG}/CodeSystem/annotation-type`;
export const METHOD_SYSTEM = `${IG}/CodeSystem/annotation-method`;
export const OVERLAY = `${IG}/StructureDefinition/overlay-image`;
export const MODEL_CARD = "http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.modelCardDescription";
export const FINDINGS_VS = `${IG}/ValueSet/dermatology-findings`;

export function token() {
  return sessionStorage.getItem(TOKEN);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN, value);
  else sessionStorage.removeItem(TOKEN);
}

export class FhirError extends Error {
  constructor(status, message, outcome) {
    super(message);
    this.status = status;
    this.outcome = outcome;
  }
}

function headers(extra = {}) {
  const found = { Accept: FHIR_JSON, ...extra };
  const value = token();
  if (value) found.Authorization = `Bearer ${value}`;
  return found;
}

function signIn() {
  const next = location.pathname + location.search + location.hash;
  location.assign(`${prefix}/signin?next=${encodeURIComponent(next)}`);
}

async function failure(response) {
  let outcome = null;
  let message = `${response.status} ${response.statusText}`;
  try {
    outcome = await response.json();
    const issues = (outcome.issue || []).map((issue) => issue.diagnostics || issue.details?.text).filter(Boolean);
    if (issues.length) message = issues.join("; ");
  } catch (error) {
    // not an OperationOutcome: keep the status line
  }
  return new FhirError(response.status, message, outcome);
}

// A FHIR interaction: path relative to the base (e.g. "Observation?status=final"); returns the parsed body.
export async function fhir(path, { method = "GET", body = undefined, extraHeaders = {}, redirect = true } = {}) {
  // "no-cache": always revalidate (the server answers 304 to If-None-Match), never show a stale version
  const init = { method, headers: headers(extraHeaders), cache: "no-cache" };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = FHIR_JSON;
  }
  const response = await fetch(`/${path}`, init);
  if (response.status === 401 && redirect) {
    signIn();
    throw new FhirError(401, "Sign in to continue", null);
  }
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export async function search(path) {
  const bundle = await fhir(path);
  return bundle;
}

// Entries of a searchset Bundle, split into matches and included resources (keyed Type/id).
export function entries(bundle) {
  const matches = [];
  const included = new Map();
  for (const entry of bundle.entry || []) {
    const resource = entry.resource;
    if (!resource) continue;
    included.set(`${resource.resourceType}/${resource.id}`, resource);
    if ((entry.search?.mode || "match") === "match") matches.push(resource);
  }
  return { matches, included };
}

export function nextLink(bundle) {
  const link = (bundle.link || []).find((item) => item.relation === "next");
  if (!link) return null;
  const url = new URL(link.url, location.origin);
  return url.pathname.replace(/^\//, "") + url.search;
}

const images = new Map();

// An object URL for the image behind a DocumentReference / Media reference (fetched with the token).
export async function imageUrl(reference, thumbnail = false) {
  const key = `${reference}|${thumbnail}`;
  if (!images.has(key)) {
    images.set(
      key,
      (async () => {
        const [type, id] = reference.split("/");
        const path = `/images/${encodeURIComponent(type)}/${encodeURIComponent(id)}${thumbnail ? "/thumbnail" : ""}`;
        const response = await fetch(path, { headers: headers({ Accept: "image/*" }), cache: "no-cache" });
        if (!response.ok) throw await failure(response);
        return URL.createObjectURL(await response.blob());
      })(),
    );
  }
  try {
    return await images.get(key);
  } catch (error) {
    images.delete(key);
    throw error;
  }
}

// el("a", {href: "…", class: "x", text: "label"}, child…): an element; strings become text nodes.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function svg(tag, attributes = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, String(value));
  }
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function status(message, kind = "") {
  const node = document.getElementById("status");
  if (!node) return;
  node.textContent = message || "";
  node.className = `status ${kind}`;
}

export function showError(error) {
  status(error instanceof Error ? error.message : String(error), "error");
}

// ---- reading the guide's resources ----

export function codings(concept) {
  return (concept && concept.coding) || [];
}

export function conceptLabel(concept) {
  if (!concept) return "";
  if (concept.text) return concept.text;
  const first = codings(concept).find((coding) => coding.display) || codings(concept)[0];
  return first ? first.display || first.code || "" : "";
}

export function componentCode(component) {
  const first = codings(component.code)[0];
  return first ? [first.system, first.code] : [null, component.code?.text];
}

export function componentsOf(resource, code, system = ANNOTATION_TYPE) {
  return (resource.component || []).filter((component) => {
    const [foundSystem, foundCode] = componentCode(component);
    return foundSystem === system && foundCode === code;
  });
}

export function findings(observation) {
  return componentsOf(observation, "106076001", SNOMED).map((component) => component.valueCodeableConcept);
}

export function quantity(observation, code) {
  const found = componentsOf(observation, code)[0];
  return found && found.valueQuantity ? found.valueQuantity.value : null;
}

function numbers(component) {
  return String(component.valueSampledData?.data || "")
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((value) => Number.isFinite(value));
}

function overlayReferences(observation, code) {
  return componentsOf(observation, code)
    .flatMap((component) => component.extension || [])
    .filter((extension) => extension.url === OVERLAY)
    .map((extension) => extension.valueReference?.reference)
    .filter(Boolean);
}

export function regions(observation) {
  const boxes = [];
  for (const component of componentsOf(observation, "bounding-boxes")) {
    const values = numbers(component);
    for (let i = 0; i + 3 < values.length; i += 4) boxes.push(values.slice(i, i + 4));
  }
  const polygons = componentsOf(observation, "polygon").map((component) => {
    const values = numbers(component);
    const points = [];
    for (let i = 0; i + 1 < values.length; i += 2) points.push([values[i], values[i + 1]]);
    return points;
  });
  const width = quantity(observation, "image-width");
  const height = quantity(observation, "image-height");
  return {
    boxes,
    polygons,
    masks: overlayReferences(observation, "segmentation-mask"),
    heatmaps: overlayReferences(observation, "heatmap"),
    size: width && height ? [width, height] : null,
  };
}

export function methodCode(resource) {
  return codings(resource.method)[0]?.code || "";
}

export function isAI(resource) {
  return (resource.meta?.security || []).some((label) => label.code === "AIAST");
}

// "AI-generated" for a model's own output, "AI-assisted" for what a person made with it, "" otherwise.
export function aiKind(resource) {
  if (!isAI(resource)) return "";
  const method = methodCode(resource);
  if (method.startsWith("ai-assisted")) return "AI-assisted";
  return "AI-generated";
}

export function reference(value) {
  return (value && value.reference) || "";
}

export function idOf(ref) {
  return String(ref || "").split("/")[1] || "";
}

export function shortDate(value) {
  return value ? String(value).replace("T", " ").slice(0, 16) : "";
}

export function deviceName(device) {
  if (!device) return "";
  const name = (device.deviceName || [])[0]?.name || device.id;
  const version = (device.version || [])[0]?.value;
  return version ? `${name} ${version}` : name;
}

export function modelCardOf(device) {
  return (device?.extension || []).find((extension) => extension.url === MODEL_CARD)?.valueReference?.reference;
}

export function personName(resource) {
  if (!resource) return "";
  if (resource.resourceType === "Device") return deviceName(resource);
  const name = (resource.name || [])[0];
  if (typeof name === "string") return name;
  if (name) return name.text || [...(name.prefix || []), ...(name.given || []), name.family].filter(Boolean).join(" ");
  return `${resource.resourceType}/${resource.id}`;
}

// Marks the page ready (tests and bench/ui.py wait for it): data-ready and the time since navigation start.
export function markReady(state = "true") {
  document.body.dataset.readyAt = String(Math.round(performance.now()));
  document.body.dataset.ready = state;
}
