// The profile page: signs in (password, then TOTP; or a one-time link in the URL's fragment),
// shows the user's projects and API clients, creates clients with a key pair made here by
// WebCrypto (the private key never leaves the browser), and revokes them. Every change sends
// the session's CSRF token. Values from the server only ever go into textContent.
"use strict";

const $ = (id) => document.getElementById(id);
let csrf = "";
let profile = null;

function say(text, bad) {
  const m = $("message");
  m.textContent = text || "";
  m.className = bad ? "bad" : "";
}

async function call(method, path, body) {
  const options = { method, headers: {}, credentials: "same-origin" };
  if (csrf) options.headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  return { status: response.status, data };
}

function show(section) {
  for (const id of ["sign-in", "second-factor", "profile"]) $(id).hidden = id !== section;
  const first = $(section).querySelector("input, button");
  if (first) first.focus();
}

// After any sign-in step: where the session stands decides what comes next.
async function proceed(result) {
  if (result.status === 429) return say(result.data.error, true);
  if (result.status !== 200) return say(result.data.error || "signing in failed", true);
  csrf = result.data.csrf_token;
  if (result.data.stage === "signed_in") {
    say("");
    return loadProfile();
  }
  const enrolling = result.data.stage === "enrolling";
  $("enrolment").hidden = !enrolling;
  if (enrolling) {
    $("totp-secret").textContent = result.data.totp_secret || "";
    $("totp-qr").src = "/web/api/totp/qr.svg?t=" + Date.now();
  }
  show("second-factor");
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  row.appendChild(td);
  return td;
}

function date(text) { return text ? text.replace("T", " ").replace("+00:00", " UTC") : "never"; }

function renderProjects(projects) {
  const body = $("projects").querySelector("tbody");
  body.replaceChildren();
  for (const p of projects) {
    const row = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = p.repo_name + (p.description ? " — " + p.description : "");
    row.appendChild(th);
    cell(row, p.role);
    cell(row, p.hours_given);
    cell(row, p.hours_used.toFixed(2));
    cell(row, p.your_hours_used.toFixed(2));
    body.appendChild(row);
  }
  $("no-projects").hidden = projects.length > 0;
}

function renderClients(clients) {
  const body = $("clients").querySelector("tbody");
  body.replaceChildren();
  for (const c of clients) {
    const row = document.createElement("tr");
    row.dataset.clientId = c.client_id;
    cell(row, c.name);
    cell(row, c.client_id).className = "client-id";
    cell(row, c.level);
    cell(row, c.ip_ranges.join(", "));
    cell(row, date(c.expires_at));
    cell(row, date(c.last_used_at));
    cell(row, c.state).className = "client-state";
    const actions = cell(row, "");
    if (c.state === "valid") {
      const revoke = document.createElement("button");
      revoke.type = "button";
      revoke.className = "secondary revoke";
      revoke.textContent = "Revoke";
      revoke.setAttribute("aria-label", "Revoke client " + c.name + " (" + c.client_id + ")");
      revoke.addEventListener("click", () => revokeClient(c));
      actions.appendChild(revoke);
    }
    body.appendChild(row);
  }
  $("no-clients").hidden = clients.length > 0;
}

function renderLevelRules() {
  if (!profile) return;
  const level = document.querySelector("input[name=level]:checked").value;
  const rule = profile.levels[level];
  const widths = [];
  if (rule.min_ipv4_prefix > 0) widths.push("IPv4 /" + rule.min_ipv4_prefix);
  if (rule.min_ipv6_prefix > 0) widths.push("IPv6 /" + rule.min_ipv6_prefix);
  $("level-rules").textContent = level + " clients live " + rule.max_lifetime_days + " days" +
      (rule.max_ip_ranges > 0 ? " and have at most " + rule.max_ip_ranges + " IP ranges" : "") +
      (widths.length ? ", each no wider than " + widths.join(" or ") : "") + ".";
}

async function loadProfile() {
  const result = await call("GET", "/web/api/profile");
  if (result.status === 401) { csrf = ""; return show("sign-in"); }
  if (result.status !== 200) return say(result.data.error || "could not load your profile", true);
  profile = result.data;
  $("who-name").textContent = profile.user.name;
  $("who-uid").textContent = profile.user.uid;
  $("who-full-name").textContent = profile.user.full_name || "—";
  $("who-email").textContent = profile.user.email || "—";
  renderProjects(profile.projects);
  const enabled = profile.access.enabled;
  $("clients-section").hidden = !enabled;
  $("not-enabled").hidden = enabled;
  if (enabled) {
    renderClients(profile.clients);
    if (!$("client-ips").value)
      $("client-ips").value = profile.your_address + (profile.your_address.includes(":") ? "/128" : "/32");
    renderLevelRules();
  } else {
    $("not-enabled-why").textContent = profile.access.why;
    const request = profile.access.request;
    const pending = request && request.state === "pending";
    $("request-state").hidden = !request;
    if (request)
      $("request-state").textContent = "Your request of " + date(request.requested_at) + " is " +
          request.state + (request.note ? ": " + request.note : ".");
    $("request-form").hidden = pending;
  }
  show("profile");
}

function pem(label, buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  const lines = btoa(binary).match(/.{1,64}/g).join("\n");
  return "-----BEGIN " + label + "-----\n" + lines + "\n-----END " + label + "-----\n";
}

// RS256 keys, as NERSC's client signs its assertions with.
async function makeKeyPair() {
  const pair = await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256" }, true, ["sign", "verify"]);
  return {
    publicPem: pem("PUBLIC KEY", await crypto.subtle.exportKey("spki", pair.publicKey)),
    privatePem: pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", pair.privateKey)),
  };
}

async function createClient(event) {
  event.preventDefault();
  $("new-key").hidden = true;
  const own = $("client-public-key").value.trim();
  let keys = null;
  if (!own) {
    if (!window.crypto || !crypto.subtle)
      return say("this browser cannot make keys (WebCrypto needs https or localhost); paste a public key instead", true);
    say("Making a key pair in your browser ...");
    keys = await makeKeyPair();
  }
  const body = {
    name: $("client-name").value.trim(),
    level: document.querySelector("input[name=level]:checked").value,
    ip_ranges: $("client-ips").value.split(/[\s,]+/).filter((s) => s.length > 0),
    comments: $("client-comments").value,
    public_key: own || keys.publicPem,
  };
  const result = await call("POST", "/web/api/clients", body);
  if (result.status !== 201) return say(result.data.error || "the client was not created", true);
  const client = result.data.client;
  say("Created " + client.level + " client " + client.client_id + ".");
  if (keys) {
    // The file sfapi_client reads: the client id on the first line, then the PEM private key.
    const file = new Blob([client.client_id + "\n" + keys.privatePem], { type: "application/x-pem-file" });
    const link = $("key-download");
    link.href = URL.createObjectURL(file);
    link.download = client.client_id + ".pem";
    $("key-usage").textContent = 'Client(key="~/.superfacility/' + client.client_id + '.pem", ...)';
    $("new-key").hidden = false;
    link.focus();
  }
  $("client-form").reset();
  const keep = $("new-key").hidden;
  await loadProfile();
  if (!keep) $("key-download").focus();
}

async function revokeClient(c) {
  if (!window.confirm("Revoke " + c.name + " (" + c.client_id + ")? Its tokens stop working.")) return;
  const result = await call("DELETE", "/web/api/clients/" + encodeURIComponent(c.client_id));
  if (result.status !== 200) return say(result.data.error || "revoking failed", true);
  say("Revoked client " + c.client_id + ".");
  await loadProfile();
}

async function requestAccess(event) {
  event.preventDefault();
  const result = await call("POST", "/web/api/access-requests", { reason: $("request-reason").value });
  if (result.status !== 201) return say(result.data.error || "the request was not sent", true);
  say("Your request was sent; an operator will decide.");
  await loadProfile();
}

async function start() {
  $("password-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await call("POST", "/web/api/sign-in",
        { username: $("username").value, password: $("password").value });
    $("password").value = "";
    await proceed(result);
  });
  $("totp-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await call("POST", "/web/api/sign-in/totp", { code: $("totp-code").value });
    $("totp-code").value = "";
    if (result.status === 401 && /sign in again|not signed in/.test(result.data.error || "")) {
      csrf = "";
      show("sign-in");
    }
    await proceed(result);
  });
  $("sign-out").addEventListener("click", async () => {
    await call("POST", "/web/api/sign-out", {});
    csrf = "";
    profile = null;
    say("You are signed out.");
    show("sign-in");
  });
  $("client-form").addEventListener("submit", createClient);
  $("request-form").addEventListener("submit", requestAccess);
  for (const radio of document.querySelectorAll("input[name=level]"))
    radio.addEventListener("change", renderLevelRules);

  // A one-time link (`sfapid web link`, printed by `make run`): its secret is in the fragment,
  // which the browser never sends; post it once and take it out of the address bar.
  const link = new URLSearchParams(window.location.hash.slice(1)).get("link");
  if (link) {
    history.replaceState(null, "", "/");
    return proceed(await call("POST", "/web/api/sign-in/link", { link }));
  }
  const session = await call("GET", "/web/api/session");
  if (session.status === 200) {
    csrf = session.data.csrf_token;
    if (session.data.stage === "signed_in") return loadProfile();
    $("enrolment").hidden = session.data.stage !== "enrolling";
    if (session.data.stage === "enrolling") $("totp-qr").src = "/web/api/totp/qr.svg";
    return show("second-factor");
  }
  show("sign-in");
}

document.addEventListener("DOMContentLoaded", start);
