// Sign in with a bearer token: checked against the server before it is kept (sessionStorage, this tab only).
import { fhir, prefix, setToken, status } from "./api.js";
import { showSession } from "./session.js";

const form = document.getElementById("signin");
const input = document.getElementById("token");
const error = document.getElementById("signin-error");

function next() {
  const wanted = new URLSearchParams(location.search).get("next") || `${prefix}/`;
  // only a path on this server, never another origin
  return wanted.startsWith("/") && !wanted.startsWith("//") ? wanted : `${prefix}/`;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.textContent = "";
  const value = input.value.trim();
  if (!value) return;
  setToken(value);
  try {
    // any authenticated read proves the token; a 403 means the token is valid but narrow, which is fine
    await fhir("Patient?_count=1&_summary=count", { redirect: false });
  } catch (failure) {
    if (failure.status === 401) {
      setToken(null);
      error.textContent = "The server did not accept this token.";
      showSession();
      return;
    }
  }
  showSession();
  location.assign(next());
});

document.getElementById("signout").addEventListener("click", () => {
  setToken(null);
  showSession();
  status("Signed out.");
});
input.focus();
