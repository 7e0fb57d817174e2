// The header's sign-in state, on every page.
import { el, clear, prefix, token } from "./api.js";

export function showSession() {
  const node = document.getElementById("session");
  if (!node) return;
  if (token()) clear(node, el("a", { href: `${prefix}/signin`, text: "Signed in · sign out" }));
  else clear(node, el("a", { href: `${prefix}/signin`, text: "Sign in" }));
}

showSession();
