// A resource's Provenance trail: who or what made it, from what, when.
import { clear, codings, conceptLabel, el, personName, reference, shortDate } from "./api.js";

export function provenanceList(provenances, included) {
  if (!provenances.length) return el("p", { class: "muted", text: "No Provenance is recorded for this resource." });
  return el(
    "ul",
    { class: "provenance" },
    ...provenances
      .slice()
      .sort((a, b) => String(a.recorded).localeCompare(String(b.recorded)))
      .map((provenance) =>
        el(
          "li",
          {},
          el("strong", { text: `${shortDate(provenance.recorded)} · ${conceptLabel(provenance.activity) || "activity"}` }),
          (provenance.reason || []).some((reason) => codings(reason).some((coding) => coding.code === "AIAST"))
            ? el("span", { class: "badge ai generated small", text: "AIAST" })
            : "",
          el(
            "ul",
            {},
            ...(provenance.agent || []).map((agent) => {
              const who = reference(agent.who);
              return el("li", { text: `${conceptLabel(agent.type) || "agent"}: ${personName(included.get(who)) || who}` });
            }),
            ...(provenance.entity || []).map((entity) =>
              el("li", { text: `${entity.role || "entity"}: ${reference(entity.what)}` }),
            ),
          ),
          el("span", { class: "muted small", text: `Provenance/${provenance.id}` }),
        ),
      ),
  );
}

export function fillProvenance(node, provenances, included) {
  clear(node, provenanceList(provenances, included));
}
