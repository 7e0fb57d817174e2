// Small pieces shared by the pages: the AI badge, coded concepts with their systems, option lists.
import { aiKind, codings, conceptLabel, el, fhir, prefix, SNOMED } from "./api.js";

const SYSTEM_NAMES = new Map([
  [SNOMED, "SNOMED CT"],
  ["https://annotatemd.com/fhir/ig/CodeSystem/isic-diagnosis", "ISIC diagnosis"],
  ["https://annotatemd.com/fhir/ig/CodeSystem/isic-challenge-class", "ISIC class"],
  ["https://annotatemd.com/fhir/ig/CodeSystem/ham10000-dx", "HAM10000"],
  ["https://annotatemd.com/fhir/ig/CodeSystem/isic-anatomic-site", "ISIC site"],
]);

export function systemName(system) {
  return SYSTEM_NAMES.get(system) || system || "text";
}

// The "AI-generated" / "AI-assisted" badge of an AIAST-labelled resource, linking to its Provenance.
export function aiBadge(resource, provenanceHref) {
  const kind = aiKind(resource);
  if (!kind) return null;
  const title = `${kind}: labelled AIAST (artificial intelligence asserted); see how it was made`;
  return el("a", {
    class: `badge ai ${kind === "AI-assisted" ? "assisted" : "generated"}`,
    href: provenanceHref || "#provenance",
    title,
    text: kind,
  });
}

// A coded concept: its label, then every coding with the name of its system (SNOMED CT, ISIC…).
export function concept(value) {
  const node = el("span", { class: "concept" });
  const label = value?.text || codings(value).find((coding) => coding.display)?.display || "";
  if (label) node.append(el("span", { class: "label", text: label }));
  for (const coding of codings(value)) {
    node.append(
      el(
        "span",
        { class: "code", title: coding.system || "" },
        el("span", { class: "system", text: systemName(coding.system) }),
        " ",
        el("span", { class: "value", text: coding.code || "" }),
        coding.display && coding.display !== label ? ` ${coding.display}` : "",
      ),
    );
  }
  return node;
}

const expansions = new Map();

// The codings of a value set of the guide, through ValueSet/$expand.
export async function expand(url) {
  if (!expansions.has(url)) {
    expansions.set(
      url,
      fhir(`ValueSet/$expand?url=${encodeURIComponent(url)}`).then((valueSet) =>
        (valueSet.expansion?.contains || []).filter((item) => item.code),
      ),
    );
  }
  return expansions.get(url);
}

export async function fillSelect(select, url, selected) {
  try {
    for (const item of await expand(url)) {
      const value = `${item.system}|${item.code}`;
      select.append(el("option", { value, text: `${item.display || item.code} (${item.code})`, selected: value === selected }));
    }
  } catch (error) {
    select.append(el("option", { value: "", disabled: true, text: "(could not load the value set)" }));
  }
}

export function imageLink(imageId, label) {
  return el("a", { href: `${prefix}/image/${encodeURIComponent(imageId)}`, text: label || imageId });
}

// Class-probability bars of a RiskAssessment (class-probability-assessment), highest first.
export function probabilityBars(assessment) {
  const rows = (assessment.prediction || [])
    .map((item) => ({ outcome: item.outcome, value: Number(item.probabilityDecimal ?? 0), rationale: item.rationale }))
    .sort((a, b) => b.value - a.value);
  return el(
    "ul",
    { class: "bars", "aria-label": "Class probabilities" },
    ...rows.map((row) => {
      const percent = Math.max(0, Math.min(100, row.value * 100));
      const fill = el("span", { class: "fill" });
      fill.style.width = `${percent.toFixed(1)}%`; // CSSOM, allowed by the page's style-src 'self'
      return el(
        "li",
        {},
        el("span", { class: "bar-label", text: conceptLabel(row.outcome) || row.rationale || "class" }),
        el(
          "span",
          { class: "bar", role: "meter", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": percent.toFixed(1) },
          fill,
        ),
        el("span", { class: "bar-value", text: `${percent.toFixed(1)} %` }),
      );
    }),
  );
}

