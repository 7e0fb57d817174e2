// Loading what one image's page needs: the image, its annotations and predictions, their class probabilities,
// Provenance, performers and AI Devices.
import { entries, fhir, imageUrl, reference } from "./api.js";

export async function imageBundle(imageId) {
  const image = await fhir(`DocumentReference/${encodeURIComponent(imageId)}`);
  const ref = `DocumentReference/${image.id}`;
  imageUrl(ref).catch(() => undefined); // start fetching the pixels while the annotations load
  const subject = reference(image.subject);
  const [observed, assessed] = await Promise.all([
    fhir(`Observation?derived-from=${encodeURIComponent(ref)}&_count=200&_include=Observation:device&_include=Observation:performer`),
    subject ? assessmentsOf(subject) : [],
  ]);
  const { matches: observations, included } = entries(observed);
  included.set(ref, image);
  const predictions = new Set(observations.map((o) => `Observation/${o.id}`));
  const assessments = assessed.filter((assessment) =>
    (assessment.basis || []).some((basis) => predictions.has(reference(basis)) || reference(basis) === ref),
  );
  const targets = [...predictions, ...assessments.map((a) => `RiskAssessment/${a.id}`)];
  const provenances = await provenanceFor(targets, included);
  const unique = new Map(provenances.map((provenance) => [provenance.id, provenance]));
  return { image, observations, included, assessments, provenances: [...unique.values()] };
}

async function assessmentsOf(subject) {
  try {
    return entries(await fhir(`RiskAssessment?subject=${encodeURIComponent(subject)}&_count=200&_total=none`)).matches;
  } catch (error) {
    if (error.status === 403) return [];
    throw error;
  }
}

export async function provenanceFor(targets, included) {
  if (!targets.length) return [];
  const found = [];
  for (let start = 0; start < targets.length; start += 40) {
    const chunk = targets.slice(start, start + 40).join(",");
    try {
      const bundle = await fhir(`Provenance?target=${encodeURIComponent(chunk)}&_count=200&_total=none&_include=Provenance:agent`);
      const { matches, included: more } = entries(bundle);
      for (const [key, value] of more) included.set(key, value);
      found.push(...matches);
    } catch (error) {
      if (error.status !== 403) throw error;
    }
  }
  return found;
}

export function provenanceOf(provenances, resourceRef) {
  return provenances.filter((provenance) => (provenance.target || []).some((target) => reference(target) === resourceRef));
}
