// A lesion's timeline: its images and annotations in time order, with changes between visits highlighted
// (a different finding, or a region that grew by more than a fifth).
import {
  clear,
  conceptLabel,
  el,
  entries,
  fhir,
  findings,
  idOf,
  imageUrl,
  isAI,
  markReady,
  prefix,
  reference,
  regions,
  shortDate,
  showError,
  status,
} from "./api.js";
import { aiBadge, concept } from "./widgets.js";
import "./session.js";

const lesionId = document.body.dataset.resourceId;
const GROWTH = 0.2;

function area(observation) {
  const [box] = regions(observation).boxes;
  return box ? box[2] * box[3] : null;
}

function findingCodes(observation) {
  return findings(observation)
    .flatMap((item) => item.coding || [])
    .map((coding) => `${coding.system}|${coding.code}`)
    .sort()
    .join(" ");
}

// Changes from the previous visit's reference annotation (a person's, else the AI's) to this one.
export function changes(previous, current) {
  if (!previous || !current) return [];
  const found = [];
  if (findingCodes(previous) !== findingCodes(current)) {
    found.push(`finding changed: ${conceptLabel(findings(previous)[0])} → ${conceptLabel(findings(current)[0])}`);
  }
  const before = area(previous);
  const after = area(current);
  if (before && after && after > before * (1 + GROWTH)) {
    found.push(`region grew by ${Math.round((after / before - 1) * 100)} %`);
  }
  return found;
}

// A visit's reference: the latest annotation by a person (an AI-assisted one counts: a person decided it);
// a visit with AI predictions only has none and is not compared.
function referenceAnnotation(observations) {
  const people = observations.filter(
    (o) =>
      (!isAI(o) || String(o.method?.coding?.[0]?.code).startsWith("ai-assisted")) &&
      !["cancelled", "entered-in-error", "preliminary"].includes(o.status),
  );
  return people[people.length - 1] || null;
}

async function start() {
  status("Loading…");
  try {
    const lesion = await fhir(`BodyStructure/${encodeURIComponent(lesionId)}`);
    const [images, observed] = await Promise.all([
      fhir(`DocumentReference?related=${encodeURIComponent(`BodyStructure/${lesion.id}`)}&_count=200`),
      fhir(`Observation?focus=${encodeURIComponent(`BodyStructure/${lesion.id}`)}&_count=500`),
    ]);
    const observations = entries(observed).matches;
    const pictures = entries(images)
      .matches.filter((image) => !(image.relatesTo || []).length)
      .sort((a, b) => String(a.date || a.content?.[0]?.attachment?.creation).localeCompare(String(b.date || b.content?.[0]?.attachment?.creation)));
    clear(
      document.getElementById("lesion-summary"),
      `${lesion.description || `Lesion ${lesion.id}`} · ${conceptLabel(lesion.location)} · patient ${idOf(reference(lesion.patient))}`,
    );
    let previous = null;
    const items = pictures.map((image) => {
      const ref = `DocumentReference/${image.id}`;
      const own = observations
        .filter((o) => (o.derivedFrom || []).some((d) => reference(d) === ref))
        .sort((a, b) => String(a.effectiveDateTime).localeCompare(String(b.effectiveDateTime)));
      const current = referenceAnnotation(own);
      const found = changes(previous, current);
      if (current) previous = current;
      const picture = el("img", { alt: `Image ${image.id}`, width: 200, height: 150, loading: "lazy" });
      imageUrl(ref, true).then((url) => picture.setAttribute("src", url), () => picture.setAttribute("alt", "(image not available)"));
      return el(
        "li",
        { class: found.length ? "changed" : "", "data-image": image.id },
        el("a", { href: `${prefix}/image/${encodeURIComponent(image.id)}`, "aria-label": `Open image ${image.id}` }, picture),
        el(
          "div",
          {},
          el("h2", { text: shortDate(image.date || image.content?.[0]?.attachment?.creation) }),
          ...found.map((text) => el("p", { class: "change", text: `Change: ${text}` })),
          current ? "" : el("p", { class: "muted", text: "No reviewed annotation at this visit." }),
          el(
            "ul",
            {},
            ...own.map((o) =>
              el(
                "li",
                {},
                ...findings(o).map(concept),
                aiBadge(o, `${prefix}/image/${encodeURIComponent(image.id)}#provenance-${o.id}`),
                ` ${conceptLabel(o.method)} · ${o.status}`,
              ),
            ),
          ),
        ),
      );
    });
    clear(document.getElementById("timeline"), ...items);
    if (!items.length) document.getElementById("timeline").append(el("li", { text: "No images of this lesion." }));
    markReady();
    status(`${pictures.length} visit(s).`);
  } catch (error) {
    showError(error);
  }
}

start();
